r"""Every ArviZ call the toolkit makes, in one place (pinned to ``arviz>=0.22,<1``).

ArviZ 1.x (Python ≥ 3.12) splits into arviz-base/-stats/-plots with different
signatures; when the project moves, only this module changes.  Importing arviz
0.23 emits a FutureWarning about its refactor (once a day per user: it keeps a date stamp
in the user cache directory); it is silenced here (and in the pytest configuration)
because it concerns the 1.x migration, not our calls.  The message starts with a
newline, so the filter's pattern begins with ``\s*`` (``.`` does not match a newline).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from theory.files import atomic_path

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", message=r"\s*ArviZ is undergoing a major refactor", category=FutureWarning
    )
    import arviz as az
    from arviz.data.io_numpyro import NumPyroConverter as _NumPyroConverter
    from arviz.stats.ecdf_utils import ecdf_confidence_band as _ecdf_band

__all__ = [
    "az",
    "from_numpyro",
    "rhat",
    "ess_bulk",
    "ess_tail",
    "mcse_mean",
    "bfmi",
    "loo",
    "compare",
    "rank_ecdf_band",
    "to_netcdf",
    "from_netcdf",
]


def from_numpyro(mcmc, **kwargs) -> az.InferenceData:
    """InferenceData from a finished ``numpyro.infer.MCMC`` (posterior, sample stats, log-lik).

    ``az.from_numpyro(mcmc, **kwargs)``'s groups, variables, dims and values, but the model's
    observed values come from an abstract trace of the model (:func:`_observed`: nothing is
    computed or compiled) instead of ArviZ's eager run of it, which compiles each of the
    model's operations anew for every new data shape: 1.0-2.0 s at the first run of each width
    of ``bayes_classification`` (4.1 s of the 56 s its six σ_s = 1 posteriors take in
    ``benchmarks.bench_bayes filing``; 0.3 s this way), 1.2-1.6 s in ``bayes_widths`` and
    ``bayes_kappa`` (2026-12-06).  Where an observed value is computed by JAX operations, or
    the abstract trace fails, ArviZ's eager run is used.  Everything else (sample-stat names,
    the log-likelihood, dims from plates) is ArviZ's converter; ``tests/test_bayes.py`` checks
    the two agree array for array.
    """
    return _Converter(posterior=mcmc, **kwargs).to_inference_data()


class _Converter(_NumPyroConverter):
    """ArviZ 0.22-0.23's NumPyro converter with :func:`_observed` for its eager model run."""

    def __init__(self, *, posterior, **kwargs):
        model = getattr(posterior.sampler, "model", None)
        observed = None if model is None else _observed(model, posterior._args, posterior._kwargs)
        if observed is None:  # no model, or values only an eager run gives: ArviZ's own way
            super().__init__(posterior=posterior, **kwargs)
            return
        # ArviZ's set-up runs the model eagerly when its sampler has one: hide it, then do
        # the model's part here
        super().__init__(posterior=_WithoutModel(posterior), **kwargs)
        self.posterior, self.model = posterior, model
        if self.dims is None:
            self.dims = self.infer_dims()
        if self.pred_dims is None:
            self.pred_dims = self.infer_pred_dims()
        self.observations = observed or None


class _WithoutModel:
    """``mcmc`` as ArviZ's converter reads it, with a sampler that has no model."""

    def __init__(self, mcmc):
        self._mcmc = mcmc
        self.sampler = SimpleNamespace(model=None)

    def __getattr__(self, name):
        return getattr(self._mcmc, name)


def _observed(model, args: tuple, kwargs: dict) -> dict | None:
    """The observed sample sites' values of ``model(*args, **kwargs)`` as ArviZ's eager run
    records them (latent sites from ``init_to_sample``, seed 0), found by tracing the model
    abstractly (``jax.eval_shape``) with the arguments as they are: an observed value the model
    passes on or computes with NumPy is concrete there, the same object the eager run gets.
    None if one is computed by JAX operations (abstract there) or the abstract trace fails."""
    import jax
    from numpyro import handlers
    from numpyro.infer import init_to_sample

    found = {}

    def sites():
        seeded = handlers.substitute(
            handlers.seed(model, jax.random.PRNGKey(0)), substitute_fn=init_to_sample
        )
        for name, site in handlers.trace(seeded).get_trace(*args, **kwargs).items():
            if site["type"] == "sample" and site["is_observed"]:
                np.asarray(site["value"])  # raises for an abstract value
                found[name] = site["value"]

    try:
        jax.eval_shape(sites)
    except Exception:  # noqa: BLE001 -- whatever the abstract trace cannot do, the eager run does
        return None
    return found


