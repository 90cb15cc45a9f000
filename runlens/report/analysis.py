"""The result of ``runlens analyze``: one JSON-able dict, and its text form.

The JSON shape is documented in docs/json.md and stable::

    {"file", "format", "sport", "device", "start", "utc_offset_s",
     "summary": {...}, "device_summary": {...},
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

import numpy as np

from ..caveats import CAVEATS
from ..model import SUMMARY_KEYS, Activity, ns_isoformat
from ..units import (
    format_distance,
    format_duration,
    format_elevation,
    format_oscillation,
    format_pace,
    format_speed,
    format_step,
)

__all__ = ["analysis_dict", "format_text", "format_finding", "verdict_lines", "RULE_NAMES"]


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


def _records(rows) -> list[dict[str, Any]]:
    """JSON-able rows of a lap or split table: row dicts (:func:`~runlens.metrics.summary.lap_rows`)
    or a DataFrame (:func:`~runlens.metrics.lap_metrics`), alike.

    Each row gets every column any row has, in the order the columns first appear (as
    a DataFrame built from the rows has them); a value a row lacks is None.
    """
    if not isinstance(rows, list):
        rows = rows.to_dict("records")
    cols = list(dict.fromkeys(k for row in rows for k in row))
    return [
        {k: _start_text(row.get(k)) if k == "start" else _plain(row.get(k)) for k in cols}
        for row in rows
    ]


def _start_text(v: Any) -> Any:
    """A lap's start as ISO 8601 text (``2024-05-01T07:30:00+00:00``): UTC nanoseconds
    in :func:`~runlens.metrics.summary.lap_rows`, a Timestamp in a lap DataFrame."""
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return ns_isoformat(int(v))
    return _plain(v)


def _breathing(metrics: dict[str, Any]) -> dict[str, Any]:
    """Breathing rate and steps per breath (None when the file has no breathing rate)."""
    from ..metrics import BREATHING_KEYS

    return {k: _plain(metrics.get(k)) for k in BREATHING_KEYS}


#: A session's totals as :func:`runlens.metrics.session_metrics` measures them over the
#: whole file's samples (one session-span definition, the same numbers everywhere).
_SPAN_TOTALS = ("distance_m", "elapsed_s", "timer_s", "moving_s", "avg_speed_m_s",
                "pace_s_per_km")


def _session_summary(
    activity: Activity, i: int, whole: dict | None = None, totals: dict | None = None
) -> dict[str, Any]:
    """Metrics of session ``i`` measured as an activity of its own.

    ``whole``: :func:`activity_metrics` of the activity, used as they are when the
    session is the activity's only one and holds every record and pause with the
    same sport and start (the session as an activity would then be this one: one
    sample frame per file).
    """
    from ..metrics import activity_metrics
    from ..metrics.samples import segment_mask, segment_spans
    from ..model import replace

    s = activity.sessions[i]
    # the session's span and samples as the metrics define them (session_metrics)
    spans = segment_spans(activity)
    lo, hi = spans[i]
    tab = activity.table
    mask = segment_mask(tab.t_ns, spans[i], last=i == len(spans) - 1)
    if (
        whole is not None
        and len(activity.sessions) == 1
        and bool(mask.all())
        and all(p.start_ns >= lo and p.end_ns <= hi for p in activity.pauses)
        and (activity.sport, activity.sub_sport, activity.start_ns)
        == (s.sport, s.sub_sport, s.start_ns)
    ):
        return {**_clean(whole), **_breathing(whole)}
    sub = Activity(
        records=tab.take(mask),
        source=activity.source,
        sport=s.sport,
        sub_sport=s.sub_sport,
        start=s.start_ns,
        utc_offset_s=activity.utc_offset_s,
        # the session as its span defines it (a session whose end overlaps the next
        # one's start, as in some multisport files, ends where the next begins)
        sessions=[replace(s, start=lo, end=hi) if (s.start_ns, s.end_ns) != (lo, hi) else s],
        pauses=[p for p in activity.pauses if p.start_ns >= lo and p.end_ns <= hi],
        # a pool swim's lengths give its moving time
        extra={k: v for k, v in activity.extra.items() if k == "pool_lengths"},
    )
    m = activity_metrics(sub, running_only=False)
    if totals is not None:  # the file's own samples around the session count as they do there
        m.update({k: totals[k] for k in _SPAN_TOTALS if k in totals})
    return {**_clean(m), **_breathing(m)}


def _foot(activity: Activity) -> bool:
    """Whether any session is on foot (the form rules and their caveats apply)."""
    from ..model import FOOT_SPORTS

    sports = {s.sport for s in activity.sessions} or {activity.sport}
    return bool(sports & FOOT_SPORTS) or activity.sport is None


def analysis_dict(
    activity: Activity, findings: list[dict[str, Any]] | None = None, *, laps=None, splits=None
) -> dict[str, Any]:
    """The JSON-able result of :func:`runlens.analyze` for an activity (``Analysis.to_dict()``).

    Parameters
    ----------
    activity : Activity
    findings : list of dict, optional
        Findings already evaluated (as JSON-able dicts).
    laps, splits : list of dict or pandas.DataFrame, optional
        :func:`~runlens.metrics.summary.lap_rows` and
        :func:`~runlens.metrics.summary.split_rows` of ``activity`` (or their DataFrames,
        :func:`~runlens.metrics.lap_metrics` and :func:`~runlens.metrics.km_splits`) when
        already computed (:func:`runlens.analyze` keeps them).

    Returns
    -------
    dict
        JSON-able, in the documented shape.
    """
    from ..metrics import BREATHING_KEYS, activity_metrics
    from ..metrics.summary import lap_rows, split_rows

    metrics = activity_metrics(activity)
    summary = {k: metrics.get(k) for k in SUMMARY_KEYS}
    sessions = []
    spans = None
    if len(activity.sessions) > 1:
        from ..metrics import session_metrics

        spans = session_metrics(activity)
    for i, s in enumerate(activity.sessions):
        sessions.append(
            {
                "sport": s.sport,
                "sub_sport": s.sub_sport,
                "start": ns_isoformat(s.start_ns),
                "summary": _session_summary(
                    activity, i, metrics, None if spans is None else spans[i]
                ),
                "device_summary": _clean(s.device_summary),
            }
        )
    # One clock: the zone decision of the history (the file's offset, else the one at
    # the run's first GPS fix), so a run is shown at the same local time everywhere.
    from ..tz import infer_utc_offset

    offset, zone_said = activity.utc_offset_s, None
    inferred = infer_utc_offset(activity)
    if inferred is not None:
        offset, zone_said = inferred
    return {
        "file": activity.source.path,
        "format": activity.source.format,
        "reader": activity.source.reader,
        "sport": activity.sport,
        "device": activity.device.name,
        "start": ns_isoformat(activity.start_ns) if activity.start_ns is not None else None,
        "utc_offset_s": offset,
        "utc_offset_assumed": zone_said,
        "summary": {**_clean(summary), **_breathing(metrics)},
        "device_summary": _clean(activity.device_summary),
        "sessions": sessions,
        "metrics": {
            k: _plain(v)
            for k, v in metrics.items()
            if k not in SUMMARY_KEYS and k not in BREATHING_KEYS
        },
        "laps": _records(lap_rows(activity) if laps is None else laps),
        "splits_km": _records(split_rows(activity) if splits is None else splits),
        "splits_mi": _records(split_rows(activity, split_m=1609.344)),
        "findings": list(findings or []),
        "warnings": list(activity.warnings),
        # The caveats are of running form and upper back pain: a ride or a swim gets none.
        "caveats": list(CAVEATS) if _foot(activity) else [],
    }


# ---------------------------------------------------------------------------
# Text: the verdict first, then the summary table, then the details.
# ---------------------------------------------------------------------------

#: How each rule is named for the runner (one table: runlens.report.vocab).
from .vocab import RULE_NAMES, localise, plain  # noqa: E402

#: Verdict length, lines (the header line above it not counted).
VERDICT_LINES = 5


def _width(width: int | None) -> int:
    if width is None:
        import shutil

        width = shutil.get_terminal_size((100, 24)).columns
    return max(60, min(int(width), 120))


def _wrap(text: str, indent: str, width: int = 100, hang: str = "  ") -> list[str]:
    import textwrap

    return textwrap.wrap(
        text,
        width=width,
        initial_indent=indent,
        subsequent_indent=indent + hang,
        break_on_hyphens=False,
        break_long_words=False,
    ) or [indent]


def _name(f: dict[str, Any]) -> str:
    from .vocab import rule_name

    return rule_name(f.get("rule"))


def _how_sure(f: dict[str, Any]) -> str:
    conf = f.get("confidence")
    s = f"{conf:.0%} sure" if isinstance(conf, (int, float)) else str(conf)
    basis = ((f.get("evidence") or {}).get("basis") or "").lower()
    if "population" in basis:
        s += ", against other runners' usual range"
    elif "own" in basis or "baseline" in basis:
        s += ", vs your own runs"
        raw = (f.get("evidence") or {}).get("basis") or ""
        if "(weak: " in raw:  # a weak baseline says why (issue 25)
            s += "; a weak baseline: " + raw.split("(weak: ", 1)[1].split("; notes only")[0]
    return s


def _sentences(text: str) -> list[str]:
    import re

    return [t for t in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text.strip()) if t]


def _headline(f: dict[str, Any]) -> str:
    """The message's first clause: what was seen, without the numbers' detail."""
    msg = (f.get("message") or "").strip()
    first = _sentences(msg)[0] if msg else ""
    head = first.split(": ", 1)[0].rstrip(".")
    return head


def _try(f: dict[str, Any]) -> str | None:
    """The one sentence of the suggestion that says what to do."""
    import re

    sug = f.get("suggestion")
    if not sug:
        return None
    sents = _sentences(sug)
    verbs = ("try", "run", "watch", "keep", "start", "add", "build", "ease", "see")
    pick = next((x for x in sents if x.split(" ", 1)[0].lower() in verbs), sents[-1])
    pick = re.sub(r" \([^()]*(?:et al\.|\d{4})[^()]*\)", "", pick)  # citations: under -v
    pick = pick.split(": ", 1)[0].split("; ", 1)[0].rstrip(".")
    return pick[0].upper() + pick[1:] + "."


def verdict_lines(result: dict[str, Any], width: int | None = None) -> list[str]:
    """2-5 lines: what was flagged (every flag named in the first line), how sure, what to try.

    Returns
    -------
    list of str
        The first line names every flag and how sure each is; the next ones say
        what to try for each flag and note, as far as :data:`VERDICT_LINES` allows.
    """
    return _verdict(result, width)[0]


def _verdict(result: dict[str, Any], width: int | None = None) -> tuple[list[str], set[str]]:
    w = _width(width)
    fs = result.get("findings") or []
    flags = [f for f in fs if f.get("severity") == "flag"]
    notes = [f for f in fs if f.get("severity") == "note"]
    what = sport_word(result.get("sport"))
    if result.get("rules_run") is False:
        return _wrap("Verdict: form rules not run (--no-rules): the summary only.", "", w), set()
    n_notes = f"{len(notes)} note{'s' if len(notes) != 1 else ''}"
    if flags:
        named = ", ".join(f"{_name(f)} ({_how_sure(f)})" for f in flags)
        head = f"Verdict: {len(flags)} flag{'s' if len(flags) != 1 else ''} on this {what}: {named}"
        if notes:
            head += f"; {n_notes}: " + ", ".join(_name(f) for f in notes)
        head += ". Cues to look at, not diagnoses."
    elif notes:
        named = ", ".join(f"{_name(f)} ({_how_sure(f)})" for f in notes)
        head = f"Verdict: nothing flagged on this {what}; {n_notes}: {named}."
    else:
        judged = [f for f in fs if f.get("severity") == "info"]
        head = f"Verdict: nothing flagged on this {what}" + (
            "; not judged: " + ", ".join(_name(f) for f in judged) + " (why: under Findings)."
            if judged
            else "."
        )
    out = _wrap(head, "", w)
    shown: set[str] = set()
    items = [f for f in flags + notes if _try(f)]
    for i, f in enumerate(items):
        t = _try(f)
        more = _wrap(f"{_name(f).capitalize()}: {t[0].lower() + t[1:]}", "  ", w, hang="    ")
        room = VERDICT_LINES - len(out) - (1 if i < len(items) - 1 else 0)
        if len(more) > room:
            if len(out) < VERDICT_LINES:
                out.append("  What to try for the others: under Findings below.")
            break
        out += more
        shown.add(f.get("rule"))
    return out, shown


_UNIT_WORDS = (
    ("spm", "steps/min"),
    ("bpm", "1/min"),
    ("pct", "%"),
    ("ms", "ms"),
    ("mm", "mm"),
    ("km", "km"),
    ("w", "W"),
)


def _readable(key: str, v: Any, units: str = "metric") -> tuple[str, str]:
    """``("cadence below", "164 steps/min")`` from ``("cadence_spm_below", 164)``."""
    parts = key.split("_")
    unit, name = None, parts
    last = dict(_UNIT_WORDS).get(parts[-1]) if len(parts) > 1 else None
    if last is not None:  # "gct_ms_change_pct": a change in %, not ms
        unit = last
        name = [x for x in parts[:-1] if x not in dict(_UNIT_WORDS)]
    for i in range(len(parts) if unit is None else 0):
        if parts[i : i + 2] == ["m", "s"]:
            unit, name = "m/s", parts[:i] + parts[i + 2 :]
            break
        hit = dict(_UNIT_WORDS).get(parts[i]) if i > 0 else None
        if hit is None and i > 0 and parts[i] in ("s", "m"):
            hit = parts[i]
        if hit is not None:
            unit, name = hit, parts[:i] + parts[i + 1 :]
            break
    label = " ".join(name).replace("gct", "ground contact")
    if isinstance(v, bool):
        return label, "yes" if v else "no"
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if unit == "s":
            return label, format_duration(v) if v >= 60 else f"{v:g} s"
        if unit == "m/s":
            return label, f"{v:.2f} m/s ({format_pace(v, units)})"
        if unit == "m":
            return label, localise(f"{v:.3g} m", units)
        if unit in ("mm", "km"):
            return label, localise(f"{v:g} {unit}", units)
        return label, f"{v:g} {unit}" if unit else f"{v:g}"
    if isinstance(v, (list, tuple)):
        return label, localise(", ".join(str(x) for x in v), units)
    return label, localise(str(v), units)


def _local(iso: str, offset: int | None) -> str:
    """``HH:MM:SS`` of an ISO time, in the activity's local time when its offset is known."""
    import datetime as dt

    try:
        t = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if offset is not None:
        t = t.astimezone(dt.timezone(dt.timedelta(seconds=offset)))
    return t.strftime("%H:%M:%S")


