"""Paper figure ``fig:rfdd`` -- risk vs width at a fixed λ (sum or mean normalization) against the tuned λ.

One panel per readout (standard, NTK, mean-field).  λ is tuned at a reference width
P0 and then held fixed while P varies, either as λ_sum (solid) or as λ_mean (dashed);
black: λ re-tuned at every width (:func:`theory.random_features.tuned_risk`,
non-increasing in P); grey: ridgeless (λ = 0), with its interpolation peak at P = N.
Only the width-invariant pairs (NTK + sum, mean-field + mean) stay on the tuned curve
for wide models; the others drift to the ridgeless curve or to the null predictor.
Markers: simulated random-features ridge (mean ± 2 s.e.).
"""

from __future__ import annotations

import numpy as np

from theory.parametrization import PARAMETRIZATIONS, lambda_from_ntk, lambda_to_ntk
from theory.prior import NORMALIZATIONS
from theory.random_features import (
    asymptotic_risk,
    gaussian_equivalence,
    optimal_lambda,
    simulate_test_error,
    tuned_risk,
    wide_optimal_lam_bar,
    wide_risk,
)

CONFIG = {
    "input_dim": 100,
    "n_samples": 300,  # ψ2 = 3: interpolation peak at P = 300
    "noise_var": 1.0,  # ρ = 1 < ζ²: the wide-limit λ* is positive
    "signal_var": 1.0,
    "reference_width": 3000,  # λ tuned here, then held fixed
    "log10_width": [1.0, 5.0, 161],
    "sim_widths": [30, 100, 300, 1000, 3000],
    "n_draws": 8,
    "n_test": 2000,
    "seed": 0,
}
QUICK = {"log10_width": [1.0, 5.0, 33], "sim_widths": [100, 1000], "n_draws": 2, "n_test": 300}


def compute(
    *,
    input_dim,
    n_samples,
    noise_var,
    signal_var,
    reference_width,
    log10_width,
    sim_widths,
    n_draws,
    n_test,
    seed,
) -> dict:
    d, n = int(input_dim), int(n_samples)
    common = dict(n_samples=n, input_dim=d, noise_var=noise_var, signal_var=signal_var)
    widths = np.logspace(*log10_width[:2], int(log10_width[2]))
    sim_w = np.asarray(sim_widths, dtype=float)
    lam0 = float(optimal_lambda(n_features=reference_width, **common))  # NTK + sum
    result: dict[str, np.ndarray] = {
        "widths": widths,
        "sim_widths": sim_w,
        "n_samples": np.asarray(float(n)),
        "reference_width": np.asarray(float(reference_width)),
        "tuned": np.asarray(tuned_risk(n_features=widths, **common)),
        "ridgeless": np.asarray(asymptotic_risk(0.0, n_features=widths, **common)),
    }
    ge = gaussian_equivalence("relu")
    lam_wide = wide_optimal_lam_bar(n / d, zeta=ge.zeta, noise_var=noise_var, signal_var=signal_var)
    result["wide_tuned"] = np.asarray(
        wide_risk(n / d, lam_wide, zeta=ge.zeta, noise_var=noise_var, signal_var=signal_var)
    )
    # λ held fixed in each convention, as the NTK-sum λ it amounts to at each simulated width
    sim_lams, keys = [], []
    for par in PARAMETRIZATIONS:
        for norm in NORMALIZATIONS:
            conv = dict(parametrization=par, normalization=norm)
            lam_c = float(lambda_from_ntk(lam0, width=reference_width, **conv))
            result[f"lam/{par}/{norm}"] = np.asarray(lam_c)
            result[f"risk/{par}/{norm}"] = np.asarray(
                asymptotic_risk(lam_c, n_features=widths, **common, **conv)
            )
            sim_lams.append(np.asarray(lambda_to_ntk(lam_c, width=sim_w, **conv)))
            keys.append(f"{par}/{norm}")
    sim_lams.append(np.asarray(optimal_lambda(n_features=sim_w, **common)))
    keys.append("tuned")
    for key in keys:
        result[f"sim_mean/{key}"] = np.empty(sim_w.size)
        result[f"sim_se/{key}"] = np.empty(sim_w.size)
    for j, width in enumerate(sim_w.astype(int)):
        lams = np.array([lam[j] for lam in sim_lams])
        errors = simulate_test_error(
            lams, n_features=int(width), **common, n_draws=n_draws, n_test=n_test, seed=seed + j
        )
        for i, key in enumerate(keys):
            result[f"sim_mean/{key}"][j] = errors[:, i].mean()
            result[f"sim_se/{key}"][j] = errors[:, i].std(ddof=1) / np.sqrt(n_draws)
    return result


