r"""Linear ridge, numeric: the finite-N Bayes λ*, the Marchenko–Pastur Stieltjes transform,
the Dobriban–Wager asymptotic risk, λ*, and the ridgeless limits.

Vectorized float64 NumPy functions generated from (or checked against) the derivations of
:mod:`theory.linear._symbolic`; :func:`asymptotic_risk_jax` is the jittable JAX core of
:func:`asymptotic_risk`, run in float64 (``jax.enable_x64``, asked for locally).
"""

from __future__ import annotations

from functools import cache

import jax
import jax.numpy as jnp
import numpy as np
import numpy.typing as npt

from theory import _symbols as S
from theory._numeric import lambdify
from theory.checks import (
    as_float_array,
    check_broadcast,
    check_choice,
    check_nonnegative,
    check_positive,
    check_representable,
    check_width,
)
from theory.linear._symbolic import (
    Normalization,
    bayes_optimal_lambda_expr,
    finite_ridgeless_risk_expr,
    optimal_lambda_expr,
    ridgeless_risk_expr,
)
from theory.prior import NORMALIZATIONS

# ---------------------------------------------------------------- numeric helpers


def _out(value) -> float | np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    return float(arr) if arr.ndim == 0 else arr


@cache
def _fn(name: str):
    """NumPy callables generated from the expressions above."""
    table = {
        "bayes_sum": (
            bayes_optimal_lambda_expr("sum"),
            [S.N, S.d, S.sigma2, S.s2, S.kappa],
        ),
        "lambda_star": (optimal_lambda_expr("sum"), [S.gamma, S.sigma2, S.alpha2]),
        "ridgeless_under": (ridgeless_risk_expr("under"), [S.gamma, S.sigma2, S.alpha2]),
        "ridgeless_over": (ridgeless_risk_expr("over"), [S.gamma, S.sigma2, S.alpha2]),
        "finite_under": (finite_ridgeless_risk_expr("under"), [S.N, S.d, S.sigma2, S.alpha2]),
        "finite_over": (finite_ridgeless_risk_expr("over"), [S.N, S.d, S.sigma2, S.alpha2]),
    }
    expr, args = table[name]
    # expressions that do not contain every argument broadcast through this wrapper
    fn = lambdify(expr, args)
    return lambda *a: fn(*a) + 0.0 * sum(np.asarray(v, dtype=np.float64) for v in a)


def _mean_requires(normalization: str, n_features) -> None:
    check_choice("normalization", normalization, NORMALIZATIONS)
    if normalization == "mean" and n_features is None:
        raise ValueError("n_features is required for normalization='mean'")


# ---------------------------------------------------------------- finite-N Bayes λ* (numeric)


def bayes_optimal_lambda(
    *,
    n_samples: npt.ArrayLike,
    n_features: npt.ArrayLike,
    noise_var: npt.ArrayLike,
    signal_var: npt.ArrayLike,
    prior_exponent: npt.ArrayLike = 1,
    normalization: Normalization = "sum",
) -> float | np.ndarray:
    """Ridge λ equal to the posterior mean for ``β ~ N(0, signal_var · n_features^(-prior_exponent) I)``.

    Exact at every finite ``n_samples`` (Bayes-optimal for ``‖ŵ − β‖²``).  ``signal_var``
    is s²; with ``prior_exponent=1`` it is the total signal α² = E‖β‖².  Vectorized.

    >>> bayes_optimal_lambda(n_samples=100, n_features=50, noise_var=1.0, signal_var=1.0)
    0.5
    >>> bayes_optimal_lambda(n_samples=100, n_features=50, noise_var=1.0, signal_var=1.0,
    ...                      normalization="mean")
    25.0
    >>> bayes_optimal_lambda(n_samples=100, n_features=50, noise_var=1.0, signal_var=1.0,
    ...                      prior_exponent=0)
    0.01
    """
    _mean_requires(normalization, n_features)
    n = check_width("n_samples", n_samples)
    d = check_width("n_features", n_features)
    s2 = check_nonnegative("noise_var", noise_var)
    a2 = check_positive("signal_var", signal_var)
    kappa = as_float_array("prior_exponent", prior_exponent)
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        lam_sum = _fn("bayes_sum")(n, d, s2, a2, kappa)
        lam = lam_sum if normalization == "sum" else lam_sum * d  # λ_mean = P λ_sum
    inputs = {"n_samples": n_samples, "n_features": n_features, "noise_var": noise_var,
              "signal_var": signal_var, "prior_exponent": prior_exponent}  # fmt: skip
    return _out(check_representable(lam, what="lambda", inputs=inputs, positive=s2 > 0))


