"""The decoder-neutral form of a FIT file, and how it becomes an Activity.

Every FIT decoder runlens uses (fitparse, the reference; a fast native one)
fills a :class:`RawFit`; :func:`build_activity` then does all unit conversion
and assembly once, so that both decoders give the same Activity.

Conventions of a RawFit (what a decoder must deliver):

- ``records``: FIT profile field name -> float64 array, one entry per record
  message, NaN where the field is absent or invalid; scale and offset applied
  (evidence.md section 1); ``timestamp`` in Unix seconds (UTC);
  ``position_lat``/``position_long`` in degrees; only numeric scalar fields.
- ``developer``: developer field name (as declared in its field_description)
  -> float64 array aligned with ``records``; ``developer_units`` its unit.
- ``messages``: the other messages runlens uses (file_id, device_info,
  user_profile, event, lap, session, activity), each a list of dicts of field
  name -> value, scale applied, enums as their profile names (str), date_time
  fields as Unix seconds (float), ``local_timestamp`` as seconds since the
  FIT epoch shifted like a UTC timestamp (local wall clock as Unix seconds).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import numpy as np

from ..channels import zero_is_missing
from ..errors import NoRecordsError, NotAnActivityError
from ..model import (
    FOOT_SPORTS,
    SUMMARY_KEYS,
    Activity,
    Device,
    Pause,
    Profile,
    Records,
    Segment,
    Source,
    seconds_to_ns,
)
from ..units import format_duration, strides_to_steps

__all__ = [
    "RawFit",
    "build_activity",
    "NON_ACTIVITY_TYPES",
    "FIT_EPOCH_S",
    "describe_truncation",
]

#: Seconds from the Unix epoch to the FIT epoch (1989-12-31T00:00:00Z).
FIT_EPOCH_S = 631065600
#: A declared size above this is damage, not a recording: runlens reads nothing larger
#: (runlens.io.source.MAX_INPUT_BYTES), so no loss is estimated from it.
_MAX_DECLARED = 64 * 1024 * 1024
#: Longest recording a lost-time estimate may claim (s); a longer one is not printed.
_MAX_LOST_S = 48 * 3600

#: FIT file types that hold no activity (file_id.type).
NON_ACTIVITY_TYPES = frozenset(
    {
        "device",
        "settings",
        "sport",
        "workout",
        "course",
        "schedules",
        "weight",
        "totals",
        "goals",
        "blood_pressure",
        "monitoring_a",
        "activity_summary",
        "monitoring_daily",
        "monitoring_b",
        "segment",
        "segment_list",
        "exd_configuration",
        "mfg_range_min",
        "mfg_range_max",
    }
)


def _gb(n: int) -> str:
    """A byte count in GB or MB, for sizes far beyond any activity file."""
    return f"{n / 1e9:.1f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB"


def _clock(unix_s: float) -> str:
    return datetime.fromtimestamp(unix_s, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def describe_truncation(
    size: int,
    last_good: int,
    expected_end: int | None,
    data_start: int,
    first_ts: float | None,
    last_ts: float | None,
    head: str | None = None,
    file_size: int | None = None,
) -> str:
    """The salvage warning for a FIT file cut short, with the time lost when known.

    The lost duration is estimated from the rate at which the device wrote
    bytes up to the cut (bytes per second of recording), applied to the bytes
    the header declares but the file lacks. Shared by every FIT decoder.

    Parameters
    ----------
    size : int
        Bytes in the file as read.
    last_good : int
        Offset (bytes) just after the last message decoded whole.
    expected_end : int or None
        Offset (bytes) where the header says the data (plus CRC) should end;
        None when the header does not say (data size 0).
    data_start : int
        Offset (bytes) of the first data message of this FIT file.
    first_ts, last_ts : float or None
        Unix seconds of the first and last decoded timestamps.
    head : str, optional
        What happened at ``size`` (default ``"truncated at byte SIZE"``).
    file_size : int, optional
        Bytes in the whole file (default ``size``), set against a declared size
        that no activity file has.

    Returns
    -------
    str

    Examples
    --------
    >>> describe_truncation(768, 724, 771, 12, 1000.0, 1060.0)
    'truncated at byte 768 (the header declares 771): the last 47 bytes are unreadable, records end at 1970-01-01 00:17:40 UTC, about 0:04 of recording lost (estimated from 11.9 bytes/s written before the cut)'
    """
    if head is None:
        whole = expected_end is not None and expected_end <= size
        head = f"damaged end at byte {size}" if whole else f"truncated at byte {size}"
    msg = head
    if expected_end is not None and expected_end > _MAX_DECLARED:
        # A header declaring gigabytes is damaged itself: no loss can be estimated from it.
        real = size if file_size is None else file_size
        msg += (
            f" (the header declares {expected_end:,} bytes ({_gb(expected_end)}), but the file "
            f"holds {real:,} bytes: the declared size is damaged): the bytes after byte "
            f"{last_good} are unreadable"
        )
        if last_ts is not None:
            msg += f", records end at {_clock(last_ts)}"
        return msg
    if expected_end is not None and expected_end > size:
        lost = expected_end - last_good
        msg += f" (the header declares {expected_end}): the last {lost} bytes are unreadable"
    elif expected_end is not None:
        # The file has its declared size but the last message claims more bytes.
        lost = max(0, min(size, expected_end) - last_good)
        msg += (
            f": the message at byte {last_good} runs past the end of the data ({lost} bytes lost)"
        )
    else:
        lost = None
        msg += f": the bytes after byte {last_good} are unreadable"
    if last_ts is not None:
        msg += f", records end at {_clock(last_ts)}"
        if lost is not None and first_ts is not None and last_ts > first_ts:
            rate = (last_good - data_start) / (last_ts - first_ts)
            if rate > 0 and lost / rate <= _MAX_LOST_S:
                msg += (
                    f", about {format_duration(lost / rate)} of recording lost (estimated from "
                    f"{rate:.1f} bytes/s written before the cut)"
                )
        elif lost is None:
            msg += "; how much recording is lost is unknown (the header does not declare a size)"
    return msg


@dataclass
class RawFit:
    """Decoded FIT content before canonicalisation (see module docstring)."""

    records: dict[str, np.ndarray]
    messages: dict[str, list[dict[str, Any]]]
    developer: dict[str, np.ndarray] = field(default_factory=dict)
    developer_units: dict[str, str | None] = field(default_factory=dict)
    n_headers: int = 1
    warnings: list[str] = field(default_factory=list)
    reader: str = "fitparse"


# FIT record field -> canonical column (no scale here: the decoder applied it).
_RECORD_MAP = {
    "distance": "distance_m",
    "heart_rate": "heart_rate_bpm",
    "vertical_oscillation": "vertical_oscillation_mm",
    "vertical_ratio": "vertical_ratio_pct",
    "stance_time": "ground_contact_ms",
    "stance_time_percent": "ground_contact_pct",
    "stance_time_balance": "gct_balance_left_pct",
    "power": "power_w",
    "temperature": "temperature_c",
    "position_lat": "lat_deg",
    "position_long": "lon_deg",
}


def _num(v: Any) -> float | None:
    """A finite float, or None (FIT invalids arrive as None or NaN)."""
    if v is None or isinstance(v, (str, bytes, tuple, list)):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if np.isfinite(f) else None


def _first(msg: dict[str, Any], *names: str) -> Any:
    for n in names:
        v = msg.get(n)
        if v is not None:
            return v
    return None


def _ts(seconds: float | None) -> int | None:
    """Unix seconds as UTC nanoseconds, rounded as pandas converts them."""
    return None if seconds is None else int(seconds_to_ns(np.array([float(seconds)]))[0])


def _summary_from_fit(msg: dict[str, Any], foot: bool) -> dict[str, float | None]:
    """A FIT session or lap message as :data:`SUMMARY_KEYS` in canonical units."""
    cad = _num(_first(msg, "avg_running_cadence", "avg_cadence"))
    frac = _num(msg.get("avg_fractional_cadence")) or 0.0
    step = _num(msg.get("avg_step_length"))
    out = {
        "distance_m": _num(msg.get("total_distance")),
        "elapsed_s": _num(msg.get("total_elapsed_time")),
        "timer_s": _num(msg.get("total_timer_time")),
        "moving_s": _num(msg.get("total_moving_time")),
        "avg_speed_m_s": _num(_first(msg, "enhanced_avg_speed", "avg_speed")),
        "cadence_spm": (2.0 * (cad + frac)) if (cad is not None and foot) else None,
        "step_length_m": step / 1000.0 if step is not None else None,
        "vertical_oscillation_mm": _num(msg.get("avg_vertical_oscillation")),
        "vertical_ratio_pct": _num(msg.get("avg_vertical_ratio")),
        "ground_contact_ms": _num(msg.get("avg_stance_time")),
        "gct_balance_left_pct": _num(msg.get("avg_stance_time_balance")),
        "heart_rate_bpm": _num(msg.get("avg_heart_rate")),
        "ascent_m": _num(msg.get("total_ascent")),
    }
    # A summary average of exactly 0 for a dynamics field means "not measured".
    for k in zero_is_missing() & out.keys():
        if out[k] == 0:
            out[k] = None
    return out


def combine_summaries(parts: list[dict[str, float | None]]) -> dict[str, float | None]:
    """Combine several sessions' summaries: totals add, averages weight by timer time."""
    if not parts:
        return {k: None for k in SUMMARY_KEYS}
    if len(parts) == 1:
        return dict(parts[0])
    out: dict[str, float | None] = {}
    for k in ("distance_m", "elapsed_s", "timer_s", "moving_s", "ascent_m"):
        vals = [p[k] for p in parts if p.get(k) is not None]
        out[k] = float(sum(vals)) if vals else None
    w = [p.get("timer_s") or 0.0 for p in parts]
    for k in SUMMARY_KEYS:
        if k in out:
            continue
        pairs = [(p[k], wi) for p, wi in zip(parts, w) if p.get(k) is not None and wi > 0]
        tot = sum(wi for _, wi in pairs)
        out[k] = sum(v * wi for v, wi in pairs) / tot if tot > 0 else None
    if out.get("distance_m") and out.get("timer_s"):
        out["avg_speed_m_s"] = out["distance_m"] / out["timer_s"]
    return {k: out.get(k) for k in SUMMARY_KEYS}


