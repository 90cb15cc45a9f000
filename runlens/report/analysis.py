"""The result of ``runlens analyze``: one JSON-able dict, and its text form.

The JSON shape is documented in docs/json.md and stable::

    {"file", "format", "sport", "device", "start", "utc_offset_s",
     "summary": {...}, "device_summary": {...},
     "sessions": [{"sport", "summary", "device_summary"}], "findings": [...]}

plus ``reader``, ``warnings`` and ``caveats``.
"""

from __future__ import annotations

import math
from typing import Any

from ..caveats import CAVEATS
from ..model import SUMMARY_KEYS, Activity
from ..units import format_duration, format_pace

__all__ = ["analyze", "format_text", "format_finding"]


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k in SUMMARY_KEYS:
        v = d.get(k)
        out[k] = None if v is None or (isinstance(v, float) and not math.isfinite(v)) else float(v)
    return out


def _session_summary(activity: Activity, i: int) -> dict[str, Any]:
    from ..metrics import summarize

    s = activity.sessions[i]
    mask = (activity.records.index >= s.start) & (activity.records.index <= s.end)
    sub = Activity(
        records=activity.records[mask],
        source=activity.source,
        sport=s.sport,
        sub_sport=s.sub_sport,
        start=s.start,
        utc_offset_s=activity.utc_offset_s,
        sessions=[s],
        pauses=[p for p in activity.pauses if p.start >= s.start and p.end <= s.end],
    )
    return _clean(summarize(sub, running_only=False))


def analyze(activity: Activity, findings: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Build the ``analyze`` result for an activity.

    Parameters
    ----------
    activity : Activity
    findings : list of dict, optional
        Findings already evaluated (as JSON-able dicts).

    Returns
    -------
    dict
        JSON-able, in the documented shape.
    """
    from ..metrics import summarize

    sessions = []
    for i, s in enumerate(activity.sessions):
        sessions.append(
            {
                "sport": s.sport,
                "sub_sport": s.sub_sport,
                "start": s.start.isoformat(),
                "summary": _session_summary(activity, i),
                "device_summary": _clean(s.device_summary),
            }
        )
    return {
        "file": activity.source.path,
        "format": activity.source.format,
        "reader": activity.source.reader,
        "sport": activity.sport,
        "device": activity.device.name,
        "start": activity.start.isoformat() if activity.start is not None else None,
        "utc_offset_s": activity.utc_offset_s,
        "summary": _clean(summarize(activity)),
        "device_summary": _clean(activity.device_summary),
        "sessions": sessions,
        "findings": list(findings or []),
        "warnings": list(activity.warnings),
        "caveats": list(CAVEATS),
    }


def _wrap(text: str, indent: str, width: int = 100) -> list[str]:
    import textwrap

    return textwrap.wrap(
        text, width=width, initial_indent=indent, subsequent_indent=indent + "  "
    ) or [indent]


def _value(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def _when(iso: str) -> str:
    """``HH:MM:SS`` of an ISO time (UTC), for the time ranges."""
    return iso[11:19] if len(iso) >= 19 else iso


def format_finding(f: dict[str, Any]) -> list[str]:
    """Text lines of one finding dict: message, confidence, when, evidence, suggestion."""
    conf = f.get("confidence")
    conf_s = f"{conf:.0%}" if isinstance(conf, (int, float)) else str(conf)
    head = f"[{f.get('severity', 'note')}] {f.get('rule', '?')} ({conf_s}): {f.get('message', '')}"
    out = _wrap(head, "  ")
    ranges = f.get("time_ranges") or []
    if ranges:
        out += _wrap(
            "when (UTC): " + ", ".join(f"{_when(a)}-{_when(b)}" for a, b in ranges), "      "
        )
    ev = f.get("evidence") or {}
    if ev.get("values"):
        out += _wrap(
            "seen: " + ", ".join(f"{k} {_value(v)}" for k, v in ev["values"].items()), "      "
        )
    if ev.get("threshold"):
        out += _wrap(
            "threshold: " + ", ".join(f"{k} {_value(v)}" for k, v in ev["threshold"].items()),
            "      ",
        )
    if ev.get("basis"):
        out += _wrap(f"basis: {ev['basis']}", "      ")
    if ev.get("source"):
        out += _wrap(f"source: {ev['source']}", "      ")
    if f.get("suggestion"):
        out += _wrap(f"suggestion: {f['suggestion']}", "      ")
    return out


_ROWS = (
    ("Distance", "distance_m", lambda v: f"{v / 1000:.2f} km"),
    ("Elapsed time", "elapsed_s", format_duration),
    ("Timer time", "timer_s", format_duration),
    ("Moving time", "moving_s", format_duration),
    ("Pace", "avg_speed_m_s", format_pace),
    ("Cadence", "cadence_spm", lambda v: f"{v:.0f} steps/min"),
    ("Step length", "step_length_m", lambda v: f"{v:.2f} m"),
    ("Vertical oscillation", "vertical_oscillation_mm", lambda v: f"{v / 10:.1f} cm"),
    ("Vertical ratio", "vertical_ratio_pct", lambda v: f"{v:.1f} %"),
    ("Ground contact", "ground_contact_ms", lambda v: f"{v:.0f} ms"),
    ("GCT balance (left)", "gct_balance_left_pct", lambda v: f"{v:.1f} %"),
    ("Heart rate", "heart_rate_bpm", lambda v: f"{v:.0f} bpm"),
    ("Ascent", "ascent_m", lambda v: f"{v:.0f} m"),
)


def format_text(result: dict[str, Any]) -> str:
    """Readable summary of an ``analyze`` result: ours beside the watch's."""
    lines = []
    offset = result.get("utc_offset_s")
    tz = (
        ""
        if offset is None
        else f" (UTC{'+' if offset >= 0 else '-'}{abs(offset) // 3600:02d}:{abs(offset) % 3600 // 60:02d})"
    )
    lines.append(f"{result['file']}")
    lines.append(
        f"  {result.get('sport') or 'unknown sport'}, {result.get('device') or 'unknown device'}, "
        f"started {result.get('start') or '?'}{tz}"
    )
    if len(result["sessions"]) > 1:
        lines.append("  sessions: " + ", ".join(s["sport"] or "?" for s in result["sessions"]))
    lines.append("")
    ours, dev = result["summary"], result["device_summary"]
    has_dev = any(v is not None for v in dev.values())
    lines.append(f"  {'':22}{'runlens':>16}" + (f"{'watch':>16}" if has_dev else ""))
    for label, key, fmt in _ROWS:
        o, d = ours.get(key), dev.get(key)
        if o is None and d is None:
            continue
        row = f"  {label:22}{fmt(o) if o is not None else '-':>16}"
        if has_dev:
            row += f"{fmt(d) if d is not None else '-':>16}"
        lines.append(row)
    for w in result.get("warnings", []):
        lines.append(f"  warning: {w}")
    findings = result.get("findings") or []
    if findings:
        lines.append("")
        lines.append("Findings")
        for f in findings:
            lines.extend(format_finding(f))
    lines.append("")
    lines.append("Keep in mind")
    for c in result.get("caveats", []):
        lines.append(f"  - {c}")
    return "\n".join(lines)
