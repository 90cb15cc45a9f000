"""TCX: Garmin TrainingCenterDatabase v2 with the ActivityExtension v2.

What is read, under any namespace prefix (or none):

- every ``<Activity Sport="...">`` under ``<Activities>`` (a
  ``<MultiSportSession>``'s too), each one a session of the Activity; the
  ``Sport`` attribute (``Running``, ``Biking``, ``Other``) is its sport;
- every ``<Lap StartTime=...>`` with its totals (``TotalTimeSeconds``,
  ``DistanceMeters``, ``MaximumSpeed``, average heart rate, ``Cadence``, and
  the ``LX`` extension's ``AvgSpeed``, ``AvgRunCadence``, ``AvgWatts``) as a
  lap with its device summary; the laps' totals are the file's own oracle;
- every ``<Trackpoint>``: ``Time``, position, ``AltitudeMeters``,
  ``DistanceMeters`` (cumulative), ``HeartRateBpm``, ``Cadence`` and the
  ``TPX`` extension's ``Speed``, ``RunCadence`` and ``Watts``;
- a break between two ``<Track>`` elements of a lap (how Garmin writes a
  timer stop) as a pause; and, as TCX has no timer events, in a lap that lasts
  longer than its ``TotalTimeSeconds`` (an auto-pause), its longest sample
  gaps up to that excess (:func:`_auto_pauses`);
- ``<Creator>`` (``Name``, ``Version``) as the device.

Every activity is read, each one a session; those that are hours or days
apart (a file exported with several days in it) are separate runs, which
:func:`runlens.io.read_all` gives one by one (:mod:`runlens.io.events`). A file with only ``<Courses>`` or ``<Workouts>`` is a
plan, not a recording (:class:`~runlens.errors.NotAnActivityError`).

Cadence of a foot sport (``RunCadence``, or a ``Cadence`` of a run) is strides
per minute in Garmin's writers and steps per minute in some others: as for
GPX, a median below 120 is taken as strides and doubled (recorded as
``"tcx-strides-doubled"``), otherwise as steps (``"tcx-steps"``); evidence.md
section 1. For other sports cadence is ``cadence_rpm``.

The same XML defences as GPX apply first (:mod:`runlens.io.xmlsafe`: no
DOCTYPE, no entities). Points are gathered with whole-list operations as in
the fast GPX reader; values are converted as arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import CorruptFileError, NoRecordsError, NotAnActivityError
from ..model import FOOT_SPORTS, SUMMARY_KEYS, Activity, Device, Pause, Records, Segment, Source
from ..units import median
from .events import EVENT_GAP_S
from .xmlsafe import check_xml

__all__ = ["decode_tcx", "tcx_sport", "SESSION_GAP_S", "STRIDES_BELOW_SPM", "AUTO_PAUSE_MIN_S"]

#: Two <Activity> elements further apart than this (s) are separate runs (one
#: definition for every format: :data:`runlens.io.events.EVENT_GAP_S`).
SESSION_GAP_S = EVENT_GAP_S
#: A foot-sport cadence whose median (moving samples) is below this is strides/min.
STRIDES_BELOW_SPM = 120.0
#: A break between two <Track> elements of a lap shorter than this (s) is no pause.
_MIN_PAUSE_S = 1.0
#: A lap lasting this much (s) longer than its TotalTimeSeconds had its timer stopped.
AUTO_PAUSE_MIN_S = 3.0

# Trackpoint leaf local name -> channel.
_POINT = {
    "time": "time",
    "latitudedegrees": "lat",
    "longitudedegrees": "lon",
    "altitudemeters": "ele",
    "distancemeters": "dist",
    "cadence": "cad",
    "runcadence": "runcad",
    "speed": "speed",
    "watts": "power",
}
_NUMERIC = ("lat", "lon", "ele", "dist", "cad", "runcad", "speed", "power", "hr")


def tcx_sport(text: str | None) -> str | None:
    """Map a TCX ``Sport`` attribute to a FIT-style sport name.

    ``Other`` stays ``"other"``: the file says it is neither a run nor a ride.

    >>> tcx_sport("Running"), tcx_sport("Biking"), tcx_sport("Other"), tcx_sport(None)
    ('running', 'cycling', 'other', None)
    """
    from .sports import sport_name

    return sport_name(text)  # one sport mapper for every format


def _loc(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _child(el: Any, name: str) -> Any:
    for c in el:
        if _loc(c.tag) == name:
            return c
    return None


def _num(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        v = float(text)
    except ValueError:
        return None
    return v if np.isfinite(v) else None


def _floats(vals: list[str | None]) -> np.ndarray:
    """Texts as floats, NaN for a missing one or one that is not a number."""
    arr = np.full(len(vals), np.nan)
    has = [i for i, v in enumerate(vals) if v is not None]
    if has:
        got = [vals[i] for i in has]
        try:
            conv = np.array(got, dtype=float)
        except ValueError:  # a value that is not a number: that one is missing
            conv = np.array([_num(v) for v in got], dtype=float)
        arr[np.asarray(has)] = conv
    return arr


def _times(
    texts: list[str | None], name: str, notes: list[str] | None = None
) -> tuple[np.ndarray, bool]:
    """ISO 8601 texts -> Unix seconds (NaN where absent); and whether any was naive.

    A time with an offset beyond +-14:00 or dated past what a time stamp holds
    is NaN, with a warning in ``notes`` (runlens.io.times): it must not wrap round.
    """
    from .times import _plain_and_in_range, plain_ns, screen_time_texts

    out = np.full(len(texts), np.nan)
    if _plain_and_in_range(texts):  # nothing to refuse, every time plain: NumPy parses
        idx = [i for i, s in enumerate(texts) if s]
        if not idx:
            return out, False
        strs = texts if len(idx) == len(texts) else [texts[i] for i in idx]
        ns = plain_ns(strs)  # type: ignore[arg-type]
        if ns is not None:
            out[np.asarray(idx)] = ns / 1e9
            return out, False
    import pandas as pd

    texts, why, _ = screen_time_texts(texts, "trackpoint")
    if notes is not None:
        notes.extend(why)
    idx = [i for i, s in enumerate(texts) if s]
    if not idx:
        return out, False
    strs = pd.Series([texts[i].strip() for i in idx])  # type: ignore[union-attr]
    naive = ~strs.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True)
    try:
        parsed = pd.to_datetime(strs, format="ISO8601", utc=True, errors="coerce")
    except (ValueError, OverflowError) as exc:
        raise CorruptFileError(f"not a valid TCX file (bad <Time>: {exc})", path=name) from None
    ns = parsed.to_numpy(dtype="datetime64[ns]")
    ok = ~np.isnat(ns)
    vals = np.full(len(idx), np.nan)
    vals[ok] = ns[ok].astype(np.int64) / 1e9
    out[np.asarray(idx)] = vals
    return out, bool(naive.any())


def _offset_s(texts: list[str | None]) -> int | None:
    """The UTC offset the times are written in, when they carry one other than Z."""
    import re

    for s in texts:
        if s:
            m = re.search(r"([+-])(\d\d):?(\d\d)$", s.strip())
            if not m:
                return None
            sign = 1 if m.group(1) == "+" else -1
            return sign * (int(m.group(2)) * 3600 + int(m.group(3)) * 60)
    return None


#: An element's start tag: its name (with any prefix) follows the ``<``.
_START_TAG = None
#: The XML declaration's encoding, when it names one.
_DECLARED = None


def _leaf_tags(data: bytes) -> dict[str, str] | None:
    """lxml tag filters (``{*}Name``) for every spelling of a trackpoint leaf the file
    uses, each with its channel (and of the trackpoint itself, ``"trackpoint"``);
    None when the bytes are not UTF-8 (or ASCII) text.

    Names are matched as :func:`_loc` matches them (local name, any case, any
    namespace); the file's own spellings are taken from its start tags, so the
    walk can ask libxml2 for exactly those elements instead of visiting all.
    """
    import re

    global _START_TAG, _DECLARED
    if _START_TAG is None:
        _START_TAG = re.compile(rb"<([^\s/>!?]+)")
        _DECLARED = re.compile(rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)""")
    if b"\x00" in data[:4] or data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None  # UTF-16 or UTF-32
    m = _DECLARED.match(data[:200])
    if m and m.group(1).strip().lower().replace(b"_", b"-") not in (b"utf-8", b"utf8", b"us-ascii", b"ascii"):
        return None
    out: dict[str, str] = {}
    for q in set(_START_TAG.findall(data)):
        try:
            local = q.rsplit(b":", 1)[-1].decode("utf-8")
        except UnicodeDecodeError:
            return None
        low = local.lower()
        key = "hr" if low == "value" else "trackpoint" if low == "trackpoint" else _POINT.get(low)
        if key is not None:
            out["{*}" + local] = key
    return out


