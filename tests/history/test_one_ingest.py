"""One ingest (issue 23): a scan decodes each new or changed file once, judging
included; a rescan decodes nothing; adding a run decodes that run only.

Decodes are counted at the decoders (FIT: fitfast/fitparse through
``runlens.io._read_fit``; GPX: ``runlens.io._read_gpx``; TCX:
``runlens.io.tcx.decode_tcx``), in-process (``jobs=1``).
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

import runlens.io as rio
import runlens.io.tcx as rtcx
from runlens.history import Store, scan
from runlens.history.judge import judge_history
from runlens.sim.fitwrite import encode_activity
from runlens.sim.synth import DEFAULT_START, simulate_run
from tests.history.test_multi_run_files import three_day_tcx

SAMPLES = Path(__file__).resolve().parents[2] / "sample_activities"


@pytest.fixture
def decodes(monkeypatch):
    """Counter: file name -> times decoded."""
    count: Counter = Counter()

    def wrap(fn, name_of):
        def counted(*args, **kwargs):
            count[Path(name_of(args)).name] += 1
            return fn(*args, **kwargs)

        return counted

    monkeypatch.setattr(rio, "_read_fit", wrap(rio._read_fit, lambda a: a[0].name))
    monkeypatch.setattr(rio, "_read_gpx", wrap(rio._read_gpx, lambda a: a[0].name))
    monkeypatch.setattr(rtcx, "decode_tcx", wrap(rtcx.decode_tcx, lambda a: a[1]))
    return count


def _runs_folder(tmp_path, n=6):
    folder = tmp_path / "watch"
    folder.mkdir()
    for k in range(n):
        run = simulate_run(
            seed=40 + k, duration_s=1500, start=DEFAULT_START + timedelta(days=3 + 2 * k)
        )
        (folder / f"run-{k}.fit").write_bytes(encode_activity(run))
    (folder / "export.tcx").write_bytes(three_day_tcx()[0])
    return folder


def test_a_cold_scan_decodes_each_file_once_and_a_rescan_none(tmp_path, decodes):
    folder = _runs_folder(tmp_path)
    db = tmp_path / "h.sqlite"
    rep = scan(folder, db, jobs=1)
    assert rep.analysed == 7 and rep.runs == 9
    assert rep.judged == 9  # every counted run judged on its own baseline...
    assert dict(decodes) == {p.name: 1 for p in folder.iterdir()}  # ...from one decode
    decodes.clear()
    rep = scan(folder, db, jobs=1)
    assert rep.read == 0 and not decodes
    rep = scan(folder, db, jobs=1, rescan=True)  # read again on purpose: still once each
    assert dict(decodes) == {p.name: 1 for p in folder.iterdir()}


def test_adding_a_run_decodes_only_that_run(tmp_path, decodes):
    folder = _runs_folder(tmp_path)
    db = tmp_path / "h.sqlite"
    scan(folder, db, jobs=1)
    decodes.clear()
    later = simulate_run(seed=99, duration_s=1500, start=DEFAULT_START + timedelta(days=30))
    (folder / "new.fit").write_bytes(encode_activity(later))
    rep = scan(folder, db, jobs=1)
    assert rep.analysed == 1 and rep.judged == 1
    assert dict(decodes) == {"new.fit": 1}


def test_judging_from_the_kept_runs_equals_judging_by_reading_again(tmp_path):
    folder = _runs_folder(tmp_path)
    db = tmp_path / "h.sqlite"
    scan(folder, db, jobs=1)
    with Store(db) as s:
        once = dict(s.conn.execute("SELECT path, findings_json FROM activities"))
        s.conn.execute("UPDATE activities SET judged_as = NULL, findings_json = '[]'")
        s.set_meta("judge_inputs", {})
        judge_history(s, None, 1)  # no kept runs: every file read again
        again = dict(s.conn.execute("SELECT path, findings_json FROM activities"))
    assert once == again
    assert any(json.loads(v) for v in once.values())


def test_the_sample_history_is_decoded_once(tmp_path, decodes):
    """The issue's measurement: 25 FIT files of sample_activities, 50 decodes before."""
    folder = tmp_path / "samples"
    shutil.copytree(SAMPLES, folder)
    files = [p.name for p in folder.iterdir() if p.suffix in (".fit", ".gpx", ".tcx", ".gz")]
    rep = scan(folder, tmp_path / "h.sqlite", jobs=1)
    assert rep.analysed == len(files) - rep.bad - rep.skipped
    assert set(decodes.values()) == {1} and len(decodes) == len(files)
