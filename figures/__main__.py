"""``python -m figures [NAME ...] [--quick] [--force] [--jobs N] [--out DIR] [--list]``:
regenerate the paper's figures.

Only what is stale is redone: a figure whose outputs are current is neither computed nor
drawn, and when nothing is stale neither JAX nor the library is imported.  Stale figures are
made in worker processes, ``--jobs`` at a time, longest first, each after the figures it
reads (:mod:`figures._parallel`).  The default is one per core with ``--quick`` (compilation,
one core per figure, is most of a quick run: 183.5 s → 132.5 s on 2 cores) and 1 at full
size, where the large figures already use every core (NUTS chains and training lanes spread
over one XLA host device per core): paired on 2 cores, ``bayes_classification`` took 658 s
against 301 s alone, ``network_exponents`` 903 s against 445 s, and all twenty 1419 s
against 1448 s one at a time (timings of 2026-12-03).  At full size each figure but nine
short ones gets a process of its own (this one does not start JAX for them): XLA maps every
compiled program's code into the process, and twenty figures' programs in one process
exhausted the kernel's map count (``vm.max_map_count`` = 65530; "LLVM compilation error:
Cannot allocate memory" with 22 GB free, in the 17th figure of a cold run); the nine (theory,
cross-entropy, ``penalty_view``, ``summary``: :data:`figures._parallel.SHARED`) share one.
``--quick --jobs 1`` runs in this process.  ``--quick`` also asks XLA to compile fast
rather than well (``bayes.setup(fast_compile=True)``): 85.3 → 47.9 s for the twenty quick
figures on 2 workers; full-size runs keep XLA's defaults, under which their code runs
faster.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

from figures import _deps
from figures._parallel import usable_cores
from figures._paths import GENERATED_DIR, enable_jax_compilation_cache
from figures._registry import (
    FIGURES,
    dependencies,
    is_current,
    outputs_current,
    run,
    write_stamp,
)


def _theory_tex() -> tuple:
    """``(stamp, key, [theory.tex])`` of the paper's generated equations: keyed by every
    module that :func:`theory.latex.write_generated` reaches and the SymPy version."""
    from importlib.metadata import version

    modules = _deps.closure({"theory.latex": ["write_generated"]})
    key = hashlib.sha256(f"{_deps.digest(modules)}\0sympy={version('sympy')}".encode())
    return GENERATED_DIR / "theory.stamp.json", key.hexdigest()[:32], [GENERATED_DIR / "theory.tex"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m figures", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help="figures to make (default: all)")
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, into .cache/figures-quick/"
    )
    parser.add_argument("--list", action="store_true", help="list the figures and exit")
    parser.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="stale figures made at once, in worker processes (default: one per core with "
        "--quick, else 1: full-size figures already use every core)",
    )
    parser.add_argument(
        "--force", action="store_true", help="recompute and redraw even when up to date"
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="write the PDFs and PNGs into DIR (default: paper/figures, or .cache/figures-quick)",
    )
    args = parser.parse_args(argv)

    if args.list:
        print("\n".join(FIGURES))
        return 0
    unknown = [n for n in args.names if n not in FIGURES]
    if unknown:
        print(
            f"unknown figure(s): {', '.join(unknown)}; valid names: {', '.join(FIGURES)}",
            file=sys.stderr,
        )
        return 2
    if args.jobs is None:
        args.jobs = usable_cores() if args.quick else 1
    if args.jobs < 1:
        parser.error(f"--jobs must be a positive integer, got {args.jobs}")
    t0 = time.perf_counter()
    names = args.names or list(FIGURES)
    tex = _theory_tex() if not args.names and not args.quick else None
    tex_stale = tex is not None and (args.force or not outputs_current(*tex))
    stale = [
        n for n in names if args.force or not is_current(n, quick=args.quick, out_dir=args.out)
    ]
    # worker processes (module docstring) unless one quick process does it all
    pool = len(stale) > 1 and (args.jobs > 1 or not args.quick)
    if tex_stale or (stale and not pool):
        import bayes

        # one XLA host device per core and float64, before any figure starts JAX: bayes'
        # NUTS runs on float64 data only in x64 mode (theory asks for float64 itself;
        # training passes explicit dtypes); a quick run is mostly compilation, so it asks
        # XLA to compile fast (bayes.inference.XLA_FAST_COMPILE_FLAGS)
        bayes.setup(fast_compile=args.quick)
        enable_jax_compilation_cache()
    if tex_stale:
        from theory.latex import write_generated

        stamp, key, outputs = tex
        print(f"writing {write_generated(GENERATED_DIR)}", file=sys.stderr)
        write_stamp(stamp, key, outputs)
    for i, name in enumerate(names, 1):
        if pool and name in stale:
            continue
        print(f"[{i}/{len(names)}] {name}{' (quick)' if args.quick else ''}", file=sys.stderr)
        run(name, quick=args.quick, force=args.force, out_dir=args.out)
    if pool:
        from figures._parallel import FigureFailed, run_figures

        depends = {n: dependencies(n) for n in stale}
        try:
            run_figures(
                stale,
                jobs=args.jobs,
                quick=args.quick,
                force=args.force,
                out_dir=args.out,
                depends=depends,
            )
        except FigureFailed as exc:
            print(exc, file=sys.stderr)
            return 1
    print(f"done: {len(names)} figure(s) in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
