"""Rolling-window series and the steady-running mask, for the rules layer.

Steady running has one definition, the ``steady`` column of
:func:`runlens.metrics.samples.sample_frame` (:func:`~.samples.steady_flags`).

:func:`rolling` puts an activity on a regular 1 s grid (each record stands for
the seconds since the previous one, as in every runlens average) and takes
trailing time windows, e.g. 30 s or 5 min. :func:`steady_mask` says which
records are steady running in the sense of evidence.md section 2 (speed >=
2 m/s, |grade| < 3 %, after the first 10 minutes). :func:`rolling_median` and
:func:`rolling_mean` are centred time windows over the records themselves
(altitude smoothing, the rules' signals).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..channels import rolling_channels
from ..model import Activity
from .samples import (
    STEADY_MAX_GRADE_PCT,
    STEADY_MIN_SPEED_M_S,
    STEADY_WARMUP_S,
    MetricOptions,
    samples,
    steady_flags,
)
from .window import rolling_mean, rolling_median

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "rolling",
    "rolling_median",
    "rolling_mean",
    "steady_mask",
    "STEADY_MIN_SPEED_M_S",
    "STEADY_MAX_GRADE_PCT",
    "STEADY_WARMUP_S",
    "ROLLING_CHANNELS",
]


#: Channels of :func:`rolling`; dynamics are averaged over running seconds only.
ROLLING_CHANNELS = rolling_channels()  # runlens.channels
_ALL_SECONDS = ("speed_m_s", "heart_rate_bpm", "grade_pct")


def steady_mask(
    activity: Activity,
    *,
    min_speed_m_s: float = STEADY_MIN_SPEED_M_S,
    max_abs_grade_pct: float = STEADY_MAX_GRADE_PCT,
    warmup_s: float = STEADY_WARMUP_S,
    options: MetricOptions | None = None,
) -> np.ndarray:
    """Which records are steady running (evidence.md section 2), per record.

    The ``steady`` column of :func:`~.samples.sample_frame` (with other
    thresholds: :func:`~.samples.steady_flags`), in running sessions, put back
    in the order of ``activity.records``.

    Parameters
    ----------
    activity : Activity
        Not modified.
    min_speed_m_s, max_abs_grade_pct, warmup_s : float
        m/s (2.0), % (3.0), s of timer time (600): see ``steady_flags``.
    options : MetricOptions, optional

    Returns
    -------
    numpy.ndarray of bool
        Aligned with ``activity.records`` (same length and row order).
    """
    frame = samples(activity, running_only=False, options=options)
    out = np.zeros(len(activity.records), dtype=bool)
    defaults = (STEADY_MIN_SPEED_M_S, STEADY_MAX_GRADE_PCT, STEADY_WARMUP_S)
    if (min_speed_m_s, max_abs_grade_pct, warmup_s) == defaults:
        ok = frame["steady"].copy()
    else:
        ok = steady_flags(frame, min_speed_m_s, max_abs_grade_pct, warmup_s)
    ok &= frame["sport"] == "running"
    out[frame["record_pos"]] = ok
    return out


def _seconds(value) -> float:
    import pandas as pd

    if isinstance(value, (int, float)):
        return float(value)
    return pd.Timedelta(value).total_seconds()


def rolling(
    activity: Activity,
    window: str | float = "30s",
    *,
    running_only: bool = True,
    min_coverage: float = 0.5,
    options: MetricOptions | None = None,
) -> pd.DataFrame:
    """Trailing time-window averages on a regular 1 s grid.

    Parameters
    ----------
    activity : Activity
        Not modified.
    window : str or float
        Window length: a pandas offset such as ``"30s"`` or ``"5min"``, or
        seconds.
    running_only : bool
        Multisport files: running sessions only.
    min_coverage : float
        Share of the window that must hold data (0-1) for a value; else NaN.
    options : MetricOptions, optional

    Returns
    -------
    pandas.DataFrame
        Index: UTC second of each window's end, one row per second from the
        first to the last sample. Columns: :data:`ROLLING_CHANNELS` (window
        means in their units; speed, heart rate and grade over every timer
        second, running dynamics over running seconds only), ``running_frac``
        (share of the window's timer seconds that were running), ``steady``
        (the second itself is steady running, :func:`steady_mask` defaults)
        and ``timer_s`` (timer time at the window end, s).

    Notes
    -----
    A record stands for the seconds since the previous record (smart
    recording); grid seconds inside a pause or a dropout hold no value.
    """
    import pandas as pd

    w = _seconds(window)
    if w <= 0:
        raise ValueError(f"window must be positive, got {window!r}")
    frame = samples(activity, running_only=running_only, options=options)
    if len(frame) < 2:
        return pd.DataFrame(columns=[*ROLLING_CHANNELS, "running_frac", "steady", "timer_s"])
    t = frame["t_s"]
    dt = frame["dt_s"]
    t0 = np.floor(t[0])
    grid = t0 + np.arange(int(np.ceil(t[-1] - t0)) + 1, dtype=float)
    # The record covering grid second g is the first one at or after g whose
    # interval (t - dt, t] contains g.
    i = np.searchsorted(t, grid, side="left")
    i = np.clip(i, 0, len(t) - 1)
    covered = (dt[i] > 0) & (grid > t[i] - dt[i]) & (grid <= t[i])
    running = covered & frame["running"][i]
    steady = covered & frame["steady"][i]
    n = max(int(round(w)), 1)
    need = max(int(np.ceil(min_coverage * n)), 1)
    cols: dict[str, np.ndarray] = {}
    for key in ROLLING_CHANNELS:
        if key not in frame:
            continue
        v = np.asarray(frame[key], dtype=float)[i]
        use = covered if key in _ALL_SECONDS else running
        v = np.where(use & np.isfinite(v), v, np.nan)
        s = pd.Series(v)
        cols[key] = s.rolling(n, min_periods=need).mean().to_numpy()
    cov = pd.Series(covered.astype(float)).rolling(n, min_periods=1).sum().to_numpy()
    run = pd.Series(running.astype(float)).rolling(n, min_periods=1).sum().to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        cols["running_frac"] = np.where(cov > 0, run / cov, np.nan)
    cols["steady"] = steady
    cols["timer_s"] = (
        frame["timer_s"][i]
        - np.where(covered, np.clip(t[i] - grid, 0, None), 0.0)
        - frame["timer_s"][0]
    )
    index = pd.DatetimeIndex(pd.to_datetime(grid, unit="s", utc=True), name="timestamp")
    return pd.DataFrame(cols, index=index)
