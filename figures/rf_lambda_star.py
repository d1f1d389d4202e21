"""Paper figure ``fig:rf`` -- the tuned λ* of random-features ridge vs width, in all six conventions.

(a) λ*(P) at fixed N and d for the standard / NTK / mean-field readouts under sum and
mean normalization (:func:`theory.random_features.optimal_lambda`), with the wide-limit
asymptote ``λ_MM* → max(0, (ζ²/ρ − 1)/ψ2) μ*²`` mapped to each convention (dotted).
NTK + sum and mean-field + mean are the same curve (``λ_MM*/d``) and the two that
flatten; so are standard + sum and NTK + mean (``P λ_MM*/d``).
(b) The local exponent ``d log λ*/d log P`` of NTK + sum for several SNRs ρ: every other
convention's exponent is this plus :func:`theory.parametrization.width_exponent`.  It
tends to 0 for wide models; for P ≪ N it is −1; at ρ ≥ ζ² λ* reaches exactly 0 (×).

Where the power law is wrong (macros ``RFPowerLaw*``, the paper's section on it): λ* tuned at
``P0 = f N`` (``power_law_from``) and carried to ``P1 = power_law_to · N`` by the readout rule
instead of the exact λ*(P) (:func:`theory.transfer.transfer_exact`), at ρ = 1: the excess risk
at P1 over the tuned one, and the exact λ* ratio against the power law's.
"""

from __future__ import annotations

import numpy as np

from theory.parametrization import PARAMETRIZATIONS, lambda_from_ntk, width_exponent
from theory.prior import NORMALIZATIONS
from theory.random_features import (
    exponent_ranges,
    gaussian_equivalence,
    lambda_from_mm,
    local_width_exponents,
    optimal_lambda,
    wide_optimal_lam_bar,
)
from theory.transfer import transfer_exact

CONFIG = {
    "input_dim": 100,
    "n_samples": 300,  # ψ2 = 3
    "signal_var": 1.0,
    "noise_var": 1.0,  # ρ = 1 < ζ² for panel (a)
    "snrs": [0.5, 1.0, 2.0, 4.0],  # ρ for panel (b); ζ² ≈ 2.75 for ReLU
    "log10_psi1": [-1.5, 4.0, 111],
    "tol": 0.05,  # a local exponent "holds" where it is within tol of its limit
    "power_law_from": [0.1, 1.0],  # P0/N: λ* tuned there is carried to P1 by the power law
    "power_law_to": 10.0,  # P1/N
}
QUICK = {"log10_psi1": [-1.5, 4.0, 23], "snrs": [1.0, 4.0]}


