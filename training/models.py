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
import numpy as np

from theory.checks import as_float_array, check_choice, check_int, check_nonnegative
from theory.parametrization import PARAMETRIZATIONS
from theory.transfer import lr_exponent

__all__ = [
    "Layer",
    "architecture",
    "check_layers",
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
    input_dim = _size("input_dim", input_dim)
    width = _size("width", width)
    n_classes = _size("n_classes", n_classes)
    if isinstance(depth, (bool, np.bool_)) or depth not in (1, 2, 3):
        raise ValueError(f"depth must be 1, 2 or 3 hidden layers, got {depth!r}")
    depth = int(depth)
    sizes = [input_dim] + [width] * depth + [n_classes]
    kinds = ["input"] + ["hidden"] * (depth - 1) + ["readout"]
    return tuple(
        Layer(kind, fan_in, fan_out, *_scales(parametrization, kind, fan_in))
        for kind, fan_in, fan_out in zip(kinds, sizes[:-1], sizes[1:], strict=True)
    )


def _size(name: str, value) -> int:
    """A layer size: an integer >= 1 (an integer-valued float such as 16.0 is taken)."""
    try:
        ok = not isinstance(value, (bool, np.bool_, str)) and int(value) == value and value >= 1
    except (TypeError, ValueError, OverflowError):  # OverflowError: int(inf)
        ok = False
    if not ok:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def check_layers(layers, name: str = "layers") -> tuple[Layer, ...]:
    """A non-empty sequence of :class:`Layer` whose sizes chain (``fan_out`` = next ``fan_in``)."""
    if isinstance(layers, (str, Layer)) or not isinstance(layers, Sequence) or not layers:
        raise ValueError(f"{name} must be a non-empty sequence of Layer, got {layers!r}")
    if not all(isinstance(layer, Layer) for layer in layers):
        raise ValueError(
            f"{name} must hold Layer records (training.models.architecture), got {layers!r}"
        )
    for a, b in zip(layers[:-1], layers[1:], strict=True):
        if a.fan_out != b.fan_in:
            raise ValueError(f"{name} must chain (fan_out = next fan_in), got {a} then {b}")
    return tuple(layers)


def n_penalized(layers: Sequence[Layer]) -> int:
    """Number of penalized weights ``P_total`` (every weight; the ``P`` of ``R_mean``)."""
    return sum(layer.fan_in * layer.fan_out for layer in check_layers(layers))


def init_weights(key, layers: Sequence[Layer], init_std=None, dtype=jnp.float32) -> list:
    """Weights ``W_l ~ N(0, s_l²)``; ``init_std`` (one per layer) overrides the layers' ``s_l``.

    ``init_std`` may be traced, so one compiled function serves every parametrization.
    """
    layers = check_layers(layers)
    _check_key(key)
    if init_std is None:
        stds = [layer.init_std for layer in layers]
    else:
        stds = init_std
        if len(stds) != len(layers):
            raise ValueError(
                f"init_std must have one entry per layer ({len(layers)}), got {stds!r}"
            )
        if not any(isinstance(v, jax.core.Tracer) for v in stds):
            check_nonnegative("init_std", stds)
    _check_float_dtype(dtype)
    keys = jax.random.split(key, len(layers))
    return [
        s * jax.random.normal(k, (layer.fan_in, layer.fan_out), dtype=dtype)
        for k, layer, s in zip(keys, layers, stds, strict=True)
    ]


def apply(weights: Sequence[jax.Array], multipliers: Sequence, x: jax.Array) -> jax.Array:
    """Logits ``f(x)`` (n, n_classes) of inputs ``x`` (n, d).

    Shapes are checked always, values (finite) where they are concrete (not traced).
    """
    _check_forward(weights, multipliers, x)
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
    layers_from = check_layers(layers_from, "layers_from")
    layers_to = check_layers(layers_to, "layers_to")
    if len(layers_to) != len(layers_from) or any(
        (a.fan_in, a.fan_out) != (b.fan_in, b.fan_out)
        for a, b in zip(layers_from, layers_to, strict=True)
    ):
        raise ValueError("layers_to must have the shapes of layers_from")
    _check_weights(weights, [(layer.fan_in, layer.fan_out) for layer in layers_from])
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
    layers = check_layers(layers)
    base_width = check_int("base_width", base_width, minimum=1)
    width = layers[0].fan_out
    return [
        float(
            (width / base_width)
            ** float(lr_exponent(parametrization, optimizer, l.kind, lr_scaling))
        )
        for l in layers
    ]


def _concrete(value) -> bool:
    return not isinstance(value, jax.core.Tracer)


def _check_key(key) -> None:
    """A JAX PRNG key: a typed key or a raw ``uint32`` array of shape ``(2,)``."""
    if isinstance(key, jax.Array) and jnp.issubdtype(key.dtype, jax.dtypes.prng_key):
        return
    ok = isinstance(key, (jax.Array, np.ndarray)) and key.dtype == np.uint32 and key.shape == (2,)
    if not ok:
        raise ValueError(f"key must be a JAX PRNG key (jax.random.PRNGKey), got {key!r}")


def _check_weights(weights, shapes: list[tuple[int, int]] | None = None) -> None:
    """One 2-D array per layer (of ``shapes`` if given), chained, finite where concrete."""
    if isinstance(weights, (str, np.ndarray)) or not isinstance(weights, Sequence) or not weights:
        raise ValueError(f"weights must be a non-empty list of 2-D arrays, got {weights!r}")
    got = [tuple(np.shape(w)) for w in weights]
    if any(len(g) != 2 for g in got) or any(
        a[1] != b[0] for a, b in zip(got[:-1], got[1:], strict=True)
    ):
        raise ValueError(f"weights must be chained 2-D arrays (d, n1), (n1, n2), ..., got {got}")
    if shapes is not None and got != list(shapes):
        raise ValueError(f"weights must have the layer shapes {shapes}, got {got}")
    for w in weights:
        if _concrete(w):
            as_float_array("weights", w)


def _check_forward(weights, multipliers, x) -> None:
    _check_weights(weights)
    if isinstance(multipliers, str) or len(multipliers) != len(weights):
        raise ValueError(
            f"multipliers must have one entry per layer ({len(weights)}), got {multipliers!r}"
        )
    if all(_concrete(m) for m in multipliers):
        as_float_array("multipliers", [np.asarray(m) for m in multipliers])
    if _concrete(x):
        as_float_array("x", x)
    shape = tuple(np.shape(x))
    if len(shape) != 2 or shape[1] != np.shape(weights[0])[0]:
        raise ValueError(
            f"x must be (n, d) with d = {np.shape(weights[0])[0]} (the fan-in of weights[0]), "
            f"got shape {shape}"
        )


def _check_float_dtype(dtype) -> None:
    try:
        kind = np.dtype(dtype).kind
    except TypeError:
        kind = None
    if kind != "f":
        raise ValueError(f"dtype must be a floating-point type, got {dtype!r}")
