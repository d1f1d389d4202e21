"""bayes: models, collapsed fast path, evidence, inference and diagnostics.

Each sampler check compares with an exact answer (conjugate Gaussian posterior,
scikit-learn's evidence maximization, the full model) within Monte Carlo error.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from numpyro.handlers import condition
from numpyro.infer import MCMC, NUTS, Predictive
from sklearn.linear_model import BayesianRidge

from bayes import _arviz, collapsed, diagnostics, inference, models
from theory.evidence import evidence_fit, evidence_optimal_lambda, log_evidence
from theory.prior import from_bayesian_ridge, lambda_from_prior_variance, prior_variance


def ridge(X, y, lam_sum):
    n, p = X.shape
    return np.linalg.solve(X.T @ X / n + lam_sum * np.eye(p), X.T @ y / n)


@pytest.fixture(scope="module")
def linear_data():
    rng = np.random.default_rng(0)
    n, p = 40, 10
    X = rng.standard_normal((n, p))
    y = X @ rng.normal(0, 1 / np.sqrt(p), p) + 0.5 * rng.standard_normal(n)
    return X, y


# ---------------------------------------------------------------- conjugate truth


def test_nuts_matches_the_exact_gaussian_posterior_and_ridge(linear_data):
    X, y = linear_data
    X, y = X[:, :3], y
    n, p = X.shape
    s0, sigma0 = 0.8, 0.6
    v = s0**2 * p ** (-1.0)  # width_exponent = 1
    cov = np.linalg.inv(X.T @ X / sigma0**2 + np.eye(p) / v)
    mean = cov @ X.T @ y / sigma0**2
    # the posterior mean is the ridge solution at the λ the prior corresponds to (exact)
    lam = lambda_from_prior_variance(v, n_samples=n, noise_var=sigma0**2)
    np.testing.assert_allclose(ridge(X, y, lam), mean, rtol=1e-10)

    fixed = condition(models.linear_regression, {"s": s0, "sigma": sigma0})
    idata = inference.run_nuts(
        fixed,
        X,
        y,
        num_warmup=500,
        num_samples=2000,
        seed=1,
        validate=models.check_regression_data,
        prior_exponent=1.0,
    )
    w = np.asarray(idata.posterior["w"]).reshape(-1, p)
    mcse = _arviz.mcse_mean(idata, ["w"])["w"]
    assert np.all(np.abs(w.mean(0) - mean) < 4 * mcse)  # 4 MCSE per coordinate
    ess = float(np.min(_arviz.ess_bulk(idata, ["w"])["w"]))
    sd = np.sqrt(np.diag(cov))
    # s.e. of a sample covariance entry ≈ sqrt((Σ_ii Σ_jj + Σ_ij²)/ESS); 4 s.e.
    se_cov = np.sqrt((np.outer(sd, sd) ** 2 + cov**2) / ess)
    assert np.all(np.abs(np.cov(w.T) - cov) < 4 * se_cov)


def test_collapsed_and_full_nuts_agree_on_hyperparameters(linear_data):
    X, y = linear_data
    p = X.shape[1]
    full = inference.run_nuts(
        models.noncentered(models.linear_regression),
        X,
        y,
        num_warmup=500,
        num_samples=1500,
        seed=2,
        prior_exponent=1.0,
    )
    spec = collapsed.gram_spectrum(X)
    coll = inference.run_nuts(
        collapsed.collapsed_regression,
        spec.k,
        collapsed.rotate(spec, y),
        num_warmup=500,
        num_samples=1500,
        seed=3,
        width=p,
        prior_exponent=1.0,
    )
    for report in (
        diagnostics.check(full, ["s", "sigma"]),
        diagnostics.check(coll, ["s", "sigma"]),
    ):
        assert report.ok, report
    for name in ("s", "sigma"):
        m_full, m_coll = float(full.posterior[name].mean()), float(coll.posterior[name].mean())
        se = np.hypot(_arviz.mcse_mean(full, [name])[name], _arviz.mcse_mean(coll, [name])[name])
        assert abs(m_full - m_coll) < 3 * se, name  # 3 combined MCSE


def test_matheron_weight_draws_are_exact(linear_data):
    X, y = linear_data
    n, p = X.shape
    v, s2 = 0.3, 0.4
    spec = collapsed.gram_spectrum(X)
    draws = collapsed.draw_weights(spec, X, y, np.full(8000, v), np.full(8000, s2), seed=0)
    cov = np.linalg.inv(X.T @ X / s2 + np.eye(p) / v)
    mean = cov @ X.T @ y / s2
    sd = np.sqrt(np.diag(cov))
    assert np.all(np.abs(draws.mean(0) - mean) < 4 * sd / np.sqrt(8000))  # independent draws
    se_cov = np.sqrt((np.outer(sd, sd) ** 2 + cov**2) / 8000)
    assert np.all(np.abs(np.cov(draws.T) - cov) < 4.5 * se_cov)  # 100 entries: 4.5 s.e.


def test_thin_spectrum_gives_the_same_likelihood_as_the_full_one():
    """P < N: the P × P route (completed by QR) gives the exact Gaussian log-likelihood."""
    rng = np.random.default_rng(4)
    X = rng.standard_normal((50, 7))
    y = rng.standard_normal(50)
    thin = collapsed.gram_spectrum(X)
    np.testing.assert_allclose(thin.U.T @ thin.U, np.eye(50), atol=1e-12)  # orthonormal basis
    k_full, _ = np.linalg.eigh(X @ X.T)
    np.testing.assert_allclose(np.sort(thin.k)[-7:], np.sort(k_full)[-7:], rtol=1e-10)
    z = collapsed.rotate(thin, y)
    for v, s2 in [(0.3, 0.5), (2.0, 0.1)]:
        from scipy.stats import multivariate_normal

        exact = multivariate_normal(np.zeros(50), s2 * np.eye(50) + v * X @ X.T).logpdf(y)
        var = s2 + v * thin.k
        ours = -0.5 * np.sum(np.log(2 * np.pi * var) + z**2 / var)
        assert ours == pytest.approx(exact, rel=1e-10)


def test_blockwise_gram_matches_the_dense_features():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((30, 6))
    blocks = collapsed.relu_feature_blocks(X, width=1000, seed=7, block=128)
    phi = np.concatenate(list(blocks()), axis=1)
    assert phi.shape == (30, 1000)
    np.testing.assert_array_equal(phi, np.concatenate(list(blocks()), axis=1))  # reproducible
    spec = collapsed.gram_spectrum(blocks)
    np.testing.assert_allclose(
        spec.U @ np.diag(spec.k) @ spec.U.T,
        phi @ phi.T,
        rtol=1e-10,
        atol=1e-8 * np.abs(phi @ phi.T).max(),
    )
    assert spec.width == 1000


# ---------------------------------------------------------------- evidence


@pytest.mark.parametrize(("n", "p"), [(200, 20), (60, 150)])
def test_evidence_lambda_matches_bayesian_ridge(n, p):
    rng = np.random.default_rng(n + p)
    X = rng.standard_normal((n, p))
    y = X @ rng.normal(0, 0.4, p) + rng.standard_normal(n)
    br = BayesianRidge(
        fit_intercept=False,
        alpha_1=0,
        alpha_2=0,
        lambda_1=0,
        lambda_2=0,
        tol=1e-14,
        max_iter=100_000,
    ).fit(X, y)
    lam_br = from_bayesian_ridge(br.lambda_, br.alpha_, n_samples=n)
    # sklearn stops its fixed-point iteration on a coefficient change; observed agreement ~1e-7
    assert evidence_optimal_lambda(X, y) == pytest.approx(lam_br, rel=1e-6)


def test_evidence_fit_is_a_maximum_of_the_exact_log_evidence():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((80, 30))
    y = X @ rng.normal(0, 0.3, 30) + 0.7 * rng.standard_normal(80)
    fit = evidence_fit(X, y)
    best = log_evidence(X, y, noise_var=fit.noise_var, prior_var=fit.prior_var)
    assert best == pytest.approx(fit.log_evidence, rel=1e-12)
    for f_noise, f_prior in [(1.01, 1), (0.99, 1), (1, 1.01), (1, 0.99), (1.01, 1.01)]:
        assert (
            log_evidence(X, y, noise_var=fit.noise_var * f_noise, prior_var=fit.prior_var * f_prior)
            < best
        )
    assert fit.lam == pytest.approx(fit.noise_var / (80 * fit.prior_var), rel=1e-12)
    assert prior_variance(fit.lam, n_samples=80, noise_var=fit.noise_var) == pytest.approx(
        fit.prior_var, rel=1e-12
    )


def test_evidence_without_signal_returns_infinite_lambda():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, 5))
    y = rng.standard_normal(100)
    y -= X @ np.linalg.lstsq(X, y, rcond=None)[0]  # exactly orthogonal to the columns of X
    assert evidence_optimal_lambda(X, y) == np.inf


# ---------------------------------------------------------------- multi-width κ


@pytest.mark.parametrize("kappa_true", [0.0, 1.0])
def test_kappa_posterior_covers_the_truth(kappa_true):
    rng = np.random.default_rng(int(10 * kappa_true) + 1)
    widths, n, s_true, sigma_true = [16, 64, 256, 1024], 120, 1.0, 0.3
    ks, zs = [], []
    for p in widths:
        X = rng.standard_normal((n, p))
        w = rng.normal(0.0, s_true * p ** (-kappa_true / 2), p)
        spec = collapsed.gram_spectrum(X)
        ks.append(spec.k)
        zs.append(collapsed.rotate(spec, X @ w + sigma_true * rng.standard_normal(n)))
    idata = inference.run_nuts(
        collapsed.collapsed_multiwidth,
        ks,
        zs,
        widths=widths,
        num_warmup=500,
        num_samples=1000,
        seed=0,
    )
    assert diagnostics.check(idata, ["kappa", "s", "sigma"]).ok
    kappa = np.asarray(idata.posterior["kappa"]).ravel()
    lo, hi = np.quantile(kappa, [0.005, 0.995])
    assert lo < kappa_true < hi  # central 99% interval
    # and it is informative: measured widths 0.32 (κ = 0) and 0.31 (κ = 1), posterior sd
    # 0.065 and 0.061: 0.6 leaves a margin of ~2 (the next line checks the exclusion)
    assert hi - lo < 0.6
    assert not lo < 1.0 - kappa_true < hi


def _multiwidth_log_density(ks, zs, widths, params, **kwargs):
    from numpyro.infer.util import log_density

    model_kwargs = {"widths": widths, **kwargs}
    return float(log_density(collapsed.collapsed_multiwidth, (ks, zs), model_kwargs, params)[0])


def test_multiwidth_weight_one_over_m_counts_repeated_data_once():
    """M copies of one data set at weight 1/M is exactly the one-copy model (a power
    posterior counts the observations once); at weight 1 it counts them M times."""
    rng = np.random.default_rng(3)
    k, z = rng.uniform(0.1, 5.0, 30), rng.standard_normal(30)
    params = {"kappa": 0.4, "s": 0.7, "sigma": 0.9}
    one = _multiwidth_log_density([k], [z], [50], params)
    for m in (2, 5):
        many = _multiwidth_log_density([k] * m, [z] * m, [50] * m, params, likelihood_weight=1 / m)
        assert many == pytest.approx(one, rel=1e-12)  # float64 sums of 30·m terms
        full = _multiwidth_log_density([k] * m, [z] * m, [50] * m, params)
        prior = _multiwidth_log_density([k], [z], [50], params, likelihood_weight=1e-300)
        assert full - prior == pytest.approx(m * (one - prior), rel=1e-12)


def test_multiwidth_half_cauchy_hyperprior_density():
    """The s term of the log density is scipy's half-Cauchy (an independent implementation)."""
    from scipy import stats

    k, z = np.array([1.0, 2.0]), np.array([0.3, -0.5])
    params = {"kappa": 0.0, "s": 1.7, "sigma": 0.5}
    hn = _multiwidth_log_density([k], [z], [4], params, s_scale=2.0)
    hc = _multiwidth_log_density([k], [z], [4], params, s_scale=2.0, s_prior="half_cauchy")
    expected = stats.halfcauchy.logpdf(1.7, scale=2.0) - stats.halfnorm.logpdf(1.7, scale=2.0)
    assert hc - hn == pytest.approx(expected, rel=1e-12)


