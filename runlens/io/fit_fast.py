"""FIT through fitfast, a native (Rust) decoder that returns NumPy columns.

fitparse (:mod:`runlens.io.fit`) is the reference: it decodes message by
message in pure Python and takes one to three seconds for a two-hour run. This
module fills the same :class:`~runlens.io.rawfit.RawFit` in a few tens of
milliseconds and is held to the reference by ``tests/io/test_parity.py``.

How it stays fast and equal to the reference
--------------------------------------------
- ``fitfast.records()`` decodes the record messages straight into float64
  columns (one native pass, no Python object per sample). It also checks
  every CRC and the file's structure: any fault and the file is refused.
- The few other messages runlens needs (file_id, session, lap, event, ...)
  come from a copy of the file without its records: :func:`walk` jumps over
  runs of same-sized record messages with one vectorised comparison per run
  and keeps every definition message. fitfast decodes that copy in well under
  a millisecond, and :func:`_name_message` names and values each message as
  fitparse does (its profile's names, enums and sub-fields, its component
  expansion, its invalid values), so that the messages equal the reference's
  (should they ever not pair up with the walk, fitparse itself decodes the
  copy, in milliseconds instead of seconds).
- Where fitfast decodes a record value differently from the FIT profile as
  fitparse applies it, the value is taken from the record's own field (see
  :func:`decode_fitfast`).

Damaged files
-------------
A file fitfast rejects (a CRC mismatch, truncation, undecodable data) is first
repaired by :func:`runlens.io.fitrepair.repair`, which writes the good message
stream out as a valid FIT file with the salvage warnings; fitfast decodes
that, so a damaged file costs about what an intact one does. With ``strict``
nothing is repaired: the file is refused here and fitparse's path gives the
strict verdict.

What it refuses (so that :func:`runlens.io.read` falls back to fitparse)
-------------------------------------------------------------------------
Files fitparse would read differently (a field size that is not a multiple
of its base type's size), record messages with ``compressed_speed_distance``
(fitfast 0.1.0 does not expand it) or with both respiration rate fields
(fitfast lets the one it expands overwrite the one written), developer fields
this path cannot name unambiguously, and anything fitfast still rejects after
repair. fitparse then reads the same repaired bytes and gives the same warnings.
"""

from __future__ import annotations

import os
import struct
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from ..errors import CorruptFileError, RunlensError
from .bounds import MAX_DEFINED_FIELDS, MAX_DEFINITIONS
from .fit import (
    FIT_EPOCH_S,
    KEPT_MESSAGES,
    UNNAMED_RECORD_FIELDS,
    check_salvage,
    decode_fitparse,
)
from .rawfit import RawFit

__all__ = ["decode_fitfast", "FastPathRejected", "walk", "Walk"]

# Global message number of each message the Activity needs (KEPT_MESSAGES, numbered).
_KEPT_NAMES = {
    0: "file_id",
    3: "user_profile",
    12: "sport",
    18: "session",
    19: "lap",
    21: "event",
    23: "device_info",
    34: "activity",
    101: "length",  # a pool swim's lengths: its moving time
}
assert set(_KEPT_NAMES.values()) == KEPT_MESSAGES
# Walked past too: those that describe developer fields (field_description 206,
# developer_data_id 207).
_KEPT_NUMS = frozenset(_KEPT_NAMES) | {206, 207}
_RECORD = 20
# Record field numbers (FIT profile): altitude 2, speed 6, compressed_speed_distance 8,
# cycles 18, compressed_accumulated_power 28, enhanced_speed 73, enhanced_altitude 78.
_ALTITUDE, _SPEED, _COMPRESSED_SPEED_DISTANCE = 2, 6, 8
_CYCLES, _COMPRESSED_POWER = 18, 28
_ENHANCED_SPEED, _ENHANCED_ALTITUDE = 73, 78
#: Record fields fitparse reads by number (io/fit.py): fitfast's name -> scale.
_UNNAMED_SCALES = {name: scale for name, scale in UNNAMED_RECORD_FIELDS.values()}

# FIT date_time values below this are seconds since device power-up, not dates;
# fitparse leaves them as plain numbers (FIT profile, type date_time).
_MIN_DATE_TIME = 0x10000000

