"""A newcomer's machine has no per-user state: the suite must start there (issue 10).

arviz 0.23 warns at import at most once a day per user, keeping a date stamp in the user
cache directory, and the message starts with a newline.  With warnings as errors, a filter
that does not match it fails every first run on a fresh machine -- while any machine that
already has the stamp (a developer's, a reused CI runner) stays green.  These tests run the
imports in subprocesses whose HOME and XDG directories are new and empty, so the warning is
really emitted, and check both that the project's filters swallow it and (so the check is not
vacuous) that without the filter the same run fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARVIZ_MESSAGE = "ArviZ is undergoing a major refactor"


def _fresh_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a new user: HOME and the XDG/matplotlib directories empty."""
    env = dict(os.environ)
    for var, sub in [
        ("HOME", "home"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("MPLCONFIGDIR", "mpl"),
    ]:
        (tmp_path / sub).mkdir()
        env[var] = str(tmp_path / sub)
    env.pop("L2SCALE_JAX_CACHE_DIR", None)
    env["PYTHONPATH"] = str(ROOT)
    return env


def _project_filters() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return config["tool"]["pytest"]["ini_options"]["filterwarnings"]


def _pytest_with_filters(tmp_path: Path, filters: list[str], body: str):
    """Run a one-test file under ``filters`` (pytest ini syntax) in a fresh user environment."""
    env = _fresh_env(tmp_path)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    lines = "\n".join(f"    {f}" for f in filters)
    (run_dir / "pytest.ini").write_text(f"[pytest]\nfilterwarnings =\n{lines}\n")
    (run_dir / "test_imports.py").write_text(body)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_imports.py"],
        cwd=run_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


IMPORT_ARVIZ = "def test_import():\n    import arviz  # noqa: F401\n"


def test_pytest_filter_swallows_the_arviz_warning_on_a_fresh_machine(tmp_path):
    filters = _project_filters()
    assert "error" in filters  # otherwise this test proves nothing
    run = _pytest_with_filters(tmp_path, filters, IMPORT_ARVIZ)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert (tmp_path / "cache" / "arviz").exists(), "arviz did not use the fresh cache directory"


def test_without_the_filter_the_fresh_machine_run_fails(tmp_path):
    """The check above is not vacuous: in the same fresh environment the warning is raised."""
    filters = [f for f in _project_filters() if ARVIZ_MESSAGE not in f]
    assert len(filters) == len(_project_filters()) - 1
    run = _pytest_with_filters(tmp_path, filters, IMPORT_ARVIZ)
    assert run.returncode != 0
    assert ARVIZ_MESSAGE in run.stdout + run.stderr


@pytest.mark.parametrize("package", ["bayes", "figures", "theory", "training"])
def test_packages_import_with_warnings_as_errors_on_a_fresh_machine(tmp_path, package):
    """Outside pytest's filters too: ``python -W error -c 'import <package>'`` with no state
    (bayes/_arviz.py carries its own filter for the arviz warning)."""
    run = subprocess.run(
        [sys.executable, "-W", "error", "-c", f"import {package}, matplotlib.pyplot"],
        cwd=ROOT,
        env=_fresh_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
