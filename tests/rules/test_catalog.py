"""Each rule class owns what is said about it (issue 23, "one owner per concept").

Its name for the runner, its run-chart panel, its pain-report kind, its listing
order and the section of docs/evidence.md that weighs it are attributes of the
class; the report layer's tables are derived from them. These tests iterate
over every registered rule, so a new rule that leaves one out fails here (and
:func:`runlens.rules.register` refuses it at import).
"""

from __future__ import annotations

import pytest

from runlens import rules
from runlens.findings import Evidence, Finding
from runlens.model import RECORD_COLUMNS
from runlens.report.docs import page, section
from runlens.rules import REGISTRY, Rule, register
from runlens.rules.base import DESCRIBED_BY
from tests.conftest import ROOT

ALL = sorted(REGISTRY)


def test_every_rule_is_in_the_registry():
    """The per-activity rules and the history ones (volume) are all registered."""
    assert {"overstriding", "session_spike", "breathing_rise", "returning"} <= set(ALL)
    assert len(ALL) == 12


@pytest.mark.parametrize("name", ALL)
def test_each_rule_says_everything_about_itself(name):
    from runlens.report.charts.run import RUN_PANELS

    cls = REGISTRY[name]
    missing = [a for a in DESCRIBED_BY if a not in vars(cls)]
    assert not missing, f"{cls.__name__} must set {missing} in its own class body"
    assert isinstance(cls.title, str) and cls.title.strip() and "_" not in cls.title
    assert isinstance(cls.order, int)
    if cls.scope == "activity":  # every form finding is drawn on a run's chart
        assert cls.panel in RUN_PANELS, cls.panel
    else:
        assert cls.panel is None  # history rules judge weeks, not a stretch of one run
    if cls.pain is not None:
        label, group = cls.pain
        assert label.strip() and group in ("volume", "form")
        assert group == ("form" if cls.scope == "activity" else "volume")
    assert cls.needs is None or cls.needs in RECORD_COLUMNS
    assert section(page("evidence"), cls.evidence) is not None, (
        f"{name}: docs/evidence.md has no section {cls.evidence!r}"
    )


def test_each_rule_has_its_page():
    """A per-activity rule has its heading in docs/rules.md; a history rule its row in
    docs/history.md's volume findings."""
    rules_md = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    volume = section((ROOT / "docs" / "history.md").read_text(encoding="utf-8"), "Volume findings")
    for name, cls in REGISTRY.items():
        if cls.scope == "activity":
            assert f"## `{name}`" in rules_md, name
        else:
            assert f"`{name}`" in volume, name


def test_orders_and_titles_are_unique():
    classes = list(REGISTRY.values())
    assert len({c.order for c in classes}) == len(classes)
    assert len({c.title for c in classes}) == len(classes)


def test_the_report_tables_are_derived_from_the_classes():
    from runlens.pain.analysis import BREATHING_KINDS, KINDS
    from runlens.report.charts.run import RULE_PANEL
    from runlens.report.vocab import RULE_NAMES

    assert RULE_NAMES == {n: c.title for n, c in REGISTRY.items()} | rules.NOTICES
    assert RULE_PANEL == {n: c.panel for n, c in REGISTRY.items() if c.panel}
    assert KINDS == {n: c.pain for n, c in REGISTRY.items() if c.pain}
    assert BREATHING_KINDS == {n for n in KINDS if REGISTRY[n].needs == "respiration_rate_brpm"}
    acts = [c for c in REGISTRY.values() if c.scope == "activity"]
    assert list(rules.ORDER) == [c.name for c in sorted(acts, key=lambda c: c.order)]
    # The pain report lists the volume kinds first, then the form kinds, each by order.
    groups = [g for _, g in KINDS.values()]
    assert groups == sorted(groups, key=lambda g: g != "volume")


