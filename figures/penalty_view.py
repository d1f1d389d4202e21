"""Paper figure ``fig:penalty`` -- the penalty at initialization grows with P; at the (stationary) solution it is O(1).

From the runs of :mod:`figures.network_exponents` (``DEPENDS``), at the tuned λ*_sum of
every width (the trained λ nearest λ*), L-BFGS to stationarity, seed means:

(a) ``R_sum = Σ w²`` at initialization (lines) and at the solution (markers);
(b) ``R_mean = Σ w² / P_total`` likewise;
(c) the penalty term ``λ* R`` at initialization and at the solution (the same number for
    both normalizations, ``λ_mean R_mean = λ_sum R_sum``);
(d) the penalty's share ``λ* R / E`` of the objective at the solution.

The large Σw² at initialization is not the quantity that competes with the loss: the
weights shrink to the balanced minimizer, whose penalty is O(1) across widths (DESIGN §1).
"""

from __future__ import annotations

import numpy as np

from figures._fit import log_log_fit
from theory.parametrization import PARAMETRIZATIONS

DEPENDS = ("network_exponents",)

CONFIG = {"quick_dependencies": False, "regime": "stationary"}
QUICK = {"quick_dependencies": True}


def compute(*, quick_dependencies, regime) -> dict:
    from figures import compute_cached, config_for  # the figure this one summarizes

    res, _ = compute_cached(DEPENDS[0], config_for(DEPENDS[0], quick=quick_dependencies))
    out: dict[str, np.ndarray] = {"settings": res["settings"]}
    for name in (str(n) for n in res["settings"]):
        widths, p_total = res[f"{name}/widths"], res[f"{name}/p_total"]
        out[f"{name}/widths"], out[f"{name}/p_total"] = widths, p_total
        for par in PARAMETRIZATIONS:
            tag = f"{name}/{par}/{regime}"
            at = np.arange(len(widths)), res[f"{tag}/best"]
            lam = res[f"{tag}/lams"][at]  # [width]
            init = res[f"{tag}/sq_norm_init"][at].sum(-1).mean(-1)  # Σ over layers, mean seeds
            sol = res[f"{tag}/sq_norm"][at].sum(-1).mean(-1)
            key = f"{name}/{par}"
            out[f"{key}/lam"] = lam
            out[f"{key}/r_sum_init"], out[f"{key}/r_sum"] = init, sol
            out[f"{key}/r_mean_init"], out[f"{key}/r_mean"] = init / p_total, sol / p_total
            out[f"{key}/penalty_init"], out[f"{key}/penalty"] = lam * init, lam * sol
            out[f"{key}/penalty_share"] = res[f"{tag}/penalty_share"][at].mean(-1)
            out[f"{key}/objective"] = res[f"{tag}/objective"][at].mean(-1)
    return out


def plot(result):
    from matplotlib.lines import Line2D

    from figures._style import COLORS, LABELS, new_figure

    fig, axes = new_figure("page", height=4.6, ncols=2, nrows=2)
    axes = axes.ravel()
    markers, styles = "osD^", ("-", "--", ":", "-.")
    names = [str(n) for n in result["settings"]]
    for i, name in enumerate(names):
        widths = result[f"{name}/widths"]
        mk, ls = markers[i % 4], styles[i % 4]
        for par in PARAMETRIZATIONS:
            key, col = f"{name}/{par}", COLORS[par]
            for j, (ax, q) in enumerate(zip(axes[:3], ("r_sum", "r_mean", "penalty"), strict=True)):
                # NTK and mean-field start from the same weights: in (a, b) the NTK line is a
                # wide pale band under the mean-field one
                band = par == "ntk" and j < 2
                ax.plot(widths, result[f"{key}/{q}_init"], ls=ls, color=col,
                        lw=3 if band else 0.8, alpha=0.3 if band else 0.8)  # fmt: skip
                ax.plot(widths, result[f"{key}/{q}"], mk, color=col, ms=3, mfc="white")
            axes[3].plot(widths, result[f"{key}/penalty_share"], marker=mk, ls=ls, color=col,
                         ms=3, mfc="white", lw=0.8)  # fmt: skip
    titles = [
        ("$\\sum w^2$", "(a) $R_{sum}$: init (lines), solution (markers)"),
        ("$\\sum w^2 / P_{total}$", "(b) $R_{mean}$: init (lines), solution (markers)"),
        ("$\\lambda^* R$", "(c) penalty term at $\\lambda^*$: init (lines), solution (markers)"),
        ("$\\lambda^* R / E$", "(d) penalty share of the objective at the solution"),
    ]
    for ax, (ylabel, title) in zip(axes, titles, strict=True):
        ax.set(xscale="log", yscale="log", xlabel="width $P$", ylabel=ylabel, title=title)
    axes[3].set_yscale("linear")
    handles = [Line2D([], [], color=COLORS[p], lw=1.5) for p in PARAMETRIZATIONS]
    labels = [LABELS[p] for p in PARAMETRIZATIONS]
    handles.append(Line2D([], [], color=COLORS["ntk"], lw=3, alpha=0.3))
    labels.append("NTK init (a, b): = mean-field")
    for i, name in enumerate(names):
        handles.append(Line2D([], [], color="0.3", ls=styles[i % 4], marker=markers[i % 4],
                              ms=3, mfc="white", lw=0.8))  # fmt: skip
        labels.append(name)
    fig.legend(handles, labels, loc="outside lower center", ncol=4, fontsize=7,
               handlelength=2.2, columnspacing=1.2)  # fmt: skip
    return fig


def macros(result) -> dict[str, str]:
    """Width slopes of the penalty term at init and at the solution (± the s.e. of the
    least-squares fit over the widths); range of its share."""
    from figures._tex import fixed, stderr

    names = {"standard": "Std", "ntk": "NTK", "mean_field": "MuP"}
    sets = {"digits-1": "DepthOneDigits", "mnist1d-1": "DepthOneMNISTOneD"}
    out = {}
    for name, tag in sets.items():
        if f"{name}/widths" not in result:
            continue
        widths = result[f"{name}/widths"]
        for par in PARAMETRIZATIONS:
            key = f"{name}/{par}"
            for when, suffix in (("Init", "_init"), ("Sol", "")):
                fit = log_log_fit(widths, result[f"{key}/penalty{suffix}"])
                out[f"PenSlope{when}{names[par]}{tag}"] = fixed(fit.slope, 2, sign=True)
                out[f"PenSlopeSE{when}{names[par]}{tag}"] = stderr(fit.se, 2)
                out[f"PenSlopeDoF{tag}"] = f"{fit.dof}"
            share = result[f"{key}/penalty_share"]
            out[f"PenShareMin{names[par]}{tag}"] = f"{share.min():.2f}"
            out[f"PenShareMax{names[par]}{tag}"] = f"{share.max():.2f}"
    return out
