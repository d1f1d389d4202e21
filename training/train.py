r"""Cross-entropy training with an explicit L2 term, vectorized over λ and seeds.

The objective (DESIGN §2) on ``N`` training pairs is

.. math::  E(W) = \frac1N \sum_i \mathrm{CE}(f(x_i), y_i) + \lambda_{\rm sum}
           \sum_l \rho_l \lVert W_l \rVert_F^2,

``CE`` the natural-log cross-entropy of the softmax, no factor ½ on the penalty;
``ρ_l = 1`` for every layer unless stated (all weights penalized; there are no
biases).  ``λ_mean = P_total λ_sum`` with ``P_total`` the number of penalized
weights (:func:`training.models.n_penalized`), so one sweep over ``λ_sum`` serves
both normalizations.

Optimizers (``η_l = η · r_l``, ``r_l`` the per-layer factor of
:func:`training.models.lr_factors`, ``η`` the base learning rate):

* ``"sgd"``: heavy-ball momentum on the full gradient of ``E`` (L2 in the loss, i.e.
  coupled ``weight_decay = 2 λ_sum``), ``v ← μ v + ∇E``, ``W_l ← W_l − η_l v_l``;
  full batch unless ``batch_size`` is given (then the data term is a minibatch mean);
* ``"adamw-coupled"``: ``W_l ← W_l − η_l (adam_l + 2 λ_sum ρ_l W_l)`` (PyTorch/optax AdamW,
  decay multiplied by the learning rate), Adam on the data gradient only;
* ``"adamw-independent"``: ``W_l ← W_l − η_l adam_l − 2 η λ_sum ρ_l W_l`` (decay not
  multiplied by the width-scaled rate ``η_l``; equal to coupled where ``r_l = 1``).

Every run is a pure function of a PRNG key and λ; :func:`sweep` maps it over a grid
of λ and seeds with ``jax.vmap`` and runs the steps in ``jax.lax.scan``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from theory._shard import gather, lane_devices, pad_lanes, put_lanes
from theory.checks import (
    as_float_array,
    check_choice,
    check_flag,
    check_float_dtype,
    check_int,
    check_nonnegative,
    check_positive,
    check_seed,
)
from theory.transfer import OPTIMIZERS
from training.data import Dataset, check_dataset, check_labels
from training.models import Layer, apply, check_layers

__all__ = [
    "TrainConfig",
    "check_config",
    "check_labels",
    "check_dataset",
    "check_seeds",
    "cross_entropy",
    "penalty",
    "objective",
    "train_run",
    "sweep",
    "sweep_loop",
    "draw_noise",
    "chunk_size",
]


class TrainConfig(NamedTuple):
    """Static settings of a run (hashable, so they select the compiled program; the two AdamW
    variants share one, as they differ only in a traced per-layer rate, unless a leading layer
    is frozen under one and not the other: :func:`train_run`)."""

    optimizer: str = "sgd"
    steps: int = 200
    momentum: float = 0.9  # SGD heavy ball
    b1: float = 0.9  # Adam
    b2: float = 0.999
    eps: float = 1e-8
    batch_size: int | None = None  # None: full batch


DEFAULT_CONFIG = TrainConfig()


def _check_run_config(config, kind: type, optimizers, prefix: str = "") -> None:
    """What every run's settings share: ``config`` a ``kind``, its ``optimizer`` one of
    ``optimizers`` and ``steps`` >= 1 (a ``ValueError`` names ``<prefix><field>``)."""
    if not isinstance(config, kind):
        raise ValueError(f"config must be a {kind.__name__}, got {config!r}")
    check_choice(f"{prefix}optimizer", config.optimizer, optimizers)
    check_int(f"{prefix}steps", config.steps, minimum=1)


def check_config(config: TrainConfig) -> TrainConfig:
    """Every field of ``config`` in its domain (``ValueError`` naming the field)."""
    _check_run_config(config, TrainConfig, OPTIMIZERS)
    for name in ("momentum", "b1", "b2"):  # a decay of 1 never forgets: the moments blow up
        value = float(check_nonnegative(name, getattr(config, name)))
        if value >= 1:
            raise ValueError(f"{name} must be in [0, 1), got {getattr(config, name)!r}")
    check_positive("eps", config.eps)
    if config.batch_size is not None:
        check_int("batch_size", config.batch_size, minimum=1)
    return config


def cross_entropy(logits: jax.Array, y: jax.Array) -> jax.Array:
    """Mean over rows of ``-log softmax(logits)[y]`` (natural log).

    Concrete labels are checked (:func:`check_labels`); traced ones (inside ``jit``) were
    checked where the data entered (:func:`sweep`, :mod:`training.stationary`).
    """
    if np.ndim(logits) != 2 or np.shape(y) != np.shape(logits)[:1]:
        raise ValueError(
            f"logits must be (n, n_classes) and y (n,), got {np.shape(logits)} and {np.shape(y)}"
        )
    if not isinstance(y, jax.core.Tracer) and not isinstance(logits, jax.core.Tracer):
        check_labels(y, logits.shape[-1])
        as_float_array("logits", logits)
    logp = jax.nn.log_softmax(logits, axis=-1)
    return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=-1))


def penalty(weights: Sequence[jax.Array], rho: Sequence) -> jax.Array:
    """``Σ_l ρ_l ‖W_l‖²`` (the sum-normalized ``R``)."""
    if isinstance(rho, str) or len(rho) != len(weights):
        raise ValueError(f"rho must have one factor per layer ({len(weights)}), got {rho!r}")
    if not any(isinstance(r, jax.core.Tracer) for r in rho):
        check_nonnegative("rho", [np.asarray(r) for r in rho])
    for w in weights:
        if not isinstance(w, jax.core.Tracer):
            as_float_array("weights", w)
    return sum(r * jnp.sum(w * w) for w, r in zip(weights, rho, strict=True))


def objective(weights, multipliers, x, y, lam_sum, rho) -> jax.Array:
    """``(1/N) Σ CE + λ_sum Σ_l ρ_l ‖W_l‖²``.

    >>> import jax.numpy as jnp
    >>> w = [jnp.zeros((3, 2))]
    >>> float(objective(w, [1.0], jnp.ones((4, 3)), jnp.array([0, 1, 0, 1]), 0.1, [1.0]))
    0.6931471805599453
    """
    if not isinstance(lam_sum, jax.core.Tracer):
        check_nonnegative("lam_sum", lam_sum)
    return cross_entropy(apply(weights, multipliers, x), y) + lam_sum * penalty(weights, rho)


def _rms(tree) -> jax.Array:
    return jnp.stack([jnp.sqrt(jnp.mean(t * t)) for t in tree])


def train_run(noise, batches, lam_sum, data, scales, *, config: TrainConfig, frozen=0) -> dict:
    """One training run; ``data = (x_train, y_train, x_test, y_test)`` as arrays.

    ``noise`` holds one standard normal array per layer (the initialization is
    ``W_l = s_l · noise_l``); ``batches`` (steps, batch_size) the minibatch indices (or
    ``None`` for full batch).  ``scales = (multipliers, init_std, lr, rho, decay_lr)``:
    per-layer arrays (``lr`` is ``η_l``; ``decay_lr`` the rate that multiplies AdamW's
    decay: ``η_l`` coupled, the base ``η`` independent, so the two AdamW variants are one
    program that differs only in this traced array).  Returns a dict of arrays (see
    :func:`sweep`).

    The random draws are made outside (:func:`draw_noise`): with them inside, XLA's
    CPU compiler takes seconds longer on the scan.  The first ``frozen`` layers never
    change (:func:`sweep` counts the leading layers whose update is 0): their output on the
    training inputs is computed once, and the steps train the layers after them (random
    features: 4.5x fewer products per step at width 2048 on digits).  The results are the
    full program's, which steps them by 0, except in a run that diverges: there ``0 · NaN``
    made the full program's frozen weights NaN, here they stay the initial ones.
    """
    check_config(config)  # static: checked once, when the run is traced
    x_tr, y_tr, x_te, y_te = data
    mult, init_std, lr, rho, decay_lr = scales
    n_layers = len(noise)
    k = check_int("frozen", frozen, minimum=0)
    if k >= n_layers:
        raise ValueError(f"frozen must leave a layer to train (< {n_layers}), got {frozen!r}")
    dtype = x_tr.dtype
    weights = noise_weights = [init_std[i] * z for i, z in enumerate(noise)]
    mults = [mult[i] for i in range(n_layers)]
    rhos = [rho[i] for i in range(n_layers)]
    lam_sum = jnp.asarray(lam_sum, dtype)

    def data_loss(w, x, y):
        return cross_entropy(apply(w, mults, x), y)

    full_grad = jax.grad(data_loss)
    grad_init = full_grad(weights, x_tr, y_tr)

    def function_steps(w, g):
        """RMS over training logits of the change one plain step makes through the data
        gradient (``η_l g_l``) and through the decay (``η_l 2λρ_l W_l``), to first order."""

        def dlogits(direction):
            return jax.jvp(lambda v: apply(v, mults, x_tr), (w,), (direction,))[1]

        data_dir = [lr[i] * gi for i, gi in enumerate(g)]
        shrink_dir = [lr[i] * 2 * lam_sum * rhos[i] * wi for i, wi in enumerate(w)]
        return _rms([dlogits(data_dir)])[0], _rms([dlogits(shrink_dir)])[0]

    fstep_data_init, fstep_shrink_init = function_steps(weights, grad_init)

    if config.optimizer == "sgd":
        tx = optax.trace(decay=config.momentum)
    else:
        tx = optax.scale_by_adam(b1=config.b1, b2=config.b2, eps=config.eps)
    fixed = weights[:k]  # the frozen layers, their output (ReLU'd: a hidden layer's), penalty
    h_tr = jax.nn.relu(apply(fixed, mults[:k], x_tr)) if k else x_tr
    pen_fixed = penalty(fixed, rhos[:k])

    def tail_loss(w, h, y):
        return cross_entropy(apply(w, mults[k:], h), y)

    def step(carry, idx):
        w, state = carry  # the layers after the frozen ones
        h, y = (h_tr, y_tr) if idx is None else (h_tr[idx], y_tr[idx])
        pen = pen_fixed + penalty(w, rhos[k:])
        loss, g = jax.value_and_grad(tail_loss)(w, h, y)
        if config.optimizer == "sgd":
            g = [gi + 2 * lam_sum * r * wi for gi, r, wi in zip(g, rhos[k:], w, strict=True)]
            u, state = tx.update(g, state)
            w = [wi - lr[k + i] * ui for i, (wi, ui) in enumerate(zip(w, u, strict=True))]
        else:
            u, state = tx.update(g, state)
            w = [
                wi - lr[k + i] * ui - 2 * lam_sum * rhos[k + i] * decay_lr[k + i] * wi
                for i, (wi, ui) in enumerate(zip(w, u, strict=True))
            ]
        return (w, state), loss + lam_sum * pen

    length = None if batches is not None else config.steps
    (tail, _), trace = jax.lax.scan(step, (weights[k:], tx.init(weights[k:])), batches, length)
    weights = fixed + tail

    logits_te = apply(weights, mults, x_te)
    grad_end = full_grad(weights, x_tr, y_tr)
    fstep_data, fstep_shrink = function_steps(weights, grad_end)
    train_loss = data_loss(weights, x_tr, y_tr)
    return {
        "objective": trace,
        "train_loss": train_loss,
        "train_loss_init": data_loss(noise_weights, x_tr, y_tr),
        "train_objective": train_loss + lam_sum * penalty(weights, rhos),
        "test_loss": cross_entropy(logits_te, y_te),
        "test_acc": jnp.mean(jnp.argmax(logits_te, axis=-1) == y_te),
        "logit_rms": jnp.sqrt(jnp.mean(logits_te**2)),
        "sq_norm": jnp.stack([jnp.sum(w * w) for w in weights]),
        "weight_rms_init": _rms(noise_weights),
        "grad_rms_init": _rms(grad_init),
        "weight_rms": _rms(weights),
        "grad_rms": _rms(grad_end),
        "fstep_data_init": fstep_data_init,
        "fstep_shrink_init": fstep_shrink_init,
        "fstep_data": fstep_data,
        "fstep_shrink": fstep_shrink,
    }


def draw_noise(
    seeds: Sequence[int], *, shapes, steps: int, batch_size: int | None, n_train: int, dtype
):
    """Per seed: standard normal arrays of ``shapes`` and minibatch indices (steps, batch_size).

    Drawn with NumPy's PCG64 (``numpy.random.default_rng(seed)``): the initialization of
    seed ``s`` depends only on ``s`` and the shapes, so a seed draws the same network
    for every λ, learning rate and parametrization (``W_l = s_l · noise_l``).  Drawing
    outside the jitted run also keeps XLA's CPU compile time down.
    """
    seeds = check_seeds(seeds)
    steps = check_int("steps", steps, minimum=0)  # 0: no minibatches (full batch)
    n_train = check_int("n_train", n_train, minimum=1)
    if batch_size is not None:
        check_int("batch_size", batch_size, minimum=1)
        if batch_size > n_train:
            raise ValueError(f"batch_size must be <= n_train = {n_train}, got {batch_size!r}")
    if isinstance(shapes, str) or not isinstance(shapes, (list, tuple)) or not shapes:
        raise ValueError(f"shapes must be a non-empty list of (fan_in, fan_out), got {shapes!r}")
    for shape in shapes:
        if (
            not isinstance(shape, (list, tuple))
            or len(shape) != 2
            or not all(isinstance(v, (int, np.integer)) and v >= 1 for v in shape)
        ):
            raise ValueError(f"shapes must hold pairs of positive integers, got {shapes!r}")
    noise = [[] for _ in shapes]
    batches = []
    for seed in seeds:
        rng = np.random.default_rng(int(seed))
        for i, shape in enumerate(shapes):
            noise[i].append(rng.standard_normal(shape))
        if batch_size is not None:
            batches.append([rng.choice(n_train, batch_size, replace=False) for _ in range(steps)])
    noise = [jnp.asarray(np.stack(z), dtype) for z in noise]
    return noise, (None if batch_size is None else jnp.asarray(np.asarray(batches), jnp.int32))


@partial(jax.jit, static_argnames=("config", "frozen"))
def _sweep_jit(noise, batches, lams, data, scales, *, config, frozen=0):
    run = partial(train_run, config=config, frozen=frozen)
    over_seeds = jax.vmap(run, in_axes=(0, 0, None, None, None))
    over_lams = jax.vmap(over_seeds, in_axes=(None, None, 0, None, None))
    return over_lams(noise, batches, lams, data, scales)


#: activations per vmapped call (λ values × seeds × N × width) beyond which a bigger batch
#: stopped paying off on the 2-core CPU this was tuned on (benchmarks/bench_training.py)
CHUNK_ELEMENTS = 2**15


def chunk_size(n_lams: int, n_seeds: int, n_train: int, width: int) -> int:
    """λ values per vmapped call: as many as fit :data:`CHUNK_ELEMENTS` activations (≥ 1).

    >>> chunk_size(9, 3, 200, 2048), chunk_size(9, 3, 200, 16)
    (1, 3)
    """
    for name, value in (("n_lams", n_lams), ("n_seeds", n_seeds), ("n_train", n_train),
                        ("width", width)):  # fmt: skip
        check_int(name, value, minimum=1)
    return int(np.clip(CHUNK_ELEMENTS // max(1, n_seeds * n_train * width), 1, n_lams))


def _run_chunks(
    noise, batches, lams, arrays, scales, program, chunk, shard=True
) -> dict[str, np.ndarray]:
    """Dispatch ``_sweep_jit`` on consecutive chunks of λ (the last one padded: one program).

    With ``shard`` each call takes ``chunk`` λ values per device, split over every device
    (:mod:`theory._shard`); without, ``chunk`` λ values on the default device.
    """
    n = len(lams)
    block = chunk * (lane_devices() if shard else 1)
    padded = pad_lanes(lams, block)
    place = put_lanes if shard else (lambda x: x)
    parts = [
        gather(_sweep_jit(noise, batches, place(padded[i : i + block]), arrays, scales,
                          config=program[0], frozen=program[1]))
        for i in range(0, len(padded), block)
    ]  # fmt: skip
    return {k: np.concatenate([p[k] for p in parts])[:n] for k in parts[0]}


def check_seeds(seeds) -> list[int]:
    """A non-empty list of seeds (integers >= 0)."""
    if (
        isinstance(seeds, (str, bytes))
        or not isinstance(seeds, (list, tuple, np.ndarray))
        or len(seeds) == 0
    ):
        raise ValueError(f"seeds must be a non-empty list of integers >= 0, got {seeds!r}")
    return [check_seed("seeds", s) for s in seeds]


def _prepare(data: Dataset, layers, lr, base_lr, lam_sums, seeds, rho, config, dtype):
    """Checked inputs of :func:`sweep` as arrays, and the program that runs them: ``(config,
    frozen)`` (``"adamw-independent"`` runs as ``"adamw-coupled"`` with its own ``decay_lr``;
    ``frozen`` leading layers never change)."""
    check_config(config)
    check_dataset(data)
    layers = check_layers(layers)
    seeds = check_seeds(seeds)
    if layers[-1].fan_out != data.n_classes or layers[0].fan_in != data.input_dim:
        raise ValueError(
            f"layers must map input_dim={data.input_dim} to n_classes={data.n_classes}, got "
            f"{layers[0].fan_in} -> {layers[-1].fan_out}"
        )
    check_float_dtype("dtype", dtype)
    lams = check_nonnegative("lam_sums", lam_sums)
    if lams.ndim != 1 or lams.size == 0:
        raise ValueError(f"lam_sums must be a non-empty 1-d array, got shape {lams.shape}")
    lr_in = lr
    lr = check_nonnegative("lr", lr)
    if lr.ndim > 1 or lr.size not in (1, len(layers)):
        raise ValueError(f"lr must be one rate or one per layer ({len(layers)}), got {lr_in!r}")
    lr = np.broadcast_to(lr, (len(layers),))
    if not np.any(lr > 0):
        raise ValueError(f"lr must be > 0 for at least one layer, got {lr_in!r}")
    base_lr = lr.max() if base_lr is None else check_positive("base_lr", base_lr)
    if np.ndim(base_lr) != 0:
        raise ValueError(f"base_lr must be one number, got {base_lr!r}")
    rho_in = rho
    rho = np.ones(len(layers)) if rho is None else check_nonnegative("rho", rho)
    if rho.shape not in ((), (len(layers),)):
        raise ValueError(f"rho must be one factor or one per layer ({len(layers)}), got {rho_in!r}")
    rho = np.broadcast_to(rho, (len(layers),))
    arrays = (
        jnp.asarray(data.x_train, dtype),
        jnp.asarray(data.y_train, jnp.int32),
        jnp.asarray(data.x_test, dtype),
        jnp.asarray(data.y_test, jnp.int32),
    )
    # the rate that multiplies AdamW's decay, per layer (train_run): η_l coupled, η independent.
    # It is the only difference between the two variants, so both run the coupled program
    independent = config.optimizer == "adamw-independent"
    decay_lr = np.broadcast_to(base_lr, lr.shape) if independent else lr
    # leading layers whose every update is 0 (rate 0, and no AdamW decay): trained as frozen
    moves = (lr > 0) | ((rho > 0) & (decay_lr > 0) & (config.optimizer != "sgd"))
    frozen = int(np.argmax(moves))  # some layer has lr > 0 (checked above)
    program = (config._replace(optimizer="adamw-coupled") if independent else config, frozen)
    scales = (
        jnp.asarray([layer.multiplier for layer in layers], dtype),
        jnp.asarray([layer.init_std for layer in layers], dtype),
        jnp.asarray(lr, dtype),
        jnp.asarray(rho, dtype),
        jnp.asarray(decay_lr, dtype),
    )
    noise, batches = draw_noise(
        seeds,
        shapes=tuple((layer.fan_in, layer.fan_out) for layer in layers),
        steps=config.steps,
        batch_size=config.batch_size,
        n_train=len(data.y_train),
        dtype=dtype,
    )
    return noise, batches, jnp.asarray(lams, dtype), arrays, scales, program


def sweep(
    data: Dataset,
    layers: Sequence[Layer],
    *,
    lam_sums,
    seeds: Sequence[int],
    lr,
    base_lr: float | None = None,
    config: TrainConfig = DEFAULT_CONFIG,
    rho=None,
    dtype=jnp.float32,
    chunk: int | None = None,
    shard: bool = True,
) -> dict[str, np.ndarray]:
    """Train ``len(lam_sums) × len(seeds)`` networks, vmapped; arrays indexed ``[λ, seed]``.

    Each call of the compiled program trains ``chunk`` λ values × all seeds in one
    ``jax.vmap`` (default :func:`chunk_size`; ``chunk=len(lam_sums)`` is one vmap over
    everything).  On a CPU a batch much larger than the cache is slower, not faster.
    With ``shard`` (default) a call takes ``chunk`` λ values per JAX device and splits them
    over every device (:mod:`theory._shard`: forced CPU host devices, GPUs, hosts).

    ``lr`` is the per-layer ``η_l`` (a scalar broadcasts); ``base_lr`` the ``η`` of
    independent decay (default: the largest ``η_l``); ``rho`` per-layer penalty
    factors (default 1: every weight penalized).  The seed sets the initialization
    (the same for every λ) and the minibatch order.  Returns ``objective``
    ``[λ, seed, step]`` (training objective per step), ``train_loss``,
    ``train_objective``, ``train_loss_init`` (data loss at initialization), ``test_loss``,
    ``test_acc``, ``logit_rms`` ``[λ, seed]`` and
    per-layer ``sq_norm``, ``weight_rms``, ``grad_rms`` (RMS of the data-loss gradient
    over the layer's entries), ``weight_rms_init``, ``grad_rms_init`` ``[λ, seed, layer]``.

    >>> from training.data import teacher
    >>> from training.models import architecture
    >>> data = teacher(n_train=64, n_test=64, input_dim=4, n_classes=3)
    >>> layers = architecture(input_dim=4, width=16, depth=1, n_classes=3, parametrization="ntk")
    >>> out = sweep(data, layers, lam_sums=[1e-3, 1e-1], seeds=[0, 1, 2], lr=0.5,
    ...             config=TrainConfig(steps=50))
    >>> out["test_loss"].shape, out["objective"].shape
    ((2, 3), (2, 3, 50))
    >>> bool(np.all(out["objective"][..., -1] < out["objective"][..., 0]))
    True
    """
    noise, batches, lams, arrays, scales, program = _prepare(
        data, layers, lr, base_lr, lam_sums, seeds, rho, config, dtype
    )
    if chunk is None:
        width = max((layer.fan_out for layer in layers[:-1]), default=layers[0].fan_in)
        chunk = chunk_size(len(lams), len(seeds), len(data.y_train), width)
    chunk = check_int("chunk", chunk, minimum=1)
    shard = check_flag("shard", shard)
    return _run_chunks(noise, batches, lams, arrays, scales, program, chunk, shard=shard)


def sweep_loop(data: Dataset, layers: Sequence[Layer], **kwargs) -> dict[str, np.ndarray]:
    """The same as :func:`sweep` by a Python loop over λ (each call vmapped over seeds only):
    ``sweep(data, layers, chunk=1, shard=False, **kwargs)``, so it takes :func:`sweep`'s
    keywords but ``chunk`` and ``shard``.

    The baseline of the vmap benchmark; one compiled program serves every λ, and the
    results agree with :func:`sweep` to rounding.
    """
    return sweep(data, layers, chunk=1, shard=False, **kwargs)
