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
    if f.evidence.basis and f.evidence.basis not in body:  # once: most messages name it
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


#: A week page's boxes, figure fractions (left, bottom, width, height): the day bars,
#: the week's numbers; the runs table starts under them at TABLE_TOP, one row RUN_ROW high.
DAYS_BOX = (0.06, 0.71, 0.46, 0.21)
WEEK_BOX = (0.58, 0.71, 0.40, 0.21)
TABLE_LEFT, TABLE_WIDTH, TABLE_TOP, RUN_ROW = 0.03, 0.94, 0.62, 0.028
PAGE_IN = (11.69, 8.27)


def _flabel(fig, x: float, y: float, title: str, ha: str = "left"):
    """A left title at figure fraction ``(x, y)``, where ``set_title(loc="left")`` of an
    axes whose top left corner is there would put it (without an axes: a text-only
    box needs none, and an axes costs ticks to create and to measure)."""
    import matplotlib as mpl
    from matplotlib.transforms import ScaledTranslation

    rc = mpl.rcParams
    pad = ScaledTranslation(0, rc["axes.titlepad"] / 72, fig.dpi_scale_trans)
    colour = rc["axes.titlecolor"] if rc["axes.titlecolor"] != "auto" else rc["text.color"]
    return fig.text(
        x, y, title, transform=fig.transFigure + pad, ha=ha, va="baseline",
        fontsize=rc["axes.titlesize"], fontweight=rc["axes.titleweight"], color=colour,
    )  # fmt: skip


def _ftext(fig, x: float, y: float, lines: list[str], size: float = 8.0, mono: bool = False):
    """Lines of text from figure fraction ``(x, y)`` down, one text artist."""
    return fig.text(
        x, y, "\n".join(lines), ha="left", va="top", fontsize=size, linespacing=LINE_SPACING,
        family="DejaVu Sans Mono" if mono else None,
    )  # fmt: skip


