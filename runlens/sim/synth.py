"""Deterministic simulator of running activities, for tests, benchmarks and samples.

:func:`simulate_run` builds one run as NumPy arrays (a :class:`SimulatedRun`),
:func:`simulate_history` several weeks of them. Every run is fully determined
by its arguments and ``seed``. The encoders in ``runlens.sim.fitwrite`` and
``runlens.sim.gpxwrite`` turn a run into FIT or GPX bytes.

Columns (``SimulatedRun.columns``; see ``COLUMNS`` for units) are SI except
cadence, which is in steps/min (both feet) as runners quote it; the FIT
encoder converts to strides/min. Times are elapsed seconds since the start,
whole seconds as in FIT timestamps.

The model, per 1 s of elapsed time (see docs/synthetic-data.md):

- target speed by run kind (easy, recovery, long, tempo, intervals) with an
  easier warm-up, slow random variation, and slower uphill (-2 % per % grade);
- altitude = sum of three sine hills along the distance; the route is a
  smooth loop that ends near where it started;
- heart rate follows effort with a 30 s lag, plus cardiac drift;
- cadence = a + b x speed (default 135 + 10 x v: 160 spm at 2.5 m/s, 185 at
  5 m/s); step length = speed x 60 / cadence; ground contact time falls with
  speed (330 - 25 x v ms); vertical oscillation ~8.5 cm; vertical ratio =
  VO / step length x 100; stance time % = GCT / stride time x 100; GCT balance
  ~50 % left;
- injected :class:`Pattern` windows change these at matched pace (speed is
  left as it is, except in walking breaks), so tests can assert them;
- breathing (``respiration=True``): breaths/min = cadence / steps per breath,
  the runner's steps per breath (4.5 by default) with slow noise; a
  "fast_breathing" pattern lowers steps per breath at matched pace;
- samples inside pauses are dropped (timer stopped, no records); smart
  recording keeps samples 1-7 s apart.

Device summaries (laps and session) are computed by :func:`watch_summary`: each
sample's value holds from its time until the next sample or the next timer
stop, whichever is first; averages weight each sample by that time, so smart
recording and pauses are handled as a watch does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import numpy as np
from scipy.signal import lfilter

__all__ = [
    "COLUMNS",
    "DEFAULT_RUNNER",
    "DEFAULT_START",
    "PATTERN_KINDS",
    "RUN_KINDS",
    "Pattern",
    "SimPause",
    "Runner",
    "SimulatedRun",
    "Summary",
    "from_columns",
    "simulate_history",
    "simulate_run",
    "watch_summary",
]

#: Column name -> unit of ``SimulatedRun.columns``.
COLUMNS: dict[str, str] = {
    "t": "s since start (elapsed, whole seconds)",
    "lat": "degrees",
    "lon": "degrees",
    "distance": "m (device distance, cumulative)",
    "speed": "m/s",
    "altitude": "m",
    "heart_rate": "bpm",
    "cadence": "steps/min (both feet)",
    "step_length": "m (one footfall to the next)",
    "vertical_oscillation": "m",
    "vertical_ratio": "% (vertical oscillation / step length x 100)",
    "stance_time": "s (ground contact time)",
    "stance_time_percent": "% of the stride (two steps) on the ground",
    "stance_time_balance": "% left share of ground contact",
    "power": "W",
    "temperature": "degC",
    "respiration_rate": "breaths/min (a watch's breathing rate)",
    "foot_strike": "RunScribe foot strike type 1..16 (1-5 rearfoot); NaN without a foot pod",
}

RUN_KINDS = ("easy", "recovery", "long", "tempo", "intervals")

#: Pattern kind -> (default magnitude, meaning).
PATTERN_KINDS: dict[str, tuple[float | None, str]] = {
    "overstride": (
        0.91,
        "cadence x magnitude at the same speed (longer steps); GCT +3.6 %, VO +4.5 %",
    ),
    "long_contact": (1.15, "GCT x magnitude and cadence x 0.94 at the same speed"),
    "gct_imbalance": (54.0, "left share of ground contact, %"),
    "fade": (
        0.05,
        "cadence -magnitude, GCT and VO +1.6 x magnitude at the same speed, "
        "ramping in over the first third of the window",
    ),
    "walk": (1.5, "walking break at magnitude m/s: 120 spm, GCT 0.55 s, VO 3.5 cm"),
    "rearfoot": (3.0, "foot pod foot strike type 1..5 (mean ~magnitude); 7..9 outside"),
    "no_warmup": (None, "the run starts at full pace; window = the first 10 min"),
    "fast_breathing": (
        3.0,
        "steps per breath ramps to magnitude over the first third of the window, then holds "
        "(breathing faster at the same pace and step rate)",
    ),
}

_BASE_SPEED = {"easy": 1.0, "recovery": 0.9, "long": 0.96, "tempo": 1.0, "intervals": 1.0}
_EARTH_M_PER_DEG = 111_320.0
DEFAULT_START = datetime(2026, 9, 7, 4, 30, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Runner:
    """The simulated runner.

    Parameters
    ----------
    easy_speed, threshold_speed : float
        Easy and lactate-threshold pace, m/s.
    rest_hr, max_hr : float
        Resting and maximum heart rate, bpm.
    cadence_a, cadence_b : float
        Cadence = a + b x speed: intercept in steps/min, slope in steps/min per m/s.
    gct_a, gct_b : float
        Ground contact time = a - b x speed: s and s per m/s.
    vo : float
        Vertical oscillation at 3 m/s, m.
    balance : float
        Left share of ground contact, %.
    mass, height : float
        kg and m (power; user_profile).
    steps_per_breath : float
        Steps per breath at steady running (breathing rate = cadence / this).
    """

    easy_speed: float = 2.9
    threshold_speed: float = 3.9
    rest_hr: float = 50.0
    max_hr: float = 190.0
    cadence_a: float = 135.0
    cadence_b: float = 10.0
    gct_a: float = 0.330
    gct_b: float = 0.025
    vo: float = 0.085
    balance: float = 50.0
    mass: float = 70.0
    height: float = 1.78
    steps_per_breath: float = 4.5


DEFAULT_RUNNER = Runner()


@dataclass(frozen=True)
class SimPause:
    """Timer stopped from ``start_s`` to ``end_s`` (elapsed s); no records strictly between."""

    start_s: float
    end_s: float


@dataclass(frozen=True)
class Pattern:
    """An injected pattern active from ``start_s`` to ``end_s`` (elapsed s).

    ``kind`` is a key of ``PATTERN_KINDS``; ``magnitude`` None takes the kind's default.
    """

    kind: str
    start_s: float
    end_s: float
    magnitude: float | None = None

    def contains(self, t: np.ndarray) -> np.ndarray:
        """Boolean mask of times (s) inside ``[start_s, end_s)``."""
        return (t >= self.start_s) & (t < self.end_s)


@dataclass(frozen=True)
class Summary:
    """A device summary over ``[start_s, end_s]`` (a lap or the session).

    Units as ``COLUMNS`` (cadence in steps/min); None where the column is
    absent. ``total_timer_time`` is the sum of sample hold times (pauses
    excluded), ``avg_speed`` = ``total_distance / total_timer_time``, ``avg_*``
    are time-weighted means, ``max_*`` maxima over the samples in the window,
    ``total_ascent``/``total_descent`` sums of altitude rises/falls between
    consecutive samples, ``total_strides`` = sum of hold time x cadence / 120.
    ``trigger`` is the FIT lap_trigger (0 manual, 2 distance, 7 session end).
    """

    start_s: float
    end_s: float
    total_elapsed_time: float
    total_timer_time: float
    total_distance: float
    avg_speed: float | None
    max_speed: float | None
    avg_heart_rate: float | None = None
    max_heart_rate: float | None = None
    avg_cadence: float | None = None
    max_cadence: float | None = None
    total_strides: float | None = None
    avg_step_length: float | None = None
    avg_vertical_oscillation: float | None = None
    avg_vertical_ratio: float | None = None
    avg_stance_time: float | None = None
    avg_stance_time_percent: float | None = None
    avg_stance_time_balance: float | None = None
    avg_power: float | None = None
    max_power: float | None = None
    avg_temperature: float | None = None
    total_ascent: float | None = None
    total_descent: float | None = None
    trigger: int | None = None


@dataclass(frozen=True, eq=False)
class SimulatedRun:
    """One simulated activity: per-sample arrays plus what a watch would know.

    Attributes
    ----------
    start : datetime
        UTC start time (aware).
    utc_offset_s : int
        Local time minus UTC, s (FIT activity.local_timestamp).
    columns : dict of str to ndarray
        Per-sample values, see ``COLUMNS``; all arrays have the same length.
    pauses : tuple of SimPause
        Timer pauses, elapsed s.
    laps : tuple of Summary
        Lap summaries, in order, covering the run without gaps.
    session : Summary
        Whole-run summary.
    patterns : tuple of Pattern
        Injected patterns with their resolved windows and magnitudes.
    kind : str
        Run type (one of ``RUN_KINDS``, or "custom").
    sport, sub_sport : int
        FIT sport (1 running) and sub_sport (0 generic).
    seed : int or None
        Seed it was built from.
    runner : Runner
        Runner parameters used.
    """

    start: datetime
    utc_offset_s: int
    columns: dict[str, np.ndarray]
    pauses: tuple[SimPause, ...] = ()
    laps: tuple[Summary, ...] = ()
    session: Summary | None = None
    patterns: tuple[Pattern, ...] = ()
    kind: str = "custom"
    sport: int = 1
    sub_sport: int = 0
    seed: int | None = None
    runner: Runner = field(default=DEFAULT_RUNNER, repr=False)

    @property
    def t(self) -> np.ndarray:
        """Elapsed time of each sample, s."""
        return self.columns["t"]

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def __len__(self) -> int:
        return int(self.t.size)

    @property
    def local_start(self) -> datetime:
        """Start in local time (naive)."""
        return (self.start + timedelta(seconds=self.utc_offset_s)).replace(tzinfo=None)

    def pattern(self, kind: str) -> Pattern:
        """The first injected pattern of ``kind`` (KeyError if none)."""
        for p in self.patterns:
            if p.kind == kind:
                return p
        raise KeyError(kind)


# --------------------------------------------------------------------------- summaries


def _hold_end(t: np.ndarray, pauses: Sequence[SimPause]) -> np.ndarray:
    """Time until which each sample's value holds: next sample, or the next timer stop."""
    end = np.append(t[1:], t[-1]).astype(float)
    for p in pauses:
        cut = (t <= p.start_s) & (end > p.start_s)
        end[cut] = p.start_s
    return end


