"""Form trends per week, compared at matched pace.

Cadence, step length, vertical oscillation and ground contact time all change
with speed (evidence.md sections 2 and 5), and so does steps per breath (step
rate / breathing rate, for watches that record a breathing rate), so a week of easy runs and a week
of tempo runs cannot be compared on their averages. runlens compares them at
matched pace:

1. Each run is cut into whole minutes (the per-minute form table of
   :func:`runlens.metrics.form_minutes`, which the history store keeps), and
   only its *steady* minutes are used (evidence.md section 2: speed >= 2 m/s,
   |grade| < 3 %, after the first 10 minutes).
2. The pace band is common to all weeks shown: the middle half (25th to 75th
   percentile) of the speeds of all steady minutes of the period
   (:func:`matched_pace_band`).
3. Per week, the median of each metric over that week's steady minutes inside
   the band; a week with fewer than :data:`MIN_BAND_MINUTES` minutes in the
   band gets no value rather than a noisy one (:func:`weekly_form`).
4. The chart shows each week's median as a percentage of the median over all
   in-band minutes of the period (the reference), so metrics with
   different units share one axis; the references are printed in the legend.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ...metrics.samples import STEADY_MIN_SPEED_M_S

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FORM_METRICS",
    "OPTIONAL_FORM_METRICS",
    "MIN_BAND_MINUTES",
    "STEADY_MIN_SPEED_M_S",
    "PaceBand",
    "matched_pace_band",
    "weekly_form",
]

#: Column -> (label, unit) of the form metrics, in the order they are drawn.
FORM_METRICS = {
    "cadence_spm": ("cadence", "steps/min"),
    "step_length_m": ("step length", "m"),
    "vertical_oscillation_mm": ("vertical oscillation", "mm"),
    "ground_contact_ms": ("ground contact time", "ms"),
    "steps_per_breath": ("steps per breath", "steps/breath"),
}
#: Form metrics only some watches record (a breathing rate): not listed as missing when absent.
OPTIONAL_FORM_METRICS = frozenset({"steps_per_breath"})
#: Least in-band steady minutes for a week to get a value.
MIN_BAND_MINUTES = 5


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

    def label(self, units: str = "metric") -> str:
        """E.g. ``"5:13-5:45 /km"`` (``/mi`` in imperial units): slow pace first."""
        from ...units import format_pace

        fast, slow = format_pace(self.high_m_s, units), format_pace(self.low_m_s, units)
        return f"{fast.split(' ')[0]}-{slow}"


def matched_pace_band(minutes: pd.DataFrame) -> PaceBand | None:
    """The middle half of the steady speeds of the period (None without data).

    Parameters
    ----------
    minutes : pandas.DataFrame
        Steady rows of :func:`runlens.metrics.form_minutes` of every run in the period, with at
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
        Steady rows of :func:`runlens.metrics.form_minutes`, with a ``week`` column (datetime64, the
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
