"""theory.transfer: the λ-transfer rule, the μP learning-rate table, and the command line."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from theory._transfer_rule import _layers_text
from theory.parametrization import PARAMETRIZATIONS, transfer_lambda
from theory.prior import NORMALIZATIONS
from theory.transfer import (
    LAYER_KINDS,
    OPTIMIZERS,
    main,
    mup_lr_exponent,
    mup_lr_exponent_expr,
    transfer,
    transfer_exponent,
    transfer_exponent_expr,
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
        *("--penalized", "readout"),
    )
    expected = transfer_lambda(
        1e-4,
        width_from=256,
        width_to=4096,
        parametrization=parametrization,
        normalization=normalization,
    )
    # the CLI prints the float's repr, which round-trips exactly
    assert value == expected
    assert "rule:" in text and "support: derivation" in text


def _run_cli(lam: str) -> subprocess.CompletedProcess:
    """``python -m theory.transfer`` in a fresh process: standard + sum, width 256 -> 4096."""
    return subprocess.run(
        [sys.executable, "-m", "theory.transfer", "--lam", lam, "--from-width", "256"]
        + ["--to-width", "4096", "--parametrization", "standard", "--normalization", "sum"]
        + ["--penalized", "readout"],
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
def test_cli_says_an_adamw_rule_is_a_timescale_heuristic(capsys, optimizer):
    _, text = _cli(
        capsys,
        *("--lam", "1e-4", "--from-width", "256", "--to-width", "4096"),
        *("--parametrization", "standard", "--normalization", "sum"),
        *("--optimizer", optimizer, "--lr-scaling", "mup", "--penalized", "all"),
    )
    assert "support: timescale" in text and "not a derivation" in text
    # coupled: the measured min-max rule for one global λ is √width (the help's end and
    # tab:rules), not the timescale rule's λ ∝ P printed here
    assert ("sqrt(width)" in text) == (optimizer == "adamw-coupled")


BAD = [
    (["--lam", "0"], "lam"),
    (["--lam", "-1e-4"], "lam"),
    (["--lam", "nan"], "lam"),
    # the library's messages name width_from/width_to; the CLI spells them as the flags typed
    (["--from-width", "0"], "--from-width must"),
    (["--to-width", "-4096"], "--to-width must"),
    (["--parametrization", "mup"], "--parametrization"),
    (["--normalization", "average"], "--normalization"),
    (["--optimizer", "adam"], "--optimizer"),
    (["--lr-scaling", "ntk"], "--lr-scaling"),
    # finite input whose answer is not a float64: named, exit 2 (not inf with exit 0)
    (["--lam", "1e308", "--to-width", "1e10"], "lam, --from-width, --to-width"),
    (["--from-width", "1e-320"], "lam, --from-width, --to-width"),
]


@pytest.mark.parametrize(("override", "name"), BAD)
def test_cli_rejects_bad_input_with_a_clear_message(capsys, override, name):
    args = {
        "--lam": "1e-4",
        "--from-width": "256",
        "--to-width": "4096",
        "--parametrization": "standard",
        "--normalization": "sum",
        "--penalized": "readout",
    }
    args.update(dict(zip(override[::2], override[1::2], strict=True)))
    with pytest.raises(SystemExit) as exc:
        main([item for pair in args.items() for item in pair])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    if name.startswith("--") and " " not in name:  # argparse's choices
        assert f"error: argument {name}: invalid choice" in err
    else:
        assert f"error: {name}" in err and ("must" in err or "float64" in err)


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
        assert tuple(mup_lr_exponent_expr("standard", opt, k) for k in LAYER_KINDS) == exponents
        floats = tuple(mup_lr_exponent("standard", opt, k) for k in LAYER_KINDS)
        assert floats == exponents and all(type(e) is float for e in floats)


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
    kw = {"penalized": "readout"}  # the mean over the readout's P
    assert transfer_exponent("standard", "sum", "adamw-coupled", "mup", **kw) == 1
    # with width-independent learning rates, or decay independent of the lr: λ fixed
    assert transfer_exponent("standard", "sum", "adamw-coupled", "none", **kw) == 0
    for p in PARAMETRIZATIONS:
        assert transfer_exponent(p, "sum", "adamw-independent", "mup", **kw) == 0
        assert transfer_exponent(p, "mean", "adamw-independent", "none", **kw) == 1


@given(
    lam=st.floats(1e-12, 1e6),
    w_from=st.floats(1.0, 1e6),
    w_to=st.floats(1.0, 1e6),
    case=st.sampled_from(CASES),
    optimizer=st.sampled_from(OPTIMIZERS),
    lr_scaling=st.sampled_from(["none", "mup"]),
    penalized=st.sampled_from(["readout", "all"]),
    depth=st.integers(1, 4),
)
def test_transfer_round_trip_and_sgd_equals_transfer_lambda(
    lam, w_from, w_to, case, optimizer, lr_scaling, penalized, depth
):
    par, norm = case
    kw = {"parametrization": par, "normalization": norm, "optimizer": optimizer}
    kw.update(penalized=penalized, depth=depth)
    there = transfer(lam, width_from=w_from, width_to=w_to, lr_scaling=lr_scaling, **kw)
    back = transfer(there.lam, width_from=w_to, width_to=w_from, lr_scaling=lr_scaling, **kw)
    assert back.lam == pytest.approx(lam, rel=1e-9)  # a few float64 roundings
    ratio = (w_to / w_from) ** float(there.exponent)
    assert there.lam == pytest.approx(lam * ratio, rel=1e-12)
    if optimizer == "sgd" and penalized == "readout":
        assert there.lam == transfer_lambda(
            lam, width_from=w_from, width_to=w_to, parametrization=par, normalization=norm
        )


def test_transfer_is_vectorized():
    lams = np.array([1e-4, 1e-3])
    out = transfer(lams, width_from=16, width_to=64, parametrization="ntk", normalization="mean",
                   penalized="readout")  # fmt: skip
    np.testing.assert_allclose(out.lam, lams * 4, rtol=1e-14)


def test_all_weights_rule_on_the_command_line(capsys):
    value, text = _cli(
        capsys,
        *("--lam", "1e-4", "--from-width", "16", "--to-width", "1024"),
        *("--parametrization", "ntk", "--normalization", "sum", "--penalized", "all"),
    )
    # NTK, depth 1: P^(-1/2), 64^(-1/2); the printed repr round-trips (a few ulp from pow)
    assert value == pytest.approx(1e-4 / 8, rel=1e-14)
    assert "global minimizer" in text and "depth 1 (one hidden layer" in text
    value, text = _cli(
        capsys,
        *("--lam", "1e-4", "--from-width", "16", "--to-width", "1024", "--depth", "2"),
        *("--parametrization", "ntk", "--normalization", "sum", "--penalized", "all"),
    )
    assert value == pytest.approx(1e-4 / 16, rel=1e-14)  # depth 2: P^(-2/3), 64^(-2/3)
    assert "rule: lambda_sum ∝ P^(-2/3)" in text
    assert "global minimizer" in text and "depth 2 (2 hidden layers" in text
    with pytest.raises(SystemExit):
        main(["--lam", "1", "--from-width", "1", "--to-width", "2", "--parametrization", "ntk"]
             + ["--normalization", "sum", "--penalized", "hidden"])  # fmt: skip
    assert "argument --penalized: invalid choice: 'hidden'" in capsys.readouterr().err


def test_cli_json_is_one_parseable_object_with_the_exact_exponent(capsys):
    argv = ["--lam", "1e-4", "--from-width", "100", "--to-width", "800", "--depth", "2"]
    argv += ["--parametrization", "ntk", "--normalization", "sum", "--penalized", "all", "--json"]
    assert main(argv) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["exponent_exact"] == "-2/3" and record["exponent"] == -2 / 3
    assert record["lam"] == pytest.approx(2.5e-5, rel=1e-14)  # 8^(-2/3) = 1/4, a few ulp
    assert record["support"] == "derivation" and record["inputs"]["depth"] == 2


def test_cli_help_lists_depth_and_the_defaults(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--depth" in text and "number of hidden layers" in text and "(default: 1)" in text
    assert "(default: sgd)" in text and "(default: none)" in text
    for choices in ("{standard,ntk,mean_field}", "{sum,mean}", "{readout,all}", "{none,mup}"):
        assert choices in text


@pytest.mark.parametrize(
    ("parametrization", "normalization", "depth"),
    [(p, n, h) for p in PARAMETRIZATIONS for n in NORMALIZATIONS for h in (1, 2, 3, 4)],
)
def test_all_weights_exponent_by_depth(parametrization, normalization, depth):
    """DESIGN §1 by hand: e_sum = 0, −h/(h+1), −1; the mean adds 1 (h = 1) or 2 (h ≥ 2)."""
    e_sum = {"standard": 0, "ntk": sp.Rational(-depth, depth + 1), "mean_field": -1}
    e = e_sum[parametrization] + (0 if normalization == "sum" else (1 if depth == 1 else 2))
    got = transfer_exponent_expr(parametrization, normalization, penalized="all", depth=depth)
    assert isinstance(got, sp.Rational) and got == e
    t = transfer(
        1e-3,
        width_from=50,
        width_to=200,
        parametrization=parametrization,
        normalization=normalization,
        penalized="all",
        depth=depth,
    )
    assert t.lam == pytest.approx(1e-3 * 4 ** float(e), rel=1e-12)
    assert t.exponent == float(e) and t.support == "derivation"
    assert type(t.exponent) is float and json.loads(json.dumps(t._asdict())) == t._asdict()
    assert f"depth {depth} (" in t.rule and "global minimizer" in t.rule
    assert f"depth {depth} (" in t.note and "global minimizer" in t.note


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_depth_enters_the_adamw_rules_only_through_the_mean_over_all_weights(depth):
    """The readout rule ignores depth; AdamW's sum rule too, but its mean divides by the
    decayed weights: the readout's P, or all P_total ∝ P (one hidden layer) or ∝ P² (two or
    more), as ``training.camps``' "mean" camp (``n_penalized``) and the paper define it."""
    for p in PARAMETRIZATIONS:
        for n in NORMALIZATIONS:
            readout = transfer_exponent(p, n, penalized="readout")
            assert transfer_exponent(p, n, penalized="readout", depth=depth) == readout
            for opt in ("adamw-coupled", "adamw-independent"):
                e_sum = transfer_exponent(p, "sum", opt, "mup", penalized="all", depth=depth)
                assert e_sum == transfer_exponent(p, "sum", opt, "mup", penalized="readout")
                mean_readout = transfer_exponent(
                    p, "mean", opt, "mup", penalized="readout", depth=depth
                )
                assert mean_readout == e_sum + 1
                total = 1 if depth == 1 else 2  # P_total's leading power of the width
                mean_all = transfer_exponent(p, "mean", opt, "mup", penalized="all", depth=depth)
                assert mean_all == e_sum + total
                t = transfer(
                    1.0,
                    width_from=10,
                    width_to=20,
                    parametrization=p,
                    normalization="mean",
                    optimizer=opt,
                    lr_scaling="mup",
                    penalized="all",
                    depth=depth,
                )
                assert t.rule.endswith(
                    f"P_total ∝ {'P' if depth == 1 else 'P^2'} ({_layers_text(depth)})"
                )


