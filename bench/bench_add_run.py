"""Adding one run to a stored history: what a runner does after every run.

Run from the project root::

    python bench/bench_add_run.py              # a 400-run history
    python bench/bench_add_run.py --files 1000

On the same one-hour FIT runs as bench_scan.py (bench/.inputs/historyN, copied
to a temporary folder so new files can be added), in this process:

1. cold scan of the history (2 workers), once, then one warm rescan;
2. five rounds, interleaved so that each round's three numbers share the
   machine's load: a warm rescan (nothing changed); adding one run (a new file
   a day after the last is written into the folder and the folder scanned);
   that run's own analysis (reading, summary and rules of the same file,
   ``runlens.history.worker.analyse_file``); the best of each is reported;
3. for comparison, adding one run as before issue 23: the derived tables
   rebuilt from every run and every stored run's baseline refitted (the
   record of what each was derived and fitted from is cleared first).

Target (issue 23): 3 <= 2 x 2 + 4.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _inputs import HISTORY_START, _run, history  # noqa: E402
from _util import machine  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=400)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()

    from runlens.history import Store, scan
    from runlens.history.worker import analyse_file
    from runlens.sim.fitwrite import encode_activity
    from runlens.store.db import DERIVED_STATE_KEY

    src = history(args.files, args.jobs)
    out = {"machine": machine(), "load": os.getloadavg()[0], "files": args.files, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    with tempfile.TemporaryDirectory(prefix="runlens-bench-") as tmp:
        folder = Path(tmp) / "history"
        shutil.copytree(src, folder, ignore=shutil.ignore_patterns(".complete"))
        db = Path(tmp) / "h.sqlite"
        t = time.perf_counter()
        rep = scan(folder, db, jobs=args.jobs)
        out["cold_scan_s"] = round(time.perf_counter() - t, 2)
        out["runs"] = rep.runs
        scan(folder, db, jobs=args.jobs)

        k = [0]

        def new_file() -> Path:
            k[0] += 1
            i = args.files + k[0]
            start = HISTORY_START + timedelta(days=i)
            path = folder / f"{start:%Y-%m-%d}-new{i:04d}.fit"
            path.write_bytes(encode_activity(_run(5000 + i, 3600, start)))
            return path

        def timed(fn) -> float:
            t = time.perf_counter()
            fn()
            return time.perf_counter() - t

        warm, adds, own, judged, loads = [], [], [], [], []
        for _ in range(5):  # interleaved: each round's three numbers share the load
            loads.append(round(os.getloadavg()[0], 1))
            warm.append(timed(lambda: scan(folder, db, jobs=args.jobs)))
            path = str(new_file())
            t = time.perf_counter()
            rep = scan(folder, db, jobs=args.jobs)
            adds.append(time.perf_counter() - t)
            judged.append(rep.judged)
            t = time.perf_counter()
            analyse_file(path)
            own.append(time.perf_counter() - t)
        out["loads"] = loads
        out["warm_rescan_s"] = round(min(warm), 3)
        out["add_one_run_s"] = round(min(adds), 3)
        out["own_analysis_s"] = round(min(own), 3)
        out["rounds"] = [
            {"warm": round(w, 3), "add": round(a, 3), "own": round(o, 3),
             "target": round(2 * w + o, 3)}
            for w, a, o in zip(warm, adds, own)
        ]
        out["judged_per_add"] = judged

        new_file()
        with Store(db) as s:  # as before issue 23: rebuilt, every baseline refitted
            s.forget_judge_inputs()
            s.conn.execute("DELETE FROM meta WHERE key = ?", (DERIVED_STATE_KEY,))
        t = time.perf_counter()
        scan(folder, db, jobs=args.jobs)
        out["add_one_run_refitting_every_baseline_s"] = round(time.perf_counter() - t, 3)
    out["target_s"] = round(2 * out["warm_rescan_s"] + out["own_analysis_s"], 3)
    out["met"] = out["add_one_run_s"] <= out["target_s"]
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
