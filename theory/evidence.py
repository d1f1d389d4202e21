r"""Marginal likelihood (evidence) of ridge regression and the type-II maximum-likelihood λ.

Model (MacKay 1992; scikit-learn ``BayesianRidge``): ``w ~ N(0, τ² I_P)``,
``y | X, w ~ N(Xw, σ² I_N)``, so ``y ~ N(0, σ² I + τ² X Xᵀ)``.  With the
eigendecomposition ``X Xᵀ = U diag(s) Uᵀ`` (``s_i = 0`` beyond the rank) and
``z = Uᵀ y``, writing ``q = τ²/σ²``,

.. math::  \log p(y) = -\tfrac12 \sum_{i=1}^{N}\Big[\log\big(σ^2(1+q s_i)\big)
           + \frac{z_i^2}{σ^2 (1 + q s_i)}\Big] - \tfrac N2 \log 2π .

Setting ``∂/∂σ² = 0`` gives the profile ``σ̂²(q) = (1/N) Σ z_i²/(1+q s_i)`` (derived
below with SymPy), leaving a one-dimensional maximization over ``log q`` that is
solved to machine precision from a single eigendecomposition.  Through the MAP
identity (:mod:`theory.prior`, ``v = σ²/(N λ)``) the evidence-optimal λ in our sum
convention is ``λ = σ̂²/(N τ̂²) = 1/(N q̂)``.

``X`` and ``y`` are used exactly as given: no intercept is fitted.  Center ``y`` and
standardize the columns of ``X`` yourself if the model should have an intercept.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import sympy as sp
from scipy import optimize

from theory import _symbols as S
from theory._macros import register
from theory.checks import (
    as_float_array,
    check_nonnegative,
    check_positive,
    check_representable,
)
from theory.prior import prior_variance_expr

__all__ = [
    "log_evidence_expr",
    "profile_noise_var_expr",
    "lambda_from_variances_expr",
    "EvidenceFit",
    "evidence_fit",
    "evidence_optimal_lambda",
    "log_evidence",
]

i = sp.Idx("i")
_s = sp.IndexedBase("s")  # eigenvalues of X Xᵀ
_z = sp.IndexedBase("z")  # rotated targets Uᵀ y
q = sp.Symbol("q", positive=True)  # τ²/σ²
tau2 = sp.Symbol(r"\tau^{2}", positive=True)


def _summand() -> sp.Expr:
    """Minus twice the i-th term of ``log p(y)`` (without the 2π constant)."""
    var_i = S.sigma2 * (1 + q * _s[i])
    return sp.log(var_i) + _z[i] ** 2 / var_i


def log_evidence_expr() -> sp.Expr:
    """``log p(y)`` in the eigenbasis, as a SymPy ``Sum`` over ``i = 1..N`` (constant included)."""
    return -sp.Rational(1, 2) * sp.Sum(_summand(), (i, 1, S.N)) - (S.N / 2) * sp.log(2 * sp.pi)


@cache
def profile_noise_var_expr() -> sp.Expr:
    """``σ̂²(q)`` solving ``∂ log p / ∂σ² = 0`` (the stationary point in σ² at fixed q).

    >>> profile_noise_var_expr()
    Sum(z[i]**2/(q*s[i] + 1), (i, 1, N))/N
    """
    # ∂ log p/∂σ² = −½ Σ_i ∂(summand)/∂σ²; σ² does not depend on i, so scale by 2σ⁴ termwise
    summand = sp.expand_log(_summand(), force=True)  # log σ² + log(1 + q s_i) + ...
    term = sp.expand(sp.diff(summand, S.sigma2) * S.sigma2**2)
    stationarity = sp.Sum(term, (i, 1, S.N)).expand().doit()
    (sol,) = sp.solve(stationarity, S.sigma2)
    return sp.simplify(sol)


@cache
def lambda_from_variances_expr() -> sp.Expr:
    """λ_sum with the same prior as ``w ~ N(0, τ²)`` and noise σ²: solves ``v(λ) = τ²``."""
    (lam,) = sp.solve(sp.Eq(prior_variance_expr("squared", "sum"), tau2), S.lam)
    return lam


@dataclass(frozen=True)
class EvidenceFit:
    """Type-II maximum-likelihood fit.

    ``lam`` is in our sum convention; ``noise_var`` = σ̂², ``prior_var`` = τ̂² (per weight);
    ``log_evidence`` is ``log p(y)`` at the optimum.  ``lam = inf`` when the evidence is
    maximized by ``τ² → 0`` (no detectable signal).
    """

    lam: float
    noise_var: float
    prior_var: float
    log_evidence: float


def _check_data(X, y) -> tuple[np.ndarray, np.ndarray]:
    X = as_float_array("X", X)
    y = as_float_array("y", y)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {X.shape}")
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(
            f"y must be 1-D with X.shape[0] = {X.shape[0]} entries, got shape {y.shape}"
        )
    if X.shape[0] < 2:
        raise ValueError(f"X must have at least 2 rows, got {X.shape[0]}")
    if not np.any(y):
        raise ValueError("y must not be identically zero")
    return X, y


def _spectrum(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues ``s`` of X Xᵀ (length N, zeros beyond the rank) and ``z² = (Uᵀy)²``."""
    n, p = X.shape
    if p >= n:
        s, u = np.linalg.eigh(X @ X.T)
        z2 = (u.T @ y) ** 2
    else:  # thin SVD: X = U_r diag(√s) V_rᵀ; the complement of U_r carries ‖y‖² − Σ z_r²
        u, sv, _ = np.linalg.svd(X, full_matrices=False)
        zr = u.T @ y
        s = np.concatenate([sv**2, np.zeros(n - p)])
        rest = max(float(y @ y - zr @ zr), 0.0)
        z2 = np.concatenate([zr**2, np.full(n - p, rest / (n - p)) if n > p else []])
    return np.clip(s, 0.0, None), z2


