"""λ to and from other conventions: scikit-learn ``Ridge`` and ``BayesianRidge``, MacKay's
``(α, β)``, coupled SGD weight decay (numeric; derived in :mod:`theory.prior._symbolic`).
"""

from __future__ import annotations

import numpy as np

from theory.checks import check_nonnegative, check_positive, check_width
from theory.prior._callables import _fn, _n_params, _out, _result
from theory.prior._variance import to_sum


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
