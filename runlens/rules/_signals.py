"""Signals the form rules share: the running samples, smoothed, with masks.

Everything here is vectorised over samples (NumPy arrays, pandas time-based
rolling windows). It is a view of :func:`runlens.metrics.sample_frame`: the
sample durations (gap rule), grade (from distance or positions, so GPX hills
count) and the ``steady`` flag are the metrics layer's, defined once there;
the centred time-based rolling median and mean are
:mod:`runlens.metrics.rolling`'s.

Why time-based windows: "smart recording" writes samples at irregular
intervals (evidence.md section 1), so a window of N rows is not N seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..channels import zero_is_missing
from ..metrics.samples import (
    STEADY_MAX_GRADE_PCT,
    STEADY_MIN_SPEED_M_S,
    STEADY_WARMUP_S,
    samples,
    steady_flags,
)
from ..metrics.window import (
    _regular_move_median,  # noqa: F401 (tests/rules import it here)
    rolling_mean,
    rolling_median,
)
from ..model import Records, ns_isoformat
from ..units import MPS_PER_MPH_30MIN, quantiles

if TYPE_CHECKING:

    from ..metrics.samples import SampleTable
    from ..model import Activity

__all__ = [
    "Signals",
    "sustained",
    "rolling_median",
    "rolling_mean",
    "dev_column",
    "personal_fit",
    "baseline_weakness",
    "work_pace",
    "INTERVAL_SPREAD",
]

#: Ratio of the 90th to the 10th percentile of a run's moving speed from which
#: it counts as an interval session (runlens' own choice: tempo runs with a
#: cool-down reach about 1.3, the sample interval sessions 1.75).
INTERVAL_SPREAD = 1.4


def work_pace(speed_m_s: np.ndarray, moving: np.ndarray, spread: float = INTERVAL_SPREAD):
    """Whether a run is an interval session, and its samples at work pace.

    An interval session's recoveries, warm-up and cool-down are slower than
    its reps; they are not the effort the runner is judged on. The work pace
    is the upper half between the 10th and 90th percentile of moving speed.

    Returns
    -------
    (bool, numpy.ndarray of bool)
        ``(is_intervals, mask)``; for a continuous run the mask is ``moving``.
    """
    v = np.asarray(speed_m_s, dtype=float)
    m = np.asarray(moving, dtype=bool) & np.isfinite(v)
    if m.sum() < 10:
        return False, m
    q10, q90 = quantiles(v[m], [0.10, 0.90])
    if not (q10 > 0 and q90 / q10 >= spread):
        return False, m
    return True, m & (v >= (q10 + q90) / 2.0)


def baseline_weakness(baseline, metric: str) -> str | None:
    """Why the runner's baseline for ``metric`` is too weak for a flag, or None.

    :meth:`runlens.baseline.PersonalBaseline.weakness` for a history's
    baseline; for a hand-given :class:`~runlens.baseline.CadenceBaseline`
    the runs and spread it declares.
    """
    from ..baseline import CadenceBaseline, PersonalBaseline, weakness

    if isinstance(baseline, PersonalBaseline):
        return baseline.weakness(metric)
    if isinstance(baseline, CadenceBaseline) and metric == "cadence_spm":
        return weakness(baseline, metric, baseline.window_days)
    return None


def personal_fit(baseline, metric: str):
    """The runner's own fit of ``metric`` and the words for the basis of a finding.

    Parameters
    ----------
    baseline : PersonalBaseline, CadenceBaseline or None
        From the runner's history (:mod:`runlens.history.baseline`), a
        hand-written speed-cadence line, or nothing.
    metric : str
        ``"cadence_spm"`` or a band metric (``"gct_balance_left_pct"``, ...).

    Returns
    -------
    fit : CadenceBaseline, SpeedBand or None
        None: judge against the population band.
    basis : str
        E.g. ``"your own baseline from 24 runs over 60 days"`` or
        ``"population band: 2 runs in the 60 days before this run (3 needed)"``.
    """
    from ..baseline import CadenceBaseline, PersonalBaseline

    if isinstance(baseline, PersonalBaseline):
        fit = baseline.cadence if metric == "cadence_spm" else baseline.band(metric)
        return fit, baseline.basis(metric)
    if isinstance(baseline, CadenceBaseline) and metric == "cadence_spm":
        from ..baseline import weakness

        weak = weakness(baseline, metric, baseline.window_days)
        return baseline, (
            f"your own baseline (given: {baseline.n_activities} runs over "
            f"{baseline.window_days} days)" + (f" (weak: {weak}; notes only)" if weak else "")
        )
    return None, "population band: no history given"


#: Columns where 0 means "no value" (a device writes 0 while it has no reading).
_ZERO_IS_MISSING = zero_is_missing()  # runlens.channels


def sustained(
    condition: np.ndarray,
    t_s: np.ndarray,
    dt_s: np.ndarray,
    min_duration_s: float,
    max_gap_s: float = 30.0,
) -> list[tuple[int, int]]:
    """Stretches where ``condition`` holds for at least ``min_duration_s``.

    Short interruptions (at most ``max_gap_s`` of clock time) inside a stretch
    are bridged, so one noisy minute does not split a ten-minute pattern.

    Parameters
    ----------
    condition : numpy.ndarray of bool
        Per sample.
    t_s : numpy.ndarray
        Sample times, seconds (increasing).
    dt_s : numpy.ndarray
        Seconds each sample stands for (0 across pauses and dropouts).
    min_duration_s : float
        Shortest stretch reported, seconds of recorded (timer) time.
    max_gap_s : float
        Longest interruption bridged: clock seconds from the last sample of
        one stretch to the first sample of the next.

    Returns
    -------
    list of (int, int)
        ``(first, last)`` sample positions of each stretch, inclusive.

    Examples
    --------
    >>> c = np.array([0, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1], bool)
    >>> t = np.arange(11.0) * 10
    >>> sustained(c, t, np.full(11, 10.0), min_duration_s=40, max_gap_s=20)
    [(1, 6)]
    """
    c = np.asarray(condition, dtype=bool)
    if not c.any():
        return []
    edges = np.diff(np.r_[0, c.astype(np.int8), 0])
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1  # inclusive
    # Bridge gaps: the gap between run k's last sample and run k+1's first.
    if starts.size > 1:
        gap = t_s[starts[1:]] - t_s[ends[:-1]]
        join = gap <= max_gap_s + 1e-9
        keep_start = np.r_[True, ~join]
        keep_end = np.r_[~join, True]
        starts, ends = starts[keep_start], ends[keep_end]
    # Timer seconds covered: the durations of the samples in the stretch.
    cum = np.r_[0.0, np.cumsum(dt_s)]
    dur = cum[ends + 1] - cum[starts]
    ok = dur >= min_duration_s - 1e-9
    return [(int(a), int(b)) for a, b in zip(starts[ok], ends[ok])]


def _norm(name: str) -> str:
    return "".join(ch for ch in str(name).lower() if ch.isalnum())


def dev_column(activity: Activity, *names: str) -> str | None:
    """The developer column whose name matches one of ``names``.

    Matching ignores case, spaces and punctuation, because apps rename fields
    between versions (evidence.md section 1): ``"FootStrike Type"`` matches
    ``"foot_strike_type"``.
    """
    dev = activity.developer_table
    if dev is None or not dev.columns or len(dev) == 0:
        return None
    wanted = {_norm(n) for n in names}
    for col in dev.columns:
        if _norm(col) in wanted:
            return col
    return None


@dataclass
class Signals:
    """The running part of an activity, with what the rules look at.

    Build with :meth:`of`. Arrays are aligned with ``records`` (running samples
    only, i.e. inside running sessions of a multisport file).

    Attributes
    ----------
    records : runlens.model.Records
        Running records (NumPy columns; never modified).
    t_s : numpy.ndarray
        Unix time, seconds.
    dt_s : numpy.ndarray
        Seconds each sample stands for (0 across pauses and dropouts > 60 s, samples.DROPOUT_S).
    active_s : numpy.ndarray
        Recorded (timer) time since the start of running, seconds.
    speed_m_s : numpy.ndarray
        Speed smoothed over ``window_s``, m/s (NaN if unknown).
    grade_pct : numpy.ndarray
        Grade, % (NaN where unknown).
    window_s : float
        Smoothing window, seconds.
    frame : runlens.metrics.samples.SampleTable
        The running part of :func:`runlens.metrics.samples.samples` (the sample frame's
        columns as read-only arrays), row for row.
    """

    records: Records
    t_s: np.ndarray
    dt_s: np.ndarray
    active_s: np.ndarray
    speed_m_s: np.ndarray
    grade_pct: np.ndarray
    window_s: float
    frame: SampleTable | None = field(default=None, repr=False)
    _cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, activity: Activity, window_s: float = 60.0) -> Signals:
        """Signals of ``activity``'s running samples.

        Parameters
        ----------
        activity : Activity
        window_s : float
            Smoothing window for speed and the dynamics channels, seconds.

        Inside :func:`runlens.memo.analysis_scope` the rules share one
        instance per activity and window (its arrays are read-only).
        """
        from ..memo import memo

        return memo(activity, ("Signals", float(window_s)), lambda: cls._of(activity, window_s))

    @classmethod
    def _of(cls, activity: Activity, window_s: float) -> Signals:
        frame = samples(activity, running_only=True)
        pos = frame["record_pos"]
        rec = activity.table.take(pos)
        t = frame["t_s"].copy()
        dt = frame["dt_s"].copy()
        active = np.cumsum(dt)
        n = len(frame)
        raw_speed = np.asarray(frame["speed_m_s"], dtype=float)
        speed = rolling_median(raw_speed, frame.t_ns, window_s) if n else raw_speed.copy()
        if "grade_pct" in frame:
            g = np.array(frame["grade_pct"], dtype=float)
        else:
            g = np.full(n, np.nan)
        for a in (t, dt, active, speed, g):
            a.flags.writeable = False  # shared between rules (see runlens.memo)
        return cls(rec, t, dt, active, speed, g, window_s, frame)

    def __len__(self) -> int:
        return len(self.t_s)

    def has(self, column: str) -> bool:
        """Whether the running samples carry any positive value of ``column``."""
        key = ("has", column)
        if key not in self._cache:
            self._cache[key] = bool(np.any(self.raw(column) > 0))
        return self._cache[key]

    def raw(self, column: str) -> np.ndarray:
        """A channel as float, zeros made NaN where 0 means "no value".

        The sample frame's channel where it has one (step length derived
        from speed and cadence when not recorded, ...), else the record column.
        """
        if self.frame is not None and column in self.frame and column != "speed_m_s":
            return np.array(self.frame[column], dtype=float)
        if column not in self.records:
            return np.full(len(self), np.nan)
        v = np.array(self.records[column], dtype=float)
        if column in _ZERO_IS_MISSING:
            v[v <= 0] = np.nan
        return v

    def smooth(self, column: str) -> np.ndarray:
        """``column`` through the centred rolling median of ``window_s``."""
        key = ("smooth", column)
        if key not in self._cache:
            v = rolling_median(self.raw(column), self.records.t_ns, self.window_s)
            v.flags.writeable = False  # shared between rules (see runlens.memo)
            self._cache[key] = v
        return self._cache[key]

    @property
    def moving(self) -> np.ndarray:
        """Samples above the moving threshold 0.894 m/s (evidence.md section 6)."""
        return np.nan_to_num(self.speed_m_s) > MPS_PER_MPH_30MIN

    def steady(
        self,
        min_speed_m_s: float = STEADY_MIN_SPEED_M_S,
        max_grade_pct: float = STEADY_MAX_GRADE_PCT,
        skip_start_s: float = STEADY_WARMUP_S,
    ) -> np.ndarray:
        """Steady running: :func:`runlens.metrics.samples.steady_flags` on these samples.

        evidence.md section 2: speed >= 2 m/s (the smoothed speed), |grade| <
        3 % where grade is known, after the first 10 minutes of timer time.
        """
        key = ("steady", min_speed_m_s, max_grade_pct, skip_start_s)
        if key not in self._cache:
            v = steady_flags(self.frame, min_speed_m_s, max_grade_pct, skip_start_s, self.speed_m_s)
            v.flags.writeable = False
            self._cache[key] = v
        return self._cache[key].copy()  # callers narrow it with &=

    @property
    def grade_known(self) -> bool:
        """Whether grade could be computed anywhere (altitude and distance exist)."""
        return bool(np.isfinite(self.grade_pct).any())

    def span(self, first: int, last: int) -> tuple[str, str]:
        """ISO UTC start and end of samples ``first..last`` (inclusive)."""
        t = self.records.t_ns
        return ns_isoformat(int(t[first])), ns_isoformat(int(t[last]))

    def sustained_steady(
        self, condition: np.ndarray, steady: np.ndarray, min_duration_s: float, max_gap_s: float
    ) -> list[tuple[int, int]]:
        """Stretches where ``condition`` holds for ``min_duration_s`` of steady running.

        Measured on the steady samples alone, on their own clock (steady
        seconds): a hill or a pause inside a stretch is skipped over, neither
        ending it nor counting towards it; a steady stretch without the
        condition of more than ``max_gap_s`` ends it.

        Returns
        -------
        list of (int, int)
            ``(first, last)`` positions among all samples, inclusive.
        """
        idx = np.flatnonzero(steady)
        if idx.size == 0:
            return []
        dt = self.dt_s[idx]
        clock = np.cumsum(dt)
        runs = sustained(np.asarray(condition)[idx], clock, dt, min_duration_s, max_gap_s)
        return [(int(idx[a]), int(idx[b])) for a, b in runs]

    def within(self, runs: list[tuple[int, int]]) -> np.ndarray:
        """Samples inside the stretches ``runs`` (``(first, last)``, inclusive), as a mask."""
        m = np.zeros(len(self), dtype=bool)
        for a, b in runs:
            m[a : b + 1] = True
        return m

    def seconds(self, mask: np.ndarray) -> float:
        """Recorded seconds covered by the samples in ``mask``."""
        return float(self.dt_s[mask].sum())
