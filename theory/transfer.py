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

In every case ``e_mean = e_sum + 1`` (``λ_mean = P λ_sum``, P = width).

Which weights are penalized matters for ``sgd``.  ``penalized="readout"`` is the
readout theory above (features fixed, or only the readout penalized).  With
``penalized="all"`` (every weight of a bias-free one-hidden-layer ReLU network,
``f = m_2 Σ_j a_j relu(m_1 w_j·x)``), the rescaling ``(a_j, w_j) → (t a_j, w_j/t)``
leaves ``f`` unchanged, and minimizing ``λ (a_j² + ‖w_j‖²)`` over ``t`` gives
``2λ |a_j| ‖w_j‖`` (:func:`features_penalty_expr`): the objective of the *global
minimizer* in function space is ``CE(f) + (2λ/(m_1 m_2)) Σ_j |c_j|`` with
``f = Σ_j c_j relu(ŵ_j·x)``, a width-independent problem once P exceeds the units the
minimizer needs.  So λ must scale like ``m_1 m_2 ∝ P^(-c)``: ``e_sum = 0, -1/2, -1``
(standard, NTK, mean-field).  This is a statement about the global minimizer of one
hidden layer, not about what gradient descent reaches; the experiment supports it.

The μP learning rates (Yang & Hu 2021, *Tensor Programs IV*, Table 3; Yang et al.
2022, *Tensor Programs V*, Table 3) are tabulated by :func:`mup_lr_exponent` for
each parametrization's own weights.

