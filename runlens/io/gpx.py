"""GPX, with the Garmin TrackPointExtension (v1: hr, cad, atemp; v2 adds
speed, course) under any namespace prefix, and the plain ``<power>``
extension Strava writes.

Two readers give the same Activity: :func:`decode_gpx_fast`, a single pass
over an lxml tree with the numbers converted as whole arrays (about 5x
faster than gpxpy), and :func:`decode_gpx`, gpxpy, the reference it is tested
against (tests/io/test_parity.py). Both feed :func:`_assemble`, so sorting,
cadence convention and warnings are shared. The fast reader hands any file it
is not sure to read like gpxpy (an unparseable number or time, a time zone it
does not know, odd point fields gpxpy validates) to gpxpy via
:class:`FastGpxRefused`.

GPX cadence (``cad``) is strides per minute when its median is below 120 and is
then doubled to steps per minute; otherwise it is taken as steps per minute.
The convention assumed is recorded on the Activity (evidence.md section 1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import CorruptFileError, NoRecordsError, NotAnActivityError, RunlensError
from ..model import FOOT_SPORTS, SUMMARY_KEYS, Activity, Records, Source
from ..units import median
from .xmlsafe import check_xml

__all__ = ["decode_gpx", "decode_gpx_fast", "gpx_sport", "STRAVA_TYPES", "FastGpxRefused"]

from .sports import STRAVA_TYPES, sport_name  # noqa: E402

# Extension element local name -> internal channel.
_EXT = {
    "hr": "hr",
    "heartrate": "hr",
    "heart_rate": "hr",
    "cad": "cad",
    "cadence": "cad",
    "runcadence": "cad",
    "atemp": "temp",
    "temp": "temp",
    "temperature": "temp",
    "speed": "speed",
    "power": "power",
    "watts": "power",
}
_CHANNELS = ("hr", "cad", "temp", "speed", "power")


class FastGpxRefused(RunlensError):
    """The fast GPX reader leaves this file to gpxpy (the reference)."""


def gpx_sport(text: str | None) -> str | None:
    """Map a GPX ``<type>`` to a FIT-style sport name (None if unknown).

    >>> gpx_sport("Running"), gpx_sport("9"), gpx_sport("Road cycling")
    ('running', 'running', 'cycling')
    """
    return sport_name(text)  # one sport mapper for every format (runlens.io.sports)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def _ext_values(exts: list[Any]) -> dict[str, float]:
    out: dict[str, float] = {}
    for ext in exts:
        for el in ext.iter():
            key = _EXT.get(_local(el.tag))
            if key is None or key in out or el.text is None:
                continue
            try:
                out[key] = float(el.text)
            except ValueError:
                pass
    return out


@dataclass
class _Track:
    """Track points of a GPX file as arrays, in file order (NaN where absent).

    ``t`` is Unix seconds as ``datetime.timestamp()`` gives them (NaN for a
    point without a usable time).
    """

    t: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    ele: np.ndarray
    ext: dict[str, np.ndarray]
    sport_text: str | None = None
    creator: str | None = None
    has_routes_or_waypoints: bool = False
    #: Warnings of values dropped point by point (runlens.io.times), and how
    #: many points lost their time that way.
    notes: list = None  # type: ignore[assignment]
    refused: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def _gpxpy_track(data: bytes, name: str) -> _Track:
    import gpxpy
    import gpxpy.gpx

    try:
        g = gpxpy.parse(data.decode("utf-8-sig", errors="replace"))
    except gpxpy.gpx.GPXException as exc:
        raise CorruptFileError(
            f"not a valid GPX file ({str(exc).splitlines()[0]})", path=name
        ) from None
    except Exception as exc:  # noqa: BLE001 - the XML layer raises many kinds
        raise CorruptFileError(
            f"not a valid GPX file ({type(exc).__name__}: {exc})", path=name
        ) from None

    t: list[float] = []
    bad_offsets: list[str] = []
    lat: list[float] = []
    lon: list[float] = []
    ele: list[float] = []
    ext: dict[str, list[float]] = {k: [] for k in _CHANNELS}
    sport_text = None
    for trk in g.tracks:
        sport_text = sport_text or trk.type
        for seg in trk.segments:
            for p in seg.points:
                t.append(_seconds(p.time, bad_offsets))
                lat.append(p.latitude if p.latitude is not None else np.nan)
                lon.append(p.longitude if p.longitude is not None else np.nan)
                ele.append(p.elevation if p.elevation is not None else np.nan)
                ev = _ext_values(p.extensions) if p.extensions else {}
                for k, lst in ext.items():
                    lst.append(ev.get(k, np.nan))
    from .times import screen_seconds

    secs, notes, n_refused = screen_seconds(np.asarray(t, dtype=float))
    if bad_offsets:
        notes.insert(0, f"{len(bad_offsets)} track point(s) with a UTC offset beyond +-14:00 "
                        f"(e.g. {bad_offsets[0]}) lost their time and were dropped")
    return _Track(
        t=secs,
        notes=notes,
        refused=n_refused + len(bad_offsets),
        lat=np.asarray(lat, dtype=float),
        lon=np.asarray(lon, dtype=float),
        ele=np.asarray(ele, dtype=float),
        ext={k: np.asarray(v, dtype=float) for k, v in ext.items()},
        sport_text=sport_text,
        creator=g.creator,
        has_routes_or_waypoints=bool(g.routes or g.waypoints),
    )


def _seconds(dt, bad_offsets: list[str]) -> float:
    """``dt.timestamp()``, NaN for no time or an offset no clock has (a point, not the file)."""
    if dt is None:
        return np.nan
    try:
        return dt.timestamp()
    except (ValueError, OverflowError):
        bad_offsets.append(str(getattr(dt, "tzinfo", "") or dt))
        return np.nan


# gpxpy's time format (gpxpy.gpxfield.RE_TIMESTAMP); a time it does not match is "no time".
_TIME_RE = re.compile(
    r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})[T ]([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})"
    r"(\.[0-9]{1,15})?(Z|[+-\u2212][0-9]{2}:?(?:[0-9]{2})?)?$"
)
# The common shape, which pandas parses exactly like gpxpy: 2026-09-07T04:30:00(.123)(Z|+02:00)
_PLAIN_TIME_RE = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$"
)
# Point fields that gpxpy converts and validates (a bad value fails the whole file there).
_CHECKED_FLOAT = frozenset(
    {"magvar", "geoidheight", "hdop", "vdop", "pdop", "ageofdgpsdata", "course", "speed"}
)
_CHECKED_INT = frozenset({"sat", "dgpsid"})
_FIX_VALUES = frozenset({"none", "2d", "3d", "dgps", "pps", "3"})
_CHECKED = sorted(_CHECKED_FLOAT | _CHECKED_INT | {"fix"})


def _unix_seconds(times: list[str | None], name: str, plain: bool = False) -> np.ndarray:
    """ISO 8601 strings -> Unix seconds exactly as ``datetime.timestamp()`` of gpxpy's value.

    Whole arrays: NumPy parses (pandas where NumPy cannot), the result is truncated to
    microseconds (gpxpy keeps six fraction digits) and divided like
    ``timedelta.total_seconds()``.
    """
    out = np.full(len(times), np.nan)
    idx = [i for i, s in enumerate(times) if s is not None]
    if not idx:
        return out
    strs = times if len(idx) == len(times) else [times[i] for i in idx]
    from .times import _plain_and_in_range, plain_ns

    # Plain times in range (one match a text; ``plain``: the caller knows) are parsed
    # by NumPy in one call.
    ns = plain_ns(strs) if plain or _plain_and_in_range(strs) else None  # type: ignore[arg-type]
    if ns is None and not all(map(_PLAIN_TIME_RE.match, strs)):  # type: ignore[arg-type]
        # Naive times (gpxpy reads them in the machine's zone), one-digit fields, a space
        # for "T", odd zones or text gpxpy would drop: leave the whole file to gpxpy.
        raise FastGpxRefused("a time not in the plain ISO 8601 form", path=name)
    if ns is None:
        import pandas as pd

        try:
            parsed = pd.to_datetime(pd.Series(strs), format="ISO8601", utc=True)
        except (ValueError, OverflowError) as exc:
            raise FastGpxRefused(f"unparseable time ({exc})", path=name) from None
        ns = parsed.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    us = ns // 1000  # floor, as gpxpy truncates the fraction to 6 digits
    out[np.asarray(idx)] = us / 1e6
    return out


def _floats(values: list, name: str, what: str) -> np.ndarray:
    try:
        return np.array(values, dtype=float)
    except (ValueError, TypeError):
        raise FastGpxRefused(f"an unparseable {what}", path=name) from None


def _first_per_point(owner: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Of ``rows`` (in document order), the first one of each point: (points, rows)."""
    pts, first = np.unique(owner[rows], return_index=True)
    return pts, rows[first]