def test_collapsed_regression_half_cauchy_hyperprior_density():
    """Only the s term changes with ``s_prior``: by scipy's half-Cauchy minus half-normal."""
    from numpyro.infer.util import log_density
    from scipy import stats

    k, z = np.array([1.0, 2.0, 0.5]), np.array([0.3, -0.5, 1.1])
    params = {"log_total_var": 0.4, "logit_noise_share": -0.3}

    def density(**kw):
        model_kwargs = {"width": 10, "prior_exponent": 1.0, "s_scale": 2.0, **kw}
        value, trace = log_density(collapsed.collapsed_regression, (k, z), model_kwargs, params)
        return float(value), float(trace["s"]["value"])

    hn, s = density()
    hc, _ = density(s_prior="half_cauchy")
    expected = stats.halfcauchy.logpdf(s, scale=2.0) - stats.halfnorm.logpdf(s, scale=2.0)
    assert hc - hn == pytest.approx(expected, rel=1e-12)


def test_multiwidth_reference_width_rescales_s():
    """``s² (P/P_ref)^(−κ)`` is ``s'² P^(−κ)`` with ``s' = s P_ref^(κ/2)``: the likelihood terms
    agree exactly; only the HalfNormal prior term (scipy) is evaluated at s vs s'."""
    from scipy import stats

    rng = np.random.default_rng(5)
    ks = [rng.uniform(0.1, 5.0, 20) for _ in range(3)]
    zs = [rng.standard_normal(20) for _ in range(3)]
    widths, kappa, s, p_ref = [10, 40, 160], 0.7, 0.8, 40.0
    s1 = s * p_ref ** (kappa / 2)
    ref = _multiwidth_log_density(ks, zs, widths, {"kappa": kappa, "s": s, "sigma": 0.6},
                                  reference_width=p_ref)  # fmt: skip
    one = _multiwidth_log_density(ks, zs, widths, {"kappa": kappa, "s": s1, "sigma": 0.6})
    prior_shift = stats.halfnorm.logpdf(s) - stats.halfnorm.logpdf(s1)
    assert ref - one == pytest.approx(prior_shift, rel=1e-10)  # float64, 60 terms


