"""Damaged FIT files: what a salvaged read costs against the intact file's native read.

Run from the project root::

    python bench/bench_damaged.py                  # the default files, baseline = git main
    python bench/bench_damaged.py --baseline REF   # "today's path" from another git ref
    python bench/bench_damaged.py --json out.json  # also write every case as JSON

Each input is damaged in 18 ways, deterministically (seeded): cut at 10 %, 20 %,
... 90 % of its size, and 1, 4 and 16 bytes flipped (XOR 0xFF) in record data,
in record headers (the first byte of record messages) and in definition
messages (the 1-byte case hits the record definition). For each case, in the
same run:

- **runlens**: ``runlens.read()`` of this checkout (best of ``--repeat``);
- **baseline**: ``runlens.read()`` of ``--baseline`` (default ``main``), extracted
  with ``git archive`` and run in a subprocess on the same files ("today's path");
- **fitparse**: ``fitparse.FitFile(...).get_messages()`` through its public API
  until it stops (what a fitparse-based tool gets);
- **chiptime**: ``chiptime.parse()`` (a pure-Python peer, measured here only when
  installed; it is not a runlens dependency).

``--references-for NAME`` measures the three references on that file only (fitparse
and today's path take tens of seconds per damaged copy of a 1 MB file on a busy
machine); ``--scan N`` also times ``runlens scan`` of N one-hour runs intact and
each damaged one way.

The record count is what each returns (for runlens, rows of ``Activity.records``
after validation). Target: every damaged read <= 2x the intact file's native
read, with a floor of 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import struct
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _inputs import ROOT, run2h_fit  # noqa: E402
from _util import machine  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
DEFAULT_FILES = (
    "corpus:python-fitparse/tests/files/activity-large-fenxi2-multisport.fit",
    "bench:run2h.fit",
    "corpus:python-fitparse/tests/files/activity-small-fenix2-run.fit",
)
FLOOR_S = 0.050


def _messages(data: bytes) -> list[tuple[int, int, str, int]]:
    """(start, end, kind, global number) of every message of an intact FIT file."""
    out = []
    pos = 0
    while pos + 12 <= len(data) and data[pos + 8 : pos + 12] == b".FIT":
        p = pos + data[pos]
        end = p + struct.unpack_from("<I", data, pos + 4)[0]
        defs: dict[int, tuple[int, int]] = {}
        while p < end:
            h = data[p]
            if h & 0xC0 == 0x40:
                endian = ">" if data[p + 2] else "<"
                gnum = struct.unpack_from(endian + "H", data, p + 3)[0]
                nf = data[p + 5]
                q = p + 6
                size = sum(data[q + 3 * i + 1] for i in range(nf))
                q += 3 * nf
                if h & 0x20:
                    nd = data[q]
                    size += sum(data[q + 1 + 3 * i + 1] for i in range(nd))
                    q += 1 + 3 * nd
                defs[h & 0x0F] = (size, gnum)
                out.append((p, q, "definition", gnum))
                p = q
            else:
                local = (h >> 5) & 3 if h & 0x80 else h & 0x0F
                size, gnum = defs[local]
                out.append((p, p + 1 + size, "data", gnum))
                p += 1 + size
        pos = end + 2
    return out


def cases(data: bytes, seed: int = 15) -> list[tuple[str, bytes]]:
    """The 18 damaged copies of ``data``: (label, bytes)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    msgs = _messages(data)
    records = [(s, e) for s, e, k, g in msgs if k == "data" and g == 20]
    defs = [(s, e, g) for s, e, k, g in msgs if k == "definition"]
    rec_defs = [(s, e) for s, e, g in defs if g == 20]
    out = [(f"cut {pct} %", data[: len(data) * pct // 100]) for pct in range(10, 100, 10)]

    def flipped(positions) -> bytes:
        b = bytearray(data)
        for p in positions:
            b[int(p)] ^= 0xFF
        return bytes(b)

    for n in (1, 4, 16):
        # Record data: a random byte inside a random record (not its header byte).
        picks = rng.choice(len(records), n, replace=False)
        pos = [rng.integers(records[i][0] + 1, records[i][1]) for i in picks]
        out.append((f"{n} flip(s) in record data", flipped(pos)))
        picks = rng.choice(len(records), n, replace=False)
        out.append((f"{n} flip(s) in record headers", flipped(records[i][0] for i in picks)))
        if n == 1:
            s, e = rec_defs[0]
            pos = [rng.integers(s, e)]
        else:
            pool = np.concatenate([np.arange(s, e) for s, e, _ in defs])
            pos = rng.choice(pool, n, replace=False)
        out.append((f"{n} flip(s) in definitions", flipped(pos)))
    return out


def _inputs(specs) -> list[tuple[str, bytes]]:
    out = []
    for spec in specs:
        kind, _, rel = spec.partition(":")
        path = run2h_fit() if kind == "bench" else CORPUS / rel
        if not path.exists():
            print(f"skipped (not found): {path}", file=sys.stderr)
            continue
        out.append((path.name, path.read_bytes()))
    return out


def _timed(fn, repeat: int, budget_s: float = 2.0):
    """(best seconds, result or exception) over up to ``repeat`` calls (fewer if slow)."""
    best, res = float("inf"), None
    spent = 0.0
    for _ in range(repeat):
        t = time.perf_counter()
        try:
            res = fn()
        except Exception as exc:  # noqa: BLE001 - a refusal is an outcome, timed too
            res = exc
        dt = time.perf_counter() - t
        best, spent = min(best, dt), spent + dt
        if spent > budget_s:
            break
    return best, res


# Run in a subprocess with another runlens on sys.path: read each file, print JSON.
_BASELINE_CODE = r"""
import json, sys, time
from runlens import read
from runlens.errors import RunlensError
folder, repeat = sys.argv[1], int(sys.argv[2])
names = json.loads(sys.stdin.read())
out = {}
for name in names:
    path = folder + "/" + name
    best, rec, spent = float("inf"), None, 0.0
    for _ in range(repeat):
        t = time.perf_counter()
        try:
            rec = len(read(path).records)
        except RunlensError as exc:
            rec = "refused: " + str(exc)[:120]
        dt = time.perf_counter() - t
        best, spent = min(best, dt), spent + dt
        if spent > 2.0:
            break
    out[name] = [best, rec]
print(json.dumps(out))
"""


def baseline(ref: str, folder: Path, names: list[str], repeat: int) -> dict:
    """Time ``read()`` of runlens at git ``ref`` on the files, in a subprocess."""
    tree = Path(tempfile.mkdtemp(prefix="runlens-baseline-"))
    tar = subprocess.run(
        ["git", "archive", ref, "runlens"], cwd=ROOT, capture_output=True, check=True
    )
    with tarfile.open(fileobj=__import__("io").BytesIO(tar.stdout)) as tf:
        tf.extractall(tree, filter="data")
    env = dict(os.environ, PYTHONPATH=str(tree))
    # Warm the baseline's imports on the first file before timing (each file is timed
    # best-of-repeat anyway).
    proc = subprocess.run(
        [sys.executable, "-c", _BASELINE_CODE, str(folder), str(repeat)],
        input=json.dumps(names),
        capture_output=True,
        text=True,
        env=env,
        cwd=tree,
        check=True,
    )
    return json.loads(proc.stdout)


def bench_scan(n: int = 40, repeat: int = 2) -> dict:
    """``runlens scan`` of n one-hour runs, intact and each damaged one way (cycling
    through the 18 kinds), as whole processes (best of ``repeat``, cold store each time)."""
    from _inputs import _history_file
    from _util import run_process

    root = Path(tempfile.mkdtemp(prefix="runlens-scan-damaged-"))
    intact, damaged = root / "intact", root / "damaged"
    intact.mkdir()
    damaged.mkdir()
    for i in range(n):
        name, data = _history_file(i)
        (intact / name).write_bytes(data)
        label, bad = cases(data, seed=i)[i % 18]
        (damaged / name).write_bytes(bad)
    out = {"files": n}
    for key, folder in (("intact_s", intact), ("damaged_s", damaged)):
        best = float("inf")
        for k in range(repeat):
            db = root / f"{key}{k}.sqlite"
            best = min(best, run_process(["scan", str(folder), "--db", str(db)], 1))
        out[key] = best
    out["ratio"] = out["damaged_s"] / out["intact_s"]
    return out


def _records(res) -> str | int:
    if isinstance(res, Exception):
        return "refused: " + str(res)[:120]
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "files",
        nargs="*",
        default=list(DEFAULT_FILES),
        help="corpus:REL or bench:run2h.fit (default: the three below)",
    )
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline", default="main", help="git ref of today's path ('' to skip)")
    ap.add_argument("--no-fitparse", action="store_true", help="skip fitparse alone")
    ap.add_argument("--no-chiptime", action="store_true", help="skip chiptime")
    ap.add_argument(
        "--references-for",
        metavar="NAME",
        help="measure the references (baseline, fitparse, chiptime) only for this file name",
    )
    ap.add_argument("--json", help="write all results to this file")
    ap.add_argument(
        "--scan",
        type=int,
        default=40,
        metavar="N",
        help="also time `runlens scan` of N one-hour runs intact and damaged (0: skip)",
    )
    args = ap.parse_args()

    from runlens import read

    try:
        import chiptime
    except ImportError:
        chiptime = None
    if args.no_chiptime:
        chiptime = None
    import fitparse

    def fitparse_alone(data: bytes) -> int:
        n = 0
        try:
            for m in fitparse.FitFile(data).get_messages():
                n += m.name == "record"
        except Exception:  # noqa: BLE001 - where fitparse stops is its outcome
            pass
        return n

    def chip(data: bytes) -> int:
        return sum(m.name == "record" for m in chiptime.parse(data, include_unknown=False).messages)

    info = machine()
    if chiptime is not None:
        info["chiptime"] = chiptime.__version__
    print("machine:")
    for k, v in info.items():
        print(f"  {k}: {v}")
    results = {"machine": info, "files": []}
    work = Path(tempfile.mkdtemp(prefix="runlens-damaged-"))
    for fname, data in _inputs(args.files):
        refs = args.references_for in (None, fname)
        read(data)  # warm imports
        t_intact, a = _timed(lambda d=data: read(d), max(5, args.repeat))
        limit = max(2 * t_intact, FLOOR_S)
        rows = []
        all_cases = cases(data)
        names = []
        for i, (_label, damaged) in enumerate(all_cases):
            n = f"{fname}.{i:02d}.fit"
            (work / n).write_bytes(damaged)
            names.append(n)
        base = baseline(args.baseline, work, names, args.repeat) if args.baseline and refs else {}
        for (label, damaged), n in zip(all_cases, names):
            t, res = _timed(lambda d=damaged: read(d), args.repeat)
            row = {
                "case": label,
                "runlens_s": t,
                "runlens_records": _records(
                    res if isinstance(res, Exception) else len(res.records)
                ),
                "reader": None if isinstance(res, Exception) else res.source.reader,
                "within_target": t <= limit,
            }
            if n in base:
                row["baseline_s"], row["baseline_records"] = base[n]
            if not args.no_fitparse and refs:
                row["fitparse_s"], row["fitparse_records"] = _timed(
                    lambda d=damaged: fitparse_alone(d), 1
                )
            if chiptime is not None and refs:
                tc, rc = _timed(lambda d=damaged: chip(d), 1)
                row["chiptime_s"], row["chiptime_records"] = tc, _records(rc)
            rows.append(row)
        entry = {
            "file": fname,
            "bytes": len(data),
            "intact_records": len(a.records),
            "intact_reader": a.source.reader,
            "intact_s": t_intact,
            "limit_s": limit,
            "cases": rows,
        }
        results["files"].append(entry)
        _print(entry)
    if args.scan:
        sc = results["scan"] = bench_scan(args.scan)
        print(
            f"\nscan of {sc['files']} one-hour runs: intact {sc['intact_s']:.2f} s, each damaged "
            f"{sc['damaged_s']:.2f} s ({sc['ratio']:.2f}x)"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


def _cell(row, key) -> str:
    if key + "_s" not in row:
        return "-"
    rec = row[key + "_records"]
    rec = "refused" if isinstance(rec, str) else str(rec)
    return f"{row[key + '_s']:7.3f} s {rec:>7}"


def _print(e: dict) -> None:
    print(
        f"\n{e['file']} ({e['bytes']} bytes, {e['intact_records']} records): intact read "
        f"{e['intact_s']:.3f} s by {e['intact_reader']}; limit {e['limit_s']:.3f} s"
    )
    print(
        f"  {'case':28} {'runlens':>17} {'reader':>8} {'baseline':>17} {'fitparse':>17} {'chiptime':>17}"
    )
    for r in e["cases"]:
        ok = "" if r["within_target"] else "  OVER"
        print(
            f"  {r['case']:28} {_cell(r, 'runlens')} {str(r['reader']):>8} {_cell(r, 'baseline')} "
            f"{_cell(r, 'fitparse')} {_cell(r, 'chiptime')}{ok}"
        )
    worst = max(r["runlens_s"] for r in e["cases"])
    print(f"  worst damaged read {worst:.3f} s = {worst / e['intact_s']:.1f}x the intact read")


if __name__ == "__main__":
    sys.exit(main())
