"""`runlens analyze` text: the verdict first, one screen, evidence behind -v."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_activities"
LONG = Path("sample_activities/2026-08-23-run-long.fit")  # the README's example, as typed
POWER = Path("sample_activities") / "2026-08-30-run-long.fit"
OVERSTRIDE = Path("sample_activities/2026-08-18-run-easy.fit")  # built to overstride (README there)  # running power only as a developer field


def run(*args, columns=100, home=None):
    env = {"COLUMNS": str(columns), "PATH": "/usr/bin:/bin"}
    # never the real runner's store (~/.local/share/runlens): an empty data folder
    env["XDG_DATA_HOME"] = os.environ.get("XDG_DATA_HOME") or tempfile.mkdtemp()
    if home is not None:  # a runner whose history store holds the scanned samples
        env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"))
    return subprocess.run(
        [sys.executable, "-m", "runlens", *args], capture_output=True, text=True, env=env, cwd=ROOT
    )


@pytest.fixture(scope="module")
def long_json():
    import json

    r = run("analyze", str(LONG), "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_verdict_first_names_every_flag_and_fits_a_screen(long_json):
    r = run("analyze", str(LONG))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) <= 40, len(lines)
    first5 = "\n".join(lines[:5])
    assert "Verdict:" in first5
    # flags and notes: the planted contact imbalance is a note since issue 25
    flags = [f for f in long_json["findings"] if f["severity"] in ("flag", "note")]
    assert flags  # the sample's planted contact imbalance at least
    from runlens.report.analysis import RULE_NAMES

    for f in flags:
        assert RULE_NAMES[f["rule"]] in " ".join(first5.split()), f["rule"]
        assert f["confidence"] in first5
    # laps and splits only behind --laps; no evidence dump without -v
    assert "Laps" not in r.stdout and "Evidence:" not in r.stdout
    assert "Keep in mind" in r.stdout and r.stdout.count("Keep in mind") == 1
    assert all(len(x) <= 100 for x in lines)


@pytest.fixture(scope="module")
def overstride_json():
    import json

    r = run("analyze", str(OVERSTRIDE), "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_verbose_shows_the_evidence_readably(overstride_json):
    r = run("analyze", str(OVERSTRIDE), "-v")
    out = r.stdout
    flag = next(f for f in overstride_json["findings"] if f["rule"] == "overstriding")
    assert "Evidence:" in out and "Source:" in out
    # the sources cite the command that shows them (an installed runlens has no docs/)
    assert "runlens evidence 2" in out and "docs/" not in out
    # the cadence seen and the threshold, as numbers with units, not raw keys
    seen = flag["evidence"]["values"]["cadence_spm"]
    assert re.search(rf"cadence\s+{seen:g} steps/min", out)
    below = flag["evidence"]["threshold"]["cadence_spm_below"]
    assert re.search(rf"cadence below\s+{below:g} steps/min", out)
    assert "cadence_spm" not in out and "grade_known" not in out


def test_times_are_local_with_the_zone_named_once(overstride_json):
    r = run("analyze", str(OVERSTRIDE))
    off = overstride_json["utc_offset_s"]
    assert off == 7200  # manifest.csv: the file's own offset
    assert r.stdout.count("UTC+02:00") == 1 and "(UTC)" not in r.stdout
    # the first overstriding stretch, shifted by the file's own offset
    f = next(f for f in overstride_json["findings"] if f["rule"] == "overstriding")
    a, _ = f["time_ranges"][0]
    hh = (int(a[11:13]) + off // 3600) % 24
    assert f"When: {hh:02d}:{a[14:19]}" in r.stdout


def test_laps_option_shows_laps_and_splits():
    out = run("analyze", str(LONG), "--laps").stdout
    assert "Laps" in out and "Kilometre splits" in out


def test_imperial_units(long_json):
    out = run("analyze", str(LONG), "--units", "imperial").stdout
    km = long_json["summary"]["distance_m"]
    assert f"{km / 1609.344:.2f} mi" in out and " /mi" in out and "/km " not in out.split("Findings")[0]


def test_power_is_read_from_the_developer_field_and_shown():
    from runlens.io import read

    a = read(ROOT / POWER)
    assert "power_w" in a.records and a.extra["power_from_developer_field"] == "Power"
    dev = a.developer["Power"].to_numpy(float)
    got = a.records["power_w"].to_numpy(float)
    assert np.array_equal(np.isnan(dev), np.isnan(got)) and np.nanmax(np.abs(dev - got)) == 0
    out = run("analyze", str(POWER)).stdout
    assert re.search(r"Power\s+\d+ W", out)


def test_ride_shows_speed_not_pace():
    from runlens.report.analysis import format_text

    res = {
        "file": "ride.fit", "sport": "cycling", "device": None, "start": None,
        "utc_offset_s": None, "summary": {"distance_m": 40000.0, "moving_s": 4800.0,
                                          "avg_speed_m_s": 40000 / 4800},
        "device_summary": {}, "sessions": [{}], "findings": [], "caveats": ["c"],
    }  # fmt: skip
    out = format_text(res)
    assert "ride" in out.splitlines()[0] and "30.0 km/h" in out and "/km" not in out


def test_readme_example_is_the_real_output_and_fits_a_screen(tmp_path):
    # The README scans sample_activities first, so analyze judges against that history.
    assert run("scan", "sample_activities", home=tmp_path).returncode == 0
    text = (ROOT / "README.md").read_text()
    block = text.split(f"$ runlens analyze {LONG}\n", 1)[1].split("\n\n$ ", 1)[0]
    lines = block.splitlines()
    assert len(lines) <= 40 and any(x.startswith("Verdict:") for x in lines[:5])
    out = run("analyze", str(LONG), home=tmp_path).stdout.strip()
    assert "your own baseline from" in out
    assert block.strip() == out
