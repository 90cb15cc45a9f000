"""Regenerate sample_activities/: six weeks of simulated running, as a watch would leave it.

Run from the repository root::

    python sample_activities/generate.py            # rewrite this folder
    python sample_activities/generate.py --out DIR  # write elsewhere (tests compare hashes)

Output is byte-for-byte deterministic. What is in the folder, and which runs
carry injected patterns (with their time windows), is listed in manifest.csv
and described in README.md.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if __package__ in (None, ""):  # run as a script: make the checkout's runlens importable
    sys.path.insert(0, str(HERE.parent))

from runlens.sim.fitwrite import (  # noqa: E402
    DEFAULT_DEVELOPER_FIELDS,
    STRYD_POWER,
    encode_activity,
    write_fit,
)
from runlens.sim.gpxwrite import write_gpx  # noqa: E402
from runlens.sim.synth import Pattern, SimulatedRun, simulate_history  # noqa: E402

SEED = 2026
FIRST_DAY = date(2026, 8, 3)  # a Monday
WEEKS = 6
UTC_OFFSET_S = 7200  # Central European Summer Time

#: Files generate.py owns in the output folder (anything else is left alone).
GENERATED_GLOBS = ("*.fit", "*.fit.gz", "*.gpx", "manifest.csv", "pain-diary.csv")


def injections(index: int, kind: str, local_start: datetime, duration_s: int) -> Mapping[str, Any]:
    """Extra simulate_run arguments for chosen runs: the patterns other tests look for."""
    day = local_start.date().isoformat()
    return {
        "2026-08-16": {"patterns": [Pattern("walk", 2400, 2460), Pattern("walk", 3600, 3660)]},
        "2026-08-18": {"patterns": [Pattern("overstride", 1200, 1800)]},
        "2026-08-21": {"patterns": [Pattern("no_warmup", 0, 600)]},
        "2026-08-23": {"patterns": [Pattern("gct_imbalance", 1800, 3600, 54.0)]},
        "2026-08-26": {"foot_pod": True, "patterns": [Pattern("rearfoot", 1200, 2100)]},
        "2026-08-28": {"patterns": [Pattern("long_contact", 900, 1500)]},
        "2026-08-30": {"power": True},
        "2026-09-06": {"patterns": [Pattern("fade", duration_s * 2 // 3, duration_s)]},
    }.get(day, {})


#: How some runs are written instead of plain .fit: (format, writer options).
OUTPUTS: dict[str, tuple[str, dict[str, Any]]] = {
    "2026-08-05": ("gpx", {"version": 1, "prefix": "gpxtpx", "creator": "StravaGPX"}),
    "2026-08-25": ("gpx", {"version": 2, "prefix": "ns3", "creator": "Garmin Connect", "millis": True}),
    "2026-09-11": ("gpx", {"version": 1, "prefix": "ns3", "creator": "Garmin Connect", "millis": True}),
    "2026-09-02": ("fit.gz", {}),
    "2026-08-30": ("fit", {"developer_fields": {"power": STRYD_POWER}}),
}


def runs() -> list[SimulatedRun]:
    """The six weeks of runs, smart recording on, as in the sample folder."""
    return simulate_history(seed=SEED, first_day=FIRST_DAY, weeks=WEEKS, utc_offset_s=UTC_OFFSET_S,
                            smart_recording=True, per_run=injections)


def write_run(run: SimulatedRun, out: Path) -> tuple[Path, list[str]]:
    """Write one run in the format chosen for its date; return the path and developer field names."""
    day = run.local_start.date().isoformat()
    fmt, options = OUTPUTS.get(day, ("fit", {}))
    path = out / f"{day}-run-{run.kind}.{fmt}"
    if fmt == "gpx":
        write_gpx(path, run, name=f"{run.kind.capitalize()} run", **options)
        return path, []
    write_fit(path, encode_activity(run, **options))
    dev = {**DEFAULT_DEVELOPER_FIELDS, **options.get("developer_fields", {})}
    return path, [f.name for col, f in dev.items() if col in run.columns]


def write_manifest(rows: list[dict[str, Any]], out: Path) -> Path:
    """manifest.csv: one row per file with the facts tests and readers may check."""
    path = out / "manifest.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def manifest_row(path: Path, run: SimulatedRun, developer_fields: list[str]) -> dict[str, Any]:
    s = run.session
    return {
        "file": path.name,
        "local_start": run.local_start.isoformat(),
        "utc_offset_s": run.utc_offset_s,
        "kind": run.kind,
        "samples": len(run),
        "elapsed_s": f"{s.total_elapsed_time:.0f}",
        "timer_s": f"{s.total_timer_time:.0f}",
        "distance_m": f"{s.total_distance:.1f}",
        "avg_cadence_spm": f"{s.avg_cadence:.1f}",
        "avg_heart_rate_bpm": f"{s.avg_heart_rate:.1f}",
        "laps": len(run.laps),
        "pauses": ";".join(f"{p.start_s:.0f}-{p.end_s:.0f}" for p in run.pauses),
        "patterns": ";".join(f"{p.kind}:{p.start_s:.0f}-{p.end_s:.0f}" for p in run.patterns),
        "developer_fields": ";".join(developer_fields),
    }


#: The sample pain diary (docs/pain.md), as the runner might have kept it:
#: (days after the first run's day, severity 0-10, where, note). Three
#: episodes at severity >= 3 (one the day after the long run of week 2, one
#: two days after the run with the left/right imbalance, one in the week of
#: the late-run fade), days below the threshold around them, and two
#: pain-free 7-day stretches (days 0-6 and 24-30) for `runlens pain report`
#: to compare with. Rows are in the order a runner writes them, not sorted.
PAIN_DIARY = (
    (14, 4, "upper-back", "stiff between the shoulder blades after yesterday's long run"),
    (15, 2, "upper-back", "better"),
    (21, 2, "upper-back", "a little stiff"),
    (22, 5, "upper-back", "hurts when turning the head, after the weekend long run"),
    (23, 3, "upper-back", ""),
    (25, 1, "upper-back", ""),
    (28, 0, "upper-back", "nothing"),
    (30, 2, "neck", "desk day"),
    (38, 4, "upper-back", "came back, sore after the long run and intervals"),
    (39, 3, "upper-back", "easing"),
    (40, 1, "upper-back", ""),
)
PAIN_DIARY_FILE = "pain-diary.csv"


def write_pain_diary(history: list[SimulatedRun], out: Path) -> Path:
    """pain-diary.csv: the sample diary, dated from the first run's local day."""
    first = history[0].local_start.date()
    last = history[-1].local_start.date()
    path = out / PAIN_DIARY_FILE
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["date", "severity", "where", "note"])
        for offset, severity, where, note in PAIN_DIARY:
            day = first + timedelta(days=offset)
            assert day <= last, "the sample diary stays within the simulated weeks"
            writer.writerow([day.isoformat(), severity, where, note])
    return path


def generate(out: Path) -> list[Path]:
    """Write every sample file into ``out`` (removing earlier generated files first)."""
    out.mkdir(parents=True, exist_ok=True)
    for pattern in GENERATED_GLOBS:
        for old in out.glob(pattern):
            old.unlink()
    history = runs()
    rows, written = [], []
    for run in history:
        path, dev = write_run(run, out)
        written.append(path)
        rows.append(manifest_row(path, run, dev))
    written.append(write_manifest(rows, out))
    written.append(write_pain_diary(history, out))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: this folder)")
    args = parser.parse_args(argv)
    written = generate(args.out)
    size = sum(p.stat().st_size for p in written)
    print(f"wrote {len(written)} files, {size / 1e6:.2f} MB, to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
