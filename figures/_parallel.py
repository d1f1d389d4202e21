"""Run stale figures on several processes at once (``python -m figures --jobs N``).

A figure starts when the figures it reads (``DEPENDS``) have finished, longest expected
first (:data:`EXPECTED_SECONDS`), at most ``jobs`` at a time.  At full size every figure
but the :data:`SHARED` ones gets a fresh process (``max_tasks_per_child=1``: XLA maps each
compiled program's code into its process, and twenty figures' programs in one exhausted
``vm.max_map_count``); the :data:`SHARED` ones, short and compiling few programs, share
long-lived processes, as every ``--quick`` figure does: that saves each one's start-up and
imports (about 3 s, most of a 4 s figure).
A figure that fails stops new ones from starting; those already running finish (their
results are cached and valid) and the failure is raised.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

__all__ = [
    "EXPECTED_SECONDS",
    "SHARED",
    "FigureFailed",
    "usable_cores",
    "run_graph",
    "run_figures",
]

#: wall seconds of each figure (full size in a process of its own except the :data:`SHARED`
#: ones, quick) on 2 idle cores, one figure at a time: full size from a fresh clone's cold
#: ``make figures`` (b365444, 2026-12-05), quick from 2026-12-03; used only to start the
#: longest first.  A figure missing here counts as :data:`UNKNOWN_SECONDS`.
EXPECTED_SECONDS: dict[str, tuple[float, float]] = {
    "prior_equivalence": (4.0, 1.4),
    "linear_risk": (9.1, 1.0),
    "linear_lambda_star": (8.8, 1.0),
    "rf_risk": (3.6, 2.3),
    "rf_lambda_star": (2.2, 2.0),
    "rf_double_descent": (5.6, 1.8),
    "ce_risk": (16.9, 6.7),
    "bayes_widths": (14.9, 9.7),
    "bayes_kappa": (29.7, 11.4),
    "bayes_classification": (125.3, 12.5),
    "bayes_fixed_task": (18.6, 11.4),
    "diagnostics": (54.5, 24.8),
    "training_transfer": (84.2, 5.6),
    "network_exponents": (335.2, 14.8),
    "adamw_rules": (142.7, 10.6),
    "data_size": (45.0, 17.0),
    "norm_layers": (38.1, 6.7),
    "penalty_view": (1.5, 1.2),
    "gradient_view": (15.6, 5.1),
    "summary": (1.1, 0.5),
}
UNKNOWN_SECONDS = (60.0, 10.0)
#: figures that at full size share long-lived worker processes instead of a fresh one each:
#: the six theory figures, ``ce_risk``, ``penalty_view`` and ``summary``, a handful of
#: compiled programs each.  Named, not chosen by :data:`EXPECTED_SECONDS`: ``bayes_widths``,
#: ``bayes_fixed_task`` and ``gradient_view`` now take under 20 s too, but compile a sampler
#: or a training sweep per setting, and the map count is what sharing must stay within
SHARED = frozenset(
    {
        "prior_equivalence",
        "linear_risk",
        "linear_lambda_star",
        "rf_risk",
        "rf_lambda_star",
        "rf_double_descent",
        "ce_risk",
        "penalty_view",
        "summary",
    }
)


def usable_cores() -> int:
    """CPU cores this process may run on (its affinity; ``os.cpu_count()`` where there is
    none, as on macOS), as :func:`bayes.setup` counts them."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


class FigureFailed(RuntimeError):
    """A figure's run raised (or its process died); ``name`` says which."""

    def __init__(self, name: str, cause: BaseException):
        super().__init__(f"figure {name} failed: {type(cause).__name__}: {cause}")
        self.name = name


