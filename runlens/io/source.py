"""Turn what the user passed (path, bytes, file object) into bytes and a format.

Formats are detected from the content, not the suffix (a FIT header carries
".FIT" at byte 8; GPX is XML whose root is ``gpx``); gzip is undone
transparently, as Strava bulk exports are ``.fit.gz`` and ``.gpx.gz``.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import zlib
from dataclasses import dataclass
from typing import IO, Union

from ..errors import CorruptFileError, EmptyFileError, RunlensError, UnsupportedFormatError

__all__ = ["Loaded", "SourceLike", "load", "sniff_format", "MAX_DECOMPRESSED_BYTES"]

SourceLike = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, IO[bytes]]

#: Refuse to inflate a gzip beyond this many bytes (a 10-hour 1 Hz FIT is ~2 MB).
MAX_DECOMPRESSED_BYTES = 512 * 1024 * 1024

_GZIP_MAGIC = b"\x1f\x8b"
_XML_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s/>]")


@dataclass
class Loaded:
    """Raw content of a source, decompressed, with its detected format."""

    data: bytes
    name: str
    format: str
    compressed: bool
    sha256: str


def _read_source(source: SourceLike) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), "<bytes>"
    if isinstance(source, (str, os.PathLike)):
        name = os.fspath(source)
        try:
            with open(name, "rb") as fh:
                return fh.read(), name
        except IsADirectoryError:
            raise RunlensError("is a folder, not an activity file", path=name) from None
        except FileNotFoundError:
            raise RunlensError("no such file", path=name) from None
        except OSError as exc:
            raise RunlensError(f"cannot be read ({exc.strerror or exc})", path=name) from None
    read = getattr(source, "read", None)
    if read is None:
        raise TypeError(
            f"read() takes a path, bytes or a binary file object, not {type(source).__name__}"
        )
    name = str(getattr(source, "name", "<stream>"))
    data = read()
    if isinstance(data, str):
        raise TypeError(f"{name}: open the file in binary mode ('rb')")
    return bytes(data), name


def _gunzip(data: bytes, name: str) -> bytes:
    d = zlib.decompressobj(wbits=31)
    try:
        out = d.decompress(data, MAX_DECOMPRESSED_BYTES)
    except zlib.error as exc:
        raise CorruptFileError(f"not a valid gzip file ({exc})", path=name) from None
    if d.unconsumed_tail:
        raise CorruptFileError(
            f"gzip inflates beyond {MAX_DECOMPRESSED_BYTES // 2**20} MiB; refused", path=name
        )
    if not d.eof:
        raise CorruptFileError("gzip stream is truncated", path=name)
    return out


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


def load(source: SourceLike) -> Loaded:
    """Read a source into bytes, undo gzip, and detect the format.

    Raises
    ------
    EmptyFileError, UnsupportedFormatError, CorruptFileError, RunlensError
    """
    data, name = _read_source(source)
    compressed = False
    if data[:2] == _GZIP_MAGIC:
        data = _gunzip(data, name)
        compressed = True
    elif name.lower().endswith(".gz"):
        raise CorruptFileError("named .gz but is not gzip data", path=name)
    if not data.strip():
        raise EmptyFileError(
            "file is empty (0 bytes)" if not data else "file holds only white space", path=name
        )
    fmt = sniff_format(data)
    if fmt is None:
        raise UnsupportedFormatError(
            "not a FIT or GPX file (no '.FIT' header signature and no XML)", path=name
        )
    if fmt == "tcx":
        raise UnsupportedFormatError(
            "TCX files are not supported yet; export FIT or GPX", path=name
        )
    if fmt == "xml":
        raise UnsupportedFormatError("XML but not GPX (the root element is not <gpx>)", path=name)
    return Loaded(data, name, fmt, compressed, hashlib.sha256(data).hexdigest())


def gzip_bytes(data: bytes) -> bytes:
    """Gzip ``data`` deterministically (mtime 0), e.g. to build a .fit.gz."""
    return gzip.compress(data, mtime=0)