class _WeekPages:
    """Draws the week pages on one figure, reused from week to week.

    The day-bar axes, its bars, ticks and labels are made once; each week sets the
    bars' heights and looks, the day names, the limits, and adds its texts, which are
    removed when the next week is drawn. A new figure and four axes a week (ticks
    made, laid out and measured each time) were most of what a week page cost.
    Continuation pages share a second figure the same way.
    """

    def __init__(self, data: ChartData):
        from matplotlib.ticker import FixedLocator, FuncFormatter

        from .charts._style import PALETTE, new_figure
        from .vocab import distance_unit

        self.data = data
        self.fig = new_figure(*PAGE_IN, layout=None)  # fixed boxes: quicker than a layout engine
        self.more = new_figure(*PAGE_IN, layout=None)
        self.days: list[str] = [""] * 7
        ax = self.fig.add_axes(DAYS_BOX)
        self.bars = ax.bar(
            range(7), [0.0] * 7, width=0.7, color=PALETTE["bar"], edgecolor="#4d6382",
            linewidth=0.6,
        )  # fmt: skip
        ax.xaxis.set_major_locator(FixedLocator(range(7)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: self.days[int(round(x)) % 7]))
        ax.set_ylabel(f"distance ({distance_unit(data.units)})")
        # the title where set_title puts it; set_title would measure the x tick labels
        # on every draw to keep clear of them, though they are below the axes
        x0, y0, w, h = DAYS_BOX
        _flabel(self.fig, x0 + w / 2, y0 + h, "Distance per day (hatched: session spike)", "center")
        self.ax = ax
        self.drawn: list = []

    def _clear(self) -> None:
        for artist in self.drawn:
            artist.remove()
        self.drawn = []

    def pages(self, row, acts, findings, run_findings):
        """The figures of one week's pages, in order; each is drawn over by the next
        week, so save it before asking for the next."""
        import pandas as pd
        from matplotlib.collections import LineCollection
        from matplotlib.patches import Rectangle

        from ..units import format_distance, format_duration, format_pace
        from .charts._style import PALETTE
        from .vocab import distance_unit, distance_value

        self._clear()
        data, fig = self.data, self.fig
        units = data.units
        du = distance_unit(units)
        wk = pd.Timestamp(row["week"])
        add = self.drawn.append
        add(fig.text(
            0.5, 0.98, f"Week of {wk:%A %d %B %Y} ({len(acts)} run{'s' if len(acts) != 1 else ''})",
            ha="center", va="top", fontsize=12, fontweight="bold",
        ))  # fmt: skip

        # Days of the week: distance per day, spike runs hatched.
        days = pd.date_range(wk, periods=7, freq="D")
        spike_days = {f.evidence.values.get("date") for f in findings if f.rule == "session_spike"}
        per_day = acts.groupby("local_date")["distance_m"].sum().reindex(days, fill_value=0.0)
        for bar, (d, v) in zip(self.bars, per_day.items()):  # seven bars
            hot = d.date().isoformat() in spike_days
            bar.set_height(distance_value(v, units))
            bar.set_facecolor(PALETTE["bar_flag"] if hot else PALETTE["bar"])
            bar.set_hatch("///" if hot else None)
            bar.set_edgecolor("black" if hot else "#4d6382")
        self.days[:] = [f"{d:%a}\n{d:%d %b}" for d in days]
        self.ax.set_ylim(0, max(1.0, distance_value(float(per_day.max()), units) * 1.2))

        # Week numbers.
        def val(c, fmt, scale=1.0):
            v = row.get(c, np.nan)
            return fmt.format(v * scale) if v is not None and np.isfinite(v) else "-"

        lines = [
            f"distance      {val('distance_m', '{:.1f} ' + du, distance_value(1.0, units))}",
            f"moving time   {format_duration(row.get('moving_s'))}",
            f"training load {val('trimp', '{:.0f}')} (TRIMP, Banister 1991): minutes of",
            "              running weighted by how hard the heart worked",
            f"change        {val('change_pct', '{:+.0f} %')} distance on the week before",
            f"ratio         {val('acwr', '{:.2f}')} acute:chronic at the week's end, "
            f"peak {val('acwr_max', '{:.2f}')}",
            f"monotony      {val('monotony', '{:.2f}')} (mean / SD of daily load, Foster 1998)",
        ]
        if row.get("history_days", 99) < 28:
            lines.append(
                f"history       {max(0.0, row.get('history_days', 0) or 0):.0f} days before this "
                "week, weekly change not judged"
            )
        x0, y0, w, h = WEEK_BOX
        add(_flabel(fig, x0, y0 + h, "This week"))
        add(_ftext(fig, x0, y0 + 0.95 * h, lines, size=9.0, mono=True))

        # Runs table: the rows it needs; the findings get the rest of the page.
        t_h = RUN_ROW * (len(acts) + 2) + 0.01
        add(_flabel(fig, TABLE_LEFT, TABLE_TOP, "Runs"))
        cols = [
            "day",
            "start",
            "distance",
            "moving time",
            "pace",
            "heart rate",
            "step rate",
            "load (TRIMP)",
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
                        *(
                            sum(f.severity == k for f in run_findings.get(r.path, []))
                            for k in ("flag", "note")
                        )
                    ),  # fmt: skip
                    _short(data.names.get(str(r.path)) or Path(str(r.path)).name, 30),
                ]
            )
        if cells:
            widths = [max(len(c), *(len(r[j]) for r in cells)) for j, c in enumerate(cols)]

            def line(values: list[str]) -> str:
                return " " + "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()

            # One text per row in a monospaced font, columns padded to their widest
            # value, the header shaded, one collection of rules: a table artist
            # draws a rectangle and a text for every cell.
            n = len(cells) + 1
            x, right = TABLE_LEFT, TABLE_LEFT + TABLE_WIDTH
            add(fig.add_artist(Rectangle(
                (x, TABLE_TOP - RUN_ROW), TABLE_WIDTH, RUN_ROW, transform=fig.transFigure,
                facecolor="#e3e8ef", edgecolor="none",
            )))  # fmt: skip
            ys = [TABLE_TOP - k * RUN_ROW for k in range(n + 1)]
            add(fig.add_artist(LineCollection(
                [((x, y), (right, y)) for y in ys], transform=fig.transFigure,
                colors="#9aa5b4", linewidths=0.4,
            )))  # fmt: skip
            for k, values in enumerate([cols, *cells]):
                add(fig.text(
                    x + 0.005 * TABLE_WIDTH, TABLE_TOP - (k + 0.5) * RUN_ROW, line(values),
                    va="center", ha="left", fontsize=8.5, family="DejaVu Sans Mono",
                    fontweight="bold" if k == 0 else "normal",
                ))  # fmt: skip

        # Findings as sentences: flags first, then notes, then what could not be judged.
        # Nothing is cut: what does not fit goes on a continuation page of the week.
        f_top = TABLE_TOP - t_h - 0.045
        pages = _finding_pages(data, acts, findings, run_findings, fit(f_top - 0.015))
        title = (
            "Findings (associations, not diagnoses; `runlens analyze FILE -v` shows the evidence)"
        )
        add(_flabel(fig, TABLE_LEFT, f_top, title))
        add(_ftext(fig, TABLE_LEFT, f_top, pages[0], size=FINDING_PT))
        yield fig
        for k, lines in enumerate(pages[1:], 2):
            self._clear()
            more = self.more
            add(more.text(
                0.5, 0.98, f"Week of {wk:%A %d %B %Y}, continued ({k} of {len(pages)})",
                ha="center", va="top", fontsize=12, fontweight="bold",
            ))  # fmt: skip
            add(_flabel(more, TABLE_LEFT, 0.89, title))
            add(_ftext(more, TABLE_LEFT, 0.89, lines, size=FINDING_PT))
            yield more


