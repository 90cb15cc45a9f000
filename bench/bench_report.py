"""``runlens report`` of a history store: this checkout against another git ref, interleaved.

Run from the project root::

    python bench/bench_report.py --db STORE [--baseline REF] [--repeat 3] [--json]

Times two reports as whole processes: the default one (``runlens report --db STORE``)
and the whole history (``--from 1900-01-01``), for this checkout and, when
``--baseline`` is given, for that git ref (extracted with ``git archive``), one after
the other in each round; the best of ``--repeat`` rounds is kept. Issue 28's targets
for a 1,000-run history: the default report under 5 s, the whole history under 15 s.
A store of the bench's 1,000 one-hour runs: ``runlens scan`` of ``bench/_inputs.history()``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
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
    tar = subprocess.run(["git", "archive", ref, "runlens"], cwd=ROOT, capture_output=True, check=True)
    with tarfile.open(fileobj=io.BytesIO(tar.stdout)) as tf:
        tf.extractall(out, filter="data")
    return out


def _run(tree: Path, args: list[str], home: str) -> tuple[float, str]:
    env = dict(os.environ, PYTHONPATH=str(tree), XDG_DATA_HOME=home, MPLBACKEND="Agg")
    t = time.perf_counter()
    p = subprocess.run(
        [sys.executable, "-m", "runlens", "report", *args], cwd=tree, env=env,
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return time.perf_counter() - t, p.stdout.strip()


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
    said: dict = {}
    load0 = os.getloadavg()[0]
    for _ in range(a.repeat):
        for kind, args in kinds.items():
            for name, tree in trees.items():
                s, msg = _run(tree, [*args, "-o", str(out / f"{name}-{kind}.pdf")], home)
                key = f"{name}:{kind}"
                best[key] = min(best.get(key, float("inf")), s)
                said[key] = msg
    res = {
        "machine": machine(),
        "load_before_after": [round(load0, 2), round(os.getloadavg()[0], 2)],
        "seconds": best,
        "output": said,
    }
    if a.json:
        print(json.dumps(res, indent=2))
    else:
        print(json.dumps(res["machine"]))
        print("load", res["load_before_after"])
        for k, v in best.items():
            print(f"{k:40s} {v:7.2f} s   {said[k]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
