r"""Ridge-regularized logistic regression in proportional asymptotics (the cross-entropy case).

Objective (DESIGN §2): ``(1/N) Σ_i log(1 + e^{−y_i f(x_i)}) + λ Σ_j w_j²`` with the NTK
readout ``f = w·x/√p`` over p features; ``lam`` is that λ_sum.  Loureiro et al. (2021) write
``Σ ℓ + (λ_L/2)‖w‖²``: ``λ_L = 2Nλ`` (:func:`to_loureiro`); scikit-learn
``LogisticRegression(C)`` on the raw features: ``C = 1/(2Nλp)`` (:func:`to_sklearn_C`).  The
other five conventions follow from :mod:`theory.parametrization` (the readout change of
variables holds for any loss): :func:`lambda_star_conventions`.

* :func:`gcm_logistic` -- the Gaussian-covariate-model fixed point (JAX float64, Newton on
  the overlaps, jit + vmap over λ); presets :func:`gaussian_logistic` (Gaussian inputs,
  linear teacher) and :func:`random_features_logistic` (centered ReLU/erf features).
  Teachers (:data:`TEACHERS`): ``"sign"`` (``y = sign(ν + √Δ ε)``) and ``"logit"``
  (``P(y = 1) = σ(ν + √Δ ε)``, Sur & Candès 2019; the variance of ν is the signal strength).
* :func:`optimal_lambda` -- λ* of the test cross-entropy or of the test error.
* Symbolic: the logistic channel, the ridge prior equations, the λ → ∞ (Hebbian) limit for any
  teacher (:func:`hebb_cosine_expr`) and the separability threshold
  (:func:`separability_threshold`; α_c = 2 for pure noise, Candès–Sur's h_MLE for logit).
* :func:`simulate_logistic` -- scikit-learn Monte Carlo in the same convention.

>>> r = gaussian_logistic(5e-3, n_samples=200, n_features=100)     # α = 2, λ_L = 2
>>> round(r.test_error, 3), round(r.test_loss, 3), round(r.train_loss, 3)
(0.214, 0.592, 0.52)
"""

from theory.classification import _published  # noqa: F401  (registers the paper's macros)
from theory.classification._api import (
    METRICS,
    TEACHERS,
    GCMLogistic,
    LambdaStar,
    gaussian_covariances,
    gaussian_logistic,
    gaussian_spectrum,
    gcm_logistic,
    lambda_star_conventions,
    logistic_from_spectrum,
    optimal_lambda,
    random_features_covariances,
    random_features_logistic,
    random_features_spectrum,
)
from theory.classification._convert import (
    from_loureiro,
    from_sklearn_C,
    loureiro_lambda_expr,
    sklearn_C_expr,
    to_loureiro,
    to_sklearn_C,
)
from theory.classification._simulate import simulate_logistic
from theory.classification._solve import Spectrum
from theory.classification._symbolic import (
    channel_derivative_expr,
    cover_threshold_expr,
    hebb_cosine_expr,
    large_lambda_cosine_expr,
    large_lambda_error_expr,
    large_lambda_hats,
    logistic_loss_expr,
    margin_excess_expr,
    noiseless_threshold_limit,
    prior_equations_isotropic,
    prior_equations_spectral,
    prox_derivative_expr,
    prox_equation,
    separability_ratio,
    separability_threshold,
)

__all__ = [
    "METRICS",
    "TEACHERS",
    "GCMLogistic",
    "LambdaStar",
    "Spectrum",
    "gcm_logistic",
    "gaussian_covariances",
    "gaussian_spectrum",
    "gaussian_logistic",
    "random_features_covariances",
    "random_features_spectrum",
    "random_features_logistic",
    "logistic_from_spectrum",
    "optimal_lambda",
    "lambda_star_conventions",
    "to_loureiro",
    "from_loureiro",
    "to_sklearn_C",
    "from_sklearn_C",
    "loureiro_lambda_expr",
    "sklearn_C_expr",
    "simulate_logistic",
    "logistic_loss_expr",
    "prox_equation",
    "prox_derivative_expr",
    "channel_derivative_expr",
    "prior_equations_isotropic",
    "prior_equations_spectral",
    "large_lambda_hats",
    "large_lambda_cosine_expr",
    "hebb_cosine_expr",
    "large_lambda_error_expr",
    "margin_excess_expr",
    "cover_threshold_expr",
    "noiseless_threshold_limit",
    "separability_ratio",
    "separability_threshold",
]
