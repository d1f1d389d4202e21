"""Random features: the paper's LaTeX macros (registered at import; :mod:`theory.latex` writes them).

Each display form is checked against the derivation it shows.
"""

from __future__ import annotations

import sympy as sp

from theory._macros import register
from theory.parametrization import lam_ntk
from theory.random_features._gaussian import relu_coefficients
from theory.random_features._symbolic import (
    chi,
    chi_equation,
    fixed_point_equations,
    lam_bar,
    lambda_from_mm_expr,
    mu_star2,
    psi,
    psi1,
    psi2,
    rho,
    ridgeless_chi_expr,
    zeta,
)
from theory.random_features._wide import wide_optimal_lam_bar_expr

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
