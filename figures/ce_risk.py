"""Paper figure ``fig:ce`` -- cross-entropy: ridge logistic regression on random features.

Test loss vs λ, λ* vs width.

(a) Test cross-entropy of centered ReLU random features of Gaussian inputs, labels
``sign(θ0·z/√d)``, vs λ (NTK readout, sum) at several widths: the Gaussian-covariate-model
fixed point (:func:`theory.classification.random_features_logistic`, curves) and
scikit-learn fits on the real features (markers, mean ± 2 s.e.); stars mark λ*.
(b) λ* of the test cross-entropy vs width P in the six conventions
(:func:`theory.classification.lambda_star_conventions`), with λ* of the test error (NTK,
sum; dashed) and of the squared loss on the same task (NTK, sum; dotted,
:func:`theory.random_features.optimal_lambda` with the linear part 2/π of sign(ν) as signal
and 1 − 2/π as nonlinear power).
"""

from __future__ import annotations

import math

import numpy as np

from figures._fit import max_abs_z
from figures._tex import number, span
from theory.classification import (
    lambda_star_conventions,
    optimal_lambda,
    random_features_logistic,
    random_features_spectrum,
    simulate_logistic,
)
from theory.random_features import optimal_lambda as squared_optimal_lambda

CONFIG = {
    "input_dim": 50,
    "n_samples": 200,  # ψ2 = N/d = 4
    "activation": "relu",
    "widths_risk": [50, 200, 800],  # panel (a)
    "lam_theory": [-7.0, -1.0, 25],  # log10 λ range and count (NTK, sum)
    "lam_sim": [-6.0, -5.0, -4.0, -3.0, -2.0],
    "log10_widths": [1.0, 5.0, 13],  # panel (b): P = 10^... (rounded)
    "n_draws": 4,
    "n_test": 4000,
    "seed": 0,
}
QUICK = {
    "widths_risk": [50, 400],
    "lam_sim": [-5.0, -3.0],
    "log10_widths": [1.5, 4.0, 3],
    "n_draws": 2,
    "n_test": 1000,
    "lam_theory": [-7.0, -1.0, 13],
}


def _wide_exponent(widths: np.ndarray, lam: np.ndarray, n_samples: int) -> float:
    """Least-squares slope of log λ* vs log P over the widest decade, P ≥ max(P)/10, if that is
    beyond 4N (NaN if λ* reaches 0 there)."""
    keep = (widths >= widths.max() / 10) & (widths >= 4 * n_samples)
    if keep.sum() < 2 or np.any(lam[keep] <= 0):
        return float("nan")
    return float(np.polyfit(np.log(widths[keep]), np.log(lam[keep]), 1)[0])


def compute(
    *,
    input_dim,
    n_samples,
    activation,
    widths_risk,
    lam_theory,
    lam_sim,
    log10_widths,
    n_draws,
    n_test,
    seed,
) -> dict:
    d, n = int(input_dim), int(n_samples)
    lam = np.logspace(*lam_theory[:2], int(lam_theory[2]))
    lam_s = 10.0 ** np.asarray(lam_sim)
    result: dict[str, np.ndarray] = {
        "lam": lam,
        "lam_sim": lam_s,
        "widths_risk": np.asarray(widths_risk, dtype=float),
        "n_samples": np.asarray(n),
        "input_dim": np.asarray(d),
    }
    for k, p in enumerate(widths_risk):
        common = dict(n_samples=n, n_features=int(p), input_dim=d, activation=activation)
        result[f"theory/{k}"] = np.asarray(
            random_features_logistic(lam, **common, seed=seed).test_loss
        )
        star = optimal_lambda(
            random_features_spectrum(
                n_features=int(p), input_dim=d, activation=activation, seed=seed
            ),
            n_samples=n,
            metric="cross_entropy",
        )
        result[f"lam_star/{k}"] = np.asarray(star.lam)
        result[f"loss_star/{k}"] = np.asarray(star.value)
        sim = simulate_logistic(
            lam_s, **common, n_draws=n_draws, n_test=n_test, seed=seed + k, feature_seed=seed
        )
        result[f"sim_mean/{k}"] = sim["test_loss"].mean(0)
        result[f"sim_se/{k}"] = sim["test_loss"].std(0, ddof=1) / math.sqrt(n_draws)
        result[f"sim_theory/{k}"] = np.asarray(
            random_features_logistic(lam_s, **common, seed=seed).test_loss
        )
    widths = np.unique(np.round(np.logspace(*log10_widths[:2], int(log10_widths[2]))))
    ce, err, err_floor = [], [], []
    for p in widths:
        spec = random_features_spectrum(
            n_features=int(p), input_dim=d, activation=activation, seed=seed
        )
        ce.append(optimal_lambda(spec, n_samples=n, metric="cross_entropy").lam)
        e = optimal_lambda(spec, n_samples=n, metric="error")
        err.append(e.lam)
        err_floor.append(e.at_floor)
    ce, err = np.asarray(ce), np.asarray(err)
    squared = np.asarray(
        squared_optimal_lambda(
            n_samples=n,
            n_features=widths,
            input_dim=d,
            noise_var=0.0,
            signal_var=2 / math.pi,
            nonlinear_var=1 - 2 / math.pi,
            activation=activation,
        )
    )
    result.update(
        {
            "widths": widths,
            "lam_star_err": err,
            "err_at_floor": np.asarray(err_floor),
            "lam_star_sq": squared,
        }
    )
    for key, value in lambda_star_conventions(widths, ce).items():
        result[f"ce/{key}"] = value
    result["exponent_ce"] = np.asarray(_wide_exponent(widths, ce, n))
    result["exponent_err"] = np.asarray(_wide_exponent(widths, err, n))
    result["exponent_sq"] = np.asarray(_wide_exponent(widths, squared, n))
    return result


