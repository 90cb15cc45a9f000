"""The fenix 5 run's records match the expected values fitparse's authors wrote."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from runlens import read
from runlens.units import SEMICIRCLE_TO_DEG
from tests.conftest import corpus

PDT = timezone(timedelta(hours=-7))


def test_fenix5_records_match_expected_csv():
    fit = corpus("python-fitparse/tests/files/garmin-fenix-5-run.fit")
    with open(fit.with_name("garmin-fenix-5-run-records.csv"), newline="") as fh:
        rows = list(csv.DictReader(fh))
    rec = read(fit).records
    assert len(rec) == len(rows)
    for i, row in enumerate(rows):
        t = datetime.strptime(row["timestamp"].replace(" PDT", ""), "%a %b %d %H:%M:%S %Y")
        assert rec.index[i].to_pydatetime() == t.replace(tzinfo=PDT)
        r = rec.iloc[i]
        assert r["heart_rate_bpm"] == float(row["heart_rate"])
        # cadence column of the CSV is strides/min without the fractional part
        assert 0 <= r["cadence_spm"] - 2 * float(row["cadence"]) < 2
        assert r["speed_m_s"] == pytest.approx(float(row["speed"]))
        assert r["distance_m"] == pytest.approx(float(row["distance"]))
        assert r["lat_deg"] == pytest.approx(int(row["position_lat"]) * SEMICIRCLE_TO_DEG)
        assert r["lon_deg"] == pytest.approx(int(row["position_long"]) * SEMICIRCLE_TO_DEG)
        assert r["altitude_m"] == pytest.approx(float(row["altitude"]))
        assert r["temperature_c"] == float(row["temperature"])


def test_fenix5_running_dynamics_units():
    a = read(corpus("python-fitparse/tests/files/garmin-fenix-5-run.fit"))
    rec = a.records
    # Units: step length in metres (~1 m), oscillation in mm (~76), GCT in ms (~270).
    assert 0.5 < np.nanmedian(rec["step_length_m"]) < 1.5
    assert 50 < np.nanmedian(rec["vertical_oscillation_mm"]) < 120
    assert 200 < np.nanmedian(rec["ground_contact_ms"]) < 350
    assert 45 < np.nanmedian(rec["gct_balance_left_pct"]) < 55
    # The session summary: avg_running_cadence 83 + avg_fractional_cadence 0.671875 strides/min.
    assert a.device_summary["cadence_spm"] == pytest.approx(2 * (83 + 0.671875))
    assert a.device_summary["step_length_m"] == pytest.approx(0.9717)
