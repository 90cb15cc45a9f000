"""Metrics: pure, vectorised functions of an Activity (no I/O, no mutation).

docs/metrics.md defines every metric with its unit and source.
"""

from __future__ import annotations

from .elevation import ascent_descent, grade_pct, smooth_altitude
from .form import FORM_CHANNELS, FORM_COLUMNS, form_minutes
from .rolling import ROLLING_CHANNELS, rolling, steady_mask
from .samples import MetricOptions, haversine_m, sample_frame, segment_spans, steady_flags
from .summary import (
    BREATHING_KEYS,
    activity_metrics,
    aggregate,
    heart_rate_stats,
    km_splits,
    lap_metrics,
    session_metrics,
    steps_per_breath,
    summarize,
    time_weighted_mean,
)

__all__ = [
    "BREATHING_KEYS",
    "FORM_CHANNELS",
    "FORM_COLUMNS",
    "MetricOptions",
    "ROLLING_CHANNELS",
    "activity_metrics",
    "aggregate",
    "ascent_descent",
    "grade_pct",
    "form_minutes",
    "haversine_m",
    "heart_rate_stats",
    "km_splits",
    "lap_metrics",
    "rolling",
    "sample_frame",
    "segment_spans",
    "session_metrics",
    "smooth_altitude",
    "steady_flags",
    "steady_mask",
    "steps_per_breath",
    "summarize",
    "time_weighted_mean",
]
