"""A cold scan of N one-hour FIT runs against ``runlens.analyze`` of the same files.

Run from the project root::

    python bench/bench_scan_cpu.py                # 1,000 runs, 2 workers, best of 3
    python bench/bench_scan_cpu.py --files 200 --repeat 5
    python bench/bench_scan_cpu.py --against /tmp/old-checkout   # before/after, interleaved

Issue 28's target: a cold scan (``runlens scan DIR --db NEW``, a whole process and
its workers) under 10 s wall on 2 cores, its CPU time (user + system, the process
and every worker) at most that of one process calling ``runlens.analyze`` on each
file. Round r runs the scan, then the analyze loop (each a fresh process), so the
two see the same load; the best of ``--repeat`` rounds of each is kept, and the
1-minute load average is printed beside each round. With ``--against ROOT`` each
round also runs the cold scan of another checkout (e.g. the code before a change),
right after this one's, and checks that both stores hold the same rows.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _inputs import history  # noqa: E402
from _util import ROOT, machine  # noqa: E402

ANALYZE_ALL = """
import sys, time, runlens
from pathlib import Path
files = sorted(Path(sys.argv[1]).glob("*.fit"))
t = time.perf_counter()
for f in files:
    runlens.analyze(f)
print(time.perf_counter() - t)
"""


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd: list[str], cwd: Path) -> tuple[float, float, str]:
    """(wall s, CPU s of the process and all it waited for, stdout) of ``cmd``."""
    env = dict(os.environ, PYTHONPATH=str(cwd), MPLBACKEND="Agg")
    c0 = _children_cpu()
    t = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if p.returncode:
        sys.stderr.write(p.stderr[-2000:])
        raise SystemExit(f"{cmd[:4]} exited {p.returncode}")
    return wall, _children_cpu() - c0, p.stdout


def _store_rows(db: str) -> dict:
    """Every row of every table of a store (the scan's own timestamps left out)."""
    import sqlite3

    c = sqlite3.connect(db)
    try:
        names = [r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        out = {n: sorted(map(repr, c.execute(f"SELECT * FROM {n}"))) for n in names}
    finally:
        c.close()
    out.pop("roots", None)  # when each root was scanned
    return out


def _scan_cmd(folder: Path, db: str, jobs: int) -> list[str]:
    return [sys.executable, "-m", "runlens", "scan", str(folder), "--db", db, "--jobs", str(jobs)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--root", type=Path, default=ROOT, help="checkout whose runlens to run")
    ap.add_argument("--no-analyze", action="store_true", help="the scan only")
    ap.add_argument(
        "--against", type=Path, default=None,
        help="another checkout whose cold scan runs in each round too (before/after)",
    )
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    folder = history(args.files)
    rounds = []
    for _ in range(args.repeat):
        r: dict = {"load_before": round(os.getloadavg()[0], 2)}
        with tempfile.TemporaryDirectory() as tmp:
            db = str(Path(tmp) / "h.sqlite")
            r["scan_wall_s"], r["scan_cpu_s"], _ = timed(_scan_cmd(folder, db, args.jobs), args.root)
            if args.against is not None:
                r["load_against"] = round(os.getloadavg()[0], 2)
                other = str(Path(tmp) / "against.sqlite")
                r["against_scan_wall_s"], r["against_scan_cpu_s"], _ = timed(
                    _scan_cmd(folder, other, args.jobs), args.against
                )
                r["same_store_rows"] = _store_rows(db) == _store_rows(other)
        if not args.no_analyze:
            r["load_mid"] = round(os.getloadavg()[0], 2)
            cmd = [sys.executable, "-c", ANALYZE_ALL, str(folder)]
            r["analyze_wall_s"], r["analyze_cpu_s"], out = timed(cmd, args.root)
            r["analyze_loop_s"] = float(out.split()[-1])
        r["load_after"] = round(os.getloadavg()[0], 2)
        rounds.append(r)
        if not args.json:
            print(json.dumps(r))
    best = {
        k: min(r[k] for r in rounds)
        for k in rounds[0]
        if not k.startswith("load") and k != "same_store_rows"
    }
    res = {
        "machine": machine(),
        "files": args.files,
        "jobs": args.jobs,
        "rounds": rounds,
        "best": best,
    }
    if "analyze_cpu_s" in best:
        res["scan_cpu_over_analyze_cpu"] = best["scan_cpu_s"] / best["analyze_cpu_s"]
    if args.against is not None:
        res["same_store_rows_every_round"] = all(r["same_store_rows"] for r in rounds)
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    print(f"{args.files} one-hour FIT runs, {args.jobs} workers, best of {args.repeat}:")
    print(
        f"  cold scan          {best['scan_wall_s']:7.2f} s wall  {best['scan_cpu_s']:7.2f} s CPU"
        "   (target: < 10 s wall)"
    )
    if "analyze_cpu_s" in best:
        print(
            f"  runlens.analyze    {best['analyze_wall_s']:7.2f} s wall  "
            f"{best['analyze_cpu_s']:7.2f} s CPU   (one process, every file)"
        )
        print(f"  scan CPU / analyze CPU  {res['scan_cpu_over_analyze_cpu']:.2f}   (target: <= 1)")
    if args.against is not None:
        print(
            f"  cold scan of {args.against}: {best['against_scan_wall_s']:7.2f} s wall  "
            f"{best['against_scan_cpu_s']:7.2f} s CPU; same stored rows in every round: "
            f"{res['same_store_rows_every_round']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