def _column(
    n: int, pts: np.ndarray, texts: list, name: str, what: str, notes: list | None = None
) -> np.ndarray:
    """Texts of some points as a float column of n points (NaN elsewhere), converted at once.

    With ``notes``, a value that is not a number (``10,5``) or not finite
    (``NaN``, ``inf``) is dropped with one warning per column; the file is kept.
    """
    out = np.full(n, np.nan)
    if not pts.size:
        return out
    filled = [t if t is not None else "nan" for t in texts]
    if notes is None:
        out[pts] = _floats(filled, name, what)
        return out
    from .salvage import floats_or_nan

    out[pts], note = floats_or_nan(filled, [t is not None for t in texts], what)
    if note:
        notes.append(note)
    return out


def _fast_track(data: bytes, name: str) -> _Track:
    """Track points as arrays, numbers converted at once.

    Plain XML (:mod:`runlens.io.xmlscan`) of the shape watches write is read
    from its bytes by :func:`_scan_parts`, after libxml2 has checked the whole
    file without building a tree; any other file is parsed by lxml (C, 4x
    ElementTree's) and walked by :func:`_walk_parts` (libxml2's XPath was
    measured slower than this walk for the same columns: its descendant axis
    is quadratic, each predicate a pass).
    """
    got = _scan_parts(data)
    if got is not None:
        parts, sport_text, creator, has_rw = got
    else:
        from .xmlparse import gc_paused, parse_xml

        root = parse_xml(data, name, "GPX")
        is11 = root.get("version") == "1.1"  # gpxpy reads <type> and extensions only in GPX 1.1
        with gc_paused():
            parts = _walk_parts(root, is11, name)
        sport_text = None
        for trk in root:
            if is11 and sport_text is None and _loc(trk.tag) == "trk":
                for c in trk:
                    if _loc(c.tag) == "type":
                        sport_text = c.text or None
                        break
        creator = root.get("creator")
        has_rw = any(_loc(c.tag) in ("rte", "wpt") for c in root)
    n, lat, lon, times, ele, ext_parts = parts
    from .times import _plain_and_in_range, screen_time_texts

    # Offsets beyond +-14:00 and dates past 2261 lose their point, not the file.
    seconds = times if isinstance(times, np.ndarray) else None  # parsed from the bytes
    plain = seconds is not None or _plain_and_in_range(times)  # nothing to refuse
    if plain:
        notes, n_refused = [], 0
    else:
        times, notes, n_refused = screen_time_texts(times)
    ext = {k: np.full(n, np.nan) for k in _CHANNELS}
    for k, (kp, vals) in ext_parts.items():
        ext[k] = _column(n, kp, vals, name, f"<{k}>", notes)
    ele_col = _column(n, ele[0], ele[1], name, "<ele>", notes)
    return _Track(
        t=seconds if seconds is not None else _unix_seconds(times, name, plain),
        notes=notes,
        refused=n_refused,
        lat=_floats(lat, name, "latitude"),
        lon=_floats(lon, name, "longitude"),
        ele=ele_col,
        ext=ext,
        sport_text=sport_text,
        creator=creator,
        has_routes_or_waypoints=has_rw,
    )


