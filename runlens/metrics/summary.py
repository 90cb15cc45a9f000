"""Per-activity, per-session, per-lap and per-kilometre metrics.

Everything here aggregates :func:`runlens.metrics.samples.sample_frame`, so
the activity, its laps and its kilometres share one set of definitions
(docs/metrics.md gives each with its unit and source):

- distance: the device's distance channel, else haversine (evidence.md s. 6);
- elapsed: from the segment's start to its last sample (the FIT session's
  ``total_elapsed_time``; the session ``timestamp`` can be much later);
- timer: elapsed minus timer pauses (FIT event=timer, evidence.md s. 1); for
  files without timer events (GPX), the sum of sample gaps without dropouts;
- moving: seconds of samples above 0.894 m/s with the timer running (s. 6);
- averages: time-weighted (smart recording, s. 1), zeros and dropouts missing.

Two averages of each running-dynamics channel are given. The *watch* average
(the :data:`~runlens.model.SUMMARY_KEYS` values) weighs every sample with the
timer running and a non-zero value, gait or not: that is how Garmin watches
average, and so runlens' number can be checked against the watch's. The
*running* average (``run_*`` keys) keeps running samples only (moving, on
foot, and in a running session not below the walking step rate), which is what
form rules must judge: walking breaks and standing at lights say nothing about
running form.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..model import SUMMARY_KEYS, Activity, to_ns
from ..units import percentiles
from .elevation import ascent_descent
from .samples import (
    DYNAMICS_COLUMNS,
    MetricOptions,
    haversine_m,
    sample_durations,
    samples,
    segment_spans,
    timer_runs_between_samples,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "summarize",
    "activity_metrics",
    "aggregate",
    "session_metrics",
    "lap_metrics",
    "lap_rows",
    "km_splits",
    "split_rows",
    "rows_table",
    "heart_rate_stats",
    "haversine_m",
    "sample_durations",
    "time_weighted_mean",
    "ascent_descent",
    "AVERAGED",
    "BREATHING_KEYS",
    "steps_per_breath",
]

#: Channels averaged over time (watch definition and running-only definition):
#: the running-dynamics channels of :mod:`runlens.metrics.samples`.
AVERAGED = DYNAMICS_COLUMNS

#: Breathing metrics of :func:`aggregate` (docs/metrics.md, evidence.md section 8):
#: time-weighted breathing rate (breaths/min) and steps per breath over steady running.
BREATHING_KEYS = ("respiration_rate_brpm", "steps_per_breath")

#: Steady running with both step rate and breathing rate needed for steps per breath, s.
STEPS_PER_BREATH_MIN_S = 60.0
#: Bounds outside which a derived number is not a measurement (docs/metrics.md,
#: "Plausibility"): key -> (low, high, what to check). Runners couple 2-5 steps
#: per breath (Bramble & Carrier 1983; evidence.md section 8); about 1.5-8 leaves
#: margin. A step over 2.5 m at running cadence is beyond elite sprinting.
PLAUSIBLE: dict[str, tuple[float, float, str]] = {
    "steps_per_breath": (1.5, 8.0, "check the strap"),
    "step_length_m": (0.2, 2.5, "check the foot pod or GPS"),
    "run_step_length_m": (0.2, 2.5, "check the foot pod or GPS"),
}


def check_plausible(out: dict[str, Any]) -> dict[str, Any]:
    """Move derived values outside :data:`PLAUSIBLE` to ``<key>_implausible``.

    The value itself becomes None (never printed as a measurement); the number
    stays under ``<key>_implausible`` so the output can say "not plausible" and
    show what was seen. Step length is judged only at running cadence
    (140 steps/min or more), where 2.5 m is not reachable.

    >>> check_plausible({"steps_per_breath": 12.3})
    {'steps_per_breath': None, 'steps_per_breath_implausible': 12.3}
    """
    for key, (lo, hi, _) in PLAUSIBLE.items():
        v = out.get(key)
        if v is None or not np.isfinite(v):
            continue
        if key.endswith("step_length_m"):
            cad = out.get("run_cadence_spm" if key.startswith("run_") else "cadence_spm")
            if cad is None or cad < 140.0:
                continue
        if not lo <= v <= hi:
            out[key] = None
            out[key + "_implausible"] = float(v)
    return out

#: Averages reported per kilometre split.
_SPLIT_KEYS = (
    "cadence_spm",
    "run_cadence_spm",
    "step_length_m",
    "vertical_oscillation_mm",
    "vertical_ratio_pct",
    "ground_contact_ms",
    "gct_balance_left_pct",
    "power_w",
    "heart_rate_bpm",
    "ascent_m",
    "descent_m",
)


def time_weighted_mean(values, weights) -> float | None:
    """Mean of ``values`` weighted by ``weights`` (s), skipping NaN.

    >>> time_weighted_mean([170, 180, np.nan], [1, 3, 5])
    177.5
    """
    v = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    ok = np.isfinite(v) & (w > 0)
    tot = w[ok].sum()
    return float((v[ok] * w[ok]).sum() / tot) if tot > 0 else None


def heart_rate_stats(frame: pd.DataFrame, *, weights: str = "dt_s") -> dict[str, float | None]:
    """Heart-rate statistics of a sample frame, 1/min.

    Returns
    -------
    dict
        ``hr_avg_bpm`` (time-weighted), ``hr_max_bpm``, ``hr_min_bpm``,
        ``hr_sd_bpm`` (time-weighted standard deviation), ``hr_p95_bpm``
        (95th percentile of samples) and ``hr_drift_pct``: second-half average
        over first-half average of timer time, minus 1, x 100 (a rise at
        steady effort is cardiac drift). ``None`` without heart rate.
    """
    if "heart_rate_bpm" not in frame or frame.empty:
        return _hr_stats(None, None)
    return _hr_stats(np.asarray(frame["heart_rate_bpm"]), np.asarray(frame[weights]))


def _hr_stats(hr: np.ndarray | None, w: np.ndarray | None) -> dict[str, float | None]:
    """:func:`heart_rate_stats` of arrays (heart rate 1/min, weights s; None: no channel)."""
    keys = ("hr_avg_bpm", "hr_max_bpm", "hr_min_bpm", "hr_sd_bpm", "hr_p95_bpm", "hr_drift_pct")
    out: dict[str, float | None] = dict.fromkeys(keys)
    if hr is None or hr.size == 0:
        return out
    hr = np.asarray(hr, dtype=float)
    w = np.asarray(w, dtype=float)
    ok = np.isfinite(hr)
    if not ok.any():
        return out
    avg = time_weighted_mean(hr, w)
    out["hr_avg_bpm"] = avg
    out["hr_max_bpm"] = float(np.nanmax(hr))
    out["hr_min_bpm"] = float(np.nanmin(hr))
    out["hr_p95_bpm"] = percentiles(hr[ok], 95)
    if avg is not None:
        out["hr_sd_bpm"] = float(np.sqrt(time_weighted_mean((hr - avg) ** 2, w)))
        cum = np.cumsum(np.where(ok, w, 0.0))
        half = cum <= cum[-1] / 2.0
        a, b = time_weighted_mean(hr[half], w[half]), time_weighted_mean(hr[~half], w[~half])
        if a and b:
            out["hr_drift_pct"] = (b / a - 1.0) * 100.0
    return out


def _pause_overlap_s(activity: Activity, start: float, end: float) -> float:
    """Seconds of timer pauses inside ``[start, end]`` (Unix seconds)."""
    if not activity.pauses or end <= start:
        return 0.0
    s, e = _pause_arrays(activity.pauses)
    return float(np.clip(np.minimum(e, end) - np.maximum(s, start), 0.0, None).sum())


#: The last pause list's (list, starts, ends): a file of thousands of laps asks for
#: each lap's pauses, and rebuilding the arrays per lap was quadratic (issue 29).
#: One tuple, replaced whole: a reader in another thread (a Dask worker's) sees
#: either the old entry or the new one, never a mix.
_PAUSES_SEEN: tuple = (None, None, None)


def _pause_arrays(pauses) -> tuple[np.ndarray, np.ndarray]:
    """Pause starts and ends (Unix s) of ``pauses``, built once per pause list."""
    global _PAUSES_SEEN
    seen = _PAUSES_SEEN
    if seen[0] is not pauses:
        seen = (
            pauses,
            np.array([p.start_ns / 1e9 for p in pauses]),
            np.array([p.end_ns / 1e9 for p in pauses]),
        )
        _PAUSES_SEEN = seen
    return seen[1], seen[2]


def _trackless_laps(
    activity: Activity, t: np.ndarray, step_d: np.ndarray, t0: float, t1: float
) -> tuple[float, float]:
    """Timer and distance of laps without track points that the samples do not hold.

    A TCX lap with fewer than two trackpoints (``extra["laps_without_track"]``:
    start, end, TotalTimeSeconds, DistanceMeters, Unix s) starting inside
    ``[t0, t1]`` contributes its own totals, less what the samples already hold
    over its span: its time inside the samples' span (the timer ran between
    them) and the distance channel's rise across it.
    """
    laps = activity.extra.get("laps_without_track") or ()
    if not laps or t.size == 0:
        return 0.0, 0.0
    cum = np.cumsum(np.nan_to_num(step_d, nan=0.0))
    add_t = add_d = 0.0
    for a, b, timer, dist in laps:
        if not (t0 - 1.0 <= a <= t1 + 1.0):
            continue
        end = a + timer if timer else b
        if timer:
            held = max(0.0, min(end, float(t[-1])) - max(a, float(t[0])))
            add_t += max(0.0, timer - held)
        if dist:
            held = float(np.interp(end, t, cum) - np.interp(a, t, cum))
            add_d += max(0.0, dist - held)
    return add_t, add_d


def aggregate(
    frame: pd.DataFrame,
    activity: Activity,
    *,
    start: pd.Timestamp | None = None,
    options: MetricOptions | None = None,
) -> dict[str, Any]:
    """All metrics of a slice of :func:`sample_frame` (one segment).

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows of one segment (activity, session, lap or kilometre).
    activity : Activity
        For its timer pauses and format.
    start : pandas.Timestamp, optional
        The segment's start (a session's start_time); default: first sample.
    options : MetricOptions, optional

    Returns
    -------
    dict
        :data:`~runlens.model.SUMMARY_KEYS` plus ``descent_m``,
        ``pace_s_per_km``, ``max_speed_m_s``, ``running_s``,
        ``stride_length_m``, ``ground_contact_pct``, ``power_w``, ``run_*``
        (running-only averages of :data:`AVERAGED`), :data:`BREATHING_KEYS`
        (``respiration_rate_brpm`` time-weighted over timer time, breaths/min;
        ``steps_per_breath`` over steady running, :func:`steps_per_breath`) and
        :func:`heart_rate_stats` keys. Units as in the key names; ``None``
        where the channel is missing.
    """
    return _aggregate(_columns(frame), activity, start=start, options=options)


#: Sample-frame columns :func:`aggregate` reads.
_AGGREGATE_COLUMNS = (
    "t_s",
    "dt_s",
    "dist_step_m",
    "session_first",
    "speed_m_s",
    "moving",
    "running",
    *AVERAGED,
    "cadence_zero",
    "step_measured",
    "heart_rate_bpm",
    "altitude_m",
    "respiration_rate_brpm",
    "steady",
)


def _columns(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """The columns :func:`aggregate` reads, as arrays (each read from pandas once)."""
    # Steps per breath is judged on the frame's one ``steady`` column
    # (runlens.metrics.samples.steady_flags); no second definition here.
    return {c: np.asarray(frame[c]) for c in _AGGREGATE_COLUMNS if c in frame}


def steps_per_breath(
    cadence_spm, respiration_rate_brpm, weights_s, steady=None, min_s: float = STEPS_PER_BREATH_MIN_S
) -> float | None:
    """Steps per breath: time-weighted step rate over time-weighted breathing rate.

    Both averages are taken over the same samples (steady running, where both
    channels have a value), so the ratio is that of one stretch of running;
    a ratio of averages rather than an average of per-sample ratios, because
    the watch's breathing rate is noisy sample to sample (evidence.md section 8).

    Parameters
    ----------
    cadence_spm : array_like
        Step rate, steps/min.
    respiration_rate_brpm : array_like
        Breathing rate, breaths/min.
    weights_s : array_like
        Seconds each sample stands for.
    steady : array_like of bool, optional
        Samples to use (default all).
    min_s : float
        Fewest seconds of usable samples for a value, s.

    Returns
    -------
    float or None
        Steps per breath; None with under ``min_s`` of usable samples.

    Examples
    --------
    Three half-minutes: (180 + 180 + 150) / (40 + 40 + 50) = 510 / 130 steps per
    breath, not the mean 4.0 of the per-sample ratios 4.5, 4.5 and 3.0.

    >>> round(steps_per_breath([180, 180, 150], [40, 40, 50], [30, 30, 30], min_s=60), 3)
    3.923
    """
    c = np.asarray(cadence_spm, dtype=float)
    b = np.asarray(respiration_rate_brpm, dtype=float)
    w = np.asarray(weights_s, dtype=float)
    ok = np.isfinite(c) & np.isfinite(b) & (b > 0) & (w > 0)
    if steady is not None:
        ok &= np.asarray(steady, dtype=bool)
    if w[ok].sum() < min_s:
        return None
    return float((c[ok] * w[ok]).sum() / (b[ok] * w[ok]).sum())


#: Makers whose watches count zero-cadence records (standing, timer running) in
#: the session's average cadence (docs/metrics.md, "Cadence by maker").
ZERO_CADENCE_MAKERS = frozenset({"garmin", "dynastream", "dynastream_oem"})


#: Garmin firmware counts zero-cadence records in files from about 2014 on
#: (fenix2 2015, fenix 5 2017, FR920XT 2018-19, FR645 2019, FR955 2022, FR255
#: 2023, FR620 TCX 2018 in the corpus); a Forerunner 70 file (2011 device, its
#: clock never set) does not.
ZERO_CADENCE_SINCE_YEAR = 2014


def cadence_convention(activity: Activity) -> str:
    """How the recording device averages cadence: "with zeros" or "without zeros".

    Garmin (and its Dynastream ANT+ brand) since about 2014: with zeros; every
    other maker (Coros, Suunto, Polar, Wahoo, apps) and older Garmin files:
    without. A file does not record the watch's "data averaging" setting, so
    this is the default, judged by maker and the activity's year.
    """
    maker = (activity.device.manufacturer or "").strip().lower()
    if not maker:  # a TCX names its device, not its maker ("Garmin Forerunner 620")
        name = (activity.device.product or "").lower()
        if any(w in name for w in ("garmin", "forerunner", "fenix", "edge ")):
            maker = "garmin"
    start_ns = activity.start_ns
    year = (
        int(np.datetime64(start_ns, "ns").astype("datetime64[Y]").astype(np.int64)) + 1970
        if start_ns is not None
        else None
    )
    if maker in ZERO_CADENCE_MAKERS and year is not None and year >= ZERO_CADENCE_SINCE_YEAR:
        return "with zeros"
    return "without zeros"


def _cadence_by_maker(
    frame: dict[str, np.ndarray], dt: np.ndarray, activity: Activity
) -> dict[str, Any]:
    """The watch-comparable cadence by the maker's convention.

    ``cadence_nonzero_spm``: time-weighted over records with a step rate;
    ``cadence_with_zeros_spm``: the same with zero-cadence records (standing,
    timer running) in the weights, as Garmin averages. ``cadence_spm`` (the
    column beside the watch's) takes the maker's; the running-only
    ``run_cadence_spm`` that the rules use is neither.
    """
    cad = frame.get("cadence_spm")
    if cad is None:
        return {}
    nonzero = time_weighted_mean(cad, dt)
    zero = frame.get("cadence_zero")
    with_zeros = nonzero
    if zero is not None and nonzero is not None:
        ok = np.isfinite(cad) & (dt > 0)
        wz = float(dt[zero & (dt > 0)].sum())
        w = float(dt[ok].sum())
        if wz > 0 and w + wz > 0:
            with_zeros = float((cad[ok] * dt[ok]).sum() / (w + wz))
    conv = cadence_convention(activity)
    return {
        "cadence_spm": with_zeros if conv == "with zeros" else nonzero,
        "cadence_nonzero_spm": nonzero,
        "cadence_with_zeros_spm": with_zeros,
        "cadence_convention": conv,
    }


#: Below this share of step-length time measured by the device, the watch's
#: step length is distance / steps (a partly measured treadmill run).
STEP_MEASURED_MIN_SHARE = 0.9


def _step_by_watch(
    frame: dict[str, np.ndarray], dt: np.ndarray, distance_m: float | None
) -> dict[str, Any]:
    """The watch-comparable step length when the device measured only part of it.

    Where the device wrote step length on most records, the watch's session
    value is their time-weighted mean (the corpus agrees within 1.8 %). Where
    it wrote it on few (559 of 3101 records of a treadmill run), a mean of
    measured and speed-derived values is neither: the watch's value is
    distance / steps, and so is the comparison column then
    (``step_length_source``). The running-only ``run_step_length_m`` is unchanged.
    """
    measured = frame.get("step_measured")
    cad = frame.get("cadence_spm")
    if measured is None or cad is None or not distance_m:
        return {}
    has = np.isfinite(frame["step_length_m"]) & (dt > 0)
    total = float(dt[has].sum())
    if total <= 0:
        return {}
    share = float(dt[has & measured].sum()) / total
    if share >= STEP_MEASURED_MIN_SHARE:
        return {"step_length_source": "device"}
    ok = np.isfinite(cad) & (dt > 0)
    steps = float((cad[ok] * dt[ok]).sum()) / 60.0
    if steps <= 0:
        return {}
    step = distance_m / steps
    out: dict[str, Any] = {"step_length_m": step, "step_length_source": "distance / steps"}
    if "stride_length_m" in frame:
        out["stride_length_m"] = 2.0 * step
    return out


def _take(cols: dict[str, np.ndarray], sel: np.ndarray) -> dict[str, np.ndarray]:
    """Rows ``sel`` (mask or positions) of every column."""
    return {c: v[sel] for c, v in cols.items()}


def _aggregate(
    cols: dict[str, np.ndarray],
    activity: Activity,
    *,
    start: pd.Timestamp | None = None,
    options: MetricOptions | None = None,
    span_end: float | None = None,
    sport: str | None = None,
) -> dict[str, Any]:
    """:func:`aggregate` of columns as arrays (:func:`_columns`): no pandas per segment.

    ``span_end`` (Unix s): the aggregate is a whole session (or activity) ending
    then; laps without track points inside it add their own totals. ``sport``: the
    span's sport (its session's or lap's; default the activity's).
    """
    opt = options or MetricOptions()
    out: dict[str, Any] = dict.fromkeys(SUMMARY_KEYS)
    if cols["t_s"].size == 0:
        return out
    frame = cols
    t = frame["t_s"]
    t0 = to_ns(start) / 1e9 if start is not None else float(t[0])
    t0 = min(t0, float(t[0]))
    t_end = float(t[-1])
    dt = frame["dt_s"]

    step_d = frame["dist_step_m"]
    if np.isfinite(step_d).any():
        # A sample's step is the way to it from the record before: the first
        # sample's belongs to the previous segment, unless it is the first of
        # its session (then it is the way from the session's start, which counts).
        first = frame.get("session_first")
        own = np.zeros(t.size, dtype=bool) if first is None else first.astype(bool)
        if start is None:
            own[1:] = True
        else:
            own |= t > t0
        out["distance_m"] = float(np.nansum(step_d[own]))
    elapsed = t_end - t0
    out["elapsed_s"] = elapsed
    if timer_runs_between_samples(activity):
        timer = elapsed - _pause_overlap_s(activity, t0, t_end)
    else:
        timer = float(dt.sum())
    out["timer_s"] = max(min(timer, elapsed), 0.0)
    if span_end is not None:
        add_t, add_d = _trackless_laps(activity, t, step_d, t0, span_end)
        if add_t or add_d:
            out["timer_s"] += add_t
            out["elapsed_s"] = elapsed = elapsed + add_t
            if out["distance_m"] is not None:
                out["distance_m"] += add_d
    speed = frame["speed_m_s"]
    moving = frame["moving"]
    if np.isfinite(speed).any():
        out["moving_s"] = min(float(dt[moving].sum()), out["timer_s"])
        out["max_speed_m_s"] = float(np.nanmax(speed))
    lengths = activity.extra.get("pool_lengths")
    if lengths and (sport or activity.sport) == "swimming":
        # a pool swim: its swimming time is its active lengths' time (rests at the wall
        # are idle lengths), not its few speed samples
        hi = max(t_end, span_end or t_end)
        swum = [d for a, _b, d in lengths if t0 - 1.0 <= a <= hi]
        if swum:
            out["moving_s"] = min(float(sum(swum)), out["timer_s"])
    else:
        swum = []
    if out["distance_m"] is not None and out["timer_s"]:
        # a pool swim's pace is over its swimming time, as the watch's (rests left out)
        t_pace = out["moving_s"] if swum and out["moving_s"] else out["timer_s"]
        out["avg_speed_m_s"] = out["distance_m"] / t_pace
        out["pace_s_per_km"] = (
            t_pace / out["distance_m"] * 1000.0 if out["distance_m"] > 0 else None
        )
    running = frame["running"]
    out["running_s"] = float(dt[running].sum())
    run_w = np.where(running, dt, 0.0)
    for key in AVERAGED:
        if key in frame:
            v = frame[key]
            out[key] = time_weighted_mean(v, dt)
            out["run_" + key] = time_weighted_mean(v, run_w)
        else:
            out.setdefault(key, None)
            out["run_" + key] = None
    out.update(_cadence_by_maker(frame, dt, activity))
    out.update(_step_by_watch(frame, dt, out.get("distance_m")))
    br = frame.get("respiration_rate_brpm")
    out["respiration_rate_brpm"] = time_weighted_mean(br, dt) if br is not None else None
    out["steps_per_breath"] = (
        steps_per_breath(frame["cadence_spm"], br, dt, frame.get("steady"))
        if br is not None and "cadence_spm" in frame
        else None
    )
    hr = _hr_stats(frame.get("heart_rate_bpm"), dt)
    out["heart_rate_bpm"] = hr["hr_avg_bpm"]
    out.update(hr)
    if "altitude_m" in frame and not np.isnan(frame["altitude_m"]).all():
        up, down = ascent_descent(frame["altitude_m"], opt.hysteresis_m)
        out["ascent_m"], out["descent_m"] = up, down
    else:
        out["descent_m"] = None
    return check_plausible(out)


def activity_metrics(
    activity: Activity, *, running_only: bool = True, options: MetricOptions | None = None
) -> dict[str, Any]:
    """Every activity-level metric (see :func:`aggregate`).

    With ``running_only`` and running sessions in a multisport file, the
    running sessions are measured each from its own start and added up
    (totals add; averages weigh by each session's sample time).
    """
    frame = samples(activity, running_only=running_only, options=options)
    spans = segment_spans(activity)
    cols = _columns(frame)
    if frame.empty:
        return _aggregate(cols, activity, options=options)
    session = frame["session"]
    sessions = sorted(set(session.tolist()))
    if len(sessions) <= 1:
        k = sessions[0] if sessions else -1
        start = spans[k][0] if k >= 0 else None
        end = spans[k][1] / 1e9 if k >= 0 else float(cols["t_s"][-1])
        sport = activity.sessions[k].sport if 0 <= k < len(activity.sessions) else None
        out = _aggregate(cols, activity, start=start, options=options, span_end=end, sport=sport)
        return _trust_totals(activity, out)
    parts = [
        _aggregate(
            _take(cols, session == k),
            activity,
            start=spans[k][0],
            options=options,
            span_end=spans[k][1] / 1e9,
            sport=activity.sessions[k].sport if k < len(activity.sessions) else None,
        )
        for k in sessions
        if k >= 0
    ]
    whole = _aggregate(cols, activity, options=options)
    for key in (
        "distance_m",
        "elapsed_s",
        "timer_s",
        "moving_s",
        "running_s",
        "ascent_m",
        "descent_m",
    ):
        vals = [p[key] for p in parts if p.get(key) is not None]
        whole[key] = float(sum(vals)) if vals else None
    if whole.get("distance_m") is not None and whole.get("timer_s"):
        whole["avg_speed_m_s"] = whole["distance_m"] / whole["timer_s"]
        d = whole["distance_m"]
        whole["pace_s_per_km"] = whole["timer_s"] / d * 1000.0 if d > 0 else None
    return _trust_totals(activity, whole)


def _trust_totals(activity: Activity, out: dict[str, Any]) -> dict[str, Any]:
    """The watch's totals where runlens' reconstruction cannot be right.

    A timer longer than the watch's own elapsed time (plus 1 % and 2 min) is
    impossible: the records' times are wrong (a clock jump the repair could not
    place). Then the watch's timer, elapsed time and distance are used,
    ``totals_from_watch`` says so (runlens' own under ``reconstructed_*``), and
    speed and pace follow them.
    """
    dev = activity.device_summary or {}
    dev_t, dev_e = dev.get("timer_s"), dev.get("elapsed_s")
    ours = out.get("timer_s")
    limit = max(v for v in (dev_t, dev_e, 0.0) if v is not None)
    if ours is None or not dev_t or ours <= limit * 1.01 + 120.0:
        return out
    out["totals_from_watch"] = True
    out["reconstructed_timer_s"] = ours
    out["timer_s"] = float(dev_t)
    out["elapsed_s"] = float(dev_e or dev_t)
    if dev.get("distance_m"):
        out["reconstructed_distance_m"] = out.get("distance_m")
        out["distance_m"] = float(dev["distance_m"])
    if out.get("moving_s") is not None:
        out["moving_s"] = min(out["moving_s"], out["timer_s"])
    d = out.get("distance_m")
    if d:
        out["avg_speed_m_s"] = d / out["timer_s"]
        out["pace_s_per_km"] = out["timer_s"] / d * 1000.0
    return out


def summarize(activity: Activity, *, running_only: bool = True) -> dict[str, float | None]:
    """Summary of an activity in :data:`~runlens.model.SUMMARY_KEYS`.

    Parameters
    ----------
    activity : Activity
        Not modified.
    running_only : bool
        For multisport files, use only the running sessions' samples.

    Returns
    -------
    dict
        Canonical units (key names); ``None`` where the activity has no such
        channel. Running-dynamics values are the watch-comparable averages
        (module docstring); :func:`activity_metrics` has the running-only ones.
    """
    m = activity_metrics(activity, running_only=running_only)
    return {k: m.get(k) for k in SUMMARY_KEYS}


def session_metrics(activity: Activity, options: MetricOptions | None = None) -> list[dict]:
    """Metrics of each session (all sports), in file order."""
    frame = samples(activity, running_only=False, options=options)
    spans = segment_spans(activity)
    cols = _columns(frame)
    session = frame["session"]
    out = []
    for k, (s, span) in enumerate(zip(activity.sessions, spans)):
        m = _aggregate(
            _take(cols, session == k),
            activity,
            start=span[0],
            options=options,
            span_end=span[1] / 1e9,
            sport=s.sport,
        )
        m["sport"] = s.sport
        out.append(m)
    return out


def rows_table(rows: list[dict], index_name: str) -> pd.DataFrame:
    """The DataFrame of :func:`lap_metrics` / :func:`km_splits` from their rows
    (:func:`lap_rows` / :func:`split_rows`), indexed by ``index_name``."""
    import pandas as pd

    df = pd.DataFrame(rows)
    if "start" in df:  # lap starts: UTC nanoseconds in the rows, Timestamps in the table
        df["start"] = pd.to_datetime(df["start"].astype("int64"), unit="ns", utc=True)
    if not df.empty:
        df.index = pd.Index(df[index_name].to_numpy(), name=index_name)
    return df



def lap_metrics(
    activity: Activity, *, running_only: bool = True, options: MetricOptions | None = None
) -> pd.DataFrame:
    """One row per lap (device laps), metrics as :func:`aggregate` columns.

    Laps are bounded by their start and the next lap's start (the last lap
    ends with the activity). Extra columns: ``lap`` (number from 1),
    ``start`` (UTC), ``sport`` and ``device_*`` for the watch's own lap values.
    """
    return rows_table(lap_rows(activity, running_only=running_only, options=options), "lap")


def lap_rows(
    activity: Activity, *, running_only: bool = True, options: MetricOptions | None = None
) -> list[dict[str, Any]]:
    """:func:`lap_metrics` as a list of row dicts (no pandas: ``runlens analyze``)."""
    frame = samples(activity, running_only=running_only, options=options)
    laps = sorted(activity.laps, key=lambda s: s.start_ns)
    spans = segment_spans(activity, laps)
    cols = _columns(frame)
    idx = frame.t_ns
    rows = []
    for k, (lap, span) in enumerate(zip(laps, spans)):
        # A sample stands for the seconds before it: the one at a lap's start
        # closes the previous lap.
        inside = (idx > span[0]) & (idx <= span[1]) if k else (idx >= span[0]) & (idx <= span[1])
        if k == len(spans) - 1:
            inside |= idx > span[1]
        sel = np.flatnonzero(np.asarray(inside))
        if sel.size == 0:
            continue
        m = _aggregate(_take(cols, sel), activity, start=span[0], options=options, sport=lap.sport)
        row = {"lap": k + 1, "start": span[0], "sport": lap.sport}
        row.update(m)
        row.update({"device_" + key: lap.device_summary.get(key) for key in SUMMARY_KEYS})
        rows.append(row)
    return rows


def _grouped_mean(v: np.ndarray, w: np.ndarray, group: np.ndarray, n: int) -> list:
    """:func:`time_weighted_mean` of each group 0..n-1 at once (None where it has none)."""
    ok = np.isfinite(v) & (w > 0)
    g, wk = group[ok], w[ok]
    tot = np.bincount(g, weights=wk, minlength=n)[:n]
    num = np.bincount(g, weights=v[ok] * wk, minlength=n)[:n]
    return [float(a / b) if b > 0 else None for a, b in zip(num.tolist(), tot.tolist())]


def _split_averages(frame, which: np.ndarray, n: int, options) -> dict[str, list]:
    """The :data:`_SPLIT_KEYS` of each split (samples grouped by ``which``), as
    :func:`_aggregate` gives them for the split's samples, all splits in one pass."""
    opt = options or MetricOptions()
    dt = np.asarray(frame["dt_s"], dtype=float)
    run_w = np.where(np.asarray(frame["running"], dtype=bool), dt, 0.0)
    has = np.bincount(which, minlength=n)[:n] > 0
    out: dict[str, list] = {}
    for key in AVERAGED:
        if key in frame:
            v = np.asarray(frame[key], dtype=float)
            out[key] = _grouped_mean(v, dt, which, n)
            out["run_" + key] = _grouped_mean(v, run_w, which, n)
        else:
            out[key] = out["run_" + key] = [None] * n
    if "heart_rate_bpm" in frame:
        out["heart_rate_bpm"] = _grouped_mean(np.asarray(frame["heart_rate_bpm"], float), dt, which, n)
    else:
        out["heart_rate_bpm"] = [None] * n
    up: list = [None] * n
    down: list = [None] * n
    if "altitude_m" in frame:
        alt = np.asarray(frame["altitude_m"], dtype=float)
        order = np.argsort(which, kind="stable")
        cuts = np.searchsorted(which[order], np.arange(n + 1))
        for k in np.flatnonzero(has).tolist():
            a = alt[order[cuts[k] : cuts[k + 1]]]
            if not np.isnan(a).all():
                up[k], down[k] = ascent_descent(a, opt.hysteresis_m)
    out["ascent_m"], out["descent_m"] = up, down
    for key in _SPLIT_KEYS:  # a split without samples has no values at all
        out[key] = [v if h else None for v, h in zip(out.get(key, [None] * n), has)]
    return out


