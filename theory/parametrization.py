r"""Standard / NTK / mean-field readouts, the exact change of variables, and λ transfer.

A readout of width ``P`` is written

.. math::  f(x) = P^{-c} \sum_{j=1}^{P} a_j \varphi_j(x),
           \qquad c = 0 \text{ (standard)},\ \tfrac12 \text{ (NTK)},\ 1 \text{ (mean-field)},

and penalized by ``λ R(a)`` with ``R`` the sum or the mean of ``a_j²`` (DESIGN §2).
The substitution ``b_j = P^{1/2-c} a_j`` turns every readout into the NTK one,
``f = P^{-1/2} Σ_j b_j φ_j``, *exactly*; the penalty becomes
``λ_sum P^{2c-1} Σ_j b_j²``.  Hence the same predictor at every width is obtained
with ``λ_sum = λ_NTK · P^{1-2c}`` and ``λ_mean = λ_NTK · P^{2-2c}``: whenever the
optimal NTK-scaled λ converges as the width grows, the optimal λ in any other
convention scales as ``P^e`` with

==============  =====  ======
parametrization  sum    mean
==============  =====  ======
standard         1      2
ntk              0      1
mean_field      -1      0
==============  =====  ======

>>> [width_exponent(p, n) for p in PARAMETRIZATIONS for n in ("sum", "mean")]
[1.0, 2.0, 0.0, 1.0, -1.0, 0.0]
>>> transfer_lambda(1e-3, width_from=256, width_to=4096, parametrization="standard",
...                 normalization="sum")
0.016
"""

from __future__ import annotations

from functools import cache
from typing import Literal

import numpy as np
import sympy as sp

from theory import _symbols as S
from theory._macros import register
from theory._numeric import lambdify
from theory.checks import (
    cache_checked,
    check_broadcast,
    check_choice,
    check_nonnegative,
    check_positive,
    check_representable,
    check_width,
)
from theory.prior import (
    NORMALIZATIONS,
    lambda_sum_from_mean_expr,
    prior_variance,
    prior_variance_expr,
)

__all__ = [
    "PARAMETRIZATIONS",
    "READOUT_EXPONENT",
    "lam_ntk",
    "b",
    "ntk_substitution",
    "readout_expr",
    "lambda_expr",
    "width_exponent_expr",
    "width_exponent",
    "readout_scale",
    "lambda_from_ntk",
    "lambda_to_ntk",
    "transfer_lambda",
    "m2",
    "output_variance_expr",
    "output_prior_std",
]

Parametrization = Literal["standard", "ntk", "mean_field"]
PARAMETRIZATIONS = ("standard", "ntk", "mean_field")
#: the exponent c of the readout ``P^(-c) Σ a_j φ_j``
READOUT_EXPONENT = {
    "standard": sp.Integer(0),
    "ntk": sp.Rational(1, 2),
    "mean_field": sp.Integer(1),
}

#: the sum-normalized λ of the NTK readout (the width-invariant reference)
lam_ntk = sp.Symbol(r"\lambda_{\mathrm{NTK}}", positive=True)
#: an NTK-parametrized readout weight
b = sp.Symbol("b", real=True)
#: one feature value φ_j(x)
phi = sp.Symbol(r"\varphi", real=True)


def ntk_substitution() -> sp.Expr:
    """The weight ``a`` of the readout with exponent ``c``, written through the NTK weight ``b``.

    Chosen so that one term of the readout, ``P^(-c) a φ``, equals the NTK term ``P^(-1/2) b φ``.
    """
    a = sp.Symbol("a", real=True)
    (sol,) = sp.solve(sp.Eq(S.P ** (-S.c) * a * phi, S.P ** sp.Rational(-1, 2) * b * phi), a)
    return sol


def readout_expr() -> sp.Expr:
    """One term of the readout with exponent ``c`` after the substitution: ``P^(-1/2) b φ`` for all c."""
    return sp.powsimp(S.P ** (-S.c) * ntk_substitution() * phi)


@cache_checked
def lambda_expr(normalization: str = "sum") -> sp.Expr:
    """λ in the ``c`` readout and ``normalization`` giving the same objective as λ_NTK (sum).

    Derived by matching the penalty per weight: ``λ_c a² = λ_NTK b²`` with ``a = P^(c-1/2) b``.
    """
    check_choice("normalization", normalization, NORMALIZATIONS)
    (lam_c,) = sp.solve(sp.Eq(S.lam * ntk_substitution() ** 2, lam_ntk * b**2), S.lam)
    if normalization == "mean":  # λ_mean = P λ_sum: invert the sum <=> mean identity
        (lam_c,) = sp.solve(sp.Eq(lambda_sum_from_mean_expr(), lam_c), S.lam_mean)
    return sp.powsimp(sp.simplify(lam_c))


