"""The store survives kills, concurrent scans and corruption; input is never modified."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from runlens.history import Store, StoreError, scan
from tests.conftest import ROOT, corpus, run_cli
from tests.history.conftest import dump, tree_hashes


def _env():
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    return e


def _stored_files(db) -> int:
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return con.execute("SELECT count(*) FROM files").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0  # schema not created yet


def test_killed_scan_resumes_to_the_same_store(session_dir, session_store, tmp_path):
    before = tree_hashes(session_dir)
    db = tmp_path / "k.sqlite"
    proc = subprocess.Popen(
        [sys.executable, "-m", "runlens", "scan", str(session_dir), "--db", str(db), "-j", "2"],
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill reaches its workers too
    )
    try:
        deadline = time.monotonic() + 120
        while _stored_files(db) < 10 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the scan we started, and its workers
        proc.wait()
    n = _stored_files(db)
    assert 10 <= n < 68, f"kill came at {n} files; the test needs a scan cut midway"
    with Store(db) as s:  # consistent after the kill
        assert s.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rep = scan(session_dir, db, jobs=2)
    assert rep.not_read == n and rep.analysed == 68 - n
    assert dump(db) == dump(session_store)
    assert tree_hashes(session_dir) == before


def test_two_concurrent_scans_of_one_store(session_dir, session_store, tmp_path):
    db = tmp_path / "c.sqlite"
    cmd = [sys.executable, "-m", "runlens", "scan", str(session_dir), "--db", str(db), "-j", "1"]
    procs = [
        subprocess.Popen(cmd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1] for o in outs]
    with Store(db) as s:
        assert s.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert dump(db) == dump(session_store)


def test_garbage_store_file_is_reported_not_replaced(session_dir, tmp_path):
    db = tmp_path / "bad.sqlite"
    db.write_bytes(b"this is not a database\n" * 100)
    out = run_cli("scan", str(session_dir), "--db", str(db))
    assert out.returncode == 1
    assert "not a runlens history store" in out.stderr and str(db) in out.stderr
    assert "Traceback" not in out.stderr
    assert db.read_bytes() == b"this is not a database\n" * 100


def test_corrupt_store_pages_detected(session_store, tmp_path):
    db = tmp_path / "corrupt.sqlite"
    shutil.copy(session_store, db)
    data = bytearray(db.read_bytes())
    assert len(data) > 8 * 4096
    data[4096 * 2 : 4096 * 6] = os.urandom(4096 * 4)  # wreck some b-tree pages
    db.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="corrupt"):
        Store(db)
    assert db.read_bytes() == bytes(data)  # left untouched


def test_other_programs_sqlite_refused(tmp_path):
    db = tmp_path / "other.sqlite"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="another program"):
        Store(db)


def test_broken_files_listed_and_no_other_file_lost(session_dir, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    good = sorted(os.listdir(session_dir))[:3]
    for n in good:
        shutil.copy2(session_dir / n, folder / n)
    fit = corpus("python-fitparse/tests/files/garmin-fenix-5-run.fit").read_bytes()
    (folder / "whole.fit").write_bytes(fit)
    (folder / "cut-header.fit").write_bytes(fit[:9])  # truncated inside the header
    (folder / "cut-half.fit").write_bytes(fit[: len(fit) // 2])  # truncated mid-records
    (folder / "empty.fit").write_bytes(b"")
    (folder / "notgzip.fit.gz").write_bytes(b"plain text, not gzip\n")
    (folder / "junk.gpx").write_bytes(b"<gpx><trk><trkseg><trkpt lat='1'")
    before = tree_hashes(folder)
    rep = scan(folder, tmp_path / "s.sqlite", jobs=2)
    problems = {os.path.basename(p): (st, why) for p, st, why in rep.problems}
    assert {"cut-header.fit", "empty.fit", "notgzip.fit.gz", "junk.gpx"} <= set(problems)
    assert "empty" in problems["empty.fit"][1]
    assert "gzip" in problems["notgzip.fit.gz"][1]
    assert all(st == "bad" and why for st, why in problems.values())
    # every readable file is stored: the 3 GPX, the whole FIT, and the half FIT if salvaged
    with Store(tmp_path / "s.sqlite") as s:
        stored = {os.path.basename(p) for (p,) in s.conn.execute("SELECT path FROM activities")}
    assert set(good) | {"whole.fit"} <= stored
    assert ("cut-half.fit" in stored) != ("cut-half.fit" in problems)
    assert rep.found == 9 and rep.activities + len(rep.problems) == 9
    # bad files are reported again without being read again
    rep2 = scan(folder, tmp_path / "s.sqlite", jobs=2)
    assert rep2.read == 0 and rep2.problems == rep.problems
    assert tree_hashes(folder) == before
    out = run_cli("scan", str(folder), "--db", str(tmp_path / "s.sqlite"))
    assert out.returncode == 0 and "empty.fit" in out.stdout and "not activities" in out.stdout
