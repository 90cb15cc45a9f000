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
