"""Find activity files under a folder (a Garmin or Strava bulk export included).

Strava's export keeps activities in ``activities/`` as ``NUMBER.fit.gz``,
``NUMBER.gpx`` and so on; Garmin's keeps ``.fit`` files in nested folders.
Discovery is by name (the content is sniffed when the file is read); nothing
is opened here, only listed and ``stat``-ed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SUFFIXES", "FoundFile", "discover", "is_activity_name"]

#: Names runlens reads, lower-cased.
SUFFIXES = (".fit", ".gpx", ".fit.gz", ".gpx.gz")


@dataclass(frozen=True)
class FoundFile:
    """One candidate file: absolute path, size (bytes) and mtime (ns)."""

    path: str
    size: int
    mtime_ns: int


def is_activity_name(name: str) -> bool:
    """Whether a file name has a suffix runlens reads (case-insensitive).

    >>> is_activity_name("12345.FIT.gz"), is_activity_name("a.tcx")
    (True, False)
    """
    n = name.lower()
    return n.endswith(SUFFIXES)


def discover(root: str | os.PathLike[str]) -> tuple[list[FoundFile], int]:
    """List activity files under ``root``, recursively, sorted by path.

    Hidden folders (``.git``, ``.Trash``) and symlinked folders are not
    entered (a link loop must not hang a scan).

    Returns
    -------
    files : list of FoundFile
    ignored : int
        Other regular files seen (e.g. ``.tcx``, ``.csv``), for the report.
    """
    found: list[FoundFile] = []
    ignored = 0
    base = Path(root).resolve()
    for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.startswith("."):
                continue
            p = os.path.join(dirpath, name)
            if not is_activity_name(name):
                ignored += 1
                continue
            try:
                st = os.stat(p)
            except OSError:
                continue  # vanished or unreadable: reported when read, if it comes back
            if not os.path.isfile(p):
                continue
            found.append(FoundFile(p, st.st_size, st.st_mtime_ns))
    found.sort(key=lambda f: f.path)
    return found, ignored
