"""The runner's one history store: which file, and the per-folder stores it replaces.

Every command opens the history with :func:`open_history`: the store named by
``--db`` if given, else the runner's (:func:`~runlens.store.db.default_store_path`:
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

import os
import time
from pathlib import Path
from typing import Any

from ..store.db import (
    Store,
    StoreError,
    default_store_path,
    legacy_store_dir,
)

__all__ = ["MERGED_KEY", "store_path", "open_history", "merge_store", "merge_legacy_stores"]

from ..store.merge import merge_store  # noqa: E402  (the SQL of a merge is the store's)

#: ``meta`` key: old per-folder store path -> {sig, merged_utc, counts or error}.
MERGED_KEY = "merged_stores"


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
