r"""Linear ridge regression: the finite-N Bayes-optimal λ, proportional asymptotics, simulation.

Setting and conventions (DESIGN §2).  Rows ``x_i ~ N(0, I_d)``, ``y = X β + ε`` with
``ε ~ N(0, σ² I_N)`` and the prior ``β ~ N(0, s² d^(-κ) I_d)``: κ = 1 is "fixed total
signal" (``E‖β‖² = α² = s²``), κ = 0 "fixed per-weight variance".  The estimator minimizes

.. math::  \frac1N \|y - Xw\|^2 + \lambda \sum_j w_j^2
           \quad(\text{no factor } \tfrac12;\ \text{mean normalization: } \lambda_{\rm mean} = d\,\lambda_{\rm sum}),

i.e. ``ŵ = (X'X/N + λ I)^(-1) X'y/N``.  Risk is the excess risk
``E_x (x·ŵ − x·β)² = ‖ŵ − β‖²`` (add σ² for the prediction risk); ``γ = d/N``.

What is derived here (each a function returning a SymPy expression):

* :func:`bayes_optimal_lambda_expr` -- the ridge λ whose solution is the posterior mean,
  from the MAP ⇔ prior identity of :mod:`theory.prior`: ``λ*_sum = σ² d^κ / (N s²)``.
  The posterior mean minimizes the posterior expected ``‖ŵ − β‖²`` for every data set,
  so this λ is optimal at every finite N and for any design.
* :func:`risk_integrand_expr` -- the expected error along one eigendirection of
  ``X'X/N`` with eigenvalue ``x``, from the normal equations; :func:`risk_expr` is its
  average over the spectrum written with the Stieltjes transform ``m``: Dobriban & Wager's
  ``R(λ) = α² λ² m'(−λ) + γσ² (m(−λ) − λ m'(−λ))``.  Their λ is ours: they fit
  ``(X'X + Nλ I)^(-1) X'y`` (checked against simulation in ``tests/test_linear.py``).
* :func:`optimal_lambda_expr` -- the root of ``∂R/∂λ``.  The derivative of the integrand
  is ``2x(α²λ − γσ²)/(x + λ)³``: every eigendirection is minimized at the same λ, so
  ``λ* = γσ²/α²`` for *any* spectrum (hence also conditionally on X at finite N).
* :func:`stieltjes_expr` -- the Marchenko–Pastur Stieltjes transform at ``z = −λ``: the
  root of ``γ z m² − (1 − γ − z) m + 1 = 0`` with ``m(z) ~ −1/z`` as ``z → −∞``.
* :func:`optimal_risk_expr` (``R* = γσ² m(−λ*)``), :func:`ridgeless_risk_expr` (λ → 0⁺
  on each side of γ = 1) and :func:`finite_ridgeless_risk_expr` (Gaussian design, exact).

The numeric twins are vectorized, float64 NumPy functions (:func:`asymptotic_risk` has a
jittable JAX core, :data:`asymptotic_risk_jax`); :func:`monte_carlo_risk` simulates.

>>> round(asymptotic_risk(0.5, gamma=0.5, noise_var=1.0, signal_var=1.0), 12)
0.414213562373
>>> optimal_lambda(gamma=0.5, noise_var=1.0, signal_var=1.0)
0.5
>>> optimal_lambda(gamma=0.5, noise_var=1.0, signal_var=1.0, normalization="mean", n_features=200)
100.0
"""

from __future__ import annotations

from functools import cache
from typing import Literal, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import numpy.typing as npt
import sympy as sp

from theory import _symbols as S
from theory._latex import register
from theory._numeric import lambdify
from theory._validate import (
    as_float_array,
    cache_checked,
    check_choice,
    check_expr,
    check_int,
    check_nonnegative,
    check_positive,
    check_representable,
    check_seed,
    check_width,
)
from theory.prior import (
    NORMALIZATIONS,
    lambda_sum_from_mean_expr,
    prior_variance_expr,
    to_sum,
)

__all__ = [
    "x",
    "m_val",
    "dm_val",
    "prior_weight_variance_expr",
    "bayes_optimal_lambda_expr",
    "risk_integrand_expr",
    "risk_expr",
    "optimal_lambda_expr",
    "mp_equation_expr",
    "stieltjes_expr",
    "stieltjes_derivative_expr",
    "risk_explicit_expr",
    "optimal_risk_expr",
    "optimal_risk_explicit_expr",
    "ridgeless_risk_expr",
    "inverse_wishart_trace_expr",
    "finite_ridgeless_risk_expr",
    "bayes_optimal_lambda",
    "mp_stieltjes",
    "mp_stieltjes_derivative",
    "asymptotic_risk",
    "asymptotic_risk_jax",
    "optimal_lambda",
    "optimal_risk",
    "ridgeless_risk",
    "finite_ridgeless_risk",
    "ridge_risk_path",
    "MonteCarloRisk",
    "monte_carlo_risk",
]

Normalization = Literal["sum", "mean"]
Regime = Literal["under", "over"]
REGIMES = ("under", "over")

#: an eigenvalue of the sample covariance X'X/N
x = sp.Symbol("x", nonnegative=True)
#: the MP Stieltjes transform m(−λ) and its derivative m'(−λ), as symbols for display
m_val = sp.Symbol(r"m(-\lambda)", positive=True)
dm_val = sp.Symbol(r"m'(-\lambda)", positive=True)
#: a generic Stieltjes-transform value and argument for the MP equation
_m = sp.Symbol("m")
_z = sp.Symbol("z")


# ---------------------------------------------------------------- finite-N Bayes λ*


def prior_weight_variance_expr() -> sp.Expr:
    """Prior variance of one weight, ``s² d^(-κ)`` (κ = 1: ``E‖β‖² = s²``)."""
    return S.s2 * S.d ** (-S.kappa)


