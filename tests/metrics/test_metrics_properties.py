"""Invariants of the metrics layer (hypothesis)."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runlens.metrics import (
    activity_metrics,
    km_splits,
    lap_metrics,
    rolling,
    sample_frame,
    session_metrics,
    steady_mask,
    summarize,
)

from .helpers import make_activity

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def activities(draw):
    n = draw(st.integers(3, 120))
    gaps = draw(
        st.lists(st.sampled_from([1.0, 1.0, 2.0, 5.0, 9.0, 70.0]), min_size=n - 1, max_size=n - 1)
    )
    t = np.r_[0.0, np.cumsum(gaps)]
    speed = np.array(draw(st.lists(st.floats(0, 7), min_size=n, max_size=n)))
    # a device distance channel with glitches (a drop, a gap)
    dist = np.cumsum(speed * np.r_[0.0, gaps])
    if draw(st.booleans()):
        dist[n // 2] = dist[n // 2] * 0.5
    if draw(st.booleans()):
        dist[1] = np.nan
    cad = np.array(
        draw(st.lists(st.sampled_from([0.0, 120.0, 165.0, 180.0]), min_size=n, max_size=n))
    )
    cols = {"speed_m_s": speed, "cadence_spm": cad}
    if draw(st.booleans()):
        cols["distance_m"] = dist
        fmt = "fit"
    else:
        cols["lat_deg"] = 45 + dist / 111_195.0
        cols["lon_deg"] = np.full(n, 7.0)
        fmt = draw(st.sampled_from(["fit", "gpx"]))
    pauses = []
    if n > 6 and draw(st.booleans()):
        a, b = t[n // 3], t[n // 3 + 2]
        pauses = [(a + 0.5, b - 0.5)] if b - a > 1 else []
    return make_activity(t, fmt=fmt, pauses=pauses, laps=[0.0, float(t[n // 2])], **cols)


@SETTINGS
@given(activities())
def test_distance_never_decreases(a):
    f = sample_frame(a)
    d = f["distance_m"].to_numpy()
    assert (np.diff(d) >= 0).all()
    sp = km_splits(a)
    if not sp.empty:
        assert (sp["split_timer_s"] >= -1e-9).all()


@SETTINGS
@given(activities())
def test_moving_le_timer_le_elapsed(a):
    for m in [activity_metrics(a), *session_metrics(a), *lap_metrics(a).to_dict("records")]:
        assert m["elapsed_s"] >= 0
        assert m["timer_s"] <= m["elapsed_s"] + 1e-9
        # a lap table holds NaN where a lap has no speed channel value
        if m.get("moving_s") is not None and np.isfinite(m["moving_s"]):
            assert m["moving_s"] <= m["timer_s"] + 1e-9
        assert m["running_s"] <= m["timer_s"] + 1e-9


@SETTINGS
@given(
    st.floats(150, 200),
    st.floats(1.0, 6.0),
    st.lists(st.integers(0, 1000), min_size=1, max_size=200),
)
def test_averages_invariant_to_resampling_constant_signal(cadence, speed, drop):
    t = np.arange(0, 1001, dtype=float)
    keep = np.ones(t.size, dtype=bool)
    keep[np.array(drop)] = False
    keep[[0, -1]] = True
    full = dict(
        speed_m_s=np.full(t.size, speed),
        cadence_spm=np.full(t.size, cadence),
        vertical_oscillation_mm=np.full(t.size, 80.0),
        heart_rate_bpm=np.full(t.size, 150.0),
    )
    a = make_activity(t, **full)
    b = make_activity(t[keep], **{k: v[keep] for k, v in full.items()})
    sa, sb = summarize(a), summarize(b)
    for k in (
        "cadence_spm",
        "step_length_m",
        "vertical_oscillation_mm",
        "vertical_ratio_pct",
        "heart_rate_bpm",
    ):
        assert np.isclose(sa[k], sb[k], rtol=1e-9), k
    assert np.isclose(sa["cadence_spm"], cadence)
    assert np.isclose(sa["timer_s"], sb["timer_s"])


@SETTINGS
@given(
    st.lists(st.sampled_from([1, 2]), min_size=2, max_size=40),
    st.lists(st.integers(1, 30), min_size=40, max_size=40),
)
def test_smart_recording_equals_1hz_for_piecewise_constant(steps, lengths):
    # 1 Hz recording vs one record at the end of each constant stretch
    # (consecutive stretches differ, each shorter than a dropout).
    levels = np.array([160.0, 170.0, 185.0])[np.cumsum(steps) % 3]
    vals = np.concatenate([np.full(n, v) for v, n in zip(levels, lengths)])
    vals = np.r_[vals[0], vals]
    t = np.arange(vals.size, dtype=float)
    last = np.r_[True, vals[1:-1] != vals[2:], True] if vals.size > 2 else np.ones(vals.size, bool)
    a = make_activity(t, cadence_spm=vals, speed_m_s=np.full(t.size, 3.0))
    b = make_activity(t[last], cadence_spm=vals[last], speed_m_s=np.full(last.sum(), 3.0))
    assert np.isclose(summarize(a)["cadence_spm"], summarize(b)["cadence_spm"])


@SETTINGS
@given(activities())
def test_metrics_never_mutate_input(a):
    before = copy.deepcopy(a)
    summarize(a)
    activity_metrics(a)
    session_metrics(a)
    lap_metrics(a)
    km_splits(a)
    rolling(a, "30s")
    steady_mask(a)
    pd.testing.assert_frame_equal(a.records, before.records)
    assert a.sessions == before.sessions and a.laps == before.laps and a.pauses == before.pauses
    assert a.records.index.equals(before.records.index)
