"""Small numeric helpers shared by figure modules."""

from __future__ import annotations

import numpy as np


def log_log_slope(x, y) -> float:
    """Least-squares slope of ``log y`` against ``log x`` (a fitted width exponent)."""
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])
