"""Paper figure ``fig:bayes`` -- the posterior over the prior's width exponent κ from multi-width data.

For each true κ, data sets at several widths P share (s, σ): ``X ~ N(0, I_P)``,
``w_j ~ N(0, s² P^(−κ))``, ``y = X w + ε``.  The collapsed multi-width model
(:func:`bayes.collapsed.collapsed_multiwidth`) puts a flat prior on κ ∈ (−0.5, 2.5).
Panel (a): the posterior of κ, with the truth marked, under the hyperprior
``s ~ HalfNormal(1)`` (filled) and ``s ~ HalfCauchy(1)`` (outline): a κ that moved with the
hyperprior would be prior-driven.  Panel (b): PSIS-LOO over the
rotated (decorrelated) observations for the models with κ fixed at 0, ½, 1, relative
to the best, ± its standard error: LOO prefers the true scaling.  κ = 1 is the
"fixed total signal" prior (λ_sum ∝ P), κ = 0 a fixed per-weight prior (λ_sum fixed).
"""

from __future__ import annotations

import numpy as np

from bayes import collapsed, diagnostics
from figures._bayes import checked_nuts, simulated_spectrum

CONFIG = {
    "n_samples": 400,
    "widths": [10, 30, 100, 300],
    "kappa_true": [0.0, 0.5, 1.0],
    "kappa_fixed": [0.0, 0.5, 1.0],
    "s_true": 1.0,
    "noise_sd": 0.5,
    "num_warmup": 500,
    "num_samples": 2000,
    "num_chains": 2,
    "ess_min": 400,
    "rhat_max": 1.01,
    "seed": 0,
}
# smoke-test size: fewer draws, so the diagnostic bars are lowered accordingly
QUICK = {
    "n_samples": 100,
    "widths": [10, 100],
    "kappa_true": [1.0],
    "kappa_fixed": [0.0, 1.0],
    "num_warmup": 200,
    "num_samples": 300,
    "ess_min": 100,
    "rhat_max": 1.05,
}


def compute(
    *,
    n_samples,
    widths,
    kappa_true,
    kappa_fixed,
    s_true,
    noise_sd,
    seed,
    **sampler,  # the sampler's CONFIG entries, as they are for checked_nuts
) -> dict:
    rng = np.random.default_rng(seed)
    nuts = {**sampler, "dense_mass": True}
    out: dict[str, np.ndarray] = {
        "kappa_true": np.asarray(kappa_true),
        "kappa_fixed": np.asarray(kappa_fixed),
    }
    for i, kt in enumerate(kappa_true):
        ks, zs = [], []
        for width in widths:
            _, _, spec, z = simulated_spectrum(
                rng,
                n_samples=n_samples,
                width=width,
                s=s_true,
                prior_exponent=kt,
                noise_sd=noise_sd,
            )
            ks.append(spec.k)
            zs.append(z)
        label = f"bayes_kappa kappa_true={kt}"
        idata, _ = checked_nuts(
            collapsed.collapsed_multiwidth,
            ks,
            zs,
            widths=tuple(widths),
            traced={},
            seed=seed + i,
            var_names=["kappa", "s", "sigma"],
            label=label,
            save_as=f"bayes_kappa-true{kt:g}",
            **nuts,
        )
        out[f"kappa_draws/{i}"] = np.asarray(idata.posterior["kappa"]).ravel()
        idata_hc, _ = checked_nuts(
            collapsed.collapsed_multiwidth,
            ks,
            zs,
            widths=tuple(widths),
            s_prior="half_cauchy",
            # 0.8 (the default) left 2 divergences at κ_true = 0 (the heavier tail of s)
            target_accept=0.95,
            traced={},
            seed=seed + i,
            var_names=["kappa", "s", "sigma"],
            label=f"{label} half-Cauchy",
            log_likelihood=False,  # only κ's draws are read: no LOO here
            **nuts,
        )
        out[f"kappa_draws_hc/{i}"] = np.asarray(idata_hc.posterior["kappa"]).ravel()
        fits = {}
        for kf in kappa_fixed:
            fits[f"{kf:g}"], _ = checked_nuts(
                collapsed.collapsed_multiwidth,
                ks,
                zs,
                widths=tuple(widths),
                traced={"prior_exponent": float(kf)},
                seed=seed + i,
                var_names=["s", "sigma"],
                label=f"{label} fixed kappa={kf}",
                **nuts,
            )
        table, k_max = diagnostics.loo_compare(fits, var_name="z")
        out[f"loo_pareto_k_max/{i}"] = np.array([k_max[f"{kf:g}"] for kf in kappa_fixed])
        out[f"loo_elpd_diff/{i}"] = np.array(
            [table.loc[f"{kf:g}", "elpd_diff"] for kf in kappa_fixed]
        )
        out[f"loo_dse/{i}"] = np.array([table.loc[f"{kf:g}", "dse"] for kf in kappa_fixed])
    return out


