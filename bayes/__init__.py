"""Bayesian view of L2: NumPyro models whose Gaussian prior variance scales with width.

- :mod:`bayes.models` -- linear, random-features (regression and cross-entropy
  classification) and one-hidden-layer MLP models with width-scaled priors;
- :mod:`bayes.collapsed` -- weights integrated out after one eigendecomposition
  (O(N) per log-density), exact conditional weight draws, the multi-width κ model;
- :mod:`bayes.whitened` -- the cross-entropy random-features classifier in exact whitened
  coordinates (singular basis, class contrasts) and an exact linear-separability test;
- :mod:`bayes.inference` -- NUTS runs returning ArviZ InferenceData;
- :mod:`bayes.diagnostics` -- R-hat, ESS, divergences, BFMI, predictive checks,
  PSIS-LOO, simulation-based calibration.

Importing the package changes no global JAX state.  Entry points (the figures CLI, the
tests' conftest, the benchmarks) call :func:`bayes.setup` first: it asks XLA for one host
device per CPU core, so chains run in parallel, and turns on float64 (the models are
written for float64 data); it only takes full effect before JAX starts a backend.
Depends on :mod:`theory` only (DESIGN §4).
"""

from bayes import collapsed, diagnostics, inference, models
from bayes.inference import setup

__all__ = ["collapsed", "diagnostics", "inference", "models", "setup"]
