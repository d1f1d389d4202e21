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
    "width_exponent": 1.0,
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
        run_nuts(models.linear_regression, X, None, width_exponent=1.0)
    with pytest.raises(ValueError, match="target_accept"):
        run_nuts(models.linear_regression, X, np.ones(5), target_accept=1.5, width_exponent=1.0)


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

    from theory._io import atomic_write_text

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