def km_splits(
    activity: Activity,
    *,
    split_m: float = 1000.0,
    running_only: bool = True,
    options: MetricOptions | None = None,
) -> pd.DataFrame:
    """One row per ``split_m`` of distance (1 km by default).

    A sample belongs to the split in which its distance step ends; the split's
    timer time is interpolated at the exact boundary crossing, so split times
    add up to the activity's timer time. The last row is the remainder
    (``complete`` False).

    Returns
    -------
    pandas.DataFrame
        Columns ``split`` (from 1), ``start_m``, ``end_m``, ``complete``,
        ``split_timer_s`` (s), ``split_pace_s_per_km`` (s/km), and the
        :func:`aggregate` averages of the split's samples.
    """
    rows = split_rows(activity, split_m=split_m, running_only=running_only, options=options)
    return rows_table(rows, "split")


def split_rows(
    activity: Activity,
    *,
    split_m: float = 1000.0,
    running_only: bool = True,
    options: MetricOptions | None = None,
) -> list[dict[str, Any]]:
    """:func:`km_splits` as a list of row dicts (no pandas: ``runlens analyze``);
    empty when the activity has no distance."""
    frame = samples(activity, running_only=running_only, options=options)
    if frame.empty or np.isnan(frame["distance_m"]).all():
        return []
    dist = frame["distance_m"]
    timer = frame["timer_s"] - frame["timer_s"][0]
    total = float(dist[-1])
    n_full = int(np.floor(total / split_m + 1e-9))
    bounds = np.r_[np.arange(n_full + 1) * split_m, total if total > n_full * split_m else []]
    # Time at each boundary: interpolate timer time along distance.
    keep = np.r_[True, np.diff(dist) > 0]
    tb = np.interp(bounds, dist[keep], timer[keep])
    which = np.clip(np.ceil(dist / split_m - 1e-9).astype(int) - 1, 0, None)
    n_splits = len(bounds) - 1
    per_split = _split_averages(frame, which, n_splits, options)
    rows = []
    for k in range(n_splits):
        seg_d = bounds[k + 1] - bounds[k]
        seg_t = float(tb[k + 1] - tb[k])
        row = {
            "split": k + 1,
            "start_m": float(bounds[k]),
            "end_m": float(bounds[k + 1]),
            "complete": bool(k < n_full),
            "split_timer_s": seg_t,
            "split_pace_s_per_km": seg_t / seg_d * 1000.0 if seg_d > 0 else None,
        }
        for key in _SPLIT_KEYS:
            row[key] = per_split[key][k]
        rows.append(row)
    return rows
