"""Histories written to disk as GPX with known spikes: flagged exactly, in the right week."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from runlens.history import Store, fit_baseline, scan
from tests.conftest import run_cli
from tests.history.gpxgen import spike_history, steady_weeks, write_history


def _flags(doc):
    return sorted(
        (f["rule"], w["week"])
        for w in doc["weeks"]
        for f in w["findings"]
        if f["severity"] == "flag"
    )


def test_known_spikes_on_disk_flagged_in_their_weeks(tmp_path):
    runs, expected = spike_history()
    write_history(tmp_path / "runs", runs)
    rep = scan(tmp_path / "runs", tmp_path / "s.sqlite", jobs=2)
    assert (rep.activities, rep.runs, rep.weeks, rep.bad) == (52, 52, 10, 0)
    out = run_cli("weekly", "--db", str(tmp_path / "s.sqlite"), "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    # The session spike is a flag; the weekly increase a note since issue 25.
    assert _flags(doc) == [("session_spike", expected["session_spike"])]
    notes = [(f["rule"], w["week"]) for w in doc["weeks"] for f in w["findings"]
             if f["severity"] == "note"]
    assert ("weekly_increase", expected["weekly_increase"]) in notes
    wk = {w["week"]: w for w in doc["weeks"]}
    assert wk["2024-02-19"]["change_pct"] == pytest.approx(40.0, abs=1e-4)
    assert wk["2024-02-19"]["distance_m"] == pytest.approx(56000.0, abs=0.01)
    assert [w["runs"] for w in doc["weeks"]] == [5] * 7 + [7, 5, 5]
    text = run_cli("weekly", "--db", str(tmp_path / "s.sqlite"))
    flat = " ".join(text.stdout.split())  # the text is wrapped to the terminal's width
    # Rule names, not ids, in the text (issue 26); the ids stay in --json.
    assert "one run much longer than usual (flag)" in flat and "not medical advice" in flat
    assert "session_spike" not in flat
    with Store(tmp_path / "s.sqlite") as s:
        (r,) = s.conn.execute("SELECT max(spike_ratio) FROM activities").fetchone()
    assert r == pytest.approx(0.5, abs=1e-6)


def test_steady_history_on_disk_flags_nothing(tmp_path):
    write_history(tmp_path / "runs", steady_weeks(8))
    scan(tmp_path / "runs", tmp_path / "s.sqlite", jobs=2)
    out = run_cli("weekly", "--db", str(tmp_path / "s.sqlite"), "--json")
    doc = json.loads(out.stdout)
    found = [f for w in doc["weeks"] for f in w["findings"]]
    assert [f["rule"] for f in found] == ["volume_history"]
    assert [round(w["distance_m"]) for w in doc["weeks"]] == [40000] * 8
    # CTL - ATL is "tsb" (freshness); "form" names running form only.
    assert {"ctl", "atl", "tsb"} <= set(doc["weeks"][0]) and "form" not in doc["weeks"][0]


# ----------------------------------------------------------------- baseline
def _points(rng, n_min, start_s, path, a=120.0, b=15.0, lo=2.4, hi=4.0):
    """Steady form minutes of one run, as the store keeps them (spm = a + b v + noise)."""
    v = rng.uniform(lo, hi, n_min)
    return pd.DataFrame(
        {
            "path": path,
            "run_start_s": start_s,
            "speed_m_s": v,
            "cadence_spm": a + b * v + rng.normal(0, 1.5, n_min),
            "steady_s": 60.0,
        }
    )


def test_fit_baseline_recovers_the_runner_relation_and_uses_60_days():
    rng = np.random.default_rng(3)
    t0 = pd.Timestamp("2024-03-01", tz="UTC").timestamp()
    rows = [  # recent: spm = 120 + 15 v; 100 days ago: another relation, must be ignored
        _points(rng, 30, t0 - d * 86400, f"r{d}") for d in (2, 10, 20, 40)
    ] + [_points(rng, 30, t0 - 100 * 86400, "old", a=150, b=0)]
    bl = fit_baseline(pd.concat(rows), as_of="2024-03-01")
    assert bl.n_activities == 4 and bl.n_samples == 120
    assert bl.intercept_spm == pytest.approx(120, abs=2)
    assert bl.slope_spm_per_m_s == pytest.approx(15, abs=0.7)
    assert bl.residual_sd_spm == pytest.approx(1.5, abs=0.4)
    assert 2.4 <= bl.speed_range_m_s[0] < bl.speed_range_m_s[1] <= 4.0
    # too little in the window -> None
    assert fit_baseline(pd.concat(rows[:2]), as_of="2024-03-01") is None
    assert fit_baseline(pd.concat(rows), as_of="2025-01-01") is None
    # a run is never part of its own baseline: the window ends before its start
    assert fit_baseline(pd.concat(rows[:4]), as_of=pd.Timestamp(t0 - 10 * 86400, unit="s")) is None


def test_form_minutes_steady_flags_skip_warmup_slow_and_hilly_minutes():
    from runlens.metrics import form_minutes
    from runlens.model import Activity, Source

    t = pd.date_range("2024-01-01", periods=40 * 60, freq="s", tz="UTC", name="timestamp")
    speed = np.full(t.size, 3.0)
    speed[25 * 60 : 28 * 60] = 1.5  # three slow minutes
    alt = np.zeros(t.size)
    alt[30 * 60 : 32 * 60] = np.linspace(0, 30, 120)  # 30 m up over 360 m: 8 % grade
    alt[32 * 60 :] = 30
    rec = pd.DataFrame(
        {
            "distance_m": np.cumsum(speed) - speed[0],
            "speed_m_s": speed,
            "altitude_m": alt,
            "cadence_spm": 150 + 8 * speed,
        },
        index=t,
    )
    act = Activity(records=rec, source=Source("x", "fit", "0", 0), sport="running", start=t[0])
    fm = form_minutes(act)
    steady = fm[fm["steady"]]
    # minutes 10..39 = 30, minus the 3 slow ones (25-27) and the 2 climbing (30, 31)
    assert steady["minute"].tolist() == [m for m in range(10, 40) if m not in (25, 26, 27, 30, 31)]
    assert np.allclose(steady["speed_m_s"], 3.0) and np.allclose(steady["cadence_spm"], 174.0)
