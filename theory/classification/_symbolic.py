r"""SymPy side: the logistic channel, the ridge prior equations, λ → ∞ and separability.

Everything here is derived from the loss ``ℓ(z) = log(1 + e^{−z})`` (``z = y f``) and the
ridge penalty; the numeric solver (:mod:`._solve`) is tested against these expressions.

* Channel: ``prox(y, ω, V) = argmin_x (x − ω)²/(2V) + ℓ(yx)``; its ω-derivative
  ``1/(1 + V ℓ''(yx))`` by implicit differentiation (:func:`prox_derivative_expr`).
* Prior, isotropic case (``Ψ = Φ = Ω = I``): the scalar problem
  ``argmin_w ((λ_L + V̂)/2) w² − b w``, ``b = m̂ θ + √q̂ g``, gives ``(m, q, V)``
  (:func:`prior_equations_isotropic`); the spectral form is :func:`prior_equations_spectral`.
* λ → ∞ (:func:`large_lambda_cosine_expr`): the estimator tends to the Hebbian
  ``w ∝ Σ y x``; for ρ = 1, Δ = 0, ``m/√q → (2α/(2α + π))^{1/2}``.
* λ → 0⁺ and separability (Cover 1965; Candès & Sur 2020): the data are linearly separable
  (the training loss → 0, ‖w‖ → ∞ and the direction → max-margin) iff
  ``p/N > min_t E[(Z − t Y V)_+²]`` with ``V`` the normalized teacher field, ``Z ~ N(0,1)``
  independent; ``E[(Z − a)_+²]`` is :func:`margin_excess_expr`.  Pure noise: ``α_c = N/p = 2``
  (:func:`cover_threshold_expr`); noiseless sign teacher: ``α_c = ∞``; logit teacher of
  signal strength γ = √ρ: Candès & Sur's ``h_MLE(γ)`` (``teacher="logit"``).
* λ → ∞ for any teacher (:func:`hebb_cosine_expr`): the cosine depends on the teacher only
  through ``c = E ∂_μ Z0`` (sign: ``1/√(2π(ρ + Δ))``; logit: ``E σ'(ν)``).
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import sympy as sp

from theory import _symbols as S
from theory._macros import register
from theory.checks import (
    check_choice,
    check_expr,
    check_nonnegative,
    check_positive,
    check_representable,
)
from theory.classification._convert import lam_loureiro, loureiro_lambda_expr, sk_C, sklearn_C_expr
from theory.classification._solve import TEACHERS

m = sp.Symbol("m", real=True)
q, V = sp.symbols("q V", positive=True)
m_hat = sp.Symbol(r"\hat{m}", real=True)
q_hat, V_hat = sp.symbols(r"\hat{q} \hat{V}", positive=True)
#: α = N/p, ρ = teacher variance, Δ = label-noise variance (probit)
alpha, rho = sp.symbols(r"\alpha \rho", positive=True)
noise = sp.Symbol(r"\Delta", nonnegative=True)
#: ``c = E ∂_μ Z0`` over ``ν ~ N(0, ρ + Δ)``, i.e. ``E[y ν]/(ρ + Δ)``: the teacher's only trace in
#: the λ → ∞ limit (sign: ``1/√(2π(ρ + Δ))``; logit: ``E σ'(ν)``, no closed form)
slope = sp.Symbol("c", positive=True)
x, omega_, z, a, t = sp.symbols(r"x \omega z a t", real=True)
y = sp.Symbol("y", real=True)  # ±1
xi, Z = sp.symbols(r"\xi Z", real=True)


def _gauss(v: sp.Symbol) -> sp.Expr:
    return sp.exp(-(v**2) / 2) / sp.sqrt(2 * sp.pi)


def logistic_loss_expr(arg: sp.Expr = z) -> sp.Expr:
    """``ℓ(z) = log(1 + e^{−z})`` of the margin ``z = y f``."""
    return sp.log(1 + sp.exp(-check_expr("arg", arg)))


def prox_equation() -> sp.Eq:
    """Stationarity of ``(x − ω)²/(2V) + ℓ(yx)`` in ``x`` (``y² = 1`` used)."""
    objective = (x - omega_) ** 2 / (2 * V) + logistic_loss_expr(y * x)
    return sp.Eq(sp.simplify(sp.diff(objective, x) * V), 0)


@cache
def prox_derivative_expr() -> sp.Expr:
    """``∂ prox/∂ω = 1/(1 + V ℓ''(yx))`` at ``x = prox``, by implicit differentiation.

    >>> sp.simplify(prox_derivative_expr().subs(y, 1).subs(x, 0))
    4/(V + 4)
    """
    g_expr = prox_equation().lhs
    dx = -sp.diff(g_expr, omega_) / sp.diff(g_expr, x)
    return sp.simplify(sp.simplify(dx).xreplace({y**2: 1}))


def channel_derivative_expr() -> sp.Expr:
    """``∂_ω f_out = (∂_ω prox − 1)/V`` with ``f_out = (prox − ω)/V``; ``−V̂/α`` averages it."""
    return sp.simplify(sp.simplify((prox_derivative_expr() - 1) / V).xreplace({y**2: 1}))


@cache
def prior_equations_isotropic() -> dict[str, sp.Expr]:
    """``m, q, V`` from the hats for ``Ψ = Φ = Ω = I`` (λ_L = 2Nλ), derived from the scalar
    effective problem with ``θ ~ N(0, ρ)``, ``g ~ N(0, 1)`` independent.

    >>> prior_equations_isotropic()["V"]
    1/(\\hat{V} + \\lambda_{\\mathrm{L}})
    """
    from sympy.stats import E, Normal

    w = sp.Symbol("w", real=True)
    th, gg = Normal("theta", 0, sp.sqrt(rho)), Normal("g", 0, 1)
    b = m_hat * th + sp.sqrt(q_hat) * gg
    objective = (lam_loureiro + V_hat) / 2 * w**2 - b * w
    (w_star,) = sp.solve(sp.diff(objective, w), w)
    return {
        "m": sp.simplify(E(w_star * th)),
        "q": sp.simplify(E(w_star**2)),
        "V": sp.simplify(sp.diff(w_star, gg) / sp.sqrt(q_hat)),  # ∂w*/∂b
    }


def prior_equations_spectral() -> dict[str, sp.Expr]:
    """The GCM prior equations over the eigenpairs of Ω (display form; ``t_i = (u_iᵀΦθ̃)²``)."""
    i, p = sp.Idx("i"), sp.Symbol("p", positive=True, integer=True)
    om, tt = sp.IndexedBase(r"\omega"), sp.IndexedBase("t")
    den = lam_loureiro + V_hat * om[i]
    return {
        "V": sp.Sum(om[i] / den, (i, 1, p)) / p,
        "m": m_hat * sp.Sum(tt[i] / den, (i, 1, p)),
        "q": m_hat**2 * sp.Sum(tt[i] * om[i] / den**2, (i, 1, p))
        + q_hat * sp.Sum(om[i] ** 2 / den**2, (i, 1, p)) / p,
    }


@cache
def large_lambda_hats() -> dict[str, sp.Expr]:
    """Hats at ``q, V → 0`` (λ → ∞): ``f_out → −yℓ'(0)``, ``V̂ → αℓ''(0)``, ``q̂ → αℓ'(0)²`` and
    ``m̂ → 2α|ℓ'(0)| E_ξ[φ(μ/s)/s]``, ``μ ~ N(0, m²/q)``, ``s² = ρ − m²/q + Δ``."""
    l1 = sp.diff(logistic_loss_expr(), z).subs(z, 0)
    l2 = sp.diff(logistic_loss_expr(), z, 2).subs(z, 0)
    c2, s2 = sp.symbols("c2 s2", positive=True)  # m²/q and ρ − m²/q + Δ; only c2 + s2 stays
    dz0 = sp.integrate(
        _gauss(xi) * _gauss(sp.sqrt(c2) * xi / sp.sqrt(s2)) / sp.sqrt(s2), (xi, -sp.oo, sp.oo)
    )
    dz0 = sp.simplify(sp.simplify(dz0).subs(s2, rho + noise - c2))
    return {
        "V_hat": sp.simplify(alpha * l2),
        "q_hat": sp.simplify(alpha * l1**2),
        "m_hat": sp.simplify(2 * alpha * sp.Abs(l1) * sp.simplify(dz0)),
    }