def macros(result) -> dict[str, str]:
    from figures._tex import Printed, fixed  # here: the compute code does not use them

    names = {0.0: "Zero", 0.5: "Half", 1.0: "One"}
    out = {}
    for i, kt in enumerate(result["kappa_true"]):
        draws = result[f"kappa_draws/{i}"]
        lo, hi = np.quantile(draws, [0.05, 0.95])
        tag = names.get(float(kt), f"{i}")
        out[f"BayesKappaMean{tag}"] = fixed(draws.mean(), 2)
        # the summary's verdict reads the unrounded ends (an end printed 1.00 may be 0.996)
        out[f"BayesKappaInterval{tag}"] = Printed(f"[{lo:.2f}, {hi:.2f}]", (lo, hi))
        out[f"BayesKappaParetoKMax{tag}"] = f"{result[f'loo_pareto_k_max/{i}'].max():.2f}"
        hc = result[f"kappa_draws_hc/{i}"]
        lo, hi = np.quantile(hc, [0.05, 0.95])
        out[f"BayesKappaMean{tag}HC"] = f"{hc.mean():.2f}"
        out[f"BayesKappaInterval{tag}HC"] = f"[{lo:.2f}, {hi:.2f}]"
    return out


def plot(result):
    from figures._style import OTHER_COLORS, new_figure

    fig, (ax_k, ax_l) = new_figure("page", height=2.2, ncols=2)
    # κ values, not parametrizations: none of the parametrization palette
    colors = [OTHER_COLORS[1], OTHER_COLORS[3], OTHER_COLORS[2], OTHER_COLORS[0]]
    fixed = result["kappa_fixed"]
    for i, kt in enumerate(result["kappa_true"]):
        c = colors[i % len(colors)]
        draws = result[f"kappa_draws/{i}"]
        ax_k.hist(
            draws,
            bins=60,
            density=True,
            color=c,
            alpha=0.5,
            label=rf"true $\kappa={kt:g}$: mean {draws.mean():.2f}",
        )
        ax_k.hist(result[f"kappa_draws_hc/{i}"], bins=60, density=True, color=c, histtype="step",
                  lw=0.8, label="half-Cauchy hyperprior (outline)" if i == 0 else None)  # fmt: skip
        ax_k.axvline(kt, color=c, ls="--", lw=1)
        offset = (i - (len(result["kappa_true"]) - 1) / 2) * 0.06
        ax_l.errorbar(
            fixed + offset,
            result[f"loo_elpd_diff/{i}"],
            yerr=result[f"loo_dse/{i}"],
            fmt="o",
            color=c,
            ms=3,
            capsize=2,
            label=rf"data with $\kappa={kt:g}$",
        )
        bad = result[f"loo_pareto_k_max/{i}"] > 0.7
        ax_l.plot(
            (fixed + offset)[bad],
            result[f"loo_elpd_diff/{i}"][bad],
            "kx",
            ms=6,
            label="Pareto $k > 0.7$: LOO unreliable" if i == 0 and bad.any() else None,
        )
    ax_k.set(
        xlabel=r"width exponent $\kappa$",
        ylabel="posterior density",
        title=r"(a) posterior of $\kappa$ (flat prior on $(-0.5, 2.5)$)",
    )
    ax_k.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax_l.set(
        xlabel=r"$\kappa$ of the fitted model",
        ylabel=r"$\Delta$ elpd (PSIS-LOO) vs best",
        xticks=fixed,
        title="(b) LOO comparison of fixed width exponents",
    )
    ax_l.legend()
    return fig
