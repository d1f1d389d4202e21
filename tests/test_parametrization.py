"""theory.parametrization: the change of variables, width exponents and λ transfer.

Symbolic: the substituted readout is the NTK readout for every c; the exponents
match the hand derivation of DESIGN §1; λ ∝ P^e freezes the function-space prior.
Numeric: ridge fits in all six conventions with mapped λ give one predictor.
Simulation: the function-space prior std against Monte Carlo draws.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import READOUT_EXPONENT_BY_HAND, relu_features, ridge_readout_predict, sphere
from theory import _symbols as S
from theory import parametrization as par
from theory.prior import NORMALIZATIONS

PAIRS = list(itertools.product(par.PARAMETRIZATIONS, NORMALIZATIONS))

HAND = READOUT_EXPONENT_BY_HAND  # DESIGN §1, derived by hand (tests/helpers.py)


def test_substitution_gives_the_ntk_readout_for_every_c():
    expr = par.readout_expr()
    assert S.c not in expr.free_symbols
    assert sp.simplify(expr - S.P ** sp.Rational(-1, 2) * par.b * par.phi) == 0


@pytest.mark.parametrize(("parametrization", "normalization"), PAIRS)
def test_width_exponents(parametrization, normalization):
    exact = par.width_exponent_expr(normalization, parametrization)
    assert isinstance(exact, sp.Integer) and exact == HAND[parametrization, normalization]
    e = par.width_exponent(parametrization, normalization)  # the numeric API: a Python float
    assert type(e) is float and e == HAND[parametrization, normalization]


def test_general_exponents_in_c():
    assert sp.expand(par.width_exponent_expr("sum") - (1 - 2 * S.c)) == 0
    assert sp.expand(par.width_exponent_expr("mean") - (2 - 2 * S.c)) == 0


@pytest.mark.parametrize("normalization", NORMALIZATIONS)
@pytest.mark.parametrize("loss", ["squared", "cross_entropy"])
def test_scaling_lambda_by_P_to_the_e_freezes_the_function_space_prior(normalization, loss):
    """Var f at λ = λ0 P^e does not depend on P, for every c: the reason for the exponents."""
    lam0 = sp.Symbol("lambda_0", positive=True)
    lam_sym = S.lam if normalization == "sum" else S.lam_mean
    var = par.output_variance_expr(normalization, loss)
    scaled = var.subs(lam_sym, lam0 * S.P ** par.width_exponent_expr(normalization))
    assert sp.diff(sp.powsimp(sp.simplify(scaled)), S.P) == 0


@given(
    lam=st.floats(1e-8, 1e3),
    w0=st.integers(1, 10**5),
    w1=st.integers(1, 10**5),
    w2=st.integers(1, 10**5),
    pair=st.sampled_from(PAIRS),
)
def test_transfer_composes_and_inverts(lam, w0, w1, w2, pair):
    p, n = pair
    t01 = par.transfer_lambda(lam, width_from=w0, width_to=w1, parametrization=p, normalization=n)
    t12 = par.transfer_lambda(t01, width_from=w1, width_to=w2, parametrization=p, normalization=n)
    t02 = par.transfer_lambda(lam, width_from=w0, width_to=w2, parametrization=p, normalization=n)
    back = par.transfer_lambda(t01, width_from=w1, width_to=w0, parametrization=p, normalization=n)
    assert t12 == pytest.approx(t02, rel=1e-12)  # float64 rounding of a few powers
    assert back == pytest.approx(lam, rel=1e-12)
    ratio = t02 / lam
    assert ratio == pytest.approx((w2 / w0) ** HAND[p, n], rel=1e-12)


def test_six_conventions_give_one_predictor():
    """Random-features ridge in all six conventions, λ mapped from one NTK λ: same predictions."""
    rng = np.random.default_rng(0)
    n, d, width = 120, 15, 200
    x_train, x_test = sphere(rng, n, d), sphere(rng, 50, d)
    theta = sphere(rng, width, d)
    y = x_train @ rng.standard_normal(d) / np.sqrt(d) + 0.3 * rng.standard_normal(n)
    phi_train, phi_test = relu_features(x_train, theta), relu_features(x_test, theta)
    lam_ntk = 1e-3
    preds = {
        (p, nm): ridge_readout_predict(
            phi_train,
            y,
            phi_test,
            lam=par.lambda_from_ntk(lam_ntk, width=width, parametrization=p, normalization=nm),
            parametrization=p,
            normalization=nm,
        )
        for p, nm in PAIRS
    }
    ref = preds["ntk", "sum"]
    assert np.std(ref) > 0.1  # a non-trivial predictor
    for key, pred in preds.items():
        # condition number of the normal equations ~1e4: float64 solves agree to ~1e-12
        np.testing.assert_allclose(pred, ref, rtol=1e-10, atol=1e-10, err_msg=str(key))
    # and the naive carry-over of the same number is a different predictor
    naive = ridge_readout_predict(
        phi_train, y, phi_test, lam=lam_ntk, parametrization="standard", normalization="mean"
    )
    assert np.max(np.abs(naive - ref)) > 1e-2


@pytest.mark.parametrize(("parametrization", "normalization"), PAIRS)
def test_output_prior_std_against_monte_carlo(parametrization, normalization):
    """Draw a ~ N(0, v) and ReLU features on the sphere; compare the std of f(x) with the formula."""
    rng = np.random.default_rng(42)
    n_samples, lam, d, width, draws = 50, 0.1, 10, 64, 4000
    from theory.prior import prior_variance

    v = prior_variance(lam, n_samples=n_samples, normalization=normalization, n_params=width)
    x = sphere(rng, 1, d)
    f = np.empty(draws)
    for i in range(draws):
        phi = relu_features(x, sphere(rng, width, d))[0]
        f[i] = (
            par.readout_scale(width, parametrization)
            * np.sqrt(v)
            * rng.standard_normal(width)
            @ phi
        )
    mc = np.sqrt(np.mean(f**2))
    se = np.sqrt(np.var(f**2) / draws) / (2 * mc)  # delta method from the 4th moment
    theory = par.output_prior_std(
        lam,
        width=width,
        n_samples=n_samples,
        parametrization=parametrization,
        normalization=normalization,
    )
    assert abs(mc - theory) < 4 * se  # 4 s.e.: false-alarm rate ~6e-5 per case


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"lam": -1.0}, "lam"),
        ({"lam": np.inf}, "lam"),
        ({"width_from": 0}, "width"),
        ({"width_to": -5}, "width"),
        ({"width_to": np.nan}, "width"),
        ({"parametrization": "muP"}, "parametrization"),
        ({"normalization": "avg"}, "normalization"),
    ],
)
def test_transfer_rejects_bad_input(kwargs, name):
    base = {
        "lam": 1e-3,
        "width_from": 16,
        "width_to": 64,
        "parametrization": "ntk",
        "normalization": "sum",
    }
    with pytest.raises(ValueError, match=rf"^{name}"):
        par.transfer_lambda(**(base | kwargs))


def test_width_exponent_rejects_unknown_names():
    with pytest.raises(ValueError, match="^parametrization"):
        par.width_exponent("ntk2", "sum")
    with pytest.raises(ValueError, match="^normalization"):
        par.width_exponent("ntk", "total")
