r"""Carry a tuned L2 strength λ from one width to another: the rule, for three optimizers.

Conventions (DESIGN §2): the objective is ``(1/N) Σ_i ℓ_i + λ R(w)`` with
``R_sum = Σ_j w_j²`` or ``R_mean = (1/P) Σ_j w_j²`` (no factor ½).  The readout of
width ``P`` is ``f = P^(-c) Σ_j a_j φ_j`` (c = 0 standard, ½ NTK, 1 mean-field), and
``P`` in the mean normalization is the number of readout weights per output, i.e.
the width.  A rule is a width exponent ``e``: ``λ(P_to) = λ(P_from) · (P_to/P_from)^e``.

How λ enters each optimizer (the same λ number means the same step at the base width):

* ``sgd`` -- L2 in the loss (equivalently coupled ``weight_decay = 2 λ_sum`` on the
  mean loss, :func:`theory.prior.to_sgd_weight_decay`), with or without momentum.
  Its fixed points are the stationary points of the regularized objective, so the
  exact change of variables of :mod:`theory.parametrization` applies: ``e`` is
  :func:`~theory.parametrization.width_exponent` whatever the learning rates.
  **Derived** (valid whenever the NTK-scaled λ* converges with width).
* ``adamw-coupled`` -- PyTorch/optax ``AdamW``: ``w ← w − η_l (adam_l + wd·w)`` with
  ``wd = 2 λ_sum``.  The decay is outside Adam's normalization, so the stationary
  point is no minimizer of a fixed objective; the per-step shrink factor
  ``1 − η_l wd`` is invariant to rescaling a weight, so the natural thing to hold
  fixed is the timescale ``τ = 1/(η_l wd)`` (Wang & Aitchison 2025, arXiv 2405.13698;
  microsoft/mup's ``MuAdamW`` multiplies weight decay by the width multiplier).
  With μP learning rates ``η_readout ∝ P^(c−1)`` this gives ``e_sum = 1 − c``; with
  width-independent learning rates ``e_sum = 0``.  **Heuristic, supported only by
  experiment** (``training/``, figure ``training_transfer``), not by a derivation.
* ``adamw-independent`` -- decay not multiplied by the (width-scaled) learning rate:
  ``w ← w − η_l adam_l − 2 η_0 λ_sum w`` with ``η_0`` the base learning rate (the
  "independent" decay of Wortsman et al. 2023).  Holding ``τ`` fixed gives
  ``e_sum = 0``.  **Heuristic, experiment only.**

For the readout rule and both AdamW rules ``e_mean = e_sum + 1`` (``λ_mean = P λ_sum``,
P = width); with every weight penalized under ``sgd`` the mean is over all weights (below).

Which weights are penalized matters for ``sgd``.  ``penalized="readout"`` is the
readout theory above (features fixed, or only the readout penalized); ``depth`` is
accepted (and validated) but does not change it.  With ``penalized="all"`` every weight
of a bias-free ReLU network with ``depth`` hidden layers (``L = depth + 1`` weight
matrices, multipliers ``m_l ∝ P^(-a_l)`` of :mod:`training.models`) is penalized, and
:mod:`theory.networks` derives the rule: ``V_l = M^(1/L) W_l`` (``M = Π_l m_l``) maps the
objective at λ exactly onto the multiplier-free network at ``λ M^(-2/L)``, so the *global
minimizer* keeps its function when ``λ_sum ∝ M^(2/L)``:
``e_sum = -(2/L) Σ_l a_l`` = 0 (standard), ``-depth/(depth+1)`` (NTK: -1/2, -2/3, -3/4, …),
-1 (mean-field/μP).  ``"mean"`` then divides by all ``P_total`` weights of the network,
``∝ P`` for one hidden layer and ``∝ P²`` for two or more: ``e_mean = e_sum + 1`` or
``+ 2`` (for ``depth ≥ 2`` the leading power: exact for widths ≫ input dim + outputs;
otherwise convert with the exact counts, :func:`theory.prior.to_sum`).  This is a
statement about the global minimizer, valid whenever the multiplier-free λ* converges with
width, not about what gradient descent reaches in a fixed number of steps; the
experiment (figure ``training_transfer``) checks the latter.  For the AdamW rules
``depth`` is validated and does not enter.

The μP learning rates (Yang & Hu 2021, *Tensor Programs IV*, Table 3; Yang et al.
2022, *Tensor Programs V*, Table 3) are tabulated by :func:`mup_lr_exponent` for
each parametrization's own weights.

:func:`transfer_model` carries one tuned λ to every tensor of a model given its parameter
shapes at the two widths (per-tensor λ, the torch/optax ``weight_decay`` number and the rule;
defined in :mod:`theory._transfer_model`, whose docstring tabulates the rules and compares
them with microsoft/mup's ``MuAdamW``); ``python -m theory.transfer model FROM.json TO.json``
is its command line.

Where the power law is wrong.  The readout rule holds once the NTK-scaled λ* has converged,
i.e. for ``P ≫ N``; below that its exponent is one less, and in between neither power law is
right.  Where the model is known -- ReLU random features on the Mei–Montanari task of
:mod:`theory.random_features` -- :func:`transfer_exact` carries λ by the exact ratio
``λ*(P_to)/λ*(P_from)`` instead, and reports what the power law would have cost in excess
risk; ``python -m theory.transfer ... --n-samples N --input-dim d --noise-var τ²`` is its
command line.

>>> t = transfer(1e-4, width_from=256, width_to=4096, parametrization="standard",
...              normalization="sum")
>>> t.lam, t.exponent, t.support
(0.0016, 1.0, 'derivation')
>>> transfer(1e-4, width_from=256, width_to=4096, parametrization="mean_field",
...          normalization="sum", optimizer="adamw-coupled", lr_scaling="mup").lam
0.0001
>>> transfer(1e-4, width_from=100, width_to=800, parametrization="ntk", normalization="sum",
...          penalized="all", depth=2).lam  # λ_sum ∝ P^(-2/3): 8^(-2/3) = 1/4
2.5e-05
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import NamedTuple

import numpy as np
import sympy as sp

from theory._lr import (  # defined there, re-exported here (the public door)
    LAYER_KINDS,
    LR_SCALINGS,
    OPTIMIZERS,
    lr_exponent,
    lr_exponent_expr,
    mup_lr_exponent,
    mup_lr_exponent_expr,
)
from theory._transfer_model import (  # defined there, re-exported here
    LAYOUTS,
    TENSOR_KINDS,
    ModelTransfer,
    TensorTransfer,
    model_main,
    transfer_model,
)
from theory._validate import (
    check_choice,
    check_int,
    check_positive,
    check_representable,
    check_width,
)
from theory.networks import lambda_exponent_expr
from theory.parametrization import (
    PARAMETRIZATIONS,
    transfer_lambda,
    width_exponent_expr,
)
from theory.prior import NORMALIZATIONS

__all__ = [
    "ANSWER",
    "OPTIMIZERS",
    "LR_SCALINGS",
    "LAYER_KINDS",
    "mup_lr_exponent_expr",
    "mup_lr_exponent",
    "lr_exponent_expr",
    "lr_exponent",
    "PENALIZED",
    "transfer_exponent_expr",
    "transfer_exponent",
    "Transfer",
    "transfer",
    "ExactTransfer",
    "transfer_exact",
    "TENSOR_KINDS",
    "LAYOUTS",
    "TensorTransfer",
    "ModelTransfer",
    "transfer_model",
    "main",
]


def transfer_exponent_expr(
    parametrization: str,
    normalization: str,
    optimizer: str = "sgd",
    lr_scaling: str = "none",
    penalized: str = "readout",
    depth: int = 1,
) -> sp.Rational:
    """The width exponent ``e`` of the rule ``λ ∝ P^e`` (see the module docstring), exact.

    ``depth`` is the number of hidden layers (an integer >= 1); it enters only with
    ``optimizer="sgd", penalized="all"`` (:func:`theory.networks.lambda_exponent_expr`).

    >>> [transfer_exponent_expr(p, "sum", "adamw-coupled", "mup") for p in PARAMETRIZATIONS]
    [1, 1/2, 0]
    >>> [transfer_exponent_expr(p, "sum", penalized="all") for p in PARAMETRIZATIONS]
    [0, -1/2, -1]
    >>> [transfer_exponent_expr("ntk", n, penalized="all", depth=3) for n in ("sum", "mean")]
    [-3/4, 5/4]
    """
    check_choice("parametrization", parametrization, PARAMETRIZATIONS)
    check_choice("normalization", normalization, NORMALIZATIONS)
    check_choice("optimizer", optimizer, OPTIMIZERS)
    check_choice("lr_scaling", lr_scaling, LR_SCALINGS)
    check_choice("penalized", penalized, PENALIZED)
    depth = check_int("depth", depth, minimum=1)
    if optimizer == "sgd" and penalized == "all":
        return lambda_exponent_expr(parametrization, normalization, depth=depth)
    if optimizer == "sgd":
        return width_exponent_expr(normalization, parametrization)
    if optimizer == "adamw-coupled":  # hold η_readout · wd fixed
        e_sum = -lr_exponent_expr(parametrization, optimizer, "readout", lr_scaling)
    else:  # independent: the shrink per step does not involve the scaled lr
        e_sum = sp.Integer(0)
    return e_sum + (1 if normalization == "mean" else 0)


def transfer_exponent(
    parametrization: str,
    normalization: str,
    optimizer: str = "sgd",
    lr_scaling: str = "none",
    penalized: str = "readout",
    depth: int = 1,
) -> float:
    """:func:`transfer_exponent_expr` as a float (same arguments).

    >>> [transfer_exponent("ntk", n, penalized="all", depth=2) for n in ("sum", "mean")]
    [-0.6666666666666666, 1.3333333333333333]
    """
    return float(
        transfer_exponent_expr(
            parametrization, normalization, optimizer, lr_scaling, penalized, depth
        )
    )


PENALIZED = ("readout", "all")


class Transfer(NamedTuple):
    """A transferred λ with the rule that produced it."""

    lam: float | np.ndarray
    exponent: float  #: the exact value is in ``rule`` and :func:`transfer_exponent_expr`
    rule: str
    support: str  # "derivation" or "experiment"
    note: str


def _layers_text(depth: int) -> str:
    hidden = "one hidden layer" if depth == 1 else f"{depth} hidden layers"
    return f"depth {depth} ({hidden}, L = {depth + 1} weight matrices)"


def _rule_text(parametrization, normalization, optimizer, lr_scaling, penalized, depth, e) -> str:
    name = f"lambda_{normalization}"
    if optimizer == "sgd" and penalized == "all":
        total = "all weights, P_total ∝ " + ("P" if depth == 1 else "P^2")
        why = (
            f"keeps lambda * M^(-2/L) (M = prod_l m_l), the lambda of the multiplier-free "
            f"network, fixed: global minimizer, {_layers_text(depth)}, every weight penalized"
            + (f", mean over {total}" if normalization == "mean" else "")
        )
    elif optimizer == "sgd":
        why = "keeps the function-space prior fixed (exact change of variables to NTK + sum)"
    elif optimizer == "adamw-coupled":
        why = (
            "keeps the decay timescale 1/(lr_readout * wd) fixed, lr_readout ∝ "
            f"P^{lr_exponent_expr(parametrization, optimizer, 'readout', lr_scaling)} ({lr_scaling})"
        )
    else:
        why = "keeps the per-step shrink 2*lr_0*lambda_sum fixed (decay independent of lr)"
    power = f"{e}" if e.is_integer else f"({e})"
    return f"{name} ∝ P^{power}: {why}"


def _check_representable(value, lam, width_from, width_to) -> None:
    """A finite, nonzero float64 result from finite input, or a ValueError naming the inputs."""
    inputs = {"lam": lam, "width_from": width_from, "width_to": width_to}
    check_representable(value, what="transferred lambda", inputs=inputs, positive=True)


def transfer(
    lam,
    *,
    width_from,
    width_to,
    parametrization: str,
    normalization: str,
    optimizer: str = "sgd",
    lr_scaling: str = "none",
    penalized: str = "readout",
    depth: int = 1,
) -> Transfer:
    """λ at ``width_to`` for a λ tuned at ``width_from``; ``lam`` and widths must be > 0.

    For ``optimizer="sgd"`` and ``penalized="readout"`` the number is exactly
    :func:`theory.parametrization.transfer_lambda`.  ``depth`` (hidden layers, integer
    >= 1) matters only with ``penalized="all"``.  Vectorized over ``lam`` and widths.

    >>> transfer(2e-3, width_from=64, width_to=1024, parametrization="ntk",
    ...          normalization="mean", optimizer="adamw-independent").rule
    'lambda_mean ∝ P^1: keeps the per-step shrink 2*lr_0*lambda_sum fixed (decay independent of lr)'
    """
    lam_in, from_in, to_in = lam, width_from, width_to
    lam = check_positive("lam", lam)
    width_from = check_width("width_from", width_from)
    width_to = check_width("width_to", width_to)
    e = transfer_exponent_expr(
        parametrization, normalization, optimizer, lr_scaling, penalized, depth
    )
    depth = int(depth)
    # λ ∝ P^e (the SGD readout rule below uses transfer_lambda itself, the same power law);
    # an over- or underflow on the way is reported by _check_representable, not warned about
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        value = lam * (width_to / width_from) ** float(e)
    _check_representable(value, lam_in, from_in, to_in)
    value = float(value) if np.ndim(value) == 0 else value
    if optimizer == "sgd" and penalized == "all":
        support = "derivation"
        note = (
            f"exact for the global minimizer of a bias-free ReLU network of {_layers_text(depth)}"
            " with every weight penalized, whenever the multiplier-free lambda* converges "
            "with width (rescaling argument, theory.networks); no statement about what "
            "gradient descent reaches in a fixed number of steps: training to stationarity "
            "and at a fixed budget is measured in figure network_exponents"
            + (
                "; the mean uses P_total ∝ P^2, exact only for widths >> input dim + outputs"
                if normalization == "mean" and depth > 1
                else ""
            )
        )
    elif optimizer == "sgd":
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            value = transfer_lambda(
                lam,
                width_from=width_from,
                width_to=width_to,
                parametrization=parametrization,
                normalization=normalization,
            )
        support = "derivation"
        note = (
            "exact for the minimizer of the regularized objective if the NTK-scaled "
            "lambda* converges with width (theory.parametrization); the learning rates "
            "do not enter"
        )
    else:
        support = "experiment"
        note = (
            "supported only by experiment (training/, figure training_transfer), not by "
            "a derivation: decoupled decay is not an L2 term of any fixed objective, and "
            "one global lambda cannot keep every layer's timescale fixed (MuAdamW scales "
            "the decay per tensor); check the measured exponents before relying on it"
        )
    _check_representable(value, lam_in, from_in, to_in)
    rule = _rule_text(parametrization, normalization, optimizer, lr_scaling, penalized, depth, e)
    return Transfer(value, float(e), rule, support, note)


class ExactTransfer(NamedTuple):
    """λ carried by the exact λ*(P) of a known readout model, beside the power law's λ."""

    lam: float  #: ``lam * lam_star_to / lam_star_from``
    lam_star_from: float  #: the model's λ* at ``width_from`` (in the caller's convention)
    lam_star_to: float
    power_law_lam: float  #: what :func:`transfer` (the readout rule) gives
    power_law_cost: float  #: excess risk at ``width_to`` with the carried λ*(from), relative
    #: to the tuned one, minus 1 (0.06 = 6 % more excess risk)
    rule: str
    support: str  # "derivation"
    note: str


