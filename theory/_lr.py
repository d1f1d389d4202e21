"""Learning-rate width exponents per layer kind: μP (Tensor Programs IV/V) or fixed.

A private home for the table that :mod:`theory.transfer` (global λ rules) and
:mod:`theory._transfer_model` (per-tensor rules) both read; the public door is
:mod:`theory.transfer`, which re-exports everything here (and lists it in its
``__all__``; this private module keeps no list of its own).
"""

from __future__ import annotations

import sympy as sp

from theory.checks import check_choice
from theory.parametrization import PARAMETRIZATIONS, READOUT_EXPONENT

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


def mup_lr_exponent_expr(parametrization: str, optimizer: str, layer: str) -> sp.Rational:
    """Width exponent of the μP learning rate of ``layer`` in ``parametrization``'s own weights.

    For ``W = k·B`` a step of SGD on ``W`` equals one on ``B`` when ``η_W = k² η_B``, and
    (Adam's step being invariant to the gradient's scale) one of Adam when ``η_W = k η_B``.
    ``optimizer`` is ``"sgd"`` or ``"adam"`` (either AdamW variant).  In the standard
    parametrization this is Tensor Programs V Table 3 (SGD: ``η·fan_out``, ``η``,
    ``η/fan_in``; Adam: ``η``, ``η/fan_in``, ``η/fan_in``):

    >>> [mup_lr_exponent_expr("standard", o, k) for o in ("sgd", "adam") for k in LAYER_KINDS]
    [1, 0, -1, 0, -1, -1]
    >>> mup_lr_exponent_expr("ntk", "adam", "hidden")
    -1/2
    """
    check_choice("parametrization", parametrization, PARAMETRIZATIONS)
    check_choice("optimizer", optimizer, ("sgd", "adam"))
    check_choice("layer", layer, LAYER_KINDS)
    k = _weight_scale_exponent(parametrization, layer)
    return _MUP_MEAN_FIELD[optimizer][layer] + (2 if optimizer == "sgd" else 1) * k


def mup_lr_exponent(parametrization: str, optimizer: str, layer: str) -> float:
    """:func:`mup_lr_exponent_expr` as a float.

    >>> mup_lr_exponent("ntk", "adam", "hidden")
    -0.5
    """
    return float(mup_lr_exponent_expr(parametrization, optimizer, layer))


def lr_exponent_expr(
    parametrization: str, optimizer: str, layer: str, lr_scaling: str
) -> sp.Rational:
    """Width exponent of the learning rate of ``layer`` under ``lr_scaling`` (``"none"``: 0)."""
    check_choice("lr_scaling", lr_scaling, LR_SCALINGS)
    check_choice("optimizer", optimizer, OPTIMIZERS + ("adam",))
    family = "sgd" if optimizer == "sgd" else "adam"
    if lr_scaling == "none":
        check_choice("parametrization", parametrization, PARAMETRIZATIONS)
        check_choice("layer", layer, LAYER_KINDS)
        return sp.Integer(0)
    return mup_lr_exponent_expr(parametrization, family, layer)


def lr_exponent(parametrization: str, optimizer: str, layer: str, lr_scaling: str) -> float:
    """:func:`lr_exponent_expr` as a float (the factor ``P^e`` of :mod:`training.models`)."""
    return float(lr_exponent_expr(parametrization, optimizer, layer, lr_scaling))
