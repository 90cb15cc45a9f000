"""A scan never forgets what it could not see, and one odd item never aborts it.

CI runs as root, where ``chmod 000`` does not stop reads: the unreadable
folder is made by failing its listing (``os.scandir`` raises what the kernel
raises for a folder without permission), in this process. A second test
uses ``chmod 000`` for real when the tests run as another user.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
import zipfile
from pathlib import Path

import pytest

from runlens.cli import main
from tests.conftest import SAMPLES

FITS = sorted(SAMPLES.glob("*.fit"))[:6]


def _runs(tmp_path: Path) -> Path:
    runs = tmp_path / "runs"
    (runs / "sub").mkdir(parents=True)
    for f in FITS[:3]:
        shutil.copy(f, runs / f.name)
    for f in FITS[3:]:
        shutil.copy(f, runs / "sub" / f.name)
    return runs


def _count(db: Path) -> int:
    with sqlite3.connect(db) as c:
        return c.execute("SELECT count(*) FROM activities").fetchone()[0]


def _scan(capsys, runs, db, *extra):
    rc = main(["--debug", "scan", str(runs), "--db", str(db), "-j", "1", *extra])
    out = capsys.readouterr()
    return rc, out.out, out.err


@pytest.fixture
def unlistable(monkeypatch):
    """Paths whose listing fails with EACCES, as for a folder of another user."""
    bad: set[str] = set()
    real = os.scandir

    def scandir(p="."):
        # A file descriptor (shutil.rmtree lists the scan's own temporary folder by fd)
        # is never one of the places made unlistable.
        if not isinstance(p, int) and os.fspath(p) in bad:
            raise PermissionError(13, "Permission denied", os.fspath(p))
        return real(p)

    monkeypatch.setattr(os, "scandir", scandir)
    return bad


def test_unreadable_subfolder_keeps_its_runs(tmp_path, capsys, unlistable):
    runs, db = _runs(tmp_path), tmp_path / "s.sqlite"
    assert _scan(capsys, runs, db)[0] == 0
    assert _count(db) == 6
    unlistable.add(str(runs / "sub"))
    rc, out, err = _scan(capsys, runs, db)
    assert rc == 0, err
    assert _count(db) == 6  # before: "3 gone and forgotten", 3 left
    assert "gone and forgotten" not in out
    lines = [ln for ln in out.splitlines() if "sub: cannot be listed" in ln]
    assert len(lines) == 1 and "Permission denied" in lines[0]
    assert "the runs stored from there are kept" in out
    # Readable again: nothing was lost, nothing is read again.
    unlistable.clear()
    rc, out, _ = _scan(capsys, runs, db)
    assert rc == 0 and _count(db) == 6 and "6 unchanged and not read" in out


def test_unreadable_scanned_folder_is_an_error_and_changes_nothing(tmp_path, capsys, unlistable):
    runs, db = _runs(tmp_path), tmp_path / "s.sqlite"
    _scan(capsys, runs, db)
    unlistable.add(str(runs))
    rc, out, err = _scan(capsys, runs, db)
    assert rc == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"runlens: error: {runs}: cannot be listed")
    assert _count(db) == 6


def test_a_file_that_cannot_be_statted_keeps_its_run(tmp_path, capsys, monkeypatch):
    runs, db = _runs(tmp_path), tmp_path / "s.sqlite"
    _scan(capsys, runs, db)
    victim = str(runs / FITS[0].name)
    real = os.stat

    def stat(p, *a, **k):
        if os.fspath(p) == victim:
            raise PermissionError(13, "Permission denied", victim)
        return real(p, *a, **k)

    monkeypatch.setattr(os, "stat", stat)
    rc, out, err = _scan(capsys, runs, db)
    assert rc == 0, err
    assert _count(db) == 6
    assert f"{victim}: cannot be read (Permission denied)" in out


def test_a_stored_file_that_cannot_be_opened_keeps_its_run(tmp_path, capsys, monkeypatch):
    runs, db = _runs(tmp_path), tmp_path / "s.sqlite"
    _scan(capsys, runs, db)
    victim = runs / FITS[0].name
    os.utime(victim, ns=(10**18, 10**18))  # changed: it will be opened
    import runlens.io.source as source

    real = source.open_regular

    def open_regular(p, *a, **k):
        if os.fspath(p) == str(victim):
            raise PermissionError(13, "Permission denied", str(victim))
        return real(p, *a, **k)

    monkeypatch.setattr(source, "open_regular", open_regular)
    rc, out, err = _scan(capsys, runs, db)
    assert rc == 0, err
    assert _count(db) == 6
    assert f"{victim}: cannot be read (Permission denied)" in out


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 folder")
def test_chmod_000_folder_keeps_its_runs(tmp_path, capsys):  # pragma: no cover - non-root
    runs, db = _runs(tmp_path), tmp_path / "s.sqlite"
    _scan(capsys, runs, db)
    (runs / "sub").chmod(0)
    try:
        rc, out, _ = _scan(capsys, runs, db)
        assert rc == 0 and _count(db) == 6 and "cannot be listed" in out
        runs.chmod(0)
        rc, out, err = _scan(capsys, runs, db)
        assert rc == 1 and "cannot be listed" in err and _count(db) == 6
    finally:
        runs.chmod(0o755)
        (runs / "sub").chmod(0o755)


def test_zip_that_can_no_longer_be_read_keeps_its_members(tmp_path, capsys):
    runs, db = _runs(tmp_path), tmp_path / "s.sqlite"
    z = runs / "export.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in FITS[:2]:
            zf.write(f, f"activities/{f.name}")
    _scan(capsys, runs, db)
    assert _count(db) == 8
    z.write_bytes(z.read_bytes()[:100])  # cut: not a zip any more
    rc, out, err = _scan(capsys, runs, db)
    assert rc == 0, err
    assert _count(db) == 8
    assert f"{z}: not a readable zip archive" in out


def test_zip_cut_short_yields_its_complete_members_and_keeps_the_rest(tmp_path, capsys):
    runs, db = _runs(tmp_path), tmp_path / "s.sqlite"
    z = runs / "export.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in FITS[:4]:
            zf.write(f, f"activities/{f.name}")
    whole = z.read_bytes()
    _scan(capsys, runs, db)
    assert _count(db) == 10
    # A fresh store from the cut zip alone: the complete members are read.
    z.write_bytes(whole[: int(len(whole) * 0.6)])  # a download cut at 60 %
    fresh = tmp_path / "fresh.sqlite"
    rc, out, err = _scan(capsys, z, fresh)
    assert rc == 0, err  # before: "not a readable zip archive", nothing read
    assert _count(fresh) == 2
    assert "damaged zip" in out and "2 complete member(s)" in out
    # The store that held all four keeps them.
    rc, out, err = _scan(capsys, runs, db)
    assert rc == 0 and _count(db) == 10


def test_name_that_is_not_utf8_is_reported_and_skipped(tmp_path, capsys):
    runs, db = _runs(tmp_path), tmp_path / "s.sqlite"
    shutil.copy(FITS[0], os.fsencode(runs) + b"/\xff.fit")
    (runs / "\x1b[2Jx.fit").write_bytes(FITS[1].read_bytes()[:50])
    rc, out, err = _scan(capsys, runs, db)
    assert rc == 0, err  # before: exit 70 (UnicodeEncodeError)
    assert _count(db) == 6
    assert "\\xff.fit: its name is not valid text" in out
    assert "\x1b" not in out and "\\x1b[2Jx.fit" in out  # a name never drives the terminal


def test_scan_cli_subprocess_unreadable_root(tmp_path):
    """The same through a real process: one line, exit 1, no traceback."""
    from tests.conftest import run_cli

    runs = tmp_path / "runs"
    runs.mkdir()
    missing = runs / "gone"
    p = run_cli("scan", str(missing), "--db", str(tmp_path / "s.sqlite"))
    assert p.returncode == 1 and p.stderr.count("\n") == 1 and str(missing) in p.stderr
    assert sys.executable  # the process ran with this interpreter
