"""Paper figure ``fig:train`` -- does the λ rule transfer when MLPs are *trained* (cross-entropy, GD and AdamW)?

For each setting (data set, depth, parametrization, optimizer) bias-free ReLU MLPs
are trained at several widths over a log grid of λ_sum with 3 seeds (vmapped,
:mod:`training`).  Top: test cross-entropy vs λ_sum per width; vertical lines mark
where each rule carries the smallest width's λ* to the largest width.  Bottom:
(a) λ*(P)/λ*(P_0) with its fitted exponent; (b) the transfer regret at the largest
width (test loss at the carried λ minus the best over every λ trained there).

Rules: *readout* = :func:`theory.parametrization.transfer_lambda` (λ_sum ∝ P^(1-2c));
*all-weights* = :func:`theory.transfer.transfer` with ``penalized="all"``
(λ_sum ∝ M^(2/L): P^(-c) with one hidden layer, global minimizer with every weight
penalized); *optimizer* = the
AdamW timescale rule of :mod:`theory.transfer`; *same λ_sum* / *same λ_mean*.

Conventions: loss ``(1/N) Σ CE + λ_sum Σ_l ‖W_l‖²`` over *all* weights (no biases),
λ_mean = P_total λ_sum.  The learning rates, steps and grids below were chosen
from pilot runs so that every width trains stably and each grid brackets λ*;
results are at a fixed number of steps (no early stopping, no schedule).

Learning rates (base η, per-layer factors of :func:`training.models.lr_factors`):

* standard + GD: η = 0.05 at every width (SP needs a small η to be stable at
  width 2048; heavy-ball momentum 0.9 for every GD run);
* NTK + GD: η = 4 (2 for two hidden layers) at every width (NTK's own width-stable
  scaling);
* mean-field + GD: μP, η_l = 1 · P for every layer (Tensor Programs IV Table 3
  in mean-field multipliers);
* standard + AdamW: μP Adam rates in SP form (TP V Table 3: input η, readout
  η·16/P), η = 0.01, β = (0.9, 0.999), ε = 1e-8; coupled (PyTorch) vs independent decay.
"""

from __future__ import annotations

import sys

import numpy as np

from theory.parametrization import width_exponent
from theory.transfer import transfer_exponent
from training.experiment import RULES, Setting, run_setting, unique_names

WIDTHS = [16, 64, 256, 2048]
REFERENCE_SLOPES = (1.0, 0.0, -0.5, -1.0)

CONFIG = {
    "n_train": 200,  # digits: stratified 200 train / 1597 test; teacher: 200 / 2000
    "seeds": [0, 1, 2],
    "steps": 160,  # full-batch steps (no early stopping, no schedule)
    "n_grid": 5,  # grid points, `grid_step` decades apart, centred per width
    "grid_step": 0.5,
    "n_extra": 4,  # extra λ per width: the rules' transferred values (else grid extension)
    # grid centres (λ_sum at the smallest width) and their width exponents: from pilot runs,
    # so that each grid brackets λ*; λ* itself is measured, an optimum at an edge is flagged
    "settings": [
        dict(parametrization="standard", optimizer="sgd", lr=0.05, grid_center=4e-3),
        dict(
            parametrization="ntk", optimizer="sgd", lr=4.0, grid_center=1.4e-4, grid_exponent=-0.5
        ),
        dict(
            parametrization="mean_field",
            optimizer="sgd",
            lr=1.0,
            lr_scaling="mup",
            base_width=1,
            grid_center=3e-5,
            grid_exponent=-1.0,
        ),
        dict(
            parametrization="standard",
            optimizer="adamw-coupled",
            lr=0.01,
            lr_scaling="mup",
            grid_center=0.33,
            grid_exponent=0.2,
        ),
        dict(
            parametrization="standard",
            optimizer="adamw-independent",
            lr=0.01,
            lr_scaling="mup",
            grid_center=0.33,
        ),
        dict(
            depth=2,
            parametrization="ntk",
            optimizer="sgd",
            lr=2.0,
            grid_center=3.7e-4,
            grid_exponent=-1.0,
            widths=[16, 64, 256, 512],  # the 512×512 hidden layer already costs as much as 2048
        ),
        dict(
            dataset="teacher",
            parametrization="ntk",
            optimizer="sgd",
            lr=4.0,
            grid_center=3e-3,
            grid_exponent=-0.5,
        ),
    ],
}
QUICK = {
    "n_train": 64,
    "seeds": [0, 1],
    "steps": 20,
    "n_grid": 3,
    "grid_step": 1.0,
    "settings": [
        dict(dataset="teacher", parametrization="ntk", lr=2.0, widths=[8, 32]),
        dict(
            dataset="teacher",
            parametrization="mean_field",
            lr=1.0,
            lr_scaling="mup",
            base_width=1,
            widths=[8, 32],
        ),
    ],
}


def _setting(spec: dict) -> tuple[Setting, list[int]]:
    spec = dict(spec)
    widths = spec.pop("widths", WIDTHS)
    return Setting(**spec), widths


