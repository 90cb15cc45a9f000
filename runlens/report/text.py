"""Text output of the history commands, in the runner's words and units.

``runlens weekly`` tells first: one summary line (the latest week's verdict,
totals, what changed), then the table of the weeks shown, with long stretches
without a run collapsed into one line, then the findings, each named by its
run's date and activity name. Rule ids stay in JSON; units follow
``[display] units`` / ``--units`` through :mod:`runlens.report.vocab`.
"""

from __future__ import annotations

import os
import re
from typing import Any

from .vocab import PLAIN_TERMS, distance_unit, distance_value, localise, plain, rule_name

__all__ = ["weekly_text", "runs_text", "run_label", "scan_summary", "GAP_WEEKS"]

#: Runless weeks in a row from which the table shows one line for them all.
GAP_WEEKS = 3

#: Order of findings in the text: what matters most first.
_SEVERITY_ORDER = {"flag": 0, "note": 1, "info": 2}


def _sentences(msg: str) -> list[str]:
    """Split a message into sentences ("et al. 2014" and "3.5 km" stay whole)."""
    return [x for x in re.split(r"(?<=[.!?])\s+(?=[A-Z])", msg.strip()) if x]


def run_label(path: str | None, date: str | None = None, names: dict | None = None) -> str:
    """How a run is named for the runner: its date and activity name (else file name).

    >>> run_label("/x/1006.fit.gz", "2024-05-01", {"/x/1006.fit.gz": "50k ultra"})
    '2024-05-01 "50k ultra" (1006.fit.gz)'
    >>> run_label("/x/run.fit", "2024-05-01"), run_label("/x/2024-05-01-easy.fit", "2024-05-01")
    ('2024-05-01 run.fit', '2024-05-01-easy.fit')
    """
    base = os.path.basename(path or "")
    name = (names or {}).get(path or "")
    who = f'"{name}" ({base})' if name else base
    if date and not (base.startswith(date) and not name):  # "2026-08-18-run-easy.fit" says it
        return f"{date} {who}"
    return who


def _marks(findings: list[dict]) -> str:
    """The table's findings column: each rule once by its name, with a count when repeated."""
    from collections import Counter

    c = Counter(
        (rule_name(f.get("rule")), f["severity"]) for f in findings if f["severity"] != "info"
    )
    return ", ".join(
        f"{name} ({sev})" if n == 1 else f"{name} ({sev}) x{n}" for (name, sev), n in c.items()
    )


def _clip(v, spec: str, width: int, big: float) -> str:
    """A number for a fixed-width column; beyond ``big`` it shows as ``>big``."""
    from ..load import finite_or_none

    v = finite_or_none(v)
    if v is None:
        return "-"
    if abs(v) >= big:
        return (">" if v > 0 else "<-") + format(big, ".0f")
    return format(v, spec)[:width]


def _load(w: dict, unit: str, units: str) -> float | None:
    """The week's load in the runner's units (a distance load in miles in imperial)."""
    v = w.get("load")
    if v is not None and unit == "km" and units == "imperial":
        return v * 1000.0 / 1609.344
    return v


