r"""Per-tensor λ and weight decay for a whole model, from its parameter shapes at two widths.

:func:`transfer_model` (re-exported by :mod:`theory.transfer`) reads two shape trees (nested
mappings name → shape, e.g. ``{k: tuple(v.shape) for k, v in model.state_dict().items()}`` or
``jax.tree.map(jnp.shape, params)``), infers each tensor's kind from which dimensions change,
and returns per tensor the λ to use at the target, the ``weight_decay`` number to give the
optimizer, and the rule that produced it.

Conventions (DESIGN §2).  The objective is ``(1/N) Σ_i ℓ_i + Σ_l λ_l R_l`` with
``R_l = ‖W_l‖²`` (``normalization="sum"``) or ``‖W_l‖² / P_total`` (``"mean"``), no factor ½;
``P_total`` is the number of entries of *every* tensor in the tree (the tree lists the
penalized tensors: leave out what you do not penalize), counted exactly at each width.
The gradient of ``λ‖w‖²`` is ``2λw``, so:

* **L2 in the loss** (``optimizer="sgd"``; also ``torch.optim.Adam``'s ``weight_decay``,
  which is L2 in the gradient too): ``torch.optim.SGD(..., weight_decay=wd)`` and
  ``optax.chain(optax.add_decayed_weights(wd), <optimizer>)`` add ``wd·w`` to the gradient of
  the mean loss (``reduction="mean"``), so ``wd = 2 λ_sum``.
* **Decoupled decay** (``adamw-*``): ``torch.optim.AdamW(lr=η_l, weight_decay=wd)`` and
  ``optax.adamw(η_l, weight_decay=wd)`` both step ``w ← w − η_l (adam + wd·w)``: the
  per-step shrink is ``η_l·wd``.  ``"adamw-coupled"`` reads λ as ``wd = 2λ_sum`` (the shrink
  is ``2 η_l λ``); ``"adamw-independent"`` reads λ as a shrink ``2 η_0 λ`` independent of the
  per-tensor rate ``η_l = η_0 · lr_factor``, i.e. ``wd = 2λ / lr_factor`` in torch/optax.

The returned ``weight_decay`` is that number, the same in PyTorch and optax.

Kinds (``layout``: ``"in_out"`` = ``(…, fan_in, fan_out)`` as Flax/Haiku kernels and
:mod:`training.models`; ``"out_in"`` = ``(fan_out, fan_in, …)`` as ``torch.nn.Linear``/``Conv``
and Equinox; other dimensions, e.g. a convolution's window, must not change):

=========  =============================================  ==================================
kind       shapes                                         width ratio ``r`` of the tensor
=========  =============================================  ==================================
input      ≥2-d, only fan_out changes                     fan_out_to / fan_out_from
hidden     ≥2-d, fan_in and fan_out change by one factor  that factor
readout    ≥2-d, only fan_in changes                      fan_in_to / fan_in_from
vector     0-d or 1-d (biases, norm gains)                length ratio (1 if it is fixed)
=========  =============================================  ==================================

A ≥2-d tensor with nothing changing, or changing by two factors, is ambiguous (ValueError
naming it), as are rank changes and keys in one tree only.  A model mixing layouts (a
PyTorch ``nn.Embedding``, ``(num_embeddings, dim)``, next to ``nn.Linear``, ``(out, in)``):
give the odd tensors' shapes reversed.

The rules (``λ_sum,l ∝ r^e``; exponents of the rate ``η_l ∝ r^(e_lr)`` from
:func:`theory.transfer.lr_exponent`, vectors on the input row: Tensor Programs V Table 3
groups "input weights and all biases"; standard / NTK / mean-field, ``lr_scaling="mup"``):

===============  =========================  ================================================
optimizer        e (λ_sum), per kind         what is held fixed
===============  =========================  ================================================
sgd              one ``e`` for every tensor  the global minimizer: :mod:`theory.networks`,
                 ``−(2/L) Σ_l a_l``:          exact for a bias-free ReLU chain of ``L``
                 0 / −(L−1)/L / −1            matrices (only the geometric mean of per-layer
                                              λ_l matters, so one uniform ``e`` suffices);
                                              biases/gains break it: extrapolated
adamw-coupled    ``−e_lr``: input 0/0/0,      timescale ``1/(η_l wd_l)`` per tensor, no
                 hidden 1/½/½, readout        fixed objective; ``wd ∝ r^(−e_lr)`` too
                 1/½/0, vector 0
adamw-indep.     0 (``wd ∝ r^(−e_lr)``)       the same timescale: ``2 η_0 λ`` per step
===============  =========================  ================================================

With ``lr_scaling="none"`` every ``e_lr`` is 0 and both AdamW rules keep every number fixed.
The timescale exponents are derived (:func:`_timescale_exponents`, SymPy) from the step
``w ← w − shrink·w`` by asking the per-step shrink to be width-independent; they are rules
about a timescale, supported by experiment at most, never statements about a minimizer.

**Compared with microsoft/mup's MuAdamW** (torch AdamW; per tensor with two "infinite"
dimensions, i.e. our hidden kind: ``lr/width_mult``, ``weight_decay·width_mult``; every other
tensor: base lr and weight_decay).  MuAdamW holds ``η_l·wd_l`` fixed per tensor, exactly the
timescale our ``adamw-*`` rules hold, and our torch ``weight_decay`` numbers (the same for
both ``adamw-*`` rules) agree with it wherever the weight is written in the same coordinates:

* ``parametrization="standard"``, ``lr_scaling="mup"``: input, hidden and vectors agree
  (``wd`` fixed, ``∝ r``, fixed).  The readout differs: MuAdamW's ``MuReadout`` puts
  ``1/width_mult`` in the forward pass, so its readout weight is in mean-field coordinates,
  where μP Adam keeps ``η`` (and so ``wd``) fixed; our standard readout carries no
  multiplier, its μP rate is ``η/r`` and so ``wd ∝ r``.  ``η_l·wd_l`` is the same.
* ``parametrization="mean_field"``: the readout agrees; our hidden weights carry
  ``g/sqrt(fan_in)`` multipliers (O(1) entries), so μP Adam's rate is ``η r^(−½)`` and
  ``wd ∝ r^½``, where MuAdamW (standard-coordinate hidden weights) has ``1/r`` and ``r``.
* ``lr_scaling="none"``: we keep every ``wd`` fixed (rates fixed); MuAdamW always scales.
* ``optimizer="sgd"``: L2 in the loss has a fixed objective, whose minimizer our rule holds;
  mup's ``MuSGD`` instead holds ``η_l·wd_l`` fixed (``wd/width_mult`` on vector-like,
  i.e. input and readout, tensors), which changes the objective's per-tensor λ.

>>> d, K = 64, 10
>>> def mlp(n):
...     return {"l1": {"kernel": (d, n), "bias": (n,)}, "l2": {"kernel": (n, K)}}
>>> t = transfer_model(mlp(512), mlp(4096), lam=1e-4, parametrization="standard",
...                    optimizer="adamw-independent", lr_scaling="mup", layout="in_out")
>>> [(p, x.kind, x.lr_factor, x.weight_decay) for p, x in t.tensors.items()]
[('l1/kernel', 'input', 1.0, 0.0002), ('l1/bias', 'vector', 1.0, 0.0002), ('l2/kernel', 'readout', 0.125, 0.0016)]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from functools import cache
from typing import NamedTuple

import numpy as np
import sympy as sp

from theory._lr import LR_SCALINGS, OPTIMIZERS, lr_exponent_expr
from theory.checks import as_float_array, check_choice, check_representable
from theory.networks import lambda_exponent_expr, preset_exponents_expr
from theory.parametrization import PARAMETRIZATIONS
from theory.prior import NORMALIZATIONS

__all__ = ["TENSOR_KINDS", "LAYOUTS", "TensorTransfer", "ModelTransfer", "transfer_model"]

TENSOR_KINDS = ("input", "hidden", "readout", "vector")
LAYOUTS = ("in_out", "out_in")
_SEP = "/"


class TensorTransfer(NamedTuple):
    """One tensor's rule: λ and ``weight_decay`` at the target (see the module docstring)."""

    kind: str  #: one of :data:`TENSOR_KINDS`
    shape_from: tuple[int, ...]
    shape_to: tuple[int, ...]
    ratio: float  #: the tensor's width ratio r (1 for a vector that does not change)
    #: λ_sum ∝ r^exponent (exact value in ``rule``); for sgd r is the network's one width
    #: ratio (every tensor, a fixed output bias too, gets the same λ)
    exponent: float
    lam: float  #: λ at the target, in the requested normalization
    lr_factor: float  #: η_l / η_0 at the target assumed by the rule, r^(e_lr)
    weight_decay: float  #: the torch / optax ``weight_decay`` number
    rule: str
    support: str  #: "derivation", "extrapolation" (sgd) or "timescale" (adamw-*)


