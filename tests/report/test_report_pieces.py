"""A long report is drawn in pieces (in parallel where it can be) and joined: the
same pages, the same text on each, in the same order, as drawn in one piece; the
same bytes whatever the number of workers.

The pieces are made small here (SPLIT_FROM = PIECE_PAGES = 3) so that the tests' short
histories are cut: the sample history (six weeks, five with continuation pages)
and a six-week store with a pain diary (timeline and pain pages).
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from runlens.report import pdf as report_pdf

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) absent"
)


def _pages_text(path) -> list[list[str]]:
    """Each page's lines of text, spaces collapsed and blank lines left out (pdftotext
    places lines by the fonts' boxes, and each piece embeds its own subset)."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [
        [" ".join(ln.split()) for ln in page.splitlines() if ln.strip()]
        for page in text.split("\f")
    ]


def _fields(rep) -> tuple:
    return (
        rep.pages, rep.week_pages, rep.flagged_weeks, rep.week_findings, rep.pain_page,
        rep.continued, rep.headline,
    )  # fmt: skip


def _diary_data(tmp_path):
    import argparse

    from runlens.cli.cmd_chart import load_chart_data
    from tests.pain.builder import write_diary, write_store

    db = tmp_path / "s.sqlite"
    write_store(db, {d: 8000.0 for d in range(42)})
    write_diary(db, [(10, 4), (12, 6), (30, 3)])
    args = argparse.Namespace(
        folder=None, db=str(db), date_from=None, date_to=None, load_unit=None,
        week_start=None, config=None, jobs=None,
    )  # fmt: skip
    return load_chart_data(args)


def test_pieces_are_even_and_cover_every_page_once():
    items = list(range(146))
    pieces = report_pdf._pieces(items, 12, 12)
    assert len(pieces) == 14 and [x for p in pieces for x in p] == items
    assert max(map(len, pieces)) - min(map(len, pieces)) <= 1
    assert report_pdf._pieces(items[:12], 12, 12) == [items[:12]]
    assert len(report_pdf._pieces(items[:13], 12, 12)) == 2
    # the summary costs six week pages: the first of two pieces has fewer weeks
    pages = [("summary",), *[("week", k) for k in range(53)], ("caveats",)]
    first, second = report_pdf._pieces(pages, 80, 16)
    assert first + second == pages and len(first) == 25 and len(second) == 30


@needs_pdftotext
@pytest.mark.parametrize("which", ["samples", "diary"])
def test_a_report_in_pieces_reads_as_one_piece(which, request, tmp_path, monkeypatch):
    data = request.getfixturevalue("samples_data") if which == "samples" else _diary_data(tmp_path)
    if which == "samples":  # little room a page: the week of 17 August continues
        monkeypatch.setattr(report_pdf, "fit", lambda height: 8)
    whole = report_pdf.write_report(data, tmp_path / "whole.pdf")
    monkeypatch.setattr(report_pdf, "PIECE_PAGES", 3)
    monkeypatch.setattr(report_pdf, "SPLIT_FROM", 3)
    assert len(report_pdf._pieces(report_pdf._items(data))) >= 2
    one = report_pdf.write_report(data, tmp_path / "one.pdf", jobs=1)
    two = report_pdf.write_report(data, tmp_path / "two.pdf", jobs=2)
    assert _fields(one) == _fields(two) == _fields(whole)
    if which == "samples":
        assert whole.continued  # continuation pages land in the pieces too
    else:
        assert whole.pain_page
    texts = _pages_text(whole.path)
    assert _pages_text(one.path) == _pages_text(two.path) == texts
    assert len(texts) - 1 == whole.pages  # pdftotext ends each page with a form feed
    # same input, same bytes, however many workers drew it
    assert one.path.read_bytes() == two.path.read_bytes()
    meta = one.path.read_bytes()
    assert b"CreationDate" not in meta and b"ModDate" not in meta and b"pypdf" not in meta


def test_workers_fall_back_to_this_process_beside_other_threads(monkeypatch):
    import threading

    monkeypatch.setattr(threading, "active_count", lambda: 3)
    assert report_pdf._workers(4, 6) == 1
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert report_pdf._workers(4, 3) in (1, 3)  # 1 only where fork is missing
    assert report_pdf._workers(1, 6) == 1
