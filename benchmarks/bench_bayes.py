"""Collapsed vs full NUTS (ESS per second), and the collapsed path at P = 100 000.

1. P = 1024 weights, N = 400: the same data set is sampled by full NUTS on
   ``linear_regression`` (weights and hyperparameters, numpyro defaults) and by the
   collapsed model (hyperparameters only, weights integrated out).  Reported: bulk ESS
   per second of wall time (including compilation) for s and σ, their ratio, and R-hat.
2. P = 100 000 ReLU random features, N = 500: Gram matrix accumulated blockwise,
   one eigendecomposition, NUTS on (s, σ); total time including the decomposition, R-hat,
   bulk ESS and the peak resident memory of a fresh process (the full feature matrix
   alone would take 400 MB; it is never formed).
3. The cross-entropy classifier of figure 9 (digits, N = 500, P = 256 ReLU features, NTK):
   the full non-centered model with the draws the figure used before (2 × (500 + 1500))
   against the whitened model of :mod:`bayes.whitened` with 2 × (400 + 1500) draws (the
   figure's until 2026-12-05; it now draws 2 × 1000 at P = 256 and 2 × 3000 at P = 16).
   Reported: wall time, leapfrog steps per draw, min bulk and tail ESS and max R-hat of
   (s, b), and the ratios (issue 17 asked for 5× in time at equal or better ESS and R-hat).
4. Reused samplers (``run_nuts(..., traced=...)``, as in figures 7 and 8): twelve collapsed
   runs of the same shapes (six widths × two κ, N = 1000, 2 × (500 + 2000) draws), the
   chains on one device each with one compilation (:func:`bayes.inference.chain_method`)
   against NumPyro's sequential chains of the same reused sampler, which drew the same
   numbers.  Reported: total time and the ratio.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _ess_per_s(idata, seconds: float) -> tuple[float, float]:
    from bayes import _arviz, diagnostics

    ess = min(float(_arviz.ess_bulk(idata, [v])[v]) for v in ("s", "sigma"))
    return ess / seconds, diagnostics.check(idata, ["s", "sigma"]).rhat_max


def compare_full_collapsed(n_samples: int = 400, width: int = 1024, seed: int = 0) -> dict:
    import numpy as np

    from bayes import collapsed, inference, models
    from bayes.data import simulate_linear

    rng = np.random.default_rng(seed)
    X, y, _ = simulate_linear(
        rng, n_samples=n_samples, width=width, s=1.0, prior_exponent=1.0, noise_sd=0.5
    )
    nuts = {"num_warmup": 1000, "num_samples": 1000, "num_chains": 2, "seed": seed}
    t0 = time.perf_counter()
    full = inference.run_nuts(
        models.linear_regression, X, y, prior_exponent=1.0, label="bench full", **nuts
    )
    t_full = time.perf_counter() - t0
    t0 = time.perf_counter()
    spec = collapsed.gram_spectrum(X)
    coll = inference.run_nuts(
        collapsed.collapsed_regression,
        spec.k,
        collapsed.rotate(spec, y),
        width=width,
        prior_exponent=1.0,
        dense_mass=True,
        label="bench collapsed",
        **nuts,
    )
    t_coll = time.perf_counter() - t0
    (ess_full, rhat_full), (ess_coll, rhat_coll) = (
        _ess_per_s(full, t_full),
        _ess_per_s(coll, t_coll),
    )
    return {
        "t_full": t_full,
        "t_coll": t_coll,
        "ess_s_full": ess_full,
        "ess_s_coll": ess_coll,
        "rhat_full": rhat_full,
        "rhat_coll": rhat_coll,
    }


def large_width(
    n_samples: int = 500, width: int = 100_000, input_dim: int = 50, seed: int = 0
) -> dict:
    """Run in a fresh process (``python -m benchmarks.bench_bayes large``) for peak memory."""
    import numpy as np

    from bayes import collapsed, diagnostics, inference
    from figures._registry import peak_rss_mb

    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, input_dim))
    X *= np.sqrt(input_dim) / np.linalg.norm(X, axis=1, keepdims=True)
    y = X @ rng.normal(0, 1 / np.sqrt(input_dim), input_dim) + 0.3 * rng.standard_normal(n_samples)
    t0 = time.perf_counter()
    spec = collapsed.gram_spectrum(collapsed.relu_feature_blocks(X, width=width, seed=seed))
    t_gram = time.perf_counter() - t0
    idata = inference.run_nuts(
        collapsed.collapsed_regression,
        spec.k,
        collapsed.rotate(spec, y),
        width=width,
        prior_exponent=0.0,
        readout_exponent=0.5,
        dense_mass=True,
        num_warmup=1000,
        num_samples=1000,
        num_chains=2,
        seed=seed,
        label="bench P=100000",
    )
    total = time.perf_counter() - t0
    report = diagnostics.check(idata, ["s", "sigma"])
    peak_mb = peak_rss_mb()  # this program's own peak: ru_maxrss would be the parent's
    return {
        "total": total,
        "gram": t_gram,
        "rhat": report.rhat_max,
        "ess": report.ess_bulk_min,
        "peak_mb": peak_mb,
        "ok": report.ok,
    }


def _whitened_priors(contrasts, shift, s_scale):
    """``(s, b, xi)`` sampled as :func:`bayes.whitened.rf_classifier_whitened` samples them:
    the older likelihoods below differ from the model's only after these three sites."""
    import numpyro
    import numpyro.distributions as dist

    k1 = contrasts.shape[1]
    s = numpyro.sample("s", dist.HalfNormal(s_scale))
    b = numpyro.sample("b", dist.Normal(0.0, 1.0).expand([k1]).to_event(1))
    xi = numpyro.sample("xi", dist.Normal(shift[:, None] * b[None, :] / s, 1.0).to_event(2))
    return s, b, xi


