"""Adding runs one scan at a time gives the store a full rebuild gives (issue 23).

The derived tables (duplicates, session spikes, daily load, the load
assumptions and the derived state) and the judged findings of a store grown
run by run, in a random order, must equal those of one cold scan of the same
folder, and of a cold scan that discovers the files in a shuffled order. The
generated histories hold what makes the derived tables interesting: copies of
one run (the same run 20 s apart, a copy with every time shifted 2 h, a
cut-off copy, a FIT and a GPX of it, which is kept decided by its channels),
morning and evening runs 9 h apart, long runs that make spikes, breaks of
weeks, and runs of another sport.
"""

from __future__ import annotations

import datetime as dt
import importlib
import random
import shutil

import pytest

from runlens.history import Store, scan
from runlens.sim.fitwrite import encode_activity
from runlens.sim.gpxwrite import to_gpx
from runlens.sim.synth import simulate_run
from tests.history.gpxgen import gpx_run

START = dt.datetime(2024, 3, 4, 7, 0, tzinfo=dt.timezone.utc)


def _history(seed: int) -> dict[str, bytes]:
    """File name -> bytes of a generated history of about 40 activities."""
    rng = random.Random(seed)
    files: dict[str, bytes] = {}
    day = 0
    for i in range(30):
        day += rng.choice([1, 1, 2, 3]) + (21 if i == 15 else 0)  # one break of 3 weeks
        start = START + dt.timedelta(days=day, minutes=rng.randrange(0, 600))
        km = rng.choice([5, 6, 8, 10]) + (14 if rng.random() < 0.12 else 0)  # a long run now and then
        d = km * 1000.0
        name = f"r{i:02d}.gpx"
        files[name] = gpx_run(start, d).encode()
        r = rng.random()
        if r < 0.12:  # the same run from another app, 20 s later
            files[f"r{i:02d}-copy.gpx"] = gpx_run(start + dt.timedelta(seconds=20), d).encode()
        elif r < 0.22:  # re-saved with local time written as UTC
            files[f"r{i:02d}-shifted.gpx"] = gpx_run(start + dt.timedelta(hours=2), d).encode()
        elif r < 0.30:  # a cut-off copy
            files[f"r{i:02d}-cut.gpx"] = gpx_run(start, 1000.0).encode()
        elif r < 0.42:  # an evening run the same day
            files[f"r{i:02d}-pm.gpx"] = gpx_run(start + dt.timedelta(hours=9), 5000.0).encode()
        elif r < 0.50:  # a ride
            files[f"r{i:02d}-ride.gpx"] = gpx_run(start + dt.timedelta(hours=5), 5000.0, sport="cycling").encode()
    # a FIT with running dynamics and the GPX a site made of it: the FIT counts
    run = simulate_run(seed=seed, duration_s=1200, start=START + dt.timedelta(days=day + 1))
    files["watch.fit"] = encode_activity(run)
    files["watch-export.gpx"] = to_gpx(run).encode()
    return files


def _store_state(db) -> dict:
    with Store(db, create=False) as s:
        dump = s.dump()
        cur = s.conn.execute("SELECT * FROM activities ORDER BY path")
        names = [c[0] for c in cur.description]
        acts = [dict(zip(names, row)) for row in cur.fetchall()]
        meta = {k: s.meta(k) for k in ("load_assumptions", "derived_state")}
    return {"activities": acts, "daily_load": dump["daily_load"], "meta": meta}


@pytest.mark.parametrize("seed", [3, 11])
def test_runs_added_one_by_one_give_the_store_of_a_full_rebuild(tmp_path, monkeypatch, seed):
    files = _history(seed)
    folder = tmp_path / "runs"
    folder.mkdir()
    # grown: the files arrive in a random order, a scan after each few
    grown = tmp_path / "grown.sqlite"
    names = list(files)
    random.Random(seed).shuffle(names)
    for k, name in enumerate(names):
        (folder / name).write_bytes(files[name])
        if k % 3 == 2 or k == len(names) - 1:
            scan(folder, grown, jobs=1)
    # the same folder, one cold scan
    full = tmp_path / "full.sqlite"
    rep = scan(folder, full, jobs=1)
    assert rep.duplicates >= 2 and rep.runs >= 30  # copies and doubles were made
    # ... and one cold scan that finds the files in a shuffled order
    scan_mod = importlib.import_module("runlens.history.scan")
    real = scan_mod.discover_sources

    def shuffled(root):
        found = real(root)
        random.Random(seed + 1).shuffle(found.files)
        return found

    monkeypatch.setattr(scan_mod, "discover_sources", shuffled)
    other = tmp_path / "shuffled.sqlite"
    scan_mod.scan(folder, other, jobs=1)

    want = _store_state(full)
    got = _store_state(grown)
    for a, b in zip(got["activities"], want["activities"]):
        assert {k: (v, b[k]) for k, v in a.items() if v != b[k]} == {}, a["path"]
    assert got == want
    assert _store_state(other) == want


def test_a_copy_added_later_is_ranked_by_its_channels_as_in_a_cold_scan(tmp_path):
    """The GPX copy first, its richer FIT later: the FIT counts, the GPX is its duplicate."""
    run = simulate_run(seed=5, duration_s=1200, start=START)
    folder = tmp_path / "runs"
    folder.mkdir()
    # named so that the path order alone would keep the GPX
    (folder / "a-export.gpx").write_bytes(to_gpx(run).encode())
    db = tmp_path / "h.sqlite"
    scan(folder, db, jobs=1)
    (folder / "z-watch.fit").write_bytes(encode_activity(run))
    scan(folder, db, jobs=1)
    with Store(db, create=False) as s:
        dup = dict(s.conn.execute("SELECT path, duplicate_of FROM activities").fetchall())
    assert dup == {str(folder / "a-export.gpx"): str(folder / "z-watch.fit"),
                   str(folder / "z-watch.fit"): None}
    full = tmp_path / "full.sqlite"
    scan(folder, full, jobs=1)
    assert _store_state(db) == _store_state(full)
    shutil.rmtree(folder)
