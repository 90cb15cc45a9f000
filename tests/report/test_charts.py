"""The weekly chart, the run chart and the PDF report, from known histories."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import ROOT
from tests.report.helpers import pdf_pages, png_info
from tests.report.synthetic import OVERSTRIDE_WEEK, SPIKE_WEEK

A4_PX = (1169, 827)  # 11.69 x 8.27 in at 100 dpi


def test_cli_import_does_not_load_matplotlib():
    code = (
        "import sys, runlens.cli; runlens.cli.build_parser(); "
        "import runlens.report.charts, runlens.report.pdf; "
        "print('matplotlib' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == "False"


def test_weekly_chart_marks_exactly_the_flagged_weeks(synth_data, tmp_path):
    from runlens.report.charts import draw_weekly

    res = draw_weekly(synth_data, tmp_path / "w.png")
    assert png_info(res.path)[:2] == A4_PX
    # The load layer's findings: the 55 min run of 2026-08-30 is a session spike.
    flagged = sorted(
        {f.evidence.values["week"] for f in synth_data.findings if f.severity == "flag"}
    )
    assert flagged == [SPIKE_WEEK]
    assert res.flagged_weeks == flagged  # read back from the hatched bars
    assert res.spike_sessions == ["2026-08-30"]
    noted = sorted(
        {f.evidence.values["week"] for f in synth_data.findings if f.severity == "note"}
        - set(flagged)
    )
    assert res.noted_weeks == noted
    assert len(res.weeks) == 6
    # From the store's per-minute form table: every form metric the runs carry.
    assert res.form_metrics == [
        "cadence_spm",
        "step_length_m",
        "vertical_oscillation_mm",
        "ground_contact_ms",
    ]


def test_form_trend_at_matched_pace_shows_the_overstride_week(synth_dir, synth_history):
    """Cadence x 0.91 at the same speed in the last week (synthetic.py)."""
    import pandas as pd

    from runlens.io import read
    from runlens.report.charts import form_from_activities, weekly_form

    # Four weeks are enough for a reference: the first, two middle ones and the last.
    files = sorted(synth_dir.glob("*.fit"))
    acts = [read(p) for p in files[:3] + files[-3:]]
    form = form_from_activities(acts, synth_history)
    weeks = pd.to_datetime(["2026-07-27", OVERSTRIDE_WEEK])
    trends, ref, band = weekly_form(form, weeks)
    assert set(ref) == {
        "cadence_spm",
        "step_length_m",
        "vertical_oscillation_mm",
        "ground_contact_ms",
    }
    assert 2.6 < band.low_m_s < band.high_m_s < 3.2  # the runner's easy pace, 2.9 m/s
    cad = trends["cadence_spm"].to_numpy()
    step = trends["step_length_m"].to_numpy()
    assert cad[1] / cad[0] == pytest.approx(0.91, abs=0.02)
    assert step[1] / step[0] == pytest.approx(1 / 0.91, abs=0.025)
    # the pattern also lengthens ground contact (+3.6 %) and raises oscillation (+4.5 %)
    assert trends["ground_contact_ms"].iloc[1] / trends["ground_contact_ms"].iloc[0] > 1.015
    assert np.isfinite(trends["vertical_oscillation_mm_pct"]).all()


def test_weekly_chart_from_the_corpus(corpus_data, tmp_path):
    from runlens.report.charts import draw_weekly

    res = draw_weekly(corpus_data, tmp_path / "c.png", metric="trimp")
    assert png_info(res.path)[:2] == A4_PX
    assert len(res.weeks) == len(corpus_data.weeks) > 40
    assert res.flagged_weeks == corpus_data.flagged_weeks() != []
    assert res.noted_weeks == corpus_data.noted_weeks()
    spikes = sorted(
        {f.evidence.values["date"] for f in corpus_data.findings if f.rule == "session_spike"}
    )
    assert sorted(set(res.spike_sessions)) == spikes
    assert res.form_metrics == []  # GPX without cadence: said, not drawn


def test_same_input_same_bytes(synth_data, tmp_path):
    from runlens.report.charts import draw_weekly
    from runlens.report.pdf import write_report

    a = draw_weekly(synth_data, tmp_path / "a.png").path.read_bytes()
    b = draw_weekly(synth_data, tmp_path / "b.png").path.read_bytes()
    assert a == b
    _w, _h, texts = png_info(tmp_path / "a.png")
    assert "Software" not in texts and not any("date" in k.lower() for k in texts)
    from runlens.report.charts import chart_data

    short = chart_data(synth_data.history, date_from=OVERSTRIDE_WEEK)
    p1 = write_report(short, tmp_path / "a.pdf").path.read_bytes()
    p2 = write_report(short, tmp_path / "b.pdf").path.read_bytes()
    assert p1 == p2
    assert b"CreationDate" not in p1 and b"ModDate" not in p1


def test_report_pdf_pages(synth_data, tmp_path):
    from runlens.report.pdf import write_report

    rep = write_report(synth_data, tmp_path / "r.pdf")
    weeks_with_runs = int((synth_data.weeks["runs"] > 0).sum())
    assert weeks_with_runs == 6
    # summary + one page per week (+ continuation pages: nothing is cut) + caveats
    assert rep.pages == pdf_pages(rep.path) == 1 + weeks_with_runs + sum(rep.continued.values()) + 1
    assert rep.flagged_weeks == [SPIKE_WEEK]
    # every volume finding is written on its week's page
    for f in synth_data.findings:
        assert f.rule in rep.week_findings[f.evidence.values["week"]]
    assert "session_spike" in rep.week_findings[SPIKE_WEEK]


def _main(capsys, *args):
    """The CLI in this process (a subprocess would import pandas and matplotlib again)."""
    from runlens.cli import main

    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_report_from_the_corpus(corpus_store, tmp_path, capsys):
    out = tmp_path / "c.pdf"
    args = ["report", "--db", str(corpus_store), "-o", str(out)]
    code, stdout, err = _main(capsys, *args, "--from", "2021-03-01", "--to", "2021-04-30")
    assert code == 0, err
    from runlens.history import Store, build_history
    from runlens.report.charts import chart_data

    with Store(corpus_store, create=False) as s:
        d = chart_data(build_history(s), date_from="2021-03-01", date_to="2021-04-30")
    n = int((d.weeks["runs"] > 0).sum())
    assert n >= 5
    assert pdf_pages(out) == n + 2
    assert f"{n + 2} pages" in stdout


def test_cli_chart_scans_a_folder(synth_dir, synth_store, tmp_path, capsys):
    import shutil

    # A copy of the scanned store: the command's scan finds every file known and reads none.
    db = tmp_path / "h.sqlite"
    shutil.copy(synth_store, db)
    out = tmp_path / "s.pdf"
    code, stdout, err = _main(
        capsys, "chart", str(synth_dir), "--db", str(db), "-o", str(out), "--metric", "time"
    )
    assert code == 0, err
    assert "6 weeks, 1 flagged" in stdout
    assert pdf_pages(out) == 1


@pytest.mark.parametrize(
    "args, msg",
    [
        (["-o", "x.png"], "history.sqlite: no history store here"),  # nothing scanned yet
        (["--db", "missing.sqlite", "-o", "x.png"], "no history store here"),
        (["--db", "missing.sqlite", "-o", "x.gif"], "use .png or .pdf"),
    ],
)
def test_cli_chart_errors_are_one_line(args, msg, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _out, err = _main(capsys, "chart", *args)
    assert code == 1
    assert msg in err and len(err.strip().splitlines()) == 1


def test_run_plot_shades_flagged_stretches(synth_dir, tmp_path):
    import pandas as pd

    from runlens.findings import Finding
    from runlens.io import read
    from runlens.report.charts import draw_run

    a = read(sorted(synth_dir.glob("*.fit"))[-1])
    t0 = a.records.index[0]
    rng = ((t0 + pd.Timedelta(minutes=11)).isoformat(), (t0 + pd.Timedelta(minutes=15)).isoformat())
    f = Finding("overstriding", "flag", "measured", "low step rate", time_ranges=[rng])
    res = draw_run(a, [f, Finding("x", "info", "unknown", "whole run")], tmp_path / "r.png")
    assert png_info(res.path)[:2] == A4_PX
    # pace, then the flagged metric, then the channels the file has (no "not recorded")
    assert res.panels[:2] == ["pace", "cadence"] and len(res.panels) == 5
    assert "(judged)" in res.ylabels["cadence"] and res.missing == []
    assert res.shaded == [("overstriding", *rng)]


def test_run_plot_of_a_gpx_run_draws_what_it_has(tmp_path):
    from runlens.io import read
    from runlens.report.charts import draw_run
    from tests.report.conftest import CORPUS_SESSION

    if not CORPUS_SESSION.is_dir():
        pytest.skip(f"corpus folder not found: {CORPUS_SESSION}")
    f = sorted(CORPUS_SESSION.glob("*.gpx"))[0]  # positions, altitude, heart rate only
    res = draw_run(read(f), [], tmp_path / "run.png")
    assert png_info(res.path)[:2] == A4_PX
    assert res.panels == ["pace", "heart_rate"]  # its altitude is 0 throughout: not drawn
    assert res.missing == []


def _legend_entries_are_drawn(fig):
    """Every legend entry of every panel is an artist drawn in that panel, with data."""
    import numpy as np
    from matplotlib.lines import Line2D

    n = 0
    for ax in fig.axes:
        leg = ax.get_legend()
        if leg is None:
            continue
        children = set(map(id, ax.get_children()))
        children |= {id(c) for c in ax.containers if all(id(b) in children for b in c)}
        handles, labels = ax.get_legend_handles_labels()
        assert len(handles) == len(leg.get_texts()), [t.get_text() for t in leg.get_texts()]
        for h, lab in zip(handles, labels):
            n += 1
            assert id(h) in children, lab
            if isinstance(h, Line2D):
                x, y = (np.asarray(v, dtype=float) for v in h.get_data())
                assert (np.isfinite(x) & np.isfinite(y)).any(), f"{lab!r} has no drawn point"
    return n


def test_weekly_legend_lists_only_what_is_drawn(samples_data):
    from runlens.report.charts._style import style
    from runlens.report.charts.weekly import weekly_figure

    with style():
        fig, res = weekly_figure(samples_data, "distance")
    assert _legend_entries_are_drawn(fig) >= 5
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    # every bar carries its value
    from runlens.report.charts.weekly import metric_values

    heights, _ = metric_values(samples_data.weeks, "distance")
    assert [f"{h:.0f}" for h in heights] == [t for t in texts if t.isdigit()][: len(heights)]
    words = " ".join(t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts())
    assert "store" not in words and "flagged week" not in words  # nothing flagged, none listed


def test_weekly_legend_of_a_flagged_history(synth_data):
    from runlens.report.charts._style import style
    from runlens.report.charts.weekly import weekly_figure

    with style():
        fig, res = weekly_figure(synth_data, "distance")
    assert res.flagged_weeks
    assert _legend_entries_are_drawn(fig) >= 6


def test_run_plot_draws_breathing_when_the_file_records_it(tmp_path):
    import io

    from runlens.io import read
    from runlens.report.charts import draw_run
    from runlens.rules import evaluate_all
    from runlens.sim.fitwrite import encode_activity
    from runlens.sim.synth import Pattern, simulate_run

    run = simulate_run(seed=41, duration_s=3600, patterns=[Pattern("fast_breathing", 1500, 3600)])
    a = read(io.BytesIO(encode_activity(run)))
    found = [f.to_dict() for f in evaluate_all(a) if f.rule == "breathing_rise"]
    assert found, "the planted breathing rise is noted"
    res = draw_run(a, found, tmp_path / "r.png")
    assert png_info(res.path)[:2] == A4_PX
    assert res.panels[:2] == ["pace", "breathing"]  # the judged metric comes right after pace
    assert "judged" in res.ylabels["breathing"]
    assert [r for r, _, _ in res.shaded] == ["breathing_rise"]


def test_breathing_panel_has_steps_per_breath_on_its_right_axis():
    import io

    import numpy as np

    from runlens.io import read
    from runlens.report.charts._style import style
    from runlens.report.charts.run import run_figure
    from runlens.rules import evaluate_all
    from runlens.sim.fitwrite import encode_activity
    from runlens.sim.synth import Pattern, simulate_run

    # Steps per breath 4.5, from 25 min ramping to 3.0 (reached at 25 + 35 / 3 = 36.7 min).
    run = simulate_run(seed=41, duration_s=3600, patterns=[Pattern("fast_breathing", 1500, 3600)])
    a = read(io.BytesIO(encode_activity(run)))
    (rise,) = [f for f in evaluate_all(a) if f.rule == "breathing_rise"]
    with style():
        fig, res = run_figure(a, [rise.to_dict()])
    assert res.right_ylabels == {"breathing": "steps per\nbreath"}
    (right,) = [ax for ax in fig.axes if ax.get_ylabel() == "steps per\nbreath"]
    curve, limit = right.get_lines()
    x, y = (np.asarray(v, dtype=float) for v in curve.get_data())
    assert np.nanmedian(y[(x > 12) & (x < 24)]) == pytest.approx(4.5, abs=0.1)
    assert np.nanmedian(y[x > 40]) == pytest.approx(3.0, abs=0.1)
    # The line it was noted below: the rule's own limit, 20 % under the reference.
    v = rise.evidence.threshold["steps_per_breath_below"]
    assert limit.get_ydata()[0] == pytest.approx(v)
    assert ("breathing_rise", "breathing", pytest.approx(v)) in res.lines
    lo, hi = right.get_ylim()
    assert lo < 3.0 and hi > 4.5  # both levels in view
    # The panel's own legend: the noted-below line, drawn there.
    leg = right.get_legend()
    assert [t.get_text() for t in leg.get_texts()] == [limit.get_label()]
    assert f"below {v:.1f} steps per breath" in limit.get_label()
    # The figure's legend names the curve (drawn in the curve's own colour and style).
    (top,) = [ax.get_legend() for ax in fig.axes if ax.get_legend() and ax is not right]
    names = {t.get_text(): h for t, h in zip(top.get_texts(), top.legend_handles)}
    assert names["steps per breath (right axis)"].get_color() == curve.get_color()
    without, _ = run_figure(
        read(io.BytesIO(encode_activity(simulate_run(seed=41, duration_s=1800)))), []
    )
    assert not [ax for ax in without.axes if ax.get_ylabel() == "steps per\nbreath"]


def test_weekly_form_trend_has_steps_per_breath_when_runs_record_breathing(breathing_data, tmp_path):
    import pandas as pd

    from runlens.report.charts import draw_weekly, weekly_form
    from tests.report.synthetic import BREATHING_WEEK, OVERSTRIDE_WEEK

    res = draw_weekly(breathing_data, tmp_path / "w.png")
    assert res.form_metrics == [
        "cadence_spm",
        "step_length_m",
        "vertical_oscillation_mm",
        "ground_contact_ms",
        "steps_per_breath",
    ]
    weeks = pd.DatetimeIndex(breathing_data.weeks["week"])
    trends, ref, _band = weekly_form(breathing_data.form, weeks)
    # The runner's 4.5 steps per breath in five weeks of six: the period's median.
    assert ref["steps_per_breath"] == pytest.approx(4.5, abs=0.05)
    pct = trends["steps_per_breath_pct"]
    # 3.5 steps per breath at the same pace: 22 % fewer, and the reference stays 4.5.
    assert pct[pd.Timestamp(BREATHING_WEEK)] == pytest.approx((3.5 / 4.5 - 1) * 100, abs=2.0)
    # Weeks with a value (5 in-band minutes) are the other weeks at 4.5.
    others = pct.drop(pd.Timestamp(BREATHING_WEEK)).dropna()
    assert len(others) >= 2 and (others.abs() < 2.0).all()
    assert pct.notna().tolist() == trends["cadence_spm_pct"].notna().tolist()
    # The overstride week's breathing follows its cadence: steps per breath unchanged there.
    assert abs(pct[pd.Timestamp(OVERSTRIDE_WEEK)]) < 2.0


def test_weekly_form_trend_without_breathing_neither_draws_nor_names_it(synth_data):
    from runlens.report.charts._style import style
    from runlens.report.charts.weekly import weekly_figure

    with style():
        fig, res = weekly_figure(synth_data, "distance")
    assert "steps_per_breath" not in res.form_metrics
    words = [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]
    words += [ax.get_legend().get_title().get_text() for ax in fig.axes if ax.get_legend()]
    assert not any("breath" in w for w in words)
