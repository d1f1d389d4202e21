"""Numbers for the paper's generated macros, which the text uses inside ``$...$``.

A macro's body is typeset in math mode, so ``1e-06`` would print as "1e − 06" and a range
``0.98--1.07`` as two minus signs: :func:`number` writes powers of ten as
``3.9\\times10^{-7}`` and :func:`span` joins a range with a text en dash.
"""

from __future__ import annotations

import math

__all__ = ["Printed", "number", "span", "fixed", "stderr"]


class Printed(str):
    """A macro's text that keeps the number it was printed from (``.value``), so that a
    comparison made from the macros (:mod:`figures.summary`) need not re-read rounded digits.

    >>> e = fixed(-1.0193, 2, sign=True)
    >>> e, e.value
    ('-1.02', -1.0193)
    """

    value: float | tuple[float, ...]  #: a tuple for a printed interval ``[lo, hi]``

    def __new__(cls, text: str, value: float | tuple[float, ...]) -> Printed:
        out = super().__new__(cls, text)
        out.value = tuple(map(float, value)) if isinstance(value, tuple) else float(value)
        return out

    def __getnewargs__(self) -> tuple[str, float | tuple[float, ...]]:  # pickles (workers)
        return str(self), self.value


def number(x: float, digits: int = 2) -> str:
    """``digits`` significant digits; powers of ten as ``m\\times10^{e}`` outside [1e-3, 1e4).

    >>> number(3.9e-7), number(2.6e-06), number(1e-06), number(0.0123), number(52000.0, 3)
    ('3.9\\\\times10^{-7}', '2.6\\\\times10^{-6}', '10^{-6}', '0.012', '5.2\\\\times10^{4}')
    """
    x = float(x)
    if x == 0 or not math.isfinite(x) or 1e-3 <= abs(x) < 1e4:
        return f"{x:.{digits}g}"
    mantissa, exponent = f"{x:.{digits - 1}e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    power = f"10^{{{int(exponent)}}}"
    return power if mantissa == "1" else f"{mantissa}\\times{power}"


def span(lo: str, hi: str) -> str:
    """``lo–hi`` for math mode (a text en dash).

    >>> span("0.98", "1.07")
    '0.98\\\\text{--}1.07'
    """
    return f"{lo}\\text{{--}}{hi}"


def fixed(x: float, places: int, sign: bool = False) -> str:
    """``x`` to ``places`` decimals, never ``-0.000`` (a negative that rounds to zero).

    >>> fixed(-0.0004, 3), fixed(0.0123, 3), fixed(0.48, 2, sign=True)
    ('0.000', '0.012', '+0.48')
    """
    value = round(float(x), places) + 0.0  # -0.0 + 0.0 is 0.0
    return Printed(f"{value:+.{places}f}" if sign else f"{value:.{places}f}", x)


def stderr(x: float, places: int) -> str:
    """A standard error to ``places`` decimals, ``{<}0.01`` where it would print as zero
    (every seed gave the same value: the error is below the last digit, not zero).

    >>> stderr(0.154, 2), stderr(0.001, 2), stderr(0.0, 3)
    ('0.15', '{<}0.01', '{<}0.001')
    """
    if round(float(x), places) == 0:
        return Printed("{<}" + f"{10.0**-places:.{places}f}", x)
    return Printed(f"{float(x):.{places}f}", x)
