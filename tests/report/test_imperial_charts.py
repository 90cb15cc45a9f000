"""Imperial units in what a runner looks at: the weekly chart, the PDF report, the run plot.

The history is the sample history (sample_activities/, generated with known
cadence, oscillation and distances); the PDF's text is read back with pdftotext,
the charts' text from the figure objects (axis labels, ticks, titles, legends).
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess

import pytest

METRIC = re.compile(r"km|/km|\bmm\b")


def _figure_text(fig) -> str:
    from matplotlib.text import Text

    fig.canvas.draw()  # tick labels exist once drawn
    return "\n".join(t.get_text() for t in fig.findobj(Text) if t.get_text())


def test_weekly_chart_in_imperial_units(samples_data):
    from runlens.report.charts._style import style
    from runlens.report.charts.weekly import weekly_figure

    with style():
        fig, _ = weekly_figure(dataclasses.replace(samples_data, units="imperial"))
        text = _figure_text(fig)
        metric_fig, _ = weekly_figure(samples_data)
        metric_text = _figure_text(metric_fig)
    assert not METRIC.search(text), METRIC.findall(text)
    assert "distance (mi)" in text and "/mi" in text
    # the same history in metric units: km on the axis, mm for the oscillation reference
    assert "distance (km)" in metric_text and "/km" in metric_text
    # the oscillation reference of the legend: the metric value in mm, the imperial in inches
    mm = float(re.search(r"(\d+) mm", metric_text)[1])
    inch = float(re.search(r"vertical oscillation\n\(0 % = (\d+\.\d) in\)", text)[1])
    assert inch == pytest.approx(mm / 25.4, abs=0.06)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) absent")
def test_pdf_report_in_imperial_units(samples_data, tmp_path):
    from runlens.report.pdf import write_report

    out = tmp_path / "r.pdf"
    write_report(dataclasses.replace(samples_data, units="imperial"), out)
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert not METRIC.search(text), sorted(set(ln for ln in text.splitlines() if METRIC.search(ln)))
    assert "/mi" in text and re.search(r"\d+\.\d\d mi\b", text)
    # the headline's total: the history's distance in miles
    total_m = float(samples_data.history.acts["distance_m"].sum())
    assert f"{total_m / 1609.344:.2f} mi" in text
    metric = tmp_path / "m.pdf"
    write_report(samples_data, metric)
    mtext = subprocess.run(
        ["pdftotext", "-layout", str(metric), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert f"{total_m / 1000:.2f} km" in mtext and "/km" in mtext


def test_run_plot_in_imperial_units():
    from runlens.io import read
    from runlens.report.charts._style import style
    from runlens.report.charts.run import run_figure
    from tests.conftest import SAMPLES

    act = read(SAMPLES / "2026-09-06-run-long.fit")
    with style():
        fig, _ = run_figure(act, units="imperial")
        text = _figure_text(fig)
    assert not METRIC.search(text), METRIC.findall(text)
    assert "min/mi" in text
