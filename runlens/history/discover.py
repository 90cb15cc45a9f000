"""Find activity files under a folder, or inside a zip (a Garmin or Strava bulk export).

Strava's export keeps activities in ``activities/`` as ``NUMBER.fit.gz``,
``NUMBER.gpx.gz``, ``NUMBER.tcx.gz`` with ``activities.csv`` beside them;
Garmin's keeps ``.fit`` files in zips inside
``DI_CONNECT/DI-Connect-Uploaded-Files`` and its activity summaries in
``DI_CONNECT/DI-Connect-Fitness``. Discovery is by name (the content is
sniffed when the file is read); files are only listed and ``stat``-ed here,
zips only have their directory read (:mod:`runlens.io.archive`).
"""

from __future__ import annotations

import os
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "SUFFIXES",
    "FoundFile",
    "Discovery",
    "discover",
    "discover_sources",
    "is_activity_name",
    "left_out_kind",
]

from ..io.names import SUFFIXES, is_activity_name  # names runlens reads, lower-cased

#: Why a name that is not text (undecodable bytes) is not read.
_NOT_TEXT = "its name is not valid text (UTF-8); rename it to have it read"


@dataclass(frozen=True)
class FoundFile:
    """One candidate file: absolute path, size (bytes) and mtime (ns)."""

    path: str
    size: int
    mtime_ns: int


@dataclass
class Discovery:
    """What a folder holds: activity files, zips, export lists, and the rest by kind."""

    files: list[FoundFile] = field(default_factory=list)
    zips: list[FoundFile] = field(default_factory=list)
    lists: list[FoundFile] = field(default_factory=list)
    left_out: Counter = field(default_factory=Counter)
    #: Places that could not be listed or ``stat``-ed, and files whose name is
    #: not text: ``(path, reason)``. Stored runs under them are kept.
    unreadable: list[tuple[str, str]] = field(default_factory=list)


def left_out_kind(name: str) -> str:
    """How the scan report names a file it does not read: its suffix, or "no suffix".

    >>> left_out_kind("photo.JPG"), left_out_kind("x.kml.gz"), left_out_kind("README")
    ('.jpg', '.kml.gz', 'no suffix')
    """
    n = name.lower()
    base, dot, ext = n.rpartition(".")
    if not dot or not base:
        return "no suffix"
    if ext == "gz" and "." in base:
        return "." + base.rsplit(".", 1)[-1] + ".gz"
    return "." + ext


def discover_sources(root: str | os.PathLike[str]) -> Discovery:
    """List activity files, zips and export lists under ``root``, recursively, sorted.

    Hidden folders (``.git``, ``.Trash``) and symlinked folders are not
    entered (a link loop must not hang a scan). A folder that cannot be
    listed, a file that cannot be ``stat``-ed and a name that is not text are
    put in ``unreadable`` with the reason (``root`` itself included): the
    scan keeps what it stored from them instead of forgetting it.
    """
    from ..io.exports import is_export_list
    from ..io.names import is_text_name

    out = Discovery()
    base = Path(root).resolve()

    def unlistable(exc: OSError) -> None:
        out.unreadable.append(
            (os.fspath(exc.filename or base), f"cannot be listed ({exc.strerror or exc})")
        )

    for dirpath, dirnames, filenames in os.walk(base, onerror=unlistable, followlinks=False):
        for d in dirnames:
            if not d.startswith(".") and not is_text_name(d):
                out.unreadable.append((os.path.join(dirpath, d), _NOT_TEXT))
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and is_text_name(d))
        for name in filenames:
            if name.startswith("."):
                continue
            p = os.path.join(dirpath, name)
            if not is_text_name(name):
                out.unreadable.append((p, _NOT_TEXT))
                continue
            low = name.lower()
            if is_activity_name(name):
                bucket = out.files
            elif low.endswith(".zip"):
                bucket = out.zips
            elif is_export_list(name):
                bucket = out.lists
            else:
                out.left_out[left_out_kind(name)] += 1
                continue
            try:
                st = os.stat(p)
            except FileNotFoundError:
                continue  # vanished since listed: gone
            except OSError as exc:
                out.unreadable.append((p, f"cannot be read ({exc.strerror or exc})"))
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            bucket.append(FoundFile(p, st.st_size, st.st_mtime_ns))
    for b in (out.files, out.zips, out.lists):
        b.sort(key=lambda f: f.path)
    out.unreadable.sort()
    return out


def discover(root: str | os.PathLike[str]) -> tuple[list[FoundFile], int]:
    """List activity files under ``root``, recursively, sorted by path.

    Returns
    -------
    files : list of FoundFile
    ignored : int
        Other regular files seen (e.g. ``.csv``, ``.zip``), for the report.
    """
    d = discover_sources(root)
    return d.files, sum(d.left_out.values()) + len(d.zips) + len(d.lists)
