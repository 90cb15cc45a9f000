"""runlens.sim.gpxwrite read back with gpxpy."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timezone

import gpxpy
import numpy as np
import pytest

from runlens.sim.gpxwrite import TPX_NAMESPACES, to_gpx, write_gpx
from runlens.sim.synth import DEFAULT_START, SimPause, from_columns, simulate_run

START = datetime(2026, 9, 7, 6, 30, tzinfo=timezone.utc)


def ext_values(point, version):
    ns = "{" + TPX_NAMESPACES[version] + "}"
    (tpx,) = point.extensions
    assert tpx.tag == ns + "TrackPointExtension"
    return {child.tag.removeprefix(ns): child.text for child in tpx}


def known_run():
    return from_columns(
        {
            "t": [0, 1, 3],
            "lat": [47.1, 47.10001, 47.10003],
            "lon": [8.2, 8.2, 8.20001],
            "altitude": [410.04, 410.26, np.nan],
            "heart_rate": [120.4, 121.6, np.nan],
            "cadence": [164.0, 171.0, 170.0],
            "speed": [2.9, 3.05, 3.1],
            "temperature": [18.0, 18.04, 18.1],
        },
        start=START,
    )


@pytest.mark.parametrize(("version", "prefix"), [(1, "gpxtpx"), (2, "ns3")])
def test_points_round_trip(version, prefix):
    text = to_gpx(known_run(), version=version, prefix=prefix)
    assert f'xmlns:{prefix}="{TPX_NAMESPACES[version]}"' in text
    assert f"<{prefix}:hr>120</{prefix}:hr>" in text
    pts = gpxpy.parse(text).tracks[0].segments[0].points
    assert [p.latitude for p in pts] == [47.1, 47.10001, 47.10003]
    assert [p.elevation for p in pts] == [410.0, 410.3, None]
    assert [p.time for p in pts] == [
        datetime(2026, 9, 7, 6, 30, s, tzinfo=timezone.utc) for s in (0, 1, 3)
    ]
    exts = [ext_values(p, version) for p in pts]
    # cad = steps/min / 2 rounded: 82, 85.5 -> 86 (half to even), 85
    assert [e["cad"] for e in exts] == ["82", "86", "85"]
    assert [e.get("hr") for e in exts] == ["120", "122", None]
    assert exts[0]["atemp"] == "18.0"
    assert ("speed" in exts[0]) == (version == 2)
    if version == 2:
        assert [e["speed"] for e in exts] == ["2.900", "3.050", "3.100"]
        assert list(exts[0]) == ["atemp", "hr", "cad", "speed"]  # schema order


def test_steps_convention_and_millis():
    text = to_gpx(known_run(), cadence="steps", millis=True)
    assert "<gpxtpx:cad>164</gpxtpx:cad>" in text
    assert "<time>2026-09-07T06:30:00.000Z</time>" in text


def test_segments_split_at_pauses(tmp_path):
    run = simulate_run(seed=4, duration_s=600, pauses=[SimPause(200, 260)], smart_recording=True)
    write_gpx(tmp_path / "r.gpx", run, split_segments=True)
    gpx = gpxpy.parse((tmp_path / "r.gpx").read_text(encoding="utf-8"))
    segs = gpx.tracks[0].segments
    assert len(segs) == 2
    assert segs[0].points[-1].time.timestamp() - DEFAULT_START.timestamp() == 200
    assert segs[1].points[0].time.timestamp() - DEFAULT_START.timestamp() == 260
    assert sum(len(s.points) for s in segs) == len(run)
    ET.fromstring(to_gpx(run))  # well-formed XML


def test_needs_gps():
    with pytest.raises(ValueError, match="lat/lon"):
        to_gpx(simulate_run(seed=1, duration_s=60, gps=False))
