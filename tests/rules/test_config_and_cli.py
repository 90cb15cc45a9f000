"""Rules from the TOML config, evaluate_all, and ``runlens analyze`` with findings."""

from __future__ import annotations

import csv
import json

import pytest

from runlens.cli import main
from runlens.config import RunnerProfile, load_config
from runlens.errors import RunlensError
from runlens.rules import REGISTRY, enabled_rules, evaluate_all

from ..conftest import CORPUS, corpus, run_cli
from .builder import build_run

FINDING_KEYS = {
    "rule",
    "severity",
    "confidence",
    "message",
    "evidence",
    "time_ranges",
    "suggestion",
    "activity",
}


def write(tmp_path, text):
    p = tmp_path / "config.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_config_sets_rule_parameters_and_disables_rules(tmp_path):
    cfg = load_config(
        write(
            tmp_path,
            "[runner]\nheight_m = 1.80\nmax_hr_bpm = 180\n\n"
            "[rules.overstriding]\nmin_duration_s = 600\n\n"
            "[rules.no_warmup]\nenabled = false\n",
        )
    )
    run = build_run(40, overrides={"cadence_spm": [(15, 23, 146.0)]})  # 8 minutes low
    # (max heart rate 180: the run's 150 bpm is harder than easy, so no_warmup judges it)
    default_rules = [f.rule for f in evaluate_all(run, profile=RunnerProfile(max_hr_bpm=180))]
    assert "overstriding" in default_rules and "no_warmup" in default_rules
    configured = [f.rule for f in evaluate_all(run, cfg)]
    assert "overstriding" not in configured and "no_warmup" not in configured
    assert "heel_striking" in configured  # never silent
    assert [r.name for r in enabled_rules(cfg)][0] == "overstriding"


def test_config_height_reaches_overstriding_and_cli_profile_overrides_it(tmp_path):
    cfg = load_config(write(tmp_path, "[runner]\nheight_m = 2.0\n"))
    run = build_run(40, overrides={"cadence_spm": [(15, 25, 146.0)]}, height_m=1.5)
    step = 3.0 * 60 / 146

    def ratio(findings):
        return next(f for f in findings if f.rule == "overstriding").evidence.values[
            "step_length_height_ratio"
        ]

    assert ratio(evaluate_all(run)) == pytest.approx(step / 1.5, abs=0.01)  # the file's
    assert ratio(evaluate_all(run, cfg)) == pytest.approx(step / 2.0, abs=0.01)  # config's
    over = RunnerProfile(height_m=1.6)
    assert ratio(evaluate_all(run, cfg, profile=over)) == pytest.approx(step / 1.6, abs=0.01)


@pytest.mark.parametrize(
    "text, words",
    [
        ("[rules.overstriding]\nmin_durration_s = 600\n", "unknown keys"),
        ("[rules.overstriding]\nmin_duration_s = 'long'\n", "expected a value like"),
        ("[rules.overstriding_typo]\nmin_duration_s = 600\n", "unknown rule sections"),
        ("[rules]\noverstriding = 3\n", "must hold tables"),
    ],
)
def test_bad_rule_config_is_one_clear_error(tmp_path, text, words):
    p = write(tmp_path, text)
    with pytest.raises(RunlensError) as err:
        evaluate_all(build_run(30), load_config(p))
    assert words in str(err.value) and str(p) in str(err.value)


def test_not_a_run_gets_one_info_finding():
    ride = build_run(30, sport="cycling")
    (f,) = evaluate_all(ride)
    assert f.severity == "info" and "cycling" in f.message


def test_every_registered_rule_is_documented():
    from ..conftest import ROOT

    doc = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for name, cls in REGISTRY.items():
        if cls.scope != "activity":
            continue
        assert f"`{name}`" in doc, name
        for param in cls.param_names():
            assert f"`{param}`" in doc, (name, param)


# -- CLI -----------------------------------------------------------------------------

SMALL = "python-fitparse/tests/files/developer-types-sample.fit"


