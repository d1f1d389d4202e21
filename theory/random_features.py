r"""Random-features ridge regression: Mei–Montanari asymptotics in the toolkit's convention.

Setting (Mei & Montanari, CPAM 75, 2022; arXiv 1908.05355; DESIGN §2)
------------------------------------------------------------------------
Inputs ``x_i`` (``i = 1..N``) and feature directions ``θ_j`` (``j = 1..P``) are
uniform on the sphere of radius ``√d`` in ``R^d``; the features are
``φ_j(x) = σ(<θ_j, x>/√d)``.  The target is ``y = f(x) + ε`` with
``f(x) = <β, x> + f_NL(x)``, ``‖β‖² = F1²`` (``signal_var``), a nonlinear part
orthogonal to linear functions with ``E f_NL² = F*²`` (``nonlinear_var``) and
noise ``ε ~ N(0, τ²)`` (``noise_var``).  The limit is ``N, P, d → ∞`` with
``ψ1 = P/d`` and ``ψ2 = N/d`` fixed.

Gaussian equivalence: with ``G ~ N(0, 1)``, ``μ0 = Eσ(G)``, ``μ1 = E[Gσ(G)]``,
``μ*² = Eσ(G)² − μ0² − μ1²`` and ``ζ = μ1/μ*`` (ReLU: ``ζ² = π/(π − 2) ≈ 2.7519``).

The λ pitfall (the one conversion of this module)
-------------------------------------------------
Mei & Montanari minimize ``(1/N) Σ_i (y_i − Σ_j a_j φ_j(x_i))² + (P λ_MM/d) ‖a‖²``:
the *standard* readout with ``λ_sum = ψ1 λ_MM``.  In the toolkit's convention
(loss ``(1/N) Σ (y − f)²``, penalty ``λ R(w)``, readout ``f = P^(−c) Σ a_j φ_j``) this is
:func:`lambda_from_mm_expr`, derived by composing that reading with
:func:`theory.parametrization.lambda_expr`:

==============  ===============  ================
parametrization  sum              mean
==============  ===============  ================
standard         ``P λ_MM/d``     ``P² λ_MM/d``
ntk              ``λ_MM/d``       ``P λ_MM/d``
mean_field       ``λ_MM/(P d)``   ``λ_MM/d``
==============  ===============  ================

The theory itself depends on λ only through ``λ̄ = λ_MM/μ*²``.

Asymptotic excess test error (noise excluded)
---------------------------------------------
``E_x (f(x) − f̂(x))² → F1² B + (τ² + F*²) V + F*²`` with ``B = E1/E0`` (bias) and
``V = E2/E0`` (variance), polynomials in ``χ = ν1 ν2`` and ``ζ``
(:func:`e_polynomials`), where ``(ν1, ν2)`` solve the fixed point
(:func:`fixed_point_equations`) at ``ξ = i (ψ1 ψ2 λ̄)^{1/2}``.  Eliminating ``ν1, ν2``
gives one equation for ``χ`` (:func:`chi_equation`),

.. math::  F(\chi) = (\psi_1 + h(\chi))(\psi_2 + h(\chi)) + \psi_1\psi_2\bar\lambda\chi = 0,
           \qquad h(\chi) = \chi + \frac{\zeta^2\chi}{1 - \zeta^2\chi},

whose admissible root (``Im ν1, Im ν2 > 0`` ⇔ ``ψ_i + h(χ) > 0``) lies in
``(χ0, 0)``, ``χ0`` the ridgeless χ of ``ψ = min(ψ1, ψ2)`` (:func:`ridgeless_chi_expr`).
``F`` increases strictly on that bracket (``h`` does), so the root is unique and a
bracketed Newton iteration (:func:`solve_chi`, JAX, float64) cannot lose it.

Limits (derived with SymPy, checked against the solver in the tests)
--------------------------------------------------------------------
* Ridgeless (λ̄ → 0): χ → χ0, the negative root of ``ζ²χ² + (ψζ² − ζ² − 1)χ − ψ``,
  ``ψ = min(ψ1, ψ2)`` (:func:`ridgeless_chi_expr`); the risk diverges at ψ1 = ψ2.
* Wide (ψ1 → ∞ at fixed λ̄, corrections O(1/ψ1)): χ solves :func:`wide_chi_equation`,
  and the risk equals that of *linear* ridge on x with ``γ = 1/ψ2``, signal F1², noise
  τ² + F*² and ``λ_lin = (μ*² + ψ2 λ_MM)/(ψ2 μ1²) = (1 + ψ2 λ̄)/(ψ2 ζ²)``, plus F*²: the
  nonlinear part of the kernel acts as an extra ridge μ*².  Matching the Bayes
  ``λ_lin = γ(τ² + F*²)/F1²`` gives the tuned ``λ_MM → max(0, (ζ²/ρ − 1)/ψ2) μ*²``,
  ``ρ = F1²/(τ² + F*²)`` (:func:`wide_optimal_lam_bar_expr`).  For ρ ≤ ζ² the tuned risk
  tends to the linear Bayes risk (+F*²); for ρ > ζ² interpolation is optimal and the
  implicit ridge is already too large, so the tuned risk tends to the linear ridge risk at
  ``λ_lin = 1/(ψ2 ζ²)``, *above* the Bayes risk.

>>> round(mm_risk(2.0, 3.0, 0.1 / gaussian_equivalence("relu").mu_star2,
...               zeta=gaussian_equivalence("relu").zeta, signal_var=1.0, noise_var=0.25), 4)
0.4449
>>> round(asymptotic_risk(0.1 / 100, n_samples=300, n_features=200, input_dim=100,
...                       noise_var=0.25), 4)      # the same point, λ_sum(NTK) = λ_MM/d
0.4449
"""

from __future__ import annotations

import math
from collections.abc import Callable
from contextlib import contextmanager
from functools import cache
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import sympy as sp

from theory import _symbols as S
from theory._latex import register
from theory._numeric import lambdify
from theory._validate import (
    as_float_array,
    cache_checked,
    check_choice,
    check_expr,
    check_fraction,
    check_int,
    check_nonnegative,
    check_positive,
    check_representable,
    check_seed,
    check_width,
)
from theory.parametrization import (
    PARAMETRIZATIONS,
    READOUT_EXPONENT,
    lam_ntk,
    lambda_expr,
    lambda_from_ntk,
    lambda_to_ntk,
    width_exponent,
)
from theory.prior import NORMALIZATIONS

