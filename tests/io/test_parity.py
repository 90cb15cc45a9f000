"""The fast readers give the same Activity as the reference readers, on the corpus.

FIT: every corpus FIT file is read twice, by ``read(reader="fitparse")`` (the
reference) and by ``read()`` (fitfast, falling back to fitparse); the two
Activities must be equal (tests/io/parity.py lists what is compared). GPX: the
same with gpxpy as the reference. A file the fast path refuses must say why
(``extra["reader_note"]``) and is then read by the reference itself.

The full sweep costs about 100 s of CPU (fitparse on the 75 FIT files; the
fast path adds about 1 s; files the fast path refuses are not decoded by
fitparse at all here), about 55 s on 2 idle cores. It runs on every test run:
parity is the fast path's licence.
"""

from __future__ import annotations

import csv
from functools import cache

import pytest

from runlens import read
from runlens.errors import RunlensError
from runlens.io.fit_fast import FastPathRejected
from tests.conftest import CORPUS
from tests.io.parity import activity_diffs


def _catalog(fmt: str) -> list[str]:
    """Corpus files of one format, largest first (so the slowest start first on -n 2)."""
    path = CORPUS / "catalog.csv"
    if not path.exists():
        return []
    with open(path, newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["format"] == fmt]
    rows.sort(key=lambda r: -int(float(r["size"] or 0)))
    return [r["path"] for r in rows]


FIT_FILES = _catalog("fit")
GPX_FILES = _catalog("gpx")

#: Files the fast path must read itself (a regression that sends them to fitparse fails).
#: They cover running dynamics, developer fields (incl. one named like a native field),
#: chained files, multisport, compressed timestamps, pool swims and big files.
FAST_FIT = {
    "python-fitparse/tests/files/garmin-fenix-5-run.fit",
    "python-fitparse/tests/files/activity-small-fenix2-run.fit",
    "python-fitparse/tests/files/activity-large-fenxi2-multisport.fit",
    "python-fitparse/tests/files/sample_mulitple_header.fit",
    "python-fitparse/tests/files/developer-types-sample.fit",
    "python-fitparse/tests/files/event_timestamp.fit",
    "muktihari-fit/testdata/from_garmin_forums/triathlon_summary_first.fit",
    "muktihari-fit/testdata/from_garmin_forums/triathlon_summary_last.fit",
    "muktihari-fit/testdata/chained_Activity_activity_poolswim.fit",
    "muktihari-fit/testdata/big_activity.fit",
    "tormoder-fit/testdata/misc/mornindew-broken.fit",
    "fitdecode/tests/files/garmin-fr935-cr.fit",
    "FITfileR/inst/extdata/Activities/garmin-edge530-ride.fit",
}

#: Files left to fitparse, and the words the reason must contain.
FALLBACK_FIT = {
    # fitfast reports a checksum mismatch that neither fitparse nor the repair pass sees.
    "python-fitparse/tests/files/Edge810-Vector-2013-08-16-15-35-10.fit": "checksum mismatch",
    "python-fitparse/tests/files/compressed-speed-distance.fit": "compressed speed/distance",
    "python-fitparse/tests/files/null_compressed_speed_dist.fit": "compressed speed/distance",
    "python-fitparse/tests/files/coros-pace-2-cycling-misaligned-fields.fit": "not a multiple",
}


def _outcome(rel, reader: str):
    try:
        return read(CORPUS / rel if isinstance(rel, str) else rel, reader=reader)
    except RunlensError as exc:
        return exc


@cache
def _reference(rel: str):
    return _outcome(rel, "reference")


def _assert_same(rel: str, fast, ref) -> None:
    if isinstance(ref, Exception) or isinstance(fast, Exception):
        assert type(fast) is type(ref), f"{rel}: {fast!r} vs {ref!r}"
        assert str(fast) == str(ref)
        return
    diffs = activity_diffs(fast, ref)
    assert not diffs, f"{rel}: " + "; ".join(diffs[:10])


@pytest.mark.parametrize("rel", FIT_FILES)
def test_fit_fast_path_equals_fitparse(rel):
    fast = _outcome(rel, "fast")
    if isinstance(fast, FastPathRejected):
        # read() leaves it to fitparse, i.e. to the reference itself (tests/io/test_fit_fast.py
        # checks that fallback); here: only files the fast path cannot read are refused.
        assert rel not in FAST_FIT, f"{rel}: {fast}"
        if rel in FALLBACK_FIT:
            assert FALLBACK_FIT[rel] in str(fast)
        return
    assert rel not in FALLBACK_FIT, f"{rel} was expected to be left to fitparse"
    _assert_same(rel, fast, _reference(rel))
    if not isinstance(fast, Exception):
        assert fast.source.reader == "fitfast"
        assert "reader_note" not in fast.extra


