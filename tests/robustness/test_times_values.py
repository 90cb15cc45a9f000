"""Times no clock writes are refused point by point with their real value; one bad value
costs that value, not the file (GPX and TCX built here with exactly that structure)."""

from __future__ import annotations

import pytest

from runlens.cli import main
from tests.robustness.helpers import gpx


def _points(n=600, *, year="2024", off="Z", bad=None):
    out = []
    for i in range(n):
        t = f"{year}-05-01T08:{i // 60:02d}:{i % 60:02d}{off}"
        ele, hr = f"{10 + i * 0.1:.1f}", 150
        if bad and i == bad[0]:
            kind, value = bad[1], bad[2]
            if kind == "time":
                t = value
            elif kind == "ele":
                ele = value
            elif kind == "hr":
                hr = value
        out.append((t, 47.0 + i * 1e-4, 8.0, ele, hr))
    return out


def _tcx(year="2024", bad=None, n=60):
    tps = []
    for i in range(n):
        t = f"{year}-05-01T08:{i // 60:02d}:{i % 60:02d}Z"
        if bad is not None and i == bad[0]:
            t = bad[1]
        tps.append(
            f"<Trackpoint><Time>{t}</Time><Position><LatitudeDegrees>{47 + i * 1e-4}"
            "</LatitudeDegrees><LongitudeDegrees>8</LongitudeDegrees></Position>"
            "<HeartRateBpm><Value>150</Value></HeartRateBpm></Trackpoint>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><TrainingCenterDatabase xmlns="http://www.garmin'
        '.com/xmlschemas/TrainingCenterDatabase/v2"><Activities><Activity Sport="Running">'
        f'<Id>{year}-05-01T08:00:00Z</Id><Lap StartTime="{year}-05-01T08:00:00Z">'
        f"<TotalTimeSeconds>{n - 1}</TotalTimeSeconds><Track>{''.join(tps)}</Track></Lap>"
        "</Activity></Activities></TrainingCenterDatabase>"
    ).encode()


def _analyze(capsys, path, *extra):
    rc = main(["analyze", str(path), "--json", *extra])
    out = capsys.readouterr()
    return rc, out.out, out.err


def _json(out):
    import json

    return json.loads(out)


@pytest.mark.parametrize("off", ["+24:00", "-25:30", "+14:30"])
def test_one_point_with_an_impossible_offset_loses_only_its_time(tmp_path, capsys, off):
    f = tmp_path / "off.gpx"
    f.write_bytes(gpx(_points(bad=(5, "time", f"2024-05-01T08:00:05{off}"))))
    rc, out, err = _analyze(capsys, f)
    assert rc == 0, err  # before: exit 70 (+24:00) or a silently shifted point
    doc = _json(out)
    w = [x for x in doc["warnings"] if "UTC offset beyond +-14:00" in x]
    assert w == [f"1 track point(s) with a UTC offset beyond +-14:00 "
                 f"(e.g. '2024-05-01T08:00:05{off}') lost their time and were dropped"]
    assert not any("have no time" in x for x in doc["warnings"])  # counted once, truly


def test_all_points_with_impossible_offsets_is_one_error_line(tmp_path, capsys):
    f = tmp_path / "alloff.gpx"
    f.write_bytes(gpx(_points(30, off="+24:00")))
    rc, out, err = _analyze(capsys, f)
    assert rc == 1 and err.count("\n") == 1
    assert err.startswith(f"runlens: error: {f}: GPX track of 30 points without a usable")
    assert "+24:00" in err


@pytest.mark.parametrize("year", ["2608", "9999", "0001"])
def test_dates_beyond_int64_are_refused_with_their_real_value(tmp_path, capsys, year):
    f = tmp_path / f"y{year}.gpx"
    f.write_bytes(gpx(_points(30, year=year)))
    rc, out, err = _analyze(capsys, f)
    # before: 2608 read as 2023-12-10 without a word; 9999 shown as 1816, 0001 as 1754
    assert rc == 1 and err.count("\n") == 1, err
    assert f"dated outside 1678-2261 (e.g. '{year}-05-01T08:00:00Z')" in err


def test_tcx_dated_2608_is_refused_with_its_value(tmp_path, capsys):
    f = tmp_path / "y2608.tcx"
    f.write_bytes(_tcx("2608"))
    rc, out, err = _analyze(capsys, f)
    assert rc == 1 and err.count("\n") == 1
    assert "'2608-05-01T08:00:00Z'" in err


def test_tcx_one_point_with_offset_25h_loses_only_its_time(tmp_path, capsys):
    f = tmp_path / "off.tcx"
    f.write_bytes(_tcx(bad=(3, "2024-05-01T08:00:03+25:00")))
    rc, out, err = _analyze(capsys, f)
    assert rc == 0, err
    doc = _json(out)
    assert any("1 trackpoint(s) with a UTC offset beyond +-14:00" in w for w in doc["warnings"])
    assert not any("have no time" in w for w in doc["warnings"])


def test_one_bad_ele_drops_that_value_not_the_file(tmp_path, capsys):
    f = tmp_path / "ele.gpx"
    f.write_bytes(gpx(_points(600, bad=(300, "ele", "10,5"))))
    rc, out, err = _analyze(capsys, f)
    assert rc == 0, err  # before: the whole 600-point file refused
    doc = _json(out)
    assert "1 <ele> value(s) not a finite number (e.g. '10,5') dropped" in doc["warnings"]


def test_nan_heart_rate_is_dropped_with_a_warning(tmp_path, capsys):
    f = tmp_path / "nan.gpx"
    f.write_bytes(gpx(_points(600, bad=(10, "hr", "NaN"))))
    rc, out, err = _analyze(capsys, f)
    assert rc == 0, err
    doc = _json(out)
    assert any("<hr> value(s) not a finite number (e.g. 'NaN')" in w for w in doc["warnings"])


@pytest.mark.parametrize("enc", ["utf-16", "utf-16-be", "utf-32"])
def test_gpx_saved_as_utf16_or_32_is_read(tmp_path, capsys, enc):
    text = gpx(_points(60)).decode().replace('encoding="UTF-8"', f'encoding="{enc.upper()}"')
    raw = text.encode(enc)
    if enc == "utf-16-be":
        raw = b"\xfe\xff" + raw
    f = tmp_path / "wide.gpx"
    f.write_bytes(raw)
    rc, out, err = _analyze(capsys, f)
    assert rc == 0, err  # before: "not a FIT, GPX or TCX file (... no XML)"
    assert _json(out)["format"] == "gpx"


def test_unreadable_times_are_not_called_missing(tmp_path, capsys):
    f = tmp_path / "words.gpx"
    f.write_bytes(gpx([("yesterday morning", 47.0 + i * 1e-4, 8.0, 10, 150) for i in range(20)]))
    rc, out, err = _analyze(capsys, f)
    assert rc == 1 and err.count("\n") == 1
    # before: "GPX track of 20 points without any timestamps"
    assert "20 points whose times cannot be read (e.g. 'yesterday morning')" in err
