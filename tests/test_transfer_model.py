"""theory.transfer.transfer_model (issue 13 item 5), its CLI and training.weight_decay.

Reference values are written out by hand from the stated rules (powers of the width ratio
8 = 4096/512, the μP Adam rates of Tensor Programs V Table 3, microsoft/mup's MuAdamW group
rules), not produced by the code under test.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import jax.numpy as jnp
import numpy as np
import optax
import pytest
import sympy as sp

from theory._transfer_model import _timescale_exponents
from theory.transfer import ModelTransfer, main, transfer, transfer_model
from training.weight_decay import per_tensor_decay, transfer_decay

D, K = 64, 10


def mlp(n: int) -> dict:
    """Flax-style (in, out) tree: two hidden layers of width n, biases and a LayerNorm gain."""
    return {
        "params": {
            "dense_0": {"kernel": (D, n), "bias": (n,)},
            "ln_0": {"scale": (n,)},
            "dense_1": {"kernel": (n, n), "bias": (n,)},
            "out": {"kernel": (n, K), "bias": (K,)},
        }
    }


def torch_mlp(n: int) -> dict:
    """The same network as a PyTorch state_dict's shapes: flat keys, Linear weights (out, in)."""
    return {
        "0.weight": (n, D),
        "0.bias": (n,),
        "1.weight": (n,),  # LayerNorm
        "3.weight": (n, n),
        "3.bias": (n,),
        "5.weight": (K, n),
        "5.bias": (K,),
    }


KINDS = {
    "params/dense_0/kernel": "input",
    "params/dense_0/bias": "vector",
    "params/ln_0/scale": "vector",
    "params/dense_1/kernel": "hidden",
    "params/dense_1/bias": "vector",
    "params/out/kernel": "readout",
    "params/out/bias": "vector",
}
LAM = 1e-4


def run(optimizer, parametrization, lr_scaling="mup", normalization="sum", a=None, b=None):
    return transfer_model(
        mlp(512) if a is None else a,
        mlp(4096) if b is None else b,
        lam=LAM,
        parametrization=parametrization,
        optimizer=optimizer,
        layout="in_out",
        lr_scaling=lr_scaling,
        normalization=normalization,
    )


def field(t: ModelTransfer, name: str) -> dict:
    return {p: getattr(x, name) for p, x in t.tensors.items()}


def test_kinds_and_ratios_of_an_mlp_in_both_layouts():
    t = run("sgd", "standard")
    assert field(t, "kind") == KINDS
    ratios = field(t, "ratio")
    assert ratios["params/out/bias"] == 1.0 and ratios["params/dense_1/kernel"] == 8.0
    assert all(r == 8.0 for p, r in ratios.items() if p != "params/out/bias")
    torch = transfer_model(
        torch_mlp(512),
        torch_mlp(4096),
        lam=LAM,
        parametrization="standard",
        optimizer="sgd",
        layout="out_in",
    )
    assert [x.kind for x in torch.tensors.values()] == list(KINDS.values())
    # P_total counted by hand: d n + n + n + n² + n + n K + K
    for n, got in ((512, t.n_params_from), (4096, t.n_params_to)):
        assert got == D * n + 3 * n + n * n + n * K + K


# ---------------------------------------------------------------- L2 in the loss (sgd)

# λ_sum ∝ r^(-(2/L) Σ a_l), L = 3 matrices, a = (0, 0, 0) standard, (0, ½, ½) NTK,
# (0, ½, 1) mean-field: 8^0 = 1, 8^(-2/3) = 1/4, 8^(-1) = 1/8
SGD_FACTOR = {"standard": 1.0, "ntk": 0.25, "mean_field": 0.125}


@pytest.mark.parametrize("parametrization", sorted(SGD_FACTOR))
def test_sgd_one_exponent_for_every_tensor(parametrization):
    t = run("sgd", parametrization)
    expected = LAM * SGD_FACTOR[parametrization]
    for x in t.tensors.values():
        assert x.lam == pytest.approx(expected, rel=1e-12)
        assert x.weight_decay == pytest.approx(2 * expected, rel=1e-12)  # ∇ λ‖w‖² = 2λw
        assert x.support == "extrapolation"  # biases and a gain: no bias-free chain
        assert "global minimizer" in x.rule
    assert "bias or gain breaks" in t.tensors["params/ln_0/scale"].rule


