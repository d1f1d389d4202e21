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

Modules (one job each; this package re-exports their public API): ``_symbolic`` (symbols,
fixed point, χ equation, E polynomials, ridgeless χ, the λ_MM mapping), ``_gaussian``
(Gaussian equivalence), ``_solve`` (the JAX fixed-point solver, risk in Mei–Montanari
variables), ``_wide`` (the ψ1 → ∞ limit), ``_tune`` (tuned λ̄), ``_convention`` (the
toolkit's λ and sizes), ``_exponents`` (width exponents of λ*), ``_simulate``
(simulated random-features ridge) and ``_latex`` (the paper's macros).

>>> round(mm_risk(2.0, 3.0, 0.1 / gaussian_equivalence("relu").mu_star2,
...               zeta=gaussian_equivalence("relu").zeta, signal_var=1.0, noise_var=0.25), 4)
0.4449
>>> round(asymptotic_risk(0.1 / 100, n_samples=300, n_features=200, input_dim=100,
...                       noise_var=0.25), 4)      # the same point, λ_sum(NTK) = λ_MM/d
0.4449
"""

from theory.random_features import _latex  # noqa: F401  (registers the paper's macros)
from theory.random_features._convention import (
    asymptotic_risk,
    lambda_from_mm,
    lambda_to_mm,
    optimal_lambda,
    tuned_risk,
)
from theory.random_features._exponents import (
    WidthExponents,
    exponent_ranges,
    lambda_star_width_exponents,
    local_width_exponents,
)
from theory.random_features._gaussian import (
    ACTIVATIONS,
    GaussianEquivalence,
    _activation_fn,  # noqa: F401  (not in __all__; theory.classification uses it)
    gaussian_coefficients_expr,
    gaussian_equivalence,
    relu_coefficients,
)
from theory.random_features._simulate import simulate_test_error
from theory.random_features._solve import (
    bias_variance,
    fixed_point_residual,
    mm_risk,
    ridgeless_chi,
    solve_chi,
)
from theory.random_features._symbolic import (  # noqa: F401  (the symbols: not in __all__)
    F1sq,
    Fstar2,
    G,
    bias_variance_expr,
    chi,
    chi_equation,
    chi_equation_compact,
    chi_polynomial,
    e_polynomials,
    fixed_point_equations,
    lam_bar,
    lam_mm,
    lambda_from_mm_expr,
    mu_star2,
    nu1,
    nu2,
    nu_from_chi,
    psi,
    psi1,
    psi2,
    rho,
    ridgeless_chi_expr,
    risk_expr,
    tau2,
    xi,
    zeta,
)
from theory.random_features._tune import optimal_lam_bar
from theory.random_features._wide import (
    wide_chi,
    wide_chi_equation,
    wide_optimal_lam_bar,
    wide_optimal_lam_bar_expr,
    wide_optimal_lam_mm_expr,
    wide_risk,
    wide_risk_expr,
)

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
