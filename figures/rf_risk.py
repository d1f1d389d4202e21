"""Paper figure ``fig:rf`` -- random-features ridge: excess test error vs λ at several widths, theory + simulation.

ReLU features at fixed N and d, widths ψ1 = P/d below, at and above the interpolation
threshold ψ1 = ψ2.  Curves: the Mei–Montanari asymptotics
(:func:`theory.random_features.asymptotic_risk`); markers: mean ± 2 s.e. of the exact
test error of simulated random-features ridge (:func:`~theory.random_features.simulate_test_error`,
one SVD per draw sweeps every λ); stars: the tuned λ*
(:func:`~theory.random_features.optimal_lambda`).  λ is the NTK-readout, sum-normalized one
(``λ_MM/d``), the width-invariant convention.
"""

from __future__ import annotations

import numpy as np

from figures._fit import max_abs_z
from theory.random_features import (
    asymptotic_risk,
    optimal_lambda,
    simulate_test_error,
    tuned_risk,
)

CONFIG = {
    "input_dim": 200,
    "psi2": 2.0,  # N = 400
    "psi1s": [0.5, 1.0, 2.0, 6.0],
    "noise_var": 0.5,
    "signal_var": 1.0,
    "lam_theory": [-6.0, 1.0, 241],  # log10 range and count of λ (NTK, sum) for the curves
    "lam_sim": [-5.0, -4.0, -3.0, -2.5, -2.0, -1.5, -1.0, 0.0],  # log10 λ of the markers
    "n_draws": 12,
    "n_test": 2000,
    "seed": 0,
}
QUICK = {"input_dim": 40, "n_draws": 3, "n_test": 500, "lam_theory": [-6.0, 1.0, 61]}


def compute(
    *, input_dim, psi2, psi1s, noise_var, signal_var, lam_theory, lam_sim, n_draws, n_test, seed
) -> dict:
    d = int(input_dim)
    n = int(round(psi2 * d))
    lam = np.logspace(*lam_theory[:2], int(lam_theory[2]))
    lam_s = 10.0 ** np.asarray(lam_sim)
    common = dict(n_samples=n, input_dim=d, noise_var=noise_var, signal_var=signal_var)
    result: dict[str, np.ndarray] = {
        "lam": lam,
        "lam_sim": lam_s,
        "psi1s": np.asarray(psi1s, dtype=float),
        "psi2": np.asarray(n / d),
        "input_dim": np.asarray(d),
    }
    for k, psi1 in enumerate(psi1s):
        p = int(round(psi1 * d))
        result[f"theory/{k}"] = np.asarray(asymptotic_risk(lam, n_features=p, **common))
        result[f"ridgeless/{k}"] = np.asarray(asymptotic_risk(0.0, n_features=p, **common))
        result[f"lam_star/{k}"] = np.asarray(optimal_lambda(n_features=p, **common))
        result[f"risk_star/{k}"] = np.asarray(tuned_risk(n_features=p, **common))
        errors = simulate_test_error(
            lam_s, n_features=p, **common, n_draws=n_draws, n_test=n_test, seed=seed + k
        )
        result[f"sim_mean/{k}"] = errors.mean(axis=0)
        result[f"sim_se/{k}"] = errors.std(axis=0, ddof=1) / np.sqrt(n_draws)
        result[f"sim_theory/{k}"] = np.asarray(asymptotic_risk(lam_s, n_features=p, **common))
    return result


def plot(result):
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from figures._style import mc_markers, new_figure

    fig, ax = new_figure("column", height=2.4)
    colors = plt.cm.viridis(np.linspace(0.0, 0.85, len(result["psi1s"])))
    for k, psi1 in enumerate(result["psi1s"]):
        c = colors[k]
        ax.plot(result["lam"], result[f"theory/{k}"], color=c, label=f"$\\psi_1 = {psi1:g}$")
        mc_markers(ax, result["lam_sim"], result[f"sim_mean/{k}"], result[f"sim_se/{k}"], c)
        lam_star = float(result[f"lam_star/{k}"])
        if lam_star > 0:
            ax.plot(lam_star, result[f"risk_star/{k}"], "*", color=c, ms=7, mec="k", mew=0.4)
    ax.set(
        xscale="log",
        ylim=(0.0, 2.0),
        xlabel=r"$\lambda$ (NTK readout, sum) $= \lambda_{\mathrm{MM}}/d$",
        ylabel="excess test error",
        title=f"ReLU random features, $d = {int(result['input_dim'])}$, "
        f"$\\psi_2 = N/d = {float(result['psi2']):g}$",
    )
    proxies = [
        Line2D([], [], color="0.3", label="theory"),
        Line2D(
            [],
            [],
            color="0.3",
            marker="o",
            mfc="white",
            ls="none",
            ms=2.5,
            label="simulation $\\pm 2$ s.e.",
        ),
        Line2D(
            [],
            [],
            color="0.3",
            marker="*",
            mec="k",
            mew=0.4,
            ls="none",
            ms=7,
            label="tuned $\\lambda^\\star$",
        ),
    ]
    handles = ax.get_legend_handles_labels()[0] + proxies
    ax.legend(handles=handles, loc="upper right", ncols=2, handlelength=1.5, columnspacing=0.8)
    return fig


def macros(result) -> dict[str, str]:
    """λ* and the tuned risk per width; the largest |simulation − theory| in s.e."""
    out = {}
    names = ["One", "Two", "Three", "Four", "Five", "Six"]
    for k, _ in enumerate(result["psi1s"]):
        out[f"RFRiskLamStar{names[k]}"] = f"{float(result[f'lam_star/{k}']):.3g}"
        out[f"RFRiskTuned{names[k]}"] = f"{float(result[f'risk_star/{k}']):.3f}"
    out["RFRiskMaxZ"] = f"{max_abs_z(result, len(result['psi1s'])):.1f}"
    return out