def transfer_exact(
    lam,
    *,
    width_from,
    width_to,
    parametrization: str,
    normalization: str,
    n_samples,
    input_dim,
    noise_var,
    signal_var=1.0,
    nonlinear_var=0.0,
) -> ExactTransfer:
    """λ at ``width_to`` from the *exact* λ*(P) of ReLU random-features ridge (only the readout
    penalized), not a power law: ``lam · λ*(width_to)/λ*(width_from)``.

    The model is that of :mod:`theory.random_features` (``n_samples`` N, ``input_dim`` d,
    ``signal_var`` F1², ``noise_var`` τ², ``nonlinear_var`` F*²; asymptotic in N, P, d at
    fixed ratios).  ``lam`` may be any λ tuned at ``width_from`` in the convention
    (``parametrization``, ``normalization``); the model supplies only the ratio, which is the
    same in every convention up to the convention's own power of P.  ``power_law_cost`` is
    what the readout rule (:func:`transfer`) would cost on the model itself: the excess risk
    at ``width_to`` with λ*(``width_from``) carried by the power law, over the tuned risk, − 1.

    Raises ``ValueError`` where λ*(``width_from``) is 0 (interpolation optimal there: no
    ratio exists) or a result leaves float64, and the ``RuntimeError`` of
    :func:`theory.random_features.solve_chi` where its fixed point does not converge (extreme
    sizes), each naming the arguments.  Scalars only.

    >>> t = transfer_exact(1e-3, width_from=300, width_to=3000, parametrization="ntk",
    ...                    normalization="sum", n_samples=300, input_dim=100, noise_var=1.0)
    >>> round(t.lam / 1e-3, 3), t.power_law_lam, round(t.power_law_cost, 3)
    (0.523, 0.001, 0.062)
    """
    from theory.random_features import asymptotic_risk, optimal_lambda, tuned_risk

    lam_in, from_in, to_in = lam, width_from, width_to
    if any(np.ndim(v) for v in (lam_in, from_in, to_in)):
        raise ValueError("lam, width_from and width_to must be scalars for transfer_exact")
    for name, v in (("n_samples", n_samples), ("input_dim", input_dim), ("noise_var", noise_var),
                    ("signal_var", signal_var), ("nonlinear_var", nonlinear_var)):  # fmt: skip
        if np.ndim(v):
            raise ValueError(f"{name} must be one number for transfer_exact, got {v!r}")
    lam = float(check_positive("lam", lam))
    width_from = float(check_width("width_from", width_from))
    width_to = float(check_width("width_to", width_to))
    check_choice("parametrization", parametrization, PARAMETRIZATIONS)
    check_choice("normalization", normalization, NORMALIZATIONS)
    model = dict(
        n_samples=n_samples,
        input_dim=input_dim,
        noise_var=noise_var,
        signal_var=signal_var,
        nonlinear_var=nonlinear_var,
    )
    conv = dict(parametrization=parametrization, normalization=normalization)

    def at_width(name, fn, *args, **kw):
        """``fn(..., n_features=width)``; its errors name the width as this call spells it."""
        try:
            return float(fn(*args, **kw))
        except (ValueError, RuntimeError) as exc:
            raise type(exc)(str(exc).replace("n_features", name)) from exc

    star_from = at_width("width_from", optimal_lambda, n_features=width_from, **model, **conv)
    star_to = at_width("width_to", optimal_lambda, n_features=width_to, **model, **conv)
    if star_from == 0.0:
        raise ValueError(
            f"lambda* is 0 at width_from={from_in!r} (interpolation is optimal there), so no "
            "ratio lambda*(width_to)/lambda*(width_from) exists; tune at another width"
        )
    value = lam * star_to / star_from
    if star_to > 0.0:
        _check_representable(value, lam_in, from_in, to_in)
    power = transfer(lam, width_from=width_from, width_to=width_to, **conv)
    carried = transfer(star_from, width_from=width_from, width_to=width_to, **conv).lam
    risk = at_width("width_to", asymptotic_risk, carried, n_features=width_to, **model, **conv)
    tuned = at_width("width_to", tuned_risk, n_features=width_to, **model)
    inputs = {"lam": lam_in, "width_from": from_in, "width_to": to_in} | model
    # the tuned risk is > 0 at finite sizes: 0 is an underflow at the float64 limits
    check_representable(tuned, what="tuned risk at width_to", inputs=inputs, positive=True)
    cost = check_representable(risk / tuned - 1.0, what="power-law cost", inputs=inputs)
    ratio = width_to / width_from
    rule = (
        f"lambda_{normalization} ∝ lambda*(P) of ReLU random features (N={n_samples:g}, "
        f"d={input_dim:g}, noise_var={noise_var:g}, signal_var={signal_var:g}, "
        f"nonlinear_var={nonlinear_var:g}): x{star_to / star_from:.4g} over a width ratio "
        f"{ratio:.4g}, where the power law gives x{power.lam / lam:.4g}"
    )
    note = (
        "exact asymptotic optimum of random-features ridge (theory.random_features); the "
        f"power law lambda ∝ P^{power.exponent:g} would cost {100 * cost:+.1f}% excess risk "
        "on this model" + ("; lambda* is 0 at width_to: interpolate" if star_to == 0.0 else "")
    )
    return ExactTransfer(value, star_from, star_to, power.lam, cost, rule, "derivation", note)


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
    A mean over all P_total weights must grow: lambda_mean = P_total * lambda_sum.
    Exact for the minimizer of the objective (use --penalized all --depth H) and
    checked at stationarity; a short fixed step budget can prefer other exponents.
  only a readout penalized (ridge / random features / linear probe; the default here):
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
        default="readout",
        choices=PENALIZED,
        help="readout: only a readout penalized (readout theory, default); "
        "all: every weight of the network",
    )
    parser.add_argument(
        "--depth",
        type=int,
        default=1,
        help="number of hidden layers, an integer >= 1 (default: 1); "
        "changes the rule only with --penalized all and --optimizer sgd",
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
    model = (args.n_samples, args.input_dim, args.noise_var)
    if any(v is not None for v in model):
        return _exact_main(parser, args)
    try:
        t = transfer(
            args.lam,
            width_from=args.width_from,
            width_to=args.width_to,
            parametrization=args.parametrization,
            normalization=args.normalization,
            optimizer=args.optimizer,
            lr_scaling=args.lr_scaling,
            penalized=args.penalized,
            depth=args.depth,
        )
    except ValueError as exc:
        parser.error(str(exc))  # usage + message on stderr, exit status 2
    if args.json:
        record = {
            "lam": t.lam,
            "exponent": t.exponent,
            "exponent_exact": str(
                transfer_exponent_expr(
                    args.parametrization,
                    args.normalization,
                    args.optimizer,
                    args.lr_scaling,
                    args.penalized,
                    args.depth,
                )
            ),
            "rule": t.rule,
            "support": t.support,
            "note": t.note,
            "inputs": {k: v for k, v in vars(args).items() if k != "json"},
        }
        print(json.dumps(record, ensure_ascii=False, allow_nan=False))
    else:
        print(repr(t.lam))  # full precision: the shortest repr that round-trips
        print(f"rule: {t.rule}")
        print(f"support: {t.support} -- {t.note}")
    return 0


def _exact_main(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """The ``--n-samples/--input-dim/--noise-var`` branch of :func:`main`."""
    missing = [
        f"--{k.replace('_', '-')}"
        for k in ("n_samples", "input_dim", "noise_var")
        if getattr(args, k) is None
    ]
    if missing:
        parser.error(f"the exact lambda*(P) needs {', '.join(missing)} as well")
    if args.penalized != "readout" or args.optimizer != "sgd":
        parser.error(
            "the exact lambda*(P) is known for a penalized readout under L2 in the loss only "
            "(--penalized readout --optimizer sgd)"
        )
    try:
        t = transfer_exact(
            args.lam,
            width_from=args.width_from,
            width_to=args.width_to,
            parametrization=args.parametrization,
            normalization=args.normalization,
            n_samples=args.n_samples,
            input_dim=args.input_dim,
            noise_var=args.noise_var,
            signal_var=args.signal_var,
            nonlinear_var=args.nonlinear_var,
        )
    except ValueError as exc:
        parser.error(str(exc))
    if args.json:
        record = t._asdict() | {"inputs": {k: v for k, v in vars(args).items() if k != "json"}}
        print(json.dumps(record, ensure_ascii=False, allow_nan=False))
    else:
        print(repr(t.lam))
        print(f"rule: {t.rule}")
        print(f"support: {t.support} -- {t.note}")
        print(f"power law: {t.power_law_lam!r} ({100 * t.power_law_cost:+.1f}% excess risk)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