def watch_summary(
    t: np.ndarray,
    columns: Mapping[str, np.ndarray],
    pauses: Sequence[SimPause] = (),
    start_s: float | None = None,
    end_s: float | None = None,
    trigger: int | None = None,
) -> Summary:
    """Summarise samples over ``[start_s, end_s]`` as a watch's lap or session would.

    Parameters
    ----------
    t : ndarray
        Sample times, s, increasing.
    columns : mapping of str to ndarray
        Per-sample values (``COLUMNS`` names and units); missing keys give None.
    pauses : sequence of SimPause
        Timer pauses; time inside them has no weight.
    start_s, end_s : float, optional
        Window, s; default the first and last sample.
    trigger : int, optional
        FIT lap_trigger stored in the result.

    Returns
    -------
    Summary
        A sample holds from its time ``t_i`` to ``h_i`` = min(next sample time,
        next timer stop); its weight in the window is
        ``w_i = clip(h_i, a, b) - clip(t_i, a, b)``. ``avg_x = sum(w x) / sum(w)``
        over finite x; timer time = ``sum(w)``.

    Examples
    --------
    >>> t = np.array([0, 1, 2, 4, 10, 11.0])
    >>> hr = np.array([100, 110, 120, 130, 90, 100.0])
    >>> s = watch_summary(t, {"heart_rate": hr}, [SimPause(4, 10)])
    >>> s.total_timer_time, s.avg_heart_rate
    (5.0, 108.0)
    """
    t = np.asarray(t, dtype=float)
    a = float(t[0] if start_s is None else start_s)
    b = float(t[-1] if end_s is None else end_s)
    h = _hold_end(t, pauses)
    # Only the samples from the one holding at a to the first after b matter (laps stay O(lap)).
    lo = max(int(np.searchsorted(t, a, side="right")) - 1, 0)
    hi = int(np.searchsorted(t, b, side="right")) + 1
    is_last = t[lo:hi] == t[-1]
    t, h = t[lo:hi], h[lo:hi]
    w = np.clip(h, a, b) - np.clip(t, a, b)
    inside = ((t >= a) & (t < b)) | ((t == b) & is_last)
    timer = float(w.sum())

    def col(name: str) -> np.ndarray | None:
        v = columns.get(name)
        if v is None:
            return None
        v = np.asarray(v, dtype=float)[lo:hi]
        return v if np.isfinite(v[inside | (w > 0)]).any() else None

    def avg(name: str) -> float | None:
        v = col(name)
        if v is None:
            return None
        ok = np.isfinite(v) & (w > 0)
        return float(np.sum(w[ok] * v[ok]) / np.sum(w[ok])) if w[ok].sum() > 0 else None

    def vmax(name: str) -> float | None:
        v = col(name)
        if v is None or not np.isfinite(v[inside]).any():
            return None
        return float(np.nanmax(v[inside]))

    dist = col("distance")
    total_distance = (
        float(np.interp(b, t, dist) - np.interp(a, t, dist)) if dist is not None else 0.0
    )
    ascent = descent = None
    alt = col("altitude")
    if alt is not None:
        pair = (t[:-1] >= a) & (t[1:] <= b)
        d_alt = np.diff(alt)[pair]
        d_alt = d_alt[np.isfinite(d_alt)]
        ascent, descent = float(d_alt[d_alt > 0].sum()), float(-d_alt[d_alt < 0].sum())
    cad = col("cadence")
    strides = None
    if cad is not None:
        ok = np.isfinite(cad)
        strides = float(np.round(np.sum(w[ok] * cad[ok]) / 120.0))
    speed = col("speed")
    return Summary(
        start_s=a,
        end_s=b,
        total_elapsed_time=b - a,
        total_timer_time=timer,
        total_distance=total_distance,
        avg_speed=total_distance / timer if timer > 0 and dist is not None else avg("speed"),
        max_speed=vmax("speed") if speed is not None else None,
        avg_heart_rate=avg("heart_rate"),
        max_heart_rate=vmax("heart_rate"),
        avg_cadence=avg("cadence"),
        max_cadence=vmax("cadence"),
        total_strides=strides,
        avg_step_length=avg("step_length"),
        avg_vertical_oscillation=avg("vertical_oscillation"),
        avg_vertical_ratio=avg("vertical_ratio"),
        avg_stance_time=avg("stance_time"),
        avg_stance_time_percent=avg("stance_time_percent"),
        avg_stance_time_balance=avg("stance_time_balance"),
        avg_power=avg("power"),
        max_power=vmax("power"),
        avg_temperature=avg("temperature"),
        total_ascent=ascent,
        total_descent=descent,
        trigger=trigger,
    )


