"""The Python API (runlens/api.py, docs/api.md) gives what the commands print.

``Analysis.to_dict()`` is compared with ``runlens analyze --json`` and
``History.weekly()`` with ``runlens weekly --json``, each run in a real process
on the same files; the known numbers come from sample_activities/manifest.csv
(what the generator wrote into each file). Stores live in tmp folders and the
user's data and config folders point into them.
"""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys

import pandas as pd
import pytest

import runlens
from runlens.api import FINDING_COLUMNS
from runlens.history.weekly import WEEK_COLUMNS
from tests.conftest import ROOT, SAMPLES, run_cli

RUN = "sample_activities/2026-08-18-run-easy.fit"  # overstride:1200-1800 in the manifest


def _manifest(name: str) -> dict:
    with open(SAMPLES / "manifest.csv", newline="", encoding="utf-8") as fh:
        return next(r for r in csv.DictReader(fh) if r["file"] == name)


@pytest.fixture
def env(tmp_path, monkeypatch):
    e = {
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "COLUMNS": "100",
    }
    for k, v in e.items():
        monkeypatch.setenv(k, v)
    monkeypatch.chdir(ROOT)
    return e


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """sample_activities scanned by the command into a tmp store: (db, env)."""
    tmp = tmp_path_factory.mktemp("store")
    e = {"XDG_DATA_HOME": str(tmp / "data"), "XDG_CONFIG_HOME": str(tmp / "config")}
    db = tmp / "h.sqlite"
    p = run_cli("scan", str(SAMPLES), "--db", str(db), "--jobs", "1", env=e)
    assert p.returncode == 0, p.stderr
    return db, e


def _json(obj):
    """As the command's JSON would read back (tuples as lists)."""
    return json.loads(json.dumps(obj, allow_nan=False))


