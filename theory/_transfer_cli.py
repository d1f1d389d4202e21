"""The command line of :mod:`theory.transfer`: ``python -m theory.transfer ...`` (one global
λ, :func:`main`) and ``python -m theory.transfer model FROM.json TO.json ...`` (per tensor)."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence

from theory._lr import LR_SCALINGS, OPTIMIZERS
from theory._transfer_model import LAYOUTS, _format_table, transfer_model
from theory._transfer_rule import PENALIZED, transfer, transfer_exact, transfer_exponent_expr
from theory.parametrization import PARAMETRIZATIONS
from theory.prior import NORMALIZATIONS


def _call(parser: argparse.ArgumentParser, fn: Callable, *args, **kwargs):
    """``fn(*args, **kwargs)``; a ``ValueError`` becomes usage + message on stderr, exit 2, its
    Python argument names spelled as the flags the user typed (``width_from`` → ``--from-width``).
    """
    try:
        return fn(*args, **kwargs)
    except ValueError as exc:
        parser.error(_as_flags(parser, str(exc)))


def _as_flags(parser: argparse.ArgumentParser, message: str) -> str:
    """``message`` with every option's ``dest`` that differs from its flag (``width_from``,
    ``n_samples``, ...) replaced by the flag; ``lam`` (``--lam``) and the positionals stay."""
    for action in parser._actions:  # argparse keeps no public list of its options
        flag = action.option_strings[-1] if action.option_strings else None
        if flag and flag.lstrip("-") != action.dest:
            message = re.sub(rf"(?<![\w-]){re.escape(action.dest)}\b", flag, message)
    return message


#: the arguments :func:`transfer` and :func:`transfer_exact` both take
_COMMON = ("width_from", "width_to", "parametrization", "normalization")
#: the rule's settings beyond them (:func:`transfer` and :func:`transfer_exponent_expr`)
_RULE = ("optimizer", "lr_scaling", "penalized", "depth")
#: the known readout model of :func:`transfer_exact`: the three that select it, then the rest
_MODEL = ("n_samples", "input_dim", "noise_var")
_MODEL_DEFAULTED = ("signal_var", "nonlinear_var")


def _picked(args: argparse.Namespace, *names: str) -> dict:
    """``{name: args.name}`` for ``names``: parsed options passed on as keywords."""
    return {k: getattr(args, k) for k in names}


def _print_json(record: dict, args: argparse.Namespace) -> None:
    """One JSON object: ``record`` and the parsed command line as ``inputs``."""
    inputs = {k: v for k, v in vars(args).items() if k != "json"}
    print(json.dumps(record | {"inputs": inputs}, ensure_ascii=False, allow_nan=False))


def _print_rule(t) -> None:
    print(repr(t.lam))  # full precision: the shortest repr that round-trips
    print(f"rule: {t.rule}")
    print(f"support: {t.support} -- {t.note}")


def _join_negative_numbers(argv: list[str]) -> list[str]:
    """``--lam -1e-4`` → ``--lam=-1e-4``: argparse reads ``-1e-4`` as an option, not a value."""
    out: list[str] = []
    for item in argv:
        if out and out[-1] in _NUMERIC and item.startswith("-"):
            try:
                float(item)
            except ValueError:
                pass
            else:
                out[-1] = f"{out[-1]}={item}"
                continue
        out.append(item)
    return out


_NUMERIC = ("--lam", "--from-width", "--to-width", "--depth", "--noise-var", "--signal-var")

#: the answer, in the words of the paper's first paragraph and the README's opening
ANSWER = """\
the answer (paper, first paragraph; README):
  every weight trained and penalized (the usual network, L2 in the loss, SGD/GD):
    standard parametrization: keep lambda_sum fixed as the width grows, at any depth;
    NTK: lambda_sum ∝ width^-(L-1)/L; muP / mean-field: lambda_sum ∝ 1/width.
    A mean over all P_total weights: lambda_mean = P_total * lambda_sum, so in the
    standard parametrization the mean's lambda must grow in proportion to P_total.
    Exact for the minimizer of the objective (use --penalized all --depth H) and
    checked at stationarity; a short fixed step budget can prefer other exponents.
  only a readout penalized (ridge / random features / linear probe; --penalized readout):
    lambda_sum ∝ P in the standard parametrization, for P >> N only; below that give
    --n-samples, --input-dim and --noise-var for the exact lambda*(P).
  AdamW (decoupled decay, no fixed objective): with muP learning rates hold
    lr_l * weight_decay_l fixed per tensor (python -m theory.transfer model ...);
    with one global learning rate, coupled weight_decay ∝ sqrt(width) (measured
    at a fixed budget).
