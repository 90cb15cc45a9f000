"""The runner's one history store: which file, and the per-folder stores it replaces.

Every command opens the history with :func:`open_history`: the store named by
``--db`` if given, else the runner's (:func:`~runlens.history.store.default_store_path`:
``$RUNLENS_DB``, else ``history.sqlite`` in the user's data directory).

Older runlens kept one store per scanned folder (``stores/NAME-HASH.sqlite``
in the data directory). The first time the runner's store is opened, each of
those is merged into it (:func:`merge_store`): runs, per-minute form tables,
the pain diary, sources, sport overrides and names; the old files are only
read (a copy is migrated, never the file), and ``meta`` ``merged_stores``
records each one with its size and mtime so that it is not merged twice.
A store named with ``--db`` is never merged into.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from .store import (
    DERIVED_STATE_KEY,
    Store,
    StoreError,
    default_store_path,
    legacy_store_dir,
)

__all__ = ["MERGED_KEY", "store_path", "open_history", "merge_store", "merge_legacy_stores"]

#: ``meta`` key: old per-folder store path -> {sig, merged_utc, counts or error}.
MERGED_KEY = "merged_stores"
#: ``meta`` keys holding JSON objects keyed by path, merged key by key.
_PATH_DICTS = ("sport_overrides", "activity_names", "archives")


def store_path(db: str | os.PathLike[str] | None = None) -> Path:
    """The store a command uses: ``db`` if given, else the runner's store."""
    return Path(db).expanduser() if db else default_store_path()


def open_history(db: str | os.PathLike[str] | None = None, *, create: bool = True) -> Store:
    """Open the store ``db``, or the runner's store (merging old per-folder stores).

    Parameters
    ----------
    db : path, optional
        A store file (``--db``): opened as it is, nothing merged into it.
    create : bool
        Create the store if missing. Without it a missing store is a
        :class:`StoreError`, unless old per-folder stores exist to be merged.

    Returns
    -------
    Store
        With ``merged``: a list of dicts (``path`` and counts, or ``error``)
        of the old stores merged by this call.
    """
    path = store_path(db)
    legacy = [] if db else _legacy_files()
    if not create and not path.exists() and legacy:
        create = True  # the old stores become the runner's history
    store = Store(path, create=create)
    store.merged = []
    if legacy:
        try:
            store.merged = merge_legacy_stores(store, legacy)
        except BaseException:
            store.close()
            raise
    return store


def _legacy_files() -> list[Path]:
    d = legacy_store_dir()
    try:
        return sorted(p for p in d.glob("*.sqlite") if p.is_file())
    except OSError:
        return []


def _signature(p: Path) -> list[int]:
    sig = []
    for f in (p, Path(str(p) + "-wal")):
        try:
            st = f.stat()
            sig += [st.st_size, st.st_mtime_ns]
        except OSError:
            sig += [0, 0]
    return sig


def merge_legacy_stores(store: Store, files: list[Path] | None = None) -> list[dict[str, Any]]:
    """Merge every old per-folder store not merged yet (or changed since) into ``store``."""
    files = _legacy_files() if files is None else files
    done = dict(store.meta(MERGED_KEY, {}) or {})
    out = []
    for p in files:
        if p.resolve() == store.path.resolve():
            continue
        sig = _signature(p)
        if (done.get(str(p)) or {}).get("sig") == sig:
            continue
        entry: dict[str, Any] = {"path": str(p)}
        try:
            entry.update(merge_store(store, p))
        except StoreError as exc:
            entry["error"] = exc.message
        done[str(p)] = {
            "sig": sig,
            "merged_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            **{k: v for k, v in entry.items() if k != "path"},
        }
        store.set_meta(MERGED_KEY, done)
        out.append(entry)
    if any("error" not in e and e.get("activities") for e in out):
        from .analysis import refresh_derived

        refresh_derived(store)  # duplicates across the merged sources count once
    return out


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
