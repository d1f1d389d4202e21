"""Small numeric helpers shared by figure modules."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


def log_log_slope(x, y) -> float:
    """Least-squares slope of ``log y`` against ``log x`` (a fitted width exponent): the
    slope of :func:`log_log_fit`, for a legend that prints no error."""
    return log_log_fit(x, y).slope


class LogLogFit(NamedTuple):
    """A fitted width exponent with its standard error (see :func:`log_log_fit`)."""

    slope: float
    se: float  #: NaN with two points (nothing left to estimate the scatter from)
    dof: int  #: degrees of freedom of ``se``: points − 2


def log_log_fit(x, y) -> LogLogFit:
    """Least-squares slope of ``log y`` on ``log x`` and its standard error from the residuals.

    The s.e. is the textbook one, ``sqrt(RSS / (n − 2) / Σ (log x − mean)²)``: it treats the
    points' departures from a power law as independent noise, so it holds whatever scatters
    them (Monte Carlo, one data set per width, seeds) *and* any curvature of the true curve
    over the range fitted.  With ``n − 2`` degrees of freedom a ``t`` quantile, not 1.96,
    gives its interval.

    >>> fit = log_log_fit([1, 10, 100], [2.0, 20.0, 200.0])
    >>> round(fit.slope, 12), round(fit.se, 12), fit.dof
    (1.0, 0.0, 1)
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(f"x and y must be 1-d of one length, got shapes {x.shape} and {y.shape}")
    for name, v in (("x", x), ("y", y)):
        if not np.all(np.isfinite(v) & (v > 0)):
            raise ValueError(f"{name} must be positive and finite (its log is fitted), got {v}")
    if np.unique(x).size < 2:
        raise ValueError(f"x must hold at least two distinct values, got {x}")
    lx, ly = np.log(x), np.log(y)
    dx = lx - lx.mean()
    sxx = float(dx @ dx)
    slope = float(dx @ (ly - ly.mean())) / sxx
    dof = lx.size - 2
    if dof == 0:
        return LogLogFit(slope, float("nan"), 0)
    resid = ly - ly.mean() - slope * dx
    return LogLogFit(slope, float(np.sqrt(resid @ resid / dof / sxx)), dof)


def max_abs_z(result, n_curves: int) -> float:
    """Largest ``|simulation − theory| / s.e.`` over curves ``k < n_curves`` of a result with
    keys ``sim_mean/k``, ``sim_theory/k`` and ``sim_se/k``."""
    return max(
        float(
            np.max(
                np.abs(result[f"sim_mean/{k}"] - result[f"sim_theory/{k}"]) / result[f"sim_se/{k}"]
            )
        )
        for k in range(n_curves)
    )
