"""Paper figure ``fig:gradview`` -- the gradient paradox: per-step shrinkage vs data gradient, per parameter and in function space.

Setting of the readout theory (:mod:`theory.parametrization`): a one-hidden-layer
ReLU network on digits whose hidden layer is frozen at its random initialization
(random features; learning rate 0) and whose readout ``f = P^(-c) Σ_j a_j φ_j`` is
trained by full-batch GD with momentum 0.9 on ``(1/N) Σ CE + λ_sum Σ_j a_j²`` (readout
weights only penalized).  λ follows the rule, ``λ_sum = λ_NTK P^(1-2c)``; the
learning rate is the NTK one mapped, ``η = η_NTK P^(2c-1)``, so all three
parametrizations run the *same* dynamics in NTK units.  Contrasts: the standard
parametrization with the smallest width's λ_sum (or λ_mean) carried unchanged (the
other parametrizations' naive runs are in the result too).

(a) per parameter at initialization: the data gradient ``|∂/∂a_j (1/N)ΣCE|`` and the
shrinkage ``|2 λ_sum a_j|`` (RMS over j; a step multiplies both by η) -- their ratio
grows like ``sqrt(P)`` in the standard and NTK parametrizations *under the right
rule*, so comparing them per parameter says nothing about transfer.  Markers: at the
end of training, where stationarity makes them equal.  (b) equilibrium readout norm
``‖a‖``, theory slope ``c − 1/2`` (``b = P^(1/2-c) a`` has a width-independent norm).
(c) function space: the change of the logits in one step from the decay vs from the
data gradient, at initialization -- flat in P under the rule (except the mean-field
start, whose outputs are ``P^(-1/2)`` small).  (d) the test-optimal λ_NTK, tuned on a
grid at every width: the readout rule holds exactly when it is flat (the three
parametrizations give the *same* predictor at mapped λ, tests/test_training.py).
The λ of panels (a)-(c) is the smallest width's λ*_NTK, carried by the rule.
"""

from __future__ import annotations

import numpy as np

from figures._fit import log_log_fit
from theory.parametrization import PARAMETRIZATIONS, READOUT_EXPONENT, lambda_from_ntk
from training.data import digits
from training.experiment import lam_star
from training.models import architecture
from training.train import TrainConfig, sweep

CONFIG = {
    "n_train": 200,
    "widths": [16, 64, 256, 1024, 2048],
    "seeds": [0, 1],
    "steps": 300,  # GD + momentum 0.9 on a strongly convex problem: near stationarity
    # λ_sum grid of the NTK readout, tuned at every width; the λ* of the smallest width is
    # carried by the rule (and naively) in the runs of panels (a)-(c)
    "lam_grid": [1e-7, 3e-7, 1e-6, 3e-6, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3],
    "lr_ntk": 8.0,  # readout learning rate in NTK units (below 2(1+β)/L for this problem)
}
QUICK = {
    "n_train": 64,
    "widths": [16, 64],
    "seeds": [0],
    "steps": 40,
    "lam_grid": [1e-3, 1e-2, 1e-1],
}

_KEYS = (
    "test_loss",
    "logit_rms",
    "sq_norm",
    "grad_rms_init",
    "weight_rms_init",
    "grad_rms",
    "weight_rms",
    "fstep_data_init",
    "fstep_shrink_init",
    "fstep_data",
    "fstep_shrink",
)


def _runs(data, width, par, lams, seeds, config, lr_ntk) -> dict:
    """Random-features runs: hidden layer frozen, readout trained and penalized."""
    layers = architecture(
        input_dim=data.input_dim, width=width, depth=1, n_classes=data.n_classes,
        parametrization=par,
    )  # fmt: skip
    c = float(READOUT_EXPONENT[par])
    return sweep(
        data,
        layers,
        lam_sums=lams,
        seeds=seeds,
        lr=[0.0, lr_ntk * width ** (2 * c - 1)],  # NTK rate mapped; hidden layer frozen
        rho=[0.0, 1.0],  # readout weights penalized
        config=config,
    )


