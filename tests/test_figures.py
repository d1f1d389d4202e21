"""figures: registry, cache integrity and staleness, CLI, and a quick run of every figure."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import figures
from figures import _cache, _deps
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
            # the s.e. itself, against the Gaussian value sd/√(2n): S is a sum of ≥ 16
            # independent terms (kurtosis 3 + O(1/P)), and the 4th moment of n = 200 draws
            # scatters the estimate by ~12%; measured 0.97-1.04 of it, so [0.7, 1.35] is > 2.5
            # of that scatter either side and rules out an s.e. off by a factor √2
            n = figures.config_for("prior_equivalence", quick=True)["mc_draws"]
            ratio = se / mc * np.sqrt(2 * n)
            assert np.all((ratio > 0.7) & (ratio < 1.35)), (key, ratio)
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


def test_editing_a_docstring_keeps_the_cache_but_editing_a_string_compute_uses_does_not(
    tmp_path,
):
    src = tmp_path / "fig.py"
    text = (
        '"""Figure 9 -- old number."""\n\nX = "a"\n\n'
        'def compute():\n    """Doc."""\n    return X\n\n'
        'def _helper():\n    """Only a docstring."""\n\nclass _C:\n    """Doc."""\n    y = _helper\n'
    )
    src.write_text(text)
    base = _cache._compute_source(src)
    assert "Figure 9" not in base and "Doc." not in base
    src.write_text(text.replace("Figure 9 -- old number", "fig:bayesclass -- new").replace(
        "Doc.", "Other prose."))  # fmt: skip
    assert _cache._compute_source(src) == base
    src.write_text(text.replace('X = "a"', 'X = "b"'))
    assert _cache._compute_source(src) != base


def test_relabelling_a_legend_keeps_the_cache(tmp_path):
    """A private table only ``plot``/``macros`` read (labels, colours) is not compute code;
    one that ``compute`` reads, directly or through a kept helper, is."""
    src = tmp_path / "fig.py"
    text = (
        '_LABELS = {"a": "A"}\n_SCALE = 2\n\ndef _scaled(x):\n    return _SCALE * x\n\n'
        "def compute():\n    return _scaled(1)\n\n"
        'def plot(r):\n    return _LABELS["a"]\n\ndef macros(r):\n    return {"M": _LABELS["a"]}\n'
    )
    src.write_text(text)
    base = _cache._compute_source(src)
    assert "_LABELS" not in base and "_SCALE" in base
    src.write_text(text.replace('"A"', '"a new label"'))
    assert _cache._compute_source(src) == base
    src.write_text(text.replace("_SCALE = 2", "_SCALE = 3"))
    assert _cache._compute_source(src) != base


def _fake_repo(root, files: dict[str, str]):
    """A repository of the project's packages holding ``files`` (path -> source)."""
    for pkg in ("theory", "bayes", "training", "figures"):
        (root / pkg).mkdir(parents=True, exist_ok=True)
        (root / pkg / "__init__.py").touch()
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


def test_shared_figure_helpers_that_compute_imports_are_part_of_the_code_version(
    tmp_path, monkeypatch
):
    """A helper that ``compute`` imports (figures/_bayes.py) invalidates the cache when it
    changes; the drawing-only modules and helpers the figure does not import do not."""
    root = _fake_repo(
        tmp_path / "repo",
        {
            "figures/fig.py": (
                "from figures._bayes import A\n\n"
                "def compute():\n    return A\n\n"
                "def plot(r):\n    from figures._style import A\n    return A\n"
            ),
            **{f"figures/{h}.py": "A = 1\n" for h in ("_bayes", "_style", "_other")},
            "figures/_cache.py": "",
        },
    )
    monkeypatch.setattr(_cache, "ROOT", root)
    monkeypatch.setattr(_deps, "ROOT", root)
    base = _cache.code_version("fig")
    for helper, changes in (("_style", False), ("_other", False), ("_bayes", True)):
        (root / "figures" / f"{helper}.py").write_text("A = 2\n")
        assert (_cache.code_version("fig") != base) == changes, helper
        base = _cache.code_version("fig")


