"""theory._shard: sweeps and SBC batches split over every JAX device give the unsharded results.

The test session has one XLA host device per usable core (tests/conftest.py calls
``bayes.setup()``); the in-process comparisons need at least two, as on the 2-core CI
machine; the two-process test makes its own devices and runs on any machine."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from theory._shard import lane_devices, pad_lanes, put_lanes
from training import data as data_mod
from training.models import architecture
from training.stationary import StationaryConfig, budget_sweep, stationary_sweep
from training.train import TrainConfig, sweep

two_devices = pytest.mark.skipif(
    jax.device_count() < 2, reason="needs >= 2 JAX devices (one host device per core)"
)


def test_pad_lanes_repeats_the_last_lane():
    x = jnp.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(pad_lanes(x, 2, axis=1), [[0, 1, 2, 2], [3, 4, 5, 5]])
    assert pad_lanes(x, 3, axis=1) is x  # already a multiple: untouched


@two_devices
def test_put_lanes_splits_over_every_device():
    x = put_lanes(jnp.arange(4.0 * lane_devices()))
    assert len(x.sharding.device_set) == jax.device_count()
    assert {s.data.shape for s in x.addressable_shards} == {(4,)}
    with pytest.raises(ValueError, match="multiple"):
        put_lanes(jnp.arange(2.0 * lane_devices() + 1))


@pytest.fixture(scope="module")
def digits():
    return data_mod.digits(n_train=40)


@two_devices
@pytest.mark.parametrize("optimizer", ["sgd", "adamw-coupled"])
def test_sharded_sweep_equals_unsharded(digits, optimizer):
    net = architecture(input_dim=64, width=16, depth=1, n_classes=10, parametrization="ntk")
    kw = dict(lam_sums=np.logspace(-4, -1, 5), seeds=[0, 1], lr=0.1,
              config=TrainConfig(optimizer=optimizer, steps=30), chunk=2)  # fmt: skip
    a, b = sweep(digits, net, shard=False, **kw), sweep(digits, net, shard=True, **kw)
    assert a.keys() == b.keys()
    for key in a:
        assert a[key].shape == b[key].shape, key
        # independent lanes: the same float32 operations per lane; a different fusion of a
        # device's block could reorder sums, a few ulps (measured: bitwise equal)
        np.testing.assert_allclose(a[key], b[key], rtol=1e-6, atol=1e-7, err_msg=key)


@two_devices
def test_sharded_stationary_and_budget_sweeps_equal_unsharded(digits):
    nets = [architecture(input_dim=64, width=8, depth=1, n_classes=10, parametrization=p)
            for p in ("standard", "ntk", "mean_field")]  # fmt: skip
    # 3 λ: padded to 4 over 2 devices (budget); 3 nets × 3 λ × 1 seed = 9 lanes, padded to
    # a multiple of the devices lane by lane (stationary, training.stationary._lane_order)
    lams = np.tile(np.logspace(-3, -1, 3), (3, 1))
    kw = dict(lam_sums=lams, seeds=[1])
    cfg = StationaryConfig(iterations=80, clarke_steps=5)
    a = stationary_sweep(digits, nets, config=cfg, shard=False, **kw)
    b = stationary_sweep(digits, nets, config=cfg, shard=True, **kw)
    c = budget_sweep(digits, nets, lr=np.full((3, 2), 0.05), steps=60, shard=False, **kw)
    d = budget_sweep(digits, nets, lr=np.full((3, 2), 0.05), steps=60, shard=True, **kw)
    for x, y in ((a, b), (c, d)):
        assert x.keys() == y.keys()
        for key in x:
            assert x[key].shape == y[key].shape, key
            # float64 lanes: measured differences ≤ 1.1e-16 absolute (reordered sums)
            np.testing.assert_allclose(x[key], y[key], rtol=1e-10, atol=1e-12, err_msg=key)


@pytest.mark.parametrize("devices", [1, 2, 3, 8])
@pytest.mark.parametrize("shape", [(1, 1, 1), (3, 3, 3), (1, 7, 3), (2, 3, 2), (3, 1, 5)])
def test_lane_order_deals_every_lane_once_and_evenly(shape, devices):
    from training.stationary import _lane_order

    lanes, back = _lane_order(*shape, devices)
    n = int(np.prod(shape))
    grid = np.array([(k, j, s) for k in range(shape[0]) for j in range(shape[1])
                     for s in range(shape[2])])  # fmt: skip
    np.testing.assert_array_equal(lanes[back], grid)  # back restores (net, λ, seed) order
    assert len(lanes) == n + (-n) % devices  # padded to a multiple of the devices
    extra = lanes[np.setdiff1d(np.arange(len(lanes)), back)]
    assert (extra == grid[-1]).all()  # the padding repeats the last lane
    blocks = np.split(np.arange(len(lanes)), devices)  # device d's contiguous block
    real = [np.isin(b, back).sum() for b in blocks]
    assert max(real) - min(real) <= 1, real  # real lanes as evenly as they divide


def test_two_processes_get_the_one_process_results(tmp_path):
    """The multi-host path: two processes of one JAX job (``jax.distributed.initialize``, CPU
    collectives over Gloo, both on this host), each with two CPU devices, run the sharded
    sweeps and SBC of ``tests/_distributed_worker.py`` over the job's four devices
    (:func:`put_lanes` builds the global lane array from each process's blocks, ``gather``
    all-gathers the results); each gets back the one-device result."""
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    from tests._distributed_worker import cases

    with socket.socket() as s:  # a free port for the job's coordinator
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "result"
    local_devices = 2  # 2 × 1 devices gave the same results too (28 s, a test of its own)
    logs = [tmp_path / f"worker-{i}.log" for i in range(2)]
    procs = []
    for i, log in enumerate(logs):
        with open(log, "w") as fh:  # a file, not a pipe: a full pipe would stall a worker
            cmd = [sys.executable, "-m", "tests._distributed_worker", str(i), "2", str(port),
                   str(local_devices), str(out)]  # fmt: skip
            procs.append(subprocess.Popen(cmd, cwd=root, stdout=fh, stderr=subprocess.STDOUT))
    # one worker failing leaves the other waiting in a collective: stop both, show both
    deadline = time.monotonic() + 300
    try:
        while any(p.poll() is None for p in procs) and time.monotonic() < deadline:
            if any(p.poll() not in (None, 0) for p in procs):
                break
            time.sleep(0.5)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
            p.wait()
    shown = "\n".join(f"--- worker {i}:\n{log.read_text()[-3000:]}" for i, log in enumerate(logs))
    assert [p.returncode for p in procs] == [0, 0], shown
    want = {}
    for name, (fn, kw) in cases().items():
        want.update({f"{name}/{k}": np.asarray(v) for k, v in fn(shard=False, **kw).items()})
    for i in range(2):
        got = np.load(f"{out}-{i}.npz")
        assert got["devices"].tolist() == [2, 2 * local_devices]
        assert set(got.files) - {"devices"} == set(want)
        for key, value in want.items():
            assert got[key].shape == value.shape, key
            if key.startswith("sbc/"):  # integer ranks of short chains (as in test_bayes)
                np.testing.assert_array_equal(got[key], value, err_msg=key)
            elif key.startswith("sweep/"):  # float32 GD lanes: measured bitwise equal here;
                # the one-process test's bound (a block fused differently: a few ulps)
                np.testing.assert_allclose(got[key], value, rtol=1e-6, atol=1e-7, err_msg=key)
            else:  # float64 lanes: measured within 5.6e-17 (L-BFGS) and 5.7e-14 (budget
                # GD, on sq_norm) of the one-device run, on 2 × 1 and 2 × 2 devices
                np.testing.assert_allclose(got[key], value, rtol=1e-10, atol=1e-12, err_msg=key)
