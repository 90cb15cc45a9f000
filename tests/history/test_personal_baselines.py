"""Every run judged against the runner's own history: planted form changes, found exactly.

The history is simulated with the project's own simulator and FIT encoder: a
tall runner whose natural step rate (127 + 10 x speed: 154-158 steps/min at
easy pace) sits below the population band at every speed, five weeks of
varied runs (easy, recovery, long, tempo, intervals: speeds vary by run).
Planted: in two easy runs 8 % fewer steps at the same speed for 20 minutes
(simulator pattern ``overstride``, magnitude 0.92); in two other runs the
left share of ground contact at 52 % for 20 minutes (two points off the
runner's 50 %, inside Garmin's 52.2 % population band). The same history
without the plants must flag nothing.
"""

from __future__ import annotations

import json
import random
import sqlite3

import pytest

from runlens.cli import main

#: Run index -> planted pattern (run kinds of seed 3: 9, 12, 16 easy, 19 recovery).
OVERSTRIDE = (9, 16)
BALANCE = (12, 19)


def _write(folder, planted: bool):
    from runlens.sim.fitwrite import encode_activity
    from runlens.sim.synth import Pattern, Runner, simulate_history

    tall = Runner(cadence_a=127.0, cadence_b=10.0, height=1.95)

    def per_run(i, kind, local, duration):
        if not planted:
            return {}
        if i in OVERSTRIDE:
            return {"patterns": [Pattern("overstride", 1200, 2400, 0.92)]}
        if i in BALANCE:
            return {"patterns": [Pattern("gct_imbalance", 1200, 2400, 52.0)]}
        return {}

    runs = simulate_history(seed=3, weeks=5, runner=tall, per_run=per_run)
    folder.mkdir(parents=True)
    for i, r in enumerate(runs):
        (folder / f"run{i:02d}.fit").write_bytes(encode_activity(r))
    return [f"run{i:02d}.fit" for i in range(len(runs))]


@pytest.fixture(scope="module")
def histories(tmp_path_factory):
    """Both histories scanned once; the planted one into its folder's default store."""
    import os

    from runlens.history import default_store_path, scan

    base = tmp_path_factory.mktemp("personal")
    old = os.environ.get("XDG_DATA_HOME")
    os.environ["XDG_DATA_HOME"] = str(base / "data")
    try:
        out = {}
        for name, planted in (("planted", True), ("clean", False)):
            names = _write(base / name, planted)
            db = default_store_path() if planted else base / f"{name}.sqlite"
            scan(base / name, None if planted else db, jobs=2)
            out[name] = (base / name, db, names)
    finally:
        if old is None:
            del os.environ["XDG_DATA_HOME"]
        else:
            os.environ["XDG_DATA_HOME"] = old
    out["data_home"] = base / "data"
    return out


def _stored_flags(db) -> dict[str, list[str]]:
    c = sqlite3.connect(db)
    rows = c.execute("SELECT path, findings_json FROM activities ORDER BY path").fetchall()
    c.close()
    return {
        # Form findings, flags and notes: an 8 % drop and a 2-point shift are notes since
        # issue 25 (Heiderscheit measured loading at -10 %; asymmetry is never a flag).
        p.rsplit("/", 1)[-1]: sorted(
            f["rule"] for f in json.loads(fj) if f["severity"] in ("flag", "note")
        )
        for p, fj in rows
    }


def _flagged(flags: dict[str, list[str]], rule: str) -> list[str]:
    return sorted(name for name, rules in flags.items() if rule in rules)


def test_scan_flags_exactly_the_planted_runs(histories):
    folder, db, names = histories["planted"]
    flags = _stored_flags(db)
    assert len(flags) == len(names) == 23
    assert _flagged(flags, "overstriding") == [names[i] for i in OVERSTRIDE]
    assert _flagged(flags, "gct_imbalance") == [names[i] for i in BALANCE]
    assert sum(map(len, flags.values())) == 4  # no other flag anywhere
    c = sqlite3.connect(db)
    ((msg,),) = c.execute(
        "SELECT findings_json FROM activities WHERE path LIKE ?", (f"%{names[OVERSTRIDE[0]]}",)
    )
    c.close()
    (f,) = [x for x in json.loads(msg) if x["rule"] == "overstriding"]
    # judged against the runs before it: run 9 has nine earlier runs
    assert f["evidence"]["basis"].startswith("your own baseline from 9 runs over 60 days")
    assert (
        0.91
        <= f["evidence"]["values"]["cadence_spm"] / f["evidence"]["values"]["baseline_expected_spm"]
        <= 0.93
    )


def test_the_same_history_without_plants_flags_nothing(histories):
    _, db, _ = histories["clean"]
    assert sum(map(len, _stored_flags(db).values())) == 0


