"""TCX auto-pauses read the pauses as arrays converted once per file (issue 28).

Each lap's auto-pause search needs every pause found before it. They were
converted from the list to arrays for every lap (O(laps x pauses)); the arrays
now grow with the list. Known answer: in the file built here each 20 s lap
states a 10 s timer, so each lap but the last (nothing follows it) gets one 10 s auto-pause.
"""

from __future__ import annotations

import numpy as np

import runlens.io.tcx as tcx
from tests.robustness.test_bounds import many_activities


def test_each_pause_is_converted_once_per_file(monkeypatch):
    converted = []
    real = tcx._PauseList.arrays

    def counted(self):
        converted.append(len(self) - self._n)  # pauses new since the last call
        return real(self)

    monkeypatch.setattr(tcx._PauseList, "arrays", counted)
    laps = 1500
    act = tcx.decode_tcx(many_activities(1, laps), "many.tcx", "0" * 64, False)
    assert len(act.laps) == laps
    gaps = [(p.end - p.start).total_seconds() for p in act.pauses]
    assert len(gaps) == laps - 1 and np.allclose(gaps, 10.0)
    assert len(converted) == laps  # one search per lap...
    assert sum(converted) == len(act.pauses)  # ...each pause converted once in all


def test_the_arrays_follow_the_list():
    p = tcx._PauseList()
    assert [a.size for a in p.arrays()] == [0, 0]
    for k in range(40):  # past the first capacity
        p.append((float(k), k + 0.5))
        a, b = p.arrays()
        assert a.tolist() == [float(i) for i in range(k + 1)]
        assert b.tolist() == [i + 0.5 for i in range(k + 1)]
    p.extend([(100.0, 101.0), (np.float64(200.0), np.float64(202.0))])
    a, b = p.arrays()
    assert a[-2:].tolist() == [100.0, 200.0] and b[-2:].tolist() == [101.0, 202.0]
