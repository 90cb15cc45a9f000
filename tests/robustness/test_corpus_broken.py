"""Every broken file of ../shared/corpus has a defined outcome (catalog.csv lists them).

Files are taken from catalog.csv (fitparse or fitdecode failed, or the XML is
malformed), so a broken file added to the corpus is covered without editing
this test; the outcomes below were checked by hand against the files' bytes
and, where it can read them, fitdecode in lenient mode (an independent decoder).
"""

from __future__ import annotations

import csv

import pytest

from runlens.errors import CorruptFileError, RunlensError, UnsupportedFormatError

from .helpers import FILES, corpus, corpus_bytes, full_read

_cache: dict = {}


def read_once(rel: str):
    """Salvaged read of a corpus file, once per test process (fitparse is slow)."""
    if rel not in _cache:
        try:
            _cache[rel] = full_read(corpus_bytes(rel))
        except RunlensError as exc:
            _cache[rel] = exc
    got = _cache[rel]
    if isinstance(got, RunlensError):
        raise got
    return got


def _broken() -> list[str]:
    try:
        cat = corpus("catalog.csv")
    except BaseException:  # noqa: BLE001 - pytest.skip at collection: no corpus, no cases
        return []
    with open(cat, newline="") as fh:
        rows = list(csv.DictReader(fh))
    return sorted(
        r["path"]
        for r in rows
        if r["fitparse_ok"] == "no" or r["fitdecode_ok"] == "no" or r["xml_error"]
    )


#: path -> (records kept, how the first warning starts) for salvaged files. Record
#: counts are after validation: activity-activity-filecrc.fit is one 14-record
#: activity chained twice (28 records, 14 distinct times); nick.fit has 8 repeated
#: timestamps among its 14391 records.
SALVAGED = {
    FILES + "activity-activity-filecrc.fit": (14, "file CRC mismatch at byte 1540"),
    FILES + "activity-filecrc.fit": (14, "file CRC mismatch at byte 769"),
    FILES + "activity-settings-corruptheader.fit": (
        14,
        "bytes 771-854 (83 bytes) after the FIT data are not a valid chained FIT file",
    ),
    FILES + "activity-settings-nodata.fit": (14, "truncated at byte 786 (the header declares 853)"),
    FILES + "activity-unexpected-eof.fit": (14, "truncated at byte 768 (the header declares 771)"),
    FILES + "nick.fit": (14383, "damaged end at byte 403456: the message at byte 403437"),
}
REFUSED = {
    "runpandas/runpandas/tests/io/data/tcx/malformed.tcx": (
        UnsupportedFormatError,
        "XML but not GPX or TCX (the root element is <Activities>, not <gpx> or "
        "<TrainingCenterDatabase>)",
    ),
}


def test_catalog_lists_the_known_broken_files():
    listed = set(_broken())
    if not listed:
        pytest.skip("corpus not present")
    assert set(SALVAGED) | set(REFUSED) <= listed
    assert len(listed) == 9


@pytest.mark.parametrize("rel", _broken())
def test_broken_file_has_a_defined_outcome(rel):
    data = corpus_bytes(rel)
    path = str(corpus(rel))
    if rel in REFUSED:
        kind, msg = REFUSED[rel]
        with pytest.raises(kind) as exc:
            full_read(path)
        assert str(exc.value) == f"{path}: {msg}"
        return
    try:
        act = read_once(rel)
    except RunlensError as exc:  # a broken file the table does not know: still one line
        assert "\n" not in str(exc)
        return
    assert act.warnings, f"{rel}: salvaged silently"
    assert act.records.index.is_monotonic_increasing and act.records.index.is_unique
    if rel in SALVAGED:
        n, start = SALVAGED[rel]
        assert len(act.records) == n
        assert act.warnings[0].startswith(start), act.warnings
    # Strict refuses every one of them, in one line naming the file (the big ones'
    # faults lie near their end: reading them again costs seconds, skip it).
    if len(data) > 100_000:
        return
    with pytest.raises(CorruptFileError) as exc:
        full_read(path, strict=True)
    assert str(exc.value).startswith(f"{path}: ") and "\n" not in str(exc.value)


def test_misaligned_fields_lose_no_record():
    """COROS wrote a 1-byte uint32; fitparse stops there (1785 records). runlens reads
    the field as bytes and goes on, and keeps as many records as fitdecode's lenient
    mode (the independent oracle)."""
    fitdecode = pytest.importorskip("fitdecode")
    rel = FILES + "coros-pace-2-cycling-misaligned-fields.fit"
    act = read_once(rel)
    with pytest.warns(UserWarning, match="invalid field size 1"):
        with fitdecode.FitReader(
            str(corpus(rel)), error_handling=fitdecode.ErrorHandling.WARN
        ) as fr:
            n = sum(1 for m in fr if isinstance(m, fitdecode.FitDataMessage) and m.name == "record")
    assert n == len(act.records) == 11272
    assert act.warnings[0].startswith(
        "definition at byte 41093: event.data has 1 bytes, not a multiple of its type uint32"
    )


def test_strava_records_written_one_byte_short_are_resynchronised():
    """The Strava Android app wrote 16 records one byte short. fitparse and fitdecode
    both stop at the first (byte 7471: 473 records, 5 min of a 59-min run); runlens
    drops each garbled record and resumes, keeping the run to its end."""
    rel = FILES + "strava-android-app-201.10-b1218918.fit"
    act = read_once(rel)
    idx = act.records.index
    (session,) = act.sessions
    # Each short record breaks the walk (its successor's header is out of step, or its
    # time is impossible); the stream resumes at the next whole record.
    assert act.warnings[0].startswith("16 damaged stretch(es) skipped: ")
    assert len(idx) >= 2600  # 2667: one merged record per second the app wrote
    assert idx[0] >= session.start and idx[-1] <= session.end
    assert (session.end - idx[-1]).total_seconds() <= 2
    assert idx.to_series().diff().dt.total_seconds().max() <= 10
    # Nothing impossible survives the garbled stretches.
    rec = act.records
    assert rec["altitude_m"].max() < 9000 and rec["speed_m_s"].max() <= 15
