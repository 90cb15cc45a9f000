"""A small, correct FIT encoder for building test and sample activity files.

runlens reads FIT files; this module writes them, so that tests, benchmarks and
``sample_activities/`` can be built from data whose every value is known. It
covers the messages a running watch writes (file_id, device_info,
user_profile, event, record, lap, session, activity) plus developer fields
(developer_data_id, field_description and developer data in any message).
Field numbers, base types, scales and offsets follow the Garmin FIT profile
(checked against fitparse's ``profile.py``).

Two levels of API
-----------------
``encode_activity(run, ...) -> bytes``
    A whole activity file from a :class:`runlens.sim.synth.SimulatedRun` or from a
    mapping of per-sample arrays in the synth schema (see
    ``runlens.sim.synth.COLUMNS``): record messages with running dynamics, timer
    events around pauses, laps, session and activity, with the device summary
    taken from the run (time-weighted averages, see ``runlens.sim.synth.watch_summary``).

:class:`FitWriter`
    Message-level writer for tests that need odd files::

        w = FitWriter()
        w.message("file_id", type=4, manufacturer=1, product=2691,
                  time_created=datetime(2026, 9, 7, 6, 30, tzinfo=timezone.utc))
        rec = w.define("record", ["timestamp", "heart_rate", "cadence"])
        w.write_columns(rec, {"timestamp": ts, "heart_rate": hr, "cadence": cad})
        data = w.to_bytes()

    Values are given in the profile's units (what fitparse returns: m/s, m,
    semicircles, strides/min, mm, ms, % ...), the writer applies
    ``stored = round((value + offset) * scale)``. ``None`` and NaN become the
    base type's invalid sentinel (0xFF, 0x7FFF, 0xFFFFFFFF ...). A value that
    does not fit its base type raises :class:`FitEncodeError` instead of wrapping.
    ``date_time`` fields take an aware ``datetime`` or FIT seconds (seconds since
    1989-12-31T00:00:00Z, see :func:`to_fit_time`).

Files
-----
:func:`chain` concatenates complete FIT files into one byte string (as some
devices do); :func:`write_fit` (``.fit.gz`` when the path ends in ``.gz``, with
:func:`runlens.io.source.gzip_bytes`) writes deterministic gzip (mtime 0).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from os import PathLike
from typing import Any

import numpy as np

from runlens.errors import RunlensError
from runlens.io.fit import FIT_EPOCH_S
from runlens.io.fitrepair import crc16
from runlens.io.source import gzip_bytes
from runlens.sim.synth import SimulatedRun, Summary, from_columns

__all__ = [
    "BASE_TYPES",
    "DEFAULT_DEVELOPER_FIELDS",
    "FOOT_STRIKE_TYPE",
    "MESSAGES",
    "STRYD_POWER",
    "Definition",
    "DeveloperApp",
    "DeveloperField",
    "FitDevice",
    "FitEncodeError",
    "FitWriter",
    "User",
    "chain",
    "degrees_to_semicircles",
    "encode_activity",
    "to_fit_time",
    "write_fit",
]



class FitEncodeError(RunlensError, ValueError):
    """A value or definition cannot be encoded as FIT.

    Parameters
    ----------
    message : str
        What was found against what was expected.
    field : str, optional
        The message.field concerned.
    """

    def __init__(self, message: str, field: str | None = None):
        self.field = field
        super().__init__(f"{field}: {message}" if field else message)


# --------------------------------------------------------------------------- profile


@dataclass(frozen=True)
class BaseType:
    """A FIT base type: its id byte, NumPy dtype and invalid sentinel."""

    name: str
    id: int
    dtype: str
    invalid: int | float | bytes

    @property
    def size(self) -> int:
        """Size of one value in bytes."""
        return np.dtype(self.dtype).itemsize


BASE_TYPES: dict[str, BaseType] = {
    b.name: b
    for b in (
        BaseType("enum", 0x00, "u1", 0xFF),
        BaseType("sint8", 0x01, "i1", 0x7F),
        BaseType("uint8", 0x02, "u1", 0xFF),
        BaseType("sint16", 0x83, "<i2", 0x7FFF),
        BaseType("uint16", 0x84, "<u2", 0xFFFF),
        BaseType("sint32", 0x85, "<i4", 0x7FFFFFFF),
        BaseType("uint32", 0x86, "<u4", 0xFFFFFFFF),
        BaseType("string", 0x07, "S1", b""),
        BaseType("float32", 0x88, "<f4", 0xFFFFFFFF),
        BaseType("float64", 0x89, "<f8", 0xFFFFFFFFFFFFFFFF),
        BaseType("uint8z", 0x0A, "u1", 0x00),
        BaseType("uint16z", 0x8B, "<u2", 0x0000),
        BaseType("uint32z", 0x8C, "<u4", 0x00000000),
        BaseType("byte", 0x0D, "u1", 0xFF),
        BaseType("sint64", 0x8E, "<i8", 0x7FFFFFFFFFFFFFFF),
        BaseType("uint64", 0x8F, "<u8", 0xFFFFFFFFFFFFFFFF),
        BaseType("uint64z", 0x90, "<u8", 0x0000000000000000),
    )
}


@dataclass(frozen=True)
class FieldSpec:
    """One profile field: number, base type, scale and offset (stored = (v + offset) * scale)."""

    name: str
    num: int
    base_type: str
    scale: float = 1.0
    offset: float = 0.0

    @property
    def base(self) -> BaseType:
        return BASE_TYPES[self.base_type]


@dataclass(frozen=True)
class MessageSpec:
    """One profile message: its global number and the fields this encoder knows."""

    name: str
    num: int
    fields: Mapping[str, FieldSpec]


def _message(name: str, num: int, *fields: tuple) -> MessageSpec:
    specs = {f[0]: FieldSpec(*f) for f in fields}
    return MessageSpec(name, num, specs)


_TS = ("timestamp", 253, "uint32")
_MI = ("message_index", 254, "uint16")
# Shared by lap and session; field numbers differ, so each table lists its own.
MESSAGES: dict[str, MessageSpec] = {
    m.name: m
    for m in (
        _message(
            "file_id",
            0,
            ("type", 0, "enum"),
            ("manufacturer", 1, "uint16"),
            ("product", 2, "uint16"),
            ("serial_number", 3, "uint32z"),
            ("time_created", 4, "uint32"),
            ("number", 5, "uint16"),
            ("product_name", 8, "string"),
        ),
        _message(
            "user_profile",
            3,
            ("friendly_name", 0, "string"),
            ("gender", 1, "enum"),
            ("age", 2, "uint8"),
            ("height", 3, "uint8", 100),
            ("weight", 4, "uint16", 10),
            ("resting_heart_rate", 8, "uint8"),
            ("default_max_running_heart_rate", 9, "uint8"),
            ("default_max_heart_rate", 11, "uint8"),
            ("user_running_step_length", 31, "uint16", 1000),
            _MI,
        ),
        _message(
            "session",
            18,
            ("event", 0, "enum"),
            ("event_type", 1, "enum"),
            ("start_time", 2, "uint32"),
            ("start_position_lat", 3, "sint32"),
            ("start_position_long", 4, "sint32"),
            ("sport", 5, "enum"),
            ("sub_sport", 6, "enum"),
            ("total_elapsed_time", 7, "uint32", 1000),
            ("total_timer_time", 8, "uint32", 1000),
            ("total_distance", 9, "uint32", 100),
            ("total_strides", 10, "uint32"),
            ("total_calories", 11, "uint16"),
            ("avg_speed", 14, "uint16", 1000),
            ("max_speed", 15, "uint16", 1000),
            ("avg_heart_rate", 16, "uint8"),
            ("max_heart_rate", 17, "uint8"),
            ("avg_running_cadence", 18, "uint8"),
            ("max_running_cadence", 19, "uint8"),
            ("avg_power", 20, "uint16"),
            ("max_power", 21, "uint16"),
            ("total_ascent", 22, "uint16"),
            ("total_descent", 23, "uint16"),
            ("first_lap_index", 25, "uint16"),
            ("num_laps", 26, "uint16"),
            ("trigger", 28, "enum"),
            ("avg_temperature", 57, "sint8"),
            ("total_moving_time", 59, "uint32", 1000),
            ("avg_vertical_oscillation", 89, "uint16", 10),
            ("avg_stance_time_percent", 90, "uint16", 100),
            ("avg_stance_time", 91, "uint16", 10),
            ("avg_fractional_cadence", 92, "uint8", 128),
            ("max_fractional_cadence", 93, "uint8", 128),
            ("enhanced_avg_speed", 124, "uint32", 1000),
            ("enhanced_max_speed", 125, "uint32", 1000),
            ("avg_vertical_ratio", 132, "uint16", 100),
            ("avg_stance_time_balance", 133, "uint16", 100),
            ("avg_step_length", 134, "uint16", 10),
            _TS,
            _MI,
        ),
        _message(
            "lap",
            19,
            ("event", 0, "enum"),
            ("event_type", 1, "enum"),
            ("start_time", 2, "uint32"),
            ("start_position_lat", 3, "sint32"),
            ("start_position_long", 4, "sint32"),
            ("end_position_lat", 5, "sint32"),
            ("end_position_long", 6, "sint32"),
            ("total_elapsed_time", 7, "uint32", 1000),
            ("total_timer_time", 8, "uint32", 1000),
            ("total_distance", 9, "uint32", 100),
            ("total_strides", 10, "uint32"),
            ("total_calories", 11, "uint16"),
            ("avg_speed", 13, "uint16", 1000),
            ("max_speed", 14, "uint16", 1000),
            ("avg_heart_rate", 15, "uint8"),
            ("max_heart_rate", 16, "uint8"),
            ("avg_running_cadence", 17, "uint8"),
            ("max_running_cadence", 18, "uint8"),
            ("avg_power", 19, "uint16"),
            ("max_power", 20, "uint16"),
            ("total_ascent", 21, "uint16"),
            ("total_descent", 22, "uint16"),
            ("lap_trigger", 24, "enum"),
            ("sport", 25, "enum"),
            ("sub_sport", 39, "enum"),
            ("avg_temperature", 50, "sint8"),
            ("total_moving_time", 52, "uint32", 1000),
            ("avg_vertical_oscillation", 77, "uint16", 10),
            ("avg_stance_time_percent", 78, "uint16", 100),
            ("avg_stance_time", 79, "uint16", 10),
            ("avg_fractional_cadence", 80, "uint8", 128),
            ("max_fractional_cadence", 81, "uint8", 128),
            ("enhanced_avg_speed", 110, "uint32", 1000),
            ("enhanced_max_speed", 111, "uint32", 1000),
            ("avg_vertical_ratio", 118, "uint16", 100),
            ("avg_stance_time_balance", 119, "uint16", 100),
            ("avg_step_length", 120, "uint16", 10),
            _TS,
            _MI,
        ),
        _message(
            "length",  # one pool length of a swim (FIT profile message 101)
            101,
            ("event", 0, "enum"),
            ("event_type", 1, "enum"),
            ("start_time", 2, "uint32"),
            ("total_elapsed_time", 3, "uint32", 1000),
            ("total_timer_time", 4, "uint32", 1000),
            ("total_strokes", 5, "uint16"),
            ("avg_speed", 6, "uint16", 1000),
            ("swim_stroke", 7, "enum"),
            ("avg_swimming_cadence", 9, "uint8"),
            ("length_type", 12, "enum"),  # 0 idle (a rest at the wall), 1 active
            _TS,
            _MI,
        ),
        _message(
            "record",
            20,
            ("position_lat", 0, "sint32"),
            ("position_long", 1, "sint32"),
            ("altitude", 2, "uint16", 5, 500),
            ("heart_rate", 3, "uint8"),
            ("cadence", 4, "uint8"),
            ("distance", 5, "uint32", 100),
            ("speed", 6, "uint16", 1000),
            ("power", 7, "uint16"),
            ("grade", 9, "sint16", 100),
            ("temperature", 13, "sint8"),
            ("vertical_speed", 32, "sint16", 1000),
            ("vertical_oscillation", 39, "uint16", 10),
            ("stance_time_percent", 40, "uint16", 100),
            ("stance_time", 41, "uint16", 10),
            ("activity_type", 42, "enum"),
            ("fractional_cadence", 53, "uint8", 128),
            ("enhanced_speed", 73, "uint32", 1000),
            ("enhanced_altitude", 78, "uint32", 5, 500),
            ("vertical_ratio", 83, "uint16", 100),
            ("stance_time_balance", 84, "uint16", 100),
            ("step_length", 85, "uint16", 10),
            ("respiration_rate", 99, "uint8"),
            ("enhanced_respiration_rate", 108, "uint16", 100),
            _TS,
        ),
        _message(
            "event",
            21,
            ("event", 0, "enum"),
            ("event_type", 1, "enum"),
            ("data16", 2, "uint16"),
            ("data", 3, "uint32"),
            ("event_group", 4, "uint8"),
            _TS,
        ),
        _message(
            "device_info",
            23,
            ("device_index", 0, "uint8"),
            ("device_type", 1, "uint8"),
            ("manufacturer", 2, "uint16"),
            ("serial_number", 3, "uint32z"),
            ("product", 4, "uint16"),
            ("software_version", 5, "uint16", 100),
            ("hardware_version", 6, "uint8"),
            ("battery_status", 11, "uint8"),
            ("sensor_position", 18, "enum"),
            ("descriptor", 19, "string"),
            ("source_type", 25, "enum"),
            ("product_name", 27, "string"),
            _TS,
        ),
        _message(
            "activity",
            34,
            ("total_timer_time", 0, "uint32", 1000),
            ("num_sessions", 1, "uint16"),
            ("type", 2, "enum"),
            ("event", 3, "enum"),
            ("event_type", 4, "enum"),
            ("local_timestamp", 5, "uint32"),
            ("event_group", 6, "uint8"),
            _TS,
        ),
        _message(
            "field_description",
            206,
            ("developer_data_index", 0, "uint8"),
            ("field_definition_number", 1, "uint8"),
            ("fit_base_type_id", 2, "uint8"),
            ("field_name", 3, "string"),
            ("array", 4, "uint8"),
            ("components", 5, "string"),
            ("scale", 6, "uint8"),
            ("offset", 7, "sint8"),
            ("units", 8, "string"),
            ("fit_base_unit_id", 13, "uint16"),
            ("native_mesg_num", 14, "uint16"),
            ("native_field_num", 15, "uint8"),
        ),
        _message(
            "developer_data_id",
            207,
            ("developer_id", 0, "byte"),
            ("application_id", 1, "byte"),
            ("manufacturer_id", 2, "uint16"),
            ("developer_data_index", 3, "uint8"),
            ("application_version", 4, "uint32"),
        ),
    )
}

#: Fields holding a date_time (FIT seconds): they also accept an aware datetime.
_DATE_TIME_FIELDS = frozenset({"timestamp", "time_created", "start_time", "local_timestamp"})


# --------------------------------------------------------------------------- helpers


def to_fit_time(value: datetime | float | int) -> int:
    """Convert an aware datetime (or Unix seconds) to FIT seconds since 1989-12-31T00:00Z.

    Parameters
    ----------
    value : datetime or float
        An aware datetime, or Unix time in s.

    Returns
    -------
    int
        FIT date_time, s.
    """
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise FitEncodeError("naive datetime: give a timezone (FIT times are UTC)")
        value = value.timestamp()
    return int(round(value)) - FIT_EPOCH_S


def degrees_to_semicircles(deg: np.ndarray | float) -> np.ndarray:
    """Convert degrees to FIT semicircles (2**31 semicircles = 180 degrees).

    Parameters
    ----------
    deg : array_like
        Latitude or longitude, degrees.

    Returns
    -------
    ndarray
        Semicircles as float (rounded by the encoder); NaN stays NaN.
    """
    return np.asarray(deg, dtype=float) * (2**31 / 180.0)


def chain(*files: bytes) -> bytes:
    """Concatenate complete FIT files into one byte string, as chained FIT files are stored."""
    return b"".join(files)


def write_fit(path: str | PathLike[str], data: bytes) -> None:
    """Write FIT bytes to ``path``, gzipped when the name ends in ``.gz``."""
    out = gzip_bytes(data) if str(path).endswith(".gz") else data
    with open(path, "wb") as fh:
        fh.write(out)


# --------------------------------------------------------------------------- developer data


@dataclass(frozen=True)
class DeveloperApp:
    """A developer_data_id message: the app that owns a developer_data_index.

    Parameters
    ----------
    index : int
        developer_data_index, 0..254.
    application_id : bytes
        16-byte application UUID.
    manufacturer_id : int, optional
        FIT manufacturer id of the app's maker.
    application_version : int, optional
        App version number.
    """

    index: int
    application_id: bytes = bytes(16)
    manufacturer_id: int | None = None
    application_version: int | None = None


@dataclass(frozen=True)
class DeveloperField:
    """A developer field (one field_description message).

    Parameters
    ----------
    name : str
        field_name, e.g. "FootStrike Type".
    base_type : str
        A key of ``BASE_TYPES``.
    units : str, optional
        units string, e.g. "Watts".
    number : int
        field_definition_number within its developer index, 0..254.
    developer_index : int
        developer_data_index of the owning :class:`DeveloperApp`.
    native_field_num : int, optional
        Profile field this one duplicates (e.g. 7 for record.power), if any.
    scale, offset : int, optional
        Written to the description only; values are stored as given (rounded to
        integers for integer base types), as readers like fitparse ignore them.
    """

    name: str
    base_type: str = "uint8"
    units: str | None = None
    number: int = 0
    developer_index: int = 0
    native_field_num: int | None = None
    scale: int | None = None
    offset: int | None = None

    @property
    def base(self) -> BaseType:
        return BASE_TYPES[self.base_type]


#: RunScribe-style foot strike type: 1-5 rearfoot, 6-10 midfoot, 11-16 forefoot.
FOOT_STRIKE_TYPE = DeveloperField("FootStrike Type", "uint8", None, number=0, developer_index=0)
#: Stryd-style running power developer field.
STRYD_POWER = DeveloperField(
    "Power", "uint16", "Watts", number=0, developer_index=1, native_field_num=7
)
#: Synth columns encode_activity writes as developer fields unless told otherwise.
DEFAULT_DEVELOPER_FIELDS: Mapping[str, DeveloperField] = {"foot_strike": FOOT_STRIKE_TYPE}
_DEFAULT_APP_IDS = {
    0: bytes.fromhex("72756e6c656e732d666f6f74706f6400"),  # "runlens-footpod\0"
    1: bytes.fromhex("72756e6c656e732d706f7765722d3031"),  # "runlens-power-01"
}


# --------------------------------------------------------------------------- definitions


@dataclass(frozen=True)
class _Slot:
    """One field as defined: profile spec, size in bytes and NumPy dtype."""

    key: str
    spec: FieldSpec | DeveloperField
    size: int

    @property
    def base(self) -> BaseType:
        return self.spec.base

    @property
    def dtype(self) -> Any:
        b = self.base
        if b.name == "string":
            return f"S{self.size}"
        count = self.size // b.size
        return b.dtype if count == 1 else (b.dtype, (count,))


@dataclass(frozen=True)
class Definition:
    """A defined local message type. Made by :meth:`FitWriter.define`; pass it to ``write*``."""

    message: str
    global_num: int
    local_num: int
    slots: tuple[_Slot, ...]
    dev_slots: tuple[_Slot, ...]
    dtype: np.dtype = field(repr=False)

    @property
    def size(self) -> int:
        """Size of one data message in bytes, header byte included."""
        return self.dtype.itemsize

    def pack(self, columns: Mapping[str, Any], n: int | None = None) -> np.ndarray:
        """Encode data messages into a packed structured array (one row = one message's bytes).

        Parameters
        ----------
        columns : mapping of str to array_like or scalar
            Values by field name, profile units; see :meth:`FitWriter.write_columns`.
        n : int, optional
            Number of messages; default from the longest column.

        Returns
        -------
        ndarray
            Structured array of dtype ``self.dtype``; ``rows.tobytes()`` are the messages.
        """
        if n is None:
            lengths = [
                len(v)
                for v in columns.values()
                if np.ndim(v) > 0 and not isinstance(v, str | bytes)
            ]
            n = max(lengths) if lengths else 1
        slots = self.slots + self.dev_slots
        unknown = set(columns) - {s.key for s in slots}
        if unknown:
            raise FitEncodeError(f"fields not in the definition: {sorted(unknown)}", self.message)
        out = np.zeros(n, dtype=self.dtype)
        out["_header"] = self.local_num
        for i, slot in enumerate(slots):
            out[f"f{i}"] = _encode(slot, columns.get(slot.key), n, f"{self.message}.{slot.key}")
        return out

    def header_bytes(self) -> bytes:
        """The definition message (little-endian architecture)."""
        head = 0x40 | self.local_num | (0x20 if self.dev_slots else 0)
        out = bytearray(struct.pack("<BBBHB", head, 0, 0, self.global_num, len(self.slots)))
        for s in self.slots:
            out += struct.pack("<BBB", s.spec.num, s.size, s.base.id)
        if self.dev_slots:
            out.append(len(self.dev_slots))
            for s in self.dev_slots:
                out += struct.pack("<BBB", s.spec.number, s.size, s.spec.developer_index)
        return bytes(out)


def _resolve(message: str | int, name: str | FieldSpec) -> FieldSpec:
    if isinstance(name, FieldSpec):
        return name
    spec = MESSAGES.get(message) if isinstance(message, str) else None
    if spec is None or name not in spec.fields:
        raise FitEncodeError(
            f"unknown field; known: {sorted(spec.fields) if spec else 'none'} "
            "(pass a FieldSpec for others)",
            f"{message}.{name}",
        )
    return spec.fields[name]


def _as_numbers(values: Any, base: BaseType) -> np.ndarray:
    """Values as a float (or raw) array: None -> NaN, datetime -> FIT s, bytes -> base-type items."""
    if values is None:
        return np.array(np.nan)
    if isinstance(values, bytes | bytearray):
        return np.frombuffer(bytes(values), dtype=base.dtype)
    if isinstance(values, datetime):
        return np.array(float(to_fit_time(values)))
    arr = np.asarray(values)
    if arr.dtype.kind in "SO" and arr.ndim >= 1:
        return np.stack([_as_numbers(v, base) for v in values])
    return arr


def _encode(slot: _Slot, values: Any, n: int, where: str) -> np.ndarray:
    """Encode n values of one field into stored integers (or bytes), sentinel for missing."""
    base = slot.base
    if base.name == "string":
        vals = [values] * n if isinstance(values, str | bytes) or values is None else list(values)
        raw = [(v.encode("utf-8") if isinstance(v, str) else (v or b"")) for v in vals]
        if any(len(r) >= slot.size for r in raw):
            raise FitEncodeError(f"string longer than {slot.size - 1} bytes", where)
        return np.array(raw, dtype=f"S{slot.size}")
    count = slot.size // base.size
    shape = (n,) if count == 1 else (n, count)
    arr = _as_numbers(values, base)
    try:
        arr = np.broadcast_to(arr, shape)
    except ValueError:
        raise FitEncodeError(f"expected {shape} values, got shape {arr.shape}", where) from None
    if base.name in ("float32", "float64"):
        out = arr.astype(base.dtype)
        bad = ~np.isfinite(out)
        if bad.any():
            out = out.copy()
            out.view(f"<u{base.size}")[bad] = base.invalid
        return out
    spec = slot.spec
    scale = getattr(spec, "scale", 1.0) or 1.0
    offset = getattr(spec, "offset", 0.0) or 0.0
    x = arr.astype(float)
    if isinstance(spec, FieldSpec) and (scale != 1.0 or offset != 0.0):
        x = (x + offset) * scale
    ok = np.isfinite(x)
    x = np.rint(np.where(ok, x, 0.0))
    info = np.iinfo(base.dtype)
    lo, hi = info.min, info.max
    # The sentinel is not a value: a real value may not encode to it.
    if base.invalid == info.max:
        hi -= 1
    elif base.invalid == 0:
        lo = max(lo, 1)
    if ok.any():
        xv = x[ok]
        if xv.min() < lo or xv.max() > hi:
            bad = xv[(xv < lo) | (xv > hi)][0]
            raise FitEncodeError(
                f"stored value {bad:.0f} outside {base.name} range {lo}..{hi} "
                f"(scale {scale}, offset {offset})",
                where,
            )
    return np.where(ok, x, base.invalid).astype(base.dtype)


class FitWriter:
    """Build one FIT file message by message.

    Parameters
    ----------
    protocol_version : int, optional
        Protocol byte of the header; 0x20 (2.0) is needed for developer fields.
    profile_version : int, optional
        Profile version x 100 (2140 = 21.40).

    Notes
    -----
    Local message numbers: :meth:`define` takes an explicit ``local_num`` or
    reuses/rotates 0..15 itself; redefining a local number is legal FIT and is
    what :meth:`message` does when a message's field set changes.
    """

    def __init__(self, *, protocol_version: int = 0x20, profile_version: int = 2140):
        self.protocol_version = protocol_version
        self.profile_version = profile_version
        self._chunks: list[bytes] = []
        self._active: dict[int, Definition] = {}
        self._next_local = 0
        self._dev_fields: dict[tuple[int, int], DeveloperField] = {}
        self._dev_apps: set[int] = set()

    # -- definitions ---------------------------------------------------------
    def define(
        self,
        message: str | int,
        fields: Sequence[str | FieldSpec],
        *,
        developer_fields: Sequence[DeveloperField] = (),
        sizes: Mapping[str, int] | None = None,
        local_num: int | None = None,
    ) -> Definition:
        """Write a definition message and return the :class:`Definition` to write data with.

        Parameters
        ----------
        message : str or int
            Profile message name, or a global message number (then every field
            must be a :class:`FieldSpec`).
        fields : sequence of str or FieldSpec
            Field names of the profile (``MESSAGES``) or explicit specs, in write order.
        developer_fields : sequence of DeveloperField
            Developer fields appended to each data message; their
            field_description must have been written (:meth:`add_developer_field`).
        sizes : mapping, optional
            Size in bytes for string or array fields (default: one value; 16 for strings).
        local_num : int, optional
            Local message number 0..15; default picks one.

        Returns
        -------
        Definition
        """
        sizes = dict(sizes or {})
        if isinstance(message, str):
            if message not in MESSAGES:
                raise FitEncodeError(f"unknown message {message!r}; known: {sorted(MESSAGES)}")
            global_num = MESSAGES[message].num
        else:
            global_num, message = int(message), str(message)
        slots = []
        for f in fields:
            spec = _resolve(message, f)
            size = sizes.get(spec.name, 16 if spec.base_type == "string" else spec.base.size)
            if size % spec.base.size or size > 255:
                raise FitEncodeError(
                    f"size {size} is not a multiple of {spec.base_type}", spec.name
                )
            slots.append(_Slot(spec.name, spec, size))
        if len({s.spec.num for s in slots}) != len(slots):
            raise FitEncodeError("a field is defined twice", message)
        dev_slots = []
        for d in developer_fields:
            if (d.developer_index, d.number) not in self._dev_fields:
                raise FitEncodeError("field_description not written yet", d.name)
            dev_slots.append(_Slot(d.name, d, sizes.get(d.name, d.base.size)))
        names = ["_header"] + [f"f{i}" for i in range(len(slots) + len(dev_slots))]
        formats = ["u1"] + [s.dtype for s in slots + dev_slots]
        dtype = np.dtype({"names": names, "formats": formats})  # packed, no padding
        if local_num is None:
            local_num = self._next_local
            self._next_local = (self._next_local + 1) % 16
        if not 0 <= local_num <= 15:
            raise FitEncodeError(f"local message number {local_num} not in 0..15")
        d = Definition(message, global_num, local_num, tuple(slots), tuple(dev_slots), dtype)
        self._chunks.append(d.header_bytes())
        self._active[local_num] = d
        return d

    # -- data ----------------------------------------------------------------
    def write_columns(
        self, definition: Definition, columns: Mapping[str, Any], n: int | None = None
    ) -> None:
        """Write one data message per row, vectorised (``definition.pack`` then :meth:`write_rows`).

        Parameters
        ----------
        definition : Definition
            From :meth:`define`; must still own its local number.
        columns : mapping of str to array_like or scalar
            Values by field name (profile units); scalars broadcast, missing
            fields and NaN/None are written as the invalid sentinel.
        n : int, optional
            Number of messages; default from the longest column.
        """
        self.write_rows(definition, definition.pack(columns, n))

    def write_rows(self, definition: Definition, rows: np.ndarray) -> None:
        """Append data messages already packed by ``definition.pack`` (any slice of them)."""
        if self._active.get(definition.local_num) is not definition:
            raise FitEncodeError(
                f"local message {definition.local_num} was redefined since", definition.message
            )
        if rows.dtype != definition.dtype:
            raise FitEncodeError("rows were packed for another definition", definition.message)
        self._chunks.append(rows.tobytes())

    def write(self, definition: Definition, **values: Any) -> None:
        """Write one data message with field values given by name (see :meth:`write_columns`)."""
        self.write_columns(definition, {k: [v] for k, v in values.items()}, n=1)

    def message(
        self, message: str, developer: Mapping[DeveloperField, Any] | None = None, **values: Any
    ) -> None:
        """Define (if needed) and write one message of the given fields.

        A field given as ``None`` is defined and written as invalid; leave it
        out to omit it. The definition is reused while the field set stays the same.
        """
        developer = dict(developer or {})
        sizes = {
            k: len(v.encode() if isinstance(v, str) else v) + (isinstance(v, str))
            for k, v in values.items()
            if isinstance(v, str | bytes)
        }
        sizes = {k: max(s, 1) for k, s in sizes.items()}
        key_fields = tuple(values)
        for d in self._active.values():
            if (
                d.message == message
                and tuple(s.key for s in d.slots) == key_fields
                and tuple(s.spec for s in d.dev_slots) == tuple(developer)
                and all(s.size == sizes.get(s.key, s.size) for s in d.slots)
            ):
                break
        else:
            d = self.define(message, key_fields, developer_fields=tuple(developer), sizes=sizes)
        cols = {k: [v] for k, v in values.items()}
        cols.update({f.name: [v] for f, v in developer.items()})
        self.write_columns(d, cols, n=1)

    def add_developer_app(self, app: DeveloperApp) -> None:
        """Write a developer_data_id message."""
        if len(app.application_id) != 16:
            raise FitEncodeError("application_id must be 16 bytes", "developer_data_id")
        values: dict[str, Any] = {"application_id": app.application_id}
        if app.manufacturer_id is not None:
            values["manufacturer_id"] = app.manufacturer_id
        values["developer_data_index"] = app.index
        if app.application_version is not None:
            values["application_version"] = app.application_version
        self.message("developer_data_id", **values)
        self._dev_apps.add(app.index)

    def add_developer_field(self, dev: DeveloperField) -> None:
        """Write a field_description message (its developer app must be written first)."""
        if dev.developer_index not in self._dev_apps:
            raise FitEncodeError("developer_data_id not written for its index", dev.name)
        values: dict[str, Any] = {
            "developer_data_index": dev.developer_index,
            "field_definition_number": dev.number,
            "fit_base_type_id": dev.base.id,
            "field_name": dev.name,
        }
        for key, val in (
            ("scale", dev.scale),
            ("offset", dev.offset),
            ("units", dev.units),
            ("native_field_num", dev.native_field_num),
        ):
            if val is not None:
                values[key] = val
        self.message("field_description", **values)
        self._dev_fields[(dev.developer_index, dev.number)] = dev

    def raw(self, data: bytes) -> None:
        """Append bytes as they are (for deliberately broken files); counted in data size and CRC."""
        self._chunks.append(bytes(data))

    def to_bytes(self) -> bytes:
        """Return the complete file: 14-byte header with its CRC, messages, file CRC."""
        body = b"".join(self._chunks)
        head = struct.pack(
            "<BBHI4s", 14, self.protocol_version, self.profile_version, len(body), b".FIT"
        )
        head += struct.pack("<H", crc16(head))
        data = head + body  # the file CRC covers the header too
        return data + struct.pack("<H", crc16(data))


# --------------------------------------------------------------------------- activity


@dataclass(frozen=True)
class FitDevice:
    """The recording device, written to file_id and device_info.

    Defaults describe a Garmin Forerunner 935 (manufacturer 1, product 2691).
    """

    manufacturer: int = 1
    product: int = 2691
    serial_number: int = 3_900_000_001
    software_version: float = 21.0


@dataclass(frozen=True)
class User:
    """A user_profile message: height (m), weight (kg), gender (0 female, 1 male), HRs (bpm).

    Fields left None are not written.
    """

    height: float | None = None
    weight: float | None = None
    gender: int | None = 1
    resting_heart_rate: int | None = None
    age: int | None = None
    default_max_heart_rate: int | None = None


#: Synth column -> (record field, factor from synth unit to profile unit).
_RECORD_MAP: dict[str, tuple[str, float]] = {
    "distance": ("distance", 1.0),
    "heart_rate": ("heart_rate", 1.0),
    "vertical_oscillation": ("vertical_oscillation", 1000.0),  # m -> mm
    "stance_time_percent": ("stance_time_percent", 1.0),
    "stance_time": ("stance_time", 1000.0),  # s -> ms
    "vertical_ratio": ("vertical_ratio", 1.0),
    "stance_time_balance": ("stance_time_balance", 1.0),
    "step_length": ("step_length", 1000.0),  # m -> mm
    "power": ("power", 1.0),
    "temperature": ("temperature", 1.0),
}

_SUMMARY_MAP: dict[str, tuple[str, float]] = {
    "total_elapsed_time": ("total_elapsed_time", 1.0),
    "total_timer_time": ("total_timer_time", 1.0),
    "total_distance": ("total_distance", 1.0),
    "avg_heart_rate": ("avg_heart_rate", 1.0),
    "max_heart_rate": ("max_heart_rate", 1.0),
    "avg_vertical_oscillation": ("avg_vertical_oscillation", 1000.0),
    "avg_stance_time": ("avg_stance_time", 1000.0),
    "avg_stance_time_percent": ("avg_stance_time_percent", 1.0),
    "avg_stance_time_balance": ("avg_stance_time_balance", 1.0),
    "avg_step_length": ("avg_step_length", 1000.0),
    "avg_vertical_ratio": ("avg_vertical_ratio", 1.0),
    "avg_power": ("avg_power", 1.0),
    "max_power": ("max_power", 1.0),
    "total_ascent": ("total_ascent", 1.0),
    "total_descent": ("total_descent", 1.0),
    "avg_temperature": ("avg_temperature", 1.0),
}


def _strides(spm: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Split steps/min into FIT cadence (whole strides/min) and fractional cadence (1/128)."""
    q = np.rint(np.asarray(spm, dtype=float) / 2 * 128)
    ok = np.isfinite(q)
    q0 = np.where(ok, q, 0)
    return np.where(ok, q0 // 128, np.nan), np.where(ok, (q0 % 128) / 128, np.nan)


def _present(col: np.ndarray | None) -> bool:
    return col is not None and bool(np.isfinite(np.asarray(col, dtype=float)).any())


def _summary_values(s: Summary, speed_fields: str) -> dict[str, Any]:
    """FIT lap/session values (profile units) from a synth Summary."""
    out: dict[str, Any] = {}
    for key, (name, factor) in _SUMMARY_MAP.items():
        v = getattr(s, key)
        if v is not None and np.isfinite(v):
            out[name] = v * factor
    if speed_fields in ("enhanced", "both"):
        out["enhanced_avg_speed"], out["enhanced_max_speed"] = s.avg_speed, s.max_speed
    if speed_fields in ("legacy", "both"):
        out["avg_speed"], out["max_speed"] = s.avg_speed, s.max_speed
    if s.avg_cadence is not None and np.isfinite(s.avg_cadence):
        c, f = _strides(s.avg_cadence)
        out["avg_running_cadence"], out["avg_fractional_cadence"] = float(c), float(f)
        c, f = _strides(s.max_cadence)
        out["max_running_cadence"], out["max_fractional_cadence"] = float(c), float(f)
    if s.total_strides is not None:
        out["total_strides"] = s.total_strides
    return out


def encode_activity(
    run: SimulatedRun | Mapping[str, Any],
    *,
    start: datetime | None = None,
    device: FitDevice | None = None,
    user: User | bool = True,
    developer_fields: Mapping[str, DeveloperField] | None = None,
    developer_apps: Iterable[DeveloperApp] | None = None,
    speed_fields: str = "enhanced",
    respiration_fields: str = "enhanced",
    exclude: Iterable[str] = (),
    clock_jump: tuple[float, float] | None = None,
    more_sessions: Sequence[SimulatedRun] = (),
    jump_in_messages: bool = False,
) -> bytes:
    """Encode a simulated (or hand-made) run as a complete FIT activity file.

    Parameters
    ----------
    run : SimulatedRun or mapping of str to array_like
        The samples in the synth schema (``runlens.sim.synth.COLUMNS``: ``t`` in s
        since start, lat/lon in degrees, distance m, speed m/s, altitude m,
        heart_rate bpm, cadence steps/min, step_length m, vertical_oscillation m,
        stance_time s, ... ). A mapping is turned into a run with
        ``runlens.sim.synth.from_columns`` (one lap, no pauses, ``start`` required).
    start : datetime, optional
        Start time (aware) for a mapping; ignored for a SimulatedRun.
    device : FitDevice, optional
        Recording device (default :class:`FitDevice`, a Forerunner 935).
    user : User or bool
        user_profile to write: True (default) derives it from ``run.runner``
        (height, weight, resting and maximum HR), False writes none.
    developer_fields : mapping of column name to DeveloperField, optional
        Columns written as developer fields instead of native ones, added to
        ``DEFAULT_DEVELOPER_FIELDS`` (``{"foot_strike": FOOT_STRIKE_TYPE}``,
        RunScribe-like). Use ``{"power": STRYD_POWER}`` for Stryd-like power;
        leave a column out with ``exclude``.
    developer_apps : iterable of DeveloperApp, optional
        Apps owning the developer indices used; default one per index with a
        fixed application id.
    speed_fields : {"enhanced", "legacy", "both"}
        Write enhanced_speed/enhanced_altitude (uint32), speed/altitude (uint16), or both.
    respiration_fields : {"enhanced", "legacy", "both"}
        For a ``respiration_rate`` column (breaths/min): write
        enhanced_respiration_rate (field 108, 1/100 breath/min), respiration_rate
        (field 99, whole breaths/min), or both.
    exclude : iterable of str
        Synth columns not to write (e.g. ``{"power", "temperature"}``); columns
        that are absent or all-NaN are never written.
    clock_jump : (at_s, jump_s), optional
        A watch whose clock jumped mid-run: records from ``at_s`` (s since the
        start) on are stamped ``jump_s`` seconds later; laps, events and the
        session keep the true times (what a device's own timers measured).
    more_sessions : sequence of SimulatedRun
        Further sessions in the same file, after ``run``'s (each with its own
        records, laps, session message and start; e.g. two runs 80 minutes
        apart that a watch kept in one file). The activity message counts them all.
    jump_in_messages : bool
        With ``clock_jump``: every time the watch stamps after the jump is on the
        jumped clock too, as a real watch writes it: events, lap and session
        ``timestamp`` (written at their end) and the ``start_time`` of laps that
        begin after the jump; the session's ``start_time`` stays before it, and
        ``total_elapsed_time``/``total_timer_time`` stay the timers' true counts.

    Returns
    -------
    bytes
        A complete FIT file (header, messages, CRC).

    Notes
    -----
    Message order follows a Garmin watch: file_id, developer data ids and field
    descriptions, device_info, user_profile, timer start event, records (with
    timer stop_all/start events at pauses and a lap message at each lap end),
    session, activity. The record cadence is ``floor(spm / 2)`` strides/min with
    the rest in fractional_cadence (1/128 stride/min). Lap and session values
    come from ``run.laps`` and ``run.session`` (see ``runlens.sim.synth.watch_summary``).
    """
    if not isinstance(run, SimulatedRun):
        if start is None:
            raise FitEncodeError("start (an aware datetime) is required for a mapping of columns")
        run = from_columns(run, start=start)
    device = device or FitDevice()
    excluded = set(exclude)
    dev_map = {**DEFAULT_DEVELOPER_FIELDS, **(developer_fields or {})}
    if speed_fields not in ("enhanced", "legacy", "both"):
        raise FitEncodeError(f"speed_fields must be enhanced, legacy or both, not {speed_fields!r}")
    if respiration_fields not in ("enhanced", "legacy", "both"):
        raise FitEncodeError(
            f"respiration_fields must be enhanced, legacy or both, not {respiration_fields!r}"
        )

    def columns(run):
        t = np.asarray(run.t, dtype=float)
        n = t.size
        t0 = to_fit_time(run.start)
        ts = t0 + np.rint(t)
        if clock_jump is not None:
            ts = ts + np.where(t >= clock_jump[0], np.rint(clock_jump[1]), 0.0)
        cols: dict[str, Any] = {"timestamp": ts}
        c = run.columns
        get = {k: v for k, v in c.items() if k not in excluded and _present(v)}
        if "lat" in get and "lon" in get:
            cols["position_lat"] = degrees_to_semicircles(get["lat"])
            cols["position_long"] = degrees_to_semicircles(get["lon"])
        for key, (name, factor) in _RECORD_MAP.items():
            if key in get and key not in dev_map:
                cols[name] = np.asarray(get[key], dtype=float) * factor
        for key, legacy, enhanced in (
            ("speed", "speed", "enhanced_speed"),
            ("altitude", "altitude", "enhanced_altitude"),
        ):
            if key in get and key not in dev_map:
                if speed_fields in ("enhanced", "both"):
                    cols[enhanced] = get[key]
                if speed_fields in ("legacy", "both"):
                    cols[legacy] = get[key]
        if "cadence" in get and "cadence" not in dev_map:
            cols["cadence"], cols["fractional_cadence"] = _strides(get["cadence"])
        if "respiration_rate" in get and "respiration_rate" not in dev_map:
            if respiration_fields in ("enhanced", "both"):
                cols["enhanced_respiration_rate"] = get["respiration_rate"]
            if respiration_fields in ("legacy", "both"):
                cols["respiration_rate"] = np.rint(get["respiration_rate"])
        dev_cols = {f: np.asarray(get[k], dtype=float) for k, f in dev_map.items() if k in get}
        return t, n, t0, cols, c, get, dev_cols

    t, n, t0, cols, c, get, dev_cols = columns(run)

    w = FitWriter()
    w.message(
        "file_id",
        type=4,
        manufacturer=device.manufacturer,
        product=device.product,
        serial_number=device.serial_number,
        time_created=t0,
    )
    if dev_cols:
        apps = {a.index: a for a in (developer_apps or ())}
        for idx in sorted({f.developer_index for f in dev_cols}):
            w.add_developer_app(
                apps.get(idx) or DeveloperApp(idx, _DEFAULT_APP_IDS.get(idx, bytes([idx]) * 16))
            )
        for f in dev_cols:
            w.add_developer_field(f)
    w.message(
        "device_info",
        timestamp=t0,
        device_index=0,
        manufacturer=device.manufacturer,
        serial_number=device.serial_number,
        product=device.product,
        software_version=device.software_version,
        source_type=5,
    )
    if user is True:
        r = run.runner
        user = User(
            height=r.height,
            weight=r.mass,
            resting_heart_rate=round(r.rest_hr),
            default_max_heart_rate=round(r.max_hr),
        )
    if user:
        uvals = {k: v for k, v in asdict(user).items() if v is not None}
        if uvals:
            w.message("user_profile", **uvals)
    ev = w.define("event", ["timestamp", "event", "event_type", "event_group"])
    total_timer = 0.0
    lap_base = 0
    for k_sess, run in enumerate([run, *more_sessions]):  # noqa: B020 - run is each session
        if k_sess:
            t, n, t0, cols, c, get, dev_cols = columns(run)
        w.write(ev, timestamp=t0, event=0, event_type=0, event_group=0)
        if not k_sess:
            rec = w.define("record", list(cols), developer_fields=list(dev_cols))
        rows = rec.pack({**cols, **{f.name: v for f, v in dev_cols.items()}}, n)
        lat, lon = cols.get("position_lat"), cols.get("position_long")
        sport = {"sport": run.sport, "sub_sport": run.sub_sport}

        # What a watch writes between records, by time. Each entry: (time s, order,
        # records up to and including that time? , action).
        t_last = float(t[-1])
        breaks: list[tuple[float, int, bool, tuple]] = []
        for p in run.pauses:
            # after the record at the stop
            breaks.append((p.start_s, 0, True, ("event", p.start_s, 4)))
            breaks.append(
                (p.end_s, 1, False, ("event", p.end_s, 0))
            )  # before the record at the restart
        for i, lap in enumerate(run.laps[:-1]):
            breaks.append(
                (lap.end_s, 2, False, ("lap", i))
            )  # the record at a lap end opens the next lap
        breaks.append((t_last, 3, True, ("event", t_last, 4)))
        breaks.append((t_last, 4, True, ("lap", len(run.laps) - 1)))
        breaks.sort(key=lambda b: b[:2])

        def at(time_s: float, t=t, n=n) -> int:
            return min(int(np.searchsorted(t, time_s, side="left")), n - 1)

        def clk(time_s: float, t0=t0) -> int:
            """The device clock at ``time_s`` s since the start, as messages stamp it."""
            jumped = clock_jump is not None and jump_in_messages and time_s >= clock_jump[0]
            return t0 + round(time_s) + (round(clock_jump[1]) if jumped else 0)

        # All laps packed at once (one definition), written where they fall.
        lap_vals = []
        for i, lap in enumerate(run.laps):
            vals = {
                "timestamp": clk(lap.end_s),
                "start_time": clk(lap.start_s),
                "event": 9,
                "event_type": 1,
                "message_index": lap_base + i,
                "lap_trigger": 0 if lap.trigger is None else lap.trigger,
                **sport,
                **_summary_values(lap, speed_fields),
            }
            if lat is not None:
                a, b = at(lap.start_s), at(lap.end_s)
                vals.update(
                    start_position_lat=lat[a],
                    start_position_long=lon[a],
                    end_position_lat=lat[b],
                    end_position_long=lon[b],
                )
            lap_vals.append(vals)
        lap_keys = list(dict.fromkeys(k for v in lap_vals for k in v))
        lap_def = w.define("lap", lap_keys)
        lap_rows = lap_def.pack({k: [v.get(k) for v in lap_vals] for k in lap_keys}, len(lap_vals))

        done = 0
        for time_s, _, inclusive, action in breaks:
            upto = max(done, int(np.searchsorted(t, time_s, side="right" if inclusive else "left")))
            if upto > done:
                w.write_rows(rec, rows[done:upto])
                done = upto
            if action[0] == "event":
                w.write(
                    ev, timestamp=clk(action[1]), event=0, event_type=action[2],
                    event_group=0,
                )
            else:
                w.write_rows(lap_def, lap_rows[action[1] : action[1] + 1])

        s = run.session
        t_end = clk(t_last)
        svals = {
            "timestamp": t_end,
            "start_time": t0,
            "event": 8,
            "event_type": 1,
            **sport,
            **_summary_values(s, speed_fields),
            "first_lap_index": lap_base,
            "num_laps": len(run.laps),
            "trigger": 0,
            "message_index": k_sess,
        }
        if lat is not None:
            svals.update(start_position_lat=lat[0], start_position_long=lon[0])
        w.message("session", **svals)
        total_timer += s.total_timer_time
        lap_base += len(run.laps)
    w.message(
        "activity",
        timestamp=t_end,
        total_timer_time=total_timer,
        num_sessions=1 + len(more_sessions),
        type=0,
        event=26,
        event_type=1,
        local_timestamp=t_end + run.utc_offset_s,
        event_group=0,
    )
    return w.to_bytes()
