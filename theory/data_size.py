r"""How λ must change with the number of training samples ``N`` (issue 13, item 4).

Convention (DESIGN §2): ``E(w) = (1/N) Σ_i ℓ_i + λ_sum ‖w‖²`` (``λ_mean = P λ_sum``).  Two
rules, from different premises, give the exponent ``e`` of ``λ_sum ∝ N^e``:

* **prior** (exact for the MAP of a fixed Gaussian prior): ``N·E`` is the negative log
  posterior of ``w ~ N(0, v I)`` when ``λ_sum = 1/(2 v N)`` (cross-entropy;
  :func:`theory.prior.prior_variance_expr`), so a prior that does not depend on the data set
  needs ``λ_sum ∝ N^{-1}``, for the sum and for the mean (``P`` does not change with ``N``).
  The linear-ridge asymptotics give the same exponent for the risk-optimal λ by an
  independent route: ``λ* = γ σ²/α²`` with ``γ = d/N`` (:func:`theory.linear.optimal_lambda`).
  It says nothing about training that stops early.
* **timescale** (Wang & Aitchison 2025, arXiv 2405.13698; AdamW as an exponential moving average): coupled
  AdamW shrinks by ``η·wd`` per step (``wd = 2λ``), a memory of ``τ_iter = 1/(η wd)`` steps,
  i.e. ``τ_epoch = τ_iter B/N`` epochs for batch size ``B``.  Holding ``τ_epoch`` fixed
  gives ``λ = B/(2 η τ_epoch N)``: ``e = −1`` at a fixed batch size, and ``e = 0`` for
  full-batch training (``B = N``), where epochs and steps coincide.  A rule about a
  timescale, not a minimizer; tested at a fixed budget of epochs.

The two rules agree for minibatch AdamW and disagree for full-batch AdamW (−1 vs 0):
:mod:`figures.data_size` measures both regimes and the stationary L2 minimizer.

>>> float(prior_exponent())
-1.0
>>> [float(timescale_exponent(b)) for b in ("fixed", "full")]
[-1.0, 0.0]
"""

from __future__ import annotations

import sympy as sp

from theory import _symbols as S
from theory._macros import register
from theory.checks import check_choice
from theory.prior import prior_variance_expr

__all__ = [
    "BATCHES",
    "prior_lambda_expr",
    "prior_exponent",
    "timescale_lambda_expr",
    "timescale_exponent",
]

#: batch regimes of the timescale rule: a fixed batch size ``B``, or full batch ``B = N``
BATCHES = ("fixed", "full")

B = sp.Symbol("B", positive=True)  # batch size
tau = sp.Symbol(r"\tau_{\mathrm{epoch}}", positive=True)  # decay memory in epochs


def _exponent(expr: sp.Expr) -> sp.Expr:
    """``d log expr / d log N`` (a constant for a power law in ``N``)."""
    e = sp.simplify(S.N * sp.diff(expr, S.N) / expr)
    if e.free_symbols:
        raise ValueError(f"not a power law in N: {expr}")
    return e


def prior_lambda_expr() -> sp.Expr:
    """``λ_sum`` of the MAP of a fixed Gaussian prior of variance ``v`` (cross-entropy).

    Solved from :func:`theory.prior.prior_variance_expr` (``v = 1/(2 N λ_sum)``).
    """
    (sol,) = sp.solve(sp.Eq(S.v, prior_variance_expr("cross_entropy", "sum")), S.lam)
    return sp.simplify(sol)


def prior_exponent() -> sp.Expr:
    """The ``N`` exponent of :func:`prior_lambda_expr`: ``-1``."""
    return _exponent(prior_lambda_expr())


def timescale_lambda_expr(batch: str = "fixed") -> sp.Expr:
    """``λ_sum`` that holds AdamW's decay memory ``τ_epoch`` (in epochs) fixed.

    Coupled AdamW shrinks by ``η wd = 2 η λ`` per step; ``N/B`` steps make an epoch, so
    ``τ_epoch = B/(2 η λ N)``; ``batch="full"`` puts ``B = N``.
    """
    check_choice("batch", batch, BATCHES)
    lam = S.lam
    tau_epoch = 1 / (S.eta * 2 * lam) * B / S.N
    (sol,) = sp.solve(sp.Eq(tau, tau_epoch), lam)
    return sp.simplify(sol.subs(B, S.N) if batch == "full" else sol)


def timescale_exponent(batch: str = "fixed") -> sp.Expr:
    """The ``N`` exponent of :func:`timescale_lambda_expr`: ``-1`` (fixed ``B``), ``0`` (full)."""
    return _exponent(timescale_lambda_expr(batch))


# ------------------------------------------------------------------ the paper's macros

register("DataSizePriorLambda", "lambda_sum of a fixed Gaussian prior vs N")(
    lambda: rf"\lambda_{{\mathrm{{sum}}}} = {sp.latex(prior_lambda_expr())}"
)
register("DataSizeTimescaleLambda", "AdamW lambda holding the decay memory in epochs fixed")(
    lambda: rf"\lambda = {sp.latex(timescale_lambda_expr('fixed'))}"
)
register("DataSizeExpPrior", "N exponent of lambda_sum, fixed prior")(prior_exponent)
register("DataSizeExpTimescaleFixed", "N exponent, AdamW timescale rule, fixed batch")(
    lambda: timescale_exponent("fixed")
)
register("DataSizeExpTimescaleFull", "N exponent, AdamW timescale rule, full batch")(
    lambda: timescale_exponent("full")
)
