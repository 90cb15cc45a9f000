"""Print docs/robustness.md's table of bad inputs and what runlens does with each.

Run: ``PYTHONPATH=. python -m tests.robustness.outcomes_table`` (needs ../shared/corpus).
Every message in the table is produced by this run, not typed by hand.
"""

from __future__ import annotations

import gzip
import tempfile
from pathlib import Path

from runlens.errors import RunlensError
from runlens.io.source import MAX_INPUT_BYTES

from .helpers import FILES, LONG_RUN, SMALL_RUN, corpus, corpus_bytes, full_read, gpx, run_points
from .test_xml_safety import _bomb


def _outcome(source, strict=False) -> tuple[str, str]:
    try:
        act = full_read(source, strict=strict)
    except RunlensError as exc:
        return f"refused ({type(exc).__name__})", str(exc)
    if not act.warnings:
        return f"read, {len(act.records)} records", "(no warning)"
    return f"salvaged, {len(act.records)} records", "<br>".join(act.warnings)


def cases(tmp: Path):
    small = corpus_bytes(SMALL_RUN)
    long = corpus_bytes(LONG_RUN)

    def put(name: str, data: bytes) -> Path:
        p = tmp / name
        p.write_bytes(data)
        return p

    for rel in [
        "activity-activity-filecrc.fit",
        "activity-filecrc.fit",
        "activity-settings-corruptheader.fit",
        "activity-settings-nodata.fit",
        "activity-unexpected-eof.fit",
        "coros-pace-2-cycling-misaligned-fields.fit",
        "nick.fit",
        "strava-android-app-201.10-b1218918.fit",
    ]:
        yield f"corpus {rel}", corpus(FILES + rel)
    yield (
        "corpus runpandas .../malformed.tcx",
        corpus("runpandas/runpandas/tests/io/data/tcx/malformed.tcx"),
    )
    yield "FIT truncated at 50% (fenix 2 run, 47 min)", put("half.fit", long[: len(long) // 2])
    yield "FIT truncated at 90%", put("ninety.fit", long[: int(len(long) * 0.9)])
    yield "FIT truncated inside its header (13 bytes)", put("h13.fit", small[:13])
    yield "FIT of header only (14 bytes)", put("h14.fit", small[:14])
    mid = bytearray(long)
    mid[len(mid) // 2 : len(mid) // 2 + 200] = bytes(range(200))
    yield "FIT with 200 garbage bytes mid-file", put("garbage-mid.fit", bytes(mid))
    for at in (3000, 2000):
        flip = bytearray(small)
        flip[at] ^= 0xFF
        yield f"FIT with one flipped byte (byte {at})", put(f"flip{at}.fit", bytes(flip))
    crc = bytearray(small)
    crc[-1] ^= 0xFF
    yield "FIT with a wrong file CRC", put("crc.fit", bytes(crc))
    hcrc = bytearray(small)
    hcrc[12] ^= 0x55
    yield "FIT with a wrong header CRC", put("hcrc.fit", bytes(hcrc))
    yield "FIT followed by text", put("tail.fit", small + b"this is not FIT")
    yield "FIT followed by zero padding", put("pad.fit", small + bytes(512))
    for name in (
        "Settings.fit",
        "MonitoringFile.fit",
        "WorkoutRepeatSteps.fit",
        "WeightScaleSingleUser.fit",
    ):
        yield f"non-activity FIT ({name})", corpus(FILES + name)
    yield "empty file (0 bytes)", put("empty.fit", b"")
    yield "white space only", put("ws.gpx", b"  \n\n")
    yield "zero bytes only (4096)", put("zeros.fit", bytes(4096))
    yield "random bytes (a zip)", put("zip.fit", b"PK\x03\x04 a zip file")
    yield "a .fit that is really GPX", put("really-gpx.fit", gpx(run_points(30)))
    yield "a .gpx that is really FIT", put("really-fit.gpx", small)
    yield "a .fit.gz that is not gzip (plain FIT)", put("plain.fit.gz", small)
    yield "a .gz with gzip magic but garbage", put("garbage.fit.gz", b"\x1f\x8b" + b"x" * 100)
    gz = gzip.compress(small, mtime=0)
    yield "gzip cut short (2/3 of a .fit.gz)", put("cut.fit.gz", gz[: len(gz) * 2 // 3])
    yield (
        "gzip bomb (100 MiB of zeros, 102 kB)",
        put("bomb.fit.gz", gzip.compress(bytes(100 * 2**20), mtime=0)),
    )
    big = tmp / "huge.gpx"
    with open(big, "wb") as fh:
        fh.truncate(MAX_INPUT_BYTES + 1)
    yield "file over 64 MiB (sparse)", big
    yield "HTML page saved as .gpx", put("page.gpx", b"<html><body>502</body></html>")
    yield "GPX without times", put("notimes.gpx", gpx([(None, *p[1:]) for p in run_points(20)]))
    pts = run_points(20)
    pts[5] = (None, *pts[5][1:])
    yield "GPX with one point without time", put("onenotime.gpx", gpx(pts))
    pts = run_points(30)
    pts[10], pts[20] = pts[20], pts[10]
    yield "GPX with times going backwards", put("backwards.gpx", gpx(pts))
    pts = run_points(30)
    pts.insert(11, (*pts[10][:4], 180.0))
    yield "GPX with a repeated timestamp, conflicting hr", put("dup.gpx", gpx(pts))
    pts = run_points(30)
    pts.insert(11, pts[10])
    yield "GPX with an identical repeated point", put("dupsame.gpx", gpx(pts))
    pts = run_points(60)
    pts[30] = (pts[30][0], pts[30][1] + 0.05, *pts[30][2:])
    yield "GPX with a 5.6 km GPS jump for 1 s", put("jump.gpx", gpx(pts))
    pts = run_points(20)
    pts[3] = (*pts[3][:4], 0)
    pts[7] = (*pts[7][:4], 255)
    pts[9] = (pts[9][0], pts[9][1], pts[9][2], -9000, pts[9][4])
    yield "GPX with hr 0 and 255, altitude -9000 m", put("absurd.gpx", gpx(pts))
    yield "GPX billion laughs", put("laughs.gpx", _bomb())
    yield (
        "GPX with an external entity",
        put(
            "xxe.gpx",
            gpx(run_points(3), header='<!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'),
        ),
    )
    from runlens.sim.synth import simulate_run
    from runlens.sim.tcxwrite import to_tcx

    tcx = to_tcx(simulate_run(seed=1, duration_s=120), style="plain")
    decl = '<?xml version="1.0" encoding="UTF-8"?>'
    laughs = '<!DOCTYPE TrainingCenterDatabase [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
    yield "TCX billion laughs", put("laughs.tcx", tcx.replace(decl, decl + laughs).encode())
    xxe = '<!DOCTYPE TrainingCenterDatabase [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    yield "TCX with an external entity", put("xxe.tcx", tcx.replace(decl, decl + xxe).encode())
    yield "a folder", tmp
    yield "a missing file", tmp / "missing.fit"


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        print("| input | default (salvage) | message | `--strict` |")
        print("|---|---|---|---|")
        for label, path in cases(tmp):
            kind, msg = _outcome(path)
            skind, smsg = _outcome(path, strict=True)
            msg = msg.replace(str(tmp) + "/", "").replace(
                str(Path(corpus("catalog.csv")).parent) + "/", ""
            )
            smsg = smsg.replace(str(tmp) + "/", "").replace(
                str(Path(corpus("catalog.csv")).parent) + "/", ""
            )
            strict = "same" if (skind, smsg) == (kind, msg) else f"{skind}: {smsg}"
            print(f"| {label} | {kind} | {msg.replace('|', '/')} | {strict.replace('|', '/')} |")


if __name__ == "__main__":
    main()
