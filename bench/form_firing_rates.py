"""How often each form rule fires on the corpus' real runs, with and without a baseline.

Not a timing benchmark: the numbers of docs/rules.md's worked example.

    python bench/form_firing_rates.py [CORPUS] [STORE]

Without a baseline: every running file of catalog.csv (``running == yes``)
that runlens reads, judged with population bands. With a baseline: the same
files as stored by ``runlens scan CORPUS --db STORE`` (made if missing), each
judged against the runs before it in that store.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    from runlens.errors import RunlensError
    from runlens.history import Store, scan
    from runlens.io import read
    from runlens.rules import ORDER, evaluate_all

    corpus = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus")
    store = Path(sys.argv[2] if len(sys.argv) > 2 else "/tmp/runlens-corpus.sqlite")
    rows = list(csv.DictReader(open(corpus / "catalog.csv", encoding="utf-8")))
    runs = [corpus / r["path"] for r in rows if r.get("running") == "yes"]
    pop: dict[str, Counter] = {}
    read_ok = []
    for p in runs:
        try:
            a = read(p)
        except RunlensError:
            continue
        read_ok.append(str(p.resolve()))
        pop[str(p.resolve())] = Counter(
            f"{f.rule}:{f.severity}" for f in evaluate_all(a) if f.severity != "info"
        )
    if not store.exists():
        scan(corpus, store, jobs=2)
    own: dict[str, Counter] = {}
    basis: Counter = Counter()
    with Store(store, create=False) as s:
        for path, _, _, _, _, fj, _ in s.judgements():
            if path not in pop:
                continue
            found = [f for f in json.loads(fj) if f["severity"] != "info"]
            own[path] = Counter(f"{f['rule']}:{f['severity']}" for f in found)
            for f in json.loads(fj):
                if f["rule"] == "overstriding" and f["evidence"].get("basis"):
                    basis[f["evidence"]["basis"].split(":")[0].split(" from ")[0]] += 1
    n = len(read_ok)
    print(f"{len(runs)} running files in the catalog, {n} read by runlens")
    print(f"{'rule':<16} {'no baseline':>12} {'with store':>12}")
    for rule in ORDER:
        for sev in ("flag", "note"):
            k = f"{rule}:{sev}"
            a = sum(c[k] > 0 for c in pop.values())
            b = sum(c[k] > 0 for c in own.values())
            if a or b:
                print(f"{k:<22} {a:>3} of {n:<3} {b:>3} of {len(own)}")
    print("overstriding judged on:", dict(basis))
    for p in read_ok:
        if pop[p] != own.get(p):
            print("changed:", p.split("corpus/")[-1], dict(pop[p]), "->", dict(own.get(p, {})))


if __name__ == "__main__":
    main()
