"""Paper figure ``fig:summary`` and table ``tab:summary`` -- every derived-vs-measured comparison.

One generated table of the paper's comparisons.

Each row pairs a number the theory predicts (from a derivation: a figure's ``derived`` macro or
the theory API) with the number a figure measures, as the paper prints them (the row is built
from the macros of the figure named in ``DEPENDS``, so the table and the text cannot drift
apart), and *computes* the agreement:

``z``
    ``|measured − derived| / s.e.`` for a fitted exponent with its standard error over seeds;
    agrees when ``z ≤ 2``.  It is computed from the unrounded numbers the macros were printed
    from (:class:`figures._tex.Printed`; a full run requires them): from the printed digits,
    −0.46 ± 0.01 against −0.50 reads z = 4.0 where −0.4574 ± 0.0075 is z = 5.7.  Only a macro
    read back from a generated file has its digits alone; then an s.e. printed as 0.00 or <0.01
    counts as 0.005 (half the last printed digit), so that it never makes an infinite ``z``; so
    does an unrounded s.e. of exactly 0 (every seed gave the same λ* of a grid: quick runs).
``max z``
    the largest ``|simulation − theory|/s.e.`` over every point of a curve (the figure computes
    it); agrees when ``≤ 3``, since it is the maximum of many roughly normal deviations.
``interval``
    a posterior's 90% interval; agrees when it contains the derived value (its unrounded ends).
``ratio``
    measured/derived over a range of runs without an s.e.; the column gives the largest
    ``|ratio − 1|`` and no verdict ("n/a").
``diff``
    a fitted slope without an s.e.; ``|measured − derived|`` and no verdict.

The regime of every measured number is part of its row: ``exact`` (theory against a
simulation of the same model), ``stationary`` (trained to a stated stationarity),
``fixed budget`` (a fixed number of steps: no derivation covers it; the derived value is the
minimizer's or a timescale rule's) and ``posterior`` (a calibration on data drawn from the
model).

``compute`` only gathers the cached results of the figures it summarizes; ``plot`` draws the
standardized deviations, ``macros`` writes the table rows (``SummaryTableRows``) and counts.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np

from figures._tex import Printed

DEPENDS = (
    "linear_risk",
    "linear_lambda_star",
    "rf_risk",
    "ce_risk",
    "bayes_kappa",
    "bayes_widths",
    "training_transfer",
    "network_exponents",
    "adamw_rules",
    "data_size",
    "norm_layers",
)

CONFIG = {"quick_dependencies": False}
QUICK = {"quick_dependencies": True}


def compute(*, quick_dependencies) -> dict:
    from figures import compute_cached, config_for  # the figures this one summarizes

    out: dict[str, np.ndarray] = {"quick": np.asarray(bool(quick_dependencies))}
    for dep in DEPENDS:
        res, _ = compute_cached(dep, config_for(dep, quick=quick_dependencies))
        out.update({f"{dep}:{k}": v for k, v in res.items()})
    return out


class Row(NamedTuple):
    """One comparison: sources are ``(figure, macro)``, ``("theory", value)`` or ``None``."""

    quantity: str  #: LaTeX
    regime: str
    figure: str  #: the paper's label of the figure that shows it
    kind: str  #: "z", "max z", "interval", "ratio" or "diff"
    derived: tuple
    measured: tuple
    spread: tuple | None = None  #: the s.e. (kind "z") or the interval (kind "interval")


_PAR = {"Std": "SP", "NTK": "NTK", "MuP": r"$\mu$P"}
_PAR_TT = {"Standard": ("standard", "SP"), "NTK": ("ntk", "NTK"),
           "MeanField": ("mean_field", r"$\mu$P")}  # fmt: skip
_DATA = {"Digits": "digits", "MNISTOneD": "MNIST-1D"}


def _theory(value) -> tuple:
    return ("theory", float(value))


def rows() -> list[Row]:
    """The comparisons, in the paper's order of claims (the asker's network first)."""
    from theory.data_size import prior_exponent, timescale_exponent
    from theory.transfer import transfer_exponent

    out: list[Row] = []
    exp = r"$\lambda^\star_{\rm sum}$ exp."
    for data in ("Digits", "MNISTOneD"):
        for par in ("Std", "NTK", "MuP"):
            tag = f"DepthOne{par}{data}"
            out.append(Row(
                f"{exp}, 1 hidden, {_DATA[data]}, {_PAR[par]}", "stationary", "fig:networks", "z",
                ("network_exponents", f"NetExpDerived{tag}"),
                ("network_exponents", f"NetExpStatWide{tag}"),
                ("network_exponents", f"NetExpSEStatWide{tag}"),
            ))  # fmt: skip
    out.append(Row(
        f"{exp}, 2 hidden, digits, SP (last pair)", "stationary", "fig:networks", "z",
        ("network_exponents", "NetExpDerivedDepthTwoStdDigits"),
        ("network_exponents", "NetLocalExpLastStdDepthTwoDigits"),
        ("network_exponents", "NetLocalExpLastSEStdDepthTwoDigits"),
    ))  # fmt: skip
    for par in ("NTK", "MuP"):
        out.append(Row(
            f"{exp}, 2 hidden, digits, {_PAR[par]} $-$ SP (last pair)", "stationary",
            "fig:networks", "z",
            ("network_exponents", f"NetExpDerivedDepthTwo{par}Digits"),
            ("network_exponents", f"NetLocalExpLastRel{par}DepthTwoDigits"),
            ("network_exponents", f"NetLocalExpLastRelSE{par}DepthTwoDigits"),
        ))  # fmt: skip
    out.append(Row(
        r"$\lambda^\star_{\rm sum}$ exp.\ in $N$, 1 hidden, digits", "stationary",
        "fig:datasize", "z", _theory(prior_exponent()),
        ("data_size", "DSExpStationary"), ("data_size", "DSExpSEStationary"),
    ))  # fmt: skip
    for par in ("Std", "NTK", "MuP"):
        tag = f"DepthOne{par}Digits"
        out.append(Row(
            f"{exp}, 1 hidden, digits, {_PAR[par]}, momentum GD", "fixed budget",
            "fig:networks", "z",
            ("network_exponents", f"NetExpDerived{tag}"),
            ("network_exponents", f"NetExpBudgetWide{tag}"),
            ("network_exponents", f"NetExpSEBudgetWide{tag}"),
        ))  # fmt: skip
    for par, (name, label) in _PAR_TT.items():
        out.append(Row(
            f"{exp}, 1 hidden, digits, {label}, GD", "fixed budget", "fig:train", "z",
            _theory(transfer_exponent(name, "sum", penalized="all", depth=1)),
            ("training_transfer", f"TTExpDigitsOne{par}GD"),
            ("training_transfer", f"TTExpSEDigitsOne{par}GD"),
        ))  # fmt: skip
    for data in ("Digits", "MNISTOneD"):
        for depth in ("One", "Two"):
            hidden = "1 hidden" if depth == "One" else "2 hidden"
            for camp, text, opt, lrs in (
                ("GlobalCoupled", "AdamW coupled, one $\\eta$", "adamw-coupled", "none"),
                ("MuPIndependent", "AdamW indep., $\\mu$P $\\eta_l$", "adamw-independent", "mup"),
            ):
                tag = f"{data}{depth}{camp}"
                out.append(Row(
                    f"{exp}, {hidden}, {_DATA[data]}, {text}", "fixed budget",
                    "fig:adamw", "z",
                    # every weight decayed (the sum's AdamW exponent is the same either way)
                    _theory(transfer_exponent("standard", "sum", opt, lrs, penalized="all")),
                    ("adamw_rules", f"AWExp{tag}"), ("adamw_rules", f"AWExpSE{tag}"),
                ))  # fmt: skip
    out.append(Row(
        r"$\lambda^\star$ exp.\ in $N$, full-batch AdamW", "fixed budget", "fig:datasize", "z",
        _theory(timescale_exponent("full")),
        ("data_size", "DSExpFull"), ("data_size", "DSExpSEFull"),
    ))  # fmt: skip
    out.append(Row(
        r"$\lambda^\star$ exp.\ in $N$, batch-50 AdamW", "fixed budget", "fig:datasize", "z",
        _theory(timescale_exponent("fixed")),
        ("data_size", "DSExpMinibatch"), ("data_size", "DSExpSEMinibatch"),
    ))  # fmt: skip
    for q, fig in (("LinRiskMCMaxAbsZ", "fig:linear"), ("RFRiskMaxZ", "fig:rf"),
                   ("CEMaxZ", "fig:ce")):  # fmt: skip
        dep = {"Lin": "linear_risk", "RFR": "rf_risk", "CEM": "ce_risk"}[q[:3]]
        what = {"linear_risk": "ridge risk", "rf_risk": "random-features risk",
                "ce_risk": "logistic test loss"}[dep]  # fmt: skip
        out.append(Row(f"{what} vs $\\lambda$ (curve)", "exact", fig, "max z",
                       _theory(0.0), (dep, q)))  # fmt: skip
    for kappa in ("FixedTotal", "FixedPerWeight"):
        for norm in ("Sum", "Mean"):
            words = {"FixedTotal": r"$\kappa=1$", "FixedPerWeight": r"$\kappa=0$"}[kappa]
            out.append(Row(
                f"linear ridge $\\lambda^\\star$ exp., {norm.lower()}, {words}", "exact",
                "fig:linear", "diff",
                ("linear_lambda_star", f"LinLamStarExponent{kappa}{norm}"),
                ("linear_lambda_star", f"LinLamStarSlope{kappa}{norm}"),
            ))  # fmt: skip
    for word, kappa in (("Zero", 0.0), ("Half", 0.5), ("One", 1.0)):
        out.append(Row(
            f"posterior mean of $\\kappa$ (data drawn at {kappa:g})", "posterior", "fig:bayes",
            "interval", _theory(kappa), ("bayes_kappa", f"BayesKappaMean{word}"),
            ("bayes_kappa", f"BayesKappaInterval{word}"),
        ))  # fmt: skip
    for stem, qual, derived, what in (
        ("BayesWidthsSlope", "Matched", "SlopeDerivedMatched", r"posterior $s$, matched $\kappa$"),
        ("BayesWidthsSlope", "Mismatched", "SlopeDerivedMismatched",
         r"posterior $s$, mismatched $\kappa$"),
        ("BayesWidthsLamSlope", "", "LamSlopeDerived", r"posterior $\lambda_{\rm sum}$, matched"),
        ("BayesWidthsEvidenceSlope", "", "LamSlopeDerived", r"evidence-optimal $\lambda_{\rm sum}$"),
    ):  # fmt: skip
        out.append(Row(
            f"width exp.\\ of {what} (simulated data)", "posterior", "fig:bayes", "z",
            ("bayes_widths", f"BayesWidths{derived}"), ("bayes_widths", f"{stem}{qual}"),
            ("bayes_widths", f"{stem}SE{qual}"),
        ))  # fmt: skip
    for q, what in (("NLNormRatioGD", "norm"), ("NLAngleRMSRatioGD", "RMS angle")):
        out.append(Row(
            f"LayerNorm GD equilibrium {what} / prediction", "fixed budget",
            "fig:norm_layers", "ratio", _theory(1.0), ("norm_layers", q),
        ))  # fmt: skip
    return out


_NUMBER = re.compile(r"[-+]?\d*\.?\d+(?:e[-+]?\d+)?")
Z_AGREE = 2.0  # kind "z"
MAXZ_AGREE = 3.0  # kind "max z"


def _numbers(text: str) -> list[float]:
    """The numbers in a printed macro value: ``"+0.05"``, ``"0.98--1.02"``, ``"[0.1, 0.9]"``."""
    return [float(x) for x in _NUMBER.findall(text.replace("--", " "))]


class Comparison(NamedTuple):
    row: Row
    derived: float
    measured: str  #: as printed
    spread: str | None
    score: float  #: z, max z, |ratio − 1| or |difference|; NaN for an interval
    agrees: bool | None  #: None: no verdict possible (no s.e.)
    signed_z: float  #: (measured − derived)/s.e. for kind "z", else NaN


def _unrounded(text: str) -> float | tuple[float, ...] | None:
    """The number a macro was printed from, if it kept it (:class:`figures._tex.Printed`)."""
    return text.value if isinstance(text, Printed) else None


def compare(row: Row, printed: dict[str, dict[str, str]]) -> Comparison:
    """The agreement of one row, from the macros ``printed[figure][name]`` (for kind "z", from
    the unrounded numbers they were printed from where they kept them)."""

    def value(src):
        return (src[1], None) if src[0] == "theory" else (None, printed[src[0]][src[1]])

    d_num, d_txt = value(row.derived)
    derived = d_num if d_txt is None else _numbers(d_txt)[0]
    measured = printed[row.measured[0]][row.measured[1]]
    spread = printed[row.spread[0]][row.spread[1]] if row.spread else None
    m = _numbers(measured)
    z = np.nan
    if row.kind == "z":
        if d_txt is not None and _unrounded(d_txt) is not None:
            derived = _unrounded(d_txt)  # e.g. -2/3, printed -0.67
        mean, se = _unrounded(measured), _unrounded(spread)
        # an s.e. below the last printed digit ("0.00", or "{<}0.01" from figures._tex.stderr)
        # counts as half of it when only the digits are known, and so does an unrounded s.e.
        # of exactly 0 (every seed gave the same λ* of a grid), so neither makes an infinite z
        half_digit = _numbers(spread)[0] / 2 if "<" in spread else 0.005
        if mean is None or se is None:
            mean, se = m[0], max(_numbers(spread)[0], half_digit)
        elif se == 0:
            se = half_digit
        if not se > 0:
            raise ValueError(f"summary row {row.quantity!r}: s.e. must be >= 0, got {se!r}")
        z = round((mean - derived) / se, 9)  # no float noise at exactly ±2
        score, agrees = abs(z), abs(z) <= Z_AGREE
    elif row.kind == "max z":
        score = m[0]
        agrees = score <= MAXZ_AGREE
    elif row.kind == "interval":
        lo, hi = _numbers(spread) if _unrounded(spread) is None else _unrounded(spread)
        score, agrees = np.nan, bool(lo <= derived <= hi)
    elif row.kind == "ratio":
        score, agrees = max(abs(x / derived - 1) for x in m), None
    elif row.kind == "diff":
        score, agrees = abs(m[0] - derived), None
    else:
        raise ValueError(f"kind must be z, max z, interval, ratio or diff, got {row.kind!r}")
    return Comparison(row, derived, measured, spread, float(score), agrees, float(z))


def _printed(result) -> dict[str, dict[str, str]]:
    """Each summarized figure's macros, computed from its cached result as its own
    ``macros`` does (the very numbers the paper prints)."""
    # imported by name, so that their drawing code is part of this figure's drawing key
    from figures import (
        adamw_rules,
        bayes_kappa,
        bayes_widths,
        ce_risk,
        data_size,
        linear_lambda_star,
        linear_risk,
        network_exponents,
        norm_layers,
        rf_risk,
        training_transfer,
    )

    modules = {m.__name__.rsplit(".", 1)[1]: m for m in (
        adamw_rules, bayes_kappa, bayes_widths, ce_risk, data_size, linear_lambda_star,
        linear_risk, network_exponents, norm_layers, rf_risk, training_transfer)}  # fmt: skip
    out = {}
    for dep in DEPENDS:
        prefix = f"{dep}:"
        sub = {k[len(prefix) :]: v for k, v in result.items() if k.startswith(prefix)}
        out[dep] = modules[dep].macros(sub)
    return out


def comparisons(result) -> list[Comparison]:
    """:func:`fill` with the macros of the cached results gathered by ``compute``."""
    return fill(_printed(result), quick=bool(result["quick"]))


def fill(
    printed: dict[str, dict[str, str]], *, quick: bool, unrounded: bool = True
) -> list[Comparison]:
    """Every row whose macros exist in ``printed``.  A full run must have them all; a quick
    run (smaller settings of the figures summarized) keeps the rows it can fill, at least one.
    With ``unrounded`` (the figures' own macros) the measured value and s.e. of every "z" row
    and the interval of every "interval" row must carry the numbers they were printed from;
    ``False`` for macros read back from files."""
    out = []
    for row in rows():
        needed = [s for s in (row.derived, row.measured, row.spread) if s and s[0] != "theory"]
        if all(name in printed.get(dep, {}) for dep, name in needed):
            if row.kind in ("z", "interval") and unrounded:
                sources = (row.measured, row.spread) if row.kind == "z" else (row.spread,)
                rounded = [f"{d}.{n}" for d, n in sources
                           if _unrounded(printed[d][n]) is None]  # fmt: skip
                if rounded:
                    raise ValueError(
                        f"summary row {row.quantity!r}: {', '.join(rounded)} kept no unrounded "
                        "value (print it with figures._tex.fixed / stderr)"
                    )
            out.append(compare(row, printed))
        elif not quick:
            missing = [f"{dep}.{name}" for dep, name in needed if name not in printed.get(dep, {})]
            raise KeyError(f"summary row {row.quantity!r}: no macro {', '.join(missing)}")
    if not out:
        raise ValueError("no comparison could be filled: the summary would be empty")
    return out


def _fmt(x: float) -> str:
    """``0``, ``1``, ``-1`` for integers, else two decimals (``-0.50``, ``-0.67``)."""
    return f"{round(x):d}" if x == round(x) else f"{x:.2f}"


def table_row(c: Comparison) -> str:
    """One LaTeX table row: quantity & regime & derived & measured & agreement & verdict & fig."""
    if c.row.kind == "z":
        measured, score = f"${c.measured}\\pm{c.spread}$", f"{c.score:.1f}"
    elif c.row.kind == "interval":
        measured, score = f"${c.measured}$ {c.spread}", "in 90\\%" if c.agrees else "out"
    elif c.row.kind == "max z":
        measured, score = "simulation", f"max {c.score:.1f}"
    elif c.row.kind == "ratio":
        measured, score = c.measured, f"$|r-1|\\le{c.score:.2f}$"
    else:
        measured, score = f"${c.measured}$", f"$|\\Delta|={c.score:.2f}$"
    derived = "theory" if c.row.kind == "max z" else f"${_fmt(c.derived)}$"
    verdict = {True: "yes", False: "\\textbf{no}", None: "n/a"}[c.agrees]
    return (
        f"{c.row.quantity} & {c.row.regime} & {derived} & {measured} & {score} & {verdict} & "
        f"\\ref{{{c.row.figure}}} \\\\"
    )


def _short(quantity: str) -> str:
    """A plot label: the row's quantity without the common prefixes (λ* exponents, the
    Bayesian width exponents)."""
    for prefix, short in ((r"$\lambda^\star_{\rm sum}$ exp.\ in $N$, ", "in $N$: "),
                          (r"$\lambda^\star$ exp.\ in $N$, ", "in $N$: "),
                          (r"$\lambda^\star_{\rm sum}$ exp., ", "")):  # fmt: skip
        quantity = quantity.replace(prefix, short)
    quantity = quantity.replace("width exp.\\ of ", "").replace(" (simulated data)", "")
    return quantity.replace("1 hidden", "1 h.").replace("2 hidden", "2 h.")


def plot(result):
    from figures._style import new_figure

    cs = [c for c in comparisons(result) if c.row.kind == "z"]
    fig, ax = new_figure("column", height=1.0 + 0.15 * len(cs))
    colors = {"stationary": "#444444", "fixed budget": "#CC79A7", "posterior": "#0072B2"}
    y = np.arange(len(cs))[::-1]
    clip = 10.0
    ax.axvspan(-Z_AGREE, Z_AGREE, color="0.9", lw=0)
    ax.axvline(0.0, color="0.5", lw=0.6)
    for yi, c in zip(y, cs, strict=True):
        z = float(np.clip(c.signed_z, -clip, clip))
        marker = "o" if abs(c.signed_z) <= clip else (">" if z > 0 else "<")
        ax.plot(z, yi, marker, color=colors[c.row.regime], ms=4)
    ax.set_yticks(y, [_short(c.row.quantity) for c in cs], fontsize=7)
    ax.set(xlim=(-clip - 0.6, clip + 0.6), ylim=(-0.7, len(cs) - 0.3),
           xlabel="(meas. $-$ derived) / s.e.")  # fmt: skip
    for regime, col in colors.items():
        ax.plot([], [], "o", color=col, label=regime)
    fig.legend(loc="outside lower center", ncols=len(colors), fontsize=7, frameon=False)
    return fig


def macros(result) -> dict[str, str]:
    """The table body and its counts (rows with a verdict; disagreements by regime), and what
    ``|z| ≤ 2`` means with the few seeds behind the network exponents' s.e."""
    cs = comparisons(result)
    out = table_macros(cs)
    seeds = int(_printed(result)["network_exponents"]["NetSeeds"])
    out.update(seed_macros(seeds, cs))
    return out


