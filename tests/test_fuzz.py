"""Bad input to the public API gives a ValueError/TypeError that names the argument (issue 16).

Hypothesis samples, for each public function in the table, one argument and one invalid
value (non-finite, negative, wrong type, unknown choice) on top of a valid call; the error
message must name the argument.  The valid calls are checked to succeed first, so a case
cannot pass because the function fails for another reason.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bayes.data import digits_split
from theory import linear, networks, parametrization, prior, random_features, transfer
from theory.classification import gaussian_logistic
from training.data import digits, mnist1d

NUMBER_BAD = [math.nan, math.inf, -1.0, "abc"]
CHOICE_BAD = ["bogus", None]
COUNT_BAD = [0, -3, 2.5, "abc", True]

# (function, valid keyword arguments, {argument: bad values})
CASES = [
    (
        parametrization.transfer_lambda,
        dict(lam=1e-3, width_from=16, width_to=64, parametrization="ntk", normalization="sum"),
        dict(lam=NUMBER_BAD, width_from=NUMBER_BAD, width_to=NUMBER_BAD,
             parametrization=CHOICE_BAD, normalization=CHOICE_BAD),
    ),
    (
        parametrization.lambda_from_ntk,
        dict(lam_ntk=1e-3, width=16, parametrization="standard", normalization="mean"),
        dict(lam_ntk=NUMBER_BAD, width=NUMBER_BAD, parametrization=CHOICE_BAD),
    ),
    (
        transfer.transfer,
        dict(lam=1e-4, width_from=16, width_to=64, parametrization="ntk", normalization="sum",
             penalized="all", depth=2),
        dict(lam=NUMBER_BAD, width_from=NUMBER_BAD, width_to=NUMBER_BAD,
             optimizer=CHOICE_BAD, penalized=CHOICE_BAD, depth=COUNT_BAD),
    ),
    (
        networks.lambda_exponent,
        dict(parametrization="ntk", normalization="sum", depth=2),
        dict(normalization=CHOICE_BAD, depth=COUNT_BAD, parametrization=["bogus"]),
    ),
    (
        prior.to_sgd_weight_decay,
        dict(lam=1e-3),
        dict(lam=NUMBER_BAD, normalization=CHOICE_BAD),
    ),
    (
        linear.bayes_optimal_lambda,
        dict(n_samples=100, n_features=50, noise_var=1.0, signal_var=1.0),
        dict(n_samples=NUMBER_BAD, n_features=NUMBER_BAD, noise_var=NUMBER_BAD,
             signal_var=NUMBER_BAD),
    ),
    (
        random_features.asymptotic_risk,
        dict(lam=1e-3, n_samples=300, n_features=200, input_dim=100, noise_var=0.25),
        dict(lam=NUMBER_BAD, n_samples=NUMBER_BAD, n_features=NUMBER_BAD,
             input_dim=NUMBER_BAD, noise_var=NUMBER_BAD, activation=CHOICE_BAD),
    ),
    (
        gaussian_logistic,
        dict(lam=5e-3, n_samples=100, n_features=50),
        dict(lam=NUMBER_BAD, n_samples=NUMBER_BAD, n_features=NUMBER_BAD),
    ),
    (digits, dict(n_train=50), dict(n_train=COUNT_BAD)),
    (mnist1d, dict(n_train=50, num_samples=500, cache=None), dict(n_train=COUNT_BAD)),
    (digits_split, dict(n_train=50, n_test=50), dict(n_train=COUNT_BAD, n_test=COUNT_BAD)),
]  # fmt: skip


def _ids():
    return [f"{f.__module__.split('.')[-1]}.{f.__name__}" for f, _, _ in CASES]


@pytest.mark.parametrize(("fn", "valid", "bad"), CASES, ids=_ids())
def test_the_valid_call_succeeds(fn, valid, bad):
    fn(**valid)


@pytest.mark.parametrize(("fn", "valid", "bad"), CASES, ids=_ids())
@given(data=st.data())
def test_bad_values_are_rejected_naming_the_argument(fn, valid, bad, data):
    arg = data.draw(st.sampled_from(sorted(bad)), label="argument")
    value = data.draw(st.sampled_from(bad[arg]), label="value")
    with pytest.raises((ValueError, TypeError)) as exc:
        fn(**(valid | {arg: value}))
    assert arg in str(exc.value), f"{fn.__name__}({arg}={value!r}): {exc.value}"
