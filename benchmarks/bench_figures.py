"""Wall time of ``make figures`` (``python -m figures``): quick, full, and a no-op re-run.

Each run is a fresh process with a fresh, empty cache directory, as on a new
machine (the package import and JAX start-up are included).  The re-run reuses the
full run's cache, so it measures a cache hit: the ratio full / re-run is the
saving that the cache buys.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _timed(args: list[str], cache: str) -> float:
    env = dict(os.environ, L2SCALE_CACHE_DIR=cache)
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "figures", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - t0


def run() -> list[dict]:
    with tempfile.TemporaryDirectory() as quick_cache, tempfile.TemporaryDirectory() as cache:
        quick = _timed(["--quick"], quick_cache)
        full = _timed([], cache)
        rerun = _timed([], cache)
    return [
        {"metric": "python -m figures --quick (cold cache)", "value": quick, "unit": "s"},
        {"metric": "python -m figures (cold cache)", "value": full, "unit": "s"},
        {
            "metric": "python -m figures re-run (cache hit)",
            "value": rerun,
            "unit": "s",
            "baseline": full,
            "ratio": full / rerun,
            "note": "ratio = cold / cache hit",
        },
    ]
