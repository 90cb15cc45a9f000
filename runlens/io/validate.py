"""The last step of every read: make the records usable, and say what was dropped.

Both readers (FIT and GPX, any decoder) end here. :func:`validate` works on
whole arrays (no loop over samples) and never changes what it need not:

0. Clock jumps inside a recording (a watch whose clock jumps days ahead
   mid-run): a gap between records of more than :data:`CLOCK_JUMP_MIN_S` that
   makes the records span more than the device's own elapsed time (the
   sessions' start and end, else the session's total_elapsed_time) allows is
   taken out, the records after it moved back to follow on, with a warning
   naming the jump. A long gap that the elapsed time covers (a real stop) is
   kept. Without that evidence (GPX) nothing is moved.
1. Records timed at impossible dates (before 1990, more than two days in the
   future) or more than :data:`MAX_SPAN_DAYS` days from the median record time
   (what a garbled record decodes to) are dropped. FIT files whose times are
   "system time" (seconds since power-up, shown as 1970 dates) are kept, with a
   warning that the date is unknown.
2. Records out of time order are put in order.
3. Records sharing a timestamp are merged into one (some apps write position
   and distance as two records of the same second); where two of them hold
   *different* values for one field, the first is kept and a warning says so.
4. Values outside physical limits (:data:`LIMITS`; a heart rate of 255, a
   negative speed, an altitude of 770 km) become NaN, never a number.
5. GPS spikes: a fix far from both its neighbours, reached and left faster
   than :data:`GPS_SPIKE_SPEED_M_S`, while its neighbours are close together,
   loses its position.

Each step that changes anything adds one warning naming what was dropped. In
strict mode any warning at all (the readers' included) refuses the file: strict
means "the file exactly as written, or nothing".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..channels import limits
from ..errors import CorruptFileError, NoRecordsError
from ..model import FOOT_SPORTS, Records, replace
from ..units import median

if TYPE_CHECKING:
    from ..model import Activity

__all__ = ["validate", "LIMITS", "MAX_SPAN_DAYS", "GPS_SPIKE_SPEED_M_S", "FOOT_MAX_SPEED_M_S"]

#: Physical limits per canonical column, (low, high) inclusive; outside -> NaN.
#: Chosen to be impossible, not merely unusual, so no real sample is lost.
LIMITS: dict[str, tuple[float, float]] = limits()  # each channel's (runlens.channels)
#: Fastest human on foot: 12.4 m/s (100 m world record, 2009); 15 m/s leaves margin.
FOOT_MAX_SPEED_M_S = 15.0
#: A GPS fix reached and left faster than this (m/s), over >= 100 m, is a spike.
GPS_SPIKE_SPEED_M_S = 50.0
_GPS_SPIKE_MIN_M = 100.0
#: Records more than this many days from the median record time are garbled.
MAX_SPAN_DAYS = 7.0
_EARLIEST = np.datetime64("1990-01-01T00:00:00")
#: A gap between consecutive records longer than this (s) may be a clock jump.
CLOCK_JUMP_MIN_S = 3600.0
#: Records each side of a clock jump must hold (fewer are garbled timestamps).
_JUMP_MIN_RECORDS = 10
#: How much longer than the device's elapsed time the records may span: 1 % + 2 min.
_SPAN_TOLERANCE = (1.01, 120.0)
#: FIT date_time values below 0x10000000 are seconds since power-up (FIT profile);
#: decoders pass them through as small Unix times (before 1978-07).
_FIT_SYSTEM_TIME = 0x10000000


def _haversine_m(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance (m) on a 6,371,008.8 m sphere, element-wise."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dlmb = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * 6371008.8 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _first_last(a: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each group's first and last non-missing value (groups begin at ``starts``)."""
    n = len(a)
    present = ~np.isnan(a)
    pos = np.arange(n)
    fi = np.minimum.reduceat(np.where(present, pos, n), starts)
    li = np.maximum.reduceat(np.where(present, pos, -1), starts)
    ext = np.r_[a, np.nan]
    return ext[fi], ext[np.where(li < 0, n, li)]