def format_finding(
    f: dict[str, Any],
    *,
    verbose: bool = True,
    offset: int | None = None,
    width: int | None = None,
    units: str = "metric",
    show_try: bool = True,
) -> list[str]:
    """Text lines of one finding: what was seen, when, what to try; with ``verbose`` its
    evidence as aligned lines (values seen, what they were compared with, the source)."""
    w = _width(width)
    sev = f.get("severity", "note")
    f = {
        **f,
        **{k: plain(localise(f[k], units)) for k in ("message", "suggestion") if f.get(k)},
    }
    if sev == "info" and not verbose:
        # what was not judged, with its reason: the whole first sentence
        # ("Overstriding not judged: only 3.2 min of steady running (at least ...)")
        first = _sentences(f.get("message") or "")[:1]
        why = first[0].rstrip(".") if first else _headline(f)
        head = f"[{sev}] {_name(f)} ({f.get('confidence')}): {why}."
        return _wrap(head, "  ", w, "    ")
    ev = f.get("evidence") or {}
    conf = f.get("confidence")
    sure = f"{conf:.0%} sure" if isinstance(conf, (int, float)) else str(conf)
    if ev.get("basis"):
        sure += f"; compared with {plain(ev['basis'])}"
    out = _wrap(f"[{sev}] {_name(f)} ({sure}): {f.get('message', '')}", "  ", w, hang="    ")
    ranges = f.get("time_ranges") or []
    if ranges:
        out += _wrap(
            "When: " + ", ".join(f"{_local(a, offset)}-{_local(b, offset)}" for a, b in ranges),
            "    ",
            w,
        )
    if f.get("suggestion") and (show_try or verbose):
        out += _wrap(
            f"Suggestion: {f['suggestion'] if verbose else _try(f)}", "    ", w, hang="  "
        )
    if verbose:
        rows = []
        for title, d in (("seen", ev.get("values") or {}), ("against", ev.get("threshold") or {})):
            for i, (k, v) in enumerate(d.items()):
                label, val = _readable(str(k), v, units)
                rows.append((title if i == 0 else "", label, val))
        if rows:
            lw = max(len(r[1]) for r in rows)
            out.append("    Evidence:")
            out += [f"      {t:<8}{lab:<{lw}}  {val}" for t, lab, val in rows]
        if ev.get("source"):
            out += _wrap(f"Source: {plain(ev['source'])}", "    ", w)
    return out