@cache
def large_lambda_cosine_expr() -> sp.Expr:
    """``lim_{λ→∞} m/√((ρ + Δ) q)`` for the isotropic model (the Hebbian estimator).

    >>> sp.simplify(large_lambda_cosine_expr().subs({rho: 1, noise: 0}))
    sqrt(2)*sqrt(\\alpha)/sqrt(2*\\alpha + pi)
    """
    eqs, hats = prior_equations_isotropic(), large_lambda_hats()
    ratio = eqs["m"] / sp.sqrt((rho + noise) * eqs["q"])
    ratio = ratio.subs({m_hat: hats["m_hat"], q_hat: hats["q_hat"], V_hat: hats["V_hat"]})
    return sp.simplify(sp.limit(ratio, lam_loureiro, sp.oo))


@cache
def hebb_cosine_expr() -> sp.Expr:
    """``lim_{λ→∞} m/√((ρ + Δ) q)`` for any teacher, through ``m̂ → α c`` (:data:`slope`): the
    Hebbian estimator ``w ∝ Σ y x``.  The sign teacher's ``c = 1/√(2π(ρ + Δ))`` gives
    :func:`large_lambda_cosine_expr`; the logit teacher's ``c = E σ'(ν)`` is a number.

    >>> sp.simplify(hebb_cosine_expr().subs({rho: 1, noise: 0}))
    2*sqrt(\\alpha)*c/sqrt(4*\\alpha*c**2 + 1)
    """
    eqs, hats = prior_equations_isotropic(), large_lambda_hats()
    ratio = eqs["m"] / sp.sqrt((rho + noise) * eqs["q"])
    ratio = ratio.subs({m_hat: alpha * slope, q_hat: hats["q_hat"], V_hat: hats["V_hat"]})
    return sp.simplify(sp.limit(ratio, lam_loureiro, sp.oo))