def test_sgd_bias_free_chain_is_a_derivation_and_matches_transfer():
    def chain(n):
        return {"w1": (D, n), "w2": (n, n), "w3": (n, K)}

    t = run("sgd", "ntk", a=chain(512), b=chain(4096))
    assert {x.support for x in t.tensors.values()} == {"derivation"}
    assert all(x.lam == pytest.approx(LAM / 4, rel=1e-12) for x in t.tensors.values())
    # the same as the global rule with every weight penalized, depth 2
    ref = transfer(
        LAM, width_from=512, width_to=4096, parametrization="ntk", normalization="sum",
        penalized="all", depth=2,
    )  # fmt: skip
    assert t.tensors["w2"].lam == pytest.approx(ref.lam, rel=1e-12)


def test_mean_normalization_uses_the_exact_weight_counts():
    t = run("sgd", "ntk", normalization="mean")
    p_from = D * 512 + 3 * 512 + 512**2 + 512 * K + K
    p_to = D * 4096 + 3 * 4096 + 4096**2 + 4096 * K + K
    lam_sum_to = (LAM / p_from) * 0.25
    for x in t.tensors.values():
        assert x.lam == pytest.approx(lam_sum_to * p_to, rel=1e-12)
        assert x.weight_decay == pytest.approx(2 * lam_sum_to, rel=1e-12)


# ---------------------------------------------------------------- AdamW: timescale rules

# μP Adam rates per kind (TP V Table 3 in standard coordinates: input and biases η, hidden
# η/fan_in, readout η/fan_in; NTK / mean-field coordinates: hidden η/sqrt(fan_in), readout
# η/sqrt(fan_in) resp. η).  Width ratio 8; the output bias does not grow (ratio 1).
LR = {
    "standard": {"input": 1, "hidden": 1 / 8, "readout": 1 / 8, "vector": 1},
    "ntk": {"input": 1, "hidden": 8**-0.5, "readout": 8**-0.5, "vector": 1},
    "mean_field": {"input": 1, "hidden": 8**-0.5, "readout": 1, "vector": 1},
}


@pytest.mark.parametrize("parametrization", sorted(LR))
def test_adamw_coupled_holds_lr_times_wd_per_tensor(parametrization):
    t = run("adamw-coupled", parametrization)
    for p, x in t.tensors.items():
        lr = LR[parametrization][KINDS[p]]
        assert x.lr_factor == pytest.approx(lr, rel=1e-12)
        # coupled: wd = 2λ, per-step shrink lr·wd = lr_0·2λ_0 at the base
        assert x.lam == pytest.approx(LAM / lr, rel=1e-12)
        assert x.weight_decay == pytest.approx(2 * LAM / lr, rel=1e-12)
        assert x.lr_factor * x.weight_decay == pytest.approx(2 * LAM, rel=1e-12)
        assert x.support == "timescale"
        assert x.rule.startswith("timescale rule, not a fixed objective")


@pytest.mark.parametrize("parametrization", sorted(LR))
def test_adamw_independent_keeps_lambda_and_scales_the_torch_number(parametrization):
    t = run("adamw-independent", parametrization)
    for p, x in t.tensors.items():
        lr = LR[parametrization][KINDS[p]]
        assert x.lam == pytest.approx(LAM, rel=1e-12)
        assert x.weight_decay == pytest.approx(2 * LAM / lr, rel=1e-12)  # η_l wd = 2 η_0 λ


@pytest.mark.parametrize("optimizer", ["adamw-coupled", "adamw-independent"])
def test_adamw_without_lr_scaling_keeps_every_number(optimizer):
    t = run(optimizer, "standard", lr_scaling="none")
    assert all(x.lam == LAM and x.weight_decay == 2 * LAM for x in t.tensors.values())


def mu_adamw_groups(shapes_from: dict, shapes_to: dict) -> dict:
    """microsoft/mup MuAdamW (mup/optim.py), applied by hand to torch-layout shapes.

    A tensor with two dimensions that grow (``infshape.ninf() == 2``) gets ``lr / width_mult``
    and ``weight_decay · width_mult``, width_mult = the fan-in ratio; any other tensor keeps
    the base lr and weight_decay.  Returns path -> (lr factor, weight_decay factor).
    """
    out = {}
    for path, a in shapes_from.items():
        b = shapes_to[path]
        ninf = sum(x != y for x, y in zip(a, b, strict=True))
        m = b[1] / a[1] if ninf == 2 else 1.0
        out[path] = (1 / m, m)
    return out


