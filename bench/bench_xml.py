"""GPX and TCX reads against their references, interleaved in one run.

Run from the project root::

    python bench/bench_xml.py            # text
    python bench/bench_xml.py --json     # one JSON object

- GPX: ``runlens.read`` of the bench's 2-hour GPX (``run2h.gpx``, 7,201 points, 3 MB)
  against ElementTree's bare parse of the same bytes (target: at most 1.0x).
- TCX: ``runlens.read`` of the corpus' largest TCX against ``tcxreader`` reading it
  (target: at least 3x faster; ``pip install ".[bench]"``), and against the same read
  with ElementTree parsing instead of lxml (what lxml brings).

Round r times each in turn; the best of ``--repeat`` rounds is kept, in wall and in
CPU seconds (``*_cpu_s``; the machine is shared, and CPU ratios are the steadier).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _inputs import ROOT, run2h_gpx  # noqa: E402
from _util import machine  # noqa: E402

CORPUS = Path(os.environ.get("RUNLENS_CORPUS") or ROOT.parent / "shared" / "corpus")
if not CORPUS.exists() and (ROOT.parent.parent / "shared" / "corpus").exists():
    CORPUS = ROOT.parent.parent / "shared" / "corpus"
LARGEST_TCX = "sweatpy/sweat/examples/data/activity_4801048867.tcx"


def main() -> int:
    import xml.etree.ElementTree as ET

    import runlens.io.xmlparse as xmlparse
    from runlens import read

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    gpx = run2h_gpx().read_bytes()
    tcx_path = CORPUS / LARGEST_TCX
    tcx = tcx_path.read_bytes() if tcx_path.exists() else None
    try:
        from tcxreader.tcxreader import TCXReader
    except ImportError:
        TCXReader = None
    lxml_parse = xmlparse.parse_xml

    def et_parse(data, name, what):
        return ET.fromstring(data)

    def read_tcx_et():
        xmlparse.parse_xml = et_parse
        try:
            read(tcx)
        finally:
            xmlparse.parse_xml = lxml_parse

    cases = {
        "gpx_elementtree_parse_s": lambda: ET.fromstring(gpx),
        "gpx_runlens_read_s": lambda: read(gpx),
    }
    if tcx is not None:
        cases["tcx_runlens_read_s"] = lambda: read(tcx)
        cases["tcx_runlens_read_with_elementtree_s"] = read_tcx_et
        if TCXReader is not None:
            cases["tcx_tcxreader_s"] = lambda: TCXReader().read(str(tcx_path))
    for fn in cases.values():
        fn()  # warm imports
    best = dict.fromkeys(cases, float("inf"))
    cpu = dict.fromkeys(cases, float("inf"))
    for _ in range(args.repeat):
        for k, fn in cases.items():
            c = time.process_time()
            t = time.perf_counter()
            fn()
            best[k] = min(best[k], time.perf_counter() - t)
            cpu[k] = min(cpu[k], time.process_time() - c)
    # CPU seconds beside wall: on a shared machine a load spike inflates one case's wall
    # time; the ratios of CPU times are the steadier comparison.
    res = {"machine": machine(), **best, **{k.replace("_s", "_cpu_s"): v for k, v in cpu.items()}}
    res["gpx_ratio_to_elementtree"] = best["gpx_runlens_read_s"] / best["gpx_elementtree_parse_s"]
    res["gpx_cpu_ratio_to_elementtree"] = cpu["gpx_runlens_read_s"] / cpu["gpx_elementtree_parse_s"]
    if "tcx_tcxreader_s" in best:
        res["tcx_speedup_over_tcxreader"] = best["tcx_tcxreader_s"] / best["tcx_runlens_read_s"]
        res["tcx_cpu_speedup_over_tcxreader"] = cpu["tcx_tcxreader_s"] / cpu["tcx_runlens_read_s"]
    res["load_after"] = round(os.getloadavg()[0], 2)
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    for k, v in res.items():
        print(f"{k}: {v if isinstance(v, (str, dict)) else round(v, 4)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