# ---------------------------------------------------------------- MP Stieltjes transform


def _check_lam_gamma(lam, gamma, normalization: str = "sum", n_features=None):
    _mean_requires(normalization, n_features)
    lam_in = lam
    lam = check_nonnegative("lam", lam)
    gamma = check_positive("gamma", gamma)
    if normalization == "mean":  # λ_sum = λ_mean / P
        with np.errstate(under="ignore"):
            lam = lam / check_width("n_features", n_features)
        inputs = {"lam": lam_in, "n_features": n_features}
        check_representable(lam, what="lambda_sum", inputs=inputs, positive=lam_in != 0)
    return np.asarray(lam, dtype=np.float64), gamma


def _mp_parts(lam, gamma, xp):
    """``b = 1 − γ + λ`` and ``√(b² + 4γλ)`` (the discriminant's root, overflow-free)."""
    b = 1.0 - gamma + lam
    return b, xp.hypot(b, 2.0 * xp.sqrt(gamma * lam))


def _stieltjes(lam, gamma, xp):
    """m(−λ): rationalized root for ``b ≥ 0``, plain root for ``b < 0`` (no cancellation)."""
    b, root = _mp_parts(lam, gamma, xp)
    return xp.where(b >= 0, 2.0 / (b + root), (root - b) / (2.0 * gamma * lam))


def mp_stieltjes(lam: npt.ArrayLike, *, gamma: npt.ArrayLike) -> float | np.ndarray:
    """Stieltjes transform ``m(−λ) = ∫ dF(x)/(x + λ)`` of the Marchenko–Pastur law of ``X'X/N``.

    ``γ = d/N``.  At λ = 0 it is ``1/(1 − γ)`` for γ < 1 and ``inf`` for γ ≥ 1.

    >>> mp_stieltjes(0.0, gamma=0.5)
    2.0
    >>> round(mp_stieltjes(1.0, gamma=1.0), 12)   # (√5 − 1)/2
    0.61803398875
    """
    lam_in, gamma_in = lam, gamma
    lam, gamma = _check_lam_gamma(lam, gamma)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        m = _stieltjes(lam, gamma, np)
    return _finite(m, "Stieltjes transform", lam_in, gamma_in, lam == 0)


def mp_stieltjes_derivative(lam: npt.ArrayLike, *, gamma: npt.ArrayLike) -> float | np.ndarray:
    """``m'(−λ) = ∫ dF(x)/(x + λ)²`` = ``m(1 + γ m)/√((1−γ+λ)² + 4γλ)`` (implicit differentiation).

    >>> mp_stieltjes_derivative(0.0, gamma=0.5)   # 1/(1 − γ)³
    8.0
    """
    lam_in, gamma_in = lam, gamma
    lam, gamma = _check_lam_gamma(lam, gamma)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        m = _stieltjes(lam, gamma, np)
        dm = m * (1.0 + gamma * m) / _mp_parts(lam, gamma, np)[1]
    return _finite(dm, "Stieltjes derivative", lam_in, gamma_in, lam == 0)


def _finite(value, what: str, lam, gamma, exempt) -> float | np.ndarray:
    """``value`` unless it over- or underflowed (``exempt``: where ``inf`` is the answer)."""
    inputs = {"lam": lam, "gamma": gamma}
    return _out(check_representable(value, what=what, inputs=inputs, exempt=exempt))


# ---------------------------------------------------------------- asymptotic risk


def _risk_core(lam, gamma, noise_var, signal_var, xp):
    r"""Dobriban–Wager risk in a form without cancellation, for NumPy or ``jax.numpy``.

    With ``q = λ m(−λ)`` (finite at λ = 0: the MP atom at 0, ``max(0, 1 − 1/γ)``),
    ``√D = √(b² + 4γλ)`` and ``c = γ − 1 + λ``:

    * bias ``α² λ² m' = α² q (λ + γ q)/√D``;
    * variance ``γσ²(m − λ m') = 2γσ² q / (√D (√D + c))`` if ``c > 0``, else
      ``γσ² m (√D − c)/(2√D)`` -- the same quantity, since ``(√D − c)(√D + c) = 4λ``.

    The one singular point, γ = 1 and λ = 0, gives ``inf`` (or 0 without noise).
    """
    b, root = _mp_parts(lam, gamma, xp)
    c = gamma - 1.0 + lam
    singular = (lam == 0) & (b == 0)
    safe_root = xp.where(singular, 1.0, root)
    q = xp.where(
        b >= 0,
        2.0 * lam / xp.where(singular, 1.0, b + root),
        (root - b) / (2.0 * gamma),
    )
    bias = signal_var * q * (lam + gamma * q) / safe_root
    var_a = 2.0 * noise_var * gamma * q / safe_root / (safe_root + xp.where(c > 0, c, 0.0))
    m = 2.0 / xp.where(singular, 1.0, b + root)  # only used where c <= 0, hence b > 0
    var_b = noise_var * gamma * m * (root - c) / (2.0 * safe_root)
    risk = bias + xp.where(c > 0, var_a, var_b)
    return xp.where(singular, xp.where(noise_var > 0, xp.inf, 0.0), risk)


