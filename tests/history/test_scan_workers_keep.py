"""A scan's workers keep the runs they read in memory for the judging pass (issue 28).

The judging pass needs every run stored first, then judges each run on the
baseline of the runs before it; the runs as read are needed again for it. The
same worker processes serve both passes, and each keeps the runs it read in the
scan's temporary folder, or in its own memory up to a budget (0 by default): then
nothing is written to the folder while memory allows. The stored results are the
same either way, and the same as a scan in one process.
"""

from __future__ import annotations

import importlib
import os
from datetime import timedelta

import pytest

from runlens.history import scan
from runlens.sim.fitwrite import encode_activity
from runlens.sim.synth import DEFAULT_START, simulate_run
from tests.history.conftest import dump

judge_mod = importlib.import_module("runlens.history.judge")
pool_mod = importlib.import_module("runlens.history.pool")


def _folder(tmp_path, n=6):
    folder = tmp_path / "watch"
    folder.mkdir()
    for k in range(n):
        run = simulate_run(
            seed=90 + k, duration_s=1500, start=DEFAULT_START + timedelta(days=2 * k)
        )
        (folder / f"run-{k}.fit").write_bytes(encode_activity(run))
    return folder


@pytest.fixture
def kept_files(monkeypatch):
    """The files in the scan's temporary folder when its judging pass starts."""
    seen: list[list[str]] = []
    real = judge_mod._judge

    def spy(store, config, jobs, plan, judge_dir=None, progress=None):
        folder = judge_dir if isinstance(judge_dir, str) else getattr(judge_dir, "folder", None)
        seen.append(sorted(os.listdir(folder)) if folder else [])
        return real(store, config, jobs, plan, judge_dir, progress)

    monkeypatch.setattr(judge_mod, "_judge", spy)
    return seen


def _rows(db):
    d = dump(db)
    d.pop("roots", None)  # when each scan ran
    return d


def test_workers_keep_runs_in_memory_and_store_what_one_process_stores(
    tmp_path, kept_files, monkeypatch
):
    monkeypatch.setattr(pool_mod, "MEMORY_SHARE", 0.25)  # the default (0) keeps none
    monkeypatch.setattr(pool_mod, "memory_budget", lambda jobs: 1 << 30)  # any machine
    folder = _folder(tmp_path)
    two = scan(folder, tmp_path / "two.sqlite", jobs=2)
    assert two.analysed == 6 and two.judged == 6 and two.form_rules == "evaluated"
    assert kept_files == [[]]  # every run stayed in its worker's memory
    one = scan(folder, tmp_path / "one.sqlite", jobs=1)
    assert one.judged == 6
    assert _rows(tmp_path / "two.sqlite") == _rows(tmp_path / "one.sqlite")


def test_by_default_runs_go_to_the_temporary_folder(tmp_path, kept_files):
    """MEMORY_SHARE 0: a scan's peak memory stays that of one run per worker."""
    assert pool_mod.MEMORY_SHARE == 0
    folder = _folder(tmp_path, n=3)
    rep = scan(folder, tmp_path / "two.sqlite", jobs=2)
    assert rep.judged == 3
    assert kept_files and len(kept_files[0]) >= 3  # each run crossed the folder


def test_past_the_memory_budget_runs_go_to_the_temporary_folder_same_results(
    tmp_path, kept_files, monkeypatch
):
    monkeypatch.setattr(pool_mod, "memory_budget", lambda jobs: 1 << 30)  # any machine
    folder = _folder(tmp_path)
    scan(folder, tmp_path / "roomy.sqlite", jobs=2)
    monkeypatch.setattr(pool_mod, "memory_budget", lambda jobs: 0)
    tight = scan(folder, tmp_path / "tight.sqlite", jobs=2)
    assert tight.judged == 6
    assert kept_files[0] == [] and len(kept_files[1]) == 6  # one file per run read
    assert all(f.endswith(".pkl") for f in kept_files[1])
    assert _rows(tmp_path / "roomy.sqlite") == _rows(tmp_path / "tight.sqlite")


def test_a_worker_that_dies_fails_the_scan_without_hanging(tmp_path, monkeypatch):
    from concurrent.futures.process import BrokenProcessPool

    folder = _folder(tmp_path, 3)
    worker_mod = importlib.import_module("runlens.history.worker")

    def die(*args, **kwargs):
        os._exit(3)  # as the kernel's out-of-memory killer would end it

    monkeypatch.setattr(worker_mod, "analyse_file", die)
    with pytest.raises(BrokenProcessPool):
        scan(folder, tmp_path / "h.sqlite", jobs=2)


def test_an_error_in_a_worker_is_raised_in_the_scan(tmp_path, monkeypatch):
    folder = _folder(tmp_path, 4)

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug in the baseline fit")

    monkeypatch.setattr(judge_mod, "baselines_as_of", broken)  # the workers fit the baselines
    with pytest.raises(ZeroDivisionError, match="a bug in the baseline fit"):
        scan(folder, tmp_path / "h.sqlite", jobs=2)


def test_large_tasks_and_large_results_cross_without_deadlock(monkeypatch):
    """A zip member's bytes go to a worker while it sends back a large result (a long
    multi-run file's rows): neither side may wait on the other's full pipe."""
    import threading

    worker_mod = importlib.import_module("runlens.history.worker")

    def echo(path, data, *args, **kwargs):
        return {"path": path, "rows": bytes(len(data))}  # a result as large as the task

    monkeypatch.setattr(worker_mod, "analyse_bytes", echo)
    big = 4 << 20  # far beyond a pipe's buffer
    tasks = [("bytes", (f"m{i}", b"x" * big, big, 0), big) for i in range(8)]
    got: list[str] = []
    workers = pool_mod.ScanWorkers(1, budget=0)
    try:
        t = threading.Thread(target=workers.read, args=(iter(tasks), lambda r: got.append(r["path"])))
        t.start()
        t.join(60)
        assert not t.is_alive(), "the scan and its worker wait on each other"
    finally:
        workers.close(kill=True)
    assert sorted(got) == [f"m{i}" for i in range(8)]
