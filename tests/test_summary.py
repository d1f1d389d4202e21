"""figures.summary: the generated table of every derived-vs-measured comparison."""

from __future__ import annotations

import re

import numpy as np
import pytest

from figures import summary
from figures._paths import GENERATED_DIR
from figures._tex import Printed, fixed, stderr


def _row(
    kind, derived=("theory", 0.0), measured=("f", "M"), spread=("f", "S"), regime="stationary"
):
    return summary.Row("q", regime, "fig:x", kind, derived, measured, spread)


@pytest.mark.parametrize(
    ("measured", "se", "z", "agrees"),
    [
        ("+0.10", "0.05", 2.0, True),  # exactly at the threshold agrees
        ("-0.11", "0.05", -2.2, False),
        ("+0.02", "0.00", 4.0, False),  # s.e. printed as 0.00 counts as 0.005
        ("-0.01", "0.01", -1.0, True),
    ],
)
def test_z_from_printed_digits_alone(measured, se, z, agrees):
    c = summary.compare(_row("z"), {"f": {"M": measured, "S": se}})
    # the printed numbers have two decimals: z to rounding of their quotient
    assert c.signed_z == pytest.approx(z, rel=1e-12) and c.score == pytest.approx(abs(z))
    assert c.agrees is agrees


def test_z_uses_the_unrounded_numbers_a_macro_kept():
    # MNIST-1D NTK of the 2026-12 run: printed -0.46 ± 0.01 (z = 4.0), unrounded z = 5.68
    printed = {"f": {"D": Printed("-0.50", -0.5), "M": Printed("-0.46", -0.4574),
                     "S": Printed("0.01", 0.0075)}}  # fmt: skip
    c = summary.compare(_row("z", derived=("f", "D")), printed)
    assert c.signed_z == pytest.approx(0.0426 / 0.0075, rel=1e-12)
    # a derived -2/3 printed as -0.67: -0.60 ± 0.05 is z = 1.33, not 1.4
    printed = {"f": {"D": Printed("-0.67", -2 / 3), "M": Printed("-0.60", -0.6),
                     "S": Printed("0.05", 0.05)}}  # fmt: skip
    c = summary.compare(_row("z", derived=("f", "D")), printed)
    assert c.signed_z == pytest.approx((-0.6 + 2 / 3) / 0.05, rel=1e-9)
    # every seed the same (a grid's λ*): half the last printed digit, as for digits alone
    printed["f"]["S"] = Printed("{<}0.01", 0.0)
    c = summary.compare(_row("z", derived=("f", "D")), printed)
    assert c.signed_z == pytest.approx((-0.6 + 2 / 3) / 0.005, rel=1e-9)
    printed["f"]["S"] = Printed("nan", float("nan"))
    with pytest.raises(ValueError, match="s.e. must be >= 0"):
        summary.compare(_row("z", derived=("f", "D")), printed)


def test_an_interval_verdict_reads_the_unrounded_ends():
    row = _row("interval", ("theory", 1.0), ("f", "K"), ("f", "I"))
    inside = {"f": {"K": "0.86", "I": Printed("[0.72, 1.00]", (0.7196, 1.0041))}}
    outside = {"f": {"K": "0.86", "I": Printed("[0.72, 1.00]", (0.7196, 0.9962))}}
    assert summary.compare(row, inside).agrees is True
    assert summary.compare(row, outside).agrees is False  # the printed digits would say yes
    assert summary.compare(row, {"f": {"K": "0.86", "I": "[0.72, 1.00]"}}).agrees is True


def test_the_paper_table_refuses_a_z_row_printed_without_its_unrounded_numbers():
    macros = {"NetExpDerivedDepthOneStdDigits": "+0.00", "NetExpStatWideDepthOneStdDigits":
              "+0.01", "NetExpSEStatWideDepthOneStdDigits": "0.01"}  # fmt: skip
    with pytest.raises(ValueError, match="NetExpStatWideDepthOneStdDigits.*no unrounded"):
        summary.fill({"network_exponents": macros}, quick=True)
    (c,) = summary.fill({"network_exponents": macros}, quick=True, unrounded=False)
    assert c.signed_z == pytest.approx(1.0)
    macros["NetExpStatWideDepthOneStdDigits"] = fixed(0.0125, 2, sign=True)
    macros["NetExpSEStatWideDepthOneStdDigits"] = stderr(0.01, 2)
    (c,) = summary.fill({"network_exponents": macros}, quick=True)
    assert c.signed_z == pytest.approx(1.25)


