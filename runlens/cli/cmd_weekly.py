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

#: Week columns of ``--json`` and ``--csv`` (docs/history.md).
WEEK_COLUMNS = (
    "week",
    "distance_m",
    "moving_s",
    "runs",
    "trimp",
    "load",
    "change_pct",
    "acwr",
    "acwr_max",
    "monotony",
    "strain",
    "ctl",
    "atl",
    "form",
    "history_days",
)


def register(sub: argparse._SubParsersAction) -> None:
    from ..load import WEEKDAYS

    p = sub.add_parser(
        "weekly",
        help="print the stored history week by week (load, change, ratio, findings)",
        description="Print the weeks of a scanned history: distance, time, runs, load, change "
        "on the previous week, acute:chronic ratio and volume findings (session spikes, weekly "
        "increases). Name the scanned folder DIR or the store with --db.",
    )
    p.add_argument("dir", nargs="?", metavar="DIR", help="a folder scanned with `runlens scan`")
    p.add_argument("--db", metavar="PATH", help="store file (instead of DIR)")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print one JSON object")
    fmt.add_argument("--csv", action="store_true", help="print the weeks as CSV")
    p.add_argument(
        "--week-start",
        choices=WEEKDAYS,
        metavar="DAY",
        help="first day of the week (default: [load] week_start, else monday)",
    )
    p.add_argument(
        "--unit",
        choices=("distance", "moving_time", "trimp"),
        help="load unit for ratios, monotony, strain and fitness (default: distance, km)",
    )
    p.add_argument("--config", metavar="PATH", help="config file (runner profile, rules)")
    p.add_argument(
        "--cohort",
        action="store_true",
        help="a cohort scanned with --engine dask: runners x weeks (load) and flagged "
        "sessions per runner (docs/cohort.md)",
    )
    p.add_argument("--parquet", metavar="DIR", help="with --cohort: the cohort's Parquet dataset")
    p.set_defaults(func=run)


def history_dict(h, db: str) -> dict:
    """The ``--json`` object (docs/history.md)."""
    from ..caveats import CAVEATS
    from ..history.analysis import LOAD_UNITS, run_form_flags
    from ..load import finite_or_none

    by_week: dict[str, list[dict]] = {}
    for f in h.findings:
        by_week.setdefault(f.evidence.values["week"], []).append(f.to_dict())
    flagged_runs: dict[str, int] = {}
    for r in run_form_flags(h):  # form flags of each run, in its week
        by_week.setdefault(r["week"], []).extend(r["findings"])
        flagged_runs[r["week"]] = flagged_runs.get(r["week"], 0) + bool(r["flags"])
    weeks = []
    for row in h.weeks.itertuples(index=False):  # one per week
        d = {c: finite_or_none(getattr(row, c)) for c in WEEK_COLUMNS if c != "week"}
        d = {"week": row.week.date().isoformat(), **d}
        d["form_flag_runs"] = flagged_runs.get(d["week"], 0)
        d["findings"] = by_week.get(d["week"], [])
        weeks.append(d)
    return {
        "store": db,
        "week_start": h.week_start,
        "load_unit": LOAD_UNITS[h.load_unit][2],
        "counts": h.counts,
        "hr_profile": {"rest_bpm": h.hr.rest_bpm, "max_bpm": h.hr.max_bpm, "sex": h.hr.sex},
        "assumptions": h.assumptions,
        "weeks": weeks,
        "caveats": list(CAVEATS),
    }


def _fmt(v, spec: str, dash: str = "-") -> str:
    from ..load import finite_or_none

    v = finite_or_none(v)
    return dash if v is None else format(v, spec)


def format_text(doc: dict) -> str:
    from ..units import format_duration

    lines = [
        f"{'week':<10} {'km':>6} {'time':>8} {'runs':>4} {'load':>6} {'change':>7} "
        f"{'ACWR':>5}  findings"
    ]
    for w in doc["weeks"]:
        counts: dict[str, int] = {}
        for f in w["findings"]:
            if f["severity"] != "info":
                key = f"{f['rule']}({f['severity']})"
                counts[key] = counts.get(key, 0) + 1
        marks = ", ".join(k + (f" x{n}" if n > 1 else "") for k, n in counts.items())
        lines.append(
            f"{w['week']:<10} {w['distance_m'] / 1000:>6.1f} {format_duration(w['moving_s']):>8} "
            f"{w['runs']:>4} {_fmt(w['load'], '.1f'):>6} "
            f"{_fmt(w['change_pct'], '+.0f') + ('%' if w['change_pct'] is not None else ''):>7} "
            f"{_fmt(w['acwr'], '.2f'):>5}  {marks}"
        )
    lines.append("")
    lines.append(f"load = {doc['load_unit']} per week; ACWR at the week's last day (EWMA 7/28 d).")
    found = [f for w in doc["weeks"] for f in w["findings"]]
    if found:
        lines.append("")
        lines.append("Findings:")
        for f in found:
            run = f" {os.path.basename(f['activity'])}:" if f.get("activity") else ""
            lines.append(f"  [{f['severity']}]{run} {f['message']}")
    if doc["assumptions"]:
        lines.append("")
        lines.extend(f"Assumed: {a}" for a in doc["assumptions"])
    lines.append("")
    lines.extend(f"Note: {c}" for c in doc["caveats"])
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from ..config import load_config
    from ..errors import RunlensError
    from ..history import Store, build_history, default_store_path

    if args.cohort:
        from ..cohort.cli import run_weekly

        return run_weekly(args, load_config(args.config))
    if args.parquet:
        raise RunlensError("--parquet needs --cohort")
    if args.db is None and args.dir is None:
        raise RunlensError("name a scanned folder (DIR) or a store (--db PATH)")
    db = args.db or str(default_store_path(args.dir))
    config = load_config(args.config)
    with Store(db, create=False) as store:
        h = build_history(store, config, week_start=args.week_start, load_unit=args.unit)
    if h.weeks is None or len(h.weeks) == 0:
        raise RunlensError("no runs stored yet; run `runlens scan DIR` first", path=db)
    doc = history_dict(h, db)
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