def test_analyze_each_file_with_the_store_agrees_with_the_scan(histories, capsys):
    folder, db, names = histories["planted"]
    stored = _stored_flags(db)
    for name in names:
        assert main(["analyze", str(folder / name), "--db", str(db), "--json"]) == 0
        doc = json.loads(capsys.readouterr().out)
        got = sorted(f["rule"] for f in doc["findings"] if f["severity"] in ("flag", "note"))
        assert got == stored[name], name
    # without history the tall runner's step rate is judged on the population
    # band (153 steps/min), which the planted runs' 144 steps/min also cross
    assert main(["analyze", str(folder / names[1]), "--no-history", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [f for f in doc["findings"] if f["severity"] in ("flag", "note")] == []


def test_analyze_finds_the_store_of_the_scanned_folder(histories, monkeypatch, capsys):
    from runlens.history import Store

    folder, db, names = histories["planted"]
    monkeypatch.setenv("XDG_DATA_HOME", str(histories["data_home"]))
    target = folder / names[OVERSTRIDE[1]]
    assert main(["analyze", str(target), "--json"]) == 0  # no --db: the folder's store
    doc = json.loads(capsys.readouterr().out)
    (f,) = [f for f in doc["findings"] if f["severity"] in ("flag", "note")]
    with Store(db, create=False) as st:
        m = st.form_minutes_frame(steady_only=True)
    start = m.loc[m["path"] == str(target), "run_start_s"].iloc[0]
    earlier = m.loc[(m["run_start_s"] < start) & m["cadence_spm"].notna(), "path"].nunique()
    assert 10 <= earlier <= 16  # runs before it with steady running
    assert f["rule"] == "overstriding"
    assert f["evidence"]["basis"].startswith(f"your own baseline from {earlier} runs over 60 days")


def test_weekly_json_and_runs_show_the_flags_in_their_weeks(histories, capsys):
    folder, db, names = histories["planted"]
    assert main(["runs", "--db", str(db), "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)["runs"]
    by_name = {r["path"].rsplit("/", 1)[-1]: r for r in runs}
    assert [n for n, r in by_name.items() if "overstriding" in r["flags"]] == [
        names[i] for i in OVERSTRIDE
    ]
    assert main(["weekly", "--db", str(db), "--json"]) == 0
    weeks = json.loads(capsys.readouterr().out)["weeks"]
    over = {
        w["week"]: sorted(
            f["activity"].rsplit("/", 1)[-1] for f in w["findings"] if f["rule"] == "overstriding"
        )
        for w in weeks
    }
    want = {by_name[names[i]]["week"]: [names[i]] for i in OVERSTRIDE}
    assert {k: v for k, v in over.items() if v} == want
    # the four planted runs carry a form finding each (flag or, under the severity
    # policy, note): each week counts a run once, in one of the two columns
    assert sum(w["form_flag_runs"] + w["form_note_runs"] for w in weeks) == 4
    assert main(["weekly", "--db", str(db), "--csv"]) == 0
    csv_text = capsys.readouterr().out
    assert csv_text.splitlines()[0].split(",")[-3:] == [
        "form_flag_runs", "form_note_runs", "findings"
    ]
    assert sum(
        int(line.split(",")[-3]) + int(line.split(",")[-2]) for line in csv_text.splitlines()[1:]
    ) == 4


def test_scan_result_does_not_depend_on_file_order(histories, tmp_path, monkeypatch):
    import importlib

    from runlens.history import Store

    scan_mod = importlib.import_module("runlens.history.scan")

    folder, db, _ = histories["planted"]
    real = scan_mod.discover_sources

    def shuffled(root):
        found = real(root)
        assert len(found.files) > 2  # something to shuffle
        random.Random(7).shuffle(found.files)
        return found

    monkeypatch.setattr(scan_mod, "discover_sources", shuffled)
    other = tmp_path / "shuffled.sqlite"
    scan_mod.scan(folder, other, jobs=1)

    def judged(path):
        with Store(path, create=False) as s:
            return s.conn.execute(
                "SELECT path, findings_json, judged_as FROM activities ORDER BY path"
            ).fetchall()

    assert judged(other) == judged(db)
    with Store(other, create=False) as a, Store(db, create=False) as b:
        assert a.dump()["form_minutes"] == b.dump()["form_minutes"]


def test_baseline_command_shows_and_draws_the_runners_line(histories, tmp_path, capsys):
    from tests.report.helpers import png_info

    _, db, _ = histories["clean"]
    out = tmp_path / "baseline.png"
    assert main(["baseline", "--db", str(db), "--json", "-o", str(out)]) == 0
    doc = json.loads(capsys.readouterr().out)
    cad = doc["cadence"]
    # the simulated runner: 127 + 10 x speed steps/min
    assert abs(cad["slope_spm_per_m_s"] - 10.0) < 0.6 and abs(cad["intercept_spm"] - 127) < 2
    assert doc["basis"]["cadence_spm"].startswith("your own baseline from")
    assert set(doc["bands"]) == {
        "ground_contact_ms",
        "vertical_oscillation_mm",
        "vertical_ratio_pct",
        "gct_balance_left_pct",
    }
    assert abs(doc["bands"]["gct_balance_left_pct"]["intercept"] - 50.0) < 0.5
    assert png_info(out)[0] > 0
    # before the third run there is too little history: said, not fitted
    # (the window is said as what it is: before the --as-of date, not "before this run")
    early_png = tmp_path / "early.png"
    argv = ["baseline", "--db", str(db), "--json", "--as-of", "2026-07-29", "-o", str(early_png)]
    assert main(argv) == 0
    early = json.loads(capsys.readouterr().out)
    assert early["cadence"] is None
    assert early["basis"]["cadence_spm"].startswith(
        "population band: 1 run in the 60 days before 2026-07-29 (3 needed)"
    )
    assert png_info(early_png)[0] > 0
    assert main(["baseline", "--db", str(db), "--as-of", "2026-07-29"]) == 0
    text = capsys.readouterr().out
    # (the text speaks the runner's language: "other runners' usual range")
    assert "1 run in the 60 days before 2026-07-29 (3 needed)" in text
    assert "before this run" not in text
