"""The per-runner task, in this process: its rows, its file, a runner's failure."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.cohort.gen import FIRST, RUNNERS, _run

pytest.importorskip("pyarrow")


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    from runlens.history.worker import analyse_file
    from runlens.sim.fitwrite import encode_activity, write_fit

    root = tmp_path_factory.mktemp("one") / "squad"
    (root / "dora").mkdir(parents=True)
    offset, runner = RUNNERS["bob"]
    out = []
    for i, day in enumerate((0, 2)):
        p = root / "dora" / f"{i}.fit"
        write_fit(
            p,
            encode_activity(_run(40 + i, FIRST + timedelta(days=day, hours=-1), offset, runner, 5)),
        )
        out.append(analyse_file(str(p)))
    bad = root / "dora" / "x.gpx"
    bad.write_text("<gpx")
    out.append(analyse_file(str(bad)))
    return root, out


def test_runner_task_writes_one_partition(results, tmp_path):
    import pandas as pd

    from runlens.cohort.dataset import write_manifest
    from runlens.cohort.engine_dask import runner_task

    root, res = results
    s = runner_task("dora", str(root), str(tmp_path), res, None)
    assert s["error"] is None and s["files"] == 3 and s["activities"] == 2 and s["counted"] == 2
    assert s["problems"][0][0].endswith("x.gpx") and s["problems"][0][1] == "bad"
    write_manifest(tmp_path, {"root": str(root)})
    df = pd.read_parquet(tmp_path)
    assert df["runner"].astype(str).tolist() == ["dora", "dora"]
    assert df["rel_path"].tolist() == ["dora/0.fit", "dora/1.fit"]
    # bob is at UTC-5: a 04:00 UTC start is 23:00 on the previous local day
    assert [d.isoformat() for d in df["local_date"]] == ["2026-09-06", "2026-09-08"]
    assert df["distance_m"].tolist() == [r["activity"]["summary"]["distance_m"] for r in res[:2]]


def test_a_runner_that_fails_is_reported_not_fatal(results, tmp_path, monkeypatch):
    import runlens.history.analysis as analysis
    from runlens.cohort.engine_dask import runner_task

    def broken(*a, **k):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(analysis, "build_history", broken)
    root, res = results
    s = runner_task("dora", str(root), str(tmp_path), res, None)
    assert s["error"] == "internal error (a bug in runlens): ZeroDivisionError: boom"
    assert s["files"] == 3 and s["activities"] == 0 and s["parquet_file"] == ""
    assert len(s["problems"]) == 1
    assert not list(tmp_path.iterdir())


def test_a_file_holding_three_runs_is_three_rows_as_in_the_local_store(tmp_path):
    """A TCX with a day per <Activity> (issue 23): the runner's partition has a row
    per run, with the paths, distances and counted runs the local scan stores."""
    import pandas as pd

    from runlens.cohort.dataset import write_manifest
    from runlens.cohort.engine_dask import runner_task
    from runlens.history import Store, scan
    from runlens.history.worker import analyse_file
    from tests.history.test_multi_run_files import three_day_tcx

    root = tmp_path / "squad"
    (root / "dora").mkdir(parents=True)
    f = root / "dora" / "export.tcx"
    f.write_bytes(three_day_tcx()[0])
    out = tmp_path / "ds"
    s = runner_task("dora", str(root), str(out), [analyse_file(str(f.resolve()))], None)
    assert s["error"] is None and s["activities"] == 3 and s["counted"] == 3
    write_manifest(out, {"root": str(root)})
    df = pd.read_parquet(out)
    rep = scan(root / "dora", tmp_path / "h.sqlite", jobs=1)
    with Store(tmp_path / "h.sqlite") as st:
        local = st.activities_frame(columns=("distance_m",)).sort_values("path")
    assert rep.runs == 3
    assert df["rel_path"].tolist() == ["dora/export.tcx", "dora/export.tcx#2", "dora/export.tcx#3"]
    assert df["distance_m"].tolist() == local["distance_m"].tolist()
