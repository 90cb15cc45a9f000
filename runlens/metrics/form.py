"""The per-minute form table: one row per minute of running, with a steady flag.

:func:`form_minutes` cuts the running samples of an activity
(:func:`runlens.metrics.samples.sample_frame`, running sessions only) into
minutes of timer time and gives each minute the time-weighted means of speed,
grade and every form channel the record carries. A minute is *steady* when at
least :data:`MIN_STEADY_S` of it are steady running (the frame's ``steady``
column: evidence.md section 2). This table is what the history store keeps of
each run (docs/history.md), what the personal baselines are fitted from
(:mod:`runlens.history.baseline`) and what the weekly form charts read
(:mod:`runlens.report.charts.trends`); docs/data-model.md lists its columns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..channels import form_channels
from .samples import MetricOptions, samples

if TYPE_CHECKING:
    import pandas as pd

    from ..model import Activity

__all__ = [
    "FORM_CHANNELS", "FORM_COLUMNS", "MIN_STEADY_S", "form_minutes", "form_minute_columns",
    "empty_form_minutes",
]

#: Per-minute channels: time-weighted means over the minute's running samples,
#: in the sample frame's units; NaN where the record has no such field. The
#: channels with a ``store`` place in runlens.channels, in the store's column
#: order; a new one is added there, with a store migration, and the store, the
#: baselines and the charts carry it.
FORM_CHANNELS = form_channels()
#: Channels computed from others rather than averaged: steps per breath is the
#: minute's mean step rate over its mean breathing rate, both over the samples
#: that carry both (as :func:`runlens.metrics.summary.steps_per_breath`).
_RATIO_CHANNELS = ("steps_per_breath",)
#: Every column of :func:`form_minutes`, in order.
FORM_COLUMNS = ("minute", "start_s", "seconds", "steady_s", "steady", *FORM_CHANNELS)
#: A minute is steady when at least this many of its seconds are steady running, s.
MIN_STEADY_S = 45.0


def empty_form_minutes() -> pd.DataFrame:
    """A form table with no rows (the columns and dtypes of :func:`form_minutes`)."""
    import pandas as pd

    out = {c: pd.Series(dtype=float) for c in FORM_COLUMNS}
    out["minute"] = pd.Series(dtype="int64")
    out["steady"] = pd.Series(dtype=bool)
    return pd.DataFrame(out)


def form_minutes(activity: Activity, options: MetricOptions | None = None) -> pd.DataFrame:
    """One row per minute of running, with its form metrics and a steady flag.

    Minutes are whole minutes of timer time from the start of the activity
    (pauses and dropouts add none), so the table does not depend on how
    often the device recorded.

    Parameters
    ----------
    activity : Activity
        Not modified.
    options : MetricOptions, optional

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FORM_COLUMNS`: ``minute`` (0-based minute of timer
        time), ``start_s`` (Unix s, UTC, of the minute's first running
        sample), ``seconds`` (running seconds in it, s), ``steady_s`` (steady
        seconds, s), ``steady`` (``steady_s >= 45``) and the
        :data:`FORM_CHANNELS` means (speed m/s, grade %, steps/min, m, ms,
        %, mm, %, % left, 1/min, W, breaths/min) and steps per breath (the
        minute's step rate over its breathing rate). Only minutes with running seconds; empty
        for a file that is not a run or has no running samples.

    Examples
    --------
    >>> import pandas as pd
    >>> from runlens.model import Activity, Source
    >>> idx = pd.date_range("2024-05-01", periods=1200, freq="s", tz="UTC")
    >>> rec = pd.DataFrame({"speed_m_s": 3.0, "cadence_spm": 170.0,
    ...                     "distance_m": 3.0 * pd.RangeIndex(1200)}, index=idx)
    >>> act = Activity(rec, source=Source("<bytes>", "fit", "", 0), sport="running")
    >>> fm = form_minutes(act)
    >>> len(fm), int(fm["steady"].sum()), float(fm["cadence_spm"].iloc[-1])
    (20, 10, 170.0)
    """
    import pandas as pd

    cols = form_minute_columns(activity, options)
    if cols is None:
        return empty_form_minutes()
    return pd.DataFrame(cols, columns=list(FORM_COLUMNS))


def form_minute_columns(
    activity: Activity, options: MetricOptions | None = None
) -> dict[str, np.ndarray] | None:
    """:func:`form_minutes` as NumPy columns (:data:`FORM_COLUMNS`, in order), without
    pandas; None where the table would be empty."""
    if not activity.is_running:
        return None
    frame = samples(activity, running_only=True, options=options)
    dt = frame["dt_s"]
    use = frame["running"] & (dt > 0)
    if not use.any():
        return None
    timer = frame["timer_s"]
    minute_all = np.floor((timer - timer[0]) / 60.0).astype(np.int64)
    m_used = minute_all[use]
    minutes, slot = np.unique(m_used, return_inverse=True)
    k = minutes.size
    w = dt[use]
    seconds = np.bincount(slot, weights=w, minlength=k)
    steady_s = np.bincount(
        slot, weights=np.where(frame["steady"][use], w, 0.0), minlength=k
    )
    t = frame["t_s"][use]
    start = np.full(k, np.inf)
    np.minimum.at(start, slot, t)
    out: dict[str, np.ndarray] = {
        "minute": minutes,
        "start_s": start,
        "seconds": seconds,
        "steady_s": steady_s,
        "steady": steady_s >= MIN_STEADY_S,
    }
    for col in FORM_CHANNELS:
        if col in _RATIO_CHANNELS:
            continue
        if col not in frame:
            out[col] = np.full(k, np.nan)
            continue
        x = np.asarray(frame[col], dtype=float)[use]
        ok = np.isfinite(x)
        ww = np.where(ok, w, 0.0)
        s = np.bincount(slot, weights=np.where(ok, x, 0.0) * ww, minlength=k)
        c = np.bincount(slot, weights=ww, minlength=k)
        with np.errstate(divide="ignore", invalid="ignore"):
            # Half of a minute's running seconds with a value, or none.
            out[col] = np.where((c > 0) & (c >= seconds / 2), s / c, np.nan)
    out["steps_per_breath"] = _steps_per_breath(frame, use, slot, w, seconds, k)
    return {c: out[c] for c in FORM_COLUMNS}


def _steps_per_breath(frame, use, slot, w, seconds, k) -> np.ndarray:
    """Per minute: mean step rate / mean breathing rate over the samples with both."""
    if "cadence_spm" not in frame or "respiration_rate_brpm" not in frame:
        return np.full(k, np.nan)
    cad = np.asarray(frame["cadence_spm"], dtype=float)[use]
    br = np.asarray(frame["respiration_rate_brpm"], dtype=float)[use]
    ww = np.where(np.isfinite(cad) & np.isfinite(br) & (br > 0), w, 0.0)
    c = np.bincount(slot, weights=ww, minlength=k)
    sc = np.bincount(slot, weights=np.where(ww > 0, cad, 0.0) * ww, minlength=k)
    sb = np.bincount(slot, weights=np.where(ww > 0, br, 0.0) * ww, minlength=k)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((c > 0) & (c >= seconds / 2), sc / sb, np.nan)
