"""On-disk cache of figure computations, keyed by CONFIG and code version.

A result is a flat ``dict[str, array-like]``.  It is stored as an ``.npz``
payload (no pickle) behind a header holding the SHA-256 of the payload, and
written through a temporary file and ``os.replace``, so a reader sees either
the old file or the complete new one.  A file whose digest does not match (a
truncated or corrupted write) is reported and recomputed, never loaded.

The key hashes the figure's name, its configuration, the source of every
library package (``theory``, ``bayes``, ``training``), the figure module's
source minus its drawing functions, and the versions of the numeric
libraries: editing any of them invalidates the cache; editing ``plot`` does not.
"""

from __future__ import annotations

import ast
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

from figures._paths import ROOT, cache_dir
from theory._io import atomic_write_bytes

__all__ = ["CacheError", "code_version", "key_for", "load", "save"]

MAGIC = b"L2SCALE-CACHE-1\n"
_PACKAGES = ("theory", "bayes", "training")
_LIBRARIES = ("numpy", "scipy", "jax", "jaxlib", "numpyro", "sympy")
#: private modules of ``figures`` that cannot change a computed result (drawing, paths,
#: the registry); every other ``figures/_*.py`` (e.g. ``_bayes.py``) may, so it is hashed
_NOT_COMPUTE = ("_style.py", "_paths.py", "_registry.py", "__main__.py")


class CacheError(Exception):
    """A cache file exists but cannot be trusted."""


def _compute_source(path: Path) -> str:
    """Source of a figure module without its drawing functions (``plot``, ``macros``).

    They only read the cached result, so editing them must not invalidate it.
    """
    tree = ast.parse(path.read_text())
    tree.body = [
        node
        for node in tree.body
        if not (isinstance(node, ast.FunctionDef) and node.name in ("plot", "macros"))
    ]
    return ast.unparse(tree)


def code_version(name: str | None = None) -> str:
    """SHA-256 over the library sources, figure ``name``'s compute code and library versions.

    Library: every module of ``theory``, ``bayes``, ``training``, and the shared private
    modules of ``figures`` (``_cache.py`` itself, helpers such as ``_bayes.py``) except the
    drawing-only ones in ``_NOT_COMPUTE``.
    """
    h = hashlib.sha256()
    paths = [p for pkg in _PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))]
    shared = [p for p in sorted((ROOT / "figures").glob("_*.py")) if p.name not in _NOT_COMPUTE]
    for path in paths + shared:
        h.update(str(path.relative_to(ROOT)).encode())
        h.update(path.read_bytes())
    if name is not None:
        h.update(_compute_source(ROOT / "figures" / f"{name}.py").encode())
    for lib in _LIBRARIES:
        try:
            h.update(f"{lib}={version(lib)}".encode())
        except PackageNotFoundError:
            h.update(f"{lib}=absent".encode())
    return h.hexdigest()


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
