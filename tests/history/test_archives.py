"""Bulk exports scanned in place: a Strava-style zip and a Garmin-style nested export.

Every expected number comes from what the test builds: simulated runs of known
sport and start, written as FIT, GPX and TCX into zips laid out as the two
platforms lay out their exports, with activities.csv / summarizedActivities
lists saying what each file is.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import zipfile
from datetime import timedelta

import pytest

from runlens.history import Store, scan
from runlens.sim.fitwrite import encode_activity
from runlens.sim.gpxwrite import to_gpx
from runlens.sim.synth import DEFAULT_START, simulate_run
from runlens.sim.tcxwrite import to_tcx
from tests.conftest import run_cli


def _run(day: int, seed: int | None = None):
    return simulate_run(
        seed=seed if seed is not None else day, duration_s=900,
        start=DEFAULT_START + timedelta(days=day),
    )


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


STRAVA_CSV = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,"
    "Elapsed Time,Distance,Filename\n"
    '1,"Sep 7, 2026, 4:30:00 AM",Morning Run,Run,,900,2.4,activities/1.fit.gz\n'
    '2,"Sep 8, 2026, 4:30:00 AM",Dog walk,Walk,,900,2.4,activities/2.gpx.gz\n'
    '3,"Sep 9, 2026, 4:30:00 AM",Tempo,Run,,900,2.4,activities/3.tcx.gz\n'
    '4,"Sep 10, 2026, 4:30:00 AM",Easy,Run,,900,2.4,activities/4.gpx.gz\n'
    '5,"Sep 11, 2026, 4:30:00 AM",Broken,Run,,900,2.4,activities/5.fit.gz\n'
    '6,"Sep 12, 2026, 4:30:00 AM",Gym,Weight Training,,900,0,\n'
)


def strava_zip(path, *, changed: bool = False):
    """A Strava bulk export: activities/ with .fit.gz, .gpx.gz, .tcx.gz, activities.csv.

    GPX 2 and 4 have no <type>: the csv says 2 is a walk (its cadence, a
    simulated run's, would otherwise make it a run) and 4 a run.
    """
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("activities/1.fit.gz", gzip.compress(encode_activity(_run(0)), mtime=0))
        z.writestr("activities/2.gpx.gz", gzip.compress(
            to_gpx(_run(1), activity_type="").encode().replace(b"<type></type>", b""), mtime=0))
        z.writestr("activities/3.tcx.gz", gzip.compress(to_tcx(_run(2)).encode(), mtime=0))
        run4 = _run(3, seed=33 if changed else 3)
        z.writestr("activities/4.gpx.gz", gzip.compress(
            to_gpx(run4, activity_type="").encode().replace(b"<type></type>", b""), mtime=0))
        z.writestr("activities/5.fit.gz", b"\x1f\x8b\x08\x00garbage")
        z.writestr("activities.csv", STRAVA_CSV)
        z.writestr("profile.csv", "Email,Name\n")
        z.writestr("media/1.jpg", b"\xff\xd8")


def _activities(db):
    with Store(db, create=False) as s:
        df = s.activities_frame(("sport", "format", "utc_offset_s", "warnings"))
    return {p.rsplit("!/", 1)[-1]: row for p, row in zip(df["path"], df.to_dict("records"))}


def test_strava_zip_scanned_in_place(tmp_path):
    z = tmp_path / "export_12345.zip"
    strava_zip(z)
    before = _sha(z)
    db = tmp_path / "store.sqlite"

    rep = scan(z, db, jobs=1)
    assert rep.found == 5 and rep.read == 5 and rep.analysed == 4 and rep.bad == 1
    acts = _activities(db)
    assert set(acts) == {"activities/1.fit.gz", "activities/2.gpx.gz",
                         "activities/3.tcx.gz", "activities/4.gpx.gz"}
    # activities.csv gave the sport of the two GPX without <type>.
    assert acts["activities/2.gpx.gz"]["sport"] == "walking"
    assert acts["activities/4.gpx.gz"]["sport"] == "running"
    assert acts["activities/3.tcx.gz"]["format"] == "tcx"
    assert rep.runs == 3  # 1.fit, 3.tcx, 4.gpx; the walk is not a run
    assert rep.export_lists == 1 and rep.hinted == 2
    # The corrupt member is listed by its path in the zip; the rest is stored.
    assert [(p.rsplit("!/", 1)[-1], st) for p, st, _ in rep.problems] == [
        ("activities/5.fit.gz", "bad")]
    assert rep.left_out == {".csv": 1, ".jpg": 1}
    with Store(db, create=False) as s:
        names = s.meta("activity_names")
    assert names[str(z) + "!/activities/3.tcx.gz"] == "Tempo"

    rep2 = scan(z, db, jobs=1)  # nothing changed: the zip is not even opened
    assert rep2.read == 0 and rep2.not_read == 5 and rep2.archives_unchanged == 1

    strava_zip(z, changed=True)  # a new zip, one member changed
    rep3 = scan(z, db, jobs=1)
    assert rep3.read == 1 and rep3.analysed == 1 and rep3.not_read == 4
    assert _sha(z) != before
    after = _sha(z)
    scan(z, db, jobs=2, rescan=True)
    assert _sha(z) == after  # the zip is never written


def garmin_export(path):
    """Garmin "export all data": FIT in zips inside DI-Connect-Uploaded-Files, summaries json.

    The GPX in it has no sport and no time zone: the summary (matched by start
    time) gives both; the FIT files say theirs themselves.
    """
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("runner@example.com_1001.fit", encode_activity(_run(0)))
        z.writestr("runner@example.com_1002.fit", encode_activity(_run(1)))
        z.writestr("runner@example.com_1003.gpx", to_gpx(_run(2), activity_type="")
                   .encode().replace(b"<type></type>", b""))
        z.writestr("runner@example.com_1004.fit", b"not a fit file at all")
    start = DEFAULT_START + timedelta(days=2)
    gmt = int(start.timestamp() * 1000)
    summaries = [{"summarizedActivitiesExport": [
        {"activityId": 1003, "name": "Lunch ride?", "activityType": {"typeKey": "trail_running"},
         "startTimeGmt": gmt + 4000, "startTimeLocal": gmt + 4000 + 2 * 3600 * 1000,
         "duration": 900000, "distance": 240000},
    ]}]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip",
                   inner.getvalue())
        z.writestr("DI_CONNECT/DI-Connect-Fitness/runner@example.com_0_summarizedActivities.json",
                   json.dumps(summaries))
        z.writestr("DI_CONNECT/DI-Connect-Wellness/sleep.json", "[]")


def test_garmin_nested_export(tmp_path):
    z = tmp_path / "garmin.zip"
    garmin_export(z)
    before = _sha(z)
    db = tmp_path / "g.sqlite"
    rep = scan(z, db, jobs=2)
    assert rep.found == 4 and rep.analysed == 3 and rep.bad == 1 and rep.archives == 2
    acts = _activities(db)
    gpx = acts["runner@example.com_1003.gpx"]
    assert gpx["sport"] == "running" and gpx["utc_offset_s"] == 7200
    assert rep.runs == 3
    assert rep.form_rules == "evaluated"
    assert rep.left_out == {".json": 1}
    bad = [p for p, _, _ in rep.problems]
    assert bad == [str(z) + "!/DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip"
                   "!/runner@example.com_1004.fit"]
    rep2 = scan(z, db, jobs=1)
    assert rep2.read == 0 and rep2.not_read == 4
    assert _sha(z) == before


def test_bounds_against_zip_bombs_and_deep_nesting(tmp_path):
    from runlens.io.archive import MAX_DEPTH
    from runlens.io.source import MAX_INPUT_BYTES

    deep = encode_activity(_run(0))
    name = "a.fit"
    for level in range(MAX_DEPTH + 1):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zz:
            zz.writestr(name, deep)
        deep, name = buf.getvalue(), f"level{level}.zip"
    z = tmp_path / "bomb.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zz:
        zz.writestr(name, deep)  # MAX_DEPTH + 1 zips around a.fit, + this one
        zz.writestr("big.fit", b"\x00" * (MAX_INPUT_BYTES + 1))  # inflates past the limit
        zz.writestr("ok.fit", encode_activity(_run(1)))
    rep = scan(z, tmp_path / "b.sqlite", jobs=1)
    why = {p.rsplit("!/", 1)[-1]: r for p, _, r in rep.problems}
    assert why["big.fit"].startswith("member of 64 MiB; runlens reads up to 64 MiB")
    assert any(f"nested more than {MAX_DEPTH} deep" in r for r in why.values())
    assert rep.analysed == 1


def test_cli_scan_zip_says_what_it_left_out(tmp_path):
    z = tmp_path / "export_12345.zip"
    strava_zip(z)
    out = run_cli("scan", str(z), "--db", str(tmp_path / "c.sqlite"), "--jobs", "1")
    assert out.returncode == 0, out.stderr
    assert "Left out 2 files that are not activity files: 1 .csv, 1 .jpg" in out.stdout
    assert "Form rules are not part of this runlens" not in out.stdout
    assert "activities/5.fit.gz: bad:" in out.stdout
    one = run_cli("analyze", f"{z}!/activities/3.tcx.gz", "--no-rules", "--json")
    assert one.returncode == 0, one.stderr
    assert json.loads(one.stdout)["sport"] == "running"
    many = run_cli("analyze", str(z))
    assert many.returncode != 0 and "Traceback" not in many.stderr
    assert "5 activity files; name one as" in many.stderr


def test_empty_scan_does_not_claim_form_rules_are_missing(tmp_path):
    (tmp_path / "empty").mkdir()
    out = run_cli("scan", str(tmp_path / "empty"), "--db", str(tmp_path / "e.sqlite"))
    assert out.returncode == 0, out.stderr
    assert "Form rules are not part of this runlens" not in out.stdout


def test_sport_override_and_cadence_judgement(tmp_path):
    folder = tmp_path / "watch"
    folder.mkdir()
    gpx = to_gpx(_run(0), activity_type="").encode().replace(b"<type></type>", b"")
    (folder / "notype.gpx").write_bytes(gpx)
    db = tmp_path / "o.sqlite"
    scan(folder, db, jobs=1)
    acts = _activities(db)
    row = next(iter(acts.values()))
    # No sport in the file; a running cadence (~163 steps/min): judged a run.
    assert row["sport"] == "running"
    assert any("from its samples (median cadence" in w for w in row["warnings"])
    path = str((folder / "notype.gpx").resolve())
    rep = scan(folder, db, jobs=1, sports={path: "hiking"})
    assert rep.read == 1
    assert next(iter(_activities(db).values()))["sport"] == "hiking"
    rep = scan(folder, db, jobs=1)  # remembered, and not read again
    assert rep.read == 0 and next(iter(_activities(db).values()))["sport"] == "hiking"


def test_analyze_sport_option_converts_cadence(tmp_path):
    p = tmp_path / "notype.gpx"
    p.write_bytes(to_gpx(_run(0), activity_type="").encode().replace(b"<type></type>", b""))
    ran = json.loads(run_cli("analyze", str(p), "--no-rules", "--json").stdout)
    rode = json.loads(run_cli("analyze", str(p), "--no-rules", "--json", "--sport", "cycling")
                      .stdout)
    assert ran["sport"] == "running" and rode["sport"] == "cycling"
    assert ran["summary"]["cadence_spm"] == pytest.approx(_run(0).session.avg_cadence, rel=0.01)
    assert rode["summary"]["cadence_spm"] is None


def test_one_run_as_fit_gpx_and_tcx_counts_once_keeping_the_fit(tmp_path):
    folder = tmp_path / "three"
    folder.mkdir()
    run = _run(0)
    (folder / "watch.fit").write_bytes(encode_activity(run))
    (folder / "strava.gpx").write_text(to_gpx(run, version=2), encoding="utf-8")
    (folder / "connect.tcx").write_text(to_tcx(run, style="garmin"), encoding="utf-8")
    (folder / "polar.tcx.gz").write_bytes(gzip.compress(to_tcx(run, style="plain").encode()))
    db = tmp_path / "d.sqlite"
    rep = scan(folder, db, jobs=1)
    assert rep.activities == 4 and rep.runs == 1 and rep.duplicates == 3
    with Store(db, create=False) as s:
        df = s.activities_frame(("duplicate_of",))
    pairs = zip(df["path"], df["duplicate_of"])
    kept = {p.rsplit("/", 1)[-1] for p, d in pairs if not isinstance(d, str)}
    assert kept == {"watch.fit"}
