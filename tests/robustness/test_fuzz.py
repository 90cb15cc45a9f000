"""Fuzzing read() over mutated real FIT and GPX bytes (hypothesis, bounded in time).

Whatever the bytes, read() returns an Activity or raises a RunlensError subclass:
never another exception, and never a BaseException such as a native decoder's
panic (only KeyboardInterrupt is let through). What it returns is validated:
time strictly increasing, every value within its physical limits.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runlens.errors import RunlensError
from runlens.io.validate import LIMITS

from .helpers import SMALL_RUN, corpus_bytes, full_read

#: A real GPX run with heart rate (runpandas session, 85 points, 21 kB).
SMALL_GPX = "runpandas/examples/session/26004849-dc57-4e48-bc16-11196ca043ad.gpx"

_SETTINGS = settings(
    max_examples=120,
    deadline=None,  # fitparse's first call pays imports; the total is bounded instead
    derandomize=True,  # the same cases on every CI run; failures reproduce
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)


@st.composite
def mutated(draw, base: bytes):
    """The base bytes after 1-4 mutations: truncate, flip, insert, delete, duplicate."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["truncate", "flip", "flip", "insert", "delete", "dup"]))
        n = len(data)
        if n == 0:
            break
        at = draw(st.integers(0, n - 1))
        if op == "truncate":
            del data[at:]
        elif op == "flip":
            data[at] ^= draw(st.integers(1, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=32))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        else:
            data[at:at] = data[at : at + draw(st.integers(1, 64))]
    return bytes(data)


def _check(data: bytes) -> None:
    for strict in (False, True):
        try:
            act = full_read(data, strict=strict)
        except RunlensError as exc:
            msg = str(exc)
            assert msg.startswith("<bytes>: ") and "\n" not in msg
            continue
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - this is the escape being tested for
            raise AssertionError(
                f"read() let {type(exc).__name__} escape: {exc!r} (input {len(data)} bytes)"
            ) from exc
        idx = act.records.index
        assert idx.is_monotonic_increasing and idx.is_unique and len(idx) > 0
        for col, (lo, hi) in LIMITS.items():
            if col in act.records:
                a = act.records[col].to_numpy(dtype=float, na_value=np.nan)
                a = a[~np.isnan(a)]
                assert ((a >= lo) & (a <= hi)).all(), col
        if strict:
            assert act.warnings == []


@_SETTINGS
@given(st.data())
def test_fuzz_fit(data):
    _check(data.draw(mutated(corpus_bytes(SMALL_RUN))))


@settings(_SETTINGS, max_examples=80)
@given(st.data())
def test_fuzz_gpx(data):
    _check(data.draw(mutated(corpus_bytes(SMALL_GPX))))


@settings(_SETTINGS, max_examples=60)
@given(st.binary(max_size=300))
def test_fuzz_random_bytes(data):
    _check(data)
