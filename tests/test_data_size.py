"""theory.data_size: the N exponent of λ by the prior and the AdamW timescale rules."""

import numpy as np
import pytest
import sympy as sp

from theory import _symbols as S
from theory import data_size as D
from theory import linear as L


def test_prior_lambda_makes_n_times_objective_the_negative_log_posterior():
    # symbolic identity, by differentiation of concrete expressions (not via match_gradients):
    # N·E = Σ ℓ_i + N λ ‖w‖² must equal Σ ℓ_i + ‖w‖²/(2v) for every w
    ell, w = sp.Symbol("ell"), sp.Symbol("w", real=True)
    lam = D.prior_lambda_expr()
    n_times_e = ell + S.N * lam * w**2
    neg_log_post = ell + w**2 / (2 * S.v)
    assert sp.simplify(sp.diff(n_times_e - neg_log_post, w)) == 0
    assert D.prior_exponent() == -1


def test_prior_exponent_matches_the_linear_ridge_optimum():
    # independent numeric route: λ* = γσ²/α² of the ridge asymptotics at fixed d, γ = d/N
    n = np.array([100.0, 300.0, 900.0, 2700.0])
    lam = [L.optimal_lambda(gamma=50.0 / k, noise_var=0.5, signal_var=2.0) for k in n]
    slope = np.polyfit(np.log(n), np.log(lam), 1)[0]
    assert slope == pytest.approx(float(D.prior_exponent()), abs=1e-12)  # float64 logs


@pytest.mark.parametrize("batch, expected", [("fixed", -1), ("full", 0)])
def test_timescale_exponent(batch, expected):
    assert D.timescale_exponent(batch) == expected


@pytest.mark.parametrize("n", [200, 1000, 5000])
@pytest.mark.parametrize("batch", ["fixed", "full"])
def test_timescale_lambda_decays_a_weight_by_e_in_tau_epochs(n, batch):
    # numeric route: iterate coupled AdamW's shrink (1 − η·2λ) for τ epochs of N/B steps;
    # what remains is exp(−1) up to O(η λ) (the exact product vs its exponential limit)
    eta, tau, b = 1e-3, 3.0, 50 if batch == "fixed" else n
    lam = float(D.timescale_lambda_expr(batch).subs({S.eta: eta, D.tau: tau, D.B: b, S.N: n}))
    steps = round(tau * n / b)
    remaining = (1 - 2 * eta * lam) ** steps
    # (1 − x)^(1/x) vs e^-1 with x = 2ηλ = B/(τN) ≤ 0.09 here: relative error ≈ x/2 < x
    assert remaining == pytest.approx(np.exp(-1), rel=2 * eta * lam)


def test_bad_batch_is_a_value_error():
    with pytest.raises(ValueError, match="batch"):
        D.timescale_lambda_expr("half")
