"""Per-activity summary in :data:`runlens.model.SUMMARY_KEYS`.

Definitions follow ../shared/evidence.md: distance from the device's distance
channel, else haversine (section 6); timer time honours timer pauses; moving
time counts samples above 0.894 m/s (section 6); averages are time-weighted
(smart recording, section 1); running dynamics are averaged over running
samples only, zeros treated as missing.
"""

from __future__ import annotations

import numpy as np

from ..model import SUMMARY_KEYS, Activity
from ..units import MPS_PER_MPH_30MIN, index_seconds

__all__ = ["summarize", "haversine_m", "sample_durations", "time_weighted_mean"]

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)
#: Longest gap (s) one sample is taken to represent; longer gaps are dropouts.
MAX_SAMPLE_S = 10.0


def haversine_m(lat_deg, lon_deg) -> np.ndarray:
    """Distance between consecutive points in metres (first element 0).

    >>> round(float(haversine_m([0, 0], [0, 1])[1]))
    111195
    """
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    d = np.zeros(lat.shape)
    if lat.size < 2:
        return d
    dlat = np.diff(lat)
    dlon = np.diff(lon)
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:-1]) * np.cos(lat[1:]) * np.sin(dlon / 2) ** 2
    d[1:] = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
    return d


def sample_durations(t_s: np.ndarray, paused: np.ndarray | None = None) -> np.ndarray:
    """Seconds each sample stands for: the gap to the previous sample.

    Gaps longer than :data:`MAX_SAMPLE_S` and gaps that end a pause count 0.
    """
    dt = np.zeros(t_s.shape)
    if t_s.size > 1:
        dt[1:] = np.diff(t_s)
    dt[(dt < 0) | (dt > MAX_SAMPLE_S)] = 0.0
    if paused is not None:
        dt[paused] = 0.0
    return dt


def time_weighted_mean(values, weights) -> float | None:
    """Mean of ``values`` weighted by ``weights`` (seconds), skipping NaN."""
    v = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    ok = np.isfinite(v) & (w > 0)
    tot = w[ok].sum()
    return float((v[ok] * w[ok]).sum() / tot) if tot > 0 else None


def _after_pause(t_s: np.ndarray, activity: Activity) -> np.ndarray:
    """True for samples whose gap to the previous one spans a timer pause."""
    flag = np.zeros(t_s.shape, dtype=bool)
    if not activity.pauses or t_s.size < 2:
        return flag
    starts = np.array([p.start.timestamp() for p in activity.pauses])
    ends = np.array([p.end.timestamp() for p in activity.pauses])
    # A gap (t[i-1], t[i]] that contains a pause end belongs to the pause.
    k = np.searchsorted(ends, t_s[1:], side="right")  # pauses ended by t[i]
    j = np.searchsorted(ends, t_s[:-1], side="right")
    flag[1:] = k > j
    in_pause = np.zeros(t_s.shape, dtype=bool)
    idx = np.searchsorted(starts, t_s, side="right") - 1
    ok = idx >= 0
    in_pause[ok] = t_s[ok] < ends[idx[ok]]
    return flag | in_pause


def summarize(activity: Activity, *, running_only: bool = True) -> dict[str, float | None]:
    """Summary of an activity in :data:`SUMMARY_KEYS` (canonical units).

    Parameters
    ----------
    activity : Activity
    running_only : bool
        For multisport files, use only the running sessions' samples.

    Returns
    -------
    dict
        ``None`` where the activity has no such channel.
    """
    rec = activity.records
    if running_only and activity.is_running:
        rec = rec[activity.running_mask()]
    out: dict[str, float | None] = {k: None for k in SUMMARY_KEYS}
    if rec.empty:
        return out
    t = index_seconds(rec.index)
    paused = _after_pause(t, activity)
    dt = sample_durations(t, paused)

    if "distance_m" in rec and rec["distance_m"].notna().any():
        d = rec["distance_m"].to_numpy()
        dd = np.diff(d[np.isfinite(d)])
        distance = float(dd[dd > 0].sum()) if dd.size else 0.0
        step_d = np.zeros(len(rec))
        step_d[1:] = np.nan_to_num(np.diff(d), nan=0.0)
    elif {"lat_deg", "lon_deg"} <= set(rec.columns):
        step_d = np.nan_to_num(haversine_m(rec["lat_deg"].to_numpy(), rec["lon_deg"].to_numpy()))
        step_d[paused] = 0.0
        distance = float(step_d.sum())
    else:
        step_d = None
        distance = None
    out["distance_m"] = distance

    elapsed = float(t[-1] - t[0])
    if activity.sessions and running_only and activity.is_running:
        sess = activity.running_sessions()
        elapsed = float(sum((s.end - s.start).total_seconds() for s in sess))
    elif activity.sessions:
        elapsed = float((activity.sessions[-1].end - activity.sessions[0].start).total_seconds())
    out["elapsed_s"] = elapsed
    pause_s = sum(p.duration_s for p in activity.pauses)
    out["timer_s"] = max(elapsed - pause_s, 0.0) if activity.pauses else float(dt.sum()) or elapsed

    if "speed_m_s" in rec and rec["speed_m_s"].notna().any():
        speed = rec["speed_m_s"].to_numpy()
    elif step_d is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            gap = np.diff(t, prepend=t[0])
            speed = np.where(gap > 0, step_d / gap, np.nan)
    else:
        speed = None
    moving = None
    if speed is not None:
        moving = np.nan_to_num(speed) > MPS_PER_MPH_30MIN
        out["moving_s"] = float(dt[moving].sum())
    if distance is not None and out["timer_s"]:
        out["avg_speed_m_s"] = distance / out["timer_s"]

    run = dt.copy()
    if moving is not None:
        run[~moving] = 0.0
    for key in (
        "cadence_spm",
        "step_length_m",
        "vertical_oscillation_mm",
        "vertical_ratio_pct",
        "ground_contact_ms",
        "gct_balance_left_pct",
        "heart_rate_bpm",
    ):
        if key in rec:
            v = rec[key].to_numpy(dtype=float, copy=True)
            if key != "heart_rate_bpm":
                v[v <= 0] = np.nan
                out[key] = time_weighted_mean(v, run)
            else:
                v[v <= 0] = np.nan
                out[key] = time_weighted_mean(v, dt)

    if "altitude_m" in rec and rec["altitude_m"].notna().any():
        out["ascent_m"] = ascent_descent(rec["altitude_m"].to_numpy())[0]
    return out


def ascent_descent(alt_m: np.ndarray, hysteresis_m: float = 3.0) -> tuple[float, float]:
    """Total ascent and descent with hysteresis (evidence.md section 6).

    A climb counts once the altitude has risen ``hysteresis_m`` above the last
    turning point, as GoldenCheetah does.

    >>> ascent_descent(np.array([0, 1, 0, 1, 5, 10, 8, 3.0]))
    (10.0, 7.0)
    """
    a = alt_m[np.isfinite(alt_m)]
    if a.size < 2:
        return 0.0, 0.0
    # The hysteresis walk is inherently sequential; it runs over turning points
    # only (local extrema), a small fraction of the samples.
    d = np.diff(a)
    keep = np.r_[True, (d[1:] * d[:-1]) < 0, True] if a.size > 2 else np.ones(a.size, bool)
    nz = np.r_[True, d != 0]
    pts = a[keep & nz] if (keep & nz).any() else a
    up = down = 0.0
    ref = pts[0]
    for x in pts[1:]:
        if x - ref >= hysteresis_m:
            up += x - ref
            ref = x
        elif ref - x >= hysteresis_m:
            down += ref - x
            ref = x
    return float(up), float(down)