def _summary(doc: dict, shown: list[dict], units: str, all_weeks: int) -> str:
    """The first line: the latest week, its verdict, what changed, and the weeks shown."""
    from ..units import format_duration

    if not shown:
        return "No weeks in the range asked for."
    last = shown[-1]
    du = distance_unit(units)
    flags = [f for f in last["findings"] if f["severity"] == "flag"]
    n = last["runs"]
    s = (
        f"Week of {last['week']}: {distance_value(last['distance_m'], units):.1f} {du} in "
        f"{n} run{'s' if n != 1 else ''} ({format_duration(last['moving_s'])})"
    )
    if last.get("change_pct") is not None:
        s += f", {last['change_pct']:+.0f}% on the week before"
    if flags:
        names = sorted({rule_name(f.get("rule")) for f in flags})
        s += f"; flagged: {', '.join(names)}."
    else:
        s += "; nothing flagged."
    km = sum(w["distance_m"] for w in shown)
    runs = sum(w["runs"] for w in shown)
    form = sum(w.get("form_flag_runs", 0) for w in shown)
    noted = sum(w.get("form_note_runs", 0) for w in shown)
    vol = sum(
        1
        for w in shown
        for f in w["findings"]
        if f["severity"] == "flag" and not f.get("activity")
    )
    s += (
        f" Last {len(shown)} week{'s' if len(shown) != 1 else ''}: "
        f"{distance_value(km, units):.0f} {du} in {runs} run{'s' if runs != 1 else ''}, "
        f"{form} run{'s' if form != 1 else ''} with form flags, "
        + (f"{noted} with form notes only, " if noted else "")
        + f"{vol} volume flag{'s' if vol != 1 else ''}."
    )
    if all_weeks > len(shown):
        s += f" ({all_weeks - len(shown)} earlier weeks: --all or --from DATE.)"
    return s


def weekly_text(
    doc: dict[str, Any],
    *,
    units: str = "metric",
    names: dict[str, str] | None = None,
    all_weeks: int | None = None,
    width: int | None = None,
) -> str:
    """The weekly summary, table and findings as text, wrapped to ``width`` columns.

    Parameters
    ----------
    doc : dict
        ``runlens weekly --json``'s object, its ``weeks`` already selected.
    units : {"metric", "imperial"}
    names : dict, optional
        Activity names by path (export lists, the file's own name).
    all_weeks : int, optional
        How many weeks the whole history has (to say how many are not shown).

    Findings come most important first (flags, then notes, then what was not
    judged); a sentence that several findings share (the study behind a rule,
    its caveat) is printed with the first of them only.
    """
    import shutil
    import textwrap

    from ..units import format_duration

    if width is None:
        width = shutil.get_terminal_size((100, 24)).columns
    width = max(60, width)
    weeks = doc["weeks"]
    du = distance_unit(units)
    unit = doc.get("load_unit", "km")
    load_u = du if unit == "km" else unit
    lines = [textwrap.fill(_summary(doc, weeks, units, all_weeks or len(weeks)), width=width)]
    lines.append("")
    head = (
        f"{'week':<10} {du:>6} {'time':>8} {'runs':>4} {'load':>6} {'change':>7} "
        f"{'ratio':>5}  "
    )
    lines.append(head + "findings")
    wrap_marks = textwrap.TextWrapper(
        width=width, initial_indent="", subsequent_indent=" " * len(head), break_long_words=False
    )
    i = 0
    while i < len(weeks):
        w = weeks[i]
        j = i
        while j < len(weeks) and weeks[j]["runs"] == 0 and not weeks[j]["findings"]:
            j += 1
        if j - i >= GAP_WEEKS:  # a long stretch without a run: one line
            lines.append(f"{w['week']:<10} to {weeks[j - 1]['week']}: no runs ({j - i} weeks)")
            i = j
            continue
        marks = _marks(w["findings"])
        if w.get("break_days") is not None and "returning" not in marks:
            marks = ", ".join(x for x in (marks, "(returning)") if x)
        change = _clip(w["change_pct"], "+.0f", 6, 1000)
        row = (
            f"{w['week']:<10} {distance_value(w['distance_m'], units):>6.1f} "
            f"{format_duration(w['moving_s']):>8} "
            f"{w['runs']:>4} {_clip(_load(w, unit, units), '.1f', 6, 10000):>6} "
            f"{change + ('%' if w['change_pct'] is not None else ''):>7} "
            f"{_clip(w['acwr'], '.2f', 5, 100):>5}  "
        )
        lines.append(wrap_marks.fill(row + marks) if marks else row.rstrip())
        i += 1
    lines.append("")
    wrap = textwrap.TextWrapper(width=width, subsequent_indent="    ", break_long_words=False)
    legend = f"load = {load_u} per week; {PLAIN_TERMS['ratio']}."
    if unit == "TRIMP":
        legend += f" {PLAIN_TERMS['TRIMP']}."
    lines.append(wrap.fill(legend))
    found = [f for w in weeks for f in w["findings"]]
    found.sort(key=lambda f: _SEVERITY_ORDER.get(f["severity"], 3))  # stable: weeks in order
    if found:
        lines.append("")
        lines.append("Findings (flags first):")
        said: set[str] = set()
        for f in found:
            kept = []
            for sentence in _sentences(plain(localise(f["message"], units))):
                if sentence in said:
                    continue
                said.add(sentence)
                kept.append(sentence)
            if f.get("activity"):
                day = f.get("date") or ((f.get("evidence") or {}).get("values") or {}).get("date")
                who = " " + run_label(f["activity"], day, names) + ":"
            else:
                who = ""
            lines.append(wrap.fill(f"  [{f['severity']}]{who} " + " ".join(kept)))
    notes = [plain(c) for c in list(doc.get("history_caveats", [])) + list(doc["caveats"])]
    if doc["assumptions"]:
        lines.append("")
        lines.extend(wrap.fill(f"Assumed: {a}") for a in doc["assumptions"])
    lines.append("")
    lines.extend(wrap.fill(f"Note: {c}") for c in notes)
    return "\n".join(lines)