def large_lambda_error_expr() -> sp.Expr:
    """``lim_{λ→∞}`` test error ``arccos(cosine)/π`` (Gaussian data, sign teacher)."""
    return sp.acos(large_lambda_cosine_expr()) / sp.pi


@cache
def margin_excess_expr() -> sp.Expr:
    r"""``ψ(a) = E[(Z − a)_+²]``, ``Z ~ N(0,1)``: ``(1 + a²)Φ(−a) − aφ(a)``.

    >>> margin_excess_expr().subs(a, 0)
    1/2
    """
    return sp.simplify(sp.integrate((Z - a) ** 2 * _gauss(Z), (Z, a, sp.oo)))


def cover_threshold_expr() -> sp.Expr:
    """``α_c = N/p`` for labels independent of x: ``1/ψ(0) = 2`` (Cover 1965)."""
    return 1 / margin_excess_expr().subs(a, 0)


def noiseless_threshold_limit() -> sp.Expr:
    """``lim_{a→∞} ψ(a) = 0``: for the noiseless sign teacher ``YV = |V|`` and
    ``min_t E ψ(t|V|) = 0``, so the data are separable at every α (``α_c = ∞``)."""
    return sp.limit(margin_excess_expr(), a, sp.oo)


def _psi_np(u: np.ndarray) -> np.ndarray:
    from scipy.special import ndtr

    return (1 + u * u) * ndtr(-u) - u * np.exp(-0.5 * u * u) / math.sqrt(2 * math.pi)


def _logit_mean(a: np.ndarray, b: float) -> np.ndarray:
    """``E σ(a + b ε)``, ``ε ~ N(0, 1)``, for each ``a``: composite Gauss–Legendre on
    ``[−10, 10]`` split at ``0, ±4`` and where ``a + bε`` crosses ``0, ±8`` (as in the solver)."""
    from scipy.special import expit

    a = np.asarray(a, dtype=np.float64)
    if b == 0:
        return expit(a)
    r, g = np.polynomial.legendre.leggauss(16)
    moving = np.clip(np.stack([(-a - 8) / b, -a / b, (-a + 8) / b], axis=-1), -10, 10)
    fixed = np.broadcast_to([-10.0, -4.0, 0.0, 4.0, 10.0], (*a.shape, 5))
    edges = np.sort(np.concatenate([fixed, moving], axis=-1), axis=-1)
    lo, hi = edges[..., :-1, None], edges[..., 1:, None]
    e = 0.5 * (hi - lo) * r + 0.5 * (hi + lo)
    w = 0.5 * (hi - lo) * g * np.exp(-0.5 * e * e) / math.sqrt(2 * math.pi)
    return np.sum(w * expit(a[..., None, None] + b * e), axis=(-2, -1))


