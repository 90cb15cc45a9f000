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