def _lap_bounds(
    t: np.ndarray,
    distance: np.ndarray | None,
    lap_distance_m: float | None,
    lap_times_s: Sequence[float],
) -> list[tuple[float, float, int]]:
    """Lap windows (start s, end s, trigger): a lap ends at the first sample at or past its mark."""
    ends: dict[float, int] = {}
    if lap_distance_m and distance is not None:
        marks = np.arange(lap_distance_m, distance[-1] + 1e-9, lap_distance_m)
        idx = np.searchsorted(distance, marks - 1e-9, side="left")
        ends.update({float(t[i]): 2 for i in idx if i < t.size})
    for s in lap_times_s:
        i = int(np.searchsorted(t, s, side="left"))
        if i < t.size:
            ends.setdefault(float(t[i]), 0)
    cuts = sorted(e for e in ends if t[0] < e < t[-1])
    starts = [float(t[0]), *cuts]
    stops = [*cuts, float(t[-1])]
    return [(a, b, 7 if b == t[-1] else ends[b]) for a, b in zip(starts, stops, strict=True)]


def from_columns(
    columns: Mapping[str, Any],
    *,
    start: datetime,
    utc_offset_s: int = 0,
    pauses: Sequence[SimPause] = (),
    lap_distance_m: float | None = None,
    lap_times_s: Sequence[float] = (),
    patterns: Sequence[Pattern] = (),
    kind: str = "custom",
    sport: int = 1,
    sub_sport: int = 0,
) -> SimulatedRun:
    """Wrap hand-made arrays in a :class:`SimulatedRun`, computing laps and session.

    Parameters
    ----------
    columns : mapping of str to array_like
        Per-sample values with ``COLUMNS`` names and units; ``t`` (s) is required.
    start : datetime
        UTC start (aware).
    utc_offset_s : int
        Local minus UTC, s.
    pauses : sequence of SimPause
        Timer pauses (elapsed s).
    lap_distance_m : float, optional
        Auto-lap distance, m.
    lap_times_s : sequence of float
        Manual lap presses, elapsed s.
    patterns : sequence of Pattern
        Metadata only: what the caller injected.
    kind : str
        Free label.
    sport, sub_sport : int
        FIT sport and sub_sport.

    Returns
    -------
    SimulatedRun
    """
    if "t" not in columns:
        raise ValueError("columns need 't' (elapsed s)")
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware (UTC)")
    cols = {k: np.asarray(v, dtype=float) for k, v in columns.items() if v is not None}
    n = cols["t"].size
    bad = {k: v.shape for k, v in cols.items() if v.shape != (n,)}
    if bad:
        raise ValueError(f"every column must have shape ({n},); got {bad}")
    if n < 2 or np.any(np.diff(cols["t"]) <= 0):
        raise ValueError("t must hold at least 2 strictly increasing times")
    t = cols["t"]
    pauses = tuple(pauses)
    bounds = _lap_bounds(t, cols.get("distance"), lap_distance_m, lap_times_s)
    laps = tuple(watch_summary(t, cols, pauses, a, b, trig) for a, b, trig in bounds)
    return SimulatedRun(
        start=start,
        utc_offset_s=utc_offset_s,
        columns=cols,
        pauses=pauses,
        laps=laps,
        session=watch_summary(t, cols, pauses),
        patterns=tuple(patterns),
        kind=kind,
        sport=sport,
        sub_sport=sub_sport,
    )