def test_derived_value_from_a_figure_macro_and_the_other_kinds():
    printed = {"f": {"D": "-0.50", "M": "-0.52", "S": "0.04", "Z": "2.9", "I": "[0.41, 0.97]",
                     "K": "0.62", "R": "0.99--1.11", "L": "-1.94"}}  # fmt: skip
    c = summary.compare(_row("z", derived=("f", "D")), printed)
    assert c.derived == -0.5 and c.signed_z == pytest.approx(-0.5)
    assert summary.compare(_row("max z", measured=("f", "Z"), spread=None), printed).agrees
    printed["f"]["Z"] = "3.1"
    assert not summary.compare(_row("max z", measured=("f", "Z"), spread=None), printed).agrees
    inside = summary.compare(_row("interval", ("theory", 0.5), ("f", "K"), ("f", "I")), printed)
    outside = summary.compare(_row("interval", ("theory", 1.0), ("f", "K"), ("f", "I")), printed)
    assert inside.agrees is True and outside.agrees is False
    ratio = summary.compare(_row("ratio", ("theory", 1.0), ("f", "R"), None), printed)
    assert ratio.agrees is None and ratio.score == pytest.approx(0.11)
    diff = summary.compare(_row("diff", ("theory", -2.0), ("f", "L"), None), printed)
    assert diff.agrees is None and diff.score == pytest.approx(0.06)
    with pytest.raises(ValueError, match="kind"):
        summary.compare(_row("other"), printed)


def test_a_full_run_needs_every_macro_and_a_quick_run_at_least_one():
    with pytest.raises(KeyError, match="no macro"):
        summary.fill({}, quick=False)
    with pytest.raises(ValueError, match="empty"):
        summary.fill({}, quick=True)
    one = {"data_size": {"DSExpStationary": "-1.10", "DSExpSEStationary": "0.05"}}
    (c,) = summary.fill(one, quick=True, unrounded=False)
    assert c.derived == -1.0 and c.signed_z == pytest.approx(-2.0) and c.agrees


def test_table_rows_have_seven_columns_and_the_counts_add_up():
    printed = {"data_size": {"DSExpStationary": "-1.74", "DSExpSEStationary": "0.22",
                             "DSExpFull": "-0.23", "DSExpSEFull": "0.22",
                             "DSExpMinibatch": "-0.83", "DSExpSEMinibatch": "0.07"}}  # fmt: skip
    cs = summary.fill(printed, quick=True, unrounded=False)
    assert len(cs) == 3
    for c in cs:
        line = summary.table_row(c)
        assert line.count(" & ") == 6 and line.endswith("\\\\")
    assert [c.agrees for c in cs] == [False, True, False]  # |z| = 3.4, 1.0, 2.4


def test_every_row_is_filled_from_the_generated_macros_that_exist():
    """The rows name macros that their figures really write (for the figures whose generated
    file exists here; every figure's file exists after ``make figures``).  Skipped on a clean
    clone before the figures exist, as in CI's ``make test``; there the full-size ``make
    figures`` that CI runs alongside enforces the same: ``fill(quick=False)`` raises
    ``KeyError`` on any row whose macro a figure does not write
    (test_a_full_run_needs_every_macro_and_a_quick_run_at_least_one)."""
    printed = {}
    for dep in summary.DEPENDS:
        path = GENERATED_DIR / f"{dep}.tex"
        if path.exists():
            text = path.read_text()
            printed[dep] = dict(re.findall(r"\\newcommand\{\\([A-Za-z]+)\}\{(.*)\}", text))
    if not printed:
        pytest.skip("no generated macros yet (make figures)")
    rows = [r for r in summary.rows() if all(
        s[0] in printed for s in (r.derived, r.measured, r.spread) if s and s[0] != "theory")]  # fmt: skip
    assert rows, "no row can be checked against the generated files"
    filled = summary.fill(printed, quick=True, unrounded=False)  # files keep digits only
    assert len(filled) == len(rows)
    for c in filled:
        assert np.isfinite(c.derived)


def test_the_rows_cover_the_claims_in_every_regime():
    rows = summary.rows()
    assert {r.regime for r in rows} == {"exact", "stationary", "fixed budget", "posterior"}
    assert {r.kind for r in rows} == {"z", "max z", "interval", "ratio", "diff"}
    assert len({r.quantity for r in rows}) == len(rows)  # no row twice
    deps = {s[0] for r in rows for s in (r.derived, r.measured, r.spread) if s}
    assert deps - {"theory"} == set(summary.DEPENDS)  # every summarized figure is used


def test_seed_macros_count_the_stationary_exponents_inside_the_t_quantile():
    # with 3 seeds (2 degrees of freedom) the 95% quantile is 4.30 s.e.: z = 4.2 is inside it
    macros = {}
    for par, z in (("Std", 1.0), ("NTK", 4.2), ("MuP", 5.6)):
        macros[f"NetExpDerivedDepthOne{par}Digits"] = fixed(0.0, 2, sign=True)
        macros[f"NetExpStatWideDepthOne{par}Digits"] = fixed(0.01 * z, 2, sign=True)
        macros[f"NetExpSEStatWideDepthOne{par}Digits"] = stderr(0.01, 2)
    cs = summary.fill({"network_exponents": macros}, quick=True)
    assert [round(c.score, 6) for c in cs] == [1.0, 4.2, 5.6]
    m = summary.seed_macros(3, cs)
    assert m["SummaryNetStationaryWithinT"] == "2" and m["SummaryTNinetyFive"] == "4.30"
    assert summary.seed_macros(11, cs)["SummaryTNinetyFive"] == "2.23"  # t_0.975 with 10 dof
    with pytest.raises(ValueError, match="seeds"):
        summary.seed_macros(1, cs)