__all__ = [
    "ACTIVATIONS",
    "GaussianEquivalence",
    "gaussian_coefficients_expr",
    "relu_coefficients",
    "gaussian_equivalence",
    "fixed_point_equations",
    "nu_from_chi",
    "chi_equation",
    "chi_equation_compact",
    "chi_polynomial",
    "e_polynomials",
    "bias_variance_expr",
    "risk_expr",
    "ridgeless_chi_expr",
    "wide_chi_equation",
    "wide_risk_expr",
    "wide_optimal_lam_bar_expr",
    "wide_optimal_lam_mm_expr",
    "lambda_from_mm_expr",
    "solve_chi",
    "fixed_point_residual",
    "bias_variance",
    "mm_risk",
    "ridgeless_chi",
    "wide_chi",
    "wide_optimal_lam_bar",
    "wide_risk",
    "optimal_lam_bar",
    "lambda_to_mm",
    "lambda_from_mm",
    "asymptotic_risk",
    "optimal_lambda",
    "tuned_risk",
    "WidthExponents",
    "local_width_exponents",
    "lambda_star_width_exponents",
    "exponent_ranges",
    "simulate_test_error",
]

Activation = str | Callable[[np.ndarray], np.ndarray]
ACTIVATIONS = ("relu", "tanh", "erf")

# ---------------------------------------------------------------- symbols

#: ψ1 = P/d and ψ2 = N/d; ψ a generic aspect ratio (ridgeless limit: min(ψ1, ψ2))
psi1, psi2, psi = sp.symbols(r"\psi_{1} \psi_{2} \psi", positive=True)
zeta = sp.Symbol(r"\zeta", positive=True)
#: Mei–Montanari's λ and its normalized form λ̄ = λ_MM / μ*²
lam_mm = sp.Symbol(r"\lambda_{\mathrm{MM}}", positive=True)
lam_bar = sp.Symbol(r"\bar{\lambda}", positive=True)
#: χ = ν1 ν2 (negative on the solution branch; kept real so that every root is visible)
chi = sp.Symbol(r"\chi", real=True)
nu1, nu2, xi = sp.symbols(r"\nu_{1} \nu_{2} \xi")
#: target: linear power F1², nonlinear power F*², noise τ², SNR ρ = F1²/(τ² + F*²)
F1sq = sp.Symbol(r"F_{1}^{2}", positive=True)
Fstar2 = sp.Symbol(r"F_{\star}^{2}", positive=True)
tau2 = sp.Symbol(r"\tau^{2}", positive=True)
rho = sp.Symbol(r"\rho", positive=True)
mu_star2 = sp.Symbol(r"\mu_{\star}^{2}", positive=True)
#: a standard Gaussian variable
G = sp.Symbol("G", real=True)


# ---------------------------------------------------------------- Gaussian equivalence


def gaussian_coefficients_expr(activation: sp.Expr) -> dict[str, sp.Expr]:
    """``μ0, μ1, μ*², ζ²`` of a SymPy activation ``σ(G)`` by integration against N(0, 1).

    >>> gaussian_coefficients_expr(G**2)["mu_star2"]      # He2 = G² − 1 has E He2² = 2
    2
    """
    activation = check_expr("activation", activation)
    density = sp.exp(-(G**2) / 2) / sp.sqrt(2 * sp.pi)

    def expect(f: sp.Expr) -> sp.Expr:
        return sp.simplify(sp.integrate(f * density, (G, -sp.oo, sp.oo)))

    mu0, mu1, second = expect(activation), expect(G * activation), expect(activation**2)
    mu_star_sq = sp.simplify(second - mu0**2 - mu1**2)
    return {
        "mu0": mu0,
        "mu1": mu1,
        "mu_star2": mu_star_sq,
        "zeta2": sp.simplify(mu1**2 / mu_star_sq),
    }


@cache
def relu_coefficients() -> dict[str, sp.Expr]:
    r"""Closed-form Gaussian-equivalence coefficients of ReLU, integrated by SymPy.

    >>> c = relu_coefficients()
    >>> c["mu0"], c["mu1"], c["zeta2"]
    (sqrt(2)/(2*sqrt(pi)), 1/2, pi/(-2 + pi))
    """
    return gaussian_coefficients_expr(G * sp.Heaviside(G))  # max(G, 0), fast to integrate


class GaussianEquivalence(NamedTuple):
    """Numeric ``μ0, μ1, μ*`` and ``ζ = μ1/μ*`` of an activation."""

    mu0: float
    mu1: float
    mu_star: float
    zeta: float

    @property
    def mu_star2(self) -> float:
        return self.mu_star**2


def _gauss_hermite(
    fn: Callable[[np.ndarray], np.ndarray], n_nodes: int
) -> tuple[float, float, float]:
    """``(Eσ, E[Gσ], Eσ²)`` by ``n_nodes``-point Gauss–Hermite quadrature (weight e^{-G²/2})."""
    from scipy.special import roots_hermitenorm

    nodes, weights = roots_hermitenorm(n_nodes)
    weights = weights / math.sqrt(2 * math.pi)
    values = np.asarray(fn(nodes), dtype=np.float64)
    if values.shape != nodes.shape or not np.all(np.isfinite(values)):
        raise ValueError(
            "activation must map a float array to a finite array of the same shape; "
            f"got shape {values.shape} for input shape {nodes.shape}"
        )
    return (float(weights @ values), float(weights @ (nodes * values)), float(weights @ values**2))


def _erf(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf

    return erf(x)


_NUMPY_ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "relu": lambda x: np.maximum(x, 0.0),
    "tanh": np.tanh,
    "erf": _erf,
}


def _activation_fn(activation: Activation) -> Callable[[np.ndarray], np.ndarray]:
    if callable(activation):
        return activation
    check_choice("activation", activation, ACTIVATIONS)
    return _NUMPY_ACTIVATIONS[activation]