def width_exponent_expr(normalization: str = "sum", parametrization: str | None = None) -> sp.Expr:
    """``d log λ / d log P`` at fixed λ_NTK, as an expression in the readout exponent ``c``.

    With ``parametrization`` the exact exponent of that readout (a SymPy ``Rational``);
    :func:`width_exponent` is its float.

    >>> width_exponent_expr("sum")
    1 - 2*c
    >>> width_exponent_expr("mean")
    2 - 2*c
    >>> width_exponent_expr("sum", "ntk"), width_exponent_expr("mean", "mean_field")
    (0, 0)
    """
    check_choice("normalization", normalization, NORMALIZATIONS)
    if parametrization is not None:
        check_choice("parametrization", parametrization, PARAMETRIZATIONS)
    e = _width_exponent_expr(normalization)
    return e if parametrization is None else e.subs(S.c, READOUT_EXPONENT[parametrization])


@cache
def _width_exponent_expr(normalization: str) -> sp.Expr:
    expr = lambda_expr(normalization)
    return sp.expand(sp.simplify(S.P * sp.diff(expr, S.P) / expr))


def width_exponent(parametrization: Parametrization, normalization: str) -> float:
    """The exponent ``e`` with λ* ∝ P^e when the NTK-scaled λ* is width-independent.

    A float; the exact value is ``width_exponent_expr(normalization, parametrization)``.
    """
    check_choice("parametrization", parametrization, PARAMETRIZATIONS)
    return float(width_exponent_expr(normalization, parametrization))


def readout_scale(width, parametrization: Parametrization) -> float | np.ndarray:
    """The factor ``P^(-c)`` multiplying ``Σ_j a_j φ_j``."""
    check_choice("parametrization", parametrization, PARAMETRIZATIONS)
    p = check_width("width", width)
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        value = p ** (-float(READOUT_EXPONENT[parametrization]))
    inputs = {"width": width}
    return _out(check_representable(value, what="readout scale", inputs=inputs, positive=True))


def _factor(width, parametrization: str, normalization: str) -> np.ndarray:
    """λ / λ_NTK at ``width``: ``width ** e``."""
    check_choice("parametrization", parametrization, PARAMETRIZATIONS)
    check_choice("normalization", normalization, NORMALIZATIONS)
    e = float(width_exponent(parametrization, normalization))
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        return check_width("width", width) ** e


def _out(x) -> float | np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return float(x) if x.ndim == 0 else x


def _checked(value, what: str, inputs: dict, lam: np.ndarray) -> float | np.ndarray:
    """A λ from a λ (> 0 where ``lam`` > 0): an over- or underflow names ``inputs``."""
    return _out(check_representable(value, what=what, inputs=inputs, positive=lam > 0))


def lambda_from_ntk(lam_ntk, *, width, parametrization: Parametrization, normalization: str):
    """λ in (parametrization, normalization) with the same predictor as ``lam_ntk`` (NTK, sum)."""
    lam = check_nonnegative("lam_ntk", lam_ntk)
    check_broadcast(lam_ntk=lam, width=np.asarray(width))
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        value = lam * _factor(width, parametrization, normalization)
    return _checked(value, "lambda", {"lam_ntk": lam_ntk, "width": width}, lam)


def lambda_to_ntk(lam, *, width, parametrization: Parametrization, normalization: str):
    """Inverse of :func:`lambda_from_ntk`."""
    lam_value = check_nonnegative("lam", lam)
    check_broadcast(lam=lam_value, width=np.asarray(width))
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        value = lam_value / _factor(width, parametrization, normalization)
    return _checked(value, "NTK lambda", {"lam": lam, "width": width}, lam_value)


def transfer_lambda(
    lam, *, width_from, width_to, parametrization: Parametrization, normalization: str
) -> float | np.ndarray:
    """λ at ``width_to`` that keeps the NTK-scaled λ (the function-space prior) of ``lam`` at ``width_from``.

    ``lam · (width_to / width_from) ** width_exponent(parametrization, normalization)``,
    computed as :func:`lambda_from_ntk` of :func:`lambda_to_ntk`; a result (or a step on the
    way) outside float64 raises ``ValueError`` naming ``lam``, ``width_from``, ``width_to``.
    """
    lam_value = check_nonnegative("lam", lam)
    check_width("width_from", width_from)  # named here: the helpers below say "width"
    check_width("width_to", width_to)
    check_broadcast(lam=lam_value, width_from=np.asarray(width_from), width_to=np.asarray(width_to))
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        lam_ntk_value = lam_value / _factor(width_from, parametrization, normalization)
        value = lam_ntk_value * _factor(width_to, parametrization, normalization)
    inputs = {"lam": lam, "width_from": width_from, "width_to": width_to}
    return _checked(value, "transferred lambda", inputs, lam_value)


