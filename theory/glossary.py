"""The keyword names of the public API: one name per quantity, with its symbol and meaning.

The SymPy symbols themselves live in :mod:`theory._symbols` (DESIGN §2).  Every public
function of ``theory``, ``bayes`` and ``training`` names these quantities by the keywords
below, and never by a name in :data:`RETIRED` (``tests/test_glossary.py`` checks both
directions: no retired name is a parameter, and every keyword here is one).

>>> GLOSSARY["prior_exponent"].symbol
'κ'
>>> RETIRED["kappa"]
'prior_exponent'
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["Entry", "GLOSSARY", "RETIRED"]


class Entry(NamedTuple):
    symbol: str
    meaning: str


#: keyword -> (symbol, meaning)
GLOSSARY: dict[str, Entry] = {
    # sizes
    "n_samples": Entry("N", "training points in (1/N) Σ_i ℓ_i"),
    "n_train": Entry("N", "training points where a test split (n_test) is drawn as well"),
    "n_test": Entry("N_test", "held-out points"),
    "n_features": Entry("P", "readout width of a linear / random-features model (features)"),
    "n_params": Entry("P", "number of penalized weights (the mean normalization divides by it)"),
    "width": Entry("P", "hidden width of a network or random-features model"),
    "widths": Entry("P_1, P_2, ...", "several widths"),
    "input_dim": Entry("d", "input dimension"),
    "depth": Entry("H", "hidden layers (L = H + 1 weight matrices)"),
    "n_classes": Entry("K", "classes of a classifier"),
    # the penalty
    "lam": Entry("λ", "L2 strength in (1/N) Σ ℓ + λ R(w)"),
    "lam_sum": Entry("λ_sum", "λ with R = Σ_j w_j²"),
    "normalization": Entry("sum | mean", "R = Σ_j w_j² or (1/P) Σ_j w_j²"),
    "weight_decay": Entry("wd", "an optimizer's decay coefficient (coupled: wd = 2 λ_sum)"),
    # parametrization and priors
    "parametrization": Entry("c", "standard (c = 0), ntk (½), mean_field (1): f = P^(−c) Σ a φ"),
    "readout_exponent": Entry("c", "the readout exponent as a number"),
    "prior_exponent": Entry("κ", "prior variance per weight ∝ P^(−κ): w ~ N(0, s² P^(−κ))"),
    "prior_var": Entry("v", "prior variance of one weight"),
    "s_scale": Entry("σ_s", "scale of the hyperprior s ~ HalfNormal(σ_s)"),
    "signal_var": Entry(
        "α² (linear), F₁² (random features)", "variance of the target's signal at κ = 1"
    ),
    # noise
    "noise_var": Entry("σ² (τ² in random features)", "label-noise variance"),
    "noise_sd": Entry("σ", "label-noise standard deviation"),
    "noise_scale": Entry("σ_σ", "scale of the hyperprior σ ~ HalfNormal(σ_σ)"),
    # training
    "lr": Entry("η", "base learning rate"),
    "optimizer": Entry("", "sgd | adamw-coupled | adamw-independent"),
    "lr_scaling": Entry("", "none | mup: learning rates held fixed or scaled by μP"),
    "seed": Entry("", "one integer seed"),
    "seeds": Entry("", "several seeds (vmapped)"),
    # sampling (NumPyro's names)
    "num_samples": Entry("", "MCMC draws per chain (not N: that is n_samples)"),
    "num_warmup": Entry("", "MCMC warm-up steps per chain"),
    "num_chains": Entry("", "MCMC chains"),
}

#: names that meant one of the quantities above, and the keyword that replaced them
RETIRED: dict[str, str] = {
    "kappa": "prior_exponent",
    "kappa_bounds": "prior_exponent_bounds",
    "width_exponent": "prior_exponent",  # a keyword; theory.parametrization.width_exponent is λ*'s
    "noise_std": "noise_sd",
    "sigma2": "noise_var",
    "noise_variance": "noise_var",
    "n_data": "n_samples",
    "num_features": "n_features",
    "l2": "lam",
}
