"""``runlens pain``: keep a pain diary in the history store and see what came before the pain.

Subcommands: ``add``, ``list``, ``edit``, ``remove``, ``import``, ``report``
(docs/pain.md). The diary lives in the runner's history store with the runs
(``--db PATH`` names another store).
"""

from __future__ import annotations

import argparse
import json
import sys


def _store_args(p: argparse.ArgumentParser) -> None:
    from ._common import DB_HELP

    g = p.add_mutually_exclusive_group()
    g.add_argument("--db", metavar="PATH", help=DB_HELP)
    # Older runlens kept one store per folder; the diary is the runner's now.
    g.add_argument("--folder", metavar="DIR", help=argparse.SUPPRESS)


def register(sub: argparse._SubParsersAction) -> None:
    from ._common import add_config_argument

    p = sub.add_parser(
        "pain",
        help="keep a pain diary and see what came before the pain",
        description="A pain diary kept with your runs in the history store, and a report of "
        "what came before each pain episode compared with pain-free periods. Associations in "
        "one person's data, not causes, not medical advice.",
    )
    p.set_defaults(func=lambda a: (p.print_help(), 0)[1])  # `runlens pain` alone: its help
    ps = p.add_subparsers(dest="pain_command", metavar="ACTION")

    a = ps.add_parser(
        "add",
        help="log one day's pain",
        description="Log one day's pain: DATE (YYYY-MM-DD, today or yesterday) and a severity "
        "0-10 (0 = none, 10 = worst imaginable).",
    )
    a.add_argument("date", metavar="DATE", help="YYYY-MM-DD, today or yesterday (local day)")
    a.add_argument("--severity", "-s", required=True, metavar="0-10", help="pain 0-10")
    a.add_argument("--where", metavar="PLACE", help="where it hurt (default upper-back)")
    a.add_argument("--note", metavar="TEXT", help="a note")
    _store_args(a)
    a.set_defaults(func=run_add)

    ls = ps.add_parser("list", help="list diary entries", description="List diary entries.")
    ls.add_argument("--from", dest="date_from", metavar="DATE", help="first day (YYYY-MM-DD)")
    ls.add_argument("--to", dest="date_to", metavar="DATE", help="last day (YYYY-MM-DD)")
    ls.add_argument("--where", metavar="PLACE", help="only this place")
    ls.add_argument("--json", action="store_true", help="print a JSON list")
    _store_args(ls)
    ls.set_defaults(func=run_list)

    e = ps.add_parser(
        "edit",
        help="correct an entry",
        description="Correct a diary entry (its id from `runlens pain list`): only the given "
        "fields change.",
    )
    e.add_argument("id", type=_entry_id, metavar="ID", help="entry id (see `runlens pain list`)")
    e.add_argument("--date", metavar="DATE", help="new day (YYYY-MM-DD)")
    e.add_argument("--severity", "-s", metavar="0-10", help="new severity 0-10")
    e.add_argument("--where", metavar="PLACE", help="new place")
    e.add_argument("--note", metavar="TEXT", help="new note ('' clears it)")
    _store_args(e)
    e.set_defaults(func=run_edit)

    r = ps.add_parser("remove", help="delete an entry", description="Delete one diary entry.")
    r.add_argument("id", type=_entry_id, metavar="ID", help="entry id (see `runlens pain list`)")
    _store_args(r)
    r.set_defaults(func=run_remove)

    i = ps.add_parser(
        "import",
        help="import a diary CSV (date,severity,where,note)",
        description="Import a CSV diary: a header row with date and severity and optionally "
        "where and note; dates YYYY-MM-DD, severity 0-10. All or nothing: a file with a bad "
        "row imports nothing and every bad row is listed with its line number. Rows already "
        "in the diary are skipped. The file is only read.",
    )
    i.add_argument("file", metavar="FILE.csv", help="the diary CSV")
    _store_args(i)
    i.set_defaults(func=run_import)

    rp = ps.add_parser(
        "report",
        help="what came before each pain episode, vs pain-free periods",
        description="For each pain episode (days with pain >= THRESHOLD, gaps of up to GAP "
        "days merged), the findings and load of the DAYS days before it; then how often each "
        "kind of finding came before pain versus before pain-free periods, with Fisher's exact "
        "test, and the correlation of weekly load with pain. An association in one person's "
        "data, not a cause, not medical advice.",
    )
    rp.add_argument("--days", type=int, default=7, metavar="N", help="days before (default 7)")
    rp.add_argument(
        "--threshold",
        type=int,
        default=3,
        metavar="1-10",
        help="severity from which a day counts as a pain day (default 3)",
    )
    rp.add_argument(
        "--gap", type=int, default=1, metavar="N", help="days merged into one episode (default 1)"
    )
    rp.add_argument("--where", metavar="PLACE", help="only diary entries of this place")
    rp.add_argument("--json", action="store_true", help="print one JSON object")
    add_config_argument(rp)
    _store_args(rp)
    rp.set_defaults(func=run_report)


