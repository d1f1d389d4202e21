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


def enable_jax_compilation_cache() -> Path:
    """Persist XLA compilations in ``.cache/jax`` (ignored) so repeated runs skip recompiling."""
    import jax

    path = Path(os.environ.get("L2SCALE_JAX_CACHE_DIR", ROOT / ".cache" / "jax"))
    jax.config.update("jax_compilation_cache_dir", str(path))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.5)
    return path