def test_the_tables_say_what_they_said_before():
    """What the hand-kept tables held before they were derived: the same words, the
    same order (a new rule adds entries; none of these changes)."""
    from runlens.pain.analysis import BREATHING_KINDS, KINDS
    from runlens.report.charts.run import RULE_PANEL
    from runlens.report.vocab import RULE_NAMES

    before_names = {
        "overstriding": "overstriding",
        "heel_striking": "heel striking",
        "gct_imbalance": "uneven ground contact",
        "vertical_motion": "bouncy stride",
        "form_fade": "late-run form fade",
        "no_warmup": "no warm-up",
        "breathing_rise": "breathing harder than usual",
        "breathing_baseline": "breathing against your usual",
        "session_spike": "one run much longer than usual",
        "weekly_increase": "big weekly increase",
        "acute_chronic": "sharp rise in load",
        "volume_history": "too little history to judge volume",
        "returning": "returning after a break",
    }
    assert before_names.items() <= RULE_NAMES.items()
    before_panel = {
        "overstriding": "cadence",
        "heel_striking": "ground_contact",
        "gct_imbalance": "balance",
        "vertical_motion": "vertical_oscillation",
        "form_fade": "cadence",
        "no_warmup": "pace",
        "breathing_rise": "breathing",
        "breathing_baseline": "breathing",
    }
    assert before_panel.items() <= RULE_PANEL.items()
    before_kinds = [
        ("session_spike", ("session spike (run > 10 % over the 30-day longest)", "volume")),
        ("weekly_increase", ("weekly increase (distance > 10 % over the week before)", "volume")),
        ("acute_chronic", ("acute:chronic load ratio >= 1.5", "volume")),
        ("overstriding", ("overstriding (low step rate for the speed)", "form")),
        ("heel_striking", ("heel striking", "form")),
        ("gct_imbalance", ("ground contact imbalance (left / right)", "form")),
        ("vertical_motion", ("vertical motion", "form")),
        ("form_fade", ("form fade late in a run", "form")),
        ("no_warmup", ("no warm-up", "form")),
        (
            "breathing_rise",
            ("steps per breath falling late in a run (breathing faster)", "form"),
        ),
    ]
    assert [kv for kv in KINDS.items() if kv[0] in dict(before_kinds)] == before_kinds
    assert BREATHING_KINDS == {"breathing_rise"}
    assert rules.ORDER[:8] == (
        "overstriding", "heel_striking", "gct_imbalance", "vertical_motion",
        "form_fade", "no_warmup", "breathing_rise", "breathing_baseline",
    )  # fmt: skip


def test_register_refuses_a_rule_that_leaves_one_out():
    with pytest.raises(TypeError, match="does not set panel, pain"):

        @register
        class Half(Rule):  # noqa: F841
            name = "half_described"
            title = "half a rule"
            order = 99
            evidence = "2"

    assert "half_described" not in REGISTRY


def test_a_new_rule_reaches_every_table_from_its_own_class():
    """One class is all a new rule needs: its title, panel and pain kind reach the
    derived tables (the module constants are built at import; the functions are live)."""
    try:

        @register
        class Lean(Rule):
            name = "forward_lean"
            title = "leaning forward"
            order = 18
            panel = "cadence"
            pain = ("forward lean", "form")
            evidence = "2"

            def evaluate(self, activity, baseline=None, profile=None):
                return []

        assert rules.titles()["forward_lean"] == "leaning forward"
        assert rules.chart_panels()["forward_lean"] == "cadence"
        assert list(rules.pain_kinds())[-1] == "forward_lean"  # form kinds after volume
        assert rules.catalog()[8 - 1].name == "breathing_baseline"
        assert rules.catalog()[8].name == "forward_lean"  # after the form rules, before volume
    finally:
        REGISTRY.pop("forward_lean", None)


def _finding(rule, threshold=None, values=None, basis=None):
    return Finding(
        rule, "note", "measured", "m",
        Evidence(values=values or {}, threshold=threshold or {}, basis=basis),
    )  # fmt: skip


def test_chart_lines_come_from_the_rule():
    """The lines the run chart draws, as each rule says it judged (known thresholds)."""
    over = REGISTRY["overstriding"].chart_lines(
        _finding("overstriding", {"cadence_spm_below": 160.0, "baseline_ratio": 0.95}), "cadence"
    )
    assert over == [(160.0, "flag below 160: 95% of your baseline at this speed", "--")]
    gct = REGISTRY["gct_imbalance"]
    lines = gct.chart_lines(
        _finding("gct_imbalance", {"left_pct_above": 50.7, "left_pct_below": 49.3}), "balance"
    )
    assert sorted(v for v, _, _ in lines) == [49.3, 50.7] and gct.chart_band
    fade = REGISTRY["form_fade"].chart_lines(
        _finding("form_fade", values={"cadence_spm_first_third": 170, "cadence_spm_last_third": 164}),
        "cadence",
    )
    assert [(v, d) for v, _, d in fade] == [(170.0, "--"), (164.0, ":")]
    vm = REGISTRY["vertical_motion"]
    f = _finding("vertical_motion", {"vertical_ratio_pct_above": 8.6}, {"vertical_ratio_pct": 9.0})
    assert vm.panel_for(f) == "vertical_ratio"
    assert vm.panel_for(_finding("vertical_motion", values={"vertical_oscillation_mm": 130})) == (
        "vertical_oscillation"
    )
    assert REGISTRY["no_warmup"].chart_lines(_finding("no_warmup"), "pace") == []


def test_every_module_of_the_rules_package_is_imported():
    """A rule in a new file registers itself: importing runlens.rules imports every
    public module of the package, so no other file has to name it."""
    import sys

    names = {p.stem for p in (ROOT / "runlens" / "rules").glob("*.py")}
    public = {n for n in names if not n.startswith("_")}
    assert {"volume", "overstriding", "base"} <= public
    assert all(f"runlens.rules.{n}" in sys.modules for n in public)
    # and every Rule subclass defined in them is registered
    for n in public:
        for obj in vars(sys.modules[f"runlens.rules.{n}"]).values():
            if isinstance(obj, type) and issubclass(obj, Rule) and obj is not Rule:
                if obj.__module__ == f"runlens.rules.{n}" and obj.name:
                    assert REGISTRY.get(obj.name) is obj, obj
