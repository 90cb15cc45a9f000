"""``runlens analyze FILE``: one activity's summary, the watch's values beside ours."""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "analyze",
        help="summarise one activity file (FIT, GPX, or their .gz)",
        description="Read one activity and print its summary, with the watch's own values "
        "beside runlens' where the file has them.",
    )
    p.add_argument("file", help="a .fit, .gpx, .fit.gz or .gpx.gz file")
    p.add_argument("--json", action="store_true", help="print one JSON object (docs/json.md)")
    p.add_argument(
        "--strict", action="store_true", help="refuse a file with any fault instead of salvaging it"
    )
    p.add_argument("-v", "--verbose", action="store_true", help="say which decoder read the file")
    p.add_argument(
        "--plot",
        metavar="OUT.png",
        help="also draw pace, cadence, oscillation and ground contact over the run, flagged "
        "stretches shaded (PNG or PDF; docs/charts.md)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..io import read
    from ..report.analysis import analyze, format_text

    activity = read(args.file, strict=args.strict)
    result = analyze(activity)
    if args.plot:  # charts: runlens.report.charts.run
        from ..report.charts import draw_run

        draw_run(activity, result.get("findings") or [], args.plot)
    if args.verbose:
        print(f"runlens: {args.file}: read by {activity.source.reader}", file=sys.stderr)
    if args.json:
        json.dump(result, sys.stdout, indent=2, allow_nan=False)
        sys.stdout.write("\n")
    else:
        print(format_text(result))
    return 0
