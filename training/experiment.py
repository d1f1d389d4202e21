r"""Does the λ rule transfer in practice?  λ*(width), its exponent, and the transfer regret.

For one *setting* (data set, depth, parametrization, optimizer, learning rates) and
a list of widths, :func:`run_setting` trains ``len(seeds)`` networks at every λ of
a log grid (vmapped, :func:`training.train.sweep`) and records the test
cross-entropy after a fixed number of steps.  Then:

* ``λ*(P)`` minimizes the seed-averaged test loss (a parabola in ``log λ`` through
  the best grid point and its neighbours refines it); its uncertainty is the
  spread of the per-seed minimizers;
* the width exponent is the least-squares slope of ``log λ*`` on ``log P``, and
  its standard error the spread of the per-seed slopes;
* the **transfer regret** of a rule at width ``P`` is the test loss at the λ the
  rule carries from the smallest width, minus the best test loss over every λ
  trained at ``P`` (the re-tuned value, at the grid's resolution).  The rules:
  ``theory_sum`` / ``theory_mean`` (:func:`theory.parametrization.transfer_lambda`
  applied to λ*_sum or λ*_mean), ``features`` (:func:`theory.transfer.transfer` with
  ``penalized="all"`` and the setting's depth: every weight penalized, global minimizer),
  ``optimizer`` (:func:`theory.transfer.transfer` with the setting's optimizer and
  learning-rate scaling and ``penalized="readout"``: for GD the readout rule, ``theory_sum``;
  AdamW's sum rule is the same for either ``penalized``), ``naive_sum`` /
  ``naive_mean`` (the same number carried over).  The λ of every rule is trained
  exactly at every width (extra slots next to the grid), not interpolated.

λ is ``λ_sum`` of the objective of :mod:`training.train`, every weight penalized;
``λ_mean = P_total λ_sum`` with ``P_total`` the number of weights
(:func:`training.models.n_penalized`), so both normalizations come from one sweep.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from theory.checks import (
    check_choice,
    check_finite,
    check_instance,
    check_int,
    check_positive,
    check_seed,
)
from theory.parametrization import PARAMETRIZATIONS, transfer_lambda
from theory.transfer import LR_SCALINGS, OPTIMIZERS, transfer
from training import data as data_mod
from training.models import architecture, lr_factors, n_penalized
from training.train import TrainConfig, sweep

__all__ = [
    "RULES",
    "Setting",
    "check_setting",
    "lam_star",
    "fit_exponent",
    "fit_lam_stars",
    "rule_lambdas",
    "run_setting",
    "unique_names",
]

RULES = ("theory_sum", "theory_mean", "features", "optimizer", "naive_sum", "naive_mean")


def check_setting(setting) -> Setting:
    """Every field of ``setting`` in its domain (``ValueError`` naming the field)."""
    check_instance("setting", setting, Setting)
    check_choice("dataset", setting.dataset, data_mod.DATASETS)
    if isinstance(setting.depth, (bool, np.bool_)) or setting.depth not in (1, 2, 3):
        raise ValueError(f"depth must be 1, 2 or 3 hidden layers, got {setting.depth!r}")
    check_choice("parametrization", setting.parametrization, PARAMETRIZATIONS)
    check_choice("optimizer", setting.optimizer, OPTIMIZERS)
    check_positive("lr", setting.lr)
    check_choice("lr_scaling", setting.lr_scaling, LR_SCALINGS)
    check_int("base_width", setting.base_width, minimum=1)
    check_positive("grid_center", setting.grid_center)
    check_finite("grid_exponent", setting.grid_exponent)
    return setting


class Setting(NamedTuple):
    """One experimental setting; ``lr`` is the base learning rate η (per layer ``η·r_l``)."""

    dataset: str = "digits"
    depth: int = 1
    parametrization: str = "ntk"
    optimizer: str = "sgd"
    lr: float = 1.0
    lr_scaling: str = "none"
    base_width: int = 16  # width at which the lr factors r_l equal 1
    grid_center: float = 1e-4  # λ_sum at the centre of the grid at the smallest width
    grid_exponent: float = 0.0  # the grid's centre follows λ ∝ P^grid_exponent

    @property
    def name(self) -> str:
        """``dataset-depth-parametrization-optimizer``: the key of this setting's results
        (:func:`unique_names` refuses two settings of one run that share it)."""
        return f"{self.dataset}-{self.depth}-{self.parametrization}-{self.optimizer}"

    @classmethod
    def parse(cls, name: str) -> Setting:
        """The setting :attr:`name` names (its other fields at their defaults).

        >>> s = Setting.parse("mnist1d-2-mean_field-adamw-coupled")
        >>> s.dataset, s.depth, s.parametrization, s.optimizer
        ('mnist1d', 2, 'mean_field', 'adamw-coupled')
        >>> Setting.parse(s.name) == s
        True
        """
        parts = str(name).split("-", 3)
        if len(parts) != 4 or not parts[1].isdigit():
            raise ValueError(
                f"name must read dataset-depth-parametrization-optimizer, got {name!r}"
            )
        dataset, depth, parametrization, optimizer = parts
        return cls(dataset, int(depth), parametrization, optimizer)


def unique_names(settings) -> list[str]:
    """The :attr:`Setting.name` of each setting; ``ValueError`` if two share one (settings
    that differ only in a field the name does not carry, e.g. ``lr``, would overwrite each
    other's results).

    >>> unique_names([Setting(lr=1.0), Setting(lr=0.5)])
    Traceback (most recent call last):
    ...
    ValueError: settings 0 and 1 share the name 'digits-1-ntk-sgd' (they differ in lr); give them different dataset, depth, parametrization or optimizer, or run them separately
    """
    settings = list(settings)
    seen: dict[str, int] = {}
    for i, setting in enumerate(settings):
        if not isinstance(setting, Setting):
            raise ValueError(
                f"settings[{i}] must be a training.experiment.Setting, got {setting!r}"
            )
        if setting.name in seen:
            j = seen[setting.name]
            other = settings[j]
            fields = [f for f in Setting._fields if getattr(setting, f) != getattr(other, f)]
            raise ValueError(
                f"settings {j} and {i} share the name {setting.name!r} (they differ in "
                f"{', '.join(fields) or 'nothing'}); give them different dataset, depth, "
                "parametrization or optimizer, or run them separately"
            )
        seen[setting.name] = i
    return list(seen)


def lam_star(lams: np.ndarray, losses: np.ndarray) -> tuple[float, bool]:
    """``(λ*, at_edge)``: minimizer of ``losses`` over ``lams``, refined by a parabola in log λ.

    Non-finite losses (diverged runs) count as +∞; if every loss is, ``ValueError``.
    ``at_edge`` is true when the best
    point is the smallest or largest λ (then λ* is only a bound).

    >>> lams = np.logspace(-4, 0, 9)
    >>> round(lam_star(lams, (np.log10(lams) + 2.2) ** 2)[0], 6)
    0.00631
    >>> lam_star(lams, -np.log10(lams))[1]
    True
    """
    lams = check_positive("lams", lams)
    try:
        losses = np.asarray(losses, dtype=np.float64)  # NaN/inf allowed: diverged runs
    except (TypeError, ValueError) as exc:
        raise ValueError(f"losses must be an array of numbers, got {losses!r}") from exc
    if lams.ndim != 1 or lams.size == 0 or losses.shape != lams.shape:
        raise ValueError(
            f"lams and losses must be 1-d of one length >= 1, got shapes {lams.shape} and "
            f"{losses.shape}"
        )
    if np.unique(lams).size != lams.size:
        raise ValueError(f"lams must be distinct, got {lams.tolist()}")
    order = np.argsort(lams)
    x = np.log10(lams[order])
    y = np.where(np.isfinite(losses), losses, np.inf)[order]
    if not np.any(np.isfinite(y)):  # every run diverged: no λ is better than another
        raise ValueError(f"losses must hold at least one finite value, got {losses.tolist()}")
    i = int(np.argmin(y))
    if i == 0 or i == len(x) - 1 or not np.all(np.isfinite(y[i - 1 : i + 2])):
        return float(10 ** x[i]), i in (0, len(x) - 1)
    a, b, _ = np.polyfit(x[i - 1 : i + 2], y[i - 1 : i + 2], 2)
    vertex = -b / (2 * a) if a > 0 else x[i]
    return float(10 ** np.clip(vertex, x[i - 1], x[i + 1])), False


def fit_exponent(widths, lam_stars) -> float:
    """Least-squares slope of ``log λ*`` on ``log P``.

    >>> fit_exponent([16, 64, 256], [1e-3, 4e-3, 1.6e-2])
    1.0
    """
    w = check_positive("widths", widths)
    lam = check_positive("lam_stars", lam_stars)
    if w.ndim != 1 or lam.shape != w.shape or np.unique(w).size < 2:
        raise ValueError(
            f"widths and lam_stars must be 1-d of one length with >= 2 distinct widths, got "
            f"widths={w.tolist()}, lam_stars={lam.tolist()}"
        )
    slope = np.polyfit(np.log(w), np.log(lam), 1)[0]
    return round(float(slope), 12)


def fit_lam_stars(xs, lams, test) -> dict[str, np.ndarray]:
    """λ*(x) of the seed-averaged test losses, and λ*'s exponent in ``x`` ± s.e. over seeds.

    ``test`` is ``[x, λ, seed]`` (at least two seeds); ``lams`` the λ trained, one grid for
    every ``x`` (1-d) or one per ``x`` (``[x, λ]``).  Returns ``lam_star``, ``lam_star_edge``
    (:func:`lam_star` on the mean over seeds), ``lam_star_seeds`` ``[x, seed]``, ``exponent``
    (:func:`fit_exponent` of ``lam_star``) and ``exponent_se``: the standard deviation of the
    per-seed slopes over √(seeds).

    >>> lams = np.logspace(-3, 1, 17)  # minima at 10^(-2 - 0.01 s) · x: inside the grid
    >>> test = np.stack([np.stack([(np.log10(lams) + 2 - np.log10(x) + 0.01 * s) ** 2
    ...                            for s in range(3)], axis=1) for x in (1, 10, 100)])
    >>> out = fit_lam_stars([1, 10, 100], lams, test)
    >>> float(out["exponent"]), bool(out["exponent_se"] < 1e-9)
    (1.0, True)
    """
    xs = check_positive("xs", xs)
    if xs.ndim != 1 or np.unique(xs).size < 2:
        raise ValueError(f"xs must be 1-d with >= 2 distinct values, got {xs.tolist()}")
    test_in = test
    test = np.asarray(test)  # its own dtype: a float32 sweep's λ* as computed from it
    if (
        not np.issubdtype(test.dtype, np.floating)
        or test.ndim != 3
        or test.shape[0] != xs.size
        or test.shape[2] < 2
    ):
        what = f"shape {test.shape}" if isinstance(test_in, np.ndarray) else repr(test_in)[:80]
        raise ValueError(
            f"test must be a float array [x, λ, seed] with len(xs) = {xs.size} rows and >= 2 "
            f"seeds, got {what}"
        )
    lams_in = lams
    lams = check_positive("lams", lams)  # NaN losses are diverged runs; λ must be > 0
    if lams.shape not in ((test.shape[1],), test.shape[:2]):
        raise ValueError(
            f"lams must be one grid ({test.shape[1]},) or one per x {test.shape[:2]}, got "
            f"shape {lams.shape}: {lams_in!r:.80}"
        )
    grids = np.broadcast_to(lams, test.shape[:2])
    mean = np.mean(test, axis=2)
    star, edge = zip(*(lam_star(g, m) for g, m in zip(grids, mean, strict=True)), strict=True)
    n_seeds = test.shape[2]
    seeds = np.array([[lam_star(g, t[:, s])[0] for s in range(n_seeds)]
                      for g, t in zip(grids, test, strict=True)])  # fmt: skip
    slopes = [fit_exponent(xs, seeds[:, s]) for s in range(n_seeds)]
    return {
        "lam_star": np.asarray(star),
        "lam_star_edge": np.asarray(edge),
        "lam_star_seeds": seeds,
        "exponent": np.asarray(fit_exponent(xs, star)),
        "exponent_se": np.asarray(np.std(slopes, ddof=1) / np.sqrt(n_seeds)),
    }


def rule_lambdas(
    setting: Setting, lam_small: float, *, width_from: int, width_to: int, p_from: int, p_to: int
) -> dict[str, float]:
    """λ_sum at ``width_to`` for each rule in :data:`RULES`, from λ*_sum at ``width_from``.

    ``p_from`` / ``p_to`` are the numbers of penalized weights (``λ_mean = P_total λ_sum``).
    """
    check_setting(setting)
    check_positive("lam_small", lam_small)
    p_from = check_int("p_from", p_from, minimum=1)
    p_to = check_int("p_to", p_to, minimum=1)
    par = setting.parametrization
    kw = {"width_from": width_from, "width_to": width_to, "parametrization": par}
    lam_mean_small = lam_small * p_from
    return {
        "theory_sum": transfer_lambda(lam_small, normalization="sum", **kw),
        "theory_mean": transfer_lambda(lam_mean_small, normalization="mean", **kw) / p_to,
        "features": transfer(
            lam_small, normalization="sum", penalized="all", depth=setting.depth, **kw
        ).lam,
        # the sum's AdamW exponent does not depend on which weights decay; for GD this is
        # the readout rule (theory_sum)
        "optimizer": transfer(
            lam_small,
            normalization="sum",
            optimizer=setting.optimizer,
            lr_scaling=setting.lr_scaling,
            penalized="readout",
            **kw,
        ).lam,
        "naive_sum": lam_small,
        "naive_mean": lam_mean_small / p_to,
    }


def _slots(grid: np.ndarray, extra: Sequence[float], n_slots: int, step: float) -> np.ndarray:
    """The grid, then the distinct ``extra`` values, padded by extending the grid outward."""
    lams = list(grid)
    for value in extra:
        if not np.any(np.isclose(value, lams, rtol=1e-9, atol=0)):
            lams.append(float(value))
    lo, hi = np.log10(grid[0]), np.log10(grid[-1])
    for k in range(1, n_slots):  # alternately one step below and above the grid
        for edge in (lo - k * step, hi + k * step):
            if len(lams) < n_slots:
                lams.append(10**edge)
    if len(lams) > n_slots:
        raise ValueError(f"n_slots={n_slots} is too small for {len(lams)} distinct λ values")
    return np.asarray(lams)


def run_setting(
    setting: Setting,
    *,
    widths: Sequence[int],
    seeds: Sequence[int],
    steps: int,
    n_train: int,
    n_grid: int = 7,
    grid_step: float = 0.5,
    n_extra: int = 4,
    batch_size: int | None = None,
    log=None,
) -> dict[str, np.ndarray]:
    """Train, find λ*(P), fit the exponent, measure the transfer regrets (see module docstring).

    Returns arrays: ``widths`` (W,), ``p_total`` (W,), ``lams`` (W, slots) λ_sum trained,
    ``test_loss``, ``train_loss``, ``test_acc`` (W, slots, seeds), ``lam_star`` (W,) and
    ``lam_star_seeds`` (W, seeds), ``lam_star_edge`` (W,), ``exponent_sum`` and
    ``exponent_sum_se`` (the mean normalization adds the exponent of ``P_total``),
    ``exponent_mean``, ``best_loss`` (W,), and per rule ``rule_lam/<rule>``,
    ``regret/<rule>``, ``regret_se/<rule>`` (W,).

    >>> out = run_setting(Setting(dataset="teacher", lr=1.0, grid_center=1e-3),
    ...                   widths=[8, 16], seeds=[0, 1], steps=20, n_train=64, n_grid=3,
    ...                   grid_step=1.0, n_extra=4)
    >>> out["lams"].shape, out["test_loss"].shape, float(out["regret/naive_sum"][0])
    ((2, 7), (2, 7, 2), 0.0)
    """
    check_setting(setting)
    if isinstance(widths, (str, bytes)) or not isinstance(widths, (list, tuple, np.ndarray)):
        raise ValueError(f"widths must be a list of >= 2 integers, got {widths!r}")
    widths = [check_int("widths", w, minimum=1) for w in widths]
    if len(widths) < 2 or sorted(widths) != widths or len(set(widths)) != len(widths):
        raise ValueError(f"widths must be >= 2 strictly increasing integers, got {widths}")
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, (list, tuple, np.ndarray)):
        raise ValueError(f"seeds must be a list of >= 2 seeds, got {seeds!r}")
    if len(seeds) < 2:  # the standard errors are spreads over seeds
        raise ValueError(f"seeds must hold >= 2 seeds (standard errors), got {seeds!r}")
    seeds = [check_seed("seeds", s) for s in seeds]
    steps = check_int("steps", steps, minimum=1)
    n_train = check_int("n_train", n_train, minimum=1)
    n_grid = check_int("n_grid", n_grid, minimum=3)  # λ* needs a best point and neighbours
    grid_step = float(check_positive("grid_step", grid_step))
    n_extra = check_int("n_extra", n_extra, minimum=0)
    if batch_size is not None:
        check_int("batch_size", batch_size, minimum=1)
    kwargs = {"n_train": n_train}
    if setting.dataset == "teacher":
        kwargs["n_test"] = 2000
    data = data_mod.load(setting.dataset, **kwargs)
    config = TrainConfig(optimizer=setting.optimizer, steps=steps, batch_size=batch_size)
    n_slots = n_grid + n_extra
    offsets = (np.arange(n_grid) - (n_grid - 1) / 2) * grid_step
    p_total = []
    out: dict[str, list] = {k: [] for k in ("lams", "test_loss", "train_loss", "test_acc")}
    rules: dict[str, list] = {r: [] for r in RULES}
    lam_small = None
    for width in widths:
        layers = architecture(
            input_dim=data.input_dim,
            width=width,
            depth=setting.depth,
            n_classes=data.n_classes,
            parametrization=setting.parametrization,
        )
        p_total.append(n_penalized(layers))
        center = setting.grid_center * (width / widths[0]) ** setting.grid_exponent
        grid = center * 10**offsets
        if lam_small is None:
            extra = []
        else:
            lam_rules = rule_lambdas(
                setting,
                lam_small,
                width_from=widths[0],
                width_to=width,
                p_from=p_total[0],
                p_to=p_total[-1],
            )
            extra = [lam_rules[r] for r in RULES]
            for r in RULES:
                rules[r].append(lam_rules[r])
        lams = _slots(grid, extra, n_slots, grid_step)
        factors = lr_factors(
            layers,
            parametrization=setting.parametrization,
            optimizer=setting.optimizer,
            lr_scaling=setting.lr_scaling,
            base_width=setting.base_width,
        )
        res = sweep(
            data,
            layers,
            lam_sums=lams,
            seeds=seeds,
            lr=setting.lr * np.asarray(factors),
            base_lr=setting.lr,
            config=config,
        )
        out["lams"].append(lams)
        for k in ("test_loss", "train_loss", "test_acc"):
            out[k].append(res[k])
        if lam_small is None:
            lam_small = lam_star(lams, np.mean(res["test_loss"], axis=1))[0]
            for r in RULES:
                rules[r].append(lam_small)
        if log is not None:
            best = np.nanmin(np.mean(res["test_loss"], axis=1))
            log(f"  {setting.name} P={width}: best test loss {best:.4f}")
    result = {k: np.asarray(v) for k, v in out.items()}
    result["widths"] = np.asarray(widths, float)
    result["p_total"] = np.asarray(p_total, float)
    result.update(_analyse(result, rules))
    return result


def _analyse(result: dict, rules: dict) -> dict[str, np.ndarray]:
    widths, lams, test = result["widths"], result["lams"], result["test_loss"]
    n_w, _, n_seeds = test.shape
    mean = np.mean(test, axis=2)
    fit = fit_lam_stars(widths, lams, test)
    e_sum = float(fit["exponent"])
    # exponent of P_total in the width, over the same widths (1 for one hidden layer)
    e_count = fit_exponent(widths, result["p_total"])
    masked = np.where(np.isfinite(mean), mean, np.inf)
    best = np.argmin(masked, axis=1)
    out = {
        "lam_star": fit["lam_star"],
        "lam_star_seeds": fit["lam_star_seeds"],
        "lam_star_edge": fit["lam_star_edge"],
        "exponent_sum": np.asarray(e_sum),
        "exponent_sum_se": fit["exponent_se"],
        "exponent_mean": np.asarray(e_sum + e_count),
        "best_loss": masked[np.arange(n_w), best],
    }
    for r, values in rules.items():
        values = np.asarray(values, float)
        regret, se = np.empty(n_w), np.empty(n_w)
        for i in range(n_w):
            j = int(np.argmin(np.abs(np.log(lams[i] / values[i]))))
            diff = test[i, j] - test[i, best[i]]
            regret[i] = masked[i, j] - masked[i, best[i]]
            se[i] = np.std(diff, ddof=1) / np.sqrt(n_seeds) if n_seeds > 1 else np.nan
        out[f"rule_lam/{r}"] = values
        out[f"regret/{r}"] = regret
        out[f"regret_se/{r}"] = se
    return out
