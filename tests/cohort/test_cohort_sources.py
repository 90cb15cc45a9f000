"""The cohort engine reads what the local scan reads (issue 23): FIT, TCX (a file
holding three runs), and a runner whose folder holds only a Strava export zip
whose activities.csv names the sport; per runner, the same runs and weekly
numbers as a local scan of that runner's folder."""

from __future__ import annotations

import gzip
import io
import zipfile
from datetime import timedelta

import pytest

pytest.importorskip("distributed")
pytest.importorskip("pyarrow")

from runlens.history import Store, build_history, scan  # noqa: E402
from runlens.sim.fitwrite import encode_activity  # noqa: E402
from runlens.sim.gpxwrite import to_gpx  # noqa: E402
from runlens.sim.synth import DEFAULT_START, simulate_run  # noqa: E402
from tests.history.test_multi_run_files import three_day_tcx  # noqa: E402


def _run(seed, days):
    return simulate_run(seed=seed, duration_s=1800, start=DEFAULT_START + timedelta(days=days))


def _squad(root):
    dora = root / "dora"
    dora.mkdir(parents=True)
    (dora / "a.fit").write_bytes(encode_activity(_run(1, 5)))
    (dora / "b.fit").write_bytes(encode_activity(_run(2, 9)))
    (dora / "export.tcx").write_bytes(three_day_tcx()[0])  # days 0, 1, 2
    eve = root / "eve"
    eve.mkdir()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("activities/101.fit.gz", gzip.compress(encode_activity(_run(3, 1))))
        gpx = to_gpx(_run(4, 4)).replace("<type>running</type>", "")
        z.writestr("activities/102.gpx.gz", gzip.compress(gpx.encode()))
        z.writestr(
            "activities.csv",
            "Activity ID,Activity Date,Activity Name,Activity Type,Filename\n"
            "101,x,Morning Run,Run,activities/101.fit.gz\n"
            "102,x,Evening Run,Run,activities/102.gpx.gz\n",
        )
    (eve / "export_123.zip").write_bytes(buf.getvalue())


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    from distributed import LocalCluster

    from runlens.cohort import scan_cohort

    base = tmp_path_factory.mktemp("sources")
    root = base / "squad"
    _squad(root)
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                      dashboard_address=None) as cluster:
        rep = scan_cohort(root, base / "out", scheduler=cluster.scheduler_address)
    for name in ("dora", "eve"):
        scan(root / name, base / f"{name}.sqlite", jobs=1)
    return base, root, rep


def test_every_runner_and_every_run_is_read(scanned):
    import pandas as pd

    base, root, rep = scanned
    df = pd.read_parquet(base / "out")
    assert sorted(df["runner"].astype(str).unique()) == ["dora", "eve"]
    for name, n in (("dora", 5), ("eve", 2)):
        rows = df[df["runner"].astype(str) == name].sort_values("path")
        with Store(base / f"{name}.sqlite") as s:
            local = s.activities_frame(columns=("distance_m", "sport")).sort_values("path")
        assert len(rows) == len(local) == n
        assert rows["path"].tolist() == local["path"].tolist()
        assert rows["distance_m"].tolist() == pytest.approx(local["distance_m"].tolist())
        assert rows["sport"].tolist() == local["sport"].tolist()
    # the export list named the GPX's sport, as in the local scan
    assert set(df[df["runner"].astype(str) == "eve"]["sport"]) == {"running"}


def test_weekly_numbers_per_runner_equal_the_local_scan(scanned):
    from runlens.cohort import cohort_weekly, frame_from_dataset

    base, _, _ = scanned
    cw = cohort_weekly(frame_from_dataset(base / "out"))
    for name in ("dora", "eve"):
        with Store(base / f"{name}.sqlite", create=False) as s:
            h = build_history(s)
        row = cw.table.loc[name].dropna()
        assert [w.date() for w in row.index] == [w.date() for w in h.weeks["week"]]
        assert row.tolist() == pytest.approx(h.weeks["load"].tolist())
        assert cw.counts.at[name, "runs"] == h.counts["runs"]