def runs_text(
    rows: list[dict],
    total: int | None = None,
    *,
    units: str = "metric",
    names: dict[str, str] | None = None,
) -> str:
    """``runlens runs``: one line per run (date, distance, activity name, form findings by
    name, notes marked), then what each finding was judged against."""
    du = distance_unit(units)
    lines = [f"{'date':<10} {du:>6}  {'activity':<36} form findings"]
    for r in rows:
        d = "-" if r["distance_m"] is None else f"{distance_value(r['distance_m'], units):.1f}"
        who = run_label(r["path"], None, names)
        flags = ", ".join(
            rule_name(f["rule"]) + (" (note)" if f.get("severity") == "note" else "")
            for f in r["findings"]
        ) or "-"
        lines.append(f"{r['local_date']:<10} {d:>6}  {who:<36} {flags}")
        for f in r["findings"]:
            basis = (f.get("evidence") or {}).get("basis")
            if basis:
                lines.append(f"{'':<19}   {rule_name(f['rule'])}: judged on {plain(basis)}")
    n = sum(bool(r["flags"]) for r in rows)
    flagged = sum(any(f.get("severity") == "flag" for f in r["findings"]) for r in rows)
    lines.append("")
    lines.append(
        f"{n} of {total if total is not None else len(rows)} runs with form findings "
        f"({flagged} with a flag, the rest notes only)."
    )
    return "\n".join(lines)


def scan_summary(rep) -> list[str]:
    """What a scan done by weekly, runs, chart, report or baseline did, in a few lines:
    files read, damaged files skipped (each named), files left out, assumptions; one
    line when it found nothing new."""
    from ..units import plural

    if not rep.read and not rep.problems and not rep.removed:  # nothing new: one line
        return [f"{rep.root}: {plural(rep.found, 'activity file')}, none new or changed"]
    lines = [
        f"scanned {rep.root}: {plural(rep.found, 'activity file')} in {rep.seconds:.1f} s "
        f"({rep.read} read, {rep.not_read} unchanged"
        + (f", {plural(rep.duplicates, 'duplicate')} counted once" if rep.duplicates else "")
        + ")"
    ]
    if rep.problems:
        lines.append(f"{plural(len(rep.problems), 'file')} skipped (damaged or not an activity):")
        lines += [f"  {path}: {reason}" for path, _status, reason in rep.problems]
    if rep.left_out:
        kinds = ", ".join(f"{n} {k}" for k, n in rep.left_out.items())
        lines.append(f"left out {rep.ignored} files that are not activity files: {kinds}")
    lines += [f"assumed: {a}" for a in rep.assumptions]
    return lines