def _segments(msgs: list[dict[str, Any]], default_sport: str | None) -> list[Segment]:
    segs = []
    for m in msgs:
        end = _num(m.get("timestamp"))
        start = _num(m.get("start_time"))
        elapsed = _num(m.get("total_elapsed_time"))
        if start is None and end is not None and elapsed is not None:
            start = end - elapsed
        if start is not None and elapsed is not None:
            # A summary written first (e.g. FR255 "summary first" files) carries
            # its write time, not the end: start + elapsed is the end.
            end = start + elapsed if end is None else max(end, start + elapsed)
        if start is None or end is None:
            continue
        sport = m.get("sport") if isinstance(m.get("sport"), str) else default_sport
        sub = m.get("sub_sport") if isinstance(m.get("sub_sport"), str) else None
        segs.append(
            Segment(sport, sub, _ts(start), _ts(end), _summary_from_fit(m, sport in FOOT_SPORTS))
        )
    segs.sort(key=lambda s: s.start_ns)
    return segs


def _pool_lengths(msgs: list[dict[str, Any]]) -> list[tuple[float, float, float]]:
    """A pool swim's active lengths as (start, end, swimming time), Unix seconds and s.

    The FIT ``length`` message (one per pool length; ``length_type`` active or idle,
    idle being the rests at the wall) carries ``total_timer_time`` and
    ``total_elapsed_time``: the swimming time is the active lengths' timer time
    (their elapsed time where the timer time is missing).
    """
    out = []
    for m in msgs:
        if m.get("length_type") not in ("active", 1):
            continue
        t = _num(m.get("total_timer_time"))
        if t is None:
            t = _num(m.get("total_elapsed_time"))
        start = _num(m.get("start_time"))
        end = _num(m.get("timestamp"))
        if t is None or t < 0 or (start is None and end is None):
            continue
        start = end - t if start is None else start
        out.append((start, start + t if end is None else max(end, start), t))
    return out


