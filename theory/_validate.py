"""Argument checks shared by every public numeric function.

Each check raises ``ValueError`` whose message starts with the argument's name,
so a user sees at once which keyword was wrong.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np
import sympy as sp

__all__ = [
    "as_float_array",
    "as_rational",
    "check_choice",
    "check_int",
    "check_positive",
    "check_nonnegative",
    "check_width",
]


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


def check_int(name: str, value: Any, *, minimum: int | None = None) -> int:
    """An integer (Python or NumPy), ``>= minimum`` if given.

    ``bool``, floats (even ``2.0``) and strings are rejected: a count is never a flag or a
    measurement.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def as_rational(name: str, value: Any) -> sp.Rational:
    """``value`` as an exact SymPy ``Rational``.

    Integers, fractions and SymPy rationals are taken exactly; a finite float by its
    shortest decimal form (``0.1`` → ``1/10``).  ``bool``, strings, non-finite and
    irrational numbers are rejected with a ``ValueError`` naming ``name``.
    """
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    if isinstance(value, sp.Rational):
        return value
    if isinstance(value, numbers.Rational):
        return sp.Rational(int(value.numerator), int(value.denominator))
    if isinstance(value, (float, np.floating)) or isinstance(value, sp.Float):
        if not math.isfinite(float(value)):
            raise ValueError(f"{name} must be finite, got {value!r}")
        return sp.Rational(repr(float(value)))
    raise ValueError(f"{name} must be a rational number or a finite float, got {value!r}")
