"""Metrics on activities with a known answer (hand-computed)."""

from __future__ import annotations

import numpy as np
import pytest

from runlens.metrics import (
    activity_metrics,
    ascent_descent,
    grade_pct,
    km_splits,
    lap_metrics,
    rolling,
    steady_mask,
    summarize,
)
from runlens.metrics.samples import MOVING_SPEED_M_S, sample_frame

from .helpers import make_activity, steady_run


def test_constant_run_summary():
    a = steady_run(1800, speed=3.0, cadence=170.0)
    s = summarize(a)
    assert s["distance_m"] == pytest.approx(5400.0)
    assert s["elapsed_s"] == s["timer_s"] == s["moving_s"] == pytest.approx(1800.0)
    assert s["avg_speed_m_s"] == pytest.approx(3.0)
    assert s["cadence_spm"] == pytest.approx(170.0)
    # step length derived: speed x 60 / cadence
    assert s["step_length_m"] == pytest.approx(3.0 * 60 / 170.0)
    assert s["ascent_m"] == 0.0


def test_pause_is_excluded_from_timer_and_distance_gap():
    t = np.r_[np.arange(0, 601), np.arange(900, 1501)].astype(float)
    a = make_activity(
        t,
        pauses=[(600, 900)],
        distance_m=3.0 * np.minimum(t, 600) + 3.0 * np.clip(t - 900, 0, None),
        speed_m_s=np.full(t.size, 3.0),
    )
    s = summarize(a)
    assert s["elapsed_s"] == pytest.approx(1500.0)
    assert s["timer_s"] == pytest.approx(1200.0)
    assert s["moving_s"] == pytest.approx(1200.0)
    assert s["distance_m"] == pytest.approx(3600.0)


def test_gpx_timer_is_sum_of_gaps_without_dropouts():
    # 1 Hz for 600 s, a 300 s hole (no timer events in GPX), 1 Hz for 600 s.
    t = np.r_[np.arange(0, 601), np.arange(900, 1501)].astype(float)
    lat = 45.0 + np.r_[np.arange(601), 600 + np.arange(601)] * 2.7e-5  # ~3 m/s north
    a = make_activity(t, fmt="gpx", lat_deg=lat, lon_deg=np.full(t.size, 7.0))
    s = summarize(a)
    assert s["timer_s"] == pytest.approx(1200.0)
    assert s["elapsed_s"] == pytest.approx(1500.0)
    assert s["distance_m"] == pytest.approx(1201 * 2.7e-5 * np.pi / 180 * 6371008.8, rel=0.01)


def test_gps_spike_does_not_add_distance_or_speed():
    t = np.arange(0, 301, dtype=float)
    lat = 45.0 + t * 2.7e-5
    lat[150] += 0.01  # a 1.1 km jump and back
    a = make_activity(t, fmt="gpx", lat_deg=lat, lon_deg=np.full(t.size, 7.0))
    f = sample_frame(a)
    assert f["speed_m_s"].max() < 3.5
    assert summarize(a)["distance_m"] == pytest.approx(
        300 * 2.7e-5 * np.pi / 180 * 6371008.8, rel=0.02
    )


def test_device_values_preferred_and_vertical_ratio_derived():
    a = steady_run(
        600,
        speed=3.0,
        cadence=180.0,
        step_length_m=np.full(601, 1.1),
        vertical_oscillation_mm=np.full(601, 88.0),
    )
    s = summarize(a)
    assert s["step_length_m"] == pytest.approx(1.1)
    assert s["vertical_ratio_pct"] == pytest.approx(88.0 / 1100.0 * 100)
    m = activity_metrics(a)
    assert m["stride_length_m"] == pytest.approx(2.2)


def test_zeros_are_missing_and_walking_excluded_from_running_average():
    # 10 min running at 170 spm, 5 min walking at 120 spm, 1 min standing (0).
    cad = np.r_[np.full(600, 170.0), np.full(300, 120.0), np.full(61, 0.0)]
    speed = np.r_[np.full(600, 3.0), np.full(300, 1.4), np.full(61, 0.0)]
    t = np.arange(cad.size, dtype=float)
    a = make_activity(t, speed_m_s=speed, cadence_spm=cad, distance_m=np.cumsum(speed))
    m = activity_metrics(a)
    assert m["run_cadence_spm"] == pytest.approx(170.0)
    # the watch-comparable average keeps walking, drops zeros (first sample has no duration)
    assert m["cadence_spm"] == pytest.approx((599 * 170 + 300 * 120) / 899)
    assert m["moving_s"] == pytest.approx(899.0)
    assert m["running_s"] == pytest.approx(599.0)


