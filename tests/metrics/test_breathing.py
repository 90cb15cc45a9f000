"""Breathing rate and steps per breath (docs/metrics.md, Breathing).

Known answers: files written by runlens.sim.fitwrite from runs whose steps per
breath is set (synth: breathing = cadence / steps per breath), hand-built
samples, and the watch's own session and lap averages in the corpus.
"""

from __future__ import annotations

import io

import numpy as np
import pytest

from runlens import read
from runlens.metrics import activity_metrics, lap_metrics, steps_per_breath
from runlens.report.analysis import analysis_dict, format_text
from runlens.sim.fitwrite import encode_activity
from runlens.sim.synth import simulate_run
from tests.conftest import corpus
from tests.metrics.helpers import make_activity


def _read(run):
    return read(io.BytesIO(encode_activity(run)))


def test_steady_run_at_4_5_steps_per_breath():
    run = simulate_run(seed=21, duration_s=3000, smart_recording=True, respiration=True)
    m = activity_metrics(_read(run))
    assert m["steps_per_breath"] == pytest.approx(4.5, abs=0.1)
    # The breathing rate is step rate / 4.5: about 164 / 4.5 at this runner's easy pace.
    expected = float(np.mean(run["cadence"] / run["respiration_rate"]))
    assert expected == pytest.approx(4.5, abs=0.05)
    assert m["respiration_rate_brpm"] == pytest.approx(m["cadence_spm"] / 4.5, rel=0.03)


def test_hand_computed_time_weighted_rate_and_ratio():
    # 20 min at 1 s: 170 spm, 34 brpm for the first 15 min, then 42.5 brpm (4.0 steps/breath).
    t = np.arange(1201.0)
    br = np.where(t <= 900, 34.0, 42.5)
    a = make_activity(t, speed_m_s=np.full(t.size, 3.0), cadence_spm=np.full(t.size, 170.0),
                      respiration_rate_brpm=br)
    m = activity_metrics(a)
    # Timer-weighted: 900 s at 34, 300 s at 42.5 (the first sample stands for 0 s).
    assert m["respiration_rate_brpm"] == pytest.approx((900 * 34 + 300 * 42.5) / 1200)
    # Steady running from 600 s of timer time on: the samples at 600-900 s (301 s at
    # 5.0 steps per breath) and 901-1200 s (300 s at 4.0).
    assert m["steps_per_breath"] == pytest.approx(170.0 / ((301 * 34 + 300 * 42.5) / 601))


def test_steps_per_breath_needs_a_minute_of_steady_running():
    assert steps_per_breath([180], [40], [59.0]) is None
    assert steps_per_breath([180, 180], [40, np.nan], [60.0, 60.0], min_s=61) is None
    assert steps_per_breath([180, 180], [40, 45], [60.0, 60.0], steady=[True, False]) == 4.5


def test_laps_carry_breathing_rate_and_steps_per_breath():
    run = simulate_run(seed=22, duration_s=2400, respiration=True, lap_distance_m=1000.0)
    laps = lap_metrics(_read(run))
    late = laps[laps["start"] > laps["start"].iloc[0] + np.timedelta64(12, "m")]
    assert late["respiration_rate_brpm"].notna().all()
    spb = late["steps_per_breath"].dropna()
    assert len(spb) >= 3 and np.all(np.abs(spb - 4.5) < 0.15)


def test_without_the_field_it_says_not_recorded_and_nothing_else():
    run = simulate_run(seed=23, duration_s=1800)
    a = _read(run)
    m = activity_metrics(a)
    assert m["respiration_rate_brpm"] is None and m["steps_per_breath"] is None
    result = analysis_dict(a)
    assert result["summary"]["respiration_rate_brpm"] is None
    assert result["summary"]["steps_per_breath"] is None
    text = format_text(result)
    lines = [ln for ln in text.splitlines() if "reath" in ln]
    assert lines == [f"  {'Breathing':24}{'not recorded':>16}"]
    assert "br/min" not in text


def test_analyze_shows_breathing_when_recorded():
    run = simulate_run(seed=24, duration_s=2400, respiration=True)
    result = analysis_dict(_read(run))
    s = result["summary"]
    assert s["steps_per_breath"] == pytest.approx(4.5, abs=0.1)
    assert "respiration_rate_brpm" not in result["metrics"]
    assert result["sessions"][0]["summary"]["respiration_rate_brpm"] == pytest.approx(
        s["respiration_rate_brpm"]
    )
    text = format_text(result)
    assert f"{s['respiration_rate_brpm']:.1f} breaths/min" in text
    assert f"Steps per breath{s['steps_per_breath']:>24.2f}" in text


def _watch_averages(path, message):
    import fitdecode

    out = []
    with fitdecode.FitReader(path) as fr:
        for fm in fr:
            if isinstance(fm, fitdecode.FitDataMessage) and fm.name == message:
                out.append(fm.get_value("enhanced_avg_respiration_rate", fallback=None))
    return out


@pytest.mark.parametrize(
    "rel",
    ["fitparse-rs/fitparser/tests/fixtures/hrv-activity.fit", "tormoder-fit/testdata/bpg/garmin.fit"],
)
def test_session_average_equals_the_watch(rel):
    path = corpus(rel)
    (watch,) = _watch_averages(path, "session")
    m = activity_metrics(read(path), running_only=False)
    # The watch stores the average to 0.01 breaths/min.
    assert m["respiration_rate_brpm"] == pytest.approx(watch, abs=0.006)