# ``float``: JAX's default float dtype where it runs (float64 under ``jax.enable_x64``)
_asymptotic_risk_jit = jax.jit(
    lambda lam, gamma, noise_var, signal_var: _risk_core(
        jnp.asarray(lam, dtype=float),
        jnp.asarray(gamma, dtype=float),
        jnp.asarray(noise_var, dtype=float),
        jnp.asarray(signal_var, dtype=float),
        jnp,
    )
)


def asymptotic_risk_jax(lam, gamma, noise_var, signal_var):
    """Jitted JAX core of :func:`asymptotic_risk` (sum normalization; broadcasts).

    Differentiable and vmappable: concrete arguments are checked like
    :func:`asymptotic_risk`'s and computed in float64; traced ones (inside the caller's
    ``jax.grad``/``jit``) pass through, in the caller's precision (float64 once the caller
    enables x64).
    """
    inputs = {"lam": lam, "gamma": gamma, "noise_var": noise_var, "signal_var": signal_var}
    checks = {"lam": check_nonnegative, "gamma": check_positive}
    traced = {name: isinstance(v, jax.core.Tracer) for name, v in inputs.items()}
    values = {
        name: v if traced[name] else checks.get(name, check_nonnegative)(name, v)
        for name, v in inputs.items()
    }
    if any(traced.values()):  # inside jax.grad / jit: the traced core, as it is
        return _asymptotic_risk_jit(lam, gamma, noise_var, signal_var)
    with jax.enable_x64(True):
        risk = _asymptotic_risk_jit(lam, gamma, noise_var, signal_var)
    singular = (values["lam"] == 0) & (values["gamma"] == 1)  # the peak: inf is the answer
    check_representable(np.asarray(risk), what="risk", inputs=inputs, exempt=singular)
    return risk


def asymptotic_risk(
    lam: npt.ArrayLike,
    *,
    gamma: npt.ArrayLike,
    noise_var: npt.ArrayLike,
    signal_var: npt.ArrayLike,
    normalization: Normalization = "sum",
    n_features: npt.ArrayLike | None = None,
) -> float | np.ndarray:
    r"""Limiting excess risk ``‖ŵ_λ − β‖²`` as ``N, d → ∞`` with ``d/N → γ`` (Dobriban & Wager 2018).

    ``R(λ) = α² λ² m'(−λ) + γσ² (m(−λ) − λ m'(−λ))`` with α² = ``signal_var`` (E‖β‖²)
    and σ² = ``noise_var``.  ``lam`` is in ``normalization`` (``"mean"`` needs
    ``n_features`` = d).  Finite and accurate from λ = 0 (the ridgeless limit) to λ → ∞
    (→ α²), including γ = 1; only γ = 1, λ = 0 with noise gives ``inf``.  Vectorized
    (arguments broadcast).

    >>> [round(asymptotic_risk(0.0, gamma=g, noise_var=1.0, signal_var=1.0), 12) for g in (0.5, 2)]
    [1.0, 1.5]
    >>> asymptotic_risk(1e300, gamma=2.0, noise_var=1.0, signal_var=1.0)
    1.0
    """
    inputs = {"lam": lam, "gamma": gamma, "noise_var": noise_var, "signal_var": signal_var}
    if normalization == "mean":
        inputs["n_features"] = n_features
    lam, gamma = _check_lam_gamma(lam, gamma, normalization, n_features)
    s2 = check_nonnegative("noise_var", noise_var)
    a2 = check_nonnegative("signal_var", signal_var)
    check_broadcast(lam=lam, gamma=gamma, noise_var=s2, signal_var=a2)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        risk = _risk_core(lam, gamma, s2, a2, np)
    singular = (lam == 0) & (gamma == 1)  # the interpolation peak: inf is the answer
    return _out(check_representable(risk, what="risk", inputs=inputs, exempt=singular))


