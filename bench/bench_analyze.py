"""``runlens analyze FILE --json`` as a process against a process that only decodes the file.

Run from the project root::

    python bench/bench_analyze.py            # text
    python bench/bench_analyze.py --json     # one JSON object

Issue 28's target: the whole command on the bench's 2-hour FIT (``run2h.fit``, 7,201
records) at most 2x a process that imports fitfast and decodes the same file
(``fitfast.records``). Both run as fresh interpreters, interleaved (round r runs the
reference, then the command), best of ``--repeat`` rounds, so other load on the
machine hits both alike. runlens' modules are byte-compiled first (``compileall``), as
in an installed package; the environment may set ``PYTHONDONTWRITEBYTECODE``. The
command runs with an empty user data directory (no history store to judge against).

Also printed: which heavy modules the command's process imported (pandas, pyarrow,
scipy, matplotlib), the in-process time of ``runlens.analyze`` and of ``runlens.read``,
and the 1-minute load average before and after.

``--store N`` also times the command with the runner's store present (N runs of the
bench history scanned into a second data directory first), so the baseline is read from
it, in the same rounds; ``--store-home DIR`` uses the store of a data directory already
scanned (``XDG_DATA_HOME=DIR runlens scan FOLDER``). ``--baseline SRC`` times another checkout's code as well (SRC:
a folder holding its ``runlens/``, e.g. ``git archive main runlens | tar -x -C SRC``),
process and in process, in the same rounds: before and after a change, on one load.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _inputs import ROOT, run2h_fit  # noqa: E402
from _util import machine  # noqa: E402

HEAVY = ("pandas", "pyarrow", "scipy", "matplotlib")
_PROBE = (
    "import sys, json, contextlib, io\n"
    "sys.argv = ['runlens', 'analyze', '--json', {path!r}]\n"
    "from runlens.cli import main\n"
    "with contextlib.redirect_stdout(io.StringIO()):\n"
    "    main()\n"
    "print(json.dumps(sorted({{m.split('.')[0] for m, v in sys.modules.items() if v is not None}})))"
)


def _env(data_home: str, src: Path = ROOT) -> dict:
    env = dict(os.environ, PYTHONPATH=str(src), XDG_DATA_HOME=data_home, MPLBACKEND="Agg")
    env.pop("RUNLENS_DB", None)
    return env


def _time(cmd: list[str], env: dict) -> float:
    """Wall time of one process; it runs in the folder its PYTHONPATH names, so that
    ``python -m``/``-c`` (which put the working folder first) import that runlens."""
    t = time.perf_counter()
    subprocess.run(
        cmd, check=True, env=env, cwd=env["PYTHONPATH"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - t


_IN_PROCESS = (
    "import sys, time, json\n"
    "import runlens\n"
    "p = {path!r}\n"
    "runlens.analyze(p).to_dict()\n"
    "def best(f, n):\n"
    "    b = 9e9\n"
    "    for _ in range(n):\n"
    "        t = time.perf_counter(); f(); b = min(b, time.perf_counter() - t)\n"
    "    return b\n"
    "print(json.dumps([best(lambda: runlens.analyze(p).to_dict(), {n}),"
    " best(lambda: runlens.read(p), {n})]))"
)


def _in_process(path: str, env: dict, n: int) -> tuple[float, float]:
    """Best-of-``n`` ``runlens.analyze(...).to_dict()`` and ``runlens.read`` in one process."""
    out = subprocess.run(
        [sys.executable, "-c", _IN_PROCESS.format(path=path, n=n)],
        check=True, env=env, capture_output=True, text=True, cwd=env["PYTHONPATH"],
    )  # fmt: skip
    a, r = json.loads(out.stdout.strip().splitlines()[-1])
    return a, r


def _store_home(n: int) -> str:
    """A data directory whose runner's store holds ``n`` runs of the bench history."""
    from _inputs import history

    home = tempfile.mkdtemp(prefix="runlens-bench-store-")
    src = history(max(n, 1))
    folder = Path(home) / "runs"
    folder.mkdir()
    for f in sorted(src.iterdir())[:n]:
        (folder / f.name).symlink_to(f)
    subprocess.run(
        [sys.executable, "-m", "runlens", "scan", str(folder)],
        check=True, env=_env(home), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return home


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--store", type=int, default=0, metavar="N",
                    help="also time the command against a store of N runs")
    ap.add_argument("--store-home", default=None, metavar="DIR",
                    help="like --store, with the data directory of a store already scanned")
    ap.add_argument("--baseline", type=Path, default=None, metavar="SRC",
                    help="also time the runlens/ under SRC (e.g. main's code)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    path = str(run2h_fit())
    compileall.compile_dir(str(ROOT / "runlens"), quiet=1)
    if args.baseline is not None:
        compileall.compile_dir(str(args.baseline / "runlens"), quiet=1)
    store_home = args.store_home or (_store_home(args.store) if args.store else None)
    if args.store_home:
        from runlens.store.db import Store

        with Store(Path(store_home) / "runlens" / "history.sqlite", create=False) as st:
            args.store = st.conn.execute("SELECT COUNT(*) FROM activities").fetchone()[0]
    load0 = os.getloadavg()[0]
    home = tempfile.mkdtemp(prefix="runlens-bench-home-")
    env = _env(home)
    ref = [sys.executable, "-c", f"import fitfast; fitfast.records(open({path!r}, 'rb').read())"]
    cmd = [sys.executable, "-m", "runlens", "analyze", "--json", path]
    runs = {"ref": (ref, env), "cmd": (cmd, env)}
    if store_home:
        runs["cmd_store"] = (cmd, _env(store_home))
    if args.baseline is not None:
        runs["base"] = (cmd, _env(home, args.baseline))
        if store_home:
            runs["base_store"] = (cmd, _env(store_home, args.baseline))
    for c, e in runs.values():
        _time(c, e)  # warm the file cache
    best = dict.fromkeys(runs, float("inf"))
    inproc = {"this": [float("inf")] * 2, "base": [float("inf")] * 2}
    for _ in range(args.repeat):
        for k, (c, e) in runs.items():
            best[k] = min(best[k], _time(c, e))
        pairs = [("this", env)] + ([("base", runs["base"][1])] if "base" in runs else [])
        for name, e in pairs:
            got = _in_process(path, e, 1)
            inproc[name] = [min(a, b) for a, b in zip(inproc[name], got)]
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE.format(path=path)],
        check=True, env=env, capture_output=True, text=True,
    )  # fmt: skip
    loaded = set(json.loads(probe.stdout.strip().splitlines()[-1]))
    t_ref, t_cmd = best["ref"], best["cmd"]
    t_in, t_read = inproc["this"]
    res = {
        "machine": machine(),
        "file": f"{Path(path).name} ({Path(path).stat().st_size} bytes)",
        "fitfast_decode_process_s": t_ref,
        "analyze_json_process_s": t_cmd,
        "ratio": t_cmd / t_ref,
        "target_ratio": 2.0,
        "heavy_modules_imported": sorted(loaded & set(HEAVY)),
        "analyze_in_process_s": t_in,
        "read_in_process_s": t_read,
    }
    if store_home:
        res["store_runs"] = args.store
        res["analyze_json_process_with_store_s"] = best["cmd_store"]
        res["ratio_with_store"] = best["cmd_store"] / t_ref
    if args.baseline is not None:
        res["baseline_src"] = str(args.baseline)
        res["baseline_analyze_json_process_s"] = best["base"]
        res["baseline_ratio"] = best["base"] / t_ref
        res["baseline_analyze_in_process_s"], res["baseline_read_in_process_s"] = inproc["base"]
        if store_home:
            res["baseline_analyze_json_process_with_store_s"] = best["base_store"]
    res["load_before_after"] = [round(load0, 2), round(os.getloadavg()[0], 2)]
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    print(json.dumps(res["machine"]))
    print(f"{res['file']}, load (1 min) {res['load_before_after']}")
    print(f"  process: fitfast import + decode      {t_ref:7.3f} s")
    print(f"  process: runlens analyze --json       {t_cmd:7.3f} s   {res['ratio']:.2f}x (target <= 2x)")
    if store_home:
        print(f"  ... with a store of {args.store} runs      {best['cmd_store']:7.3f} s   "
              f"{res['ratio_with_store']:.2f}x")
    print(f"  heavy modules in the analyze process  {res['heavy_modules_imported']}")
    print(f"  in process: runlens.analyze           {t_in:7.3f} s")
    print(f"  in process: runlens.read              {t_read:7.3f} s")
    if args.baseline is not None:
        print(f"  baseline ({args.baseline}):")
        print(f"    process: runlens analyze --json     {best['base']:7.3f} s   "
              f"{res['baseline_ratio']:.2f}x")
        if store_home:
            print(f"    ... with the store                  {best['base_store']:7.3f} s")
        print(f"    in process: runlens.analyze         {inproc['base'][0]:7.3f} s")
        print(f"    in process: runlens.read            {inproc['base'][1]:7.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