def test_time_weighting_smart_recording():
    # 170 spm for 100 s recorded every second, then 180 for 50 s in one record.
    t = np.r_[np.arange(0, 101), 150].astype(float)
    cad = np.r_[np.full(101, 170.0), 180.0]
    a = make_activity(t, cadence_spm=cad, speed_m_s=np.full(t.size, 3.0))
    assert summarize(a)["cadence_spm"] == pytest.approx((100 * 170 + 50 * 180) / 150)


def test_ascent_hysteresis_and_grade():
    assert ascent_descent(np.array([0, 2, 1, 2.5, 0, 2.9])) == (0.0, 0.0)
    assert ascent_descent(np.array([0, 5, 4, 9, 3.0])) == (9.0, 6.0)
    assert ascent_descent(np.array([0, 10, 0.0]), hysteresis_m=20) == (0.0, 0.0)
    d = np.arange(0, 1001, 5.0)
    g = grade_pct(0.04 * d, d, window_m=50)
    assert np.nanmin(g) == pytest.approx(4.0) and np.nanmax(g) == pytest.approx(4.0)


def test_km_splits_constant_speed():
    a = steady_run(1800, speed=4.0)  # 7.2 km
    sp = km_splits(a)
    assert len(sp) == 8
    assert sp["complete"].tolist() == [True] * 7 + [False]
    np.testing.assert_allclose(sp["split_timer_s"].to_numpy()[:7], 250.0)
    assert sp["split_timer_s"].sum() == pytest.approx(1800.0)
    assert sp["end_m"].iloc[-1] == pytest.approx(7200.0)


def test_laps():
    a = make_activity(
        np.arange(0, 1201, dtype=float),
        laps=[0, 600],
        distance_m=np.r_[3.0 * np.arange(601), 1800 + 4.0 * np.arange(1, 601)],
        speed_m_s=np.r_[np.full(601, 3.0), np.full(600, 4.0)],
    )
    laps = lap_metrics(a)
    assert laps["distance_m"].tolist() == pytest.approx([1800.0, 2400.0])
    assert laps["timer_s"].tolist() == pytest.approx([600.0, 600.0])


def test_steady_mask_rules():
    n = 1801
    t = np.arange(n, dtype=float)
    speed = np.where(t < 1200, 3.0, 1.5)  # slow after 20 min
    alt = np.where(t < 900, 100.0, 100.0 + 0.1 * (t - 900))  # 3.3 % grade after 15 min at 3 m/s
    a = make_activity(
        t,
        speed_m_s=speed,
        distance_m=np.cumsum(speed),
        altitude_m=alt,
        cadence_spm=np.full(n, 170.0),
    )
    m = steady_mask(a)
    assert m.shape == (n,)
    assert not m[:600].any()  # warm-up
    assert m[650:850].all()  # steady, flat
    assert not m[1000:1150].any()  # climbing at 3.3 %
    assert not m[1250:].any()  # below 2 m/s


def test_rolling_window_means():
    # cadence 160 for 5 min then 180: a 30 s trailing mean crosses over in 30 s.
    n = 601
    t = np.arange(n, dtype=float)
    cad = np.where(t <= 300, 160.0, 180.0)
    a = make_activity(t, speed_m_s=np.full(n, 3.0), cadence_spm=cad, distance_m=3.0 * t)
    r = rolling(a, "30s")
    assert len(r) == n
    assert r["cadence_spm"].iloc[299] == pytest.approx(160.0)
    assert r["cadence_spm"].iloc[315] == pytest.approx((15 * 160 + 15 * 180) / 30)
    assert r["cadence_spm"].iloc[340] == pytest.approx(180.0)
    r5 = rolling(a, "5min")
    assert r5["cadence_spm"].iloc[600] == pytest.approx(180.0)
    assert r5["running_frac"].iloc[600] == 1.0


def test_moving_threshold_is_30_min_per_mile():
    assert MOVING_SPEED_M_S == pytest.approx(1609.344 / 1800)
