"""Wall time of ``make figures`` (``python -m figures``): quick, full, and a no-op re-run.

Each run is a fresh process (package import and JAX start-up included).

- quick, cold: an empty temporary cache and output directory, stale figures made
  ``--jobs`` (one per core) at a time in worker processes; its baselines, in the same run,
  are the same with ``--jobs 1`` (one process, the figures in turn) and with XLA's default
  compiler options instead of the fast compilation ``--quick`` asks for
  (``bayes.inference.XLA_FAST_COMPILE_FLAGS``);
- quick, no-op (issue 17, target <= 5 s): the same command again, everything current.  Its
  baseline, in the same temporary directory, is the run that the code before issue 17 made
  every time: the drawing stamps removed, so every result is loaded from the cache and
  every figure redrawn (nothing is recomputed in either: checked from the runs' logs);
- full, cold: an empty temporary cache, output and generated-LaTeX directory -- about 20
  minutes on 2 cores, so it runs only with ``L2SCALE_BENCH_FULL_COLD=1``, or when the
  project cache is stale (next item); otherwise the row says it was not run.  Its log gives
  each figure's time (:func:`figure_times`): issue 17's two cold targets are reported from
  it, all figures <= 1200 s and the twelve that existed when the issue was filed
  (:data:`FILING_FIGURES`) <= 400 s together;
- full re-run: the project's own cache (``.cache/figures``) and ``paper/figures`` after
  ``make figures``, i.e. a no-op when they are current.  If some of them are stale this run
  makes them first (reported as such: only a run that made all twenty is judged against the
  targets) and is timed again.

Not quite cold: MNIST-1D, generated once, stays in the project's ``.cache/mnist1d``
(:mod:`training.data`), and the shared worker process's start-up is charged to the first
short figure it runs (``ce_risk``, not one of the twelve).

The ratio full-cold / re-run is the saving that the cache buys.  The figure processes'
progress goes to stderr as it happens; the peak resident memory of the largest figure
process is reported too, the largest "peak RSS so far" that the figure processes log
(:func:`figures._registry.peak_rss_mb`; not ``ru_maxrss`` over children, which counts this
benchmark's own memory into every child it starts).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from figures._parallel import usable_cores

ROOT = Path(__file__).resolve().parent.parent


#: the twelve figures there were when issue 17 was filed (2026-12-02, before commit f553fb0
#: added ``ce_risk``, ``network_exponents`` and ``penalty_view``); its target 1 asks for
#: these cold in <= :data:`FILING_TARGET_S` together and for every figure in
#: <= :data:`COLD_TARGET_S`.  Some of them have grown since (``bayes_classification`` samples
#: under two hyperpriors since issue 12: twelve NUTS runs where six)
FILING_FIGURES = tuple(
    "prior_equivalence linear_risk linear_lambda_star rf_risk rf_lambda_star rf_double_descent "
    "bayes_widths bayes_kappa bayes_classification diagnostics training_transfer "
    "gradient_view".split()
)
FILING_TARGET_S = 400.0
COLD_TARGET_S = 1200.0


def figure_times(log: str) -> dict[str, float]:
    """Each figure's wall time (s) in the log of a ``python -m figures`` run that made the
    figures in worker processes (its ``[done] NAME in T s`` lines, :mod:`figures._parallel`;
    ``tests/test_figures_parallel.py`` parses a real run's log with it)."""
    return {
        m[1]: float(m[2]) for m in re.finditer(r"^\[done\] (\w+) in ([0-9.]+) s", log, re.MULTILINE)
    }


def _cold_rows(full: float, log: str, how: str) -> list[dict]:
    """A full run against issue 17's two targets, from its log.  Only a run that made every
    figure is judged; one that refilled the stale part of the project cache is reported as
    such, without targets."""
    from figures import FIGURES

    times = figure_times(log)
    each = ", ".join(f"{n} {t:.1f}" for n, t in sorted(times.items(), key=lambda x: -x[1]))
    if set(times) != set(FIGURES):
        return [
            {
                "metric": f"python -m figures, {len(times) or 'some'} stale figure(s) made",
                "value": full,
                "unit": "s",
                "note": f"{how}; not a cold run, so no target; figures (s): "
                + (each or "one, made in process"),
            }
        ]
    return [
        {
            "metric": "python -m figures (cold cache)",
            "value": full,
            "unit": "s",
            "target": f"<= {COLD_TARGET_S:g} s",
            "note": f"{how}; {len(times)} figures (s): {each}",
        },
        {
            "metric": f"the same, the {len(FILING_FIGURES)} figures of issue 17's filing",
            "value": sum(times[n] for n in FILING_FIGURES),
            "unit": "s",
            "target": f"<= {FILING_TARGET_S:g} s",
            "note": "sum of their times in that run: " + ", ".join(FILING_FIGURES),
        },
    ]


#: XLA's own defaults of the options that ``--quick`` changes (bayes.XLA_FAST_COMPILE_FLAGS);
#: a flag already in ``XLA_FLAGS`` keeps its value, so these undo ``fast_compile``
XLA_DEFAULTS = "--xla_cpu_use_fusion_emitters=true --xla_backend_optimization_level=3"


def _timed(
    args: list[str],
    cache: str | None,
    log: list[str] | None = None,
    xla_flags: str = "",
    generated: str | None = None,
) -> float:
    """Wall time of ``python -m figures ARGS``; its stderr goes to ours as it happens and,
    with ``log``, is also collected there.  ``xla_flags`` go last in the child's
    ``XLA_FLAGS`` (XLA takes a flag's last value); ``generated`` is its generated-LaTeX
    directory (default: the paper's).  No persistent compilation cache: every run compiles
    what it runs."""
    env = {k: v for k, v in os.environ.items() if k != "L2SCALE_JAX_CACHE_DIR"}
    if cache is not None:
        env["L2SCALE_CACHE_DIR"] = cache
    if generated is not None:
        env["L2SCALE_GENERATED_DIR"] = generated
    if xla_flags:
        env["XLA_FLAGS"] = f"{env.get('XLA_FLAGS', '')} {xla_flags}".strip()
    t0 = time.perf_counter()
    with subprocess.Popen(
        [sys.executable, "-m", "figures", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=None if log is None else subprocess.PIPE,
        text=True,
    ) as child:
        lines = []
        for line in child.stderr or ():
            sys.stderr.write(line)
            lines.append(line)
    elapsed = time.perf_counter() - t0
    if child.returncode:
        raise subprocess.CalledProcessError(child.returncode, child.args)
    if log is not None:
        log.append("".join(lines))
    return elapsed


def _noop_rows(names: tuple[str, ...] = ()) -> list[dict]:
    """Quick run cold, then the no-op re-run against the redraw-everything baseline (of the
    figures ``names``; all by default)."""
    with tempfile.TemporaryDirectory() as tmp:
        cache, out = str(Path(tmp) / "cache1"), str(Path(tmp) / "out1")
        one_job = _timed(["--quick", "--jobs", "1", "--out", out, *names], cache)
    with tempfile.TemporaryDirectory() as tmp:
        cache, out = str(Path(tmp) / "cache0"), str(Path(tmp) / "out0")
        default_xla = _timed(["--quick", "--out", out, *names], cache, xla_flags=XLA_DEFAULTS)
    with tempfile.TemporaryDirectory() as tmp:
        cache, out = str(Path(tmp) / "cache"), str(Path(tmp) / "out")
        args = ["--quick", "--out", out, *names]
        quick_log: list[str] = []
        quick = _timed(args, cache, quick_log)
        logs: list[str] = []
        noop = _timed(args, cache, logs)
        for stamp in Path(out).glob("*.stamp.json"):
            stamp.unlink()
        redraw = _timed(args, cache, logs)
        noop_again = _timed(args, cache, logs)
    n_figures = len(re.findall(r"^\[\d+/\d+\] ", logs[0], flags=re.MULTILINE))
    assert n_figures > 0, "the no-op run made no figure"
    for label, log in zip(("no-op", "redraw", "no-op after redraw"), logs, strict=True):
        assert "computed in" not in log, f"the {label} run recomputed a figure"
    for label, log in (("no-op", logs[0]), ("no-op after redraw", logs[2])):
        assert log.count("up to date") == n_figures, f"the {label} run redrew a figure"
    return [
        {
            "metric": f"python -m figures --quick (cold cache, --jobs {usable_cores()})",
            "value": quick,
            "unit": "s",
            "baseline": one_job,
            "ratio": one_job / quick,
            "target": "<= 60 s",
            "note": "baseline: --jobs 1 (the figures in turn in one process), same run",
        },
        {
            "metric": f"the same, fast compilation vs XLA's defaults (--jobs {usable_cores()})",
            "value": quick,
            "unit": "s",
            "baseline": default_xla,
            "ratio": default_xla / quick,
            "note": f"baseline: XLA_FLAGS={XLA_DEFAULTS} (what --quick ran with before "
            "bayes.setup(fast_compile=True)), same run",
        },
        {"metric": "peak RSS, quick run", "value": logged_peak_mb(quick_log[0]), "unit": "MB"},
        {
            "metric": "python -m figures --quick, no-op (everything current)",
            "value": min(noop, noop_again),
            "unit": "s",
            "baseline": redraw,
            "ratio": redraw / min(noop, noop_again),
            "target": "<= 5 s",
            "note": f"{n_figures} figures, none computed or drawn (best of 2: "
            f"{noop:.1f}, {noop_again:.1f} s); baseline: drawing stamps removed, every "
            "result loaded and redrawn (what every re-run did before issue 17)",
        },
    ]


def logged_peak_mb(log: str) -> float | None:
    """The largest "peak RSS so far N MB" that the figure processes of ``log`` reported
    (:func:`figures._registry.compute_cached`); None if the run computed nothing."""
    peaks = [float(m) for m in re.findall(r"peak RSS so far (\d+) MB", log)]
    return max(peaks) if peaks else None


def run() -> list[dict]:
    rows = _noop_rows()
    cold: list[dict] = []
    full, full_log = None, ""
    if os.environ.get("L2SCALE_BENCH_FULL_COLD") == "1":
        logs: list[str] = []
        # everything temporary: with the project's outputs current, an empty cache alone
        # would only make what is stale (and `summary` would compute the rest it reads)
        with tempfile.TemporaryDirectory() as tmp:
            full = _timed(
                ["--out", str(Path(tmp) / "out")],
                str(Path(tmp) / "cache"),
                logs,
                generated=str(Path(tmp) / "generated"),
            )
        full_log = logs[0]
        cold = _cold_rows(
            full, full_log, "empty temporary cache, output and generated-LaTeX directories"
        )
    logs = []
    rerun = _timed([], None, logs)
    if rerun > 120:  # some of the project's figures were stale: time the hit again
        if full is None:
            full, full_log = rerun, logs[0]
            cold = _cold_rows(
                full, full_log, "the project's figures were stale: this run made them"
            )
        rerun = _timed([], None)
    if full is None:
        cold = [
            {
                "metric": "python -m figures (cold cache)",
                "value": None,
                "unit": "s",
                "note": "not run: set L2SCALE_BENCH_FULL_COLD=1 (about 20 min)",
            }
        ]
    rows += cold
    row = {
        "metric": "python -m figures re-run (project cache, no-op if current)",
        "value": rerun,
        "unit": "s",
    }
    if full:
        row.update(baseline=full, ratio=full / rerun, note="ratio = the full run above / re-run")
    rows.append(row)
    rows.append(
        {
            "metric": "peak RSS, largest figure process",
            "value": logged_peak_mb(full_log) if full_log else None,
            "unit": "MB",
            "note": "of the full run above" if full_log else "no full run",
        }
    )
    return rows
