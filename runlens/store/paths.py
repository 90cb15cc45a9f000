"""Where the runner's history store lives, without opening it.

Kept apart from :mod:`runlens.store.db` so that a command that only asks
whether a store exists (``runlens analyze`` of a runner without a history)
does not load SQLite and the store's code.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["STORE_ENV", "data_dir", "default_store_path", "legacy_store_dir", "history_exists"]

#: Environment variable naming the runner's store (another runner's, or a copy
#: kept elsewhere); ``--db`` overrides it.
STORE_ENV = "RUNLENS_DB"


def data_dir() -> Path:
    """runlens' folder in the user's data directory (``$XDG_DATA_HOME/runlens`` on Linux)."""
    if sys.platform.startswith("linux") and not _android():
        # platformdirs' Linux answer, without importing it (a few ms of every command):
        # $XDG_DATA_HOME when it is an absolute path, else ~/.local/share
        # (tests/history/test_one_history.py compares the two).
        xdg = os.environ.get("XDG_DATA_HOME", "")
        base = xdg if os.path.isabs(xdg) else os.path.expanduser("~/.local/share")
        return Path(base) / "runlens"
    import platformdirs

    return Path(platformdirs.user_data_dir("runlens", appauthor=False))


def _android() -> bool:
    return hasattr(sys, "getandroidapilevel") or (
        os.environ.get("ANDROID_DATA") == "/data" and os.environ.get("ANDROID_ROOT") == "/system"
    )


def default_store_path() -> Path:
    """The runner's history store: ``$RUNLENS_DB`` if set, else ``history.sqlite``
    in the user's data directory (``$XDG_DATA_HOME/runlens/history.sqlite`` on Linux).

    Every command reads and writes this store unless ``--db`` names another;
    every folder and zip scanned adds to it (docs/history.md).
    """
    env = os.environ.get(STORE_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    return data_dir() / "history.sqlite"


def legacy_store_dir() -> Path:
    """Where runlens before one-store-per-runner kept one store per folder
    (``stores/NAME-HASH.sqlite`` in the data directory); merged on first use."""
    return data_dir() / "stores"


def history_exists() -> bool:
    """Whether the runner has a history to open: the store file, or old
    per-folder stores that opening it would merge in."""
    if default_store_path().exists():
        return True
    try:
        return any(p.is_file() for p in legacy_store_dir().glob("*.sqlite"))
    except OSError:
        return False
