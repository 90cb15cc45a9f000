"""Centred time windows over a channel's samples: rolling median and mean.

The primitive every smoother of runlens uses (altitude smoothing in
:mod:`.elevation`, the rules' signals, :mod:`.rolling`), kept below them all so
that none of them imports another for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..units import index_seconds

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["rolling_median", "rolling_mean"]


def rolling_median(values: np.ndarray, index: pd.DatetimeIndex, window_s: float) -> np.ndarray:
    """Centred, time-based rolling median (NaN ignored).

    Parameters
    ----------
    values : numpy.ndarray
        Samples, any unit (returned in the same unit).
    index : pandas.DatetimeIndex
        Sample times, increasing.
    window_s : float
        Window width in seconds (centred on each sample).

    Returns
    -------
    numpy.ndarray
        The median of the samples within +-window_s/2, NaN where none is finite.
    """
    v = np.asarray(values, dtype=float)
    if window_s <= 0 or v.size == 0:
        return v.copy()
    fast = _regular_move_median(v, index, window_s)
    if fast is not None:
        return fast
    import pandas as pd

    s = pd.Series(v, index=index)
    r = s.rolling(pd.Timedelta(seconds=window_s), center=True, min_periods=1).median()
    return r.to_numpy(dtype=float)


def _regular_move_median(v: np.ndarray, index, window_s: float) -> np.ndarray | None:
    """The same centred median as pandas, for evenly spaced samples, in C.

    pandas' centred time window holds the samples in (t - w/2, t + w/2]. With a
    spacing of d seconds and h = w / (2 d) whole, that is samples i-h+1 .. i+h:
    a trailing window of 2h samples ending h samples later, which bottleneck's
    move_median computes in O(n log w) (about 6x faster than pandas on a 2-hour
    run). Returns None when the spacing is uneven (smart recording) or h is not
    whole, and the caller uses pandas.
    """
    if v.size < 2:
        return None
    try:
        import bottleneck as bn
    except ImportError:  # pragma: no cover - bottleneck is a dependency
        return None
    dt = np.diff(index_seconds(index))
    d = float(dt[0])
    if d <= 0 or not np.all(dt == d):
        return None
    h = window_s / (2.0 * d)
    if h < 1 or h != int(h):
        return None
    h = int(h)
    if v.size < h:  # shorter than half a window: bottleneck needs window <= length
        return None
    padded = np.concatenate([v, np.full(h, np.nan)])
    return bn.move_median(padded, window=2 * h, min_count=1)[h : h + v.size]


def rolling_mean(values: np.ndarray, index: pd.DatetimeIndex, window_s: float) -> np.ndarray:
    """Centred, time-based rolling mean (NaN ignored); see :func:`rolling_median`."""
    import pandas as pd

    s = pd.Series(np.asarray(values, dtype=float), index=index)
    if window_s <= 0 or s.empty:
        return s.to_numpy(copy=True)
    r = s.rolling(pd.Timedelta(seconds=window_s), center=True, min_periods=1).mean()
    return r.to_numpy(dtype=float)
