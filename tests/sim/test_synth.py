"""runlens.sim.synth: determinism, physical ranges, pauses, summaries, injected patterns."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runlens.sim.synth import (
    DEFAULT_RUNNER,
    DEFAULT_START,
    PATTERN_KINDS,
    Pattern,
    SimPause,
    from_columns,
    simulate_history,
    simulate_run,
    watch_summary,
)

R = DEFAULT_RUNNER


def cadence_ratio(run, mask):
    """Cadence over the runner's cadence model at the same speed (1.0 = normal form)."""
    model = R.cadence_a + R.cadence_b * run["speed"]
    return float(np.mean(run["cadence"][mask] / model[mask]))


def test_same_seed_same_arrays_other_seed_differs():
    a, b, c = (simulate_run(seed=s, duration_s=900, smart_recording=True) for s in (3, 3, 4))
    assert a.columns.keys() == b.columns.keys()
    assert all(np.array_equal(a[k], b[k]) for k in a.columns)
    assert not np.array_equal(a["heart_rate"][:50], c["heart_rate"][:50])


def test_identities_and_ranges():
    run = simulate_run(seed=1, duration_s=3600, power=True)
    v, cad = run["speed"], run["cadence"]
    assert np.allclose(run["step_length"], v * 60 / cad)
    assert np.allclose(
        run["vertical_ratio"], run["vertical_oscillation"] / run["step_length"] * 100
    )
    assert np.allclose(run["stance_time_percent"], run["stance_time"] * cad / 120 * 100)
    assert np.all(np.diff(run["distance"]) >= 0) and np.all(np.diff(run.t) > 0)
    assert 150 < cad.min() and cad.max() < 185  # the warm-up starts at 85 % of easy pace
    assert 0.20 < run["stance_time"].min() and run["stance_time"].max() < 0.30
    assert 0.07 < run["vertical_oscillation"].min() and run["vertical_oscillation"].max() < 0.10
    assert abs(np.mean(run["stance_time_balance"]) - 50) < 0.3
    assert R.rest_hr <= run["heart_rate"].min() and run["heart_rate"].max() <= R.max_hr


@pytest.mark.parametrize(("speed", "spm"), [(2.5, 160), (5.0, 185)])
def test_cadence_rises_with_speed(speed, spm):
    run = simulate_run(seed=2, duration_s=1200, speed=speed, warmup_s=0)
    # Hills change speed, so compare at the speeds actually run: the model is 135 + 10 v.
    assert abs(np.mean(run["cadence"]) - (135 + 10 * np.mean(run["speed"]))) < 1.0
    assert abs(np.mean(run["cadence"]) - spm) < 6


def test_warmup_is_easier_and_heart_rate_follows_effort():
    run = simulate_run(seed=3, duration_s=2400, warmup_s=600)
    first, later = run.t < 300, (run.t > 900) & (run.t < 2100)
    assert np.mean(run["speed"][first]) < 0.93 * np.mean(run["speed"][later])
    assert np.mean(run["heart_rate"][first]) < np.mean(run["heart_rate"][later]) - 10
    nw = simulate_run(seed=3, duration_s=2400, patterns=[Pattern("no_warmup", 0, 0)])
    assert nw.pattern("no_warmup").end_s == 600
    assert np.mean(nw["speed"][first]) > np.mean(run["speed"][first])


def test_intervals_alternate():
    run = simulate_run(seed=5, duration_s=3000, kind="intervals")
    work = (run.t >= 630) & (run.t < 750)  # inside rep 1 (600-780 s at 1.07 x threshold)
    rest = (run.t >= 810) & (run.t < 870)  # inside its recovery (780-900 s)
    assert np.mean(run["speed"][work]) > 1.3 * np.mean(run["speed"][rest])


def test_pauses_have_no_samples_and_no_distance():
    run = simulate_run(seed=6, duration_s=1500, pauses=[SimPause(500, 560), SimPause(1000, 1030)])
    t = run.t
    assert not np.any((t > 500) & (t < 560)) and not np.any((t > 1000) & (t < 1030))
    i, j = np.searchsorted(t, [500, 560])
    assert t[i] == 500 and t[j] == 560 and run["distance"][i] == run["distance"][j]
    assert run.session.total_timer_time == 1500 - 90
    assert run.session.total_elapsed_time == 1500


def test_smart_recording_gaps():
    run = simulate_run(seed=7, duration_s=3600, smart_recording=True, pauses=[SimPause(1000, 1100)])
    gaps = np.diff(run.t)
    gaps = gaps[~((run.t[:-1] == 1000) & (run.t[1:] == 1100))]
    assert gaps.min() >= 1 and gaps.max() <= 7
    assert 3600 / 7 < len(run) < 3600 / 2


