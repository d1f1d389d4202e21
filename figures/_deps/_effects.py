"""Whether a module's import-time code may change state outside the module (the rule of
:mod:`figures._deps` for modules that are merely run at import).
"""

from __future__ import annotations

import ast

__all__ = ["REGISTRARS"]

#: callables whose calls at import only register a result for the paper's LaTeX (module,
#: name): ``register("Name", "...")(fn)`` changes nothing that a figure computes
#: (``theory.latex`` re-exports the registrar of ``theory._macros``)
REGISTRARS = frozenset({("theory._macros", "register"), ("theory.latex", "register")})
#: values a module's own tables are built from (``_TABLE = {...}``)
_LITERALS = (
    ast.Constant,
    ast.Dict,
    ast.List,
    ast.Set,
    ast.Tuple,
    ast.DictComp,
    ast.ListComp,
    ast.SetComp,
)


def _base_name(node: ast.expr) -> str | None:
    """``a`` of ``a``, ``a.b.c``, ``a[i].b`` or ``a(...)``; None for anything else."""
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _changes_outside(stmt: ast.stmt, own: set[str], registrars: set[str]) -> bool:
    """Whether a statement run at import may change state outside its module.

    Yes for a call statement (``jax.config.update(...)``, ``setup()``) and a write to an
    item or attribute, ``del`` or ``global``, unless it only touches a value the module
    itself binds to a literal (``own``: ``_TABLE.update(...)``,
    ``_CAMEL["mean"] = ...``) or calls a LaTeX registrar (``registrars``).  Blocks (``if``,
    ``try``, ``with``, loops) are looked into; definitions are not (a decorator registers
    what it decorates).
    """
    if isinstance(stmt, ast.Expr):
        if isinstance(stmt.value, ast.Constant):
            return False  # a docstring
        call = stmt.value
        if isinstance(call, ast.Call):
            callee = call.func.func if isinstance(call.func, ast.Call) else call.func
            if isinstance(callee, ast.Name) and callee.id in registrars:
                return False
            if isinstance(call.func, ast.Attribute) and _base_name(call.func) in own:
                return False
        return True
    if isinstance(stmt, ast.Delete | ast.Global | ast.Nonlocal):
        return True
    if isinstance(stmt, ast.Assign | ast.AugAssign | ast.AnnAssign):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        return any(
            isinstance(t, ast.Attribute | ast.Subscript) and _base_name(t) not in own
            for target in targets
            for t in ast.walk(target)
        )
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return False
    children = [
        *getattr(stmt, "body", []),
        *getattr(stmt, "orelse", []),
        *getattr(stmt, "finalbody", []),
        *(c for h in getattr(stmt, "handlers", []) for c in h.body),
    ]
    if isinstance(stmt, ast.With) and any(
        _base_name(item.context_expr) not in own for item in stmt.items
    ):
        return True  # a context manager from elsewhere (warnings.catch_warnings, ...)
    return any(_changes_outside(c, own, registrars) for c in children if isinstance(c, ast.stmt))
