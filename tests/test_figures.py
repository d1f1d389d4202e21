"""figures: registry, cache integrity and staleness, CLI, and a quick run of every figure."""

from __future__ import annotations

import numpy as np
import pytest

import figures
from figures import _cache
from figures.__main__ import main


@pytest.fixture
def tmp_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("L2SCALE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_every_registered_figure_has_the_protocol():
    for name in figures.FIGURES:
        module = figures.get(name)
        assert isinstance(module.CONFIG, dict)
        assert set(getattr(module, "QUICK", {})) <= set(module.CONFIG), name
        assert callable(module.compute) and callable(module.plot)


def test_cache_round_trip_and_key(tmp_cache):
    result = {"x": np.arange(3.0), "y": np.array(2.5)}
    key = _cache.key_for("demo", {"a": 1})
    assert _cache.load("demo", key) is None
    _cache.save("demo", key, result)
    loaded = _cache.load("demo", key)
    np.testing.assert_array_equal(loaded["x"], result["x"])
    assert loaded["y"] == 2.5
    # configuration and code version are part of the key
    assert _cache.key_for("demo", {"a": 2}) != key
    assert _cache.key_for("demo", {"a": 1}, version_digest="other") != key


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage"])
def test_damaged_cache_file_is_recomputed_not_loaded(tmp_cache, damage, capsys):
    key = _cache.key_for("demo", {})
    path = _cache.save("demo", key, {"x": np.arange(1000.0)})
    raw = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(raw[: len(raw) // 2])
    elif damage == "flip":
        i = len(raw) - 100
        path.write_bytes(raw[:i] + bytes([raw[i] ^ 1]) + raw[i + 1 :])
    else:
        path.write_bytes(b"not a cache file")
    assert _cache.load("demo", key) is None
    assert not path.exists()
    assert "discarding" in capsys.readouterr().err


def test_compute_cached_hits_after_a_miss(tmp_cache):
    config = figures.config_for("prior_equivalence", quick=True)
    config.update(widths=[16, 32], mc_draws=20)
    first, hit1 = figures.compute_cached("prior_equivalence", config)
    second, hit2 = figures.compute_cached("prior_equivalence", config)
    assert (hit1, hit2) == (False, True)
    for k in first:
        np.testing.assert_array_equal(first[k], second[k])


def test_cli_list_and_unknown_name(capsys):
    assert main(["--list"]) == 0
    assert capsys.readouterr().out.split() == list(figures.FIGURES)
    assert main(["no_such_figure"]) != 0
    err = capsys.readouterr().err
    assert "no_such_figure" in err and all(name in err for name in figures.FIGURES)


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory):
    """One cache for all quick runs, so figures that summarize others (DEPENDS) reuse them."""
    mp = pytest.MonkeyPatch()
    path = tmp_path_factory.mktemp("quick-cache")
    mp.setenv("L2SCALE_CACHE_DIR", str(path))
    yield path
    mp.undo()


@pytest.mark.parametrize("name", figures.FIGURES)
def test_quick_run_writes_pdf_and_png(name, shared_cache, tmp_path):
    """Every figure runs end to end at its QUICK size (cf. numpyro's test_examples.py)."""
    paths = figures.run(name, quick=True, out_dir=tmp_path / "out", log=lambda _: None)
    for ext in ("pdf", "png"):
        out = tmp_path / "out" / f"{name}.{ext}"
        assert out in paths and out.stat().st_size > 1000


def test_prior_equivalence_monte_carlo_matches_theory(tmp_cache):
    result, _ = figures.compute_cached(
        "prior_equivalence", figures.config_for("prior_equivalence", quick=True)
    )
    for key in result:
        if key.startswith("output_std/"):
            rest = key.removeprefix("output_std/")
            mc, se = result[f"mc_output_std/{rest}"], result[f"mc_output_std_se/{rest}"]
            # 4 s.e. per point (delta-method s.e. from the 4th moment): false alarms ~6e-5 each
            assert np.all(np.abs(mc - result[key]) < 4 * se), key
    # the two width-invariant conventions are flat, the others are not
    for key in ("ntk/sum", "mean_field/mean"):
        np.testing.assert_allclose(
            result[f"output_std/{key}"], result[f"output_std/{key}"][0], rtol=1e-14
        )
    for key in ("standard/sum", "ntk/mean", "mean_field/sum", "standard/mean"):
        assert np.ptp(np.log(result[f"output_std/{key}"])) > 1.0


def test_editing_plot_keeps_the_cache_but_editing_compute_does_not(tmp_path):
    src = tmp_path / "fig.py"
    src.write_text("X = 1\n\ndef compute():\n    return 1\n\ndef plot(r):\n    return r\n")
    base = _cache._compute_source(src)
    src.write_text("X = 1\n\ndef compute():\n    return 1\n\ndef plot(r):\n    return 2 * r\n")
    assert _cache._compute_source(src) == base
    src.write_text("X = 2\n\ndef compute():\n    return 1\n\ndef plot(r):\n    return r\n")
    assert _cache._compute_source(src) != base


def test_shared_figure_helpers_are_part_of_the_code_version(tmp_path, monkeypatch):
    """A helper that ``compute`` calls (figures/_bayes.py) must invalidate the cache when it
    changes; the drawing-only modules must not."""
    root = tmp_path / "repo"
    for pkg in ("theory", "bayes", "training", "figures"):
        (root / pkg).mkdir(parents=True)
        (root / pkg / "__init__.py").write_text("")
    (root / "figures" / "fig.py").write_text("def compute():\n    return 1\n")
    for helper in ("_cache.py", "_bayes.py", "_style.py"):
        (root / "figures" / helper).write_text("A = 1\n")
    monkeypatch.setattr(_cache, "ROOT", root)
    base = _cache.code_version("fig")
    (root / "figures" / "_style.py").write_text("A = 2\n")
    assert _cache.code_version("fig") == base
    (root / "figures" / "_bayes.py").write_text("A = 2\n")
    assert _cache.code_version("fig") != base