def test_watch_summary_hand_computation():
    t = np.array([0, 1, 2, 4, 10, 11.0])
    hr = np.array([100, 110, 120, 130, 90, 100.0])
    dist = np.array([0, 3, 6, 12, 12, 15.0])
    # Hold times 1, 1, 2, 0 (timer stops at 4), 1, 0 (end).
    s = watch_summary(t, {"heart_rate": hr, "distance": dist}, [SimPause(4, 10)])
    assert (s.total_timer_time, s.total_elapsed_time, s.total_distance) == (5, 11, 15)
    assert s.avg_heart_rate == pytest.approx(540 / 5)
    assert s.max_heart_rate == 130 and s.avg_speed == 3.0
    # A window [1, 10.5]: weights 0, 1, 2, 0, 0.5, 0.
    w = watch_summary(t, {"heart_rate": hr, "distance": dist}, [SimPause(4, 10)], 1.0, 10.5)
    assert w.total_timer_time == 3.5
    assert w.avg_heart_rate == pytest.approx((110 + 2 * 120 + 0.5 * 90) / 3.5)
    assert w.total_distance == pytest.approx(13.5 - 3)
    # NaN samples drop out of the average, not out of the timer.
    s2 = watch_summary(t, {"heart_rate": np.where(t == 2, np.nan, hr)}, [SimPause(4, 10)])
    assert s2.avg_heart_rate == pytest.approx((100 + 110 + 90) / 3)
    assert s2.total_timer_time == 5


def test_laps_tile_the_session():
    run = simulate_run(
        seed=8,
        duration_s=2000,
        pauses=[SimPause(700, 760)],
        smart_recording=True,
        lap_distance_m=1000,
        lap_times_s=[1234],
    )
    laps = run.laps
    assert laps[0].start_s == 0 and laps[-1].end_s == run.t[-1]
    assert all(a.end_s == b.start_s for a, b in zip(laps, laps[1:], strict=False))
    assert sum(lap.total_timer_time for lap in laps) == pytest.approx(run.session.total_timer_time)
    assert sum(lap.total_distance for lap in laps) == pytest.approx(run.session.total_distance)
    d_end = np.interp([lap.end_s for lap in laps], run.t, run["distance"])
    auto = [i for i, lap in enumerate(laps) if lap.trigger == 2]
    for k, i in enumerate(auto, start=1):  # a distance lap ends at the first sample past k km
        j = np.searchsorted(run.t, laps[i].end_s)
        assert d_end[i] >= 1000 * k > run["distance"][j - 1]
    assert [lap.trigger for lap in laps].count(0) == 1 and laps[-1].trigger == 7
    assert 1234 <= laps[[lap.trigger for lap in laps].index(0)].end_s <= 1241


def steady(run, lo, hi):
    return (run.t >= lo) & (run.t < hi)


def test_overstride_window():
    run = simulate_run(seed=9, duration_s=3600, patterns=[Pattern("overstride", 1500, 2100)])
    p = run.pattern("overstride")
    assert (p.start_s, p.end_s, p.magnitude) == (1500, 2100, PATTERN_KINDS["overstride"][0])
    inside = p.contains(run.t)
    assert abs(cadence_ratio(run, inside) - 0.91) < 0.005
    assert abs(cadence_ratio(run, steady(run, 700, 1400)) - 1.0) < 0.005
    assert abs(cadence_ratio(run, steady(run, 2200, 3600)) - 1.0) < 0.005
    # Longer steps at the same speed.
    step_model = run["speed"] * 60 / (R.cadence_a + R.cadence_b * run["speed"])
    assert abs(np.mean(run["step_length"][inside] / step_model[inside]) - 1 / 0.91) < 0.01


def test_long_contact_imbalance_walk_rearfoot():
    pats = [
        Pattern("long_contact", 600, 900),
        Pattern("gct_imbalance", 1000, 1300),
        Pattern("walk", 1400, 1500),
        Pattern("rearfoot", 1600, 1900),
    ]
    run = simulate_run(seed=10, duration_s=2400, patterns=pats)
    t, v = run.t, run["speed"]
    gct_model = R.gct_a - R.gct_b * v
    lc = run.pattern("long_contact").contains(t)
    assert abs(np.mean(run["stance_time"][lc] / gct_model[lc]) - 1.15) < 0.01
    assert abs(cadence_ratio(run, lc) - 0.94) < 0.005
    gi = run.pattern("gct_imbalance").contains(t)
    assert abs(np.mean(run["stance_time_balance"][gi]) - 54) < 0.3
    assert abs(np.mean(run["stance_time_balance"][steady(run, 1300, 2400)]) - 50) < 0.3
    wk = run.pattern("walk").contains(t)
    assert np.allclose(v[wk], 1.5) and np.all(run["cadence"][wk] < 130)
    rf = run.pattern("rearfoot").contains(t)
    assert set(np.unique(run["foot_strike"][rf])) <= {1, 2, 3, 4, 5}
    assert set(np.unique(run["foot_strike"][~rf])) <= {7, 8, 9}


