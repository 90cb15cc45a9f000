"""How often each rule fires, as flags and as notes: the numbers of docs/rules.md.

Not a timing benchmark. Three sets of runs, each scanned into its own store
(so every run is judged against the runs before it, as ``runlens scan`` does):

1. the corpus' real running files (catalog.csv ``running == yes``) that
   runlens reads and that hold at least 20 minutes of running;
2. the sample history (``sample_activities/``, 28 runs);
3. a long generated history: 26 weeks of ordinary training from
   :func:`runlens.sim.synth.simulate_history` (seed 11), no planted pattern.

For each set: runs with at least one flag / note of each form rule, and the
volume findings (weeks) of the history.

    python bench/form_firing_rates.py [CORPUS] [WORKDIR]

WORKDIR (default: a new temporary folder) holds the stores and the generated
files; the corpus is only read.
"""

from __future__ import annotations

import csv
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIN_RUN_S = 1200.0


def _running_s(path: Path) -> float | None:
    """Recorded running time of a file, s (None when runlens cannot read it)."""
    from runlens.errors import RunlensError
    from runlens.io import read
    from runlens.rules._signals import Signals

    try:
        a = read(path)
    except RunlensError:
        return None
    if not a.is_running:
        return 0.0
    sig = Signals.of(a, 30.0)
    return float(sig.active_s[-1]) if len(sig) else 0.0


def _generated(folder: Path) -> None:
    from runlens.sim.fitwrite import encode_activity, write_fit
    from runlens.sim.synth import simulate_history

    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        return
    for run in simulate_history(seed=11, weeks=26):
        write_fit(folder / f"{run.local_start:%Y-%m-%d-%H%M}-{run.kind}.fit", encode_activity(run))


def _rates(folder: Path, store: Path, only: set[str] | None = None) -> tuple[int, Counter, Counter]:
    """(runs, form counts per rule:severity, volume counts) of ``folder`` scanned into ``store``."""
    from runlens.history import Store, scan
    from runlens.history.analysis import build_history

    if not store.exists():
        scan(folder, store, jobs=2)
    form: Counter = Counter()
    n = 0
    with Store(store, create=False) as s:
        for path, fj in s.conn.execute(
            "SELECT path, findings_json FROM activities WHERE duplicate_of IS NULL "
            "AND (sport IS NULL OR sport = 'running')"
        ):
            if only is not None and str(Path(path).resolve()) not in only:
                continue
            n += 1
            seen = {
                f"{f['rule']}:{f['severity']}" for f in json.loads(fj) if f["severity"] != "info"
            }
            form.update(seen)
        volume = Counter(
            f"{f.rule}:{f.severity}" for f in build_history(s).findings if f.severity != "info"
        )
    return n, form, volume


def main() -> None:
    from runlens.rules import ORDER

    corpus = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus")
    work = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp(prefix="rl-rates-"))
    work.mkdir(parents=True, exist_ok=True)

    rows = list(csv.DictReader(open(corpus / "catalog.csv", encoding="utf-8")))
    real = [corpus / r["path"] for r in rows if r.get("running") == "yes"]
    long_enough = set()
    for p in real:
        s = _running_s(p)
        if s is not None and s >= MIN_RUN_S:
            long_enough.add(str(p.resolve()))
    print(f"corpus: {len(real)} running files in the catalog, {len(long_enough)} read with "
          f">= {MIN_RUN_S / 60:.0f} min of running")
    _generated(work / "generated")
    sets = {
        "corpus >= 20 min": _rates(corpus, work / "corpus.sqlite", long_enough),
        "sample history": _rates(ROOT / "sample_activities", work / "samples.sqlite"),
        "generated 26 weeks": _rates(work / "generated", work / "generated.sqlite"),
    }
    names = list(sets)
    print(f"{'rule: severity':<26}" + "".join(f"{n:>22}" for n in names))
    print(f"{'runs':<26}" + "".join(f"{sets[n][0]:>22}" for n in names))
    for rule in ORDER:
        for sev in ("flag", "note"):
            k = f"{rule}:{sev}"
            cells = [sets[n][1][k] for n in names]
            if any(cells):
                print(
                    f"{k:<26}"
                    + "".join(
                        f"{c:>6} ({100 * c / max(sets[n][0], 1):4.1f} %)    "
                        for c, n in zip(cells, names)
                    )
                )
    vol = sorted({k for n in names for k in sets[n][2]})
    for k in vol:
        print(f"{k:<26}" + "".join(f"{sets[n][2][k]:>12} weeks      " for n in names))


if __name__ == "__main__":
    main()
