"""File names: which ones are activity files runlens reads (used by the folder scan
and by the zip reader alike), and how runlens prints and stores them: never raw
terminal control, never a crash.

A name on disk may be any bytes (POSIX), which Python hands over with the
undecodable ones as lone surrogates (``\\udcff``); a name may also hold
terminal escape sequences (``\\x1b[2J``). Printing such a name raw would
fail (surrogates cannot be encoded) or let a file name drive the terminal,
so every name runlens prints goes through :func:`shown`.
"""

from __future__ import annotations

import os
import re

__all__ = ["SUFFIXES", "is_activity_name", "shown", "is_text_name"]

SUFFIXES = (".fit", ".gpx", ".tcx", ".fit.gz", ".gpx.gz", ".tcx.gz")

#: C0 and C1 control characters and DEL (tab and newline included: one line per name).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def is_activity_name(name: str) -> bool:
    """Whether a file name has a suffix runlens reads (case-insensitive).

    >>> is_activity_name("12345.FIT.gz"), is_activity_name("a.tcx"), is_activity_name("a.csv")
    (True, True, False)
    """
    n = name.lower()
    return n.endswith(SUFFIXES)


def _escape(m: re.Match) -> str:
    return f"\\x{ord(m.group()):02x}"


def shown(text: str) -> str:
    """``text`` safe to print on one line: control characters and undecodable bytes escaped.

    >>> shown("run\\x1b[2J.fit"), shown("caf\\udce9.fit"), shown("café.fit")
    ('run\\\\x1b[2J.fit', 'caf\\\\xe9.fit', 'café.fit')
    """
    if text.isprintable():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _CONTROL.sub(_escape, text)


def is_text_name(name: str) -> bool:
    """Whether a name (as ``os`` returns it) is valid text that a store can keep.

    >>> is_text_name("a.fit"), is_text_name("\\udcff.fit")
    (True, False)
    """
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


#: Separates a zip from a member in a path (``ZIP!/MEMBER``; nested ``ZIP!/INNER.zip!/MEMBER``).
SEP = "!/"


def looks_like_zip(path: str | os.PathLike[str]) -> bool:
    """Whether a file starts like a zip (local header or empty-archive signature)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(4) in (b"PK\x03\x04", b"PK\x05\x06")
    except OSError:
        return False
