"""A store of schema 2 (steady_points JSON) opens as schema 3 (form-minutes table), losing nothing."""

from __future__ import annotations

import json
import sqlite3

from runlens.history import SCHEMA_VERSION, Store
from runlens.store.db import APPLICATION_ID

#: The schema-2 store exactly as runlens wrote it (activities with steady_points_json).
SCHEMA_2 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE roots (path TEXT PRIMARY KEY, last_scan_utc TEXT);
CREATE TABLE files (
    path TEXT PRIMARY KEY, root TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('ok', 'bad', 'skipped')),
    error TEXT);
CREATE INDEX files_root ON files(root);
CREATE TABLE activities (
    path TEXT PRIMARY KEY REFERENCES files(path) ON DELETE CASCADE,
    content_sha256 TEXT NOT NULL, format TEXT NOT NULL, reader TEXT, sport TEXT,
    start_utc TEXT NOT NULL, start_s REAL NOT NULL, utc_offset_s INTEGER,
    distance_m REAL, elapsed_s REAL, timer_s REAL, moving_s REAL, avg_speed_m_s REAL,
    heart_rate_bpm REAL, cadence_spm REAL, ascent_m REAL,
    summary_json TEXT NOT NULL, device_summary_json TEXT NOT NULL, hr_hist_json TEXT NOT NULL,
    profile_json TEXT NOT NULL, findings_json TEXT NOT NULL, steady_points_json TEXT NOT NULL,
    warnings_json TEXT NOT NULL, form_rules TEXT NOT NULL, duplicate_of TEXT,
    spike_ratio REAL, longest_prev30_m REAL);
CREATE INDEX activities_start ON activities(start_s);
CREATE TABLE daily_load (
    date TEXT PRIMARY KEY, distance_m REAL NOT NULL, moving_s REAL NOT NULL,
    trimp REAL NOT NULL, runs INTEGER NOT NULL);
CREATE TABLE pain_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT, date TEXT NOT NULL,
    severity INTEGER NOT NULL CHECK (severity BETWEEN 0 AND 10), location TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '', source TEXT NOT NULL, created_utc TEXT NOT NULL);
