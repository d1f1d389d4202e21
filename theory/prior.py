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
"""

from __future__ import annotations

from functools import cache
from typing import Literal

import numpy as np
import sympy as sp

from theory import _symbols as S
from theory._macros import register
from theory._numeric import lambdify
from theory._validate import (
    cache_checked,
    check_choice,
    check_expr,
    check_nonnegative,
    check_positive,
    check_representable,
    check_width,
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


# ---------------------------------------------------------------- numeric API


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


def _sum_mean(converter: str, name: str, lam, normalization, n_params):
    """``lam`` unchanged under sum normalization, else through the derived ``converter``."""
    lam = check_nonnegative(name, lam)
    p = _n_params(normalization, n_params)
    if normalization == "sum":
        return _out(lam)
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        value = _fn(converter)(lam, p)
    return _result(value, "converted lambda", {name: lam, "n_params": n_params}, lam > 0)


def to_sum(lam, *, normalization: Normalization = "sum", n_params=None) -> float | np.ndarray:
    """λ in ``normalization`` → λ_sum.  ``n_params`` (P) is required for ``"mean"``.

    >>> to_sum(0.5, normalization="mean", n_params=100)
    0.005
    """
    return _sum_mean("mean_to_sum", "lam", lam, normalization, n_params)


def from_sum(lam_sum, *, normalization: Normalization = "sum", n_params=None) -> float | np.ndarray:
    """λ_sum → λ in ``normalization`` (inverse of :func:`to_sum`).

    >>> from_sum(0.005, normalization="mean", n_params=100)
    0.5
    """
    return _sum_mean("sum_to_mean", "lam_sum", lam_sum, normalization, n_params)


def prior_variance(
    lam,
    *,
    n_samples,
    loss: Loss = "squared",
    normalization: Normalization = "sum",
    n_params=None,
    noise_var=1.0,
) -> float | np.ndarray:
    """Variance of the Gaussian prior on each weight equivalent to L2 strength ``lam``.

    ``lam`` is in ``normalization`` (``"mean"`` needs ``n_params``).  For
    ``loss="squared"`` the likelihood is Gaussian with variance ``noise_var``;
    for ``"cross_entropy"`` ``noise_var`` is ignored.  ``lam = 0`` gives ``inf``
    (a flat prior); an ``inf`` or 0 from any other finite input is an over- or underflow
    and raises ``ValueError`` naming the inputs.  Vectorized over array arguments.
    """
    _check_names(loss, normalization)
    lam = check_nonnegative("lam", lam)
    n = check_width("n_samples", n_samples)
    s2 = check_positive("noise_var", noise_var)
    p = _n_params(normalization, n_params)
    args = [lam, n, s2] + ([p] if normalization == "mean" else [])
    with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
        value = _fn("prior_variance", loss, normalization)(*args)
    inputs = {"lam": lam, "n_samples": n_samples, "noise_var": noise_var, "n_params": n_params}
    if normalization == "sum":
        del inputs["n_params"]
    return _out(
        check_representable(
            value, what="prior variance", inputs=inputs, positive=True, exempt=lam == 0
        )
    )


@cache
def _lambda_from_variance_fn(loss: str, normalization: str):
    lam_sym = S.lam if normalization == "sum" else S.lam_mean
    (sol,) = sp.solve(sp.Eq(prior_variance_expr(loss, normalization), S.v), lam_sym)
    return lambdify(sol, [S.v, S.N, S.sigma2, S.P])


def _prior_var(prior_var) -> np.ndarray:
    """``prior_var`` > 0, ``+inf`` allowed (a flat prior); the message shows the value given."""
    try:
        arr = np.asarray(prior_var, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"prior_var must be a real number or array, got {prior_var!r}") from exc
    if np.any(np.isnan(arr)) or np.any(arr <= 0):
        raise ValueError(f"prior_var must be > 0 (inf: a flat prior), got {prior_var!r}")
    return arr


def lambda_from_prior_variance(
    prior_var,
    *,
    n_samples,
    loss: Loss = "squared",
    normalization: Normalization = "sum",
    n_params=None,
    noise_var=1.0,
) -> float | np.ndarray:
    """Inverse of :func:`prior_variance`: the λ whose MAP is the mode under ``w_j ~ N(0, prior_var)``.

    Solved from :func:`prior_variance_expr`.  ``prior_var = inf`` gives ``lam = 0``.

    >>> lambda_from_prior_variance(5.0, n_samples=100, noise_var=0.5)
    0.001
    """
    _check_names(loss, normalization)
    v_all = _prior_var(prior_var)
    flat = np.isposinf(v_all)
    v = np.where(flat, 1.0, v_all)
    n = check_width("n_samples", n_samples)
    s2 = check_positive("noise_var", noise_var)
    p = _n_params(normalization, n_params)
    with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
        lam = _lambda_from_variance_fn(loss, normalization)(v, n, s2, 1.0 if p is None else p)
    inputs = {"prior_var": prior_var, "n_samples": n_samples, "noise_var": noise_var}
    if normalization == "mean":
        inputs["n_params"] = n_params
    lam = check_representable(lam, what="lambda", inputs=inputs, positive=~flat, exempt=flat)
    return _out(np.where(flat, 0.0, lam))


def _convert(fn: str, what: str, inputs: dict, positive, *args):
    """``_fn(fn)(*args)`` checked by :func:`check_representable`."""
    with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
        value = _fn(fn)(*args)
    return _result(value, what, inputs, positive)


def to_sklearn_ridge_alpha(lam, *, n_samples, normalization="sum", n_params=None):
    """scikit-learn ``Ridge(alpha=..., fit_intercept=False)`` with the same solution as λ."""
    lam_sum = to_sum(lam, normalization=normalization, n_params=n_params)
    n = check_width("n_samples", n_samples)
    inputs = {"lam": lam, "n_samples": n_samples, "n_params": n_params}
    return _convert("to_sk", "sklearn alpha", inputs, np.asarray(lam_sum) > 0, lam_sum, n)


def from_sklearn_ridge_alpha(alpha, *, n_samples, normalization="sum", n_params=None):
    """λ (in ``normalization``) equivalent to scikit-learn ``Ridge(alpha)``."""
    a = check_nonnegative("alpha", alpha)
    n = check_width("n_samples", n_samples)
    _n_params(normalization, n_params)
    lam_sum = _convert("from_sk", "lambda", {"alpha": alpha, "n_samples": n_samples}, a > 0, a, n)
    return _via_sum(lam_sum, {"alpha": alpha, "n_samples": n_samples}, normalization, n_params)


def _via_sum(lam_sum, inputs: dict, normalization: str, n_params):
    """λ_sum → ``normalization``; an over- or underflow names the caller's ``inputs``."""
    if normalization == "sum":
        return _out(lam_sum)
    p = check_width("n_params", n_params)
    inputs = inputs | {"n_params": n_params}
    positive = np.asarray(lam_sum) > 0
    return _convert("sum_to_mean", "lambda", inputs, positive, lam_sum, p)