@cache
def _named_equivalence(activation: str, n_nodes: int) -> GaussianEquivalence:
    if activation == "relu":
        c = relu_coefficients()
        mu0, mu1, m2 = float(c["mu0"]), float(c["mu1"]), float(c["mu_star2"])
    else:
        e0, e1, e2 = _gauss_hermite(_NUMPY_ACTIVATIONS[activation], n_nodes)
        mu0, mu1, m2 = e0, e1, e2 - e0**2 - e1**2
    return _equivalence(mu0, mu1, m2, activation)


def _equivalence(mu0: float, mu1: float, mu_star_sq: float, activation) -> GaussianEquivalence:
    if not mu_star_sq > 1e-12:
        raise ValueError(
            f"activation {activation!r} has μ*² = {mu_star_sq:.3g} <= 0: it is linear on Gaussian "
            "inputs, so λ̄ = λ_MM/μ*² is undefined"
        )
    mu_star = math.sqrt(mu_star_sq)
    return GaussianEquivalence(mu0, mu1, mu_star, abs(mu1) / mu_star)


def gaussian_equivalence(
    activation: Activation = "relu", *, n_nodes: int = 201
) -> GaussianEquivalence:
    """Gaussian-equivalence coefficients of ``activation``.

    ``"relu"`` is exact (:func:`relu_coefficients`); ``"tanh"``, ``"erf"`` and any callable
    (mapping a float array to an array of the same shape) use ``n_nodes``-point
    Gauss–Hermite quadrature: exact for polynomials of degree < 2·n_nodes and accurate to
    ~1e-14 for tanh/erf at the default, but only O(1/n_nodes) for an activation with a kink
    (ReLU as a callable: error 1.6e-3 in μ0 at 201 nodes).
    ζ is reported as ``|μ1|/μ*``: the sign of μ1 does not enter the risk.

    >>> ge = gaussian_equivalence("relu")
    >>> round(ge.mu0, 6), ge.mu1, round(ge.zeta**2, 4)
    (0.398942, 0.5, 2.7519)
    >>> round(gaussian_equivalence("tanh").mu1, 6)
    0.605706
    """
    if not (isinstance(n_nodes, int) and n_nodes >= 2):
        raise ValueError(f"n_nodes must be an integer >= 2, got {n_nodes!r}")
    if callable(activation):
        e0, e1, e2 = _gauss_hermite(activation, n_nodes)
        return _equivalence(e0, e1, e2 - e0**2 - e1**2, activation)
    check_choice("activation", activation, ACTIVATIONS)
    return _named_equivalence(activation, n_nodes)


# ---------------------------------------------------------------- fixed point and E polynomials


def fixed_point_equations() -> tuple[sp.Eq, sp.Eq]:
    r"""Mei–Montanari's fixed point for ``ν1, ν2`` at the spectral parameter ``ξ``.

    ``ν_a = ψ_a (−ξ − ν_b − ζ² ν_b / (1 − ζ² ν1 ν2))^{−1}`` for ``(a, b) = (1, 2), (2, 1)``;
    the risk uses the solution with ``Im ν1, Im ν2 > 0`` at ``ξ = i (ψ1 ψ2 λ̄)^{1/2}``.
    """

    def one(nu_a, nu_b, psi_a):
        return sp.Eq(nu_a, psi_a / (-xi - nu_b - zeta**2 * nu_b / (1 - zeta**2 * nu1 * nu2)))

    return one(nu1, nu2, psi1), one(nu2, nu1, psi2)


@cache
def nu_from_chi() -> tuple[sp.Expr, sp.Expr]:
    """``ν1`` and ``ν2`` in terms of ``χ = ν1 ν2`` and ``ξ``, solved from each fixed-point equation.

    Each equation, multiplied out, involves ν1, ν2 only through ``ν_a`` and ``ν1 ν2``.
    """
    out = []
    for eq, nu in zip(fixed_point_equations(), (nu1, nu2), strict=True):
        cleared = sp.expand(eq.lhs / eq.rhs).subs(nu1 * nu2, chi)  # = 1
        (sol,) = sp.solve(sp.Eq(cleared, 1), nu)
        out.append(sp.simplify(sol))
    return out[0], out[1]


@cache
def chi_equation() -> sp.Expr:
    r"""``F(χ)``: the consistency ``ξ² ν1 ν2 = ξ² χ`` with :func:`nu_from_chi`, at ``ξ² = −ψ1ψ2λ̄``.

    Derived, not typed; it equals ``(ψ1 + h)(ψ2 + h) + ψ1 ψ2 λ̄ χ`` with
    ``h = χ + ζ²χ/(1 − ζ²χ)`` (checked in the tests).
    """
    v1, v2 = nu_from_chi()
    consistency = sp.expand(v1 * v2 * xi**2) - chi * xi**2
    return sp.simplify(consistency.subs(xi**2, -psi1 * psi2 * lam_bar))


@cache
def chi_polynomial() -> sp.Expr:
    """The numerator of :func:`chi_equation`: a quartic in χ (same roots for χ < 0)."""
    return sp.factor(sp.numer(sp.together(chi_equation())))


@cache
def e_polynomials() -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    r"""Mei & Montanari's ``E0, E1, E2`` in ``χ, ζ, ψ1, ψ2`` (their main theorem).

    ``B = E1/E0`` and ``V = E2/E0``; the excess test error is ``F1² B + (τ² + F*²) V + F*²``.
    These are the paper's result (not re-derived here); they are checked against the
    paper's worked example, the ridgeless and wide limits and simulation.
    """
    z2, p1, p2, c = zeta**2, psi1, psi2, chi
    e0 = (
        -(c**5) * z2**3
        + 3 * c**4 * z2**2
        + (p1 * p2 - p2 - p1 + 1) * c**3 * z2**3
        - 2 * c**3 * z2**2
        - 3 * c**3 * z2
        + (p1 + p2 - 3 * p1 * p2 + 1) * c**2 * z2**2
        + 2 * c**2 * z2
        + c**2
        + 3 * p1 * p2 * c * z2
        - p1 * p2
    )
    e1 = p2 * c**3 * z2**2 - p2 * c**2 * z2 + p1 * p2 * c * z2 - p1 * p2
    e2 = (
        c**5 * z2**3
        - 3 * c**4 * z2**2
        + (p1 - 1) * c**3 * z2**3
        + 2 * c**3 * z2**2
        + 3 * c**3 * z2
        + (-p1 - 1) * c**2 * z2**2
        - 2 * c**2 * z2
        - c**2
    )
    return e0, e1, e2


