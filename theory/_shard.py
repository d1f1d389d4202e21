"""Shard the vmapped lanes of a sweep across every JAX device (``jax.sharding``).

Shared by :mod:`training` (the λ × seed × width sweeps) and :mod:`bayes` (the SBC batches
of :func:`bayes.diagnostics.sbc`), so it lives in the layer both import.  A sweep's lanes
(λ values and their seeds, or simulations) are independent, so they are split over a
one-axis :class:`jax.sharding.Mesh` of all devices: :func:`put_lanes` places one block of
the lane axis (padded by the caller to a multiple of the device count, :func:`pad_lanes`)
on each device; a jitted sweep of vmapped lanes, called on that array, is partitioned by
XLA along it (the other inputs are replicated); a sweep whose lanes run one after another
(``lax.map``: the L-BFGS runs of :mod:`training.stationary`), or one whose per-device
program should be the one-device program (SBC), is split explicitly by
:func:`over_lane_devices` (``jax.shard_map``); :func:`gather` brings the results back to
the host.  The same code runs on one CPU (one device: nothing changes), on a CPU with
forced host devices (``XLA_FLAGS=--xla_force_host_platform_device_count=K``, what
:func:`bayes.setup` asks for), on several GPUs of one host, and on several hosts after
``jax.distributed.initialize()``: every process passes the same full lane array,
:func:`put_lanes` builds the global array from the process's own blocks and :func:`gather`
all-gathers the result.  ``tests/test_shard.py`` runs that path with two processes of one
job on this host (CPU collectives over Gloo).

Lanes never talk to each other, so each keeps its single-device arithmetic; XLA may still
fuse a block's batch of lanes differently from the whole batch, so results agree with the
unsharded run to float rounding (``tests/test_shard.py`` compares them; NUTS amplifies
that rounding over long chains, so sharded SBC ranks equal the one-device ones in
distribution, not draw for draw).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

__all__ = ["lane_devices", "pad_lanes", "put_lanes", "over_lane_devices", "gather"]


def lane_devices() -> int:
    """The number of devices the lanes are split over (every device of every process)."""
    return jax.device_count()


def pad_lanes(x, multiple: int, axis: int = 0):
    """``x`` with its ``axis`` padded to a multiple of ``multiple`` by repeating its last entry.

    >>> pad_lanes(jnp.arange(3.0), 2).tolist()
    [0.0, 1.0, 2.0, 2.0]
    """
    n = x.shape[axis]
    extra = (-n) % multiple
    if extra == 0:
        return x
    last = jax.lax.slice_in_dim(x, n - 1, n, axis=axis)
    return jnp.concatenate([x, jnp.repeat(last, extra, axis=axis)], axis=axis)


def _sharding(ndim: int, axis: int) -> NamedSharding:
    mesh = Mesh(np.asarray(jax.devices()), ("lanes",))
    spec = [None] * ndim
    spec[axis] = "lanes"
    return NamedSharding(mesh, PartitionSpec(*spec))


def put_lanes(x, axis: int = 0):
    """``x`` split along ``axis`` over every device (its length a multiple of the count).

    With one device ``x`` is returned as it is.
    """
    if lane_devices() == 1:
        return x
    if x.shape[axis] % lane_devices():
        raise ValueError(
            f"x: axis {axis} of length {x.shape[axis]} is not a multiple of the "
            f"{lane_devices()} devices (pad it with pad_lanes)"
        )
    sharding = _sharding(x.ndim, axis)
    if jax.process_count() == 1:
        return jax.device_put(x, sharding)
    host = np.asarray(x)  # every process holds the whole (small) lane array
    return jax.make_array_from_callback(host.shape, sharding, lambda index: host[index])


def over_lane_devices(fn, *, lane_args: tuple[bool, ...], axis: int = 1):
    """``fn`` run by every device on its own block of the lanes (``jax.shard_map``).

    ``lane_args[i]``: whether argument ``i`` is split along ``axis`` (the others, pytrees
    too, are replicated); every output is split along ``axis``.  For a sweep whose lanes
    run one after another (``lax.map``), which XLA cannot partition by itself.  Call it
    inside ``jax.jit`` with the lane arguments placed by :func:`put_lanes`.
    """
    mesh = Mesh(np.asarray(jax.devices()), ("lanes",))
    split = PartitionSpec(*([None] * axis), "lanes")
    specs = tuple(split if s else PartitionSpec() for s in lane_args)
    # check_vma=False: optax's line search mixes replicated constants and per-lane values
    # in one `cond` (its branches then differ in their varying axes); nothing here is a
    # collective, so the check has nothing to protect
    return jax.shard_map(fn, mesh=mesh, in_specs=specs, out_specs=split, check_vma=False)


def gather(tree):
    """Every array of ``tree`` as a NumPy array on this host (all-gathered across hosts)."""
    if jax.process_count() == 1:
        return jax.tree.map(np.asarray, tree)
    from jax.experimental import multihost_utils

    return jax.tree.map(np.asarray, multihost_utils.process_allgather(tree, tiled=True))
