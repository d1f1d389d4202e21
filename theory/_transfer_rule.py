"""The width rule for one global λ: :func:`transfer`, :func:`transfer_exact` (public door and
conventions: :mod:`theory.transfer`)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import sympy as sp

from theory._lr import LR_SCALINGS, OPTIMIZERS, lr_exponent_expr
from theory.checks import (
    check_choice,
    check_int,
    check_positive,
    check_representable,
    check_width,
)
from theory.networks import lambda_exponent_expr
from theory.parametrization import (
    PARAMETRIZATIONS,
    transfer_lambda,
    width_exponent_expr,
)
from theory.prior import NORMALIZATIONS


def transfer_exponent_expr(
    parametrization: str,
    normalization: str,
    optimizer: str = "sgd",
    lr_scaling: str = "none",
    *,
    penalized: str,
    depth: int = 1,
) -> sp.Rational:
    """The width exponent ``e`` of the rule ``λ ∝ P^e`` (see the module docstring), exact.

    ``penalized`` has no default: ``"readout"`` (only the readout penalized) and ``"all"``
    (every weight, the network of the README's answer) give different rules under ``sgd``.

    ``depth`` is the number of hidden layers (an integer >= 1); it enters the sum's exponent
    only with ``optimizer="sgd", penalized="all"`` (:func:`theory.networks.lambda_exponent_expr`),
    and the mean's through ``P_total`` whenever every weight is penalized (or decayed):
    ``P_total ∝ P`` for one hidden layer, ``∝ P²`` for two or more.

    >>> [transfer_exponent_expr(p, "sum", "adamw-coupled", "mup", penalized="all")
    ...  for p in PARAMETRIZATIONS]
    [1, 1/2, 0]
    >>> [transfer_exponent_expr(p, "sum", penalized="readout") for p in PARAMETRIZATIONS]
    [1, 0, -1]
    >>> [transfer_exponent_expr(p, "sum", penalized="all") for p in PARAMETRIZATIONS]
    [0, -1/2, -1]
    >>> [transfer_exponent_expr("ntk", n, penalized="all", depth=3) for n in ("sum", "mean")]
    [-3/4, 5/4]
    >>> [transfer_exponent_expr("standard", "mean", "adamw-independent", "mup",
    ...                         penalized="all", depth=d) for d in (1, 2)]
    [1, 2]
    """
    check_choice("parametrization", parametrization, PARAMETRIZATIONS)
    check_choice("normalization", normalization, NORMALIZATIONS)
    check_choice("optimizer", optimizer, OPTIMIZERS)
    check_choice("lr_scaling", lr_scaling, LR_SCALINGS)
    check_choice("penalized", penalized, PENALIZED)
    depth = check_int("depth", depth, minimum=1)
    if optimizer == "sgd" and penalized == "all":
        return lambda_exponent_expr(parametrization, normalization, depth=depth)
    if optimizer == "sgd":
        return width_exponent_expr(normalization, parametrization)
    if optimizer == "adamw-coupled":  # hold η_readout · wd fixed
        e_sum = -lr_exponent_expr(parametrization, optimizer, "readout", lr_scaling)
    else:  # independent: the shrink per step does not involve the scaled lr
        e_sum = sp.Integer(0)
    if normalization == "sum":
        return e_sum
    # the mean divides by the decayed weights: the readout's P, or all P_total of the network
    return e_sum + (2 if penalized == "all" and depth > 1 else 1)


def transfer_exponent(
    parametrization: str,
    normalization: str,
    optimizer: str = "sgd",
    lr_scaling: str = "none",
    *,
    penalized: str,
    depth: int = 1,
) -> float:
    """:func:`transfer_exponent_expr` as a float (same arguments).

    >>> [transfer_exponent("ntk", n, penalized="all", depth=2) for n in ("sum", "mean")]
    [-0.6666666666666666, 1.3333333333333333]
    """
    return float(
        transfer_exponent_expr(
            parametrization, normalization, optimizer, lr_scaling, penalized=penalized, depth=depth
        )
    )


PENALIZED = ("readout", "all")


class Transfer(NamedTuple):
    """A transferred λ with the rule that produced it."""

    lam: float | np.ndarray
    exponent: float  #: the exact value is in ``rule`` and :func:`transfer_exponent_expr`
    rule: str
    support: str  # "derivation" or "timescale" (AdamW: a heuristic, see the note)
    note: str


def _layers_text(depth: int) -> str:
    hidden = "one hidden layer" if depth == 1 else f"{depth} hidden layers"
    return f"depth {depth} ({hidden}, L = {depth + 1} weight matrices)"


def _rule_text(parametrization, normalization, optimizer, lr_scaling, penalized, depth, e) -> str:
    name = f"lambda_{normalization}"
    total = "all weights, P_total ∝ " + ("P" if depth == 1 else "P^2")  # the mean's divisor
    if optimizer == "sgd" and penalized == "all":
        why = (
            f"keeps lambda * M^(-2/L) (M = prod_l m_l), the lambda of the multiplier-free "
            f"network, fixed: global minimizer, {_layers_text(depth)}, every weight penalized"
            + (f", mean over {total}" if normalization == "mean" else "")
        )
    elif optimizer == "sgd":
        why = "keeps the function-space prior fixed (exact change of variables to NTK + sum)"
    elif optimizer == "adamw-coupled":
        why = (
            "keeps the decay timescale 1/(lr_readout * wd) fixed, lr_readout ∝ "
            f"P^{lr_exponent_expr(parametrization, optimizer, 'readout', lr_scaling)} ({lr_scaling})"
        )
    else:
        why = "keeps the per-step shrink 2*lr_0*lambda_sum fixed (decay independent of lr)"
    if optimizer != "sgd" and normalization == "mean":
        why += ", mean over " + (
            f"{total} ({_layers_text(depth)})"
            if penalized == "all"
            else "the readout's P weights per output"
        )
    power = f"{e}" if e.is_integer else f"({e})"
    return f"{name} ∝ P^{power}: {why}"


def _adamw_measured(parametrization: str, optimizer: str, lr_scaling: str) -> str:
    """What figure ``adamw_rules`` measured for the global rule of these flags: standard
    parametrization, one global λ_sum, a fixed budget of full-batch steps (the numbers are
    the named macros of ``paper/generated/adamw_rules.tex``)."""
    setting = "standard parametrization, one global lambda_sum, a fixed budget of steps"
    if parametrization != "standard":
        return f"Figure adamw_rules measured the {setting}, not this parametrization."
    where = f"Measured (figure adamw_rules: {setting}; paper/generated/adamw_rules.tex): "
    if optimizer == "adamw-independent" and lr_scaling == "mup":
        return where + (
            "this rule (lambda fixed) stayed close to the best, regret up to "
            "AWMaxFixedMuPIndependent."
        )
    # with one global learning rate independent decay is the coupled run (every η_l = η_0)
    held = {"none": "AWMaxFixedGlobalCoupled", "mup": "AWMaxLinearMuPCoupled"}[lr_scaling]
    best = {"none": "AWMaxSqrtGlobalCoupled", "mup": "AWMaxSqrtMuPCoupled"}[lr_scaling]
    return (
        where + f"this rule is not the one to use, regret up to {held}; lambda_sum ∝ "
        f"sqrt(width) had the smallest largest regret, {best}."
    )


def _check_representable(value, lam, width_from, width_to) -> None:
    """A finite, nonzero float64 result from finite input, or a ValueError naming the inputs."""
    inputs = {"lam": lam, "width_from": width_from, "width_to": width_to}
    check_representable(value, what="transferred lambda", inputs=inputs, positive=True)


def transfer(
    lam,
    *,
    width_from,
    width_to,
    parametrization: str,
    normalization: str,
    optimizer: str = "sgd",
    lr_scaling: str = "none",
    penalized: str,
    depth: int = 1,
) -> Transfer:
    """λ at ``width_to`` for a λ tuned at ``width_from``; ``lam`` and widths must be > 0.

    ``penalized`` (``"readout"`` or ``"all"``) has no default: under ``sgd`` the two give
    different rules (standard parametrization, sum: ``λ_sum ∝ P`` and fixed).
    For ``optimizer="sgd"`` and ``penalized="readout"`` the number is exactly
    :func:`theory.parametrization.transfer_lambda`.  ``depth`` (hidden layers, integer
    >= 1) matters only with ``penalized="all"``.  Vectorized over ``lam`` and widths.

    >>> t = transfer(2e-3, width_from=64, width_to=1024, parametrization="ntk",
    ...              normalization="mean", optimizer="adamw-independent", penalized="all",
    ...              depth=2)
    >>> t.lam, t.rule.split(": ")[0]
    (0.512, 'lambda_mean ∝ P^2')
    >>> t.rule.split(", mean over ")[1]
    'all weights, P_total ∝ P^2 (depth 2 (2 hidden layers, L = 3 weight matrices))'
    """
    lam_in, from_in, to_in = lam, width_from, width_to
    lam = check_positive("lam", lam)
    width_from = check_width("width_from", width_from)
    width_to = check_width("width_to", width_to)
    e = transfer_exponent_expr(
        parametrization, normalization, optimizer, lr_scaling, penalized=penalized, depth=depth
    )
    depth = int(depth)
    # λ ∝ P^e (the SGD readout rule below uses transfer_lambda itself, the same power law);
    # an over- or underflow on the way is reported by _check_representable, not warned about
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        value = lam * (width_to / width_from) ** float(e)
    _check_representable(value, lam_in, from_in, to_in)
    value = float(value) if np.ndim(value) == 0 else value
    if optimizer == "sgd" and penalized == "all":
        support = "derivation"
        note = (
            f"exact for the global minimizer of a bias-free ReLU network of {_layers_text(depth)}"
            " with every weight penalized, whenever the multiplier-free lambda* converges "
            "with width (rescaling argument, theory.networks); no statement about what "
            "gradient descent reaches in a fixed number of steps: training to stationarity "
            "and at a fixed budget is measured in figure network_exponents"
            + (
                "; the mean uses P_total ∝ P^2, exact only for widths >> input dim + outputs"
                if normalization == "mean" and depth > 1
                else ""
            )
        )
    elif optimizer == "sgd":
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            value = transfer_lambda(
                lam,
                width_from=width_from,
                width_to=width_to,
                parametrization=parametrization,
                normalization=normalization,
            )
        support = "derivation"
        note = (
            "exact for the minimizer of the regularized objective if the NTK-scaled "
            "lambda* converges with width (theory.parametrization); the learning rates "
            "do not enter"
        )
    else:
        support = "timescale"
        note = (
            "a timescale heuristic, not a derivation: decoupled decay is not an L2 term of "
            "any fixed objective, and one global lambda cannot keep every layer's timescale "
            "fixed (MuAdamW scales the decay per tensor: python -m theory.transfer model). "
            + _adamw_measured(parametrization, optimizer, lr_scaling)
        )
    _check_representable(value, lam_in, from_in, to_in)
    rule = _rule_text(parametrization, normalization, optimizer, lr_scaling, penalized, depth, e)
    return Transfer(value, float(e), rule, support, note)


class ExactTransfer(NamedTuple):
    """λ carried by the exact λ*(P) of a known readout model, beside the power law's λ."""

    lam: float  #: ``lam * lam_star_to / lam_star_from``
    lam_star_from: float  #: the model's λ* at ``width_from`` (in the caller's convention)
    lam_star_to: float
    power_law_lam: float  #: what :func:`transfer` (the readout rule) gives
    power_law_cost: float  #: excess risk at ``width_to`` with the carried λ*(from), relative
    #: to the tuned one, minus 1 (0.06 = 6 % more excess risk)
    rule: str
    support: str  # "derivation"
    note: str


def transfer_exact(
    lam,
    *,
    width_from,
    width_to,
    parametrization: str,
    normalization: str,
    n_samples,
    input_dim,
    noise_var,
    signal_var=1.0,
    nonlinear_var=0.0,
) -> ExactTransfer:
    """λ at ``width_to`` from the *exact* λ*(P) of ReLU random-features ridge (only the readout
    penalized), not a power law: ``lam · λ*(width_to)/λ*(width_from)``.

    The model is that of :mod:`theory.random_features` (``n_samples`` N, ``input_dim`` d,
    ``signal_var`` F1², ``noise_var`` τ², ``nonlinear_var`` F*²; asymptotic in N, P, d at
    fixed ratios).  ``lam`` may be any λ tuned at ``width_from`` in the convention
    (``parametrization``, ``normalization``); the model supplies only the ratio, which is the
    same in every convention up to the convention's own power of P.  ``power_law_cost`` is
    what the readout rule (:func:`transfer`) would cost on the model itself: the excess risk
    at ``width_to`` with λ*(``width_from``) carried by the power law, over the tuned risk, − 1.

    Raises ``ValueError`` where λ*(``width_from``) is 0 (interpolation optimal there: no
    ratio exists) or a result leaves float64, and the ``RuntimeError`` of
    :func:`theory.random_features.solve_chi` where its fixed point does not converge (extreme
    sizes), each naming the arguments.  Scalars only.

    >>> t = transfer_exact(1e-3, width_from=300, width_to=3000, parametrization="ntk",
    ...                    normalization="sum", n_samples=300, input_dim=100, noise_var=1.0)
    >>> round(t.lam / 1e-3, 3), t.power_law_lam, round(t.power_law_cost, 3)
    (0.523, 0.001, 0.062)
    """
    from theory.random_features import asymptotic_risk, optimal_lambda, tuned_risk

    lam_in, from_in, to_in = lam, width_from, width_to
    if any(np.ndim(v) for v in (lam_in, from_in, to_in)):
        raise ValueError("lam, width_from and width_to must be scalars for transfer_exact")
    for name, v in (("n_samples", n_samples), ("input_dim", input_dim), ("noise_var", noise_var),
                    ("signal_var", signal_var), ("nonlinear_var", nonlinear_var)):  # fmt: skip
        if np.ndim(v):
            raise ValueError(f"{name} must be one number for transfer_exact, got {v!r}")
    lam = float(check_positive("lam", lam))
    width_from = float(check_width("width_from", width_from))
    width_to = float(check_width("width_to", width_to))
    check_choice("parametrization", parametrization, PARAMETRIZATIONS)
    check_choice("normalization", normalization, NORMALIZATIONS)
    model = dict(
        n_samples=n_samples,
        input_dim=input_dim,
        noise_var=noise_var,
        signal_var=signal_var,
        nonlinear_var=nonlinear_var,
    )
    conv = dict(parametrization=parametrization, normalization=normalization)

    def at_width(name, fn, *args, **kw):
        """``fn(..., n_features=width)``; its errors name the width as this call spells it."""
        try:
            return float(fn(*args, **kw))
        except (ValueError, RuntimeError) as exc:
            raise type(exc)(str(exc).replace("n_features", name)) from exc

    star_from = at_width("width_from", optimal_lambda, n_features=width_from, **model, **conv)
    star_to = at_width("width_to", optimal_lambda, n_features=width_to, **model, **conv)
    if star_from == 0.0:
        # name the model's inputs too: at extreme sizes (n_samples = 1.4e118, found by the
        # fuzz tests) the risk's search, not the model, can give lambda* = 0
        at = ", ".join(f"{k}={v!r}" for k, v in model.items())
        raise ValueError(
            f"lambda* is 0 at width_from={from_in!r} with {at} (interpolation is optimal "
            "there, or at such sizes the search for lambda* finds no interior minimum), so "
            "no ratio lambda*(width_to)/lambda*(width_from) exists; tune at another width"
        )
    value = lam * star_to / star_from
    if star_to > 0.0:
        _check_representable(value, lam_in, from_in, to_in)
    readout = dict(conv, penalized="readout")  # the known model is a penalized readout
    power = transfer(lam, width_from=width_from, width_to=width_to, **readout)
    carried = transfer(star_from, width_from=width_from, width_to=width_to, **readout).lam
    risk = at_width("width_to", asymptotic_risk, carried, n_features=width_to, **model, **conv)
    tuned = at_width("width_to", tuned_risk, n_features=width_to, **model)
    inputs = {"lam": lam_in, "width_from": from_in, "width_to": to_in} | model
    # the tuned risk is > 0 at finite sizes: 0 is an underflow at the float64 limits
    check_representable(tuned, what="tuned risk at width_to", inputs=inputs, positive=True)
    cost = check_representable(risk / tuned - 1.0, what="power-law cost", inputs=inputs)
    ratio = width_to / width_from
    rule = (
        f"lambda_{normalization} ∝ lambda*(P) of ReLU random features (N={n_samples:g}, "
        f"d={input_dim:g}, noise_var={noise_var:g}, signal_var={signal_var:g}, "
        f"nonlinear_var={nonlinear_var:g}): x{star_to / star_from:.4g} over a width ratio "
        f"{ratio:.4g}, where the power law gives x{power.lam / lam:.4g}"
    )
    note = (
        "exact asymptotic optimum of random-features ridge (theory.random_features); the "
        f"power law lambda ∝ P^{power.exponent:g} would cost {100 * cost:+.1f}% excess risk "
        "on this model" + ("; lambda* is 0 at width_to: interpolate" if star_to == 0.0 else "")
    )
    return ExactTransfer(value, star_from, star_to, power.lam, cost, rule, "derivation", note)
