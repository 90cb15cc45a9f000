"""Training load (evidence.md section 4) against hand computations and plain loops."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pandas as pd
import pytest

from runlens.config import Config, RunnerProfile
from runlens.load import (
    activity_loads,
    banister_trimp,
    daily_series,
    ewma,
    hr_histogram,
    resolve_hr_profile,
    spike_ratios,
    training_load,
    weekly_table,
)
from runlens.rules.volume import FRANDSEN_BANDS, evaluate_volume

DAY = 86400.0
T0 = pd.Timestamp("2024-01-01 07:00", tz="UTC").timestamp()  # a Monday


def frame(days_km: list[tuple[float, float]], offset_s=None) -> pd.DataFrame:
    """Activity table: (day number, km) -> start_s at 07:00 UTC, 5 min/km moving."""
    return pd.DataFrame(
        {
            "path": [f"run{i}" for i in range(len(days_km))],
            "start_s": [T0 + d * DAY for d, _ in days_km],
            "utc_offset_s": [offset_s] * len(days_km),
            "distance_m": [km * 1000.0 for _, km in days_km],
            "moving_s": [km * 300.0 for _, km in days_km],
            "sport": ["running"] * len(days_km),
        }
    )


def history(days_km, **kw):
    from runlens.history import build_history

    return build_history(frame(days_km), Config(), **kw)


def steady(n_weeks, km=8.0, skip=()):
    return [(w * 7 + d, km) for w in range(n_weeks) for d in range(5) if (w, d) not in skip]


# --------------------------------------------------------------------- TRIMP
def test_trimp_hand_computed_male_and_female():
    # 30 min at 150 bpm and 30 min at 170, HRrest 50, HRmax 190.
    hist = {"bpm": [150, 170], "s": [1800, 1800]}
    r1, r2 = 100 / 140, 120 / 140
    male = 30 * r1 * 0.64 * math.exp(1.92 * r1) + 30 * r2 * 0.64 * math.exp(1.92 * r2)
    female = 30 * r1 * 0.86 * math.exp(1.67 * r1) + 30 * r2 * 0.86 * math.exp(1.67 * r2)
    assert banister_trimp(hist, 50, 190, "male") == pytest.approx(male)
    assert banister_trimp(hist, 50, 190, "female") == pytest.approx(female)
    assert banister_trimp({"bpm": [], "s": []}, 50, 190) is None
    # Below rest counts 0, above max is clipped to HRr = 1.
    assert banister_trimp({"bpm": [40], "s": [600]}, 50, 190) == 0.0
    assert banister_trimp({"bpm": [200], "s": [60]}, 50, 190) == pytest.approx(
        0.64 * math.exp(1.92)
    )


def test_hr_histogram_weights_by_sample_gap_and_drops_dropouts():
    t = np.array([0, 1, 2, 4, 60, 61])  # 56 s gap = dropout, counts 0
    hr = np.array([140, 141.2, np.nan, 150, 150, 0])
    h = hr_histogram(t, hr)
    assert h == {"bpm": [141, 150], "s": [1, 2]}


def test_hr_profile_config_first_then_files_then_assumed():
    hists = [{"bpm": [150, 185, 199], "s": [600, 40, 10]}]
    p = resolve_hr_profile(
        RunnerProfile(sex="female", resting_hr_bpm=48, max_hr_bpm=192), [], hists
    )
    assert (p.rest_bpm, p.max_bpm, p.sex, p.assumptions) == (48, 192, "female", [])
    p = resolve_hr_profile(None, [{"max_hr_bpm": 188, "sex": "male"}], hists)
    assert p.max_bpm == 188 and p.rest_bpm == 60 and len(p.assumptions) == 1
    p = resolve_hr_profile(None, [], hists)
    # 199 bpm was held 10 s only; 185 bpm and above for 50 s: the observed max is 185.
    assert p.max_bpm == 185 and len(p.assumptions) == 3
    assert any("sex unknown" in a for a in p.assumptions)


# -------------------------------------------------------------- spike ratio
def test_spike_ratio_window_is_the_previous_30_days_only():
    t = np.array([0, 1, 31, 32, 40]) * DAY
    d = np.array([10.0, 5.0, 6.0, 9.0, 6.0]) * 1000
    r, longest = spike_ratios(t, d)
    # day 31: the 10 km of day 0 is 31 days old (out), 5 km of day 1 is in.
    assert np.isnan(r[0])
    assert longest.tolist()[1:] == [10000.0, 5000.0, 6000.0, 9000.0]
    assert r[2] == pytest.approx(0.2) and r[3] == pytest.approx(0.5)
    assert r[4] == pytest.approx(6 / 9 - 1)


# ------------------------------------------------------------- daily series
def test_daily_series_local_days_and_rest_days_zero():
    df = frame([(0, 5), (0, 3), (3, 10)])
    df.loc[2, "start_s"] = T0 + 3 * DAY + 16 * 3600  # 23:00 UTC on day 3
    df["utc_offset_s"] = [0, 0, 7200]  # ... which is 01:00 on day 4 locally
    a = activity_loads(df)
    d = daily_series(a)
    assert len(d) == 5
    assert d["distance_m"].tolist() == [8000.0, 0.0, 0.0, 0.0, 10000.0]
    assert d["runs"].tolist() == [2, 0, 0, 0, 1]
    assert str(d.index[-1].date()) == "2024-01-05"


def test_ewma_uncoupled_monotony_strain_ctl_against_plain_loops():
    rng = np.random.default_rng(7)
    load = np.where(rng.random(60) < 0.6, rng.uniform(3, 15, 60), 0.0)
    daily = pd.DataFrame(
        {"x": load}, index=pd.date_range("2024-01-01", periods=60, freq="D", name="date")
    )
    ind = training_load(daily, "x")
    seed = load[:28].mean()
    a = c = seed
    acute, chronic = [], []
    for x in load:  # the definition, step by step
        a = 2 / 8 * x + (1 - 2 / 8) * a
        c = 2 / 29 * x + (1 - 2 / 29) * c
        acute.append(a)
        chronic.append(c)
    assert np.allclose(ind["acute"], acute)
    # Uncoupled: the chronic value of day t is the 28-day EWMA of day t - 7.
    assert np.isnan(ind["chronic"].iloc[:7]).all()
    assert np.allclose(ind["chronic"].iloc[7:], chronic[:-7])
    assert np.allclose(ind["acwr"].iloc[7:], np.array(acute[7:]) / np.array(chronic[:-7]))
    day = 20
    week = load[day - 6 : day + 1]
    mono = statistics.mean(week) / statistics.stdev(week)
    assert ind["monotony"].iloc[day] == pytest.approx(mono)
    assert ind["strain"].iloc[day] == pytest.approx(sum(week) * mono)
    ctl = atl = 0.0
    tsb = []
    for x in load:
        tsb.append(ctl - atl)  # yesterday's values
        ctl += (x - ctl) / 42
        atl += (x - atl) / 7
    assert ind["ctl"].iloc[-1] == pytest.approx(ctl) and ind["atl"].iloc[-1] == pytest.approx(atl)
    assert np.allclose(ind["tsb"], tsb)
    assert ewma([7.0, 0.0], 7).tolist() == pytest.approx([1.75, 1.3125])


def test_weekly_table_week_start_and_change():
    # Sunday 2024-01-07 and Monday 2024-01-08: one Monday-week apart, one Sunday-week together.
    days = [(0, 10), (6, 10), (7, 13)]
    mon = history(days).weeks
    assert [str(w.date()) for w in mon["week"]] == ["2024-01-01", "2024-01-08"]
    assert mon["distance_m"].tolist() == [20000.0, 13000.0]
    assert mon["change_pct"].iloc[1] == pytest.approx(-35.0)
    sun = history(days, week_start="sunday").weeks
    assert [str(w.date()) for w in sun["week"]] == ["2023-12-31", "2024-01-07"]
    assert sun["distance_m"].tolist() == [10000.0, 23000.0]


# ------------------------------------------------------------- volume rules
def flags(h):
    return [(f.rule, f.evidence.values["week"]) for f in h.findings if f.severity == "flag"]


def test_steady_history_flags_nothing():
    h = history(steady(12))
    assert [f for f in h.findings if f.severity != "info"] == []
    assert [f.rule for f in h.findings] == ["volume_history"]


def test_known_spike_and_jump_flagged_in_their_weeks_only():
    days = steady(10, skip={(6, 2), (6, 3)}) + [(6 * 7 + 2, 12.0), (6 * 7 + 3, 4.0)]
    days += [(7 * 7 + 5, 8.0), (7 * 7 + 6, 8.0)]  # week 7: 7 x 8 km = +40 %
    h = history(sorted(days))
    # The spike is a flag; the +40 % week a note citing what Frandsen et al. 2025 found
    # (no association for week-to-week change; issue 25).
    assert sorted(flags(h)) == [("session_spike", "2024-02-12")]
    (week,) = [f for f in h.findings if f.rule == "weekly_increase"]
    assert (week.severity, week.evidence.values["week"]) == ("note", "2024-02-19")
    assert "Frandsen et al. 2025" in week.message and "no association" in week.message
    assert "not significant" in week.message and "0.96-2.66" in week.message
    assert "Frandsen" in week.evidence.source and week.evidence.margin == 3.0
    spike = next(f for f in h.findings if f.rule == "session_spike")
    assert spike.evidence.values["spike_ratio"] == pytest.approx(0.5)
    assert spike.evidence.threshold["hazard_rate_ratio"] == 1.52
    assert spike.evidence.threshold["hazard_rate_ratio_ci95"] == [1.16, 2.00]
    assert "association" in spike.message
    inc = next(f for f in h.findings if f.rule == "weekly_increase")
    assert inc.evidence.values["change_pct"] == pytest.approx(40.0)


@pytest.mark.parametrize(("km", "hrr"), [(8.4, None), (9.6, 1.64), (12.0, 1.52), (17.0, 2.28)])
def test_spike_bands_of_frandsen(km, hrr):
    days = steady(6, skip={(5, 2)}) + [(5 * 7 + 2, km), (5 * 7 + 5, 8.0 - (km - 8.0))]
    h = history(sorted(days))
    spikes = [f for f in h.findings if f.rule == "session_spike"]
    if hrr is None:
        assert spikes == []  # 5 % over: the reference band
    else:
        assert [f.evidence.threshold["hazard_rate_ratio"] for f in spikes] == [hrr]
    assert {b[2] for b in FRANDSEN_BANDS} == {1.64, 1.52, 2.28}


def test_weekly_note_between_10_and_30_percent_says_weak():
    days = steady(6) + [(5 * 7 + 5, 6.0)]  # week 5: 46 km, +15 %
    h = history(sorted(days))
    notes = [f for f in h.findings if f.rule == "weekly_increase"]
    assert [(f.severity, f.evidence.values["week"]) for f in notes] == [("note", "2024-02-05")]
    assert "weak evidence" in notes[0].message and "Buist" in notes[0].evidence.source
    assert "Frandsen et al. 2025" in notes[0].message


def test_nothing_judged_before_28_days_and_it_says_so():
    # A 100 % spike and a +60 % week within the first 3 weeks: not judged.
    days = [(0, 5), (1, 5), (7, 5), (8, 5), (9, 6), (15, 10), (16, 8)]
    h = history(days)
    assert [f.rule for f in h.findings] == ["volume_history"]
    assert "need 28 days" in h.findings[0].message
    assert h.acts["spike_ratio"].iloc[5] == pytest.approx(2 / 3)  # still computed and shown


def test_acwr_note_carries_the_dispute():
    days = steady(6, km=4.0) + [(42 + d, 16.0) for d in range(7)]
    h = history(sorted(days))
    notes = [f for f in h.findings if f.rule == "acute_chronic"]
    assert notes and all(f.severity == "note" for f in notes)
    assert all("disputed" in f.message for f in notes)
    assert all("inverse association" in f.message for f in notes)
    assert all("Windt" in f.evidence.source for f in notes)
    assert all(f.evidence.values["acwr"] >= 1.5 for f in notes)


def test_volume_rule_thresholds_from_config():
    cfg = Config(rules={"weekly_increase": {"flag_above_pct": 50.0}})
    days = sorted(steady(10) + [(7 * 7 + 5, 8.0), (7 * 7 + 6, 8.0)])
    from runlens.history import build_history

    h = build_history(frame(days), cfg)
    inc = [f for f in h.findings if f.rule == "weekly_increase"]
    assert [f.severity for f in inc] == ["note"]  # 40 % < 50 %: only the 10 % note


def test_evaluate_volume_empty():
    assert evaluate_volume(pd.DataFrame(), pd.DataFrame(), pd.DataFrame()) == []


def test_weekly_table_empty_weeks_included():
    h = history([(0, 5), (21, 5)])
    assert h.weeks["runs"].tolist() == [1, 0, 0, 1]
    assert np.isnan(h.weeks["change_pct"].iloc[3])  # after an empty week: undefined
    assert weekly_table is not None


def test_acwr_after_years_without_a_run_is_undefined_not_an_overflow():
    # 20 years of rest days decay the chronic EWMA to a subnormal number.
    load = np.zeros(20 * 365)
    load[:10] = 8000.0
    load[-1] = 5000.0
    daily = pd.DataFrame({"x": load}, index=pd.date_range("2000-01-03", periods=load.size))
    with np.errstate(over="raise"):
        ind = training_load(daily, "x")
    assert math.isnan(ind["acwr"].iloc[-1])
    assert np.isfinite(ind["acwr"].dropna()).all()