def _rows_whitened(us, y=None, *, contrasts, shift, ones_perp, s_scale: float = 1.0):
    """:func:`bayes.whitened.rf_classifier_whitened` with its data row-major (``us``, N × r)
    and the logits ``(s · us ξ' + ones_perp bᵀ) Hᵀ``: the layout of before 2026-12-05 with
    today's shear (the baseline of the model's layout)."""
    import numpyro
    import numpyro.distributions as dist

    s, b, xi = _whitened_priors(contrasts, shift, s_scale)
    logits = (s * (us @ xi) + ones_perp[:, None] * b) @ contrasts.T
    with numpyro.plate("data", us.shape[0]):
        numpyro.sample("y", dist.Categorical(logits=logits), obs=y)


def _gather_whitened(us_t, y=None, *, contrasts, shift, ones_perp, s_scale: float = 1.0):
    """:func:`bayes.whitened.rf_classifier_whitened` as it was from 2026-12-05 to 2026-12-06:
    data class-major, logits ``H (s ξ'ᵀ us_t + b ones_perpᵀ)`` transposed and scored by
    ``dist.Categorical`` (a gather per point; the baseline of the one-product, class-major
    score)."""
    import numpyro
    import numpyro.distributions as dist

    s, b, xi = _whitened_priors(contrasts, shift, s_scale)
    logits = (contrasts @ (s * (xi.T @ us_t) + b[:, None] * ones_perp[None, :])).T
    with numpyro.plate("data", us_t.shape[1]):
        numpyro.sample("y", dist.Categorical(logits=logits), obs=y)