def _points(
    act: Any, leaf_tags: dict[str, str] | None = None
) -> tuple[list[Any], np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Trackpoints of one <Activity>: (points, lap number, track number, raw channel texts).

    With ``leaf_tags`` (:func:`_leaf_tags`), libxml2 yields each point's leaves
    of those names in document order and only they become Python objects;
    without, each point's subtree is flattened into one list (``iter()``
    yields the point itself first, which marks where its group starts). Either
    way a channel's text is that of the first such leaf in the point's subtree.
    """
    pts: list[Any] = []
    lap_of: list[int] = []
    trk_of: list[int] = []
    tracks: list[tuple[Any, int, int, bool]] = []  # track, first point, points, only points
    k_trk = 0
    laps = [c for c in act if _loc(c.tag) == "lap"]
    for k_lap, lap in enumerate(laps):
        for trk in lap:
            if _loc(trk.tag) != "track":
                continue
            children = list(trk)
            tps = [p for p in children if _loc(p.tag) == "trackpoint"]
            tracks.append((trk, len(pts), len(tps), len(tps) == len(children)))
            pts.extend(tps)
            lap_of.extend([k_lap] * len(tps))
            trk_of.extend([k_trk] * len(tps))
            k_trk += 1
    n = len(pts)
    texts: dict[str, list[Any]] = {k: [None] * n for k in ("time", *_NUMERIC)}
    if n and leaf_tags is not None:
        texts = _leaf_texts(pts, tracks, leaf_tags, texts)
    elif n:
        # Each point's subtree, sized by list length (no identity test per element).
        groups = [list(p.iter()) for p in pts]
        flat = [x for grp in groups for x in grp]
        owner = np.repeat(np.arange(n), np.fromiter(map(len, groups), dtype=np.intp, count=n))
        tags = [x.tag for x in flat]
        names = {t: _loc(t) for t in set(tags)}
        loc = np.array([names[t] for t in tags], dtype=object)
        # <HeartRateBpm><Value>: the only <Value> inside a trackpoint.
        loc[loc == "value"] = "hr"
        for leaf, key in (*_POINT.items(), ("hr", "hr")):
            rows = np.flatnonzero(loc == leaf)
            if not rows.size:
                continue
            pts_k, first = np.unique(owner[rows], return_index=True)
            col = texts[key]
            for i, r in zip(pts_k.tolist(), rows[first].tolist()):
                col[i] = flat[r].text
    arrays = {}
    for k in _NUMERIC:
        arrays[k] = _floats(texts[k])
    arrays["time_text"] = np.array(texts["time"], dtype=object)
    return pts, np.asarray(lap_of, dtype=int), np.asarray(trk_of, dtype=int), arrays


def _leaf_texts(pts, tracks, leaf_tags, texts):
    """Each point's channel texts, from the leaves libxml2 yields by name (``leaf_tags``).

    A track whose children are all trackpoints, none holding another, is read in one
    pass: every leaf between a point's start and the next point's is inside that
    point. Other tracks are read point by point.
    """
    unset = object()
    texts = {k: [unset] * len(pts) for k in texts}
    point = object()  # marks a trackpoint in the pass
    col_of = {t[3:]: point if k == "trackpoint" else texts[k] for t, k in leaf_tags.items()}
    by_tag: dict[str, Any] = {}  # the element's tag as lxml gives it -> column (or point)
    leaves = [t for t, k in leaf_tags.items() if k != "trackpoint"]
    names = list(leaf_tags)

    def column(tag: str) -> Any:
        col = by_tag[tag] = col_of[tag.rpartition("}")[2]]
        return col

    for trk, start, count, only_points in tracks:
        if not count:
            continue
        end = start + count
        if only_points:
            i = start - 1
            for x in trk.iterdescendants(*names):
                tag = x.tag
                col = by_tag.get(tag) or column(tag)
                if col is point:
                    i += 1
                    if i == end:  # more points than the track's own: one holds another
                        break
                elif i >= start and col[i] is unset:  # the first in the point's subtree
                    col[i] = x.text
            if i == end - 1:
                continue
            for col in texts.values():  # a point holds another: read point by point
                col[start:end] = [unset] * count
        for i in range(start, end):
            for x in pts[i].iterdescendants(*leaves):
                tag = x.tag
                col = by_tag.get(tag) or column(tag)
                if col[i] is unset:
                    col[i] = x.text
    return {k: [None if v is unset else v for v in col] for k, col in texts.items()}


#: The TCX ActivityExtension v2 namespace (TPX: Speed, RunCadence, Watts).
_AX_NS = "http://www.garmin.com/xmlschemas/ActivityExtension/v2"
#: A trackpoint's elements in the shape Garmin writes: (name, depth below the point,
#: parent, in the extension namespace, channel). Leaves hold text only.
_SHAPE = (
    ("Time", 1, None, False, "time"),
    ("Position", 1, None, False, None),
    ("AltitudeMeters", 1, None, False, "ele"),
    ("DistanceMeters", 1, None, False, "dist"),
    ("HeartRateBpm", 1, None, False, None),
    ("Cadence", 1, None, False, "cad"),
    ("SensorState", 1, None, False, None),
    ("Extensions", 1, None, False, None),
    ("LatitudeDegrees", 2, "Position", False, "lat"),
    ("LongitudeDegrees", 2, "Position", False, "lon"),
    ("Value", 2, "HeartRateBpm", False, "hr"),
    ("TPX", 2, "Extensions", True, None),
    ("Speed", 3, "TPX", True, "speed"),
    ("RunCadence", 3, "TPX", True, "runcad"),
    ("Watts", 3, "TPX", True, "power"),
)
_CONTAINERS = frozenset(("Position", "HeartRateBpm", "Extensions", "TPX"))
_KIND = {local: j for j, (local, *_) in enumerate(_SHAPE)}


class _Plan:
    """A plain TCX read from its bytes: every track's trackpoints as columns, and the
    document without them (``reduced``: each emptied ``<Track>`` holds its number
    as text) for lxml to parse the laps, activities and creator from.
    """

    def __init__(self, reduced: bytes, tag: str, tracks: list, cols: dict, n: int) -> None:
        self.reduced = reduced
        self.track_tag = tag
        self.tracks = tracks  # (first point, points) of each emptied track, in order
        self.cols = cols
        self.n = n
        self._floats: dict[str, np.ndarray | None] = {}
        #: Unix seconds of every point when its time was parsed from the bytes (else None),
        #: and then (the points with a time, ascending; the text of the i-th of them).
        self.time_s: np.ndarray | None = None
        self.first_time: tuple | None = None

    def _column(self, k: str) -> np.ndarray | None:
        """Channel ``k`` of every point as floats, when every present text is a number."""
        if k not in self._floats:
            pos, texts = self.cols[k]
            arr = np.full(self.n, np.nan)
            if pos.size:
                try:
                    arr[pos] = np.array(texts, dtype=float)
                except ValueError:
                    arr = None  # converted per activity, as the walk does
            self._floats[k] = arr
        return self._floats[k]

    def _texts(self, k: str) -> list:
        """Channel ``k``'s text of every point (None where it has none)."""
        pos, texts = self.cols[k]
        if pos.size == self.n:
            return texts
        col: list = [None] * self.n
        for i, t in zip(pos.tolist(), texts):
            col[i] = t
        return col

    def points(self, acts: list[Any]) -> list | None:
        """(lap number, track number, channel arrays) of each activity, as
        :func:`_points` gives them; None if the tree holds a track this plan did not
        empty, or the bounds of :func:`_bounded` would cut the file."""
        from .bounds import MAX_MESSAGES

        if len(acts) > MAX_MESSAGES["session"]:
            return None
        laps_of = [[c for c in act if _loc(c.tag) == "lap"] for act in acts]
        if sum(map(len, laps_of)) > MAX_MESSAGES["lap"]:
            return None
        out = []
        for laps in laps_of:
            lap_of: list[int] = []
            trk_of: list[int] = []
            idx: list[np.ndarray] = []
            k_trk = 0
            for k_lap, lap in enumerate(laps):
                for trk in lap:
                    if _loc(trk.tag) != "track":
                        continue
                    if trk.tag != self.track_tag or len(trk):
                        return None  # another spelling, or points this plan did not take
                    text = trk.text
                    count = 0
                    if text and not text.isspace():
                        first, count = self.tracks[int(text)]
                        idx.append(np.arange(first, first + count))
                    lap_of.extend([k_lap] * count)
                    trk_of.extend([k_trk] * count)
                    k_trk += 1
            at = np.concatenate(idx) if idx else np.empty(0, dtype=np.intp)
            arrays = {}
            for k in _NUMERIC:
                full = self._column(k)
                if full is not None:
                    arrays[k] = full[at]
                    continue
                col = self._texts(k)
                arrays[k] = _floats([col[i] for i in at.tolist()])
            if self.time_s is not None:
                arrays["time_s"] = self.time_s[at]
                # The times as texts serve only to find the first one's UTC offset
                # (_offset_s): that one text, in its place, the others left None.
                timed, text_of = self.first_time
                arrays["time_text"] = np.full(at.size, None, dtype=object)
                k = np.flatnonzero(np.isin(at, timed))
                if k.size:
                    arrays["time_text"][k[0]] = text_of(int(np.searchsorted(timed, at[k[0]])))
                out.append((np.asarray(lap_of, dtype=int), np.asarray(trk_of, dtype=int), arrays))
                continue
            times = self._texts("time")
            if at.size == self.n:  # one activity: every point, in order
                arrays["time_text"] = np.array(times, dtype=object)
            else:
                arrays["time_text"] = np.array([times[i] for i in at.tolist()], dtype=object)
            out.append((np.asarray(lap_of, dtype=int), np.asarray(trk_of, dtype=int), arrays))
        return out


