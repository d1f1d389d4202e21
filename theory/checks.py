"""Argument checks shared by every public numeric function.

Each check raises ``ValueError`` whose message starts with the argument's name,
so a user sees at once which keyword was wrong.
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import sympy as sp

__all__ = [
    "cache_checked",
    "as_float_array",
    "as_rational",
    "check_broadcast",
    "check_callable",
    "check_choice",
    "check_expr",
    "check_file_name",
    "check_finite",
    "check_flag",
    "check_float_dtype",
    "check_fraction",
    "check_instance",
    "check_int",
    "check_positive",
    "check_nonnegative",
    "check_representable",
    "check_seed",
    "check_width",
]


def as_float_array(name: str, value: Any) -> np.ndarray:
    """``value`` as a float64 array; ``ValueError`` naming ``name`` if it is not finite.

    Strings are not numbers here, even ``"1e-3"`` (NumPy would parse them).
    """
    if isinstance(value, (str, bytes)) or np.asarray(value).dtype.kind in "USV":
        raise ValueError(f"{name} must be a real number or array of real numbers, got {value!r}")
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

    Sizes may be non-integer in asymptotic formulas, so only positivity is required; a
    ``bool`` is not a size.
    """
    if np.asarray(value).dtype.kind == "b":
        raise ValueError(f"{name} must be a size (a positive number), got {value!r}")
    return check_positive(name, value)


def check_broadcast(**arrays: Any) -> tuple[int, ...]:
    """The shape that arrays combined elementwise broadcast to; ``ValueError`` naming them and
    their shapes if they do not.

    >>> check_broadcast(lam=[1.0, 2.0], width=3.0)
    (2,)
    >>> check_broadcast(lam=[1.0, 2.0, 3.0], width_from=[1.0, 2.0])
    Traceback (most recent call last):
    ...
    ValueError: lam and width_from must broadcast to one shape, got lam (3,), width_from (2,)
    """
    shapes = {k: np.shape(v) for k, v in arrays.items()}
    try:
        return tuple(np.broadcast_shapes(*shapes.values()))
    except ValueError:
        names = ", ".join(shapes)
        names = " and ".join(names.rsplit(", ", 1))
        got = ", ".join(f"{k} {v}" for k, v in shapes.items())
        raise ValueError(f"{names} must broadcast to one shape, got {got}") from None


def check_choice(name: str, value: Any, choices: Iterable[str]) -> str:
    """``value`` must be one of ``choices``."""
    choices = tuple(choices)
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return value


def check_float_dtype(name: str, value: Any) -> np.dtype:
    """``value`` as the NumPy dtype float32 or float64 (the precisions JAX computes in).

    >>> check_float_dtype("dtype", "float32")
    dtype('float32')
    """
    try:
        dtype_name = np.dtype(value).name
    except TypeError:
        dtype_name = repr(value)
    return np.dtype(check_choice(name, dtype_name, ("float32", "float64")))


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


def check_finite(name: str, value: Any) -> np.ndarray:
    """Any finite real number (or array of them)."""
    return as_float_array(name, value)


def check_fraction(
    name: str, value: Any, *, low_open: bool = False, high_open: bool = True
) -> float:
    """One number in ``[0, 1)`` (by default); ``low_open``/``high_open`` exclude an end.

    Momentum and Adam's β's are in ``[0, 1)`` (a decay of 1 never forgets), NUTS's target
    acceptance probability in ``(0, 1)``.
    """
    arr = as_float_array(name, value)
    if arr.ndim or isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be one number, got {value!r}")
    x = float(arr)
    low_ok = x > 0 if low_open else x >= 0
    high_ok = x < 1 if high_open else x <= 1
    if not (low_ok and high_ok):
        interval = ("(" if low_open else "[") + "0, 1" + (")" if high_open else "]")
        raise ValueError(f"{name} must be in {interval}, got {value!r}")
    return x


def check_seed(name: str, value: Any, *, allow_generator: bool = False):
    """A random seed: an integer >= 0 (NumPy's ``SeedSequence`` domain), not a bool.

    With ``allow_generator`` a ``numpy.random.Generator`` is passed through.
    """
    if allow_generator and isinstance(value, np.random.Generator):
        return value
    return check_int(name, value, minimum=0)


