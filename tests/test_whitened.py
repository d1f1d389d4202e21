"""The whitened cross-entropy classifier is the same posterior; separability is decided exactly."""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np
import pytest
from numpyro import handlers
from numpyro.infer.util import log_density

from bayes import inference, models, whitened


def _obs_log_prob(model, params, *args, **kwargs) -> float:
    """Log-likelihood of the observed site ``y`` at ``params``."""
    tr = handlers.trace(handlers.substitute(model, data=params)).get_trace(*args, **kwargs)
    return float(tr["y"]["fn"].log_prob(tr["y"]["value"]).sum())


@pytest.mark.parametrize("width", [5, 20])  # P < N and P > N (then V_⊥ is not empty)
@pytest.mark.parametrize("par", ["ntk", "standard"])
def test_same_likelihood_at_mapped_weights(width, par):
    rng = np.random.default_rng(width)
    n, k = 12, 3
    phi = np.maximum(rng.standard_normal((n, width)), 0.0)
    y = rng.integers(0, k, n)
    s, a, b = 1.7, rng.standard_normal((width, k)), rng.standard_normal(k)
    white = whitened.whiten(phi, n_classes=k, parametrization=par)
    h = white.contrasts
    base = _obs_log_prob(
        models.rf_classifier, {"s": s, "w": s * a, "b": b}, phi, y, n_classes=k,
        parametrization=par, prior_exponent=0.0,
    )  # fmt: skip
    xi = white.v.T @ a @ h  # the coordinates of A/s the likelihood sees
    sheared = xi + np.outer(white.shift, b @ h) / s  # what the model samples (module doc, 3)
    draw = {"s": s, "xi": sheared, "b": b @ h}
    mapped = _obs_log_prob(whitened.rf_classifier_whitened, draw, white.us.T, y, **white.model_data)
    # float64 sums of 12 log-softmax terms of O(1): agreement to rounding
    assert mapped == pytest.approx(base, rel=1e-12, abs=1e-12)
    # the shear: 1 = US·shift + ones_perp with ones_perp ⊥ US; and the joint density (prior
    # too) is the unsheared model's (shift 0, ones 1) at ξ, the shear having unit Jacobian
    np.testing.assert_allclose(white.us @ white.shift + white.ones_perp, 1.0, atol=1e-12)
    np.testing.assert_allclose(white.us.T @ white.ones_perp, 0.0, atol=1e-12)
    joint = _joint_densities(white, y, s, xi, b @ h)
    assert joint[0] == pytest.approx(joint[1], rel=1e-12, abs=1e-12)
    # the training features see no V_⊥ part: predicted logits equal the training logits
    # up to one constant per sample (the dropped class mean), whatever ζ is drawn
    logits = whitened.predict_logits(white, [s], sheared[None], (b @ h)[None], phi, seed=3)[0]
    direct = white.scale * phi @ (s * a) + b
    diff = logits - direct
    assert np.allclose(diff - diff.mean(axis=1, keepdims=True), 0.0, atol=1e-12)


@pytest.mark.parametrize("batch", [(), (3,)])
def test_class_major_categorical_is_categorical(batch):
    import jax
    import numpyro.distributions as dist

    rng = np.random.default_rng(7)
    k, n = 4, 9
    logits_t = jnp.asarray(3 * rng.standard_normal((*batch, k, n)))
    y = jnp.asarray(rng.integers(0, k, (*batch, n)))
    mine = whitened.ClassMajorCategorical(logits_t)
    ref = dist.Categorical(logits=jnp.swapaxes(logits_t, -1, -2))
    assert mine.batch_shape == ref.batch_shape == (*batch, n) and mine.event_shape == ()
    # the same float64 numbers picked and log-sum-exp'd along another axis: equal to
    # rounding (terms O(10), so 1e-12 relative leaves room for a few ulps of each)
    np.testing.assert_allclose(mine.log_prob(y), ref.log_prob(y), rtol=1e-12, atol=1e-12)
    key = jax.random.PRNGKey(3)
    np.testing.assert_array_equal(mine.sample(key, (2,)), ref.sample(key, (2,)))
    # a pytree, as NumPyro's distributions are: its logits pass through jax transformations
    copy = jax.tree.map(lambda x: x, mine)
    assert copy.batch_shape == mine.batch_shape
    np.testing.assert_array_equal(copy.log_prob(y), mine.log_prob(y))
    # a class outside 0..K-1 is out of the support: -inf under validation, like Categorical
    bad = y.at[..., 0].set(k)
    with pytest.warns(UserWarning, match="Out-of-support"):
        lp = whitened.ClassMajorCategorical(logits_t, validate_args=True).log_prob(bad)
    assert np.all(np.isneginf(np.asarray(lp)[..., 0])) and np.all(np.isfinite(lp[..., 1:]))
    with pytest.raises(ValueError, match="logits_t"):
        whitened.ClassMajorCategorical(jnp.zeros(k))


