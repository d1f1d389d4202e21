"""Classification data: scikit-learn's digits, MNIST-1D (both offline) and a synthetic teacher.

Each returns a :class:`Dataset` of float inputs and integer labels; inputs are
standardized with the *training* mean and standard deviation.  MNIST-1D (Greydanus 2020)
is *generated* locally by ``mnist1d.data.make_dataset`` (never its download path) and
cached in ``.cache/mnist1d/`` (atomic write, keyed by the generator's arguments).
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path
from typing import NamedTuple

import numpy as np

from theory.checks import (
    as_float_array,
    check_choice,
    check_instance,
    check_int,
    check_positive,
    check_seed,
)
from theory.files import atomic_path

__all__ = [
    "Dataset",
    "digits",
    "mnist1d",
    "teacher",
    "load",
    "DATASETS",
    "check_labels",
    "check_dataset",
]

DATASETS = ("digits", "mnist1d", "teacher")


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

    split_seed = check_seed("split_seed", split_seed)
    x, y = load_digits(return_X_y=True)
    return _stratified(x, y, _check_n_train(n_train, 10, len(y)), split_seed, 10)


def _check_n_train(n_train, n_classes: int, n_total: int) -> int:
    check_int("n_train", n_train)
    if not n_classes <= n_train <= n_total - n_classes:
        raise ValueError(
            f"n_train must be an integer in [{n_classes}, {n_total - n_classes}], got {n_train!r}"
        )
    return int(n_train)


def _stratified(x, y, n_train: int, split_seed: int, n_classes: int) -> Dataset:
    from sklearn.model_selection import train_test_split

    x_tr, x_te, y_tr, y_te = train_test_split(
        x, y, train_size=n_train, stratify=y, random_state=split_seed
    )
    x_tr, x_te = _standardize(x_tr.astype(np.float64), x_te.astype(np.float64))
    return Dataset(x_tr, y_tr.astype(np.int32), x_te, y_te.astype(np.int32), n_classes)


#: MNIST-1D generator arguments that may be changed (the rest are the package's defaults)
MNIST1D_ARGS = ("num_samples", "seed")
_MNIST1D_CACHE = Path(__file__).resolve().parent.parent / ".cache" / "mnist1d"


def _mnist1d_arrays(num_samples: int, seed: int, cache: Path | None) -> tuple:
    """``(x, y)`` of all ``num_samples`` generated signals (train and test parts joined).

    ``make_dataset`` seeds NumPy's and Python's global generators; their states are saved
    and restored, so calling this has no effect on other code's random numbers.
    """
    from mnist1d.data import get_dataset_args, make_dataset

    args = get_dataset_args()
    args.num_samples, args.seed = num_samples, seed
    spec = {k: v for k, v in vars(args).items() if k != "url"}  # the url is never used
    key = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:20]
    path = None if cache is None else cache / f"mnist1d-{key}.npz"
    if path is not None and path.exists():
        try:
            with np.load(path, allow_pickle=False) as f:
                return f["x"], f["y"]
        except (OSError, ValueError, KeyError):
            path.unlink(missing_ok=True)  # damaged: regenerate
    np_state, py_state = np.random.get_state(), random.getstate()  # noqa: NPY002
    try:
        out = make_dataset(args)
    finally:
        np.random.set_state(np_state)  # noqa: NPY002
        random.setstate(py_state)
    x = np.concatenate([out["x"], out["x_test"]]).astype(np.float64)
    y = np.concatenate([out["y"], out["y_test"]]).astype(np.int32)
    if path is not None:
        with atomic_path(path) as tmp, open(tmp, "wb") as fh:
            np.savez(fh, x=x, y=y)
    return x, y


def mnist1d(
    *,
    n_train: int = 200,
    split_seed: int = 0,
    num_samples: int = 5000,
    seed: int = 42,
    classes=None,
    cache: Path | str | None = _MNIST1D_CACHE,
) -> Dataset:
    """MNIST-1D: 40-sample 1-d signals of 10 digit templates, generated offline.

    ``num_samples`` signals are generated by ``mnist1d.data.make_dataset`` with the
    package's default arguments (``get_dataset_args()``; generator ``seed``), then split
    like :func:`digits`: ``n_train`` stratified by class (``random_state=split_seed``)
    train, the rest test, standardized with the training statistics.  ``classes``
    (distinct labels in 0–9, at least two) keeps only those signals and relabels them
    ``0, 1, …`` in the order given: with few training points the ten-class task is barely
    learnable (N = 20: test accuracy near 20%), a pair of templates is (classes 2 and 3,
    N = 100: logistic regression 79%, a 256-unit MLP 84% test accuracy).  ``cache=None``
    regenerates without touching the disk.

    >>> data = mnist1d(n_train=50, num_samples=500, cache=None)
    >>> data.x_train.shape, data.x_test.shape, data.n_classes
    ((50, 40), (450, 40), 10)
    >>> pair = mnist1d(n_train=20, num_samples=500, classes=(2, 3), cache=None)
    >>> pair.n_classes, sorted(set(pair.y_train.tolist())), len(pair.y_train) + len(pair.y_test)
    (2, [0, 1], 100)
    """
    num_samples = check_int("num_samples", num_samples, minimum=100)
    seed = check_seed("seed", seed)
    split_seed = check_seed("split_seed", split_seed)
    if cache is not None and not isinstance(cache, (str, Path)):
        raise ValueError(f"cache must be a path or None, got {cache!r}")
    keep = _check_classes(classes)
    x, y = _mnist1d_arrays(int(num_samples), int(seed), None if cache is None else Path(cache))
    if keep is not None:
        mask = np.isin(y, keep)
        relabel = np.zeros(10, np.int32)
        relabel[list(keep)] = np.arange(len(keep))
        x, y = x[mask], relabel[y[mask]]
    k = 10 if keep is None else len(keep)
    n_train = _check_n_train(n_train, k, len(y))
    return _stratified(x, y, n_train, int(split_seed), k)


def _check_classes(classes) -> tuple[int, ...] | None:
    """``None`` or a tuple of at least two distinct labels in 0–9."""
    if classes is None:
        return None
    bad = ValueError(
        f"classes must be None or distinct integers in 0-9 (at least two), got {classes!r}"
    )
    if isinstance(classes, (str, bytes)) or not hasattr(classes, "__iter__"):
        raise bad
    keep = tuple(classes)
    if len(keep) < 2 or len(set(keep)) != len(keep):
        raise bad
    for c in keep:
        if isinstance(c, bool) or not isinstance(c, (int, np.integer)) or not 0 <= c <= 9:
            raise bad
    return tuple(int(c) for c in keep)


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
    n_train = check_int("n_train", n_train, minimum=1)
    n_test = check_int("n_test", n_test, minimum=1)
    input_dim = check_int("input_dim", input_dim, minimum=1)
    n_classes = check_int("n_classes", n_classes, minimum=2)
    teacher_width = check_int("teacher_width", teacher_width, minimum=1)
    temperature = float(check_positive("temperature", temperature))
    if not np.isfinite(temperature):
        raise ValueError(f"temperature must be finite, got {temperature!r}")
    rng = np.random.default_rng(check_seed("seed", seed))
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
    """One of :data:`DATASETS` by name."""
    loaders = {"digits": digits, "mnist1d": mnist1d, "teacher": teacher}
    if not isinstance(name, str):
        raise ValueError(f"name must be one of {DATASETS}, got {name!r}")
    return loaders[check_choice("name", name, DATASETS)](**kwargs)


def check_labels(y, n_classes: int, name: str = "y") -> np.ndarray:
    """Integer class labels in ``[0, n_classes)`` (``-1`` would wrap to the last class and
    ``n_classes`` give NaN inside the jitted loss, silently)."""
    n_classes = check_int("n_classes", n_classes, minimum=1)
    y = np.asarray(y)
    if y.ndim != 1 or y.dtype.kind not in "iu":
        raise ValueError(f"{name} must be a 1-d array of integer labels, got {y.dtype} {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(
            f"{name} must hold labels in [0, n_classes={n_classes}), got min {y.min()}, "
            f"max {y.max()}"
        )
    return y


def check_dataset(data: Dataset) -> Dataset:
    """A :class:`~training.data.Dataset`: finite inputs ``(n, d)`` of one ``d`` for both splits,
    labels in ``[0, data.n_classes)`` matching them, at least one training example."""
    check_instance("data", data, Dataset)
    check_int("data.n_classes", data.n_classes, minimum=2)
    x_train = as_float_array("data.x_train", data.x_train)
    x_test = as_float_array("data.x_test", data.x_test)
    if (
        x_train.ndim != 2
        or len(x_train) < 1
        or x_test.ndim != 2
        or x_test.shape[1:] != x_train.shape[1:]
    ):
        raise ValueError(
            f"data.x_train and data.x_test must be (n, d) with one d, got {x_train.shape} "
            f"and {x_test.shape}"
        )
    check_labels(data.y_train, data.n_classes, "data.y_train")
    check_labels(data.y_test, data.n_classes, "data.y_test")
    if len(data.y_train) != len(x_train) or len(data.y_test) != len(x_test):
        raise ValueError(
            f"data.y_train and data.y_test must have one label per row of x, got "
            f"{len(data.y_train)} for {len(x_train)} and {len(data.y_test)} for {len(x_test)}"
        )
    return data