def _entry_id(text: str) -> int:
    """A diary entry id: a whole number SQLite can hold (99999999999999999999 is none)."""
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an entry id (a whole number)") from None
    if not 1 <= v < 2**63:
        raise argparse.ArgumentTypeError(f"no diary entry has id {text} (see `runlens pain list`)")
    return v


def _open(args: argparse.Namespace, create: bool, config=None):
    """The runner's history (or ``--db``), old per-folder stores merged in first."""
    from ..api import History
    from ._common import say_merged

    if args.folder:
        print(
            "runlens: --folder is no longer needed: the diary is kept in your history "
            "(one store for all your folders)",
            file=sys.stderr,
        )
    history = History.of(args.db, config=config)
    say_merged(history.merge_old_stores(create=create), history.path)
    return history


def _line(e) -> str:
    from ..report.console import pain_line

    return pain_line(e)


def run_add(args: argparse.Namespace) -> int:
    e = _open(args, create=True).add_pain(args.date, args.severity, args.where, args.note)
    print(f"added {_line(e).strip()}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from ..api import History
    from ..report.console import pain_list_lines

    lo = History.pain_day(args.date_from) if args.date_from else None
    hi = History.pain_day(args.date_to) if args.date_to else None
    entries = _open(args, create=False).pain_entries(lo, hi, args.where)
    if args.json:
        json.dump([e.to_dict() for e in entries], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    filtered = bool(lo or hi or args.where)
    for line in pain_list_lines(entries, filtered):
        print(line)
    return 0


def run_edit(args: argparse.Namespace) -> int:
    from ..errors import RunlensError

    if all(v is None for v in (args.date, args.severity, args.where, args.note)):
        raise RunlensError("nothing to change: give --date, --severity, --where or --note")
    old, new = _open(args, create=False).edit_pain(
        args.id, date=args.date, severity=args.severity, location=args.where, note=args.note
    )
    print(f"was     {_line(old).strip()}")
    print(f"now     {_line(new).strip()}")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    old = _open(args, create=False).remove_pain(args.id)
    print(f"removed {_line(old).strip()}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from ..report.console import pain_import_line

    rep = _open(args, create=True).import_pain(args.file)
    print(pain_import_line(args.file, rep))
    return 0


def run_report(args: argparse.Namespace) -> int:
    from ..report.pain_text import pain_report_text as format_text
    from ._common import load_checked_config as load_config

    config = load_config(args.config)
    doc = _open(args, create=False, config=config).pain_report(
        days=args.days,
        threshold=args.threshold,
        max_gap_days=args.gap,
        location=args.where,
    )
    if args.json:
        json.dump(doc, sys.stdout, indent=2, allow_nan=False)
        sys.stdout.write("\n")
    else:
        print(format_text(doc))
    return 0
