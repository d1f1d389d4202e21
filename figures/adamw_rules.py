"""Paper figure ``fig:adamw`` -- the three AdamW weight-decay camps on the same runs, per tensor and global.

For digits (N = 200, ten classes) and MNIST-1D (N = 500, ten classes, generated offline),
one and two hidden layers, bias-free ReLU MLPs in the standard parametrization are trained
with AdamW (full batch, a fixed budget of ``steps``; β = (0.9, 0.999), ε = 1e-8, base rate
η = 0.01) in three configurations: one global η with coupled decay (PyTorch ``AdamW``;
independent decay is the same run there), and μP Adam rates (input η, hidden and readout
η/r, Tensor Programs V Table 3 in SP form) with coupled and with independent decay.  At
five widths spanning 32× a global λ is tuned on a grid; every rule of
:mod:`training.camps` carries λ*(P_0) to each width and its λ is trained exactly.

Top: λ*(P)/λ*(P_0) per configuration with the fitted exponent ± s.e. (over seeds).
Bottom: transfer regret at the largest width (test loss at the carried λ minus the
re-tuned global optimum; ± s.e. of the seed-paired difference) per rule.

Regime: a fixed budget of ``steps`` full-batch steps (decoupled decay minimizes no fixed
objective); ``tail_decrease`` reports how far from stationary the tuned runs still are.

Grid centres (λ_sum at the smallest width) from pilot runs at 200 steps, so that the
2-decade grid brackets λ* at every width; λ* at a grid edge is flagged in the macros.
"""

from __future__ import annotations

import sys

import numpy as np

from figures._tex import fixed, stderr
from training.camps import CAMP_RULES, run_camps

CONFIGS = (  # (decay, lr_scaling); with lr_scaling="none" coupled and independent coincide
    ("adamw-coupled", "none"),
    ("adamw-coupled", "mup"),
    ("adamw-independent", "mup"),
)
CONFIG = {
    "steps": 200,
    "seeds": [0, 1, 2],
    "lr": 0.01,
    "n_grid": 7,
    "grid_step": 0.25,
    "datasets": {"digits": [200, 0.3], "mnist1d": [500, 3.0]},  # [n_train, grid centre]
    "widths": {"1": [16, 32, 64, 128, 512], "2": [8, 16, 32, 64, 256]},  # per depth
}
QUICK = {
    "steps": 20,
    "seeds": [0, 1],
    "n_grid": 3,
    "grid_step": 1.0,
    "datasets": {"digits": [100, 0.3]},
    "widths": {"1": [8, 32]},
}


def _name(dataset: str, depth: str, decay: str, scaling: str) -> str:
    return f"{dataset}-{depth}-{decay}-{scaling}"


def compute(*, steps, seeds, lr, n_grid, grid_step, datasets, widths) -> dict:
    result: dict[str, np.ndarray] = {}
    names = []
    for dataset, (n_train, center) in datasets.items():
        for depth, ws in widths.items():
            for decay, scaling in CONFIGS:
                name = _name(dataset, depth, decay, scaling)
                names.append(name)
                out = run_camps(
                    dataset=dataset,
                    n_train=int(n_train),
                    depth=int(depth),
                    optimizer=decay,
                    lr_scaling=scaling,
                    lr=lr,
                    widths=ws,
                    seeds=seeds,
                    steps=steps,
                    grid_center=float(center),
                    n_grid=n_grid,
                    grid_step=grid_step,
                    log=lambda msg: print(msg, file=sys.stderr, flush=True),
                )
                out["lam_star_rel"] = out["lam_star"] / out["lam_star"][0]
                result.update({f"{name}/{k}": np.asarray(v) for k, v in out.items()})
    result["settings"] = np.asarray(names)
    result["steps"] = np.asarray(steps)
    return result


_CONFIG_LABEL = {
    ("adamw-coupled", "none"): "global η, coupled",
    ("adamw-coupled", "mup"): "μP η, coupled",
    ("adamw-independent", "mup"): "μP η, independent",
}
_DATASET_TITLE = {"digits": "digits", "mnist1d": "MNIST-1D", "teacher": "teacher"}
_RULE_LABEL = {
    "fixed": "λ fixed",
    "sqrt": "λ ∝ √P",
    "linear": "λ ∝ P",
    "mean": "$\\lambda_{mean}$ fixed",
    "per_tensor": "per tensor $\\eta_l\\lambda_l$ fixed",
}


