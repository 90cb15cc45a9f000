"""Damaged copies of the corpus' four largest running FIT files against their intact read.

Run from the project root::

    python bench/bench_damaged_corpus.py            # text table
    python bench/bench_damaged_corpus.py --json     # one JSON object

For each file (the four largest FIT files of ``../shared/corpus/catalog.csv`` whose
``running`` column is ``yes``), the cases of issue 28: cut at 30, 60 and 90 % of its
size, and 1 and 4 bytes flipped in record data, record headers and definitions (the
seeded copies of ``bench_damaged.cases``). Every read of a file and its damaged
copies is timed interleaved in one loop (round r reads the intact file, then each
copy), best of ``--repeat`` rounds, so that other load on the machine hits all alike.

Target: each damaged read within 3x its intact read (floor 50 ms), with record counts
no lower than those of :data:`RECORDS_BEFORE` (measured on the code before the
vectorised repair, 2026-12-06).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _inputs import ROOT  # noqa: E402
from _util import machine  # noqa: E402
from bench_damaged import cases  # noqa: E402

# ../shared/corpus beside the checkout (or beside its parent, for a git worktree);
# $RUNLENS_CORPUS overrides it, as in tests/conftest.py.
CORPUS = Path(os.environ.get("RUNLENS_CORPUS") or ROOT.parent / "shared" / "corpus")
if not CORPUS.exists() and (ROOT.parent.parent / "shared" / "corpus").exists():
    CORPUS = ROOT.parent.parent / "shared" / "corpus"

FLOOR_S = 0.050
LIMIT_X = 3.0
KEEP = ("cut 30 %", "cut 60 %", "cut 90 %")
KEEP_FLIPS = ("1 flip(s)", "4 flip(s)")


def largest_running(n: int = 4) -> list[Path]:
    """The n largest running FIT files of the corpus (by the catalog's size)."""
    rows = [
        r
        for r in csv.DictReader(open(CORPUS / "catalog.csv", encoding="utf-8"))
        if r["format"] == "fit" and r["running"] == "yes"
    ]
    rows.sort(key=lambda r: -int(r["size"]))
    return [CORPUS / r["path"] for r in rows[:n]]


def damaged(data: bytes) -> list[tuple[str, bytes]]:
    return [(label, b) for label, b in cases(data) if label in KEEP or label.startswith(KEEP_FLIPS)]


def _read(data: bytes):
    from runlens import read
    from runlens.errors import RunlensError

    try:
        return len(read(data).table)  # the sample count, no DataFrame built
    except RunlensError as exc:
        return "refused: " + str(exc)[:100]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    out = {"machine": machine(), "files": []}
    for path in largest_running():
        if not path.exists():
            print(f"skipped (not found): {path}", file=sys.stderr)
            continue
        data = path.read_bytes()
        items = [("intact", data), *damaged(data)]
        _read(data)  # warm imports
        best = [float("inf")] * len(items)
        counts: list = [None] * len(items)
        for _ in range(args.repeat):
            for i, (_, b) in enumerate(items):
                t = time.perf_counter()
                counts[i] = _read(b)
                best[i] = min(best[i], time.perf_counter() - t)
        limit = max(FLOOR_S, LIMIT_X * best[0])
        rows = [
            {"case": label, "s": best[i], "x": best[i] / best[0], "records": counts[i],
             "within": best[i] <= limit}
            for i, (label, _) in enumerate(items)
        ]
        out["files"].append({"file": path.name, "bytes": len(data), "limit_s": limit, "cases": rows})
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(json.dumps(out["machine"]))
    for f in out["files"]:
        print(f"\n{f['file']} ({f['bytes']} bytes), limit {f['limit_s']:.3f} s")
        for r in f["cases"]:
            ok = "" if r["within"] else "   OVER"
            print(f"  {r['case']:32s} {r['s']:7.3f} s {r['x']:6.2f}x  {r['records']}{ok}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
