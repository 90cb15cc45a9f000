"""FIT through fitparse, the reference decoder, with salvage or strictness.

fitparse decodes message by message in pure Python; this module turns its
messages into a :class:`~runlens.io.rawfit.RawFit` (columns, not per-row
objects) and says what it had to salvage. Chained FIT files (several headers
in one file) are read as one stream.

What "salvage" (the default) does with each fault, and what ``strict=True``
does instead (docs/robustness.md lists real files and messages):

- **Truncated file** (a watch's battery died mid-write, an interrupted copy):
  everything before the cut is kept; the warning gives the byte offset, the
  time of the last good record and, when the header declares the full size,
  an estimate of the recording time lost (missing bytes / bytes per second
  written so far). Strict: refused.
- **CRC mismatch** (header or file): the decoded data is kept with a warning
  (the CRC only says *that* something changed, range checks in
  :mod:`runlens.io.validate` catch absurd values). Strict: refused.
- **Undecodable bytes mid-file** (flipped bytes, a record written one byte
  short, an undefined local message): decoding resynchronises on the next
  offset from which several messages decode with plausible, increasing
  timestamps; the skipped byte range and the time gap are reported. fitparse
  alone stops at the first such fault and loses the rest of the file.
  Strict: refused.
- **A field whose size is not a multiple of its type** (seen from a COROS
  watch) or a developer field that was never described: read as raw bytes and
  ignored, with a warning. Strict: refused.
- **Bytes after the last FIT file that are not FIT** (a chained header with a
  bad signature, garbage): ignored with a warning; zero padding silently.
  Strict: refused unless it is zero padding.
"""

from __future__ import annotations

import functools
import io
import struct
from collections import deque
from datetime import datetime, time, timezone
from typing import Any

import numpy as np

from ..errors import CorruptFileError
from .rawfit import RawFit

__all__ = [
    "decode_fitparse",
    "KEPT_MESSAGES",
    "UNNAMED_RECORD_FIELDS",
    "describe_truncation",
    "format_duration",
]

#: Messages other than records that the Activity needs.
KEPT_MESSAGES = frozenset(
    {"file_id", "device_info", "user_profile", "event", "lap", "session", "activity", "sport"}
)

#: Record fields fitparse's profile (2020) does not name, read by number: FIT field
#: number -> (FIT profile name, scale). evidence.md section 8 (breathing rate, breaths/min).
UNNAMED_RECORD_FIELDS: dict[int, tuple[str, float]] = {
    99: ("respiration_rate", 1.0),
    108: ("enhanced_respiration_rate", 100.0),
}

_EPOCH = datetime(1970, 1, 1)
#: Seconds from the Unix epoch to the FIT epoch (1989-12-31T00:00:00Z).
FIT_EPOCH_S = 631065600
#: Resynchronisation: how far before/after the failing message to look (bytes), how many
#: messages must decode from a candidate offset, and how many resyncs a file may need.
_RESYNC_BACK, _RESYNC_AHEAD, _RESYNC_MESSAGES, _MAX_RESYNCS = 64, 4096, 12, 50
#: Candidate offsets tried per file in all (bounds the time a hostile file can cost).
_RESYNC_BUDGET = 200_000
#: Explicit timestamps a resync candidate must show, and the window they must fall in (s).
_RESYNC_MIN_TS, _RESYNC_WINDOW_S = 2, 12 * 3600


def _plain(v: Any) -> Any:
    """fitparse value -> RawFit value (datetimes to Unix seconds)."""
    if isinstance(v, datetime):
        if v.tzinfo is not None:
            v = v.astimezone(timezone.utc).replace(tzinfo=None)
        return (v - _EPOCH).total_seconds()
    if isinstance(v, time):
        return None
    return v


def _to_float(values: list) -> np.ndarray | None:
    """A list of scalars (None for missing) as float64, or None if not numeric."""
    out = np.full(len(values), np.nan)
    seen = False
    for i, v in enumerate(values):
        if v is None:
            continue
        if isinstance(v, (bool, str, bytes, tuple, list)):
            return None
        try:
            out[i] = float(v)
        except (TypeError, ValueError, OverflowError):
            return None
        seen = True
    return out if seen else None


