"""Random features in the toolkit's convention: λ ⇔ λ_MM, and the risk and tuned λ in sizes.

``lam`` is the λ of ``(1/N) Σ (y − f)² + λ R(a)`` with the readout of ``parametrization``
and ``R`` of ``normalization``; the one conversion to Mei–Montanari's ``λ_MM`` is
:func:`lambda_to_mm` (the pitfall table in :mod:`theory.random_features`).
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import cache

import numpy as np
import sympy as sp

from theory import _symbols as S
from theory._numeric import lambdify
from theory.checks import (
    as_float_array,
    check_broadcast,
    check_nonnegative,
    check_representable,
    check_width,
)
from theory.parametrization import lam_ntk, width_exponent
from theory.random_features._gaussian import Activation, gaussian_equivalence
from theory.random_features._solve import _out, check_psi, mm_risk
from theory.random_features._symbolic import lam_mm, lambda_from_mm_expr
from theory.random_features._tune import optimal_lam_bar

# ---------------------------------------------------------------- the toolkit's convention


@cache
def _mm_to_ntk_fn():
    return lambdify(lambda_from_mm_expr("ntk", "sum"), [lam_mm, S.d])


@cache
def _ntk_to_mm_fn():
    (inverse,) = sp.solve(sp.Eq(lam_ntk, lambda_from_mm_expr("ntk", "sum")), lam_mm)
    return lambdify(inverse, [lam_ntk, S.d])


def lambda_to_mm(lam, *, n_features, input_dim, parametrization="ntk", normalization="sum"):
    """Mei–Montanari's ``λ_MM`` equivalent to ``lam`` in (parametrization, normalization).

    The only λ conversion of this module: ``lam`` → NTK λ_sum
    (:func:`theory.parametrization.lambda_to_ntk`) → ``λ_MM`` (:func:`lambda_from_mm_expr`).

    >>> lambda_to_mm(1e-3, n_features=200, input_dim=100)
    0.1
    """
    lam_v = check_nonnegative("lam", lam)
    e = width_exponent(parametrization, normalization)
    p = check_width("n_features", n_features)
    d = check_width("input_dim", input_dim)
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        value = _ntk_to_mm_fn()(lam_v / p**e, d)  # lam → NTK λ_sum (lambda_to_ntk) → λ_MM
    inputs = {"lam": lam, "n_features": n_features, "input_dim": input_dim}
    return _out(check_representable(value, what="lambda_MM", inputs=inputs, positive=lam_v > 0))


def lambda_from_mm(lam_mm, *, n_features, input_dim, parametrization="ntk", normalization="sum"):
    """Inverse of :func:`lambda_to_mm` (``λ_MM = 0`` maps to exactly 0.0).

    >>> lambda_from_mm(0.1, n_features=200, input_dim=100, parametrization="standard")
    0.2
    """
    lam_v = check_nonnegative("lam_mm", lam_mm)
    e = width_exponent(parametrization, normalization)
    p = check_width("n_features", n_features)
    d = check_width("input_dim", input_dim)
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        value = _mm_to_ntk_fn()(lam_v, d) * p**e  # λ_MM → NTK λ_sum → lambda_from_ntk
    inputs = {"lam_mm": lam_mm, "n_features": n_features, "input_dim": input_dim}
    return _out(check_representable(value, what="lambda", inputs=inputs, positive=lam_v > 0))


@contextmanager
def _solver_named(**inputs):
    """Re-raise the fixed point's ``RuntimeError`` (it names ψ1, ψ2, λ̄, ζ), or an over- or
    underflow in Mei–Montanari's variables, naming the caller's own arguments too, so an input
    out of the solver's (or float64's) reach says which one it was."""
    try:
        yield
    except (RuntimeError, ValueError) as exc:
        if isinstance(exc, ValueError) and "float64" not in str(exc):
            raise
        names = ", ".join(inputs)
        at = ", ".join(f"{k}={v!r}" for k, v in inputs.items())
        raise type(exc)(f"{names}: {exc} (from {at})") from exc


def _problem(n_samples, n_features, input_dim, noise_var, signal_var, nonlinear_var, activation):
    n = check_width("n_samples", n_samples)
    p = check_width("n_features", n_features)
    d = check_width("input_dim", input_dim)
    variances = dict(
        signal_var=check_nonnegative("signal_var", signal_var),
        noise_var=check_nonnegative("noise_var", noise_var),
        nonlinear_var=check_nonnegative("nonlinear_var", nonlinear_var),
    )
    check_broadcast(n_samples=n, n_features=p, input_dim=d, **variances)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        psi_1, psi_2 = p / d, n / d
    inputs = {"n_samples": n_samples, "n_features": n_features, "input_dim": input_dim}
    check_representable(psi_1, what="ratio P/d", inputs=inputs, positive=True)
    check_representable(psi_2, what="ratio N/d", inputs=inputs, positive=True)
    for name, psi in (("n_features/input_dim", psi_1), ("n_samples/input_dim", psi_2)):
        check_psi(name, psi)
    return psi_1, psi_2, gaussian_equivalence(activation), variances


def asymptotic_risk(
    lam,
    *,
    n_samples,
    n_features,
    input_dim,
    noise_var,
    signal_var=1.0,
    nonlinear_var=0.0,
    activation: Activation = "relu",
    parametrization: str = "ntk",
    normalization: str = "sum",
) -> float | np.ndarray:
    """Asymptotic excess test error of random-features ridge at L2 strength ``lam``.

    ``lam`` is in the toolkit's convention ``(1/N) Σ (y − f)² + λ R(a)`` with the readout
    ``f = P^(−c) Σ_j a_j φ_j`` of ``parametrization`` and ``R`` of ``normalization``;
    ``n_features`` is the width P.  Returns ``E_x (f(x) − f̂(x))²``: the noise ``noise_var``
    of a test label is **excluded** (add it for the prediction error).  Arguments broadcast.

    >>> round(asymptotic_risk(0.2, n_samples=300, n_features=200, input_dim=100, noise_var=0.25,
    ...                       parametrization="standard"), 4)    # λ_MM = d λ / P = 0.1
    0.4449
    """
    p1, p2, ge, var = _problem(
        n_samples, n_features, input_dim, noise_var, signal_var, nonlinear_var, activation
    )
    check_broadcast(lam=as_float_array("lam", lam), n_features=p1, n_samples=p2)
    lam_mm_value = lambda_to_mm(
        lam,
        n_features=n_features,
        input_dim=input_dim,
        parametrization=parametrization,
        normalization=normalization,
    )
    inputs = {"lam": lam, "n_samples": n_samples, "n_features": n_features, "input_dim": input_dim}
    with np.errstate(over="ignore"):
        lam_bar_value = np.asarray(lam_mm_value) / ge.mu_star2
    check_representable(lam_bar_value, what="lam_bar = lambda_MM / mu_star^2", inputs=inputs)
    with _solver_named(**inputs):
        return mm_risk(p1, p2, lam_bar_value, zeta=ge.zeta, **var)


def _tuned(n_samples, n_features, input_dim, noise_var, signal_var, nonlinear_var, activation):
    p1, p2, ge, var = _problem(
        n_samples, n_features, input_dim, noise_var, signal_var, nonlinear_var, activation
    )
    if np.any(var["signal_var"] <= 0):
        raise ValueError(
            f"signal_var must be > 0 for a finite optimal λ (pure noise is fit best by λ = ∞), "
            f"got {signal_var!r}"
        )
    with _solver_named(n_samples=n_samples, n_features=n_features, input_dim=input_dim):
        lam_bar_star, risk_star = optimal_lam_bar(p1, p2, zeta=ge.zeta, **var)
    return np.asarray(lam_bar_star) * ge.mu_star2, risk_star


def optimal_lambda(
    *,
    n_samples,
    n_features,
    input_dim,
    noise_var,
    signal_var=1.0,
    nonlinear_var=0.0,
    activation: Activation = "relu",
    parametrization: str = "ntk",
    normalization: str = "sum",
) -> float | np.ndarray:
    """λ* minimizing :func:`asymptotic_risk`, in (parametrization, normalization).

    Returns exactly ``0.0`` where interpolation (the minimum-norm solution) is optimal,
    e.g. at high SNR ``ρ = signal_var/(noise_var + nonlinear_var) ≥ ζ²`` for wide models;
    never the edge of a search grid.  ``signal_var`` must be > 0.  Arguments broadcast.

    >>> round(optimal_lambda(n_samples=300, n_features=10**6, input_dim=100, noise_var=1.0)
    ...       * 100, 4)                      # λ_MM*; wide limit (ζ² − 1)/ψ2 · μ*² = 0.0531
    0.0531
    >>> optimal_lambda(n_samples=300, n_features=10**6, input_dim=100, noise_var=0.1)
    0.0
    """
    lam_mm_star, _ = _tuned(
        n_samples, n_features, input_dim, noise_var, signal_var, nonlinear_var, activation
    )
    return lambda_from_mm(
        lam_mm_star,
        n_features=n_features,
        input_dim=input_dim,
        parametrization=parametrization,
        normalization=normalization,
    )


def tuned_risk(
    *,
    n_samples,
    n_features,
    input_dim,
    noise_var,
    signal_var=1.0,
    nonlinear_var=0.0,
    activation: Activation = "relu",
) -> float | np.ndarray:
    """Excess test error at :func:`optimal_lambda` (the same in every convention)."""
    _, risk_star = _tuned(
        n_samples, n_features, input_dim, noise_var, signal_var, nonlinear_var, activation
    )
    return risk_star