def test_editing_only_prose_of_a_library_module_keeps_the_cache(tmp_path, monkeypatch):
    """Comments, docstrings and layout of a module that ``compute`` reaches are not code: the
    key stays (a docstring edit in ``bayes/whitened.py`` recomputed ``bayes_classification``
    and ``diagnostics``, about 3 minutes, before 2026-12-06); any change to its code, a string constant included,
    changes it."""
    lib = (
        '"""Module doc."""\n\nNAME = "a"  # a comment\n\n\n'
        'def f(x):\n    """Doc."""\n    return x + 1\n\n\nclass C:\n    """Doc."""\n\n    y = 2\n'
    )
    root = _fake_repo(
        tmp_path / "repo",
        {
            "figures/fig.py": "from theory.lib import f\n\ndef compute():\n    return f(1)\n",
            "theory/lib.py": lib,
            "figures/_cache.py": "",
        },
    )
    monkeypatch.setattr(_cache, "ROOT", root)
    monkeypatch.setattr(_deps, "ROOT", root)
    path = root / "theory" / "lib.py"
    base = _cache.code_version("fig")
    prose = (
        lib.replace("Module doc.", "Other prose.")
        .replace("# a comment", "# another comment")
        .replace('"""Doc."""', '"""New doc,\n    two lines."""')
        .replace("return x + 1", "return (x\n            + 1)")
    )
    path.write_text(prose)
    assert _cache.code_version("fig") == base
    for code in (
        lib.replace("return x + 1", "return x + 2"),
        lib.replace('NAME = "a"', 'NAME = "b"'),
        lib.replace("    y = 2", "    y = 2\n    z = 3"),
    ):
        path.write_text(code)
        assert _cache.code_version("fig") != base, code
    # a source that does not parse (the import graph refuses it first) is hashed byte for byte
    assert _deps.code_digest(b"def broken(:\n") != _deps.code_digest(b"def broken(:  \n")


#: a scratch edit of code: a comment alone changes no key (:func:`figures._deps.code_digest`)
CODE_EDIT = b"\n_SCRATCH_EDIT = 1\n"


def _edit_source(monkeypatch, path, edit):
    """Make ``_deps.read_source`` give ``edit(source)`` for the file at ``path`` and every other
    file as it is, as if that file had been edited on disk (a later call replaces the edit)."""
    read, edited = getattr(_deps.read_source, "unedited", _deps.read_source), path.resolve()

    def edited_source(p):
        return edit(read(p)) if p.resolve() == edited else read(p)

    edited_source.unedited = read
    monkeypatch.setattr(_deps, "read_source", edited_source)


def _graph(root, module, names=_deps.ALL):
    return set(_deps.closure({module: names}, root=root))


def test_import_graph_rules(tmp_path):
    """What the import graph follows: relative imports, imports inside reachable functions,
    side-effect and dynamic imports, packages reached by name; not re-exports nobody uses,
    not functions nothing calls, not a script's ``__main__`` block."""
    root = _fake_repo(
        tmp_path / "repo",
        {
            # a package that re-exports its submodules and calls one helper at import
            "theory/__init__.py": (
                "from theory import _global, _registered, a, b\n"
                "from theory._setup import setup\n\nsetup()\n"
                '__all__ = ["_global", "_registered", "a", "b"]\n'
            ),
            "theory/_setup.py": "def setup():\n    pass\n",
            "theory/a.py": "from . import _util\n\ndef f():\n    return _util.X\n",
            "theory/b.py": (
                "def g():\n    from theory.c import h\n    return h()\n\n"
                "def unused():\n    from theory.d import k\n    return k()\n"
            ),
            "theory/c.py": "def h():\n    return 1\n",
            "theory/d.py": "def k():\n    return 1\n",
            "theory/e.py": "import theory.c  # noqa: F401  (a side effect)\n",
            "theory/f.py": (
                "import importlib\n\n"
                'def load():\n    return importlib.import_module("theory.d")\n\n'
                'if __name__ == "__main__":\n    import theory.e\n'
            ),
            "theory/_util.py": "X = 1\n",
            # run at import by the package: one changes global state, one only registers
            "theory/_global.py": 'import jax\n\njax.config.update("jax_enable_x64", True)\n',
            "theory/latex.py": "def register(name):\n    return lambda fn: fn\n",
            "theory/_registered.py": (
                "from theory.latex import register\n\n"
                '_T = {"a": 1}\n_T["b"] = 2\nregister("X")(lambda: 1)\n'
            ),
            "bayes/__init__.py": "",
            "bayes/m.py": "from theory.b import g\n\ndef run():\n    return g()\n",
            "bayes/n.py": "from theory import a\n\ndef run():\n    return a.f()\n",
        },
    )
    parents = {"theory", "theory._setup", "theory._global"}
    # theory/__init__ runs (hashed) with the setup it calls and the module it runs that
    # changes global state; its other re-exports are reached only by those who ask for them
    assert (
        _graph(root, "bayes.m", ["run"]) == {"bayes", "bayes.m", "theory.b", "theory.c"} | parents
    )
    assert (
        _graph(root, "bayes.n", ["run"])
        == {"bayes", "bayes.n", "theory.a", "theory._util"} | parents
    )
    # ALL: every function, so theory.d through b.unused
    assert "theory.d" in _graph(root, "theory.b")
    # a side-effect import is followed in full: import theory.c binds theory -> a, b too
    assert _graph(root, "theory.e") >= {"theory.c", "theory.a", "theory.b"}
    # a literal import_module is followed; the __main__ block is not
    reached = _graph(root, "theory.f")
    assert "theory.d" in reached and "theory.e" not in reached


