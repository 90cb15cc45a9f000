"""The warm-up rule on sessions a coach knows: intervals, a triathlon's run leg, a cold start.

Known answers: sample_activities/manifest.csv names the one run built without a
warm-up (``no_warmup:0-600``); the three interval sessions and every other sample
run start easier (runlens.sim.synth ramps the first 10 minutes from 85 % of the
pace); the corpus triathlon's run leg comes after a swim and a ride.
"""

from __future__ import annotations

import csv
import dataclasses

import pytest

from runlens.io import read
from runlens.rules.fatigue import NoWarmup

from ..conftest import SAMPLES, corpus

TRIATHLON = "muktihari-fit/testdata/from_garmin_forums/triathlon_summary_first.fit"


def _manifest():
    with open(SAMPLES / "manifest.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def test_warmup_note_fires_on_the_sample_run_built_without_one_and_no_other():
    rows = _manifest()
    planted = {r["file"] for r in rows if "no_warmup" in r["patterns"]}
    assert planted == {"2026-08-21-run-easy.fit"}
    fired = {r["file"] for r in rows if NoWarmup().evaluate(read(SAMPLES / r["file"]))}
    assert fired == planted


def test_interval_sessions_with_an_easy_start_get_no_note_and_are_recognised():
    rows = [r for r in _manifest() if r["kind"] == "intervals"]
    assert len(rows) == 3
    loose = NoWarmup(easier_pct=100.0)  # every start "no easier": to read the evidence
    for r in rows:
        act = read(SAMPLES / r["file"])
        assert NoWarmup().evaluate(act) == []
        (f,) = loose.evaluate(act)
        assert f.evidence.values["session"] == "interval session"
        # The start is compared with the reps, not with a median the recovery jogs pull down.
        assert f.evidence.values["speed_ratio"] < 0.75


def test_the_planted_cold_start_is_noted():
    act = read(SAMPLES / "2026-08-21-run-easy.fit")
    (f,) = NoWarmup().evaluate(act)
    assert f.severity == "note"
    assert f.evidence.values["session"] == "continuous run"
    assert f.evidence.values["speed_ratio"] > 0.95


def test_triathlon_run_leg_after_a_swim_and_a_ride_is_not_judged():
    act = read(corpus(TRIATHLON))
    assert [s.sport for s in act.sessions] == [
        "swimming",
        "transition",
        "cycling",
        "transition",
        "running",
    ]
    assert NoWarmup().evaluate(act) == []
    # The same run leg as a file of its own is judged (it starts hard off the bike):
    # the skip is what keeps the note away, not a lack of data.
    runs = act.running_sessions()
    alone = dataclasses.replace(act, sessions=runs, records=act.running_records())
    assert len(NoWarmup().evaluate(alone)) == 1


@pytest.mark.parametrize("kind", ["easy", "long", "tempo", "recovery"])
def test_other_sample_kinds_start_easier(kind):
    rows = [r for r in _manifest() if r["kind"] == kind and "no_warmup" not in r["patterns"]]
    assert rows
    for r in rows:
        assert NoWarmup().evaluate(read(SAMPLES / r["file"])) == [], r["file"]
