"""training/: parametrization identities, gradients, optimizers, the vmapped sweep, the experiment.

All runs here are float64 (tests/conftest.py enables x64) and tiny; networks of the
same shapes and optimizer share one compiled program, which keeps the file fast.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from theory.parametrization import PARAMETRIZATIONS, lambda_from_ntk
from theory.prior import to_sum
from training.data import digits, load, teacher
from training.experiment import Setting, _slots, lam_star, rule_lambdas
from training.models import apply, architecture, lr_factors, map_weights, n_penalized
from training.train import TrainConfig, objective, sweep, sweep_loop

F64 = jnp.float64
DATA = teacher(n_train=32, n_test=40, input_dim=5, n_classes=3, seed=3)
WIDTH = 7


def _layers(parametrization: str, depth: int = 1, width: int = WIDTH):
    return architecture(
        input_dim=DATA.input_dim,
        width=width,
        depth=depth,
        n_classes=DATA.n_classes,
        parametrization=parametrization,
    )


def _noise(layers, seed=0):
    rng = np.random.default_rng(seed)
    return [jnp.asarray(rng.standard_normal((l.fan_in, l.fan_out))) for l in layers]


def _ntk_reference(z, x):
    """NTK network written out by hand: relu(√2 x z1/√d) ... z_out/√P (independent of models.py)."""
    h = x
    for i, w in enumerate(z):
        h = h @ w / np.sqrt(w.shape[0])
        if i < len(z) - 1:
            h = np.maximum(np.sqrt(2.0) * h, 0.0)
    return h


# ---------------------------------------------------------------- parametrization identities


@pytest.mark.parametrize("depth", [1, 2])
def test_outputs_match_across_parametrizations_at_initialization(depth):
    ntk = _layers("ntk", depth)
    z = _noise(ntk)
    reference = _ntk_reference([np.asarray(w) for w in z], DATA.x_test)
    for par in PARAMETRIZATIONS:
        layers = _layers(par, depth)
        weights = map_weights(z, ntk, layers)  # mapped init: the same network
        out = apply(weights, [l.multiplier for l in layers], jnp.asarray(DATA.x_test))
        # identical arithmetic up to reassociation of scalar factors: float64 rounding
        np.testing.assert_allclose(out, reference, rtol=1e-12, atol=1e-13)
    # natural initializations from the same noise: standard == NTK; mean-field = NTK / sqrt(P)
    natural = {
        par: apply(
            [l.init_std * w for l, w in zip(_layers(par, depth), z, strict=True)],
            [l.multiplier for l in _layers(par, depth)],
            jnp.asarray(DATA.x_test),
        )
        for par in PARAMETRIZATIONS
    }
    np.testing.assert_allclose(natural["standard"], reference, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(
        natural["mean_field"] * np.sqrt(WIDTH), reference, rtol=1e-12, atol=1e-13
    )


def _mapped_run(par, *, depth, lam_ntk, readout_only, lr_ntk=0.3):
    """Train ``par`` from the NTK initialization mapped into it, with λ and learning rates mapped.

    ``W_par = k W_ntk`` per layer (``k = m_ntk / m_par``); the objective is the same when the
    penalty of each layer is divided by k² and GD steps are the same when ``η_par = k² η_ntk``.
    """
    ntk, layers = _layers("ntk", depth), _layers(par, depth)
    k = np.array([a.multiplier / b.multiplier for a, b in zip(ntk, layers, strict=True)])
    init = [l._replace(init_std=float(kk)) for l, kk in zip(layers, k, strict=True)]
    if readout_only:
        # the readout theory: penalize the readout only, λ from theory.parametrization
        lam = lambda_from_ntk(lam_ntk, width=WIDTH, parametrization=par, normalization="sum")
        # ... and the same through the mean normalization (λ_mean over the P readout weights)
        lam_mean = lambda_from_ntk(lam_ntk, width=WIDTH, parametrization=par, normalization="mean")
        assert to_sum(lam_mean, normalization="mean", n_params=WIDTH) == pytest.approx(lam, 1e-14)
        rho = np.zeros(len(layers))
        rho[-1] = 1.0
    else:
        lam, rho = lam_ntk, 1.0 / k**2
    return sweep(
        DATA,
        init,
        lam_sums=[lam],
        seeds=[5],
        lr=lr_ntk * k**2,
        rho=rho,
        config=TrainConfig(steps=25),
        dtype=F64,
    )


@pytest.mark.parametrize(("depth", "readout_only"), [(1, True), (1, False), (2, False)])
def test_training_is_identical_across_parametrizations_with_mapped_lambda(depth, readout_only):
    runs = {
        par: _mapped_run(par, depth=depth, lam_ntk=0.02, readout_only=readout_only)
        for par in PARAMETRIZATIONS
    }
    for par in ("standard", "mean_field"):
        for key in ("objective", "train_loss", "test_loss", "logit_rms"):
            # 25 steps of the same float64 arithmetic up to reassociation of constant factors
            np.testing.assert_allclose(runs[par][key], runs["ntk"][key], rtol=1e-10, err_msg=key)
    # not vacuous: training moved the loss
    assert runs["ntk"]["objective"][0, 0, -1] < 0.9 * runs["ntk"]["objective"][0, 0, 0]


def test_unmapped_lambda_gives_a_different_predictor():
    """Control: the same λ_sum number in standard and NTK is a different objective."""
    base = _mapped_run("ntk", depth=1, lam_ntk=0.02, readout_only=True)
    ntk, std = _layers("ntk"), _layers("standard")
    k = np.array([a.multiplier / b.multiplier for a, b in zip(ntk, std, strict=True)])
    init = [l._replace(init_std=float(kk)) for l, kk in zip(std, k, strict=True)]
    naive = sweep(
        DATA,
        init,
        lam_sums=[0.02],
        seeds=[5],
        lr=0.3 * k**2,
        rho=[0.0, 1.0],
        config=TrainConfig(steps=25),
        dtype=F64,
    )
    assert abs(naive["test_loss"][0, 0] - base["test_loss"][0, 0]) > 1e-4


# ---------------------------------------------------------------- gradients


@pytest.mark.parametrize("par", PARAMETRIZATIONS)
def test_objective_gradient_matches_finite_differences(par):
    layers = _layers(par, depth=2)
    weights = [l.init_std * w for l, w in zip(layers, _noise(layers, 1), strict=True)]
    mults = jnp.asarray([l.multiplier for l in layers])
    x, y = jnp.asarray(DATA.x_train), jnp.asarray(DATA.y_train)
    lam, rho = 0.03, [1.0, 0.5, 2.0]
    f = jax.jit(lambda w, m: objective(w, m, x, y, lam, rho))  # one compile for every case
    grad = jax.grad(f)(weights, mults)
    rng = np.random.default_rng(7)
    h = 1e-5
    for _ in range(3):
        v = [jnp.asarray(rng.standard_normal(w.shape)) for w in weights]
        plus = f([w + h * d for w, d in zip(weights, v, strict=True)], mults)
        minus = f([w - h * d for w, d in zip(weights, v, strict=True)], mults)
        fd = (plus - minus) / (2 * h)
        exact = sum(jnp.vdot(g, d) for g, d in zip(grad, v, strict=True))
        # central difference: truncation h^2 |f'''| ~ 1e-10, rounding eps |f| / h ~ 1e-11
        assert float(fd) == pytest.approx(float(exact), rel=1e-7, abs=1e-8)
    # the penalty part by hand: d/dW (λ ρ_l ‖W_l‖²) = 2 λ ρ_l W_l
    g_data = jax.grad(jax.jit(lambda w, m: objective(w, m, x, y, 0.0, rho)))(weights, mults)
    for g, gd, w, r in zip(grad, g_data, weights, rho, strict=True):
        np.testing.assert_allclose(g - gd, 2 * lam * r * w, rtol=1e-9, atol=1e-14)


def test_objective_convention_no_half_and_mean_over_samples():
    """(1/N) Σ CE + λ Σ w², natural log: checked on a case computed by hand."""
    w = [jnp.zeros((2, 2)), jnp.array([[1.0, 0.0], [0.0, 0.0]])]
    x = jnp.array([[1.0, 0.0], [0.0, 1.0]])
    y = jnp.array([0, 1])
    # logits: row 1 relu([0,0])@W2 = 0 -> CE ln 2 for both rows; penalty λ·1
    value = objective(w, [1.0, 1.0], x, y, 0.25, [1.0, 1.0])
    assert float(value) == pytest.approx(np.log(2) + 0.25, rel=1e-15)


# ---------------------------------------------------------------- optimizers and the sweep

SMALL = digits(n_train=100)
SMALL_LAYERS = architecture(input_dim=64, width=32, depth=1, n_classes=10, parametrization="ntk")
STEPS = 60


@pytest.fixture(scope="module")
def runs():
    out = {}
    for opt, lr in (("sgd", 1.0), ("adamw-coupled", 0.01), ("adamw-independent", 0.01)):
        out[opt] = sweep(
            SMALL,
            SMALL_LAYERS,
            lam_sums=[1e-4, 1e-3],
            seeds=[0, 1],
            lr=lr,
            config=TrainConfig(optimizer=opt, steps=STEPS),
            dtype=F64,
        )
    return out


@pytest.mark.parametrize("opt", ["sgd", "adamw-coupled", "adamw-independent"])
def test_training_loss_decreases(runs, opt):
    out = runs[opt]
    # the objective (data + λR) and the data loss both fall; the data loss far below its
    # initial value and below chance (ln 10 = 2.30)
    assert np.all(out["objective"][..., -1] < out["objective"][..., 0])
    assert np.all(out["train_loss"] < 0.25 * out["train_loss_init"])
    assert np.all(out["train_loss"] < 0.5)
    assert np.all(out["test_acc"] > 0.7)


def test_adamw_coupled_equals_independent_when_no_rate_is_scaled(runs):
    for key in ("objective", "test_loss", "sq_norm"):
        np.testing.assert_array_equal(runs["adamw-coupled"][key], runs["adamw-independent"][key])


def test_the_two_adamw_variants_run_one_compiled_program():
    # they differ only in the traced decay rate; 3 steps: a shape no other test compiles
    from training.train import _sweep_jit

    sizes = []
    for opt in ("adamw-independent", "adamw-coupled"):
        sweep(SMALL, SMALL_LAYERS, lam_sums=[1e-4], seeds=[0], lr=0.01,
              config=TrainConfig(optimizer=opt, steps=3), dtype=F64)  # fmt: skip
        sizes.append(_sweep_jit._cache_size())
    assert sizes[1] == sizes[0]


def test_larger_lambda_shrinks_the_weights(runs):
    for opt in runs:
        norms = runs[opt]["sq_norm"].sum(axis=-1)  # [λ, seed]
        assert np.all(norms[1] < norms[0])


def test_adamw_variants_differ_when_the_rates_are_width_scaled():
    # same shapes and optimizers as the `runs` fixture: the compiled programs are reused
    layers = architecture(input_dim=64, width=32, depth=1, n_classes=10, parametrization="standard")
    out = {}
    for opt in ("adamw-coupled", "adamw-independent"):
        factors = lr_factors(
            layers, parametrization="standard", optimizer=opt, lr_scaling="mup", base_width=8
        )
        assert factors == [1.0, 0.25]  # TP V Table 3: readout η/fan_in, relative to width 8
        out[opt] = sweep(
            SMALL,
            layers,
            lam_sums=[1e-4, 1.0],
            seeds=[0, 1],
            lr=0.01 * np.asarray(factors),
            base_lr=0.01,
            config=TrainConfig(optimizer=opt, steps=STEPS),
            dtype=F64,
        )
    # independent decay uses η = 0.01 on the readout, coupled η/4: the readout shrinks more
    readout = {opt: out[opt]["sq_norm"][1, :, 1] for opt in out}
    assert np.all(readout["adamw-independent"] < readout["adamw-coupled"])


def test_vmapped_sweep_equals_python_loop(runs):
    loop = sweep_loop(
        SMALL,
        SMALL_LAYERS,
        lam_sums=[1e-4, 1e-3],
        seeds=[0, 1],
        lr=1.0,
        config=TrainConfig(optimizer="sgd", steps=STEPS),
        dtype=F64,
    )
    for key, value in runs["sgd"].items():
        # same float64 operations, batched differently: agreement to rounding
        np.testing.assert_allclose(loop[key], value, rtol=1e-9, atol=1e-12, err_msg=key)


def test_minibatch_sgd_trains():
    mini = sweep(
        DATA,
        _layers("ntk"),
        lam_sums=[1e-3],
        seeds=[0, 1],
        lr=0.5,
        config=TrainConfig(steps=80, batch_size=8),
        dtype=F64,
    )
    trace = mini["objective"][0]  # [seed, step]: minibatch objectives, noisy
    assert np.all(trace[:, -20:].mean(axis=1) < trace[:, :5].mean(axis=1))
    assert np.all(mini["train_loss"] < mini["train_loss_init"])
    assert mini["test_loss"][0, 0] != mini["test_loss"][0, 1]  # other init, other batches


def test_gd_fixed_point_balances_data_gradient_and_shrinkage():
    """At a stationary point ∇(1/N)ΣCE = −2λ a entrywise: equal RMS, and equal and opposite
    changes of the logits.  Random features (hidden layer frozen), readout penalized: a
    strongly convex problem that GD with momentum solves in a few hundred steps."""
    lam = 0.01
    out = sweep(
        DATA,
        _layers("ntk"),
        lam_sums=[lam],
        seeds=[0],
        lr=[0.0, 1.0],
        rho=[0.0, 1.0],
        config=TrainConfig(steps=600),
    )
    ratio = out["grad_rms"][0, 0, 1] / (2 * lam * out["weight_rms"][0, 0, 1])
    # float32 run (the default dtype) at convergence: agreement to ~1e-4
    np.testing.assert_allclose(ratio, 1.0, rtol=2e-3)
    np.testing.assert_allclose(out["fstep_data"], out["fstep_shrink"], rtol=2e-3)
    # the frozen hidden layer did not move
    np.testing.assert_allclose(out["weight_rms"][0, 0, 0], out["weight_rms_init"][0, 0, 0])
    # at initialization they are not balanced (here the data gradient is 1.5 times larger)
    ratio_init = out["grad_rms_init"][0, 0, 1] / (2 * lam * out["weight_rms_init"][0, 0, 1])
    assert abs(ratio_init - 1) > 0.2


@pytest.mark.parametrize(
    "optimizer, rho, frozen",
    [("sgd", [1.0, 1.0, 1.0], 2), ("adamw-coupled", [1.0, 1.0, 1.0], 2),
     ("adamw-independent", [0.0, 1.0, 1.0], 1), ("adamw-independent", [0.0, 0.0, 1.0], 2),
     ("adamw-independent", [1.0, 0.0, 1.0], 0)],
)  # fmt: skip
def test_frozen_layers_train_as_the_full_program(optimizer, rho, frozen):
    """Leading layers whose every update is 0 are trained as frozen (their output computed
    once): every result of these finite runs equals the full program's, which updates them
    by 0 each step.
    AdamW's independent decay moves a layer of rate 0 unless its ρ is 0."""
    from training.train import _prepare, _sweep_jit

    layers = _layers("ntk", depth=2)
    config = TrainConfig(optimizer=optimizer, steps=40, batch_size=8)  # minibatches too
    *args, program = _prepare(DATA, layers, [0.0, 0.0, 0.5], 0.5, [1e-3, 1e-2], [0, 1],
                              rho, config, F64)  # fmt: skip
    assert program[1] == frozen
    outs = [_sweep_jit(*args, config=program[0], frozen=k) for k in sorted({0, frozen})]
    assert outs[-1]["sq_norm"][..., :frozen].tolist() == outs[0]["sq_norm"][..., :frozen].tolist()
    for key in outs[0]:
        # float64; the frozen layers' output is the same product, computed once: agreement to
        # rounding (a few ulp of the O(1) losses and norms)
        np.testing.assert_allclose(outs[-1][key], outs[0][key], rtol=1e-12, atol=1e-14)
    if frozen:
        np.testing.assert_array_equal(  # frozen layers: exactly their initialization
            outs[-1]["weight_rms"][..., :frozen], outs[-1]["weight_rms_init"][..., :frozen]
        )


