r"""Linear ridge: the derivations (each a function returning a SymPy expression).

Conventions, the setting and what each result says: :mod:`theory.linear`.  Objective
``(1/N)‖y − Xw‖² + λ Σ w_j²`` (no ½); risk ``‖ŵ − β‖²``; ``γ = d/N``.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

import sympy as sp

from theory import _symbols as S
from theory.checks import cache_checked, check_choice, check_expr
from theory.prior import NORMALIZATIONS, lambda_sum_from_mean_expr, prior_variance_expr

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
