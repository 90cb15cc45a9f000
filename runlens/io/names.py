"""Which file names are activity files runlens reads (a reader's matter, used by
the folder scan and by the zip reader alike)."""

from __future__ import annotations

__all__ = ["SUFFIXES", "is_activity_name"]

SUFFIXES = (".fit", ".gpx", ".tcx", ".fit.gz", ".gpx.gz", ".tcx.gz")


def is_activity_name(name: str) -> bool:
    """Whether a file name has a suffix runlens reads (case-insensitive).

    >>> is_activity_name("12345.FIT.gz"), is_activity_name("a.tcx"), is_activity_name("a.csv")
    (True, True, False)
    """
    n = name.lower()
    return n.endswith(SUFFIXES)
