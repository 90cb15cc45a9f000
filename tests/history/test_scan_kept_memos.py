"""The scan's judging pass reuses what the reading pass derived from each run (issue 28).

A cold scan reads each file in a worker (summary, form table) and judges its
runs afterwards, once every run is stored. The worker keeps each run as read
together with its running sample frame, so the rules in the judging pass do
not build it again: per run of a cold scan, one sample frame in all. The
findings are those of a run read afresh from its file. The frames double what
the scan keeps on disk, so they are kept only where the disk has room for it.
"""

from __future__ import annotations

import importlib
import json
from collections import Counter
from datetime import timedelta

import pytest

import runlens.memo as memo_mod
from runlens.history import scan
from runlens.history.worker import analyse_file, judge_file
from runlens.sim.fitwrite import encode_activity
from runlens.sim.synth import DEFAULT_START, simulate_run

scan_mod = importlib.import_module("runlens.history.scan")  # the module, not the function


@pytest.fixture
def frames_built(monkeypatch):
    """Counter of values computed through runlens.memo.memo, by their key's name."""
    count: Counter = Counter()
    real = memo_mod.memo

    def counted(activity, key, compute):
        def run():
            count[key[0] if isinstance(key, tuple) else key] += 1
            return compute()

        return real(activity, key, run)

    monkeypatch.setattr(memo_mod, "memo", counted)
    return count


def _folder(tmp_path, n=5):
    folder = tmp_path / "watch"
    folder.mkdir()
    for k in range(n):
        run = simulate_run(
            seed=70 + k, duration_s=1500, start=DEFAULT_START + timedelta(days=2 * k)
        )
        (folder / f"run-{k}.fit").write_bytes(encode_activity(run))
    return folder


def test_a_cold_scan_builds_each_runs_sample_frame_once(tmp_path, frames_built):
    folder = _folder(tmp_path)
    rep = scan(folder, tmp_path / "h.sqlite", jobs=1)
    assert rep.analysed == 5 and rep.judged == 5 and rep.form_rules == "evaluated"
    # the summary builds it while reading; the rules of the judging pass reuse it
    assert frames_built["samples"] == 5


def test_judging_from_what_the_scan_kept_gives_the_findings_of_a_fresh_read(tmp_path):
    folder = _folder(tmp_path, 1)
    path = str(next(folder.iterdir()))
    kept = tmp_path / "kept"
    kept.mkdir()
    assert analyse_file(path, judge_dir=str(kept), keep_memos=True)["status"] == "ok"
    for stored in (
        None,
        {"sport": "running", "utc_offset_s": 3600},
        {"sport": "trail_running", "utc_offset_s": None},
    ):
        fresh = judge_file(path, None, None, stored, None)
        again = judge_file(path, None, None, stored, str(kept))
        assert fresh["error"] is None and fresh["form_rules"] == "evaluated"
        assert json.dumps(again) == json.dumps(fresh)


def test_without_room_on_disk_the_frames_are_built_again_with_the_same_findings(
    tmp_path, frames_built, monkeypatch
):
    folder = _folder(tmp_path, 3)
    roomy = scan(folder, tmp_path / "a.sqlite", jobs=1)
    assert frames_built["samples"] == 3
    frames_built.clear()
    monkeypatch.setattr(scan_mod, "KEEP_DISK_MARGIN", 1 << 62)  # no disk has that free
    tight = scan(folder, tmp_path / "b.sqlite", jobs=1)
    assert frames_built["samples"] == 6  # the rules build each again
    assert tight.judged == roomy.judged == 3

    def findings(db):
        from runlens.store.db import Store

        with Store(db) as st:
            return sorted((p, fj) for p, _, _, _, _, fj, _ in st.judgements())

    assert findings(tmp_path / "a.sqlite") == findings(tmp_path / "b.sqlite")
