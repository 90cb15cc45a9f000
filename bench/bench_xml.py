"""GPX and TCX reads against their references, interleaved, in fresh processes.

Run from the project root::

    python bench/bench_xml.py                  # text; 3 fresh processes, best of 5 each
    python bench/bench_xml.py --json           # one JSON object
    python bench/bench_xml.py --processes 0    # this process only

- GPX: ``runlens.read`` of the bench's 2-hour GPX (``run2h.gpx``, 7,201 points, 3 MB)
  against ElementTree's bare parse of the same bytes (target: at most 1.0x).
- TCX: ``runlens.read`` of the corpus' largest TCX against ``tcxreader`` reading it
  (target: at least 3x faster; ``pip install ".[bench]"``).

How each call is timed, the same for every case:

- **the garbage collector, the same for both**: ``gc.collect()`` before every timed
  call, and the collector left on during it, as every program that calls either has
  it. Each call then starts from the same state, with nothing left over from the
  call before (the previous round's 65,000 ElementTree elements are freed before
  the clock starts, not inside the next case), and the collections that run inside
  a call are those its own allocations trigger: ElementTree pays for its elements,
  runlens for its objects, neither for the other's. This is the GPX ratio judged
  (``gpx_ratio_to_elementtree``). ElementTree and runlens are also timed with the
  collector off (``*_nogc_s``): ElementTree's best case, which no default program
  gets; ``gpx_ratio_both_nogc`` compares the two that way, for the record;
- **interleaved**: each round times every case once, in an order rotated from round to
  round (no case always first after the collection); the best of ``--repeat`` rounds
  is kept, in wall and in CPU seconds (``*_cpu_s``: on a shared machine a load spike
  inflates one case's wall time, CPU ratios are the steadier);
- **fresh processes**: the rounds run in ``--processes`` new interpreters one after
  another (each warms every case first); each process' ratios are reported, and the
  claim is the worst of them (``gpx_ratio_worst``, ``tcx_speedup_worst``), so a ratio
  that holds only in a lucky process does not pass.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
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


def _timed(fn, gc_on: bool = True) -> tuple[float, float]:
    """(wall, CPU) seconds of one call, after a full collection (see the module docstring)."""
    gc.collect()
    if not gc_on:
        gc.disable()
    try:
        c = time.process_time()
        t = time.perf_counter()
        fn()
        wall, cpu = time.perf_counter() - t, time.process_time() - c
    finally:
        gc.enable()
    return wall, cpu


def measure(repeat: int) -> dict:
    """One process: every case interleaved, best of ``repeat`` rounds."""
    import xml.etree.ElementTree as ET

    from runlens import read

    gpx = run2h_gpx().read_bytes()
    tcx_path = CORPUS / LARGEST_TCX
    tcx = tcx_path.read_bytes() if tcx_path.exists() else None
    try:
        from tcxreader.tcxreader import TCXReader
    except ImportError:
        TCXReader = None

    cases = {
        "gpx_elementtree_parse_s": (lambda: ET.fromstring(gpx), True),
        "gpx_runlens_read_s": (lambda: read(gpx), True),
        "gpx_elementtree_parse_nogc_s": (lambda: ET.fromstring(gpx), False),
        "gpx_runlens_read_nogc_s": (lambda: read(gpx), False),
    }
    if tcx is not None:
        # from the file, as tcxreader reads it
        cases["tcx_runlens_read_s"] = (lambda: read(tcx_path), True)
        if TCXReader is not None:
            cases["tcx_tcxreader_s"] = (lambda: TCXReader().read(str(tcx_path)), True)
    for fn, _ in cases.values():
        fn()  # warm imports
    names = list(cases)
    best = dict.fromkeys(names, float("inf"))
    cpu = dict.fromkeys(names, float("inf"))
    for r in range(repeat):
        for k in names[r % len(names):] + names[: r % len(names)]:
            fn, gc_on = cases[k]
            w, c = _timed(fn, gc_on)
            best[k] = min(best[k], w)
            cpu[k] = min(cpu[k], c)
    res = {**best, **{k.replace("_s", "_cpu_s"): v for k, v in cpu.items()}}
    res["gpx_ratio_to_elementtree"] = best["gpx_runlens_read_s"] / best["gpx_elementtree_parse_s"]
    res["gpx_cpu_ratio_to_elementtree"] = cpu["gpx_runlens_read_s"] / cpu["gpx_elementtree_parse_s"]
    res["gpx_ratio_both_nogc"] = (
        best["gpx_runlens_read_nogc_s"] / best["gpx_elementtree_parse_nogc_s"])
    if "tcx_tcxreader_s" in best:
        res["tcx_speedup_over_tcxreader"] = best["tcx_tcxreader_s"] / best["tcx_runlens_read_s"]
        res["tcx_cpu_speedup_over_tcxreader"] = cpu["tcx_tcxreader_s"] / cpu["tcx_runlens_read_s"]
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="rounds in each process")
    ap.add_argument("--processes", type=int, default=3,
                    help="fresh processes, one after another (0: this process only)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child or args.processes == 0:
        runs = [measure(args.repeat)]
        if args.child:
            print(json.dumps(runs[0]))
            return 0
    else:
        runs = []
        for _ in range(args.processes):
            out = subprocess.run(
                [sys.executable, __file__, "--child", "--repeat", str(args.repeat)],
                check=True, capture_output=True, text=True, cwd=ROOT,
            ).stdout
            runs.append(json.loads(out.strip().splitlines()[-1]))
    res: dict = {"machine": machine(), "processes": len(runs), "rounds_each": args.repeat}
    for k in runs[0]:
        res[k] = min(r[k] for r in runs) if k.endswith("_s") else [round(r[k], 3) for r in runs]
    res["gpx_ratio_worst"] = max(r["gpx_ratio_to_elementtree"] for r in runs)
    res["gpx_cpu_ratio_worst"] = max(r["gpx_cpu_ratio_to_elementtree"] for r in runs)
    res["gpx_ratio_both_nogc_worst"] = max(r["gpx_ratio_both_nogc"] for r in runs)
    if "tcx_speedup_over_tcxreader" in runs[0]:
        res["tcx_speedup_worst"] = min(r["tcx_speedup_over_tcxreader"] for r in runs)
        res["tcx_cpu_speedup_worst"] = min(r["tcx_cpu_speedup_over_tcxreader"] for r in runs)
    res["load_after"] = round(os.getloadavg()[0], 2)
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    for k, v in res.items():
        print(f"{k}: {v if isinstance(v, (str, dict, list, int)) else round(v, 4)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
