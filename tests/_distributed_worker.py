"""One process of the multi-process test in ``tests/test_shard.py`` (not a test module).

``python -m tests._distributed_worker PROCESS_ID NUM_PROCESSES PORT LOCAL_DEVICES OUT``: joins
a JAX job of ``NUM_PROCESSES`` processes on this host (``jax.distributed.initialize``, CPU
collectives over Gloo), each with ``LOCAL_DEVICES`` CPU host devices, runs the sharded
sweeps of :func:`cases` over all of the job's devices and writes what it got back to
``OUT-<PROCESS_ID>.npz``.  The same call on several hosts is the multi-host case.
"""

from __future__ import annotations

import sys


def cases():
    """``{name: (function, kwargs)}`` the test runs here sharded and in its own process unsharded."""
    import numpy as np

    from bayes import diagnostics, models
    from training import data as data_mod
    from training.models import architecture
    from training.stationary import StationaryConfig, budget_sweep, stationary_sweep
    from training.train import TrainConfig, sweep

    digits = data_mod.digits(n_train=40)
    net = architecture(input_dim=64, width=16, depth=1, n_classes=10, parametrization="ntk")
    nets = [architecture(input_dim=64, width=8, depth=1, n_classes=10, parametrization=p)
            for p in ("standard", "ntk", "mean_field")]  # fmt: skip
    lams = np.tile(np.logspace(-3, -1, 3), (3, 1))
    x_lin = np.random.default_rng(14).standard_normal((15, 3))
    sbc_kw = dict(params=["s", "sigma"], n_sims=10, n_bins=2, num_warmup=40, num_samples=20,
                  thin=4, seed=3, batch=4, log=lambda _: None, prior_exponent=1.0)  # fmt: skip
    return {
        "sweep": (sweep, dict(data=digits, layers=net, lam_sums=np.logspace(-4, -1, 5),
                              seeds=[0, 1], lr=0.1, config=TrainConfig(steps=30), chunk=2)),
        "stationary": (stationary_sweep, dict(data=digits, nets=nets, lam_sums=lams, seeds=[1],
                                              config=StationaryConfig(iterations=80,
                                                                      clarke_steps=5))),
        "budget": (budget_sweep, dict(data=digits, nets=nets, lam_sums=lams, seeds=[1],
                                      lr=np.full((3, 2), 0.05), steps=60)),
        "sbc": (lambda **kw: {"ranks": diagnostics.sbc(
            models.noncentered(models.linear_regression), x_lin, **kw).ranks}, sbc_kw),
    }  # fmt: skip


def main(argv: list[str]) -> None:
    process_id, num_processes, port, local_devices, out = argv
    import bayes

    bayes.setup(host_devices=int(local_devices))  # before JAX starts a backend
    import jax

    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    jax.distributed.initialize(
        coordinator_address=f"127.0.0.1:{port}",
        num_processes=int(num_processes),
        process_id=int(process_id),
    )
    import numpy as np

    got = {"devices": np.asarray([jax.process_count(), jax.device_count()])}
    for name, (fn, kw) in cases().items():
        got.update({f"{name}/{k}": np.asarray(v) for k, v in fn(shard=True, **kw).items()})
    np.savez(f"{out}-{process_id}.npz", **got)
    jax.distributed.shutdown()


if __name__ == "__main__":
    main(sys.argv[1:])
