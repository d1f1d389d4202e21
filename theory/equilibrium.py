r"""Rotational equilibrium of scale-invariant weights under L2 / weight decay.

Setting (van Laarhoven 2017; Kosson, Messmer & Jaggi 2024, "Rotational equilibrium").  A
weight tensor ``w`` with ``C`` entries whose loss is invariant to its scale, ``L(c w) = L(w)``
for ``c > 0`` (the weights right before a LayerNorm without gain, e.g.
:mod:`training.normalized`), has a gradient orthogonal to ``w`` that scales as ``1/‖w‖``:
``g = g̃/‖w‖`` with ``g̃`` the gradient at the unit sphere.  One step is

.. math::  w_{t+1} = (1 - s)\, w_t - \eta\, u_t, \qquad u_t \perp w_t,

with the per-step **shrink** ``s`` and the update ``u``:

==================  ==========================  ===================================  =========
optimizer           shrink ``s``                update ``u``                          ``‖u‖²``
==================  ==========================  ===================================  =========
``sgd``             ``η·wd``, ``wd = 2λ``        the data gradient ``g``               ``G²/x``
``adamw-coupled``   ``η·wd``                     Adam's ``m̂/√v̂`` (RMS ≈ 1 per entry)  ``C``
``adamw-indep.``    ``wd`` (not times ``η``)     the same                             ``C``
==================  ==========================  ===================================  =========

(``x = ‖w‖²``, ``G = ‖g̃‖``; DESIGN §2: L2 in the loss is ``λ‖w‖²`` with gradient ``2λw``, so
SGD's coupled ``weight_decay`` is ``2λ``; the AdamW conventions are those of
:mod:`theory._transfer_model`: coupled reads λ as ``wd = 2λ``, independent as a shrink
``2η₀λ``.)  Orthogonality gives the **exact** norm recursion
``x_{t+1} = (1 − s)² x_t + η² ‖u_t‖²`` (:func:`norm_step_expr`), whatever the direction of
``u``.  Its fixed point (:func:`equilibrium_sq_norm_expr`) and the angle between ``w_t`` and
``w_{t+1}`` there (:func:`angular_update_expr`) are derived below:

* **exact** (for the momentum-free recursion with ``u ⊥ w`` and a deterministic ``‖u‖²``:
  ``G`` fixed for SGD, ``‖u‖² = C`` for Adam): ``x* = η G / √(s(2 − s))`` (SGD),
  ``x* = η² C / (s(2 − s))`` (Adam), and ``cos θ = 1 − s`` for every optimizer — the angle
  depends on the shrink only, not on the gradient;
* **small-step limit** (``s → 0``): ``‖w*‖ = (η G²/(2 wd))^{1/4}`` (SGD),
  ``√(η C/(2 wd))`` (coupled), ``η √(C/(2 wd))`` (independent), and
  ``θ ≈ √(2s)``: ``√(2 η wd)`` for SGD and coupled AdamW, ``√(2 wd)`` for independent AdamW.
  These are Kosson et al.'s SGD and AdamW rows (their λ is our ``wd``).
* **approximations**: Adam's update RMS ≈ 1 per entry (the update is then also only
  orthogonal to ``w`` on average: Adam's per-coordinate scaling tilts it); with a random
  ``‖u‖²`` the fixed point holds for ``E‖u‖²`` only to first order (Jensen).
* **momentum** (:func:`momentum_factors_expr`, small-step and *uncorrelated* inputs, the
  random-walk model): an input ``n_t`` moves ``w`` by ``η Σ_k c_k n_{t−k}`` with weights
  ``c_k`` (heavy ball ``α^k``; Adam's EMA ``(1 − β₁)β₁^k``), total ``M = Σ c_k`` and
  ``Q = Σ c_k²``.  The norm grows by ``η² M² E‖n‖²`` per step and one step moves ``w`` by
  ``η² Q E‖n‖²``; heavy-ball SGD shrinks by ``s M`` per step (the decay passes through the
  momentum).  So SGD with momentum α: ``‖w*‖ = (η G²/(2 wd (1 − α)))^{1/4}``,
  ``θ ≈ √(2 η wd/(1 + α))`` (Kosson et al.'s SGDM row); AdamW with β₁ and normalized
  gradients of RMS 1: the norm is unchanged, the per-step angle is
  ``√(2s (1 − β₁)/(1 + β₁))``.  Full-batch training has correlated gradients: there these
  are predictions to be checked (:mod:`figures.norm_layers`), not identities.

**Width exponents** (:func:`angle_exponent_expr`).  With ``η ∝ n^{e_η}`` and
``wd ∝ n^{e_wd}`` the equilibrium angle — the effective learning rate of a scale-invariant
tensor, whose scale does not enter the function — scales as ``n^{(e_η + e_wd)/2}`` for SGD
and coupled AdamW, ``n^{e_wd/2}`` for independent AdamW: holding it fixed per tensor means
``wd_l ∝ η_l^{−1}`` (coupled, SGD) or ``wd_l`` fixed (independent), i.e. the per-tensor
timescale ``1/(η_l wd_l)`` that :mod:`theory._transfer_model` holds fixed.  No minimizer is
involved: on these weights L2 is not a regularizer of a fixed function class.

>>> equilibrium_norm("adamw-coupled", lr=1e-3, weight_decay=0.1, n_entries=10_000,
...                  exact=False)
7.0710678118654755
>>> round(angular_update("sgd", lr=0.1, weight_decay=0.02), 12)  # arccos(1 - 0.002)
0.063256098875
"""

