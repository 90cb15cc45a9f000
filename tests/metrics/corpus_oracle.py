"""The device's own session values from ../shared/corpus/catalog.csv.

The catalog's ``ses_*`` columns hold every session of a file, in file order,
joined by ``|`` (a multisport file has one value per session). Values are as
decoded by fitparse with scale applied: cadence in strides/min (+ fractional
part), step length in mm, times in s, distance in m.
"""

from __future__ import annotations

import csv
import functools
import math
import os
from pathlib import Path

from tests.conftest import CORPUS as _CORPUS
from tests.conftest import NO_CORPUS

#: ../shared/corpus beside the checkout; a worktree elsewhere can point
#: RUNLENS_CORPUS at it.
CORPUS = _CORPUS if _CORPUS.exists() or NO_CORPUS else Path(os.environ.get("RUNLENS_CORPUS", str(_CORPUS)))

FOOT = {"running", "walking", "hiking", "mountaineering", "rucking"}


@functools.lru_cache(maxsize=1)
def catalog_rows() -> dict[str, dict[str, str]]:
    path = CORPUS / "catalog.csv"
    if not path.exists():
        return {}
    with open(path, newline="") as fh:
        return {r["path"]: r for r in csv.DictReader(fh)}


def oracle_files() -> list[str]:
    """FIT files with device session values that fitparse reads (catalog)."""
    out = []
    for p, r in catalog_rows().items():
        if r.get("fitparse_ok") != "yes":
            continue
        if any(r[k].strip() for k in r if k.startswith("ses_")):
            out.append(p)
    return sorted(out)


def _value(row: dict[str, str], col: str, i: int) -> float | None:
    parts = (row.get(col) or "").split("|")
    if i >= len(parts):
        return None
    s = parts[i].split("/")[0].strip()
    if not s:
        return None
    v = float(s)
    return v if math.isfinite(v) else None


def sports(row: dict[str, str]) -> list[str]:
    return [s.split("/")[0] for s in (row.get("sports") or "").split("|")]


def compared_sessions(row: dict[str, str]) -> list[int]:
    """Running sessions of a file; without any, its first session."""
    sp = sports(row)
    run = [i for i, s in enumerate(sp) if s == "running"]
    return run or [0]


def device_values(row: dict[str, str], i: int) -> dict[str, float]:
    """Session ``i``'s device values in runlens' canonical units."""
    out: dict[str, float] = {}
    d = _value(row, "ses_total_distance", i)
    if d:
        out["distance_m"] = d
    t = _value(row, "ses_total_timer_time", i)
    if t:
        out["timer_s"] = t
    sport = sports(row)[i] if i < len(sports(row)) else None
    if sport in FOOT:
        cad = _value(row, "ses_avg_running_cadence", i) or _value(row, "ses_avg_cadence", i)
        if cad:
            frac = _value(row, "ses_avg_fractional_cadence", i) or 0.0
            out["cadence_spm"] = 2.0 * (cad + frac)
    for key, col, scale in (
        ("step_length_m", "ses_avg_step_length", 1000.0),
        ("vertical_oscillation_mm", "ses_avg_vertical_oscillation", 1.0),
        ("vertical_ratio_pct", "ses_avg_vertical_ratio", 1.0),
        ("ground_contact_ms", "ses_avg_stance_time", 1.0),
        ("gct_balance_left_pct", "ses_avg_stance_time_balance", 1.0),
    ):
        v = _value(row, col, i)
        if v:
            out[key] = v / scale
    return out
