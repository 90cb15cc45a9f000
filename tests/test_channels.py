"""The channel registry (runlens.channels) is the one description of each sample channel.

Every column a reader writes is registered; every channel list of runlens is
the registry's (derived from it, and the same as the lists runlens kept by hand
before, so no output changed); the store schema's form columns are the
registry's stored channels in their order; the docs have a row for each.
"""

from __future__ import annotations

import pytest

from runlens import channels as C
from runlens.io import read_all
from tests.conftest import CORPUS, ROOT, SAMPLES

#: Files whose records hold every record channel between them: the sample
#: history's FIT, gzipped FIT and GPX, and from the corpus a Fenix 5 walk (running
#: dynamics, temperature), an HRV FIT (power, pedal cadence, breathing rate), a TCX
#: and a Strava GPX.
SAMPLE_FILES = ["2026-08-03-run-easy.fit", "2026-08-05-run-tempo.gpx", "2026-09-02-run-tempo.fit.gz"]
CORPUS_FILES = [
    "python-fitparse/tests/files/garmin-fenix-5-walk.fit",
    "fitparse-rs/fitparser/tests/fixtures/hrv-activity.fit",
    "sweatpy/sweat/examples/data/activity_5039744860.tcx",
    "sweatpy/sweat/examples/data/4078723797_strava.gpx",
]


def _columns(path) -> set[str]:
    return {c for a in read_all(path) for c in a.records.columns}


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_every_column_of_the_sample_files_is_registered(name):
    cols = _columns(SAMPLES / name)
    assert cols, name
    assert cols <= set(C.record_columns()), cols - set(C.record_columns())


def test_every_column_the_readers_write_is_registered():
    """Over real files of three formats, the readers write exactly the registered
    record channels: none unregistered, and every registered one written by some file."""
    paths = [CORPUS / rel for rel in CORPUS_FILES]
    if not all(p.exists() for p in paths):
        pytest.skip(f"corpus not found: {CORPUS}")
    seen = set().union(*(_columns(p) for p in paths))
    assert seen == set(C.record_columns())


def test_the_simulated_fit_s_channels_are_registered():
    """The simulator writes breathing rate and running dynamics; the reader gives them
    under their registered names."""
    import io

    from runlens import read
    from runlens.sim.fitwrite import encode_activity
    from runlens.sim.synth import simulate_run

    run = simulate_run(seed=3, duration_s=600, respiration=True)
    cols = set(read(io.BytesIO(encode_activity(run))).records.columns)
    assert {"respiration_rate_brpm", "vertical_oscillation_mm", "ground_contact_ms"} <= cols
    assert cols <= set(C.record_columns()), cols - set(C.record_columns())


def test_the_lists_are_the_registry():
    from runlens.baseline import MAX_SPREAD
    from runlens.history.baseline import BAND_METRICS
    from runlens.io.validate import LIMITS
    from runlens.metrics.form import FORM_CHANNELS
    from runlens.metrics.rolling import ROLLING_CHANNELS
    from runlens.metrics.samples import DYNAMICS_COLUMNS
    from runlens.model import RECORD_COLUMNS
    from runlens.rules._signals import _ZERO_IS_MISSING

    rec = [c for c in C.CHANNELS if c.kind == "record"]
    assert RECORD_COLUMNS == {c.name: (c.unit, c.meaning) for c in rec}
    assert LIMITS == {c.name: c.limits for c in rec}  # every record channel has limits
    assert all(lo < hi for lo, hi in LIMITS.values())
    assert _ZERO_IS_MISSING == {c.name for c in C.CHANNELS if c.zero_is_missing}
    assert DYNAMICS_COLUMNS == tuple(c.name for c in C.CHANNELS if "dynamics" in c.summaries)
    assert ROLLING_CHANNELS == tuple(c.name for c in C.CHANNELS if "rolling" in c.summaries)
    stored = sorted((c for c in C.CHANNELS if c.store is not None), key=lambda c: c.store)
    assert FORM_CHANNELS == tuple(c.name for c in stored)
    assert [c.store for c in stored] == list(range(len(stored)))  # no gap, no twice
    assert set(BAND_METRICS) == {c.name for c in C.CHANNELS if c.band}
    assert MAX_SPREAD == {c.name: c.max_spread for c in C.CHANNELS if c.max_spread is not None}


