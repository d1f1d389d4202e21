"""Running NUTS: devices, precision, progress, and results as ArviZ InferenceData.

Chains run in parallel on the available devices: on a CPU, :func:`setup` (called
when :mod:`bayes` is imported, before JAX starts a backend) asks XLA for one host
device per core; on a GPU JAX uses it with no code change.  When there are fewer
devices than chains, several chains run in turn on each device if their number is a
multiple of the devices' (:func:`chain_method`), else one after another.

Progress: NumPyro's tqdm bars are on unless ``TQDM_DISABLE=1`` (the Makefile and
the tests set it; NumPyro only reuses its compiled sampler across ``run`` calls
with ``progress_bar=True``, so we always pass that, and a disabled tqdm keeps the
fast path).  Each run also prints one summary line to stderr.
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from collections.abc import Callable
from functools import lru_cache, partial
from pathlib import Path

import jax
import numpy as np
import numpyro
from numpyro.infer import MCMC, NUTS

from bayes import _arviz
from theory.checks import (
    check_callable,
    check_file_name,
    check_flag,
    check_float_dtype,
    check_instance,
    check_int,
    check_seed,
)

__all__ = ["setup", "chain_method", "make_mcmc", "run_nuts", "save", "load", "cache_dir"]


#: XLA compiler options of ``setup(fast_compile=True)``, for runs that are mostly compilation
#: (the quick figures: 67 s of compilation in the 108 s of all twenty in one process, 2 cores,
#: jaxlib 0.10.2).  XLA's elemental emitters instead of its MLIR fusion emitters compile in
#: two thirds of the time (those 67 s → 46 s); no LLVM optimization of the generated code
#: halves that again (→ 24 s; the twenty quick figures 108 → 70 s; on a GPU the LLVM level
#: applies to its kernels too).  The code then runs slower: ``data_size`` at full size
#: 42.7 s with XLA's defaults, 37.3 s with the emitters alone, 72.6 s with no optimization
#: alone, 89.6 s with both, so full-size runs keep the defaults (the emitters alone, at full
#: size: bayes_widths 27.8 → 25.0 s, bayes_classification 181.3 → 178.5 s, adamw_rules
#: 132.2 → 135.2 s, gradient_view 34.9 → 35.7 s: no clear gain).  Results differ from the
#: default ones by rounding only.
XLA_FAST_COMPILE_FLAGS = (
    "--xla_cpu_use_fusion_emitters=false",
    "--xla_backend_optimization_level=0",
)
#: ``[low, high)`` jaxlib versions where those flags exist and were measured: XLA aborts the
#: process on a flag it does not know, so on other versions none is added
FAST_COMPILE_JAXLIB = ((0, 10), (0, 11))


def setup(host_devices: int | None = None, *, x64: bool = True, fast_compile: bool = False) -> None:
    """Entry-point set-up: one XLA host device per usable CPU core, float64 if ``x64``, and
    fast compilation (:data:`XLA_FAST_COMPILE_FLAGS`) if ``fast_compile``.

    Call it from a program's entry point before any JAX work (the device count and the
    compiler options only take effect before JAX starts a backend); no import does it for
    you.  Usable cores are this process's CPU affinity, not ``os.cpu_count()``: in a
    container the latter counts the host's cores (macOS has no affinity: ``os.cpu_count()``
    there).  Without x64 JAX silently computes in float32 wherever a program does not switch
    it on for itself (:func:`run_nuts` does, for the precision it is asked for).  A compiler
    option already in ``XLA_FLAGS`` keeps its value; on a jaxlib outside
    :data:`FAST_COMPILE_JAXLIB` none is added.  Without ``fast_compile``, fast-compile options
    already in ``XLA_FLAGS`` (exported by hand, or inherited from a quick run's process) are
    kept too, with a ``UserWarning``: the run is then slower and its results differ from
    XLA's defaults by rounding.
    """
    if host_devices is not None:
        check_int("host_devices", host_devices, minimum=1)
    check_flag("x64", x64)
    check_flag("fast_compile", fast_compile)
    usable = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    numpyro.set_host_device_count(host_devices or (len(usable) if usable else os.cpu_count()) or 1)
    if fast_compile and _fast_compile_supported():
        os.environ["XLA_FLAGS"] = _add_xla_flags(
            os.environ.get("XLA_FLAGS", ""), *XLA_FAST_COMPILE_FLAGS
        )
    elif not fast_compile:
        inherited = set(os.environ.get("XLA_FLAGS", "").split()) & set(XLA_FAST_COMPILE_FLAGS)
        if inherited:
            warnings.warn(
                f"XLA_FLAGS holds the fast-compile option(s) {sorted(inherited)} although "
                "fast_compile=False: this run keeps them (XLA_FLAGS wins), so its compiled code "
                "runs slower and its results differ from XLA's defaults by rounding",
                UserWarning,
                stacklevel=2,
            )
    if x64:
        numpyro.enable_x64()


def _fast_compile_supported() -> bool:
    """Whether the installed jaxlib is in :data:`FAST_COMPILE_JAXLIB`."""
    jaxlib = _jaxlib_version()
    return jaxlib is not None and FAST_COMPILE_JAXLIB[0] <= jaxlib < FAST_COMPILE_JAXLIB[1]


def _jaxlib_version() -> tuple[int, int] | None:
    """``(major, minor)`` of the installed jaxlib, or None if it cannot be read."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        major, minor = version("jaxlib").split(".")[:2]
        return int(major), int(minor)
    except (PackageNotFoundError, ValueError):
        return None


def _add_xla_flags(current: str, *flags: str) -> str:
    """``XLA_FLAGS`` value ``current`` with ``--name=value`` ``flags`` appended, except those
    whose name it already has (what a user set wins).

    >>> _add_xla_flags("--xla_backend_optimization_level=2", "--xla_backend_optimization_level=0",
    ...                "--xla_cpu_use_fusion_emitters=false")
    '--xla_backend_optimization_level=2 --xla_cpu_use_fusion_emitters=false'
    """
    words = current.split()
    have = {w.split("=")[0] for w in words}
    for flag in flags:
        if flag.split("=")[0] not in have:
            words.append(flag)
            have.add(flag.split("=")[0])
    return " ".join(words)


def chain_method(num_chains: int, reuse: bool = False) -> str | Callable:
    """How chains run: in parallel, one device each, when there are enough devices.

    A reused sampler (``jit_model_args=True``) is recompiled on every ``run`` under
    ``"parallel"`` in numpyro 0.22 (measured: 12 s per call vs 2 s sequential on 2 CPU cores):
    its ``pmap`` closes over the data.  So reuse gets :func:`_parallel_reused`, a ``pmap`` that
    takes the data as arguments, when there is a device per chain.  With more chains than
    devices (several devices, chains a multiple of them) both get a ``pmap`` that runs
    ``num_chains / devices`` chains in turn on each device inside one compiled program
    (:func:`_chains_per_device`), where NumPyro's ``"sequential"`` would run every chain alone
    and start each one eagerly, op by op.  Otherwise ``"vectorized"`` for reuse on a GPU and
    ``"sequential"`` on a CPU.
    """
    check_int("num_chains", num_chains, minimum=1)
    devices = jax.local_device_count()
    enough = devices >= num_chains
    spread = 1 < devices < num_chains and num_chains % devices == 0
    if check_flag("reuse", reuse):
        if (enough and num_chains > 1) or spread:
            return _parallel_reused
        return "vectorized" if jax.default_backend() == "gpu" else "sequential"
    if enough:
        return "parallel"
    return _chains_per_device if spread else "sequential"


def _parallel_reused(single_chain: Callable) -> Callable:
    """NumPyro ``chain_method``: chains spread over the devices, compiled once per sampler.

    NumPyro passes ``partial(mcmc._single_chain_mcmc, args=…, kwargs=…, collect_fields=…,
    remove_sites=…)`` (numpyro 0.22, ``MCMC.run``); its own ``"parallel"`` maps that partial,
    data baked in, with a new ``pmap`` each run.  Here the data and traced keywords are
    ``pmap`` arguments broadcast to every chain, and the ``pmap`` is cached per sampler, so a
    later ``run`` with data of the same shapes reuses the compiled program.  What the traced
    chain reads from the sampler object (the phase's draw range, thinning) is part of the
    cache key, so ``warmup`` then ``run`` compile one program each, as they must.
    """
    kw = single_chain.keywords
    mapped = _pmap_chains(single_chain.func)
    mcmc = single_chain.func.__self__
    phase = (*sorted(mcmc._collection_params.items()), ("thinning", mcmc.thinning))
    fields, remove = tuple(kw["collect_fields"]), tuple(kw["remove_sites"])
    return _spread(lambda chunks: mapped(chunks, kw["args"], kw["kwargs"], fields, remove, phase))


def _chains_per_device(single_chain: Callable) -> Callable:
    """NumPyro ``chain_method`` for more chains than devices: ``num_chains / devices`` chains
    in turn (``lax.map``) on each device, all in one ``pmap`` (compiled per run, like
    NumPyro's ``"parallel"``); the same draws as ``"sequential"`` to rounding."""
    return _spread(jax.pmap(lambda chunk: _in_turn(single_chain, chunk)))


def _in_turn(single_chain: Callable, chunk):
    """Run ``single_chain`` on each chain of ``chunk`` (leading axis), one after another; one
    chain is called directly, so the one-chain-per-device program is NumPyro's own."""
    if jax.tree.leaves(chunk)[0].shape[0] == 1:
        return jax.tree.map(lambda x: x[None], single_chain(jax.tree.map(lambda x: x[0], chunk)))
    return jax.lax.map(single_chain, chunk)


def _spread(mapped: Callable) -> Callable:
    """``map_args -> results`` for ``mapped`` over ``(devices, chains per device, …)`` chunks:
    the chains' leading axis split over the devices and joined back."""

    def run(map_args):
        n_chains = jax.tree.leaves(map_args)[0].shape[0]
        n_dev = min(jax.local_device_count(), n_chains)
        chunks = jax.tree.map(lambda x: x.reshape(n_dev, n_chains // n_dev, *x.shape[1:]), map_args)
        return jax.tree.map(lambda x: x.reshape(n_chains, *x.shape[2:]), mapped(chunks))

    return run


@lru_cache(maxsize=16)
def _pmap_chains(single_chain: Callable) -> Callable:
    def one_device(chunk, args, kwargs, collect_fields, remove_sites, phase):
        del phase  # only a cache key: single_chain reads it from its sampler
        chain = partial(
            single_chain,
            args=args,
            kwargs=kwargs,
            collect_fields=collect_fields,
            remove_sites=remove_sites,
        )
        return _in_turn(chain, chunk)

    return jax.pmap(one_device, in_axes=(0, None, None), static_broadcasted_argnums=(3, 4, 5))


def make_mcmc(
    model: Callable,
    *,
    num_warmup: int = 1000,
    num_samples: int = 1000,
    num_chains: int = 2,
    target_accept: float = 0.8,
    max_tree_depth: int = 10,
    dense_mass: bool = False,
    jit_model_args: bool = False,
    **static_kwargs,
) -> MCMC:
    """An ``MCMC(NUTS)`` for ``model`` with ``static_kwargs`` bound (shapes, exponents).

    ``dense_mass=True`` adapts a full mass matrix (cheap and effective for the few, correlated
    hyperparameters of the collapsed models).  With ``jit_model_args=True`` the compiled
    sampler is reused by later ``run`` calls with new data of the same shapes (as
    :func:`run_nuts` does for calls that pass ``traced`` data).
    """
    # here: bayes.models is imported after setup()
    from bayes.models import check_positive_int, check_target_accept

    for name, value in (
        ("num_warmup", num_warmup),
        ("num_samples", num_samples),
        ("num_chains", num_chains),
        ("max_tree_depth", max_tree_depth),
    ):
        check_positive_int(name, value)
    check_target_accept(target_accept)
    check_callable("model", model)
    check_flag("dense_mass", dense_mass)
    check_flag("jit_model_args", jit_model_args)
    method = chain_method(num_chains, reuse=jit_model_args)
    kernel = NUTS(
        partial(model, **static_kwargs) if static_kwargs else model,
        target_accept_prob=target_accept,
        max_tree_depth=max_tree_depth,
        dense_mass=dense_mass,
    )
    return MCMC(
        kernel,
        num_warmup=num_warmup,
        num_samples=num_samples,
        num_chains=num_chains,
        chain_method=method,
        # a callable chain_method has no progress bar in numpyro (it warns if asked for one)
        progress_bar=not callable(method),
        jit_model_args=jit_model_args,
    )


#: compiled samplers reused across ``run_nuts(..., traced=...)`` calls
_REUSABLE: dict = {}


def run_nuts(
    model: Callable,
    *args,
    num_warmup: int = 1000,
    num_samples: int = 1000,
    num_chains: int = 2,
    seed: int = 0,
    target_accept: float = 0.8,
    max_tree_depth: int = 10,
    dtype=np.float64,
    validate: Callable | None = None,
    label: str | None = None,
    traced: dict | None = None,
    save_as: str | None = None,
    log_likelihood: bool = True,
    **kwargs,
) -> _arviz.az.InferenceData:
    """Run NUTS on ``model(*args, **kwargs)`` and return InferenceData.

    Float arrays (NumPy or JAX) in ``args`` and ``traced`` are cast to ``dtype`` (integer
    arrays are kept) and the sampler runs in that precision: float64 (the default) or
    float32, under ``jax.enable_x64`` for the run whatever the process's setting, so a
    float32 run in a float64 process keeps its own state (step size, momenta, energies) in
    float32 too.
    Float32 halves the cost of a large model's products (1.55× per run for the P = 256
    classifier of figure 9); its rounding perturbs the log density by about 1e-7 of its
    magnitude, which must stay far below 1 for the accept step to be unaffected; the
    log-likelihood group (for LOO) is then float32 too.
    The data are checked first (``validate(*args)``, or :func:`bayes.models.validate` for the
    library's models), so nothing is sampled from invalid input.  Keyword arguments of
    :func:`make_mcmc` (``dense_mass``) are passed on; the rest are bound to the model.
    The log-likelihood group is included (for PSIS-LOO) unless ``log_likelihood=False``
    (it costs one more compilation and a pass over every draw: 2.7 s of a 50 s run of the
    P = 256 classifier of figure 9).  ``save_as`` also writes the result as
    NetCDF ``<cache>/bayes/<save_as>.nc`` (atomically; see :func:`save`).

    ``traced`` keyword arguments are passed to the model as traced values: the sampler is
    compiled once per (model, precision, settings, static keywords) and reused for every call
    that differs only in data of the same shapes and in ``traced`` values (e.g. the width and
    κ of a collapsed model), instead of recompiling each time.
    """
    from bayes.models import check_target_accept

    check_callable("model", model)
    check_seed("seed", seed)
    if save_as is not None:
        check_file_name("save_as", save_as)
    if not args or any(a is None for a in args):
        raise ValueError(
            "args must be the model's data with the observations, none of them None "
            "(run_nuts conditions on data; draw from the prior with numpyro.infer.Predictive)"
        )
    check_target_accept(target_accept)
    check_flag("log_likelihood", log_likelihood)
    precision = check_float_dtype("dtype", dtype)
    if validate is None:
        from bayes.models import validate as validate_library_model

        validate_library_model(model, *args, **kwargs, **(traced or {}))
    else:
        validate(*args)
    cast = [_cast(a, precision) for a in args]
    settings = {
        "num_warmup": num_warmup,
        "num_samples": num_samples,
        "num_chains": num_chains,
        "target_accept": target_accept,
        "max_tree_depth": max_tree_depth,
    }
    if traced is None:
        mcmc = make_mcmc(model, **settings, **kwargs)
        if precision == np.float32:
            # NumPyro's progress bar is a host callback whose counter comes back int64 in a
            # float64 process but is int32 in the x64-off program: XLA rejects it
            mcmc.progress_bar = False
        traced = {}
    else:
        reuse = (model, precision, tuple(sorted(settings.items())), tuple(sorted(kwargs.items())))
        if reuse not in _REUSABLE:
            _REUSABLE[reuse] = make_mcmc(model, **settings, jit_model_args=True, **kwargs)
        mcmc = _REUSABLE[reuse]
        traced = {name: _cast(value, precision) for name, value in traced.items()}
    rng_key = jax.random.PRNGKey(seed)  # here: with x64 off a seed ≥ 2³² would lose high bits
    with jax.enable_x64(precision == np.float64):
        t0 = time.perf_counter()
        mcmc.run(
            rng_key,
            *cast,
            **traced,
            extra_fields=("diverging", "energy", "num_steps"),
        )
        jax.block_until_ready(mcmc.get_samples())  # run() returns before the work is done
        elapsed = time.perf_counter() - t0
        idata = _arviz.from_numpyro(mcmc, log_likelihood=log_likelihood)
    idata.sample_stats.attrs["sampling_time"] = elapsed
    n_div = int(np.asarray(idata.sample_stats["diverging"]).sum())
    print(
        f"nuts[{label or getattr(model, '__name__', 'model')}]: {num_chains}x{num_samples} draws "
        f"({mcmc.chain_method if isinstance(mcmc.chain_method, str) else 'parallel, reused'}) "
        f"in {elapsed:.1f} s, {n_div} divergences",
        file=sys.stderr,
        flush=True,
    )
    if save_as is not None:
        save(idata, save_as)
    return idata


def _cast(value, precision: np.dtype):
    """A float NumPy or JAX array as a NumPy array in ``precision``; a (nested) list or tuple of
    plain numbers as the NumPy array it spells (floats in ``precision``), since the models
    index ``.shape``; a list or tuple of arrays (``ks`` of the multi-width model) element by
    element; for a float32 run a 64-bit integer array as int32 where it fits (the labels, as
    the x64-off program takes them); anything else (a NamedTuple of arrays too) as it is."""
    if type(value) in (list, tuple):
        if any(isinstance(v, (np.ndarray, jax.Array)) for v in value):
            return type(value)(_cast(v, precision) for v in value)
        try:
            array = np.asarray(value)
        except ValueError:  # ragged: not one array
            return value
        if array.dtype.kind not in "biuf":
            return value
        value = array
    if not isinstance(value, (np.ndarray, jax.Array)):
        return value
    kind, itemsize = np.dtype(value.dtype).kind, np.dtype(value.dtype).itemsize
    if kind == "f":
        return np.asarray(value, dtype=precision)
    if precision == np.float32 and kind in "iu" and itemsize > 4 and _fits_int32(value):
        # the x64-off program takes int32; passing the 64-bit array itself, after a float64
        # run had taken the same array object, crashed the process (jax 0.10.2: "expected
        # s32[N] but got s64[N]", then a segmentation fault; inside JAX not isolated)
        return np.asarray(value, dtype=np.int32)
    return value


def _fits_int32(value) -> bool:
    info = np.iinfo(np.int32)
    return value.size == 0 or bool(info.min <= value.min() and value.max() <= info.max)


def cache_dir() -> Path:
    """Where InferenceData are saved: ``L2SCALE_CACHE_DIR``/bayes or ``.cache/bayes``."""
    root = Path(__file__).resolve().parent.parent
    base = Path(os.environ.get("L2SCALE_CACHE_DIR", root / ".cache" / "figures")).parent
    return base / "bayes"


def save(idata, name: str, directory: Path | None = None) -> Path:
    """Save ``idata`` as NetCDF ``<name>.nc`` in the (ignored) cache, atomically."""
    check_instance("idata", idata, _arviz.az.InferenceData)
    check_file_name("name", name)
    return _arviz.to_netcdf(idata, (directory or cache_dir()) / f"{name}.nc")


def load(name: str, directory: Path | None = None):
    """The InferenceData saved by :func:`save` as ``<name>``."""
    check_file_name("name", name)
    return _arviz.from_netcdf((directory or cache_dir()) / f"{name}.nc")
