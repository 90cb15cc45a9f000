"""index.html: the verdict first, then load, fitness, calendar with the pain diary, all runs."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import units as U
from ..vocab import PLAIN_TERMS, localise, plain, rule_name
from ._page import COLOURS, caveats_html, chart, esc, page


def _num(v) -> float | None:
    try:
        v = float(v)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def run_state(flags: list[str], notes: list[str]) -> str:
    return "flag" if flags else ("note" if notes else "clean")


def index_html(site: dict[str, Any]) -> str:
    """The index page from the site's tables (built by :func:`runlens.report.html.build_site`)."""
    units = site["units"]
    body = (
        _verdict(site)
        + _load_chart(site)
        + _fitness_chart(site)
        + _calendar(site)
        + _runs_table(site)
        + caveats_html(site.get("assumptions"))
    )
    return page("runlens: your running history", body, root="", units=units, charts=True,
                note=site.get("range_note", ""))


# ----------------------------------------------------------------------------- verdict
def _count(n: int, word: str) -> str:
    """'no flags', '1 flag', '3 notes'."""
    return f"no {word}s" if n == 0 else _plural(n, word)


def _week_box(w: dict, site: dict, this: bool) -> tuple[str, str, int, int]:
    """(state, HTML, flags, notes) of one week: its volume findings and its runs' form."""
    units = site["units"]
    vol = [f for f in w["findings"] if not f.get("activity")]
    vflags = [f for f in vol if f["severity"] == "flag"]
    vnotes = [f for f in vol if f["severity"] == "note"]
    runs = w["runs_rows"]
    n_flags = len(vflags) + sum(len(r["flags"]) for r in runs)
    n_notes = len(vnotes) + sum(len(r["notes"]) for r in runs)
    state = "flag" if n_flags else ("note" if n_notes else "clean")
    items = []
    for f in vflags + vnotes:
        sev = f["severity"]
        items.append(
            f'<li><span class="pill {sev}">{sev}</span> '
            f"{esc(plain(localise(_first_sentence(f['message']), units)))}</li>"
        )
    for sev in ("flag", "note"):
        for r in runs:
            rules = r[sev + "s"]
            if rules:
                items.append(
                    f'<li><span class="pill {sev}">{sev}</span> '
                    f'{esc(", ".join(dict.fromkeys(rule_name(x) for x in rules)))} on '
                    f'<a href="{esc(r["page"])}">{esc(r["day"])} {esc(r["name"])}</a></li>'
                )
    if w.get("break_days"):
        items.append(
            f"<li>Returning after a break of {int(w['break_days'])} days: build back gently.</li>"
        )
    if not items and not runs:  # the tally says "no flags, no notes" already
        items.append("<li>No runs.</li>")
    acwr = _num(w.get("acwr"))
    change = _num(w.get("change_pct"))
    facts = (
        f"{_plural(int(w['runs'] or 0), 'run')}, {U.format_distance(w['distance_m'], units)}, "
        f"{U.format_duration(w['moving_s'])}"
    )
    if change is not None and this and w.get("partial"):
        facts += f"; the week so far (up to the latest run, {w['partial']})"
    elif change is not None:
        facts += (
            "; about the same distance as the week before"
            if round(change) == 0
            else f"; {change:+.0f}% distance on the week before"
        )
    if acwr is not None:
        facts += f"; load ratio {acwr:.2f}"
    label = ("This week" if this else "Week") + f" of {w['week']:%d %b %Y}"
    tally = f"{_count(n_flags, 'flag')}, {_count(n_notes, 'note')}"
    return state, (
        f'<div class="week {state}"><b>{esc(label)}</b>: {esc(tally)}'
        f'<div class="muted">{esc(facts)}</div>{"<ul>" + "".join(items) + "</ul>" if items else ""}'
        "</div>"
    ), n_flags, n_notes


def _first_sentence(text: str) -> str:
    text = str(text or "")
    i = text.find(". ")
    return text if i < 0 else text[: i + 1]


