r"""NumPyro models: L2 as a Gaussian prior whose variance scales with width.

Every model is a pure function of data with keyword priors.  A weight prior
``w_j ~ N(0, s² P^(−κ))`` (``κ = prior_exponent``) is, through the MAP identity of
:mod:`theory.prior`, the L2 penalty

.. math::  λ_{\rm sum} = \frac{σ^2}{N s^2 P^{-κ}} \ \text{(squared loss, noise } σ^2),\qquad
           λ_{\rm sum} = \frac{1}{2 N s^2 P^{-κ}} \ \text{(cross-entropy)},

and ``λ_mean = P λ_sum``; :func:`implied_lambda` evaluates it on posterior draws.  For a
readout ``f = P^(−c) Σ_j a_j φ_j`` the function-space prior is width-invariant iff
``κ = 1 − 2c`` (:func:`matched_exponent`), the same statement as
:func:`theory.parametrization.width_exponent`.

Shapes are noted in comments and asserted after sample sites (as in numpyro's
``examples/bnn.py``).  Non-centered variants use ``LocScaleReparam(centered=0)``
explicitly (:func:`noncentered`).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist
from numpyro.handlers import reparam
from numpyro.infer.reparam import LocScaleReparam

from theory.checks import (
    as_float_array,
    check_broadcast,
    check_callable,
    check_choice,
    check_finite,
    check_int,
    check_positive,
    check_representable,
    check_width,
)
from theory.parametrization import PARAMETRIZATIONS, READOUT_EXPONENT
from theory.prior import lambda_from_prior_variance

__all__ = [
    "matched_exponent",
    "implied_lambda",
    "noncentered",
    "linear_regression",
    "rf_regression",
    "rf_classifier",
    "mlp_regression",
    "check_regression_data",
    "check_classification_data",
    "validate",
]


def matched_exponent(parametrization: str) -> float:
    """κ = 1 − 2c: the prior exponent that keeps the readout's function-space prior fixed."""
    check_choice("parametrization", parametrization, PARAMETRIZATIONS)
    return 1.0 - 2.0 * float(READOUT_EXPONENT[parametrization])


def implied_lambda(
    s, *, width, prior_exponent, n_samples, noise_sd=None, loss="squared", normalization="sum"
):
    """λ (in ``normalization``) equivalent to the prior ``N(0, s² P^(−κ))``; vectorized over draws.

    >>> float(implied_lambda(1.0, width=100, prior_exponent=1.0, n_samples=50, noise_sd=1.0))
    2.0
    """
    s_value = check_positive("s", s)
    width = check_width("width", width)
    kappa = check_finite("prior_exponent", prior_exponent)
    noise_sd_value = 1.0 if noise_sd is None else check_positive("noise_sd", noise_sd)
    inputs = {"s": s, "width": width, "prior_exponent": prior_exponent, "noise_sd": noise_sd}
    check_broadcast(s=s_value, width=width, prior_exponent=kappa, noise_sd=noise_sd_value)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        noise_var = noise_sd_value**2
        prior_var = s_value**2 * width ** (-kappa)
        check_representable(prior_var, what="prior variance", inputs=inputs, positive=True)
        check_representable(noise_var, what="noise variance", inputs=inputs, positive=True)
    inputs["n_samples"] = n_samples
    try:
        lam = lambda_from_prior_variance(
            prior_var,
            n_samples=n_samples,
            loss=loss,
            normalization=normalization,
            n_params=width,
            noise_var=noise_var,
        )
    except ValueError as exc:
        if "float64" not in str(exc):  # a bad n_samples, loss or normalization: as it is
            raise
        # an over- or underflow of λ: name this function's arguments, not the inner ones
        problem = str(exc).split(": ", 1)[1].split(" at ", 1)[0]
        at = ", ".join(f"{k}={v!r}" for k, v in inputs.items())
        raise ValueError(f"{', '.join(inputs)}: {problem} at {at}") from None
    return check_representable(lam, what="lambda", inputs=inputs, positive=True)


