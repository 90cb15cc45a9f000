"""The cohort side of ``runlens scan --engine dask`` and ``runlens weekly --cohort``.

``runlens/cli/cmd_scan.py`` and ``cmd_weekly.py`` hand over here when those
options are given, so the single-runner commands stay as they are.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..errors import RunlensError

__all__ = ["run_scan", "run_weekly", "check_scan_args"]


def check_scan_args(args: argparse.Namespace) -> None:
    """Refuse cohort options without ``--engine dask`` (one line, exit 1)."""
    if args.engine != "dask":
        given = [
            o
            for o, v in (
                ("--scheduler", args.scheduler),
                ("--parquet", args.parquet),
                ("--runners", args.runners),
            )
            if v
        ]
        if given:
            verb = "needs" if len(given) == 1 else "need"
            raise RunlensError(f"{', '.join(given)} {verb} --engine dask")


def run_scan(args: argparse.Namespace, config: Any, progress: Any) -> int:
    """``runlens scan DIR --engine dask ...``."""
    from .scan import scan_cohort

    if args.scheduler and args.jobs is not None:
        raise RunlensError("--jobs sets the local cluster's workers; a --scheduler has its own")
    rep = scan_cohort(
        args.dir,
        args.parquet,
        db=args.db,
        runners=args.runners,
        scheduler=args.scheduler,
        workers=args.jobs,
        config=config,
        progress=progress,
    )
    if args.json:
        json.dump(rep.to_dict(), sys.stdout, indent=2, allow_nan=False)
        sys.stdout.write("\n")
        return 0
    where = (
        f"a local Dask cluster ({rep.workers} workers)"
        if rep.cluster == "local"
        else f"the Dask cluster at {rep.cluster} ({rep.workers} workers)"
    )
    print(
        f"Scanned {rep.root} on {where}: {rep.found} activity files of {len(rep.runners)} "
        f"runners in {rep.seconds:.1f} s (cluster ready after {rep.cluster_seconds:.1f} s)"
    )
    print(
        f"Parquet {rep.parquet}: {rep.activities} activities, {rep.counted} runs counted"
        + (f", {rep.duplicates} duplicates counted once" if rep.duplicates else "")
        + ", partitioned by runner"
    )
    if rep.db:
        print(f"Store {rep.db}: merged (the store sees {rep.root} as one history)")
    if rep.form_rules == "unavailable":
        print("Form rules are not part of this runlens: activities stored without form findings.")
    shown = rep.runners[:20]
    for r in shown:
        print(
            f"  {r['runner']}: {r['activities']} activities, {r['counted']} runs counted, "
            f"{r['flagged_sessions']} flagged"
        )
    if len(rep.runners) > len(shown):
        print(f"  ... and {len(rep.runners) - len(shown)} more runners (`runlens weekly --cohort`)")
    for r in rep.runners:
        if r["error"]:
            print(f"Runner {r['runner']}: no partition written: {r['error']}")
    if rep.unassigned:
        print(f"{len(rep.unassigned)} files belong to no runner and were not read:")
        for p in rep.unassigned[:20]:
            print(f"  {p}")
    if rep.problems:
        print(f"{len(rep.problems)} files are not activities and were skipped:")
        for path, status, reason in rep.problems:
            print(f"  {path}: {'no activity' if status == 'skipped' else 'bad'}: {reason}")
    if rep.unreadable:
        print(
            f"{rep.unreadable} files could not be opened by the workers: every worker must "
            "read the data at the same paths as this machine"
        )
    return 0


def run_weekly(args: argparse.Namespace, config: Any) -> int:
    """``runlens weekly --cohort [DIR | --parquet OUT | --db PATH]``."""
    from .weekly import (
        cohort_dict,
        cohort_weekly,
        format_text,
        frame_from_dataset,
        frame_from_store,
        write_csv,
    )

    if args.parquet and args.db:
        raise RunlensError("name the cohort's --parquet dataset or its --db store, not both")
    if args.db:
        source = args.db
        frame = frame_from_store(args.db)
    else:
        if args.parquet:
            source = args.parquet
        elif args.dir:
            from .scan import default_dataset_path

            source = str(default_dataset_path(args.dir))
        else:
            raise RunlensError(
                "name a cohort folder scanned with --engine dask (DIR), its --parquet dataset "
                "or a --db store"
            )
        frame = frame_from_dataset(source)
    cw = cohort_weekly(
        frame, config, week_start=args.week_start, load_unit=args.load_unit, source=source
    )
    if args.json:
        json.dump(cohort_dict(cw), sys.stdout, indent=2, allow_nan=False)
        sys.stdout.write("\n")
    elif args.csv:
        write_csv(cw, sys.stdout)
    else:
        print(format_text(cw))
    return 0
