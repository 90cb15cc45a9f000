"""Every command that scans shows progress (with ETA) on a terminal, nothing on a pipe,
and says what the scan did: files read, damaged ones skipped, files left out."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT, SAMPLES, run_cli


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "runs"
    d.mkdir()
    for p in sorted(SAMPLES.glob("2026-08-0*.fit")):
        shutil.copy(p, d / p.name)
    (d / "broken.fit").write_bytes(b"not a watch file")
    (d / "notes.txt").write_text("x")
    return d


@pytest.mark.parametrize("command", ["weekly", "runs", "baseline"])
def test_a_scanning_command_says_what_the_scan_did_on_stderr(folder, tmp_path, command):
    out = run_cli(command, str(folder), "--db", str(tmp_path / "h.sqlite"))
    assert out.returncode == 0, out.stderr
    err = out.stderr
    n = len(list(folder.glob("2026-*.fit")))
    assert f"runlens: scanned {folder}: {n + 1} activity files" in err
    assert "1 file skipped (damaged or not an activity)" in err and "broken.fit" in err
    assert "left out 1 files that are not activity files: 1 .txt" in err
    assert "\r" not in err  # a pipe: no progress bar
    assert "scanned" not in out.stdout  # stdout stays the command's output


def test_progress_bar_with_eta_on_a_terminal(folder, tmp_path):
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg", "COLUMNS": "100"}
    p = subprocess.Popen(
        [sys.executable, "-m", "runlens", "weekly", str(folder), "--db", str(tmp_path / "h.sqlite")],
        stdout=subprocess.PIPE,
        stderr=slave,
        env=env,
        cwd=ROOT,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            b = os.read(master, 4096)
        except OSError:
            break
        if not b:
            break
        chunks.append(b)
    p.wait(timeout=300)
    os.close(master)
    err = b"".join(chunks).decode(errors="replace")
    assert p.returncode == 0, err
    assert "scanning" in err and " files" in err
    assert "<" in err and "files/s" in err  # tqdm's "elapsed<remaining, rate"


def _on_a_terminal(*argv: str) -> tuple[int, str]:
    """Run ``runlens ARGV`` with stderr on a pseudo-terminal; its return code and stderr."""
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg", "COLUMNS": "100"}
    p = subprocess.Popen(
        [sys.executable, "-m", "runlens", *argv],
        stdout=subprocess.PIPE, stderr=slave, env=env, cwd=ROOT,
    )  # fmt: skip
    os.close(slave)
    chunks = []
    while True:
        try:
            b = os.read(master, 4096)
        except OSError:
            break
        if not b:
            break
        chunks.append(b)
    p.wait(timeout=300)
    os.close(master)
    return p.returncode, b"".join(chunks).decode(errors="replace")


def test_the_judging_pass_shows_its_bar_on_a_terminal_only(folder, tmp_path):
    # 'scan' reads the files, then judges each run against the runs before it: a second bar
    rc, err = _on_a_terminal("scan", str(folder), "--db", str(tmp_path / "h.sqlite"), "-j", "1")
    assert rc == 0, err
    assert "judging" in err and "runs/s" in err and "<" in err, err  # rate and ETA
    assert "scanning" in err  # the reading bar before it
    # the same scan on a pipe: no bar at all
    out = run_cli("scan", str(folder), "--db", str(tmp_path / "p.sqlite"), "-j", "1")
    assert out.returncode == 0, out.stderr
    assert "judging" not in out.stderr and "\r" not in out.stderr
