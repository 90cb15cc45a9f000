"""What the file does not say: a sport, a name or a time zone from elsewhere.

Sources, in order of precedence: the user (``--sport``, a per-file override in
the store), the file itself, the export's own list (Strava's
``activities.csv``, Garmin's activity summaries, :mod:`runlens.io.exports`),
and last the samples (:func:`infer_sport`: a file without a sport whose
cadence is a running cadence is judged a run). Every change adds a line to
``Activity.warnings`` saying where it came from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..model import FOOT_SPORTS, Records
from ..units import median

if TYPE_CHECKING:
    from ..model import Activity

__all__ = [
    "apply_hints",
    "set_sport",
    "infer_sport",
    "RUN_CADENCE_SPM",
    "RUN_STRIDES_RANGE",
    "RUN_SPEED_RANGE",
]

#: A median moving step rate at or above this (steps/min) is a running cadence:
#: walking stays below ~130, running above ~150 (docs/evidence.md section 1).
RUN_CADENCE_SPM = 140.0
#: A FIT file without a sport stores cadence per minute as written: strides/min
#: in this range is a running cadence (and a pedalling one: the speed decides).
RUN_STRIDES_RANGE = (70.0, 105.0)
#: Median moving speed (m/s) a judged run must have: a cycling cadence looks
#: like a running one (85 rpm reads as 170 steps/min), so faster files, where
#: rides are (the corpus' rides without their <type>: 5.7 and 7.3 m/s), are
#: left unjudged; 5 m/s is a 3:20 min/km pace.
RUN_SPEED_RANGE = (1.5, 5.0)


def _moving_median(values) -> float | None:
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    return float(median(v)) if v.size else None


def _median_speed(activity: Activity) -> float | None:
    """Median moving speed (m/s, samples above 0.5 m/s), from the speed channel,
    else the distance channel, else positions (equirectangular, exact enough
    at the metres between two samples)."""
    rec = activity.table

    def present(col: str) -> bool:
        return col in rec and bool((~np.isnan(rec[col])).any())

    if present("speed_m_s"):
        v = np.asarray(rec["speed_m_s"], dtype=float)
    else:
        dt = np.diff(rec.t_s)
        if present("distance_m"):
            d = np.diff(rec["distance_m"])
        elif "lat_deg" in rec and "lon_deg" in rec:
            lat = np.radians(rec["lat_deg"])
            lon = np.radians(rec["lon_deg"])
            dx = np.diff(lon) * np.cos((lat[1:] + lat[:-1]) / 2) * 6_371_000.0
            d = np.hypot(dx, np.diff(lat) * 6_371_000.0)
        else:
            return None
        ok = (dt > 0) & (dt <= 10) & np.isfinite(d)
        v = d[ok] / dt[ok]
    v = v[np.isfinite(v) & (v > 0.5)]
    return float(median(v)) if v.size else None


def set_sport(activity: Activity, sport: str, origin: str) -> Activity:
    """Give ``activity`` the sport ``sport`` (in place), converting cadence to match.

    A cadence read as steps/min for an unknown sport (GPX, TCX) becomes pedal
    cadence when the sport is not on foot, and the reverse. Sessions and laps
    of a single-sport file get the sport too.
    """
    old = activity.sport
    if sport == old:
        return activity
    tab = activity.table
    cols = dict(tab.cols)  # a column renamed moves to the end, as a DataFrame's would
    foot = sport in FOOT_SPORTS
    conv = activity.cadence_convention
    if not foot and "cadence_spm" in cols:
        factor = 2.0 if conv.endswith("strides-doubled") else 1.0
        cols["cadence_rpm"] = cols.pop("cadence_spm") / factor
        activity.cadence_convention = "none"
    elif foot and "cadence_rpm" in cols and "cadence_spm" not in cols:
        rpm = cols.pop("cadence_rpm")
        med = _moving_median(rpm)
        doubled = med is not None and med < 120
        cols["cadence_spm"] = rpm * (2.0 if doubled else 1.0)
        fmt = activity.source.format
        activity.cadence_convention = f"{fmt}-strides-doubled" if doubled else f"{fmt}-steps"
    if cols.keys() != tab.cols.keys():
        activity.records = Records(tab.t_ns, cols)
    activity.sport = sport
    if len({s.sport for s in activity.sessions}) <= 1:
        for seg in (*activity.sessions, *activity.laps):
            seg.sport = sport
    activity.warnings.append(
        f"sport {sport!r} from {origin}" + (f" (the file says {old!r})" if old else "")
    )
    return activity


def infer_sport(activity: Activity) -> Activity:
    """Judge a file without a sport a run when its cadence is a running cadence.

    GPX and TCX (cadence already in steps/min): a median moving cadence of at
    least :data:`RUN_CADENCE_SPM`. FIT without a sport (a salvaged file whose
    session is lost): running dynamics recorded, or strides/min in
    :data:`RUN_STRIDES_RANGE`. Either way only at a median moving speed in
    :data:`RUN_SPEED_RANGE`.
    """
    if activity.sport is not None:
        return activity
    rec = activity.table
    why = None
    if "cadence_spm" in rec:
        med = _moving_median(rec["cadence_spm"])
        if med is not None and med >= RUN_CADENCE_SPM:
            why = f"median cadence {med:.0f} steps/min >= {RUN_CADENCE_SPM:.0f}"
    elif "cadence_rpm" in rec and activity.source.format == "fit":
        if any(c in rec for c in ("ground_contact_ms", "vertical_oscillation_mm")):
            why = "running dynamics recorded"
        else:
            med = _moving_median(rec["cadence_rpm"])
            lo, hi = RUN_STRIDES_RANGE
            if med is not None and lo <= med <= hi:
                why = f"median cadence {med:.0f} strides/min"
    if why is None:
        return activity
    speed = _median_speed(activity)
    lo, hi = RUN_SPEED_RANGE
    if speed is None or not lo <= speed <= hi:
        return activity  # a cadence that a ride has too, at no running speed
    why += f", median speed {speed:.1f} m/s"
    return set_sport(activity, "running", f"its samples ({why}); the file names no sport")


def apply_hints(
    activity: Activity,
    *,
    sport: str | None = None,
    name: str | None = None,
    utc_offset_s: int | None = None,
    origin: str = "",
    force_sport: bool = False,
) -> Activity:
    """Fill what the file lacks from ``origin`` (in place); ``force_sport`` overrides the file."""
    if sport and (force_sport or activity.sport is None):
        set_sport(activity, sport, origin)
    if utc_offset_s is not None and activity.utc_offset_s is None:
        activity.utc_offset_s = int(utc_offset_s)
        activity.warnings.append(f"time zone UTC{utc_offset_s / 3600:+g} h from {origin}")
    if name:
        activity.extra.setdefault("name", name)
    return activity
