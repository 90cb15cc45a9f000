"""Round-trip tests of runlens.sim.fitwrite through fitparse (the reference reader)."""

from __future__ import annotations

import gzip
import io
import struct
from datetime import datetime, timedelta, timezone

import fitdecode
import fitparse
import numpy as np
import pytest
from fitparse.utils import FitCRCError
from hypothesis import given, settings
from hypothesis import strategies as st

from runlens.io.fit import FIT_EPOCH_S
from runlens.io.source import gzip_bytes
from runlens.sim.fitwrite import (
    BASE_TYPES,
    FOOT_STRIKE_TYPE,
    MESSAGES,
    STRYD_POWER,
    DeveloperApp,
    DeveloperField,
    FieldSpec,
    FitEncodeError,
    FitWriter,
    User,
    chain,
    encode_activity,
    to_fit_time,
    write_fit,
)
from runlens.sim.synth import (
    DEFAULT_RUNNER,
    DEFAULT_START,
    Pattern,
    SimPause,
    from_columns,
    simulate_run,
)
from tests.io.test_crc import reference_crc

START = datetime(2026, 9, 7, 6, 30, tzinfo=timezone.utc)


def read(data: bytes) -> list[tuple[str, dict[int, fitparse.records.FieldData]]]:
    """All data messages as (name, {wire field number: FieldData}); dev fields keyed by name."""
    out = []
    for m in fitparse.FitFile(io.BytesIO(data)).get_messages():
        fields = {}
        for f in m.fields:
            if f.field_def is None:  # expanded by fitparse from components, not written
                continue
            key = (
                f.name
                if isinstance(f.field_def, fitparse.records.DevFieldDefinition)
                else f.field_def.def_num
            )
            fields[key] = f
        out.append((m.name, fields))
    return out


def one(msgs, name):
    found = [f for n, f in msgs if n == name]
    assert len(found) == 1, f"{len(found)} {name} messages"
    return found[0]


def minimal_file(**record_columns) -> bytes:
    w = FitWriter()
    w.message("file_id", type=4, manufacturer=1, product=2691, time_created=START)
    d = w.define("record", list(record_columns))
    w.write_columns(d, record_columns)
    return w.to_bytes()


# --------------------------------------------------------------------------- CRC and header


def test_header_and_crcs():
    data = minimal_file(timestamp=[1, 2, 3], heart_rate=[100, 101, 102])
    size, proto, profile, data_size, magic, hcrc = struct.unpack("<BBHI4sH", data[:14])
    assert (size, magic) == (14, b".FIT")
    assert proto == 0x20 and profile == 2140
    assert data_size == len(data) - 16
    assert hcrc == reference_crc(data[:12])
    assert struct.unpack("<H", data[-2:])[0] == reference_crc(data[:-2])


def test_corrupted_byte_fails_the_crc_check():
    data = bytearray(minimal_file(timestamp=[1, 2, 3], heart_rate=[100, 101, 102]))
    data[-5] ^= 0x01
    with pytest.raises(FitCRCError):
        list(fitparse.FitFile(bytes(data)).get_messages())


# --------------------------------------------------------------------------- every field


def known_values(message: str) -> dict[str, object]:
    """A value for every field of a message whose stored integer k is known: v = k / scale - offset."""
    values = {}
    for name, spec in MESSAGES[message].fields.items():
        if spec.base_type == "string":
            values[name] = f"x{spec.num}"
        elif spec.base_type == "byte":
            values[name] = bytes(range(spec.num, spec.num + 16))
        else:
            k = 1 + spec.num % 50
            values[name] = k / spec.scale - spec.offset
    if message == "field_description":
        values.update(developer_data_index=0, fit_base_type_id=2)
    return values


