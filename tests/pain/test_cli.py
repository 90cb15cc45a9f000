"""``runlens pain`` in a real process, and the worked example of docs/pain.md on sample_activities."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.conftest import SAMPLES, run_cli
from tests.pain.builder import SPIKES, day, no_warmup_days, spike_runs, write_store


def test_add_list_edit_remove_and_errors(tmp_path):
    db = str(tmp_path / "s.sqlite")
    out = run_cli("pain", "add", "2026-08-24", "--severity", "5", "--note", "tight", "--db", db)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("added 1  2026-08-24   5/10  upper-back   tight")
    run_cli("pain", "add", "2026-08-20", "-s", "2", "--where", "neck", "--db", db)
    lst = json.loads(run_cli("pain", "list", "--json", "--db", db).stdout)
    assert [(e["id"], e["date"], e["severity"], e["location"]) for e in lst] == [
        (2, "2026-08-20", 2, "neck"),
        (1, "2026-08-24", 5, "upper-back"),
    ]
    ed = run_cli("pain", "edit", "1", "--severity", "6", "--db", db)
    assert ed.returncode == 0 and "now     1  2026-08-24   6/10" in ed.stdout
    assert run_cli("pain", "remove", "2", "--db", db).returncode == 0
    text = run_cli("pain", "list", "--db", db).stdout
    assert "neck" not in text and "6/10" in text

    bad = run_cli("pain", "add", "2026-08-24", "--severity", "11", "--db", db)
    assert bad.returncode == 2 and bad.stderr.strip() == (
        "runlens: error: severity '11' is outside 0-10"
    )
    assert "Traceback" not in bad.stderr
    gone = run_cli("pain", "remove", "7", "--db", db)
    assert gone.returncode == 1 and "no pain diary entry with id 7" in gone.stderr
    nostore = run_cli("pain", "list", "--db", str(tmp_path / "none.sqlite"))
    assert nostore.returncode == 1 and "no history store here" in nostore.stderr
    # without --db: the runner's store, which does not exist yet; adding creates it
    noname = run_cli("pain", "list")
    assert noname.returncode == 1 and "no history store here" in noname.stderr
    assert "history.sqlite" in noname.stderr
    assert run_cli("pain", "add", "2026-08-20", "-s", "2").returncode == 0
    mine = run_cli("pain", "list")
    assert mine.returncode == 0 and "2026-08-20" in mine.stdout and "6/10" not in mine.stdout


def test_import_with_bad_rows_exits_1_and_imports_nothing(tmp_path):
    db = str(tmp_path / "s.sqlite")
    f = tmp_path / "d.csv"
    f.write_text("date,severity\n2026-01-01,3\n2026-01-02,x\n2026-01-03,4\n", encoding="utf-8")
    out = run_cli("pain", "import", str(f), "--db", db)
    assert out.returncode == 1
    assert out.stderr.splitlines() == [
        f"runlens: error: {f}: 1 bad row, nothing imported (fix and import again)",
        f"{f} line 3: severity 'x' is not a number 0-10",
    ]
    assert run_cli("pain", "list", "--db", db).stdout.startswith("The pain diary is empty")


def test_report_json_on_a_known_history(tmp_path):
    db = tmp_path / "s.sqlite"
    write_store(db, spike_runs(), no_warmup_days())
    f = tmp_path / "d.csv"
    f.write_text("date,severity\n" + "".join(f"{day(s + 1)},5\n" for s in SPIKES), encoding="utf-8")
    assert run_cli("pain", "import", str(f), "--db", str(db)).returncode == 0
    out = run_cli("pain", "report", "--json", "--db", str(db))
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["comparison"]["ranking"][0] == "session_spike"
    assert doc["comparison"]["notable"] == ["session_spike"]
    short = run_cli("pain", "report", "--days", "3", "--threshold", "6", "--db", str(db))
    assert short.returncode == 0 and "No pain episode in the diary." in short.stdout
    bad = run_cli("pain", "report", "--days", "0", "--db", str(db))
    assert bad.returncode == 1 and "--days must be 1-60" in bad.stderr


def _generator():
    from tests.test_sample_activities import load_generator

    return load_generator()


def test_worked_example_on_sample_activities(tmp_path):
    """docs/pain.md: scan sample_activities, import its diary, report."""
    gen = _generator()
    db = str(tmp_path / "sample.sqlite")
    scan = run_cli("scan", str(SAMPLES), "--db", db, "--jobs", "2")
    assert scan.returncode == 0, scan.stderr
    imp = run_cli("pain", "import", str(SAMPLES / gen.PAIN_DIARY_FILE), "--db", db)
    assert imp.returncode == 0, imp.stderr
    n = len(gen.PAIN_DIARY)
    assert f"{n} rows from 2026-08-17 to 2026-09-12; {n} added, 0 already" in imp.stdout
    out = run_cli("pain", "report", "--json", "--db", db)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)

    # Episodes as the generator wrote them: upper-back days >= 3, gaps <= 1 day merged.
    first = gen.FIRST_DAY
    pain_days = sorted(o for o, sev, _w, _n in gen.PAIN_DIARY if sev >= 3)
    assert pain_days == [14, 22, 23, 38, 39]
    assert [(e["start"], e["end"], e["peak"]) for e in doc["episodes"]] == [
        ((first + dt.timedelta(days=a)).isoformat(), (first + dt.timedelta(days=b)).isoformat(), p)
        for a, b, p in ((14, 14, 4), (22, 23, 5), (38, 39, 4))
    ]
    # The pain-free stretches the generator left: days 0-6 and 24-30.
    assert [(w["start"], w["end"]) for w in doc["control_windows"]] == [
        ("2026-08-03", "2026-08-09"),
        ("2026-08-27", "2026-09-02"),
    ]
    # Injected patterns show up before the episodes that follow them.
    kinds = [set(e["kinds"]) for e in doc["episodes"]]
    assert "gct_imbalance" in kinds[1]  # 2026-08-23, imbalance 54/46
    assert "form_fade" in kinds[2]  # 2026-09-06, late fade
    c = doc["comparison"]
    assert c["meaningful"] and (c["episodes_compared"], c["control_windows"]) == (3, 2)
    assert c["notable"] == []
    assert doc["statement"].startswith("This is an association in one person's data")
    text = run_cli("pain", "report", "--db", db).stdout
    assert "Nothing notable" in text and "Sample size: 3 episodes and 2 pain-free windows" in text


def test_pain_help_lists_every_action():
    out = run_cli("pain", "--help")
    assert out.returncode == 0
    for action in ("add", "list", "edit", "remove", "import", "report"):
        assert action in out.stdout
    bare = run_cli("pain")  # alone: its help on stdout, exit 0, like `runlens`
    assert bare.returncode == 0 and "report" in bare.stdout


@pytest.mark.parametrize("action", ["add", "list", "edit", "remove", "import", "report"])
def test_every_action_has_help(action):
    out = run_cli("pain", action, "--help")
    assert out.returncode == 0 and "--db" in out.stdout and "RUNLENS_DB" in out.stdout
