"""Foot-pod foot strike matched by meaning: per foot and vendor-prefixed (issue 24).

Known answer: the file is written with RunScribe Plus' per-foot fields
(``RS_FootStrike_L`` / ``RS_FootStrike_R`` on every record, 97-99 % rearfoot,
values 1-5 on RunScribe's 1..16 scale), so the measured foot strike is rearfoot.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from runlens.io import read
from runlens.io.footpod import foot_strike_channel, match_foot_strike
from runlens.rules import HeelStriking
from runlens.sim.fitwrite import DeveloperField, encode_activity
from runlens.sim.synth import simulate_run


def _runscribe_plus(tmp_path):
    run = simulate_run(seed=12, duration_s=2400)
    n = len(run.t)
    rng = np.random.default_rng(1)
    left = rng.integers(1, 6, n).astype(float)
    right = rng.integers(1, 6, n).astype(float)
    left[rng.random(n) < 0.01] = 8.0  # 99 % rearfoot
    right[rng.random(n) < 0.03] = 12.0  # 97 % rearfoot
    cols = {**run.columns, "rs_l": left, "rs_r": right}
    fields = {
        "rs_l": DeveloperField("RS_FootStrike_L", "uint8", None, number=0, developer_index=0),
        "rs_r": DeveloperField("RS_FootStrike_R", "uint8", None, number=1, developer_index=0),
    }
    p = tmp_path / "runscribe_plus.fit"
    p.write_bytes(
        encode_activity(replace(run, columns=cols), developer_fields=fields, exclude={"foot_strike"})
    )
    return p


def test_per_foot_fields_give_a_measured_foot_strike(tmp_path):
    act = read(_runscribe_plus(tmp_path))
    assert {"RS_FootStrike_L", "RS_FootStrike_R"} <= set(act.developer.columns)
    name, values = foot_strike_channel(act)
    assert name == "RS_FootStrike_L + RS_FootStrike_R"
    assert np.isfinite(values.to_numpy()).mean() > 0.99
    (f,) = HeelStriking().evaluate(act)
    assert f.confidence == "measured"
    assert f.evidence.values["rearfoot_share"] >= 0.9
    assert "RS_FootStrike_L" in f.message


@pytest.mark.parametrize(
    ("name", "unit", "foot"),
    [
        ("RS_FootStrike_L", None, "left"),
        ("RS_FootStrike_R", None, "right"),
        ("FootStrike Type", None, "both"),
        ("RunScribe FootStrike Type", None, "both"),
        ("Stryd Foot Strike", None, "both"),
        ("Garmin Foot Strike Left", None, "left"),
        ("foot_strike", None, "both"),
        ("FootStrike Angle", "deg", None),  # an angle, not the 1..16 type
        ("Form Power", "Watts", None),
        ("Step Rate", None, None),
    ],
)
def test_names_matched_by_meaning(name, unit, foot):
    assert match_foot_strike(name, unit) == foot
