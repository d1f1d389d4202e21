r"""Bias-free ReLU MLPs with a LayerNorm before each activation, trained with optax.

The network (``depth`` hidden layers of ``width`` units, inputs ``x`` (n, d), logits (n, K)):

.. math::  h_0 = x, \quad h_l = \mathrm{relu}(\mathrm{LN}(h_{l-1} W_l)) \ (l = 1..depth), \quad
           f = h_{depth} W_{out}, \qquad \mathrm{LN}(z) = \frac{z - \bar z}{\sqrt{\overline{(z - \bar z)^2}}}

with the mean and variance over the ``width`` units of each row.  The LayerNorm has **no
learnable gain or bias** and no ε (``eps=0`` by default): then ``LN(c z) = LN(z)`` for every
``c > 0`` exactly, so the network output is invariant to the scale of each hidden matrix
``W_1 … W_depth`` (:func:`apply`; tested to float precision) and these matrices are
scale-invariant tensors in the sense of :mod:`theory.equilibrium`.  The readout ``W_out`` is
the only matrix whose scale changes the function.  Initialization: ``N(0, 2/fan_in)`` for
hidden matrices (their scale only sets the initial effective learning rate) and
``N(0, 1/width)`` for the readout (LN outputs have unit RMS).

The objective (DESIGN §2) is ``(1/N) Σ CE + λ Σ_l ‖W_l‖²`` over every matrix (no biases,
no factor ½; ``λ`` is ``λ_sum``).  Optimizers (optax, full batch):

* ``"sgd"``: ``optax.sgd(lr, momentum)`` on the gradient of the whole objective (L2 in the
  loss: coupled ``weight_decay = 2λ``);
* ``"adamw"``: ``optax.adamw(lr, b1, b2, eps, weight_decay=2λ)`` on the data loss
  (PyTorch/optax coupled decay: per-step shrink ``lr·2λ``).  With one learning rate for
  every tensor, independent decay is the same optimizer with ``wd_indep = lr·wd``.

:func:`sweep` vmaps runs over λ and seeds (initial noise from ``numpy.random.default_rng``
per seed, as :func:`training.train.draw_noise`) and records, per step and matrix, the norm
``‖W_l‖``, the angle between ``W_l`` before and after the step, ``G_l = ‖∇_{W_l} CE‖·‖W_l‖``
(the data gradient at unit norm, :mod:`theory.equilibrium`'s ``G̃``) and the RMS of Adam's
data update ``m̂/(√v̂ + ε)``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from theory.checks import (
    as_float_array,
    check_flag,
    check_float_dtype,
    check_fraction,
    check_int,
    check_nonnegative,
    check_positive,
)
from training.data import Dataset
from training.train import _check_run_config, check_dataset, cross_entropy, draw_noise

__all__ = [
    "OPTIMIZERS",
    "NormConfig",
    "check_norm_config",
    "shapes",
    "init_std",
    "layer_norm",
    "apply",
    "sweep",
]

OPTIMIZERS = ("sgd", "adamw")


class NormConfig(NamedTuple):
    """Static settings of a run (hashable: they select the compiled program)."""

    optimizer: str = "sgd"
    steps: int = 300
    lr: float = 0.1
    momentum: float = 0.9  # SGD (heavy ball, optax.sgd)
    b1: float = 0.9  # Adam
    b2: float = 0.999
    eps: float = 1e-8
    ln_eps: float = 0.0  # LayerNorm ε; 0 keeps the scale invariance exact
    record: bool = True  # per-step norms, angles, gradient and update statistics (else 0)


DEFAULT_CONFIG = NormConfig()


def check_norm_config(config: NormConfig) -> NormConfig:
    """Every field of ``config`` in its domain (``ValueError`` naming ``config.<field>``)."""
    _check_run_config(config, NormConfig, OPTIMIZERS, prefix="config.")
    for name in ("lr", "eps"):
        if np.ndim(getattr(config, name)):
            raise ValueError(f"config.{name} must be one number, got {getattr(config, name)!r}")
        check_positive(f"config.{name}", getattr(config, name))
    for name in ("momentum", "b1", "b2"):
        check_fraction(f"config.{name}", getattr(config, name))
    if np.ndim(config.ln_eps):
        raise ValueError(f"config.ln_eps must be one number, got {config.ln_eps!r}")
    check_nonnegative("config.ln_eps", config.ln_eps)
    check_flag("config.record", config.record)
    return config


def shapes(*, input_dim: int, width: int, depth: int, n_classes: int) -> list[tuple[int, int]]:
    """``[(d, n), (n, n) × (depth − 1), (n, K)]``: hidden matrices, then the readout.

    >>> shapes(input_dim=64, width=32, depth=2, n_classes=10)
    [(64, 32), (32, 32), (32, 10)]
    """
    d = check_int("input_dim", input_dim, minimum=1)
    n = check_int("width", width, minimum=2)  # LN of one unit is 0/0
    depth = check_int("depth", depth, minimum=1)
    k = check_int("n_classes", n_classes, minimum=2)
    return [(d, n)] + [(n, n)] * (depth - 1) + [(n, k)]


def init_std(layer_shapes: Sequence[tuple[int, int]]) -> list[float]:
    """``sqrt(2/fan_in)`` for hidden matrices, ``1/sqrt(width)`` for the readout.

    >>> init_std([(64, 16), (16, 10)])
    [0.1767766952966369, 0.25]
    """
    if (
        isinstance(layer_shapes, (str, bytes))
        or not isinstance(layer_shapes, (Sequence, np.ndarray))
        or len(layer_shapes) == 0
    ):
        raise ValueError(
            f"layer_shapes must be a non-empty list of (fan_in, fan_out), got {layer_shapes!r}"
        )
    for shape in layer_shapes:
        if (
            isinstance(shape, (str, bytes))
            or not isinstance(shape, (Sequence, np.ndarray))
            or len(shape) != 2
            or not all(
                isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_)) and v >= 1
                for v in shape
            )
        ):
            raise ValueError(f"layer_shapes must hold pairs of integers >= 1, got {layer_shapes!r}")
    fans = [int(shape[0]) for shape in layer_shapes]
    return [math.sqrt(2 / f) for f in fans[:-1]] + [1 / math.sqrt(fans[-1])]


def layer_norm(z: jax.Array, eps: float = 0.0) -> jax.Array:
    """``(z − mean) / sqrt(var + eps)`` over the last axis, no gain or bias.

    >>> import jax.numpy as jnp
    >>> [round(float(v), 6) for v in layer_norm(jnp.array([[1.0, 3.0]]))[0]]
    [-1.0, 1.0]

    Concrete input is checked: finite, at least 1-d, and with ``eps = 0`` no row of equal
    entries (its variance is 0: ``0/0``); traced input (inside ``jax.jit``) is not.
    """
    if not isinstance(eps, jax.core.Tracer):
        if np.ndim(eps):
            raise ValueError(f"eps must be one number, got {eps!r}")
        check_nonnegative("eps", eps)
    if not isinstance(z, jax.core.Tracer):
        arr = as_float_array("z", z)
        if arr.ndim == 0:
            raise ValueError(f"z must be an array of >= 1 dimension, got {z!r}")
        if not isinstance(eps, jax.core.Tracer) and eps == 0 and arr.size:
            flat = np.all(arr == arr[..., :1], axis=-1)
            if np.any(flat):
                raise ValueError(
                    f"z must not have a row of equal entries with eps=0 (its LayerNorm is 0/0), "
                    f"got {int(np.sum(flat))} such row(s) in shape {arr.shape}"
                )
    return _layer_norm(z, eps)


def _layer_norm(z: jax.Array, eps) -> jax.Array:
    """:func:`layer_norm` without the checks (the forward pass, traced or not)."""
    centred = z - jnp.mean(z, axis=-1, keepdims=True)
    return centred / jnp.sqrt(jnp.mean(centred**2, axis=-1, keepdims=True) + eps)


def apply(weights: Sequence[jax.Array], x: jax.Array, *, ln_eps: float = 0.0) -> jax.Array:
    """Logits (n, K) of inputs ``x`` (n, d); ``weights`` = hidden matrices, then the readout.

    With ``ln_eps = 0`` scaling any hidden matrix by ``c > 0`` leaves the output unchanged:

    >>> import jax.numpy as jnp
    >>> w = [jnp.array([[1.0, -2.0, 0.5]]), jnp.array([[1.0], [2.0], [3.0]])]
    >>> x = jnp.array([[1.0], [-2.0]])
    >>> bool(jnp.allclose(apply(w, x), apply([7.0 * w[0], w[1]], x)))
    True
    """
    if isinstance(weights, (str, np.ndarray)) or not isinstance(weights, Sequence):
        raise ValueError(
            f"weights must be a list of 2-D arrays, got {type(weights).__name__} {weights!r:.80}"
        )
    if len(weights) < 2:
        raise ValueError(f"weights must hold >= 1 hidden matrix and a readout, got {len(weights)}")
    got = [tuple(np.shape(w)) for w in weights]
    if any(len(g) != 2 for g in got) or any(
        a[1] != b[0] for a, b in zip(got[:-1], got[1:], strict=True)
    ):
        raise ValueError(f"weights must be chained 2-D arrays, got shapes {got}")
    for i, w in enumerate(weights):
        if not isinstance(w, jax.core.Tracer):
            as_float_array(f"weights[{i}]", w)
    if not isinstance(ln_eps, jax.core.Tracer):
        if np.ndim(ln_eps):
            raise ValueError(f"ln_eps must be one number, got {ln_eps!r}")
        check_nonnegative("ln_eps", ln_eps)
    if not isinstance(x, jax.core.Tracer):
        as_float_array("x", x)
    if np.ndim(x) != 2 or np.shape(x)[1] != got[0][0]:
        raise ValueError(f"x must be (n, {got[0][0]}), got shape {np.shape(x)}")
    h = x
    for w in weights[:-1]:
        h = jax.nn.relu(_layer_norm(h @ w, ln_eps))
    return h @ weights[-1]


def _angle(a: jax.Array, b: jax.Array) -> jax.Array:
    """Angle between two tensors (radians), via ``atan2(‖a×b‖, a·b)`` for small angles."""
    dot = jnp.sum(a * b)
    cross2 = jnp.maximum(jnp.sum(a * a) * jnp.sum(b * b) - dot**2, 0.0)
    return jnp.arctan2(jnp.sqrt(cross2), dot)


def _run(noise, lam, data, stds, *, config: NormConfig) -> dict:
    """One full-batch run from ``W_l = stds_l · noise_l``; λ may be traced."""
    x_tr, y_tr, x_te, y_te = data
    weights = [s * z for s, z in zip(stds, noise, strict=True)]

    def data_loss(w):
        return cross_entropy(apply(w, x_tr, ln_eps=config.ln_eps), y_tr)

    sgd = config.optimizer == "sgd"
    if sgd:
        tx = optax.sgd(config.lr, momentum=config.momentum)
    else:
        tx = optax.adamw(
            config.lr, b1=config.b1, b2=config.b2, eps=config.eps, weight_decay=2 * lam
        )
    state = tx.init(weights)

    def stats(w, w_new, g_data, upd):
        """Per matrix: ‖W‖ after the step, the angle of the step, ‖∇CE‖·‖W‖, update RMS."""
        norms = jnp.stack([jnp.sqrt(jnp.sum(wi * wi)) for wi in w_new])
        angles = jnp.stack([_angle(a, b) for a, b in zip(w, w_new, strict=True)])
        g_unit = jnp.stack(
            [
                jnp.sqrt(jnp.sum(gi * gi) * jnp.sum(wi * wi))
                for gi, wi in zip(g_data, w, strict=True)
            ]
        )
        # AdamW: the data update m̂/(√v̂+ε) = −update/lr − 2λ·w; SGD: the momentum buffer
        u = [
            -(ui / config.lr) - (0 if sgd else 2 * lam * wi) for ui, wi in zip(upd, w, strict=True)
        ]
        return norms, angles, g_unit, jnp.stack([jnp.sqrt(jnp.mean(ui * ui)) for ui in u])

    def step(carry, _):
        w, st = carry
        loss, g_data = jax.value_and_grad(data_loss)(w)
        # the whole objective's gradient for SGD (L2 in the loss), the data gradient for AdamW
        g = [gi + 2 * lam * wi for gi, wi in zip(g_data, w, strict=True)] if sgd else g_data
        upd, st = tx.update(g, st, w)
        w_new = optax.apply_updates(w, upd)
        obj = loss + lam * sum(jnp.sum(wi * wi) for wi in w)
        if config.record:
            return (w_new, st), (obj, *stats(w, w_new, g_data, upd))
        zeros = jnp.zeros(len(w), obj.dtype)
        return (w_new, st), (obj, zeros, zeros, zeros, zeros)

    (weights, _), (obj, norms, angles, g_unit, u_rms) = jax.lax.scan(
        step, (weights, state), None, length=config.steps
    )
    logits_te = apply(weights, x_te, ln_eps=config.ln_eps)
    return {
        "objective": obj,
        "norm": norms,
        "angle": angles,
        "grad_unit": g_unit,
        "update_rms": u_rms,
        "train_loss": data_loss(weights),
        "test_loss": cross_entropy(logits_te, y_te),
        "test_acc": jnp.mean(jnp.argmax(logits_te, axis=-1) == y_te),
    }


@partial(jax.jit, static_argnames=("config",))
def _sweep_jit(noise, lams, data, stds, *, config):
    run = partial(_run, config=config)
    over_seeds = jax.vmap(run, in_axes=(0, None, None, None))
    return jax.vmap(over_seeds, in_axes=(None, 0, None, None))(noise, lams, data, stds)


def sweep(
    data: Dataset,
    *,
    width: int,
    depth: int,
    lams,
    seeds: Sequence[int],
    config: NormConfig = DEFAULT_CONFIG,
    dtype=jnp.float32,
) -> dict[str, np.ndarray]:
    """Train ``len(lams) × len(seeds)`` LayerNorm MLPs, vmapped; arrays indexed ``[λ, seed]``.

    Returns ``test_loss``, ``test_acc``, ``train_loss`` ``[λ, seed]``; ``objective``
    ``[λ, seed, step]``; ``norm``, ``angle``, ``grad_unit``, ``update_rms``
    ``[λ, seed, step, layer]`` (layer ``-1`` is the readout).

    >>> from training.data import teacher
    >>> data = teacher(n_train=64, n_test=64, input_dim=4, n_classes=3)
    >>> out = sweep(data, width=8, depth=1, lams=[1e-3, 1e-2], seeds=[0, 1],
    ...             config=NormConfig(steps=20))
    >>> out["test_loss"].shape, out["norm"].shape
    ((2, 2), (2, 2, 20, 2))
    """
    check_norm_config(config)
    check_dataset(data)
    check_float_dtype("dtype", dtype)
    layer_shapes = shapes(
        input_dim=data.input_dim, width=width, depth=depth, n_classes=data.n_classes
    )
    lams = check_nonnegative("lams", lams)
    if lams.ndim != 1 or lams.size == 0:
        raise ValueError(f"lams must be a non-empty 1-d array, got shape {lams.shape}")
    noise, _ = draw_noise(
        seeds,
        shapes=tuple(layer_shapes),
        steps=0,
        batch_size=None,
        n_train=len(data.y_train),
        dtype=dtype,
    )
    arrays = (
        jnp.asarray(data.x_train, dtype),
        jnp.asarray(data.y_train, jnp.int32),
        jnp.asarray(data.x_test, dtype),
        jnp.asarray(data.y_test, jnp.int32),
    )
    stds = jnp.asarray(init_std(layer_shapes), dtype)
    out = _sweep_jit(noise, jnp.asarray(lams, dtype), arrays, stds, config=config)
    return {k: np.asarray(v) for k, v in out.items()}
