"""End to end: a real FIT file with a RunScribe-style foot-strike developer field.

Written by runlens' own FIT encoder (runlens.sim.fitwrite, from the synthetic
data work); skipped until that module is on this branch.
"""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest

fitwrite = pytest.importorskip("runlens.sim.fitwrite")


def test_foot_pod_fit_file_gives_measured_heel_striking_at_its_time(tmp_path, capsys):
    import json

    from runlens.cli import main

    n = 40 * 60
    t = np.arange(n, dtype=float)
    minute = t / 60
    speed = np.full(n, 3.0)
    # RunScribe 1..16: rearfoot (3) from minute 10 to 35, midfoot (8) otherwise: 62.5 %,
    # past the 50 % threshold by more than its standard error (about 1 %).
    foot = np.where((minute >= 10) & (minute < 35), 3.0, 8.0)
    cols = {
        "t": t,
        "distance": np.cumsum(speed) - speed[0],
        "speed": speed,
        "altitude": np.full(n, 50.0),
        "heart_rate": np.full(n, 150.0),
        "cadence": np.full(n, 172.0),
        "foot_strike": foot,
    }
    start = datetime(2024, 5, 1, 7, 0, tzinfo=timezone.utc)
    path = tmp_path / "pod.fit"
    path.write_bytes(fitwrite.encode_activity(cols, start=start, user=False))
    assert main(["analyze", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    (f,) = [f for f in out["findings"] if f["rule"] == "heel_striking"]
    # a note: no study links rearfoot striking itself to injury (issue 25)
    assert f["confidence"] == "measured" and f["severity"] == "note"
    assert f["evidence"]["values"]["field"].lower() == "footstrike type"
    assert f["evidence"]["values"]["rearfoot_share"] == pytest.approx(0.625, abs=0.01)
    assert f["evidence"]["margin"] == pytest.approx(0.0099, abs=0.0001)
    (a, b) = f["time_ranges"][0]
    # 30 s tolerance: half the 60 s smoothing window (see test_form_rules.py)
    assert abs((np.datetime64(a[:19]) - np.datetime64("2024-05-01T07:10:00")).astype(int)) <= 30
    assert abs((np.datetime64(b[:19]) - np.datetime64("2024-05-01T07:35:00")).astype(int)) <= 31
