"""Random features: ridge on simulated data, one SVD of the training features per draw.

Inputs and feature directions on the sphere of radius √d, a linear target plus a
quadratic nonlinear part and Gaussian label noise (:mod:`theory.random_features`).
"""

from __future__ import annotations

import math

import numpy as np

from theory.checks import (
    check_fraction,
    check_int,
    check_nonnegative,
    check_seed,
)
from theory.parametrization import lambda_from_ntk, lambda_to_ntk
from theory.random_features._gaussian import Activation, _activation_fn

# ---------------------------------------------------------------- simulation


def _sphere(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    z = rng.standard_normal((n, d))
    return z * np.sqrt(d) / np.linalg.norm(z, axis=1, keepdims=True)


def simulate_test_error(
    lam,
    *,
    n_samples: int,
    n_features: int,
    input_dim: int,
    noise_var: float,
    signal_var: float = 1.0,
    nonlinear_var: float = 0.0,
    activation: Activation = "relu",
    parametrization: str = "ntk",
    normalization: str = "sum",
    n_draws: int = 10,
    n_test: int = 2000,
    seed: int = 0,
    rcond: float = 1e-10,
) -> np.ndarray:
    """Excess test errors of random-features ridge on simulated data, shape ``(n_draws, len(lam))``.

    Each draw samples θ_j, training and ``n_test`` fresh test inputs on the sphere of radius
    √d, ``β`` uniform with ``‖β‖² = signal_var``, the nonlinear part
    ``f_NL = c ((<w, x>)² − 1)`` (``‖w‖ = 1``, c set so that ``E f_NL² = nonlinear_var``
    exactly on the sphere; it is orthogonal to constants and linear functions) and
    ``N(0, noise_var)`` label noise.  One SVD of the training features serves every ``lam``
    (in the toolkit's convention, mapped to the standard readout through
    :mod:`theory.parametrization`, not through the Mei–Montanari conversion); ``lam = 0``
    gives the minimum-norm interpolator (singular values below ``rcond·s_max`` dropped).
    The error is ``mean_test (f(x) − f̂(x))²``: noise excluded, like :func:`asymptotic_risk`.
    """
    lam = check_nonnegative("lam", lam)
    lam = np.atleast_1d(lam)
    if lam.ndim != 1:
        raise ValueError(f"lam must be a scalar or 1-d, got shape {lam.shape}")
    sizes = {
        "n_samples": n_samples,
        "n_features": n_features,
        "input_dim": input_dim,
        "n_draws": n_draws,
        "n_test": n_test,
    }
    for name, value in sizes.items():
        check_int(name, value, minimum=2 if name == "input_dim" else 1)
    check_seed("seed", seed)
    check_fraction("rcond", rcond, low_open=True)
    f1 = float(check_nonnegative("signal_var", signal_var))
    t2 = float(check_nonnegative("noise_var", noise_var))
    fs = float(check_nonnegative("nonlinear_var", nonlinear_var))
    sigma = _activation_fn(activation)
    n, p, d = int(n_samples), int(n_features), int(input_dim)
    # standard readout f = Σ a_j φ_j: its sum-normalized λ
    lam_std = np.asarray(
        lambda_from_ntk(
            lambda_to_ntk(
                lam, width=p, parametrization=parametrization, normalization=normalization
            ),
            width=p,
            parametrization="standard",
            normalization="sum",
        )
    )
    c_nl = math.sqrt(fs * (d + 2) / (2 * (d - 1)))  # Var(<w,x>²) = 2(d−1)/(d+2) on the sphere
    out = np.empty((n_draws, lam.size))
    for k, rng in enumerate(np.random.default_rng(seed).spawn(n_draws)):
        theta = _sphere(rng, p, d)
        beta = rng.standard_normal(d)
        beta *= math.sqrt(f1) / np.linalg.norm(beta)
        w = rng.standard_normal(d)
        w /= np.linalg.norm(w)

        def target(x, beta=beta, w=w):
            return x @ beta + c_nl * ((x @ w) ** 2 - 1.0)

        x_train, x_test = _sphere(rng, n, d), _sphere(rng, n_test, d)
        y = target(x_train) + math.sqrt(t2) * rng.standard_normal(n)
        z_train = sigma(x_train @ theta.T / math.sqrt(d))
        z_test = sigma(x_test @ theta.T / math.sqrt(d))
        u, s, vt = np.linalg.svd(z_train, full_matrices=False)
        keep = s > rcond * s[0]
        u, s, vt = u[:, keep], s[keep], vt[keep]
        test_proj, uy, f_test = z_test @ vt.T, u.T @ y, target(x_test)
        # a(λ) = V diag(s / (s² + N λ_std)) Uᵀ y  (normal equations (ZᵀZ/N + λ_std) a = Zᵀy/N)
        gains = s[None, :] / (s[None, :] ** 2 + n * lam_std[:, None])
        predictions = (gains * uy[None, :]) @ test_proj.T
        out[k] = np.mean((predictions - f_test[None, :]) ** 2, axis=1)
    return out