def compute(
    *,
    input_dim,
    n_samples,
    signal_var,
    noise_var,
    snrs,
    log10_psi1,
    tol,
    power_law_from,
    power_law_to,
) -> dict:
    d = float(input_dim)
    widths = d * np.logspace(*log10_psi1[:2], int(log10_psi1[2]))
    common = dict(n_samples=n_samples, input_dim=d, signal_var=signal_var)
    ntk = np.asarray(optimal_lambda(n_features=widths, noise_var=noise_var, **common))
    ge = gaussian_equivalence("relu")
    lam_mm_wide = ge.mu_star2 * wide_optimal_lam_bar(
        n_samples / d, zeta=ge.zeta, signal_var=signal_var, noise_var=noise_var
    )
    result: dict[str, np.ndarray] = {
        "widths": widths,
        "n_samples": np.asarray(float(n_samples)),
        "input_dim": np.asarray(d),
        "snrs": np.asarray(snrs, dtype=float),
        "snr": np.asarray(signal_var / noise_var),
        "tol": np.asarray(float(tol)),
        "zeta2": np.asarray(ge.zeta**2),
        "lam_mm_wide": np.asarray(lam_mm_wide),
    }
    for par in PARAMETRIZATIONS:
        for norm in NORMALIZATIONS:
            key = f"{par}/{norm}"
            conv = dict(parametrization=par, normalization=norm)
            result[f"lam_star/{key}"] = np.asarray(lambda_from_ntk(ntk, width=widths, **conv))
            result[f"wide/{key}"] = np.asarray(
                lambda_from_mm(lam_mm_wide, n_features=widths, input_dim=d, **conv)
            )
            result[f"exponent/{key}"] = np.asarray(float(width_exponent(par, norm)))
    for i, snr in enumerate(snrs):
        lam = np.asarray(optimal_lambda(n_features=widths, noise_var=signal_var / snr, **common))
        local = local_width_exponents(widths, lam)
        result[f"snr_lam/{i}"] = lam
        result[f"snr_local/{i}"] = local
        wide = exponent_ranges(widths, local, target=0.0, tol=tol)
        under = exponent_ranges(widths, local, target=-1.0, tol=tol)
        # [P_min, P_max] of the last range where the wide exponent holds, of the first where
        # the under-parametrized one holds (NaN if none); first width with λ* = 0 (or NaN)
        result[f"wide_range/{i}"] = np.asarray(wide[-1] if wide else (np.nan, np.nan))
        result[f"under_range/{i}"] = np.asarray(under[0] if under else (np.nan, np.nan))
        zero = np.flatnonzero(lam == 0.0)
        result[f"zero_from/{i}"] = np.asarray(widths[zero[0]] if zero.size else np.nan)
    # the power law's cost: λ*(P0) carried to P1 by λ_sum ∝ P (standard + sum; the cost is the
    # same in every convention) against the exact λ*(P1)
    model = dict(n_samples=n_samples, input_dim=d, noise_var=noise_var, signal_var=signal_var)
    p1 = power_law_to * n_samples
    result["power_law_from"] = np.asarray(power_law_from, dtype=float)
    result["power_law_to"] = np.asarray(float(power_law_to))
    cost, exact_ratio, power_ratio = [], [], []
    for f in power_law_from:
        p0 = f * n_samples
        t = transfer_exact(1.0, width_from=p0, width_to=p1, parametrization="standard",
                           normalization="sum", **model)  # fmt: skip
        cost.append(t.power_law_cost)
        exact_ratio.append(t.lam)  # λ*(P1)/λ*(P0), standard + sum
        power_ratio.append(t.power_law_lam)
    result["power_law_cost"] = np.asarray(cost)
    result["power_law_exact_ratio"] = np.asarray(exact_ratio)
    result["power_law_ratio"] = np.asarray(power_ratio)
    return result


def plot(result):
    import matplotlib.pyplot as plt

    from figures._style import COLORS, LABELS, PAIRS_IN_DRAWING_ORDER, new_figure, pair_line

    fig, (ax_a, ax_b) = new_figure("page", height=3.1, ncols=2)
    widths = result["widths"]
    n = float(result["n_samples"])
    # coinciding pairs (same λ_MM power of P): the solid one wide underneath, the dashed on top
    for par, norm in PAIRS_IN_DRAWING_ORDER:
        key = f"{par}/{norm}"
        e = int(result[f"exponent/{key}"])
        ax_a.plot(
            widths,
            result[f"lam_star/{key}"],
            **pair_line(par, norm),
            label=f"{LABELS[par]} + {LABELS[norm]}: $P^{{{e}}}$" + (" (flat)" if e == 0 else ""),
        )
        ax_a.plot(widths, result[f"wide/{key}"], color=COLORS[par], ls=":", lw=0.7)
    ax_a.axvline(n, color="0.6", lw=0.6)
    ax_a.text(n, 0.02, " $P = N$", transform=ax_a.get_xaxis_transform(), fontsize=7, color="0.4")
    ax_a.set(
        xscale="log",
        yscale="log",
        ylim=(1e-10, 1e10),
        xlabel="width $P$",
        ylabel=r"tuned $\lambda^\star$",
        title=f"(a) $\\rho = {float(result['snr']):g}$, $N = {n:g}$, "
        f"$d = {float(result['input_dim']):g}$; dotted: wide limit",
    )
    ax_a.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.25),
        fontsize=7,
        ncols=2,
        title="wide-model scaling of $\\lambda^\\star$",
        title_fontsize=7,
    )

    colors = plt.cm.plasma(np.linspace(0.0, 0.8, len(result["snrs"])))
    bottom = -3.0
    for i, snr in enumerate(result["snrs"]):
        label = f"$\\rho = {snr:g}$" + (" $> \\zeta^2$" if snr > result["zeta2"] else "")
        ax_b.plot(widths, result[f"snr_local/{i}"], color=colors[i], label=label)
        zero_from = float(result[f"zero_from/{i}"])
        if np.isfinite(zero_from):
            ax_b.plot(zero_from, bottom + 0.12, "x", color=colors[i], ms=5)
            mantissa, exponent = f"{zero_from:.1e}".split("e")
            ax_b.annotate(
                f"$\\lambda^\\star = 0$ for $P \\geq {mantissa} \\times 10^{{{int(exponent)}}}$",
                (zero_from, bottom + 0.12),
                xytext=(0, 7),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=7,
                color=colors[i],
            )
    ax_b.axhline(0.0, color="0.5", lw=0.6, ls=":")
    ax_b.text(widths[0], 0.07, "wide: the theory exponent", fontsize=7, color="0.4")
    ax_b.axhline(-1.0, color="0.5", lw=0.6, ls=":")
    ax_b.text(
        widths[-1],
        -0.93,
        "$P \\ll N$: one power of $P$ less",
        fontsize=7,
        color="0.4",
        ha="right",
    )
    ax_b.axvline(n, color="0.6", lw=0.6)
    ax_b.set(
        xscale="log",
        ylim=(bottom, 0.5),
        xlabel="width $P$",
        ylabel="local exponent $-$ theory exponent",
        title=r"(b) $d\log\lambda^\star/d\log P$, shifted (the same for all six)",
    )
    ax_b.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), fontsize=7, ncols=2)
    return fig


