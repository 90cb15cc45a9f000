"""``runlens runs``: every stored run with its form flags.

Lists the counted runs of a scanned history (duplicates and other sports left
out) in time order, each with the form flags the scan stored for it, judged
against the runner's own history as of that run, and the basis each flag
used (docs/history.md).
"""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction) -> None:
    from ._common import add_history_arguments, add_units_argument

    p = sub.add_parser(
        "runs",
        help="list each stored run with its form flags",
        description="List the runs of your history, oldest first (duplicates across sources "
        "once), each with the form flags the scan found and what they were judged against. "
        "With DIR|ZIP, that folder or zip is scanned into your history first.",
    )
    add_history_arguments(p)
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print one JSON object")
    fmt.add_argument("--csv", action="store_true", help="print one CSV row per run")
    p.add_argument(
        "--flagged", action="store_true", help="only the runs with at least one form flag"
    )
    p.add_argument("--config", metavar="PATH", help="config file (runner profile, rules)")
    add_units_argument(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """``runlens runs``: a thin call of :meth:`runlens.History.run_rows`."""
    from ..config import load_config
    from ..report.console import runs_footer, runs_json, write_runs_csv
    from ..report.vocab import resolve_units
    from ._common import history_db

    config = load_config(args.config)
    history = history_db(args, config, args.dir)
    rows, counts, gone = history.run_rows()
    total = len(rows)
    if args.flagged:
        rows = [r for r in rows if r["flags"]]
    if args.json:
        json.dump(runs_json(rows, counts, str(history.path)), sys.stdout, indent=2, allow_nan=False)
        sys.stdout.write("\n")
        return 0
    if args.csv:
        write_runs_csv(rows, sys.stdout)
        return 0
    from ..report.text import runs_text

    names = history.activity_names()
    print(runs_text(rows, total, units=resolve_units(args.units, config), names=names))
    for line in runs_footer(counts, gone):
        print(line)
    return 0
