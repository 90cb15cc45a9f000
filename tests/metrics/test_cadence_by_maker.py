"""The watch-comparable cadence by the maker's convention (issue 24).

Known answer: runlens.sim.synth's session average is time-weighted over every
record with a value, zeros included: what a Garmin watch since about 2016
writes. Standing stretches with the timer running hold cadence 0.
"""

from __future__ import annotations

import numpy as np
import pytest

from runlens import analyze
from runlens.io import read
from runlens.metrics import activity_metrics
from runlens.sim.fitwrite import FitDevice, encode_activity
from runlens.sim.synth import from_columns, simulate_run


def _standing(tmp_path, device=None, name="garmin.fit"):
    run = simulate_run(seed=14, duration_s=2400)
    cols = {k: v.copy() for k, v in run.columns.items()}
    t = cols["t"]
    for a in (600, 1500):  # two 150 s stops at a crossing, the timer running
        m = (t >= a) & (t < a + 150)
        cols["cadence"][m] = 0.0
        cols["speed"][m] = 0.0
        cols["distance"][m] = cols["distance"][np.flatnonzero(m)[0]]
        cols["distance"][t >= a + 150] -= cols["distance"][np.flatnonzero(t >= a + 150)[0]] - (
            cols["distance"][np.flatnonzero(m)[0]]
        )
    standing = from_columns(cols, start=run.start, lap_distance_m=1000.0)
    p = tmp_path / name
    p.write_bytes(encode_activity(standing, device=device))
    return p


def test_garmin_zero_cadence_records_count_in_the_comparison_column(tmp_path):
    p = _standing(tmp_path)
    act = read(p)
    watch = act.device_summary["cadence_spm"]
    m = activity_metrics(act)
    assert m["cadence_convention"] == "with zeros"
    assert m["cadence_spm"] == pytest.approx(watch, abs=1.0)
    # Without the zeros it would be ~12 % higher; the rules' cadence is running only.
    assert m["cadence_nonzero_spm"] > watch + 10
    assert m["run_cadence_spm"] > watch + 10
    text = analyze(p, rules=False).to_text()
    (note,) = [ln for ln in text.splitlines() if "form rules: running only" in ln]
    assert "standing seconds" in note


def test_other_makers_average_without_zeros(tmp_path):
    p = _standing(tmp_path, device=FitDevice(manufacturer=294, product=1), name="coros.fit")
    act = read(p)
    m = activity_metrics(act)
    assert m["cadence_convention"] == "without zeros"
    assert m["cadence_spm"] == m["cadence_nonzero_spm"]
    assert m["cadence_spm"] > act.device_summary["cadence_spm"] + 10  # the sim averaged zeros
