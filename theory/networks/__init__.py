r"""Every weight penalized: how λ must scale with width in a deep bias-free ReLU network.

Setting.  A network with ``L`` weight matrices, i.e. ``depth = L − 1`` hidden layers of
width ``n``, no biases, and a positively 1-homogeneous activation φ (``φ(c z) = c φ(z)``
for ``c > 0``: ReLU, leaky ReLU, the identity),

.. math::  f(x) = m_L W_L\, \varphi(m_{L-1} W_{L-1} \cdots \varphi(m_1 W_1 x)),
           \qquad m_l \propto n^{-a_l},

trained on ``(1/N) Σ_i ℓ(f(x_i), y_i) + Σ_l λ_l ‖W_l‖²`` (any loss ℓ; DESIGN §2: no
factor ½; one global λ is ``λ_l = λ``).  Three exact facts, each derived below:

1. **Homogeneity** (:func:`rescaling_expr`).  With ``M = Π_l m_l`` and
   ``V_l = M^(1/L) W_l`` the multiplier-free network ``V_L φ(V_{L−1} ⋯ φ(V_1 x))`` is
   the same function, so the objective at ``λ_l`` with multipliers equals the
   multiplier-free objective at ``λ_l M^(−2/L)`` (:func:`equivalent_lambda_expr`) —
   for every ``W``, hence also for its minimizers.
2. **Geometric mean** (:func:`balanced_penalty_expr`).  The multiplier-free network has
   the symmetry ``V_l → t_l V_l`` with ``Π_l t_l = 1``; minimizing the penalty over it,
   ``min_t Σ_l λ_l t_l² ‖V_l‖² = L (Π_l λ_l ‖V_l‖²)^(1/L)``, so per-layer strengths
   enter the global minimizer only through their geometric mean ``(Π_l λ_l)^(1/L)``.
   (For one hidden unit of a one-hidden-layer network this is ``2λ|a|‖w‖``: the
   total-variation penalty of DESIGN §1.)
3. **Width exponent** (:func:`lambda_exponent`).  Hold the multiplier-free λ fixed: then
   ``λ_sum ∝ M^(2/L) ∝ n^e`` with ``e_sum = −(2/L) Σ_l a_l``
   (:func:`lambda_exponent_general_expr`).  The presets (:func:`preset_exponents`, the
   multipliers of :mod:`training.models`: standard 1; NTK ``g/sqrt(fan_in)``, where the
   input layer's fan-in ``d`` does not grow; mean-field/μP as NTK with readout ``1/n``;
   constants such as ``g = √2`` or ``1/√d`` do not change exponents):

   ==========  ========  ==========  ===========
   depth        standard  NTK         mean-field
   ==========  ========  ==========  ===========
   1            0         −1/2        −1
   2            0         −2/3        −1
   h            0         −h/(h+1)    −1
   ==========  ========  ==========  ===========

   The mean normalization divides by the total number of weights
   ``P_total = d n + (L − 2) n² + n K`` (:func:`n_weights_expr`), ``∝ n`` for one hidden
   layer and ``∝ n²`` for two or more, so ``e_mean = e_sum + 1`` or ``e_sum + 2``
   (the leading power; for ``depth ≥ 2`` exact only for ``n ≫ d + K``).

Why the multiplier-free λ* should converge with width.  The representation cost
``R_n(f) = min {Σ_l ‖V_l‖² : the width-n multiplier-free network computes f}`` is
non-increasing in ``n`` (pad a minimizer with zero units: no biases and ``φ(0) = 0``, so
the function and the cost are unchanged) and bounded below by 0, so it converges for
every ``f``, and so does the minimum of ``loss(f) + λ' R_n(f)``.  That is the premise of
the rule, as for the readout theory: **whenever the optimal multiplier-free λ' converges
with width**, the optimal ``λ_sum ∝ n^e``.  Exactly at finite width it holds where
``R_n`` is already width-independent (e.g. linear networks with ``n ≥ min(d, K)``, or
ReLU networks wider than the units the minimizer needs).

When it is exact, and what breaks it.  Facts 1–2 are identities, exact at every width,
for the **global minimizer** (and for every stationary point, mapped one to one) of the
regularized objective.  They are a statement about that minimizer, not about what a
fixed budget of gradient-descent steps reaches: a step of rate η on ``W`` is a step of
rate ``η M^(2/L)`` on ``V``, so at fixed learning rates the path (and where a step budget
stops) changes with width; a training check must run to stationarity and report it.
They fail with

* **penalized biases**: with ``m_l (W_l h + b_l)`` the function is still the
  multiplier-free one for ``c_l = s^l b_l / Π_{k<l} m_k`` (``s = M^(1/L)``), a
  layer-dependent factor, so ``λ ‖b_l‖²`` does not pick up the common ``M^(−2/L)`` and
  the objective is no multiplier-free objective at one λ' (unpenalized biases, free
  parameters, leave facts 1–3 intact);
* **non-homogeneous activations** (tanh, GELU, SiLU, softplus): ``φ(c z) ≠ c φ(z)``, the
  multipliers change the function class, not only the scale;
* **normalization layers** (BatchNorm/LayerNorm): the weights before them are
  scale-invariant, so L2 changes only their effective learning rate (van Laarhoven
  2017) — an optimizer question (:mod:`theory.transfer`, AdamW), with no fixed
  minimizer to hold.

>>> [lambda_exponent_expr(p, depth=2) for p in ("standard", "ntk", "mean_field")]
[0, -2/3, -1]
>>> lambda_exponent(multiplier_exponents=(0, 0.5, 0.5, 0.5), normalization="mean")
1.25

Modules: ``_network`` (the symbols, φ and the network as an expression), ``_rescaling``
(facts 1–2: the rescaling, the multiplier-free λ, the balanced penalty, with their numeric
twins), ``_exponents`` (fact 3: presets, weight counts, λ's width exponent) and ``_latex``
(the paper's macros); this package re-exports their public API.
"""

