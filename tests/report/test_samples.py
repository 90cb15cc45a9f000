"""Charts and the report from sample_activities/ (docs/synthetic-data.md)."""

from __future__ import annotations

import pytest

from tests.conftest import SAMPLES, run_cli
from tests.report.helpers import pdf_pages, png_info

A4_PX = (1169, 827)


def test_chart_and_report_from_sample_activities(samples_data, tmp_path):
    from runlens.report.charts import draw_weekly
    from runlens.report.pdf import write_report

    res = draw_weekly(samples_data, tmp_path / "s.png", metric="trimp")
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
    assert rep.pages == pdf_pages(rep.path) == 6 + 2 + sum(rep.continued.values())
    # Nothing is cut: with room for 8 lines of findings a page, the week of 17 August
    # (two notes of 5-6 lines, one "not judged" line) continues on further pages.
    import runlens.report.pdf as report_pdf

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(report_pdf, "fit", lambda height: 8)
        small = write_report(samples_data, tmp_path / "small.pdf")
    assert small.continued.get("2026-08-17", 0) >= 1
    assert small.pages == pdf_pages(small.path) == 6 + 2 + sum(small.continued.values())
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


@pytest.mark.parametrize("name", ["2026-08-23-run-long.fit", "2026-09-06-run-long.fit"])
def test_run_picture_draws_each_judged_metric_with_its_line(tmp_path, name):
    """Every flagged or noted rule's metric has a panel (by its axis label) and its line."""
    from runlens.config import Config
    from runlens.io import read
    from runlens.report.charts import draw_run
    from runlens.report.charts.run import RULE_PANEL
    from runlens.rules import evaluate_all

    a = read(SAMPLES / name)
    findings = [f for f in evaluate_all(a, Config()) if f.severity in ("flag", "note")]
    assert findings
    res = draw_run(a, findings, tmp_path / "r.png")
    want = {"cadence": "cadence", "balance": "balance", "ground_contact": "ground contact"}
    for f in findings:
        panel = RULE_PANEL[f.rule]
        assert panel in res.panels and "(judged)" in res.ylabels[panel]
        assert want.get(panel, panel) in res.ylabels[panel]
        if f.rule == "overstriding":  # the line is the finding's own threshold
            assert ("overstriding", "cadence", f.evidence.threshold["cadence_spm_below"]) in res.lines
        if f.rule == "gct_imbalance":
            assert {v for r, _, v in res.lines if r == "gct_imbalance"} == {52.2, 47.8}
    assert sorted(res.shaded) == sorted((f.rule, *r) for f in findings for r in f.time_ranges)
