r"""The replica fixed point of ridge-regularized logistic regression in the Gaussian covariate model.

Setting (Loureiro et al. 2021, arXiv 2102.08127, in the toolkit's convention)
----------------------------------------------------------------------------
Teacher features ``u ∈ R^k`` and student features ``x ∈ R^p`` are jointly Gaussian with
``E uuᵀ = Ψ``, ``E xuᵀ = Φ``, ``E xxᵀ = Ω``; ``ν = θ0·u/√k``, ``ε ~ N(0, 1)``,
``Δ = noise_var``.  Two teachers (:data:`TEACHERS`):

* ``"sign"``: ``y = sign(ν + √Δ ε)`` (``Δ = 0``: the noiseless sign teacher; Aubin et al. 2020);
* ``"logit"``: ``y = +1`` with probability ``σ(ν + √Δ ε)``, ``σ(t) = 1/(1 + e^{−t})`` (the
  logistic model of Sur & Candès 2019 and Salehi et al. 2019, whose signal strength is
  ``γ² = Var ν = ρ``; ``Δ = 0`` there).
The student ``f(x) = w·x/√p`` minimizes

.. math::  \frac1N \sum_{i=1}^N \log\bigl(1 + e^{-y_i f(x_i)}\bigr) + \lambda \sum_j w_j^2 ,

the NTK readout with the sum penalty; Loureiro et al.'s ``Σ ℓ + (λ_L/2)‖w‖²`` has
``λ_L = 2Nλ``.  With ``w̃ = w/√p``, ``θ̃ = θ0/√k``, the overlaps are ``ρ = θ̃ᵀΨθ̃``,
``m = w̃ᵀΦθ̃``, ``q = w̃ᵀΩw̃`` and ``V`` (the susceptibility), and ``(h, ν)`` of a fresh
sample is Gaussian with covariance ``[[q, m], [m, ρ]]``.

Equations (α = N/p; ``Ω = Σ_i ω_i u_i u_iᵀ``, ``t_i = (u_iᵀΦθ̃)²``)
--------------------------------------------------------------------
Prior (ridge) side::

    V = (1/p) Σ_i ω_i/(λ_L + V̂ω_i),     m = m̂ Σ_i t_i/(λ_L + V̂ω_i),
    q = m̂² Σ_i t_i ω_i/(λ_L + V̂ω_i)² + q̂ (1/p) Σ_i ω_i²/(λ_L + V̂ω_i)².

Channel side, with ``prox(y, ω, V) = argmin_x (x − ω)²/(2V) + ℓ(yx)``,
``f = (prox − ω)/V``, ``ω = √q ξ``, ``μ = (m/√q) ξ``, ``s = ρ − m²/q`` and the teacher's
``Z0(y, μ, s) = P(y | ν ~ N(μ, s))``: ``Φ_N(yμ/(s + Δ)^{1/2})`` (sign) or
``E_z σ(y(μ + (s + Δ)^{1/2} z))`` (logit)::

    V̂ = −α E_ξ Σ_y Z0 ∂_ω f,   q̂ = α E_ξ Σ_y Z0 f²,   m̂ = α E_ξ Σ_y ∂_μ Z0 f.

By the symmetry ``(y, ω) → (−y, −ω)`` each ``Σ_y`` is twice its ``y = +1`` term.  The test
error is ``arccos(m/√((ρ + Δ) q))/π`` for the sign teacher and ``2 E_ξ[1(ξ > 0)(1 − Z0(+1))]``
(the probability that ``sign ω ≠ y``) for the logit one.

Numerics
--------
The prox (``z − ω − Vσ(−z) = 0`` for ``y = +1``; the root lies in ``[ω, ω + V]``) is solved
by safeguarded Newton, vectorized.  ``E_ξ`` is composite Gauss–Legendre on ``[−L, L]``
split at ``0`` and ``±b``, ``b = 6/κ``, where ``Z0 = Φ_N(κ ξ)`` turns from 0 to 1 (a
Gauss–Hermite rule would smear that step when the estimator is well aligned, ``κ ≫ 1``).
The logit ``Z0`` is an inner ``E_z`` by the same composite rule, split at ``0, ±4`` and where
the sigmoid's argument crosses ``0`` and ``±8`` (a Gauss–Hermite rule converges slowly once ``σ(μ + √s z)``
is steep in ``z``, i.e. for a strong teacher ``s ≫ 1``).
The iteration is damped and stops when the relative change of ``(m, q, V)`` is below
``tol``; it runs under ``jax.jit`` + ``jax.vmap`` over λ, in float64 asked for locally.
"""

