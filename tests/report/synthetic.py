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

With ``breathing=True`` every run records a breathing rate: the runner's 4.5 steps per
breath, except in week 5 (:data:`BREATHING_WEEK`, the spike week, whose 40 min run gives it
the most steady minutes), run at 3.5 steps per breath at the same pace (22 % fewer steps per
breath; the overstride week's breathing follows its cadence, so
its steps per breath is unchanged).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

FIRST_MONDAY = date(2026, 7, 27)
WEEKS = 6
SPIKE_WEEK = "2026-08-24"
OVERSTRIDE_WEEK = "2026-08-31"
BREATHING_WEEK = SPIKE_WEEK
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


def write_history(folder: Path, breathing: bool = False) -> list[Path]:
    """Write the runs as FIT files into ``folder``; returns their paths."""
    from dataclasses import replace

    from runlens.sim.fitwrite import encode_activity
    from runlens.sim.synth import DEFAULT_RUNNER, simulate_run

    fast = replace(DEFAULT_RUNNER, steps_per_breath=3.5)
    week4 = FIRST_MONDAY + timedelta(weeks=4)  # BREATHING_WEEK

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, (local, duration, pats) in enumerate(plan()):
        start = (local - timedelta(seconds=UTC_OFFSET_S)).replace(tzinfo=timezone.utc)
        slow_breaths = breathing and week4 <= local.date() < week4 + timedelta(days=7)
        run = simulate_run(
            seed=100 + i,
            start=start,
            utc_offset_s=UTC_OFFSET_S,
            duration_s=duration,
            kind="easy",
            smart_recording=True,
            patterns=pats,
            warmup_s=300,
            respiration=breathing,
            runner=fast if slow_breaths else DEFAULT_RUNNER,
        )
        p = folder / f"{local:%Y-%m-%d}-run.fit"
        p.write_bytes(encode_activity(run))
        paths.append(p)
    return paths
