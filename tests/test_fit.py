"""figures._fit.log_log_fit: a width exponent with the standard error of its least-squares fit."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from figures._fit import log_log_fit


def test_matches_scipy_linregress_on_the_logs():
    """An independent implementation of the same estimator: slope and s.e. to float precision."""
    rng = np.random.default_rng(0)
    for n in (3, 4, 6, 9):
        x = np.sort(rng.uniform(1, 1e4, n))
        y = np.exp(rng.normal(size=n)) * x**0.7
        fit = log_log_fit(x, y)
        ref = stats.linregress(np.log(x), np.log(y))
        assert fit.dof == n - 2
        assert fit.slope == pytest.approx(ref.slope, rel=1e-12, abs=1e-12)  # float rounding
        assert fit.se == pytest.approx(ref.stderr, rel=1e-10)


def test_the_standard_error_covers_the_true_exponent_at_the_t_rate():
    """Simulation: log y = b log x + N(0, σ²) at the six widths of a figure.  The slope's
    spread across replicates equals σ/sqrt(Sxx), and ``slope ± t(0.975, 4)·se`` covers b in
    95% of them (the definition of the s.e. with its degrees of freedom)."""
    rng = np.random.default_rng(1)
    x = np.array([25, 50, 100, 200, 400, 800], float)
    b, sigma, reps = -0.5, 0.1, 4000
    fits = [log_log_fit(x, np.exp(b * np.log(x) + sigma * rng.normal(size=x.size)))
            for _ in range(reps)]  # fmt: skip
    slopes = np.array([f.slope for f in fits])
    ses = np.array([f.se for f in fits])
    lx = np.log(x)
    sd_true = sigma / np.sqrt(np.sum((lx - lx.mean()) ** 2))
    # the sample sd of 4000 normal draws has relative s.e. 1/sqrt(2·3999) = 1.1%: 5% is 4.5 of them
    assert slopes.std(ddof=1) == pytest.approx(sd_true, rel=0.05)
    # E[se²] = sd_true² (unbiased); the mean of 4000 scaled χ²₄/4 has relative s.e. 1.1%
    assert np.mean(ses**2) == pytest.approx(sd_true**2, rel=0.05)
    covered = np.mean(np.abs(slopes - b) <= stats.t.ppf(0.975, 4) * ses)
    # binomial s.e. of a 95% rate over 4000 replicates: 0.0034; 0.015 is 4.4 of them
    assert covered == pytest.approx(0.95, abs=0.015)
    # and 1.96 s.e. would cover less: the t quantile matters with 4 dof (expected 0.88)
    assert np.mean(np.abs(slopes - b) <= 1.96 * ses) < 0.92


def test_two_points_have_a_slope_but_no_standard_error():
    fit = log_log_fit([10, 100], [1.0, 10.0])
    assert fit.slope == pytest.approx(1.0, rel=1e-12)
    assert np.isnan(fit.se) and fit.dof == 0


@pytest.mark.parametrize(
    ("x", "y", "name"),
    [
        ([1, 2, 3], [1.0, 2.0], "x and y"),
        ([1, 2, 3], [1.0, 0.0, 2.0], "y must be positive"),
        ([1, -2, 3], [1.0, 1.0, 2.0], "x must be positive"),
        ([5, 5, 5], [1.0, 2.0, 3.0], "two distinct"),
        ([1, 2, 3], [1.0, np.nan, 2.0], "y must be positive"),
    ],
)
def test_bad_input_names_the_argument(x, y, name):
    with pytest.raises(ValueError, match=name):
        log_log_fit(x, y)


def test_bayes_widths_prints_each_slope_with_its_fit_error_and_derived_value():
    """The figure's macros on a synthetic result: the printed s.e. is the least-squares one
    (scipy), the derived exponents follow from the fitted κ's, and the numbers behind the
    printed digits are kept for the summary's z."""
    from figures import bayes_widths

    rng = np.random.default_rng(2)
    w = np.array([25, 50, 100, 200, 400, 800], float)

    def q(exponent):  # five quantile columns; the median (column 2) carries the power law
        med = w**exponent * np.exp(0.05 * rng.normal(size=w.size))
        return np.outer(med, [0.8, 0.9, 1.0, 1.1, 1.2])

    result = {"widths": w, "fit_exponents": [1.0, 0.0], "lam_evidence": q(1.0)[:, 2]}
    for tag, s_exp, lam_exp in (("k1", 0.0, 1.0), ("k0", -0.5, 0.5), ("k1hc", 0.0, 1.0)):
        result[f"s_q/{tag}"], result[f"lam_q/{tag}"] = q(s_exp), q(lam_exp)
        result[f"rhat_max/{tag}"], result[f"ess_bulk_min/{tag}"] = np.ones(6), np.full(6, 500.0)
    m = bayes_widths.macros(result)
    ref = stats.linregress(np.log(w), np.log(result["s_q/k0"][:, 2]))
    assert m["BayesWidthsSlopeMismatched"].value == pytest.approx(ref.slope, rel=1e-10)
    assert m["BayesWidthsSlopeSEMismatched"].value == pytest.approx(ref.stderr, rel=1e-10)
    assert m["BayesWidthsSlopeSEMismatched"] == f"{ref.stderr:.2f}"
    assert m["BayesWidthsSlopeDoF"] == "4"
    assert (m["BayesWidthsSlopeDerivedMatched"], m["BayesWidthsSlopeDerivedMismatched"],
            m["BayesWidthsLamSlopeDerived"]) == ("0.00", "-0.50", "1.00")  # fmt: skip
