"""Bounds on how many summary messages of one kind a file may hold.

A real activity has a handful of sessions (a triathlon: five) and at most a
few thousand laps (a 24-hour run lapped every 200 m: about 1,000). A file
with 200,000 session messages is damage or an attack, and each session costs
an analysis of its own: the first :data:`MAX_MESSAGES` of each kind are
kept, the rest dropped with one warning naming the count, so such a file is
read in seconds instead of minutes (tests/robustness/test_bounds.py).

Definition messages are bounded per file, before any decoder runs: a real
file redefines a message type a few dozen times (the most among the FIT files
runlens is tested on: 838 definitions of 7,810 fields in all, a Wahoo ELEMNT
ride of 6 h 33 min), while each definition costs every decoder a pass over
its field list. Reading stops at the definition past :data:`MAX_DEFINITIONS`
definitions or :data:`MAX_DEFINED_FIELDS` fields defined in all; what precedes
it is kept, with one warning (an 80,000-definition file: seconds instead of a
minute and a half).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "MAX_MESSAGES",
    "MAX_DEFINITIONS",
    "DROPPED_KEY",
    "cap",
    "cap_messages",
    "MAX_DEFINED_FIELDS",
    "definitions_warning",
]

#: Messages kept per kind; kinds not named here are not bounded.
MAX_MESSAGES = {"session": 256, "lap": 5000, "length": 20000}
#: Definition messages read per FIT file (all its chained sequences together).
MAX_DEFINITIONS = 10_000
#: Fields defined per FIT file, summed over its definitions (the cost of reading them).
MAX_DEFINED_FIELDS = 100_000
#: Key of a decoder's messages dict counting what it already dropped, by kind.
DROPPED_KEY = "_dropped_by_bound"


def cap(kind: str, n: int) -> int | None:
    """How many of ``n`` messages of ``kind`` to keep (None: all)."""
    m = MAX_MESSAGES.get(kind)
    return m if m is not None and n > m else None


def cap_messages(messages: dict[str, list[dict[str, Any]]], warnings: list[str]) -> None:
    """Cut each bounded kind of ``messages`` to its bound, in place, warning once per kind."""
    dropped = messages.pop(DROPPED_KEY, None) or {}
    for kind, limit in MAX_MESSAGES.items():
        msgs = messages.get(kind)
        extra = dropped.get(kind, 0)
        if msgs is None or (len(msgs) <= limit and not extra):
            continue
        total = len(msgs) + extra
        messages[kind] = msgs[:limit]
        warnings.append(
            f"the file holds {total:,} {kind} messages; runlens reads at most {limit:,} "
            f"(the first {limit:,} were kept)"
        )


def definitions_warning(at: int, size: int, n_defs: int) -> str:
    """The one warning of a FIT file past :data:`MAX_DEFINITIONS` or :data:`MAX_DEFINED_FIELDS`."""
    if n_defs >= MAX_DEFINITIONS:
        what = f"more than {MAX_DEFINITIONS:,} definition messages"
    else:
        what = f"definitions of more than {MAX_DEFINED_FIELDS:,} fields in all"
    return (
        f"the file holds {what} (no activity needs that many; runlens reads at most "
        f"{MAX_DEFINITIONS:,} definitions of {MAX_DEFINED_FIELDS:,} fields): reading stopped "
        f"at byte {at:,} of {size:,}, after {n_defs:,} definitions; the messages after it "
        "were not read"
    )
