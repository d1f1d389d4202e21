"""Bad input never gives a silent wrong answer (issue 16): regression tests for the cases a
bad-input fuzz found in ``bayes`` and ``theory``, and checks that cannot pass vacuously."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bayes import collapsed, diagnostics, models
from bayes.data import digits_split
from bayes.inference import run_nuts
from theory import evidence
from theory.random_features import wide_optimal_lam_bar, wide_risk

# ---------------------------------------------------------------- diagnostics thresholds


class _Idata:
    """Stands in for InferenceData: check() must reject its thresholds before reading it."""

    def __getattr__(self, name):
        raise AssertionError("the thresholds must be validated before the data are read")


@pytest.mark.parametrize(
    "bad, name",
    [
        ({"max_divergences": math.nan}, "max_divergences"),
        ({"max_divergences": -1}, "max_divergences"),
        ({"max_divergences": 0.5}, "max_divergences"),
        ({"ess_min": -math.inf}, "ess_min"),
        ({"ess_min": math.nan}, "ess_min"),
        ({"ess_min": 0}, "ess_min"),
        ({"bfmi_min": -1.0}, "bfmi_min"),
        ({"bfmi_min": math.nan}, "bfmi_min"),
        ({"rhat_max": math.inf}, "rhat_max"),
        ({"rhat_max": 0.99}, "rhat_max"),
    ],
)
def test_check_rejects_thresholds_that_would_pass_anything(bad, name):
    with pytest.raises(ValueError, match=name):
        diagnostics.check(_Idata(), **bad)


SBC_KW = {
    "n_sims": 20,
    "n_bins": 4,
    "num_warmup": 10,
    "num_samples": 28,  # L = 7 ranks' draws: n_bins = 4 divides L + 1
    "thin": 4,
    "prior_exponent": 1.0,
}


@pytest.mark.parametrize(
    "bad, name",
    [
        ({"params": []}, "params"),
        ({"params": "s"}, "params"),
        ({"params": ["s"], "n_sims": 19}, "n_sims"),  # < 5 per χ² bin
        ({"params": ["s"], "n_bins": 1}, "n_bins"),
        ({"params": ["s"], "target_accept": 1.5}, "target_accept"),
        ({"params": ["not_a_site"]}, "params"),
        ({"params": ["s"], "shard": "no"}, "shard"),
    ],
)
def test_sbc_cannot_pass_having_tested_nothing(bad, name):
    X = np.ones((5, 2))
    with pytest.raises(ValueError, match=name):
        diagnostics.sbc(models.linear_regression, X, **(SBC_KW | bad))


# ---------------------------------------------------------------- samplers and data


def test_run_nuts_rejects_missing_observations_and_bad_target_accept():
    X = np.ones((5, 2))
    with pytest.raises(ValueError, match="args"):
        run_nuts(models.linear_regression, X, None, prior_exponent=1.0)
    with pytest.raises(ValueError, match="target_accept"):
        run_nuts(models.linear_regression, X, np.ones(5), target_accept=1.5, prior_exponent=1.0)


def test_draw_weights_rejects_nonpositive_variances():
    X = np.random.default_rng(0).standard_normal((6, 3))
    spec = collapsed.gram_spectrum(X)
    y = np.ones(6)
    with pytest.raises(ValueError, match="prior_var"):
        collapsed.draw_weights(spec, X, y, [-1.0], [1.0])
    with pytest.raises(ValueError, match="noise_var"):
        collapsed.draw_weights(spec, X, y, [1.0], [0.0])
    with pytest.raises(ValueError, match="y must have shape"):
        collapsed.draw_weights(spec, X, np.ones(5), [1.0], [1.0])


@pytest.mark.parametrize("kw, name", [({"n_train": 0}, "n_train"), ({"n_train": -1}, "n_train")])
def test_digits_split_rejects_nonpositive_sizes(kw, name):
    with pytest.raises(ValueError, match=name):
        digits_split(**kw)


# ---------------------------------------------------------------- theory


def test_log_evidence_rejects_nonpositive_noise_var():
    X = np.eye(3)
    with pytest.raises(ValueError, match="noise_var"):
        evidence.log_evidence(X, np.ones(3), noise_var=-1.0, prior_var=2.0)
    with pytest.raises(ValueError, match="prior_var"):
        evidence.log_evidence(X, np.ones(3), noise_var=1.0, prior_var=-2.0)


def test_wide_limit_checks_zeta():
    with pytest.raises(ValueError, match="zeta"):
        wide_optimal_lam_bar(3.0, zeta=-1.0, noise_var=0.25)
    with pytest.raises(ValueError, match="zeta"):
        wide_risk(3.0, 0.1, zeta=math.nan, noise_var=0.25)


@given(seed=st.integers(0, 10_000), scale_y=st.floats(1e-3, 1e3), scale_x=st.floats(1e-3, 1e3))
def test_no_signal_is_one_answer(seed, scale_y, scale_x):
    """The evidence-optimal λ of pure-noise data is the same answer (∞, or the same finite
    number) whatever the row order and the scales of X and y (λ scales as scale_x²)."""
    rng = np.random.default_rng(seed)
    n, p = int(rng.integers(5, 60)), int(rng.integers(1, 40))
    X, y = rng.standard_normal((n, p)), rng.standard_normal(n)
    perm = rng.permutation(n)
    base = evidence.evidence_optimal_lambda(X, y)
    others = [
        evidence.evidence_optimal_lambda(X[perm], y[perm]),
        evidence.evidence_optimal_lambda(X, scale_y * y),
        evidence.evidence_optimal_lambda(scale_x * X, y) / scale_x**2,
    ]
    if math.isinf(base):
        assert all(math.isinf(v) for v in others)
    elif base > 1e-12:  # below: the interpolating end, λ → 0, where only the order matters
        # the profile likelihood is flat near its maximum: Brent's answer moves at ~1e-5
        # relative under float64 reordering (measured max 3e-6 over 300 data sets)
        np.testing.assert_allclose(others, base, rtol=1e-4)


# ---------------------------------------------------------------- training


def test_training_rejects_labels_that_would_wrap_or_give_nan():
    import jax.numpy as jnp

    from training.train import cross_entropy

    logits = jnp.zeros((3, 4))
    for bad in ([-1, 0, 1], [0, 1, 4]):  # -1 would wrap to class 3; 4 would give NaN
        with pytest.raises(ValueError, match="y must hold labels in"):
            cross_entropy(logits, jnp.asarray(bad))
    assert float(cross_entropy(logits, jnp.asarray([0, 1, 3]))) == pytest.approx(np.log(4))


def test_sweep_rejects_bad_labels_before_training():
    from training.data import teacher
    from training.models import architecture
    from training.train import sweep

    data = teacher(n_train=20, n_test=20, input_dim=3, n_classes=2)
    bad = data._replace(y_train=data.y_train - 1)  # labels -1 and 0
    layers = architecture(input_dim=3, width=4, depth=1, n_classes=2, parametrization="ntk")
    with pytest.raises(ValueError, match="data.y_train"):
        sweep(bad, layers, lam_sums=[1e-3], seeds=[0], lr=0.1)


@pytest.mark.parametrize(
    "field, value",
    [("optimizer", "SGD"), ("b1", 1.0), ("b2", -0.1), ("momentum", 1.0), ("steps", 0),
     ("eps", 0.0), ("batch_size", 0)],
)  # fmt: skip
def test_train_config_fields_are_checked(field, value):
    from training.train import TrainConfig, check_config

    with pytest.raises(ValueError, match=field):
        check_config(TrainConfig()._replace(**{field: value}))


# ---------------------------------------------------------------- files and caches


def test_written_files_follow_the_umask(tmp_path):
    import os

    from theory.files import atomic_write_text

    old = os.umask(0o022)
    try:
        path = atomic_write_text(tmp_path / "a.tex", "x")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644  # mkstemp alone would give 0o600


@pytest.fixture
def tmp_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("L2SCALE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_a_checksummed_but_broken_zip_is_discarded(tmp_cache, capsys):
    import hashlib

    from figures import _cache

    key = _cache.key_for("demo", {})
    payload = b"PK\x03\x04 not really a zip"  # a valid checksum over a broken archive
    digest = hashlib.sha256(payload).hexdigest().encode()
    path = _cache._path("demo", key, None)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_cache.MAGIC + digest + b"\n" + payload)
    assert _cache.load("demo", key) is None
    assert not path.exists() and "discarding" in capsys.readouterr().err


def test_a_directory_in_place_of_a_cache_file_is_discarded(tmp_cache, capsys):
    from figures import _cache

    key = _cache.key_for("demo", {})
    path = _cache._path("demo", key, None)
    (path / "inner").mkdir(parents=True)
    assert _cache.load("demo", key) is None
    assert not path.exists() and "discarding" in capsys.readouterr().err


def test_a_cached_result_missing_a_key_is_recomputed(tmp_cache, tmp_path, capsys):
    import figures
    from figures import _cache, _registry

    name = "prior_equivalence"
    config = figures.config_for(name, quick=True)
    result, _ = figures.compute_cached(name, config)
    key = _registry._key(name, config)
    _cache.save(name, key, {k: v for k, v in list(result.items())[1:]})  # drop one key
    paths = _registry.run(name, quick=True, out_dir=tmp_path, log=lambda _: None)
    assert all(p.exists() for p in paths)
    assert "missing key" in capsys.readouterr().err
    assert set(_cache.load(name, key)) == set(result)  # the full result is cached again


# ---------------------------------------------------------------- found by the second fuzz
# Each row is one input the re-run fuzz of this issue (tests/test_fuzz.py's table, thousands of
# random draws) found silently accepted, rejected by an error that did not name the argument,
# or turned into NaN/inf without a word.  Now each raises naming the argument.


def _rejections():
    import jax
    import sympy as sp

    from bayes import inference
    from bayes.data import simulate_linear
    from theory import classification as cls
    from theory import linear, prior, random_features
    from theory.classification import gaussian_spectrum
    from training import experiment, train
    from training import models as tmodels
    from training.data import teacher

    X, y = np.random.default_rng(0).standard_normal((6, 3)), np.ones(6)
    labels = np.array([0, 1, 0, 1, 1, 0])
    spec = collapsed.gram_spectrum(X)
    data = teacher(n_train=12, n_test=12, input_dim=3, n_classes=2)
    layers = tmodels.architecture(input_dim=3, width=4, depth=1, n_classes=2, parametrization="ntk")
    weights, mults = [np.ones((3, 4)), np.ones((4, 2))], [1.0, 1.0]
    sweep_kw = dict(lam_sums=[1e-3], seeds=[0], lr=0.1, config=train.TrainConfig(steps=2))
    idata = _tiny_idata()
    report = diagnostics.Report(1.0, 500.0, 500.0, 0, 1.0, 100)
    sim = dict(n_samples=5, width=3, s=1.0, prior_exponent=1.0, noise_sd=0.5)  # valid
    return [
        # bayes: silently accepted
        (lambda: models.validate(models.linear_regression, X, y, s_scale=-1.0), "s_scale"),
        (lambda: models.validate(models.rf_regression, X, y, noise_scale=0.0), "noise_scale"),
        (
            lambda: models.validate(
                models.rf_classifier, X, labels, n_classes=2, prior_exponent=math.nan
            ),
            "prior_exponent",
        ),  # fmt: skip
        (
            lambda: models.validate(models.rf_regression, X, y, parametrization="mup"),
            "parametrization",
        ),
        (
            lambda: models.validate(
                collapsed.collapsed_multiwidth,
                [spec.k],
                [y],
                widths=[3],
                prior_exponent_bounds=(1.0, 0.0),
            ),
            "prior_exponent_bounds",
        ),  # fmt: skip
        (lambda: models.validate("abc", X, y), "model"),
        (lambda: models.noncentered(models.linear_regression, sites=[]), "sites"),
        (lambda: models.implied_lambda(-1.0, width=10, prior_exponent=1.0, n_samples=5), "s"),
        (
            lambda: models.implied_lambda(1.0, width=10, prior_exponent=-math.inf, n_samples=5),
            "prior_exponent",
        ),
        (lambda: inference.setup(0), "host_devices"),
        (lambda: inference.chain_method(0), "num_chains"),
        (lambda: inference.chain_method(2, reuse="yes"), "reuse"),
        (lambda: inference.make_mcmc("abc"), "model"),
        (lambda: inference.make_mcmc(models.linear_regression, dense_mass="yes"), "dense_mass"),
        (lambda: inference.run_nuts(models.linear_regression, X, y, seed=-1), "seed"),
        (lambda: inference.run_nuts(models.linear_regression, X, y, save_as="a/b"), "save_as"),
        (lambda: inference.save(idata, ""), "name"),
        (lambda: inference.save("abc", "fit"), "idata"),
        (lambda: collapsed.relu_feature_blocks(X, width=0, seed=0), "width"),
        (lambda: collapsed.relu_feature_blocks(X, width=4, seed=-1), "seed"),
        (lambda: collapsed.array_blocks(X, block=0), "block"),
        (lambda: collapsed.array_blocks(np.where(X > 0, np.nan, X)), "features"),
        (lambda: collapsed.rotate(spec, np.full(6, np.nan)), "y"),
        (
            lambda: collapsed.draw_weights(spec, np.where(X > 0, np.nan, X), y, [1.0], [1.0]),
            "blocks",
        ),
        (lambda: collapsed.draw_weights(spec, X, y, [1.0], [1.0], seed=True), "seed"),
        (lambda: simulate_linear(0, **sim), "rng"),
        (lambda: simulate_linear(np.random.default_rng(0), **{**sim, "n_samples": 0}), "n_samples"),
        (lambda: simulate_linear(np.random.default_rng(0), **{**sim, "s": math.nan}), "s"),
        (
            lambda: simulate_linear(np.random.default_rng(0), **{**sim, "noise_sd": -1.0}),
            "noise_sd",
        ),
        (lambda: digits_split(50, 50, seed=True), "seed"),
        (lambda: diagnostics.check(idata, "s"), "var_names"),  # would read 's' as a list
        (lambda: diagnostics.require_ok("abc", "fit"), "report"),
        (lambda: diagnostics.require_ok(report, 3), "what"),
        (lambda: diagnostics.ppc_pvalue(y, np.ones((0, 6)), np.max), "y_rep"),  # p-value nan
        (lambda: diagnostics.ppc_pvalue(np.full(6, np.nan), np.ones((4, 6)), np.max), "y_obs"),
        (lambda: diagnostics.loo_compare({"a": idata}), "idatas"),
        (
            lambda: diagnostics.sbc(models.linear_regression, X, params=["s"], seed=-1, **SBC_KW),
            "seed",
        ),  # fmt: skip
        # training: silently accepted
        (
            lambda: tmodels.architecture(
                input_dim=3, width=True, depth=1, n_classes=2, parametrization="ntk"
            ),
            "width",
        ),  # fmt: skip
        (lambda: tmodels.n_penalized([]), "layers"),
        (
            lambda: tmodels.init_weights(jax.random.PRNGKey(0), layers, init_std=[math.nan, 1.0]),
            "init_std",
        ),
        (lambda: tmodels.apply(weights, mults, np.where(X > 0, np.nan, X)), "x"),
        (
            lambda: tmodels.lr_factors(
                layers, parametrization="ntk", optimizer="sgd", lr_scaling="mup", base_width=2.5
            ),
            "base_width",
        ),  # fmt: skip
        (lambda: train.penalty(weights, [-1.0, 1.0]), "rho"),
        (lambda: train.objective(weights, mults, X, labels, -1.0, [1.0, 1.0]), "lam_sum"),
        (lambda: train.check_labels(labels, 2.5), "n_classes"),
        (
            lambda: train.check_dataset(data._replace(x_train=np.full_like(data.x_train, np.nan))),
            "data.x_train",
        ),
        (lambda: train.cross_entropy(np.full((6, 2), np.nan), labels), "logits"),
        (lambda: train.sweep(data, layers, **(sweep_kw | {"seeds": [2.5]})), "seeds"),
        (lambda: train.sweep(data, layers, chunk=2.5, **sweep_kw), "chunk"),
        (lambda: train.sweep(data, layers, **(sweep_kw | {"lam_sums": []})), "lam_sums"),
        (lambda: train.chunk_size(0, 3, 200, 16), "n_lams"),
        (
            lambda: train.draw_noise(
                [0], shapes=((3, 4),), steps=2, batch_size=7, n_train=6, dtype=np.float64
            ),
            "batch_size",
        ),  # fmt: skip
        (lambda: experiment.lam_star(-np.ones(5), np.arange(5.0)), "lams"),  # was (nan, True)
        (lambda: experiment.fit_exponent([16, 64, 256], [1e-3, 0.0, 1.0]), "lam_stars"),  # nan
        (lambda: experiment.fit_exponent([16, 16, 16], [1e-3, 1e-2, 1.0]), "widths"),
        (
            lambda: experiment.rule_lambdas(
                experiment.Setting(), 1e-3, width_from=16, width_to=64, p_from=100, p_to=-3
            ),
            "p_to",
        ),  # fmt: skip
        (
            lambda: experiment.run_setting(
                experiment.Setting(dataset="teacher"),
                widths=[4, 8],
                seeds=[0, 1],
                steps=2,
                n_train=0,
            ),
            "n_train",
        ),  # fmt: skip
        (
            lambda: experiment.run_setting(
                experiment.Setting(dataset="teacher"), widths=[4, 8], seeds=[0], steps=2, n_train=20
            ),
            "seeds",
        ),  # s.e. nan
        (lambda: experiment.check_setting(experiment.Setting(base_width=-3)), "base_width"),
        # theory: silently accepted or not named
        (lambda: prior.prior_variance(1e-3, n_samples=100, n_params=math.nan), "n_params"),
        (lambda: prior.lambda_from_prior_variance(-1.0, n_samples=100), "-1.0"),
        (
            lambda: linear.monte_carlo_risk(
                [0.1], n_samples=1000.0, n_features=5, noise_var=1.0, signal_var=1.0
            ),
            "n_samples",
        ),  # fmt: skip
        (
            lambda: linear.monte_carlo_risk(
                [0.1], n_samples=True, n_features=5, noise_var=1.0, signal_var=1.0
            ),
            "n_samples",
        ),  # fmt: skip
        (lambda: linear.inverse_wishart_trace_expr(math.nan, sp.Symbol("n")), "p"),  # was nan
        (lambda: linear.ridgeless_risk_expr(["under"]), "regime"),  # unhashable type: 'list'
        (lambda: prior.prior_variance_expr(["squared"]), "loss"),
        (lambda: random_features.gaussian_coefficients_expr(math.nan), "activation"),
        (lambda: cls.logistic_loss_expr(math.nan), "arg"),
        (lambda: evidence.evidence_fit(X, y, log_q_bounds=(math.nan, 1.0)), "log_q_bounds"),
        (
            lambda: random_features.exponent_ranges([1, 2, 4], [0.5, 0.0, 0.1], target=math.nan),
            "target",
        ),
        (lambda: random_features.exponent_ranges([1, 2, 4], [0.5, 0.0], target=0.0), "local"),
        (
            lambda: random_features.simulate_test_error(
                0.1, n_samples=10, n_features=5, input_dim=3, noise_var=0.1, rcond=-1.0
            ),
            "rcond",
        ),  # fmt: skip
        (
            lambda: random_features.simulate_test_error(
                0.1, n_samples=True, n_features=5, input_dim=3, noise_var=0.1
            ),
            "n_samples",
        ),
        (
            lambda: random_features.lambda_to_mm(1e-3, n_features=0.0, input_dim=100),
            "n_features",
        ),  # was named "width"
        (
            lambda: cls.simulate_logistic(0.1, n_samples=10, n_features=4, input_dim=3),
            "input_dim",
        ),  # ignored without an activation
        (lambda: cls.simulate_logistic(0.1, n_samples=10, n_features=4, seed=True), "seed"),
        (lambda: cls.random_features_spectrum(n_features=3, input_dim=2, seed=True), "seed"),
        (
            lambda: cls.optimal_lambda(gaussian_spectrum(50), n_samples=100, per_decade=0),
            "per_decade",
        ),
        (lambda: cls.optimal_lambda("abc", n_samples=100), "spectrum"),
    ]


def _tiny_idata():
    import arviz as az

    rng = np.random.default_rng(1)
    return az.from_dict(
        posterior={"s": rng.standard_normal((2, 50))},
        sample_stats={"diverging": np.zeros((2, 50), bool), "energy": rng.standard_normal((2, 50))},
    )


REJECTIONS = _rejections()


@pytest.mark.parametrize(("call", "name"), REJECTIONS, ids=[n for _, n in REJECTIONS])
def test_second_fuzz_findings_are_rejected_naming_the_argument(call, name):
    with pytest.raises((ValueError, TypeError)) as exc:
        call()
    assert name in str(exc.value)


def _silent_nonfinite():
    import jax.numpy as jnp

    from theory import linear, random_features
    from theory.classification import to_loureiro
    from theory.parametrization import lambda_from_ntk, transfer_lambda
    from theory.prior import to_sum

    X = np.random.default_rng(0).standard_normal((6, 3))
    return [  # each returned inf, -inf or nan (in brackets) before
        (lambda: random_features.ridgeless_chi(1.7976931348623157e308, zeta=1.0), "psi"),  # -inf
        (lambda: random_features.ridgeless_chi(2.0, zeta=1e200), "zeta"),  # nan
        (lambda: random_features.wide_chi(1e300, 0.5, zeta=1.0), "psi2"),  # -inf
        (lambda: random_features.wide_risk(1e200, 0.5, zeta=1.0, noise_var=0.5), "psi2"),  # nan
        (lambda: random_features.wide_optimal_lam_bar(3.0, zeta=1.5, noise_var=0.25,
                                                      signal_var=5e-324), "signal_var"),  # inf
        (lambda: random_features.bias_variance(2.0, 1e-308, 1.0, zeta=1.0), "psi2"),  # nan
        (lambda: random_features.mm_risk(2.0, 3.0, 1.0, zeta=1.0, noise_var=0.5,
                                         nonlinear_var=1.7976931348623157e308),
         "nonlinear_var"),  # inf  # fmt: skip
        (lambda: random_features.fixed_point_residual(2.0, 3.0, 5e-324, zeta=1.0), "lam_bar"),
        (lambda: random_features.asymptotic_risk(1e-3, n_samples=300, n_features=200,
                                                 input_dim=1e300, noise_var=0.25),
         "input_dim"),  # nan  # fmt: skip
        (lambda: linear.asymptotic_risk_jax(1.7976931348623157e308, 0.5, 1.0, 1.0), "lam"),
        (lambda: linear.asymptotic_risk_jax(jnp.asarray(1e-308), 1.0, 1e24, 0.0), "noise_var"),
        (lambda: evidence.evidence_fit(X, np.full(6, 5e-324)), "y"),  # log evidence inf
        (lambda: to_sum(1e300, normalization="mean", n_params=1e-300), "n_params"),  # inf
        (lambda: transfer_lambda(1e-300, width_from=1e300, width_to=1e-300,
                                 parametrization="standard", normalization="mean"),
         "width_from"),  # 0.0  # fmt: skip
        (lambda: lambda_from_ntk(1e300, width=1e300, parametrization="standard",
                                 normalization="sum"), "width"),  # inf  # fmt: skip
        (lambda: to_loureiro(1e300, n_samples=1e300), "n_samples"),  # inf
        (lambda: linear.bayes_optimal_lambda(n_samples=1e-300, n_features=1e300, noise_var=1.0,
                                             signal_var=1e-300), "n_samples"),  # inf
        # ψ1 = P/d near the float64 maximum: λ̄* = 0 at ψ1 = 1e307 and a tuned risk of 0
        # at 3e307 (measured before the ψ ceiling), λ* 4% off at P = 1.7e308, d = 100
        (lambda: random_features.optimal_lambda(n_samples=300, n_features=1.7e308,
                                                input_dim=100, noise_var=0.5), "n_features"),
        (lambda: random_features.tuned_risk(n_samples=300, n_features=1.7e308, input_dim=100,
                                            noise_var=0.5), "n_features"),  # 0.0
        (lambda: random_features.optimal_lam_bar(1e307, 3.0, zeta=0.5, noise_var=0.5), "psi1"),
        (lambda: random_features.solve_chi(2.0, 3e307, 1.0, zeta=1.0), "psi2"),
    ]  # fmt: skip


SILENT = _silent_nonfinite()


@pytest.mark.parametrize(("call", "name"), SILENT, ids=[n for _, n in SILENT])
def test_extreme_finite_input_no_longer_gives_a_silent_nan_or_inf(call, name):
    with pytest.raises(ValueError) as exc:
        call()
    message = str(exc.value)
    assert name in message and "float64" in message, message


def test_numeric_exponents_are_json_encodable_floats():
    """Numeric APIs return Python floats; the exact values stay in the ``*_expr`` functions."""
    import json

    import sympy as sp

    from theory import networks, parametrization, transfer

    got = {
        "width": parametrization.width_exponent("ntk", "mean"),
        "network": networks.lambda_exponent("ntk", depth=2),
        "transfer": transfer.transfer_exponent("ntk", "sum", penalized="all", depth=2),
        "mup": transfer.mup_lr_exponent("ntk", "adam", "hidden"),
        "lr": transfer.lr_exponent("ntk", "adam", "hidden", "mup"),
        "presets": networks.preset_exponents("mean_field", depth=2),
        "count": networks.n_weights_exponent(depth=2),
        "rule": transfer.transfer(1e-4, width_from=100, width_to=800, parametrization="ntk",
                                  normalization="sum", penalized="all", depth=2).exponent,
    }  # fmt: skip
    assert json.loads(json.dumps(got)) == {**got, "presets": [0.0, 0.5, 1.0]}
    assert got["network"] == got["transfer"] == -2 / 3 and got["count"] == 2
    assert networks.lambda_exponent_expr("ntk", depth=2) == sp.Rational(-2, 3)
    assert transfer.transfer_exponent_expr("ntk", "sum", penalized="all", depth=2) == sp.Rational(
        -2, 3
    )
    assert parametrization.width_exponent_expr("mean", "ntk") == 1


def test_cli_overflow_exits_non_zero_naming_the_inputs(capsys):
    from theory.transfer import main

    argv = ["--lam", "1e308", "--from-width", "1", "--to-width", "1e10"]
    with pytest.raises(SystemExit) as exc:
        main(argv + ["--parametrization", "standard", "--normalization", "sum"]
             + ["--penalized", "readout"])  # fmt: skip
    assert exc.value.code == 2
    err = capsys.readouterr().err
    # the library's names, spelled as the flags typed (theory._transfer_cli._as_flags)
    assert "lam, --from-width, --to-width" in err and "overflows float64" in err


# ---------------------------------------------------------------- training.data, training.stationary


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(n_train=0), "n_train"),
        (dict(n_test=-3), "n_test"),
        (dict(n_classes=1), "n_classes"),
        (dict(temperature=0.0), "temperature"),
        (dict(temperature=float("nan")), "temperature"),
        (dict(seed=True), "seed"),
    ],
)
def test_teacher_rejects_bad_arguments(kwargs, name):
    from training.data import teacher

    with pytest.raises(ValueError, match=name):
        teacher(**kwargs)


def test_dataset_loaders_check_seeds_and_name():
    from training.data import digits, load, mnist1d

    with pytest.raises(ValueError, match="split_seed"):
        digits(n_train=50, split_seed=True)
    with pytest.raises(ValueError, match="split_seed"):
        digits(n_train=50, split_seed=-1)
    with pytest.raises(ValueError, match="seed"):
        mnist1d(n_train=50, num_samples=500, seed=-1, cache=None)
    with pytest.raises(ValueError, match="name"):
        load(["digits"])


def test_stationary_config_and_criterion_are_checked():
    from training.stationary import StationaryConfig, check_config, meets_criterion

    for bad, field in (
        (StationaryConfig(iterations=0), "iterations"),
        (StationaryConfig(iterations=40, window=50), "iterations"),
        (StationaryConfig(kink_tol=float("nan")), "kink_tol"),
        (StationaryConfig(clarke_steps=-1), "clarke_steps"),
    ):
        with pytest.raises(ValueError, match=field):
            check_config(bad)
    with pytest.raises(ValueError, match="config"):
        check_config("abc")
    with pytest.raises(ValueError, match="clarke_ratio"):
        meets_criterion({})
    with pytest.raises(ValueError, match="criterion"):
        meets_criterion({"clarke_ratio": [0.01]}, {"clarke_ratio": float("nan")})
    assert meets_criterion({"clarke_ratio": [0.01, 0.5]}, {"clarke_ratio": 0.03}).tolist() == [
        True,
        False,
    ]


# ---------------------------------------------------------------- API audit (helper-24)


def _api_audit_cases():
    from theory import classification as C
    from theory import linear
    from theory import random_features as rf
    from theory.parametrization import transfer_lambda
    from theory.prior import prior_variance
    from training.data import teacher
    from training.experiment import lam_star
    from training.models import architecture
    from training.stationary import budget_sweep, stationary_sweep
    from training.train import sweep

    data = teacher(n_train=8, n_test=8, input_dim=3, n_classes=2, seed=0)
    net = architecture(input_dim=3, width=4, depth=1, n_classes=2, parametrization="ntk")
    tl = {"parametrization": "ntk", "normalization": "sum"}
    return [
        # mismatched shapes: named, not NumPy's "operands could not be broadcast"
        (lambda: transfer_lambda([1e-4, 2e-4, 3e-4], width_from=[1, 2], width_to=2, **tl),
         "lam, width_from and width_to must broadcast"),
        (lambda: prior_variance([1e-3, 2e-3], n_samples=[1, 2, 3], noise_var=0.5),
         "lam, n_samples and noise_var must broadcast"),
        (lambda: models.implied_lambda([1.0, 2.0], width=[1, 2, 3], prior_exponent=1.0,
                                       n_samples=50), "s, width"),
        # a bool is not a size; a string is not a number
        (lambda: prior_variance(1e-3, n_samples=True, noise_var=0.5), "n_samples"),
        (lambda: transfer_lambda("1e-4", width_from=1, width_to=2, **tl), "lam"),
        # one architecture where a list of them is expected; seeds as a count
        (lambda: stationary_sweep(data, net, lam_sums=[[1e-2]], seeds=[0]), "nets\\[0\\]"),
        (lambda: stationary_sweep(data, [net], lam_sums=[[1e-2]], seeds=3), "seeds"),
        (lambda: stationary_sweep(data, [net], lam_sums=[[1e-2]], seeds=[0], shard="no"),
         "shard"),
        (lambda: budget_sweep(data, [net], lam_sums=[[1e-2]], seeds=[0], lr=[[0.1, 0.1]],
                              momentum="0.9"), "momentum"),
        (lambda: sweep(data, net, lr=0.1, lam_sums=[1e-2], seeds=[0], shard="no"), "shard"),
        # every run diverged: no λ* to return
        (lambda: lam_star(np.logspace(-4, 0, 9), np.full(9, np.nan)), "losses"),
        (lambda: architecture(input_dim=3, width=np.inf, depth=1, n_classes=2,
                              parametrization="ntk"), "width"),
        (lambda: C.gaussian_logistic(5e-3, n_samples=[100, 200], n_features=50), "n_samples"),
        (lambda: C.gaussian_logistic([], n_samples=100, n_features=50), "lam"),
        (lambda: rf.asymptotic_risk([0.1, 0.2, 0.3], n_samples=[100, 200], n_features=50,
                                    input_dim=20, noise_var=0.5), "lam, n_features and n_samples"),
        (lambda: rf.optimal_lambda(n_samples=[100, 200], n_features=[50, 60, 70], input_dim=20,
                                   noise_var=0.5), "n_samples, n_features"),
        (lambda: linear.asymptotic_risk([0.1, 0.2, 0.3], gamma=[0.5, 2.0], noise_var=0.5,
                                        signal_var=1.0), "lam, gamma"),
    ]  # fmt: skip


@pytest.mark.parametrize("case", range(17))
def test_api_audit_bad_input_is_a_named_value_error(case):
    call, match = _api_audit_cases()[case]
    with pytest.raises(ValueError, match=match):
        call()


def test_a_string_out_dir_is_a_path(tmp_path):
    """``figures.run(..., out_dir="...")``: a str is a path (it failed on ``str / str``)."""
    from figures._registry import is_current

    assert is_current("prior_equivalence", out_dir=str(tmp_path)) is False


def test_check_seeds_takes_a_non_empty_sequence_of_integers_only():
    """training.train.check_seeds, shared by every sweep: a count, a string, an empty list,
    a negative, a bool or a fraction is a ValueError naming ``seeds``."""
    from training.train import check_seeds

    assert check_seeds(np.arange(3)) == [0, 1, 2] and check_seeds((4,)) == [4]
    for bad in (3, "01", [], [-1], [True], [2.5]):
        with pytest.raises(ValueError, match="^seeds"):
            check_seeds(bad)
