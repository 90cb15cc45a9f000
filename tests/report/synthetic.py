"""A small synthetic training history with known volume and form patterns.

Six weeks, three easy runs a week (Tuesday, Thursday, Saturday), 17-19 min
at the same easy pace, written as FIT files with smart recording (small and
quick to read). Known answers:

- week 5 (2026-08-24) adds a 40 min run on Sunday: longer than any run of the
  previous 30 days by far more than 10 % (a session spike, Frandsen bands),
  and a weekly distance increase over 30 %: the week is flagged;
- week 6 (2026-08-31) runs every steady minute with the "overstride" pattern
  (cadence x 0.91 at the same speed): at matched pace its cadence is about
  9 % below the period's and its step length about 10 % above.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

FIRST_MONDAY = date(2026, 7, 27)
WEEKS = 6
SPIKE_WEEK = "2026-08-24"
OVERSTRIDE_WEEK = "2026-08-31"
UTC_OFFSET_S = 7200


def plan():
    """(local start, duration s, patterns) of each run, in order."""
    from runlens.sim.synth import Pattern

    runs = []
    for w in range(WEEKS):
        monday = FIRST_MONDAY + timedelta(weeks=w)
        for i, day in enumerate((1, 3, 5)):
            minutes = 17 + i
            pats = ()
            if w == WEEKS - 1:
                pats = (Pattern("overstride", 0, minutes * 60),)
            local = datetime.combine(monday + timedelta(days=day), datetime.min.time()).replace(
                hour=7
            )
            runs.append((local, minutes * 60, pats))
        if w == 4:
            local = datetime.combine(monday + timedelta(days=6), datetime.min.time()).replace(
                hour=8
            )
            runs.append((local, 40 * 60, ()))
    return runs


def write_history(folder: Path) -> list[Path]:
    """Write the runs as FIT files into ``folder``; returns their paths."""
    from runlens.sim.fitwrite import encode_activity
    from runlens.sim.synth import simulate_run

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, (local, duration, pats) in enumerate(plan()):
        start = (local - timedelta(seconds=UTC_OFFSET_S)).replace(tzinfo=timezone.utc)
        run = simulate_run(
            seed=100 + i,
            start=start,
            utc_offset_s=UTC_OFFSET_S,
            duration_s=duration,
            kind="easy",
            smart_recording=True,
            patterns=pats,
            warmup_s=300,
        )
        p = folder / f"{local:%Y-%m-%d}-run.fit"
        p.write_bytes(encode_activity(run))
        paths.append(p)
    return paths