def _verdict(site: dict) -> str:
    """This week in one sentence (flags and notes counted apart), then the five weeks."""
    weeks = site["verdict_weeks"]
    if not weeks:
        return ""
    boxes = [_week_box(w, site, i == 0) for i, w in enumerate(weeks)]
    this_state, _, f0, n0 = boxes[0]
    if f0:
        head = (
            f"This week: {_count(f0, 'flag')} and {_count(n0, 'note')}. Read the flags below "
            "before the next hard session."
        )
    elif n0:
        head = f"This week: nothing flagged, {_count(n0, 'note')} worth a look."
    else:
        head = "This week: nothing flagged, no notes."
    flags = sum(b[2] for b in boxes)
    notes = sum(b[3] for b in boxes)
    span = f"the last {len(boxes)} weeks" if len(boxes) > 1 else "this week"
    sub = f"In {span}: {_count(flags, 'flag')} and {_count(notes, 'note')}."
    base = site["baseline_words"]
    return (
        f'<section class="verdict {this_state}" id="verdict"><h2>Verdict: this week and the four '
        f'before</h2><div class="headline">{esc(head)}</div>'
        f'<p class="tally">{esc(sub)}</p><p class="muted"><span class="pill flag">flag</span> a '
        "study in runners supports the threshold and the value passed it by more than its "
        'uncertainty; <span class="pill note">note</span> worth a look, on weaker evidence.</p>'
        f'<p class="muted">Latest run {esc(weeks[0]["latest_run"])}. Baseline: {esc(base)}</p>'
        f'<div class="weeks">{"".join(b[1] for b in boxes)}</div></section>'
    )


# ----------------------------------------------------------------------------- charts
def _load_unit(site: dict) -> tuple[str, float]:
    """The load's unit and the factor to it: a distance load in miles in imperial."""
    unit = site["load_unit"]
    if unit == "km" and site["units"] == "imperial":
        return "mi", 1000.0 / U.METRES_PER_MILE
    return unit, 1.0


def _dates(series) -> list[str]:
    return [d.strftime("%Y-%m-%d") for d in series]


def _clean(vals) -> list[float | None]:
    return [None if (v is None or not np.isfinite(v)) else round(float(v), 3) for v in vals]


def _load_chart(site: dict) -> str:
    wk = site["weeks"]
    if not len(wk):
        return ""
    unit, scale = _load_unit(site)
    load = wk["load"].to_numpy(float) * scale
    colours = [COLOURS[s] if s != "clean" else "#5c7fa3" for s in site["week_states"]]
    x = _dates(wk["week"] + np.timedelta64(3, "D"))
    data = [
        {
            "type": "bar",
            "x": x,
            "y": _clean(load),
            "name": f"weekly load ({unit})",
            "marker": {"color": colours},
            "hovertemplate": "week of %{customdata}<br>%{y:.1f} " + unit + "<extra></extra>",
            "customdata": _dates(wk["week"]),
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": x,
            "y": _clean(wk["acwr"].to_numpy(float)),
            "yaxis": "y2",
            "name": "load ratio",
            "line": {"color": "#111", "width": 1.5},
            "marker": {"size": 4},
            "hovertemplate": "load ratio %{y:.2f}<extra></extra>",
        },
    ]
    layout = {
        "margin": {"l": 56, "r": 56, "t": 10, "b": 40},
        "legend": {"orientation": "h", "y": 1.12},
        "yaxis": {"title": {"text": f"load ({unit})"}, "gridcolor": "#eceff3"},
        # round ticks of its own (an overlaying axis syncs to the bars' grid otherwise), and
        # room for the 1.5 line: clipped at the top, it looked like the ratio's ceiling
        "yaxis2": {"title": {"text": "load ratio"}, "overlaying": "y", "side": "right",
                   "range": [0, max(1.6, 1.05 * float(np.nanmax(wk["acwr"].to_numpy(float),
                                                                initial=0.0)))],
                   "tickmode": "linear", "tick0": 0, "dtick": 0.5, "showgrid": False,
                   "tickformat": ".1f"},
        "xaxis": {"type": "date"},
        "shapes": [
            {"type": "rect", "xref": "paper", "yref": "y2", "x0": 0, "x1": 1, "y0": 0.8,
             "y1": 1.3, "fillcolor": "#2e7d32", "opacity": 0.08, "line": {"width": 0},
             "layer": "below"},
            {"type": "line", "xref": "paper", "yref": "y2", "x0": 0, "x1": 1, "y0": 1.5,
             "y1": 1.5, "line": {"color": COLOURS["flag"], "width": 1, "dash": "dot"}},
        ],
        "plot_bgcolor": "#fff",
        "bargap": 0.15,
    }
    return (
        '<section><h2>Weekly load and the load ratio</h2><p class="muted">Bars: each '
        "week's load, red where the week has a flag, amber where it has notes only. Line: the "
        f"{esc(PLAIN_TERMS['ratio'])}; green band 0.8-1.3, dotted line 1.5. The ratio's "
        "link to injury is disputed: read it as context, not a limit.</p>"
        + chart("load", {"data": data, "layout": layout}, 330)
        + "</section>"
    )


