"""Paper figure ``fig:bayesfixed`` -- the Bayesian view on a fixed task: which width exponent the posterior prefers
when nobody chose it.

The data stay fixed while the model grows: ReLU random features ``φ_j(x) = relu(<θ_j, x>/√d)``
(θ_j on the sphere) with the standard readout ``f = Σ_j a_j φ_j`` and the prior
``a_j ~ N(0, s² P^(−κ))``, on two tasks:

* **teacher**: the Mei–Montanari setting of :mod:`theory.random_features`
  (:func:`bayes.data.sphere_teacher`: x on the sphere of radius √d, linear teacher,
  Gaussian noise), so the exact risk-optimal λ*(P) is known;
* **diabetes**: sklearn's diabetes regression (standardized inputs and target).

Per width, in the sum convention of the standard readout (``λ = σ²/(N v)``, DESIGN §2):
the evidence-optimal λ (type-II maximum likelihood, :func:`theory.evidence.evidence_fit`),
the leave-one-out-optimal λ (scikit-learn's ``RidgeCV``, exact LOO on a grid) and, for the
teacher, the exact λ*(P) (:func:`theory.random_features.optimal_lambda`); their width
exponents are fitted separately over the narrow widths (``P ≤ narrow_max · N``) and the wide
ones (``P ≥ wide_min · N``).  The readout rule predicts κ = 0 (λ_sum flat) for P ≪ N and
κ = 1 (λ_sum ∝ P) for P ≫ N: the change of variables says so only once the NTK-scaled λ*
has converged, so it is measured here, not assumed.

The posterior of κ comes from the collapsed multi-width model
(:func:`bayes.collapsed.collapsed_multiwidth`) over each regime's widths jointly.  The M
widths see the *same* observations, so the likelihood is weighted 1/M (a power posterior
that counts the data once; with identical data sets it is exactly the one-set posterior).
Two hyperpriors on s, the prior std at the regime's geometric-mean width (HalfNormal and
HalfCauchy): a κ that moves with the hyperprior is prior-driven.  The eight runs (task ×
regime × hyperprior) are padded to one shape (the most widths of a regime, the larger N;
the padding masked out of the likelihood) so that each hyperprior compiles one sampler.

(a) λ vs width: evidence, LOO and (teacher) exact λ*; (b) posterior of κ per task, regime and
hyperprior (median, 5–95%); (c) test risk at the evidence λ and at the LOO λ (teacher: excess
error, noise excluded, with the theory's risk at λ*).
"""

from __future__ import annotations

import numpy as np

from bayes import collapsed
from bayes.data import diabetes_split, sphere_teacher
from figures._bayes import append_report, checked_nuts
from figures._fit import LogLogFit, log_log_fit
from theory.evidence import evidence_fit
from theory.random_features import asymptotic_risk, optimal_lambda

CONFIG = {
    "widths": [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000],
    # ρ = signal/noise = 1 < ζ² = π/(π − 2): the wide-limit λ* is positive (at ρ ≥ ζ² the
    # minimum-norm interpolator is optimal and λ* = 0 has no exponent)
    "teacher": {"n_train": 200, "n_test": 2000, "input_dim": 50, "noise_var": 1.0},
    "diabetes_n_train": 300,
    "narrow_max": 0.25,  # narrow regime: P ≤ 0.25 N
    "wide_min": 5.0,  # wide regime: P ≥ 5 N
    "s_priors": [["half_normal", 1.0], ["half_cauchy", 1.0]],
    "log10_lam_grid": [-8.0, 4.0, 241],  # LOO grid of λ (0.05 decade)
    "num_warmup": 500,
    "num_samples": 1500,
    "num_chains": 2,
    "ess_min": 400,
    "rhat_max": 1.01,
    "seed": 0,
}
QUICK = {
    "widths": [10, 50, 2000, 5000],
    "teacher": {"n_train": 200, "n_test": 500, "input_dim": 50, "noise_var": 1.0},
    "log10_lam_grid": [-8.0, 4.0, 61],
    "num_warmup": 200,
    "num_samples": 300,
    "ess_min": 100,
    "rhat_max": 1.05,
}

