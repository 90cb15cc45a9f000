"""The fast FIT path (runlens.io.fit_fast) on files built with known content.

Every file here is encoded by runlens.sim.fitwrite from a simulated run whose
values are known, then read by the fast path and by fitparse (the reference).
"""

from __future__ import annotations

import struct
from datetime import datetime, timezone

import numpy as np
import pytest

from runlens import read
from runlens.errors import CorruptFileError
from runlens.io.fit import decode_fitparse
from runlens.io.fit_fast import FastPathRejected, decode_fitfast, walk
from runlens.io.fitrepair import crc16
from runlens.sim.fitwrite import STRYD_POWER, FitWriter, chain, encode_activity
from runlens.sim.synth import simulate_run
from tests.conftest import corpus
from tests.io.parity import activity_diffs

START = datetime(2026, 9, 7, 6, 30, tzinfo=timezone.utc)


def _run(seed=3, duration_s=900, **kw):
    return simulate_run(seed=seed, duration_s=duration_s, start=START, power=True, **kw)


def _same(data: bytes):
    fast = read(data, reader="fast")
    ref = read(data, reader="fitparse")
    assert fast.source.reader == "fitfast" and ref.source.reader == "fitparse"
    assert activity_diffs(fast, ref) == []
    return fast


def _with_crc(body: bytes) -> bytes:
    return body + struct.pack("<H", crc16(body))


@pytest.mark.parametrize("speed_fields", ["enhanced", "legacy"])
def test_encoded_run_equals_fitparse_and_the_known_values(speed_fields):
    run = _run(foot_pod=True)
    a = _same(encode_activity(run, speed_fields=speed_fields))
    # speed is stored in mm/s (FIT scale 1000): what the encoder wrote, to the bit.
    expected = np.round(np.asarray(run.columns["speed"]) * 1000) / 1000
    got = a.records["speed_m_s"].to_numpy()
    assert np.array_equal(got, expected)
    assert a.developer_units == {"FootStrike Type": None}
    assert len(a.developer) == len(a.records)


def test_enhanced_speed_of_a_legacy_speed_field_is_the_speed():
    # Speeds where fitfast 0.1.0's own expansion of speed -> enhanced_speed loses 1 mm/s
    # (it gives 4.059 for 4.06): taken from real files of the corpus.
    speeds = [4.06, 2.034, 8.171, 1.013, 1.003, 2.03, 8.155]
    w = FitWriter()
    w.message("file_id", type=4, manufacturer=1, product=2691, time_created=START)
    rec = w.define("record", ["timestamp", "speed", "altitude"])
    t0 = int(START.timestamp()) - 631065600
    n = len(speeds)
    w.write_columns(
        rec, {"timestamp": t0 + np.arange(n), "speed": speeds, "altitude": np.full(n, 400.2)}
    )
    a = _same(w.to_bytes())
    assert a.records["speed_m_s"].tolist() == speeds
    # altitude: stored as (m + 500) * 5 = 4501, decoded 4501 / 5 - 500 by both paths
    assert a.records["altitude_m"].tolist() == [4501 / 5 - 500] * n


def test_developer_power_like_a_stryd_pod():
    run = _run()
    a = _same(encode_activity(run, developer_fields={"power": STRYD_POWER}))
    assert a.developer_units["Power"] == "Watts"
    assert np.array_equal(
        a.developer["Power"].to_numpy(), np.round(np.asarray(run.columns["power"]))
    )


def test_chained_files_read_as_one_activity():
    data = chain(encode_activity(_run(seed=1)), encode_activity(_run(seed=2)))
    a = _same(data)
    assert a.extra["fit_headers"] == 2


def test_records_interleaved_with_other_messages():
    # A record, then an hrv-like unknown message, then a record ...: no runs to skip.
    w = FitWriter()
    w.message("file_id", type=4, manufacturer=1, product=2691, time_created=START)
    rec = w.define("record", ["timestamp", "heart_rate", "distance"])
    ev = w.define("event", ["timestamp", "event", "event_type"])
    t0 = int(START.timestamp()) - 631065600
    for i in range(50):
        w.write(rec, timestamp=t0 + i, heart_rate=120 + i, distance=3.0 * i)
        if i % 3 == 0:
            w.write(ev, timestamp=t0 + i, event=0, event_type=0 if i % 2 else 4)
    w.message("session", timestamp=t0 + 50, start_time=t0, total_elapsed_time=50.0, sport=1)
    a = _same(w.to_bytes())
    assert a.records["heart_rate_bpm"].tolist() == [120.0 + i for i in range(50)]
    assert a.records["distance_m"].tolist() == [3.0 * i for i in range(50)]


def test_walk_keeps_every_summary_message_and_drops_the_records():
    data = encode_activity(_run(foot_pod=True), speed_fields="enhanced")
    w = walk(data)
    assert len(w.summary) < len(data) / 20
    full = decode_fitparse(data, "full")
    small = decode_fitparse(w.summary, "small")  # a valid FIT file: CRCs rewritten
    assert small.messages == full.messages
    assert small.records == {} and small.warnings == []
    assert {73, 78, 253} <= w.record_fields  # enhanced_speed, enhanced_altitude, timestamp
    assert w.record_dev_fields == {(0, 0)}  # FootStrike Type


