"""Paper figure ``fig:bayes`` -- the width-invariant hyperparameter across widths, matched vs mismatched prior scaling.

Data: for each width P, ``X ~ N(0, I_P)``, ``w ~ N(0, s² P^(−1))`` (fixed total signal
s² = α²), noise σ.  Each data set is fit with the collapsed model (weights integrated
out, NUTS on (s, σ)) under the matched prior exponent κ = 1 and the mismatched κ = 0.
Panel (a): posterior of s -- flat across widths only when κ matches (the matched fit also under
``s ~ HalfCauchy(1)``, dashed, instead of ``HalfNormal(1)``).  Panel (b): the
posterior of the implied λ_sum (MAP identity, :mod:`theory.prior`) with the evidence
(type-II ML, :mod:`theory.evidence`) and risk-optimal (Bayes, posterior mean under the
true prior) λ marked: all grow ∝ P, the exponent of :mod:`theory.parametrization`.
Every run must pass its diagnostics (R-hat ≤ 1.01, ESS ≥ 400, no divergences).
"""

from __future__ import annotations

import numpy as np

from bayes import collapsed
from bayes.models import implied_lambda
from figures._bayes import append_report, checked_nuts, simulated_spectrum
from figures._fit import log_log_slope
from theory.evidence import evidence_optimal_lambda
from theory.prior import lambda_from_prior_variance

CONFIG = {
    # N > P throughout: for P ≫ N the Gram spectrum is nearly flat and σ² and s² are not
    # separately identified (their posterior is a long ridge), which is not the point here
    "n_samples": 1000,
    "widths": [25, 50, 100, 200, 400, 800],
    "s_true": 1.0,
    "kappa_true": 1.0,
    "noise_sd": 0.5,
    "fit_exponents": [1.0, 0.0],  # matched, mismatched
    # the matched fit again under a second hyperprior, s ~ HalfCauchy(1) (tag "k1hc"): a slope
    # that moved with the hyperprior would be prior-driven
    "second_prior": "half_cauchy",
    "num_warmup": 500,
    "num_samples": 2000,
    "num_chains": 2,
    "ess_min": 400,  # every run must reach this bulk and tail ESS
    "rhat_max": 1.01,
    "seed": 0,
}
# smoke-test size: fewer draws, so the ESS bar is lowered accordingly
QUICK = {
    "n_samples": 300,
    "widths": [25, 50, 100],  # three: a slope's s.e. needs a residual (tab:summary judges it)
    "num_warmup": 200,
    "num_samples": 300,
    "ess_min": 100,
    "rhat_max": 1.05,
}

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def compute(
    *,
    n_samples,
    widths,
    s_true,
    kappa_true,
    noise_sd,
    fit_exponents,
    second_prior,
    seed,
    **sampler,  # the sampler's CONFIG entries, as they are for checked_nuts
) -> dict:
    rng = np.random.default_rng(seed)
    out: dict[str, list] = {
        "widths": np.asarray(widths, float),
        "fit_exponents": fit_exponents,
        "quantiles": QUANTILES,
    }
    rows: dict[str, list] = {}
    for i, width in enumerate(widths):
        X, y, spec, z = simulated_spectrum(
            rng,
            n_samples=n_samples,
            width=width,
            s=s_true,
            prior_exponent=kappa_true,
            noise_sd=noise_sd,
        )
        rows.setdefault("lam_evidence", []).append(evidence_optimal_lambda(X, y))
        rows.setdefault("lam_bayes", []).append(
            lambda_from_prior_variance(
                s_true**2 * width ** (-kappa_true), n_samples=n_samples, noise_var=noise_sd**2
            )
        )
        fits = [(kappa, "half_normal", f"k{kappa:g}") for kappa in fit_exponents]
        fits.append((fit_exponents[0], second_prior, f"k{fit_exponents[0]:g}hc"))
        for kappa, s_prior, tag in fits:
            idata, report = checked_nuts(
                collapsed.collapsed_regression,
                spec.k,
                z,
                s_prior=s_prior,
                traced={"width": float(width), "prior_exponent": float(kappa)},
                seed=seed + 100 * i,
                dense_mass=True,
                var_names=["s", "sigma"],
                label=f"bayes_widths P={width} kappa={kappa} {s_prior}",
                save_as=f"bayes_widths-P{width}-{tag}",
                # no LOO here (bayes_kappa compares exponents by LOO): no pointwise
                # log-likelihood group (0.18 s per run, 32 of each file's 33 MB)
                log_likelihood=False,
                **sampler,
            )
            s = np.asarray(idata.posterior["s"]).ravel()
            sigma = np.asarray(idata.posterior["sigma"]).ravel()
            lam = implied_lambda(
                s, width=width, prior_exponent=kappa, n_samples=n_samples, noise_sd=sigma
            )
            rows.setdefault(f"s_q/{tag}", []).append(np.quantile(s, QUANTILES))
            rows.setdefault(f"lam_q/{tag}", []).append(np.quantile(lam, QUANTILES))
            append_report(rows, tag, report)
            rows.setdefault(f"time/{tag}", []).append(idata.sample_stats.attrs["sampling_time"])
    out.update({k: np.asarray(v) for k, v in rows.items()})
    return out