from __future__ import annotations

from functools import cache

import numpy as np
import sympy as sp

from theory import _symbols as S
from theory._lr import OPTIMIZERS
from theory._macros import register
from theory.checks import (
    cache_checked,
    check_choice,
    check_flag,
    check_fraction,
    check_int,
    check_positive,
    check_representable,
    check_seed,
)

__all__ = [
    "OPTIMIZERS",
    "MOMENTUM_KINDS",
    "shrink_expr",
    "norm_step_expr",
    "equilibrium_sq_norm_expr",
    "equilibrium_norm_expr",
    "angular_update_expr",
    "momentum_factors_expr",
    "momentum_equilibrium_exprs",
    "angle_exponent_expr",
    "equilibrium_norm",
    "angular_update",
    "iterate_norm",
]

#: heavy ball ``v ← α v + g`` (optax.sgd's momentum); exponential moving average
#: ``m ← β m + (1 − β) g`` (Adam's first moment)
MOMENTUM_KINDS = ("heavy_ball", "ema")

eta, wd, lam = S.eta, S.weight_decay, S.lam
#: per-step shrink, squared norm ‖w‖², number of entries, gradient norm at ‖w‖ = 1
s, x = sp.symbols("s x", positive=True)
C = sp.Symbol("C", positive=True, integer=True)
G = sp.Symbol(r"\tilde{G}", positive=True)
#: momentum coefficient (heavy ball α or EMA β₁) and the summation index
beta = sp.Symbol(r"\beta", positive=True)
_k = sp.Symbol("k", integer=True, nonnegative=True)


def shrink_expr(optimizer: str) -> sp.Expr:
    """Per-step shrink ``s``: ``η·wd`` (SGD with L2 in the loss, coupled AdamW) or ``wd``.

    >>> [shrink_expr(o) for o in OPTIMIZERS]
    [\\eta*\\mathrm{wd}, \\eta*\\mathrm{wd}, \\mathrm{wd}]
    """
    check_choice("optimizer", optimizer, OPTIMIZERS)
    return wd if optimizer == "adamw-independent" else eta * wd


def _update_sq(optimizer: str) -> sp.Expr:
    """``‖u‖²``: the gradient ``G²/x`` (SGD) or ``C`` (Adam, RMS 1 per entry)."""
    return G**2 / x if optimizer == "sgd" else C


def norm_step_expr(optimizer: str) -> sp.Expr:
    """``‖w_{t+1}‖²`` from ``x = ‖w_t‖²``: ``‖(1−s)w − ηu‖² = (1−s)² x + η² ‖u‖²`` (exact,
    the cross term ``2(1−s)η w·u`` vanishes because ``u ⊥ w``).

    >>> norm_step_expr("adamw-coupled")
    C*\\eta**2 + x*(-\\eta*\\mathrm{wd} + 1)**2
    """
    return (1 - shrink_expr(optimizer)) ** 2 * x + eta**2 * _update_sq(optimizer)


