"""A run's baseline read from the store: only its window's minutes are read (issue 28).

``baseline_for`` (what ``runlens analyze`` judges a run against) reads the steady
minutes of the runs in the baseline's window and counts the runs before it in the
store, instead of reading the whole history; the baseline must be exactly the one
fitted from the whole history's minutes. The sample history (runs every 1-3 days over
three weeks) with a 7-day window: most runs fall outside each window.
"""

from __future__ import annotations

import shutil

import pytest

from runlens.config import Config
from runlens.history import Store, scan
from runlens.history.baseline import history_minutes
from runlens.history.judge import baseline_as_of, baseline_for
from tests.conftest import ROOT

SAMPLES = ROOT / "sample_activities"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("runs")
    names = sorted(p.name for p in SAMPLES.glob("2026-08-*.fit"))[:12]
    for name in names:
        shutil.copy(SAMPLES / name, folder / name)
    db = tmp_path_factory.mktemp("db") / "h.sqlite"
    scan(folder, db, jobs=1)
    return db, folder


def _whole_history(s: Store, path: str, start_s: float, config: Config):
    """The baseline as fitted from every stored minute (before issue 28's change)."""
    minutes = history_minutes(s)
    minutes = minutes[minutes["path"] != path]
    return baseline_as_of(minutes, start_s, config)


def test_window_read_gives_the_whole_history_baseline(store):
    db, folder = store
    config = Config(baseline={"window_days": 7, "min_runs": 2, "min_minutes": 5})
    with Store(db, create=False) as s:
        paths = sorted(str(p.resolve()) for p in folder.iterdir())
        starts = [s.start_of(p) for p in paths]
        assert all(t is not None for t in starts)
        seen_cadence = seen_history_beyond_window = 0
        for p, t in zip(paths, starts):
            got = baseline_for(s, p, t, config)
            want = _whole_history(s, p, t, config)
            assert repr(got) == repr(want), p
            seen_cadence += got.cadence is not None
            seen_history_beyond_window += got.n_history > got.n_runs
        # a run not in the store, after the last one: judged on the last week's runs
        late = max(starts) + 86400.0
        assert repr(baseline_for(s, "/elsewhere/new.fit", late, config)) == repr(
            _whole_history(s, "/elsewhere/new.fit", late, config)
        )
    # the test means something: windows cut history off, and baselines were fitted
    assert seen_history_beyond_window >= 5
    assert seen_cadence >= 3