# Size in bytes of each FIT base type (FIT protocol, base type table); fitparse reads
# an unknown base type as byte (size 1).
_BASE_SIZE = {
    0x00: 1, 0x01: 1, 0x02: 1, 0x83: 2, 0x84: 2, 0x85: 4, 0x86: 4, 0x07: 1, 0x88: 4,
    0x89: 8, 0x0A: 1, 0x8B: 2, 0x8C: 4, 0x0D: 1, 0x8E: 8, 0x8F: 8, 0x90: 8,
}  # fmt: skip


class FastPathRejected(CorruptFileError):
    """The fast path does not read this file (fitparse may still)."""


@dataclass
class Walk:
    """What :func:`walk` learnt about a FIT file's layout.

    Attributes
    ----------
    summary : bytes or None
        The file without its record (and other unneeded) data messages, a
        valid FIT file; None if a kept message depends on the removed ones
        (a compressed timestamp header).
    record_fields : set of int
        Native field numbers in any record definition.
    record_dev_fields : set of (int, int)
        (developer_data_index, field number) of developer fields in records.
    layouts : dict of int to list
        For each kept global message number, one entry per data message in
        file order: its definition's native fields as {number: (size, base type)}.
    """

    summary: bytes | None
    record_fields: set[int] = field(default_factory=set)
    record_dev_fields: set[tuple[int, int]] = field(default_factory=set)
    layouts: dict[int, list[dict[int, tuple[int, int]]]] = field(default_factory=dict)
    sequences: int = 1


def walk(data: bytes, name: str = "<bytes>") -> Walk:
    """Walk the message headers of a (CRC-checked) FIT file.

    Every FIT sequence (chained files have several) keeps its definition
    messages and the data messages of file_id, device_info, user_profile,
    event, lap, session, activity, sport, developer_data_id and
    field_description; its data size and both CRCs are rewritten.

    Runs of same-local data messages (the records, one after the other) are
    skipped in one step: message k of a run starts at ``p + k * size`` for as
    long as the header byte there names the same local message, so one strided
    NumPy comparison finds the end of the run.

    Parameters
    ----------
    data : bytes
        A whole FIT file that fitfast accepted.
    name : str
        The file's name, for messages.

    Returns
    -------
    Walk

    Raises
    ------
    FastPathRejected
        A layout fitparse would stop on (a field size that is not a multiple
        of its base type's size), compressed speed/distance records, or a
        structure the walk cannot follow.
    """
    from .fitrepair import crc16  # the one FIT CRC (reading, repair, the encoders)

    arr = np.frombuffer(data, dtype=np.uint8)
    out: list[bytes] = []
    rec_fields: set[int] = set()
    rec_dev: set[tuple[int, int]] = set()
    layouts: dict[int, list[dict[int, tuple[int, int]]]] = {}
    reducible = True
    pos = 0
    n = len(data)
    n_defs = n_fields = 0
    while pos < n:
        if n - pos < 12 or data[pos + 8 : pos + 12] != b".FIT" or data[pos] < 12:
            raise FastPathRejected(f"unexpected bytes after byte {pos}", path=name)
        dsize = struct.unpack_from("<I", data, pos + 4)[0]
        p = pos + data[pos]
        end = p + dsize
        if end + 2 > n:
            raise FastPathRejected("a FIT sequence runs past the end of the file", path=name)
        kept: list[bytes] = []
        # local number -> (message size, (global number, layout) if kept else None)
        defs: dict[int, tuple[int, tuple[int, dict] | None]] = {}
        while p < end:
            b = data[p]
            if b & 0x80:  # compressed timestamp header: a data message
                local = (b >> 5) & 0x3
            elif b & 0x40:  # definition message
                n_defs += 1
                n_fields += data[p + 5] + (data[p + 6 + 3 * data[p + 5]] if b & 0x20 else 0)
                if n_defs > MAX_DEFINITIONS or n_fields > MAX_DEFINED_FIELDS:
                    raise _TooManyDefinitions("more definitions than runlens reads", path=name)
                local = b & 0x0F
                big = data[p + 2] == 1
                gnum = struct.unpack_from(">H" if big else "<H", data, p + 3)[0]
                nf = data[p + 5]
                q = p + 6
                fdefs = data[q : q + 3 * nf]
                sizes = fdefs[1::3]
                for num, fsize, btype in zip(fdefs[0::3], sizes, fdefs[2::3]):
                    if fsize % _BASE_SIZE.get(btype, 1):
                        raise FastPathRejected(
                            f"field {num} of message {gnum} has size {fsize}, not a multiple "
                            f"of its base type's size (byte {p})",
                            path=name,
                        )
                size = sum(sizes)
                q += 3 * nf
                if gnum == _RECORD:
                    rec_fields.update(fdefs[0::3])
                if b & 0x20:  # developer fields follow
                    nd = data[q]
                    ddefs = data[q + 1 : q + 1 + 3 * nd]
                    size += sum(ddefs[1::3])
                    if gnum == _RECORD:
                        rec_dev.update(zip(ddefs[2::3], ddefs[0::3]))
                    q += 1 + 3 * nd
                layout = None
                if gnum in _KEPT_NUMS:
                    layout = (gnum, dict(zip(fdefs[0::3], zip(sizes, fdefs[2::3]))))
                defs[local] = (size + 1, layout)
                kept.append(data[p:q])
                p = q
                continue
            else:
                local = b & 0x0F
            d = defs.get(local)
            if d is None:
                raise FastPathRejected(
                    f"data message of undefined local type {local} at byte {p}", path=name
                )
            size, keep = d
            if keep:
                if b & 0x80:
                    reducible = False  # its time depends on the records removed
                layouts.setdefault(keep[0], []).append(keep[1])
                kept.append(data[p : p + size])
                p += size
                continue
            nxt = p + size
            # Compressed timestamp headers address local messages 0-3 only.
            compressed = 0x80 | (local << 5) if local < 4 else 0x100
            if nxt < end and (data[nxt] == local or (data[nxt] & 0xE0) == compressed):
                hdr = arr[p:end:size]
                same = (hdr == local) | ((hdr & 0xE0) == compressed)
                p += size * (len(same) if same.all() else int(np.argmin(same)))
            else:
                p = nxt
        if p != end:
            raise FastPathRejected("messages overrun their FIT sequence", path=name)
        body = b"".join(kept)
        header = bytearray(data[pos : pos + 12])
        header[0] = 14
        struct.pack_into("<I", header, 4, len(body))
        header += struct.pack("<H", crc16(header))
        seq = bytes(header) + body
        out.append(seq + struct.pack("<H", crc16(seq)))
        pos = end + 2
    if _COMPRESSED_SPEED_DISTANCE in rec_fields:
        raise FastPathRejected(
            "records with compressed speed/distance (not expanded by fitfast)", path=name
        )
    return Walk(b"".join(out) if reducible else None, rec_fields, rec_dev, layouts, len(out))


