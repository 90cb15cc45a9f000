"""Pictures of a runner's training and runs (PNG and PDF), drawn headless.

matplotlib is imported only inside the drawing functions: importing this
package (or ``runlens.cli``) does not load it. docs/charts.md shows each
picture and explains how to read it.

- :func:`draw_weekly`: weekly volume, acute:chronic ratio, form at matched pace.
- :func:`draw_run`: one run's pace, cadence, oscillation and ground contact,
  with the stretches its findings flagged shaded.
- :func:`runlens.report.pdf.write_report`: the multi-page weekly report.
"""

from __future__ import annotations

from .data import ChartData, chart_data, form_from_activities, form_from_points, history_frame
from .run import RunChart, draw_run
from .trends import FORM_METRICS, PaceBand, matched_pace_band, weekly_form
from .weekly import METRICS, WeeklyChart, draw_weekly

__all__ = [
    "ChartData",
    "chart_data",
    "form_from_activities",
    "form_from_points",
    "history_frame",
    "RunChart",
    "draw_run",
    "FORM_METRICS",
    "PaceBand",
    "matched_pace_band",
    "weekly_form",
    "METRICS",
    "WeeklyChart",
    "draw_weekly",
]
