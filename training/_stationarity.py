"""What a run of :mod:`training.stationary` reached: :func:`diagnose` (plain and kink-aware
stationarity, the objective's decrease, balance; the measures are defined in that module's
docstring), with the forward pass at given ReLU slopes it needs.  ``config`` is a
:class:`training.stationary.StationaryConfig` (not imported: that module imports this one)."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from training.models import apply
from training.train import cross_entropy, penalty

# ---------------------------------------------------------------- forward with given slopes


def _preactivations(weights, mults, x) -> list:
    """Pre-activations ``h_l`` (n, width) of the hidden layers."""
    hs, h = [], x
    for w, m in zip(weights[:-1], mults[:-1], strict=True):
        h = m * (h @ w)
        hs.append(h)
        h = jax.nn.relu(h)
    return hs


def _apply_slopes(weights, mults, x, slopes):
    """Logits with ``relu'(h)`` replaced by ``slopes[l]`` (same value, other derivative).

    ``sg(relu(h)) + d (h − sg(h))`` equals ``relu(h)`` and has derivative ``d`` in ``h``.
    """
    h = x
    for i, (w, m) in enumerate(zip(weights, mults, strict=True)):
        h = m * (h @ w)
        if i < len(weights) - 1:
            sg = jax.lax.stop_gradient
            h = sg(jax.nn.relu(h)) + slopes[i] * (h - sg(h))
    return h


def _sq(tree) -> jax.Array:
    return sum(jnp.sum(t * t) for t in tree)


def _clarke(weights, mults, x, y, lam, *, config) -> tuple[jax.Array, jax.Array]:
    """``(min ‖∇E‖ over kink slopes (upper bound), fraction of pairs at a kink)``."""
    hs = _preactivations(weights, mults, x)
    masks = [jnp.abs(h) < config.kink_tol * jnp.sqrt(jnp.mean(h * h)) for h in hs]
    base = [(h > 0).astype(h.dtype) for h in hs]

    def slopes_of(s):
        return [jnp.where(m, si, b) for m, si, b in zip(masks, s, base, strict=True)]

    def sq_grad(s):
        g = jax.grad(
            lambda w: (
                cross_entropy(_apply_slopes(w, mults, x, slopes_of(s)), y)
                + lam * penalty(w, [1.0] * len(w))
            )
        )(weights)
        return 0.5 * _sq(g)

    n_pairs = sum(m.size for m in masks)
    kink = sum(jnp.sum(m) for m in masks) / n_pairs
    if config.clarke_steps == 0:
        return jnp.sqrt(2 * sq_grad(base)), kink
    grad_s = jax.grad(sq_grad)
    # step 1/L from a few power iterations of the Hessian in s at the start
    v = [m.astype(h.dtype) for m, h in zip(masks, hs, strict=True)]

    def power(v, _):
        hv = jax.jvp(grad_s, (base,), (v,))[1]
        hv = [jnp.where(m, a, 0.0) for m, a in zip(masks, hv, strict=True)]
        norm = jnp.sqrt(_sq(hv)) + 1e-300
        return [a / norm for a in hv], norm

    _, norms = jax.lax.scan(power, v, length=config.power_steps)
    step = 1.0 / (1.5 * norms[-1] + 1e-300)

    def fista(carry, k):
        s, s_prev, best = carry
        z = [a + (k - 1) / (k + 2) * (a - b) for a, b in zip(s, s_prev, strict=True)]
        value, g = jax.value_and_grad(sq_grad)(z)
        new = [jnp.clip(a - step * b, 0.0, 1.0) for a, b in zip(z, g, strict=True)]
        return (new, s, jnp.minimum(best, value)), None

    (s, _, best), _ = jax.lax.scan(
        fista, (base, base, sq_grad(base)), jnp.arange(1.0, config.clarke_steps + 1)
    )
    best = jnp.minimum(best, sq_grad(s))
    return jnp.sqrt(2 * best), kink


def diagnose(weights, weights_init, trace, mults, x, y, lam, *, config) -> dict:
    """Stationarity and balance of one run (see the module docstring); ``trace`` (T,)."""
    n = len(weights)
    rho = [1.0] * n

    def objective(w):
        return cross_entropy(apply(w, mults, x), y) + lam * penalty(w, rho)

    value, grad = jax.value_and_grad(objective)(weights)
    pen_grad = [2 * lam * w for w in weights]
    pen_norm = jnp.sqrt(_sq(pen_grad))
    clarke, kink = _clarke(weights, mults, x, y, lam, config=config)
    k = config.window
    sq = jnp.stack([jnp.sum(w * w) for w in weights])
    unit_in = [jnp.sum(w * w, axis=0) for w in weights[:-1]]  # (width,) per hidden layer
    unit_out = [jnp.sum(w * w, axis=1) for w in weights[1:]]
    diff = sum(jnp.sum(jnp.abs(a - b)) for a, b in zip(unit_in, unit_out, strict=True))
    tot = sum(jnp.sum(a + b) for a, b in zip(unit_in, unit_out, strict=True))
    # Euler identity: ‖in_j‖² − ‖out_j‖² = (⟨g_in_j, in_j⟩ − ⟨g_out_j, out_j⟩) / (2λ)
    euler = [
        (jnp.sum(gi * wi, axis=0) - jnp.sum(go * wo, axis=1)) / (2 * lam)
        for gi, wi, go, wo in zip(grad[:-1], weights[:-1], grad[1:], weights[1:], strict=True)
    ]
    euler_err = sum(
        jnp.sum(jnp.abs(e - (a - b))) for e, a, b in zip(euler, unit_in, unit_out, strict=True)
    ) / (tot + 1e-300)
    data_loss = value - lam * jnp.sum(sq)
    return {
        "objective": value,
        "train_loss": data_loss,
        "grad_ratio": jnp.sqrt(_sq(grad)) / pen_norm,
        "grad_ratio_layers": jnp.stack(
            [
                jnp.sqrt(jnp.sum(g * g)) / (2 * lam * jnp.sqrt(s))
                for g, s in zip(grad, sq, strict=True)
            ]
        ),
        "clarke_ratio": clarke / pen_norm,
        "kink_fraction": kink,
        "rel_decrease": (trace[-k - 1] - trace[-1]) / (k * jnp.abs(trace[-1])),
        "unit_imbalance": diff / (tot + 1e-300),
        "euler_error": euler_err,
        "layer_share": sq / jnp.sum(sq),
        "sq_norm": sq,
        "sq_norm_init": jnp.stack([jnp.sum(w * w) for w in weights_init]),
        "penalty_share": lam * jnp.sum(sq) / value,
    }