def test_frozen_must_leave_a_layer_to_train():
    from training.train import _prepare, train_run

    *args, program = _prepare(DATA, _layers("ntk"), [0.0, 1.0], None, [1e-3], [0], None,
                              TrainConfig(steps=2), F64)  # fmt: skip
    noise, batches, lams, arrays, scales = args
    one = [z[0] for z in noise]
    for bad in (2, -1, 1.5):
        with pytest.raises(ValueError, match="frozen"):
            train_run(one, None, lams[0], arrays, scales, config=program[0], frozen=bad)


# ---------------------------------------------------------------- data, experiment helpers


def test_digits_split_is_fixed_stratified_and_standardized():
    a, b = digits(n_train=200), digits(n_train=200)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    counts = np.bincount(a.y_train)  # stratified; the classes hold 174-183 of 1797 images
    assert counts.sum() == 200 and counts.min() >= 19 and counts.max() <= 21
    np.testing.assert_allclose(a.x_train.mean(axis=0), 0.0, atol=1e-12)
    std = a.x_train.std(axis=0)
    assert np.all((np.abs(std - 1) < 1e-12) | (std == 0))
    assert len(a.y_train) + len(a.y_test) == 1797


def test_rule_lambdas_follow_the_theory_functions():
    setting = Setting(parametrization="standard", optimizer="adamw-coupled", lr_scaling="mup")
    lam = 3e-3
    p16 = n_penalized(architecture(input_dim=64, width=16, depth=2, n_classes=10,
                                   parametrization="standard"))  # fmt: skip
    p64 = n_penalized(architecture(input_dim=64, width=64, depth=2, n_classes=10,
                                   parametrization="standard"))  # fmt: skip
    assert (p16, p64) == (64 * 16 + 16 * 16 + 16 * 10, 64 * 64 + 64 * 64 + 64 * 10)
    rules = rule_lambdas(setting, lam, width_from=16, width_to=64, p_from=p16, p_to=p64)
    assert rules["theory_sum"] == pytest.approx(lam * 4, rel=1e-14)  # standard + sum: ∝ P
    # standard + mean by hand: λ_mean = λ_sum·P_params grows ∝ width² (P^(2−2c), c = 0), and
    # λ_sum = λ_mean / P_params at the new width
    assert rules["theory_mean"] == pytest.approx(lam * p16 * (64 / 16) ** 2 / p64, rel=1e-14)
    assert rules["optimizer"] == pytest.approx(lam * 4, rel=1e-14)  # Wang & Aitchison: ∝ P
    assert rules["features"] == lam  # standard, every weight penalized: λ·m_1 m_2 = λ fixed
    assert rules["naive_sum"] == lam
    assert rules["naive_mean"] == pytest.approx(lam * p16 / p64, rel=1e-14)


