"""λ*_sum across widths for every parametrization, at stationarity and after a step budget.

:func:`tune_depth` drives :func:`training.stationary.stationary_sweep` (L-BFGS to
stationarity) and :func:`training.stationary.budget_sweep` (momentum GD for a fixed number
of steps) over a coarse λ grid and a refinement per width, carrying each width's λ* to the
next; the figure :mod:`figures.network_exponents` fits the width exponents from it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from training.data import Dataset
from training.stationary import DEFAULT_CONFIG, StationaryConfig, budget_sweep, stationary_sweep

__all__ = ["REGIMES", "tune_depth"]

REGIMES = ("stationary", "budget")


def _refine_offsets(coarse_step: float, better_side: int) -> np.ndarray:
    """Refinement around the coarse optimum: ±step/3 and 2 step/3 toward the better neighbour."""
    return np.array([-1.0, 1.0, 2.0 * better_side]) * coarse_step / 3


def tune_depth(
    data: Dataset,
    *,
    depth: int,
    widths: Sequence[int],
    parametrizations: Sequence[str],
    seeds: Sequence[int],
    center: dict,
    lr: dict,
    steps: int = 160,
    coarse_step: float = 1.0,
    config: StationaryConfig = DEFAULT_CONFIG,
    pad_input: int | None = None,
    log=None,
) -> dict[str, np.ndarray]:
    """λ*_sum(P) of every parametrization, at stationarity (L-BFGS) and after ``steps`` of GD.

    Per width and regime, a coarse grid of 3 λ (``coarse_step`` decades apart) centred on
    the previous width's λ* (at the first width on ``center[regime]``, the standard λ,
    carried to the other parametrizations by the exact rescaling ``λ M^(2/L)``), then 3
    refinement points around the best (:func:`_refine_offsets`); λ* by
    :func:`training.experiment.lam_star` over all 6.  ``lr[par]``: GD base rate (per layer
    :func:`training.models.lr_factors`, μP for mean-field).  Returns arrays keyed
    ``<par>/<regime>/<quantity>``: ``lams``, ``test_loss`` and every diagnostic
    ``[width, λ, seed, ...]``, ``lam_star`` [width], ``lam_star_seeds`` [width, seed],
    ``lam_star_edge``, ``best`` [width] (index of the λ nearest λ*), and ``widths``,
    ``p_total``.
    """
    import math

    from training.experiment import lam_star
    from training.models import architecture, lr_factors, n_penalized

    L = depth + 1
    out: dict[str, list] = {}
    prev: dict = {}
    p_total = []
    for width in widths:
        nets = [
            architecture(
                input_dim=data.input_dim,
                width=width,
                depth=depth,
                n_classes=data.n_classes,
                parametrization=par,
            )  # fmt: skip
            for par in parametrizations
        ]
        p_total.append(n_penalized(nets[0]))
        rates = np.array(
            [
                lr[par]
                * np.asarray(
                    lr_factors(
                        layers,
                        parametrization=par,
                        optimizer="sgd",
                        lr_scaling="mup" if par == "mean_field" else "none",
                        base_width=1,
                    )
                )  # fmt: skip
                for par, layers in zip(parametrizations, nets, strict=True)
            ]
        )
        for regime in REGIMES:

            def run(lams, regime=regime, nets=nets, rates=rates):
                if regime == "stationary":
                    return stationary_sweep(
                        data, nets, lam_sums=lams, seeds=seeds, config=config, pad_input=pad_input
                    )
                return budget_sweep(
                    data, nets, lam_sums=lams, seeds=seeds, lr=rates, steps=steps,
                    config=config._replace(clarke_steps=0), pad_input=pad_input,
                )  # fmt: skip

            centers = np.array(
                [
                    prev[(par, regime)]
                    if (par, regime) in prev
                    else center[regime] * math.prod(l.multiplier for l in layers) ** (2 / L)
                    for par, layers in zip(parametrizations, nets, strict=True)
                ]
            )
            coarse = centers[:, None] * 10.0 ** (np.array([-1.0, 0.0, 1.0]) * coarse_step)
            first = run(coarse)
            mean = np.where(np.isfinite(first["test_loss"]), first["test_loss"], np.inf).mean(-1)
            i_best = np.argmin(mean, axis=1)
            side = np.where((i_best == 2) | ((i_best == 1) & (mean[:, 2] < mean[:, 0])), 1, -1)
            fine = np.array(
                [
                    coarse[k, i_best[k]] * 10.0 ** _refine_offsets(coarse_step, side[k])
                    for k in range(len(nets))
                ]
            )
            second = run(fine)
            lams = np.concatenate([coarse, fine], axis=1)
            both = {k: np.concatenate([first[k], second[k]], axis=1) for k in first}
            for k, par in enumerate(parametrizations):
                tag = f"{par}/{regime}"
                test = both["test_loss"][k]  # [λ, seed]
                star, edge = lam_star(lams[k], np.mean(test, axis=1))
                seeds_star = [lam_star(lams[k], test[:, s])[0] for s in range(len(seeds))]
                prev[(par, regime)] = star
                rows = {
                    "lams": lams[k],
                    "lam_star": star,
                    "lam_star_edge": edge,
                    "lam_star_seeds": seeds_star,
                    "best": int(np.argmin(np.abs(np.log(lams[k] / star)))),
                }
                rows.update({q: v[k] for q, v in both.items() if q != "trace"})
                for q, v in rows.items():
                    out.setdefault(f"{tag}/{q}", []).append(v)
            if log is not None:
                log(
                    f"  depth {depth} P={width} {regime}: λ* "
                    + ", ".join(f"{p}={prev[(p, regime)]:.2e}" for p in parametrizations)
                )
    result = {k: np.asarray(v) for k, v in out.items()}
    result["widths"] = np.asarray(widths, float)
    result["p_total"] = np.asarray(p_total, float)
    return result
