"""One vocabulary for every command: shared options, their names, help and choices.

An option that means the same thing in two commands is added here, once, so that
its name, choices and help cannot drift apart (tests/cli/test_help.py checks it).
"""

from __future__ import annotations

import argparse
import sys

__all__ = [
    "LOAD_UNITS",
    "load_checked_config",
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


def plural(n: int, word: str, many: str | None = None) -> str:
    """``"1 run"``, ``"2 runs"``; ``many`` for irregular plurals.

    >>> plural(1, "run"), plural(3, "run"), plural(2, "activity", "activities")
    ('1 run', '3 runs', '2 activities')
    """
    return f"{n} {word if n == 1 else (many or word + 's')}"


def load_checked_config(path: str | None):
    """The config, every key of it checked (docs/config.md): rules too, before any reading."""
    from ..config import load_config
    from ..rules import check_config

    config = load_config(path)
    check_config(config)
    return config


def add_history_arguments(p: argparse.ArgumentParser) -> None:
    """``DIR`` or ``--db PATH``: which history a command reads (weekly, runs, baseline)."""
    p.add_argument("dir", nargs="?", metavar="DIR", help="a folder scanned with `runlens scan`")
    p.add_argument("--db", metavar="PATH", help="history store file (default: the folder's store)")


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