def test_multiwidth_mask_leaves_the_padding_out():
    """Two data sets of 20 and 12 observations, padded to three sets of 20 (zeros, width 1)
    with the padding masked: the log density of the unpadded model, to float64 rounding."""
    rng = np.random.default_rng(7)
    ks = [rng.uniform(0.1, 5.0, 20), rng.uniform(0.1, 5.0, 12)]
    zs = [rng.standard_normal(20), rng.standard_normal(12)]
    params = {"kappa": 0.6, "s": 0.8, "sigma": 0.7}
    kw = {"likelihood_weight": 0.5, "reference_width": 20.0}
    plain = _multiwidth_log_density(ks, zs, [10, 40], params, **kw)
    padded_k = [ks[0], np.pad(ks[1], (0, 8)), np.zeros(20)]
    padded_z = [zs[0], np.pad(zs[1], (0, 8)), np.zeros(20)]
    mask = np.arange(60) < 32  # set 1 (20) and the first 12 of set 2 are real
    masked = _multiwidth_log_density(padded_k, padded_z, [10, 40, 1.0], params, mask=mask, **kw)
    assert masked == pytest.approx(plain, rel=1e-12)  # float64 sums of 32 terms
    unmasked = _multiwidth_log_density(padded_k, padded_z, [10, 40, 1.0], params, **kw)
    assert abs(unmasked - plain) > 1.0  # the padding would count without the mask
    k, z = np.array([1.0, 2.0]), np.array([0.3, -0.5])
    for bad in (np.zeros(2, bool), np.ones(3, bool), np.ones(2)):
        with pytest.raises(ValueError, match="mask must be None or 2 booleans"):
            inference.run_nuts(collapsed.collapsed_multiwidth, [k], [z], widths=[4], mask=bad)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"s_prior": "cauchy"}, "s_prior"), ({"likelihood_weight": 0.0}, "likelihood_weight"),
     ({"likelihood_weight": 1.5}, "likelihood_weight"),
     ({"reference_width": 0.0}, "reference_width"),
     ({"likelihood_weight": float("nan")}, "likelihood_weight")],
)  # fmt: skip
def test_multiwidth_rejects_bad_hyperprior_and_weight(kwargs, name):
    k, z = np.array([1.0, 2.0]), np.array([0.3, -0.5])
    with pytest.raises(ValueError, match=name):
        inference.run_nuts(collapsed.collapsed_multiwidth, [k], [z], widths=[4], **kwargs)


