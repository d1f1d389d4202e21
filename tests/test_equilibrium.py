"""theory.equilibrium: rotational equilibrium of scale-invariant weights.

Three routes.  (a) Symbolic: the fixed point solves the exact norm recursion, the angle there
is ``arccos(1 − s)``, the small-step limits are Kosson et al.'s SGD/AdamW rows, the momentum
factors are the geometric sums, and the angle's width exponent is the per-tensor timescale
rule of :mod:`theory._transfer_model`.  (b) The numeric twins against the expressions.
(c) The exact recursion iterated in NumPy with random orthogonal updates: to float precision
without momentum, within Monte Carlo and O(s) error with momentum or random update norms.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from theory import equilibrium as eq
from theory._transfer_model import _timescale_exponents

OPTS = eq.OPTIMIZERS
s = eq.shrink_expr


# ------------------------------------------------------------------ (a) symbolic


@pytest.mark.parametrize("optimizer", OPTS)
def test_fixed_point_solves_the_exact_recursion(optimizer):
    x_star = eq.equilibrium_sq_norm_expr(optimizer)
    assert sp.simplify(eq.norm_step_expr(optimizer).subs(eq.x, x_star) - x_star) == 0
    # the shrink in (0, 2): x* > 0 at a sample point
    assert x_star.subs({eq.eta: sp.Rational(1, 7), eq.wd: sp.Rational(1, 3), eq.G: 2, eq.C: 5}) > 0


@pytest.mark.parametrize("optimizer", OPTS)
def test_angle_is_arccos_one_minus_shrink(optimizer):
    assert sp.simplify(eq.angular_update_expr(optimizer) - sp.acos(1 - s(optimizer))) == 0
    assert (
        sp.simplify(eq.angular_update_expr(optimizer, exact=False) - sp.sqrt(2 * s(optimizer))) == 0
    )


def test_small_step_limits_are_kosson_rows():
    """Kosson et al. (their λ = our wd): SGD (ηG²/(2wd))^(1/4), AdamW √(ηC/(2wd))."""
    eta, wd, G, C = eq.eta, eq.wd, eq.G, eq.C
    hand = {
        "sgd": (eta * G**2 / (2 * wd)) ** sp.Rational(1, 4),
        "adamw-coupled": sp.sqrt(eta * C / (2 * wd)),
        "adamw-independent": eta * sp.sqrt(C / (2 * wd)),
    }
    for optimizer, expected in hand.items():
        got = eq.equilibrium_norm_expr(optimizer, exact=False)
        assert sp.simplify(got - expected) == 0, optimizer
        # and it is the exact norm's limit: the ratio tends to 1 as wd -> 0
        ratio = eq.equilibrium_norm_expr(optimizer) / expected
        assert sp.limit(ratio, wd, 0) == 1


def test_momentum_factors_are_the_geometric_sums():
    for kind, c_k in (("heavy_ball", lambda b, k: b**k), ("ema", lambda b, k: (1 - b) * b**k)):
        m_tot, q_sq = eq.momentum_factors_expr(kind)
        for b in (0.0, 0.5, 0.9):
            k = np.arange(2000)
            # float sums to 2000 terms: the tail is b^2000 < 1e-90, rounding ~1e-15 relative
            np.testing.assert_allclose(float(m_tot.subs(eq.beta, b)), np.sum(c_k(b, k)), rtol=1e-13)
            np.testing.assert_allclose(
                float(q_sq.subs(eq.beta, b)), np.sum(c_k(b, k) ** 2), rtol=1e-13
            )


def test_momentum_forms():
    eta, wd, G, C, b = eq.eta, eq.wd, eq.G, eq.C, eq.beta
    norm, theta = eq.momentum_equilibrium_exprs("sgd")  # Kosson et al.'s SGDM row
    assert sp.simplify(norm - (eta * G**2 / (2 * wd * (1 - b))) ** sp.Rational(1, 4)) == 0
    assert sp.simplify(theta - sp.sqrt(2 * eta * wd / (1 + b))) == 0
    for optimizer in ("adamw-coupled", "adamw-independent"):
        norm, theta = eq.momentum_equilibrium_exprs(optimizer)
        assert sp.simplify(norm - eq.equilibrium_norm_expr(optimizer, exact=False)) == 0
        assert sp.simplify(theta - sp.sqrt(2 * s(optimizer) * (1 - b) / (1 + b))) == 0
    # no momentum: the small-step momentum-free forms
    for optimizer in OPTS:
        norm, theta = eq.momentum_equilibrium_exprs(optimizer)
        assert sp.simplify(norm.subs(b, 0) - eq.equilibrium_norm_expr(optimizer, exact=False)) == 0
        assert sp.simplify(theta.subs(b, 0) - eq.angular_update_expr(optimizer, exact=False)) == 0
    del C


@pytest.mark.parametrize("lr_exp", [sp.Integer(0), sp.Integer(-1), sp.Rational(-1, 2)])
def test_fixed_angle_is_the_per_tensor_timescale_rule(lr_exp):
    """θ fixed across widths ⇔ theory._transfer_model's weight-decay exponent."""
    e_eta, e_wd = sp.symbols(r"e_\eta e_{wd}", real=True)
    (coupled,) = sp.solve(eq.angle_exponent_expr("adamw-coupled").subs(e_eta, lr_exp), e_wd)
    assert coupled == _timescale_exponents("adamw-coupled", lr_exp)[1] == -lr_exp
    # independent: our wd is the shrink itself (fixed); torch's is shrink/η_l, and λ is fixed
    (indep,) = sp.solve(eq.angle_exponent_expr("adamw-independent"), e_wd)
    assert indep == 0 == _timescale_exponents("adamw-independent", lr_exp)[0]
    (sgd,) = sp.solve(eq.angle_exponent_expr("sgd").subs(e_eta, lr_exp), e_wd)
    assert sgd == -lr_exp


