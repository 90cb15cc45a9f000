"""Build history stores with known runs and findings through the store API.

Every run is one row written with :meth:`Store.put_result` (what a scan
stores), then :func:`runlens.history.refresh_derived` computes duplicates,
spike ratios and daily load exactly as after a scan. Day offsets count from
:data:`FIRST_DAY` (a Monday); runs start at 07:00 UTC with UTC offset 0, so
a run's local day is its offset's day.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from runlens.findings import Evidence, Finding
from runlens.history import Store, refresh_derived
from runlens.pain import add_entry

FIRST_DAY = dt.date(2024, 1, 1)  # a Monday
START = dt.datetime(2024, 1, 1, 7, 0, tzinfo=dt.timezone.utc)
SPEED_M_S = 2.8


def day(offset: int) -> dt.date:
    return FIRST_DAY + dt.timedelta(days=offset)


def _finding(rule: str, severity: str, when: dt.date) -> dict:
    return Finding(
        rule=rule,
        severity=severity,
        confidence="measured",
        message=f"{rule} on the run of {when}",
        evidence=Evidence(values={"test": 1}, source="tests/pain/builder.py"),
    ).to_dict()


def write_store(
    db: Path,
    distances_m: dict[int, float],
    form: dict[int, list[tuple[str, str]]] | None = None,
    breathing: set[int] | frozenset[int] = frozenset(),
) -> None:
    """One run per day offset in ``distances_m``; ``form[offset]`` = [(rule, severity)].

    Runs on the day offsets in ``breathing`` record a breathing rate: one steady minute
    of the stored form table at 163 steps/min and 36.2 breaths/min (4.5 steps per breath).
    """
    from runlens.metrics.form import FORM_COLUMNS

    minute = {
        "minute": 10, "start_s": 600.0, "seconds": 60.0, "steady_s": 60.0, "steady": 1,
        "speed_m_s": SPEED_M_S, "grade_pct": 0.0, "cadence_spm": 163.0,
        "respiration_rate_brpm": 36.2, "steps_per_breath": 163.0 / 36.2,
    }  # fmt: skip
    breathing_row = [minute.get(c) for c in FORM_COLUMNS]
    form = form or {}
    with Store(db) as s:
        for off, dist in sorted(distances_m.items()):
            start = START + dt.timedelta(days=off)
            moving = dist / SPEED_M_S
            path = f"/runs/{off:04d}.gpx"
            s.put_result(
                {
                    "path": path,
                    "size": 1000 + off,
                    "mtime_ns": off,
                    "sha256": f"{off:064d}",
                    "status": "ok",
                    "error": None,
                    "activity": {
                        "content_sha256": f"{off:064d}",
                        "format": "gpx",
                        "reader": "test",
                        "sport": "running",
                        "start_utc": start.isoformat(),
                        "start_s": start.timestamp(),
                        "utc_offset_s": 0,
                        "summary": {
                            "distance_m": dist,
                            "elapsed_s": moving,
                            "timer_s": moving,
                            "moving_s": moving,
                            "avg_speed_m_s": SPEED_M_S,
                        },
                        "device_summary": {},
                        "hr_hist": {"bpm": [], "s": []},
                        "profile": {},
                        "findings": [_finding(r, sev, day(off)) for r, sev in form.get(off, [])],
                        "form_rules": "evaluated",
                        "form_minutes": [breathing_row] if off in breathing else [],
                        "warnings": [],
                    },
                },
                root="/runs",
            )
        refresh_derived(s)


def write_diary(db: Path, rows: list[tuple[int, int]], where: str = "upper-back") -> None:
    """Diary entries ``(day offset, severity)``."""
    with Store(db) as s:
        for off, sev in rows:
            add_entry(s, day(off), sev, where)


# --------------------------------------------------------------- the histories
#: Last run's day offset of :func:`spike_runs` (24 weeks and 1 day).
LAST = 168
#: Days of the five session spikes: every 28 days from day 35 (after the 28
#: days the volume rules need), each 15 % longer than the one before.
SPIKES = [35 + 28 * k for k in range(5)]


def spike_runs() -> dict[int, float]:
    """A run every day: 8 km, except spike days (8 km x 1.15^(k+1)).

    The other six runs of a spike's week share what is left of 56 km, so
    every week is 56 km: no weekly increase, and the acute:chronic ratio
    stays far below 1.5. Every spike run is 15 % longer than the longest run
    of the 30 days before it (the previous spike, or 8 km).
    """
    runs = {d: 8000.0 for d in range(LAST + 1)}
    for k, s in enumerate(SPIKES):
        km = 8000.0 * 1.15 ** (k + 1)
        week0 = s - s % 7
        for d in range(week0, week0 + 7):
            runs[d] = km if d == s else (56000.0 - km) / 6
    return runs


def no_warmup_days() -> dict[int, list[tuple[str, str]]]:
    """A "no warm-up" note on every run whose day offset is a multiple of 10 (unrelated to pain)."""
    return {d: [("no_warmup", "note")] for d in range(0, LAST + 1, 10)}