# --------------------------------------------------------------------------- simulation


def _smooth_noise(rng: np.random.Generator, n: int, sd: float, tau_s: float) -> np.ndarray:
    """AR(1) noise with standard deviation ``sd`` and correlation time ``tau_s`` (1 s steps)."""
    a = np.exp(-1.0 / tau_s)
    x = lfilter([np.sqrt(1 - a * a)], [1, -a], rng.standard_normal(n))
    return sd * x


def _lag(x: np.ndarray, tau_s: float, x0: float) -> np.ndarray:
    """First-order lag (time constant ``tau_s``, 1 s steps) starting from ``x0``."""
    a = np.exp(-1.0 / tau_s)
    y, _ = lfilter([1 - a], [1, -a], x, zi=[a * x0])
    return y


def _resolve_patterns(patterns: Sequence[Pattern], duration_s: float) -> tuple[Pattern, ...]:
    out = []
    for p in patterns:
        if p.kind not in PATTERN_KINDS:
            raise ValueError(f"unknown pattern {p.kind!r}; known: {sorted(PATTERN_KINDS)}")
        mag = PATTERN_KINDS[p.kind][0] if p.magnitude is None else p.magnitude
        end = min(p.end_s, duration_s)
        if p.kind == "no_warmup":
            out.append(Pattern("no_warmup", 0.0, min(600.0, duration_s), None))
        elif end > p.start_s:
            out.append(Pattern(p.kind, float(p.start_s), float(end), mag))
    return tuple(out)


