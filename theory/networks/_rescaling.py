"""Facts 1–2 of :mod:`theory.networks`: the rescaling that removes the multipliers, the
multiplier-free λ, and the penalty minimized over layer rescalings (symbolic and numeric).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import sympy as sp

from theory import _symbols as S
from theory._numeric import lambdify
from theory.checks import check_nonnegative, check_positive, check_representable
from theory.networks._network import (
    L,
    _check_depth,
    _l,
    _output,
    _weights,
    lam_free,
    multiplier_symbols,
    phi,
)


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
