"""Distance as the watch counts it (issue 24).

Known answers: runlens.sim.synth writes the watch's session total from the
true distance channel before the file's records are altered, so the session's
total_distance is what a watch would have said.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from runlens.io import read
from runlens.metrics import summarize
from runlens.sim.fitwrite import encode_activity
from runlens.sim.synth import SimPause, simulate_run


def _write(tmp_path, run, name="run.fit"):
    p = tmp_path / name
    p.write_bytes(encode_activity(run))
    return p


def test_one_record_spike_at_a_timer_stop_adds_nothing(tmp_path):
    """A record 197 m ahead of both neighbours at a timer stop (a duathlon's run leg)."""
    run = simulate_run(seed=3, duration_s=900, pauses=[SimPause(400, 460)], lap_distance_m=None)
    t = run.t
    k = int(np.searchsorted(t, 400))
    assert t[k] == 400
    d = run.columns["distance"].copy()
    d[k] += 197.0
    spiked = replace(run, columns={**run.columns, "distance": d})
    act = read(_write(tmp_path, spiked))
    watch = act.device_summary["distance_m"]
    assert watch == pytest.approx(run.columns["distance"][-1], abs=0.5)
    assert summarize(act)["distance_m"] == pytest.approx(watch, abs=1.0)


def test_a_value_falling_back_never_counts_twice(tmp_path):
    """Three records 40 m back (GPS re-smoothing): a running maximum, not positive steps."""
    run = simulate_run(seed=5, duration_s=600, lap_distance_m=None)
    d = run.columns["distance"].copy()
    d[300:303] -= 40.0
    act = read(_write(tmp_path, replace(run, columns={**run.columns, "distance": d})))
    assert summarize(act)["distance_m"] == pytest.approx(act.device_summary["distance_m"], abs=1.0)


def test_the_first_records_distance_counts(tmp_path):
    """The watch's first record comes 4 s after the session's start, already 10 m on."""
    run = simulate_run(seed=6, duration_s=300, lap_distance_m=None, warmup_s=0)
    cols = {k: v[4:] for k, v in run.columns.items()}
    late = replace(run, columns=cols)
    assert cols["distance"][0] > 8.0
    act = read(_write(tmp_path, late))
    watch = act.device_summary["distance_m"]
    assert watch == pytest.approx(run.columns["distance"][-1], abs=0.5)
    assert summarize(act)["distance_m"] == pytest.approx(watch, abs=0.5)