@pytest.mark.parametrize("message", sorted(MESSAGES))
def test_every_profile_field_round_trips(message):
    values = known_values(message)
    w = FitWriter()
    if message == "field_description":
        w.add_developer_app(DeveloperApp(0))
    sizes = {k: 16 for k, s in MESSAGES[message].fields.items() if s.base_type == "byte"}
    d = w.define(message, list(values), sizes=sizes)
    w.write(d, **values)
    msgs = [f for n, f in read(w.to_bytes()) if n == message]
    fields = msgs[-1]
    for name, value in values.items():
        spec = MESSAGES[message].fields[name]
        got = fields[spec.num]
        if spec.base_type == "string":
            assert got.value == value, name
        elif spec.base_type == "byte":
            assert bytes(got.raw_value) == value, name
        elif got.field is None:  # a field fitparse's profile does not name: raw, unscaled
            assert got.raw_value == round((value + spec.offset) * spec.scale), name
        elif isinstance(got.value, int | float) and not isinstance(got.value, bool):
            assert got.value == pytest.approx(value, abs=0.5 / spec.scale), name
        else:  # enums and date_times are rendered by fitparse: compare the stored integer
            assert got.raw_value == round((value + spec.offset) * spec.scale), name


@pytest.mark.parametrize(
    "name", sorted(n for n, s in MESSAGES["record"].fields.items() if s.base_type != "string")
)
def test_missing_record_values_read_as_none(name):
    data = minimal_file(**{name: [None, np.nan]})
    recs = [f for n, f in read(data) if n == "record"]
    assert len(recs) == 2
    spec = MESSAGES["record"].fields[name]
    assert all(r[spec.num].value is None for r in recs)
    assert all(r[spec.num].raw_value is None for r in recs)


@pytest.mark.parametrize(
    ("base", "sentinel"),
    [
        ("uint8", b"\xff"),
        ("sint8", b"\x7f"),
        ("uint16", b"\xff\xff"),
        ("sint16", b"\xff\x7f"),
        ("uint32", b"\xff\xff\xff\xff"),
        ("sint32", b"\xff\xff\xff\x7f"),
        ("uint32z", b"\0\0\0\0"),
        ("enum", b"\xff"),
    ],
)
def test_invalid_sentinel_bytes(base, sentinel):
    spec = FieldSpec("custom", 200, base)
    w = FitWriter()
    d = w.define("record", [spec])
    rows = d.pack({spec.name: [np.nan]})
    assert rows.tobytes() == bytes([d.local_num]) + sentinel
    assert BASE_TYPES[base].size == len(sentinel)


@given(
    hr=st.floats(0, 254),
    speed=st.floats(0, 60),
    alt=st.floats(-500, 5000),
    vo=st.floats(0, 500),
    st_ms=st.floats(0, 1000),
    bal=st.floats(0, 100),
    lat=st.floats(-89.9, 89.9),
)
@settings(max_examples=40, deadline=None)
def test_scaled_values_within_resolution(hr, speed, alt, vo, st_ms, bal, lat):
    semis = lat * 2**31 / 180
    data = minimal_file(
        heart_rate=[hr],
        enhanced_speed=[speed],
        enhanced_altitude=[alt],
        vertical_oscillation=[vo],
        stance_time=[st_ms],
        stance_time_balance=[bal],
        position_lat=[semis],
    )
    rec = one(read(data), "record")
    assert rec[3].value == pytest.approx(hr, abs=0.5)
    assert rec[73].value == pytest.approx(speed, abs=0.5 / 1000 + 1e-9)
    assert rec[78].value == pytest.approx(alt, abs=0.5 / 5 + 1e-9)
    assert rec[39].value == pytest.approx(vo, abs=0.05 + 1e-9)
    assert rec[41].value == pytest.approx(st_ms, abs=0.05 + 1e-9)
    assert rec[84].value == pytest.approx(bal, abs=0.005 + 1e-9)
    assert rec[0].value == pytest.approx(semis, abs=0.5)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("heart_rate", 255),
        ("heart_rate", 300),
        ("heart_rate", -1),
        ("distance", -0.5),
        ("enhanced_altitude", -501),
        ("temperature", 127),
        ("position_lat", 2**31),
    ],
)
def test_values_that_do_not_fit_raise(field, value):
    with pytest.raises(FitEncodeError, match=field):
        minimal_file(**{field: [value]})


