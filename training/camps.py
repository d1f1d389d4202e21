r"""The three AdamW weight-decay camps on the same runs: per-tensor vs global λ, transfer regret.

The field sets AdamW's weight decay across widths by three incompatible rules (DESIGN §3):
*coupled* ``wd`` (PyTorch/optax ``AdamW``, per-step shrink ``η_l·wd``) held fixed; coupled
``wd ∝ √width``; and *independent* decay held fixed, which under μP learning rates
(``η_l ∝ 1/width`` for hidden and readout matrices) is coupled ``wd ∝ width`` on those
tensors -- microsoft/mup's ``MuAdamW`` (``η_l·wd_l`` fixed per tensor).  For one setting
(data set, depth, learning-rate scaling, decay) :func:`run_camps` tunes one global λ at every
width on a log grid (``λ*(P)`` and its width exponent, as :mod:`training.experiment`), then
trains, at every width, the λ each rule carries from the smallest width and reports the
**transfer regret**: test loss at the carried λ minus the best test loss over the global grid
at that width (the re-tuned value, at the grid's resolution; a per-tensor rule can beat it,
giving a negative regret).

Rules (``r = P/P_0`` the width ratio, ``λ_0 = λ*(P_0)`` in λ_sum; coupled ``wd = 2λ``):

==============  ==============================================================================
``fixed``       every tensor ``λ_0`` (coupled: the constant-``wd`` camp; independent decay:
                the constant-independent camp)
``sqrt``        every tensor ``λ_0 √r`` (the ``wd ∝ √width`` camp)
``linear``      every tensor ``λ_0 r`` (``wd ∝ width`` applied globally)
``mean``        ``λ_mean = P_total λ_sum`` fixed (the asker's mean normalization, carried as is)
``per_tensor``  :func:`theory.transfer.transfer_model` (``η_l·wd_l`` fixed per tensor, MuAdamW's
                rule; the same as ``fixed`` where every ``η_l`` is width-independent or the
                decay is independent, then not trained twice)
==============  ==============================================================================

None of these is a statement about a fixed objective: decoupled decay minimizes nothing
(:mod:`theory._transfer_model`); the runs are a fixed budget of full-batch steps, and the
regime diagnostic :func:`run_camps` returns is the relative decrease of the training
objective over the last quarter of the steps at the tuned λ (0 at a stationary point).

The λ of every rule is trained exactly (extra slots next to the grid), not interpolated.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from theory.checks import (
    check_callable,
    check_choice,
    check_finite,
    check_int,
    check_positive,
    check_seed,
)
from theory.transfer import LR_SCALINGS, transfer_model
from training import data as data_mod
from training.experiment import _slots, fit_lam_stars, lam_star
from training.models import architecture, check_layers, lr_factors, n_penalized
from training.train import TrainConfig, sweep

__all__ = ["CAMP_RULES", "DECAYS", "camp_lambdas", "run_camps"]

CAMP_RULES = ("fixed", "sqrt", "linear", "mean", "per_tensor")
DECAYS = ("adamw-coupled", "adamw-independent")


def _number(name: str, value, check) -> float:
    """One number passing ``check`` (``check_positive``, ``check_finite``)."""
    if np.ndim(value):
        raise ValueError(f"{name} must be one number, got {value!r}")
    return float(check(name, value))


def _shapes(layers) -> dict[str, tuple[int, int]]:
    return {f"W{i}": (layer.fan_in, layer.fan_out) for i, layer in enumerate(layers)}


def camp_lambdas(
    lam0: float, layers_from, layers_to, *, optimizer: str, lr_scaling: str
) -> dict[str, np.ndarray]:
    """Per-layer λ_sum at ``layers_to`` under each rule of :data:`CAMP_RULES`, from ``lam0``.

    Each value is an array with one λ per layer (equal entries for a global rule).

    >>> a = architecture(input_dim=8, width=16, depth=1, n_classes=3, parametrization="standard")
    >>> b = architecture(input_dim=8, width=64, depth=1, n_classes=3, parametrization="standard")
    >>> lams = camp_lambdas(0.5, a, b, optimizer="adamw-coupled", lr_scaling="mup")
    >>> [lams[r].tolist() for r in ("fixed", "sqrt", "linear")]
    [[0.5, 0.5], [1.0, 1.0], [2.0, 2.0]]
    >>> lams["per_tensor"].tolist()  # μP Adam: input η fixed, readout η ∝ 1/P, η_l λ_l fixed
    [0.5, 2.0]
    """
    lam0 = _number("lam0", lam0, check_positive)
    layers_from = check_layers(layers_from, "layers_from")
    layers_to = check_layers(layers_to, "layers_to")
    sizes_from = [(x.fan_in, x.fan_out) for x in layers_from]
    sizes_to = [(x.fan_in, x.fan_out) for x in layers_to]
    if len(sizes_to) != len(sizes_from) or (sizes_to[0][0], sizes_to[-1][1]) != (
        sizes_from[0][0],
        sizes_from[-1][1],
    ):
        raise ValueError(
            "layers_to must have the depth, input and output sizes of layers_from (only the "
            f"width changes), got {sizes_from} -> {sizes_to}"
        )
    if sizes_to == sizes_from:
        raise ValueError(f"layers_to must have another width than layers_from, got {sizes_to}")
    check_choice("optimizer", optimizer, DECAYS)
    check_choice("lr_scaling", lr_scaling, LR_SCALINGS)
    r = layers_to[0].fan_out / layers_from[0].fan_out
    n_layers = len(layers_to)
    ones = np.ones(n_layers)
    model = transfer_model(
        _shapes(layers_from),
        _shapes(layers_to),
        lam=lam0,
        parametrization="standard",
        optimizer=optimizer,
        lr_scaling=lr_scaling,
        layout="in_out",
    )
    return {
        "fixed": lam0 * ones,
        "sqrt": lam0 * np.sqrt(r) * ones,
        "linear": lam0 * r * ones,
        "mean": lam0 * n_penalized(layers_from) / n_penalized(layers_to) * ones,
        "per_tensor": np.array([model.tensors[f"W{i}"].lam for i in range(n_layers)]),
    }


def run_camps(
    *,
    dataset: str,
    n_train: int,
    depth: int,
    optimizer: str,
    lr_scaling: str,
    lr: float,
    widths: Sequence[int],
    seeds: Sequence[int],
    steps: int,
    grid_center: float,
    grid_exponent: float = 0.0,
    n_grid: int = 7,
    grid_step: float = 0.25,
    log=None,
) -> dict[str, np.ndarray]:
    """Tune a global λ per width, train every rule's λ, measure regrets (module docstring).

    Standard parametrization, bias-free ReLU MLP, every weight penalized, ``lr`` the base
    Adam rate ``η`` (per-layer ``η·r_l`` of :func:`training.models.lr_factors` with
    ``base_width = widths[0]``).  The grid has ``n_grid`` points ``grid_step`` decades apart,
    centred on ``grid_center·(P/P_0)^grid_exponent``.

    Returns ``widths``, ``p_total`` (W,), ``lams`` (W, slots), ``test_loss`` (W, slots, seeds),
    ``lam_star`` (W,), ``lam_star_edge`` (W,), ``exponent`` and ``exponent_se`` (of λ*_sum;
    s.e. from the spread of per-seed slopes), ``best_loss`` (W,), ``tail_decrease`` (W,): the
    relative decrease of the training objective over the last quarter of the steps at the
    tuned λ (median over seeds), and per rule ``rule_lam/<rule>`` (W, layers),
    ``loss/<rule>`` (W, seeds), ``regret/<rule>`` and ``regret_se/<rule>`` (W,).

    >>> out = run_camps(dataset="teacher", n_train=64, depth=1, optimizer="adamw-coupled",
    ...                 lr_scaling="none", lr=0.01, widths=[8, 32], seeds=[0, 1], steps=10,
    ...                 grid_center=0.1, n_grid=3, grid_step=1.0)
    >>> out["test_loss"].shape, out["rule_lam/per_tensor"].shape, out["regret/sqrt"].shape
    ((2, 7, 2), (2, 2), (2,))
    """
    check_choice("dataset", dataset, data_mod.DATASETS)
    n_train = check_int("n_train", n_train, minimum=1)
    if isinstance(depth, (bool, np.bool_)) or depth not in (1, 2, 3):
        raise ValueError(f"depth must be 1, 2 or 3 hidden layers, got {depth!r}")
    check_choice("optimizer", optimizer, DECAYS)
    check_choice("lr_scaling", lr_scaling, LR_SCALINGS)
    lr = _number("lr", lr, check_positive)
    if isinstance(widths, (str, bytes)) or not isinstance(widths, (list, tuple, np.ndarray)):
        raise ValueError(f"widths must be a list of >= 2 integers, got {widths!r}")
    widths = [check_int("widths", w, minimum=1) for w in widths]
    if len(widths) < 2 or sorted(set(widths)) != widths:
        raise ValueError(f"widths must be >= 2 strictly increasing integers, got {widths}")
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, (list, tuple, np.ndarray)):
        raise ValueError(f"seeds must be a list of >= 2 seeds, got {seeds!r}")
    seeds = [check_seed("seeds", s) for s in seeds]
    if len(seeds) < 2:
        raise ValueError(f"seeds must hold >= 2 seeds (standard errors), got {seeds!r}")
    steps = check_int("steps", steps, minimum=4)
    grid_center = _number("grid_center", grid_center, check_positive)
    grid_exponent = _number("grid_exponent", grid_exponent, check_finite)
    n_grid = check_int("n_grid", n_grid, minimum=3)
    grid_step = _number("grid_step", grid_step, check_positive)
    if log is not None:
        check_callable("log", log)
    kwargs = {"n_train": n_train} | ({"n_test": 2000} if dataset == "teacher" else {})
    data = data_mod.load(dataset, **kwargs)
    config = TrainConfig(optimizer=optimizer, steps=steps)
    offsets = (np.arange(n_grid) - (n_grid - 1) / 2) * grid_step
    separate = optimizer == "adamw-coupled" and lr_scaling != "none"
    global_rules = [r for r in CAMP_RULES if r != "per_tensor"]
    n_slots = n_grid + len(global_rules)
    arch = {"depth": depth, "n_classes": data.n_classes, "parametrization": "standard"}
    layers0 = architecture(input_dim=data.input_dim, width=widths[0], **arch)
    out: dict[str, list] = {k: [] for k in ("lams", "test_loss", "p_total", "tail")}
    rules: dict[str, list] = {f"{k}/{r}": [] for k in ("rule_lam", "loss") for r in CAMP_RULES}
    lam0 = None
    for width in widths:
        layers = architecture(input_dim=data.input_dim, width=width, **arch)
        factors = lr_factors(
            layers,
            parametrization="standard",
            optimizer=optimizer,
            lr_scaling=lr_scaling,
            base_width=widths[0],
        )
        train = {"seeds": seeds, "lr": lr * np.asarray(factors), "base_lr": lr, "config": config}
        grid = grid_center * (width / widths[0]) ** grid_exponent * 10**offsets
        carried = None
        if lam0 is not None:
            carried = camp_lambdas(
                lam0, layers0, layers, optimizer=optimizer, lr_scaling=lr_scaling
            )
        extra = [] if carried is None else [float(carried[r][0]) for r in global_rules]
        lams = _slots(grid, extra, n_slots, grid_step)
        res = sweep(data, layers, lam_sums=lams, **train)
        mean = np.mean(res["test_loss"], axis=1)
        if lam0 is None:
            lam0 = lam_star(lams, mean)[0]
            carried = {r: np.full(len(layers), lam0) for r in CAMP_RULES}
        for r in CAMP_RULES:
            lam_r = carried[r]
            rules[f"rule_lam/{r}"].append(lam_r)
            if r == "per_tensor" and separate and width != widths[0]:
                rho = lam_r / lam_r[0]
                own = sweep(data, layers, lam_sums=[lam_r[0]], rho=rho, **train)
                rules[f"loss/{r}"].append(own["test_loss"][0])
            else:  # a global λ: the slot nearest it (exact: it was trained)
                j = int(np.argmin(np.abs(np.log(lams / lam_r[0]))))
                rules[f"loss/{r}"].append(res["test_loss"][j])
        best = int(np.argmin(np.where(np.isfinite(mean), mean, np.inf)))
        obj = res["objective"][best]  # [seed, step]
        q = steps - steps // 4
        out["tail"].append(float(np.median((obj[:, q - 1] - obj[:, -1]) / np.abs(obj[:, -1]))))
        out["lams"].append(lams)
        out["test_loss"].append(res["test_loss"])
        out["p_total"].append(n_penalized(layers))
        if log is not None:
            log(f"  {dataset} depth {depth} {optimizer} {lr_scaling} P={width}: "
                f"best test loss {mean[best]:.4f} at λ={lams[best]:.3g}")  # fmt: skip
    result = {
        "widths": np.asarray(widths, float),
        "p_total": np.asarray(out["p_total"], float),
        "lams": np.asarray(out["lams"]),
        "test_loss": np.asarray(out["test_loss"]),
        "tail_decrease": np.asarray(out["tail"]),
    }
    result.update({k: np.asarray(v, float) for k, v in rules.items()})
    result.update(_analyse(result))
    return result


def _analyse(result: dict) -> dict[str, np.ndarray]:
    widths, lams, test = result["widths"], result["lams"], result["test_loss"]
    n_w, _, n_seeds = test.shape
    mean = np.mean(test, axis=2)
    fit = fit_lam_stars(widths, lams, test)
    masked = np.where(np.isfinite(mean), mean, np.inf)
    best = np.argmin(masked, axis=1)
    out = {k: fit[k] for k in ("lam_star", "lam_star_edge", "exponent", "exponent_se")}
    out["best_loss"] = masked[np.arange(n_w), best]
    for r in CAMP_RULES:
        loss = result[f"loss/{r}"]  # [W, seed]
        diff = loss - test[np.arange(n_w), best]  # paired by seed (same initialization)
        out[f"regret/{r}"] = np.mean(loss, axis=1) - masked[np.arange(n_w), best]
        out[f"regret_se/{r}"] = np.std(diff, axis=1, ddof=1) / np.sqrt(n_seeds)
    return out