def check_flag(name: str, value: Any) -> bool:
    """A bool (``True``/``False``, NumPy's included): ``"no"`` or ``2`` is not a flag."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_callable(name: str, value: Any):
    """A callable (a model, a statistic)."""
    if not callable(value):
        raise TypeError(f"{name} must be callable, got {value!r}")
    return value


def check_instance(name: str, value: Any, cls: type | tuple[type, ...]):
    """``value`` an instance of ``cls`` (a result record passed back in, a data set)."""
    if not isinstance(value, cls):
        names = " or ".join(c.__name__ for c in (cls if isinstance(cls, tuple) else (cls,)))
        raise TypeError(f"{name} must be a {names}, got {_short(value)}")
    return value


def check_file_name(name: str, value: Any) -> str:
    """A bare file name: a non-empty string with no path separator and not ``.``/``..``."""
    if not isinstance(value, str) or not value or "/" in value or "\\" in value:
        raise ValueError(f"{name} must be a non-empty file name without '/', got {value!r}")
    if value in (".", ".."):
        raise ValueError(f"{name} must be a file name, got {value!r}")
    return value


def _short(value: Any, limit: int = 80) -> str:
    """``repr(value)`` cut to ``limit`` characters (arrays print their first entries)."""
    text = repr(value.tolist() if isinstance(value, np.ndarray) else value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_representable(
    value: Any,
    *,
    what: str,
    inputs: Mapping[str, Any],
    positive: Any = False,
    exempt: Any = False,
):
    """A result computed from finite ``inputs`` must be a finite float64 number.

    Raises ``ValueError`` naming every input and its value when the result is ±inf or NaN
    (an over- or underflow on the way, or an expression that is ``inf/inf``), or 0 where it
    must be positive (``positive``: a bool or a mask, e.g. ``lam > 0`` for a λ conversion,
    where 0 can only be an underflow).  ``exempt`` (a bool or a mask) marks the entries where
    ``inf`` or 0 is the exact answer (a flat prior at λ = 0).  Returns ``value`` unchanged.

    >>> check_representable(2.0, what="lambda", inputs={"lam": 1.0})
    2.0
    >>> check_representable(np.inf, what="lambda", inputs={"lam": 1e300, "width": 1e10})
    Traceback (most recent call last):
    ...
    ValueError: lam, width: the lambda overflows float64 (inf) at lam=1e+300, width=10000000000.0
    """
    arr = np.asarray(value, dtype=np.float64)
    keep = ~np.asarray(exempt, dtype=bool)
    problem = None
    if np.any(np.isnan(arr) & keep):
        problem = "is NaN in float64 (inf/inf or 0·inf after an over- or underflow)"
    elif np.any(np.isinf(arr) & keep):
        problem = "overflows float64 (inf)"
    elif np.any((arr == 0) & np.asarray(positive, dtype=bool) & keep):
        problem = "underflows float64 (0)"
    if problem is not None:
        names = ", ".join(inputs)
        at = ", ".join(f"{k}={_short(v)}" for k, v in inputs.items())
        raise ValueError(f"{names}: the {what} {problem} at {at}")
    return value


def check_expr(name: str, value: Any) -> sp.Expr:
    """A finite SymPy expression (a number or symbol is one); strings are not parsed.

    ``nan``, ``zoo`` and ``±oo`` anywhere in it are rejected: a derivation fed ``nan``
    returns ``nan`` silently.
    """
    try:
        expr = sp.sympify(value, strict=True)
    except (sp.SympifyError, TypeError) as exc:
        raise TypeError(f"{name} must be a SymPy expression, got {value!r}") from exc
    if not isinstance(expr, sp.Expr):
        raise TypeError(f"{name} must be a SymPy expression, got {value!r}")
    if expr.has(sp.nan, sp.zoo, sp.oo):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return expr


def cache_checked(fn: Callable) -> Callable:
    """:func:`functools.cache` for a public function: an unhashable argument (a list where a
    name is expected) is a ``TypeError`` naming it, not ``unhashable type: 'list'``."""
    cached = functools.cache(fn)
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return cached(*args, **kwargs)
        except TypeError as exc:
            if "unhashable" not in str(exc):
                raise
            for name, value in signature.bind(*args, **kwargs).arguments.items():
                try:
                    hash(value)
                except TypeError:
                    raise TypeError(f"{name} must be a name or a number, got {value!r}") from None
            raise

    wrapper.cache_clear = cached.cache_clear
    wrapper.cache_info = cached.cache_info
    return wrapper