def test_cli_requires_penalized(capsys):
    """Readout-only and every weight penalized give different rules (standard + sum: λ ∝ P
    against λ fixed); the command line makes the caller say which."""
    with pytest.raises(SystemExit) as exc:
        main(
            [
                "--lam",
                "1e-4",
                "--from-width",
                "256",
                "--to-width",
                "4096",
                "--parametrization",
                "standard",
                "--normalization",
                "sum",
            ]
        )
    assert exc.value.code == 2
    assert "the following arguments are required: --penalized" in capsys.readouterr().err


@pytest.mark.parametrize("depth", [0, -1, 1.5, True, "2", 2.0, None])
@pytest.mark.parametrize(
    ("optimizer", "penalized"),
    [
        ("sgd", "all"),
        ("sgd", "readout"),
        ("adamw-coupled", "all"),
        ("adamw-independent", "readout"),
    ],
)
def test_bad_depth_is_rejected_by_name(depth, optimizer, penalized):
    kw = {"optimizer": optimizer, "penalized": penalized, "depth": depth}
    with pytest.raises(ValueError, match="^depth"):
        transfer_exponent("ntk", "sum", **kw)
    with pytest.raises(ValueError, match="^depth"):
        transfer(1e-3, width_from=1, width_to=2, parametrization="ntk", normalization="sum", **kw)