@pytest.mark.parametrize(
    ("module", "invalidates", "keeps"),
    [
        (
            "theory/linear/_risk.py",
            {"linear_risk", "linear_lambda_star"},
            {"rf_risk", "bayes_kappa"},
        ),
        ("training/stationary.py", {"network_exponents", "penalty_view"}, {"training_transfer"}),
        (  # a submodule of a package: reached through the package's re-exports
            "theory/networks/_exponents.py",
            {"network_exponents", "training_transfer"},
            {"linear_risk", "prior_equivalence"},
        ),
        ("theory/prior/_variance.py", {"prior_equivalence", "linear_lambda_star"}, {"rf_risk"}),
        ("theory/prior/_convert.py", set(), {"prior_equivalence", "bayes_widths"}),
        ("figures/_bayes.py", {"bayes_widths", "diagnostics"}, {"linear_risk", "gradient_view"}),
    ],
)
def test_a_scratch_edit_invalidates_only_the_figures_that_reach_the_module(
    module, invalidates, keeps, monkeypatch
):
    """An edit to one library module changes the cache key of the figures whose ``compute``
    reaches it (``penalty_view`` through ``DEPENDS``) and of no other figure."""
    from figures import _registry

    names = sorted(invalidates | keeps)
    before = {n: _registry._key(n, figures.config_for(n)) for n in names}
    _edit_source(monkeypatch, _cache.ROOT / module, lambda source: source + CODE_EDIT)
    after = {n: _registry._key(n, figures.config_for(n)) for n in names}
    assert {n for n in names if after[n] != before[n]} == invalidates


def test_figure_literals_match_the_imported_modules():
    """CONFIG, QUICK and DEPENDS read from the source (no import) equal the modules' own."""
    from figures import _registry

    for name in figures.FIGURES:
        module = figures.get(name)
        for attr, default in (("CONFIG", None), ("QUICK", {}), ("DEPENDS", ())):
            assert _registry._attribute(name, attr) == getattr(module, attr, default), name
        assert _registry._attribute(name, "macros") == hasattr(module, "macros"), name
    config = figures.config_for("linear_risk")
    config["seed"] = -1  # a fresh copy each time: callers may change it
    assert figures.config_for("linear_risk")["seed"] != -1


def test_a_literal_config_that_the_module_changes_is_read_from_the_module():
    from figures._registry import _literals

    assert "CONFIG" in _literals(b"CONFIG = {'a': [2**k for k in range(3)]}\n")
    for source in (
        b"CONFIG = {'a': 1}\nCONFIG['a'] = 2\n",
        b"CONFIG = {'a': 1}\nCONFIG.update(a=2)\n",
        b"CONFIG = {'a': 1}\nchange(CONFIG)\n",
        b"CONFIG = {'a': 1}\nCONFIG = {'a': 2}\n",
        b"from somewhere import *\nCONFIG = {'a': 1}\n",
    ):
        assert "CONFIG" not in _literals(source), source


