"""Metrics: pure, vectorised functions of an Activity (no I/O, no mutation)."""

from __future__ import annotations

from .summary import session_metrics, summarize

__all__ = ["summarize"]
