"""Why a run of ``bayes_classification`` needs the leapfrog steps it needs (issue 17, item 4).

One NUTS run of the figure (500 digits, float32, whitened coordinates of
:mod:`bayes.whitened`, 2 chains × (400 + 1500)), then four measurements on its draws:

1. **Training log likelihood** at the draws (all 500 points, float64): near 0 means the
   draws classify every training point with a margin, i.e. the posterior of ``ξ`` is the
   prior cut to the cone of separating coefficients, softened by the softmax.
2. **Dependence of ``ξ`` on ``s``**: the largest |correlation| of ``log s`` with a
   coordinate of ``ξ``, and the spread (over ``ξ``'s coordinates) of the sd of ``ξ`` within
   each fifth of the draws sorted by ``s``, relative to the middle fifth: 1 means the
   posterior of ``ξ`` does not change with ``s`` (no funnel).
3. **Stiffness against ``s``**: the largest eigenvalue of the Hessian of the potential in
   the sampler's coordinates scaled by the draws' sd (what NUTS's diagonal mass matrix
   adapts to), by power iteration with Hessian-vector products, at draws of low, middle and
   high ``s``; the step size NUTS can take is about ``1/√λ_max`` of the worst of them.
4. **The smallest eigenvalues of the draws' correlation matrix** in the sampler's
   coordinates and the coordinates that carry them (only where draws outnumber
   coordinates, P ≤ 64): at P = 16, unsheared, they pair ``ξ[0, k]`` (the features' mean
   direction, which is nearly the bias's) with ``b[k]``.

The model is the library's, :func:`bayes.whitened.rf_classifier_whitened`, whose ``xi``
is sheared (``ξ' = ξ + shift bᵀ / s``: the bias out of the features' span, module doc of
:mod:`bayes.whitened`); ``--unsheared`` runs it with ``shift = 0`` and ``ones_perp = 1``,
the model before that change, to measure what the shear buys.  ``--centred A`` samples
``η = s^A ξ ~ N(0, s^(2A))`` in the unsheared model instead (partial centering of every
coordinate: the cone's walls in ``η`` sharpen only as ``s^(1−A)``).  Results of 2026-12-05
are in the README (Figures; measured before the shear was the model's: its numbers are
the unsheared model's unless they are the shear's; ``--unsheared`` runs that model, on
other draws since the model now samples ``b`` before ``xi``)::

    PYTHONPATH=. .venv/bin/python -m benchmarks.experiments.classifier_geometry \
        [WIDTH] [PAR] [S_SCALE] [--unsheared | --centred A]

(defaults 256 standard 3: the figure's slowest run).
"""

from __future__ import annotations

import sys
import time

import numpy as np

#: draws per chain: the figure's count at every width when these runs were measured
#: (2026-12-05; it now draws 3000 at P = 16 and 1000 at P = 64 and 256)
DRAWS = 1500


def partly_centred(us_t, y=None, *, contrasts, centred, s_scale=1.0):
    """:func:`bayes.whitened.rf_classifier_whitened` with ``η = s^a ξ ~ N(0, s^(2a))``
    sampled for ``ξ`` (``a = centred``: 0 is the unsheared non-centred model, 1 centred)."""
    import numpyro
    import numpyro.distributions as dist

    r, k1 = us_t.shape[0], contrasts.shape[1]
    s = numpyro.sample("s", dist.HalfNormal(s_scale))
    eta = numpyro.sample("xi", dist.Normal(0.0, s**centred).expand([r, k1]).to_event(2))
    b = numpyro.sample("b", dist.Normal(0.0, 1.0).expand([k1]).to_event(1))
    logits = (contrasts @ (s ** (1.0 - centred) * (eta.T @ us_t) + b[:, None])).T
    with numpyro.plate("data", us_t.shape[1]):
        numpyro.sample("y", dist.Categorical(logits=logits), obs=y)


