"""Test configuration: float64 JAX (DESIGN §2), one XLA host device per core (parallel chains),
NumPyro's fast re-run path without progress bars, and a Hypothesis profile sized for 2 cores.

The configuration is an act of this entry point, not of any import (tests/test_structure.py):
theory asks for float64 where it computes, but bayes' NUTS and the tests' own JAX
comparisons run on float64 data only in x64 mode, so it is turned on here for the session."""

import os

os.environ.setdefault("TQDM_DISABLE", "1")  # read by tqdm at import: before numpyro

from hypothesis import settings  # noqa: E402

import bayes  # noqa: E402

bayes.setup()  # host devices and float64, before JAX starts a backend

from figures._paths import enable_jax_compilation_cache  # noqa: E402

enable_jax_compilation_cache()  # only if $L2SCALE_JAX_CACHE_DIR is set (figures/_paths.py)

settings.register_profile("default", max_examples=50, deadline=None)
# a search for rare failures (e.g. subnormal inputs), run by hand: 40× the default examples
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("L2SCALE_HYPOTHESIS_PROFILE", "default"))


_PROGRESS = os.environ.get("L2SCALE_TEST_PROGRESS")


def pytest_runtest_logstart(nodeid, location):
    """Name the running test in ``$L2SCALE_TEST_PROGRESS`` (set by ``.ci/run``), so that a
    crash of the interpreter itself (a fatal signal, no pytest report) still says where."""
    if _PROGRESS:
        with open(_PROGRESS, "w") as fh:
            fh.write(nodeid + "\n")
