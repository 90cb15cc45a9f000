"""Build running activities with known patterns, 1 Hz, for the rule tests.

Every channel is a constant base value with optional overrides on minute
windows (``{"cadence_spm": [(15, 25, 156.0)]}`` = 156 steps/min from minute 15
up to, not including, minute 25), plus small seeded noise so that the rules'
smoothing is exercised. The answer of each test is therefore known by
construction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from runlens.model import Activity, Profile, Segment, Source

START = pd.Timestamp("2024-05-01T07:00:00", tz="UTC")

#: Noise (standard deviation) per channel, in the channel's unit: about what a
#: watch shows second to second at steady pace.
NOISE = {
    "speed_m_s": 0.05,
    "cadence_spm": 1.5,
    "ground_contact_ms": 4.0,
    "vertical_oscillation_mm": 2.0,
    "vertical_ratio_pct": 0.15,
    "gct_balance_left_pct": 0.3,
    "heart_rate_bpm": 1.0,
}


def at(minute: float) -> pd.Timestamp:
    """The timestamp ``minute`` minutes after :data:`START`."""
    return START + pd.Timedelta(seconds=60 * minute)


def build_run(
    minutes: float = 40,
    *,
    speed_m_s: float = 3.0,
    cadence_spm: float | None = 172.0,
    ground_contact_ms: float | None = None,
    vertical_oscillation_mm: float | None = None,
    vertical_ratio_pct: float | None = None,
    gct_balance_left_pct: float | None = None,
    heart_rate_bpm: float | None = 150.0,
    grade_pct: float = 0.0,
    overrides: dict[str, list[tuple[float, float, float]]] | None = None,
    developer: dict[str, np.ndarray] | None = None,
    sport: str = "running",
    height_m: float | None = None,
    seed: int = 1,
) -> Activity:
    """A run of ``minutes`` at 1 Hz with the given base values and overrides.

    ``grade_pct`` may also be overridden per window (key ``"grade_pct"``);
    altitude is integrated from it, distance from speed.
    """
    n = int(minutes * 60)
    rng = np.random.default_rng(seed)
    idx = pd.DatetimeIndex(START + pd.to_timedelta(np.arange(n), unit="s"), name="timestamp")
    minute = np.arange(n) / 60.0
    base = {
        "speed_m_s": speed_m_s,
        "cadence_spm": cadence_spm,
        "ground_contact_ms": ground_contact_ms,
        "vertical_oscillation_mm": vertical_oscillation_mm,
        "vertical_ratio_pct": vertical_ratio_pct,
        "gct_balance_left_pct": gct_balance_left_pct,
        "heart_rate_bpm": heart_rate_bpm,
        "grade_pct": grade_pct,
    }
    cols: dict[str, np.ndarray] = {}
    for name, value in base.items():
        if value is None:
            continue
        x = np.full(n, float(value))
        for a, b, v in (overrides or {}).get(name, []):
            x[(minute >= a) & (minute < b)] = v
        if name in NOISE:
            x = x + rng.normal(0.0, NOISE[name], n)
        cols[name] = x
    grade = cols.pop("grade_pct")
    step = np.r_[0.0, cols["speed_m_s"][1:]]  # metres covered in each 1 s
    cols["distance_m"] = np.cumsum(step)
    cols["altitude_m"] = 50.0 + np.cumsum(step * grade / 100.0)
    records = pd.DataFrame(cols, index=idx)
    dev = pd.DataFrame({k: np.asarray(v, float) for k, v in (developer or {}).items()}, index=idx)
    session = Segment(sport, None, idx[0], idx[-1], {})
    return Activity(
        records=records,
        source=Source("<built>", "fit", "0" * 64, 0),
        sport=sport,
        start=idx[0],
        sessions=[session],
        laps=[session],
        profile=Profile(height_m=height_m),
        developer=dev,
        developer_units={k: None for k in dev.columns},
    )


def window(value: float, a: float, b: float, n_minutes: float, base: float) -> np.ndarray:
    """1 Hz array of ``base`` with ``value`` from minute ``a`` to ``b`` (a pod channel)."""
    m = np.arange(int(n_minutes * 60)) / 60.0
    return np.where((m >= a) & (m < b), value, base)
