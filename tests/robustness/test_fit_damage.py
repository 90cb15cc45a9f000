"""FIT files damaged on purpose from intact real files: every outcome is defined.

Salvage keeps exactly what precedes the damage (nothing invented) and says what
was lost; strict refuses with one line. Byte offsets and record counts come from
the real files (garmin-fenix-5-run.fit: 21 records; activity-small-fenix2-run.fit:
2809 records over 47 min 13 s).
"""

from __future__ import annotations

import re
import struct

import numpy as np
import pandas as pd
import pytest

from runlens.errors import (
    CorruptFileError,
    EmptyFileError,
    NoRecordsError,
    NotAnActivityError,
    RunlensError,
    UnsupportedFormatError,
)

from .helpers import FILES, LONG_RUN, SMALL_RUN, clean, corpus_bytes, full_read


def _header(data: bytes) -> tuple[int, int]:
    """(header size, declared data size) of a FIT file."""
    return data[0], struct.unpack_from("<I", data, 4)[0]


def _assert_prefix(part: pd.DataFrame, whole: pd.DataFrame) -> None:
    """``part`` holds the first len(part) records of ``whole``, value for value."""
    head = whole.iloc[: len(part)]
    assert part.index.equals(head.index)
    # Cadence is split into steps/rpm by the session's time span, and a cut file has
    # lost its session message: compare every other column.
    cols = [c for c in part.columns if c in head.columns and not c.startswith("cadence")]
    assert len(cols) >= 3
    pd.testing.assert_frame_equal(part[cols], head[cols], check_freq=False)


# Offsets: every byte of the header and first definitions, then a stride through
# the records, then every byte of the tail (CRC and the last messages).
_SIZE = 5597
_OFFSETS = sorted(
    set(range(0, 40)) | set(range(40, _SIZE - 20, 97)) | set(range(_SIZE - 20, _SIZE))
)


@pytest.mark.parametrize("cut", _OFFSETS)
def test_truncated_at_any_offset(cut):
    data = corpus_bytes(SMALL_RUN)
    assert len(data) == _SIZE
    whole = clean(SMALL_RUN).records
    hsize, dsize = _header(data)
    try:
        act = full_read(data[:cut])
    except (CorruptFileError, NoRecordsError, EmptyFileError, UnsupportedFormatError) as exc:
        # Refused only when no record precedes the cut (before byte 12: no FIT signature).
        assert (exc.__class__ is UnsupportedFormatError) == (0 < cut < 12)
        assert "\n" not in str(exc)
        assert whole.index[0] > pd.Timestamp(0, tz="UTC")  # the file does have records
        return
    _assert_prefix(act.records, whole)
    if cut < hsize + dsize:
        assert any(w.startswith(f"truncated at byte {cut}") for w in act.warnings), act.warnings
    with pytest.raises(CorruptFileError):
        full_read(data[:cut], strict=True)


def test_truncation_reports_lost_time_close_to_truth():
    """The lost-time estimate (bytes missing / bytes per second so far) vs the real loss."""
    data = corpus_bytes(LONG_RUN)
    whole = clean(LONG_RUN).records.index
    assert len(whole) == 2809
    for frac in (0.3, 0.75):
        act = full_read(data[: int(len(data) * frac)])
        truth_min = (whole[-1] - act.records.index[-1]).total_seconds() / 60
        (w,) = act.warnings
        # "about m:ss" (h:mm:ss from an hour), runlens.units.format_duration
        clock = re.search(r"about ((?:\d+:)?\d+:\d\d) of recording lost", w).group(1)
        est_min = sum(int(x) * 60**k for k, x in enumerate(reversed(clock.split(":")))) / 60
        assert abs(est_min - truth_min) <= max(1.5, 0.1 * truth_min), (w, truth_min)
        assert "session summary is missing" in w
        _assert_prefix(act.records, clean(LONG_RUN).records)


def test_wrong_file_crc_is_salvaged_or_refused():
    data = bytearray(corpus_bytes(SMALL_RUN))
    data[-1] ^= 0xFF
    act = full_read(bytes(data))
    assert len(act.records) == 21
    assert act.warnings[0].startswith(f"file CRC mismatch at byte {len(data) - 2}")
    with pytest.raises(CorruptFileError, match="CRC mismatch"):
        full_read(bytes(data), strict=True)


def test_wrong_header_crc_is_salvaged_or_refused():
    data = bytearray(corpus_bytes(SMALL_RUN))
    assert data[0] == 14  # a 14-byte header carries its own CRC at bytes 12-13
    data[12] ^= 0x55
    act = full_read(bytes(data))
    assert len(act.records) == 21
    assert any("header CRC mismatch at byte 12" in w for w in act.warnings)
    with pytest.raises(CorruptFileError, match="header CRC mismatch"):
        full_read(bytes(data), strict=True)


@pytest.mark.parametrize("pos", range(14, _SIZE - 2, 151))
def test_one_flipped_byte(pos):
    """Any single flipped byte: a defined outcome; a flip among records costs at most a few."""
    data = bytearray(corpus_bytes(SMALL_RUN))
    data[pos] ^= 0xFF
    try:
        act = full_read(bytes(data))
    except RunlensError as exc:
        assert str(exc).startswith("<bytes>: ")
        return
    whole = clean(SMALL_RUN).records
    assert act.warnings, "a flipped byte must never pass silently"
    assert act.records.index.is_monotonic_increasing and act.records.index.is_unique
    # Records kept are real records (timestamps of the intact file), unless the flip hit one.
    assert act.records.index.isin(whole.index).sum() >= len(act.records) - 1
    with pytest.raises(CorruptFileError):
        full_read(bytes(data), strict=True)


