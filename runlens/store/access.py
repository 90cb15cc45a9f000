"""How a history store file is opened: what runlens will and will not do to it.

- A ``--db`` that exists and is not a regular file (``/dev/null``, a FIFO)
  is refused before SQLite sees it: SQLite would create ``/dev/null-journal``
  beside it.
- A command that only reads (``create=False``) never writes a schema into a
  file it did not create: an empty file is refused, left as it was.
- A store that cannot be written (a read-only file, or on a read-only mount
  or in a folder runlens may not write) is opened read-only: every read
  command works; a command that writes says "read-only" in one line. When
  the folder cannot be written either, the store is opened as immutable (no
  lock, no WAL files created beside it).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from urllib.parse import quote

from ..errors import RunlensError

__all__ = ["StoreError", "check_store_target", "writable", "connect_uri"]


class StoreError(RunlensError):
    """The store file cannot be used: corrupt, not a runlens store, or too new."""


def check_store_target(path: Path, create: bool) -> None:
    """StoreError for a target runlens must not open as a store (see the module docstring)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(f"cannot be read ({exc.strerror or exc})", path=str(path)) from None
    if stat.S_ISDIR(st.st_mode):
        return  # the caller's own message
    if not stat.S_ISREG(st.st_mode):
        raise StoreError(
            "not a regular file; a history store is a file (choose one with --db)", path=str(path)
        )
    if st.st_size == 0 and not create:
        raise StoreError(
            "an empty file, not a history store; left untouched (run `runlens scan DIR "
            "--db FILE` to make one)",
            path=str(path),
        )


def _folder_writable(path: Path) -> bool:
    folder = path.parent if str(path.parent) else Path(".")
    return os.access(folder, os.W_OK | os.X_OK) and not _read_only_mount(folder)


def _read_only_mount(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & getattr(os, "ST_RDONLY", 1))
    except OSError:
        return False


def writable(path: Path) -> bool:
    """Whether the existing store file ``path`` can be written (file and mount)."""
    return os.access(path, os.W_OK) and not _read_only_mount(path.parent)


def connect_uri(path: Path) -> str:
    """The SQLite URI opening the existing ``path`` read-only (immutable when its folder
    cannot be written: SQLite could not make its lock and WAL files there)."""
    uri = "file:" + quote(str(path.resolve())) + "?mode=ro"
    if not _folder_writable(path):
        uri += "&immutable=1"
    return uri
