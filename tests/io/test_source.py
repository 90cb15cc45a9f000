"""Sources: paths, bytes and file objects; content sniffing; gzip."""

from __future__ import annotations

import gzip
import io

import pytest

from runlens import read
from runlens.errors import (
    CorruptFileError,
    EmptyFileError,
    NotAnActivityError,
    RunlensError,
    UnsupportedFormatError,
)
from tests.conftest import corpus

FIT = "python-fitparse/tests/files/garmin-fenix-5-run.fit"
GPX = "runpandas/runpandas/tests/io/data/gpx/garmin_connect.gpx"


def test_path_bytes_and_file_object_agree():
    p = corpus(FIT)
    data = p.read_bytes()
    a = read(p)
    b = read(data)
    with open(p, "rb") as fh:
        c = read(fh)
    d = read(io.BytesIO(data))
    for x in (b, c, d):
        assert x.records.equals(a.records)
        assert x.source.sha256 == a.source.sha256
    assert b.source.path == "<bytes>"
    assert c.source.path == str(p)


def test_gzip_is_transparent_and_hashes_the_content(tmp_path):
    p = corpus(FIT)
    gz = tmp_path / "run.fit.gz"
    gz.write_bytes(gzip.compress(p.read_bytes()))
    a, z = read(p), read(gz)
    assert z.source.compressed and not a.source.compressed
    assert z.source.sha256 == a.source.sha256
    assert z.records.equals(a.records)


def test_format_is_detected_from_content_not_suffix(tmp_path):
    fit_named_gpx = tmp_path / "really-fit.gpx"
    fit_named_gpx.write_bytes(corpus(FIT).read_bytes())
    assert read(fit_named_gpx).source.format == "fit"
    gpx_named_fit = tmp_path / "really-gpx.fit"
    gpx_named_fit.write_bytes(corpus(GPX).read_bytes())
    assert read(gpx_named_fit).source.format == "gpx"


@pytest.mark.parametrize(
    "content, error, words",
    [
        (b"", EmptyFileError, "empty"),
        (b"hello, world", UnsupportedFormatError, "not a FIT, GPX or TCX"),
        (b"<html><body/></html>", UnsupportedFormatError, "not GPX"),
        (b"\x1f\x8bnot really gzip", CorruptFileError, "gzip"),
    ],
)
def test_bad_content_names_file_and_problem(tmp_path, content, error, words):
    p = tmp_path / "bad.fit"
    p.write_bytes(content)
    with pytest.raises(error) as exc:
        read(p)
    assert str(p) in str(exc.value) and words in str(exc.value)


def test_non_activity_fit_is_refused():
    with pytest.raises(NotAnActivityError, match="settings"):
        read(corpus("python-fitparse/tests/files/Settings.fit"))


def test_missing_file():
    with pytest.raises(RunlensError, match="no such file"):
        read("/nonexistent/run.fit")


def test_invalid_values_are_missing_not_numbers():
    # The fenix 5 run's first records have no running dynamics: NaN, never 0xFFFF/10.
    rec = read(corpus(FIT)).records
    assert rec["vertical_oscillation_mm"].isna().any()
    assert rec["vertical_oscillation_mm"].max() < 200
    assert rec["ground_contact_ms"].max() < 1000