def _pauses(events: list[dict[str, Any]]) -> list[Pause]:
    """Timer stop -> next timer start, from FIT event messages (event=timer)."""
    pauses = []
    stopped_at = None
    for e in sorted(events, key=lambda e: _num(e.get("timestamp")) or 0.0):
        if e.get("event") != "timer":
            continue
        t = _num(e.get("timestamp"))
        if t is None:
            continue
        kind = e.get("event_type")
        if kind in ("stop", "stop_all", "stop_disable", "stop_disable_all"):
            if stopped_at is None:
                stopped_at = t
        elif kind == "start" and stopped_at is not None:
            if t > stopped_at:
                pauses.append(Pause(_ts(stopped_at), _ts(t)))
            stopped_at = None
    return pauses


def _profile_name(type_name: str, value: Any) -> Any:
    """Name a numeric FIT enum with the newer profile fitdecode ships.

    fitparse's profile (2020) does not know recent devices (a Forerunner 255 is
    product 3992 there); fitdecode's profile does.
    """
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, int):
        return value
    try:
        from fitdecode.profile import FIELD_TYPES
    except ImportError:  # pragma: no cover - fitdecode is a dependency
        return value
    ft = FIELD_TYPES.get(type_name)
    return ft.enum.get(value, value) if ft is not None and ft.enum else value


