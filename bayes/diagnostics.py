"""Posterior diagnostics, predictive checks, LOO comparison and simulation-based calibration.

A run is *accepted* only if every monitored variable has rank-normalized split
R-hat ≤ ``rhat_max``, bulk and tail ESS ≥ ``ess_min``, no divergent transitions
and BFMI ≥ ``bfmi_min`` in every chain (:func:`check`).  Figures call
:func:`require_ok`, so a run that fails is reported as failed, never plotted.

Simulation-based calibration (Talts et al. 2018, :func:`sbc`): parameters and data
are drawn from the prior predictive; for each data set the posterior is sampled
by one compiled NUTS sampler vmapped over the data sets, thinned to ``L`` draws, and
the rank of the true value among them recorded.  If the sampler is calibrated the
ranks are uniform on ``0..L``: tested with a χ² test on binned ranks and shown as
the ECDF difference with simultaneous bands (Säilynoja et al. 2022).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import jax
import jax.numpy as jnp
import numpy as np
from numpyro.infer import Predictive
from numpyro.infer.hmc import hmc
from numpyro.infer.util import initialize_model
from scipy import stats

from bayes import _arviz
from bayes.models import check_positive_int, check_target_accept
from theory._shard import gather, lane_devices, over_lane_devices, put_lanes
from theory.checks import (
    as_float_array,
    check_callable,
    check_flag,
    check_instance,
    check_int,
    check_nonnegative,
    check_representable,
    check_seed,
)

__all__ = [
    "DiagnosticError",
    "Report",
    "check",
    "require_ok",
    "ppc_pvalue",
    "loo_compare",
    "SBCResult",
    "sbc",
]


class DiagnosticError(RuntimeError):
    """A sampler run failed its convergence diagnostics."""


@dataclass
class Report:
    """Worst-case diagnostics over the monitored variables of one run."""

    rhat_max: float
    ess_bulk_min: float
    ess_tail_min: float
    divergences: int
    bfmi_min: float
    n_draws: int
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def __str__(self) -> str:
        status = "ok" if self.ok else "FAILED: " + "; ".join(self.failures)
        return (
            f"R-hat ≤ {self.rhat_max:.4f}, bulk ESS ≥ {self.ess_bulk_min:.0f}, tail ESS ≥ "
            f"{self.ess_tail_min:.0f}, {self.divergences} divergences, BFMI ≥ "
            f"{self.bfmi_min:.2f} ({self.n_draws} draws): {status}"
        )


def _min_over(d: dict) -> float:
    return float(min(np.min(v) for v in d.values()))


def check(
    idata,
    var_names: Sequence[str] | None = None,
    *,
    rhat_max: float = 1.01,
    ess_min: float = 400,
    bfmi_min: float = 0.3,
    max_divergences: int = 0,
) -> Report:
    """Diagnose ``idata``; the report lists every threshold that was missed.

    The thresholds are validated first, so no setting (NaN, ±inf, a negative count) can make
    a failing run pass: ``rhat_max`` finite and ≥ 1, ``ess_min`` finite and ≥ 1, ``bfmi_min``
    finite and ≥ 0, ``max_divergences`` an integer ≥ 0.
    """
    _check_thresholds(rhat_max, ess_min, bfmi_min, max_divergences)
    _check_idata("idata", idata)
    var_names = None if var_names is None else _check_var_names(idata, var_names)
    rhat = float(max(np.max(v) for v in _arviz.rhat(idata, var_names).values()))
    ess_b = _min_over(_arviz.ess_bulk(idata, var_names))
    ess_t = _min_over(_arviz.ess_tail(idata, var_names))
    div = int(np.asarray(idata.sample_stats["diverging"]).sum())
    bfmi = float(np.min(_arviz.bfmi(idata)))
    post = idata.posterior
    n = int(post.sizes["chain"] * post.sizes["draw"])
    failures = []
    if not rhat <= rhat_max:
        failures.append(f"R-hat {rhat:.4f} > {rhat_max}")
    if not ess_b >= ess_min:
        failures.append(f"bulk ESS {ess_b:.0f} < {ess_min}")
    if not ess_t >= ess_min:
        failures.append(f"tail ESS {ess_t:.0f} < {ess_min}")
    if div > max_divergences:
        failures.append(f"{div} divergences > {max_divergences}")
    if not bfmi >= bfmi_min:
        failures.append(f"BFMI {bfmi:.2f} < {bfmi_min}")
    return Report(rhat, ess_b, ess_t, div, bfmi, n, failures)


def _check_thresholds(rhat_max, ess_min, bfmi_min, max_divergences) -> None:
    for name, value, low in (("rhat_max", rhat_max, 1.0), ("ess_min", ess_min, 1.0)):
        if float(as_float_array(name, value)) < low:
            raise ValueError(f"{name} must be >= {low}, got {value!r}")
    if as_float_array("bfmi_min", bfmi_min).ndim:
        raise ValueError(f"bfmi_min must be a number, got {bfmi_min!r}")
    check_nonnegative("bfmi_min", bfmi_min)
    check_int("max_divergences", max_divergences, minimum=0)


def _check_idata(name: str, idata) -> None:
    """An InferenceData with a posterior (and the sample stats NUTS records)."""
    check_instance(name, idata, _arviz.az.InferenceData)
    if "posterior" not in idata.groups():
        raise ValueError(f"{name} must have a posterior group, got groups {idata.groups()}")


def _check_var_names(idata, var_names) -> list[str]:
    """A non-empty list of posterior variable names (a bare string is not a list of names)."""
    if isinstance(var_names, str) or not isinstance(var_names, (list, tuple)) or not var_names:
        raise ValueError(f"var_names must be a non-empty list of names, got {var_names!r}")
    unknown = [v for v in var_names if not isinstance(v, str) or v not in idata.posterior]
    if unknown:
        raise ValueError(
            f"var_names must be posterior variables {sorted(idata.posterior.data_vars)}, "
            f"got unknown {unknown!r}"
        )
    return list(var_names)


def require_ok(report: Report, what: str) -> Report:
    """Raise :class:`DiagnosticError` naming ``what`` unless ``report.ok``."""
    check_instance("report", report, Report)
    if not isinstance(what, str) or not what:
        raise ValueError(f"what must be a non-empty description, got {what!r}")
    if not report.ok:
        raise DiagnosticError(f"{what}: {report}")
    return report


def ppc_pvalue(y_obs: np.ndarray, y_rep: np.ndarray, statistic: Callable[[np.ndarray], float]):
    """Posterior predictive p-value ``P(T(y_rep) ≥ T(y_obs))`` over replicated data sets.

    ``y_rep`` is ``(draws, *y_obs.shape)``, at least one draw; all finite.
    """
    y_obs = as_float_array("y_obs", y_obs)
    y_rep = as_float_array("y_rep", y_rep)
    if y_rep.ndim != y_obs.ndim + 1 or y_rep.shape[1:] != y_obs.shape or len(y_rep) == 0:
        raise ValueError(
            f"y_rep must be (draws >= 1, *y_obs.shape) = (draws, {', '.join(map(str, y_obs.shape))}), "
            f"got shape {y_rep.shape}"
        )
    check_callable("statistic", statistic)
    t_obs = statistic(y_obs)
    t_rep = np.array([statistic(r) for r in y_rep])
    inputs = {"y_obs": y_obs, "y_rep": y_rep, "statistic": statistic}
    check_representable(np.append(t_rep, t_obs), what="statistic", inputs=inputs)
    return float(np.mean(t_rep >= t_obs)), t_obs, t_rep


def loo_compare(idatas: dict, var_name: str | None = None):
    """PSIS-LOO comparison of several fits: ``(table, max_pareto_k)``.

    ``table`` is ArviZ's comparison (best first); ``max_pareto_k[name]`` is the largest Pareto
    k of that fit -- above 0.7 its LOO estimate is unreliable, which callers must report.
    """
    if not isinstance(idatas, dict) or len(idatas) < 2:
        raise ValueError(f"idatas must be a dict of at least two named fits, got {idatas!r}")
    for name, idata in idatas.items():
        _check_idata(f"idatas[{name!r}]", idata)
    elpds = {name: _arviz.loo(idata, var_name=var_name) for name, idata in idatas.items()}
    k_max = {name: float(np.nanmax(np.asarray(e.pareto_k))) for name, e in elpds.items()}
    return _arviz.compare(elpds), k_max


@dataclass
class SBCResult:
    """Ranks (n_sims, n_params) of the true values among ``max_rank`` posterior draws."""

    params: list[str]
    ranks: np.ndarray
    max_rank: int
    pvalues: dict[str, float]
    divergences: int
    seconds: float

    def passed(self, level: float = 0.01) -> bool:
        """Uniformity not rejected at ``level`` for any parameter."""
        return all(p >= level for p in self.pvalues.values())

    def ecdf_difference(self, param: str, prob: float = 0.99):
        """``(x, ecdf − x, lower − x, upper − x)`` on the fractional-rank scale."""
        j = self.params.index(param)
        k, lo, hi = _arviz.rank_ecdf_band(len(self.ranks), self.max_rank, prob=prob)
        ecdf = np.searchsorted(np.sort(self.ranks[:, j]), k, side="right") / len(self.ranks)
        x = (k + 1) / (self.max_rank + 1)
        return x, ecdf - x, lo - x, hi - x


def _chi2_uniform(ranks: np.ndarray, max_rank: int, n_bins: int) -> float:
    counts = np.bincount(ranks * n_bins // (max_rank + 1), minlength=n_bins)
    return float(stats.chisquare(counts).pvalue)


def _vmapped_nuts(
    bound: Callable,
    data: tuple,
    obs_site: str,
    y0,
    params,
    *,
    num_warmup,
    num_samples,
    target_accept,
    max_tree_depth,
    shard=False,
):
    """One compiled NUTS for a batch of data sets: ``(keys, ys) -> ({param: draws}, divergences)``.

    With ``shard`` the batch (its length a multiple of the devices, placed by
    :func:`theory._shard.put_lanes`) is split over every device, each running the vmapped
    sampler on its own block (:func:`theory._shard.over_lane_devices`).

    NumPyro's functional kernel (:func:`numpyro.infer.hmc.hmc`, the one its ``MCMC`` runs)
    with the data set as a dynamic argument, ``vmap``-ed over simulations and ``scan``-ned
    over iterations: warmup adaptation (step size, diagonal mass matrix) is the kernel's own.
    Each chain starts uniformly in (−2, 2) on the unconstrained scale (NumPyro's
    ``init_to_uniform``).
    """
    found = {}

    def probe():  # traced abstractly: run eagerly, its search for a start compiles op by op
        found["info"] = initialize_model(
            jax.random.PRNGKey(0),
            bound,
            model_args=data,
            model_kwargs={obs_site: y0},
            dynamic_args=True,
        )
        return found["info"].param_info.z

    leaves, treedef = jax.tree.flatten(jax.eval_shape(probe))
    info = found["info"]  # its functions take the data as arguments: nothing traced kept
    init_kernel, sample_kernel = hmc(potential_fn_gen=info.potential_fn, algo="NUTS")

    def one(key, y):
        kw = {obs_site: y}
        k_init, k_kernel = jax.random.split(key)
        keys = jax.random.split(k_init, len(leaves))
        z0 = jax.tree.unflatten(
            treedef,
            [
                jax.random.uniform(k, x.shape, minval=-2.0, maxval=2.0)
                for k, x in zip(keys, leaves, strict=True)
            ],
        )
        state = init_kernel(
            z0,
            num_warmup,
            target_accept_prob=target_accept,
            max_tree_depth=max_tree_depth,
            model_args=data,
            model_kwargs=kw,
            rng_key=k_kernel,
        )

        def step(s, _):
            s = sample_kernel(s, model_args=data, model_kwargs=kw)
            return s, (s.z, s.diverging)

        _, (zs, diverging) = jax.lax.scan(step, state, None, length=num_warmup + num_samples)
        zs = jax.tree.map(lambda a: a[num_warmup:], zs)
        constrained = jax.vmap(info.postprocess_fn(*data, **kw))(zs)
        return {p: constrained[p] for p in params}, jnp.sum(diverging[num_warmup:])

    batched = jax.vmap(one)
    if shard and lane_devices() > 1:
        batched = over_lane_devices(batched, lane_args=(True, True), axis=0)
    return jax.jit(batched)


def sbc(
    model: Callable,
    *data,
    params: Sequence[str],
    n_sims: int = 100,
    obs_site: str = "y",
    num_warmup: int = 300,
    num_samples: int = 400,
    thin: int = 4,
    n_bins: int = 10,
    seed: int = 0,
    batch: int = 20,
    target_accept: float = 0.8,
    max_tree_depth: int = 10,
    shard: bool = False,
    log: Callable[[str], None] | None = None,
    **static_kwargs,
) -> SBCResult:
    """Simulation-based calibration of ``model(*data, <obs_site>=..., **static_kwargs)``.

    ``data`` (covariates) are fixed; ``static_kwargs`` (shapes, exponents) are bound before
    compilation.  One NUTS chain per simulation (``num_warmup`` adaptation steps, then
    ``num_samples`` draws thinned by ``thin`` to ``L`` ranks' draws), run by one compiled
    sampler over ``batch`` simulations at a time (:func:`_vmapped_nuts`; the last batch is
    padded with repeats whose results are dropped), with progress logged per batch.

    With ``shard`` each call runs ``batch`` simulations on every JAX device
    (:mod:`theory._shard`: forced CPU host devices, GPUs, hosts after
    ``jax.distributed.initialize()``), each device's block the simulations of one batch of
    the one-device run, with their keys.  Off by default, so that the ranks do not depend on
    the machine: the program compiled for a block of a 2-device mesh rounds differently
    from the one-device program (on a 1-device mesh it is the same), NUTS amplifies that
    over long chains, and the ranks then agree in distribution, not draw for draw
    (measured: 60 simulations, 200 + 396 iterations, 9% of the ranks equal; short chains:
    equal, ``tests/test_bayes.py``).  Worth it where devices are many (GPUs, hosts); on 2
    CPU devices it took 1.81x less time per simulation for a small classifier and the same
    (1.00x) for a linear model (``benchmarks/bench_bayes.py``).
    """
    for name, value in (
        ("n_sims", n_sims),
        ("num_warmup", num_warmup),
        ("num_samples", num_samples),
        ("thin", thin),
        ("batch", batch),
    ):
        check_positive_int(name, value)
    check_int("n_bins", n_bins, minimum=2)
    check_int("max_tree_depth", max_tree_depth, minimum=1)
    check_target_accept(target_accept)
    check_callable("model", model)
    check_seed("seed", seed)
    shard = check_flag("shard", shard)
    if not isinstance(obs_site, str) or not obs_site:
        raise ValueError(f"obs_site must be a sample-site name, got {obs_site!r}")
    if isinstance(params, str) or not all(isinstance(p, str) for p in params) or not params:
        raise ValueError(f"params must be a non-empty list of sample-site names, got {params!r}")
    if num_samples % thin:
        raise ValueError(f"thin must divide num_samples ({num_samples}), got {thin}")
    # the χ² test of uniform ranks needs ≥ 5 expected counts per bin (Cochran's rule)
    if n_sims < 5 * n_bins:
        raise ValueError(f"n_sims must be at least 5 * n_bins = {5 * n_bins}, got {n_sims}")
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    max_rank = num_samples // thin
    if (max_rank + 1) % n_bins:
        raise ValueError(f"n_bins must divide L + 1 = {max_rank + 1}, got {n_bins}")
    key_prior, key_run = jax.random.split(jax.random.PRNGKey(seed))

    def bound(*args, **kw):
        return model(*args, **kw, **static_kwargs)

    # compiled as one program: run eagerly, each operation compiles on its own
    prior = jax.jit(lambda key: Predictive(bound, num_samples=n_sims)(key, *data))(key_prior)
    missing = [p for p in (*params, obs_site) if p not in prior]
    if missing:
        raise ValueError(
            f"params and obs_site must be sample sites of the model ({sorted(prior)}), "
            f"got unknown {missing}"
        )
    ys = jnp.asarray(prior[obs_site])
    run = _vmapped_nuts(
        bound,
        data,
        obs_site,
        ys[0],
        list(params),
        num_warmup=num_warmup,
        num_samples=num_samples,
        target_accept=target_accept,
        max_tree_depth=max_tree_depth,
        shard=shard,
    )
    keys = jax.random.split(key_run, n_sims)
    # `batch` simulations per device and call: each device's block is one unsharded batch
    batch = min(batch, n_sims) * (lane_devices() if shard else 1)
    place = put_lanes if shard else (lambda x: x)
    # unsharded outputs are this process's own (no all-gather across processes)
    fetch = gather if shard else (lambda tree: jax.tree.map(np.asarray, tree))
    ranks = np.empty((n_sims, len(params)), dtype=int)
    divergences = 0
    t0 = time.perf_counter()
    for lo in range(0, n_sims, batch):
        idx = np.minimum(np.arange(lo, lo + batch), n_sims - 1)  # pad by repeating the last
        draws, div = fetch(run(place(keys[idx]), place(ys[idx])))
        n_real = min(batch, n_sims - lo)
        divergences += int(np.sum(np.asarray(div)[:n_real]))
        for j, name in enumerate(params):
            d = np.asarray(draws[name])[:n_real, ::thin].reshape(n_real, max_rank, -1)[:, :, 0]
            truth = np.asarray(prior[name])[lo : lo + n_real].reshape(n_real, -1)[:, 0]
            ranks[lo : lo + n_real, j] = np.sum(d < truth[:, None], axis=1)
        log(f"sbc: {lo + n_real}/{n_sims} simulations ({time.perf_counter() - t0:.1f} s)")
    pvalues = {name: _chi2_uniform(ranks[:, j], max_rank, n_bins) for j, name in enumerate(params)}
    return SBCResult(list(params), ranks, max_rank, pvalues, divergences, time.perf_counter() - t0)
