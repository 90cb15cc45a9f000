"""One odd item never aborts a scan: it is reported and skipped, the rest is stored.

Each case was exit 70 ("this is a bug in runlens") before.
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import zipfile
from pathlib import Path

from runlens.cli import main
from tests.conftest import SAMPLES

FITS = sorted(SAMPLES.glob("*.fit"))[:3]


def _folder(tmp_path: Path) -> Path:
    runs = tmp_path / "runs"
    runs.mkdir()
    for f in FITS:
        shutil.copy(f, runs / f.name)
    return runs


def _scan(capsys, target, db):
    rc = main(["scan", str(target), "--db", str(db), "-j", "1"])
    out = capsys.readouterr()
    return rc, out.out, out.err


def _count(db) -> int:
    with sqlite3.connect(db) as c:
        return c.execute("SELECT count(*) FROM activities").fetchone()[0]


def test_csv_field_over_the_csv_limit_skips_that_line(tmp_path, capsys):
    runs = _folder(tmp_path)
    names = [f.name for f in FITS]
    (runs / "activities.csv").write_text(
        "Activity ID,Activity Name,Activity Type,Filename\n"
        f"1,Morning,Run,{names[0]}\n"
        f'2,"{"x" * 140_000}",Run,{names[1]}\n'
        f"3,Evening,Run,{names[2]}\n"
    )
    rc, out, err = _scan(capsys, runs, tmp_path / "s.sqlite")
    assert rc == 0, err
    assert _count(tmp_path / "s.sqlite") == 3
    assert "line 3 skipped (field larger than field limit" in out
    assert "Export lists: 1 read" in out  # the other rows are used


def test_summaries_nested_100000_deep_are_not_used(tmp_path, capsys):
    runs = _folder(tmp_path)
    (runs / "x_summarizedActivities.json").write_text("[" * 100_000 + "]" * 100_000)
    rc, out, err = _scan(capsys, runs, tmp_path / "s.sqlite")
    assert rc == 0, err
    assert _count(tmp_path / "s.sqlite") == 3
    assert "export list not used: JSON nested too deep" in out


def test_summary_time_1e308_is_skipped(tmp_path, capsys):
    runs = _folder(tmp_path)
    doc = [{"summarizedActivitiesExport": [
        {"activityId": 1, "name": "far", "activityType": "running",
         "startTimeGmt": 1e308, "startTimeLocal": -1e308},
        {"activityId": 2, "name": "odd zone", "activityType": "running",
         "startTimeGmt": 1.7e12, "startTimeLocal": 1e308},
    ]}]
    (runs / "x_summarizedActivities.json").write_text(json.dumps(doc))
    rc, out, err = _scan(capsys, runs, tmp_path / "s.sqlite")
    assert rc == 0, err
    assert _count(tmp_path / "s.sqlite") == 3
    assert "start time 1e+308 skipped" in out


def _bad_utf8_name_zip(inner_files: dict[str, bytes]) -> bytes:
    """A zip whose member ``aé.fit`` is flagged UTF-8 but named with bytes that are not."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in inner_files.items():
            z.writestr(name, data)
    raw = buf.getvalue()
    good = "a\u00e9.fit".encode()
    assert good in raw
    return raw.replace(good, b"a\xff\xfe.fit")


def test_nested_zip_with_a_bad_utf8_flagged_name(tmp_path, capsys):
    runs = _folder(tmp_path)
    inner = _bad_utf8_name_zip({"a\u00e9.fit": FITS[0].read_bytes()})
    with zipfile.ZipFile(runs / "export.zip", "w") as z:
        z.writestr("inner.zip", inner)
        z.writestr("ok.fit", FITS[1].read_bytes())
    rc, out, err = _scan(capsys, runs, tmp_path / "s.sqlite")
    assert rc == 0, err
    assert _count(tmp_path / "s.sqlite") == 4  # 3 files + ok.fit
    assert "inner.zip: bad: not a readable zip archive (a member name flagged as UTF-8" in out


def test_outer_zip_with_a_bad_utf8_flagged_name_is_one_line(tmp_path, capsys):
    z = tmp_path / "export.zip"
    z.write_bytes(_bad_utf8_name_zip({"a\u00e9.fit": FITS[0].read_bytes()}))
    rc, out, err = _scan(capsys, z, tmp_path / "s.sqlite")
    assert rc == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"runlens: error: {z}: not a readable zip")


def test_duplicate_and_ambiguous_member_names_are_each_named(tmp_path, capsys):
    import warnings

    z = tmp_path / "export.zip"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate names it writes
        with zipfile.ZipFile(z, "w") as zf:
            for f in FITS:
                zf.writestr("activities/run.fit", f.read_bytes())  # three of one name
            zf.writestr("runs!/a.fit", FITS[0].read_bytes())
            zf.writestr("ok.fit", FITS[1].read_bytes())
    rc, out, err = _scan(capsys, z, tmp_path / "s.sqlite")
    assert rc == 0, err
    # before: the last of the three kept silently; runs!/a.fit stored but never judged
    assert f"{z}!/activities/run.fit: bad: 3 members share this name" in out
    assert out.count("activities/run.fit") == 1
    assert f"{z}!/runs!/a.fit: bad: its name holds '!/'" in out
    assert _count(tmp_path / "s.sqlite") == 1  # ok.fit
