"""Where figures, generated LaTeX and caches live (all relative to the repository root)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: final figures of the paper (PDF + PNG)
FIGURE_DIR = ROOT / "paper" / "figures"
#: quick (small-size) runs go here so they never overwrite the paper's figures
QUICK_FIGURE_DIR = ROOT / ".cache" / "figures-quick"
#: generated LaTeX (equations, numbers) for the paper
GENERATED_DIR = ROOT / "paper" / "generated"


def cache_dir() -> Path:
    """Cache of ``compute`` results; ``L2SCALE_CACHE_DIR`` overrides (ignored by git)."""
    return Path(os.environ.get("L2SCALE_CACHE_DIR", ROOT / ".cache" / "figures"))