@pytest.mark.parametrize("depth", ["0", "-1"])
def test_cli_rejects_a_bad_depth(capsys, depth):
    argv = ["--lam", "1e-4", "--from-width", "16", "--to-width", "64", "--depth", depth]
    with pytest.raises(SystemExit) as exc:
        main(argv + ["--parametrization", "ntk", "--normalization", "sum", "--penalized", "all"])
    assert exc.value.code == 2
    assert "error: depth must be an integer >= 1" in capsys.readouterr().err


def test_cli_rejects_a_non_integer_depth(capsys):
    argv = ["--lam", "1e-4", "--from-width", "16", "--to-width", "64", "--depth", "1.5"]
    with pytest.raises(SystemExit) as exc:
        main(argv + ["--parametrization", "ntk", "--normalization", "sum"])
    assert exc.value.code == 2
    assert "--depth" in capsys.readouterr().err  # argparse: invalid int value


def test_cli_names_the_flags_typed_in_the_library_messages(capsys):
    """The exact branch's ``n_samples``/``noise_var`` and the lr option come back as
    ``--n-samples``/``--noise-var``; an option spelled as its own name (``--depth``) and the
    English around the names are left as they are."""
    base = ["--lam", "1e-4", "--from-width", "10", "--to-width", "20"]
    base += ["--parametrization", "standard", "--normalization", "sum", "--penalized", "readout"]
    cases = [
        (["--n-samples", "0", "--input-dim", "3", "--noise-var", "1"], "--n-samples must be > 0"),
        (["--n-samples", "100", "--input-dim", "3", "--noise-var", "-1"], "--noise-var must be"),
        (["--depth", "0"], "error: depth must be an integer >= 1"),
    ]
    for extra, expected in cases:
        with pytest.raises(SystemExit) as exc:
            main(base + extra)
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert expected in err and "n_samples" not in err and "noise_var" not in err


