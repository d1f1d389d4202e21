"""The import graph of the project's own modules, read from their source with :mod:`ast`.

A figure's cache key hashes the modules its ``compute`` can reach, so that editing one
library module invalidates only the figures that depend on it.  Only the project's packages
(:data:`PACKAGES`) are followed; the versions of third-party libraries enter the key
separately.

Which imports are followed (over-including is harmless, missing one would serve a stale
result):

- every import statement, at module level or inside a function, including relative
  imports and ``importlib.import_module`` / ``__import__`` calls (a literal name; an
  f-string ``"pkg.{x}"`` stands for every module of ``pkg``, anything else for every
  module of the project);
- ``import a.b`` runs ``a/__init__.py`` and ``a/b.py`` and binds ``a``: both are followed
  in full; ``import a.b as x`` and ``from a.b import f`` make ``a`` a *parent* (next item);
- a package's ``__init__.py`` always runs when one of its submodules is imported, so it is
  hashed; the submodules it merely re-exports (names in ``__all__``) are followed only by
  code that reaches them through the package (``from pkg import name``, ``import pkg``);
- inside a module, the names that code run at import reads (module-level statements,
  class bodies, decorators, default values) are live, and so are the names an importer
  asks for; a top-level function that is live makes the names in its body live, and an
  import is followed when a name it binds is live.  An import whose names nothing reads
  and ``__all__`` does not list is an import for its side effect: followed in full.

A module that is merely run at import (a package's ``__init__`` imports it) is part of
the graph only when its import-time code may change state outside itself: a call statement
(``jax.config.update("jax_enable_x64", True)``, ``setup()``), a write to an item or
attribute of something it did not create, ``del``, ``global``, a foreign context manager.
Defining functions, classes and constants, filling its own tables, decorators, and the
LaTeX registrations (:data:`REGISTRARS`) do not count: a module that only does that
cannot change what another module computes unless that module reaches it.  A script's
``if __name__ == "__main__":`` block never runs on import and is ignored.  Not seen: code
reached only through ``getattr`` with a computed name, ``globals()``, or a string.

Modules: ``_scan`` (what one module's source says: its imports, the names its code reads,
its top-level functions) and ``_effects`` (whether its import-time code changes state
outside it).  The graph itself, :func:`read_source` and the module index stay here, in the
package's own namespace, where the tests patch ``read_source`` and ``ROOT``.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from figures._deps._effects import REGISTRARS  # noqa: F401  (not in __all__)
from figures._deps._scan import _analyse, _Import, _Info, functions
from figures._paths import ROOT

__all__ = [
    "ALL",
    "PACKAGES",
    "Graph",
    "all_modules",
    "closure",
    "code_digest",
    "digest",
    "drop_docstrings",
    "functions",
    "module_path",
    "read_source",
]

#: the project's packages; imports of anything else are third-party or standard library
PACKAGES = ("theory", "bayes", "training", "figures")
#: request for every name of a module (``import m``, ``from m import *``, side effects)
ALL = "*"


def read_source(path: Path) -> bytes:
    """The bytes of a source file: the one place the graph reads files (tests patch it)."""
    return path.read_bytes()


def module_path(module: str, root: Path | None = None) -> Path | None:
    """The source file of project module ``module`` (``a/b/__init__.py`` or ``a/b.py``)."""
    return _index(root or ROOT).get(module)


def all_modules(root: Path | None = None, prefix: str = "") -> list[str]:
    """Every project module whose dotted name starts with ``prefix``."""
    return sorted(m for m in _index(root or ROOT) if m.startswith(prefix))


def _index(root: Path) -> dict[str, Path]:
    """The project's modules under ``root`` (module -> file), listed afresh (about 1 ms)."""
    modules: dict[str, Path] = {}
    for pkg in PACKAGES:
        for here, subdirs, files in os.walk(root / pkg):
            subdirs[:] = sorted(d for d in subdirs if d.isidentifier())  # not __pycache__...
            parts = Path(here).relative_to(root).parts
            for f in sorted(files):
                if f.endswith(".py"):
                    stem = f[:-3]
                    name = ".".join(parts if stem == "__init__" else (*parts, stem))
                    # a package wins over a module of the same name, as in Python
                    if stem == "__init__" or name not in modules:
                        modules[name] = Path(here) / f
    return modules


