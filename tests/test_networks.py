"""theory.networks: every weight of a deep bias-free ReLU network penalized.

Three routes.  (a) Symbolic: the rescaling, the equivalent λ, the geometric-mean penalty
(concrete depths against the symbolic-L derivation) and the width exponent against the
closed form ``−(2/L) Σ a_l`` and the hand table.  (b) Numeric, float64 NumPy: the objective
identity on random networks, its failure with tanh and with biases, the geometric mean
against a numeric minimization over the rescalings, and zero-padding across widths with
the multipliers of :mod:`training.models`.  (c) Optimization: L-BFGS finds the same global
minimum at two widths exactly when λ follows the derived exponent.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize
from scipy.special import logsumexp

from theory import networks as net
from theory.parametrization import PARAMETRIZATIONS
from theory.prior import NORMALIZATIONS
from theory.transfer import transfer_exponent, transfer_exponent_expr
from training.models import architecture, n_penalized

DEPTHS = (1, 2, 3, 4)


def _hand(parametrization: str, normalization: str, depth: int) -> sp.Rational:
    """DESIGN §1 by hand: e_sum = 0, −h/(h+1), −1; the mean adds 1 (h = 1) or 2 (h ≥ 2)."""
    e_sum = {"standard": 0, "ntk": sp.Rational(-depth, depth + 1), "mean_field": -1}
    extra = 0 if normalization == "sum" else (1 if depth == 1 else 2)
    return sp.sympify(e_sum[parametrization]) + extra


# ------------------------------------------------------------------ (a) symbolic


@pytest.mark.parametrize("depth", DEPTHS)
def test_rescaling_removes_every_multiplier(depth):
    ms = net.multiplier_symbols(depth=depth)
    s = net.rescaling_expr(depth=depth)
    assert sp.simplify(s ** (depth + 1) - sp.Mul(*ms)) == 0  # s = M^(1/L)
    weights = net._weights(depth + 1)
    free = net._output([s * w for w in weights], [1] * (depth + 1))
    assert free - net.output_expr(depth=depth) == 0  # the same function, symbolically


def test_no_rescaling_for_a_non_homogeneous_activation():
    assert net._rescaling(2, sp.tanh) is None
    assert net._rescaling(2) is not None


@pytest.mark.parametrize("depth", DEPTHS)
def test_equivalent_lambda_is_lambda_times_M_to_the_minus_2_over_L(depth):
    ms = net.multiplier_symbols(depth=depth)
    expected = net.S.lam * sp.Mul(*ms) ** sp.Rational(-2, depth + 1)
    assert sp.simplify(net.equivalent_lambda_expr(depth=depth) / expected) == 1


@pytest.mark.parametrize("n_layers", [1, 2, 3, 4, 5])
def test_geometric_mean_concrete_depths_follow_the_symbolic_L_derivation(n_layers):
    general = net.balanced_penalty_general_expr().subs(net.L, n_layers).doit()
    lams, qs = net._per_layer_symbols(n_layers)
    lam_i, q_i = sp.IndexedBase("lambda", positive=True), sp.IndexedBase("q", positive=True)
    general = general.subs({lam_i[k + 1]: lams[k] for k in range(n_layers)})
    general = general.subs({q_i[k + 1]: qs[k] for k in range(n_layers)})
    concrete = net._balanced_penalty(n_layers)
    assert sp.simplify(concrete / general) == 1
    # and the pattern, typed: L (Π λ_l q_l)^(1/L); for L = 1 no rescaling is left: λ q
    typed = n_layers * sp.Mul(*lams, *qs) ** sp.Rational(1, n_layers)
    assert sp.simplify(concrete / typed) == 1


def test_one_hidden_unit_penalty_is_the_total_variation_form():
    a, w = sp.symbols("a w", positive=True)
    assert net._unit_penalty() == 2 * net.S.lam * a * w


@settings(max_examples=30)
@given(
    exps=st.lists(
        st.fractions(min_value=-3, max_value=3, max_denominator=8), min_size=2, max_size=5
    )
)
def test_exponent_equals_the_closed_form_for_any_multipliers(exps):
    n_layers = len(exps)
    e = net.lambda_exponent_expr(multiplier_exponents=exps)
    closed = -sp.Rational(2, n_layers) * sum(sp.Rational(f.numerator, f.denominator) for f in exps)
    assert isinstance(e, sp.Rational) and e == closed
    assert net.lambda_exponent(multiplier_exponents=exps) == float(closed)  # the float API
    general = net.lambda_exponent_general_expr().subs(net.L, n_layers).doit()
    values = {net.a[k + 1]: sp.Rational(f.numerator, f.denominator) for k, f in enumerate(exps)}
    assert general.subs(values) == closed
    mean = net.lambda_exponent_expr(multiplier_exponents=exps, normalization="mean")
    assert mean == closed + (1 if n_layers == 2 else 2)


@pytest.mark.parametrize(
    ("parametrization", "normalization", "depth"),
    list(itertools.product(PARAMETRIZATIONS, NORMALIZATIONS, DEPTHS)),
)
def test_presets_against_the_hand_table(parametrization, normalization, depth):
    expected = _hand(parametrization, normalization, depth)
    assert net.lambda_exponent_expr(parametrization, normalization, depth=depth) == expected
    e = transfer_exponent_expr(parametrization, normalization, penalized="all", depth=depth)
    assert isinstance(e, sp.Rational) and e == expected
    # the numeric APIs return Python floats (JSON-encodable), the nearest float to the exact value
    for got in (
        net.lambda_exponent(parametrization, normalization, depth=depth),
        transfer_exponent(parametrization, normalization, penalized="all", depth=depth),
    ):
        assert type(got) is float and got == float(expected)


def test_weight_count_and_its_exponent():
    d, n, k = net.S.d, net.n, net.K
    assert net.n_weights_expr(depth=1) == d * n + n * k
    assert net.n_weights_expr(depth=3) == d * n + 2 * n**2 + n * k
    got = [net.n_weights_exponent(depth=h) for h in DEPTHS]
    assert got == [1, 2, 2, 2] and all(type(e) is int for e in got)
    for h in (1, 2, 3):  # training.models counts the same weights
        layers = architecture(
            input_dim=64, width=16, depth=h, n_classes=10, parametrization="standard"
        )
        count = net.n_weights_expr(depth=h).subs({d: 64, n: 16, k: 10})
        assert count == n_penalized(layers)


@pytest.mark.parametrize(
    ("parametrization", "depth"), list(itertools.product(PARAMETRIZATIONS, (1, 2, 3)))
)
def test_preset_exponents_match_the_multipliers_of_training_models(parametrization, depth):
    def multipliers(width):
        layers = architecture(
            input_dim=64, width=width, depth=depth, n_classes=10, parametrization=parametrization
        )
        return np.array([layer.multiplier for layer in layers])

    measured = -np.log(multipliers(4096) / multipliers(64)) / np.log(4096 / 64)
    expected = [float(v) for v in net.preset_exponents(parametrization, depth=depth)]
    np.testing.assert_allclose(measured, expected, atol=1e-12)  # log of exact powers of 2


BAD_DEPTHS = [0, -1, 1.5, True, "2", 2.0, np.float64(1.0)]


@pytest.mark.parametrize("depth", BAD_DEPTHS)
def test_bad_depth_is_rejected_by_name(depth):
    # called after depth=1/2 results are cached: a cache must not let True or 2.0 through
    assert net.n_weights_expr(depth=1) is not None and net.rescaling_expr(depth=2) is not None
    for fn in (
        lambda: net.lambda_exponent("ntk", depth=depth),
        lambda: net.lambda_exponent(multiplier_exponents=(0, 1), depth=depth),
        lambda: net.preset_exponents("ntk", depth=depth),
        lambda: net.lambda_exponent_expr("ntk", depth=depth),
        lambda: net.preset_exponents_expr("ntk", depth=depth),
        lambda: net.n_weights_expr(depth=depth),
        lambda: net.rescaling_expr(depth=depth),
        lambda: net.equivalent_lambda_expr(depth=depth),
        lambda: net.balanced_penalty_expr(depth=depth),
        lambda: net.multiplier_symbols(depth=depth),
        lambda: transfer_exponent("ntk", "sum", penalized="all", depth=depth),
    ):
        with pytest.raises(ValueError, match="^depth"):
            fn()


@pytest.mark.parametrize(
    "exps",
    [(0,), (), (0, float("nan")), (0, float("inf")), (0, True), (0, "1/2"), "01", 0.5, (0, None)],
)
def test_bad_multiplier_exponents_are_rejected_by_name(exps):
    with pytest.raises(ValueError, match="^multiplier_exponents"):
        net.lambda_exponent(multiplier_exponents=exps)


def test_other_bad_arguments():
    with pytest.raises(ValueError, match="^multiplier_exponents must have depth"):
        net.lambda_exponent(multiplier_exponents=(0, 0.5, 1), depth=1)
    assert net.lambda_exponent(multiplier_exponents=(0, 0.5, 1), depth=2) == -1
    with pytest.raises(ValueError, match="^parametrization or multiplier_exponents"):
        net.lambda_exponent()
    with pytest.raises(ValueError, match="^parametrization or multiplier_exponents"):
        net.lambda_exponent("ntk", multiplier_exponents=(0, 0.5))
    with pytest.raises(ValueError, match="^parametrization"):
        net.lambda_exponent("mup")
    with pytest.raises(ValueError, match="^normalization"):
        net.lambda_exponent("ntk", "average")
    with pytest.raises(ValueError, match="^multipliers"):
        net.equivalent_lambda(1.0, multipliers=(1.0,))
    with pytest.raises(ValueError, match="^multipliers"):
        net.equivalent_lambda(1.0, multipliers=(1.0, -1.0))
    with pytest.raises(ValueError, match="^lam"):
        net.equivalent_lambda(float("nan"), multipliers=(1.0, 1.0))
    with pytest.raises(ValueError, match="^lam"):
        net.balanced_penalty([1.0, 2.0, 3.0], sq_norms=[1.0, 1.0])
    with pytest.raises(ValueError, match="^sq_norms"):
        net.balanced_penalty(1.0, sq_norms=[1.0, -1.0])


# ------------------------------------------------------------------ (b) numeric, float64

N_SAMPLES, INPUT_DIM, WIDTH, N_CLASSES = 11, 5, 7, 3


def _forward(weights, multipliers, x, activation=lambda z: np.maximum(z, 0.0), biases=None):
    h = x
    for i, (w, m) in enumerate(zip(weights, multipliers, strict=True)):
        h = m * (h @ w + (0.0 if biases is None else biases[i]))
        if i < len(weights) - 1:
            h = activation(h)
    return h


def _objective(weights, multipliers, lams, x, y, **kw) -> float:
    """``(1/N) Σ CE + Σ_l λ_l ‖W_l‖²`` (DESIGN §2: no ½), every weight penalized."""
    f = _forward(weights, multipliers, x, **kw)
    ce = np.mean(logsumexp(f, axis=1) - f[np.arange(len(y)), y])
    return float(ce + sum(lam * np.sum(w**2) for lam, w in zip(lams, weights, strict=True)))


def _random_problem(rng, depth, width=WIDTH):
    sizes = [INPUT_DIM] + [width] * depth + [N_CLASSES]
    weights = [rng.standard_normal((i, o)) for i, o in zip(sizes[:-1], sizes[1:], strict=True)]
    x = rng.standard_normal((N_SAMPLES, INPUT_DIM))
    y = rng.integers(0, N_CLASSES, N_SAMPLES)
    return weights, x, y


@pytest.mark.parametrize("depth", DEPTHS)
def test_objective_with_multipliers_equals_the_multiplier_free_objective(depth):
    rng = np.random.default_rng(depth)
    for _ in range(5):
        weights, x, y = _random_problem(rng, depth)
        multipliers = np.exp(rng.normal(0.0, 1.0, depth + 1))  # spread over ~e^±2
        lams = 10 ** rng.uniform(-4, -1, depth + 1)
        scale = np.prod(multipliers) ** (1 / (depth + 1))
        free = [scale * w for w in weights]
        lams_free = net.equivalent_lambda(lams, multipliers=multipliers)
        lhs = _objective(weights, multipliers, lams, x, y)
        rhs = _objective(free, np.ones(depth + 1), lams_free, x, y)
        # float64: each side is a sum of O(10) terms computed through <= 5 matrix products
        # of O(1) entries; rounding is ~1e-15 relative, so 1e-12 leaves three decades
        assert rhs == pytest.approx(lhs, rel=1e-12)


def test_the_identity_fails_for_tanh():
    rng = np.random.default_rng(7)
    weights, x, y = _random_problem(rng, 2)
    multipliers, lams = np.array([0.3, 2.0, 0.5]), np.full(3, 1e-3)
    scale = np.prod(multipliers) ** (1 / 3)
    lhs = _objective(weights, multipliers, lams, x, y, activation=np.tanh)
    free = [scale * w for w in weights]
    lams_free = net.equivalent_lambda(lams, multipliers=multipliers)
    rhs = _objective(free, np.ones(3), lams_free, x, y, activation=np.tanh)
    # not a rounding question: the functions differ at O(1) (the ReLU identity holds to 1e-12)
    assert abs(rhs - lhs) / lhs > 1e-3


def test_biases_keep_the_function_but_a_bias_penalty_breaks_the_objective_identity():
    """``c_l = s^l b_l / Π_{k<l} m_k`` gives the same function; unpenalized biases keep the
    identity, penalized ones (same λ) do not: their factors differ from layer to layer."""
    rng = np.random.default_rng(8)
    depth = 2
    weights, x, y = _random_problem(rng, depth)
    biases = [rng.standard_normal(w.shape[1]) for w in weights]
    multipliers, lam = np.array([0.3, 2.0, 0.5]), 1e-2
    s = np.prod(multipliers) ** (1 / 3)
    free = [s * w for w in weights]
    free_biases = [s ** (i + 1) * b / np.prod(multipliers[:i]) for i, b in enumerate(biases)]
    f_with = _forward(weights, multipliers, x, biases=biases)
    f_free = _forward(free, np.ones(3), x, biases=free_biases)
    np.testing.assert_allclose(f_free, f_with, rtol=1e-12)  # rounding only
    lam_free = net.equivalent_lambda(lam, multipliers=multipliers)
    lhs = _objective(weights, multipliers, [lam] * 3, x, y, biases=biases)
    rhs = _objective(free, np.ones(3), [lam_free] * 3, x, y, biases=free_biases)
    assert rhs == pytest.approx(lhs, rel=1e-12)  # biases unpenalized: still exact

    def bias_penalty(bs, lam_b):
        return lam_b * sum(np.sum(b**2) for b in bs)

    gap = abs((lhs + bias_penalty(biases, lam)) - (rhs + bias_penalty(free_biases, lam_free)))
    assert gap / lhs > 1e-3  # O(1) mismatch of the bias terms, not rounding


@pytest.mark.parametrize("depth", DEPTHS)
def test_geometric_mean_against_a_numeric_minimization_over_the_rescalings(depth):
    rng = np.random.default_rng(10 + depth)
    n_layers = depth + 1
    lams = 10 ** rng.uniform(-4, 0, n_layers)
    sq_norms = 10 ** rng.uniform(-1, 2, n_layers)

    def penalty(log_t_free):  # t_L = 1 / Π_{l<L} t_l keeps the function fixed
        log_t = np.append(log_t_free, -np.sum(log_t_free))
        return float(np.sum(lams * np.exp(2 * log_t) * sq_norms))

    best = minimize(penalty, np.zeros(depth), method="BFGS", options={"gtol": 1e-12})
    expected = net.balanced_penalty(lams, sq_norms=sq_norms)
    # BFGS on a smooth convex function of log t: the minimum value is found to ~ gtol²,
    # far below 1e-9 relative (the value is O(1e-3..1e2))
    assert best.fun == pytest.approx(expected, rel=1e-9)
    # at the optimum every layer carries the same share λ_l t_l² q_l = penalty / L
    log_t = np.append(best.x, -np.sum(best.x))
    np.testing.assert_allclose(lams * np.exp(2 * log_t) * sq_norms, expected / n_layers, rtol=1e-5)
    # (1e-5: shares depend on t to first order; BFGS locates t to ~sqrt of its value accuracy)


@pytest.mark.parametrize(
    ("parametrization", "depth"), list(itertools.product(PARAMETRIZATIONS, (1, 2, 3)))
)
def test_padding_to_a_wider_network_with_the_rule_keeps_the_objective(parametrization, depth):
    """Zero units added at width n2, weights rescaled to undo the new multipliers: the same
    function and the same objective iff λ(n2) = λ(n1) (n2/n1)^e -- the width-monotonicity
    argument of the module docstring, with the multipliers training uses (g, 1/√d included)."""
    rng = np.random.default_rng(20 + depth)
    n1, n2 = 6, 15
    kw = {"input_dim": INPUT_DIM, "depth": depth, "n_classes": N_CLASSES}
    layers1 = architecture(width=n1, parametrization=parametrization, **kw)
    layers2 = architecture(width=n2, parametrization=parametrization, **kw)
    m1 = np.array([layer.multiplier for layer in layers1])
    m2 = np.array([layer.multiplier for layer in layers2])
    weights, x, y = _random_problem(rng, depth, width=n1)
    lam1 = 1e-3
    ratio = (np.prod(m1) / np.prod(m2)) ** (1 / (depth + 1))
    padded = []
    for w, layer in zip(weights, layers2, strict=True):
        big = np.zeros((layer.fan_in, layer.fan_out))
        big[: w.shape[0], : w.shape[1]] = w
        padded.append(ratio * big)
    e = float(net.lambda_exponent(parametrization, depth=depth))
    lam2 = lam1 * (n2 / n1) ** e
    before = _objective(weights, m1, [lam1] * (depth + 1), x, y)
    after = _objective(padded, m2, [lam2] * (depth + 1), x, y)
    np.testing.assert_allclose(_forward(padded, m2, x), _forward(weights, m1, x), rtol=1e-12)
    assert after == pytest.approx(before, rel=1e-12)  # rounding only, as in the identity test
    wrong = lam1 * (n2 / n1) ** (e + 0.5)
    off = _objective(padded, m2, [wrong] * (depth + 1), x, y)
    assert abs(off - before) / before > 1e-3  # the penalty is O(1e-2) of the objective


# ------------------------------------------------------------------ (c) optimization


def _lbfgs_minimum(x, y, *, width, depth, multipliers, lam, seed):
    """Minimize the objective of a *linear* network (φ(z) = z) from a random start."""
    sizes = [x.shape[1]] + [width] * depth + [int(y.max()) + 1]
    shapes = list(zip(sizes[:-1], sizes[1:], strict=True))

    def unpack(theta):
        out, i = [], 0
        for fan_in, fan_out in shapes:
            out.append(theta[i : i + fan_in * fan_out].reshape(fan_in, fan_out))
            i += fan_in * fan_out
        return out

    def value_and_grad(theta):
        ws = unpack(theta)
        hs = [x]
        for w, m in zip(ws, multipliers, strict=True):
            hs.append(m * (hs[-1] @ w))
        f = hs[-1]
        lse = logsumexp(f, axis=1)
        value = np.mean(lse - f[np.arange(len(y)), y]) + lam * sum(np.sum(w**2) for w in ws)
        g = np.exp(f - lse[:, None])
        g[np.arange(len(y)), y] -= 1.0
        g /= len(y)
        grads = [None] * len(ws)
        for i in reversed(range(len(ws))):
            grads[i] = multipliers[i] * hs[i].T @ g + 2 * lam * ws[i]
            g = multipliers[i] * g @ ws[i].T
        return value, np.concatenate([gr.ravel() for gr in grads])

    theta0 = np.random.default_rng(seed).standard_normal(sum(i * o for i, o in shapes))
    opts = {"maxiter": 5000, "gtol": 1e-10, "ftol": 1e-15, "maxcor": 20}
    res = minimize(value_and_grad, theta0, jac=True, method="L-BFGS-B", options=opts)
    logits = x
    for w, m in zip(unpack(res.x), multipliers, strict=True):
        logits = m * (logits @ w)
    return res.fun, logits


@pytest.mark.parametrize(
    ("parametrization", "depth"), list(itertools.product(PARAMETRIZATIONS, (1, 2, 3)))
)
def test_lbfgs_finds_one_global_minimum_across_widths_only_with_the_derived_exponent(
    parametrization, depth
):
    """A linear network (φ(z) = z is positively 1-homogeneous, and smooth, so L-BFGS
    converges) has a width-independent multiplier-free minimum for n ≥ min(d, K): its
    representation cost is L Σ σ_i^(2/L).  So the premise "λ' converges" holds exactly,
    and the minima at widths 4 and 8 (multipliers of training.models, different random
    starts) must agree when, and only when, λ follows n^e."""
    rng = np.random.default_rng(100)
    x = rng.standard_normal((10, 3))
    y = rng.integers(0, 3, 10)
    widths, lam0 = (4, 8), 3e-3
    e = float(net.lambda_exponent(parametrization, depth=depth))
    kw = {"input_dim": 3, "depth": depth, "n_classes": 3, "parametrization": parametrization}

    def run(width, exponent, seed):
        ms = [layer.multiplier for layer in architecture(width=width, **kw)]
        lam = lam0 * (width / widths[0]) ** exponent
        return _lbfgs_minimum(x, y, width=width, depth=depth, multipliers=ms, lam=lam, seed=seed)

    (e1, f1), (e2, f2) = run(widths[0], e, 0), run(widths[1], e, 1)
    # gtol 1e-10: the minimum value is accurate to ~gtol², 1e-9 relative is generous
    assert e2 == pytest.approx(e1, rel=1e-9)
    # logits: error ~ |grad| / (smallest curvature ~ λ') ~ 1e-8 / 3e-3; 1e-5 absolute
    np.testing.assert_allclose(f2, f1, atol=1e-5)
    # control: half a power of the width off (at 8/4 = 2: a factor √2 in λ)
    wrong, _ = run(widths[1], e + 0.5, 1)
    assert abs(wrong - e1) / e1 > 1e-3
