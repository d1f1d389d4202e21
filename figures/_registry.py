"""The registered figures, in paper order, and the runner that computes, caches and plots one.

A figure module defines

- ``CONFIG``: a dict of keyword arguments for ``compute`` (sizes, seeds);
- ``QUICK``: overrides of ``CONFIG`` for a small, fast run (``--quick``);
- ``compute(**config) -> dict[str, array]``: pure numerics, cached on disk;
- ``plot(result) -> matplotlib.figure.Figure``: drawing only, no numerics;
- optionally ``macros(result) -> dict[str, str]``: numbers quoted by the paper,
  written to ``paper/generated/<name>.tex``;
- optionally ``DEPENDS``: names of figures whose cached results ``compute`` reads (their
  code is part of this figure's cache key).

``CONFIG``, ``QUICK`` and ``DEPENDS`` are read from the module's source when they are plain
literals (they are, for every figure: ``tests/test_figures.py`` checks it against the
imported module), so that deciding whether a figure is current imports neither the figure
nor the library behind it.

A drawing is keyed by the result's cache key and the drawing code (``plot``, ``macros``,
the project modules they reach, :mod:`figures._style`, this file, the matplotlib version).
The key and the SHA-256 of each output (PDF, PNG, ``paper/generated/<name>.tex``) are
stored next to them in ``<name>.stamp.json``; when the key matches and every output is
intact, nothing is loaded, computed or drawn.  Otherwise the old outputs are removed
before anything else, so a stale drawing never survives a failed run.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib
import json
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

from figures import _cache, _deps
from figures._paths import FIGURE_DIR, GENERATED_DIR, QUICK_FIGURE_DIR

__all__ = ["FIGURES", "get", "config_for", "dependencies", "compute_cached", "is_current", "run"]

#: every figure of the paper, in paper order (DESIGN §5); each is the module ``figures.<name>``
PAPER_ORDER: tuple[str, ...] = (
    "prior_equivalence",
    "linear_risk",
    "linear_lambda_star",
    "rf_risk",
    "rf_lambda_star",
    "rf_double_descent",
    "ce_risk",
    "bayes_widths",
    "bayes_kappa",
    "bayes_classification",
    "bayes_fixed_task",
    "diagnostics",
    "training_transfer",
    "network_exponents",
    "adamw_rules",
    "data_size",
    "norm_layers",
    "penalty_view",
    "gradient_view",
    "summary",
)
#: the registered figures: those of PAPER_ORDER whose module exists (no need to edit this file
#: when adding a figure module)
FIGURES: tuple[str, ...] = tuple(
    name for name in PAPER_ORDER if (Path(__file__).parent / f"{name}.py").exists()
)


def get(name: str) -> ModuleType:
    """The module of figure ``name``."""
    if name not in FIGURES:
        raise ValueError(f"name must be one of {list(FIGURES)}, got {name!r}")
    return importlib.import_module(f"figures.{name}")


#: builtins a literal ``CONFIG`` may call (``[2**k for k in range(4, 15)]``)
_LITERAL_BUILTINS = {
    f.__name__: f for f in (range, len, min, max, sum, abs, round, int, float, list, tuple, dict)
}
_DEFAULTS = {"QUICK": {}, "DEPENDS": ()}


_WATCHED = ("CONFIG", "QUICK", "DEPENDS", "macros")
#: names that let a module bind names invisibly; a module using one is imported instead
_DYNAMIC = frozenset({"globals", "vars", "setattr", "exec"})
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@functools.lru_cache(maxsize=64)
def _literals(source: bytes) -> dict:
    """What a figure module's source fixes without running it: for ``CONFIG``, ``QUICK`` and
    ``DEPENDS`` bound once to a literal and never changed, the compiled literal (or the
    default when unbound); for ``macros``, whether it is a function.  Anything else is
    left out, and is read from the imported module.

    Changed means: bound again (or by an import), deleted, written to (``CONFIG["a"] =``),
    touched through an attribute (``CONFIG.update``), named in a ``global`` statement, or
    passed as an argument by code run at import (inside a function it is fine: ``compute``
    gets a copy).
    """
    tree = ast.parse(source)
    uses: dict[str, list] = {n: [] for n in _WATCHED}  # (Name node, parent, top statement)
    binds: dict[str, list] = {n: [] for n in _WATCHED}
    changed: set[str] = set()
    for top in tree.body:
        if isinstance(top, _DEFINITIONS) and top.name in binds:
            binds[top.name].append(top)
        stack = [(top, tree)]
        while stack:
            node, parent = stack.pop()
            if isinstance(node, ast.Name):
                if node.id in _DYNAMIC:
                    return {}
                if node.id in uses:
                    uses[node.id].append((node, parent, top))
            elif isinstance(node, ast.Import | ast.ImportFrom):
                if any(a.name == "*" for a in node.names):
                    return {}
                changed |= {a.asname or a.name.split(".")[0] for a in node.names} & set(uses)
            elif isinstance(node, ast.Global):
                changed |= set(node.names) & set(uses)
            elif isinstance(node, _DEFINITIONS) and node is not top and node.name in uses:
                changed.add(node.name)
            stack += [(child, node) for child in ast.iter_child_nodes(node)]
    out: dict = {}
    for name in _WATCHED:
        stores = [(n, t) for n, _, t in uses[name] if not isinstance(n.ctx, ast.Load)]
        tops = binds[name] + [t for _, t in stores if t not in binds[name]]
        if name in changed or len(tops) > 1:
            continue
        if not tops:
            out[name] = False if name == "macros" else _DEFAULTS.get(name)
            continue
        (stmt,) = tops
        if name == "macros":
            if isinstance(stmt, ast.FunctionDef) and not stores:
                out[name] = True
            continue
        if not (
            isinstance(stmt, ast.Assign | ast.AnnAssign)
            and stmt.value is not None
            and (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target])
            == [n for n, _ in stores]  # one target, the name itself
        ):
            continue
        if not any(_changes(node, parent, top) for node, parent, top in uses[name]):
            out[name] = compile(ast.Expression(stmt.value), f"<{name}>", "eval")
    return {k: v for k, v in out.items() if v is not None}


def _changes(node: ast.Name, parent: ast.AST, top: ast.stmt) -> bool:
    """Whether this read of a literal may change it (see :func:`_literals`)."""
    if not isinstance(node.ctx, ast.Load):
        return False  # the binding itself (any other binding is counted by the caller)
    if isinstance(parent, ast.Attribute):
        return True
    if isinstance(parent, ast.Subscript) and not isinstance(parent.ctx, ast.Load):
        return True
    inside_function = isinstance(top, ast.FunctionDef | ast.AsyncFunctionDef)
    return not inside_function and isinstance(parent, ast.Call | ast.keyword | ast.Starred)


def _attribute(name: str, attr: str):
    """``CONFIG``, ``QUICK`` or ``DEPENDS`` of figure ``name`` (a fresh copy), or whether it
    has ``macros``: from its source when that fixes it, else from the imported module."""
    if name not in FIGURES:
        raise ValueError(f"name must be one of {list(FIGURES)}, got {name!r}")
    literal = _literals(_deps.read_source(Path(__file__).parent / f"{name}.py")).get(attr)
    if literal is not None:
        if not hasattr(literal, "co_code"):
            return literal if isinstance(literal, bool) else type(literal)(literal)
        try:
            return eval(literal, {"__builtins__": _LITERAL_BUILTINS})
        except Exception:  # a name defined elsewhere: the module knows it
            pass
    module = get(name)
    if attr == "macros":
        return callable(getattr(module, "macros", None))
    return getattr(module, attr, _DEFAULTS.get(attr))


def config_for(name: str, quick: bool = False) -> dict:
    """``CONFIG`` of figure ``name``, with its ``QUICK`` overrides if ``quick``."""
    config = dict(_attribute(name, "CONFIG"))
    if quick:
        config.update(_attribute(name, "QUICK"))
    return config


def dependencies(name: str) -> tuple[str, ...]:
    """The figures whose cached results figure ``name``'s ``compute`` reads (``DEPENDS``)."""
    return tuple(_attribute(name, "DEPENDS"))


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB.

    On Linux the kernel's high-water mark of this program (``VmHWM``, /proc/self/status),
    not ``ru_maxrss``: a process started by fork and exec keeps in ``ru_maxrss`` its parent's
    resident set at the fork (measured: 2075 MB for a child of a 2 GB parent whose own peak
    was 13 MB), so a benchmark's child reported the benchmark's memory.  Elsewhere
    ``ru_maxrss`` (bytes on macOS).
    """
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        status = ""
    if m := re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE):
        return int(m[1]) / 2**10
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (2**20 if sys.platform == "darwin" else 2**10)


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _digest(name: str) -> str:
    """Code version of figure ``name`` including the figures it summarizes (``DEPENDS``)."""
    deps = dependencies(name)
    return "+".join(_cache.code_version(n) for n in (name, *deps))


def _key(name: str, config: dict) -> str:
    return _cache.key_for(name, config, version_digest=_digest(name))


def compute_cached(
    name: str, config: dict, *, force: bool = False, log: Callable[[str], None] = _log
) -> tuple[dict, bool]:
    """``(result, cache_hit)`` for figure ``name`` at ``config``."""
    key = _key(name, config)
    if not force:
        result = _cache.load(name, key)
        if result is not None:
            return result, True
    module = get(name)
    t0 = time.perf_counter()
    result = module.compute(**config)
    log(f"  computed in {time.perf_counter() - t0:.1f} s (peak RSS so far {peak_rss_mb():.0f} MB)")
    _cache.save(name, key, result)
    # reload so plotting sees exactly what a cache hit would give
    return _cache.load(name, key), False


def drawing_key(name: str, result_key: str, quick: bool) -> str:
    """Key of figure ``name``'s outputs: the result's key, ``quick`` (no macros), and the
    drawing code: ``plot`` and ``macros`` with the project modules they reach,
    :mod:`figures._style`, this file (it writes the outputs) and matplotlib's version."""
    modules = _deps.closure(
        {f"figures.{name}": _cache.DRAWING, "figures._style": _deps.ALL, __name__: ()},
        skip=("figures.__main__",),
    )
    h = hashlib.sha256(f"{result_key}\0quick={quick}\0".encode())
    h.update(_deps.digest(modules).encode())
    h.update(f"matplotlib={_cache.library_version('matplotlib')}".encode())
    return h.hexdigest()[:32]


