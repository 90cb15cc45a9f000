"""The store supplies the breathing baseline: a planted run breathing fast gets the note.

A three-week history simulated with the project's simulator and FIT encoder,
every run with a breathing rate at 4.5 steps per breath (breaths/min = step
rate / 4.5 at every speed). In one easy run (run 10) steps per breath ramps to
3 over the first third of the run and holds (simulator pattern
``fast_breathing``): 1.5 x the runner's breathing rate at that speed, above
the rule's 1.2 x. The scan fits the breathing line from the stored steady
minutes of the runs before each run; ``analyze`` finds the folder's store
and judges the file the same way. No other run may get the note.
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from runlens.cli import main

PLANTED = 10


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    import os

    from runlens.history import default_store_path, scan
    from runlens.sim.fitwrite import encode_activity
    from runlens.sim.synth import Pattern, simulate_history

    def per_run(i, kind, local, duration):
        return {"patterns": [Pattern("fast_breathing", 0, duration)]} if i == PLANTED else {}

    runs = simulate_history(seed=5, weeks=3, per_run=per_run, respiration=True)
    base = tmp_path_factory.mktemp("breathing")
    folder = base / "runs"
    folder.mkdir()
    names = []
    for i, r in enumerate(runs):
        names.append(f"run{i:02d}.fit")
        (folder / names[-1]).write_bytes(encode_activity(r))
    old = os.environ.get("XDG_DATA_HOME")
    os.environ["XDG_DATA_HOME"] = str(base / "data")
    try:
        db = default_store_path()
        scan(folder, None, jobs=2)
    finally:
        if old is None:
            del os.environ["XDG_DATA_HOME"]
        else:
            os.environ["XDG_DATA_HOME"] = old
    return folder, db, names, base / "data", runs


def _notes(db, rule):
    c = sqlite3.connect(db)
    rows = c.execute("SELECT path, findings_json FROM activities ORDER BY path").fetchall()
    c.close()
    return {
        p.rsplit("/", 1)[-1]: [f for f in json.loads(fj) if f["rule"] == rule] for p, fj in rows
    }


def test_scan_gives_the_breathing_baseline_note_on_the_planted_run_only(history):
    folder, db, names, _, runs = history
    assert runs[PLANTED].kind in ("easy", "recovery")
    notes = _notes(db, "breathing_baseline")
    assert len(notes) == len(names)
    assert [n for n, f in notes.items() if f] == [names[PLANTED]]
    (f,) = notes[names[PLANTED]]
    assert f["severity"] == "note"
    ev = f["evidence"]
    # judged on the runs before it with steady breathing minutes, at about
    # 4.5 / 3 = 1.5 x its expected rate
    from runlens.history import Store

    with Store(db, create=False) as s:
        m = s.form_minutes_frame(steady_only=True)
    before = m[(m["run_start_s"] < runs[PLANTED].start.timestamp()) & m["respiration_rate_brpm"].notna()]
    assert 8 <= before["path"].nunique() <= PLANTED
    assert f"{before['path'].nunique()} runs, 60 days" in ev["basis"]
    ratio = ev["values"]["respiration_rate_brpm"] / ev["values"]["baseline_expected_brpm"]
    assert 1.35 <= ratio <= 1.6


def test_the_stored_minutes_carry_the_breathing_line(history):
    from runlens.history import Store, personal_baseline

    _, db, _, _, runs = history
    with Store(db, create=False) as s:
        minutes = s.form_minutes_frame(steady_only=True)
    b = personal_baseline(minutes, runs[PLANTED].start.timestamp()).breathing
    assert b is not None
    # breaths/min = step rate / 4.5 and step rate = a + b x speed: the fitted line
    # predicts step rate / 4.5 at the runner's easy speed
    easy = minutes[(minutes["speed_m_s"] > 2.5) & (minutes["speed_m_s"] < 3.2)]
    easy = easy[easy["respiration_rate_brpm"].notna() & (easy["steps_per_breath"] > 4.0)]
    assert b.expected_brpm(easy["speed_m_s"].median()) == pytest.approx(
        easy["cadence_spm"].median() / 4.5, rel=0.04
    )


def test_analyze_finds_the_store_and_gives_the_same_note(history, monkeypatch, capsys):
    folder, db, names, data_home, _ = history
    monkeypatch.setenv("XDG_DATA_HOME", str(data_home))
    stored = _notes(db, "breathing_baseline")
    for name in (names[PLANTED], names[PLANTED - 1], names[-1]):
        assert main(["analyze", str(folder / name), "--json"]) == 0
        doc = json.loads(capsys.readouterr().out)
        got = [f for f in doc["findings"] if f["rule"] == "breathing_baseline"]
        assert len(got) == len(stored[name]), name
    assert main(["analyze", str(folder / names[PLANTED])]) == 0
    text = capsys.readouterr().out
    assert "own baseline" in text and "breaths/min" in text