@cache_checked
def equilibrium_sq_norm_expr(optimizer: str) -> sp.Expr:
    """``x*``: the positive fixed point of :func:`norm_step_expr`, exact for ``0 < s < 2``.

    >>> equilibrium_sq_norm_expr("adamw-independent")
    -C*\\eta**2/(\\mathrm{wd}*(\\mathrm{wd} - 2))
    """
    check_choice("optimizer", optimizer, OPTIMIZERS)
    roots = sp.solve(sp.Eq(norm_step_expr(optimizer), x), x)
    sample = {eta: sp.Rational(1, 10), wd: sp.Rational(1, 10), G: 1, C: 1}
    (root,) = [r for r in roots if r.subs(sample).is_positive]
    return sp.factor(sp.simplify(root))


def _small_step_power(optimizer: str) -> sp.Rational:
    """``‖w*‖ ∝ s^(−p)`` as ``s → 0``: ``p = 1/4`` (SGD, ``‖u‖ ∝ 1/‖w‖``) or ``1/2`` (Adam)."""
    return sp.Rational(1, 4) if optimizer == "sgd" else sp.Rational(1, 2)


def equilibrium_norm_expr(optimizer: str, *, exact: bool = True) -> sp.Expr:
    """``‖w*‖``: exact, or its leading term as ``wd → 0`` (the small-step limit).

    >>> equilibrium_norm_expr("sgd", exact=False)
    2**(3/4)*\\eta**(1/4)*sqrt(\\tilde{G})/(2*\\mathrm{wd}**(1/4))
    """
    check_choice("optimizer", optimizer, OPTIMIZERS)
    exact = check_flag("exact", exact)
    norm = sp.sqrt(equilibrium_sq_norm_expr(optimizer))
    if exact:
        return norm
    eps = sp.Symbol("epsilon", positive=True)
    power = _small_step_power(optimizer)
    return sp.simplify(sp.limit(norm.subs(wd, eps * wd) * eps**power, eps, 0))


def angular_update_expr(optimizer: str, *, exact: bool = True) -> sp.Expr:
    """Angle θ between ``w_t`` and ``w_{t+1}`` at the fixed point: ``arccos(1 − s)``, exact.

    ``cos θ = w_t·w_{t+1} / (‖w_t‖ ‖w_{t+1}‖) = (1 − s) x*/x*`` (``u ⊥ w``, equal norms);
    ``exact=False`` gives the small-step limit ``√(2s)``.

    >>> angular_update_expr("adamw-coupled", exact=False)
    sqrt(2)*sqrt(\\eta)*sqrt(\\mathrm{wd})
    """
    check_choice("optimizer", optimizer, OPTIMIZERS)
    # checked before the cache: exact=1 would otherwise hit True's entry
    return _angular_update_expr(optimizer, check_flag("exact", exact))


@cache
def _angular_update_expr(optimizer: str, exact: bool) -> sp.Expr:
    shrink = shrink_expr(optimizer)
    x_star = equilibrium_sq_norm_expr(optimizer)
    x_next = norm_step_expr(optimizer).subs(x, x_star)
    # at the fixed point ‖w_{t+1}‖² = ‖w_t‖² (checked, not assumed), so cos θ = 1 − s
    if sp.simplify(x_next - x_star) != 0:
        raise AssertionError(f"x* is not a fixed point for {optimizer}")  # pragma: no cover
    # w_t·w_{t+1} = (1 − s) x* (u ⊥ w) and ‖w_t‖ ‖w_{t+1}‖ = x* (x* > 0, so √(x*²) = x*)
    theta = sp.acos(sp.cancel((1 - shrink) * x_star / x_star))
    if exact:
        return theta
    # arccos(1 − s) = √(2s) (1 + s/12 + …)
    eps = sp.Symbol("epsilon", positive=True)
    lead = sp.limit(theta.subs(wd, eps * wd) / sp.sqrt(eps), eps, 0)
    return sp.simplify(lead)


def _convergent_branch(expr: sp.Expr) -> sp.Expr:
    """The value of a geometric series for ``|β| < 1`` (SymPy returns a Piecewise)."""
    expr = sp.piecewise_fold(expr)
    return expr.args[0][0] if isinstance(expr, sp.Piecewise) else expr