#: second moment E[φ(z)²] of one feature, a free symbol (1/2 for ReLU of a symmetric z with E z² = 1)
m2 = sp.Symbol(r"m_{2}", positive=True)


@cache_checked
def output_variance_expr(normalization: str = "sum", loss: str = "squared") -> sp.Expr:
    """Prior variance of the readout ``f(x) = P^(-c) Σ_j a_j φ_j(x)`` at a fixed λ.

    With ``a_j ~ N(0, v)`` i.i.d. (``v`` from :func:`theory.prior.prior_variance_expr`)
    and features of second moment ``m2``: ``Var f = P^(1-2c) v m2``.  Its exponent in
    P at fixed λ equals :func:`width_exponent_expr` ``e`` (``1 - 2c`` for the sum, ``2 - 2c``
    for the mean); as ``Var f ∝ 1/λ``, holding ``λ ∝ P^e`` fixes the function-space prior,
    which is the whole point.
    """
    v = prior_variance_expr(loss, normalization)
    # Var(Σ_j P^(-c) a_j φ_j) = P · P^(-2c) · E[a²] E[φ²] for P i.i.d. terms with E[a] = 0
    return sp.powsimp(sp.simplify(S.P * (S.P ** (-S.c)) ** 2 * v * m2))


@cache
def _output_variance_fn(normalization: str, loss: str):
    lam_sym = S.lam if normalization == "sum" else S.lam_mean
    expr = output_variance_expr(normalization, loss)
    return lambdify(expr, [lam_sym, S.N, S.sigma2, S.P, S.c, m2])


def output_prior_std(
    lam,
    *,
    width,
    n_samples,
    parametrization: Parametrization,
    normalization: str = "sum",
    loss: str = "squared",
    noise_var=1.0,
    feature_second_moment=0.5,
) -> float | np.ndarray:
    """Prior standard deviation of the readout output at L2 strength ``lam`` and ``width``.

    ``feature_second_moment`` is ``E[φ(x)²]`` (1/2 for ReLU features with unit pre-activation
    variance).  Vectorized over ``lam`` and ``width``.

    >>> [round(output_prior_std(1e-2, width=w, n_samples=100, parametrization="ntk"), 12)
    ...  for w in (16, 1024)]
    [0.707106781187, 0.707106781187]
    """
    check_choice("parametrization", parametrization, PARAMETRIZATIONS)
    check_choice("normalization", normalization, NORMALIZATIONS)
    width = check_width("width", width)
    # validates lam, n_samples, loss, noise_var (the variance itself is recomputed below)
    prior_variance(
        lam,
        n_samples=n_samples,
        loss=loss,
        normalization=normalization,
        n_params=width,
        noise_var=noise_var,
    )
    m2_value = check_positive("feature_second_moment", feature_second_moment)
    c_value = float(READOUT_EXPONENT[parametrization])
    fn = _output_variance_fn(normalization, loss)
    lam_value = np.asarray(lam, float)
    with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
        std = np.sqrt(fn(lam_value, float(n_samples), float(noise_var), width, c_value, m2_value))
    inputs = {
        "lam": lam,
        "width": width,
        "n_samples": n_samples,
        "noise_var": noise_var,
        "feature_second_moment": feature_second_moment,
    }
    std = check_representable(
        std, what="prior std", inputs=inputs, positive=True, exempt=lam_value == 0
    )
    return _out(std)


# ---------------------------------------------------------------- LaTeX

register("WidthExponentSum", "width exponent of lambda*, sum normalization, readout exponent c")(
    lambda: width_exponent_expr("sum")
)
register("WidthExponentMean", "width exponent of lambda*, mean normalization, readout exponent c")(
    lambda: width_exponent_expr("mean")
)
register("LamSumFromNTK", "sum-normalized lambda of the c readout from the NTK lambda")(
    lambda: f"\\lambda_{{\\mathrm{{sum}}}} = {sp.latex(lambda_expr('sum'))}"
)
register("LamMeanFromNTK", "mean-normalized lambda of the c readout from the NTK lambda")(
    lambda: f"\\lambda_{{\\mathrm{{mean}}}} = {sp.latex(lambda_expr('mean'))}"
)
register("NTKSubstitution", "change of variables to the NTK readout weight")(
    lambda: f"a = {sp.latex(ntk_substitution())}"
)

_CAMEL = {
    "standard": "Standard",
    "ntk": "NTK",
    "mean_field": "MeanField",
    "sum": "Sum",
    "mean": "Mean",
}
for _p in PARAMETRIZATIONS:
    for _n in NORMALIZATIONS:
        register(f"WidthExp{_CAMEL[_p]}{_CAMEL[_n]}", f"width exponent, {_p}, {_n}")(
            (lambda p, n: lambda: width_exponent_expr(n, p))(_p, _n)
        )
