"""One owner per concept (issue 23): one sport mapper, one session span, one
class per name."""

from __future__ import annotations

import pytest

import runlens
from runlens.io import read
from runlens.io.exports import _garmin_sport
from runlens.io.gpx import gpx_sport
from runlens.io.tcx import tcx_sport
from runlens.metrics import session_metrics
from tests.conftest import CORPUS
from tests.history.test_multi_run_files import multisport_fit


@pytest.mark.parametrize(
    "name, sport",
    [("Ride", "cycling"), ("Biking", "cycling"), ("Run", "running"), ("road_biking", "cycling"),
     ("Other", "other"), ("Hike", "hiking"), ("lap_swimming", "swimming")],
)
def test_every_format_names_a_sport_alike(name, sport):
    assert gpx_sport(name) == tcx_sport(name) == _garmin_sport(name) == sport


def _same_sessions(source):
    doc = runlens.analyze(source, rules=False).to_dict()["sessions"]
    ours = session_metrics(read(source))
    assert len(doc) == len(ours) > 1
    for d, m in zip(doc, ours):
        for key in ("distance_m", "elapsed_s", "timer_s"):
            assert d["summary"][key] == pytest.approx(m[key]), (d["sport"], key)


def test_a_session_has_one_span_in_analyze_and_in_the_metrics(tmp_path):
    data, _ = multisport_fit()
    f = tmp_path / "duathlon.fit"
    f.write_bytes(data)
    _same_sessions(f)


def test_the_multisport_file_of_the_issue_has_one_span():
    f = CORPUS / "python-fitparse/tests/files/activity-large-fenxi2-multisport.fit"
    if not f.exists():
        pytest.skip(f"corpus not present: {f}")
    _same_sessions(f)


def test_one_name_is_one_class():
    import runlens.history as h

    assert not hasattr(h, "History")  # the store's tables are HistoryTables
    assert runlens.History is runlens.api.History
    assert h.HistoryTables is not runlens.History