@cache_checked
def momentum_factors_expr(kind: str) -> tuple[sp.Expr, sp.Expr]:
    """``(M, Q) = (Σ_k c_k, Σ_k c_k²)`` of the momentum weights (``c_k = β^k`` or
    ``(1 − β)β^k``), by summation.

    >>> momentum_factors_expr("heavy_ball")
    (-1/(\\beta - 1), -1/((\\beta - 1)*(\\beta + 1)))
    """
    check_choice("kind", kind, MOMENTUM_KINDS)
    coef = sp.Integer(1) if kind == "heavy_ball" else 1 - beta  # c_k = coef · β^k
    b = sp.Symbol("b", positive=True)  # |β| < 1 for the geometric series
    total = coef * _convergent_branch(sp.summation(b**_k, (_k, 0, sp.oo)))
    square = coef**2 * _convergent_branch(sp.summation(b ** (2 * _k), (_k, 0, sp.oo)))
    return sp.factor(total.subs(b, beta)), sp.factor(square.subs(b, beta))


@cache_checked
def momentum_equilibrium_exprs(optimizer: str) -> tuple[sp.Expr, sp.Expr]:
    """``(‖w*‖, θ)`` with momentum, small-step random-walk model (see the module docstring).

    SGD: heavy ball, the decay inside the momentum (shrink ``s M`` per step); AdamW: EMA on
    normalized gradients of RMS 1, decay outside.  Balance ``2 s_eff x = η² M² E‖n‖²`` and
    ``θ² = η² Q E‖n‖² / x``.

    >>> momentum_equilibrium_exprs("sgd")[1]
    sqrt(2)*sqrt(\\eta)*sqrt(\\mathrm{wd})/sqrt(\\beta + 1)
    """
    check_choice("optimizer", optimizer, OPTIMIZERS)
    kind = "heavy_ball" if optimizer == "sgd" else "ema"
    m_tot, q_sq = momentum_factors_expr(kind)
    shrink = shrink_expr(optimizer) * (m_tot if optimizer == "sgd" else 1)
    growth = eta**2 * m_tot**2 * _update_sq(optimizer)  # per step, E‖n‖² = G²/x or C
    # SGD's growth depends on x (G²/x): 2 s_eff x² = η² M² G²; one positive root either way
    roots = sp.solve(sp.Eq(2 * shrink * x, growth), x)
    (x_star,) = [r for r in roots if r.subs({beta: sp.Rational(1, 2), eta: 1, wd: 1}).is_positive]
    theta = sp.sqrt(eta**2 * q_sq * _update_sq(optimizer).subs(x, x_star) / x_star)
    return sp.simplify(sp.sqrt(x_star)), sp.simplify(sp.factor(theta))


def angle_exponent_expr(optimizer: str) -> sp.Expr:
    """Width exponent of the small-step angle θ when ``η ∝ n^{e_η}``, ``wd ∝ n^{e_wd}``.

    >>> angle_exponent_expr("adamw-coupled"), angle_exponent_expr("adamw-independent")
    (e_\\eta/2 + e_{wd}/2, e_{wd}/2)
    """
    n = sp.Symbol("n", positive=True)
    e_eta, e_wd = sp.symbols(r"e_\eta e_{wd}", real=True)
    theta = angular_update_expr(optimizer, exact=False).subs({eta: n**e_eta, wd: n**e_wd})
    return sp.expand(sp.simplify(n * sp.diff(sp.log(theta), n)))


# ------------------------------------------------------------------ numeric twins


def _positive_number(name: str, value) -> np.float64:
    """One finite number > 0, as float64 (arithmetic on it overflows to inf, not an error)."""
    arr = check_positive(name, value)
    if arr.ndim:
        raise ValueError(f"{name} must be one number, got {value!r}")
    return np.float64(arr)


