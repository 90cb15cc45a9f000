"""The package's folders say what each part does: the simulators (runlens.sim) serve tests,
benchmarks and sample_activities/, and nothing that reads files imports them.

Read from the source with ``ast``, so an import inside a function (a lazy one) counts too.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "runlens"
SIM = "runlens.sim"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in ``path``, relative ones made absolute;
    ``from a import b`` gives both ``a`` and ``a.b`` (b may be a module)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            found.append((node.lineno, mod))
            found += [(node.lineno, f"{mod}.{a.name}") for a in node.names]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def _is_sim(module: str) -> bool:
    return module == SIM or module.startswith(SIM + ".")


def reading_path_files() -> list[Path]:
    """Every module of runlens but the simulators: io, model, metrics, rules, history,
    report, cli, ..."""
    return [p for p in sorted(PACKAGE.rglob("*.py")) if not _is_sim(_module_name(p))]


def test_the_reading_path_is_all_of_runlens_but_sim():
    files = {_module_name(p) for p in reading_path_files()}
    assert {"runlens.io", "runlens.io.fit", "runlens.cli", "runlens.history.scan"} <= files
    assert not {m for m in files if _is_sim(m)}
    assert (PACKAGE / "sim" / "synth.py").exists()  # the simulators are where this test looks


@pytest.mark.parametrize("path", reading_path_files(), ids=lambda p: _module_name(p))
def test_nothing_in_the_reading_path_imports_the_simulators(path):
    bad = [f"line {line}: {mod}" for line, mod in imported_modules(path) if _is_sim(mod)]
    assert not bad, f"{path.relative_to(ROOT)} imports the simulators: {bad}"


def test_the_check_sees_every_kind_of_import(tmp_path, monkeypatch):
    # The same parser on a module that imports the simulators each way it could.
    pkg = tmp_path / "runlens" / "io"
    pkg.mkdir(parents=True)
    (tmp_path / "runlens" / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "bad.py").write_text(
        "import runlens.sim.synth\n"
        "from runlens.sim import fitwrite\n"
        "from ..sim.gpxwrite import to_gpx\n"
        "from .. import sim\n"
        "def later():\n"
        "    from runlens.sim.tcxwrite import to_tcx\n"
        "    import importlib\n"
        "    importlib.import_module('runlens.sim.synth')\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    hits = [line for line, mod in imported_modules(pkg / "bad.py") if _is_sim(mod)]
    assert sorted(set(hits)) == [1, 2, 3, 4, 6, 8]


def test_sim_uses_the_readers_helpers_and_has_no_copy_of_them():
    # One copy each (issue 19): the encoders take the CRC, gzip and FIT epoch from runlens.io.
    defined = {}
    for p in sorted(PACKAGE.rglob("*.py")):
        for node in ast.parse(p.read_text(encoding="utf-8")).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                defined.setdefault(node.name, []).append(_module_name(p))
            elif isinstance(node, ast.Assign):
                for t in node.targets:
                    if isinstance(t, ast.Name):
                        defined.setdefault(t.id, []).append(_module_name(p))
    for name in ("crc16", "gzip_bytes", "FIT_EPOCH_S", "format_duration", "Device", "Pause",
                 "summarize"):
        assert len(defined.get(name, [])) == 1, (name, defined.get(name))
