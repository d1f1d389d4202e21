"""Helpers shared by the tests: an independent ridge solver for any readout convention."""

from __future__ import annotations

import numpy as np

from theory.parametrization import readout_scale
from theory.prior import to_sum

#: DESIGN §1, derived by hand (not read from the code): for the readout ``f = P^(−c) Σ a_j φ_j``
#: the change of variables ``b = P^(1/2−c) a`` gives λ*_sum ∝ P^(1−2c) and λ*_mean ∝ P^(2−2c)
#: once the NTK-scaled λ* has converged (c = 0, ½, 1: standard, NTK, mean field)
READOUT_EXPONENT_BY_HAND = {
    ("standard", "sum"): 1,
    ("standard", "mean"): 2,
    ("ntk", "sum"): 0,
    ("ntk", "mean"): 1,
    ("mean_field", "sum"): -1,
    ("mean_field", "mean"): 0,
}


def relu_features(x: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """``relu(<θ_j, x>/√d)`` for rows of ``x`` (n, d) and ``theta`` (P, d)."""
    return np.maximum(x @ theta.T / np.sqrt(x.shape[1]), 0.0)


def sphere(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """``n`` points uniform on the sphere of radius √d in R^d."""
    z = rng.standard_normal((n, d))
    return z * np.sqrt(d) / np.linalg.norm(z, axis=1, keepdims=True)


def ridge_readout_predict(
    features_train: np.ndarray,
    y: np.ndarray,
    features_test: np.ndarray,
    *,
    lam: float,
    parametrization: str,
    normalization: str,
) -> np.ndarray:
    """Predictions of the minimizer of ``(1/N)‖y − P^(−c) Φ a‖² + λ R(a)`` on ``features_test``.

    Solved directly from the normal equations ``(A'A/N + λ_sum I) a = A'y/N`` with
    ``A = P^(−c) Φ`` (no use of the change of variables under test).
    """
    n, width = features_train.shape
    scale = readout_scale(width, parametrization)
    a_mat = scale * features_train
    lam_sum = to_sum(lam, normalization=normalization, n_params=width)
    coef = np.linalg.solve(a_mat.T @ a_mat / n + lam_sum * np.eye(width), a_mat.T @ y / n)
    return scale * features_test @ coef