def _fitness_chart(site: dict) -> str:
    wk = site["weeks_all"]
    if not len(wk):
        return ""
    unit, scale = _load_unit(site)
    x = _dates(wk["week"] + np.timedelta64(6, "D"))
    data = [
        {"type": "scatter", "mode": "lines", "x": x, "y": _clean(wk["ctl"].to_numpy(float) * scale),
         "name": "fitness (CTL)", "line": {"color": "#1d3557", "width": 2}},
        {"type": "scatter", "mode": "lines", "x": x, "y": _clean(wk["atl"].to_numpy(float) * scale),
         "name": "fatigue (ATL)", "line": {"color": "#c2185b", "width": 1.5}},
        {"type": "bar", "x": x, "y": _clean(wk["tsb"].to_numpy(float) * scale), "name": "form (TSB)",
         "marker": {"color": "#8fb3d9"}, "opacity": 0.6},
    ]
    pain = site["pain"]
    if len(pain):
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": _dates(pain["date"]),
                "y": [int(s) for s in pain["severity"]],
                "yaxis": "y2",
                "xaxis": "x",
                "name": "pain diary (0-10)",
                "marker": {"color": COLOURS["pain"], "size": 9, "symbol": "diamond"},
                "text": [f"{loc}: {note}" for loc, note in zip(pain["location"], pain["note"])],
                "hovertemplate": "%{x}<br>pain %{y}/10<br>%{text}<extra></extra>",
            }
        )
    layout = {
        "margin": {"l": 56, "r": 20, "t": 10, "b": 30},
        "legend": {"orientation": "h", "y": 1.1},
        "barmode": "overlay",
        "yaxis": {"domain": [0.34, 1.0], "title": {"text": f"load per day ({unit})"},
                  "gridcolor": "#eceff3"},
        "yaxis2": {"domain": [0.0, 0.24], "range": [-0.5, 10.5],
                   "title": {"text": "pain 0-10"}, "gridcolor": "#eceff3"},
        "xaxis": {"type": "date", "rangeslider": {"visible": True, "thickness": 0.06},
                  "rangeselector": {"buttons": [
                      {"count": 3, "label": "3 months", "step": "month", "stepmode": "backward"},
                      {"count": 1, "label": "1 year", "step": "year", "stepmode": "backward"},
                      {"step": "all", "label": "all"}]}},
        "plot_bgcolor": "#fff",
    }
    if len(pain):
        layout["yaxis2"]["anchor"] = "x"
    note = (
        "The pain diary on the same timeline (diamonds, 0-10)."
        if len(pain)
        else "No pain diary entries (runlens pain add ...): the lower panel stays empty."
    )
    return (
        '<section><h2>Fitness, fatigue and form over the whole history</h2><p class="muted">'
        "Fitness (CTL, 42-day average load), fatigue (ATL, 7-day) and form (TSB = CTL - ATL) at "
        f"the end of each week. Drag to zoom, use the slider or the buttons to pan. {esc(note)}"
        "</p>" + chart("fitness", {"data": data, "layout": layout}, 460) + "</section>"
    )