"""


def main(argv: list[str] | None = None) -> int:
    """``python -m theory.transfer --lam 1e-4 --from-width 256 --to-width 4096 ...``.

    ``python -m theory.transfer model FROM.json TO.json --lam ... --parametrization ...
    --optimizer ... --layout ...`` runs :func:`transfer_model` on two JSON shape trees and
    prints a per-tensor table (``--json``: one object).
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["model"]:
        return model_main(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python -m theory.transfer",
        description="Carry an L2 strength lambda (loss (1/N) sum l + lambda R(w)) across widths.",
        epilog=ANSWER,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--lam", type=float, required=True, help="lambda tuned at --from-width")
    parser.add_argument("--from-width", type=float, required=True, dest="width_from")
    parser.add_argument("--to-width", type=float, required=True, dest="width_to")
    parser.add_argument("--parametrization", required=True, choices=PARAMETRIZATIONS)
    parser.add_argument("--normalization", required=True, choices=NORMALIZATIONS)
    parser.add_argument("--optimizer", default="sgd", choices=OPTIMIZERS, help="(default: sgd)")
    parser.add_argument(
        "--lr-scaling",
        default="none",
        dest="lr_scaling",
        choices=LR_SCALINGS,
        help="learning rates held fixed or scaled by muP (default: none)",
    )
    parser.add_argument(
        "--penalized",
        required=True,
        choices=PENALIZED,
        help="all: every weight of the network penalized (L2 on every weight, or AdamW decaying "
        "every weight: the usual case); readout: only a readout penalized, features fixed "
        "(random features, a linear probe).  Required: in the standard parametrization the "
        "two give lambda_sum fixed and lambda_sum ∝ P",
    )
    parser.add_argument(
        "--depth",
        type=int,
        default=1,
        help="number of hidden layers, an integer >= 1 (default: 1); "
        "enters the sum's rule only with --penalized all --optimizer sgd, and the mean's "
        "(through P_total) whenever --penalized all",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object instead of three lines"
    )
    exact = parser.add_argument_group(
        "exact lambda*(P) of a known readout model",
        "ReLU random features (theory.random_features), with --penalized readout --optimizer "
        "sgd: give --n-samples, --input-dim and --noise-var to carry lambda by "
        "lambda*(P_to)/lambda*(P_from) instead of the power law, which is wrong unless P >> N",
    )
    exact.add_argument("--n-samples", type=float, dest="n_samples", help="training points N")
    exact.add_argument("--input-dim", type=float, dest="input_dim", help="input dimension d")
    exact.add_argument("--noise-var", type=float, dest="noise_var", help="label noise tau^2")
    exact.add_argument(
        "--signal-var", type=float, default=1.0, dest="signal_var", help="F1^2 (default: 1)"
    )
    exact.add_argument(
        "--nonlinear-var",
        type=float,
        default=0.0,
        dest="nonlinear_var",
        help="F*^2 (default: 0)",
    )
    args = parser.parse_args(_join_negative_numbers(argv))
    if any(getattr(args, k) is not None for k in _MODEL):
        return _exact_main(parser, args)
    rule = _picked(args, *_RULE)
    t = _call(parser, transfer, args.lam, **_picked(args, *_COMMON), **rule)
    if args.json:
        exact = transfer_exponent_expr(args.parametrization, args.normalization, **rule)
        record = {"lam": t.lam, "exponent": t.exponent, "exponent_exact": str(exact)}
        _print_json(record | {"rule": t.rule, "support": t.support, "note": t.note}, args)
    else:
        _print_rule(t)
    return 0


def _exact_main(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """The ``--n-samples/--input-dim/--noise-var`` branch of :func:`main`."""
    missing = [f"--{k.replace('_', '-')}" for k in _MODEL if getattr(args, k) is None]
    if missing:
        parser.error(f"the exact lambda*(P) needs {', '.join(missing)} as well")
    if args.penalized != "readout" or args.optimizer != "sgd":
        parser.error(
            "the exact lambda*(P) is known for a penalized readout under L2 in the loss only "
            "(--penalized readout --optimizer sgd)"
        )
    model = _picked(args, *_COMMON, *_MODEL, *_MODEL_DEFAULTED)
    t = _call(parser, transfer_exact, args.lam, **model)
    if args.json:
        _print_json(t._asdict(), args)
    else:
        _print_rule(t)
        print(f"power law: {t.power_law_lam!r} ({100 * t.power_law_cost:+.1f}% excess risk)")
    return 0


def model_main(argv: Sequence[str]) -> int:
    """``python -m theory.transfer model FROM.json TO.json --lam ... --layout ...``."""
    parser = argparse.ArgumentParser(
        prog="python -m theory.transfer model",
        description="Per-tensor lambda and weight_decay at the target shapes (two JSON files "
        "of nested objects name -> shape list).",
    )
    parser.add_argument("shapes_from", help="JSON shape tree at the base width")
    parser.add_argument("shapes_to", help="JSON shape tree at the target width")
    parser.add_argument("--lam", type=float, required=True, help="global lambda tuned at base")
    parser.add_argument("--parametrization", required=True, choices=PARAMETRIZATIONS)
    parser.add_argument("--optimizer", required=True, choices=OPTIMIZERS)
    parser.add_argument(
        "--layout",
        required=True,
        choices=LAYOUTS,
        help="in_out: (..., fan_in, fan_out) as Flax kernels; out_in: torch nn.Linear",
    )
    parser.add_argument("--lr-scaling", default="none", dest="lr_scaling", choices=LR_SCALINGS)
    parser.add_argument("--normalization", default="sum", choices=NORMALIZATIONS)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(list(argv))
    trees = []
    for name in ("shapes_from", "shapes_to"):
        try:
            with open(getattr(args, name), encoding="utf-8") as f:
                trees.append(json.load(f))
        except (OSError, ValueError) as exc:
            parser.error(f"{name}: cannot read {getattr(args, name)!r}: {exc}")
    settings = ("lam", "parametrization", "optimizer", "layout", "lr_scaling", "normalization")
    t = _call(parser, transfer_model, *trees, **_picked(args, *settings))
    if args.json:
        record = {
            "tensors": {p: x._asdict() for p, x in t.tensors.items()},
            "n_params_from": t.n_params_from,
            "n_params_to": t.n_params_to,
        }
        _print_json(record, args)
    else:
        print(_format_table(t))
    return 0
