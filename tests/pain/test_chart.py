"""Pain episodes on the weekly chart and a pain page in the weekly PDF report."""

from __future__ import annotations

import argparse

from runlens.cli import main
from tests.pain.builder import day, write_diary, write_store


def _store(tmp_path):
    db = tmp_path / "s.sqlite"
    write_store(db, {d: 8000.0 for d in range(42)})  # six weeks, a run a day
    # Episodes: day 10 (peak 6, merged over a one-day gap), day 30 (peak 3),
    # and day 60, after the last run: outside the weeks drawn.
    write_diary(db, [(10, 4), (12, 6), (30, 3), (31, 2), (60, 7)])
    return db


def _args(db, **kw):
    base = dict(
        folder=None,
        db=str(db),
        date_from=None,
        date_to=None,
        load_unit=None,
        week_start=None,
        config=None,
        jobs=None,
    )
    return argparse.Namespace(**{**base, **kw})


def test_weekly_chart_marks_pain_episodes_with_their_severity(tmp_path):
    from runlens.cli.cmd_chart import load_chart_data
    from runlens.report.charts.weekly import weekly_figure

    db = _store(tmp_path)
    data = load_chart_data(_args(db))
    assert data.pain == [(day(10), 6), (day(30), 3), (day(60), 7)]
    fig, res = weekly_figure(data)
    assert res.pain_episodes == [(day(10).isoformat(), 6), (day(30).isoformat(), 3)]
    gids = {a.get_gid() for ax in fig.axes for a in ax.lines}
    assert {f"pain-{day(10)}", f"pain-{day(30)}"} <= gids and f"pain-{day(60)}" not in gids
    labels = {t.get_text() for t in fig.axes[0].texts}
    assert {"6", "3"} <= labels
    # A range that leaves out the first episode's week
    fig2, res2 = weekly_figure(load_chart_data(_args(db, date_from=str(day(21)))))
    assert res2.pain_episodes == [(day(30).isoformat(), 3)]


def test_report_has_a_pain_page_only_with_a_diary(tmp_path, capsys):
    db = _store(tmp_path)
    assert main(["report", "--db", str(db), "-o", str(tmp_path / "r.pdf")]) == 0
    out = capsys.readouterr().out
    assert "10 pages (6 weeks)" in out  # summary + 6 weeks + timeline + pain + caveats
    plain = tmp_path / "plain.sqlite"
    write_store(plain, {d: 8000.0 for d in range(42)})
    assert main(["report", "--db", str(plain), "-o", str(tmp_path / "p.pdf")]) == 0
    assert "8 pages (6 weeks)" in capsys.readouterr().out
    assert main(["chart", "--db", str(db), "-o", str(tmp_path / "c.png")]) == 0
    assert (tmp_path / "c.png").stat().st_size > 10_000


def test_report_with_a_diary_in_imperial_units_has_no_km(tmp_path, capsys):
    """The timeline's daily load and the pain pages in miles (8 km a day = 4.97 mi)."""
    import re
    import shutil
    import subprocess

    import pytest

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) absent")
    db = _store(tmp_path)
    out = tmp_path / "r.pdf"
    assert main(["report", "--db", str(db), "-o", str(out), "--units", "imperial"]) == 0
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert not re.search(r"km|\bmm\b", text), [ln for ln in text.splitlines() if "km" in ln]
    assert "daily load (mi)" in text and "4.97 mi" in text