#: Garmin's TrackPointExtension namespaces (v1: hr, cad, atemp; v2 adds speed, course).
_TPX_NS = (
    "http://www.garmin.com/xmlschemas/TrackPointExtension/v1",
    "http://www.garmin.com/xmlschemas/TrackPointExtension/v2",
)
#: Leaves of a TrackPointExtension: the channels first, then what else Garmin writes there.
_TPX_LEAVES = {"hr": "hr", "cad": "cad", "atemp": "temp", "speed": "speed",
               "course": None, "wtemp": None, "depth": None, "bearing": None}


def _scan_parts(data: bytes):
    """What :func:`_walk_parts` gives (and the track's ``<type>``, the creator,
    whether routes or waypoints are there), read from the bytes of a plain file
    whose points hold only ``<ele>``, ``<time>`` and ``<extensions>`` with one
    Garmin TrackPointExtension (v1 or v2) and a plain ``<power>``, each leaf
    once, in the document's namespace. None for any other file (the walk reads
    it: other spellings, namespaces or depths, the point fields gpxpy checks).
    """
    from .xmlscan import checked_scan

    sc = checked_scan(data)  # well-formed (libxml2) and plain (NumPy), checked at once
    if sc is None:
        return None
    g = sc.local(0)[0]
    attrs = sc.attrs(0)
    is11 = attrs.get("version") == "1.1"
    start = ~sc.is_end
    depth = sc.depth
    rows = np.arange(depth.size)

    def named(level_rows: np.ndarray, local: str) -> np.ndarray:
        """The rows among ``level_rows`` named ``local`` in the document's namespace."""
        mask = np.zeros(depth.size, dtype=bool)
        mask[level_rows[sc.named(sc.qnames(local, g), level_rows)]] = True
        return mask

    def ancestor(level: int) -> np.ndarray:
        at = np.where(start & (depth == level), rows, -1)
        return np.maximum.accumulate(at)

    # Tracks, segments, points: the canonical spelling, and no other element whose
    # local name the walk would take for one (it ignores namespaces).
    level1 = np.flatnonzero(start & (depth == 1))
    is_trk = named(level1, "trk")
    for i in level1[~is_trk[level1]].tolist():
        if sc.local(i)[1] == "trk":
            return None
    anc1, anc2, anc3 = ancestor(1), ancestor(2), ancestor(3)
    in_trk = (anc1 >= 0) & is_trk[np.maximum(anc1, 0)]
    level2 = np.flatnonzero(start & (depth == 2) & in_trk)
    is_seg = named(level2, "trkseg")
    sport_text = None
    done_trk: set[int] = set()
    for i in level2[~is_seg[level2]].tolist():
        local = sc.local(i)[1]
        if local == "trkseg":
            return None
        trk = int(anc1[i])
        if local == "type" and is11 and sport_text is None and trk not in done_trk:
            done_trk.add(trk)  # the first <type> of each track, until one has text
            sport_text = sc.texts(np.array([i]))[0] or None
    in_seg = (anc2 >= 0) & is_seg[np.maximum(anc2, 0)]
    level3 = np.flatnonzero(start & (depth == 3) & in_seg)
    is_pt = named(level3, "trkpt")
    for i in level3[~is_pt[level3]].tolist():
        if sc.local(i)[1] == "trkpt":
            return None
    pt_rows = np.flatnonzero(is_pt)
    n = pt_rows.size
    if not n:
        return None
    has_rw = False
    for i in level1[~is_trk[level1]].tolist():
        if sc.local(i)[1] in ("rte", "wpt"):
            has_rw = True
            break

    # Inside the points: only the shape the columns below assume.
    inside = start & (depth >= 4) & (anc3 >= 0) & is_pt[np.maximum(anc3, 0)]
    kids = np.flatnonzero(inside)
    owner = np.cumsum(is_pt)[anc3[kids]] - 1
    d = depth[kids]
    spec = [("ele", 4, sc.qnames("ele", g)), ("time", 4, sc.qnames("time", g)),
            ("extensions", 4, sc.qnames("extensions", g)), ("power", 5, sc.qnames("power", g)),
            ("tpe", 5, [q for ns in _TPX_NS for q in sc.qnames("TrackPointExtension", ns)])]
    spec += [(leaf, 6, [q for ns in _TPX_NS for q in sc.qnames(leaf, ns)]) for leaf in _TPX_LEAVES]
    names = [q for _, _, qs in spec for q in qs]
    which = sc.classify(names, kids)  # index into names, -1 for any other name
    group = np.array([j for j, (_, _, qs) in enumerate(spec) for _ in qs] + [-1], dtype=np.int32)
    level = np.array([lv for _, lv, _ in spec] + [-1], dtype=np.int32)
    g_of = group[which]  # which entry of spec each element is (-1: none)
    known = (g_of >= 0) & (level[g_of] == d)
    kinds = {key: np.flatnonzero(known & (g_of == j)) for j, (key, _, _) in enumerate(spec)}
    if not known.all():
        return None
    for key, k in kinds.items():
        if k.size and np.bincount(owner[k], minlength=n).max() > 1:
            return None  # a second <ele>, <extensions>, <hr>...: the walk takes the first
        if key not in ("extensions", "tpe") and k.size:
            r = kids[k]
            nxt = np.minimum(r + 1, sc.is_end.size - 1)
            if not (sc.is_empty[r] | sc.is_end[nxt]).all():
                return None  # a leaf holding an element

    # lat/lon of every point, from its start tag (per tag where it is not written
    # <trkpt lat="..." lon="...">).
    got = sc.attr_pair(pt_rows, "lat", "lon")
    if got is None:
        lat, lon = [], []
        for i in pt_rows.tolist():
            at = sc.attrs(i)
            lat.append(at.get("lat"))
            lon.append(at.get("lon"))
        if None in lat or None in lon:
            return None  # the walk refuses the file with its own message
    else:
        lat, lon = got

    # Times written alike, real and in range are parsed from the bytes (Unix seconds,
    # truncated to microseconds as gpxpy keeps them); other times stay texts.
    parsed = sc.present_times(kids[kinds["time"]])
    wanted = ["time"] if parsed is None else []
    wanted += ["ele", *((x for x, c in _TPX_LEAVES.items() if c) if is11 else ()),
               *(("power",) if is11 else ())]
    got = sc.present_texts_of([kids[kinds[key]] for key in wanted])
    col = {key: (owner[kinds[key]][has], texts) for key, (has, texts) in zip(wanted, got)}
    times: Any
    if parsed is not None:
        times = np.full(n, np.nan)
        times[owner[kinds["time"]][parsed[0]]] = (parsed[1] // 1000) / 1e6
    else:
        times = [None] * n
        tp, tt = col["time"]
        if tp.size == n:
            times = tt
        else:
            for i, t in zip(tp.tolist(), tt):
                times[i] = t
    ele = col["ele"]
    ext_parts = {}
    for leaf, key in (*((x, c) for x, c in _TPX_LEAVES.items() if c), ("power", "power")):
        if leaf in col and col[leaf][0].size:
            ext_parts[key] = col[leaf]
    return (n, lat, lon, times, ele, ext_parts), sport_text, attrs.get("creator"), has_rw


def _loc(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _walk_parts(root: Any, is11: bool, name: str):
    """The points' texts by a walk over the tree (lxml or ElementTree elements).

    Namespace prefixes are ignored. Every point's children are flattened into
    one list; which child is ``ele``, ``time`` or ``extensions`` is decided
    once per distinct tag, and "the first such child of each point" (what
    gpxpy's ``find`` returns) is one ``numpy.unique`` over point numbers.
    """
    loc = _loc
    pts: list = []
    for trk in root:
        if loc(trk.tag) != "trk":
            continue
        for seg in trk:
            if loc(seg.tag) == "trkseg":
                pts.extend(p for p in seg if loc(p.tag) == "trkpt")
    n = len(pts)
    lat = [p.get("lat") for p in pts]
    lon = [p.get("lon") for p in pts]
    if None in lat or None in lon:
        raise FastGpxRefused("a track point without lat/lon", path=name)

    kids = [c for p in pts for c in p]
    owner = np.repeat(np.arange(n), np.fromiter(map(len, pts), dtype=np.intp, count=n))
    kid_tags = [c.tag for c in kids]  # lxml builds a tag's string on each access: once
    kinds = {t: loc(t) for t in set(kid_tags)}
    kind = np.array([kinds[t] for t in kid_tags], dtype=object)

    def first(k: str) -> tuple[np.ndarray, np.ndarray]:
        return _first_per_point(owner, np.flatnonzero(kind == k))

    ele_pts, ele_rows = first("ele")
    time_pts, time_rows = first("time")
    times: list = [None] * n
    for i, r in zip(time_pts.tolist(), time_rows.tolist()):
        times[i] = kids[r].text

    ext_parts = {}
    if is11:
        ext_pts, ext_rows = first("extensions")
        exts = [kids[r] for r in ext_rows.tolist()]
        # Every element under each point's first <extensions>, flattened in one pass;
        # iter() yields the <extensions> element itself first, which marks its group.
        groups = [list(e.iter()) for e in exts]
        flat = [x for grp in groups for x in grp]
        if flat:
            sizes = np.fromiter(map(len, groups), dtype=np.intp, count=len(groups))
            sub_owner = np.repeat(ext_pts, sizes)
            tags = [x.tag for x in flat]
            keys = {t: _EXT.get(_local(t)) if isinstance(t, str) else None for t in set(tags)}
            sub_key = np.array([keys[t] for t in tags], dtype=object)
            for k in _CHANNELS:
                rows = np.flatnonzero(sub_key == k)
                if not rows.size:
                    continue
                texts = [flat[r].text for r in rows.tolist()]
                has = np.fromiter((t is not None for t in texts), bool, len(texts))
                kp, first = _first_per_point(sub_owner[rows], np.flatnonzero(has))
                if kp.size:
                    ext_parts[k] = (kp, [texts[i] for i in first.tolist()])

    for r in np.flatnonzero(np.isin(kind, _CHECKED)).tolist():
        _check_point_field(kinds[kid_tags[r]], kids[r].text, name)
    ele = (ele_pts, [kids[r].text for r in ele_rows.tolist()])
    return n, lat, lon, times, ele, ext_parts


def _check_point_field(field: str, text: str | None, name: str) -> None:
    """Refuse a point field gpxpy would refuse (a bad value fails the whole file there)."""
    if text is None:
        return
    try:
        if field in _CHECKED_INT:
            int(text)
        elif field == "fix":
            if text not in _FIX_VALUES:
                raise ValueError(text)
        else:
            float(text.strip())
    except ValueError:
        raise FastGpxRefused(f"an invalid <{field}>", path=name) from None


def decode_gpx_fast(data: bytes, name: str, sha256: str, compressed: bool) -> Activity:
    """Decode GPX bytes into an Activity, fast (see the module docstring).

    Raises
    ------
    FastGpxRefused
        A file to leave to :func:`decode_gpx`.
    CorruptFileError, NotAnActivityError, NoRecordsError, UnsupportedFormatError
        As :func:`decode_gpx`.
    """
    check_xml(data, name)
    return _assemble(_fast_track(data, name), data, name, sha256, compressed, "runlens-gpx")


def decode_gpx(data: bytes, name: str, sha256: str, compressed: bool) -> Activity:
    """Decode GPX bytes into an Activity with gpxpy (the reference reader).

    Raises
    ------
    CorruptFileError
        Not well-formed XML, or not parseable as GPX.
    NotAnActivityError
        Only routes or waypoints, no track.
    NoRecordsError
        Tracks without any timestamped point.
    UnsupportedFormatError
        XML with a DOCTYPE or entity declaration (see :mod:`runlens.io.xmlsafe`).
    """
    check_xml(data, name)
    return _assemble(_gpxpy_track(data, name), data, name, sha256, compressed, "gpxpy")


def _assemble(
    tr: _Track, data: bytes, name: str, sha256: str, compressed: bool, reader: str
) -> Activity:
    """The Activity of a decoded track (shared by both readers)."""
    n_points = len(tr.t)
    if n_points == 0:
        if tr.has_routes_or_waypoints:
            raise NotAnActivityError(
                "a GPX route or waypoint list, not a recorded track", path=name
            )
        raise NoRecordsError("GPX file with no track points", path=name)
    timed = np.isfinite(tr.t)
    n_timed = int(timed.sum())
    if n_timed == 0:
        if tr.refused and tr.notes:  # say what was there, not "no timestamps"
            raise NoRecordsError(
                f"GPX track of {n_points} points without a usable timestamp: "
                + "; ".join(tr.notes), path=name)
        m = re.search(rb"<(?:\w+:)?time>\s*([^<\s][^<]{0,39})", data)
        if m:  # times were written, but none can be read: say so, not "no timestamps"
            raise NoRecordsError(
                f"GPX track of {n_points} points whose times cannot be read "
                f"(e.g. {m.group(1).decode('utf-8', 'replace').strip()!r})", path=name)
        raise NoRecordsError(f"GPX track of {n_points} points without any timestamps", path=name)

    warnings = list(tr.notes or [])
    if n_timed + tr.refused < n_points:
        warnings.append(
            f"{n_points - n_timed - tr.refused} of {n_points} track points have no time "
            "and were dropped"
        )
    t = tr.t[timed]
    order = np.argsort(t, kind="stable")
    if (np.diff(t) < 0).any():
        warnings.append("track point times go backwards; points were put in time order")
    # Whole microseconds (GPX times carry at most what gpxpy keeps): no float residue.
    us = np.round(t[order] * 1e6).astype(np.int64)
    t_ns = us * 1000

    sport = gpx_sport(tr.sport_text)
    cols: dict[str, np.ndarray] = {}

    def put(key: str, values: np.ndarray) -> None:
        a = values[timed][order]
        if np.isfinite(a).any():
            cols[key] = a

    put("lat_deg", tr.lat)
    put("lon_deg", tr.lon)
    put("altitude_m", tr.ele)
    put("heart_rate_bpm", tr.ext["hr"])
    put("speed_m_s", tr.ext["speed"])
    put("power_w", tr.ext["power"])
    put("temperature_c", tr.ext["temp"])
    convention = "none"
    cad = tr.ext["cad"][timed][order]
    if np.isfinite(cad).any():
        if sport is None or sport in FOOT_SPORTS:
            moving = cad[np.isfinite(cad) & (cad > 0)]
            med = float(median(moving)) if moving.size else 0.0
            if med < 120:
                cols["cadence_spm"] = 2.0 * cad
                convention = "gpx-strides-doubled"
            else:
                cols["cadence_spm"] = cad
                convention = "gpx-steps"
        else:
            cols["cadence_rpm"] = cad

    return Activity(
        records=Records(t_ns, cols),
        source=Source(name, "gpx", sha256, len(data), compressed, reader),
        sport=sport,
        sub_sport=None,
        start=int(t_ns[0]),
        developer=Records(t_ns),
        device_summary={k: None for k in SUMMARY_KEYS},
        cadence_convention=convention,
        warnings=warnings,
        extra={"creator": tr.creator, "gpx_type": tr.sport_text},
    )