def outputs_current(stamp: Path, key: str, outputs: Sequence[Path]) -> bool:
    """Whether ``stamp`` records ``key`` and exactly ``outputs``, each unchanged since."""
    try:
        recorded = json.loads(stamp.read_text())
        files = {
            (stamp.parent / rel).resolve(): digest for rel, digest in recorded["files"].items()
        }
        if recorded["key"] != key or set(files) != {Path(p).resolve() for p in outputs}:
            return False
        return all(hashlib.sha256(p.read_bytes()).hexdigest() == d for p, d in files.items())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def write_stamp(stamp: Path, key: str, outputs: Sequence[Path]) -> Path:
    """Record ``key`` and the SHA-256 of each of ``outputs`` in ``stamp`` (atomically)."""
    from theory.files import atomic_write_text

    files = {
        os.path.relpath(Path(p).resolve(), stamp.parent.resolve()): hashlib.sha256(
            Path(p).read_bytes()
        ).hexdigest()
        for p in outputs
    }
    return atomic_write_text(stamp, json.dumps({"key": key, "files": files}, indent=1) + "\n")


def discard_outputs(stamp: Path, outputs: Sequence[Path]) -> None:
    """Remove ``stamp`` and ``outputs``: what is about to be redrawn is stale."""
    for path in (stamp, *outputs):
        Path(path).unlink(missing_ok=True)


