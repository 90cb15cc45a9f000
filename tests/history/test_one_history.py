"""One history per runner: every source in one store, renames lose nothing, old stores merged.

Every expected number comes from what the test builds: simulated runs of
known start written as FIT, GPX and TCX into folders and a zip, a diary entry
typed in, and per-folder stores of the old schemas laid out as older runlens
left them. The runner's store lives in the test's own data directory
(tests/conftest.py points XDG_DATA_HOME at a temporary folder).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from runlens.history import Store, default_store_path, scan
from runlens.sim.fitwrite import encode_activity
from runlens.sim.gpxwrite import to_gpx
from runlens.sim.synth import DEFAULT_START, simulate_run
from runlens.sim.tcxwrite import to_tcx
from runlens.store.db import SCHEMA_VERSION
from tests.conftest import run_cli
from tests.history.test_store_migration import _schema_2_store, _schema_3_store


def _run(day: int):
    return simulate_run(seed=day, duration_s=900, start=DEFAULT_START + timedelta(days=day))


def _write_fits(folder, days):
    folder.mkdir(parents=True, exist_ok=True)
    for d in days:
        (folder / f"run{d}.fit").write_bytes(encode_activity(_run(d)))


def _sha(p) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_runner_store_is_one_file_env_and_db_override(tmp_path, monkeypatch):
    data = Path(os.environ["XDG_DATA_HOME"])
    assert default_store_path() == data / "runlens" / "history.sqlite"
    monkeypatch.setenv("RUNLENS_DB", str(tmp_path / "other.sqlite"))
    assert default_store_path() == tmp_path / "other.sqlite"
    _write_fits(tmp_path / "a", [0, 1])
    rep = scan(tmp_path / "a", jobs=1)
    assert rep.db == str(tmp_path / "other.sqlite") and rep.runs == 2
    rep = scan(tmp_path / "a", tmp_path / "third.sqlite", jobs=1)  # --db wins over the env
    assert rep.db == str(tmp_path / "third.sqlite") and rep.analysed == 2


def test_renaming_the_scanned_folder_loses_nothing(tmp_path):
    first = tmp_path / "Watch"
    _write_fits(first, [0, 1, 2, 3])
    rep = scan(first, jobs=1)
    assert (rep.analysed, rep.runs) == (4, 4)
    db = rep.db
    out = run_cli("pain", "add", "2026-09-09", "-s", "4", "--note", "calf after the tempo")
    assert out.returncode == 0, out.stderr

    renamed = tmp_path / "Garmin watch"
    first.rename(renamed)
    out = run_cli("runs")  # the folder is gone: its runs stay, and runs says so in one line
    assert out.returncode == 0, out.stderr
    assert out.stdout.count(".fit ") == 4 and "of 4 runs with form findings" in out.stdout
    gone = [ln for ln in out.stdout.splitlines() if "no longer on disk" in ln]
    assert len(gone) == 1 and str(first) in gone[0] and "4 activities" in gone[0]

    rep = scan(renamed, jobs=1)  # recognised by name, size and mtime: nothing read
    assert (rep.moved, rep.read, rep.analysed, rep.removed) == (4, 0, 0, 0)
    assert (rep.activities, rep.runs, rep.duplicates) == (4, 4, 0)
    assert rep.gone_sources == []
    with Store(db, create=False) as s:
        paths = sorted(p for (p,) in s.conn.execute("SELECT path FROM activities"))
        assert paths == [str(renamed / f"run{d}.fit") for d in range(4)]
        assert s.conn.execute("SELECT count(*) FROM form_minutes WHERE path LIKE ?",
                              (str(first) + "/%",)).fetchone()[0] == 0
        assert [r["path"] for r in s.sources()] == [str(renamed)]
        (entry,) = s.conn.execute("SELECT date, severity, note FROM pain_entries").fetchall()
    assert entry == ("2026-09-09", 4, "calf after the tempo")
    out = run_cli("runs")
    assert out.returncode == 0 and "no longer on disk" not in out.stdout

    # copied elsewhere without keeping mtimes, the old place deleted: same bytes, re-linked
    moved = tmp_path / "backup" / "runs"
    moved.mkdir(parents=True)
    for f in renamed.iterdir():
        shutil.copyfile(f, moved / f.name)
    shutil.rmtree(renamed)
    rep = scan(moved, jobs=1)
    assert (rep.moved, rep.read, rep.analysed) == (4, 4, 0)  # hashed, not analysed
    assert (rep.activities, rep.runs) == (4, 4)

    # a file removed from a folder that is still there is forgotten, as before
    (moved / "run3.fit").unlink()
    rep = scan(moved, jobs=1)
    assert (rep.removed, rep.activities, rep.runs) == (1, 3, 3)


def test_a_renamed_zip_is_recognised_member_by_member(tmp_path):
    z = tmp_path / "export_1.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        for d in (0, 1):
            zf.writestr(f"activities/{d}.fit", encode_activity(_run(d)))
    assert scan(z, jobs=1).analysed == 2
    z2 = tmp_path / "strava.zip"
    z.rename(z2)
    rep = scan(z2, jobs=1)
    assert (rep.moved, rep.analysed, rep.activities) == (2, 0, 2)


def test_two_folders_and_a_zip_form_one_history_duplicates_once(tmp_path):
    """The watch folder (FIT of days 0-3), a site's GPX (days 2-5) and an export zip
    (TCX of days 4-7 and a GPX of day 0): 8 runs, 13 files, 5 duplicates."""
    watch = tmp_path / "watch"
    _write_fits(watch, [0, 1, 2, 3])
    site = tmp_path / "site"
    site.mkdir()
    for d in (2, 3, 4, 5):
        (site / f"{d}.gpx").write_text(to_gpx(_run(d)), encoding="utf-8")
    z = tmp_path / "export.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        for d in (4, 5, 6, 7):
            zf.writestr(f"activities/{d}.tcx", to_tcx(_run(d)))
        zf.writestr("activities/0.gpx", to_gpx(_run(0)))
    before = _sha(z)
    for src in (z, site, watch):  # any order: the same history
        rep = scan(src, jobs=1)
    assert (rep.activities, rep.sources, rep.runs, rep.duplicates) == (13, 3, 8, 5)
    assert _sha(z) == before
    with Store(rep.db, create=False) as s:
        kept = dict(s.conn.execute(
            "SELECT path, format FROM activities WHERE duplicate_of IS NULL").fetchall())
    # the richest file counts: FIT over TCX over GPX
    assert sorted(kept.values()) == ["fit"] * 4 + ["tcx"] * 4
    assert sorted(os.path.basename(p) for p, f in kept.items() if f == "fit") == [
        f"run{d}.fit" for d in range(4)
    ]
    out = run_cli("weekly", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert sum(w["runs"] for w in doc["weeks"]) == 8
    assert doc["counts"]["duplicates"] == 5
    out = run_cli("runs", "--json")
    assert len(json.loads(out.stdout)["runs"]) == 8
    out = run_cli("runs")
    assert "5 more stored as another file of the same run" in out.stdout


def test_judging_again_keeps_the_sport_the_export_list_gave(tmp_path):
    """A GPX without <type> whose sport comes from activities.csv is judged as a run
    when its member is read again against the baseline (not as an unknown sport)."""
    from tests.history.test_archives import strava_zip

    z = tmp_path / "export.zip"
    strava_zip(z)
    rep = scan(z, jobs=1)
    assert rep.judged >= 1
    with Store(rep.db, create=False) as s:
        rows = dict(s.conn.execute(
            "SELECT path, findings_json FROM activities WHERE path LIKE '%4.gpx.gz'"
        ).fetchall())
    (findings,) = [json.loads(v) for v in rows.values()]
    assert not [f for f in findings if f["rule"] == "form_rules"], findings


def _old_stores(folder):
    """Two per-folder stores as older runlens left them: schema 2 and schema 3."""
    folder.mkdir(parents=True)
    v2, v3 = folder / "r-0123456789ab.sqlite", folder / "runs-ba9876543210.sqlite"
    _schema_2_store(v2)
    _schema_3_store(v3)
    c = sqlite3.connect(v2)
    c.execute("INSERT INTO roots VALUES ('/r', '2026-01-03T06:00:00Z')")
    c.commit()
    c.close()
    c = sqlite3.connect(v3)  # a second diary entry, only in this store
    c.execute(
        "INSERT INTO pain_entries (date, severity, location, note, source, created_utc) "
        "VALUES ('2026-01-05', 2, 'knee', '', 'cli', '2026-01-05T19:00Z')"
    )
    c.commit()
    c.close()
    return v2, v3


def test_old_per_folder_stores_are_merged_on_first_use(tmp_path):
    v2, v3 = _old_stores(Path(os.environ["XDG_DATA_HOME"]) / "runlens" / "stores")
    shas = {p: _sha(p) for p in (v2, v3)}
    out = run_cli("pain", "list")
    assert out.returncode == 0, out.stderr
    assert "merged 2 per-folder stores" in out.stderr
    # the diary of both: the entry both had once, and the one only the second had
    assert "after the long run" in out.stdout and "knee" in out.stdout
    assert len([ln for ln in out.stdout.splitlines() if "/10" in ln]) == 2
    assert {p: _sha(p) for p in (v2, v3)} == shas  # the old files are left as they were
    with Store(default_store_path(), create=False) as s:
        files = dict(s.conn.execute("SELECT path, status FROM files").fetchall())
        assert files == {"/r/a.fit": "ok", "/r/b.fit": "bad", "/r/c.fit": "ok"}
        acts = {p for (p,) in s.conn.execute("SELECT path FROM activities")}
        assert acts == {"/r/a.fit", "/r/c.fit"}
        # form minutes of both runs: a.fit's two old steady points (schema 2, merged
        # first), c.fit's three minutes (schema 3)
        n = dict(s.conn.execute("SELECT path, count(*) FROM form_minutes GROUP BY path"))
        assert n == {"/r/a.fit": 2, "/r/c.fit": 3}
        merged = s.meta("merged_stores")
        assert set(merged) == {str(v2), str(v3)}
        assert merged[str(v2)]["pain_entries"] == 1 and merged[str(v3)]["pain_entries"] == 1
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        (src,) = s.sources()
        assert (src["path"], src["first_scan_utc"], src["stored"], src["runs"]) == (
            "/r", "2026-01-03T06:00:00Z", 3, 2)
    out = run_cli("pain", "list")  # not merged twice
    assert out.returncode == 0 and "merged" not in out.stderr
    assert len([ln for ln in out.stdout.splitlines() if "/10" in ln]) == 2
    # weekly reads the merged runs too (the old folder is gone: its runs are kept)
    out = run_cli("runs")
    assert out.returncode == 0, out.stderr
    # (the old test stores give a.fit and c.fit one content hash: one run, counted once;
    # c.fit counts: its minutes hold 11 channels, a.fit's old points speed and step rate)
    assert "c.fit" in out.stdout and "a.fit" not in out.stdout
    assert "1 more stored as another file" in out.stdout
    assert "no longer on disk (/r)" in out.stdout


def test_db_never_merges_old_stores(tmp_path):
    _old_stores(Path(os.environ["XDG_DATA_HOME"]) / "runlens" / "stores")
    out = run_cli("pain", "add", "2026-01-09", "-s", "1", "--db", str(tmp_path / "b.sqlite"))
    assert out.returncode == 0 and "merged" not in out.stderr
    with Store(tmp_path / "b.sqlite", create=False) as s:
        assert s.count("pain_entries") == 1 and s.count("files") == 0


def test_a_moved_file_known_only_after_reading_it_replaces_its_old_copy(tmp_path):
    """A store migrated from an old schema forgets hashes (its files are read again):
    a renamed folder's files are then read, and their old copies forgotten, not doubled."""
    first = tmp_path / "runs"
    _write_fits(first, [0, 1, 2])
    db = scan(first, jobs=1).db
    with Store(db, create=False) as s, s.transaction() as c:
        c.execute("UPDATE files SET sha256 = '', mtime_ns = -1")
    renamed = tmp_path / "runs-2026"
    first.rename(renamed)
    rep = scan(renamed, jobs=1)
    assert (rep.analysed, rep.moved, rep.activities, rep.runs, rep.duplicates) == (3, 3, 3, 3, 0)
    assert rep.gone_sources == []
    # a copy whose original is still there is another source of the same runs: kept, once
    shutil.copytree(renamed, tmp_path / "copy")
    rep = scan(tmp_path / "copy", jobs=1)
    assert (rep.moved, rep.activities, rep.runs, rep.duplicates) == (0, 6, 3, 3)
    shutil.rmtree(tmp_path / "copy")  # gone: its runs stay until its new place is scanned
    rep = scan(renamed, jobs=1)
    assert rep.activities == 6 and rep.gone_sources == [{"path": str(tmp_path / "copy"),
                                                          "runs": 3}]


