"""Random features: the Mei–Montanari fixed point solved numerically (JAX, float64).

A bracketed Newton iteration on the scalar χ equation (:func:`solve_chi`), jitted and
vmapped, run in float64 asked for locally (``jax.enable_x64``); the bias, variance and risk
in Mei–Montanari's variables ``(ψ1, ψ2, λ̄, ζ)``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import jax
import jax.numpy as jnp
import numpy as np
import sympy as sp

from theory._numeric import lambdify
from theory.checks import check_nonnegative, check_positive, check_representable
from theory.random_features._symbolic import (
    chi,
    chi_equation_compact,
    e_polynomials,
    lam_bar,
    psi1,
    psi2,
    zeta,
)


@cache
def _jax_fns() -> dict[str, Callable]:
    """JAX callables generated from the expressions above."""
    f = chi_equation_compact()
    e0, e1, e2 = (sp.horner(sp.expand(e), chi) for e in e_polynomials())
    args = [chi, psi1, psi2, lam_bar, zeta]
    eargs = [chi, psi1, psi2, zeta]
    return {
        "F": lambdify(f, args, backend="jax"),
        "dF": lambdify(sp.diff(f, chi), args, backend="jax"),
        "E0": lambdify(e0, eargs, backend="jax"),
        "E1": lambdify(e1, eargs, backend="jax"),
        "E2": lambdify(e2, eargs, backend="jax"),
    }


def _ridgeless_chi_jax(p, z):
    """:func:`ridgeless_chi_expr` in cancellation-free form (and valid at ζ = 0).

    The negative root of ``ζ²χ² + bχ − ψ`` (``b = ψζ² − ζ² − 1``) is
    ``−(b + s)/(2ζ²) = −2ψ/(s − b)``, ``s = (b² + 4ζ²ψ)^{1/2}``: the first form for b > 0,
    the second for b ≤ 0.
    """
    z2 = z * z
    b = p * z2 - z2 - 1.0
    s = jnp.sqrt(b * b + 4.0 * z2 * p)
    safe_z2 = jnp.where(b > 0, z2, 1.0)
    return jnp.where(b > 0, -(b + s) / (2.0 * safe_z2), -2.0 * p / (s - jnp.where(b > 0, 0.0, b)))


_MAX_ITER = 200


def _solve_chi_scalar(p1, p2, lb, z):
    """Safeguarded Newton on ``F(χ)`` over the bracket ``[χ0, 0]``; returns ``(χ, converged)``."""
    fns = _jax_fns()
    lo0 = _ridgeless_chi_jax(jnp.minimum(p1, p2), z)

    def cond(state):
        _, _, _, it, done = state
        return (it < _MAX_ITER) & ~done

    def body(state):
        x, lo, hi, it, _ = state
        f = fns["F"](x, p1, p2, lb, z)
        lo = jnp.where(f < 0, x, lo)  # F increases on the bracket
        hi = jnp.where(f > 0, x, hi)
        newton = x - f / fns["dF"](x, p1, p2, lb, z)
        tol = 4 * jnp.finfo(x.dtype).eps * jnp.abs(x)
        converged = (f == 0) | (jnp.abs(newton - x) <= tol)
        inside = (newton > lo) & (newton < hi)
        x_new = jnp.where(converged | inside, newton, 0.5 * (lo + hi))
        return x_new, lo, hi, it + 1, converged | (hi - lo <= 2 * tol)

    init = (0.5 * lo0, lo0, jnp.zeros_like(lo0), 0, lb == 0)
    x, lo, hi, it, done = jax.lax.while_loop(cond, body, init)
    x = jnp.where(lb == 0, lo0, x)
    return x, done | (lb == 0)


@jax.jit
def _solve_chi_batch(p1, p2, lb, z):
    return jax.vmap(_solve_chi_scalar)(p1, p2, lb, z)


def _bv_from_chi(c, p1, p2, z):
    fns = _jax_fns()
    e0 = fns["E0"](c, p1, p2, z)
    return fns["E1"](c, p1, p2, z) / e0, fns["E2"](c, p1, p2, z) / e0


@jax.jit
def _bias_variance_batch(p1, p2, lb, z):
    c, ok = jax.vmap(_solve_chi_scalar)(p1, p2, lb, z)
    b, v = _bv_from_chi(c, p1, p2, z)
    return b, v, c, ok


def _broadcast(**arrays: np.ndarray) -> tuple[tuple[int, ...], list[np.ndarray]]:
    shape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
    return shape, [np.broadcast_to(a, shape).ravel() for a in arrays.values()]


def _padded(fn: Callable, *flat: np.ndarray, minimum: int = 256) -> list[np.ndarray]:
    """``fn(*flat)`` in float64 (``jax.enable_x64``, here and nowhere else) with the batch
    padded to a power of two (>= ``minimum``), so that jit compiles once per size bucket
    rather than once per input size."""
    n = flat[0].size
    size = max(minimum, 1 << max(n - 1, 0).bit_length())
    with jax.enable_x64(True):
        padded = [jnp.asarray(np.concatenate([a, np.repeat(a[-1:], size - n)])) for a in flat]
        return [np.asarray(r)[:n] for r in fn(*padded)]


def _out(x) -> float | np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return float(x) if x.ndim == 0 else x


def _raise_unconverged(ok: np.ndarray, **inputs: np.ndarray) -> None:
    if np.all(ok):
        return
    bad = np.flatnonzero(~ok)[:5]
    detail = ", ".join(
        "(" + ", ".join(f"{k}={float(v[i]):.6g}" for k, v in inputs.items()) + ")" for i in bad
    )
    raise RuntimeError(
        f"the Mei–Montanari fixed point did not converge at {int((~ok).sum())} point(s), e.g. {detail}"
    )


#: largest ψ1 = P/d and ψ2 = N/d the float64 solvers accept: products such as ψ1ψ2 overflow
#: beyond about 1e306 (measured: at ψ1 = 1e307 :func:`optimal_lam_bar` returned λ̄* = 0 and
#: at 3e307 a tuned risk of 0, without an error); the wide limit (``wide_*``) covers P → ∞
PSI_MAX = 1e300


def check_psi(name: str, value) -> np.ndarray:
    """``value`` as float64, every entry in ``(0, PSI_MAX]`` (``ValueError`` naming ``name``).

    >>> check_psi("psi1", 1e301)
    Traceback (most recent call last):
    ...
    ValueError: psi1 must be <= 1e+300 (the float64 fixed point overflows beyond ~1e306; use the wide limit), got 1e+301
    """
    value = check_positive(name, value)
    if np.any(value > PSI_MAX):
        raise ValueError(
            f"{name} must be <= {PSI_MAX:g} (the float64 fixed point overflows beyond ~1e306; "
            f"use the wide limit), got {np.max(value):g}"
        )
    return value


def _mm_inputs(p1, p2, lb, z):
    p1 = check_psi("psi1", p1)
    p2 = check_psi("psi2", p2)
    lb = check_nonnegative("lam_bar", lb)
    z = check_nonnegative("zeta", z)
    return _broadcast(psi1=p1, psi2=p2, lam_bar=lb, zeta=z)


def solve_chi(psi1, psi2, lam_bar, *, zeta: float) -> float | np.ndarray:
    """``χ = ν1 ν2`` of the Mei–Montanari fixed point (float64 JAX, jit + vmap).

    Arguments broadcast.  Raises ``RuntimeError`` naming the offending ``(ψ1, ψ2, λ̄, ζ)``
    if Newton does not converge.

    >>> round(solve_chi(2.0, 3.0, 1.0, zeta=1.0), 10)
    -0.4568758206
    """
    shape, flat = _mm_inputs(psi1, psi2, lam_bar, zeta)
    c, ok = _padded(_solve_chi_batch, *flat)
    ok = ok & np.isfinite(c)
    _raise_unconverged(ok, psi1=flat[0], psi2=flat[1], lam_bar=flat[2], zeta=flat[3])
    return _out(c.reshape(shape))


def fixed_point_residual(psi1, psi2, lam_bar, *, zeta: float) -> float | np.ndarray:
    """Largest relative residual of the *original* two fixed-point equations at the solved ν1, ν2.

    With ``ξ = iy``, ``y = (ψ1ψ2λ̄)^{1/2} > 0``, the ν's are ``ν_a = i(ψ_a + h(χ))/y``
    (:func:`nu_from_chi`); this plugs them into :func:`fixed_point_equations`.  An
    independent check of the elimination (λ̄ > 0 only).  Meaningful where ``ψ_a + h(χ)``
    is not tiny, i.e. not for λ̄ ≪ 1e-6 (the reconstruction of ν then cancels).
    """
    c = np.asarray(solve_chi(psi1, psi2, lam_bar, zeta=zeta))
    p1, p2, lb, z = np.broadcast_arrays(
        *(np.asarray(a, float) for a in (psi1, psi2, lam_bar, zeta))
    )
    if np.any(lb <= 0):
        raise ValueError(f"lam_bar must be > 0 for the ν residual, got {lam_bar!r}")
    shape = p1.shape
    p1, p2, lb, z, c = (np.atleast_1d(a).astype(np.float64) for a in (p1, p2, lb, z, c))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        y = np.sqrt(p1 * p2 * lb)
        h = c + z**2 * c / (1 - z**2 * c)
        v1, v2 = 1j * (p1 + h) / y, 1j * (p2 + h) / y
        den = 1 - z**2 * v1 * v2
        r1 = v1 - p1 / (-1j * y - v2 - z**2 * v2 / den)
        r2 = v2 - p2 / (-1j * y - v1 - z**2 * v1 / den)
        residual = np.maximum(np.abs(r1) / np.abs(v1), np.abs(r2) / np.abs(v2)).reshape(shape)
    inputs = {"psi1": psi1, "psi2": psi2, "lam_bar": lam_bar, "zeta": zeta}
    return _out(check_representable(residual, what="fixed-point residual", inputs=inputs))


def bias_variance(psi1, psi2, lam_bar, *, zeta: float) -> tuple:
    """``(B, V)`` of the asymptotic test error at ``(ψ1, ψ2, λ̄)``; arguments broadcast.

    ``B`` multiplies ``F1²`` and ``V`` multiplies ``τ² + F*²``.  At λ̄ = 0 and ψ1 = ψ2
    both are infinite (the interpolation peak).

    >>> import math
    >>> [round(x, 4) for x in bias_variance(2.0, 3.0, 1.1008, zeta=math.sqrt(math.pi / (math.pi - 2)))]
    [0.3987, 0.185]
    """
    shape, flat = _mm_inputs(psi1, psi2, lam_bar, zeta)
    b, v, c, ok = _padded(_bias_variance_batch, *flat)
    ok = ok & np.isfinite(c)
    _raise_unconverged(ok, psi1=flat[0], psi2=flat[1], lam_bar=flat[2], zeta=flat[3])
    peak = (np.asarray(flat[2]) == 0) & (np.asarray(flat[0]) == np.asarray(flat[1]))
    b, v = np.where(peak, np.inf, b), np.where(peak, np.inf, v)
    inputs = {"psi1": psi1, "psi2": psi2, "lam_bar": lam_bar, "zeta": zeta}
    check_representable(np.stack([b, v]), what="bias and variance", inputs=inputs, exempt=peak)
    return _out(b.reshape(shape)), _out(v.reshape(shape))


def mm_risk(
    psi1, psi2, lam_bar, *, zeta: float, signal_var=1.0, noise_var, nonlinear_var=0.0
) -> float | np.ndarray:
    """Asymptotic excess test error ``F1² B + (τ² + F*²) V + F*²`` in Mei–Montanari's variables.

    ``lam_bar`` is ``λ̄ = λ_MM/μ*²``; ``signal_var`` = F1², ``noise_var`` = τ², ``nonlinear_var``
    = F*².  The noise τ² of a test label is *not* included.
    """
    f1 = check_nonnegative("signal_var", signal_var)
    t2 = check_nonnegative("noise_var", noise_var)
    fs = check_nonnegative("nonlinear_var", nonlinear_var)
    b, v = bias_variance(psi1, psi2, lam_bar, zeta=zeta)
    with np.errstate(invalid="ignore", over="ignore"):  # 0 weight × infinite part counts as 0
        bias = np.where(f1 == 0, 0.0, f1 * np.asarray(b))
        variance = np.where(t2 + fs == 0, 0.0, (t2 + fs) * np.asarray(v))
        risk = bias + variance + fs
    peak = np.isinf(b) | np.isinf(v)  # λ̄ = 0 and ψ1 = ψ2 (bias_variance checked the rest)
    inputs = {
        "psi1": psi1,
        "psi2": psi2,
        "lam_bar": lam_bar,
        "zeta": zeta,
        "signal_var": signal_var,
        "noise_var": noise_var,
        "nonlinear_var": nonlinear_var,
    }
    return _out(check_representable(risk, what="risk", inputs=inputs, exempt=peak))  # fmt: skip


def ridgeless_chi(psi, *, zeta: float) -> float | np.ndarray:
    """Numeric :func:`ridgeless_chi_expr` (``psi`` = min(ψ1, ψ2))."""
    p = check_positive("psi", psi)
    z = check_nonnegative("zeta", zeta)
    with jax.enable_x64(True):
        c = np.asarray(_ridgeless_chi_jax(jnp.asarray(p), jnp.asarray(z)))
    inputs = {"psi": psi, "zeta": zeta}
    return _out(check_representable(c, what="ridgeless chi", inputs=inputs, positive=True))