def _profile_negloglik(log_q: float, s: np.ndarray, z2: np.ndarray) -> float:
    qv = np.exp(log_q)
    d = 1.0 + qv * s
    sigma2 = np.mean(z2 / d)
    return 0.5 * (len(s) * np.log(sigma2) + np.sum(np.log(d)))


def log_evidence(X, y, *, noise_var: float, prior_var: float) -> float:
    """``log p(y)`` under ``w ~ N(0, prior_var I)``, noise ``noise_var`` (one eigendecomposition).

    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]); y = np.array([1.0, -1.0, 0.5])
    >>> from scipy.stats import multivariate_normal
    >>> cov = 0.5 * np.eye(3) + 2.0 * X @ X.T
    >>> bool(np.isclose(log_evidence(X, y, noise_var=0.5, prior_var=2.0),
    ...                 multivariate_normal(np.zeros(3), cov).logpdf(y)))
    True
    """
    X, y = _check_data(X, y)
    noise_var = float(check_positive("noise_var", noise_var))
    prior_var = float(check_nonnegative("prior_var", prior_var))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        s, z2 = _spectrum(X, y)
        var = noise_var + prior_var * s
        value = -0.5 * np.sum(np.log(var) + z2 / var) - 0.5 * len(y) * np.log(2 * np.pi)
    inputs = {"X": X, "y": y, "noise_var": noise_var, "prior_var": prior_var}
    return float(check_representable(value, what="log evidence", inputs=inputs))


#: "no signal": the evidence gains less than this many nats per observation over τ² = 0
NO_SIGNAL_NATS_PER_SAMPLE = 1e-9