@cache_checked
def bayes_optimal_lambda_expr(normalization: Normalization = "sum") -> sp.Expr:
    r"""The ridge λ whose solution is the posterior mean under ``β ~ N(0, s² d^(-κ) I)``.

    Solves ``σ²/(N λ) = s² d^(-κ)`` (the MAP ⇔ prior identity of
    :func:`theory.prior.prior_variance_expr`) for λ; the Gaussian posterior's mode is
    its mean.  Mean normalization maps through
    :func:`theory.prior.lambda_sum_from_mean_expr` with ``P = d`` penalized weights.

    >>> bayes_optimal_lambda_expr("sum")
    \sigma^{2}*d**\kappa/(N*s^{2})
    >>> bayes_optimal_lambda_expr("mean")
    \sigma^{2}*d**(\kappa + 1)/(N*s^{2})
    """
    check_choice("normalization", normalization, NORMALIZATIONS)
    v = prior_variance_expr("squared", "sum")
    (lam_sum,) = sp.solve(sp.Eq(v, prior_weight_variance_expr()), S.lam)
    if normalization == "sum":
        return sp.powsimp(lam_sum)
    (lam_mean,) = sp.solve(sp.Eq(lambda_sum_from_mean_expr().subs(S.P, S.d), lam_sum), S.lam_mean)
    return sp.powsimp(lam_mean)


# ---------------------------------------------------------------- risk and λ*


@cache
def risk_integrand_expr() -> sp.Expr:
    r"""``d`` × the expected squared error along an eigendirection of ``X'X/N`` with eigenvalue ``x``.

    In that direction the normal equations read ``(x + λ) w = x β + ξ`` with
    ``E β² = α²/d`` and ``ξ = (X'ε/N)`` projected, ``E ξ² = σ² x / N``, independent of β.
    The risk conditional on X is the average of this over the ``d`` eigenvalues, so the
    asymptotic risk is its integral against the Marchenko–Pastur law (``d/N → γ``).

    >>> risk_integrand_expr()
    (\alpha^{2}*lambda**2 + \gamma*\sigma^{2}*x)/(lambda + x)**2
    """
    beta, xi, w = sp.symbols("beta xi w", real=True)
    (w_hat,) = sp.solve(sp.Eq((x + S.lam) * w, x * beta + xi), w)
    err2 = sp.expand((w_hat - beta) ** 2)
    # second moments: E β² = α²/d, E ξ² = σ² x / N, E βξ = 0
    moments = {beta**2: S.alpha2 / S.d, xi**2: S.sigma2 * x / S.N, beta * xi: 0}
    poly = sp.Poly(sp.numer(sp.together(err2)), beta, xi)
    expected = sum(
        coeff * moments[beta**i * xi**j]
        for (i, j), coeff in zip(poly.monoms(), poly.coeffs(), strict=True)
    )
    expected = expected / sp.denom(sp.together(err2))
    return sp.factor(sp.expand(S.d * expected).subs(S.d, S.gamma * S.N))


@cache
def risk_expr() -> sp.Expr:
    r"""The asymptotic risk in terms of ``m(−λ) = ∫ dF/(x+λ)`` and ``m'(−λ) = ∫ dF/(x+λ)²``.

    The integrand of :func:`risk_integrand_expr` is expanded in powers of ``u = x + λ``;
    ``∫ u⁻¹ dF = m(−λ)`` and ``∫ u⁻² dF = m'(−λ)``.  This is Dobriban & Wager (2018):

    >>> sp.expand(risk_expr() - (S.alpha2 * S.lam**2 * dm_val
    ...                          + S.gamma * S.sigma2 * (m_val - S.lam * dm_val)))
    0
    """
    u = sp.Symbol("u", positive=True)
    in_u = sp.expand(risk_integrand_expr().subs(x, u - S.lam))
    c1, c2 = in_u.coeff(u, -1), in_u.coeff(u, -2)
    if sp.simplify(in_u - c1 / u - c2 / u**2) != 0:  # pragma: no cover - structural guard
        raise RuntimeError("risk integrand is not a combination of (x+λ)^-1 and (x+λ)^-2")
    return c1 * m_val + c2 * dm_val


@cache_checked
def optimal_lambda_expr(normalization: Normalization = "sum") -> sp.Expr:
    r"""λ* solving ``∂R/∂λ = 0``: ``γσ²/α²`` (sum), ``γσ² d/α²`` (mean).

    ``∂/∂λ`` of the integrand is ``2x(α²λ − γσ²)/(x + λ)³``; its unique root does not
    depend on the eigenvalue ``x``, so it is the root of ``∂R/∂λ = ∫ (…) dF`` for every
    spectral law ``F`` (the second derivative there, ``2α² x/(x+λ*)³``, is positive).

    >>> optimal_lambda_expr()
    \gamma*\sigma^{2}/\alpha^{2}
    """
    check_choice("normalization", normalization, NORMALIZATIONS)
    (lam_star,) = sp.solve(sp.diff(risk_integrand_expr(), S.lam), S.lam)
    if lam_star.has(x):  # pragma: no cover - structural guard
        raise RuntimeError("the stationary point depends on the eigenvalue")
    if normalization == "sum":
        return lam_star
    (lam_mean,) = sp.solve(sp.Eq(lambda_sum_from_mean_expr().subs(S.P, S.d), lam_star), S.lam_mean)
    return lam_mean


def mp_equation_expr() -> sp.Expr:
    """Marchenko–Pastur self-consistent equation for ``m(z)`` of ``X'X/N`` (= 0).

    From ``m = 1/(1 − γ − z − γ z m)`` (Marchenko & Pastur 1967; Silverstein 1995).
    """
    return S.gamma * _z * _m**2 - (1 - S.gamma - _z) * _m + 1


@cache
def stieltjes_expr() -> sp.Expr:
    r"""``m(−λ)`` in closed form: the root of the MP quadratic with ``λ m(−λ) → 1`` as λ → ∞.

    (``m(z) = ∫ dF(t)/(t − z) ~ −1/z`` for a probability measure; the other root tends to
    ``−∞``.  The product of the roots is ``−1/(γλ) < 0``, so this is also the positive one.)
    """
    roots = sp.solve(mp_equation_expr().subs(_z, -S.lam), _m)
    (root,) = [r for r in roots if sp.limit(S.lam * r, S.lam, sp.oo) == 1]
    return root


