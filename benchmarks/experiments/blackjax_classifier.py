"""Samplers for the hardest run of ``bayes_classification`` (issue 17), one chain each.

The P = 256 standard-parametrization run at σ_s = 1 (500 digits, float32, whitened
coordinates of :mod:`bayes.whitened`), 400 warm-up/tuning + 1500 iterations from the same
start: NumPyro's NUTS (what the figure runs), blackjax's NUTS with window adaptation,
blackjax's adjusted MCLMC tuned by ``adjusted_mclmc_find_L_and_step_size`` with
``STEPS`` integration steps per proposal, and (``gist``) GIST's self-tuning step size
(``blackjax.gist_step_size``: a step size picked per transition, which the stiffness that
grows with ``s`` would want) with ``STEPS`` leapfrog steps per proposal after blackjax's
NUTS window adaptation.  Reports wall time (compilation included), mean
integration steps per draw and the ESS of ``s`` (bulk, tail) and the smallest bulk ESS of
the bias ``b``.  Results of 2026-12-04 are in the README (Figures); they are of the model
before its bias shear (2026-12-05), which left this run's step counts as they were; those of
``gist`` (2026-12-05) are of the sheared model.

blackjax is not a dependency of the project; install it next to it first::

    .venv/bin/python -m pip install --no-deps --target /tmp/bjx blackjax==1.7.1 fastprogress
    PYTHONPATH=/tmp/bjx .venv/bin/python -m benchmarks.experiments.blackjax_classifier \
        numpyro|blackjax|mclmc|gist [SEED] [STEPS] [TUNE] [--width P] [--draws N]

``TUNE`` (default 1500) is the ``num_steps`` that blackjax's MCLMC tuner sizes its phases
by (fractions 0.1, 0.1, 0.1 of it).  ``--width`` (default 256) and ``--draws`` (default
1500) run another width of the figure (its P = 16 runs draw 3000 per chain).
"""

from __future__ import annotations

import sys
import time
from functools import partial

import numpy as np

WARMUP, DRAWS, WIDTH = 400, 1500, 256


def main(argv: list[str]) -> None:
    global WIDTH, DRAWS
    for flag in ("--width", "--draws"):
        if flag in argv:
            i = argv.index(flag)
            if i + 1 >= len(argv) or not argv[i + 1].isdigit() or int(argv[i + 1]) < 1:
                raise ValueError(f"{flag} needs a positive integer, got {argv[i + 1 : i + 2]!r}")
            value = int(argv.pop(i + 1))
            argv.pop(i)
            WIDTH, DRAWS = (value, DRAWS) if flag == "--width" else (WIDTH, value)
    which = argv[0]
    seed = int(argv[1]) if len(argv) > 1 else 0
    steps = float(argv[2]) if len(argv) > 2 else 16.0
    tune = int(argv[3]) if len(argv) > 3 else DRAWS
    if which not in ("numpyro", "blackjax", "mclmc", "gist"):
        raise ValueError(f"sampler must be numpyro, blackjax, mclmc or gist, got {which!r}")
    import numpyro

    numpyro.set_host_device_count(1)  # one chain: one device
    import arviz as az
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", False)  # float32, as the figure samples
    from numpyro.infer import MCMC, NUTS
    from numpyro.infer.util import initialize_model

    from bayes import whitened
    from benchmarks.experiments import figure_training_set

    white, y_tr = figure_training_set(WIDTH, "standard")
    us_t, y = jnp.asarray(white.us.T, jnp.float32), jnp.asarray(y_tr)
    kw = {**{k: jnp.asarray(v, jnp.float32) for k, v in white.model_data.items()}, "s_scale": 1.0}
    key = jax.random.PRNGKey(seed)

    t0 = time.perf_counter()
    if which == "numpyro":
        mcmc = MCMC(
            NUTS(whitened.rf_classifier_whitened),
            num_warmup=WARMUP,
            num_samples=DRAWS,
            num_chains=1,
            progress_bar=False,
        )
        mcmc.run(key, us_t, y, extra_fields=("num_steps",), **kw)
        draws = jax.block_until_ready(mcmc.get_samples())
        n_steps = np.asarray(mcmc.get_extra_fields()["num_steps"])
    else:
        import blackjax

        init = initialize_model(
            key, whitened.rf_classifier_whitened, model_args=(us_t, y), model_kwargs=kw
        )

        def logdensity(z):
            return -init.potential_fn(z)

        k_tune, k_draw = jax.random.split(jax.random.PRNGKey(seed + 1))
        run = {
            "blackjax": _nuts,
            "mclmc": partial(_mclmc, steps=steps, tune=tune),
            "gist": partial(_gist, steps=int(steps)),
        }[which]
        pos, n_steps = jax.jit(lambda a, b, z: run(blackjax, logdensity, a, b, z))(
            k_tune, k_draw, init.param_info.z
        )
        draws = jax.vmap(init.postprocess_fn)(jax.block_until_ready(pos))
    elapsed = time.perf_counter() - t0
    s = np.asarray(draws["s"])[None]
    b = np.asarray(draws["b"])[None]
    ess_b = min(float(az.ess(b[..., j])) for j in range(b.shape[-1]))
    print(
        f"{which}: {elapsed:.1f} s, {np.mean(n_steps):.1f} steps/draw, ESS of s bulk "
        f"{float(az.ess(s)):.0f} tail {float(az.ess(s, method='tail')):.0f}, min bulk ESS of b "
        f"{ess_b:.0f}; s mean {s.mean():.4f} sd {s.std():.4f}"
    )