def compute(*, n_train, widths, seeds, steps, lam_grid, lr_ntk) -> dict:
    data = digits(n_train=n_train)
    config = TrainConfig(steps=steps)
    result: dict[str, list] = {}
    # 1. λ*_NTK(P): tune the NTK readout at every width (3 λ per call: one compiled
    #    program per width serves both stages)
    grid = np.asarray(lam_grid, float)
    for width in widths:
        losses = np.concatenate(
            [
                _runs(data, width, "ntk", grid[i : i + 3], seeds, config, lr_ntk)["test_loss"]
                for i in range(0, len(grid), 3)
            ]
        )  # [λ, seed]
        star, edge = lam_star(grid, losses.mean(axis=1))
        result.setdefault("tuned/test_loss", []).append(losses)
        result.setdefault("tuned/lam_star", []).append(star)
        result.setdefault("tuned/edge", []).append(edge)
        result.setdefault("tuned/lam_star_seeds", []).append(
            [lam_star(grid, losses[:, s])[0] for s in range(len(seeds))]
        )
    lam_ntk = result["tuned/lam_star"][0]  # tuned at the smallest width, then carried
    # 2. the three parametrizations at the rule's λ, and the standard one carried naively
    for width in widths:
        for par in PARAMETRIZATIONS:
            lam_first = lambda_from_ntk(
                lam_ntk, width=widths[0], parametrization=par, normalization="sum"
            )
            lams = {
                "rule": lambda_from_ntk(
                    lam_ntk, width=width, parametrization=par, normalization="sum"
                ),
                "naive_sum": lam_first,  # the smallest width's λ_sum number at every width
                "naive_mean": lam_first * widths[0] / width,  # ... or its λ_mean number
            }
            out = _runs(data, width, par, list(lams.values()), seeds, config, lr_ntk)
            for i, kind in enumerate(lams):
                for key in _KEYS:
                    value = out[key][i]
                    if value.ndim == 2:  # per layer: keep the readout
                        value = value[:, -1]
                    result.setdefault(f"{par}/{kind}/{key}", []).append(value)
                result.setdefault(f"{par}/{kind}/lam", []).append(lams[kind])
    final = {k: np.asarray(v) for k, v in result.items()}  # [width, seed] or [width]
    final["widths"] = w = np.asarray(widths, float)
    final["lam_grid"] = grid
    final["tuned/lam_star_rel"] = final["tuned/lam_star"] / lam_ntk
    final["tuned/lam_star_rel_range"] = np.stack(
        [
            final["tuned/lam_star_rel"] - final["tuned/lam_star_seeds"].min(axis=1) / lam_ntk,
            final["tuned/lam_star_seeds"].max(axis=1) / lam_ntk - final["tuned/lam_star_rel"],
        ]
    )
    for prefix in {k.rsplit("/", 1)[0] for k in final if "/" in k} - {"tuned"}:
        lam = final[f"{prefix}/lam"][:, None]
        for when in ("_init", ""):
            final[f"{prefix}/shrink_rms{when}"] = 2 * lam * final[f"{prefix}/weight_rms{when}"]
            final[f"{prefix}/fstep_ratio{when}"] = (
                final[f"{prefix}/fstep_shrink{when}"] / final[f"{prefix}/fstep_data{when}"]
            )
    for par in PARAMETRIZATIONS:
        # ‖b‖ = P^(1/2-c) ‖a‖ width-independent: ‖a‖ ∝ P^(c-1/2), anchored at the smallest width
        norm0 = np.sqrt(final[f"{par}/rule/sq_norm"][0]).mean()
        c = float(READOUT_EXPONENT[par])
        final[f"{par}/theory_norm"] = norm0 * (w / w[0]) ** (c - 0.5)
    return final


