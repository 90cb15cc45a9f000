"""Bounds on how many summary messages of one kind a file may hold.

A real activity has a handful of sessions (a triathlon: five) and at most a
few thousand laps (a 24-hour run lapped every 200 m: about 1,000). A file
with 200,000 session messages is damage or an attack, and each session costs
an analysis of its own: the first :data:`MAX_MESSAGES` of each kind are
kept, the rest dropped with one warning naming the count, so such a file is
read in seconds instead of minutes (tests/robustness/test_bounds.py).
"""

from __future__ import annotations

from typing import Any

__all__ = ["MAX_MESSAGES", "DROPPED_KEY", "cap", "cap_messages"]

#: Messages kept per kind; kinds not named here are not bounded.
MAX_MESSAGES = {"session": 256, "lap": 5000, "length": 20000}
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