def _week_page(data: ChartData, row, acts, findings, run_findings):
    """One week's pages on a figure of their own (each is drawn over by the next: look
    at it before asking for the next)."""
    return _WeekPages(data).pages(row, acts, findings, run_findings)


def fit(height: float) -> int:
    """Lines of findings text in a box ``height`` (figure fraction) high:
    height / (size x spacing x 1.17 em)."""
    return int(height * PAGE_IN[1] * 72 / (FINDING_PT * LINE_SPACING * 1.17)) - 1


def _finding_pages(data: ChartData, acts, findings, run_findings, room: int) -> list[list[str]]:
    """A week's findings as lines, split into pages: ``room`` lines on the week's own
    page, ``fit(0.86)`` on each continuation page; a finding is never split."""
    from .analysis import _headline, _name
    from .vocab import localise

    units = data.units
    rank = {"flag": 0, "note": 1, "info": 2}
    items = [(f, "") for f in findings if f.rule != "volume_history"]
    for r in acts.itertuples(index=False):
        name = data.names.get(str(r.path))
        who = f", run of {r.local_date:%a %d %b}" + (f' "{name}"' if name else "")
        items += [(f, who) for f in run_findings.get(r.path, [])]
    items.sort(key=lambda it: rank.get(it[0].severity, 3))  # stable: week order kept
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
    pages, cur = [], []
    for b in blocks:
        if cur and len(b) > room:
            pages.append(cur)
            cur, room = [], fit(0.86)
        cur += b
        room -= len(b)
    pages.append(cur)
    return pages


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
    for d, _sev in data.pain or []:
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
        more = f" ({n} of {len(chunks)})" if len(chunks) > 1 else ""
        fig.suptitle(
            "Pain diary: what came before each episode (whole history; association, not cause)"
            + more,
            fontsize=12,
            fontweight="bold",
            y=0.96,
        )
        _ftext(fig, 0.03, 0.90, chunk, size=8.5, mono=True)
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