def _rows(sport: str | None, units: str):
    from ..model import FOOT_SPORTS

    if sport in FOOT_SPORTS or sport is None:
        speed = ("Pace", "avg_speed_m_s", lambda v: format_pace(v, units))
    elif sport == "swimming":
        speed = ("Pace", "avg_speed_m_s", lambda v: format_duration(100 / v) + " /100 m")
    else:
        speed = ("Speed", "avg_speed_m_s", lambda v: format_speed(v, units))
    return (
        ("Distance", "distance_m", lambda v: format_distance(v, units)),
        ("Moving time", "moving_s", format_duration),
        ("Timer time", "timer_s", format_duration),
        ("Elapsed time", "elapsed_s", format_duration),
        speed,
        ("Cadence", "cadence_spm", lambda v: f"{v:.0f} steps/min"),
        ("Step length", "step_length_m", lambda v: format_step(v, units)),
        ("Vertical oscillation", "vertical_oscillation_mm", lambda v: format_oscillation(v, units)),
        ("Vertical ratio", "vertical_ratio_pct", lambda v: f"{v:.1f} %"),
        ("Ground contact", "ground_contact_ms", lambda v: f"{v:.0f} ms"),
        ("Contact balance (left)", "gct_balance_left_pct", lambda v: f"{v:.1f} %"),
        ("Heart rate", "heart_rate_bpm", lambda v: f"{v:.0f} bpm"),
        ("Power", "power_w", lambda v: f"{v:.0f} W"),
        ("Ascent", "ascent_m", lambda v: format_elevation(v, units)),
    )