def _scan_plan(data: bytes) -> _Plan | None:
    """The :class:`_Plan` of a plain TCX (:mod:`runlens.io.xmlscan`) whose tracks hold
    only trackpoints of the shape in :data:`_SHAPE` (each element at most once a
    point, in the document's namespace and the ActivityExtension's); None for any
    other file, which is parsed and walked whole.
    """
    from .xmlscan import checked_scan

    sc = checked_scan(data)  # well-formed (libxml2) and plain (NumPy), checked at once
    if sc is None:
        return None
    t_ns = sc.local(0)[0]
    start = ~sc.is_end
    depth = sc.depth
    rows = np.arange(depth.size)
    anc_cache: dict[int, np.ndarray] = {}

    def anc(level: int) -> np.ndarray:
        got = anc_cache.get(level)
        if got is None:
            got = anc_cache[level] = np.maximum.accumulate(
                np.where(start & (depth == level), rows, -1))
        return got

    def named(local: str, ns: str | None) -> np.ndarray:
        return start & sc.named(sc.qnames(local, ns))

    def child_of(parent: np.ndarray, levels: np.ndarray) -> np.ndarray:
        out = np.zeros(rows.size, dtype=bool)
        for lv in np.unique(levels).tolist():
            a = anc(lv)
            out |= start & (depth == lv + 1) & (a >= 0) & parent[np.maximum(a, 0)]
        return out

    is_track = named("Track", t_ns) & ~sc.is_empty
    in_track = child_of(is_track, depth[is_track])
    if not sc.named(sc.qnames("Trackpoint", t_ns), np.flatnonzero(in_track)).all():
        return None  # a track holding something else: the walk reads it
    pt = in_track  # every child of a track is a trackpoint
    pt_rows = np.flatnonzero(pt)
    n = pt_rows.size
    if not n:
        return None
    # Inside the points: the shape of _SHAPE only, each element once a point.
    pt_depths = np.unique(depth[pt_rows])
    inside = np.zeros(rows.size, dtype=bool)
    owner_row = np.full(rows.size, -1)
    for lv in pt_depths.tolist():
        a = anc(lv)
        here = start & (depth > lv) & (a >= 0) & pt[np.maximum(a, 0)]
        inside |= here
        owner_row[here] = a[here]
    kids = np.flatnonzero(inside)
    rel = depth[kids] - depth[owner_row[kids]]
    owner = np.cumsum(pt)[owner_row[kids]] - 1
    # each element's entry in _SHAPE, its name compared only with those of its depth
    entry = np.full(kids.size, -1, dtype=np.int32)
    for level in (1, 2, 3):
        at_level = np.flatnonzero(rel == level)
        idx = [j for j, shape in enumerate(_SHAPE) if shape[1] == level]
        qnames = [sc.qnames(_SHAPE[j][0], _AX_NS if _SHAPE[j][3] else t_ns) for j in idx]
        which = sc.classify([q for qs in qnames for q in qs], kids[at_level])
        entry[at_level] = np.array([j for j, qs in zip(idx, qnames) for _ in qs] + [-1],
                                   dtype=np.int32)[which]
    if (entry < 0).any():
        return None  # an element the shape does not hold (or deeper than it)
    # each kind's rows (into kids), in document order: one stable sort
    order = np.argsort(entry, kind="stable")
    cuts = np.searchsorted(entry[order], np.arange(len(_SHAPE) + 1))
    kinds = {local: order[cuts[j]: cuts[j + 1]] for j, (local, *_) in enumerate(_SHAPE)}
    # an element's parent: the nearest element one level up before it (among kids)
    at = np.arange(kids.size)
    up = {lv: np.maximum.accumulate(np.where(rel == lv, at, -1)) for lv in (1, 2)}
    for local, level, parent, _, _ in _SHAPE:
        k = kinds[local]
        if k.size and (rel[k] != level).any():
            return None  # at another depth than the shape's
        if parent is not None and k.size:
            par = up[level - 1][k]
            if (par < 0).any() or (entry[np.maximum(par, 0)] != _KIND[parent]).any():
                return None  # under another parent: not this shape
    last = sc.is_end.size - 1
    for local, k in kinds.items():
        if not k.size:
            continue
        if np.bincount(owner[k], minlength=n).max() > 1:
            return None  # an element twice in a point: the walk takes the first in the subtree
        if local not in _CONTAINERS:
            r = kids[k]
            if not (sc.is_empty[r] | sc.is_end[np.minimum(r + 1, last)]).all():
                return None  # a leaf holding an element
    # Times written alike, real and in range are parsed from the bytes (seconds); then
    # only the first one of an activity is needed as text (its UTC offset).
    parsed = sc.present_times(kids[kinds["Time"]])
    time_s = first_time = None
    if parsed is not None:
        time_s = np.full(n, np.nan)
        has_time = owner[kinds["Time"]][parsed[0]]
        time_s[has_time] = parsed[1] / 1e9
        rows_time = kids[kinds["Time"]][parsed[0]]
        first_time = (has_time, lambda i: sc.texts(rows_time[i: i + 1])[0])
    leaves = [(local, key) for local, _, _, _, key in _SHAPE
              if key is not None and not (key == "time" and parsed is not None)]
    got = sc.present_texts_of([kids[kinds[local]] for local, _ in leaves])
    # each channel: (its points, in order: each element is once a point at most; texts)
    cols = {key: (owner[kinds[local]][has], texts) for (local, key), (has, texts) in zip(leaves, got)}
    # Each track with trackpoints is emptied and numbered; a track left as it is must
    # hold no text that could pass for a number.
    tr_rows = np.flatnonzero(is_track)
    tr_of_pt = np.zeros(n, dtype=np.intp)
    for lv in np.unique(depth[pt_rows]).tolist():
        sel = depth[pt_rows] == lv
        tr_of_pt[sel] = anc(lv - 1)[pt_rows[sel]]
    tracks_with, first_pt, counts = np.unique(tr_of_pt, return_index=True, return_counts=True)
    emptied = np.zeros(rows.size, dtype=bool)
    emptied[tracks_with] = True
    rest = tr_rows[~emptied[tr_rows]]
    if rest.size:
        for t in sc.texts(rest):
            if t is not None and not t.isspace():
                return None
    ends = np.zeros(tracks_with.size, dtype=np.intp)
    for lv in np.unique(depth[tracks_with]).tolist():
        closers = np.flatnonzero(sc.is_end & (depth == lv))
        sel = depth[tracks_with] == lv
        ends[sel] = closers[np.searchsorted(closers, tracks_with[sel])]
    pieces = []
    at = 0
    for k, (s, e) in enumerate(zip((sc.gt[tracks_with] + 1).tolist(), sc.lt[ends].tolist())):
        pieces.append(data[at:s])
        pieces.append(str(k).encode())
        at = e
    pieces.append(data[at:])
    tag = "{" + t_ns + "}Track" if t_ns else "Track"
    tracks = list(zip(first_pt.tolist(), counts.tolist()))
    plan = _Plan(b"".join(pieces), tag, tracks, cols, n)
    plan.time_s, plan.first_time = time_s, first_time
    return plan