def _check(optimizer, lr, weight_decay, momentum):
    check_choice("optimizer", optimizer, OPTIMIZERS)
    lr = _positive_number("lr", lr)
    weight_decay = _positive_number("weight_decay", weight_decay)
    momentum = check_fraction("momentum", momentum)
    shrink = weight_decay if optimizer == "adamw-independent" else lr * weight_decay
    if shrink >= 1:
        raise ValueError(
            f"weight_decay must give a per-step shrink < 1, got {float(shrink)!r} "
            f"(lr={float(lr)!r}, weight_decay={float(weight_decay)!r})"
        )
    # lr·wd below the float64 range: the shrink (and every formula dividing by it) is lost
    check_representable(
        shrink,
        what="per-step shrink",
        inputs={"lr": float(lr), "weight_decay": float(weight_decay)},
        positive=True,
    )
    return lr, weight_decay, momentum, shrink


def equilibrium_norm(
    optimizer: str,
    *,
    lr,
    weight_decay,
    n_entries=None,
    grad_norm=None,
    momentum=0.0,
    exact: bool = True,
) -> float:
    """``‖w*‖`` of a scale-invariant tensor (:func:`equilibrium_sq_norm_expr`).

    ``grad_norm`` is ``G = ‖g‖·‖w‖`` (SGD), ``n_entries`` the tensor's ``C`` (AdamW); the
    other one may be omitted (it is checked where given).  ``momentum`` > 0 (heavy-ball α
    for SGD, β₁ for AdamW) uses the small-step random-walk form
    (:func:`momentum_equilibrium_exprs`); ``exact=False`` the small-step limit.  A norm
    outside float64 (over- or underflow) is a ``ValueError`` naming the inputs.

    >>> round(equilibrium_norm("sgd", lr=0.1, weight_decay=0.02, grad_norm=1.0), 6)
    1.257748
    """
    lr, weight_decay, momentum, shrink = _check(optimizer, lr, weight_decay, momentum)
    exact = check_flag("exact", exact)
    g = None if grad_norm is None else _positive_number("grad_norm", grad_norm)
    c = None if n_entries is None else _positive_number("n_entries", n_entries)
    inputs = {"lr": float(lr), "weight_decay": float(weight_decay)}
    with np.errstate(all="ignore"):  # over/underflow: checked below, by name
        if optimizer == "sgd":
            if g is None:
                raise ValueError("grad_norm must be given for optimizer='sgd', got None")
            inputs["grad_norm"] = float(g)
            g2 = g**2
            if momentum > 0:
                norm = (lr * g2 / (2 * weight_decay * (1 - momentum))) ** 0.25
            else:
                denom = shrink * (2 - shrink) if exact else 2 * shrink
                norm = (lr**2 * g2 / denom) ** 0.25
        else:
            if c is None:
                raise ValueError(f"n_entries must be given for optimizer={optimizer!r}, got None")
            inputs["n_entries"] = float(c)
            denom = shrink * (2 - shrink) if exact and momentum == 0 else 2 * shrink
            norm = np.sqrt(lr**2 * c / denom)
    check_representable(norm, what="equilibrium norm", inputs=inputs, positive=True)
    return float(norm)


def angular_update(optimizer: str, *, lr, weight_decay, momentum=0.0, exact: bool = True) -> float:
    """Equilibrium angle (radians) per step: ``arccos(1 − s)`` (exact) or ``√(2s)``.

    With ``momentum`` > 0: ``√(2 s/(1 + α))`` (heavy-ball SGD) or ``√(2 s (1 − β₁)/(1 + β₁))``
    (AdamW), small-step random-walk model.  ``arccos(1 − s)`` is evaluated as
    ``2 arcsin(√(s/2))`` (the same angle), which stays accurate where ``1 − s`` rounds to 1.

    >>> round(angular_update("adamw-independent", lr=1.0, weight_decay=0.005, exact=False), 6)
    0.1
    """
    lr, weight_decay, momentum, shrink = _check(optimizer, lr, weight_decay, momentum)
    exact = check_flag("exact", exact)
    with np.errstate(all="ignore"):  # underflow: checked below, by name
        if momentum > 0:
            factor = 1 / (1 + momentum) if optimizer == "sgd" else (1 - momentum) / (1 + momentum)
            theta = np.sqrt(2 * shrink * factor)
        else:
            theta = 2 * np.arcsin(np.sqrt(shrink / 2)) if exact else np.sqrt(2 * shrink)
    inputs = {"lr": float(lr), "weight_decay": float(weight_decay), "momentum": momentum}
    check_representable(theta, what="equilibrium angle", inputs=inputs, positive=True)
    return float(theta)


