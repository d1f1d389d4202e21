"""Bridge from SymPy expressions to NumPy / JAX callables.

Theory numerics run in float64 (DESIGN §2) without changing JAX's global configuration:
NumPy callables compute in float64 anyway, and every function that runs a JAX callable
asks for float64 where it runs it (``with jax.enable_x64(True):``).  Importing this
module changes no global state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import sympy as sp

__all__ = ["lambdify"]

Backend = Literal["numpy", "jax"]


def lambdify(
    expr: sp.Expr, args: Sequence[sp.Symbol], *, backend: Backend = "numpy"
) -> Callable[..., object]:
    """Compile ``expr`` into a function of ``args`` (positional, in that order).

    ``backend="numpy"`` gives a vectorized NumPy function; ``backend="jax"`` a
    function of ``jax.numpy`` arrays that can be jitted, vmapped and differentiated; it
    computes in the precision of its inputs (float64 under ``jax.enable_x64(True)``).

    >>> import jax
    >>> import sympy as sp
    >>> x, y = sp.symbols("x y", positive=True)
    >>> f = lambdify(x**2 / y, [x, y])
    >>> float(f(3.0, 2.0))
    4.5
    >>> g = jax.jit(lambdify(x**2 / y, [x, y], backend="jax"))
    >>> float(jax.grad(g)(3.0, 2.0))
    3.0
    """
    if backend not in ("numpy", "jax"):
        raise ValueError(f"backend must be 'numpy' or 'jax', got {backend!r}")
    free = expr.free_symbols - set(args)
    if free:
        raise ValueError(f"args is missing symbols {sorted(map(str, free))} of the expression")
    return sp.lambdify(list(args), expr, modules=backend)
