"""Every running FIT and GPX file of the corpus reads into the right Activity.

The oracle is ../shared/corpus/catalog.csv (written by other readers) and, for
GPX start times, a plain regular-expression read of the file's first <time>.
"""

from __future__ import annotations

import csv
import re
from datetime import datetime, timedelta, timezone
from functools import cache

import pytest

from runlens import read
from tests.conftest import CORPUS, corpus


def _catalog() -> list[dict[str, str]]:
    path = CORPUS / "catalog.csv"
    if not path.exists():
        return []
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


CATALOG = _catalog()
RUNNING = [
    r
    for r in CATALOG
    if r["running"] == "yes"
    and (
        (r["format"] == "fit" and r["fitparse_ok"] == "yes")
        or (r["format"] == "gpx" and r["gpxpy_ok"] == "yes")
    )
]


def _read(rel: str):
    return _read_cached(corpus(rel))  # skips with its reason where the corpus is absent


@cache
def _read_cached(path):
    return read(path)


def _gpx_first_time(path) -> datetime:
    text = path.read_text(encoding="utf-8-sig")
    trkpt = text.index("<trkpt")
    m = re.search(r"<(?:\w+:)?time>([^<]+)</", text[trkpt:])
    return datetime.fromisoformat(m.group(1).strip().replace("Z", "+00:00")).astimezone(
        timezone.utc
    )


def test_catalog_lists_running_files():
    if not CATALOG:
        pytest.skip("corpus not present")
    assert len(RUNNING) >= 15


@pytest.mark.parametrize("row", RUNNING, ids=[r["path"] for r in RUNNING])
def test_running_file_reads(row):
    a = _read(row["path"])
    assert a.source.format == row["format"]
    assert a.sport == "running"
    assert a.is_running
    if row["format"] == "fit":
        # sport: every session the catalog lists, in order
        sports = [s.split("/")[0] for s in row["sports"].split("|")]
        assert [s.sport for s in a.sessions] == sports
        # Records sharing a timestamp are merged into one (runlens.io.validate).
        assert len(a.records) + a.extra.get("records_merged", 0) == int(float(row["n_records"]))
        assert a.device.manufacturer == row["manufacturer"]
        assert (a.device.product or "") == row["product"]
        created = row["time_created"]
        if created and "T" in created:
            created_at = datetime.fromisoformat(created)
            end = a.records.index[-1].to_pydatetime() + timedelta(seconds=60)
            # Most devices stamp the file at the start; some (fenix 2) at the end.
            assert a.start.to_pydatetime() == created_at or (
                a.start.to_pydatetime() <= created_at <= end
            )
        assert a.cadence_convention in ("fit-strides-doubled", "none")
    else:
        assert len(a.records) + a.extra.get("records_merged", 0) == int(float(row["n_points_time"]))
        assert a.start.to_pydatetime() == _gpx_first_time(CORPUS / row["path"])
        if int(float(row["n_points_cad"] or 0)):
            assert a.cadence_convention == "gpx-strides-doubled"
            assert a.records["cadence_spm"].max() > 120  # steps/min, not strides/min
    assert a.records.index.tz is not None
    assert a.records.index.is_monotonic_increasing or a.warnings


def test_multisport_keeps_every_session_with_its_sport():
    a = _read("python-fitparse/tests/files/sample_mulitple_header.fit")
    assert [s.sport for s in a.sessions] == [
        "swimming",
        "transition",
        "cycling",
        "transition",
        "running",
    ]
    assert a.extra["fit_headers"] == 4
    run = a.running_records()
    # Running analysis uses the running session only: it starts at its session start.
    assert run.index[0] >= a.sessions[-1].start
    # Swim stroke cadence stays per minute; only running cadence becomes steps/min.
    other = a.records[~a.running_mask()]
    assert other["cadence_spm"].isna().all()
    assert other["cadence_rpm"].notna().any()
    assert run["cadence_rpm"].isna().all()
    # The device's running-session summary (catalog oracle: FR920XT session 5).
    assert a.device_summary["distance_m"] == pytest.approx(9805.92)


def test_utc_offset_from_local_timestamp():
    # fenix 5 run recorded in California in June (PDT, UTC-7).
    a = _read("python-fitparse/tests/files/garmin-fenix-5-run.fit")
    assert a.utc_offset_s == -7 * 3600
    assert a.local_start.hour == 7


def test_developer_fields_keep_names_and_units():
    a = _read("tormoder-fit/testdata/misc/mornindew-broken.fit")
    assert a.developer_units["Power"] == "Watts"
    assert a.developer_units["Leg Spring Stiffness"] == "kN/m"
    assert len(a.developer) == len(a.records)
    assert a.developer["Power"].between(0, 1000).mean() > 0.9


def test_pauses_from_timer_events():
    a = _read("tormoder-fit/testdata/misc/mornindew-broken.fit")
    # elapsed - timer in the watch's session = total pause time
    paused = sum(p.duration_s for p in a.pauses)
    ds = a.device_summary
    assert paused == pytest.approx(ds["elapsed_s"] - ds["timer_s"], abs=10)


def test_user_profile():
    a = _read("python-fitparse/tests/files/garmin-fenix-5-run.fit")
    assert a.profile.height_m == pytest.approx(1.75)
    assert a.profile.weight_kg == pytest.approx(68.0)
    assert a.profile.sex == "male"
    assert a.profile.resting_hr_bpm == 47
