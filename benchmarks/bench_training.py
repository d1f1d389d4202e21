"""Training sweeps: the full ``training_transfer`` computation, and vmap vs a Python loop over λ.

* The full sweep is ``figures.training_transfer.compute(**CONFIG)`` in this process
  (JAX already imported, every program compiled inside the timing), run through
  ``figures.compute_cached(..., force=True)`` so that the figure cache is filled as a
  side effect (a following ``python -m figures training_transfer`` only plots):
  target < 10 min.
* A frozen hidden layer (:func:`frozen_row`): ``gradient_view``'s random-features runs
  with the hidden layer's output computed once, against every layer stepped.
* The vmap speed-up is measured on one setting of that sweep (digits, one hidden
  layer, NTK, GD; as many λ, seeds and steps as the sweep uses) at three widths:
  ``training.sweep`` with one vmap over all λ × seeds, and with its default chunking
  (:func:`training.train.chunk_size`), against a Python loop over λ (each call vmapped
  over the seeds; ``training.sweep_loop``).  Each is run twice: cold (compiling its
  program, as a fresh run does) and warm.
"""

from __future__ import annotations

import time

import numpy as np


def _timings(width: int) -> dict[str, tuple[float, float]]:
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
    variants = {
        "vmap_all": lambda: sweep(data, layers, chunk=n, **kw),
        "vmap_default": lambda: sweep(data, layers, **kw),
        "loop": lambda: sweep_loop(data, layers, **kw),
    }
    out = {}
    for name, fn in variants.items():
        times = []
        for _ in range(2):  # cold (compiles), then warm
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        out[name] = (times[0], times[1])
    return out


def _best_of_two(fn) -> tuple[float, float, object]:
    """(cold, warm) seconds of two calls of ``fn`` and the second call's result."""
    times = []
    for _ in range(2):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return times[0], times[1], out


def ratio_row(metric: str, new, base, note: str) -> dict:
    """A result row: warm seconds of ``new`` against ``base`` (each from :func:`_best_of_two`)."""
    return {
        "metric": metric,
        "value": new[1],
        "unit": "s",
        "baseline": base[1],
        "ratio": base[1] / new[1],
        "note": f"{note}; cold {new[0]:.1f} s vs {base[0]:.1f} s",
    }


def shard_rows() -> list[dict]:
    """Lanes split over every JAX device (``theory._shard``) vs one device, same process.

    Two workloads: a ``training.sweep`` (digits, width 512, 9 λ × 3 seeds, 160 GD steps) and
    a ``stationary_sweep`` shaped like ``network_exponents`` (3 parametrizations × 9 λ × 3
    seeds, width 64, 400 L-BFGS iterations, N = 20).  Ratio = one device / all devices
    (warm); the results are compared entry by entry.
    """
    import jax

    from training.data import digits
    from training.models import architecture
    from training.stationary import StationaryConfig, stationary_sweep
    from training.train import TrainConfig, sweep

    rows = []
    n_dev = jax.device_count()
    data = digits(n_train=200)
    net = architecture(input_dim=64, width=512, depth=1, n_classes=10, parametrization="ntk")
    kw = dict(lam_sums=np.logspace(-5, -2, 9), seeds=[0, 1, 2], lr=4.0,
              config=TrainConfig(steps=160))  # fmt: skip
    small = digits(n_train=20)
    nets = [architecture(input_dim=64, width=64, depth=1, n_classes=10, parametrization=p)
            for p in ("standard", "ntk", "mean_field")]  # fmt: skip
    skw = dict(lam_sums=np.tile(np.logspace(-4, -1, 9), (3, 1)), seeds=[0, 1, 2],
               config=StationaryConfig(iterations=400))  # fmt: skip
    workloads = (
        ("training.sweep, width 512, 27 networks x 160 GD steps",
         lambda shard: sweep(data, net, shard=shard, **kw)),
        ("stationary_sweep, 81 networks x 400 L-BFGS iterations",
         lambda shard: stationary_sweep(small, nets, shard=shard, **skw)),
    )  # fmt: skip
    for label, fn in workloads:
        one = _best_of_two(lambda fn=fn: fn(False))
        all_ = _best_of_two(lambda fn=fn: fn(True))
        diff = max(float(np.max(np.abs(one[2][k] - all_[2][k]))) for k in ("test_loss",))
        note = f"baseline: one device; max |Δ test loss| {diff:.1e}"
        rows.append(ratio_row(f"{label}: lanes over {n_dev} devices", all_, one, note))
    return rows


