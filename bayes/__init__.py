"""Bayesian view of L2: NumPyro models whose Gaussian prior variance scales with width.

Depends on :mod:`theory` only (DESIGN §4).  The models arrive with issue 5.
"""

__all__: list[str] = []