class ModelTransfer(NamedTuple):
    """Per-tensor rules of :func:`transfer_model`; ``tensors`` keys are ``/``-joined paths."""

    tensors: dict[str, TensorTransfer]
    n_params_from: int  #: P_total at the base width (every tensor of the tree)
    n_params_to: int
    optimizer: str
    parametrization: str
    normalization: str

    def tree(self, field: str = "weight_decay") -> dict:
        """One field of every tensor as a nested dict shaped like the input trees."""
        check_choice("field", field, TensorTransfer._fields)
        out: dict = {}
        for path, record in self.tensors.items():
            *parents, leaf = path.split(_SEP)
            node = out
            for key in parents:
                node = node.setdefault(key, {})
            node[leaf] = getattr(record, field)
        return out


# ------------------------------------------------------------------ shape trees


def _is_shape(value) -> bool:
    if hasattr(value, "shape") and not isinstance(value, Mapping):
        return True
    return isinstance(value, (tuple, list)) and all(
        isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in value
    )


def _flatten(name: str, tree, prefix: str = "") -> dict[str, tuple[int, ...]]:
    """``{path: shape}`` of a nested mapping (or list) of shapes; ValueError naming ``name``."""
    if _is_shape(tree):
        shape = tuple(tree.shape) if hasattr(tree, "shape") else tuple(tree)
        if any(int(s) < 1 for s in shape):
            raise ValueError(f"{name}: tensor {prefix!r} has a size < 1 in its shape {shape}")
        return {prefix: tuple(int(s) for s in shape)}
    if isinstance(tree, Mapping):
        items = list(tree.items())
    elif isinstance(tree, (list, tuple)):
        items = list(enumerate(tree))
    else:
        where = f"tensor {prefix!r}" if prefix else "the tree"
        raise ValueError(
            f"{name}: {where} must be a nested mapping of shapes (tuples of positive "
            f"integers), got {tree!r}"
        )
    if not items:
        raise ValueError(f"{name}: {'tree' if not prefix else repr(prefix)} is empty")
    out: dict[str, tuple[int, ...]] = {}
    for key, sub in items:
        key = str(key)
        if not key or _SEP in key:
            raise ValueError(f"{name}: key {key!r} under {prefix!r} must be non-empty, no '/'")
        out.update(_flatten(name, sub, f"{prefix}{_SEP}{key}" if prefix else key))
    return out


