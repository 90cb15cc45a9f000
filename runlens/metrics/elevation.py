"""Altitude smoothing, grade, and ascent/descent with hysteresis.

evidence.md section 6: prefer barometric altitude; count elevation gain with
hysteresis (3 m default, as GoldenCheetah does).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["smooth_altitude", "smooth_altitude_array", "grade_pct", "ascent_descent"]


def smooth_altitude(altitude: pd.Series, window_s: float = 15.0) -> np.ndarray:
    """Centred time-based rolling mean of altitude, m.

    Parameters
    ----------
    altitude : pandas.Series
        Altitude, m, indexed by a DatetimeIndex (irregular sampling is fine).
    window_s : float
        Window width, s; 0 returns the values unchanged (missing filled).

    Returns
    -------
    numpy.ndarray
        Smoothed altitude, m; gaps in the channel are interpolated in time.
    """
    from ..model import Records

    t_ns = Records.from_frame(altitude.to_frame("a")).t_ns
    return smooth_altitude_array(altitude.to_numpy(dtype=float, na_value=np.nan), t_ns, window_s)


def smooth_altitude_array(altitude: np.ndarray, t_ns: np.ndarray, window_s: float = 15.0) -> np.ndarray:
    """:func:`smooth_altitude` on arrays: altitude, m, at UTC times in nanoseconds."""
    from .window import rolling_mean

    a = np.array(altitude, dtype=float)
    ok = ~np.isnan(a)
    if ok.sum() >= 2 and not ok.all():
        # Gaps filled linearly in time, the ends with the nearest value (as pandas'
        # interpolate(method="time", limit_direction="both")).
        r = (t_ns - t_ns[0]).astype(float)
        a[~ok] = np.interp(r[~ok], r[ok], a[ok])
    return rolling_mean(a, t_ns, window_s)


def grade_pct(altitude_m: np.ndarray, distance_m: np.ndarray, window_m: float = 50.0) -> np.ndarray:
    """Grade, %, over ``window_m`` of horizontal travel centred on each sample.

    grade = (alt(d + w/2) - alt(d - w/2)) / w x 100, with altitude
    interpolated along cumulative distance; NaN where the window reaches past
    either end of the activity or distance/altitude is missing.

    Parameters
    ----------
    altitude_m : numpy.ndarray
        Smoothed altitude, m.
    distance_m : numpy.ndarray
        Cumulative distance, m (non-decreasing).
    window_m : float
        Horizontal window, m.

    Examples
    --------
    >>> d = np.arange(0, 201, 10.0)
    >>> float(grade_pct(0.05 * d, d)[10])
    5.0
    """
    alt = np.asarray(altitude_m, dtype=float)
    dist = np.asarray(distance_m, dtype=float)
    out = np.full(alt.shape, np.nan)
    ok = np.isfinite(alt) & np.isfinite(dist)
    if ok.sum() < 2:
        return out
    d, a = dist[ok], alt[ok]
    # np.interp needs increasing x: keep the first sample of each distance.
    first = np.r_[True, np.diff(d) > 0]
    d, a = d[first], a[first]
    if d.size < 2:
        return out
    half = window_m / 2.0
    lo, hi = dist - half, dist + half
    g = (np.interp(hi, d, a) - np.interp(lo, d, a)) / window_m * 100.0
    inside = ok & (lo >= d[0]) & (hi <= d[-1])
    out[inside] = g[inside]
    return out


def ascent_descent(alt_m, hysteresis_m: float = 3.0) -> tuple[float, float]:
    """Total ascent and descent with hysteresis, m (evidence.md section 6).

    A climb (or descent) counts once the altitude has moved ``hysteresis_m``
    away from the last counted turning point, as GoldenCheetah does; smaller
    wobbles, barometric or GPS noise, never add up.

    Parameters
    ----------
    alt_m : array_like
        Altitude, m (smooth it first: :func:`smooth_altitude`).
    hysteresis_m : float
        Threshold, m.

    Returns
    -------
    (float, float)
        Ascent and descent, m (both >= 0).

    Examples
    --------
    >>> ascent_descent(np.array([0, 1, 0, 1, 5, 10, 8, 3.0]))
    (10.0, 7.0)
    """
    a = np.asarray(alt_m, dtype=float)
    a = a[np.isfinite(a)]
    if a.size < 2:
        return 0.0, 0.0
    # Only turning points (local extrema) can end a climb, so the walk below,
    # which is inherently sequential, runs over those: a small fraction of the
    # samples once the altitude is smoothed.
    d = np.diff(a)
    nz = d != 0
    a2 = np.r_[a[0], a[1:][nz]]
    if a2.size > 2:
        d2 = np.diff(a2)
        turn = np.r_[True, d2[1:] * d2[:-1] < 0, True]
        pts = a2[turn]
    else:
        pts = a2
    up = down = 0.0
    ref = float(pts[0])
    direction = 0  # +1 climbing, -1 descending, 0 not yet known
    for x in pts[1:].tolist():
        # A new direction needs the threshold; the current one extends freely,
        # so a climb interrupted by dips smaller than the threshold counts in full.
        if x - ref >= hysteresis_m or (direction > 0 and x > ref):
            up += x - ref
            ref, direction = x, 1
        elif ref - x >= hysteresis_m or (direction < 0 and x < ref):
            down += ref - x
            ref, direction = x, -1
    return float(up), float(down)
