r"""Every weight penalized: how λ must scale with width in a deep bias-free ReLU network.

Setting.  A network with ``L`` weight matrices, i.e. ``depth = L − 1`` hidden layers of
width ``n``, no biases, and a positively 1-homogeneous activation φ (``φ(c z) = c φ(z)``
for ``c > 0``: ReLU, leaky ReLU, the identity),

.. math::  f(x) = m_L W_L\, \varphi(m_{L-1} W_{L-1} \cdots \varphi(m_1 W_1 x)),
           \qquad m_l \propto n^{-a_l},

trained on ``(1/N) Σ_i ℓ(f(x_i), y_i) + Σ_l λ_l ‖W_l‖²`` (any loss ℓ; DESIGN §2: no
factor ½; one global λ is ``λ_l = λ``).  Three exact facts, each derived below:

1. **Homogeneity** (:func:`rescaling_expr`).  With ``M = Π_l m_l`` and
   ``V_l = M^(1/L) W_l`` the multiplier-free network ``V_L φ(V_{L−1} ⋯ φ(V_1 x))`` is
   the same function, so the objective at ``λ_l`` with multipliers equals the
   multiplier-free objective at ``λ_l M^(−2/L)`` (:func:`equivalent_lambda_expr`) —
   for every ``W``, hence also for its minimizers.
2. **Geometric mean** (:func:`balanced_penalty_expr`).  The multiplier-free network has
   the symmetry ``V_l → t_l V_l`` with ``Π_l t_l = 1``; minimizing the penalty over it,
   ``min_t Σ_l λ_l t_l² ‖V_l‖² = L (Π_l λ_l ‖V_l‖²)^(1/L)``, so per-layer strengths
   enter the global minimizer only through their geometric mean ``(Π_l λ_l)^(1/L)``.
   (For one hidden unit of a one-hidden-layer network this is ``2λ|a|‖w‖``: the
   total-variation penalty of DESIGN §1.)
3. **Width exponent** (:func:`lambda_exponent`).  Hold the multiplier-free λ fixed: then
   ``λ_sum ∝ M^(2/L) ∝ n^e`` with ``e_sum = −(2/L) Σ_l a_l``
   (:func:`lambda_exponent_general_expr`).  The presets (:func:`preset_exponents`, the
   multipliers of :mod:`training.models`: standard 1; NTK ``g/sqrt(fan_in)``, where the
   input layer's fan-in ``d`` does not grow; mean-field/μP as NTK with readout ``1/n``;
   constants such as ``g = √2`` or ``1/√d`` do not change exponents):

   ==========  ========  ==========  ===========
   depth        standard  NTK         mean-field
   ==========  ========  ==========  ===========
   1            0         −1/2        −1
   2            0         −2/3        −1
   h            0         −h/(h+1)    −1
   ==========  ========  ==========  ===========

   The mean normalization divides by the total number of weights
   ``P_total = d n + (L − 2) n² + n K`` (:func:`n_weights_expr`), ``∝ n`` for one hidden
   layer and ``∝ n²`` for two or more, so ``e_mean = e_sum + 1`` or ``e_sum + 2``
   (the leading power; for ``depth ≥ 2`` exact only for ``n ≫ d + K``).

Why the multiplier-free λ* should converge with width.  The representation cost
``R_n(f) = min {Σ_l ‖V_l‖² : the width-n multiplier-free network computes f}`` is
non-increasing in ``n`` (pad a minimizer with zero units: no biases and ``φ(0) = 0``, so
the function and the cost are unchanged) and bounded below by 0, so it converges for
every ``f``, and so does the minimum of ``loss(f) + λ' R_n(f)``.  That is the premise of
the rule, as for the readout theory: **whenever the optimal multiplier-free λ' converges
with width**, the optimal ``λ_sum ∝ n^e``.  Exactly at finite width it holds where
``R_n`` is already width-independent (e.g. linear networks with ``n ≥ min(d, K)``, or
ReLU networks wider than the units the minimizer needs).

When it is exact, and what breaks it.  Facts 1–2 are identities, exact at every width,
for the **global minimizer** (and for every stationary point, mapped one to one) of the
regularized objective.  They are a statement about that minimizer, not about what a
fixed budget of gradient-descent steps reaches: a step of rate η on ``W`` is a step of
rate ``η M^(2/L)`` on ``V``, so at fixed learning rates the path (and where a step budget
stops) changes with width; a training check must run to stationarity and report it.
They fail with

* **penalized biases**: with ``m_l (W_l h + b_l)`` the function is still the
  multiplier-free one for ``c_l = s^l b_l / Π_{k<l} m_k`` (``s = M^(1/L)``), a
  layer-dependent factor, so ``λ ‖b_l‖²`` does not pick up the common ``M^(−2/L)`` and
  the objective is no multiplier-free objective at one λ' (unpenalized biases, free
  parameters, leave facts 1–3 intact);
* **non-homogeneous activations** (tanh, GELU, SiLU, softplus): ``φ(c z) ≠ c φ(z)``, the
  multipliers change the function class, not only the scale;
* **normalization layers** (BatchNorm/LayerNorm): the weights before them are
  scale-invariant, so L2 changes only their effective learning rate (van Laarhoven
  2017) — an optimizer question (:mod:`theory.transfer`, AdamW), with no fixed
  minimizer to hold.

>>> [lambda_exponent_expr(p, depth=2) for p in ("standard", "ntk", "mean_field")]
[0, -2/3, -1]
>>> lambda_exponent(multiplier_exponents=(0, 0.5, 0.5, 0.5), normalization="mean")
1.25
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
import sympy as sp

from theory import _symbols as S
from theory._macros import register
from theory._numeric import lambdify
from theory._validate import (
    as_rational,
    check_choice,
    check_int,
    check_nonnegative,
    check_positive,
    check_representable,
)
from theory.parametrization import PARAMETRIZATIONS, READOUT_EXPONENT
from theory.prior import NORMALIZATIONS, lambda_sum_from_mean_expr

__all__ = [
    "n",
    "L",
    "K",
    "lam_free",
    "a",
    "phi",
    "multiplier_symbols",
    "output_expr",
    "rescaling_expr",
    "equivalent_lambda_expr",
    "balanced_penalty_expr",
    "balanced_penalty_general_expr",
    "lambda_exponent_general_expr",
    "preset_exponents_expr",
    "preset_exponents",
    "n_weights_expr",
    "n_weights_exponent",
    "lambda_exponent_expr",
    "lambda_exponent",
    "equivalent_lambda",
    "balanced_penalty",
    "TABLE_DEPTHS",
]

#: width ``n`` of every hidden layer
n = sp.Symbol("n", positive=True, integer=True)
#: number of weight matrices ``L = depth + 1``
L = sp.Symbol("L", positive=True, integer=True)
#: number of outputs (classes)
K = sp.Symbol("K", positive=True, integer=True)
#: λ of the multiplier-free network (the width-invariant reference)
lam_free = sp.Symbol(r"\lambda'", positive=True)
#: ``a[l]``: the width exponent of layer ``l``'s multiplier, ``m_l ∝ n^(-a_l)``
a = sp.IndexedBase("a", real=True)
_l = sp.Symbol("l", positive=True, integer=True)
#: the network input (a row vector: the layers act as ``x W_1 W_2 ...``)
_x = sp.Symbol("x", commutative=False)


class phi(sp.Function):  # lower case, like sp.exp
    r"""A positively 1-homogeneous activation, known only through ``φ(c z) = c φ(z)``, c > 0.

    The evaluation rule pulls every factor SymPy can prove positive out of the argument;
    that is the one property of ReLU the derivation uses.
    """

    @classmethod
    def eval(cls, z):
        commutative, noncommutative = z.args_cnc()
        positive = [f for f in commutative if f.is_positive]
        if positive:
            rest = [f for f in commutative if not f.is_positive]
            return sp.Mul(*positive) * cls(sp.Mul(*rest) * sp.Mul(*noncommutative))
        return None

    def _latex(self, printer):
        return rf"\varphi\left({printer._print(self.args[0])}\right)"


def _check_depth(depth) -> int:
    return check_int("depth", depth, minimum=1)


def multiplier_symbols(*, depth: int) -> tuple[sp.Symbol, ...]:
    """The multipliers ``m_1 … m_L`` (positive), ``L = depth + 1``."""
    n_layers = _check_depth(depth) + 1
    return sp.symbols(f"m_1:{n_layers + 1}", positive=True)


def _weights(n_layers: int) -> tuple[sp.Symbol, ...]:
    """The weight matrices ``W_1 … W_L`` as non-commuting symbols."""
    return sp.symbols(f"W_1:{n_layers + 1}", commutative=False)


def _output(weights: Sequence[sp.Expr], multipliers: Sequence[sp.Expr], activation=phi) -> sp.Expr:
    """``m_L ((φ(... φ(m_1 x W_1) ...)) W_L)``: the network as an expression in its weights."""
    h = _x
    for i, (w, m) in enumerate(zip(weights, multipliers, strict=True)):
        h = m * h * w
        if i < len(weights) - 1:
            h = activation(h)
    return h


def output_expr(*, depth: int) -> sp.Expr:
    """The network output with multipliers, after pulling them through φ.

    >>> output_expr(depth=2)
    m_1*m_2*m_3*phi(phi(x*W_1)*W_2)*W_3
    """
    ms = multiplier_symbols(depth=depth)
    return _output(_weights(len(ms)), ms)


@cache
def _rescaling(n_layers: int, activation=phi) -> sp.Expr | None:
    """``s`` with ``f(s W; m = 1) = f(W; m)`` for every ``W``, or ``None`` if there is none."""
    ms = sp.symbols(f"m_1:{n_layers + 1}", positive=True)
    s = sp.Symbol("s", positive=True)
    weights = _weights(n_layers)
    with_multipliers = _output(weights, ms, activation)
    free = _output([s * w for w in weights], [sp.Integer(1)] * n_layers, activation)
    (c_with, nc_with), (c_free, nc_free) = with_multipliers.args_cnc(), free.args_cnc()
    if nc_with != nc_free:  # the multipliers did not factor out: not a mere rescaling
        return None
    (sol,) = sp.solve(sp.Mul(*c_free) - sp.Mul(*c_with), s)
    return sol


def rescaling_expr(*, depth: int) -> sp.Expr:
    """The one factor ``s`` with ``f(s W; m = 1) = f(W; m)`` for every ``W``: ``s = M^(1/L)``.

    Derived: with φ positively homogeneous both outputs are (positive scalar) × (the same
    chain of matrices and φ); the multiplier-free network with weights ``s W_l`` is the same
    function iff the scalars agree.  (With tanh the multipliers stay inside the chain and
    no such ``s`` exists.)

    >>> rescaling_expr(depth=1)
    sqrt(m_1)*sqrt(m_2)
    """
    return _rescaling(_check_depth(depth) + 1)


def _equivalent_lambda(scale: sp.Expr) -> sp.Expr:
    """λ' with ``λ Σ_l ‖W_l‖² = λ' Σ_l ‖V_l‖²`` for ``V_l = scale · W_l``.

    ``‖W_l‖² = ‖V_l‖² / scale²`` (the squared norm is 2-homogeneous), per layer, so the
    same λ' serves every layer and every per-layer λ_l.
    """
    q = sp.Symbol("q", positive=True)  # Σ_l ‖V_l‖²
    (sol,) = sp.solve(sp.Eq(S.lam * q / scale**2, lam_free * q), lam_free)
    return sol


def equivalent_lambda_expr(*, depth: int) -> sp.Expr:
    """λ of the multiplier-free network with the same objective: ``λ M^(−2/L)``.

    >>> equivalent_lambda_expr(depth=1)
    lambda/(m_1*m_2)
    >>> equivalent_lambda_expr(depth=2)
    lambda/(m_1**(2/3)*m_2**(2/3)*m_3**(2/3))
    """
    return _equivalent_lambda_layers(_check_depth(depth) + 1)


@cache
def _equivalent_lambda_layers(n_layers: int) -> sp.Expr:
    return sp.powsimp(_equivalent_lambda(_rescaling(n_layers)), combine="exp")


def _per_layer_symbols(n_layers: int) -> tuple[tuple[sp.Symbol, ...], tuple[sp.Symbol, ...]]:
    lams = sp.symbols(f"lambda_1:{n_layers + 1}", positive=True)
    sq_norms = sp.symbols(f"q_1:{n_layers + 1}", positive=True)  # q_l = ‖V_l‖²
    return lams, sq_norms


@cache
def _balanced_penalty(n_layers: int) -> sp.Expr:
    """``min Σ_l λ_l t_l² q_l`` over ``t_l > 0`` with ``Π_l t_l = 1``, by Lagrange multipliers.

    Stationarity in ``t_l`` (using ``Π_{k≠l} t_k = 1/t_l`` on the constraint) gives
    ``t_l = sqrt(μ / (2 λ_l q_l))``; the constraint then fixes μ.  The objective is convex
    in ``log t`` on the constraint set, so the stationary point is the minimum.
    """
    lams, qs = _per_layer_symbols(n_layers)
    ts = sp.symbols(f"t_1:{n_layers + 1}", positive=True)
    mu = sp.Symbol("mu", positive=True)
    penalty = sum(lam * t**2 * q for lam, t, q in zip(lams, ts, qs, strict=True))
    product = sp.Mul(*ts)
    lagrangian = penalty - mu * (product - 1)
    t_star = {}
    for t in ts:
        stationarity = sp.diff(lagrangian, t).subs(product / t, 1 / t)
        (t_star[t],) = sp.solve(stationarity, t)
    constraint = sp.expand_log(sp.log(product.subs(t_star)), force=True)
    (mu_star,) = sp.solve(constraint, mu)
    return sp.simplify(penalty.subs(t_star).subs(mu, mu_star))


def balanced_penalty_expr(*, depth: int) -> sp.Expr:
    r"""``min_{Π t_l = 1} Σ_l λ_l t_l² q_l = L (Π_l λ_l q_l)^(1/L)``, ``q_l = ‖V_l‖²``.

    >>> balanced_penalty_expr(depth=1)
    2*sqrt(lambda_1)*sqrt(lambda_2)*sqrt(q_1)*sqrt(q_2)
    """
    return _balanced_penalty(_check_depth(depth) + 1)


@cache
def balanced_penalty_general_expr() -> sp.Expr:
    r"""The same minimum for a symbolic number of layers ``L``: ``L (Π_l λ_l q_l)^(1/L)``.

    The stationarity condition for one generic layer makes every term ``λ_l t_l² q_l`` equal
    to ``μ/2``; the constraint ``Π_l t_l² = (μ/2)^L / Π_l λ_l q_l = 1`` fixes μ.

    >>> balanced_penalty_general_expr()
    L*Product(lambda[l]*q[l], (l, 1, L))**(1/L)
    """
    lam_l, q_l, t, mu, rest = sp.symbols("lambda_l q_l t_l mu R", positive=True)
    lagrangian = lam_l * t**2 * q_l - mu * (t * rest - 1)  # rest = Π_{k≠l} t_k = 1/t on it
    (t_star,) = sp.solve(sp.diff(lagrangian, t).subs(rest, 1 / t), t)
    term = sp.simplify(lam_l * t_star**2 * q_l)  # = μ/2, the same for every layer
    x = sp.IndexedBase("x", positive=True)  # x_l = λ_l q_l
    g = sp.Symbol("G", positive=True)  # Π_l x_l
    t_sq = (t_star**2).subs(lam_l, x[_l] / q_l)
    constraint = sp.Product(t_sq, (_l, 1, L)).doit()  # Π_l t_l² = 1
    constraint = constraint.subs(sp.Product(1 / x[_l], (_l, 1, L)), 1 / g)
    (mu_star,) = sp.solve(sp.expand_log(sp.log(constraint), force=True), mu)
    total = sp.simplify(sp.Sum(term, (_l, 1, L)).doit().subs(mu, mu_star))
    lam_i, q_i = sp.IndexedBase("lambda", positive=True), sp.IndexedBase("q", positive=True)
    return total.subs(g, sp.Product(lam_i[_l] * q_i[_l], (_l, 1, L)))


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


@cache
def _equivalent_lambda_fn(depth: int):
    ms = multiplier_symbols(depth=depth)
    return lambdify(equivalent_lambda_expr(depth=depth), [S.lam, *ms])


def equivalent_lambda(lam, *, multipliers) -> float | np.ndarray:
    """Numeric ``λ M^(−2/L)``: the multiplier-free λ with the same objective.

    ``multipliers`` are ``(m_1, …, m_L)``, ``L ≥ 2``; ``lam`` a number or array (e.g. one λ
    per layer: the factor is the same for every layer).

    >>> equivalent_lambda(1e-3, multipliers=(1.0, 0.25))
    0.004
    """
    lam = check_positive("lam", lam)
    ms = check_positive("multipliers", multipliers)
    if ms.ndim != 1 or ms.size < 2:
        raise ValueError(f"multipliers must be a sequence of >= 2 numbers, got {multipliers!r}")
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        out = np.asarray(_equivalent_lambda_fn(ms.size - 1)(lam, *ms), dtype=np.float64)
    inputs = {"lam": lam, "multipliers": multipliers}
    check_representable(out, what="multiplier-free lambda", inputs=inputs, positive=True)
    return float(out) if out.ndim == 0 else out


@cache
def _balanced_penalty_fn(depth: int):
    lams, qs = _per_layer_symbols(depth + 1)
    return lambdify(balanced_penalty_expr(depth=depth), [*lams, *qs])


def balanced_penalty(lam, *, sq_norms) -> float:
    """Numeric ``L (Π_l λ_l ‖V_l‖²)^(1/L)``: the penalty minimized over layer rescalings.

    ``sq_norms`` are ``‖V_1‖², …, ‖V_L‖²`` (``L ≥ 2``); ``lam`` one λ or one per layer.

    >>> round(balanced_penalty([0.5, 2.0], sq_norms=[4.0, 9.0]), 12)  # 2 sqrt(0.5·4·2·9)
    12.0
    """
    qs = check_nonnegative("sq_norms", sq_norms)
    if qs.ndim != 1 or qs.size < 2:
        raise ValueError(f"sq_norms must be a sequence of >= 2 numbers, got {sq_norms!r}")
    lams = check_positive("lam", lam)
    if lams.ndim > 1 or lams.size not in (1, qs.size):
        raise ValueError(f"lam must be one number or one per layer ({qs.size}), got {lam!r}")
    lams = np.broadcast_to(lams, qs.shape)
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        value = float(_balanced_penalty_fn(qs.size - 1)(*lams, *qs))
    inputs = {"lam": lam, "sq_norms": sq_norms}
    positive = bool(np.all(qs > 0))  # one zero layer makes the balanced penalty exactly 0
    return check_representable(value, what="balanced penalty", inputs=inputs, positive=positive)


# ---------------------------------------------------------------- LaTeX


def _unit_penalty() -> sp.Expr:
    """One hidden unit, one λ: ``min_t λ((t a)² + (w/t)²) = 2 λ a w`` (``a, w`` norms)."""
    (lam_1, lam_2), (q_1, q_2) = _per_layer_symbols(2)
    unit_a, unit_w = sp.symbols("a w", positive=True)
    values = {lam_1: S.lam, lam_2: S.lam, q_1: unit_a**2, q_2: unit_w**2}
    return balanced_penalty_expr(depth=1).subs(values)


_M = sp.Symbol("M", positive=True)
register("NetEquivalentLambda", "lambda of the multiplier-free network, M = prod_l m_l")(
    lambda: rf"\lambda' = {sp.latex(_equivalent_lambda(_M ** (1 / L)))}"
)
register("NetBalancedPenalty", "penalty minimized over the layer rescalings, any L")(
    lambda: (
        r"\min_{\prod_l t_l = 1} \sum_{l=1}^{L} \lambda_l t_l^2 q_l = "
        + sp.latex(balanced_penalty_general_expr())
    )
)
register("NetLambdaExponent", "width exponent of lambda_sum, every weight penalized, any L")(
    lambda: rf"e_{{\mathrm{{sum}}}} = {sp.latex(lambda_exponent_general_expr())}"
)
register("NetWeightCount", "total number of weights of a network with L weight matrices")(
    lambda: rf"P_{{\mathrm{{total}}}} = {sp.latex(_n_weights_general())}"
)
# kept from theory.transfer (one hidden layer): a unit's penalty and the exponent in c
register("FeaturesPenalty", "penalty of one ReLU unit minimized over its rescaling")(
    lambda: f"\\min_t \\lambda (t^2 a^2 + w^2/t^2) = {sp.latex(_unit_penalty())}"
)
register("FeaturesWidthExponent", "width exponent of lambda_sum, every weight penalized")(
    lambda: lambda_exponent_general_expr().subs(L, 2).doit().subs({a[1]: 0, a[2]: S.c})
)

_CAMEL = {"standard": "Standard", "ntk": "NTK", "mean_field": "MeanField", "sum": "Sum"}
_CAMEL["mean"] = "Mean"
_WORDS = ("One", "Two", "Three", "Four")
#: the depths (hidden layers) tabulated for the paper
TABLE_DEPTHS = (1, 2, 3, 4)
for _p in PARAMETRIZATIONS:
    for _nm in NORMALIZATIONS:
        for _h in TABLE_DEPTHS:
            register(
                f"NetExp{_CAMEL[_p]}{_CAMEL[_nm]}Depth{_WORDS[_h - 1]}",
                f"width exponent of lambda*, every weight penalized, {_p}, {_nm}, depth {_h}",
            )((lambda p, nm, h: lambda: lambda_exponent_expr(p, nm, depth=h))(_p, _nm, _h))


def _table_rows() -> str:
    """Rows ``depth & standard sum & mean & NTK sum & mean & mean-field sum & mean \\\\``."""
    rows = []
    for h in TABLE_DEPTHS:
        cells = [
            sp.latex(lambda_exponent_expr(p, nm, depth=h))
            for p in PARAMETRIZATIONS
            for nm in NORMALIZATIONS
        ]
        rows.append(" & ".join([str(h), *cells]) + r" \\")
    return " ".join(rows)


register("NetExpTableRows", "tabular rows: depth, then e_sum, e_mean per parametrization")(
    _table_rows
)
