"""What counts as a run: fragments, whole-hour shifted copies, truncated copies (issue 24).

Known answers from what the test writes: one 4.3 km run saved three times (the
watch's FIT; an app's GPX with every time shifted by exactly 2 hours; a copy
cut off after 0.4 km with the same start), a 61-second test recording, and a
7.9 km run 40 days later whose only activity in the 30 days before is the
fragment.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from runlens import History
from runlens.history import Store
from runlens.history.analysis import build_history
from runlens.sim.fitwrite import encode_activity
from runlens.sim.gpxwrite import to_gpx
from runlens.sim.synth import DEFAULT_START, from_columns, simulate_run


def _prefix(run, n):
    cols = {k: v[:n] for k, v in run.columns.items()}
    return from_columns(cols, start=run.start, lap_distance_m=1000.0)


@pytest.fixture
def history(tmp_path):
    folder = tmp_path / "runs"
    folder.mkdir()
    base = simulate_run(seed=31, duration_s=1500)  # about 4.3 km
    (folder / "watch.fit").write_bytes(encode_activity(base))
    shifted = simulate_run(seed=31, duration_s=1500, start=DEFAULT_START + timedelta(hours=2))
    (folder / "app_local_as_utc.gpx").write_text(to_gpx(shifted))
    n_cut = int(np.searchsorted(base.columns["distance"], 400.0))
    (folder / "export_damaged.fit").write_bytes(encode_activity(_prefix(base, n_cut)))
    frag_day = DEFAULT_START + timedelta(days=35)
    test = simulate_run(seed=32, duration_s=600, start=frag_day)
    (folder / "test_61s.fit").write_bytes(encode_activity(_prefix(test, 62)))
    long_run = simulate_run(seed=33, duration_s=2700, start=DEFAULT_START + timedelta(days=40))
    (folder / "long.fit").write_bytes(encode_activity(long_run))
    h = History(tmp_path / "h.db")
    rep = h.scan(folder, jobs=1)
    return h, rep, base, long_run


def test_shifted_and_truncated_copies_count_once(history):
    h, rep, base, _ = history
    assert rep.activities == 5
    runs = h.runs()
    names = sorted(p.split("/")[-1] for p in runs["path"])
    assert names == ["long.fit", "watch.fit"]  # the FIT with every channel is the richest
    text = " ".join(rep.assumptions)
    assert "app_local_as_utc.gpx = watch.fit (every time shifted +2 h)" in text
    assert "export_damaged.fit = watch.fit (a cut-off copy, 0.4 of 4.3 km)" in text


def test_a_61_second_fragment_is_stored_but_never_a_spike_reference(history):
    h, rep, _, long_run = history
    with Store(h.path, create=False) as store:
        stored = store.activities_frame(columns=("distance_m",))
        assert any(p.endswith("test_61s.fit") for p in stored["path"])  # stored and listed
        hist = build_history(store)
    acts = hist.acts.set_index(hist.acts["path"].str.split("/").str[-1])
    assert "test_61s.fit" not in acts.index
    assert not np.isfinite(acts.loc["long.fit", "longest_prev30_m"])  # no reference at all
    assert hist.counts["fragments"] == 1
    assert any("under 1 km and 3 min" in a and "test_61s.fit" in a for a in rep.assumptions)


def test_the_minimum_is_configurable(history, tmp_path):
    from runlens.config import load_config

    h, _, _, _ = history
    cfg = tmp_path / "c.toml"
    cfg.write_text("[load]\nmin_run_km = 0.1\nmin_run_min = 1\n")
    with Store(h.path, create=False) as store:
        hist = build_history(store, load_config(cfg))
    names = set(hist.acts["path"].str.split("/").str[-1])
    assert "test_61s.fit" in names