@pytest.mark.parametrize("rel", GPX_FILES)
def test_gpx_fast_reader_equals_gpxpy(rel):
    fast = _outcome(rel, "auto")
    ref = _reference(rel)
    _assert_same(rel, fast, ref)
    if not isinstance(fast, Exception):
        assert fast.source.reader in ("runlens-gpx", "gpxpy")
        if fast.source.reader == "gpxpy":
            assert "reader_note" in fast.extra


def test_gpx_fast_reader_reads_the_year_of_runs_itself():
    files = [r for r in GPX_FILES if r.startswith("runpandas/examples/session/")]
    if not files:
        pytest.skip("corpus not present")
    assert len(files) == 68
    for rel in files[:10]:
        assert _outcome(rel, "auto").source.reader == "runlens-gpx"


# --- damaged files: one repair, two decoders ------------------------------------------

SMALL_RUN = "python-fitparse/tests/files/garmin-fenix-5-run.fit"
LONG_RUN = "python-fitparse/tests/files/activity-small-fenix2-run.fit"


def _damaged(rel: str) -> list[tuple[str, bytes]]:
    """Cuts and flipped bytes of a real file (offsets from its own layout)."""
    path = CORPUS / rel
    if not path.exists():
        return []
    data = path.read_bytes()
    out = [(f"cut {pct} %", data[: len(data) * pct // 100]) for pct in (35, 70, 95)]
    for label, pos in (
        ("flip in record data", len(data) // 2),
        ("flip in the CRC", len(data) - 1),
        ("flip near the end", len(data) - 40),
    ):
        b = bytearray(data)
        b[pos] ^= 0xFF
        out.append((label, bytes(b)))
    return out


def _record_starts(data: bytes) -> list[int]:
    """Offsets of the record messages of an intact single-sequence FIT file."""
    import struct

    out, defs, p = [], {}, data[0]
    end = p + struct.unpack_from("<I", data, 4)[0]
    while p < end:
        h = data[p]
        if h & 0xC0 == 0x40:
            nf = data[p + 5]
            size = sum(data[p + 6 + 3 * i + 1] for i in range(nf))
            q = p + 6 + 3 * nf
            if h & 0x20:
                nd = data[q]
                size += sum(data[q + 1 + 3 * i + 1] for i in range(nd))
                q += 1 + 3 * nd
            defs[h & 0x0F] = (size, struct.unpack_from("<H", data, p + 3)[0])
            p = q
            continue
        size, gnum = defs[(h >> 5) & 3 if h & 0x80 else h & 0x0F]
        if gnum == 20:
            out.append(p)
        p += 1 + size
    return out


def _header_flips(rel: str) -> list[tuple[str, bytes]]:
    path = CORPUS / rel
    if not path.exists():
        return []
    data = path.read_bytes()
    starts = _record_starts(data)
    out = []
    for k in (len(starts) // 3, 2 * len(starts) // 3):
        b = bytearray(data)
        b[starts[k]] ^= 0xFF
        out.append((f"flip in the header of record {k}", bytes(b)))
    return out


DAMAGED = [
    (rel, label, data)
    for rel in (SMALL_RUN, LONG_RUN)
    for label, data in _damaged(rel) + _header_flips(rel)
]


@pytest.mark.parametrize(
    "rel, label, data", DAMAGED, ids=[f"{r.rsplit('/', 1)[1]}-{lab}" for r, lab, _ in DAMAGED]
)
def test_damaged_fit_same_activity_from_either_decoder(rel, label, data):
    """A salvaged file: fitfast (on the repaired bytes) and fitparse give the same Activity,
    warnings included; strict refuses it whichever path is asked."""
    fast = _outcome(data, "auto")
    ref = _outcome(data, "reference")
    _assert_same(f"{rel} {label}", fast, ref)
    if not isinstance(fast, Exception):
        assert fast.source.reader == "fitfast", fast.extra.get("reader_note")
        assert fast.warnings, "a damaged file never reads silently"
    for reader in ("auto", "reference"):
        with pytest.raises(RunlensError):
            read(data, strict=True, reader=reader)
