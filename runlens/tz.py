"""A run's time zone from its coordinates, offline, for files that do not say.

GPX files (and some FIT files) carry UTC times only, so their day and week
would be UTC days, not the runner's. :func:`infer_utc_offset` looks the first
GPS fix up in the time-zone boundaries bundled with ``tzfpy`` (offline, no
network; imported only when a file needs it) and takes the zone's offset at
the run's start from the system's time-zone database (:mod:`zoneinfo`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .model import Activity

__all__ = ["TZ_FROM_COORDINATES", "zone_at", "infer_utc_offset"]

#: How a warning starts when the zone was taken from the coordinates (the
#: history reads it back to say which runs' zones were inferred).
TZ_FROM_COORDINATES = "time zone not in the file: taken from the run's coordinates"


def zone_at(lat_deg: float, lon_deg: float) -> str | None:
    """IANA zone name at a position, or ``None`` (no library, open sea, bad fix).

    >>> zone_at(52.52, 13.40)  # doctest: +SKIP
    'Europe/Berlin'
    """
    if not (np.isfinite(lat_deg) and np.isfinite(lon_deg)):
        return None
    try:
        import tzfpy
    except ImportError:  # optional at run time: the history then says UTC
        return None
    name = tzfpy.get_tz(float(lon_deg), float(lat_deg))
    return name or None


def infer_utc_offset(activity: Activity) -> tuple[int, str] | None:
    """UTC offset (s) at the start and the sentence saying where it came from.

    ``None`` when the file gives its offset already, or has no usable position.
    """
    if activity.utc_offset_s is not None or activity.start_ns is None:
        return None
    rec = activity.table
    if "lat_deg" not in rec or "lon_deg" not in rec:
        return None
    ok = np.flatnonzero(~np.isnan(rec["lat_deg"]) & ~np.isnan(rec["lon_deg"]))
    if ok.size == 0:
        return None
    i = int(ok[0])
    name = zone_at(float(rec["lat_deg"][i]), float(rec["lon_deg"][i]))
    if name is None:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        import datetime as dt

        when = dt.datetime.fromtimestamp(activity.start_ns // 1_000_000_000, tz=dt.timezone.utc)
        off = when.astimezone(ZoneInfo(name)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return None
    if off is None:
        return None
    sec = int(off.total_seconds())
    sign = "+" if sec >= 0 else "-"
    hh, mm = divmod(abs(sec) // 60, 60)
    return sec, f"{TZ_FROM_COORDINATES} ({name}, UTC{sign}{hh:02d}:{mm:02d} at the start)"