TASKS = ("teacher", "diabetes")
REGIMES = ("narrow", "wide")
QUANTILES = (0.05, 0.5, 0.95)


def _data(task: str, teacher: dict, diabetes_n_train: int, seed: int):
    """``(X_train, y_train, X_test, target_test)``; the teacher's target is noise-free."""
    if task == "diabetes":
        return diabetes_split(diabetes_n_train, seed=seed)
    n, n_test = teacher["n_train"], teacher["n_test"]
    X, y, f = sphere_teacher(
        n + n_test, input_dim=teacher["input_dim"], noise_var=teacher["noise_var"], seed=seed
    )
    return X[:n], y[:n], X[n:], f[n:]


def _ridge_predict(phi_tr, y, phi_te, lam: float) -> np.ndarray:
    """Test predictions of ``(1/N) Σ (y − Φa)² + λ‖a‖²`` through the N × N kernel."""
    n = len(y)
    alpha = np.linalg.solve(phi_tr @ phi_tr.T + n * lam * np.eye(n), y)
    return phi_te @ (phi_tr.T @ alpha)


def _loo_lambda(phi_tr, y, grid: np.ndarray) -> tuple[float, bool]:
    """λ minimizing the exact leave-one-out error over ``grid`` (RidgeCV: α = N λ); edge flag."""
    from sklearn.linear_model import RidgeCV

    n = len(y)
    fit = RidgeCV(alphas=n * grid, fit_intercept=False).fit(phi_tr, y)
    lam = float(fit.alpha_) / n
    return lam, bool(np.isclose(lam, grid[0]) or np.isclose(lam, grid[-1]))


def _padded(ks, zs, widths, n_sets: int, n_obs: int):
    """``(ks, zs, widths, mask)`` of the data sets padded to ``n_sets`` sets of ``n_obs``
    observations (zeros, width 1), with ``mask`` False on the padding."""
    pad = [
        (np.pad(k, (0, n_obs - len(k))), np.pad(z, (0, n_obs - len(z))))
        for k, z in zip(ks, zs, strict=True)
    ]
    pad += [(np.zeros(n_obs), np.zeros(n_obs))] * (n_sets - len(ks))
    mask = np.zeros((n_sets, n_obs), bool)
    for m, k in enumerate(ks):
        mask[m, : len(k)] = True
    widths = np.concatenate([np.asarray(widths, float), np.ones(n_sets - len(ks))])
    return [k for k, _ in pad], [z for _, z in pad], widths, mask.ravel()


def regime_masks(widths, n_train: int, narrow_max: float, wide_min: float) -> dict:
    """Boolean masks of the narrow (``P ≤ narrow_max·N``) and wide (``P ≥ wide_min·N``) widths."""
    w = np.asarray(widths, float)
    return {"narrow": w <= narrow_max * n_train, "wide": w >= wide_min * n_train}