from __future__ import annotations

import math
from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

TEACHERS = ("sign", "logit")

_L = 10.0  # E_ξ over [−L, L]: the Gaussian tail beyond is e^{−50}
_NODES = 32  # Gauss–Legendre nodes per sub-interval
_BISECT = 50  # bisections of the prox bracket [ω, ω + V]
_NEWTON = 6  # then Newton steps (quadratic convergence from a bracket of width V·2^−50)
_INNER = 16  # Gauss–Legendre nodes per sub-interval (7 of them) of the logit teacher's E_z
_LOGIT_VAR = math.pi**2 / 3  # variance of the logistic law: σ(t) ≈ Φ_N(t/√(π²/3)) for widths
_SQRT2PI = math.sqrt(2.0 * math.pi)


class Spectrum(NamedTuple):
    """``Ω``'s eigenvalues ``omega`` with multiplicities ``mult`` (``Σ mult = p``), the teacher
    projections ``t_i`` (summed over each eigenspace) and ``ρ = θ̃ᵀΨθ̃``."""

    omega: np.ndarray
    t: np.ndarray
    mult: np.ndarray
    rho: float

    @property
    def n_features(self) -> float:
        return float(np.sum(self.mult))


class GCMState(NamedTuple):
    """Raw solver output (arrays over the λ batch)."""

    m: np.ndarray
    q: np.ndarray
    V: np.ndarray
    m_hat: np.ndarray
    q_hat: np.ndarray
    V_hat: np.ndarray
    test_error: np.ndarray
    test_loss: np.ndarray
    train_loss: np.ndarray
    n_iter: np.ndarray
    converged: np.ndarray


def _phi(x):
    return jnp.exp(-0.5 * x * x) / _SQRT2PI


def _Phi(x):
    return 0.5 * jax.scipy.special.erfc(-x / math.sqrt(2.0))


def _prox_plus(omega, V):
    """``z = prox(+1, ω, V)``: the root of ``g(z) = z − ω − Vσ(−z)`` in ``[ω, ω + V]``.

    ``g`` increases but changes convexity at 0, so plain Newton can cycle: ``_BISECT``
    bisections shrink the bracket to ``V·2^−50``, then ``_NEWTON`` Newton steps (clipped to the
    bracket) reach machine precision.
    """

    def bisect(_, state):
        lo, hi = state
        mid = 0.5 * (lo + hi)
        g = mid - omega - V * jax.nn.sigmoid(-mid)
        return jnp.where(g < 0, mid, lo), jnp.where(g < 0, hi, mid)

    def newton(_, state):
        z, lo, hi = state
        g = z - omega - V * jax.nn.sigmoid(-z)
        s = jax.nn.sigmoid(z) * jax.nn.sigmoid(-z)
        return jnp.clip(z - g / (1.0 + V * s), lo, hi), lo, hi

    lo, hi = jax.lax.fori_loop(0, _BISECT, bisect, (omega, omega + V))
    z, _, _ = jax.lax.fori_loop(0, _NEWTON, newton, (0.5 * (lo + hi), lo, hi))
    return z


