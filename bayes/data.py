"""Data for the Bayesian experiments: simulated width-scaled linear data, a fixed teacher on
the sphere, and sklearn's digits and diabetes.

Nothing is downloaded: digits and diabetes ship with scikit-learn.
"""

from __future__ import annotations

import numpy as np

from theory.checks import (
    check_finite,
    check_instance,
    check_int,
    check_nonnegative,
    check_representable,
    check_seed,
)

__all__ = ["simulate_linear", "digits_split", "sphere_teacher", "diabetes_split"]


def simulate_linear(
    rng: np.random.Generator,
    *,
    n_samples: int,
    width: int,
    s: float,
    prior_exponent: float,
    noise_sd: float,
):
    """``X ~ N(0, I)``, ``w_j ~ N(0, s² P^(−κ))``, ``y = X w + N(0, noise_sd²)``: ``(X, y, w)``."""
    check_instance("rng", rng, np.random.Generator)
    n_samples = check_int("n_samples", n_samples, minimum=1)
    width = check_int("width", width, minimum=1)
    s = float(check_nonnegative("s", s))
    kappa = float(check_finite("prior_exponent", prior_exponent))
    noise_sd = float(check_nonnegative("noise_sd", noise_sd))
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        prior_sd = s * float(width) ** (-kappa / 2)
    inputs = {"s": s, "width": width, "prior_exponent": prior_exponent}
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


_TEACHER_STREAM = 0x7EAC4E5  # first key of the teacher's random streams


def sphere_teacher(
    n_samples: int, *, input_dim: int, signal_var: float = 1.0, noise_var: float = 0.25, seed: int
):
    """A fixed linear teacher in the Mei–Montanari setting of :mod:`theory.random_features`:
    ``(X, y, f)`` with ``x_i`` uniform on the sphere of radius ``√d``, ``f = <β, x>``,
    ``‖β‖² = signal_var`` (β from ``seed`` alone, so every call with the same ``seed`` and
    ``input_dim`` has the same teacher) and ``y = f + N(0, noise_var)``.  Inputs and noise are
    drawn from ``seed`` too: draw the training and test points in one call and split them.
    The streams are keyed apart from :func:`bayes.collapsed.relu_feature_blocks`' ``(seed, b)``,
    so features of the same seed are not aligned with β.
    """
    from bayes.models import check_positive_int

    check_positive_int("n_samples", n_samples)
    d = check_int("input_dim", input_dim, minimum=2)
    check_seed("seed", seed)
    f1 = float(check_nonnegative("signal_var", signal_var))
    t2 = float(check_nonnegative("noise_var", noise_var))
    beta = np.random.default_rng([_TEACHER_STREAM, seed]).standard_normal(d)
    beta *= np.sqrt(f1) / np.linalg.norm(beta)
    rng = np.random.default_rng([_TEACHER_STREAM, seed, 1])
    X = rng.standard_normal((n_samples, d))
    X *= np.sqrt(d) / np.linalg.norm(X, axis=1, keepdims=True)
    f = X @ beta
    return X, f + np.sqrt(t2) * rng.standard_normal(n_samples), f


def diabetes_split(n_train: int = 300, seed: int = 0):
    """sklearn's diabetes regression (442 patients, 10 inputs): ``(X_train, y_train, X_test,
    y_test)``, a fixed shuffled split; the rest of the 442 is the test set.  Columns are
    standardized and the target centred and scaled by the training set's statistics."""
    from sklearn.datasets import load_diabetes

    from bayes.models import check_positive_int

    check_positive_int("n_train", n_train)
    check_seed("seed", seed)
    X, y = load_diabetes(return_X_y=True)
    if not n_train < len(y):
        raise ValueError(f"n_train must be below {len(y)} (a test set must remain), got {n_train}")
    order = np.random.default_rng(seed).permutation(len(y))
    tr, te = order[:n_train], order[n_train:]
    mu, sd = X[tr].mean(0), X[tr].std(0)
    y_mu, y_sd = y[tr].mean(), y[tr].std()
    return (X[tr] - mu) / sd, (y[tr] - y_mu) / y_sd, (X[te] - mu) / sd, (y[te] - y_mu) / y_sd