def test_fade_in_last_third_at_matched_pace():
    run = simulate_run(
        seed=12, duration_s=3600, kind="long", patterns=[Pattern("fade", 2400, 3600)]
    )
    late = steady(run, 2800, 3600)  # after the 400 s ramp-in
    early = steady(run, 900, 2400)
    assert abs(cadence_ratio(run, late) - 0.95) < 0.005
    gct_model = R.gct_a - R.gct_b * run["speed"]
    ratio = run["stance_time"] / gct_model
    assert np.mean(ratio[late]) - np.mean(ratio[early]) == pytest.approx(0.08, abs=0.01)
    vo_model = R.vo + 0.004 * (run["speed"] - 3)
    vo_ratio = run["vertical_oscillation"] / vo_model
    assert np.mean(vo_ratio[late]) - np.mean(vo_ratio[early]) == pytest.approx(0.08, abs=0.01)


def test_pause_outside_the_run_is_refused():
    with pytest.raises(ValueError, match="pauses"):
        simulate_run(duration_s=120, pauses=[SimPause(100, 130)])
    with pytest.raises(ValueError, match="pauses"):
        simulate_run(duration_s=600, pauses=[SimPause(100, 130), SimPause(120, 140)])


def test_unknown_pattern_and_kind():
    with pytest.raises(ValueError):
        simulate_run(patterns=[Pattern("heelstrike", 0, 10)])
    with pytest.raises(ValueError):
        simulate_run(kind="marathon")


def test_from_columns_validates():
    with pytest.raises(ValueError):
        from_columns({"t": [0, 1, 1]}, start=DEFAULT_START)
    with pytest.raises(ValueError):
        from_columns({"t": [0, 1, 2], "heart_rate": [1, 2]}, start=DEFAULT_START)
    with pytest.raises(ValueError):
        from_columns({"t": [0, 1]}, start=DEFAULT_START.replace(tzinfo=None))


def test_history():
    runs = simulate_history(seed=1, first_day=date(2026, 7, 27), weeks=6, smart_recording=True)
    again = simulate_history(seed=1, first_day=date(2026, 7, 27), weeks=6, smart_recording=True)
    assert [r.start for r in runs] == [r.start for r in again]
    assert all(
        np.array_equal(a["heart_rate"], b["heart_rate"]) for a, b in zip(runs, again, strict=True)
    )
    days = [r.local_start.date() for r in runs]
    assert days == sorted(days) and len(set(days)) == len(days)
    for week in range(6):
        monday = date(2026, 7, 27) + timedelta(weeks=week)
        wk = [r for r in runs if monday <= r.local_start.date() < monday + timedelta(days=7)]
        assert 3 <= len(wk) <= 5
        assert [r.kind for r in wk].count("long") == 1
        assert {"tempo", "intervals"} & {r.kind for r in wk}
    longs = [r.session.total_timer_time for r in runs if r.kind == "long"]
    assert longs == sorted(longs)


@given(
    seed=st.integers(0, 2**16),
    duration=st.integers(200, 1800),
    smart=st.booleans(),
    pause_at=st.integers(30, 100),
    pause_len=st.integers(1, 90),
)
@settings(max_examples=25, deadline=None)
def test_invariants(seed, duration, smart, pause_at, pause_len):
    run = simulate_run(
        seed=seed,
        duration_s=duration,
        smart_recording=smart,
        pauses=[SimPause(pause_at, pause_at + pause_len)],
    )
    assert np.all(np.diff(run["distance"]) >= 0)
    assert np.all(np.diff(run.t) > 0)
    assert run.session.total_timer_time == pytest.approx(duration - pause_len)
    assert sum(lap.total_timer_time for lap in run.laps) == pytest.approx(
        run.session.total_timer_time
    )


def test_breathing_is_cadence_over_steps_per_breath_and_changes_nothing_else():
    plain = simulate_run(seed=11, duration_s=1200, smart_recording=True)
    run = simulate_run(seed=11, duration_s=1200, smart_recording=True, respiration=True)
    assert all(np.array_equal(plain[k], run[k]) for k in plain.columns)
    spb = run["cadence"] / run["respiration_rate"]
    assert abs(float(np.mean(spb)) - R.steps_per_breath) < 0.05
    assert float(np.std(spb)) < 0.2


def test_fast_breathing_pattern_ramps_to_its_magnitude_at_the_same_pace():
    run = simulate_run(seed=12, duration_s=3600, patterns=[Pattern("fast_breathing", 1500, 3600)])
    spb = run["cadence"] / run["respiration_rate"]
    t = run.t
    assert abs(float(np.mean(spb[t < 1500])) - 4.5) < 0.05
    assert abs(float(np.mean(spb[t >= 2200])) - 3.0) < 0.05
    ramp = (t >= 1500) & (t < 2200)
    assert 3.0 < float(np.mean(spb[ramp])) < 4.5
