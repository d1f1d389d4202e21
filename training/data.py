"""Classification data: scikit-learn's digits (real, ships offline) and a synthetic teacher.

Both return a :class:`Dataset` of float inputs and integer labels; inputs are
standardized with the *training* mean and standard deviation.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["Dataset", "digits", "teacher", "load"]


class Dataset(NamedTuple):
    """A fixed train/test split; ``x_*`` (n, d) float64, ``y_*`` (n,) int32 in ``[0, n_classes)``."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    n_classes: int

    @property
    def input_dim(self) -> int:
        return self.x_train.shape[1]


def _standardize(x_train: np.ndarray, x_test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)  # constant pixels (always 0 in digits) stay 0
    return (x_train - mean) / std, (x_test - mean) / std


def digits(*, n_train: int = 200, split_seed: int = 0) -> Dataset:
    """``sklearn.datasets.load_digits`` (1797 8×8 images, 10 classes), stratified split.

    ``n_train`` images (stratified by class, ``random_state=split_seed``) train, the
    rest test.  Pixels are standardized with the training statistics.

    >>> data = digits(n_train=200)
    >>> data.x_train.shape, data.x_test.shape, data.n_classes
    ((200, 64), (1597, 64), 10)
    >>> bool(np.allclose(data.x_train.mean(axis=0), 0.0))
    True
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    x, y = load_digits(return_X_y=True)
    x_tr, x_te, y_tr, y_te = train_test_split(
        x, y, train_size=n_train, stratify=y, random_state=split_seed
    )
    x_tr, x_te = _standardize(x_tr.astype(np.float64), x_te.astype(np.float64))
    return Dataset(x_tr, y_tr.astype(np.int32), x_te, y_te.astype(np.int32), 10)


def teacher(
    *,
    n_train: int = 200,
    n_test: int = 2000,
    input_dim: int = 16,
    n_classes: int = 4,
    teacher_width: int = 8,
    temperature: float = 0.5,
    seed: int = 0,
) -> Dataset:
    """Labels drawn from ``softmax(t(x) / temperature)`` of a random one-hidden-layer ReLU teacher.

    ``x ~ N(0, I_d)``; ``t(x) = V relu(U x / sqrt(d)) / sqrt(teacher_width)`` with
    standard normal ``U`` (teacher_width, d) and ``V`` (n_classes, teacher_width).  Labels
    are *sampled* (not the argmax), so the Bayes error is positive and the
    cross-entropy has an interior optimal λ.

    >>> data = teacher(n_train=50, n_test=100)
    >>> data.x_train.shape, data.n_classes, sorted(set(data.y_train.tolist())) == [0, 1, 2, 3]
    ((50, 16), 4, True)
    """
    rng = np.random.default_rng(seed)
    u = rng.standard_normal((teacher_width, input_dim))
    v = rng.standard_normal((n_classes, teacher_width))
    x = rng.standard_normal((n_train + n_test, input_dim))
    logits = np.maximum(x @ u.T / np.sqrt(input_dim), 0.0) @ v.T / np.sqrt(teacher_width)
    z = logits / temperature
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    y = (rng.random((len(x), 1)) > np.cumsum(p, axis=1)).sum(axis=1)
    y = np.minimum(y, n_classes - 1).astype(np.int32)  # guard against cumsum rounding
    x_tr, x_te = _standardize(x[:n_train], x[n_train:])
    return Dataset(x_tr, y[:n_train], x_te, y[n_train:], n_classes)


def load(name: str, **kwargs) -> Dataset:
    """``digits`` or ``teacher`` by name."""
    if name == "digits":
        return digits(**kwargs)
    if name == "teacher":
        return teacher(**kwargs)
    raise ValueError(f"name must be one of ('digits', 'teacher'), got {name!r}")
