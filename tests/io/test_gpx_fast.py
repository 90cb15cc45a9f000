"""The fast GPX reader against gpxpy (the reference) on files with known content."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pandas as pd
import pytest

from runlens import read
from runlens.errors import CorruptFileError, UnsupportedFormatError
from runlens.io.gpx import FastGpxRefused
from runlens.sim.gpxwrite import to_gpx
from runlens.sim.synth import simulate_run
from tests.io.parity import activity_diffs

START = datetime(2026, 9, 7, 6, 30, tzinfo=timezone.utc)


def _same(data: bytes):
    fast = read(data, reader="fast")
    ref = read(data, reader="gpxpy")
    assert fast.source.reader == "runlens-gpx" and ref.source.reader == "gpxpy"
    assert activity_diffs(fast, ref) == []
    return fast


def _gpx(points: str, *, version="1.1", head="", ns='xmlns="http://www.topografix.com/GPX/1/1"'):
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="{version}" creator="t" {ns} '
        'xmlns:tp="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
        f"{head}<trk><type>running</type><trkseg>{points}</trkseg></trk></gpx>"
    ).encode()


@pytest.mark.parametrize(
    "kw",
    [
        {"version": 1},
        {"version": 2, "prefix": "ns3"},
        {"version": 2, "cadence": "steps"},
    ],
)
def test_written_runs_equal_gpxpy_and_the_known_values(kw):
    run = simulate_run(seed=5, duration_s=600, start=START)
    a = _same(to_gpx(run, **kw).encode())
    c = run.columns
    assert len(a.records) == len(c["t"])
    assert a.records.index[0] == pd.Timestamp(START)
    # hr is written as a whole number; cad as strides (or steps) per minute
    assert np.array_equal(a.records["heart_rate_bpm"].to_numpy(), np.round(c["heart_rate"]))
    spm = a.records["cadence_spm"].to_numpy()
    assert np.all(np.abs(spm - c["cadence"]) <= 2.0)
    if kw["version"] == 2:
        assert np.allclose(a.records["speed_m_s"].to_numpy(), c["speed"], atol=5e-4)


def test_time_zones_fractions_and_order():
    pts = (
        '<trkpt lat="47.0" lon="8.0"><time>2026-09-07T08:30:01.5+02:00</time></trkpt>'
        '<trkpt lat="47.1" lon="8.1"><time>2026-09-07T06:30:00.123456789Z</time></trkpt>'
        '<trkpt lat="47.2" lon="8.2"><time>2026-09-07T06:30:03-00:00</time></trkpt>'
    )
    a = _same(_gpx(pts))
    # UTC, in time order, fraction truncated to microseconds as gpxpy does
    assert list(a.records.index) == [
        pd.Timestamp("2026-09-07T06:30:00.123456Z"),
        pd.Timestamp("2026-09-07T06:30:01.5Z"),
        pd.Timestamp("2026-09-07T06:30:03Z"),
    ]
    assert a.records["lat_deg"].tolist() == [47.1, 47.0, 47.2]
    assert a.warnings == ["track point times go backwards; points were put in time order"]


def test_missing_values_and_points_without_time():
    pts = (
        '<trkpt lat="47.0" lon="8.0"><ele>400.5</ele><time>2026-09-07T06:30:00Z</time>'
        "<extensions><tp:TrackPointExtension><tp:hr>120</tp:hr></tp:TrackPointExtension>"
        "</extensions></trkpt>"
        '<trkpt lat="47.1" lon="8.1"><time>2026-09-07T06:30:01Z</time></trkpt>'
        '<trkpt lat="47.2" lon="8.2"><ele>401</ele></trkpt>'
        '<trkpt lat="47.3" lon="8.3"><time>2026-09-07T06:30:02Z</time>'
        "<extensions><power>250</power><tp:TrackPointExtension><tp:hr>122</tp:hr>"
        "<tp:cad>85</tp:cad></tp:TrackPointExtension></extensions></trkpt>"
    )
    a = _same(_gpx(pts))
    assert a.records["altitude_m"].tolist()[0] == 400.5
    assert np.isnan(a.records["altitude_m"].tolist()[1])
    assert a.records["heart_rate_bpm"].tolist()[::2] == [120.0, 122.0]
    assert a.records["power_w"].tolist()[2] == 250.0
    assert a.warnings == ["1 of 4 track points have no time and were dropped"]


def test_several_tracks_and_segments_and_strava_type():
    seg = '<trkpt lat="1" lon="2"><time>2026-09-07T06:30:0{}Z</time></trkpt>'
    text = (
        '<?xml version="1.0"?><gpx version="1.1" creator="StravaGPX" '
        'xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><type>9</type><trkseg>{seg.format(0)}</trkseg><trkseg>{seg.format(1)}</trkseg></trk>"
        f"<trk><type>1</type><trkseg>{seg.format(2)}</trkseg></trk></gpx>"
    )
    a = _same(text.encode())
    assert len(a.records) == 3
    assert a.sport == "running" and a.extra["gpx_type"] == "9"


def test_gpx_10_extensions_are_ignored_like_gpxpy():
    pts = (
        '<trkpt lat="47.0" lon="8.0"><time>2026-09-07T06:30:00Z</time><speed>3.1</speed>'
        "<extensions><tp:TrackPointExtension><tp:hr>120</tp:hr></tp:TrackPointExtension>"
        "</extensions></trkpt>"
    )
    a = _same(_gpx(pts, version="1.0", ns='xmlns="http://www.topografix.com/GPX/1/0"'))
    assert "heart_rate_bpm" not in a.records


@pytest.mark.parametrize(
    "point, why",
    [
        ('<trkpt lat="1" lon="2"><time>2026-09-07T06:30:00</time></trkpt>', "time"),
        ('<trkpt lat="1" lon="2"><time>2026-9-7T6:30:00Z</time></trkpt>', "time"),
    ],
)
def test_odd_points_are_left_to_gpxpy(point, why):
    data = _gpx(point)
    with pytest.raises(FastGpxRefused, match=why):
        read(data, reader="fast")
    a = read(data)  # auto: gpxpy reads it (naive time: machine zone, as gpxpy does)
    assert a.source.reader == "gpxpy"
    assert a.extra["reader_note"].startswith("the fast GPX reader did not read it")


def test_a_value_that_is_not_a_number_is_dropped_with_a_warning():
    """Salvage by part (issue 29): an <hr> of "high" costs that value, not the fast reader."""
    data = _gpx(
        '<trkpt lat="1" lon="2"><time>2026-09-07T06:30:00Z</time><extensions>'
        "<tp:TrackPointExtension><tp:hr>high</tp:hr></tp:TrackPointExtension>"
        "</extensions></trkpt>"
    )
    a = read(data, reader="fast")
    assert "heart_rate_bpm" not in a.records
    assert "1 <hr> value(s) not a finite number (e.g. 'high') dropped" in a.warnings


def test_a_file_gpxpy_refuses_gets_gpxpys_verdict():
    data = _gpx('<trkpt lat="x" lon="2"><time>2026-09-07T06:30:00Z</time></trkpt>')
    with pytest.raises(FastGpxRefused, match="latitude"):
        read(data, reader="fast")
    with pytest.raises(CorruptFileError, match="not a valid GPX file"):
        read(data)


def test_unsafe_xml_is_refused_before_parsing():
    bomb = b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaa">]><gpx version="1.1"></gpx>'
    for reader in ("auto", "fast", "gpxpy"):
        with pytest.raises(UnsupportedFormatError, match="DOCTYPE"):
            read(bomb, reader=reader)