class Graph:
    """The modules reached from some roots; ``skip`` names modules neither hashed nor
    followed (the figure runner and drawing code, which cannot change a computed result)."""

    def __init__(self, root: Path | None = None, skip: Iterable[str] = ()):
        self.root = root or ROOT
        self.skip = frozenset(skip)
        #: module -> the names asked of it so far (ALL for every name)
        self.requested: dict[str, set[str] | str] = {}
        #: modules run at import (a superset of ``requested``)
        self.executed: set[str] = set()
        self._todo: list[str] = []
        self._run_todo: list[str] = []
        self.modules = _index(self.root)

    def path(self, module: str) -> Path | None:
        """:func:`module_path` of ``module``."""
        return self.modules.get(module)

    def request(self, module: str, names: Iterable[str] | str = ()) -> None:
        """Ask for ``names`` of ``module`` (``ALL`` for all; empty: it only runs)."""
        if module in self.skip or self.path(module) is None:
            return
        parts = module.split(".")
        for i in range(1, len(parts)):  # enclosing packages run first
            self.request(".".join(parts[:i]))
        self._execute(module)
        old = self.requested.get(module)
        if old == ALL:
            return
        new: set[str] | str = ALL if names == ALL else set(old or ()) | set(names)
        if old is None or new != old:
            self.requested[module] = new
            self._todo.append(module)

    def _execute(self, module: str) -> None:
        """``module`` runs at import: so do the modules it imports at module level, and one
        whose import-time code changes outside state is part of the graph, reached or not."""
        if module in self.skip or module in self.executed:
            return
        if self.path(module) is None:
            return
        self.executed.add(module)
        self._run_todo.append(module)

    def _process_run(self, module: str) -> None:
        info = self._info(module)
        if info.side_effects:
            self.request(module)
        for owner, imp in info.imports:
            if owner is not None:
                continue
            parts = imp.module.split(".")
            for i in range(1, len(parts) + 1):
                self._execute(".".join(parts[:i]))
            for n in imp.names or ():
                self._execute(f"{imp.module}.{n}")

    def _info(self, module: str) -> _Info:
        path = self.path(module)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        return _analyse(read_source(path), package)

    def _is_module(self, name: str) -> bool:
        return self.path(name) is not None

    def _process(self, module: str) -> None:
        info = self._info(module)
        asked = self.requested[module]
        every = asked == ALL
        live = set(info.toplevel_reads)
        if not every:
            live |= asked
            bound = {b for _, imp in info.imports for b in imp.binds}
            bound |= set(info.functions) | info.assigned
            # ``from pkg import name`` with ``name`` neither bound nor a submodule: __getattr__
            if any(n not in bound and not self._is_module(f"{module}.{n}") for n in asked):
                live.add("__getattr__")
        # the bodies of live top-level functions, to a fixed point
        frontier = [f for f in info.functions if every or f in live]
        seen: set[str] = set()
        while frontier:
            f = frontier.pop()
            if f in seen:
                continue
            seen.add(f)
            live |= info.functions[f]
            frontier += [g for g in info.functions if g in live and g not in seen]
        for owner, imp in info.imports:
            if owner is not None:
                if every or owner in seen:
                    self._follow(imp)
                continue
            side_effect = not any(b in info.reads_anywhere or b in info.exported for b in imp.binds)
            if every or side_effect:
                self._follow(imp)
            elif imp.names is None:
                if imp.binds[0] in live:
                    self._follow(imp)
            else:
                wanted = [n for n, b in zip(imp.names, imp.binds, strict=True) if b in live]
                if wanted:
                    self._follow(imp, wanted)
        for owner, prefix in info.dynamic_prefixes:
            if every or owner is None or owner in seen:
                for m in all_modules(self.root, prefix):
                    self.request(m, ALL)

    def _follow(self, imp: _Import, names: Iterable[str] | None = None) -> None:
        """Follow ``imp`` for the names it takes (``names``: only those)."""
        if imp.names is None:  # import a.b [as x]
            self.request(imp.module, ALL)
            if imp.plain_bare:  # binds ``a``: everything reachable from it
                parts = imp.module.split(".")
                for i in range(1, len(parts)):
                    self.request(".".join(parts[:i]), ALL)
            return
        if "*" in imp.names:
            self.request(imp.module, ALL)
            return
        names = imp.names if names is None else tuple(names)
        self.request(imp.module, names)
        for n in names:  # ``from pkg import sub``: the submodule object, every name of it
            if self._is_module(f"{imp.module}.{n}"):
                self.request(f"{imp.module}.{n}", ALL)

    def run(self) -> dict[str, Path]:
        """Follow every request; return the modules reached and their files."""
        while self._todo or self._run_todo:
            while self._todo:
                self._process(self._todo.pop())
            if self._run_todo:
                self._process_run(self._run_todo.pop())
        return {m: self.path(m) for m in sorted(self.requested)}