# Base types whose multi-byte fields are one value, not an array: string (7), byte (13).
_SCALAR_BLOBS = frozenset({0x07, 0x0D})


def _profile(gnum: int):
    """fitparse's profile of one message: (fields by name, fields by number), from the
    copy :mod:`runlens.io.fitprofile` keeps (fitparse itself is not imported)."""
    from .fitprofile import profile

    return profile(gnum)


def _scaled_to_raw(value: float, f) -> int:
    return int(round((value + (f.offset or 0)) * (f.scale or 1)))


def _raw_to_scaled(raw: int, f):
    """fitparse's scale and offset (``raw / scale - offset``; ints stay ints without them)."""
    v = raw
    if f.scale:
        v = float(v) / f.scale
    if f.offset:
        v = v - f.offset
    return v


def _render(ftype, value):
    """A value as fitparse's type processors leave it (enum names, dates, bools)."""
    name = getattr(ftype, "name", None)
    values = getattr(ftype, "values", None)
    if values and isinstance(value, int):
        return values.get(value, value)
    if name == "date_time" and isinstance(value, (int, float)):
        raw = value - FIT_EPOCH_S
        return raw if raw < _MIN_DATE_TIME else float(value)
    if name == "local_date_time" and isinstance(value, (int, float)):
        return float(value)
    if name == "localtime_into_day":
        return None  # fitparse gives a time of day, which RawFit keeps as None
    if name == "bool" and value is not None:
        return bool(value)
    return value


