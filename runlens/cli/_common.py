"""One vocabulary for every command: shared options, their names, help and choices.

An option that means the same thing in two commands is added here, once, so that
its name, choices and help cannot drift apart (tests/cli/test_help.py checks it).
"""

from __future__ import annotations

import argparse
import sys

from ..units import plural

__all__ = [
    "LOAD_UNITS",
    "load_checked_config",
    "history_db",
    "add_config_argument",
    "add_load_unit_argument",
    "add_units_argument",
    "chart_metric",
    "plural",
]

#: Training-load units, as ``[load] unit`` in the config names them.
LOAD_UNITS = ("distance", "moving_time", "trimp")

#: Old spellings still accepted (the weekly chart once called these time and load).
_OLD_LOAD_UNITS = {"time": "moving_time", "load": "trimp"}


def load_checked_config(path: str | None):
    """The config, every key of it checked (docs/config.md): rules too, before any reading."""
    from ..api import read_config

    return read_config(path)


#: ``--db`` help, one text for every command.
DB_HELP = (
    "history store file (default: yours, $RUNLENS_DB if set, else history.sqlite in the "
    "user's data directory; docs/history.md)"
)
#: ``DIR|ZIP`` help of the commands that read the whole history (weekly, runs, ...).
SOURCE_HELP = (
    "a folder or export .zip to add first (scanned into your history: only new or changed "
    "files are read); without it, your whole history as stored"
)


def add_db_argument(p: argparse.ArgumentParser) -> None:
    """``--db PATH``: another runner's store, or one kept elsewhere."""
    p.add_argument("--db", metavar="PATH", help=DB_HELP)


def add_history_arguments(p: argparse.ArgumentParser) -> None:
    """``[DIR|ZIP]`` and ``--db PATH``: weekly, runs, baseline, chart and report alike."""
    p.add_argument("dir", nargs="?", metavar="DIR|ZIP", help=SOURCE_HELP)
    add_db_argument(p)


def say_merged(merged: list[dict], db) -> None:
    """One line on stderr per old per-folder store merged into the runner's store."""
    from ..report.console import merged_lines

    for line in merged_lines(merged, db):
        print(f"runlens: {line}", file=sys.stderr)


def history_db(args: argparse.Namespace, config, folder: str | None = None):
    """The :class:`runlens.History` a command reads, after adding ``folder`` (a DIR or
    ZIP) to it if given.

    Without ``--db`` it is the runner's store, into which old per-folder stores
    are merged on first use (said on stderr).
    """
    from ..api import History

    jobs = getattr(args, "jobs", None)
    if jobs is not None and jobs < 1:
        from ..errors import RunlensError

        raise RunlensError("--jobs must be at least 1")
    history = History.of(args.db, config=config)
    if folder:
        from ..report.text import scan_summary
        from ._progress import judge_progress, scan_progress

        rep = history.scan(folder, jobs=jobs, progress=scan_progress(), judging=judge_progress())
        say_merged(rep.merged, rep.db)
        for line in scan_summary(rep):  # what the scan did, on stderr: stdout stays the output
            print(f"runlens: {line}", file=sys.stderr)
        return history
    say_merged(history.merge_old_stores(create=False), history.path)
    return history


def add_config_argument(p: argparse.ArgumentParser) -> None:
    """``--config PATH`` with the default path runlens really uses (docs/config.md)."""
    from ..config import default_config_path

    p.add_argument(
        "--config",
        metavar="PATH",
        help="TOML config: runner profile, rule thresholds, load and display settings "
        f"(docs/config.md); default {default_config_path()}",
    )


class _DeprecatedAlias(argparse.Action):
    """A hidden old option name: warns on stderr and stores under the new name."""

    def __init__(self, *args, new: str, mapping: dict[str, str] | None = None, **kw):
        self.new, self.mapping = new, mapping or {}
        super().__init__(*args, **kw)

    def __call__(self, parser, namespace, values, option_string=None):
        value = self.mapping.get(values, values)
        print(f"runlens: {option_string} is deprecated: use {self.new} {value}", file=sys.stderr)
        setattr(namespace, self.dest, value)


def add_load_unit_argument(p: argparse.ArgumentParser) -> None:
    """``--load-unit`` (old names ``--unit`` and ``--metric`` still work, hidden)."""
    p.add_argument(
        "--load-unit",
        choices=LOAD_UNITS,
        help="training load in distance (km), moving_time or trimp (Banister, needs heart "
        "rate): weekly load, ratios and bars (default: [load] unit, else distance)",
    )
    p.add_argument(
        "--unit",
        "--metric",
        dest="load_unit",
        choices=LOAD_UNITS + tuple(_OLD_LOAD_UNITS),
        action=_DeprecatedAlias,
        new="--load-unit",
        mapping=_OLD_LOAD_UNITS,
        help=argparse.SUPPRESS,
    )


def chart_metric(load_unit: str | None) -> str:
    """The weekly chart's name for a load unit (distance, time, trimp)."""
    return {"distance": "distance", "moving_time": "time", "trimp": "trimp"}[load_unit or "distance"]


def add_units_argument(p: argparse.ArgumentParser) -> None:
    """``--units metric|imperial``: how distances, paces and speeds are shown."""
    p.add_argument(
        "--units",
        choices=("metric", "imperial"),
        help="show km, min/km, m and cm (metric) or miles, min/mile, ft and in (imperial); "
        "default: [display] units, else metric",
    )


def parse_day(s: str | None, opt: str):
    if s is None:
        return None
    import pandas as pd

    from ..errors import RunlensError

    try:
        return pd.Timestamp(s).floor("D")
    except (ValueError, TypeError):
        raise RunlensError(f"{opt} {s!r} is not a date (YYYY-MM-DD)") from None