def _nodes(kappa):
    """Composite Gauss–Legendre nodes on ``[−L, L]`` and weights including the N(0,1) density."""
    r, g = np.polynomial.legendre.leggauss(_NODES)
    r, g = jnp.asarray(r), jnp.asarray(g)
    b = 6.0 / jnp.maximum(kappa, 12.0 / _L)  # <= L/2; no inf*0 in the derivative at κ = 0
    edges = jnp.stack([-_L, -b, 0.0 * b, b, _L + 0.0 * b])
    lo, hi = edges[:-1, None], edges[1:, None]
    x = (0.5 * (hi - lo) * r[None, :] + 0.5 * (hi + lo)).ravel()
    w = (0.5 * (hi - lo) * g[None, :]).ravel() * _phi(x)
    return x, w


def _logit_z0(mu, s):
    """``Z0(+1, μ, s) = E_z σ(μ + √s z)`` and ``∂_μ Z0 = E_z σ'(μ + √s z)`` for each ``μ``.

    Composite Gauss–Legendre in ``z`` on ``[−L, L]`` split at ``0, ±4`` (for the Gaussian
    weight) and at the sigmoid's centre ``z_c = −μ/√s`` and ``z_c ± 8/√s`` (clipped): there the
    sigmoid's argument spans 8 units, beyond it is within e^−8 of 0 or 1 and smooth.
    """
    r, g = np.polynomial.legendre.leggauss(_INNER)
    r, g = jnp.asarray(r), jnp.asarray(g)
    sd = jnp.sqrt(jnp.maximum(s, 1e-300))
    zc = -mu / sd
    span = 8.0 / sd
    fixed = jnp.broadcast_to(jnp.array([-_L, -4.0, 0.0, 4.0, _L]), (*mu.shape, 5))
    moving = jnp.clip(jnp.stack([zc - span, zc, zc + span], axis=-1), -_L, _L)
    edges = jnp.sort(jnp.concatenate([fixed, moving], axis=-1), axis=-1)
    lo, hi = edges[..., :-1, None], edges[..., 1:, None]
    z = 0.5 * (hi - lo) * r + 0.5 * (hi + lo)
    w = 0.5 * (hi - lo) * g * _phi(z)
    arg = mu[..., None, None] + sd * z
    sig = jax.nn.sigmoid(arg)
    return jnp.sum(w * sig, axis=(-2, -1)), jnp.sum(w * sig * jax.nn.sigmoid(-arg), axis=(-2, -1))


def _teacher(teacher, mu, s, sd):
    """``Z0(+1, μ)`` and ``∂_μ Z0(+1, μ)`` of the ``teacher`` at ``s + Δ`` (``sd`` its root)."""
    if teacher == "sign":
        return _Phi(mu / sd), _phi(mu / sd) / sd
    return _logit_z0(mu, s)


def _channel(m, q, V, rho, delta, alpha, teacher):
    """Hats, the per-sample losses and the test error at the overlaps ``(m, q, V)``."""
    s = jnp.maximum(rho - m * m / q, 0.0) + delta
    sd = jnp.sqrt(jnp.maximum(s, 1e-300))
    slope = m / jnp.sqrt(q)  # μ = slope·ξ
    width = sd if teacher == "sign" else jnp.sqrt(s + _LOGIT_VAR)
    xi, wq = _nodes(jnp.abs(slope / width))
    omega = jnp.sqrt(q) * xi
    z = _prox_plus(omega, V)
    f = jax.nn.sigmoid(-z)  # f_out = (prox − ω)/V for y = +1
    sz = jax.nn.sigmoid(z) * f
    zp, dzp = _teacher(teacher, slope * xi, s, sd)
    z0 = 2.0 * wq * zp  # Σ_y Z0 = 2 × (y = +1) term
    dz0 = 2.0 * wq * dzp
    V_hat = alpha * jnp.sum(z0 * sz / (1.0 + V * sz))
    q_hat = alpha * jnp.sum(z0 * f * f)
    m_hat = alpha * jnp.sum(dz0 * f)
    train = jnp.sum(z0 * jax.nn.softplus(-z))
    test = jnp.sum(z0 * jax.nn.softplus(-omega))
    if teacher == "sign":
        cos = m / jnp.sqrt((rho + delta) * q)
        error = jnp.arccos(jnp.clip(cos, -1.0, 1.0)) / jnp.pi
    else:
        error = 2.0 * jnp.sum(jnp.where(xi > 0, wq * (1.0 - zp), 0.0))
    return m_hat, q_hat, V_hat, train, test, error


