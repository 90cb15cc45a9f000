"""The runner's own speed-cadence baseline: spm = a + b x speed.

Fitted from the runner's recent history (60 days by default, evidence.md
section 2) by :mod:`runlens.history`; used by the overstriding rule, which
falls back to population bands when there is none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from .channels import max_spread

__all__ = [
    "CadenceBaseline",
    "PersonalBaseline",
    "SpeedBand",
    "SpeedLine",
    "STRONG_MIN_RUNS",
    "STRONG_MIN_DAYS",
    "MAX_SPREAD",
    "weakness",
    "window_words",
]

#: Speeds this far outside a line's fitted range are extrapolated, m/s.
EXTRAPOLATION_MARGIN_M_S = 0.25

#: A baseline strong enough for a flag (runlens' own choices, docs/rules.md
#: "Baseline strength"): at least this many runs ...
STRONG_MIN_RUNS = 5
#: ... on at least this many distinct days ...
STRONG_MIN_DAYS = 3
#: ... from one device family, and a residual spread (standard deviation of the
#: steady minutes around the line) no larger than this, in the metric's unit:
#: about twice what one runner on one sensor shows at steady pace.
MAX_SPREAD = max_spread()  # each channel's (runlens.channels)


def window_words(as_of: str | None, as_of_s: float) -> str:
    """Which window a baseline drawn for a date is of, for :meth:`PersonalBaseline.basis`.

    ``as_of`` given: "before" that UTC date; else the default of ``runlens
    baseline`` (one second after the last stored run's start): "up to your
    last run".

    >>> window_words("2026-08-01", 1785542400.0)
    'before 2026-08-01'
    >>> window_words(None, 1785542401.0)
    'up to your last run (2026-08-01)'
    """
    from datetime import datetime, timezone

    if as_of:
        return f"before {datetime.fromtimestamp(as_of_s, timezone.utc).date().isoformat()}"
    last = datetime.fromtimestamp(as_of_s - 1.0, timezone.utc).date().isoformat()
    return f"up to your last run ({last})"


def weakness(
    fit, metric: str, window_days: int = 60, before: str = "before this run"
) -> str | None:
    """Why a fitted baseline is too weak for a flag, in words; None when it is strong.

    ``before`` says which window the counts are of ("before this run" for a
    judged run, "before 2026-08-01" for ``runlens baseline --as-of``).

    >>> weakness(CadenceBaseline(120.0, 15.0, 3, 90, 16.6, (2.5, 4.0), 60, 3, 3), "cadence_spm")
    '3 runs in the 60 days before this run, from 3 devices, spread 16.6 around the line'
    """
    if fit is None:
        return None
    n = fit.n_activities
    days = getattr(fit, "n_days", None)
    devices = getattr(fit, "n_devices", None)
    sd = fit.residual_sd_spm if metric == "cadence_spm" else fit.residual_sd
    why = []
    if n < STRONG_MIN_RUNS or (days is not None and days < STRONG_MIN_DAYS):
        runs = f"{n} run{'s' if n != 1 else ''} in the {window_days} days {before}"
        if days is not None and days < n:
            runs += f" on {days} day{'s' if days != 1 else ''}"
        why.append(runs)
    if devices is not None and devices > 1:
        if not why:
            why.append(f"{n} runs in the {window_days} days {before}")
        why.append(f"from {devices} devices")
    limit = MAX_SPREAD.get(metric)
    if limit is not None and sd > limit:
        why.append(f"spread {sd:.1f} around the line")
    return ", ".join(why) or None


class SpeedLine:
    """What every speed-matched baseline shares: value = a + b x speed, fitted over speeds.

    The baselines (:class:`CadenceBaseline`, :class:`SpeedBand`,
    :class:`runlens.rules.breathing.BreathingBaseline`) are frozen dataclasses
    whose intercept and slope are named in their own unit (``intercept_spm``,
    ``intercept_brpm``, ...: those names are their JSON form); each names them
    in ``_coef`` and gets :meth:`at` and :meth:`extrapolated` from here.
    """

    _coef: ClassVar[tuple[str, str]]
    speed_range_m_s: tuple[float, float]

    def at(self, speed_m_s):
        """The line's value at ``speed_m_s`` (m/s): a float, or an array for an array.

        >>> SpeedBand("ground_contact_ms", 330.0, -25.0, 4.0, 5, 100, (2.5, 3.5)).at([2.0, 3.0])
        array([280., 255.])
        """
        a, b = (getattr(self, name) for name in self._coef)
        out = a + b * np.asarray(speed_m_s, dtype=float)
        return float(out) if out.ndim == 0 else out

    def extrapolated(self, speed_m_s: float) -> bool:
        """Whether ``speed_m_s`` (m/s) lies more than 0.25 m/s outside the fitted speeds.

        >>> CadenceBaseline(120.0, 15.0, 10, 1000, 3.0, (2.5, 4.0)).extrapolated(4.3)
        True
        """
        lo, hi = self.speed_range_m_s
        m = EXTRAPOLATION_MARGIN_M_S
        return not (lo - m <= speed_m_s <= hi + m)


@dataclass(frozen=True)
class CadenceBaseline(SpeedLine):
    """Linear step rate baseline of one runner.

    Attributes
    ----------
    intercept_spm : float
        ``a``, steps/min.
    slope_spm_per_m_s : float
        ``b``, steps/min per m/s.
    n_activities : int
        Runs it was fitted on.
    n_samples : int
        Steady-running samples (or minutes) it was fitted on.
    residual_sd_spm : float
        Standard deviation of the residuals, steps/min.
    speed_range_m_s : tuple of float
        Speeds covered by the fit (extrapolating beyond them is weak).
    window_days : int
        History window the fit used.
    n_days, n_devices : int or None
        Distinct days and device families of the runs (None: not known).
    run_sd_spm : float or None
        Day-to-day variation: standard deviation, across runs, of each run's
        mean residual, steps/min (None: not known).
    """

    intercept_spm: float
    slope_spm_per_m_s: float
    n_activities: int
    n_samples: int
    residual_sd_spm: float
    speed_range_m_s: tuple[float, float]
    window_days: int = 60
    n_days: int | None = None
    n_devices: int | None = None
    run_sd_spm: float | None = None
    _coef = ("intercept_spm", "slope_spm_per_m_s")

    def expected_spm(self, speed_m_s):
        """Expected step rate (steps/min) at ``speed_m_s`` (m/s).

        >>> CadenceBaseline(120.0, 15.0, 10, 1000, 3.0, (2.5, 4.0)).expected_spm(3.0)
        165.0
        """
        return self.at(speed_m_s)


@dataclass(frozen=True)
class SpeedBand(SpeedLine):
    """One form metric's personal band at matched speed: value = a + b x speed.

    Attributes
    ----------
    metric : str
        A column of the per-minute form table (e.g. ``"ground_contact_ms"``).
    intercept : float
        ``a``, in the metric's unit.
    slope_per_m_s : float
        ``b``, the metric's unit per m/s.
    residual_sd : float
        Standard deviation of the steady minutes around the line (metric's unit).
    n_activities, n_minutes : int
        Runs and steady minutes fitted on.
    speed_range_m_s : tuple of float
        Speeds covered by the fit.
    n_days, n_devices : int or None
        Distinct days and device families of the runs (None: not known).
    run_sd : float or None
        Day-to-day variation: standard deviation, across runs, of each run's
        mean residual (metric's unit).
    """

    metric: str
    intercept: float
    slope_per_m_s: float
    residual_sd: float
    n_activities: int
    n_minutes: int
    speed_range_m_s: tuple[float, float]
    n_days: int | None = None
    n_devices: int | None = None
    run_sd: float | None = None
    _coef = ("intercept", "slope_per_m_s")

    def expected(self, speed_m_s):
        """Expected value at ``speed_m_s`` (m/s), in the metric's unit.

        >>> SpeedBand("ground_contact_ms", 330.0, -25.0, 4.0, 5, 100, (2.5, 3.5)).expected(3.0)
        255.0
        """
        return self.at(speed_m_s)


@dataclass(frozen=True)
class PersonalBaseline:
    """What the runner's own history says, as of one run (runs before it only).

    Attributes
    ----------
    cadence : CadenceBaseline or None
        The speed-cadence line; None with too little history.
    bands : dict of str to SpeedBand
        Personal bands of contact time, oscillation, vertical ratio and
        balance (only those with enough history).
    n_runs : int
        Runs with steady minutes in the window before the judged run.
    window_days : int
        History window, days.
    min_runs : int
        Least runs for a personal baseline.
    breathing : runlens.rules.breathing.BreathingBaseline or None
        The speed-matched breathing rate line; None with too little steady
        running with a breathing rate in the window.
    n_history : int or None
        Runs stored before the judged run, at any date (None: not known);
        lets the basis say "0 runs in the 60 days before this run (11
        earlier)" rather than "in your history".
    easy_speed_m_s : float or None
        The runner's usual (easy) steady pace in the window: the median speed
        of the steady minutes, weighted by steady seconds, m/s.
    """

    cadence: CadenceBaseline | None
    bands: dict
    n_runs: int
    window_days: int = 60
    min_runs: int = 3
    breathing: Any = None
    n_history: int | None = None
    easy_speed_m_s: float | None = None

    def band(self, metric: str) -> SpeedBand | None:
        """The personal band of ``metric``, or None."""
        return self.bands.get(metric)

    def fit(self, metric: str = "cadence_spm"):
        """The fitted line of ``metric`` (cadence or a band), or None."""
        return self.cadence if metric == "cadence_spm" else self.bands.get(metric)

    def weakness(self, metric: str = "cadence_spm", before: str = "before this run") -> str | None:
        """Why the fit of ``metric`` is too weak for a flag (:func:`weakness`), or None."""
        return weakness(self.fit(metric), metric, self.window_days, before)

    def basis(self, metric: str = "cadence_spm", before: str = "before this run") -> str:
        """How a finding on ``metric`` is judged, in words for the runner.

        Counts say what they count: runs in the window ``before`` the judged
        run (or the date the baseline is drawn for: "before 2026-08-01").

        >>> PersonalBaseline(None, {}, 2).basis()
        'population band: 2 runs in the 60 days before this run (3 needed)'
        >>> PersonalBaseline(None, {}, 0, n_history=11).basis()
        'population band: 0 runs in the 60 days before this run (3 needed; 11 earlier)'
        """
        fitted = self.fit(metric)
        if fitted is None:
            n = self.n_runs
            if n < self.min_runs:
                earlier = ""
                if self.n_history is not None and self.n_history > n:
                    earlier = f"; {self.n_history - n} earlier"
                return (
                    f"population band: {n} run{'s' if n != 1 else ''} in the "
                    f"{self.window_days} days {before} ({self.min_runs} needed{earlier})"
                )
            return (
                "population band: too little steady running with this channel in the "
                f"{n} runs of the {self.window_days} days {before}"
            )
        n = fitted.n_activities
        text = f"your own baseline from {n} runs over {self.window_days} days"
        weak = self.weakness(metric, before)
        if weak:
            text += f" (weak: {weak}; notes only)"
        return text

    def to_dict(self) -> dict:
        """Plain JSON form (also the key a stored judgement is compared on)."""
        out = {
            "cadence": None if self.cadence is None else _plain(self.cadence),
            "bands": {k: _plain(v) for k, v in sorted(self.bands.items())},
            "n_runs": self.n_runs,
            "window_days": self.window_days,
            "min_runs": self.min_runs,
        }
        if self.n_history is not None:
            out["n_history"] = self.n_history
        if self.easy_speed_m_s is not None:
            out["easy_speed_m_s"] = self.easy_speed_m_s
        if self.breathing is not None:  # absent, not null: runs without it keep their key
            out["breathing"] = _plain(self.breathing)
        return out


def _plain(obj: Any) -> Any:
    """``dataclasses.asdict`` of a baseline's lines and bands, the same dicts, without
    its deep copy of every number (a scan keys each run's judgement on them: 70 calls
    of asdict's machinery a run, 0.2 s of a 1,000-run scan's own process)."""
    from dataclasses import fields, is_dataclass

    if is_dataclass(obj) and not isinstance(obj, type):
        names = _FIELDS.get(type(obj))
        if names is None:
            names = _FIELDS[type(obj)] = tuple(f.name for f in fields(obj))
        return {n: _plain(getattr(obj, n)) for n in names}
    if type(obj) in (list, tuple):
        return type(obj)(_plain(v) for v in obj)
    if type(obj) is dict:
        return {k: _plain(v) for k, v in obj.items()}
    return obj  # numbers, text, None: immutable


_FIELDS: dict[type, tuple[str, ...]] = {}