def _per_var(ds) -> dict[str, np.ndarray]:
    return {k: np.asarray(ds[k].values) for k in ds.data_vars}


def rhat(idata, var_names=None) -> dict[str, np.ndarray]:
    """Rank-normalized split R-hat (Vehtari et al. 2021) per variable."""
    return _per_var(az.rhat(idata, var_names=var_names, method="rank"))


def ess_bulk(idata, var_names=None) -> dict[str, np.ndarray]:
    return _per_var(az.ess(idata, var_names=var_names, method="bulk"))


def ess_tail(idata, var_names=None) -> dict[str, np.ndarray]:
    return _per_var(az.ess(idata, var_names=var_names, method="tail"))


def mcse_mean(idata, var_names=None) -> dict[str, np.ndarray]:
    return _per_var(az.mcse(idata, var_names=var_names, method="mean"))


def bfmi(idata) -> np.ndarray:
    """Bayesian fraction of missing information, one value per chain."""
    return np.asarray(az.bfmi(idata))


def loo(idata, var_name: str | None = None):
    """PSIS-LOO (``elpd_loo``, ``se``, Pareto k in ``.pareto_k``).

    ArviZ warns when a Pareto k exceeds 0.7 (unreliable importance weights); the caller reads
    ``.pareto_k`` and reports it instead, so the warning is not raised here.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*Pareto distribution.*", category=UserWarning)
        return az.loo(idata, pointwise=True, var_name=var_name)


def compare(elpds: dict):
    """PSIS-LOO model comparison table (pandas DataFrame, best model first) of :func:`loo` results."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*Pareto distribution.*", category=UserWarning)
        # arviz 0.23 calls DataFrame.sort_values(inplace=True), deprecated in pandas 3.1
        warnings.filterwarnings("ignore", message=".*inplace keyword.*")
        return az.compare(elpds, ic="loo")


def rank_ecdf_band(n_ranks: int, max_rank: int, prob: float = 0.99, seed: int = 0):
    """Simultaneous ``prob`` band for the ECDF of ``n_ranks`` ranks uniform on ``0..max_rank``.

    Returns ``(k, lower, upper)``: the evaluation points ``k = 0..max_rank`` and the band of
    the ECDF there (Säilynoja, Bürkner & Vehtari 2022, simulated for the discrete uniform).
    """
    from scipy.stats import randint

    k = np.arange(max_rank + 1)
    cdf = (k + 1) / (max_rank + 1)
    lower, upper = _ecdf_band(
        n_ranks,
        k,
        cdf,
        prob=prob,
        method="simulated",
        num_trials=2000,
        rvs=randint(0, max_rank + 1).rvs,
        random_state=np.random.default_rng(seed),
    )
    return k, lower, upper


def to_netcdf(idata, path: Path) -> Path:
    """Write ``idata`` to ``path`` atomically (temporary file + ``os.replace``), uncompressed.

    ArviZ's default zlib compression buys almost nothing on posterior draws (random floats):
    measured on 2 cores (arviz 0.23.4, h5netcdf), a synthetic file of 2 × 1500 draws of a
    254 × 9 float32 block and 2 × 2000 × 1000 float64 pointwise log likelihoods took
    1.53 s compressed against 0.06-0.14 s uncompressed, for 56.9 MB against 59.5 MB.  The
    Bayes figures save 33 runs (``bayes_widths`` 18, ``bayes_classification`` 12,
    ``bayes_kappa`` 3); under cProfile ``bayes_widths`` spent 17.2 s of its 33.7 s writing
    its 18 compressed.
    """
    with atomic_path(path) as tmp:
        idata.to_netcdf(str(tmp), compress=False)
    return Path(path)


def from_netcdf(path: Path) -> az.InferenceData:
    return az.from_netcdf(path)
