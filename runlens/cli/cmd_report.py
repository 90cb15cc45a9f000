"""``runlens report``: the weekly report as one multi-page PDF (docs/charts.md)."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    from .cmd_chart import add_source_arguments

    p = sub.add_parser(
        "report",
        help="write the weekly report (multi-page PDF)",
        description="Write a PDF: a summary page with the weekly chart, one page per week "
        "with its runs, loads and findings with their evidence, and a page of caveats. "
        "See docs/charts.md.",
    )
    add_source_arguments(p)
    p.add_argument(
        "-o", "--output", required=True, metavar="OUT.pdf|DIR", help="the PDF (or, with --html, "
        "the folder) to write"
    )
    p.add_argument(
        "--html",
        action="store_true",
        help="write a static site instead: index.html and a page per run, offline (DIR)",
    )
    p.set_defaults(func=run)


def run_html(args: argparse.Namespace) -> int:
    """``report --html -o DIR``: the site of docs/charts.md, through the API."""
    from ..report.console import site_written
    from ._common import history_db, load_checked_config

    config = load_checked_config(args.config)
    history = history_db(args, config, args.folder)
    rep = history.report_html(
        args.output,
        units=args.units,
        date_from=args.date_from,
        date_to=args.date_to,
        last_weeks=args.last,
        jobs=args.jobs,
    )
    for problem in rep.problems:
        print(f"runlens: {problem}", file=sys.stderr)
    print(f"runlens: {site_written(rep)}")
    return 0


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..errors import RunlensError
    from ..report.console import report_written
    from ..report.pdf import write_report
    from ._common import chart_metric
    from .cmd_chart import load_chart_data

    if args.html:
        return run_html(args)
    if Path(args.output).suffix.lower() != ".pdf":
        raise RunlensError("the report is a PDF: give a .pdf file", path=args.output)
    data = load_chart_data(args)
    rep = write_report(data, args.output, metric=chart_metric(data.history.load_unit))
    print(f"runlens: {report_written(rep, data)}")
    return 0
