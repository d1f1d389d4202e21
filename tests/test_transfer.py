"""theory.transfer: the λ-transfer rule, the μP learning-rate table, and the command line."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theory.parametrization import PARAMETRIZATIONS, transfer_lambda
from theory.prior import NORMALIZATIONS
from theory.transfer import (
    LAYER_KINDS,
    OPTIMIZERS,
    main,
    mup_lr_exponent,
    transfer,
    transfer_exponent,
)

CASES = [(p, n) for p in PARAMETRIZATIONS for n in NORMALIZATIONS]


def _cli(capsys, *argv: str) -> tuple[float, str]:
    assert main(list(argv)) == 0
    out = capsys.readouterr().out.splitlines()
    return float(out[0]), "\n".join(out[1:])


@pytest.mark.parametrize(("parametrization", "normalization"), CASES)
def test_cli_matches_transfer_lambda(capsys, parametrization, normalization):
    value, text = _cli(
        capsys,
        *("--lam", "1e-4", "--from-width", "256", "--to-width", "4096"),
        *("--parametrization", parametrization, "--normalization", normalization),
    )
    expected = transfer_lambda(
        1e-4,
        width_from=256,
        width_to=4096,
        parametrization=parametrization,
        normalization=normalization,
    )
    # the CLI prints 6 significant digits: relative rounding error <= 5e-6
    assert value == pytest.approx(expected, rel=5e-6)
    assert "rule:" in text and "support: derivation" in text


def _run_cli(lam: str) -> subprocess.CompletedProcess:
    """``python -m theory.transfer`` in a fresh process: standard + sum, width 256 -> 4096."""
    return subprocess.run(
        [sys.executable, "-m", "theory.transfer", "--lam", lam, "--from-width", "256"]
        + ["--to-width", "4096", "--parametrization", "standard", "--normalization", "sum"],
        capture_output=True,
        text=True,
        check=False,
    )


def test_cli_as_a_module_and_its_rule_line():
    proc = _run_cli("1e-4")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    # standard + sum: λ_sum ∝ P, 4096/256 = 16
    assert float(lines[0]) == pytest.approx(1.6e-3, rel=1e-12)
    assert lines[1].startswith("rule: lambda_sum ∝ P^1")


@pytest.mark.parametrize("optimizer", ["adamw-coupled", "adamw-independent"])
def test_cli_says_when_a_rule_rests_on_experiment_only(capsys, optimizer):
    _, text = _cli(
        capsys,
        *("--lam", "1e-4", "--from-width", "256", "--to-width", "4096"),
        *("--parametrization", "standard", "--normalization", "sum"),
        *("--optimizer", optimizer, "--lr-scaling", "mup"),
    )
    assert "support: experiment" in text and "not by a derivation" in text


BAD = [
    (["--lam", "0"], "lam"),
    (["--lam", "-1e-4"], "lam"),
    (["--lam", "nan"], "lam"),
    (["--from-width", "0"], "width_from"),
    (["--to-width", "-4096"], "width_to"),
    (["--parametrization", "mup"], "parametrization"),
    (["--normalization", "average"], "normalization"),
    (["--optimizer", "adam"], "optimizer"),
    (["--lr-scaling", "ntk"], "lr_scaling"),
]


@pytest.mark.parametrize(("override", "name"), BAD)
def test_cli_rejects_bad_input_with_a_clear_message(capsys, override, name):
    args = {
        "--lam": "1e-4",
        "--from-width": "256",
        "--to-width": "4096",
        "--parametrization": "standard",
        "--normalization": "sum",
    }
    args.update(dict(zip(override[::2], override[1::2], strict=True)))
    with pytest.raises(SystemExit) as exc:
        main([item for pair in args.items() for item in pair])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"error: {name} must" in err


def test_cli_rejects_a_missing_argument_and_non_numbers(capsys):
    for argv in (["--lam", "1e-4"], ["--lam", "small", "--from-width", "1", "--to-width", "2"]):
        with pytest.raises(SystemExit) as exc:
            main(argv + ["--parametrization", "ntk", "--normalization", "sum"])
        assert exc.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_cli_bad_input_exits_non_zero_as_a_process():
    proc = _run_cli("-1")
    assert proc.returncode != 0
    assert "lam must be > 0" in proc.stderr and proc.stdout == ""


def test_mup_learning_rates_match_tensor_programs_v_table_3():
    # TP V (Yang et al. 2022) Table 3, standard-parametrization form, typed from the paper:
    # SGD: input η·fan_out, hidden η, output η/fan_in; Adam: input η, hidden and output η/fan_in
    table = {"sgd": (1, 0, -1), "adam": (0, -1, -1)}
    for opt, exponents in table.items():
        assert tuple(mup_lr_exponent("standard", opt, k) for k in LAYER_KINDS) == exponents


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_mup_learning_rates_describe_one_dynamics_in_every_parametrization(optimizer):
    """Second route: η_W = k² η_B (SGD) or k η_B (Adam) for W = k B, with k read off the
    multipliers (standard 1, NTK fan_in^-1/2, mean-field readout 1/P)."""
    k_exp = {  # exponent of P in W_param / W_ntk
        "standard": {"input": 0, "hidden": -0.5, "readout": -0.5},
        "ntk": {"input": 0, "hidden": 0, "readout": 0},
        "mean_field": {"input": 0, "hidden": 0, "readout": 0.5},
    }
    power = 2 if optimizer == "sgd" else 1
    for layer in LAYER_KINDS:
        ntk_form = {
            p: float(mup_lr_exponent(p, optimizer, layer)) - power * k_exp[p][layer]
            for p in PARAMETRIZATIONS
        }
        assert len(set(ntk_form.values())) == 1, (layer, ntk_form)


def test_optimizer_rules_against_the_literature():
    # Wang & Aitchison (2025): AdamW with μP learning rates (η ∝ 1/fan_in) needs λ ∝ fan_in
    assert transfer_exponent("standard", "sum", "adamw-coupled", "mup") == 1
    # with width-independent learning rates, or decay independent of the lr: λ fixed
    assert transfer_exponent("standard", "sum", "adamw-coupled", "none") == 0
    for p in PARAMETRIZATIONS:
        assert transfer_exponent(p, "sum", "adamw-independent", "mup") == 0
        assert transfer_exponent(p, "mean", "adamw-independent", "none") == 1


@given(
    lam=st.floats(1e-12, 1e6),
    w_from=st.floats(1.0, 1e6),
    w_to=st.floats(1.0, 1e6),
    case=st.sampled_from(CASES),
    optimizer=st.sampled_from(OPTIMIZERS),
    lr_scaling=st.sampled_from(["none", "mup"]),
)
def test_transfer_round_trip_and_sgd_equals_transfer_lambda(
    lam, w_from, w_to, case, optimizer, lr_scaling
):
    par, norm = case
    kw = {"parametrization": par, "normalization": norm, "optimizer": optimizer}
    there = transfer(lam, width_from=w_from, width_to=w_to, lr_scaling=lr_scaling, **kw)
    back = transfer(there.lam, width_from=w_to, width_to=w_from, lr_scaling=lr_scaling, **kw)
    assert back.lam == pytest.approx(lam, rel=1e-9)  # a few float64 roundings
    ratio = (w_to / w_from) ** float(there.exponent)
    assert there.lam == pytest.approx(lam * ratio, rel=1e-12)
    if optimizer == "sgd":
        assert there.lam == transfer_lambda(
            lam, width_from=w_from, width_to=w_to, parametrization=par, normalization=norm
        )


def test_transfer_is_vectorized():
    lams = np.array([1e-4, 1e-3])
    out = transfer(lams, width_from=16, width_to=64, parametrization="ntk", normalization="mean")
    np.testing.assert_allclose(out.lam, lams * 4, rtol=1e-14)


def test_all_weights_rule_from_the_rescaling_argument(capsys):
    # second route: minimize λ((t a)² + (w/t)²) over t numerically
    from scipy.optimize import minimize_scalar

    from theory.transfer import features_exponent_expr, features_penalty_expr

    lam, a, w = 0.3, 1.7, 0.4
    best = minimize_scalar(lambda t: lam * ((t * a) ** 2 + (w / t) ** 2), bounds=(1e-3, 1e3))
    expr = features_penalty_expr()
    values = {s: {"lambda": lam, "a": a, "w": w}[s.name] for s in expr.free_symbols}
    symbolic = float(expr.subs(values))
    assert best.fun == pytest.approx(symbolic, rel=1e-8)  # bounded Brent: ~1e-10 in t
    assert str(features_exponent_expr()) == "-c"
    value, text = _cli(
        capsys,
        *("--lam", "1e-4", "--from-width", "16", "--to-width", "1024"),
        *("--parametrization", "ntk", "--normalization", "sum", "--penalized", "all"),
    )
    assert value == pytest.approx(1e-4 / 8, rel=5e-6)  # NTK: λ_sum ∝ P^(-1/2), 64^(-1/2)
    assert "global minimizer" in text
    with pytest.raises(SystemExit):
        main(["--lam", "1", "--from-width", "1", "--to-width", "2", "--parametrization", "ntk"]
             + ["--normalization", "sum", "--penalized", "hidden"])  # fmt: skip
    assert "penalized must be one of" in capsys.readouterr().err
