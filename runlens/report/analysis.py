"""The result of ``runlens analyze``: one JSON-able dict, and its text form.

The JSON shape is documented in docs/json.md and stable::

    {"file", "format", "sport", "device", "start", "utc_offset_s",
     "summary": {...}, "device_summary": {...},  # summary adds the breathing keys
     "sessions": [{"sport", "summary", "device_summary"}], "findings": [...]}

plus ``reader``, ``warnings`` and ``caveats``, and (added, docs/metrics.md):
``metrics`` (every activity metric of :func:`runlens.metrics.activity_metrics`
beyond the summary keys: running-only averages ``run_*``, heart-rate
statistics, descent, pace...), ``laps`` and ``splits_km`` (one dict per lap /
kilometre).
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


def _plain(v: Any) -> Any:
    """A JSON-able scalar (NaN/inf -> None, timestamps -> ISO 8601)."""
    if v is None:
        return None
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if isinstance(v, (bool, str)):
        return v
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    return f if math.isfinite(f) else None


def _records(df) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row.items()} for row in df.to_dict("records")]


def _breathing(metrics: dict[str, Any]) -> dict[str, Any]:
    """Breathing rate and steps per breath (None when the file has no breathing rate)."""
    from ..metrics import BREATHING_KEYS

    return {k: _plain(metrics.get(k)) for k in BREATHING_KEYS}


def _session_summary(activity: Activity, i: int) -> dict[str, Any]:
    from ..metrics import activity_metrics

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
    m = activity_metrics(sub, running_only=False)
    return {**_clean(m), **_breathing(m)}


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
    from ..metrics import BREATHING_KEYS, activity_metrics, km_splits, lap_metrics

    metrics = activity_metrics(activity)
    summary = {k: metrics.get(k) for k in SUMMARY_KEYS}
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
        "summary": {**_clean(summary), **_breathing(metrics)},
        "device_summary": _clean(activity.device_summary),
        "sessions": sessions,
        "metrics": {
            k: _plain(v)
            for k, v in metrics.items()
            if k not in SUMMARY_KEYS and k not in BREATHING_KEYS
        },
        "laps": _records(lap_metrics(activity)),
        "splits_km": _records(km_splits(activity)),
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


def _breathing_lines(ours: dict[str, Any], width: str) -> list[str]:
    """The breathing rows: rate and steps per breath, or "not recorded" (one row)."""
    rate, spb = ours.get("respiration_rate_brpm"), ours.get("steps_per_breath")
    if rate is None:
        return [f"  {'Breathing':22}{'not recorded':>{width}}"]
    return [
        f"  {'Breathing rate':22}{f'{rate:.1f} breaths/min':>{width}}",
        f"  {'Steps per breath':22}{f'{spb:.2f}' if spb is not None else '-':>{width}}",
    ]


def _fmt(v: Any, spec: str) -> str:
    return "-" if v is None else format(v, spec)


def _lap_lines(rows: list[dict[str, Any]], title: str, key: str) -> list[str]:
    """A table of laps or kilometre splits (distance, time, pace, dynamics)."""
    if len(rows) < 2:
        return []
    breath = any(r.get("respiration_rate_brpm") is not None for r in rows)
    out = [
        "",
        f"  {title}",
        f"  {'#':>3} {'km':>6} {'time':>8} {'pace':>10} {'spm':>5} {'step m':>6} "
        f"{'GCT ms':>6} {'VO cm':>5} {'HR':>4}" + (f" {'br/min':>6} {'st/br':>5}" if breath else ""),
    ]
    for r in rows:
        if key == "split":
            dist = (r.get("end_m") or 0) - (r.get("start_m") or 0)
            secs = r.get("split_timer_s")
        else:
            dist, secs = r.get("distance_m"), r.get("timer_s")
        speed = dist / secs if dist and secs else None
        vo = r.get("vertical_oscillation_mm")
        out.append(
            f"  {int(r.get(key) or 0):>3} {_fmt(dist / 1000 if dist else None, '.2f'):>6} "
            f"{format_duration(secs):>8} {format_pace(speed):>10} "
            f"{_fmt(r.get('cadence_spm'), '.0f'):>5} {_fmt(r.get('step_length_m'), '.2f'):>6} "
            f"{_fmt(r.get('ground_contact_ms'), '.0f'):>6} "
            f"{_fmt(vo / 10 if vo else None, '.1f'):>5} {_fmt(r.get('heart_rate_bpm'), '.0f'):>4}"
            + (
                f" {_fmt(r.get('respiration_rate_brpm'), '.1f'):>6} "
                f"{_fmt(r.get('steps_per_breath'), '.2f'):>5}"
                if breath
                else ""
            )
        )
    return out


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
    lines.extend(_breathing_lines(ours, "16"))
    lines.extend(_lap_lines(result.get("laps") or [], "Laps", "lap"))
    lines.extend(_lap_lines(result.get("splits_km") or [], "Kilometres", "split"))
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
