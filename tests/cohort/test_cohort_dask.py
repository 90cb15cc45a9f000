"""A cohort scanned on a real LocalCluster equals the local scan, row for row.

The cluster: 2 single-threaded worker processes on loopback, no dashboard,
reached through its scheduler address (the ``--scheduler`` code path). The
cohort (tests/cohort/gen.py) is generated with runlens.sim.synth and written with
runlens.sim.fitwrite, with known patterns: a session spike, a FIT+GPX
duplicate, a group run of two runners, a broken file.
"""

from __future__ import annotations

import json
import math

import pytest

pytest.importorskip("distributed")
pytest.importorskip("pyarrow")

from runlens.history import Store, build_history, scan  # noqa: E402
from runlens.store.db import JSON_COLUMNS, SUMMARY_COLUMNS  # noqa: E402
from tests.cohort.gen import RUNNERS, SPIKE, make_cohort  # noqa: E402

#: Columns the dataset shares with the store's files + activities tables.
SHARED = (
    "size",
    "mtime_ns",
    "sha256",
    "content_sha256",
    "format",
    "reader",
    "sport",
    "start_utc",
    "start_s",
    "utc_offset_s",
    *SUMMARY_COLUMNS,
    # findings_json differs by design: a local scan of the whole folder judges each
    # run against the runs before it in its store (every runner's), the cohort
    # engine against the runner's own (test_cohort_sources.py checks those).
    *(f"{k}_json" for k in JSON_COLUMNS if k != "findings"),
    "form_rules",
)


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    c = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )
    try:
        yield c
    finally:
        c.close()


def _clean(v):
    """None for missing values whatever the container said (NaN, pd.NA, None)."""
    if v is None:
        return None
    try:
        if isinstance(v, float) and math.isnan(v):
            return None
    except TypeError:
        pass
    import pandas as pd

    if v is pd.NA:
        return None
    return v.item() if hasattr(v, "item") else v


@pytest.fixture(scope="module")
def scanned(tmp_path_factory, cluster):
    from runlens.cohort import scan_cohort

    base = tmp_path_factory.mktemp("cohort")
    root = base / "squad"
    files = make_cohort(root)
    rep = scan_cohort(
        root, base / "out", db=base / "merged.sqlite", scheduler=cluster.scheduler_address
    )
    scan(root, base / "local.sqlite", jobs=2)  # the whole folder, the local way
    for name in RUNNERS:  # each runner's folder alone, the local way
        scan(root / name, base / f"local-{name}.sqlite", jobs=1)
    return base, root, files, rep


def test_rows_equal_the_local_scan(scanned, cluster):
    import pandas as pd

    base, root, files, rep = scanned
    assert rep.workers == 2 and rep.cluster == cluster.scheduler_address
    pq = pd.read_parquet(base / "out").sort_values("path").reset_index(drop=True)
    with Store(base / "local.sqlite", create=False) as s:
        cols = ", ".join(
            f"a.{c}" if c not in ("size", "mtime_ns", "sha256") else f"f.{c}" for c in SHARED
        )
        rows = s.conn.execute(
            f"SELECT a.path, {cols} FROM activities a JOIN files f ON f.path = a.path "
            "ORDER BY a.path"
        ).fetchall()
    # 8 + 9 (bob's GPX copy) + 8 activities; broken.fit is no activity
    assert len(rows) == len(pq) == 25
    assert list(pq["path"]) == [r[0] for r in rows]
    for i, r in enumerate(rows):
        got = [_clean(pq.at[i, c]) for c in SHARED]
        assert got == list(r[1:]), r[0]
    # the runner is the first-level folder
    assert {p: str(x) for p, x in zip(pq["path"], pq["runner"])} == {
        str(f): name for name, fs in files.items() for f in fs
    }


