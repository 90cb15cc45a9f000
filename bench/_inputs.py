"""Build the benchmark inputs (deterministic, cached on disk).

Inputs are simulated with runlens.sim.synth and encoded with runlens.sim.fitwrite /
runlens.sim.gpxwrite, so anyone can rebuild exactly the same files:

- ``run2h.fit`` / ``run2h.gpx``: a two-hour run at 1 Hz (7,201 records) with
  GPS, heart rate, cadence, running dynamics, power and temperature.
- ``history/``: N one-hour runs (default 1,000), one a day, as .fit files.

The default folder is ``bench/.inputs`` (git-ignored); set ``RUNLENS_BENCH_DIR``
to put it elsewhere.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

INPUTS = Path(os.environ.get("RUNLENS_BENCH_DIR", ROOT / "bench" / ".inputs"))
START = datetime(2026, 9, 7, 6, 30, tzinfo=timezone.utc)
HISTORY_START = datetime(2023, 12, 1, 6, 30, tzinfo=timezone.utc)


def _run(seed: int, duration_s: int, start: datetime):
    from runlens.sim.synth import simulate_run

    return simulate_run(seed=seed, duration_s=duration_s, start=start, power=True)


def run2h_fit() -> Path:
    """A two-hour run as FIT (built once)."""
    path = INPUTS / "run2h.fit"
    if not path.exists():
        from runlens.sim.fitwrite import encode_activity

        INPUTS.mkdir(parents=True, exist_ok=True)
        path.write_bytes(encode_activity(_run(1, 7200, START)))
    return path


def run2h_gpx() -> Path:
    """The same two-hour run as GPX 1.1 with TrackPointExtension v2 (built once)."""
    path = INPUTS / "run2h.gpx"
    if not path.exists():
        from runlens.sim.gpxwrite import to_gpx

        INPUTS.mkdir(parents=True, exist_ok=True)
        path.write_text(to_gpx(_run(1, 7200, START), version=2), encoding="utf-8")
    return path


def _history_file(i: int) -> tuple[str, bytes]:
    from runlens.sim.fitwrite import encode_activity

    start = HISTORY_START + timedelta(days=i)
    return f"{start:%Y-%m-%d}-run{i:04d}.fit", encode_activity(_run(1000 + i, 3600, start))


def history(n: int = 1000, jobs: int | None = None) -> Path:
    """A folder of ``n`` one-hour FIT runs, one a day (built once, in parallel)."""
    folder = INPUTS / f"history{n}"
    done = folder / ".complete"
    if done.exists():
        return folder
    from concurrent.futures import ProcessPoolExecutor

    folder.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(max_workers=jobs or os.cpu_count()) as ex:
        for name, data in ex.map(_history_file, range(n), chunksize=16):
            (folder / name).write_bytes(data)
    done.write_text("")
    return folder