@cache
def stieltjes_derivative_expr() -> sp.Expr:
    """``m'(−λ) = ∫ dF/(x+λ)² = −d/dλ m(−λ)`` (unsimplified: the limits below are faster)."""
    return -sp.diff(stieltjes_expr(), S.lam)


@cache
def risk_explicit_expr() -> sp.Expr:
    """:func:`risk_expr` with the Marchenko–Pastur ``m`` and ``m'`` substituted.

    (Expanded in ``m`` and ``m'`` first: SymPy's limits of this form are fastest.)
    """
    return sp.expand(risk_expr()).subs(
        {m_val: stieltjes_expr(), dm_val: stieltjes_derivative_expr()}
    )


@cache
def optimal_risk_expr() -> sp.Expr:
    r"""``R(λ*)`` in terms of ``m`` at ``λ*`` (the ``m'`` terms cancel): ``γσ² m(−λ*)``.

    >>> optimal_risk_expr()
    \gamma*\sigma^{2}*m(-\lambda)
    """
    return sp.simplify(risk_expr().subs(S.lam, optimal_lambda_expr()))


@cache
def optimal_risk_explicit_expr() -> sp.Expr:
    """``R* = γσ² m(−λ*)`` with the MP ``m`` in closed form."""
    lam_star = optimal_lambda_expr()
    return sp.simplify(optimal_risk_expr().subs(m_val, stieltjes_expr().subs(S.lam, lam_star)))


@cache_checked
def ridgeless_risk_expr(regime: Regime) -> sp.Expr:
    r"""``lim_{λ→0⁺} R(λ)`` for ``γ < 1`` (``"under"``) or ``γ > 1`` (``"over"``).

    Computed from :func:`risk_explicit_expr` with ``γ = 1/(1+t)`` or ``γ = 1 + t``, t > 0.

    >>> ridgeless_risk_expr("under")
    -\gamma*\sigma^{2}/(\gamma - 1)
    >>> sp.simplify(ridgeless_risk_expr("over") - (S.alpha2 * (1 - 1 / S.gamma)
    ...                                            + S.sigma2 / (S.gamma - 1)))
    0
    """
    check_choice("regime", regime, REGIMES)
    t = sp.Symbol("t", positive=True)
    gamma_of_t, t_of_gamma = (
        (1 / (1 + t), 1 / S.gamma - 1) if regime == "under" else (1 + t, S.gamma - 1)
    )
    # one fraction first: SymPy's limit is then fast (seconds otherwise)
    limit = sp.limit(sp.together(risk_explicit_expr().subs(S.gamma, gamma_of_t)), S.lam, 0, "+")
    limit = sp.factor(sp.simplify(limit.subs(t, t_of_gamma)))
    if regime == "under":
        return limit
    return sp.apart(limit, S.alpha2)


def inverse_wishart_trace_expr(p: sp.Expr, n: sp.Expr) -> sp.Expr:
    """``E tr W⁻¹ = p/(n − p − 1)`` for ``W ~ Wishart_p(n, I)`` (``n > p + 1``), the one lemma used."""
    p, n = check_expr("p", p), check_expr("n", n)
    return p / (n - p - 1)


@cache_checked
def finite_ridgeless_risk_expr(regime: Regime) -> sp.Expr:
    r"""Exact ``E‖ŵ₀ − β‖²`` of min-norm least squares, Gaussian design (Hastie et al. 2022).

    ``"under"`` (``d < N − 1``): ``ŵ₀ − β = (X'X)⁻¹X'ε``, risk ``σ² E tr (X'X)⁻¹``.
    ``"over"`` (``d > N + 1``): ``ŵ₀ − β = −(I − Π)β + X'(XX')⁻¹ε`` with Π the projection on
    the N-dimensional row space: ``(α²/d)(d − N) + σ² E tr (XX')⁻¹``.

    >>> finite_ridgeless_risk_expr("under")
    \sigma^{2}*d/(N - d - 1)
    """
    check_choice("regime", regime, REGIMES)
    if regime == "under":
        return S.sigma2 * inverse_wishart_trace_expr(S.d, S.N)
    return S.alpha2 / S.d * (S.d - S.N) + S.sigma2 * inverse_wishart_trace_expr(S.N, S.d)


# ---------------------------------------------------------------- numeric helpers


def _out(value) -> float | np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    return float(arr) if arr.ndim == 0 else arr


@cache
def _fn(name: str):
    """NumPy callables generated from the expressions above."""
    table = {
        "bayes_sum": (
            bayes_optimal_lambda_expr("sum"),
            [S.N, S.d, S.sigma2, S.s2, S.kappa],
        ),
        "lambda_star": (optimal_lambda_expr("sum"), [S.gamma, S.sigma2, S.alpha2]),
        "ridgeless_under": (ridgeless_risk_expr("under"), [S.gamma, S.sigma2, S.alpha2]),
        "ridgeless_over": (ridgeless_risk_expr("over"), [S.gamma, S.sigma2, S.alpha2]),
        "finite_under": (finite_ridgeless_risk_expr("under"), [S.N, S.d, S.sigma2, S.alpha2]),
        "finite_over": (finite_ridgeless_risk_expr("over"), [S.N, S.d, S.sigma2, S.alpha2]),
    }
    expr, args = table[name]
    # expressions that do not contain every argument broadcast through this wrapper
    fn = lambdify(expr, args)
    return lambda *a: fn(*a) + 0.0 * sum(np.asarray(v, dtype=np.float64) for v in a)


def _mean_requires(normalization: str, n_features) -> None:
    check_choice("normalization", normalization, NORMALIZATIONS)
    if normalization == "mean" and n_features is None:
        raise ValueError("n_features is required for normalization='mean'")


# ---------------------------------------------------------------- finite-N Bayes λ* (numeric)