def _fans(shape: tuple[int, ...], layout: str) -> tuple[int, int]:
    """Indices of (fan_in, fan_out) in a ≥2-d shape."""
    return (len(shape) - 2, len(shape) - 1) if layout == "in_out" else (1, 0)


def _kind(path: str, a: tuple[int, ...], b: tuple[int, ...], layout: str) -> tuple[str, Fraction]:
    """The tensor's kind and width ratio from its shapes at the two widths."""
    if len(a) != len(b):
        raise ValueError(f"shapes_to: tensor {path!r} changes rank, {a} -> {b}")
    if len(a) <= 1:
        return "vector", Fraction(b[0], a[0]) if a else Fraction(1)
    i_in, i_out = _fans(a, layout)
    if any(a[i] != b[i] for i in range(len(a)) if i not in (i_in, i_out)):
        raise ValueError(
            f"shapes_to: tensor {path!r} changes a dimension that is neither fan-in nor "
            f"fan-out ({layout}): {a} -> {b}"
        )
    r_in, r_out = Fraction(b[i_in], a[i_in]), Fraction(b[i_out], a[i_out])
    if r_in == 1 and r_out == 1:
        raise ValueError(
            f"shapes_to: tensor {path!r} is ambiguous: nothing changes in this ≥2-d tensor "
            f"({a}) while the model grows (neither input, hidden nor readout)"
        )
    if r_in != 1 and r_out != 1:
        if r_in != r_out:
            raise ValueError(
                f"shapes_to: tensor {path!r} is ambiguous: fan-in and fan-out change by "
                f"different factors ({r_in} and {r_out}): {a} -> {b}"
            )
        return "hidden", r_in
    return ("input", r_out) if r_in == 1 else ("readout", r_in)


# ------------------------------------------------------------------ derivations