#: A report of more pages than SPLIT_FROM is cut into pieces, each drawn into its own
#: PDF (in parallel, by forked workers) and joined with pypdf: an even number of pieces
#: of at most PIECE_PAGES pages, cut the same way whatever the number of workers (so the
#: file is the same on any machine). Each piece costs 0.05-0.1 s (its PdfPages and its
#: font subset), so they are few.
SPLIT_FROM = 16
PIECE_PAGES = 80
#: What drawing a page costs against a week page, to cut pieces of equal work: the
#: summary's three panels cost about six week pages.
PAGE_WEIGHT = {"summary": 6.0, "timeline": 2.0}


def _items(data: ChartData) -> list[tuple]:
    """What the report draws, in page order: ("summary",), ("week", row), ...,
    ("timeline",), ("pain",), ("caveats",)."""
    items: list[tuple] = [("summary",)]
    items += [("week", row) for _, row in data.weeks.iterrows() if row["runs"] > 0]
    if getattr(data, "pain_report", None):
        items += [("timeline",), ("pain",)]
    return items + [("caveats",)]


def _render(data: ChartData, metric: str, items: list[tuple], pdf) -> Report:
    """Draw ``items`` into ``pdf`` (a PdfPages); what was drawn, as a Report (no path)."""
    rep = Report(path=Path())
    h = data.history
    weeks = None
    for item in items:
        kind = item[0]
        if kind == "summary":
            fig, res = _summary_page(data, metric)
            rep.flagged_weeks = res.flagged_weeks
            rep.headline = fig.get_suptitle()
            pdf.savefig(fig)
            rep.pages += 1
        elif kind == "week":  # one page per week with runs (+ continuations)
            if weeks is None:
                weeks = _WeekPages(data)
            row = item[1]
            iso = row["week"].date().isoformat()
            end = row["week"] + np.timedelta64(7, "D")
            acts = h.acts[(h.acts["local_date"] >= row["week"]) & (h.acts["local_date"] < end)]
            fs = [f for f in data.findings if f.evidence.values.get("week") == iso]
            n = 0
            for page in weeks.pages(row, acts, fs, data.run_findings):
                pdf.savefig(page)
                n += 1
            rep.pages += n
            if n > 1:
                rep.continued[iso] = n - 1
            rep.week_pages.append(iso)
            rep.week_findings[iso] = [f.rule for f in fs] + [
                f.rule for p in acts["path"] for f in data.run_findings.get(p, [])
            ]
        elif kind == "timeline":
            pdf.savefig(_timeline_page(data))
            rep.pages += 1
        elif kind == "pain":
            for page in _pain_pages(data.pain_report, data.units):
                pdf.savefig(page)
                rep.pages += 1
            rep.pain_page = True
        else:
            pdf.savefig(_caveats_page(data))
            rep.pages += 1
    return rep


def _merge_into(rep: Report, part: Report) -> None:
    rep.pages += part.pages
    rep.week_pages += part.week_pages
    rep.week_findings.update(part.week_findings)
    rep.continued.update(part.continued)
    rep.pain_page = rep.pain_page or part.pain_page
    if part.headline:
        rep.flagged_weeks, rep.headline = part.flagged_weeks, part.headline