def _split(name: str) -> tuple[str, str, str, str]:
    dataset, depth, rest = name.split("-", 2)
    decay, scaling = rest.rsplit("-", 1)
    return dataset, depth, decay, scaling


def plot(result):
    import matplotlib.pyplot as plt
    from matplotlib.ticker import LogLocator, NullFormatter, ScalarFormatter

    from figures._style import OTHER_COLORS, PAGE_WIDTH

    names = [str(n) for n in result["settings"]]
    panels = list(dict.fromkeys(_split(n)[:2] for n in names))
    fig, axes = plt.subplots(
        2, len(panels), figsize=(PAGE_WIDTH, 5.0), layout="constrained", squeeze=False
    )
    # optimizer configurations, not parametrizations: none of the parametrization palette
    colors = dict(zip(CONFIGS, (OTHER_COLORS[3], OTHER_COLORS[1], OTHER_COLORS[2]), strict=False))
    x = np.arange(len(CAMP_RULES))
    bar = 0.8 / len(CONFIGS)
    for col, (dataset, depth) in enumerate(panels):
        ax_star, ax_reg = axes[0, col], axes[1, col]
        for k, cfg in enumerate(CONFIGS):
            name = _name(dataset, depth, *cfg)
            if f"{name}/widths" not in result:
                continue
            e, se = float(result[f"{name}/exponent"]), float(result[f"{name}/exponent_se"])
            ax_star.plot(
                result[f"{name}/widths"],
                result[f"{name}/lam_star_rel"],
                "o-",
                ms=2.5,
                lw=0.8,
                color=colors[cfg],
                label=f"{e:+.2f} ± {se:.2f}",
            )
            regret = [float(result[f"{name}/regret/{r}"][-1]) for r in CAMP_RULES]
            err = [float(result[f"{name}/regret_se/{r}"][-1]) for r in CAMP_RULES]
            ax_reg.bar(
                x + (k - 1) * bar, regret, bar, yerr=err, color=colors[cfg], error_kw={"lw": 0.6}
            )
        ax_star.set(xscale="log", yscale="log", xlabel="width $P$")
        for axis, subs in ((ax_star.xaxis, (1.0, 3.0)), (ax_star.yaxis, (1.0, 2.0, 5.0))):
            axis.set_major_locator(LogLocator(base=10, subs=subs))
            axis.set_major_formatter(ScalarFormatter())
            axis.set_minor_formatter(NullFormatter())
        ax_star.set_title(
            f"{_DATASET_TITLE[dataset]}, {depth} hidden layer{'s' if depth != '1' else ''}",
            fontsize=7,
        )
        ax_star.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.3),
                       title="exponent ± s.e.", title_fontsize=7, handlelength=1.2)  # fmt: skip
        ax_reg.set_yscale("symlog", linthresh=1e-2)
        ax_reg.axhline(0, color="0.5", lw=0.5)
        ax_reg.set_xticks(x, [_RULE_LABEL[r] for r in CAMP_RULES], fontsize=7, rotation=45,
                          ha="right", rotation_mode="anchor")  # fmt: skip
        if col == 0:
            ax_star.set_ylabel("$\\lambda^*_{sum}(P)\\,/\\,\\lambda^*_{sum}(P_0)$")
            ax_reg.set_ylabel("regret at largest $P$\n(test cross-entropy)")
    handles = [plt.Rectangle((0, 0), 1, 1, color=colors[cfg]) for cfg in CONFIGS]
    fig.legend(handles, [_CONFIG_LABEL[c] for c in CONFIGS], loc="outside lower center",
               ncol=len(CONFIGS), fontsize=7, frameon=False)  # fmt: skip
    return fig


