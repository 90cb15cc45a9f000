"""The activity model every part of runlens reads: one run (or multisport
activity) as a table of samples plus what the device said about it.

Columns are canonical and carry their unit in their name; docs/data-model.md
lists them (style.md habit 1). Readers in :mod:`runlens.io` build these objects
and do all unit conversion; the model itself does no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .channels import record_columns

if TYPE_CHECKING:  # pandas is imported by the readers that build the frame
    import pandas as pd

__all__ = [
    "RECORD_COLUMNS",
    "SUMMARY_KEYS",
    "FOOT_SPORTS",
    "Device",
    "Profile",
    "Segment",
    "Pause",
    "Source",
    "Activity",
    "Records",
    "to_ns",
    "seconds_to_ns",
    "ns_to_timestamp",
    "ns_isoformat",
    "replace",
]

#: Canonical record columns: name -> (unit, meaning). evidence.md section 1. Derived from
#: the channel registry (runlens.channels), where a new channel is described.
RECORD_COLUMNS: dict[str, tuple[str, str]] = record_columns()

#: Keys of an activity summary, ours and the device's alike (docs/json.md).
SUMMARY_KEYS: tuple[str, ...] = (
    "distance_m",
    "elapsed_s",
    "timer_s",
    "moving_s",
    "avg_speed_m_s",
    "cadence_spm",
    "step_length_m",
    "vertical_oscillation_mm",
    "vertical_ratio_pct",
    "ground_contact_ms",
    "gct_balance_left_pct",
    "heart_rate_bpm",
    "ascent_m",
)

#: Sports whose cadence counts steps (on foot), so that FIT/GPX strides/min is doubled.
FOOT_SPORTS = frozenset({"running", "walking", "hiking", "mountaineering", "rucking"})


def to_ns(t: Any) -> int | None:
    """A UTC instant as integer nanoseconds since 1970: from a pandas Timestamp,
    a datetime (naive means UTC), a numpy datetime64, or nanoseconds already."""
    if t is None:
        return None
    if isinstance(t, (int, np.integer)):
        return int(t)
    v = getattr(t, "value", None)  # pandas Timestamp: nanoseconds, whatever its unit
    if isinstance(v, (int, np.integer)) and hasattr(t, "tz_localize"):
        return int(v)
    if isinstance(t, np.datetime64):
        return int(t.astype("datetime64[ns]").astype(np.int64))
    import datetime as _dt

    if isinstance(t, _dt.datetime):
        if t.tzinfo is None:
            t = t.replace(tzinfo=_dt.timezone.utc)
        delta = t - _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
        return (delta.days * 86400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000
    raise TypeError(f"not a time: {t!r}")


def seconds_to_ns(seconds) -> np.ndarray:
    """Unix seconds (float array) as int64 UTC nanoseconds, rounded as pandas'
    ``to_datetime(..., unit="s")`` rounds them (whole seconds, then the fraction to 9 places)."""
    a = np.asarray(seconds, dtype=float)
    base = a.astype(np.int64)
    frac = np.round(a - base, 9)
    return base * 1_000_000_000 + (frac * 1e9).astype(np.int64)


def ns_to_timestamp(ns: int | None):
    """Nanoseconds since 1970 as a tz-aware UTC pandas Timestamp (imports pandas)."""
    if ns is None:
        return None
    import pandas as pd

    return pd.Timestamp(int(ns), tz="UTC")


def ns_isoformat(ns: int) -> str:
    """ISO 8601 UTC text of an instant (``+00:00``), as ``pandas.Timestamp.isoformat``
    writes it, without pandas."""
    import datetime as _dt

    sec, rem = divmod(int(ns), 1_000_000_000)
    d = _dt.datetime(1970, 1, 1) + _dt.timedelta(seconds=sec, microseconds=rem // 1000)
    if rem % 1000:
        text = d.strftime("%Y-%m-%dT%H:%M:%S") + f".{rem:09d}"
    else:
        text = d.isoformat()
    return text + "+00:00"


def _time_property(name: str, doc: str) -> property:
    """A dataclass field held as nanoseconds (``<name>_ns``) and read as a pandas
    Timestamp: code that needs no pandas reads ``<name>_ns``; the Timestamp is
    built (and pandas imported) only when ``<name>`` itself is read."""
    ns_attr, ts_attr = f"{name}_ns", f"_{name}_ts"

    def get(self):
        ts = self.__dict__.get(ts_attr)
        if ts is None:
            ns = self.__dict__.get(ns_attr)
            if ns is None:
                return None
            ts = ns_to_timestamp(ns)
            self.__dict__[ts_attr] = ts
        return ts

    def set_(self, value) -> None:
        self.__dict__[ns_attr] = to_ns(value)
        ts = value if hasattr(value, "tz_localize") and getattr(value, "tz", None) is not None else None
        self.__dict__[ts_attr] = ts

    return property(get, set_, doc=doc)


class Records:
    """An activity's samples as NumPy arrays: what the single-file path reads.

    ``t_ns`` holds each sample's UTC time in integer nanoseconds (int64),
    ``cols`` one float64 array per column. ``records[name]`` is a column,
    ``name in records``, ``len(records)``, ``records.columns``; :meth:`take`
    selects rows; :meth:`to_frame` gives the DataFrame with a UTC
    ``DatetimeIndex`` named ``timestamp`` (pandas imported there only).
    """

    __slots__ = ("t_ns", "cols", "_t_s")

    def __init__(self, t_ns, cols: dict[str, np.ndarray] | None = None) -> None:
        self.t_ns = np.asarray(t_ns, dtype=np.int64)
        self.cols = {k: np.asarray(v, dtype=float) for k, v in (cols or {}).items()}
        self._t_s = None

    @classmethod
    def from_frame(cls, frame) -> Records:
        """The columns and times of a DataFrame indexed by time (any unit, UTC or naive)."""
        idx = frame.index
        if len(idx) == 0:
            t = np.empty(0, dtype=np.int64)
        else:
            if getattr(idx, "tz", None) is not None:
                idx = idx.tz_convert(None)
            t = np.asarray(idx.values.astype("datetime64[ns]").astype(np.int64))
        return cls(t, {str(c): frame[c].to_numpy(dtype=float, na_value=np.nan) for c in frame.columns})

    @property
    def t_s(self) -> np.ndarray:
        """Unix seconds, float64 (read-only, computed once)."""
        if self._t_s is None:
            t = self.t_ns / 1e9
            t.flags.writeable = False
            self._t_s = t
        return self._t_s

    def __getitem__(self, name: str) -> np.ndarray:
        return self.cols[name]

    def __contains__(self, name: object) -> bool:
        return name in self.cols

    def __len__(self) -> int:
        return len(self.t_ns)

    @property
    def columns(self) -> list[str]:
        return list(self.cols)

    def take(self, rows) -> Records:
        """The rows a boolean mask, index array or slice selects (new arrays)."""
        return Records(self.t_ns[rows], {k: v[rows] for k, v in self.cols.items()})

    def reindex(self, t_ns) -> Records:
        """These columns at the times ``t_ns``: each time's first row here, NaN
        where there is none (as pandas' ``reindex`` after dropping repeated times)."""
        t_ns = np.asarray(t_ns, dtype=np.int64)
        times, first = np.unique(self.t_ns, return_index=True)
        if len(times) == 0:
            return Records(t_ns, {k: np.full(len(t_ns), np.nan) for k in self.cols})
        pos = np.clip(np.searchsorted(times, t_ns), 0, len(times) - 1)
        hit = times[pos] == t_ns
        rows = first[pos]
        return Records(t_ns, {k: np.where(hit, v[rows], np.nan) for k, v in self.cols.items()})

    def index_frame(self):
        """The UTC ``DatetimeIndex`` named ``timestamp`` of these times (imports pandas)."""
        import pandas as pd

        return pd.DatetimeIndex(pd.to_datetime(self.t_ns, unit="ns", utc=True), name="timestamp")

    def to_frame(self):
        """A DataFrame of these columns on a UTC ``DatetimeIndex`` named ``timestamp``."""
        import pandas as pd

        return pd.DataFrame(dict(self.cols), index=self.index_frame())


@dataclass
class Device:
    """The recording device (FIT file_id and the creator's device_info)."""

    manufacturer: str | None = None
    product: str | None = None
    serial_number: int | None = None
    software_version: float | None = None

    @property
    def name(self) -> str | None:
        """``"manufacturer product"`` or whichever of the two is known."""
        parts = [str(p) for p in (self.manufacturer, self.product) if p not in (None, "")]
        return " ".join(parts) or None


@dataclass
class Profile:
    """The runner as the file describes them (FIT user_profile)."""

    height_m: float | None = None
    weight_kg: float | None = None
    sex: str | None = None
    resting_hr_bpm: float | None = None
    max_hr_bpm: float | None = None


@dataclass
class Segment:
    """A session or lap: its sport, UTC time span and the device's own summary.

    ``start`` and ``end`` may be given as pandas Timestamps, datetimes or UTC
    nanoseconds; they are held as nanoseconds (``start_ns``, ``end_ns``) and read
    back as Timestamps. ``device_summary`` uses :data:`SUMMARY_KEYS` in canonical
    units; keys the device did not write are ``None``.
    """

    sport: str | None
    sub_sport: str | None
    start: pd.Timestamp
    end: pd.Timestamp
    device_summary: dict[str, float | None] = field(default_factory=dict)


@dataclass
class Pause:
    """The timer stopped at ``start`` and started again at ``end`` (UTC)."""

    start: pd.Timestamp
    end: pd.Timestamp

    @property
    def duration_s(self) -> float:
        return (self.end_ns - self.start_ns) / 1e9


@dataclass
class Source:
    """Where an activity came from.

    Attributes
    ----------
    path : str
        The path as given, or ``"<bytes>"`` / ``"<stream>"``.
    format : str
        ``"fit"`` or ``"gpx"``.
    sha256 : str
        Hash of the decompressed content (the same activity as .fit and .fit.gz
        hashes alike).
    size_bytes : int
        Decompressed size in bytes.
    compressed : bool
        Whether the source was gzip.
    reader : str
        Which decoder read it (e.g. ``"fitparse"``, ``"gpxpy"``).
    """

    path: str
    format: str
    sha256: str
    size_bytes: int
    compressed: bool = False
    reader: str = ""


@dataclass
class Activity:
    """One recorded activity.

    Attributes
    ----------
    records : pandas.DataFrame
        One row per sample, a tz-aware UTC ``DatetimeIndex`` named
        ``timestamp``, columns from :data:`RECORD_COLUMNS` (only those the file
        has), float64 with NaN for missing values, never sentinels.
    source : Source
    sport, sub_sport : str or None
        The main sport: the first running session's, else the first session's.
    start : pandas.Timestamp
        UTC start (first session start, else first record).
    utc_offset_s : int or None
        Local time minus UTC, seconds, when the file says (FIT
        activity.local_timestamp); used for the runner's local week.
    device : Device
    profile : Profile
    sessions, laps : list of Segment
    pauses : list of Pause
        Timer stops (FIT event=timer); GPX has none.
    device_summary : dict
        The device's own totals and averages in :data:`SUMMARY_KEYS` (running
        sessions combined), ``None`` where it wrote none.
    developer : pandas.DataFrame
        Developer fields (e.g. a foot pod's "FootStrike Type"), same index as
        ``records``, columns with their declared names.
    developer_units : dict
        Declared unit of each developer column (``None`` if undeclared).
    cadence_convention : str
        How cadence became steps/min: ``"fit-strides-doubled"``,
        ``"gpx-strides-doubled"``, ``"gpx-steps"``, or ``"none"``.
    warnings : list of str
        What the reader had to salvage or assume.
    """

    records: pd.DataFrame
    source: Source
    sport: str | None = None
    sub_sport: str | None = None
    start: pd.Timestamp | None = None
    utc_offset_s: int | None = None
    device: Device = field(default_factory=Device)
    profile: Profile = field(default_factory=Profile)
    sessions: list[Segment] = field(default_factory=list)
    laps: list[Segment] = field(default_factory=list)
    pauses: list[Pause] = field(default_factory=list)
    device_summary: dict[str, float | None] = field(default_factory=dict)
    developer: pd.DataFrame | None = None
    developer_units: dict[str, str | None] = field(default_factory=dict)
    cadence_convention: str = "none"
    warnings: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        """One line: sport, local start, elapsed time, distance, records, device.

        The dataclass repr would print every sample (thousands of lines).
        """
        from .units import format_duration

        rec = self.table
        when = "start unknown"
        if self.local_start is not None:
            when = f"{self.local_start:%Y-%m-%d %H:%M}"
            off = self.utc_offset_s
            sign = "-" if off is not None and off < 0 else "+"
            when += " UTC" if off is None else f"{sign}{abs(off) // 3600:02d}:{abs(off) % 3600 // 60:02d}"
        n = len(rec)
        dur = (int(rec.t_ns[-1]) - int(rec.t_ns[0])) / 1e9 if n else None
        dist = None
        if "distance_m" in rec and np.isfinite(rec["distance_m"]).any():
            dist = float(np.nanmax(rec["distance_m"]))
        elif self.device_summary.get("distance_m") is not None:
            dist = float(self.device_summary["distance_m"])
        km = f"{dist / 1000:.2f} km" if dist is not None else "distance unknown"
        device = f", {self.device.name}" if self.device.name else ""
        return (
            f"<Activity {self.sport or 'sport unknown'} {when}, {format_duration(dur)}, {km}, "
            f"{n} records{device}>"
        )

    @property
    def is_running(self) -> bool:
        """Whether any session (or the activity itself) is a run."""
        if self.sessions:
            return any(s.sport == "running" for s in self.sessions)
        return self.sport == "running"

    def running_sessions(self) -> list[Segment]:
        """The running sessions of a multisport file (all sessions of a run)."""
        return [s for s in self.sessions if s.sport == "running"]

    def running_mask(self):
        """Boolean array: which records fall inside a running session.

        A file without sessions (GPX) counts as one session of its own sport.
        """
        t = self.table.t_ns
        if len(self.sessions) <= 1:
            # One session holds every record, even those written after its end.
            return np.full(len(t), self.sport == "running")
        mask = np.zeros(len(t), dtype=bool)
        for s in self.running_sessions():
            mask |= (t >= s.start_ns) & (t <= s.end_ns)
        return mask

    def running_records(self) -> pd.DataFrame:
        """Records inside running sessions only (a view for running analysis)."""
        return self.records[self.running_mask()]

    @property
    def local_start(self) -> pd.Timestamp | None:
        """Start in the runner's local time (UTC when the offset is unknown)."""
        if self.start is None:
            return None
        import pandas as pd

        return self.start + pd.Timedelta(seconds=self.utc_offset_s or 0)


# Times held as nanoseconds, read as pandas Timestamps (see _time_property).
Segment.start = _time_property("start", "UTC start (pandas Timestamp; ``start_ns`` without pandas).")
Segment.end = _time_property("end", "UTC end (pandas Timestamp; ``end_ns`` without pandas).")
Pause.start = _time_property("start", "Timer stopped, UTC (``start_ns`` without pandas).")
Pause.end = _time_property("end", "Timer started again, UTC (``end_ns`` without pandas).")
Activity.start = _time_property("start", "UTC start (pandas Timestamp; ``start_ns`` without pandas).")


def _frame_property(name: str, table_attr: str, doc: str) -> property:
    """An activity's samples held as :class:`Records` or as a DataFrame, whichever
    was set. Reading the DataFrame builds it from the table once; from then on the
    DataFrame is the samples (it may be changed in place) and the table is built
    again from it when next read."""
    frame_attr = f"_{name}_frame"

    def get(self):
        df = self.__dict__.get(frame_attr)
        if df is None:
            tab = self.__dict__.get(table_attr)
            if tab is None:
                return None
            df = tab.to_frame()
            self.__dict__[frame_attr] = df
        # The frame handed out may be changed in place (``activity.records[col] = ...``):
        # from now on it is the samples, and the table is built again from it when read.
        self.__dict__[table_attr] = None
        return df

    def set_(self, value) -> None:
        if value is None or isinstance(value, Records):
            self.__dict__[table_attr], self.__dict__[frame_attr] = value, None
        else:
            self.__dict__[table_attr], self.__dict__[frame_attr] = None, value

    return property(get, set_, doc=doc)


def _table_property(name: str, table_attr: str, doc: str) -> property:
    frame_attr = f"_{name}_frame"

    def get(self) -> Records | None:
        tab = self.__dict__.get(table_attr)
        if tab is None:
            df = self.__dict__.get(frame_attr)
            if df is None:
                return None
            tab = Records.from_frame(df)
            self.__dict__[table_attr] = tab
        return tab

    return property(get, doc=doc)


Activity.records = _frame_property(
    "records", "_records_table", "The samples as a DataFrame (built from :attr:`table` on first use)."
)
Activity.table = _table_property(
    "records", "_records_table", "The samples as :class:`Records` (NumPy; no pandas)."
)
Activity.developer = _frame_property(
    "developer", "_developer_table", "Developer fields as a DataFrame on the records' index."
)
Activity.developer_table = _table_property(
    "developer", "_developer_table", "Developer fields as :class:`Records` (NumPy)."
)


def replace(obj, /, **changes):
    """A shallow copy of a model object with ``changes`` set: as
    :func:`dataclasses.replace`, but fields not changed are copied as held
    (a sample table stays NumPy, a time stays nanoseconds: no pandas)."""
    import copy

    new = copy.copy(obj)
    for k, v in changes.items():
        setattr(new, k, v)
    return new
