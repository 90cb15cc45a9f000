"""XML attacks in GPX clothing: refused before any XML parser sees them."""

from __future__ import annotations

import resource
import time
import tracemalloc

import pytest

from runlens.errors import UnsafeXMLError, UnsupportedFormatError
from runlens.io.xmlsafe import check_xml

from .helpers import full_read, gpx, run_points

#: The classic "billion laughs": 10 levels of 10 references = 10^9 "lol" (3 GB) if expanded.
BILLION_LAUGHS = (
    '<!DOCTYPE gpx [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n"
)


def _bomb() -> bytes:
    return gpx(run_points(3), header=BILLION_LAUGHS).replace(b"<type>running", b"<type>&lol9;")


def test_billion_laughs_is_refused_fast_and_small():
    data = _bomb()
    assert b"&lol9;" in data and b"<!ENTITY lol9" in data
    full_read(gpx(run_points(3)))  # imports done first: time and memory are the bomb's alone
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    t = time.perf_counter()
    try:
        with pytest.raises(UnsafeXMLError) as exc:
            full_read(data)
        elapsed = time.perf_counter() - t
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 0.5
    assert peak < 2 * 2**20  # no expansion: the 3 GB never exist
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0 < 64 * 1024  # KiB
    assert str(exc.value) == (
        "<bytes>: XML with a DOCTYPE declaration refused (GPX needs none; it could expand "
        "entities or fetch external files)"
    )


def test_external_entity_is_refused_and_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("do not leak")
    header = f'<!DOCTYPE gpx [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
    data = gpx(run_points(3), header=header).replace(b"<type>running", b"<type>&xxe;")
    with pytest.raises(UnsafeXMLError, match="DOCTYPE declaration refused"):
        full_read(data)


def test_entity_declared_without_doctype_and_late_in_the_file():
    late = gpx(run_points(300)) + b'<!ENTITY x "y">'
    with pytest.raises(UnsafeXMLError, match="ENTITY declaration refused"):
        check_xml(late, "late.gpx")


def test_utf16_cannot_dodge_the_scan():
    data = _bomb().decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    for enc in ("utf-16", "utf-16-le", "utf-16-be"):
        with pytest.raises(UnsafeXMLError):
            check_xml(data.encode(enc), "u16.gpx")
        # And the reader refuses such a file either way.
        with pytest.raises(UnsupportedFormatError):
            full_read(data.encode(enc))


def test_plain_gpx_passes():
    check_xml(gpx(run_points(3)), "ok.gpx")
    assert len(full_read(gpx(run_points(3)), strict=True).records) == 3


def test_the_xml_parser_itself_resolves_no_entity_and_reads_no_file(tmp_path):
    """Behind check_xml, the parser (runlens.io.xmlparse, lxml) is configured safe too:
    a DOCTYPE that reached it would not load an external file nor expand entities."""
    from runlens.errors import CorruptFileError
    from runlens.io.xmlparse import parse_xml

    secret = tmp_path / "secret.txt"
    secret.write_text("do not leak")
    data = (
        f'<!DOCTYPE gpx [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        "<gpx><name>&xxe;</name></gpx>"
    ).encode()
    try:
        root = parse_xml(data, "x.gpx", "GPX")
    except CorruptFileError:
        return  # refused outright: nothing read either
    assert "do not leak" not in "".join(root.itertext())
    bomb = _bomb()
    t = time.perf_counter()
    try:
        root = parse_xml(bomb, "bomb.gpx", "GPX")
        assert sum(len(s) for s in root.itertext()) < 10**6  # never the 3 GB
    except CorruptFileError:
        pass
    assert time.perf_counter() - t < 0.5
