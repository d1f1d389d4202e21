"""theory.linear: linear ridge theory checked symbolically, by independent numeric routes and by
Monte Carlo.

Expected values come from the literature (DESIGN §3: Dobriban & Wager 2018, Hastie et al. 2022),
from hand derivations written out in the test, or from an independent computation (numerical
quadrature against the Marchenko–Pastur density, the posterior mean in its kernel form, direct
linear solves, 60-digit mpmath); never from the code under test.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate, optimize

from theory import _symbols as S
from theory import latex
from theory import linear as L

ALPHA2, SIGMA2, GAMMA, LAM = S.alpha2, S.sigma2, S.gamma, S.lam


def mp_integral(fn, gamma: float) -> float:
    """``∫ fn(x) dF_γ(x)`` against the Marchenko–Pastur law by adaptive quadrature.

    Density ``√((b − x)(x − a)) / (2π γ x)`` on ``[a, b] = [(1 ∓ √γ)²]`` plus an atom
    ``1 − 1/γ`` at 0 when γ > 1.  (Independent of the Stieltjes-transform algebra.)
    """
    a, b = (1 - np.sqrt(gamma)) ** 2, (1 + np.sqrt(gamma)) ** 2
    val, err = integrate.quad(
        lambda t: fn(t) * np.sqrt((b - t) * (t - a)) / (2 * np.pi * gamma * t),
        a,
        b,
        epsabs=1e-13,
        epsrel=1e-12,
        limit=200,
    )
    assert err < 1e-9
    return val + (max(0.0, 1 - 1 / gamma) * fn(0.0))


# ================================================================ symbolic


def test_bayes_lambda_is_the_map_identity_solved_for_lambda():
    # hand derivation: σ²/(N λ) = s² d^(-κ)  ⇒  λ_sum = σ² d^κ / (N s²);  λ_mean = d λ_sum (P = d)
    lam_sum = S.sigma2 * S.d**S.kappa / (S.N * S.s2)
    assert sp.simplify(L.bayes_optimal_lambda_expr("sum") - lam_sum) == 0
    assert sp.simplify(L.bayes_optimal_lambda_expr("mean") - S.d * lam_sum) == 0
    # DESIGN §3 anchor: κ = 1, s² = α² gives σ² d / (N α²)
    at_k1 = L.bayes_optimal_lambda_expr("sum").subs({S.kappa: 1, S.s2: ALPHA2})
    assert sp.simplify(at_k1 - S.sigma2 * S.d / (S.N * ALPHA2)) == 0


def test_finite_sample_lambda_equals_asymptotic_lambda_at_d_over_n_gamma():
    for norm in ("sum", "mean"):
        finite = L.bayes_optimal_lambda_expr(norm).subs({S.kappa: 1, S.s2: ALPHA2})
        finite = finite.subs(S.N, S.d / GAMMA)  # d/N = γ
        assert sp.simplify(finite - L.optimal_lambda_expr(norm)) == 0, norm


def test_lambda_mean_is_d_times_lambda_sum():
    assert sp.simplify(L.optimal_lambda_expr("mean") - S.d * L.optimal_lambda_expr("sum")) == 0
    assert sp.simplify(L.optimal_lambda_expr("sum") - GAMMA * SIGMA2 / ALPHA2) == 0  # DESIGN §3


def test_risk_is_dobriban_wager():
    m, dm = L.m_val, L.dm_val
    published = ALPHA2 * LAM**2 * dm + SIGMA2 * GAMMA * (m - LAM * dm)  # DESIGN §3
    assert sp.expand(L.risk_expr() - published) == 0
    # the integrand by hand: ŵ − β = (ξ − λβ)/(x + λ), E β² = α²/d, E ξ² = σ² x/N, d = γN
    x = L.x
    hand = (ALPHA2 * LAM**2 + GAMMA * SIGMA2 * x) / (x + LAM) ** 2
    assert sp.simplify(L.risk_integrand_expr() - hand) == 0


def test_lambda_star_minimizes_every_spectral_component():
    x = sp.Symbol("x", positive=True)
    integrand = L.risk_integrand_expr().subs(L.x, x)
    d1 = sp.diff(integrand, LAM)
    lam_star = L.optimal_lambda_expr()
    # ∂/∂λ = 2x(α²λ − γσ²)/(x + λ)³: negative below λ*, positive above, for every x > 0
    assert sp.simplify(d1 - 2 * x * (ALPHA2 * LAM - GAMMA * SIGMA2) / (x + LAM) ** 3) == 0
    d2 = sp.simplify(sp.diff(integrand, LAM, 2).subs(LAM, lam_star))
    assert sp.simplify(d2 - 2 * ALPHA2 * x / (x + lam_star) ** 3) == 0
    assert d2.is_positive


def test_explicit_mp_risk_is_stationary_at_lambda_star():
    d_risk = sp.diff(L.risk_explicit_expr(), LAM)
    assert sp.simplify(d_risk.subs(LAM, L.optimal_lambda_expr())) == 0


def test_solving_the_explicit_mp_derivative_gives_lambda_star():
    d_risk = sp.together(sp.diff(L.risk_explicit_expr(), LAM))
    roots = sp.solve(sp.numer(d_risk), LAM)
    # besides λ*, SymPy reports −(1 − √γ)² ≤ 0, outside λ > 0
    admissible = [r for r in roots if not sp.simplify(r + (1 - sp.sqrt(GAMMA)) ** 2) == 0]
    assert len(admissible) == 1
    assert sp.simplify(admissible[0] - GAMMA * SIGMA2 / ALPHA2) == 0


def test_stieltjes_root_solves_mp_equation_and_is_the_stieltjes_branch():
    m = L.stieltjes_expr()
    residual = L.mp_equation_expr().subs({sp.Symbol("m"): m, sp.Symbol("z"): -LAM})
    assert sp.simplify(sp.expand(residual)) == 0
    assert sp.limit(LAM * m, LAM, sp.oo) == 1  # m(z) ~ −1/z
    for g, lam in [(0.3, 0.01), (1, 1e-3), (2, 0.5), (5, 10)]:  # positive on λ > 0
        assert float(m.subs({GAMMA: g, LAM: lam})) > 0


@pytest.mark.parametrize("gamma", [0.3, 0.5, 2.0, 3.0])
@pytest.mark.parametrize("lam", [0.01, 0.5, 3.0])
def test_stieltjes_matches_quadrature_against_mp_density(gamma, lam):
    # quadrature error < 1e-9 (asserted in mp_integral); 1e-8 relative leaves room for it
    m = mp_integral(lambda t: 1 / (t + lam), gamma)
    dm = mp_integral(lambda t: 1 / (t + lam) ** 2, gamma)
    assert L.mp_stieltjes(lam, gamma=gamma) == pytest.approx(m, rel=1e-8)
    assert L.mp_stieltjes_derivative(lam, gamma=gamma) == pytest.approx(dm, rel=1e-8)
    risk = mp_integral(lambda t: (2.0 * lam**2 + gamma * 0.5 * t) / (t + lam) ** 2, gamma)
    assert L.asymptotic_risk(lam, gamma=gamma, noise_var=0.5, signal_var=2.0) == pytest.approx(
        risk, rel=1e-8
    )


@pytest.mark.parametrize(
    "gamma, closed_form",
    [
        (sp.Rational(1, 2), sp.sqrt(2) - 1),
        (1, (sp.sqrt(5) - 1) / 2),
        (2, (sp.sqrt(17) - 1) / 4),
    ],
)
def test_optimal_risk_matches_published_values(gamma, closed_form):
    assert L.optimal_risk_expr() == GAMMA * SIGMA2 * L.m_val  # DESIGN §3: R* = σ²γ m(−λ*)
    r_star = L.optimal_risk_explicit_expr().subs({ALPHA2: 1, SIGMA2: 1, GAMMA: gamma})
    assert sp.simplify(r_star - closed_form) == 0
    # numeric twin; 1e-14: a few ulps of float64
    value = L.optimal_risk(gamma=float(gamma), noise_var=1.0, signal_var=1.0)
    assert value == pytest.approx(float(closed_form), rel=1e-14)


def test_ridgeless_limits_match_hastie_et_al():
    # DESIGN §3: σ²γ/(1 − γ) for γ < 1; α²(1 − 1/γ) + σ²/(γ − 1) for γ > 1
    assert sp.simplify(L.ridgeless_risk_expr("under") - SIGMA2 * GAMMA / (1 - GAMMA)) == 0
    over = ALPHA2 * (1 - 1 / GAMMA) + SIGMA2 / (GAMMA - 1)
    assert sp.simplify(L.ridgeless_risk_expr("over") - over) == 0
    # finite N: σ² d/(N − d − 1) and α²(1 − N/d) + σ² N/(d − N − 1)
    N, d = S.N, S.d
    under_n = SIGMA2 * d / (N - d - 1)
    over_n = ALPHA2 * (1 - N / d) + SIGMA2 * N / (d - N - 1)
    assert sp.simplify(L.finite_ridgeless_risk_expr("under") - under_n) == 0
    assert sp.simplify(L.finite_ridgeless_risk_expr("over") - over_n) == 0
    # ... and they tend to the asymptotic ones with d = γN, N → ∞
    for regime in ("under", "over"):
        lim = sp.limit(L.finite_ridgeless_risk_expr(regime).subs(d, GAMMA * N), N, sp.oo)
        assert sp.simplify(lim - L.ridgeless_risk_expr(regime)) == 0, regime


def test_gamma_one_divergence_is_sigma2_over_two_sqrt_lambda():
    # hand expansion at γ = 1: m = 2/(λ + √(λ² + 4λ)) ≈ λ^(-1/2), m' ≈ λ^(-3/2)/2, so
    # R ≈ γσ²(m − λ m') ≈ σ²/(2√λ)
    series = sp.series(L.risk_explicit_expr().subs(GAMMA, 1), LAM, 0, 0).removeO()
    assert sp.simplify(series - SIGMA2 / (2 * sp.sqrt(LAM))) == 0
    for lam in (1e-8, 1e-12, 1e-16):  # next term −σ²/2 is √λ relative to the leading one
        r = L.asymptotic_risk(lam, gamma=1.0, noise_var=1.0, signal_var=1.0)
        assert r * np.sqrt(lam) == pytest.approx(0.5, rel=2 * np.sqrt(lam))


def test_latex_macros_are_registered_and_render():
    names = {
        "LinBayesLambdaSum",
        "LinBayesLambdaMean",
        "LinStieltjes",
        "LinRisk",
        "LinLambdaStarSum",
        "LinLambdaStarMean",
        "LinRiskStar",
        "LinRiskStarExplicit",
        "LinRiskStarUnit",
        "LinRidgelessUnder",
        "LinRidgelessOver",
        "LinRidgelessFiniteUnder",
        "LinRidgelessFiniteOver",
    }
    assert names <= set(latex.registered())
    assert latex.render("LinLambdaStarSum") == r"\lambda^{\star}_{\mathrm{sum}} = " + sp.latex(
        GAMMA * SIGMA2 / ALPHA2
    )
    for name in names:
        body = latex.render(name)
        assert body.count("{") == body.count("}"), name


# ================================================================ numeric, independent routes


@pytest.mark.parametrize(
    "gamma, noise_var, signal_var",
    [(0.5, 1.0, 1.0), (1.0, 1.0, 1.0), (2.0, 1.0, 1.0), (0.2, 3.0, 0.5), (4.0, 0.1, 2.0)],
)
def test_bounded_minimizer_finds_lambda_star(gamma, noise_var, signal_var):
    lam_star = L.optimal_lambda(gamma=gamma, noise_var=noise_var, signal_var=signal_var)

    def risk(log_lam):
        return L.asymptotic_risk(
            np.exp(log_lam), gamma=gamma, noise_var=noise_var, signal_var=signal_var
        )

    res = optimize.minimize_scalar(
        risk,
        bounds=(np.log(lam_star) - 5, np.log(lam_star) + 5),
        method="bounded",
        options={"xatol": 1e-10},
    )
    # R − R* ≈ ½R''δ²: float64 risk resolves δ ~ √(ulp/R'') ~ 1e-8, well inside 1e-6
    assert abs(np.exp(res.x) - lam_star) < 1e-6 * max(1.0, lam_star)
    assert res.fun == pytest.approx(
        L.optimal_risk(gamma=gamma, noise_var=noise_var, signal_var=signal_var), rel=1e-13
    )


_explicit_mp = sp.lambdify(
    [LAM, GAMMA, SIGMA2, ALPHA2], L.risk_explicit_expr(), modules="mpmath"
)  # the raw closed form, evaluated at 60 digits: no cancellation can survive


@given(
    log_lam=st.floats(-12, 12),
    log_gamma=st.floats(-3, 3),
    near_one=st.sampled_from([None, 0.0, 1e-13, -1e-13, 1e-7, -1e-7]),
    noise_var=st.floats(1e-3, 1e3),
    signal_var=st.floats(1e-3, 1e3),
)
def test_asymptotic_risk_matches_60_digit_closed_form(
    log_lam, log_gamma, near_one, noise_var, signal_var
):
    lam = 10.0**log_lam
    gamma = 10.0**log_gamma if near_one is None else 1.0 + near_one
    with mpmath.workdps(60):
        mp = mpmath.mpf
        ref = float(_explicit_mp(mp(lam), mp(gamma), mp(noise_var), mp(signal_var)))
    got = L.asymptotic_risk(lam, gamma=gamma, noise_var=noise_var, signal_var=signal_var)
    # each of the ~20 float operations is correctly rounded and none cancels: 1e-13 ≈ 500 ulp
    assert got == pytest.approx(ref, rel=1e-13)


@given(
    lam=st.floats(0, 1e6),
    gamma=st.floats(1e-3, 1e3),
    # normal floats only: γσ²/α² of a subnormal σ² can round to 0, which optimal_lambda
    # rejects as an underflow (test_optimal_lambda_rejects_underflow); a normal σ² ≥ 2.2e-308
    # gives λ* ≥ 2.2e-314 here, representable
    noise_var=st.floats(0, 1e3, allow_subnormal=False),
    signal_var=st.floats(1e-3, 1e3),
)
def test_no_lambda_beats_lambda_star(lam, gamma, noise_var, signal_var):
    kw = dict(gamma=gamma, noise_var=noise_var, signal_var=signal_var)
    # relative 1e-12: both sides carry a few ulps of rounding
    assert L.asymptotic_risk(lam, **kw) >= L.optimal_risk(**kw) * (1 - 1e-12)


def test_optimal_lambda_rejects_underflow():
    # γσ²/α² = 5e-324 / 2 rounds to 0 in float64: a positive λ* that is not representable
    with pytest.raises(ValueError, match="noise_var.*underflows"):
        L.optimal_lambda(gamma=1.0, noise_var=5e-324, signal_var=2.0)


@given(lam=st.floats(0, 1e4), gamma=st.floats(1e-2, 1e2), width=st.integers(1, 10**5))
def test_mean_normalization_is_width_times_sum(lam, gamma, width):
    kw = dict(gamma=gamma, noise_var=1.0, signal_var=2.0)
    sum_risk = L.asymptotic_risk(lam, **kw)
    mean_risk = L.asymptotic_risk(lam * width, normalization="mean", n_features=width, **kw)
    assert mean_risk == pytest.approx(sum_risk, rel=1e-12)  # λ_mean/P rounds by one ulp
    assert L.optimal_lambda(normalization="mean", n_features=width, **kw) == pytest.approx(
        width * L.optimal_lambda(**kw), rel=1e-15
    )
    n = max(1, round(width / gamma))
    bayes = dict(n_samples=n, n_features=width, noise_var=1.0, signal_var=2.0)
    assert L.bayes_optimal_lambda(normalization="mean", **bayes) == pytest.approx(
        width * L.bayes_optimal_lambda(**bayes), rel=1e-15
    )


@pytest.mark.parametrize("n, d, kappa", [(30, 10, 1), (10, 30, 1), (40, 40, 0), (25, 60, 0)])
def test_bayes_lambda_gives_the_posterior_mean(n, d, kappa):
    rng = np.random.default_rng(n * d)
    noise_var, s2 = 0.7, 1.3
    X, y = rng.standard_normal((n, d)), rng.standard_normal(n)
    v = s2 * d ** (-kappa)  # prior variance of one weight
    # kernel form of the Gaussian posterior mean: v X'(v XX' + σ² I)⁻¹ y (no λ anywhere)
    post_mean = v * X.T @ np.linalg.solve(v * X @ X.T + noise_var * np.eye(n), y)
    kw = dict(n_samples=n, n_features=d, noise_var=noise_var, signal_var=s2, prior_exponent=kappa)
    lam = L.bayes_optimal_lambda(**kw)
    ridge = np.linalg.solve(X.T @ X / n + lam * np.eye(d), X.T @ y / n)
    np.testing.assert_allclose(ridge, post_mean, rtol=1e-9, atol=1e-12)  # two well-posed solves
    lam_mean = L.bayes_optimal_lambda(normalization="mean", **kw)
    assert lam_mean / d == pytest.approx(lam, rel=1e-15)  # R_mean = (1/P) Σ w², P = d


# ---------------------------------------------------------------- limits and stability


@pytest.mark.parametrize("gamma", [0.1, 0.5, 0.9, 1.1, 2.0, 10.0])
def test_small_and_large_lambda_limits(gamma):
    kw = dict(gamma=gamma, noise_var=0.8, signal_var=1.7)
    ridgeless = L.ridgeless_risk(**kw)
    assert L.asymptotic_risk(0.0, **kw) == pytest.approx(ridgeless, rel=1e-14)
    # R is differentiable at 0 for γ ≠ 1: |R(λ) − R(0)| = O(λ), with R' = O(1/|1−γ|³)
    assert L.asymptotic_risk(1e-13, **kw) == pytest.approx(ridgeless, rel=1e-9)
    # λ → ∞: ŵ → 0, so the risk → ‖β‖² = α²; the gap is O(1/λ)
    assert L.asymptotic_risk(1e12, **kw) == pytest.approx(1.7, rel=1e-10)
    assert L.asymptotic_risk(1e300, **kw) == pytest.approx(1.7, rel=1e-15)


def test_gamma_one_is_continuous_and_singular_only_at_lambda_zero():
    for lam in (1e-9, 1e-4, 0.3, 7.0):
        at_one = L.asymptotic_risk(lam, gamma=1.0, noise_var=1.0, signal_var=1.0)
        for eps in (1e-14, -1e-14, 1e-10, -1e-10):
            near = L.asymptotic_risk(lam, gamma=1.0 + eps, noise_var=1.0, signal_var=1.0)
            # ∂R/∂γ ~ λ^(-3/2) at γ = 1: a γ-step of 1e-10 moves R by < 1e-10·λ^(-3/2)
            assert near == pytest.approx(at_one, rel=1e-12 + 1e-10 * lam**-1.5)
    assert L.asymptotic_risk(0.0, gamma=1.0, noise_var=1.0, signal_var=1.0) == np.inf
    assert L.asymptotic_risk(0.0, gamma=1.0, noise_var=0.0, signal_var=1.0) == 0.0
    assert L.ridgeless_risk(gamma=1.0, noise_var=1.0, signal_var=1.0) == np.inf
    assert L.mp_stieltjes(0.0, gamma=1.0) == np.inf


def test_vectorized_broadcasting_and_float64():
    lam = np.logspace(-3, 3, 7)[:, None]
    gamma = np.array([0.5, 1.0, 2.0])[None, :]
    risk = L.asymptotic_risk(lam, gamma=gamma, noise_var=1.0, signal_var=1.0)
    assert risk.shape == (7, 3) and risk.dtype == np.float64
    for j, g in enumerate(gamma[0]):
        for i, lm in enumerate(lam[:, 0]):
            assert risk[i, j] == L.asymptotic_risk(lm, gamma=g, noise_var=1.0, signal_var=1.0)
    assert L.optimal_lambda(gamma=gamma, noise_var=1.0, signal_var=2.0).shape == (1, 3)
    assert isinstance(L.optimal_risk(gamma=0.5, noise_var=1.0, signal_var=1.0), float)
    finite = L.finite_ridgeless_risk(
        n_samples=100, n_features=np.array([10, 99, 100, 101, 300]), noise_var=1.0, signal_var=1.0
    )
    np.testing.assert_allclose(finite[[0, 4]], [10 / 89, 1 - 1 / 3 + 100 / 199], rtol=1e-15)
    assert np.all(np.isinf(finite[1:4]))


def test_jax_core_matches_numpy_and_its_gradient_vanishes_at_lambda_star():
    lam = np.logspace(-4, 4, 50)[:, None]
    gamma = np.array([0.3, 1.0, 3.0])[None, :]
    ref = L.asymptotic_risk(lam, gamma=gamma, noise_var=0.5, signal_var=2.0)
    got = np.asarray(L.asymptotic_risk_jax(lam, gamma, 0.5, 2.0))
    np.testing.assert_allclose(got, ref, rtol=1e-14)  # same formulas, same float64 ops
    assert got.dtype == np.float64
    grad = jax.grad(L.asymptotic_risk_jax)
    for g in (0.3, 1.0, 3.0):
        lam_star = L.optimal_lambda(gamma=g, noise_var=0.5, signal_var=2.0)
        assert abs(float(grad(jnp.float64(lam_star), g, 0.5, 2.0))) < 1e-12  # exact zero ± ulps
        assert float(grad(jnp.float64(0.5 * lam_star), g, 0.5, 2.0)) < 0
        assert float(grad(jnp.float64(2.0 * lam_star), g, 0.5, 2.0)) > 0


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: L.asymptotic_risk(0.1, gamma=0.0, noise_var=1, signal_var=1), "gamma"),
        (lambda: L.asymptotic_risk(0.1, gamma=-1.0, noise_var=1, signal_var=1), "gamma"),
        (lambda: L.asymptotic_risk(-0.1, gamma=1.0, noise_var=1, signal_var=1), "lam"),
        (lambda: L.asymptotic_risk(np.nan, gamma=1.0, noise_var=1, signal_var=1), "lam"),
        (lambda: L.asymptotic_risk(0.1, gamma=np.inf, noise_var=1, signal_var=1), "gamma"),
        (lambda: L.asymptotic_risk(0.1, gamma=1.0, noise_var=-1, signal_var=1), "noise_var"),
        (lambda: L.asymptotic_risk(0.1, gamma=1.0, noise_var=1, signal_var=-1), "signal_var"),
        (
            lambda: L.asymptotic_risk(
                0.1, gamma=1.0, noise_var=1, signal_var=1, normalization="mean"
            ),
            "n_features",
        ),
        (
            lambda: L.asymptotic_risk(0.1, gamma=1.0, noise_var=1, signal_var=1, normalization="x"),
            "normalization",
        ),
        (
            lambda: L.optimal_lambda(gamma=1.0, noise_var=1, signal_var=1, normalization="mean"),
            "n_features",
        ),
        (lambda: L.optimal_lambda(gamma=1.0, noise_var=1, signal_var=0), "signal_var"),
        (lambda: L.optimal_risk(gamma=-2.0, noise_var=1, signal_var=1), "gamma"),
        (lambda: L.ridgeless_risk(gamma=0.5, noise_var=np.inf, signal_var=1), "noise_var"),
        (lambda: L.mp_stieltjes(0.1, gamma=0.0), "gamma"),
        (lambda: L.mp_stieltjes_derivative(-1.0, gamma=1.0), "lam"),
        (
            lambda: L.bayes_optimal_lambda(
                n_samples=10, n_features=None, noise_var=1, signal_var=1, normalization="mean"
            ),
            "n_features",
        ),
        (
            lambda: L.bayes_optimal_lambda(n_samples=0, n_features=5, noise_var=1, signal_var=1),
            "n_samples",
        ),
        (
            lambda: L.bayes_optimal_lambda(
                n_samples=10, n_features=5, noise_var=1, signal_var=1, prior_exponent=np.nan
            ),
            "prior_exponent",
        ),
        (
            lambda: L.finite_ridgeless_risk(n_samples=10, n_features=5, noise_var=-1, signal_var=1),
            "noise_var",
        ),
        (
            lambda: L.monte_carlo_risk(
                [0.1], n_samples=10.5, n_features=5, noise_var=1, signal_var=1
            ),
            "n_samples",
        ),
        (
            lambda: L.monte_carlo_risk(
                [0.1, -1], n_samples=10, n_features=5, noise_var=1, signal_var=1
            ),
            "lam",
        ),
        (
            lambda: L.monte_carlo_risk(
                [0.1], n_samples=10, n_features=5, noise_var=1, signal_var=1, n_draws=1
            ),
            "n_draws",
        ),
        (
            lambda: L.monte_carlo_risk(
                [0.1], n_samples=10, n_features=5, noise_var=1, signal_var=1, method="qr"
            ),
            "method",
        ),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call, name):
    with pytest.raises(ValueError, match=f"^{name}"):
        call()


# ================================================================ simulation


@pytest.mark.parametrize("n, d", [(60, 20), (20, 60), (30, 30)])
@pytest.mark.parametrize("method", ["svd", "gram"])
def test_one_svd_path_equals_a_solve_per_lambda(n, d, method):
    rng = np.random.default_rng(n + d)
    X, beta = rng.standard_normal((n, d)), rng.standard_normal(d)
    y = X @ beta + rng.standard_normal(n)
    lams = np.array([0.0, 1e-3, 0.1, 1.0, 30.0])
    direct = []
    for lam in lams:
        if lam == 0:  # min-norm least squares
            w = np.linalg.pinv(X) @ y
        else:
            w = np.linalg.solve(X.T @ X / n + lam * np.eye(d), X.T @ y / n)
        direct.append(np.sum((w - beta) ** 2))
    got = L.ridge_risk_path(X, y, beta, lams, method=method)
    # both routes are backward stable; at λ = 0 with d = N the condition number (~1e3 for
    # a 30×30 Gaussian) is squared by "gram", hence the looser tolerance there
    rtol = 1e-6 if (method == "gram" and n == d) else 1e-9
    np.testing.assert_allclose(got, direct, rtol=rtol)
    batched = L.ridge_risk_path(X[None], y[None], beta[None], lams, method=method)
    np.testing.assert_allclose(batched[0], got, rtol=1e-12)


GRID_CASES = [  # (γ, σ², α²): d = 200 features, N = d/γ samples
    (0.5, 1.0, 1.0),
    (1.0, 1.0, 1.0),
    (2.0, 1.0, 1.0),
    (0.5, 0.25, 2.0),
]


@pytest.fixture(scope="module")
def mc_runs():
    d, draws = 200, 100
    runs = {}
    for i, (gamma, s2, a2) in enumerate(GRID_CASES):
        lam_star = gamma * s2 / a2  # DESIGN §3
        lams = np.array([0.1 * lam_star, lam_star, 5 * lam_star, 0.05, 2.0])
        runs[gamma, s2, a2] = L.monte_carlo_risk(
            lams,
            n_samples=round(d / gamma),
            n_features=d,
            noise_var=s2,
            signal_var=a2,
            n_draws=draws,
            seed=100 + i,
        )
    return runs


@pytest.mark.parametrize("case", GRID_CASES)
def test_monte_carlo_matches_asymptotic_risk(mc_runs, case):
    gamma, s2, a2 = case
    mc = mc_runs[case]
    theory = L.asymptotic_risk(mc.lam, gamma=gamma, noise_var=s2, signal_var=a2)
    # 3 standard errors per point (100 draws: the mean is Gaussian to a good approximation).
    # The finite-size bias is O(1/d): measured with 1500 draws it is at most ~1% (γ = 2,
    # smallest λ), below one s.e. of 100 draws (1.0-1.3%)
    z = (mc.mean - theory) / mc.se
    assert np.all(np.abs(z) < 3), z


def test_dobriban_wager_lambda_is_ours_not_sklearns(mc_runs):
    """Their fit is (X'X + Nλ)⁻¹X'y; at N λ (sklearn's alpha) or λ/N the theory misses by far."""
    gamma, s2, a2 = case = GRID_CASES[0]
    mc = mc_runs[case]
    n = round(200 / gamma)
    for wrong in (n * mc.lam, mc.lam / n):
        theory = L.asymptotic_risk(wrong, gamma=gamma, noise_var=s2, signal_var=a2)
        assert np.max(np.abs(mc.mean - theory) / mc.se) > 20


def test_monte_carlo_is_reproducible_and_methods_agree():
    kw = dict(n_samples=50, n_features=80, noise_var=1.0, signal_var=1.0, n_draws=30, seed=7)
    lams = np.logspace(-2, 1, 9)
    a = L.monte_carlo_risk(lams, **kw)
    b = L.monte_carlo_risk(lams, **kw)
    np.testing.assert_array_equal(a.risks, b.risks)
    c = L.monte_carlo_risk(lams, method="gram", **kw)  # same draws, other decomposition
    np.testing.assert_allclose(c.risks, a.risks, rtol=1e-9)
    assert a.risks.shape == (30, 9) and a.tuned_lambda.shape == (30,)
    np.testing.assert_array_equal(a.tuned_lambda, lams[np.argmin(a.risks, axis=1)])
    np.testing.assert_allclose(a.se, a.risks.std(axis=0, ddof=1) / np.sqrt(30), rtol=1e-15)
    mean_grid = L.monte_carlo_risk(lams * 80, normalization="mean", **kw)
    np.testing.assert_allclose(mean_grid.risks, a.risks, rtol=1e-12)  # λ_mean = d λ_sum
    np.testing.assert_allclose(mean_grid.tuned_lambda, 80 * a.tuned_lambda, rtol=1e-15)


@pytest.mark.parametrize("n, d", [(100, 40), (40, 100)])
def test_monte_carlo_ridgeless_matches_exact_finite_n_risk(n, d):
    mc = L.monte_carlo_risk(
        [0.0], n_samples=n, n_features=d, noise_var=1.0, signal_var=2.0, n_draws=2000, seed=n
    )
    exact = L.finite_ridgeless_risk(n_samples=n, n_features=d, noise_var=1.0, signal_var=2.0)
    # 3 s.e. (2000 draws; the trace of an inverse Wishart has all the moments needed here)
    assert abs(mc.mean[0] - exact) < 3 * mc.se[0]


@pytest.mark.parametrize("n, d, kappa", [(30, 20, 1), (20, 40, 1), (30, 20, 0), (20, 40, 0)])
def test_finite_n_bayes_lambda_beats_detuned_lambdas(n, d, kappa):
    signal_var = 1.0 if kappa == 1 else 1.0 / 20  # comparable signal at these widths
    lam_star = L.bayes_optimal_lambda(
        n_samples=n, n_features=d, noise_var=1.0, signal_var=signal_var, prior_exponent=kappa
    )
    mc = L.monte_carlo_risk(
        lam_star * np.array([0.8, 1.0, 1.25]),
        n_samples=n,
        n_features=d,
        noise_var=1.0,
        signal_var=signal_var,
        prior_exponent=kappa,
        n_draws=4000,
        seed=n * d + kappa,
    )
    # paired over the same draws: the excess of a detuned λ has mean > 0 (the posterior mean
    # is Bayes optimal) and is resolved at 3 standard errors of the paired difference (the
    # excess is ~13 s.e. at 4000 draws for these sizes)
    for j in (0, 2):
        diff = mc.risks[:, j] - mc.risks[:, 1]
        assert diff.mean() > 3 * diff.std(ddof=1) / np.sqrt(diff.size), (j, diff.mean())


# ================================================================ figures (quick sizes)


def test_quick_figures_agree_with_theory():
    import figures

    risk = figures.get("linear_risk")
    result = risk.compute(**figures.config_for("linear_risk", quick=True))
    # a smoke check of the wiring: the worst of 18 points at d = 60 with 8 draws, where the
    # O(1/d) finite-size bias is not negligible; over 20 seeds the worst |z| was 4.5
    assert result["mc_max_abs_z"] < 6
    np.testing.assert_allclose(
        result["risk_star"],
        [np.sqrt(2) - 1, (np.sqrt(5) - 1) / 2, (np.sqrt(17) - 1) / 4],
        rtol=1e-14,
    )
    star = figures.get("linear_lambda_star")
    result = star.compute(**figures.config_for("linear_lambda_star", quick=True))
    for key in ("1/sum", "1/mean", "0/sum", "0/mean"):
        # 4 widths × 6 draws: over 20 seeds the fitted slope's s.d. was 0.15-0.19, so ±0.6
        assert abs(result[f"fit_slope/{key}"] - result[f"theory_slope/{key}"]) < 0.6, key
    assert [float(result[f"theory_slope/{k}"]) for k in ("1/sum", "1/mean", "0/sum", "0/mean")] == [
        1.0,
        2.0,
        0.0,
        1.0,
    ]