def compare_gradient(width: int = 256, n_train: int = 500, seed: int = 0, calls: int = 1000):
    """Seconds per gradient of the classifier's potential energy (P = ``width``, NTK, float32,
    one device), ``calls`` gradient steps inside one compiled loop, as NUTS calls it, the
    data passed as arguments (as the figure's sampler passes them); best of five loops.
    The model against :func:`_gather_whitened` (2026-12-05) and :func:`_rows_whitened`."""
    import jax
    import jax.numpy as jnp
    from numpyro.infer.util import initialize_model, potential_energy

    from bayes import whitened
    from bayes.data import digits_split
    from figures.bayes_classification import _features

    X_tr, y_tr, _, _ = digits_split(n_train, 1000, seed=seed)
    phi = _features(X_tr, width, seed)  # the figure's random ReLU features
    white = whitened.whiten(phi, n_classes=10, parametrization="ntk")
    out = {}
    with jax.enable_x64(False):
        kw = {k: jnp.asarray(v, jnp.float32) for k, v in white.model_data.items()}
        y = jnp.asarray(y_tr)
        for name, model, data in (
            ("model", whitened.rf_classifier_whitened, white.us.T),
            ("gather", _gather_whitened, white.us.T),
            ("rows", _rows_whitened, white.us),
        ):
            data = jnp.asarray(data, jnp.float32)
            z0 = initialize_model(
                jax.random.PRNGKey(seed), model, model_args=(data, y), model_kwargs=kw
            ).param_info.z

            def energy(z, data, kw, model=model):
                return potential_energy(model, (data, y), kw, z)

            @jax.jit
            def loop(z, data, kw, energy=energy):
                def step(_, z):
                    g = jax.grad(energy)(z, data, kw)
                    return jax.tree.map(lambda a, d: a - 1e-6 * d, z, g)

                return jax.lax.fori_loop(0, calls, step, z)

            jax.block_until_ready(loop(z0, data, kw))  # compile
            times = []
            for _ in range(5):
                t0 = time.perf_counter()
                jax.block_until_ready(loop(z0, data, kw))
                times.append((time.perf_counter() - t0) / calls)
            out[name] = min(times)
    return out


def compare_classifier(width: int = 256, n_train: int = 500, seed: int = 0) -> dict:
    import numpy as np

    from bayes import diagnostics, inference, models, whitened
    from bayes.data import digits_split
    from figures.bayes_classification import _features

    X_tr, y_tr, _, _ = digits_split(n_train, 1000, seed=seed)
    phi = _features(X_tr, width, seed)  # the figure's random ReLU features
    out = {}
    runs = {
        "full": lambda: inference.run_nuts(
            models.noncentered(models.rf_classifier), phi, y_tr, n_classes=10,
            parametrization="ntk", prior_exponent=0.0, num_warmup=500, num_samples=1500,
            num_chains=2, seed=seed, label="bench classifier full",
        ),
        "whitened": lambda: inference.run_nuts(
            whitened.rf_classifier_whitened, white.us.T, y_tr, **white.model_data,
            validate=lambda us_t, y: models.check_classification_data(us_t.T, y, 10),
            num_warmup=400, num_samples=1500, num_chains=2, seed=seed,
            label="bench classifier whitened",
        ),
        "whitened32_rows": lambda: inference.run_nuts(
            _rows_whitened, white.us, y_tr, **white.model_data,
            validate=lambda us, y: models.check_classification_data(us, y, 10),
            num_warmup=400, num_samples=1500, num_chains=2, seed=seed, dtype="float32",
            label="bench classifier whitened float32, row-major data",
        ),
        "whitened32_gather": lambda: inference.run_nuts(
            _gather_whitened, white.us.T, y_tr, **white.model_data,
            validate=lambda us_t, y: models.check_classification_data(us_t.T, y, 10),
            num_warmup=400, num_samples=1500, num_chains=2, seed=seed, dtype="float32",
            label="bench classifier whitened float32, Categorical on transposed logits",
        ),
        "whitened32": lambda: inference.run_nuts(
            whitened.rf_classifier_whitened, white.us.T, y_tr, **white.model_data,
            validate=lambda us_t, y: models.check_classification_data(us_t.T, y, 10),
            num_warmup=400, num_samples=1500, num_chains=2, seed=seed, dtype="float32",
            label="bench classifier whitened float32",
        ),
    }  # fmt: skip
    for name, go in runs.items():
        t0 = time.perf_counter()
        white = whitened.whiten(phi, n_classes=10, parametrization="ntk")
        idata = go()
        seconds = time.perf_counter() - t0
        report = diagnostics.check(idata, ["s", "b"])
        out[name] = {
            "t": seconds,
            "steps": float(np.mean(np.asarray(idata.sample_stats["n_steps"]))),
            "ess_bulk": report.ess_bulk_min,
            "ess_tail": report.ess_tail_min,
            "rhat": report.rhat_max,
        }
    return out


