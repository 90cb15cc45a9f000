"""Unit conversions, done once, at the edge (style.md habit 1).

Every constant cites docs/evidence.md section 1 (FIT profile scales) or a
definition. Readers in :mod:`runlens.io` call these; nothing downstream
converts units again.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "SEMICIRCLE_TO_DEG",
    "MPS_PER_MPH_30MIN",
    "strides_to_steps",
    "semicircles_to_degrees",
    "pace_s_per_km",
    "format_duration",
    "format_pace",
    "index_seconds",
]

#: Degrees per FIT semicircle: 180 / 2**31 (FIT profile, position_lat/long).
SEMICIRCLE_TO_DEG = 180.0 / 2**31

#: 30 min/mile as a speed in m/s: the moving threshold (evidence.md section 6).
MPS_PER_MPH_30MIN = 1609.344 / 1800.0


def strides_to_steps(cadence_rpm, fractional_rpm=None):
    """Running cadence in strides/min (one foot) to steps/min (both feet).

    evidence.md section 1: steps/min = 2 x (cadence + fractional_cadence), with
    an absent fractional part taken as 0.

    Parameters
    ----------
    cadence_rpm : array_like
        FIT ``cadence`` or GPX ``cad``, strides per minute.
    fractional_rpm : array_like, optional
        FIT ``fractional_cadence``, strides per minute (1/128 resolution).

    Returns
    -------
    numpy.ndarray
        Steps per minute (float64, NaN where cadence is missing).

    Examples
    --------
    >>> strides_to_steps([85, 86], [0.5, np.nan]).tolist()
    [171.0, 172.0]
    """
    c = np.asarray(cadence_rpm, dtype=float)
    if fractional_rpm is None:
        return 2.0 * c
    f = np.nan_to_num(np.asarray(fractional_rpm, dtype=float), nan=0.0)
    return 2.0 * (c + f)


def semicircles_to_degrees(x):
    """FIT semicircles to decimal degrees (180 / 2**31 per semicircle)."""
    return np.asarray(x, dtype=float) * SEMICIRCLE_TO_DEG


def pace_s_per_km(speed_m_s):
    """Pace in seconds per kilometre from speed in m/s (NaN at or below 0)."""
    s = np.asarray(speed_m_s, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(s > 0, 1000.0 / s, np.nan)


def format_duration(seconds: float | None) -> str:
    """``h:mm:ss`` for a duration in seconds ("-" when missing).

    >>> format_duration(3725.4)
    '1:02:05'
    """
    if seconds is None or not np.isfinite(seconds):
        return "-"
    s = int(round(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def format_pace(speed_m_s: float | None) -> str:
    """``m:ss /km`` for a speed in m/s ("-" when missing or not moving).

    >>> format_pace(1000 / 300)
    '5:00 /km'
    """
    if speed_m_s is None or not np.isfinite(speed_m_s) or speed_m_s <= 0:
        return "-"
    s = int(round(1000.0 / speed_m_s))
    return f"{s // 60}:{s % 60:02d} /km"


def index_seconds(index) -> np.ndarray:
    """Unix seconds (float64) of a DatetimeIndex, whatever its resolution.

    pandas 2 stores nanoseconds, pandas 3 may store seconds or microseconds:
    never read ``.asi8`` directly.
    """
    return np.asarray(index.as_unit("ns").asi8, dtype=np.int64) / 1e9
