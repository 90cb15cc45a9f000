"""``runlens chart``: the weekly load chart as PNG or PDF (docs/charts.md).

Reads the runner's history (or the store ``--db`` names), after scanning a
folder or zip into it if one is given (incremental: files already read are
not read again), then draws. matplotlib
is imported only when the command runs.
"""

from __future__ import annotations

import argparse
import sys

#: Weeks a chart or report opens on when no dates are given: the recent history,
#: not every week since the first file (an old file can be years older).
RECENT_WEEKS = 52


def add_source_arguments(p: argparse.ArgumentParser) -> None:
    """Options shared with ``runlens report``: where the history comes from, which dates."""
    from ._common import SOURCE_HELP, add_db_argument

    p.add_argument("folder", nargs="?", metavar="DIR|ZIP", help=SOURCE_HELP)
    add_db_argument(p)
    p.add_argument("--from", dest="date_from", metavar="DATE", help="first day shown (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="last day shown (YYYY-MM-DD)")
    from ..load import WEEKDAYS
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
    """Build the ChartData a chart or report draws, from ``args`` of either command."""
    from ..errors import RunlensError
    from ..history import Store, build_history
    from ..report.charts import chart_data
    from ._common import history_db, parse_day
    from ._common import load_checked_config as load_config

    lo, hi = parse_day(args.date_from, "--from"), parse_day(args.date_to, "--to")
    config = load_config(args.config)
    db = history_db(args, config, args.folder)
    from ..pain import episodes_for_chart, list_entries, pain_report

    with Store(db, create=False) as store:
        history = build_history(
            store, config, week_start=args.week_start, load_unit=args.load_unit
        )
        if not len(history.acts):
            raise RunlensError("no runs in the history", path=str(db))
        # Pain diary episodes (docs/pain.md), marked on the weekly chart.
        pain = episodes_for_chart(store)
        entries = list_entries(store)
        pain_doc = pain_report(store, config=config, history=history) if entries else None
    days: dict = {}
    for e in entries:  # the worst of each diary day
        days[e.date] = max(days.get(e.date, 0), int(e.severity))
    last = getattr(args, "last", None)
    if last is not None and last < 0:
        raise RunlensError(f"--last needs 0 or more weeks, not {last}")
    if lo is None and last != 0:
        n = RECENT_WEEKS if last is None else last
        import pandas as pd

        end = hi if hi is not None else history.acts["local_date"].max()
        first = history.acts["local_date"].min()
        start = pd.Timestamp(end) - pd.Timedelta(weeks=n) + pd.Timedelta(days=1)
        if start > first:
            lo = start
            if last is None:
                print(
                    f"runlens: showing the last {n} weeks (from {lo.date().isoformat()}); "
                    "--from, --to or --last 0 show others",
                    file=sys.stderr,
                )
    data = chart_data(history, date_from=lo, date_to=hi)
    data.pain, data.pain_report = pain, pain_doc
    from ..report.vocab import resolve_units

    data.units = resolve_units(getattr(args, "units", None), config)
    data.pain_days = sorted(days.items())
    from ._common import activity_names

    data.names = activity_names(db)
    return data


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
    from ..units import plural
    from ._common import chart_metric

    output_format(args.output)  # a wrong suffix fails before any scan
    data = load_chart_data(args)
    from ..history.analysis import form_flag_count

    res = draw_weekly(data, args.output, metric=chart_metric(data.history.load_unit))
    runs, _ = form_flag_count(data.history.acts)
    print(
        f"runlens: wrote {res.path}: {plural(len(res.weeks), 'week')}, "
        f"{len(res.flagged_weeks)} flagged, {len(res.noted_weeks)} noted; "
        f"{plural(runs, 'run')} with form findings"
    )
    return 0
