"""The warm-up rule on sessions a coach knows: intervals, a triathlon's run leg, a cold start.

Known answers: sample_activities/manifest.csv names the one run built without a
warm-up (``no_warmup:0-600``), an easy run at the runner's easy effort (its heart
rate stays under 80 % of the file's maximum, 190), so it is not judged (issue 25:
no_warmup only when the main effort is harder than easy); the three interval
sessions and every other sample run start easier (runlens.sim.synth ramps the
first 10 minutes from 85 % of the pace); tempo and interval sessions simulated
without a warm-up are noted; the corpus triathlon's run leg comes after a swim
and a ride.
"""

from __future__ import annotations

import csv
import dataclasses

import pytest

from runlens.config import RunnerProfile
from runlens.io import read
from runlens.rules import resolve_profile
from runlens.rules.fatigue import NoWarmup

from ..conftest import SAMPLES, corpus

TRIATHLON = "muktihari-fit/testdata/from_garmin_forums/triathlon_summary_first.fit"


def _manifest():
    with open(SAMPLES / "manifest.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def _judge(act, rule=None):
    return (rule or NoWarmup()).evaluate(act, profile=resolve_profile(act, None))


def test_no_sample_run_is_noted_the_planted_cold_start_is_an_easy_run():
    rows = _manifest()
    planted = {r["file"] for r in rows if "no_warmup" in r["patterns"]}
    assert planted == {"2026-08-21-run-easy.fit"}
    fired = {r["file"] for r in rows if _judge(read(SAMPLES / r["file"]))}
    assert fired == set()


@pytest.mark.parametrize("kind", ["tempo", "intervals"])
def test_a_hard_session_built_without_a_warmup_is_noted(tmp_path, kind):
    from runlens.sim.fitwrite import encode_activity
    from runlens.sim.synth import Pattern, simulate_run

    cold = simulate_run(seed=4, duration_s=3000, kind=kind, patterns=[Pattern("no_warmup", 0, 600)])
    warm = simulate_run(seed=4, duration_s=3000, kind=kind)
    for name, run in (("cold.fit", cold), ("warm.fit", warm)):
        (tmp_path / name).write_bytes(encode_activity(run))
    (f,) = _judge(read(tmp_path / "cold.fit"))
    assert f.severity == "note" and "harder than your easy effort" in f.message
    assert f.evidence.values["heart_rate_bpm_main_effort"] > 0.8 * 190
    assert _judge(read(tmp_path / "warm.fit")) == []


def test_interval_sessions_with_an_easy_start_get_no_note_and_are_recognised():
    rows = [r for r in _manifest() if r["kind"] == "intervals"]
    assert len(rows) == 3
    # every start "no easier", every effort "hard": to read the evidence
    loose = NoWarmup(easier_pct=100.0, easy_hr_pct=0.0)
    for r in rows:
        act = read(SAMPLES / r["file"])
        assert _judge(act) == []
        (f,) = _judge(act, loose)
        assert f.evidence.values["session"] == "interval session"
        # The start is compared with the reps, not with a median the recovery jogs pull down.
        assert f.evidence.values["speed_ratio"] < 0.75


def test_the_planted_cold_start_is_seen_but_its_easy_effort_is_not_judged():
    act = read(SAMPLES / "2026-08-21-run-easy.fit")
    assert _judge(act) == []
    # With "easy" set below its heart rate the start is what the rule would note.
    (f,) = _judge(act, NoWarmup(easy_hr_pct=0.5))
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
    hard = RunnerProfile(max_hr_bpm=200.0)  # its 170 bpm: 85 %, harder than easy
    assert NoWarmup().evaluate(act, profile=hard) == []
    # The same run leg as a file of its own is judged (it starts hard off the bike):
    # the skip is what keeps the note away, not a lack of data.
    runs = act.running_sessions()
    alone = dataclasses.replace(act, sessions=runs, records=act.running_records())
    assert len(NoWarmup().evaluate(alone, profile=hard)) == 1


@pytest.mark.parametrize("kind", ["easy", "long", "tempo", "recovery"])
def test_other_sample_kinds_start_easier(kind):
    rows = [r for r in _manifest() if r["kind"] == kind and "no_warmup" not in r["patterns"]]
    assert rows
    for r in rows:
        assert _judge(read(SAMPLES / r["file"]), NoWarmup(easy_hr_pct=0.5)) == [], r["file"]
