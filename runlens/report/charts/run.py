"""One run as a picture: what was flagged, drawn as it was judged, and what the file records.

Panels over elapsed time: pace (speed for a ride) first; then, for each rule
that flagged or noted something, the metric it judged with its threshold (or
the runner's baseline, or the band it must stay within) and the judged
stretches (``Finding.time_ranges``) shaded exactly; then the other channels the
file records (heart rate, elevation, power, contact balance...), up to
:data:`MAX_PANELS`. Every curve is the centred 60 s rolling median the rules
judge (runlens.rules._signals), so a shaded stretch sits where the drawn curve
crosses its line. A channel the file does not record is simply not drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ...errors import RunlensError
from ...rules import REGISTRY, chart_panels
from ._style import new_figure, output_format, save_figure, style
from .data import finding_from_dict

if TYPE_CHECKING:
    from ...model import Activity

__all__ = ["RunChart", "draw_run", "run_figure", "RUN_PANELS", "RULE_PANEL", "MAX_PANELS"]

#: Channel panel -> (record column, axis label, smallest y span shown, in display units).
#: The span keeps a few steps/min of noise from filling the axis.
RUN_PANELS = {
    "pace": ("speed_m_s", "pace", 2.0),
    "cadence": ("cadence_spm", "cadence\n(steps/min)", 30.0),
    "ground_contact": ("ground_contact_ms", "ground contact\ntime (ms)", 80.0),
    "balance": ("gct_balance_left_pct", "contact balance\nleft (%)", 8.0),
    "vertical_oscillation": ("vertical_oscillation_mm", "vertical\noscillation", 4.0),
    "vertical_ratio": ("vertical_ratio_pct", "vertical\nratio (%)", 4.0),
    "heart_rate": ("heart_rate_bpm", "heart rate\n(bpm)", 40.0),
    "elevation": ("altitude_m", "elevation", 30.0),
    "power": ("power_w", "power\n(W)", 100.0),
    "breathing": ("respiration_rate_brpm", "breathing\n(breaths/min)", 12.0),
}
#: The panel that shows what each rule judged: each rule class's ``panel``.
RULE_PANEL = chart_panels()
#: Channels drawn after the flagged ones, in this order, while there is room.
FILL_ORDER = (
    "heart_rate", "elevation", "cadence", "ground_contact", "power", "balance",
    "breathing", "vertical_oscillation", "vertical_ratio",
)  # fmt: skip
#: Most panels on one page (the strip of flagged stretches not counted).
MAX_PANELS = 5
#: Smoothing of every curve, s: the rules' own window (centred rolling median).
RULE_WINDOW_S = 60.0
#: Shading per finding, in order of first appearance (hatch, face colour).
SHADES = (
    ("///", "#c8552b"),
    ("\\\\\\", "#1b6f8f"),
    ("xxx", "#7a4a8c"),
    ("...", "#4a7f3b"),
)
#: Samples further apart than this are not joined by a line, s.
GAP_S = 10.0
#: Rolling median window, s.
SMOOTH_S = 30


@dataclass
class RunChart:
    """What a run chart shows.

    Attributes
    ----------
    path : Path or None
    panels : list of str
        Panels drawn, top to bottom (keys of :data:`RUN_PANELS`).
    missing : list of str
        Panels a finding asked for that the file has no data for (not drawn).
    shaded : list of (str, str, str)
        ``(rule, start ISO, end ISO)`` of each shaded stretch.
    ylabels : dict
        Panel -> its axis label, as drawn.
    right_ylabels : dict
        Panel -> the label of its right axis, where it has one (breathing:
        steps per breath).
    lines : list of (str, str, float)
        ``(rule, panel, value)`` of each threshold or band edge drawn.
    """

    path: Path | None
    panels: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    shaded: list[tuple[str, str, str]] = field(default_factory=list)
    ylabels: dict[str, str] = field(default_factory=dict)
    right_ylabels: dict[str, str] = field(default_factory=dict)
    lines: list[tuple[str, str, float]] = field(default_factory=list)


def _speed(rec, t, index) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Speed, m/s: (per sample, 30 s smoothed).

    The recorded speed when there is one. Otherwise from distance or positions,
    over a 30 s window (distance covered / time), since speed from one GPS
    fix to the next is mostly noise: then no per-sample series is returned.
    """
    import pandas as pd

    from ...metrics.summary import haversine_m

    if "speed_m_s" in rec and rec["speed_m_s"].notna().any():
        v = rec["speed_m_s"].to_numpy(float)
        sm = pd.Series(v, index=index).rolling(f"{SMOOTH_S}s", min_periods=1).median()
        return v, sm.to_numpy(float)
    if "distance_m" in rec and rec["distance_m"].notna().sum() > 1:
        step = np.diff(rec["distance_m"].ffill().to_numpy(float), prepend=np.nan)
    elif {"lat_deg", "lon_deg"} <= set(rec.columns):
        step = haversine_m(rec["lat_deg"].to_numpy(float), rec["lon_deg"].to_numpy(float))
    else:
        return None, None
    dt = np.diff(t, prepend=np.nan)
    ok = (dt > 0) & (dt <= GAP_S) & np.isfinite(step)
    d = pd.Series(np.where(ok, step, 0.0), index=index).rolling(f"{SMOOTH_S}s").sum()
    s = pd.Series(np.where(ok, dt, 0.0), index=index).rolling(f"{SMOOTH_S}s").sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        sm = np.where(s.to_numpy() >= SMOOTH_S / 2, d.to_numpy() / s.to_numpy(), np.nan)
    return None, sm