>>> t = transfer(1e-4, width_from=256, width_to=4096, parametrization="standard",
...              normalization="sum")
>>> t.lam, t.exponent, t.support
(0.0016, 1, 'derivation')
>>> transfer(1e-4, width_from=256, width_to=4096, parametrization="mean_field",
...          normalization="sum", optimizer="adamw-coupled", lr_scaling="mup").lam
0.0001
"""

from __future__ import annotations

import argparse
import sys
from functools import cache
from typing import NamedTuple

import numpy as np
import sympy as sp

from theory import _symbols as S
from theory._latex import register
from theory._validate import check_choice, check_positive, check_width
from theory.parametrization import (
    PARAMETRIZATIONS,
    READOUT_EXPONENT,
    transfer_lambda,
    width_exponent,
)
from theory.prior import NORMALIZATIONS

__all__ = [
    "OPTIMIZERS",
    "LR_SCALINGS",
    "LAYER_KINDS",
    "mup_lr_exponent",
    "lr_exponent",
    "PENALIZED",
    "features_penalty_expr",
    "features_exponent_expr",
    "transfer_exponent",
    "Transfer",
    "transfer",
    "main",
]

OPTIMIZERS = ("sgd", "adamw-coupled", "adamw-independent")
LR_SCALINGS = ("none", "mup")
#: input layer (fan-in = input dimension, fixed), hidden (fan-in = width), readout
LAYER_KINDS = ("input", "hidden", "readout")

# μP written with the mean-field multipliers (input and hidden layers g/sqrt(fan_in),
# readout 1/P, all weights initialized N(0, 1)): the width exponents of the learning
# rates, derived from Tensor Programs IV/V Table 3 by the change of variables below.
_MUP_MEAN_FIELD = {
    "sgd": {"input": sp.Integer(1), "hidden": sp.Integer(1), "readout": sp.Integer(1)},
    "adam": {"input": sp.Integer(0), "hidden": sp.Rational(-1, 2), "readout": sp.Integer(0)},
}


def _weight_scale_exponent(parametrization: str, layer: str) -> sp.Rational:
    """Exponent of P in ``k`` with ``W_param = k · W_mean_field`` (same pre-activation).

    Multipliers: standard 1; NTK ``g/sqrt(fan_in)``; mean-field as NTK except the
    readout ``1/P``.  ``k`` is the ratio of the mean-field multiplier to this one.
    """
    if layer == "input":  # fan-in d does not grow with the width
        return sp.Integer(0)
    if layer == "hidden":
        return sp.Rational(-1, 2) if parametrization == "standard" else sp.Integer(0)
    return READOUT_EXPONENT[parametrization] - 1  # P^-1 / P^-c


def mup_lr_exponent(parametrization: str, optimizer: str, layer: str) -> sp.Rational:
    """Width exponent of the μP learning rate of ``layer`` in ``parametrization``'s own weights.

    For ``W = k·B`` a step of SGD on ``W`` equals one on ``B`` when ``η_W = k² η_B``, and
    (Adam's step being invariant to the gradient's scale) one of Adam when ``η_W = k η_B``.
    ``optimizer`` is ``"sgd"`` or ``"adam"`` (either AdamW variant).  In the standard
    parametrization this is Tensor Programs V Table 3 (SGD: ``η·fan_out``, ``η``,
    ``η/fan_in``; Adam: ``η``, ``η/fan_in``, ``η/fan_in``):

    >>> [mup_lr_exponent("standard", o, k) for o in ("sgd", "adam") for k in LAYER_KINDS]
    [1, 0, -1, 0, -1, -1]
    """
    check_choice("parametrization", parametrization, PARAMETRIZATIONS)
    check_choice("optimizer", optimizer, ("sgd", "adam"))
    check_choice("layer", layer, LAYER_KINDS)
    k = _weight_scale_exponent(parametrization, layer)
    return _MUP_MEAN_FIELD[optimizer][layer] + (2 if optimizer == "sgd" else 1) * k


def lr_exponent(parametrization: str, optimizer: str, layer: str, lr_scaling: str) -> sp.Rational:
    """Width exponent of the learning rate of ``layer`` under ``lr_scaling`` (``"none"``: 0)."""
    check_choice("lr_scaling", lr_scaling, LR_SCALINGS)
    check_choice("optimizer", optimizer, OPTIMIZERS + ("adam",))
    family = "sgd" if optimizer == "sgd" else "adam"
    if lr_scaling == "none":
        check_choice("parametrization", parametrization, PARAMETRIZATIONS)
        check_choice("layer", layer, LAYER_KINDS)
        return sp.Integer(0)
    return mup_lr_exponent(parametrization, family, layer)


def transfer_exponent(
    parametrization: str,
    normalization: str,
    optimizer: str = "sgd",
    lr_scaling: str = "none",
    penalized: str = "readout",
) -> sp.Rational:
    """The width exponent ``e`` of the rule ``λ ∝ P^e`` (see the module docstring).

    >>> [transfer_exponent(p, "sum", "adamw-coupled", "mup") for p in PARAMETRIZATIONS]
    [1, 1/2, 0]
    >>> [transfer_exponent(p, "sum", penalized="all") for p in PARAMETRIZATIONS]
    [0, -1/2, -1]
    """
    check_choice("parametrization", parametrization, PARAMETRIZATIONS)
    check_choice("normalization", normalization, NORMALIZATIONS)
    check_choice("optimizer", optimizer, OPTIMIZERS)
    check_choice("lr_scaling", lr_scaling, LR_SCALINGS)
    check_choice("penalized", penalized, PENALIZED)
    if optimizer == "sgd" and penalized == "all":
        e_sum = features_exponent_expr().subs(S.c, READOUT_EXPONENT[parametrization])
        return e_sum + (1 if normalization == "mean" else 0)
    if optimizer == "sgd":
        return width_exponent(parametrization, normalization)
    if optimizer == "adamw-coupled":  # hold η_readout · wd fixed
        e_sum = -lr_exponent(parametrization, optimizer, "readout", lr_scaling)
    else:  # independent: the shrink per step does not involve the scaled lr
        e_sum = sp.Integer(0)
    return e_sum + (1 if normalization == "mean" else 0)


PENALIZED = ("readout", "all")


@cache
def features_penalty_expr() -> sp.Expr:
    r"""``min_t λ((t a)² + (w/t)²)`` for one hidden unit: ``2 λ a w`` (a, w > 0 norms).

    >>> features_penalty_expr()
    2*a*lambda*w
    """
    a, w, t = sp.symbols("a w t", positive=True)
    penalty = S.lam * ((t * a) ** 2 + (w / t) ** 2)
    (t_star,) = sp.solve(sp.diff(penalty, t), t)
    return sp.simplify(penalty.subs(t, t_star))


@cache
def features_exponent_expr() -> sp.Expr:
    """Width exponent of λ_sum that keeps ``λ / (m_1 m_2)`` fixed, with ``m_2 = P^(-c)``.

    The input multiplier ``m_1`` (1 or ``g/sqrt(d)``) does not depend on the width.  The
    coefficient of the unit's function-space weight ``c_j = m_1 m_2 a_j ‖w_j‖`` in
    :func:`features_penalty_expr` is ``2λ/(m_1 m_2)``.

    >>> features_exponent_expr()
    -c
    """
    a, w, m1 = sp.symbols("a w m_1", positive=True)
    m2 = S.P ** (-S.c)
    coefficient = features_penalty_expr() / (m1 * m2 * a * w)  # per unit of |c_j|
    # λ(P) ∝ P^e keeps the coefficient fixed: solve d log(coefficient)/d log P = 0 for e
    e = sp.Symbol("e", real=True)
    scaled = coefficient.subs(S.lam, S.P**e)
    (sol,) = sp.solve(sp.Eq(sp.simplify(S.P * sp.diff(sp.log(scaled), S.P)), 0), e)
    return sol


class Transfer(NamedTuple):
    """A transferred λ with the rule that produced it."""

    lam: float | np.ndarray
    exponent: sp.Rational
    rule: str
    support: str  # "derivation" or "experiment"
    note: str


def _rule_text(parametrization, normalization, optimizer, lr_scaling, penalized, e) -> str:
    name = f"lambda_{normalization}"
    if optimizer == "sgd" and penalized == "all":
        why = (
            "keeps lambda/(m_1 m_2), the function-space penalty of the global minimizer, "
            "fixed (one hidden layer, every weight penalized)"
        )
    elif optimizer == "sgd":
        why = "keeps the function-space prior fixed (exact change of variables to NTK + sum)"
    elif optimizer == "adamw-coupled":
        why = (
            "keeps the decay timescale 1/(lr_readout * wd) fixed, lr_readout ∝ "
            f"P^{lr_exponent(parametrization, optimizer, 'readout', lr_scaling)} ({lr_scaling})"
        )
    else:
        why = "keeps the per-step shrink 2*lr_0*lambda_sum fixed (decay independent of lr)"
    return f"{name} ∝ P^{e}: {why}"


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
) -> Transfer:
    """λ at ``width_to`` for a λ tuned at ``width_from``; ``lam`` and widths must be > 0.

    For ``optimizer="sgd"`` the number is exactly
    :func:`theory.parametrization.transfer_lambda`.  Vectorized over ``lam`` and widths.

    >>> transfer(2e-3, width_from=64, width_to=1024, parametrization="ntk",
    ...          normalization="mean", optimizer="adamw-independent").rule
    'lambda_mean ∝ P^1: keeps the per-step shrink 2*lr_0*lambda_sum fixed (decay independent of lr)'
    """
    lam = check_positive("lam", lam)
    width_from = check_width("width_from", width_from)
    width_to = check_width("width_to", width_to)
    e = transfer_exponent(parametrization, normalization, optimizer, lr_scaling, penalized)
    value = lam * (width_to / width_from) ** float(e)  # λ ∝ P^e; the SGD readout rule below
    value = float(value) if np.ndim(value) == 0 else value  # uses transfer_lambda itself
    if optimizer == "sgd" and penalized == "all":
        support = "derivation"
        note = (
            "exact for the global minimizer of a bias-free one-hidden-layer ReLU network "
            "with every weight penalized (rescaling argument, features_penalty_expr); what "
            "gradient descent reaches is checked only by experiment (figure training_transfer)"
        )
    elif optimizer == "sgd":
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
    rule = _rule_text(parametrization, normalization, optimizer, lr_scaling, penalized, e)
    return Transfer(value, e, rule, support, note)


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


_NUMERIC = ("--lam", "--from-width", "--to-width")


def main(argv: list[str] | None = None) -> int:
    """``python -m theory.transfer --lam 1e-4 --from-width 256 --to-width 4096 ...``."""
    parser = argparse.ArgumentParser(
        prog="python -m theory.transfer",
        description="Carry an L2 strength lambda (loss (1/N) sum l + lambda R(w)) across widths.",
    )
    parser.add_argument("--lam", type=float, required=True, help="lambda tuned at --from-width")
    parser.add_argument("--from-width", type=float, required=True, dest="width_from")
    parser.add_argument("--to-width", type=float, required=True, dest="width_to")
    parser.add_argument("--parametrization", required=True, help=", ".join(PARAMETRIZATIONS))
    parser.add_argument("--normalization", required=True, help=", ".join(NORMALIZATIONS))
    parser.add_argument("--optimizer", default="sgd", help=", ".join(OPTIMIZERS))
    parser.add_argument("--lr-scaling", default="none", dest="lr_scaling", help="none, mup")
    parser.add_argument(
        "--penalized",
        default="readout",
        help="readout (readout theory, default) or all (every weight, one hidden layer)",
    )
    args = parser.parse_args(_join_negative_numbers(sys.argv[1:] if argv is None else argv))
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
        )
    except ValueError as exc:
        parser.error(str(exc))  # usage + message on stderr, exit status 2
    print(f"{t.lam:.6g}")
    print(f"rule: {t.rule}")
    print(f"support: {t.support} -- {t.note}")
    return 0


register("FeaturesPenalty", "penalty of one ReLU unit minimized over its rescaling")(
    lambda: f"\\min_t \\lambda (t^2 a^2 + w^2/t^2) = {sp.latex(features_penalty_expr())}"
)
register("FeaturesWidthExponent", "width exponent of lambda_sum, every weight penalized")(
    features_exponent_expr
)


if __name__ == "__main__":
    sys.exit(main())
