"""training.camps: the rules' λ per tensor, and the regret bookkeeping of run_camps."""

import numpy as np
import pytest

from training.camps import CAMP_RULES, camp_lambdas, run_camps
from training.models import architecture, lr_factors, n_penalized


def _layers(width, depth):
    return architecture(
        input_dim=8, width=width, depth=depth, n_classes=3, parametrization="standard"
    )


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_per_tensor_rule_holds_each_tensors_shrink_per_step(depth):
    # independent route: the per-step shrink 2 η_l λ_l of coupled AdamW, with η_l from
    # training.models.lr_factors (μP Adam rates), must equal its value at the base width
    a, b = _layers(16, depth), _layers(256, depth)
    lam0 = 0.3
    lams = camp_lambdas(lam0, a, b, optimizer="adamw-coupled", lr_scaling="mup")
    kw = dict(parametrization="standard", optimizer="adamw-coupled", lr_scaling="mup")
    eta_b = np.asarray(lr_factors(b, base_width=16, **kw))
    eta_a = np.asarray(lr_factors(a, base_width=16, **kw))  # all 1 at the base width
    # float64 products of powers of 16: a few ulps
    np.testing.assert_allclose(eta_b * lams["per_tensor"], eta_a * lam0, rtol=1e-12)
    assert lams["per_tensor"][0] == pytest.approx(lam0, rel=1e-12)  # input rate is fixed
    assert lams["per_tensor"][-1] == pytest.approx(16 * lam0, rel=1e-12)  # readout η ∝ 1/r


@pytest.mark.parametrize(
    "optimizer, scaling",
    [("adamw-independent", "mup"), ("adamw-coupled", "none"), ("adamw-independent", "none")],
)
def test_per_tensor_rule_is_fixed_lambda_without_width_scaled_rates(optimizer, scaling):
    # independent decay shrinks by 2 η_0 λ whatever η_l is; with global rates η_l = η_0
    lams = camp_lambdas(0.7, _layers(8, 2), _layers(64, 2), optimizer=optimizer,
                        lr_scaling=scaling)  # fmt: skip
    np.testing.assert_allclose(lams["per_tensor"], lams["fixed"], rtol=1e-12)


def test_global_rules():
    a, b = _layers(16, 2), _layers(64, 2)
    lams = camp_lambdas(0.5, a, b, optimizer="adamw-coupled", lr_scaling="mup")
    assert set(lams) == set(CAMP_RULES)
    np.testing.assert_allclose(lams["fixed"], 0.5, rtol=0)
    np.testing.assert_allclose(lams["sqrt"], 1.0, rtol=1e-15)
    np.testing.assert_allclose(lams["linear"], 2.0, rtol=1e-15)
    # λ_mean = P_total λ_sum carried unchanged: hand count 8·16+16·16+16·3 → 8·64+64·64+64·3
    assert n_penalized(a) == 432 and n_penalized(b) == 4800
    np.testing.assert_allclose(lams["mean"], 0.5 * 432 / 4800, rtol=1e-15)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(optimizer="sgd"), "optimizer"),
        (dict(lr_scaling="muP"), "lr_scaling"),
        (dict(lam0=0.0), "lam0"),
        (dict(lam0=float("nan")), "lam0"),
    ],
)
def test_camp_lambdas_rejects_bad_input(kwargs, name):
    args = dict(lam0=0.1, optimizer="adamw-coupled", lr_scaling="mup") | kwargs
    lam0 = args.pop("lam0")
    with pytest.raises(ValueError, match=name):
        camp_lambdas(lam0, _layers(8, 1), _layers(16, 1), **args)


_RUN = dict(dataset="teacher", n_train=48, depth=1, lr=0.01, widths=[8, 32], seeds=[0, 1],
            steps=8, grid_center=0.1, n_grid=3, grid_step=1.0)  # fmt: skip


@pytest.fixture(scope="module")
def coupled_mup():
    return run_camps(optimizer="adamw-coupled", lr_scaling="mup", **_RUN)


def test_run_camps_trains_every_rules_lambda_and_scores_it(coupled_mup):
    out = coupled_mup
    test = out["test_loss"]  # [width, slot, seed]
    mean = test.mean(axis=2)
    for r in CAMP_RULES:
        lam_r = out[f"rule_lam/{r}"][-1]
        if r != "per_tensor":  # a global λ sits in a slot of the largest width, exactly
            j = np.argmin(np.abs(np.log(out["lams"][-1] / lam_r[0])))
            assert out["lams"][-1][j] == pytest.approx(lam_r[0], rel=1e-9)
            np.testing.assert_array_equal(out[f"loss/{r}"][-1], test[-1, j])
        # regret = mean loss at the rule minus the best mean over the grid (bookkeeping only)
        expect = out[f"loss/{r}"][-1].mean() - np.nanmin(mean[-1])
        assert out[f"regret/{r}"][-1] == pytest.approx(expect, abs=1e-12)
    np.testing.assert_allclose(out["rule_lam/fixed"][-1], out["lam_star"][0], rtol=0)
    # the per-tensor run is its own sweep: readout λ = r·λ0 (η_readout ∝ 1/r), input λ0
    np.testing.assert_allclose(
        out["rule_lam/per_tensor"][-1], out["lam_star"][0] * np.array([1.0, 4.0]), rtol=1e-12
    )
    assert np.all(np.isfinite(out["loss/per_tensor"]))
    assert out["exponent"].shape == () and np.isfinite(out["exponent_se"])
    # two widths: the exponent is the log ratio of the tuned λ*'s, by hand (float rounding)
    hand = np.log(out["lam_star"][1] / out["lam_star"][0]) / np.log(32 / 8)
    assert out["exponent"] == pytest.approx(hand, rel=1e-10, abs=1e-12)
    # two seeds: the s.d. of a pair of paired differences is |d0 − d1|/√2, so the regret's
    # s.e. is |d0 − d1|/2 (by hand, not the code's std/√n); float rounding only
    best = np.nanargmin(mean[-1])
    for r in CAMP_RULES:
        d = out[f"loss/{r}"][-1] - test[-1, best]
        assert out[f"regret_se/{r}"][-1] == pytest.approx(
            abs(d[0] - d[1]) / 2, rel=1e-10, abs=1e-15
        )
    assert out["tail_decrease"].shape == (2,) and np.all(np.isfinite(out["tail_decrease"]))


def test_run_camps_rejects_bad_input():
    with pytest.raises(ValueError, match="optimizer"):
        run_camps(optimizer="sgd", lr_scaling="mup", **_RUN)
    with pytest.raises(ValueError, match="widths"):
        run_camps(optimizer="adamw-coupled", lr_scaling="mup", **(_RUN | {"widths": [32, 8]}))
    with pytest.raises(ValueError, match="seeds"):
        run_camps(optimizer="adamw-coupled", lr_scaling="mup", **(_RUN | {"seeds": [0]}))
    with pytest.raises(ValueError, match="depth"):
        run_camps(optimizer="adamw-coupled", lr_scaling="mup", **(_RUN | {"depth": 4}))
