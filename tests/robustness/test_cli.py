"""``runlens analyze BAD``: one line on stderr naming the file and the problem, exit 1,
no traceback; salvaged files analyse with their warnings; input files never change.

Real processes (tests/conftest.run_cli), one per case, so the whole path from
argv to exit status is what is tested.
"""

from __future__ import annotations

import gzip

import pytest

from tests.conftest import run_cli

from .helpers import FILES, SMALL_RUN, corpus, corpus_bytes, gpx, run_points, sha256


def _bad_files(tmp_path):
    bomb_header = '<!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n'
    made = {
        "empty.fit": (b"", "file is empty (0 bytes)"),
        "zeros.fit": (bytes(100), "file holds only zero bytes (100)"),
        "notgzip.fit.gz": (b"\x1f\x8b" + b"x" * 50, "not a valid gzip file"),
        "header-only.fit": (corpus_bytes(SMALL_RUN)[:14], "truncated at byte 14"),
        "bomb.gpx": (gpx(run_points(3), header=bomb_header), "DOCTYPE declaration refused"),
        "notimes.gpx": (
            gpx([(None, *p[1:]) for p in run_points(5)]),
            "GPX track of 5 points without any timestamps",
        ),
        "page.gpx": (b"<html><body>404</body></html>", "XML but not GPX"),
    }
    out = []
    for name, (content, problem) in made.items():
        p = tmp_path / name
        p.write_bytes(content)
        out.append((p, problem))
    out.append((corpus(FILES + "Settings.fit"), "a FIT 'settings' file, not an activity"))
    out.append((tmp_path / "missing.fit", "no such file"))
    return out


def test_bad_files_give_one_line_and_exit_1(tmp_path):
    cases = _bad_files(tmp_path)
    hashes = {p: sha256(p) for p, _ in cases if p.exists()}
    for path, problem in cases:
        r = run_cli("analyze", str(path))
        lines = r.stderr.splitlines()
        assert r.returncode == 1, (path, r.stderr)
        assert len(lines) == 1, (path, r.stderr)
        assert lines[0].startswith(f"runlens: error: {path}: "), lines
        assert problem in lines[0], lines
        assert "Traceback" not in r.stderr and r.stdout == ""
    assert {p: sha256(p) for p in hashes} == hashes  # never modified


@pytest.mark.parametrize(
    "rel, warning",
    [
        (FILES + "activity-unexpected-eof.fit", "truncated at byte 768"),
        (FILES + "activity-filecrc.fit", "file CRC mismatch at byte 769"),
    ],
)
def test_salvaged_corpus_files_analyse_with_warnings_and_strict_refuses(rel, warning):
    path = corpus(rel)
    before = sha256(path)
    r = run_cli("analyze", str(path))
    assert r.returncode == 0, r.stderr
    assert warning in r.stderr and warning not in r.stdout  # warnings: stderr
    s = run_cli("analyze", "--strict", str(path))
    assert s.returncode == 1 and len(s.stderr.splitlines()) == 1
    assert s.stderr.startswith(f"runlens: error: {path}: ") and warning in s.stderr
    assert "Traceback" not in s.stderr
    assert sha256(path) == before


def test_truncated_gzip_analyses_with_warnings(tmp_path):
    gz = gzip.compress(corpus_bytes(SMALL_RUN), mtime=0)
    p = tmp_path / "cut.fit.gz"
    p.write_bytes(gz[: len(gz) * 2 // 3])
    r = run_cli("analyze", "--json", str(p))
    assert r.returncode == 0, r.stderr
    import json

    warnings = json.loads(r.stdout)["warnings"]
    assert warnings[0].startswith("gzip stream cut short") or any(
        w.startswith("truncated at byte") for w in warnings
    ), warnings