def test_whitened_model_samples_labels_when_none_are_observed():
    rng = np.random.default_rng(2)
    phi = np.maximum(rng.standard_normal((15, 6)), 0.0)
    white = whitened.whiten(phi, n_classes=3, parametrization="ntk")
    with handlers.seed(rng_seed=0):
        tr = handlers.trace(whitened.rf_classifier_whitened).get_trace(
            jnp.asarray(white.us.T), None, **white.model_data
        )
    y = np.asarray(tr["y"]["value"])
    assert y.shape == (15,) and set(np.unique(y)) <= {0, 1, 2} and not tr["y"]["is_observed"]


def _joint_densities(white, y, s, xi, b_c):
    """Log joint density of the sheared model at ``(s, ξ' of xi, b_c)`` and of the unsheared
    one (shift 0, ones 1) at ``(s, xi, b_c)``: equal if the shear is exact."""
    sheared = xi + np.outer(white.shift, b_c) / s
    unsheared = {"contrasts": white.contrasts, "shift": 0 * white.shift,
                 "ones_perp": 1 + 0 * white.ones_perp}  # fmt: skip
    return [
        float(log_density(whitened.rf_classifier_whitened, (white.us.T, y), kw, params)[0])
        for kw, params in (
            (white.model_data, {"s": s, "xi": sheared, "b": b_c}),
            (unsheared, {"s": s, "xi": xi, "b": b_c}),
        )
    ]


def test_near_null_directions_are_not_sheared():
    """A near-duplicate feature leaves a direction with S_j ~ 1e-8 S_1, where Uᵀ1 / S_j would
    be a shift of order 1e5: it is left unsheared (shift 0), the rest sheared, and the
    model is still exact."""
    rng = np.random.default_rng(4)
    n, k = 30, 3
    base = np.maximum(rng.standard_normal((n, 6)), 0.0)
    phi = np.hstack([base, base[:, :1] + 1e-7 * rng.standard_normal((n, 1))])
    white = whitened.whiten(phi, n_classes=k, parametrization="ntk")
    sing = np.linalg.norm(white.us, axis=0)
    near_null = sing < whitened.SHEAR_RTOL * sing[0]
    assert near_null.tolist() == [False] * 6 + [True]  # kept by whiten's rank cut (1e-10)
    u = white.us / sing
    assert np.abs(u[:, near_null].sum(axis=0) / sing[near_null]).min() > 1e3  # unguarded
    assert np.all(white.shift[near_null] == 0.0) and np.all(white.shift[~near_null] != 0.0)
    np.testing.assert_allclose(white.us @ white.shift + white.ones_perp, 1.0, atol=1e-12)
    np.testing.assert_allclose(white.us[:, ~near_null].T @ white.ones_perp, 0.0, atol=1e-12)
    y = rng.integers(0, k, n)
    joint = _joint_densities(
        white, y, 0.8, rng.standard_normal((7, k - 1)), rng.standard_normal(k - 1)
    )
    assert joint[0] == pytest.approx(joint[1], rel=1e-12, abs=1e-12)


