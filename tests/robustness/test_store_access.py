"""Stores runlens cannot write are readable; nothing is written where it should not be.

Read-only is made two ways that work as root: the store opened read-only by
SQLite itself (what runlens does for a file it may not write), and, where the
test may mount one, a real read-only tmpfs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from runlens.cli import main
from tests.conftest import SAMPLES


@pytest.fixture
def store(tmp_path, capsys):
    runs = tmp_path / "runs"
    runs.mkdir()
    for f in sorted(SAMPLES.glob("*.fit"))[:3]:
        shutil.copy(f, runs / f.name)
    db = tmp_path / "h.sqlite"
    assert main(["scan", str(runs), "--db", str(db), "-j", "1"]) == 0
    assert main(["pain", "add", "2026-08-04", "--severity", "3", "--db", str(db)]) == 0
    capsys.readouterr()
    return db


def _run(capsys, *args):
    rc = main(list(args))
    out = capsys.readouterr()
    return rc, out.out, out.err


def _read_and_write(capsys, db, runs):
    for cmd in (["runs"], ["weekly"], ["pain", "list"]):
        rc, out, err = _run(capsys, *cmd, "--db", str(db))
        assert rc == 0, (cmd, err)  # before: "unable to open database file" on a ro mount
    rc, out, _ = _run(capsys, "pain", "list", "--db", str(db))
    assert "2026-08-04" in out
    for cmd in (["pain", "add", "2026-08-05", "--severity", "2"], ["scan", str(runs)]):
        rc, out, err = _run(capsys, *cmd, "--db", str(db))
        assert rc == 1 and err.count("\n") == 1, (cmd, err)  # before: exit 70
        assert "read-only" in err


def test_store_opened_read_only_is_readable_and_says_read_only(store, capsys, monkeypatch):
    import runlens.store.access as so

    monkeypatch.setattr(so, "writable", lambda path: False)
    before = store.read_bytes()
    _read_and_write(capsys, store, store.parent / "runs")
    assert store.read_bytes() == before


def test_store_on_a_read_only_mount(tmp_path, store, capsys):
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mnt)], capture_output=True
    ).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        shutil.copy(store, mnt / "h.sqlite")
        assert subprocess.run(["mount", "-o", "remount,ro", str(mnt)]).returncode == 0
        _read_and_write(capsys, mnt / "h.sqlite", store.parent / "runs")
        assert sorted(p.name for p in mnt.iterdir()) == ["h.sqlite"]  # no -wal, no -shm
    finally:
        subprocess.run(["umount", str(mnt)])


def test_dev_null_as_store_creates_nothing_beside_it(capsys):
    if not Path("/dev/null").exists():
        pytest.skip("no /dev/null")
    rc, out, err = _run(capsys, "weekly", "--db", "/dev/null")
    assert rc == 1 and err.count("\n") == 1 and "not a regular file" in err
    assert not Path("/dev/null-journal").exists()


def test_read_command_never_writes_a_schema_into_an_empty_file(tmp_path, capsys):
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    for cmd in (["runs"], ["weekly"], ["pain", "list"]):
        rc, out, err = _run(capsys, *cmd, "--db", str(empty))
        assert rc == 1 and "an empty file, not a history store" in err, (cmd, err)
        assert empty.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.sqlite"]


def test_unwritable_data_folder_is_one_line(tmp_path, capsys, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))  # a file where a folder must be
    rc, out, err = _run(capsys, "pain", "add", "2026-08-05", "--severity", "2")
    assert rc == 1 and err.count("\n") == 1, err  # before: exit 70
    assert "history.sqlite: " in err and "internal error" not in err
