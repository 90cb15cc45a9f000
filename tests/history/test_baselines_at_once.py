"""A scan's baselines fitted at once equal each fitted on its own (issue 28).

The judging pass of a cold scan fits one baseline per stored run. Fitting them one
by one converted the whole window frame to arrays and filtered it for every run
(about 4 of a 1,000-run scan's CPU seconds, serially in the scan's own process);
:class:`~runlens.history.baseline.Windows` converts the minutes once and takes each window as a slice.
The answer is known: every baseline equals :func:`personal_baseline`'s for the same
run, to the last bit, on minutes written by hand (in start order as the store
gives them, and shuffled), with and without the runs' ``n_history``.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from runlens.history.baseline import Windows, personal_baseline

DAY = 86400.0


def _minutes(n_runs: int, seed: int = 0) -> pd.DataFrame:
    """Steady minutes of ``n_runs`` runs about a day apart, in start order, 10-40
    minutes each, some channels missing on some runs, two devices and unknown ones."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_runs):
        start = 1.7e9 + i * DAY * rng.choice([0.5, 1.0, 3.0]) + rng.integers(0, 3600)
        dev = ["fr935", "fr265", None, ""][i % 4]
        for _ in range(int(rng.integers(10, 40))):
            v = 2.4 + rng.random()
            rows.append(
                {
                    # names that do not sort in start order (a real folder's names)
                    "path": f"/runs/{(i * 7919) % 1009:04d}.fit",
                    "run_start_s": float(start),
                    "steady_s": float(rng.choice([60.0, 45.0, 0.0], p=[0.8, 0.15, 0.05])),
                    "speed_m_s": v,
                    "cadence_spm": 150 + 8 * v + rng.normal(0, 2),
                    "ground_contact_ms": np.nan if i % 5 == 0 else 260 - 20 * v + rng.normal(0, 5),
                    "vertical_oscillation_mm": 85 + rng.normal(0, 4),
                    "vertical_ratio_pct": 8 + rng.normal(0, 0.5),
                    "gct_balance_left_pct": 50 + rng.normal(0, 0.8),
                    "respiration_rate_brpm": np.nan if i % 3 else 30 + 4 * v + rng.normal(0, 1),
                    "device": dev,
                }
            )
    df = pd.DataFrame(rows)
    return df.sort_values("run_start_s", kind="stable").reset_index(drop=True)


def _doc(pb) -> str:
    return json.dumps(pb.to_dict(), sort_keys=True)


def _as_of(minutes: pd.DataFrame) -> list[float]:
    starts = sorted(set(minutes["run_start_s"].tolist()))
    # each run's own start (as the judging pass asks), before all and after all
    return [starts[0] - DAY, *starts, starts[-1] + 1.0, starts[-1] + 200 * DAY]


def personal_baselines(minutes, as_of, n_history=None, **window):
    """Many baselines from one :class:`Windows` of the minutes, as the judging pass
    fits them (runlens.history.judge.baselines_as_of)."""
    w = Windows(minutes)
    nh = n_history if n_history is not None else [None] * len(as_of)
    return [personal_baseline(w, t, n_history=n, **window) for t, n in zip(as_of, nh)]


@pytest.mark.parametrize("order", ["start", "shuffled"])
def test_each_baseline_equals_the_single_fit(order):
    minutes = _minutes(120)
    if order == "shuffled":  # not in start order: windows are masks, not slices
        minutes = minutes.sample(frac=1.0, random_state=3).reset_index(drop=True)
    as_of = _as_of(minutes)
    many = personal_baselines(minutes, as_of)
    assert len(many) == len(as_of)
    fitted = 0
    for t, pb in zip(as_of, many):
        assert _doc(pb) == _doc(personal_baseline(minutes, t))
        fitted += pb.cadence is not None
    # the history is rich enough that most windows give a cadence line, some bands,
    # some a breathing line, and the first ones too little
    assert fitted > 60
    assert many[0].cadence is None and many[0].n_runs == 0 and many[0].n_history == 0
    assert any(pb.breathing is not None for pb in many)
    assert any(pb.bands for pb in many)


def test_window_settings_and_n_history_pass_through():
    minutes = _minutes(80, seed=1)
    arrays = {c: minutes[c].to_numpy() for c in minutes}  # a store's window: a dict
    as_of = _as_of(minutes)
    n_history = [k * 3 for k in range(len(as_of))]  # as the store counts them
    many = personal_baselines(
        arrays, as_of, window_days=21, min_activities=2, min_minutes=10, n_history=n_history
    )
    for t, n, pb in zip(as_of, n_history, many):
        one = personal_baseline(
            arrays, t, window_days=21, min_activities=2, min_minutes=10, n_history=n
        )
        assert _doc(pb) == _doc(one)
        assert pb.n_history == n and pb.window_days == 21


def test_no_minutes():
    empty = _minutes(3).iloc[0:0]
    (pb,) = personal_baselines(empty, [1.7e9])
    assert _doc(pb) == _doc(personal_baseline(empty, 1.7e9))
    assert pb.cadence is None and pb.n_runs == 0


def test_a_slice_of_the_rows_fits_as_the_rows_picked_one_by_one():
    """In start order a window is a slice of the arrays; picked by a mask (as one
    baseline at a time did before) the same rows give the same floats."""
    minutes = _minutes(100, seed=2)
    as_of = _as_of(minutes)
    picked = Windows(minutes)
    assert picked.sorted
    picked.sorted = False  # each window by np.flatnonzero of its mask
    for t, pb in zip(as_of, personal_baselines(minutes, as_of)):
        assert _doc(pb) == _doc(personal_baseline(picked, t))