def bayes_optimal_lambda(
    *,
    n_samples: npt.ArrayLike,
    n_features: npt.ArrayLike,
    noise_var: npt.ArrayLike,
    signal_var: npt.ArrayLike,
    prior_exponent: npt.ArrayLike = 1,
    normalization: Normalization = "sum",
) -> float | np.ndarray:
    """Ridge λ equal to the posterior mean for ``β ~ N(0, signal_var · n_features^(-prior_exponent) I)``.

    Exact at every finite ``n_samples`` (Bayes-optimal for ``‖ŵ − β‖²``).  ``signal_var``
    is s²; with ``prior_exponent=1`` it is the total signal α² = E‖β‖².  Vectorized.

    >>> bayes_optimal_lambda(n_samples=100, n_features=50, noise_var=1.0, signal_var=1.0)
    0.5
    >>> bayes_optimal_lambda(n_samples=100, n_features=50, noise_var=1.0, signal_var=1.0,
    ...                      normalization="mean")
    25.0
    >>> bayes_optimal_lambda(n_samples=100, n_features=50, noise_var=1.0, signal_var=1.0,
    ...                      prior_exponent=0)
    0.01
    """
    _mean_requires(normalization, n_features)
    n = check_width("n_samples", n_samples)
    d = check_width("n_features", n_features)
    s2 = check_nonnegative("noise_var", noise_var)
    a2 = check_positive("signal_var", signal_var)
    kappa = as_float_array("prior_exponent", prior_exponent)
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        lam_sum = _fn("bayes_sum")(n, d, s2, a2, kappa)
        lam = lam_sum if normalization == "sum" else lam_sum * d  # λ_mean = P λ_sum
    inputs = {"n_samples": n_samples, "n_features": n_features, "noise_var": noise_var,
              "signal_var": signal_var, "prior_exponent": prior_exponent}  # fmt: skip
    return _out(check_representable(lam, what="lambda", inputs=inputs, positive=s2 > 0))


# ---------------------------------------------------------------- MP Stieltjes transform


def _check_lam_gamma(lam, gamma, normalization: str = "sum", n_features=None):
    _mean_requires(normalization, n_features)
    lam_in = lam
    lam = check_nonnegative("lam", lam)
    gamma = check_positive("gamma", gamma)
    if normalization == "mean":  # λ_sum = λ_mean / P
        with np.errstate(under="ignore"):
            lam = lam / check_width("n_features", n_features)
        inputs = {"lam": lam_in, "n_features": n_features}
        check_representable(lam, what="lambda_sum", inputs=inputs, positive=lam_in != 0)
    return np.asarray(lam, dtype=np.float64), gamma


def _mp_parts(lam, gamma, xp):
    """``b = 1 − γ + λ`` and ``√(b² + 4γλ)`` (the discriminant's root, overflow-free)."""
    b = 1.0 - gamma + lam
    return b, xp.hypot(b, 2.0 * xp.sqrt(gamma * lam))


def _stieltjes(lam, gamma, xp):
    """m(−λ): rationalized root for ``b ≥ 0``, plain root for ``b < 0`` (no cancellation)."""
    b, root = _mp_parts(lam, gamma, xp)
    return xp.where(b >= 0, 2.0 / (b + root), (root - b) / (2.0 * gamma * lam))


def mp_stieltjes(lam: npt.ArrayLike, *, gamma: npt.ArrayLike) -> float | np.ndarray:
    """Stieltjes transform ``m(−λ) = ∫ dF(x)/(x + λ)`` of the Marchenko–Pastur law of ``X'X/N``.

    ``γ = d/N``.  At λ = 0 it is ``1/(1 − γ)`` for γ < 1 and ``inf`` for γ ≥ 1.

    >>> mp_stieltjes(0.0, gamma=0.5)
    2.0
    >>> round(mp_stieltjes(1.0, gamma=1.0), 12)   # (√5 − 1)/2
    0.61803398875
    """
    lam_in, gamma_in = lam, gamma
    lam, gamma = _check_lam_gamma(lam, gamma)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        m = _stieltjes(lam, gamma, np)
    return _finite(m, "Stieltjes transform", lam_in, gamma_in, lam == 0)


def mp_stieltjes_derivative(lam: npt.ArrayLike, *, gamma: npt.ArrayLike) -> float | np.ndarray:
    """``m'(−λ) = ∫ dF(x)/(x + λ)²`` = ``m(1 + γ m)/√((1−γ+λ)² + 4γλ)`` (implicit differentiation).

    >>> mp_stieltjes_derivative(0.0, gamma=0.5)   # 1/(1 − γ)³
    8.0
    """
    lam_in, gamma_in = lam, gamma
    lam, gamma = _check_lam_gamma(lam, gamma)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        m = _stieltjes(lam, gamma, np)
        dm = m * (1.0 + gamma * m) / _mp_parts(lam, gamma, np)[1]
    return _finite(dm, "Stieltjes derivative", lam_in, gamma_in, lam == 0)


def _finite(value, what: str, lam, gamma, exempt) -> float | np.ndarray:
    """``value`` unless it over- or underflowed (``exempt``: where ``inf`` is the answer)."""
    inputs = {"lam": lam, "gamma": gamma}
    return _out(check_representable(value, what=what, inputs=inputs, exempt=exempt))


# ---------------------------------------------------------------- asymptotic risk


def _risk_core(lam, gamma, noise_var, signal_var, xp):
    r"""Dobriban–Wager risk in a form without cancellation, for NumPy or ``jax.numpy``.

    With ``q = λ m(−λ)`` (finite at λ = 0: the MP atom at 0, ``max(0, 1 − 1/γ)``),
    ``√D = √(b² + 4γλ)`` and ``c = γ − 1 + λ``:

    * bias ``α² λ² m' = α² q (λ + γ q)/√D``;
    * variance ``γσ²(m − λ m') = 2γσ² q / (√D (√D + c))`` if ``c > 0``, else
      ``γσ² m (√D − c)/(2√D)`` -- the same quantity, since ``(√D − c)(√D + c) = 4λ``.

    The one singular point, γ = 1 and λ = 0, gives ``inf`` (or 0 without noise).
    """
    b, root = _mp_parts(lam, gamma, xp)
    c = gamma - 1.0 + lam
    singular = (lam == 0) & (b == 0)
    safe_root = xp.where(singular, 1.0, root)
    q = xp.where(
        b >= 0,
        2.0 * lam / xp.where(singular, 1.0, b + root),
        (root - b) / (2.0 * gamma),
    )
    bias = signal_var * q * (lam + gamma * q) / safe_root
    var_a = 2.0 * noise_var * gamma * q / safe_root / (safe_root + xp.where(c > 0, c, 0.0))
    m = 2.0 / xp.where(singular, 1.0, b + root)  # only used where c <= 0, hence b > 0
    var_b = noise_var * gamma * m * (root - c) / (2.0 * safe_root)
    risk = bias + xp.where(c > 0, var_a, var_b)
    return xp.where(singular, xp.where(noise_var > 0, xp.inf, 0.0), risk)