def _example(values: np.ndarray) -> str:
    v = values[np.isfinite(values)]
    if v.size == 0:
        return ""
    worst = v[np.argmax(np.abs(v))]
    return f", e.g. {worst:.6g}"


def _fmt_span(seconds: float) -> str:
    s = abs(float(seconds))
    if s >= 86400:
        return f"{s / 86400:.1f} days"
    if s >= 3600:
        return f"{s / 3600:.1f} h"
    return f"{s:.0f} s"


def _timer_counted(segs) -> float | None:
    """Sum of the segments' own total_elapsed_time (counted by the device's timer).

    None unless every segment has one: a timer count is immune to a clock that
    jumps, where a segment's start and end (two clock readings) are not.
    """
    vals = [(x.device_summary or {}).get("elapsed_s") for x in segs]
    if not vals or any(v is None or not np.isfinite(v) or v <= 0 for v in vals):
        return None
    return float(sum(vals))


def _allowed_span_s(activity: Activity) -> float | None:
    """The longest span the records may cover, from the device's own evidence.

    The sessions' start and end are clock readings: when the clock jumped
    between them (start before, timestamp after) they straddle the jump. The
    sessions' and laps' total_elapsed_time are counted by the device's timer
    and expose it. The smallest evidence wins.
    """
    cands: list[float] = []
    ses = [x for x in activity.sessions if x.start_ns is not None and x.end_ns is not None]
    if ses:
        cands.append((max(x.end_ns for x in ses) - min(x.start_ns for x in ses)) / 1e9)
        # Sessions of one file may lie hours or days apart (two runs a watch kept in
        # one file, a TCX of three days): the time between them is no timer's, and
        # is read from the clock at each session's end and the next one's start.
        order = sorted(ses, key=lambda x: x.start_ns)
        between = sum(
            max(0.0, (b.start_ns - a.end_ns) / 1e9) for a, b in zip(order, order[1:])
        )
        for segs in (ses, activity.laps):
            c = _timer_counted(segs)
            if c is not None:
                cands.append(c + between)
    else:
        cands.append((activity.device_summary or {}).get("elapsed_s") or 0.0)
    cands = [c for c in cands if c and np.isfinite(c) and c > 0]
    return min(cands) if cands else None


def _shift_time(x: int | None, jumps: list[tuple[float, float, float]]) -> int | None:
    """A message time (UTC ns) moved back like the records on its side of each jump.

    ``jumps`` are (last record time before, first record time after, seconds
    taken off); a time nearer the record after a jump was stamped on the new clock.
    """
    if x is None:
        return x
    v = x / 1e9
    off = sum(ex for before, after, ex in jumps if abs(v - after) < abs(v - before))
    return x - round(off * 1e9) if off else x


def _shift_segments(activity: Activity, jumps: list[tuple[float, float, float]]) -> dict:
    """Sessions, laps, pauses and start moved back with the records (see _shift_time)."""

    def seg(x):
        start, end = _shift_time(x.start_ns, jumps), _shift_time(x.end_ns, jumps)
        el = (x.device_summary or {}).get("elapsed_s")
        if start is not None and el is not None and np.isfinite(el):
            end = max(end, start + round(float(el) * 1e9))
        return replace(x, start=start, end=end)

    sessions = [seg(x) for x in activity.sessions]
    return {
        "sessions": sessions,
        "laps": [seg(x) for x in activity.laps],
        "pauses": [
            replace(p, start=_shift_time(p.start_ns, jumps), end=_shift_time(p.end_ns, jumps))
            for p in activity.pauses
        ],
        "start": sessions[0].start_ns if sessions else _shift_time(activity.start_ns, jumps),
    }


