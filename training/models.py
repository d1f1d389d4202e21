r"""Bias-free ReLU MLPs in the standard, NTK and mean-field (μP) parametrizations.

Layer ``l = 1 … L+1`` (``L`` = ``depth`` hidden layers of ``width`` units) computes

.. math::  h_l = m_l\, x_{l-1} W_l, \qquad x_l = \mathrm{relu}(h_l), \qquad f = h_{L+1},
           \qquad (W_l)_{ij} \sim N(0, s_l^2) \text{ at initialization},

with ``x_0`` the input and ``f`` the logits.  There are no biases, so every
trainable parameter is a weight and every weight is penalized.  With ``g = sqrt 2``
for layers followed by a ReLU (He gain) and ``g = 1`` for the readout:

=============  ==========================  ==========================  ==================
layer          standard (m, s)             NTK (m, s)                  mean-field (m, s)
=============  ==========================  ==========================  ==================
input, hidden  ``1``, ``g/sqrt(fan_in)``   ``g/sqrt(fan_in)``, ``1``   as NTK
readout        ``1``, ``1/sqrt(P)``        ``1/sqrt(P)``, ``1``        ``1/P``, ``1``
=============  ==========================  ==========================  ==================

so the readout is ``f = P^(-c) Σ_j a_j φ_j`` with ``c`` of
:data:`theory.parametrization.READOUT_EXPONENT`.  Standard and NTK give the same
function at initialization; the mean-field readout starts ``sqrt(P)`` times
smaller.  The mean-field column with μP learning rates (:func:`lr_factors`,
SGD: every layer ``∝ P``) *is* μP (Yang & Hu 2021, Tensor Programs IV, Table 3,
written with these multipliers); the width exponents of the learning rates come
from :func:`theory.transfer.mup_lr_exponent`.

>>> layers = architecture(input_dim=64, width=256, depth=1, n_classes=10,
...                       parametrization="mean_field")
>>> [(l.kind, l.fan_in, l.fan_out, l.multiplier) for l in layers]
[('input', 64, 256, 0.1767766952966369), ('readout', 256, 10, 0.00390625)]
>>> n_penalized(layers)
18944
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import jax
import jax.numpy as jnp

from theory._validate import check_choice
from theory.parametrization import PARAMETRIZATIONS
from theory.transfer import lr_exponent

__all__ = [
    "Layer",
    "architecture",
    "n_penalized",
    "init_weights",
    "apply",
    "map_weights",
    "lr_factors",
]


class Layer(NamedTuple):
    """One weight matrix ``W`` (fan_in, fan_out) with forward multiplier and initial std."""

    kind: str  # "input", "hidden" or "readout"
    fan_in: int
    fan_out: int
    multiplier: float
    init_std: float


def _gain(kind: str) -> float:
    return 1.0 if kind == "readout" else math.sqrt(2.0)


def _scales(parametrization: str, kind: str, fan_in: int) -> tuple[float, float]:
    """(multiplier, init std) of one layer."""
    g = _gain(kind)
    if parametrization == "standard":
        return 1.0, g / math.sqrt(fan_in)
    if parametrization == "mean_field" and kind == "readout":
        return 1.0 / fan_in, 1.0
    return g / math.sqrt(fan_in), 1.0


def architecture(
    *, input_dim: int, width: int, depth: int, n_classes: int, parametrization: str
) -> tuple[Layer, ...]:
    """The ``depth + 1`` layers of an MLP with ``depth`` hidden layers of ``width`` units."""
    check_choice("parametrization", parametrization, PARAMETRIZATIONS)
    for name, value in (("input_dim", input_dim), ("width", width), ("n_classes", n_classes)):
        if int(value) != value or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if depth not in (1, 2, 3):
        raise ValueError(f"depth must be 1, 2 or 3 hidden layers, got {depth!r}")
    sizes = [input_dim] + [width] * depth + [n_classes]
    kinds = ["input"] + ["hidden"] * (depth - 1) + ["readout"]
    return tuple(
        Layer(kind, fan_in, fan_out, *_scales(parametrization, kind, fan_in))
        for kind, fan_in, fan_out in zip(kinds, sizes[:-1], sizes[1:], strict=True)
    )


def n_penalized(layers: Sequence[Layer]) -> int:
    """Number of penalized weights ``P_total`` (every weight; the ``P`` of ``R_mean``)."""
    return sum(layer.fan_in * layer.fan_out for layer in layers)


def init_weights(key, layers: Sequence[Layer], init_std=None, dtype=jnp.float32) -> list:
    """Weights ``W_l ~ N(0, s_l²)``; ``init_std`` (one per layer) overrides the layers' ``s_l``.

    ``init_std`` may be traced, so one compiled function serves every parametrization.
    """
    stds = [layer.init_std for layer in layers] if init_std is None else init_std
    keys = jax.random.split(key, len(layers))
    return [
        s * jax.random.normal(k, (layer.fan_in, layer.fan_out), dtype=dtype)
        for k, layer, s in zip(keys, layers, stds, strict=True)
    ]


def apply(weights: Sequence[jax.Array], multipliers: Sequence, x: jax.Array) -> jax.Array:
    """Logits ``f(x)`` (n, n_classes) of inputs ``x`` (n, d)."""
    h = x
    for i, (w, m) in enumerate(zip(weights, multipliers, strict=True)):
        h = m * (h @ w)
        if i < len(weights) - 1:
            h = jax.nn.relu(h)
    return h


def map_weights(weights: Sequence, layers_from: Sequence[Layer], layers_to: Sequence[Layer]):
    """The weights of ``layers_to`` with the same pre-activations: ``W_to = W_from m_from / m_to``.

    This is the exact change of variables of :mod:`theory.parametrization`, layer by layer.
    """
    return [
        w * (a.multiplier / b.multiplier)
        for w, a, b in zip(weights, layers_from, layers_to, strict=True)
    ]


def lr_factors(
    layers: Sequence[Layer],
    *,
    parametrization: str,
    optimizer: str,
    lr_scaling: str,
    base_width: int,
) -> list[float]:
    """Per-layer learning-rate factors ``(P / base_width) ** e_l``, 1 at ``base_width``.

    ``e_l`` is :func:`theory.transfer.lr_exponent` (0 for ``lr_scaling="none"``); ``P`` is
    the width (the fan-out of the input layer).

    >>> layers = architecture(input_dim=64, width=1024, depth=1, n_classes=10,
    ...                       parametrization="standard")
    >>> lr_factors(layers, parametrization="standard", optimizer="adamw-coupled",
    ...            lr_scaling="mup", base_width=64)
    [1.0, 0.0625]
    """
    width = layers[0].fan_out
    return [
        float(
            (width / base_width)
            ** float(lr_exponent(parametrization, optimizer, l.kind, lr_scaling))
        )
        for l in layers
    ]