@cache
def _timescale_exponents(optimizer: str, lr_exp: sp.Rational) -> tuple[sp.Rational, sp.Rational]:
    """(e of λ_sum, e of the torch/optax ``weight_decay``) holding the per-step shrink fixed.

    The step is ``w ← w − s w`` with ``s = η_l · 2λ`` (coupled: ``wd = 2λ``) or
    ``s = η_0 · 2λ`` (independent; torch/optax multiply ``wd`` by ``η_l``, so
    ``wd = s/η_l``), ``η_l = η_0 r^(e_lr)``, ``λ = λ_0 r^e``; solve ``d log s / d log r = 0``.
    """
    r, eta0, lam0 = sp.symbols("r eta_0 lambda_0", positive=True)
    e = sp.Symbol("e", real=True)
    eta_l, lam = eta0 * r**lr_exp, lam0 * r**e
    shrink = (eta_l if optimizer == "adamw-coupled" else eta0) * 2 * lam
    (e_lam,) = sp.solve(sp.Eq(sp.expand_log(r * sp.diff(sp.log(shrink), r), force=True), 0), e)
    wd = (2 * lam if optimizer == "adamw-coupled" else shrink / eta_l).subs(e, e_lam)
    e_wd = sp.simplify(r * sp.diff(sp.log(wd), r))
    return sp.Rational(e_lam), sp.Rational(e_wd)


def _lr_row(kind: str) -> str:
    """The μP table row: vectors (biases, gains) share the input weights' row (TP V)."""
    return "input" if kind == "vector" else kind


def _sgd_exponent(kinds: dict[str, str], ratios: dict[str, Fraction], parametrization: str):
    """One exponent for every tensor and the common width ratio, from theory.networks."""
    matrices = [p for p, k in kinds.items() if k != "vector"]
    if len(matrices) < 2:
        raise ValueError(
            "shapes_from: optimizer='sgd' needs a network of >= 2 weight matrices (the "
            f"rescaling of theory.networks), got {matrices}"
        )
    first = matrices[0]
    for p in matrices[1:]:
        if ratios[p] != ratios[first]:
            raise ValueError(
                f"shapes_to: tensor {p!r} grows by {ratios[p]} but {first!r} by "
                f"{ratios[first]}: optimizer='sgd' needs one width ratio for the network"
            )
    a_in, a_hidden, a_out = preset_exponents_expr(parametrization, depth=2)
    a = {"input": a_in, "hidden": a_hidden, "readout": a_out}
    e = lambda_exponent_expr(multiplier_exponents=[a[kinds[p]] for p in matrices])
    chain = sorted(kinds[p] for p in matrices)
    is_chain = chain.count("input") == 1 and chain.count("readout") == 1
    exact = is_chain and "vector" not in kinds.values()
    return e, ratios[first], len(matrices), exact


# ------------------------------------------------------------------ rules


def _power(e: sp.Rational) -> str:
    return f"{e}" if e.is_integer else f"({e})"


def _sgd_rule(kind: str, e, n_matrices: int, exact: bool) -> tuple[str, str]:
    text = (
        f"lambda_sum ∝ r^{_power(e)} for every tensor (L2 in the loss, weight_decay = "
        f"2*lambda_sum): holds the global minimizer of a bias-free ReLU chain of "
        f"L = {n_matrices} matrices (theory.networks: only the geometric mean of the "
        "per-layer lambdas matters, so one exponent for all)"
    )
    if kind == "vector":
        return text + "; a penalized bias or gain breaks that rescaling: extrapolated", (
            "extrapolation"
        )
    if not exact:
        return text + "; this tree is no bias-free chain: extrapolated", "extrapolation"
    return text, "derivation"


def _adamw_rule(kind, optimizer, lr_scaling, e_lr, e_lam, e_wd) -> str:
    row = "input-and-bias row" if kind == "vector" else f"{kind} row"
    held = "lr_l * 2*lambda" if optimizer == "adamw-coupled" else "2*lr_0*lambda"
    return (
        f"timescale rule, not a fixed objective: holds the per-step shrink {held} = "
        f"lr_l * weight_decay fixed; lr_l ∝ r^{_power(e_lr)} ({lr_scaling}, {row}), so "
        f"lambda_sum ∝ r^{_power(e_lam)} and weight_decay ∝ r^{_power(e_wd)}"
    )


def _check_lam(lam) -> float:
    arr = as_float_array("lam", lam)
    if arr.ndim or isinstance(lam, (bool, np.bool_)):
        raise ValueError(f"lam must be one number, got {lam!r}")
    if not arr > 0:
        raise ValueError(f"lam must be > 0, got {lam!r}")
    return float(arr)


