"""On-disk cache of figure computations, keyed by CONFIG and code version.

A result is a flat ``dict[str, array-like]``.  It is stored as an ``.npz``
payload (no pickle) behind a header holding the SHA-256 of the payload, and
written through a temporary file and ``os.replace``, so a reader sees either
the old file or the complete new one.  A file whose digest does not match (a
truncated or corrupted write) is reported and recomputed, never loaded.

The key hashes the figure's name, its configuration, the code of every project module
that the figure's ``compute`` can reach (its import graph, :mod:`figures._deps`), the figure
module's code minus its drawing functions, this file (the storage format), and the versions
of the numeric libraries: editing the code of a module that ``compute`` reaches invalidates
the cache; editing ``plot``, a library module it does not reach, or only the comments,
docstrings or layout of a module (:func:`figures._deps.code_digest`) does not.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import io
import json
import shutil
import sys
import zipfile
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

from figures import _deps
from figures._paths import ROOT, cache_dir

__all__ = ["CacheError", "code_version", "compute_modules", "key_for", "load", "save"]

MAGIC = b"L2SCALE-CACHE-1\n"
_LIBRARIES = ("numpy", "scipy", "jax", "jaxlib", "numpyro", "sympy")
#: modules of ``figures`` that run, draw or locate the computations but cannot change a
#: computed result: neither hashed nor followed in a figure's import graph
NOT_COMPUTE = ("figures._registry", "figures._style", "figures._paths", "figures.__main__")
#: the drawing functions of a figure module (they only read the cached result)
DRAWING = ("plot", "macros")


class CacheError(Exception):
    """A cache file exists but cannot be trusted."""


def _compute_source(path: Path) -> str:
    """Source of a figure module without its drawing functions (``plot``, ``macros``).

    They only read the cached result, so editing them must not invalidate it.
    """
    return _without_drawing(_deps.read_source(path))


def _defined(node: ast.stmt) -> set[str]:
    """The module-level names a top-level definition or plain assignment binds."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
    if isinstance(node, ast.Assign | ast.AnnAssign) and all(
        isinstance(t, ast.Name) for t in targets
    ):
        return {t.id for t in targets}
    return set()


@functools.lru_cache(maxsize=64)
def _without_drawing(source: bytes) -> str:
    """The module without its drawing functions, without the private definitions (label
    tables, drawing helpers: ``_NAME``) that only they use, so relabelling a legend does not
    recompute the figure, and without docstrings.  A private name that compute code or a kept
    definition reads stays.
    """
    tree = ast.parse(source)
    body = [
        node
        for node in tree.body
        if not (isinstance(node, ast.FunctionDef) and node.name in DRAWING)
    ]
    while True:  # drop private definitions nothing kept reads, until none is left to drop
        read: list[set[str]] = [
            {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} for node in body
        ]
        keep = []
        for i, node in enumerate(body):
            names = _defined(node)
            used = set().union(*(r for j, r in enumerate(read) if j != i))
            if names and all(n.startswith("_") and n not in used for n in names):
                continue
            keep.append(node)
        if len(keep) == len(body):
            break
        body = keep
    tree.body = body
    _deps.drop_docstrings(tree)
    return ast.unparse(tree)


def compute_modules(name: str, root: Path | None = None) -> dict[str, Path]:
    """The project modules that figure ``name``'s ``compute`` can reach (module -> file):
    its own module, asked for every function but the drawing ones, and what that reaches
    (:func:`figures._deps.closure`; the runner modules ``NOT_COMPUTE`` are left out)."""
    root = root or ROOT
    functions = _deps.functions(_deps.read_source(root / "figures" / f"{name}.py"), "figures")
    return _deps.closure(
        {f"figures.{name}": [f for f in functions if f not in DRAWING]}, root=root, skip=NOT_COMPUTE
    )


def code_version(name: str | None = None) -> str:
    """SHA-256 over figure ``name``'s compute code, the project modules it reaches, this file
    and the library versions; for ``name=None``, over every module of the project.
    """
    h = hashlib.sha256()
    if name is None:
        names = [m for m in _deps.all_modules(ROOT) if m not in NOT_COMPUTE]
        modules = {m: _deps.module_path(m, ROOT) for m in names}
        h.update(_deps.digest(modules).encode())
    else:
        modules = compute_modules(name, ROOT)
        own = _compute_source(ROOT / "figures" / f"{name}.py").encode()
        h.update(_deps.digest(modules, replace={f"figures.{name}": own}).encode())
    h.update(_deps.code_digest(_deps.read_source(Path(__file__))).encode())
    for lib in _LIBRARIES:
        h.update(f"{lib}={library_version(lib)}".encode())
    return h.hexdigest()


@functools.cache
def library_version(lib: str) -> str:
    """Installed version of ``lib`` (``"absent"`` if it is not), read once per process."""
    try:
        return version(lib)
    except PackageNotFoundError:
        return "absent"


def _jsonable(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def key_for(name: str, config: Mapping, version_digest: str | None = None) -> str:
    """Cache key for figure ``name`` computed with ``config``."""
    payload = json.dumps(
        {
            "name": name,
            "config": _jsonable(dict(config)),
            "code": version_digest
            or code_version(name if (ROOT / "figures" / f"{name}.py").exists() else None),
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def _path(name: str, key: str, directory: Path | None) -> Path:
    return (directory or cache_dir()) / f"{name}-{key}.npz"


def save(name: str, key: str, result: Mapping, directory: Path | None = None) -> Path:
    """Write ``result`` atomically; return its path."""
    buf = io.BytesIO()
    np.savez(buf, **{k: np.asarray(v) for k, v in result.items()})
    payload = buf.getvalue()
    digest = hashlib.sha256(payload).hexdigest().encode()
    from theory.files import atomic_write_bytes  # (imports the theory package: only on a write)

    return atomic_write_bytes(_path(name, key, directory), MAGIC + digest + b"\n" + payload)


def _read(path: Path) -> dict[str, np.ndarray]:
    raw = path.read_bytes()
    head = len(MAGIC) + 65
    if not raw.startswith(MAGIC) or len(raw) < head or raw[head - 1 : head] != b"\n":
        raise CacheError(f"{path}: bad header")
    digest, payload = raw[len(MAGIC) : head - 1], raw[head:]
    if hashlib.sha256(payload).hexdigest().encode() != digest:
        raise CacheError(f"{path}: checksum mismatch (truncated or corrupted)")
    with np.load(io.BytesIO(payload), allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def load(name: str, key: str, directory: Path | None = None) -> dict[str, np.ndarray] | None:
    """The cached result, or ``None`` if absent or untrustworthy (then the file is removed)."""
    path = _path(name, key, directory)
    if not path.exists():
        return None
    try:
        return _read(path)
    except (CacheError, OSError, ValueError, zipfile.BadZipFile) as exc:
        discard(path, exc)
        return None


def discard(path: Path, why) -> None:
    """Remove an untrustworthy cache entry (a file, or a directory in its place) with a notice."""
    print(f"cache: discarding {path.name}: {why}", file=sys.stderr)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