def plot(result):
    import matplotlib.pyplot as plt

    from figures._style import LABELS, PAIRS_IN_DRAWING_ORDER, mc_markers, new_figure, pair_line

    fig, (ax, bx) = new_figure("page", height=2.4, ncols=2)
    colors = plt.cm.viridis(np.linspace(0.0, 0.85, len(result["widths_risk"])))
    for k, p in enumerate(result["widths_risk"]):
        c = colors[k]
        ax.plot(result["lam"], result[f"theory/{k}"], color=c, label=f"$P = {p:g}$")
        mc_markers(ax, result["lam_sim"], result[f"sim_mean/{k}"], result[f"sim_se/{k}"], c)
        ax.plot(
            result[f"lam_star/{k}"], result[f"loss_star/{k}"], "*", color=c, ms=7, mec="k", mew=0.4
        )
    ax.set(
        xscale="log",
        xlabel=r"$\lambda$ (NTK readout, sum)",
        ylabel="test cross-entropy",
        title=f"ReLU features, $N = {int(result['n_samples'])}$, $d = {int(result['input_dim'])}$",
    )
    ax.legend(loc="upper center")
    w = result["widths"]
    # coinciding pairs: the wide translucent sum curve under its dashed twin
    for par, norm in PAIRS_IN_DRAWING_ORDER:
        bx.plot(w, result[f"ce/{par}/{norm}"], **pair_line(par, norm),
                label=f"{LABELS[par]} + {LABELS[norm]}")  # fmt: skip
    err = np.where(result["lam_star_err"] > 0, result["lam_star_err"], np.nan)
    bx.plot(w, err, ":", color="k", marker=".", ms=3, label=r"error $\lambda^\star$ (NTK, sum)")
    bx.plot(w, result["lam_star_sq"], ":", color="0.5", label=r"squared loss (NTK, sum)")
    bx.axvline(float(result["n_samples"]), color="0.8", lw=0.8)
    bx.set(xscale="log", yscale="log", xlabel="width $P$", ylabel=r"cross-entropy $\lambda^\star$")
    bx.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return fig


def macros(result) -> dict[str, str]:
    names = ["One", "Two", "Three", "Four", "Five"]
    out = {
        "CERiskN": f"{float(result['n_samples']):g}",
        "CERiskD": f"{float(result['input_dim']):g}",
    }
    for k, _ in enumerate(result["widths_risk"]):
        out[f"CERiskLamStar{names[k]}"] = number(float(result[f"lam_star/{k}"]))
        out[f"CERiskLossStar{names[k]}"] = f"{float(result[f'loss_star/{k}']):.3f}"
    out["CEMaxZ"] = f"{max_abs_z(result, len(result['widths_risk'])):.1f}"
    out["CEExponentNTK"] = f"{float(result['exponent_ce']):.2f}"
    out["CEExponentStandardSum"] = f"{float(result['exponent_ce']) + 1:.2f}"
    out["CEExponentMeanFieldSum"] = f"{float(result['exponent_ce']) - 1:.2f}"
    out["CEExponentError"] = (
        f"{float(result['exponent_err']):.2f}" if np.isfinite(result["exponent_err"]) else "---"
    )
    out["CEExponentSquared"] = f"{float(result['exponent_sq']):.2f}"
    floor = result["widths"][result["err_at_floor"]]
    out["CEErrorFloorWidths"] = (
        span(f"{floor.min():g}", f"{floor.max():g}") if floor.size else "none"
    )
    out["CEWidestLamStar"] = number(float(result["ce/ntk/sum"][-1]))
    return out
