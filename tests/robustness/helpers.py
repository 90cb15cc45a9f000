"""Shared helpers for the robustness tests: the full read path, GPX text, hashes."""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

import pytest

from tests.conftest import CORPUS, NO_CORPUS, ROOT

FILES = "python-fitparse/tests/files/"
#: A small real running FIT (Garmin fenix 5, 21 records over 57 s, 5597 bytes).
SMALL_RUN = FILES + "garmin-fenix-5-run.fit"
#: A longer real run (fenix 2, 2809 records, 121839 bytes).
LONG_RUN = FILES + "activity-small-fenix2-run.fit"


def full_read(source, *, strict: bool = False):
    """``read()`` followed by :func:`runlens.io.validate.validate`, as ``read()`` ends.

    validate() is idempotent, so this is right whether or not ``read()`` already
    calls it; the load notes (container warnings) are passed the same way.
    """
    from runlens.io import read
    from runlens.io.source import read_source
    from runlens.io.validate import validate

    activity = read(source, strict=strict)
    return validate(activity, strict=strict, notes=read_source(source).notes)


def corpus(rel: str) -> Path:
    """A corpus file: ``../shared/corpus`` beside the checkout (CI), else beside the
    folder of worktrees (/work/wt/NAME -> /work/shared), else $RUNLENS_CORPUS."""
    roots = [CORPUS] if NO_CORPUS else [CORPUS, ROOT.parent.parent / "shared" / "corpus"]
    if os.environ.get("RUNLENS_CORPUS") and not NO_CORPUS:
        roots.insert(0, Path(os.environ["RUNLENS_CORPUS"]))
    for root in roots:
        if (root / rel).exists():
            return root / rel
    pytest.skip(f"corpus file not found: {rel}")


@functools.cache
def corpus_bytes(rel: str) -> bytes:
    return Path(corpus(rel)).read_bytes()


@functools.cache
def clean(rel: str):
    """The activity read from an intact corpus file (parsed once per session)."""
    return full_read(corpus_bytes(rel))


def sha256(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def gpx(points, *, sport: str = "running", header: str = "") -> bytes:
    """A GPX 1.1 track from ``(time_iso or None, lat, lon, ele, hr)`` tuples."""
    pts = []
    for t, lat, lon, ele, hr in points:
        inner = f"<ele>{ele}</ele>" if ele is not None else ""
        if t is not None:
            inner += f"<time>{t}</time>"
        if hr is not None:
            inner += (
                "<extensions><gpxtpx:TrackPointExtension>"
                f"<gpxtpx:hr>{hr}</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions>"
            )
        pts.append(f'<trkpt lat="{lat}" lon="{lon}">{inner}</trkpt>')
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{header}'
        '<gpx version="1.1" creator="runlens tests" xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
        f"<trk><type>{sport}</type><trkseg>{''.join(pts)}</trkseg></trk></gpx>"
    ).encode()


def run_points(n: int, *, start_s: int = 0, step_m: float = 3.0, hr: float = 150.0):
    """``n`` points 1 s apart heading north at ``step_m`` m/s from 45N 7E."""
    from datetime import datetime, timedelta, timezone

    t0 = datetime(2024, 5, 1, 7, 0, 0, tzinfo=timezone.utc) + timedelta(seconds=start_s)
    deg_per_m = 1 / 111_195.0  # one degree of latitude on the 6371 km sphere
    return [
        (
            (t0 + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            45.0 + i * step_m * deg_per_m,
            7.0,
            300.0,
            hr,
        )
        for i in range(n)
    ]
