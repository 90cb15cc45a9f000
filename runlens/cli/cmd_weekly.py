"""``runlens weekly``: the stored history, week by week, with volume and form findings.

Each week lists its volume findings and the form flags of its runs (each with
``activity``: the run's path), judged when scanned against the runner's own
history as of that run (docs/history.md).
"""

from __future__ import annotations

import argparse
import json
import sys

from ..report.console import DEFAULT_WEEKS, select_weeks  # noqa: F401 - the weeks shown


def register(sub: argparse._SubParsersAction) -> None:
    from ..api import WEEKDAYS
    from ._common import (
        add_config_argument,
        add_history_arguments,
        add_load_unit_argument,
        add_units_argument,
    )

    p = sub.add_parser(
        "weekly",
        help="print the stored history week by week (load, change, ratio, findings)",
        description="Print the weeks of your history: distance, time, runs, load, change "
        "on the previous week, acute:chronic ratio and volume findings (session spikes, weekly "
        "increases). With DIR|ZIP, that folder or zip is scanned into your history first; "
        "every scanned source counts, duplicates once.",
    )
    add_history_arguments(p)
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print one JSON object")
    fmt.add_argument("--csv", action="store_true", help="print the weeks as CSV")
    p.add_argument(
        "--week-start",
        choices=WEEKDAYS,
        metavar="DAY",
        help="first day of the week (default: [load] week_start, else monday)",
    )
    add_load_unit_argument(p)
    add_units_argument(p)
    add_config_argument(p)
    p.add_argument(
        "--from", dest="date_from", metavar="DATE", help="first week shown: the week of DATE"
    )
    p.add_argument(
        "--all",
        action="store_true",
        help=f"every week of the history (the text shows the last {DEFAULT_WEEKS} by default; "
        "--json and --csv give every week)",
    )
    p.add_argument("--to", dest="date_to", metavar="DATE", help="last week shown: the week of DATE")
    p.add_argument(
        "--last", type=int, metavar="N", help="only the last N weeks (after --from/--to)"
    )
    p.add_argument(
        "--jobs", "-j", type=int, metavar="N", help="worker processes for a scan (default: all cores)"
    )
    p.add_argument(
        "--include-undated",
        action="store_true",
        help="keep runs dated before 1991 (unset clock) or in the future in the load",
    )
    p.add_argument(
        "--cohort",
        action="store_true",
        help="a cohort scanned with --engine dask: runners x weeks (load) and flagged "
        "sessions per runner (docs/cohort.md)",
    )
    p.add_argument("--parquet", metavar="DIR", help="with --cohort: the cohort's Parquet dataset")
    p.set_defaults(func=run)



def run(args: argparse.Namespace) -> int:
    """``runlens weekly``: a thin call of :meth:`runlens.History.weekly_doc`."""
    from ..errors import RunlensError
    from ..report.console import write_weekly_csv
    from ._common import history_db, parse_day
    from ._common import load_checked_config as load_config

    if args.cohort:
        from ..cohort.cli import run_weekly

        return run_weekly(args, load_config(args.config))
    if args.parquet:
        raise RunlensError("--parquet needs --cohort")
    config = load_config(args.config)
    lo, hi = parse_day(args.date_from, "--from"), parse_day(args.date_to, "--to")
    if args.last is not None and args.last < 1:
        raise RunlensError(f"--last needs a number of weeks of 1 or more, not {args.last}")
    history = history_db(args, config, args.dir)
    doc = history.weekly_doc(  # the numbers of runlens.History(db).weekly()
        week_start=args.week_start, load_unit=args.load_unit, include_undated=args.include_undated
    )
    n_weeks = len(doc["weeks"])
    last = args.last
    if not (args.json or args.csv or args.all) and lo is None and hi is None and last is None:
        last = DEFAULT_WEEKS  # the text tells the recent history first
    doc["weeks"] = select_weeks(doc["weeks"], lo, hi, last)
    if args.json:
        json.dump(doc, sys.stdout, indent=2, allow_nan=False)
        sys.stdout.write("\n")
    elif args.csv:
        write_weekly_csv(doc, sys.stdout)
    else:
        from ..report.text import weekly_text
        from ..report.vocab import resolve_units

        print(
            weekly_text(
                doc,
                units=resolve_units(args.units, config),
                names=history.activity_names(),
                all_weeks=n_weeks,
            )
        )
    return 0