def test_predicted_logits_and_log_predictive_match_direct_loops():
    """The one-GEMM batched product and the compiled log predictive against plain loops
    (float64, so agreement to rounding)."""
    from scipy.special import logsumexp

    rng = np.random.default_rng(5)
    n, width, k, draws = 10, 14, 4, 7  # P > N: the V_⊥ part is drawn too
    phi = np.maximum(rng.standard_normal((n, width)), 0.0)
    white = whitened.whiten(phi, n_classes=k, parametrization="ntk")
    r = white.us.shape[1]
    s = rng.uniform(0.5, 2.0, draws)
    xi, b = rng.standard_normal((draws, r, k - 1)), rng.standard_normal((draws, k - 1))
    test = np.maximum(rng.standard_normal((6, width)), 0.0)
    got = whitened.predict_logits(white, s, xi, b, test, seed=2, chunk=3)
    zeta_rng = np.random.default_rng(2)
    zetas = [zeta_rng.standard_normal((len(s[lo : lo + 3]), width - r, k - 1)) for lo in (0, 3, 6)]
    zeta = np.concatenate(zetas)  # the chunks draw ζ in this order
    for d in range(draws):
        unsheared = xi[d] - np.outer(white.shift, b[d]) / s[d]  # xi as sampled is ξ'
        a = white.v @ unsheared + white.v_perp @ zeta[d]  # A / s in the contrast basis
        want = (white.scale * test @ (s[d] * a) + b[d]) @ white.contrasts.T
        np.testing.assert_allclose(got[d], want, rtol=1e-12, atol=1e-12)
    # log predictive, including logits far beyond exp's range (stable, like scipy's)
    logits = np.concatenate([got, 400.0 * got[:1]])
    log_p = logits - logsumexp(logits, axis=-1, keepdims=True)
    want = logsumexp(log_p, axis=0) - np.log(len(logits))
    np.testing.assert_allclose(whitened.log_predictive(logits), want, rtol=1e-12, atol=1e-12)
    # the fused route: the same ζ stream, chunks padded (7 draws in chunks of 3 and of 4)
    want = whitened.log_predictive(got)
    for chunk in (3, 4, 7, 50):
        fused = whitened.posterior_log_predictive(white, s, xi, b, test, seed=2, chunk=chunk)
        np.testing.assert_allclose(fused, want, rtol=1e-12, atol=1e-12)
    # P < N: nothing unseen in training (V_⊥ empty), no ζ drawn by either route
    narrow = whitened.whiten(phi[:, :3], n_classes=k, parametrization="ntk")
    assert narrow.v_perp.shape[1] == 0
    xi3 = xi[:, :3]
    want = whitened.log_predictive(whitened.predict_logits(narrow, s, xi3, b, test[:, :3]))
    fused = whitened.posterior_log_predictive(narrow, s, xi3, b, test[:, :3], chunk=4)
    np.testing.assert_allclose(fused, want, rtol=1e-12, atol=1e-12)


def test_same_posterior_of_s_as_the_full_model():
    """NUTS on both models of one tiny data set: posterior mean of log s within MC error."""
    rng = np.random.default_rng(0)
    n, p, k = 30, 4, 3
    phi = np.maximum(rng.standard_normal((n, p)), 0.0)
    y = rng.integers(0, k, n)
    white = whitened.whiten(phi, n_classes=k, parametrization="ntk")
    runs = {
        "full": inference.run_nuts(
            models.noncentered(models.rf_classifier), phi, y, n_classes=k,
            parametrization="ntk", prior_exponent=0.0, num_warmup=300, num_samples=600, seed=1,
        ),
        "whitened": inference.run_nuts(
            whitened.rf_classifier_whitened, white.us.T, y, **white.model_data,
            validate=lambda us, y: None, num_warmup=300, num_samples=600, seed=2,
        ),
    }  # fmt: skip
    stats = {}
    for name, idata in runs.items():
        log_s = np.log(np.asarray(idata.posterior["s"]))
        ess = float(inference._arviz.az.ess(idata, var_names=["s"])["s"])
        stats[name] = (log_s.mean(), log_s.var() / ess)
    (m1, v1), (m2, v2) = stats.values()
    # two independent MC estimates: their difference has s.e. sqrt(v1 + v2); 4 s.e. fails
    # a correct pair with probability 6e-5
    assert abs(m1 - m2) < 4 * math.sqrt(v1 + v2), stats


