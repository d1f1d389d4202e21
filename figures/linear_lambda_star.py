"""Paper figure ``fig:linear`` -- the optimal ridge λ vs the width d of a linear model at fixed N, sum vs mean.

Prior ``β ~ N(0, s² d^(-κ) I)``: κ = 1 fixes the total signal ``E‖β‖²`` (the function-space
prior of ``f = x·β``), κ = 0 the per-weight variance.  Lines: the exact finite-N Bayes-optimal
λ (:func:`theory.linear.bayes_optimal_lambda`, ``λ*_sum = σ² d^κ/(N s²)``, ``λ*_mean = d λ*_sum``).
Markers: the λ tuned on each simulated data set (grid argmin of ``‖ŵ_λ − β‖²`` from one SVD),
median over draws with interquartile bars; the legend gives the least-squares slope of
log(median) on log d next to the derived exponent.  The two priors coincide at
``d = reference_width``.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from theory import _symbols as S
from theory.linear import bayes_optimal_lambda, bayes_optimal_lambda_expr, monte_carlo_risk
from theory.prior import NORMALIZATIONS, from_sum

CONFIG = {
    "n_samples": 200,
    "widths": [25, 50, 100, 200, 400, 800, 1600],
    "noise_var": 1.0,
    "total_signal": 1.0,  # E‖β‖² at d = reference_width, for both priors
    "reference_width": 200,
    "kappas": [1, 0],
    "lam_range": [1e-3, 1e3],  # sum-normalized tuning grid
    "n_lam": 241,  # 40 points per decade: a grid step of 6%
    "mc_draws": 60,
    "seed": 0,
}
QUICK = {"n_samples": 40, "widths": [10, 20, 40, 80], "reference_width": 40, "mc_draws": 6}

_KAPPA_WORDS = {1: "FixedTotal", 0: "FixedPerWeight"}
_NORM_WORDS = {"sum": "Sum", "mean": "Mean"}


def _signal_scale(kappa: float, total_signal: float, reference_width: float) -> float:
    """s² such that ``E‖β‖² = d · s² d^(-κ)`` equals ``total_signal`` at ``reference_width``."""
    return total_signal * reference_width ** (kappa - 1)


def compute(
    *,
    n_samples,
    widths,
    noise_var,
    total_signal,
    reference_width,
    kappas,
    lam_range,
    n_lam,
    mc_draws,
    seed,
) -> dict:
    widths = np.asarray(widths, dtype=np.float64)
    grid = np.geomspace(*lam_range, n_lam)
    fine = np.geomspace(widths[0], widths[-1], 200)
    result: dict[str, np.ndarray] = {
        "widths": widths,
        "widths_fine": fine,
        "kappas": np.asarray(kappas, dtype=np.float64),
        "n_samples": np.float64(n_samples),
        "mc_draws": np.float64(mc_draws),
    }
    for i, kappa in enumerate(kappas):
        s2 = _signal_scale(kappa, total_signal, reference_width)
        # the task, the same for the simulation and the theory
        task = dict(n_samples=n_samples, noise_var=noise_var, signal_var=s2, prior_exponent=kappa)
        tuned = np.empty((len(widths), mc_draws))
        for j, d in enumerate(widths.astype(int)):
            mc = monte_carlo_risk(
                grid, n_features=d, n_draws=mc_draws, seed=seed + 1000 * i + j, **task
            )
            tuned[j] = mc.tuned_lambda
        for norm in NORMALIZATIONS:
            key = f"{kappa}/{norm}"
            result[f"theory/{key}"] = bayes_optimal_lambda(
                n_features=fine, normalization=norm, **task
            )
            # the same fits, their λ expressed in the other normalization (λ_mean = d λ_sum)
            tuned_norm = from_sum(tuned, normalization=norm, n_params=widths[:, None])
            q25, q50, q75 = np.quantile(tuned_norm, [0.25, 0.5, 0.75], axis=1)
            result[f"tuned_median/{key}"] = q50
            result[f"tuned_q25/{key}"], result[f"tuned_q75/{key}"] = q25, q75
            result[f"fit_slope/{key}"] = np.float64(np.polyfit(np.log(widths), np.log(q50), 1)[0])
            # derived exponent d log λ* / d log d of the finite-N Bayes λ*
            expr = bayes_optimal_lambda_expr(norm)
            exponent = sp.simplify(S.d * sp.diff(sp.log(expr), S.d)).subs(S.kappa, kappa)
            result[f"theory_slope/{key}"] = np.float64(float(exponent))
    return result


def plot(result):
    from figures._style import LINESTYLES, OTHER_COLORS, new_figure

    fig, axes = new_figure("page", height=2.9, ncols=len(result["kappas"]), sharey=True)
    colors = {"sum": OTHER_COLORS[0], "mean": OTHER_COLORS[1]}
    titles = {
        1: "fixed total signal ($\\kappa = 1$)",
        0: "fixed per-weight variance ($\\kappa = 0$)",
    }
    widths, fine = result["widths"], result["widths_fine"]
    for ax, kappa in zip(np.atleast_1d(axes), result["kappas"].astype(int), strict=True):
        for norm in ("sum", "mean"):
            key = f"{kappa}/{norm}"
            theory = float(result[f"theory_slope/{key}"])
            fit = round(float(result[f"fit_slope/{key}"]), 2) + 0.0  # no "-0.00"
            ax.plot(
                fine,
                result[f"theory/{key}"],
                color=colors[norm],
                ls=LINESTYLES[norm],
                label=f"{norm}: Bayes $\\lambda^\\star \\propto d^{{{theory:g}}}$",
            )
            med = result[f"tuned_median/{key}"]
            ax.errorbar(
                widths,
                med,
                yerr=[med - result[f"tuned_q25/{key}"], result[f"tuned_q75/{key}"] - med],
                fmt="o",
                ms=3,
                color=colors[norm],
                mfc="white" if norm == "mean" else colors[norm],
                elinewidth=0.7,
                capsize=0,
                label=f"{norm}: tuned on data, slope {fit:.2f}",
            )
        ax.axvline(float(result["n_samples"]), color="0.6", lw=0.6, ls=":")
        ax.text(
            float(result["n_samples"]),
            0.02,
            " $d = N$",
            transform=ax.get_xaxis_transform(),
            fontsize=7,
            color="0.4",
        )
        ax.set(
            xscale="log",
            yscale="log",
            xlabel="width $d$ (number of features)",
            title=f"({'ab'[list(result['kappas']).index(kappa)]}) {titles[kappa]}",
        )
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=2, fontsize=7,
                  columnspacing=0.8, handlelength=1.5, handletextpad=0.4)  # fmt: skip
    np.atleast_1d(axes)[0].set_ylabel(r"optimal $\lambda$")
    return fig


def macros(result) -> dict[str, str]:
    """Fitted and derived width exponents of λ* (sum and mean, both priors)."""
    out = {
        "LinLamStarN": f"{int(result['n_samples'])}",
        "LinLamStarDraws": f"{int(result['mc_draws'])}",
        "LinLamStarWidthMin": f"{int(result['widths'][0])}",
        "LinLamStarWidthMax": f"{int(result['widths'][-1])}",
    }
    for kappa in result["kappas"].astype(int):
        for norm in NORMALIZATIONS:
            key = f"{kappa}/{norm}"
            name = f"{_KAPPA_WORDS[kappa]}{_NORM_WORDS[norm]}"
            out[f"LinLamStarSlope{name}"] = (
                f"{round(float(result[f'fit_slope/{key}']), 2) + 0.0:.2f}"
            )
            out[f"LinLamStarExponent{name}"] = f"{float(result[f'theory_slope/{key}']):g}"
    return out