def compare_classifier_filing(seed: int = 0) -> dict:
    """Issue 17 item 4 on the posteriors the figure sampled when the issue was filed.

    Then ``bayes_classification`` sampled six posteriors (widths 16, 64, 256 × NTK and
    standard, ``s ~ HalfNormal(1)``, N = 500 digits) with the full non-centered model
    (``models.noncentered(models.rf_classifier)``), float64, 2 × (500 + 1500) draws, one
    compilation per run (485 s for the whole figure on the filing's machine).  Issue 12 has
    since added a second hyperprior (σ_s = 3: six more posteriors), so the figure's own time
    is no longer the same computation.  Here the same six posteriors, on the figure's
    features and data, in this process: the filing's sampler against the figure's today
    (:mod:`bayes.whitened` with the bias shear, float32, 400 warm-up iterations, its draws
    per width, one compiled sampler per width).  NUTS time only (each run's whitening
    included), then diagnostics over (s, b) -- the figure's gate -- and over s alone, the one
    variable that is the same in both parametrizations (b is K biases in the full model and
    K − 1 class contrasts in the whitened one).
    """
    import numpy as np

    from bayes import diagnostics, inference, models, whitened
    from bayes.data import digits_split
    from figures.bayes_classification import CONFIG, _features

    n_train, n_test = CONFIG["n_train"], CONFIG["n_test"]
    X_tr, y_tr, X_te, _ = digits_split(n_train, n_test, seed=seed)
    draws = dict(zip(CONFIG["widths"], CONFIG["num_samples"], strict=True))
    out = {"filing": [], "today": []}
    for width in CONFIG["widths"]:
        phi_tr = _features(np.vstack([X_tr, X_te]), width, seed + width)[:n_train]
        for par in CONFIG["parametrizations"]:
            label = f"bench filing {par} P={width}"
            t0 = time.perf_counter()
            idata = inference.run_nuts(
                models.noncentered(models.rf_classifier), phi_tr, y_tr, n_classes=10,
                parametrization=par, prior_exponent=0.0, num_warmup=500, num_samples=1500,
                num_chains=2, seed=seed, label=label,
            )  # fmt: skip
            runs = [("filing", idata, time.perf_counter() - t0)]
            t0 = time.perf_counter()
            white = whitened.whiten(phi_tr, n_classes=10, parametrization=par)
            idata = inference.run_nuts(
                whitened.rf_classifier_whitened, white.us.T, y_tr,
                traced={**white.model_data, "s_scale": 1.0},
                validate=lambda us_t, y: models.check_classification_data(us_t.T, y, 10),
                num_warmup=CONFIG["num_warmup"], num_samples=draws[width],
                num_chains=CONFIG["num_chains"], dtype=CONFIG["dtype"], seed=seed,
                log_likelihood=False, label=f"bench today {par} P={width}",
            )  # fmt: skip
            runs.append(("today", idata, time.perf_counter() - t0))
            for name, idata, seconds in runs:
                both, s = (diagnostics.check(idata, v) for v in (["s", "b"], ["s"]))
                out[name].append(
                    {
                        "run": f"{par} P={width}",
                        "t": seconds,
                        "ess_bulk": both.ess_bulk_min,
                        "ess_tail": both.ess_tail_min,
                        "rhat": both.rhat_max,
                        "ess_bulk_s": s.ess_bulk_min,
                        "ess_tail_s": s.ess_tail_min,
                    }
                )
    return out


