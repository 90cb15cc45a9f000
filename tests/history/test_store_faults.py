"""A full disk and special files: one line, exit 1, the store kept, nothing hangs.

SQLite's SQLITE_FULL is simulated with a connection whose writes fail the way
SQLite's do when the disk is full (its own message, "database or disk is full");
the store underneath is a real one, checked with SQLite's quick_check after.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time

import pytest

import runlens.store.db as store_mod
from runlens.cli import main
from runlens.errors import DiskFullError
from runlens.history import Store
from tests.conftest import run_cli
from tests.robustness.helpers import SMALL_RUN, corpus_bytes

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class _FullDisk:
    """An sqlite3 connection whose data writes fail as on a full disk."""

    def __init__(self, real: sqlite3.Connection) -> None:
        self._real = real

    def _check(self, sql: str) -> None:
        if sql.lstrip().upper().startswith(_WRITES):
            raise sqlite3.OperationalError("database or disk is full")

    def execute(self, sql, *args):
        self._check(sql)
        return self._real.execute(sql, *args)

    def executemany(self, sql, *args):
        self._check(sql)
        return self._real.executemany(sql, *args)

    def __getattr__(self, name):
        return getattr(self._real, name)


def _folder(tmp_path, n: int = 3):
    run = tmp_path / "runs"
    run.mkdir()
    data = corpus_bytes(SMALL_RUN)
    for i in range(n):
        (run / f"run{i}.fit").write_bytes(data[:-2] + bytes([i, 0]))  # distinct files
    return run


def test_full_disk_during_scan_says_disk_full_and_keeps_the_store(tmp_path, monkeypatch, capsys):
    run = _folder(tmp_path)
    db = tmp_path / "store.sqlite"
    assert main(["scan", str(run), "--db", str(db), "--jobs", "1"]) == 0
    with Store(db) as s:
        before = s.dump()
    (run / "new.fit").write_bytes(corpus_bytes(SMALL_RUN))
    capsys.readouterr()
    real_connect = sqlite3.connect
    monkeypatch.setattr(
        store_mod.sqlite3, "connect", lambda *a, **k: _FullDisk(real_connect(*a, **k))
    )
    code = main(["scan", str(run), "--db", str(db), "--jobs", "1"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len(err) == 1, err
    assert err[0].startswith(f"runlens: error: {db}: disk full"), err
    assert "corrupt" not in err[0] and "aside" not in err[0]
    monkeypatch.undo()
    with Store(db) as s:  # the store is intact and holds what it held
        assert s.conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        assert s.dump() == before


def test_full_disk_is_never_reported_as_corruption():
    full = sqlite3.OperationalError("database or disk is full")
    err = store_mod.store_error(full, "/x/store.sqlite")
    assert isinstance(err, DiskFullError)
    assert str(err).startswith("/x/store.sqlite: disk full")
    # An I/O error on a disk with room left: the store is left as it is, not "corrupt".
    io = sqlite3.OperationalError("disk I/O error")
    msg = str(store_mod.store_error(io, os.fspath(os.getcwd()) + "/store.sqlite"))
    assert "cannot use the store (disk I/O error)" in msg and "aside" not in msg
    bad = sqlite3.DatabaseError("file is not a database")
    assert "Move it aside" in str(store_mod.store_error(bad, "/x/s.sqlite"))


def test_io_error_on_a_full_disk_is_disk_full(monkeypatch):
    class Usage:
        free = 4096

    monkeypatch.setattr(store_mod.shutil, "disk_usage", lambda p: Usage)
    err = store_mod.store_error(sqlite3.OperationalError("disk I/O error"), "/x/s.sqlite")
    assert isinstance(err, DiskFullError)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_refused_by_analyze_and_skipped_by_scan(tmp_path):
    fifo = tmp_path / "pipe.fit"
    os.mkfifo(fifo)
    t = time.perf_counter()
    r = run_cli("analyze", str(fifo), timeout=60)
    assert r.returncode == 1
    assert (
        r.stderr.strip()
        == f"runlens: error: {fifo}: is a FIFO, not a regular file; runlens reads files only"
    )
    run = _folder(tmp_path, 1)
    os.mkfifo(run / "pipe.fit")
    r = run_cli("scan", str(run), "--db", str(tmp_path / "s.sqlite"), "--jobs", "1", timeout=120)
    assert r.returncode == 0, r.stderr
    assert ": 1 activity file in" in r.stdout  # the FIFO is not taken for an activity file
    assert time.perf_counter() - t < 100  # neither waited for a writer
    shutil.rmtree(run)
