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

import numpy as np

from theory.files import atomic_path

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", message=r"\s*ArviZ is undergoing a major refactor", category=FutureWarning
    )
    import arviz as az
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
    """InferenceData from a finished ``numpyro.infer.MCMC`` (posterior, sample stats, log-lik)."""
    return az.from_numpyro(mcmc, **kwargs)


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