def closure(
    roots: Mapping[str, Iterable[str] | str], *, root: Path | None = None, skip=()
) -> dict[str, Path]:
    """The project modules reached from ``roots`` (module -> names asked, or ``ALL``).

    Remembered for the process while the project's files and the sources it read are the
    same (a no-op ``make figures`` asks for the same graphs several times per figure).
    """
    key = (
        tuple((m, n if n == ALL else tuple(sorted(n))) for m, n in sorted(roots.items())),
        (root or ROOT),
        frozenset(skip),
    )
    memo = _CLOSURES.get(key)
    if (
        memo is not None
        and memo[1] == _index(key[1])
        and all(read_source(p) == source for p, source in memo[2].items())
    ):
        return dict(memo[0])
    graph = Graph(root, skip)
    for module, names in roots.items():
        graph.request(module, names)
    result = graph.run()
    # the module listing and every source read: the result holds while they are the same
    read = {graph.path(m) for m in graph.executed | set(graph.requested)}
    _CLOSURES[key] = (dict(result), graph.modules, {p: read_source(p) for p in read})
    return result


_CLOSURES: dict[tuple, tuple] = {}


def digest(
    modules: Mapping[str, Path], *, root: Path | None = None, replace: Mapping[str, bytes] = {}
) -> str:
    """SHA-256 over the modules' names and code (:func:`code_digest`; ``replace`` overrides a
    module's source)."""
    h = hashlib.sha256()
    for name in sorted(modules):
        source = replace[name] if name in replace else read_source(modules[name])
        h.update(f"{name}\0{code_digest(source)}\n".encode())
    return h.hexdigest()


@functools.lru_cache(maxsize=1024)
def code_digest(source: bytes) -> str:
    """SHA-256 of a module's code: its syntax tree without docstrings, unparsed, so that
    editing prose (comments, docstrings) or layout invalidates nothing; a source that does not
    parse is hashed as it is.  No project code reads a docstring at run time (only
    ``figures.__main__``'s ``--help``, which computes nothing).  About 0.4 s for the whole
    project's 0.9 MB once per process, then cached by the source's bytes."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return hashlib.sha256(source).hexdigest()
    drop_docstrings(tree)
    return hashlib.sha256(ast.unparse(tree).encode()).hexdigest()


def drop_docstrings(tree: ast.Module) -> None:
    """Remove the docstrings of the module and of its functions and classes, in place."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        first = node.body[0] if node.body else None
        if (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
        ):
            node.body = node.body[1:] or ([ast.Pass()] if not isinstance(node, ast.Module) else [])
