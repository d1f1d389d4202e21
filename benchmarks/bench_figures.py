"""Wall time of ``make figures`` (``python -m figures``): quick, full, and a no-op re-run.

Each run is a fresh process (package import and JAX start-up included).

- quick, cold: an empty temporary cache;
- full, cold: an empty temporary cache -- about half an hour on 2 cores, so it runs only with
  ``L2SCALE_BENCH_FULL_COLD=1``, or when the project cache is stale (next item); otherwise
  the row says it was not run;
- full re-run: the project's own cache (``.cache/figures``) after ``make figures``, i.e. a
  cache hit: loading results, drawing and writing the PDFs/PNGs.  If the cache is cold
  this run fills it first and is timed again.

The ratio full-cold / re-run is the saving that the cache buys.  The figure processes'
progress goes to stderr as it happens; the peak resident memory of the largest figure
process is reported too (``ru_maxrss`` over finished children: a running maximum, so the
row after the full run is the full run's peak unless the quick run was larger).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _timed(args: list[str], cache: str | None) -> float:
    env = dict(os.environ)
    if cache is not None:
        env["L2SCALE_CACHE_DIR"] = cache
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "figures", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - t0


def _peak_rss_mb() -> float:
    """Largest resident set of any finished child process so far, in MB (Linux: KiB units)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run() -> list[dict]:
    with tempfile.TemporaryDirectory() as quick_cache:
        quick = _timed(["--quick"], quick_cache)
    rows = [
        {"metric": "python -m figures --quick (cold cache)", "value": quick, "unit": "s"},
        {"metric": "peak RSS, quick run", "value": _peak_rss_mb(), "unit": "MB"},
    ]
    cold = {"metric": "python -m figures (cold cache)", "value": None, "unit": "s"}
    rows.append(cold)
    full = None
    if os.environ.get("L2SCALE_BENCH_FULL_COLD") == "1":
        with tempfile.TemporaryDirectory() as cache:
            full = _timed([], cache)
        cold.update(value=full, note="empty temporary cache")
    rerun = _timed([], None)
    if rerun > 120:  # the project cache was cold: that was a full run; now time the hit
        if full is None:
            full = rerun
            cold.update(value=full, note="the project cache was stale: this run refilled it")
        rerun = _timed([], None)
    if full is None:
        cold["note"] = "not run: set L2SCALE_BENCH_FULL_COLD=1 (about 25 min)"
    row = {"metric": "python -m figures re-run (cache hit)", "value": rerun, "unit": "s"}
    if full:
        row.update(baseline=full, ratio=full / rerun, note="ratio = cold / cache hit")
    rows.append(row)
    rows.append(
        {"metric": "peak RSS, largest figure process", "value": _peak_rss_mb(), "unit": "MB"}
    )
    return rows
