"""``runlens chart``: the weekly load chart as PNG or PDF (docs/charts.md).

Reads the runner's history (or the store ``--db`` names), after scanning a
folder or zip into it if one is given (incremental: files already read are
not read again), then draws. matplotlib
is imported only when the command runs.
"""

from __future__ import annotations

import argparse
import sys

from ..report.console import RECENT_WEEKS


def add_source_arguments(p: argparse.ArgumentParser) -> None:
    """Options shared with ``runlens report``: where the history comes from, which dates."""
    from ._common import SOURCE_HELP, add_db_argument

    p.add_argument("folder", nargs="?", metavar="DIR|ZIP", help=SOURCE_HELP)
    add_db_argument(p)
    p.add_argument("--from", dest="date_from", metavar="DATE", help="first day shown (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="last day shown (YYYY-MM-DD)")
    from ..api import WEEKDAYS
    from ._common import add_config_argument, add_load_unit_argument, add_units_argument

    add_load_unit_argument(p)
    add_units_argument(p)
    p.add_argument(
        "--last",
        type=int,
        metavar="N",
        help=f"the last N weeks up to --to or the last run (default without --from: "
        f"{RECENT_WEEKS}; 0 for the whole history)",
    )
    p.add_argument(
        "--week-start",
        choices=WEEKDAYS,
        metavar="DAY",
        help="first day of the week (default: [load] week_start, else monday)",
    )
    add_config_argument(p)
    p.add_argument(
        "--jobs",
        "-j",
        type=int,
        metavar="N",
        help="worker processes for a scan (default: all cores)",
    )


def load_chart_data(args: argparse.Namespace):
    """The ChartData a chart or report draws (:meth:`runlens.History.chart_data`),
    from ``args`` of either command."""
    from ..errors import RunlensError
    from ._common import history_db, parse_day
    from ._common import load_checked_config as load_config

    lo, hi = parse_day(args.date_from, "--from"), parse_day(args.date_to, "--to")
    last = getattr(args, "last", None)
    if last is not None and last < 0:
        raise RunlensError(f"--last needs 0 or more weeks, not {last}")
    config = load_config(args.config)
    history = history_db(args, config, args.folder)
    return history.chart_data(
        lo, hi, last_weeks=last, week_start=args.week_start, load_unit=args.load_unit,
        units=getattr(args, "units", None), say=lambda line: print(f"runlens: {line}", file=sys.stderr),
    )  # fmt: skip


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "chart",
        help="draw the weekly load chart (PNG or PDF)",
        description="Draw weekly volume with the volume findings marked, the acute:chronic "
        "load ratio with its (disputed) bands, and form trends at matched pace. "
        "See docs/charts.md.",
    )
    add_source_arguments(p)
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="OUT.png or OUT.pdf")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..report.charts import draw_weekly
    from ..report.charts._style import output_format
    from ..report.console import chart_written
    from ._common import chart_metric

    output_format(args.output)  # a wrong suffix fails before any scan
    data = load_chart_data(args)
    res = draw_weekly(data, args.output, metric=chart_metric(data.history.load_unit))
    print(f"runlens: {chart_written(res, data)}")
    return 0
