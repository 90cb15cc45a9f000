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
import struct
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


def many_definitions(n_defs: int, n_extra: int, *, t0: int = 1_100_000_000) -> bytes:
    """A FIT whose every record (one a second) follows its own record definition.

    Each definition holds the timestamp, the heart rate (140) and ``n_extra``
    one-byte fields (numbers 110 up, written invalid), as a damaged or hostile
    writer could: the file the issue describes held 80,000 of them (61 MB).
    """
    from runlens.io.fitrepair import crc16

    fid = (bytes([0x40, 0, 0]) + struct.pack("<HB", 0, 5)
           + bytes([0, 1, 0x00, 1, 2, 0x84, 2, 2, 0x84, 3, 4, 0x8C, 4, 4, 0x86]))
    fid += bytes([0x00, 4]) + struct.pack("<HHII", 1, 1, 1, t0)
    fields = [(253, 4, 0x86), (3, 1, 0x02)] + [(110 + k, 1, 0x02) for k in range(n_extra)]
    d = bytes([0x41, 0, 0]) + struct.pack("<HB", 20, len(fields)) + bytes(sum(fields, ()))
    rows = np.zeros(n_defs, dtype=[("h", "u1"), ("t", "<u4"), ("hr", "u1"),
                                    ("x", "u1", (n_extra,))])
    rows["h"], rows["t"], rows["hr"], rows["x"] = 0x01, t0 + np.arange(n_defs), 140, 0xFF
    msgs = np.frombuffer(rows.tobytes(), np.uint8).reshape(n_defs, -1)
    defs = np.broadcast_to(np.frombuffer(d, np.uint8), (n_defs, len(d)))
    body = fid + np.hstack([defs, msgs]).tobytes()
    head = struct.pack("<BBHI4s", 14, 0x20, 2140, len(body), b".FIT")
    data = head + struct.pack("<H", crc16(head)) + body
    return data + struct.pack("<H", crc16(data))