def _target_speed(
    kind: str,
    n: int,
    runner: Runner,
    speed: float | None,
    warmup_s: int,
    intervals: Sequence[tuple[float, float, float]] | None,
) -> np.ndarray:
    """Target speed per second (m/s) before hills, noise and patterns."""
    t = np.arange(n, dtype=float)
    base = speed if speed is not None else runner.easy_speed * _BASE_SPEED[kind]
    v = np.full(n, base)
    if intervals is None and kind == "tempo":
        # Tempo block between the warm-up and a 10-minute cool-down.
        intervals = [(warmup_s, max(warmup_s, n - 600), 0.92 * runner.threshold_speed)]
    if intervals is None and kind == "intervals":
        reps, work, rest = [], 180, 120
        s = warmup_s
        while s + work + 600 <= n:
            reps.append((s, s + work, 1.07 * runner.threshold_speed))
            s += work + rest
        intervals = reps
        v[warmup_s:] = 0.85 * base
    for a, b, sp in intervals or ():
        v[(t >= a) & (t < b)] = sp
    if warmup_s > 0:
        ramp = np.clip(t / warmup_s, 0, 1)
        v = np.minimum(v, base) * (0.85 + 0.15 * ramp) * (t < warmup_s) + v * (t >= warmup_s)
    return v