def _tex_number(x: float) -> str:
    """Three significant digits for math mode: ``15.8``, ``1.78\\times10^{4}``."""
    if not np.isfinite(x):
        return "\\infty"
    mantissa, exponent = f"{x:.2e}".split("e")
    return f"{x:.3g}" if abs(int(exponent)) < 3 else f"{mantissa}\\times10^{{{int(exponent)}}}"


def macros(result) -> dict[str, str]:
    """Wide-limit λ_MM*, and the widths from which the theory exponent holds (ρ = 1 curve)."""
    i = int(np.argmin(np.abs(result["snrs"] - float(result["snr"]))))
    wide_from = float(result[f"wide_range/{i}"][0])
    under_to = float(result[f"under_range/{i}"][1])
    n = float(result["n_samples"])
    out = {
        "RFLamStarWideMM": f"{float(result['lam_mm_wide']):.4f}",
        "RFLamStarWideFrom": _tex_number(wide_from),
        "RFLamStarWideFromRatio": f"{wide_from / n:.0f}",
        "RFLamStarUnderTo": _tex_number(under_to),
        "RFLamStarUnderToRatio": f"{under_to / n:.2f}",
        "RFLamStarTol": f"{float(result['tol']):g}",
        # the task of panel (a): N, d and ρ, quoted with the widths above
        "RFLamStarN": f"{n:g}",
        "RFLamStarD": f"{float(result['input_dim']):g}",
        "RFLamStarRho": f"{float(result['snr']):g}",
    }
    words = {0.1: "Tenth", 1.0: "One"}
    for f, cost, exact, power in zip(
        result["power_law_from"],
        result["power_law_cost"],
        result["power_law_exact_ratio"],
        result["power_law_ratio"],
        strict=True,
    ):
        tag = words.get(round(float(f), 6), f"{f:g}".replace(".", "p"))
        out[f"RFPowerLawCostFrom{tag}N"] = (
            f"{100 * cost:.0f}" if cost >= 0.1 else f"{100 * cost:.1f}"
        )
        out[f"RFPowerLawExactRatioFrom{tag}N"] = f"{exact:.2g}"
        out[f"RFPowerLawRatioFrom{tag}N"] = f"{power:.3g}"
    out["RFPowerLawTo"] = f"{float(result['power_law_to']):g}"
    zero = [float(result[f"zero_from/{k}"]) for k in range(len(result["snrs"]))]
    finite = [z for z in zero if np.isfinite(z)]
    if finite:
        out["RFLamStarZeroFrom"] = _tex_number(min(finite))
        out["RFLamStarZeroFromRatio"] = f"{min(finite) / n:.0f}"
    return out
