"""Paper figure ``fig:linear`` -- linear ridge risk vs λ at several aspect ratios γ = d/N.

Lines: the Dobriban–Wager asymptotic excess risk ``R(λ)`` (:func:`theory.linear.asymptotic_risk`,
Marchenko–Pastur Stieltjes transform); stars: the derived optimum ``(λ*, R*)`` with
``λ* = γσ²/α²``; dotted: the ridgeless limits (γ ≠ 1).  Markers: Monte Carlo excess risk
``‖ŵ_λ − β‖²`` at ``d = n_features`` (``N = d/γ``) with ±2 standard errors, from one SVD per
draw for the whole λ grid (:func:`theory.linear.monte_carlo_risk`).  λ is sum-normalized
(DESIGN §2: ``(1/N)‖y − Xw‖² + λ Σ w²``).
"""

from __future__ import annotations

import numpy as np

from theory.linear import (
    asymptotic_risk,
    monte_carlo_risk,
    optimal_lambda,
    optimal_risk,
    ridgeless_risk,
)

CONFIG = {
    "gammas": [0.5, 1.0, 2.0],
    "noise_var": 1.0,
    "signal_var": 1.0,  # α² = E‖β‖²
    "lam_range": [1e-3, 1e2],  # theory curve and Monte Carlo grid (sum normalization)
    "n_lam_theory": 400,
    "n_lam_mc": 11,
    "n_features": 400,
    "mc_draws": 100,
    "seed": 0,
}
QUICK = {"n_features": 60, "mc_draws": 8, "n_lam_theory": 60, "n_lam_mc": 6}

#: names of γ in the macros the paper quotes (TeX macro names are letters only)
_GAMMA_WORDS = {0.5: "Half", 1.0: "One", 2.0: "Two"}


def compute(
    *,
    gammas,
    noise_var,
    signal_var,
    lam_range,
    n_lam_theory,
    n_lam_mc,
    n_features,
    mc_draws,
    seed,
) -> dict:
    gammas = np.asarray(gammas, dtype=np.float64)
    lam_theory = np.geomspace(*lam_range, n_lam_theory)
    lam_mc = np.geomspace(*lam_range, n_lam_mc)
    kw = dict(noise_var=noise_var, signal_var=signal_var)
    result: dict[str, np.ndarray] = {
        "gammas": gammas,
        "lam_theory": lam_theory,
        "lam_mc": lam_mc,
        "lam_star": optimal_lambda(gamma=gammas, **kw),
        "risk_star": optimal_risk(gamma=gammas, **kw),
        "ridgeless": ridgeless_risk(gamma=gammas, **kw),
        "signal_var": np.float64(signal_var),
        "n_features": np.float64(n_features),
        "mc_draws": np.float64(mc_draws),
    }
    n_samples = np.empty_like(gammas)
    z_max = 0.0
    for i, gamma in enumerate(gammas):
        n_samples[i] = round(n_features / gamma)
        result[f"risk/{i}"] = asymptotic_risk(lam_theory, gamma=gamma, **kw)
        mc = monte_carlo_risk(
            lam_mc,
            n_samples=int(n_samples[i]),
            n_features=n_features,
            n_draws=mc_draws,
            seed=seed + i,
            **kw,
        )
        result[f"mc_mean/{i}"], result[f"mc_se/{i}"] = mc.mean, mc.se
        # the asymptotic risk at the simulated aspect ratio d/N (N is rounded)
        at_sim = asymptotic_risk(lam_mc, gamma=n_features / n_samples[i], **kw)
        z_max = max(z_max, float(np.max(np.abs(mc.mean - at_sim) / mc.se)))
    result["n_samples"] = n_samples
    result["mc_max_abs_z"] = np.float64(z_max)
    return result


def plot(result):
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from figures._style import mc_markers, new_figure

    fig, ax = new_figure("column", height=2.4)
    colors = plt.get_cmap("viridis")(np.linspace(0.0, 0.8, len(result["gammas"])))
    lam, lam_mc = result["lam_theory"], result["lam_mc"]
    for i, gamma in enumerate(result["gammas"]):
        c = colors[i]
        ax.plot(lam, result[f"risk/{i}"], color=c, label=f"$\\gamma = {gamma:g}$")
        mc_markers(ax, lam_mc, result[f"mc_mean/{i}"], result[f"mc_se/{i}"], c, mew=0.8)
        ax.plot(result["lam_star"][i], result["risk_star"][i], "*", ms=8, color=c, mec="k", mew=0.4)
        if np.isfinite(result["ridgeless"][i]):
            ax.axhline(result["ridgeless"][i], color=c, ls=":", lw=0.8)
    ax.axhline(float(result["signal_var"]), color="0.5", lw=0.6, ls="--")
    ax.text(
        lam[-1],
        float(result["signal_var"]),
        r"$\alpha^2$ ($\lambda\to\infty$)",
        ha="right",
        va="bottom",
        fontsize=7,
        color="0.35",
    )
    top = 1.6 * max(
        float(result["signal_var"]),
        np.nanmax(np.where(np.isfinite(result["ridgeless"]), result["ridgeless"], 0.0)),
    )
    ax.set(
        xscale="log",
        xlim=(lam[0], lam[-1]),
        ylim=(0, top),
        xlabel=r"$\lambda_{\mathrm{sum}}$",
        ylabel=r"excess risk $\|\hat w_\lambda - \beta\|^2$",
    )
    gamma_legend = ax.legend(loc="lower left", title=None, handlelength=1.5)
    ax.add_artist(gamma_legend)
    n_d, draws = int(result["n_features"]), int(result["mc_draws"])
    ax.legend(
        [
            Line2D([], [], color="0.3", marker="o", mfc="white", ls="", ms=3),
            Line2D([], [], color="0.3", marker="*", mec="k", ls="", ms=7),
            Line2D([], [], color="0.3", ls=":", lw=0.8),
        ],
        [
            f"simulation, $d = {n_d}$\n($\\pm 2$ s.e., {draws} draws)",
            r"$(\lambda^\star, R^\star)$, $\lambda^\star = \gamma\sigma^2/\alpha^2$",
            r"ridgeless limit $\lambda \to 0$",
        ],
        loc="upper right",
    )
    return fig


def macros(result) -> dict[str, str]:
    """R* and λ* at each γ, and the worst Monte Carlo deviation in standard errors."""
    out = {}
    for i, gamma in enumerate(result["gammas"]):
        word = _GAMMA_WORDS.get(float(gamma), "ABCDEFGHIJ"[i])
        out[f"LinRiskStarGamma{word}"] = f"{result['risk_star'][i]:.4f}"
        out[f"LinLambdaStarGamma{word}"] = f"{result['lam_star'][i]:.4g}"
        out[f"LinRidgelessGamma{word}"] = (
            f"{result['ridgeless'][i]:.4f}" if np.isfinite(result["ridgeless"][i]) else r"\infty"
        )
    out["LinRiskMCWidth"] = f"{int(result['n_features'])}"
    out["LinRiskMCDraws"] = f"{int(result['mc_draws'])}"
    out["LinRiskMCMaxAbsZ"] = f"{float(result['mc_max_abs_z']):.1f}"
    return out
