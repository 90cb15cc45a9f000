"""The same run from FIT, TCX and GPX agrees on moving time, GPS repeats included (issue 24).

Known answer: one simulated run written three ways; the GPX repeats the
previous fix on 217 records (a 1 Hz receiver that had no new fix), as the GPX
of the report did. The runner never stopped, so moving time is the timer time.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from runlens.io import read
from runlens.metrics import summarize
from runlens.sim.fitwrite import encode_activity
from runlens.sim.gpxwrite import to_gpx
from runlens.sim.synth import simulate_run
from runlens.sim.tcxwrite import to_tcx


def test_fit_tcx_gpx_moving_time_within_2_percent(tmp_path):
    run = simulate_run(seed=41, duration_s=4650, warmup_s=0)
    fit = tmp_path / "run.fit"
    fit.write_bytes(encode_activity(run))
    tcx = tmp_path / "run.tcx"
    tcx.write_text(to_tcx(run))
    lat, lon = run.columns["lat"].copy(), run.columns["lon"].copy()
    rng = np.random.default_rng(7)
    rep = np.sort(rng.choice(np.arange(10, lat.size - 10), 217, replace=False))
    for i in rep:  # in order, so a run of repeats holds the same fix
        lat[i], lon[i] = lat[i - 1], lon[i - 1]
    gpx = tmp_path / "run.gpx"
    gpx.write_text(to_gpx(replace(run, columns={**run.columns, "lat": lat, "lon": lon})))
    moving = {p.suffix: summarize(read(p))["moving_s"] for p in (fit, tcx, gpx)}
    ref = moving[".fit"]
    assert ref == pytest.approx(4650, rel=0.02)
    for k, v in moving.items():
        assert v == pytest.approx(ref, rel=0.02), (k, moving)
