"""``runlens runs``: every stored run with its form flags.

Lists the counted runs of a scanned history (duplicates and other sports left
out) in time order, each with the form flags the scan stored for it, judged
against the runner's own history as of that run, and the basis each flag
used (docs/history.md).
"""

from __future__ import annotations

import argparse
import csv
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
    from ..config import load_config
    from ..errors import RunlensError
    from ..history import Store, build_history
    from ..history.analysis import run_form_flags
    from ._common import history_db, say_gone

    config = load_config(args.config)
    db = history_db(args, config, args.dir)
    with Store(db, create=False) as store:
        h = build_history(store, config)
        gone = say_gone(store.gone_sources())
    rows = run_form_flags(h)
    if not rows:
        raise RunlensError("no runs stored yet; run `runlens scan DIR` first", path=db)
    total = len(rows)
    if args.flagged:
        rows = [r for r in rows if r["flags"]]
    if args.json:
        doc = {
            "store": db,
            "runs": rows,
            "flagged_runs": sum(bool(r["flags"]) for r in rows),
            "counts": h.counts,
        }
        json.dump(doc, sys.stdout, indent=2, allow_nan=False)
        sys.stdout.write("\n")
        return 0
    if args.csv:
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(["local_date", "week", "path", "distance_m", "flags", "basis"])
        for r in rows:
            w.writerow(
                [
                    r["local_date"],
                    r["week"],
                    r["path"],
                    "" if r["distance_m"] is None else round(r["distance_m"], 1),
                    ";".join(r["flags"]),
                    "; ".join(f["evidence"].get("basis") or "" for f in r["findings"]),
                ]
            )
        return 0
    from ..report.vocab import resolve_units
    from ._common import activity_names

    print(
        format_text(
            rows, total, units=resolve_units(args.units, config), names=activity_names(db)
        )
    )
    if h.counts.get("duplicates"):
        print(
            f"{h.counts['duplicates']} more stored as another file of the same run (FIT, GPX, "
            "TCX from another source): counted once, the richest file kept."
        )
    if gone:
        print(gone)
    return 0


def format_text(rows: list[dict], total: int | None = None, **kw) -> str:
    """One line per run, then each flag with its basis (runlens.report.text.runs_text)."""
    from ..report.text import runs_text

    return runs_text(rows, total, **kw)
