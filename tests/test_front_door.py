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
