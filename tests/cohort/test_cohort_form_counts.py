"""``runlens weekly --cohort`` counts form flags and form notes apart (issue 25).

A generated squad read from a local scan's store (one runner per folder):

- ``tall``: the five-week history of tests/history/test_personal_baselines.py
  (seed 3, 23 runs) with a step rate of 145 + 10 x speed, with 13 % fewer
  steps at the same speed for 20 minutes in runs 9 and 16 (past the 10 %
  flag threshold of Heiderscheit et al. 2011 by more than the baseline's
  spread of 2-4 steps/min: two flags) and the left share of ground contact
  at 52 % for 20 minutes in runs 12 and 19 (asymmetry is never a flag: two
  notes).
- ``kit``: two runs after tall's last, one with the left share at 55 % for
  20 minutes (one note), no flag.

Before issue 25's second round the table counted only form flags, and a
weekly-increase column that counted flags the policy no longer gives.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from runlens.cohort import cohort_weekly, frame_from_store
from runlens.cohort.weekly import format_text
from runlens.history import scan

OVERSTRIDE = (9, 16)
BALANCE = (12, 19)


def _squad(root):
    from runlens.sim.fitwrite import encode_activity
    from runlens.sim.synth import Pattern, Runner, simulate_history, simulate_run

    def per_run(i, kind, local, duration):
        if i in OVERSTRIDE:
            return {"patterns": [Pattern("overstride", 1200, 2400, 0.87)]}
        if i in BALANCE:
            return {"patterns": [Pattern("gct_imbalance", 1200, 2400, 52.0)]}
        return {}

    tall = Runner(cadence_a=145.0, cadence_b=10.0, height=1.95)
    runs = simulate_history(seed=3, weeks=5, runner=tall, per_run=per_run)
    (root / "tall").mkdir(parents=True)
    for i, r in enumerate(runs):
        (root / "tall" / f"run{i:02d}.fit").write_bytes(encode_activity(r))
    (root / "kit").mkdir()
    last = max(r.start for r in runs)
    for i in range(2):
        pats = [Pattern("gct_imbalance", 300, 1500, 55.0)] if i else []
        r = simulate_run(
            seed=50 + i, duration_s=1800, start=last + timedelta(days=2 + i), patterns=pats
        )
        (root / "kit" / f"run{i}.fit").write_bytes(encode_activity(r))
    return len(runs)


@pytest.fixture(scope="module")
def squad(tmp_path_factory):
    base = tmp_path_factory.mktemp("squad")
    n_tall = _squad(base / "squad")
    scan(base / "squad", base / "squad.sqlite", jobs=2)
    return base, n_tall


def test_form_flags_and_notes_are_counted_apart(squad):
    base, n_tall = squad
    cw = cohort_weekly(frame_from_store(base / "squad.sqlite"))
    c = cw.counts
    assert list(c.index) == ["kit", "tall"]
    assert c.at["tall", "runs"] == n_tall == 23
    assert c.at["tall", "form_flagged"] == len(OVERSTRIDE)
    assert c.at["tall", "form_noted"] == len(BALANCE)
    assert c.at["kit", "runs"] == 2
    assert c.at["kit", "form_flagged"] == 0
    assert c.at["kit", "form_noted"] == 1
    assert c.at["tall", "flagged_sessions"] == len(OVERSTRIDE) + c.at["tall", "spike_flagged"]
    text = format_text(cw)
    assert "noted = runs with a form note and no form flag" in text
    row = next(line for line in text.splitlines() if line.startswith("tall "))
    # runs, flagged, spike, form, noted, wk>30%
    assert row.split()[-6:-2] == [
        "23",
        str(c.at["tall", "flagged_sessions"]),
        str(c.at["tall", "spike_flagged"]),
        "2",
    ]
    assert row.split()[-2] == "2"