def compute(*, n_train, seeds, steps, n_grid, grid_step, n_extra, settings) -> dict:
    result: dict[str, np.ndarray] = {}
    parsed = [_setting(spec) for spec in settings]
    names = unique_names([setting for setting, _ in parsed])
    for setting, widths in parsed:
        out = run_setting(
            setting,
            widths=widths,
            seeds=seeds,
            steps=steps,
            n_train=n_train,
            n_grid=n_grid,
            grid_step=grid_step,
            n_extra=n_extra,
            log=lambda msg: print(msg, file=sys.stderr, flush=True),
        )
        e_theory = float(width_exponent(setting.parametrization, "sum"))
        e_opt = float(  # for GD the readout rule, as training.experiment.rule_lambdas
            transfer_exponent(
                setting.parametrization,
                "sum",
                setting.optimizer,
                setting.lr_scaling,
                penalized="readout",
            )
        )
        out["predicted/theory_sum"] = np.asarray(e_theory)
        out["predicted/optimizer"] = np.asarray(e_opt)
        out["predicted/features"] = np.asarray(
            float(
                transfer_exponent(
                    setting.parametrization, "sum", penalized="all", depth=setting.depth
                )
            )
        )
        out["test_loss_mean"] = np.mean(out["test_loss"], axis=2)  # NaN where a run diverged
        rel = out["lam_star_seeds"] / out["lam_star"][0]
        out["lam_star_rel"] = out["lam_star"] / out["lam_star"][0]
        out["lam_star_rel_range"] = np.stack(
            [out["lam_star_rel"] - rel.min(axis=1), rel.max(axis=1) - out["lam_star_rel"]]
        )
        result.update({f"{setting.name}/{k}": np.asarray(v) for k, v in out.items()})
    result["settings"] = np.asarray(names)
    # reference slopes for panel (a)
    all_widths = [w for _, widths in parsed for w in widths]
    ref = np.array([min(all_widths), max(all_widths)], float)
    result["reference/widths"] = ref
    for e in REFERENCE_SLOPES:
        result[f"reference/{e:g}"] = (ref / ref[0]) ** e
    return result


_TITLE = {
    "standard": "standard",
    "ntk": "NTK",
    "mean_field": "mean-field (μP)",
    "sgd": "GD",
    "adamw-coupled": "AdamW coupled",
    "adamw-independent": "AdamW indep.",
}
_RULE_LABEL = {
    "theory_sum": "readout\nrule",
    "theory_mean": "readout\nrule (mean)",
    "features": "all-weights\nrule",
    "optimizer": "optimizer\nrule",
    "naive_sum": "same\n$\\lambda_{sum}$",
    "naive_mean": "same\n$\\lambda_{mean}$",
}


def _title(name: str, sep: str = ", ") -> str:
    s = Setting.parse(name)
    return f"{s.dataset}, {s.depth} hidden{sep}{_TITLE[s.parametrization]}, {_TITLE[s.optimizer]}"


_SHORT = {"sgd": "GD", "adamw-coupled": "AdamW-c", "adamw-independent": "AdamW-i"}
_RULE_STYLE = {  # vertical lines: where each rule carries λ*(P_0) at the largest width
    # (colors outside the parametrization palette of figures._style.COLORS)
    "theory_sum": ("#CC79A7", "--"),
    "features": ("#6A3D9A", ":"),
    "optimizer": ("0.1", "-."),
    "naive_sum": ("0.45", "-"),
    "naive_mean": ("0.45", (0, (1, 3))),
}


def _short(name: str) -> str:
    from figures._style import LABELS

    s = Setting.parse(name)
    extra = "" if (s.dataset, s.depth) == ("digits", 1) else f" ({s.dataset}, {s.depth}L)"
    return f"{LABELS[s.parametrization]} {_SHORT[s.optimizer]}{extra}"


