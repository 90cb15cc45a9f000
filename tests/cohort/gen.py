"""A small generated cohort on disk with known patterns (runlens.sim.synth + fitwrite).

Three runners, eight activities each, short runs (12 min) so a scan is quick:

- ``alice`` (UTC+2): eight FIT runs over 34 days; the last run (day 34) is
  20 min against 12 min before: a session spike of about +70 % (Frandsen band
  30-100 %), judged because it is 34 >= 28 days into her history.
- ``bob`` (UTC-5): seven FIT runs plus a GPX export of his day-7 run (the same
  activity twice: counted once, within bob's history); his day-14 run starts
  at the same instant as alice's day-14 run with the same distance (a group
  run) - two sessions of two runners, one "duplicate" only if the whole folder
  is (wrongly) treated as one history.
- ``Chloé Ünal`` (UTC+0, a runner id with a space and accents): eight runs, half
  of them ``.fit.gz``, plus ``broken.fit`` (a truncated header): a bad file.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from runlens.sim.fitwrite import encode_activity, write_fit
from runlens.sim.gpxwrite import write_gpx
from runlens.sim.synth import Runner, simulate_run

DAYS = (0, 3, 7, 10, 14, 21, 28, 34)
FIRST = datetime(2026, 9, 7, 5, 0, tzinfo=timezone.utc)
RUNNERS = {
    "alice": (7200, Runner(easy_speed=3.0, rest_hr=48.0, max_hr=188.0)),
    "bob": (-18000, Runner(easy_speed=2.8, rest_hr=55.0, max_hr=192.0, cadence_a=140.0)),
    "Chloé Ünal": (0, Runner(easy_speed=3.2, rest_hr=50.0, max_hr=195.0)),
}
#: The run of alice that is a session spike (file name).
SPIKE = "alice/run-07.fit"


def _run(seed: int, start: datetime, offset: int, runner: Runner, minutes: int):
    return simulate_run(
        seed=seed,
        start=start,
        utc_offset_s=offset,
        duration_s=minutes * 60,
        kind="easy",
        warmup_s=120,
        runner=runner,
    )


def make_cohort(root: Path) -> dict[str, list[Path]]:
    """Write the cohort under ``root``; returns runner -> activity files written."""
    out: dict[str, list[Path]] = {}
    for k, (name, (offset, runner)) in enumerate(RUNNERS.items()):
        d = root / name
        d.mkdir(parents=True)
        files = []
        for i, day in enumerate(DAYS):
            start = FIRST + timedelta(days=day, hours=3 * k)
            if name == "bob" and day == 14:
                start = FIRST + timedelta(days=day)  # alice's day-14 start: a group run
            minutes = 20 if (name == "alice" and i == 7) else 12
            run = _run(100 * k + i, start, offset, runner, minutes)
            if name == "bob" and day == 14:
                # the very same route and pace as alice's run that morning
                alice = _run(i, FIRST + timedelta(days=day), 7200, RUNNERS["alice"][1], 12)
                run = replace(alice, runner=runner, utc_offset_s=offset)
            ext = ".fit.gz" if (name == "Chloé Ünal" and i % 2) else ".fit"
            p = d / f"run-{i:02d}{ext}"
            write_fit(p, encode_activity(run))
            files.append(p)
            if name == "bob" and day == 7:
                g = d / "strava" / f"run-{i:02d}.gpx"
                g.parent.mkdir()
                write_gpx(g, run)
                files.append(g)
        out[name] = files
    (root / "Chloé Ünal" / "broken.fit").write_bytes(b"\x0e\x10\x98\x00")
    (root / "alice" / "notes.txt").write_text("not an activity")
    return out
