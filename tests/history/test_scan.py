"""Scanning a real folder: counts known independently, incremental, untouched input."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import xml.etree.ElementTree as ET

import pytest

from runlens.history import Store, scan
from tests.conftest import run_cli
from tests.history.conftest import tree_hashes

NS = "{http://www.topografix.com/GPX/1/1}"


def first_times(folder) -> list[dt.datetime]:
    """First track point time of each GPX, read with a plain XML parser."""
    out = []
    for name in sorted(os.listdir(folder)):
        root = ET.parse(folder / name).getroot()
        t = root.find(f".//{NS}trkpt/{NS}time").text
        out.append(dt.datetime.fromisoformat(t.replace("Z", "+00:00")))
    return out


def test_corpus_session_counts_and_incremental(session_dir, session_store, tmp_path):
    before = tree_hashes(session_dir)
    starts = first_times(session_dir)
    # The files carry no time zone; their GPS fixes are in Recife, Brazil (America/Recife,
    # UTC-3 all year): the runner's days are UTC-3 days.
    days = sorted({(t - dt.timedelta(hours=3)).date() for t in starts})
    mondays = {d - dt.timedelta(days=d.weekday()) for d in days}
    n_weeks = (max(mondays) - min(mondays)).days // 7 + 1
    assert len(starts) == 68 and len(set(starts)) == 68  # no duplicates among them

    db = session_store  # scanned once, cold, by the fixture
    with Store(db) as s:
        files = s.conn.execute("SELECT count(*), sum(status = 'ok') FROM files").fetchone()
    assert files == (68, 68)
    with Store(db) as s:
        acts = s.activities_frame()
        assert sorted(acts["start_s"].round(3)) == sorted(round(t.timestamp(), 3) for t in starts)
        daily = s.conn.execute("SELECT count(*), sum(runs) FROM daily_load").fetchone()
        assert daily == ((days[-1] - days[0]).days + 1, 68)
        assert s.conn.execute("SELECT count(*) FROM daily_load WHERE runs > 0").fetchone()[
            0
        ] == len(days)

    # A second scan reads nothing.
    rep2 = scan(session_dir, db, jobs=2)
    assert (rep2.found, rep2.not_read, rep2.read, rep2.analysed, rep2.bad) == (68, 68, 0, 0, 0)
    assert rep2.activities == rep2.runs == 68 and rep2.duplicates == 0
    assert rep2.weeks == n_weeks
    assert tree_hashes(session_dir) == before  # the scanned folder is never modified

    # The weekly table from the CLI: same weeks, weeks with runs, runs.
    out = run_cli("weekly", "--db", str(db), "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert len(doc["weeks"]) == n_weeks
    assert sum(w["runs"] > 0 for w in doc["weeks"]) == len(mondays)
    assert sum(w["runs"] for w in doc["weeks"]) == 68
    assert doc["weeks"][0]["week"] == min(mondays).isoformat()
    assert any("zone at their first GPS fix" in a for a in doc["assumptions"])


def test_touch_and_edit_reread_only_that_file(session_dir, tmp_path):
    folder = tmp_path / "runs"
    names = sorted(os.listdir(session_dir))[:6]
    folder.mkdir()
    for n in names:
        shutil.copy2(session_dir / n, folder / n)
    db = tmp_path / "s.sqlite"
    assert scan(folder, db, jobs=1).analysed == 6

    # touch: new mtime, same bytes -> read (hashed) but not analysed again
    p = folder / names[2]
    st = p.stat()
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    rep = scan(folder, db, jobs=1)
    assert (rep.not_read, rep.read, rep.same_content, rep.analysed) == (5, 1, 1, 0)
    assert scan(folder, db, jobs=1).read == 0  # the new mtime was remembered

    # edit: new bytes -> analysed again, only that one
    with open(folder / names[3], "ab") as fh:
        fh.write(b"\n")
    rep = scan(folder, db, jobs=1)
    assert (rep.not_read, rep.read, rep.analysed) == (5, 1, 1)

    # --rescan reads everything; a deleted file is forgotten
    assert scan(folder, db, jobs=1, rescan=True).analysed == 6
    (folder / names[0]).unlink()
    rep = scan(folder, db, jobs=1)
    assert (rep.removed, rep.activities, rep.read) == (1, 5, 0)


def test_duplicates_counted_once(session_dir, tmp_path):
    import gzip

    folder = tmp_path / "export" / "activities"  # Strava export layout
    folder.mkdir(parents=True)
    names = sorted(os.listdir(session_dir))[:3]
    for i, n in enumerate(names):
        shutil.copy2(session_dir / n, folder / f"{100 + i}.gpx")
    # the same activity gzipped, and re-exported with times 20 s later and another creator
    data = (session_dir / names[0]).read_bytes()
    (folder / "200.gpx.gz").write_bytes(gzip.compress(data, mtime=0))
    other = data.replace(b'creator="gpx.py', b'creator="other app')
    import re

    def shift(m):
        t = dt.datetime.fromisoformat(m.group(1).decode()) + dt.timedelta(seconds=20)
        return b"<time>" + t.isoformat().encode() + b"</time>"

    other = re.sub(rb"<time>([^<]+)</time>", shift, other)
    (tmp_path / "export" / "nested").mkdir()
    (tmp_path / "export" / "nested" / "copy.gpx").write_bytes(other)
    (tmp_path / "export" / "activities.csv").write_text("id\n")
    rep = scan(tmp_path / "export", tmp_path / "s.sqlite", jobs=2)
    assert (rep.found, rep.ignored, rep.activities) == (5, 1, 5)
    assert (rep.runs, rep.duplicates) == (3, 2)
    with Store(tmp_path / "s.sqlite") as s:
        dup = dict(s.conn.execute("SELECT path, duplicate_of FROM activities"))
    kept = str(folder / "100.gpx")
    assert dup[str(folder / "200.gpx.gz")] == kept
    assert dup[str(tmp_path / "export" / "nested" / "copy.gpx")] == kept


def test_store_inside_scanned_folder_refused(session_dir):
    with pytest.raises(Exception, match="never writes"):
        scan(session_dir, session_dir / "x.sqlite")
    assert not (session_dir / "x.sqlite").exists()


def test_default_store_is_the_runners_and_weekly_reads_it_with_or_without_dir(
    session_dir, tmp_path
):
    env = {"XDG_DATA_HOME": str(tmp_path / "data")}
    out = run_cli("weekly", env=env)  # nothing scanned yet
    assert out.returncode == 1 and "run `runlens scan DIR` first" in out.stderr
    assert "Traceback" not in out.stderr
    folder = tmp_path / "runs"
    folder.mkdir()
    for n in sorted(os.listdir(session_dir))[:2]:
        shutil.copy2(session_dir / n, folder / n)
    out = run_cli("scan", str(folder), "--jobs", "1", env=env)
    assert out.returncode == 0, out.stderr
    store = tmp_path / "data" / "runlens" / "history.sqlite"
    assert store.is_file() and str(store) in out.stdout
    assert not (tmp_path / "data" / "runlens" / "stores").exists()
    for args in (("weekly", str(folder)), ("weekly",), ("weekly", "--db", str(store))):
        out = run_cli(*args, "--csv", env=env)
        assert out.returncode == 0, out.stderr
        rows = out.stdout.splitlines()
        assert rows[0].startswith("week,distance_m,moving_s,runs")
        assert sum(int(r.split(",")[3]) for r in rows[1:]) == 2
    # RUNLENS_DB names another runner's store: empty, and weekly says so
    out = run_cli("weekly", env={**env, "RUNLENS_DB": str(tmp_path / "other.sqlite")})
    assert out.returncode == 1 and "run `runlens scan DIR` first" in out.stderr


def test_cli_help():
    for cmd in ("scan", "weekly"):
        out = run_cli(cmd, "--help")
        assert out.returncode == 0 and "--db" in out.stdout


def test_unchanged_rescan_reuses_derived_only_when_current(session_dir, tmp_path):
    """A rescan that changes nothing skips the refresh, but never reports stale counts."""
    import subprocess
    import sys

    from runlens.config import Config
    from runlens.history import build_history
    from runlens.history.worker import analyse_file
    from runlens.store.db import DERIVED_STATE_KEY
    from tests.conftest import ROOT

    folder = tmp_path / "runs"
    folder.mkdir()
    names = sorted(os.listdir(session_dir))[:4]
    for n in names[:3]:
        shutil.copy2(session_dir / n, folder / n)
    db = tmp_path / "s.sqlite"
    assert scan(folder, db, jobs=1).runs == 3

    # A scan killed after storing a new file but before refreshing the derived
    # tables: the next scan finds nothing new on disk, yet must count it.
    shutil.copy2(session_dir / names[3], folder / names[3])
    with Store(db) as s:
        s.put_result(analyse_file(str((folder / names[3]).resolve())), str(folder.resolve()))
        assert s.meta(DERIVED_STATE_KEY) is None
        assert s.conn.execute("SELECT sum(runs) FROM daily_load").fetchone()[0] == 3
    rep = scan(folder, db, jobs=1)
    assert (rep.read, rep.runs, rep.activities) == (0, 4, 4)
    with Store(db) as s:
        assert s.conn.execute("SELECT sum(runs) FROM daily_load").fetchone()[0] == 4

    # Other settings: the derived tables are rebuilt with them.
    sunday = Config(load={"week_start": "sunday"})
    rep = scan(folder, db, jobs=1, config=sunday)
    with Store(db) as s:
        assert rep.weeks == len(build_history(s, sunday).weeks)
        assert s.meta(DERIVED_STATE_KEY)["weeks"] == rep.weeks

    # Back to the defaults (a refresh), then nothing changed with the same
    # settings: the stored counts, and pandas never imported.
    rep = scan(folder, db, jobs=1)
    with Store(db) as s:
        weeks = len(build_history(s).weeks)
    assert (rep.runs, rep.weeks) == (4, weeks)
    code = (
        "import sys; from runlens.history import scan; "
        f"r = scan({str(folder)!r}, {str(db)!r}, jobs=1); "
        "print(r.read, r.runs, r.weeks, 'pandas' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        check=True,
    )
    assert out.stdout.split() == ["0", "4", str(weeks), "False"]