def bias_variance_expr() -> tuple[sp.Expr, sp.Expr]:
    """``(B, V) = (E1/E0, E2/E0)`` as functions of χ."""
    e0, e1, e2 = e_polynomials()
    return e1 / e0, e2 / e0


def risk_expr() -> sp.Expr:
    """Asymptotic excess test error ``F1² B + (τ² + F*²) V + F*²`` (noise τ² itself excluded)."""
    b, v = bias_variance_expr()
    return F1sq * b + (tau2 + Fstar2) * v + Fstar2


@cache
def ridgeless_chi_expr() -> sp.Expr:
    r"""χ at λ̄ = 0 as a function of ``ψ = min(ψ1, ψ2)`` and ζ, derived from :func:`chi_equation`.

    At λ̄ = 0 the equation factors as ``(ψ1 + h)(ψ2 + h) = 0``, one quadratic per ψ_i;
    each has one negative root (the product of its roots is ``−ψ_i/ζ²``).  The admissible
    branch needs ``ψ_i + h(χ) ≥ 0`` for both i and ``h`` increases, so the ridgeless χ is
    the root of the smaller ψ.

    >>> ridgeless_chi_expr()
    (-\psi*\zeta**2 + \zeta**2 - sqrt(\psi**2*\zeta**4 - 2*\psi*\zeta**4 + 2*\psi*\zeta**2 + \zeta**4 + 2*\zeta**2 + 1) + 1)/(2*\zeta**2)
    """
    at_zero = sp.factor_list(sp.numer(sp.together(chi_equation().subs(lam_bar, 0))))[1]
    (factor,) = [f for f, _ in at_zero if f.has(psi1) and not f.has(psi2)]
    roots = sp.solve(factor.subs(psi1, psi), chi)
    probe = {psi: sp.Rational(3, 2), zeta: 1}
    (negative,) = [r for r in roots if r.subs(probe).evalf() < 0]
    return negative


@cache
def wide_chi_equation() -> sp.Expr:
    """``lim_{ψ1→∞} F(χ)/ψ1``: the equation for χ of the wide (ψ1 → ∞) limit at fixed λ̄."""
    return sp.factor(sp.limit(chi_equation() / psi1, psi1, sp.oo))


@cache
def _wide_e() -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """Leading coefficients in ψ1 of ``E0, E1, E2`` (each is affine in ψ1)."""
    return tuple(sp.factor(sp.Poly(e, psi1).coeff_monomial(psi1)) for e in e_polynomials())


@cache
def wide_risk_expr() -> sp.Expr:
    """Wide-limit excess test error in χ: ``(τ² + F*²)(ρ E1 + E2)/E0 + F*²`` at ψ1 → ∞."""
    e0, e1, e2 = _wide_e()
    return (tau2 + Fstar2) * sp.factor(sp.cancel((rho * e1 + e2) / e0)) + Fstar2


@cache
def wide_optimal_lam_bar_expr() -> sp.Expr:
    r"""The stationary λ̄ of the wide-limit risk: solve ``∂R/∂χ = 0``, map χ to λ̄.

    λ̄ ↦ χ is monotone on the solution branch, so ``∂R/∂λ̄ = 0`` ⇔ ``∂R/∂χ = 0``; λ̄ is
    read off the wide χ equation (linear in λ̄).  Both critical χ give the same λ̄.
    The risk is unimodal in λ̄, so the optimum over λ̄ ≥ 0 is ``max(0, ·)`` of this:
    interpolation (λ = 0) is optimal iff ``ρ ≥ ζ²``.

    >>> sp.simplify(wide_optimal_lam_bar_expr() - (zeta**2 / rho - 1) / psi2)
    0
    """
    e0, e1, e2 = _wide_e()
    stationary = sp.numer(sp.factor(sp.diff(sp.cancel((rho * e1 + e2) / e0), chi)))
    (lam_of_chi,) = sp.solve(wide_chi_equation(), lam_bar)
    candidates = {sp.simplify(lam_of_chi.subs(chi, c)) for c in sp.solve(stationary, chi)}
    if len(candidates) != 1:
        raise RuntimeError(f"expected one stationary λ̄, got {candidates}")
    return sp.factor(candidates.pop())


def wide_optimal_lam_mm_expr() -> sp.Expr:
    """Tuned ``λ_MM`` as ψ1 → ∞: ``max(0, (ζ²/ρ − 1)/ψ2) μ*²`` (λ_MM = μ*² λ̄)."""
    return mu_star2 * sp.Max(0, wide_optimal_lam_bar_expr())


@cache_checked
def lambda_from_mm_expr(parametrization: str = "ntk", normalization: str = "sum") -> sp.Expr:
    r"""λ in (parametrization, normalization) equivalent to Mei–Montanari's ``λ_MM``.

    Their penalty ``(P λ_MM/d) ‖a‖²`` on the standard readout reads ``λ_sum(standard) =
    P λ_MM/d``; :func:`theory.parametrization.lambda_expr` at ``c = 0`` turns that into the
    NTK λ, and at ``c`` of ``parametrization`` into the requested convention.

    >>> [lambda_from_mm_expr(p, n) for p in ("standard", "ntk", "mean_field") for n in ("sum", "mean")]
    [P*\lambda_{\mathrm{MM}}/d, P**2*\lambda_{\mathrm{MM}}/d, \lambda_{\mathrm{MM}}/d, P*\lambda_{\mathrm{MM}}/d, \lambda_{\mathrm{MM}}/(P*d), \lambda_{\mathrm{MM}}/d]
    """
    check_choice("parametrization", parametrization, PARAMETRIZATIONS)
    check_choice("normalization", normalization, NORMALIZATIONS)
    standard_sum = S.P * lam_mm / S.d  # read off their objective
    (ntk,) = sp.solve(sp.Eq(lambda_expr("sum").subs(S.c, 0), standard_sum), lam_ntk)
    target = lambda_expr(normalization).subs(S.c, READOUT_EXPONENT[parametrization])
    return sp.simplify(target.subs(lam_ntk, ntk))


# ---------------------------------------------------------------- JAX numerics


