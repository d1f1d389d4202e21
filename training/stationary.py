r"""Full-batch training *to stationarity*, with the stationarity and balance it reached.

The objective is that of :mod:`training.train` (DESIGN §2), every weight penalized:

.. math::  E(W) = \frac1N \sum_i \mathrm{CE}(f(x_i), y_i) + \lambda_{\rm sum} \sum_l \lVert W_l \rVert_F^2,

minimized in each parametrization's *own* coordinates ``W_l`` (forward multipliers
``m_l``, :mod:`training.models`) from its natural initialization ``W_l = s_l z_l``.

Optimizer (chosen by measurement, see the pilot numbers in :data:`StationaryConfig`):
``optax.lbfgs`` with its zoom line search, a fixed number of iterations in
``jax.lax.scan`` (opt-in, :attr:`StationaryConfig.stop_decrease`: a ``while_loop`` that
stops a lane once its relative decrease stalls), one run per lane (network of the same
shapes × λ × seed; the lanes in turn on each device, :func:`_lanes_in_turn`), in float64
(asked for locally, ``jax.enable_x64``).  For comparison, :func:`budget_sweep` runs the momentum GD of
:mod:`training.train` for a fixed number of steps on the same lanes.

What every run reports (:func:`diagnose`):

* **plain stationarity** ``grad_ratio = ‖∇E‖ / ‖∇(λ R)‖`` (``‖∇(λR)‖ = 2λ‖W‖``), also per
  layer.  In ReLU networks it stalls near 0.03–0.1: pre-activations pile up at the kinks.
* **kink-aware (Clarke/Goldstein) stationarity** ``clarke_ratio``: the smallest
  ``‖∇E‖ / ‖∇(λR)‖`` over ReLU slopes ``relu'(h) ∈ [0, 1]`` for the (sample, unit) pairs
  with ``|h| < kink_tol · rms(h)`` (per layer); the other pairs keep their slope 0 or 1.
  These are the gradients of nearby differentiable points (an ε-subdifferential with ε of
  the order of ``kink_tol``), so a small value certifies approximate stationarity.  The
  minimum over the slopes is searched by projected gradient with Nesterov momentum
  (convex for one hidden layer, multilinear beyond); the value found is an *upper
  bound* on that minimum.
* **objective decrease** ``rel_decrease``: ``(E_{T-k} − E_T) / (k E_T)``, the relative
  decrease per iteration over the last ``k = window`` iterations.
* **balance** in the multiplier-free coordinates ``V_l = M^(1/L) W_l`` (a uniform
  rescaling, so ratios are the same in ``W``): at a stationary point the rescaling
  ``W_l[:, j] → t W_l[:, j]``, ``W_{l+1}[j, :] → W_{l+1}[j, :]/t`` (unit ``j``) and
  ``W_l → t W_l``, ``W_k → W_k / t`` (layers) leave ``f`` unchanged, so the derivative of
  ``E`` along them, ``2λ(‖in_j‖² − ‖out_j‖²)`` and ``2λ(‖W_l‖² − ‖W_k‖²)``, vanishes.
  ``unit_imbalance = Σ_j |‖in_j‖² − ‖out_j‖²| / Σ_j (‖in_j‖² + ‖out_j‖²)`` (weighted by
  the unit's norm, so units that died and decay to zero do not dominate) and the
  per-layer penalty shares ``‖W_l‖² / Σ_k ‖W_k‖²`` (``1/L`` each at stationarity).  The
  identity ``‖in_j‖² − ‖out_j‖² = (⟨∇_{in_j} E, in_j⟩ − ⟨∇_{out_j} E, out_j⟩) / (2λ)``
  holds at every point (Euler, ``relu'(h) h = relu(h)``), so balance follows from a
  small gradient; it is tested.

:func:`meets_criterion` states the stationarity criterion used by the figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from theory._shard import gather, lane_devices, over_lane_devices, pad_lanes, put_lanes
from theory.checks import check_flag, check_fraction, check_int, check_nonnegative, check_positive
from training._stationarity import diagnose
from training.data import Dataset
from training.models import Layer, apply, check_layers
from training.train import check_dataset, check_seeds, cross_entropy, draw_noise, penalty

__all__ = ["StationaryConfig", "check_config", "CRITERION", "meets_criterion", "diagnose"]
__all__ += ["stationary_sweep", "budget_sweep", "evaluate"]


class StationaryConfig(NamedTuple):
    """Static settings of the L-BFGS runs and of the diagnostics (hashable: a compile key).

    Pilot (digits, N = 50, one hidden layer, standard, widths 16–512, λ 1e-4…1e-1): after
    500 iterations the test loss agrees with 2000 iterations to 3e-3 and λ* to < 0.05
    decade; the plain ratio stays at 0.03–0.05 however long one runs; with
    ``kink_tol = 1e-3`` the kink-aware ratio is 0.005–0.03.
    """

    iterations: int = 400
    memory_size: int = 10
    max_linesearch_steps: int = 20
    window: int = 50  # iterations over which rel_decrease is measured
    kink_tol: float = 1e-3  # |h| < kink_tol · rms(h of the layer): the pair is at a kink
    clarke_steps: int = 20  # projected-gradient steps of the kink-aware measure (0: none)
    power_steps: int = 4  # power iterations for the step size of those steps
    trace_every: int = 10  # keep every n-th objective value of the trace
    #: stop a run once its relative decrease per iteration over the last ``window``
    #: iterations is <= this (None: always run ``iterations``).  Opt-in: the figures run
    #: the full budget; a stopped run is exactly the first ``iterations_run`` iterations
    #: of the full one, so its end point is less converged (the lane then reports
    #: ``iterations_run``)
    stop_decrease: float | None = None


DEFAULT_CONFIG = StationaryConfig()


def check_config(config) -> StationaryConfig:
    """``ValueError`` naming the field for a :class:`StationaryConfig` that cannot run."""
    if not isinstance(config, StationaryConfig):
        raise ValueError(f"config must be a StationaryConfig, got {config!r}")
    for name in ("iterations", "memory_size", "max_linesearch_steps", "window", "power_steps",
                 "trace_every"):  # fmt: skip
        check_int(f"config.{name}", getattr(config, name), minimum=1)
    check_int("config.clarke_steps", config.clarke_steps, minimum=0)
    if config.iterations <= config.window:
        raise ValueError(
            f"config.iterations must exceed config.window={config.window}, got {config.iterations}"
        )
    tol = config.kink_tol
    if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not 0 < tol < 1:
        raise ValueError(f"config.kink_tol must be a number in (0, 1), got {tol!r}")
    stop = config.stop_decrease
    if stop is not None and (
        isinstance(stop, bool) or not isinstance(stop, (int, float)) or not 0 < stop < np.inf
    ):
        raise ValueError(f"config.stop_decrease must be None or a number > 0, got {stop!r}")
    return config


#: the stationarity criterion of the figures: kink-aware ratio and relative decrease per
#: iteration (both measured over the last ``window`` iterations of the run)
CRITERION = {"clarke_ratio": 0.03, "rel_decrease": 1e-6}


def meets_criterion(result: dict, criterion: dict | None = None) -> np.ndarray:
    """Boolean array: runs whose ``clarke_ratio`` and ``rel_decrease`` are below the limits."""
    crit = CRITERION if criterion is None else criterion
    if not isinstance(crit, dict) or not crit:
        raise ValueError(f"criterion must be a non-empty dict of limits, got {criterion!r}")
    if not isinstance(result, dict):
        raise ValueError(f"result must be a dict of diagnostics, got {result!r}")
    for key, limit in crit.items():
        if key not in result:
            raise ValueError(f"result has no {key!r} (criterion keys: {sorted(crit)})")
        check_nonnegative(f"criterion[{key!r}]", limit)
    ok = np.ones(np.shape(result[next(iter(crit))]), bool)
    for key, limit in crit.items():
        value = np.asarray(result[key])
        ok &= np.isfinite(value) & (value <= limit)
    return ok


# ---------------------------------------------------------------- one run, and the lanes


def _lbfgs_run(noise, lam, x, y, mult, init_std, *, config: StationaryConfig) -> dict:
    n = len(noise)
    mults = [mult[i] for i in range(n)]
    w0 = [init_std[i] * z for i, z in enumerate(noise)]

    def objective(w):
        return cross_entropy(apply(w, mults, x), y) + lam * penalty(w, [1.0] * n)

    opt = optax.lbfgs(
        memory_size=config.memory_size,
        linesearch=optax.scale_by_zoom_linesearch(max_linesearch_steps=config.max_linesearch_steps),
    )
    value_and_grad = optax.value_and_grad_from_state(objective)

    def step(carry, _):
        w, state = carry
        value, grad = value_and_grad(w, state=state)
        updates, state = opt.update(grad, state, w, value=value, grad=grad, value_fn=objective)
        return (optax.apply_updates(w, updates), state), value

    if config.stop_decrease is None:
        (w, _), trace = jax.lax.scan(step, (w0, opt.init(w0)), length=config.iterations)
        trace = jnp.concatenate([trace[1:], objective(w)[None]])  # E after each iteration
        out = diagnose(w, w0, trace, mults, x, y, lam, config=config)
    else:
        w, trace, last, ran = _until_stalled(step, w0, opt.init(w0), objective, config=config)
        out = diagnose(w, w0, last, mults, x, y, lam, config=config)
        out["iterations_run"] = ran
    out["trace"] = trace[config.trace_every - 1 :: config.trace_every]
    out["weights"] = w
    return out


def _until_stalled(step, w0, state0, objective, *, config: StationaryConfig):
    """The iterations of ``step`` (the scan's body) until the relative decrease per
    iteration over the last ``window`` iterations is <= ``config.stop_decrease``, at most
    ``config.iterations``: the final weights, E after each iteration (held at its final
    value after the stop), E after the last ``window + 1`` iterations run (what
    :func:`diagnose` reads) and the number of iterations run.
    """
    k, n = config.window, config.iterations
    # seen[t] = E after t iterations, known once iteration t + 1 has evaluated it
    seen0 = jnp.full(n + 1, jnp.inf, dtype=w0[0].dtype)

    def going(carry):
        _, _, t, seen = carry
        newest, old = seen[t - 1], seen[jnp.maximum(t - 1 - k, 0)]
        stalled = (t > k) & ((old - newest) / (k * jnp.abs(newest)) <= config.stop_decrease)
        return (t < n) & ~stalled

    def body(carry):
        w, state, t, seen = carry
        (w, state), value = step((w, state), None)
        return w, state, t + 1, seen.at[t].set(value)

    w, _, t, seen = jax.lax.while_loop(going, body, (w0, state0, jnp.asarray(0), seen0))
    final = objective(w)
    seen = jnp.where(jnp.arange(n + 1) >= t, final, seen)
    last = jax.lax.dynamic_slice(seen, (t - k,), (k + 1,))
    return w, seen[1:], last, t


def _gd_run(noise, lam, x, y, mult, init_std, lr, *, steps, momentum, config) -> dict:
    """Heavy-ball GD on ``E`` as in :mod:`training.train` (``optimizer="sgd"``, full batch)."""
    n = len(noise)
    mults = [mult[i] for i in range(n)]
    w0 = [init_std[i] * z for i, z in enumerate(noise)]

    def objective(w):
        return cross_entropy(apply(w, mults, x), y) + lam * penalty(w, [1.0] * n)

    def step(carry, _):
        w, v = carry
        value, g = jax.value_and_grad(objective)(w)
        v = [momentum * vi + gi for vi, gi in zip(v, g, strict=True)]
        w = [wi - lr[i] * vi for i, (wi, vi) in enumerate(zip(w, v, strict=True))]
        return (w, v), value

    zeros = [jnp.zeros_like(w) for w in w0]
    (w, _), trace = jax.lax.scan(step, (w0, zeros), length=steps)
    trace = jnp.concatenate([trace[1:], objective(w)[None]])
    out = diagnose(w, w0, trace, mults, x, y, lam, config=config)
    out["weights"] = w
    return out


def _lanes_in_turn(run, lanes, noise, lams, x, y, mult, init_std):
    """``run`` on every lane ``(net, λ, seed)`` of ``lanes`` [n, 3] one after another
    (``lax.map``); every output has the lane axis first.

    Vmapped, the zoom line search (a ``while_loop`` of conds) steps every lane until the
    slowest is done and runs both branches of each ``cond``.  In turn, 27 lanes dealt out to 2
    devices by :func:`_lane_order` run 3.6-7.0x faster than vmapped (warm calls,
    ``benchmarks/bench_stationary.py``); 1.2-1.5x of that is the lane-by-lane split, against
    splitting the λ axis.  The rounding differs from the vmapped program's and 1000
    iterations amplify it: digits width 8, objectives within 2.4e-4 (relative
    1e-4), test losses within 1.1e-2 -- how loosely those runs pin their end point.
    """

    def one(lane):
        k, j, s = lane[0], lane[1], lane[2]
        return run([z[s] for z in noise], lams[k, j], x, y, mult[k], init_std[k])

    return jax.lax.map(one, lanes)


@partial(jax.jit, static_argnames=("config", "shard"))
def _stationary_jit(lanes, noise, lams, x, y, mult, init_std, *, config, shard):
    body = partial(_lanes_in_turn, partial(_lbfgs_run, config=config))
    if shard:  # each device runs its block of the lanes (axis 0) in turn
        body = over_lane_devices(
            body, lane_args=(True, False, False, False, False, False, False), axis=0
        )
    return body(lanes, noise, lams, x, y, mult, init_std)


def _lane_order(n_nets: int, n_lams: int, n_seeds: int, devices: int):
    """The ``(net, λ, seed)`` lanes [n, 3] in the order the devices take them, and ``back``
    [n_nets·n_lams·n_seeds]: the rows of that order that hold the lanes in (net, λ, seed)
    order.

    The lanes are padded (the last one repeated) to a multiple of ``devices`` and dealt out
    round-robin, so that device ``d``'s contiguous block holds lanes ``d, d + devices, …``:
    they split as evenly as they divide (27 lanes on 2 devices: 14 and 13 plus the repeat,
    where splitting the λ axis alone gave each device 2 λ × 9 lanes), and with few devices
    each block mixes networks and λ of different cost.

    >>> lanes, back = _lane_order(1, 3, 1, 2)
    >>> lanes.tolist(), back.tolist()
    ([[0, 0, 0], [0, 2, 0], [0, 1, 0], [0, 2, 0]], [0, 2, 1])
    """
    grid = np.stack(np.meshgrid(*map(np.arange, (n_nets, n_lams, n_seeds)), indexing="ij"), -1)
    lanes = grid.reshape(-1, 3)
    n = len(lanes)
    lanes = np.asarray(pad_lanes(lanes, devices))  # the last lane repeated
    order = np.arange(len(lanes)).reshape(-1, devices).T.ravel()  # device-major
    return lanes[order], np.argsort(order)[:n]


@partial(jax.jit, static_argnames=("steps", "momentum", "config"))
def _budget_jit(noise, lams, x, y, mult, init_std, lr, *, steps, momentum, config):
    def run(noise, lam, x, y, mult, init_std, lr):
        return _gd_run(
            noise, lam, x, y, mult, init_std, lr, steps=steps, momentum=momentum, config=config
        )

    over_seeds = jax.vmap(run, in_axes=(0, None, None, None, None, None, None))
    over_lams = jax.vmap(over_seeds, in_axes=(None, 0, None, None, None, None, None))
    over_nets = jax.vmap(over_lams, in_axes=(None, 0, None, None, 0, 0, 0))
    return over_nets(noise, lams, x, y, mult, init_std, lr)


@jax.jit
def _evaluate_jit(weights, mult, x, y):
    def one(w, m):
        logits = apply(w, [m[i] for i in range(len(w))], x)
        return cross_entropy(logits, y), jnp.mean(jnp.argmax(logits, axis=-1) == y)

    flat = [w.reshape((-1,) + w.shape[3:]) for w in weights]  # [net·λ·seed, ...]
    n_lanes = weights[0].shape[0] * weights[0].shape[1] * weights[0].shape[2]
    m = jnp.repeat(mult, n_lanes // mult.shape[0], axis=0)
    loss, acc = jax.vmap(one)(flat, m)
    shape = weights[0].shape[:3]
    return loss.reshape(shape), acc.reshape(shape)


# ---------------------------------------------------------------- public doors


def _prepare(data: Dataset, nets, lam_sums, seeds, pad_input):
    if isinstance(nets, (str, bytes)) or not isinstance(nets, Sequence) or len(nets) < 1:
        raise ValueError(f"nets must be a non-empty list of architectures, got {nets!r:.80}")
    nets = [check_layers(layers, f"nets[{i}]") for i, layers in enumerate(nets)]
    seeds = check_seeds(seeds)
    shapes = [tuple((l.fan_in, l.fan_out) for l in layers) for layers in nets]
    if len(set(shapes)) != 1:
        raise ValueError(f"nets must share one architecture's shapes, got {shapes}")
    lams = check_positive("lam_sums", lam_sums)
    if lams.ndim != 2 or lams.shape[0] != len(nets):
        raise ValueError(f"lam_sums must have shape (len(nets), n_lams), got {lams.shape}")
    check_dataset(data)
    d = data.input_dim
    if shapes[0][0][0] != d:
        raise ValueError(f"nets must take input_dim={d}, got fan_in {shapes[0][0][0]}")
    pad = d if pad_input is None else int(pad_input)
    if pad < d:
        raise ValueError(f"pad_input must be >= input_dim={d}, got {pad_input!r}")
    noise, _ = draw_noise(
        seeds, shapes=shapes[0], steps=0, batch_size=None, n_train=len(data.y_train),
        dtype=jnp.float64,
    )  # fmt: skip
    # zero input features (and zero rows of the first layer) do not change the problem;
    # they let data sets of different input_dim share one compiled program
    noise[0] = jnp.pad(noise[0], ((0, 0), (0, pad - d), (0, 0)))
    x = jnp.pad(jnp.asarray(data.x_train, jnp.float64), ((0, 0), (0, pad - d)))
    mult = jnp.asarray([[l.multiplier for l in layers] for layers in nets], jnp.float64)
    std = jnp.asarray([[l.init_std for l in layers] for layers in nets], jnp.float64)
    return noise, jnp.asarray(lams), x, jnp.asarray(data.y_train, jnp.int32), mult, std, pad


def evaluate(data: Dataset, weights, mult) -> tuple[np.ndarray, np.ndarray]:
    """Test cross-entropy and accuracy ``[net, λ, seed]`` of weights from a sweep."""
    check_dataset(data)
    with jax.enable_x64(True):
        pad = weights[0].shape[-2]
        x = jnp.pad(jnp.asarray(data.x_test, jnp.float64), ((0, 0), (0, pad - data.input_dim)))
        loss, acc = _evaluate_jit(weights, jnp.asarray(mult), x, jnp.asarray(data.y_test))
        return np.asarray(loss), np.asarray(acc)


def _shard_lams(lams, shard: bool):
    """``lams`` (nets, n_lams) padded and split along λ over every device; and ``n_lams``."""
    n_lams = lams.shape[1]
    if not shard:
        return lams, n_lams
    return put_lanes(pad_lanes(lams, lane_devices(), axis=1), axis=1), n_lams


def _unpad(out: dict, n_lams: int) -> dict:
    """Every ``[net, λ, ...]`` array of a sweep's output cut back to the ``n_lams`` asked for."""
    return jax.tree.map(lambda a: a[:, :n_lams], out)


def _finish(out, data, mult, keep_weights) -> dict[str, np.ndarray]:
    test_loss, test_acc = evaluate(data, out["weights"], mult)
    result = {k: np.asarray(v) for k, v in out.items() if k != "weights"}
    result["test_loss"], result["test_acc"] = test_loss, test_acc
    if keep_weights:
        result["weights"] = [np.asarray(w) for w in out["weights"]]
    return result


def stationary_sweep(
    data: Dataset,
    nets: Sequence[Sequence[Layer]],
    *,
    lam_sums,
    seeds: Sequence[int],
    config: StationaryConfig = DEFAULT_CONFIG,
    pad_input: int | None = None,
    keep_weights: bool = False,
    shard: bool = True,
) -> dict:
    """L-BFGS to stationarity for every network × λ × seed; arrays ``[net, λ, seed]``.

    ``nets``: architectures with the same shapes (e.g. the three parametrizations of one
    width); ``lam_sums`` (len(nets), n_lams): λ_sum per network.  The seed sets the
    noise ``z`` of the initialization ``W_l = s_l z_l`` (:func:`training.train.draw_noise`:
    the same for every network and λ).  ``pad_input`` pads the inputs with zero features
    (and the first layer with zero rows that stay zero) so that data sets of different
    ``input_dim`` share a compiled program.  Returns the keys of :func:`diagnose` plus
    ``trace`` (objective every ``trace_every`` iterations), ``test_loss``, ``test_acc``
    and, if ``keep_weights``, the final ``weights`` (one array per layer).  With ``shard``
    (default) the (net, λ, seed) lanes are split over every JAX device
    (:mod:`theory._shard`, :func:`_lane_order`).

    >>> from training.data import teacher
    >>> from training.models import architecture
    >>> data = teacher(n_train=20, n_test=50, input_dim=3, n_classes=2)
    >>> nets = [architecture(input_dim=3, width=4, depth=1, n_classes=2, parametrization=p)
    ...         for p in ("standard", "ntk")]
    >>> out = stationary_sweep(data, nets, lam_sums=[[1e-2], [1e-2]], seeds=[0, 1],
    ...                        config=StationaryConfig(iterations=60, clarke_steps=5))
    >>> out["clarke_ratio"].shape, out["layer_share"].shape
    ((2, 1, 2), (2, 1, 2, 2))
    """
    check_config(config)
    shard = check_flag("shard", shard)
    with jax.enable_x64(True):
        noise, lams, x, y, mult, std, _ = _prepare(data, nets, lam_sums, seeds, pad_input)
        shard = shard and lane_devices() > 1
        n_nets, n_lams = lams.shape
        lanes, back = _lane_order(n_nets, n_lams, len(seeds), lane_devices() if shard else 1)
        lanes = jnp.asarray(lanes, jnp.int32)
        out = _stationary_jit(
            put_lanes(lanes) if shard else lanes, noise, lams, x, y, mult, std, config=config,
            shard=shard,
        )  # fmt: skip
        out = jax.tree.map(
            lambda a: a[back].reshape((n_nets, n_lams, len(seeds)) + a.shape[1:]), gather(out)
        )
        return _finish(out, data, mult, keep_weights)


def budget_sweep(
    data: Dataset,
    nets: Sequence[Sequence[Layer]],
    *,
    lam_sums,
    seeds: Sequence[int],
    lr,
    steps: int = 160,
    momentum: float = 0.9,
    config: StationaryConfig = DEFAULT_CONFIG,
    pad_input: int | None = None,
    shard: bool = True,
) -> dict:
    """Heavy-ball GD for a fixed number of ``steps`` on the lanes of :func:`stationary_sweep`.

    ``lr`` (len(nets), n_layers): per-layer learning rates ``η_l`` of each network.  The
    same diagnostics (``config`` sets the kink tolerance and window) tell how far from
    stationary the budget leaves each run.
    """
    check_config(config)
    if int(steps) != steps or steps <= config.window:
        raise ValueError(f"steps must be an integer > window={config.window}, got {steps!r}")
    momentum = check_fraction("momentum", momentum)  # in [0, 1)
    shard = check_flag("shard", shard)
    with jax.enable_x64(True):
        noise, lams, x, y, mult, std, _ = _prepare(data, nets, lam_sums, seeds, pad_input)
        lr = check_nonnegative("lr", lr)
        if lr.shape != (len(nets), len(nets[0])):
            raise ValueError(f"lr must have shape (len(nets), n_layers), got {lr.shape}")
        lams, n_lams = _shard_lams(lams, shard)
        out = _budget_jit(
            noise, lams, x, y, mult, std, jnp.asarray(lr), steps=int(steps),
            momentum=float(momentum), config=config,
        )  # fmt: skip
        return _finish(_unpad(gather(out), n_lams), data, mult, False)
