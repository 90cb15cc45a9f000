"""Workers die with the scan: SIGTERM, SIGHUP or SIGKILL of the main process leaves
no worker alive after 5 s (before: both workers stayed, 105 MB each, for ever)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc")


def _children(pid: int) -> set[int]:
    out: set[int] = set()
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                out.update(int(x) for x in fh.read().split())
    except OSError:
        pass
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


@pytest.fixture
def many_runs(tmp_path):
    runs = tmp_path / "runs"
    runs.mkdir()
    files = sorted(SAMPLES.glob("*.fit"))
    for i in range(4):
        for f in files:
            shutil.copy(f, runs / f"{i}-{f.name}")
    return runs


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL])
def test_workers_die_with_the_main_process(tmp_path, many_runs, sig):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    p = subprocess.Popen(
        [sys.executable, "-m", "runlens", "scan", str(many_runs), "--db",
         str(tmp_path / "s.sqlite"), "-j", "2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(workers) < 2:
            workers = _children(p.pid)
            time.sleep(0.05)
        assert len(workers) >= 2, "the scan never started its workers"
        time.sleep(0.3)
        workers = _children(p.pid) or workers
        os.kill(p.pid, sig)
        p.wait(timeout=30)
        end = time.monotonic() + 5
        while time.monotonic() < end and any(_alive(w) for w in workers):
            time.sleep(0.1)
        assert not [w for w in workers if _alive(w)]
        if sig != signal.SIGKILL:
            err = p.stderr.read()
            assert "Traceback" not in err and "internal error" not in err
            assert p.returncode == 128 + sig
    finally:
        if p.poll() is None:
            p.kill()
        for w in workers | _children(p.pid):  # a failed test leaves no process behind
            if _alive(w):
                os.kill(w, signal.SIGKILL)