def plot(result):
    from matplotlib.lines import Line2D

    from figures._style import COLORS, LABELS, new_figure

    fig, axes = new_figure("page", height=4.8, ncols=2, nrows=2)
    axes = axes.ravel()
    widths = result["widths"]
    for par in PARAMETRIZATIONS:
        col = COLORS[par]
        r = f"{par}/rule"
        grad0 = result[f"{r}/grad_rms_init"].mean(axis=1)
        shrink0 = result[f"{r}/shrink_rms_init"].mean(axis=1)
        grad1 = result[f"{r}/grad_rms"].mean(axis=1)
        shrink1 = result[f"{r}/shrink_rms"].mean(axis=1)
        axes[0].plot(widths, grad0, "-", color=col)
        axes[0].plot(widths, shrink0, "--", color=col)
        axes[0].plot(widths, grad1, "o", color=col, ms=3, mfc="white")
        axes[0].plot(widths, shrink1, "x", color=col, ms=3)
        norm = np.sqrt(result[f"{r}/sq_norm"]).mean(axis=1)
        # measured: open markers only, so the dotted theory line stays visible through them
        axes[1].plot(widths, norm, "o", color=col, mfc="white", ms=4)
        axes[1].plot(widths, result[f"{par}/theory_norm"], ":", color=col, lw=1.0, zorder=3)
        ratio = result[f"{r}/fstep_ratio_init"]
        # the standard and NTK rules give the same ratio: standard wide and pale underneath
        band = par == "standard"
        axes[2].plot(widths, ratio.mean(axis=1), "-" if band else "o-", color=col,
                     lw=3.5 if band else 1.2, alpha=0.4 if band else 1.0, ms=3)  # fmt: skip
    for kind, style in (("naive_sum", "s--"), ("naive_mean", "^:")):
        r = f"standard/{kind}"
        ratio = result[f"{r}/fstep_ratio_init"]
        axes[2].plot(widths, ratio.mean(axis=1), style, color="0.4", ms=3)
    axes[3].errorbar(
        widths,
        result["tuned/lam_star_rel"],
        yerr=result["tuned/lam_star_rel_range"],
        fmt="o-",
        color=COLORS["ntk"],
        ms=3,
        label="$\\lambda^*_{NTK}(P) / \\lambda^*_{NTK}(P_0)$ (bars: seeds)",
    )
    axes[3].axhline(1.0, color="0.6", lw=0.6, ls=":")
    axes[3].legend(fontsize=7, loc="lower left")
    panels = [
        (
            "RMS per readout weight\n(lines: init; markers: end)",
            "(a) per weight: data grad. vs $2\\lambda a_j$",
        ),
        (
            "$\\|a\\|$ at equilibrium",
            "(b) equilibrium $\\|a\\|$ (dotted: $\\propto P^{c-1/2}$)",
        ),
        (
            "$|\\Delta f_{decay}| / |\\Delta f_{data}|$, one step",
            "(c) one step's $\\Delta f$, decay / data, at init",
        ),
        (
            "tuned $\\lambda^*$, NTK units",
            "(d) tuned $\\lambda^*_{NTK}$ (random features)",
        ),
    ]
    for ax, (ylabel, title) in zip(axes, panels, strict=True):
        ax.set(xscale="log", yscale="log", xlabel="width $P$", ylabel=ylabel, title=title)
    # one legend for all panels: colors are parametrizations, grey styles panel-specific
    grey = {"color": "0.4", "ms": 3}
    handles = [Line2D([], [], color=COLORS[p], lw=1.5) for p in PARAMETRIZATIONS] + [
        Line2D([], [], color=COLORS["standard"], lw=3.5, alpha=0.4),
        Line2D([], [], ls="-", marker="o", mfc="white", **grey),
        Line2D([], [], ls="--", marker="x", **grey),
        Line2D([], [], ls="--", marker="s", **grey),
        Line2D([], [], ls=":", marker="^", **grey),
    ]
    labels = [LABELS[p] for p in PARAMETRIZATIONS] + [
        "(c) standard rule (= NTK rule)",
        "(a) data gradient (o: end)",
        "(a) $2\\lambda a_j$ (x: end)",
        "(c) standard, same $\\lambda_{sum}$",
        "(c) standard, same $\\lambda_{mean}$",
    ]
    fig.legend(handles, labels, loc="outside lower center", ncols=4, fontsize=7)
    return fig


def macros(result) -> dict[str, str]:
    """Fitted slopes (± the s.e. of the least-squares fit over the widths) of the equilibrium
    readout norm and the tuned λ, and the test-loss spread across widths."""
    from figures._tex import fixed, stderr

    names = {"standard": "Standard", "ntk": "NTK", "mean_field": "MeanField"}
    out = {}
    widths = result["widths"]
    for par in PARAMETRIZATIONS:
        fit = log_log_fit(widths, np.sqrt(result[f"{par}/rule/sq_norm"]).mean(axis=1))
        out[f"GVNormSlope{names[par]}"] = fixed(fit.slope, 2, sign=True)
        out[f"GVNormSlopeSE{names[par]}"] = stderr(fit.se, 2)
        loss = result[f"{par}/rule/test_loss"].mean(axis=1)
        out[f"GVLossSpread{names[par]}"] = f"{np.ptp(loss):.3f}"
    fit = log_log_fit(widths, result["tuned/lam_star"])
    out["GVTunedNTKSlope"] = fixed(fit.slope, 2, sign=True)
    out["GVTunedNTKSlopeSE"] = stderr(fit.se, 2)
    out["GVSlopeDoF"] = f"{fit.dof}"
    for kind, tag in (("naive_sum", "NaiveSum"), ("naive_mean", "NaiveMean")):
        loss = result[f"standard/{kind}/test_loss"].mean(axis=1)
        out[f"GVLossSpreadStandard{tag}"] = f"{np.ptp(loss):.3f}"
    return out