def test_against_mu_adamw():
    wd0 = 2 * LAM  # the base torch weight_decay
    mu = mu_adamw_groups(torch_mlp(512), torch_mlp(4096))
    t = transfer_model(
        torch_mlp(512),
        torch_mlp(4096),
        lam=LAM,
        parametrization="standard",
        optimizer="adamw-independent",
        layout="out_in",
        lr_scaling="mup",
    )
    for path, x in t.tensors.items():
        lr_mu, wd_mu = mu[path]
        # the per-step shrink η_l·wd_l: the same for every tensor
        assert x.lr_factor * x.weight_decay == pytest.approx(lr_mu * wd_mu * wd0, rel=1e-12)
        if path != "5.weight":  # input, hidden, biases, gain: the same numbers
            assert (x.lr_factor, x.weight_decay) == pytest.approx((lr_mu, wd_mu * wd0))
    # the readout differs by design: MuReadout's 1/width_mult multiplier vs our lr/8
    readout = t.tensors["5.weight"]
    assert (readout.lr_factor, readout.weight_decay) == pytest.approx((1 / 8, 8 * wd0))
    assert mu["5.weight"] == (1.0, 1.0)


@pytest.mark.parametrize(
    ("optimizer", "lr_exp", "lam_exp", "wd_exp"),
    [
        ("adamw-coupled", sp.Integer(-1), 1, 1),
        ("adamw-coupled", sp.Rational(-1, 2), sp.Rational(1, 2), sp.Rational(1, 2)),
        ("adamw-independent", sp.Integer(-1), 0, 1),
        ("adamw-independent", sp.Rational(-1, 2), 0, sp.Rational(1, 2)),
        ("adamw-coupled", sp.Integer(0), 0, 0),
    ],
)
def test_timescale_derivation(optimizer, lr_exp, lam_exp, wd_exp):
    assert _timescale_exponents(optimizer, lr_exp) == (lam_exp, wd_exp)


def test_a_conv_kernel_and_a_transfer_to_a_smaller_width():
    a = {"conv": (3, 3, 16, 64), "mid": (3, 3, 64, 64), "head": (64, 5)}
    b = {"conv": (3, 3, 16, 32), "mid": (3, 3, 32, 32), "head": (32, 5)}
    t = transfer_model(
        a, b, lam=LAM, parametrization="standard", optimizer="adamw-coupled",
        layout="in_out", lr_scaling="mup",
    )  # fmt: skip
    assert field(t, "kind") == {"conv": "input", "mid": "hidden", "head": "readout"}
    assert t.tensors["mid"].lam == pytest.approx(LAM / 2, rel=1e-12)  # lr ∝ 1/r, r = 1/2


# ---------------------------------------------------------------- bad input


def _call(a, b, **kw):
    args = dict(lam=LAM, parametrization="ntk", optimizer="adamw-coupled", layout="in_out")
    return transfer_model(a, b, **(args | kw))


@pytest.mark.parametrize(
    ("a", "b", "names"),
    [
        ({"w": (4, 8), "skip": (4, 3)}, {"w": (4, 16), "skip": (4, 3)}, "'skip'"),  # nothing
        ({"w": (8, 8)}, {"w": (16, 32)}, "'w'"),  # two factors
        ({"w": (4, 8), "b": (8,)}, {"w": (4, 16), "b": (16, 1)}, "'b'"),  # rank
        ({"w": (4, 8), "b": (8,)}, {"w": (4, 16)}, "'b'"),  # key missing in shapes_to
        ({"w": (4, 8)}, {"w": (4, 16), "x": {"y": (3,)}}, "'x/y'"),  # extra key
        ({"w": (3, 3, 4, 8)}, {"w": (5, 5, 4, 16)}, "'w'"),  # window changes
        ({"w": (4, 8)}, {"w": (4, 8)}, "nothing grows"),
        ({"w": (4, 0)}, {"w": (4, 8)}, "'w'"),
        ({"w": (4, 2.5)}, {"w": (4, 8)}, "shapes_from"),
        ({"a": {"w": "x"}}, {"a": {"w": (4, 8)}}, "'a/w'"),
        ({}, {"w": (4, 8)}, "shapes_from"),
        ({"a/b": (4, 8)}, {"a/b": (4, 16)}, "'a/b'"),
    ],
)
def test_ambiguous_or_malformed_shapes_name_the_tensor(a, b, names):
    with pytest.raises(ValueError, match=names):
        _call(a, b)


