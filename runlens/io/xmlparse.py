"""Parse GPX and TCX bytes into an element tree, with lxml when it is installed.

lxml (libxml2, C) parses a track 4-5x faster than the standard library's
ElementTree and gives the same element API for what the readers use (``tag``,
``get``, ``text``, iteration, ``iter``). Its parser is configured to keep the
defences of :mod:`runlens.io.xmlsafe`, which still runs first and refuses any
DOCTYPE or entity declaration: entities are never resolved, no DTD is loaded or
validated, the network is never used, and libxml2's limits on node size and
depth stay on (``huge_tree`` off). Comments and processing instructions are
dropped, as ElementTree drops them, so both trees hold the same elements.
Without lxml the standard library parses.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import CorruptFileError

__all__ = ["parse_xml", "gc_paused"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a tree is walked.

    A walk creates tens of thousands of element objects and none of them forms
    a reference cycle; without the pause the collector runs its full
    collections over every live object several times a file (measured: 10-15 %
    of a GPX or TCX read). The previous state is restored.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


#: lxml parser settings of every XML read (the GPX and TCX defences): no entity
#: resolution, no DTD, no network, libxml2's size limits on; comments and processing
#: instructions dropped. runlens.io.xmlscan.well_formed checks a file with the same.
SAFE_PARSER: dict[str, bool] = {
    "resolve_entities": False,
    "load_dtd": False,
    "dtd_validation": False,
    "no_network": True,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


def parse_xml(data: bytes, name: str, what: str) -> Any:
    """The root element of XML ``data``.

    Raises
    ------
    CorruptFileError
        ``not a valid {what} file (Error parsing XML: ...)`` when the bytes are
        not well-formed XML.
    """
    try:
        from lxml import etree
    except ImportError:  # pragma: no cover - lxml is a dependency
        etree = None
    if etree is not None:
        # A parser per call: lxml parsers are not safe to share between threads.
        parser = etree.XMLParser(**SAFE_PARSER, collect_ids=False)
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as exc:
            raise CorruptFileError(
                f"not a valid {what} file (Error parsing XML: {exc})", path=name
            ) from None
        if root is None:  # pragma: no cover - lxml raises on an empty document
            raise CorruptFileError(f"not a valid {what} file (no root element)", path=name)
        return root
    import xml.etree.ElementTree as ET

    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise CorruptFileError(
            f"not a valid {what} file (Error parsing XML: {exc})", path=name
        ) from None