def analyze_json(capsys, *args):
    assert main(["analyze", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_cli_height_and_baseline_options(capsys, tmp_path):
    path = str(corpus(SMALL))
    # Its 150 steps/min are 3 below the population band's 153, inside the default 3 spm
    # margin (no finding, issue 25); a 1 spm margin makes it a note to read.
    near = tmp_path / "near.toml"
    near.write_text("[rules.overstriding]\npopulation_margin_spm = 1.0\nresolution_spm = 1.0\n")
    assert "overstriding" not in {
        f["rule"] for f in analyze_json(capsys, path, "--height", "1.80")["findings"]
    }
    pop = analyze_json(capsys, path, "--height", "1.80", "--config", str(near))
    by_rule = {f["rule"]: f for f in pop["findings"]}
    over = by_rule["overstriding"]
    # the corpus folder was never scanned: no store holds it, population band
    assert over["evidence"]["basis"] == "population band: no history given"
    v = over["evidence"]["values"]
    assert v["step_length_height_ratio"] == pytest.approx(v["step_length_m"] / 1.80, abs=0.002)
    # A baseline that expects 100 + 20 x 2.1 = 142 spm at this runner's ~2.1 m/s:
    # their ~149 spm (the watch's own session average is 148) is not low for it.
    b = tmp_path / "baseline.json"
    b.write_text(
        json.dumps(
            {
                "intercept_spm": 100.0,
                "slope_spm_per_m_s": 20.0,
                "n_activities": 12,
                "n_samples": 9000,
                "residual_sd_spm": 3.0,
                "speed_range_m_s": [1.8, 3.0],
            }
        )
    )
    own = analyze_json(capsys, path, "--baseline", str(b))
    assert not [f for f in own["findings"] if f["rule"] == "overstriding"]


def test_cli_bad_baseline_and_config_exit_1_with_one_line(tmp_path):
    bad = tmp_path / "b.json"
    bad.write_text("{not json")
    r = run_cli("analyze", str(corpus(SMALL)), "--baseline", str(bad))
    assert r.returncode == 1 and str(bad) in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = run_cli("analyze", str(corpus(SMALL)), "--config", str(tmp_path / "missing.toml"))
    assert r.returncode == 1 and "config file not found" in r.stderr
    assert "Traceback" not in r.stderr


def test_cli_text_shows_findings_evidence_and_caveats(tmp_path):
    near = tmp_path / "near.toml"
    near.write_text("[rules.overstriding]\npopulation_margin_spm = 1.0\nresolution_spm = 1.0\n")
    r = run_cli("analyze", str(corpus(SMALL)), "-v", "--config", str(near))
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "Findings" in out and "[note] overstriding (inferred" in out
    assert "Evidence:" in out and "Source:" in out and "Suggestion:" in out
    assert "heel striking" in out and "Keep in mind" in out


def running_corpus_files():
    cat = CORPUS / "catalog.csv"
    if not cat.exists():
        return []
    with open(cat, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [r["path"] for r in rows if r["running"] == "yes" and r["fitparse_ok"] == "yes"]


@pytest.mark.parametrize("rel", running_corpus_files())
def test_corpus_running_files_are_analysed_with_findings(capsys, rel):
    out = analyze_json(capsys, str(corpus(rel)))
    assert out["caveats"]
    rules = [f["rule"] for f in out["findings"]]
    assert "heel_striking" in rules  # known, inferred or "unknown": never silent
    for f in out["findings"]:
        assert set(f) == FINDING_KEYS
        assert f["severity"] in ("info", "note", "flag")
        for a, b in f["time_ranges"]:
            assert a <= b and a.endswith("+00:00")


def test_docs_config_example_is_valid(tmp_path):
    """The TOML and JSON examples of docs/config.md load and do what they say."""
    import re

    from runlens.api import read_baseline

    from ..conftest import ROOT

    doc = (ROOT / "docs" / "config.md").read_text(encoding="utf-8")
    toml = re.search(r"```toml\n(.*?)```", doc, re.S).group(1)
    cfg = load_config(write(tmp_path, toml))
    assert cfg.runner.height_m == 1.78 and cfg.runner.sex == "female"
    names = [r.name for r in enabled_rules(cfg)]
    assert "no_warmup" not in names
    vm = next(r for r in enabled_rules(cfg) if r.name == "vertical_motion")
    assert vm.sensor == "chest_strap"
    js = re.search(r"```json\n(.*?)```", doc, re.S).group(1)
    (tmp_path / "b.json").write_text(js, encoding="utf-8")
    b = read_baseline(str(tmp_path / "b.json"))
    assert b.expected_spm(3.0) == pytest.approx(118.0 + 16.5 * 3.0)
