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

Modules: ``_symbolic`` (the derivations), ``_risk`` (their numeric twins: Bayes λ*, MP
Stieltjes transform, asymptotic risk, λ*, ridgeless limits), ``_simulate`` (one-SVD Monte
Carlo) and ``_latex`` (the paper's macros); this package re-exports their public API.

>>> round(asymptotic_risk(0.5, gamma=0.5, noise_var=1.0, signal_var=1.0), 12)
0.414213562373
>>> optimal_lambda(gamma=0.5, noise_var=1.0, signal_var=1.0)
0.5
>>> optimal_lambda(gamma=0.5, noise_var=1.0, signal_var=1.0, normalization="mean", n_features=200)
100.0
"""

from theory.linear import _latex  # noqa: F401  (registers the paper's macros)
from theory.linear._risk import (
    asymptotic_risk,
    asymptotic_risk_jax,
    bayes_optimal_lambda,
    finite_ridgeless_risk,
    mp_stieltjes,
    mp_stieltjes_derivative,
    optimal_lambda,
    optimal_risk,
    ridgeless_risk,
)
from theory.linear._simulate import MonteCarloRisk, monte_carlo_risk, ridge_risk_path
from theory.linear._symbolic import (
    bayes_optimal_lambda_expr,
    dm_val,
    finite_ridgeless_risk_expr,
    inverse_wishart_trace_expr,
    m_val,
    mp_equation_expr,
    optimal_lambda_expr,
    optimal_risk_explicit_expr,
    optimal_risk_expr,
    prior_weight_variance_expr,
    ridgeless_risk_expr,
    risk_explicit_expr,
    risk_expr,
    risk_integrand_expr,
    stieltjes_derivative_expr,
    stieltjes_expr,
    x,
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