def test_naive_datetime_is_refused():
    with pytest.raises(FitEncodeError):
        to_fit_time(datetime(2026, 1, 1))


def test_to_fit_time_epoch():
    assert to_fit_time(datetime(1989, 12, 31, tzinfo=timezone.utc)) == 0
    assert to_fit_time(FIT_EPOCH_S + 10) == 10


def test_unknown_field_and_redefined_local_number_raise():
    w = FitWriter()
    with pytest.raises(FitEncodeError, match="record.cadense"):
        w.define("record", ["cadense"])
    d = w.define("record", ["heart_rate"], local_num=3)
    w.define("event", ["event"], local_num=3)
    with pytest.raises(FitEncodeError, match="redefined"):
        w.write(d, heart_rate=100)


# --------------------------------------------------------------------------- developer fields


def test_developer_fields_come_back_with_names_and_units():
    w = FitWriter()
    w.message("file_id", type=4, manufacturer=1, product=2691, time_created=START)
    w.add_developer_app(DeveloperApp(0, b"A" * 16, manufacturer_id=255, application_version=3))
    w.add_developer_app(DeveloperApp(1, b"B" * 16))
    w.add_developer_field(FOOT_STRIKE_TYPE)
    w.add_developer_field(STRYD_POWER)
    rec = w.define(
        "record", ["timestamp", "heart_rate"], developer_fields=[FOOT_STRIKE_TYPE, STRYD_POWER]
    )
    w.write_columns(
        rec,
        {
            "timestamp": [10, 11, 12],
            "heart_rate": [140, 141, 142],
            "FootStrike Type": [3, np.nan, 12],
            "Power": [250, 251, None],
        },
    )
    msgs = read(w.to_bytes())
    descs = [f for n, f in msgs if n == "field_description"]
    assert [d[3].value for d in descs] == ["FootStrike Type", "Power"]
    assert descs[1][8].value == "Watts"
    recs = [f for n, f in msgs if n == "record"]
    assert [r["FootStrike Type"].value for r in recs] == [3, None, 12]
    assert [r["Power"].value for r in recs] == [250, 251, None]
    assert recs[0]["Power"].units == "Watts"
    app = [f for n, f in msgs if n == "developer_data_id"][0]
    assert bytes(app[1].raw_value) == b"A" * 16


def test_developer_field_needs_its_description_first():
    w = FitWriter()
    with pytest.raises(FitEncodeError):
        w.add_developer_field(DeveloperField("X", developer_index=5))
    with pytest.raises(FitEncodeError):
        w.define("record", ["heart_rate"], developer_fields=[FOOT_STRIKE_TYPE])


# --------------------------------------------------------------------------- activities


def tiny_run():
    """Six samples at t = 0, 1, 2, 4 | pause 4..10 | 10, 11 s: small enough to sum by hand."""
    cols = {
        "t": [0, 1, 2, 4, 10, 11],
        "lat": [47.0, 47.00001, 47.00002, 47.00004, 47.00004, 47.00005],
        "lon": [8.0] * 6,
        "distance": [0.0, 3.0, 6.0, 12.0, 12.0, 15.0],
        "speed": [3.0, 3.0, 3.0, 3.0, 3.0, 3.0],
        "altitude": [500.0, 501.0, 503.0, 502.0, 502.0, 504.0],
        "heart_rate": [100, 110, 120, 130, 90, 100],
        "cadence": [160, 162, 164, 166, 171, 172],
        "step_length": [1.10, 1.11, 1.12, 1.13, 1.14, 1.15],
        "vertical_oscillation": [0.080, 0.081, 0.082, 0.083, 0.084, 0.085],
        "stance_time": [0.250, 0.252, 0.254, 0.256, 0.258, 0.260],
        "stance_time_balance": [50.0, 50.2, 50.4, 50.6, 50.8, 51.0],
    }
    return from_columns(cols, start=START, utc_offset_s=3600, pauses=[SimPause(4, 10)])


