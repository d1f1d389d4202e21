"""Monte Carlo of ridge logistic regression with scikit-learn, in the toolkit's λ convention.

Independent of the fixed point: it shares only :func:`to_sklearn_C` (itself tested against a
direct minimization of our objective) and, for random features, the feature map.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from theory.checks import (
    check_choice,
    check_int,
    check_nonnegative,
    check_positive,
    check_seed,
)
from theory.classification._api import _feature_directions
from theory.classification._convert import to_sklearn_C
from theory.classification._solve import TEACHERS
from theory.random_features import _activation_fn, gaussian_equivalence


def _population_error(m: float, q: float, rho: float, delta: float, teacher: str) -> float:
    """``P(sign f ≠ y)`` for ``(f, ν)`` Gaussian with covariance ``[[q, m], [m, ρ]]``.

    Sign teacher: ``arccos(m/√((ρ+Δ)q))/π``.  Logit teacher, written independently of the
    solver's ``E_ξ`` form: ``2 E_ν[σ(−ν̃) Φ_N(m ν/√(ρ(qρ − m²)))]`` with ``ν ~ N(0, ρ)`` and
    ``ν̃ = ν + √Δ ε`` (``E_ε`` and ``E_ν`` by ``scipy.integrate.quad``).
    """
    if teacher == "sign":
        return float(np.arccos(np.clip(m / math.sqrt((rho + delta) * q), -1, 1)) / math.pi)
    from scipy.integrate import quad
    from scipy.special import expit, ndtr

    s = math.sqrt(max(q * rho - m * m, 1e-300) / rho)  # sd of f given ν

    def flip(nu: float) -> float:  # P(y = −1 | ν)
        if delta == 0:
            return float(expit(-nu))
        return quad(lambda e: math.exp(-0.5 * e * e) * expit(-nu - math.sqrt(delta) * e),
                    -12, 12, epsabs=1e-13)[0] / math.sqrt(2 * math.pi)  # fmt: skip

    def integrand(u: float) -> float:
        nu = math.sqrt(rho) * u
        return math.exp(-0.5 * u * u) * flip(nu) * ndtr(m * nu / (rho * s))

    val = quad(integrand, -12, 12, points=[0.0], epsabs=1e-13, limit=200)[0]
    return 2 * val / math.sqrt(2 * math.pi)


def simulate_logistic(
    lam,
    *,
    n_samples: int,
    n_features: int,
    input_dim: int | None = None,
    activation=None,
    noise_var: float = 0.0,
    teacher: str = "sign",
    signal_var: float = 1.0,
    n_draws: int = 4,
    n_test: int = 4000,
    seed: int = 0,
    feature_seed: int | None = None,
) -> dict[str, np.ndarray]:
    """Fit ``LogisticRegression(C=to_sklearn_C(lam), fit_intercept=False)`` on simulated data.

    ``activation=None``: Gaussian inputs ``x ~ N(0, I_p)`` and teacher field ``ν = θ0·x/√p``;
    otherwise centered random features ``σ(F z/√d) − μ0`` of ``z ~ N(0, I_d)`` and
    ``ν = θ0·z/√d`` (``F`` from ``feature_seed``, default: drawn per draw).  θ0 ~
    N(0, signal_var·I).  Labels: ``y = sign(ν + √Δ ε)`` (``teacher="sign"``) or ``y = +1`` with
    probability ``σ(ν + √Δ ε)`` (``"logit"``, drawn by a uniform).  Returns arrays of shape
    ``(n_draws, len(lam))``: ``test_error``, ``test_loss`` (on ``n_test`` fresh samples),
    ``train_loss``; for Gaussian inputs also the exact population ``m``, ``q`` and
    ``error_exact`` (the population error of the fitted w: :func:`_population_error`).
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    lam = np.atleast_1d(check_positive("lam", lam))
    n = check_int("n_samples", n_samples, minimum=1)
    p = check_int("n_features", n_features, minimum=1)
    draws = check_int("n_draws", n_draws, minimum=1)
    n_test = check_int("n_test", n_test, minimum=1)
    delta = float(check_nonnegative("noise_var", noise_var))
    check_choice("teacher", teacher, TEACHERS)
    signal = float(check_positive("signal_var", signal_var))
    check_seed("seed", seed)
    if activation is None:
        if input_dim is not None:
            raise ValueError(
                f"input_dim is used only with an activation (random features), got {input_dim!r}"
            )
        if feature_seed is not None:
            raise ValueError(
                "feature_seed is used only with an activation (random features), got "
                f"{feature_seed!r}"
            )
    else:
        _activation_fn(activation)  # the name first: input_dim is required only with it
        if feature_seed is not None:
            check_seed("feature_seed", feature_seed)
    order = np.argsort(-lam)  # warm starts from strong to weak regularization
    keys = ["test_error", "test_loss", "train_loss", "m", "q", "error_exact"]
    out = {k: np.full((draws, lam.size), np.nan) for k in keys}
    if activation is not None:
        d = check_int("input_dim", input_dim, minimum=1)
        sigma, mu0 = _activation_fn(activation), gaussian_equivalence(activation).mu0
    for k, rng in enumerate(np.random.default_rng(seed).spawn(draws)):
        if activation is None:
            theta = math.sqrt(signal) * rng.standard_normal(p)

            def sample(size, rng=rng, theta=theta):
                x = rng.standard_normal((size, p))
                return x, x @ theta / math.sqrt(p)

        else:
            fs = int(rng.integers(2**31)) if feature_seed is None else feature_seed
            F = _feature_directions(p, d, fs)
            theta = math.sqrt(signal) * rng.standard_normal(d)

            def sample(size, rng=rng, theta=theta, F=F):
                z = rng.standard_normal((size, d))
                return sigma(z @ F.T / math.sqrt(d)) - mu0, z @ theta / math.sqrt(d)

        def labels(nu, size, rng=rng):
            field = nu + math.sqrt(delta) * rng.standard_normal(size)
            if teacher == "logit":
                return np.where(rng.random(size) < 1.0 / (1.0 + np.exp(-field)), 1.0, -1.0)
            return np.where(field >= 0, 1.0, -1.0)

        x, nu = sample(n)
        y = labels(nu, n)
        x_test, nu_test = sample(n_test)
        y_test = labels(nu_test, n_test)
        clf = LogisticRegression(fit_intercept=False, tol=1e-10, max_iter=20000, warm_start=True)
        for i in order:
            clf.set_params(C=to_sklearn_C(lam[i], n_samples=n, n_features=p))
            with warnings.catch_warnings():
                warnings.simplefilter("error", ConvergenceWarning)
                clf.fit(x, y)
            v = clf.coef_.ravel()  # = w/√p
            margin_test = y_test * (x_test @ v)
            out["test_error"][k, i] = np.mean(margin_test <= 0)
            out["test_loss"][k, i] = np.mean(np.logaddexp(0.0, -margin_test))
            out["train_loss"][k, i] = np.mean(np.logaddexp(0.0, -y * (x @ v)))
            if activation is None:
                theta_n = theta / math.sqrt(p)
                m, q, rho = v @ theta_n, v @ v, theta_n @ theta_n
                out["m"][k, i], out["q"][k, i] = m, q
                out["error_exact"][k, i] = _population_error(m, q, rho, delta, teacher)
    return out