def _cadence_note(metrics: dict[str, Any], shown: float | None, units: str) -> list[str]:
    """One line when the watch-comparable cadence and the rules' running-only one differ."""
    run = metrics.get("run_cadence_spm")
    if shown is None or run is None or abs(run - shown) < 1.0:
        return []
    how = (
        "standing seconds"
        if metrics.get("cadence_convention") == "with zeros"
        and metrics.get("cadence_with_zeros_spm") != metrics.get("cadence_nonzero_spm")
        else "walking"
    )
    return [
        f"  Cadence counts {how}, as the watch does; form rules: running only, "
        f"{run:.0f} steps/min"
    ]


def _breathing_lines(
    ours: dict[str, Any], width: int, metrics: dict[str, Any] | None = None
) -> list[str]:
    """The breathing rows: rate and steps per breath, or "not recorded" (one row)."""
    rate, spb = ours.get("respiration_rate_brpm"), ours.get("steps_per_breath")
    if rate is None:
        return [f"  {'Breathing':24}{'not recorded':>16}"]
    lines = [
        f"  {'Breathing rate':24}{f'{rate:.1f} breaths/min':>16}",
        f"  {'Steps per breath':24}{f'{spb:.2f}' if spb is not None else '-':>16}",
    ]
    odd = (metrics or {}).get("steps_per_breath_implausible")
    if spb is None and odd is not None:
        from ..metrics.summary import PLAUSIBLE

        lo, hi, why = PLAUSIBLE["steps_per_breath"]
        lines[-1] = (
            f"  {'Steps per breath':24}{'not plausible':>16}  ({odd:.1f}, outside "
            f"{lo:g}-{hi:g}: {why})"
        )
    return lines


