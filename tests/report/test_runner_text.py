"""The text a runner reads: weekly tells first, in the runner's units and words.

The histories are generated GPX runs (tests/history/gpxgen.py: straight lines at
2.5 m/s, distances known exactly), scanned into a store in a real process.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from runlens.report.vocab import RULE_NAMES
from tests.conftest import run_cli
from tests.history.gpxgen import spike_history, write_history

#: Rule ids a runner must not read (those that are not plain words already).
RULE_IDS = [k for k in RULE_NAMES if "_" in k]


def _sparse_eight_years() -> list[tuple[dt.datetime, float]]:
    """Sparse runs over 8 years: two 3-week blocks a year of 2 x 5 km, long gaps between.

    The last block is July 2025; then one run on 2025-12-15, after a 22-week gap.
    """
    runs = []
    start = dt.datetime(2018, 1, 1, 7, 0, tzinfo=dt.timezone.utc)  # a Monday
    for year in range(8):
        for block in (0, 26):  # January and July
            for w in range(3):
                for d in (1, 4):
                    day = start + dt.timedelta(weeks=52 * year + block + w, days=d)
                    runs.append((day, 5000.0))
    runs.append((dt.datetime(2025, 12, 15, 7, 0, tzinfo=dt.timezone.utc), 5000.0))
    return runs


@pytest.fixture(scope="module")
def sparse_db(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sparse")
    runs = _sparse_eight_years()
    write_history(tmp / "runs", runs)
    db = tmp / "h.sqlite"
    out = run_cli("scan", str(tmp / "runs"), "--db", str(db), "--jobs", "2")
    assert out.returncode == 0, out.stderr
    return db, runs


def test_weekly_on_a_sparse_eight_year_history_tells_first_in_few_lines(sparse_db):
    db, runs = sparse_db
    out = run_cli("weekly", "--db", str(db), env={"COLUMNS": "100"})
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) <= 60, out.stdout
    # The summary first: the latest week (2025-12-15, one 5 km run) and its totals.
    assert lines[0].startswith("Week of 2025-12-15: 5.0 km in 1 run"), lines[0]
    assert "earlier weeks: --all or --from DATE" in " ".join(lines[:3])
    # The last 12 weeks: 11 runless weeks in one line, then the week of the last run.
    rows = [ln for ln in lines if re.match(r"\d{4}-\d\d-\d\d ", ln)]
    assert any(re.match(r"\S+\s+to \S+: no runs \(\d+ weeks\)", ln) for ln in rows), rows
    for rid in RULE_IDS:
        assert rid not in out.stdout, rid


def test_weekly_all_collapses_runless_stretches(sparse_db):
    db, runs = sparse_db
    doc = json.loads(run_cli("weekly", "--db", str(db), "--json").stdout)
    n_weeks = len(doc["weeks"])
    assert n_weeks > 400  # every week since 2018 in JSON
    text = run_cli("weekly", "--db", str(db), "--all", env={"COLUMNS": "100"}).stdout
    rows = [ln for ln in text.splitlines() if re.match(r"\d{4}-\d\d-\d\d ", ln)]
    gaps = [ln for ln in rows if "no runs" in ln]
    # Each week with a run has its row; each gap between blocks is one line.
    with_runs = sum(1 for w in doc["weeks"] if w["runs"])
    assert with_runs == len({(d - dt.timedelta(days=d.weekday())).date() for d, _ in runs})
    assert len(gaps) >= 15
    assert len(rows) < n_weeks / 4
    covered = sum(int(re.search(r"\((\d+) weeks\)", g)[1]) for g in gaps)
    shown = len(rows) - len(gaps)
    assert covered + shown == n_weeks  # no week lost: collapsed, not dropped


def test_weekly_imperial_has_no_metric_units_and_no_rule_ids(tmp_path):
    runs, _ = spike_history()  # 8 km runs; a 12 km session spike and a +40 % week
    write_history(tmp_path / "runs", runs)
    db = tmp_path / "h.sqlite"
    assert run_cli("scan", str(tmp_path / "runs"), "--db", str(db)).returncode == 0
    out = run_cli("weekly", "--db", str(db), "--units", "imperial", "--all")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert not re.search(r"km|/km|\bmm\b", text), text
    for rid in RULE_IDS:
        assert rid not in text, rid
    # 56 km = 34.8 mi (the +40 % week), 8 km = 4.97 mi a run
    assert re.search(r"^2024-02-19\s+34\.8 ", text, re.M), text
    assert "one run much longer than usual (flag)" in " ".join(text.split())
    # metric by default: the same week in km
    metric = run_cli("weekly", "--db", str(db), "--all").stdout
    assert re.search(r"^2024-02-19\s+56\.0 ", metric, re.M)


def test_analyze_imperial_verbose_has_no_metric_units():
    from tests.conftest import SAMPLES

    out = run_cli(
        "analyze", str(SAMPLES / "2026-09-06-run-long.fit"), "--units", "imperial", "-v", "--laps"
    )
    assert out.returncode == 0, out.stderr
    assert not re.search(r"km|/km|\bmm\b", out.stdout), out.stdout
    # The form-fade finding's pace of 6:00 /km is 9:39 /mi; 84 to 90 mm is 3.3 to 3.5 in.
    flat = " ".join(out.stdout.split())
    assert "9:39 /mi" in flat and "from 3.3 to 3.5 in" in flat
    assert "Mile splits" in out.stdout


def test_pdf_headline_counts_form_flagged_runs(samples_data, tmp_path):
    from runlens.report.pdf import write_report

    rep = write_report(samples_data, tmp_path / "r.pdf")
    # sample_activities/manifest.csv plants three flagged patterns (overstride,
    # gct_imbalance, fade), each in one run, all notes since the severity policy (issue 25);
    # the weeks themselves have no volume flag.
    assert "0 runs with form flags, 3 with form notes; volume: 0 weeks flagged" in rep.headline, (
        rep.headline
    )


def _named_export(tmp_path):
    """A Strava-like export: activities.csv names two of the spike history's runs."""
    runs, _ = spike_history()
    files = write_history(tmp_path / "export" / "activities", runs)
    rows = ["Activity ID,Activity Date,Activity Name,Activity Type,Filename"]
    names = {}
    for i, p in enumerate(files):
        name = "Lakeside long one" if p.name.startswith("0032-") else f"Run {i}"
        names[p.name] = name
        rows.append(f"{i},2024,{name},Run,activities/{p.name}")
    (tmp_path / "export" / "activities.csv").write_text("\n".join(rows) + "\n")
    db = tmp_path / "h.sqlite"
    out = run_cli("scan", str(tmp_path / "export"), "--db", str(db))
    assert out.returncode == 0, out.stderr
    return db, files, names