def _lap_totals(lap: Any) -> dict[str, Any]:
    """A <Lap>'s own totals, as the file states them."""
    out: dict[str, Any] = {"start_text": lap.get("StartTime")}
    for c in lap:
        k = _loc(c.tag)
        if k == "totaltimeseconds":
            out["timer_s"] = _num(c.text)
        elif k == "distancemeters":
            out["distance_m"] = _num(c.text)
        elif k == "maximumspeed":
            out["max_speed_m_s"] = _num(c.text)
        elif k == "calories":
            out["calories"] = _num(c.text)
        elif k in ("averageheartratebpm", "maximumheartratebpm"):
            v = _child(c, "value")
            out["avg_hr" if k.startswith("average") else "max_hr"] = (
                _num(v.text) if v is not None else None
            )
        elif k == "cadence":
            out["cadence"] = _num(c.text)
        elif k == "extensions":
            for x in c.iter():
                lx = _loc(x.tag)
                if lx == "avgspeed":
                    out["lx_avg_speed"] = _num(x.text)
                elif lx == "avgruncadence":
                    out["lx_run_cadence"] = _num(x.text)
                elif lx == "avgwatts":
                    out["lx_watts"] = _num(x.text)
    return out


def _creator(act: Any) -> Device:
    c = _child(act, "creator")
    if c is None:
        return Device()
    name = _child(c, "name")
    version = _child(c, "version")
    sw = None
    if version is not None:
        major = _child(version, "versionmajor")
        minor = _child(version, "versionminor")
        ma = _num(major.text) if major is not None else None
        mi = _num(minor.text) if minor is not None else None
        if ma is not None:
            sw = float(f"{int(ma)}.{int(mi or 0):02d}")
    product = (name.text or "").strip() if name is not None else None
    unit = _child(c, "unitid")
    serial = _num(unit.text) if unit is not None else None
    return Device(
        product=product or None,
        serial_number=int(serial) if serial is not None else None,
        software_version=sw,
    )


