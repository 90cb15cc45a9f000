"""Merge another runlens store into this one (an old per-folder store into the
runner's): :func:`merge_store`. Used by :mod:`runlens.history.runner`."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from .db import DERIVED_STATE_KEY, Store, StoreError

__all__ = ["merge_store"]

#: ``meta`` keys holding JSON objects keyed by path, merged key by key.
_PATH_DICTS = ("sport_overrides", "activity_names", "archives")


def merge_store(store: Store, other: str | os.PathLike[str]) -> dict[str, int]:
    """Copy everything ``other`` holds that ``store`` lacks into ``store``.

    ``other`` is only read: a copy of it is opened (and migrated to the current
    schema) in a temporary folder. A file already in ``store`` keeps the row
    ``store`` has; a diary entry already there (same day, severity, place,
    note and time typed) is not added twice; an entry keeps its id when that
    id is free.

    Returns
    -------
    dict
        Rows added: ``files``, ``activities``, ``sources``, ``pain_entries``.

    Raises
    ------
    StoreError
        ``other`` is not a runlens store, is corrupt or too new.
    """
    src = Path(other)
    store._digests_filled = False  # rows merged in may lack their minutes' digest
    with tempfile.TemporaryDirectory(prefix="runlens-merge-") as td:
        tmp = Path(td) / "old.sqlite"
        try:
            shutil.copyfile(src, tmp)
            if Path(str(src) + "-wal").is_file():
                shutil.copyfile(str(src) + "-wal", str(tmp) + "-wal")
        except OSError as exc:
            raise StoreError(f"cannot be read ({exc.strerror or exc})", path=str(src)) from None
        try:
            Store(tmp, create=False).close()  # migrates the copy to this schema
        except StoreError as exc:
            raise StoreError(exc.message.replace(str(tmp), str(src)), path=str(src)) from None
        return _merge_attached(store, tmp)


def _merge_attached(store: Store, tmp: Path) -> dict[str, int]:
    c = store.conn
    c.execute("ATTACH DATABASE ? AS old", (str(tmp),))
    try:
        with store.transaction():
            counts = {}
            c.execute("CREATE TEMP TABLE IF NOT EXISTS _merge_paths (path TEXT PRIMARY KEY)")
            c.execute("DELETE FROM _merge_paths")
            c.execute(
                "INSERT INTO _merge_paths SELECT path FROM old.files "
                "WHERE path NOT IN (SELECT path FROM main.files)"
            )
            # Files by path, their runs by file (a file may hold several).
            where = {
                "files": "path IN (SELECT path FROM _merge_paths)",
                "activities": "file IN (SELECT path FROM _merge_paths)",
                "form_minutes": "path IN (SELECT path FROM old.activities "
                "WHERE file IN (SELECT path FROM _merge_paths))",
            }
            for table in ("files", "activities", "form_minutes"):
                cols = _common_columns(c, table)
                cur = c.execute(
                    f"INSERT OR IGNORE INTO main.{table} ({cols}) SELECT {cols} FROM old.{table} "
                    f"WHERE {where[table]}"
                )
                if table != "form_minutes":
                    counts[table] = cur.rowcount
            cols = _common_columns(c, "roots")
            counts["sources"] = c.execute(
                f"INSERT OR IGNORE INTO main.roots ({cols}) SELECT {cols} FROM old.roots"
            ).rowcount
            counts["pain_entries"] = _merge_pain(c)
            for key in _PATH_DICTS:
                row = c.execute("SELECT value FROM old.meta WHERE key = ?", (key,)).fetchone()
                if row is None:
                    continue
                theirs = json.loads(row[0])
                mine_row = c.execute("SELECT value FROM main.meta WHERE key = ?", (key,)).fetchone()
                mine = json.loads(mine_row[0]) if mine_row else {}
                if isinstance(theirs, dict) and isinstance(mine, dict):
                    merged = {**theirs, **mine}  # what the runner's store says wins
                    c.execute(
                        "INSERT OR REPLACE INTO main.meta VALUES (?, ?)", (key, json.dumps(merged))
                    )
            if counts["activities"] or counts["files"]:
                c.execute("DELETE FROM main.meta WHERE key = ?", (DERIVED_STATE_KEY,))
            c.execute("DROP TABLE _merge_paths")
    finally:
        c.execute("DETACH DATABASE old")
    return counts


def _common_columns(c, table: str) -> str:
    mine = [r[1] for r in c.execute(f"PRAGMA main.table_info({table})")]
    theirs = {r[1] for r in c.execute(f"PRAGMA old.table_info({table})")}
    return ", ".join(x for x in mine if x in theirs)


def _merge_pain(c) -> int:
    fields = "date, severity, location, note, source, created_utc"
    rows = c.execute(f"SELECT id, {fields} FROM old.pain_entries ORDER BY id").fetchall()
    added = 0
    for row in rows:  # a diary is tens of rows, not thousands
        same = c.execute(
            "SELECT 1 FROM main.pain_entries WHERE date = ? AND severity = ? AND location = ? "
            "AND note = ? AND created_utc = ?",
            (row[1], row[2], row[3], row[4], row[6]),
        ).fetchone()
        if same:
            continue
        taken = c.execute("SELECT 1 FROM main.pain_entries WHERE id = ?", (row[0],)).fetchone()
        if taken:
            c.execute(f"INSERT INTO main.pain_entries ({fields}) VALUES (?, ?, ?, ?, ?, ?)", row[1:])
        else:
            c.execute(f"INSERT INTO main.pain_entries (id, {fields}) VALUES (?, ?, ?, ?, ?, ?, ?)", row)
        added += 1
    return added
