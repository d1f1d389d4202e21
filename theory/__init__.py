"""Exact derivations of how the L2 strength λ must scale with model size.

Submodules (each a set of SymPy derivations plus generated numeric functions):

- :mod:`theory.prior` -- λ ⇔ Gaussian prior variance, sum ⇔ mean, and converters
  to scikit-learn, MacKay and optimizer weight-decay conventions;
- :mod:`theory.parametrization` -- standard / NTK / mean-field readouts, the width
  exponent of λ*, and :func:`~theory.parametrization.transfer_lambda`;
- :mod:`theory.linear` -- ridge: finite-N Bayes λ*, Marchenko–Pastur asymptotic risk,
  λ*, ridgeless limits, one-SVD Monte Carlo;
- :mod:`theory.evidence` -- marginal likelihood and the type-II maximum-likelihood λ;
- :mod:`theory.random_features` -- random-features ridge: Mei–Montanari asymptotics,
  ridgeless and wide limits, tuned λ* and its width exponents in every convention;
- :mod:`theory.networks` -- every weight of a deep bias-free ReLU network penalized:
  the rescaling onto the multiplier-free network, per-layer λ through their geometric
  mean, and the width exponent of λ* for any depth.

Shared plumbing lives here too, in the layer :mod:`bayes` and :mod:`training` both
import (they may not import each other): :mod:`theory.checks` (argument checks),
:mod:`theory.files` (atomic writes) and ``theory._shard`` (the lanes of a sweep or an SBC
batch split over every JAX device).

Conventions: ``../shared/DESIGN.md`` §2 -- loss ``(1/N) Σ (y - f)²`` (no ½),
penalty ``λ R(w)`` (no ½).
"""

import importlib as _importlib
from importlib.metadata import PackageNotFoundError as _NotFound
from importlib.metadata import version as _version

from theory import (
    classification,
    evidence,
    linear,
    networks,
    parametrization,
    prior,
    random_features,
)
from theory.parametrization import transfer_lambda, width_exponent
from theory.prior import prior_variance

try:
    __version__ = _version("l2scale")
except _NotFound:  # a source tree that was not installed
    __version__ = "0+unknown"


def __getattr__(name: str):
    # theory.transfer is a command-line module (``python -m theory.transfer``): importing it
    # with the package would make runpy warn, so it is loaded on first attribute access
    if name == "transfer":
        return _importlib.import_module("theory.transfer")
    raise AttributeError(f"module 'theory' has no attribute {name!r}")


__all__ = [
    "__version__",
    "classification",
    "transfer",
    "evidence",
    "linear",
    "networks",
    "parametrization",
    "prior",
    "prior_variance",
    "random_features",
    "transfer_lambda",
    "width_exponent",
]