def _outputs(name: str, quick: bool, out_dir: Path | None) -> tuple[Path, str, list[Path]]:
    """``(stamp, drawing key, output paths)`` of figure ``name``; imports nothing heavy."""
    out = Path(out_dir) if out_dir is not None else (QUICK_FIGURE_DIR if quick else FIGURE_DIR)
    key = drawing_key(name, _key(name, config_for(name, quick)), quick)
    paths = [out / f"{name}.pdf", out / f"{name}.png"]
    if not quick and _attribute(name, "macros"):
        paths.append(GENERATED_DIR / f"{name}.tex")
    return out / f"{name}.stamp.json", key, paths


def is_current(name: str, *, quick: bool = False, out_dir: Path | None = None) -> bool:
    """Whether figure ``name``'s outputs are those its current code and result would give."""
    return outputs_current(*_outputs(name, quick, out_dir))


def run(
    name: str,
    *,
    quick: bool = False,
    force: bool = False,
    out_dir: Path | None = None,
    log: Callable[[str], None] = _log,
) -> list[Path]:
    """Compute (or load), plot and save figure ``name``; return the written paths.

    Nothing is loaded, computed or drawn when the outputs are current (unless ``force``).
    """
    t0 = time.perf_counter()
    stamp, drawing, outputs = _outputs(name, quick, out_dir)
    if not force and outputs_current(stamp, drawing, outputs):
        log(f"  up to date ({time.perf_counter() - t0:.2f} s)")
        return outputs
    discard_outputs(stamp, outputs)  # stale drawings are never kept, even if this run fails
    from figures._style import save, style

    module = get(name)
    config = config_for(name, quick)
    result, hit = compute_cached(name, config, force=force, log=log)
    log(f"  {'cache hit' if hit else 'cache miss'}")

    def draw(result):
        with style():
            fig = module.plot(result)
        return fig, module.macros(result) if hasattr(module, "macros") and not quick else None

    try:
        fig, macros = draw(result)
    except KeyError as exc:
        if not hit:
            raise
        # a cached result that lacks what the drawing needs is corrupt: discard, recompute once
        _cache.discard(_cache._path(name, _key(name, config), None), f"missing key {exc}")
        result, _ = compute_cached(name, config, force=True, log=log)
        fig, macros = draw(result)
    paths = save(fig, stamp.parent, name)
    if macros is not None:
        from theory.files import atomic_write_text

        lines = [f"% Generated by figures.{name} -- do not edit by hand."]
        lines += [f"\\newcommand{{\\{k}}}{{{v}}}" for k, v in macros.items()]
        path = GENERATED_DIR / f"{name}.tex"
        atomic_write_text(path, "\n".join(lines) + "\n")
        paths.append(path)
    write_stamp(stamp, drawing, paths)
    log(f"  wrote {', '.join(str(p) for p in paths)} ({time.perf_counter() - t0:.1f} s)")
    return paths