def frozen_row(width: int = 2048) -> dict:
    """Random features as ``gradient_view`` trains them (hidden layer at rate 0, readout
    penalized; 3 λ × 2 seeds × 300 GD steps, digits): ``sweep``, which trains the hidden
    layer as frozen, against the full program (every layer stepped, the hidden one by 0)."""
    from figures.gradient_view import CONFIG
    from training import train
    from training.data import digits
    from training.models import architecture

    data = digits(n_train=CONFIG["n_train"])
    net = architecture(input_dim=64, width=width, depth=1, n_classes=10, parametrization="ntk")
    kw = dict(lam_sums=[1e-6, 1e-5, 1e-4], seeds=CONFIG["seeds"], lr=[0.0, 8.0],
              rho=[0.0, 1.0], config=train.TrainConfig(steps=CONFIG["steps"]))  # fmt: skip

    # sweep's default chunking, as the figure runs it
    chunk = train.chunk_size(len(kw["lam_sums"]), len(kw["seeds"]), len(data.y_train), width)

    def full():
        *args, (config, frozen) = train._prepare(
            data, net, kw["lr"], None, kw["lam_sums"], kw["seeds"], kw["rho"], kw["config"],
            np.float32,
        )  # fmt: skip
        assert frozen == 1
        return train._run_chunks(*args, (config, 0), chunk=chunk)

    base = _best_of_two(full)
    new = _best_of_two(lambda: train.sweep(data, net, **kw))
    diff = float(np.max(np.abs(new[2]["test_loss"] - base[2]["test_loss"])))
    note = f"baseline: every layer stepped; max |Δ test loss| {diff:.1e} (float32)"
    n_nets = len(kw["lam_sums"]) * len(kw["seeds"])
    metric = (
        f"random features, width {width}, {n_nets} networks x {CONFIG['steps']} GD steps: "
        "hidden layer frozen"
    )
    return ratio_row(metric, new, base, note)


def run() -> list[dict]:
    from figures import compute_cached, config_for
    from figures.training_transfer import CONFIG

    rows = shard_rows() + [frozen_row()]
    n_models = (CONFIG["n_grid"] + CONFIG["n_extra"]) * len(CONFIG["seeds"])
    cold = {"vmap_all": 0.0, "vmap_default": 0.0, "loop": 0.0}
    for width in (16, 256, 2048):
        t = _timings(width)
        for k in cold:
            cold[k] += t[k][0]
        for variant, label in (("vmap_all", "one vmap"), ("vmap_default", "chunked vmap")):
            rows.append(
                {
                    "metric": f"{n_models} networks × {CONFIG['steps']} steps, width {width}: "
                    f"{label} over λ × seeds (compiled)",
                    "value": t[variant][1],
                    "unit": "s",
                    "baseline": t["loop"][1],
                    "ratio": t["loop"][1] / t[variant][1],
                    "note": "baseline: Python loop over λ (seeds vmapped); ratio = loop / vmap; "
                    f"cold incl. compile: {t[variant][0]:.1f} s vs {t['loop'][0]:.1f} s",
                }
            )
    rows.append(
        {
            "metric": "the three widths, cold (each variant compiles once, as a fresh run)",
            "value": cold["vmap_default"],
            "unit": "s",
            "baseline": cold["loop"],
            "ratio": cold["loop"] / cold["vmap_default"],
            "note": f"chunked vmap vs loop over λ; one vmap over everything: {cold['vmap_all']:.1f} s",
        }
    )
    t0 = time.perf_counter()
    compute_cached("training_transfer", config_for("training_transfer"), force=True)
    rows.append(
        {
            "metric": "full training_transfer sweep (compute, all settings)",
            "value": time.perf_counter() - t0,
            "unit": "s",
            "target": "< 600",
        }
    )
    return rows