def _pieces(items: list, size: int | None = None, split: int | None = None) -> list[list]:
    """``items`` (page kinds first) cut into an even number of pieces of at most ``size``
    items (default :data:`PIECE_PAGES`), of about equal work (:data:`PAGE_WEIGHT`), so
    that two workers end together; one piece up to ``split`` items (:data:`SPLIT_FROM`)."""
    size, split = size or PIECE_PAGES, split or SPLIT_FROM
    if len(items) <= split:
        return [items]
    n = -(-len(items) // size)
    n += n % 2
    w = [PAGE_WEIGHT.get(it[0], 1.0) if isinstance(it, tuple) else 1.0 for it in items]
    total, done, pieces, cur = sum(w), 0.0, [], []
    for it, wi in zip(items, w):
        # a new piece once this one holds its share of the work (or its pages)
        if (
            cur
            and len(pieces) < n - 1
            and (done + wi / 2 > total * (len(pieces) + 1) / n or len(cur) >= size)
        ):
            pieces.append(cur)
            cur = []
        cur.append(it)
        done += wi
    return [*pieces, cur]


#: What a forked worker draws from: (data, metric), set by the parent before forking.
_JOB: tuple | None = None


def _render_piece(items: list[tuple], path: str) -> Report:
    """A worker's piece: ``items`` drawn into their own PDF at ``path``."""
    from matplotlib.backends.backend_pdf import PdfPages

    from .charts._style import PDF_METADATA, style

    assert _JOB is not None
    data, metric = _JOB
    with style(), PdfPages(path, metadata=PDF_METADATA) as pdf:
        return _render(data, metric, items, pdf)


def _workers(jobs: int | None, pieces: int) -> int:
    """Worker processes for ``pieces``: ``jobs`` (default: the cores this process may
    use), never more than the pieces; 1 (this process) where forking is not safe:
    not Linux (no ``fork``, or one that system libraries do not survive, as on
    macOS), or other threads running, which a fork would copy
    mid-step (a Dask worker, a web server)."""
    import multiprocessing as mp
    import os
    import sys
    import threading

    if jobs is None:
        jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    n = max(1, min(int(jobs or 1), pieces))
    forks = sys.platform.startswith("linux") and "fork" in mp.get_all_start_methods()
    if n > 1 and (not forks or threading.active_count() > 1):  # macOS: fork is unsafe
        return 1
    return n


def _join(paths: list[Path], out: Path) -> None:
    """The pieces' PDFs, one after the other, into ``out`` (pypdf), with the report's
    fixed metadata and no producer or date (same input, same bytes)."""
    from pypdf import PdfWriter

    w = PdfWriter()
    for p in paths:
        w.append(str(p))
    w.metadata = None
    w.add_metadata({"/Creator": "runlens"})
    with open(out, "wb") as fh:
        w.write(fh)


def write_report(
    data: ChartData, out: str | Path, metric: str = "distance", jobs: int | None = None
) -> Report:
    """Write the weekly report PDF.

    Parameters
    ----------
    data : ChartData
        From :func:`runlens.report.charts.data.chart_data`.
    out : str or Path
        ``.pdf`` file.
    metric : {"distance", "time", "trimp"}
        Bars of the summary chart.
    jobs : int, optional
        Worker processes drawing the pages of a long report (more than
        :data:`SPLIT_FROM` pages); default: the cores this process may use. The
        file is the same whatever the number.

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
    report = Report(path=p)
    from ..atomic import atomic_output

    pieces = _pieces(_items(data))
    # Written to a temporary file renamed at the end: a failed write (a full
    # disk) leaves the previous report intact.
    with atomic_output(p) as tmp:
        if len(pieces) == 1:
            with style(), PdfPages(tmp, metadata=PDF_METADATA) as pdf:
                _merge_into(report, _render(data, metric, pieces[0], pdf))
            return report
        import tempfile

        global _JOB
        with tempfile.TemporaryDirectory(prefix="runlens-report-") as d:
            paths = [Path(d) / f"{k:03d}.pdf" for k in range(len(pieces))]
            n = _workers(jobs, len(pieces))
            _JOB = (data, metric)
            try:
                if n == 1:
                    parts = [_render_piece(it, str(q)) for it, q in zip(pieces, paths)]
                else:
                    import multiprocessing as mp
                    from concurrent.futures import ProcessPoolExecutor

                    with ProcessPoolExecutor(n, mp_context=mp.get_context("fork")) as ex:
                        parts = list(ex.map(_render_piece, pieces, map(str, paths)))
            finally:
                _JOB = None
            for part in parts:
                _merge_into(report, part)
            _join(paths, Path(tmp))
    return report
