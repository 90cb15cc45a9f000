"""TCX laps as the device's evidence of its timer and distance (issue 24).

Known answers: runlens.sim.synth computes each lap's TotalTimeSeconds and
DistanceMeters from the full 1 Hz run before the file's trackpoints are thinned,
so the laps state what the watch measured.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from runlens.io import read
from runlens.metrics import summarize
from runlens.sim.synth import simulate_run
from runlens.sim.tcxwrite import to_tcx


def _drop(run, gaps):
    """The run without the samples strictly inside each (start s, end s)."""
    t = run.t
    keep = np.ones(t.size, dtype=bool)
    for a, b in gaps:
        keep &= ~((t > a) & (t < b))
    return replace(run, columns={k: v[keep] for k, v in run.columns.items()})


def test_recording_gaps_inside_timed_laps_are_timer_time(tmp_path):
    """Gaps of 62-137 s inside laps whose TotalTimeSeconds equals their span (fenix 5, FR305)."""
    run = simulate_run(seed=8, duration_s=3000)
    gaps = []
    for k, length in ((1, 62), (3, 90), (5, 137)):  # each well inside one lap
        lap = run.laps[k]
        mid = (lap.start_s + lap.end_s) / 2
        a = round(mid - length / 2)
        assert lap.start_s + 5 < a and a + length < lap.end_s - 5
        gaps.append((a, a + length))
    gappy = _drop(run, gaps)
    laps_timer = sum(lap.total_timer_time for lap in run.laps)
    assert laps_timer == pytest.approx(3000, abs=2)
    p = tmp_path / "gaps.tcx"
    p.write_text(to_tcx(gappy))
    act = read(p)
    assert not act.pauses  # the laps' timers ran through every gap
    s = summarize(act)
    assert act.device_summary["timer_s"] == pytest.approx(laps_timer, abs=1)
    assert s["timer_s"] == pytest.approx(laps_timer, rel=0.01)
    assert s["distance_m"] == pytest.approx(act.device_summary["distance_m"], rel=0.01)


def test_laps_outnumbering_their_tracks_count_with_their_own_totals(tmp_path):
    """17 of 32 laps with an empty <Track/> (a Suunto Spartan export), the last among them."""
    run = simulate_run(seed=9, duration_s=3300, lap_distance_m=300.0)
    n = len(run.laps)
    assert n >= 30
    empty = sorted({*range(1, n, 2), n - 1})
    p = tmp_path / "suunto.tcx"
    p.write_text(to_tcx(run, style="plain", trackless_laps=empty))
    assert p.read_text().count("<Lap ") == n
    assert p.read_text().count("<Track>") == n - len(empty)
    act = read(p)
    laps_d = sum(lap.total_distance for lap in run.laps)
    laps_t = sum(lap.total_timer_time for lap in run.laps)
    assert act.device_summary["distance_m"] == pytest.approx(laps_d, abs=1)
    s = summarize(act)
    assert s["distance_m"] == pytest.approx(laps_d, rel=0.01)
    assert s["timer_s"] == pytest.approx(laps_t, rel=0.01)
    assert any("have no track points" in w for w in act.warnings)


def test_a_track_past_the_last_lap_is_kept_with_a_warning(tmp_path):
    """A Movescount export: the final lap was lost, its 5 minutes of track sit in the lap before."""
    from dataclasses import replace as dc_replace

    run = simulate_run(seed=10, duration_s=2400, lap_distance_m=None, lap_times_s=(600, 1200, 2100))
    *first, last_kept, lost = run.laps
    assert lost.total_timer_time == pytest.approx(300, abs=2)
    stretched = dc_replace(last_kept, end_s=lost.end_s)  # its totals stay those of 900 s
    p = tmp_path / "movescount.tcx"
    p.write_text(to_tcx(replace(run, laps=(*first, stretched)), style="plain"))
    act = read(p)
    s = summarize(act)
    assert act.device_summary["timer_s"] == pytest.approx(2100, abs=2)  # the laps lack 5 min
    assert s["timer_s"] == pytest.approx(2400, rel=0.01)  # the track is right
    assert s["distance_m"] == pytest.approx(run.columns["distance"][-1], rel=0.01)
    (w,) = [w for w in act.warnings if "past its last lap" in w]
    assert "5 min" in w


def test_leading_trackpoints_without_distance_are_measured_from_positions(tmp_path):
    """A Forerunner 310XT TCX: the first trackpoints have positions but no DistanceMeters."""
    run = simulate_run(seed=11, duration_s=110, lap_distance_m=None, warmup_s=0)
    d = run.columns["distance"].copy()
    k = 8
    lead = d[k]
    assert lead > 15.0  # several percent of a 300 m lap
    d = d - lead
    d[:k] = np.nan  # the device counts distance from its 9th point, starting at 0
    p = tmp_path / "fr310xt.tcx"
    p.write_text(to_tcx(replace(run, columns={**run.columns, "distance": d})))
    assert p.read_text().count("<DistanceMeters>") == len(d) - k + 1  # + the lap's own
    act = read(p)
    lap_d = act.device_summary["distance_m"]
    assert lap_d == pytest.approx(run.columns["distance"][-1], abs=0.5)
    assert summarize(act)["distance_m"] == pytest.approx(lap_d, rel=0.01)
