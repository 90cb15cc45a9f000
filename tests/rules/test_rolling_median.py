"""The fast centred rolling median equals pandas' time-based one exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from runlens.rules._signals import _regular_move_median, rolling_median


def _pandas(v, idx, w):
    s = pd.Series(v, index=idx)
    return s.rolling(pd.Timedelta(seconds=w), center=True, min_periods=1).median().to_numpy()


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 400),
    step=st.sampled_from([1, 2, 5]),
    window=st.sampled_from([2, 10, 30, 60, 120]),
    nan_share=st.floats(0, 0.6),
    seed=st.integers(0, 2**16),
)
def test_regular_spacing_matches_pandas(n, step, window, nan_share, seed):
    rng = np.random.default_rng(seed)
    v = rng.normal(160, 8, n).round(1)  # ties included
    v[rng.random(n) < nan_share] = np.nan
    idx = pd.date_range("2026-01-01", periods=n, freq=f"{step}s", tz="UTC")
    got = rolling_median(v, idx, window)
    np.testing.assert_array_equal(got, _pandas(v, idx, window))


def test_uneven_spacing_falls_back_to_pandas():
    t = np.cumsum([0, 1, 1, 3, 1, 7, 1, 1, 2])
    idx = pd.to_datetime(t, unit="s", utc=True)
    v = np.array([1, 5, 2, 8, 3, 9, 4, 6, 7], dtype=float)
    assert _regular_move_median(v, idx, 4) is None
    np.testing.assert_array_equal(rolling_median(v, idx, 4), _pandas(v, idx, 4))


def test_known_values():
    # 1 Hz, 4 s window: samples in (t-2, t+2] -> i-1 .. i+2.
    idx = pd.date_range("2026-01-01", periods=6, freq="1s", tz="UTC")
    v = np.array([1.0, 9.0, 2.0, 8.0, 3.0, 7.0])
    # i=0: {1,9,2} -> 2; i=1: {1,9,2,8} -> 5; i=2: {9,2,8,3} -> 5.5;
    # i=3: {2,8,3,7} -> 5; i=4: {8,3,7} -> 7; i=5: {3,7} -> 5
    np.testing.assert_array_equal(rolling_median(v, idx, 4), [2, 5, 5.5, 5, 7, 5])