def main(argv: list[str]) -> None:
    shear = "--unsheared" not in argv
    centred = None
    if "--centred" in argv:
        i = argv.index("--centred")
        centred = float(argv[i + 1])
        argv = argv[:i] + argv[i + 2 :]
    args = [a for a in argv if a != "--unsheared"]
    width = int(args[0]) if args else 256
    par = args[1] if len(args) > 1 else "standard"
    s_scale = float(args[2]) if len(args) > 2 else 3.0
    from bayes import setup

    setup()
    import jax
    import jax.numpy as jnp
    from numpyro.infer.util import initialize_model
    from scipy.special import log_softmax

    from bayes import diagnostics, inference, whitened
    from benchmarks.experiments import figure_training_set
    from figures.bayes_classification import CONFIG

    white, y_tr = figure_training_set(width, par)
    n = len(y_tr)
    us = white.us
    traced = {**white.model_data, "s_scale": s_scale}
    model = whitened.rf_classifier_whitened
    if centred is not None:
        shear = False
        traced = {"contrasts": white.contrasts, "centred": centred, "s_scale": s_scale}
        model = partly_centred
    elif not shear:  # the model before the shear
        traced.update(shift=0.0 * white.shift, ones_perp=1.0 + 0.0 * white.ones_perp)
    else:
        print(f"‖1 − US shift‖ = {np.linalg.norm(white.ones_perp):.3f} of ‖1‖ = {np.sqrt(n):.2f}")
    t0 = time.perf_counter()
    idata = inference.run_nuts(
        model, us.T, y_tr, traced=traced, num_warmup=CONFIG["num_warmup"],
        num_samples=DRAWS, num_chains=CONFIG["num_chains"], dtype="float32",
        seed=CONFIG["seed"], log_likelihood=False, validate=lambda *a: None,
        label=f"geometry P={width} {par} σ_s={s_scale:g}{'' if shear else ' unsheared'}"
        + (f" centred {centred:g}" if centred is not None else ""),
    )  # fmt: skip
    elapsed = time.perf_counter() - t0
    rep = diagnostics.check(idata, ["s", "b"], ess_min=400, rhat_max=1.01)
    post = idata.posterior
    s = np.asarray(post["s"], np.float64).reshape(-1)
    xi = np.asarray(post["xi"], np.float64).reshape(len(s), -1)
    b = np.asarray(post["b"], np.float64).reshape(len(s), -1)
    r = post["xi"].shape[-2]
    # ξ itself (the sampler's coordinates are kept in xi for steps 3 and 4)
    plain = xi.reshape(len(s), r, -1)
    if shear:
        plain = plain - white.shift[None, :, None] * b[:, None, :] / s[:, None, None]
    elif centred is not None:
        plain = plain / s[:, None, None] ** centred
    plain = plain.reshape(len(s), -1)
    steps = float(np.mean(idata.sample_stats["n_steps"]))
    print(
        f"P={width} {par} σ_s={s_scale:g}: {elapsed:.1f} s, {steps:.1f} steps/draw, max R-hat "
        f"{rep.rhat_max:.4f}, min bulk ESS {rep.ess_bulk_min:.0f}, tail {rep.ess_tail_min:.0f}; "
        f"s 5/50/95% {np.round(np.quantile(s, [0.05, 0.5, 0.95]), 3).tolist()}"
    )

    # 1. training log likelihood at 60 draws
    h = white.contrasts
    lik = []
    for d in np.linspace(0, len(s) - 1, 60).astype(int):
        log_p = log_softmax((s[d] * us @ plain[d].reshape(r, -1) + b[d]) @ h.T, axis=1)
        lik.append(log_p[np.arange(n), y_tr].sum())
    spread = np.round(np.quantile(lik, [0, 0.5, 1]), 2).tolist()
    print(f"1. training log likelihood at 60 draws, 0/50/100%: {spread}")

    # 2. does ξ's posterior change with s?
    t = np.log(s) - np.log(s).mean()
    xc = plain - plain.mean(axis=0)
    corr = (t @ xc) / (np.linalg.norm(t) * np.linalg.norm(xc, axis=0))
    order = np.argsort(s)
    fifths = np.array_split(order, 5)
    sd = np.array([plain[f].std(axis=0) for f in fifths]) / plain[fifths[2]].std(axis=0)
    print(
        f"2. sd(log s) {np.log(s).std():.3f}; max |corr(log s, ξ_j)| {np.abs(corr).max():.3f}; "
        f"sd of ξ per fifth of s / middle fifth, median over ξ: "
        f"{np.round(np.median(sd, axis=1), 3).tolist()}"
    )

    # 3. stiffness at low, middle and high s, in the sd-scaled sampler coordinates
    init = initialize_model(jax.random.PRNGKey(0), model, model_args=(us.T, y_tr),
                            model_kwargs=traced)  # fmt: skip
    with jax.enable_x64(True):
        # the sampler's coordinates: log s (HalfNormal's transform), ξ, b
        z_draws = np.column_stack([np.log(s), xi, b])
        scale = jnp.asarray(z_draws.std(axis=0))

        def potential(z):
            return init.potential_fn({"s": z[0], "xi": z[1 : 1 + xi.shape[1]].reshape(r, -1),
                                      "b": z[1 + xi.shape[1] :]})  # fmt: skip

        @jax.jit
        def top_eig(z):
            def hvp(v):  # Hessian of the potential in sd-scaled coordinates, times v
                grad = jax.grad(lambda q: potential(z + scale * q))
                return jax.jvp(grad, (jnp.zeros_like(v),), (v,))[1]

            v = jnp.ones_like(z) / jnp.sqrt(z.size)

            def body(_, v):
                w = hvp(v)
                return w / jnp.linalg.norm(w)

            v = jax.lax.fori_loop(0, 100, body, v)
            return v @ hvp(v)

        for q in (0.05, 0.5, 0.95):
            idx = order[int(q * (len(s) - 1))]
            lam = float(top_eig(jnp.asarray(z_draws[idx])))
            print(f"3. s = {s[idx]:.3f} ({q:.0%} quantile): largest eigenvalue {lam:.1f}")

    # 4. smallest eigenvalues of the draws' correlation matrix (needs draws ≫ coordinates)
    if z_draws.shape[1] < len(s) / 4:
        zs = (z_draws - z_draws.mean(axis=0)) / z_draws.std(axis=0)
        w, v = np.linalg.eigh(np.corrcoef(zs.T))
        xi_name = "ξ'" if shear else "η" if centred is not None else "ξ"
        names = ["log s"] + [f"{xi_name}[{j},{k}]" for j in range(r) for k in range(b.shape[1])]
        names += [f"b[{k}]" for k in range(b.shape[1])]
        print(f"4. correlation eigenvalues: largest {w[-1]:.2f}, smallest {np.round(w[:3], 4)}")
        for i in range(2):
            top = np.argsort(-np.abs(v[:, i]))[:4]
            print(f"   eigenvector {i}: " + ", ".join(f"{names[j]} {v[j, i]:+.2f}" for j in top))


if __name__ == "__main__":
    main(sys.argv[1:])
