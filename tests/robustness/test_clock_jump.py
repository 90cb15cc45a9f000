"""A watch clock that jumps mid-run, and runs whose date cannot be right.

Known answers: the planted file's own session says how long the run took
(runlens.sim.synth wrote it before the jump was planted in the records), so the
repaired records must agree with it; a real two-hour stop that the session's
elapsed time covers must be left alone.
"""

from __future__ import annotations

import pytest

from runlens.io import read
from runlens.metrics import summarize
from runlens.sim.fitwrite import encode_activity
from runlens.sim.synth import SimPause, simulate_run

DAYS_20 = 20 * 86400


def test_20_day_clock_jump_repaired_to_agree_with_the_session_timer(tmp_path):
    run = simulate_run(seed=4, duration_s=3389)  # 0:56:29, like the watch in the report
    p = tmp_path / "jump.fit"
    p.write_bytes(encode_activity(run, clock_jump=(1800, DAYS_20)))
    act = read(p)
    timer = act.device_summary["timer_s"]
    assert timer == pytest.approx(3389, abs=1)
    s = summarize(act)
    assert s["timer_s"] == pytest.approx(timer, rel=0.01)
    assert s["elapsed_s"] == pytest.approx(act.device_summary["elapsed_s"], rel=0.01)
    assert s["avg_speed_m_s"] == pytest.approx(act.device_summary["avg_speed_m_s"], rel=0.02)
    assert len(act.records) == len(run.t)  # nothing dropped
    (w,) = [w for w in act.warnings if "clock jumps" in w]
    assert "20.0 days forward" in w and "moved back" in w
    # The repaired file is stable: reading it again repairs the same way.
    assert read(p).records.index.equals(act.records.index)


def test_a_long_stop_inside_the_elapsed_time_is_not_a_clock_jump(tmp_path):
    run = simulate_run(seed=4, duration_s=3000 + 7200, pauses=[SimPause(1500, 1500 + 7200)])
    p = tmp_path / "stop.fit"
    p.write_bytes(encode_activity(run))
    act = read(p)
    assert not [w for w in act.warnings if "clock jumps" in w]
    span = (act.records.index[-1] - act.records.index[0]).total_seconds()
    assert span == pytest.approx(act.device_summary["elapsed_s"], abs=5)


def _forerunner_jump(tmp_path):
    """The Forerunner 225 pattern: the clock jumps 20 days forward 10 minutes in.

    Every time the watch stamps after the jump is on the new clock: the session's
    start_time is before the jump and its timestamp after it; lap 2 starts before
    and ends after it; total_elapsed_time = total_timer_time (no pause).
    """
    run = simulate_run(seed=4, duration_s=3389)
    p = tmp_path / "fr225_jump.fit"
    p.write_bytes(encode_activity(run, clock_jump=(600, DAYS_20), jump_in_messages=True))
    return run, p


def test_jump_with_session_straddling_it_agrees_with_the_watch(tmp_path):
    from fitparse import FitFile

    run, p = _forerunner_jump(tmp_path)
    # The file has exactly the structure of the report.
    msgs = FitFile(str(p))
    (ses,) = [m.get_values() for m in msgs.get_messages("session")]
    span = (ses["timestamp"] - ses["start_time"]).total_seconds()
    assert span > DAYS_20 and ses["total_elapsed_time"] == ses["total_timer_time"]
    laps = [m.get_values() for m in FitFile(str(p)).get_messages("lap")]
    lap2 = laps[1]
    assert (lap2["timestamp"] - lap2["start_time"]).total_seconds() > DAYS_20
    assert lap2["total_elapsed_time"] < 400

    act = read(p)
    s = summarize(act)
    dev = act.device_summary
    assert s["timer_s"] == pytest.approx(dev["timer_s"], rel=0.01)
    assert s["elapsed_s"] == pytest.approx(dev["elapsed_s"], rel=0.01)
    assert s["distance_m"] == pytest.approx(dev["distance_m"], rel=0.01)
    assert len(act.records) == len(run.t)  # the records before the jump are kept
    (w,) = [w for w in act.warnings if "clock jumps" in w]
    assert "20.0 days forward" in w
    # Sessions and laps follow the records back: no lap or session spans the jump.
    for seg in act.sessions + act.laps:
        assert (seg.end - seg.start).total_seconds() < 3389 * 1.01 + 120
    assert (act.sessions[0].end - act.sessions[0].start).total_seconds() == pytest.approx(
        3389, abs=5
    )


def test_an_impossible_timer_is_never_printed(tmp_path):
    """Records spanning 20 days that no repair can place: the watch's totals, and it says so."""
    from runlens import analyze
    from runlens.io import validate as v

    run, p = _forerunner_jump(tmp_path)
    act = read(p)
    # Undo the repair (as if the jump could not be placed): the records span 20 days.
    broken = read(p)
    orig = v._clock_jumps
    try:
        v._clock_jumps = lambda activity, t: None
        broken = read(p)
    finally:
        v._clock_jumps = orig
    s = summarize(broken)
    assert s["timer_s"] == pytest.approx(act.device_summary["timer_s"], abs=1)
    a = analyze(broken, rules=False)
    assert a.to_dict()["metrics"]["totals_from_watch"] is True
    assert "are the watch's" in a.to_text()
    assert "486:" not in a.to_text()
