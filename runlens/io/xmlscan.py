"""The tags of plain XML bytes as NumPy arrays: a reader's fast path for GPX and TCX.

A 2-hour GPX holds about 65,000 elements. Building a tree of them (libxml2 or
ElementTree) and walking it in Python costs a Python object per element; this
scan finds every tag with a few whole-array passes over the bytes instead, and
turns only the texts a reader asks for into strings.

It is used only on **plain** XML, checked first, in which the bytes say
exactly what a parser would:

- the file is parsed by libxml2 without building a tree (:func:`well_formed`, run
  beside the scan by :func:`checked_scan`, whose answer needs both): it is
  well-formed, and it carries no DOCTYPE or entity declaration
  (:mod:`runlens.io.xmlsafe` refused those before);
- UTF-8 (or ASCII) text; no ``&`` (no entity or character reference), no
  ``<!`` (comment, CDATA) and no processing instruction after the XML
  declaration, no carriage return; so a text between two tags is the text a
  parser gives, byte for byte;
- as many ``>`` as ``<``: every ``>`` closes a tag (none in a text or an
  attribute value), so tags are the spans from each ``<`` to the next ``>``;
- namespace declarations only on the root element, so a tag's prefix means
  the same everywhere.

Anything else returns None from :func:`scan`, and the reader builds its tree as
before.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

__all__ = ["well_formed", "Scan", "scan", "checked_scan", "PARALLEL_CHECK_BYTES"]

#: From this size on, :func:`checked_scan` has libxml2 check the bytes in a second
#: thread while NumPy scans their tags: libxml2 parses without holding the GIL, so
#: on two cores the check costs no wait (a 3.3 MB TCX: 14.5 ms one after the other,
#: 8.3 ms at once). Smaller inputs are not worth a thread.
PARALLEL_CHECK_BYTES = 256 * 1024

_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)""")
_UTF8 = (b"utf-8", b"utf8", b"us-ascii", b"ascii")
_XMLNS = re.compile(rb"""\sxmlns(?::([^\s=/>]+))?\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ATTR = re.compile(rb"""\s([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
# Whitespace, '/' and '>': what ends a tag's name.
_ENDS_NAME = np.zeros(256, dtype=bool)
_ENDS_NAME[[9, 10, 13, 32, 47, 62]] = True


def well_formed(data: bytes) -> bool:
    """Whether libxml2 parses ``data`` without error, building no tree.

    The same parser settings as :func:`runlens.io.xmlparse.parse_xml`
    (entities, DTDs and the network off, libxml2's size limits on); a parser
    target with no callbacks makes libxml2 check the whole document without
    creating a node (about a quarter of the time of building the tree and
    freeing it).
    """
    from lxml import etree

    class _Nothing:
        def close(self) -> None:
            return None

    from .xmlparse import SAFE_PARSER

    parser = etree.XMLParser(target=_Nothing(), **SAFE_PARSER)
    try:
        etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return False
    return True


class Scan:
    """Every tag of a plain document, in document order (the XML declaration left out).

    Attributes
    ----------
    data : bytes
    lt, gt : ndarray
        Offsets of each tag's ``<`` and ``>``.
    is_end, is_empty : ndarray of bool
        ``</name>``; ``<name/>``. A start tag is neither.
    depth : ndarray
        For a start or empty tag, how many elements enclose it (the root: 0);
        for an end tag, the same as its start tag's.
    nsmap : dict
        Prefix (None: the default namespace) -> namespace URI, from the root.
    """

    def __init__(self, data: bytes, lt: np.ndarray, gt: np.ndarray, nsmap: dict) -> None:
        self.data = data
        self.a = np.frombuffer(data, dtype=np.uint8)
        self.lt = lt
        self.gt = gt
        self.nsmap = nsmap
        a = self.a
        self.is_end = a[lt + 1] == 47
        self.is_empty = a[gt - 1] == 47
        step = np.where(self.is_end, -1, np.where(self.is_empty, 0, 1)).astype(np.int32)
        after = np.cumsum(step, dtype=np.int32)
        # depth of an element: open elements before its start tag (for an end tag: after it)
        self.depth = np.where(self.is_end, after, after - step)
        self._name_at = at = lt + 1 + self.is_end
        self._ascii: str | None = None  # the document as text, when it is ASCII
        self._words: np.ndarray | None = None  # 8 bytes from each offset (see _same_bytes)
        # Where each name ends: at the '>' (or '/>') for a tag without attributes; for
        # the others (a quote or whitespace before the '>'), the first byte ending a name.
        end = gt - self.is_empty
        before = a[end - 1]
        slow = np.flatnonzero(_ENDS_NAME[before] | (before == 34) | (before == 39))
        #: Tags with attributes (or a space before their '>'): where a name ends early.
        self.attributed = slow
        if slow.size:
            pos = at[slow].copy()
            todo = np.arange(slow.size)
            last = a.size - 1
            while todo.size:
                stop = _ENDS_NAME[a[np.minimum(pos[todo], last)]]
                todo = todo[~stop]
                pos[todo] += 1
            end[slow] = pos
        self._name_len = ln = end - at
        # Name length, first and last byte in one integer (end tags: -1, never asked).
        last_byte = a[np.maximum(end - 1, at)].astype(np.int64)
        self._key = np.where(
            self.is_end, -1, (ln.astype(np.int64) << 16) | (a[at].astype(np.int64) << 8) | last_byte
        )

    def qnames(self, local: str, ns: str | None) -> list[bytes]:
        """The spellings (``prefix:local`` or ``local``) of (ns, local) in this document."""
        out = []
        for prefix, uri in self.nsmap.items():
            if uri == ns:
                out.append(local.encode() if prefix is None else f"{prefix}:{local}".encode())
        if ns is None and None not in self.nsmap:
            out.append(local.encode())
        return out

    def named(self, qnames: list[bytes], rows: np.ndarray | None = None) -> np.ndarray:
        """Whether each tag (of ``rows``, default all) is a start or empty tag named one
        of ``qnames`` exactly."""
        return self.classify(qnames, rows) >= 0

    def classify(self, qnames: list[bytes], rows: np.ndarray | None = None) -> np.ndarray:
        """For each tag (of ``rows``, default all): the index in ``qnames`` of its name
        (start and empty tags), or -1.

        A tag is compared byte by byte only with the names of its length, first and
        last byte (one integer compare a name), so the cost is about one pass over
        ``rows`` per name.
        """
        key = self._key if rows is None else self._key[rows]
        at = self._name_at if rows is None else self._name_at[rows]
        out = np.full(key.size, -1, dtype=np.int32)
        for j, q in enumerate(qnames):
            if not q:
                continue
            cand = np.flatnonzero(key == ((len(q) << 16) | (q[0] << 8) | q[-1]))
            if cand.size and len(q) > 2:
                cand = self._same_bytes(at[cand], q, cand)
            out[cand] = j
        return out

    def _same_bytes(self, at: np.ndarray, q: bytes, cand: np.ndarray) -> np.ndarray:
        """Of ``cand``, those whose name (at ``at``) has the middle bytes of ``q``:
        compared eight bytes at a time, as little-endian words read in place."""
        words = self._words
        if words is None:
            n = max(self.a.size - 7, 0)
            words = self._words = np.ndarray((n,), dtype="<u8", buffer=self.data, strides=(1,))
        for k in range(1, len(q) - 1, 8):
            chunk = q[k: min(k + 8, len(q) - 1)]
            pos = at + k
            if pos.size and int(pos.max()) >= words.size:  # the file's last bytes: one by one
                got = self.a[at[:, None] + np.arange(1, len(q) - 1)]
                keep = (got == np.frombuffer(q, dtype=np.uint8)[1:-1]).all(axis=1)
                return cand[keep]
            mask = np.uint64((1 << (8 * len(chunk))) - 1)
            keep = (words[pos] & mask) == np.uint64(int.from_bytes(chunk, "little"))
            cand, at = cand[keep], at[keep]
        return cand

    def name(self, i: int) -> str:
        """Tag ``i``'s name as written (with its prefix)."""
        m = re.match(rb"[^\s/>]+", self.data[int(self._name_at[i]): int(self.gt[i]) + 1])
        return m.group(0).decode("utf-8") if m else ""

    def local(self, i: int) -> tuple[str | None, str]:
        """Tag ``i``'s (namespace URI, local name); an undeclared prefix keeps its name whole."""
        q = self.name(i)
        prefix, _, local = q.rpartition(":")
        if not prefix:
            return self.nsmap.get(None), q
        if prefix not in self.nsmap:
            return None, q
        return self.nsmap[prefix], local

    def attrs(self, i: int) -> dict[str, str]:
        """The attributes of start tag ``i`` as a parser gives them (whitespace in a
        value becomes a space)."""
        tag = self.data[int(self.lt[i]): int(self.gt[i]) + 1]
        out = {}
        for m in _ATTR.finditer(tag):
            v = m.group(2) if m.group(2) is not None else m.group(3)
            out[m.group(1).decode("utf-8")] = _norm_attr(v.decode("utf-8"))
        return out

    def present_texts_of(self, groups: list[np.ndarray]) -> list[tuple[np.ndarray, list[str]]]:
        """For each array of rows: those whose element has a text (positions into the
        array) and the texts, with one decode for all."""
        lens = [self._text_len(r) for r in groups]
        has = [np.flatnonzero(ln > 0) for ln in lens]
        if not groups:
            return []
        s = np.concatenate([self.gt[r[h]] + 1 for r, h in zip(groups, has)])
        e = s + np.concatenate([ln[h] for ln, h in zip(lens, has)])
        texts = self.spans(s, e)
        out, at = [], 0
        for h in has:
            out.append((h, texts[at: at + h.size]))
            at += h.size
        return out  # type: ignore[return-value]

    def present_times(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """Of ``rows``, those whose element has a text (positions into ``rows``), and the
        texts as nanoseconds since 1970 UTC, parsed from the bytes.

        Only when every text is written alike, ``YYYY-MM-DDTHH:MM:SS``, an optional
        fraction of 1 to 9 digits, then ``Z`` or ``+HH:MM`` (one zone for all), is a
        real date and time (no 30 February, no 60th second) dated 1678-2261, with an
        offset within +-14:00: what the readers' text path accepts without a word.
        Anything else is None, and the texts decide.
        """
        ln = self._text_len(rows)
        has = np.flatnonzero(ln > 0)
        if not has.size:
            return has, np.empty(0, dtype=np.int64)
        width = int(ln[has[0]])
        if not 20 <= width <= 35 or (ln[has] != width).any():
            return None
        b = self.a[(self.gt[rows[has]] + 1)[:, None] + np.arange(width)]
        first = b[0]
        digit = (first >= 48) & (first <= 57)
        if not ((b[:, ~digit] == first[~digit]).all() and (b[:, digit] >= 48).all()
                and (b[:, digit] <= 57).all()):
            return None  # not one layout
        zone = 1 if first[-1] == 90 else 6  # 'Z' or +HH:MM
        frac_len = width - 19 - zone
        layout = b"dddd-dd-ddTdd:dd:dd"
        if frac_len:
            layout += b"." + b"d" * (frac_len - 1)
        layout += b"Z" if zone == 1 else first[-6:-5].tobytes() + b"dd:dd"
        expect = np.frombuffer(layout, dtype=np.uint8)
        if len(layout) != width or frac_len == 1 or frac_len > 10 or not (
            (expect == 100) == digit).all() or not (first[~digit] == expect[~digit]).all():
            return None
        if zone == 6 and first[-6] not in (43, 45):
            return None
        v = b.astype(np.int64) - 48

        def num(i: int, k: int) -> np.ndarray:
            out = v[:, i]
            for j in range(i + 1, i + k):
                out = out * 10 + v[:, j]
            return out

        year, month, day = num(0, 4), num(5, 2), num(8, 2)
        hour, minute, sec = num(11, 2), num(14, 2), num(17, 2)
        leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
        days_in = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(month, 0, 12)]
        days_in = days_in + ((month == 2) & leap)
        if not ((year >= 1678) & (year <= 2261) & (month >= 1) & (month <= 12) & (day >= 1)
                & (day <= days_in) & (hour <= 23) & (minute <= 59) & (sec <= 59)).all():
            return None
        off = 0
        if zone == 6:
            oh, om = num(width - 5, 2), num(width - 2, 2)
            if (om > 59).any() or (oh * 60 + om > 14 * 60).any():
                return None
            off = (oh * 3600 + om * 60) * (1 if first[-6] == 43 else -1)
        # days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil)
        y = year - (month <= 2)
        era = np.floor_divide(y, 400)
        yoe = y - era * 400
        doy = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
        doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
        days = era * 146097 + doe - 719468
        ns = (((days * 24 + hour) * 60 + minute) * 60 + sec - off) * 1_000_000_000
        if frac_len:
            ns = ns + num(20, frac_len - 1) * 10 ** (10 - frac_len)
        return has, ns

    def _text_len(self, rows: np.ndarray) -> np.ndarray:
        nxt = np.minimum(rows + 1, self.lt.size - 1)
        s = self.gt[rows] + 1
        return np.where(self.is_empty[rows] | (rows + 1 >= self.lt.size), s, self.lt[nxt]) - s

    def texts(self, rows: np.ndarray) -> list[str | None]:
        """The text right after each start tag of ``rows`` up to the next tag (lxml's
        ``.text`` of that element); None where there is none (or for an empty tag)."""
        if not rows.size:
            return []
        s = self.gt[rows] + 1
        return self.spans(s, s + self._text_len(rows))

    def spans(self, s: np.ndarray, e: np.ndarray, attribute: bool = False) -> list[str | None]:
        """``data[s:e]`` for each pair as text (None where empty), with one decode.

        ``attribute``: the spans are attribute values, whose tabs and newlines a
        parser gives as spaces.
        """
        n = s.size
        if not n:
            return []
        if self._ascii is None:
            self._ascii = self.data.decode("ascii") if self.data.isascii() else ""
        if self._ascii:  # offsets are characters: slice the decoded text
            text = self._ascii
            out = [text[i:j] or None for i, j in zip(s.tolist(), e.tolist())]
            if attribute:
                joined = "".join(v for v in out if v)
                if "\t" in joined or "\n" in joined:
                    out = [v.replace("\t", " ").replace("\n", " ") if v else v for v in out]
            return out
        ln = e - s
        total = int(ln.sum())
        # All texts in one buffer, each followed by NUL (no XML text holds one).
        buf = np.empty(total + n, dtype=np.uint8)
        ends = np.cumsum(ln + 1)
        starts = ends - ln - 1
        buf[ends - 1] = 0
        if total:
            k = np.arange(total, dtype=np.int64)
            dst = k + np.repeat(starts - (np.cumsum(ln) - ln), ln)
            buf[dst] = self.a[dst + np.repeat(s - starts, ln)]
        text = buf.tobytes().decode("utf-8")
        if attribute and ("\t" in text or "\n" in text):
            text = text.replace("\t", " ").replace("\n", " ")
        out: list[Any] = text.split("\x00")[:n]
        empty = np.flatnonzero(ln == 0)
        for i in empty.tolist():
            out[i] = None
        return out

    def attr_pair(self, rows: np.ndarray, first: str, second: str) -> tuple[list, list] | None:
        """The two attributes of start tags ``rows`` written exactly as
        ``<name first="..." second="...">`` (one space, double quotes, nothing else);
        None when any tag is written otherwise."""
        if not rows.size:
            return [], []
        a, lt, gt = self.a, self.lt[rows], self.gt[rows]
        quotes = np.flatnonzero(a == 34)
        k = np.searchsorted(quotes, lt)
        if k.max() + 4 > quotes.size:
            return None
        q0, q1, q2, q3 = (quotes[k + j] for j in range(4))
        after = quotes[np.minimum(k + 4, quotes.size - 1)]
        name_end = self._name_at[rows] + self._name_len[rows]
        head = f' {first}="'.encode()
        mid = f'" {second}="'.encode()
        ok = (
            (q0 - name_end == len(head) - 1)
            & (q2 - q1 == len(mid) - 1)
            & (q3 == gt - 1 - self.is_empty[rows])
            & ((k + 4 >= quotes.size) | (after > gt))
        )
        if not ok.all():
            return None
        hb = np.frombuffer(head, dtype=np.uint8)
        mb = np.frombuffer(mid, dtype=np.uint8)
        if not (a[name_end[:, None] + np.arange(hb.size)] == hb).all():
            return None
        if not (a[q1[:, None] + np.arange(mb.size)] == mb).all():
            return None
        vals = self.spans(np.concatenate([q0 + 1, q2 + 1]), np.concatenate([q1, q3]), True)
        if (q1 == q0 + 1).any() or (q3 == q2 + 1).any():  # an empty value is "", not None
            vals = [("" if v is None else v) for v in vals]
        return vals[: rows.size], vals[rows.size:]


def _norm_attr(v: str) -> str:
    return v.replace("\t", " ").replace("\n", " ") if ("\t" in v or "\n" in v) else v


def checked_scan(data: bytes) -> Scan | None:
    """:func:`scan` of ``data`` when :func:`well_formed` accepts it too, else None.

    Large inputs (:data:`PARALLEL_CHECK_BYTES`) are checked in a second thread while
    this one scans; the answer is the same as doing one after the other.
    """
    verdict: list[bool] = []

    def check() -> None:
        try:
            verdict.append(well_formed(data))
        except Exception:  # noqa: BLE001 - any failure of the check: not this path
            verdict.append(False)

    if len(data) < PARALLEL_CHECK_BYTES:
        sc = scan(data)
        if sc is not None:
            check()
        return sc if sc is not None and verdict == [True] else None
    import threading

    worker = threading.Thread(target=check, name="runlens-xml-check", daemon=True)
    worker.start()
    try:
        sc = scan(data)
    finally:
        worker.join()
    return sc if sc is not None and verdict == [True] else None


def scan(data: bytes) -> Scan | None:
    """The tags of ``data`` when it is plain XML (see the module docstring), else None.

    Whether the bytes are well-formed is :func:`well_formed`'s to say: use
    :func:`checked_scan`, which asks both.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        pass  # a UTF-8 byte-order mark: offsets stay those of ``data``
    elif b"\x00" in data[:4] or data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None
    m = _DECLARED.match(data.removeprefix(b"\xef\xbb\xbf")[:200])
    if m and m.group(1).strip().lower().replace(b"_", b"-") not in _UTF8:
        return None
    if b"&" in data or b"\r" in data:
        return None
    a = np.frombuffer(data, dtype=np.uint8)
    lt = np.flatnonzero(a == 60)
    gt = np.flatnonzero(a == 62)
    if lt.size < 1 or lt.size != gt.size or (gt < lt).any() or (lt[1:] < gt[:-1]).any():
        return None
    after_lt = a[lt + 1]
    if (after_lt == 33).any():  # '<!': a comment, CDATA (a DOCTYPE was refused before)
        return None
    pis = np.flatnonzero(after_lt == 63)  # '<?'
    if pis.size:
        if pis.size > 1 or pis[0] != 0:
            return None
        lt, gt = lt[1:], gt[1:]
        if not lt.size:
            return None
    root_tag = data[int(lt[0]): int(gt[0]) + 1]
    nsmap: dict[Any, str] = {}
    for mm in _XMLNS.finditer(root_tag):
        uri = mm.group(2) if mm.group(2) is not None else mm.group(3)
        prefix = mm.group(1).decode("utf-8") if mm.group(1) else None
        nsmap[prefix] = _norm_attr(uri.decode("utf-8"))
    if nsmap.get(None) == "":
        del nsmap[None]
    sc = Scan(data, lt, gt, nsmap)
    # A namespace declared below the root would change what a prefix means. It is an
    # attribute, so only tags with attributes can hold one: looked for in those when
    # they are few, else in the whole text.
    rest = sc.attributed[sc.attributed > 0]
    if rest.size > 2000:
        found = data.find(b"xmlns", int(gt[0])) >= 0
    else:
        found = b"xmlns" in b"".join(data[i:j] for i, j in zip(lt[rest].tolist(), gt[rest].tolist()))
    return None if found else sc
