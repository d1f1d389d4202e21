"""Argument checks shared by every public numeric function.

Each check raises ``ValueError`` whose message starts with the argument's name,
so a user sees at once which keyword was wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = ["as_float_array", "check_choice", "check_positive", "check_nonnegative", "check_width"]


def as_float_array(name: str, value: Any) -> np.ndarray:
    """``value`` as a float64 array; ``ValueError`` naming ``name`` if it is not finite."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{name} must be a real number or array of real numbers, got {value!r}"
        ) from exc
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return arr


def check_nonnegative(name: str, value: Any) -> np.ndarray:
    """Finite and ``>= 0`` (elementwise)."""
    arr = as_float_array(name, value)
    if np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return arr


def check_positive(name: str, value: Any) -> np.ndarray:
    """Finite and ``> 0`` (elementwise)."""
    arr = as_float_array(name, value)
    if np.any(arr <= 0):
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return arr


def check_width(name: str, value: Any) -> np.ndarray:
    """A size (samples, features, width): finite and ``> 0``.

    Sizes may be non-integer in asymptotic formulas, so only positivity is required.
    """
    return check_positive(name, value)


def check_choice(name: str, value: Any, choices: Iterable[str]) -> str:
    """``value`` must be one of ``choices``."""
    choices = tuple(choices)
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return value
