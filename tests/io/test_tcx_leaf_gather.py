"""TCX trackpoints gathered by asking lxml for the file's leaf names (issue 28).

The reader used to turn every element under every trackpoint into a Python
object to find its leaves; it now asks libxml2 for the leaves only, by the
spellings the file uses (:func:`runlens.io.tcx._leaf_tags`). The known answer
is the walk over every element, kept for files that are not UTF-8: the same
texts for every point, on a file built with every awkward case the reader
accepts (any case, any prefix, empty and repeated leaves, a nested point) and on
every TCX of the corpus.
"""

from __future__ import annotations

import numpy as np
import pytest

import runlens.io.tcx as tcx
from runlens.io.xmlparse import parse_xml
from tests.conftest import CORPUS

AWKWARD = b"""<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
  xmlns:x="http://www.garmin.com/xmlschemas/ActivityExtension/v2"><Activities>
<Activity Sport="Running"><Lap StartTime="2020-01-01T00:00:00Z"><Cadence>88</Cadence><Track>
<Trackpoint><Time>2020-01-01T00:00:00Z</Time><time>2020-01-01T00:00:09Z</time>
 <HeartRateBpm><Value>100</Value></HeartRateBpm><x:Speed>3.0</x:Speed><x:SPEED>4</x:SPEED></Trackpoint>
<TrackPoint><TIME>2020-01-01T00:00:01Z</TIME><Position><latitudedegrees>1.5</latitudedegrees>
 <LongitudeDegrees/></Position><Extensions><x:TPX><x:RunCadence>80</x:RunCadence>
 <x:Watts> </x:Watts></x:TPX></Extensions></TrackPoint>
<Trackpoint><Time/><Time>2020-01-01T00:00:02Z</Time><DistanceMeters>abc</DistanceMeters>
 <Cadence>85<x:b/>9</Cadence><Trackpoint><Value>7</Value></Trackpoint></Trackpoint>
<trackpoint><Time>2020-01-01T00:00:03Z</Time><AltitudeMeters>1e3</AltitudeMeters>
 <Value>120</Value><Value>130</Value></trackpoint>
</Track></Lap><Lap StartTime="2020-01-01T00:00:04Z"><DistanceMeters>9</DistanceMeters><Track>
<Trackpoint><Time>2020-01-01T00:00:05Z</Time><Position><LatitudeDegrees>1.6</LatitudeDegrees>
<LongitudeDegrees>2.5</LongitudeDegrees></Position></Trackpoint></Track></Lap></Activity>
</Activities></TrainingCenterDatabase>"""


def _both(data: bytes):
    root = parse_xml(data, "t.tcx", "TCX")
    tags = tcx._leaf_tags(data)
    assert tags is not None
    for sec in root:
        for act in sec:
            if tcx._loc(act.tag) == "activity":
                yield tcx._points(act), tcx._points(act, tags)


def _same(walk, leaves) -> None:
    assert len(walk[0]) == len(leaves[0])
    assert np.array_equal(walk[1], leaves[1]) and np.array_equal(walk[2], leaves[2])
    assert walk[3].keys() == leaves[3].keys()
    for k, v in walk[3].items():
        if k == "time_text":
            assert list(v) == list(leaves[3][k])
        else:
            assert np.array_equal(v, leaves[3][k], equal_nan=True), k


def test_awkward_leaves_are_read_as_the_full_walk_reads_them():
    ((walk, leaves),) = list(_both(AWKWARD))
    _same(walk, leaves)
    arr = leaves[3]
    # the first leaf of each name in the point's subtree, in any case or prefix
    assert list(arr["time_text"]) == [
        "2020-01-01T00:00:00Z", "2020-01-01T00:00:01Z", None, "2020-01-01T00:00:03Z",
        "2020-01-01T00:00:05Z",
    ]
    assert arr["speed"][0] == 3.0 and arr["lat"][1] == 1.5 and np.isnan(arr["lon"][1])
    assert arr["runcad"][1] == 80 and np.isnan(arr["power"][1])  # a blank is no value
    assert np.isnan(arr["dist"][2]) and arr["cad"][2] == 85  # text before the child
    assert arr["hr"].tolist()[:2] == [100.0, pytest.approx(np.nan, nan_ok=True)]
    assert arr["hr"][2] == 7 and arr["hr"][3] == 120  # a nested point's leaves are its own
    assert arr["ele"][3] == 1000.0 and arr["lat"][4] == 1.6 and arr["lon"][4] == 2.5
    assert leaves[1].tolist() == [0, 0, 0, 0, 1]  # the lap's own totals are not points'


def test_only_utf8_text_takes_the_leaf_names():
    assert tcx._leaf_tags(AWKWARD.replace(b"UTF-8", b"ISO-8859-1")) is None
    assert tcx._leaf_tags(AWKWARD.decode().encode("utf-16")) is None
    assert tcx._leaf_tags(AWKWARD.replace(b"UTF-8", b"utf-8")) is not None
    assert tcx._leaf_tags(b"\xef\xbb\xbf" + AWKWARD) is not None


def test_an_iso_8859_1_file_reads_as_its_utf8_twin():
    latin = AWKWARD.replace(b"UTF-8", b"ISO-8859-1")
    a = tcx.decode_tcx(AWKWARD, "a.tcx", "0" * 64, False)
    b = tcx.decode_tcx(latin, "b.tcx", "0" * 64, False)
    assert a.records.equals(b.records)


def test_every_corpus_tcx_gathers_the_same_points():
    if not CORPUS.exists():
        pytest.skip("the corpus (../shared/corpus) is not here")
    files = sorted(CORPUS.rglob("*.tcx"))
    assert files
    n = 0
    for f in files:
        data = f.read_bytes()
        try:
            pairs = list(_both(data))
        except Exception:  # noqa: BLE001 - a broken file: its salvage is tested elsewhere
            continue
        for walk, leaves in pairs:
            _same(walk, leaves)
            n += len(walk[0])
    assert n > 10_000