CREATE INDEX pain_entries_date ON pain_entries(date);
"""

POINTS = [[3.0, 170.0, 60.0], [3.25, 172.5, 58.0]]
FINDING = {"rule": "overstriding", "severity": "flag", "message": "m", "evidence": {}}


def _schema_2_store(db):
    c = sqlite3.connect(db)
    c.executescript(SCHEMA_2)
    c.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    c.execute("PRAGMA user_version = 2")
    c.execute("INSERT INTO meta VALUES ('schema_version', '2'), ('created_by', 'runlens 0.1')")
    c.execute("INSERT INTO files VALUES ('/r/a.fit', '/r', 10, 5, 'abc', 'ok', NULL)")
    c.execute("INSERT INTO files VALUES ('/r/b.fit', '/r', 3, 5, 'def', 'bad', 'broken')")
    c.execute(
        "INSERT INTO activities VALUES ('/r/a.fit', 'abc', 'fit', 'fitparse', 'running', "
        "'2026-01-01T07:00:00+00:00', 1767250800.0, 0, 5000, 1800, 1800, 1800, 2.8, 150, 170, "
        "10, '{}', '{}', '{\"bpm\": [], \"s\": []}', '{}', ?, ?, '[]', 'evaluated', NULL, "
        "NULL, NULL)",
        (json.dumps([FINDING]), json.dumps(POINTS)),
    )
    c.execute("INSERT INTO daily_load VALUES ('2026-01-01', 5000, 1800, 0, 1)")
    c.execute(
        "INSERT INTO pain_entries (date, severity, location, note, source, created_utc) "
        "VALUES ('2026-01-02', 4, 'upper-back', 'after the long run', 'cli', '2026-01-02T20:00Z')"
    )
    c.commit()
    c.close()


def test_schema_2_store_migrates_to_the_form_table_keeping_everything(tmp_path):
    db = tmp_path / "v2.sqlite"
    _schema_2_store(db)
    with Store(db, create=False) as s:
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert s.meta("schema_version") == SCHEMA_VERSION
        # the pain diary, word for word
        rows = s.conn.execute("SELECT date, severity, location, note FROM pain_entries").fetchall()
        assert rows == [("2026-01-02", 4, "upper-back", "after the long run")]
        # the steady points became steady form minutes
        fm = s.form_minutes_frame()
        assert fm["speed_m_s"].tolist() == [3.0, 3.25]
        assert fm["cadence_spm"].tolist() == [170.0, 172.5]
        assert fm["steady_s"].tolist() == [60.0, 58.0] and fm["steady"].all()
        assert fm["minute"].tolist() == [0, 1]
        cols = [r[1] for r in s.conn.execute("PRAGMA table_info(activities)")]
        assert "steady_points_json" not in cols and "judged_as" in cols
        acts = s.activities_frame()
        assert acts["findings"].tolist() == [[FINDING]]
        assert s.problem_files() == [("/r/b.fit", "bad", "broken")]
        assert s.count("daily_load") == 1
        # the next scan reads the stored activity again (its hash is forgotten)
        assert s.known_files("/r")["/r/a.fit"][2] == ""
    with Store(db, create=False) as s:  # opening again changes nothing
        assert s.count("pain_entries") == 1 and len(s.form_minutes_frame()) == 2


#: The schema-3 store exactly as runlens wrote it (form_minutes without breathing).
SCHEMA_3 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE roots (path TEXT PRIMARY KEY, last_scan_utc TEXT);
CREATE TABLE files (
    path TEXT PRIMARY KEY, root TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('ok', 'bad', 'skipped')),
    error TEXT);
CREATE INDEX files_root ON files(root);
CREATE TABLE activities (
    path TEXT PRIMARY KEY REFERENCES files(path) ON DELETE CASCADE,
    content_sha256 TEXT NOT NULL, format TEXT NOT NULL, reader TEXT, sport TEXT,
    start_utc TEXT NOT NULL, start_s REAL NOT NULL, utc_offset_s INTEGER,
    distance_m REAL, elapsed_s REAL, timer_s REAL, moving_s REAL, avg_speed_m_s REAL,
    heart_rate_bpm REAL, cadence_spm REAL, ascent_m REAL,
    summary_json TEXT NOT NULL, device_summary_json TEXT NOT NULL, hr_hist_json TEXT NOT NULL,
    profile_json TEXT NOT NULL, findings_json TEXT NOT NULL, warnings_json TEXT NOT NULL,
    form_rules TEXT NOT NULL, duplicate_of TEXT, spike_ratio REAL, longest_prev30_m REAL,
    judged_as TEXT);
CREATE INDEX activities_start ON activities(start_s);
CREATE TABLE daily_load (
    date TEXT PRIMARY KEY, distance_m REAL NOT NULL, moving_s REAL NOT NULL,
    trimp REAL NOT NULL, runs INTEGER NOT NULL);
CREATE TABLE pain_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT, date TEXT NOT NULL,
    severity INTEGER NOT NULL CHECK (severity BETWEEN 0 AND 10), location TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '', source TEXT NOT NULL, created_utc TEXT NOT NULL);
CREATE INDEX pain_entries_date ON pain_entries(date);
CREATE TABLE form_minutes (
    path TEXT NOT NULL REFERENCES activities(path) ON DELETE CASCADE,
    minute INTEGER NOT NULL, start_s REAL NOT NULL, seconds REAL NOT NULL,
    steady_s REAL NOT NULL, steady INTEGER NOT NULL,
    speed_m_s REAL, grade_pct REAL, cadence_spm REAL, step_length_m REAL,
    ground_contact_ms REAL, ground_contact_pct REAL, vertical_oscillation_mm REAL,
    vertical_ratio_pct REAL, gct_balance_left_pct REAL, heart_rate_bpm REAL, power_w REAL,
    PRIMARY KEY (path, minute));
"""

V3_CHANNELS = (
    "speed_m_s, grade_pct, cadence_spm, step_length_m, ground_contact_ms, ground_contact_pct, "
    "vertical_oscillation_mm, vertical_ratio_pct, gct_balance_left_pct, heart_rate_bpm, power_w"
)