def compute(
    *,
    widths,
    teacher,
    diabetes_n_train,
    narrow_max,
    wide_min,
    s_priors,
    log10_lam_grid,
    seed,
    **sampler,  # the sampler's CONFIG entries, as they are for checked_nuts
) -> dict:
    grid = np.logspace(log10_lam_grid[0], log10_lam_grid[1], int(log10_lam_grid[2]))
    out: dict[str, np.ndarray] = {"widths": np.asarray(widths, float), "quantiles": QUANTILES}
    data = {task: _data(task, teacher, diabetes_n_train, seed) for task in TASKS}
    n_trains = [len(data[task][1]) for task in TASKS]
    n_sets = max(
        int(m.sum())
        for n in n_trains
        for m in regime_masks(widths, n, narrow_max, wide_min).values()
    )
    for t, task in enumerate(TASKS):
        X_tr, y_tr, X_te, target = data[task]
        n = len(y_tr)
        masks = regime_masks(widths, n, narrow_max, wide_min)
        for regime in REGIMES:
            if masks[regime].sum() < 2:
                raise ValueError(
                    f"widths must hold at least two {regime} widths for {task} (N = {n}), "
                    f"got {widths!r}"
                )
        rows: dict[str, list] = {}
        ks, zs = [], []
        for width in widths:
            feats = collapsed.relu_feature_blocks(
                np.vstack([X_tr, X_te]), width=width, seed=seed + 1
            )
            phi = np.concatenate(list(feats()), axis=1)
            phi_tr, phi_te = phi[:n], phi[n:]
            spec = collapsed.gram_spectrum(phi_tr)
            ks.append(spec.k)
            zs.append(collapsed.rotate(spec, y_tr))
            fit = evidence_fit(phi_tr, y_tr)
            lam_loo, edge = _loo_lambda(phi_tr, y_tr, grid)
            rows.setdefault("lam_evidence", []).append(fit.lam)
            rows.setdefault("prior_var_evidence", []).append(fit.prior_var)
            rows.setdefault("lam_loo", []).append(lam_loo)
            rows.setdefault("lam_loo_edge", []).append(edge)
            for name, lam in (("evidence", fit.lam), ("loo", lam_loo)):
                err = np.mean((_ridge_predict(phi_tr, y_tr, phi_te, lam) - target) ** 2)
                rows.setdefault(f"risk_{name}", []).append(err)
            if task == "teacher":
                sizes = {
                    "n_samples": n,
                    "n_features": width,
                    "input_dim": teacher["input_dim"],
                    "noise_var": teacher["noise_var"],
                    "parametrization": "standard",
                }
                lam_star = float(optimal_lambda(**sizes))
                rows.setdefault("lam_theory", []).append(lam_star)
                rows.setdefault("risk_theory", []).append(float(asymptotic_risk(lam_star, **sizes)))
        out.update({f"{task}/{k}": np.asarray(v) for k, v in rows.items()})
        out[f"{task}/n_train"] = np.asarray(n)
        for regime in REGIMES:
            idx = np.flatnonzero(masks[regime])
            out[f"{task}/{regime}/widths"] = out["widths"][idx]
            for p, (s_prior, s_scale) in enumerate(s_priors):
                tag = f"{task}/{regime}/{s_prior}"
                ks_p, zs_p, widths_p, mask = _padded(
                    [ks[i] for i in idx], [zs[i] for i in idx], out["widths"][idx], n_sets,
                    max(n_trains),
                )  # fmt: skip
                idata, report = checked_nuts(
                    collapsed.collapsed_multiwidth,
                    ks_p,
                    zs_p,
                    traced={
                        "widths": widths_p,
                        "likelihood_weight": 1.0 / len(idx),
                        "reference_width": float(np.exp(np.mean(np.log(out["widths"][idx])))),
                        "mask": mask,
                    },
                    s_prior=s_prior,
                    s_scale=float(s_scale),
                    seed=seed + 10 * t + p,
                    dense_mass=True,
                    log_likelihood=False,
                    var_names=["kappa", "s", "sigma"],
                    label=f"bayes_fixed_task {tag}",
                    **sampler,
                )
                kappa = np.asarray(idata.posterior["kappa"]).ravel()
                out[f"kappa_q/{tag}"] = np.quantile(kappa, QUANTILES)
                out[f"kappa_hist/{tag}"] = np.histogram(kappa, bins=40, range=(-0.5, 2.5))[0]
                report_rows: dict[str, list] = {}
                append_report(report_rows, tag, report)
                out.update({k: np.asarray(v) for k, v in report_rows.items()})
    out["s_priors"] = np.asarray([s for s, _ in s_priors])
    return out


