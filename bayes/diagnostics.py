"""Posterior diagnostics, predictive checks, LOO comparison and simulation-based calibration.

A run is *accepted* only if every monitored variable has rank-normalized split
R-hat ≤ ``rhat_max``, bulk and tail ESS ≥ ``ess_min``, no divergent transitions
and BFMI ≥ ``bfmi_min`` in every chain (:func:`check`).  Figures call
:func:`require_ok`, so a run that fails is reported as failed, never plotted.

Simulation-based calibration (Talts et al. 2018, :func:`sbc`): parameters and data
are drawn from the prior predictive; for each data set the posterior is sampled
with one compiled sampler (``jit_model_args=True``), thinned to ``L`` draws, and
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
import numpy as np
from numpyro.infer import Predictive
from scipy import stats

from bayes import _arviz
from bayes.inference import make_mcmc

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
    """Diagnose ``idata``; the report lists every threshold that was missed."""
    var_names = list(var_names) if var_names is not None else None
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


def require_ok(report: Report, what: str) -> Report:
    """Raise :class:`DiagnosticError` naming ``what`` unless ``report.ok``."""
    if not report.ok:
        raise DiagnosticError(f"{what}: {report}")
    return report


def ppc_pvalue(y_obs: np.ndarray, y_rep: np.ndarray, statistic: Callable[[np.ndarray], float]):
    """Posterior predictive p-value ``P(T(y_rep) ≥ T(y_obs))`` over replicated data sets."""
    t_obs = statistic(np.asarray(y_obs))
    t_rep = np.array([statistic(r) for r in np.asarray(y_rep)])
    return float(np.mean(t_rep >= t_obs)), t_obs, t_rep


def loo_compare(idatas: dict, var_name: str | None = None):
    """PSIS-LOO comparison of several fits: ``(table, max_pareto_k)``.

    ``table`` is ArviZ's comparison (best first); ``max_pareto_k[name]`` is the largest Pareto
    k of that fit -- above 0.7 its LOO estimate is unreliable, which callers must report.
    """
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
    log: Callable[[str], None] | None = None,
    **static_kwargs,
) -> SBCResult:
    """Simulation-based calibration of ``model(*data, <obs_site>=..., **static_kwargs)``.

    ``data`` (covariates) are fixed; ``static_kwargs`` (shapes, exponents) are bound before
    compilation.  One chain per simulation; ``num_samples / thin`` ranks' draws (L).
    """
    if num_samples % thin:
        raise ValueError(f"thin must divide num_samples ({num_samples}), got {thin}")
    if n_sims < n_bins:
        raise ValueError(f"n_sims must be at least n_bins = {n_bins}, got {n_sims}")
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    max_rank = num_samples // thin
    if (max_rank + 1) % n_bins:
        raise ValueError(f"n_bins must divide L + 1 = {max_rank + 1}, got {n_bins}")
    key_prior, key_run = jax.random.split(jax.random.PRNGKey(seed))

    def bound(*args, **kw):
        return model(*args, **kw, **static_kwargs)

    prior = Predictive(bound, num_samples=n_sims)(key_prior, *data)
    mcmc = make_mcmc(
        model,
        num_warmup=num_warmup,
        num_samples=num_samples,
        num_chains=1,
        jit_model_args=True,
        **static_kwargs,
    )
    ranks = np.empty((n_sims, len(params)), dtype=int)
    divergences = 0
    t0 = time.perf_counter()
    for i, key in enumerate(jax.random.split(key_run, n_sims)):
        mcmc.run(key, *data, **{obs_site: prior[obs_site][i]}, extra_fields=("diverging",))
        samples = mcmc.get_samples()
        divergences += int(np.sum(mcmc.get_extra_fields()["diverging"]))
        for j, name in enumerate(params):
            draws = np.asarray(samples[name])[::thin].reshape(max_rank, -1)[:, 0]
            ranks[i, j] = int(np.sum(draws < np.asarray(prior[name][i]).reshape(-1)[0]))
        if (i + 1) % max(1, n_sims // 10) == 0:
            log(f"sbc: {i + 1}/{n_sims} simulations ({time.perf_counter() - t0:.1f} s)")
    pvalues = {name: _chi2_uniform(ranks[:, j], max_rank, n_bins) for j, name in enumerate(params)}
    return SBCResult(list(params), ranks, max_rank, pvalues, divergences, time.perf_counter() - t0)