def test_activity_names_from_activities_csv_shown_by_runs_weekly_and_report(tmp_path):
    db, files, names = _named_export(tmp_path)
    # Run 32 is the Wednesday 12 km of week 6 (2024-02-14): the session spike.
    assert files[32].name.startswith("0032-20240214")
    runs = run_cli("runs", "--db", str(db))
    assert runs.returncode == 0, runs.stderr
    line = next(ln for ln in runs.stdout.splitlines() if ln.startswith("2024-02-14"))
    assert '"Lakeside long one"' in line and "12.0" in line
    weekly = run_cli("weekly", "--db", str(db), "--all", env={"COLUMNS": "200"})
    spike = next(ln for ln in weekly.stdout.splitlines() if "[flag]" in ln and "2024-02-14" in ln)
    assert '2024-02-14 "Lakeside long one"' in spike, spike

    from runlens.api import History
    from runlens.history import Store, build_history
    from runlens.report.charts import chart_data
    from runlens.report.pdf import _week_page

    with Store(db, create=False) as s:
        data = chart_data(build_history(s))
    data.names = History(db).activity_names()
    h = data.history
    wk = h.weeks[h.weeks["week"] == "2024-02-12"].iloc[0]
    acts = h.acts[(h.acts["local_date"] >= wk["week"]) & (h.acts["local_date"] < "2024-02-19")]
    fs = [f for f in data.findings if f.evidence.values.get("week") == "2024-02-12"]
    from matplotlib.text import Text

    # The runs table is drawn as one monospaced text per row (issue 28): any text of the
    # page that names the run counts.
    texts = [
        t.get_text()
        for fig in _week_page(data, wk, acts, fs, data.run_findings)
        for t in fig.findobj(Text)
    ]
    assert any("Lakeside long one" in t for t in texts)  # named as the export names it