def _prior(m_hat, q_hat, V_hat, lam_l, omega, t, mult):
    p = jnp.sum(mult)
    den = lam_l + V_hat * omega
    V = jnp.sum(mult * omega / den) / p
    m = m_hat * jnp.sum(t / den)
    q = m_hat**2 * jnp.sum(t * omega / den**2) + q_hat * jnp.sum(mult * omega**2 / den**2) / p
    return m, q, V


def _state(x):
    """``(m, q, V)`` from the Newton variables ``x = (m/√q, log q, log V)``."""
    q, V = jnp.exp(x[1]), jnp.exp(x[2])
    return x[0] * jnp.sqrt(q), q, V


def _variables(m, q, V):
    """The Newton variables ``x = (m/√q, log q, log V)`` of ``(m, q, V)``, on the last axis
    (the inverse of :func:`_state`)."""
    return jnp.stack([m / jnp.sqrt(q), jnp.log(q), jnp.log(V)], axis=-1)


def _residual(x, lam_l, prob, teacher):
    """``x' − x`` for one round of the fixed-point map in the variables ``(m/√q, log q, log V)``."""
    omega, t, mult, rho, delta, alpha = prob
    m, q, V = _state(x)
    mh, qh, vh, _, _, _ = _channel(m, q, V, rho, delta, alpha, teacher)
    m2, q2, V2 = _prior(mh, qh, vh, lam_l, omega, t, mult)
    q2 = jnp.maximum(q2, 1e-300)
    return jnp.stack([m2 / jnp.sqrt(q2) - x[0], jnp.log(q2) - x[1], jnp.log(V2) - x[2]])


def _newton(x0, lam_l, prob, tol, max_iter, teacher):
    """Newton on the residual with backtracking on ``‖r‖``; returns ``(x, max|r|, iterations)``."""

    def res(x):
        return _residual(x, lam_l, prob, teacher)

    def cond(state):
        _, r, it = state
        bad = ~jnp.all(jnp.isfinite(r))
        return (it < max_iter) & ~(jnp.max(jnp.abs(r)) < tol) & ~bad

    def body(state):
        x, r, it = state
        jac = jax.jacfwd(res)(x)
        dx = jnp.linalg.solve(jac, -r)
        dx = jnp.where(jnp.all(jnp.isfinite(dx)), dx, -r)  # singular: a plain iteration step
        dx = dx * jnp.minimum(1.0, 2.0 / jnp.max(jnp.abs(dx)))  # at most a factor e^2 per step
        norm = jnp.sum(r * r)

        def ls_cond(ls):
            step, r_new, k = ls
            worse = ~(jnp.sum(r_new * r_new) < (1.0 - 1e-4 * step) * norm)
            return worse & (k < 40)

        def ls_body(ls):
            step, _, k = ls
            step = 0.5 * step
            return step, res(x + step * dx), k + 1

        step, r_new, _ = jax.lax.while_loop(ls_cond, ls_body, (1.0, res(x + dx), 0))
        return x + step * dx, r_new, it + 1

    x, r, it = jax.lax.while_loop(cond, body, (x0, res(x0), 0))
    return x, jnp.max(jnp.abs(r)), it


