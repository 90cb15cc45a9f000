"""Breathing rate (FIT record fields 99 and 108) in every FIT path.

fitparse's profile (2020) names neither field; runlens reads them by number
(runlens.io.fit.UNNAMED_RECORD_FIELDS) and fitfast by its newer profile. Files
are written by runlens.sim.fitwrite with a known breathing rate, and the corpus
files whose catalog lists the field must read it.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from runlens import read
from runlens.sim.fitwrite import encode_activity
from runlens.sim.synth import simulate_run
from tests.conftest import CORPUS, corpus
from tests.io.parity import activity_diffs


def _run():
    return simulate_run(seed=5, duration_s=900, smart_recording=True, respiration=True)


@pytest.mark.parametrize(
    ("fields", "resolution"), [("enhanced", 0.005), ("legacy", 0.5), ("both", 0.005)]
)
def test_written_breathing_rate_reads_back_in_both_readers(fields, resolution):
    run = _run()
    data = encode_activity(run, respiration_fields=fields)
    ref = read(io.BytesIO(data), reader="fitparse")
    got = read(io.BytesIO(data))
    # Both fields written: fitfast would overwrite 108 with its expansion of 99.
    assert got.source.reader == ("fitparse" if fields == "both" else "fitfast")
    assert activity_diffs(got, ref) == []
    r = ref.records["respiration_rate_brpm"].to_numpy()
    assert r.size == run["respiration_rate"].size
    assert np.max(np.abs(r - run["respiration_rate"])) <= resolution + 1e-9
    if fields == "legacy":
        assert np.array_equal(r, np.rint(r))


def test_invalid_breathing_values_are_missing():
    run = _run()
    rr = run["respiration_rate"].copy()
    rr[:10] = np.nan  # written as the 0xFFFF / 0xFF sentinels
    cols = {**run.columns, "respiration_rate": rr}
    for fields in ("enhanced", "legacy"):
        data = encode_activity(cols, start=run.start, respiration_fields=fields)
        for reader in ("fitparse", "fast"):
            r = read(io.BytesIO(data), reader=reader).records["respiration_rate_brpm"]
            assert r.iloc[:10].isna().all() and r.iloc[10:].notna().all(), (fields, reader)


def test_a_file_without_the_field_has_no_column():
    run = simulate_run(seed=5, duration_s=600)
    assert "respiration_rate" not in run.columns
    a = read(io.BytesIO(encode_activity(run)))
    assert "respiration_rate_brpm" not in a.records


def _breathing_files() -> list[str]:
    path = CORPUS / "catalog.csv"
    if not path.exists():
        return []
    with open(path, newline="") as fh:
        return [
            r["path"]
            for r in csv.DictReader(fh)
            if "respiration_rate" in r["record_fields"].split(";")
            or "enhanced_respiration_rate" in r["record_fields"].split(";")
        ]


BREATHING = _breathing_files()


@pytest.mark.skipif(not BREATHING, reason="corpus catalog not found")
@pytest.mark.parametrize("rel", BREATHING)
def test_corpus_files_that_record_breathing_read_it(rel):
    a = read(corpus(rel))
    r = a.records["respiration_rate_brpm"].dropna()
    assert len(r) > 0
    # A breathing rate: the watches write 10-41 breaths/min in these files.
    assert 5.0 <= r.min() <= r.max() <= 60.0
    ref = read(corpus(rel), reader="fitparse")
    assert np.array_equal(
        ref.records["respiration_rate_brpm"].to_numpy(),
        a.records["respiration_rate_brpm"].to_numpy(),
        equal_nan=True,
    )


def test_five_corpus_files_record_breathing():
    if not BREATHING:
        pytest.skip("corpus catalog not found")
    assert len(BREATHING) == 5