def test_session_summary_equals_hand_computation():
    msgs = read(encode_activity(tiny_run()))
    s = one(msgs, "session")
    # Hold times: 0->1, 1->2, 2->4, 4 stops the timer, 10->11, 11 is the end: w = 1, 1, 2, 0, 1, 0.
    assert s[8].value == 5.0  # total_timer_time
    assert s[7].value == 11.0  # total_elapsed_time
    assert s[9].value == 15.0  # total_distance
    assert s[124].value == 3.0  # enhanced_avg_speed = 15 m / 5 s
    assert s[16].value == 108  # avg HR = (100 + 110 + 2*120 + 90) / 5
    assert s[17].value == 130  # max HR
    # cadence (160 + 162 + 2*164 + 171) / 5 = 164.2 spm = 82.1 strides/min = 82 + 13/128
    assert s[18].value == 82 and s[92].value == pytest.approx(13 / 128)
    assert s[134].value == pytest.approx((1.10 + 1.11 + 2 * 1.12 + 1.14) / 5 * 1000, abs=0.05)
    assert s[89].value == pytest.approx((80 + 81 + 2 * 82 + 84) / 5, abs=0.05)
    assert s[91].value == pytest.approx((250 + 252 + 2 * 254 + 258) / 5, abs=0.05)
    assert s[133].value == pytest.approx((50.0 + 50.2 + 2 * 50.4 + 50.8) / 5, abs=0.005)
    assert s[22].value == 5 and s[23].value == 1  # ascent 1+2+2, descent 1
    assert s[5].raw_value == 1 and s[26].value == 1
    act = one(msgs, "activity")
    assert act[0].value == 5.0
    assert act[5].raw_value - act[253].raw_value == 3600  # local_timestamp - timestamp


def test_user_profile_comes_from_the_runner():
    up = one(read(encode_activity(tiny_run())), "user_profile")
    r = DEFAULT_RUNNER
    assert (up[3].value, up[4].value, up[8].value, up[11].value) == (
        r.height,
        r.mass,
        r.rest_hr,
        r.max_hr,
    )
    assert up[1].raw_value == 1
    assert "user_profile" not in [n for n, _ in read(encode_activity(tiny_run(), user=False))]


def test_pause_events_and_no_records_inside():
    msgs = read(encode_activity(tiny_run()))
    t0 = to_fit_time(START)
    seq = [
        (n, f[253].raw_value - t0, f[1].raw_value if n == "event" else None)
        for n, f in msgs
        if n in ("record", "event")
    ]
    assert seq == [
        ("event", 0, 0),
        ("record", 0, None),
        ("record", 1, None),
        ("record", 2, None),
        ("record", 4, None),
        ("event", 4, 4),
        ("event", 10, 0),
        ("record", 10, None),
        ("record", 11, None),
        ("event", 11, 4),
    ]


def test_activity_records_match_the_run():
    run = simulate_run(
        seed=5,
        duration_s=900,
        smart_recording=True,
        power=True,
        patterns=[Pattern("rearfoot", 100, 300)],
    )
    msgs = read(encode_activity(run))
    recs = [f for n, f in msgs if n == "record"]
    assert len(recs) == len(run)
    c = run.columns

    def col(num, key="value"):
        return np.array([getattr(r[num], key) for r in recs], dtype=float)

    assert np.array_equal(col(253, "raw_value"), to_fit_time(DEFAULT_START) + run.t)
    assert np.allclose(col(5), c["distance"], atol=0.005 + 1e-9)
    assert np.allclose(col(73), c["speed"], atol=0.0005 + 1e-9)
    assert np.allclose(col(78), c["altitude"], atol=0.1 + 1e-9)
    assert np.allclose(col(3), c["heart_rate"], atol=0.5)
    assert np.allclose(2 * (col(4) + col(53)), c["cadence"], atol=1 / 128 + 1e-9)
    assert np.allclose(col(85), c["step_length"] * 1000, atol=0.05 + 1e-9)
    assert np.allclose(col(39), c["vertical_oscillation"] * 1000, atol=0.05 + 1e-9)
    assert np.allclose(col(83), c["vertical_ratio"], atol=0.005 + 1e-9)
    assert np.allclose(col(41), c["stance_time"] * 1000, atol=0.05 + 1e-9)
    assert np.allclose(col(40), c["stance_time_percent"], atol=0.005 + 1e-9)
    assert np.allclose(col(84), c["stance_time_balance"], atol=0.005 + 1e-9)
    assert np.allclose(col(7), c["power"], atol=0.5)
    assert np.allclose(col(13), c["temperature"], atol=0.5)
    assert np.allclose(col(0), c["lat"] * 2**31 / 180, atol=0.5)
    assert np.array_equal([r["FootStrike Type"].value for r in recs], c["foot_strike"])
    laps = [f for n, f in msgs if n == "lap"]
    assert len(laps) == len(run.laps)
    assert sum(lap[8].value for lap in laps) == pytest.approx(run.session.total_timer_time)


