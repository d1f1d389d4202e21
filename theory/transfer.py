r"""Carry a tuned L2 strength λ from one width to another: the rule, for three optimizers.

Conventions (DESIGN §2): the objective is ``(1/N) Σ_i ℓ_i + λ R(w)`` with
``R_sum = Σ_j w_j²`` or ``R_mean = (1/P) Σ_j w_j²`` (no factor ½).  The readout of
width ``P`` is ``f = P^(-c) Σ_j a_j φ_j`` (c = 0 standard, ½ NTK, 1 mean-field), and
``P`` in the mean normalization is the number of readout weights per output, i.e.
the width.  A rule is a width exponent ``e``: ``λ(P_to) = λ(P_from) · (P_to/P_from)^e``.

How λ enters each optimizer (the same λ number means the same step at the base width):

* ``sgd`` -- L2 in the loss (equivalently coupled ``weight_decay = 2 λ_sum`` on the
  mean loss, :func:`theory.prior.to_sgd_weight_decay`), with or without momentum.
  Its fixed points are the stationary points of the regularized objective, so the
  exact change of variables of :mod:`theory.parametrization` applies: ``e`` is
  :func:`~theory.parametrization.width_exponent` whatever the learning rates.
  **Derived** (valid whenever the NTK-scaled λ* converges with width).
* ``adamw-coupled`` -- PyTorch/optax ``AdamW``: ``w ← w − η_l (adam_l + wd·w)`` with
  ``wd = 2 λ_sum``.  The decay is outside Adam's normalization, so the stationary
  point is no minimizer of a fixed objective; the per-step shrink factor
  ``1 − η_l wd`` is invariant to rescaling a weight, so the natural thing to hold
  fixed is the timescale ``τ = 1/(η_l wd)`` (Wang & Aitchison 2025, arXiv 2405.13698;
  microsoft/mup's ``MuAdamW`` multiplies weight decay by the width multiplier).
  With μP learning rates ``η_readout ∝ P^(c−1)`` this gives ``e_sum = 1 − c``; with
  width-independent learning rates ``e_sum = 0``.  **A timescale heuristic**, not a
  derivation; figure ``adamw_rules`` measured it (standard parametrization, one global
  λ_sum, fixed budget) and found ``λ_sum ∝ √width`` the global rule with the smallest
  largest regret, with and without μP rates (:func:`transfer`'s note).
* ``adamw-independent`` -- decay not multiplied by the (width-scaled) learning rate:
  ``w ← w − η_l adam_l − 2 η_0 λ_sum w`` with ``η_0`` the base learning rate (the
  "independent" decay of Wortsman et al. 2023).  Holding ``τ`` fixed gives
  ``e_sum = 0``.  **A timescale heuristic**; measured close to the best with μP rates;
  with one global rate it is the coupled run.

For the readout rule ``e_mean = e_sum + 1`` (``λ_mean = P λ_sum``, P = width).  With every
weight penalized (``penalized="all"``: under ``sgd``, or every weight decayed under AdamW) the
mean is over all ``P_total`` weights of the network (below): ``+ 1`` for one hidden layer,
``+ 2`` for two or more; AdamW with ``penalized="readout"`` (only the readout decayed) adds 1.

Which weights are penalized matters for ``sgd``, so ``penalized`` has no default (the
command line's ``--penalized`` is required too).  ``penalized="readout"`` is the
readout theory above (features fixed, or only the readout penalized); ``depth`` is
accepted (and validated) but does not change it.  With ``penalized="all"`` every weight
of a bias-free ReLU network with ``depth`` hidden layers (``L = depth + 1`` weight
matrices, multipliers ``m_l ∝ P^(-a_l)`` of :mod:`training.models`) is penalized, and
:mod:`theory.networks` derives the rule: ``V_l = M^(1/L) W_l`` (``M = Π_l m_l``) maps the
objective at λ exactly onto the multiplier-free network at ``λ M^(-2/L)``, so the *global
minimizer* keeps its function when ``λ_sum ∝ M^(2/L)``:
``e_sum = -(2/L) Σ_l a_l`` = 0 (standard), ``-depth/(depth+1)`` (NTK: -1/2, -2/3, -3/4, …),
-1 (mean-field/μP).  ``"mean"`` then divides by all ``P_total`` weights of the network,
``∝ P`` for one hidden layer and ``∝ P²`` for two or more: ``e_mean = e_sum + 1`` or
``+ 2`` (for ``depth ≥ 2`` the leading power: exact for widths ≫ input dim + outputs;
otherwise convert with the exact counts, :func:`theory.prior.to_sum`).  This is a
statement about the global minimizer, valid whenever the multiplier-free λ* converges with
width, not about what gradient descent reaches in a fixed number of steps; the
experiment (figure ``training_transfer``) checks the latter.  For the AdamW rules
``depth`` does not enter the sum's exponent; it enters the mean's through ``P_total``.

The μP learning rates (Yang & Hu 2021, *Tensor Programs IV*, Table 3; Yang et al.
2022, *Tensor Programs V*, Table 3) are tabulated by :func:`mup_lr_exponent` for
each parametrization's own weights.

:func:`transfer_model` carries one tuned λ to every tensor of a model given its parameter
shapes at the two widths (per-tensor λ, the torch/optax ``weight_decay`` number and the rule;
defined in :mod:`theory._transfer_model`, whose docstring tabulates the rules and compares
them with microsoft/mup's ``MuAdamW``); ``python -m theory.transfer model FROM.json TO.json``
is its command line.

Where the power law is wrong.  The readout rule holds once the NTK-scaled λ* has converged,
i.e. for ``P ≫ N``; below that its exponent is one less, and in between neither power law is
right.  Where the model is known -- ReLU random features on the Mei–Montanari task of
:mod:`theory.random_features` -- :func:`transfer_exact` carries λ by the exact ratio
``λ*(P_to)/λ*(P_from)`` instead, and reports what the power law would have cost in excess
risk; ``python -m theory.transfer ... --n-samples N --input-dim d --noise-var τ²`` is its
command line.

>>> t = transfer(1e-4, width_from=256, width_to=4096, parametrization="standard",
...              normalization="sum", penalized="all")  # every weight: λ_sum fixed
>>> t.lam, t.exponent, t.support
(0.0001, 0.0, 'derivation')
>>> transfer(1e-4, width_from=256, width_to=4096, parametrization="standard",
...          normalization="sum", penalized="readout").lam  # a readout alone: λ_sum ∝ P
0.0016
>>> transfer(1e-4, width_from=256, width_to=4096, parametrization="mean_field",
...          normalization="sum", optimizer="adamw-coupled", lr_scaling="mup",
...          penalized="all").lam
0.0001
>>> transfer(1e-4, width_from=100, width_to=800, parametrization="ntk", normalization="sum",
...          penalized="all", depth=2).lam  # λ_sum ∝ P^(-2/3): 8^(-2/3) = 1/4
2.5e-05
"""

