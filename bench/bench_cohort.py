"""Benchmark: scan a generated cohort with the local pool and with a Dask LocalCluster.

Usage::

    PYTHONPATH=. python bench/bench_cohort.py                  # 50 runners x 200 activities
    PYTHONPATH=. python bench/bench_cohort.py --small          # 4 x 12, a quick check
    PYTHONPATH=. python bench/bench_cohort.py --runners 10 --activities 40 --workers 2

The cohort is generated once into a work folder (runlens.sim.synth +
runlens.sim.fitwrite): a pool of simulated runs of ``--minutes`` average length
is re-encoded with a new start for every file, so files are distinct (own
hashes, own days) while generation stays fast. Each runner's activities are
one or two days apart.

Then, on the same files:

1. ``local``: :func:`runlens.history.scan` into a store, ``--workers``
   processes (the default engine of ``runlens scan``);
2. ``dask``: a LocalCluster (``--workers`` single-threaded processes, loopback,
   no dashboard) is started and timed on its own, then
   :func:`runlens.cohort.scan_cohort` writes the Parquet dataset (per-runner
   load included), and once more with the store merge (``--db``).

Prints a Markdown table for docs/performance.md: wall time, files/s, and CPU
seconds (all processes: this one, the pool's or the cluster's workers). On a
shared machine wall time depends on the other load; CPU seconds much less.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path


def generate(root: Path, runners: int, activities: int, minutes: float, seed: int = 7) -> int:
    """Write the cohort; returns the number of files."""
    import numpy as np

    from runlens.sim.fitwrite import encode_activity, write_fit
    from runlens.sim.synth import Runner, simulate_run

    rng = np.random.default_rng(seed)
    kinds = ("easy", "easy", "recovery", "long", "tempo", "intervals")
    pool = []
    base = datetime(2025, 1, 6, 6, 0, tzinfo=timezone.utc)
    for j in range(12):
        dur = int(max(8.0, minutes * rng.uniform(0.6, 1.5)) * 60)
        pool.append(
            simulate_run(
                seed=seed * 100 + j,
                start=base,
                duration_s=dur,
                kind=kinds[j % len(kinds)] if dur >= 1800 else "easy",
                warmup_s=min(600, dur // 4),
                runner=Runner(easy_speed=float(rng.uniform(2.6, 3.4))),
            )
        )
    n = 0
    for r in range(runners):
        d = root / f"runner-{r:03d}"
        d.mkdir(parents=True)
        day = 0
        offset = int(rng.choice([-18000, 0, 3600, 7200, 32400]))
        for _ in range(activities):
            day += int(rng.integers(1, 3))
            start = base + timedelta(days=day, minutes=int(rng.integers(0, 720)))
            run = replace(pool[int(rng.integers(len(pool)))], start=start, utc_offset_s=offset)
            write_fit(d / f"{start:%Y-%m-%d-%H%M}.fit", encode_activity(run))
            n += 1
    return n


def _cpu_self() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _cpu_children() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)  # reaped pool workers
    return r.ru_utime + r.ru_stime


def _cpu_workers(client) -> float:
    def cpu() -> float:
        import resource

        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime

    return sum(client.run(cpu).values())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runners", type=int, default=50)
    ap.add_argument("--activities", type=int, default=200, help="per runner")
    ap.add_argument("--minutes", type=float, default=45.0, help="average run length")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--small", action="store_true", help="4 runners x 12 runs of 15 min")
    ap.add_argument("--work", help="work folder (default: a temporary one, removed)")
    args = ap.parse_args(argv)
    if args.small:
        args.runners, args.activities, args.minutes = 4, 12, 15.0

    from distributed import LocalCluster

    from runlens.cohort import scan_cohort
    from runlens.history import scan

    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="runlens-bench-"))
    root = work / "cohort"
    try:
        t = time.perf_counter()
        if root.exists():
            n = sum(1 for _ in root.rglob("*.fit"))
        else:
            n = generate(root, args.runners, args.activities, args.minutes)
        gen_s = time.perf_counter() - t
        size_mb = sum(p.stat().st_size for p in root.rglob("*.fit")) / 1e6
        print(f"cohort: {n} files, {size_mb:.0f} MB, generated in {gen_s:.0f} s", file=sys.stderr)

        for old in ("local.sqlite", "merged.sqlite"):  # a kept work folder: start cold
            for f in work.glob(old + "*"):
                f.unlink()
        shutil.rmtree(work / "out", ignore_errors=True)
        res, cpu = {}, {}
        t, c0 = time.perf_counter(), _cpu_self() + _cpu_children()
        rep = scan(root, work / "local.sqlite", jobs=args.workers)
        res["local"] = time.perf_counter() - t
        cpu["local"] = _cpu_self() + _cpu_children() - c0
        assert rep.activities == n, rep.problems[:3]

        t = time.perf_counter()
        cluster = LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
        from distributed import Client

        client = Client(cluster)
        res["cluster_start"] = time.perf_counter() - t
        try:
            for name, db in (("dask", None), ("dask_db", work / "merged.sqlite")):
                t, c0 = time.perf_counter(), _cpu_self() + _cpu_workers(client)
                crep = scan_cohort(root, work / "out", client=client, db=db)
                res[name] = time.perf_counter() - t
                cpu[name] = _cpu_self() + _cpu_workers(client) - c0
                assert crep.activities == n
        finally:
            client.close()
            cluster.close()
        load = os.getloadavg()
        import dask
        import distributed

        print(
            f"\n{args.runners} runners x {args.activities} activities = {n} FIT files "
            f"({size_mb:.0f} MB, runs of ~{args.minutes:.0f} min), {args.workers} workers; "
            f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, dask {dask.__version__}, "
            f"distributed {distributed.__version__}; load average {load[0]:.1f}\n"
        )
        print("| engine | wall s | files/s | CPU s | CPU s per file |")
        print("|---|---:|---:|---:|---:|")
        rows = (
            ("local pool (`runlens scan`, store)", "local"),
            ("dask (Parquet + per-runner load)", "dask"),
            ("dask (Parquet + store merge)", "dask_db"),
        )
        for label, k in rows:
            print(
                f"| {label} | {res[k]:.1f} | {n / res[k]:.2f} | {cpu[k]:.0f} | {cpu[k] / n:.2f} |"
            )
        print(f"| LocalCluster start (not in the rows above) | {res['cluster_start']:.1f} | | | |")
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
