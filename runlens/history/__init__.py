"""Training history: scan a folder into an embedded store, then read it back.

>>> from runlens.history import scan, Store, build_history   # doctest: +SKIP
>>> report = scan("~/Strava/export", jobs=4)                  # doctest: +SKIP
>>> history = build_history(Store(report.db))                 # doctest: +SKIP

docs/history.md documents the store schema, the load definitions and the CLI.
"""

from __future__ import annotations

import sys as _sys

from ..store import SCHEMA_VERSION, Store, StoreError, default_store_path
from ..store import db as _db
from .analysis import HistoryTables, build_history, find_duplicates, refresh_derived
from .baseline import fit_baseline, history_minutes, personal_baseline
from .discover import discover
from .scan import ScanReport, scan

# The store moved to runlens.store (issue 23); code that still imports
# runlens.history.store gets the same module.
_sys.modules.setdefault(__name__ + ".store", _db)

__all__ = [
    "scan",
    "ScanReport",
    "Store",
    "StoreError",
    "SCHEMA_VERSION",
    "default_store_path",
    "discover",
    "HistoryTables",
    "build_history",
    "find_duplicates",
    "refresh_derived",
    "fit_baseline",
    "history_minutes",
    "personal_baseline",
]
