"""One front door (issue 23): every command is a thin call of the public API.

``runlens/cli`` parses options, calls :func:`runlens.analyze` /
:class:`runlens.History` (runlens/api.py) and prints what the report layer
makes of the result; it reads no store, runs no metric or rule and reads no
file itself. Read from the source with ``ast`` (tests/test_layering.py), lazy
imports inside functions included.

What cli/ may import, and why:

- ``runlens`` and ``runlens.api``: the front door itself.
- ``runlens.report``: the text, charts and PDF a command prints or writes.
- ``runlens.cli``: its own modules (the shared options of ``_common``).
- ``runlens.errors``: the exceptions it turns into exit codes.
- ``runlens.config`` and ``runlens.units``: foundations with no runlens imports
  of their own: the config path in ``--config``'s help, the runner-profile check
  of ``analyze``'s options, ``plural`` for the option help.
- ``runlens.lifeline``: SIGTERM/SIGHUP stop a command as Ctrl-C does, workers
  included; process plumbing, no part of what is computed.
- ``runlens.cohort.cli``: the Dask engine's own front door (``scan --engine dask``,
  ``weekly --cohort``), at the API's layer.
"""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from tests.test_layering import MODULES, _imports

#: Modules (and their submodules) a cli module may import.
ALLOWED = (
    "runlens",
    "runlens.api",
    "runlens.report",
    "runlens.cli",
    "runlens.errors",
    "runlens.config",
    "runlens.units",
    "runlens.lifeline",
    "runlens.cohort.cli",
)

#: The parts behind the front door, never imported by a command directly.
BEHIND = ("history", "store", "metrics", "rules", "io", "pain", "load", "memo", "baseline", "model")


def _allowed(target: str) -> bool:
    if target == "runlens":
        return True
    return any(target == a or target.startswith(a + ".") for a in ALLOWED if a != "runlens")


def _cli_imports() -> list[tuple[str, int, str]]:
    return [
        (m, line, t)
        for m, p in MODULES.items()
        if m == "runlens.cli" or m.startswith("runlens.cli.")
        for line, t in _imports(m, p)
    ]


def test_cli_imports_only_the_front_door():
    bad = [
        f"{MODULES[m].relative_to(ROOT)}:{line}: {m} imports {t}"
        for m, line, t in _cli_imports()
        if not _allowed(t)
    ]
    assert not bad, "cli/ reaches behind runlens.api:\n" + "\n".join(bad)


@pytest.mark.parametrize("part", BEHIND)
def test_no_cli_module_imports_what_is_behind_the_api(part):
    hits = [(m, t) for m, _, t in _cli_imports() if t.split(".")[1:2] == [part]]
    assert not hits, hits


def test_the_check_sees_the_cli():
    """The import graph is the real one: every command module is there and its lazy
    imports of the API and the report layer are found; a forbidden import is caught."""
    cmds = {m for m in MODULES if m.startswith("runlens.cli.cmd_")}
    assert {f"runlens.cli.cmd_{c}" for c in (
        "analyze", "baseline", "chart", "evidence", "pain", "report", "runs", "scan", "weekly"
    )} <= cmds  # fmt: skip
    targets = {t for _, _, t in _cli_imports()}
    assert "runlens.api" in targets and "runlens.report.console" in targets
    assert not _allowed("runlens.history.runner") and not _allowed("runlens.store.db")
    assert not _allowed("runlens.cohort.dataset") and _allowed("runlens.report.charts._style")


def test_every_command_goes_through_the_api():
    """Each command that reads a file or the history calls runlens.api (directly or
    through cli._common's history_db), not a part behind it."""
    reads = {
        m: {t for mm, _, t in _cli_imports() if mm == m}
        for m in MODULES
        if m.startswith("runlens.cli.cmd_") and not m.endswith("cmd_evidence")
    }
    for m, targets in reads.items():
        assert targets & {"runlens.api", "runlens.cli._common", "runlens.cli.cmd_chart"}, m