def seed_macros(seeds: int, cs: list[Comparison]) -> dict[str, str]:
    """An s.e. over ``seeds`` seeds is itself uncertain: under a t distribution with
    ``seeds − 1`` degrees of freedom, the coverage of ``±Z_AGREE`` s.e., the two-sided 95%
    quantile, and how many stationary network exponents lie within that quantile.

    >>> m = seed_macros(3, [])
    >>> m["SummaryDoF"], m["SummaryZAgreeCoverage"], m["SummaryTNinetyFive"]
    ('2', '82', '4.30')
    """
    from scipy import stats

    if seeds < 2:
        raise ValueError(f"seeds must be >= 2 for an s.e. over seeds, got {seeds!r}")
    dof = seeds - 1
    t95 = float(stats.t.ppf(0.975, dof))
    net = [c for c in cs if c.agrees is not None and c.row.regime == "stationary"
           and c.row.figure == "fig:networks"]  # fmt: skip
    return {
        "SummaryDoF": str(dof),
        "SummaryZAgreeCoverage": f"{100 * (1 - 2 * stats.t.sf(Z_AGREE, dof)):.0f}",
        "SummaryTNinetyFive": f"{t95:.2f}",
        "SummaryNetStationaryWithinT": str(sum(c.score <= t95 for c in net)),
    }


