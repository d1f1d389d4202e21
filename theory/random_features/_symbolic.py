r"""Random features: the Mei–Montanari derivations (each a function returning a SymPy expression).

Symbols, the fixed point, the scalar χ equation, the E polynomials, the risk, the ridgeless
χ and the λ_MM mapping; the setting and conventions are in :mod:`theory.random_features`.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from theory import _symbols as S
from theory.checks import cache_checked, check_choice
from theory.parametrization import PARAMETRIZATIONS, READOUT_EXPONENT, lam_ntk, lambda_expr
from theory.prior import NORMALIZATIONS

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