def test_damaged_stretch_mid_file_resyncs_and_reports_the_gap():
    """200 bytes of garbage in the middle of a 47-min run: the rest is recovered."""
    data = bytearray(corpus_bytes(LONG_RUN))
    whole = clean(LONG_RUN).records
    rng = np.random.default_rng(8)
    at = len(data) // 2
    data[at : at + 200] = rng.integers(0, 256, 200, dtype=np.uint8).tobytes()
    act = full_read(bytes(data))
    assert len(act.records) >= len(whole) - 10  # ~200 bytes = ~5 records at 42.7 bytes/s
    assert act.records.index[-1] == whole.index[-1]
    assert act.records.index.isin(whole.index).all()
    w = act.warnings[0]
    assert w.startswith("1 damaged stretch(es) skipped: undecodable bytes ") or w.startswith(
        "1 damaged stretch(es) skipped: malformed message before byte "
    ), w
    # fitparse alone stops at the damage: half the run would be lost.
    with pytest.raises(CorruptFileError, match=r"byte \d+"):
        full_read(bytes(data), strict=True)


def test_garbage_after_the_data_is_ignored_with_a_warning():
    data = corpus_bytes(SMALL_RUN)
    act = full_read(data + b"this is not FIT")
    assert len(act.records) == 21
    assert any("after the FIT data" in w for w in act.warnings), act.warnings
    with pytest.raises(CorruptFileError, match="after the FIT data"):
        full_read(data + b"this is not FIT", strict=True)


def test_zero_padding_after_the_data_is_harmless():
    data = corpus_bytes(SMALL_RUN)
    act = full_read(data + bytes(512), strict=True)
    assert len(act.records) == 21 and act.warnings == []


def test_header_only_and_bad_signature():
    data = corpus_bytes(SMALL_RUN)
    with pytest.raises(CorruptFileError, match="truncated at byte 14"):
        full_read(data[:14])
    with pytest.raises(CorruptFileError, match="too short for its header"):
        full_read(data[:13])


@pytest.mark.parametrize(
    "name, ftype",
    [
        ("Settings.fit", "settings"),
        ("Settings2.fit", "settings"),
        ("MonitoringFile.fit", "monitoring_b"),
        ("WorkoutIndividualSteps.fit", "workout"),
        ("WorkoutRepeatSteps.fit", "workout"),
        ("WeightScaleSingleUser.fit", "weight"),
    ],
)
def test_non_activity_fit_is_refused_naming_its_type(name, ftype):
    with pytest.raises(NotAnActivityError) as exc:
        full_read(corpus_bytes(FILES + name))
    assert str(exc.value) == f"<bytes>: a FIT '{ftype}' file, not an activity"


# garmin-fenix-5-run.fit has one record definition (bytes 1969-2032, 19 fields); every
# record after it depends on it. Flipped: its header byte, its architecture byte, its
# field count, and field sizes (bytes 1969 + 6 + 3k + 1).
@pytest.mark.parametrize("pos", [1969, 1971, 1974, 1979, 1982, 2000, 2030])
def test_flip_in_the_only_record_definition_keeps_the_records_after_it(pos):
    data = bytearray(corpus_bytes(SMALL_RUN))
    data[pos] ^= 0xFF
    act = full_read(bytes(data))
    whole = clean(SMALL_RUN).records
    # The definition is repaired, so every record decodes as in the intact file.
    assert len(act.records) == len(whole) == 21
    pd.testing.assert_frame_equal(act.records, whole, check_freq=False)
    assert any("the definition at byte 1969 looks damaged" in w for w in act.warnings), act.warnings
    with pytest.raises(CorruptFileError):
        full_read(bytes(data), strict=True)


def test_flip_in_a_record_header_loses_that_record_only():
    """A record's header byte flipped (0x0D -> 0xF2, byte 2489): the stream resumes at the
    next message; the other 20 records are kept, value for value."""
    data = bytearray(corpus_bytes(SMALL_RUN))
    assert data[2489] == 0x0D
    data[2489] ^= 0xFF
    act = full_read(bytes(data))
    whole = clean(SMALL_RUN).records
    assert len(act.records) == 20
    assert act.records.index.isin(whole.index).all()
    kept = whole.loc[act.records.index]
    pd.testing.assert_frame_equal(act.records, kept, check_freq=False)
    (w,) = [w for w in act.warnings if "damaged stretch" in w]
    assert w.startswith("1 damaged stretch(es) skipped: undecodable bytes 2489-2531"), w


def test_a_header_declaring_4_gb_prints_no_loss_estimate():
    """A truncated file whose header claims a data size of about 4 GB: the cut is
    reported, but no 'bytes lost' or 'recording lost' that cannot be true."""
    data = bytearray(corpus_bytes(LONG_RUN)[:60000])
    struct.pack_into("<I", data, 4, 0xFFFFFF00)
    act = full_read(bytes(data))
    (w,) = [w for w in act.warnings if w.startswith("truncated at byte 60000")]
    assert "(the header declares 4,294,967,056 bytes (4.3 GB), but the file holds 60,000 bytes" in w
    assert "recording lost" not in w and "bytes are unreadable" not in w
    assert len(act.records) > 1000
