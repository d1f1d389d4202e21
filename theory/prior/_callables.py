"""The NumPy twins of :mod:`theory.prior`'s identities (cached callables) and the
argument and result checks its converters share.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import sympy as sp

from theory import _symbols as S
from theory._numeric import lambdify
from theory.checks import check_choice, check_representable, check_width
from theory.prior._symbolic import (
    NORMALIZATIONS,
    _inverse,
    bayesian_ridge_ratio_expr,
    lambda_sum_from_mean_expr,
    mackay_alpha_expr,
    prior_variance_expr,
    sgd_weight_decay_expr,
    sklearn_ridge_alpha_expr,
)


@cache
def _fn(kind: str, loss: str = "squared", normalization: str = "sum"):
    """Cached NumPy callables generated from the expressions above."""
    lam_mean_expr = lambda_sum_from_mean_expr()
    if kind == "prior_variance":
        if normalization == "sum":
            args = [S.lam, S.N, S.sigma2]
        else:
            args = [S.lam_mean, S.N, S.sigma2, S.P]
        return lambdify(prior_variance_expr(loss, normalization), args)
    table = {
        "mean_to_sum": (lam_mean_expr, [S.lam_mean, S.P]),
        "sum_to_mean": (_solve_for(lam_mean_expr, S.lam, S.lam_mean), [S.lam, S.P]),
        "to_sk": (sklearn_ridge_alpha_expr(), [S.lam, S.N]),
        "from_sk": (_inverse(sklearn_ridge_alpha_expr(), S.sk_alpha), [S.sk_alpha, S.N]),
        "to_br_ratio": (bayesian_ridge_ratio_expr(), [S.lam, S.N]),
        "from_br": (
            _inverse(bayesian_ridge_ratio_expr(), S.br_lambda / S.br_alpha),
            [S.br_lambda, S.br_alpha, S.N],
        ),
        "to_mk": (mackay_alpha_expr(), [S.lam, S.N, S.mk_beta]),
        "from_mk": (_inverse(mackay_alpha_expr(), S.mk_alpha), [S.mk_alpha, S.mk_beta, S.N]),
        "to_wd": (sgd_weight_decay_expr(), [S.lam]),
        "from_wd": (_inverse(sgd_weight_decay_expr(), S.weight_decay), [S.weight_decay]),
    }
    expr, args = table[kind]
    return lambdify(expr, args)


def _solve_for(expr: sp.Expr, lhs: sp.Symbol, unknown: sp.Symbol) -> sp.Expr:
    """Solve ``lhs = expr`` for ``unknown``."""
    (sol,) = sp.solve(sp.Eq(lhs, expr), unknown)
    return sol


def _out(x: np.ndarray) -> float | np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return float(x) if x.ndim == 0 else x


def _n_params(normalization: str, n_params):
    """``n_params`` checked whenever it is given (even where ``"sum"`` does not use it)."""
    check_choice("normalization", normalization, NORMALIZATIONS)
    if n_params is not None:
        return check_width("n_params", n_params)
    if normalization == "mean":
        raise ValueError("n_params is required for normalization='mean', got None")
    return None


def _result(value, what: str, inputs: dict, positive) -> float | np.ndarray:
    """``value`` as float/array, after :func:`check_representable` (λ's and variances are > 0
    wherever ``positive``: 0 there is an underflow, ``inf`` an overflow)."""
    return _out(check_representable(value, what=what, inputs=inputs, positive=positive))
