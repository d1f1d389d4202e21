"""One name per quantity: the public API's keywords against :mod:`theory.glossary`."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from functools import cache

import pytest

from theory.glossary import GLOSSARY, RETIRED

PACKAGES = ("theory", "bayes", "training")


@cache
def _parameters() -> dict[str, set[str]]:
    """keyword -> the public functions (``__all__`` of the packages and public modules) that
    take it."""
    out: dict[str, set[str]] = {}
    for name in PACKAGES:
        pkg = importlib.import_module(name)
        mods = [pkg] + [
            importlib.import_module(info.name)
            for info in pkgutil.walk_packages(pkg.__path__, f"{name}.")
            if not info.name.rsplit(".", 1)[-1].startswith("_")
        ]
        for mod in mods:
            for attr in getattr(mod, "__all__", ()):
                obj = getattr(mod, attr)
                if not callable(obj) or inspect.ismodule(obj):
                    continue
                try:
                    params = inspect.signature(obj).parameters
                except (TypeError, ValueError):
                    continue
                for p in params:
                    out.setdefault(p, set()).add(f"{mod.__name__}.{attr}")
    return out


def test_no_public_function_takes_a_retired_name():
    params = _parameters()
    used = {name: sorted(params[name]) for name in RETIRED if name in params}
    assert not used, {f"{k} (use {RETIRED[k]})": v for k, v in used.items()}


@pytest.mark.parametrize("keyword", sorted(GLOSSARY))
def test_every_glossary_keyword_is_a_public_parameter(keyword):
    assert keyword in _parameters(), f"{keyword} is in the glossary but no public function takes it"


def test_the_check_reads_the_api():
    """The walk finds the keywords it must (it could pass on an empty walk)."""
    params = _parameters()
    assert len(params) > 200
    assert "bayes.models.implied_lambda" in params["prior_exponent"]
    assert "theory.linear.bayes_optimal_lambda" in params["prior_exponent"]