def test_slots_hold_grid_rules_and_extensions():
    grid = np.array([1e-3, 1e-2, 1e-1])
    lams = _slots(grid, [1e-2, 5e-2, 5e-2], 7, 1.0)
    assert lams[:4].tolist() == [1e-3, 1e-2, 1e-1, 5e-2]  # duplicates trained once
    # then alternately one step below and above the grid: 1e-4, 1, 1e-5
    np.testing.assert_allclose(lams[4:], [1e-4, 1.0, 1e-5], rtol=1e-12)
    with pytest.raises(ValueError, match="n_slots"):
        _slots(grid, [2e-2, 3e-2], 4, 1.0)


def test_lam_star_recovers_a_parabola_and_flags_edges():
    lams = np.logspace(-5, -1, 9)
    curve = 0.3 + (np.log10(lams) + 2.7) ** 2  # minimum at 10^-2.7, between grid points
    star, edge = lam_star(lams, curve)
    assert star == pytest.approx(10**-2.7, rel=1e-9) and not edge
    curve[-1] = np.nan  # a diverged run counts as +inf
    assert lam_star(lams, curve)[0] == pytest.approx(10**-2.7, rel=1e-9)
    assert lam_star(lams, lams)[1]  # increasing: optimum below the grid


def test_bad_input_is_rejected():
    with pytest.raises(ValueError, match="lam_sums"):
        sweep(DATA, _layers("ntk"), lam_sums=[-1.0], seeds=[0], lr=0.1)
    with pytest.raises(ValueError, match="optimizer"):
        sweep(DATA, _layers("ntk"), lam_sums=[0.1], seeds=[0], lr=0.1,
              config=TrainConfig(optimizer="adam"))  # fmt: skip
    with pytest.raises(ValueError, match="lr"):
        sweep(DATA, _layers("ntk"), lam_sums=[0.1], seeds=[0], lr=0.0)
    with pytest.raises(ValueError, match="depth"):
        architecture(input_dim=4, width=8, depth=0, n_classes=2, parametrization="ntk")
    with pytest.raises(ValueError, match="width"):
        architecture(input_dim=4, width=0, depth=1, n_classes=2, parametrization="ntk")
    with pytest.raises(ValueError, match="parametrization"):
        architecture(input_dim=4, width=8, depth=1, n_classes=2, parametrization="mup")
    with pytest.raises(ValueError, match="name"):
        load("mnist")


