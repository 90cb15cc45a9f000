"""Heavy modules are imported only by the commands that need them.

pandas (~0.35 s), scipy (~1 s for scipy.signal) and matplotlib (~0.8 s) must not
be paid for by ``import runlens`` or ``runlens --help``; ``runlens analyze`` of a
FIT, GPX or TCX file runs on NumPy alone (no pandas, scipy or matplotlib). Each check runs in a
fresh interpreter.
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
    assert "numpy" in loaded and "runlens" in loaded  # analyze really ran
    assert "pandas" not in loaded  # the samples are NumPy arrays (issue 28)
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


# --- issue 28: the single-file analyze path, every format, text and JSON -----------------
#: What `runlens analyze FILE` must never import: the plotting and signal stacks, and pyarrow
#: (pandas 3 would load it for nothing this command uses).
NEVER_IN_ANALYZE = ("scipy", "matplotlib", "pyarrow")


def _tcx_file(tmp_path):
    from runlens.sim.synth import simulate_run
    from runlens.sim.tcxwrite import to_tcx

    path = tmp_path / "run.tcx"
    path.write_text(to_tcx(simulate_run(duration_s=1800, seed=3)), encoding="utf-8")
    return path


def _analyze_modules(path, json_out: bool, data_home) -> set[str]:
    """Top-level modules a ``runlens analyze`` process holds after the command (the
    console script's form: ``main()`` with ``sys.argv``), its output checked."""
    argv = ["runlens", "analyze", *(["--json"] if json_out else []), str(path)]
    code = (
        "import contextlib, io, sys, json\n"
        f"sys.argv = {argv!r}\n"
        "from runlens.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    assert main() == 0\n"
        + ("assert json.loads(out.getvalue())['summary']['distance_m'] > 0\n" if json_out
           else "assert 'Verdict' in out.getvalue()\n")
        + "print(json.dumps(sorted({m.split('.')[0] for m, v in sys.modules.items() "
        "if v is not None})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
        env={"PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg", "PATH": "",
             "XDG_DATA_HOME": str(data_home)},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def _gpx_without_sport(tmp_path):
    """A GPX track without <type>: its sport is inferred from its samples (io.hints)."""
    import re

    text = (ROOT / "sample_activities" / "2026-08-05-run-tempo.gpx").read_text(encoding="utf-8")
    path = tmp_path / "no-type.gpx"
    path.write_text(re.sub(r"<type>[^<]*</type>", "", text), encoding="utf-8")
    return path


_FORMATS = {
    "fit": lambda tmp: ROOT / "sample_activities" / "2026-08-03-run-easy.fit",
    "gpx": lambda tmp: ROOT / "sample_activities" / "2026-08-05-run-tempo.gpx",
    "gpx-no-sport": _gpx_without_sport,
    "tcx": _tcx_file,
}


@pytest.mark.parametrize("json_out", [False, True], ids=["text", "json"])
@pytest.mark.parametrize("fmt", sorted(_FORMATS))
def test_analyze_file_imports_no_scipy_matplotlib_or_pyarrow(fmt, json_out, tmp_path):
    loaded = _analyze_modules(_FORMATS[fmt](tmp_path), json_out, tmp_path / "home")
    assert not loaded & set(NEVER_IN_ANALYZE), sorted(loaded & set(NEVER_IN_ANALYZE))


@pytest.mark.parametrize("json_out", [False, True], ids=["text", "json"])
@pytest.mark.parametrize("fmt", sorted(_FORMATS))
def test_analyze_file_imports_no_pandas(fmt, json_out, tmp_path):
    """The single-file path runs on NumPy: pandas is for DataFrames a caller asks for
    and for reading a history (issue 28)."""
    loaded = _analyze_modules(_FORMATS[fmt](tmp_path), json_out, tmp_path / "home")
    assert "pandas" not in loaded


def test_analyze_against_a_stored_history_imports_no_scipy_matplotlib_or_pyarrow(tmp_path):
    """With the runner's store there (the baseline read from it), as without."""
    hist = tmp_path / "history"
    hist.mkdir()
    for name in ("2026-08-03-run-easy.fit", "2026-08-04-run-easy.fit", "2026-08-09-run-long.fit"):
        (hist / name).write_bytes((ROOT / "sample_activities" / name).read_bytes())
    home = tmp_path / "home"
    env = {"PYTHONPATH": str(ROOT), "PATH": "", "XDG_DATA_HOME": str(home)}
    subprocess.run(
        [sys.executable, "-m", "runlens", "scan", str(hist)], cwd=ROOT, env=env,
        capture_output=True, timeout=300, check=True,
    )  # fmt: skip
    assert (home / "runlens" / "history.sqlite").exists()
    run = ROOT / "sample_activities" / "2026-08-12-run-intervals.fit"
    loaded = _analyze_modules(run, True, home)
    assert not loaded & set(NEVER_IN_ANALYZE), sorted(loaded & set(NEVER_IN_ANALYZE))