@pytest.mark.parametrize(
    ("kw", "name"),
    [
        (dict(lam=0.0), "lam"),
        (dict(lam=-1e-3), "lam"),
        (dict(lam=math.nan), "lam"),
        (dict(lam=math.inf), "lam"),
        (dict(lam="abc"), "lam"),
        (dict(lam=[1e-3, 1e-4]), "lam"),
        (dict(lam=5e-324, optimizer="sgd"), "lam"),  # underflows to 0 at the target
        (dict(parametrization="muP"), "parametrization"),
        (dict(optimizer="adam"), "optimizer"),
        (dict(lr_scaling="sqrt"), "lr_scaling"),
        (dict(normalization="avg"), "normalization"),
        (dict(layout="torch"), "layout"),
    ],
)
def test_bad_arguments_are_named(kw, name):
    with pytest.raises(ValueError, match=name):
        _call(mlp(512), mlp(4096), **kw)


def test_sgd_needs_one_width_ratio_and_two_matrices():
    with pytest.raises(ValueError, match="'w2'"):
        _call({"w1": (4, 8), "w2": (8, 3)}, {"w1": (4, 16), "w2": (32, 3)}, optimizer="sgd")
    with pytest.raises(ValueError, match="2 weight matrices"):
        _call({"w1": (4, 8), "b": (8,)}, {"w1": (4, 16), "b": (16,)}, optimizer="sgd")


# ---------------------------------------------------------------- command line


def _files(tmp_path, layout_fn=mlp):
    paths = []
    for name, n in (("from", 512), ("to", 4096)):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(layout_fn(n)))
        paths.append(str(path))
    return paths


OPTS = ("--lam", "1e-4", "--parametrization", "standard", "--optimizer", "adamw-coupled")