def evidence_fit(X, y, *, log_q_bounds: tuple[float, float] = (-40.0, 40.0)) -> EvidenceFit:
    """Maximize the evidence over (σ², τ²) with one eigendecomposition; see :class:`EvidenceFit`.

    ``q = τ²/σ²`` is searched in units of ``1/s̄`` (``s̄`` the mean nonzero eigenvalue of
    ``X Xᵀ``), so the answer does not depend on the scale of ``X`` (nor, through σ̂², on the
    scale of ``y``): the profile likelihood in ``log(q s̄)`` is located on a grid over
    ``log_q_bounds``, then polished by bounded Brent minimization between the neighbouring grid
    points (``xatol = 1e-12``).

    **No signal** is one answer, ``λ = ∞`` (τ² = 0, σ̂² = ‖y‖²/N): returned whenever the best
    evidence exceeds its value at τ² = 0 by less than ``NO_SIGNAL_NATS_PER_SAMPLE · N`` nats
    (a maximum at the prior-variance boundary within that tolerance, which is far above the
    float64 rounding of the O(N) log-evidence and far below any real signal).
    """
    X, y = _check_data(X, y)
    lo, hi = _check_bounds(log_q_bounds)
    n = X.shape[0]
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        s, z2 = _spectrum(X, y)
    check_representable(
        np.concatenate([s, z2]), what="spectrum (X Xᵀ, (Uᵀy)²)", inputs={"X": X, "y": y}
    )
    positive = s[s > 0]
    if positive.size == 0:
        raise ValueError("X must not be identically zero")
    sigma2_0 = float(np.mean(z2))  # ‖y‖²/N: the noise variance of the no-signal model
    no_signal_value = 0.5 * n * np.log(sigma2_0) if sigma2_0 > 0 else -np.inf  # profile at q = 0
    no_signal = EvidenceFit(np.inf, sigma2_0, 0.0, float(-no_signal_value - _const(n)))
    check_representable(  # the no-signal model, before any search from it
        [no_signal.noise_var, no_signal.log_evidence],
        what="no-signal fit (noise variance, log evidence)",
        inputs={"X": X, "y": y},
        positive=[True, False],
    )
    log_scale = float(np.log(np.mean(positive)))
    grid = np.linspace(lo, hi, 161) - log_scale
    # the profile in units of σ̂²₀ = ‖y‖²/N: the objective then does not carry the constant
    # (N/2) log σ̂²₀, whose rounding moved Brent's answer on a flat maximum with the scale of y
    # (1.3e-4 relative for y / 512: tests/test_validation.py::test_no_signal_is_one_answer)
    # (σ̂²₀ > 0: _check_data rejects y = 0); no_signal_value is that constant
    z2n = z2 / sigma2_0
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        vals = np.array([_profile_negloglik(g, s, z2n) for g in grid])
    vals = np.where(np.isnan(vals), np.inf, vals)  # an overflowed grid point is no maximum
    k = int(np.argmin(vals))
    if k == 0:  # evidence maximal as q → 0
        return no_signal
    if k == len(grid) - 1:
        raise ValueError("X, y: the evidence increases without bound in τ²/σ² (interpolating data)")
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        res = optimize.minimize_scalar(
            _profile_negloglik,
            bounds=(grid[k - 1], grid[k + 1]),
            args=(s, z2n),
            method="bounded",
            options={"xatol": 1e-12},
        )
        qv = np.exp(np.float64(res.x))  # NumPy scalars: an overflow is inf, checked below
        sigma2 = np.mean(z2 / (1.0 + qv * s))
        lam = 1.0 / (n * qv)  # = σ̂²/(N τ̂²), lambda_from_variances_expr
        fit = EvidenceFit(
            float(lam),
            float(sigma2),
            float(qv * sigma2),
            float(-(res.fun + no_signal_value) - _const(n)),
        )
    if -res.fun < NO_SIGNAL_NATS_PER_SAMPLE * n:  # the no-signal profile is 0 in these units
        return no_signal
    positive = [True, True, True, False]  # λ, σ², τ² > 0; the log evidence has any sign
    values = [fit.lam, fit.noise_var, fit.prior_var, fit.log_evidence]
    check_representable(values, what="evidence fit", inputs={"X": X, "y": y}, positive=positive)
    return fit


def _check_bounds(log_q_bounds) -> tuple[float, float]:
    """Two finite numbers ``lo < hi`` (the search range of ``log(q s̄)``)."""
    b = as_float_array("log_q_bounds", log_q_bounds)
    if b.shape != (2,) or not b[0] < b[1]:
        raise ValueError(f"log_q_bounds must be two numbers lo < hi, got {log_q_bounds!r}")
    return float(b[0]), float(b[1])


def _const(n: int) -> float:
    # the profile objective omits N/2 (1 + log 2π): at σ̂², Σ z²/(σ̂² d) = N
    return 0.5 * n * (1.0 + np.log(2 * np.pi))


def evidence_optimal_lambda(X, y) -> float:
    """Type-II maximum-likelihood λ (sum convention) for ``y ≈ X w`` with no intercept.

    Agrees with scikit-learn ``BayesianRidge(fit_intercept=False)`` with flat hyperpriors
    (``alpha_1 = alpha_2 = lambda_1 = lambda_2 = 0``) through
    :func:`theory.prior.from_bayesian_ridge`.

    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 20)); y = X @ rng.normal(0, 0.3, 20) + rng.standard_normal(200)
    >>> lam = evidence_optimal_lambda(X, y)
    >>> bool(0.0 < lam < 1.0)
    True
    """
    return evidence_fit(X, y).lam


register(
    "EvidenceProfileNoiseVar", "profile noise variance of the evidence at fixed q = tau^2/sigma^2"
)(lambda: f"\\hat\\sigma^{{2}}(q) = {sp.latex(profile_noise_var_expr())}")
register("EvidenceLambda", "evidence-optimal lambda from the fitted variances")(
    lambda: f"\\hat\\lambda = {sp.latex(lambda_from_variances_expr())}"
)