_GARMIN_MAKERS = ("garmin", "dynastream", "dynastream_oem", "tacx")


def _device(messages: dict[str, list[dict[str, Any]]]) -> Device:
    fid = (messages.get("file_id") or [{}])[0]
    manufacturer = fid.get("manufacturer")
    product = _first(fid, "garmin_product", "product", "favero_product")
    serial = fid.get("serial_number")
    software = None
    for d in messages.get("device_info", []):
        if d.get("device_index") in ("creator", 0):
            software = _num(d.get("software_version"))
            if manufacturer is None:
                manufacturer = d.get("manufacturer")
            if product is None:
                product = _first(d, "garmin_product", "product")
            break
    manufacturer = _profile_name("manufacturer", manufacturer)
    if manufacturer in _GARMIN_MAKERS:
        product = _profile_name("garmin_product", product)
    return Device(
        manufacturer=str(manufacturer) if manufacturer is not None else None,
        product=str(product) if product is not None else None,
        serial_number=int(serial) if _num(serial) is not None else None,
        software_version=software,
    )


def _profile(messages: dict[str, list[dict[str, Any]]]) -> Profile:
    up = (messages.get("user_profile") or [{}])[0]
    height = _num(up.get("height"))
    weight = _num(up.get("weight"))
    gender = up.get("gender")
    return Profile(
        height_m=height if height else None,
        weight_kg=weight if weight else None,
        sex=gender if gender in ("male", "female") else None,
        resting_hr_bpm=_num(up.get("resting_heart_rate")) or None,
        max_hr_bpm=_num(up.get("default_max_heart_rate")) or None,
    )


def _utc_offset(messages: dict[str, list[dict[str, Any]]]) -> int | None:
    for a in messages.get("activity", []):
        local, utc = _num(a.get("local_timestamp")), _num(a.get("timestamp"))
        if local is not None and utc is not None:
            off = local - utc
            if abs(off) <= 14 * 3600:
                return int(round(off / 900.0) * 900)  # offsets are whole quarter hours
    return None


