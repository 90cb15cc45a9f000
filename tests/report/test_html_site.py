"""The offline site of ``runlens report --html`` (runlens.report.html).

Known answers: sample_activities/ holds 28 runs (manifest.csv), and the
2026-08-18 easy run has overstriding planted from 1,200 s to 1,800 s after its
07:03:00 local start (manifest ``overstride:1200-1800``), so its page must show
the overstriding finding and a shaded stretch inside 07:23-07:33 local time.
Under the severity policy (docs/evidence.md section 9) that finding is a NOTE
(judged against the runner's own baseline, 9 % below it: past the 5 % note
threshold, short of the 10 % flag), as are the planted uneven ground contact
(2026-08-23, ``gct_imbalance``) and late-run fade (2026-09-06, ``fade``), which
no rule can make more than a note: the sample history has three noted runs and
no flag. The pain diary is sample_activities/pain-diary.csv (its dates and
severities).

The browser test opens the site in the distribution's Chromium through
Playwright (``.ci/run`` installs both) and skips, saying why, where either is
missing.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import SAMPLES, run_cli

pytest.importorskip("plotly", reason="the site's charts need plotly (pip install 'runlens[html]')")

OVERSTRIDE = "2026-08-18-run-easy.fit"
N_RUNS = 28
#: The runs with a planted pattern that runlens finds, and the note each gets.
NOTED = {
    "2026-08-18": "overstriding",
    "2026-08-23": "uneven ground contact",
    "2026-09-06": "late-run form fade",
}
CHROMIUM = os.environ.get("RUNLENS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def store(samples_store, tmp_path_factory):
    """The sample store with the sample pain diary imported (a copy: the shared one stays)."""
    db = tmp_path_factory.mktemp("site-store") / "h.sqlite"
    shutil.copyfile(samples_store, db)
    r = run_cli("pain", "import", str(SAMPLES / "pain-diary.csv"), "--db", str(db))
    assert r.returncode == 0, r.stderr
    return db


@pytest.fixture(scope="module")
def site(store, tmp_path_factory):
    from runlens import History

    out = tmp_path_factory.mktemp("site") / "site"
    rep = History(store).report_html(out, jobs=2)
    assert not rep.problems
    return out, rep


def _manifest() -> list[dict]:
    with open(SAMPLES / "manifest.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def _page_of(out: Path, name: str) -> Path:
    stem = name.split(".")[0][len("2026-08-18-"):]
    (page,) = list((out / "runs").glob(f"{name[:10]}-{stem}-*.html"))
    return page


def _panels(page: Path) -> dict:
    m = re.search(r'data-chart="panels">(.*?)</script>', page.read_text(encoding="utf-8"), re.S)
    return json.loads(m.group(1).replace("<\\/", "</"))


def test_index_has_the_verdict_and_every_run(site):
    out, rep = site
    text = (out / "index.html").read_text(encoding="utf-8")
    assert rep.runs == N_RUNS and len(rep.written) == N_RUNS
    assert 'id="verdict"' in text and "This week of 07 Sep 2026" in text
    rows = re.findall(r'<tr data-findings="(\w+)"><td data-v="([\d-]+)">', text)
    assert len(rows) == N_RUNS
    # every manifest run has its row and its page
    for m in _manifest():
        day = m["file"][:10]
        assert f'data-v="{day}"' in text, day
        assert _page_of(out, m["file"]).is_file()
    # the three noted runs, and no flag: each note has its pill in the table
    assert {day: state for state, day in rows if state != "clean"} == dict.fromkeys(NOTED, "note")
    for name in NOTED.values():
        assert text.count(f'class="pill note" title="note">{name} (note)</span>') == 1, name
    assert 'class="pill flag" title="flag">' not in text
    # the verdict counts flags and notes apart, in words: this week clean, the five with 3 notes
    assert "This week: nothing flagged, no notes." in text
    assert "In the last 5 weeks: no flags and 3 notes." in text
    # the chart library was copied once, and nothing is loaded from elsewhere
    assert (out / "plotly.min.js").stat().st_size > 1_000_000
    for page in [out / "index.html", *(out / "runs").glob("*.html")]:
        t = page.read_text(encoding="utf-8")
        assert not re.search(r'(src|href)="(https?:)?//', t), page


def test_pain_diary_on_the_fitness_timeline(site):
    out, _ = site
    text = (out / "index.html").read_text(encoding="utf-8")
    m = re.search(r'data-chart="fitness">(.*?)</script>', text, re.S)
    fig = json.loads(m.group(1).replace("<\\/", "</"))
    (pain,) = [t for t in fig["data"] if t["name"].startswith("pain diary")]
    with open(SAMPLES / "pain-diary.csv", newline="") as fh:
        diary = [(r["date"], int(r["severity"])) for r in csv.DictReader(fh)]
    assert sorted(zip(pain["x"], pain["y"])) == sorted(diary)
    assert fig["layout"]["xaxis"]["rangeslider"]["visible"]  # zoom and pan


def test_overstriding_page_shades_the_planted_stretch(site):
    out, _ = site
    page = _page_of(out, OVERSTRIDE)
    text = page.read_text(encoding="utf-8")
    assert 'data-rule="overstriding" data-severity="note"' in text
    assert '<span class="pill note">note</span> <b>overstriding</b>' in text
    assert '<span class="pill flag">flag</span> <b>' not in text
    assert '<span class="pill note">1 note</span> overstriding' in text
    fig = _panels(page)
    shapes = [s for s in fig["layout"]["shapes"] if s["name"] == "note: overstriding"]
    assert len(shapes) == 1 and shapes[0]["fillcolor"] == "#ef8f00"  # a note's amber
    # planted 1200-1800 s after the 07:03:00 local start: 07:23:00-07:33:00
    assert "2026-08-18T07:23:00" <= shapes[0]["x0"] < shapes[0]["x1"] <= "2026-08-18T07:33:00"
    assert shapes[0]["x1"] >= "2026-08-18T07:30:00"  # most of the 10 minutes
    # the evidence beside it: the step rate seen, the runner's own baseline, the source
    assert "149 steps/min" in text and "your own baseline from 8 runs" in text
    assert "Heiderscheit et al. 2011" in text
    # the shared time axis starts at the run's local start
    assert fig["x0_ms"] // 1000 % 86400 == 7 * 3600 + 3 * 60
    names = [t["name"] for t in fig["data"]]
    assert names[:3] == ["Pace", "Heart rate", "Step rate"] and "Ground contact" in names


def test_run_page_summary_beside_the_watch(site):
    out, _ = site
    m = {r["file"]: r for r in _manifest()}[OVERSTRIDE]
    text = _page_of(out, OVERSTRIDE).read_text(encoding="utf-8")
    km = f"{float(m['distance_m']) / 1000:.2f} km"
    row = re.search(r"<td class=\"l\">Distance</td><td>(.*?)</td><td>(.*?)</td>", text)
    assert row.groups() == (km, km)
    for label in ("Step rate", "Vertical oscillation", "Ground contact", "Heart rate"):
        ours, watch = re.search(f'<td class="l">{label}</td><td>(.*?)</td><td>(.*?)</td>', text).groups()
        assert ours != "-" and watch != "-", label
    assert "Kilometre splits" in text and "9 (part)" in text  # 8.39 km
    assert "Time in zones" in text and "Estimated from your history" in text
    assert "<svg" in text and "No route" not in text
    assert text.count("Keep in mind") == 1  # caveats once
    gpx = _page_of(out, "2026-08-25-run-recovery.gpx").read_text(encoding="utf-8")
    assert "carries no summary of the watch's own" in gpx and "the watch's own</th>" not in gpx


def test_rebuild_writes_the_index_and_the_new_run_only(tmp_path):
    from runlens import History

    folder = tmp_path / "runs"
    folder.mkdir()
    files = sorted(p for p in SAMPLES.iterdir() if p.name.startswith("2026-"))
    for p in files[:-1]:
        shutil.copy(p, folder / p.name)
    h = History(tmp_path / "h.sqlite")
    h.scan(folder, jobs=1)
    out = tmp_path / "site"
    first = h.report_html(out, jobs=1)
    assert len(first.written) == N_RUNS - 1
    stamps = {p.name: p.stat().st_mtime_ns for p in (out / "runs").iterdir()}
    index_before = (out / "index.html").read_text(encoding="utf-8")

    shutil.copy(files[-1], folder / files[-1].name)  # one new run
    h.scan(folder, jobs=1)
    again = h.report_html(out, jobs=1)
    assert len(again.written) == 1 and again.kept == N_RUNS - 1
    assert Path(again.written[0]).name.startswith(files[-1].name[:10])
    after = {p.name: p.stat().st_mtime_ns for p in (out / "runs").iterdir()}
    assert {k: after[k] for k in stamps} == stamps  # the other pages untouched
    assert (out / "index.html").read_text(encoding="utf-8") != index_before
    assert len(re.findall(r"<tr data-findings=", (out / "index.html").read_text())) == N_RUNS


def test_run_without_coordinates_says_so(tmp_path):
    from datetime import datetime, timezone

    from runlens import History
    from runlens.sim.fitwrite import encode_activity
    from runlens.sim.synth import simulate_run

    folder = tmp_path / "treadmill"
    folder.mkdir()
    run = simulate_run(seed=3, duration_s=1800, gps=False, dynamics=False,
                       start=datetime(2026, 3, 2, 6, 0, tzinfo=timezone.utc))
    (folder / "treadmill.fit").write_bytes(encode_activity(run))
    h = History(tmp_path / "h.sqlite")
    h.scan(folder, jobs=1)
    rep = h.report_html(tmp_path / "site", jobs=1)
    text = (tmp_path / "site" / rep.written[0]).read_text(encoding="utf-8")
    assert "No route: no coordinates in this file." in text
    assert "Ground contact" not in [t["name"] for t in _panels(tmp_path / "site" / rep.written[0])["data"]]


def test_run_file_gone_bad_keeps_its_page_with_its_note(tmp_path):
    """A file damaged after the scan: its page still lists its stored note, says why there are
    no charts, and keeps the caveats (once); the build reports the problem and goes on."""
    from runlens import History

    folder = tmp_path / "runs"
    folder.mkdir()
    shutil.copy(SAMPLES / OVERSTRIDE, folder / OVERSTRIDE)
    h = History(tmp_path / "h.sqlite")
    h.scan(folder, jobs=1)
    n_notes = int((h.findings()["severity"] == "note").sum())
    assert n_notes == 1  # the planted overstriding; with no history, a note at most
    (folder / OVERSTRIDE).write_bytes(b"not a FIT file")
    rep = h.report_html(tmp_path / "site", jobs=1)
    assert len(rep.problems) == 1 and OVERSTRIDE in rep.problems[0]
    text = (tmp_path / "site" / rep.written[0]).read_text(encoding="utf-8")
    assert "The file could not be read again" in text
    assert text.count('class="finding note"') == n_notes
    assert text.count("Keep in mind") == 1


def test_bad_output_folder_and_empty_history(store, tmp_path):
    a_file = tmp_path / "taken.txt"
    a_file.write_text("x")
    r = run_cli("report", "--html", "-o", str(a_file), "--db", str(store))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines() == [
        f"runlens: error: {a_file}: is a file, not a folder: give a folder for the site"
    ]
    assert a_file.read_text() == "x"
    r = run_cli("report", "--html", "-o", str(a_file / "sub"), "--db", str(store))
    assert r.returncode == 1 and "cannot write the site there" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1

    from runlens import History

    empty = tmp_path / "empty"
    empty.mkdir()
    History(tmp_path / "e.sqlite").scan(empty, jobs=1)
    r = run_cli("report", "--html", "-o", str(tmp_path / "site"), "--db", str(tmp_path / "e.sqlite"))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines() == [
        f"runlens: error: {tmp_path / 'e.sqlite'}: no runs in the history"
    ]


def test_date_range_keeps_fitness_over_the_whole_history(store, tmp_path):
    from runlens import History

    rep = History(store).report_html(tmp_path / "s", date_from="2026-09-01", jobs=1)
    n = sum(m["file"][:10] >= "2026-09-01" for m in _manifest())
    assert rep.runs == n == len(list((tmp_path / "s" / "runs").glob("*.html")))
    text = (tmp_path / "s" / "index.html").read_text(encoding="utf-8")
    assert len(re.findall(r"<tr data-findings=", text)) == n
    m = re.search(r'data-chart="fitness">(.*?)</script>', text, re.S)
    ctl = json.loads(m.group(1).replace("<\\/", "</"))["data"][0]
    assert ctl["x"][0] < "2026-08-15"  # fitness is drawn from the first week on
    # a narrower range rewrites nothing it keeps and removes the pages it drops
    again = History(store).report_html(tmp_path / "s", date_from="2026-09-10", jobs=1)
    assert again.written == [] and again.removed == n - again.runs


def test_cli_builds_the_site(store, tmp_path):
    r = run_cli("report", "--html", "-o", str(tmp_path / "s"), "--db", str(store), "--units",
                "imperial")
    assert r.returncode == 0, r.stderr
    assert f"for {N_RUNS} runs" in r.stdout
    page = _page_of(tmp_path / "s", OVERSTRIDE).read_text(encoding="utf-8")
    assert "Mile splits" in page and "5.21 mi" in page  # 8390.2 m
    # the note's text and evidence in the runner's units too: 5:46 /km is 9:17 /mi
    assert "149 steps/min at 9:17 /mi" in page and "/km" not in page
    index = (tmp_path / "s" / "index.html").read_text(encoding="utf-8")
    assert index.count("Keep in mind") == 1 and "load per day (mi)" in index


# --------------------------------------------------------------------------- browser
def _browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("no browser test: the playwright package is not installed (pip install playwright)")
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"no browser test: no Chromium at {CHROMIUM} (apt-get install chromium)")
    return sync_playwright


def test_site_in_headless_chromium(site):
    sync_playwright = _browser()
    out, _ = site
    requests, errors = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1360, "height": 900})

            def route(r):
                requests.append(r.request.url)
                if r.request.url.startswith("file://"):
                    r.continue_()
                else:
                    r.abort()

            page.route("**/*", route)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto((out / "index.html").as_uri(), wait_until="load")
            assert page.locator("#verdict .headline").inner_text().startswith("This week")
            assert page.locator("#runs tbody tr").count() == N_RUNS
            # the charts were drawn by plotly.js from the site's own copy
            assert page.locator("#load .main-svg").count() > 0
            assert page.locator("#fitness .main-svg").count() > 0
            # filter and sort work
            page.check("#with-findings")
            assert page.locator("#shown").inner_text() == str(len(NOTED))
            page.uncheck("#with-findings")
            page.fill("#filter", "2026-08-18")
            assert page.locator("#shown").inner_text() == "1"
            page.click("#runs tbody tr:visible a")
            page.wait_for_load_state("load")
            assert "Run easy: 2026-08-18" in page.title()
            finding = page.locator('.finding[data-rule="overstriding"]')
            assert finding.count() == 1 and finding.get_attribute("data-severity") == "note"
            assert finding.inner_text().startswith("note overstriding")
            # the shaded stretch is drawn: a shape in the panels' layer and its label
            assert page.locator("#panels .shapelayer path").count() >= 1
            x0 = page.evaluate("document.getElementById('panels').layout.shapes[0].x0")
            assert x0.startswith("2026-08-18T07:2")
            label = page.locator("#panels .annotation-text", has_text="overstriding (note)")
            assert label.count() == 1
            assert page.locator(".route svg polyline").count() >= 2
        finally:
            browser.close()
    assert errors == []
    assert requests and all(u.startswith("file://") for u in requests), requests
