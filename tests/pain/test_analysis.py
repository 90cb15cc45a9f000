"""The pain report on histories whose answer is known by construction.

Two stores share the same 169 days of runs (tests/pain/builder.py): a run a
day, five session spikes every 28 days from day 35, "no warm-up" notes on
every tenth day. In the first diary pain starts the day after each spike;
in the control diary it starts on days chosen without regard to the spikes.
Windows and counts below are worked out by hand from that construction, and
Fisher's p from the hypergeometric distribution with math.comb.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest

from runlens.history import Store
from runlens.pain import (
    PainEntry,
    association,
    episodes_for_chart,
    find_episodes,
    holm,
    pain_report,
)
from runlens.report.pain_text import pain_report_text as format_text
from tests.pain.builder import (
    LAST,
    SPIKES,
    day,
    no_warmup_days,
    spike_runs,
    write_diary,
    write_store,
)


def fisher_two_sided(a: int, b: int, c: int, d: int) -> float:
    """Two-sided Fisher p by hand: sum of hypergeometric tables no more likely than this one."""
    n1, k, n = a + b, a + c, a + b + c + d
    total = math.comb(n, n1)

    def prob(x):
        return math.comb(k, x) * math.comb(n - k, n1 - x) / total

    p0 = prob(a)
    lo, hi = max(0, n1 - (n - k)), min(k, n1)
    return sum(prob(x) for x in range(lo, hi + 1) if prob(x) <= p0 * (1 + 1e-7))


def windows(pairs):
    return [(day(s).isoformat(), day(e).isoformat()) for s, e in pairs]


def count_with(wins, days_with):
    return sum(any(s <= x <= e for x in days_with) for s, e in wins)


@pytest.fixture(scope="module")
def runs_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("runs") / "runs.sqlite"
    write_store(db, spike_runs(), no_warmup_days())
    return db


def _copy(src, dst):
    with Store(src) as s:
        s.conn.execute(f"VACUUM INTO '{dst}'")
    return dst


@pytest.fixture(scope="module")
def spike_doc(runs_db, tmp_path_factory):
    db = _copy(runs_db, tmp_path_factory.mktemp("spike") / "s.sqlite")
    write_diary(db, [(s + 1, 5) for s in SPIKES] + [(s + 2, 4) for s in SPIKES])
    with Store(db) as s:
        return pain_report(s)


#: Pain windows of the spike diary: the 7 days before each onset (spike day + 1).
SPIKE_PAIN = [(s - 6, s) for s in SPIKES]
#: Control windows, greedy from day 0: four before the first pain window, two
#: in each 19-day pain-free gap (from 3 days after a spike to the day before
#: the next pain window), two after the last episode (the last run is day 168).
SPIKE_CONTROL = (
    [(0, 6), (7, 13), (14, 20), (21, 27)]
    + [(s + a, s + a + 6) for s in SPIKES[:-1] for a in (3, 10)]
    + [(150, 156), (157, 163)]
)


def test_runs_carry_exactly_the_built_volume_findings(runs_db):
    from runlens.history import build_history

    with Store(runs_db) as s:
        h = build_history(s)
    flags = [(f.rule, f.evidence.values.get("date")) for f in h.findings if f.severity != "info"]
    assert flags == [("session_spike", day(x).isoformat()) for x in SPIKES]
    assert [f.evidence.values["spike_ratio"] for f in h.findings[1:]] == pytest.approx([0.15] * 5)
    assert float(h.indicators["acwr"].max()) < 1.5


def test_pain_after_spikes_ranks_the_spike_first(spike_doc):
    doc = spike_doc
    eps = doc["episodes"]
    assert [(e["start"], e["end"], e["peak"]) for e in eps] == [
        (day(s + 1).isoformat(), day(s + 2).isoformat(), 5) for s in SPIKES
    ]
    assert [(e["window"]["start"], e["window"]["end"]) for e in eps] == windows(SPIKE_PAIN)
    assert [(w["start"], w["end"]) for w in doc["control_windows"]] == windows(SPIKE_CONTROL)

    c = doc["comparison"]
    assert c["meaningful"] and (c["episodes_compared"], c["control_windows"]) == (5, 14)
    k = {r["kind"]: r for r in c["kinds"]}
    # Volume kinds are judged only in windows from day 28 on: 10 of the 14 controls.
    judged_ctrl = [w for w in SPIKE_CONTROL if w[0] >= 28]
    assert len(judged_ctrl) == 10
    sp = k["session_spike"]
    a, b = count_with(SPIKE_PAIN, SPIKES), 5 - count_with(SPIKE_PAIN, SPIKES)
    cc = count_with(judged_ctrl, SPIKES)
    assert (a, b, cc) == (5, 0, 0)
    assert (sp["pain_with"], sp["pain_windows"], sp["control_with"], sp["control_windows"]) == (
        5,
        5,
        0,
        10,
    )
    assert sp["rate_pain"] == 1.0 and sp["rate_control"] == 0.0
    assert sp["p_value"] == pytest.approx(1 / math.comb(15, 5), rel=1e-9)  # 1/3003
    assert sp["p_value"] == pytest.approx(fisher_two_sided(5, 0, 0, 10), rel=1e-9)
    assert sp["odds_ratio"] is None  # 5 x 10 / (0 x 0): infinite
    assert sp["odds_ratio_haldane"] == pytest.approx(5.5 * 10.5 / (0.5 * 0.5))

    # "No warm-up" on every tenth day: counted by hand over the same windows.
    nw_days = list(range(0, LAST + 1, 10))
    nw = k["no_warmup"]
    a2, c2 = count_with(SPIKE_PAIN, nw_days), count_with(SPIKE_CONTROL, nw_days)
    assert (a2, c2) == (3, 10)
    assert (nw["pain_with"], nw["pain_windows"], nw["control_with"], nw["control_windows"]) == (
        3,
        5,
        10,
        14,
    )
    assert nw["p_value"] == pytest.approx(fisher_two_sided(3, 2, 10, 4), rel=1e-9)
    assert nw["odds_ratio"] == pytest.approx(3 * 4 / (2 * 10))

    # Kinds seen in no window are not tested; Holm over the two that were.
    assert {r["kind"] for r in c["kinds"] if r["p_value"] is not None} == {
        "session_spike",
        "no_warmup",
    }
    assert sp["p_holm"] == pytest.approx(2 / 3003, rel=1e-9)
    assert c["ranking"][0] == "session_spike" and sp["rank"] == 1
    assert c["notable"] == ["session_spike"]
    text = format_text(doc)
    assert "session spike (run > 10 % over the 30-day longest) came before 5 of 5" in text
    assert "not a cause, and not medical advice" in text
    assert "Sample size: 5 episodes and 14 pain-free windows" in text
    json.dumps(doc, allow_nan=False)  # the --json object is valid JSON


def test_steps_per_breath_falling_is_a_form_kind_judged_where_runs_record_breathing(tmp_path):
    # The spike history; the runs record a breathing rate from day 84 on (a new watch), with
    # a breathing_rise note on the spike days 91, 119 and 147 and on day 130.
    db = tmp_path / "b.sqlite"
    noted = [91, 119, 147, 130]
    form = {d: [*fs] for d, fs in no_warmup_days().items()}
    for d in noted:
        form.setdefault(d, []).append(("breathing_rise", "note"))
    write_store(db, spike_runs(), form, breathing=set(range(84, LAST + 1)))
    write_diary(db, [(s + 1, 5) for s in SPIKES] + [(s + 2, 4) for s in SPIKES])
    with Store(db) as s:
        doc = pain_report(s)
    c = doc["comparison"]
    k = {r["kind"]: r for r in c["kinds"]}
    br = k["breathing_rise"]
    assert br["group"] == "form" and "steps per breath" in br["label"]
    # Judged only in windows holding a run that records breathing (a day >= 84): pain
    # windows (85, 91), (113, 119), (141, 147), all with a note; controls (94, 100),
    # (101, 107), (122, 128), (129, 135), (150, 156), (157, 163), one with a note (day 130).
    breathing_days = range(84, LAST + 1)
    pain_j = [w for w in SPIKE_PAIN if count_with([w], breathing_days)]
    ctrl_j = [w for w in SPIKE_CONTROL if count_with([w], breathing_days)]
    assert (len(pain_j), len(ctrl_j)) == (3, 6)
    a, cc = count_with(pain_j, noted), count_with(ctrl_j, noted)
    assert (a, cc) == (3, 1)
    assert (br["pain_with"], br["pain_windows"], br["control_with"], br["control_windows"]) == (
        3,
        3,
        1,
        6,
    )
    assert br["p_value"] == pytest.approx(fisher_two_sided(3, 0, 1, 5), rel=1e-9)
    # Three kinds tested now: Holm multiplies the smallest p by 3.
    assert c["kinds_tested"] == 3
    assert k["session_spike"]["p_holm"] == pytest.approx(3 / 3003, rel=1e-9)
    eps = {e["start"]: e for e in doc["episodes"]}
    assert "breathing_rise" in eps[day(92).isoformat()]["kinds"]
    assert "breathing_rise" not in eps[day(36).isoformat()]["kinds"]  # no breathing run then
    text = format_text(doc)
    # the table row names the kind as the runner reads it (issue 26: no rule ids in text)
    assert any(
        ln.split()[1:5] == ["breathing", "harder", "than", "usual"]
        for ln in text.splitlines()
        if ln[:6].strip()
    )
    assert "breathing_rise" not in text


def test_without_a_run_recording_breathing_the_report_says_nothing_of_it(spike_doc):
    assert "breathing_rise" not in {r["kind"] for r in spike_doc["comparison"]["kinds"]}
    assert "breath" not in format_text(spike_doc)


#: Control diary: onsets on days 45, 75, 100, 125 and 150 (pain 4, then 3).
CONTROL_ONSETS = [45, 75, 100, 125, 150]
CONTROL_PAIN = [(o - 7, o - 1) for o in CONTROL_ONSETS]
CONTROL_CONTROL = [
    (0, 6),
    (7, 13),
    (14, 20),
    (21, 27),
    (28, 34),
    (47, 53),
    (54, 60),
    (61, 67),
    (77, 83),
    (84, 90),
    (102, 108),
    (109, 115),
    (127, 133),
    (134, 140),
    (152, 158),
    (159, 165),
]


def test_pain_following_nothing_in_particular_finds_nothing_notable(runs_db, tmp_path):
    db = _copy(runs_db, tmp_path / "c.sqlite")
    write_diary(db, [(o, 4) for o in CONTROL_ONSETS] + [(o + 1, 3) for o in CONTROL_ONSETS])
    with Store(db) as s:
        doc = pain_report(s)
    assert [(e["window"]["start"], e["window"]["end"]) for e in doc["episodes"]] == windows(
        CONTROL_PAIN
    )
    assert [(w["start"], w["end"]) for w in doc["control_windows"]] == windows(CONTROL_CONTROL)
    c = doc["comparison"]
    k = {r["kind"]: r for r in c["kinds"]}
    judged = [w for w in CONTROL_CONTROL if w[0] >= 28]
    a, cc = count_with(CONTROL_PAIN, SPIKES), count_with(judged, SPIKES)
    assert (a, cc, len(judged)) == (2, 1, 12)  # days 119 and 147; day 63
    sp = k["session_spike"]
    assert (sp["pain_with"], sp["pain_windows"], sp["control_with"], sp["control_windows"]) == (
        2,
        5,
        1,
        12,
    )
    assert sp["p_value"] == pytest.approx(1183 / 6188, rel=1e-9)
    assert sp["p_value"] == pytest.approx(fisher_two_sided(2, 3, 1, 11), rel=1e-9)
    assert sp["odds_ratio"] == pytest.approx(2 * 11 / (3 * 1))
    nw_days = list(range(0, LAST + 1, 10))
    nw = k["no_warmup"]
    assert (nw["pain_with"], nw["control_with"]) == (
        count_with(CONTROL_PAIN, nw_days),
        count_with(CONTROL_CONTROL, nw_days),
    )
    assert c["notable"] == []
    assert all(r["p_holm"] is None or r["p_holm"] >= 0.05 for r in c["kinds"])
    assert any(s.startswith("Nothing notable") for s in doc["summary"])


def test_fewer_than_three_episodes_gives_counts_and_no_test(runs_db, tmp_path):
    db = _copy(runs_db, tmp_path / "few.sqlite")
    write_diary(db, [(SPIKES[0] + 1, 6), (SPIKES[1] + 1, 6)])
    with Store(db) as s:
        doc = pain_report(s)
    c = doc["comparison"]
    assert not c["meaningful"] and c["episodes_compared"] == 2
    sp = {r["kind"]: r for r in c["kinds"]}["session_spike"]
    assert (sp["pain_with"], sp["pain_windows"]) == (2, 2)
    assert sp["p_value"] is None and sp["odds_ratio"] is None and c["ranking"] == []
    assert any("no comparison is meaningful yet" in s for s in doc["summary"])
    assert "not medical advice" in doc["statement"]


def _entries(rows):
    return [
        PainEntry(i, dt.date(2024, 3, d), sev, loc, "", "cli", "")
        for i, (d, sev, loc) in enumerate(rows)
    ]


def test_episode_definition_threshold_gap_and_place():
    e = _entries(
        [
            (1, 3, "upper-back"),
            (2, 5, "upper-back"),
            (3, 1, "upper-back"),  # below threshold, one-day gap: merged
            (4, 4, "upper-back"),
            (7, 3, "upper-back"),  # two-day gap (5, 6): a new episode
            (7, 6, "neck"),  # same day, other place: the day's highest counts
            (12, 2, "upper-back"),  # never >= 3: no episode
        ]
    )
    eps = find_episodes(e)
    assert [(x.start.day, x.end.day, x.peak, x.pain_days) for x in eps] == [
        (1, 4, 5, 3),
        (7, 7, 6, 1),
    ]
    assert eps[0].mean == pytest.approx(4.0)
    assert [(x.start.day, x.peak) for x in find_episodes(e, location="upper-back")] == [
        (1, 5),
        (7, 3),
    ]
    assert [(x.start.day, x.end.day) for x in find_episodes(e, max_gap_days=0)] == [
        (1, 2),
        (4, 4),
        (7, 7),
    ]
    assert [x.start.day for x in find_episodes(e, threshold=5)] == [2, 7]


def test_association_and_holm_against_hand_values():
    r = association(4, 1, 2, 8)
    assert r["rate_pain"] == 0.8 and r["rate_control"] == 0.2
    assert r["odds_ratio"] == pytest.approx(16.0)
    assert r["p_value"] == pytest.approx(fisher_two_sided(4, 1, 2, 8), rel=1e-9)
    assert association(0, 5, 0, 9)["p_value"] is None  # never seen: nothing to test
    assert association(1, 0, 0, 0)["p_value"] is None  # no control window
    # Holm: sorted 0.01, 0.02, 0.04 x (3, 2, 1), kept monotone
    assert holm([0.04, 0.01, 0.02]) == pytest.approx([0.04, 0.03, 0.04])


def test_weekly_load_correlates_with_weekly_pain(tmp_path):
    # Ten whole weeks (Monday of week 0 to Sunday of week 9); week w has three
    # runs of 4 + w km and its highest pain is w: load and pain rise together,
    # so Spearman's rho is 1 in the same week and 1 a week later.
    runs = {7 * w + d: (4.0 + w) * 1000 for w in range(10) for d in (0, 2, 4)}
    runs[69] = 13000.0
    db = tmp_path / "w.sqlite"
    write_store(db, runs)
    write_diary(db, [(7 * w + 2, w) for w in range(1, 10)])
    with Store(db) as s:
        doc = pain_report(s)
    wc = doc["weekly_correlation"]
    assert (wc["lag0"]["n_weeks"], wc["lag1"]["n_weeks"]) == (10, 9)
    assert wc["lag0"]["rho"] == pytest.approx(1.0) and wc["lag1"]["rho"] == pytest.approx(1.0)
    assert wc["lag0"]["p_value"] < 1e-6
    # A partial last week is left out: one more run on the next Monday.
    db2 = _copy(db, tmp_path / "w2.sqlite")
    write_store(db2, {70: 3000.0})
    with Store(db2) as s:
        assert pain_report(s)["weekly_correlation"]["lag0"]["n_weeks"] == 10


def test_episodes_for_chart(spike_doc, runs_db, tmp_path):
    db = _copy(runs_db, tmp_path / "chart.sqlite")
    write_diary(db, [(s + 1, 5) for s in SPIKES] + [(s + 2, 7) for s in SPIKES])
    got = episodes_for_chart(db, day(40), day(120))
    assert got == [(day(s + 1), 7) for s in SPIKES if 40 <= s + 1 <= 120]
    with Store(db) as s:
        assert len(episodes_for_chart(s)) == 5
    assert episodes_for_chart(db, threshold=8) == []


def test_report_without_runs_lists_episodes(tmp_path):
    db = tmp_path / "empty.sqlite"
    write_diary(db, [(1, 4), (2, 4), (10, 5)])
    with Store(db) as s:
        doc = pain_report(s)
    assert doc["history"] is None and doc["comparison"] is None
    assert [e["start"] for e in doc["episodes"]] == [day(1).isoformat(), day(10).isoformat()]
    assert "runlens scan" in doc["summary"][0]
    format_text(doc)