def chi_equation_compact() -> sp.Expr:
    """:func:`chi_equation` written through ``h(χ) = χ + ζ²χ/(1 − ζ²χ)``: the form the solver uses.

    Fewer operations than the expanded derivation (faster to compile); the tests check
    that the two are identical.
    """
    h = chi + zeta**2 * chi / (1 - zeta**2 * chi)
    return (psi1 + h) * (psi2 + h) + psi1 * psi2 * lam_bar * chi


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
    """``fn(*flat)`` with the batch padded to a power of two (>= ``minimum``), so that jit
    compiles once per size bucket rather than once per input size."""
    n = flat[0].size
    size = max(minimum, 1 << max(n - 1, 0).bit_length())
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


def _mm_inputs(p1, p2, lb, z):
    p1 = check_positive("psi1", p1)
    p2 = check_positive("psi2", p2)
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
    c = np.asarray(_ridgeless_chi_jax(jnp.asarray(p), jnp.asarray(z)))
    inputs = {"psi": psi, "zeta": zeta}
    return _out(check_representable(c, what="ridgeless chi", inputs=inputs, positive=True))


# ---------------------------------------------------------------- wide limit


@cache
def _wide_fns() -> dict[str, Callable]:
    e0, e1, e2 = _wide_e()
    args = [chi, psi2, zeta]
    return {
        "E0": lambdify(e0, args),
        "E1": lambdify(e1, args),
        "E2": lambdify(e2, args),
        "lam": lambdify(wide_optimal_lam_bar_expr(), [psi2, zeta, rho]),
    }


def wide_chi(psi2, lam_bar, *, zeta: float) -> float | np.ndarray:
    """χ of the wide limit (ψ1 → ∞): the negative root of :func:`wide_chi_equation`.

    That equation is ``(ζ²χ − 1) q(χ)`` with ``q = ζ²(1 + ψ2λ̄)χ² − (1 + ζ² + ψ2λ̄ − ψ2ζ²)χ − ψ2``
    (a quadratic whose roots have product ``−ψ2/(ζ²(1 + ψ2λ̄)) < 0``).
    """
    p2 = check_positive("psi2", psi2)
    lb = check_nonnegative("lam_bar", lam_bar)
    z = check_nonnegative("zeta", zeta)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        z2 = z**2
        a = z2 * (1 + p2 * lb)
        b = -(1 + z2 + p2 * lb - p2 * z2)
        s = np.sqrt(b * b + 4 * a * p2)
        root = np.where(
            b > 0, -(b + s) / (2 * np.where(b > 0, a, 1.0)), -2 * p2 / (s - np.minimum(b, 0))
        )
    inputs = {"psi2": psi2, "lam_bar": lam_bar, "zeta": zeta}
    return _out(check_representable(root, what="wide-limit chi", inputs=inputs, positive=True))