def noncentered(model, sites=("w",)):
    """``model`` with ``LocScaleReparam(centered=0)`` on the Gaussian weight ``sites``.

    Sampling then runs on standardized weights ``w_j / (s P^(−κ/2))``, removing the funnel
    between ``s`` and ``w`` when the data are weak.
    """
    check_callable("model", model)
    if isinstance(sites, str) or not isinstance(sites, (list, tuple)) or not sites:
        raise ValueError(f"sites must be a non-empty list of sample-site names, got {sites!r}")
    if not all(isinstance(site, str) and site for site in sites):
        raise ValueError(f"sites must be sample-site names (strings), got {sites!r}")
    config = {site: LocScaleReparam(centered=0) for site in sites}

    def wrapped(*args, **kwargs):
        return reparam(model, config=config)(*args, **kwargs)

    wrapped.__name__ = f"{model.__name__}_noncentered"
    wrapped.base_model = model
    return wrapped


def check_regression_data(X, y=None, *, x_name: str = "X") -> None:
    """``ValueError`` before any sampling for mismatched shapes or non-finite values.

    ``x_name`` names the design in messages (``"features"`` for the random-features models).
    """
    X = as_float_array(x_name, X)
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"{x_name} must be 2-D with positive sizes, got shape {X.shape}")
    if y is not None:
        y = as_float_array("y", y)
        if y.shape != (X.shape[0],):
            raise ValueError(f"y must have shape ({X.shape[0]},) to match {x_name}, got {y.shape}")


def check_classification_data(X, y, n_classes: int, *, x_name: str = "X") -> None:
    """Like :func:`check_regression_data`, plus integer labels in ``0..n_classes-1``."""
    check_int("n_classes", n_classes, minimum=2)
    check_regression_data(X, None, x_name=x_name)
    if y is not None:
        y = np.asarray(y)
        if y.shape != (np.asarray(X).shape[0],):
            raise ValueError(
                f"y must have shape ({np.asarray(X).shape[0]},) to match {x_name}, got {y.shape}"
            )
        if not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= n_classes:
            raise ValueError(f"y must hold integer labels in 0..{n_classes - 1}")


def _hyper(s_scale: float, noise_scale: float | None):
    s = numpyro.sample("s", dist.HalfNormal(s_scale))
    sigma = None if noise_scale is None else numpyro.sample("sigma", dist.HalfNormal(noise_scale))
    return s, sigma


def linear_regression(
    X, y=None, *, prior_exponent: float = 1.0, s_scale: float = 1.0, noise_scale: float = 1.0
):
    """``y = X w + ε``, ``w_j ~ N(0, s² P^(−κ))``, ``s ~ HalfNormal(s_scale)``, ``σ ~ HalfNormal``.

    ``P = X.shape[1]``.  κ = 1 keeps the total signal ``E‖w‖² = s²`` fixed (DESIGN's default,
    α² = s²); κ = 0 fixes the per-weight variance.  The prior is the L2 penalty
    ``λ_sum = σ² P^κ / (N s²)`` (:func:`implied_lambda`).
    """
    n, p = X.shape
    s, sigma = _hyper(s_scale, noise_scale)
    w = numpyro.sample(
        "w", dist.Normal(0.0, s * p ** (-prior_exponent / 2)).expand([p]).to_event(1)
    )
    assert w.shape[-1] == p
    mean = X @ w  # (n,)
    with numpyro.plate("data", n):  # pointwise log-likelihood (PSIS-LOO)
        numpyro.sample("y", dist.Normal(mean, sigma), obs=y)


def rf_regression(
    features,
    y=None,
    *,
    parametrization: str = "ntk",
    prior_exponent=None,
    s_scale: float = 1.0,
    noise_scale: float = 1.0,
):
    """Random-features regression ``f = P^(−c) Φ a``, ``a_j ~ N(0, s² P^(−κ))``.

    ``features`` Φ is ``(n, P)``; κ defaults to :func:`matched_exponent` (function-space
    prior fixed across widths).  Penalty: ``λ_sum = σ² P^κ / (N s²)`` on ``a``.
    """
    n, p = features.shape
    c = float(READOUT_EXPONENT[parametrization])
    kappa = matched_exponent(parametrization) if prior_exponent is None else prior_exponent
    s, sigma = _hyper(s_scale, noise_scale)
    a = numpyro.sample("w", dist.Normal(0.0, s * p ** (-kappa / 2)).expand([p]).to_event(1))
    assert a.shape[-1] == p
    with numpyro.plate("data", n):
        numpyro.sample("y", dist.Normal(p ** (-c) * features @ a, sigma), obs=y)


