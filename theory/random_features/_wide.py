"""Random features: the wide limit ψ1 → ∞ at fixed λ̄ (derivation and numerics).

The risk becomes that of linear ridge with an extra ridge μ*² from the nonlinear part of the
kernel; the tuned λ̄ is ``max(0, (ζ²/ρ − 1)/ψ2)`` (:mod:`theory.random_features`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np
import sympy as sp

from theory._numeric import lambdify
from theory.checks import check_nonnegative, check_positive, check_representable
from theory.random_features._solve import _out
from theory.random_features._symbolic import (
    Fstar2,
    chi,
    chi_equation,
    e_polynomials,
    lam_bar,
    mu_star2,
    psi1,
    psi2,
    rho,
    tau2,
    zeta,
)


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