def _bounded(acts: list[Any], warnings: list[str]) -> list[Any]:
    """The first activities and laps of a file within runlens.io.bounds.MAX_MESSAGES.

    An ``<Activity>`` is a session and each costs an analysis of its own; a file
    of tens of thousands (summaries without tracks, or an attack) is read up to
    the bound, with one warning per kind. Laps past the bound are removed with
    their trackpoints, so what is kept stays whole.
    """
    from .bounds import MAX_MESSAGES

    most, most_laps = MAX_MESSAGES["session"], MAX_MESSAGES["lap"]
    if len(acts) > most:
        warnings.append(
            f"the file holds {len(acts):,} activities; runlens reads at most {most:,} "
            f"(the first {most:,} were kept)"
        )
        acts = acts[:most]
    n_laps = 0
    for act in acts:
        laps = [c for c in act if _loc(c.tag) == "lap"]
        keep = max(0, most_laps - n_laps)
        for lap in laps[keep:]:
            act.remove(lap)
        n_laps += len(laps)
    if n_laps > most_laps:
        warnings.append(
            f"the file holds {n_laps:,} laps; runlens reads at most {most_laps:,} "
            f"(the first {most_laps:,} were kept, with their trackpoints)"
        )
    return acts


def _activities(root: Any) -> list[Any]:
    """Every ``<Activity>`` under ``<Activities>`` (a MultiSportSession's too), in order."""
    acts = []
    for sec in root:
        if _loc(sec.tag) != "activities":
            continue
        for el in sec:
            k = _loc(el.tag)
            if k == "activity":
                acts.append(el)
            elif k == "multisportsession":  # FirstSport / NextSport hold one Activity each
                acts.extend(a for part in el for a in part if _loc(a.tag) == "activity")
    return acts


