"""The weekly load chart: volume bars, acute:chronic ratio, form at matched pace.

Three panels on one time axis (weeks):

1. Weekly volume (distance, moving time or TRIMP). Weeks with a volume
   finding of severity "flag" (a session spike, Frandsen et al. 2025; since
   issue 25 the only volume flag) are dark and hatched
   ``///``; weeks with notes only (increase over 10 %, ratio >= 1.5) are light
   and dotted; flagged sessions get a triangle with their spike ratio.
2. The EWMA acute:chronic ratio (Williams et al. 2017's EWMA, uncoupled as
   Windt & Gabbett 2019) with the bands of
   Gabbett 2016 (0.8-1.3, >= 1.5) and a caption that they are disputed
   (evidence.md section 4); days before 28 days of history are greyed.
3. Form at matched pace (:mod:`.trends`): each week's median cadence, step
   length, vertical oscillation and ground contact time (and steps per
   breath, when a run records a breathing rate), as % of the period's
   median, one line style and marker per metric.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ...errors import RunlensError
from ._style import PALETTE, new_figure, save_figure, style
from .trends import FORM_METRICS, OPTIONAL_FORM_METRICS, PaceBand, weekly_form

if TYPE_CHECKING:
    from .data import ChartData

__all__ = ["METRICS", "WeeklyChart", "draw_weekly", "weekly_figure", "ACWR_CAPTION"]

#: Bar metric (:func:`runlens.cli._common.chart_metric` of the load unit) -> (weekly
#: column, scale to display unit, axis label).
METRICS = {
    "distance": ("distance_m", 1e-3, "distance (km)"),
    "time": ("moving_s", 1 / 3600, "moving time (h)"),
    # TRIMP in a runner's words: minutes of running weighted by how hard the heart worked
    # (Banister 1991, evidence.md section 4); "AU", arbitrary units, said nothing.
    "trimp": ("trimp", 1.0, "training load (Banister TRIMP:\nminutes weighted by heart rate)"),
}
SWEET = (0.8, 1.3)
DANGER = 1.5
ACWR_CAPTION = (
    "Load ratio: your load of the last 7 days against your usual load of the 28 before, "
    "recent days counting more (acute:chronic ratio: EWMA over 7 days, Williams et al. 2017, "
    "over EWMA over 28 days, uncoupled, Windt & Gabbett 2019); needs 28 days of history. "
    "Bands from team sports (Gabbett 2016): 0.8-1.3 'sweet spot', >= 1.5 'danger zone'. They "
    "are disputed (Lolli et al. 2019, Impellizzeri et al. 2020), and in runners Frandsen et al. "
    "2025 found an inverse association: context, not a risk estimate."
)
#: Pain-episode markers (runlens.pain): purple, apart from the orange flags.
PAIN_COLOUR = "#6a1b9a"
#: Legends sit right of the panels, never over the data.
LEGEND_OUT = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0), "borderaxespad": 0.0}
#: Line style and marker per form metric (distinct without colour).
FORM_STYLE = {
    "cadence_spm": ("-", "o", "#1b2f52"),
    "step_length_m": ("--", "s", "#c8552b"),
    "vertical_oscillation_mm": (":", "^", "#4a7f3b"),
    "ground_contact_ms": ("-.", "D", "#7a4a8c"),
    "steps_per_breath": ((0, (5, 1, 1, 1, 1, 1)), "v", "#8a4b08"),
}
FORM_FORMAT = {
    "cadence_spm": "{:.0f} steps/min",
    "step_length_m": "{:.2f} m",
    "vertical_oscillation_mm": "{:.0f} mm",
    "ground_contact_ms": "{:.0f} ms",
    "steps_per_breath": "{:.1f} steps/breath",
}


def form_reference(col: str, value: float, units: str = "metric") -> str:
    """A form metric's period median as the legend shows it, in the runner's units."""
    if units == "imperial" and col == "step_length_m":
        from ...units import format_step

        return format_step(value, units)
    if units == "imperial" and col == "vertical_oscillation_mm":
        from ...units import format_oscillation

        return format_oscillation(value, units)
    return FORM_FORMAT[col].format(value)


@dataclass
class WeeklyChart:
    """What a weekly chart shows, read back from the drawn artists.

    Attributes
    ----------
    path : Path or None
        File written.
    metric : str
    weeks : list of str
        ISO first days of the weeks drawn.
    flagged_weeks, noted_weeks : list of str
        Weeks whose bar was drawn as flagged (``///``) or noted (dots).
    spike_sessions : list of str
        ISO dates of the session-spike markers.
    pain_episodes : list of (str, int)
        ISO onset day and peak severity of each pain-episode marker drawn.
    form_flag_runs : list of str
        ISO days of the runs marked as carrying a form flag (one marker per run).
    form_note_runs : list of str
        ISO days of the runs marked as carrying form notes and no flag.
    form_metrics : list of str
        Form metrics with at least one weekly value drawn.
    pace_band : PaceBand or None
    """

    path: Path | None
    metric: str
    weeks: list[str] = field(default_factory=list)
    flagged_weeks: list[str] = field(default_factory=list)
    noted_weeks: list[str] = field(default_factory=list)
    change_labels: int = 0
    spike_sessions: list[str] = field(default_factory=list)
    pain_episodes: list[tuple[str, int]] = field(default_factory=list)
    form_flag_runs: list[str] = field(default_factory=list)
    form_note_runs: list[str] = field(default_factory=list)
    form_metrics: list[str] = field(default_factory=list)
    pace_band: PaceBand | None = None


def _rise_pct(values: dict) -> float:
    """A weekly increase's change on the week before, or on the recent weeks after an empty one."""
    ch = values.get("change_pct")
    return float(ch if ch is not None else values.get("above_recent_max_pct") or 0.0)


def _num(dates):
    """Matplotlib date numbers (days) of datetime-likes."""
    from matplotlib.dates import date2num

    return date2num(np.asarray(dates, dtype="datetime64[s]"))


def _date_axis(ax, first, last, week_start: str = "monday") -> None:
    """Week-start ticks ("27 Jul") for up to 16 weeks, else automatic month ticks."""
    from matplotlib.dates import (
        AutoDateLocator,
        ConciseDateFormatter,
        DateFormatter,
        WeekdayLocator,
    )

    from ...load import WEEKDAYS

    if last - first <= 16 * 7:
        ax.xaxis.set_major_locator(WeekdayLocator(byweekday=WEEKDAYS.index(week_start)))
        ax.xaxis.set_major_formatter(DateFormatter("%d %b"))
    else:
        loc = AutoDateLocator(minticks=4, maxticks=12)
        ax.xaxis.set_major_locator(loc)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(loc, show_offset=False))
    ax.set_xlim(first - 2, last + 9)