def _start(lam_l, prob, teacher):
    """The λ → ∞ solution to leading order in 1/λ_L (:func:`.large_lambda_hats`): ``m̂ → α E ∂_μZ0``
    over ``ν ~ N(0, ρ + Δ)``, i.e. ``α/√(2π(ρ + Δ))`` (sign) or ``α E σ'(ν)`` (logit)."""
    omega, t, mult, rho, delta, alpha = prob
    if teacher == "sign":
        m_hat = alpha / jnp.sqrt(2 * jnp.pi * (rho + delta))
    else:
        m_hat = alpha * _logit_z0(jnp.zeros(1), rho + delta)[1][0]
    return _variables(*_prior(m_hat, alpha / 4.0, alpha / 4.0, lam_l, omega, t, mult))


def _outputs(x, lam_l, prob, teacher):
    omega, t, mult, rho, delta, alpha = prob
    m, q, V = _state(x)
    mh, qh, vh, train, test, error = _channel(m, q, V, rho, delta, alpha, teacher)
    return m, q, V, mh, qh, vh, error, test, train


@partial(jax.jit, static_argnames="teacher")
def _continuation(lam_path, prob, tol, max_iter, teacher):
    """Solve along ``lam_path`` (decreasing), each solve started from the previous solution."""

    def one(x, lam_l):
        x_new, err, _ = _newton(x, lam_l, prob, tol, max_iter, teacher)
        ok = err < tol
        x_next = jnp.where(ok, x_new, x)
        return x_next, (x_new, ok)

    x0 = _start(lam_path[0], prob, teacher)
    _, (xs, oks) = jax.lax.scan(one, x0, lam_path)
    return xs, oks


@partial(jax.jit, static_argnames="teacher")
def _polish(x0, lam_l, prob, tol, max_iter, teacher):
    """Newton at every λ of the batch (``jax.vmap``), started from ``x0``; then the outputs."""

    def one(x, lam):
        x, err, it = _newton(x, lam, prob, tol, max_iter, teacher)
        out = _outputs(x, lam, prob, teacher)
        return (*out, it, (err < tol) & jnp.all(jnp.isfinite(jnp.stack(out))))

    return jax.vmap(one)(x0, lam_l)


def _bucket(n: int, minimum: int = 8) -> int:
    return max(minimum, 1 << max(n - 1, 0).bit_length())


def _pad(a: np.ndarray, size: int) -> np.ndarray:
    return np.concatenate([a, np.repeat(a[-1:], size - a.shape[0], axis=0)])


def problem(spectrum: Spectrum, *, alpha: float, noise_var: float) -> tuple:
    """The fixed point's data ``(ω, t, mult, ρ, Δ, α)`` as float64 JAX arrays, the spectrum
    padded to a power of two (≥ 64; padded eigenvalues 1 with multiplicity 0 and no teacher
    weight, so every sum is unchanged) so that spectra of similar sizes share one compiled
    solver.  Call it with x64 on (``jax.enable_x64(True)``)."""
    size = _bucket(spectrum.omega.size, minimum=64)
    pad = size - spectrum.omega.size
    f64 = jnp.float64
    return (
        jnp.asarray(np.concatenate([spectrum.omega, np.ones(pad)]), f64),
        jnp.asarray(np.concatenate([spectrum.t, np.zeros(pad)]), f64),
        jnp.asarray(np.concatenate([spectrum.mult, np.zeros(pad)]), f64),
        jnp.asarray(spectrum.rho, f64),
        jnp.asarray(noise_var, f64),
        jnp.asarray(alpha, f64),
    )


