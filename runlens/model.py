"""The activity model every part of runlens reads: one run (or multisport
activity) as a table of samples plus what the device said about it.

Columns are canonical and carry their unit in their name; docs/data-model.md
lists them (style.md habit 1). Readers in :mod:`runlens.io` build these objects
and do all unit conversion; the model itself does no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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

    ``device_summary`` uses :data:`SUMMARY_KEYS` in canonical units; keys the
    device did not write are ``None``.
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
        return (self.end - self.start).total_seconds()


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

        rec = self.records
        when = "start unknown"
        if self.local_start is not None:
            when = f"{self.local_start:%Y-%m-%d %H:%M}"
            off = self.utc_offset_s
            sign = "-" if off is not None and off < 0 else "+"
            when += " UTC" if off is None else f"{sign}{abs(off) // 3600:02d}:{abs(off) % 3600 // 60:02d}"
        n = len(rec)
        dur = (rec.index[-1] - rec.index[0]).total_seconds() if n else None
        dist = None
        if "distance_m" in rec and rec["distance_m"].notna().any():
            dist = float(rec["distance_m"].max())
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
        import numpy as np

        idx = self.records.index
        if len(self.sessions) <= 1:
            # One session holds every record, even those written after its end.
            return np.full(len(idx), self.sport == "running")
        mask = np.zeros(len(idx), dtype=bool)
        for s in self.running_sessions():
            mask |= (idx >= s.start) & (idx <= s.end)
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