def optimal_lambda(
    *,
    gamma: npt.ArrayLike,
    noise_var: npt.ArrayLike,
    signal_var: npt.ArrayLike,
    normalization: Normalization = "sum",
    n_features: npt.ArrayLike | None = None,
) -> float | np.ndarray:
    """The minimizer of :func:`asymptotic_risk`: ``γσ²/α²`` (sum), times ``n_features`` (mean).

    >>> optimal_lambda(gamma=2.0, noise_var=1.0, signal_var=4.0)
    0.5
    """
    _mean_requires(normalization, n_features)
    g = check_positive("gamma", gamma)
    s2 = check_nonnegative("noise_var", noise_var)
    a2 = check_positive("signal_var", signal_var)
    inputs = {"gamma": gamma, "noise_var": noise_var, "signal_var": signal_var}
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        lam = _fn("lambda_star")(g, s2, a2)
        if normalization == "mean":  # λ_mean = P λ_sum
            inputs["n_features"] = n_features
            lam = lam * check_width("n_features", n_features)
    return _out(check_representable(lam, what="lambda", inputs=inputs, positive=s2 > 0))


def optimal_risk(
    *, gamma: npt.ArrayLike, noise_var: npt.ArrayLike, signal_var: npt.ArrayLike
) -> float | np.ndarray:
    """The tuned asymptotic risk ``R(λ*) = γσ² m(−λ*)`` (the same for every normalization).

    >>> [round(optimal_risk(gamma=g, noise_var=1.0, signal_var=1.0), 12) for g in (0.5, 1, 2)]
    [0.414213562373, 0.61803398875, 0.780776406404]
    """
    lam_star = optimal_lambda(gamma=gamma, noise_var=noise_var, signal_var=signal_var)
    return asymptotic_risk(lam_star, gamma=gamma, noise_var=noise_var, signal_var=signal_var)


def ridgeless_risk(
    *, gamma: npt.ArrayLike, noise_var: npt.ArrayLike, signal_var: npt.ArrayLike
) -> float | np.ndarray:
    """``lim_{λ→0⁺}`` of the asymptotic risk: ``σ²γ/(1−γ)`` (γ < 1), ``α²(1 − 1/γ) + σ²/(γ−1)`` (γ > 1).

    At γ = 1 it is ``inf`` with noise and 0 without.

    >>> [ridgeless_risk(gamma=g, noise_var=1.0, signal_var=1.0) for g in (0.5, 1.0, 2.0)]
    [1.0, inf, 1.5]
    """
    g = check_positive("gamma", gamma)
    s2 = check_nonnegative("noise_var", noise_var)
    a2 = check_nonnegative("signal_var", signal_var)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        under = _fn("ridgeless_under")(g, s2, a2)
        over = _fn("ridgeless_over")(g, s2, a2)
    at_one = np.where(s2 > 0, np.inf, 0.0)
    risk = np.where(g < 1, under, np.where(g > 1, over, at_one))
    inputs = {"gamma": gamma, "noise_var": noise_var, "signal_var": signal_var}
    return _out(check_representable(risk, what="risk", inputs=inputs, exempt=g == 1))


def finite_ridgeless_risk(
    *,
    n_samples: npt.ArrayLike,
    n_features: npt.ArrayLike,
    noise_var: npt.ArrayLike,
    signal_var: npt.ArrayLike,
) -> float | np.ndarray:
    """Exact expected risk of min-norm least squares (λ → 0⁺) for Gaussian design, β ~ N(0, α²/d I).

    ``σ² d/(N − d − 1)`` for ``d < N − 1``, ``α²(1 − N/d) + σ² N/(d − N − 1)`` for
    ``d > N + 1``, and ``inf`` in between when ``noise_var > 0`` (Hastie et al. 2022).

    >>> finite_ridgeless_risk(n_samples=100, n_features=33, noise_var=1.0, signal_var=1.0)
    0.5
    >>> finite_ridgeless_risk(n_samples=100, n_features=100, noise_var=1.0, signal_var=1.0)
    inf
    """
    n = check_width("n_samples", n_samples)
    d = check_width("n_features", n_features)
    s2 = check_nonnegative("noise_var", noise_var)
    a2 = check_nonnegative("signal_var", signal_var)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        under = _fn("finite_under")(n, d, s2, a2)
        over = _fn("finite_over")(n, d, s2, a2)
        between = np.where(s2 > 0, np.inf, a2 * np.maximum(0.0, 1.0 - n / d))
    is_between = ~((d < n - 1) | (d > n + 1))
    risk = np.where(d < n - 1, under, np.where(d > n + 1, over, between))
    inputs = {"n_samples": n_samples, "n_features": n_features, "noise_var": noise_var,
              "signal_var": signal_var}  # fmt: skip
    return _out(check_representable(risk, what="risk", inputs=inputs, exempt=is_between))