_asymptotic_risk_jit = jax.jit(
    lambda lam, gamma, noise_var, signal_var: _risk_core(
        jnp.asarray(lam, dtype=jnp.float64),
        jnp.asarray(gamma, dtype=jnp.float64),
        jnp.asarray(noise_var, dtype=jnp.float64),
        jnp.asarray(signal_var, dtype=jnp.float64),
        jnp,
    )
)


def asymptotic_risk_jax(lam, gamma, noise_var, signal_var):
    """Jitted JAX core of :func:`asymptotic_risk` (sum normalization; broadcasts).

    Differentiable and vmappable: concrete arguments are checked like
    :func:`asymptotic_risk`'s, traced ones (inside ``jax.grad``/``jit``) pass through.
    """
    inputs = {"lam": lam, "gamma": gamma, "noise_var": noise_var, "signal_var": signal_var}
    checks = {"lam": check_nonnegative, "gamma": check_positive}
    traced = {name: isinstance(v, jax.core.Tracer) for name, v in inputs.items()}
    values = {
        name: v if traced[name] else checks.get(name, check_nonnegative)(name, v)
        for name, v in inputs.items()
    }
    risk = _asymptotic_risk_jit(lam, gamma, noise_var, signal_var)
    if any(traced.values()):  # inside jax.grad / jit: the traced core, as it is
        return risk
    singular = (values["lam"] == 0) & (values["gamma"] == 1)  # the peak: inf is the answer
    check_representable(np.asarray(risk), what="risk", inputs=inputs, exempt=singular)
    return risk


def asymptotic_risk(
    lam: npt.ArrayLike,
    *,
    gamma: npt.ArrayLike,
    noise_var: npt.ArrayLike,
    signal_var: npt.ArrayLike,
    normalization: Normalization = "sum",
    n_features: npt.ArrayLike | None = None,
) -> float | np.ndarray:
    r"""Limiting excess risk ``‖ŵ_λ − β‖²`` as ``N, d → ∞`` with ``d/N → γ`` (Dobriban & Wager 2018).

    ``R(λ) = α² λ² m'(−λ) + γσ² (m(−λ) − λ m'(−λ))`` with α² = ``signal_var`` (E‖β‖²)
    and σ² = ``noise_var``.  ``lam`` is in ``normalization`` (``"mean"`` needs
    ``n_features`` = d).  Finite and accurate from λ = 0 (the ridgeless limit) to λ → ∞
    (→ α²), including γ = 1; only γ = 1, λ = 0 with noise gives ``inf``.  Vectorized
    (arguments broadcast).

    >>> [round(asymptotic_risk(0.0, gamma=g, noise_var=1.0, signal_var=1.0), 12) for g in (0.5, 2)]
    [1.0, 1.5]
    >>> asymptotic_risk(1e300, gamma=2.0, noise_var=1.0, signal_var=1.0)
    1.0
    """
    inputs = {"lam": lam, "gamma": gamma, "noise_var": noise_var, "signal_var": signal_var}
    if normalization == "mean":
        inputs["n_features"] = n_features
    lam, gamma = _check_lam_gamma(lam, gamma, normalization, n_features)
    s2 = check_nonnegative("noise_var", noise_var)
    a2 = check_nonnegative("signal_var", signal_var)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        risk = _risk_core(lam, gamma, s2, a2, np)
    singular = (lam == 0) & (gamma == 1)  # the interpolation peak: inf is the answer
    return _out(check_representable(risk, what="risk", inputs=inputs, exempt=singular))


def optimal_lambda(
    *,
    gamma: npt.ArrayLike,
    noise_var: npt.ArrayLike,
    signal_var: npt.ArrayLike,
    normalization: Normalization = "sum",
    n_features: npt.ArrayLike | None = None,
) -> float | np.ndarray:
    """The minimizer of :func:`asymptotic_risk`: ``γσ²/α²`` (sum), times ``n_features`` (mean).

    >>> optimal_lambda(gamma=2.0, noise_var=1.0, signal_var=4.0)
    0.5
    """
    _mean_requires(normalization, n_features)
    g = check_positive("gamma", gamma)
    s2 = check_nonnegative("noise_var", noise_var)
    a2 = check_positive("signal_var", signal_var)
    inputs = {"gamma": gamma, "noise_var": noise_var, "signal_var": signal_var}
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        lam = _fn("lambda_star")(g, s2, a2)
        if normalization == "mean":  # λ_mean = P λ_sum
            inputs["n_features"] = n_features
            lam = lam * check_width("n_features", n_features)
    return _out(check_representable(lam, what="lambda", inputs=inputs, positive=s2 > 0))


def optimal_risk(
    *, gamma: npt.ArrayLike, noise_var: npt.ArrayLike, signal_var: npt.ArrayLike
) -> float | np.ndarray:
    """The tuned asymptotic risk ``R(λ*) = γσ² m(−λ*)`` (the same for every normalization).

    >>> [round(optimal_risk(gamma=g, noise_var=1.0, signal_var=1.0), 12) for g in (0.5, 1, 2)]
    [0.414213562373, 0.61803398875, 0.780776406404]
    """
    lam_star = optimal_lambda(gamma=gamma, noise_var=noise_var, signal_var=signal_var)
    return asymptotic_risk(lam_star, gamma=gamma, noise_var=noise_var, signal_var=signal_var)


