"""TCX: the reader against the files' own lap totals, two writers, and FIT/GPX/TCX agreement.

Oracles: the corpus' TCX files state each lap's ``TotalTimeSeconds`` and
``DistanceMeters`` (read here with ElementTree, independently of the reader);
the project's TCX writer writes the simulated run's own lap summaries.
"""

from __future__ import annotations

import csv
import gzip
import xml.etree.ElementTree as ET
from datetime import timedelta

import numpy as np
import pytest

from runlens.errors import NotAnActivityError, UnsafeXMLError
from runlens.io import read, sniff_format
from runlens.metrics import summarize
from runlens.sim.fitwrite import encode_activity
from runlens.sim.gpxwrite import to_gpx
from runlens.sim.synth import SimPause, simulate_run
from runlens.sim.tcxwrite import to_tcx
from tests.conftest import CORPUS

NS = "{http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2}"


def _corpus_tcx() -> list[str]:
    path = CORPUS / "catalog.csv"
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as fh:
        rows = csv.DictReader(fh)
        return [r["path"] for r in rows if r["format"] == "tcx" and r["xml_ok"] == "yes"]


def _lap_totals(path) -> tuple[float, float]:
    """Sum of the file's own lap TotalTimeSeconds and DistanceMeters (s, m)."""
    root = ET.parse(path).getroot()
    laps = root.iter(NS + "Lap")
    t = d = 0.0
    for lap in laps:
        t += float(lap.find(NS + "TotalTimeSeconds").text)
        d += float(lap.find(NS + "DistanceMeters").text)
    return t, d


@pytest.mark.parametrize("rel", _corpus_tcx() or ["<corpus absent>"])
def test_corpus_tcx_agrees_with_its_own_lap_totals(rel):
    if rel == "<corpus absent>":
        pytest.skip("corpus not present")
    path = CORPUS / rel
    timer, dist = _lap_totals(path)
    a = read(path)
    s = summarize(a)
    assert a.source.format == "tcx"
    assert s["distance_m"] == pytest.approx(dist, rel=0.01)
    assert s["timer_s"] == pytest.approx(timer, rel=0.01)
    # The laps' own totals are kept as the device summary.
    assert a.device_summary["distance_m"] == pytest.approx(dist, rel=1e-9)
    assert len(a.laps) == sum(1 for _ in ET.parse(path).getroot().iter(NS + "Lap"))


def test_corpus_tcx_sport_creator_and_cadence_convention():
    rels = _corpus_tcx()
    if not rels:
        pytest.skip("corpus not present")
    g = read(CORPUS / "runpandas/runpandas/tests/io/data/tcx/run_garmin.tcx")
    assert g.sport == "running" and g.device.product == "Garmin Forerunner 620"
    # RunCadence 70..93 strides/min at the start: doubled to steps.
    assert g.cadence_convention == "tcx-strides-doubled"
    med = float(np.nanmedian(g.records["cadence_spm"]))
    raw = [
        float(e.text)
        for e in ET.parse(CORPUS / "runpandas/runpandas/tests/io/data/tcx/run_garmin.tcx").iter()
        if e.tag.endswith("RunCadence")
    ]
    assert med == pytest.approx(2 * float(np.median(raw)))
    bike = read(CORPUS / "sweatpy/sweat/examples/data/activity_5039744860.tcx")
    assert bike.sport == "cycling" and "cadence_rpm" in bike.records and "power_w" in bike.records
    assert "cadence_spm" not in bike.records
    other = read(CORPUS / "tcxreader/tcxreader/tests/data/cross-country-skiing_activity_1.tcx")
    assert other.sport == "other" and not other.is_running


def _run(**kw):
    return simulate_run(
        seed=3,
        duration_s=1800,
        pauses=(SimPause(600, 660), SimPause(1200, 1290)),
        power=True,
        **kw,
    )


@pytest.mark.parametrize(
    "style, cadence, convention",
    [
        ("garmin", "strides", "tcx-strides-doubled"),
        ("plain", "steps", "tcx-steps"),
        ("plain", "strides", "tcx-strides-doubled"),
    ],
)
def test_written_tcx_agrees_with_the_written_lap_totals(style, cadence, convention):
    run = _run()
    text = to_tcx(run, style=style, cadence=cadence)
    root = ET.fromstring(text.encode())
    assert root.tag == NS + "TrainingCenterDatabase"
    a = read(text.encode())
    s = summarize(a)
    lap_t = sum(lp.total_timer_time for lp in run.laps)
    lap_d = sum(lp.total_distance for lp in run.laps)
    assert s["distance_m"] == pytest.approx(lap_d, rel=0.01)
    assert s["timer_s"] == pytest.approx(lap_t, rel=0.01)
    assert a.cadence_convention == convention
    assert s["cadence_spm"] == pytest.approx(run.session.avg_cadence, rel=0.01)
    assert len(a.laps) == len(run.laps)
    if style == "garmin":
        # A new <Track> after each pause: both pauses are known.
        assert [(p.start, p.end) for p in a.pauses] == [
            (a.start + timedelta(seconds=600), a.start + timedelta(seconds=660)),
            (a.start + timedelta(seconds=1200), a.start + timedelta(seconds=1290)),
        ]
        assert "speed_m_s" in a.records and "power_w" in a.records
        assert a.device.product == "Forerunner 255" and a.device.software_version == 19.18


