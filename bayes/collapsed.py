r"""Collapsed Gaussian fast path: weights integrated out, NUTS on hyperparameters only.

For ``y = P^(−c) Φ a + ε`` with ``a_j ~ N(0, s² P^(−κ))`` and ``ε ~ N(0, σ² I)``, the
marginal is ``y ~ N(0, σ² I + v K)`` with ``K = Φ Φᵀ`` and ``v = P^(−2c) s² P^(−κ)``.
After one eigendecomposition ``K = U diag(k) Uᵀ`` the rotated data ``z = Uᵀ y`` are
independent, ``z_i ~ N(0, σ² + v k_i)``, so each log-density costs O(N) (O(min(N, P))
non-trivial terms) instead of O(NP) and the posterior geometry no longer couples P
weights to the hyperparameters (the funnel that gives full NUTS its low ESS).

``K`` is accumulated blockwise over features (:func:`gram_spectrum`), so the full
``N × P`` feature matrix is never held when features come from a generator (random
features with P = 100 000).  Given hyperparameter draws, the weights are drawn exactly
from their Gaussian conditional by Matheron's rule (:func:`draw_weights`), again one
feature block at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist

from theory.checks import (
    as_float_array,
    check_instance,
    check_int,
    check_nonnegative,
    check_positive,
    check_representable,
    check_seed,
)

__all__ = [
    "Spectrum",
    "gram_spectrum",
    "rotate",
    "check_spectrum_data",
    "collapsed_regression",
    "collapsed_multiwidth",
    "S_PRIORS",
    "draw_weights",
    "relu_feature_blocks",
    "array_blocks",
]

BlockFn = Callable[[], Iterator[np.ndarray]]

#: hyperpriors on the scale ``s`` of :func:`collapsed_multiwidth` (scale ``s_scale``)
S_PRIORS = ("half_normal", "half_cauchy")


@dataclass(frozen=True)
class Spectrum:
    """Eigendecomposition of ``K = Φ Φᵀ`` (N × N): eigenvalues ``k`` (N,), eigenvectors ``U``.

    When P < N only the P × P matrix ``Φᵀ Φ`` is decomposed; its eigenvectors, mapped to R^N,
    are completed to an orthonormal basis by a QR factorization (the rest have ``k = 0``).
    """

    k: np.ndarray
    U: np.ndarray
    width: int

    @property
    def n_samples(self) -> int:
        return len(self.k)

    @property
    def rank(self) -> int:
        return self.U.shape[1]


def _matrix(name: str, value) -> np.ndarray:
    """A finite 2-D float64 array with at least one row and column."""
    a = as_float_array(name, value)
    if a.ndim != 2 or 0 in a.shape:
        raise ValueError(f"{name} must be a 2-D array with positive sizes, got shape {a.shape}")
    return a


def array_blocks(features: np.ndarray, block: int = 8192) -> BlockFn:
    """Feature blocks (column slices) of an in-memory ``(N, P)`` matrix."""
    features = _matrix("features", features)
    block = check_int("block", block, minimum=1)

    def gen():
        for start in range(0, features.shape[1], block):
            yield np.asarray(features[:, start : start + block], dtype=np.float64)

    return gen


def relu_feature_blocks(X: np.ndarray, *, width: int, seed: int, block: int = 4096) -> BlockFn:
    """ReLU random features ``relu(<θ_j, x>/√d)``, θ_j uniform on the sphere of radius √d.

    Block ``b`` is generated from ``(seed, b)`` alone, so every pass over the blocks yields the
    same features and no pass holds more than ``N × block`` values.
    """
    X = _matrix("X", X)
    width = check_int("width", width, minimum=1)
    seed = check_seed("seed", seed)
    block = check_int("block", block, minimum=1)
    d = X.shape[1]

    def gen():
        for b, start in enumerate(range(0, width, block)):
            m = min(block, width - start)
            theta = np.random.default_rng([seed, b]).standard_normal((m, d))
            theta *= np.sqrt(d) / np.linalg.norm(theta, axis=1, keepdims=True)
            yield np.maximum(X @ theta.T / np.sqrt(d), 0.0)

    return gen


def gram_spectrum(blocks: BlockFn | np.ndarray) -> Spectrum:
    """Eigendecomposition of ``Φ Φᵀ`` accumulated over feature blocks (or from an array).

    For P ≥ N the N × N Gram matrix is accumulated block by block; for P < N (only possible
    for an in-memory array) the P × P matrix ``Φᵀ Φ = V diag(k) Vᵀ`` is decomposed instead,
    ``U_r = Φ V diag(k)^(−1/2)``, completed by QR.
    """
    if not callable(blocks):
        blocks = _matrix("blocks", blocks)
    if isinstance(blocks, np.ndarray) and blocks.shape[1] < blocks.shape[0]:
        phi = blocks
        k, V = np.linalg.eigh(phi.T @ phi)
        keep = k > k.max() * phi.shape[0] * np.finfo(float).eps
        # complete the r eigenvectors to an orthonormal basis of R^N (null space: k = 0)
        U, _ = np.linalg.qr(phi @ V[:, keep] / np.sqrt(k[keep]), mode="complete")
        padded = np.zeros(phi.shape[0])
        padded[: keep.sum()] = k[keep]
        return Spectrum(padded, U, phi.shape[1])
    if isinstance(blocks, np.ndarray):
        blocks = array_blocks(blocks)
    gram, width = None, 0
    for phi in blocks():
        phi = _matrix("blocks", phi)  # each block a finite (N, m) matrix
        if gram is not None and phi.shape[0] != gram.shape[0]:
            raise ValueError(
                f"blocks must all have N = {gram.shape[0]} rows, got a block of {phi.shape}"
            )
        gram = phi @ phi.T if gram is None else gram + phi @ phi.T
        width += phi.shape[1]
    if gram is None:
        raise ValueError("blocks must yield at least one feature block")
    k, u = np.linalg.eigh(gram)
    return Spectrum(np.clip(k, 0.0, None), u, width)


def check_spectrum_data(k, z=None, *, names: tuple[str, str] = ("k", "z")) -> None:
    """Eigenvalues ``k`` finite and ≥ 0; ``z`` finite with the same shape (``names`` in messages)."""
    k_name, z_name = names
    k = check_nonnegative(k_name, k)
    if k.ndim != 1:
        raise ValueError(f"{k_name} must be a 1-D array of eigenvalues, got shape {k.shape}")
    if z is not None:
        z = as_float_array(z_name, z)
        if z.shape != k.shape:
            raise ValueError(f"{z_name} must have the shape of {k_name} {k.shape}, got {z.shape}")


def rotate(spectrum: Spectrum, y: np.ndarray) -> np.ndarray:
    """Rotated targets ``z = Uᵀ y`` (N,): ``z_i ~ N(0, σ² + v k_i)`` independent."""
    check_instance("spectrum", spectrum, Spectrum)
    y = as_float_array("y", y)
    if y.shape != (spectrum.n_samples,):
        raise ValueError(f"y must have shape ({spectrum.n_samples},), got {y.shape}")
    return spectrum.U.T @ y


def _hyperparameters(k, scale, s_scale: float, noise_scale: float, s_prior: str = "half_normal"):
    """``(s, σ)`` with ``HalfNormal`` priors (``s``: ``HalfCauchy`` if ``s_prior`` says so),
    sampled in (log total variance, logit noise share).

    When P ≫ N the Gram eigenvalues are nearly equal and only ``σ² + v k̄`` is well identified:
    in (s, σ) the posterior is a curved ridge that NUTS crosses slowly.  In
    ``t = log(σ² + v k̄)``, ``u = logit(σ² / (σ² + v k̄))`` (``v = scale · s²``, ``k̄ = mean k``)
    the ridge is axis-aligned.  The prior is unchanged: the HalfNormal densities of (s, σ)
    plus ``log|∂(s, σ)/∂(t, u)| = log s + log σ − log 4`` enter as a factor.
    """
    real = dist.constraints.real
    t = numpyro.sample("log_total_var", dist.ImproperUniform(real, (), ()))
    u = numpyro.sample("logit_noise_share", dist.ImproperUniform(real, (), ()))
    share = jax.nn.sigmoid(u)
    total = jnp.exp(t)
    kbar = jnp.mean(k)
    sigma = numpyro.deterministic("sigma", jnp.sqrt(share * total))
    s = numpyro.deterministic("s", jnp.sqrt((1.0 - share) * total / (scale * kbar)))
    s_dist = dist.HalfNormal if s_prior == "half_normal" else dist.HalfCauchy
    log_prior = s_dist(s_scale).log_prob(s) + dist.HalfNormal(noise_scale).log_prob(sigma)
    numpyro.factor("prior_s_sigma", log_prior + jnp.log(s) + jnp.log(sigma) - jnp.log(4.0))
    return s, sigma


def collapsed_regression(
    k,
    z=None,
    *,
    width: int,
    prior_exponent: float = 1.0,
    readout_exponent: float = 0.0,
    s_scale: float = 1.0,
    noise_scale: float = 1.0,
    s_prior: str = "half_normal",
):
    """Collapsed version of :func:`bayes.models.linear_regression` / ``rf_regression``.

    ``k`` (N,) are the Gram eigenvalues and ``z`` (N,) the rotated targets.  Same priors
    ``s ~ HalfNormal(s_scale)`` (or ``HalfCauchy(s_scale)``: ``s_prior``, :data:`S_PRIORS`),
    ``σ ~ HalfNormal(noise_scale)`` and so the same hyperparameter posterior (sampled in the coordinates of :func:`_hyperparameters`; ``s`` and ``sigma`` are
    recorded as deterministic sites).
    """
    scale = width ** (-prior_exponent - 2 * readout_exponent)
    s, sigma = _hyperparameters(k, scale, s_scale, noise_scale, s_prior)
    v = s**2 * scale
    with numpyro.plate("data", k.shape[-1]):  # pointwise over rotated observations
        numpyro.sample("z", dist.Normal(0.0, jnp.sqrt(sigma**2 + v * k)), obs=z)


def collapsed_multiwidth(
    ks,
    zs=None,
    *,
    widths,
    prior_exponent_bounds=(-0.5, 2.5),
    prior_exponent=None,
    s_scale: float = 1.0,
    noise_scale: float = 1.0,
    readout_exponent: float = 0.0,
    s_prior: str = "half_normal",
    likelihood_weight: float = 1.0,
    reference_width: float = 1.0,
    mask=None,
):
    """Data sets at several widths share ``s`` and ``σ``; the width exponent κ is unknown.

    ``κ ~ Uniform(*prior_exponent_bounds)`` (sample site ``kappa``; or fixed to
    ``prior_exponent``); data set ``m`` (width ``P_m``) has
    ``z_m ~ N(0, σ² + s² P_m^(−κ−2c) k_m)``.  The posterior over κ says which width scaling
    the data support.  ``ks``/``zs`` are sequences (one entry per width); the observations are
    concatenated into one site ``z`` so that PSIS-LOO sees every rotated observation.

    ``s ~ HalfNormal(s_scale)`` or ``HalfCauchy(s_scale)`` (``s_prior``, :data:`S_PRIORS`).
    ``likelihood_weight`` multiplies the log-likelihood: when the M data sets are the *same*
    observations seen through M models (one task, growing P), weight ``1/M`` counts the data
    once instead of M times (a power posterior; with M identical data sets it is exactly the
    one-data-set posterior).  ``reference_width`` P_ref writes the prior variance as
    ``s² (P/P_ref)^(−κ−2c)``: s is then the prior std at P_ref (default 1: at P = 1).  A P_ref
    inside the widths (their geometric mean) decorrelates s from κ in the posterior.

    ``mask`` (optional): one boolean per observation, in the order of the concatenated
    ``ks``; ``False`` leaves that observation out of the likelihood.  It lets runs on data
    sets of different sizes share one compiled sampler: pad every run to the same number of
    data sets and observations, mask the padding, and pass ``widths``,
    ``likelihood_weight``, ``reference_width`` and ``mask`` as ``traced`` values of
    :func:`bayes.inference.run_nuts`.
    """
    kappa = prior_exponent
    if kappa is None:
        kappa = numpyro.sample("kappa", dist.Uniform(*prior_exponent_bounds))
    s_dist = dist.HalfNormal if s_prior == "half_normal" else dist.HalfCauchy
    s = numpyro.sample("s", s_dist(s_scale))
    sigma = numpyro.sample("sigma", dist.HalfNormal(noise_scale))
    k_all = jnp.concatenate([jnp.asarray(k) for k in ks])
    log_p = jnp.concatenate(
        [
            jnp.full(len(k), jnp.log(jnp.asarray(w, float) / reference_width))
            for k, w in zip(ks, widths, strict=True)
        ]
    )
    v = s**2 * jnp.exp(-(kappa + 2 * readout_exponent) * log_p)
    obs = None if zs is None else jnp.concatenate([jnp.asarray(z) for z in zs])
    # pointwise over rotated observations
    masked = nullcontext() if mask is None else numpyro.handlers.mask(mask=jnp.asarray(mask))
    with (
        numpyro.handlers.scale(scale=likelihood_weight),
        masked,
        numpyro.plate("data", k_all.shape[-1]),
    ):
        numpyro.sample("z", dist.Normal(0.0, jnp.sqrt(sigma**2 + v * k_all)), obs=obs)


def draw_weights(
    spectrum: Spectrum,
    blocks: BlockFn | np.ndarray,
    y: np.ndarray,
    prior_var: np.ndarray,
    noise_var: np.ndarray,
    *,
    seed: int = 0,
    readout_scale: float = 1.0,
) -> np.ndarray:
    """Exact draws of ``a | y, v, σ²`` for each pair ``(prior_var[i], noise_var[i])``: (draws, P).

    Matheron's rule: with ``a₀ ~ N(0, v I)``, ``ε ~ N(0, σ² I)`` and ``A = readout_scale · Φ``,
    ``a = a₀ + v Aᵀ (v A Aᵀ + σ² I)^(−1) (y − A a₀ − ε)`` is a draw from the conditional
    posterior.  The inverse uses the stored eigendecomposition; features are visited in blocks
    (twice: once for ``A a₀``, once for ``Aᵀ r``).
    """
    check_instance("spectrum", spectrum, Spectrum)
    if not callable(blocks):
        blocks = _matrix("blocks", blocks)
        if blocks.shape != (spectrum.n_samples, spectrum.width):
            raise ValueError(
                f"blocks must be the (N, P) = {(spectrum.n_samples, spectrum.width)} features "
                f"of the spectrum, got shape {blocks.shape}"
            )
        blocks = array_blocks(blocks)
    seed = check_seed("seed", seed)
    v = np.atleast_1d(check_positive("prior_var", prior_var))
    s2 = np.atleast_1d(check_positive("noise_var", noise_var))
    if v.ndim != 1 or v.shape != s2.shape:
        raise ValueError(
            f"prior_var and noise_var must be 1-d of one length, got {v.shape} and {s2.shape}"
        )
    y = as_float_array("y", y)
    if y.shape != (spectrum.n_samples,):
        raise ValueError(f"y must have shape ({spectrum.n_samples},), got {y.shape}")
    check_positive("readout_scale", readout_scale)
    n_draws, width = len(v), spectrum.width
    rng = np.random.default_rng(seed)
    a0 = rng.standard_normal((n_draws, width)) * np.sqrt(v)[:, None]
    eps = rng.standard_normal((n_draws, spectrum.n_samples)) * np.sqrt(s2)[:, None]
    fitted = np.zeros((n_draws, spectrum.n_samples))
    start = 0
    for phi in blocks():
        m = phi.shape[1]
        fitted += readout_scale * a0[:, start : start + m] @ phi.T
        start += m
    k_eff = readout_scale**2 * spectrum.k[: spectrum.rank]  # nonzero eigenvalues of A Aᵀ
    resid = y[None, :] - fitted - eps  # (draws, N)
    # (v A Aᵀ + σ² I)^(−1) r = U diag(1/(v k + σ²) − 1/σ²) Uᵀ r + r/σ² (null space: 1/σ²)
    shrink = 1.0 / (v[:, None] * k_eff[None, :] + s2[:, None]) - 1.0 / s2[:, None]
    coef = ((resid @ spectrum.U) * shrink) @ spectrum.U.T + resid / s2[:, None]
    out = a0
    start = 0
    for phi in blocks():
        m = phi.shape[1]
        out[:, start : start + m] += v[:, None] * readout_scale * coef @ phi
        start += m
    if start != width:
        raise ValueError(f"blocks must yield the spectrum's {width} features, got {start}")
    inputs = {"prior_var": prior_var, "noise_var": noise_var, "readout_scale": readout_scale}
    return check_representable(out, what="weight draws", inputs=inputs)
