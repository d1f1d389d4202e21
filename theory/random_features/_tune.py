"""Random features: the λ̄ ≥ 0 minimizing the asymptotic risk (JAX, float64, vmapped).

A grid over ``log λ̄`` refined by golden section, with λ̄* = 0.0 exactly where interpolation
is optimal; in Mei–Montanari's variables (:func:`theory.random_features.optimal_lambda`
maps to the toolkit's λ).
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from theory.checks import check_nonnegative, check_positive, check_representable
from theory.random_features._solve import (
    _broadcast,
    _bv_from_chi,
    _out,
    _padded,
    _raise_unconverged,
    _ridgeless_chi_jax,
    _solve_chi_scalar,
    check_psi,
)

# ---------------------------------------------------------------- tuned λ

#: search grid for log λ̄ (λ̄ = λ_MM/μ*² is O(1/ψ2) at the optimum)
_LOG_GRID = np.linspace(np.log(1e-9), np.log(1e5), 309)
_GOLDEN_ITERS = 60


def _risk_chi(c, p1, p2, z, wb, wv):
    b, v = _bv_from_chi(c, p1, p2, z)
    return wb * b + wv * v


def _opt_scalar(p1, p2, z, wb, wv):
    grid = jnp.asarray(_LOG_GRID)

    def objective(t):  # risk (up to the constant F*²) at λ̄ = exp(t), vectorized over t
        c, _ = jax.vmap(_solve_chi_scalar, in_axes=(None, None, 0, None))(p1, p2, jnp.exp(t), z)
        return _risk_chi(c, p1, p2, z, wb, wv)

    values = objective(grid)
    values = jnp.where(jnp.isnan(values), jnp.inf, values)
    k = jnp.argmin(values)
    step = grid[1] - grid[0]
    a = jnp.where(k == 0, grid[0] - 20 * step, grid[jnp.maximum(k - 1, 0)])
    b = grid[jnp.minimum(k + 1, grid.size - 1)]
    g = (math.sqrt(5) - 1) / 2

    def golden(_, state):  # shrink [a, b] around the minimum, keeping the best point seen
        a, b, t_best, r_best = state
        x1, x2 = b - g * (b - a), a + g * (b - a)
        r = objective(jnp.stack([x1, x2]))
        left = r[0] <= r[1]
        t_new, r_new = jnp.where(left, x1, x2), jnp.minimum(r[0], r[1])
        better = r_new <= r_best
        return (
            jnp.where(left, a, x1),
            jnp.where(left, x2, b),
            jnp.where(better, t_new, t_best),
            jnp.where(better, r_new, r_best),
        )

    init = (a, b, grid[k], values[k])
    _, _, t_best, r_best = jax.lax.fori_loop(0, _GOLDEN_ITERS, golden, init)
    # λ̄ = 0 is the end point χ = χ0 of the solution branch; χ increases with λ̄, so the
    # risk increases at λ̄ = 0+ iff ∂R/∂χ(χ0) >= 0.
    c0 = _ridgeless_chi_jax(jnp.minimum(p1, p2), z)
    r0 = _risk_chi(c0, p1, p2, z, wb, wv)
    slope0 = jax.grad(_risk_chi)(c0, p1, p2, z, wb, wv)
    zero = (p1 != p2) & (slope0 >= 0) & (r0 <= r_best)
    return jnp.where(zero, 0.0, jnp.exp(t_best)), jnp.where(zero, r0, r_best)


@jax.jit
def _opt_batch(p1, p2, z, wb, wv):
    return jax.vmap(_opt_scalar)(p1, p2, z, wb, wv)


def optimal_lam_bar(
    psi1, psi2, *, zeta: float, signal_var=1.0, noise_var, nonlinear_var=0.0
) -> tuple:
    """``(λ̄*, R*)``: the λ̄ >= 0 minimizing :func:`mm_risk` and the tuned excess risk.

    Minimizes over ``log λ̄`` on a grid (``1e-9 ... 1e5``) and refines by golden section,
    vectorized with ``jax.vmap``.  ``λ̄* = 0.0`` *exactly* when interpolation is optimal:
    the risk increases at λ̄ = 0+ (sign of ``∂R/∂χ`` at the ridgeless χ0) and the
    ridgeless risk is no larger than anywhere on the grid.
    """
    f1 = check_positive("signal_var", signal_var)
    t2 = check_nonnegative("noise_var", noise_var)
    fs = check_nonnegative("nonlinear_var", nonlinear_var)
    p1 = check_psi("psi1", psi1)
    p2 = check_psi("psi2", psi2)
    z = check_nonnegative("zeta", zeta)
    inputs = {"psi1": psi1, "psi2": psi2, "zeta": zeta, "signal_var": signal_var,
              "noise_var": noise_var, "nonlinear_var": nonlinear_var}  # fmt: skip
    with np.errstate(over="ignore", invalid="ignore"):
        wv = t2 + fs
    check_representable(wv, what="noise_var + nonlinear_var", inputs=inputs)
    shape, flat = _broadcast(p1=p1, p2=p2, z=z, wb=f1, wv=wv)
    lam, r = _padded(_opt_batch, *flat, minimum=32)
    ok = np.isfinite(lam) & np.isfinite(r)
    weights = {"signal_var": flat[3], "noise_var+nonlinear_var": flat[4]}
    _raise_unconverged(ok, psi1=flat[0], psi2=flat[1], zeta=flat[2], **weights)
    with np.errstate(over="ignore", invalid="ignore"):
        risk = (r + np.broadcast_to(fs, shape).ravel()).reshape(shape)
    check_representable(risk, what="tuned risk", inputs=inputs)
    return _out(lam.reshape(shape)), _out(risk)