# ---------------------------------------------------------------- SBC

# one compiled, vmapped sampler per test: 150 warmup, 156 draws thinned by 4 -> 39 kept, ranks 0..39
SBC_SAMPLER = {"num_warmup": 150, "num_samples": 156, "thin": 4, "log": lambda _: None}


def test_sbc_linear_regression_is_calibrated():
    rng = np.random.default_rng(11)
    X = rng.standard_normal((20, 4))
    res = diagnostics.sbc(
        models.noncentered(models.linear_regression),
        X,
        params=["s", "sigma"],
        n_sims=80,
        n_bins=8,
        seed=0,
        prior_exponent=1.0,
        **SBC_SAMPLER,
    )
    assert res.max_rank == 39 and res.ranks.shape == (80, 2)
    assert res.passed(0.01), res.pvalues  # χ² uniformity not rejected at 1%
    x, diff, lo, hi = res.ecdf_difference("s")
    assert np.all((lo <= 1e-12) & (hi >= -1e-12))  # the band brackets zero everywhere


def test_sbc_classifier_is_calibrated():
    rng = np.random.default_rng(12)
    features = np.maximum(rng.standard_normal((30, 4)), 0.0)
    res = diagnostics.sbc(
        models.noncentered(models.rf_classifier),
        features,
        params=["s"],
        n_sims=80,
        n_bins=8,
        seed=1,
        n_classes=3,
        parametrization="ntk",
        **SBC_SAMPLER,
    )
    assert res.passed(0.01), res.pvalues


def test_sbc_detects_a_miscalibrated_sampler():
    """Power check: fitting with the wrong prior scale makes the ranks non-uniform."""
    rng = np.random.default_rng(13)
    X = rng.standard_normal((20, 4))

    def wrong(X, y=None, prior_exponent=1.0):
        # simulate with s_scale = 1 but infer with s_scale = 0.2: ranks pile up at the top
        return models.linear_regression(
            X, y, prior_exponent=prior_exponent, s_scale=1.0 if y is None else 0.2
        )

    res = diagnostics.sbc(
        wrong,
        X,
        params=["s"],
        n_sims=40,
        n_bins=4,
        seed=0,
        **SBC_SAMPLER,
    )
    assert not res.passed(0.01)


@pytest.mark.parametrize("shard", [False, True])
def test_sbc_ranks_do_not_depend_on_batching(shard):
    """Simulations are independent lanes of one vmapped sampler, each with its own key: the
    padded last batch, the batch size and the split over devices (``shard``) leave every
    simulation its draws, up to float rounding.  NUTS amplifies rounding over long chains
    (measured: 200 simulations, 200 + 396 iterations, batches of 20 vs 10: 10% of the ranks
    equal, 57 vs 38 divergent transitions), so this checks the wiring on short chains, where
    it has not grown: the ranks are equal."""
    rng = np.random.default_rng(14)
    X = rng.standard_normal((15, 3))
    kw = {
        "params": ["s", "sigma"],
        "n_sims": 10,
        "n_bins": 2,
        "num_warmup": 40,
        "num_samples": 20,
        "thin": 4,
        "seed": 3,
        "log": lambda _: None,
        "prior_exponent": 1.0,
    }
    model = models.noncentered(models.linear_regression)
    one_batch = diagnostics.sbc(model, X, batch=10, shard=False, **kw)
    # batches of 4, 4, 2 (+2 repeats); sharded: 4 per device and call, the last call padded
    padded = diagnostics.sbc(model, X, batch=4, shard=shard, **kw)
    np.testing.assert_array_equal(one_batch.ranks, padded.ranks)
    assert one_batch.divergences == padded.divergences


@pytest.mark.parametrize(
    "bad, match",
    [({"thin": 3}, "thin"), ({"batch": 0}, "batch"), ({"n_sims": 3}, "n_sims")],
)
def test_sbc_rejects_bad_settings(bad, match):
    X = np.ones((5, 2))
    kw = {
        "params": ["s"],
        "n_sims": 20,
        "n_bins": 4,
        "num_warmup": 10,
        "num_samples": 20,
        "thin": 4,
        "prior_exponent": 1.0,
    } | bad
    with pytest.raises(ValueError, match=match):
        diagnostics.sbc(models.linear_regression, X, **kw)


