"""runlens' session metrics against the watch's own session values.

For every corpus FIT file whose catalog row has device session values
(``ses_*``) and that fitparse reads, each compared session (the running
sessions of a multisport file, else the first session) must agree with the
device: distance and timer time within 1 %, running dynamics within 2 %.

Where the device computes a value in a way the file's records cannot
reproduce, :data:`EXPECTED` lists the measured difference and why
(docs/metrics.md, "Agreement with the watch"); the test then asserts that
measured gap, so a change in either direction is noticed. Our definitions are
the same for every file: nothing here is tuned per file.

Each file is parsed once per test session (one test per file).
"""

from __future__ import annotations

import functools
import os

import pytest

from runlens.errors import RunlensError

from .corpus_oracle import CORPUS, catalog_rows, compared_sessions, device_values, oracle_files

TOLERANCE_PCT = {
    "distance_m": 1.0,
    "timer_s": 1.0,
    "cadence_spm": 2.0,
    "step_length_m": 2.0,
    "vertical_oscillation_mm": 2.0,
    "vertical_ratio_pct": 2.0,
    "ground_contact_ms": 2.0,
    "gct_balance_left_pct": 2.0,
}

_TINY = "FIT timestamps are whole seconds and the watch times in ms up to its timer stop"
_SMART = "smart recording: too few records to reproduce the watch's 1 Hz internal average"

#: (file, session, key) -> (measured difference %, why). docs/metrics.md explains each.
EXPECTED: dict[tuple[str, int, str], tuple[float | None, str]] = {
    # Session times of a few seconds: one second is several percent.
    ("python-fitparse/tests/files/Activity.fit", 0, "timer_s"): (-5.45, _TINY + " (13.75 s)"),
    ("python-fitparse/tests/files/activity-settings.fit", 0, "timer_s"): (
        -5.45,
        _TINY + " (13.75 s)",
    ),
    ("sweatpy/sweat/examples/data/6471559601_ACTIVITY.fit", 0, "timer_s"): (
        -6.47,
        _TINY + " (24.6 s)",
    ),
    ("muktihari-fit/testdata/from_official_sdk/activity_multisport.fit", 1, "timer_s"): (
        2.23,
        _TINY + " (21.5 s)",
    ),
    ("python-fitparse/tests/files/garmin-fenix-5-walk.fit", 0, "timer_s"): (
        1.37,
        _TINY + " (45.4 s)",
    ),
    ("python-fitparse/tests/files/garmin-fenix-5-bike.fit", 0, "timer_s"): (
        1.06,
        _TINY + " (60.4 s)",
    ),
    ("tormoder-fit/testdata/misc/0134902991.fit", 0, "distance_m"): (
        -1.72,
        "the session ends at start + total_elapsed_time (720 s) but its distance counts the "
        "records up to 739 s (indoor ride)",
    ),
    # Distance the records do not hold.
    ("tormoder-fit/testdata/misc/unterminated-strings.fit", 0, "distance_m"): (
        -6.17,
        "the watch adds distance after the last record (69 m, 33 records)",
    ),
    ("muktihari-fit/testdata/big_activity.fit", 0, "distance_m"): (
        -98.74,
        "generated test file: 99,998 identical records (distance constant), a session "
        "summary that does not describe them",
    ),
    ("muktihari-fit/testdata/chained_Activity_activity_poolswim.fit", 0, "timer_s"): (
        None,
        "two chained activities recorded over the same minutes: every record falls in the "
        "later session, none is left for the first",
    ),
    # A reader defect (reported): the distance channel as read holds about half
    # the distance, where haversine (13,369 m; 28,297 m) and the speed channel
    # (13,398 m; 28,283 m) agree with the device.
    # Running dynamics.
    ("python-fitparse/tests/files/garmin-fenix-5-walk.fit", 0, "vertical_oscillation_mm"): (
        2.87,
        _SMART + " (17 records in 45 s)",
    ),
    ("python-fitparse/tests/files/garmin-fenix-5-walk.fit", 0, "vertical_ratio_pct"): (
        2.44,
        _SMART + " (17 records in 45 s)",
    ),
    ("python-fitparse/tests/files/garmin-fenix-5-walk.fit", 0, "ground_contact_ms"): (
        3.71,
        _SMART + " (17 records in 45 s)",
    ),
    ("python-fitparse/tests/files/activity-small-fenix2-run.fit", 0, "ground_contact_ms"): (
        -4.13,
        "the session value is the timer-weighted mean of the lap values and the last "
        "lap's (302 ms) is not what its records hold (273 ms); laps 1-3 agree within 1.6 %",
    ),
}

FILES = oracle_files()


@functools.cache
def _session_metrics(rel: str):
    """Parse once per test session, then measure every session."""
    from runlens.io import read
    from runlens.metrics import session_metrics

    return session_metrics(read(CORPUS / rel))


def _gap_pct(ours: float | None, device: float) -> float | None:
    return None if ours is None else (ours / device - 1.0) * 100.0


@pytest.mark.skipif(not FILES, reason="../shared/corpus not found (set RUNLENS_CORPUS)")
@pytest.mark.parametrize("rel", FILES)
def test_session_values_agree_with_device(rel):
    row = catalog_rows()[rel]
    try:
        sessions = _session_metrics(rel)
    except RunlensError as exc:
        # TestEncode.fit: one record without a timestamp, no session times.
        pytest.skip(f"not an activity runlens can measure: {exc}")
    problems = []
    compared = 0
    for i in compared_sessions(row):
        assert i < len(sessions), f"session {i} missing"
        ours = sessions[i]
        for key, device in device_values(row, i).items():
            gap = _gap_pct(ours.get(key), device)
            expected = EXPECTED.get((rel, i, key))
            compared += 1
            if expected is not None:
                want, why = expected
                if want is None:
                    ok = gap is None
                else:
                    ok = gap is not None and abs(gap - want) <= 0.05
                if not ok:
                    problems.append(
                        f"s{i} {key}: expected documented gap {want} % ({why}), got {gap}"
                    )
                continue
            if gap is None or abs(gap) > TOLERANCE_PCT[key]:
                problems.append(f"s{i} {key}: runlens {ours.get(key)} vs device {device} ({gap} %)")
    unused = [k for k in EXPECTED if k[0] == rel and k[1] not in compared_sessions(row)]
    assert not unused, f"documented gaps for sessions not compared: {unused}"
    assert compared, "no device value compared"
    assert not problems, "\n".join(problems)


@pytest.mark.skipif(not FILES, reason="../shared/corpus not found (set RUNLENS_CORPUS)")
def test_every_documented_gap_names_a_compared_file():
    files = set(FILES)
    for rel, _, key in EXPECTED:
        assert rel in files, rel
        assert key in TOLERANCE_PCT


if os.environ.get("RUNLENS_PRINT_GAPS"):  # pragma: no cover - for docs/metrics.md

    def test_print_gaps():
        for rel in FILES:
            try:
                sessions = _session_metrics(rel)
            except Exception as exc:  # noqa: BLE001
                print(rel, "unread:", exc)
                continue
            row = catalog_rows()[rel]
            for i in compared_sessions(row):
                dev = device_values(row, i)
                parts = []
                for k, d in dev.items():
                    g = _gap_pct(sessions[i].get(k), d)
                    r = _gap_pct(sessions[i].get("run_" + k), d) if k != "timer_s" else None
                    parts.append(
                        f"{k}={g if g is None else round(g, 2)}"
                        + (f"/run {round(r, 2)}" if r is not None else "")
                    )
                print(f"GAP|{rel}|{i}|" + " ".join(parts))
