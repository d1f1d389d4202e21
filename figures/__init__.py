"""The paper's figures: one module per figure, a registry, a cache, and ``python -m figures``.

Depends on :mod:`theory` and :mod:`bayes`; nothing in the library imports it (DESIGN §4).
"""

from figures._registry import FIGURES, compute_cached, config_for, get, run

__all__ = ["FIGURES", "compute_cached", "config_for", "get", "run"]