_TAGS = ("k1", "k0", "k1hc")  # matched, mismatched, matched under the second hyperprior


def macros(result) -> dict[str, str]:
    """Width slopes (± the s.e. of the least-squares fit over the widths), diagnostics."""
    from figures._fit import log_log_fit  # here: compute does not use it (its cache key)
    from figures._tex import fixed, stderr

    w = result["widths"]
    curves = {  # macro stem (SE inserted after it) and qualifier -> the curve fitted
        ("BayesWidthsSlope", "Matched"): result["s_q/k1"][:, 2],
        ("BayesWidthsSlope", "Mismatched"): result["s_q/k0"][:, 2],
        ("BayesWidthsLamSlope", ""): result["lam_q/k1"][:, 2],
        ("BayesWidthsSlope", "MatchedHC"): result["s_q/k1hc"][:, 2],
        ("BayesWidthsLamSlope", "HC"): result["lam_q/k1hc"][:, 2],
        ("BayesWidthsEvidenceSlope", ""): result["lam_evidence"],
    }
    out = {}
    for (stem, qualifier), y in curves.items():
        fit = log_log_fit(w, y)
        out[f"{stem}{qualifier}"] = fixed(fit.slope, 2)
        out[f"{stem}SE{qualifier}"] = stderr(fit.se, 2)
    out["BayesWidthsSlopeDoF"] = f"{fit.dof}"
    # derived: the data's prior variance is s_true² P^(−κ_true); a fit with exponent κ matches
    # it with s² = s_true² P^(κ − κ_true), so s ∝ P^((κ − κ_true)/2), while λ_sum =
    # σ²/(N s² P^(−κ)) -- implied or evidence-optimal -- grows as P^κ_true
    kappa_true, kappa_mis = (float(k) for k in result["fit_exponents"])  # matched first
    out["BayesWidthsSlopeDerivedMatched"] = fixed(0.0, 2)
    out["BayesWidthsSlopeDerivedMismatched"] = fixed((kappa_mis - kappa_true) / 2, 2)
    out["BayesWidthsLamSlopeDerived"] = fixed(kappa_true, 2)
    out["BayesWidthsRhatMax"] = f"{max(result[f'rhat_max/{t}'].max() for t in _TAGS):.3f}"
    out["BayesWidthsEssMin"] = f"{min(result[f'ess_bulk_min/{t}'].min() for t in _TAGS):.0f}"
    return out


def plot(result):
    from figures._style import OTHER_COLORS, log_axes, new_figure

    fig, (ax_s, ax_l) = new_figure("page", height=2.3, ncols=2)
    w = result["widths"]
    styles = {
        "k1": (OTHER_COLORS[2], r"matched $\kappa=1$"),
        "k0": (OTHER_COLORS[1], r"mismatched $\kappa=0$"),
    }
    for tag, (color, label) in styles.items():
        q = result[f"s_q/{tag}"]
        ax_s.fill_between(w, q[:, 0], q[:, 4], color=color, alpha=0.2, lw=0)
        ax_s.plot(
            w, q[:, 2], "o-", color=color, label=f"{label} (slope {log_log_slope(w, q[:, 2]):.2f})"
        )
    q = result["s_q/k1hc"]
    ax_s.plot(w, q[:, 2], "x--", color=styles["k1"][0], lw=0.8,
              label=f"matched, half-Cauchy hyperprior (slope {log_log_slope(w, q[:, 2]):.2f})")  # fmt: skip
    log_axes(ax_s)
    ax_s.set(
        xlabel="width $P$",
        ylabel="posterior of $s$",
        title=r"(a) $w_j\sim N(0, s^2P^{-\kappa})$: median, 90% interval",
    )
    ax_s.legend(fontsize=7, loc="center left", bbox_to_anchor=(0.0, 0.6))
    for tag, (color, label) in styles.items():
        q = result[f"lam_q/{tag}"]
        ax_l.fill_between(w, q[:, 0], q[:, 4], color=color, alpha=0.15, lw=0)
        ax_l.plot(w, q[:, 2], "-", color=color, label=f"posterior λ, {label}")
    ax_l.plot(w, result["lam_evidence"], "ks", mfc="white", label="evidence (type-II ML)")
    ax_l.plot(w, result["lam_bayes"], "k--", label=r"risk-optimal $\sigma^2P/(N s^2)$")
    log_axes(ax_l)
    ax_l.set(
        xlabel="width $P$",
        ylabel=r"$\lambda_{\rm sum}$",
        title=r"(b) implied $\lambda_{\rm sum}$ grows $\propto P$",
    )
    ax_l.legend()
    return fig
