r"""L2 strength ⇔ Gaussian prior, sum ⇔ mean, and every other λ convention.

Our objective (DESIGN §2) for ``N`` samples and ``P`` penalized weights is

.. math::  E(w) = \frac1N \sum_i \ell_i(w) + \lambda R(w),\qquad
           R_{\rm sum} = \sum_j w_j^2,\quad R_{\rm mean} = \frac1P \sum_j w_j^2,

with the squared loss ``ℓ = (y - f)²`` (no factor ½) or the cross-entropy.  The
penalty is ``λ R``, not ``λ/2 R``.

Every identity here is *derived*: two objectives have the same minimizer (and,
for the optimizers, the same step) when their gradients are proportional for
every data set and every weight.  Writing the gradient of the total data loss
``Σ_i ℓ_i`` as a free symbol ``g``, each gradient is linear in ``g`` and the
weight ``w``; matching the two coefficients gives the conversion.  The
results, for the squared loss with noise variance σ²:

* prior variance ``v = σ² / (N λ_sum)``; for the cross-entropy ``v = 1/(2 N λ_sum)``;
* ``λ_sum = λ_mean / P``;
* scikit-learn ``Ridge(alpha)``: ``alpha = N λ_sum``;
* scikit-learn ``BayesianRidge``: ``lambda_ / alpha_ = N λ_sum``;
* MacKay (1992) ``M = β E_D + α E_W`` with ``E = ½ Σ``: ``α = N β λ_sum``;
* coupled ``weight_decay`` of SGD / ``optax.add_decayed_weights`` on the mean loss:
  ``weight_decay = 2 λ_sum``.

>>> prior_variance(1e-3, n_samples=100, noise_var=0.5)
5.0
>>> prior_variance(1e-3, n_samples=100, loss="cross_entropy")
5.0
>>> prior_variance(0.1, n_samples=100, normalization="mean", n_params=1000, noise_var=0.5)
50.0

Modules: ``_symbolic`` (the gradient-matching derivations), ``_callables`` (their NumPy
twins and the checks the converters share), ``_variance`` (sum ⇔ mean, λ ⇔ prior
variance), ``_convert`` (scikit-learn, MacKay, SGD weight decay) and ``_latex`` (the
paper's macros); this package re-exports their public API.
"""

from __future__ import annotations

from theory.prior import _latex  # noqa: F401  (registers the paper's macros)
from theory.prior._convert import (
    from_bayesian_ridge,
    from_mackay,
    from_sgd_weight_decay,
    from_sklearn_ridge_alpha,
    to_bayesian_ridge,
    to_mackay,
    to_sgd_weight_decay,
    to_sklearn_ridge_alpha,
)
from theory.prior._symbolic import (
    LOSSES,
    NORMALIZATIONS,
    Loss,  # noqa: F401  (the type aliases and the gradient symbol: not in __all__)
    Normalization,  # noqa: F401
    bayesian_ridge_ratio_expr,
    g,  # noqa: F401
    lambda_sum_from_mean_expr,
    mackay_alpha_expr,
    match_gradients,
    prior_variance_expr,
    sgd_weight_decay_expr,
    sklearn_ridge_alpha_expr,
)
from theory.prior._variance import (
    from_sum,
    lambda_from_prior_variance,
    prior_variance,
    to_sum,
)

__all__ = [
    "LOSSES",
    "NORMALIZATIONS",
    "match_gradients",
    "prior_variance_expr",
    "lambda_sum_from_mean_expr",
    "sklearn_ridge_alpha_expr",
    "bayesian_ridge_ratio_expr",
    "mackay_alpha_expr",
    "sgd_weight_decay_expr",
    "prior_variance",
    "lambda_from_prior_variance",
    "to_sum",
    "from_sum",
    "to_sklearn_ridge_alpha",
    "from_sklearn_ridge_alpha",
    "to_bayesian_ridge",
    "from_bayesian_ridge",
    "to_mackay",
    "from_mackay",
    "to_sgd_weight_decay",
    "from_sgd_weight_decay",
]
