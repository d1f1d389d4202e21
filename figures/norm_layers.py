"""Paper figure ``fig:norm_layers`` -- LayerNorm MLPs: L2 on scale-invariant weights sets an effective learning rate.

Bias-free ReLU MLPs with a gain-free LayerNorm before each activation (two hidden layers,
:mod:`training.normalized`), sklearn digits (200 train / 1597 test), full batch, L2 on
every matrix (``λ Σ_l ‖W_l‖²``; SGD: ``optax.sgd`` on the whole objective; AdamW:
``optax.adamw`` with ``weight_decay = 2λ``).

(a) Invariance: the logits change by a relative ``NLInvariance`` (float32 rounding) when
every hidden matrix is multiplied by a random factor in [0.1, 10]: the function class does
not depend on their scale.
(b) Rotational equilibrium (width 128): per hidden matrix, the norm and the angle per step,
averaged over the second half of the run, against :mod:`theory.equilibrium` -- plain GD
(momentum 0: the exact recursion, norm given the measured ``G̃``; RMS angle vs
``arccos(1 − η wd)``), heavy-ball SGD (random-walk model) and AdamW (update RMS ≈ 1 assumed).
(c, d) Test cross-entropy after a fixed budget vs λ per width (16 … 256, 3 seeds) for SGD and
AdamW; λ* by :func:`training.experiment.lam_star`, exponent by ``fit_exponent``, s.e. from
the per-seed slopes.

Compute time (``taskset -c 0 python -m figures norm_layers --force``, one core of the 2-core
machine, cold JIT): 77.6 s for CONFIG (82 s wall with imports and drawing); QUICK 8.6 s, mostly
XLA compilation (~2 s per program; QUICK skips the equilibrium runs, tested separately).
"""

from __future__ import annotations

import numpy as np

from figures._tex import number, span
from theory.equilibrium import angular_update, equilibrium_norm
from training.data import load
from training.experiment import fit_lam_stars
from training.normalized import NormConfig, apply, shapes, sweep

CONFIG = {
    "n_train": 200,
    "depth": 2,
    "seeds": [0, 1, 2],
    "steps": 300,  # the fixed budget of the width scan (full batch, no schedule)
    "widths": [16, 32, 64, 256],
    # λ grids (λ_sum), 0.5 decade apart; from a pilot run so that they bracket λ*
    "sgd": {"lr": 0.1, "momentum": 0.9, "lams": [10 ** (-3.5 + 0.5 * i) for i in range(7)]},
    "adamw": {"lr": 0.01, "lams": [10 ** (-2.0 + 0.5 * i) for i in range(7)]},
    # equilibrium runs: one width, longer, two seeds; (optimizer, lr, momentum, λ)
    "eq_width": 128,
    "eq_steps": 1500,
    "eq_seeds": [0, 1],
    "eq_runs": [
        ["sgd", 0.3, 0.0, 0.01],
        ["sgd", 0.3, 0.0, 0.03],
        ["sgd", 0.1, 0.9, 0.01],
        ["adamw", 0.01, 0.9, 0.5],
    ],
}
QUICK = {
    "n_train": 100,
    "depth": 1,
    "seeds": [0, 1],
    "steps": 30,
    "widths": [8, 16],
    "sgd": {"lr": 0.1, "momentum": 0.9, "lams": [1e-3, 1e-2, 1e-1]},
    "adamw": {"lr": 0.01, "lams": [1e-2, 1e-1, 1.0]},
    "eq_width": 16,
    "eq_steps": 60,
    "eq_runs": [],  # every run is one more ~2 s XLA compilation; the tests cover the path
}


def _invariance(data, depth: int, width: int) -> float:
    """Largest relative change of the logits when the hidden matrices are rescaled."""
    import jax.numpy as jnp

    rng = np.random.default_rng(0)
    sh = shapes(input_dim=data.input_dim, width=width, depth=depth, n_classes=data.n_classes)
    w = [jnp.asarray(rng.standard_normal(s), jnp.float32) for s in sh]
    x = jnp.asarray(data.x_test, jnp.float32)
    scales = 10 ** rng.uniform(-1, 1, size=len(sh) - 1)
    f0 = np.asarray(apply(w, x))
    f1 = np.asarray(apply([c * wi for c, wi in zip(scales, w[:-1], strict=True)] + w[-1:], x))
    return float(np.max(np.abs(f1 - f0)) / np.max(np.abs(f0)))