def test_float32_sampler_same_posterior_of_s():
    """``run_nuts(dtype=float32)`` in this float64 process: the sampler's own state is float32
    (x64 off for the run, not just the data cast) and the posterior of s is the float64 one's
    within MC error."""
    rng = np.random.default_rng(3)
    n, p, k = 40, 6, 3
    phi = np.maximum(rng.standard_normal((n, p)), 0.0)
    y = rng.integers(0, k, n)
    white = whitened.whiten(phi, n_classes=k, parametrization="standard")
    stats, draws = {}, {}
    # float32 also with a float64 JAX array among the traced values (cast, not refused) and
    # with a seed ≥ 2³², whose high bits must survive x64 being off for the run
    for dtype, seed in (("float64", 1), ("float32", 2), ("float32", 2**32 + 2)):
        contrasts = jnp.asarray(white.contrasts) if seed > 2**32 else white.contrasts
        idata = inference.run_nuts(
            whitened.rf_classifier_whitened, white.us.T, y, validate=lambda us, y: None,
            traced={**white.model_data, "contrasts": contrasts, "s_scale": 1.0}, num_warmup=300,
            num_samples=600, seed=seed, dtype=dtype, log_likelihood=False,
        )  # fmt: skip
        assert idata.posterior["s"].dtype == dtype
        assert idata.sample_stats["energy"].dtype == dtype  # the sampler ran in it
        log_s = np.log(np.asarray(idata.posterior["s"], np.float64))
        ess = float(inference._arviz.az.ess(idata, var_names=["s"])["s"])
        stats[dtype] = (log_s.mean(), log_s.var() / ess)
        draws[seed] = log_s
    assert not np.array_equal(draws[2], draws[2**32 + 2])  # different seeds, different chains
    # not traced: a sampler of its own (NumPyro's "parallel"), also in float32
    plain = inference.run_nuts(
        whitened.rf_classifier_whitened, white.us.T, y, validate=lambda us, y: None,
        **white.model_data, num_warmup=50, num_samples=50, dtype="float32",
        log_likelihood=False,
    )  # fmt: skip
    assert plain.sample_stats["energy"].dtype == "float32"
    (m1, v1), (m2, v2) = stats.values()
    # independent MC estimates: 4 s.e. of their difference fails a correct pair w.p. 6e-5
    assert abs(m1 - m2) < 4 * math.sqrt(v1 + v2), stats


def test_cover_fraction_of_separable_dichotomies():
    """Cover (1965): N points in general position in d dims, random labels, affine
    separators: P(separable) = 2^(1−N) Σ_{k≤d} C(N−1, k) = 1/2 at N = 8, d = 3."""
    rng = np.random.default_rng(1)
    n, d, trials = 8, 3, 60
    hits = sum(
        whitened.linearly_separable(rng.standard_normal((n, d)), rng.integers(0, 2, n), n_classes=2)
        for _ in range(trials)
    )
    expected = 2.0 ** (1 - n) * sum(math.comb(n - 1, k) for k in range(d + 1))
    se = math.sqrt(expected * (1 - expected) / trials)  # binomial s.e. 0.065
    assert abs(hits / trials - expected) < 3.5 * se, (hits, expected)


def test_certificate_agrees_with_the_linear_program():
    rng = np.random.default_rng(2)
    for trial in range(12):
        n, d, k = 24, 3 + trial % 6, 3
        x, y = rng.standard_normal((n, d)), rng.integers(0, k, n)
        assert whitened.linearly_separable(x, y, n_classes=k) == whitened._lp_separable(x, y, k)


def test_bad_input_names_the_argument():
    x = np.zeros((4, 2)) + np.arange(4)[:, None]
    with pytest.raises(ValueError, match="n_classes"):
        whitened.linearly_separable(x, np.array([0, 1, 0, 1]), n_classes=1)
    with pytest.raises(ValueError, match="y must"):
        whitened.linearly_separable(x, np.array([0, 1, 0]), n_classes=2)
    with pytest.raises(ValueError, match="features"):
        whitened.whiten(np.zeros((3, 2)), n_classes=2, parametrization="ntk")
    with pytest.raises(ValueError, match="parametrization"):
        whitened.whiten(x, n_classes=2, parametrization="bogus")
    with pytest.raises(ValueError, match="features"):
        white = whitened.whiten(x, n_classes=2, parametrization="ntk")
        whitened.predict_logits(white, [1.0], np.zeros((1, 2, 1)), np.zeros((1, 1)), x[:, :1])
    for bad in (0, 2.5, "abc"):
        with pytest.raises(ValueError, match="chunk"):
            whitened.posterior_log_predictive(
                white, [1.0], np.zeros((1, 2, 1)), np.zeros((1, 1)), x, chunk=bad
            )
    with pytest.raises(ValueError, match="at least one posterior draw"):
        whitened.posterior_log_predictive(white, [], np.zeros((0, 2, 1)), np.zeros((0, 1)), x)
    with pytest.raises(ValueError, match="features"):
        whitened.posterior_log_predictive(
            white, [1.0], np.zeros((1, 2, 1)), np.zeros((1, 1)), x[:, :1]
        )