# ---------------------------------------------------------------- models


def test_mlp_function_space_prior_is_width_invariant():
    """Neal / NNGP scaling: Var f(x) does not depend on the width."""
    x = np.array([[0.5, -1.0, 2.0]])
    var = {}
    for width in (4, 256):
        prior = Predictive(models.mlp_regression, num_samples=8000)(
            jax.random.PRNGKey(width), x, width=width
        )
        f = np.asarray(prior["y"])[:, 0] - 0  # y = f + noise; noise variance is the same prior
        var[width] = (np.var(f), np.sqrt(np.var((f - f.mean()) ** 2) / len(f)))
    (v1, se1), (v2, se2) = var[4], var[256]
    assert abs(v1 - v2) < 4 * np.hypot(se1, se2)  # 4 combined s.e.


def test_implied_lambda_uses_the_map_identity():
    lam = models.implied_lambda(
        np.array([0.5, 2.0]), width=100, prior_exponent=1.0, n_samples=50, noise_sd=0.3
    )
    v = np.array([0.5, 2.0]) ** 2 / 100
    np.testing.assert_allclose(prior_variance(lam, n_samples=50, noise_var=0.09), v, rtol=1e-12)
    lam_ce = models.implied_lambda(
        1.0, width=10, prior_exponent=0.0, n_samples=20, loss="cross_entropy", normalization="mean"
    )
    assert lam_ce == pytest.approx(10 / (2 * 20), rel=1e-12)  # λ_mean = P/(2 N v), v = 1


def test_matched_exponent():
    assert [models.matched_exponent(p) for p in ("standard", "ntk", "mean_field")] == [1, 0, -1]


# ---------------------------------------------------------------- bad input


def test_bad_data_is_rejected_before_sampling(linear_data):
    X, y = linear_data
    run = inference.run_nuts
    with pytest.raises(ValueError, match="^y must have shape"):
        run(models.linear_regression, X, y[:-1], num_samples=10, num_warmup=10)
    with pytest.raises(ValueError, match="^X must be finite"):
        run(models.linear_regression, np.where(X > 2, np.nan, X), y, num_samples=10, num_warmup=10)
    with pytest.raises(ValueError, match="^y must be finite"):
        run(models.linear_regression, X, np.where(y > 1, np.inf, y), num_samples=10, num_warmup=10)
    with pytest.raises(ValueError, match="^y must hold integer labels"):
        run(
            models.rf_classifier,
            X,
            np.arange(len(y)) % 4,
            n_classes=3,
            num_samples=10,
            num_warmup=10,
        )
    with pytest.raises(ValueError, match="^n_classes"):
        run(
            models.rf_classifier,
            X,
            np.zeros(len(y), int),
            n_classes=1,
            num_samples=10,
            num_warmup=10,
        )
    spec = collapsed.gram_spectrum(X)
    with pytest.raises(ValueError, match="^width"):
        run(
            collapsed.collapsed_regression,
            spec.k,
            collapsed.rotate(spec, y),
            width=0,
            num_samples=10,
            num_warmup=10,
        )
    with pytest.raises(ValueError, match="^widths"):
        run(
            collapsed.collapsed_multiwidth,
            [spec.k],
            [spec.k],
            widths=[-4],
            num_samples=10,
            num_warmup=10,
        )
    with pytest.raises(ValueError, match="^width"):
        run(models.mlp_regression, X, y, width=0, num_samples=10, num_warmup=10)
    with pytest.raises(ValueError, match="^num_samples"):
        run(models.linear_regression, X, y, num_samples=0, num_warmup=10)
    with pytest.raises(ValueError, match="^y must"):
        evidence_fit(X, y[:3])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_run_nuts_takes_plain_lists_as_the_arrays_they_spell(linear_data, dtype):
    """Nested lists of numbers (the data as a researcher may hold it) sample exactly as the
    arrays: same seed, same draws, in the requested precision (was: AttributeError on .shape
    inside the model)."""
    X, y = linear_data
    run = functools.partial(
        inference.run_nuts, num_warmup=30, num_samples=20, num_chains=1, seed=3, dtype=dtype
    )
    from_lists = run(models.linear_regression, X.tolist(), tuple(y.tolist()))
    from_arrays = run(models.linear_regression, X, y)
    for name, draws in from_arrays.posterior.items():
        assert from_lists.posterior[name].dtype == dtype
        np.testing.assert_array_equal(from_lists.posterior[name].values, draws.values)


def test_cast_spells_lists_as_arrays_and_leaves_other_containers():
    """run_nuts' cast: integer lists stay integer (labels), a list of arrays is cast element by
    element, a NamedTuple of arrays passes through untouched (rebuilding it from a generator
    would fail)."""
    from typing import NamedTuple

    class Pair(NamedTuple):
        a: np.ndarray
        b: np.ndarray

    pair = Pair(np.ones(2), np.zeros(2))
    assert inference._cast(pair, np.float32) is pair
    assert inference._cast([[1, 2], [3, 4]], np.float32).dtype.kind == "i"
    ks = inference._cast([np.ones(3), np.ones(5)], np.float32)
    assert isinstance(ks, list) and [k.dtype for k in ks] == [np.float32, np.float32]
    assert inference._cast(["a", "b"], np.float32) == ["a", "b"]