def _rule_panel(f) -> str:
    rule = REGISTRY.get(f.rule)
    return (rule.panel_for(f) or "") if rule is not None else ""


def _thresholds(f, panel: str) -> list[tuple[float, str, str]]:
    """The lines a finding was judged against, in the panel's record unit: (value, label,
    line style), as its rule draws them (``Rule.chart_lines``)."""
    rule = REGISTRY.get(f.rule)
    return rule.chart_lines(f, panel) if rule is not None else []


#: Colour of the steps-per-breath curve on the breathing panel's right axis: dark, so it
#: reads over the light shading and the hatch of a judged stretch.
SPB_COLOUR = "#8a4b08"


def _steps_per_breath_axis(ax, x, gap, sig, judged, result: RunChart):
    """Steps per breath on the breathing panel's right axis, as ``breathing_rise`` judges it.

    Draws the 60 s median ratio of step rate to breathing rate and, for a
    ``breathing_rise`` finding, the steps per breath it noted below. Returns
    the drawn curve (for the figure's legend), or None without a step rate.
    """
    from ...rules.breathing import steps_per_breath_series

    if not sig.has("cadence_spm"):
        return None
    spb = np.where(gap, np.nan, np.asarray(steps_per_breath_series(sig)[2], dtype=float))
    ok = spb[np.isfinite(spb)]
    if not ok.size:
        return None
    right = ax.twinx()
    right.grid(False)
    (curve,) = right.plot(x, spb, color=SPB_COLOUR, linewidth=1.1)  # named in the top legend
    levels, marks = [], []
    for f in judged:
        v = f.evidence.threshold.get("steps_per_breath_below")
        if f.rule == "breathing_rise" and v is not None:
            line = right.axhline(
                float(v), color=SPB_COLOUR, linestyle="--", linewidth=1.2,
                label=f"noted below {float(v):.1f} steps per breath (first steady 10 min -20 %)",
            )  # fmt: skip
            levels.append(float(v))
            marks.append(line)
            result.lines.append((f.rule, "breathing", float(v)))
    lo, hi = min([float(ok.min()), *levels]), max([float(ok.max()), *levels])  # as the others
    span = max(hi - lo, 1.5)
    mid = (hi + lo) / 2
    right.set_ylim(mid - span * 0.6, mid + span * 0.6)
    right.set_ylabel("steps per\nbreath", color=SPB_COLOUR)
    right.tick_params(axis="y", colors=SPB_COLOUR)
    if marks:  # between the early high steps per breath and the early low breathing rate
        right.legend(handles=marks, loc="center left", fontsize=7, framealpha=0.85)
    result.right_ylabels["breathing"] = "steps per\nbreath"
    return curve


def _display(panel: str, v: np.ndarray, units: str, foot: bool) -> np.ndarray:
    """Record unit -> shown unit."""
    from ...units import METRES_PER_FOOT, METRES_PER_MILE, MM_PER_INCH

    with np.errstate(divide="ignore", invalid="ignore"):
        if panel == "pace":
            if foot:  # min per km or mile; standing (< 0.5 m/s) left out
                per = METRES_PER_MILE if units == "imperial" else 1000.0
                return np.where(v > 0.5, per / v / 60.0, np.nan)
            return v * (3600 / METRES_PER_MILE if units == "imperial" else 3.6)
        if panel == "vertical_oscillation":
            return v / MM_PER_INCH if units == "imperial" else v / 10.0
        if panel == "elevation" and units == "imperial":
            return v / METRES_PER_FOOT
    return v


def _label(panel: str, units: str, foot: bool) -> str:
    imp = units == "imperial"
    if panel == "pace":
        if foot:
            return f"pace\n(min/{'mi' if imp else 'km'})"
        return f"speed\n({'mph' if imp else 'km/h'})"
    if panel == "vertical_oscillation":
        return f"vertical\noscillation ({'in' if imp else 'cm'})"
    if panel == "elevation":
        return f"elevation\n({'ft' if imp else 'm'})"
    return RUN_PANELS[panel][1]


