"""Refuse XML that could attack the parser before any parser sees it.

A GPX never needs a DOCTYPE or entity declarations; files that carry them are
refused (no external entities, no entity-expansion bombs such as "billion
laughs"). This is a byte scan of the prolog, so a bomb is refused in
microseconds without being expanded.
"""

from __future__ import annotations

import re

from ..errors import UnsupportedFormatError

__all__ = ["check_xml"]

_DANGEROUS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def check_xml(data: bytes, name: str) -> None:
    """Raise if ``data`` declares a DOCTYPE or entities anywhere.

    >>> check_xml(b'<?xml version="1.0"?><gpx/>', "ok.gpx")
    """
    m = _DANGEROUS.search(data)
    if m:
        kind = m.group(1).decode().upper()
        raise UnsupportedFormatError(
            f"XML with a {kind} declaration refused (GPX needs none; it could expand "
            "entities or fetch external files)",
            path=name,
        )