def transfer_model(
    shapes_from,
    shapes_to,
    *,
    lam,
    parametrization: str,
    optimizer: str,
    layout: str,
    lr_scaling: str = "none",
    normalization: str = "sum",
) -> ModelTransfer:
    """Per-tensor λ and ``weight_decay`` at ``shapes_to`` for ``lam`` tuned at ``shapes_from``.

    ``lam`` is one global λ (> 0, in ``normalization``) tuned at the base shapes; ``layout``
    (``"in_out"`` or ``"out_in"``) says where fan-in and fan-out sit (no default: the same
    ``(n, d)`` is an input weight in one and a readout in the other).  The rules, the
    ``weight_decay`` conventions and the comparison with mup's MuAdamW are in
    :mod:`theory._transfer_model`'s docstring.  Raises ``ValueError`` naming the argument,
    or the tensor path for ambiguous shapes.
    """
    lam = _check_lam(lam)
    check_choice("parametrization", parametrization, PARAMETRIZATIONS)
    check_choice("optimizer", optimizer, OPTIMIZERS)
    check_choice("lr_scaling", lr_scaling, LR_SCALINGS)
    check_choice("normalization", normalization, NORMALIZATIONS)
    check_choice("layout", layout, LAYOUTS)
    a, b = _flatten("shapes_from", shapes_from), _flatten("shapes_to", shapes_to)
    for path in a.keys() - b.keys():
        raise ValueError(f"shapes_to: tensor {path!r} of shapes_from is missing")
    for path in b.keys() - a.keys():
        raise ValueError(f"shapes_from: tensor {path!r} of shapes_to is missing")
    if a == b:
        raise ValueError("shapes_to: no dimension differs from shapes_from (nothing grows)")
    kinds, ratios = {}, {}
    for path in b:
        kinds[path], ratios[path] = _kind(path, a[path], b[path], layout)
    n_from, n_to = (sum(math.prod(s) for s in t.values()) for t in (a, b))
    lam_sum = lam / n_from if normalization == "mean" else lam
    if optimizer == "sgd":
        e_sgd, r_sgd, n_matrices, exact = _sgd_exponent(kinds, ratios, parametrization)
    tensors = {}
    for path in b:
        kind, r = kinds[path], ratios[path]
        e_lr = lr_exponent_expr(parametrization, optimizer, _lr_row(kind), lr_scaling)
        if optimizer == "sgd":
            e_lam = e_wd = e_sgd
            r_lam = r_sgd  # one λ for the network: the model's width ratio
            rule, support = _sgd_rule(kind, e_sgd, n_matrices, exact)
        else:
            e_lam, e_wd = _timescale_exponents(optimizer, e_lr)
            r_lam = r
            rule = _adamw_rule(kind, optimizer, lr_scaling, e_lr, e_lam, e_wd)
            support = "timescale"
        with np.errstate(over="ignore", under="ignore"):
            lam_to = lam_sum * float(r_lam) ** float(e_lam)
            wd = 2.0 * lam_sum * float(r_lam) ** float(e_wd)
            out = lam_to * n_to if normalization == "mean" else lam_to
        for value, what in ((out, "lambda"), (wd, "weight_decay")):
            check_representable(
                value, what=f"{what} of tensor {path!r}", inputs={"lam": lam}, positive=True
            )
        tensors[path] = TensorTransfer(
            kind=kind,
            shape_from=a[path],
            shape_to=b[path],
            ratio=float(r),
            exponent=float(e_lam),
            lam=float(out),
            lr_factor=float(r) ** float(e_lr),
            weight_decay=float(wd),
            rule=rule,
            support=support,
        )
    return ModelTransfer(tensors, n_from, n_to, optimizer, parametrization, normalization)


# ------------------------------------------------------------------ command line


def _format_table(t: ModelTransfer) -> str:
    rules = list(dict.fromkeys(x.rule for x in t.tensors.values()))
    head = ("tensor", "kind", "from", "to", "r", "exp", "lam", "weight_decay", "lr_factor", "rule")
    rows = [head] + [
        (
            p,
            x.kind,
            "x".join(map(str, x.shape_from)) or "()",
            "x".join(map(str, x.shape_to)) or "()",
            f"{x.ratio:g}",
            f"{x.exponent:g}",
            f"{x.lam:.6g}",
            f"{x.weight_decay:.6g}",
            f"{x.lr_factor:.6g}",
            f"[{rules.index(x.rule) + 1}] {x.support}",
        )
        for p, x in t.tensors.items()
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    lines.append(
        f"P_total {t.n_params_from} -> {t.n_params_to}; lam in {t.normalization}, "
        f"weight_decay as torch/optax take it ({t.optimizer})"
    )
    lines += [f"[{i}] {text}" for i, text in enumerate(rules, 1)]
    return "\n".join(lines)