def simulate_run(
    *,
    seed: int = 0,
    start: datetime = DEFAULT_START,
    utc_offset_s: int = 7200,
    duration_s: int = 3600,
    kind: str = "easy",
    speed: float | None = None,
    warmup_s: int = 600,
    intervals: Sequence[tuple[float, float, float]] | None = None,
    pauses: Sequence[SimPause] = (),
    smart_recording: bool = False,
    lap_distance_m: float | None = 1000.0,
    lap_times_s: Sequence[float] = (),
    patterns: Sequence[Pattern] = (),
    dynamics: bool = True,
    gps: bool = True,
    power: bool = False,
    foot_pod: bool = False,
    temperature: bool = True,
    respiration: bool = False,
    origin: tuple[float, float] = (47.3769, 8.5417),
    runner: Runner = DEFAULT_RUNNER,
) -> SimulatedRun:
    """Simulate one run, deterministic for given arguments.

    Parameters
    ----------
    seed : int
        Random seed; same arguments and seed give identical arrays.
    start : datetime
        UTC start (aware).
    utc_offset_s : int
        Local minus UTC, s.
    duration_s : int
        Elapsed time including pauses, s.
    kind : str
        One of ``RUN_KINDS``: easy, recovery (0.9 x easy pace), long (0.96 x),
        tempo (0.92 x threshold between warm-up and a 10 min cool-down),
        intervals (3 min at 1.07 x threshold / 2 min at 0.85 x easy, after the warm-up).
    speed : float, optional
        Base speed, m/s (default from ``runner`` and ``kind``).
    warmup_s : int
        Warm-up length, s: pace ramps from 85 % to 100 % of the base.
    intervals : sequence of (start s, end s, speed m/s), optional
        Explicit speed blocks, replacing the kind's default blocks.
    pauses : sequence of SimPause
        Timer pauses (whole seconds); the runner stands, no records inside.
    smart_recording : bool
        Keep samples 1-7 s apart (uniform) instead of every second; the first
        and last sample of each timer segment are always kept.
    lap_distance_m : float, optional
        Auto-lap distance, m (None: no auto laps).
    lap_times_s : sequence of float
        Manual lap presses, elapsed s.
    patterns : sequence of Pattern
        Injected patterns (``PATTERN_KINDS``); stored resolved in the result.
    dynamics : bool
        Include running dynamics (step length, VO, VR, GCT, GCT %, balance).
    gps : bool
        Include lat/lon (False: a treadmill-like run, distance from the pod).
    power : bool
        Include running power, W.
    foot_pod : bool
        Include ``foot_strike`` (implied by a "rearfoot" pattern).
    temperature : bool
        Include temperature, degC.
    respiration : bool
        Include ``respiration_rate``, breaths/min (implied by a "fast_breathing"
        pattern). Its noise is drawn after every other column's, so the other
        columns are the same with or without it.
    origin : (float, float)
        Start latitude and longitude, degrees.
    runner : Runner
        Runner parameters.

    Returns
    -------
    SimulatedRun
    """
    if kind not in RUN_KINDS:
        raise ValueError(f"unknown kind {kind!r}; known: {RUN_KINDS}")
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware (UTC)")
    rng = np.random.default_rng(seed)
    n = int(duration_s) + 1
    t = np.arange(n, dtype=float)
    pats = _resolve_patterns(patterns, float(duration_s))
    kinds = {p.kind for p in pats}
    if "no_warmup" in kinds:
        warmup_s = 0
    foot_pod = foot_pod or "rearfoot" in kinds
    respiration = respiration or "fast_breathing" in kinds
    pauses = tuple(
        sorted((SimPause(float(p.start_s), float(p.end_s)) for p in pauses), key=lambda p: p.start_s)
    )
    for i, p in enumerate(pauses):
        if not 0 < p.start_s < p.end_s < duration_s or (i and p.start_s <= pauses[i - 1].end_s):
            raise ValueError(
                f"pauses must lie inside (0, {duration_s}) s without overlapping; got {p}"
            )
    paused = np.zeros(n, dtype=bool)  # second [i, i+1) with the timer stopped
    for p in pauses:
        paused |= (t >= p.start_s) & (t < p.end_s)

    # Speed: target, slow variation, hills, walking breaks.
    v_target = _target_speed(kind, n, runner, speed, warmup_s, intervals)
    v_target = v_target * (1 + _smooth_noise(rng, n, 0.025, 90.0))
    walking = np.zeros(n, dtype=bool)
    for p in pats:
        if p.kind == "walk":
            m = p.contains(t)
            walking |= m
            v_target[m] = p.magnitude
    amp = rng.uniform(3.0, 12.0, 3)
    wavelength = rng.uniform(700.0, 3000.0, 3)
    phase = rng.uniform(0, 2 * np.pi, 3)
    alt0 = rng.uniform(300.0, 550.0)

    def hills(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k = 2 * np.pi / wavelength
        arg = np.outer(d, k) + phase
        return alt0 + (amp * np.sin(arg)).sum(axis=1), (amp * k * np.cos(arg)).sum(axis=1)

    def integrate(v: np.ndarray) -> np.ndarray:
        step = 0.5 * (v[:-1] + v[1:]) * ~paused[:-1]
        return np.concatenate([[0.0], np.cumsum(step)])

    _, grade = hills(integrate(v_target))
    v = np.clip(v_target * (1 - 2.0 * np.clip(grade, -0.08, 0.08)), 0.8, None)
    v[walking] = v_target[walking]
    distance = integrate(v)
    altitude, grade = hills(distance)

    # Heart rate: effort with a 30 s lag and drift; effort 0 while paused.
    effort = v * (1 + 3 * np.clip(grade, -0.05, 0.1)) / runner.threshold_speed
    reserve = runner.max_hr - runner.rest_hr
    hr_ss = (
        runner.rest_hr
        + reserve * np.where(paused, 0.2, 0.15 + 0.7 * effort)
        + reserve * 0.04 * t / 3600
    )
    hr0 = runner.rest_hr + (10.0 if "no_warmup" in kinds else 25.0)
    hr = _lag(hr_ss, 30.0, hr0) + _smooth_noise(rng, n, 1.0, 5.0)
    hr = np.clip(hr, runner.rest_hr, runner.max_hr)

    # Running dynamics from speed, then patterns at matched pace.
    cad = runner.cadence_a + runner.cadence_b * v + _smooth_noise(rng, n, 1.2, 10.0)
    gct = runner.gct_a - runner.gct_b * v + _smooth_noise(rng, n, 0.004, 10.0)
    vo = runner.vo + 0.004 * (v - 3.0) + _smooth_noise(rng, n, 0.0015, 10.0)
    bal = runner.balance + _smooth_noise(rng, n, 0.3, 30.0)
    foot = rng.integers(7, 10, n).astype(float)  # midfoot 7..9
    for p in pats:
        m = p.contains(t)
        mag = p.magnitude
        if p.kind == "overstride":
            cad[m] *= mag
            gct[m] *= 1 + 0.4 * (1 - mag)
            vo[m] *= 1 + 0.5 * (1 - mag)
        elif p.kind == "long_contact":
            gct[m] *= mag
            cad[m] *= 0.94
        elif p.kind == "gct_imbalance":
            bal[m] = mag + (bal[m] - runner.balance)
        elif p.kind == "fade":
            ramp = np.clip((t[m] - p.start_s) / ((p.end_s - p.start_s) / 3), 0, 1)
            cad[m] *= 1 - mag * ramp
            gct[m] *= 1 + 1.6 * mag * ramp
            vo[m] *= 1 + 1.6 * mag * ramp
        elif p.kind == "rearfoot":
            lo = max(1, int(round(mag)) - 2)
            foot[m] = rng.integers(lo, min(lo + 5, 6), m.sum())
    cad[walking] = 120.0 + _smooth_noise(rng, n, 1.0, 10.0)[walking]
    gct[walking] = 0.55
    vo[walking] = 0.035
    step = v * 60 / cad

    # Route: a smooth loop as long as the run, with a little GPS wander.
    total = max(distance[-1], 1.0)
    heading = (
        rng.uniform(0, 2 * np.pi)
        + 2 * np.pi * distance / total
        + 0.4 * np.sin(2 * np.pi * distance / rng.uniform(600, 1200))
    )
    dd = np.diff(distance, prepend=0.0)
    east = np.cumsum(dd * np.cos(heading)) + _smooth_noise(rng, n, 1.5, 20.0)
    north = np.cumsum(dd * np.sin(heading)) + _smooth_noise(rng, n, 1.5, 20.0)
    lat = origin[0] + north / _EARTH_M_PER_DEG
    lon = origin[1] + east / (_EARTH_M_PER_DEG * np.cos(np.radians(origin[0])))

    cols: dict[str, np.ndarray | None] = {
        "t": t,
        "lat": lat if gps else None,
        "lon": lon if gps else None,
        "distance": distance,
        "speed": v,
        "altitude": altitude,
        "heart_rate": hr,
        "cadence": cad,
        "step_length": step if dynamics else None,
        "vertical_oscillation": vo if dynamics else None,
        "vertical_ratio": vo / step * 100 if dynamics else None,
        "stance_time": gct if dynamics else None,
        "stance_time_percent": gct * cad / 120 * 100 if dynamics else None,
        "stance_time_balance": bal if dynamics else None,
        "power": np.clip(runner.mass * v * (1.04 + 9.81 * grade), 0, None) if power else None,
        "temperature": 17.0 + 2.0 * t / 3600 + _smooth_noise(rng, n, 0.3, 300.0)
        if temperature
        else None,
        "foot_strike": foot if foot_pod else None,
    }

    # Which samples a watch keeps: none inside pauses; smart recording thins the rest.
    keep = np.ones(n, dtype=bool)
    for p in pauses:
        keep &= ~((t > p.start_s) & (t < p.end_s))
    if smart_recording:
        gaps = rng.integers(1, 8, n)
        chosen = np.zeros(n, dtype=bool)
        chosen[np.cumsum(gaps)[np.cumsum(gaps) < n]] = True
        chosen[0] = chosen[-1] = True
        for p in pauses:  # segment edges, so pauses are exact
            chosen[min(int(p.start_s), n - 1)] = chosen[min(int(p.end_s), n - 1)] = True
        keep &= chosen
    if respiration:
        spb = runner.steps_per_breath + _smooth_noise(rng, n, 0.08, 30.0)
        for p in pats:
            if p.kind == "fast_breathing":
                m = p.contains(t)
                ramp = np.clip((t[m] - p.start_s) / ((p.end_s - p.start_s) / 3), 0, 1)
                spb[m] = spb[m] + (p.magnitude - runner.steps_per_breath) * ramp
        cols["respiration_rate"] = cad / spb
    cols = {k: c[keep] for k, c in cols.items() if c is not None}
    run = from_columns(
        cols,
        start=start,
        utc_offset_s=utc_offset_s,
        pauses=pauses,
        lap_distance_m=lap_distance_m,
        lap_times_s=lap_times_s,
        patterns=pats,
        kind=kind,
    )
    return replace(run, seed=seed, runner=runner)


def simulate_history(
    *,
    seed: int = 0,
    first_day: date = date(2026, 7, 27),
    weeks: int = 6,
    runs_per_week: tuple[int, int] = (3, 5),
    utc_offset_s: int = 7200,
    runner: Runner = DEFAULT_RUNNER,
    per_run: Callable[[int, str, datetime, int], Mapping[str, Any]] | None = None,
    **run_kwargs: Any,
) -> list[SimulatedRun]:
    """Simulate several weeks of training, deterministic for a given seed.

    Each week (Monday first) has 3-5 runs on different days: a long run on
    Sunday (75 min in week one, +6 min a week), one quality session
    alternating tempo and intervals on Wednesday or Thursday, the rest easy or
    recovery runs of 35-55 min. Runs start in the morning (06:00-07:30 local)
    or evening (18:00-19:00). About a third of the runs have one or two
    traffic-light pauses of 20-90 s.

    Parameters
    ----------
    seed : int
        Random seed.
    first_day : date
        Monday of the first week (local date).
    weeks : int
        Number of weeks.
    runs_per_week : (int, int)
        Inclusive range of runs per week.
    utc_offset_s : int
        Local minus UTC, s.
    runner : Runner
        The runner.
    per_run : callable, optional
        ``per_run(index, kind, local_start, duration_s)`` returns extra
        :func:`simulate_run` arguments for one run (e.g. ``patterns``,
        ``foot_pod``), so chosen runs can carry injected patterns.
    **run_kwargs
        Passed to :func:`simulate_run` for every run (e.g. ``smart_recording=True``).

    Returns
    -------
    list of SimulatedRun
        In date order; run ``i`` uses seed ``seed * 1000 + i``.
    """
    rng = np.random.default_rng(seed)
    runs: list[SimulatedRun] = []
    for week in range(weeks):
        monday = first_day + timedelta(weeks=week)
        n_runs = int(rng.integers(runs_per_week[0], runs_per_week[1] + 1))
        quality_day = int(rng.choice([2, 3]))
        others = [d for d in (0, 1, 2, 3, 4, 5) if d != quality_day]
        easy_days = sorted(rng.choice(others, size=max(0, n_runs - 2), replace=False).tolist())
        plan = [
            (d, str(rng.choice(["easy", "easy", "recovery"])), int(rng.integers(35, 56)))
            for d in easy_days
        ]
        plan.append(
            (quality_day, "tempo" if week % 2 == 0 else "intervals", int(rng.integers(45, 56)))
        )
        plan.append((6, "long", 75 + 6 * week))
        for day, kind, minutes in sorted(plan):
            if rng.random() < 0.7:
                local = datetime.combine(monday, time(6, 0)) + timedelta(
                    minutes=int(rng.integers(0, 91))
                )
            else:
                local = datetime.combine(monday, time(18, 0)) + timedelta(
                    minutes=int(rng.integers(0, 61))
                )
            local += timedelta(days=day)
            start = (local - timedelta(seconds=utc_offset_s)).replace(tzinfo=timezone.utc)
            duration = minutes * 60
            pauses = []
            if rng.random() < 0.35:
                for _ in range(int(rng.integers(1, 3))):
                    at = int(rng.integers(900, duration - 600))
                    if all(abs(at - p.start_s) > 200 for p in pauses):
                        pauses.append(SimPause(at, at + int(rng.integers(20, 91))))
                duration += int(sum(p.end_s - p.start_s for p in pauses))
            kwargs = {"pauses": pauses, **run_kwargs}
            if per_run is not None:
                kwargs.update(per_run(len(runs), kind, local, duration))
            runs.append(
                simulate_run(
                    seed=seed * 1000 + len(runs),
                    start=start,
                    utc_offset_s=utc_offset_s,
                    duration_s=duration,
                    kind=kind,
                    runner=runner,
                    **kwargs,
                )
            )
    return runs