def build_activity(raw: RawFit, name: str, sha256: str, size: int, compressed: bool) -> Activity:
    """Assemble an :class:`~runlens.model.Activity` from a :class:`RawFit`.

    Raises
    ------
    NotAnActivityError
        The file_id says settings, monitoring, workout, ... (not an activity).
    NoRecordsError
        An activity file without a single timestamped record.
    """
    from .bounds import cap_messages

    messages = raw.messages
    cap_messages(messages, raw.warnings)  # at most MAX_MESSAGES sessions and laps
    fid = (messages.get("file_id") or [{}])[0]
    ftype = fid.get("type")
    if isinstance(ftype, str) and ftype in NON_ACTIVITY_TYPES:
        raise NotAnActivityError(f"a FIT '{ftype}' file, not an activity", path=name)

    rec = raw.records
    ts = np.asarray(rec.get("timestamp", np.empty(0)), dtype=float)
    keep = np.isfinite(ts)
    if not keep.any():
        what = f"FIT '{ftype}' file" if isinstance(ftype, str) else "FIT file"
        if isinstance(ftype, str) and ftype != "activity":
            raise NotAnActivityError(f"a {what}, not an activity", path=name)
        raise NoRecordsError(f"{what} with no timestamped records", path=name)

    sessions = _segments(messages.get("session", []), None)
    laps = _segments(messages.get("lap", []), None)
    # Main sport: the first running session, else the first session, else the sport message.
    sport = sub_sport = None
    main = next((s for s in sessions if s.sport == "running"), sessions[0] if sessions else None)
    if main is not None:
        sport, sub_sport = main.sport, main.sub_sport
    else:
        sm = (messages.get("sport") or [{}])[0]
        sport = sm.get("sport") if isinstance(sm.get("sport"), str) else None
        sub_sport = sm.get("sub_sport") if isinstance(sm.get("sub_sport"), str) else None

    # Records stay in file order: validate() (the last step of every read) drops
    # garbled times first, then puts the rest in time order with a warning.
    keep_idx = np.flatnonzero(keep)
    index = seconds_to_ns(ts[keep_idx])

    def col(*names: str):
        for n in names:
            a = rec.get(n)
            if a is not None and np.isfinite(a[keep_idx]).any():
                return np.asarray(a, dtype=float)[keep_idx]
        return None

    cols: dict[str, np.ndarray] = {}
    for src, dst in _RECORD_MAP.items():
        a = col(src)
        if a is not None:
            cols[dst] = a
    for dst, srcs in (
        ("speed_m_s", ("enhanced_speed", "speed")),
        ("altitude_m", ("enhanced_altitude", "altitude")),
        ("respiration_rate_brpm", ("enhanced_respiration_rate", "respiration_rate")),
    ):
        a = col(*srcs)
        if a is not None:
            cols[dst] = a
    step = col("step_length")
    if step is not None:
        cols["step_length_m"] = step / 1000.0

    # Cadence: strides/min for foot sports -> steps/min; per record, by session sport.
    cad = col("cadence")
    convention = "none"
    if cad is not None:
        frac = col("fractional_cadence")
        if len(sessions) > 1:
            foot = np.zeros(len(index), dtype=bool)
            for s in sessions:
                if s.sport in FOOT_SPORTS:
                    foot |= (index >= s.start_ns) & (index <= s.end_ns)
        else:
            foot = np.full(len(index), sport in FOOT_SPORTS)
        if foot.any():
            cols["cadence_spm"] = np.where(foot, strides_to_steps(cad, frac), np.nan)
            convention = "fit-strides-doubled"
        if (~foot).any():
            rpm = cad if frac is None else cad + np.nan_to_num(frac)
            cols["cadence_rpm"] = np.where(~foot, rpm, np.nan)

    # Running power from a foot pod's developer field (Stryd writes "Power", W) when the
    # record has none: matched by name, ignoring case (docs/evidence.md section 1).
    power_from = None
    if "power_w" not in cols:
        for k, v in raw.developer.items():
            unit = (raw.developer_units.get(k) or "w").strip().lower()
            a = np.asarray(v, dtype=float)[keep_idx]
            named = k.strip().lower() == "power" and unit in ("w", "watt", "watts")
            if named and np.isfinite(a).any():
                cols["power_w"], power_from = a, k
                break

    records = Records(index, cols)
    developer = Records(
        index, {k: np.asarray(v, dtype=float)[keep_idx] for k, v in raw.developer.items()}
    )

    running = [s for s in sessions if s.sport == "running"]
    device_summary = combine_summaries([s.device_summary for s in (running or sessions)])
    start = sessions[0].start_ns if sessions else int(index[0])

    lengths = _pool_lengths(messages.get("length", []))
    return Activity(
        records=records,
        source=Source(name, "fit", sha256, size, compressed, raw.reader),
        sport=sport,
        sub_sport=sub_sport,
        start=start,
        utc_offset_s=_utc_offset(messages),
        device=_device(messages),
        profile=_profile(messages),
        sessions=sessions,
        laps=laps,
        pauses=_pauses(messages.get("event", [])),
        device_summary=device_summary,
        developer=developer,
        developer_units=dict(raw.developer_units),
        cadence_convention=convention,
        warnings=list(raw.warnings),
        extra={"fit_headers": raw.n_headers, "file_type": ftype}
        | ({"power_from_developer_field": power_from} if power_from else {})
        | ({"pool_lengths": lengths} if lengths else {}),
    )
