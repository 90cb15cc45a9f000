"""What wraps the data: empty files, gzip that is not gzip, suffixes that lie, size limits."""

from __future__ import annotations

import gzip
import os
import resource
import time
import tracemalloc

import pytest

from runlens.errors import (
    CorruptFileError,
    EmptyFileError,
    FileTooLargeError,
    RunlensError,
    UnsupportedFormatError,
)
from runlens.io.source import MAX_INPUT_BYTES, read_source

from .helpers import SMALL_RUN, corpus_bytes, full_read, gpx, run_points

GPX_FILE = "runpandas/examples/session/"  # a folder of real GPX runs


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "file is empty (0 bytes)"),
        (b" \n\t\r\n", "file holds only white space"),
        (bytes(4096), "file holds only zero bytes (4096): nothing was ever written to it"),
    ],
)
def test_empty_files_are_refused(tmp_path, content, message):
    p = tmp_path / "run.fit"
    p.write_bytes(content)
    with pytest.raises(EmptyFileError) as exc:
        full_read(p)
    assert str(exc.value) == f"{p}: {message}"


def test_random_bytes_and_other_xml_are_refused(tmp_path):
    p = tmp_path / "run.fit"
    p.write_bytes(b"PK\x03\x04 a zip file, not an activity")
    with pytest.raises(UnsupportedFormatError, match="not a FIT, GPX or TCX file"):
        full_read(p)
    p.write_bytes(b"<!-- saved error page --><html><body>502 Bad Gateway</body></html>")
    with pytest.raises(UnsupportedFormatError, match=r"root element is <html>, not <gpx>"):
        full_read(p)


def test_fit_named_gpx_and_gpx_named_fit_are_read_for_what_they_hold(tmp_path):
    fit = tmp_path / "run.gpx"
    fit.write_bytes(corpus_bytes(SMALL_RUN))
    act = full_read(fit)
    assert act.source.format == "fit" and len(act.records) == 21
    assert act.warnings == ["named .gpx but holds FIT; read as FIT"]

    g = tmp_path / "run.fit"
    g.write_bytes(gpx(run_points(30)))
    act = full_read(g)
    assert act.source.format == "gpx" and len(act.records) == 30
    assert act.warnings == ["named .fit but holds GPX; read as GPX"]
    with pytest.raises(CorruptFileError, match="refused \\(strict\\): named .fit but holds GPX"):
        full_read(g, strict=True)


def test_gz_that_is_not_gzip(tmp_path):
    plain = tmp_path / "run.fit.gz"
    plain.write_bytes(corpus_bytes(SMALL_RUN))
    act = full_read(plain)
    assert len(act.records) == 21
    assert act.warnings == ["named .gz but not gzip-compressed; read as it is"]

    bad = tmp_path / "bad.fit.gz"
    bad.write_bytes(b"\x1f\x8b" + b"not deflate data at all" * 10)
    with pytest.raises(CorruptFileError) as exc:
        full_read(bad)
    assert str(exc.value).startswith(f"{bad}: not a valid gzip file: damaged gzip data")


def test_gzip_cut_short_is_salvaged_down_to_the_fit_records():
    data = corpus_bytes(SMALL_RUN)
    gz = gzip.compress(data, mtime=0)
    act = full_read(gz[: len(gz) * 2 // 3])
    assert 0 < len(act.records) < 21
    assert act.warnings[0].startswith("gzip stream cut short at compressed byte")
    assert act.warnings[1].startswith("truncated at byte ")  # the FIT reader's own account
    with pytest.raises(CorruptFileError):
        full_read(gz[: len(gz) * 2 // 3], strict=True)


def test_intact_gzip_and_multi_member_gzip():
    data = corpus_bytes(SMALL_RUN)
    gz = gzip.compress(data, mtime=0)
    assert full_read(gz, strict=True).source.compressed
    two = gzip.compress(data[:3000], mtime=0) + gzip.compress(data[3000:], mtime=0)
    assert read_source(two).data == data


def test_huge_file_is_refused_before_reading(tmp_path):
    """A sparse file one byte over the limit: refused from its size, in milliseconds,
    without reading it (the process's peak memory does not move by 64 MiB)."""
    p = tmp_path / "huge.gpx"
    with open(p, "wb") as fh:
        fh.truncate(MAX_INPUT_BYTES + 1)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    t = time.perf_counter()
    with pytest.raises(FileTooLargeError) as exc:
        full_read(p)
    assert time.perf_counter() - t < 0.5
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 16 * 1024
    assert (
        str(exc.value) == f"{p}: file is 64 MiB or more; runlens reads activity files up to 64 MiB"
    )
    assert exc.value.limit == MAX_INPUT_BYTES


def test_gzip_bomb_is_refused_with_bounded_memory():
    """100 MiB of zeros gzip to ~100 KiB; inflation stops at the limit."""
    bomb = gzip.compress(bytes(100 * 2**20), compresslevel=9, mtime=0)
    assert len(bomb) < 200_000
    tracemalloc.start()
    try:
        with pytest.raises(FileTooLargeError, match="gzip inflates to 64 MiB or more"):
            read_source(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 80 * 2**20  # the limit itself, plus one chunk


def test_reading_never_modifies_or_touches_the_file(tmp_path):
    p = tmp_path / "run.fit"
    p.write_bytes(corpus_bytes(SMALL_RUN)[:3000])  # truncated: salvage path
    os.chmod(p, 0o444)
    before = (p.read_bytes(), os.stat(p).st_mtime_ns)
    full_read(p)
    with pytest.raises(RunlensError):
        full_read(p, strict=True)
    assert (p.read_bytes(), os.stat(p).st_mtime_ns) == before


def test_folder_and_missing_file(tmp_path):
    with pytest.raises(RunlensError, match="is a folder, not an activity file"):
        full_read(tmp_path)
    with pytest.raises(RunlensError, match="no such file"):
        full_read(tmp_path / "nope.fit")
