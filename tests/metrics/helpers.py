"""Build Activity objects with known patterns (no file needed)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from runlens.model import Activity, Pause, Segment, Source

T0 = pd.Timestamp("2024-05-01 07:00:00", tz="UTC")


def make_activity(
    t_s,
    *,
    sport: str = "running",
    fmt: str = "fit",
    pauses: list[tuple[float, float]] | None = None,
    laps: list[float] | None = None,
    session: bool = True,
    **columns,
) -> Activity:
    """An Activity with samples at ``T0 + t_s`` seconds and the given columns.

    ``pauses`` are (stop, start) seconds; ``laps`` the lap start seconds.
    """
    t = np.asarray(t_s, dtype=float)
    index = pd.DatetimeIndex(T0 + pd.to_timedelta(t, unit="s"), name="timestamp")
    rec = pd.DataFrame({k: np.asarray(v, dtype=float) for k, v in columns.items()}, index=index)
    end = index[-1]
    sessions = [Segment(sport, None, index[0], end, {})] if session else []
    lap_segs = []
    if laps:
        starts = [T0 + pd.Timedelta(seconds=s) for s in laps]
        ends = starts[1:] + [end]
        lap_segs = [Segment(None, None, s, e, {}) for s, e in zip(starts, ends)]
    return Activity(
        records=rec,
        source=Source("<test>", fmt, "0" * 64, 0),
        sport=sport,
        start=index[0],
        sessions=sessions,
        laps=lap_segs,
        pauses=[
            Pause(T0 + pd.Timedelta(seconds=a), T0 + pd.Timedelta(seconds=b))
            for a, b in (pauses or [])
        ],
    )


def steady_run(duration_s: int = 1800, speed: float = 3.0, cadence: float = 170.0, **extra):
    """1 Hz run at constant speed and cadence on the flat."""
    t = np.arange(duration_s + 1, dtype=float)
    cols = {
        "distance_m": speed * t,
        "speed_m_s": np.full(t.size, speed),
        "cadence_spm": np.full(t.size, cadence),
        "altitude_m": np.full(t.size, 100.0),
    }
    cols.update(extra)
    return make_activity(t, **cols)
