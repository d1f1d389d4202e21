"""Steps shared by the Bayesian figures: a simulated data set in the collapsed model's
coordinates, and a NUTS run that must pass its diagnostics before anything is plotted."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bayes import collapsed, diagnostics, inference
from bayes.data import simulate_linear

#: per-run diagnostics the figures keep (:class:`bayes.diagnostics.Report` attributes)
REPORT_STATS = ("rhat_max", "ess_bulk_min", "ess_tail_min", "divergences")


def simulated_spectrum(rng: np.random.Generator, **simulate_kwargs):
    """``(X, y, spectrum, z)``: :func:`bayes.data.simulate_linear` data, the eigenvalues of
    its Gram matrix and ``y`` rotated into their eigenbasis (the collapsed model's input)."""
    X, y, _ = simulate_linear(rng, **simulate_kwargs)
    spec = collapsed.gram_spectrum(X)
    return X, y, spec, collapsed.rotate(spec, y)


def checked_nuts(
    model, *args, var_names: Sequence[str], ess_min: float, rhat_max: float, label: str, **kwargs
):
    """:func:`bayes.inference.run_nuts`, then :func:`bayes.diagnostics.require_ok` on
    ``var_names``: ``(idata, report)``, or ``DiagnosticError`` naming ``label``.

    A Bayes figure's ``compute`` takes its sampler's ``CONFIG`` entries (``num_warmup``,
    ``num_samples``, ``num_chains``, ``ess_min``, ``rhat_max``) as ``**sampler`` and passes
    them on here as they are."""
    idata = inference.run_nuts(model, *args, label=label, **kwargs)
    report = diagnostics.require_ok(
        diagnostics.check(idata, list(var_names), ess_min=ess_min, rhat_max=rhat_max), label
    )
    return idata, report


def append_report(rows: dict[str, list], tag: str, report) -> None:
    """Append ``report``'s :data:`REPORT_STATS` to ``rows["<stat>/<tag>"]``."""
    for stat in REPORT_STATS:
        rows.setdefault(f"{stat}/{tag}", []).append(getattr(report, stat))
