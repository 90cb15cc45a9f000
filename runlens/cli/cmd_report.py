"""``runlens report``: the weekly report as one multi-page PDF (docs/charts.md)."""

from __future__ import annotations

import argparse


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
    p.add_argument("-o", "--output", required=True, metavar="OUT.pdf", help="the PDF to write")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..errors import RunlensError
    from ..report.pdf import write_report
    from ._common import chart_metric, plural
    from .cmd_chart import load_chart_data

    if Path(args.output).suffix.lower() != ".pdf":
        raise RunlensError("the report is a PDF: give a .pdf file", path=args.output)
    data = load_chart_data(args)
    from ..history.analysis import form_flag_count

    rep = write_report(data, args.output, metric=chart_metric(data.history.load_unit))
    runs, _ = form_flag_count(data.history.acts)
    print(
        f"runlens: wrote {rep.path}: {plural(rep.pages, 'page')} "
        f"({plural(len(rep.week_pages), 'week')}); {plural(runs, 'run')} with form findings"
    )
    return 0
