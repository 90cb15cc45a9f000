"""Outputs are written whole or not at all: a failed write leaves the previous file.

Full disks are made two ways that work as root: ``/dev/full`` (every write
fails with ENOSPC) and a write that fails part way (the PDF writer's or
the PNG encoder's write raising ENOSPC or a zlib error after the first page).
"""

from __future__ import annotations

import errno
import hashlib
import shutil
import zlib
from pathlib import Path

import pytest

from runlens.cli import main
from tests.conftest import SAMPLES


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("outputs")
    runs = tmp / "runs"
    runs.mkdir()
    for f in sorted(SAMPLES.glob("*.fit"))[:6]:
        shutil.copy(f, runs / f.name)
    db = tmp / "s.sqlite"
    assert main(["scan", str(runs), "--db", str(db), "-j", "1"]) == 0
    return db


def _run(capsys, *args):
    rc = main(list(args))
    out = capsys.readouterr()
    return rc, out.out, out.err


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _one_error_line(err: str, path) -> None:
    assert err.count("\n") == 1 and err.startswith(f"runlens: error: {path}: "), err
    assert "internal error" not in err


@pytest.mark.parametrize("cmd,suffix", [("chart", ".pdf"), ("chart", ".png"), ("report", ".pdf")])
def test_dev_full_is_one_line(store, capsys, cmd, suffix):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    link = store.parent / f"full-{cmd}{suffix}"  # the suffix names the format
    if not link.exists():
        link.symlink_to("/dev/full")
    name = str(link)
    rc, _, err = _run(capsys, cmd, "--db", str(store), "-o", name)
    assert rc == 1  # before: exit 70 (a zlib error)
    _one_error_line(err, name)
    assert "disk full" in err
    assert sorted(p.name for p in store.parent.glob(".*part")) == []


def test_failed_report_leaves_the_previous_report_intact(store, capsys, monkeypatch):
    out = store.parent / "r.pdf"
    assert _run(capsys, "report", "--db", str(store), "-o", str(out))[0] == 0
    before = _sha(out)
    assert out.read_bytes().startswith(b"%PDF")
    from matplotlib.backends.backend_pdf import PdfPages

    real = PdfPages.savefig
    calls = {"n": 0}

    def savefig(self, *a, **k):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, *a, **k)

    monkeypatch.setattr(PdfPages, "savefig", savefig)
    rc, _, err = _run(capsys, "report", "--db", str(store), "-o", str(out))
    assert rc == 1
    _one_error_line(err, out)
    assert "disk full" in err
    assert _sha(out) == before  # before: a truncated PDF in its place
    assert [p.name for p in out.parent.iterdir() if p.name.endswith(".part")] == []


def test_failed_png_chart_leaves_the_previous_chart_intact(store, capsys, monkeypatch):
    out = store.parent / "c.png"
    assert _run(capsys, "chart", "--db", str(store), "-o", str(out))[0] == 0
    before = _sha(out)
    from matplotlib.figure import Figure

    def savefig(self, fname, *a, **k):
        Path(fname).write_bytes(b"\x89PNG partial")
        raise zlib.error("Error -3 while compressing data")

    monkeypatch.setattr(Figure, "savefig", savefig)
    rc, _, err = _run(capsys, "chart", "--db", str(store), "-o", str(out))
    assert rc == 1
    _one_error_line(err, out)
    assert _sha(out) == before  # before: a 0-byte or partial PNG
    assert [p.name for p in out.parent.iterdir() if p.name.endswith(".part")] == []


def test_new_output_gets_ordinary_permissions(store, capsys):
    import os

    out = store.parent / "new.png"
    assert _run(capsys, "chart", "--db", str(store), "-o", str(out))[0] == 0
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask
