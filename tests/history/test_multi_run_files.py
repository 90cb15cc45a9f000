"""The run, not the file, is the unit of history (issue 23).

Files built with runlens.sim with the structures real watches write:

- a TCX export holding three ``<Activity Sport="Running">`` on three days (what
  a Forerunner 610 export of several days looks like);
- a Forerunner 305 style ``<MultiSportSession>`` TCX holding four activities on
  four days (FirstSport / NextSport);
- a FIT file with two running sessions 80 minutes apart (one file, two session
  messages, each with its own laps and records);
- a FIT multisport file: a run leg and a bike leg two minutes apart (one event).

Each run is its own run in ``analyze`` and in the history; the legs of one
multisport event stay one; a store of schema 5 holding such files migrates to
activity rows, its pain diary intact, and the next scan stores every run.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import timedelta

import pytest

from runlens.history import Store, scan
from runlens.io import read, read_all
from runlens.io.events import EVENT_GAP_S, split_event_key
from runlens.sim.fitwrite import encode_activity
from runlens.sim.synth import DEFAULT_START, simulate_run
from runlens.sim.tcxwrite import to_tcx
from runlens.store.db import _SCHEMA, APPLICATION_ID, MIGRATIONS
from tests.conftest import run_cli


def _runs(n: int, step: timedelta, duration_s: int = 1200):
    return [
        simulate_run(seed=10 + k, duration_s=duration_s + 60 * k, lap_distance_m=None,
                     start=DEFAULT_START + k * step)
        for k in range(n)
    ]


def _activities(tcx: str) -> str:
    return tcx[tcx.index("<Activity ") : tcx.index("</Activities>")]


def three_day_tcx() -> tuple[bytes, list]:
    runs = _runs(3, timedelta(days=1))
    texts = [to_tcx(r, style="garmin", sport="Running", creator="Forerunner 610") for r in runs]
    more = "".join(_activities(t) for t in texts[1:])
    return texts[0].replace("</Activities>", more + "</Activities>").encode(), runs


def multisport_session_tcx() -> tuple[bytes, list]:
    """Forerunner 305: one <MultiSportSession> whose four activities are on four days."""
    runs = _runs(4, timedelta(days=1), duration_s=900)
    texts = [to_tcx(r, style="plain", sport="Running", creator="Forerunner 305") for r in runs]
    parts = [f"<FirstSport>{_activities(texts[0])}</FirstSport>"] + [
        f"<NextSport>{_activities(t)}</NextSport>" for t in texts[1:]
    ]
    body = "<MultiSportSession><Id>2026-09-07T04:30:00Z</Id>" + "".join(parts)
    body += "</MultiSportSession>"
    t0 = texts[0]
    head = t0[: t0.index("<Activities>") + len("<Activities>")]
    tail = t0[t0.index("</Activities>") :]
    return (head + body + tail).encode(), runs


def two_session_fit() -> tuple[bytes, list]:
    """Two running sessions in one FIT file, the second 80 minutes after the first ends."""
    # Three hours after the three-day TCX's first run: two recordings starting the same
    # second are one run cut off (issue 24), which these two are not.
    a = simulate_run(seed=21, duration_s=1800, start=DEFAULT_START + timedelta(hours=3))
    b = simulate_run(seed=22, duration_s=1500,
                     start=a.start + timedelta(seconds=1800 + 80 * 60))
    return encode_activity(a, more_sessions=[b]), [a, b]


def multisport_fit() -> tuple[bytes, list]:
    """A run leg, then a bike leg starting two minutes after it ends: one event."""
    a = simulate_run(seed=31, duration_s=1500, start=DEFAULT_START + timedelta(hours=6))
    bike = simulate_run(seed=32, duration_s=1200, start=a.start + timedelta(seconds=1500 + 120),
                        dynamics=False)
    bike = replace(bike, sport=2)  # FIT sport 2: cycling
    return encode_activity(a, more_sessions=[bike]), [a, bike]


# ----------------------------------------------------------------------------- reading


def test_a_tcx_with_three_days_is_three_runs():
    data, runs = three_day_tcx()
    events = read_all(data)
    assert len(events) == 3
    assert [e.start.date() for e in events] == [r.start.date() for r in runs]
    for e, r in zip(events, runs):
        assert len(e.sessions) == 1 and e.sport == "running"
        # each run's distance is its own laps' total, not the file's
        assert e.device_summary["distance_m"] == pytest.approx(r.session.total_distance, abs=1)
        assert e.records.index[0] >= e.start and e.records.index[-1] < e.start + timedelta(hours=1)
        assert e.extra["events"] == 3
    # read() keeps the first and says so
    first = read(data)
    assert first.start == events[0].start
    assert any("holds 3 activities" in w for w in first.warnings)


def test_a_multisport_session_tcx_on_four_days_is_four_runs():
    data, runs = multisport_session_tcx()
    events = read_all(data)
    assert len(events) == 4
    assert [e.start.date() for e in events] == [r.start.date() for r in runs]


def test_a_fit_with_two_running_sessions_80_minutes_apart_is_two_runs():
    data, runs = two_session_fit()
    events = read_all(data)
    assert len(events) == 2
    assert 80 * 60 > EVENT_GAP_S
    for e, r in zip(events, runs):
        assert len(e.sessions) == 1
        assert e.start.timestamp() == pytest.approx(r.start.timestamp(), abs=1)
        assert e.device_summary["distance_m"] == pytest.approx(r.session.total_distance, abs=1)
        assert e.device_summary["elapsed_s"] == pytest.approx(r.session.total_elapsed_time, abs=1)
        assert len(e.records) == len(r.t)
        assert len(e.laps) == len(r.laps)


def test_the_legs_of_a_multisport_event_stay_one_event():
    data, runs = multisport_fit()
    events = read_all(data)
    assert len(events) == 1
    assert [s.sport for s in events[0].sessions] == ["running", "cycling"]
    # judged per leg: the running analysis sees the run leg's records only
    assert events[0].running_mask().sum() == len(runs[0].t)


# ----------------------------------------------------------------------------- analyze


def test_analyze_lists_each_run_of_the_file(tmp_path):
    data, runs = three_day_tcx()
    f = tmp_path / "export.tcx"
    f.write_bytes(data)
    out = run_cli("analyze", str(f), "--no-history")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    heads = [text.index(f"Run {k} of 3 in this file") for k in (1, 2, 3)]
    assert heads == sorted(heads)
    assert text.count("Keep in mind") == 1 and text.rindex("Keep in mind") > heads[-1]
    for r in runs:
        assert f"{r.start:%Y-%m-%d}" in text
    out = run_cli("analyze", str(f), "--no-history", "--json")
    doc = json.loads(out.stdout)
    assert isinstance(doc, list) and len(doc) == 3
    km = [d["summary"]["distance_m"] for d in doc]
    assert km == pytest.approx([r.session.total_distance for r in runs], rel=0.02)


def test_analyze_of_a_one_run_file_is_unchanged(tmp_path):
    run = simulate_run(seed=3, duration_s=900)
    f = tmp_path / "one.fit"
    f.write_bytes(encode_activity(run))
    out = run_cli("analyze", str(f), "--no-history", "--json")
    assert isinstance(json.loads(out.stdout), dict)
    assert "Run 1 of" not in run_cli("analyze", str(f), "--no-history").stdout


# ----------------------------------------------------------------------------- history


def _folder(tmp_path):
    folder = tmp_path / "watch"
    folder.mkdir()
    (folder / "export.tcx").write_bytes(three_day_tcx()[0])
    (folder / "double.fit").write_bytes(two_session_fit()[0])
    (folder / "tri.fit").write_bytes(multisport_fit()[0])
    return folder


def test_a_scan_stores_each_run_of_a_file(tmp_path):
    folder = _folder(tmp_path)
    db = tmp_path / "h.sqlite"
    rep = scan(folder, db, jobs=1)
    assert rep.analysed == 3 and rep.activities == 6
    assert rep.runs == 6  # 3 + 2 + the multisport event (its run leg counts)
    with Store(db) as s:
        rows = s.conn.execute("SELECT path, file, event FROM activities ORDER BY start_s").fetchall()
    tcx = str((folder / "export.tcx").resolve())
    fit = str((folder / "double.fit").resolve())
    assert [r[0] for r in rows if r[1] == tcx] == [tcx, tcx + "#2", tcx + "#3"]
    assert [r[0] for r in rows if r[1] == fit] == [fit, fit + "#2"]
    assert all(split_event_key(p) == (f, n) for p, f, n in rows)
    rep2 = scan(folder, db, jobs=1)
    assert rep2.read == 0 and rep2.activities == 6 and rep2.runs == 6


def test_every_run_is_judged_and_a_removed_file_takes_its_runs(tmp_path):
    folder = _folder(tmp_path)
    db = tmp_path / "h.sqlite"
    scan(folder, db, jobs=1)
    with Store(db) as s:
        judged = s.conn.execute(
            "SELECT count(*) FROM activities WHERE form_rules = 'evaluated'"
        ).fetchone()[0]
        assert judged == 6
    (folder / "export.tcx").unlink()
    rep = scan(folder, db, jobs=1)
    assert rep.removed == 1 and rep.activities == 3


# ----------------------------------------------------------------------------- migration


def _schema_5_store(db, folder) -> None:
    """A store as runlens of schema 5 wrote it after scanning ``folder``: one row per
    file (the TCX's first day only, with the reader's warning; the FIT's two
    sessions as one activity), form minutes, and a pain diary entry."""
    from runlens.history.worker import analyse_file

    c = sqlite3.connect(db)
    c.executescript(_SCHEMA + ";".join(MIGRATIONS[v] for v in (2, 3, 4, 5)))
    c.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    c.execute("PRAGMA user_version = 5")
    root = str(folder.resolve())
    for name in ("export.tcx", "double.fit"):
        path = str((folder / name).resolve())
        res = analyse_file(path)
        a = res["activity"]
        st = (folder / name).stat()
        if name == "export.tcx":
            a["warnings"] = ["the file holds 3 activities on different days; the first one "
                             "was read, 2 left out"]
        else:  # one activity: records over both sessions, the device's sessions summed
            a["summary"]["elapsed_s"] = 1800 + 80 * 60 + 1500
            a["device_summary"]["elapsed_s"] = 1800 + 1500
        c.execute("INSERT INTO files VALUES (?, ?, ?, ?, ?, 'ok', NULL)",
                  (path, root, st.st_size, st.st_mtime_ns, res["sha256"]))
        c.execute(
            "INSERT INTO activities (path, content_sha256, format, reader, sport, start_utc, "
            "start_s, utc_offset_s, distance_m, summary_json, device_summary_json, "
            "hr_hist_json, profile_json, findings_json, warnings_json, form_rules) "
            "VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'evaluated')",
            (path, a["content_sha256"], a["format"], a["reader"], a["start_utc"], a["start_s"],
             a["utc_offset_s"], a["summary"]["distance_m"], json.dumps(a["summary"]),
             json.dumps(a["device_summary"]), json.dumps(a["hr_hist"]), json.dumps(a["profile"]),
             json.dumps(a["findings"]), json.dumps(a["warnings"])),
        )
        c.execute(
            "INSERT INTO form_minutes (path, minute, start_s, seconds, steady_s, steady, "
            "cadence_spm) VALUES (?, 0, ?, 60, 60, 1, 170)", (path, a["start_s"]),
        )
    c.execute(
        "INSERT INTO pain_entries (date, severity, location, note, source, created_utc) "
        "VALUES ('2026-09-08', 4, 'upper-back', 'after the double', 'cli', '2026-09-08T20:00Z')"
    )
    c.commit()
    c.close()


def test_a_schema_5_store_migrates_to_activity_rows_keeping_the_diary(tmp_path):
    folder = tmp_path / "watch"
    folder.mkdir()
    (folder / "export.tcx").write_bytes(three_day_tcx()[0])
    (folder / "double.fit").write_bytes(two_session_fit()[0])
    db = tmp_path / "old.sqlite"
    _schema_5_store(db, folder)
    diary = sqlite3.connect(db).execute("SELECT * FROM pain_entries").fetchall()
    with Store(db, create=False) as s:
        rows = s.conn.execute("SELECT path, file, event FROM activities ORDER BY path").fetchall()
        assert [(p == f, n) for p, f, n in rows] == [(True, 0), (True, 0)]
        assert s.count("form_minutes") == 2  # nothing lost in the rebuild
        # both files are marked for reading again: each holds more than one run
        assert s.conn.execute("SELECT count(*) FROM files WHERE sha256 = ''").fetchone()[0] == 2
        assert s.conn.execute("SELECT * FROM pain_entries").fetchall() == diary
    rep = scan(folder, db, jobs=1)
    assert rep.analysed == 2 and rep.activities == 5 and rep.runs == 5
    with Store(db) as s:
        assert s.conn.execute("SELECT * FROM pain_entries").fetchall() == diary
        files = dict(s.conn.execute("SELECT file, count(*) FROM activities GROUP BY file"))
    assert sorted(files.values()) == [2, 3]
