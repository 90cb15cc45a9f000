"""Diary import has the checks analyze has: a FIFO never hangs it, a device or a huge
file is refused before reading; an impossible entry id is a usage error, not exit 70."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def _cli(tmp_path, *args, timeout=30):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "runlens", *args, "--db",
                           str(tmp_path / "d.sqlite")], capture_output=True, text=True,
                          env=env, timeout=timeout)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_import_of_a_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "diary.csv"
    os.mkfifo(fifo)
    p = _cli(tmp_path, "pain", "import", str(fifo), timeout=20)  # before: hung for ever
    assert p.returncode == 1 and p.stderr.count("\n") == 1
    assert f"{fifo}: is a FIFO, not a regular file" in p.stderr


def test_import_of_dev_zero_is_refused(tmp_path):
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero")
    p = _cli(tmp_path, "pain", "import", "/dev/zero")  # before: MemoryError, exit 70
    assert p.returncode == 1 and "is a device, not a regular file" in p.stderr


def test_import_of_a_huge_file_is_refused_from_its_size(tmp_path):
    big = tmp_path / "big.csv"
    with open(big, "wb") as fh:
        fh.truncate(2 * 10**9)  # sparse
    p = _cli(tmp_path, "pain", "import", str(big))
    assert p.returncode == 1 and p.stderr.count("\n") == 1
    assert "is over 16 MiB; a diary CSV is far smaller" in p.stderr


@pytest.mark.parametrize("cmd", ["edit", "remove"])
def test_impossible_entry_id_is_a_usage_error(tmp_path, cmd):
    extra = ["--severity", "2"] if cmd == "edit" else []
    p = _cli(tmp_path, "pain", cmd, "99999999999999999999", *extra)  # before: exit 70
    assert p.returncode == 2
    assert "no diary entry has id 99999999999999999999" in p.stderr
    assert "Traceback" not in p.stderr
