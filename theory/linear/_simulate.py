r"""Linear ridge, simulated: the excess risk of a whole λ grid from one decomposition of X.

Rows ``x_i ~ N(0, I_d)``, ``β ~ N(0, s² d^(-κ) I)``, ``y = Xβ + ε``; the estimator minimizes
``(1/N)‖y − Xw‖² + λ‖w‖²`` (no ½) and the risk is ``‖ŵ_λ − β‖²`` (:mod:`theory.linear`).
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from theory.checks import (
    as_float_array,
    check_choice,
    check_int,
    check_nonnegative,
    check_positive,
    check_representable,
    check_seed,
)
from theory.linear._symbolic import Normalization
from theory.prior import NORMALIZATIONS, to_sum

# ---------------------------------------------------------------- Monte Carlo


def _spectral(X: np.ndarray, y: np.ndarray, beta: np.ndarray, method: str):
    """Per draw (batched over leading axes): ``e = s²``, ``t = s·U'y``, ``b = V'β``, ``‖β‖² − ‖b‖²``.

    With ``X = U diag(s) V'`` (thin SVD), ``V'ŵ_λ = t/(e + Nλ)`` and
    ``‖ŵ_λ − β‖² = Σ_k (t_k/(e_k + Nλ) − b_k)² + ‖β‖² − ‖b‖²``.
    """
    n, d = X.shape[-2:]
    if method == "svd" and n > d:
        # X = QR, R = U_R diag(s) V': X has R's singular values and right vectors, and
        # t = s U'y = V'X'y needs no left vectors -- a third cheaper than the thin SVD of X
        _, s, Vt = np.linalg.svd(np.linalg.qr(X, mode="r"))
        t = np.einsum("...kd,...d->...k", Vt, np.einsum("...nd,...n->...d", X, y))
        b = np.einsum("...kd,...d->...k", Vt, beta)
        e = s**2
    elif method == "svd":
        U, s, Vt = np.linalg.svd(X, full_matrices=False)
        t = s * np.einsum("...nk,...n->...k", U, y)
        b = np.einsum("...kd,...d->...k", Vt, beta)
        e = s**2
    elif n >= d:  # eigendecomposition of the d×d Gram matrix X'X = V diag(e) V'
        e, V = np.linalg.eigh(np.swapaxes(X, -1, -2) @ X)
        e = np.maximum(e, 0.0)
        t = np.einsum("...dk,...d->...k", V, np.einsum("...nd,...n->...d", X, y))
        b = np.einsum("...dk,...d->...k", V, beta)
    else:  # eigendecomposition of the N×N Gram matrix XX' = U diag(e) U'
        e, U = np.linalg.eigh(X @ np.swapaxes(X, -1, -2))
        e = np.maximum(e, 0.0)
        s = np.sqrt(e)
        t = s * np.einsum("...nk,...n->...k", U, y)
        b = np.einsum("...nk,...n->...k", U, np.einsum("...nd,...d->...n", X, beta)) / s
    if d > n:
        resid = np.maximum(np.sum(beta**2, axis=-1) - np.sum(b**2, axis=-1), 0.0)
    else:  # V is square and orthogonal
        resid = np.zeros(X.shape[:-2])
    return e, t, b, resid


def ridge_risk_path(
    X: np.ndarray,
    y: np.ndarray,
    beta: np.ndarray,
    lam: npt.ArrayLike,
    *,
    method: Literal["svd", "gram"] = "svd",
) -> np.ndarray:
    r"""``‖ŵ_λ − β‖²`` for every λ of the grid, from one decomposition of ``X``.

    ``ŵ_λ`` minimizes ``(1/N)‖y − Xw‖² + λ‖w‖²`` (λ in sum normalization; λ = 0 is the
    min-norm least-squares fit): ``ŵ_λ = V diag(s/(s² + Nλ)) U'y``.  ``X`` is ``(..., N, d)``,
    ``y`` ``(..., N)``, ``beta`` ``(..., d)``; the result is ``(..., L)``.  ``method="svd"``
    uses LAPACK's SVD of X (for N > d, of the triangular factor R of ``X = QR``: the same
    singular values and right vectors, without the N×d left vectors); ``"gram"`` the
    eigendecomposition of the smaller Gram matrix (faster still; it squares the condition
    number, harmless unless X is nearly singular).

    >>> rng = np.random.default_rng(0)
    >>> X, beta = rng.standard_normal((50, 10)), rng.standard_normal(10)
    >>> y = X @ beta + rng.standard_normal(50)
    >>> w = np.linalg.solve(X.T @ X / 50 + 0.3 * np.eye(10), X.T @ y / 50)
    >>> bool(np.isclose(ridge_risk_path(X, y, beta, [0.3])[0], np.sum((w - beta) ** 2)))
    True
    """
    check_choice("method", method, ("svd", "gram"))
    X = as_float_array("X", X)
    y = as_float_array("y", y)
    beta = as_float_array("beta", beta)
    lam_sum = check_nonnegative("lam", lam)
    if lam_sum.ndim != 1 or lam_sum.size == 0:
        raise ValueError(f"lam must be a non-empty 1-d grid, got shape {lam_sum.shape}")
    if X.ndim < 2 or y.shape != X.shape[:-1] or beta.shape != X.shape[:-2] + X.shape[-1:]:
        raise ValueError(
            f"X must be (..., N, d) with y (..., N) and beta (..., d); got {X.shape}, "
            f"{y.shape}, {beta.shape}"
        )
    n = X.shape[-2]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        e, t, b, resid = _spectral(X, y, beta, method)
        shrunk = t[..., :, None] / (e[..., :, None] + n * lam_sum)
        risk = np.sum((shrunk - b[..., :, None]) ** 2, axis=-2) + resid[..., None]
    inputs = {"X": X, "y": y, "beta": beta, "lam": lam}
    return check_representable(risk, what="risk path", inputs=inputs)


class MonteCarloRisk(NamedTuple):
    """Result of :func:`monte_carlo_risk`; ``lam`` and ``tuned_lambda`` in the requested normalization."""

    lam: np.ndarray  #: (L,) the λ grid
    mean: np.ndarray  #: (L,) mean excess risk over draws
    se: np.ndarray  #: (L,) standard error of the mean
    tuned_lambda: np.ndarray  #: (n_draws,) grid argmin of each draw's risk curve
    risks: np.ndarray  #: (n_draws, L) excess risk ‖ŵ_λ − β‖² per draw


def monte_carlo_risk(
    lam: npt.ArrayLike,
    *,
    n_samples: int,
    n_features: int,
    noise_var: float,
    signal_var: float,
    prior_exponent: float = 1.0,
    n_draws: int = 100,
    seed: int | np.random.Generator = 0,
    normalization: Normalization = "sum",
    method: Literal["svd", "gram"] = "svd",
    blas_threads: int | None = 1,
) -> MonteCarloRisk:
    r"""Monte Carlo excess risk ``‖ŵ_λ − β‖²`` of ridge over a whole grid of λ.

    Each draw samples ``X`` (N×d, i.i.d. N(0,1)), ``β ~ N(0, s² d^(-κ) I)`` (s² =
    ``signal_var``, κ = ``prior_exponent``) and ``y = Xβ + ε``, and evaluates the whole
    grid from one decomposition of X (:func:`ridge_risk_path`) -- no solve per λ.  The
    tuned-on-data λ of a draw is the grid point minimizing that draw's risk.  ``lam`` is
    in ``normalization`` (``"mean"``: λ_mean = d·λ_sum).  Draws are generated and
    decomposed in batches; results are reproducible for a given ``seed``.  BLAS/LAPACK
    run with ``blas_threads`` threads (default 1: the matrices are small, and
    multithreaded LAPACK slows down by an order of magnitude on a busy machine; ``None``
    leaves the setting alone).

    >>> from theory.linear import asymptotic_risk
    >>> mc = monte_carlo_risk([0.1, 0.5, 2.0], n_samples=200, n_features=100,
    ...                       noise_var=1.0, signal_var=1.0, n_draws=20, seed=1)
    >>> mc.mean.shape, mc.tuned_lambda.shape
    ((3,), (20,))
    >>> bool(np.all(np.abs(mc.mean - asymptotic_risk(mc.lam, gamma=0.5, noise_var=1.0,
    ...                                               signal_var=1.0)) < 4 * mc.se))
    True
    """
    check_choice("method", method, ("svd", "gram"))
    check_choice("normalization", normalization, NORMALIZATIONS)
    n = check_int("n_samples", n_samples, minimum=1)
    d = check_int("n_features", n_features, minimum=1)
    draws = check_int("n_draws", n_draws, minimum=2)
    lam_grid = check_nonnegative("lam", lam)
    if lam_grid.ndim != 1 or lam_grid.size == 0:
        raise ValueError(f"lam must be a non-empty 1-d grid, got shape {lam_grid.shape}")
    lam_sum = np.asarray(to_sum(lam_grid, normalization=normalization, n_params=d), dtype=float)
    sigma = float(np.sqrt(check_nonnegative("noise_var", noise_var)))
    s2 = check_positive("signal_var", signal_var)
    kappa = as_float_array("prior_exponent", prior_exponent)
    tau = float(np.sqrt(s2 * float(d) ** (-kappa)))
    if blas_threads is not None:
        check_int("blas_threads", blas_threads, minimum=1)
    rng = np.random.default_rng(check_seed("seed", seed, allow_generator=True))

    from threadpoolctl import threadpool_limits  # a dependency of scikit-learn

    # batches of at most ~2e6 design entries and ~4e6 (direction, λ) pairs
    chunk = max(1, min(draws, 2_000_000 // (n * d), 4_000_000 // (min(n, d) * lam_sum.size)))
    risks = np.empty((draws, lam_sum.size))
    with threadpool_limits(limits=blas_threads):
        for start in range(0, draws, chunk):
            size = min(chunk, draws - start)
            X = rng.standard_normal((size, n, d))
            beta = tau * rng.standard_normal((size, d))
            y = np.einsum("bnd,bd->bn", X, beta) + sigma * rng.standard_normal((size, n))
            risks[start : start + size] = ridge_risk_path(X, y, beta, lam_sum, method=method)
    inputs = {
        "lam": lam,
        "n_samples": n_samples,
        "n_features": n_features,
        "noise_var": noise_var,
        "signal_var": signal_var,
        "prior_exponent": prior_exponent,
    }
    check_representable(risks, what="simulated risk", inputs=inputs)  # fmt: skip
    mean = risks.mean(axis=0)
    se = risks.std(axis=0, ddof=1) / np.sqrt(draws)
    tuned = lam_grid[np.argmin(risks, axis=1)]
    return MonteCarloRisk(lam_grid, mean, se, tuned, risks)
