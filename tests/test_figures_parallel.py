"""figures._parallel: stale figures made several at a time, after what they read."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import figures
from benchmarks.bench_figures import FILING_FIGURES, figure_times
from figures import _cache, _parallel
from figures.__main__ import main
from figures._parallel import EXPECTED_SECONDS, FigureFailed, run_graph

# a diamond with a long branch: c waits on a and b; d on c; e is free
DEPENDS = {"c": ("a", "b"), "d": ("c",)}
COST = {"a": 1.0, "b": 5.0, "c": 1.0, "d": 1.0, "e": 6.0}


def _run(names, jobs, events, fail=()):
    """Run ``names`` on threads, each 20 ms (a failing one at once), appending ``(kind, name, running)`` to
    ``events`` (kind: start or end; running: the names running just after)."""
    lock, running = threading.Lock(), set()

    def task(name):
        with lock:
            running.add(name)
            events.append(("start", name, frozenset(running)))
        time.sleep(0 if name in fail else 0.02)
        with lock:
            running.discard(name)
            events.append(("end", name, frozenset(running)))
        if name in fail:
            raise RuntimeError(f"{name} broke")

    with ThreadPoolExecutor(4) as pool:
        run_graph(names, DEPENDS, COST, lambda n: pool.submit(task, n), jobs=jobs)


def _index(events, kind, name):
    return next(i for i, (k, n, _) in enumerate(events) if (k, n) == (kind, name))


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_each_runs_once_after_what_it_reads_and_at_most_jobs_at_once(jobs):
    names, events = ["a", "b", "c", "d", "e"], []
    _run(names, jobs, events)
    for kind in ("start", "end"):
        assert sorted(n for k, n, _ in events if k == kind) == names
    for name, deps in DEPENDS.items():
        for dep in deps:
            assert _index(events, "end", dep) < _index(events, "start", name), (dep, name)
    assert max(len(running) for _, _, running in events) <= jobs


def test_the_longest_chain_starts_first():
    """b (5) + c + d (1 + 1) = 7 is ahead of e (6), which is ahead of a (1 + 1 + 1 = 3)."""
    events = []
    _run(["a", "b", "c", "d", "e"], 1, events)
    assert [n for k, n, _ in events if k == "start"] == ["b", "e", "a", "c", "d"]


def test_a_failure_stops_new_starts_lets_the_running_finish_and_names_the_figure():
    events = []
    with pytest.raises(FigureFailed, match="figure b failed: RuntimeError: b broke") as info:
        _run(["a", "b", "c", "d", "e"], 2, events, fail={"b"})
    assert info.value.name == "b"
    # b and e started together; e finished; after b failed nothing new started
    assert [(k, n) for k, n, _ in events if k == "start"] == [("start", "b"), ("start", "e")]
    assert {n for k, n, _ in events if k == "end"} == {"b", "e"}


def test_bad_jobs_and_cycles_are_value_errors():
    with pytest.raises(ValueError, match="jobs must be a positive integer"):
        run_graph(["a"], {}, {}, lambda n: None, jobs=0)
    with ThreadPoolExecutor(1) as pool, pytest.raises(ValueError, match="cycle among"):
        run_graph(["a", "b"], {"a": ("b",), "b": ("a",)}, {}, pool.submit, jobs=1)


def test_every_figure_has_an_expected_time():
    assert set(EXPECTED_SECONDS) == set(figures.FIGURES)
    assert _parallel.SHARED <= set(figures.FIGURES)


def test_the_benchmarks_twelve_filing_figures_are_figures():
    assert len(set(FILING_FIGURES)) == 12 and set(FILING_FIGURES) <= set(figures.FIGURES)


def test_quick_figures_on_two_workers(tmp_path):
    """``--jobs 2``: both workers' figures are written, the summary line counts all three."""
    out = subprocess.run(
        [sys.executable, "-m", "figures", "prior_equivalence", "rf_lambda_star", "linear_risk",
         "--quick", "--force", "--jobs", "2", "--out", str(tmp_path)],
        capture_output=True, text=True, check=False, cwd=_cache.ROOT,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stderr.count("[start ") == 3 and out.stderr.count("[done] ") == 3
    assert "done: 3 figure(s)" in out.stderr
    # make bench reads each figure's time from these lines (issue 17's cold targets)
    times = figure_times(out.stderr)
    assert set(times) == {"prior_equivalence", "rf_lambda_star", "linear_risk"}, out.stderr
    assert all(0 < t < 600 for t in times.values()), times
    for name in ("prior_equivalence", "rf_lambda_star", "linear_risk"):
        assert (tmp_path / f"{name}.pdf").exists() and (tmp_path / f"{name}.stamp.json").exists()


def test_jobs_must_be_positive(capsys):
    with pytest.raises(SystemExit) as info:
        main(["prior_equivalence", "--jobs", "0"])
    assert info.value.code == 2 and "--jobs must be a positive integer" in capsys.readouterr().err


def _pids(log_lines):
    """Figure name -> worker process id, from run_figures' ``[done] NAME in T s (process PID)``."""
    done = [line.split() for line in log_lines if line.startswith("[done] ")]
    return {words[1]: int(words[-1].rstrip(")")) for words in done}


def test_short_full_size_figures_share_a_process_the_others_get_their_own(tmp_path, monkeypatch):
    """At full size, the SHARED figures run in one long-lived worker (it saves a start-up
    each); any other figure gets a fresh process, while the shared one lives on.  The second
    run only redraws (its results are in the first's cache)."""

    monkeypatch.setenv("L2SCALE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("L2SCALE_GENERATED_DIR", str(tmp_path / "generated"))  # rf_risk.tex
    names = ["prior_equivalence", "rf_risk"]
    assert set(names) <= _parallel.SHARED
    pids = []
    for out, long in (("a", False), ("b", True)):
        if long:  # rf_risk no longer shared: its own process, prior_equivalence shared
            monkeypatch.setattr(_parallel, "SHARED", _parallel.SHARED - {"rf_risk"})
        lines: list[str] = []
        _parallel.run_figures(names, jobs=1, quick=False, force=False, out_dir=tmp_path / out,
                              depends={}, log=lines.append)  # fmt: skip
        pids.append(_pids(lines))
        assert set(pids[-1]) == set(names), lines
        assert all((tmp_path / out / f"{n}.pdf").exists() for n in names)
    assert (tmp_path / "generated" / "rf_risk.tex").exists()  # the workers read the override
    assert len(set(pids[0].values())) == 1  # shared
    assert len(set(pids[1].values())) == 2  # rf_risk in a fresh process of its own