def wide_risk(psi2, lam_bar, *, zeta: float, signal_var=1.0, noise_var, nonlinear_var=0.0):
    """Excess test error in the wide limit ψ1 → ∞ at fixed λ̄ (:func:`wide_risk_expr`)."""
    zeta = check_nonnegative("zeta", zeta)
    f1 = check_nonnegative("signal_var", signal_var)
    t2 = check_nonnegative("noise_var", noise_var)
    fs = check_nonnegative("nonlinear_var", nonlinear_var)
    c = np.asarray(wide_chi(psi2, lam_bar, zeta=zeta))
    fn = _wide_fns()
    p2 = np.asarray(psi2, float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        e0 = fn["E0"](c, p2, zeta)
        risk = f1 * fn["E1"](c, p2, zeta) / e0 + (t2 + fs) * fn["E2"](c, p2, zeta) / e0 + fs
    inputs = {"psi2": psi2, "lam_bar": lam_bar, "zeta": zeta, "signal_var": signal_var,
              "noise_var": noise_var, "nonlinear_var": nonlinear_var}  # fmt: skip
    return _out(check_representable(risk, what="wide-limit risk", inputs=inputs))


def wide_optimal_lam_bar(psi2, *, zeta: float, signal_var=1.0, noise_var, nonlinear_var=0.0):
    """``max(0, (ζ²/ρ − 1)/ψ2)``: tuned λ̄ as ψ1 → ∞, ``ρ = F1²/(τ² + F*²)`` (exactly 0.0 if ρ ≥ ζ²)."""
    p2 = check_positive("psi2", psi2)
    zeta = check_nonnegative("zeta", zeta)
    f1 = check_positive("signal_var", signal_var)
    t2 = check_nonnegative("noise_var", noise_var)
    fs = check_nonnegative("nonlinear_var", nonlinear_var)
    with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
        sigma2 = t2 + fs
        noiseless = sigma2 == 0  # ρ = ∞ ≥ ζ²: interpolation is optimal, λ̄* = 0 exactly
        snr = f1 / np.where(noiseless, 1.0, sigma2)
        lam = np.where(noiseless, 0.0, _wide_fns()["lam"](p2, zeta, snr))
        lam = np.maximum(lam, 0.0)
    inputs = {"psi2": psi2, "zeta": zeta, "signal_var": signal_var, "noise_var": noise_var,
              "nonlinear_var": nonlinear_var}  # fmt: skip
    check_representable(snr, what="signal-to-noise ratio", inputs=inputs, positive=True)
    return _out(check_representable(lam, what="tuned lam_bar", inputs=inputs))


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
    p1 = check_positive("psi1", psi1)
    p2 = check_positive("psi2", psi2)
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


# ---------------------------------------------------------------- the toolkit's convention


@cache
def _mm_to_ntk_fn():
    return lambdify(lambda_from_mm_expr("ntk", "sum"), [lam_mm, S.d])


@cache
def _ntk_to_mm_fn():
    (inverse,) = sp.solve(sp.Eq(lam_ntk, lambda_from_mm_expr("ntk", "sum")), lam_mm)
    return lambdify(inverse, [lam_ntk, S.d])


def lambda_to_mm(lam, *, n_features, input_dim, parametrization="ntk", normalization="sum"):
    """Mei–Montanari's ``λ_MM`` equivalent to ``lam`` in (parametrization, normalization).

    The only λ conversion of this module: ``lam`` → NTK λ_sum
    (:func:`theory.parametrization.lambda_to_ntk`) → ``λ_MM`` (:func:`lambda_from_mm_expr`).

    >>> lambda_to_mm(1e-3, n_features=200, input_dim=100)
    0.1
    """
    lam_v = check_nonnegative("lam", lam)
    e = width_exponent(parametrization, normalization)
    p = check_width("n_features", n_features)
    d = check_width("input_dim", input_dim)
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        value = _ntk_to_mm_fn()(lam_v / p**e, d)  # lam → NTK λ_sum (lambda_to_ntk) → λ_MM
    inputs = {"lam": lam, "n_features": n_features, "input_dim": input_dim}
    return _out(check_representable(value, what="lambda_MM", inputs=inputs, positive=lam_v > 0))


def lambda_from_mm(lam_mm, *, n_features, input_dim, parametrization="ntk", normalization="sum"):
    """Inverse of :func:`lambda_to_mm` (``λ_MM = 0`` maps to exactly 0.0).

    >>> lambda_from_mm(0.1, n_features=200, input_dim=100, parametrization="standard")
    0.2
    """
    lam_v = check_nonnegative("lam_mm", lam_mm)
    e = width_exponent(parametrization, normalization)
    p = check_width("n_features", n_features)
    d = check_width("input_dim", input_dim)
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        value = _mm_to_ntk_fn()(lam_v, d) * p**e  # λ_MM → NTK λ_sum → lambda_from_ntk
    inputs = {"lam_mm": lam_mm, "n_features": n_features, "input_dim": input_dim}
    return _out(check_representable(value, what="lambda", inputs=inputs, positive=lam_v > 0))


@contextmanager
def _solver_named(**inputs):
    """Re-raise the fixed point's ``RuntimeError`` (it names ψ1, ψ2, λ̄, ζ), or an over- or
    underflow in Mei–Montanari's variables, naming the caller's own arguments too, so an input
    out of the solver's (or float64's) reach says which one it was."""
    try:
        yield
    except (RuntimeError, ValueError) as exc:
        if isinstance(exc, ValueError) and "float64" not in str(exc):
            raise
        names = ", ".join(inputs)
        at = ", ".join(f"{k}={v!r}" for k, v in inputs.items())
        raise type(exc)(f"{names}: {exc} (from {at})") from exc


def _problem(n_samples, n_features, input_dim, noise_var, signal_var, nonlinear_var, activation):
    n = check_width("n_samples", n_samples)
    p = check_width("n_features", n_features)
    d = check_width("input_dim", input_dim)
    variances = dict(
        signal_var=check_nonnegative("signal_var", signal_var),
        noise_var=check_nonnegative("noise_var", noise_var),
        nonlinear_var=check_nonnegative("nonlinear_var", nonlinear_var),
    )
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        psi_1, psi_2 = p / d, n / d
    inputs = {"n_samples": n_samples, "n_features": n_features, "input_dim": input_dim}
    check_representable(psi_1, what="ratio P/d", inputs=inputs, positive=True)
    check_representable(psi_2, what="ratio N/d", inputs=inputs, positive=True)
    return psi_1, psi_2, gaussian_equivalence(activation), variances


def asymptotic_risk(
    lam,
    *,
    n_samples,
    n_features,
    input_dim,
    noise_var,
    signal_var=1.0,
    nonlinear_var=0.0,
    activation: Activation = "relu",
    parametrization: str = "ntk",
    normalization: str = "sum",
) -> float | np.ndarray:
    """Asymptotic excess test error of random-features ridge at L2 strength ``lam``.

    ``lam`` is in the toolkit's convention ``(1/N) Σ (y − f)² + λ R(a)`` with the readout
    ``f = P^(−c) Σ_j a_j φ_j`` of ``parametrization`` and ``R`` of ``normalization``;
    ``n_features`` is the width P.  Returns ``E_x (f(x) − f̂(x))²``: the noise ``noise_var``
    of a test label is **excluded** (add it for the prediction error).  Arguments broadcast.

    >>> round(asymptotic_risk(0.2, n_samples=300, n_features=200, input_dim=100, noise_var=0.25,
    ...                       parametrization="standard"), 4)    # λ_MM = d λ / P = 0.1
    0.4449
    """
    p1, p2, ge, var = _problem(
        n_samples, n_features, input_dim, noise_var, signal_var, nonlinear_var, activation
    )
    lam_mm_value = lambda_to_mm(
        lam,
        n_features=n_features,
        input_dim=input_dim,
        parametrization=parametrization,
        normalization=normalization,
    )
    inputs = {"lam": lam, "n_samples": n_samples, "n_features": n_features, "input_dim": input_dim}
    with np.errstate(over="ignore"):
        lam_bar_value = np.asarray(lam_mm_value) / ge.mu_star2
    check_representable(lam_bar_value, what="lam_bar = lambda_MM / mu_star^2", inputs=inputs)
    with _solver_named(**inputs):
        return mm_risk(p1, p2, lam_bar_value, zeta=ge.zeta, **var)


def _tuned(n_samples, n_features, input_dim, noise_var, signal_var, nonlinear_var, activation):
    p1, p2, ge, var = _problem(
        n_samples, n_features, input_dim, noise_var, signal_var, nonlinear_var, activation
    )
    if np.any(var["signal_var"] <= 0):
        raise ValueError(
            f"signal_var must be > 0 for a finite optimal λ (pure noise is fit best by λ = ∞), "
            f"got {signal_var!r}"
        )
    with _solver_named(n_samples=n_samples, n_features=n_features, input_dim=input_dim):
        lam_bar_star, risk_star = optimal_lam_bar(p1, p2, zeta=ge.zeta, **var)
    return np.asarray(lam_bar_star) * ge.mu_star2, risk_star


def optimal_lambda(
    *,
    n_samples,
    n_features,
    input_dim,
    noise_var,
    signal_var=1.0,
    nonlinear_var=0.0,
    activation: Activation = "relu",
    parametrization: str = "ntk",
    normalization: str = "sum",
) -> float | np.ndarray:
    """λ* minimizing :func:`asymptotic_risk`, in (parametrization, normalization).

    Returns exactly ``0.0`` where interpolation (the minimum-norm solution) is optimal,
    e.g. at high SNR ``ρ = signal_var/(noise_var + nonlinear_var) ≥ ζ²`` for wide models;
    never the edge of a search grid.  ``signal_var`` must be > 0.  Arguments broadcast.

    >>> round(optimal_lambda(n_samples=300, n_features=10**6, input_dim=100, noise_var=1.0)
    ...       * 100, 4)                      # λ_MM*; wide limit (ζ² − 1)/ψ2 · μ*² = 0.0531
    0.0531
    >>> optimal_lambda(n_samples=300, n_features=10**6, input_dim=100, noise_var=0.1)
    0.0
    """
    lam_mm_star, _ = _tuned(
        n_samples, n_features, input_dim, noise_var, signal_var, nonlinear_var, activation
    )
    return lambda_from_mm(
        lam_mm_star,
        n_features=n_features,
        input_dim=input_dim,
        parametrization=parametrization,
        normalization=normalization,
    )


def tuned_risk(
    *,
    n_samples,
    n_features,
    input_dim,
    noise_var,
    signal_var=1.0,
    nonlinear_var=0.0,
    activation: Activation = "relu",
) -> float | np.ndarray:
    """Excess test error at :func:`optimal_lambda` (the same in every convention)."""
    _, risk_star = _tuned(
        n_samples, n_features, input_dim, noise_var, signal_var, nonlinear_var, activation
    )
    return risk_star


# ---------------------------------------------------------------- width exponents of λ*


class WidthExponents(NamedTuple):
    """λ* along a width grid and its local exponent ``d log λ* / d log P``."""

    widths: np.ndarray
    lam_star: np.ndarray
    local: np.ndarray
    theory: float  #: the exponent when the NTK-scaled λ* is width-independent


def local_width_exponents(widths, lam_star) -> np.ndarray:
    """``d log λ*/d log P`` by centered differences on a log grid (NaN where λ* = 0)."""
    widths = check_width("widths", widths)
    lam_star = check_nonnegative("lam_star", lam_star)
    if widths.ndim != 1 or widths.shape != lam_star.shape or widths.size < 3:
        raise ValueError(
            f"widths and lam_star must be 1-d of the same length >= 3, got {widths.shape} "
            f"and {lam_star.shape}"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        log_lam = np.where(lam_star > 0, np.log(np.where(lam_star > 0, lam_star, 1.0)), np.nan)
        return np.gradient(log_lam, np.log(widths))


def lambda_star_width_exponents(
    widths,
    *,
    n_samples,
    input_dim,
    noise_var,
    signal_var=1.0,
    nonlinear_var=0.0,
    activation: Activation = "relu",
    parametrization: str = "ntk",
    normalization: str = "sum",
) -> WidthExponents:
    """Measured local width exponents of λ* at fixed ``n_samples`` and ``input_dim``.

    Compare ``local`` with ``theory`` (:func:`theory.parametrization.width_exponent`): they
    agree where the NTK-scaled λ* has stopped moving, i.e. for wide models; in the
    under-parametrized regime ``local − theory = d log λ_MM*/d log ψ1`` need not vanish
    (see :func:`exponent_ranges`).
    """
    widths = check_width("widths", widths)
    lam = np.asarray(
        optimal_lambda(
            n_samples=n_samples,
            n_features=widths,
            input_dim=input_dim,
            noise_var=noise_var,
            signal_var=signal_var,
            nonlinear_var=nonlinear_var,
            activation=activation,
            parametrization=parametrization,
            normalization=normalization,
        )
    )
    return WidthExponents(
        widths,
        lam,
        local_width_exponents(widths, lam),
        float(width_exponent(parametrization, normalization)),
    )


def exponent_ranges(
    widths, local, *, target: float, tol: float = 0.05
) -> list[tuple[float, float]]:
    """Maximal contiguous width ranges on which ``|local − target| <= tol``.

    >>> exponent_ranges([1, 2, 4, 8, 16], [0.5, 0.02, 0.01, -0.03, 0.2], target=0.0)
    [(2.0, 8.0)]
    """
    widths = check_width("widths", widths)
    try:
        local = np.asarray(local, dtype=np.float64)  # NaN allowed: no exponent where λ* = 0
    except (TypeError, ValueError) as exc:
        raise ValueError(f"local must be an array of numbers, got {local!r}") from exc
    if widths.ndim != 1 or local.shape != widths.shape:
        raise ValueError(
            f"local must have the shape of widths {widths.shape}, got {local.shape}: {local!r}"
        )
    as_float_array("target", target)
    check_positive("tol", tol)
    inside = np.abs(local - target) <= tol  # NaN compares False
    ranges, start = [], None
    for i, flag in enumerate(inside):
        if flag and start is None:
            start = i
        if start is not None and (not flag or i == len(inside) - 1):
            stop = i if flag else i - 1
            ranges.append((float(widths[start]), float(widths[stop])))
            start = None
    return ranges


# ---------------------------------------------------------------- simulation


def _sphere(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    z = rng.standard_normal((n, d))
    return z * np.sqrt(d) / np.linalg.norm(z, axis=1, keepdims=True)


def simulate_test_error(
    lam,
    *,
    n_samples: int,
    n_features: int,
    input_dim: int,
    noise_var: float,
    signal_var: float = 1.0,
    nonlinear_var: float = 0.0,
    activation: Activation = "relu",
    parametrization: str = "ntk",
    normalization: str = "sum",
    n_draws: int = 10,
    n_test: int = 2000,
    seed: int = 0,
    rcond: float = 1e-10,
) -> np.ndarray:
    """Excess test errors of random-features ridge on simulated data, shape ``(n_draws, len(lam))``.

    Each draw samples θ_j, training and ``n_test`` fresh test inputs on the sphere of radius
    √d, ``β`` uniform with ``‖β‖² = signal_var``, the nonlinear part
    ``f_NL = c ((<w, x>)² − 1)`` (``‖w‖ = 1``, c set so that ``E f_NL² = nonlinear_var``
    exactly on the sphere; it is orthogonal to constants and linear functions) and
    ``N(0, noise_var)`` label noise.  One SVD of the training features serves every ``lam``
    (in the toolkit's convention, mapped to the standard readout through
    :mod:`theory.parametrization`, not through the Mei–Montanari conversion); ``lam = 0``
    gives the minimum-norm interpolator (singular values below ``rcond·s_max`` dropped).
    The error is ``mean_test (f(x) − f̂(x))²``: noise excluded, like :func:`asymptotic_risk`.
    """
    lam = check_nonnegative("lam", lam)
    lam = np.atleast_1d(lam)
    if lam.ndim != 1:
        raise ValueError(f"lam must be a scalar or 1-d, got shape {lam.shape}")
    sizes = {
        "n_samples": n_samples,
        "n_features": n_features,
        "input_dim": input_dim,
        "n_draws": n_draws,
        "n_test": n_test,
    }
    for name, value in sizes.items():
        check_int(name, value, minimum=2 if name == "input_dim" else 1)
    check_seed("seed", seed)
    check_fraction("rcond", rcond, low_open=True)
    f1 = float(check_nonnegative("signal_var", signal_var))
    t2 = float(check_nonnegative("noise_var", noise_var))
    fs = float(check_nonnegative("nonlinear_var", nonlinear_var))
    sigma = _activation_fn(activation)
    n, p, d = int(n_samples), int(n_features), int(input_dim)
    # standard readout f = Σ a_j φ_j: its sum-normalized λ
    lam_std = np.asarray(
        lambda_from_ntk(
            lambda_to_ntk(
                lam, width=p, parametrization=parametrization, normalization=normalization
            ),
            width=p,
            parametrization="standard",
            normalization="sum",
        )
    )
    c_nl = math.sqrt(fs * (d + 2) / (2 * (d - 1)))  # Var(<w,x>²) = 2(d−1)/(d+2) on the sphere
    out = np.empty((n_draws, lam.size))
    for k, rng in enumerate(np.random.default_rng(seed).spawn(n_draws)):
        theta = _sphere(rng, p, d)
        beta = rng.standard_normal(d)
        beta *= math.sqrt(f1) / np.linalg.norm(beta)
        w = rng.standard_normal(d)
        w /= np.linalg.norm(w)

        def target(x, beta=beta, w=w):
            return x @ beta + c_nl * ((x @ w) ** 2 - 1.0)

        x_train, x_test = _sphere(rng, n, d), _sphere(rng, n_test, d)
        y = target(x_train) + math.sqrt(t2) * rng.standard_normal(n)
        z_train = sigma(x_train @ theta.T / math.sqrt(d))
        z_test = sigma(x_test @ theta.T / math.sqrt(d))
        u, s, vt = np.linalg.svd(z_train, full_matrices=False)
        keep = s > rcond * s[0]
        u, s, vt = u[:, keep], s[keep], vt[keep]
        test_proj, uy, f_test = z_test @ vt.T, u.T @ y, target(x_test)
        # a(λ) = V diag(s / (s² + N λ_std)) Uᵀ y  (normal equations (ZᵀZ/N + λ_std) a = Zᵀy/N)
        gains = s[None, :] / (s[None, :] ** 2 + n * lam_std[:, None])
        predictions = (gains * uy[None, :]) @ test_proj.T
        out[k] = np.mean((predictions - f_test[None, :]) ** 2, axis=1)
    return out


# ---------------------------------------------------------------- LaTeX


def _eq(lhs, rhs) -> str:
    return f"{sp.latex(lhs)} = {sp.latex(rhs)}"


_RELU_MACROS = {
    "RFReluMuZero": ("mu0", r"\mu_{0}"),
    "RFReluMuOne": ("mu1", r"\mu_{1}"),
    "RFReluMuStarSq": ("mu_star2", r"\mu_{\star}^{2}"),
    "RFReluZetaSq": ("zeta2", r"\zeta^{2}"),
}
for _name, (_key, _tex) in _RELU_MACROS.items():
    register(_name, f"ReLU Gaussian-equivalence coefficient {_key}")(
        (lambda k, t: lambda: f"{t} = {sp.latex(relu_coefficients()[k])}")(_key, _tex)
    )


def _same(display: sp.Expr, derived: sp.Expr) -> sp.Expr:
    """``display`` (a readable arrangement) after checking that it equals ``derived``."""
    if sp.simplify(display - derived) != 0:
        raise AssertionError(f"display form {display} differs from the derivation {derived}")
    return display


def _latex_fixed_point() -> str:
    eq = fixed_point_equations()[0]
    return f"{sp.latex(eq.lhs)} = {sp.latex(eq.rhs, order='none')}"


def _latex_chi_equation() -> str:
    h = sp.Symbol("h")
    h_def = chi + zeta**2 * chi / (1 - zeta**2 * chi)
    compact = (psi1 + h) * (psi2 + h) + psi1 * psi2 * lam_bar * chi
    _same(compact.subs(h, h_def), chi_equation())
    return f"{sp.latex(compact, order='none')} = 0, \\quad h = {sp.latex(h_def, order='none')}"


def _latex_ridgeless_chi() -> str:
    b = psi * zeta**2 - zeta**2 - 1
    display = _same(-(b + sp.sqrt(b**2 + 4 * zeta**2 * psi)) / (2 * zeta**2), ridgeless_chi_expr())
    return f"{sp.latex(chi)} = {sp.latex(display, order='none')}"


def _latex_wide_lambda() -> str:
    stationary = _same((zeta**2 / rho - 1) / psi2, wide_optimal_lam_bar_expr())
    star = sp.Symbol(r"\lambda_{\mathrm{MM}}^{\star}")
    return f"{sp.latex(star)} = {sp.latex(mu_star2 * sp.Max(0, stationary, evaluate=False), order='none')}"


register("RFFixedPoint", "Mei-Montanari fixed point for nu_1 (nu_2: swap 1 and 2)")(
    _latex_fixed_point
)
register("RFChiEquation", "the scalar equation for chi = nu_1 nu_2 (nu eliminated)")(
    _latex_chi_equation
)
register("RFRidgelessChi", "ridgeless chi, psi = min(psi_1, psi_2)")(_latex_ridgeless_chi)
register("RFWideLambdaStar", "tuned lambda_MM as psi_1 -> infinity")(_latex_wide_lambda)
register("RFLamNTKFromMM", "NTK sum-normalized lambda from the Mei-Montanari lambda")(
    lambda: _eq(lam_ntk, lambda_from_mm_expr("ntk", "sum"))
)
