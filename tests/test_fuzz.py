"""Bad input never gives a silent wrong answer (issue 16): a fuzz of the whole public API.

Every public function of ``theory``, ``bayes`` and ``training`` (each ``__all__``) has a row in
:data:`CASES`: a valid call, and for each argument values that are invalid (non-finite,
negative, zero where a size or variance must be positive, the wrong type, an unknown choice).
Hypothesis samples, per function, an argument and one of its bad values on top of the valid
call; the call must raise ``ValueError``/``TypeError`` whose message names the argument (and,
for a scalar, the value).  The valid calls are checked to succeed first, so a case cannot pass
because the function fails for another reason (the few that train or sample are run by their
own test modules, named in the row).

The numeric functions of ``theory`` are also fuzzed with *valid but extreme* finite input
(1e-300 … 1e300 and the float64 limits): each must return a finite result (no SymPy numbers)
or raise ``ValueError`` naming the argument; a silent ``inf``/``nan`` fails.

:func:`test_every_public_function_is_fuzzed` fails when a public function has no row, so new
API cannot escape.  Run time in ``make test``: sampled, not enumerated (6 bad and 8 extreme
examples per function; a run with thousands of draws per package, the issue's kind of fuzz,
is the same table with more examples).
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import math
import pkgutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jax
import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bayes
import theory
import training
from bayes import collapsed, diagnostics, inference, models, whitened
from bayes import data as bdata
from theory import classification as cls
from theory import (
    data_size,
    equilibrium,
    evidence,
    linear,
    networks,
    parametrization,
    prior,
    random_features,
    transfer,
)
from theory.transfer import transfer as transfer_fn
from training import camps, experiment, normalized, stationary, train, tuning, weight_decay
from training import data as tdata
from training import models as tmodels

NAN, INF = math.nan, math.inf
POS = [NAN, INF, -1.0, 0.0, "abc"]  # a size, variance or strength that must be > 0
NONNEG = [NAN, INF, -1.0, "abc"]  # >= 0
FINITE = [NAN, INF, -INF, "abc"]  # any real number
COUNT = [0, -3, 2.5, "abc", True]  # an integer >= 1
COUNT0 = [-1, 2.5, "abc", True]  # an integer >= 0 (seeds, counts that may be 0)
CHOICE = ["bogus", 7]
OPEN01 = [0.0, 1.0, 1.5, NAN, "abc"]  # a probability in (0, 1)
FLAG = ["yes", 2]  # a bool

# valid-but-extreme finite numbers: log-uniform over the float64 range and its limits
_TINY, _HUGE = 5e-324, 1.7976931348623157e308
XPOS = st.one_of(
    st.sampled_from([_TINY, 1e-308, 1e-300, 1e-200, 1e200, 1e300, _HUGE]),
    st.floats(-300.0, 300.0).map(lambda t: 10.0**t),
)
XNONNEG = st.one_of(st.just(0.0), XPOS)


def _scaled(a: np.ndarray):
    """``a`` rescaled so that its largest entry is an extreme finite number (``XPOS / 4``)."""
    return XPOS.map(lambda c: a * (c / (4.0 * np.abs(a).max())))


RNG = np.random.default_rng(0)
X6 = RNG.standard_normal((6, 3))
Y6 = RNG.standard_normal(6)
BETA3 = RNG.standard_normal(3)
NAN_X6 = np.where(np.eye(6, 3) > 0, np.nan, X6)
BSPEC = collapsed.gram_spectrum(X6)  # bayes.collapsed.Spectrum of X6
CSPEC = cls.gaussian_spectrum(50)  # theory.classification.Spectrum
TDATA = tdata.teacher(n_train=12, n_test=12, input_dim=3, n_classes=2)
LAYERS = tmodels.architecture(input_dim=3, width=4, depth=1, n_classes=2, parametrization="ntk")
LAYERS_STD = tmodels.architecture(
    input_dim=3, width=4, depth=1, n_classes=2, parametrization="standard"
)
W_LAYERS = [np.ones((3, 4)), np.ones((4, 2))]
MULTS = [layer.multiplier for layer in LAYERS]
Y_LABELS = np.array([0, 1, 0, 1, 1, 0])
LAYERS_STD8 = tmodels.architecture(
    input_dim=3, width=8, depth=1, n_classes=2, parametrization="standard"
)
W_NORM = [np.random.default_rng(2).standard_normal(s) for s in ((3, 4), (4, 2))]


SHAPES_FROM = {"w1": (3, 4), "w2": (4, 2)}
SHAPES_TO = {"w1": (3, 8), "w2": (8, 2)}
MODEL_TRANSFER = transfer.transfer_model(
    SHAPES_FROM,
    SHAPES_TO,
    lam=1e-4,
    parametrization="ntk",
    optimizer="adamw-coupled",
    layout="in_out",
    lr_scaling="mup",
)


def _idata():
    """A tiny InferenceData with what :func:`bayes.diagnostics.check` reads."""
    import arviz as az

    rng = np.random.default_rng(1)
    return az.from_dict(
        posterior={"s": rng.standard_normal((2, 50))},
        sample_stats={
            "diverging": np.zeros((2, 50), bool),
            "energy": rng.standard_normal((2, 50)),
        },
        log_likelihood={"y": rng.standard_normal((2, 50, 4)) - 1.0},
    )


IDATA = _idata()


@dataclasses.dataclass(frozen=True)
class Case:
    """One public function: a valid call and, per argument, values that must be rejected."""

    fn: Callable
    valid: dict
    bad: dict[str, list]
    #: argument -> strategy of valid-but-extreme values (theory numerics)
    extreme: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: adapter ``call(**kwargs)`` when ``fn`` is not called as ``fn(**kwargs)``
    call: Callable | None = None
    #: the valid call is expensive (NUTS, training): where it is run instead
    valid_in: str | None = None
    #: a symbolic derivation (SymPy output is its purpose)
    symbolic: bool = False
    #: (kwargs, result) -> True where an infinite/NaN result is the exact answer (documented)
    nonfinite_ok: Callable[[dict, Any], bool] | None = None

    def __call__(self, **kwargs):
        return (self.call or self.fn)(**kwargs)

    @property
    def id(self) -> str:
        return f"{self.fn.__module__}.{self.fn.__qualname__}"


def _tmpdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="l2scale-fuzz-"))


def _save(**kw):
    return inference.save(kw["idata"], kw["name"], kw.get("directory") or _tmpdir())


def _load(**kw):
    directory = _tmpdir()
    inference.save(IDATA, "x", directory)
    return inference.load(kw["name"], kw.get("directory", directory))


def _model(model):
    """The data and hyperparameters of a library model, checked as ``run_nuts`` checks them."""

    def call(**kw):
        kw = dict(kw)
        data = [kw.pop(k) for k in ("X", "features", "k", "ks", "y", "z", "zs") if k in kw]
        return models.validate(model, *data, **kw)

    return call


def _run_nuts(**kw):
    kw = dict(kw)
    return inference.run_nuts(kw.pop("model"), kw.pop("X"), kw.pop("y"), **kw)


def _sbc(**kw):
    kw = dict(kw)
    return diagnostics.sbc(kw.pop("model"), kw.pop("X"), **kw)


def _train_config(**kw):
    return train.check_config(train.TrainConfig(**kw))


def _setting(**kw):
    return experiment.check_setting(experiment.Setting(**kw))


def _norm_config(**kw):
    return normalized.check_norm_config(normalized.NormConfig(**kw))


#: the logistic fixed point compiles for ~15 s on first use; its valid calls are that module's
CLS_SOLVE = "tests/test_classification.py::test_matrix_and_spectrum_routes_agree"
SBC_OK = dict(model=models.linear_regression, X=X6, params=["s"], n_sims=20, n_bins=4,
              num_warmup=10, num_samples=28, thin=4, prior_exponent=1.0)  # fmt: skip
NUTS_OK = dict(model=models.linear_regression, X=X6, y=Y6, num_warmup=5, num_samples=5,
               num_chains=1)  # fmt: skip
SWEEP_OK = dict(data=TDATA, layers=LAYERS, lam_sums=[1e-3], seeds=[0], lr=0.1,
                config=train.TrainConfig(steps=2))  # fmt: skip
RF_OK = dict(n_samples=300, n_features=200, input_dim=100, noise_var=0.25)
RF_BAD = dict(n_samples=POS, n_features=POS, input_dim=POS, noise_var=NONNEG, signal_var=NONNEG,
              nonlinear_var=NONNEG, activation=CHOICE, parametrization=CHOICE,
              normalization=CHOICE)  # fmt: skip
RF_X = dict(n_samples=XPOS, n_features=XPOS, input_dim=XPOS, noise_var=XNONNEG)
MM_BAD = dict(psi1=POS, psi2=POS, lam_bar=NONNEG, zeta=NONNEG)
MM_X = dict(psi1=XPOS, psi2=XPOS, lam_bar=XNONNEG, zeta=XNONNEG)
CONV_BAD = dict(normalization=CHOICE, n_params=POS)


MOMENTUM = [1.0, -0.1, NAN, "abc"]  # a momentum / β in [0, 1)
EXACT_OK = dict(lam=1e-3, width_from=300, width_to=3000, parametrization="ntk",
                normalization="sum", n_samples=300, input_dim=100, noise_var=1.0)  # fmt: skip
# fit_lam_stars: minima at 10^(-2 - 0.01 s) · x (its doctest)
FLS_LAMS = np.logspace(-3, 1, 17)
FLS_TEST = np.stack([np.stack([(np.log10(FLS_LAMS) + 2 - np.log10(x) + 0.01 * s) ** 2
                               for s in range(3)], axis=1) for x in (1, 10, 100)])  # fmt: skip
NORM_SWEEP_OK = dict(data=TDATA, width=4, depth=1, lams=[1e-3], seeds=[0],
                     config=normalized.NormConfig(steps=2))  # fmt: skip
CAMPS_OK = dict(dataset="teacher", n_train=64, depth=1, optimizer="adamw-coupled",
                lr_scaling="none", lr=0.01, widths=[8, 32], seeds=[0, 1], steps=10,
                grid_center=0.1, n_grid=3, grid_step=1.0)  # fmt: skip


def _mean(**kw):
    return {"normalization": "mean", "n_params": 10.0} | kw


CASES: list[Case] = [
    # ------------------------------------------------------------------ theory.prior
    Case(prior.prior_variance, dict(lam=1e-3, n_samples=100),
         dict(lam=NONNEG, n_samples=POS, loss=CHOICE, noise_var=POS, **CONV_BAD),
         dict(lam=XNONNEG, n_samples=XPOS, noise_var=XPOS),
         nonfinite_ok=lambda kw, out: kw["lam"] == 0),
    Case(prior.lambda_from_prior_variance, dict(prior_var=5.0, n_samples=100),
         dict(prior_var=[NAN, -1.0, 0.0, "abc"], n_samples=POS, loss=CHOICE, noise_var=POS,
              **CONV_BAD),
         dict(prior_var=XPOS, n_samples=XPOS, noise_var=XPOS)),
    Case(prior.to_sum, _mean(lam=0.5), dict(lam=NONNEG, **CONV_BAD),
         dict(lam=XNONNEG, n_params=XPOS)),
    Case(prior.from_sum, _mean(lam_sum=0.5), dict(lam_sum=NONNEG, **CONV_BAD),
         dict(lam_sum=XNONNEG, n_params=XPOS)),
    Case(prior.to_sklearn_ridge_alpha, _mean(lam=1e-3, n_samples=100),
         dict(lam=NONNEG, n_samples=POS, **CONV_BAD),
         dict(lam=XNONNEG, n_samples=XPOS, n_params=XPOS)),
    Case(prior.from_sklearn_ridge_alpha, _mean(alpha=0.1, n_samples=100),
         dict(alpha=NONNEG, n_samples=POS, **CONV_BAD),
         dict(alpha=XNONNEG, n_samples=XPOS, n_params=XPOS)),
    Case(prior.to_bayesian_ridge, _mean(lam=1e-3, n_samples=100, noise_var=0.5),
         dict(lam=NONNEG, n_samples=POS, noise_var=POS, **CONV_BAD),
         dict(lam=XNONNEG, n_samples=XPOS, noise_var=XPOS, n_params=XPOS)),
    Case(prior.from_bayesian_ridge, _mean(lambda_=1.0, alpha_=2.0, n_samples=100),
         dict(lambda_=POS, alpha_=POS, n_samples=POS, **CONV_BAD),
         dict(lambda_=XPOS, alpha_=XPOS, n_samples=XPOS, n_params=XPOS)),
    Case(prior.to_mackay, _mean(lam=1e-3, n_samples=100, noise_var=0.5),
         dict(lam=NONNEG, n_samples=POS, noise_var=POS, **CONV_BAD),
         dict(lam=XNONNEG, n_samples=XPOS, noise_var=XPOS, n_params=XPOS)),
    Case(prior.from_mackay, _mean(alpha=1.0, beta=2.0, n_samples=100),
         dict(alpha=NONNEG, beta=POS, n_samples=POS, **CONV_BAD),
         dict(alpha=XNONNEG, beta=XPOS, n_samples=XPOS, n_params=XPOS)),
    Case(prior.to_sgd_weight_decay, _mean(lam=1e-3), dict(lam=NONNEG, **CONV_BAD),
         dict(lam=XNONNEG, n_params=XPOS)),
    Case(prior.from_sgd_weight_decay, _mean(weight_decay=1e-3),
         dict(weight_decay=NONNEG, **CONV_BAD), dict(weight_decay=XNONNEG, n_params=XPOS)),
    Case(prior.prior_variance_expr, dict(loss="squared", normalization="sum"),
         dict(loss=CHOICE, normalization=CHOICE), symbolic=True),
    Case(prior.match_gradients, dict(grad_a=2 * sp.Symbol("w"), grad_b=sp.Symbol("k") * sp.Symbol("w"),
                                     unknowns=[sp.Symbol("k")]),
         dict(grad_a=[None, NAN], grad_b=[None, NAN], unknowns=[[], "k", None]), symbolic=True),
    # ------------------------------------------------------------------ theory.parametrization
    Case(parametrization.width_exponent, dict(parametrization="ntk", normalization="sum"),
         dict(parametrization=CHOICE, normalization=CHOICE)),
    Case(parametrization.width_exponent_expr, dict(normalization="sum", parametrization="ntk"),
         dict(parametrization=CHOICE, normalization=CHOICE), symbolic=True),
    Case(parametrization.lambda_expr, dict(normalization="mean"), dict(normalization=CHOICE),
         symbolic=True),
    Case(parametrization.output_variance_expr, dict(normalization="mean", loss="squared"),
         dict(normalization=CHOICE, loss=CHOICE), symbolic=True),
    Case(parametrization.readout_scale, dict(width=16, parametrization="ntk"),
         dict(width=POS, parametrization=CHOICE), dict(width=XPOS)),
    Case(parametrization.lambda_from_ntk,
         dict(lam_ntk=1e-3, width=16, parametrization="standard", normalization="mean"),
         dict(lam_ntk=NONNEG, width=POS, parametrization=CHOICE, normalization=CHOICE),
         dict(lam_ntk=XNONNEG, width=XPOS)),
    Case(parametrization.lambda_to_ntk,
         dict(lam=1e-3, width=16, parametrization="standard", normalization="mean"),
         dict(lam=NONNEG, width=POS, parametrization=CHOICE, normalization=CHOICE),
         dict(lam=XNONNEG, width=XPOS)),
    Case(parametrization.transfer_lambda,
         dict(lam=1e-3, width_from=16, width_to=64, parametrization="standard",
              normalization="mean"),
         dict(lam=NONNEG, width_from=POS, width_to=POS, parametrization=CHOICE,
              normalization=CHOICE),
         dict(lam=XNONNEG, width_from=XPOS, width_to=XPOS)),
    Case(parametrization.output_prior_std,
         dict(lam=1e-2, width=16, n_samples=100, parametrization="ntk"),
         dict(lam=NONNEG, width=POS, n_samples=POS, parametrization=CHOICE,
              normalization=CHOICE, loss=CHOICE, noise_var=POS, feature_second_moment=POS),
         dict(lam=XNONNEG, width=XPOS, n_samples=XPOS, noise_var=XPOS,
              feature_second_moment=XPOS),
         nonfinite_ok=lambda kw, out: kw["lam"] == 0),
    # ------------------------------------------------------------------ theory.transfer
    Case(transfer.mup_lr_exponent, dict(parametrization="ntk", optimizer="adam", layer="hidden"),
         dict(parametrization=CHOICE, optimizer=CHOICE, layer=CHOICE)),
    Case(transfer.mup_lr_exponent_expr,
         dict(parametrization="ntk", optimizer="adam", layer="hidden"),
         dict(parametrization=CHOICE, optimizer=CHOICE, layer=CHOICE), symbolic=True),
    Case(transfer.lr_exponent,
         dict(parametrization="ntk", optimizer="sgd", layer="hidden", lr_scaling="mup"),
         dict(parametrization=CHOICE, optimizer=CHOICE, layer=CHOICE, lr_scaling=CHOICE)),
    Case(transfer.lr_exponent_expr,
         dict(parametrization="ntk", optimizer="sgd", layer="hidden", lr_scaling="mup"),
         dict(parametrization=CHOICE, optimizer=CHOICE, layer=CHOICE, lr_scaling=CHOICE),
         symbolic=True),
    Case(transfer.transfer_exponent,
         dict(parametrization="ntk", normalization="sum", penalized="all", depth=2),
         dict(parametrization=CHOICE, normalization=CHOICE, optimizer=CHOICE,
              lr_scaling=CHOICE, penalized=CHOICE, depth=COUNT)),
    Case(transfer.transfer_exponent_expr,
         dict(parametrization="ntk", normalization="sum", penalized="all", depth=2),
         dict(parametrization=CHOICE, normalization=CHOICE, optimizer=CHOICE,
              lr_scaling=CHOICE, penalized=CHOICE, depth=COUNT), symbolic=True),
    Case(transfer_fn,
         dict(lam=1e-4, width_from=16, width_to=64, parametrization="ntk", normalization="sum",
              penalized="all", depth=2),
         dict(lam=POS, width_from=POS, width_to=POS, parametrization=CHOICE,
              normalization=CHOICE, optimizer=CHOICE, lr_scaling=CHOICE, penalized=CHOICE,
              depth=COUNT),
         dict(lam=XPOS, width_from=XPOS, width_to=XPOS)),
    Case(transfer.transfer_model,
         dict(shapes_from=SHAPES_FROM, shapes_to=SHAPES_TO, lam=1e-4, parametrization="ntk",
              optimizer="sgd", layout="in_out"),
         dict(shapes_from=["abc", {}, {"w1": (3, -4), "w2": (4, 2)}, {"w1": (3, 4)}],
              shapes_to=["abc", {"w1": (3, 8), "w2": (8, 2, 1)}, SHAPES_FROM],
              lam=POS, parametrization=CHOICE, optimizer=CHOICE, layout=CHOICE,
              lr_scaling=CHOICE, normalization=CHOICE),
         dict(lam=XPOS)),
    Case(transfer.transfer_exact, EXACT_OK,
         dict(lam=POS + [[1e-3, 2e-3]], width_from=POS, width_to=POS, parametrization=CHOICE,
              normalization=CHOICE, n_samples=POS + [[300, 400]], input_dim=POS,
              noise_var=NONNEG, signal_var=POS, nonlinear_var=NONNEG),
         dict(lam=XPOS, width_from=XPOS, width_to=XPOS, n_samples=XPOS, input_dim=XPOS,
              noise_var=XNONNEG, signal_var=XPOS, nonlinear_var=XNONNEG)),
    # ------------------------------------------------------------------ theory.data_size
    Case(data_size.timescale_lambda_expr, dict(batch="full"), dict(batch=CHOICE + [["full"]]),
         symbolic=True),
    # an exact SymPy exponent (the paper's macro prints it): a derivation's output
    Case(data_size.timescale_exponent, dict(batch="fixed"), dict(batch=CHOICE + [["full"]]),
         symbolic=True),
    # ------------------------------------------------------------------ theory.equilibrium
    Case(equilibrium.shrink_expr, dict(optimizer="sgd"), dict(optimizer=CHOICE), symbolic=True),
    Case(equilibrium.norm_step_expr, dict(optimizer="adamw-coupled"), dict(optimizer=CHOICE),
         symbolic=True),
    Case(equilibrium.equilibrium_sq_norm_expr, dict(optimizer="sgd"),
         dict(optimizer=CHOICE + [["sgd"]]), symbolic=True),
    Case(equilibrium.equilibrium_norm_expr, dict(optimizer="sgd", exact=False),
         dict(optimizer=CHOICE + [["sgd"]], exact=FLAG), symbolic=True),
    Case(equilibrium.angular_update_expr, dict(optimizer="adamw-coupled", exact=False),
         dict(optimizer=CHOICE + [["sgd"]], exact=FLAG), symbolic=True),
    Case(equilibrium.momentum_factors_expr, dict(kind="ema"), dict(kind=CHOICE + [["ema"]]),
         symbolic=True),
    Case(equilibrium.momentum_equilibrium_exprs, dict(optimizer="sgd"),
         dict(optimizer=CHOICE + [["sgd"]]), symbolic=True),
    Case(equilibrium.angle_exponent_expr, dict(optimizer="adamw-independent"),
         dict(optimizer=CHOICE), symbolic=True),
    Case(equilibrium.equilibrium_norm,
         dict(optimizer="sgd", lr=0.1, weight_decay=0.02, grad_norm=1.0),
         dict(optimizer=CHOICE, lr=POS + [[0.1, 0.2]], weight_decay=POS + [1e4],
              grad_norm=POS + [None], n_entries=POS, momentum=MOMENTUM, exact=FLAG),
         dict(lr=XPOS, weight_decay=XPOS, grad_norm=XPOS)),
    Case(equilibrium.angular_update, dict(optimizer="sgd", lr=0.1, weight_decay=0.02),
         dict(optimizer=CHOICE, lr=POS, weight_decay=POS + [1e4], momentum=MOMENTUM,
              exact=FLAG),
         dict(lr=XPOS, weight_decay=XPOS)),
    Case(equilibrium.iterate_norm,
         dict(optimizer="adamw-coupled", lr=0.1, weight_decay=0.02, steps=5, dim=3),
         dict(optimizer=CHOICE, lr=POS, weight_decay=POS + [1e4], steps=COUNT,
              dim=[1] + COUNT, grad_norm=POS, momentum=MOMENTUM, random_norm=FLAG,
              seed=COUNT0)),
    # ------------------------------------------------------------------ training.weight_decay
    Case(weight_decay.per_tensor_decay, dict(rates={"w": 0.5}, mode="l2"),
         dict(rates=[{}, "abc", {"w": -1.0}, {"w": NAN}], mode=CHOICE)),
    Case(weight_decay.transfer_decay, dict(transfer=MODEL_TRANSFER, learning_rate=0.1),
         dict(transfer=["abc", None], learning_rate=POS)),
    # ------------------------------------------------------------------ theory.networks
    Case(networks.lambda_exponent, dict(parametrization="ntk", normalization="sum", depth=2),
         dict(parametrization=CHOICE, normalization=CHOICE, depth=COUNT)),
    Case(networks.lambda_exponent_expr, dict(multiplier_exponents=(0, 0.5, 1)),
         dict(multiplier_exponents=[(0,), (0, NAN), (0, "1/2"), "01", 0.5], depth=COUNT,
              normalization=CHOICE), symbolic=True),
    Case(networks.preset_exponents, dict(parametrization="ntk", depth=2),
         dict(parametrization=CHOICE, depth=COUNT)),
    Case(networks.preset_exponents_expr, dict(parametrization="ntk", depth=2),
         dict(parametrization=CHOICE, depth=COUNT), symbolic=True),
    Case(networks.n_weights_exponent, dict(depth=2), dict(depth=COUNT)),
    Case(networks.multiplier_symbols, dict(depth=2), dict(depth=COUNT), symbolic=True),
    Case(networks.output_expr, dict(depth=2), dict(depth=COUNT), symbolic=True),
    Case(networks.rescaling_expr, dict(depth=2), dict(depth=COUNT), symbolic=True),
    Case(networks.equivalent_lambda_expr, dict(depth=2), dict(depth=COUNT), symbolic=True),
    Case(networks.balanced_penalty_expr, dict(depth=1), dict(depth=COUNT), symbolic=True),
    Case(networks.n_weights_expr, dict(depth=2), dict(depth=COUNT), symbolic=True),
    Case(networks.equivalent_lambda, dict(lam=1e-3, multipliers=(1.0, 0.25)),
         dict(lam=POS, multipliers=[(1.0,), (1.0, NAN), (1.0, -1.0), (1.0, 0.0), "abc"]),
         dict(lam=XPOS)),
    Case(networks.balanced_penalty, dict(lam=[0.5, 2.0], sq_norms=[4.0, 9.0]),
         dict(lam=POS + [[1.0, 2.0, 3.0]], sq_norms=[(1.0,), (1.0, NAN), (1.0, -1.0), "abc"]),
         dict(lam=XPOS)),
    # ------------------------------------------------------------------ theory.linear
    Case(linear.bayes_optimal_lambda,
         dict(n_samples=100, n_features=50, noise_var=1.0, signal_var=1.0),
         dict(n_samples=POS, n_features=POS, noise_var=NONNEG, signal_var=POS,
              prior_exponent=FINITE, normalization=CHOICE),
         dict(n_samples=XPOS, n_features=XPOS, noise_var=XNONNEG, signal_var=XPOS)),
    Case(linear.bayes_optimal_lambda_expr, dict(normalization="mean"),
         dict(normalization=CHOICE), symbolic=True),
    Case(linear.optimal_lambda_expr, dict(normalization="mean"), dict(normalization=CHOICE),
         symbolic=True),
    Case(linear.ridgeless_risk_expr, dict(regime="under"), dict(regime=CHOICE), symbolic=True),
    Case(linear.finite_ridgeless_risk_expr, dict(regime="under"), dict(regime=CHOICE),
         symbolic=True),
    Case(linear.inverse_wishart_trace_expr, dict(p=sp.Symbol("p"), n=sp.Symbol("n")),
         dict(p=[None, NAN, "abc"], n=[None, NAN, "abc"]), symbolic=True),
    Case(linear.mp_stieltjes, dict(lam=0.1, gamma=0.5), dict(lam=NONNEG, gamma=POS),
         dict(lam=XNONNEG, gamma=XPOS),
         nonfinite_ok=lambda kw, out: kw["lam"] == 0 and kw["gamma"] >= 1),  # the MP atom at 0
    Case(linear.mp_stieltjes_derivative, dict(lam=0.1, gamma=0.5), dict(lam=NONNEG, gamma=POS),
         dict(lam=XNONNEG, gamma=XPOS),
         nonfinite_ok=lambda kw, out: kw["lam"] == 0 and kw["gamma"] >= 1),
    Case(linear.asymptotic_risk, dict(lam=0.1, gamma=0.5, noise_var=1.0, signal_var=1.0),
         dict(lam=NONNEG, gamma=POS, noise_var=NONNEG, signal_var=NONNEG,
              normalization=CHOICE),
         dict(lam=XNONNEG, gamma=XPOS, noise_var=XNONNEG, signal_var=XNONNEG),
         nonfinite_ok=lambda kw, out: kw["lam"] == 0 and kw["gamma"] == 1),  # the peak
    Case(linear.asymptotic_risk_jax, dict(lam=0.1, gamma=0.5, noise_var=1.0, signal_var=1.0),
         dict(lam=NONNEG, gamma=POS, noise_var=NONNEG, signal_var=NONNEG),
         dict(lam=XNONNEG, gamma=XPOS, noise_var=XNONNEG, signal_var=XNONNEG),
         nonfinite_ok=lambda kw, out: kw["lam"] == 0 and kw["gamma"] == 1),  # the peak
    Case(linear.optimal_lambda, dict(gamma=0.5, noise_var=1.0, signal_var=1.0),
         dict(gamma=POS, noise_var=NONNEG, signal_var=POS, normalization=CHOICE),
         dict(gamma=XPOS, noise_var=XNONNEG, signal_var=XPOS)),
    Case(linear.optimal_risk, dict(gamma=0.5, noise_var=1.0, signal_var=1.0),
         dict(gamma=POS, noise_var=NONNEG, signal_var=POS),
         dict(gamma=XPOS, noise_var=XNONNEG, signal_var=XPOS)),
    Case(linear.ridgeless_risk, dict(gamma=0.5, noise_var=1.0, signal_var=1.0),
         dict(gamma=POS, noise_var=NONNEG, signal_var=NONNEG),
         dict(gamma=XPOS, noise_var=XNONNEG, signal_var=XNONNEG),
         nonfinite_ok=lambda kw, out: kw["gamma"] == 1),
    Case(linear.finite_ridgeless_risk,
         dict(n_samples=100, n_features=50, noise_var=1.0, signal_var=1.0),
         dict(n_samples=POS, n_features=POS, noise_var=NONNEG, signal_var=NONNEG),
         dict(n_samples=XPOS, n_features=XPOS, noise_var=XNONNEG, signal_var=XNONNEG),
         nonfinite_ok=lambda kw, out: abs(kw["n_features"] - kw["n_samples"]) <= 1),
    Case(linear.ridge_risk_path, dict(X=X6, y=Y6, beta=BETA3, lam=[0.0, 0.3]),
         dict(X=[NAN_X6, X6[0], "abc"], y=[Y6[:5], np.full(6, NAN)], beta=[BETA3[:2], [NAN] * 3],
              lam=[[NAN], [-1.0], [], "abc"], method=CHOICE),
         dict(X=_scaled(X6), y=_scaled(Y6),
              beta=_scaled(BETA3), lam=XNONNEG.map(lambda v: [v]))),
    Case(linear.monte_carlo_risk,
         dict(lam=[0.1, 1.0], n_samples=10, n_features=5, noise_var=1.0, signal_var=1.0,
              n_draws=3),
         dict(lam=[[NAN], [-1.0], []], n_samples=COUNT, n_features=COUNT, noise_var=NONNEG,
              signal_var=POS, prior_exponent=FINITE, n_draws=[1, 0, 2.5, True],
              seed=[-1, "abc", 2.5], normalization=CHOICE, method=CHOICE,
              blas_threads=[0, 2.5, "abc"])),
    # ------------------------------------------------------------------ theory.evidence
    Case(evidence.log_evidence, dict(X=X6, y=Y6, noise_var=1.0, prior_var=2.0),
         dict(X=[NAN_X6, X6[0]], y=[Y6[:5], np.full(6, NAN)], noise_var=POS, prior_var=NONNEG),
         dict(noise_var=XPOS, prior_var=XNONNEG, X=_scaled(X6),
              y=_scaled(Y6))),
    Case(evidence.evidence_fit, dict(X=X6, y=Y6),
         dict(X=[NAN_X6, X6[0]], y=[Y6[:5], np.full(6, NAN)],
              log_q_bounds=[(1.0, -1.0), (NAN, 1.0), "ab"]),
         dict(X=_scaled(X6), y=_scaled(Y6)),
         # "no signal" is λ = inf (the stated rule); the variances and the evidence stay finite
         nonfinite_ok=lambda kw, out: out.lam == INF
         and np.all(np.isfinite([out.noise_var, out.prior_var, out.log_evidence]))),
    Case(evidence.evidence_optimal_lambda, dict(X=X6, y=Y6),
         dict(X=[NAN_X6, X6[0]], y=[Y6[:5], np.full(6, NAN)]),
         dict(X=_scaled(X6), y=_scaled(Y6)),
         nonfinite_ok=lambda kw, out: out == INF),  # λ = inf: the stated "no signal" answer
    # ------------------------------------------------------------------ theory.random_features
    Case(random_features.gaussian_equivalence, dict(activation="relu", n_nodes=21),
         dict(activation=CHOICE, n_nodes=COUNT)),
    Case(random_features.gaussian_coefficients_expr,
         dict(activation=sp.Max(0, sp.Symbol("z", real=True))),
         dict(activation=[None, NAN, "abc"]), symbolic=True),
    Case(random_features.lambda_from_mm_expr, dict(parametrization="ntk", normalization="sum"),
         dict(parametrization=CHOICE, normalization=CHOICE), symbolic=True),
    Case(random_features.solve_chi, dict(psi1=2.0, psi2=3.0, lam_bar=1.0, zeta=1.0), MM_BAD,
         MM_X),
    Case(random_features.fixed_point_residual, dict(psi1=2.0, psi2=3.0, lam_bar=1.0, zeta=1.0),
         dict(MM_BAD, lam_bar=POS), dict(MM_X, lam_bar=XPOS)),
    Case(random_features.bias_variance, dict(psi1=2.0, psi2=3.0, lam_bar=1.0, zeta=1.0), MM_BAD,
         MM_X, nonfinite_ok=lambda kw, out: kw["lam_bar"] == 0 and kw["psi1"] == kw["psi2"]),
    Case(random_features.mm_risk, dict(psi1=2.0, psi2=3.0, lam_bar=1.0, zeta=1.0, noise_var=0.5),
         dict(MM_BAD, signal_var=NONNEG, noise_var=NONNEG, nonlinear_var=NONNEG),
         dict(MM_X, signal_var=XNONNEG, noise_var=XNONNEG, nonlinear_var=XNONNEG),
         nonfinite_ok=lambda kw, out: kw["lam_bar"] == 0 and kw["psi1"] == kw["psi2"]),
    Case(random_features.ridgeless_chi, dict(psi=2.0, zeta=1.0), dict(psi=POS, zeta=NONNEG),
         dict(psi=XPOS, zeta=XNONNEG)),
    Case(random_features.wide_chi, dict(psi2=2.0, lam_bar=0.5, zeta=1.0),
         dict(psi2=POS, lam_bar=NONNEG, zeta=NONNEG),
         dict(psi2=XPOS, lam_bar=XNONNEG, zeta=XNONNEG)),
    Case(random_features.wide_risk, dict(psi2=2.0, lam_bar=0.5, zeta=1.0, noise_var=0.5),
         dict(psi2=POS, lam_bar=NONNEG, zeta=NONNEG, signal_var=NONNEG, noise_var=NONNEG,
              nonlinear_var=NONNEG),
         dict(psi2=XPOS, lam_bar=XNONNEG, zeta=XNONNEG, signal_var=XNONNEG, noise_var=XNONNEG,
              nonlinear_var=XNONNEG)),
    Case(random_features.wide_optimal_lam_bar, dict(psi2=3.0, zeta=1.5, noise_var=0.25),
         dict(psi2=POS, zeta=NONNEG, signal_var=POS, noise_var=NONNEG, nonlinear_var=NONNEG),
         dict(psi2=XPOS, zeta=XNONNEG, signal_var=XPOS, noise_var=XNONNEG,
              nonlinear_var=XNONNEG)),
    Case(random_features.optimal_lam_bar, dict(psi1=2.0, psi2=3.0, zeta=1.5, noise_var=0.25),
         dict(psi1=POS, psi2=POS, zeta=NONNEG, signal_var=POS, noise_var=NONNEG,
              nonlinear_var=NONNEG),
         dict(psi1=XPOS, psi2=XPOS, zeta=XNONNEG, signal_var=XPOS, noise_var=XNONNEG)),
    Case(random_features.lambda_to_mm, dict(lam=1e-3, n_features=200, input_dim=100),
         dict(lam=NONNEG, n_features=POS, input_dim=POS, parametrization=CHOICE,
              normalization=CHOICE),
         dict(lam=XNONNEG, n_features=XPOS, input_dim=XPOS)),
    Case(random_features.lambda_from_mm, dict(lam_mm=0.1, n_features=200, input_dim=100),
         dict(lam_mm=NONNEG, n_features=POS, input_dim=POS, parametrization=CHOICE,
              normalization=CHOICE),
         dict(lam_mm=XNONNEG, n_features=XPOS, input_dim=XPOS)),
    Case(random_features.asymptotic_risk, dict(lam=1e-3, **RF_OK), dict(lam=NONNEG, **RF_BAD),
         dict(lam=XNONNEG, **RF_X)),
    Case(random_features.optimal_lambda, RF_OK, dict(RF_BAD, signal_var=POS), RF_X),
    Case(random_features.tuned_risk, RF_OK,
         {k: v for k, v in dict(RF_BAD, signal_var=POS).items()
          if k not in ("parametrization", "normalization")}, RF_X),
    Case(random_features.local_width_exponents,
         dict(widths=[1.0, 2.0, 4.0], lam_star=[1.0, 2.0, 4.0]),
         dict(widths=[[1.0, NAN, 4.0], [1.0, 2.0], [1.0, -2.0, 4.0]],
              lam_star=[[1.0, NAN, 4.0], [1.0, 2.0], [1.0, -2.0, 4.0]])),
    Case(random_features.lambda_star_width_exponents,
         dict(widths=[100.0, 200.0, 400.0], n_samples=300, input_dim=100, noise_var=0.25),
         dict(widths=[[1.0, NAN, 4.0], [1.0, -2.0, 4.0]], n_samples=POS, input_dim=POS,
              noise_var=NONNEG, signal_var=POS, nonlinear_var=NONNEG, activation=CHOICE,
              parametrization=CHOICE, normalization=CHOICE)),
    Case(random_features.exponent_ranges, dict(widths=[1, 2, 4], local=[0.5, 0.0, 0.01],
                                               target=0.0),
         dict(widths=[[1.0, NAN, 4.0], [1.0, 2.0], "abc"], local=[[0.0, 1.0], "abc"],
              target=FINITE, tol=POS)),
    Case(random_features.simulate_test_error,
         dict(lam=[0.1], n_samples=20, n_features=10, input_dim=5, noise_var=0.1, n_draws=1,
              n_test=20),
         dict(lam=[[NAN], [-1.0], NAN, "abc"], n_samples=COUNT, n_features=COUNT,
              input_dim=[1] + COUNT, noise_var=NONNEG, signal_var=NONNEG, nonlinear_var=NONNEG,
              activation=CHOICE, parametrization=CHOICE, normalization=CHOICE, n_draws=COUNT,
              n_test=COUNT, seed=[-1, 2.5, "abc"], rcond=POS)),
    # ------------------------------------------------------------------ theory.classification
    Case(cls.gaussian_logistic, dict(lam=5e-3, n_samples=100, n_features=50),
         dict(lam=POS, n_samples=POS, n_features=POS, noise_var=NONNEG), valid_in=CLS_SOLVE),
    Case(cls.gcm_logistic,
         dict(Psi=np.eye(3), Phi=np.eye(3), Omega=np.eye(3), n_samples=6, lam=0.1),
         dict(Psi=[np.full((3, 3), NAN), -np.eye(3), np.eye(2)], Phi=[np.eye(2), "abc"],
              Omega=[-np.eye(3), np.ones(3)], n_samples=POS, lam=POS, teacher=CHOICE,
              noise_var=NONNEG, teacher_weights=[[NAN, 1.0, 1.0], [1.0, 1.0]]),
         valid_in=CLS_SOLVE),
    Case(cls.gaussian_covariances, dict(n_features=3), dict(n_features=COUNT)),
    Case(cls.gaussian_spectrum, dict(n_features=3), dict(n_features=POS)),
    Case(cls.random_features_covariances, dict(n_features=3, input_dim=2),
         dict(n_features=COUNT, input_dim=COUNT, activation=CHOICE, seed=COUNT0)),
    Case(cls.random_features_spectrum, dict(n_features=3, input_dim=2),
         dict(n_features=COUNT, input_dim=COUNT, activation=CHOICE, seed=COUNT0)),
    Case(cls.random_features_logistic, dict(lam=0.1, n_samples=10, n_features=3, input_dim=2),
         dict(lam=POS, n_samples=POS, n_features=COUNT, input_dim=COUNT, activation=CHOICE,
              noise_var=NONNEG, seed=COUNT0), valid_in=CLS_SOLVE),
    Case(cls.logistic_from_spectrum, dict(spectrum=CSPEC, n_samples=100, lam=5e-3),
         dict(spectrum=["abc", None], n_samples=POS, lam=POS, noise_var=NONNEG, teacher=CHOICE),
         valid_in=CLS_SOLVE),
    Case(cls.optimal_lambda, dict(spectrum=CSPEC, n_samples=100, lam_min=1e-3, lam_max=1e-1),
         dict(spectrum=["abc", None], n_samples=POS, metric=CHOICE, noise_var=NONNEG,
              lam_min=POS, lam_max=POS, per_decade=COUNT),
         valid_in="tests/test_classification.py::test_optimal_lambda_is_a_minimum"),
    Case(cls.lambda_star_conventions, dict(widths=[16, 64], lam_ntk=[1e-3, 1e-3]),
         dict(widths=[[16, NAN], [16, -1], "abc"], lam_ntk=[[NAN, 1.0], [-1.0, 1.0], "abc"]),
         dict(lam_ntk=XNONNEG)),
    Case(cls.to_loureiro, dict(lam=1e-3, n_samples=100), dict(lam=POS, n_samples=POS),
         dict(lam=XPOS, n_samples=XPOS)),
    Case(cls.from_loureiro, dict(lam_l=0.2, n_samples=100), dict(lam_l=POS, n_samples=POS),
         dict(lam_l=XPOS, n_samples=XPOS)),
    Case(cls.to_sklearn_C, dict(lam=1e-3, n_samples=100, n_features=50),
         dict(lam=POS, n_samples=POS, n_features=POS),
         dict(lam=XPOS, n_samples=XPOS, n_features=XPOS)),
    Case(cls.from_sklearn_C, dict(C=10.0, n_samples=100, n_features=50),
         dict(C=POS, n_samples=POS, n_features=POS),
         dict(C=XPOS, n_samples=XPOS, n_features=XPOS)),
    Case(cls.logistic_loss_expr, dict(arg=sp.Symbol("z")), dict(arg=[None, NAN, "abc"]),
         symbolic=True),
    Case(cls.simulate_logistic, dict(lam=0.1, n_samples=10, n_features=4, n_draws=1, n_test=20),
         dict(lam=POS, n_samples=COUNT, n_features=COUNT, input_dim=COUNT, activation=CHOICE,
              noise_var=NONNEG, n_draws=COUNT, n_test=COUNT, seed=COUNT0,
              feature_seed=COUNT0)),
    Case(cls.separability_ratio, dict(noise_var=0.1), dict(noise_var=NONNEG, rho=POS),
         dict(noise_var=XNONNEG, rho=XPOS)),
    Case(cls.separability_threshold, dict(noise_var=0.1), dict(noise_var=NONNEG, rho=POS),
         dict(noise_var=XNONNEG, rho=XPOS),
         nonfinite_ok=lambda kw, out: kw["noise_var"] == 0),  # separable at every N/p: inf
    # ------------------------------------------------------------------ bayes.inference
    Case(inference.setup, dict(host_devices=None),
         dict(host_devices=COUNT, x64=FLAG, fast_compile=FLAG)),
    Case(inference.chain_method, dict(num_chains=2), dict(num_chains=COUNT, reuse=FLAG)),
    Case(inference.make_mcmc, dict(model=models.linear_regression, num_warmup=5, num_samples=5),
         dict(model=["abc", None], num_warmup=COUNT, num_samples=COUNT, num_chains=COUNT,
              target_accept=OPEN01, max_tree_depth=COUNT, dense_mass=FLAG,
              jit_model_args=FLAG)),
    Case(inference.run_nuts, NUTS_OK,
         dict(model=["abc", None], X=[NAN_X6, X6[0]], y=[Y6[:5], None, np.full(6, NAN)],
              num_warmup=COUNT, num_samples=COUNT, num_chains=COUNT, seed=COUNT0,
              target_accept=OPEN01, max_tree_depth=COUNT, save_as=["", "a/b", 3],
              dtype=["int32", "abc", np.float16]),
         call=_run_nuts, valid_in="tests/test_bayes.py::test_nuts_matches_the_exact_gaussian_posterior_and_ridge"),
    Case(inference.save, dict(idata=IDATA, name="fuzz"),
         dict(idata=["abc", None], name=["", "a/b", 3]), call=_save),
    Case(inference.load, dict(name="x"), dict(name=["", "a/b", 3]), call=_load),
    # ------------------------------------------------------------------ bayes.models
    Case(models.matched_exponent, dict(parametrization="ntk"), dict(parametrization=CHOICE)),
    Case(models.implied_lambda, dict(s=1.0, width=100, prior_exponent=1.0, n_samples=50,
                                     noise_sd=1.0),
         dict(s=POS, width=POS, prior_exponent=FINITE, n_samples=POS, noise_sd=POS,
              loss=CHOICE, normalization=CHOICE),
         dict(s=XPOS, width=XPOS, n_samples=XPOS, noise_sd=XPOS)),
    Case(models.noncentered, dict(model=models.linear_regression),
         dict(model=["abc", None], sites=[[], "w", [3]])),
    Case(models.linear_regression, dict(X=X6, y=Y6),
         dict(X=[NAN_X6, X6[0]], y=[Y6[:5], np.full(6, NAN)], prior_exponent=FINITE,
              s_scale=POS, noise_scale=POS), call=_model(models.linear_regression)),
    Case(models.rf_regression, dict(features=X6, y=Y6),
         dict(features=[NAN_X6, X6[0]], y=[Y6[:5], np.full(6, NAN)], parametrization=CHOICE,
              prior_exponent=FINITE, s_scale=POS, noise_scale=POS),
         call=_model(models.rf_regression)),
    Case(models.rf_classifier, dict(features=X6, y=Y_LABELS, n_classes=2),
         dict(features=[NAN_X6, X6[0]], y=[Y_LABELS - 1, Y_LABELS[:5], Y_LABELS + 0.5],
              n_classes=[1, 2.5, "abc", True], parametrization=CHOICE, prior_exponent=FINITE,
              s_scale=POS), call=_model(models.rf_classifier)),
    Case(models.mlp_regression, dict(X=X6, y=Y6, width=4),
         dict(X=[NAN_X6, X6[0]], y=[Y6[:5], np.full(6, NAN)], width=COUNT, s_scale=POS,
              noise_scale=POS), call=_model(models.mlp_regression)),
    Case(models.check_regression_data, dict(X=X6, y=Y6),
         dict(X=[NAN_X6, X6[0], "abc"], y=[Y6[:5], np.full(6, NAN)])),
    Case(models.check_classification_data, dict(X=X6, y=Y_LABELS, n_classes=2),
         dict(X=[NAN_X6, X6[0]], y=[Y_LABELS - 1, Y_LABELS[:5], Y_LABELS + 0.5],
              n_classes=[1, 2.5, "abc", True])),
    Case(models.validate, dict(model=models.linear_regression, X=X6, y=Y6),
         dict(X=[NAN_X6, X6[0]], y=[Y6[:5], np.full(6, NAN)], model=["abc", None]),
         call=lambda model, X, y: models.validate(model, X, y)),
    # ------------------------------------------------------------------ bayes.collapsed
    Case(collapsed.collapsed_regression, dict(k=BSPEC.k, z=collapsed.rotate(BSPEC, Y6), width=3),
         dict(k=[-BSPEC.k, np.full(6, NAN)], z=[np.ones(5), np.full(6, NAN)], width=POS,
              prior_exponent=FINITE, readout_exponent=FINITE, s_scale=POS, noise_scale=POS),
         call=_model(collapsed.collapsed_regression)),
    Case(collapsed.collapsed_multiwidth, dict(ks=[BSPEC.k], zs=[Y6], widths=[3]),
         dict(ks=[[-BSPEC.k], []], zs=[[np.ones(5)]], widths=[[0], [NAN], [3, 4]],
              prior_exponent_bounds=[(1.0, 0.0), (NAN, 1.0)], prior_exponent=FINITE, s_scale=POS,
              noise_scale=POS, readout_exponent=FINITE,
              mask=[np.zeros(6, bool), np.ones(5, bool), np.ones(6), "abc"]),
         call=_model(collapsed.collapsed_multiwidth)),
    Case(collapsed.gram_spectrum, dict(blocks=X6), dict(blocks=[NAN_X6, X6[0], "abc"])),
    Case(collapsed.rotate, dict(spectrum=BSPEC, y=Y6),
         dict(spectrum=["abc", None], y=[Y6[:5], np.full(6, NAN)])),
    Case(collapsed.check_spectrum_data, dict(k=BSPEC.k, z=Y6),
         dict(k=[-BSPEC.k, np.full(6, NAN), "abc"], z=[np.ones(5), np.full(6, NAN)])),
    Case(collapsed.draw_weights,
         dict(spectrum=BSPEC, blocks=X6, y=Y6, prior_var=[1.0], noise_var=[1.0]),
         dict(spectrum=["abc"], blocks=[NAN_X6, X6[:, :2], "abc"], y=[Y6[:5], np.full(6, NAN)],
              prior_var=[[-1.0], [NAN], [0.0]], noise_var=[[0.0], [INF], [1.0, 1.0]],
              seed=COUNT0, readout_scale=POS)),
    Case(collapsed.relu_feature_blocks, dict(X=X6, width=4, seed=0),
         dict(X=[NAN_X6, X6[0]], width=COUNT, seed=COUNT0, block=COUNT)),
    Case(collapsed.array_blocks, dict(features=X6), dict(features=[NAN_X6, X6[0]], block=COUNT)),
    # ------------------------------------------------------------------ bayes.data
    Case(bdata.simulate_linear,
         dict(rng=np.random.default_rng(0), n_samples=5, width=3, s=1.0, prior_exponent=1.0,
              noise_sd=0.5),
         dict(rng=[0, "abc"], n_samples=COUNT, width=COUNT, s=NONNEG, prior_exponent=FINITE,
              noise_sd=NONNEG)),
    Case(bdata.digits_split, dict(n_train=50, n_test=50),
         dict(n_train=COUNT, n_test=COUNT, seed=COUNT0)),
    Case(bdata.sphere_teacher, dict(n_samples=5, input_dim=3, seed=0),
         dict(n_samples=COUNT, input_dim=COUNT + [1], seed=COUNT0, signal_var=NONNEG,
              noise_var=NONNEG)),
    Case(bdata.diabetes_split, dict(n_train=50), dict(n_train=COUNT + [442], seed=COUNT0)),
    # ------------------------------------------------------------------ bayes.diagnostics
    Case(diagnostics.check, dict(idata=IDATA),
         dict(idata=["abc", None], var_names=["s", [3]], rhat_max=[NAN, INF, 0.99, "abc"],
              ess_min=[NAN, INF, 0, "abc"], bfmi_min=[NAN, -1.0, "abc"],
              max_divergences=[NAN, -1, 0.5])),
    Case(diagnostics.require_ok,
         dict(report=diagnostics.Report(1.0, 500.0, 500.0, 0, 1.0, 100), what="fit"),
         dict(report=["abc", None], what=[3, None])),
    Case(diagnostics.ppc_pvalue,
         dict(y_obs=Y6, y_rep=np.tile(Y6, (4, 1)), statistic=np.max),
         dict(y_obs=[np.full(6, NAN), "abc"], y_rep=[np.ones((4, 5)), np.full((4, 6), NAN),
                                                      np.ones((0, 6))],
              statistic=["abc", None])),
    Case(diagnostics.loo_compare, dict(idatas={"a": IDATA, "b": IDATA}),
         dict(idatas=[{}, {"a": IDATA}, {"a": "abc", "b": IDATA}, "abc"])),
    Case(diagnostics.sbc, SBC_OK,
         dict(params=[[], "s", ["not_a_site"]], n_sims=[19, 0, 2.5], n_bins=[1, 0, 2.5],
              num_warmup=COUNT, num_samples=COUNT, thin=[0, 3, 2.5], seed=COUNT0,
              batch=COUNT, target_accept=OPEN01, max_tree_depth=COUNT, model=["abc", None],
              obs_site=["", 3]),
         call=_sbc, valid_in="tests/test_bayes.py::test_sbc_linear_regression_is_calibrated"),
    # ------------------------------------------------------------------ training.models
    Case(tmodels.architecture,
         dict(input_dim=3, width=4, depth=1, n_classes=2, parametrization="ntk"),
         dict(input_dim=COUNT, width=COUNT, depth=[0, 4, 2.5, "abc", True], n_classes=COUNT,
              parametrization=CHOICE)),
    Case(tmodels.n_penalized, dict(layers=LAYERS), dict(layers=[[], "abc", [1, 2]])),
    Case(tmodels.init_weights, dict(key=jax.random.PRNGKey(0), layers=LAYERS),
         dict(key=[-1, "abc", None], layers=[[], "abc"], init_std=[[1.0], [NAN, 1.0], [-1.0, 1.0]],
              dtype=["int32", "abc"])),
    Case(tmodels.apply, dict(weights=W_LAYERS, multipliers=MULTS, x=X6),
         dict(weights=[[], [np.ones((3, 4)), np.ones((5, 2))], [np.full((3, 4), NAN), np.ones((4, 2))]],
              multipliers=[[1.0], [NAN, 1.0]], x=[NAN_X6, X6[0], "abc"])),
    Case(tmodels.map_weights, dict(weights=W_LAYERS, layers_from=LAYERS, layers_to=LAYERS_STD),
         dict(weights=[[], [np.ones((3, 4)), np.ones((5, 2))], "abc"],
              layers_from=[(LAYERS[0], LAYERS[0]), "abc", []],
              layers_to=[(LAYERS[0], LAYERS[0]), "abc", []])),
    Case(tmodels.lr_factors,
         dict(layers=LAYERS, parametrization="ntk", optimizer="sgd", lr_scaling="mup",
              base_width=4),
         dict(layers=[[], "abc"], parametrization=CHOICE, optimizer=CHOICE, lr_scaling=CHOICE,
              base_width=COUNT)),
    # ------------------------------------------------------------------ training.data
    Case(tdata.digits, dict(n_train=50), dict(n_train=COUNT, split_seed=COUNT0)),
    Case(tdata.mnist1d, dict(n_train=50, num_samples=500, cache=None),
         dict(n_train=COUNT, split_seed=COUNT0, seed=COUNT0, num_samples=[99, 2.5, "abc", True],
              cache=[3, 2.5], classes=[[2], [2, 2], [2, 10], [-1, 3], [2.0, 3], "23", 5])),
    Case(tdata.load, dict(name="digits", n_train=50), dict(name=CHOICE + [["digits"], None])),
    Case(tdata.teacher, dict(n_train=20, n_test=30),
         dict(n_train=COUNT, n_test=COUNT, input_dim=COUNT, n_classes=[1, 0, 2.5, "abc", True],
              teacher_width=COUNT, temperature=POS, seed=COUNT0)),
    # ------------------------------------------------------------------ training.stationary
    Case(stationary.check_config, dict(config=stationary.StationaryConfig()),
         dict(config=["abc", None, stationary.StationaryConfig(iterations=0),
                      stationary.StationaryConfig(kink_tol=NAN)])),
    Case(stationary.meets_criterion,
         dict(result={"clarke_ratio": np.array([0.01, 0.5])}, criterion={"clarke_ratio": 0.03}),
         dict(result=[{}, "abc"], criterion=[{"clarke_ratio": NAN}, {"clarke_ratio": -1.0}, "abc",
                                             {}])),
    # ------------------------------------------------------------------ bayes.whitened
    Case(whitened.contrast_basis, dict(n_classes=3), dict(n_classes=[1, 0, 2.5, "abc", True])),
    Case(whitened.whiten, dict(features=X6, n_classes=2, parametrization="ntk"),
         dict(features=[NAN_X6, X6[0], "abc", np.zeros((6, 3))], n_classes=[1, 2.5, "abc"],
              parametrization=CHOICE, rtol=POS)),
    Case(whitened.linearly_separable, dict(features=X6, y=Y_LABELS, n_classes=2),
         dict(features=[NAN_X6, X6[0], "abc"], y=[Y_LABELS - 1, Y_LABELS + 0.5, Y_LABELS[:3]],
              n_classes=[1, 0, 2.5, "abc", True])),
    Case(whitened.log_predictive, dict(logits=np.zeros((2, 3, 4))),
         dict(logits=[np.full((2, 3, 4), np.nan), np.zeros((3, 4)), "abc", np.zeros((0, 3, 4))])),
    # ------------------------------------------------------------------ training.train
    Case(train.check_config, dict(config=train.TrainConfig()),
         dict(config=["abc", None, (1, 2)])),
    Case(train.TrainConfig, dict(),
         dict(optimizer=CHOICE + ["SGD"], steps=COUNT, momentum=[1.0, -0.1, NAN],
              b1=[1.0, -0.1, NAN], b2=[1.0, NAN], eps=POS, batch_size=COUNT),
         call=_train_config),
    Case(train.check_labels, dict(y=Y_LABELS, n_classes=2),
         dict(y=[Y_LABELS - 1, Y_LABELS + 0.5, Y_LABELS.reshape(2, 3)],
              n_classes=[1, 0, 2.5, "abc", True])),
    Case(train.check_dataset, dict(data=TDATA),
         dict(data=["abc", None, TDATA._replace(y_train=TDATA.y_train - 1),
                    TDATA._replace(x_train=np.full_like(TDATA.x_train, NAN))])),
    Case(train.check_seeds, dict(seeds=[0, 1]),
         dict(seeds=[3, "01", [], [-1], [True], [2.5], None])),
    Case(train.cross_entropy, dict(logits=np.zeros((6, 2)), y=Y_LABELS),
         dict(logits=[np.full((6, 2), NAN), np.zeros(6), np.zeros((6, 2, 1))],
              y=[Y_LABELS - 1, Y_LABELS + 2, Y_LABELS.reshape(2, 3), Y_LABELS + 0.5])),
    Case(train.penalty, dict(weights=W_LAYERS, rho=[1.0, 1.0]),
         dict(weights=[[np.full((3, 4), NAN), np.ones((4, 2))]], rho=[[1.0], [NAN, 1.0],
                                                                     [-1.0, 1.0]])),
    Case(train.objective,
         dict(weights=W_LAYERS, multipliers=MULTS, x=X6, y=Y_LABELS, lam_sum=0.1, rho=[1.0, 1.0]),
         dict(lam_sum=NONNEG, rho=[[1.0], [NAN, 1.0]], y=[Y_LABELS - 1, Y_LABELS[:5]],
              x=[NAN_X6, X6[:, :2]])),
    Case(train.sweep, SWEEP_OK,
         dict(data=["abc", TDATA._replace(y_train=TDATA.y_train - 1)], layers=[[], "abc"],
              lam_sums=[[NAN], [-1.0], [], [[1.0]]], seeds=[[], [-1], [2.5], "abc"],
              lr=[NAN, -1.0, 0.0, "abc"], base_lr=POS + [[0.1, 0.2]], config=["abc"],
              rho=[[NAN], [-1.0, 1.0]],
              dtype=["int32", "abc"], chunk=COUNT),
         valid_in="tests/test_training.py::test_vmapped_sweep_equals_python_loop"),
    Case(train.sweep_loop, SWEEP_OK,
         dict(data=["abc"], layers=[[], "abc"], lam_sums=[[NAN], [-1.0], []],
              seeds=[[], [-1], "abc"], lr=[NAN, -1.0, 0.0], base_lr=POS, config=["abc"],
              dtype=["int32"]),
         valid_in="tests/test_training.py::test_vmapped_sweep_equals_python_loop"),
    Case(train.draw_noise, dict(seeds=[0, 1], shapes=((3, 4),), steps=2, batch_size=None,
                                n_train=6, dtype=np.float64),
         dict(seeds=[[], [-1], [2.5], "abc"], shapes=[((3, -4),), "abc"], steps=COUNT0,
              batch_size=[0, 7, 2.5], n_train=COUNT)),
    Case(train.chunk_size, dict(n_lams=9, n_seeds=3, n_train=200, width=16),
         dict(n_lams=COUNT, n_seeds=COUNT, n_train=COUNT, width=COUNT)),
    # ------------------------------------------------------------------ training.experiment
    Case(experiment.lam_star, dict(lams=np.logspace(-4, 0, 5), losses=np.arange(5.0)),
         dict(lams=[np.array([1.0, NAN, 2.0, 3.0, 4.0]), -np.ones(5), np.ones(4), []],
              losses=[np.ones(4), "abc"])),
    Case(experiment.unique_names, dict(settings=[experiment.Setting(), experiment.Setting(depth=2)]),
         dict(settings=[[experiment.Setting(), experiment.Setting(lr=0.5)], ["abc"], [None]])),
    Case(experiment.fit_exponent, dict(widths=[16, 64, 256], lam_stars=[1e-3, 4e-3, 1.6e-2]),
         dict(widths=[[16, NAN, 256], [16, -1, 256], [16], [16, 16, 16]],
              lam_stars=[[1e-3, NAN, 1.0], [1e-3, 0.0, 1.0], [1e-3, 1.0]])),
    Case(experiment.fit_lam_stars, dict(xs=[1, 10, 100], lams=FLS_LAMS, test=FLS_TEST),
         dict(xs=[[1, NAN, 100], [1, -1, 100], [1, 10], [1, 1, 1], "abc"],
              lams=[FLS_LAMS[:5], -FLS_LAMS, np.full(17, NAN), "abc",
                    np.ones_like(FLS_LAMS)],
              test=[FLS_TEST[..., :1], FLS_TEST.astype(int), FLS_TEST[:2], "abc"])),
    Case(experiment.rule_lambdas,
         dict(setting=experiment.Setting(), lam_small=1e-3, width_from=16, width_to=64,
              p_from=100, p_to=400),
         dict(setting=["abc", None], lam_small=POS, width_from=POS, width_to=POS, p_from=COUNT,
              p_to=COUNT)),
    Case(experiment.run_setting,
         dict(setting=experiment.Setting(dataset="teacher"), widths=[4, 8], seeds=[0, 1], steps=2,
              n_train=20),
         dict(setting=["abc", None], widths=[[8, 4], [0, 4], [], [4.5, 8]],
              seeds=[[], [-1], "abc"], steps=COUNT, n_train=COUNT, n_grid=COUNT,
              grid_step=POS, n_extra=COUNT0, batch_size=[0, 2.5]),
         valid_in="training/experiment.py doctest of run_setting"),
    Case(experiment.Setting, dict(dataset="teacher"),
         dict(dataset=CHOICE, depth=[0, 4, 2.5, True], parametrization=CHOICE,
              optimizer=CHOICE + ["SGD"], lr=POS, lr_scaling=CHOICE, base_width=COUNT,
              grid_center=POS, grid_exponent=FINITE),
         call=_setting),
    Case(experiment.check_setting, dict(setting=experiment.Setting()),
         dict(setting=["abc", None, ("digits", 1)])),
    Case(tmodels.check_layers, dict(layers=LAYERS),
         dict(layers=[[], "abc", [1, 2], (LAYERS[0], LAYERS[0]), LAYERS[0]])),
    # ------------------------------------------------------------------ training.normalized
    Case(normalized.NormConfig, dict(),
         dict(optimizer=CHOICE + ["SGD"], steps=COUNT, lr=POS, momentum=MOMENTUM,
              b1=MOMENTUM, b2=MOMENTUM, eps=POS, ln_eps=NONNEG, record=FLAG),
         call=_norm_config),
    Case(normalized.check_norm_config, dict(config=normalized.NormConfig()),
         dict(config=["abc", None, (1, 2), normalized.NormConfig(steps=0),
                      normalized.NormConfig(record="yes")])),
    Case(normalized.shapes, dict(input_dim=3, width=4, depth=1, n_classes=2),
         dict(input_dim=COUNT, width=[1] + COUNT, depth=COUNT, n_classes=[1] + COUNT)),
    Case(normalized.init_std, dict(layer_shapes=[(3, 4), (4, 2)]),
         dict(layer_shapes=[[], "abc", 5, [(0, 4), (4, 2)], [(3.5, 4), (4, 2)], [(3, 4, 1)],
                            [(True, 4)], [(3, 4), "ab"]])),
    Case(normalized.layer_norm, dict(z=X6),
         dict(z=[NAN_X6, "abc", 1.0, np.ones((2, 3))], eps=NONNEG)),
    Case(normalized.apply, dict(weights=W_NORM, x=X6),
         dict(weights=[[], W_NORM[:1], [np.ones((3, 4)), np.ones((5, 2))], "abc",
                       [np.full((3, 4), NAN), W_NORM[1]]],
              x=[NAN_X6, X6[0], X6[:, :2], "abc"], ln_eps=NONNEG)),
    Case(normalized.sweep, NORM_SWEEP_OK,
         dict(data=["abc", TDATA._replace(y_train=TDATA.y_train - 1)], width=[1] + COUNT,
              depth=COUNT, lams=[[NAN], [-1.0], [], [[1.0]], "abc"],
              seeds=[[], [-1], [2.5], "abc"], config=["abc", normalized.NormConfig(steps=0)],
              dtype=["int32", "abc"]),
         valid_in="training/normalized.py doctest of sweep; tests/test_norm_layers.py"),
    # ------------------------------------------------------------------ training.camps
    Case(camps.camp_lambdas,
         dict(lam0=0.5, layers_from=LAYERS_STD, layers_to=LAYERS_STD8,
              optimizer="adamw-coupled", lr_scaling="mup"),
         dict(lam0=POS + [[0.5, 1.0]], layers_from=[[], "abc", [1, 2]],
              layers_to=[[], "abc", LAYERS_STD8[:1], LAYERS], optimizer=CHOICE + ["sgd"],
              lr_scaling=CHOICE)),
    Case(camps.run_camps, CAMPS_OK,
         dict(dataset=CHOICE, n_train=COUNT, depth=[0, 4, 2.5, True, "abc"],
              optimizer=CHOICE + ["sgd"], lr_scaling=CHOICE, lr=POS,
              widths=[[32, 8], [0, 8], [], [4.5, 8], [8], "abc"],
              seeds=[[], [0], [-1, 0], [2.5, 1], "abc"], steps=COUNT + [3],
              grid_center=POS, grid_exponent=FINITE, n_grid=COUNT + [2], grid_step=POS,
              log=["abc", 3]),
         valid_in="training/camps.py doctest of run_camps; tests/test_camps.py"),
]  # fmt: skip

#: functions whose owners are changing them now (training/stationary.py): fuzzed once their
#: validation lands -- listed, not silently skipped
PENDING = {
    stationary.diagnose: "compiles an L-BFGS/GD program per call; its checks (check_config, meets_criterion, _prepare) are tested in tests/test_validation.py and test_stationary.py",
    stationary.stationary_sweep: "compiles an L-BFGS/GD program per call; its checks (check_config, meets_criterion, _prepare) are tested in tests/test_validation.py and test_stationary.py",
    stationary.budget_sweep: "compiles an L-BFGS/GD program per call; its checks (check_config, meets_criterion, _prepare) are tested in tests/test_validation.py and test_stationary.py",
    stationary.evaluate: "compiles an L-BFGS/GD program per call; its checks (check_config, meets_criterion, _prepare) are tested in tests/test_validation.py and test_stationary.py",
    stationary.StationaryConfig: "a NamedTuple of settings: checked by check_config (fuzzed) "
    "where a sweep starts",
    tuning.tune_depth: "runs the compiled sweeps of training.stationary per width (minutes); "
    "its networks and λ grids are checked there and by training.models.architecture",
    train.train_run: "traced inside jax.jit: its arguments are checked by sweep (fuzzed)",
}

#: modules added while this table was written (untracked then): rows to add when they land;
#: and the shared argument checks, file writes and macro registry themselves (every row above
#: exercises theory.checks; theory.files and theory.latex are tested in tests/test_validation.py
#: and tests/test_latex.py)
PENDING_MODULES: dict[str, str] = {
    "theory.checks": "the argument checks every row above runs",
    "theory.files": "atomic writes: tests/test_validation.py",
    "theory.latex": "the macro registry: tests/test_latex.py",
    "theory.glossary": "a table of names (Entry holds two strings): tests/test_glossary.py",
}

#: fuzzed by their own tests
ELSEWHERE = {
    whitened.rf_classifier_whitened: "a NumPyro model traced by NUTS: its data are checked "
    "before sampling by run_nuts(validate=...); equivalence tested in tests/test_whitened.py",
    whitened.ClassMajorCategorical: "a NumPyro distribution: logits_t checked at construction, "
    "values by validate_args (tests/test_whitened.py::test_class_major_categorical_is_categorical)",
    whitened.predict_logits: "shapes checked against the Whitening "
    "(tests/test_whitened.py::test_bad_input_names_the_argument)",
    whitened.posterior_log_predictive: "shapes and chunk checked against the Whitening "
    "(tests/test_whitened.py::test_bad_input_names_the_argument)",
    transfer.main: "the command line: bad options exit with status 2 and a message naming the "
    "option (tests/test_transfer.py::test_cli_rejects_bad_input_with_a_clear_message)",
}

# result records (NamedTuple / dataclass containers that hold computed values), an exception,
# and SymPy's function class: no argument of theirs is an input to validate
RECORDS = {
    collapsed.Spectrum, diagnostics.Report, diagnostics.SBCResult, diagnostics.DiagnosticError,
    cls.GCMLogistic, cls.LambdaStar, cls.Spectrum, evidence.EvidenceFit,
    linear.MonteCarloRisk, random_features.GaussianEquivalence, random_features.WidthExponents,
    transfer.Transfer, transfer.TensorTransfer, transfer.ModelTransfer, transfer.ExactTransfer,
    tdata.Dataset,
    tmodels.Layer, networks.phi, whitened.Whitening,
}  # fmt: skip


def _public_callables() -> dict[str, Callable]:
    """Every callable in the ``__all__`` of the packages and their public modules."""
    found: dict[int, tuple[str, Callable]] = {}
    for pkg in (theory, bayes, training):
        mods = [pkg]
        for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
            if not info.name.rsplit(".", 1)[-1].startswith("_"):
                mods.append(importlib.import_module(info.name))
        for mod in mods:
            for name in getattr(mod, "__all__", ()):
                obj = getattr(mod, name)
                if callable(obj) and not inspect.ismodule(obj):
                    found.setdefault(id(obj), (f"{mod.__name__}.{name}", obj))
    return dict(found.values())


def _takes_no_arguments(obj) -> bool:
    """A function (or cached function) of no arguments: no input to be bad."""
    return not inspect.isclass(obj) and not inspect.signature(obj).parameters


def test_every_public_function_is_fuzzed():
    covered = {id(c.fn) for c in CASES} | {id(f) for f in (*PENDING, *ELSEWHERE, *RECORDS)}
    missing = sorted(
        name
        for name, obj in _public_callables().items()
        if id(obj) not in covered
        and not _takes_no_arguments(obj)
        and name.rsplit(".", 1)[0] not in PENDING_MODULES
    )
    assert not missing, f"public functions with no row in tests/test_fuzz.py CASES: {missing}"
    for record in RECORDS:
        assert inspect.isclass(record), record


def _ids(cases):
    return [c.id for c in cases]


def _leaves(value):
    """The numbers in a (nested) result."""
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _leaves(getattr(value, f.name))
    elif isinstance(value, (tuple, list)):
        for v in value:
            yield from _leaves(v)
    elif isinstance(value, (str, bytes, bool, type(None))):
        return
    else:
        yield value


def _assert_plain_numbers(case: Case, result) -> None:
    """Numeric APIs return Python/NumPy numbers: no SymPy objects anywhere in the result."""
    if case.symbolic:
        return
    for leaf in _leaves(result):
        assert not isinstance(leaf, sp.Basic), f"{case.id} returned SymPy {leaf!r} ({type(leaf)})"


CHEAP = [c for c in CASES if c.valid_in is None]


@pytest.mark.parametrize("case", CHEAP, ids=_ids(CHEAP))
def test_the_valid_call_succeeds_with_plain_numbers(case):
    _assert_plain_numbers(case, case(**case.valid))


def _names_argument_and_value(message: str, arg: str, value) -> bool:
    if arg not in message:
        return False
    if isinstance(value, (bool, int, float, str)) and value is not None:
        return str(value) in message or repr(value) in message
    return True


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
@settings(max_examples=6, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_bad_values_are_rejected_naming_the_argument(case, data):
    arg = data.draw(st.sampled_from(sorted(case.bad)), label="argument")
    value = data.draw(st.sampled_from(case.bad[arg]), label="value")
    with pytest.raises((ValueError, TypeError)) as exc:
        case(**(case.valid | {arg: value}))
    message = str(exc.value)
    assert _names_argument_and_value(message, arg, value), f"{case.id}({arg}={value!r}): {message}"


EXTREME = [c for c in CASES if c.extreme]


def check_extreme_call(case: Case, kwargs: dict, arg: str) -> None:
    """A finite result (plain numbers), or an error naming ``arg``; never a silent inf/NaN.

    The error is a ``ValueError`` (an over- or underflow, named by :func:`check_representable`)
    or, from an iterative solver that cannot reach its fixed point at such an input, the
    ``RuntimeError`` its docstring states -- also naming the argument.
    """
    try:
        result = case(**kwargs)
    except (ValueError, RuntimeError) as exc:
        assert arg in str(exc), f"{case.id}({arg}={kwargs[arg]!r}) -> {exc!r}"
        return
    _assert_plain_numbers(case, result)
    if case.nonfinite_ok is not None and case.nonfinite_ok(kwargs, result):
        return
    for leaf in _leaves(result):
        values = np.asarray(leaf, dtype=np.float64)
        assert np.all(np.isfinite(values)), f"{case.id}(**{kwargs!r}) -> silent {result!r}"


@pytest.mark.parametrize("case", EXTREME, ids=_ids(EXTREME))
@settings(max_examples=8, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_extreme_finite_input_gives_a_finite_answer_or_names_the_argument(case, data):
    arg = data.draw(st.sampled_from(sorted(case.extreme)), label="argument")
    value = data.draw(case.extreme[arg], label="value")
    check_extreme_call(case, case.valid | {arg: value}, arg)
