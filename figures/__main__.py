"""``python -m figures [NAME ...] [--quick] [--list] [--force]``: regenerate the paper's figures."""

from __future__ import annotations

import argparse
import sys
import time

import bayes  # noqa: F401  (one XLA host device per core, before any figure starts JAX)
from figures._paths import enable_jax_compilation_cache
from figures._registry import FIGURES, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m figures", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help="figures to make (default: all)")
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, into .cache/figures-quick/"
    )
    parser.add_argument("--list", action="store_true", help="list the figures and exit")
    parser.add_argument("--force", action="store_true", help="recompute even on a cache hit")
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
    names = args.names or list(FIGURES)
    enable_jax_compilation_cache()
    if not args.names and not args.quick:
        from theory._latex import write_generated

        print(f"writing {write_generated()}", file=sys.stderr)
    t0 = time.perf_counter()
    for i, name in enumerate(names, 1):
        print(f"[{i}/{len(names)}] {name}{' (quick)' if args.quick else ''}", file=sys.stderr)
        run(name, quick=args.quick, force=args.force)
    print(f"done: {len(names)} figure(s) in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
