"""A scan killed after it stored its derived state is completed by the next scan.

The scan is killed for real (SIGKILL, from inside, right after the Nth run's
judgement is stored: the derived state is stored before judging starts), then
scanned again; the store must equal that of one uninterrupted scan. Before,
the next scan found the derived state up to date and judged nothing: the runs
not yet judged kept findings judged on the population bands, for good.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys

import pytest
from runlens.history.store import Store

from tests.conftest import ROOT, SAMPLES

KILLER = """
import os, signal, sys
import runlens.history.store as st
n = 0
real = st.Store.set_judgement
def set_judgement(self, *a, **k):
    global n
    real(self, *a, **k)
    n += 1
    if n == int(os.environ["KILL_AFTER"]):
        os.kill(os.getpid(), signal.SIGKILL)
st.Store.set_judgement = set_judgement
from runlens.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _dump(db):
    with Store(db, create=False) as s:
        d = s.dump()
        d["activities"] = [r for r in d["activities"]]
        return d


def _cli(args, **env):
    import os

    e = dict(os.environ, PYTHONPATH=str(ROOT), **env)
    return subprocess.run([sys.executable, "-c", KILLER, *args], env=e, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize("kill_after", [1, 4])
def test_killed_while_judging_is_completed_by_the_next_scan(tmp_path, kill_after):
    runs = tmp_path / "runs"
    runs.mkdir()
    for f in sorted(SAMPLES.glob("*.fit"))[:8]:
        shutil.copy(f, runs / f.name)
    whole, killed = tmp_path / "whole.sqlite", tmp_path / "killed.sqlite"
    p = _cli(["scan", str(runs), "--db", str(whole), "-j", "1"], KILL_AFTER="0")
    assert p.returncode == 0, p.stderr
    p = _cli(["scan", str(runs), "--db", str(killed), "-j", "1"], KILL_AFTER=str(kill_after))
    assert p.returncode == -signal.SIGKILL
    with Store(killed, create=False) as s:
        unjudged = s.conn.execute(
            "SELECT count(*) FROM activities WHERE judged_as IS NULL").fetchone()[0]
    assert unjudged > 0  # the kill left work to do
    p = _cli(["scan", str(runs), "--db", str(killed), "-j", "1"], KILL_AFTER="0")
    assert p.returncode == 0, p.stderr
    assert _dump(killed) == _dump(whole)


def test_baseline_settings_rejudge_stored_runs(tmp_path):
    """[baseline] settings change judging: they are in the derived fingerprint."""
    from runlens.config import Config
    from runlens.history.analysis import derived_fingerprint

    assert derived_fingerprint(Config(baseline={"window_days": 30})) != derived_fingerprint(
        Config(baseline={"window_days": 60})
    )
