"""Signals the form rules share: the running samples, smoothed, with masks.

Everything here is vectorised over samples (NumPy arrays, pandas time-based
rolling windows). It is built from the existing helpers
(:func:`runlens.units.index_seconds`, :mod:`runlens.metrics`; the centred
time-based rolling median and mean are :mod:`runlens.metrics.rolling`'s).

Why time-based windows: "smart recording" writes samples at irregular
intervals (evidence.md section 1), so a window of N rows is not N seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..metrics.rolling import (
    _regular_move_median,  # noqa: F401 (tests/rules import it here)
    rolling_mean,
    rolling_median,
)
from ..metrics.samples import pause_flags
from ..metrics.summary import haversine_m, sample_durations
from ..units import MPS_PER_MPH_30MIN, index_seconds

if TYPE_CHECKING:
    import pandas as pd

    from ..model import Activity

__all__ = [
    "Signals",
    "sustained",
    "rolling_median",
    "rolling_mean",
    "grade_pct",
    "iso",
    "dev_column",
]

#: Columns where 0 means "no value" (a device writes 0 while it has no reading).
_ZERO_IS_MISSING = frozenset(
    {
        "cadence_spm",
        "step_length_m",
        "vertical_oscillation_mm",
        "vertical_ratio_pct",
        "ground_contact_ms",
        "ground_contact_pct",
        "gct_balance_left_pct",
        "heart_rate_bpm",
    }
)


def grade_pct(
    t_s: np.ndarray, altitude_m: np.ndarray, distance_m: np.ndarray, half_window_s: float = 15.0
) -> np.ndarray:
    """Grade in percent from altitude and distance over a centred window.

    ``100 x (alt(t + h) - alt(t - h)) / (dist(t + h) - dist(t - h))`` with both
    channels interpolated in time; NaN where the window covers under 10 m of
    distance (standing still: grade is meaningless) or a channel is missing.

    Parameters
    ----------
    t_s : numpy.ndarray
        Sample times, seconds.
    altitude_m, distance_m : numpy.ndarray
        Altitude and cumulative distance, metres.
    half_window_s : float
        Half the window, seconds.

    Returns
    -------
    numpy.ndarray
        Grade, % (positive uphill).
    """
    out = np.full(t_s.shape, np.nan)
    ok_a = np.isfinite(altitude_m)
    ok_d = np.isfinite(distance_m)
    if ok_a.sum() < 2 or ok_d.sum() < 2:
        return out
    lo, hi = t_s - half_window_s, t_s + half_window_s
    da = np.interp(hi, t_s[ok_a], altitude_m[ok_a]) - np.interp(lo, t_s[ok_a], altitude_m[ok_a])
    dd = np.interp(hi, t_s[ok_d], distance_m[ok_d]) - np.interp(lo, t_s[ok_d], distance_m[ok_d])
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.where(dd >= 10.0, 100.0 * da / dd, np.nan)
    return g


def sustained(
    condition: np.ndarray,
    t_s: np.ndarray,
    dt_s: np.ndarray,
    min_duration_s: float,
    max_gap_s: float = 30.0,
) -> list[tuple[int, int]]:
    """Stretches where ``condition`` holds for at least ``min_duration_s``.

    Short interruptions (at most ``max_gap_s`` of clock time) inside a stretch
    are bridged, so one noisy minute does not split a ten-minute pattern.

    Parameters
    ----------
    condition : numpy.ndarray of bool
        Per sample.
    t_s : numpy.ndarray
        Sample times, seconds (increasing).
    dt_s : numpy.ndarray
        Seconds each sample stands for (0 across pauses and dropouts).
    min_duration_s : float
        Shortest stretch reported, seconds of recorded (timer) time.
    max_gap_s : float
        Longest interruption bridged: clock seconds from the last sample of
        one stretch to the first sample of the next.

    Returns
    -------
    list of (int, int)
        ``(first, last)`` sample positions of each stretch, inclusive.

    Examples
    --------
    >>> c = np.array([0, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1], bool)
    >>> t = np.arange(11.0) * 10
    >>> sustained(c, t, np.full(11, 10.0), min_duration_s=40, max_gap_s=20)
    [(1, 6)]
    """
    c = np.asarray(condition, dtype=bool)
    if not c.any():
        return []
    edges = np.diff(np.r_[0, c.astype(np.int8), 0])
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1  # inclusive
    # Bridge gaps: the gap between run k's last sample and run k+1's first.
    if starts.size > 1:
        gap = t_s[starts[1:]] - t_s[ends[:-1]]
        join = gap <= max_gap_s + 1e-9
        keep_start = np.r_[True, ~join]
        keep_end = np.r_[~join, True]
        starts, ends = starts[keep_start], ends[keep_end]
    # Timer seconds covered: the durations of the samples in the stretch.
    cum = np.r_[0.0, np.cumsum(dt_s)]
    dur = cum[ends + 1] - cum[starts]
    ok = dur >= min_duration_s - 1e-9
    return [(int(a), int(b)) for a, b in zip(starts[ok], ends[ok])]


def iso(ts: pd.Timestamp) -> str:
    """ISO-8601 UTC text of a timestamp (``2024-05-01T07:30:00+00:00``)."""
    return ts.tz_convert("UTC").isoformat() if ts.tzinfo else ts.tz_localize("UTC").isoformat()


def _norm(name: str) -> str:
    return "".join(ch for ch in str(name).lower() if ch.isalnum())


def dev_column(activity: Activity, *names: str) -> str | None:
    """The developer column whose name matches one of ``names``.

    Matching ignores case, spaces and punctuation, because apps rename fields
    between versions (evidence.md section 1): ``"FootStrike Type"`` matches
    ``"foot_strike_type"``.
    """
    dev = activity.developer
    if dev is None or dev.empty:
        return None
    wanted = {_norm(n) for n in names}
    for col in dev.columns:
        if _norm(col) in wanted:
            return col
    return None


@dataclass
class Signals:
    """The running part of an activity, with what the rules look at.

    Build with :meth:`of`. Arrays are aligned with ``records`` (running samples
    only, i.e. inside running sessions of a multisport file).

    Attributes
    ----------
    records : pandas.DataFrame
        Running records (a view; never modified).
    t_s : numpy.ndarray
        Unix time, seconds.
    dt_s : numpy.ndarray
        Seconds each sample stands for (0 across pauses and dropouts > 60 s, samples.DROPOUT_S).
    active_s : numpy.ndarray
        Recorded (timer) time since the start of running, seconds.
    speed_m_s : numpy.ndarray
        Speed smoothed over ``window_s``, m/s (NaN if unknown).
    grade_pct : numpy.ndarray
        Grade, % (NaN where unknown).
    window_s : float
        Smoothing window, seconds.
    """

    records: pd.DataFrame
    t_s: np.ndarray
    dt_s: np.ndarray
    active_s: np.ndarray
    speed_m_s: np.ndarray
    grade_pct: np.ndarray
    window_s: float
    _cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, activity: Activity, window_s: float = 60.0) -> Signals:
        """Signals of ``activity``'s running samples.

        Parameters
        ----------
        activity : Activity
        window_s : float
            Smoothing window for speed and the dynamics channels, seconds.

        Inside :func:`runlens.memo.analysis_scope` the rules share one
        instance per activity and window (its arrays are read-only).
        """
        from ..memo import memo

        return memo(activity, ("Signals", float(window_s)), lambda: cls._of(activity, window_s))

    @classmethod
    def _of(cls, activity: Activity, window_s: float) -> Signals:
        rec = activity.records
        if activity.is_running:
            keep = np.asarray(activity.running_mask(), dtype=bool)
            if not keep.all():  # a copy only when something is left out
                rec = rec[keep]
        dup = rec.index.duplicated(keep="first")
        if dup.any():
            rec = rec[~dup]
        if not rec.index.is_monotonic_increasing:
            rec = rec.sort_index()
        t = index_seconds(rec.index)
        paused = pause_flags(t, activity)
        dt = sample_durations(t, paused)
        active = np.cumsum(dt)
        n = len(rec)
        if "speed_m_s" in rec and rec["speed_m_s"].notna().any():
            raw_speed = rec["speed_m_s"].to_numpy(dtype=float)
        elif n > 1 and (
            ("distance_m" in rec and rec["distance_m"].notna().any())
            or {"lat_deg", "lon_deg"} <= set(rec.columns)
        ):
            if "distance_m" in rec and rec["distance_m"].notna().any():
                step = np.diff(rec["distance_m"].to_numpy(dtype=float))
            else:
                step = haversine_m(rec["lat_deg"].to_numpy(), rec["lon_deg"].to_numpy())[1:]
            with np.errstate(divide="ignore", invalid="ignore"):
                raw_speed = np.r_[np.nan, np.where(np.diff(t) > 0, step / np.diff(t), np.nan)]
        else:
            raw_speed = np.full(n, np.nan)
        speed = rolling_median(raw_speed, rec.index, window_s) if n else raw_speed
        if {"altitude_m", "distance_m"} <= set(rec.columns):
            g = grade_pct(t, rec["altitude_m"].to_numpy(float), rec["distance_m"].to_numpy(float))
        else:
            g = np.full(n, np.nan)
        for a in (t, dt, active, speed, g):
            a.flags.writeable = False  # shared between rules (see runlens.memo)
        return cls(rec, t, dt, active, speed, g, window_s)

    def __len__(self) -> int:
        return len(self.t_s)

    def has(self, column: str) -> bool:
        """Whether the running samples carry any positive value of ``column``."""
        key = ("has", column)
        if key not in self._cache:
            v = self.records[column].to_numpy(dtype=float) if column in self.records else None
            self._cache[key] = v is not None and bool(np.any(v > 0))
        return self._cache[key]

    def raw(self, column: str) -> np.ndarray:
        """A record column as float, zeros made NaN where 0 means "no value"."""
        if column not in self.records:
            return np.full(len(self), np.nan)
        v = self.records[column].to_numpy(dtype=float, copy=True)
        if column in _ZERO_IS_MISSING:
            v[v <= 0] = np.nan
        return v

    def smooth(self, column: str) -> np.ndarray:
        """``column`` through the centred rolling median of ``window_s``."""
        key = ("smooth", column)
        if key not in self._cache:
            v = rolling_median(self.raw(column), self.records.index, self.window_s)
            v.flags.writeable = False  # shared between rules (see runlens.memo)
            self._cache[key] = v
        return self._cache[key]

    @property
    def moving(self) -> np.ndarray:
        """Samples above the moving threshold 0.894 m/s (evidence.md section 6)."""
        return np.nan_to_num(self.speed_m_s) > MPS_PER_MPH_30MIN

    def steady(
        self, min_speed_m_s: float = 2.0, max_grade_pct: float = 3.0, skip_start_s: float = 600.0
    ) -> np.ndarray:
        """Steady running: fast enough, flat enough, past the start.

        evidence.md section 2: speed >= 2 m/s, |grade| < 3 %, after the first
        10 minutes. Where grade is unknown (no altitude) the sample counts as
        flat; :attr:`grade_known` says whether that happened.
        """
        speed_ok = np.nan_to_num(self.speed_m_s) >= min_speed_m_s
        g = self.grade_pct
        grade_ok = ~(np.abs(g) >= max_grade_pct)  # NaN -> True
        return speed_ok & grade_ok & (self.active_s >= skip_start_s) & (self.dt_s > 0)

    @property
    def grade_known(self) -> bool:
        """Whether grade could be computed anywhere (altitude and distance exist)."""
        return bool(np.isfinite(self.grade_pct).any())

    def span(self, first: int, last: int) -> tuple[str, str]:
        """ISO UTC start and end of samples ``first..last`` (inclusive)."""
        idx = self.records.index
        return iso(idx[first]), iso(idx[last])

    def within(self, runs: list[tuple[int, int]]) -> np.ndarray:
        """Samples inside the stretches ``runs`` (``(first, last)``, inclusive), as a mask."""
        m = np.zeros(len(self), dtype=bool)
        for a, b in runs:
            m[a : b + 1] = True
        return m

    def seconds(self, mask: np.ndarray) -> float:
        """Recorded seconds covered by the samples in ``mask``."""
        return float(self.dt_s[mask].sum())
