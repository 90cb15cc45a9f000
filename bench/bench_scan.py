"""Folder scan speed and memory: ``runlens scan`` against a fitparse-only baseline.

Run from the project root::

    python bench/bench_scan.py                 # 1,000 one-hour FIT runs
    python bench/bench_scan.py --files 200     # a smaller history
    python bench/bench_scan.py --jobs 2        # worker processes for the scan

Measures, on the same files (built once into bench/.inputs/historyN):

1. Cold scan: ``runlens scan DIR --db NEW.sqlite`` as a whole process, wall
   time and peak resident memory of the process and all its workers (summed,
   sampled every 20 ms from /proc). Targets on 2 cores: < 20 s, < 500 MB.
2. Warm rescan with nothing changed (same command again). Target: < 1 s.
3. Baseline: fitparse decoding every message of a sample of the files in one
   process, extrapolated to all files (a fitparse-based tool reads every file).
4. runlens reading + summarising the same sample in one process (per-file cost).

If this checkout has no ``scan`` command yet, 1 and 2 are reported as missing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _inputs import history  # noqa: E402
from _util import ROOT, best_of, machine  # noqa: E402

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants (Linux /proc)."""
    parent: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may contain spaces, so split after ')'
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parent[int(d)] = ppid
    tree = {root}
    grew = True
    while grew:
        grew = False
        for pid, ppid in parent.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                grew = True
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/statm") as fh:
                total += int(fh.read().split()[1]) * _PAGE
        except OSError:
            pass
    return total


def run_measured(args: list[str], root: Path) -> tuple[float, int, int]:
    """Run ``python -m runlens ARGS``; (wall s, peak tree RSS bytes, exit status)."""
    env = dict(os.environ, PYTHONPATH=str(root))
    env.setdefault("MPLBACKEND", "Agg")
    peak = 0
    t = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "runlens", *args],
        env=env,
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            try:
                peak = max(peak, _tree_rss(proc.pid))
            except OSError:
                pass
            done.wait(0.02)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t
    done.set()
    th.join()
    if proc.returncode:
        sys.stderr.write(err.decode(errors="replace")[-2000:])
    return wall, peak, proc.returncode


def has_scan(root: Path) -> bool:
    env = dict(os.environ, PYTHONPATH=str(root))
    r = subprocess.run(
        [sys.executable, "-m", "runlens", "scan", "--help"],
        env=env,
        cwd=root,
        capture_output=True,
    )
    return r.returncode == 0


def baseline(files: list[Path]) -> float:
    """Mean seconds per file for fitparse decoding every message."""
    import fitparse

    t = time.perf_counter()
    for f in files:
        for _ in fitparse.FitFile(str(f)).get_messages():
            pass
    return (time.perf_counter() - t) / len(files)


def runlens_per_file(files: list[Path]) -> float:
    """Mean seconds per file for runlens read + summary, in one process (warm)."""
    from runlens import read
    from runlens.metrics.summary import summarize

    def all_files():
        for f in files:
            summarize(read(f))

    return best_of(all_files, 3) / len(files)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=1000, help="one-hour runs in the history")
    ap.add_argument("--jobs", type=int, default=None, help="scan worker processes")
    ap.add_argument("--sample", type=int, default=20, help="files timed for the baseline")
    ap.add_argument(
        "--root", type=Path, default=ROOT, help="checkout whose runlens to run (default: this)"
    )
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()

    folder = history(args.files)
    files = sorted(folder.glob("*.fit"))
    sample = files[:: max(1, len(files) // args.sample)][: args.sample]
    res: dict = {
        "machine": machine(),
        "files": len(files),
        "bytes": sum(f.stat().st_size for f in files),
    }
    per_base = baseline(sample)
    per_ours = runlens_per_file(sample)
    res["fitparse_per_file_s"] = per_base
    res["fitparse_all_files_s_extrapolated"] = per_base * len(files)
    res["runlens_read_summary_per_file_s"] = per_ours

    if has_scan(args.root):
        with tempfile.TemporaryDirectory() as tmp:
            db = str(Path(tmp) / "history.sqlite")
            cmd = ["scan", str(folder), "--db", db]
            if args.jobs:
                cmd += ["--jobs", str(args.jobs)]
            cold, cold_peak, rc1 = run_measured(cmd, args.root)
            warm, warm_peak, rc2 = run_measured(cmd, args.root)
        res["scan"] = {
            "cold_s": cold,
            "cold_peak_rss_mb": cold_peak / 2**20,
            "warm_s": warm,
            "warm_peak_rss_mb": warm_peak / 2**20,
            "exit_status": [rc1, rc2],
            "speedup_vs_fitparse_extrapolated": per_base * len(files) / cold,
        }
    else:
        res["scan"] = None

    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    print("machine:")
    for k, v in res["machine"].items():
        print(f"  {k}: {v}")
    print(f"\nhistory: {res['files']} one-hour FIT runs, {res['bytes'] / 2**20:.1f} MiB")
    print(f"  fitparse, decode all messages        {per_base:8.3f} s/file")
    print(
        f"  fitparse for all files (extrapolated {len(sample)} files) "
        f"{res['fitparse_all_files_s_extrapolated']:8.1f} s"
    )
    print(f"  runlens read + summary, one process  {per_ours:8.4f} s/file")
    s = res["scan"]
    if s is None:
        print("\n  runlens scan: not available in this checkout (branch history not merged)")
        return 0
    print(f"\nrunlens scan (jobs={args.jobs or 'default'}), exit {s['exit_status']}:")
    print(f"  cold scan                            {s['cold_s']:8.2f} s   (target < 20 s)")
    print(f"  peak memory, all processes           {s['cold_peak_rss_mb']:8.0f} MB  (target < 500)")
    print(f"  warm rescan, nothing changed         {s['warm_s']:8.2f} s   (target < 1 s)")
    print(f"  speed-up over fitparse (extrapolated) {s['speedup_vs_fitparse_extrapolated']:7.0f} x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