def test_summary_messages_are_named_and_valued_like_fitparse():
    # file_id, device_info (garmin_product sub-field), user_profile, events, laps, session
    # (avg_speed -> enhanced_avg_speed component), activity (local_timestamp).
    data = encode_activity(_run(foot_pod=True, pauses=()), speed_fields="legacy")
    fast = decode_fitfast(data, "x").messages
    assert fast == decode_fitparse(data, "x").messages
    assert fast["file_id"][0]["garmin_product"] == "fr935"
    assert fast["session"][0]["enhanced_avg_speed"] == fast["session"][0]["avg_speed"]


def test_summary_message_with_compressed_timestamp_is_left_to_fitparse():
    w = FitWriter()
    w.message("file_id", type=4, manufacturer=1, product=2691, time_created=START)
    rec = w.define("record", ["timestamp", "heart_rate"], local_num=0)
    t0 = int(START.timestamp()) - 631065600
    w.write_columns(rec, {"timestamp": t0 + np.arange(10), "heart_rate": np.full(10, 130)})
    w.define("event", ["event", "event_type"], local_num=1)
    # compressed timestamp header: bit 7, local 1 in bits 5-6, time offset in bits 0-4
    w.raw(bytes([0x80 | (1 << 5) | ((t0 + 12) & 0x1F), 0, 4]))
    data = w.to_bytes()
    with pytest.raises(FastPathRejected, match="compressed timestamp"):
        decode_fitfast(data, "x")
    a = read(data)
    assert a.source.reader == "fitparse"
    assert "compressed timestamp" in a.extra["reader_note"]
    assert len(a.records) == 10


def test_crc_mismatch_is_repaired_for_fitfast_and_strict_refuses():
    data = bytearray(encode_activity(_run()))
    data[-1] ^= 0xFF  # break the file CRC
    data = bytes(data)
    a = read(data)
    assert a.source.reader == "fitfast"  # the repaired bytes, decoded natively
    assert "reader_note" not in a.extra
    (w,) = a.warnings
    assert w.startswith(f"file CRC mismatch at byte {len(data) - 2}")
    assert read(data, reader="fitparse").warnings == a.warnings
    assert len(read(data, reader="fast").records) == len(a.records)
    with pytest.raises(CorruptFileError, match="CRC mismatch"):
        read(data, strict=True)


class _NativeCrash(BaseException):
    """Stands for pyo3_runtime.PanicException: a BaseException, not an Exception."""


@pytest.mark.parametrize("exc", [_NativeCrash("panicked"), MemoryError(), ValueError("odd")])
def test_any_failure_of_fitfast_falls_back_to_fitparse(monkeypatch, exc):
    import fitfast

    def boom(*a, **k):
        raise exc

    data = encode_activity(_run())
    monkeypatch.setattr(fitfast, "records", boom)
    a = read(data)
    assert a.source.reader == "fitparse"
    assert a.extra["reader_note"].startswith(f"fitfast failed ({type(exc).__name__}")
    assert a.warnings == []  # a note, not a warning: nothing is wrong with the file
    with pytest.raises(FastPathRejected, match="fitfast failed"):
        read(data, reader="fast")


@pytest.mark.parametrize("exc", [KeyboardInterrupt, SystemExit])
def test_interrupts_are_never_swallowed(monkeypatch, exc):
    import fitfast

    def stop(*a, **k):
        raise exc()

    monkeypatch.setattr(fitfast, "records", stop)
    with pytest.raises(exc):
        read(encode_activity(_run()))


def test_a_real_rust_panic_falls_back(capfd):
    # garmin-fenix-5-run.fit with one field size changed (byte 1395: 1 -> 116) and the CRC
    # fixed: fitfast 0.1.0 panics ("remainder with a divisor of zero"); the repair walks
    # past the damaged message and fitparse reads the rest.
    src = corpus("python-fitparse/tests/files/garmin-fenix-5-run.fit").read_bytes()
    body = bytearray(src[:-2])
    body[1395] = 0x74
    data = _with_crc(bytes(body))
    with pytest.raises(FastPathRejected, match="PanicException"):
        read(data, reader="fast")
    a = read(data)  # fitparse reads the repaired stream: the 21 records of the intact file
    assert a.source.reader == "fitparse" and len(a.records) == 21
    assert a.extra["reader_note"].startswith("fitfast failed (PanicException")
    assert a.warnings and not any("Panic" in w for w in a.warnings)
    assert a.warnings == read(data, reader="fitparse").warnings
    assert "panicked" not in capfd.readouterr().err  # the Rust panic message is silenced


def test_unknown_reader_is_refused():
    with pytest.raises(ValueError, match="reader must be one of"):
        read(b"", reader="fastest")


def test_without_fitfast_installed_fitparse_reads(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "fitfast", None)  # import fails
    a = read(encode_activity(_run()))
    assert a.source.reader == "fitparse"
    assert a.extra["reader_note"].startswith("fitfast failed (ModuleNotFoundError")
