"""``runlens scan --engine dask`` and ``runlens weekly --cohort`` in real processes.

The scan starts its own LocalCluster (no --scheduler), with a mapping file
naming the runners; then the dataset is read back by ``weekly --cohort``.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest

from tests.cohort.gen import FIRST, RUNNERS, _run
from tests.conftest import run_cli

pytest.importorskip("distributed")
pytest.importorskip("pyarrow")


def _write(path, seed, day, minutes=6):
    from runlens.sim.fitwrite import encode_activity, write_fit

    offset, runner = RUNNERS["alice"]
    path.parent.mkdir(parents=True, exist_ok=True)
    write_fit(
        path, encode_activity(_run(seed, FIRST + timedelta(days=day), offset, runner, minutes))
    )


def test_scan_and_weekly_cli_with_a_mapping_file(tmp_path):
    root = tmp_path / "coach"
    _write(root / "garmin" / "anna_1.fit", 1, 0)
    _write(root / "garmin" / "anna_2.fit", 2, 8)
    _write(root / "strava" / "export_1" / "9.fit", 3, 3)  # anna's Strava export
    _write(root / "garmin" / "ben_1.fit", 4, 1)
    _write(root / "stray.fit", 5, 2)  # no rule names it
    mapping = tmp_path / "runners.csv"
    mapping.write_text(
        "path_glob,runner\n# a comment\ngarmin/anna_*,anna\nstrava/export_1/*,anna\n"
        "garmin/ben_*,Ben B\n"
    )
    out = tmp_path / "out"
    r = run_cli(
        "scan", str(root), "--engine", "dask", "--jobs", "2", "--parquet", str(out),
        "--runners", str(mapping), "--json",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["cluster"] == "local" and rep["workers"] == 2
    assert rep["runner_mode"] == "mapping"
    assert rep["unassigned"] == [str(root / "stray.fit")]
    assert [(x["runner"], x["activities"]) for x in rep["runners"]] == [("Ben B", 1), ("anna", 3)]
    assert sorted(p.name for p in out.iterdir()) == [
        "_runlens_cohort.json", "runner=Ben%20B", "runner=anna",
    ]  # fmt: skip

    w = run_cli("weekly", "--cohort", "--parquet", str(out), "--json")
    assert w.returncode == 0, w.stderr
    doc = json.loads(w.stdout)
    assert doc["weeks"] == ["2026-09-07", "2026-09-14"]
    anna = next(x for x in doc["runners"] if x["runner"] == "anna")
    ben = next(x for x in doc["runners"] if x["runner"] == "Ben B")
    assert anna["runs"] == 3 and ben["runs"] == 1
    # ben ran once, in the first week: his second week is outside his history
    assert ben["load"][0] > 0 and ben["load"][1] is None
    assert doc["caveats"]

    c = run_cli("weekly", "--cohort", "--parquet", str(out), "--csv")
    rows = list(csv.reader(io.StringIO(c.stdout)))
    assert rows[0][:2] == ["runner", "runs"] and rows[0][-2:] == ["2026-09-07", "2026-09-14"]
    assert [r[0] for r in rows[1:]] == ["Ben B", "anna"]
    t = run_cli("weekly", "--cohort", "--parquet", str(out))
    assert t.returncode == 0 and "Cohort: 2 runners, 2 weeks" in t.stdout

    # a second scan replaces the dataset and merges into a store
    (root / "garmin" / "ben_1.fit").unlink()
    db = tmp_path / "coach.sqlite"
    r2 = run_cli(
        "scan", str(root), "--engine", "dask", "--jobs", "2", "--parquet", str(out),
        "--runners", str(mapping), "--db", str(db),
    )  # fmt: skip
    assert r2.returncode == 0, r2.stderr
    assert "Store " in r2.stdout and "1 files belong to no runner" in r2.stdout
    assert sorted(p.name for p in out.iterdir()) == ["_runlens_cohort.json", "runner=anna"]
    assert not list(tmp_path.glob(".out.*"))  # no staging or old copy left behind
    d = run_cli("weekly", "--cohort", "--db", str(db), "--json")
    assert d.returncode == 0, d.stderr
    assert [x["runner"] for x in json.loads(d.stdout)["runners"]] == ["anna"]


def test_cohort_options_need_the_dask_engine(tmp_path):
    r = run_cli("scan", str(tmp_path), "--parquet", str(tmp_path / "o"))
    assert r.returncode == 1
    assert r.stderr.strip().splitlines() == ["runlens: error: --parquet needs --engine dask"]
    r = run_cli("weekly", "--db", str(tmp_path / "x.sqlite"), "--parquet", str(tmp_path))
    assert r.returncode == 1 and "--cohort" in r.stderr and "Traceback" not in r.stderr


def test_missing_extra_is_one_line(tmp_path):
    # a "distributed" that cannot be imported, first on the path
    fake = tmp_path / "fake"
    (fake / "distributed").mkdir(parents=True)
    (fake / "distributed" / "__init__.py").write_text(
        "raise ImportError(\"No module named 'distributed'\", name='distributed')\n"
    )
    (tmp_path / "d" / "a").mkdir(parents=True)
    r = run_cli("scan", str(tmp_path / "d"), "--engine", "dask", env={"PYTHONPATH": str(fake)})
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "install runlens[dask]" in lines[0] and "distributed" in lines[0]


def test_dataset_folder_is_checked_before_any_work(tmp_path):
    from runlens.cohort import scan_cohort
    from runlens.errors import RunlensError

    root = tmp_path / "squad"
    (root / "a").mkdir(parents=True)
    other = tmp_path / "photos"
    other.mkdir()
    (other / "keep.jpg").write_bytes(b"x")
    with pytest.raises(RunlensError, match="not a runlens cohort dataset"):
        scan_cohort(root, other)
    assert (other / "keep.jpg").read_bytes() == b"x"
    with pytest.raises(RunlensError, match="inside the scanned folder"):
        scan_cohort(root, root / "out")
    with pytest.raises(RunlensError, match="belongs to a runner"):
        scan_cohort(root, tmp_path / "out")  # a runner folder without files
    assert not (tmp_path / "out").exists()
