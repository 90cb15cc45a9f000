"""Breathing rules on files runlens writes (runlens.sim.synth + runlens.sim.fitwrite).

The answers are known by construction: synth's breathing rate is step rate /
steps per breath, 4.5 steps per breath unless a "fast_breathing" pattern lowers
it (to 3.0) at the same pace, or the runner's own steps_per_breath is set.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta

import pandas as pd
import pytest

from runlens import read
from runlens.baseline import CadenceBaseline
from runlens.config import Config
from runlens.rules import REGISTRY, evaluate_all
from runlens.rules.breathing import (
    BREATHING_CAVEAT,
    BreathingBaseline,
    BreathingRise,
    BreathingVsBaseline,
)
from runlens.sim.fitwrite import encode_activity
from runlens.sim.synth import DEFAULT_RUNNER, DEFAULT_START, Pattern, simulate_run

BREATHING = ("breathing_rise", "breathing_baseline")


def _activity(seed=41, duration_s=3600, runner=DEFAULT_RUNNER, **kw):
    run = simulate_run(
        seed=seed, duration_s=duration_s, smart_recording=True, runner=runner, **kw
    )
    return read(io.BytesIO(encode_activity(run))), run


def _breathing(findings):
    return [f for f in findings if f.rule in BREATHING]


def test_registered_with_config_thresholds():
    assert set(BREATHING) <= set(REGISTRY)
    cfg = Config(rules={"breathing_rise": {"drop_pct": 30.0}})
    rise = REGISTRY["breathing_rise"].from_config(cfg)
    assert rise.drop_pct == 30.0 and rise.min_duration_s == 300.0


@pytest.mark.parametrize("seed", [41, 42, 43])
def test_steady_run_at_4_5_steps_per_breath_gives_no_note(seed):
    a, _ = _activity(seed=seed, respiration=True)
    assert _breathing(evaluate_all(a)) == []


def _steady_s(a):
    from runlens.rules._signals import Signals

    sig = Signals.of(a, 60.0)
    return sig.seconds(sig.steady())


@pytest.mark.parametrize("seed", [41, 43, 44])
def test_breathing_climbing_to_3_steps_per_breath_after_25_min_gets_the_note(seed):
    a, run = _activity(seed=seed, patterns=[Pattern("fast_breathing", 1500, 3600)])
    # synth's hills leave 24-50 min of steady running (grade under 3 %) in these runs: enough
    # for the 10 min reference and a 5 min stretch after it.
    assert _steady_s(a) >= 1200
    (f,) = _breathing(evaluate_all(a))
    assert f.rule == "breathing_rise" and f.severity == "note"
    assert f.confidence == pytest.approx(0.3)
    assert BREATHING_CAVEAT in f.message
    ev = f.evidence.values
    assert ev["steps_per_breath_reference"] == pytest.approx(4.5, abs=0.1)
    assert ev["steps_per_breath_late"] == pytest.approx(3.0, abs=0.1)
    # The pace did not change: the late stretch is at the reference speed.
    assert ev["late_speed_m_s"] == pytest.approx(ev["reference_speed_m_s"], rel=0.05)
    # Steps per breath crosses 3.6 (20 % below 4.5) 60 % into the 700 s ramp that starts at
    # 25 min, i.e. at about 32 min; the note covers the stretches from then to the end.
    start = pd.Timestamp(f.time_ranges[0][0])
    end = pd.Timestamp(f.time_ranges[-1][1])
    t0 = pd.Timestamp(DEFAULT_START)
    assert t0 + timedelta(minutes=29) <= start <= t0 + timedelta(minutes=37)
    assert end >= t0 + timedelta(minutes=55)
    assert all(pd.Timestamp(a_) >= t0 + timedelta(minutes=25) for a_, _ in f.time_ranges)


@pytest.mark.parametrize("seed", [41, 43, 44])
def test_the_note_spans_the_planted_stretch_not_only_its_flat_minutes(seed):
    # 75 min; steps per breath 4.5, then from 25 min to the end ramping to 3.0 over 1000 s
    # (a third of the 50 min window). It crosses 3.6 (20 % below 4.5) 60 % into the ramp, at
    # 25 + 10 = 35 min, and stays at 3.0 to the end at 75 min.
    a, run = _activity(seed=seed, duration_s=4500, patterns=[Pattern("fast_breathing", 1500, 4500)])
    (f,) = _breathing(evaluate_all(a))
    t0 = pd.Timestamp(DEFAULT_START)
    mins = [
        ((pd.Timestamp(s) - t0).total_seconds() / 60, (pd.Timestamp(e) - t0).total_seconds() / 60)
        for s, e in f.time_ranges
    ]
    # The 60 s medians put the crossing within a minute of 35 min; the first matched sample on
    # the flat after it starts the stretch.
    assert 34.0 <= mins[0][0] <= 37.5
    assert mins[-1][1] >= 73.0  # the last matched minutes before the end at 75 min
    ev = f.evidence.values
    # The span is the stretch from the crossing to the end; the judged minutes (steady, on the
    # flat, at the reference pace +-5 %) are a part of it, as the message says.
    assert ev["span_s"] / 60 == pytest.approx(mins[-1][1] - mins[0][0], abs=0.5)
    assert 300 <= ev["duration_s"] < ev["span_s"]
    assert f"from about {mins[0][0]:.0f} to {mins[-1][1]:.0f} min" in f.message
    assert f"judged on the {ev['duration_s'] / 60:.0f} min of it" in f.message


def test_a_file_without_breathing_gets_no_breathing_finding():
    a, run = _activity(seed=44, patterns=[Pattern("fade", 1800, 3600)])
    assert "respiration_rate_brpm" not in a.records
    hist = BreathingBaseline(0.0, 12.5, 5, 300, 1.0, (2.5, 3.5))
    assert BreathingRise().evaluate(a) == []
    assert BreathingVsBaseline().evaluate(a, baseline=hist) == []


def _history(n=4):
    """Runs of the default runner (4.5 steps per breath) at different easy speeds."""
    return [
        _activity(seed=50 + i, duration_s=2700, respiration=True, speed=2.6 + 0.25 * i)[0]
        for i in range(n)
    ]


def test_baseline_fit_recovers_the_runners_breathing_line():
    b = BreathingBaseline.fit(_history())
    assert b is not None and b.n_activities == 4
    # synth: breathing = (135 + 10 x speed) / 4.5 = 30 + 2.22 x speed breaths/min.
    for v in (2.7, 3.0, 3.3):
        assert b.expected_brpm(v) == pytest.approx((135 + 10 * v) / 4.5, abs=0.6)
    assert BreathingBaseline.fit(_history(2)) is None  # too few runs


def test_breathing_faster_than_own_baseline():
    b = BreathingBaseline.fit(_history())
    normal, _ = _activity(seed=60, respiration=True, speed=2.9)
    assert BreathingVsBaseline().evaluate(normal, baseline=b) == []
    fast_runner = replace(DEFAULT_RUNNER, steps_per_breath=3.5)  # 29 % faster breathing
    fast, _ = _activity(seed=61, respiration=True, speed=2.9, runner=fast_runner)
    (f,) = BreathingVsBaseline().evaluate(fast, baseline=b)
    assert f.severity == "note" and f.confidence == pytest.approx(0.3)
    assert f.evidence.basis.startswith("own baseline")
    ev = f.evidence.values
    assert ev["respiration_rate_brpm"] / ev["baseline_expected_brpm"] == pytest.approx(
        4.5 / 3.5, rel=0.04
    )
    assert ev["steps_per_breath"] == pytest.approx(3.5, abs=0.1)
    # Breathing was fast from the start, not rising: the within-run rule says nothing.
    assert BreathingRise().evaluate(fast) == []
    # Without a breathing baseline (none, or the cadence baseline every rule receives): silent.
    assert BreathingVsBaseline().evaluate(fast) == []
    cad = CadenceBaseline(135.0, 10.0, 4, 1000, 1.5, (2.5, 3.5))
    assert BreathingVsBaseline().evaluate(fast, baseline=cad) == []
    assert _breathing(evaluate_all(fast, baseline=cad)) == []


def test_too_little_steady_running_is_not_judged():
    # seed 42's hills leave 11 min of steady running: the 10 min reference and nothing after.
    a, _ = _activity(seed=42, patterns=[Pattern("fast_breathing", 1500, 3600)])
    assert _steady_s(a) < 900
    assert BreathingRise().evaluate(a) == []


def test_a_speed_outside_the_baselines_fitted_speeds_is_said_to_be_less_sure():
    # The default runner breathes (135 + 10 x v) / 4.5 = 30 + 2.22 x v breaths/min; this one
    # at 3.5 steps per breath, at about 2.9 m/s.
    fast, _ = _activity(
        seed=61, respiration=True, speed=2.9, runner=replace(DEFAULT_RUNNER, steps_per_breath=3.5)
    )
    line = dict(intercept_brpm=30.0, slope_brpm_per_m_s=2.22, n_activities=4, n_samples=200,
                residual_sd_brpm=1.0)  # fmt: skip
    (inside,) = BreathingVsBaseline().evaluate(
        fast, BreathingBaseline(**line, speed_range_m_s=(2.7, 3.1))
    )
    assert "baseline_extrapolated" not in inside.evidence.values
    assert "outside the speeds" not in inside.message
    # Fitted on 2.0-2.3 m/s only: 2.9 m/s is more than 0.25 m/s beyond it.
    (outside,) = BreathingVsBaseline().evaluate(
        fast, BreathingBaseline(**line, speed_range_m_s=(2.0, 2.3))
    )
    assert outside.evidence.values["baseline_extrapolated"] is True
    assert "outside the speeds your baseline was fitted on" in outside.message
    b = BreathingBaseline(**line, speed_range_m_s=(2.0, 2.3))
    assert not b.extrapolated(2.54) and b.extrapolated(2.56) and b.extrapolated(1.74)
    assert b.at(3.0) == b.expected_brpm(3.0) == pytest.approx(36.66)
    cad = CadenceBaseline(135.0, 10.0, 4, 1000, 1.5, (2.5, 3.5))
    assert not cad.extrapolated(3.74) and cad.extrapolated(3.76)
    assert cad.expected_spm([2.0, 3.0]).tolist() == [155.0, 165.0]


def _paced(minutes, breathing, cadence=180.0):
    """A flat 3 m/s run at exactly ``cadence`` steps/min, breathing ``breathing(minute)``."""
    import numpy as np

    from tests.rules.builder import build_run

    a = build_run(minutes, seed=5)
    m = np.arange(len(a.records)) / 60.0
    a.records["cadence_spm"] = cadence
    a.records["respiration_rate_brpm"] = np.asarray(breathing(m), float)
    return a


@pytest.mark.parametrize(
    ("sd", "late", "margin", "interval"),
    [
        # threshold 1.2 x 30 = 36; margin max(spread 2.5, resolution 1) = 2.5
        (2.5, 38.0, None, None),  # 2 above 36: inside the margin
        (2.5, 39.0, 2.5, [27.5, 32.5]),  # 3 above 36
        # spread 0.4: the whole breath/min of the sensor is the margin
        (0.4, 36.5, None, None),  # 0.5 above 36
        (0.4, 37.5, 1.0, [29.0, 31.0]),  # 1.5 above 36
    ],
)
def test_breathing_baseline_note_passes_by_more_than_the_spread_or_resolution(
    sd, late, margin, interval
):
    import numpy as np

    # 30 breaths/min at every speed (slope 0), and from minute 15 on `late`.
    b = BreathingBaseline(30.0, 0.0, 5, 300, sd, (2.5, 3.5))
    a = _paced(40, lambda m: np.where(m < 15, 30.0, late))
    got = BreathingVsBaseline().evaluate(a, baseline=b)
    if margin is None:
        assert got == []
        return
    (f,) = got
    assert f.severity == "note"
    assert f.evidence.values["respiration_rate_brpm"] == late
    assert f.evidence.margin == margin and f.evidence.interval == interval
    assert f.evidence.margin_unit == "breaths/min"
    assert f"the 30 +- {margin:.0f} your own history predicts" in f.message


@pytest.mark.parametrize(
    ("late", "noted"),
    [
        # reference (minutes 10-20): 180 / 40 = 4.5 steps per breath, no spread; the
        # threshold 20 % lower is 3.6; the margin one breath/min at 40: 4.5 x 1 / 40 = 0.1125.
        (50.5, False),  # 180 / 50.5 = 3.564: 0.036 below 3.6, inside the margin
        (52.0, True),  # 180 / 52 = 3.462: 0.138 below 3.6
    ],
)
def test_breathing_rise_note_passes_by_more_than_one_breath_per_minute(late, noted):
    import numpy as np

    a = _paced(45, lambda m: np.where(m < 25, 40.0, late))
    got = BreathingRise().evaluate(a)
    if not noted:
        assert got == []
        return
    (f,) = got
    assert f.evidence.values["steps_per_breath_reference"] == 4.5
    assert f.evidence.values["steps_per_breath_late"] == pytest.approx(180 / 52, abs=0.005)
    assert f.evidence.margin == pytest.approx(0.1125, abs=0.0005)
    assert f.evidence.interval == pytest.approx([4.3875, 4.6125], abs=0.0005)
    assert f.evidence.margin_unit == "steps per breath"
    assert "fell from 4.5 +- 0.1 to 3.5" in f.message
