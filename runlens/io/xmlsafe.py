"""Refuse XML that could attack the parser before any parser sees it.

A GPX or TCX never needs a DOCTYPE or entity declarations; files that carry them are
refused (no external entities, no entity-expansion bombs such as "billion
laughs"). This is a byte scan of the prolog, so a bomb is refused in
microseconds without being expanded.
"""

from __future__ import annotations

import re

from ..errors import UnsafeXMLError

__all__ = ["check_xml"]

_DANGEROUS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _as_utf8(data: bytes) -> bytes:
    """Bytes to scan: XML in UTF-16/32 is re-encoded so the scan cannot be dodged."""
    head = data[:4]
    for bom, enc in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if head.startswith(bom):
            return data.decode(enc, errors="replace").encode("utf-8")
    if b"\x00" in data[:64]:  # UTF-16 without BOM: '<' then NUL, or NUL then '<'
        enc = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        return data.decode(enc, errors="replace").encode("utf-8")
    return data


def check_xml(data: bytes, name: str, what: str = "GPX") -> None:
    """Raise if ``data`` declares a DOCTYPE or entities anywhere.

    >>> check_xml(b'<?xml version="1.0"?><gpx/>', "ok.gpx")
    >>> check_xml(b'<!DOCTYPE x [<!ENTITY a "aa">]><gpx>&a;</gpx>', "bomb.gpx")
    Traceback (most recent call last):
    ...
    runlens.errors.UnsafeXMLError: bomb.gpx: XML with a DOCTYPE declaration refused (GPX needs none; it could expand entities or fetch external files)
    """
    text = _as_utf8(data)
    if b"!" not in text:  # no "<!", nothing to declare anything with (one memchr)
        return
    m = _DANGEROUS.search(text)
    if m:
        kind = m.group(1).decode().upper()
        raise UnsafeXMLError(
            f"XML with a {kind} declaration refused ({what} needs none; it could expand "
            "entities or fetch external files)",
            path=name,
        )
