"""What the output cites ships with runlens and is shown by `runlens evidence`."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import ROOT, SAMPLES, run_cli

CITED = sorted(
    {
        m
        for p in (ROOT / "runlens").rglob("*.py")
        for m in re.findall(r"docs/([a-z][a-z-]*)\.md", p.read_text(encoding="utf-8"))
    }
)


def test_every_page_runlens_cites_is_package_data_and_shown_by_a_command():
    from runlens.report.docs import page, pages

    assert len(CITED) >= 10 and "evidence" in CITED
    assert set(CITED) <= set(pages())
    # package data: the wheel's runlens/docs holds every page (pyproject.toml)
    toml = (ROOT / "pyproject.toml").read_text()
    assert '"docs/*.md"' in toml and (ROOT / "runlens" / "docs" / "evidence.md").is_file()
    for name in CITED:
        assert page(name) == (ROOT / "docs" / f"{name}.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["evidence", "rules", "history"])
def test_runlens_evidence_shows_the_page(name):
    out = run_cli("evidence", name)
    assert out.returncode == 0, out.stderr
    assert out.stdout == (ROOT / "docs" / f"{name}.md").read_text(encoding="utf-8")


def test_runlens_evidence_section_and_unknown_topic():
    out = run_cli("evidence", "2")
    assert out.returncode == 0 and out.stdout.startswith("## 2. Overstriding")
    assert "## 3." not in out.stdout
    bad = run_cli("evidence", "nope")
    assert bad.returncode == 2 and "no page 'nope'; pages: " in bad.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("analyze", str(SAMPLES / "2026-09-06-run-long.fit"), "-v"),
        ("analyze", "--help"),
        ("scan", "--help"),
        ("weekly", "--help"),
        ("chart", "--help"),
        ("pain", "report", "--help"),
    ],
)
def test_output_cites_the_command_not_a_source_path(args):
    out = run_cli(*args)
    assert out.returncode == 0, out.stderr
    assert "docs/" not in out.stdout
    if args[-1] == "-v":
        assert "runlens evidence" in out.stdout


def test_baseline_json_is_accepted_by_analyze_baseline(tmp_path):
    db = str(tmp_path / "h.sqlite")
    assert run_cli("scan", str(SAMPLES), "--db", db).returncode == 0
    out = run_cli("baseline", "--db", db, "--json")
    assert out.returncode == 0, out.stderr
    (tmp_path / "b.json").write_text(out.stdout)
    run = str(SAMPLES / "2026-08-18-run-easy.fit")  # the planted overstride
    got = run_cli("analyze", run, "--baseline", str(tmp_path / "b.json"), "--json")
    assert got.returncode == 0, got.stderr
    flags = [f for f in json.loads(got.stdout)["findings"] if f["rule"] == "overstriding"]
    # 149 steps/min against the runner's usual 164 is 9 % below: a note by the severity
    # policy (a flag from 10 %, Heiderscheit et al. 2011), judged on the baseline given.
    assert flags and flags[0]["severity"] == "note"
    assert flags[0]["evidence"]["basis"].startswith("your own baseline")
