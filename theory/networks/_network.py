"""Deep bias-free networks: the symbols, the homogeneous activation φ and the network as an
expression in its weights (see :mod:`theory.networks` for the setting).
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from theory.checks import check_int

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
