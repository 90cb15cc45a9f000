"""Walking or running: a low step rate at running speed is running (docs/evidence.md section 6).

A runner whose usual step rate is low (127 + 10 x speed: 157/min at 3 m/s) and who
overstrides by 12-15 % drops to 133-138 steps/min at 3 m/s: a 1.3 m step no walk has.
Before, every sample under 140/min was taken as walking, so the worst overstriding of a
slow-cadence runner was never judged while a milder 8 % drop was.
"""

from __future__ import annotations

import numpy as np
import pytest

from runlens.baseline import CadenceBaseline
from runlens.metrics.samples import held_speed, sample_frame
from runlens.rules import Overstriding

from ..rules.builder import build_run


def test_held_speed_is_distance_over_the_centred_minute():
    # 1 Hz; sample i adds v[i] m, 2 m/s before t = 100 s and 4 after. The minute centred
    # on t = 120 s runs from sample 90 to 150: steps 91-99 at 2 m (18 m) and 100-150 at
    # 4 m (204 m) -> 222 m / 60 s.
    t = np.arange(300, dtype=float)
    v = np.where(t < 100, 2.0, 4.0)
    d = np.concatenate([[0.0], np.cumsum(v[1:])])
    hs = held_speed(t, d, 60.0)
    assert hs[120] == pytest.approx(222.0 / 60.0)
    assert hs[200] == pytest.approx(4.0)
    assert hs[50] == pytest.approx(2.0)
    # the first sample's window holds 30 s of its 60: still half, kept; a lone sample is NaN
    assert hs[0] == pytest.approx(2.0)
    assert np.isnan(held_speed(np.array([0.0, 100.0]), np.array([0.0, 300.0]), 60.0)).all()


def test_held_speed_carries_distance_over_missing_values():
    t = np.arange(120, dtype=float)
    d = 3.0 * t
    d[40:50] = np.nan
    assert held_speed(t, d, 60.0)[60] == pytest.approx(3.0)


@pytest.mark.parametrize("spm", [138.0, 135.0, 133.0])
def test_a_low_step_rate_at_3_m_s_is_running_and_its_overstride_is_flagged(spm):
    b = CadenceBaseline(127.0, 10.0, 20, 20000, 3.0, (2.5, 3.5))  # usual 157/min at 3 m/s
    run = build_run(40, cadence_spm=157.0, overrides={"cadence_spm": [(18, 26, spm)]})
    frame = sample_frame(run)
    minute = (frame["t_s"].to_numpy() - frame["t_s"].iloc[0]) / 60.0
    assert frame["running"].to_numpy()[(minute >= 19) & (minute < 25)].all()
    findings = Overstriding().evaluate(run, baseline=b)
    assert [f.severity for f in findings] == ["flag"]
    assert findings[0].evidence.values["cadence_spm"] == pytest.approx(spm, abs=1)


def test_walking_breaks_stay_walking():
    # Walk-run: 120 steps/min at 1.6 m/s for minutes 15-17 inside a 3 m/s run. The minute
    # around the breaks' edges averages over 2.1 m/s, but the walking samples themselves
    # are slow: not running.
    run = build_run(
        40,
        overrides={"cadence_spm": [(15, 17, 120.0)], "speed_m_s": [(15, 17, 1.6)]},
    )
    frame = sample_frame(run)
    minute = (frame["t_s"].to_numpy() - frame["t_s"].iloc[0]) / 60.0
    assert not frame["running"].to_numpy()[(minute >= 15) & (minute < 17)].any()
    assert frame["running"].to_numpy()[(minute >= 18) & (minute < 40)].all()


def test_a_brisk_walk_at_low_step_rate_stays_walking():
    # 130 steps/min at 2.2 m/s held: a fast walk (step 1.02 m), under the held 2.5 m/s.
    run = build_run(20, speed_m_s=2.2, cadence_spm=130.0)
    assert not sample_frame(run)["running"].any()


def test_a_half_rate_reading_is_never_running():
    # 85 "steps"/min at 3 m/s would be a 2.1 m step: a sensor writing strides, not running form.
    run = build_run(20, cadence_spm=172.0, overrides={"cadence_spm": [(5, 10, 85.0)]})
    frame = sample_frame(run)
    minute = (frame["t_s"].to_numpy() - frame["t_s"].iloc[0]) / 60.0
    assert not frame["running"].to_numpy()[(minute >= 5.2) & (minute < 9.8)].any()
