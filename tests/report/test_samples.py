"""Charts and the report from sample_activities/ (docs/synthetic-data.md)."""

from __future__ import annotations

from tests.conftest import SAMPLES, run_cli
from tests.report.helpers import pdf_pages, png_info

A4_PX = (1169, 827)


def test_chart_and_report_from_sample_activities(samples_data, tmp_path):
    from runlens.report.charts import draw_weekly
    from runlens.report.pdf import write_report

    res = draw_weekly(samples_data, tmp_path / "s.png", metric="load")
    assert png_info(res.path)[:2] == A4_PX
    # 28 runs from Monday 2026-08-03 to Sunday 2026-09-13: six weeks
    assert res.weeks[0] == "2026-08-03" and len(res.weeks) == 6
    flagged = sorted(
        {f.evidence.values["week"] for f in samples_data.findings if f.severity == "flag"}
    )
    assert res.flagged_weeks == flagged
    # FIT runs with running dynamics, read from the store's per-minute form table
    assert res.form_metrics == [
        "cadence_spm",
        "step_length_m",
        "vertical_oscillation_mm",
        "ground_contact_ms",
    ]
    rep = write_report(samples_data, tmp_path / "s.pdf")
    assert rep.pages == pdf_pages(rep.path) == 6 + 2
    # the form findings of the runs are written on their week's page
    assert "overstriding" in rep.week_findings["2026-08-17"]


def test_analyze_plot_shades_what_the_rules_flagged(tmp_path):
    from runlens.config import Config
    from runlens.io import read
    from runlens.report.charts import draw_run
    from runlens.rules import evaluate_all

    f = SAMPLES / "2026-08-18-run-easy.fit"  # overstride pattern from 1200 s to 1800 s
    a = read(f)
    findings = evaluate_all(a, Config())
    res = draw_run(a, findings, tmp_path / "lib.png")
    expected = [(x.rule, *r) for x in findings for r in x.time_ranges]
    assert res.shaded == expected
    assert any(rule == "overstriding" for rule, *_ in res.shaded)
    out = tmp_path / "cli.png"
    r = run_cli("analyze", str(f), "--plot", str(out))
    assert r.returncode == 0, r.stderr
    assert png_info(out)[:2] == A4_PX
