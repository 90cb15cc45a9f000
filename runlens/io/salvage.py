"""Salvage by part: one bad value costs that value, not the file."""

from __future__ import annotations

import numpy as np

__all__ = ["floats_or_nan"]


def floats_or_nan(texts: list[str], present: list[bool], what: str) -> tuple[np.ndarray, str | None]:
    """``texts`` as floats, converted at once where all parse; a text that is not a
    number (``10,5``) or not finite (``NaN``, ``inf``) becomes NaN.

    ``present`` marks the texts that were really in the file (the others are
    placeholders for an absent value). Returns the array and one warning
    naming the count and the first bad text, or None.

    >>> a, note = floats_or_nan(["1.5", "10,5", "nan", "inf"], [True, True, False, True], "<ele>")
    >>> a.tolist()[:1], note
    ([1.5], "2 <ele> value(s) not a finite number (e.g. '10,5') dropped")
    """
    try:
        out = np.array(texts, dtype=float)
    except (ValueError, TypeError):
        out = np.empty(len(texts))
        for i, t in enumerate(texts):
            try:
                out[i] = float(t)
            except (ValueError, TypeError):
                out[i] = np.nan
                # not a number: keep the NaN, it is counted below
    bad = ~np.isfinite(out) & np.asarray(present, dtype=bool)
    if not bad.any():
        return out, None
    out[bad] = np.nan
    first = texts[int(np.flatnonzero(bad)[0])]
    return out, f"{int(bad.sum())} {what} value(s) not a finite number (e.g. {str(first)[:20]!r}) dropped"


_WIDE = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def wide_xml_as_utf8(data: bytes) -> bytes:
    """XML saved as UTF-16 or UTF-32 (with a byte-order mark, or ``<?`` in wide
    characters) as UTF-8 bytes with its declaration saying so; other bytes as they are.

    Valid XML, not damage: a GPX saved as "Unicode" by a Windows editor was
    refused as "no XML".

    >>> wide_xml_as_utf8('<?xml version="1.0" encoding="UTF-16"?><gpx/>'.encode("utf-16"))
    b'<?xml version="1.0" encoding="UTF-8"?><gpx/>'
    """
    import re

    enc, body = None, data
    for bom, name in _WIDE:
        if data.startswith(bom):
            enc, body = name, data[len(bom):]
            break
    else:
        if data[:4] == b"<\x00?\x00":
            enc = "utf-16-le"
        elif data[:4] == b"\x00<\x00?":
            enc = "utf-16-be"
    if enc is None:
        return data
    try:
        text = body.decode(enc)
    except UnicodeDecodeError:
        return data  # not really wide text: left to the format checks
    if not text.lstrip().startswith("<"):
        return data
    text = re.sub(r"""^(\s*<\?xml[^>]*?encoding=["'])[^"']*""", r"\1UTF-8", text, count=1)
    return text.encode("utf-8")