def format_duration(seconds: float) -> str:
    """A duration for a warning: ``"45 s"``, ``"3 min"``, ``"1 h 05 min"``.

    >>> format_duration(44.6), format_duration(185), format_duration(3900)
    ('45 s', '3 min', '1 h 05 min')
    """
    s = max(0.0, float(seconds))
    if s < 90:
        return f"{s:.0f} s"
    m = int(round(s / 60.0))
    return f"{m} min" if m < 60 else f"{m // 60} h {m % 60:02d} min"


def _clock(unix_s: float) -> str:
    return datetime.fromtimestamp(unix_s, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def describe_truncation(
    size: int,
    last_good: int,
    expected_end: int | None,
    data_start: int,
    first_ts: float | None,
    last_ts: float | None,
    head: str | None = None,
) -> str:
    """The salvage warning for a FIT file cut short, with the time lost when known.

    The lost duration is estimated from the rate at which the device wrote
    bytes up to the cut (bytes per second of recording), applied to the bytes
    the header declares but the file lacks. Shared by every FIT decoder.

    Parameters
    ----------
    size : int
        Bytes in the file as read.
    last_good : int
        Offset (bytes) just after the last message decoded whole.
    expected_end : int or None
        Offset (bytes) where the header says the data (plus CRC) should end;
        None when the header does not say (data size 0).
    data_start : int
        Offset (bytes) of the first data message of this FIT file.
    first_ts, last_ts : float or None
        Unix seconds of the first and last decoded timestamps.
    head : str, optional
        What happened at ``size`` (default ``"truncated at byte SIZE"``).

    Returns
    -------
    str

    Examples
    --------
    >>> describe_truncation(768, 724, 771, 12, 1000.0, 1060.0)
    'truncated at byte 768 (the header declares 771): the last 47 bytes are unreadable, records end at 1970-01-01 00:17:40 UTC, about 4 s of recording lost (estimated from 11.9 bytes/s written before the cut)'
    """
    if head is None:
        whole = expected_end is not None and expected_end <= size
        head = f"damaged end at byte {size}" if whole else f"truncated at byte {size}"
    msg = head
    if expected_end is not None and expected_end > size:
        lost = expected_end - last_good
        msg += f" (the header declares {expected_end}): the last {lost} bytes are unreadable"
    elif expected_end is not None:
        # The file has its declared size but the last message claims more bytes.
        lost = max(0, min(size, expected_end) - last_good)
        msg += (
            f": the message at byte {last_good} runs past the end of the data ({lost} bytes lost)"
        )
    else:
        lost = None
        msg += f": the bytes after byte {last_good} are unreadable"
    if last_ts is not None:
        msg += f", records end at {_clock(last_ts)}"
        if lost is not None and first_ts is not None and last_ts > first_ts:
            rate = (last_good - data_start) / (last_ts - first_ts)
            if rate > 0:
                msg += (
                    f", about {format_duration(lost / rate)} of recording lost (estimated from "
                    f"{rate:.1f} bytes/s written before the cut)"
                )
        elif lost is None:
            msg += "; how much recording is lost is unknown (the header does not declare a size)"
    return msg


@functools.cache
def _reader_class():
    """A fitparse FitFile that records faults instead of raising, unless strict."""
    import fitparse
    from fitparse.profile import MESSAGE_TYPES
    from fitparse.records import (
        BASE_TYPE_BYTE,
        BASE_TYPES,
        Crc,
        DefinitionMessage,
        DevField,
        DevFieldDefinition,
        FieldDefinition,
        get_dev_type,
    )
    from fitparse.utils import FitCRCError, FitParseError

    class SalvagingFitFile(fitparse.FitFile):
        def __init__(self, fileish, *, strict: bool) -> None:
            self.strict = strict
            self.crc_faults: list[str] = []
            self.field_faults: list[str] = []
            self.header_start = 0
            self.data_start = 0
            self.expected_end: int | None = None
            self.resync_budget = _RESYNC_BUDGET
            self.def_history: list[tuple[int, Any, int, int]] = []
            super().__init__(fileish, check_crc=True)

        def _parse_file_header(self):
            self.header_start = self._file.tell()
            super()._parse_file_header()
            self.data_start = self._file.tell()
            # data_size 0 means a writer that never finalised its header.
            self.expected_end = (
                self.data_start + self._bytes_left + 2 if self._bytes_left > 0 else None
            )

        def _read_and_assert_crc(self, allow_zero=False):
            at = self._file.tell()
            crc_computed, crc_read = self._crc.value, self._read_struct(Crc.FMT)
            if not self.check_crc or crc_computed == crc_read or (allow_zero and crc_read == 0):
                return
            where = "header CRC" if allow_zero else "file CRC"
            msg = (
                f"{where} mismatch at byte {at} (computed {Crc.format(crc_computed)}, "
                f"file says {Crc.format(crc_read)})"
            )
            if self.strict:
                raise FitCRCError(msg)
            self.crc_faults.append(msg)

        def _fault(self, msg: str) -> None:
            if self.strict:
                raise FitParseError(msg)
            self.field_faults.append(msg + "; read as raw bytes and ignored")

        def _parse_definition_message(self, header):
            # fitparse's own, except that a misaligned size or an undescribed developer
            # field falls back to raw bytes (its source suggests exactly this) instead of
            # aborting the whole file.
            at = self._file.tell() - 1
            endian = ">" if self._read_struct("xB") else "<"
            global_mesg_num, num_fields = self._read_struct("HB", endian=endian)
            mesg_type = MESSAGE_TYPES.get(global_mesg_num)
            field_defs = []
            for _ in range(num_fields):
                field_def_num, field_size, base_type_num = self._read_struct("3B", endian=endian)
                field = mesg_type.fields.get(field_def_num) if mesg_type else None
                base_type = BASE_TYPES.get(base_type_num, BASE_TYPE_BYTE)
                if field_size == 0 or field_size % base_type.size != 0:
                    name = field.name if field else f"field {field_def_num}"
                    mname = mesg_type.name if mesg_type else f"message {global_mesg_num}"
                    self._fault(
                        f"definition at byte {at}: {mname}.{name} has {field_size} bytes, not a "
                        f"multiple of its type {base_type.name} ({base_type.size})"
                    )
                    field, base_type = None, BASE_TYPE_BYTE
                    if field_size == 0:
                        continue
                if field and field.components:
                    for component in field.components:
                        if component.accumulate:
                            acc = self._accumulators.setdefault(global_mesg_num, {})
                            acc[component.def_num] = 0
                field_defs.append(
                    FieldDefinition(
                        field=field, def_num=field_def_num, base_type=base_type, size=field_size
                    )
                )
            dev_field_defs = []
            if header.is_developer_data:
                num_dev_fields = self._read_struct("B", endian=endian)
                for _ in range(num_dev_fields):
                    field_def_num, field_size, dev_data_index = self._read_struct(
                        "3B", endian=endian
                    )
                    try:
                        field = get_dev_type(dev_data_index, field_def_num)
                        bad = field_size == 0 or field_size % field.type.size != 0
                    except FitParseError:
                        field, bad = None, True
                    if bad:
                        self._fault(
                            f"definition at byte {at}: developer field {dev_data_index}/"
                            f"{field_def_num} ({field_size} bytes) is undescribed or misaligned"
                        )
                        if field_size == 0:
                            continue
                        field = DevField(
                            dev_data_index=dev_data_index,
                            def_num=field_def_num,
                            type=BASE_TYPE_BYTE,
                            name=f"unknown_dev_{dev_data_index}_{field_def_num}",
                            units=None,
                            native_field_num=None,
                        )
                    dev_field_defs.append(
                        DevFieldDefinition(
                            field=field,
                            dev_data_index=dev_data_index,
                            def_num=field_def_num,
                            size=field_size,
                        )
                    )
            def_mesg = DefinitionMessage(
                header=header,
                endian=endian,
                mesg_type=mesg_type,
                mesg_num=global_mesg_num,
                field_defs=field_defs,
                dev_field_defs=dev_field_defs,
            )
            self._local_mesgs[header.local_mesg_num] = def_mesg
            # Every definition, for resync: a damaged one can be replaced by its predecessor.
            self.def_history.append((header.local_mesg_num, def_mesg, at, self._file.tell()))
            return def_mesg

    return SalvagingFitFile


def _explicit_ts(m) -> float | None:
    """A data message's own timestamp field (not one derived from a compressed header)."""
    for f in m.fields:
        fd = f.field_def
        if fd is not None and fd.def_num == 253 and isinstance(f.raw_value, int):
            return float(f.raw_value + FIT_EPOCH_S)
    return None


def _snapshot(ff, pos: int, bytes_left: int) -> tuple:
    """Decoder state to retry from ``pos`` (definitions as they are now)."""
    return (
        pos,
        bytes_left,
        dict(ff._local_mesgs),
        {k: dict(v) for k, v in ff._accumulators.items()},
        ff._compressed_ts_accumulator,
        ff._complete,
    )


def _restore(ff, snap: tuple, pos: int | None = None) -> None:
    p, left, local, acc, cts, complete = snap
    target = p if pos is None else pos
    ff._file.seek(target)
    ff._bytes_left = left - (target - p)
    ff._local_mesgs = dict(local)
    ff._accumulators = {k: dict(v) for k, v in acc.items()}
    ff._compressed_ts_accumulator = cts
    ff._complete = complete


def _previous_definition(ff, start: int):
    """The latest definition before ``start`` and an earlier definition of the same
    message (the same local number preferred): ``(local, earlier, offset, end offset)``.

    A flipped byte in a definition (a field size, a count) garbles every message
    that uses it; files redefine local messages often, so the previous definition
    is the best guess of the true layout.
    """
    if not ff.def_history:
        return None
    local, latest, at, end = ff.def_history[-1]
    if start - end > _RESYNC_AHEAD:
        return None
    earlier = [dm for _, dm, _, _ in ff.def_history[:-1] if dm.mesg_num == latest.mesg_num]
    same_local = [dm for loc, dm, _, _ in ff.def_history[:-1] if loc == local]
    for dm in reversed(earlier):  # same message type; the same local number first
        if dm in same_local:
            return local, dm, at, end
    return (local, earlier[-1], at, end) if earlier else None


def _try_resync(
    ff, snap: tuple, start: int, end: int, last_ts: float | None, lo: int | None = None
) -> int | None:
    """Find the first offset near ``start`` from which decoding looks sane again.

    Random bytes decode as FIT surprisingly often (most header bytes are valid), so
    a candidate must yield :data:`_RESYNC_MESSAGES` messages (or reach the end of
    the data exactly), definitions of known messages only, and at least
    :data:`_RESYNC_MIN_TS` explicit timestamps, non-decreasing, within 12 h after the
    last good one: a 4-byte field lands in that window by chance with p < 1e-5.
    """
    from fitparse.profile import MESSAGE_TYPES

    lo = max(ff.data_start, start - _RESYNC_BACK) if lo is None else lo
    hi = min(end - 1, start + _RESYNC_AHEAD)
    n_crc, n_field, check_crc = len(ff.crc_faults), len(ff.field_faults), ff.check_crc
    ff.check_crc = False
    try:
        return _scan(ff, snap, start, lo, hi, last_ts, MESSAGE_TYPES)
    finally:
        del ff.crc_faults[n_crc:], ff.field_faults[n_field:]
        ff.check_crc = check_crc


def _layouts(local_mesgs) -> dict[int, tuple[int, int | None, str]]:
    """Local message number -> (data size in bytes, timestamp offset or None, endian)."""
    out = {}
    for num, dm in local_mesgs.items():
        off, ts = 0, None
        for fd in dm.field_defs:
            if fd.def_num == 253 and fd.size == 4 and ts is None:
                ts = off
            off += fd.size
        off += sum(fd.size for fd in dm.dev_field_defs)
        out[num] = (off, ts, dm.endian)
    return out


def _walk(data: bytes, pos: int, end: int, layouts: dict, known, floor: float, ref: float | None):
    """Cheap structural pre-check of a resync candidate, without decoding values.

    Walks message headers using definition sizes only; True if
    :data:`_RESYNC_MESSAGES` messages (or the rest of the data) fit exactly, with
    plausible explicit timestamps. Full decoding is tried only on candidates that
    pass, which keeps a scan over thousands of offsets fast.
    """
    layouts = dict(layouts)
    stamps = 0
    last = None
    for _ in range(_RESYNC_MESSAGES):
        if pos == end:
            return stamps >= 1
        h = data[pos]
        if h & 0x80 == 0 and h & 0x40:
            if pos + 6 > end or data[pos + 2] > 1:
                return False
            endian = ">" if data[pos + 2] else "<"
            glob = struct.unpack_from(endian + "H", data, pos + 3)[0]
            if glob not in known and glob < 0xFF00:
                return False
            nf = data[pos + 5]
            p = pos + 6
            size, ts = 0, None
            if p + 3 * nf > end:
                return False
            for i in range(nf):
                num, fsize = data[p + 3 * i], data[p + 3 * i + 1]
                if num == 253 and fsize == 4 and ts is None:
                    ts = size
                size += fsize
            p += 3 * nf
            if h & 0x20:
                if p >= end:
                    return False
                nd = data[p]
                if p + 1 + 3 * nd > end:
                    return False
                size += sum(data[p + 1 + 3 * i + 1] for i in range(nd))
                p += 1 + 3 * nd
            layouts[h & 0x0F] = (size, ts, endian)
            pos = p
            continue
        compressed = bool(h & 0x80)
        lay = layouts.get((h >> 5) & 0x3 if compressed else h & 0x0F)
        if lay is None:
            return False
        size, ts, endian = lay
        if pos + 1 + size > end:
            return False
        if ts is not None:
            t = struct.unpack_from(endian + "I", data, pos + 1 + ts)[0] + FIT_EPOCH_S
            top = (ref if ref is not None else (last if last is not None else t)) + _RESYNC_WINDOW_S
            if t < floor or (last is not None and t < last) or t > top:
                return False
            last = t
            stamps += 1
        pos += 1 + size
    return stamps >= _RESYNC_MIN_TS


def _scan(ff, snap, start, lo, hi, last_ts, known) -> int | None:
    floor = (last_ts - 1) if last_ts is not None else FIT_EPOCH_S + 3.2e8  # ~2000-02
    data = ff._file.getvalue()
    layouts = _layouts(snap[2])
    end = min(len(data), snap[0] + snap[1])  # end of this FIT file's data
    for cand in range(lo, hi):
        if cand == start:
            continue
        if ff.resync_budget <= 0:
            return None
        ff.resync_budget -= 1
        if not _walk(data, cand, end, layouts, known, floor, last_ts):
            continue
        _restore(ff, snap, cand)
        if ff._bytes_left <= 0:
            break
        stamps: list[float] = []
        ok = True
        n = 0
        try:
            while n < _RESYNC_MESSAGES and ff._bytes_left > 0:
                m = ff._parse_message()
                n += 1
                if m.type == "definition":
                    if m.mesg_num not in known and m.mesg_num < 0xFF00:
                        ok = False
                        break
                    continue
                t = _explicit_ts(m)
                if t is not None:
                    ref = last_ts if last_ts is not None else (stamps[0] if stamps else t)
                    if t < floor or (stamps and t < stamps[-1]) or t > ref + _RESYNC_WINDOW_S:
                        ok = False
                        break
                    stamps.append(t)
            # Near the end of the data fewer messages remain: ending exactly there counts.
            need = 1 if ff._bytes_left == 0 else _RESYNC_MIN_TS
            ok = ok and ff._bytes_left >= 0 and len(stamps) >= need
        except Exception:  # noqa: BLE001 - any failure rejects this candidate
            ok = False
        finally:
            ff._messages.clear()
        if ok:
            _restore(ff, snap, cand)
            return cand
    return None


def decode_fitparse(data: bytes, name: str, *, strict: bool = False) -> RawFit:
    """Decode FIT bytes with fitparse.

    Parameters
    ----------
    data : bytes
        The FIT content (already decompressed).
    name : str
        The file's name, for messages.
    strict : bool
        If True, any fault (CRC mismatch, truncation, undecodable bytes, trailing
        garbage) raises. If False (salvage), everything decodable is kept and each
        warning says what was lost (see the module docstring).

    Returns
    -------
    RawFit

    Raises
    ------
    CorruptFileError
        The header is invalid, nothing could be decoded, or (strict) any fault.
    """
    import fitparse.records
    from fitparse.records import DevField
    from fitparse.utils import FitCRCError, FitEOFError, FitHeaderError

    # fitparse keeps developer field descriptions in a module global: clear it so one
    # file's descriptions never decode another file's bytes.
    fitparse.records.DEV_TYPES.clear()
    buf = io.BytesIO(data)
    try:
        ff = _reader_class()(buf, strict=strict)
    except FitEOFError:
        raise CorruptFileError(
            f"FIT file too short for its header ({len(data)} bytes)", path=name, offset=0
        ) from None
    except FitHeaderError as exc:
        raise CorruptFileError(f"invalid FIT header ({exc})", path=name, offset=0) from None
    except Exception as exc:  # noqa: BLE001 - fitparse raises bare errors too
        raise CorruptFileError(f"unreadable FIT header ({exc})", path=name, offset=0) from None

    rec_cols: dict[str, list] = {}
    dev_cols: dict[str, list] = {}
    dev_units: dict[str, str | None] = {}
    messages: dict[str, list[dict[str, Any]]] = {k: [] for k in KEPT_MESSAGES}
    warnings: list[str] = []
    n = 0
    n_headers = 1
    last_good = buf.tell()
    first_ts: float | None = None
    last_ts: float | None = None
    resyncs = 0
    resync_notes: list[str] = []
    rec_ends: deque[int] = deque(maxlen=512)  # end offsets of the latest records

    def refuse(msg: str, offset: int):
        return CorruptFileError(msg, path=name, offset=offset)

    while not ff._complete:
        start = buf.tell()
        left = ff._bytes_left
        header_before = ff.header_start
        try:
            m = ff._parse_message()
        except FitEOFError:
            if ff.header_start != header_before and ff.data_start < ff.header_start:
                # Ran out inside a chained header: a few stray bytes after the data.
                tail = data[start:]
                if tail.strip(b"\x00"):
                    msg = f"{len(tail)} stray bytes after the FIT data (from byte {start}) ignored"
                    if strict:
                        raise refuse(msg, start) from None
                    warnings.append(msg)
                break
            msg = describe_truncation(
                len(data), last_good, ff.expected_end, ff.data_start, first_ts, last_ts
            )
            if strict or n == 0:
                raise refuse(msg, len(data)) from None
            if not messages["session"]:
                msg += "; the device's own session summary is missing"
            warnings.append(msg)
            break
        except FitHeaderError as exc:
            if ff.header_start > start:  # the file CRC was read fine: start after it
                start = ff.header_start
            tail = data[start:]
            if not tail.strip(b"\x00"):
                break  # zero padding after the last file: nothing to read, nothing lost
            msg = (
                f"bytes {start}-{len(data)} ({len(tail)} bytes) after the FIT data are not a "
                f"valid chained FIT file ({exc}); ignored"
            )
            if strict:
                raise refuse(msg, start) from None
            warnings.append(msg)
            break
        except FitCRCError as exc:  # only raised when strict
            raise refuse(str(exc), start) from None
        except Exception as exc:  # noqa: BLE001 - fitparse raises KeyError/struct.error on bad bytes
            what = f"{type(exc).__name__}: {exc}"
            if strict:
                raise refuse(f"undecodable data at byte {start} ({what})", start) from None
            end = ff.expected_end if ff.expected_end is not None else len(data)
            found = None
            if resyncs < _MAX_RESYNCS:
                snap = _snapshot(ff, start, left)
                found = _try_resync(ff, snap, start, min(end, len(data)), last_ts)
                prev = _previous_definition(ff, start) if found is None else None
                if prev is not None:
                    local, dm, d_at, d_end = prev
                    alt = (*snap[:2], {**snap[2], local: dm}, *snap[3:])
                    found = _try_resync(ff, alt, start, min(end, len(data)), last_ts, lo=d_end)
                    if found is not None:
                        resync_notes.append(
                            f"the definition at byte {d_at} looks damaged; the earlier "
                            f"definition of local message {local} was used instead"
                        )
            if found is None:
                if n == 0:
                    raise refuse(
                        f"undecodable data at byte {start} ({what}); no records before it",
                        start,
                    ) from None
                lost = describe_truncation(
                    start,
                    last_good,
                    end if end > start else None,
                    ff.data_start,
                    first_ts,
                    last_ts,
                    head=f"undecodable data at byte {start} ({what}), nothing decodable after it",
                )
                warnings.append(lost)
                break
            resyncs += 1
            # Checking the file CRC is pointless once bytes were skipped.
            ff.check_crc = False
            if found < last_good:
                # The fault began inside the last message(s) decoded (e.g. a record written
                # one byte short): those decoded from shifted bytes are garbage; drop them.
                k = sum(1 for e in rec_ends if e > found)
                for _ in range(k):
                    rec_ends.pop()
                    for cols in (rec_cols, dev_cols):
                        for lst in cols.values():
                            del lst[-1:]
                n -= k
                dropped = f"{k} garbled record(s) dropped, " if k else ""
                resync_notes.append(
                    f"malformed message before byte {start} ({what}): {dropped}"
                    f"decoding resumed at byte {found}"
                )
            else:
                resync_notes.append(
                    f"undecodable bytes {start}-{found} ({what}) skipped, decoding resumed"
                )
            continue
        finally:
            ff._messages.clear()  # fitparse keeps every message otherwise
        if m is None:
            break
        if ff.header_start != header_before:
            n_headers += 1
        last_good = buf.tell()
        if m.type == "definition":
            continue
        mname = m.name
        if mname == "record":
            row = n
            n += 1
            # One value per name and record (a garbled definition may repeat a field).
            vals: dict[str, Any] = {}
            dvals: dict[str, Any] = {}
            for f in m.fields:
                if isinstance(f.field, DevField):
                    dvals[f.name] = f.value
                    if f.name not in dev_units:
                        dev_units[f.name] = f.units
                elif f.field is None and f.def_num in UNNAMED_RECORD_FIELDS:
                    fname, scale = UNNAMED_RECORD_FIELDS[f.def_num]
                    v = f.value
                    vals[fname] = v / scale if isinstance(v, (int, float)) else None
                else:
                    vals[f.name] = _plain(f.value)
            for cols, got in ((rec_cols, vals), (dev_cols, dvals)):
                for k, v in got.items():
                    lst = cols.get(k)
                    if lst is None:
                        lst = cols[k] = [None] * row
                    lst.append(v)
                for lst in cols.values():
                    if len(lst) < n:
                        lst.append(None)
            # Track the last *plausible* time (monotonic, no leap past 12 h): a
            # misaligned record decodes as a random date and must not move it.
            rec_ends.append(last_good)
            pv = vals.get("timestamp")
            if isinstance(pv, float):
                if first_ts is None:
                    first_ts = last_ts = pv
                elif last_ts - 60 <= pv <= last_ts + _RESYNC_WINDOW_S:
                    last_ts = max(last_ts, pv)
        elif mname in KEPT_MESSAGES:
            messages[mname].append({f.name: _plain(f.value) for f in m.fields})

    if resync_notes:
        shown = "; ".join(resync_notes[:3])
        more = len(resync_notes) - 3
        warnings.insert(
            0,
            f"{len(resync_notes)} damaged stretch(es) skipped: {shown}"
            + (f"; and {more} more like these" if more > 0 else ""),
        )
    if ff.crc_faults:
        warnings.insert(
            0,
            f"{'; '.join(ff.crc_faults)}: the bytes changed after they were written; "
            "the decoded data was kept",
        )
    if ff.field_faults:
        shown = ff.field_faults[:3]
        more = len(ff.field_faults) - len(shown)
        warnings.append("; ".join(shown) + (f" (and {more} more)" if more > 0 else ""))

    ftype = (messages["file_id"] or [{}])[0].get("type")
    has_time = any(isinstance(v, float) for v in rec_cols.get("timestamp", ()))
    if not has_time and warnings and ftype in (None, "activity"):
        # Damage before the first record: say so, rather than "no records".
        raise CorruptFileError(
            f"damaged before its first record, nothing could be salvaged: {warnings[0]}",
            path=name,
        )
    n_headers = max(n_headers, len(messages["file_id"]) or 1)
    records: dict[str, np.ndarray] = {}
    for k, lst in rec_cols.items():
        a = _to_float(lst)
        if a is not None:
            records[k] = a
    from ..units import semicircles_to_degrees

    for k in ("position_lat", "position_long"):
        if k in records:
            a = semicircles_to_degrees(records[k])
            a[np.abs(a) > 180] = np.nan
            records[k] = a
    developer = {}
    for k, lst in dev_cols.items():
        a = _to_float(lst)
        if a is not None:
            developer[k] = a
        else:
            dev_units.pop(k, None)
    return RawFit(
        records=records,
        messages=messages,
        developer=developer,
        developer_units={k: dev_units.get(k) for k in developer},
        n_headers=n_headers,
        warnings=warnings,
        reader="fitparse",
    )