def test_lap_averages_agree_with_the_watch():
    path = corpus("fitparse-rs/fitparser/tests/fixtures/hrv-activity.fit")
    watch = np.array(_watch_averages(path, "lap"), dtype=float)
    ours = lap_metrics(read(path), running_only=False)["respiration_rate_brpm"].to_numpy()
    assert len(ours) == len(watch) == 15
    # Records at lap boundaries are assigned differently: measured gap 0.33 breaths/min.
    assert np.max(np.abs(ours - watch)) < 0.35


def test_form_minutes_carry_breathing_rate_and_steps_per_breath():
    from runlens.metrics import form_minutes
    from runlens.sim.synth import Pattern

    # Steps per breath 4.5, then ramping to 3 over 25-30 min and held to the end.
    plant = [Pattern("fast_breathing", 1500, 3000)]
    run = simulate_run(seed=22, duration_s=3000, smart_recording=True, patterns=plant)
    fm = form_minutes(_read(run))
    st = fm[fm["steady"]]
    early, late = st[st["minute"].between(10, 23)], st[st["minute"] >= 33]
    assert len(early) >= 10 and len(late) >= 10
    # the simulated breathing is noisy minute to minute (a watch's is more so)
    assert early["steps_per_breath"].mean() == pytest.approx(4.5, abs=0.05)
    assert late["steps_per_breath"].mean() == pytest.approx(3.0, abs=0.05)
    assert np.allclose(early["steps_per_breath"], 4.5, atol=0.25)
    assert np.allclose(late["steps_per_breath"], 3.0, atol=0.2)
    # the ratio of the minute's own means
    ratio = fm["cadence_spm"] / fm["respiration_rate_brpm"]
    assert np.allclose(fm["steps_per_breath"], ratio, rtol=0.01, equal_nan=True)


def test_form_minutes_without_the_field_have_empty_breathing_columns():
    from runlens.metrics import form_minutes

    fm = form_minutes(_read(simulate_run(seed=23, duration_s=1800, smart_recording=True)))
    assert len(fm) >= 30  # 30 min of timer time (plus the last record's second)
    assert fm["respiration_rate_brpm"].isna().all() and fm["steps_per_breath"].isna().all()


def test_docs_table_lists_every_corpus_file_that_records_breathing_with_its_average():
    """docs/metrics.md's breathing table: the catalog's files, as runlens reads them today."""
    import csv
    import re

    from tests.conftest import CORPUS, ROOT

    cat = CORPUS / "catalog.csv"
    if not cat.exists():
        pytest.skip("corpus catalog not found")
    with open(cat, newline="") as fh:
        wanted = sorted(
            r["path"]
            for r in csv.DictReader(fh)
            if {"respiration_rate", "enhanced_respiration_rate"} & set(r["record_fields"].split(";"))
        )
    doc = (ROOT / "docs" / "metrics.md").read_text()
    section = doc.split("## Breathing", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\S+?\.fit) .*?\| (\d+) of (\d+) \| ([\d.]+) \|", section, re.M)
    listed = {}
    for name, n_rate, n_rec, avg in rows:  # "repo/.../file.fit": the repo and the file name
        repo, base = name.split("/")[0], name.split("/")[-1]
        (path,) = [p for p in wanted if p.startswith(repo + "/") and p.endswith("/" + base)]
        listed[path] = (int(n_rate), int(n_rec), float(avg))
    assert sorted(listed) == wanted
    for path, (n_rate, n_rec, avg) in listed.items():
        a = read(corpus(path))
        r = a.records["respiration_rate_brpm"]
        assert (int((r > 0).sum()), len(a.records)) == (n_rate, n_rec), path
        m = activity_metrics(a, running_only=False)
        assert m["respiration_rate_brpm"] == pytest.approx(avg, abs=0.005), path
        assert m["steps_per_breath"] is None  # none of them is a run


def test_12_steps_per_breath_is_not_printed_as_a_value(tmp_path):
    """A breathing rate of about 15.9 at 166 steps/min: 'not plausible', not '12.3'."""
    from dataclasses import replace

    from runlens import analyze
    from runlens.sim.synth import DEFAULT_RUNNER

    runner = replace(DEFAULT_RUNNER, steps_per_breath=12.3)
    run = simulate_run(seed=2, duration_s=1800, respiration=True, runner=runner)
    p = tmp_path / "odd_breathing.fit"
    p.write_bytes(encode_activity(run))
    a = analyze(p, rules=False)
    m = a.to_dict()
    assert m["summary"]["steps_per_breath"] is None
    assert m["metrics"]["steps_per_breath_implausible"] == pytest.approx(12.3, abs=0.3)
    text = a.to_text()
    (line,) = [ln for ln in text.splitlines() if "Steps per breath" in ln]
    assert "not plausible" in line and "check the strap" in line
    assert "12.3" not in line.split("not plausible")[0]
    # A runner at 4.5 steps per breath still gets the value.
    ok = tmp_path / "ok.fit"
    ok.write_bytes(encode_activity(simulate_run(seed=2, duration_s=1800, respiration=True)))
    assert analyze(ok, rules=False).to_dict()["summary"]["steps_per_breath"] == pytest.approx(
        4.5, abs=0.15
    )