# ------------------------------------------------------------------ (b) numeric twins


@pytest.mark.parametrize("optimizer", OPTS)
@pytest.mark.parametrize("exact", [True, False])
def test_numeric_twins_match_the_expressions(optimizer, exact):
    lr, wd, c, g = 0.05, 0.3, 1000, 1.7
    values = {eq.eta: lr, eq.wd: wd, eq.C: c, eq.G: g}
    expected = float(eq.equilibrium_norm_expr(optimizer, exact=exact).subs(values))
    got = eq.equilibrium_norm(optimizer, lr=lr, weight_decay=wd, n_entries=c, grad_norm=g,
                              exact=exact)  # fmt: skip
    np.testing.assert_allclose(got, expected, rtol=1e-13)  # float64 rounding of a few ops
    theta = float(eq.angular_update_expr(optimizer, exact=exact).subs(values))
    np.testing.assert_allclose(
        eq.angular_update(optimizer, lr=lr, weight_decay=wd, exact=exact), theta, rtol=1e-13
    )
    b = 0.9
    norm_m, theta_m = (float(e.subs({**values, eq.beta: b}))
                       for e in eq.momentum_equilibrium_exprs(optimizer))  # fmt: skip
    np.testing.assert_allclose(
        eq.equilibrium_norm(optimizer, lr=lr, weight_decay=wd, n_entries=c, grad_norm=g,
                            momentum=b), norm_m, rtol=1e-13)  # fmt: skip
    np.testing.assert_allclose(
        eq.angular_update(optimizer, lr=lr, weight_decay=wd, momentum=b), theta_m, rtol=1e-13
    )


# ------------------------------------------------------------------ (c) iterating the recursion


@pytest.mark.parametrize("optimizer", OPTS)
def test_iterated_recursion_reaches_the_exact_fixed_point(optimizer):
    lr, wd = (0.5, 0.1) if optimizer != "adamw-independent" else (0.02, 0.05)
    out = eq.iterate_norm(optimizer, lr=lr, weight_decay=wd, steps=1500, dim=50, grad_norm=2.0)
    pred = eq.equilibrium_norm(optimizer, lr=lr, weight_decay=wd, n_entries=50, grad_norm=2.0)
    # the norm recursion is deterministic (fixed ‖u‖, u ⊥ w); the distance to x* contracts by
    # (1-s)^2 <= 0.9 per step (SGD: faster), so after 1500 steps only rounding is left: ~1e-15
    np.testing.assert_allclose(out["norm"][-100:], pred, rtol=1e-12)
    theta = eq.angular_update(optimizer, lr=lr, weight_decay=wd)
    # arccos of a cosine that carries ~1e-16 rounding: error ~1e-16/θ with θ >= 0.2 here
    np.testing.assert_allclose(out["angle"][-100:], theta, rtol=1e-12)


