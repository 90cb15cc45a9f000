"""Per-file speed: runlens against the fitparse-only baseline, on the same files.

Run from the project root::

    python bench/bench_read.py            # builds bench/.inputs on first use
    python bench/bench_read.py --json     # one JSON object instead of text

Measures (best of several runs each, seconds):

1. A two-hour FIT run (7,201 records): fitparse alone decoding every message,
   against runlens reading it (``runlens.read``), summarising it and running
   the form rules (when ``runlens.rules`` exists). Target: >= 30x faster.
2. ``runlens analyze run2h.fit`` as a whole process (interpreter start and
   imports included). Target: < 1 s. Also ``import runlens`` and ``--help``.
3. The same run as a GPX file: ElementTree's bare parse of the bytes, against
   runlens reading and summarising it. Target: <= 2x the bare parse.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _inputs import run2h_fit, run2h_gpx  # noqa: E402
from _util import best_of, machine, run_process  # noqa: E402


def _rules():
    try:
        from runlens.rules import evaluate_all
    except ImportError:
        return None
    return evaluate_all


def pipeline(path, evaluate_all=None, reader: str = "auto"):
    """read + metrics (+ rules): what ``runlens analyze`` computes for a file.

    Inside ``runlens.memo.analysis_scope`` when this runlens has it, as
    ``runlens analyze`` and the scan workers run (metrics and rules share the
    sample frame and the rule signals).
    """
    from contextlib import nullcontext

    from runlens import read
    from runlens.metrics.summary import summarize

    try:
        from runlens.memo import analysis_scope
    except ImportError:  # an older checkout
        analysis_scope = nullcontext

    activity = read(path, reader=reader)
    with analysis_scope():
        summarize(activity)
        if evaluate_all is not None:
            evaluate_all(activity)
    return activity


def bench_fit(repeat: int) -> dict:
    import fitparse

    path = run2h_fit()
    evaluate_all = _rules()
    a = pipeline(path, evaluate_all)  # warm imports and caches once

    def fitparse_alone():
        for _ in fitparse.FitFile(str(path)).get_messages():
            pass

    t_fitparse = best_of(fitparse_alone, 3)
    t_runlens = best_of(lambda: pipeline(path, evaluate_all), repeat)
    t_read = best_of(lambda: read_only(path), repeat)
    t_reference = best_of(lambda: pipeline(path, evaluate_all, reader="fitparse"), 1)
    return {
        "file": f"{path.name} ({path.stat().st_size} bytes, {len(a.records)} records)",
        "reader": a.source.reader,
        "rules": evaluate_all is not None,
        "fitparse_alone_s": t_fitparse,
        "runlens_read_s": t_read,
        "runlens_read_metrics_rules_s": t_runlens,
        "speedup": t_fitparse / t_runlens,
        "runlens_with_fitparse_reader_s": t_reference,
    }


def read_only(path):
    from runlens import read

    return read(path)


def bench_process(repeat: int) -> dict:
    path = run2h_fit()
    return {
        "analyze_s": run_process(["analyze", str(path)], repeat),
        "analyze_json_s": run_process(["analyze", "--json", str(path)], repeat),
        "help_s": run_process(["--help"], repeat),
    }


def bench_gpx(repeat: int) -> dict:
    import xml.etree.ElementTree as ET

    import gpxpy

    from runlens.metrics.summary import summarize

    path = run2h_gpx()
    data = path.read_bytes()
    a = pipeline(path)

    def ours():
        from runlens import read

        summarize(read(data))

    t_et = best_of(lambda: ET.fromstring(data), repeat)
    t_ours = best_of(ours, repeat)
    t_gpxpy = best_of(lambda: gpxpy.parse(io.StringIO(data.decode())), 2)
    t_ref = best_of(lambda: pipeline(path, reader="gpxpy"), 2)
    return {
        "file": f"{path.name} ({len(data)} bytes, {len(a.records)} points)",
        "reader": a.source.reader,
        "elementtree_parse_s": t_et,
        "runlens_read_metrics_s": t_ours,
        "ratio_to_elementtree": t_ours / t_et,
        "gpxpy_parse_s": t_gpxpy,
        "runlens_with_gpxpy_reader_s": t_ref,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7, help="runs per measurement (best is kept)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()

    res = {
        "machine": machine(),
        "fit": bench_fit(args.repeat),
        "process": bench_process(max(3, args.repeat // 2)),
        "gpx": bench_gpx(args.repeat),
    }
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    f, p, g = res["fit"], res["process"], res["gpx"]
    print("machine:")
    for k, v in res["machine"].items():
        print(f"  {k}: {v}")
    print(f"\n2-hour FIT: {f['file']}, read by {f['reader']}, rules: {f['rules']}")
    print(f"  fitparse alone, decode all messages  {f['fitparse_alone_s']:8.3f} s")
    print(f"  runlens read                         {f['runlens_read_s']:8.3f} s")
    print(f"  runlens read + metrics + rules       {f['runlens_read_metrics_rules_s']:8.3f} s")
    print(f"  speed-up over fitparse alone         {f['speedup']:8.1f} x   (target >= 30 x)")
    print(f"  (runlens on the fitparse reader      {f['runlens_with_fitparse_reader_s']:8.3f} s)")
    print("\nwhole process:")
    print(f"  runlens analyze run2h.fit            {p['analyze_s']:8.3f} s   (target < 1 s)")
    print(f"  runlens analyze --json run2h.fit     {p['analyze_json_s']:8.3f} s")
    print(f"  runlens --help                       {p['help_s']:8.3f} s")
    print(f"\n2-hour GPX: {g['file']}, read by {g['reader']}")
    print(f"  ElementTree bare parse               {g['elementtree_parse_s']:8.3f} s")
    print(f"  runlens read + metrics               {g['runlens_read_metrics_s']:8.3f} s")
    print(
        f"  ratio                                {g['ratio_to_elementtree']:8.2f} x   (target <= 2 x)"
    )
    print(f"  (gpxpy parse alone                   {g['gpxpy_parse_s']:8.3f} s)")
    print(f"  (runlens on the gpxpy reader         {g['runlens_with_gpxpy_reader_s']:8.3f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
