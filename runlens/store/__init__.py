"""The history store: the one package of runlens that speaks SQL.

One SQLite file per runner (:mod:`runlens.store.db`): its schema and the
migrations of older stores as named steps, typed reads and writes of runs,
files, sources, form minutes, derived load and the pain diary
(:mod:`runlens.store.pain`), and the merge of old per-folder stores
(:mod:`runlens.store.merge`). Every other package reaches the store through
these methods; tests/test_layering.py checks that nothing else imports
``sqlite3`` or runs SQL. docs/history.md documents the schema.
"""

from __future__ import annotations

from typing import Any

from .paths import STORE_ENV, data_dir, default_store_path, legacy_store_dir

__all__ = [
    "APPLICATION_ID",
    "DERIVED_STATE_KEY",
    "SCHEMA_VERSION",
    "STORE_ENV",
    "Store",
    "StoreError",
    "data_dir",
    "default_store_path",
    "folder_store_name",
    "legacy_store_dir",
    "store_error",
]


def __getattr__(name: str) -> Any:
    """The store's classes and constants, loaded on first use: a command that only
    asks where the store is (:mod:`runlens.store.paths`) does not load SQLite."""
    if name in __all__:
        from . import db

        return getattr(db, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