def test_the_copy_with_most_channels_counts_then_the_format():
    import pandas as pd

    from runlens.history import find_duplicates

    acts = pd.DataFrame({
        "path": ["/a/x.fit", "/b/x.gpx", "/c/x.tcx"],
        "content_sha256": ["1", "2", "3"],
        "format": ["fit", "gpx", "tcx"],
        "start_s": [1000.0, 1010.0, 1020.0],
        "distance_m": [5000.0, 5100.0, 5050.0],
    })
    # without channel counts: FIT, then TCX, then GPX
    assert find_duplicates(acts) == {"/b/x.gpx": "/a/x.fit", "/c/x.tcx": "/a/x.fit"}
    # a phone app's FIT with speed only against a GPX with heart rate and cadence
    acts["channels"] = [1, 4, 4]
    assert find_duplicates(acts) == {"/a/x.fit": "/c/x.tcx", "/b/x.gpx": "/c/x.tcx"}


def test_a_schema_4_folder_store_with_real_runs_is_merged_and_weekly_shows_them(tmp_path):
    """A per-folder store as the last per-folder runlens wrote it (schema 4: roots
    without kind/first scan/files), with scanned runs and a diary entry."""
    folder = tmp_path / "Watch"
    _write_fits(folder, [0, 1, 2])
    old = tmp_path / "built.sqlite"
    scan(folder, old, jobs=1)
    c = sqlite3.connect(old)
    for col in ("kind", "first_scan_utc", "files"):
        c.execute(f"ALTER TABLE roots DROP COLUMN {col}")
    c.execute("PRAGMA user_version = 4")
    c.execute(
        "INSERT INTO pain_entries (date, severity, location, note, source, created_utc) "
        "VALUES ('2026-09-08', 3, 'upper-back', 'stiff', 'cli', '2026-09-08T20:00Z')"
    )
    c.commit()
    c.close()
    legacy = Path(os.environ["XDG_DATA_HOME"]) / "runlens" / "stores"
    legacy.mkdir(parents=True)
    shutil.copyfile(old, legacy / "Watch-0123456789ab.sqlite")
    sha = _sha(legacy / "Watch-0123456789ab.sqlite")
    out = run_cli("weekly", "--csv")
    assert out.returncode == 0, out.stderr
    assert "merged 1 per-folder store" in out.stderr and "3 activities, 1 diary entry" in out.stderr
    assert sum(int(r.split(",")[3]) for r in out.stdout.splitlines()[1:]) == 3
    out = run_cli("pain", "list")
    assert "stiff" in out.stdout and "merged" not in out.stderr
    assert _sha(legacy / "Watch-0123456789ab.sqlite") == sha
    rep = scan(folder, jobs=1)  # the folder is still there: nothing to read again
    assert (rep.read, rep.analysed, rep.activities, rep.sources) == (0, 0, 3, 1)


@pytest.mark.parametrize(
    "xdg", [None, "", "relative/dir", "/abs/data", "/abs/with space/"]
)
def test_data_dir_is_platformdirs_answer(monkeypatch, tmp_path, xdg):
    """runlens.store.paths.data_dir answers without importing platformdirs on Linux;
    the answer is platformdirs' own for each way $XDG_DATA_HOME can be set."""
    import platformdirs

    from runlens.store.paths import data_dir

    monkeypatch.setenv("HOME", str(tmp_path))
    if xdg is None:
        monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_DATA_HOME", xdg)
    assert data_dir() == Path(platformdirs.user_data_dir("runlens", appauthor=False))