def metric_values(weeks, metric: str, units: str = "metric") -> tuple[np.ndarray, str]:
    """Bar heights in display units and the axis label; RunlensError if unavailable."""
    if metric not in METRICS:
        raise RunlensError(f"metric must be one of {', '.join(METRICS)}, not {metric!r}")
    col, scale, label = METRICS[metric]
    if metric == "distance" and units == "imperial":
        from ...units import METRES_PER_MILE

        scale, label = 1 / METRES_PER_MILE, "distance (mi)"
    v = weeks[col].to_numpy(float) * scale if col in weeks else np.full(len(weeks), np.nan)
    if metric == "trimp" and not np.isfinite(v).any():
        raise RunlensError(
            "no heart rate in these runs, so no TRIMP: use --load-unit distance or moving_time"
        )
    return np.nan_to_num(v, nan=0.0), label


def weekly_figure(data: ChartData, metric: str = "distance", fig=None, title: str | None = None):
    """Draw the three weekly panels into ``fig`` (a new A4-landscape figure by default).

    Returns
    -------
    fig : matplotlib.figure.Figure
    result : WeeklyChart
    """
    import pandas as pd

    weeks = data.weeks
    if weeks is None or not len(weeks):
        raise RunlensError("no weeks to draw")
    units = getattr(data, "units", "metric")
    heights, ylabel = metric_values(weeks, metric, units)
    if fig is None:
        fig = new_figure(11.69, 8.27)
    gs = fig.add_gridspec(4, 1, height_ratios=[3.2, 2.0, 2.2, 0.35])
    ax_v = fig.add_subplot(gs[0])
    ax_r = fig.add_subplot(gs[1], sharex=ax_v)
    ax_f = fig.add_subplot(gs[2], sharex=ax_v)
    ax_c = fig.add_subplot(gs[3])
    ax_c.axis("off")

    wk = pd.DatetimeIndex(weeks["week"])
    iso = [w.date().isoformat() for w in wk]
    x0 = _num(wk)
    flagged = set(data.flagged_weeks())
    noted = set(data.noted_weeks())
    result = WeeklyChart(path=None, metric=metric, weeks=iso)

    # --- panel 1: weekly volume ------------------------------------------------
    # Legend entries come from the drawn artists themselves (the first of each
    # kind carries the label), so the legend never lists a mark that is not drawn.
    kinds = {
        "flag": ({"color": PALETTE["bar_flag"], "hatch": "///", "edgecolor": "black"},
                 "flagged week:\nholds a session spike\n(increases are notes)"),
        "note": ({"color": PALETTE["bar_note"], "hatch": "...", "edgecolor": "#6b4a1e"},
                 "noted week (weak evidence):\nincrease > 10 %, ratio\n>= 1.5 or a return after a break"),
        "week": ({"color": PALETTE["bar"], "edgecolor": "#4d6382"}, "week"),
    }  # fmt: skip
    labelled: set[str] = set()
    ymax = max(float(np.max(heights)) if len(heights) else 1.0, 1e-9)
    ax_v.set_ylim(0, ymax * 1.18)
    value_fmt = "{:.1f}" if metric == "time" else "{:.0f}"
    for xi, h, w in zip(x0, heights, iso):  # one bar per week, its value written on it
        kind = "flag" if w in flagged else "note" if w in noted else "week"
        kw, lab = kinds[kind]
        bar = ax_v.bar(
            xi + 3.5, h, width=6.0, linewidth=0.6, zorder=2,
            label=lab if kind not in labelled else "_nolegend_", **kw,
        )[0]  # fmt: skip
        labelled.add(kind)
        bar.set_gid(f"week-{w}")
        if np.isfinite(h) and h > 0:
            inside = h > ymax * 0.12
            ax_v.text(
                xi + 3.5, h - ymax * 0.015 if inside else h + ymax * 0.01, value_fmt.format(h),
                ha="center", va="top" if inside else "bottom", fontsize=6.5, zorder=3,
                color="black",
                bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "alpha": 0.7,
                      "linewidth": 0} if inside else None,
            )  # fmt: skip
    # weekly increase findings: the change next to the bar
    for f in data.findings:
        if f.rule == "weekly_increase" and f.evidence.values.get("week") in iso:
            i = iso.index(f.evidence.values["week"])
            result.change_labels += 1
            ax_v.annotate(
                f"+{_rise_pct(f.evidence.values):.0f} %",
                (x0[i] + 3.5, heights[i]),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=7,
                fontweight="bold" if f.severity == "flag" else "normal",
            )
    spikes = [f for f in data.findings if f.rule == "session_spike"]
    for f in spikes:
        d = pd.Timestamp(f.evidence.values["date"])
        w = f.evidence.values["week"]
        top = heights[iso.index(w)] if w in iso else 0.0
        ax_v.plot(
            _num([d])[0] + 0.5,
            top + ymax * 0.075,
            marker="v",
            markersize=7,
            color="black",
            linestyle="none",
            zorder=4,
            gid=f"spike-{d.date().isoformat()}",
            label="session spike: run > 10 %\nlonger than the longest\nof the previous 30 days"
            if not result.spike_sessions
            else "_nolegend_",
        )
        result.spike_sessions.append(d.date().isoformat())
    # Runs with a form finding (overstriding, uneven contact, late fade...): a star on
    # the run's day, on its week's bar, so the chart shows what `runlens runs` lists;
    # filled for a flag, hollow for notes only.
    acts = getattr(data.history, "acts", None)
    run_findings = getattr(data, "run_findings", None) or {}
    if acts is not None and len(acts) and run_findings:
        for path, day in zip(acts["path"], acts["local_date"]):  # one per run
            sev = {f.severity for f in run_findings.get(path, [])}
            flagged = "flag" in sev
            if not flagged and "note" not in sev:
                continue
            d = pd.Timestamp(day)
            w = iso[int(np.searchsorted(x0, _num([d])[0], side="right")) - 1] if len(x0) else None
            if w is None or not x0[0] <= _num([d])[0] < x0[-1] + 7:
                continue
            top = heights[iso.index(w)]
            marked = result.form_flag_runs if flagged else result.form_note_runs
            ax_v.plot(
                _num([d])[0] + 0.5,
                top * 0.5,
                marker="*",
                markersize=11,
                color="#e07b00" if flagged else "white",
                markeredgecolor="black" if flagged else "#e07b00",
                markeredgewidth=0.5 if flagged else 1.2,
                linestyle="none",
                zorder=4,
                gid=f"form-{d.date().isoformat()}",
                label=(
                    "run with a form flag\n(runlens runs --flagged)"
                    if flagged
                    else "run with a form note\n(runlens runs --flagged)"
                )
                if not marked
                else "_nolegend_",
            )
            marked.append(d.date().isoformat())
    # Pain episodes from the diary (runlens.pain): a marker on the onset day
    # along the top of the panel, with the episode's peak severity (0-10).
    for d, sev in getattr(data, "pain", None) or []:
        xd = _num([pd.Timestamp(d)])[0] + 0.5
        if not x0[0] <= xd < x0[-1] + 7:
            continue
        ax_v.plot(
            xd,
            ymax * 1.11,
            marker="P",
            markersize=8,
            color=PAIN_COLOUR,
            linestyle="none",
            zorder=5,
            gid=f"pain-{pd.Timestamp(d).date().isoformat()}",
            label="pain episode starts\n(N = peak pain 0-10,\nrunlens pain report)"
            if not result.pain_episodes
            else "_nolegend_",
        )
        ax_v.annotate(
            f"{sev}",
            (xd, ymax * 1.11),
            xytext=(6, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=7,
            fontweight="bold",
            color=PAIN_COLOUR,
        )
        result.pain_episodes.append((pd.Timestamp(d).date().isoformat(), int(sev)))
    ax_v.set_ylabel(ylabel)
    ax_v.set_title(title or f"Weekly {ylabel.split(' (')[0]} with volume findings")
    if result.change_labels:
        ax_v.set_title(
            (title or f"Weekly {ylabel.split(' (')[0]} with volume findings")
            + " (+N %: change on the week before)"
        )
    ax_v.legend(**LEGEND_OUT)
    ax_v.tick_params(labelbottom=False)

    # --- panel 2: acute:chronic ratio -----------------------------------------
    ind = data.history.indicators
    ax_r.axhspan(*SWEET, color=PALETTE["sweet"], zorder=0, label="0.8-1.3 'sweet spot'")
    ax_r.axhspan(
        DANGER,
        10,
        facecolor=PALETTE["danger"],
        hatch="\\\\",
        edgecolor="#c98080",
        linewidth=0,
        zorder=0,
        label=">= 1.5 'danger zone'\n(disputed, see below)",
    )
    rmax = 2.0
    if ind is not None and len(ind) and "acwr" in ind:
        dn = _num(ind.index)
        r = ind["acwr"].to_numpy(float)
        judged = ind["history_days"].to_numpy(float) >= 28
        if np.isfinite(r).any():
            rmax = max(2.0, min(3.0, float(np.nanmax(r)) * 1.1))
        early, late = np.where(judged, np.nan, r), np.where(judged, r, np.nan)
        if np.isfinite(early).any():
            ax_r.plot(
                dn, early, color="#777777", linestyle=":", linewidth=1.2,
                label="ratio in the\nfirst 28 days",
            )  # fmt: skip
        if np.isfinite(late).any():
            ax_r.plot(
                dn, late, color=PALETTE["line"], linewidth=1.6,
                label="load ratio (daily)",
            )  # fmt: skip
        if (~judged).any():
            ax_r.axvspan(
                dn[0],
                dn[~judged][-1] + 1,
                facecolor=PALETTE["unjudged"],
                zorder=0.5,
                alpha=0.75,
                label="first 28 days:\nratio not judged",
            )
    ax_r.set_ylim(0, rmax)
    ax_r.set_ylabel("ratio (acute / chronic)")
    ax_r.set_title("Load ratio: the last 7 days against your usual 28 (1.0 = as usual)")
    ax_r.legend(**LEGEND_OUT)
    ax_r.tick_params(labelbottom=False)

    # --- panel 3: form at matched pace ----------------------------------------
    trends, ref, band = weekly_form(data.form, wk)
    result.pace_band = band
    xc = x0 + 3.5
    for col in FORM_METRICS:
        if col not in ref:
            continue
        y = trends[f"{col}_pct"].to_numpy(float)
        if not np.isfinite(y).any():
            continue
        ls, mk, colour = FORM_STYLE[col]
        name, _unit = FORM_METRICS[col]
        ok = np.isfinite(y)
        ax_f.plot(
            xc[ok],
            y[ok],
            linestyle=ls,
            marker=mk,
            markersize=4.5,
            color=colour,
            linewidth=1.4,
            label=f"{name}\n(0 % = {form_reference(col, ref[col], units)})",
        )
        result.form_metrics.append(col)
    ax_f.set_ylabel("% vs period median")
    if result.form_metrics:
        lim = np.nanmax(np.abs(trends[[f"{c}_pct" for c in result.form_metrics]].to_numpy(float)))
        lim = max(3.0, float(lim) * 1.3)
        ax_f.set_ylim(-lim, lim)
        ax_f.axhline(0, color="black", linewidth=0.8)
        ax_f.set_title(f"Form at matched pace: median of steady minutes at {band.label(units)}")
        missing = [
            FORM_METRICS[c][0]
            for c in FORM_METRICS
            if c not in result.form_metrics and c not in OPTIONAL_FORM_METRICS
        ]
        leg = ax_f.legend(**LEGEND_OUT)
        if missing:
            why = (
                "not kept minute by minute\nin the history:"
                if data.form_source == "store"
                else "not recorded in these runs:"
            )
            leg.set_title(why + "\n" + "\n".join(missing), prop={"size": 7})
    else:
        ax_f.set_ylim(-5, 5)
        ax_f.tick_params(labelleft=False)
        ax_f.set_title("Form at matched pace")
        ax_f.text(
            0.5,
            0.5,
            "No cadence or running dynamics in these runs: no form trend to show",
            transform=ax_f.transAxes,
            ha="center",
            va="center",
            fontsize=10,
            color="#444444",
        )
    ax_f.set_xlabel(f"week (starting {data.history.week_start.capitalize()})")
    _date_axis(ax_f, x0[0], x0[-1], data.history.week_start)

    import textwrap

    ax_c.text(
        0.0,
        1.0,
        "\n".join(textwrap.wrap(ACWR_CAPTION, 175)),
        transform=ax_c.transAxes,
        ha="left",
        va="top",
        fontsize=7.5,
        color="#333333",
    )

    # What was actually drawn: read it back from the bars.
    for p in ax_v.patches:
        gid = p.get_gid() or ""
        if gid.startswith("week-"):
            if p.get_hatch() == "///":
                result.flagged_weeks.append(gid[5:])
            elif p.get_hatch() == "...":
                result.noted_weeks.append(gid[5:])
    return fig, result


def draw_weekly(
    data: ChartData, out: str | Path, metric: str = "distance", title: str | None = None
) -> WeeklyChart:
    """Write the weekly chart to ``out`` (.png or .pdf).

    Parameters
    ----------
    data : ChartData
        From :func:`runlens.report.charts.data.chart_data`.
    out : str or Path
        Output file; the format follows the suffix.
    metric : {"distance", "time", "trimp"}
        Bar height: km (miles with ``data.units`` imperial), hours, or Banister TRIMP
        (minutes of running weighted by heart rate).

    Returns
    -------
    WeeklyChart
    """
    from ._style import output_format

    output_format(out)  # refuse a bad suffix before drawing
    with style():
        fig, result = weekly_figure(data, metric, title=title)
        result.path = save_figure(fig, out)
    return result