def _fmt(v: Any, spec: str) -> str:
    return "-" if v is None else format(v, spec)


def _lap_lines(
    rows: list[dict[str, Any]], title: str, key: str, units: str, foot: bool
) -> list[str]:
    """A table of laps or kilometre splits (distance, time, pace, dynamics)."""
    if len(rows) < 2:
        return []
    dist_h = "mi" if units == "imperial" else "km"
    breath = any(r.get("respiration_rate_brpm") is not None for r in rows)
    out = [
        "",
        f"  {title}",
        f"  {'#':>3} {dist_h:>6} {'time':>8} {'pace' if foot else 'speed':>10} {'spm':>5} "
        f"{'step':>7} {'GCT ms':>6} {'VO':>6} {'HR':>4}"
        + (f" {'br/min':>6} {'st/br':>5}" if breath else ""),
    ]
    per = 1609.344 if units == "imperial" else 1000.0
    for r in rows:
        if key == "split":
            dist = (r.get("end_m") or 0) - (r.get("start_m") or 0)
            secs = r.get("split_timer_s")
        else:
            dist, secs = r.get("distance_m"), r.get("timer_s")
        speed = dist / secs if dist and secs else None
        vo = r.get("vertical_oscillation_mm")
        step = r.get("step_length_m")
        out.append(
            f"  {int(r.get(key) or 0):>3} {_fmt(dist / per if dist else None, '.2f'):>6} "
            f"{format_duration(secs):>8} "
            f"{(format_pace(speed, units) if foot else format_speed(speed, units)):>10} "
            f"{_fmt(r.get('cadence_spm'), '.0f'):>5} "
            f"{(format_step(step, units) if step else '-'):>7} "
            f"{_fmt(r.get('ground_contact_ms'), '.0f'):>6} "
            f"{(format_oscillation(vo, units) if vo else '-'):>6} "
            f"{_fmt(r.get('heart_rate_bpm'), '.0f'):>4}"
            + (
                f" {_fmt(r.get('respiration_rate_brpm'), '.1f'):>6} "
                f"{_fmt(r.get('steps_per_breath'), '.2f'):>5}"
                if breath
                else ""
            )
        )
    return out