def _clock_jumps(
    activity: Activity, t: np.ndarray
) -> tuple[np.ndarray, list[str], list[tuple[float, float, float]]] | None:
    """Seconds to take off each record's time to undo clock jumps, and what was done.

    ``t`` are the record times (s, file order). ``None`` when nothing is to be
    repaired or there is no evidence to repair against.
    """
    if t.size < 3:
        return None
    allowed = _allowed_span_s(activity)
    if allowed is None:
        return None
    limit = allowed * _SPAN_TOLERANCE[0] + _SPAN_TOLERANCE[1]
    d = np.diff(t)
    big = np.flatnonzero(np.abs(d) > CLOCK_JUMP_MIN_S)
    if big.size == 0 or float(t.max() - t.min()) <= limit:
        return None
    # A clock that jumped keeps counting from its new time: each stretch between
    # the gaps holds many records at plausible dates. A few garbled timestamps
    # (a 2085 record between two of 2021) are not a jump: the date checks drop them.
    bounds = np.r_[0, big + 1, t.size]
    if np.diff(bounds).min() < _JUMP_MIN_RECORDS:
        return None
    lo = float(_EARLIEST.astype("datetime64[s]").astype(np.int64))
    hi = float(np.datetime64("now", "s").astype(np.int64)) + 2 * 86400.0
    if t.min() < lo or t.max() > hi:
        return None
    steady = d[(d > 0) & (d <= 60)]
    step = float(median(steady)) if steady.size else 1.0
    shift = np.zeros(t.size)
    done: list[str] = []
    jumps: list[tuple[float, float, float]] = []
    for k in big[np.argsort(-np.abs(d[big]))]:  # largest first; a jump or two, not per sample
        excess = float(d[k]) - step
        shift[k + 1 :] += excess
        jumps.append((float(t[k]), float(t[k + 1]), excess))
        done.append(
            f"the record clock jumps {_fmt_span(excess)} "
            f"{'forward' if excess > 0 else 'back'} after "
            f"{str(np.datetime64(int(t[k]), 's')).replace('T', ' ')} UTC"
        )
        u = t - shift
        if float(u.max() - u.min()) <= limit:
            return shift, done, jumps
    return None  # the gaps do not explain the span: leave it to the date checks


