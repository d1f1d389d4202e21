"""Where figures, generated LaTeX and caches live (all relative to the repository root)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: final figures of the paper (PDF + PNG)
FIGURE_DIR = ROOT / "paper" / "figures"
#: quick (small-size) runs go here so they never overwrite the paper's figures
QUICK_FIGURE_DIR = ROOT / ".cache" / "figures-quick"
#: generated LaTeX (equations, numbers) for the paper; ``L2SCALE_GENERATED_DIR`` overrides it
#: (read at import: a test's full-size run in worker processes leaves the paper's files alone)
GENERATED_DIR = Path(os.environ.get("L2SCALE_GENERATED_DIR") or ROOT / "paper" / "generated")


def cache_dir() -> Path:
    """Cache of ``compute`` results; ``L2SCALE_CACHE_DIR`` overrides (ignored by git)."""
    return Path(os.environ.get("L2SCALE_CACHE_DIR", ROOT / ".cache" / "figures"))


def enable_jax_compilation_cache() -> Path | None:
    """Persist XLA compilations in ``$L2SCALE_JAX_CACHE_DIR`` if that is set; off otherwise.

    Opt-in because reloading CPU executables from JAX's persistent cache is the least
    robust path in jaxlib (deserialization crashes are reported upstream, e.g.
    jax-ml/jax#28908), and an ephemeral CI machine never benefits from it.  Locally it
    saves the recompilation on repeated runs (the test suite: 315 s cold vs 228 s warm,
    measured on 2 cores).  Returns the directory, or None when disabled.
    """
    value = os.environ.get("L2SCALE_JAX_CACHE_DIR", "").strip()
    if not value:
        return None
    import jax

    path = Path(value)
    jax.config.update("jax_compilation_cache_dir", str(path))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.5)
    return path