_SPORT_WORDS = {
    "running": "run",
    "cycling": "ride",
    "swimming": "swim",
    "walking": "walk",
    "hiking": "hike",
}


def sport_word(sport: str | None) -> str:
    """``"run"``, ``"ride"``...: what the activity is called for the runner."""
    return _SPORT_WORDS.get(sport or "", sport or "activity")


def _header(result: dict[str, Any], units: str) -> str:
    """The first line (file, sport, when, in local time with the zone named once)."""
    import datetime as dt

    offset = result.get("utc_offset_s")
    start = result.get("start")
    when = "start unknown"
    if start:
        t = dt.datetime.fromisoformat(start)
        if offset is not None:
            t = t.astimezone(dt.timezone(dt.timedelta(seconds=offset)))
            sign = "+" if offset >= 0 else "-"
            zone = f"local time (UTC{sign}{abs(offset) // 3600:02d}:{abs(offset) % 3600 // 60:02d}"
            said = result.get("utc_offset_assumed")
            if said:  # "... (Europe/Amsterdam, UTC+02:00 at the start)": the zone's name
                name = said.rsplit("(", 1)[-1].split(",", 1)[0]
                zone += f", {name}: the file does not say its zone, taken from where it starts"
            zone += ")"
        else:
            t = t.astimezone(dt.timezone.utc)
            zone = "UTC (the file does not say its time zone)"
        when = f"{t:%Y-%m-%d %H:%M} {zone}"
    s = result["summary"]
    dist = format_distance(s.get("distance_m"), units)
    return f"{result['file']}: {dist} {sport_word(result.get('sport'))}, {when}"


