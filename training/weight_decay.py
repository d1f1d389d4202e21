r"""Per-tensor weight decay as an optax ``GradientTransformation``.

:func:`per_tensor_decay` applies one rate per parameter leaf, looked up by the leaf's path
(keys joined by ``/``, as in :func:`theory.transfer.transfer_model`; list indices as
``0``, ``1``, …), in one of two modes (optax adds the final updates to the parameters):

* ``"l2"`` -- ``u_l ← u_l + rate_l · w_l``: coupled L2, ``optax.add_decayed_weights`` leaf by
  leaf.  Chain it *first*, on the gradient of the mean loss, with ``rate = weight_decay =
  2 λ_sum`` (the gradient of ``λ‖w‖²`` is ``2λw``; DESIGN §2, no factor ½):
  ``optax.chain(per_tensor_decay(rates, mode="l2"), optax.sgd(lr))``.
* ``"decoupled"`` -- ``u_l ← u_l − rate_l · w_l``: a shrink of ``rate_l`` per step outside the
  optimizer.  Chain it *last*, after the learning rate, with ``rate = η_l · weight_decay``
  (torch ``AdamW``/``optax.adamw`` multiply the decay by the tensor's rate ``η_l``).

:func:`transfer_decay` builds it from a :class:`theory.transfer.ModelTransfer`: ``"l2"`` with
``weight_decay`` for ``optimizer="sgd"``, ``"decoupled"`` with ``learning_rate · lr_factor ·
weight_decay`` for the AdamW rules (the per-tensor learning rates themselves are the
optimizer's business, e.g. ``optax.multi_transform``).

>>> import jax.numpy as jnp, optax
>>> params = {"w": jnp.array([1.0, -2.0]), "b": jnp.array([4.0])}
>>> tx = optax.chain(per_tensor_decay({"w": 0.5, "b": 0.0}, mode="l2"), optax.sgd(0.1))
>>> u, _ = tx.update({"w": jnp.zeros(2), "b": jnp.ones(1)}, tx.init(params), params)
>>> [round(float(x), 6) for x in optax.apply_updates(params, u)["w"]]  # w − 0.1·(0 + 0.5 w)
[0.95, -1.9]
"""

from __future__ import annotations

from collections.abc import Mapping

import jax
import numpy as np
import optax

from theory.checks import as_float_array, check_choice, check_instance
from theory.transfer import ModelTransfer

__all__ = ["DECAY_MODES", "per_tensor_decay", "transfer_decay"]

DECAY_MODES = ("l2", "decoupled")


def _key_name(key) -> str:
    for attr in ("key", "name", "idx"):
        if hasattr(key, attr):
            return str(getattr(key, attr))
    return str(key)


def _path(keypath) -> str:
    return "/".join(_key_name(k) for k in keypath)


def _check_rates(rates) -> dict[str, float]:
    if not isinstance(rates, Mapping) or not rates:
        raise ValueError(f"rates must be a non-empty mapping path -> rate, got {rates!r}")
    out = {}
    for path, rate in rates.items():
        value = as_float_array(f"rates[{path!r}]", rate)
        if value.ndim or value < 0:
            raise ValueError(f"rates[{path!r}] must be one number >= 0, got {rate!r}")
        out[str(path)] = float(value)
    return out


def _match(rates: dict[str, float], tree) -> None:
    """Every leaf of ``tree`` has a rate and every rate a leaf, or a ValueError naming them."""
    paths = {_path(kp) for kp, _ in jax.tree_util.tree_flatten_with_path(tree)[0]}
    if missing := sorted(paths - rates.keys()):
        raise ValueError(f"rates: no rate for the parameter(s) {missing}")
    if extra := sorted(rates.keys() - paths):
        raise ValueError(f"rates: no parameter at the path(s) {extra}")


def per_tensor_decay(rates, *, mode: str) -> optax.GradientTransformation:
    """Add ``rate_l · w_l`` (``"l2"``) or subtract it (``"decoupled"``) leaf by leaf.

    ``rates`` maps each parameter path to a number >= 0 (see the module docstring for where
    to chain each mode and what the rate is).  ``update`` needs ``params``.
    """
    rates = _check_rates(rates)
    check_choice("mode", mode, DECAY_MODES)
    sign = 1.0 if mode == "l2" else -1.0

    def init(params):
        _match(rates, params)
        return optax.EmptyState()

    def update(updates, state, params=None):
        if params is None:
            raise ValueError("params must be given to per_tensor_decay's update")
        _match(rates, params)

        def one(keypath, u, w):
            return u + sign * rates[_path(keypath)] * w

        return jax.tree_util.tree_map_with_path(one, updates, params), state

    return optax.GradientTransformation(init, update)


def transfer_decay(transfer, *, learning_rate=None) -> optax.GradientTransformation:
    """:func:`per_tensor_decay` for the rules of :func:`theory.transfer.transfer_model`.

    ``optimizer="sgd"``: coupled L2 with ``weight_decay`` (chain it first; no
    ``learning_rate``).  AdamW rules: decoupled, per-step shrink ``learning_rate ·
    lr_factor · weight_decay`` with ``learning_rate`` the base rate ``η_0`` (chain it last).
    """
    check_instance("transfer", transfer, ModelTransfer)
    if transfer.optimizer == "sgd":
        if learning_rate is not None:
            raise ValueError(
                "learning_rate must be None for optimizer='sgd' (L2 in the gradient does not "
                f"depend on it), got {learning_rate!r}"
            )
        rates = {p: t.weight_decay for p, t in transfer.tensors.items()}
        return per_tensor_decay(rates, mode="l2")
    eta = as_float_array("learning_rate", learning_rate)
    if eta.ndim or not eta > 0:
        raise ValueError(f"learning_rate must be one number > 0, got {learning_rate!r}")
    rates = {p: float(eta) * t.lr_factor * t.weight_decay for p, t in transfer.tensors.items()}
    if not all(np.isfinite(list(rates.values()))):
        raise ValueError(f"learning_rate: a per-step shrink overflows at {learning_rate!r}")
    return per_tensor_decay(rates, mode="decoupled")
