"""sample_activities/ is exactly what generate.py produces, and its files read back."""

from __future__ import annotations

import csv
import gzip
import hashlib
import importlib.util
import io
import struct
from pathlib import Path

import fitparse
import gpxpy
import pytest

from runlens.io.fitrepair import crc16

SAMPLES = Path(__file__).resolve().parents[1] / "sample_activities"


def load_generator():
    spec = importlib.util.spec_from_file_location("sample_generate", SAMPLES / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def digest(folder: Path, names: list[str]) -> dict[str, str]:
    return {n: hashlib.sha256((folder / n).read_bytes()).hexdigest() for n in names}


@pytest.fixture(scope="module")
def manifest():
    with open(SAMPLES / "manifest.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_folder_matches_a_fresh_generation(tmp_path):
    gen = load_generator()
    written = gen.generate(tmp_path)
    names = sorted(p.name for p in written)
    committed = sorted(p.name for pattern in gen.GENERATED_GLOBS for p in SAMPLES.glob(pattern))
    assert names == committed
    assert digest(tmp_path, names) == digest(SAMPLES, names)


def test_folder_size_and_contents(manifest):
    total = sum(p.stat().st_size for p in SAMPLES.iterdir() if p.is_file())
    assert total < 3_000_000
    files = [row["file"] for row in manifest]
    assert sum(f.endswith(".gpx") for f in files) >= 2
    assert sum(f.endswith(".fit.gz") for f in files) == 1
    assert all((SAMPLES / f).exists() for f in files)


def read_records(name: str) -> list[dict]:
    return [
        m.get_values() for m in fitparse.FitFile(io.BytesIO(fit_bytes(name))).get_messages("record")
    ]


def fit_bytes(name: str) -> bytes:
    data = (SAMPLES / name).read_bytes()
    return gzip.decompress(data) if name.endswith(".gz") else data


def test_every_fit_file_has_a_valid_header_and_crc(manifest):
    for row in manifest:
        if row["file"].endswith(".gpx"):
            continue
        data = fit_bytes(row["file"])
        size, _, _, data_size, magic = struct.unpack("<BBHI4s", data[:12])
        assert (size, magic, data_size + 16) == (14, b".FIT", len(data)), row["file"]
        assert crc16(data[:12]) == struct.unpack("<H", data[12:14])[0]
        assert crc16(data[:-2]) == struct.unpack("<H", data[-2:])[0]


def test_representative_files_read_fully(manifest):
    # fitparse is slow: parse the gzipped file, the one with pauses and a fade, the
    # Stryd-like one and every GPX; the hash test covers the rest being generator output.
    chosen = [
        r
        for r in manifest
        if r["file"].endswith((".gz", ".gpx"))
        or r["developer_fields"] == "Power"
        or r["patterns"].startswith("fade")
    ]
    assert len(chosen) >= 5
    for row in chosen:
        if row["file"].endswith(".gpx"):
            gpx = gpxpy.parse((SAMPLES / row["file"]).read_text(encoding="utf-8"))
            n = sum(len(s.points) for s in gpx.tracks[0].segments)
        else:
            n = len(read_records(row["file"]))
        assert n == int(row["samples"]), row["file"]


def test_foot_strike_window_is_where_the_manifest_says(manifest):
    row = next(r for r in manifest if r["patterns"].startswith("rearfoot:"))
    lo, hi = (int(x) for x in row["patterns"].split(":")[1].split("-"))
    recs = read_records(row["file"])
    t0 = recs[0]["timestamp"]
    for r in recs:
        s = (r["timestamp"] - t0).total_seconds()
        expected = {1, 2, 3, 4, 5} if lo <= s < hi else {7, 8, 9}
        assert r["FootStrike Type"] in expected, s