# ---------------------------------------------------------------- MNIST-1D (generated offline)


def test_mnist1d_is_generated_offline_deterministic_and_side_effect_free(tmp_path, monkeypatch):
    import random
    import socket
    import urllib.request

    import requests

    from training.data import mnist1d

    def no_network(*args, **kwargs):
        raise AssertionError("mnist1d touched the network")

    monkeypatch.setattr(requests, "get", no_network)
    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    np.random.seed(123)  # noqa: NPY002  (the legacy global state is what make_dataset seeds)
    random.seed(123)
    before = (np.random.random(), random.random())  # noqa: NPY002
    np.random.seed(123)  # noqa: NPY002
    random.seed(123)
    a = mnist1d(n_train=30, num_samples=300, cache=tmp_path)  # generated, then cached
    after = (np.random.random(), random.random())  # noqa: NPY002
    assert after == before  # the global generators are restored, not reseeded to 42
    assert len(list(tmp_path.glob("mnist1d-*.npz"))) == 1
    b = mnist1d(n_train=30, num_samples=300, cache=tmp_path)  # read from the cache
    c = mnist1d(n_train=30, num_samples=300, cache=None)  # regenerated
    for other in (b, c):
        for x, y in zip(a, other, strict=True):
            np.testing.assert_array_equal(x, y)
    assert a.x_train.shape == (30, 40) and len(a.y_test) == 270
    assert np.bincount(a.y_train).tolist() == [3] * 10  # stratified
    np.testing.assert_allclose(a.x_train.mean(axis=0), 0.0, atol=1e-12)
    assert load("mnist1d", n_train=30, num_samples=300, cache=tmp_path).x_test.shape == (270, 40)
    # another split seed: another training set from the same signals
    d = mnist1d(n_train=30, num_samples=300, split_seed=1, cache=tmp_path)
    assert not np.array_equal(d.x_train, a.x_train)


