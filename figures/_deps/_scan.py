"""What one module's source says, read with :mod:`ast`: its imports (static and dynamic),
the names its import-time code and each top-level function read, and its side effects.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass, field

from figures._deps._effects import _LITERALS, REGISTRARS, _changes_outside

__all__ = ["functions"]


@dataclass(frozen=True)
class _Import:
    """One import: ``module`` (absolute), the ``names`` taken from it (``None`` for a plain
    ``import``), and the names it binds in the importing scope."""

    module: str
    names: tuple[str, ...] | None
    binds: tuple[str, ...]
    plain_bare: bool = False  # ``import a.b`` without ``as``: binds the top package ``a``


@dataclass
class _Info:
    """What one module's source says about its imports and the names its code reads."""

    toplevel_reads: set[str] = field(default_factory=set)
    functions: dict[str, set[str]] = field(default_factory=dict)
    #: (owning top-level function, or None for code run at import, the import)
    imports: list[tuple[str | None, _Import]] = field(default_factory=list)
    reads_anywhere: set[str] = field(default_factory=set)
    #: names bound at module level by assignments, ``def`` and ``class``
    assigned: set[str] = field(default_factory=set)
    exported: set[str] = field(default_factory=set)
    #: prefixes of dynamic imports that could not be read as one name ("" = anything)
    dynamic_prefixes: list[tuple[str | None, str]] = field(default_factory=list)
    #: whether code run at import changes state outside the module (a call statement such
    #: as ``jax.config.update(...)``, an item or attribute written)
    side_effects: bool = False


def _names_read(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _resolve(module: str, level: int, package: str) -> str:
    """Absolute name of ``from <level dots><module> import ...`` inside ``package``."""
    if level == 0:
        return module
    parts = package.split(".")
    base = parts[: len(parts) - (level - 1)] if level > 1 else parts
    return ".".join([*base, module] if module else base)


def _scan(node: ast.AST, package: str) -> tuple[set[str], list[_Import], list[str]]:
    """One walk over ``node``: the names it reads, its imports, and the prefixes of its
    dynamic imports that are not one literal name."""
    names: set[str] = set()
    found: list[_Import] = []
    dynamic: list[str] = []
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            names.add(n.id)
        elif isinstance(n, ast.Import):
            for alias in n.names:
                if alias.asname:
                    found.append(_Import(alias.name, None, (alias.asname,)))
                else:
                    top = alias.name.split(".")[0]
                    found.append(_Import(alias.name, None, (top,), plain_bare=True))
        elif isinstance(n, ast.ImportFrom):
            module = _resolve(n.module or "", n.level, package)
            taken = tuple(a.name for a in n.names)
            found.append(_Import(module, taken, tuple(a.asname or a.name for a in n.names)))
        elif isinstance(n, ast.Call) and n.args and _is_dynamic_import(n.func):
            arg = n.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                if arg.value.startswith("."):
                    dynamic.append("")
                else:
                    found.append(_Import(arg.value, None, ()))
            elif (
                isinstance(arg, ast.JoinedStr)
                and arg.values
                and isinstance(arg.values[0], ast.Constant)
            ):
                dynamic.append(str(arg.values[0].value))
            else:
                dynamic.append("")
    return names, found, dynamic


def _is_dynamic_import(func: ast.expr) -> bool:
    if isinstance(func, ast.Attribute):
        return func.attr == "import_module"
    return isinstance(func, ast.Name) and func.id in ("import_module", "__import__")


def _is_main_guard(stmt: ast.stmt) -> bool:
    test = stmt.test if isinstance(stmt, ast.If) else None
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and len(test.comparators) == 1
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value == "__main__"
    )


def _targets(stmt: ast.stmt) -> list[ast.expr]:
    if isinstance(stmt, ast.Assign):
        return stmt.targets
    if isinstance(stmt, ast.AnnAssign | ast.AugAssign):
        return [stmt.target]
    return []


@functools.lru_cache(maxsize=512)
def _analyse(source: bytes, package: str) -> _Info:
    tree = ast.parse(source)
    # ``if __name__ == "__main__":`` runs only when the file is a script, never on import
    tree.body = [s for s in tree.body if not _is_main_guard(s)]
    info = _Info()
    pending: list[ast.stmt] = []  # module-level statements, checked for side effects below
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            # run at import: decorators, defaults, annotations; the body only when called
            header = [*stmt.decorator_list, *stmt.args.defaults]
            header += [d for d in stmt.args.kw_defaults if d is not None]
            for h in header:
                info.toplevel_reads |= _names_read(h)
            owner: str | None = stmt.name
            reads, imports, dynamic = _scan(ast.Module(body=stmt.body, type_ignores=[]), package)
            info.functions[stmt.name] = reads
        else:
            owner = None
            reads, imports, dynamic = _scan(stmt, package)
            info.toplevel_reads |= reads
            pending.append(stmt)
            if isinstance(stmt, ast.ClassDef):
                info.assigned.add(stmt.name)
            for target in _targets(stmt):
                info.assigned |= _names_read(target)
        info.reads_anywhere |= reads
        info.imports += [(owner, imp) for imp in imports]
        info.dynamic_prefixes += [(owner, p) for p in dynamic]
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in stmt.targets
        ):
            info.exported |= {
                n.value
                for n in ast.walk(stmt.value)
                if isinstance(n, ast.Constant) and isinstance(n.value, str)
            }
    own = {
        t.id
        for stmt in tree.body
        if isinstance(stmt, ast.Assign | ast.AnnAssign) and isinstance(stmt.value, _LITERALS)
        for t in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target])
        if isinstance(t, ast.Name)
    }
    registrars = {
        bound
        for owner, imp in info.imports
        if owner is None and imp.names
        for name, bound in zip(imp.names, imp.binds, strict=True)
        if (imp.module, name) in REGISTRARS
    }
    info.side_effects = any(_changes_outside(stmt, own, registrars) for stmt in pending)
    return info


def functions(source: bytes, package: str) -> list[str]:
    """Names of the top-level functions of a module's source (a module of ``package``)."""
    return list(_analyse(source, package).functions)
