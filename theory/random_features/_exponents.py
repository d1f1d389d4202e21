"""Random features: width exponents of the tuned λ*, measured along a width grid.

Compared with :func:`theory.parametrization.width_exponent`, the exponent when the
NTK-scaled λ* no longer moves with the width.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from theory.checks import as_float_array, check_nonnegative, check_positive, check_width
from theory.parametrization import width_exponent
from theory.random_features._convention import optimal_lambda
from theory.random_features._gaussian import Activation

# ---------------------------------------------------------------- width exponents of λ*


class WidthExponents(NamedTuple):
    """λ* along a width grid and its local exponent ``d log λ* / d log P``."""

    widths: np.ndarray
    lam_star: np.ndarray
    local: np.ndarray
    theory: float  #: the exponent when the NTK-scaled λ* is width-independent


def local_width_exponents(widths, lam_star) -> np.ndarray:
    """``d log λ*/d log P`` by centered differences on a log grid (NaN where λ* = 0)."""
    widths = check_width("widths", widths)
    lam_star = check_nonnegative("lam_star", lam_star)
    if widths.ndim != 1 or widths.shape != lam_star.shape or widths.size < 3:
        raise ValueError(
            f"widths and lam_star must be 1-d of the same length >= 3, got {widths.shape} "
            f"and {lam_star.shape}"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        log_lam = np.where(lam_star > 0, np.log(np.where(lam_star > 0, lam_star, 1.0)), np.nan)
        return np.gradient(log_lam, np.log(widths))


def lambda_star_width_exponents(
    widths,
    *,
    n_samples,
    input_dim,
    noise_var,
    signal_var=1.0,
    nonlinear_var=0.0,
    activation: Activation = "relu",
    parametrization: str = "ntk",
    normalization: str = "sum",
) -> WidthExponents:
    """Measured local width exponents of λ* at fixed ``n_samples`` and ``input_dim``.

    Compare ``local`` with ``theory`` (:func:`theory.parametrization.width_exponent`): they
    agree where the NTK-scaled λ* has stopped moving, i.e. for wide models; in the
    under-parametrized regime ``local − theory = d log λ_MM*/d log ψ1`` need not vanish
    (see :func:`exponent_ranges`).
    """
    widths = check_width("widths", widths)
    lam = np.asarray(
        optimal_lambda(
            n_samples=n_samples,
            n_features=widths,
            input_dim=input_dim,
            noise_var=noise_var,
            signal_var=signal_var,
            nonlinear_var=nonlinear_var,
            activation=activation,
            parametrization=parametrization,
            normalization=normalization,
        )
    )
    return WidthExponents(
        widths,
        lam,
        local_width_exponents(widths, lam),
        float(width_exponent(parametrization, normalization)),
    )


def exponent_ranges(
    widths, local, *, target: float, tol: float = 0.05
) -> list[tuple[float, float]]:
    """Maximal contiguous width ranges on which ``|local − target| <= tol``.

    >>> exponent_ranges([1, 2, 4, 8, 16], [0.5, 0.02, 0.01, -0.03, 0.2], target=0.0)
    [(2.0, 8.0)]
    """
    widths = check_width("widths", widths)
    try:
        local = np.asarray(local, dtype=np.float64)  # NaN allowed: no exponent where λ* = 0
    except (TypeError, ValueError) as exc:
        raise ValueError(f"local must be an array of numbers, got {local!r}") from exc
    if widths.ndim != 1 or local.shape != widths.shape:
        raise ValueError(
            f"local must have the shape of widths {widths.shape}, got {local.shape}: {local!r}"
        )
    as_float_array("target", target)
    check_positive("tol", tol)
    inside = np.abs(local - target) <= tol  # NaN compares False
    ranges, start = [], None
    for i, flag in enumerate(inside):
        if flag and start is None:
            start = i
        if start is not None and (not flag or i == len(inside) - 1):
            stop = i if flag else i - 1
            ranges.append((float(widths[start]), float(widths[stop])))
            start = None
    return ranges