def separability_ratio(noise_var, *, rho=1.0, teacher: str = "sign") -> float:
    """``κ_c = min_t E[ψ(t Y V)]`` (p/N threshold) for the normalized teacher field ``V`` and
    ``Y = sign(√ρ V + √Δ ε)`` (``teacher="sign"``) or ``P(Y = 1 | V) = E_ε σ(√ρ V + √Δ ε)``
    (``"logit"``: Candès & Sur 2020's ``h_MLE`` at signal strength ``γ = √ρ``).

    ``Y V = |V|`` with probability ``a(|V|) = P(Y = sign V | |V|)``, else ``−|V|``: a 1-d
    Gauss–Legendre integral over ``|V| ∈ [0, 12]`` (200 nodes, clustered at 0 where ``a``
    changes fastest), minimized over t.
    """
    from scipy.optimize import minimize_scalar
    from scipy.special import ndtr

    delta = float(check_nonnegative("noise_var", noise_var))
    r = float(check_positive("rho", rho))
    check_choice("teacher", teacher, TEACHERS)
    nodes, weights = np.polynomial.legendre.leggauss(200)
    v = 6.0 * (nodes + 1.0)
    w = 6.0 * weights * 2.0 * np.exp(-0.5 * v * v) / math.sqrt(2 * math.pi)
    if teacher == "logit":
        agree = _logit_mean(math.sqrt(r) * v, math.sqrt(delta))
    else:
        agree = np.ones_like(v) if delta == 0 else ndtr(math.sqrt(r / delta) * v)

    def h(tt: float) -> float:
        return float(np.sum(w * (agree * _psi_np(tt * v) + (1 - agree) * _psi_np(-tt * v))))

    if teacher == "sign" and delta == 0:
        return 0.0
    res = minimize_scalar(h, bounds=(0.0, 1e3), method="bounded", options={"xatol": 1e-10})
    return float(min(res.fun, h(0.0)))


def separability_threshold(noise_var, *, rho=1.0, teacher: str = "sign") -> float:
    """``α_c = N/p`` above which the maximum-likelihood logistic fit exists (``1/κ_c``);
    ``inf`` for the noiseless sign teacher, 2 in the pure-noise limit Δ → ∞.

    >>> round(separability_threshold(1e12), 6)
    2.0
    >>> round(1 / separability_threshold(0.0, rho=5.0, teacher="logit"), 4)   # γ² = 5
    0.3256
    """
    kappa = separability_ratio(noise_var, rho=rho, teacher=teacher)
    if teacher == "sign" and float(noise_var) == 0:  # separable at every N/p
        return math.inf
    inputs = {"noise_var": noise_var, "rho": rho}
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        alpha = np.float64(1.0) / np.float64(kappa)
    return float(check_representable(alpha, what="threshold 1/kappa_c", inputs=inputs))


# ---------------------------------------------------------------- LaTeX


def _eq(lhs, rhs) -> str:
    return f"{sp.latex(lhs)} = {sp.latex(rhs)}"


register("CELamLoureiro", "Loureiro et al. lambda from ours (sum L + lambda/2 |w|^2)")(
    lambda: _eq(lam_loureiro, loureiro_lambda_expr())
)
register("CESklearnC", "scikit-learn LogisticRegression C (raw features, coef = w/sqrt p)")(
    lambda: _eq(sk_C, sklearn_C_expr())
)
register("CEProxDerivative", "omega-derivative of the logistic proximal operator")(
    lambda: _eq(sp.Symbol(r"\partial_\omega \mathrm{prox}"), prox_derivative_expr())
)
register("CEHebbCosine", "lambda -> infinity limit of m / sqrt(q), rho = 1, Delta = 0")(
    lambda: _eq(
        sp.Symbol(r"\lim_{\lambda\to\infty} m/\sqrt{q}"),
        sp.simplify(large_lambda_cosine_expr().subs({rho: 1, noise: 0})),
    )
)
register("CEMarginExcess", "psi(a) = E (Z - a)_+^2 of the separability threshold")(
    lambda: _eq(sp.Function(r"\psi")(a), margin_excess_expr())
)
register("CECoverThreshold", "alpha_c = N/p for pure-noise labels")(
    lambda: _eq(sp.Symbol(r"\alpha_{c}"), cover_threshold_expr())
)
_ = S  # shared symbols: N, P, lam enter through the converters
