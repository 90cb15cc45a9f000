"""Write small, exact GPX runs for history tests (a straight line north).

Points every 10 s at 2.5 m/s: each step is 25 m along a meridian, so a run's
haversine distance is steps x 25 m (to float precision), known in advance.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

STEP_S = 10
SPEED_M_S = 2.5
EARTH_RADIUS_M = 6_371_008.8  # as runlens.metrics.summary
DEG_PER_M = 180.0 / (math.pi * EARTH_RADIUS_M)


def gpx_run(start: dt.datetime, distance_m: float, *, sport: str = "running", lat0=52.0) -> str:
    """GPX text of one run of ``distance_m`` (a multiple of 25 m) from ``start`` (UTC)."""
    steps = round(distance_m / (SPEED_M_S * STEP_S))
    assert abs(steps * SPEED_M_S * STEP_S - distance_m) < 1e-6, "use multiples of 25 m"
    pts = []
    for i in range(steps + 1):
        t = (start + dt.timedelta(seconds=i * STEP_S)).strftime("%Y-%m-%dT%H:%M:%SZ")
        lat = lat0 + i * SPEED_M_S * STEP_S * DEG_PER_M
        pts.append(f'<trkpt lat="{lat:.9f}" lon="4.000000000"><time>{t}</time></trkpt>')
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="runlens tests" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><type>{sport}</type><trkseg>{''.join(pts)}</trkseg></trk></gpx>\n"
    )


def write_history(folder: Path, runs: list[tuple[dt.datetime, float]]) -> list[Path]:
    """Write one GPX file per (start, distance_m); returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i, (start, d) in enumerate(runs):
        p = folder / f"{i:04d}-{start:%Y%m%d}.gpx"
        p.write_text(gpx_run(start, d), encoding="utf-8")
        out.append(p)
    return out


MONDAY = dt.datetime(2024, 1, 1, 7, 0, tzinfo=dt.timezone.utc)  # a Monday


def steady_weeks(n_weeks: int, km: float = 8.0) -> list[tuple[dt.datetime, float]]:
    """Five runs a week (Monday to Friday, 07:00 UTC) of ``km`` each."""
    return [
        (MONDAY + dt.timedelta(weeks=w, days=d), km * 1000.0)
        for w in range(n_weeks)
        for d in range(5)
    ]


def spike_history() -> tuple[list[tuple[dt.datetime, float]], dict[str, str]]:
    """Ten weeks of 5 x 8 km with two known events; returns runs and expected flags.

    - Week 6 (2024-02-12): Wednesday 12 km (50 % over the 30-day longest, 8 km)
      and Thursday 4 km, so the week stays at 40 km (no weekly change).
    - Week 7 (2024-02-19): seven runs of 8 km = 56 km, +40 % on 40 km, with no
      run longer than 8 km (no session spike).
    """
    runs = []
    for w in range(10):
        days = range(7) if w == 7 else range(5)
        for d in days:
            km = 8.0
            if w == 6 and d == 2:
                km = 12.0
            elif w == 6 and d == 3:
                km = 4.0
            runs.append((MONDAY + dt.timedelta(weeks=w, days=d), km * 1000.0))
    return runs, {"session_spike": "2024-02-12", "weekly_increase": "2024-02-19"}