_MIXED_PRECISION = """
import bayes
bayes.setup(host_devices=2)
import numpy as np
from bayes import inference, models

rng = np.random.default_rng(0)
phi = np.maximum(rng.standard_normal((40, 8)), 0.0)
y = rng.integers(0, 3, 40)  # int64 labels, the same array object in both runs
kw = dict(n_classes=3, parametrization="ntk", num_warmup=5, num_samples=5, num_chains=2)
model = models.noncentered(models.rf_classifier)
inference.run_nuts(model, phi, y, **kw)
inference.run_nuts(model, phi, y, traced={"s_scale": 1.0}, dtype="float32", **kw)
print("both ran")
"""


def test_a_float32_reused_sampler_after_a_float64_run_on_the_same_labels():
    """A float64 run and then a float32 run of a reused (``traced``) sampler on the same int64
    label array crashed the process (XLA: ``expected s32[40] but got s64[40]``, then a
    segmentation fault; 2026-12-05, jax 0.10.2): the float32 program takes int32 labels, and
    ``run_nuts`` now passes it a new int32 array.  A subprocess, since the failure is a crash."""
    out = subprocess.run(
        [sys.executable, "-c", _MIXED_PRECISION],
        capture_output=True, text=True, check=False, timeout=600,
        cwd=Path(__file__).resolve().parent.parent, env={**os.environ, "TQDM_DISABLE": "1"},
    )  # fmt: skip
    assert out.returncode == 0 and "both ran" in out.stdout, out.stderr[-2000:]


def test_cast_gives_a_float32_run_int32_labels():
    y = np.array([0, 2, 1], dtype=np.int64)
    assert inference._cast(y, np.float32).dtype == np.int32
    assert inference._cast(y, np.float64) is y  # the float64 program takes them as they are
    big = np.array([0, 2**40])
    assert inference._cast(big, np.float32) is big  # would not fit: left to JAX


def test_run_nuts_saves_netcdf_atomically(tmp_path, monkeypatch, linear_data):
    monkeypatch.setenv("L2SCALE_CACHE_DIR", str(tmp_path / "figures"))
    X, y = linear_data
    spec = collapsed.gram_spectrum(X)
    idata = inference.run_nuts(
        collapsed.collapsed_regression,
        spec.k,
        collapsed.rotate(spec, y),
        width=X.shape[1],
        num_warmup=50,
        num_samples=50,
        num_chains=1,
        save_as="roundtrip",
    )
    path = tmp_path / "bayes" / "roundtrip.nc"
    assert path.exists() and not list(path.parent.glob("*.tmp"))
    back = inference.load("roundtrip")
    np.testing.assert_array_equal(back.posterior["s"].values, idata.posterior["s"].values)


def test_posterior_predictive_check_flags_outliers_only_when_present():
    """PPC p-value of max|y|: moderate for Gaussian data, extreme with Cauchy outliers."""
    rng = np.random.default_rng(21)
    X = rng.standard_normal((60, 3))
    clean = X @ np.array([0.5, -0.3, 0.2]) + 0.5 * rng.standard_normal(60)
    dirty = clean.copy()
    dirty[:3] += 15.0 * rng.standard_cauchy(3)
    pvals = {}
    for name, y in (("clean", clean), ("dirty", dirty)):
        idata = inference.run_nuts(
            models.linear_regression,
            X,
            y,
            num_warmup=300,
            num_samples=500,
            num_chains=1,
            seed=0,
            prior_exponent=1.0,
        )
        post = {k: np.asarray(idata.posterior[k])[0] for k in ("s", "sigma", "w")}
        y_rep = Predictive(models.linear_regression, post)(
            jax.random.PRNGKey(1), X, prior_exponent=1.0
        )["y"]
        pvals[name], _, _ = diagnostics.ppc_pvalue(y, y_rep, lambda v: np.max(np.abs(v)))
    assert 0.02 < pvals["clean"] < 0.98  # the model reproduces its own extremes
    assert pvals["dirty"] < 0.01  # no replicate reaches the outliers


def test_collapsed_regression_rejects_unknown_hyperprior():
    k, z = np.array([1.0, 2.0]), np.array([0.3, -0.5])
    with pytest.raises(ValueError, match="s_prior"):
        inference.run_nuts(collapsed.collapsed_regression, k, z, width=4, s_prior="cauchy")


