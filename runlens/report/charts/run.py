"""One run as a picture: pace, cadence, vertical oscillation and ground contact.

Four panels over elapsed time, each with the raw samples (thin, light) and a
30 s rolling median (thick); the stretches the run's findings flagged
(``Finding.time_ranges``, ISO UTC) are shaded across all panels, one hatch per
rule, and named in the legend. A metric the file does not have is said to be
missing, not drawn as zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ...errors import RunlensError
from ._style import new_figure, output_format, save_figure, style
from .data import finding_from_dict

if TYPE_CHECKING:
    from ...model import Activity

__all__ = ["RunChart", "draw_run", "run_figure", "RUN_PANELS"]

#: Panel -> (record column, scale to display unit, axis label).
RUN_PANELS = {
    "pace": ("speed_m_s", 1.0, "pace\n(min/km)"),
    "cadence": ("cadence_spm", 1.0, "cadence\n(steps/min)"),
    "vertical_oscillation": ("vertical_oscillation_mm", 0.1, "vertical\noscillation (cm)"),
    "ground_contact": ("ground_contact_ms", 1.0, "ground contact\ntime (ms)"),
}
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
        Panels with data (keys of :data:`RUN_PANELS`).
    missing : list of str
        Panels the file had no data for.
    shaded : list of (str, str, str)
        ``(rule, start ISO, end ISO)`` of each shaded stretch.
    """

    path: Path | None
    panels: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    shaded: list[tuple[str, str, str]] = field(default_factory=list)


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


def run_figure(activity: Activity, findings=(), fig=None, title: str | None = None):
    """Draw the four run panels into ``fig`` (new figure by default).

    Returns
    -------
    fig : matplotlib.figure.Figure
    result : RunChart
    """
    import pandas as pd
    from matplotlib.ticker import FuncFormatter

    from ...units import index_seconds

    rec = activity.running_records() if activity.is_running else activity.records
    if len(rec) < 2:
        raise RunlensError("too few samples to draw", path=activity.source.path)
    t = index_seconds(rec.index)
    t0 = t[0]
    x = (t - t0) / 60.0
    gap = np.diff(t, prepend=t[0]) > GAP_S
    if fig is None:
        fig = new_figure(11.69, 8.27)
    found = [f for f in (finding_from_dict(f) for f in findings or ()) if f.time_ranges]
    rules = list(dict.fromkeys(f.rule for f in found))  # one strip row per rule
    strip_h = 0.35 + 0.22 * max(1, len(rules))
    all_axes = fig.subplots(
        5, 1, sharex=True, gridspec_kw={"height_ratios": [strip_h, 1.6, 1.6, 1.6, 1.6]}
    )
    strip, axes = all_axes[0], all_axes[1:]
    result = RunChart(path=None)
    for ax, (name, (col, scale, label)) in zip(axes, RUN_PANELS.items()):
        if name == "pace":
            y, smooth = _speed(rec, t, rec.index)
        else:
            y = rec[col].to_numpy(float) if col in rec else None
            smooth = None
            if y is not None:
                y = np.where(np.isfinite(y) & (y > 0), y * scale, np.nan)
                smooth = (
                    pd.Series(y, index=rec.index)
                    .rolling(f"{SMOOTH_S}s", min_periods=1)
                    .median()
                    .to_numpy(float)
                )
        if smooth is None or not np.isfinite(smooth).any():
            result.missing.append(name)
            ax.text(
                0.5,
                0.5,
                f"{label.split('(')[0].replace(chr(10), ' ').strip()}: not recorded in this file",
                transform=ax.transAxes,
                ha="center",
                va="center",
                color="#444444",
            )
            ax.set_ylabel(label)
            ax.set_yticks([])
            ax.grid(False)
            continue
        result.panels.append(name)
        if name == "pace":  # draw pace, min/km; below 0.5 m/s (standing) left out
            with np.errstate(divide="ignore", invalid="ignore"):
                if y is not None:
                    y = np.where(y > 0.5, 1000.0 / y / 60.0, np.nan)
                smooth = np.where(smooth > 0.5, 1000.0 / smooth / 60.0, np.nan)
        smooth = np.where(gap, np.nan, smooth)
        if y is not None:
            y = np.where(gap, np.nan, y)
            ax.plot(x, y, color="#9aa7b8", linewidth=0.6, label="samples")
        ax.plot(x, smooth, color="#1b2f52", linewidth=1.5, label=f"{SMOOTH_S} s smoothed")
        lo, hi = np.nanpercentile(smooth, [1, 99])
        pad = max((hi - lo) * 0.25, 0.02 * abs(hi) + 1e-6)
        ax.set_ylim(lo - pad, hi + pad)
        if name == "pace":
            ax.invert_yaxis()  # faster is up
            ax.yaxis.set_major_formatter(
                FuncFormatter(lambda v, _p: f"{int(v)}:{int(round((v % 1) * 60)) % 60:02d}")
            )
        ax.set_ylabel(label)
    # Flagged stretches: one row per rule in the strip on top (hatched, so they
    # read in greyscale), and a light band across the panels below.
    strip.set_title("Flagged stretches", loc="left", fontsize=9)
    strip.grid(False)
    strip.set_ylim(-0.6, max(1, len(rules)) - 0.4)
    strip.invert_yaxis()
    for f in found:
        k = rules.index(f.rule)
        hatch, colour = SHADES[k % len(SHADES)]
        for a, b in f.time_ranges:
            xa = (pd.Timestamp(a).timestamp() - t0) / 60.0
            xb = (pd.Timestamp(b).timestamp() - t0) / 60.0
            strip.broken_barh(
                [(xa, xb - xa)],
                (k - 0.35, 0.7),
                facecolors=colour,
                edgecolor="black",
                hatch=hatch,
                linewidth=0.5,
                alpha=0.85,
            )
            for ax in axes:
                ax.axvspan(xa, xb, facecolor=colour, alpha=0.12, linewidth=0, zorder=0)
            result.shaded.append((f.rule, str(a), str(b)))
    sev = {}
    for f in found:
        sev.setdefault(f.rule, f.severity)
    if rules:
        strip.set_yticks(
            range(len(rules)), [f"{r.replace('_', ' ')} ({sev[r]})" for r in rules], fontsize=8
        )
    else:
        strip.set_yticks([])
        strip.text(
            0.5,
            0.5,
            "none",
            transform=strip.transAxes,
            ha="center",
            va="center",
            color="#444444",
        )
    strip.tick_params(labelbottom=False)
    first = axes[0]
    h0, _l0 = first.get_legend_handles_labels()
    if h0:
        first.legend(handles=h0, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    axes[-1].set_xlabel("elapsed time (min)")
    start = activity.local_start
    when = start.strftime("%Y-%m-%d %H:%M") if start is not None else "?"
    name = Path(activity.source.path).name if activity.source.path else "run"
    fig.suptitle(
        title
        or f"{name}: run of {when}"
        + (" (local time)" if activity.utc_offset_s is not None else " (UTC)"),
        fontweight="bold",
    )
    note = (
        f"Top strip: stretches flagged by runlens' form rules ({len(result.shaded)}), repeated "
        "as light bands below. "
        "Flags are associations, not diagnoses; compare with your own speed-matched baseline."
        if result.shaded
        else "No stretch of this run was flagged."
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

    Returns
    -------
    RunChart
    """
    output_format(out)
    with style():
        fig, result = run_figure(activity, findings)
        result.path = save_figure(fig, out)
    return result
