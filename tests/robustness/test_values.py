"""GPX without times, times backwards, repeated timestamps, GPS jumps, absurd values.

Each GPX here is built with a known pattern (a runner heading north at 3 m/s,
1 point per second) and one defect placed at a known point; the tests check
that exactly that defect is dropped and named, and nothing else is touched.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from runlens.errors import CorruptFileError, NoRecordsError
from runlens.io.validate import validate
from runlens.model import Activity, Source

from .helpers import corpus_bytes, gpx, run_points


def test_gpx_without_any_time_is_refused():
    pts = [(None, lat, lon, ele, hr) for _, lat, lon, ele, hr in run_points(20)]
    with pytest.raises(NoRecordsError) as exc:
        validate_read(gpx(pts))
    assert str(exc.value) == "<bytes>: GPX track of 20 points without any timestamps"


def test_gpx_with_some_times_missing_keeps_the_timed_points():
    pts = run_points(20)
    pts[5] = (None, *pts[5][1:])
    act = validate_read(gpx(pts))
    assert len(act.records) == 19
    assert act.warnings == ["1 of 20 track points have no time and were dropped"]


def test_gpx_times_going_backwards_are_put_in_order():
    pts = run_points(30)
    pts[10], pts[20] = pts[20], pts[10]
    act = validate_read(gpx(pts))
    assert act.records.index.is_monotonic_increasing and len(act.records) == 30
    assert any("backwards" in w and "time order" in w for w in act.warnings), act.warnings
    with pytest.raises(CorruptFileError, match="refused \\(strict\\)"):
        validate_read(gpx(pts), strict=True)


def test_repeated_timestamps_are_merged_and_conflicts_named():
    pts = run_points(30)
    pts.insert(11, (pts[10][0], pts[10][1], pts[10][2], pts[10][3], 180.0))  # same second, hr 180
    act = validate_read(gpx(pts))
    assert len(act.records) == 30 and act.records.index.is_unique
    assert act.records["heart_rate_bpm"].iloc[10] == 150.0  # the first value is kept
    assert any(
        w == "1 record(s) repeated an earlier timestamp with 1 conflicting value(s); merged, "
        "keeping the first value"
        for w in act.warnings
    ), act.warnings


def test_identical_repeated_records_merge_silently():
    pts = run_points(30)
    pts.insert(11, pts[10])
    act = validate_read(gpx(pts), strict=True)
    assert len(act.records) == 30 and act.warnings == []


def test_gps_jump_is_dropped_and_named():
    pts = run_points(60)
    t, lat, lon, ele, hr = pts[30]
    pts[30] = (t, lat + 0.05, lon, ele, hr)  # 5.6 km off for one second, then back
    act = validate_read(gpx(pts))
    lat_col = act.records["lat_deg"]
    assert np.isnan(lat_col.iloc[30]) and lat_col.notna().sum() == 59
    assert any("1 GPS jump(s)" in w for w in act.warnings), act.warnings


def test_gps_noise_and_a_real_relocation_are_kept():
    """Jitter of 10 m is not a jump; a gap in recording followed by a new place
    (the watch paused on a train) is not a spike either: it does not come back."""
    pts = run_points(60)
    rng = np.random.default_rng(3)
    pts = [(t, la + rng.normal(0, 1e-4), lo, e, h) for t, la, lo, e, h in pts]
    moved = [(t, la + 0.2, lo, e, h) for t, la, lo, e, h in run_points(30, start_s=600)]
    act = validate_read(gpx(pts + moved), strict=True)
    assert act.records["lat_deg"].notna().all()


@pytest.mark.parametrize(
    "hr, ok",
    [(-5, False), (0, False), (19, False), (20, True), (250, True), (251, False), (255, False)],
)
def test_heart_rate_outside_20_to_250_is_dropped(hr, ok):
    pts = run_points(20)
    pts[7] = (*pts[7][:4], hr)
    act = validate_read(gpx(pts))
    assert np.isnan(act.records["heart_rate_bpm"].iloc[7]) != ok
    assert act.records["heart_rate_bpm"].notna().sum() == 19 + ok
    dropped = [w for w in act.warnings if w.startswith("values dropped as impossible")]
    assert bool(dropped) != ok
    if not ok:
        assert dropped == [
            f"values dropped as impossible: 1 heart_rate_bpm outside 20..250, e.g. {hr}"
        ]


def _activity(cols: dict, sport="running", n=10) -> Activity:
    idx = pd.date_range("2024-05-01 07:00", periods=n, freq="1s", tz="UTC", name="timestamp")
    rec = pd.DataFrame(cols, index=idx)
    return Activity(
        records=rec,
        source=Source("test.fit", "fit", "0" * 64, 1),
        sport=sport,
        start=idx[0],
        developer=pd.DataFrame(index=idx),
    )


def test_negative_and_absurd_values_become_nan_never_numbers():
    good = np.full(10, 3.0)
    cols = {
        "speed_m_s": np.r_[good[:8], -1.0, 20.0],  # negative; 20 m/s on foot
        "cadence_spm": np.r_[np.full(8, 170.0), 300.0, 255.0],
        "altitude_m": np.r_[np.full(9, 300.0), 7.7e8],
        "power_w": np.r_[np.full(9, 250.0), np.inf],
    }
    act = validate(_activity(cols))
    r = act.records
    assert r["speed_m_s"].isna().tolist() == [False] * 8 + [True, True]
    assert r["cadence_spm"].isna().tolist() == [False] * 8 + [True, False]  # 255 <= 260
    assert r["altitude_m"].isna().sum() == 1 and r["power_w"].isna().sum() == 1
    (w,) = act.warnings
    assert w == (
        "values dropped as impossible: 2 speed_m_s outside 0..15, e.g. 20; "
        "1 cadence_spm outside 0..260, e.g. 300; 1 altitude_m outside -500..9000, e.g. "
        "7.7e+08; 1 power_w outside 0..3000"
    )


def test_cycling_keeps_speeds_a_runner_cannot_reach():
    act = validate(_activity({"speed_m_s": np.full(10, 20.0)}, sport="cycling"))
    assert act.records["speed_m_s"].notna().all() and act.warnings == []


def test_garbled_far_dates_are_dropped():
    a = _activity({"speed_m_s": np.full(10, 3.0)})
    idx = a.records.index.tolist()
    idx[4] = pd.Timestamp("2085-12-24 23:21:38", tz="UTC")
    a.records.index = pd.DatetimeIndex(idx, name="timestamp")
    a.developer.index = a.records.index
    act = validate(a)
    assert len(act.records) == 9
    assert act.warnings[0] == (
        "1 record(s) timed at an impossible date or far from the rest (e.g. 2085-12-24 "
        "23:21:38) dropped"
    )


def test_validate_is_idempotent_and_leaves_clean_data_alone():
    a = _activity({"speed_m_s": np.full(10, 3.0), "heart_rate_bpm": np.full(10, 140.0)})
    assert validate(a) is a
    once = validate(_activity({"heart_rate_bpm": np.r_[np.full(9, 140.0), 0.0]}))
    assert validate(once) is once


def test_nothing_plausible_left_is_refused():
    a = _activity({"speed_m_s": np.full(10, 3.0)})
    a.records.index = pd.DatetimeIndex(
        pd.date_range("2150-01-01", periods=10, freq="1s", tz="UTC"), name="timestamp"
    )
    with pytest.raises(
        NoRecordsError, match=r"no record with a plausible timestamp \(all 10 timed"
    ):
        validate(a)


def validate_read(data: bytes, strict: bool = False):
    from .helpers import full_read

    return full_read(data, strict=strict)


def test_read_itself_validates_and_reports_container_notes(tmp_path):
    from runlens.io import read

    pts = run_points(30)
    pts.insert(11, (*pts[10][:4], 180.0))
    assert read(gpx(pts)).records.index.is_unique
    p = tmp_path / "run.fit"
    p.write_bytes(gpx(run_points(5)))
    assert read(p).warnings == ["named .fit but holds GPX; read as GPX"]


def test_fit_system_time_is_kept_with_unknown_date():
    """An old ANT+ device (python-fitparse compressed-speed-distance.fit) stamps
    records with seconds since power-up (FIT raw < 0x10000000), not dates."""
    from .helpers import FILES, full_read

    act = full_read(corpus_bytes(FILES + "compressed-speed-distance.fit"))
    assert len(act.records) == 755
    assert act.records.index[-1] < pd.Timestamp("1978-07-05", tz="UTC")
    assert act.warnings[0].startswith("record times count seconds since the device powered up")
