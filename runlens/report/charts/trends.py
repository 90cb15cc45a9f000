"""Form trends per week, compared at matched pace.

Cadence, step length, vertical oscillation and ground contact time all change
with speed (evidence.md sections 2 and 5), so a week of easy runs and a week
of tempo runs cannot be compared on their averages. runlens compares them at
matched pace:

1. Each run is cut into whole minutes of *steady* running (evidence.md
   section 2: speed >= 2 m/s, |grade| < 3 %, after the first 10 minutes), each
   minute with time-weighted means of speed and the form metrics
   (:func:`form_minutes`).
2. The pace band is common to all weeks shown: the middle half (25th to 75th
   percentile) of the speeds of all steady minutes of the period
   (:func:`matched_pace_band`).
3. Per week, the median of each metric over that week's steady minutes inside
   the band; a week with fewer than :data:`MIN_BAND_MINUTES` minutes in the
   band gets no value rather than a noisy one (:func:`weekly_form`).
4. The chart shows each week's median as a percentage of the median over all
   in-band minutes of the period (the reference), so four metrics with
   different units share one axis; the references are printed in the legend.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ...metrics.rolling import STEADY_MAX_GRADE_PCT, STEADY_MIN_SPEED_M_S, STEADY_WARMUP_S

if TYPE_CHECKING:
    import pandas as pd

    from ...model import Activity

__all__ = [
    "FORM_METRICS",
    "MIN_BAND_MINUTES",
    "STEADY_MIN_SPEED_M_S",
    "PaceBand",
    "form_minutes",
    "matched_pace_band",
    "weekly_form",
]

#: Column -> (label, unit) of the form metrics, in the order they are drawn.
FORM_METRICS = {
    "cadence_spm": ("cadence", "steps/min"),
    "step_length_m": ("step length", "m"),
    "vertical_oscillation_mm": ("vertical oscillation", "mm"),
    "ground_contact_ms": ("ground contact time", "ms"),
}
#: Steady running (evidence.md section 2): the thresholds of runlens.metrics.rolling.
STEADY_MAX_GRADE = STEADY_MAX_GRADE_PCT / 100.0
#: A minute counts when at least this many seconds of it were recorded, s.
MIN_COVER_S = 45.0
#: Least in-band steady minutes for a week to get a value.
MIN_BAND_MINUTES = 5
#: Longest gap one sample stands for, s (longer gaps are dropouts or pauses).
MAX_SAMPLE_S = 10.0


def form_minutes(activity: Activity) -> pd.DataFrame:
    """One row per steady running minute of an activity, with its form metrics.

    Parameters
    ----------
    activity : Activity

    Returns
    -------
    pandas.DataFrame
        Columns ``start_s`` (Unix s, UTC, start of the minute), ``seconds``
        (s recorded in it), ``speed_m_s`` and the :data:`FORM_METRICS`
        columns (time-weighted means; NaN where the file has no such field).
        Empty when the run has no usable speed.
    """
    import pandas as pd

    from ...metrics.summary import haversine_m
    from ...units import index_seconds

    cols = ["start_s", "seconds", "speed_m_s", *FORM_METRICS]
    empty = pd.DataFrame({c: pd.Series(dtype=float) for c in cols})
    if activity.sport not in (None, "running"):
        return empty
    rec = activity.running_records()
    if len(rec) < 2:
        return empty
    t = index_seconds(rec.index)
    dt = np.zeros(t.size)
    dt[1:] = np.diff(t)
    dt[(dt < 0) | (dt > MAX_SAMPLE_S)] = 0.0  # a gap stands for nothing
    if "distance_m" in rec and rec["distance_m"].notna().sum() > 1:
        step = np.zeros(t.size)
        step[1:] = np.diff(rec["distance_m"].ffill().to_numpy(float))
    elif {"lat_deg", "lon_deg"} <= set(rec.columns):
        step = haversine_m(rec["lat_deg"].to_numpy(float), rec["lon_deg"].to_numpy(float))
    else:
        return empty
    step = np.where(np.isfinite(step) & (step >= 0) & (dt > 0), step, 0.0)
    elapsed = t - t[0]
    keep = elapsed >= STEADY_WARMUP_S
    if not keep.any():
        return empty
    minute = np.floor(elapsed[keep] / 60.0).astype(int)
    m = minute - minute.min()
    n = int(m.max()) + 1
    w = dt[keep]
    cover = np.bincount(m, weights=w, minlength=n)
    dist = np.bincount(m, weights=step[keep], minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.where(cover > 0, dist / cover, np.nan)
    if "altitude_m" in rec and rec["altitude_m"].notna().any():
        alt = rec["altitude_m"].to_numpy(float)[keep]
        ok = np.isfinite(alt)
        first = np.full(n, np.nan)
        last = np.full(n, np.nan)
        # first/last altitude of each minute: samples are in time order
        idx = np.flatnonzero(ok)
        first[m[idx][::-1]] = alt[idx][::-1]
        last[m[idx]] = alt[idx]
        with np.errstate(divide="ignore", invalid="ignore"):
            grade = np.where(dist > 0, (last - first) / dist, np.nan)
        grade = np.where(np.isfinite(grade), grade, 0.0)
    else:
        grade = np.zeros(n)  # no altitude: taken as flat
    out = {
        "start_s": t[0] + (minute.min() + np.arange(n)) * 60.0,
        "seconds": cover,
        "speed_m_s": speed,
    }
    for col in FORM_METRICS:
        if col == "step_length_m" and "step_length_m" not in rec and "cadence_spm" in rec:
            # without a recorded step length: speed x 60 / cadence (evidence.md section 2)
            with np.errstate(divide="ignore", invalid="ignore"):
                v = rec["speed_m_s"].to_numpy(float) if "speed_m_s" in rec else None
                vals = v * 60.0 / rec["cadence_spm"].to_numpy(float) if v is not None else None
        else:
            vals = rec[col].to_numpy(float) if col in rec else None
        if vals is None:
            out[col] = np.full(n, np.nan)
            continue
        x = vals[keep]
        ok = np.isfinite(x) & (x > 0)
        ww = np.where(ok, w, 0.0)
        s = np.bincount(m, weights=np.where(ok, x, 0.0) * ww, minlength=n)
        c = np.bincount(m, weights=ww, minlength=n)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[col] = np.where(c >= MIN_COVER_S / 2, s / c, np.nan)
    df = pd.DataFrame(out)
    steady = (
        (df["seconds"] >= MIN_COVER_S)
        & (df["speed_m_s"] >= STEADY_MIN_SPEED_M_S)
        & (np.abs(grade) < STEADY_MAX_GRADE)
    )
    return df[steady.to_numpy()].reset_index(drop=True)


@dataclass(frozen=True)
class PaceBand:
    """The speed band within which weeks are compared.

    Attributes
    ----------
    low_m_s, high_m_s : float
        Band limits, m/s (25th and 75th percentile of all steady minutes).
    minutes : int
        Steady minutes of the period inside the band.
    """

    low_m_s: float
    high_m_s: float
    minutes: int

    def label(self) -> str:
        """E.g. ``"5:13-5:45 /km (2.90-3.19 m/s)"``: slow pace first."""
        from ...units import format_pace

        slow = format_pace(self.low_m_s).replace(" /km", "")
        return f"{format_pace(self.high_m_s).replace(' /km', '')}-{slow} /km"


def matched_pace_band(minutes: pd.DataFrame) -> PaceBand | None:
    """The middle half of the steady speeds of the period (None without data).

    Parameters
    ----------
    minutes : pandas.DataFrame
        Rows from :func:`form_minutes` of every run in the period, with at
        least one form metric present.
    """
    if minutes is None or minutes.empty:
        return None
    has_form = minutes[list(FORM_METRICS)].notna().any(axis=1)
    v = minutes.loc[has_form, "speed_m_s"].to_numpy(float)
    v = v[np.isfinite(v)]
    if v.size < MIN_BAND_MINUTES:
        return None
    lo, hi = np.percentile(v, [25, 75])
    n = int(((v >= lo) & (v <= hi)).sum())
    return PaceBand(float(lo), float(hi), n)


def weekly_form(
    minutes: pd.DataFrame, weeks, band: PaceBand | None = None
) -> tuple[pd.DataFrame, dict[str, float], PaceBand | None]:
    """Median form metrics per week at matched pace.

    Parameters
    ----------
    minutes : pandas.DataFrame
        From :func:`form_minutes`, with a ``week`` column (datetime64, the
        week's first day) added by the caller.
    weeks : array_like of datetime64
        The weeks to report (one output row each, in this order).
    band : PaceBand, optional
        Defaults to :func:`matched_pace_band` of ``minutes``.

    Returns
    -------
    trends : pandas.DataFrame
        Index ``week``; for each metric of :data:`FORM_METRICS` the week's
        median (its unit), ``<metric>_pct`` (% of the reference) and
        ``minutes`` (in-band steady minutes of the week).
    reference : dict
        Metric -> median over all in-band minutes of the period (its unit);
        only metrics with data.
    band : PaceBand or None
    """
    import pandas as pd

    idx = pd.DatetimeIndex(pd.to_datetime(np.asarray(weeks)), name="week")
    cols = [*FORM_METRICS, *(f"{c}_pct" for c in FORM_METRICS), "minutes"]
    trends = pd.DataFrame(np.nan, index=idx, columns=cols)
    trends["minutes"] = 0.0
    if band is None:
        band = matched_pace_band(minutes)
    if band is None:
        return trends, {}, None
    inb = minutes[(minutes["speed_m_s"] >= band.low_m_s) & (minutes["speed_m_s"] <= band.high_m_s)]
    reference = {}
    g = inb.groupby("week")
    count = g.size().reindex(idx, fill_value=0)
    trends["minutes"] = count.to_numpy(float)
    enough = count.to_numpy() >= MIN_BAND_MINUTES
    for col in FORM_METRICS:
        if inb[col].notna().sum() < MIN_BAND_MINUTES:
            continue
        ref = float(inb[col].median())
        reference[col] = ref
        med = g[col].median().reindex(idx).to_numpy(float)
        n_ok = g[col].count().reindex(idx, fill_value=0).to_numpy()
        med = np.where(enough & (n_ok >= MIN_BAND_MINUTES), med, np.nan)
        trends[col] = med
        trends[f"{col}_pct"] = (med / ref - 1.0) * 100.0
    return trends, reference, band
