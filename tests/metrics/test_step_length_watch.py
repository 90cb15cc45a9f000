"""Step length beside the watch's when the device measured only part of it (issue 24).

Known answer: a treadmill run whose watch wrote step length on 559 of 3101
records; the rest of the records hold cadence and a speed that is wrong (a
treadmill's GPS-less speed estimate running 20 % high), so a mean of measured
and speed-derived steps is neither. The watch's value is distance / steps.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from runlens.io import read
from runlens.metrics import activity_metrics
from runlens.sim.fitwrite import encode_activity
from runlens.sim.synth import simulate_run


def test_partly_measured_step_length_is_distance_over_steps(tmp_path):
    run = simulate_run(seed=51, duration_s=3100, gps=False, warmup_s=0)
    cols = {k: v.copy() for k, v in run.columns.items()}
    n = cols["t"].size
    keep = np.zeros(n, dtype=bool)
    keep[np.linspace(0, n - 1, 559).astype(int)] = True
    cols["step_length"] = np.where(keep, cols["step_length"], np.nan)
    cols["speed"] = cols["speed"] * 1.2  # the speed channel overestimates
    p = tmp_path / "treadmill.fit"
    p.write_bytes(encode_activity(replace(run, columns=cols)))
    act = read(p)
    m = activity_metrics(act)
    steps = float(np.sum(run.columns["cadence"][1:] * np.diff(run.t)) / 60.0)
    want = act.device_summary["distance_m"] / steps
    assert m["step_length_source"] == "distance / steps"
    assert m["step_length_m"] == pytest.approx(want, rel=0.01)
