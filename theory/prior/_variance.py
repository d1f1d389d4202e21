"""λ in sum ⇔ mean normalization, and λ ⇔ the variance of the equivalent Gaussian prior
(numeric, vectorized; derived in :mod:`theory.prior._symbolic`).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import sympy as sp

from theory import _symbols as S
from theory._numeric import lambdify
from theory.checks import (
    check_broadcast,
    check_nonnegative,
    check_positive,
    check_representable,
    check_width,
)
from theory.prior._callables import _fn, _n_params, _out, _result
from theory.prior._symbolic import Loss, Normalization, _check_names, prior_variance_expr


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
    named = {"lam": lam, "n_samples": n, "noise_var": s2}
    if normalization == "mean":
        named["n_params"] = p
    check_broadcast(**named)
    with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
        value = _fn("prior_variance", loss, normalization)(*named.values())
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
