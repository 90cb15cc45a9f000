"""Compare two Activities field by field (the fast readers against their references)."""

from __future__ import annotations

import math

import numpy as np

from runlens.model import Activity

#: Relative and absolute tolerance for float values (decoders differ only in
#: the last bits of scaled values, e.g. 2.034 stored as raw 2034 / 1000).
RTOL, ATOL = 1e-9, 1e-9


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if math.isnan(a) and math.isnan(b):
            return True
        return math.isclose(a, b, rel_tol=RTOL, abs_tol=ATOL)
    return a == b


def _frame_diffs(what: str, a, b) -> list[str]:
    out = []
    if a is None or b is None:
        return [] if a is None and b is None else [f"{what}: one is None"]
    if list(a.columns) != list(b.columns):
        out.append(f"{what} columns: {list(a.columns)} != {list(b.columns)}")
    if len(a) != len(b):
        return out + [f"{what}: {len(a)} rows != {len(b)} rows"]
    if not a.index.equals(b.index):
        bad = np.flatnonzero(a.index != b.index)
        out.append(
            f"{what} index differs at {bad.size} rows, first {a.index[bad[0]]} != {b.index[bad[0]]}"
        )
    for c in a.columns.intersection(b.columns):
        x = a[c].to_numpy(dtype=float)
        y = b[c].to_numpy(dtype=float)
        ok = np.isclose(x, y, rtol=RTOL, atol=ATOL, equal_nan=True)
        if not ok.all():
            i = np.flatnonzero(~ok)[0]
            out.append(f"{what}.{c}: {(~ok).sum()} values differ, first [{i}] {x[i]!r} != {y[i]!r}")
    return out


def _summary_diffs(what: str, a: dict, b: dict) -> list[str]:
    out = []
    for k in sorted(set(a) | set(b)):
        if not _close(a.get(k), b.get(k)):
            out.append(f"{what}[{k}]: {a.get(k)!r} != {b.get(k)!r}")
    return out


def _segment_diffs(what: str, a: list, b: list) -> list[str]:
    if len(a) != len(b):
        return [f"{what}: {len(a)} != {len(b)}"]
    out = []
    for i, (x, y) in enumerate(zip(a, b)):
        for attr in ("sport", "sub_sport", "start", "end"):
            if getattr(x, attr) != getattr(y, attr):
                out.append(f"{what}[{i}].{attr}: {getattr(x, attr)!r} != {getattr(y, attr)!r}")
        out += _summary_diffs(f"{what}[{i}].device_summary", x.device_summary, y.device_summary)
    return out


def activity_diffs(a: Activity, b: Activity) -> list[str]:
    """Every difference between two Activities (empty when they are the same).

    Compared: records and developer frames (index, columns, values within
    RTOL/ATOL), sport, start, UTC offset, device, profile, sessions and laps
    (span, sport, device summary), pauses, device summary, developer units,
    cadence convention, warnings and the extras. Not compared: ``source.reader``
    and ``extra["reader_note"]`` (which reader read it, and why).
    """
    out = _frame_diffs("records", a.records, b.records)
    out += _frame_diffs("developer", a.developer, b.developer)
    for attr in (
        "sport",
        "sub_sport",
        "start",
        "utc_offset_s",
        "device",
        "profile",
        "pauses",
        "developer_units",
        "cadence_convention",
        "warnings",
    ):
        if getattr(a, attr) != getattr(b, attr):
            out.append(f"{attr}: {getattr(a, attr)!r} != {getattr(b, attr)!r}")
    out += _segment_diffs("sessions", a.sessions, b.sessions)
    out += _segment_diffs("laps", a.laps, b.laps)
    out += _summary_diffs("device_summary", a.device_summary, b.device_summary)
    for k in sorted((set(a.extra) | set(b.extra)) - {"reader_note"}):
        if a.extra.get(k) != b.extra.get(k):
            out.append(f"extra[{k}]: {a.extra.get(k)!r} != {b.extra.get(k)!r}")
    for attr in ("path", "format", "sha256", "size_bytes", "compressed"):
        if getattr(a.source, attr) != getattr(b.source, attr):
            out.append(f"source.{attr}: {getattr(a.source, attr)!r} != {getattr(b.source, attr)!r}")
    return out
