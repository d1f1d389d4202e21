"""theory.latex: named results become valid, complete LaTeX macro files."""

from __future__ import annotations

import re

import pytest
import sympy as sp

from theory import latex


def test_write_generated_contains_every_registered_result(tmp_path):
    path = latex.write_generated(tmp_path)
    text = path.read_text()
    names = re.findall(r"\\newcommand\{\\([A-Za-z]+)\}", text)
    assert sorted(names) == sorted(latex.registered())
    for name in (
        "PriorVarSquaredSum",
        "WidthExponentSum",
        "WidthExpStandardSum",
        "SklearnRidgeAlpha",
    ):
        assert name in names
    # braces balance on every macro line (a broken line would break the paper build)
    for line in text.splitlines():
        if line.startswith("\\newcommand"):
            assert line.count("{") == line.count("}"), line


def test_rendered_equation_follows_the_derivation():
    assert latex.render("WidthExponentSum") == sp.latex(sp.Integer(1) - 2 * sp.Symbol("c"))
    assert latex.render("WidthExpMeanFieldMean") == "0"


def test_register_rejects_bad_names():
    with pytest.raises(ValueError, match="^name"):
        latex.register("bad_name1", "x")
    with pytest.raises(ValueError, match="^name"):
        latex.render("NoSuchMacro")
    with pytest.raises(ValueError, match="^name"):
        latex.register("PriorVarSquaredSum", "duplicate")(lambda: 0)