def test_findings_print_as_a_dataframe_from_a_fresh_interpreter(tmp_path):
    code = f"import runlens; a = runlens.analyze({RUN!r}); print(a.findings)"
    env = {"PYTHONPATH": str(ROOT), "PATH": "", "XDG_DATA_HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path), "MPLBACKEND": "Agg"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    head = lines[0].split()  # a DataFrame's header row, middle columns elided at 80 columns
    assert head[0] == "rule" and head[-1] == "suggestion"
    assert lines[1].split()[:2] == ["0", "overstriding"]  # the manifest's overstride
    assert lines[-1] == f"[2 rows x {len(FINDING_COLUMNS)} columns]"


@pytest.mark.parametrize(
    "options, cli",
    [
        ({}, ["--no-history"]),
        ({"height_m": 1.70, "sport": "running"}, ["--no-history", "--height", "1.70",
                                                   "--sport", "running"]),
        ({"rules": False}, ["--no-rules"]),
    ],
)
def test_to_dict_is_the_json_of_analyze(env, options, cli):
    p = run_cli("analyze", RUN, "--json", *cli, env=env)
    assert p.returncode == 0, p.stderr
    a = runlens.analyze(RUN, **options)
    assert _json(a.to_dict()) == json.loads(p.stdout)


def test_to_dict_with_a_history_is_the_json_of_analyze_db(env, store):
    db, _ = store
    p = run_cli("analyze", RUN, "--json", "--db", str(db), env=env)
    assert p.returncode == 0, p.stderr
    for history in (str(db), runlens.History(db)):
        a = runlens.analyze(RUN, history=history)
        assert _json(a.to_dict()) == json.loads(p.stdout)
    f = a.findings.set_index("rule")
    assert f.loc["overstriding", "basis"].startswith("your own baseline from 8 runs")
    # the 60 days before 2026-08-18 hold 8 runs (manifest: 08-03 to 08-16)
    with open(SAMPLES / "manifest.csv", newline="", encoding="utf-8") as fh:
        before = [r for r in csv.DictReader(fh) if r["local_start"] < "2026-08-18"]
    assert len(before) == 8


def test_to_text_is_the_text_of_analyze(env):
    p = run_cli("analyze", RUN, "-v", "--laps", "--no-history", env=env)
    assert p.returncode == 0, p.stderr
    a = runlens.analyze(RUN)
    assert a.to_text(verbose=True, laps=True, width=100) + "\n" == p.stdout


def test_analysis_tables_and_summary(env):
    m = _manifest("2026-08-18-run-easy.fit")
    a = runlens.analyze(RUN)
    assert a.summary["distance_m"] == pytest.approx(float(m["distance_m"]), abs=0.1)
    assert a.summary["cadence_spm"] == pytest.approx(float(m["avg_cadence_spm"]), abs=0.05)
    assert len(a.laps) == int(m["laps"])
    d = float(m["distance_m"])
    assert len(a.splits) == math.ceil(d / 1000)  # 8 whole km and the 390 m left
    assert list(a.splits["complete"]) == [True] * 8 + [False]
    f = a.findings.set_index("rule")
    over = f.loc["overstriding"]
    # against the population band a note at most (issue 25's severity policy)
    assert over["severity"] == "note"
    assert over["values"]["cadence_spm"] < over["threshold"]["cadence_spm_below"]
    # the stretch lies inside the manifest's overstride (1200-1800 s after the start)
    start = pd.Timestamp(m["local_start"]).tz_localize("UTC") - pd.Timedelta(
        seconds=int(m["utc_offset_s"])
    )
    assert start + pd.Timedelta(seconds=1200) <= over["start"] < over["end"]
    assert over["end"] <= start + pd.Timedelta(seconds=1800)
    assert pd.isna(f.loc["heel_striking", "start"])


def test_analyze_leaves_a_given_activity_unchanged(env):
    act = runlens.read(RUN)
    cadence = act.records["cadence_spm"].copy()
    a = runlens.analyze(act, sport="walking")
    assert act.sport == "running" and act.warnings == []
    pd.testing.assert_series_equal(act.records["cadence_spm"], cadence)
    assert a.activity.sport == "walking"
    assert runlens.analyze(act).to_dict()["summary"] == runlens.analyze(RUN).summary


def test_plot_returns_the_run_picture_and_writes_it(env, tmp_path):
    a = runlens.analyze(RUN)
    fig = a.plot(tmp_path / "run.png")
    assert type(fig).__name__ == "Figure"
    assert (tmp_path / "run.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    p = run_cli("analyze", RUN, "--no-history", "--plot", str(tmp_path / "cli.png"))
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "cli.png").read_bytes() == (tmp_path / "run.png").read_bytes()


def test_bad_file_is_one_runlens_error_naming_it(env):
    with pytest.raises(runlens.RunlensError, match="sample_activities/README.md: not a FIT"):
        runlens.analyze("sample_activities/README.md")


def test_weekly_has_the_numbers_of_weekly_json(store, monkeypatch):
    db, e = store
    for k, v in e.items():
        monkeypatch.setenv(k, v)
    p = run_cli("weekly", "--db", str(db), "--json", env=e)
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    w = runlens.History(db).weekly()
    assert len(w) == len(doc["weeks"]) == 6  # 2026-08-03 to 2026-09-13: six Monday weeks
    for row, week in zip(w.to_dict("records"), doc["weeks"]):
        assert row["week"].date().isoformat() == week["week"]
        for c in [*WEEK_COLUMNS[1:], "form_flag_runs"]:
            want = week[c]
            assert (pd.isna(row[c]) if want is None else row[c] == want), (week["week"], c)
        assert row["n_findings"] == len(week["findings"])
    assert w["runs"].sum() == 28  # the manifest's 28 runs
    assert w.attrs["load_unit"] == doc["load_unit"] == "km"
    # findings(): every finding of the JSON, in order, with its week
    fs = runlens.History(db).findings()
    flat = [(wk["week"], f["rule"], f["severity"], f["message"])
            for wk in doc["weeks"] for f in wk["findings"]]
    got = [(r.week.date().isoformat(), r.rule, r.severity, r.message) for r in fs.itertuples()]
    assert got == flat


def test_runs_and_baseline_are_those_of_the_commands(store, monkeypatch):
    db, e = store
    for k, v in e.items():
        monkeypatch.setenv(k, v)
    h = runlens.History(db)
    runs = json.loads(run_cli("runs", "--db", str(db), "--json", env=e).stdout)["runs"]
    r = h.runs()
    assert list(r["path"]) == [x["path"] for x in runs]
    assert list(r["flags"]) == [x["flags"] for x in runs]
    assert list(r["local_date"].dt.date.astype(str)) == [x["local_date"] for x in runs]
    base = json.loads(run_cli("baseline", "--db", str(db), "--json", env=e).stdout)
    b = h.baseline()
    assert b.loc["cadence_spm", "intercept"] == base["cadence"]["intercept_spm"]
    assert b.loc["cadence_spm", "n_activities"] == base["cadence"]["n_activities"]
    for m, band in base["bands"].items():
        assert b.loc[m, "slope_per_m_s"] == band["slope_per_m_s"]
        assert b.loc[m, "basis"] == base["basis"][m]
    assert b.attrs["as_of_utc"] == base["as_of_utc"]
    assert h.pain.empty  # nothing entered in the diary


def test_reprs_are_short_and_say_what_when_how_long(env, store):
    m = _manifest("2026-08-18-run-easy.fit")
    act = runlens.read(RUN)
    r = repr(act)
    assert len(r) < 120, r
    assert r == (
        "<Activity running 2026-08-18 07:03+02:00, 49:00, 8.39 km, "
        f"{m['samples']} records, garmin fr935>"
    )
    assert m["local_start"] == "2026-08-18T07:03:00" and m["elapsed_s"] == "2940"  # 0:49:00
    a = runlens.analyze(RUN)
    assert repr(a) == "<Analysis 2026-08-18-run-easy.fit: 8.39 km run, 0 flags, 1 note>"
    assert repr(runlens.analyze(RUN, rules=False)).endswith("rules not run>")
    db, _ = store
    assert repr(runlens.History(db)) == f"<History {db}: 28 runs, 2026-08-03 to 2026-09-13>"
    assert repr(runlens.History(db.parent / "none.sqlite")).endswith("(no store yet)>")


def test_history_resolves_folders_and_the_default_store(env, tmp_path, monkeypatch):
    from runlens.history import store as store_mod

    # a folder or None: the runner's one store, as `runlens weekly DIR`
    assert runlens.History(SAMPLES).path == store_mod.default_store_path()
    assert runlens.History().path == store_mod.default_store_path()
    assert str(runlens.History().path).startswith(env["XDG_DATA_HOME"])
    one = tmp_path / "runner.sqlite"
    monkeypatch.setenv("RUNLENS_DB", str(one))
    assert runlens.History().path == one


def test_history_of_a_missing_store_says_scan_first(tmp_path):
    with pytest.raises(runlens.RunlensError, match="run `runlens scan DIR` first"):
        runlens.History(tmp_path / "none.sqlite").weekly()