def test_reused_sampler_runs_chains_in_parallel_compiled_once(monkeypatch):
    """``traced`` runs: one device per chain, the same draws as NumPyro's sequential chains
    of the same reused sampler, and no new compilation for new data of the same shapes."""
    if jax.local_device_count() < 2:
        pytest.skip("needs two devices (tests/conftest.py sets two host devices)")
    rng = np.random.default_rng(4)
    k = rng.uniform(0.1, 3.0, 60)
    z1, z2 = (rng.standard_normal(60) * np.sqrt(0.3 * k + 0.25) for _ in range(2))
    kw = dict(s_prior="half_normal", num_warmup=150, num_samples=150, seed=1, log_likelihood=False)

    def run(z, width):
        return inference.run_nuts(
            collapsed.collapsed_regression,
            k,
            z,
            traced={"width": width, "prior_exponent": 1.0},
            **kw,
        )

    monkeypatch.setattr(inference, "_REUSABLE", {})
    first = run(z1, 30.0)
    compiles = []
    listener = lambda event, duration, **_: compiles.append(event)  # noqa: E731
    jax.monitoring.register_event_duration_secs_listener(listener)
    try:
        second = run(z2, 40.0)  # new data and width, same shapes
    finally:
        jax.monitoring.unregister_event_duration_listener(listener)
    assert [e for e in compiles if e.endswith("backend_compile_duration")] == []
    (mcmc,) = inference._REUSABLE.values()
    assert callable(mcmc.chain_method)  # not numpyro's "sequential" fallback
    monkeypatch.setattr(inference, "_REUSABLE", {})
    monkeypatch.setattr(inference, "chain_method", lambda n, reuse=False: "sequential")
    again = run(z2, 40.0)
    for var in ("s", "sigma"):  # the same keys per chain: the same draws, to rounding
        np.testing.assert_allclose(
            np.asarray(second.posterior[var]), np.asarray(again.posterior[var]), rtol=1e-12
        )
    assert not np.allclose(np.asarray(first.posterior["s"]), np.asarray(second.posterior["s"]))


@pytest.mark.parametrize("reuse", [False, True])
def test_more_chains_than_devices_are_spread_over_the_devices(monkeypatch, reuse):
    """4 chains on 2 devices: two in turn on each device, in one compiled program (no eager
    start of each chain), with the same draws as NumPyro's sequential chains, to rounding."""
    if jax.local_device_count() != 2:
        pytest.skip("needs exactly two devices (tests/conftest.py sets two host devices)")
    assert callable(inference.chain_method(4, reuse=reuse))
    assert inference.chain_method(3, reuse=reuse) == "sequential"  # 3 chains do not split
    rng = np.random.default_rng(8)
    k = rng.uniform(0.1, 3.0, 50)
    z = rng.standard_normal(50) * np.sqrt(0.3 * k + 0.25)
    model_kw = {"width": 30.0, "prior_exponent": 1.0}
    kw = dict(num_chains=4, num_warmup=150, num_samples=150, seed=3, log_likelihood=False)

    def run():
        if reuse:
            return inference.run_nuts(collapsed.collapsed_regression, k, z, traced=model_kw, **kw)
        return inference.run_nuts(collapsed.collapsed_regression, k, z, **model_kw, **kw)

    monkeypatch.setattr(inference, "_REUSABLE", {})
    spread = run()
    monkeypatch.setattr(inference, "_REUSABLE", {})
    monkeypatch.setattr(inference, "chain_method", lambda n, reuse=False: "sequential")
    sequential = run()
    for var in ("s", "sigma"):
        a, b = (np.asarray(idata.posterior[var]) for idata in (spread, sequential))
        assert a.shape == (4, 150)
        np.testing.assert_allclose(a, b, rtol=1e-12)  # same keys per chain: float rounding


def test_reused_sampler_warmup_then_run_keeps_its_phases():
    """``warmup``, ``run``, then a fresh ``run`` of one reused sampler: each phase gets its
    own compiled program (NumPyro reads the draw range from the sampler while tracing; the
    fresh run has the same argument trees as the warm-up)."""
    if jax.local_device_count() < 2:
        pytest.skip("needs two devices (tests/conftest.py sets two host devices)")
    rng = np.random.default_rng(6)
    k = rng.uniform(0.1, 3.0, 40)
    z = rng.standard_normal(40) * np.sqrt(0.3 * k + 0.25)
    kw = {"width": 30.0, "prior_exponent": 1.0}

    def phases(mcmc) -> list[np.ndarray]:
        mcmc.warmup(jax.random.PRNGKey(0), k, z, **kw, collect_warmup=True)
        out = [mcmc.get_samples(group_by_chain=True)["s"]]
        mcmc.run(jax.random.PRNGKey(1), k, z, **kw)  # continues from the warm-up
        out.append(mcmc.get_samples(group_by_chain=True)["s"])
        mcmc.post_warmup_state = None
        mcmc.run(jax.random.PRNGKey(2), k, z, **kw)  # warm-up and draws afresh
        out.append(mcmc.get_samples(group_by_chain=True)["s"])
        return [np.asarray(a) for a in out]

    def sampler():
        return inference.make_mcmc(
            collapsed.collapsed_regression, num_warmup=60, num_samples=25, jit_model_args=True
        )

    reused = sampler()
    assert callable(reused.chain_method)
    got = phases(reused)
    assert [a.shape for a in got] == [(2, 60), (2, 25), (2, 25)]
    fresh = sampler()  # the last run again, on a sampler that never ran: the same program
    fresh.run(jax.random.PRNGKey(2), k, z, **kw)
    np.testing.assert_array_equal(got[2], np.asarray(fresh.get_samples(group_by_chain=True)["s"]))


# ---------------------------------------------------------------- ArviZ conversion


def _assert_same_inference_data(ours, theirs):
    """Same groups, variables, dims, dtypes and values (attrs differ: creation times)."""
    assert ours.groups() == theirs.groups()
    for group in theirs.groups():
        a, b = ours[group], theirs[group]
        assert list(a.data_vars) == list(b.data_vars), group
        for name in b.data_vars:
            assert a[name].dims == b[name].dims, (group, name)
            assert a[name].dtype == b[name].dtype, (group, name)
            np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=f"{group}/{name}")