def _name_message(gnum: int, msg: dict, layout: dict[int, tuple[int, int]]) -> dict:
    """A fitfast message (numeric enums) named and valued as fitparse gives it.

    fitparse builds a message's dict from its fields in definition order, each
    field preceded by the components it expands to, later entries replacing
    earlier ones; this does the same from the definition's layout:

    - fields are named from fitparse's profile; fields it does not know (newer
      profile fields, developer fields) are left out, as fitparse calls them
      ``unknown_N`` and runlens reads none of them;
    - an invalid value is None, as in fitparse (and it replaces an earlier
      entry of the same name, e.g. an ``enhanced_avg_speed`` before it);
    - dynamic sub-fields (``product`` -> ``garmin_product``) are resolved from
      the reference fields' raw values (and rescaled if their scale differs);
    - a field the definition makes an array where the profile has one value
      is a tuple, as in fitparse, which runlens reads as missing (fitfast
      gives only its first element, so the tuple may be shorter);
    - components (``avg_speed`` -> ``enhanced_avg_speed``) are computed from
      their field as fitparse does, not taken from fitfast, whose expansion
      rounds down by one unit of the last digit.
    """
    by_name, by_num = _profile(gnum)
    out: dict = {}
    for num, (size, base) in layout.items():
        f = by_num.get(num)
        if f is None:
            continue
        value = msg.get(f.name)
        if size > _BASE_SIZE.get(base, 1) and base not in _SCALAR_BLOBS:
            if value is None:
                value = (None,) * (size // _BASE_SIZE.get(base, 1))
            else:
                value = tuple(value) if isinstance(value, (list, tuple)) else (value,)
        target = f
        for sub in f.subfields or ():
            if any(msg.get(ref.name) == ref.raw_value for ref in sub.ref_fields):
                target = sub
                break
        if f.components and target is f:
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            raw = _scaled_to_raw(value, f) if numeric else None
            for c in f.components:
                cf = by_num.get(c.def_num)
                if cf is None or c.accumulate:
                    continue
                cval = None
                if raw is not None:
                    craw = (raw >> (c.bit_offset or 0)) & ((1 << c.bits) - 1)
                    cval = _render(cf.type, _raw_to_scaled(craw, c))
                out[cf.name] = cval
        if target is not f and isinstance(value, (int, float)):
            if (target.scale, target.offset) != (f.scale, f.offset):
                value = _raw_to_scaled(_scaled_to_raw(value, f), target)
        out[target.name] = _render(target.type, value)
    return out


def _summary_messages(summary: bytes, w: Walk) -> dict[str, list[dict]] | None:
    """The kept messages from fitfast, named like fitparse; None if they do not pair up."""
    import fitfast

    from .bounds import DROPPED_KEY, cap

    parsed = fitfast.parse(summary, enum_names=False)
    out: dict[str, list[dict]] = {}
    for gnum, mname in _KEPT_NAMES.items():
        msgs = parsed.get(mname, [])
        lays = w.layouts.get(gnum, [])
        if len(msgs) != len(lays):
            return None
        keep = cap(mname, len(msgs))  # 200,000 sessions are not all named (io/bounds.py)
        if keep is not None:
            out.setdefault(DROPPED_KEY, {})[mname] = len(msgs) - keep
            msgs, lays = msgs[:keep], lays[:keep]
        out[mname] = [_name_message(gnum, m, lay) for m, lay in zip(msgs, lays)]
    return out


@contextmanager
def _quiet_stderr():
    """Silence file descriptor 2 while native code runs.

    A Rust panic inside fitfast prints its message and a backtrace note to the
    process's stderr before Python sees the exception (which :func:`runlens.io.read`
    then handles by falling back to fitparse); users must not see that noise.
    """
    try:
        saved = os.dup(2)
    except OSError:  # no usable stderr: nothing to silence
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


@lru_cache(maxsize=1)
def _reference_record_names() -> dict[str, int]:
    """Record field names fitparse knows (incl. sub-fields) -> field number."""
    names = {}
    for f in _profile(_RECORD)[1].values():
        names[f.name] = f.def_num
        for sub in f.subfields or ():
            names[sub.name] = f.def_num
    return names


def _developer_names(summary: bytes, wanted: set[tuple[int, int]], name: str):
    """Developer fields of the records: fitfast column -> (fitparse name, units)."""
    import fitfast

    out: dict[str, tuple[str, str | None]] = {}
    if not wanted:
        return out
    described = {}
    for fd in fitfast.parse(summary).get("field_description", ()):
        key = (fd.get("developer_data_index"), fd.get("field_definition_number"))
        if key in wanted:
            described[key] = fd
    for idx, num in sorted(wanted):
        fd = described.get((idx, num))
        if fd is None:
            raise FastPathRejected(
                f"developer field {num} of app {idx} in records has no description", path=name
            )
        if fd.get("scale") not in (None, 1) or fd.get("offset") not in (None, 0):
            # fitparse ignores a developer field's declared scale and offset.
            raise FastPathRejected(f"developer field {num} declares a scale", path=name)
        label = fd.get("field_name")
        ours = label if label else f"dev_{idx}_{num}"
        ref = label if label else f"unnamed_dev_field_{num}"
        if ours in out or any(r == ref for r, _ in out.values()):
            raise FastPathRejected(f"two developer fields named {ref!r}", path=name)
        out[ours] = (ref, fd.get("units"))
    return out


class _TooManyDefinitions(FastPathRejected):
    """More definitions than runlens reads (:data:`runlens.io.bounds.MAX_DEFINITIONS`,
    :data:`~runlens.io.bounds.MAX_DEFINED_FIELDS`): the file is read up to the bound
    (by the repair, which stops there and says so)."""


def decode_fitfast(data: bytes, name: str, *, strict: bool = False) -> RawFit:
    """Decode FIT bytes with fitfast into the :class:`RawFit` fitparse would give.

    Parameters
    ----------
    data : bytes
        The FIT content (already decompressed).
    name : str
        The file's name, for messages.
    strict : bool
        If True, a file fitfast refuses raises :class:`FastPathRejected`
        (fitparse's path then gives the strict verdict). If False, such a file
        is first repaired (:func:`runlens.io.fitrepair.repair`) and the
        repaired bytes decoded.

    Returns
    -------
    RawFit
        ``reader="fitfast"``; ``warnings`` say what the repair lost.

    Raises
    ------
    FastPathRejected
        fitfast rejected the file (CRC, truncation, undecodable data) or it
        holds something this path does not read like fitparse (see the module
        docstring); fitparse may still read it.

    Notes
    -----
    Record values follow fitparse (the FIT profile 20.8 it implements):

    - ``enhanced_speed`` / ``enhanced_altitude`` that the device did not write
      are copies of ``speed`` / ``altitude`` (the profile's component with the
      same scale and offset); fitfast 0.1.0 re-derives them with a rounding
      error of up to 0.001 m/s.
    - Fields the reference profile does not know are dropped, as fitparse
      names them ``unknown_N``, except those it reads by number
      (:data:`runlens.io.fit.UNNAMED_RECORD_FIELDS`: respiration rate), and so are the
      accumulated ``total_cycles`` / ``accumulated_power`` that fitfast derives
      differently when the device wrote only their compressed form.
    - ``date_time`` values below 0x10000000 (seconds since power-up) stay
      plain numbers, as in fitparse.
    """
    import fitfast

    warnings: list[str] = []
    w: Walk | None = None
    try:
        if not _sound(data):
            # Cut short or changed: repair first rather than let fitfast decode up to the fault.
            raise fitfast.FitDecodeError("the file's size or CRC does not match its header")
        try:
            # Walked before the native decode, so that a file of too many definitions
            # is cut to the bound before fitfast holds all of it.
            w = walk(data, name)
        except _TooManyDefinitions:
            raise
        except FastPathRejected:
            w = None  # decided after the native decode, as for any file
        with _quiet_stderr():
            cols = fitfast.records(data, "record")
    except _TooManyDefinitions:
        if strict:  # refused by fitparse's path, with the bound's message
            raise
        # The repair stops at the bound and says so; the native decoder reads what precedes.
        data, warnings = _repaired(data, name, "too many definitions")
        with _quiet_stderr():
            cols = fitfast.records(data, "record")
    except fitfast.FitDecodeError as exc:
        if strict:
            raise FastPathRejected(f"fitfast: {exc}", path=name) from None
        data, warnings = _repaired(data, name, f"fitfast: {exc}")
        try:
            with _quiet_stderr():
                cols = fitfast.records(data, "record")
        except fitfast.FitDecodeError as exc2:
            raise FastPathRejected(f"fitfast, after repair: {exc2}", path=name) from None
    if w is None or warnings:
        w = walk(data, name)
    if w.summary is None:
        raise FastPathRejected("a summary message with a compressed timestamp", path=name)
    messages = _summary_messages(w.summary, w)
    if messages is None:  # not expected; the reference decoder on the summary is exact
        try:
            messages = decode_fitparse(w.summary, name, strict=True).messages
        except RunlensError as exc:
            raise FastPathRejected(f"fitparse on the summary: {exc.message}", path=name) from None
    dev = _developer_names(w.summary, w.record_dev_fields, name)

    known = _reference_record_names()
    native = w.record_fields
    if set(UNNAMED_RECORD_FIELDS) <= native:
        # fitfast expands respiration_rate into enhanced_respiration_rate, over the written one.
        raise FastPathRejected("records with both respiration rate fields (99 and 108)", path=name)
    records: dict[str, np.ndarray] = {}
    developer: dict[str, np.ndarray] = {}
    units: dict[str, str | None] = {}
    for k, a in cols.items():
        if k in dev:
            ref_name, unit = dev[k]
            developer[ref_name] = a
            units[ref_name] = unit
        elif k in known:
            records[k] = a
        elif k in _UNNAMED_SCALES:
            # Named by fitfast's newer profile; scaled as fitparse's path does (raw / scale).
            scale = _UNNAMED_SCALES[k]
            records[k] = np.round(a * scale) / scale if scale != 1 else a
    if "timestamp" in records:
        ts = records["timestamp"]
        raw = ts - FIT_EPOCH_S
        records["timestamp"] = np.where(raw < _MIN_DATE_TIME, raw, ts)
    for comp, comp_num, parent, parent_num in (
        ("enhanced_speed", _ENHANCED_SPEED, "speed", _SPEED),
        ("enhanced_altitude", _ENHANCED_ALTITUDE, "altitude", _ALTITUDE),
    ):
        if comp_num not in native and parent_num in native and parent in records:
            records[comp] = records[parent].copy()
    for comp, parent_num in (("total_cycles", _CYCLES), ("accumulated_power", _COMPRESSED_POWER)):
        if parent_num in native:
            records.pop(comp, None)
    for num, (fname, _) in UNNAMED_RECORD_FIELDS.items():
        if num not in native:  # fitfast's component expansion (99 -> 108); fitparse has none
            records.pop(fname, None)
    for k in ("position_lat", "position_long"):
        if k in records:
            a = records[k]
            records[k] = np.where(np.abs(a) > 180, np.nan, a)

    if warnings:
        check_salvage(records, messages, warnings, name)
    return RawFit(
        records=records,
        messages=messages,
        developer=developer,
        developer_units=units,
        n_headers=w.sequences,
        warnings=warnings,
        reader="fitfast",
    )


def _sound(data: bytes) -> bool:
    """True if every FIT sequence has its declared size and a matching CRC (a cheap
    check, NumPy CRC, before the native decoder spends a full decode on a damaged file).

    The CRC is remembered, so that a repair of the same bytes does not compute it again.
    """
    from .fitrepair import sequence_crc

    pos, n = 0, len(data)
    while pos < n:
        if n - pos < 12 or data[pos + 8 : pos + 12] != b".FIT":
            return pos > 0 and not data[pos:].strip(b"\x00")
        end = pos + data[pos] + struct.unpack_from("<I", data, pos + 4)[0]
        if end + 2 > n or end == pos + data[pos]:
            return False
        if sequence_crc(data, pos, end) != struct.unpack_from("<H", data, end)[0]:
            return False
        pos = end + 2
    return True


def _repaired(data: bytes, name: str, why: str) -> tuple[bytes, list[str]]:
    """The repaired bytes of a file fitfast refused, and the salvage warnings.

    Raises
    ------
    CorruptFileError
        Nothing could be salvaged (the same verdict fitparse's path gives).
    FastPathRejected
        The repair found nothing to repair: fitfast refused the file for
        another reason, which fitparse may not share.
    """
    from .fitrepair import repair

    rep = repair(data, name)
    if not rep.changed:
        raise FastPathRejected(why, path=name)
    return rep.data, rep.warnings
