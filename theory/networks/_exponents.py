"""Fact 3 of :mod:`theory.networks`: the presets' multiplier exponents, the weight count
and the width exponent of λ* (every weight penalized, global minimizer).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
import sympy as sp

from theory import _symbols as S
from theory.checks import as_rational, check_choice
from theory.networks._network import K, L, _check_depth, _l, a, lam_free, multiplier_symbols, n
from theory.networks._rescaling import _equivalent_lambda, _equivalent_lambda_layers
from theory.parametrization import PARAMETRIZATIONS, READOUT_EXPONENT
from theory.prior import NORMALIZATIONS, lambda_sum_from_mean_expr


@cache
def lambda_exponent_general_expr() -> sp.Expr:
    r"""``d log λ_sum / d log n`` at fixed multiplier-free λ', for ``m_l = n^(−a_l)``, any ``L``.

    ``λ = λ' M^(2/L)`` (the inverse of :func:`equivalent_lambda_expr`) with
    ``M = Π_l n^(−a_l)``.

    >>> lambda_exponent_general_expr()
    -2*Sum(a[l], (l, 1, L))/L
    """
    m_total = sp.Symbol("M", positive=True)
    (lam,) = sp.solve(sp.Eq(_equivalent_lambda(m_total ** (1 / L)), lam_free), S.lam)
    lam = lam.subs(m_total, sp.Product(n ** (-a[_l]), (_l, 1, L)).doit())
    return sp.simplify(n * sp.diff(sp.log(lam), n))


def preset_exponents_expr(parametrization: str, *, depth: int) -> tuple[sp.Rational, ...]:
    """``(a_1, …, a_L)`` of ``parametrization``, as in :mod:`training.models` (exact).

    A layer's multiplier is ``g · fan_in^(−p)`` (standard p = 0; NTK and mean-field p = ½)
    except the mean-field readout, ``1/n`` (``READOUT_EXPONENT``); the input layer's fan-in
    is the input dimension ``d``, which does not grow with the width.

    >>> preset_exponents_expr("mean_field", depth=2)
    (0, 1/2, 1)
    """
    check_choice("parametrization", parametrization, PARAMETRIZATIONS)
    depth = _check_depth(depth)
    p = sp.Integer(0) if parametrization == "standard" else sp.Rational(1, 2)
    fan_ins = [S.d] + [n] * depth
    multipliers = [fan_in ** (-p) for fan_in in fan_ins[:-1]]
    multipliers.append(n ** (-READOUT_EXPONENT[parametrization]))  # readout: P^(-c)
    return tuple(sp.simplify(-n * sp.diff(sp.log(m), n)) for m in multipliers)


def preset_exponents(parametrization: str, *, depth: int) -> tuple[float, ...]:
    """:func:`preset_exponents_expr` as floats.

    >>> preset_exponents("mean_field", depth=2)
    (0.0, 0.5, 1.0)
    """
    return tuple(float(v) for v in preset_exponents_expr(parametrization, depth=depth))


def _n_weights_general() -> sp.Expr:
    """``P_total`` for a symbolic ``L``: ``d×n``, then ``L − 2`` of ``n×n``, then ``n×K``."""
    return S.d * n + sp.Sum(n * n, (_l, 2, L - 1)).doit() + n * K


def n_weights_expr(*, depth: int) -> sp.Expr:
    """Total number of weights ``P_total = d n + (L − 2) n² + n K`` (the P of ``R_mean``).

    >>> n_weights_expr(depth=2)
    K*n + d*n + n**2
    """
    return _n_weights(_check_depth(depth))


@cache
def _n_weights(depth: int) -> sp.Expr:
    sizes = [S.d] + [n] * depth + [K]
    return sp.expand(sum(i * o for i, o in zip(sizes[:-1], sizes[1:], strict=True)))


def n_weights_exponent(*, depth: int) -> int:
    """Leading power of the width in :func:`n_weights_expr`: 1 for one hidden layer, else 2.

    >>> [n_weights_exponent(depth=h) for h in (1, 2, 3)]
    [1, 2, 2]
    """
    return int(sp.Poly(n_weights_expr(depth=depth), n).degree())


def _check_exponents(value) -> tuple[sp.Rational, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence | np.ndarray):
        raise ValueError(f"multiplier_exponents must be a sequence of numbers, got {value!r}")
    return tuple(as_rational("multiplier_exponents", v) for v in value)


def lambda_exponent_expr(
    parametrization: str | None = None,
    normalization: str = "sum",
    *,
    depth: int | None = None,
    multiplier_exponents: Sequence | None = None,
) -> sp.Rational:
    """Width exponent ``e`` of λ* (``λ ∝ n^e``), every weight penalized, global minimizer (exact).

    Give either ``parametrization`` (a preset; ``depth`` defaults to 1) or
    ``multiplier_exponents = (a_1, …, a_L)`` (``depth`` defaults to ``L − 1``; if given it
    must equal it).  Derived from :func:`equivalent_lambda_expr` with ``m_l = k_l n^(−a_l)``
    (arbitrary constants ``k_l``); ``"mean"`` adds the leading power of ``P_total``.

    >>> [lambda_exponent_expr("ntk", depth=h) for h in (1, 2, 3, 4)]
    [-1/2, -2/3, -3/4, -4/5]
    >>> lambda_exponent_expr("ntk", "mean", depth=1), lambda_exponent_expr("ntk", "mean", depth=2)
    (1/2, 4/3)
    """
    check_choice("normalization", normalization, NORMALIZATIONS)
    if (parametrization is None) == (multiplier_exponents is None):
        raise ValueError(
            "parametrization or multiplier_exponents must be given (exactly one), got "
            f"parametrization={parametrization!r}, multiplier_exponents={multiplier_exponents!r}"
        )
    if parametrization is not None:
        exps = preset_exponents_expr(parametrization, depth=1 if depth is None else depth)
    else:
        exps = _check_exponents(multiplier_exponents)
        if len(exps) < 2:
            raise ValueError(
                "multiplier_exponents must have depth + 1 >= 2 entries (one per weight "
                f"matrix), got {multiplier_exponents!r}"
            )
        if depth is not None and _check_depth(depth) + 1 != len(exps):
            raise ValueError(
                f"multiplier_exponents must have depth + 1 = {depth + 1} entries, "
                f"got {len(exps)}: {multiplier_exponents!r}"
            )
    return _lambda_exponent(exps, normalization)


def lambda_exponent(
    parametrization: str | None = None,
    normalization: str = "sum",
    *,
    depth: int | None = None,
    multiplier_exponents: Sequence | None = None,
) -> float:
    """:func:`lambda_exponent_expr` as a float (same arguments).

    >>> [lambda_exponent("ntk", depth=h) for h in (1, 3)]
    [-0.5, -0.75]
    """
    return float(
        lambda_exponent_expr(
            parametrization,
            normalization,
            depth=depth,
            multiplier_exponents=multiplier_exponents,
        )
    )


@cache
def _lambda_exponent(exps: tuple[sp.Rational, ...], normalization: str) -> sp.Rational:
    depth = len(exps) - 1
    ms = multiplier_symbols(depth=depth)
    ks = sp.symbols(f"k_1:{len(exps) + 1}", positive=True)
    width_law = {m: k * n ** (-e) for m, k, e in zip(ms, ks, exps, strict=True)}
    # hold the multiplier-free λ' fixed and solve for the λ of the network with multipliers
    lam_equivalent = _equivalent_lambda_layers(depth + 1).subs(width_law)
    (lam,) = sp.solve(sp.Eq(lam_equivalent, lam_free), S.lam)
    if normalization == "mean":  # λ_mean = P_total λ_sum (theory.prior), P_total of the net
        (lam,) = sp.solve(sp.Eq(lambda_sum_from_mean_expr(), lam), S.lam_mean)
        lam = lam.subs(S.P, _n_weights(depth))
    local = sp.cancel(sp.together(n * sp.diff(sp.log(lam), n)))  # d log λ / d log n
    e = sp.simplify(sp.limit(local, n, sp.oo))  # the leading power
    if not e.is_Rational:
        raise AssertionError(f"the width exponent should be rational, got {e}")
    return e
