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
from _util import best_of, machine  # noqa: E402

HEAVY = ("pandas", "pyarrow", "scipy", "matplotlib")
_PROBE = (
    "import sys, json, contextlib, io\n"
    "sys.argv = ['runlens', 'analyze', '--json', {path!r}]\n"
    "from runlens.cli import main\n"
    "with contextlib.redirect_stdout(io.StringIO()):\n"
    "    main()\n"
    "print(json.dumps(sorted({{m.split('.')[0] for m, v in sys.modules.items() if v is not None}})))"
)


def _env(data_home: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT), XDG_DATA_HOME=data_home, MPLBACKEND="Agg")
    env.pop("RUNLENS_DB", None)
    return env


def _time(cmd: list[str], env: dict) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    path = str(run2h_fit())
    compileall.compile_dir(str(ROOT / "runlens"), quiet=1)
    load0 = os.getloadavg()[0]
    home = tempfile.mkdtemp(prefix="runlens-bench-home-")
    env = _env(home)
    ref = [sys.executable, "-c", f"import fitfast; fitfast.records(open({path!r}, 'rb').read())"]
    cmd = [sys.executable, "-m", "runlens", "analyze", "--json", path]
    _time(ref, env), _time(cmd, env)  # warm the file cache
    t_ref = t_cmd = float("inf")
    for _ in range(args.repeat):
        t_ref = min(t_ref, _time(ref, env))
        t_cmd = min(t_cmd, _time(cmd, env))
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE.format(path=path)],
        check=True, env=env, capture_output=True, text=True,
    )  # fmt: skip
    loaded = set(json.loads(probe.stdout.strip().splitlines()[-1]))

    import runlens
    from runlens.memo import analysis_scope  # noqa: F401 - warm

    runlens.analyze(path)
    t_in = best_of(lambda: runlens.analyze(path).to_dict(), args.repeat)
    t_read = best_of(lambda: runlens.read(path), args.repeat)
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
        "load_before_after": [round(load0, 2), round(os.getloadavg()[0], 2)],
    }
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    print(json.dumps(res["machine"]))
    print(f"{res['file']}, load (1 min) {res['load_before_after']}")
    print(f"  process: fitfast import + decode      {t_ref:7.3f} s")
    print(f"  process: runlens analyze --json       {t_cmd:7.3f} s   {res['ratio']:.2f}x (target <= 2x)")
    print(f"  heavy modules in the analyze process  {res['heavy_modules_imported']}")
    print(f"  in process: runlens.analyze           {t_in:7.3f} s")
    print(f"  in process: runlens.read              {t_read:7.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
