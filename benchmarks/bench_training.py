"""Training sweeps: the full ``training_transfer`` computation, and vmap vs a Python loop over λ.

* The full sweep is ``figures.training_transfer.compute(**CONFIG)`` in this process
  (JAX already imported, every program compiled inside the timing): target < 10 min.
* The vmap speed-up is measured on one setting of that sweep (digits, one hidden
  layer, NTK, GD; its λ grid, seeds and steps) at three widths: ``training.sweep``
  (λ × seeds vmapped, in chunks that fit the cache) against ``training.sweep_loop``
  (a Python loop over λ, each call vmapped over the seeds).  Each side compiles its
  program once inside its timing, as a fresh run would.
"""

from __future__ import annotations

import time

import numpy as np


def _vmap_vs_loop(width: int) -> tuple[float, float]:
    from figures.training_transfer import CONFIG
    from training.data import digits
    from training.models import architecture
    from training.train import TrainConfig, sweep, sweep_loop

    data = digits(n_train=CONFIG["n_train"])
    layers = architecture(input_dim=64, width=width, depth=1, n_classes=10, parametrization="ntk")
    n = CONFIG["n_grid"] + CONFIG["n_extra"]
    kw = {
        "lam_sums": 1e-4 * 10 ** (0.5 * (np.arange(n) - n / 2)),
        "seeds": CONFIG["seeds"],
        "lr": 4.0,
        "config": TrainConfig(steps=CONFIG["steps"]),
    }
    times = []
    for fn in (sweep, sweep_loop):
        t0 = time.perf_counter()
        fn(data, layers, **kw)
        times.append(time.perf_counter() - t0)
    return times[0], times[1]


def run() -> list[dict]:
    from figures.training_transfer import CONFIG, compute

    rows = []
    n_models = (CONFIG["n_grid"] + CONFIG["n_extra"]) * len(CONFIG["seeds"])
    for width in (16, 256, 2048):
        t_vmap, t_loop = _vmap_vs_loop(width)
        rows.append(
            {
                "metric": f"sweep of {n_models} networks, width {width} (vmap over λ × seeds)",
                "value": t_vmap,
                "unit": "s",
                "baseline": t_loop,
                "ratio": t_loop / t_vmap,
                "note": "baseline: Python loop over λ; ratio = loop / vmap (>1: vmap faster)",
            }
        )
    t0 = time.perf_counter()
    compute(**CONFIG)
    rows.append(
        {
            "metric": "full training_transfer sweep (compute, all settings)",
            "value": time.perf_counter() - t0,
            "unit": "s",
            "target": "< 600",
        }
    )
    return rows