def test_the_lists_say_what_they_said_before():
    """The hand-kept lists these replace, word for word and in order (the order is
    output: the store's columns, the summaries' keys, the rolling frame's columns)."""
    assert C.form_channels() == (
        "speed_m_s", "grade_pct", "cadence_spm", "step_length_m", "ground_contact_ms",
        "ground_contact_pct", "vertical_oscillation_mm", "vertical_ratio_pct",
        "gct_balance_left_pct", "heart_rate_bpm", "power_w", "respiration_rate_brpm",
        "steps_per_breath",
    )  # fmt: skip
    assert C.dynamics_columns() == (
        "cadence_spm", "step_length_m", "stride_length_m", "vertical_oscillation_mm",
        "vertical_ratio_pct", "ground_contact_ms", "ground_contact_pct",
        "gct_balance_left_pct", "power_w",
    )  # fmt: skip
    assert C.rolling_channels() == (
        "speed_m_s", "heart_rate_bpm", "grade_pct", "cadence_spm", "step_length_m",
        "vertical_oscillation_mm", "vertical_ratio_pct", "ground_contact_ms",
        "gct_balance_left_pct", "power_w",
    )  # fmt: skip
    assert C.band_metrics() == (
        "ground_contact_ms", "vertical_oscillation_mm", "vertical_ratio_pct",
        "gct_balance_left_pct",
    )  # fmt: skip
    assert C.zero_is_missing() == {
        "cadence_spm", "step_length_m", "vertical_oscillation_mm", "vertical_ratio_pct",
        "ground_contact_ms", "ground_contact_pct", "gct_balance_left_pct", "heart_rate_bpm",
    }  # fmt: skip
    assert list(C.record_columns())[:6] == [
        "distance_m", "speed_m_s", "altitude_m", "lat_deg", "lon_deg", "heart_rate_bpm",
    ]  # fmt: skip
    assert C.limits()["heart_rate_bpm"] == (20.0, 250.0)
    assert C.max_spread() == {
        "cadence_spm": 6.0, "ground_contact_ms": 20.0, "vertical_oscillation_mm": 10.0,
        "vertical_ratio_pct": 0.8, "gct_balance_left_pct": 1.0,
    }  # fmt: skip


def test_the_store_schema_is_the_registry_s_stored_channels():
    """The store's form table columns (schema 3, then the migration of schema 4) are the
    registry's stored channels in their order: a new one needs a migration."""
    from runlens.store import db

    assert (*db._FORM_CHANNELS_V3, *db._FORM_CHANNELS_V4) == C.form_channels()


def test_each_channel_has_its_docs_row():
    """docs/data-model.md: a row ``| `name` | unit |`` for every record channel (the
    record table) and every stored one (the form table); a derived channel that is not
    stored is described in docs/metrics.md."""
    model = (ROOT / "docs" / "data-model.md").read_text(encoding="utf-8")
    metrics = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    for c in C.CHANNELS:
        if c.kind == "record" or c.store is not None:
            assert c.docs_row() in model, c.docs_row()
        else:
            assert f"`{c.name}`" in metrics, c.name
    records = model.split("### ", 1)[0]  # the record table comes before the first sub-heading
    for name, (unit, _) in C.record_columns().items():
        assert f"| `{name}` | {unit} |" in records, name


def test_every_channel_carries_its_unit_in_its_name():
    suffix = {"m": "_m", "m/s": "_m_s", "deg": "_deg", "1/min": ("_bpm", "_rpm"), "mm": "_mm",
              "%": "_pct", "ms": "_ms", "W": "_w", "degC": "_c", "steps/min": "_spm",
              "breaths/min": "_brpm", "steps/breath": "steps_per_breath"}  # fmt: skip
    for c in C.CHANNELS:
        assert c.name.endswith(suffix[c.unit]), (c.name, c.unit)


def test_what_the_outputs_and_readers_name_is_registered():
    """The lists still kept beside a reader or an output (their labels differ from one
    output to another) name only registered channels."""
    from runlens.io.rawfit import _RECORD_MAP
    from runlens.model import SUMMARY_KEYS
    from runlens.report.charts.run import RUN_PANELS
    from runlens.report.charts.trends import FORM_METRICS
    from runlens.report.html._run import PANELS

    names = set(C.BY_NAME)
    assert set(_RECORD_MAP.values()) <= set(C.record_columns())
    assert {col for col, _, _ in RUN_PANELS.values()} <= names
    assert set(FORM_METRICS) <= names
    assert {p[0] for p in PANELS if p[0] != "pace"} <= names
    not_channels = {"elapsed_s", "timer_s", "moving_s", "avg_speed_m_s", "ascent_m"}
    assert set(SUMMARY_KEYS) - not_channels <= names