def decode_tcx(data: bytes, name: str, sha256: str, compressed: bool) -> Activity:
    """Decode TCX bytes into an Activity (see the module docstring).

    Raises
    ------
    UnsafeXMLError
        XML with a DOCTYPE or entity declaration.
    CorruptFileError
        Not well-formed XML.
    NotAnActivityError
        Courses or workouts only, no recorded activity.
    NoRecordsError
        Activities without any timed trackpoint.
    """
    from .rawfit import combine_summaries

    check_xml(data, name, "TCX")
    from .xmlparse import gc_paused, parse_xml

    # A plain file is read from its bytes, lxml parsing only what is left without the
    # trackpoints; any other file is parsed whole and walked.
    plan = _scan_plan(data)
    root = parse_xml(plan.reduced if plan is not None else data, name, "TCX")
    acts = _activities(root)
    planned = plan.points(acts) if plan is not None and acts else None
    if plan is not None and planned is None:
        root = parse_xml(data, name, "TCX")
        acts = _activities(root)
    if not acts:
        kinds = [_loc(c.tag) for c in root if _loc(c.tag) in ("courses", "workouts")]
        if kinds:
            raise NotAnActivityError(
                f"a TCX {' and '.join(sorted(set(kinds)))} file (a plan), not a recorded activity",
                path=name,
            )
        raise NoRecordsError("TCX file with no <Activity>", path=name)

    warnings: list[str] = []
    acts = _bounded(acts, warnings)
    # One entry per <Activity>: its sport, points and laps.
    parsed = []
    # the file's spellings of the point leaves, to ask lxml for those elements only
    if planned is None:
        leaf_tags = _leaf_tags(data) if hasattr(root, "iterdescendants") else None
    for j, act in enumerate(acts):
        if planned is not None:
            lap_of, trk_of, arr = planned[j]
        else:
            with gc_paused():
                _, lap_of, trk_of, arr = _points(act, leaf_tags)
        if "time_s" in arr:  # parsed from the bytes: plain, real, in range, with a zone
            t, naive = arr["time_s"], False
        else:
            t, naive = _times(list(arr["time_text"]), name, warnings)
        if naive:
            warnings.append("TCX times without a time zone were read as UTC")
        laps = [_lap_totals(c) for c in act if _loc(c.tag) == "lap"]
        lap_starts, _ = _times([lp.get("start_text") for lp in laps], name)
        ident = _child(act, "id")
        id_t, _ = _times([ident.text if ident is not None else None], name)
        first = np.nanmin(t) if np.isfinite(t).any() else np.nan
        start = first if np.isfinite(first) else (
            np.nanmin(lap_starts) if np.isfinite(lap_starts).any() else id_t[0]
        )
        parsed.append(
            {
                "act": act,
                "sport": tcx_sport(act.get("Sport")),
                "t": t,
                "lap_of": lap_of,
                "trk_of": trk_of,
                "arr": arr,
                "laps": laps,
                "lap_starts": lap_starts,
                "start": start,
                "times_text": arr["time_text"],
            }
        )
    parsed = [p for p in parsed if np.isfinite(p["start"])]
    parsed.sort(key=lambda p: p["start"])
    if not parsed or not any(np.isfinite(p["t"]).any() for p in parsed):
        n_pts = sum(len(p["t"]) for p in parsed)
        refused = [w for w in warnings if "lost their time" in w]  # say what was there
        raise NoRecordsError(
            f"TCX activities without any timed trackpoint ({n_pts} points)"
            + (": " + "; ".join(refused) if refused else ""), path=name
        )
    # Every <Activity> is a session; those days apart are separate events, which
    # runlens.io.events splits the file into (read_all), so nothing is left out here.
    group = parsed

    # Whole-file arrays, sessions and laps.
    t_all, foot_all, cols_raw = [], [], {k: [] for k in _NUMERIC}
    pauses = _PauseList()
    sessions_meta = []
    laps_meta = []
    trackless: list[tuple[float, float, float | None, float | None]] = []
    n_auto = 0
    n_points = 0
    for p in group:
        t = p["t"]
        n_points += len(t)
        t_all.append(t)
        # on foot (or sport unknown): each point by its part's sport, one flag a part
        foot_all.append(np.full(len(t), p["sport"] is None or p["sport"] in FOOT_SPORTS))
        for k in _NUMERIC:
            cols_raw[k].append(p["arr"][k])
        # Track breaks inside one lap: a timer stop (Garmin starts a new <Track>).
        trk, lap_of = p["trk_of"], p["lap_of"]
        if len(t) > 1:
            brk = np.flatnonzero((trk[1:] != trk[:-1]) & (lap_of[1:] == lap_of[:-1]))
            for i in brk.tolist():
                a, b = t[i], t[i + 1]
                if np.isfinite(a) and np.isfinite(b) and b - a >= _MIN_PAUSE_S:
                    pauses.append((a, b))
        for k, lap in enumerate(p["laps"]):
            in_lap = np.isfinite(t) & (lap_of == k)
            ls = p["lap_starts"][k]
            if not np.isfinite(ls):
                ls = np.nanmin(t[in_lap]) if in_lap.any() else np.nan
            if not np.isfinite(ls):
                continue
            le = np.nanmax(t[in_lap]) if in_lap.any() else ls
            if lap.get("timer_s") is not None:
                le = max(le, ls + lap["timer_s"]) if not in_lap.any() else le
            laps_meta.append((p["sport"], ls, max(le, ls), lap))
            if in_lap.sum() < 2 and (lap.get("timer_s") or lap.get("distance_m")):
                # A lap without a track (a Suunto export leaves many empty): its
                # own totals are the only evidence of that stretch.
                trackless.append(
                    (float(ls), float(max(le, ls)), lap.get("timer_s"), lap.get("distance_m"))
                )
            if lap.get("timer_s") is not None and in_lap.sum() > 1:
                # A lap lasts from its StartTime to the next lap's (the last: to its
                # last point); the gap into the next lap is its own.
                tl = np.sort(t[in_lap])
                before = t[np.isfinite(t) & (lap_of < k)]
                if before.size:  # a gap across the lap's StartTime is partly its own
                    tl = np.insert(tl, 0, before.max())
                after = t[np.isfinite(t) & (lap_of > k)]
                span_end = tl[-1]
                if after.size:
                    nxt = p["lap_starts"][k + 1] if k + 1 < len(p["laps"]) else np.nan
                    tl = np.append(tl, after.min())
                    span_end = nxt if np.isfinite(nxt) and nxt > ls else after.min()
                n_auto += _auto_pauses(tl, ls, span_end, lap["timer_s"], pauses)
                if k == len(p["laps"]) - 1:
                    over = _past_last_lap(tl, ls, lap["timer_s"], pauses)
                    if over > LOST_LAP_MIN_S:
                        warnings.append(
                            f"the track runs {over / 60:.0f} min past its last lap's "
                            "TotalTimeSeconds (the file lost its final lap): the track is kept"
                        )
        timed = t[np.isfinite(t)]
        s0 = p["start"]
        if np.isfinite(p["lap_starts"]).any():
            s0 = min(s0, float(np.nanmin(p["lap_starts"])))
        s1 = float(timed.max()) if timed.size else s0
        # Trackless laps after the last point still belong to the session.
        s1 = max([s1, *(b for a, b, _, _ in trackless if a >= s0)])
        sessions_meta.append((p["sport"], s0, s1))

    if trackless:
        warnings.append(
            f"{len(trackless)} of {len(laps_meta)} laps have no track points: their own "
            "TotalTimeSeconds and DistanceMeters stand for them"
        )
    if n_auto:
        warnings.append(
            f"{n_auto} sample gaps taken as timer pauses: their laps last longer than "
            "their TotalTimeSeconds and TCX has no timer events"
        )
    t = np.concatenate(t_all)
    timed = np.isfinite(t)
    n_timed = int(timed.sum())
    n_refused = sum(int(w.split(" ", 1)[0]) for w in warnings if "lost their time" in w)
    if n_timed + n_refused < n_points:
        warnings.append(
            f"{n_points - n_timed - n_refused} of {n_points} trackpoints have no time and "
            "were dropped"
        )
    foot = np.concatenate(foot_all)[timed] if foot_all else np.zeros(0, dtype=bool)
    raw = {k: np.concatenate(v)[timed] for k, v in cols_raw.items()}
    t = t[timed]
    order = np.argsort(t, kind="stable")
    if (np.diff(t) < 0).any():
        warnings.append("trackpoint times go backwards; points were put in time order")
    t = t[order]
    foot = foot[order]
    raw = {k: v[order] for k, v in raw.items()}
    us = np.round(t * 1e6).astype(np.int64)
    t_ns = us * 1000

    sports = [s for s, _, _ in sessions_meta]
    main = next((s for s in sports if s == "running"), sports[0] if sports else None)

    cols: dict[str, np.ndarray] = {}

    def put(key: str, values: np.ndarray) -> None:
        if np.isfinite(values).any():
            cols[key] = values

    put("lat_deg", raw["lat"])
    put("lon_deg", raw["lon"])
    put("altitude_m", raw["ele"])
    put("distance_m", raw["dist"])
    put("speed_m_s", raw["speed"])
    put("heart_rate_bpm", raw["hr"])
    put("power_w", raw["power"])
    # RunCadence (the running extension) first, else the trackpoint's Cadence.
    cad = np.where(np.isfinite(raw["runcad"]), raw["runcad"], raw["cad"])
    convention = "none"
    factor = 1.0
    if np.isfinite(cad).any():
        fc = cad[foot]
        moving = fc[np.isfinite(fc) & (fc > 0)]
        if foot.any() and np.isfinite(fc).any():
            med = float(median(moving)) if moving.size else 0.0
            if med < STRIDES_BELOW_SPM:
                factor, convention = 2.0, "tcx-strides-doubled"
            else:
                convention = "tcx-steps"
            cols["cadence_spm"] = np.where(foot, factor * cad, np.nan)
        if (~foot).any() and np.isfinite(cad[~foot]).any():
            cols["cadence_rpm"] = np.where(~foot, cad, np.nan)

    def ts(x: float) -> int:
        """Unix seconds as UTC nanoseconds, whole microseconds (as the records)."""
        return int(round(x * 1e6)) * 1000

    laps: list[Segment] = []
    for sport, ls, le, lap in sorted(laps_meta, key=lambda x: x[1]):
        laps.append(Segment(sport, None, ts(ls), ts(le), _lap_summary(lap, ls, le, sport, factor)))
    sessions: list[Segment] = []
    for sport, s0, s1 in sessions_meta:
        mine = [
            lp.device_summary
            for lp in laps
            if lp.sport == sport and s0 <= lp.start_ns / 1e9 <= s1 + 1
        ]
        summ = combine_summaries(mine)
        if mine:
            summ["elapsed_s"] = s1 - s0
        sessions.append(Segment(sport, None, ts(s0), ts(s1), summ))

    running = [s for s in sessions if s.sport == "running"]
    device_summary = combine_summaries([s.device_summary for s in (running or sessions)])

    first_act = group[0]
    return Activity(
        records=Records(t_ns, cols),
        source=Source(name, "tcx", sha256, len(data), compressed, "runlens-tcx"),
        sport=main,
        sub_sport=None,
        start=sessions[0].start_ns if sessions else int(t_ns[0]),
        utc_offset_s=_offset_s(list(first_act["times_text"])),
        device=_creator(first_act["act"]),
        sessions=sessions,
        laps=laps,
        pauses=[Pause(ts(a), ts(b)) for a, b in sorted(pauses)],
        device_summary=device_summary,
        developer=Records(t_ns),
        cadence_convention=convention,
        warnings=warnings,
        extra={
            "tcx_sports": [s for s in sports],
            "tcx_activities": len(parsed),
            # Every lap states its timer: sample gaps not taken as pauses were timed.
            "laps_without_track": trackless,
            "timer_from_laps": bool(laps_meta)
            and all(m[3].get("timer_s") is not None for m in laps_meta),
        },
    )


