"""runlens.units.format_duration: the one duration format (m:ss, from an hour h:mm:ss)."""

from __future__ import annotations

import math

import pytest

from runlens.units import format_duration


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0, "0:00"),
        (44.6, "0:45"),  # rounded to the second
        (185, "3:05"),  # 3 x 60 + 5
        (3599.4, "59:59"),  # 59 x 60 + 59, still under an hour
        (3599.6, "1:00:00"),  # rounds to 3600 s: an hour
        (3725.4, "1:02:05"),  # 3600 + 2 x 60 + 5
        (36000, "10:00:00"),
        (-65, "-1:05"),
        (-0.4, "0:00"),  # rounds to 0: no sign
    ],
)
def test_format_duration(seconds, shown):
    assert format_duration(seconds) == shown


@pytest.mark.parametrize("missing", [None, math.nan, math.inf])
def test_format_duration_missing(missing):
    assert format_duration(missing) == "-"