def test_one_run_as_fit_gpx_and_tcx_gives_one_summary():
    # Smart recording (samples 1-7 s apart), as most watches record: at 1 Hz the
    # simulated 1.5 m GPS jitter makes GPX's haversine distance ~1.2 % long.
    run = simulate_run(seed=11, duration_s=2400, smart_recording=True, pauses=(SimPause(900, 1020),))
    fit = summarize(read(encode_activity(run)))
    gpx = summarize(read(to_gpx(run, version=2).encode()))
    tcx_g = summarize(read(to_tcx(run, style="garmin").encode()))
    tcx_p = summarize(read(to_tcx(run, style="plain").encode()))
    for key in ("distance_m", "timer_s", "moving_s", "avg_speed_m_s", "heart_rate_bpm",
                "cadence_spm"):
        for other in (gpx, tcx_g, tcx_p):
            assert other[key] == pytest.approx(fit[key], rel=0.01), key


def test_gzipped_tcx_and_detection_by_content():
    text = to_tcx(_run(), style="plain").encode()
    assert sniff_format(text) == "tcx"
    a = read(gzip.compress(text))
    assert a.source.compressed and a.source.format == "tcx"
    # A TCX named .gpx is read as TCX, with a note.
    import io

    stream = io.BytesIO(text)
    stream.name = "run.gpx"
    b = read(stream)
    assert b.source.format == "tcx"
    assert any("named .gpx but holds TCX" in w for w in b.warnings)


def _two_activities(gap_s: float) -> bytes:
    run = simulate_run(seed=5, duration_s=600, lap_distance_m=None)
    one = to_tcx(run, style="plain", sport="Running")
    later = simulate_run(
        seed=6, duration_s=600, lap_distance_m=None,
        start=run.start + timedelta(seconds=600 + gap_s),
    )
    two = to_tcx(later, style="plain", sport="Biking")
    act2 = two[two.index("<Activity ") : two.index("</Activities>")]
    return one.replace("</Activities>", act2 + "</Activities>").encode()


def test_two_activities_of_one_outing_are_two_sessions():
    a = read(_two_activities(gap_s=300))
    assert [s.sport for s in a.sessions] == ["running", "cycling"]
    assert a.sport == "running"
    assert a.running_mask().sum() == len(a.records[a.records.index <= a.sessions[0].end])
    assert not any("left out" in w for w in a.warnings)


def test_activities_days_apart_read_the_first_and_say_so():
    a = read(_two_activities(gap_s=3 * 86400))
    assert len(a.sessions) == 1 and a.sport == "running"
    assert any("holds 2 activities on different days" in w for w in a.warnings)


def test_a_course_is_not_an_activity():
    course = (
        b'<?xml version="1.0"?><TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/'
        b'TrainingCenterDatabase/v2"><Courses><Course><Name>loop</Name></Course></Courses>'
        b"</TrainingCenterDatabase>"
    )
    with pytest.raises(NotAnActivityError, match="a TCX courses file"):
        read(course)


@pytest.mark.parametrize(
    "header",
    [
        '<!DOCTYPE TrainingCenterDatabase [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>',
        '<!DOCTYPE TrainingCenterDatabase [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    ],
)
def test_xml_attacks_in_tcx_are_refused(header):
    text = to_tcx(_run(), style="plain")
    body = text.replace('<?xml version="1.0" encoding="UTF-8"?>', f'<?xml version="1.0"?>{header}')
    with pytest.raises(UnsafeXMLError, match="TCX needs none"):
        read(body.encode())
    with pytest.raises(UnsafeXMLError):
        read(gzip.compress(body.encode()))


def _corpus_gpx_with_cadence() -> list[tuple[str, str]]:
    path = CORPUS / "catalog.csv"
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as fh:
        rows = csv.DictReader(fh)
        return [
            (r["path"], r["gpx_types"])
            for r in rows
            if r["format"] == "gpx" and int(r["n_points_cad"] or 0) > 0
        ]


def test_sportless_files_judged_runs_by_cadence_and_speed_on_the_corpus():
    """The corpus' GPX with cadence, their <type> removed: runs judged runs, rides not."""
    import re

    from runlens.io.hints import infer_sport

    rows = _corpus_gpx_with_cadence()
    if not rows:
        pytest.skip("corpus not present")
    judged = {}
    for rel, types in rows:
        data = re.sub(rb"<type>[^<]*</type>", b"", (CORPUS / rel).read_bytes())
        a = read(data)
        assert a.sport is None
        judged[rel] = (types, infer_sport(a).sport)
    truth = {rel: t in ("running", "9") for rel, (t, _) in judged.items()}  # Strava 9 = run
    assert {rel: s == "running" for rel, (_, s) in judged.items()} == truth
    assert sum(truth.values()) == 2 and len(truth) == 5
