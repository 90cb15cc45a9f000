"""The runner's speed-cadence baseline, fitted from the stored history.

evidence.md section 2: steady running only (speed >= 2 m/s, |grade| < 3 %,
after the first 10 minutes), the last 60 days, spm = a + b x speed. A scan
keeps one point per steady minute of each run (:func:`steady_minutes`), so
the baseline is refitted from the store without reading any file again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..baseline import CadenceBaseline
from ..metrics.rolling import STEADY_MAX_GRADE_PCT, STEADY_MIN_SPEED_M_S, STEADY_WARMUP_S

if TYPE_CHECKING:
    import pandas as pd

    from ..model import Activity

__all__ = ["steady_minutes", "fit_baseline", "STEADY_MIN_SPEED_M_S", "STEADY_MAX_GRADE"]

#: Steady running thresholds (evidence.md section 2), named once in
#: runlens.metrics.rolling; here applied per minute, not per sample.
STEADY_MAX_GRADE = STEADY_MAX_GRADE_PCT / 100.0
STEADY_SKIP_S = STEADY_WARMUP_S
#: A minute counts when at least this many seconds of it were recorded.
MIN_COVER_S = 45.0
#: Least data for a baseline: runs and steady minutes in the window.
MIN_ACTIVITIES = 3
MIN_MINUTES = 30


def steady_minutes(activity: Activity) -> list[list[float]]:
    """One ``[speed_m_s, cadence_spm, seconds]`` point per steady running minute.

    Minutes are counted from the first running sample; the first 10 are
    skipped. A minute is steady when its mean speed is >= 2 m/s and its grade
    (altitude change / distance) is within 3 %; without altitude the grade is
    taken as flat. Speed and cadence are time-weighted means over the minute.

    Returns
    -------
    list of [float, float, float]
        Empty when the run has no cadence (speed m/s, steps/min, seconds covered).
    """
    from ..metrics.summary import haversine_m, sample_durations
    from ..units import index_seconds

    if activity.sport not in (None, "running"):
        return []
    rec = activity.running_records()
    if rec.empty or "cadence_spm" not in rec:
        return []
    t = index_seconds(rec.index)
    dt = sample_durations(t)
    if "distance_m" in rec and rec["distance_m"].notna().any():
        dist = rec["distance_m"].to_numpy(float)
        step = np.zeros(t.size)
        step[1:] = np.diff(dist)
    elif {"lat_deg", "lon_deg"} <= set(rec.columns):
        step = haversine_m(rec["lat_deg"].to_numpy(float), rec["lon_deg"].to_numpy(float))
    else:
        return []
    step = np.where(np.isfinite(step) & (step >= 0) & (dt > 0), step, 0.0)
    cad = rec["cadence_spm"].to_numpy(float)
    alt = rec["altitude_m"].to_numpy(float) if "altitude_m" in rec else np.full(t.size, np.nan)
    minute = np.floor((t - t[0]) / 60.0).astype(int)
    keep = (t - t[0]) >= STEADY_SKIP_S
    if not keep.any():
        return []
    m = minute[keep] - minute[keep].min()
    n = int(m.max()) + 1
    w = dt[keep]
    cover = np.bincount(m, weights=w, minlength=n)
    dist_m = np.bincount(m, weights=step[keep], minlength=n)
    c_ok = np.isfinite(cad[keep]) & (cad[keep] > 0)
    cw = np.where(c_ok, w, 0.0)
    c_sum = np.bincount(m, weights=np.where(c_ok, cad[keep], 0.0) * cw, minlength=n)
    c_w = np.bincount(m, weights=cw, minlength=n)
    a = alt[keep]
    a_ok = np.isfinite(a)
    # Altitude change within each minute: last minus first finite altitude.
    grade = np.zeros(n)
    if a_ok.any():
        mm, aa = m[a_ok], a[a_ok]
        pos = np.arange(mm.size)
        i_first = np.full(n, mm.size)
        i_last = np.full(n, -1)
        np.minimum.at(i_first, mm, pos)
        np.maximum.at(i_last, mm, pos)
        has = i_last >= 0
        first = np.full(n, np.nan)
        last = np.full(n, np.nan)
        first[has] = aa[i_first[has]]
        last[has] = aa[i_last[has]]
        with np.errstate(divide="ignore", invalid="ignore"):
            grade = np.where(dist_m > 0, (last - first) / dist_m, np.nan)
        grade = np.where(np.isfinite(first), grade, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.where(cover > 0, dist_m / cover, 0.0)
        spm = np.where(c_w > 0, c_sum / c_w, np.nan)
    ok = (
        (cover >= MIN_COVER_S)
        & (c_w >= MIN_COVER_S)
        & (speed >= STEADY_MIN_SPEED_M_S)
        & (np.abs(np.nan_to_num(grade, nan=1.0)) < STEADY_MAX_GRADE)
        & np.isfinite(spm)
    )
    return [
        [round(float(s), 4), round(float(c), 3), round(float(x), 1)]
        for s, c, x in zip(speed[ok], spm[ok], cover[ok])  # one per steady minute
    ]


def _points_frame(source: Any) -> pd.DataFrame:
    import pandas as pd

    if isinstance(source, pd.DataFrame):
        return source
    return source.activities_frame(columns=("start_s", "steady_points", "duplicate_of"))


def fit_baseline(
    source: Any,
    as_of: Any = None,
    *,
    window_days: int = 60,
    min_activities: int = MIN_ACTIVITIES,
    min_minutes: int = MIN_MINUTES,
) -> CadenceBaseline | None:
    """Fit spm = a + b x speed from the steady minutes of the last ``window_days``.

    Parameters
    ----------
    source : Store or pandas.DataFrame
        A :class:`runlens.history.Store`, or a frame with ``start_s`` (Unix s)
        and ``steady_points`` (lists from :func:`steady_minutes`).
    as_of : datetime-like, optional
        End of the window (exclusive); default: after the last stored run.
    window_days : int
        Days of history used (evidence.md section 2: 60).
    min_activities, min_minutes : int
        Least runs and steady minutes for a fit; fewer gives ``None``.

    Returns
    -------
    CadenceBaseline or None
        ``None`` when the window holds too little steady running with cadence,
        or all of it at one speed (the slope cannot be fitted).
    """
    import pandas as pd

    df = _points_frame(source)
    if df.empty:
        return None
    if "duplicate_of" in df:
        df = df[df["duplicate_of"].isna()]
    end = (
        float(df["start_s"].max()) + 1.0
        if as_of is None
        else pd.Timestamp(as_of).tz_localize("UTC").timestamp()
        if pd.Timestamp(as_of).tzinfo is None
        else pd.Timestamp(as_of).timestamp()
    )
    win = df[(df["start_s"] < end) & (df["start_s"] >= end - window_days * 86400.0)]
    pts = [np.asarray(p, dtype=float).reshape(-1, 3) for p in win["steady_points"] if p]
    if len(pts) < min_activities:
        return None
    x = np.concatenate(pts)
    if x.shape[0] < min_minutes or np.ptp(x[:, 0]) < 0.1:
        return None
    v, spm, w = x[:, 0], x[:, 1], x[:, 2]
    b, a = np.polyfit(v, spm, 1, w=np.sqrt(w))  # weights: seconds behind each minute
    resid = spm - (a + b * v)
    sd = float(np.sqrt(np.average(resid**2, weights=w)))
    return CadenceBaseline(
        intercept_spm=float(a),
        slope_spm_per_m_s=float(b),
        n_activities=len(pts),
        n_samples=int(x.shape[0]),
        residual_sd_spm=sd,
        speed_range_m_s=(float(v.min()), float(v.max())),
        window_days=window_days,
    )
