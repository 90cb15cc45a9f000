"""One run's page: summary beside the watch's numbers, route, panels, laps, splits, zones."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ... import units as U
from ..vocab import localise, plain, rule_name
from ._page import COLOURS, caveats_html, chart, esc, page

#: The severities a run page shows, most important first (info stays in JSON).
SHOWN = ("flag", "note")

#: Points per panel at most: a 2-hour run at 1 Hz is averaged over 8-second bins.
MAX_POINTS = 1000
#: Samples further apart than this are a pause: not counted in the zones.
MAX_GAP_S = 10.0

#: (column, label, unit, how to show it) of the panels, top to bottom.
PANELS = (
    ("pace", "Pace", "", None),
    ("heart_rate_bpm", "Heart rate", "bpm", ".0f"),
    ("cadence_spm", "Step rate", "steps/min", ".0f"),
    ("step_length_m", "Step length", "m", ".2f"),
    ("ground_contact_ms", "Ground contact", "ms", ".0f"),
    ("vertical_oscillation_mm", "Vertical oscillation", "mm", ".0f"),
    ("vertical_ratio_pct", "Vertical ratio", "%", ".1f"),
    ("gct_balance_left_pct", "Contact balance (left)", "%", ".1f"),
    ("respiration_rate_brpm", "Breathing", "breaths/min", ".0f"),
)

#: Summary rows: key, label, formatter(value, units).
def _dist(v, u):
    return U.format_distance(v, u)


def _dur(v, u):
    return U.format_duration(v)


def _num(spec, unit):
    return lambda v, u: "-" if v is None else f"{v:{spec}} {unit}".strip()


SUMMARY_ROWS = (
    ("distance_m", "Distance", _dist),
    ("timer_s", "Timer time", _dur),
    ("moving_s", "Moving time", _dur),
    ("elapsed_s", "Elapsed time", _dur),
    ("avg_speed_m_s", "Average pace", lambda v, u: U.format_pace(v, u)),
    ("heart_rate_bpm", "Heart rate", _num(".0f", "bpm")),
    ("cadence_spm", "Step rate", _num(".0f", "steps/min")),
    ("step_length_m", "Step length", lambda v, u: U.format_step(v, u)),
    ("vertical_oscillation_mm", "Vertical oscillation", lambda v, u: U.format_oscillation(v, u)),
    ("vertical_ratio_pct", "Vertical ratio", _num(".1f", "%")),
    ("ground_contact_ms", "Ground contact", _num(".0f", "ms")),
    ("gct_balance_left_pct", "Contact balance (left)", _num(".1f", "%")),
    ("respiration_rate_brpm", "Breathing rate", _num(".0f", "breaths/min")),
    ("ascent_m", "Ascent", lambda v, u: U.format_elevation(v, u)),
)


def _ok(v) -> bool:
    return v is not None and isinstance(v, (int, float)) and np.isfinite(v)


def write_run_page(job: dict[str, Any]) -> tuple[str, int, str | None]:
    """Build and write one run page; returns (relative file, bytes, problem or None).

    A file that cannot be read any more still gets a page (its stored summary
    and findings) that says why the charts are missing.
    """
    from ...errors import RunlensError
    from ...memo import analysis_scope

    problem = None
    try:
        with analysis_scope():  # laps and splits share the derived sample frame
            body, title = _body(job)
    except (RunlensError, OSError, ValueError) as exc:
        problem = f"{job['path']}: {exc}"
        title = job["name"]
        body = (
            f'<section><h2>{esc(job["name"])}</h2><p>The file could not be read again, so '
            f"this page has no charts: {esc(exc)}</p>{_findings_html(job['findings'], job)}"
            "</section>" + caveats_html()
        )
    text = page(title, body, root="../", units=job["units"], charts=problem is None)
    out = os.path.join(job["out_dir"], job["file"])
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, out)
    return job["file"], len(text.encode("utf-8")), problem


def _read(path: str):
    """The activity of ``path`` (a zip member as ``ZIP!/MEMBER``), as runlens.analyze reads it."""
    from ...io import read
    from ...io.archive import open_in_archive

    inside = open_in_archive(path)
    if inside is None:
        return read(path)
    import io

    stream = io.BytesIO(inside[1])
    stream.name = inside[0]
    return read(stream)


def _body(job: dict[str, Any]) -> tuple[str, str]:
    """The page's HTML, from the file read again (as ``runlens analyze`` reads it)."""
    from ...metrics import activity_metrics, lap_metrics

    units = job["units"]
    act = _read(job["path"])
    rec = act.records
    off = job.get("utc_offset_s") or 0
    t0 = rec.index[0] if len(rec) else None
    start_local = (t0 + _td(off)).strftime("%A %d %B %Y, %H:%M") if t0 is not None else ""
    title = f"{job['name']}: {job['date']}"
    device = act.device.name
    head = (
        f'<nav class="pn muted">{_link(job.get("prev"), "&larr; ")}{_link(job.get("next"), "", " &rarr;")}</nav>'
        f'<section><div class="headline">{esc(job["name"])}</div>'
        f'<div class="muted">{esc(start_local)} (local time) &middot; {esc(os.path.basename(job["path"]))}'
        f'{" &middot; " + esc(device) if device else ""}</div>{_verdict(job["findings"])}</section>'
    )
    summary = _summary_table(activity_metrics(act), act.device_summary or {}, units)
    route = _route_svg(rec, job["findings"], off)
    top = (
        f'<div class="grid2"><section><h2>Summary beside the watch</h2>{summary}</section>'
        f'<section class="route"><h2>Route</h2>{route}</section></div>'
    )
    panels, n_panels = _panels(rec, job["findings"], off, units)
    charts = (
        f'<div class="grid2"><section><h2>The run over time</h2>'
        f'<p class="muted">Shaded: the stretch each finding is about, red for a flag, amber for '
        f"a note. Drag to zoom, double-click to reset; all panels share the time axis.</p>"
        f"{panels}</section>"
        f'<section><h2>Findings and their evidence</h2>{_findings_html(job["findings"], job)}'
        "</section></div>"
    )
    laps = _laps_html(lap_metrics(act), units)
    splits = _splits_html(act, units)
    zones = _zones_html(rec, job["zones"], units)
    body = head + top + charts + laps + splits + zones + caveats_html()
    return body, title