def test_speed_fields_and_exclude():
    run = simulate_run(seed=1, duration_s=120, dynamics=False, temperature=False)
    rec = [
        f
        for n, f in read(encode_activity(run, speed_fields="both", exclude={"lat", "lon"}))
        if n == "record"
    ][0]
    assert {6, 73, 2, 78} <= set(rec)
    assert not {0, 1, 39, 41, 85, 13} & set(rec)
    rec = [f for n, f in read(encode_activity(run, speed_fields="legacy")) if n == "record"][0]
    assert 6 in rec and 73 not in rec


def test_stryd_like_power_as_developer_field():
    run = simulate_run(seed=1, duration_s=60, power=True)
    msgs = read(
        encode_activity(run, developer_fields={"power": STRYD_POWER}, user=User(height=None))
    )
    rec = [f for n, f in msgs if n == "record"][0]
    assert 7 not in rec and rec["Power"].units == "Watts"
    assert rec["Power"].value == round(run["power"][0])
    assert 3 not in one(msgs, "user_profile")


def test_mapping_input_needs_start():
    cols = {"t": [0, 1, 2], "heart_rate": [100, 101, 102]}
    with pytest.raises(FitEncodeError):
        encode_activity(cols)
    assert len([n for n, _ in read(encode_activity(cols, start=START)) if n == "record"]) == 3


# --------------------------------------------------------------------------- files


def test_chained_files_read_as_one_stream():
    a = encode_activity(simulate_run(seed=1, duration_s=300, foot_pod=True))
    b = encode_activity(simulate_run(seed=2, duration_s=200, start=START + timedelta(hours=2)))
    names = [n for n, _ in read(chain(a, b))]
    assert names.count("file_id") == 2 and names.count("session") == 2
    assert names.count("record") == 301 + 201
    with fitdecode.FitReader(io.BytesIO(chain(a, b))) as fr:
        headers = [f for f in fr if isinstance(f, fitdecode.FitHeader)]
    assert len(headers) == 2


def test_fitdecode_reads_with_crc_checks():
    data = encode_activity(simulate_run(seed=3, duration_s=300, foot_pod=True))
    with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.RAISE) as fr:
        frames = [f for f in fr if isinstance(f, fitdecode.FitDataMessage)]
    assert sum(f.name == "record" for f in frames) == 301


def test_same_seed_same_bytes():
    kw = dict(seed=11, duration_s=600, smart_recording=True, pauses=[SimPause(200, 230)])
    assert encode_activity(simulate_run(**kw)) == encode_activity(simulate_run(**kw))
    assert encode_activity(simulate_run(**kw)) != encode_activity(
        simulate_run(**{**kw, "seed": 12})
    )


def test_fit_gz(tmp_path):
    data = encode_activity(simulate_run(seed=1, duration_s=60))
    write_fit(tmp_path / "a.fit.gz", data)
    write_fit(tmp_path / "a.fit", data)
    raw = (tmp_path / "a.fit.gz").read_bytes()
    assert gzip.decompress(raw) == data == (tmp_path / "a.fit").read_bytes()
    assert raw == gzip_bytes(data)  # deterministic: no mtime, no name