def test_findings_stay_objects_until_output(monkeypatch, tmp_path):
    """Within ``analyze``: the rules' Finding objects reach the plot as they are
    (no object -> dict -> object round trip); dicts only in the JSON result."""
    import runlens
    from runlens.findings import Finding
    from runlens.report.charts import run as run_chart

    path = ROOT / "sample_activities" / "2026-08-23-run-long.fit"
    if not path.exists():
        pytest.skip("sample activities not generated")
    rebuilt = []
    real = run_chart.finding_from_dict

    def counting(d):
        if not isinstance(d, Finding):
            rebuilt.append(d)
        return real(d)

    monkeypatch.setattr(run_chart, "finding_from_dict", counting)
    a = runlens.analyze(path)
    assert a._findings and all(isinstance(f, Finding) for f in a._findings)
    # The JSON result holds the same findings, as dicts.
    assert [f.to_dict() for f in a._findings] == a.to_dict()["findings"]
    fig = a.plot(tmp_path / "run.png")
    assert (tmp_path / "run.png").stat().st_size > 0
    assert rebuilt == [], "the plot rebuilt findings from their dicts"
    import matplotlib.pyplot as plt

    plt.close(fig)


# ------------------------------------------------------------------ the History methods
@pytest.fixture(scope="module")
def sample_history(tmp_path_factory):
    """sample_activities scanned through the API into a tmp store (28 runs, 6 weeks)."""
    from runlens.api import History
    from tests.conftest import SAMPLES

    tmp = tmp_path_factory.mktemp("front")
    h = History.of(tmp / "h.sqlite")
    rep = h.scan(SAMPLES, jobs=1)
    assert (rep.read, rep.runs, rep.weeks) == (28, 28, 6)  # the sample history, as docs/api.md
    return h, {"XDG_DATA_HOME": str(tmp / "data"), "XDG_CONFIG_HOME": str(tmp / "config")}


def _cli_json(env, *args):
    import json

    from tests.conftest import run_cli

    p = run_cli(*args, "--json", env=env)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def test_history_methods_are_what_the_commands_print(sample_history):
    import json

    h, env = sample_history
    db = str(h.path)
    rows, counts, gone = h.run_rows()
    runs = _cli_json(env, "runs", "--db", db)
    assert json.loads(json.dumps(rows)) == runs["runs"] and counts == runs["counts"]
    assert len(rows) == 28 and gone == []
    assert sum(bool(r["flags"]) for r in rows) == runs["flagged_runs"] == 3  # docs/api.md's 3
    assert json.loads(json.dumps(h.weekly_doc())) == _cli_json(env, "weekly", "--db", db)
    view = h.baseline_view()
    assert json.loads(json.dumps(view.to_dict())) == _cli_json(env, "baseline", "--db", db)
    assert view.baseline.cadence.n_activities == 27  # docs/api.md: fitted on 27 runs
    assert view.text().startswith("Baselines as of 2026-09-13 ")  # a day after the last run


def test_the_pain_diary_through_history(sample_history, tmp_path):
    import datetime as dt

    from runlens.errors import RunlensError

    h, env = sample_history
    e = h.add_pain("2026-08-20", 4, note="after the long run")
    assert (e.date, e.severity, e.location) == (dt.date(2026, 8, 20), 4, "upper-back")
    old, new = h.edit_pain(e.id, severity=6)
    assert (old.severity, new.severity, new.note) == (4, 6, "after the long run")
    csv = tmp_path / "diary.csv"
    csv.write_text("date,severity,where,note\n2026-08-28,3,upper-back,\n2026-09-02,0,neck,\n")
    rep = h.import_pain(csv)
    assert (rep.rows, rep.added, rep.already) == (3 - 1, 2, 0)
    assert [x.date.isoformat() for x in h.pain_entries("2026-08-21")] == ["2026-08-28", "2026-09-02"]
    assert [x.location for x in h.pain_entries(where="neck")] == ["neck"]
    assert h.remove_pain(e.id).id == e.id
    assert len(h.pain_entries()) == 2
    with pytest.raises(RunlensError, match="not YYYY-MM-DD"):
        h.pain_entries("last week")
    doc = h.pain_report(threshold=3)
    assert doc == _cli_json(env, "pain", "report", "--threshold", "3", "--db", str(h.path))


def test_the_front_door_names_are_defined_once():
    # Issue 23: `runlens.History` and `runlens.history.History` were different classes,
    # and `runlens.analyze` was not `report.analysis.analyze`. A public name of the
    # front door is defined (class or function, at module level) by runlens.api only.
    import ast

    import runlens

    names = {"analyze", "analyze_all", "History", "read"} & set(runlens.__all__)
    assert {"analyze", "History"} <= names
    twins = []
    for m, p in MODULES.items():
        if m == "runlens.api":
            continue
        for node in ast.parse(p.read_text(encoding="utf-8")).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in names - {"read"}:
                twins.append(f"{m}.{node.name}")
    assert twins == []
