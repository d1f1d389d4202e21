r"""λ conventions of the cross-entropy literature, derived by matching gradients.

Ours: ``(1/N) Σ ℓ(y_i w·x_i/√p) + λ Σ w²``.  Loureiro et al. 2021 / Aubin et al. 2020 /
Salehi et al. 2019 (their student is the same ``w·x/√p``): ``Σ ℓ + (λ_L/2)‖w‖²``, so
``λ_L = 2Nλ``.  scikit-learn ``LogisticRegression(C, fit_intercept=False)`` fitted on the raw
features ``x`` minimizes ``C Σ ℓ(y v·x) + ½‖v‖²`` with ``v = w/√p`` (its ``coef_``), so
``C = 1/(2Nλp)``; fitted on ``x/√p`` its ``coef_`` is ``w`` and ``C = 1/(2Nλ)``.

>>> to_loureiro(1e-3, n_samples=500)
1.0
>>> to_sklearn_C(1e-3, n_samples=500, n_features=100)
0.01
"""

from __future__ import annotations

from functools import cache

import numpy as np
import sympy as sp

from theory import _symbols as S
from theory._numeric import lambdify
from theory.checks import check_positive, check_representable
from theory.prior import g, match_gradients

#: λ of Loureiro et al. (2021) in ``Σ ℓ + (λ/2)‖w‖²``
lam_loureiro = sp.Symbol(r"\lambda_{\mathrm{L}}", positive=True)
#: scikit-learn ``LogisticRegression(C=...)``
sk_C = sp.Symbol(r"C_{\mathrm{sk}}", positive=True)


def _grad_ours() -> sp.Expr:
    """∂/∂w_j of ``(1/N) Σ ℓ + λ Σ w²`` (``g`` = ∂ Σ ℓ / ∂ w_j)."""
    return g / S.N + 2 * S.lam * S.w


@cache
def loureiro_lambda_expr() -> sp.Expr:
    """``λ_L`` of ``Σ ℓ + (λ_L/2)‖w‖²`` (same student ``w·x/√p``) in terms of our λ."""
    sol = match_gradients(_grad_ours(), g + lam_loureiro * S.w, [S.k, lam_loureiro])
    return sol[lam_loureiro]


@cache
def sklearn_C_expr() -> sp.Expr:
    """``C`` of scikit-learn fitted on raw ``x``: ``C Σ ℓ + ½‖v‖²`` with ``v = w/√p``.

    In ``w`` that objective is ``C Σ ℓ + ‖w‖²/(2p)``, whose gradient is ``C g + w/p``.
    """
    sol = match_gradients(_grad_ours(), sk_C * g + S.w / S.P, [S.k, sk_C])
    return sol[sk_C]


@cache
def _fns():
    lam_l, c = loureiro_lambda_expr(), sklearn_C_expr()
    (inv_l,) = sp.solve(sp.Eq(lam_loureiro, lam_l), S.lam)
    (inv_c,) = sp.solve(sp.Eq(sk_C, c), S.lam)
    return {
        "to_l": lambdify(lam_l, [S.lam, S.N]),
        "from_l": lambdify(inv_l, [lam_loureiro, S.N]),
        "to_c": lambdify(c, [S.lam, S.N, S.P]),
        "from_c": lambdify(inv_c, [sk_C, S.N, S.P]),
    }


def _out(x) -> float | np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return float(x) if x.ndim == 0 else x


def _convert(fn: str, what: str, **inputs) -> float | np.ndarray:
    """``_fns()[fn]`` of the checked (positive) ``inputs``; an over- or underflow names them."""
    values = [check_positive(name, value) for name, value in inputs.items()]
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        out = _fns()[fn](*values)
    return _out(check_representable(out, what=what, inputs=inputs, positive=True))


def to_loureiro(lam, *, n_samples) -> float | np.ndarray:
    """``λ_L = 2Nλ`` of ``Σ ℓ + (λ_L/2)‖w‖²``."""
    return _convert("to_l", "Loureiro lambda", lam=lam, n_samples=n_samples)


def from_loureiro(lam_l, *, n_samples) -> float | np.ndarray:
    """Our λ from Loureiro et al.'s (Aubin et al.'s, Salehi et al.'s) ``λ``.

    >>> from_loureiro(1.0, n_samples=500)
    0.001
    """
    return _convert("from_l", "lambda", lam_l=lam_l, n_samples=n_samples)


def to_sklearn_C(lam, *, n_samples, n_features) -> float | np.ndarray:
    """``C`` of ``LogisticRegression(C, fit_intercept=False)`` fitted on the raw features;
    its ``coef_`` is then ``w/√p``.  Fit on ``x/√p`` instead: pass ``n_features=1``."""
    return _convert("to_c", "sklearn C", lam=lam, n_samples=n_samples, n_features=n_features)


def from_sklearn_C(C, *, n_samples, n_features) -> float | np.ndarray:
    """Inverse of :func:`to_sklearn_C`."""
    return _convert("from_c", "lambda", C=C, n_samples=n_samples, n_features=n_features)