def test_a_second_cohort_scan_reads_only_what_changed(tmp_path, monkeypatch):
    """Decoder calls (in-process workers): a second scan of the same squad none,
    one after a file is added; the dataset as a scan from nothing writes it."""
    import os

    import pandas as pd
    from distributed import LocalCluster

    import runlens.io as rio
    from runlens.cohort import scan_cohort

    decoded: list[str] = []
    real = rio._read_fit

    def counted(*args, **kwargs):
        decoded.append(os.path.basename(str(getattr(args[0], "name", args[0]))))
        return real(*args, **kwargs)

    monkeypatch.setattr(rio, "_read_fit", counted)
    root = tmp_path / "squad"
    _squad(root)
    out = tmp_path / "out"

    def rows(where):
        df = pd.read_parquet(where)
        df["runner"] = df["runner"].astype(str)
        return df.sort_values("path").reset_index(drop=True)

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                      dashboard_address=None) as cluster:
        addr = cluster.scheduler_address
        scan_cohort(root, out, scheduler=addr)
        assert sorted(decoded) == ["101.fit.gz", "a.fit", "b.fit"]  # every FIT once
        first = rows(out)
        decoded.clear()
        rep = scan_cohort(root, out, scheduler=addr)
        assert decoded == []  # nothing changed: nothing read
        assert rep.activities == 7
        pd.testing.assert_frame_equal(rows(out), first)
        (root / "dora" / "c.fit").write_bytes(encode_activity(_run(5, 12)))
        scan_cohort(root, out, scheduler=addr)
        assert decoded == ["c.fit"]  # the new file alone
        # the same dataset as a cohort scan from nothing
        scan_cohort(root, tmp_path / "fresh", scheduler=addr)
        pd.testing.assert_frame_equal(rows(out), rows(tmp_path / "fresh"))
        # with a store: the files the dataset kept are merged into a new store
        # without being read, and a second scan reads nothing
        db = tmp_path / "h.sqlite"
        decoded.clear()
        scan_cohort(root, out, db=db, scheduler=addr)
        with Store(db, create=False) as s:
            assert len(s.activities_frame(columns=("distance_m",))) == 8
        decoded.clear()
        scan_cohort(root, out, db=db, scheduler=addr)
        assert decoded == []


def test_a_cohort_scan_with_a_store_decodes_each_file_once_and_judges_as_the_local_scan(
    tmp_path, monkeypatch
):
    """One ingest (issue 23): the workers keep the runs they read; the runner tasks
    judge each on the runner's own baseline (the dataset's form counts are a local
    scan's of the runner's folder), and the store's judging pass reads the kept runs
    (its findings are a local scan's of the whole folder). Before, the client read
    every file again to judge it for the store, and the dataset's findings were
    judged on the population bands."""
    import json
    from collections import Counter
    from pathlib import Path

    import pandas as pd
    from distributed import LocalCluster

    import runlens.io as rio
    import runlens.io.tcx as rtcx
    from runlens.cohort import scan_cohort

    decodes: Counter = Counter()

    def wrap(fn, name_of):
        def counted(*args, **kwargs):
            decodes[Path(str(name_of(args))).name] += 1
            return fn(*args, **kwargs)

        return counted

    monkeypatch.setattr(rio, "_read_fit", wrap(rio._read_fit, lambda a: a[0].name))
    monkeypatch.setattr(rio, "_read_gpx", wrap(rio._read_gpx, lambda a: a[0].name))
    monkeypatch.setattr(rtcx, "decode_tcx", wrap(rtcx.decode_tcx, lambda a: a[1]))
    root = tmp_path / "squad"
    _squad(root)
    for k in range(4):  # dora's later runs: judged on her own baseline
        (root / "dora" / f"later-{k}.fit").write_bytes(encode_activity(_run(20 + k, 12 + 2 * k)))
    db = tmp_path / "coach.sqlite"
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                      dashboard_address=None) as cluster:
        rep = scan_cohort(root, tmp_path / "out", db=db, scheduler=cluster.scheduler_address)
    assert rep.activities == 11
    # every file decoded once over the whole scan (workers, runner tasks and store)
    assert set(decodes.values()) == {1}
    assert set(decodes) == {
        "a.fit", "b.fit", "export.tcx", "101.fit.gz", "102.gpx.gz",
        *(f"later-{k}.fit" for k in range(4)),
    }
    assert not (tmp_path / "out" / "_runlens_judge").exists()  # kept runs removed

    def findings(store, paths=None):
        with Store(store, create=False) as s:
            return {
                p: (json.loads(f), j) for p, f, j in s.conn.execute(
                    "SELECT path, findings_json, judged_as FROM activities"
                )
            }

    # the store: judged as a local scan of the whole folder into one store judges
    scan(root, tmp_path / "local.sqlite", jobs=1)
    assert findings(db) == findings(tmp_path / "local.sqlite")
    # the dataset: each runner's runs judged as a local scan of the runner's folder
    df = pd.read_parquet(tmp_path / "out").set_index("path")
    judged = 0
    for name in ("dora", "eve"):
        scan(root / name, tmp_path / f"{name}.sqlite", jobs=1)
        for p, (fs, key) in findings(tmp_path / f"{name}.sqlite").items():
            assert json.loads(df.at[p, "findings_json"]) == fs, p
            assert df.at[p, "form_findings"] == len(fs), p
            assert df.at[p, "form_flags"] == sum(f["severity"] == "flag" for f in fs), p
            judged += key != "population"
    assert judged == 11  # every run counts (no copies, all runs): each judged on its baseline