from __future__ import annotations

import sys

from theory._lr import (  # defined there, re-exported here (the public door)
    LAYER_KINDS,
    LR_SCALINGS,
    OPTIMIZERS,
    lr_exponent,
    lr_exponent_expr,
    mup_lr_exponent,
    mup_lr_exponent_expr,
)
from theory._transfer_cli import ANSWER, main
from theory._transfer_model import (
    LAYOUTS,
    TENSOR_KINDS,
    ModelTransfer,
    TensorTransfer,
    transfer_model,
)
from theory._transfer_rule import (
    PENALIZED,
    ExactTransfer,
    Transfer,
    transfer,
    transfer_exact,
    transfer_exponent,
    transfer_exponent_expr,
)

__all__ = [
    "ANSWER",
    "OPTIMIZERS",
    "LR_SCALINGS",
    "LAYER_KINDS",
    "mup_lr_exponent_expr",
    "mup_lr_exponent",
    "lr_exponent_expr",
    "lr_exponent",
    "PENALIZED",
    "transfer_exponent_expr",
    "transfer_exponent",
    "Transfer",
    "transfer",
    "ExactTransfer",
    "transfer_exact",
    "TENSOR_KINDS",
    "LAYOUTS",
    "TensorTransfer",
    "ModelTransfer",
    "transfer_model",
    "main",
]


if __name__ == "__main__":
    sys.exit(main())