def test_mnist1d_class_subset_keeps_those_signals_relabelled_in_order(tmp_path):
    from training.data import _mnist1d_arrays, mnist1d

    x, y = _mnist1d_arrays(300, 42, tmp_path)
    pair = mnist1d(n_train=20, num_samples=300, classes=(7, 2), cache=tmp_path)
    assert pair.n_classes == 2
    assert np.bincount(pair.y_train).tolist() == [10, 10]  # stratified
    both = np.concatenate([pair.x_train, pair.x_test])
    labels = np.concatenate([pair.y_train, pair.y_test])
    raw = np.concatenate([x[y == 7], x[y == 2]])
    assert len(both) == len(raw)
    # every row is (raw - m) / s with the training statistics m, s; recover them from the
    # pooled rows (the map is per feature and affine) and undo it
    s = raw.std(0) / both.std(0)
    m = raw.mean(0) - s * both.mean(0)
    back = both * s + m
    for label, template in ((0, 7), (1, 2)):  # label 0 is template 7: the order given
        got = np.sort(back[labels == label].round(8), axis=0)
        want = np.sort(x[y == template].round(8), axis=0)
        np.testing.assert_allclose(got, want, atol=1e-6)  # float64 round trip of O(1) values


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"n_train": 5}, "n_train"),
        ({"n_train": 2.5}, "n_train"),
        ({"num_samples": 50}, "num_samples"),
        ({"seed": -1}, "seed"),
        ({"split_seed": -2}, "split_seed"),
        ({"classes": [3]}, "classes"),
        ({"classes": [3, 3]}, "classes"),
        ({"classes": [3, 10]}, "classes"),
        ({"classes": [True, 3]}, "classes"),
        ({"classes": "23"}, "classes"),
        ({"classes": (2, 3), "n_train": 59}, "n_train"),  # 60 signals of classes 2 and 3
    ],
)
def test_mnist1d_bad_input_names_the_argument(kwargs, name):
    from training.data import mnist1d

    with pytest.raises(ValueError, match=name):
        mnist1d(**{"num_samples": 300, "cache": None, **kwargs})