def ridgeless_risk(
    *, gamma: npt.ArrayLike, noise_var: npt.ArrayLike, signal_var: npt.ArrayLike
) -> float | np.ndarray:
    """``lim_{λ→0⁺}`` of the asymptotic risk: ``σ²γ/(1−γ)`` (γ < 1), ``α²(1 − 1/γ) + σ²/(γ−1)`` (γ > 1).

    At γ = 1 it is ``inf`` with noise and 0 without.

    >>> [ridgeless_risk(gamma=g, noise_var=1.0, signal_var=1.0) for g in (0.5, 1.0, 2.0)]
    [1.0, inf, 1.5]
    """
    g = check_positive("gamma", gamma)
    s2 = check_nonnegative("noise_var", noise_var)
    a2 = check_nonnegative("signal_var", signal_var)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        under = _fn("ridgeless_under")(g, s2, a2)
        over = _fn("ridgeless_over")(g, s2, a2)
    at_one = np.where(s2 > 0, np.inf, 0.0)
    risk = np.where(g < 1, under, np.where(g > 1, over, at_one))
    inputs = {"gamma": gamma, "noise_var": noise_var, "signal_var": signal_var}
    return _out(check_representable(risk, what="risk", inputs=inputs, exempt=g == 1))


def finite_ridgeless_risk(
    *,
    n_samples: npt.ArrayLike,
    n_features: npt.ArrayLike,
    noise_var: npt.ArrayLike,
    signal_var: npt.ArrayLike,
) -> float | np.ndarray:
    """Exact expected risk of min-norm least squares (λ → 0⁺) for Gaussian design, β ~ N(0, α²/d I).

    ``σ² d/(N − d − 1)`` for ``d < N − 1``, ``α²(1 − N/d) + σ² N/(d − N − 1)`` for
    ``d > N + 1``, and ``inf`` in between when ``noise_var > 0`` (Hastie et al. 2022).

    >>> finite_ridgeless_risk(n_samples=100, n_features=33, noise_var=1.0, signal_var=1.0)
    0.5
    >>> finite_ridgeless_risk(n_samples=100, n_features=100, noise_var=1.0, signal_var=1.0)
    inf
    """
    n = check_width("n_samples", n_samples)
    d = check_width("n_features", n_features)
    s2 = check_nonnegative("noise_var", noise_var)
    a2 = check_nonnegative("signal_var", signal_var)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        under = _fn("finite_under")(n, d, s2, a2)
        over = _fn("finite_over")(n, d, s2, a2)
        between = np.where(s2 > 0, np.inf, a2 * np.maximum(0.0, 1.0 - n / d))
    is_between = ~((d < n - 1) | (d > n + 1))
    risk = np.where(d < n - 1, under, np.where(d > n + 1, over, between))
    inputs = {"n_samples": n_samples, "n_features": n_features, "noise_var": noise_var,
              "signal_var": signal_var}  # fmt: skip
    return _out(check_representable(risk, what="risk", inputs=inputs, exempt=is_between))


# ---------------------------------------------------------------- Monte Carlo


def _spectral(X: np.ndarray, y: np.ndarray, beta: np.ndarray, method: str):
    """Per draw (batched over leading axes): ``e = s²``, ``t = s·U'y``, ``b = V'β``, ``‖β‖² − ‖b‖²``.

    With ``X = U diag(s) V'`` (thin SVD), ``V'ŵ_λ = t/(e + Nλ)`` and
    ``‖ŵ_λ − β‖² = Σ_k (t_k/(e_k + Nλ) − b_k)² + ‖β‖² − ‖b‖²``.
    """
    n, d = X.shape[-2:]
    if method == "svd" and n > d:
        # X = QR, R = U_R diag(s) V': X has R's singular values and right vectors, and
        # t = s U'y = V'X'y needs no left vectors -- a third cheaper than the thin SVD of X
        _, s, Vt = np.linalg.svd(np.linalg.qr(X, mode="r"))
        t = np.einsum("...kd,...d->...k", Vt, np.einsum("...nd,...n->...d", X, y))
        b = np.einsum("...kd,...d->...k", Vt, beta)
        e = s**2
    elif method == "svd":
        U, s, Vt = np.linalg.svd(X, full_matrices=False)
        t = s * np.einsum("...nk,...n->...k", U, y)
        b = np.einsum("...kd,...d->...k", Vt, beta)
        e = s**2
    elif n >= d:  # eigendecomposition of the d×d Gram matrix X'X = V diag(e) V'
        e, V = np.linalg.eigh(np.swapaxes(X, -1, -2) @ X)
        e = np.maximum(e, 0.0)
        t = np.einsum("...dk,...d->...k", V, np.einsum("...nd,...n->...d", X, y))
        b = np.einsum("...dk,...d->...k", V, beta)
    else:  # eigendecomposition of the N×N Gram matrix XX' = U diag(e) U'
        e, U = np.linalg.eigh(X @ np.swapaxes(X, -1, -2))
        e = np.maximum(e, 0.0)
        s = np.sqrt(e)
        t = s * np.einsum("...nk,...n->...k", U, y)
        b = np.einsum("...nk,...n->...k", U, np.einsum("...nd,...d->...n", X, beta)) / s
    if d > n:
        resid = np.maximum(np.sum(beta**2, axis=-1) - np.sum(b**2, axis=-1), 0.0)
    else:  # V is square and orthogonal
        resid = np.zeros(X.shape[:-2])
    return e, t, b, resid