def _exponent(result, task: str, regime: str, key: str) -> LogLogFit:
    w = result["widths"]
    lam = result[f"{task}/{key}"]
    mask = np.isin(w, result[f"{task}/{regime}/widths"]) & np.isfinite(lam) & (lam > 0)
    if mask.sum() < 2:
        return LogLogFit(float("nan"), float("nan"), 0)
    return log_log_fit(w[mask], lam[mask])


def exponents(result) -> dict[str, LogLogFit]:
    """Width exponents of the evidence, LOO and (teacher) exact λ per task and regime, each
    with the s.e. of its least-squares fit over the regime's widths."""
    out = {}
    for task in TASKS:
        keys = ["lam_evidence", "lam_loo"] + (["lam_theory"] if task == "teacher" else [])
        for regime in REGIMES:
            for key in keys:
                out[f"{task}/{regime}/{key}"] = _exponent(result, task, regime, key)
    return out


_NAMES = {"teacher": "Teacher", "diabetes": "Diabetes", "narrow": "Narrow", "wide": "Wide"}
_PRIOR_NAMES = {"half_normal": "HN", "half_cauchy": "HC"}
_KEY_NAMES = {"lam_evidence": "Ev", "lam_loo": "Loo", "lam_theory": "Theory"}


def macros(result) -> dict[str, str]:
    """κ posteriors (median and 90% interval) and λ width exponents per task and regime."""
    w = result["widths"]
    from figures._tex import span, stderr  # here: the compute code does not use them

    out = {"BayesFixedWidths": span(f"{int(w[0])}", f"{int(w[-1])}")}  # used in math mode
    for task in TASKS:
        out[f"BayesFixedN{_NAMES[task]}"] = f"{int(result[f'{task}/n_train'])}"
        for regime in REGIMES:
            rw = result[f"{task}/{regime}/widths"]
            out[f"BayesFixed{_NAMES[task]}{_NAMES[regime]}Widths"] = ", ".join(
                f"{int(v)}" for v in rw
            )
            for s_prior in result["s_priors"]:
                lo, med, hi = result[f"kappa_q/{task}/{regime}/{s_prior}"]
                name = f"BayesFixedKappa{_NAMES[task]}{_NAMES[regime]}{_PRIOR_NAMES[str(s_prior)]}"
                out[name] = f"{med:.2f}"
                out[f"{name}Interval"] = f"[{lo:.2f}, {hi:.2f}]"
    shifts = [
        abs(np.subtract(*[result[f"kappa_q/{t}/{r}/{p}"][1] for p in result["s_priors"][:2]]))
        for t in TASKS
        for r in REGIMES
    ]
    out["BayesFixedKappaPriorShiftMax"] = f"{max(shifts):.2f}"  # largest median move
    for key, fit in exponents(result).items():
        task, regime, lam = key.split("/")
        name = f"{_KEY_NAMES[lam]}{_NAMES[task]}{_NAMES[regime]}"
        out[f"BayesFixedExp{name}"] = f"{fit.slope:.2f}"
        if lam != "lam_theory":  # the exact λ* is a curve, not an estimate: no error to give
            out[f"BayesFixedExpSE{name}"] = stderr(fit.se, 2) if fit.dof else "n/a"
            out[f"BayesFixedExpDoF{name}"] = f"{fit.dof}"
    for task in TASKS:
        ratio = result[f"{task}/risk_evidence"] / result[f"{task}/risk_loo"]
        out[f"BayesFixedRiskRatioMax{_NAMES[task]}"] = f"{ratio.max():.2f}"
    return out


