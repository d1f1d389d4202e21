"""The logit teacher of theory.classification: ``P(y = 1 | ν) = σ(ν + √Δ ε)`` (Sur & Candès 2019,
Salehi et al. 2019), against simulation, a second quadrature route and symbolic limits.

The Gaussian problems use ``γ² = ρ = 5`` (Sur–Candès's example), at N/p = 2 (separable:
h_MLE(√5) = 0.326 < 1/2) and N/p = 5 (the MLE exists).  Every solve shares one compiled shape
(spectrum ≤ 64 eigenvalues, ≤ 16 λ per batch).  Published values are in
``test_classification_published.py``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from scipy.integrate import quad
from scipy.special import expit

from theory import classification as C
from theory.classification import _simulate, _solve
from theory.classification import _symbolic as Y

GAMMA2 = 5.0
LAM_L = np.array([1e-3, 1e-2, 1e-1, 1.0, 10.0])  # Loureiro λ = 2Nλ, down to the separable end


def _gauss(z: float) -> float:
    return math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)


# ---------------------------------------------------------------- the channel's integrals


@pytest.mark.parametrize(
    ("mu", "s"), [(0.3, 1e-2), (-2.0, 1.0), (5.0, 100.0), (0.0, 25.0), (1.0, 1e-8), (-7.0, 4.0)]
)
def test_logit_z0_matches_adaptive_quadrature(mu, s):
    """``Z0 = E_z σ(μ + √s z)`` and ``∂_μZ0 = E_z σ'(μ + √s z)`` of the solver's composite rule
    against ``scipy.integrate.quad`` (adaptive, split at the sigmoid's centre, epsabs 1e-14):
    1e-10 is far below any tolerance downstream and far above the quad error."""
    import jax

    with jax.enable_x64(True):
        z0, dz0 = (float(a[0]) for a in _solve._logit_z0(jax.numpy.array([mu]), s))
    sd = math.sqrt(s)
    pts = [-mu / sd] if abs(mu / sd) < 12 else None

    def e(fn):
        return quad(lambda z: _gauss(z) * fn(mu + sd * z), -12, 12, points=pts, limit=200,
                    epsabs=1e-14)[0]  # fmt: skip

    assert z0 == pytest.approx(e(expit), abs=1e-10)
    assert dz0 == pytest.approx(e(lambda t: expit(t) * expit(-t)), abs=1e-10)


def test_logit_test_error_by_a_second_route():
    """The solver's test error ``2 E_ξ[1(ξ>0)(1 − Z0)]`` equals the simulation module's
    population error ``2 E_ν[σ(−ν̃) Φ(mν/(ρ s))]`` (nested ``quad``, no shared code) at the
    solver's own (m, q), with and without probit noise on the logit; 1e-8 covers both rules'
    quadrature error."""
    for delta in (0.0, 0.5):
        r = C.gaussian_logistic(
            C.from_loureiro(np.array([1e-2, 1.0]), n_samples=300),
            n_samples=300,
            n_features=100,
            teacher="logit",
            signal_var=GAMMA2,
            noise_var=delta,
        )
        for i in range(2):
            other = _simulate._population_error(r.m[i], r.q[i], GAMMA2, delta, "logit")
            assert r.test_error[i] == pytest.approx(other, abs=1e-8)


# ---------------------------------------------------------------- simulation


@pytest.fixture(scope="module")
def logit_sim():
    """p = 200, N/p = 2 and 5, γ² = 5, 6 seeds, 5 λ (10 points per quantity)."""
    out = {}
    for alpha in (2.0, 5.0):
        p = 200
        n = int(alpha * p)
        lam = C.from_loureiro(LAM_L, n_samples=n)
        sim = C.simulate_logistic(
            lam, n_samples=n, n_features=p, teacher="logit", signal_var=GAMMA2, n_draws=6,
            n_test=4000, seed=3,
        )  # fmt: skip
        th = C.gaussian_logistic(lam, n_samples=n, n_features=p, teacher="logit", signal_var=GAMMA2)
        out[alpha] = (sim, th)
    return out


@pytest.mark.parametrize("alpha", [2.0, 5.0])
@pytest.mark.parametrize(
    ("sim_key", "th_key"),
    [
        ("error_exact", "test_error"),
        ("test_loss", "test_loss"),
        ("train_loss", "train_loss"),
        ("m", "m"),
        ("q", "q"),
    ],
)
def test_logit_matches_simulation(logit_sim, alpha, sim_key, th_key):
    """Within 3 s.e. of 6 seeds at each λ (s.e. from the seed spread, which includes the label
    coin flips and the n_test = 4000 test sample for the cross-entropy; the O(1/p) = 0.5 %
    finite-size bias is below it).  Largest |z| at these seeds: 1.95 (test loss, N/p = 5).
    With the s.e. from 6 draws z follows t with 5 dof, so |z| ≥ 3 has 3.0% probability per
    point under the theory (~26% somewhere in 10 points): a strict bound, deterministic because
    the draws are seeded."""
    sim, th = logit_sim[alpha]
    values = sim[sim_key]
    mean, se = values.mean(0), values.std(0, ddof=1) / math.sqrt(values.shape[0])
    z = (mean - np.asarray(getattr(th, th_key))) / se
    assert np.all(np.abs(z) < 3), z


def test_logit_random_features_match_simulation():
    """Centered erf features (d = 40, p = 60, N = 120) with the logit teacher: the
    Gaussian-equivalent spectrum against scikit-learn on the real features, same F, 6 draws;
    within 3 s.e. (Gaussian equivalence is itself asymptotic, O(1/√d) per draw; t with 5 dof
    as in test_logit_matches_simulation; largest |z| at these seeds: 0.93)."""
    d, p, n = 40, 60, 120
    lam = C.from_loureiro(np.array([1e-2, 1e-1, 1.0]), n_samples=n)
    th = C.random_features_logistic(
        lam, n_samples=n, n_features=p, input_dim=d, activation="erf", seed=3, teacher="logit"
    )
    sim = C.simulate_logistic(
        lam, n_samples=n, n_features=p, input_dim=d, activation="erf", teacher="logit",
        n_draws=6, n_test=4000, seed=2, feature_seed=3,
    )  # fmt: skip
    for key in ("test_error", "test_loss", "train_loss"):
        mean = sim[key].mean(0)
        se = sim[key].std(0, ddof=1) / math.sqrt(6)
        assert np.all(np.abs(mean - getattr(th, key)) < 3 * se), (key, mean, getattr(th, key))


# ---------------------------------------------------------------- symbolic limits


def test_hebb_limit_any_teacher():
    """λ → ∞: the general Hebbian cosine (derived) reduces to the sign teacher's
    √(2α/(2α+π)) at c = 1/√(2π), and with the logit teacher's ``c = E σ'(ν)``, ν ~ N(0, γ²)
    (by ``quad``), it is the solver's m/√(ρq) at λ_L = 1e4 within O(1/λ_L) (1e-3, as for the
    sign teacher); the test cross-entropy tends to log 2."""
    cos = C.hebb_cosine_expr()
    sign = cos.subs(Y.slope, 1 / sp.sqrt(2 * sp.pi * (Y.rho + Y.noise)))
    assert sp.simplify(sign - C.large_lambda_cosine_expr()) == 0
    c = quad(lambda u: _gauss(u) * expit(math.sqrt(GAMMA2) * u) * expit(-math.sqrt(GAMMA2) * u),
             -12, 12, epsabs=1e-14)[0]  # fmt: skip
    for alpha in (0.5, 2.0, 5.0):
        n = alpha * 40
        r = C.gaussian_logistic(
            C.from_loureiro(1e4, n_samples=n), n_samples=n, n_features=40, teacher="logit",
            signal_var=GAMMA2,
        )  # fmt: skip
        want = float(cos.subs({Y.rho: GAMMA2, Y.noise: 0, Y.alpha: alpha, Y.slope: c}))
        assert r.m / math.sqrt(GAMMA2 * r.q) == pytest.approx(want, abs=1e-3)
        assert r.test_loss == pytest.approx(math.log(2), abs=1e-3)


def test_logit_separability_limits():
    """Weak signal: Cover's α_c = 2 (labels independent of x); h_MLE falls as γ grows (a
    stronger teacher separates at fewer samples per parameter) toward 0 (α_c → ∞, the
    noiseless limit; 0.020 at γ = 50, a twentieth of the γ = 0.5 value); probit noise on the
    logit moves it back toward 1/2."""
    assert C.separability_threshold(0.0, rho=1e-12, teacher="logit") == pytest.approx(2.0, 1e-6)
    h = [C.separability_ratio(0.0, rho=g * g, teacher="logit") for g in (0.5, 1, 2, 5, 50)]
    assert np.all(np.diff(h) < 0) and h[-1] < 0.05 * h[0], h
    assert C.separability_ratio(1.0, rho=4.0, teacher="logit") > h[2]


# ---------------------------------------------------------------- λ*


def test_logit_optimal_lambda_is_a_minimum():
    """λ* of the test cross-entropy (logit teacher, γ² = 5, N/p = 2) is an interior minimum,
    and the fixed point at 0.8 λ* and 1.25 λ* is not lower."""
    spec = C.gaussian_spectrum(50, signal_var=GAMMA2)
    star = C.optimal_lambda(spec, n_samples=100, metric="cross_entropy", teacher="logit")
    assert not star.at_floor and star.lam > 0
    around = C.logistic_from_spectrum(
        spec, n_samples=100, lam=star.lam * np.array([0.8, 1.25]), teacher="logit"
    )
    assert np.all(around.test_loss >= star.value - 1e-9)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: C.gaussian_logistic(1e-2, n_samples=10, n_features=5, teacher="probit"),
         "teacher"),
        (lambda: C.gaussian_logistic(1e-2, n_samples=10, n_features=5, signal_var=0.0),
         "signal_var"),
        (lambda: C.gaussian_spectrum(5, signal_var=-1.0), "signal_var"),
        (lambda: C.gaussian_spectrum(5, signal_var=math.nan), "signal_var"),
        (lambda: C.optimal_lambda(C.gaussian_spectrum(5), n_samples=10, teacher="x"), "teacher"),
        (lambda: C.separability_ratio(0.1, teacher="tanh"), "teacher"),
        (lambda: C.separability_threshold(0.1, teacher=None), "teacher"),
        (lambda: C.simulate_logistic(0.1, n_samples=10, n_features=4, teacher="x"), "teacher"),
        (lambda: C.simulate_logistic(0.1, n_samples=10, n_features=4, signal_var=-2.0),
         "signal_var"),
        (lambda: C.random_features_logistic(0.1, n_samples=10, n_features=3, input_dim=2,
                                            teacher=3), "teacher"),
    ],
)  # fmt: skip
def test_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=f"^{name}"):
        call()
