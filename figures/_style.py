"""Shared matplotlib style, sized for a two-column paper (column 3.4 in, page 7.0 in)."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from theory.files import atomic_path  # noqa: E402

__all__ = [
    "mc_markers",
    "COLUMN_WIDTH",
    "PAGE_WIDTH",
    "COLORS",
    "OTHER_COLORS",
    "LINESTYLES",
    "LABELS",
    "PAIRS_IN_DRAWING_ORDER",
    "pair_line",
    "style",
    "new_figure",
    "log_axes",
    "save",
]

COLUMN_WIDTH = 3.4  # inches, one column of a two-column paper
PAGE_WIDTH = 7.0  # inches, both columns

#: one color per parametrization, one line style per normalization, used by every figure
COLORS = {"standard": "#0072B2", "ntk": "#D55E00", "mean_field": "#009E73"}
LINESTYLES = {"sum": "-", "mean": "--"}
#: colors for series that are *not* parametrizations (normalizations, tasks, prior
#: families...): none of them may be mistaken for one of ``COLORS``
OTHER_COLORS = ("0.15", "#CC79A7", "#6A3D9A", "0.55")
LABELS = {
    "standard": "standard",
    "ntk": "NTK",
    "mean_field": "mean-field",
    "sum": "sum",
    "mean": "mean",
}

#: the (parametrization, normalization) pairs in the order to draw them where pairs coincide
#: (standard + sum = NTK + mean, NTK + sum = mean-field + mean): each solid sum curve, wide
#: and translucent, just before its dashed mean twin, so both stay visible
PAIRS_IN_DRAWING_ORDER = (
    ("standard", "sum"),
    ("ntk", "mean"),
    ("ntk", "sum"),
    ("mean_field", "mean"),
    ("mean_field", "sum"),
    ("standard", "mean"),
)


def pair_line(par: str, norm: str) -> dict:
    """Line keywords of a (parametrization, normalization) curve: color by parametrization,
    line style by normalization; sum curves wide and translucent, so that a coinciding
    dashed mean curve drawn on top leaves both visible."""
    solid = norm == "sum"
    return {
        "color": COLORS[par],
        "ls": LINESTYLES[norm],
        "lw": 2.8 if solid else 1.2,
        "alpha": 0.55 if solid else 1.0,
    }


RC = {
    "font.size": 8,
    "axes.labelsize": 8,
    "axes.titlesize": 8,
    "legend.fontsize": 7,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "lines.linewidth": 1.2,
    "lines.markersize": 3.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "figure.dpi": 100,
    "savefig.dpi": 300,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.02,
    "pdf.fonttype": 42,
}


@contextmanager
def style():
    """Context in which figures are drawn."""
    with plt.rc_context(RC):
        yield


def new_figure(width: str = "column", height: float = 2.2, ncols: int = 1, nrows: int = 1, **kw):
    """``(fig, axes)`` of the paper's ``"column"`` or ``"page"`` width; ``height`` in inches."""
    w = {"column": COLUMN_WIDTH, "page": PAGE_WIDTH}[width]
    return plt.subplots(nrows, ncols, figsize=(w, height), constrained_layout=True, **kw)


def log_axes(ax, x: bool = True, y: bool = True) -> None:
    """Log scale without minor tick labels (they collide on axes spanning < 2 decades)."""
    from matplotlib.ticker import NullFormatter

    if x:
        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(NullFormatter())
    if y:
        ax.set_yscale("log")
        ax.yaxis.set_minor_formatter(NullFormatter())


def width_axes(ax, *, ylabel: str, title: str, **kw) -> None:
    """Log-log axes over the width: x label ``width $P$``, ``ylabel`` and ``title``; ``kw``
    (limits, say) goes to ``ax.set`` as well."""
    ax.set(xscale="log", yscale="log", xlabel="width $P$", ylabel=ylabel, title=title, **kw)


def mc_markers(ax, x, mean, se, color, **kw):
    """Monte Carlo estimates as open markers with ±2 standard-error bars (every figure's
    convention for simulation against theory); ``kw`` overrides the marker style."""
    style = {"fmt": "o", "ms": 2.5, "mfc": "white", "elinewidth": 0.7, "capsize": 0} | kw
    return ax.errorbar(x, mean, yerr=2 * np.asarray(se), color=color, **style)


def save(fig, directory: Path, name: str) -> list[Path]:
    """Save ``fig`` as ``name.pdf`` and ``name.png`` atomically, without timestamps; close it."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for ext, meta in (
        ("pdf", {"CreationDate": None, "ModDate": None}),
        ("png", {"Software": None}),
    ):
        path = directory / f"{name}.{ext}"
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=ext, metadata=meta)
        paths.append(path)
    plt.close(fig)
    return paths