def test_a_gpx_run_is_shown_at_one_local_time_by_analyze_and_the_history(samples_store):
    """A GPX file gives UTC times only; the sample's manifest knows its local start
    (2026-08-05 18:45, UTC+2): analyze and the history both take the zone from the
    run's coordinates and show it then."""
    import csv
    import sqlite3

    from tests.conftest import SAMPLES

    name = "2026-08-05-run-tempo.gpx"
    row = next(r for r in csv.DictReader(open(SAMPLES / "manifest.csv")) if r["file"] == name)
    local = dt.datetime.fromisoformat(row["local_start"])
    out = run_cli("analyze", str(SAMPLES / name), "--no-history", env={"COLUMNS": "200"})
    assert out.returncode == 0, out.stderr
    first = " ".join(" ".join(out.stdout.splitlines()[:3]).split())
    assert f"{local:%Y-%m-%d %H:%M} local time (UTC+02:00, Europe/" in first, first
    assert "UTC (the file does not say" not in first
    doc = json.loads(run_cli("analyze", str(SAMPLES / name), "--no-history", "--json").stdout)
    assert doc["utc_offset_s"] == int(row["utc_offset_s"]) == 7200
    with sqlite3.connect(samples_store) as c:
        start_s, off = c.execute(
            "SELECT start_s, utc_offset_s FROM activities WHERE path LIKE ?", (f"%{name}",)
        ).fetchone()
    stored = dt.datetime.fromtimestamp(start_s + off, dt.timezone.utc).replace(tzinfo=None)
    assert stored == local  # the history's clock: the same 18:45


def test_overstriding_not_judged_says_why(tmp_path):
    """A run slower than 8:20 /km (1.8 m/s, below the rule's 2 m/s) is never judged for
    overstriding: the runner is told so, with the pace in their units."""
    from runlens.sim.fitwrite import encode_activity
    from runlens.sim.synth import simulate_run

    path = tmp_path / "slow.fit"
    path.write_bytes(encode_activity(simulate_run(seed=3, duration_s=2400, speed=1.8)))
    out = run_cli("analyze", str(path), "--no-history", env={"COLUMNS": "100"})
    assert out.returncode == 0, out.stderr
    flat = " ".join(out.stdout.split())
    assert "not judged: overstriding" in flat
    assert "Overstriding not judged: only" in flat and "(8:20 /km)" in flat
    mi = " ".join(run_cli("analyze", str(path), "--no-history", "--units", "imperial").stdout.split())
    assert "(13:25 /mi)" in mi and "/km" not in mi


def test_a_ride_gets_no_running_caveats(tmp_path):
    from runlens.sim.synth import simulate_run
    from runlens.sim.tcxwrite import write_tcx

    path = tmp_path / "ride.tcx"
    write_tcx(path, simulate_run(seed=3, duration_s=2400, speed=7.0), sport="Biking")
    out = run_cli("analyze", str(path), "--no-history", env={"COLUMNS": "100"})
    assert out.returncode == 0, out.stderr
    flat = " ".join(out.stdout.split())
    assert "ride" in flat.split("Verdict:")[1][:40]  # "nothing flagged on this ride"
    assert "upper back" not in flat and "Keep in mind" not in flat and "steps/min" not in flat
    doc = json.loads(run_cli("analyze", str(path), "--no-history", "--json").stdout)
    assert doc["sport"] == "cycling" and doc["caveats"] == []


def test_weekly_chart_marks_each_form_flagged_run_on_its_day(samples_data, tmp_path):
    import csv

    from runlens.report.charts import draw_weekly
    from tests.conftest import SAMPLES

    res = draw_weekly(samples_data, tmp_path / "w.png")
    # manifest.csv: the runs with a flagged pattern (overstride, gct_imbalance, fade)
    planted = {"overstride", "gct_imbalance", "fade"}
    want = sorted(
        r["local_start"][:10]
        for r in csv.DictReader(open(SAMPLES / "manifest.csv"))
        if {p.split(":")[0] for p in r["patterns"].split(";") if p} & planted
    )
    # Since the severity policy (issue 25) all three are notes: hollow stars, no filled one.
    assert sorted(res.form_note_runs) == want == ["2026-08-18", "2026-08-23", "2026-09-06"]
    assert res.form_flag_runs == []