def test_cli_table_and_json(tmp_path, capsys):
    f, t = _files(tmp_path)
    assert main(["model", f, t, *OPTS, "--layout", "in_out", "--lr-scaling", "mup"]) == 0
    out = capsys.readouterr().out
    hidden_row = next(line for line in out.splitlines() if line.startswith("params/dense_1/k"))
    assert hidden_row.split()[1:4] == ["hidden", "512x512", "4096x4096"]
    assert "0.0008" in hidden_row.split()  # λ 1e-4 · 8 (lr ∝ 1/8)
    assert "timescale rule, not a fixed objective" in out
    assert main(["model", f, t, *OPTS, "--layout", "in_out", "--lr-scaling", "mup", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    row = record["tensors"]["params/dense_1/kernel"]
    assert row["kind"] == "hidden" and row["lam"] == pytest.approx(8e-4, rel=1e-12)
    assert row["weight_decay"] == pytest.approx(1.6e-3, rel=1e-12)
    assert record["tensors"]["params/out/bias"]["lam"] == pytest.approx(1e-4, rel=1e-12)


def test_cli_as_a_module(tmp_path):
    f, t = _files(tmp_path, torch_mlp)
    proc = subprocess.run(
        [sys.executable, "-m", "theory.transfer", "model", f, t, "--lam", "1e-4"]
        + ["--parametrization", "ntk", "--optimizer", "sgd", "--layout", "out_in", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    tensors = json.loads(proc.stdout)["tensors"]
    assert tensors["3.weight"]["lam"] == pytest.approx(2.5e-5, rel=1e-12)  # 8^(-2/3) = 1/4


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--layout", "in_out", "--lam=-1"], "lam"),
        (["--layout", "in_out", "--normalization", "avg"], "--normalization"),
        (["--layout", "sideways"], "--layout"),
    ],
)
def test_cli_rejects_bad_input(tmp_path, capsys, extra, message):
    f, t = _files(tmp_path)
    opts = [o for o in OPTS if o not in ("--lam", "1e-4")] if "--lam=-1" in extra else OPTS
    with pytest.raises(SystemExit) as exc:
        main(["model", f, t, *opts, *extra])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_layout_is_required_because_shapes_alone_cannot_tell_input_from_readout():
    # (64, n) is an input weight in (in, out) and a readout in (out, in): the same tree gives
    # swapped kinds, so transfer_model has no default layout
    kw = dict(lam=LAM, parametrization="standard", optimizer="sgd")
    swapped = transfer_model(mlp(512), mlp(4096), layout="out_in", **kw)
    assert swapped.tensors["params/dense_0/kernel"].kind == "readout"
    assert swapped.tensors["params/out/kernel"].kind == "input"
    with pytest.raises(TypeError, match="layout"):
        transfer_model(mlp(512), mlp(4096), **kw)


def test_cli_missing_file(tmp_path, capsys):
    f, _ = _files(tmp_path)
    with pytest.raises(SystemExit):
        main(["model", f, str(tmp_path / "nope.json"), *OPTS, "--layout", "in_out"])
    assert "shapes_to" in capsys.readouterr().err


# ---------------------------------------------------------------- the optax transform

PARAMS = {
    "l1": {"w": jnp.array([[1.0, -2.0]]), "b": jnp.array([0.5, 3.0])},
    "out": [jnp.array([[2.0], [-4.0]])],
}
GRADS = {
    "l1": {"w": jnp.array([[0.1, 0.2]]), "b": jnp.array([-1.0, 0.0])},
    "out": [jnp.array([[1.0], [1.0]])],
}
RATES = {"l1/w": 0.5, "l1/b": 0.0, "out/0": 0.25}


def _step(tx):
    updates, _ = tx.update(GRADS, tx.init(PARAMS), PARAMS)
    return optax.apply_updates(PARAMS, updates)


def test_l2_mode_step_by_hand():
    new = _step(optax.chain(per_tensor_decay(RATES, mode="l2"), optax.sgd(0.1)))
    # w − 0.1·(g + rate·w)
    np.testing.assert_allclose(new["l1"]["w"], [[1 - 0.1 * (0.1 + 0.5), -2 - 0.1 * (0.2 - 1.0)]])
    np.testing.assert_allclose(new["l1"]["b"], [0.5 + 0.1, 3.0])
    np.testing.assert_allclose(new["out"][0], [[2 - 0.1 * (1 + 0.5)], [-4 - 0.1 * (1 - 1.0)]])


def test_decoupled_mode_step_by_hand():
    new = _step(optax.chain(optax.sgd(0.1), per_tensor_decay(RATES, mode="decoupled")))
    # w − 0.1·g − rate·w
    np.testing.assert_allclose(new["l1"]["w"], [[1 - 0.01 - 0.5, -2 - 0.02 + 1.0]], rtol=1e-6)
    np.testing.assert_allclose(new["out"][0], [[2 - 0.1 - 0.5], [-4 - 0.1 + 1.0]], rtol=1e-6)


def test_transfer_decay_from_a_model_transfer():
    def tree(n):
        return {"l1": {"w": (1, n), "b": (n,)}, "out": [(n, 1)]}

    t = transfer_model(
        tree(2), tree(4), lam=0.05, parametrization="standard", optimizer="adamw-independent",
        layout="in_out", lr_scaling="mup",
    )  # fmt: skip
    params = {
        "l1": {"w": jnp.array([[1.0, -2.0, 1.0, 1.0]]), "b": jnp.ones(4)},
        "out": [jnp.ones((4, 1))],
    }
    tx = transfer_decay(t, learning_rate=0.2)
    zeros = {"l1": {"w": jnp.zeros((1, 4)), "b": jnp.zeros(4)}, "out": [jnp.zeros((4, 1))]}
    updates, _ = tx.update(zeros, tx.init(params), params)
    # independent: shrink 2·η_0·λ = 2·0.2·0.05 = 0.02 per step, on every tensor
    np.testing.assert_allclose(updates["l1"]["w"], -0.02 * params["l1"]["w"], rtol=1e-6)
    np.testing.assert_allclose(updates["out"][0], -0.02 * params["out"][0], rtol=1e-6)
    sgd = transfer_model(
        tree(2), tree(4), lam=0.05, parametrization="standard", optimizer="sgd",
        layout="in_out",
    )  # fmt: skip
    updates, _ = transfer_decay(sgd).update(zeros, None, params)
    np.testing.assert_allclose(updates["l1"]["b"], 2 * 0.05 * params["l1"]["b"], rtol=1e-6)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: per_tensor_decay({"l1/w": -1.0}, mode="l2"), "rates"),
        (lambda: per_tensor_decay({"l1/w": 1.0}, mode="weird"), "mode"),
        (lambda: per_tensor_decay({}, mode="l2"), "rates"),
        (lambda: per_tensor_decay({"l1/w": 1.0}, mode="l2").init(PARAMS), "rates"),
        (lambda: per_tensor_decay(RATES | {"x": 1.0}, mode="l2").init(PARAMS), "'x'"),
        (lambda: per_tensor_decay(RATES, mode="l2").update(GRADS, None), "params"),
    ],
)
def test_transform_bad_input(call, name):
    with pytest.raises(ValueError, match=name):
        call()