def _nuts(blackjax, logdensity, k_tune, k_draw, z0, *, then=None):
    """blackjax's NUTS window adaptation, then ``DRAWS`` draws of ``then(params)`` (the
    sampler built from the adapted step size and inverse mass matrix; NUTS by default)."""
    import jax

    adapt = blackjax.window_adaptation(blackjax.nuts, logdensity, target_acceptance_rate=0.8)
    (state, params), _ = adapt.run(k_tune, z0, num_steps=WARMUP)
    sampler = (then or (lambda p: blackjax.nuts(logdensity, **p)))(params)
    state = sampler.init(state.position)

    def body(st, k):
        st, info = sampler.step(k, st)
        return st, (st.position, info.num_integration_steps)

    _, out = jax.lax.scan(body, state, jax.random.split(k_draw, DRAWS))
    return out


def _gist(blackjax, logdensity, k_tune, k_draw, z0, *, steps):
    """:func:`_nuts`'s adaptation, then GIST's self-tuning step size (a step size picked per
    transition by doubling/halving from the adapted one, ``steps`` leapfrog steps per
    proposal); the steps reported count the selected proposal's only, not the search's."""

    def gist(params):
        return blackjax.gist_step_size(
            logdensity,
            params["inverse_mass_matrix"],
            initial_step_size=params["step_size"],
            num_integration_steps=steps,
        )

    return _nuts(blackjax, logdensity, k_tune, k_draw, z0, then=gist)


def _mclmc(blackjax, logdensity, k_tune, k_draw, z0, *, steps, tune):
    import jax
    import jax.numpy as jnp

    amd = blackjax.mcmc.adjusted_mclmc_dynamic
    base = amd.build_kernel(
        # trajectory lengths uniform on 1 .. 2·avg
        integration_steps_fn=lambda k, avg: jnp.maximum(
            1, jnp.ceil(jax.random.uniform(k) * 2 * avg)
        ).astype(int),
        integrator=blackjax.mcmc.integrators.isokinetic_mclachlan,
    )

    def kernel(
        rng_key, state, logdensity_fn, step_size, inverse_mass_matrix, integration_steps_params
    ):  # noqa: E501
        return base(
            rng_key=rng_key,
            state=state,
            logdensity_fn=logdensity_fn,
            step_size=step_size,
            inverse_mass_matrix=inverse_mass_matrix,
            integration_steps_params=integration_steps_params,
        )

    k_init, k_find = jax.random.split(k_tune)
    state = amd.init(position=z0, logdensity_fn=logdensity, random_generator_arg=k_init)
    state, params, n_tune = blackjax.adjusted_mclmc_find_L_and_step_size(
        mclmc_kernel=kernel,
        logdensity_fn=logdensity,
        num_steps=tune,
        state=state,
        rng_key=k_find,
        target=0.9,
        frac_tune3=0.1,
        target_num_integration_steps=steps,
    )
    avg = params.L / params.step_size

    def body(st, k):
        st, info = kernel(k, st, logdensity, params.step_size, params.inverse_mass_matrix, (avg,))
        return st, (st.position, info.num_integration_steps)

    _, out = jax.lax.scan(body, state, jax.random.split(k_draw, DRAWS))
    jax.debug.print(
        "tuning: {} integration steps; step size {}, L {}", n_tune, params.step_size, params.L
    )
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