def _numpy_obs(X, y=None):
    """Observed values computed with NumPy (float64 whatever JAX's precision), as the eager
    run records them."""
    return models.linear_regression(X, None if y is None else np.asarray(y).astype(float))


def _jax_obs(X, y=None):
    """Observed values computed by a JAX operation: only an eager run gives their value."""
    return models.linear_regression(X, None if y is None else jnp.asarray(y) * 1.0)


def _int_and_names(X, y, n, names):
    """A Python int used as a slice bound and a string array among the arguments."""
    assert names.dtype.kind == "U"
    return models.linear_regression(X[:n], y[:n])


_GLOBAL_Y = {"y": None}


def _global_obs(X):
    """Observed data read from module state, not from the arguments."""
    return models.linear_regression(X, _GLOBAL_Y["y"])


_CASES = {
    "float64, plate, log-likelihood": (models.linear_regression, (), np.float64),
    "float32, conditioned values": (
        condition(models.linear_regression, {"s": 0.8, "sigma": 0.6}), (), np.float32,
    ),
    "float32, obs computed with NumPy": (_numpy_obs, (), np.float32),
    "obs computed by JAX": (_jax_obs, (), np.float64),
    "int and string arguments": (_int_and_names, (30, np.array(["a", "b"])), np.float64),
    "obs from module state": (_global_obs, (), np.float64),
}  # fmt: skip


def _finished_mcmc(model, args, precision):
    mcmc = inference.make_mcmc(model, num_warmup=10, num_samples=10, num_chains=2)
    mcmc.progress_bar = False
    args = [inference._cast(a, precision) for a in args]  # as run_nuts passes them
    with jax.enable_x64(precision == np.float64):
        mcmc.run(jax.random.PRNGKey(0), *args, extra_fields=("diverging", "num_steps"))
    return mcmc


@pytest.mark.parametrize("case", [*_CASES, "float32 reused sampler", "predictions"])
def test_from_numpyro_equals_arviz_converter(case, linear_data):
    """``_arviz.from_numpyro`` builds what ``az.from_numpyro`` builds (it replaces only ArviZ's
    eager model run, by an abstract trace): array for array, dtypes, the log-likelihood and
    the ``data`` plate's dims included, for models whose observed values are data, conditioned
    numbers, NumPy results, JAX results (ArviZ's eager run then) or module state; and it does
    skip the eager run where it can."""
    from bayes import whitened

    X, y = linear_data
    kwargs = {}
    if case == "float32 reused sampler":
        phi = np.maximum(X, 0.0)
        labels = (y > 0).astype(np.int64) + (y > 1)
        white = whitened.whiten(phi, n_classes=3, parametrization="standard")
        inference.run_nuts(
            whitened.rf_classifier_whitened, white.us.T, labels, dtype="float32",
            traced={**white.model_data, "s_scale": 1.0}, log_likelihood=False,
            validate=lambda us_t, lab: models.check_classification_data(us_t.T, lab, 3),
            num_warmup=20, num_samples=15, num_chains=2, seed=5,
        )  # fmt: skip
        mcmc = next(
            m for key, m in reversed(inference._REUSABLE.items())
            if key[0] is whitened.rf_classifier_whitened and key[1] == np.float32
        )  # fmt: skip
        precision = np.float32
    elif case == "predictions":  # pred_dims from the model's plate, as ArviZ infers them
        mcmc, precision = _finished_mcmc(models.linear_regression, (X, y), np.float64), np.float64
        kwargs["predictions"] = {"y": np.ones((2, 10, len(y)))}
    else:
        model, extra, precision = _CASES[case]
        if case == "obs from module state":
            _GLOBAL_Y["y"] = y
            _finished_mcmc(model, (X,), precision)  # a first run, then the data change
            _GLOBAL_Y["y"] = -10 * y
            mcmc = _finished_mcmc(model, (X,), precision)
        else:
            mcmc = _finished_mcmc(model, (X, y, *extra), precision)
    with jax.enable_x64(precision == np.float64):
        abstract = _arviz._observed(mcmc.sampler.model, mcmc._args, mcmc._kwargs)
        ours = _arviz.from_numpyro(mcmc, log_likelihood=True, **kwargs)
        theirs = _arviz.az.from_numpyro(mcmc, log_likelihood=True, **kwargs)
    assert (abstract is None) == (case == "obs computed by JAX")
    _assert_same_inference_data(ours, theirs)
    assert ours.log_likelihood["y"].dims[2] == "data"
    if case == "obs from module state":
        np.testing.assert_array_equal(ours.observed_data["y"], -10 * y)
    if case == "predictions":
        assert ours.predictions["y"].dims == ("chain", "draw", "data")


def test_from_numpyro_without_a_model():
    """An MCMC of a potential function (no model): posterior and sample stats, as ArviZ."""
    mcmc = MCMC(NUTS(potential_fn=lambda z: 0.5 * jnp.sum(z**2)), num_warmup=10, num_samples=10,
                progress_bar=False)  # fmt: skip
    mcmc.run(jax.random.PRNGKey(0), init_params=jnp.zeros(2))
    _assert_same_inference_data(_arviz.from_numpyro(mcmc), _arviz.az.from_numpyro(mcmc))
