"""The package's layers (issue 23): data flows io -> model -> metrics -> rules ->
store/history -> report -> api -> cli, and each part imports only from its own
layer or the ones below it; no import cycles; SQL only in runlens.store.

Read from the source with ``ast``: an import inside a function (a lazy one) or
under ``TYPE_CHECKING`` counts too. docs/where-things-go.md says where a new
part belongs.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "runlens"

#: Each top-level module or package of runlens -> its layer (lower is more basic).
#: A module may import from its own layer and the layers below, never above.
LAYERS: dict[str, int] = {
    # foundations: no runlens imports but each other
    "errors": 0, "units": 0, "caveats": 0, "memo": 0, "config": 0,
    # the sample channels, each described once (runlens.channels)
    "channels": 0,
    # process and file plumbing every layer may use: worker lifelines, atomic outputs
    "lifeline": 0, "atomic": 0,
    # the activity model every part reads
    "model": 1, "tz": 1,
    # readers: bytes in, Activity out; the simulators that write what they read
    "io": 2, "sim": 3,
    # metrics over an Activity, training load, baselines' and findings' types
    "metrics": 4, "load": 4, "baseline": 4, "findings": 4,
    # the form and load rules
    "rules": 5,
    # the store (SQL), then the history built on it and the pain diary's analysis
    "store": 6, "history": 7, "pain": 8,
    # what a runner sees: text, charts, PDF
    "report": 9,
    # the squad engine and the Python API: the front doors
    "cohort": 10, "api": 10,
    # the command line, and the package root that re-exports the API
    "cli": 11, "__main__": 11, "": 11,
}

def _modules() -> dict[str, Path]:
    out = {}
    for p in PACKAGE.rglob("*.py"):
        parts = p.relative_to(ROOT).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = p
    return out


MODULES = _modules()


def _part(module: str) -> str:
    """``runlens.history.scan`` -> ``history``; the root package -> ``""``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _imports(module: str, path: Path) -> list[tuple[int, str]]:
    """(line, runlens module) of every import of ``path``; ``from a import b`` names
    ``a.b`` when that is a module, else ``a``. ``from runlens import __version__``
    is a constant, not a dependency on the front door."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name in MODULES]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("runlens"):
                continue
            names = [a.name for a in node.names]
            if target == "runlens" and names == ["__version__"]:
                continue
            subs = [f"{target}.{n}" for n in names if f"{target}.{n}" in MODULES]
            found += [(node.lineno, m) for m in subs] or [(node.lineno, target)]
    return found


def _graph() -> dict[str, set[str]]:
    g: dict[str, set[str]] = defaultdict(set)
    for m, p in MODULES.items():
        for _, t in _imports(m, p):
            if t in MODULES and t != m:
                g[m].add(t)
    return g


def test_every_part_has_a_layer():
    assert {_part(m) for m in MODULES} <= set(LAYERS), "add the new part to LAYERS"


def test_no_upward_imports():
    bad = []
    for m, p in MODULES.items():
        for line, t in _imports(m, p):
            if LAYERS[_part(t)] > LAYERS[_part(m)]:
                bad.append(f"{p.relative_to(ROOT)}:{line}: {m} imports {t}")
    assert not bad, "imports from a higher layer:\n" + "\n".join(bad)


def _cycles(g: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[set[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in g.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)

    for v in sorted(set(g) | {w for ws in g.values() for w in ws}):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles():
    g = _graph()
    parts: dict[str, set[str]] = defaultdict(set)
    for a, bs in g.items():
        for b in bs:
            if _part(a) != _part(b):
                parts[_part(a)].add(_part(b))
    assert not _cycles(parts), "parts of runlens import each other"
    cycles = _cycles(g)
    assert not cycles, f"modules import each other: {cycles}"


def test_the_checks_see_what_they_check():
    """The graph is the real one: the known lazy imports are found."""
    g = _graph()
    assert "runlens.store.db" in g["runlens.history.scan"]
    assert "runlens.io.fitrepair" in g["runlens.io.fit"]  # an import inside a function
    assert "runlens.metrics.elevation" in g["runlens.metrics.samples"]  # and another
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [{"a", "b"}]


def _sql(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import | ast.ImportFrom):
            mods = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
            if "sqlite3" in mods:
                found.append(f"{node.lineno}: imports sqlite3")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("execute", "executemany", "executescript")
        ):
            found.append(f"{node.lineno}: .{node.func.attr}(")
    return found


def test_sql_only_in_the_store_package():
    bad = [
        f"{p.relative_to(ROOT)}:{hit}"
        for m, p in MODULES.items()
        if _part(m) != "store"
        for hit in _sql(p)
    ]
    assert not bad, "SQL outside runlens.store:\n" + "\n".join(bad)
    assert _sql(PACKAGE / "store" / "db.py"), "the check finds the store's own SQL"
