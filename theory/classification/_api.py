r"""Public numeric door: :func:`gcm_logistic`, the Gaussian and random-features presets, λ*.

Conventions (DESIGN §2): ``lam`` is our λ_sum of the NTK readout ``f = w·x/√p`` in
``(1/N) Σ log(1 + e^{−y f}) + λ Σ w²``.  Sizes: ``n_samples`` (N), ``n_features`` (p, the
width), ``input_dim`` (d).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from theory.checks import (
    as_float_array,
    check_choice,
    check_instance,
    check_int,
    check_nonnegative,
    check_positive,
    check_seed,
    check_width,
)
from theory.classification._convert import to_loureiro
from theory.classification._solve import TEACHERS, Spectrum, solve_spectrum
from theory.parametrization import PARAMETRIZATIONS, lambda_from_ntk, width_exponent
from theory.prior import NORMALIZATIONS
from theory.random_features import gaussian_equivalence

METRICS = ("cross_entropy", "error")


class GCMLogistic(NamedTuple):
    """Asymptotics of ridge logistic regression; every field has the shape of ``lam``.

    ``test_error``: P(sign f ≠ y) on a fresh sample; ``test_loss``: its cross-entropy
    ``E log(1 + e^{−y f})``; ``train_loss``: ``(1/N) Σ log(1 + e^{−y_i f(x_i)})`` at the
    minimizer (penalty excluded); ``m = w̃ᵀΦθ̃``, ``q = w̃ᵀΩw̃`` (``w̃ = w/√p``, ``θ̃ = θ0/√k``),
    ``V`` and the conjugates ``m_hat, q_hat, V_hat``; ``rho = θ̃ᵀΨθ̃``; ``n_iter``: Newton steps.
    """

    test_error: float | np.ndarray
    test_loss: float | np.ndarray
    train_loss: float | np.ndarray
    m: float | np.ndarray
    q: float | np.ndarray
    V: float | np.ndarray
    m_hat: float | np.ndarray
    q_hat: float | np.ndarray
    V_hat: float | np.ndarray
    rho: float
    n_iter: int | np.ndarray


def _out(x):
    x = np.asarray(x)
    return x.item() if x.ndim == 0 else x


def _lam(lam) -> np.ndarray:
    lam = check_positive("lam", lam)  # λ = 0 (max-margin / MLE) is a limit, not a solve
    if lam.size == 0:
        raise ValueError("lam must hold at least one value, got an empty array")
    return lam


def _n_samples(n_samples) -> float:
    arr = check_width("n_samples", n_samples)
    if arr.ndim:
        raise ValueError(f"n_samples must be one number, got {n_samples!r}")
    n = float(arr)
    if n < 1:
        raise ValueError(f"n_samples must be >= 1, got {n_samples!r}")
    return n


def logistic_from_spectrum(
    spectrum: Spectrum, *, n_samples, lam, noise_var=0.0, teacher: str = "sign"
) -> GCMLogistic:
    """Solve the fixed point for a prepared :class:`Spectrum` (the presets' fast path).

    Raises ``RuntimeError`` naming the λ's (and the overlaps reached) where Newton did not
    converge.
    """
    check_choice("teacher", teacher, TEACHERS)
    check_instance("spectrum", spectrum, Spectrum)
    n = _n_samples(n_samples)
    lam = _lam(lam)
    delta = float(check_nonnegative("noise_var", noise_var))
    p = spectrum.n_features
    flat = lam.ravel()
    st = solve_spectrum(
        to_loureiro(flat, n_samples=n), spectrum, alpha=n / p, noise_var=delta, teacher=teacher
    )
    if not np.all(st.converged):
        bad = np.flatnonzero(~st.converged)[:5]
        detail = ", ".join(
            f"(lam={flat[i]:.4g}: m={st.m[i]:.4g}, q={st.q[i]:.4g}, V={st.V[i]:.4g})" for i in bad
        )
        raise RuntimeError(
            f"the logistic GCM fixed point did not converge at {int((~st.converged).sum())} "
            f"λ value(s) (n_samples={n:g}, n_features={p:g}, noise_var={delta:g}, "
            f"teacher={teacher!r}), e.g. {detail}"
        )
    fields = [np.reshape(a, lam.shape) for a in st[:9]]
    return GCMLogistic(
        *[_out(fields[i]) for i in (6, 7, 8, 0, 1, 2, 3, 4, 5)],
        rho=float(spectrum.rho),
        n_iter=_out(np.reshape(st.n_iter, lam.shape)),
    )


# ---------------------------------------------------------------- covariances and spectra


def _matrix(name: str, value, shape: tuple[int | None, int | None], why: str = "") -> np.ndarray:
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a matrix of numbers, got {value!r}") from exc
    if a.ndim != 2 or any(s is not None and s != t for s, t in zip(shape, a.shape, strict=True)):
        want = "×".join("?" if s is None else str(s) for s in shape)
        raise ValueError(f"{name} must be a {want} matrix{why}, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite")
    return a


def _psd(name: str, a: np.ndarray) -> np.ndarray:
    """Eigenvalues of the symmetric PSD ``a``; tolerance 1e-10 relative to the largest
    (round-off of a matrix built as ``F Fᵀ``, far below any meaningful negative eigenvalue)."""
    if not np.allclose(a, a.T, rtol=1e-10, atol=1e-12 * max(1.0, np.abs(a).max())):
        raise ValueError(f"{name} must be symmetric")
    ev = np.linalg.eigvalsh(a)
    if ev[0] < -1e-10 * max(1.0, abs(ev[-1])):
        raise ValueError(f"{name} must be positive semi-definite, smallest eigenvalue {ev[0]:.3g}")
    return ev


def gcm_logistic(
    Psi,
    Phi,
    Omega,
    *,
    n_samples,
    lam,
    teacher: str = "sign",
    noise_var=0.0,
    teacher_weights=None,
) -> GCMLogistic:
    r"""Asymptotic test error, test cross-entropy and training loss of ridge logistic regression.

    Gaussian covariate model (Loureiro et al. 2021): teacher features ``u`` (``Psi``, k×k),
    student features ``x`` (``Omega``, p×p), ``E x uᵀ = Phi`` (p×k); with ``ν = θ0·u/√k`` the
    labels are ``y = sign(ν + √noise_var ε)`` (``teacher="sign"``) or ``+1`` with probability
    ``σ(ν + √noise_var ε)`` (``teacher="logit"``, where the scale of ``ν`` -- of Ψ and θ0 --
    is the signal strength); the student ``f = w·x/√p`` minimizes
    ``(1/N) Σ log(1 + e^{−y f}) + lam Σ w²`` (Loureiro et al.'s ``λ = 2 N lam``).
    ``teacher_weights`` (θ0, length k) fixes the teacher; by default θ0 ~ N(0, I_k) is
    averaged over (``ρ = tr Ψ/k``).  ``lam`` may be an array (one ``jax.vmap`` batch).

    >>> import numpy as np
    >>> r = gcm_logistic(np.eye(50), np.eye(50), np.eye(50), n_samples=100, lam=5e-3)
    >>> round(r.test_error, 4), round(r.test_loss, 4)     # Gaussian data, α = N/p = 2
    (0.2051, 0.5421)
    """
    Psi = _matrix("Psi", Psi, (None, None))
    k = Psi.shape[0]
    Psi = _matrix("Psi", Psi, (k, k))
    Omega = _matrix("Omega", Omega, (None, None))
    p = Omega.shape[0]
    Omega = _matrix("Omega", Omega, (p, p))
    Phi = _matrix("Phi", Phi, (p, k), f" (p×k: Omega is {p}×{p}, Psi {k}×{k})")
    _psd("Psi", Psi)
    _psd("Omega", Omega)
    joint = np.block([[Psi, Phi.T], [Phi, Omega]])
    if np.linalg.eigvalsh(0.5 * (joint + joint.T))[0] < -1e-10 * max(1.0, np.abs(joint).max()):
        raise ValueError(
            "Phi is inconsistent with Psi and Omega: [[Psi, Phiᵀ], [Phi, Omega]] is not PSD"
        )
    omega, u = np.linalg.eigh(0.5 * (Omega + Omega.T))
    if teacher_weights is None:
        t = np.einsum("ij,ij->j", u, Phi @ Phi.T @ u) / k
        rho = np.trace(Psi) / k
    else:
        theta = as_float_array("teacher_weights", teacher_weights)
        if theta.shape != (k,):
            raise ValueError(f"teacher_weights must have length k = {k}, got shape {theta.shape}")
        theta = theta / math.sqrt(k)
        t = (u.T @ (Phi @ theta)) ** 2
        rho = float(theta @ Psi @ theta)
    if not rho > 0:
        raise ValueError(f"Psi must give the teacher a positive variance, got ρ = {rho:.3g}")
    spec = Spectrum(np.maximum(omega, 0.0), t, np.ones(p), float(rho))
    return logistic_from_spectrum(
        spec, n_samples=n_samples, lam=lam, noise_var=noise_var, teacher=teacher
    )


def gaussian_covariances(n_features: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(Psi, Phi, Omega) = (I, I, I)``: Gaussian inputs ``x ~ N(0, I_p)``, linear teacher
    ``y = sign(θ0·x/√p)`` (Salehi et al. 2019, Aubin et al. 2020)."""
    p = check_int("n_features", n_features, minimum=1)
    eye = np.eye(p)
    return eye, eye.copy(), eye.copy()


def gaussian_spectrum(n_features, *, signal_var=1.0) -> Spectrum:
    """Spectrum of :func:`gaussian_covariances` (one eigenvalue 1 of multiplicity p) with the
    teacher field ``ν = θ0·x/√p`` of variance ``ρ = signal_var`` (θ0 ~ N(0, signal_var·I);
    Sur & Candès's γ² for the logit teacher)."""
    p = float(check_positive("n_features", n_features))
    rho = float(check_positive("signal_var", signal_var))
    return Spectrum(np.array([1.0]), np.array([rho]), np.array([p]), rho)


def _feature_directions(n_features: int, input_dim: int, seed: int) -> np.ndarray:
    """Rows on the sphere of radius √d; nested in ``n_features`` (the first rows of a larger
    draw with the same seed), so width scans move one feature at a time."""
    z = np.random.default_rng(seed).standard_normal((n_features, input_dim))
    return z * math.sqrt(input_dim) / np.linalg.norm(z, axis=1, keepdims=True)


def random_features_covariances(
    *, n_features: int, input_dim: int, activation="relu", seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Gaussian-equivalent ``(Psi, Phi, Omega)`` of centered random features of Gaussian inputs.

    Inputs ``z ~ N(0, I_d)``, teacher ``ν = θ0·z/√d`` (so ``Ψ = I_d``, k = d); features
    ``x_j = σ(F_j·z/√d) − μ0`` with rows ``F_j`` on the sphere of radius √d (seeded, nested).
    Gaussian equivalence (``x ≈ μ1 Fz/√d + μ* η``) gives ``Φ = E x zᵀ = μ1 F/√d`` and
    ``Ω = μ1² FFᵀ/d + μ*² I_p`` (the μ's of :func:`theory.random_features.gaussian_equivalence`).
    Centering matters: the student has no intercept, and a mean μ0 is no Gaussian covariance.
    """
    p = check_int("n_features", n_features, minimum=1)
    d = check_int("input_dim", input_dim, minimum=1)
    ge = gaussian_equivalence(activation)
    F = _feature_directions(p, d, check_seed("seed", seed))
    Phi = ge.mu1 * F / math.sqrt(d)
    Omega = Phi @ Phi.T + ge.mu_star2 * np.eye(p)
    return np.eye(d), Phi, Omega


def random_features_spectrum(
    *, n_features: int, input_dim: int, activation="relu", seed: int = 0
) -> Spectrum:
    """Spectrum of :func:`random_features_covariances` from the d×d (or p×p) Gram matrix:
    ``ω_i = μ1² s_i + μ*²``, ``t_i = μ1² s_i/d`` (teacher averaged), ``s_i`` the eigenvalues of
    ``FFᵀ/d``; the ``p − d`` zero ones (p > d) as one eigenvalue μ*² of that multiplicity."""
    p = check_int("n_features", n_features, minimum=1)
    d = check_int("input_dim", input_dim, minimum=1)
    ge = gaussian_equivalence(activation)
    F = _feature_directions(p, d, check_seed("seed", seed))
    gram = F.T @ F / d if p >= d else F @ F.T / d
    s = np.maximum(np.linalg.eigvalsh(gram), 0.0)
    omega = ge.mu1**2 * s + ge.mu_star2
    t = ge.mu1**2 * s / d
    mult = np.ones(s.size)
    if p > d:
        omega, t, mult = (
            np.append(a, b)
            for a, b in zip((omega, t, mult), (ge.mu_star2, 0.0, p - d), strict=True)
        )
    return Spectrum(omega, t, mult, 1.0)


def gaussian_logistic(
    lam, *, n_samples, n_features, noise_var=0.0, teacher: str = "sign", signal_var=1.0
) -> GCMLogistic:
    """:func:`gcm_logistic` for Gaussian inputs and a linear teacher (α = N/p) of field variance
    ``signal_var`` (:func:`gaussian_spectrum`).

    >>> round(gaussian_logistic(5e-3, n_samples=100, n_features=50).test_error, 4)
    0.2051
    >>> round(gaussian_logistic(5e-3, n_samples=100, n_features=50, teacher="logit",
    ...                         signal_var=5.0).test_error, 4)
    0.3131
    """
    return logistic_from_spectrum(
        gaussian_spectrum(n_features, signal_var=signal_var),
        n_samples=n_samples,
        lam=lam,
        noise_var=noise_var,
        teacher=teacher,
    )


def random_features_logistic(
    lam,
    *,
    n_samples,
    n_features,
    input_dim,
    activation="relu",
    noise_var=0.0,
    seed: int = 0,
    teacher: str = "sign",
) -> GCMLogistic:
    """:func:`gcm_logistic` for centered random features (:func:`random_features_spectrum`;
    the teacher field ``θ0·z/√d`` has variance 1)."""
    spec = random_features_spectrum(
        n_features=n_features, input_dim=input_dim, activation=activation, seed=seed
    )
    return logistic_from_spectrum(
        spec, n_samples=n_samples, lam=lam, noise_var=noise_var, teacher=teacher
    )


# ---------------------------------------------------------------- λ*


class LambdaStar(NamedTuple):
    """λ* (our NTK λ_sum) minimizing ``metric``, the minimum, and whether it sits at the grid
    floor ``lam_min`` (then ``lam`` is 0.0: the minimizer is below the floor, λ → 0⁺)."""

    lam: float
    value: float
    at_floor: bool


def optimal_lambda(
    spectrum: Spectrum,
    *,
    n_samples,
    metric: str = "cross_entropy",
    noise_var=0.0,
    lam_min=None,
    lam_max=None,
    per_decade: int = 2,
    teacher: str = "sign",
) -> LambdaStar:
    """λ* of the test ``metric`` by a log grid, a finer grid around its best point and a
    parabola through the three best points in log λ.

    The default range is ``λ_L = 2Nλ ∈ [1e-5, 1e2]·α``; a minimum at the floor returns
    ``LambdaStar(0.0, value, True)`` (e.g. the test error of separable data, where the
    max-margin limit λ → 0⁺ is optimal or indistinguishable from it).
    """
    check_choice("metric", metric, METRICS)
    check_choice("teacher", teacher, TEACHERS)
    check_instance("spectrum", spectrum, Spectrum)
    per_decade = check_int("per_decade", per_decade, minimum=1)
    n = _n_samples(n_samples)
    alpha = n / spectrum.n_features
    lo = 1e-5 * alpha / (2 * n) if lam_min is None else float(check_positive("lam_min", lam_min))
    hi = 1e2 * alpha / (2 * n) if lam_max is None else float(check_positive("lam_max", lam_max))
    if not lo < hi:
        raise ValueError(f"lam_min must be < lam_max, got lam_min={lo!r}, lam_max={hi!r}")
    field = "test_loss" if metric == "cross_entropy" else "test_error"

    def values(grid):
        r = logistic_from_spectrum(
            spectrum, n_samples=n, lam=grid, noise_var=noise_var, teacher=teacher
        )
        return np.asarray(getattr(r, field))

    n_grid = int(math.ceil(per_decade * math.log10(hi / lo))) + 1
    grid = np.logspace(math.log10(lo), math.log10(hi), n_grid)
    v = values(grid)
    i = int(np.argmin(v))
    if i == 0:
        return LambdaStar(0.0, float(v[0]), True)
    step = math.log10(grid[1] / grid[0])
    fine = 10 ** (math.log10(grid[i]) + step * np.linspace(-1, 1, 13))
    vf = values(fine)
    j = int(np.clip(np.argmin(vf), 1, len(fine) - 2))
    x, y = np.log10(fine[j - 1 : j + 2]), vf[j - 1 : j + 2]
    curv = y[0] - 2 * y[1] + y[2]
    h = x[1] - x[0]
    shift = 0.5 * h * (y[0] - y[2]) / curv if curv > 0 else 0.0
    x_star = x[1] + float(np.clip(shift, -h, h))
    lam_star = 10**x_star
    return LambdaStar(float(lam_star), float(values(np.array([lam_star]))[0]), False)


def lambda_star_conventions(widths, lam_ntk) -> dict[str, np.ndarray]:
    """λ* in the six (parametrization, normalization) conventions from the NTK λ_sum along
    ``widths`` (:func:`theory.parametrization.lambda_from_ntk`; keys ``"ntk/sum"`` etc.).
    Also ``"<par>/<norm>/exponent"``: the exponent the readout rule predicts once λ_NTK*
    stops moving."""
    widths = check_positive("widths", widths)
    lam_ntk = check_nonnegative("lam_ntk", lam_ntk)
    out = {}
    for par in PARAMETRIZATIONS:
        for norm in NORMALIZATIONS:
            out[f"{par}/{norm}"] = np.asarray(
                lambda_from_ntk(lam_ntk, width=widths, parametrization=par, normalization=norm)
            )
            out[f"{par}/{norm}/exponent"] = np.asarray(float(width_exponent(par, norm)))
    return out
