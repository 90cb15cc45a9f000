"""A pool swim's moving time comes from its lengths (FIT ``length`` messages).

A pool swim records a sample per length (or fewer) and a slow swimmer's speed
(25 m in 30 s = 0.83 m/s) is below the walking threshold that decides whether
a runner moves: from its samples a 16-length swim "moved" for almost nothing.
The watch writes one ``length`` message per length, ``length_type`` active
(swimming) or idle (a rest at the wall), with its timer time: the file built here
has exactly that structure (as the FIT SDK's activity_poolswim.fit has), so its
answer is known: 16 active lengths x 30 s = 8:00 of swimming in 11:00 of timer.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

T0 = 1_100_000_000  # Unix s
POOL_M = 25.0
LEN_S = 30.0  # each active length
REST_S = 60.0  # an idle length (rest) after every 4 active ones but the last


def pool_swim() -> bytes:
    from runlens.sim.fitwrite import FitWriter, to_fit_time

    # (start, duration, active) of each length, in order
    lengths, t = [], float(T0)
    for k in range(16):
        lengths.append((t, LEN_S, True))
        t += LEN_S
        if k % 4 == 3 and k < 15:
            lengths.append((t, REST_S, False))
            t += REST_S
    end = t
    starts = np.array([s for s, _, _ in lengths])
    durs = np.array([d for _, d, _ in lengths])
    active = np.array([a for _, _, a in lengths])
    dist = np.cumsum(np.where(active, POOL_M, 0.0))

    w = FitWriter()
    ft = lambda x: to_fit_time(float(x))  # noqa: E731
    w.message("file_id", type=4, manufacturer=1, product=1, serial_number=1, time_created=ft(T0))
    w.message("event", timestamp=ft(T0), event=0, event_type=0)  # timer start
    rec = w.define("record", ["timestamp", "distance", "speed"])
    # one record per length end, as pool swims are recorded
    w.write_columns(
        rec,
        {
            "timestamp": [ft(s + d) for s, d in zip(starts, durs)],
            "distance": dist,
            "speed": np.where(active, POOL_M / LEN_S, 0.0),
        },
    )
    ln = w.define(
        "length",
        ["timestamp", "start_time", "total_elapsed_time", "total_timer_time", "length_type",
         "event", "event_type", "message_index"],
    )  # fmt: skip
    w.write_columns(
        ln,
        {
            "timestamp": [ft(s + d) for s, d in zip(starts, durs)],
            "start_time": [ft(s) for s in starts],
            "total_elapsed_time": durs,
            "total_timer_time": durs,
            "length_type": active.astype(int),
            "event": 28,  # length
            "event_type": 1,  # stop
            "message_index": np.arange(len(lengths)),
        },
    )
    w.message("event", timestamp=ft(end), event=0, event_type=4)  # timer stop all
    w.message(
        "lap", timestamp=ft(end), start_time=ft(T0), total_elapsed_time=end - T0,
        total_timer_time=end - T0, total_distance=float(dist[-1]), sport=5, sub_sport=17,
    )  # fmt: skip
    w.message(
        "session", timestamp=ft(end), start_time=ft(T0), total_elapsed_time=end - T0,
        total_timer_time=end - T0, total_distance=float(dist[-1]), sport=5, sub_sport=17,
    )  # fmt: skip
    return w.to_bytes()


@pytest.mark.parametrize("reader", ["fast", "fitparse"])
def test_pool_swim_moving_time_is_its_active_lengths(tmp_path, reader):
    from runlens.io import read
    from runlens.metrics import activity_metrics

    f = tmp_path / "pool.fit"
    f.write_bytes(pool_swim())
    act = read(f, reader=reader)
    assert act.sport == "swimming"
    m = activity_metrics(act, running_only=False)
    assert m["timer_s"] == pytest.approx(16 * LEN_S + 3 * REST_S)  # 11:00
    assert m["moving_s"] == pytest.approx(16 * LEN_S)  # 8:00 of swimming, rests left out
    assert m["distance_m"] == pytest.approx(16 * POOL_M)
    # pace over the swimming time, as the watch gives it: 480 s / 400 m = 2:00 /100 m
    assert m["pace_s_per_km"] == pytest.approx(1200.0)


def test_pool_swim_as_analyze_shows_it(tmp_path):
    from tests.conftest import run_cli

    f = tmp_path / "pool.fit"
    f.write_bytes(pool_swim())
    out = run_cli("analyze", str(f))
    assert out.returncode == 0, out.stderr
    flat = " ".join(out.stdout.split())
    assert "Moving time 8:00" in flat and "Timer time 11:00" in flat, out.stdout
    assert "2:00 /100 m" in flat
    doc = json.loads(run_cli("analyze", str(f), "--json").stdout)
    assert doc["sessions"][0]["summary"]["moving_s"] == pytest.approx(480.0)


@pytest.mark.parametrize(
    "rel, watch_speed",
    [
        # a Forerunner 735XT pool swim: 114 active of 166 lengths, 2,606 m; the
        # session's avg_speed (catalog.csv) is over its swimming time, not its timer time
        ("python-fitparse/tests/files/event_timestamp.fit", 0.945),
    ],
)
def test_corpus_pool_swim_agrees_with_the_watch(rel, watch_speed):
    from runlens.io import read
    from runlens.metrics import activity_metrics
    from tests.conftest import corpus

    act = read(corpus(rel))
    m = activity_metrics(act, running_only=False)
    # the watch's swimming time: distance / its average speed (2,758 s); runlens' from
    # the lengths: 2,763 s, against a timer time of 4,372 s
    assert m["moving_s"] == pytest.approx(m["distance_m"] / watch_speed, rel=0.01)
    assert m["timer_s"] > 1.5 * m["moving_s"]