def _filing_rows(f: dict) -> list[dict]:
    def total(name):
        runs = f[name]
        return {
            "t": sum(r["t"] for r in runs),
            **{k: min(r[k] for r in runs) for k in ("ess_bulk", "ess_tail", "ess_bulk_s",
                                                     "ess_tail_s")},
            "rhat": max(r["rhat"] for r in runs),
        }  # fmt: skip

    old, new = total("filing"), total("today")

    def note(r):
        return (
            f"min ESS of (s, b) bulk {r['ess_bulk']:.0f} tail {r['ess_tail']:.0f}, of s bulk "
            f"{r['ess_bulk_s']:.0f} tail {r['ess_tail_s']:.0f}; max R-hat {r['rhat']:.4f}"
        )

    pairs = zip(f["filing"], f["today"], strict=True)
    per_run = ", ".join(f"{a['run']} {a['t']:.1f} → {b['t']:.1f} s" for a, b in pairs)
    return [
        {
            "metric": "bayes_classification's six posteriors at the issue's filing (σ_s = 1): "
            "the filing's sampler (full model, float64, 2x(500+1500)), NUTS time",
            "value": old["t"],
            "unit": "s",
            "note": note(old),
        },
        {
            "metric": "same six posteriors, the figure's sampler today (whitened, float32, "
            "its draws per width), NUTS time",
            "value": new["t"],
            "unit": "s",
            "baseline": old["t"],
            "ratio": old["t"] / new["t"],
            "target": "ratio >= 5 at equal or better ESS, R-hat",
            "note": f"{note(new)}; per run {per_run}",
        },
    ]


def compare_reuse(n_samples: int = 1000, seed: int = 0) -> dict:
    import numpy as np

    from bayes import collapsed, inference
    from bayes.data import simulate_linear

    rng = np.random.default_rng(seed)
    runs = []
    for width in (25, 50, 100, 200, 400, 800):
        X, y, _ = simulate_linear(
            rng, n_samples=n_samples, width=width, s=1.0, prior_exponent=1.0, noise_sd=0.5
        )
        spec = collapsed.gram_spectrum(X)
        runs += [(spec.k, collapsed.rotate(spec, y), width, kappa) for kappa in (1.0, 0.0)]
    parallel = inference.chain_method

    def sweep(method) -> tuple[float, list]:
        inference._REUSABLE.clear()
        inference.chain_method = method
        try:
            t0, draws = time.perf_counter(), []
            for k, z, width, kappa in runs:
                idata = inference.run_nuts(
                    collapsed.collapsed_regression, k, z, s_prior="half_normal",
                    traced={"width": float(width), "prior_exponent": kappa},
                    num_warmup=500, num_samples=2000, dense_mass=True, seed=seed,
                    log_likelihood=False, label="bench reuse",
                )  # fmt: skip
                draws.append(np.asarray(idata.posterior["s"]))
            return time.perf_counter() - t0, draws
        finally:
            inference.chain_method = parallel
            inference._REUSABLE.clear()

    t_seq, seq = sweep(lambda n, reuse=False: "sequential")
    t_par, par = sweep(parallel)
    same = sum(bool(np.allclose(a, b, rtol=1e-9, atol=0)) for a, b in zip(seq, par, strict=True))
    return {"t_seq": t_seq, "t_par": t_par, "same": same, "runs": len(runs)}