def ridge_risk_path(
    X: np.ndarray,
    y: np.ndarray,
    beta: np.ndarray,
    lam: npt.ArrayLike,
    *,
    method: Literal["svd", "gram"] = "svd",
) -> np.ndarray:
    r"""``‖ŵ_λ − β‖²`` for every λ of the grid, from one decomposition of ``X``.

    ``ŵ_λ`` minimizes ``(1/N)‖y − Xw‖² + λ‖w‖²`` (λ in sum normalization; λ = 0 is the
    min-norm least-squares fit): ``ŵ_λ = V diag(s/(s² + Nλ)) U'y``.  ``X`` is ``(..., N, d)``,
    ``y`` ``(..., N)``, ``beta`` ``(..., d)``; the result is ``(..., L)``.  ``method="svd"``
    uses LAPACK's SVD of X (for N > d, of the triangular factor R of ``X = QR``: the same
    singular values and right vectors, without the N×d left vectors); ``"gram"`` the
    eigendecomposition of the smaller Gram matrix (faster still; it squares the condition
    number, harmless unless X is nearly singular).

    >>> rng = np.random.default_rng(0)
    >>> X, beta = rng.standard_normal((50, 10)), rng.standard_normal(10)
    >>> y = X @ beta + rng.standard_normal(50)
    >>> w = np.linalg.solve(X.T @ X / 50 + 0.3 * np.eye(10), X.T @ y / 50)
    >>> bool(np.isclose(ridge_risk_path(X, y, beta, [0.3])[0], np.sum((w - beta) ** 2)))
    True
    """
    check_choice("method", method, ("svd", "gram"))
    X = as_float_array("X", X)
    y = as_float_array("y", y)
    beta = as_float_array("beta", beta)
    lam_sum = check_nonnegative("lam", lam)
    if lam_sum.ndim != 1 or lam_sum.size == 0:
        raise ValueError(f"lam must be a non-empty 1-d grid, got shape {lam_sum.shape}")
    if X.ndim < 2 or y.shape != X.shape[:-1] or beta.shape != X.shape[:-2] + X.shape[-1:]:
        raise ValueError(
            f"X must be (..., N, d) with y (..., N) and beta (..., d); got {X.shape}, "
            f"{y.shape}, {beta.shape}"
        )
    n = X.shape[-2]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        e, t, b, resid = _spectral(X, y, beta, method)
        shrunk = t[..., :, None] / (e[..., :, None] + n * lam_sum)
        risk = np.sum((shrunk - b[..., :, None]) ** 2, axis=-2) + resid[..., None]
    inputs = {"X": X, "y": y, "beta": beta, "lam": lam}
    return check_representable(risk, what="risk path", inputs=inputs)


class MonteCarloRisk(NamedTuple):
    """Result of :func:`monte_carlo_risk`; ``lam`` and ``tuned_lambda`` in the requested normalization."""

    lam: np.ndarray  #: (L,) the λ grid
    mean: np.ndarray  #: (L,) mean excess risk over draws
    se: np.ndarray  #: (L,) standard error of the mean
    tuned_lambda: np.ndarray  #: (n_draws,) grid argmin of each draw's risk curve
    risks: np.ndarray  #: (n_draws, L) excess risk ‖ŵ_λ − β‖² per draw


