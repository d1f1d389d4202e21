"""λ ⇔ prior: the paper's LaTeX macros (registered at import; :mod:`theory.latex` writes
them).
"""

from __future__ import annotations

import sympy as sp

from theory import _symbols as S
from theory._macros import register
from theory.prior._symbolic import (
    bayesian_ridge_ratio_expr,
    lambda_sum_from_mean_expr,
    mackay_alpha_expr,
    prior_variance_expr,
    sgd_weight_decay_expr,
    sklearn_ridge_alpha_expr,
)


def _eq(lhs: sp.Expr, rhs: sp.Expr) -> str:
    return f"{sp.latex(lhs)} = {sp.latex(rhs)}"


register("PriorVarSquaredSum", "prior variance, squared loss, sum normalization")(
    lambda: _eq(S.v, prior_variance_expr("squared", "sum"))
)
register("PriorVarSquaredMean", "prior variance, squared loss, mean normalization")(
    lambda: _eq(S.v, prior_variance_expr("squared", "mean"))
)
register("PriorVarCESum", "prior variance, cross-entropy, sum normalization")(
    lambda: _eq(S.v, prior_variance_expr("cross_entropy", "sum"))
)
register("PriorVarCEMean", "prior variance, cross-entropy, mean normalization")(
    lambda: _eq(S.v, prior_variance_expr("cross_entropy", "mean"))
)
register("LamSumFromMean", "sum <=> mean normalization")(
    lambda: _eq(S.lam_sum, lambda_sum_from_mean_expr())
)
register("SklearnRidgeAlpha", "scikit-learn Ridge alpha")(
    lambda: _eq(S.sk_alpha, sklearn_ridge_alpha_expr())
)
register("BayesianRidgeRatio", "scikit-learn BayesianRidge lambda_/alpha_")(
    lambda: _eq(S.br_lambda / S.br_alpha, bayesian_ridge_ratio_expr())
)
register("MacKayAlpha", "MacKay prior precision")(lambda: _eq(S.mk_alpha, mackay_alpha_expr()))
register("SGDWeightDecay", "coupled SGD weight decay on the mean loss")(
    lambda: _eq(S.weight_decay, sgd_weight_decay_expr())
)
