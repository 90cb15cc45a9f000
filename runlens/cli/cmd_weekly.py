"""``runlens weekly``: the stored history, week by week, with volume and form findings.

Each week lists its volume findings and the form flags of its runs (each with
``activity``: the run's path), judged when scanned against the runner's own
history as of that run (docs/history.md).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys


def register(sub: argparse._SubParsersAction) -> None:
    from ..load import WEEKDAYS
    from ._common import add_config_argument, add_history_arguments, add_load_unit_argument

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
    add_config_argument(p)
    p.add_argument(
        "--from", dest="date_from", metavar="DATE", help="first week shown: the week of DATE"
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


#: Order of findings in the text: what matters most first.
_SEVERITY_ORDER = {"flag": 0, "note": 1, "info": 2}


def _sentences(msg: str) -> list[str]:
    """Split a message into sentences ("et al. 2014" and "3.5 km" stay whole)."""
    import re

    return [x for x in re.split(r"(?<=[.!?])\s+(?=[A-Z])", msg.strip()) if x]


def _marks(findings: list[dict]) -> str:
    """The table's findings column: each rule once, with a count when repeated."""
    from collections import Counter

    c = Counter(f"{f['rule']}({f['severity']})" for f in findings if f["severity"] != "info")
    return ", ".join(k if n == 1 else f"{k} x{n}" for k, n in c.items())


def _clip(v, spec: str, width: int, big: float) -> str:
    """A number for a fixed-width column; beyond ``big`` it shows as ``>big``."""
    from ..load import finite_or_none

    v = finite_or_none(v)
    if v is None:
        return "-"
    if abs(v) >= big:
        return (">" if v > 0 else "<-") + format(big, ".0f")
    return format(v, spec)[:width]


def format_text(doc: dict, width: int | None = None) -> str:
    """The weekly table and its findings as text, wrapped to ``width`` columns.

    Findings come most important first (flags, then notes, then what was not
    judged); a sentence that several findings share (the study behind a rule,
    its caveat) is printed with the first of them only, so each caveat appears
    once per output, not once per week.
    """
    import shutil
    import textwrap

    from ..units import format_duration

    if width is None:
        width = shutil.get_terminal_size((100, 24)).columns
    width = max(60, width)
    head = (
        f"{'week':<10} {'km':>6} {'time':>8} {'runs':>4} {'load':>6} {'change':>7} "
        f"{'ACWR':>5}  "
    )
    lines = [head + "findings"]
    wrap_marks = textwrap.TextWrapper(
        width=width, initial_indent="", subsequent_indent=" " * len(head), break_long_words=False
    )
    for w in doc["weeks"]:
        marks = _marks(w["findings"])
        if w.get("break_days") is not None and "returning" not in marks:
            marks = ", ".join(x for x in (marks, "(returning)") if x)
        change = _clip(w["change_pct"], "+.0f", 6, 1000)
        row = (
            f"{w['week']:<10} {w['distance_m'] / 1000:>6.1f} {format_duration(w['moving_s']):>8} "
            f"{w['runs']:>4} {_clip(w['load'], '.1f', 6, 10000):>6} "
            f"{change + ('%' if w['change_pct'] is not None else ''):>7} "
            f"{_clip(w['acwr'], '.2f', 5, 100):>5}  "
        )
        lines.append(wrap_marks.fill(row + marks) if marks else row.rstrip())
    lines.append("")
    wrap = textwrap.TextWrapper(width=width, subsequent_indent="    ", break_long_words=False)
    lines.append(
        wrap.fill(
            f"load = {doc['load_unit']} per week; ACWR at the week's last day (EWMA 7/28 d), "
            "'-' where it is undefined (too little chronic load, or a return after a break)."
        )
    )
    found = [f for w in doc["weeks"] for f in w["findings"]]
    found.sort(key=lambda f: _SEVERITY_ORDER.get(f["severity"], 3))  # stable: weeks in order
    if found:
        lines.append("")
        lines.append("Findings (flags first):")
        said: set[str] = set()
        for f in found:
            kept = []
            for sentence in _sentences(f["message"]):
                if sentence in said:
                    continue
                said.add(sentence)
                kept.append(sentence)
            run = f" {os.path.basename(f['activity'])}:" if f.get("activity") else ""
            lines.append(wrap.fill(f"  [{f['severity']}]{run} " + " ".join(kept)))
    notes = list(doc.get("history_caveats", [])) + list(doc["caveats"])
    if doc["assumptions"]:
        lines.append("")
        lines.extend(wrap.fill(f"Assumed: {a}") for a in doc["assumptions"])
    lines.append("")
    lines.extend(wrap.fill(f"Note: {c}") for c in notes)
    return "\n".join(lines)


def select_weeks(weeks: list[dict], lo=None, hi=None, last: int | None = None) -> list[dict]:
    """The weeks shown: those holding a day from ``lo`` to ``hi``, then the last ``last``.

    Loads and ratios are computed over the whole history first, so a week's
    numbers do not depend on which weeks are shown.
    """
    import pandas as pd

    out = []
    for w in weeks:
        start = pd.Timestamp(w["week"])
        if lo is not None and start + pd.Timedelta(days=6) < lo:
            continue
        if hi is not None and start > hi:
            continue
        out.append(w)
    return out[-last:] if last else out


def run(args: argparse.Namespace) -> int:
    from ._common import load_checked_config as load_config
    from ..errors import RunlensError
    from ..history.weekly import WEEK_COLUMNS, weekly_doc
    from ._common import history_db

    if args.cohort:
        from ..cohort.cli import run_weekly

        return run_weekly(args, load_config(args.config))
    if args.parquet:
        raise RunlensError("--parquet needs --cohort")
    config = load_config(args.config)
    from .cmd_chart import _date

    lo, hi = _date(args.date_from, "--from"), _date(args.date_to, "--to")
    if args.last is not None and args.last < 1:
        raise RunlensError(f"--last needs a number of weeks of 1 or more, not {args.last}")
    db = history_db(args, config, args.dir)
    doc = weekly_doc(  # the same as runlens.History(db).weekly()
        db,
        config,
        week_start=args.week_start,
        load_unit=args.load_unit,
        include_undated=args.include_undated,
    )
    doc["weeks"] = select_weeks(doc["weeks"], lo, hi, args.last)
    if args.json:
        json.dump(doc, sys.stdout, indent=2, allow_nan=False)
        sys.stdout.write("\n")
    elif args.csv:
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow([*WEEK_COLUMNS, "form_flag_runs", "findings"])
        for wk in doc["weeks"]:
            counts: dict[str, int] = {}
            for f in wk["findings"]:
                key = f"{f['rule']}:{f['severity']}"
                counts[key] = counts.get(key, 0) + 1
            w.writerow(
                [*("" if wk[c] is None else wk[c] for c in WEEK_COLUMNS)]
                + [wk["form_flag_runs"]]
                + ["; ".join(k + (f" x{n}" if n > 1 else "") for k, n in counts.items())]
            )
    else:
        print(format_text(doc))
    return 0
