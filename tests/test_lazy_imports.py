"""Heavy modules are imported only by the commands that need them.

pandas (~0.35 s), scipy (~1 s for scipy.signal) and matplotlib (~0.8 s) must not
be paid for by ``import runlens`` or ``runlens --help``; ``runlens analyze``
needs pandas but never matplotlib. Each check runs in a fresh interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT, corpus

HEAVY = ("pandas", "scipy", "matplotlib")


def _modules_after(code: str) -> set[str]:
    probe = (
        f"{code}\nimport sys, json\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg", "PATH": ""},
        timeout=120,
        check=True,
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_runlens_imports_no_heavy_module():
    loaded = _modules_after("import runlens")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_api_names_import_no_heavy_module():
    """runlens.analyze, Analysis and History come from runlens.api on first use, lightly."""
    loaded = _modules_after(
        "import runlens\nrunlens.analyze, runlens.Analysis, runlens.History, runlens.read"
    )
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_help_imports_no_heavy_module():
    code = (
        "import contextlib, io\nfrom runlens.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n        main(['--help'])\n    except SystemExit:\n        pass"
    )
    loaded = _modules_after(code)
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_analyze_imports_no_plotting():
    path = corpus("python-fitparse/tests/files/garmin-fenix-5-run.fit")
    code = (
        "import contextlib, io\nfrom runlens.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main(['analyze', {str(path)!r}]) == 0"
    )
    loaded = _modules_after(code)
    assert "pandas" in loaded  # the records frame: analyze really ran
    assert "matplotlib" not in loaded
    assert "gpxpy" not in loaded  # a FIT file needs no GPX reader


@pytest.mark.parametrize("module", ["runlens.io", "runlens.model", "runlens.errors"])
def test_core_modules_import_no_heavy_module(module):
    loaded = _modules_after(f"import {module}")
    assert not loaded & set(HEAVY)


def test_analyze_process_imports_no_pyarrow_scipy_or_plotting():
    """``runlens analyze --json`` as its own process (main() without arguments, as the
    console script calls it): pandas 3 would import pyarrow, installed by the dask and
    test extras, for nothing this command uses; scipy and matplotlib are not needed."""
    path = corpus("python-fitparse/tests/files/garmin-fenix-5-run.fit")
    code = (
        "import contextlib, io, sys\n"
        f"sys.argv = ['runlens', 'analyze', '--json', {str(path)!r}]\n"
        "from runlens.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    assert main() == 0\n"
        "assert '\"summary\"' in out.getvalue()\n"
        "loaded = {m.split('.')[0] for m, v in sys.modules.items() if v is not None}\n"
        "assert 'pyarrow' not in loaded, 'pyarrow'\n"
        "assert 'scipy' not in loaded, 'scipy'\n"
        "assert 'matplotlib' not in loaded, 'matplotlib'"
    )
    _modules_after(code)


def test_analyze_called_in_a_callers_process_leaves_pyarrow_alone():
    """main(argv) inside someone else's process (a notebook, the test suite) must not
    hide pyarrow from the rest of that process."""
    path = corpus("python-fitparse/tests/files/garmin-fenix-5-run.fit")
    code = (
        "import contextlib, io, sys\nfrom runlens.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main(['analyze', '--json', {str(path)!r}]) == 0\n"
        "assert sys.modules.get('pyarrow', 'absent') is not None"
    )
    _modules_after(code)
