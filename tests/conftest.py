"""Test configuration: float64 JAX (DESIGN §2) and a Hypothesis profile sized for 2 CPU cores."""

import jax
from hypothesis import settings

jax.config.update("jax_enable_x64", True)

settings.register_profile("default", max_examples=50, deadline=None)
settings.load_profile("default")
