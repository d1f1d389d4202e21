"""Deep networks: the paper's LaTeX macros (registered at import; :mod:`theory.latex`
writes them).
"""

from __future__ import annotations

import sympy as sp

from theory import _symbols as S
from theory._macros import register
from theory.networks._exponents import (
    _n_weights_general,
    lambda_exponent_expr,
    lambda_exponent_general_expr,
)
from theory.networks._network import L, a
from theory.networks._rescaling import (
    _equivalent_lambda,
    _per_layer_symbols,
    balanced_penalty_expr,
    balanced_penalty_general_expr,
)
from theory.parametrization import PARAMETRIZATIONS
from theory.prior import NORMALIZATIONS


def _unit_penalty() -> sp.Expr:
    """One hidden unit, one λ: ``min_t λ((t a)² + (w/t)²) = 2 λ a w`` (``a, w`` norms)."""
    (lam_1, lam_2), (q_1, q_2) = _per_layer_symbols(2)
    unit_a, unit_w = sp.symbols("a w", positive=True)
    values = {lam_1: S.lam, lam_2: S.lam, q_1: unit_a**2, q_2: unit_w**2}
    return balanced_penalty_expr(depth=1).subs(values)


_M = sp.Symbol("M", positive=True)
register("NetEquivalentLambda", "lambda of the multiplier-free network, M = prod_l m_l")(
    lambda: rf"\lambda' = {sp.latex(_equivalent_lambda(_M ** (1 / L)))}"
)
register("NetBalancedPenalty", "penalty minimized over the layer rescalings, any L")(
    lambda: (
        r"\min_{\prod_l t_l = 1} \sum_{l=1}^{L} \lambda_l t_l^2 q_l = "
        + sp.latex(balanced_penalty_general_expr())
    )
)
register("NetLambdaExponent", "width exponent of lambda_sum, every weight penalized, any L")(
    lambda: rf"e_{{\mathrm{{sum}}}} = {sp.latex(lambda_exponent_general_expr())}"
)
register("NetWeightCount", "total number of weights of a network with L weight matrices")(
    lambda: rf"P_{{\mathrm{{total}}}} = {sp.latex(_n_weights_general())}"
)
# kept from theory.transfer (one hidden layer): a unit's penalty and the exponent in c
register("FeaturesPenalty", "penalty of one ReLU unit minimized over its rescaling")(
    lambda: f"\\min_t \\lambda (t^2 a^2 + w^2/t^2) = {sp.latex(_unit_penalty())}"
)
register("FeaturesWidthExponent", "width exponent of lambda_sum, every weight penalized")(
    lambda: lambda_exponent_general_expr().subs(L, 2).doit().subs({a[1]: 0, a[2]: S.c})
)

_CAMEL = {"standard": "Standard", "ntk": "NTK", "mean_field": "MeanField", "sum": "Sum"}
_CAMEL["mean"] = "Mean"
_WORDS = ("One", "Two", "Three", "Four")
#: the depths (hidden layers) tabulated for the paper
TABLE_DEPTHS = (1, 2, 3, 4)
for _p in PARAMETRIZATIONS:
    for _nm in NORMALIZATIONS:
        for _h in TABLE_DEPTHS:
            register(
                f"NetExp{_CAMEL[_p]}{_CAMEL[_nm]}Depth{_WORDS[_h - 1]}",
                f"width exponent of lambda*, every weight penalized, {_p}, {_nm}, depth {_h}",
            )((lambda p, nm, h: lambda: lambda_exponent_expr(p, nm, depth=h))(_p, _nm, _h))


def _table_rows() -> str:
    """Rows ``depth & standard sum & mean & NTK sum & mean & mean-field sum & mean \\\\``."""
    rows = []
    for h in TABLE_DEPTHS:
        cells = [
            sp.latex(lambda_exponent_expr(p, nm, depth=h))
            for p in PARAMETRIZATIONS
            for nm in NORMALIZATIONS
        ]
        rows.append(" & ".join([str(h), *cells]) + r" \\")
    return " ".join(rows)


register("NetExpTableRows", "tabular rows: depth, then e_sum, e_mean per parametrization")(
    _table_rows
)