@pytest.mark.parametrize(
    "optimizer, lr_scaling, parametrization, named, sqrt",
    [
        ("adamw-coupled", "none", "standard", "AWMaxFixedGlobalCoupled", True),
        ("adamw-coupled", "mup", "standard", "AWMaxLinearMuPCoupled", True),
        # one global rate: independent decay is the coupled run (figure adamw_rules)
        ("adamw-independent", "none", "standard", "AWMaxFixedGlobalCoupled", True),
        ("adamw-independent", "mup", "standard", "AWMaxFixedMuPIndependent", False),
        ("adamw-coupled", "mup", "ntk", None, False),  # measured in SP only
    ],
)
def test_adamw_note_names_what_the_adamw_figure_measured(
    optimizer, lr_scaling, parametrization, named, sqrt
):
    from figures.adamw_rules import _CAMEL, CAMP_RULES, CONFIGS

    t = transfer(1e-4, width_from=256, width_to=4096, parametrization=parametrization,
                 normalization="sum", optimizer=optimizer, lr_scaling=lr_scaling,
                 penalized="all")  # fmt: skip
    assert t.support == "timescale"
    assert ("sqrt(width)" in t.note) == sqrt
    if named is None:
        assert "not this parametrization" in t.note
        return
    # every macro the note names is one the figure writes
    made = {f"AWMax{_CAMEL[r]}{_CAMEL[c]}" for c in CONFIGS for r in CAMP_RULES}
    cited = set(re.findall(r"AWMax\w+", t.note))
    assert named in cited and cited <= made, cited - made


def test_which_weights_are_penalized_must_be_said():
    """No default for ``penalized``: under GD the standard parametrization's sum rule is
    λ_sum ∝ P for a penalized readout and λ_sum fixed with every weight penalized (DESIGN §1),
    so a call that does not say which would apply one case to the other."""
    kw = {"parametrization": "standard", "normalization": "sum"}
    with pytest.raises(TypeError, match="penalized"):
        transfer(1e-3, width_from=16, width_to=64, **kw)
    with pytest.raises(TypeError, match="penalized"):
        transfer_exponent(**kw)
    with pytest.raises(TypeError, match="penalized"):
        transfer_exponent_expr(**kw)
    assert transfer_exponent(**kw, penalized="readout") == 1
    assert transfer_exponent(**kw, penalized="all") == 0
