"""GPX through gpxpy, with the Garmin TrackPointExtension (v1: hr, cad, atemp;
v2 adds speed, course) under any namespace prefix, and the plain ``<power>``
extension Strava writes.

GPX cadence (``cad``) is strides per minute when its median is below 120 and is
then doubled to steps per minute; otherwise it is taken as steps per minute.
The convention assumed is recorded on the Activity (evidence.md section 1).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import CorruptFileError, NoRecordsError, NotAnActivityError
from ..model import FOOT_SPORTS, SUMMARY_KEYS, Activity, Source
from .xmlsafe import check_xml

__all__ = ["decode_gpx", "gpx_sport", "STRAVA_TYPES"]

#: Numeric <type> codes written by Strava's GPX export.
STRAVA_TYPES = {"1": "cycling", "4": "hiking", "9": "running", "10": "walking", "16": "swimming"}

# Extension element local name -> internal channel.
_EXT = {
    "hr": "hr",
    "heartrate": "hr",
    "heart_rate": "hr",
    "cad": "cad",
    "cadence": "cad",
    "runcadence": "cad",
    "atemp": "temp",
    "temp": "temp",
    "temperature": "temp",
    "speed": "speed",
    "power": "power",
    "watts": "power",
}


def gpx_sport(text: str | None) -> str | None:
    """Map a GPX ``<type>`` to a FIT-style sport name (None if unknown).

    >>> gpx_sport("Running"), gpx_sport("9"), gpx_sport("Road cycling")
    ('running', 'running', 'cycling')
    """
    if not text:
        return None
    t = text.strip().lower()
    if t in STRAVA_TYPES:
        return STRAVA_TYPES[t]
    for key, sport in (
        ("run", "running"),
        ("jog", "running"),
        ("walk", "walking"),
        ("hik", "hiking"),
        ("ride", "cycling"),
        ("cycl", "cycling"),
        ("bik", "cycling"),
        ("swim", "swimming"),
    ):
        if key in t:
            return sport
    return t


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def _ext_values(exts: list[Any]) -> dict[str, float]:
    out: dict[str, float] = {}
    for ext in exts:
        for el in ext.iter():
            key = _EXT.get(_local(el.tag))
            if key is None or key in out or el.text is None:
                continue
            try:
                out[key] = float(el.text)
            except ValueError:
                pass
    return out


def decode_gpx(data: bytes, name: str, sha256: str, compressed: bool) -> Activity:
    """Decode GPX bytes into an Activity.

    Raises
    ------
    CorruptFileError
        Not well-formed XML, or not parseable as GPX.
    NotAnActivityError
        Only routes or waypoints, no track.
    NoRecordsError
        Tracks without any timestamped point.
    """
    import gpxpy
    import gpxpy.gpx
    import pandas as pd

    check_xml(data, name)
    try:
        g = gpxpy.parse(data.decode("utf-8-sig", errors="replace"))
    except gpxpy.gpx.GPXException as exc:
        raise CorruptFileError(
            f"not a valid GPX file ({str(exc).splitlines()[0]})", path=name
        ) from None
    except Exception as exc:  # noqa: BLE001 - the XML layer raises many kinds
        raise CorruptFileError(
            f"not a valid GPX file ({type(exc).__name__}: {exc})", path=name
        ) from None

    times: list[float] = []
    lat: list[float] = []
    lon: list[float] = []
    ele: list[float] = []
    ext: dict[str, list[float]] = {k: [] for k in ("hr", "cad", "temp", "speed", "power")}
    n_points = 0
    sport_text = None
    for trk in g.tracks:
        sport_text = sport_text or trk.type
        for seg in trk.segments:
            for p in seg.points:
                n_points += 1
                if p.time is None:
                    continue
                times.append(p.time.timestamp())
                lat.append(p.latitude if p.latitude is not None else np.nan)
                lon.append(p.longitude if p.longitude is not None else np.nan)
                ele.append(p.elevation if p.elevation is not None else np.nan)
                ev = _ext_values(p.extensions) if p.extensions else {}
                for k, lst in ext.items():
                    lst.append(ev.get(k, np.nan))

    if n_points == 0:
        if g.routes or g.waypoints:
            raise NotAnActivityError(
                "a GPX route or waypoint list, not a recorded track", path=name
            )
        raise NoRecordsError("GPX file with no track points", path=name)
    if not times:
        raise NoRecordsError(f"GPX track of {n_points} points without any timestamps", path=name)

    warnings = []
    if len(times) < n_points:
        warnings.append(
            f"{n_points - len(times)} of {n_points} track points have no time and were dropped"
        )
    t = np.asarray(times)
    order = np.argsort(t, kind="stable")
    if (np.diff(t) < 0).any():
        warnings.append("track point times go backwards; points were put in time order")
    index = pd.DatetimeIndex(pd.to_datetime(t[order], unit="s", utc=True), name="timestamp")

    sport = gpx_sport(sport_text)
    cols: dict[str, np.ndarray] = {}

    def put(key: str, values: list[float]) -> None:
        a = np.asarray(values, dtype=float)[order]
        if np.isfinite(a).any():
            cols[key] = a

    put("lat_deg", lat)
    put("lon_deg", lon)
    put("altitude_m", ele)
    put("heart_rate_bpm", ext["hr"])
    put("speed_m_s", ext["speed"])
    put("power_w", ext["power"])
    put("temperature_c", ext["temp"])
    convention = "none"
    cad = np.asarray(ext["cad"], dtype=float)[order]
    if np.isfinite(cad).any():
        if sport is None or sport in FOOT_SPORTS:
            moving = cad[np.isfinite(cad) & (cad > 0)]
            med = float(np.median(moving)) if moving.size else 0.0
            if med < 120:
                cols["cadence_spm"] = 2.0 * cad
                convention = "gpx-strides-doubled"
            else:
                cols["cadence_spm"] = cad
                convention = "gpx-steps"
        else:
            cols["cadence_rpm"] = cad

    records = pd.DataFrame(cols, index=index)
    return Activity(
        records=records,
        source=Source(name, "gpx", sha256, len(data), compressed, "gpxpy"),
        sport=sport,
        sub_sport=None,
        start=index[0],
        developer=pd.DataFrame(index=index),
        device_summary={k: None for k in SUMMARY_KEYS},
        cadence_convention=convention,
        warnings=warnings,
        extra={"creator": g.creator, "gpx_type": sport_text},
    )