def plot(result):
    import matplotlib.pyplot as plt

    from figures._style import COLORS, PAGE_WIDTH, width_axes

    names = [str(n) for n in result["settings"]]
    ncols = 4
    nrows = -(-(len(names) + 1) // ncols)
    fig = plt.figure(figsize=(PAGE_WIDTH, 1.7 * nrows + 3.6), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.7 * nrows, 3.6])
    grid = top.add_gridspec(nrows, ncols)
    cmap = plt.get_cmap("viridis")
    for k, name in enumerate(names):
        ax = top.add_subplot(grid[k // ncols, k % ncols])
        widths = result[f"{name}/widths"]
        for i, width in enumerate(widths):
            order = np.argsort(result[f"{name}/lams"][i])
            ax.plot(
                result[f"{name}/lams"][i][order],
                result[f"{name}/test_loss_mean"][i][order],
                "-o",
                ms=1.8,
                lw=0.8,
                color=cmap(i / max(1, len(widths) - 1)),
                label=f"P = {int(width)}",
            )
        opt = Setting.parse(name).optimizer
        for rule, (color, ls) in _RULE_STYLE.items():
            if rule == "optimizer" and opt == "sgd":
                continue  # for GD the optimizer rule is the readout rule
            ax.axvline(result[f"{name}/rule_lam/{rule}"][-1], color=color, ls=ls, lw=0.8)
        best = np.min(result[f"{name}/best_loss"])
        ax.set(xscale="log", ylim=(0.92 * best, 1.9 * best))
        ax.set_title(_title(name, "\n"), fontsize=7)
        ax.set_xlabel("$\\lambda_{sum}$", fontsize=7, labelpad=1)
        if k % ncols == 0:
            ax.set_ylabel("test cross-entropy")
        if k == 0:
            handles, labels = ax.get_legend_handles_labels()
    legend_ax = top.add_subplot(grid[len(names) // ncols, len(names) % ncols])
    legend_ax.axis("off")
    for rule, (color, ls) in _RULE_STYLE.items():
        handles.append(plt.Line2D([], [], color=color, ls=ls, lw=0.8))
        labels.append(_RULE_LABEL[rule].replace("\n", " ") + " (at largest P)")
    legend_ax.legend(handles, labels, loc="center", fontsize=7, frameon=False)

    ax_star, ax_reg = bottom.subplots(1, 2, width_ratios=[1, 1.3])
    markers = "osD^v<>"
    for e in REFERENCE_SLOPES:
        ax_star.plot(
            result["reference/widths"], result[f"reference/{e:g}"], color="0.8", lw=0.6, zorder=0
        )
        ax_star.annotate(
            f"$P^{{{e:g}}}$",
            (result["reference/widths"][-1], result[f"reference/{e:g}"][-1]),
            fontsize=7,
            color="0.5",
            xytext=(2, 0),
            textcoords="offset points",
            va="center",
        )
    for k, name in enumerate(names):
        par = Setting.parse(name).parametrization
        e = float(result[f"{name}/exponent_sum"])
        se = float(result[f"{name}/exponent_sum_se"])
        ax_star.errorbar(
            result[f"{name}/widths"],
            result[f"{name}/lam_star_rel"],
            yerr=result[f"{name}/lam_star_rel_range"],
            fmt=markers[k % len(markers)] + "-",
            ms=2.8,
            lw=0.8,
            elinewidth=0.6,
            color=COLORS[par],
            mfc="white" if "adamw" in name or "teacher" in name else COLORS[par],
            label=f"{_short(name)}: {e:+.2f} ± {se:.2f}",
        )
    width_axes(
        ax_star,
        ylabel="$\\lambda^*_{sum}(P)\\,/\\,\\lambda^*_{sum}(P_0)$",
        title="(a) measured $\\lambda^*$, fitted exponent ± s.e.",
    )
    ax_star.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=1,
                   columnspacing=0.8, handletextpad=0.4)  # fmt: skip

    rules = [r for r in RULES if r != "theory_mean"]
    regret = np.array([[result[f"{n}/regret/{r}"][-1] for r in rules] for n in names])
    image = ax_reg.imshow(
        np.log10(np.maximum(regret, 1e-3)), cmap="magma_r", vmin=-3, vmax=0.5, aspect="auto"
    )
    for i in range(len(names)):
        for j in range(len(rules)):
            ax_reg.text(
                j,
                i,
                f"{regret[i, j]:.3f}",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if regret[i, j] > 0.1 else "black",
            )
    ax_reg.set_xticks(
        range(len(rules)),
        [_RULE_LABEL[r].replace("\n", " ") for r in rules],
        fontsize=7,
        rotation=40,
        ha="right",
        rotation_mode="anchor",
    )
    ax_reg.set_yticks(range(len(names)), [_short(n) for n in names], fontsize=7)
    ax_reg.tick_params(length=0)
    ax_reg.set_title("(b) test-loss regret at the largest width")
    bottom.colorbar(image, ax=ax_reg, shrink=0.9, pad=0.01, label="$\\log_{10}$ regret")
    return fig


_CAMEL = {
    "digits": "Digits",
    "teacher": "Teacher",
    "1": "One",
    "2": "Two",
    "3": "Three",
    "standard": "Standard",
    "ntk": "NTK",
    "mean_field": "MeanField",
    "sgd": "GD",
    "adamw-coupled": "AdamWCoupled",
    "adamw-independent": "AdamWIndependent",
    "theory_sum": "Rule",
    "theory_mean": "RuleMean",
    "features": "AllWeightsRule",
    "optimizer": "OptRule",
    "naive_sum": "NaiveSum",
    "naive_mean": "NaiveMean",
}


def macros(result) -> dict[str, str]:
    """Measured exponents (± s.e. over seeds) and largest-width regrets, per setting."""
    from figures._tex import fixed, stderr  # here: the compute code does not use them

    out = {}
    for name in (str(n) for n in result["settings"]):
        tag = "".join(_CAMEL[str(p)] for p in Setting.parse(name)[:4])
        e, se = float(result[f"{name}/exponent_sum"]), float(result[f"{name}/exponent_sum_se"])
        out[f"TTExp{tag}"] = fixed(e, 2, sign=True)
        out[f"TTExpSE{tag}"] = stderr(se, 2)
        for rule in RULES:
            out[f"TTRegret{_CAMEL[rule]}{tag}"] = f"{result[f'{name}/regret/{rule}'][-1]:.3f}"
    return out
