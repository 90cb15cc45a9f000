"""The examples in the docstrings of every runlens module, and docs/api.md, run as doctests.

CI runs them with the rest of the suite (``python -m pytest``); an example whose
output is not the real output fails its module's test. docs/api.md scans
sample_activities into a store in a temporary folder: nothing is written to
the user's data directory.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import runlens
from tests.conftest import ROOT

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
#: Extras a module may need (runlens[dask]); without them its examples are skipped.
OPTIONAL = {"dask", "distributed", "pyarrow"}


def _modules() -> list[str]:
    found = [m.name for m in pkgutil.walk_packages(runlens.__path__, "runlens.")]
    return ["runlens", *sorted(n for n in found if not n.endswith("__main__"))]


def _run(tests: list[doctest.DocTest]) -> tuple[doctest.TestResults, str]:
    """Run ``tests``; (results, the report of each failure)."""
    out: list[str] = []
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    for t in tests:
        runner.run(t, out=out.append)
    return runner.summarize(verbose=False), "".join(out)


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """In the checkout (examples name sample_activities/...), user folders in tmp."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    return tmp_path


@pytest.mark.parametrize("name", _modules())
def test_module_examples(name, isolated):
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] in OPTIONAL:
            pytest.skip(f"{name} needs {exc.name}")
        raise
    tests = doctest.DocTestFinder().find(module, name)
    results, report = _run(tests)
    assert results.failed == 0, report


def test_api_doc(isolated, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(isolated))  # its mkdtemp() under tmp_path
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    test = doctest.DocTestParser().get_doctest(text, {}, "docs/api.md", "docs/api.md", 0)
    results, report = _run([test])
    assert results.failed == 0, report
    assert results.attempted >= 20  # the whole walk-through ran, not an empty file


def test_the_modules_have_examples():
    """The harness finds the examples (at least one in each module known to have some)."""
    for name in ("runlens.units", "runlens.baseline", "runlens.metrics.summary", "runlens.rules"):
        tests = doctest.DocTestFinder().find(importlib.import_module(name), name)
        assert sum(len(t.examples) for t in tests) >= 1, name


def test_a_wrong_example_fails():
    """An example whose output is not the real one is reported as a failure."""
    wrong = doctest.DocTestParser().get_doctest(">>> 1 + 1\n3\n", {}, "wrong", "wrong", 0)
    results, report = _run([wrong])
    assert results == (1, 1)
    assert "Expected:\n    3\nGot:\n    2" in report
