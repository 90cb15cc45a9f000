"""Checks that a file is a real PNG or PDF, read from its bytes."""

from __future__ import annotations

import re
import struct
from pathlib import Path

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_info(path: Path) -> tuple[int, int, dict[str, bytes]]:
    """(width px, height px, text chunks) of a PNG; AssertionError if it is not one.

    The image is also decoded with matplotlib, so a broken body fails too.
    """
    data = Path(path).read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    w, h = struct.unpack(">II", data[16:24])
    texts = {}
    pos = 8
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        if kind in (b"tEXt", b"iTXt", b"zTXt"):
            key, _, val = data[pos + 8 : pos + 8 + n].partition(b"\0")
            texts[key.decode("latin-1")] = val
        pos += 12 + n
    assert data.endswith(b"IEND\xaeB`\x82"), "PNG truncated"
    import matplotlib.image

    img = matplotlib.image.imread(path)
    assert img.shape[:2] == (h, w)
    return w, h, texts


def pdf_pages(path: Path) -> int:
    """Number of page objects of a PDF (``/Type /Page``, not ``/Pages``).

    matplotlib writes uncompressed object dictionaries, so counting them in the
    bytes is exact without a PDF library.
    """
    data = Path(path).read_bytes()
    assert data[:5] == b"%PDF-", f"{path} is not a PDF"
    assert data.rstrip().endswith(b"%%EOF"), "PDF truncated"
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", data))
