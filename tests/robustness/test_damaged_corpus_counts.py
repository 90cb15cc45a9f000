"""Damaged copies of the corpus' four largest running FIT files keep every record they did.

The copies are those of ``bench/bench_damaged_corpus.py`` (issue 28): cut at 30, 60 and
90 % of the size, and 1 and 4 bytes flipped in record data, record headers and
definitions, seeded as in ``bench/bench_damaged.py``. ``BEFORE`` holds the record counts
``runlens.read`` returned for each before the repair walk was vectorised (measured
2026-12-06 on main at 2acf68c; 0 where the copy was refused). A faster walk must not keep
fewer. The timing against the intact read is the benchmark's, not a test's.
"""

from __future__ import annotations

import importlib.util
import sys

import pytest

from runlens import read
from runlens.errors import RunlensError
from tests.conftest import ROOT, corpus

BEFORE = {
    "python-fitparse/tests/files/activity-large-fenxi2-multisport.fit": {
        "intact": 24232, "cut 30 %": 7280, "cut 60 %": 14561, "cut 90 %": 21845,
        "1 flip(s) in record data": 24232, "1 flip(s) in record headers": 24231,
        "1 flip(s) in definitions": 24232, "4 flip(s) in record data": 24232,
        "4 flip(s) in record headers": 24228, "4 flip(s) in definitions": 0,
    },
    "tormoder-fit/testdata/misc/mornindew-broken.fit": {
        "intact": 6874, "cut 30 %": 2041, "cut 60 %": 4134, "cut 90 %": 6226,
        "1 flip(s) in record data": 6874, "1 flip(s) in record headers": 6873,
        "1 flip(s) in definitions": 0, "4 flip(s) in record data": 6874,
        "4 flip(s) in record headers": 6870, "4 flip(s) in definitions": 6874,
    },
    "muktihari-fit/testdata/from_garmin_forums/triathlon_summary_last.fit": {
        "intact": 4043, "cut 30 %": 1442, "cut 60 %": 2741, "cut 90 %": 3746,
        "1 flip(s) in record data": 4043, "1 flip(s) in record headers": 4042,
        "1 flip(s) in definitions": 4043, "4 flip(s) in record data": 4043,
        "4 flip(s) in record headers": 4039, "4 flip(s) in definitions": 4043,
    },
    "muktihari-fit/testdata/from_garmin_forums/triathlon_summary_first.fit": {
        "intact": 4043, "cut 30 %": 1416, "cut 60 %": 2775, "cut 90 %": 3747,
        "1 flip(s) in record data": 4043, "1 flip(s) in record headers": 4042,
        "1 flip(s) in definitions": 4043, "4 flip(s) in record data": 4043,
        "4 flip(s) in record headers": 4039, "4 flip(s) in definitions": 4043,
    },
}  # fmt: skip


def _bench():
    """bench/bench_damaged_corpus.py as a module (it builds the damaged copies)."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        spec = importlib.util.spec_from_file_location(
            "bench_damaged_corpus", ROOT / "bench" / "bench_damaged_corpus.py"
        )
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod
    finally:
        sys.path.remove(str(ROOT / "bench"))


@pytest.mark.parametrize("rel", sorted(BEFORE))
def test_damaged_copies_keep_the_records_they_kept(rel):
    data = corpus(rel).read_bytes()
    copies = [("intact", data), *_bench().damaged(data)]
    assert [label for label, _ in copies] == list(BEFORE[rel])
    got = {}
    for label, b in copies:
        try:
            got[label] = len(read(b).records)
        except RunlensError:
            got[label] = 0
    fewer = {k: (got[k], v) for k, v in BEFORE[rel].items() if got[k] < v}
    assert not fewer, fewer
    assert got["intact"] == BEFORE[rel]["intact"]
