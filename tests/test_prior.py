"""theory.prior: the MAP ⇔ prior identity and every λ converter, checked three ways.

1. symbolic: the derived expressions against the hand derivation in DESIGN §2;
2. an independent numeric route: the Gaussian posterior mean / a generic optimizer
   of the explicit negative log posterior;
3. the external libraries themselves (scikit-learn estimators, optax updates).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from scipy import optimize, stats
from sklearn.linear_model import BayesianRidge, Ridge

from theory import _symbols as S
from theory import prior

pos = st.floats(min_value=1e-6, max_value=1e6, allow_nan=False, allow_infinity=False)
sizes = st.integers(min_value=1, max_value=10**6)


def ridge(X, y, lam_sum):
    """Minimizer of (1/N)||y - Xw||^2 + lam_sum ||w||^2 from its normal equations."""
    n, p = X.shape
    return np.linalg.solve(X.T @ X / n + lam_sum * np.eye(p), X.T @ y / n)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 8))
    y = X @ rng.standard_normal(8) + 0.5 * rng.standard_normal(60)
    return X, y


# ---------------------------------------------------------------- symbolic


def test_prior_variance_matches_hand_derivation():
    # DESIGN §2: sigma^2 / (N lam) for the squared loss, 1 / (2 N lam) for cross-entropy
    assert sp.simplify(prior.prior_variance_expr("squared", "sum") - S.sigma2 / (S.N * S.lam)) == 0
    assert (
        sp.simplify(prior.prior_variance_expr("cross_entropy", "sum") - 1 / (2 * S.N * S.lam)) == 0
    )


def test_mean_normalization_is_sum_with_lambda_over_P():
    for loss in prior.LOSSES:
        mean = prior.prior_variance_expr(loss, "mean")
        via_sum = prior.prior_variance_expr(loss, "sum").subs(S.lam, S.lam_mean / S.P)
        assert sp.simplify(mean - via_sum) == 0


def test_converter_expressions():
    assert prior.lambda_sum_from_mean_expr() == S.lam_mean / S.P
    assert prior.sklearn_ridge_alpha_expr() == S.N * S.lam
    assert prior.bayesian_ridge_ratio_expr() == S.N * S.lam
    assert prior.mackay_alpha_expr() == S.N * S.mk_beta * S.lam
    assert prior.sgd_weight_decay_expr() == 2 * S.lam


def test_map_identity_on_the_full_log_posterior():
    """Second symbolic route: a 2-weight linear model with symbolic data.

    The stationarity conditions of our objective and of the explicit Gaussian log
    posterior (with v from prior_variance_expr) must have the same solution.
    """
    x = sp.symbols("x1:4_1:3", real=True)  # 3 samples x 2 features
    ys = sp.symbols("y1:4", real=True)
    w1, w2 = sp.symbols("w1 w2", real=True)
    f = [x[2 * i] * w1 + x[2 * i + 1] * w2 for i in range(3)]
    sq = sum((yi - fi) ** 2 for yi, fi in zip(ys, f, strict=True))
    n = 3
    ours = sq / n + S.lam * (w1**2 + w2**2)
    v = prior.prior_variance_expr("squared", "sum").subs(S.N, n)
    nlp = sq / (2 * S.sigma2) + (w1**2 + w2**2) / (2 * v)
    sol_ours = sp.solve([sp.diff(ours, w1), sp.diff(ours, w2)], [w1, w2], dict=True)[0]
    sol_post = sp.solve([sp.diff(nlp, w1), sp.diff(nlp, w2)], [w1, w2], dict=True)[0]
    assert sp.simplify(sol_ours[w1] - sol_post[w1]) == 0
    assert sp.simplify(sol_ours[w2] - sol_post[w2]) == 0


# ---------------------------------------------------------------- numeric routes


def test_squared_loss_map_equals_conjugate_posterior_mean(data):
    X, y = data
    n, p = X.shape
    for lam, noise_var in [(1e-3, 0.25), (0.3, 2.0)]:
        v = prior.prior_variance(lam, n_samples=n, noise_var=noise_var)
        # posterior mean of w ~ N(0, v I), y | w ~ N(Xw, noise_var I)
        precision = X.T @ X / noise_var + np.eye(p) / v
        post_mean = np.linalg.solve(precision, X.T @ y / noise_var)
        # both are 8x8 solves of well-conditioned systems: agreement to ~1e-12 relative
        np.testing.assert_allclose(ridge(X, y, lam), post_mean, rtol=1e-10)


def test_cross_entropy_map_equals_minimizer_of_log_posterior():
    """Binary logistic regression: our objective vs -log p(y|w) - log N(w; 0, v) via scipy.stats."""
    rng = np.random.default_rng(1)
    n, p, lam = 80, 4, 0.02
    X = rng.standard_normal((n, p))
    y = (X @ np.array([1.0, -2.0, 0.5, 0.0]) + rng.logistic(size=n) > 0).astype(float)

    def ce(w):
        logits = X @ w
        return np.sum(np.logaddexp(0.0, logits) - y * logits)

    v = prior.prior_variance(lam, n_samples=n, loss="cross_entropy")
    ours = optimize.minimize(
        lambda w: ce(w) / n + lam * w @ w, np.zeros(p), method="BFGS", options={"gtol": 1e-12}
    )
    post = optimize.minimize(
        lambda w: ce(w) - stats.norm(0, np.sqrt(v)).logpdf(w).sum(),
        np.zeros(p),
        method="BFGS",
        options={"gtol": 1e-10},
    )
    # two BFGS runs on objectives differing by a factor N: optimizer tolerance ~1e-7
    np.testing.assert_allclose(ours.x, post.x, rtol=1e-5, atol=1e-7)


def test_prior_variance_mean_normalization_and_vectorization():
    P = np.array([10.0, 100.0, 1000.0])
    v_mean = prior.prior_variance(0.5, n_samples=50, normalization="mean", n_params=P)
    v_sum = prior.prior_variance(0.5 / P, n_samples=50)
    np.testing.assert_allclose(v_mean, v_sum, rtol=1e-15)
    assert prior.prior_variance(0.0, n_samples=10) == np.inf  # flat prior


# ---------------------------------------------------------------- external libraries


def test_sklearn_ridge_alpha(data):
    X, y = data
    n = len(y)
    for lam in (1e-4, 0.1, 3.0):
        alpha = prior.to_sklearn_ridge_alpha(lam, n_samples=n)
        fit = Ridge(alpha=alpha, fit_intercept=False, solver="cholesky", tol=1e-12).fit(X, y)
        np.testing.assert_allclose(fit.coef_, ridge(X, y, lam), rtol=1e-9)  # two direct solves
        assert prior.from_sklearn_ridge_alpha(alpha, n_samples=n) == pytest.approx(lam, rel=1e-15)


def test_bayesian_ridge(data):
    X, y = data
    n = len(y)
    br = BayesianRidge(fit_intercept=False, tol=1e-10, max_iter=1000).fit(X, y)
    lam = prior.from_bayesian_ridge(br.lambda_, br.alpha_, n_samples=n)
    # sklearn's coef_ is the posterior mean at the final (lambda_, alpha_): same linear system
    np.testing.assert_allclose(ridge(X, y, lam), br.coef_, rtol=1e-8)
    lambda_, alpha_ = prior.to_bayesian_ridge(lam, n_samples=n, noise_var=1 / br.alpha_)
    assert lambda_ == pytest.approx(br.lambda_, rel=1e-12)
    assert alpha_ == pytest.approx(br.alpha_, rel=1e-12)
    # and the prior variance of our identity is sklearn's 1/lambda_
    v = prior.prior_variance(lam, n_samples=n, noise_var=1 / br.alpha_)
    assert v == pytest.approx(1 / br.lambda_, rel=1e-12)


def test_mackay_objective_minimizer(data):
    X, y = data
    n, p = X.shape
    lam, noise_var = 0.05, 0.3
    alpha, beta = prior.to_mackay(lam, n_samples=n, noise_var=noise_var)
    # M(w) = beta/2 ||y - Xw||^2 + alpha/2 ||w||^2
    w_mk = np.linalg.solve(beta * X.T @ X + alpha * np.eye(p), beta * X.T @ y)
    np.testing.assert_allclose(w_mk, ridge(X, y, lam), rtol=1e-10)
    assert prior.from_mackay(alpha, beta, n_samples=n) == pytest.approx(lam, rel=1e-14)


@pytest.mark.parametrize("normalization", prior.NORMALIZATIONS)
def test_sgd_weight_decay_step_matches_gradient_step(data, normalization):
    """optax coupled weight decay on the mean loss == a gradient step on our objective."""
    X, y = (jnp.asarray(a) for a in data)
    n, p = X.shape
    lam, lr = 0.07, 0.01
    lam_sum = prior.to_sum(lam, normalization=normalization, n_params=p)
    w0 = jnp.linspace(-1.0, 1.0, p)

    def mean_loss(w):
        return jnp.mean((y - X @ w) ** 2)

    def ours(w):
        return mean_loss(w) + lam_sum * jnp.sum(w**2)

    wd = prior.to_sgd_weight_decay(lam, normalization=normalization, n_params=p)
    opt = optax.chain(optax.add_decayed_weights(wd), optax.sgd(lr))
    updates, _ = opt.update(jax.grad(mean_loss)(w0), opt.init(w0), w0)
    w_optax = optax.apply_updates(w0, updates)
    w_ours = w0 - lr * jax.grad(ours)(w0)
    np.testing.assert_allclose(w_optax, w_ours, rtol=1e-13, atol=1e-15)  # float64 rounding
    assert prior.from_sgd_weight_decay(wd, normalization=normalization, n_params=p) == (
        pytest.approx(lam, rel=1e-14)
    )


# ---------------------------------------------------------------- round trips (property tests)


@given(lam=pos, n=sizes, p=sizes, noise=pos)
def test_round_trips(lam, n, p, noise):
    rel = 1e-12  # a few float64 roundings
    assert prior.from_sum(
        prior.to_sum(lam, normalization="mean", n_params=p), normalization="mean", n_params=p
    ) == pytest.approx(lam, rel=rel)
    assert prior.from_sklearn_ridge_alpha(
        prior.to_sklearn_ridge_alpha(lam, n_samples=n), n_samples=n
    ) == pytest.approx(lam, rel=rel)
    br = prior.to_bayesian_ridge(lam, n_samples=n, noise_var=noise)
    assert prior.from_bayesian_ridge(*br, n_samples=n) == pytest.approx(lam, rel=rel)
    mk = prior.to_mackay(lam, n_samples=n, noise_var=noise, normalization="mean", n_params=p)
    assert prior.from_mackay(*mk, n_samples=n, normalization="mean", n_params=p) == pytest.approx(
        lam, rel=rel
    )
    wd = prior.to_sgd_weight_decay(lam)
    assert prior.from_sgd_weight_decay(wd) == pytest.approx(lam, rel=rel)


@given(lam=pos, n=sizes, noise=pos)
def test_prior_variance_times_precision_is_one(lam, n, noise):
    # v = sigma^2/(N lam) and BayesianRidge's weight precision lambda_ = N lam / sigma^2
    v = prior.prior_variance(lam, n_samples=n, noise_var=noise)
    lambda_, _ = prior.to_bayesian_ridge(lam, n_samples=n, noise_var=noise)
    assert v * lambda_ == pytest.approx(1.0, rel=1e-12)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"lam": -1.0, "n_samples": 10}, "lam"),
        ({"lam": np.nan, "n_samples": 10}, "lam"),
        ({"lam": np.inf, "n_samples": 10}, "lam"),
        ({"lam": 1.0, "n_samples": 0}, "n_samples"),
        ({"lam": 1.0, "n_samples": -3}, "n_samples"),
        ({"lam": 1.0, "n_samples": 10, "noise_var": 0.0}, "noise_var"),
        ({"lam": 1.0, "n_samples": 10, "loss": "hinge"}, "loss"),
        ({"lam": 1.0, "n_samples": 10, "normalization": "median"}, "normalization"),
        ({"lam": 1.0, "n_samples": 10, "normalization": "mean"}, "n_params"),
        ({"lam": 1.0, "n_samples": 10, "normalization": "mean", "n_params": 0}, "n_params"),
        ({"lam": "abc", "n_samples": 10}, "lam"),
    ],
)
def test_bad_input_names_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        prior.prior_variance(**kwargs)


def test_converters_reject_bad_input():
    with pytest.raises(ValueError, match="^n_samples"):
        prior.to_sklearn_ridge_alpha(1.0, n_samples=0)
    with pytest.raises(ValueError, match="^alpha"):
        prior.from_sklearn_ridge_alpha(-1.0, n_samples=3)
    with pytest.raises(ValueError, match="^lambda_"):
        prior.from_bayesian_ridge(0.0, 1.0, n_samples=3)
    with pytest.raises(ValueError, match="^noise_var"):
        prior.to_mackay(1.0, n_samples=3, noise_var=-1)
    with pytest.raises(ValueError, match="^n_params"):
        prior.to_sgd_weight_decay(1.0, normalization="mean")
    with pytest.raises(ValueError, match="^weight_decay"):
        prior.from_sgd_weight_decay(np.nan)
