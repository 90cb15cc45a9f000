"""``runlens scan DIR``: read a folder of activities into the history store."""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction) -> None:
    from ._common import add_config_argument, add_db_argument

    p = sub.add_parser(
        "scan",
        help="add a folder of activity files, or an export's .zip, to your history",
        description="Find every .fit, .gpx and .tcx (and .gz of them) under DIR, or inside a "
        ".zip (a Strava or Garmin bulk export as downloaded, nested zips included; read in "
        "place, never extracted), read them in parallel and remember them in a store. Strava's "
        "activities.csv and Garmin's activity summaries give the sport, name and time zone of "
        "files that lack them. Files unchanged since the last scan are not read again; an "
        "interrupted scan is completed by the next one. Broken files are listed and skipped; "
        "files that are not activities are counted by kind. DIR is never written to. Every folder "
        "and zip you scan adds to one history (yours; --db names another runner's): the same "
        "run from two sources counts once, and a folder renamed or moved is recognised, not "
        "read again.",
    )
    p.add_argument("dir", metavar="DIR|ZIP", help="folder (scanned recursively) or .zip to scan")
    p.add_argument(
        "--sport",
        action="append",
        metavar="FILE=SPORT",
        default=[],
        help="remember in the store that FILE (as listed by the scan, a member as ZIP!/NAME) "
        "is of SPORT, and read it again; repeatable",
    )
    add_db_argument(p)
    p.add_argument(
        "--jobs", "-j", type=int, metavar="N", help="worker processes (default: all cores)"
    )
    p.add_argument(
        "--rescan", action="store_true", help="read and analyse every file again, changed or not"
    )
    add_config_argument(p)
    p.add_argument("--json", action="store_true", help="print the scan report as one JSON object")
    c = p.add_argument_group(
        "cohort (docs/cohort.md)", "scan many runners' histories on a Dask cluster into Parquet"
    )
    c.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="local: worker processes on this machine (default); dask: a Dask cluster, one "
        "runner per subfolder of DIR, results as a Parquet dataset (needs runlens[dask])",
    )
    c.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler, e.g. tcp://host:8786 (default: a local cluster, --jobs workers)",
    )
    c.add_argument(
        "--parquet",
        metavar="OUT_DIR",
        help="Parquet dataset folder to write (default: in the user's data directory)",
    )
    c.add_argument(
        "--runners",
        metavar="CSV",
        help="mapping file path_glob,runner (default: one runner per subfolder of DIR)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """``runlens scan``: a thin call of :meth:`runlens.History.scan`."""
    from ..api import History
    from ..errors import RunlensError
    from ..report.console import scan_lines
    from ._common import load_checked_config as load_config
    from ._common import say_merged

    if args.jobs is not None and args.jobs < 1:
        raise RunlensError("--jobs must be at least 1")
    if args.engine != "local" or args.scheduler or args.parquet or args.runners:
        from ..cohort.cli import check_scan_args

        check_scan_args(args)  # cohort options need --engine dask
    config = load_config(args.config)
    from ._progress import judge_progress, scan_progress

    progress = scan_progress(quiet=args.json)  # tqdm: rate and ETA on a terminal only
    if args.engine == "dask":
        from ..cohort.cli import run_scan

        return run_scan(args, config, progress)
    sports = {}
    for item in args.sport:
        path, eq, sport = item.rpartition("=")
        if not eq or not path or not sport.strip():
            raise RunlensError(f"--sport {item!r}: expected FILE=SPORT, e.g. run.gpx=running")
        sports[path] = sport.strip().lower()
    rep = History.of(args.db, config=config).scan(
        args.dir,
        jobs=args.jobs,
        rescan=args.rescan,
        progress=progress,
        sports=sports,
        judging=judge_progress(quiet=args.json),
    )
    if args.json:
        json.dump(rep.to_dict(), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    head, lines = scan_lines(rep)
    print(head)
    say_merged(rep.merged, rep.db)
    for line in lines:
        print(line)
    return 0