def _mean(c: Comparison) -> float:
    """The measured value of ``c``, unrounded where its macro kept it."""
    value = _unrounded(c.measured)
    return _numbers(c.measured)[0] if value is None else value


def table_macros(cs: list[Comparison]) -> dict[str, str]:
    """:func:`macros` of the comparisons ``cs``."""
    judged = [c for c in cs if c.agrees is not None]
    out = {
        "SummaryTableRows": "\n".join(table_row(c) for c in cs),
        "SummaryRows": str(len(cs)),
        "SummaryJudged": str(len(judged)),
        "SummaryAgree": str(sum(bool(c.agrees) for c in judged)),
        # the agreement thresholds the verdicts use
        "SummaryZAgree": f"{Z_AGREE:g}",
        "SummaryMaxZAgree": f"{MAXZ_AGREE:g}",
    }
    # the asker's rule: the width exponents of networks trained to stationarity
    net = [c for c in judged if c.row.regime == "stationary" and c.row.figure == "fig:networks"]
    out["SummaryNetStationaryJudged"] = str(len(net))
    out["SummaryNetStationaryAgree"] = str(sum(bool(c.agrees) for c in net))
    # the largest z and |measured − derived| among them (NaN-free: every row has an s.e.)
    out["SummaryNetStationaryMaxZ"] = f"{max((c.score for c in net), default=0.0):.1f}"
    diffs = [abs(_mean(c) - c.derived) for c in net] if net else [0.0]
    out["SummaryNetStationaryMaxDiff"] = f"{max(diffs):.2f}"
    for regime, word in (("exact", "Exact"), ("stationary", "Stationary"),
                         ("fixed budget", "Budget"), ("posterior", "Posterior")):  # fmt: skip
        mine = [c for c in judged if c.row.regime == regime]
        out[f"SummaryJudged{word}"] = str(len(mine))
        out[f"SummaryDisagree{word}"] = str(sum(not c.agrees for c in mine))
    return out