def solve_spectrum(
    lam_l: np.ndarray,
    spectrum: Spectrum,
    *,
    alpha: float,
    noise_var: float,
    teacher: str = "sign",
    tol: float = 1e-10,
    max_iter: int = 100,
    per_decade: int = 4,
) -> GCMState:
    """Solve the fixed point for every ``λ_L`` in the 1-d array ``lam_l`` (inputs validated by
    the caller).  Returns float64 NumPy arrays; ``converged`` flags each λ.

    A continuation path (``per_decade`` points per decade of λ_L, from ``max(λ_L, 100 α)``
    down, where the map is nearly the λ → ∞ one) gives each λ a start inside Newton's basin;
    the batch is then polished with Newton under ``jax.vmap``.  A λ that the batch leaves
    unconverged is solved once more on its own, from the solution at the nearest converged λ
    of the batch (:func:`_retry`), and flagged only if that fails too.
    """
    lam_l = np.asarray(lam_l, dtype=np.float64)
    top = max(float(lam_l.max()), 100.0 * alpha * float(np.max(spectrum.omega)))
    bottom = float(lam_l.min())
    n_path = int(np.ceil(per_decade * np.log10(top / bottom))) + 1
    path = np.logspace(np.log10(top), np.log10(bottom), n_path)
    path_size = _bucket(n_path, minimum=64)
    size = _bucket(lam_l.size, minimum=16)
    with jax.enable_x64(True):
        f64 = jnp.float64
        prob = problem(spectrum, alpha=alpha, noise_var=noise_var)
        tol_, it_ = jnp.asarray(tol, f64), jnp.asarray(max_iter, jnp.int64)
        xs, oks = _continuation(
            jnp.asarray(_pad(path, path_size), f64), prob, tol_, it_, teacher=teacher
        )
        xs, oks = np.asarray(xs)[:n_path], np.asarray(oks)[:n_path]
        # start each λ from the nearest converged path point at or above it
        idx = np.searchsorted(-path, -lam_l, side="right") - 1
        idx = np.clip(idx, 0, n_path - 1)
        good = np.flatnonzero(oks)
        if good.size:
            idx = np.array([good[good <= i][-1] if np.any(good <= i) else good[0] for i in idx])
        x0 = xs[idx]
        out = _polish(
            jnp.asarray(_pad(x0, size), f64),
            jnp.asarray(_pad(lam_l, size), f64),
            prob,
            tol_,
            it_,
            teacher=teacher,
        )
        out = [np.asarray(a)[: lam_l.size] for a in out]
        if not out[-1].all() and out[-1].any():
            out = _retry(out, lam_l, prob, tol_, it_, teacher)
    return GCMState(*out)


def _retry(out: list, lam_l: np.ndarray, prob, tol, max_iter, teacher: str) -> list:
    """Newton once more, one λ at a time, for each λ of ``out`` (``_polish``'s fields) not
    converged, started from the solution at the nearest converged λ (in log λ).

    Why: Newton's iterates are the same function of ``x`` in every program, but XLA compiles
    the batch into one program whose rounding depends on the batch size (and, it seems, on
    the host: earlier hosts ran the same batch, same package versions, without a stall).  On
    an AMD EPYC host (jaxlib 0.10.2) the 32-λ batch of ``figures.ce_risk`` at N = P = 200
    stalled at λ = 1.78e-7, residual 3.2e-8 after 100 iterations: its last Newton step was
    rejected by the line search every time, while the same start converged in 4 iterations
    on its own, in a batch of 16, or in the same batch of 32 with a ``jax.debug.print``
    added to the loop (the cause inside XLA's code was not isolated).
    The retry is judged by the same residual tolerance, so nothing unconverged is returned
    as converged.
    """
    ok = out[-1]
    good = np.flatnonzero(ok)
    x_good = _variables(*out[:3])[good]
    out = [a.copy() for a in out]
    for i in np.flatnonzero(~ok):
        j = np.argmin(np.abs(np.log(lam_l[good]) - np.log(lam_l[i])))
        one = _polish(
            jnp.asarray(x_good[j : j + 1]),
            jnp.asarray(lam_l[i : i + 1]),
            prob,
            tol,
            max_iter,
            teacher=teacher,
        )
        for field, value in zip(out, one, strict=True):
            field[i] = np.asarray(value)[0]
    return out