def rf_classifier(
    features,
    y=None,
    *,
    n_classes: int,
    parametrization: str = "ntk",
    prior_exponent=None,
    s_scale: float = 1.0,
):
    """Cross-entropy random-features classifier: ``logits = P^(−c) Φ A + b``, ``y ~ Categorical``.

    ``A`` is ``(P, K)`` with ``A_jk ~ N(0, s² P^(−κ))``; the bias ``b ~ N(0, 1)`` (K,) is not
    penalized.  The Categorical log-likelihood is minus the cross-entropy, so the prior is the
    penalty ``λ_sum = 1 / (2 N s² P^(−κ))`` on ``A`` (:func:`implied_lambda` with
    ``loss="cross_entropy"``).
    """
    n, p = features.shape
    c = float(READOUT_EXPONENT[parametrization])
    kappa = matched_exponent(parametrization) if prior_exponent is None else prior_exponent
    s, _ = _hyper(s_scale, None)
    a = numpyro.sample(
        "w", dist.Normal(0.0, s * p ** (-kappa / 2)).expand([p, n_classes]).to_event(2)
    )
    b = numpyro.sample("b", dist.Normal(0.0, 1.0).expand([n_classes]).to_event(1))
    assert a.shape[-2:] == (p, n_classes) and b.shape[-1] == n_classes
    # (n, K); not recorded as a deterministic site: N·K values per draw that nothing reads
    # (114 MB per copy for the digits figure's 3000 draws), and JAX arrays stayed alive after
    # each run (jax.live_arrays after del + gc + clear_caches: 366 MB retained per run with
    # the site, 23 MB without; who holds them was not traced)
    logits = p ** (-c) * features @ a + b
    with numpyro.plate("data", n):
        numpyro.sample("y", dist.Categorical(logits=logits), obs=y)


def mlp_regression(X, y=None, *, width: int, s_scale: float = 1.0, noise_scale: float = 1.0):
    """One-hidden-layer Bayesian MLP with Neal / NNGP fan-in priors (standard parametrization).

    ``h = relu(X W1 + b1)`` with ``W1 ~ N(0, s1²/d)``, ``b1 ~ N(0, 1)``;
    ``f = h W2 + b2`` with ``W2 ~ N(0, s2²/width)``: prior std ∝ fan_in^(−1/2) per layer
    (Neal 1996; Lee et al. 2018), so the prior over functions converges as width grows.
    The corresponding penalty on layer ℓ is ``λ_sum = σ² fan_in / (N s_ℓ²)``.
    """
    n, d = X.shape
    s1 = numpyro.sample("s1", dist.HalfNormal(s_scale))
    s2 = numpyro.sample("s2", dist.HalfNormal(s_scale))
    sigma = numpyro.sample("sigma", dist.HalfNormal(noise_scale))
    w1 = numpyro.sample("w1", dist.Normal(0.0, s1 / jnp.sqrt(d)).expand([d, width]).to_event(2))
    b1 = numpyro.sample("b1", dist.Normal(0.0, 1.0).expand([width]).to_event(1))
    w2 = numpyro.sample("w2", dist.Normal(0.0, s2 / jnp.sqrt(width)).expand([width]).to_event(1))
    b2 = numpyro.sample("b2", dist.Normal(0.0, 1.0))
    assert w1.shape[-2:] == (d, width) and w2.shape[-1] == width
    h = jnp.maximum(X @ w1 + b1, 0.0)  # (n, width)
    with numpyro.plate("data", n):
        numpyro.sample("y", dist.Normal(h @ w2 + b2, sigma), obs=y)