def sbc_shard_rows(n_sims: int = 200, seed: int = 0) -> list[dict]:
    """SBC batches split over every JAX device (``sbc(shard=True)``) vs one device.

    Two SBC runs of the ``diagnostics`` figure's size (200 simulations, 200 + 396
    iterations, 20 simulations per device and call).  Each ``sbc`` call compiles its sampler
    in its first call, so the time per simulation is taken over the later calls (from the
    progress log: 180 simulations on one device, 160 on two).  The ranks agree in
    distribution, not draw for draw (the program compiled for a device's block rounds
    differently, and NUTS amplifies it), so the share of equal ranks is reported.
    """
    import re

    import jax
    import numpy as np

    from bayes import diagnostics, models

    rng = np.random.default_rng(seed)
    runs = (
        ("linear regression", models.noncentered(models.linear_regression),
         rng.standard_normal((20, 4)), ["s", "sigma"], {"prior_exponent": 1.0}),
        ("random-features classifier", models.noncentered(models.rf_classifier),
         np.maximum(rng.standard_normal((30, 4)), 0.0), ["s"],
         {"n_classes": 3, "parametrization": "ntk"}),
    )  # fmt: skip
    kw = dict(n_sims=n_sims, num_warmup=200, num_samples=396, thin=4, n_bins=10, seed=seed)
    progress = re.compile(r"sbc: (\d+)/\d+ simulations \(([0-9.]+) s\)")
    rows = []
    for label, model, data, params, static in runs:
        got = {}
        for shard in (False, True):
            logs: list[str] = []
            res = diagnostics.sbc(
                model, data, params=params, shard=shard, log=logs.append, **kw, **static
            )
            (n0, t0), (n1, t1) = ((int(m[1]), float(m[2])) for m in
                                  (progress.search(logs[0]), progress.search(logs[-1])))  # fmt: skip
            if n1 == n0:
                raise ValueError(
                    f"n_sims={n_sims} fits in one call on {jax.device_count()} devices: "
                    "nothing timed after compilation; give more simulations"
                )
            got[shard] = ((t1 - t0) / (n1 - n0), res)
        (t_one, one), (t_all, all_) = got[False], got[True]
        rows.append(
            {
                "metric": f"SBC, {label}, {n_sims} simulations: over {jax.device_count()} "
                "devices, seconds per simulation",
                "value": t_all,
                "unit": "s",
                "baseline": t_one,
                "ratio": t_one / t_all,
                "note": "baseline: one device; calls after the first (compiling) one; ranks "
                f"equal in {np.mean(one.ranks == all_.ranks):.0%}, χ² p-values "
                f"{min(one.pvalues.values()):.2f} (one) and {min(all_.pvalues.values()):.2f} (all)",
            }
        )
    return rows


def run() -> list[dict]:
    r = compare_full_collapsed()
    c = {**compare_classifier(), "gradient": compare_gradient()}
    filing = compare_classifier_filing()
    reuse = compare_reuse()
    env = dict(os.environ, TQDM_DISABLE="1")
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_bayes", "large"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    big = json.loads(proc.stdout.strip().splitlines()[-1])
    return (
        [
            {
                "metric": "full NUTS, P=1024 N=400: min bulk ESS/s of (s, σ)",
                "value": r["ess_s_full"],
                "unit": "1/s",
                "note": f"R-hat {r['rhat_full']:.3f}, {r['t_full']:.0f} s",
            },
            {
                "metric": "collapsed NUTS, same data: min bulk ESS/s of (s, σ)",
                "value": r["ess_s_coll"],
                "unit": "1/s",
                "baseline": r["ess_s_full"],
                "ratio": r["ess_s_coll"] / r["ess_s_full"],
                "target": "ratio >= 50",
                "note": f"R-hat {r['rhat_coll']:.3f}, {r['t_coll']:.0f} s",
            },
            {
                "metric": "collapsed, P=100000 N=500: total time incl. blockwise Gram + eigh",
                "value": big["total"],
                "unit": "s",
                "target": "< 60 s",
                "note": f"Gram {big['gram']:.1f} s; R-hat {big['rhat']:.4f}, bulk ESS {big['ess']:.0f}",
            },
            {
                "metric": "collapsed, P=100000 N=500: peak resident memory",
                "value": big["peak_mb"],
                "unit": "MB",
                "note": "whole process (Python, JAX/XLA, NumPyro); the 400 MB N x P feature matrix is never formed, the largest block is N x 4096 (16 MB)",
            },
            {
                "metric": f"{reuse['runs']} reused collapsed runs (traced width, κ): chains in parallel",
                "value": reuse["t_par"],
                "unit": "s",
                "baseline": reuse["t_seq"],
                "ratio": reuse["t_seq"] / reuse["t_par"],
                "note": f"baseline: the same runs, chains one after the other; draws of s equal "
                f"(rtol 1e-9) in {reuse['same']} of {reuse['runs']} runs",
            },
        ]
        + _classifier_rows(c)
        + _filing_rows(filing)
        + sbc_shard_rows()
    )


