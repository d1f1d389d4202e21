"""The registry of named results that the paper prints as LaTeX macros.

A derivation registers a result with :func:`register`; the paper side
(:mod:`theory.latex`) lists the derivation modules it prints, renders and writes them.
This module imports nothing of the project, so a derivation can register without
importing the writer (which imports every derivation).  Macro names are letters only
(a TeX requirement).
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["register"]

#: macro name -> (zero-argument function returning a SymPy object or a str, description)
REGISTRY: dict[str, tuple[Callable[[], object], str]] = {}
_NAME = re.compile(r"^[A-Za-z]+$")


def register(name: str, description: str) -> Callable[[Callable[[], object]], Callable[[], object]]:
    """Register a zero-argument function returning a SymPy object (or a str) as macro ``\\name``."""
    if not _NAME.match(name):
        raise ValueError(f"name must be letters only (a TeX macro name), got {name!r}")

    def decorator(fn: Callable[[], object]) -> Callable[[], object]:
        # the same result registered again (a module re-executed as ``python -m``) is fine;
        # a different result under a taken name is not
        if name in REGISTRY and REGISTRY[name][1] != description:
            raise ValueError(f"name {name!r} is already registered")
        REGISTRY[name] = (fn, description)
        return fn

    return decorator
