"""L-BFGS sweeps (``training.stationary``): lanes one after another vs vmapped lanes, and
the lanes split over the devices one by one vs by λ.

``stationary_sweep`` runs its (network, λ, seed) lanes one after another on each device
(``lax.map`` inside ``jax.shard_map``), the lanes dealt out one by one
(:func:`training.stationary._lane_order`).  Two baselines, built here from the same per-lane
run :func:`training.stationary._lbfgs_run`, are what it did before: one vmap over the
lanes, its λ axis partitioned over the devices by XLA (until 2026-12-03); and the lanes in
turn with the λ axis split over the devices (until 2026-12-04: 3 λ padded to 4 on 2
devices, so each device ran 18 lanes where 14 now).  Workloads shaped like one call of
``network_exponents`` (3 parametrizations × 3 λ × 3 seeds, one hidden layer,
kink-aware measure with 100 steps): digits N = 20 and MNIST-1D (templates 2, 3) N = 100,
widths 8 and 256, 1000 L-BFGS iterations.  Each variant is called twice (cold: compiles;
warm); ratio = baseline / new, warm; the results are compared entry by entry.
"""

from __future__ import annotations

from functools import cache, partial

import numpy as np

from benchmarks.bench_training import _best_of_two, ratio_row


@cache
def _vmapped_program(config):
    """The pre-2026-12-03 program: every lane vmapped (jitted once per config, so that the
    warm call of the baseline, like the library's, compiles nothing)."""
    import jax

    from training import stationary as st

    run = partial(st._lbfgs_run, config=config)
    over_seeds = jax.vmap(run, in_axes=(0, None, None, None, None, None))
    over_lams = jax.vmap(over_seeds, in_axes=(None, 0, None, None, None, None))
    return jax.jit(jax.vmap(over_lams, in_axes=(None, 0, None, None, 0, 0)))


@cache
def _lam_split_program(config):
    """The 2026-12-03 program: lanes in turn, each device running its block of the λ axis."""
    import jax
    import jax.numpy as jnp

    from theory._shard import over_lane_devices
    from training import stationary as st

    def in_turn(noise, lam, x, y, mult, std):
        n_nets, n_lams, n_seeds = lam.shape[0], lam.shape[1], noise[0].shape[0]
        grid = jnp.meshgrid(*map(jnp.arange, (n_nets, n_lams, n_seeds)), indexing="ij")

        def one(lane):
            k, j, s = lane
            return st._lbfgs_run([z[s] for z in noise], lam[k, j], x, y, mult[k], std[k],
                                 config=config)  # fmt: skip

        out = jax.lax.map(one, tuple(g.ravel() for g in grid))
        return jax.tree.map(lambda a: a.reshape((n_nets, n_lams, n_seeds) + a.shape[1:]), out)

    return jax.jit(over_lane_devices(in_turn, lane_args=(False, True, False, False, False, False)))


def _old_sweep(program, data, nets, lams, seeds, config):
    """A baseline ``stationary_sweep``: ``program(config)`` on the λ axis padded to a multiple
    of the devices and split over them (XLA partitions the vmapped one)."""
    import jax

    from training import stationary as st

    with jax.enable_x64(True):
        noise, lam, x, y, mult, std, _ = st._prepare(data, nets, lams, seeds, None)
        lam, n_lams = st._shard_lams(lam, True)
        out = st._unpad(st.gather(program(config)(noise, lam, x, y, mult, std)), n_lams)
        return st._finish(out, data, mult, False)


def run() -> list[dict]:
    import jax

    from theory.parametrization import PARAMETRIZATIONS
    from training.data import load
    from training.models import architecture
    from training.stationary import StationaryConfig, stationary_sweep

    config = StationaryConfig(iterations=1000, kink_tol=1e-2, clarke_steps=100, window=50)
    seeds = [0, 1, 2]
    rows = []
    cases = (
        ("digits", {"n_train": 20}, 2e-3),
        ("mnist1d", {"n_train": 100, "classes": [2, 3]}, 3e-2),
    )
    for name, kwargs, lam in cases:
        data = load(name, **kwargs)
        for width in (8, 256):
            nets = [
                architecture(input_dim=data.input_dim, width=width, depth=1,
                             n_classes=data.n_classes, parametrization=p)
                for p in PARAMETRIZATIONS
            ]  # fmt: skip
            lams = np.tile(lam * np.array([1 / 3, 1.0, 3.0]), (len(nets), 1))
            kw = {"lam_sums": lams, "seeds": seeds, "config": config}
            new = _best_of_two(partial(stationary_sweep, data, nets, **kw))
            split = _best_of_two(
                partial(_old_sweep, _lam_split_program, data, nets, lams, seeds, config)
            )
            base = _best_of_two(
                partial(_old_sweep, _vmapped_program, data, nets, lams, seeds, config)
            )
            metric = (
                f"stationary_sweep {name} N={len(data.y_train)}, width {width}, "
                "27 lanes x 1000 L-BFGS iterations, lanes in turn (warm)"
            )
            for label, old, what in (
                ("", base, "vmapped lanes"),
                (", split lane by lane", split, "lanes in turn split by λ"),
            ):
                diff = max(
                    float(np.max(np.abs(new[2][k] - old[2][k]))) for k in ("objective", "test_loss")
                )
                note = (
                    f"baseline: {what}; {jax.device_count()} devices; "
                    f"max |Δ objective, test loss| {diff:.1e}"
                )
                rows.append(ratio_row(metric + label, new, old, note))
    return rows
