"""The published logistic-regression constants this module reproduces, as the paper's macros.

Our values, computed by the fixed point (:func:`theory.classification.logistic_from_spectrum`)
and the separability threshold (:func:`theory.classification.separability_ratio`) with the
logit teacher; the published values they are compared with (Sur & Candès 2019 constants and
the Candès–Sur frontier, as pinned by ``google-research/sloe-logistic``'s tests) are quoted in
``tests/test_classification_published.py``, which checks them to 1e-3.
"""

from __future__ import annotations

import functools
import math

from scipy.optimize import brentq

from theory._macros import register

_LAM_L = 1e-7  # λ_L → 0⁺: the MLE (it exists below the frontier)


@functools.cache
def mle_constants(kappa: float, gamma2: float) -> tuple[float, float, float]:
    """Sur–Candès ``(α⋆, λ⋆, √κ σ⋆)`` of the logistic MLE at ``p/N = kappa``, ``γ² = gamma2``."""
    from theory.classification._api import gaussian_spectrum, logistic_from_spectrum
    from theory.classification._convert import from_loureiro

    p = 100  # the limit is size-free; only N/p enters
    n = p / kappa
    r = logistic_from_spectrum(
        gaussian_spectrum(p, signal_var=gamma2),
        n_samples=n,
        lam=from_loureiro(_LAM_L, n_samples=n),
        teacher="logit",
    )
    return float(r.m / r.rho), float(r.V), math.sqrt(float(r.q - r.m**2 / r.rho))


@functools.cache
def frontier_gamma(kappa: float) -> float:
    """Signal strength γ at which the logistic MLE stops existing at ``p/N = kappa``."""
    from theory.classification._symbolic import separability_ratio

    return float(
        brentq(
            lambda g: separability_ratio(0.0, rho=g * g, teacher="logit") - kappa,
            1.0,
            25.0,
            xtol=1e-10,
        )  # fmt: skip
    )


for _i, _name in enumerate(("Alpha", "Lambda", "Sigma")):
    register(f"CESurCandes{_name}", f"Sur-Candes MLE constant {_name} at p/N = 0.2, gamma^2 = 5")(
        lambda i=_i: f"{mle_constants(0.2, 5.0)[i]:.4f}"
    )
register("CEFrontierLow", "Candes-Sur MLE frontier gamma at p/N = 0.1")(
    lambda: f"{frontier_gamma(0.1):.4f}"
)
register("CEFrontierHigh", "Candes-Sur MLE frontier gamma at p/N = 0.2")(
    lambda: f"{frontier_gamma(0.2):.4f}"
)