def _gps_spikes(lat: np.ndarray, lon: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """Boolean mask of single-fix GPS spikes among the valid fixes."""
    ok = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
    spikes = np.zeros(lat.size, dtype=bool)
    if ok.size < 3:
        return spikes
    la, lo, t = lat[ok], lon[ok], seconds[ok]
    d = _haversine_m(la[:-1], lo[:-1], la[1:], lo[1:])
    dt = np.maximum(np.diff(t), 1.0)  # 1 Hz is the finest GPS rate; avoids /0
    v = d / dt
    d_in, d_out, v_in, v_out = d[:-1], d[1:], v[:-1], v[1:]
    d_skip = _haversine_m(la[:-2], lo[:-2], la[2:], lo[2:])
    mid = (
        (v_in > GPS_SPIKE_SPEED_M_S)
        & (v_out > GPS_SPIKE_SPEED_M_S)
        & (d_in > _GPS_SPIKE_MIN_M)
        & (d_out > _GPS_SPIKE_MIN_M)
        & (d_skip < 0.5 * np.minimum(d_in, d_out))
    )
    spikes[ok[1:-1][mid]] = True
    return spikes


def validate(
    activity: Activity, *, strict: bool = False, notes: list[str] | tuple[str, ...] = ()
) -> Activity:
    """Check and clean an activity's records; return it (a new object if changed).

    Idempotent: validating a validated activity changes nothing and warns nothing.

    Parameters
    ----------
    activity : Activity
        As a reader built it.
    strict : bool, default False
        Refuse (raise) instead of cleaning: any warning, the reader's included,
        becomes a :class:`~runlens.errors.CorruptFileError`.
    notes : sequence of str
        Warnings from loading the bytes (e.g. a suffix that lies about the
        content, a gzip that was cut short), prepended to the activity's.

    Returns
    -------
    Activity
        Records in strictly increasing time, values within :data:`LIMITS`,
        ``warnings`` extended with one line per kind of change.

    Raises
    ------
    NoRecordsError
        Nothing usable remains.
    CorruptFileError
        ``strict`` and anything would have to change.
    """
    name = activity.source.path
    if activity.__dict__.get("_records_table") is None:
        frame = activity.records
        if frame is None or type(frame.index).__name__ != "DatetimeIndex":
            raise NoRecordsError("records are not indexed by time", path=name)
    tab = activity.table
    t_ns, cols_in = tab.t_ns, tab.cols
    n0 = len(t_ns)
    dev_tab = activity.developer_table
    dev: dict[str, np.ndarray] | None
    if dev_tab is None or not dev_tab.columns:
        dev = None  # rebuilt empty on the final times below
    elif len(dev_tab) != n0:
        dev = dict(dev_tab.reindex(t_ns).cols)
    else:
        dev = dict(dev_tab.cols)
    rec = dict(cols_in)
    changed = False
    warnings: list[str] = list(notes)
    bad_example = "none"

    def take(rows) -> None:
        nonlocal t_ns, rec, dev, changed
        t_ns = t_ns[rows]
        rec = {k: v[rows] for k, v in rec.items()}
        if dev is not None:
            dev = {k: v[rows] for k, v in dev.items()}
        changed = True

    # 0. Clock jumps, repaired against the device's own elapsed time.
    moved_segments: dict = {}
    if n0 > 2:
        t_ms = t_ns // 1_000_000
        fix = _clock_jumps(activity, t_ms / 1000.0)
        if fix is not None:
            shift, done, jumps = fix
            moved_segments = _shift_segments(activity, jumps)
            t_ns = (t_ms - np.rint(shift * 1000).astype(np.int64)) * 1_000_000
            changed = True
            moved = int((shift != 0).sum())
            warnings.append(
                "; ".join(done)
                + f" (the device's own elapsed time does not allow the gap): {moved} record(s) "
                "after it moved back to follow on"
            )

    # 1. Impossible dates and garbled times far from the rest.
    if len(t_ns):
        secs = t_ns // 1_000_000_000
        naive = secs.astype("datetime64[s]")
        now = np.datetime64("now", "s") + np.timedelta64(2, "D")
        if activity.source.format == "fit" and median(secs) < _FIT_SYSTEM_TIME:
            # FIT "system time": seconds since the device powered up, not a date (old
            # ANT+ devices). Durations are right; keep them and say the date is unknown.
            bad_date = (secs < 0) | (secs >= _FIT_SYSTEM_TIME)
            warnings.append(
                "record times count seconds since the device powered up (FIT system "
                "time), not dates: the activity's date is unknown"
            )
        else:
            bad_date = (naive < _EARLIEST) | (naive > now)
        if (~bad_date).any():
            med = median(secs[~bad_date])
            far = np.abs(secs - med) > MAX_SPAN_DAYS * 86400
            bad_date |= far
        if bad_date.any():
            ex = bad_example = str(naive[bad_date][0]).replace("T", " ")
            warnings.append(
                f"{int(bad_date.sum())} record(s) timed at an impossible date or far from the "
                f"rest (e.g. {ex}) dropped"
            )
            take(~bad_date)

    # 2. Time order.
    if len(t_ns) > 1 and (np.diff(t_ns) < 0).any():
        n_back = int((t_ns[1:] < t_ns[:-1]).sum())
        take(np.argsort(t_ns, kind="stable"))
        warnings.append(
            f"record times go backwards at {n_back} place(s); records were put in time order"
        )

    # 3. Duplicated timestamps: merge, each field's first value (missing ones skipped);
    # conflicts keep the first value.
    n_dup = 0
    if len(t_ns) > 1:
        new_group = np.r_[True, t_ns[1:] != t_ns[:-1]]
        if not new_group.all():
            n_dup = int((~new_group).sum())
            starts = np.flatnonzero(new_group)
            conflicts = 0
            merged = {}
            for k, a in rec.items():
                first, last = _first_last(a, starts)
                conflicts += int(((first != last) & ~np.isnan(first) & ~np.isnan(last)).sum())
                merged[k] = first
            rec = merged
            if dev is not None:
                dev = {k: _first_last(a, starts)[0] for k, a in dev.items()}
            t_ns = t_ns[starts]
            changed = True
            if conflicts:
                warnings.append(
                    f"{n_dup} record(s) repeated an earlier timestamp with {conflicts} "
                    "conflicting value(s); merged, keeping the first value"
                )

    # 4. Physical limits.
    foot = activity.sport in FOOT_SPORTS or (activity.sport is None and "cadence_spm" in rec)
    cols: dict[str, np.ndarray] = {}
    dropped: list[str] = []
    for col, a in rec.items():
        lim = LIMITS.get(col)
        if lim is None:
            continue
        lo, hi = lim
        if col == "speed_m_s" and foot:
            hi = FOOT_MAX_SPEED_M_S
        with np.errstate(invalid="ignore"):
            bad = np.isfinite(a) & ((a < lo) | (a > hi))
        bad |= np.isinf(a)
        if bad.any():
            dropped.append(
                f"{int(bad.sum())} {col} outside {lo:g}..{hi:g}{_example(np.where(bad, a, np.nan))}"
            )
            cols[col] = np.where(bad, np.nan, a)
    if "lat_deg" in rec and "lon_deg" in rec:
        lat = cols.get("lat_deg", rec["lat_deg"])
        lon = cols.get("lon_deg", rec["lon_deg"])
        # (0, 0) is where a receiver without a fix puts you, not a place anyone runs.
        null_island = (lat == 0.0) & (lon == 0.0)
        bad = np.isfinite(lat) != np.isfinite(lon)  # half a position is no position
        if null_island.any():
            dropped.append(f"{int(null_island.sum())} positions at exactly 0,0 (no GPS fix)")
        bad |= null_island
        secs = (t_ns // 1_000_000) / 1000.0
        lat_b, lon_b = np.where(bad, np.nan, lat), np.where(bad, np.nan, lon)
        spikes = _gps_spikes(lat_b, lon_b, secs)
        if spikes.any():
            dropped.append(
                f"{int(spikes.sum())} GPS jump(s) (a fix reached and left faster than "
                f"{GPS_SPIKE_SPEED_M_S:g} m/s)"
            )
        bad |= spikes
        if bad.any():
            cols["lat_deg"], cols["lon_deg"] = (
                np.where(bad, np.nan, lat),
                np.where(bad, np.nan, lon),
            )
    if dropped:
        warnings.append("values dropped as impossible: " + "; ".join(dropped))
    if cols:
        rec = {**rec, **cols}
        changed = True

    if len(t_ns) == 0:
        raise NoRecordsError(
            f"no record with a plausible timestamp (all {n0} timed at an impossible "
            f"date or far from the rest, e.g. {bad_example})",
            path=name,
        )

    all_warnings = warnings + [w for w in activity.warnings if w not in warnings]
    if strict and all_warnings:
        more = len(all_warnings) - 1
        raise CorruptFileError(
            "refused (strict): "
            + all_warnings[0]
            + (f" (and {more} more problem(s))" if more > 0 else ""),
            path=name,
        )
    if not changed and not warnings:
        return activity
    start = moved_segments.get("start", activity.start_ns)
    if not activity.sessions:
        start = int(t_ns[0])
    extra = dict(activity.extra)
    if n_dup:
        # The file's own record count stays known: records kept + records merged.
        extra["records_merged"] = extra.get("records_merged", 0) + n_dup
    return replace(
        activity,
        **{k: v for k, v in moved_segments.items() if k != "start"},
        extra=extra,
        records=Records(t_ns, rec),
        developer=Records(t_ns, dev or {}),
        start=start,
        warnings=[
            *notes,
            *[w for w in activity.warnings if w not in notes],
            *warnings[len(notes) :],
        ],
    )
