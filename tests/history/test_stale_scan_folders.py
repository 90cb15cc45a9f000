"""A scan killed outright leaves its temporary folder (the runs kept for its judging
pass, up to 1 MB a run); the next scan removes the folders of processes that are gone,
and never a live one's."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from runlens.history import scan as scan_fn
from runlens.history.scan import SCAN_FOLDER_PREFIX, remove_stale_scan_folders
from runlens.sim.fitwrite import encode_activity
from runlens.sim.synth import simulate_run


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_folders_of_gone_processes_are_removed_live_ones_kept(tmp_path):
    dead = tmp_path / f"{SCAN_FOLDER_PREFIX}{_dead_pid()}-abc123"
    live = tmp_path / f"{SCAN_FOLDER_PREFIX}{os.getppid()}-def456"
    mine = tmp_path / f"{SCAN_FOLDER_PREFIX}{os.getpid()}-ghi789"
    old_style_new = tmp_path / f"{SCAN_FOLDER_PREFIX}zx81qq0w"
    old_style_old = tmp_path / f"{SCAN_FOLDER_PREFIX}k3j4h5g6"
    other = tmp_path / "runlens-scanner-notours"
    for d in (dead, live, mine, old_style_new, old_style_old, other):
        d.mkdir()
        (d / "run.pkl").write_bytes(b"x" * 100)
    three_days = time.time() - 3 * 86400
    os.utime(old_style_old, (three_days, three_days))
    removed = remove_stale_scan_folders(str(tmp_path))
    assert sorted(removed) == sorted([str(dead), str(old_style_old)])
    assert not dead.exists() and not old_style_old.exists()
    assert live.exists() and mine.exists() and old_style_new.exists() and other.exists()


def test_a_scan_removes_a_killed_scans_folder(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    left = tmp_path / f"{SCAN_FOLDER_PREFIX}{_dead_pid()}-k1ll3d"
    left.mkdir()
    (left / "run.pkl").write_bytes(b"x" * 1000)
    folder = tmp_path / "watch"
    folder.mkdir()
    (folder / "run.fit").write_bytes(encode_activity(simulate_run(seed=5, duration_s=900)))
    rep = scan_fn(folder, tmp_path / "h.sqlite", jobs=2)
    assert rep.analysed == 1
    assert not left.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(SCAN_FOLDER_PREFIX)]