# ----------------------------------------------------------------------------- calendar
def _calendar(site: dict) -> str:
    runs = site["runs_rows"]
    if not runs:
        return ""
    import pandas as pd

    by_day: dict = {}
    for r in runs:
        by_day.setdefault(r["date"], []).append(r)
    pain_day: dict = {}
    for d, s in zip(site["pain"]["date"], site["pain"]["severity"]):
        pain_day[d.date()] = max(pain_day.get(d.date(), 0), int(s))
    first = min(by_day)
    last = max(by_day)
    ws = site["week_start_offset"]
    start = first - pd.Timedelta(days=(first.weekday() - ws) % 7)
    names = [pd.Timestamp(2024, 1, 1 + (ws + i) % 7).strftime("%a") for i in range(7)]
    rows = []
    day = start
    while day <= last:
        cells = []
        for i in range(7):
            d = (day + pd.Timedelta(days=i)).date()
            inner = ""
            for r in by_day.get(pd.Timestamp(d), []):
                tip = f"{r['day']} {r['name']}: {r['dist_text']}" + "".join(
                    f" - {sev}s: {', '.join(map(rule_name, r[sev + 's']))}"
                    for sev in ("flag", "note")
                    if r[sev + "s"]
                )
                km = r["dist_short"]
                inner += f'<a class="run {r["state"]}" href="{esc(r["page"])}" title="{esc(tip)}">{esc(km)}</a>'
            if d in pain_day:
                inner += f'<span class="pain" title="pain diary: {pain_day[d]}/10">&#9670;{pain_day[d]}</span>'
            cells.append(f"<td>{inner}</td>")
        rows.append(f'<tr><td class="wk">{day:%d %b %Y}</td>{"".join(cells)}</tr>')
        day += pd.Timedelta(days=7)
    rows.reverse()  # the latest week first
    head = "".join(f"<th>{n}</th>" for n in names)
    return (
        '<section><h2>Calendar</h2><p class="muted">Each run with its distance, coloured by its '
        'findings: <span class="pill flag">a form flag</span><span class="pill note">form notes '
        'only</span><span class="pill clean">nothing found</span>; <span class="pain">&#9670;'
        "</span> a pain diary entry with its severity. Latest week first; click a run for its "
        "page.</p>"
        f'<div class="calwrap"><table class="cal"><thead><tr><th class="l">week of</th>{head}'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div></section>"
    )


# ----------------------------------------------------------------------------- table
def _runs_table(site: dict) -> str:
    units = site["units"]
    rows = []
    for r in reversed(site["runs_rows"]):
        pills = "".join(
            f'<span class="pill {sev}" title="{sev}">{esc(rule_name(x))} ({sev})</span>'
            for sev in ("flag", "note")
            for x in r[sev + "s"]
        )
        v = r["values"]
        rows.append(
            f'<tr data-findings="{r["state"]}">'
            f'<td data-v="{r["day"]}"><a href="{esc(r["page"])}">{esc(r["day"])}</a></td>'
            f'<td class="l" data-v="{esc(r["name"].lower())}">{esc(r["name"])}</td>'
            f'<td data-v="{_v(v["distance_m"])}">{esc(r["dist_text"])}</td>'
            f'<td data-v="{_v(v["moving_s"])}">{esc(U.format_duration(v["moving_s"]))}</td>'
            f'<td data-v="{_v(1 / v["speed"] if v["speed"] else None)}">{esc(U.format_pace(v["speed"], units))}</td>'
            f'<td data-v="{_v(v["hr"])}">{_n(v["hr"])}</td>'
            f'<td data-v="{_v(v["cadence"])}">{_n(v["cadence"])}</td>'
            f'<td class="l" data-v="{len(r["flags"]) * 10 + len(r["notes"])}">{pills or "-"}</td></tr>'
        )
    head = ["date", "name", "distance", "time", "pace", "heart rate", "step rate", "findings"]
    th = "".join(f'<th{" class=l" if h in ("name", "findings") else ""}>{h}</th>' for h in head)
    n = len(rows)
    return (
        '<section><h2>All runs</h2><div class="controls"><input type="search" id="filter" '
        'placeholder="filter: a date, a name, a finding..."><label><input type="checkbox" '
        f'id="with-findings"> runs with findings only (flags or notes)</label><span class="muted"><span id="shown">{n}</span> '
        f"of {n} runs shown; click a heading to sort</span></div>"
        f'<div class="tablewrap"><table class="sortable" id="runs"><thead><tr>{th}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div></section>"
    )


def _v(x) -> str:
    x = _num(x)
    return "" if x is None else f"{x:.6g}"


def _n(x) -> str:
    x = _num(x)
    return "-" if x is None else f"{x:.0f}"
