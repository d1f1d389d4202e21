"""λ ⇔ prior and every λ convention, derived by matching gradients (see :mod:`theory.prior`
for the objective and the conventions).
"""

from __future__ import annotations

from functools import cache
from typing import Literal

import sympy as sp

from theory import _symbols as S
from theory.checks import cache_checked, check_choice, check_expr

LOSSES = ("squared", "cross_entropy")
NORMALIZATIONS = ("sum", "mean")
Loss = Literal["squared", "cross_entropy"]
Normalization = Literal["sum", "mean"]

#: gradient of the total data loss Σ_i ℓ_i with respect to one weight (a free symbol)
g = sp.Symbol("g", real=True)


def match_gradients(grad_a: sp.Expr, grad_b: sp.Expr, unknowns: list[sp.Symbol]) -> dict:
    """Solve ``k·grad_a = grad_b`` identically in ``(g, w)`` for ``unknowns``.

    ``grad_a`` and ``grad_b`` are gradients with respect to one weight ``w``,
    linear in ``g`` (the data-loss gradient) and ``w``.  If ``k`` (the ratio of
    the two objectives) is among ``unknowns`` it is solved for; otherwise it is
    fixed to 1 (same step, as for an optimizer).  Returns the unique solution.
    """
    grad_a = check_expr("grad_a", grad_a)
    grad_b = check_expr("grad_b", grad_b)
    if isinstance(unknowns, (str, sp.Basic)) or not isinstance(unknowns, (list, tuple)):
        raise TypeError(f"unknowns must be a list of SymPy symbols, got {unknowns!r}")
    if not unknowns or not all(isinstance(u, sp.Symbol) for u in unknowns):
        raise ValueError(f"unknowns must be a non-empty list of SymPy symbols, got {unknowns!r}")
    residual = sp.expand(S.k * grad_a - grad_b)
    if S.k not in unknowns:
        residual = residual.subs(S.k, 1)
    coeffs = sp.Poly(residual, g, S.w).coeffs()
    sol = sp.solve(coeffs, unknowns, dict=True)
    if len(sol) != 1:
        raise ValueError(f"unknowns {unknowns} are not uniquely determined: {sol}")
    return sol[0]


def _grad_ours(lam: sp.Expr = S.lam) -> sp.Expr:
    """∂/∂w of (1/N) Σ ℓ_i + λ Σ w²."""
    return g / S.N + 2 * lam * S.w


def _grad_mean_penalty() -> sp.Expr:
    """∂/∂w_j of (1/N) Σ ℓ_i + λ_mean (1/P) Σ w²."""
    return g / S.N + 2 * S.lam_mean * S.w / S.P


def _check_names(loss: str, normalization: str) -> None:
    check_choice("loss", loss, LOSSES)
    check_choice("normalization", normalization, NORMALIZATIONS)


@cache
def lambda_sum_from_mean_expr() -> sp.Expr:
    """``λ_sum`` that gives the same objective as ``λ_mean`` (mean over P weights)."""
    return match_gradients(_grad_mean_penalty(), _grad_ours(), [S.k, S.lam])[S.lam]


@cache_checked
def prior_variance_expr(loss: Loss = "squared", normalization: Normalization = "sum") -> sp.Expr:
    r"""Variance ``v`` of the i.i.d. prior ``w_j ~ N(0, v)`` whose MAP is our minimizer.

    The negative log posterior is ``Σ ℓ_i / (2σ²) + Σ w² / (2v)`` for the squared
    loss with Gaussian noise of variance σ² and ``Σ ℓ_i + Σ w² / (2v)`` for the
    cross-entropy (the negative log-likelihood itself).  In terms of ``lam``
    (sum) or ``λ_mean`` (mean), ``N``, ``σ²`` and ``P``.

    >>> prior_variance_expr("squared", "sum")
    \sigma^{2}/(N*lambda)
    >>> prior_variance_expr("cross_entropy", "mean")
    P/(2*N*\lambda_{\mathrm{mean}})
    """
    _check_names(loss, normalization)
    likelihood_grad = g / (2 * S.sigma2) if loss == "squared" else g
    neg_log_post_grad = likelihood_grad + S.w / S.v
    v = match_gradients(_grad_ours(), neg_log_post_grad, [S.k, S.v])[S.v]
    if normalization == "mean":
        v = v.subs(S.lam, lambda_sum_from_mean_expr())
    return sp.simplify(v)


@cache
def sklearn_ridge_alpha_expr() -> sp.Expr:
    """scikit-learn ``Ridge(alpha)`` minimizes ``‖y − Xw‖² + alpha ‖w‖²``: its alpha in terms of λ."""
    return match_gradients(_grad_ours(), g + 2 * S.sk_alpha * S.w, [S.k, S.sk_alpha])[S.sk_alpha]


@cache
def bayesian_ridge_ratio_expr() -> sp.Expr:
    """``lambda_/alpha_`` of scikit-learn ``BayesianRidge`` (weight / noise precision) in terms of λ.

    Its posterior mode minimizes ``alpha_/2 ‖y − Xw‖² + lambda_/2 ‖w‖²``.
    """
    sol = match_gradients(_grad_ours(), S.br_alpha * g / 2 + S.br_lambda * S.w, [S.k, S.br_lambda])
    return sp.simplify(sol[S.br_lambda] / S.br_alpha)


@cache
def mackay_alpha_expr() -> sp.Expr:
    """MacKay's prior precision α for ``M = β E_D + α E_W``, ``E_D = ½Σ(y−f)²``, ``E_W = ½Σw²``."""
    return match_gradients(_grad_ours(), S.mk_beta * g / 2 + S.mk_alpha * S.w, [S.k, S.mk_alpha])[
        S.mk_alpha
    ]


@cache
def sgd_weight_decay_expr() -> sp.Expr:
    """Coupled weight decay: the step ``w ← w − η(∇(1/N)Σℓ + wd·w)`` equals our gradient step.

    This is PyTorch ``SGD(weight_decay=wd)`` and ``optax.chain(optax.add_decayed_weights(wd),
    optax.sgd(η))`` applied to the *mean* loss.  Same learning rate, so k = 1.
    """
    return match_gradients(_grad_ours(), g / S.N + S.weight_decay * S.w, [S.weight_decay])[
        S.weight_decay
    ]


def _inverse(expr: sp.Expr, target: sp.Symbol) -> sp.Expr:
    """Solve ``target = expr`` for λ."""
    (sol,) = sp.solve(sp.Eq(target, expr), S.lam)
    return sol