@pytest.mark.parametrize(
    "n_extra, kept, why",
    [
        # 80,000 definitions of 3 fields: 10,000 definitions read, the file_id's and 9,999.
        (1, 9_999, "more than 10,000 definition messages"),
        # 80,000 of 145 fields (47 MB): the file_id's 5 fields + 689 x 145 = 99,910 <= 100,000.
        (143, 689, "definitions of more than 100,000 fields in all"),
    ],
)
def test_80000_record_definitions_are_read_to_the_bound(tmp_path, n_extra, kept, why):
    from runlens.io import read

    f = tmp_path / "defs.fit"
    f.write_bytes(many_definitions(80_000, n_extra))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    (rc, out, err), peak, _, _ = peak_rss(
        [sys.executable, "-m", "runlens", "analyze", "--json", str(f)], env=_env(tmp_path),
        timeout=600,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert rc == 0, err
    assert "Traceback" not in err
    assert err.count(f"the file holds {why}") == 1, err
    assert cpu < 10, f"{cpu:.1f} s of CPU"  # before: 87 s and 1.8 GB (fitparse's path)
    assert peak < 512 * 2**20, f"{peak / 2**20:.0f} MiB"
    # The records before the bound are read, one a second, each with its heart rate.
    for reader in ("fast", "fitparse"):
        a = read(f, reader=reader)
        assert len(a.records) == kept
        assert (a.records["heart_rate_bpm"] == 140).all()
        assert sum(why in w for w in a.warnings) == 1
    # A scan reports the file as read, with the same warning, and exits 0.
    runs = tmp_path / "runs"
    runs.mkdir()
    f.rename(runs / "defs.fit")
    (rc, out, err), _, _, _ = peak_rss(
        [sys.executable, "-m", "runlens", "scan", str(runs), "--db", str(tmp_path / "s.sqlite"),
         "-j", "1"], env=_env(tmp_path), timeout=600,
    )
    assert rc == 0, err
    assert "Traceback" not in err and "bug in runlens" not in err


def test_strict_refuses_a_file_past_the_definitions_bound(tmp_path):
    f = tmp_path / "defs.fit"
    f.write_bytes(many_definitions(12_000, 1))
    (rc, out, err), _, _, _ = peak_rss(
        [sys.executable, "-m", "runlens", "analyze", "--strict", str(f)], env=_env(tmp_path),
        timeout=600,
    )
    assert rc == 1
    # Header 14 + file_id 21 + 14 bytes; each record: a definition of 15 bytes and a
    # message of 7. The 10,001st definition (the 10,000th record's) is at 49 + 9,999 x 22.
    assert 49 + 9_999 * 22 == 220_027 and 49 + 12_000 * 22 + 2 == 264_051
    assert err.strip().splitlines() == [
        f"runlens: error: {f}: the file holds more than 10,000 definition messages (no activity "
        "needs that many; runlens reads at most 10,000 definitions of 100,000 fields): reading "
        "stopped at byte 220,027 of 264,051, after 10,000 definitions; the messages after it "
        "were not read"
    ]


@pytest.mark.parametrize("cut", [None, 20_000])
def test_a_header_declaring_4_gb_says_what_it_declares_and_what_the_file_holds(tmp_path, cut):
    """The header's data size set to 4 GB (before: "the header declares 4859", the file's size)."""
    from runlens.io.fitrepair import crc16

    d = bytearray(sorted(SAMPLES.glob("*.fit"))[0].read_bytes()[:cut])
    struct.pack_into("<I", d, 4, 4_000_000_000)
    struct.pack_into("<H", d, 12, crc16(bytes(d[:12])))
    f = tmp_path / "4gb.fit"
    f.write_bytes(d)
    (rc, out, err), _, _, _ = peak_rss(
        [sys.executable, "-m", "runlens", "analyze", str(f)], env=_env(tmp_path), timeout=600
    )
    assert rc == 0, err
    # 14 header bytes + 4,000,000,000 of data + 2 of CRC.
    assert (
        f"(the header declares 4,000,000,016 bytes (4.0 GB), but the file holds {len(d):,} "
        "bytes: the declared size is damaged)"
    ) in err
    assert f"declares {len(d)}" not in err and "recording lost" not in err


def many_activities(n: int, laps: int = 1) -> bytes:
    """A TCX of ``n`` <Activity>s a minute apart (each a 20 s lap ``laps`` times over), each
    lap two trackpoints 10 s apart at 140 bpm."""
    from datetime import datetime, timedelta, timezone

    t0 = datetime(2026, 5, 1, 6, 0, tzinfo=timezone.utc)

    def iso(k: int) -> str:
        return (t0 + timedelta(seconds=k)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def point(k: int, d: float) -> str:
        return (f"<Trackpoint><Time>{iso(k)}</Time><DistanceMeters>{d}</DistanceMeters>"
                "<HeartRateBpm><Value>140</Value></HeartRateBpm></Trackpoint>")

    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase xmlns='
           '"http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"><Activities>']
    for i in range(n):
        s = i * 60 * laps
        out.append(f'<Activity Sport="Running"><Id>{iso(s)}</Id>')
        for j in range(laps):
            k = s + 20 * j
            out.append(f'<Lap StartTime="{iso(k)}"><TotalTimeSeconds>10</TotalTimeSeconds>'
                       f"<DistanceMeters>30</DistanceMeters><Track>{point(k, 60 * j)}"
                       f"{point(k + 10, 60 * j + 30)}</Track></Lap>")
        out.append("</Activity>")
    out.append("</Activities></TrainingCenterDatabase>")
    return "".join(out).encode()


@pytest.mark.parametrize(
    "n, laps, warning, records",
    [
        # 20,000 activities (9.6 MB; before: 7 ms of CPU each, a 64 MiB file ~10 minutes)
        (20_000, 1, "the file holds 20,000 activities; runlens reads at most 256 "
                    "(the first 256 were kept)", 256 * 2),
        (1, 6_000, "the file holds 6,000 laps; runlens reads at most 5,000 "
                   "(the first 5,000 were kept, with their trackpoints)", 5_000 * 2),
    ],
)
def test_tcx_activities_and_laps_are_read_to_the_bound(tmp_path, n, laps, warning, records):
    from runlens.io import read_all

    f = tmp_path / "many.tcx"
    f.write_bytes(many_activities(n, laps))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    # Its output (256 runs) goes to a file: a pipe read only at the end would fill and stall.
    (rc, out, err), peak, _, _ = peak_rss(
        ["sh", "-c", '"$0" -m runlens analyze "$1" > "$2"', sys.executable, str(f),
         str(tmp_path / "out.txt")], env=_env(tmp_path), timeout=600,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert rc == 0, err
    assert "Traceback" not in err
    assert err.count(warning) == 1, err
    # CPU, not wall time: the machine is shared (the wall-clock timeout only stops a hang).
    assert cpu < 10, f"{cpu:.1f} s of CPU"
    assert peak < 512 * 2**20, f"{peak / 2**20:.0f} MiB"
    acts = read_all(f)
    assert sum(len(a.records) for a in acts) == records
    assert all((a.records["heart_rate_bpm"] == 140).all() for a in acts)
    runs = tmp_path / "runs"
    runs.mkdir()
    f.rename(runs / "many.tcx")
    (rc, out, err), _, _, _ = peak_rss(
        [sys.executable, "-m", "runlens", "scan", str(runs), "--db", str(tmp_path / "s.sqlite"),
         "-j", "1"], env=_env(tmp_path), timeout=600,
    )
    assert rc == 0, err
    assert "Traceback" not in err and "bug in runlens" not in err


def test_200000_sessions_through_fitparse_are_bounded_before_it_decodes():
    """fitparse's path (the fallback for what fitfast cannot decode): the repair walk writes
    only the first 256 sessions for fitparse to decode (before: all 200,000, 12 s of CPU)."""
    import time

    from runlens.io import read

    data = many_sessions()
    t = time.process_time()
    a = read(data, reader="fitparse")
    cpu = time.process_time() - t
    assert cpu < 10, f"{cpu:.1f} s of CPU"
    assert [w for w in a.warnings if "session messages" in w] == [
        "the file holds 200,000 session messages; runlens reads at most 256 "
        "(the first 256 were kept)"
    ]
    assert len(a.records) == 600
