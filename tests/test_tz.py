"""A run without a time zone takes it from its coordinates (tzfpy, offline)."""

from __future__ import annotations

import datetime as dt

import pytest

from runlens.io import read
from runlens.tz import TZ_FROM_COORDINATES, infer_utc_offset

from .history.gpxgen import gpx_run

pytest.importorskip("tzfpy")


@pytest.mark.parametrize(
    ("month", "offset_h"), [(7, 2), (1, 1)]  # lon 4 E, lat 52 N: Europe/Amsterdam, CEST / CET
)
def test_zone_from_the_first_fix_at_the_start(tmp_path, month, offset_h):
    start = dt.datetime(2024, month, 10, 23, 30, tzinfo=dt.timezone.utc)
    p = tmp_path / "late.gpx"
    p.write_text(gpx_run(start, 5000.0), encoding="utf-8")
    act = read(p)
    assert act.utc_offset_s is None  # GPX times are UTC and say nothing of the zone
    off, said = infer_utc_offset(act)
    assert off == offset_h * 3600
    assert said.startswith(TZ_FROM_COORDINATES) and "Europe/Amsterdam" in said


def test_scanned_late_run_lands_on_its_local_day(tmp_path):
    from runlens.history import Store, build_history, scan

    start = dt.datetime(2024, 7, 10, 23, 30, tzinfo=dt.timezone.utc)  # 01:30 on the 11th locally
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "late.gpx").write_text(gpx_run(start, 5000.0), encoding="utf-8")
    scan(tmp_path / "runs", tmp_path / "s.sqlite", jobs=1)
    with Store(tmp_path / "s.sqlite") as s:
        h = build_history(s)
    assert h.acts["local_date"].iloc[0].date() == dt.date(2024, 7, 11)
    assert h.acts["offset_source"].iloc[0] == "coordinates"
    assert any("first GPS fix" in a for a in h.assumptions)