def _classifier_rows(c: dict) -> list[dict]:
    full, white, white32, rows = c["full"], c["whitened"], c["whitened32"], c["whitened32_rows"]
    gather, grad = c["whitened32_gather"], c["gradient"]

    def note(r):
        return (
            f"{r['steps']:.0f} steps/draw, min ESS bulk {r['ess_bulk']:.0f} tail "
            f"{r['ess_tail']:.0f}, R-hat {r['rhat']:.3f}"
        )

    return [
        {
            "metric": "figure 9 classifier P=256 NTK, full model, 2x(500+1500): wall time",
            "value": full["t"],
            "unit": "s",
            "note": note(full),
        },
        {
            "metric": "same, whitened model, 2x(400+1500): wall time",
            "value": white["t"],
            "unit": "s",
            "baseline": full["t"],
            "ratio": full["t"] / white["t"],
            "note": note(white),
        },
        {
            "metric": "same, whitened model in float32 (figure 9's setting): wall time",
            "value": white32["t"],
            "unit": "s",
            "baseline": full["t"],
            "ratio": full["t"] / white32["t"],
            "target": "ratio >= 5 at equal or better ESS, R-hat",
            "note": note(white32),
        },
        {
            "metric": "same, whitened float32, the model's one product and class-major score "
            "against 2026-12-05's (Categorical on the transposed logits): wall time",
            "value": white32["t"],
            "unit": "s",
            "baseline": gather["t"],
            "ratio": gather["t"] / white32["t"],
            "note": f"{white32['steps']:.0f} steps/draw against {gather['steps']:.0f}; "
            f"baseline {note(gather)}",
        },
        {
            "metric": "P=256 NTK float32: seconds per gradient of the potential in a compiled "
            "loop, the model against 2026-12-05's",
            "value": grad["model"],
            "unit": "s",
            "baseline": grad["gather"],
            "ratio": grad["gather"] / grad["model"],
            "note": "one device, 1000 gradient steps per loop, best of 5",
        },
        {
            "metric": "same, the model against row-major data (N x r) with Categorical "
            "(before 2026-12-05)",
            "value": grad["model"],
            "unit": "s",
            "baseline": grad["rows"],
            "ratio": grad["rows"] / grad["model"],
        },
        {
            "metric": "same, whitened float32, the model against row-major data (N x r) with "
            "Categorical (before 2026-12-05): wall time",
            "value": white32["t"],
            "unit": "s",
            "baseline": rows["t"],
            "ratio": rows["t"] / white32["t"],
            "note": f"{white32['steps']:.0f} steps/draw against {rows['steps']:.0f}; "
            f"baseline {note(rows)}",
        },
        {
            "metric": "same: min tail ESS per second, whitened float32 / full",
            "value": white32["ess_tail"] / white32["t"],
            "unit": "1/s",
            "baseline": full["ess_tail"] / full["t"],
            "ratio": (white32["ess_tail"] / white32["t"]) / (full["ess_tail"] / full["t"]),
        },
    ]


if __name__ == "__main__" and sys.argv[1:] == ["filing"]:
    # issue 17 item 4 alone (about 8 min on 2 cores): python -m benchmarks.bench_bayes filing
    import bayes

    bayes.setup()
    rows = _filing_rows(compare_classifier_filing())
    print(json.dumps(rows, indent=1, ensure_ascii=False))

if __name__ == "__main__" and sys.argv[1:] == ["large"]:
    os.environ.setdefault("TQDM_DISABLE", "1")
    import bayes

    bayes.setup()  # host devices and float64 before JAX starts

    print(json.dumps(large_width()))