def run_figure(activity: Activity, findings=(), fig=None, title: str | None = None, units="metric"):
    """Draw the run's panels into ``fig`` (new figure by default).

    Returns
    -------
    fig : matplotlib.figure.Figure
    result : RunChart
    """
    import pandas as pd
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    from ...model import FOOT_SPORTS
    from ...rules._signals import Signals
    from ..analysis import RULE_NAMES, sport_word

    sig = Signals.of(activity, RULE_WINDOW_S)
    if len(sig) < 2:
        raise RunlensError("too few samples to draw", path=activity.source.path)
    foot = activity.sport in FOOT_SPORTS or activity.sport is None
    t = np.asarray(sig.t_s, dtype=float)
    t0 = t[0]
    x = (t - t0) / 60.0
    gap = np.diff(t, prepend=t[0]) > GAP_S
    if fig is None:
        fig = new_figure(11.69, 8.27)
    all_found = [finding_from_dict(f) for f in findings or ()]
    judged = [f for f in all_found if f.severity in ("flag", "note")]
    found = [f for f in all_found if f.time_ranges]
    rules = list(dict.fromkeys(f.rule for f in found))  # one strip row per rule
    result = RunChart(path=None)

    def series(panel: str) -> np.ndarray | None:
        if panel == "pace":
            v = np.asarray(sig.speed_m_s, dtype=float)
        else:
            col = RUN_PANELS[panel][0]
            if not sig.has(col):
                return None
            v = np.asarray(sig.smooth(col), dtype=float)
        if not np.isfinite(v).any():
            return None
        if panel == "elevation" and np.nanmax(np.abs(v)) < 1.0:
            return None  # altitude written as 0 throughout: no elevation recorded
        return v

    # Which panels: pace, each judged rule's metric, then what else the file has.
    order: list[str] = ["pace"] if series("pace") is not None else []
    owner: dict[str, list] = {}
    for f in judged:
        pn = _rule_panel(f)
        if not pn:
            continue
        if series(pn) is None:
            result.missing.append(pn)
            continue
        owner.setdefault(pn, []).append(f)
        if pn not in order:
            order.append(pn)
    for pn in FILL_ORDER:
        if len(order) >= MAX_PANELS:
            break
        if pn not in order and series(pn) is not None:
            order.append(pn)
    if not order:
        raise RunlensError(
            "no channel to draw (no speed, heart rate or dynamics)", path=activity.source.path
        )

    strip_h = 0.35 + 0.22 * max(1, len(rules))
    all_axes = fig.subplots(
        len(order) + 1, 1, sharex=True,
        gridspec_kw={"height_ratios": [strip_h] + [1.6] * len(order)},
    )  # fmt: skip
    strip, axes = all_axes[0], list(all_axes[1:])
    colour_of = {r: SHADES[k % len(SHADES)] for k, r in enumerate(rules)}
    drawn_extra = []  # (curve, label) drawn on a right axis, for the legend
    for ax, pn in zip(axes, order):
        y = _display(pn, series(pn), units, foot)
        y = np.where(gap, np.nan, y)
        ax.plot(x, y, color="#1b2f52", linewidth=1.3)
        lines = []
        for f in owner.get(pn, []):
            hatch, colour = colour_of.get(f.rule, SHADES[0])
            thr = _thresholds(f, pn)
            if getattr(REGISTRY.get(f.rule), "chart_band", False) and len(thr) == 2:
                lo_, hi_ = sorted(v for v, _, _ in thr)
                ax.axhspan(lo_, hi_, facecolor="#cfe8c9", alpha=0.6, zorder=0, linewidth=0)
            for v, lab, dash in thr:
                v_show = float(_display(pn, np.array([v]), units, foot)[0])
                ax.axhline(v_show, color=colour, linestyle=dash, linewidth=1.2, label=lab)
                lines.append(v_show)
                result.lines.append((f.rule, pn, v_show))
        finite = y[np.isfinite(y)]
        lo, hi = np.nanpercentile(finite, [0, 100]) if len(finite) else (0.0, 1.0)
        lo, hi = min([lo, *lines]), max([hi, *lines])
        span = max(hi - lo, RUN_PANELS[pn][2] * (0.5 if pn == "pace" and not foot else 1.0))
        mid = (hi + lo) / 2
        ax.set_ylim(mid - span * 0.6, mid + span * 0.6)
        if pn == "pace" and foot:
            ax.invert_yaxis()  # faster is up
            ax.yaxis.set_major_formatter(
                FuncFormatter(lambda v, _p: f"{int(v)}:{int(round((v % 1) * 60)) % 60:02d}")
            )
        if lines:
            ax.legend(loc="lower left", fontsize=7, framealpha=0.85, ncol=min(2, len(lines)))
        label = _label(pn, units, foot)
        if owner.get(pn):
            label += "\n(judged)"
        ax.set_ylabel(label)
        if pn == "breathing" and foot:  # a ride's cadence is pedal strokes, not steps
            curve = _steps_per_breath_axis(ax, x, gap, sig, owner.get(pn, []), result)
            if curve is not None:
                drawn_extra.append((curve, "steps per breath (right axis)"))
        result.panels.append(pn)
        result.ylabels[pn] = label
    # Judged stretches: one row per rule in the strip on top (hatched, so they
    # read in greyscale), strong on the rule's own panel, light on the others.
    strip.set_title("Flagged and noted stretches", loc="left", fontsize=9)
    strip.grid(False)
    strip.set_ylim(-0.6, max(1, len(rules)) - 0.4)
    strip.invert_yaxis()
    for f in found:
        k = rules.index(f.rule)
        hatch, colour = colour_of[f.rule]
        own = _rule_panel(f)
        for a, b in f.time_ranges:
            xa = (pd.Timestamp(a).timestamp() - t0) / 60.0
            xb = (pd.Timestamp(b).timestamp() - t0) / 60.0
            strip.broken_barh(
                [(xa, xb - xa)], (k - 0.35, 0.7), facecolors=colour, edgecolor="black",
                hatch=hatch, linewidth=0.5, alpha=0.85,
            )  # fmt: skip
            for ax, pn in zip(axes, order):
                strong = pn == own
                ax.axvspan(
                    xa, xb, facecolor=colour, alpha=0.28 if strong else 0.08, linewidth=0,
                    zorder=0, hatch=hatch if strong else None, edgecolor=colour if strong else None,
                )  # fmt: skip
            result.shaded.append((f.rule, str(a), str(b)))
    sev = {}
    for f in found:
        sev.setdefault(f.rule, f.severity)
    if rules:
        strip.set_yticks(
            range(len(rules)), [f"{RULE_NAMES.get(r, r)} ({sev[r]})" for r in rules], fontsize=8
        )
    else:
        strip.set_yticks([])
        strip.text(
            0.5, 0.5, "nothing flagged", transform=strip.transAxes, ha="center", va="center",
            color="#444444",
        )  # fmt: skip
    strip.tick_params(labelbottom=False)
    median = f"{RULE_WINDOW_S:.0f} s median, as the rules judge it"
    handles = [Line2D([], [], color="#1b2f52", linewidth=1.3, label=median)]
    if result.lines:
        compared = "what it was compared with"
        handles.append(Line2D([], [], color="#555555", linestyle="--", label=compared))
    for r in rules:
        hatch, colour = colour_of[r]
        judged_label = f"judged: {RULE_NAMES.get(r, r)}"
        handles.append(Patch(facecolor=colour, alpha=0.5, hatch=hatch, label=judged_label))
    labels = [h.get_label() for h in handles]
    # Curves drawn on a right axis are listed as themselves, after the main curve.
    handles[1:1] = [h for h, _ in drawn_extra]
    labels[1:1] = [lab for _, lab in drawn_extra]
    strip.legend(
        handles=handles, labels=labels, loc="lower left", bbox_to_anchor=(0.0, 1.25),
        ncol=len(handles),
        frameon=False, fontsize=7.5,
    )  # fmt: skip
    axes[-1].set_xlabel("elapsed time (min)")
    start = activity.local_start
    when = start.strftime("%Y-%m-%d %H:%M") if start is not None else "?"
    what = sport_word("running" if activity.is_running and not activity.sport else activity.sport)
    name = Path(activity.source.path).name if activity.source.path else what
    fig.suptitle(
        title
        or f"{name}: {what} of {when}"
        + (" (local time)" if activity.utc_offset_s is not None else " (UTC)"),
        fontweight="bold",
    )
    note = (
        "Each judged metric is drawn with the line it was compared with; its judged stretches "
        "are hatched on its panel and shown lightly on the others. Flags are associations, "
        "not diagnoses."
        if result.shaded
        else "Nothing in this run was flagged."
    )
    fig.supxlabel(note, fontsize=7.5, color="#333333", x=0.01, ha="left")
    return fig, result


def draw_run(
    activity: Activity, findings=(), out: str | Path = "run.png", units: str = "metric"
) -> RunChart:
    """Write one run's chart to ``out`` (.png or .pdf).

    Parameters
    ----------
    activity : Activity
    findings : iterable of Finding or dict
        The run's findings; those with ``time_ranges`` are shaded.
    out : str or Path
    units : {"metric", "imperial"}

    Returns
    -------
    RunChart
    """
    output_format(out)
    with style():
        fig, result = run_figure(activity, findings, units=units)
        result.path = save_figure(fig, out)
    return result