def run_graph(
    names: Sequence[str],
    depends: Mapping[str, Sequence[str]],
    cost: Mapping[str, float],
    submit: Callable[[str], Future],
    *,
    jobs: int,
    on_start: Callable[[str], None] = lambda name: None,
    on_done: Callable[[str], None] = lambda name: None,
) -> None:
    """Submit each of ``names`` once the names it depends on (among ``names``) are done.

    At most ``jobs`` run at once; among those ready the one with the longest chain of
    ``cost`` ahead of it (its own and that of the longest path through what depends on it)
    starts first, ties in the order of ``names``.  On the first failure nothing new starts,
    the running ones are waited for, and :class:`FigureFailed` is raised for the first that
    failed.
    """
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise ValueError(f"jobs must be a positive integer, got {jobs!r}")
    todo = list(names)
    waiting_on = {n: set(depends.get(n, ())) & set(names) for n in names}
    ahead = _critical_path(names, waiting_on, cost)
    running: dict[Future, str] = {}
    failed: FigureFailed | None = None
    while todo or running:
        ready = [n for n in todo if not waiting_on[n]]
        while failed is None and ready and len(running) < jobs:
            name = max(ready, key=lambda n: (ahead[n], -names.index(n)))
            ready.remove(name)
            todo.remove(name)
            on_start(name)
            running[submit(name)] = name
        if not running:
            if failed is not None:
                raise failed
            raise ValueError(f"depends has a cycle among {sorted(todo)}")
        done, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in done:
            name = running.pop(future)
            exc = future.exception()
            if exc is not None:
                failed = failed or FigureFailed(name, exc)
                continue
            on_done(name)
            for n in todo:
                waiting_on[n].discard(name)
    if failed is not None:
        raise failed


def _critical_path(names, waiting_on, cost) -> dict[str, float]:
    """For each name, its cost plus the largest total cost of a chain of names that wait
    on it (cycles are left to :func:`run_graph` to report)."""
    ahead: dict[str, float] = {}

    def visit(name: str, path: frozenset) -> float:
        if name not in ahead:
            later = [n for n in names if name in waiting_on[n] and n not in path]
            ahead[name] = cost.get(name, 0.0) + max(
                (visit(n, path | {n}) for n in later), default=0.0
            )
        return ahead[name]

    for name in names:
        visit(name, frozenset({name}))
    return ahead


def _setup_worker(quick: bool) -> None:
    """What an entry point sets before JAX starts (``bayes.setup``, fast compilation for
    quick runs, as ``python -m figures`` does), in each worker."""
    import bayes
    from figures._paths import enable_jax_compilation_cache

    bayes.setup(fast_compile=quick)
    enable_jax_compilation_cache()


def _run_one(name: str, quick: bool, force: bool, out_dir: Path | None) -> int:
    """Make figure ``name`` in this worker; return the worker's process id."""
    from figures._registry import run

    run(name, quick=quick, force=force, out_dir=out_dir)
    return os.getpid()


def run_figures(
    names: Sequence[str],
    *,
    jobs: int,
    quick: bool,
    force: bool,
    out_dir: Path | None,
    depends: Mapping[str, Sequence[str]],
    log: Callable[[str], None] = lambda msg: print(msg, file=sys.stderr, flush=True),
) -> None:
    """Make ``names`` in ``min(jobs, len(names))`` worker processes (module docstring)."""
    cost = {n: EXPECTED_SECONDS.get(n, UNKNOWN_SECONDS)[int(quick)] for n in names}
    workers = min(jobs, len(names))
    context = multiprocessing.get_context("spawn")  # JAX is not fork-safe
    started: dict[str, float] = {}

    def on_start(name: str) -> None:
        started[name] = time.perf_counter()
        log(f"[start {len(started)}/{len(names)}] {name}{' (quick)' if quick else ''}")

    futures: dict[str, Future] = {}

    def on_done(name: str) -> None:
        pid = futures[name].result()
        log(f"[done] {name} in {time.perf_counter() - started[name]:.1f} s (process {pid})")

    shared = {n for n in names if quick or n in SHARED}

    def pool(max_tasks_per_child: int | None) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            workers,
            mp_context=context,
            initializer=_setup_worker,
            initargs=(quick,),
            max_tasks_per_child=max_tasks_per_child,
        )

    def submit(name: str) -> Future:
        try:
            futures[name] = (long_lived if name in shared else fresh).submit(
                _run_one, name, quick, force, out_dir
            )
        except BrokenProcessPool as exc:  # a worker of that pool died: fail this figure
            futures[name] = Future()
            futures[name].set_exception(exc)
        return futures[name]

    # a pool's processes start when it is first given work: none for an unused one
    with pool(None) as long_lived, pool(1) as fresh:
        run_graph(
            names,
            depends,
            cost,
            submit,
            jobs=workers,
            on_start=on_start,
            on_done=on_done,
        )