from __future__ import annotations

from theory import _symbols as S  # noqa: F401  (tests read the shared symbols here)
from theory.networks._exponents import (
    lambda_exponent,
    lambda_exponent_expr,
    lambda_exponent_general_expr,
    n_weights_exponent,
    n_weights_expr,
    preset_exponents,
    preset_exponents_expr,
)
from theory.networks._latex import (  # importing it registers the paper's macros
    TABLE_DEPTHS,
    _unit_penalty,  # noqa: F401  (not in __all__; the tests check it)
)
from theory.networks._network import (
    K,
    L,
    _output,  # noqa: F401  (not in __all__; the tests check it)
    _weights,  # noqa: F401  (not in __all__; the tests check it)
    a,
    lam_free,
    multiplier_symbols,
    n,
    output_expr,
    phi,
)
from theory.networks._rescaling import (
    _balanced_penalty,  # noqa: F401  (not in __all__; the tests check it)
    _per_layer_symbols,  # noqa: F401  (not in __all__; the tests check it)
    _rescaling,  # noqa: F401  (not in __all__; the tests check it)
    balanced_penalty,
    balanced_penalty_expr,
    balanced_penalty_general_expr,
    equivalent_lambda,
    equivalent_lambda_expr,
    rescaling_expr,
)

__all__ = [
    "n",
    "L",
    "K",
    "lam_free",
    "a",
    "phi",
    "multiplier_symbols",
    "output_expr",
    "rescaling_expr",
    "equivalent_lambda_expr",
    "balanced_penalty_expr",
    "balanced_penalty_general_expr",
    "lambda_exponent_general_expr",
    "preset_exponents_expr",
    "preset_exponents",
    "n_weights_expr",
    "n_weights_exponent",
    "lambda_exponent_expr",
    "lambda_exponent",
    "equivalent_lambda",
    "balanced_penalty",
    "TABLE_DEPTHS",
]
