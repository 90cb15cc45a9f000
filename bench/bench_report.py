"""``runlens report`` of a history store: this checkout against another git ref, interleaved.

Run from the project root::

    python bench/bench_report.py --db STORE [--baseline REF] [--repeat 3] [--json]

Times two reports as whole processes: the default one (``runlens report --db STORE``)
and the whole history (``--from 1900-01-01``), for this checkout and, when
``--baseline`` is given, for that git ref (extracted with ``git archive``), one after
the other in each round; the best of ``--repeat`` rounds is kept, wall and CPU (the
process and its workers: a long report is drawn by forked workers). Issue 28's targets
for a 1,000-run history: the default report under 5 s, the whole history under 15 s.
A store of the bench's 1,000 one-hour runs: ``runlens scan`` of ``bench/_inputs.history()``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _inputs import ROOT  # noqa: E402
from _util import machine  # noqa: E402


def _tree(ref: str) -> Path:
    out = Path(tempfile.mkdtemp(prefix="runlens-report-baseline-"))
    tar = subprocess.run(
        ["git", "archive", ref, "runlens"], cwd=ROOT, capture_output=True, check=True
    )
    with tarfile.open(fileobj=io.BytesIO(tar.stdout)) as tf:
        tf.extractall(out, filter="data")
    return out


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _run(tree: Path, args: list[str], home: str) -> tuple[float, float, str]:
    """Wall and CPU seconds of one ``runlens report`` process (its workers included)."""
    env = dict(os.environ, PYTHONPATH=str(tree), XDG_DATA_HOME=home, MPLBACKEND="Agg")
    c, t = _cpu(), time.perf_counter()
    p = subprocess.run(
        [sys.executable, "-m", "runlens", "report", *args], cwd=tree, env=env,
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return time.perf_counter() - t, _cpu() - c, p.stdout.strip()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--baseline", default="")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    home = tempfile.mkdtemp(prefix="runlens-bench-home-")
    out = Path(home)
    trees = {"this": ROOT}
    if a.baseline:
        trees[a.baseline] = _tree(a.baseline)
    kinds = {
        "default": ["--db", a.db],
        "whole_history": ["--db", a.db, "--from", "1900-01-01"],
    }
    best: dict = {}
    cpu: dict = {}
    said: dict = {}
    load0 = os.getloadavg()[0]
    for _ in range(a.repeat):
        for kind, args in kinds.items():
            for name, tree in trees.items():
                s, c, msg = _run(tree, [*args, "-o", str(out / f"{name}-{kind}.pdf")], home)
                key = f"{name}:{kind}"
                best[key] = min(best.get(key, float("inf")), s)
                cpu[key] = min(cpu.get(key, float("inf")), c)
                said[key] = msg
    res = {
        "machine": machine(),
        "load_before_after": [round(load0, 2), round(os.getloadavg()[0], 2)],
        "seconds": best,
        "cpu_seconds": cpu,
        "output": said,
    }
    if a.json:
        print(json.dumps(res, indent=2))
    else:
        print(json.dumps(res["machine"]))
        print("load", res["load_before_after"])
        for k, v in best.items():
            print(f"{k:30s} {v:7.2f} s wall {cpu[k]:7.2f} s CPU   {said[k]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
