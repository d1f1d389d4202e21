"""Paper figure ``fig:prior`` -- the prior that a fixed λ implies, per weight and in function space, vs width.

At a fixed λ the per-weight prior variance is ``σ²/(N λ)`` under sum normalization
(width-independent) and ``σ² P/(N λ)`` under mean normalization.  The readout
``f = P^(-c) Σ_j a_j φ_j`` then has prior variance ``P^(1-2c) v E[φ²]``: only
NTK + sum and mean-field + mean keep the function-space prior fixed as the width
grows.  Theory lines come from :mod:`theory.parametrization`; markers are Monte
Carlo draws of the readout (ReLU random features on the sphere) with ±2 s.e. bars.
"""

from __future__ import annotations

import numpy as np

from theory.parametrization import PARAMETRIZATIONS, READOUT_EXPONENT, output_prior_std
from theory.prior import NORMALIZATIONS, prior_variance

CONFIG = {
    "lam": 1e-2,  # the same number used as λ_sum and as λ_mean
    "n_samples": 100,
    "noise_var": 1.0,
    "input_dim": 20,
    "widths": [2**k for k in range(4, 15)],  # 16 ... 16384
    "mc_draws": 2000,
    "seed": 0,
}
QUICK = {"widths": [16, 64, 256, 1024], "mc_draws": 200}


def _readout_sums(rng: np.random.Generator, width: int, input_dim: int, draws: int) -> np.ndarray:
    """Draws of ``S = Σ_j ε_j relu(z_j)``, ε_j ~ N(0, 1), ``z_j = <θ_j, x>/√d``.

    With θ_j uniform on the sphere of radius √d and any x on it, ``z_j/√d`` is the first
    coordinate of a uniform unit vector, i.e. ``2B - 1`` with ``B ~ Beta((d-1)/2, (d-1)/2)``:
    sampled exactly without drawing θ.  ``f = P^(-c) √v S`` for every parametrization, so one
    set of draws serves all six curves.
    """
    out = np.empty(draws)
    chunk = max(1, 4_000_000 // width)
    half = (input_dim - 1) / 2
    for start in range(0, draws, chunk):
        n = min(chunk, draws - start)
        z = np.sqrt(input_dim) * (2 * rng.beta(half, half, size=(n, width)) - 1)
        out[start : start + n] = np.sum(
            rng.standard_normal((n, width)) * np.maximum(z, 0.0), axis=-1
        )
    return out


def compute(*, lam, n_samples, noise_var, input_dim, widths, mc_draws, seed) -> dict:
    widths = np.asarray(widths, dtype=np.float64)
    rng = np.random.default_rng(seed)
    result: dict[str, np.ndarray] = {"widths": widths}
    mc_sd = np.empty_like(widths)  # std of S
    mc_sd_se = np.empty_like(widths)
    for i, width in enumerate(widths.astype(int)):
        s = _readout_sums(rng, width, input_dim, mc_draws)
        var = np.mean(s**2)  # E S = 0 exactly
        # s.e. of the variance from the fourth moment; delta method for the std
        var_se = np.sqrt(max(np.mean(s**4) - var**2, 0.0) / mc_draws)
        mc_sd[i], mc_sd_se[i] = np.sqrt(var), var_se / (2 * np.sqrt(var))
    for norm in NORMALIZATIONS:
        v = prior_variance(
            lam, n_samples=n_samples, normalization=norm, n_params=widths, noise_var=noise_var
        ) * np.ones_like(widths)
        result[f"weight_std/{norm}"] = np.sqrt(v)
        for par in PARAMETRIZATIONS:
            c = float(READOUT_EXPONENT[par])
            result[f"output_std/{par}/{norm}"] = output_prior_std(
                lam,
                width=widths,
                n_samples=n_samples,
                parametrization=par,
                normalization=norm,
                noise_var=noise_var,
                feature_second_moment=0.5,
            )
            scale = widths ** (-c) * np.sqrt(v)
            result[f"mc_output_std/{par}/{norm}"] = scale * mc_sd
            result[f"mc_output_std_se/{par}/{norm}"] = scale * mc_sd_se
    return result


def plot(result):
    from figures._style import (
        COLORS,
        LABELS,
        LINESTYLES,
        PAIRS_IN_DRAWING_ORDER,
        mc_markers,
        new_figure,
        pair_line,
        width_axes,
    )

    fig, (ax_w, ax_f) = new_figure("page", height=2.3, ncols=2)
    widths = result["widths"]
    for norm in NORMALIZATIONS:
        ax_w.plot(
            widths,
            result[f"weight_std/{norm}"],
            color="k",
            ls=LINESTYLES[norm],
            label=f"{LABELS[norm]}: $v = \\sigma^2{' P' if norm == 'mean' else ''}/(N\\lambda)$",
        )
    width_axes(
        ax_w, ylabel="prior std of one weight", title="(a) per-weight prior at fixed $\\lambda$"
    )
    ax_w.legend()
    for par, norm in PAIRS_IN_DRAWING_ORDER:
        # coinciding pairs: the wide translucent sum curve under its dashed twin
        key = f"{par}/{norm}"
        flat = np.allclose(result[f"output_std/{key}"], result[f"output_std/{key}"][0])
        ax_f.plot(
            widths,
            result[f"output_std/{key}"],
            **pair_line(par, norm),
            label=f"{LABELS[par]} + {LABELS[norm]}" + (" (flat)" if flat else ""),
        )
        mc_markers(
            ax_f,
            widths,
            result[f"mc_output_std/{key}"],
            result[f"mc_output_std_se/{key}"],
            COLORS[par],
            mfc="white" if norm == "mean" else COLORS[par],
            elinewidth=0.6,
        )
    width_axes(
        ax_f, ylabel="prior std of $f(x)$", title="(b) function-space prior at fixed $\\lambda$"
    )
    ax_f.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
    return fig