def test_a_current_figure_is_neither_computed_nor_drawn(tmp_cache, tmp_path, monkeypatch):
    """The second run finds the outputs current: no load, no compute, no plot; a change of
    the drawing code redraws from the cache; a damaged output is redrawn; a drawing that
    fails leaves no stale output behind."""
    from figures import _registry

    name, out = "prior_equivalence", tmp_path / "out"
    module = figures.get(name)
    first = figures.run(name, quick=True, out_dir=out, log=lambda _: None)
    assert (out / f"{name}.stamp.json").exists() and all(p.exists() for p in first)

    def forbidden(*args, **kwargs):
        raise AssertionError("called on a no-op run")

    for target, attr in ((module, "compute"), (module, "plot"), (_cache, "load")):
        monkeypatch.setattr(target, attr, forbidden)
    assert _registry.is_current(name, quick=True, out_dir=out)
    assert figures.run(name, quick=True, out_dir=out, log=lambda _: None) == first
    monkeypatch.undo()
    monkeypatch.setenv("L2SCALE_CACHE_DIR", str(tmp_cache))

    # a damaged output is redrawn, from the cache
    first[1].write_bytes(b"not a png")
    assert not _registry.is_current(name, quick=True, out_dir=out)
    monkeypatch.setattr(module, "compute", forbidden)
    figures.run(name, quick=True, out_dir=out, log=lambda _: None)
    assert _registry.is_current(name, quick=True, out_dir=out)

    # a comment added to the drawing code changes nothing; an edit of its code makes the
    # outputs stale; a failing plot leaves none
    path = _cache.ROOT / "figures" / f"{name}.py"
    _edit_source(monkeypatch, path, lambda source: source + b"\n# a comment\n")
    assert _registry.is_current(name, quick=True, out_dir=out)
    _edit_source(monkeypatch, path, lambda source: source + CODE_EDIT)
    assert not _registry.is_current(name, quick=True, out_dir=out)
    monkeypatch.setattr(module, "plot", lambda result: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        figures.run(name, quick=True, out_dir=out, log=lambda _: None)
    assert not any(p.exists() for p in first) and not (out / f"{name}.stamp.json").exists()


def test_deciding_that_a_figure_is_current_imports_no_numerics(tmp_path):
    """The no-op path reads sources and hashes files: JAX, SymPy, matplotlib and the library
    stay unimported (they take seconds to import)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from figures import _registry\n"
        "for name in _registry.FIGURES:\n"
        "    _registry.is_current(name, quick=True)\n"
        "heavy = {'jax', 'sympy', 'matplotlib', 'numpyro', 'theory', 'bayes', 'training'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    env = {"L2SCALE_CACHE_DIR": str(tmp_path), "PATH": ""}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=_cache.ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_the_generated_equations_are_rewritten_only_when_theory_changes(tmp_path, monkeypatch):
    """``paper/generated/theory.tex`` is keyed by every module that ``write_generated``
    reaches (the whole theory package: it imports it for the registrations)."""
    from figures import __main__ as cli
    from figures._registry import outputs_current, write_stamp

    monkeypatch.setattr(cli, "GENERATED_DIR", tmp_path)
    stamp, key, outputs = cli._theory_tex()
    assert outputs == [tmp_path / "theory.tex"] and not outputs_current(stamp, key, outputs)
    outputs[0].write_text("% as write_generated would\n")
    write_stamp(stamp, key, outputs)
    assert outputs_current(*cli._theory_tex())
    edited = _cache.ROOT / "theory" / "evidence.py"
    _edit_source(  # prose only: a comment and the module's docstring
        monkeypatch,
        edited,
        lambda source: (source + b"\n# a comment\n").replace(b'"""', b'"""Edited prose. ', 1),
    )
    assert outputs_current(*cli._theory_tex())
    _edit_source(monkeypatch, edited, lambda source: source + CODE_EDIT)
    assert not outputs_current(*cli._theory_tex())
    monkeypatch.undo()
    monkeypatch.setattr(cli, "GENERATED_DIR", tmp_path)
    outputs[0].write_text("% edited by hand\n")
    assert not outputs_current(*cli._theory_tex())


def test_a_macro_only_edit_in_a_package_rewrites_the_equations_not_the_figures(
    tmp_path, monkeypatch
):
    """``theory/networks/_latex.py`` (the package's macros) is in ``theory.tex``'s key, and
    in the key of no figure (no ``compute`` reaches it)."""
    from figures import __main__ as cli
    from figures import _registry

    monkeypatch.setattr(cli, "GENERATED_DIR", tmp_path)
    names = ("network_exponents", "training_transfer")
    keys = {n: _registry._key(n, figures.config_for(n)) for n in names}
    tex_key = cli._theory_tex()[1]
    _edit_source(
        monkeypatch, _cache.ROOT / "theory" / "networks" / "_latex.py", lambda s: s + CODE_EDIT
    )
    assert cli._theory_tex()[1] != tex_key
    assert {n: _registry._key(n, figures.config_for(n)) for n in names} == keys


def test_quick_figures_run_in_one_process(tmp_path):
    """``--quick --jobs 1`` with several stale figures starts no worker (workers' figures are
    announced as ``[start k/n]``; in-process runs as ``[k/n]``)."""
    out = subprocess.run(
        [sys.executable, "-m", "figures", "prior_equivalence", "rf_lambda_star", "--quick",
         "--force", "--jobs", "1", "--out", str(tmp_path)],
        capture_output=True, text=True, check=False, cwd=_cache.ROOT,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    assert "[2/2] rf_lambda_star (quick)" in out.stderr
    assert "[start" not in out.stderr
    assert (tmp_path / "rf_lambda_star.pdf").exists()


def test_network_exponents_z_macros_are_the_summary_tables_z(shared_cache):
    """The paper's in-text z of every exponent fit (``NetExpZ*``: the fixed-budget paragraph
    prints the all-width ones, which tab:summary does not judge) is |measured − derived| / s.e.
    as :func:`figures.summary.compare` computes it from the same macros."""
    from figures import network_exponents, summary

    config = figures.config_for("network_exponents", quick=True)
    result, _ = figures.compute_cached("network_exponents", config, log=lambda _: None)
    m = network_exponents.macros(result)
    zs = {k: v for k, v in m.items() if k.startswith("NetExpZ")}
    assert len(zs) == 2 * 2 * 3  # (stationary, budget) × (all widths, from the 2nd) × 3
    for name, printed in zs.items():
        fit = name.removeprefix("NetExpZ")  # e.g. BudgetWideDepthOneStdDigits
        regime = "Stat" if fit.startswith("Stat") else "Budget"
        tag = fit.removeprefix(regime).removeprefix("Wide")
        row = summary.Row(
            "q", "stationary", "fig:networks", "z",
            ("network_exponents", f"NetExpDerived{tag}"),
            ("network_exponents", f"NetExp{fit}"),
            ("network_exponents", f"NetExpSE{fit}"),
        )  # fmt: skip
        c = summary.compare(row, {"network_exponents": m})
        assert printed == f"{c.score:.1f}", name


def test_peak_memory_is_the_process_own_not_its_parents():
    """A child started by fork and exec inherits its parent's resident set in ``ru_maxrss``;
    :func:`figures._registry.peak_rss_mb` reports the child's own peak (Linux: VmHWM)."""
    import resource
    from pathlib import Path

    if not Path("/proc/self/status").exists():
        pytest.skip("VmHWM is Linux's; elsewhere peak_rss_mb is ru_maxrss")
    ballast = np.ones(400 * 2**20 // 8)  # 400 MB resident in this process
    code = (
        "import resource; from figures._registry import peak_rss_mb; "
        "print(peak_rss_mb(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=_cache.ROOT,
    )  # fmt: skip
    own, inherited = map(float, out.stdout.split())
    assert ballast.sum() > 0 and resource.getrusage(resource.RUSAGE_SELF).ru_maxrss > 4e5
    assert inherited >= 400  # the parent's 400 MB, counted into the child
    assert own < 300  # Python and figures' imports: about 30-100 MB


def test_bench_figures_reads_the_figure_processes_logged_peaks():
    from benchmarks.bench_figures import logged_peak_mb

    log = (
        "[start 1/2] a\n  computed in 1.0 s (peak RSS so far 812 MB)\n[done] a in 1.1 s\n"
        "[start 2/2] b\n  computed in 2.0 s (peak RSS so far 2410 MB)\n[done] b in 2.2 s\n"
    )
    assert logged_peak_mb(log) == 2410.0
    assert logged_peak_mb("[1/1] a\n  up to date (0.00 s)\n") is None
