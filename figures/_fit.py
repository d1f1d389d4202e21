"""Small numeric helpers shared by figure modules."""

from __future__ import annotations

import numpy as np


def log_log_slope(x, y) -> float:
    """Least-squares slope of ``log y`` against ``log x`` (a fitted width exponent)."""
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


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
