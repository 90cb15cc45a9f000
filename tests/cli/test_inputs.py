"""Inputs checked with their units and ranges: one clear line, exit status 2, never "a bug"."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import SAMPLES, run_cli

RUN = str(SAMPLES / "2026-09-06-run-long.fit")


def _one_line(out) -> str:
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "bug" not in lines[0] and "Traceback" not in out.stderr
    return lines[0]


@pytest.mark.parametrize("command", [["analyze", RUN], ["weekly"]])
def test_height_in_centimetres_is_refused_with_its_unit(tmp_path, command):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[runner]\nheight_m = 178\n")
    out = run_cli(*command, "--config", str(cfg))
    assert out.returncode == 2
    assert _one_line(out) == (
        f"runlens: error: {cfg}: [runner] height_m = 178: expected metres, e.g. 1.78"
    )


def test_max_heart_rate_below_resting_is_refused_in_config_and_options(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[runner]\nmax_hr_bpm = 105\nresting_hr_bpm = 110\n")
    out = run_cli("weekly", "--config", str(cfg))
    assert out.returncode == 2  # it was "internal error ... a bug in runlens", exit 70
    assert "max_hr_bpm = 105 is not above [runner] resting_hr_bpm = 110" in _one_line(out)
    out = run_cli("analyze", RUN, "--max-hr", "110", "--resting-hr", "115")
    assert out.returncode == 2  # it was accepted
    assert "--max-hr 110 is not above --resting-hr 115" in _one_line(out)
    out = run_cli("analyze", RUN, "--max-hr", "90", "--resting-hr", "60")
    assert out.returncode == 2 and "--max-hr 90: expected beats per minute" in _one_line(out)
    out = run_cli("analyze", RUN, "--height", "178")
    assert out.returncode == 2 and "--height 178: expected metres, e.g. 1.78" in _one_line(out)
    # An option replaces the config's value, and is checked against the other one.
    ok = tmp_path / "ok.toml"
    ok.write_text("[runner]\nmax_hr_bpm = 185\nresting_hr_bpm = 50\n")
    out = run_cli("analyze", RUN, "--config", str(ok), "--max-hr", "45")
    assert out.returncode == 2 and "--max-hr 45" in _one_line(out)
    assert run_cli("analyze", RUN, "--config", str(ok), "--max-hr", "190").returncode == 0


def test_diary_date_in_the_future_is_refused(tmp_path):
    db = str(tmp_path / "s.sqlite")
    later = (dt.date.today() + dt.timedelta(days=5 * 365)).isoformat()
    out = run_cli("pain", "add", later, "--severity", "3", "--db", db)
    assert out.returncode == 2
    assert f"date {later} is in the future" in _one_line(out)
    today = dt.date.today().isoformat()
    assert run_cli("pain", "add", today, "--severity", "3", "--db", db).returncode == 0


def test_place_names_are_one_place_whatever_their_spelling(tmp_path):
    db = str(tmp_path / "s.sqlite")
    assert run_cli("pain", "add", "2026-08-24", "--severity", "4", "--db", db).returncode == 0
    out = run_cli(
        "pain", "add", "2026-08-25", "--severity", "5", "--where", "Upper Back", "--db", db
    )
    assert out.returncode == 0, out.stderr
    listed = run_cli("pain", "list", "--where", "upper_back", "--db", db).stdout
    assert "2026-08-24" in listed and "2026-08-25" in listed
    assert "Upper Back" not in listed and listed.count("upper-back") == 2
