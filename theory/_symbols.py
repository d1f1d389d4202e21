"""Shared SymPy symbols, each carrying the assumptions the derivations rely on.

Every derivation in :mod:`theory` builds its expressions from these objects, so
results from different modules combine and simplify together.  Names follow
``../shared/DESIGN.md`` §2:

=============  =====================================================  =====================
symbol         meaning                                                numeric keyword
=============  =====================================================  =====================
``N``          number of training samples                             ``n_samples``
``P``          number of penalized weights (width of the readout)     ``n_params`` / width
``d``          input dimension (linear model: number of features)     ``input_dim``
``lam``        L2 strength λ in ``(1/N) Σ loss + λ R(w)``             ``lam``
``sigma2``     noise variance σ² of the squared-loss likelihood       ``noise_var``
``v``          prior variance of one weight                           (returned)
``c``          readout exponent: ``f = P^(-c) Σ_j a_j φ_j``           ``parametrization``
=============  =====================================================  =====================
"""

from __future__ import annotations

import sympy as sp

__all__ = [
    "N",
    "P",
    "d",
    "lam",
    "lam_sum",
    "lam_mean",
    "sigma2",
    "v",
    "c",
    "k",
    "w",
    "eta",
    "weight_decay",
    "sk_alpha",
    "br_lambda",
    "br_alpha",
    "mk_alpha",
    "mk_beta",
    "gamma",
    "alpha2",
    "s2",
    "kappa",
]

N = sp.Symbol("N", positive=True, integer=True)
P = sp.Symbol("P", positive=True, integer=True)
d = sp.Symbol("d", positive=True, integer=True)

lam = sp.Symbol("lambda", positive=True)
lam_sum = sp.Symbol(r"\lambda_{\mathrm{sum}}", positive=True)
lam_mean = sp.Symbol(r"\lambda_{\mathrm{mean}}", positive=True)
sigma2 = sp.Symbol(r"\sigma^{2}", positive=True)
v = sp.Symbol("v", positive=True)

#: readout exponent; 0 standard, 1/2 NTK, 1 mean-field.  Real, not positive (0 allowed).
c = sp.Symbol("c", real=True, nonnegative=True)
#: proportionality constant between two objectives with the same minimizer
k = sp.Symbol("k", positive=True)
#: a representative weight
w = sp.Symbol("w", real=True)
#: learning rate
eta = sp.Symbol(r"\eta", positive=True)
weight_decay = sp.Symbol(r"\mathrm{wd}", positive=True)

# external conventions
sk_alpha = sp.Symbol(r"\alpha_{\mathrm{sk}}", positive=True)  # sklearn Ridge(alpha)
br_lambda = sp.Symbol(r"\lambda_{\mathrm{BR}}", positive=True)  # BayesianRidge.lambda_
br_alpha = sp.Symbol(r"\alpha_{\mathrm{BR}}", positive=True)  # BayesianRidge.alpha_
mk_alpha = sp.Symbol(r"\alpha_{\mathrm{MK}}", positive=True)  # MacKay prior precision
mk_beta = sp.Symbol(r"\beta_{\mathrm{MK}}", positive=True)  # MacKay noise precision

# linear ridge (theory.linear)
#: aspect ratio γ = d/N of the linear model
gamma = sp.Symbol(r"\gamma", positive=True)
#: total signal α² = E‖β‖² of the linear model
alpha2 = sp.Symbol(r"\alpha^{2}", positive=True)
#: prior scale s²: each weight has prior variance s²·d^(-κ)
s2 = sp.Symbol(r"s^{2}", positive=True)
#: prior exponent κ (1: fixed total signal, 0: fixed per-weight variance)
kappa = sp.Symbol(r"\kappa", real=True)
