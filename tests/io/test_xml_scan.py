"""GPX and TCX read from their bytes (runlens.io.xmlscan) give what the tree walk gives.

A plain file of the shape watches write is read from its bytes, without a tree
(issue 28); any other file is parsed and walked as before. The known answer is
the walk itself: every file here is read both ways (the bytes path switched off
for the second read) and the Activities must be identical, on files built from a
simulated run with one change each, and on every GPX and TCX of the corpus. Each
case also says which path it must take, so a change that quietly sends every
file to the walk fails here.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

import numpy as np
import pandas as pd
import pytest

import runlens.io.gpx as gpx
import runlens.io.tcx as tcx
from runlens import read
from runlens.io import read_all
from tests.conftest import CORPUS


def _run(seed: int = 3, duration_s: int = 90):
    from runlens.sim.synth import simulate_run

    start = datetime(2026, 1, 1, 6, tzinfo=timezone.utc)
    return simulate_run(seed=seed, duration_s=duration_s, start=start, power=True)


def _same(a, b) -> None:
    pd.testing.assert_frame_equal(a.records, b.records, check_exact=True)
    assert list(a.records.columns) == list(b.records.columns)
    for f in ("sport", "start", "utc_offset_s", "device", "sessions", "laps", "pauses",
              "device_summary", "cadence_convention", "warnings", "extra"):
        assert getattr(a, f) == getattr(b, f), f
    assert a.source == b.source


def _both_ways(data: bytes, monkeypatch, module, fast_name):
    """Read ``data`` as it is read, then with the bytes path off; both must agree."""
    def outcome():
        try:
            return read_all(data)
        except Exception as exc:  # noqa: BLE001 - the verdict must be the same too
            return f"{type(exc).__name__}: {exc}"

    first = outcome()
    with monkeypatch.context() as m:
        m.setattr(module, fast_name, lambda *a, **k: None)
        walked = outcome()
    if isinstance(first, str) or isinstance(walked, str):
        assert first == walked
        return first
    assert len(first) == len(walked)
    for a, b in zip(first, walked):
        _same(a, b)
    return first


# -- GPX ---------------------------------------------------------------------------------

def _gpx(version: int = 2, prefix: str = "gpxtpx") -> str:
    from runlens.sim.gpxwrite import to_gpx

    return to_gpx(_run(), version=version, prefix=prefix)


def _nth(text: str, pattern: str, repl: str, every: int = 7) -> str:
    """``pattern`` replaced by ``repl`` in every ``every``-th match."""
    count = [0]

    def sub(m):
        count[0] += 1
        return m.expand(repl) if count[0] % every == 0 else m.group(0)

    return re.sub(pattern, sub, text)


GPX_CASES = {
    # (the file, whether its bytes are read without a tree)
    "as watches write it (v2)": (lambda: _gpx(), True),
    "TrackPointExtension v1, another prefix": (lambda: _gpx(1, "ns3"), True),
    "lon before lat": (lambda: re.sub(r'lat="([^"]*)" lon="([^"]*)"', r'lon="\2" lat="\1"', _gpx()), True),
    "a tab and a newline in attributes": (lambda: _gpx().replace('" lon="', '"\n\tlon="'), True),
    "some points without ele or hr": (
        lambda: _nth(_nth(_gpx(), r"<ele>[^<]*</ele>", "", 5), r"<gpxtpx:hr>[^<]*</gpxtpx:hr>", "", 3),
        True),
    "empty leaves": (lambda: _nth(_nth(_gpx(), r"<ele>[^<]*</ele>", "<ele/>", 4),
                                  r"<gpxtpx:hr>[^<]*</gpxtpx:hr>", "<gpxtpx:hr></gpxtpx:hr>", 6),
                     True),
    "a point without time": (lambda: _nth(_gpx(), r"<time>[^<]*</time>", "", 11), True),
    "times with an offset": (lambda: _gpx().replace("Z</time>", "+02:00</time>"), True),
    "a 30 February": (lambda: _gpx().replace("2026-01-01T06:00:1", "2026-02-30T06:00:1"), True),
    "Strava's plain power": (lambda: _gpx().replace(
        "</gpxtpx:TrackPointExtension>", "</gpxtpx:TrackPointExtension><power>250</power>"), True),
    "a waypoint": (lambda: _gpx().replace("<trk>", '<wpt lat="1" lon="2"><name>x</name></wpt><trk>', 1),
                   True),
    "a name that is not ASCII": (lambda: _gpx().replace("<trk>", "<trk><name>Läufe ½</name>", 1), True),
    "a namespace declared below the root": (
        lambda: _gpx().replace("<trkpt ", '<trkpt xmlns:o="urn:other" ', 1), False),
    "a comment": (lambda: _gpx().replace("<trkseg>", "<trkseg><!-- c -->", 1), False),
    "an entity": (lambda: _gpx().replace("<trk>", "<trk><name>a &amp; b</name>", 1), False),
    "CRLF line ends": (lambda: _gpx().replace("\n", "\r\n"), False),
    "HR in capitals": (lambda: _nth(_gpx(), r"gpxtpx:hr>", "gpxtpx:HR>", 1), False),
    "hr in another namespace": (lambda: _gpx().replace(
        'xmlns:gpxtpx=', 'xmlns:o="urn:other" xmlns:gpxtpx=').replace(
        "<gpxtpx:hr>", "<o:hr>").replace("</gpxtpx:hr>", "</o:hr>"), False),
    "two ele in a point": (lambda: _nth(_gpx(), r"(<ele>[^<]*</ele>)", r"\1<ele>1</ele>", 9), False),
    "an hdop": (lambda: _nth(_gpx(), r"(</time>)", r"\1<hdop>2</hdop>", 9), False),
    "an element inside ele": (lambda: _nth(_gpx(), r"<ele>([^<]*)</ele>", r"<ele>\1<b/></ele>", 9),
                              False),
}


@pytest.mark.parametrize("case", list(GPX_CASES))
def test_gpx_bytes_read_as_the_walk(case, monkeypatch):
    make, plain = GPX_CASES[case]
    data = make().encode("utf-8")
    assert (gpx._scan_parts(data) is not None) is plain
    got = _both_ways(data, monkeypatch, gpx, "_scan_parts")
    if case == "as watches write it (v2)":  # the known answer: the simulated samples
        run = _run()
        a = got[0]
        assert len(a.records) == len(run.t)
        assert np.allclose(a.records["heart_rate_bpm"].to_numpy(), np.rint(run.columns["heart_rate"]))


# -- TCX ---------------------------------------------------------------------------------

def _tcx(run=None, **kw) -> str:
    from runlens.sim.tcxwrite import to_tcx

    return to_tcx(run or _run(), **kw)


def _two_activities() -> str:
    from runlens.sim.tcxwrite import to_tcx

    a = _tcx()
    later = to_tcx(_run(seed=4), start=datetime(2026, 1, 3, 6, tzinfo=timezone.utc))
    body = later[later.index("<Activity "): later.index("</Activities>")]
    return a.replace("</Activities>", body + "</Activities>")


TCX_CASES = {
    "as Garmin writes it": (lambda: _tcx(), True),
    "plain style": (lambda: _tcx(style="plain"), True),
    "two activities days apart": (_two_activities, True),
    "a lap without a track": (lambda: _tcx(_run(duration_s=900), trackless_laps=(1,)), True),
    "some points without heart rate": (
        lambda: _nth(_tcx(), r"<HeartRateBpm><Value>[^<]*</Value></HeartRateBpm>", "", 4), True),
    "an empty Time": (lambda: _nth(_tcx(), r"<Time>[^<]*</Time>", "<Time/>", 13), True),
    "times with an offset": (lambda: re.sub(r"(<Time>[^<]*?)Z</Time>", r"\1+01:00</Time>", _tcx()),
                             True),
    "a 30 February": (lambda: _tcx().replace("<Time>2026-01-01T06:00:1", "<Time>2026-02-30T06:00:1"),
                      True),
    "a point without a number": (lambda: _nth(_tcx(), r"<AltitudeMeters>[^<]*<", "<AltitudeMeters>x<",
                                              17), True),
    "trackpoint in lower case": (lambda: _nth(_tcx(), r"(</?)Trackpoint>", r"\1trackpoint>", 1),
                                 False),
    "a track holding something else": (lambda: _tcx().replace("<Track>", "<Track><Foo/>", 1), False),
    "two positions in a point": (lambda: _nth(_tcx(), r"(?s)(<Position>.*?</Position>)", r"\1\1", 5),
                                 False),
    "Speed in another namespace": (lambda: _tcx().replace(
        'xmlns:ns3=', 'xmlns:o="urn:other" xmlns:ns3=').replace(
        "<ns3:Speed>", "<o:Speed>").replace("</ns3:Speed>", "</o:Speed>"), False),
    "a creator that is not ASCII": (lambda: _tcx(creator="Forerunner ½ Läufer"), True),
    "a comment": (lambda: _tcx().replace("<Track>", "<Track><!-- c -->", 1), False),
}


@pytest.mark.parametrize("case", list(TCX_CASES))
def test_tcx_bytes_read_as_the_walk(case, monkeypatch):
    make, plain = TCX_CASES[case]
    text = make()
    data = text.encode("utf-8")
    assert (tcx._scan_plan(data) is not None) is plain
    got = _both_ways(data, monkeypatch, tcx, "_scan_plan")
    if case == "as Garmin writes it":  # the known answer: one point a second
        assert len(got[0].records) == len(_run().t) == text.count("<Trackpoint>")


def _corpus_files():
    if not CORPUS.exists():
        return []
    return sorted(CORPUS.rglob("*.gpx")) + sorted(CORPUS.rglob("*.tcx"))


def test_every_corpus_gpx_and_tcx_reads_as_the_walk(monkeypatch):
    files = _corpus_files()
    if not files:
        pytest.skip("the corpus (../shared/corpus) is not here")
    bytes_path = 0
    for f in files:
        data = f.read_bytes()
        if f.suffix == ".gpx":
            bytes_path += gpx._scan_parts(data) is not None
            _both_ways(data, monkeypatch, gpx, "_scan_parts")
        else:
            bytes_path += tcx._scan_plan(data) is not None
            _both_ways(data, monkeypatch, tcx, "_scan_plan")
    assert bytes_path > len(files) // 2  # most real files are plain


def test_a_broken_file_is_refused_as_before():
    data = _gpx().encode()[:-200]
    with pytest.raises(Exception) as fast:
        read(data, reader="fast")
    assert "not a valid GPX file (Error parsing XML" in str(fast.value)
    data = _tcx().encode()[:-200]
    with pytest.raises(Exception) as got:
        read(data)
    assert "not a valid TCX file (Error parsing XML" in str(got.value)


def test_times_parsed_from_the_bytes_are_what_pandas_reads():
    """The known answer is pandas' ISO 8601 parse (the readers' text path) of random
    real times 1678-2261 in each layout; impossible ones are left to the texts."""
    import random

    from runlens.io.xmlscan import scan

    rng = random.Random(5)

    def one(tail):
        y, mo = rng.randint(1678, 2261), rng.randint(1, 12)
        d = rng.randint(1, 29 if mo == 2 and y % 4 == 0 and (y % 100 or y % 400 == 0) else
                        28 if mo == 2 else 30)
        return (f"{y:04d}-{mo:02d}-{d:02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:"
                f"{rng.randint(0, 59):02d}{tail}")

    for tail in ("Z", ".000Z", ".123456789Z", "+02:00", ".5-05:30", ".12+14:00"):
        vals = [one(tail) for _ in range(2000)]
        sc = scan(("<r>" + "".join(f"<t>{v}</t>" for v in vals) + "</r>").encode())
        has, ns = sc.present_times(np.flatnonzero(sc.named([b"t"])))
        want = pd.to_datetime(pd.Series(vals), format="ISO8601", utc=True)
        assert has.size == len(vals)
        assert np.array_equal(ns, want.to_numpy(dtype="datetime64[ns]").astype(np.int64)), tail
    for odd in ("2021-02-29T00:00:00Z", "2020-01-01T24:00:00Z", "2020-01-01T00:00:60Z",
                "2020-01-01T00:00:00+14:30", "2262-01-01T00:00:00Z", "2020-01-01 00:00:00Z",
                "2020-01-01T00:00:00", "2020-01-01T00:00:00.Z"):
        sc = scan(f"<r><t>{odd}</t></r>".encode())
        assert sc.present_times(np.flatnonzero(sc.named([b"t"]))) is None, odd


# -- the check and the scan at once --------------------------------------------------------

@pytest.mark.parametrize("parallel", [True, False], ids=["two-threads", "one-after-other"])
def test_checked_scan_gives_the_same_verdicts_in_either_way(parallel, monkeypatch):
    """Above PARALLEL_CHECK_BYTES libxml2 checks the bytes in a second thread while
    NumPy scans them; the verdict is what the two give one after the other: a plain
    well-formed file is scanned, a file cut short (not well-formed, still plain up to
    the cut) and a file that is not plain are not."""
    from runlens.io import xmlscan

    monkeypatch.setattr(xmlscan, "PARALLEL_CHECK_BYTES", 0 if parallel else 1 << 40)
    data = _gpx().encode()
    assert len(data) > 10_000
    assert xmlscan.scan(data) is not None and xmlscan.well_formed(data)
    got = xmlscan.checked_scan(data)
    assert got is not None and got.is_end.size == xmlscan.scan(data).is_end.size
    cut = data[: len(data) * 2 // 3]
    assert not xmlscan.well_formed(cut)
    assert xmlscan.checked_scan(cut) is None
    not_plain = data.replace(b"</trkseg>", b"<!-- a comment --></trkseg>", 1)
    assert xmlscan.well_formed(not_plain) and xmlscan.scan(not_plain) is None
    assert xmlscan.checked_scan(not_plain) is None