def test_random_update_norms_adam_mean_fixed_point():
    """Adam's recursion is linear in ‖u‖², so E x* = η² E‖u‖²/(s(2−s)) exactly."""
    lr, wd, dim = 0.1, 0.5, 20
    out = eq.iterate_norm("adamw-coupled", lr=lr, weight_decay=wd, steps=40_000, dim=dim,
                          random_norm=True, seed=1)  # fmt: skip
    x = out["norm"][1000:] ** 2
    pred = eq.equilibrium_norm("adamw-coupled", lr=lr, weight_decay=wd, n_entries=dim) ** 2
    # Monte Carlo: x is an AR(1) with coefficient (1-s)^2 = 0.9025 (correlation time ~10
    # steps): s.e. of the mean = sd · sqrt((1+ρ)/(1−ρ)/n); 4 s.e. (false alarm ~6e-5)
    rho = (1 - lr * wd) ** 2
    se = np.std(x) * np.sqrt((1 + rho) / (1 - rho) / len(x))
    assert abs(np.mean(x) - pred) < 4 * se, (np.mean(x), pred, se)


@pytest.mark.parametrize(
    ("optimizer", "lr", "wd", "momentum"),
    [("sgd", 0.01, 0.01, 0.9), ("adamw-coupled", 0.01, 0.2, 0.9)],
)
def test_momentum_random_walk(optimizer, lr, wd, momentum):
    """Heavy-ball SGD / EMA Adam with uncorrelated directions: the small-step forms."""
    dim = 400
    out = eq.iterate_norm(optimizer, lr=lr, weight_decay=wd, steps=12_000, dim=dim,
                          momentum=momentum, seed=3)  # fmt: skip
    norm = out["norm"][6000:]
    pred = eq.equilibrium_norm(
        optimizer, lr=lr, weight_decay=wd, n_entries=dim, grad_norm=1.0, momentum=momentum
    )
    # model error of the small-step random-walk form: O(s·M/(1−β)) -- 1e-3 (SGD) and 0.02
    # (Adam: decay acts during the EMA's memory); seeds 3-5 gave |error| <= 0.1% (SGD) and
    # -0.8..-1.0% (Adam) with Monte Carlo spread ~0.1%: a 3% bound
    np.testing.assert_allclose(np.mean(norm), pred, rtol=0.03)
    theta = eq.angular_update(optimizer, lr=lr, weight_decay=wd, momentum=momentum)
    rms = np.sqrt(np.mean(out["angle"][6000:] ** 2))
    # per-step θ² concentrates to ~1/sqrt(dim) = 5% per step; averaged over 6000 steps the
    # RMS angle was within 0.11% for seeds 3-5 (both optimizers): a 3% bound
    np.testing.assert_allclose(rms, theta, rtol=0.03)


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        (dict(optimizer="adam"), "optimizer"),
        (dict(lr=-1.0), "lr"),
        (dict(lr=float("nan")), "lr"),
        (dict(weight_decay=0.0), "weight_decay"),
        (dict(momentum=1.0), "momentum"),
        (dict(lr=10.0, weight_decay=0.5), "weight_decay"),  # shrink 5 >= 1
        (dict(n_entries=0), "n_entries"),
        (dict(optimizer="sgd", grad_norm=None), "grad_norm"),
    ],
)
def test_bad_input_names_the_argument(kwargs, name):
    args = dict(optimizer="adamw-coupled", lr=0.1, weight_decay=0.1, n_entries=10, grad_norm=1.0)
    args.update(kwargs)
    optimizer = args.pop("optimizer")
    with pytest.raises(ValueError, match=name):
        eq.equilibrium_norm(optimizer, **args)


def test_bad_input_other_functions():
    with pytest.raises(ValueError, match="optimizer"):
        eq.shrink_expr("lion")
    with pytest.raises(ValueError, match="kind"):
        eq.momentum_factors_expr("nesterov")
    with pytest.raises(ValueError, match="momentum"):
        eq.angular_update("sgd", lr=0.1, weight_decay=0.1, momentum=-0.1)
