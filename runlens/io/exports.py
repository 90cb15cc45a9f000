"""The activity lists of bulk exports: what each file's platform knew about it.

Strava's bulk export has ``activities.csv`` beside ``activities/``: one row per
activity with ``Activity ID``, ``Activity Date``, ``Activity Name``,
``Activity Type`` (``Run``, ``Ride``, ``Walk``, ``Hike``, ...) and
``Filename`` (``activities/123.gpx.gz``, relative to the export's root).
Rows are matched to files by that name.

Garmin Connect's export has ``DI_CONNECT/DI-Connect-Fitness/
*summarizedActivities.json``: ``[{"summarizedActivitiesExport": [...]}]``,
each entry with ``activityId``, ``name``, ``activityType`` (``running``,
``trail_running``, ``cycling``, ...; or an object with ``typeKey``),
``startTimeGmt`` and ``startTimeLocal`` (milliseconds since 1970; the local
one is the wall clock, so their difference is the time zone). The uploaded
files carry no activity id in their names, so entries are matched by start
time (within :data:`START_MATCH_S`).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

import numpy as np

from .gpx import gpx_sport

__all__ = [
    "Hint",
    "ExportIndex",
    "is_export_list",
    "parse_strava_csv",
    "parse_garmin_summaries",
    "START_MATCH_S",
]

#: A Garmin summary and a file whose starts are this close (s) are one activity.
START_MATCH_S = 120.0


@dataclass(frozen=True)
class Hint:
    """What an export's list says of one activity."""

    sport: str | None
    name: str | None
    utc_offset_s: int | None
    origin: str


@dataclass
class ExportIndex:
    """Hints found in a scan: by file name (Strava) and by start time (Garmin)."""

    by_name: dict[str, Hint] = field(default_factory=dict)
    starts: list[float] = field(default_factory=list)
    by_start: list[Hint] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    #: Rows or entries of a list that were skipped, one line each: the rest is used.
    skipped: list[str] = field(default_factory=list)

    def for_name(self, rel: str) -> Hint | None:
        """The hint of a file by its full path (an archive member's ``ZIP!/NAME``)."""
        return self.by_name.get(rel.replace("\\", "/").lower())

    def table(self) -> tuple[np.ndarray, list[Hint]]:
        """(sorted start times in s, hints in that order), for :func:`match_start`."""
        order = np.argsort(np.asarray(self.starts, dtype=float), kind="stable")
        return np.asarray(self.starts, dtype=float)[order], [self.by_start[i] for i in order]


def match_start(table: tuple[np.ndarray, list[Hint]], start_s: float) -> Hint | None:
    """The Garmin hint whose start is nearest ``start_s`` within :data:`START_MATCH_S`."""
    starts, hints = table
    if not len(starts):
        return None
    i = int(np.searchsorted(starts, start_s))
    best = None
    for j in (i - 1, i):
        if 0 <= j < len(starts) and abs(starts[j] - start_s) <= START_MATCH_S:
            if best is None or abs(starts[j] - start_s) < abs(starts[best] - start_s):
                best = j
    return hints[best] if best is not None else None


def is_export_list(name: str) -> str | None:
    """``"strava"`` for activities.csv, ``"garmin"`` for a summarizedActivities json."""
    low = name.rsplit("/", 1)[-1].lower()
    if low == "activities.csv":
        return "strava"
    if "summarizedactivities" in low and low.endswith(".json"):
        return "garmin"
    return None


def parse_strava_csv(data: bytes, origin: str, index: ExportIndex, prefix: str = "") -> int:
    """Add the rows of a Strava ``activities.csv`` to ``index``; returns how many.

    ``prefix`` is the path of the folder holding the csv, ending in ``/``
    (``/exports/strava/`` or ``/exports/export.zip!/``): ``Filename`` is
    relative to it, and :meth:`ExportIndex.for_name` is asked with full paths.
    """
    text = data.decode("utf-8-sig", errors="replace")
    rows = csv.DictReader(io.StringIO(text))
    cols = {c.strip().lower(): c for c in (rows.fieldnames or [])}
    fcol, tcol, ncol = cols.get("filename"), cols.get("activity type"), cols.get("activity name")
    if fcol is None:
        raise ValueError("no 'Filename' column: not a Strava activities.csv")
    n = 0
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:  # one bad line (a field over the csv limit): skip it
            if len(index.skipped) < MAX_SKIPPED_NOTES:
                index.skipped.append(f"{origin} line {rows.line_num + 1} skipped ({exc})")
            continue
        fname = (row.get(fcol) or "").strip()
        if not fname:
            continue  # an activity without a file (entered by hand)
        sport = gpx_sport(row.get(tcol)) if tcol else None
        name = (row.get(ncol) or "").strip() or None if ncol else None
        key = (prefix + fname).replace("\\", "/").lower()
        index.by_name[key] = Hint(sport, name, None, origin)
        n += 1
    return n


def _garmin_sport(value) -> str | None:
    if isinstance(value, dict):
        value = value.get("typeKey") or value.get("type")
    if not isinstance(value, str) or not value:
        return None
    from .sports import sport_name

    return sport_name(value)  # one sport mapper for every format


#: Skipped rows or entries named one by one per scan (the rest are counted only by absence).
MAX_SKIPPED_NOTES = 20
_MS_1990, _MS_2100 = 631_152_000_000, 4_102_444_800_000


def _plausible_ms(v) -> bool:
    """A number of milliseconds since 1970 that is a date between 1990 and 2100."""
    return (
        isinstance(v, (int, float)) and not isinstance(v, bool) and _MS_1990 <= v < _MS_2100
    )


def parse_garmin_summaries(data: bytes, origin: str, index: ExportIndex) -> int:
    """Add the entries of a Garmin ``summarizedActivities`` json to ``index``."""
    try:
        doc = json.loads(data.decode("utf-8-sig", errors="replace"))
    except RecursionError:
        raise ValueError("JSON nested too deep to be an activity list") from None
    parts = doc if isinstance(doc, list) else [doc]
    entries = []
    for p in parts:
        if isinstance(p, dict) and "summarizedActivitiesExport" in p:
            entries.extend(p["summarizedActivitiesExport"] or [])
        elif isinstance(p, dict) and "activityId" in p:
            entries.append(p)
    n = 0
    for e in entries:
        if not isinstance(e, dict):
            continue
        gmt, local = e.get("startTimeGmt"), e.get("startTimeLocal")
        if not _plausible_ms(gmt):
            if gmt is not None and len(index.skipped) < MAX_SKIPPED_NOTES:
                index.skipped.append(f"{origin}: an entry with start time {gmt!r} skipped "
                                     "(not a date between 1990 and 2100)")
            continue
        offset = None
        if _plausible_ms(local):
            # Rounded to 15 min, as time zones are; real ones lie within +-14:00.
            offset = int(round((local - gmt) / 1000 / 900) * 900)
            if abs(offset) > 14 * 3600:
                offset = None
        index.starts.append(gmt / 1000.0)
        index.by_start.append(
            Hint(_garmin_sport(e.get("activityType")), e.get("name") or None, offset, origin)
        )
        n += 1
    return n
