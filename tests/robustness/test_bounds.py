"""Bounded resources, measured on generated inputs (nothing large is kept in the repo).

- a 200,000-session FIT is summarised (the first 256 sessions, one warning) in
  well under 10 s of CPU (before: over 5 minutes and 4.5 GB);
- a scan of a folder holding a 500 MB file stays far under 1 GiB summed over
  its processes: the size is checked before the read (before: 677 MB);
- a zip nesting two large stored zips is spooled to temporary files, never held
  in memory (before: 3.1 GB with -j 1 and 6.2 GB with -j 2 for 2 x 990 MB);
- ``--jobs 1000`` starts no more workers than cores.
"""

from __future__ import annotations

import os
import resource
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import ROOT, SAMPLES
from tests.robustness.memwatch import peak_rss

pytestmark = pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs /proc")

GIB = 1 << 30


def _env(tmp_path):
    return dict(os.environ, PYTHONPATH=str(ROOT), XDG_DATA_HOME=str(tmp_path / "xdg"))


def many_sessions(n: int = 200_000, n_rec: int = 600) -> bytes:
    """A FIT of one 10-minute run whose session message is repeated ``n`` times."""
    from runlens.sim.fitwrite import FitWriter

    w = FitWriter()
    t0 = 1_100_000_000
    w.message("file_id", type=4, manufacturer=1, product=1, serial_number=1, time_created=t0)
    rec = w.define("record", ["timestamp", "heart_rate", "distance"])
    w.write_columns(rec, {"timestamp": t0 + np.arange(n_rec), "heart_rate": 140,
                          "distance": np.arange(n_rec) * 3.0})
    ses = w.define("session", ["timestamp", "start_time", "total_elapsed_time",
                               "total_timer_time", "sport", "total_distance"])
    k = np.zeros(n, dtype=np.int64)
    w.write_columns(ses, {"timestamp": t0 + n_rec - 1 + k, "start_time": t0 + k,
                          "total_elapsed_time": n_rec - 1.0, "total_timer_time": n_rec - 1.0,
                          "sport": 1, "total_distance": 1800.0})
    return w.to_bytes()


def test_200000_sessions_are_summarised_quickly(tmp_path):
    f = tmp_path / "sessions.fit"
    f.write_bytes(many_sessions())
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    (rc, out, err), peak, wall, _ = peak_rss(
        [sys.executable, "-m", "runlens", "analyze", str(f)], env=_env(tmp_path), timeout=120
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert rc == 0, err
    assert "the file holds 200,000 session messages; runlens reads at most 256" in err
    assert cpu < 10, f"{cpu:.1f} s of CPU"
    assert peak < GIB


def test_scan_with_a_500_mb_file_stays_small(tmp_path):
    runs = tmp_path / "runs"
    runs.mkdir()
    big = runs / "big.fit"
    with open(big, "wb") as fh:  # sparse: 500 MB on paper, no disk used
        fh.truncate(500 * 10**6)
    (runs / "ok.fit").write_bytes(sorted(SAMPLES.glob("*.fit"))[0].read_bytes())
    (rc, out, err), peak, _, _ = peak_rss(
        [sys.executable, "-m", "runlens", "scan", str(runs), "--db", str(tmp_path / "s.sqlite"),
         "-j", "2"], env=_env(tmp_path), timeout=120,
    )
    assert rc == 0, err
    assert "big.fit: bad: file is 477 MiB or more" in out
    assert peak < 400 * 2**20, f"{peak / 2**20:.0f} MiB"  # before: 677 MB


def nested_bomb(path: Path, inner_mb: int, n: int = 2) -> None:
    """A small zip holding ``n`` stored zips of ``inner_mb`` MiB each (zeros, deflated outside)."""
    zero = bytes(1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as outer:
        for i in range(n):
            with outer.open(f"part{i}.zip", "w", force_zip64=True) as w:
                with zipfile.ZipFile(w, "w", zipfile.ZIP_STORED) as inner:
                    with inner.open("big.fit", "w", force_zip64=True) as m:
                        for _ in range(inner_mb):
                            m.write(zero)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_nested_zip_bomb_is_spooled_not_held(tmp_path, jobs):
    runs = tmp_path / "runs"
    runs.mkdir()
    inner_mb = 300
    nested_bomb(runs / "export.zip", inner_mb)
    assert (runs / "export.zip").stat().st_size < 5 * 2**20
    (rc, out, err), peak, _, _ = peak_rss(
        [sys.executable, "-m", "runlens", "scan", str(runs), "--db", str(tmp_path / "s.sqlite"),
         "-j", jobs], env=_env(tmp_path), timeout=180,
    )
    assert rc == 0, err
    assert out.count(f"member of {inner_mb} MiB; runlens reads up to 64 MiB") == 2
    # Held in memory, one inner zip alone would be 300 MiB (before: 2 copies each).
    assert peak < inner_mb * 2**20, f"{peak / 2**20:.0f} MiB"


def test_jobs_capped_by_cores(tmp_path):
    from runlens.lifeline import cap_jobs

    cores = os.cpu_count() or 1
    assert cap_jobs(1000) <= cores
    runs = tmp_path / "runs"
    runs.mkdir()
    for i, f in enumerate(sorted(SAMPLES.glob("*.fit"))[:12]):
        (runs / f"{i}.fit").write_bytes(f.read_bytes())
    (rc, _, err), _, _, procs = peak_rss(
        [sys.executable, "-m", "runlens", "scan", str(runs), "--db", str(tmp_path / "s.sqlite"),
         "-j", "1000"], env=_env(tmp_path), timeout=180,
    )
    assert rc == 0, err
    assert procs <= cores + 1  # the main process and at most one worker per core