def _td(s):
    import pandas as pd

    return pd.Timedelta(seconds=float(s))


def _link(target, before="", after=""):
    if not target:
        return "<span></span>"
    return f'<a href="{esc(os.path.basename(target[0]))}">{before}{esc(target[1])}{after}</a>'


def _verdict(findings: list[dict]) -> str:
    """One line under the run's name: its flags and its notes, counted apart."""
    parts = []
    for sev in SHOWN:
        fs = [f for f in findings if f.get("severity") == sev]
        if fs:
            names = ", ".join(dict.fromkeys(rule_name(f["rule"]) for f in fs))
            parts.append(
                f'<span class="pill {sev}">{len(fs)} {sev}{"s" if len(fs) > 1 else ""}</span> '
                f"{esc(names)}"
            )
    if not parts:
        return (
            '<p><span class="pill clean">nothing found</span> No flags or notes on this '
            "run's form.</p>"
        )
    return "<p>" + " &nbsp; ".join(parts) + "</p>"


def _rule_name(rule: str) -> str:
    """The rule's name for the runner (runlens.report.vocab)."""
    return rule_name(rule)


def _summary_table(ours: dict, watch: dict, units: str) -> str:
    if not any(_ok(v) for v in (watch or {}).values()):
        rows = [
            f'<tr><td class="l">{label}</td><td>{esc(fmt(ours.get(key), units))}</td></tr>'
            for key, label, fmt in SUMMARY_ROWS
            if _ok(ours.get(key))
        ]
        return (
            '<table><thead><tr><th class="l">metric</th><th>runlens (from the samples)</th>'
            f'</tr></thead><tbody>{"".join(rows)}</tbody></table><p class="muted">This file '
            "carries no summary of the watch's own (GPX and TCX files seldom do), so there is "
            "nothing to set beside runlens' numbers.</p>"
        )
    rows = []
    for key, label, fmt in SUMMARY_ROWS:
        a, b = ours.get(key), watch.get(key)
        if not _ok(a) and not _ok(b):
            continue
        rows.append(
            f'<tr><td class="l">{label}</td><td>{esc(fmt(a, units) if _ok(a) else "-")}</td>'
            f'<td>{esc(fmt(b, units) if _ok(b) else "-")}</td></tr>'
        )
    return (
        '<table><thead><tr><th class="l">metric</th><th>runlens (from the samples)</th>'
        f'<th>the watch\'s own</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


# ----------------------------------------------------------------------------- route
def _stretch_masks(times_s: np.ndarray, findings: list[dict]) -> list[tuple[dict, np.ndarray]]:
    import pandas as pd

    out = []
    for f in findings:
        if f.get("severity") not in SHOWN:
            continue
        m = np.zeros(len(times_s), bool)
        for lo, hi in f.get("time_ranges") or []:
            a, b = pd.Timestamp(lo).timestamp(), pd.Timestamp(hi).timestamp()
            m |= (times_s >= a) & (times_s <= b)
        if m.any():
            out.append((f, m))
    return out


def _route_svg(rec, findings: list[dict], off: float) -> str:
    if "lat_deg" not in rec or "lon_deg" not in rec:
        return '<p class="muted">No route: no coordinates in this file.</p>'
    lat = rec["lat_deg"].to_numpy(float)
    lon = rec["lon_deg"].to_numpy(float)
    ok = np.isfinite(lat) & np.isfinite(lon) & ~((lat == 0) & (lon == 0))
    if ok.sum() < 2:
        return '<p class="muted">No route: no coordinates in this file.</p>'
    times = U.index_seconds(rec.index)[ok] if hasattr(U, "index_seconds") else None
    lat, lon = lat[ok], lon[ok]
    k = max(1, len(lat) // 1200)
    lat0 = np.deg2rad(np.nanmean(lat))
    x = lon * np.cos(lat0) * 111_320.0
    y = -lat * 110_540.0
    x0, y0 = x.min(), y.min()
    w, h = max(x.max() - x0, 1.0), max(y.max() - y0, 1.0)
    size = 400.0
    s = size / max(w, h)
    pad = 12.0
    X, Y = (x - x0) * s + pad, (y - y0) * s + pad
    vw, vh = w * s + 2 * pad, h * s + 2 * pad

    def poly(mask, colour, width):
        idx = np.flatnonzero(mask)
        if len(idx) < 2:
            return ""
        parts, out = np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1), []
        for seg in parts:
            seg = seg[::k] if len(seg) > 2 * k else seg
            pts = " ".join(f"{X[i]:.1f},{Y[i]:.1f}" for i in seg)
            out.append(
                f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="{width}" '
                'stroke-linejoin="round" stroke-linecap="round"/>'
            )
        return "".join(out)

    svg = [poly(np.ones(len(X), bool), "#1d3557", 2.5)]
    stretches: set[str] = set()
    if times is not None:
        for f, m in _stretch_masks(times, findings):
            sev = f["severity"]
            svg.append(
                f"<g><title>{esc(sev)}: {esc(_rule_name(f['rule']))}</title>"
                f"{poly(m, COLOURS[sev], 5)}</g>"
            )
            stretches.add(sev)
    # the finish as a ring under the start's dot: a loop ends where it began
    svg.append(
        f'<circle cx="{X[-1]:.1f}" cy="{Y[-1]:.1f}" r="8" fill="none" stroke="#111" '
        'stroke-width="2.5"><title>finish</title></circle>'
    )
    svg.append(f'<circle cx="{X[0]:.1f}" cy="{Y[0]:.1f}" r="5" fill="#2e7d32"><title>start</title></circle>')
    legend = (
        '<p class="muted">Drawn from the file\'s coordinates (no map tiles, nothing fetched): '
        '<span style="color:#2e7d32">&#9679;</span> start, &#9675; finish'
        + (', <span style="color:#c62828">red</span>: a flag\'s stretch' if "flag" in stretches else "")
        + (', <span style="color:#ef8f00">amber</span>: a note\'s stretch' if "note" in stretches else "")
        + "</p>"
    )
    return (
        f'<svg viewBox="0 0 {vw:.0f} {vh:.0f}" xmlns="http://www.w3.org/2000/svg" '
        f'role="img" aria-label="route">{"".join(svg)}</svg>{legend}'
    )


# ----------------------------------------------------------------------------- panels
def _binned(t: np.ndarray, cols: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Means over bins of ``k`` samples so that a panel has at most MAX_POINTS points."""
    n = len(t)
    k = int(np.ceil(n / MAX_POINTS)) if n > MAX_POINTS else 1
    if k == 1:
        return t, cols
    m = n // k * k
    tb = t[:m].reshape(-1, k)[:, 0]
    out = {}
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            for c, v in cols.items():
                out[c] = np.nanmean(v[:m].reshape(-1, k), axis=1)
    return tb, out


def _json_list(y: np.ndarray, digits: int, scale: int = 1) -> list:
    """Rounded values for JSON, None where missing (vectorised: a page has ~10,000)."""
    ok = np.isfinite(y)
    r = np.round(y, digits) * scale
    vals = r.astype(np.int64).tolist() if digits == 0 else r.tolist()
    if ok.all():
        return vals
    return [v if k else None for v, k in zip(vals, ok.tolist())]


def _panels(rec, findings: list[dict], off: float, units: str) -> tuple[str, int]:
    import pandas as pd

    if not len(rec):
        return "<p>No samples in this file.</p>", 0
    t = U.index_seconds(rec.index)
    cols = {}
    if "speed_m_s" in rec:
        v = rec["speed_m_s"].to_numpy(float)
        per = U.METRES_PER_MILE if units == "imperial" else 1000.0
        with np.errstate(all="ignore"):
            pace = np.where(v > 1.0, per / v, np.nan)  # s per km (mile); stopped: gap
        cols["pace"] = pace
    for c, *_ in PANELS[1:]:
        if c in rec and np.isfinite(rec[c].to_numpy(float)).any():
            cols[c] = rec[c].to_numpy(float)
    if not cols:
        return "<p>No channels to draw.</p>", 0
    tb, cols = _binned(t, cols)
    # local clock time on the axis: one list of whole seconds from the start, shared by
    # every panel (the page script adds the start, in ms, as Plotly's date axis wants)
    t_first = float(tb[0])
    x = np.round(tb - t_first).astype(int).tolist()
    x0_ms = int(round((t_first + off) * 1000))
    shown = [p for p in PANELS if p[0] in cols and np.isfinite(cols[p[0]]).any()]
    n = len(shown)
    gap = 0.025
    hgt = (1.0 - gap * (n - 1)) / n
    data, layout = [], {
        "margin": {"l": 64, "r": 12, "t": 8, "b": 36},
        "showlegend": False,
        "hovermode": "x unified",
        "plot_bgcolor": "#fff",
        "font": {"size": 11},
    }
    for i, (c, label, unit, fmt) in enumerate(shown):
        ax = "" if i == 0 else str(i + 1)
        top = 1.0 - i * (hgt + gap)
        y = cols[c]
        nd = 0 if c == "pace" else (2 if c == "step_length_m" else 1)
        ylist = _json_list(y, nd, 1000 if c == "pace" else 1)
        trace = {
            "type": "scatter",
            "mode": "lines",
            "y": ylist,
            "name": label,
            "xaxis": f"x{ax}",
            "yaxis": f"y{ax}",
            "line": {"width": 1.3, "color": "#1d3557"},
            "connectgaps": False,
        }
        yaxis: dict[str, Any] = {
            "domain": [max(top - hgt, 0), top],
            "title": {"text": f"{label}<br>{unit}" if unit else label, "font": {"size": 11}},
            "gridcolor": "#eceff3",
            "zeroline": False,
        }
        if c == "pace":
            trace["hovertemplate"] = "%{y|%M:%S}" + (" /mi" if units == "imperial" else " /km")
            yaxis.update(type="date", tickformat="%M:%S", autorange="reversed")
            yaxis["title"]["text"] = "Pace<br>" + ("min/mi" if units == "imperial" else "min/km")
            lo, hi = np.nanpercentile(y, [2, 98]) if np.isfinite(y).any() else (0, 1)
            yaxis["range"] = [hi * 1000 + 15000, max(lo * 1000 - 15000, 0)]
            yaxis.pop("autorange")
        else:
            trace["hovertemplate"] = "%{y:" + fmt + "} " + unit
        data.append(trace)
        layout[f"yaxis{ax}"] = yaxis
        layout[f"xaxis{ax}"] = {
            "anchor": f"y{ax}",
            "type": "date",
            "matches": "x" if i else None,
            "showticklabels": i == n - 1,
            "tickformat": "%H:%M",
            "gridcolor": "#eceff3",
        }
        if not i:
            layout["xaxis"].pop("matches")
    shapes = []
    for f in findings:
        sev = f.get("severity")
        if sev not in SHOWN:
            continue
        for lo, hi in f.get("time_ranges") or []:
            a = (pd.Timestamp(lo) + _td(off)).strftime("%Y-%m-%dT%H:%M:%S")
            b = (pd.Timestamp(hi) + _td(off)).strftime("%Y-%m-%dT%H:%M:%S")
            shapes.append(
                {
                    "type": "rect",
                    "xref": "x",
                    "yref": "paper",
                    "x0": a,
                    "x1": b,
                    "y0": 0,
                    "y1": 1,
                    "fillcolor": COLOURS[sev],
                    "opacity": 0.14 if sev == "flag" else 0.18,
                    "line": {"width": 0},
                    "layer": "below",
                    "name": f"{sev}: {f['rule']}",
                }
            )
            layout.setdefault("annotations", []).append(
                {
                    "x": a,
                    "y": 1,
                    "xref": "x",
                    "yref": "paper",
                    "text": f"{_rule_name(f['rule'])} ({sev})",
                    "showarrow": False,
                    "xanchor": "left",
                    "yanchor": "top",
                    "font": {"color": COLOURS[sev], "size": 11},
                }
            )
    layout["shapes"] = shapes
    height = 40 + 120 * n
    fig = {"data": data, "layout": layout, "x_s": x, "x0_ms": x0_ms}
    return chart("panels", fig, height), n


# ----------------------------------------------------------------------------- findings
def _fmt_value(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}"
    return str(v)


def _kv(d: dict, units: str = "metric") -> list[str]:
    """Evidence values in the words of ``runlens analyze -v`` (units from the key names)."""
    try:
        from ..analysis import _readable
    except ImportError:  # wording moved: fall back to the bare keys
        _readable = None
    out = []
    for k, v in (d or {}).items():
        if _readable is not None:
            label, text = _readable(k, v, units)
            out.append(f"{label} {text}")
        else:
            out.append(f"{_rule_name(k)} {_fmt_value(v)}")
    return out


def _findings_html(findings: list[dict], job: dict) -> str:
    """Each flag, then each note, with its evidence (values, threshold, basis, source)."""
    import pandas as pd

    shown = sorted(
        (f for f in findings if f.get("severity") in SHOWN),
        key=lambda f: SHOWN.index(f["severity"]),
    )
    if not shown:
        return "<p>No flags or notes on this run's form.</p>"
    units = job["units"]
    off = job.get("utc_offset_s") or 0
    out = [
        '<p class="muted"><span class="pill flag">flag</span> a study in runners supports the '
        "threshold and the value passed it by more than its uncertainty; "
        '<span class="pill note">note</span> worth a look, on weaker evidence. Neither is a '
        "diagnosis.</p>"
    ]
    for f in shown:
        sev = f["severity"]
        conf = f.get("confidence")
        conf = f"{conf:.0%}" if isinstance(conf, (int, float)) else (conf or "unknown")
        when = ", ".join(
            f"{(pd.Timestamp(a) + _td(off)):%H:%M}-{(pd.Timestamp(b) + _td(off)):%H:%M}"
            for a, b in f.get("time_ranges") or []
        )
        rows = [
            ("what was seen", _kv(f.get("values"), units)),
            ("compared with", _kv(f.get("threshold"), units)),
            ("judged against", plain(localise(f.get("basis") or "", units))),
            ("source", plain(f.get("source") or "")),
            ("how sure", conf),
        ]
        if when:
            rows.insert(0, ("when (local)", when))
        if f.get("suggestion"):
            rows.append(("to try", plain(localise(f["suggestion"], units))))
        tbl = "".join(
            f'<tr><td class="l"><b>{esc(k)}</b></td><td class="wrap">'
            f'{"<br>".join(map(esc, v)) if isinstance(v, list) else esc(v)}</td></tr>'
            for k, v in rows
            if v
        )
        out.append(
            f'<div class="finding {esc(sev)}" data-rule="{esc(f.get("rule"))}" '
            f'data-severity="{esc(sev)}"><span class="pill {esc(sev)}">{esc(sev)}</span> '
            f'<b>{esc(_rule_name(f.get("rule")))}</b>'
            f"<p>{esc(plain(localise(f.get('message') or '', units)))}</p><table>{tbl}</table></div>"
        )
    return "".join(out)


# ----------------------------------------------------------------------------- laps, splits
def _table(head: list[str], rows: list[list[str]]) -> str:
    th = "".join(f"<th{' class=l' if i == 0 else ''}>{esc(h)}</th>" for i, h in enumerate(head))
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _f(v, spec, unit=""):
    try:
        v = float(v)
    except (TypeError, ValueError):
        return "-"
    return "-" if not np.isfinite(v) else f"{v:{spec}}{unit}"


def _laps_html(laps, units: str) -> str:
    if laps is None or not len(laps):
        return "<section><h2>Laps</h2><p>No laps in this file.</p></section>"
    rows = []
    for _, r in laps.iterrows():
        rows.append(
            [
                str(r.get("lap")),
                U.format_distance(r.get("distance_m"), units),
                U.format_duration(r.get("timer_s")),
                U.format_pace(r.get("avg_speed_m_s"), units),
                _f(r.get("heart_rate_bpm"), ".0f"),
                _f(r.get("cadence_spm"), ".0f"),
                _f(r.get("ground_contact_ms"), ".0f"),
                U.format_oscillation(r.get("vertical_oscillation_mm"), units)
                if _ok(r.get("vertical_oscillation_mm"))
                else "-",
                _f(r.get("device_cadence_spm"), ".0f"),
                _f(r.get("device_heart_rate_bpm"), ".0f"),
            ]
        )
    head = ["lap", "distance", "time", "pace", "HR bpm", "steps/min", "contact ms",
            "oscillation", "watch steps/min", "watch HR"]
    return f"<section><h2>Laps</h2>{_table(head, rows)}</section>"


def _splits_html(activity, units: str) -> str:
    from ...metrics import km_splits

    imperial = units == "imperial"
    word = "Mile splits" if imperial else "Kilometre splits"
    try:
        splits = km_splits(activity, split_m=U.METRES_PER_MILE if imperial else 1000.0)
    except (ValueError, KeyError):  # no distance to split
        splits = None
    if splits is None or not len(splits):
        return f"<section><h2>{word}</h2><p>No splits: no distance in this file.</p></section>"
    rows = []
    for _, r in splits.iterrows():
        t, d = r.get("split_timer_s"), (r.get("end_m") or 0) - (r.get("start_m") or 0)
        sp = d / t if _ok(t) and t > 0 else None
        rows.append(
            [
                f"{int(r['split'])}{'' if r.get('complete', True) else ' (part)'}",
                U.format_duration(t),
                U.format_pace(sp, units),
                _f(r.get("heart_rate_bpm"), ".0f"),
                _f(r.get("cadence_spm"), ".0f"),
                U.format_step(r.get("step_length_m"), units) if _ok(r.get("step_length_m")) else "-",
                _f(r.get("ground_contact_ms"), ".0f"),
                U.format_elevation(r.get("ascent_m"), units) if _ok(r.get("ascent_m")) else "-",
            ]
        )
    head = ["split", "time", "pace", "HR bpm", "steps/min", "step", "contact ms", "ascent"]
    return f"<section><h2>{word}</h2>{_table(head, rows)}</section>"


# ----------------------------------------------------------------------------- zones
def _zones_html(rec, zones: dict, units: str) -> str:
    if not len(rec):
        return ""
    t = U.index_seconds(rec.index)
    dt = np.diff(t, append=t[-1])
    dt = np.where((dt > 0) & (dt <= MAX_GAP_S), dt, 0.0)
    parts = []
    for key, col in (("hr", "heart_rate_bpm"), ("pace", "speed_m_s")):
        z = zones.get(key)
        if z is None:
            parts.append(f"<p>{esc(zones.get(key + '_why') or 'No zones.')}</p>")
            continue
        if col not in rec or not np.isfinite(rec[col].to_numpy(float)).any():
            parts.append(f"<p>{esc(z['title'])}: no {'heart rate' if key == 'hr' else 'speed'} in this file.</p>")
            continue
        v = rec[col].to_numpy(float)
        edges = np.asarray(z["edges"], float)  # lower edges of zones 2..5
        ok = np.isfinite(v)
        idx = np.searchsorted(edges, v[ok], side="right")
        secs = np.bincount(idx, weights=dt[ok], minlength=len(edges) + 1)
        total = secs.sum() or 1.0
        rows = []
        for i, s in enumerate(secs):
            rows.append(
                f"<tr><td class=l>{esc(z['names'][i])}</td><td>{esc(z['labels'][i])}</td>"
                f"<td>{U.format_duration(s)}</td><td>{s / total:.0%}</td>"
                f'<td class=l><span style="display:inline-block;height:10px;width:{200 * s / total:.0f}px;'
                f'background:#1d3557"></span></td></tr>'
            )
        parts.append(
            f"<h3>{esc(z['title'])}</h3><p class=muted>{esc(z['source'])}</p>"
            f"<table><thead><tr><th class=l>zone</th><th>range</th><th>time</th><th>share</th>"
            f"<th class=l></th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )
    return f"<section><h2>Time in zones</h2>{''.join(parts)}</section>"