def _schema_3_store(db):
    """Two runs (one whose summary has a breathing rate), a bad file, load, pain diary."""
    c = sqlite3.connect(db)
    c.executescript(SCHEMA_3)
    c.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    c.execute("PRAGMA user_version = 3")
    c.execute("INSERT INTO meta VALUES ('schema_version', '3'), ('created_by', 'runlens 0.2')")
    for path, sha in (("/r/a.fit", "abc"), ("/r/c.fit", "ccc")):
        c.execute(f"INSERT INTO files VALUES ('{path}', '/r', 10, 5, '{sha}', 'ok', NULL)")
    c.execute("INSERT INTO files VALUES ('/r/b.fit', '/r', 3, 5, 'def', 'bad', 'broken')")
    for i, (path, summary) in enumerate(
        (("/r/a.fit", {"respiration_rate_brpm": 38.2}), ("/r/c.fit", {"distance_m": 5000}))
    ):
        c.execute(
            "INSERT INTO activities VALUES (?, 'abc', 'fit', 'fitparse', 'running', "
            "'2026-01-01T07:00:00+00:00', ?, 0, 5000, 1800, 1800, 1800, 2.8, 150, 170, "
            "10, ?, '{}', '{\"bpm\": [], \"s\": []}', '{}', ?, '[]', 'evaluated', NULL, "
            "NULL, NULL, 'k3')",
            (path, 1767250800.0 + i * 86400, json.dumps(summary), json.dumps([FINDING])),
        )
        for m in range(3):
            c.execute(
                f"INSERT INTO form_minutes (path, minute, start_s, seconds, steady_s, steady, "
                f"{V3_CHANNELS}) VALUES (?, ?, ?, 60, 60, 1, 3.0, 0.5, ?, 1.06, 250, 66, 80, "
                "7.5, 50.1, 150, 280)",
                (path, m, 1767250800.0 + i * 86400 + 60 * m, 170.0 + m),
            )
    c.execute("INSERT INTO daily_load VALUES ('2026-01-01', 5000, 1800, 0, 1)")
    c.execute(
        "INSERT INTO pain_entries (date, severity, location, note, source, created_utc) "
        "VALUES ('2026-01-02', 4, 'upper-back', 'after the long run', 'cli', '2026-01-02T20:00Z')"
    )
    c.commit()
    c.close()


def _rows(db, table):
    c = sqlite3.connect(db)
    rows = c.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
    c.close()
    return rows


def test_schema_3_store_gains_the_breathing_columns_keeping_everything(tmp_path):
    db = tmp_path / "v3.sqlite"
    _schema_3_store(db)
    before = {
        t: _rows(db, t)
        for t in ("meta", "files", "activities", "form_minutes", "daily_load", "pain_entries")
    }
    with Store(db, create=False) as s:
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        fm = s.form_minutes_frame()
        assert len(fm) == 6
        assert fm["respiration_rate_brpm"].isna().all() and fm["steps_per_breath"].isna().all()
        assert fm["cadence_spm"].tolist() == [170.0, 171.0, 172.0] * 2
    # every old row is there, column for column (the new columns appended, empty)
    assert _rows(db, "pain_entries") == before["pain_entries"]
    assert _rows(db, "daily_load") == before["daily_load"]
    # (schema 6 appends each run's file and its number in it: the file itself, 0;
    # schema 7 its steady minutes' digest and its judgement's inputs, empty until
    # a scan computes them)
    assert [r[:-4] for r in _rows(db, "activities")] == before["activities"]
    assert [r[-4:] for r in _rows(db, "activities")] == [
        (r[0], 0, None, None) for r in before["activities"]
    ]
    assert [r[:-2] for r in _rows(db, "form_minutes")] == before["form_minutes"]
    assert {r[-2:] for r in _rows(db, "form_minutes")} == {(None, None)}
    # only the run whose summary has a breathing rate is read again by the next scan
    files = {r[0]: r for r in _rows(db, "files")}
    old = {r[0]: r for r in before["files"]}
    assert files["/r/a.fit"][3:5] == (-1, "") and files["/r/a.fit"][:3] == old["/r/a.fit"][:3]
    assert files["/r/c.fit"] == old["/r/c.fit"] and files["/r/b.fit"] == old["/r/b.fit"]
    with Store(db, create=False) as s:  # opening again changes nothing
        assert s.count("pain_entries") == 1 and len(s.form_minutes_frame()) == 6
        assert s.known_files("/r")["/r/c.fit"][2] == "ccc"
