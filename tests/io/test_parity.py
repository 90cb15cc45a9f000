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
    "python-fitparse/tests/files/activity-filecrc.fit": "checksum mismatch",
    "python-fitparse/tests/files/Edge810-Vector-2013-08-16-15-35-10.fit": "checksum mismatch",
    "python-fitparse/tests/files/compressed-speed-distance.fit": "compressed speed/distance",
    "python-fitparse/tests/files/null_compressed_speed_dist.fit": "compressed speed/distance",
    "python-fitparse/tests/files/coros-pace-2-cycling-misaligned-fields.fit": "not a multiple",
    "python-fitparse/tests/files/activity-unexpected-eof.fit": "unexpected EOF",
}


def _outcome(rel: str, reader: str):
    try:
        return read(CORPUS / rel, reader=reader)
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