def to_bayesian_ridge(lam, *, n_samples, noise_var, normalization="sum", n_params=None):
    """``(lambda_, alpha_)`` of scikit-learn ``BayesianRidge`` for λ and noise variance σ².

    ``alpha_ = 1/σ²`` (noise precision) and ``lambda_ = N λ_sum / σ²`` (weight precision).
    """
    s2 = check_positive("noise_var", noise_var)
    lam_sum = to_sum(lam, normalization=normalization, n_params=n_params)
    n = check_width("n_samples", n_samples)
    inputs = {"lam": lam, "n_samples": n_samples, "noise_var": noise_var, "n_params": n_params}
    with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
        alpha_ = 1.0 / s2
        ratio = _fn("to_br_ratio")(lam_sum, n)
        lambda_ = ratio * alpha_
    alpha_ = _result(alpha_, "noise precision alpha_", {"noise_var": noise_var}, True)
    return _result(lambda_, "weight precision lambda_", inputs, np.asarray(lam_sum) > 0), alpha_


def from_bayesian_ridge(lambda_, alpha_, *, n_samples, normalization="sum", n_params=None):
    """λ (in ``normalization``) whose ridge solution is ``BayesianRidge``'s posterior mean."""
    lp = check_positive("lambda_", lambda_)
    ap = check_positive("alpha_", alpha_)
    n = check_width("n_samples", n_samples)
    _n_params(normalization, n_params)
    inputs = {"lambda_": lambda_, "alpha_": alpha_, "n_samples": n_samples}
    lam_sum = _convert("from_br", "lambda", inputs, True, lp, ap, n)
    return _via_sum(lam_sum, inputs, normalization, n_params)


def to_mackay(lam, *, n_samples, noise_var, normalization="sum", n_params=None):
    """MacKay's ``(α, β)``: β = 1/σ² and α = N β λ_sum."""
    s2 = check_positive("noise_var", noise_var)
    lam_sum = to_sum(lam, normalization=normalization, n_params=n_params)
    n = check_width("n_samples", n_samples)
    with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
        beta = 1.0 / s2
    beta = _result(beta, "noise precision beta", {"noise_var": noise_var}, True)
    inputs = {"lam": lam, "n_samples": n_samples, "noise_var": noise_var, "n_params": n_params}
    alpha = _convert("to_mk", "prior precision alpha", inputs, np.asarray(lam_sum) > 0,
                     lam_sum, n, beta)  # fmt: skip
    return alpha, beta


def from_mackay(alpha, beta, *, n_samples, normalization="sum", n_params=None):
    """λ (in ``normalization``) from MacKay's prior precision α and noise precision β."""
    a = check_nonnegative("alpha", alpha)
    b = check_positive("beta", beta)
    n = check_width("n_samples", n_samples)
    _n_params(normalization, n_params)
    inputs = {"alpha": alpha, "beta": beta, "n_samples": n_samples}
    lam_sum = _convert("from_mk", "lambda", inputs, a > 0, a, b, n)
    return _via_sum(lam_sum, inputs, normalization, n_params)


def to_sgd_weight_decay(lam, *, normalization="sum", n_params=None):
    """Coupled ``weight_decay`` (SGD / ``optax.add_decayed_weights`` on the mean loss): 2 λ_sum."""
    lam_sum = to_sum(lam, normalization=normalization, n_params=n_params)
    inputs = {"lam": lam, "n_params": n_params}
    return _convert("to_wd", "weight decay", inputs, np.asarray(lam_sum) > 0, lam_sum)


def from_sgd_weight_decay(weight_decay, *, normalization="sum", n_params=None):
    """λ (in ``normalization``) equivalent to coupled ``weight_decay`` on the mean loss."""
    wd = check_nonnegative("weight_decay", weight_decay)
    _n_params(normalization, n_params)
    inputs = {"weight_decay": weight_decay}
    lam_sum = _convert("from_wd", "lambda", inputs, wd > 0, wd)
    return _via_sum(lam_sum, inputs, normalization, n_params)


# ---------------------------------------------------------------- LaTeX


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
