"""theory.linear performance (issue 3): the asymptotic risk on a grid, and the one-SVD λ sweep.

1. ``asymptotic_risk`` on a 1000×1000 (λ, γ) grid: the jitted JAX core after compilation
   (target < 0.2 s), against the public NumPy function (argument checks included).
2. The Monte Carlo λ sweep (d = 400, 200 λ values) from one decomposition per draw
   (:func:`theory.linear.ridge_risk_path`, SVD and Gram variants) against a linear solve per λ
   of the normal equations, on the same draws, at N = 800, 400, 200 (γ = ½, 1, 2).  The
   baseline forms ``X'X/N`` and ``X'y/N`` once per draw (the cheapest honest per-λ solve);
   the note also gives the ratio to a full refit per λ (normal equations formed each time).
   Both run with single-threaded BLAS, as :func:`theory.linear.monte_carlo_risk` does; the
   risks of both routes are checked to agree before anything is reported.

Times are the best of several repeats (the machine is shared).
"""

from __future__ import annotations

import time

import numpy as np
from threadpoolctl import threadpool_limits

from theory import linear as L


def _best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def _risk_grid_rows() -> list[dict]:
    lam = np.geomspace(1e-4, 1e4, 1000)[:, None]
    gamma = np.geomspace(1e-2, 1e2, 1000)[None, :]
    t0 = time.perf_counter()
    L.asymptotic_risk_jax(lam, gamma, 1.0, 1.0).block_until_ready()
    compile_s = time.perf_counter() - t0
    jax_s = _best(lambda: L.asymptotic_risk_jax(lam, gamma, 1.0, 1.0).block_until_ready(), 7)
    numpy_s = _best(lambda: L.asymptotic_risk(lam, gamma=gamma, noise_var=1.0, signal_var=1.0), 5)
    ref = L.asymptotic_risk(lam, gamma=gamma, noise_var=1.0, signal_var=1.0)
    got = np.asarray(L.asymptotic_risk_jax(lam, gamma, 1.0, 1.0))
    assert np.allclose(got, ref, rtol=1e-13), "JAX and NumPy risks disagree"
    return [
        {
            "metric": "asymptotic_risk 1000x1000 grid, JAX jit (after compile)",
            "value": jax_s,
            "unit": "s",
            "baseline": numpy_s,
            "ratio": numpy_s / jax_s,
            "target": "< 0.2 s",
            "note": f"baseline = NumPy asymptotic_risk; compile {compile_s:.2f} s",
        },
        {
            "metric": "asymptotic_risk 1000x1000 grid, NumPy (public function)",
            "value": numpy_s,
            "unit": "s",
            "target": "< 0.2 s",
            "note": "includes argument checks",
        },
    ]


def _solve_per_lambda(X, y, beta, lams) -> np.ndarray:
    n, d = X.shape
    gram, rhs, eye = X.T @ X / n, X.T @ y / n, np.eye(d)
    out = np.empty(lams.size)
    for i, lam in enumerate(lams):
        w = np.linalg.solve(gram + lam * eye, rhs)
        out[i] = np.sum((w - beta) ** 2)
    return out


def _refit_per_lambda(X, y, beta, lams) -> np.ndarray:
    """A ridge fit from scratch per λ (normal equations formed and solved each time)."""
    n, d = X.shape
    out = np.empty(lams.size)
    for i, lam in enumerate(lams):
        w = np.linalg.solve(X.T @ X / n + lam * np.eye(d), X.T @ y / n)
        out[i] = np.sum((w - beta) ** 2)
    return out


def _sweep_rows(d: int = 400, n_lam: int = 200, draws: int = 3) -> list[dict]:
    rng = np.random.default_rng(0)
    lams = np.geomspace(1e-3, 1e2, n_lam)
    rows = []
    for n in (2 * d, d, d // 2):
        data = []
        for _ in range(draws):
            X = rng.standard_normal((n, d))
            beta = rng.standard_normal(d) / np.sqrt(d)
            data.append((X, X @ beta + rng.standard_normal(n), beta))
        with threadpool_limits(limits=1):
            for X, y, beta in data:  # the two routes agree before they are timed
                ref = _solve_per_lambda(X, y, beta, lams)
                for method in ("svd", "gram"):
                    got = L.ridge_risk_path(X, y, beta, lams, method=method)
                    assert np.allclose(got, ref, rtol=1e-8), (n, method)
            base = _best(lambda data=data: [_solve_per_lambda(*x, lams) for x in data], 2) / draws
            naive = _best(lambda data=data: [_refit_per_lambda(*x, lams) for x in data], 1) / draws
            for method in ("svd", "gram"):
                fast = (
                    _best(
                        lambda m=method, data=data: [
                            L.ridge_risk_path(*x, lams, method=m) for x in data
                        ],
                        3,
                    )
                    / draws
                )
                rows.append(
                    {
                        "metric": f"λ sweep per draw, one {method.upper()} (d={d}, N={n}, "
                        f"{n_lam} λ)",
                        "value": fast,
                        "unit": "s",
                        "baseline": base,
                        "ratio": base / fast,
                        "target": ">= 20x",
                        "note": "baseline: np.linalg.solve per λ, X'X formed once; "
                        f"vs a full refit per λ ({naive:.3g} s): {naive / fast:.0f}x; "
                        "1 BLAS thread",
                    }
                )
    return rows


def run() -> list[dict]:
    return _risk_grid_rows() + _sweep_rows()


if __name__ == "__main__":
    for row in run():
        print(row)
