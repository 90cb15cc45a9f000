"""Byte-level repair of damaged FIT files: the good message stream, as a valid FIT file.

Both FIT decoders (fitfast, :mod:`runlens.io.fit_fast`, and fitparse,
:mod:`runlens.io.fit`) read only intact files. :func:`repair` walks a damaged
file's messages by their definitions, without decoding values, keeps every
message that is whole and in step, and writes them out as a new FIT file
(data size and both CRCs rewritten), with one warning per kind of loss. Either
decoder then reads the repaired bytes, so a salvaged file gives the same
Activity whichever decoder read it, and costs about what an intact one does.

What it does with each fault (``strict=True`` refuses at the first instead):

- **Truncated file**: every message before the cut is kept; the warning gives
  the offset, the size the header declares and an estimate of the recording
  time lost (:func:`runlens.io.rawfit.describe_truncation`).
- **CRC mismatch** (header or file): the messages are kept with a warning.
- **Undecodable bytes** (a flipped record header, garbage, a record one byte
  short): decoding resumes at the nearest offset (256 bytes before to 4096
  after the fault) from which 12 messages walk exactly by the known
  definitions with plausible, non-decreasing explicit timestamps, and which
  reaches past the fault; messages decoded from shifted bytes before it are
  dropped. Runs of same-sized records are checked with one NumPy operation per
  run, and candidate offsets are screened with array operations before any
  is walked.
- **A damaged definition**: if no resume point fits the definitions as they
  stand, the latest definition before the fault is replaced by an earlier
  definition of the same message, or, when it was the only one, repaired from
  the records that follow it (an impossible architecture byte, a field count
  or one field size that does not match the spacing of the records after it).
- **A field whose size is not a multiple of its type**, an undescribed
  developer field: the field is removed from the definition and from every
  message (a warning; both decoders would otherwise stop).
- **Bytes after the last FIT file**: ignored with a warning (zero padding
  silently).
- **More definition messages than any activity needs**
  (:data:`runlens.io.bounds.MAX_DEFINITIONS`): reading stops at the first one
  past the bound; what precedes it is kept, with one warning.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from ..errors import CorruptFileError
from .bounds import MAX_DEFINED_FIELDS, MAX_DEFINITIONS, MAX_MESSAGES, definitions_warning
from .rawfit import FIT_EPOCH_S, describe_truncation

__all__ = ["repair", "Repaired", "crc16"]

#: Resynchronisation: bytes looked at before and after the fault, messages a resume
#: point must walk, explicit timestamps it must show, how many resyncs a file may need.
_BACK, _AHEAD, _MESSAGES, _MIN_TS, _MAX_RESYNCS = 256, 4096, 12, 2, 200
#: A definition is repaired only if at most this many messages read it before the fault.
_DEF_USES = 2
#: Timestamps of a resumed stream must lie within this of the last good one (s).
_WINDOW_S = 12 * 3600
#: FIT date_time values below this count seconds since power-up, not dates.
_MIN_DATE_TIME = 0x10000000
#: Earliest plausible record time when no good one was seen yet (~2000-02, FIT seconds).
_FLOOR_FIT = 3.2e8
_RECORD, _SESSION, _LAP, _FIELD_DESCRIPTION = 20, 18, 19, 206
#: Summary messages bounded per file (runlens.io.bounds.MAX_MESSAGES), by global number.
_BOUNDED = {_SESSION: "session", _LAP: "lap"}

# Size in bytes of each FIT base type (FIT protocol, base type table); unknown: 1.
_BASE_SIZE = {
    0x00: 1, 0x01: 1, 0x02: 1, 0x83: 2, 0x84: 2, 0x85: 4, 0x86: 4, 0x07: 1, 0x88: 4,
    0x89: 8, 0x0A: 1, 0x8B: 2, 0x8C: 4, 0x0D: 1, 0x8E: 8, 0x8F: 8, 0x90: 8,
}  # fmt: skip
_BASE_NAME = {
    0x00: "enum", 0x01: "sint8", 0x02: "uint8", 0x83: "sint16", 0x84: "uint16",
    0x85: "sint32", 0x86: "uint32", 0x07: "string", 0x88: "float32", 0x89: "float64",
    0x0A: "uint8z", 0x8B: "uint16z", 0x8C: "uint32z", 0x0D: "byte", 0x8E: "sint64",
    0x8F: "uint64", 0x90: "uint64z",
}  # fmt: skip


# --- CRC -------------------------------------------------------------------------------


@cache
def _crc_tables() -> tuple[np.ndarray, np.ndarray]:
    """The byte table of the FIT CRC (CRC-16/ARC, reflected 0xA001) and its 2-byte table."""
    t1 = np.zeros(256, dtype=np.uint16)
    for b in range(256):
        c = b
        for _ in range(8):
            c = (c >> 1) ^ 0xA001 if c & 1 else c >> 1
        t1[b] = c
    x = np.arange(65536, dtype=np.uint32)
    c1 = t1[x & 0xFF].astype(np.uint32)
    t2 = (c1 >> 8) ^ t1[(c1 ^ (x >> 8)) & 0xFF]
    return t1, t2.astype(np.uint16)


@cache
def _shift_tables(words: int) -> tuple[np.ndarray, np.ndarray]:
    """Tables of the linear map "CRC register after ``words`` zero words" (low, high byte)."""
    t2 = _crc_tables()[1]
    basis = np.concatenate([np.arange(256), np.arange(256) << 8]).astype(np.uint16)
    for _ in range(words):
        basis = t2[basis]
    return basis[:256].copy(), basis[256:].copy()


def crc16(data: bytes, crc: int = 0) -> int:
    """The FIT CRC-16 of ``data``, computed with NumPy (CRC-16/ARC).

    The register after two bytes depends only on (register XOR those bytes), so
    rows of the data are run in parallel word by word, and their CRCs combined
    pairwise with the linear map "shift by n zero bytes".

    >>> hex(crc16(b"123456789"))
    '0xbb3d'
    """
    n = len(data)
    if n == 0:
        return crc
    t1, t2 = _crc_tables()
    a = np.frombuffer(data, dtype=np.uint8)
    if n < 64:
        c = crc
        for b in a.tolist():
            c = (c >> 8) ^ int(t1[(c ^ b) & 0xFF])
        return c
    width = 64 if n < 32768 else 256 if n < 1 << 20 else 1024  # words per row
    row_bytes = 2 * width
    rows = -(-n // row_bytes)
    buf = np.zeros(rows * row_bytes, dtype=np.uint8)
    pad = rows * row_bytes - n
    buf[pad:] = a
    # Leading zero bytes leave a zero register unchanged; the initial value enters as an
    # XOR on the first two real bytes (a reflected CRC's register is its next input word).
    if crc:
        buf[pad] ^= crc & 0xFF
        if pad + 1 < len(buf):
            buf[pad + 1] ^= crc >> 8
        else:  # a single byte: the high half of the register carries over
            return _slow(data, crc, t1)
    if pad % 2 == 1 and crc:
        return _slow(data, crc, t1)
    w = buf.view("<u2").reshape(rows, width).T.copy()
    c = np.zeros(rows, dtype=np.uint16)
    for j in range(width):
        c = t2[c ^ w[j]]
    lo, hi = _shift_tables(width)
    while len(c) > 1:
        if len(c) % 2:
            c = np.concatenate([np.zeros(1, dtype=np.uint16), c])
        c = (lo[c[0::2] & 0xFF] ^ hi[c[0::2] >> 8]) ^ c[1::2]
        lo, hi = lo[lo & 0xFF] ^ hi[lo >> 8], lo[hi & 0xFF] ^ hi[hi >> 8]
    return int(c[0])


_MEMO: list = [None, None, None]  # (data, (start, end), crc): the last sequence CRC


def sequence_crc(data: bytes, start: int, end: int) -> int:
    """The FIT CRC of ``data[start:end]``, remembered for the last ``data`` asked about
    (the soundness check before fitfast and the repair both need it)."""
    if _MEMO[0] is data and _MEMO[1] == (start, end):
        return _MEMO[2]
    crc = crc16(memoryview(data)[start:end])
    _MEMO[:] = [data, (start, end), crc]
    return crc


def _slow(data: bytes, crc: int, t1) -> int:
    for b in data:
        crc = (crc >> 8) ^ int(t1[(crc ^ b) & 0xFF])
    return crc


# --- messages ---------------------------------------------------------------------------


@dataclass
class _Def:
    """A definition message as the walk uses it."""

    local: int
    gnum: int
    endian: str
    fields: list[tuple[int, int, int]]  # (number, size, base type)
    dev: list[tuple[int, int, int]]  # (number, size, developer data index)
    at: int
    end: int
    size: int = 0  # payload bytes of its data messages
    ts_off: int | None = None
    drop: list[tuple[int, int]] = field(default_factory=list)  # payload (offset, size) removed
    raw: bytes = b""

    def __post_init__(self) -> None:
        off = 0
        for num, size, _ in self.fields:
            if num == 253 and size == 4 and self.ts_off is None:
                self.ts_off = off
            off += size
        self.size = off + sum(s for _, s, _ in self.dev)

    def encode(self) -> bytes:
        """The definition message, without the fields in ``drop``; a base type that does
        not exist is written as byte (0x0D), which is how fitparse reads it."""
        gone = {o for o, _ in self.drop}
        fields, devs, off = [], [], 0
        for num, size, base in self.fields:
            if off not in gone:
                fields.append(bytes((num, size, base if base in _BASE_SIZE else 0x0D)))
            off += size
        for num, size, idx in self.dev:
            if off not in gone:
                devs.append(bytes((num, size, idx)))
            off += size
        head = 0x40 | self.local | (0x20 if self.dev else 0)
        out = bytes((head, 0, 1 if self.endian == ">" else 0))
        out += struct.pack(self.endian + "H", self.gnum) + bytes((len(fields),)) + b"".join(fields)
        if self.dev:
            out += bytes((len(devs),)) + b"".join(devs)
        return out


def _parse_def(
    data: bytes,
    p: int,
    end: int,
    nf: int | None = None,
    arch: int | None = None,
    head: int | None = None,
):
    """The definition at ``p``: a :class:`_Def`, ``"eof"`` if it runs past ``end``, or
    None if it cannot be one (an architecture byte other than 0/1, a reserved bit)."""
    if p + 6 > end:
        return "eof"
    h = data[p] if head is None else head
    a = data[p + 2] if arch is None else arch
    if a > 1 or h & 0x10:
        return None
    endian = ">" if a else "<"
    gnum = struct.unpack_from(endian + "H", data, p + 3)[0]
    nf = data[p + 5] if nf is None else nf
    q = p + 6 + 3 * nf
    if q > end:
        return "eof"
    b = data[p + 6 : q]
    fields = list(zip(b[0::3], b[1::3], b[2::3]))
    dev: list[tuple[int, int, int]] = []
    if h & 0x20:
        if q >= end:
            return "eof"
        nd = data[q]
        q2 = q + 1 + 3 * nd
        if q2 > end:
            return "eof"
        d = data[q + 1 : q2]
        dev = list(zip(d[0::3], d[1::3], d[2::3]))
        q = q2
    return _Def(h & 0x0F, gnum, endian, fields, dev, p, q)


@cache
def _known_globals() -> frozenset[int]:
    """Global message numbers of the FIT profile (fitparse's and fitdecode's)."""
    known: set[int] = set()
    try:
        from fitparse.profile import MESSAGE_TYPES

        known |= set(MESSAGE_TYPES)
    except ImportError:  # pragma: no cover - fitparse is a dependency
        pass
    try:
        from fitdecode.profile import MESSAGE_TYPES as FD_TYPES

        known |= set(FD_TYPES)
    except ImportError:  # pragma: no cover
        pass
    return frozenset(known)


@cache
def _names(gnum: int, num: int) -> tuple[str, str]:
    """(message name, field name) in the FIT profile, for warnings."""
    try:
        from fitparse.profile import MESSAGE_TYPES
    except ImportError:  # pragma: no cover
        return f"message {gnum}", f"field {num}"
    mt = MESSAGE_TYPES.get(gnum)
    f = mt.fields.get(num) if mt else None
    return (mt.name if mt else f"message {gnum}"), (f.name if f else f"field {num}")


# --- the repair -------------------------------------------------------------------------


@dataclass
class Repaired:
    """What :func:`repair` made of a file.

    Attributes
    ----------
    data : bytes
        A valid FIT file (several chained if the input had them); the input
        itself when nothing needed repair.
    warnings : list of str
        What was lost or changed, one line each (empty when nothing was).
    changed : bool
        True if ``data`` differs from the input.
    sequences : int
        FIT sequences (headers) read.
    """

    data: bytes
    warnings: list[str]
    changed: bool
    sequences: int = 1


class _Bound(Exception):
    """The walk reached :data:`~runlens.io.bounds.MAX_DEFINITIONS` at byte ``at``."""

    def __init__(self, at: int) -> None:
        super().__init__(at)
        self.at = at


class _Fault(Exception):
    def __init__(self, what: str, at: int, eof: bool = False) -> None:
        super().__init__(what)
        self.what, self.at, self.eof = what, at, eof


@dataclass
class _Item:
    """A kept stretch of the output: ``count`` messages of ``step`` bytes from ``start``
    (a run of data messages, or one definition), or synthesised bytes."""

    start: int
    stop: int
    step: int
    d: _Def | None  # the definition its data messages use (None: a definition message)
    blob: bytes | None = None


class _Sequence:
    """The walk of one FIT sequence (header, messages, CRC)."""

    def __init__(
        self,
        data: bytes,
        arr: np.ndarray,
        pos: int,
        strict: bool,
        name: str,
        read: tuple[int, int] = (0, 0),
    ) -> None:
        self.data, self.arr, self.strict, self.name = data, arr, strict, name
        # Definitions and fields defined read so far in the file (earlier sequences too).
        self.n_defs, self.n_fields = read
        self.summaries: dict[str, int] = {}  # sessions and laps seen, kept or not
        self.header_at = pos
        self.hsize = data[pos]
        self.dsize = struct.unpack_from("<I", data, pos + 4)[0]
        self.data_start = pos + self.hsize
        n = len(data)
        self.declared_end = self.data_start + self.dsize if self.dsize > 0 else None
        self.end = min(self.declared_end, n) if self.declared_end is not None else n
        self.items: list[_Item] = []
        self.defs: dict[int, _Def] = {}
        self.log: list[tuple[int, int, _Def | None]] = []  # (offset, local, previous def)
        self.history: list[_Def] = []  # every definition accepted, in order
        self.described: set[tuple[int, int]] = set()
        self.notes: list[str] = []  # resyncs
        self.field_faults: list[str] = []
        self.terminal: str | None = None  # truncation / end-of-data warning
        self.n_records = 0
        self.n_data = 0
        self.compressed_ok = False
        self.check_ts = False  # only once the file is known to be damaged
        self.resyncs = 0
        self.repaired: set[int] = set()  # offsets of definitions repaired
        self.lost_at: int | None = None
        self._lt_memo: tuple = (0, None, None)  # _last_ts of items[:k]: (k, items[k-1], value)

    # -- walking --------------------------------------------------------------------

    def walk(self, check_ts: bool) -> None:
        self.check_ts = check_ts
        # Even a sequence whose CRC matches may have been written damaged: compressed
        # timestamp headers are accepted once the stream from the first one walks exactly.
        self.compressed_ok = False
        p = self.data_start
        while p < self.end:
            try:
                p = self._step(p)
            except _Bound as b:
                self.terminal = "bound"
                self.lost_at = b.at
                return
            except _Fault as f:
                if f.eof:  # strict refuses it with the truncation message (repair())
                    self.terminal = "eof"
                    self.lost_at = f.at
                    return
                if self.strict:
                    raise CorruptFileError(
                        f"undecodable data at byte {f.at} ({f.what})", path=self.name, offset=f.at
                    ) from None
                found = self._resync(f)
                if found is None:
                    self.terminal = f"undecodable:{f.at}:{f.what}"
                    self.lost_at = f.at
                    return
                p = found

    def _step(self, p: int) -> int:
        data = self.data
        h = data[p]
        if h & 0xC0 == 0x40:
            d = _parse_def(data, p, self.end)
            if d == "eof":
                raise _Fault("a definition runs past the end of the data", p, eof=True)
            if d is None:
                raise _Fault(
                    f"damaged definition (header 0x{h:02X}, architecture {data[p + 2]})", p
                )
            n_fields = self.n_fields + len(d.fields) + len(d.dev)
            if self.n_defs >= MAX_DEFINITIONS or n_fields > MAX_DEFINED_FIELDS:
                raise _Bound(p)
            self.n_defs += 1
            self.n_fields = n_fields
            self._define(d, data[p : d.end])
            return d.end
        if h & 0x80:
            local = (h >> 5) & 0x3
            if not self.compressed_ok:
                # A damaged file's first compressed header: real if the messages from it walk
                # exactly (a flipped record header lands out of step within a few).
                if (
                    local in self.defs
                    and self.defs[local].ts_off is None  # it carries its time in the header
                    and self._walk_ok(p, self.defs, None, None, p, compressed=True, min_ts=0)
                ):
                    self.compressed_ok = True
                else:
                    raise _Fault(f"unexpected compressed timestamp header 0x{h:02X}", p)
        else:
            if h & 0x30:
                raise _Fault(f"invalid data message header 0x{h:02X}", p)
            local = h & 0x0F
        d = self.defs.get(local)
        if d is None:
            raise _Fault(f"data message of undefined local type {local}", p)
        if h & 0x80 and d.ts_off is not None and self.check_ts:
            # A compressed timestamp header never heads a message with its own timestamp.
            raise _Fault(f"compressed timestamp header 0x{h:02X} on a timed message", p)
        step = d.size + 1
        if p + step > self.end:
            raise _Fault("a message runs past the end of the data", p, eof=True)
        # A run of same-local messages at one stride: one strided comparison.
        count = 1
        nxt = p + step
        compressed = 0x80 | (local << 5) if local < 4 else 0x100
        if nxt + step <= self.end and (data[nxt] == local or (data[nxt] & 0xE0) == compressed):
            limit = (self.end - p) // step
            k = 64
            while True:
                hdr = self.arr[p : p + min(k, limit) * step : step]
                same = hdr == local
                if self.compressed_ok:
                    same |= (hdr & 0xE0) == compressed
                if not same.all():
                    count = int(np.argmin(same))
                    break
                if k >= limit:
                    count = limit
                    break
                k *= 8
        if self.check_ts and d.ts_off is not None and d.gnum == _RECORD:
            count = self._check_times(p, step, count, d)
            if count == 0:
                raise _Fault("a record with an implausible timestamp", p)
        kind = _BOUNDED.get(d.gnum)
        if kind is not None and not self.strict:
            # Past the bound, sessions and laps are not written for a decoder to decode
            # (fitparse would decode 200,000 sessions before the cap), only counted.
            kept = self.summaries.get(kind, 0)
            room = max(0, MAX_MESSAGES[kind] - kept)
            self.summaries[kind] = kept + count
            if count > room:
                if room:
                    self._keep(_Item(p, p + room * step, step, d))
                self.n_data += room
                return p + count * step
        self._keep(_Item(p, p + count * step, step, d))
        if d.gnum == _FIELD_DESCRIPTION:
            self._describe(p, step, count, d)
        self.n_data += count
        if d.gnum == _RECORD:
            self.n_records += count
        return p + count * step

    def _check_times(self, p: int, step: int, count: int, d: _Def) -> int:
        """How many of the run's first ``count`` records have plausible times."""
        ref = self._last_ts()
        if count == 1:  # records interleaved with other messages: no arrays per message
            t = float(struct.unpack_from(d.endian + "I", self.data, p + 1 + d.ts_off)[0])
            if ref is None:
                ref = t
                if _MIN_DATE_TIME <= ref < _FLOOR_FIT:
                    return 0
            if ref < _MIN_DATE_TIME:  # system time: only monotonic-ish
                return int(t < _MIN_DATE_TIME)
            return int(ref - _WINDOW_S <= t <= ref + _WINDOW_S)
        ts = self._times(p, step, count, d)
        if ref is None:
            ref = float(ts[0])
            if ref < _FLOOR_FIT and ref >= _MIN_DATE_TIME:
                return 0
        ok = (ts >= ref - _WINDOW_S) & (ts <= ref + _WINDOW_S)
        if ref < _MIN_DATE_TIME:  # system time: only monotonic-ish
            ok = ts < _MIN_DATE_TIME
        return count if ok.all() else int(np.argmin(ok))

    def _times(self, p: int, step: int, count: int, d: _Def) -> np.ndarray:
        """The timestamps (FIT seconds) of ``count`` messages of ``step`` bytes from ``p``."""
        off = p + 1 + d.ts_off
        b = np.lib.stride_tricks.as_strided(self.arr[off:], shape=(count, 4), strides=(step, 1))
        return np.ascontiguousarray(b).view(d.endian + "u4").ravel().astype(np.float64)

    def _last_ts(self) -> float | None:
        """The time of the last record kept (FIT seconds), or None.

        Remembered for a prefix of ``items`` (known unchanged while its last item is
        the same object: kept items are never modified, :meth:`_trim` replaces a
        shortened one), so each call looks only at what was kept since.
        """
        items = self.items
        n = len(items)
        k, last, value = self._lt_memo
        if not (0 < k <= n and items[k - 1] is last):
            k, value = 0, None
        for j in range(n - 1, k - 1, -1):
            it = items[j]
            d = it.d
            if d is not None and d.gnum == _RECORD and d.ts_off is not None and it.stop > it.start:
                at = it.stop - it.step + 1 + d.ts_off
                value = float(struct.unpack_from(d.endian + "I", self.data, at)[0])
                break
        if n:
            self._lt_memo = (n, items[n - 1], value)
        return value

    def _define(self, d: _Def, raw: bytes, at: int | None = None) -> None:
        """Accept a definition: check its fields, keep it, log what it replaces."""
        off = 0
        for num, size, base in d.fields:
            bsize = _BASE_SIZE.get(base, 1)
            if size == 0 or size % bsize:
                mname, fname = _names(d.gnum, num)
                self._field_fault(
                    f"definition at byte {d.at}: {mname}.{fname} has {size} bytes, not a "
                    f"multiple of its type {_BASE_NAME.get(base, 'byte')} ({bsize})",
                    d.at,
                )
                d.drop.append((off, size))
            off += size
        for num, size, idx in d.dev:
            if (idx, num) not in self.described or size == 0:
                self._field_fault(
                    f"definition at byte {d.at}: developer field {idx}/{num} ({size} bytes) "
                    "is undescribed or misaligned",
                    d.at,
                )
                d.drop.append((off, size))
            off += size
        odd_base = any(b not in _BASE_SIZE for _, _, b in d.fields)
        d.raw = d.encode() if d.drop or odd_base else raw
        self.log.append((d.at if at is None else at, d.local, self.defs.get(d.local)))
        self.defs[d.local] = d
        self.history.append(d)
        if at is None:
            self._keep(_Item(d.at, d.end, d.end - d.at, None, blob=d.raw))
        else:  # a replacement definition, written where the stream resumes
            self._keep(_Item(at, at, 0, None, blob=d.raw))

    def _field_fault(self, msg: str, at: int) -> None:
        if self.strict:
            raise CorruptFileError(msg, path=self.name, offset=at)
        self.field_faults.append(msg + "; read as raw bytes and ignored")

    def _describe(self, p: int, step: int, count: int, d: _Def) -> None:
        """Note the (developer index, field number) a field_description message describes."""
        offs, off = {}, 0
        for num, size, _ in d.fields:
            offs[num] = (off, size)
            off += size
        if 0 not in offs or 1 not in offs:
            return
        for k in range(count):
            base = p + k * step + 1
            self.described.add((self.data[base + offs[0][0]], self.data[base + offs[1][0]]))

    def _keep(self, it: _Item) -> None:
        self.items.append(it)

    def _trim(self, to: int) -> int:
        """Drop what was kept from offset ``to`` on; return the records dropped."""
        dropped = 0
        while self.items:
            it = self.items[-1]
            if it.blob is not None:
                if it.start >= to or it.stop > to:
                    self.items.pop()
                    continue
                break
            if it.stop <= to:
                break
            if it.start >= to:
                self.items.pop()
                if it.d is not None:
                    n = (it.stop - it.start) // it.step
                    self.n_data -= n
                    if it.d.gnum == _RECORD:
                        dropped += n
                        self.n_records -= n
                continue
            keep = (to - it.start) // it.step
            n = (it.stop - it.start) // it.step - keep
            # A new item: a snapshot (and the _last_ts memo) still holds the old one.
            self.items[-1] = _Item(it.start, it.start + keep * it.step, it.step, it.d, it.blob)
            self.n_data -= n
            if it.d.gnum == _RECORD:
                dropped += n
                self.n_records -= n
            if keep == 0:
                self.items.pop()
            break
        while self.log and self.log[-1][0] >= to:
            _, local, prev = self.log.pop()
            gone = self.defs.pop(local, None)
            if gone is not None and self.history and self.history[-1] is gone:
                self.history.pop()
            if prev is not None:
                self.defs[local] = prev
        return dropped

    # -- resynchronisation ------------------------------------------------------------

    def _resync(self, f: _Fault) -> int | None:
        if self.resyncs >= _MAX_RESYNCS:
            return None
        self.check_ts = True
        start = f.at
        lo = max(self.data_start, start - _BACK)
        hi = min(self.end - 1, start + _AHEAD)
        snap = self._snapshot()
        # A damaged definition first: resuming right after it keeps the messages that a
        # resume point further on would skip.
        found, note = self._repair_definition(start) or (None, None)
        if found is None:
            self._restore(snap)
            found = self._scan(lo, hi, start)
        if found is None:
            self._restore(snap)
            return None
        self.resyncs += 1
        if note is not None:
            self.notes.append(note)
            return found
        if found < start:
            k = self._trim(found)
            dropped = f"{k} garbled record(s) dropped, " if k else ""
            self.notes.append(
                f"malformed message before byte {start} ({f.what}): {dropped}"
                f"decoding resumed at byte {found}"
            )
        else:
            self.notes.append(
                f"undecodable bytes {start}-{found} ({f.what}) skipped, decoding resumed"
            )
        return found

    def _snapshot(self):
        return (
            list(self.items),
            dict(self.defs),
            list(self.log),
            list(self.history),
            (self.n_data, self.n_records),
            list(self.field_faults),
        )

    def _restore(self, snap) -> None:
        items, defs, log, history, counts, faults = snap
        self.items, self.defs, self.log, self.history = (
            list(items),
            dict(defs),
            list(log),
            list(history),
        )
        self.n_data, self.n_records = counts
        self.field_faults = list(faults)

    def _state_at(self, c: int) -> dict[int, _Def]:
        """The definitions in force at offset ``c`` (undoing those accepted after it)."""
        defs = dict(self.defs)
        for at, local, prev in reversed(self.log):
            if at < c:
                break
            if prev is None:
                defs.pop(local, None)
            else:
                defs[local] = prev
        return defs

    def _scan(self, lo: int, hi: int, fault: int, defs: dict | None = None) -> int | None:
        """The first offset in [lo, hi) from which the stream walks sanely past ``fault``."""
        if hi <= lo:
            return None
        arr = self.arr
        states = (
            [defs]
            if defs is not None
            else [self.defs] + [self._state_at(at) for at, _, _ in self.log if at >= lo]
        )
        valid = np.zeros(256, dtype=bool)
        valid[0x40:0x50] = valid[0x60:0x70] = True  # definition headers
        for st in states:
            for local in st:
                valid[local] = True
                if local < 4 and self.compressed_ok:
                    valid[0x80 | (local << 5) : 0x80 | (local << 5) + 32] = True
        win = arr[lo:hi]
        cand = np.flatnonzero(valid[win]) + lo
        # A definition header must be followed by a reserved 0 and an architecture 0/1.
        isdef = (arr[cand] & 0xC0) == 0x40
        ok = ~isdef
        dc = cand[isdef]
        dc_ok = dc + 2 < len(arr)
        dc = dc[dc_ok]
        good = (arr[dc + 1] == 0) & (arr[dc + 2] <= 1)
        ok[np.flatnonzero(isdef)[dc_ok][good]] = True
        cand = cand[ok]
        last_ts = self._last_ts()
        known = _known_globals() | {d.gnum for d in self.history}
        # The stream resumes with a definition or a message of a type in recent use: a
        # file_id-sized stretch of garbage that happens to walk back into step is not one.
        tail = self.items[-16:]
        recent = {it.d.local for it in tail if it.d is not None}
        since = tail[0].start if tail else self.data_start
        recent |= {local for at, local, _ in self.log if at >= since}
        for c in cand.tolist():
            h = int(arr[c])
            if h & 0xC0 != 0x40 and ((h >> 5) & 3 if h & 0x80 else h & 0x0F) not in recent:
                continue
            st = defs if defs is not None else self._state_at(c)
            if self._walk_ok(c, st, known, last_ts, fault):
                return c
        return None

    def _walk_ok(
        self,
        pos: int,
        defs: dict,
        known,
        ref: float | None,
        fault: int,
        compressed: bool | None = None,
        min_ts: int = _MIN_TS,
    ) -> bool:
        """True if messages from ``pos`` fit the definitions exactly, with known message
        types and plausible explicit timestamps, for :data:`_MESSAGES` messages and past
        the fault (or to the end of the data)."""
        data, end = self.data, self.end
        layouts = {k: (d.size, d.ts_off, d.endian, d.gnum) for k, d in defs.items()}
        stamps, last = 0, None
        floor = (ref - 3600) if ref is not None else (_FLOOR_FIT if min_ts else 0)
        if compressed is None:
            compressed = self.compressed_ok
        n = 0
        while n < _MESSAGES or pos <= fault:
            if pos == end:
                return stamps >= min(1, min_ts) or n >= _MESSAGES
            if n > 2000:
                return False
            n += 1
            h = data[pos]
            if h & 0xC0 == 0x40:
                d = _parse_def(data, pos, end)
                if not isinstance(d, _Def) or data[pos + 1] != 0:
                    return False
                if known is not None and d.gnum not in known and d.gnum < 0xFF00:
                    return False
                layouts[d.local] = (d.size, d.ts_off, d.endian, d.gnum)
                pos = d.end
                continue
            if h & 0x80:
                if not compressed:
                    return False
                local = (h >> 5) & 0x3
            elif h & 0x30:
                return False
            else:
                local = h & 0x0F
            lay = layouts.get(local)
            if lay is None or (h & 0x80 and lay[1] is not None):
                return False
            size, ts, endian, _ = lay
            if pos + 1 + size > end:
                return False
            if ts is not None:
                t = struct.unpack_from(endian + "I", data, pos + 1 + ts)[0]
                top = (ref if ref is not None else (last if last is not None else t)) + _WINDOW_S
                # Messages of one second may be written a little out of order.
                if t < floor or (last is not None and t < last - 60) or t > top:
                    return False
                last = t if last is None else max(last, t)
                stamps += 1
            pos += 1 + size
        return stamps >= min_ts

    def _repair_definition(self, fault: int) -> tuple[int, str] | None:
        """Resume after the latest definition before ``fault``, with that definition
        replaced by an earlier one of the same message or repaired to fit the messages
        after it; or read a definition at ``fault`` whose header byte is damaged."""
        known = _known_globals() | {d.gnum for d in self.history}
        last_ts = self._last_ts()
        tries: list[tuple[_Def, str, int]] = []  # (definition, how, where it was)
        # The damaged definition: the latest before the fault, or a record definition among
        # the last few (other definitions often follow it before the first record).
        first = max(0, len(self.history) - 8)
        near = [
            (i, d)
            for i, d in enumerate(self.history[first:], first)
            if fault - d.end <= _AHEAD
            and (i == len(self.history) - 1 or d.gnum == _RECORD)
            and d.at not in self.repaired
            and self._used_after(d, fault) <= _DEF_USES
        ]
        for i, bad in reversed(near):
            earlier = self.history[:i]
            same_local = [d for d in earlier if d.gnum == bad.gnum and d.local == bad.local]
            others = [d for d in earlier if d.gnum == bad.gnum and d.local != bad.local]
            for d in reversed(same_local + others):
                fixed = _Def(
                    bad.local, d.gnum, d.endian, list(d.fields), list(d.dev), bad.at, bad.end
                )
                tries.append(
                    (
                        fixed,
                        f"the earlier definition of local message {bad.local} was used instead",
                        bad.at,
                    )
                )
            tries += [
                (d, "it was repaired to fit the messages after it", bad.at)
                for d in self._guesses(bad)
            ]
        # A definition whose own header byte was hit: its records name the local number.
        h0 = self.data[fault]
        heads = ([h0 & 0xEF] if h0 & 0xC0 == 0x40 else []) + [0x40, 0x60]
        for head in heads:
            for arch in (None, 0, 1):
                d = _parse_def(self.data, fault, self.end, head=head, arch=arch)
                if not isinstance(d, _Def) or d.end >= self.end or self.data[fault + 1] != 0:
                    continue
                nxt = self.data[d.end]
                if nxt & 0xF0 == 0:
                    d.local = nxt
                    tries.append((d, "its header was repaired", fault))
        if not tries:
            return None
        snap = self._snapshot()
        tried = set()
        for d, how, at in tries:
            if d.gnum not in known and d.gnum < 0xFF00:
                continue
            key = (d.end, d.gnum, d.local, tuple(d.fields), tuple(d.dev), d.endian)
            if key in tried:
                continue
            tried.add(key)
            self._restore(snap)
            self._trim(at)
            base = self._state_at(at)
            st = {**base, d.local: d}
            if not self._walk_ok(d.end, st, known, last_ts, fault):
                continue
            self.field_faults = [
                m for m in self.field_faults if not m.startswith(f"definition at byte {at}:")
            ]
            self.defs = dict(base)
            self.repaired.add(at)  # once: a second fault there is not this definition's
            self._define(d, d.encode(), at=d.end)
            return d.end, f"the definition at byte {at} looks damaged; {how}"
        return None

    def _used_after(self, d: _Def, fault: int) -> int:
        """Messages kept that read ``d`` between its end and ``fault``: a damaged size
        or field count puts the first of them out of step, so a definition that many
        messages read cleanly is not the one the fault comes from."""
        n = 0
        for it in reversed(self.items):
            if it.start < d.end:
                break
            if it.d is not None and it.d.at == d.at and it.start < fault:
                n += (it.stop - it.start) // it.step
                if n > _DEF_USES:
                    break
        return n

    def _guesses(self, bad: _Def) -> list[_Def]:
        """Repairs of one damaged byte of ``bad``: its architecture, its field count, or
        one field size set back to one value of its type."""
        data, end, at = self.data, self.end, bad.at
        out: list[_Def] = []
        if data[at + 2] > 1:  # only 0 and 1 exist
            for a in (0, 1):
                d = _parse_def(data, at, end, arch=a)
                if isinstance(d, _Def):
                    out.append(d)
        for i, (num, size, base) in enumerate(bad.fields):
            one = _BASE_SIZE.get(base, 1)
            if size != one:
                fields = list(bad.fields)
                fields[i] = (num, one, base)
                out.append(
                    _Def(bad.local, bad.gnum, bad.endian, fields, list(bad.dev), at, bad.end)
                )
        for nf in range(1, 64):
            if nf != len(bad.fields):
                d = _parse_def(data, at, end, nf=nf)
                if isinstance(d, _Def) and d.gnum == bad.gnum:
                    out.append(d)
        return out

    # -- output -----------------------------------------------------------------------

    def body(self) -> bytes:
        data, arr = self.data, self.arr
        out = []
        for it in self.items:
            if it.blob is not None:
                out.append(it.blob)
            elif it.d.drop:
                n = (it.stop - it.start) // it.step
                block = arr[it.start : it.stop].reshape(n, it.step)
                keep = np.ones(it.step, dtype=bool)
                for off, size in it.d.drop:
                    keep[1 + off : 1 + off + size] = False
                out.append(block[:, keep].tobytes())
            else:
                out.append(data[it.start : it.stop])
        return b"".join(out)

    def times(self) -> tuple[float | None, float | None]:
        """Unix seconds of the first and the last plausible record times kept."""
        runs = [
            it
            for it in self.items
            if it.d is not None
            and it.d.gnum == _RECORD
            and it.d.ts_off is not None
            and it.stop > it.start
        ]
        if not runs:
            return None, None
        # Every kept record's time in one gather (bytes at each record's timestamp offset).
        counts = np.array([(it.stop - it.start) // it.step for it in runs])
        first_at = np.array([it.start + 1 + it.d.ts_off for it in runs])
        steps = np.array([it.step for it in runs])
        k = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        at = np.repeat(first_at, counts) + k * np.repeat(steps, counts)
        raw = self.arr[at[:, None] + np.arange(4)]
        big = np.repeat(np.array([it.d.endian == ">" for it in runs]), counts)
        ts = raw.copy().view("<u4").ravel().astype(np.float64)
        if big.any():
            ts[big] = raw[big].copy().view(">u4").ravel()
        bounds = np.concatenate([[0], np.cumsum(counts)]).tolist()
        first = last = None
        for j, n in enumerate(counts.tolist()):
            if n == 1:  # one record between other messages: plain floats
                t = float(ts[bounds[j]])
                if t < _MIN_DATE_TIME:
                    continue
                if first is None:
                    first = last = t
                if last - 60 <= t <= last + _WINDOW_S:
                    last = max(last, t)
                continue
            part = ts[bounds[j] : bounds[j + 1]]
            part = part[part >= _MIN_DATE_TIME]
            if not part.size:
                continue
            if first is None:
                first = last = float(part[0])
            ok = part[(part >= last - 60) & (part <= last + _WINDOW_S)]
            if ok.size:
                last = max(last, float(ok.max()))
        if first is None:
            return None, None
        return first + FIT_EPOCH_S, last + FIT_EPOCH_S

    def last_good(self) -> int:
        return self.items[-1].stop if self.items else self.data_start

    def has_session(self) -> bool:
        return any(it.d is not None and it.d.gnum == _SESSION for it in self.items)


def _header_fault(data: bytes, pos: int) -> str | None:
    """Why the bytes at ``pos`` are not a FIT header (None if they are one)."""
    if len(data) - pos < 12:
        return "too short"
    if data[pos + 8 : pos + 12] != b".FIT" or data[pos] < 12:
        return "Invalid .FIT File Header"
    return None


def repair(data: bytes, name: str = "<bytes>", *, strict: bool = False) -> Repaired:
    """Find the good message stream of FIT ``data`` and write it as a valid FIT file.

    Parameters
    ----------
    data : bytes
        The FIT content (already decompressed).
    name : str
        The file's name, for messages.
    strict : bool
        Refuse (raise) at the first fault instead of repairing.

    Returns
    -------
    Repaired

    Raises
    ------
    CorruptFileError
        The header is invalid, nothing before the damage could be kept, or
        (strict) any fault.
    """
    n = len(data)
    if n < 12:
        raise CorruptFileError(
            f"FIT file too short for its header ({n} bytes)", path=name, offset=0
        )
    why = _header_fault(data, 0)
    if why is not None:
        raise CorruptFileError(f"invalid FIT header ({why})", path=name, offset=0)
    arr = np.frombuffer(data, dtype=np.uint8)
    warnings: list[str] = []
    crc_faults: list[str] = []
    notes: list[str] = []
    field_faults: list[str] = []
    pieces: list[bytes] = []
    changed = False
    pos = 0
    first = True
    n_records = 0
    seqs = []

    def refuse(msg: str, at: int):
        return CorruptFileError(msg, path=name, offset=at)

    while pos < n:
        if not first:
            tail = data[pos:]
            if not tail.strip(b"\x00"):
                changed = True
                break  # zero padding after the last file: nothing to read, nothing lost
            why = _header_fault(data, pos)
            if why == "too short":
                msg = f"{len(tail)} stray bytes after the FIT data (from byte {pos}) ignored"
            elif why is not None:
                msg = (
                    f"bytes {pos}-{n} ({len(tail)} bytes) after the FIT data are not a valid "
                    f"chained FIT file ({why}); ignored"
                )
            if why is not None:
                if strict:
                    raise refuse(msg, pos)
                warnings.append(msg)
                changed = True
                break
        hsize = data[pos]
        if pos + hsize > n:
            if first:
                raise refuse(f"FIT file too short for its header ({n} bytes)", 0)
            msg = f"{n - pos} stray bytes after the FIT data (from byte {pos}) ignored"
            if strict:
                raise refuse(msg, pos)
            warnings.append(msg)
            changed = True
            break
        if hsize >= 14:
            read = struct.unpack_from("<H", data, pos + 12)[0]
            computed = crc16(data[pos : pos + 12])
            if read not in (0, computed):
                msg = (
                    f"header CRC mismatch at byte {pos + 12} (computed 0x{computed:04X}, "
                    f"file says 0x{read:04X})"
                )
                if strict:
                    raise refuse(f"unreadable FIT header ({msg})", pos)
                crc_faults.append(msg)
        read = (seqs[-1].n_defs, seqs[-1].n_fields) if seqs else (0, 0)
        seq = _Sequence(data, arr, pos, strict, name, read)
        if seqs:
            seq.summaries = dict(seqs[-1].summaries)
        seqs.append(seq)
        full = seq.declared_end is not None and seq.declared_end + 2 <= n
        crc_ok = False
        if full:
            read = struct.unpack_from("<H", data, seq.declared_end)[0]
            computed = sequence_crc(data, pos, seq.declared_end)
            crc_ok = read == computed
            if not crc_ok:
                msg = (
                    f"file CRC mismatch at byte {seq.declared_end} (computed 0x{computed:04X}, "
                    f"file says 0x{read:04X})"
                )
                if strict:
                    raise refuse(msg, seq.declared_end)
        try:
            seq.walk(check_ts=not crc_ok)
        except CorruptFileError:
            raise
        if seq.terminal == "bound":
            msg = definitions_warning(seq.lost_at, n, seq.n_defs)
            if strict or n_records + seq.n_records == 0:
                raise refuse(msg, seq.lost_at)
        if seq.terminal is None and not full and seq.declared_end is not None:
            seq.terminal = "eof"  # the data is whole but its CRC was cut off
            seq.lost_at = seq.end
        if strict and seq.terminal not in (None, "bound"):
            first_ts, last_ts = seq.times()
            raise refuse(
                describe_truncation(
                    n, seq.last_good(), _expected(seq), seq.data_start, first_ts, last_ts
                ),
                n,
            )
        if full and not crc_ok and not seq.notes and seq.terminal is None:
            crc_faults.append(msg)
        n_records += seq.n_records
        notes += seq.notes
        field_faults += seq.field_faults
        body = seq.body()
        if seq.terminal is not None or seq.notes or seq.field_faults or not crc_ok:
            changed = True
        header = bytearray(data[pos : pos + 12])
        header[0] = 14
        struct.pack_into("<I", header, 4, len(body))
        header += struct.pack("<H", crc16(bytes(header)))
        whole = bytes(header) + body
        same = (
            full
            and bytes(header) == data[pos : pos + 14]
            and body == data[pos + 14 : seq.declared_end]
        )
        # Only the CRC was wrong: the stream is the input's, whose CRC is known already.
        crc = computed if same else crc16(whole)
        pieces.append(whole + struct.pack("<H", crc))
        if seq.terminal == "bound":
            warnings.append(msg)
            break
        if seq.terminal is not None:
            first_ts, last_ts = seq.times()
            if seq.terminal == "eof":
                msg = describe_truncation(
                    n,
                    seq.last_good(),
                    _expected(seq),
                    seq.data_start,
                    first_ts,
                    last_ts,
                    file_size=n,
                )
                at = n
            else:
                _, at_s, what = seq.terminal.split(":", 2)
                at = int(at_s)
                if n_records == 0:
                    raise refuse(
                        f"undecodable data at byte {at} ({what}); no records before it", at
                    )
                end = seq.end
                if seq.declared_end is not None and seq.declared_end > n:
                    # The header declares more than the file holds: say what it declares,
                    # not where the file ends.
                    end = _expected(seq)
                msg = describe_truncation(
                    at,
                    seq.last_good(),
                    end if end > at else None,
                    seq.data_start,
                    first_ts,
                    last_ts,
                    head=f"undecodable data at byte {at} ({what}), nothing decodable after it",
                    file_size=n,
                )
            if n_records == 0:
                raise refuse(msg, at)
            if not seq.has_session():
                msg += "; the device's own session summary is missing"
            warnings.append(msg)
            break
        first = False
        pos = seq.declared_end + 2 if seq.declared_end is not None else n

    out: list[str] = []
    for kind, seen in (seqs[-1].summaries if seqs else {}).items():
        if seen > MAX_MESSAGES[kind]:
            # The same warning as runlens.io.bounds.cap_messages gives after decoding.
            changed = True
            warnings.append(
                f"the file holds {seen:,} {kind} messages; runlens reads at most "
                f"{MAX_MESSAGES[kind]:,} (the first {MAX_MESSAGES[kind]:,} were kept)"
            )
    if crc_faults:
        out.append(
            f"{'; '.join(crc_faults)}: the bytes changed after they were written; "
            "the decoded data was kept"
        )
    if notes:
        shown = "; ".join(notes[:3])
        more = len(notes) - 3
        out.append(
            f"{len(notes)} damaged stretch(es) skipped: {shown}"
            + (f"; and {more} more like these" if more > 0 else "")
        )
    out += warnings
    if field_faults:
        shown_f = field_faults[:3]
        more = len(field_faults) - len(shown_f)
        out.append("; ".join(shown_f) + (f" (and {more} more)" if more > 0 else ""))
    if not changed and not crc_faults:
        return Repaired(data, [], False, len(seqs))
    return Repaired(b"".join(pieces), out, True, len(seqs))


def _expected(seq: _Sequence) -> int | None:
    return seq.declared_end + 2 if seq.declared_end is not None else None