_CAMEL = {
    "digits": "Digits",
    "mnist1d": "MNISTOneD",
    "teacher": "Teacher",
    "1": "One",
    "2": "Two",
    ("adamw-coupled", "none"): "GlobalCoupled",
    ("adamw-coupled", "mup"): "MuPCoupled",
    ("adamw-independent", "mup"): "MuPIndependent",
    "fixed": "Fixed",
    "sqrt": "Sqrt",
    "linear": "Linear",
    "mean": "Mean",
    "per_tensor": "PerTensor",
}
_TABLE_DATASET = {"digits": "digits", "mnist1d": "MNIST-1D", "teacher": "teacher"}
_TABLE_CONFIG = {
    ("adamw-coupled", "none"): r"global $\eta$, coupled",
    ("adamw-coupled", "mup"): r"$\mu$P $\eta$, coupled",
    ("adamw-independent", "mup"): r"$\mu$P $\eta$, independent",
}


def macros(result) -> dict[str, str]:
    """Exponent ± s.e. and regret ± s.e. per rule per setting; the regret table's rows."""
    out, rows = {}, []
    wins, losses = dict.fromkeys(CAMP_RULES, 0), dict.fromkeys(CAMP_RULES, 0)
    n_edge, tails = 0, []
    maxima: dict[tuple, list] = {}
    for name in (str(n) for n in result["settings"]):
        dataset, depth, decay, scaling = _split(name)
        cfg = (decay, scaling)
        tag = f"{_CAMEL[dataset]}{_CAMEL[depth]}{_CAMEL[cfg]}"
        e, se = float(result[f"{name}/exponent"]), float(result[f"{name}/exponent_se"])
        out[f"AWExp{tag}"] = fixed(e, 2, sign=True)
        out[f"AWExpSE{tag}"] = stderr(se, 2)
        n_edge += int(np.sum(result[f"{name}/lam_star_edge"]))
        tails.append(float(np.max(result[f"{name}/tail_decrease"])))
        cells = []
        regrets = {}
        for r in CAMP_RULES:
            reg = float(result[f"{name}/regret/{r}"][-1])
            rse = float(result[f"{name}/regret_se/{r}"][-1])
            regrets[r] = reg
            maxima.setdefault((cfg, r), []).append(reg)
            out[f"AWRegret{_CAMEL[r]}{tag}"] = fixed(reg, 3)
            out[f"AWRegretSE{_CAMEL[r]}{tag}"] = stderr(rse, 3)
            cells.append(f"${fixed(reg, 3)}\\pm{stderr(rse, 3)}$")
        wins[min(regrets, key=regrets.get)] += 1
        losses[max(regrets, key=regrets.get)] += 1  # the rule with the largest regret
        widths = result[f"{name}/widths"]
        rows.append(
            f"{_TABLE_DATASET[dataset]} & {depth} & {_TABLE_CONFIG[cfg]} & "
            f"${fixed(e, 2, sign=True)}\\pm{stderr(se, 2)}$ & " + " & ".join(cells) + r" \\"
        )
        out[f"AWWidthRatio{_CAMEL[dataset]}{_CAMEL[depth]}"] = f"{widths[-1] / widths[0]:.0f}"
    for cfg in CONFIGS:  # the largest regret of each rule over data sets and depths
        for r in CAMP_RULES:
            worst = max(float(v) for v in maxima[cfg, r]) if maxima.get((cfg, r)) else np.nan
            out[f"AWMax{_CAMEL[r]}{_CAMEL[cfg]}"] = f"{worst:.3f}"
    out["AWTableRows"] = "\n".join(rows)
    out["AWSettings"] = str(len(rows))
    for r in CAMP_RULES:
        out[f"AWWins{_CAMEL[r]}"] = str(wins[r])
        out[f"AWWorst{_CAMEL[r]}"] = str(losses[r])
        # the largest regret of the rule over every setting (all configurations)
        every = [v for (_, rule), vs in maxima.items() if rule == r for v in vs]
        out[f"AWMax{_CAMEL[r]}"] = f"{max(every):.3f}" if every else "n/a"
    out["AWEdgeCount"] = str(n_edge)
    out["AWTailMax"] = f"{100 * max(tails):.1f}"
    out["AWSteps"] = str(int(result["steps"]))
    return out
