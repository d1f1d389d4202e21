"""Data for the Bayesian experiments: simulated width-scaled linear data and sklearn digits.

Nothing is downloaded: the digits ship with scikit-learn.
"""

from __future__ import annotations

import numpy as np

from theory._validate import (
    check_finite,
    check_instance,
    check_int,
    check_nonnegative,
    check_representable,
    check_seed,
)

__all__ = ["simulate_linear", "digits_split"]


def simulate_linear(
    rng: np.random.Generator,
    *,
    n_samples: int,
    width: int,
    s: float,
    width_exponent: float,
    noise_sd: float,
):
    """``X ~ N(0, I)``, ``w_j ~ N(0, s² P^(−κ))``, ``y = X w + N(0, noise_sd²)``: ``(X, y, w)``."""
    check_instance("rng", rng, np.random.Generator)
    n_samples = check_int("n_samples", n_samples, minimum=1)
    width = check_int("width", width, minimum=1)
    s = float(check_nonnegative("s", s))
    kappa = float(check_finite("width_exponent", width_exponent))
    noise_sd = float(check_nonnegative("noise_sd", noise_sd))
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        prior_sd = s * float(width) ** (-kappa / 2)
    inputs = {"s": s, "width": width, "width_exponent": width_exponent}
    check_representable(prior_sd, what="prior std", inputs=inputs, positive=s > 0)
    X = rng.standard_normal((n_samples, width))
    w = rng.normal(0.0, prior_sd, width)
    y = X @ w + noise_sd * rng.standard_normal(n_samples)
    inputs |= {"noise_sd": noise_sd}
    return X, check_representable(y, what="simulated y", inputs=inputs), w


def digits_split(n_train: int = 500, n_test: int = 500, seed: int = 0):
    """Standardized 8×8 digits: ``(X_train, y_train, X_test, y_test)``, fixed shuffled split.

    Pixels are scaled by the training set's overall mean and standard deviation (constant
    pixels would make per-column scaling divide by zero).
    """
    from sklearn.datasets import load_digits

    from bayes.models import check_positive_int

    check_positive_int("n_train", n_train)
    check_positive_int("n_test", n_test)
    check_seed("seed", seed)
    X, y = load_digits(return_X_y=True)
    if n_train + n_test > len(y):
        raise ValueError(f"n_train + n_test must be at most {len(y)}, got {n_train + n_test}")
    order = np.random.default_rng(seed).permutation(len(y))
    tr, te = order[:n_train], order[n_train : n_train + n_test]
    mu, sd = X[tr].mean(), X[tr].std()
    return (X[tr] - mu) / sd, y[tr].astype(np.int64), (X[te] - mu) / sd, y[te].astype(np.int64)