def _equilibrium(data, *, depth, width, steps, seeds, run) -> dict[str, np.ndarray]:
    """Measured vs predicted norm and angle per hidden matrix (second half of the run)."""
    opt, lr, mom, lam = run
    config = NormConfig(optimizer=opt, lr=lr, momentum=mom, b1=mom if opt == "adamw" else 0.9,
                        steps=steps)  # fmt: skip
    out = sweep(data, width=width, depth=depth, lams=[lam], seeds=seeds, config=config)
    sh = shapes(input_dim=data.input_dim, width=width, depth=depth, n_classes=data.n_classes)
    half = slice(steps // 2, steps)
    wd = 2 * lam
    rows = {k: [] for k in ("norm", "norm_pred", "angle_mean", "angle_rms", "angle_pred", "urms")}
    for layer in range(depth):  # the scale-invariant matrices
        norm = out["norm"][0, :, :, layer]  # [seed, step], after each step
        angle = out["angle"][0, :, :, layer]
        g2 = np.mean(out["grad_unit"][0, :, half, layer] ** 2)
        rows["norm"].append(np.mean(norm[:, half]))
        rows["angle_mean"].append(np.mean(angle[:, half]))
        # x-weighted RMS: stationarity of x_{t+1} sin²θ_t = η²‖g_t‖² gives sin²θ = s(2 − s)
        sin2 = np.sum(np.sin(angle[:, half]) ** 2 * norm[:, half] ** 2) / np.sum(norm[:, half] ** 2)
        rows["angle_rms"].append(np.arcsin(np.sqrt(sin2)))  # equals arccos(1 − s) if stationary
        rows["urms"].append(np.mean(out["update_rms"][0, :, half, layer]))
        if opt == "sgd":
            kw = {"grad_norm": np.sqrt(g2), "momentum": mom}
            rows["norm_pred"].append(equilibrium_norm("sgd", lr=lr, weight_decay=wd, **kw))
            theta = angular_update("sgd", lr=lr, weight_decay=wd, momentum=mom)
            rows["angle_pred"].append(theta)
        else:
            c = sh[layer][0] * sh[layer][1]
            rows["norm_pred"].append(
                equilibrium_norm("adamw-coupled", lr=lr, weight_decay=wd, n_entries=c, exact=False)
            )
            rows["angle_pred"].append(
                angular_update("adamw-coupled", lr=lr, weight_decay=wd, exact=False)
            )
    result = {k: np.asarray(v) for k, v in rows.items()}
    result["trace"] = np.mean(out["norm"][0, :, :, :depth], axis=0)  # [step, layer]
    result["test_loss"] = np.asarray(np.mean(out["test_loss"]))
    return result


def compute(
    *, n_train, depth, seeds, steps, widths, sgd, adamw, eq_width, eq_steps, eq_seeds, eq_runs
) -> dict:
    data = load("digits", n_train=n_train)
    result: dict[str, np.ndarray] = {
        "invariance": np.asarray(_invariance(data, depth, eq_width)),
        "widths": np.asarray(widths, float),
    }
    for k, run in enumerate(eq_runs):
        eq = _equilibrium(data, depth=depth, width=eq_width, steps=eq_steps, seeds=eq_seeds,
                          run=run)  # fmt: skip
        result.update({f"eq{k}/{key}": v for key, v in eq.items()})
        result[f"eq{k}/run"] = np.asarray([str(v) for v in run])
    result["eq_runs"] = np.asarray(len(eq_runs))
    for opt, spec in (("sgd", sgd), ("adamw", adamw)):
        lams = np.asarray(spec["lams"], float)
        config = NormConfig(optimizer=opt, lr=spec["lr"], momentum=spec.get("momentum", 0.9),
                            steps=steps, record=False)  # fmt: skip
        test = np.stack(
            [
                sweep(data, width=w, depth=depth, lams=lams, seeds=seeds, config=config)[
                    "test_loss"
                ]
                for w in widths
            ]
        )  # [width, λ, seed]
        result[f"{opt}/lams"] = lams
        result[f"{opt}/test_loss"] = test
        result.update({f"{opt}/{k}": v for k, v in fit_lam_stars(widths, lams, test).items()})
    return result


_OPT = {"sgd": "SGD (momentum 0.9) + L2", "adamw": "AdamW (coupled)"}


def _run_label(run) -> str:
    opt, lr, mom, lam = (str(v) for v in run)
    if opt == "adamw":
        return f"AdamW η={lr}, λ={lam}"
    return f"{'GD' if float(mom) == 0 else 'SGD-m'} η={lr}, λ={lam}"


def plot(result):
    import matplotlib.pyplot as plt

    from figures._style import OTHER_COLORS, PAGE_WIDTH

    fig, axes = plt.subplots(1, 4, figsize=(PAGE_WIDTH, 2.5), layout="constrained")
    n_runs = int(result["eq_runs"])

    def colors(k):  # equilibrium runs: none of the parametrization palette
        return OTHER_COLORS[k % len(OTHER_COLORS)]

    ax = axes[0]
    for k in range(n_runs):
        trace = result[f"eq{k}/trace"]
        for layer in range(trace.shape[1]):
            ax.plot(trace[:, layer] / result[f"eq{k}/norm_pred"][layer], color=colors(k), lw=0.8,
                    ls="-" if layer == 0 else ":",
                    label=_run_label(result[f"eq{k}/run"]) if layer == 0 else None)  # fmt: skip
    ax.axhline(1.0, color="k", lw=0.6)
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel(r"$\|W_l\| / \|W^\star\|_{\rm pred}$")
    ax.set_title("(a) norms (— $W_1$, ⋯ $W_2$)", fontsize=8)
    run_handles, run_labels = ax.get_legend_handles_labels()
    ax = axes[1]
    for k in range(n_runs):
        pred = result[f"eq{k}/angle_pred"]
        ax.scatter(pred, result[f"eq{k}/angle_rms"], color=colors(k), marker="o", s=12)
        ax.scatter(pred, result[f"eq{k}/angle_mean"], color=colors(k), marker="x", s=12)
    lim = [1e-3, 0.3]
    ax.plot(lim, lim, color="k", lw=0.6)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("predicted angle per step")
    ax.set_ylabel("measured (o RMS, x mean)")
    ax.set_title("(b) angular update", fontsize=8)
    cmap = plt.get_cmap("viridis")
    widths = result["widths"]
    for ax, opt, tag in ((axes[2], "sgd", "(c)"), (axes[3], "adamw", "(d)")):
        lams, test = result[f"{opt}/lams"], result[f"{opt}/test_loss"]
        for i, w in enumerate(widths):
            color = cmap(i / max(1, len(widths) - 1))
            ax.plot(lams, np.mean(test[i], axis=1), color=color, marker=".", label=f"n={w:g}")
            ax.axvline(result[f"{opt}/lam_star"][i], color=color, lw=0.6, ls="--")
        ax.set_xscale("log")
        ax.set_xlabel(r"$\lambda_{\rm sum}$")
        e, se = float(result[f"{opt}/exponent"]), float(result[f"{opt}/exponent_se"])
        ax.set_title(f"{tag} {_OPT[opt]}\n" + rf"$\lambda^\star\propto n^{{{e:+.2f}\pm{se:.2f}}}$",
                     fontsize=8)  # fmt: skip
    axes[2].set_ylabel("test cross-entropy")
    # one legend below: the runs of (a, b) in the first row, the widths of (c, d) in the second
    # (the legend fills columns first: interleave them)
    width_handles, width_labels = axes[3].get_legend_handles_labels()
    handles, labels = [], []
    for k in range(max(len(run_handles), len(width_handles))):
        for hs, ls in ((run_handles, run_labels), (width_handles, width_labels)):
            handles.append(hs[k] if k < len(hs) else plt.Line2D([], [], alpha=0))
            labels.append(ls[k] if k < len(ls) else "")
    if handles:
        fig.legend(handles, labels, loc="outside lower center", fontsize=7,
                   ncols=max(1, len(handles) // 2), title="(a, b): runs; (c, d): widths",
                   title_fontsize=7)  # fmt: skip
    return fig


_CAMEL = {"sgd": "SGD", "adamw": "AdamW"}


def macros(result) -> dict[str, str]:
    """Invariance error, equilibrium ratios (measured/predicted) and λ* exponents ± s.e."""
    out = {"NLInvariance": number(float(result["invariance"]))}
    widths = result["widths"]
    out["NLWidthMin"], out["NLWidthMax"] = f"{widths[0]:g}", f"{widths[-1]:g}"
    out["NLSeeds"] = str(result["sgd/lam_star_seeds"].shape[-1])
    for opt in ("sgd", "adamw"):
        out[f"NLExp{_CAMEL[opt]}"] = f"{float(result[f'{opt}/exponent']):+.2f}"
        out[f"NLExpSE{_CAMEL[opt]}"] = f"{float(result[f'{opt}/exponent_se']):.2f}"
        out[f"NLEdge{_CAMEL[opt]}"] = str(int(np.sum(result[f"{opt}/lam_star_edge"])))
    names = {("sgd", "0.0"): "GD", ("sgd", "0.9"): "SGDM", ("adamw", "0.9"): "AdamW"}
    seen: set[str] = set()
    for k in range(int(result["eq_runs"])):
        opt, _, mom, _ = (str(v) for v in result[f"eq{k}/run"])
        tag = names.get((opt, mom), f"Run{'ABCDEFGH'[k]}")
        if tag in seen:  # several runs of one optimizer: report the range over them
            continue
        seen.add(tag)
        ks = [j for j in range(int(result["eq_runs"]))
              if tuple(str(v) for v in result[f"eq{j}/run"])[::2] == (opt, mom)]  # fmt: skip
        norm = np.concatenate([result[f"eq{j}/norm"] / result[f"eq{j}/norm_pred"] for j in ks])
        rms = np.concatenate([result[f"eq{j}/angle_rms"] / result[f"eq{j}/angle_pred"] for j in ks])
        mean = np.concatenate(
            [result[f"eq{j}/angle_mean"] / result[f"eq{j}/angle_pred"] for j in ks]
        )
        out[f"NLNormRatio{tag}"] = span(f"{norm.min():.2f}", f"{norm.max():.2f}")
        out[f"NLAngleRMSRatio{tag}"] = span(f"{rms.min():.2f}", f"{rms.max():.2f}")
        out[f"NLAngleMeanRatio{tag}"] = span(f"{mean.min():.2f}", f"{mean.max():.2f}")
        if opt == "adamw":
            urms = np.concatenate([result[f"eq{j}/urms"] for j in ks])
            out["NLUpdateRMSAdamW"] = span(f"{urms.min():.2f}", f"{urms.max():.2f}")
    return out