def validate(model, *args, **kwargs) -> None:
    """Check the data of a library ``model`` call; ``ValueError`` before any sampling.

    Unknown models pass unchecked.
    """
    from bayes import collapsed

    check_callable("model", model)
    base = getattr(model, "base_model", model)
    y = args[1] if len(args) > 1 else kwargs.get("y")
    x_name = "features" if base in (rf_regression, rf_classifier) else "X"
    if base in (linear_regression, rf_regression, mlp_regression):
        check_regression_data(args[0], y, x_name=x_name)
    if base is mlp_regression and "width" in kwargs:
        check_positive_int("width", kwargs["width"])
    if base is rf_classifier:
        check_classification_data(args[0], y, kwargs.get("n_classes"), x_name=x_name)
    if base in (rf_regression, rf_classifier):
        check_choice("parametrization", kwargs.get("parametrization", "ntk"), PARAMETRIZATIONS)
    if base is collapsed.collapsed_regression:
        collapsed.check_spectrum_data(args[0], args[1] if len(args) > 1 else kwargs.get("z"))
        check_width("width", kwargs.get("width"))
        check_choice("s_prior", kwargs.get("s_prior", "half_normal"), collapsed.S_PRIORS)
    if base is collapsed.collapsed_multiwidth:
        ks = args[0]
        if isinstance(ks, np.ndarray) or not isinstance(ks, (list, tuple)) or not ks:
            raise ValueError(f"ks must be a non-empty list of eigenvalue arrays, got {ks!r}")
        zs = args[1] if len(args) > 1 else kwargs.get("zs")
        if zs is not None and len(zs) != len(ks):
            raise ValueError(f"zs must have one entry per data set ({len(ks)}), got {len(zs)}")
        widths = kwargs.get("widths")
        if widths is None or len(widths) != len(ks):
            raise ValueError(f"widths must have one entry per data set ({len(ks)}), got {widths!r}")
        check_width("widths", widths)
        for m, k in enumerate(ks):
            z = None if zs is None else zs[m]
            collapsed.check_spectrum_data(k, z, names=(f"ks[{m}]", f"zs[{m}]"))
        check_choice("s_prior", kwargs.get("s_prior", "half_normal"), collapsed.S_PRIORS)
        if not _traced(kwargs.get("reference_width", 1.0)):
            check_positive("reference_width", kwargs.get("reference_width", 1.0))
        weight = kwargs.get("likelihood_weight", 1.0)
        if not _traced(weight) and not 0.0 < float(check_finite("likelihood_weight", weight)) <= 1:
            raise ValueError(f"likelihood_weight must be in (0, 1], got {weight!r}")
        mask = kwargs.get("mask")
        if mask is not None and not _traced(mask):
            n_obs = sum(np.shape(k)[0] for k in ks)
            mask = np.asarray(mask)
            if mask.dtype != bool or mask.shape != (n_obs,) or not mask.any():
                raise ValueError(
                    f"mask must be None or {n_obs} booleans (one per observation), not all "
                    f"False, got {kwargs['mask']!r}"
                )
        if kwargs.get("prior_exponent") is None:
            bounds = kwargs.get("prior_exponent_bounds", (-0.5, 2.5))
            bounds = check_finite("prior_exponent_bounds", bounds)
            if bounds.shape != (2,) or not bounds[0] < bounds[1]:
                raise ValueError(
                    "prior_exponent_bounds must be two numbers lo < hi, "
                    f"got {kwargs['prior_exponent_bounds']!r}"
                )
    _check_hyperparameters(kwargs)


#: hyperparameters of the library's models and their domains
_FINITE = ("prior_exponent", "readout_exponent")
_POSITIVE = ("s_scale", "noise_scale")


def _check_hyperparameters(kwargs: dict) -> None:
    """Exponents finite (``None``: the model's default), prior scales > 0."""
    for name in _FINITE:
        if kwargs.get(name) is not None and not _traced(kwargs[name]):
            check_finite(name, kwargs[name])
    for name in _POSITIVE:
        if name in kwargs and not _traced(kwargs[name]):
            check_positive(name, kwargs[name])


def _traced(value) -> bool:
    import jax

    return isinstance(value, jax.core.Tracer)


def check_target_accept(value) -> float:
    """NUTS's target acceptance probability: a number in (0, 1)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise ValueError(f"target_accept must be a number in (0, 1), got {value!r}")
    if not 0.0 < float(value) < 1.0:
        raise ValueError(f"target_accept must be in (0, 1), got {value!r}")
    return float(value)


def check_positive_int(name: str, value) -> int:
    """An integer ``>= 1`` (``bool`` is not a count)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)
