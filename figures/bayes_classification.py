"""Figure 9 -- cross-entropy on real data: the posterior of λ across widths (sklearn digits).

A random-features classifier ``logits = P^(−c) Φ A + b`` (ReLU features of the 64
standardized pixels, θ_j on the sphere) with ``A_jk ~ N(0, s²)`` and ``s ~ HalfNormal(1)``
is sampled with full NUTS (non-centered) at several widths, in the NTK (c = ½) and the
standard (c = 0) parametrization.  The Categorical likelihood is minus the
cross-entropy, so through :mod:`theory.prior` the posterior of s is a posterior over
``λ_sum = 1/(2 N s²)`` (:func:`bayes.models.implied_lambda`).  Panel (a): the posterior
λ_sum across widths.  The function-space argument of :mod:`theory.parametrization` predicts
slope 0 under NTK and 1 under the standard parametrization *if the data identify the
function scale*; with N = 500 digits and P·K ≳ N the training set is separable, the
likelihood keeps rewarding larger logits and the posterior of s is held by its hyperprior's
tail instead, so the measured slopes (exported as macros) need not follow the prediction.
Panel (b): posterior predictive check (held-out accuracy and log loss of the posterior
predictive).
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

from bayes import collapsed, models
from bayes.data import digits_split
from figures._bayes import append_report, checked_nuts
from figures._fit import log_log_slope
from theory.parametrization import READOUT_EXPONENT

CONFIG = {
    "n_train": 500,
    "n_test": 1000,
    "widths": [16, 64, 256],
    "parametrizations": ["ntk", "standard"],
    "num_warmup": 500,
    "num_samples": 1500,  # 1000 left R-hat at 1.0105 for one width (2 chains)
    "num_chains": 2,
    "ess_min": 400,
    "rhat_max": 1.01,
    "seed": 0,
}
# smoke-test size: fewer draws, so the diagnostic bars are lowered accordingly
QUICK = {
    "n_train": 100,
    "n_test": 200,
    "widths": [8, 16],
    "parametrizations": ["ntk"],
    "num_warmup": 150,
    "num_samples": 150,
    "ess_min": 50,
    "rhat_max": 1.1,
}

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def _features(X: np.ndarray, width: int, seed: int) -> np.ndarray:
    return np.concatenate(list(collapsed.relu_feature_blocks(X, width=width, seed=seed)()), axis=1)


def compute(
    *,
    n_train,
    n_test,
    widths,
    parametrizations,
    num_warmup,
    num_samples,
    num_chains,
    ess_min,
    rhat_max,
    seed,
) -> dict:
    X_tr, y_tr, X_te, y_te = digits_split(n_train, n_test, seed=seed)
    out: dict[str, np.ndarray] = {
        "widths": np.asarray(widths, float),
        "quantiles": QUANTILES,
        "class_freq_obs": np.bincount(y_tr, minlength=10) / n_train,
    }
    rows: dict[str, list] = {}
    for par in parametrizations:
        for width in widths:
            phi = _features(np.vstack([X_tr, X_te]), width, seed + width)
            phi_tr, phi_te = phi[:n_train], phi[n_train:]
            label = f"bayes_classification {par} P={width}"
            idata, report = checked_nuts(
                models.noncentered(models.rf_classifier),
                phi_tr,
                y_tr,
                n_classes=10,
                parametrization=par,
                width_exponent=0.0,
                num_warmup=num_warmup,
                num_samples=num_samples,
                num_chains=num_chains,
                seed=seed,
                var_names=["s", "b"],
                ess_min=ess_min,
                rhat_max=rhat_max,
                label=label,
                save_as=f"bayes_classification-{par}-P{width}",
            )
            s = np.asarray(idata.posterior["s"]).ravel()
            lam = models.implied_lambda(
                s, width=width, width_exponent=0.0, n_samples=n_train, loss="cross_entropy"
            )
            a = np.asarray(idata.posterior["w"]).reshape(-1, width, 10)
            b = np.asarray(idata.posterior["b"]).reshape(-1, 10)
            c = float(READOUT_EXPONENT[par])
            logits = width ** (-c) * np.einsum("np,spk->snk", phi_te, a) + b[:, None, :]
            log_p = logits - logsumexp(logits, axis=-1, keepdims=True)  # (draws, n_test, 10)
            log_pred = logsumexp(log_p, axis=0) - np.log(len(log_p))  # posterior predictive
            # replicated training labels: class frequencies under the posterior predictive
            logits_tr = width ** (-c) * np.einsum("np,spk->snk", phi_tr, a) + b[:, None, :]
            p_tr = np.exp(logits_tr - logsumexp(logits_tr, axis=-1, keepdims=True)).mean(
                axis=(0, 1)
            )
            tag = f"{par}"
            rows.setdefault(f"s_q/{tag}", []).append(np.quantile(s, QUANTILES))
            rows.setdefault(f"lam_q/{tag}", []).append(np.quantile(lam, QUANTILES))
            rows.setdefault(f"test_acc/{tag}", []).append(np.mean(log_pred.argmax(1) == y_te))
            rows.setdefault(f"test_logloss/{tag}", []).append(
                -np.mean(log_pred[np.arange(n_test), y_te])
            )
            rows.setdefault(f"class_freq_rep/{tag}", []).append(p_tr)
            append_report(rows, tag, report)
    out.update({k: np.asarray(v) for k, v in rows.items()})
    return out


def macros(result) -> dict[str, str]:
    w = result["widths"]
    out = {}
    for par, tag in (("ntk", "NTK"), ("standard", "Standard")):
        if f"lam_q/{par}" in result:
            out[f"BayesClassLamSlope{tag}"] = (
                f"{log_log_slope(w, result[f'lam_q/{par}'][:, 2]):.2f}"
            )
            out[f"BayesClassAcc{tag}"] = f"{100 * result[f'test_acc/{par}'][-1]:.1f}"
    return out


def plot(result):
    from figures._style import COLORS, LABELS, log_axes, new_figure

    fig, (ax_l, ax_p) = new_figure("page", height=2.2, ncols=2)
    w = result["widths"]
    pars = [p for p in ("ntk", "standard") if f"lam_q/{p}" in result]
    for par in pars:
        q = result[f"lam_q/{par}"]
        ax_l.fill_between(w, q[:, 0], q[:, 4], color=COLORS[par], alpha=0.2, lw=0)
        ax_l.plot(
            w,
            q[:, 2],
            "o-",
            color=COLORS[par],
            label=f"{LABELS[par]} (slope {log_log_slope(w, q[:, 2]):.2f})",
        )
    log_axes(ax_l)
    ax_l.set(
        xlabel="width $P$",
        ylabel=r"posterior $\lambda_{\rm sum} = 1/(2Ns^2)$",
        title="(a) cross-entropy random features, digits",
    )
    ax_l.legend()
    for par in pars:
        ax_p.plot(
            w, result[f"test_acc/{par}"], "o-", color=COLORS[par], label=f"{LABELS[par]}: accuracy"
        )
        ax_p.plot(
            w,
            result[f"test_logloss/{par}"],
            "s--",
            color=COLORS[par],
            mfc="white",
            label=f"{LABELS[par]}: log loss",
        )
    ax_p.set_xscale("log")
    ax_p.set(
        xlabel="width $P$",
        ylabel="held-out posterior predictive",
        title="(b) predictive check on held-out digits",
    )
    ax_p.legend()
    return fig
