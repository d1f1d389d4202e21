"""One-off measurements behind README statements (issue 17); run each as a module."""

from __future__ import annotations


def figure_training_set(width: int, parametrization: str):
    """``(white, y_train)``: ``bayes_classification``'s training set at ``width`` (its data,
    features and seed), whitened for ``parametrization`` (:func:`bayes.whitened.whiten`).
    Call it after :func:`bayes.setup`."""
    import numpy as np

    from bayes import whitened
    from bayes.data import digits_split
    from figures.bayes_classification import CONFIG, _features

    n = CONFIG["n_train"]
    X_tr, y_tr, X_te, _ = digits_split(n, CONFIG["n_test"], seed=CONFIG["seed"])
    phi = _features(np.vstack([X_tr, X_te]), width, CONFIG["seed"] + width)[:n]
    return whitened.whiten(phi, n_classes=10, parametrization=parametrization), y_tr
