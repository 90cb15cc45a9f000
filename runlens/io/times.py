"""Time texts (GPX, TCX) that no clock could write, refused per point with their real value.

Two kinds are refused before any parser sees them, each point on its own
(the rest of the file is read):

- a UTC offset beyond +-14:00 (the widest real time zones are -12:00 and
  +14:00; Python cannot even represent +-24:00);
- a date outside what runlens' time stamps hold (1678 to 2261: nanoseconds
  in 64 bits). Left in, a year 2608 wrapped round to 2023 without a word.

The warning names how many points and one example, as written in the file.
"""

from __future__ import annotations

import math
import re

import numpy as np

__all__ = ["MAX_OFFSET_MIN", "YEARS", "screen_time_texts", "screen_seconds"]

#: Widest UTC offset a time zone has (minutes).
MAX_OFFSET_MIN = 14 * 60
#: Years a time stamp may have (datetime64[ns] holds 1677-09-21 to 2262-04-11).
YEARS = (1678, 2261)
# Representable Unix seconds (whole years inside the datetime64[ns] range).
_LO_S, _HI_S = -9_183_110_400.0, 9_214_646_400.0  # 1679-01-01, 2262-01-01

_TIME = re.compile(
    r"^\s*(?P<y>[+-]?\d{4,})-\d{1,2}-\d{1,2}[T ][\d:.,]+\s*"
    r"(?:Z|(?P<sign>[+-\u2212])(?P<h>\d{2}):?(?P<m>\d{2})?)?\s*$"
)


def _why(text: str) -> str | None:
    """Why a time text is refused, or None."""
    m = _TIME.match(text)
    if m is None:
        return None  # left to the parser (which may drop it as unreadable)
    year = int(m["y"])
    if not YEARS[0] <= year <= YEARS[1]:
        return "date"
    if m["h"] is not None:
        minutes = int(m["h"]) * 60 + int(m["m"] or 0)
        if minutes > MAX_OFFSET_MIN:
            return "offset"
    return None


# What watches write: 2026-09-07T04:30:00(.123)(Z|+02:00), nothing around it.
_PLAIN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?"
                    r"(?:Z|[+-][0-9]{2}:[0-9]{2})")


def _plain_and_in_range(texts: list) -> bool:
    """True when every text is absent or plain ISO 8601 with a year in :data:`YEARS` and
    an offset within +-14:00: nothing to refuse, known with one C-level match a text
    and a look at the distinct years and offsets, instead of :func:`_why` on each."""
    strs = [s for s in texts if isinstance(s, str)]
    if not all(map(_PLAIN.fullmatch, strs)):
        return False
    if any(not YEARS[0] <= int(y) <= YEARS[1] for y in {s[:4] for s in strs}):
        return False
    zones = {s[-6:] for s in strs if not s.endswith("Z")}
    return all(int(z[1:3]) * 60 + int(z[4:6]) <= MAX_OFFSET_MIN for z in zones)


def screen_time_texts(texts: list, what: str = "track point") -> tuple[list, list[str], int]:
    """``texts`` with refused times replaced by None; the warnings; how many were refused.

    >>> t, w, n = screen_time_texts(["2024-05-01T08:00:00Z", "2024-05-01T08:00:01+24:00",
    ...                              "2608-05-01T08:00:02Z", None])
    >>> t[1:], n
    ([None, None, None], 2)
    >>> w[0]
    "1 track point(s) with a UTC offset beyond +-14:00 (e.g. '2024-05-01T08:00:01+24:00') lost their time and were dropped"
    """
    if _plain_and_in_range(texts):
        return list(texts), [], 0
    out = list(texts)
    bad: dict[str, list[str]] = {"offset": [], "date": []}
    for i, s in enumerate(texts):
        if not isinstance(s, str):
            continue
        why = _why(s)
        if why is not None:
            bad[why].append(s.strip())
            out[i] = None
    notes = []
    if bad["offset"]:
        notes.append(
            f"{len(bad['offset'])} {what}(s) with a UTC offset beyond +-14:00 "
            f"(e.g. {bad['offset'][0][:40]!r}) lost their time and were dropped"
        )
    if bad["date"]:
        notes.append(
            f"{len(bad['date'])} {what}(s) dated outside {YEARS[0]}-{YEARS[1]} "
            f"(e.g. {bad['date'][0][:40]!r}) lost their time and were dropped"
        )
    return out, notes, len(bad["offset"]) + len(bad["date"])


def screen_seconds(t: np.ndarray, what: str = "track point") -> tuple[np.ndarray, list[str], int]:
    """Unix seconds outside what a time stamp holds set to NaN, with one warning naming
    the first such value as a date (the parser read it; it must not wrap round)."""
    t = np.asarray(t, dtype=float)
    bad = np.isfinite(t) & ((t < _LO_S) | (t > _HI_S))
    if not bad.any():
        return t, [], 0
    first = float(t[bad][0])
    year = 1970 + first / (365.2425 * 86400)
    shown = f"about the year {math.floor(year)}" if abs(year) < 1e6 else f"{first:.3g} s from 1970"
    t = t.copy()
    t[bad] = np.nan
    n = int(bad.sum())
    return t, [f"{n} {what}(s) dated outside {YEARS[0]}-{YEARS[1]} ({shown}) lost their "
               "time and were dropped"], n


def plain_ns(texts: list[str]) -> np.ndarray | None:
    """Nanoseconds since 1970 UTC of texts that :func:`screen_time_texts` found plain
    (``2026-09-07T04:30:00(.123)`` then ``Z`` or ``+02:00``), parsed by NumPy in one
    call; None when NumPy refuses one (a 30 February, a 60th second): the caller's
    parser decides those.
    """
    if all(s.endswith("Z") for s in texts):
        local, off = [s[:-1] for s in texts], None
    else:
        local = [s[:-1] if s.endswith("Z") else s[:-6] for s in texts]
        off = np.array([0 if s.endswith("Z") else (-1 if s[-6] == "-" else 1)
                        * (int(s[-5:-3]) * 3600 + int(s[-2:]) * 60) for s in texts],
                       dtype=np.int64) * 1_000_000_000
    try:  # zone-free texts: NumPy parses them as UTC, without a warning
        ns = np.array(local, dtype="datetime64[ns]").astype(np.int64)
    except ValueError:
        return None
    return ns if off is None else ns - off
