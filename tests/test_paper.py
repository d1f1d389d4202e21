"""paper/: the build-log checker, and main.tex only uses generated content that exists."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import figures

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("check_log", ROOT / "paper" / "check_log.py")
check_log = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_log)

MAIN = (ROOT / "paper" / "main.tex").read_text()


def test_checker_flags_every_kind_of_unresolved_content():
    log = "\n".join(
        [
            "LaTeX Warning: Reference `fig:x' on page 2 undefined on input line 40.",
            "LaTeX Warning: Citation `neal1996' on page 1 undefined on input line 3.",
            "./main.tex:12: Undefined control sequence.",
            "LaTeX Warning: Command \\textendash invalid in math mode on input line 457.",
            "! LaTeX Error: File `generated/foo.tex' not found.",
            "LaTeX Warning: There were undefined references.",
        ]
    )
    kinds = [p.split(":")[0] for p in check_log.problems(log)]
    assert kinds == [
        "undefined reference",
        "undefined citation",
        "undefined control sequence",
        "invalid in math mode",
        "missing file",
        "undefined references remain",
    ]


def test_checker_passes_a_clean_log():
    log = "This is pdfTeX\nOutput written on main.pdf (6 pages, 1 bytes).\nLaTeX Font Info: ok"
    assert check_log.problems(log) == []


def test_main_tex_includes_only_registered_figures_and_generated_files():
    for name in re.findall(r"\\fig\{([a-z_]+)\}", MAIN):
        assert name in figures.FIGURES, name
    for name in re.findall(r"\\input\{generated/([a-z_]+)\.tex\}", MAIN):
        assert name == "theory" or hasattr(figures.get(name), "macros"), name


def test_every_theory_macro_used_is_registered():
    from theory import latex

    registered = set(latex.registered())
    used = set(re.findall(r"\\([A-Z][A-Za-z]+)", MAIN))
    theory_prefixes = (
        "PriorVar",
        "LamSum",
        "LamMean",
        "Sklearn",
        "BayesianRidge",
        "MacKay",
        "SGD",
        "WidthExp",
        "NTKSubstitution",
        "LinBayes",
        "LinRisk",
        "LinStieltjes",
        "LinLambdaStar",
        "LinRidgeless",
        "RFRelu",
        "RFFixed",
        "RFChi",
        "RFLamNTK",
        "RFRidgelessChi",
        "RFWide",
        "Evidence",
    )
    wanted = {m for m in used if m.startswith(theory_prefixes)}
    figure_made = {
        m
        for m in wanted
        if m.startswith(("LinRiskStarGamma", "LinRiskMC", "LinRidgelessGamma", "LinLamStar"))
    }
    assert wanted - figure_made <= registered, sorted(wanted - figure_made - registered)
