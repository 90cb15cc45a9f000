"""The one steady-running definition and the per-minute form table, on a GPX-like run."""

from __future__ import annotations

import numpy as np
import pandas as pd

from runlens.metrics import form_minutes, sample_frame, steady_mask
from runlens.model import Activity, Source
from runlens.rules._signals import Signals

M_PER_DEG_LAT = 6_371_008.8 * np.pi / 180.0


def _gpx_run(minutes: int = 40, hill=(20, 23)) -> Activity:
    """Positions only (no distance, no speed channel), 3 m/s north, an 8 % climb."""
    n = minutes * 60
    t = pd.date_range("2024-05-01T07:00", periods=n, freq="s", tz="UTC", name="timestamp")
    north = 3.0 * np.arange(n)
    alt = np.zeros(n)
    up = (np.arange(n) >= hill[0] * 60) & (np.arange(n) < hill[1] * 60)
    alt = np.cumsum(np.where(up, 0.08 * 3.0, 0.0))
    rec = pd.DataFrame(
        {
            "lat_deg": 47.0 + north / M_PER_DEG_LAT,
            "lon_deg": np.full(n, 8.0),
            "altitude_m": alt,
            "cadence_spm": np.full(n, 170.0),
            "heart_rate_bpm": np.full(n, 150.0),
        },
        index=t,
    )
    return Activity(records=rec, source=Source("x.gpx", "gpx", "0", 0), sport="running", start=t[0])


def test_gpx_hill_is_not_steady_in_any_of_the_users_of_the_definition():
    act = _gpx_run()
    frame = sample_frame(act)
    g = frame["grade_pct"].to_numpy()
    # grade from positions: 8 % on the climb, 0 on the flat
    assert np.nanmedian(g[(frame["t_s"] - frame["t_s"].iloc[0]).between(1230, 1350)]) > 7.5
    fm = form_minutes(act)
    steady = fm.loc[fm["steady"], "minute"].tolist()
    assert all(m >= 10 for m in steady)  # the first 10 minutes are warm-up
    assert 20 not in steady and 21 not in steady and 22 not in steady  # the climb
    assert {11, 15, 30, 38} <= set(steady)
    # the rules and steady_mask see the same steady samples as the frame
    sig = Signals.of(act, 60.0)
    assert sig.grade_known
    assert abs(sig.seconds(sig.steady()) - frame.loc[frame["steady"], "dt_s"].sum()) <= 60
    assert steady_mask(act).sum() == int(frame["steady"].sum())


def test_form_minutes_columns_and_means():
    fm = form_minutes(_gpx_run())
    assert list(fm.columns)[:5] == ["minute", "start_s", "seconds", "steady_s", "steady"]
    assert len(fm) == 40 and fm["minute"].tolist() == list(range(40))
    flat = fm[fm["minute"].between(12, 18)]
    assert np.allclose(flat["speed_m_s"], 3.0, atol=0.01)
    assert np.allclose(flat["cadence_spm"], 170.0)
    # step length derived from speed and cadence: 3 x 60 / 170
    assert np.allclose(flat["step_length_m"], 3.0 * 60 / 170, atol=0.001)
    assert fm["ground_contact_ms"].isna().all()  # not in the record: NaN, not invented
