"""Paper figure ``fig:diag`` -- sampler diagnostics: R-hat and ESS across widths, rank plots, SBC.

(a, b) Worst R-hat and smallest bulk ESS of every run behind ``fig:bayes``
(``bayes_widths``) and ``fig:bayesclass`` (``bayes_classification``), per width (their
thresholds, 1.01 and 400, dashed).  (c) Rank plots (Vehtari et al. 2021) of s for
the full, centered linear model and for the collapsed model on the same data: the full
model's funnel between s and P = ``rank_width`` weights gives chains whose ranks are far
from uniform; the collapsed model's are uniform.  (d) Simulation-based calibration of the
linear and the cross-entropy classification models: ECDF of the ranks minus the uniform
CDF, inside simultaneous 99% bands.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata

from bayes import collapsed, diagnostics, inference, models
from bayes.data import simulate_linear

DEPENDS = ("bayes_widths", "bayes_classification")

CONFIG = {
    "quick_dependencies": False,
    "rank_n_samples": 200,
    "rank_width": 512,
    "rank_draws": 1000,
    "rank_bins": 20,
    "sbc_sims": 200,
    "sbc_num_warmup": 200,
    "sbc_num_samples": 396,  # thinned by 4: L = 99 posterior draws per rank
    "sbc_bins": 10,
    "seed": 0,
}
QUICK = {
    "quick_dependencies": True,
    "rank_n_samples": 50,
    "rank_width": 64,
    "rank_draws": 200,
    "sbc_sims": 20,
    "sbc_num_warmup": 100,
    "sbc_num_samples": 76,
    "sbc_bins": 4,
}


def _rank_hist(idata, var: str, bins: int) -> np.ndarray:
    """Per-chain histograms (chains, bins) of the pooled ranks of ``var``, as fractions."""
    draws = np.asarray(idata.posterior[var])  # (chains, draws)
    ranks = rankdata(draws.ravel()).reshape(draws.shape)
    edges = np.linspace(0, ranks.size, bins + 1)
    return np.stack([np.histogram(r, edges)[0] / len(r) for r in ranks])


def compute(
    *,
    quick_dependencies,
    rank_n_samples,
    rank_width,
    rank_draws,
    rank_bins,
    sbc_sims,
    sbc_num_warmup,
    sbc_num_samples,
    sbc_bins,
    seed,
) -> dict:
    from figures import compute_cached, config_for  # the figures this one summarizes

    out: dict[str, np.ndarray] = {}
    for dep in DEPENDS:
        res, _ = compute_cached(dep, config_for(dep, quick=quick_dependencies))
        out[f"{dep}/widths"] = res["widths"]
        for key in res:
            if key.split("/")[0] in ("rhat_max", "ess_bulk_min", "ess_tail_min", "divergences"):
                out[f"{dep}/{key}"] = res[key]

    rng = np.random.default_rng(seed)
    X, y, _ = simulate_linear(
        rng, n_samples=rank_n_samples, width=rank_width, s=1.0, prior_exponent=1.0, noise_sd=0.5
    )
    nuts = {"num_warmup": rank_draws, "num_samples": rank_draws, "num_chains": 4, "seed": seed}
    full = inference.run_nuts(
        models.linear_regression,
        X,
        y,
        prior_exponent=1.0,
        label="diagnostics full centered",
        **nuts,
    )
    spec = collapsed.gram_spectrum(X)
    coll = inference.run_nuts(
        collapsed.collapsed_regression,
        spec.k,
        collapsed.rotate(spec, y),
        width=rank_width,
        prior_exponent=1.0,
        dense_mass=True,
        label="diagnostics collapsed",
        **nuts,
    )
    for tag, idata in (("full", full), ("collapsed", coll)):
        report = diagnostics.check(idata, ["s", "sigma"])
        out[f"rank_hist/{tag}"] = _rank_hist(idata, "s", rank_bins)
        out[f"rank_rhat/{tag}"] = np.asarray(report.rhat_max)
        out[f"rank_ess/{tag}"] = np.asarray(report.ess_bulk_min)

    sbc_kw = {
        "n_sims": sbc_sims,
        "num_warmup": sbc_num_warmup,
        "num_samples": sbc_num_samples,
        "thin": 4,
        "n_bins": sbc_bins,
        "seed": seed,
    }
    x_lin = rng.standard_normal((20, 4))
    feats = np.maximum(rng.standard_normal((30, 4)), 0.0)
    runs = {
        "linear_s": (
            models.noncentered(models.linear_regression),
            x_lin,
            ["s", "sigma"],
            {"prior_exponent": 1.0},
        ),
        "classifier_s": (
            models.noncentered(models.rf_classifier),
            feats,
            ["s"],
            {"n_classes": 3, "parametrization": "ntk"},
        ),
    }
    for tag, (model, data, params, static) in runs.items():
        res = diagnostics.sbc(model, data, params=params, **sbc_kw, **static)
        x, diff, lo, hi = res.ecdf_difference("s")
        out[f"sbc/{tag}/x"], out[f"sbc/{tag}/diff"] = x, diff
        out[f"sbc/{tag}/lo"], out[f"sbc/{tag}/hi"] = lo, hi
        out[f"sbc/{tag}/pvalue"] = np.asarray(min(res.pvalues.values()))
        out[f"sbc/{tag}/divergences"] = np.asarray(res.divergences)
    return out


def macros(result) -> dict[str, str]:
    return {
        "DiagFullRhat": f"{float(result['rank_rhat/full']):.3f}",
        "DiagFullEss": f"{float(result['rank_ess/full']):.0f}",
        "DiagCollapsedRhat": f"{float(result['rank_rhat/collapsed']):.3f}",
        "DiagCollapsedEss": f"{float(result['rank_ess/collapsed']):.0f}",
        "DiagSbcLinearP": f"{float(result['sbc/linear_s/pvalue']):.2f}",
        "DiagSbcClassifierP": f"{float(result['sbc/classifier_s/pvalue']):.2f}",
    }


def plot(result):
    from figures._style import COLORS, LABELS, OTHER_COLORS, log_axes, new_figure

    fig, axes = new_figure("page", height=4.4, ncols=2, nrows=2)
    (ax_r, ax_e), (ax_k, ax_s) = axes
    # widths runs: κ colors as in bayes_widths (not the parametrization palette); classification
    # runs ("<parametrization>-<setting>"): the parametrization's color, one line style per setting
    widths_style = {
        "k1": (OTHER_COLORS[2], "-", r"widths $\kappa=1$"),
        "k0": (OTHER_COLORS[1], "-", r"widths $\kappa=0$"),
        "k1hc": (OTHER_COLORS[2], ":", r"widths $\kappa=1$, half-Cauchy"),
    }
    settings: list[str] = []
    marks = {"bayes_widths": "o", "bayes_classification": "s"}
    for dep, mk in marks.items():
        w = result[f"{dep}/widths"]
        for key in sorted(k for k in result if k.startswith(f"{dep}/rhat_max/")):
            tag = key.split("/")[-1]
            if dep == "bayes_widths" and tag in widths_style:
                color, ls, label = widths_style[tag]
            else:
                par, _, setting = tag.partition("-")
                settings += [setting] if setting not in settings else []
                color = COLORS.get(par, "0.5")
                ls = ("-", "--", "-.", ":")[settings.index(setting) % 4]
                label = f"classif. {LABELS.get(par, par)} {setting}"
            kw = {"color": color, "ls": ls, "marker": mk, "ms": 3, "mfc": "white"}
            ax_r.plot(w, result[key], label=label, **kw)
            ax_e.plot(w, result[f"{dep}/ess_bulk_min/{tag}"], **kw)
    ax_r.axhline(1.01, color="k", ls="--", lw=0.8)
    ax_e.axhline(400, color="k", ls="--", lw=0.8)
    log_axes(ax_r, y=False)
    log_axes(ax_e)
    ax_r.set(xlabel="width $P$", ylabel="max R-hat", title="(a) R-hat of every run")
    ax_e.set(
        xlabel="width $P$",
        ylabel="min bulk ESS",
        title="(b) bulk ESS of every run",
    )
    ax_r.set_ylim(top=1.011)
    ax_r.legend(fontsize=7, ncols=2, loc="upper center", bbox_to_anchor=(0.5, 0.88),
                labelspacing=0.25, columnspacing=0.8, handlelength=2.2)  # fmt: skip
    for tag, color in (("full", OTHER_COLORS[1]), ("collapsed", OTHER_COLORS[0])):
        hist = result[f"rank_hist/{tag}"]
        centers = (np.arange(hist.shape[1]) + 0.5) / hist.shape[1]
        for c, h in enumerate(hist):
            ax_k.step(
                centers,
                h * hist.shape[1],
                where="mid",
                color=color,
                lw=0.8,
                label=(
                    f"{tag}: R-hat {float(result[f'rank_rhat/{tag}']):.3f}, "
                    f"ESS {float(result[f'rank_ess/{tag}']):.0f}"
                )
                if c == 0
                else None,
            )
    ax_k.axhline(1.0, color="k", ls=":", lw=0.8)
    ax_k.set(
        xlabel="normalized rank of $s$",
        ylabel="density per chain",
        title="(c) rank plots: full (funnel) vs collapsed",
    )
    ax_k.set_ylim(top=1.95)
    ax_k.legend(loc="upper center")
    for tag, color in (("linear_s", OTHER_COLORS[0]), ("classifier_s", OTHER_COLORS[1])):
        x = result[f"sbc/{tag}/x"]
        ax_s.fill_between(
            x,
            result[f"sbc/{tag}/lo"],
            result[f"sbc/{tag}/hi"],
            color=color,
            alpha=0.15,
            step="post",
            lw=0,
        )
        ax_s.step(
            x,
            result[f"sbc/{tag}/diff"],
            where="post",
            color=color,
            label=f"{tag.split('_')[0]}: χ² p = {float(result[f'sbc/{tag}/pvalue']):.2f}",
        )
    ax_s.axhline(0.0, color="k", lw=0.5)
    ax_s.set(
        xlabel="fractional rank of true $s$",
        ylabel="ECDF − uniform",
        title="(d) SBC with simultaneous 99% bands",
    )
    ax_s.legend()
    return fig