def monte_carlo_risk(
    lam: npt.ArrayLike,
    *,
    n_samples: int,
    n_features: int,
    noise_var: float,
    signal_var: float,
    prior_exponent: float = 1.0,
    n_draws: int = 100,
    seed: int | np.random.Generator = 0,
    normalization: Normalization = "sum",
    method: Literal["svd", "gram"] = "svd",
    blas_threads: int | None = 1,
) -> MonteCarloRisk:
    r"""Monte Carlo excess risk ``‖ŵ_λ − β‖²`` of ridge over a whole grid of λ.

    Each draw samples ``X`` (N×d, i.i.d. N(0,1)), ``β ~ N(0, s² d^(-κ) I)`` (s² =
    ``signal_var``, κ = ``prior_exponent``) and ``y = Xβ + ε``, and evaluates the whole
    grid from one decomposition of X (:func:`ridge_risk_path`) -- no solve per λ.  The
    tuned-on-data λ of a draw is the grid point minimizing that draw's risk.  ``lam`` is
    in ``normalization`` (``"mean"``: λ_mean = d·λ_sum).  Draws are generated and
    decomposed in batches; results are reproducible for a given ``seed``.  BLAS/LAPACK
    run with ``blas_threads`` threads (default 1: the matrices are small, and
    multithreaded LAPACK slows down by an order of magnitude on a busy machine; ``None``
    leaves the setting alone).

    >>> mc = monte_carlo_risk([0.1, 0.5, 2.0], n_samples=200, n_features=100,
    ...                       noise_var=1.0, signal_var=1.0, n_draws=20, seed=1)
    >>> mc.mean.shape, mc.tuned_lambda.shape
    ((3,), (20,))
    >>> bool(np.all(np.abs(mc.mean - asymptotic_risk(mc.lam, gamma=0.5, noise_var=1.0,
    ...                                               signal_var=1.0)) < 4 * mc.se))
    True
    """
    check_choice("method", method, ("svd", "gram"))
    check_choice("normalization", normalization, NORMALIZATIONS)
    n = check_int("n_samples", n_samples, minimum=1)
    d = check_int("n_features", n_features, minimum=1)
    draws = check_int("n_draws", n_draws, minimum=2)
    lam_grid = check_nonnegative("lam", lam)
    if lam_grid.ndim != 1 or lam_grid.size == 0:
        raise ValueError(f"lam must be a non-empty 1-d grid, got shape {lam_grid.shape}")
    lam_sum = np.asarray(to_sum(lam_grid, normalization=normalization, n_params=d), dtype=float)
    sigma = float(np.sqrt(check_nonnegative("noise_var", noise_var)))
    s2 = check_positive("signal_var", signal_var)
    kappa = as_float_array("prior_exponent", prior_exponent)
    tau = float(np.sqrt(s2 * float(d) ** (-kappa)))
    if blas_threads is not None:
        check_int("blas_threads", blas_threads, minimum=1)
    rng = np.random.default_rng(check_seed("seed", seed, allow_generator=True))

    from threadpoolctl import threadpool_limits  # a dependency of scikit-learn

    # batches of at most ~2e6 design entries and ~4e6 (direction, λ) pairs
    chunk = max(1, min(draws, 2_000_000 // (n * d), 4_000_000 // (min(n, d) * lam_sum.size)))
    risks = np.empty((draws, lam_sum.size))
    with threadpool_limits(limits=blas_threads):
        for start in range(0, draws, chunk):
            size = min(chunk, draws - start)
            X = rng.standard_normal((size, n, d))
            beta = tau * rng.standard_normal((size, d))
            y = np.einsum("bnd,bd->bn", X, beta) + sigma * rng.standard_normal((size, n))
            risks[start : start + size] = ridge_risk_path(X, y, beta, lam_sum, method=method)
    inputs = {
        "lam": lam,
        "n_samples": n_samples,
        "n_features": n_features,
        "noise_var": noise_var,
        "signal_var": signal_var,
        "prior_exponent": prior_exponent,
    }
    check_representable(risks, what="simulated risk", inputs=inputs)  # fmt: skip
    mean = risks.mean(axis=0)
    se = risks.std(axis=0, ddof=1) / np.sqrt(draws)
    tuned = lam_grid[np.argmin(risks, axis=1)]
    return MonteCarloRisk(lam_grid, mean, se, tuned, risks)


# ---------------------------------------------------------------- LaTeX


def _eq(lhs: str, rhs: sp.Expr | str) -> str:
    return f"{lhs} = {rhs if isinstance(rhs, str) else sp.latex(rhs)}"


def _shown(derived: sp.Expr, display: sp.Expr, latex: str) -> str:
    """``latex`` (a hand-arranged rendering of ``display``) after checking ``display == derived``.

    The paper gets a readable arrangement, and the check ties it to the derivation.
    """
    if sp.simplify(sp.radsimp(derived - display)) != 0:  # pragma: no cover - guard
        raise RuntimeError(f"display form {display} differs from the derived {derived}")
    return latex


def _stieltjes_display() -> str:
    b = 1 - S.gamma + S.lam
    display = (sp.sqrt(b**2 + 4 * S.gamma * S.lam) - b) / (2 * S.gamma * S.lam)
    bl = r"(1 - \gamma + \lambda)"
    tex = rf"\frac{{\sqrt{{{bl}^{{2}} + 4 \gamma \lambda}} - {bl}}}{{2 \gamma \lambda}}"
    return _shown(stieltjes_expr(), display, tex)


def _risk_star_display() -> str:
    a2, g, s2 = S.alpha2, S.gamma, S.sigma2
    c = a2 * (g - 1)
    display = (c - g * s2 + sp.sqrt((c + g * s2) ** 2 + 4 * g * a2 * s2)) / (2 * g)
    cl = r"\alpha^{2}(\gamma - 1)"
    tex = (
        rf"\frac{{{cl} - \gamma \sigma^{{2}} + \sqrt{{\left({cl} + \gamma \sigma^{{2}}\right)^{{2}}"
        rf" + 4 \gamma \alpha^{{2}} \sigma^{{2}}}}}}{{2 \gamma}}"
    )
    return _shown(optimal_risk_explicit_expr(), display, tex)


def _over(expr: sp.Expr, denominator: sp.Expr) -> str:
    """``expr`` rendered as ``numerator / denominator`` (checked)."""
    numerator = sp.factor(sp.simplify(expr * denominator))
    tex = rf"\frac{{{sp.latex(numerator)}}}{{{sp.latex(denominator)}}}"
    return _shown(expr, numerator / denominator, tex)


_LS, _LM = r"\lambda^{\star}_{\mathrm{sum}}", r"\lambda^{\star}_{\mathrm{mean}}"
register("LinBayesLambdaSum", "linear ridge: finite-N Bayes-optimal lambda, sum")(
    lambda: _eq(_LS, bayes_optimal_lambda_expr("sum"))
)
register("LinBayesLambdaMean", "linear ridge: finite-N Bayes-optimal lambda, mean")(
    lambda: _eq(_LM, bayes_optimal_lambda_expr("mean"))
)
register("LinRiskIntegrand", "linear ridge: expected error along an eigendirection (times d)")(
    lambda: sp.latex(risk_integrand_expr())
)
register("LinStieltjes", "linear ridge: Marchenko-Pastur Stieltjes transform at z = -lambda")(
    lambda: _eq(r"m(-\lambda)", _stieltjes_display())
)
register("LinRisk", "linear ridge: asymptotic excess risk (Dobriban-Wager)")(
    lambda: _eq(
        r"R(\lambda)",
        sp.latex(sp.collect(sp.expand(risk_expr()), S.gamma * S.sigma2), order="none"),
    )
)
register("LinLambdaStarSum", "linear ridge: asymptotic optimal lambda, sum")(
    lambda: _eq(_LS, optimal_lambda_expr("sum"))
)
register("LinLambdaStarMean", "linear ridge: asymptotic optimal lambda, mean")(
    lambda: _eq(_LM, optimal_lambda_expr("mean"))
)
register("LinRiskStar", "linear ridge: optimal risk via m")(
    lambda: (
        "R^{\\star} = "
        + sp.latex(optimal_risk_expr().subs(m_val, sp.Symbol(r"m(-\lambda^{\star})")))
    )
)
register("LinRiskStarExplicit", "linear ridge: optimal risk in closed form")(
    lambda: _eq("R^{\\star}", _risk_star_display())
)
register("LinRiskStarUnit", "linear ridge: optimal risk at alpha^2 = sigma^2 = 1")(
    lambda: _eq(
        r"R^{\star}\big|_{\alpha^{2} = \sigma^{2} = 1}",
        sp.simplify(optimal_risk_explicit_expr().subs({S.alpha2: 1, S.sigma2: 1})),
    )
)
register("LinRidgelessUnder", "linear ridge: ridgeless limit, gamma < 1")(
    lambda: _eq(r"R(0^{+})", _over(ridgeless_risk_expr("under"), 1 - S.gamma))
)
register("LinRidgelessOver", "linear ridge: ridgeless limit, gamma > 1")(
    lambda: _eq(r"R(0^{+})", ridgeless_risk_expr("over"))
)
register("LinRidgelessFiniteUnder", "linear ridge: exact finite-N ridgeless risk, d < N - 1")(
    lambda: _eq(r"\mathbb{E}\,\|\hat w_0 - \beta\|^2", finite_ridgeless_risk_expr("under"))
)
register("LinRidgelessFiniteOver", "linear ridge: exact finite-N ridgeless risk, d > N + 1")(
    lambda: _eq(
        r"\mathbb{E}\,\|\hat w_0 - \beta\|^2",
        sp.latex(finite_ridgeless_risk_expr("over"), order="old"),
    )
)