def format_text(
    result: dict[str, Any],
    *,
    verbose: bool = False,
    laps: bool = False,
    units: str = "metric",
    width: int | None = None,
) -> str:
    """The ``analyze`` text: header, verdict, summary (ours beside the watch's), findings.

    Parameters
    ----------
    result : dict
        From :func:`analyze`.
    verbose : bool
        Also each finding's evidence (values seen, what they were compared with,
        source) and every suggestion in full.
    laps : bool
        Also the lap and kilometre (or mile) tables.
    units : {"metric", "imperial"}
    width : int, optional
        Wrap width, characters (default: the terminal's, 60-120).

    Reader warnings are not part of the text: the CLI prints them on stderr.
    """
    from ..model import FOOT_SPORTS

    w = _width(width)
    head = _header(result, units)
    lines = _wrap(head, "", w)
    verdict, shown_try = _verdict(result, w)
    lines += verdict
    if len(result["sessions"]) > 1:
        lines.append("  sessions: " + ", ".join(s["sport"] or "?" for s in result["sessions"]))
    lines.append("")
    ours, dev = dict(result["summary"]), dict(result["device_summary"])
    ours.setdefault("power_w", (result.get("metrics") or {}).get("power_w"))
    has_dev = any(v is not None for v in dev.values())
    watch = f"watch ({result['device']})" if result.get("device") else "watch"
    ww = max(16, len(watch) + 2)
    lines.append(f"  {'':24}{'runlens':>16}" + (f"{watch:>{ww}}" if has_dev else ""))
    moving = ours.get("moving_s")

    def same_as_moving(k: str) -> bool:
        vals = [x for x in (ours.get(k), dev.get(k)) if x is not None]
        return moving is not None and all(abs(x - moving) < 1 for x in vals)

    for label, key, fmt in _rows(result.get("sport"), units):
        o, d = ours.get(key), dev.get(key)
        if o is None and d is None:
            continue
        if key in ("timer_s", "elapsed_s") and same_as_moving(key):
            continue  # no pauses: one time row says it
        row = f"  {label:24}{fmt(o) if o is not None else '-':>16}"
        if has_dev:
            row += f"{fmt(d) if d is not None else '-':>{ww}}"
        lines.append(row)
    fixed = (result.get("metrics") or {}).get("totals_from_watch")
    if fixed:
        lines.append(
            "  Timer, distance and pace are the watch's: the records' times cannot be right "
            "(see the warnings)"
        )
    lines += _cadence_note(result.get("metrics") or {}, ours.get("cadence_spm"), units)
    lines += _breathing_lines(ours, 16, result.get("metrics"))
    if laps:
        foot = result.get("sport") in FOOT_SPORTS or result.get("sport") is None
        lines += _lap_lines(result.get("laps") or [], "Laps", "lap", units, foot)
        if units == "imperial" and result.get("splits_mi") is not None:
            lines += _lap_lines(result["splits_mi"], "Mile splits", "split", units, foot)
        else:
            lines += _lap_lines(result.get("splits_km") or [], "Kilometre splits", "split", units, foot)
    findings = result.get("findings") or []
    if findings:
        lines.append("Findings" + ("" if verbose else " (-v: the evidence behind each)"))
        order = {"flag": 0, "note": 1, "info": 2}
        for f in sorted(findings, key=lambda f: order.get(f.get("severity"), 3)):
            lines += format_finding(
                f,
                verbose=verbose,
                offset=result.get("utc_offset_s"),
                width=w,
                units=units,
                show_try=f.get("rule") not in shown_try,
            )
    caveats = result.get("caveats") or []
    if caveats:
        lines += _wrap("Keep in mind: " + " ".join(caveats), "", w)
    return "\n".join(lines)


def format_runs_text(results: list[dict[str, Any]], **options: Any) -> str:
    """The ``analyze`` text of a file holding several runs: each run's text one
    after the other under a ``Run K of N`` line, the caveats once, at the end.
    ``options`` as :func:`format_text`."""
    n = len(results)
    parts = []
    for k, result in enumerate(results):
        if k < n - 1:
            result = {**result, "caveats": []}
        parts.append(f"Run {k + 1} of {n} in this file\n" + format_text(result, **options))
    return "\n\n".join(parts)


def run_plot_paths(path: str, n: int) -> list[str]:
    """Where ``analyze --plot PATH`` writes the pictures of a file's ``n`` runs:
    ``PATH`` for the first, ``NAME-2.png``... beside it for the others."""
    import os

    root, ext = os.path.splitext(str(path))
    return [str(path)] + [f"{root}-{k}{ext}" for k in range(2, n + 1)]
