"""Adding a run costs that run, not the history (issue 23).

A scan that adds one run after the stored ones fits one baseline (the new
run's), runs the form rules once (on that run), computes one TRIMP, and
updates only the new run's rows of the derived tables, without rebuilding
them from every stored run. Counted at the functions that do the work; the
store each scan leaves must equal a cold scan of the same folder.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

import runlens.history.analysis as analysis
import runlens.history.judge as judge
import runlens.load as load
import runlens.rules as rules
from runlens.history import scan
from runlens.sim.fitwrite import encode_activity
from runlens.sim.synth import simulate_run
from tests.history.gpxgen import gpx_run
from tests.history.test_incremental_derived import _store_state

START = dt.datetime(2025, 4, 7, 6, 0, tzinfo=dt.timezone.utc)


def _fit(seed: int, start: dt.datetime, duration_s: int = 900) -> bytes:
    return encode_activity(simulate_run(seed=seed, duration_s=duration_s, start=start))


@pytest.fixture
def work(monkeypatch):
    """Counter of the calls that scale with the history when it is redone."""
    calls: Counter = Counter()

    def count(mod, name):
        real = getattr(mod, name)

        def counted(*a, **k):
            calls[name] += 1
            return real(*a, **k)

        monkeypatch.setattr(mod, name, counted)

    count(judge, "personal_baseline")  # a baseline fitted
    count(rules, "evaluate_all")  # a run judged by the form rules
    count(load, "banister_trimp")  # a run's TRIMP computed
    count(analysis, "refresh_derived")  # the derived tables rebuilt from every run
    return calls


def _history(folder, n=10):
    folder.mkdir()
    for k in range(n):
        start = START + dt.timedelta(days=2 * k, minutes=7 * k)
        (folder / f"run-{k:02d}.fit").write_bytes(_fit(10 + k, start))
    return START + dt.timedelta(days=2 * n)


def test_adding_runs_after_the_history_refits_and_judges_only_them(tmp_path, work):
    folder = tmp_path / "runs"
    day = _history(folder)
    db = tmp_path / "h.sqlite"
    rep = scan(folder, db, jobs=1)
    assert rep.runs == 10 and work["refresh_derived"] == 1
    # Each added in its own scan, after every stored run: a plain run, an evening
    # run the same day (its day's row gets a second run), a GPX whose time zone
    # comes from its coordinates (a count in the load notes), a ride (no load),
    # a run after a 10-day break (rest days in the daily load), a long run (a
    # session spike).
    adds = [
        ("add-a.fit", _fit(40, day), True),
        ("add-b.fit", _fit(41, day + dt.timedelta(hours=9, minutes=20)), True),
        ("add-c.gpx", gpx_run(day + dt.timedelta(days=2), 6000.0).encode(), True),
        ("add-d.gpx",
         gpx_run(day + dt.timedelta(days=3), 20000.0, sport="cycling").encode(), False),
        ("add-e.fit", _fit(42, day + dt.timedelta(days=13)), True),
        ("add-f.fit", _fit(43, day + dt.timedelta(days=15), duration_s=3600), True),
    ]
    for name, data, is_run in adds:
        (folder / name).write_bytes(data)
        work.clear()
        rep = scan(folder, db, jobs=1)
        assert rep.analysed == 1, name
        # the derived tables updated, not rebuilt from the 10+ stored runs
        assert work["refresh_derived"] == 0, name
        # one baseline fitted (the new run's; none for a ride), one rules pass
        assert work["personal_baseline"] == int(is_run), name
        assert work["evaluate_all"] == 1, name
        assert work["banister_trimp"] <= int(is_run), name
        assert rep.judged == int(is_run), name
    assert rep.runs == 15
    # ... and the store is the one a cold scan of the folder gives
    work.clear()
    full = tmp_path / "full.sqlite"
    scan(folder, full, jobs=1)
    assert work["personal_baseline"] == 15 and work["banister_trimp"] == 15  # cold: every run
    got, want = _store_state(db), _store_state(full)
    for a, b in zip(got["activities"], want["activities"]):
        assert {k: (v, b[k]) for k, v in a.items() if v != b[k]} == {}, a["path"]
    assert got == want


def test_a_run_added_before_others_refits_only_the_runs_whose_window_holds_it(tmp_path, work):
    folder = tmp_path / "runs"
    _history(folder)
    db = tmp_path / "h.sqlite"
    scan(folder, db, jobs=1)
    # an older file found later, between the 4th and 5th runs: the derived tables
    # are rebuilt (later runs' spikes may change), and the runs after it within
    # the 60-day window are judged again; nothing else
    (folder / "old.fit").write_bytes(_fit(77, START + dt.timedelta(days=7)))
    work.clear()
    rep = scan(folder, db, jobs=1)
    assert work["refresh_derived"] == 1
    assert work["personal_baseline"] == 1 + 6  # its own, then the 6 runs after it
    assert rep.judged == 7
    full = tmp_path / "full.sqlite"
    scan(folder, full, jobs=1)
    assert _store_state(db) == _store_state(full)


def test_a_schema_6_store_migrates_and_adding_a_run_then_equals_a_cold_scan(tmp_path, work):
    """Schema 7 keeps each run's minutes digest and judgement inputs as columns: a
    store of schema 6 (inputs in one meta object) gains them empty, keeps its diary,
    and the next scan fills them without reading the stored files again."""
    import sqlite3

    from runlens.history import SCHEMA_VERSION, Store

    folder = tmp_path / "runs"
    day = _history(folder, n=6)
    db = tmp_path / "h.sqlite"
    scan(folder, db, jobs=1)
    c = sqlite3.connect(db)  # back to schema 6, as runlens before this change left it
    c.execute("DROP INDEX activities_window")
    c.execute("DROP INDEX activities_content")
    c.execute("ALTER TABLE activities DROP COLUMN minutes_digest")
    c.execute("ALTER TABLE activities DROP COLUMN judge_inputs")
    c.execute("INSERT OR REPLACE INTO meta VALUES ('judge_inputs', '{\"x\": [\"a\", \"b\"]}')")
    c.execute(
        "INSERT INTO pain_entries (date, severity, location, note, source, created_utc) "
        "VALUES ('2025-04-09', 3, 'upper back', 'stiff after the long run', 'cli', "
        "'2025-04-09T20:00:00Z')"
    )
    c.execute("PRAGMA user_version = 6")
    c.commit()
    c.close()
    with Store(db, create=False) as s:
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 7
        assert s.meta("judge_inputs") is None
        assert s.count("pain_entries") == 1
        assert s.conn.execute(
            "SELECT count(*) FROM activities WHERE minutes_digest IS NULL "
            "AND judge_inputs IS NULL"
        ).fetchone()[0] == 6
    (folder / "new.fit").write_bytes(_fit(50, day))
    work.clear()
    rep = scan(folder, db, jobs=1)
    assert rep.read == 1 and rep.analysed == 1  # the stored files are not read again
    full = tmp_path / "full.sqlite"
    scan(folder, full, jobs=1)
    assert _store_state(db) == _store_state(full)
    with Store(db, create=False) as s:
        assert s.count("pain_entries") == 1
        assert s.conn.execute(
            "SELECT count(*) FROM activities WHERE minutes_digest IS NULL"
        ).fetchone()[0] == 0
