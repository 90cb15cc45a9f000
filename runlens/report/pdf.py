"""The weekly report: one multi-page PDF (matplotlib PdfPages), headless.

Pages, in order:

1. Summary: totals of the period and the weekly chart
   (:func:`runlens.report.charts.weekly.weekly_figure`).
2. One page per week with at least one run: its days, its runs (distance,
   time, pace, heart rate, step rate, load, distance against the longest run
   of 30 days, flags / notes), the volume findings of the week and the form
   findings of its runs as sentences (what was seen with its numbers, what it
   was compared with, what to try); what does not fit continues on the next
   page, nothing is cut.
3. With a pain diary: a timeline of pain against daily load and flagged runs,
   then the pain report (docs/pain.md).
4. What runlens must tell its user (runlens.caveats, evidence.md section 7),
   the acute:chronic caveat, how form is matched for pace, and what was
   assumed.

Same input, same bytes: no creation date, no producer version in the file.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import RunlensError

if TYPE_CHECKING:
    from ..findings import Finding
    from .charts.data import ChartData

__all__ = ["Report", "write_report"]

#: Lines of text that fit the findings area of a week page.
#: Font size of the findings text, pt, and its line spacing.
FINDING_PT = 9.0
LINE_SPACING = 1.3
WRAP = 150


@dataclass
class Report:
    """What a report holds.

    Attributes
    ----------
    path : Path
    pages : int
    week_pages : list of str
        ISO first days of the weeks that got a page, in order.
    flagged_weeks : list of str
        Weeks drawn as flagged on the summary chart.
    week_findings : dict
        Week -> rules of the findings written on its page (volume and form).
    pain_page : bool
        Whether the pain diary pages (timeline and runlens.pain report) were written.
    continued : dict
        Week -> continuation pages its findings needed (nothing is cut).
    headline : str
        The summary page's title (weeks, runs, flagged weeks, form-flagged runs).
    """

    path: Path
    pages: int = 0
    week_pages: list[str] = field(default_factory=list)
    flagged_weeks: list[str] = field(default_factory=list)
    week_findings: dict[str, list[str]] = field(default_factory=dict)
    pain_page: bool = False
    continued: dict[str, int] = field(default_factory=dict)
    headline: str = ""


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        if not np.isfinite(v):
            return "-"
        return f"{v:.3g}" if abs(v) < 100 else f"{v:.0f}"
    if isinstance(v, (list, tuple)):
        return "-".join(_fmt(x) for x in v)
    return str(v)


def _evidence_line(f: Finding) -> str:
    ev = f.evidence
    vals = ", ".join(f"{k} {_fmt(v)}" for k, v in ev.values.items() if k not in ("week",))
    thr = ", ".join(f"{k} {_fmt(v)}" for k, v in ev.threshold.items())
    parts = [p for p in (f"seen: {vals}" if vals else "", f"threshold: {thr}" if thr else "") if p]
    src = f"source: {ev.source}" if ev.source else ""
    basis = f"basis: {ev.basis}" if ev.basis else ""
    return "; ".join(p for p in (*parts, basis, src) if p)


def _short(name: str, n: int) -> str:
    """``name`` cut in the middle to ``n`` characters (the end of a file name matters)."""
    return name if len(name) <= n else name[: n // 2 - 1] + "..." + name[-(n - n // 2 - 2) :]


def _finding_lines(f: Finding, who: str = "", units: str = "metric") -> list[str]:
    """A finding as sentences: what it is and how sure, what was seen (its numbers are in
    the message, shown in ``units``), what it was compared with, what to try. The raw
    evidence is in --json."""
    from .analysis import _name, _try
    from .vocab import localise

    conf = f.confidence if isinstance(f.confidence, str) else f"{f.confidence:.0%} sure"
    label = {"flag": "Flag", "note": "Note", "info": "Not judged"}.get(f.severity, f.severity)
    out = [f"{label}: {_name(f.to_dict())}{who} ({conf})"]
    body = f.message
    if f.evidence.basis:
        body += f" Compared with {f.evidence.basis}."
    out += ["    " + s for s in textwrap.wrap(localise(body, units), WRAP)]
    t = _try(f.to_dict())
    if t:
        t = localise("What to try: " + t[0].lower() + t[1:], units)
        out += ["    " + s for s in textwrap.wrap(t, WRAP)]
    return out


def _rich(ax, items: list[tuple[str, bool]], size: float = 9.5) -> None:
    """Lines top-down in ``ax``; ``(text, bold)`` pairs, bold ones are headings."""
    ax.axis("off")
    step = size * 1.45 / (ax.get_position().height * ax.figure.get_figheight() * 72)
    y = 1.0
    for text, bold in items:
        if text:
            ax.text(
                0.0,
                y,
                text,
                transform=ax.transAxes,
                ha="left",
                va="top",
                fontsize=size,
                fontweight="bold" if bold else "normal",
            )
        y -= step * (1.25 if bold else 1.0)


def _label(ax, title: str) -> None:
    """A left title over a text-only axes, as ``set_title(loc="left")`` draws it.

    ``set_title`` places the title above the axes' tick labels, which costs a
    tight bounding box of both axes on every draw, though these axes have none.
    """
    import matplotlib as mpl

    ax.annotate(
        title, (0.0, 1.0), xycoords="axes fraction", xytext=(0, mpl.rcParams["axes.titlepad"]),
        textcoords="offset points", ha="left", va="baseline",
        fontsize=mpl.rcParams["axes.titlesize"], fontweight=mpl.rcParams["axes.titleweight"],
        color=mpl.rcParams["axes.titlecolor"]
        if mpl.rcParams["axes.titlecolor"] != "auto" else mpl.rcParams["text.color"],
    )  # fmt: skip


def _text(ax, lines: list[str], size: float = 8.0, top: float = 1.0) -> None:
    ax.axis("off")
    ax.text(
        0.0,
        top,
        "\n".join(lines),
        transform=ax.transAxes,
        ha="left",
        va="top",
        fontsize=size,
        linespacing=LINE_SPACING,
    )


def _summary_page(data: ChartData, metric: str):
    from .charts._style import new_figure
    from .charts.weekly import weekly_figure

    h = data.history
    a = h.acts
    weeks = data.weeks
    first, last = weeks["week"].min(), weeks["week"].max()
    fig = new_figure(11.69, 8.27)
    fig, res = weekly_figure(data, metric, fig=fig)
    from ..units import format_distance

    dist = format_distance(float(a["distance_m"].sum()), data.units)
    hours = float(a["moving_s"].sum()) / 3600.0
    sevs = [{f.severity for f in data.run_findings.get(p, [])} for p in a["path"]]
    form_flagged = sum("flag" in s for s in sevs)
    form_noted = sum("flag" not in s and "note" in s for s in sevs)
    fig.suptitle(
        f"runlens weekly report, weeks of {first.date()} to {last.date()}\n"
        f"{len(a)} runs, {dist}, {hours:.1f} h moving; "
        f"{form_flagged} run{'s' if form_flagged != 1 else ''} with form flags"
        + (f", {form_noted} with form notes" if form_noted else "")
        + "; volume: "
        f"{len(res.flagged_weeks)} week{'s' if len(res.flagged_weeks) != 1 else ''} flagged, "
        f"{len(res.noted_weeks)} noted",
        fontsize=12,
        fontweight="bold",
    )
    return fig, res


def _week_page(data: ChartData, row, acts, findings, run_findings):
    import pandas as pd

    from ..units import format_distance, format_duration, format_pace
    from .charts._style import PALETTE, new_figure
    from .vocab import distance_unit, distance_value, localise

    units = data.units
    du = distance_unit(units)
    wk = pd.Timestamp(row["week"])
    fig = new_figure(11.69, 8.27, layout=None)  # fixed boxes: quicker than a layout engine
    ax_d = fig.add_axes((0.06, 0.71, 0.46, 0.21))
    ax_s = fig.add_axes((0.58, 0.71, 0.40, 0.21))
    # the table takes the rows it needs; the findings get the rest of the page
    t_h = 0.028 * (len(acts) + 2) + 0.01
    ax_t = fig.add_axes((0.03, 0.62 - t_h, 0.94, t_h))
    f_top = 0.62 - t_h - 0.045
    ax_f = fig.add_axes((0.03, 0.015, 0.94, f_top - 0.015))
    fig.suptitle(
        f"Week of {wk:%A %d %B %Y} ({len(acts)} run{'s' if len(acts) != 1 else ''})",
        fontsize=12,
        fontweight="bold",
    )

    # Days of the week: distance per day, spike runs hatched.
    days = pd.date_range(wk, periods=7, freq="D")
    spike_days = {f.evidence.values.get("date") for f in findings if f.rule == "session_spike"}
    per_day = acts.groupby("local_date")["distance_m"].sum().reindex(days, fill_value=0.0)
    for i, (d, v) in enumerate(per_day.items()):  # seven bars
        hot = d.date().isoformat() in spike_days
        ax_d.bar(
            i,
            distance_value(v, units),
            width=0.7,
            color=PALETTE["bar_flag"] if hot else PALETTE["bar"],
            hatch="///" if hot else None,
            edgecolor="black" if hot else "#4d6382",
            linewidth=0.6,
        )
    ax_d.set_xticks(range(7), [f"{d:%a}\n{d:%d %b}" for d in days])
    ax_d.set_ylabel(f"distance ({du})")
    ax_d.set_title("Distance per day (hatched: session spike)")
    ax_d.set_ylim(0, max(1.0, distance_value(float(per_day.max()), units) * 1.2))

    # Week numbers.
    def val(c, fmt, scale=1.0):
        v = row.get(c, np.nan)
        return fmt.format(v * scale) if v is not None and np.isfinite(v) else "-"

    lines = [
        f"distance      {val('distance_m', '{:.1f} ' + du, distance_value(1.0, units))}",
        f"moving time   {format_duration(row.get('moving_s'))}",
        f"TRIMP         {val('trimp', '{:.0f} AU')}",
        f"change        {val('change_pct', '{:+.0f} %')} distance on the week before",
        f"ratio         {val('acwr', '{:.2f}')} acute:chronic at the week's end, "
        f"peak {val('acwr_max', '{:.2f}')}",
        f"monotony      {val('monotony', '{:.2f}')} (mean / SD of daily load, Foster 1998)",
    ]
    if row.get("history_days", 99) < 28:
        lines.append(
            f"history       {max(0.0, row.get('history_days', 0) or 0):.0f} days before this week, "
            "weekly change not judged"
        )
    _label(ax_s, "This week")
    _text(ax_s, lines, size=9.0, top=0.95)
    for t in ax_s.texts:
        t.set_family("DejaVu Sans Mono")

    # Runs table.
    ax_t.axis("off")
    _label(ax_t, "Runs")
    cols = [
        "day",
        "start",
        "distance",
        "moving time",
        "pace",
        "heart rate",
        "step rate",
        "TRIMP",
        "vs 30-d longest",
        "flags / notes",
        "activity",
    ]
    cells = []
    for r in acts.itertuples(index=False):  # one row per run of the week
        start = pd.Timestamp(r.start_s, unit="s") + pd.Timedelta(
            seconds=0 if pd.isna(r.utc_offset_s) else float(r.utc_offset_s)
        )
        mv = float(r.moving_s) if r.moving_s is not None and np.isfinite(r.moving_s) else np.nan
        speed = r.distance_m / mv if mv and np.isfinite(mv) and mv > 0 else None
        hr = getattr(r, "heart_rate_bpm", None)
        cad = getattr(r, "cadence_spm", None)
        sr = r.spike_ratio
        cells.append(
            [
                f"{r.local_date:%a %d %b}",
                f"{start:%H:%M}",
                format_distance(r.distance_m, units),
                format_duration(mv),
                format_pace(speed, units),
                f"{hr:.0f} bpm" if hr is not None and np.isfinite(hr) else "-",
                f"{cad:.0f} spm" if cad is not None and np.isfinite(cad) else "-",
                f"{r.trimp:.0f}" if np.isfinite(r.trimp) else "-",
                f"{sr * 100:+.0f} %" if sr is not None and np.isfinite(sr) else "-",
                "{} / {}".format(
                    *(sum(f.severity == k for f in run_findings.get(r.path, []))
                      for k in ("flag", "note"))
                ),  # fmt: skip
                _short(data.names.get(str(r.path)) or Path(str(r.path)).name, 30),
            ]
        )
    if cells:
        _runs_table(ax_t, cols, cells, row_frac=0.028 / t_h)

    # Findings as sentences: flags first, then notes, then what could not be judged.
    # Nothing is cut: what does not fit goes on a continuation page of the week.
    rank = {"flag": 0, "note": 1, "info": 2}
    items = [(f, "") for f in findings if f.rule != "volume_history"]
    for r in acts.itertuples(index=False):
        name = data.names.get(str(r.path))
        who = f", run of {r.local_date:%a %d %b}" + (f' "{name}"' if name else "")
        items += [(f, who) for f in run_findings.get(r.path, [])]
    items.sort(key=lambda it: rank.get(it[0].severity, 3))  # stable: week order kept
    from .analysis import _headline, _name

    blocks, unjudged = [], {}
    for f, who in items:
        if f.severity == "info":  # one line per rule and reason, its runs listed
            key = (_name(f.to_dict()), _headline(f.to_dict()))
            unjudged.setdefault(key, []).append(who.replace(", run of ", ""))
        else:
            blocks.append(_finding_lines(f, who, units) + [""])
    for (name, why), whos in unjudged.items():
        runs = [w for w in whos if w]
        where = f" (runs of {', '.join(runs)})" if runs else ""
        line = localise(f"Not judged: {name}{where}: {why}.", units)
        blocks.append(textwrap.wrap(line, WRAP, subsequent_indent="    "))
    info = [f for f in findings if f.rule == "volume_history"]
    tail = textwrap.wrap(localise("Note: " + info[0].message, units), WRAP) if info else []
    if not blocks:
        blocks = [["No volume or form finding this week."]]
    blocks.append(tail)

    def fit(height: float) -> int:  # lines: axes height / (size x spacing x 1.17 em)
        return int(height * 8.27 * 72 / (FINDING_PT * LINE_SPACING * 1.17)) - 1

    pages, cur, room = [], [], fit(f_top - 0.015)
    for b in blocks:
        if cur and len(b) > room:
            pages.append(cur)
            cur, room = [], fit(0.86)
        cur += b
        room -= len(b)
    pages.append(cur)
    title = "Findings (associations, not diagnoses; `runlens analyze FILE -v` shows the evidence)"
    _label(ax_f, title)
    _text(ax_f, pages[0], size=FINDING_PT, top=1.0)
    figs = [fig]
    for k, lines in enumerate(pages[1:], 2):
        more = new_figure(11.69, 8.27, layout=None)
        more.suptitle(
            f"Week of {wk:%A %d %B %Y}, continued ({k} of {len(pages)})",
            fontsize=12, fontweight="bold",
        )  # fmt: skip
        ax = more.add_axes((0.03, 0.03, 0.94, 0.86))
        _label(ax, title)
        _text(ax, lines, size=FINDING_PT, top=1.0)
        figs.append(more)
    return figs


def _runs_table(ax, cols: list[str], cells: list[list[str]], row_frac: float) -> None:
    """A week's runs as a table of monospaced text lines: one text per row, columns
    padded to their widest value, the header shaded, thin rules between rows.

    A table artist draws every cell as a rectangle and a text of its own (two
    artists per cell, 11 cells a row); this draws one text per row and one line
    collection, which is most of what the report's pages cost to write.
    ``row_frac`` is a row's height as a fraction of the axes.
    """
    from matplotlib.patches import Rectangle

    widths = [max(len(c), *(len(r[j]) for r in cells)) for j, c in enumerate(cols)]

    def line(values: list[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()

    n = len(cells) + 1
    ax.add_patch(
        Rectangle(
            (0.0, 1.0 - row_frac), 1.0, row_frac, transform=ax.transAxes,
            facecolor="#e3e8ef", edgecolor="none",
        )
    )  # fmt: skip
    ax.hlines(
        [1.0 - k * row_frac for k in range(n + 1)], 0.0, 1.0,
        transform=ax.transAxes, colors="#9aa5b4", linewidth=0.4,
    )  # fmt: skip
    for k, values in enumerate([cols, *cells]):
        ax.text(
            0.005, 1.0 - (k + 0.5) * row_frac, " " + line(values),
            transform=ax.transAxes, va="center", ha="left", fontsize=8.5,
            family="DejaVu Sans Mono", fontweight="bold" if k == 0 else "normal",
        )  # fmt: skip


def _timeline_page(data: ChartData):
    """Pain against load and flags, day by day: diary severity, daily load, flagged runs."""
    import pandas as pd

    from .charts._style import PALETTE, new_figure
    from .charts.weekly import PAIN_COLOUR

    h = data.history
    daily = h.daily
    fig = new_figure(11.69, 8.27)
    ax_l, ax_p = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [2.2, 1.4]})
    fig.suptitle(
        "Pain against load and flags, day by day (association in one person's data, not cause)",
        fontsize=12, fontweight="bold",
    )  # fmt: skip
    x = pd.DatetimeIndex(daily.index)
    from .vocab import distance_unit, distance_value

    # the distance load is in km: shown in miles to a runner who reads miles
    k = distance_value(1000.0, data.units) if h.load_unit == "distance" else 1.0
    load = daily["load"].to_numpy(float) * k
    unit = {"distance": distance_unit(data.units), "moving_time": "min", "trimp": "TRIMP"}.get(
        h.load_unit, ""
    )
    ax_l.bar(x, load, width=0.8, color=PALETTE["bar"], edgecolor="#4d6382", linewidth=0.4,
             label=f"daily load ({unit})")  # fmt: skip
    ind = h.indicators
    if ind is not None and "acute" in ind:
        ax_l.plot(pd.DatetimeIndex(ind.index), ind["acute"].to_numpy(float) * k, color=PALETTE["line"],
                  linewidth=1.4, label="7-day load (EWMA)")  # fmt: skip
    top = float(np.nanmax(load)) if np.isfinite(load).any() else 1.0
    day_of = dict(zip(h.acts["path"], pd.DatetimeIndex(h.acts["local_date"])))
    marks = {"flag": ([], "v", PALETTE["bar_flag"]), "note": ([], "o", "#f2a64d")}
    for path, fs in data.run_findings.items():
        d = day_of.get(path)
        for sev in ("flag", "note"):
            if d is not None and any(f.severity == sev for f in fs):
                marks[sev][0].append(d)
    for f in data.findings:
        if f.severity in marks and f.evidence.values.get("date"):
            marks[f.severity][0].append(pd.Timestamp(f.evidence.values["date"]))
    for sev, (days, m, colour) in marks.items():
        if days:
            ax_l.plot(days, [top * (1.12 if sev == "flag" else 1.05)] * len(days), marker=m,
                      linestyle="none", color=colour, markeredgecolor="black", markersize=7,
                      label=f"run with a {sev} (form or volume)")  # fmt: skip
    ax_l.set_ylim(0, top * 1.38)  # room for the markers and the legend above the bars
    ax_l.set_ylabel(f"load ({unit})")
    ax_l.set_title("Training load and flagged runs", loc="left")
    ax_l.legend(loc="upper left", fontsize=8, ncol=4)
    pd_days = data.pain_days or []
    if pd_days:
        px = pd.DatetimeIndex([pd.Timestamp(d) for d, _ in pd_days])
        py = [v for _, v in pd_days]
        ax_p.vlines(px, 0, py, color=PAIN_COLOUR, linewidth=2.0)
        ax_p.plot(px, py, marker="P", linestyle="none", color=PAIN_COLOUR, markersize=7,
                  label="pain that day (0-10, diary)")  # fmt: skip
        ax_p.legend(loc="upper left", fontsize=8)
    for d, sev in data.pain or []:
        ax_l.axvline(pd.Timestamp(d), color=PAIN_COLOUR, linestyle=":", linewidth=1.0)
    ax_p.set_ylim(0, 10.5)
    ax_p.set_ylabel("pain (0-10)")
    ax_p.set_title("Pain diary (dotted lines above: an episode starts)", loc="left")
    return fig


#: Lines of the pain report on one page (at 8.5 pt); more go on a continuation page.
MAX_PAIN_LINES = 44


def _pain_pages(doc: dict, units: str = "metric") -> list:
    """The pain diary pages: `runlens pain report` of the whole history (docs/pain.md).

    Monospaced, since its comparison table is aligned by columns; nothing is cut.
    """
    from .charts._style import new_figure
    from .pain_text import pain_report_text as format_text
    from .vocab import localise

    lines: list[str] = []
    for line in localise(format_text(doc), units).splitlines():
        if line.startswith("Note: "):  # the caveats have their own page
            continue
        lines += textwrap.wrap(line, 140, subsequent_indent="      ") or [""]
    chunks = [lines[k : k + MAX_PAIN_LINES] for k in range(0, len(lines), MAX_PAIN_LINES)] or [[]]
    figs = []
    for n, chunk in enumerate(chunks, 1):
        fig = new_figure(11.69, 8.27, layout=None)
        ax = fig.add_axes((0.03, 0.02, 0.94, 0.88))
        more = f" ({n} of {len(chunks)})" if len(chunks) > 1 else ""
        fig.suptitle(
            "Pain diary: what came before each episode (whole history; association, not cause)"
            + more,
            fontsize=12,
            fontweight="bold",
            y=0.96,
        )
        _text(ax, chunk, size=8.5, top=1.0)
        for t in ax.texts:
            t.set_family("DejaVu Sans Mono")
        figs.append(fig)
    return figs


def _caveats_page(data: ChartData):
    from ..caveats import CAVEATS
    from .charts._style import new_figure
    from .charts.trends import MIN_BAND_MINUTES
    from .charts.weekly import ACWR_CAPTION

    fig = new_figure(11.69, 8.27, layout=None)
    ax = fig.add_axes((0.05, 0.03, 0.9, 0.86))
    fig.suptitle("What these pages can and cannot tell you", fontsize=13, fontweight="bold", y=0.96)
    W = 130
    items: list[tuple[str, bool]] = [("Read every finding with these in mind", True)]
    for i, c in enumerate(CAVEATS, 1):
        w = textwrap.wrap(c, W)
        items += [(f"{i}. {w[0]}", False), *(("    " + x, False) for x in w[1:])]
    items += [("", False), ("Acute:chronic ratio", True)]
    items += [(x, False) for x in textwrap.wrap(ACWR_CAPTION, W)]
    items += [("", False), ("Form at matched pace", True)]
    f = data.form
    breath = f is not None and "steps_per_breath" in f and bool(f["steps_per_breath"].notna().any())
    form = (
        "Cadence, step length, vertical oscillation and ground contact time "
        + ("(and steps per breath, from the watch's breathing rate) " if breath else "")
        + "change with speed, "
        "so weeks are compared within one pace band: the middle half (25th-75th percentile) of "
        "the speeds of all steady minutes of the period (speed >= 2 m/s, grade within 3 %, after "
        "the first 10 minutes of a run). Each week shows the median of its in-band minutes "
        f"(at least {MIN_BAND_MINUTES}), as % of the period's median. Values differ between "
        "sensors (wrist, chest strap, foot pod): do not compare across devices."
    )
    if data.form_source == "store":
        form += (
            " Here the form minutes come from the history store, which keeps cadence per steady "
            "minute: step length is speed x 60 / cadence; oscillation and contact time are "
            "shown only when the store keeps them."
        )
    items += [(x, False) for x in textwrap.wrap(form, W)]
    assumptions = list(getattr(data.history, "assumptions", []) or [])
    if assumptions:
        items += [("", False), ("What was assumed", True)]
        for a in assumptions:
            w = textwrap.wrap(a, W - 4)
            items += [(f"- {w[0]}", False), *(("  " + x, False) for x in w[1:])]
    if data.units == "imperial":
        from .vocab import localise

        items = [(localise(t, "imperial"), b) for t, b in items]
    _rich(ax, items, size=9.5)
    return fig


def write_report(data: ChartData, out: str | Path, metric: str = "distance") -> Report:
    """Write the weekly report PDF.

    Parameters
    ----------
    data : ChartData
        From :func:`runlens.report.charts.data.chart_data`.
    out : str or Path
        ``.pdf`` file.
    metric : {"distance", "time", "trimp"}
        Bars of the summary chart.

    Returns
    -------
    Report
        Pages = 1 (summary) + weeks with runs + 1 (pain diary, when
        ``data.pain_report`` is set) + 1 (caveats).
    """
    from matplotlib.backends.backend_pdf import PdfPages

    from .charts._style import PDF_METADATA, style

    p = Path(out)
    if p.suffix.lower() != ".pdf":
        raise RunlensError("the report is a PDF: give a .pdf file", path=str(p))
    if not p.parent.exists():
        raise RunlensError(f"folder {p.parent} does not exist", path=str(p))
    h = data.history
    report = Report(path=p)
    from ..atomic import atomic_output

    # Written to a temporary file renamed at the end: a failed write (a full
    # disk) leaves the previous report intact.
    with atomic_output(p) as tmp, style(), PdfPages(tmp, metadata=PDF_METADATA) as pdf:
        fig, res = _summary_page(data, metric)
        report.flagged_weeks = res.flagged_weeks
        report.headline = fig.get_suptitle()
        pdf.savefig(fig)
        report.pages += 1
        for _, row in data.weeks.iterrows():  # one page per week with runs
            if row["runs"] <= 0:
                continue
            iso = row["week"].date().isoformat()
            end = row["week"] + np.timedelta64(7, "D")
            acts = h.acts[(h.acts["local_date"] >= row["week"]) & (h.acts["local_date"] < end)]
            fs = [f for f in data.findings if f.evidence.values.get("week") == iso]
            pages = _week_page(data, row, acts, fs, data.run_findings)
            for page in pages:
                pdf.savefig(page)
                report.pages += 1
            if len(pages) > 1:
                report.continued[iso] = len(pages) - 1
            report.week_pages.append(iso)
            report.week_findings[iso] = [f.rule for f in fs] + [
                f.rule for p in acts["path"] for f in data.run_findings.get(p, [])
            ]
        if getattr(data, "pain_report", None):
            pdf.savefig(_timeline_page(data))
            report.pages += 1
            for page in _pain_pages(data.pain_report, data.units):
                pdf.savefig(page)
                report.pages += 1
            report.pain_page = True
        pdf.savefig(_caveats_page(data))
        report.pages += 1
    return report