def plot(result):
    from matplotlib.lines import Line2D

    from figures._style import OTHER_COLORS, new_figure

    fig, (ax_l, ax_k, ax_r) = new_figure("page", height=2.6, ncols=3)
    w = result["widths"]
    # tasks, not parametrizations: none of the parametrization palette
    colors = {"teacher": OTHER_COLORS[2], "diabetes": OTHER_COLORS[1]}
    for task in TASKS:
        c = colors[task]
        n = float(result[f"{task}/n_train"])
        ax_l.plot(w, result[f"{task}/lam_evidence"], "o-", color=c, ms=3, lw=1,
                  label=f"{task}: evidence")  # fmt: skip
        ax_l.plot(w, result[f"{task}/lam_loo"], "s--", color=c, ms=3, lw=1, mfc="none",
                  label=f"{task}: LOO")  # fmt: skip
        ax_l.axvline(n, color=c, ls=":", lw=0.8)
        ax_r.plot(w, result[f"{task}/risk_evidence"], "o-", color=c, ms=3, lw=1,
                  label=f"{task}: evidence λ")  # fmt: skip
        ax_r.plot(w, result[f"{task}/risk_loo"], "s--", color=c, ms=3, lw=1, mfc="none",
                  label=f"{task}: LOO λ")  # fmt: skip
    ax_l.plot(
        w,
        result["teacher/lam_theory"],
        "k-",
        lw=1.5,
        alpha=0.6,
        label=r"teacher: exact $\lambda^\star$",
    )
    ax_r.plot(w, result["teacher/risk_theory"], "k-", lw=1.5, alpha=0.6,
              label=r"teacher: theory at $\lambda^\star$")  # fmt: skip
    ax_l.set(xscale="log", yscale="log", xlabel="width $P$", ylabel=r"$\lambda_{\rm sum}$ (standard)",
             title=r"(a) $\lambda$ (dotted: $P = N$)")  # fmt: skip
    ax_r.set(xscale="log", yscale="log", xlabel="width $P$", ylabel="test error",
             title=r"(c) risk at the chosen $\lambda$")  # fmt: skip
    x = 0
    ticks, labels = [], []
    markers = {"half_normal": "o", "half_cauchy": "D"}
    for task in TASKS:
        for regime in REGIMES:
            for j, s_prior in enumerate(result["s_priors"]):
                lo, med, hi = result[f"kappa_q/{task}/{regime}/{s_prior}"]
                ax_k.errorbar([x + 0.25 * j], [med], yerr=[[med - lo], [hi - med]],
                              fmt=markers[str(s_prior)], color=colors[task], ms=3, capsize=2,
                              label=str(s_prior).replace("_", "-") if x == 0 else None)  # fmt: skip
            ticks.append(x + 0.125)
            labels.append(f"{task[:4]}.\n{regime}")
            x += 1
    for ref in (0.0, 1.0):
        ax_k.axhline(ref, color="0.5", lw=0.8, ls="--")
    ax_k.set(xticks=ticks, ylabel=r"width exponent $\kappa$",
             title=r"(b) $\kappa$ posterior (5–95%)")  # fmt: skip
    ax_k.set_xticklabels(labels, fontsize=7)
    # one legend for the three panels: colors are tasks, line styles the way λ is chosen
    handles = [Line2D([], [], color=colors[t], lw=1.5) for t in TASKS] + [
        Line2D([], [], color="0.3", marker="o", ms=3, lw=1),
        Line2D([], [], color="0.3", marker="s", ms=3, lw=1, ls="--", mfc="none"),
        Line2D([], [], color="k", lw=1.5, alpha=0.6),
        Line2D([], [], color="0.3", marker="o", ms=3, ls="none"),
        Line2D([], [], color="0.3", marker="D", ms=3, ls="none"),
    ]
    labels = [*TASKS, "(a, c) evidence $\\lambda$", "(a, c) LOO $\\lambda$",
              "(a, c) teacher: exact $\\lambda^\\star$, its risk",
              "(b) half-normal prior on $s$", "(b) half-Cauchy prior on $s$"]  # fmt: skip
    fig.legend(handles, labels, loc="outside lower center", ncols=4, fontsize=7)
    return fig
