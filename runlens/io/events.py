"""One file, several runs: split a decoded file into its events.

A file can hold more than one outing: a TCX export with an ``<Activity>`` per
day, a Forerunner 305 ``<MultiSportSession>`` holding several days, a FIT file
whose two running sessions are hours apart. Each outing is its own
:class:`~runlens.model.Activity` (an *event*): its own run in ``runlens
analyze`` and in the history. Sessions that follow each other (the legs of a
triathlon or duathlon, transitions included) are one event, judged per leg.

The rule: sessions sorted by start; a session starting more than
:data:`EVENT_GAP_S` after the end of the sessions before it starts a new
event. A record belongs to the event whose span it falls in, or, between two
events, to the earlier one (a device keeps writing after a session ends).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import replace

if TYPE_CHECKING:
    from ..model import Activity, Segment

__all__ = ["EVENT_GAP_S", "event_groups", "split_events", "event_key", "split_event_key"]

#: Two sessions further apart than this (s: end of one, start of the next) are
#: separate events. Longer than any multisport transition, shorter than the
#: break between a morning and an evening run (docs/history.md).
EVENT_GAP_S = 30 * 60.0


def event_groups(sessions: list[Segment]) -> list[list[Segment]]:
    """The sessions grouped into events (see the module docstring), in time order."""
    ordered = sorted(sessions, key=lambda s: s.start_ns)
    groups: list[list[Segment]] = []
    end = None
    for s in ordered:
        if groups and (s.start_ns - end) / 1e9 <= EVENT_GAP_S:
            groups[-1].append(s)
            end = max(end, s.end_ns)
        else:
            groups.append([s])
            end = s.end_ns
    return groups


def split_events(activity: Activity) -> list[Activity]:
    """The events of ``activity``: ``[activity]`` itself when it holds one.

    Each event is a new Activity with its own records, sessions, laps, pauses,
    developer fields, start, sport and device summary (its running sessions
    combined); ``extra["event"]`` is its number in the file (0 first) and
    ``extra["events"]`` how many the file holds.
    """
    groups = event_groups(activity.sessions)
    if len(groups) <= 1:
        return [activity]
    import numpy as np

    from .rawfit import combine_summaries

    tab = activity.table
    n = len(tab)
    # Cut points: each event from its first session's start to the next event's.
    cuts = [g[0].start_ns for g in groups[1:]]
    edges = np.searchsorted(tab.t_ns, np.array(cuts, dtype=np.int64), "left")
    bounds = [0, *edges.tolist(), n]

    def owner(t) -> int:
        k = 0
        for i, c in enumerate(cuts):
            if t >= c:
                k = i + 1
        return k

    out: list[Activity] = []
    for k, g in enumerate(groups):
        lo, hi = bounds[k], bounds[k + 1]
        records = tab.take(slice(lo, hi))
        developer = activity.developer_table
        if developer is not None and len(developer) == n:
            developer = developer.take(slice(lo, hi))
        running = [s for s in g if s.sport == "running"]
        main = running[0] if running else g[0]
        extra = dict(activity.extra)
        extra["event"], extra["events"] = k, len(groups)
        out.append(
            replace(
                activity,
                records=records,
                developer=developer,
                sport=main.sport,
                sub_sport=main.sub_sport,
                start=g[0].start_ns,
                sessions=list(g),
                laps=[lp for lp in activity.laps if owner(lp.start_ns) == k],
                pauses=[p for p in activity.pauses if owner(p.start_ns) == k],
                device_summary=combine_summaries([s.device_summary for s in (running or g)]),
                warnings=list(activity.warnings),
                extra=extra,
            )
        )
    return out


def event_key(path: str, event: int) -> str:
    """The history's name of event ``event`` (0 first) of the file ``path``:
    the path itself for the first, ``PATH#2``, ``PATH#3``... for the others."""
    return path if event == 0 else f"{path}#{event + 1}"


def split_event_key(key: str) -> tuple[str, int]:
    """``(path, event)`` of a key made by :func:`event_key`."""
    head, sep, tail = key.rpartition("#")
    if sep and tail.isdigit() and int(tail) >= 2:
        return head, int(tail) - 1
    return key, 0