def test_derived_columns_are_per_runner(scanned):
    import pandas as pd

    base, root, files, rep = scanned
    pq = pd.read_parquet(base / "out").set_index("path")
    for name in RUNNERS:
        with Store(base / f"local-{name}.sqlite", create=False) as s:
            local = s.activities_frame().set_index("path")
            h = build_history(s)
        mine = pq[pq["runner"] == name]
        assert sorted(mine.index) == sorted(local.index)
        for c in ("duplicate_of", "spike_ratio", "longest_prev30_m"):
            assert [_clean(v) for v in mine[c].sort_index()] == [
                _clean(v) for v in local[c].sort_index()
            ], (name, c)
        acts = h.acts.set_index("path")
        assert set(mine.index[mine["counted"]]) == set(acts.index)
        for p in acts.index:
            assert _clean(mine.at[p, "trimp"]) == pytest.approx(_clean(acts.at[p, "trimp"]))
    # known patterns: alice's last run is a session spike (20 min vs 12 min runs)
    spike = str(root / SPIKE)
    assert pq.at[spike, "volume_flags"] == 1
    assert 0.3 < pq.at[spike, "spike_ratio"] <= 1.0
    found = json.loads(pq.at[spike, "volume_findings_json"])
    assert [f["rule"] for f in found] == ["session_spike"]
    assert found[0]["evidence"]["threshold"]["hazard_rate_ratio"] == 1.52
    # bob's GPX export of his day-7 run counts once, within bob's history
    assert pq.at[str(root / "bob/strava/run-02.gpx"), "duplicate_of"] == str(
        root / "bob/run-02.fit"
    )
    # the group run of alice and bob is two sessions in the cohort...
    a4, b4 = str(root / "alice/run-04.fit"), str(root / "bob/run-04.fit")
    assert _clean(pq.at[a4, "duplicate_of"]) is None and _clean(pq.at[b4, "duplicate_of"]) is None
    # ... but one if the whole folder is taken as one history (the local scan's view)
    with Store(base / "local.sqlite", create=False) as s:
        whole = dict(s.conn.execute("SELECT path, duplicate_of FROM activities").fetchall())
    assert {whole[a4], whole[b4]} == {None, a4}
    # local dates follow each runner's UTC offset
    for name, (offset, _) in RUNNERS.items():
        mine = pq[pq["runner"] == name]
        expect = pd.to_datetime((mine["start_s"] + offset) // 86400 * 86400, unit="s").dt.date
        assert list(mine["local_date"]) == list(expect)


def test_merged_store_equals_local_scan(scanned):
    from tests.history.conftest import dump

    base, *_ = scanned
    assert dump(base / "merged.sqlite") == dump(base / "local.sqlite")
    with Store(base / "merged.sqlite", create=False) as s:
        assert s.meta("cohort")["runners_map"]["mode"] == "folders"


def test_dask_dataframe_reads_the_dataset(scanned, cluster):
    import dask.dataframe as dd
    import pandas as pd

    base, root, _, rep = scanned
    ddf = dd.read_parquet(base / "out")
    assert ddf.npartitions == 3
    got = ddf.compute().sort_values("path").reset_index(drop=True)
    ref = pd.read_parquet(base / "out").sort_values("path").reset_index(drop=True)
    assert list(got["path"]) == list(ref["path"])
    assert got["runner"].astype(str).tolist() == ref["runner"].astype(str).tolist()
    assert got["distance_m"].tolist() == ref["distance_m"].tolist()
    # a runner's partition alone, by its (URL-encoded) folder
    chloe = pd.read_parquet(base / "out", filters=[("runner", "==", "Chloé Ünal")])
    assert len(chloe) == 8
    man = json.loads((base / "out" / "_runlens_cohort.json").read_text())
    assert man["runners"]["Chloé Ünal"]["problems"][0][0].endswith("broken.fit")
    assert [p for p, *_ in rep.problems] == [str(root / "Chloé Ünal" / "broken.fit")]


def test_cohort_weekly_per_runner(scanned):
    from runlens.cohort import cohort_weekly, frame_from_dataset, frame_from_store

    base, root, _, _ = scanned
    cw = cohort_weekly(frame_from_dataset(base / "out"))
    cs = cohort_weekly(frame_from_store(base / "merged.sqlite"))
    import pandas as pd

    pd.testing.assert_frame_equal(cw.table, cs.table)
    pd.testing.assert_frame_equal(cw.counts, cs.counts)
    assert list(cw.table.index) == sorted(RUNNERS)
    for name in RUNNERS:
        with Store(base / f"local-{name}.sqlite", create=False) as s:
            h = build_history(s)
        row = cw.table.loc[name].dropna()
        assert [w.date() for w in row.index] == [w.date() for w in h.weeks["week"]]
        assert row.tolist() == pytest.approx(h.weeks["load"].tolist())
        spikes = [f for f in h.findings if f.rule == "session_spike"]
        assert cw.counts.at[name, "spike_flagged"] == len(spikes)
    assert cw.counts.at["alice", "spike_flagged"] == 1
    assert cw.counts.at["bob", "duplicates"] == 1
    assert cw.counts.at["bob", "runs"] == 8
    # alice's first week (Mon 2026-09-07) holds her day 0 and day 3 runs: 2 x ~2.1 km
    assert cw.table.columns[0] == pd.Timestamp("2026-09-07")
