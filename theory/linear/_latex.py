"""Linear ridge: the paper's LaTeX macros (registered at import; :mod:`theory.latex` writes them).

Each display form is checked against the derivation it shows.
"""

from __future__ import annotations

import sympy as sp

from theory import _symbols as S
from theory._macros import register
from theory.linear._symbolic import (
    bayes_optimal_lambda_expr,
    finite_ridgeless_risk_expr,
    m_val,
    optimal_lambda_expr,
    optimal_risk_explicit_expr,
    optimal_risk_expr,
    ridgeless_risk_expr,
    risk_expr,
    risk_integrand_expr,
    stieltjes_expr,
)

# ---------------------------------------------------------------- LaTeX


def _eq(lhs: str, rhs: sp.Expr | str) -> str:
    return f"{lhs} = {rhs if isinstance(rhs, str) else sp.latex(rhs)}"


def _shown(derived: sp.Expr, display: sp.Expr, latex: str) -> str:
    """``latex`` (a hand-arranged rendering of ``display``) after checking ``display == derived``.

    The paper gets a readable arrangement, and the check ties it to the derivation.
    """
    if sp.simplify(sp.radsimp(derived - display)) != 0:  # pragma: no cover - guard
        raise RuntimeError(f"display form {display} differs from the derived {derived}")
    return latex


def _stieltjes_display() -> str:
    b = 1 - S.gamma + S.lam
    display = (sp.sqrt(b**2 + 4 * S.gamma * S.lam) - b) / (2 * S.gamma * S.lam)
    bl = r"(1 - \gamma + \lambda)"
    tex = rf"\frac{{\sqrt{{{bl}^{{2}} + 4 \gamma \lambda}} - {bl}}}{{2 \gamma \lambda}}"
    return _shown(stieltjes_expr(), display, tex)


def _risk_star_display() -> str:
    a2, g, s2 = S.alpha2, S.gamma, S.sigma2
    c = a2 * (g - 1)
    display = (c - g * s2 + sp.sqrt((c + g * s2) ** 2 + 4 * g * a2 * s2)) / (2 * g)
    cl = r"\alpha^{2}(\gamma - 1)"
    tex = (
        rf"\frac{{{cl} - \gamma \sigma^{{2}} + \sqrt{{\left({cl} + \gamma \sigma^{{2}}\right)^{{2}}"
        rf" + 4 \gamma \alpha^{{2}} \sigma^{{2}}}}}}{{2 \gamma}}"
    )
    return _shown(optimal_risk_explicit_expr(), display, tex)


def _over(expr: sp.Expr, denominator: sp.Expr) -> str:
    """``expr`` rendered as ``numerator / denominator`` (checked)."""
    numerator = sp.factor(sp.simplify(expr * denominator))
    tex = rf"\frac{{{sp.latex(numerator)}}}{{{sp.latex(denominator)}}}"
    return _shown(expr, numerator / denominator, tex)


_LS, _LM = r"\lambda^{\star}_{\mathrm{sum}}", r"\lambda^{\star}_{\mathrm{mean}}"
register("LinBayesLambdaSum", "linear ridge: finite-N Bayes-optimal lambda, sum")(
    lambda: _eq(_LS, bayes_optimal_lambda_expr("sum"))
)
register("LinBayesLambdaMean", "linear ridge: finite-N Bayes-optimal lambda, mean")(
    lambda: _eq(_LM, bayes_optimal_lambda_expr("mean"))
)
register("LinRiskIntegrand", "linear ridge: expected error along an eigendirection (times d)")(
    lambda: sp.latex(risk_integrand_expr())
)
register("LinStieltjes", "linear ridge: Marchenko-Pastur Stieltjes transform at z = -lambda")(
    lambda: _eq(r"m(-\lambda)", _stieltjes_display())
)
register("LinRisk", "linear ridge: asymptotic excess risk (Dobriban-Wager)")(
    lambda: _eq(
        r"R(\lambda)",
        sp.latex(sp.collect(sp.expand(risk_expr()), S.gamma * S.sigma2), order="none"),
    )
)
register("LinLambdaStarSum", "linear ridge: asymptotic optimal lambda, sum")(
    lambda: _eq(_LS, optimal_lambda_expr("sum"))
)
register("LinLambdaStarMean", "linear ridge: asymptotic optimal lambda, mean")(
    lambda: _eq(_LM, optimal_lambda_expr("mean"))
)
register("LinRiskStar", "linear ridge: optimal risk via m")(
    lambda: (
        "R^{\\star} = "
        + sp.latex(optimal_risk_expr().subs(m_val, sp.Symbol(r"m(-\lambda^{\star})")))
    )
)
register("LinRiskStarExplicit", "linear ridge: optimal risk in closed form")(
    lambda: _eq("R^{\\star}", _risk_star_display())
)
register("LinRiskStarUnit", "linear ridge: optimal risk at alpha^2 = sigma^2 = 1")(
    lambda: _eq(
        r"R^{\star}\big|_{\alpha^{2} = \sigma^{2} = 1}",
        sp.simplify(optimal_risk_explicit_expr().subs({S.alpha2: 1, S.sigma2: 1})),
    )
)
register("LinRidgelessUnder", "linear ridge: ridgeless limit, gamma < 1")(
    lambda: _eq(r"R(0^{+})", _over(ridgeless_risk_expr("under"), 1 - S.gamma))
)
register("LinRidgelessOver", "linear ridge: ridgeless limit, gamma > 1")(
    lambda: _eq(r"R(0^{+})", ridgeless_risk_expr("over"))
)
register("LinRidgelessFiniteUnder", "linear ridge: exact finite-N ridgeless risk, d < N - 1")(
    lambda: _eq(r"\mathbb{E}\,\|\hat w_0 - \beta\|^2", finite_ridgeless_risk_expr("under"))
)
register("LinRidgelessFiniteOver", "linear ridge: exact finite-N ridgeless risk, d > N + 1")(
    lambda: _eq(
        r"\mathbb{E}\,\|\hat w_0 - \beta\|^2",
        sp.latex(finite_ridgeless_risk_expr("over"), order="old"),
    )
)
