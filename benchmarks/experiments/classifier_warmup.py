"""Where a run of ``bayes_classification`` spends its leapfrog steps, and what fewer draws
would do to its diagnostics (issue 17, item 4).

``warmup [WIDTH] [PAR] [S_SCALE]`` (defaults 256 standard 3, the figure's slowest run): one
NumPyro warm-up as the figure runs it (500 digits, float32, whitened coordinates of
:mod:`bayes.whitened`, 2 chains, 400 iterations, identity initial mass matrix), its leapfrog
steps and step size per block of iterations; then the same warm-up again (other keys) from
that warm-up's adapted inverse mass matrix, over every coordinate (``adapted``) and over
``ξ`` only (``xi-only``: 1 for ``s`` and ``b``).  The difference is what the first 100
iterations (NumPyro's start buffer of 75 and first window of 25, both with the initial mass
matrix) cost beyond the rest.

``truncate``: the figure's saved runs (``<cache>/bayes/bayes_classification-*.nc``, written
by ``python -m figures bayes_classification``) diagnosed on their first 100%, 70% and 50% of
draws per chain: after warm-up the chains are Markov chains, so their first ``k`` draws are
exactly what a run of ``k`` draws would give (same seed).

Results of 2026-12-05 are in the README (Figures, "What was tried")::

    PYTHONPATH=. .venv/bin/python -m benchmarks.experiments.classifier_warmup \
        warmup [WIDTH] [PAR] [S_SCALE] | truncate
"""

from __future__ import annotations

import sys
import time

import numpy as np

WARMUP = 400
#: iterations per printed block of the warm-up trace
BLOCK = 25


def _warmup(mcmc, key, args: tuple, kwargs: dict) -> tuple[np.ndarray, np.ndarray]:
    """Run ``mcmc``'s warm-up; ``(steps, step_size)``, each (chains, iterations)."""
    import jax

    mcmc.warmup(
        key,
        *args,
        **kwargs,
        collect_warmup=True,
        extra_fields=("num_steps", "adapt_state.step_size"),
    )
    fields = mcmc.get_extra_fields(group_by_chain=True)
    jax.block_until_ready(fields)
    return np.asarray(fields["num_steps"]), np.asarray(fields["adapt_state.step_size"])


def _summary(label: str, steps: np.ndarray, seconds: float) -> str:
    first, rest = steps[:, :100].mean(), steps[:, 100:].mean()
    return (
        f"{label}: warm-up steps per chain {steps.sum(axis=1).tolist()} in {seconds:.1f} s "
        f"(compilation included); mean steps per iteration {first:.0f} in the first 100, "
        f"{rest:.0f} after"
    )


def warmup(width: int, par: str, s_scale: float) -> None:
    from bayes import setup

    setup()
    import jax
    from numpyro.infer import MCMC, NUTS

    from bayes import whitened
    from benchmarks.experiments import figure_training_set

    white, y_tr = figure_training_set(width, par)
    f32 = np.float32
    args = (np.asarray(white.us.T, f32), y_tr)
    kwargs = {k: np.asarray(v, f32) for k, v in white.model_data.items()}
    kwargs["s_scale"] = f32(s_scale)
    model = whitened.rf_classifier_whitened

    def make(inverse_mass_matrix=None):
        kernel = NUTS(model, inverse_mass_matrix=inverse_mass_matrix)
        return MCMC(
            kernel,
            num_warmup=WARMUP,
            num_samples=1,
            num_chains=2,
            chain_method="parallel",
            progress_bar=False,
        )

    print(f"P = {width}, {par}, σ_s = {s_scale:g}: {WARMUP} warm-up iterations, 2 chains")
    with jax.enable_x64(False):
        mcmc = make()
        t0 = time.perf_counter()
        steps, size = _warmup(mcmc, jax.random.PRNGKey(0), args, kwargs)
        print(_summary("identity start", steps, time.perf_counter() - t0))
        print(" iterations | mean steps per chain | mean step size per chain")
        for lo in range(0, WARMUP, BLOCK):
            sl = slice(lo, lo + BLOCK)
            print(
                f" {lo:3d}-{lo + BLOCK - 1:3d} | {steps[:, sl].mean(axis=1).round(0).tolist()}"
                f" | {size[:, sl].mean(axis=1).astype(float).round(4).tolist()}"
            )
        ((sites, adapted),) = mcmc.last_state.adapt_state.inverse_mass_matrix.items()
        adapted = np.asarray(adapted)[0]  # chain 0's adapted diagonal, sites in `sites` order
        sizes = {name: int(np.prod(np.shape(mcmc.last_state.z[name])[1:])) for name in sites}
        xi_only = adapted.copy()
        lo = 0
        for name in sites:
            if name != "xi":
                xi_only[lo : lo + sizes[name]] = 1.0
            lo += sizes[name]
        for label, start in (("adapted start", adapted), ("xi-only start", xi_only)):
            t0 = time.perf_counter()
            again, _ = _warmup(make({sites: start}), jax.random.PRNGKey(1), args, kwargs)
            print(_summary(label, again, time.perf_counter() - t0))


def truncate() -> None:
    from bayes import diagnostics, inference

    paths = sorted(inference.cache_dir().glob("bayes_classification-*.nc"))
    if not paths:
        raise SystemExit("no saved runs: run `python -m figures bayes_classification` first")
    from figures.bayes_classification import CONFIG

    for path in paths:
        idata = inference.load(path.stem)
        n = idata.posterior.sizes["draw"]
        cells = []
        for frac in (1.0, 0.7, 0.5):
            k = int(n * frac)
            report = diagnostics.check(
                idata.isel(draw=slice(0, k)),
                ["s", "b"],
                ess_min=CONFIG["ess_min"],
                rhat_max=CONFIG["rhat_max"],
            )
            cells.append(
                f"{k}: R-hat {report.rhat_max:.4f}, bulk ESS {report.ess_bulk_min:.0f}, "
                f"tail ESS {report.ess_tail_min:.0f}"
            )
        print(path.stem.removeprefix("bayes_classification-"), " | ".join(cells))


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in ("warmup", "truncate"):
        raise SystemExit(__doc__)
    if argv[0] == "truncate":
        truncate()
        return
    width = int(argv[1]) if len(argv) > 1 else 256
    par = argv[2] if len(argv) > 2 else "standard"
    s_scale = float(argv[3]) if len(argv) > 3 else 3.0
    warmup(width, par, s_scale)


if __name__ == "__main__":
    main(sys.argv[1:])