def plot(result):
    from matplotlib.lines import Line2D

    from figures._style import COLORS, LABELS, LINESTYLES, new_figure

    fig, axes = new_figure("page", height=2.5, ncols=3, sharey=True)
    widths, sim_w = result["widths"], result["sim_widths"]
    n, p0 = float(result["n_samples"]), float(result["reference_width"])
    for ax, par in zip(axes, PARAMETRIZATIONS, strict=True):
        ax.plot(widths, result["ridgeless"], color="0.6", lw=0.8)
        ax.plot(widths, result["tuned"], color="k", lw=1.6)
        ax.errorbar(
            sim_w,
            result["sim_mean/tuned"],
            yerr=2 * result["sim_se/tuned"],
            fmt="o",
            ms=2.5,
            color="k",
            elinewidth=0.6,
            capsize=0,
        )
        for norm in NORMALIZATIONS:
            key = f"{par}/{norm}"
            ax.plot(
                widths,
                result[f"risk/{key}"],
                color=COLORS[par],
                ls=LINESTYLES[norm],
            )
            ax.errorbar(
                sim_w,
                result[f"sim_mean/{key}"],
                yerr=2 * result[f"sim_se/{key}"],
                fmt="s" if norm == "sum" else "D",
                ms=2.5,
                color=COLORS[par],
                mfc=COLORS[par] if norm == "sum" else "white",
                elinewidth=0.6,
                capsize=0,
            )
        ax.axhline(float(result["wide_tuned"]), color="k", lw=0.5, ls=":")
        ax.axvline(n, color="0.7", lw=0.6)
        ax.axvline(p0, color="0.7", lw=0.6, ls="--")
        ax.text(n, 1.43, " $P{=}N$", fontsize=7, color="0.4")
        ax.text(p0, 1.43, " $P_0$", fontsize=7, color="0.4")
        ax.set(xscale="log", ylim=(0.0, 1.5), xlabel="width $P$", title=f"{LABELS[par]} readout")
    axes[0].set_ylabel("excess test error")
    # one legend for all panels (the color of a fixed-λ curve is its panel's parametrization)
    handles = [
        Line2D([], [], color="0.6", lw=0.8),
        Line2D([], [], color="k", lw=1.6, marker="o", ms=2.5),
        Line2D([], [], color="0.35", ls=LINESTYLES["sum"], marker="s", ms=2.5),
        Line2D([], [], color="0.35", ls=LINESTYLES["mean"], marker="D", ms=2.5, mfc="white"),
    ]
    labels = [
        r"$\lambda = 0$",
        r"tuned $\lambda^\star(P)$",
        r"fixed $\lambda_{\mathrm{sum}}$ (panel color)",
        r"fixed $\lambda_{\mathrm{mean}}$ (panel color)",
    ]
    fig.legend(handles, labels, loc="outside lower center", ncols=4, fontsize=7)
    return fig


def macros(result) -> dict[str, str]:
    """Risks at the widest width: tuned, each fixed-λ convention, and the wide limit."""
    out = {
        "RFDDTunedWidest": f"{float(result['tuned'][-1]):.3f}",
        "RFDDWideLimit": f"{float(result['wide_tuned']):.3f}",
        "RFDDRidgelessPeak": f"{float(np.max(result['ridgeless'])):.3g}",
    }
    camel = {
        "standard": "Standard",
        "ntk": "NTK",
        "mean_field": "MeanField",
        "sum": "Sum",
        "mean": "Mean",
    }
    for par in PARAMETRIZATIONS:
        for norm in NORMALIZATIONS:
            out[f"RFDDWidest{camel[par]}{camel[norm]}"] = (
                f"{float(result[f'risk/{par}/{norm}'][-1]):.3f}"
            )
    return out