def iterate_norm(
    optimizer: str,
    *,
    lr,
    weight_decay,
    steps: int,
    dim: int,
    grad_norm=1.0,
    momentum=0.0,
    random_norm: bool = False,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Iterate ``w ← (1−s) w − η u`` with random directions ``u ⊥ w`` (float64 NumPy).

    The independent numeric route: SGD's ``u`` is a gradient of norm ``grad_norm/‖w‖``
    (heavy-ball momentum α on ``g + wd·w``); AdamW's has RMS 1 per entry (EMA β₁ of
    normalized gradients when ``momentum`` > 0, decay outside it).  ``random_norm`` draws
    ``‖g̃‖² ∝ χ²_dim / dim`` (mean ``grad_norm²``) instead of a fixed norm.  Returns the norm
    and the angle between consecutive iterates, per step.
    """
    lr, weight_decay, momentum, shrink = _check(optimizer, lr, weight_decay, momentum)
    steps = check_int("steps", steps, minimum=1)
    dim = check_int("dim", dim, minimum=2)  # a direction orthogonal to w needs dim >= 2
    grad_norm = float(_positive_number("grad_norm", grad_norm))
    random_norm = check_flag("random_norm", random_norm)
    rng = np.random.default_rng(check_seed("seed", seed))
    w = rng.standard_normal(dim)
    buf = np.zeros(dim)
    norms, angles = np.empty(steps), np.empty(steps)
    for t in range(steps):
        z = rng.standard_normal(dim)
        z -= (z @ w) / (w @ w) * w  # orthogonal to w
        unit = z / np.linalg.norm(z)
        scale = np.sqrt(rng.chisquare(dim) / dim) if random_norm else 1.0
        if optimizer == "sgd":
            g = unit * scale * grad_norm / np.linalg.norm(w)
            buf = momentum * buf + g + weight_decay * w
            w_new = w - lr * buf
        else:
            n = unit * np.sqrt(dim) * scale  # RMS 1 per entry
            buf = momentum * buf + (1 - momentum) * n if momentum > 0 else n
            w_new = (1 - shrink) * w - lr * buf
        cos = (w @ w_new) / (np.linalg.norm(w) * np.linalg.norm(w_new))
        angles[t] = np.arccos(np.clip(cos, -1.0, 1.0))
        w = w_new
        norms[t] = np.linalg.norm(w)
    return {"norm": norms, "angle": angles}


# ------------------------------------------------------------------ the paper's macros

_NAMES = {"sgd": "SGD", "adamw-coupled": "AdamWCoupled", "adamw-independent": "AdamWIndependent"}
for _o in OPTIMIZERS:
    register(f"EquilNorm{_NAMES[_o]}", f"equilibrium norm, small-step limit, {_o}")(
        (
            lambda o: (
                lambda: rf"\lVert w^\star\rVert = {sp.latex(equilibrium_norm_expr(o, exact=False))}"
            )
        )(_o)
    )
    register(f"EquilAngle{_NAMES[_o]}", f"equilibrium angular update, small-step, {_o}")(
        (
            lambda o: (
                lambda: rf"\theta^\star \approx {sp.latex(angular_update_expr(o, exact=False))}"
            )
        )(_o)
    )
    register(f"EquilAngleExponent{_NAMES[_o]}", f"width exponent of the angle, {_o}")(
        (lambda o: lambda: angle_exponent_expr(o))(_o)
    )
register("EquilAngleExact", "exact equilibrium angle of the momentum-free recursion")(
    lambda: r"\cos\theta^\star = 1 - s"
)
register("EquilNormSGDMomentum", "equilibrium norm, heavy-ball SGD, random-walk model")(
    lambda: rf"\lVert w^\star\rVert = {sp.latex(momentum_equilibrium_exprs('sgd')[0])}"
)
register("EquilAngleSGDMomentum", "equilibrium angle, heavy-ball SGD, random-walk model")(
    lambda: rf"\theta^\star \approx {sp.latex(momentum_equilibrium_exprs('sgd')[1])}"
)
