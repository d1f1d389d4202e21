"""Performance harness: ``make bench`` runs every ``benchmarks/bench_*.py``.

Each benchmark module defines ``run() -> list[dict]``; a row has ``metric``,
``value``, ``unit`` and optionally ``baseline`` (the same work done the
straightforward way, in the same process), ``ratio`` and ``target``/``note``.
Results accumulate in ``benchmarks/results.json`` (one entry per module, so a
partial run updates only its rows) and are rendered to ``benchmarks/results.md``
with the machine, library versions and date.
"""
