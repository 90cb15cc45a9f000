"""Turn what the user passed (path, bytes, file object) into bytes and a format.

Formats are detected from the content, not the suffix (a FIT header carries
".FIT" at byte 8; GPX is XML whose root is ``gpx``, TCX XML whose root is
``TrainingCenterDatabase``); gzip is undone transparently, as Strava bulk
exports are ``.fit.gz``, ``.gpx.gz`` and ``.tcx.gz``.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import stat
import zlib
from dataclasses import dataclass, field
from typing import IO, Union

from ..errors import (
    CorruptFileError,
    EmptyFileError,
    FileTooLargeError,
    RunlensError,
    UnsupportedFormatError,
)

__all__ = [
    "SourceBytes",
    "SourceLike",
    "read_source",
    "sniff_format",
    "MAX_INPUT_BYTES",
    "MAX_DECOMPRESSED_BYTES",
]

SourceLike = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, IO[bytes]]

#: Refuse inputs larger than this (bytes), before reading them. The longest real
#: activities (24 h at 1 Hz) are ~5 MB as FIT and ~25 MB as GPX; gpxpy builds a
#: whole DOM (~20x the file in memory), so 64 MiB bounds a read near 1.5 GB at worst.
MAX_INPUT_BYTES = 64 * 1024 * 1024
#: Refuse to inflate a gzip beyond this many bytes (a gzip bomb stops here).
MAX_DECOMPRESSED_BYTES = MAX_INPUT_BYTES

_GZIP_MAGIC = b"\x1f\x8b"
_XML_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s/>]")
_CHUNK = 1 << 16
_PIECE = 1 << 20


@dataclass
class SourceBytes:
    """Raw content of a source, decompressed, with its detected format.

    ``notes`` are warnings about the container (a suffix that does not match the
    content, a gzip cut short); :func:`runlens.io.validate.validate` adds them to
    the activity's warnings.
    """

    data: bytes
    name: str
    format: str
    compressed: bool
    sha256: str
    notes: list[str] = field(default_factory=list)


def _too_large(name: str, size: int, what: str = "file is") -> FileTooLargeError:
    return FileTooLargeError(
        f"{what} {size / 2**20:.0f} MiB or more; runlens reads activity files up to "
        f"{MAX_INPUT_BYTES // 2**20} MiB",
        path=name,
        size=size,
        limit=MAX_INPUT_BYTES,
    )


def open_regular(name: str):
    """Open ``name`` read-only, refusing anything that is not a regular file.

    Opened non-blocking, so a FIFO without a writer (or a device) is refused at
    once instead of hanging the read; the check is on the opened descriptor.

    Raises
    ------
    RunlensError
        A folder, a FIFO, a device or a socket.
    OSError
        The file cannot be opened (missing, no permission).
    """
    fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise RunlensError("is a folder, not an activity file", path=name)
        if not stat.S_ISREG(mode):
            kind = (
                "a FIFO"
                if stat.S_ISFIFO(mode)
                else "a socket"
                if stat.S_ISSOCK(mode)
                else ("a device")
            )
            raise RunlensError(
                f"is {kind}, not a regular file; runlens reads files only", path=name
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _read_source(source: SourceLike) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        if len(source) > MAX_INPUT_BYTES:
            raise _too_large("<bytes>", len(source), "input is")
        return bytes(source), "<bytes>"
    if isinstance(source, (str, os.PathLike)):
        name = os.fspath(source)
        try:
            # Opened read-only, never written: the user's files are never modified.
            with open_regular(name) as fh:
                size = os.fstat(fh.fileno()).st_size
                if size > MAX_INPUT_BYTES:
                    raise _too_large(name, size)
                # A special file (pipe, /dev/zero) reports size 0: bound the read anyway.
                data = fh.read(MAX_INPUT_BYTES + 1)
        except IsADirectoryError:
            raise RunlensError("is a folder, not an activity file", path=name) from None
        except FileNotFoundError:
            raise RunlensError("no such file", path=name) from None
        except OSError as exc:
            raise RunlensError(f"cannot be read ({exc.strerror or exc})", path=name) from None
        if len(data) > MAX_INPUT_BYTES:
            raise _too_large(name, len(data))
        return data, name
    read = getattr(source, "read", None)
    if read is None:
        raise TypeError(
            f"read() takes a path, bytes or a binary file object, not {type(source).__name__}"
        )
    name = str(getattr(source, "name", "<stream>"))
    data = read(MAX_INPUT_BYTES + 1)
    if isinstance(data, str):
        raise TypeError(f"{name}: open the file in binary mode ('rb')")
    if len(data) > MAX_INPUT_BYTES:
        raise _too_large(name, len(data))
    return bytes(data), name


def _gunzip(data: bytes, name: str, notes: list[str]) -> bytes:
    """Inflate every gzip member, in bounded chunks; keep what precedes damage.

    A gzip cut short (an interrupted download) or damaged mid-stream still
    yields the bytes inflated before the fault; the note says where it stopped
    and the format's own reader then reports what that cost.
    """
    out: list[bytes] = []
    total = 0
    pos = 0
    members = 0
    while pos < len(data):
        d = zlib.decompressobj(wbits=31)
        member_start = pos
        fault = None
        try:
            while pos < len(data) and not d.eof:
                chunk = pending = data[pos : pos + _CHUNK]
                while pending:
                    # max_length bounds memory; total <= limit here, so it is >= 1.
                    # Small pieces: no buffer ever near the limit is allocated twice.
                    piece = d.decompress(pending, min(_PIECE, MAX_DECOMPRESSED_BYTES + 1 - total))
                    total += len(piece)
                    out.append(piece)
                    if total > MAX_DECOMPRESSED_BYTES:
                        raise _too_large(name, total, "gzip inflates to")
                    pending = d.unconsumed_tail
                pos += len(chunk) - len(d.unused_data)
        except zlib.error as exc:
            fault = f"damaged gzip data ({exc})"
        members += 1
        if fault is None and not d.eof:
            fault = "gzip stream cut short"
        if fault is not None:
            if total == 0:
                raise CorruptFileError(f"not a valid gzip file: {fault}", path=name) from None
            notes.append(
                f"{fault} at compressed byte ~{pos} of {len(data)}: only the first {total} "
                "bytes could be inflated"
            )
            break
        rest = data[pos:]
        if not rest.strip(b"\x00"):
            break  # zero padding after the last member
        if rest[:2] != _GZIP_MAGIC:
            notes.append(
                f"{len(rest)} bytes after the gzip data (from byte {pos}) are not gzip; ignored"
            )
            break
        if pos == member_start:  # no progress: never loop
            break
    return b"".join(out)


def sniff_format(data: bytes) -> str | None:
    """``"fit"``, ``"gpx"``, ``"tcx"``, ``"xml"`` (another XML) or ``None``.

    >>> sniff_format(b"\\x0e\\x10\\x00\\x00\\x00\\x00\\x00\\x00.FIT")
    'fit'
    >>> sniff_format(b'<?xml version="1.0"?>\\n<gpx version="1.1">')
    'gpx'
    """
    if len(data) >= 12 and data[8:12] == b".FIT":
        return "fit"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"<"):
        return None
    # Skip the XML declaration, comments, doctype and processing instructions.
    for m in _XML_ROOT.finditer(head):
        start = m.start()
        if head[start + 1 : start + 2] in (b"?", b"!"):
            continue
        root = m.group(1).lower()
        if root == b"gpx":
            return "gpx"
        if root == b"trainingcenterdatabase":
            return "tcx"
        return "xml"
    return "xml"


def _suffix_format(name: str) -> str | None:
    low = name.lower()
    if low.endswith(".gz"):
        low = low[:-3]
    for suffix, fmt in ((".fit", "fit"), (".gpx", "gpx"), (".tcx", "tcx")):
        if low.endswith(suffix):
            return fmt
    return None


def read_source(source: SourceLike) -> SourceBytes:
    """Read a source into bytes, undo gzip, and detect the format from the content.

    Never modifies the source. Containers that lie (a ``.gz`` that is not
    gzip, a ``.fit`` holding GPX) are read for what they hold, with a note.

    Raises
    ------
    EmptyFileError, UnsupportedFormatError, CorruptFileError, FileTooLargeError, RunlensError
    """
    data, name = _read_source(source)
    notes: list[str] = []
    compressed = False
    if data[:2] == _GZIP_MAGIC:
        data = _gunzip(data, name, notes)
        compressed = True
    elif name.lower().endswith(".gz") and data:
        notes.append("named .gz but not gzip-compressed; read as it is")
    from .salvage import wide_xml_as_utf8

    data = wide_xml_as_utf8(data)  # a GPX saved as UTF-16 is XML, read as such
    if not data or data.isspace():  # (no copy: strip() copied the whole file)
        raise EmptyFileError(
            "file is empty (0 bytes)" if not data else "file holds only white space", path=name
        )
    if data[:1] == b"\x00" and not data.strip(b"\x00"):
        raise EmptyFileError(
            f"file holds only zero bytes ({len(data)}): nothing was ever written to it",
            path=name,
        )
    fmt = sniff_format(data)
    if fmt is None:
        gz = "named .gz but not gzip data, and " if notes and "named .gz" in notes[0] else ""
        raise UnsupportedFormatError(
            f"{gz}not a FIT, GPX or TCX file (no '.FIT' header signature and no XML)", path=name
        )
    if fmt == "xml":
        root = _root_name(data)
        raise UnsupportedFormatError(
            f"XML but not GPX or TCX (the root element is <{root}>, not <gpx> or "
            "<TrainingCenterDatabase>)"
            if root
            else "XML but not GPX or TCX (no <gpx> or <TrainingCenterDatabase> root)",
            path=name,
        )
    claimed = _suffix_format(name)
    if claimed is not None and claimed != fmt:
        notes.append(f"named .{claimed} but holds {fmt.upper()}; read as {fmt.upper()}")
    return SourceBytes(data, name, fmt, compressed, hashlib.sha256(data).hexdigest(), notes)


def _root_name(data: bytes) -> str | None:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    for m in _XML_ROOT.finditer(head):
        if head[m.start() + 1 : m.start() + 2] in (b"?", b"!"):
            continue
        return m.group(1).decode("ascii", "replace")[:40]
    return None


def gzip_bytes(data: bytes) -> bytes:
    """Gzip ``data`` deterministically (mtime 0), e.g. to build a .fit.gz."""
    return gzip.compress(data, mtime=0)
