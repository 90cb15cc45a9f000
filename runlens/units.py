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
    "format_speed",
    "format_distance",
    "format_elevation",
    "format_step",
    "format_oscillation",
    "METRES_PER_MILE",
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


def plural(n: int, word: str, many: str | None = None) -> str:
    """``"1 run"``, ``"2 runs"``; ``many`` for irregular plurals.

    >>> plural(1, "run"), plural(3, "run"), plural(2, "activity", "activities")
    ('1 run', '3 runs', '2 activities')
    """
    return f"{n} {word if n == 1 else (many or word + 's')}"


def format_duration(seconds: float | None) -> str:
    """A duration as a watch shows a run's time: ``m:ss``, from an hour ``h:mm:ss``.

    The one duration format of runlens (tables, summaries, warnings); rounded to
    the second, "-" when missing.

    >>> format_duration(44.6), format_duration(185), format_duration(3725.4)
    ('0:45', '3:05', '1:02:05')
    """
    if seconds is None or not np.isfinite(seconds):
        return "-"
    s = int(round(abs(seconds)))
    sign = "-" if seconds < 0 and s else ""
    if s < 3600:
        return f"{sign}{s // 60}:{s % 60:02d}"
    return f"{sign}{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


#: International mile and foot, m; inch, mm.
METRES_PER_MILE = 1609.344
METRES_PER_FOOT = 0.3048
MM_PER_INCH = 25.4


def format_pace(speed_m_s: float | None, units: str = "metric") -> str:
    """``m:ss /km`` (or ``/mi`` in imperial units) for a speed in m/s ("-" when not moving).

    >>> format_pace(1000 / 300), format_pace(1609.344 / 480, "imperial")
    ('5:00 /km', '8:00 /mi')
    """
    if speed_m_s is None or not np.isfinite(speed_m_s) or speed_m_s <= 0:
        return "-"
    per, unit = (METRES_PER_MILE, "/mi") if units == "imperial" else (1000.0, "/km")
    s = int(round(per / speed_m_s))
    return f"{s // 60}:{s % 60:02d} {unit}"


def format_speed(speed_m_s: float | None, units: str = "metric") -> str:
    """``km/h`` (or ``mph``) for a speed in m/s, as rides are shown.

    >>> format_speed(10.0), format_speed(10.0, "imperial")
    ('36.0 km/h', '22.4 mph')
    """
    if speed_m_s is None or not np.isfinite(speed_m_s):
        return "-"
    if units == "imperial":
        return f"{speed_m_s * 3600 / METRES_PER_MILE:.1f} mph"
    return f"{speed_m_s * 3.6:.1f} km/h"


def format_distance(metres: float | None, units: str = "metric") -> str:
    """``km`` or ``mi`` with two decimals.

    >>> format_distance(14410.0), format_distance(14410.0, "imperial")
    ('14.41 km', '8.95 mi')
    """
    if metres is None or not np.isfinite(metres):
        return "-"
    if units == "imperial":
        return f"{metres / METRES_PER_MILE:.2f} mi"
    return f"{metres / 1000:.2f} km"


def format_elevation(metres: float | None, units: str = "metric") -> str:
    """``m`` or ``ft``, whole numbers (ascent, altitude).

    >>> format_elevation(135.0), format_elevation(135.0, "imperial")
    ('135 m', '443 ft')
    """
    if metres is None or not np.isfinite(metres):
        return "-"
    return f"{metres / METRES_PER_FOOT:.0f} ft" if units == "imperial" else f"{metres:.0f} m"


def format_step(metres: float | None, units: str = "metric") -> str:
    """Step length: ``m`` with two decimals, or ``in``.

    >>> format_step(1.02), format_step(1.02, "imperial")
    ('1.02 m', '40.2 in')
    """
    if metres is None or not np.isfinite(metres):
        return "-"
    if units == "imperial":
        return f"{metres * 1000 / MM_PER_INCH:.1f} in"
    return f"{metres:.2f} m"


def format_oscillation(mm: float | None, units: str = "metric") -> str:
    """Vertical oscillation: ``cm`` or ``in``, one decimal.

    >>> format_oscillation(84.0), format_oscillation(84.0, "imperial")
    ('8.4 cm', '3.3 in')
    """
    if mm is None or not np.isfinite(mm):
        return "-"
    return f"{mm / MM_PER_INCH:.1f} in" if units == "imperial" else f"{mm / 10:.1f} cm"


def index_seconds(index) -> np.ndarray:
    """Unix seconds (float64) of a DatetimeIndex, whatever its resolution.

    pandas 2 stores nanoseconds, pandas 3 may store seconds or microseconds:
    never read ``.asi8`` directly.
    """
    return np.asarray(index.as_unit("ns").asi8, dtype=np.int64) / 1e9


def quantiles(values, q):
    """``numpy.quantile(values, q)`` (linear interpolation), bit for bit, without the
    ``numpy.ma`` import every ``numpy.quantile`` call pays on first use (~9 ms of a
    ``runlens analyze``). ``values`` 1-D without NaN; ``q`` a float or a sequence
    (then an array is returned)."""
    a = np.sort(np.asarray(values, dtype=float).ravel())
    if a.size == 0:
        raise ValueError("quantiles of an empty array")
    qa = np.asarray(q, dtype=float)
    virtual = (a.size - 1) * qa
    prev = np.floor(virtual).astype(np.intp)
    nxt = np.minimum(prev + 1, a.size - 1)
    prev = np.clip(prev, 0, a.size - 1)
    gamma = virtual - np.floor(virtual)
    lo, hi = a[prev], a[nxt]
    diff = hi - lo
    out = np.asarray(lo + diff * gamma, dtype=float)
    np.subtract(hi, diff * (1 - gamma), out=out, where=gamma >= 0.5)
    return float(out) if out.ndim == 0 else out


def percentiles(values, p):
    """``numpy.percentile`` as :func:`quantiles` (``p`` in percent)."""
    return quantiles(values, np.true_divide(p, 100))


def median(values) -> float:
    """``numpy.median`` of a 1-D array, bit for bit (NaN if any value is NaN or there
    is none), without the ``numpy.ma`` import ``numpy.median`` pays on first use."""
    a = np.asarray(values).ravel()
    if a.dtype.kind not in "fc":
        a = a.astype(float)
    n = a.size
    if n == 0 or np.isnan(a).any():
        return float("nan")
    k = n // 2
    if n % 2:
        return float(np.partition(a, k)[k])
    part = np.partition(a, [k - 1, k])
    return float((part[k - 1] + part[k]) / 2)


def nanmedian(values) -> float:
    """``numpy.nanmedian`` of a 1-D array (NaN when every value is), as :func:`median`."""
    a = np.asarray(values, dtype=float).ravel()
    return median(a[~np.isnan(a)])
