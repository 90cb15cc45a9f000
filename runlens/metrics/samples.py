"""Per-sample series every other metric is built from.

:func:`sample_frame` turns an :class:`~runlens.model.Activity` into one table
of derived per-sample values (a new frame; the activity is never modified):
how many seconds each sample stands for, whether the timer ran, cumulative
distance that never decreases, speed with GPS spikes removed, moving and
running flags, grade, and the running-dynamics channels with zeros and
dropouts set to missing. Aggregations (:mod:`runlens.metrics.summary`),
splits and rolling windows (:mod:`runlens.metrics.rolling`) all read it, so
every number runlens shows follows the same definitions (docs/metrics.md).

Sources: docs/evidence.md section 1 (FIT fields, smart recording, timer
events) and section 6 (distance, elevation, moving threshold).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..channels import dynamics_columns
from ..model import FOOT_SPORTS, Activity, Segment
from ..units import MPS_PER_MPH_30MIN

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "EARTH_RADIUS_M",
    "MOVING_SPEED_M_S",
    "WALK_CADENCE_SPM",
    "RUN_SPEED_M_S",
    "DROPOUT_S",
    "DYNAMICS_COLUMNS",
    "STEADY_MIN_SPEED_M_S",
    "STEADY_MAX_GRADE_PCT",
    "STEADY_WARMUP_S",
    "MetricOptions",
    "steady_flags",
    "haversine_m",
    "segment_spans",
    "segment_mask",
    "pause_flags",
    "sample_durations",
    "sample_frame",
    "held_speed",
    "samples",
    "SampleTable",
]

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)

#: Moving above 30 min/mile, 0.894 m/s (evidence.md section 6).
MOVING_SPEED_M_S = MPS_PER_MPH_30MIN

#: Below this step rate a foot sample in a running session counts as walking.
#: Walking cadence is about 100-130 steps/min and running rarely drops below
#: 140 (evidence.md section 5: the lowest band, "red", is < 153 spm), so 140
#: separates the two gaits with margin on both sides.
WALK_CADENCE_SPM = 140.0

#: ... unless the runner is going too fast to walk: a step rate under 140 at a
#: speed held at or above this over the surrounding minute (and at this sample)
#: is running with a low step rate, the overstriding the rules look for, not
#: walking. Overground, people mostly run once their average speed reaches
#: about 3 m/s and walk-run mixtures start near 1.9 m/s (docs/evidence.md
#: section 6, "Walking or running"); 2.5 m/s held for a minute is race-walking
#: territory, and a walking step that long (over 1 m at 130 steps/min) is not
#: an ordinary walk.
RUN_SPEED_M_S = 2.5

#: The per-sample speed that must also be above walking pace (the minute's
#: average alone would count the walking steps of a walk-run mixture).
RUN_SAMPLE_SPEED_M_S = 2.1

#: Below this step rate a sample is never taken as running whatever the speed:
#: a step of 1.5 m or more at these speeds is a sensor's half-rate reading.
MIN_RUN_CADENCE_SPM = 100.0

#: The window of the held speed above, s of timer time, centred.
RUN_SPEED_WINDOW_S = 60.0

#: A gap between samples longer than this is a dropout, not smart recording.
#: Smart recording writes a record when something changes, and the corpus has
#: gaps of up to 52 s while the timer ran (python-fitparse 2013-02-06 file), so
#: the limit sits above that.
DROPOUT_S = 60.0

#: evidence.md section 2: steady running is at least 2 m/s ...
STEADY_MIN_SPEED_M_S = 2.0
#: ... on grades below 3 % either way ...
STEADY_MAX_GRADE_PCT = 3.0
#: ... after the first 10 minutes (warm-up) of each session's timer time.
STEADY_WARMUP_S = 600.0

#: Running-dynamics channels: averaged over running samples, zeros missing.
DYNAMICS_COLUMNS = dynamics_columns()  # runlens.channels

#: Highest plausible speed (m/s) before a value is taken for a GPS spike.
#: Foot: 12.5 m/s is above the fastest human sprint average (about 10.4 m/s);
#: wheels and others: 35 m/s (126 km/h).
_MAX_SPEED_FOOT = 12.5
_MAX_SPEED_OTHER = 35.0


@dataclass(frozen=True)
class MetricOptions:
    """Thresholds of the metrics layer (defaults cited in docs/metrics.md).

    Attributes
    ----------
    moving_speed_m_s : float
        Moving above this speed, m/s (evidence.md section 6: 0.894).
    walk_cadence_spm : float
        In running sessions, samples below this step rate are walking and do
        not enter running-dynamics averages, steps/min, unless the speed held
        over the surrounding minute is at least ``run_speed_m_s`` (and the
        sample's own speed above walking pace): then they are running with a
        low step rate.
    run_speed_m_s : float
        See ``walk_cadence_spm``, m/s.
    dropout_s : float
        Sample gaps longer than this are dropouts: they count toward neither
        timer-less timer time nor averages, s.
    hysteresis_m : float
        Ascent/descent hysteresis, m (evidence.md section 6: 3 m).
    altitude_smooth_s : float
        Centred rolling-mean window on altitude before ascent and grade, s.
    grade_window_m : float
        Horizontal distance over which grade is measured, m.
    spike_mad : float
        A speed sample further than this many scaled median absolute
        deviations from its neighbours' median is a spike.
    spike_window : int
        Samples in the spike detector's centred window.
    """

    moving_speed_m_s: float = MOVING_SPEED_M_S
    walk_cadence_spm: float = WALK_CADENCE_SPM
    run_speed_m_s: float = RUN_SPEED_M_S
    dropout_s: float = DROPOUT_S
    hysteresis_m: float = 3.0
    altitude_smooth_s: float = 15.0
    grade_window_m: float = 50.0
    spike_mad: float = 6.0
    spike_window: int = 7


def haversine_m(lat_deg, lon_deg) -> np.ndarray:
    """Distance between consecutive points, m (first element 0).

    Haversine on a sphere of the mean Earth radius: within 0.5 % of the
    ellipsoid, far below GPS error (evidence.md section 6).

    Parameters
    ----------
    lat_deg, lon_deg : array_like
        WGS84 latitude and longitude, degrees.

    Returns
    -------
    numpy.ndarray
        Metres from the previous point; NaN where either point is missing.

    Examples
    --------
    >>> round(float(haversine_m([0, 0], [0, 1])[1]))
    111195
    """
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    d = np.zeros(lat.shape)
    if lat.size < 2:
        return d
    dlat = np.diff(lat)
    dlon = np.diff(lon)
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:-1]) * np.cos(lat[1:]) * np.sin(dlon / 2) ** 2
    d[1:] = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
    return d


def segment_spans(activity: Activity, segments: list[Segment] | None = None) -> list[tuple]:
    """UTC ``(start, end)`` of each session (or given segments), ordered.

    A FIT session's ``timestamp`` is when it was written, which may be long
    after the timer stopped (when the runner saved) or, with the summary
    first, before the session started. The span therefore runs from the
    segment's start to its end only when that end is after the start, and never
    past the next segment's start; otherwise to the next segment's start, or
    for the last one to the last record. The device's ``total_elapsed_time``
    is not used, so that our elapsed time stays our own measurement.

    Returns
    -------
    list of (int, int)
        UTC nanoseconds since 1970 (:func:`runlens.model.ns_to_timestamp` makes
        Timestamps of them).
    """
    segs = activity.sessions if segments is None else segments
    if not segs:
        return []
    t = activity.table.t_ns
    last = int(t.max()) if len(t) else segs[-1].end_ns
    out = []
    for i, s in enumerate(segs):
        nxt = segs[i + 1].start_ns if i + 1 < len(segs) else None
        end = s.end_ns if s.end_ns is not None and s.end_ns > s.start_ns else (nxt or last)
        if nxt is not None and end > nxt:
            end = nxt
        if nxt is None and end < last and s.end_ns is not None and s.end_ns <= s.start_ns:
            end = last
        out.append((s.start_ns, end))
    return out


def segment_mask(t_ns: np.ndarray, span: tuple, last: bool = True) -> np.ndarray:
    """Records (UTC ns times) inside ``span``; the end is included only for the last segment.

    Consecutive sessions share their boundary second (one ends where the next
    starts); the record there belongs to the later one.
    """
    start, end = span
    t = np.asarray(t_ns)
    return (t >= start) & ((t <= end) if last else (t < end))


def pause_flags(t_s: np.ndarray, activity: Activity) -> np.ndarray:
    """True for samples recorded while the timer was stopped or right after.

    A sample whose gap to the previous sample contains a timer stop -> start
    (FIT event=timer) describes paused time, and so does any sample recorded
    while the timer was stopped.

    Parameters
    ----------
    t_s : numpy.ndarray
        Sample times, Unix seconds, ascending.
    """
    flag = np.zeros(t_s.shape, dtype=bool)
    if not activity.pauses or t_s.size == 0:
        return flag
    starts = np.array([p.start_ns / 1e9 for p in activity.pauses])
    ends = np.array([p.end_ns / 1e9 for p in activity.pauses])
    order = np.argsort(starts)
    starts, ends = starts[order], ends[order]
    if t_s.size > 1:
        # A gap (t[i-1], t[i]] that contains a pause end belongs to the pause.
        k = np.searchsorted(ends, t_s[1:], side="right")
        j = np.searchsorted(ends, t_s[:-1], side="right")
        flag[1:] = k > j
    # Strictly inside a pause: the sample written at the stop itself closes
    # the last running second.
    i = np.searchsorted(starts, t_s, side="left") - 1
    ok = i >= 0
    inside = np.zeros(t_s.shape, dtype=bool)
    inside[ok] = t_s[ok] < ends[i[ok]]
    return flag | inside


def timer_runs_between_samples(activity: Activity) -> bool:
    """Whether the device's timer ran through sample gaps (no pause in them).

    FIT watches write timer events, so between them the timer ran, records or
    not; a TCX whose laps all state TotalTimeSeconds says the same (the reader
    turns the part of a lap's span its timer did not count into pauses): a 62-137 s
    recording gap inside a lap whose TotalTimeSeconds equals its span is timer
    time, not a dropout. A GPX has no such evidence: there a gap over
    ``dropout_s`` is not counted.
    """
    return bool(
        activity.pauses
        or activity.source.format == "fit"
        or activity.extra.get("timer_from_laps")
    )


def sample_durations(
    t_s: np.ndarray, paused: np.ndarray | None = None, dropout_s: float = DROPOUT_S
) -> np.ndarray:
    """Seconds each sample stands for: the gap to the previous sample, s.

    The one gap rule of runlens: gaps longer than ``dropout_s`` (dropouts,
    :data:`DROPOUT_S` = 60 s), gaps that go back in time and gaps that end a
    pause count 0.

    >>> sample_durations(np.array([0.0, 1.0, 3.0, 100.0])).tolist()
    [0.0, 1.0, 2.0, 0.0]
    """
    t = np.asarray(t_s, dtype=float)
    dt = np.zeros(t.shape)
    if t.size > 1:
        dt[1:] = np.diff(t)
    dt[(dt < 0) | (dt > dropout_s)] = 0.0
    if paused is not None:
        dt[np.asarray(paused, dtype=bool)] = 0.0
    return dt


def centred_median(values: np.ndarray, window: int, min_periods: int = 1) -> np.ndarray:
    """Centred rolling median over ``window`` samples, NaN ignored.

    The same values as pandas' ``Series(values).rolling(window, center=True,
    min_periods=min_periods).median()`` (infinities are missing, as there;
    sample ``i`` sees samples ``i - window // 2`` to ``i - window // 2 +
    window - 1``; an even count takes the mean of the two middle values),
    computed by sorting every window at once: for the short windows used here
    that is several times faster than pandas' general algorithm. ``tests/metrics/test_centred_median.py`` checks
    the equality.

    Parameters
    ----------
    values : numpy.ndarray
        Samples, any unit (returned in the same unit).
    window : int
        Samples per window (>= 1; meant for short windows: memory is
        ``len(values) x window``).
    min_periods : int
        Fewest non-NaN samples in a window for a value; otherwise NaN.

    Returns
    -------
    numpy.ndarray
    """
    from numpy.lib.stride_tricks import sliding_window_view

    x = np.asarray(values, dtype=float)
    n = x.size
    if n == 0:
        return x.copy()
    x = np.where(np.isinf(x), np.nan, x)  # pandas' rolling windows skip infinities too
    half = window // 2
    pad = np.full(n + window - 1, np.nan)
    pad[half : half + n] = x
    w = np.sort(sliding_window_view(pad, window), axis=1)  # NaN sort last
    count = window - np.isnan(w).sum(axis=1)
    rows = np.arange(n)
    lo = np.maximum((count - 1) // 2, 0)
    hi = count // 2
    out = (w[rows, lo] + w[rows, hi]) / 2.0  # odd count: (v + v) / 2 == v
    out[count < max(min_periods, 1)] = np.nan
    return out


def held_speed(timer_s: np.ndarray, dist_m: np.ndarray, window_s: float) -> np.ndarray:
    """Average speed over the ``window_s`` of timer time centred on each sample, m/s.

    Distance covered over timer time between the window's first and last
    samples (one ``searchsorted`` each way): a minute's pace, robust to single
    GPS spikes and to irregular sampling, NaN where the window holds under a
    third of its length (the run's ends and isolated samples).
    """
    t = np.asarray(timer_s, dtype=float)
    d = np.asarray(dist_m, dtype=float)
    n = len(t)
    if n == 0:
        return np.zeros(0)
    ok = np.isfinite(d)
    d = np.where(ok, d, np.nan)
    if not ok.all():  # carry the last known distance forward (distance never decreases)
        idx = np.where(ok, np.arange(n), 0)
        np.maximum.accumulate(idx, out=idx)
        d = d[idx]
    half = window_s / 2.0
    lo = np.searchsorted(t, t - half, side="left")
    hi = np.searchsorted(t, t + half, side="right") - 1
    span = t[hi] - t[lo]
    with np.errstate(divide="ignore", invalid="ignore"):
        v = (d[hi] - d[lo]) / span
    v[~(span >= window_s / 3.0)] = np.nan
    return v


def _one_record_glitches(v: np.ndarray) -> np.ndarray:
    """Mask of values of a cumulative channel above both neighbours, the channel going on below.

    A record ahead of the one before it and of the one after it, while those two
    are in order (the channel otherwise never decreases), is a one-record glitch
    (e.g. a distance 197 m ahead of both neighbours at a timer stop). A reset to
    0 (a new session) is not: there the neighbours are out of order.
    """
    bad = np.zeros(v.size, dtype=bool)
    ok = np.flatnonzero(np.isfinite(v))
    if ok.size < 3:
        return bad
    a, b, c = v[ok[:-2]], v[ok[1:-1]], v[ok[2:]]
    bad[ok[1:-1]] = (b > c) & (c >= a)
    return bad


def device_distance_steps(d: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Distance each record adds, from a device's cumulative distance channel (m).

    The watch's own count: a running maximum of the channel from the session's
    start, so a record that falls back (a glitch, GPS re-smoothing) never
    subtracts and, once the channel passes its old value, never adds twice; the
    first record's value counts (the session starts at 0), unless the channel
    carries on from the previous session (no reset). A one-record glitch ahead of
    both neighbours (:func:`_one_record_glitches`) adds nothing.

    Parameters
    ----------
    d : ndarray
        Cumulative distance per record (m), NaN where missing.
    first : ndarray of bool
        True at the first record of each session.

    Examples
    --------
    >>> import numpy as np
    >>> device_distance_steps(np.array([1.6, 10, 207, 20, 30]), np.array([1, 0, 0, 0, 0], bool))
    array([ 1.6,  8.4,  0. , 10. , 10. ])
    """
    d = np.where(_one_record_glitches(d), np.nan, d)
    n = d.size
    steps = np.zeros(n)
    starts = np.flatnonzero(first)
    ends = np.r_[starts[1:], n]
    prev_max = None
    for a, b in zip(starts, ends):
        seg = d[a:b]
        fin = np.isfinite(seg)
        if not fin.any():
            continue
        filled = np.where(fin, seg, -np.inf)
        top = np.maximum.accumulate(filled)
        v0 = float(seg[fin][0])
        base = prev_max if (prev_max is not None and v0 >= prev_max) else 0.0
        top = np.where(np.isfinite(top), top, base)
        steps[a:b] = np.diff(np.r_[base, np.maximum(top, base)])
        prev_max = float(top[-1])
    return steps


def bridged_speed(t: np.ndarray, step_d: np.ndarray, gap: np.ndarray) -> np.ndarray:
    """Speed from distance steps, bridged over repeated positions (m/s).

    A 1 Hz GPX often repeats a fix (217 of them in a 77-minute run): the record
    with the repeat moves 0 m and the next one twice as far. Each record takes
    the speed between the fixes around it, distance from the last new fix
    before it to the first new fix at or after it over their time apart, so a
    repeat is not a standstill (it cost 588 s of moving time) and a real stop
    (the fix repeated for a minute, then a step) stays slow.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(5.0)
    >>> bridged_speed(t, np.array([0, 3, 0, 6, 3.0]), np.r_[0, np.diff(t)]).tolist()
    [nan, 3.0, 3.0, 3.0, 3.0]
    """
    n = t.size
    speed = np.full(n, np.nan)
    if n < 2:
        return speed
    fresh = (step_d > 0) | (gap <= 0)  # a new fix, or the start of a segment
    fresh[0] = True
    idx = np.arange(n)
    # b: first fresh record at or after i; a: the fresh record before b.
    nxt = np.minimum.accumulate(np.where(fresh, idx, n)[::-1])[::-1]
    has_b = nxt < n
    b = np.where(has_b, nxt, n - 1)
    prev_fresh = np.maximum.accumulate(np.where(fresh, idx, -1))
    a = np.where(b > 0, prev_fresh[np.maximum(b - 1, 0)], -1)
    cum = np.cumsum(step_d)
    ok = has_b & (a >= 0) & (gap > 0) & (step_d[b] > 0)
    span = t[b] - t[np.maximum(a, 0)]
    with np.errstate(divide="ignore", invalid="ignore"):
        v = (cum[b] - cum[np.maximum(a, 0)]) / span
    speed[ok & (span > 0)] = v[ok & (span > 0)]
    # Records with a step that is not bridged (no repeat before): their own step.
    own = (gap > 0) & ~np.isfinite(speed)
    with np.errstate(divide="ignore", invalid="ignore"):
        speed[own] = step_d[own] / gap[own]
    return speed


def _fill_leading_distance(d: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Leading records without a distance, measured from their positions.

    Some devices write positions before the first distance (a Forerunner 310XT
    TCX: the first trackpoints have no DistanceMeters): the way covered there
    counts too. The channel is shifted by what the positions cover up to its
    first value, less what that value already holds; nothing changes when the
    leading records have no positions.
    """
    fin = np.flatnonzero(np.isfinite(d))
    if fin.size == 0 or fin[0] == 0:
        return d
    k = int(fin[0])
    la, lo = lat[: k + 1].astype(float), lon[: k + 1].astype(float)
    has = np.isfinite(la) & np.isfinite(lo)
    if has.sum() < 2 or not has[k]:
        return d
    la, lo = la[has], lo[has]
    lead = np.r_[0.0, np.cumsum(np.nan_to_num(haversine_m(la, lo)[1:], nan=0.0))]
    extra = max(float(lead[-1]) - float(d[k]), 0.0)
    if extra <= 0:
        return d
    out = d + extra
    pos = np.flatnonzero(has)
    out[pos[:-1]] = lead[:-1]
    return out


def _despike(speed: np.ndarray, cap: float, window: int, n_mad: float) -> np.ndarray:
    """Speed with spikes set to NaN: above ``cap`` or a Hampel outlier."""
    s = np.where(speed > cap, np.nan, speed)
    med = centred_median(s, window, min_periods=3)
    mad = centred_median(np.abs(s - med), window, min_periods=3)
    # 1.4826 scales a MAD to a standard deviation; the 1.5 m/s floor keeps
    # steady, low-noise stretches (MAD near 0) from turning every change of
    # pace into a "spike".
    limit = np.maximum(n_mad * 1.4826 * mad, 1.5)
    dev = np.abs(s - med)
    spike = np.isfinite(dev) & (dev > limit)
    s[spike] = np.nan
    return s


def _positive(rec: dict[str, np.ndarray], col: str) -> np.ndarray | None:
    """A channel as float64 with zeros and negatives missing (None if absent)."""
    if col not in rec:
        return None
    v = np.array(rec[col], dtype=float)
    v[~(v > 0)] = np.nan
    return v


def _ffill(a: np.ndarray) -> np.ndarray:
    """Missing values carried forward from the last present one (leading ones stay NaN)."""
    ok = ~np.isnan(a)
    if ok.all():
        return np.array(a, dtype=float)
    i = np.where(ok, np.arange(len(a)), 0)
    np.maximum.accumulate(i, out=i)
    out = np.asarray(a, dtype=float)[i]
    out[: np.argmax(ok) if ok.any() else len(a)] = np.nan
    return out


def _sports(activity: Activity, index, spans) -> np.ndarray:
    """Sport of each sample (by session), as an object array."""
    sport = np.full(len(index), activity.sport, dtype=object)
    for k, (s, span) in enumerate(zip(activity.sessions, spans)):
        sport[segment_mask(index, span, last=k == len(spans) - 1)] = s.sport
    return sport


class SampleTable:
    """The sample frame as NumPy columns: what runlens' own metrics and rules read.

    :func:`sample_frame`'s columns (same names, same values, same order) without
    pandas: ``table[name]`` is a read-only array, ``name in table``, ``len(table)``,
    ``table.columns``, ``table.index`` (the records' timestamps, as the activity holds
    them) and :meth:`to_frame` for the DataFrame an API user gets.
    """

    __slots__ = ("_cols", "t_ns", "_index")

    def __init__(self, cols: dict[str, np.ndarray], t_ns: np.ndarray) -> None:
        for v in cols.values():
            v.flags.writeable = False  # shared by every reader of the activity's table
        self._cols = cols
        self.t_ns = t_ns
        self._index = None

    @property
    def index(self) -> pd.DatetimeIndex:
        """The records' timestamps as a UTC DatetimeIndex (imports pandas)."""
        if self._index is None:
            from ..model import Records

            self._index = Records(self.t_ns).index_frame()
        return self._index

    def __getitem__(self, name: str) -> np.ndarray:
        return self._cols[name]

    def __contains__(self, name: object) -> bool:
        return name in self._cols

    def __len__(self) -> int:
        return len(self._cols["t_s"])

    @property
    def empty(self) -> bool:
        return len(self) == 0

    @property
    def columns(self) -> list[str]:
        return list(self._cols)

    def to_frame(self) -> pd.DataFrame:
        """The table as a DataFrame indexed by the records' timestamps (a new one)."""
        import pandas as pd

        return pd.DataFrame(
            {k: v.copy() for k, v in self._cols.items()}, index=self.index.copy()
        )


def samples(
    activity: Activity,
    *,
    running_only: bool = True,
    options: MetricOptions | None = None,
) -> SampleTable:
    """:func:`sample_frame` as a :class:`SampleTable` (NumPy columns, no pandas).

    Inside :func:`runlens.memo.analysis_scope` it is built once per activity and
    options, and every caller reads the same read-only arrays.
    """
    from ..memo import memo

    opt = options or MetricOptions()
    return memo(
        activity,
        ("samples", running_only, opt),
        lambda: _sample_frame(activity, running_only, opt),
    )


def sample_frame(
    activity: Activity,
    *,
    running_only: bool = True,
    options: MetricOptions | None = None,
) -> pd.DataFrame:
    """Derived per-sample series of an activity (a new DataFrame).

    Parameters
    ----------
    activity : Activity
        Not modified.
    running_only : bool
        Keep only samples inside running sessions when the activity has any
        (multisport files); otherwise keep every sample.
    options : MetricOptions, optional

    Returns
    -------
    pandas.DataFrame
        Index: the records' UTC timestamps (the subset kept). Columns:

        - ``t_s``: Unix seconds; ``dt_s``: seconds this sample stands for (the
          gap to the previous sample; 0 for the first sample, for gaps that
          span a timer pause, and for dropouts longer than ``dropout_s``);
        - ``paused``: timer stopped; ``timer_s``: cumulative timer seconds;
        - ``dist_step_m``, ``distance_m``: distance added by this sample and
          cumulative distance from the first kept sample, m (never decreases);
        - ``speed_m_s``: device speed (else distance / time) with spikes as
          NaN; ``moving``: speed above ``moving_speed_m_s`` and timer running;
        - ``running``: moving, on foot, and (in running sessions) cadence at
          or above ``walk_cadence_spm`` when cadence is recorded;
        - ``altitude_m`` (smoothed), ``grade_pct``;
        - :data:`DYNAMICS_COLUMNS`, ``heart_rate_bpm`` and
          ``respiration_rate_brpm`` (breaths/min) with zeros as NaN;
          ``step_length_m`` is the device value, else speed x 60 / cadence;
          ``stride_length_m`` = 2 x step length; ``vertical_ratio_pct`` the
          device value, else oscillation / step length x 100;
        - ``steady``: steady running (:func:`steady_flags` with the default
          thresholds: running, at least 2 m/s, grade known and under 3 %
          either way, past the first 10 min of timer time of its session,
          and standing for some time, ``dt_s > 0``); the one definition of
          steady running every rule, baseline and chart uses;
        - ``sport``: the session's sport; ``session``: session number (-1
          outside every session); ``record_pos``: the row's position in
          ``activity.records``.

        Inside :func:`runlens.memo.analysis_scope` the columns are computed once
        per activity and options (:func:`samples`); each call gets a new frame.
    """
    return samples(activity, running_only=running_only, options=options).to_frame()


def _sample_frame(activity: Activity, running_only: bool, opt: MetricOptions) -> SampleTable:
    """:func:`samples` itself (not cached)."""
    tab = activity.table
    t_ns = tab.t_ns
    pos = np.arange(len(t_ns))
    if len(t_ns) > 1 and (np.diff(t_ns) < 0).any():
        # Some devices write a record out of order; time order is what every
        # duration below assumes (a sorted copy: the activity is not touched).
        pos = np.argsort(t_ns, kind="stable")
        t_ns = t_ns[pos]
    spans = segment_spans(activity)
    sport = _sports(activity, t_ns, spans)
    session = np.full(len(t_ns), -1)
    for k, span in enumerate(spans):
        session[segment_mask(t_ns, span, last=k == len(spans) - 1)] = k
    if running_only and activity.is_running and activity.sessions:
        keep = (sport == "running") & (session >= 0)
        sport, session, pos, t_ns = sport[keep], session[keep], pos[keep], t_ns[keep]
    identity = len(pos) == len(tab) and (len(pos) == 0 or (pos[0] == 0 and (np.diff(pos) == 1).all()))
    rec = {k: (v if identity else v[pos]) for k, v in tab.cols.items()}
    n = len(t_ns)
    t = t_ns / 1e9
    paused = pause_flags(t, activity)

    gap = np.zeros(n)
    if n > 1:
        gap[1:] = np.diff(t)
    # Across a session boundary (multisport, running_only) the gap is not ours.
    if n > 1:
        gap[1:][session[1:] != session[:-1]] = 0.0
    dt = sample_durations(t, paused, opt.dropout_s)
    if n > 1:
        dt[1:][session[1:] != session[:-1]] = 0.0
    if timer_runs_between_samples(activity):
        # FIT devices write timer events: the timer ran between them, samples
        # or not (smart recording), so timer seconds are wall seconds.
        tgap = np.where(paused, 0.0, gap)
    else:
        tgap = dt

    foot = np.isin(sport, list(FOOT_SPORTS))
    cap = np.where(foot, _MAX_SPEED_FOOT, _MAX_SPEED_OTHER)

    # Distance: the device channel when present, else haversine.
    step_d = None
    first = np.ones(n, dtype=bool)  # the first record of its session
    if n > 1:
        first[1:] = session[1:] != session[:-1]
    def present(col: str) -> bool:
        return col in rec and bool((~np.isnan(rec[col])).any())

    if present("distance_m"):
        d = np.array(rec["distance_m"], dtype=float)
        if "lat_deg" in rec and "lon_deg" in rec:
            d = _fill_leading_distance(d, rec["lat_deg"], rec["lon_deg"])
        step_d = device_distance_steps(d, first)
    elif "lat_deg" in rec and "lon_deg" in rec and present("lat_deg"):
        lat = _ffill(rec["lat_deg"])
        lon = _ffill(rec["lon_deg"])
        step_d = np.nan_to_num(haversine_m(lat, lon), nan=0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            implied = np.where(gap > 0, step_d / gap, np.inf)
        # A jump faster than the sport allows is a GPS spike; paused steps
        # (the runner moved with the timer off) are not part of the run.
        step_d[(implied > cap) | paused] = 0.0
    if step_d is not None:
        if not present("distance_m"):
            step_d[first] = 0.0  # a position alone says nothing of the way to it
        dist = np.cumsum(step_d)
    else:
        dist = np.full(n, np.nan)

    # Speed: device channel, else distance over time.
    if present("speed_m_s"):
        raw_speed = np.array(rec["speed_m_s"], dtype=float)
    elif step_d is not None:
        raw_speed = bridged_speed(t, step_d, gap)
    else:
        raw_speed = np.full(n, np.nan)
    speed = _despike(raw_speed, cap, opt.spike_window, opt.spike_mad) if n else raw_speed
    moving = np.nan_to_num(speed, nan=0.0) > opt.moving_speed_m_s
    moving &= ~paused

    cols: dict[str, np.ndarray] = {
        "t_s": t,
        "dt_s": dt,
        "paused": paused,
        "timer_s": np.cumsum(tgap),
        "dist_step_m": step_d if step_d is not None else np.full(n, np.nan),
        "session_first": first,
        "distance_m": dist,
        "speed_m_s": speed,
        "moving": moving,
    }

    cad = _positive(rec, "cadence_spm")
    if cad is not None:
        # Standing with the timer running: a watch writes cadence 0. Garmin's
        # session average counts these records (docs/metrics.md, "Cadence by maker").
        cols["cadence_zero"] = (rec["cadence_spm"] == 0.0) & ~paused
    rpm = _positive(rec, "cadence_rpm")
    if rpm is not None and foot.any():
        # A reader that could not place a record in its foot session leaves the
        # FIT cadence (strides/min, fractional part added) in cadence_rpm; on
        # foot that is half the step rate (evidence.md section 1).
        as_steps = np.where(foot, 2.0 * rpm, np.nan)
        cad = as_steps if cad is None else np.where(np.isfinite(cad), cad, as_steps)
        if not np.isfinite(cad).any():
            cad = None
    step = _positive(rec, "step_length_m")
    if step is not None:
        cols["step_measured"] = np.isfinite(step)
    if cad is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            derived = speed * 60.0 / cad
        derived[~(derived > 0)] = np.nan
        step = derived if step is None else np.where(np.isfinite(step), step, derived)
    vo = _positive(rec, "vertical_oscillation_mm")
    vr = _positive(rec, "vertical_ratio_pct")
    if vo is not None and step is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            vr_derived = vo / (step * 1000.0) * 100.0
        vr = vr_derived if vr is None else np.where(np.isfinite(vr), vr, vr_derived)
    dyn = {
        "cadence_spm": cad,
        "step_length_m": step,
        "stride_length_m": None if step is None else 2.0 * step,
        "vertical_oscillation_mm": vo,
        "vertical_ratio_pct": vr,
        "ground_contact_ms": _positive(rec, "ground_contact_ms"),
        "ground_contact_pct": _positive(rec, "ground_contact_pct"),
        "gct_balance_left_pct": _positive(rec, "gct_balance_left_pct"),
        "power_w": _positive(rec, "power_w"),
        "heart_rate_bpm": _positive(rec, "heart_rate_bpm"),
        "respiration_rate_brpm": _positive(rec, "respiration_rate_brpm"),
    }
    for k, v in dyn.items():
        if v is not None:
            cols[k] = v

    # Running: moving on foot; in running sessions, not walking.
    running = moving & foot
    if cad is not None:
        walk = (sport == "running") & np.isfinite(cad) & (cad < opt.walk_cadence_spm)
        if walk.any() and np.isfinite(dist).any():
            fast = held_speed(cols["timer_s"], dist, RUN_SPEED_WINDOW_S) >= opt.run_speed_m_s
            fast &= np.nan_to_num(speed) >= RUN_SAMPLE_SPEED_M_S
            walk &= ~(fast & (cad >= MIN_RUN_CADENCE_SPM))
        running &= ~walk
    cols["running"] = running

    if present("altitude_m"):
        from .elevation import grade_pct, smooth_altitude_array

        alt = smooth_altitude_array(rec["altitude_m"], t_ns, opt.altitude_smooth_s)
        cols["altitude_m"] = alt
        cols["grade_pct"] = grade_pct(alt, dist, opt.grade_window_m)
    cols["sport"] = sport
    cols["session"] = session
    cols["record_pos"] = pos
    cols["steady"] = steady_flags(cols)
    return SampleTable(cols, t_ns)


def steady_flags(
    frame,
    min_speed_m_s: float = STEADY_MIN_SPEED_M_S,
    max_abs_grade_pct: float = STEADY_MAX_GRADE_PCT,
    warmup_s: float = STEADY_WARMUP_S,
    speed_m_s: np.ndarray | None = None,
) -> np.ndarray:
    """Steady-running flags of a sample frame (evidence.md section 2).

    A sample is steady when it is ``running``, stands for some time
    (``dt_s > 0``), its speed is at least ``min_speed_m_s``, the grade around it
    is known and within ``max_abs_grade_pct`` either way (a frame without
    altitude has no grade: then grade does not exclude), and at least
    ``warmup_s`` of timer time have passed since its session started.

    Parameters
    ----------
    frame : pandas.DataFrame, SampleTable or dict of arrays
        From :func:`sample_frame` (``running``, ``dt_s``, ``speed_m_s``,
        ``timer_s``, ``session``, optionally ``grade_pct``).
    min_speed_m_s : float
        m/s, default 2.0.
    max_abs_grade_pct : float
        %, default 3.0.
    warmup_s : float
        s of timer time, default 600.
    speed_m_s : numpy.ndarray, optional
        Speed to test instead of the frame's (e.g. a smoothed copy), m/s.

    Returns
    -------
    numpy.ndarray of bool
    """
    def col(name: str) -> np.ndarray:
        return np.asarray(frame[name])

    speed = col("speed_m_s") if speed_m_s is None else np.asarray(speed_m_s)
    ok = col("running") & (np.nan_to_num(speed, nan=0.0) >= min_speed_m_s)
    ok &= col("dt_s") > 0
    if "grade_pct" in frame:
        g = col("grade_pct")
        # Grade unknown at the ends (the window does not fit): not steady.
        ok &= np.isfinite(g) & (np.abs(g) < max_abs_grade_pct)
    # Warm-up: timer seconds since the start of each session.
    timer = col("timer_s")
    sess = col("session")
    n = len(timer)
    start = np.zeros(n)
    if n:
        first = np.r_[True, sess[1:] != sess[:-1]]
        start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
        start = timer[start]
    ok &= (timer - start) >= warmup_s
    return ok
