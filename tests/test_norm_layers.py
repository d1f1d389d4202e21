"""training.normalized and figures.norm_layers: LayerNorm MLPs, scale invariance, equilibrium.

(a) The function class: the logits are invariant to the scale of every hidden matrix (float64,
to rounding), not to the readout's, and a LayerNorm ε > 0 breaks it.  (b) The premise of
:mod:`theory.equilibrium`: the data gradient of a hidden matrix is orthogonal to it.  (c) In
training (plain GD, optax.sgd with momentum 0), every step obeys the exact relation
``‖W_{t+1}‖ cos θ_t = (1 − s)‖W_t‖``.  (d) Bad input names the argument.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from training.data import teacher
from training.normalized import NormConfig, apply, check_norm_config, shapes, sweep
from training.train import cross_entropy


def _weights(depth=2, width=12, d=5, k=3, seed=0):
    rng = np.random.default_rng(seed)
    return [jnp.asarray(rng.standard_normal(s)) for s in shapes(input_dim=d, width=width,
                                                                depth=depth, n_classes=k)]  # fmt: skip


def test_output_is_invariant_to_hidden_scales_not_to_the_readout():
    w = _weights()
    x = jnp.asarray(np.random.default_rng(1).standard_normal((40, 5)))
    f0 = apply(w, x)
    assert f0.dtype == jnp.float64  # the test session runs in x64 (tests/conftest.py)
    for scales in ([1e-3, 1.0], [7.0, 0.2], [1e3, 1e-2]):
        f1 = apply([c * wi for c, wi in zip(scales, w[:2], strict=True)] + w[2:], x)
        # float64: LN divides out the factor; rounding ~1e-15 relative to the logits' scale
        np.testing.assert_allclose(f1, f0, rtol=0, atol=1e-12 * float(jnp.max(jnp.abs(f0))))
    # the readout's scale is the function's scale
    np.testing.assert_allclose(apply(w[:2] + [3.0 * w[2]], x), 3.0 * f0, rtol=1e-13)
    # with ε > 0 the invariance is approximate: a small scale makes ε dominate
    f_eps = apply([1e-4 * w[0]] + w[1:], x, ln_eps=1e-5)
    assert float(jnp.max(jnp.abs(f_eps - f0))) > 1e-3


def test_data_gradient_is_orthogonal_to_each_hidden_matrix():
    w = _weights(depth=3)
    rng = np.random.default_rng(2)
    x = jnp.asarray(rng.standard_normal((30, 5)))
    y = jnp.asarray(rng.integers(0, 3, 30))
    grads = jax.grad(lambda v: cross_entropy(apply(v, x), y))(w)
    for layer in range(3):
        cos = jnp.sum(grads[layer] * w[layer]) / (
            jnp.linalg.norm(grads[layer]) * jnp.linalg.norm(w[layer])
        )
        # float64 rounding of sums over <= 144 entries: |cos| ~1e-16, bound 1e-12
        assert abs(float(cos)) < 1e-12, layer
    cos_out = jnp.sum(grads[-1] * w[-1]) / (jnp.linalg.norm(grads[-1]) * jnp.linalg.norm(w[-1]))
    assert abs(float(cos_out)) > 1e-3  # the readout is not scale-invariant


def test_every_gd_step_obeys_the_exact_rotation_identity():
    data = teacher(n_train=64, n_test=64, input_dim=4, n_classes=3)
    lr, lam = 0.3, 0.03
    out = sweep(data, width=10, depth=2, lams=[lam], seeds=[0, 1], dtype=jnp.float64,
                config=NormConfig(optimizer="sgd", lr=lr, momentum=0.0, steps=60))  # fmt: skip
    s = lr * 2 * lam
    norm, angle = out["norm"][0], out["angle"][0]  # [seed, step, layer], after each step
    for layer in range(2):
        before, after = norm[:, :-1, layer], norm[:, 1:, layer]
        # w_{t+1} = (1-s) w_t - η g_t with g_t ⊥ w_t: ‖w_{t+1}‖ cos θ_t = (1-s) ‖w_t‖ exactly;
        # float64 rounding of norms and an arctan2 angle: ~1e-14 relative
        np.testing.assert_allclose(after * np.cos(angle[:, 1:, layer]), (1 - s) * before,
                                   rtol=1e-10)  # fmt: skip
        # and the norm recursion with the recorded G = ‖g‖‖w‖: x' = (1-s)² x + η² G²/x
        g = out["grad_unit"][0, :, 1:, layer]
        np.testing.assert_allclose(after**2, (1 - s) ** 2 * before**2 + lr**2 * g**2 / before**2,
                                   rtol=1e-10)  # fmt: skip


def test_adamw_is_optax_adamw_with_weight_decay_two_lambda():
    """One AdamW step of the sweep against optax.adamw applied by hand (float64)."""
    import optax

    from training.normalized import init_std
    from training.train import draw_noise

    data = teacher(n_train=32, n_test=32, input_dim=4, n_classes=3)
    lam, lr = 0.05, 0.01
    out = sweep(data, width=6, depth=1, lams=[lam], seeds=[0], dtype=jnp.float64,
                config=NormConfig(optimizer="adamw", lr=lr, steps=1))  # fmt: skip
    sh = shapes(input_dim=4, width=6, depth=1, n_classes=3)
    noise, _ = draw_noise([0], shapes=tuple(sh), steps=0, batch_size=None, n_train=32,
                          dtype=jnp.float64)  # fmt: skip
    w = [s * z[0] for s, z in zip(init_std(sh), noise, strict=True)]
    x, y = jnp.asarray(data.x_train), jnp.asarray(data.y_train)
    g = jax.grad(lambda v: cross_entropy(apply(v, x), y))(w)
    tx = optax.adamw(lr, weight_decay=2 * lam)
    upd, _ = tx.update(g, tx.init(w), w)
    w1 = optax.apply_updates(w, upd)
    expected = [float(jnp.linalg.norm(v)) for v in w1]
    np.testing.assert_allclose(out["norm"][0, 0, 0], expected, rtol=1e-12)  # same ops, float64


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: check_norm_config(NormConfig(optimizer="adam")), "optimizer"),
        (lambda: check_norm_config(NormConfig(lr=0.0)), "lr"),
        (lambda: check_norm_config(NormConfig(momentum=1.0)), "momentum"),
        (lambda: check_norm_config(NormConfig(ln_eps=-1.0)), "ln_eps"),
        (lambda: shapes(input_dim=4, width=1, depth=1, n_classes=3), "width"),
        (lambda: shapes(input_dim=4, width=8, depth=0, n_classes=3), "depth"),
        (lambda: apply(_weights()[:1], jnp.ones((2, 5))), "weights"),
        (lambda: apply(_weights(), jnp.ones((2, 4))), "x"),
        (
            lambda: sweep(
                teacher(n_train=16, n_test=16, input_dim=4, n_classes=3),
                width=4,
                depth=1,
                lams=[-1.0],
                seeds=[0],
            ),  # fmt: skip
            "lams",
        ),
    ],
)
def test_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_figure_equilibrium_rows_and_macros():
    """figures.norm_layers' equilibrium path (QUICK skips it to stay under 10 s)."""
    from figures import norm_layers as fig
    from training.data import load

    data = load("digits", n_train=100)
    runs = [["sgd", 0.3, 0.0, 0.03], ["adamw", 0.01, 0.9, 0.5]]
    result = {"invariance": np.asarray(1e-7), "widths": np.asarray([8.0, 16.0])}
    for k, (run, steps) in enumerate(zip(runs, (300, 40), strict=True)):
        eq = fig._equilibrium(data, depth=1, width=8, steps=steps, seeds=[0, 1], run=run)
        assert eq["norm"].shape == eq["angle_pred"].shape == (1,)
        assert np.all(np.isfinite(eq["norm"] / eq["norm_pred"]))
        if run[0] == "sgd":
            # plain GD (momentum 0), 300 steps = 5.5 decay timescales 1/(η·2λ) ≈ 55 steps:
            # measured norm / prediction 0.996 and RMS angle / arccos(1 − s) 1.005 over the
            # second half; 2% leaves a margin of 4 (after 40 steps the norm is still 2.8x)
            assert eq["norm"] / eq["norm_pred"] == pytest.approx(1.0, abs=0.02)
            assert eq["angle_rms"] / eq["angle_pred"] == pytest.approx(1.0, abs=0.02)
        result.update({f"eq{k}/{key}": v for key, v in eq.items()})
        result[f"eq{k}/run"] = np.asarray([str(v) for v in run])
    result["eq_runs"] = np.asarray(len(runs))
    for opt in ("sgd", "adamw"):
        result[f"{opt}/exponent"], result[f"{opt}/exponent_se"] = np.asarray(0.1), np.asarray(0.05)
        result[f"{opt}/lam_star_edge"] = np.asarray([False, True])
        result[f"{opt}/lam_star_seeds"] = np.full((2, 3), 0.01)  # [width, seed]
    out = fig.macros(result)
    assert out["NLSeeds"] == "3"
    assert {"NLNormRatioGD", "NLAngleRMSRatioGD", "NLNormRatioAdamW", "NLUpdateRMSAdamW"} <= set(
        out
    )
    assert out["NLEdgeAdamW"] == "1" and out["NLExpSGD"] == "+0.10"