#: A last lap whose track runs this much (s) past its TotalTimeSeconds, with no
#: pause to explain it, lost its successor (a Movescount export).
LOST_LAP_MIN_S = 60.0


def _past_last_lap(t: np.ndarray, lap_start: float, timer_s: float, pauses) -> float:
    """Seconds the last lap's track runs past its timer, pauses taken out."""
    end = float(t[-1])
    paused = sum(max(0.0, min(b, end) - max(a, lap_start)) for a, b in pauses if a < end)
    return (end - lap_start) - paused - timer_s


class _PauseList(list):
    """The file's pauses, ``(start, end)`` in Unix s, with their arrays kept up to date.

    Every lap's auto-pause search reads all pauses found so far; the arrays grow
    with the list (each pause converted once per file), where building them from
    the list for each lap was O(laps x pauses).
    """

    def __init__(self) -> None:
        super().__init__()
        self._a = np.empty(16)
        self._b = np.empty(16)
        self._n = 0

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Starts and ends of every pause so far (views; not to be modified)."""
        n = len(self)
        if n > self._a.size:
            cap = max(n, 2 * self._a.size)
            self._a = np.concatenate([self._a[: self._n], np.empty(cap - self._n)])
            self._b = np.concatenate([self._b[: self._n], np.empty(cap - self._n)])
        for i in range(self._n, n):  # only the pauses added since the last call
            self._a[i], self._b[i] = self[i]
        self._n = n
        return self._a[:n], self._b[:n]


def _auto_pauses(
    t: np.ndarray,
    lap_start: float,
    lap_end: float,
    timer_s: float,
    pauses: list[tuple[float, float]],
) -> int:
    """Add to ``pauses`` the gaps of one lap that its timer did not count; return how many.

    ``t``: the lap's point times, ascending, between the previous lap's last
    point and the next lap's first; gaps count only within the lap's span.
    A lap whose span (its StartTime to the next lap's) exceeds its
    ``TotalTimeSeconds`` by more than :data:`AUTO_PAUSE_MIN_S` had its timer
    stopped (auto-pause) without a new <Track>: its longest sample gaps are
    the pauses, longest first, until the excess is explained (the last one
    taken only for what is left of it, up to its end).
    """
    # Pauses as arrays, kept with the list (_PauseList): a file of thousands of laps
    # has thousands of pauses, and converting them all per lap was quadratic.
    if isinstance(pauses, _PauseList):
        a_, b_ = pauses.arrays()
    else:
        pa = np.array(pauses, dtype=float).reshape(-1, 2)
        a_, b_ = pa[:, 0], pa[:, 1]
    known = float(
        np.clip(np.minimum(b_, lap_end) - np.maximum(a_, lap_start), 0.0, None)[a_ < lap_end].sum()
    )
    excess = (lap_end - lap_start) - timer_s - known
    if excess <= AUTO_PAUSE_MIN_S:
        return 0
    # Each gap clipped to the lap's span: the part of it that is the lap's.
    lo = np.maximum(t[:-1], lap_start)
    hi = np.minimum(t[1:], lap_end)
    gap = hi - lo
    inside = np.zeros(gap.size, dtype=bool)
    near = (a_ <= t[-1]) & (b_ >= t[0]) if t.size else np.zeros(a_.size, dtype=bool)
    for a, b in zip(a_[near], b_[near]):  # gaps already paused: only those near this lap
        inside |= (t[:-1] >= a) & (t[1:] <= b)
    cand = np.flatnonzero((gap >= AUTO_PAUSE_MIN_S) & ~inside)
    if not cand.size:
        return 0
    cand = cand[np.argsort(-gap[cand], kind="stable")]
    g = gap[cand]
    left = excess - (np.cumsum(g) - g)  # excess not yet explained before each gap
    take = left > AUTO_PAUSE_MIN_S
    # A gap longer than what is left is paused only for that long (up to its end):
    # the timer ran for the rest of it.
    length = np.minimum(g[take], left[take])
    ends = hi[cand[take]]
    pauses.extend(zip((ends - length).tolist(), ends.tolist()))
    return int(take.sum())


def _lap_summary(
    lap: dict[str, Any], start_s: float, end_s: float, sport: str | None, factor: float
) -> dict[str, float | None]:
    """A lap's device summary in :data:`SUMMARY_KEYS`, canonical units."""
    out: dict[str, float | None] = {k: None for k in SUMMARY_KEYS}
    out["distance_m"] = lap.get("distance_m")
    out["timer_s"] = lap.get("timer_s")
    out["elapsed_s"] = end_s - start_s if end_s > start_s else lap.get("timer_s")
    speed = lap.get("lx_avg_speed")
    if speed is None and out["distance_m"] and out["timer_s"]:
        speed = out["distance_m"] / out["timer_s"]
    out["avg_speed_m_s"] = speed
    out["heart_rate_bpm"] = lap.get("avg_hr")
    cad = lap.get("lx_run_cadence")
    if cad is None:
        cad = lap.get("cadence")
    if cad is not None and (sport is None or sport in FOOT_SPORTS):
        out["cadence_spm"] = cad * factor
    return out
