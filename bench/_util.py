"""Small timing helpers shared by the benchmark scripts."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def best_of(fn, repeat: int = 5) -> float:
    """Fastest of ``repeat`` calls of ``fn()``, seconds (the least disturbed run)."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def run_process(args: list[str], repeat: int = 5) -> float:
    """Fastest wall time of a whole ``python -m runlens ARGS`` process, seconds."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.setdefault("MPLBACKEND", "Agg")

    def once():
        subprocess.run(
            [sys.executable, "-m", "runlens", *args],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    return best_of(once, repeat)


def machine() -> dict[str, str]:
    """The machine and software the numbers were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "unknown"
    out = {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    try:
        out["load average (1 min) at start"] = f"{os.getloadavg()[0]:.2f}"
    except OSError:
        pass
    for pkg in ("numpy", "pandas", "fitfast", "fitparse", "gpxpy", "scipy"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def print_machine() -> None:
    for k, v in machine().items():
        print(f"  {k}: {v}")
