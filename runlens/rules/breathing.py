"""Breathing faster at the same pace: late in a run, or against the runner's own history.

Watches write a breathing rate (breaths/min) in every record
(evidence.md section 8). Human runners lock breaths to steps (Bramble &
Carrier 1983: most often 2 strides, i.e. 4 steps, per breath at easy
running), and breathing frequency tracks effort and exertion (Nicolo et al.
2017), so fewer steps per breath at an unchanged pace is a marker of effort or
fatigue. The watch derives the rate from heart-rate variability and its
accuracy while running is not publicly validated, and no study measures a link
from breathing to back pain: both rules give notes with low confidence and say
so, never flags. A file without a breathing rate gets no finding at all. As
every finding under the severity policy (docs/rules.md), a note must pass its
threshold by more than its uncertainty: the sensor's resolution (whole
breaths/min) and the spread of the reference it is compared with (the first
steady stretch of the run, or the baseline's residual spread).

- :class:`BreathingRise`: within one run, steps per breath falls (breathing
  rate rises) at a matched pace after an early reference stretch.
- :class:`BreathingVsBaseline`: breathing faster than the runner's own
  speed-matched baseline (:class:`BreathingBaseline`, from their history).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..baseline import SpeedLine
from ..findings import Evidence, Finding
from ..units import format_pace, median, nanmedian, percentiles
from . import sources
from ._signals import Signals, rolling_median, sustained
from .base import Rule, register

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ..config import RunnerProfile
    from ..model import Activity

__all__ = [
    "BreathingRise",
    "BreathingVsBaseline",
    "BreathingBaseline",
    "BREATHING_CAVEAT",
    "steps_per_breath_series",
]

#: Said by every breathing finding (evidence.md section 8).
BREATHING_CAVEAT = (
    "The watch derives breathing rate from heart-rate variability, and its accuracy while "
    "running is not validated; no link from breathing to back pain has been measured."
)

#: A numeric confidence: low (the sensor is unvalidated while running).
_LOW_CONFIDENCE = 0.3

_COLUMN = "respiration_rate_brpm"

#: The breathing rate's resolution, breaths/min: FIT's respiration_rate (field
#: 99) holds whole breaths/min; runlens takes it for the enhanced field too
#: (0.01 steps, finer than a rate derived from heart-rate variability).
RESOLUTION_BRPM = 1.0


def _median(x: np.ndarray, m: np.ndarray) -> float:
    v = x[m]
    v = v[np.isfinite(v)]
    return float(median(v)) if v.size else float("nan")


def _breathing(sig: Signals) -> np.ndarray:
    """Breathing rate (breaths/min) through the signals' rolling median, zeros as missing."""
    v = sig.raw(_COLUMN)
    v[~(v > 0)] = np.nan
    return rolling_median(v, sig.records.t_ns, sig.window_s)


def steps_per_breath_series(sig: Signals) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Step rate, breathing rate and steps per breath of each sample, as judged here.

    Parameters
    ----------
    sig : Signals
        The run's signals (its ``window_s`` is the medians' window, s).

    Returns
    -------
    cadence_spm, respiration_rate_brpm, steps_per_breath : numpy.ndarray
        Centred rolling medians of step rate (steps/min) and breathing rate
        (breaths/min), and their ratio (steps per breath; NaN where either is
        missing).
    """
    br = _breathing(sig)
    cad = sig.smooth("cadence_spm")
    with np.errstate(divide="ignore", invalid="ignore"):
        spb = cad / br
    return cad, br, spb


@dataclass(frozen=True)
class BreathingBaseline(SpeedLine):
    """A runner's breathing rate at each speed: ``brpm = a + b x speed``.

    Fitted from the steady running of earlier runs (:meth:`fit`); the history
    store supplies it as it supplies the cadence baseline (fitted from the
    stored steady minutes of the runs before the judged one,
    :func:`runlens.history.personal_baseline`).

    Attributes
    ----------
    intercept_brpm : float
        ``a``, breaths/min.
    slope_brpm_per_m_s : float
        ``b``, breaths/min per m/s.
    n_activities : int
        Runs it was fitted on.
    n_samples : int
        Steady-running minutes it was fitted on.
    residual_sd_brpm : float
        Standard deviation of the per-minute residuals, breaths/min.
    speed_range_m_s : tuple of float
        Speeds covered by the fit (5th-95th percentile of the minutes), m/s.
    window_days : int
        History window the fit used, days.
    """

    intercept_brpm: float
    slope_brpm_per_m_s: float
    n_activities: int
    n_samples: int
    residual_sd_brpm: float
    speed_range_m_s: tuple[float, float]
    window_days: int = 60
    _coef = ("intercept_brpm", "slope_brpm_per_m_s")

    def expected_brpm(self, speed_m_s):
        """Expected breathing rate (breaths/min) at ``speed_m_s`` (m/s).

        >>> BreathingBaseline(10.0, 8.0, 5, 200, 1.5, (2.5, 3.5)).expected_brpm(3.0)
        34.0
        """
        return self.at(speed_m_s)

    @classmethod
    def fit(
        cls,
        activities: Iterable[Activity],
        *,
        window_days: int = 60,
        min_activities: int = 3,
        min_minutes: int = 30,
        min_speed_m_s: float = 2.0,
        max_grade_pct: float = 3.0,
        skip_start_s: float = 600.0,
    ) -> BreathingBaseline | None:
        """Least-squares line through per-minute medians of steady running.

        Parameters
        ----------
        activities : iterable of Activity
            Earlier runs of the runner (the caller picks the window).
        window_days : int
            Recorded in the result, days.
        min_activities, min_minutes : int
            Fewest runs with breathing rate and fewest steady minutes for a fit.
        min_speed_m_s, max_grade_pct, skip_start_s : float
            Steady running (evidence.md section 2: 2 m/s, 3 %, 600 s).

        Returns
        -------
        BreathingBaseline or None
            None with too little history.
        """
        speeds, rates = [], []
        n_act = 0
        for a in activities:
            sig = Signals.of(a, 60.0)
            if len(sig) == 0 or not sig.has(_COLUMN):
                continue
            br = _breathing(sig)
            ok = sig.steady(min_speed_m_s, max_grade_pct, skip_start_s) & np.isfinite(br)
            if not ok.any():
                continue
            minute = np.floor(sig.active_s[ok] / 60.0).astype(int)
            order = np.argsort(minute, kind="stable")
            minute, v, r = minute[order], sig.speed_m_s[ok][order], br[ok][order]
            cuts = np.flatnonzero(np.r_[True, minute[1:] != minute[:-1], True])
            # Per-minute medians (few minutes per run: a loop over minutes, not samples).
            speeds += [float(median(v[i:j])) for i, j in zip(cuts[:-1], cuts[1:])]
            rates += [float(median(r[i:j])) for i, j in zip(cuts[:-1], cuts[1:])]
            n_act += 1
        if n_act < min_activities or len(speeds) < min_minutes:
            return None
        x, y = np.asarray(speeds), np.asarray(rates)
        if np.ptp(x) < 0.2:  # one speed only: a flat line at its mean
            b, a0 = 0.0, float(np.mean(y))
        else:
            b, a0 = (float(c) for c in np.polyfit(x, y, 1))
        resid = y - (a0 + b * x)
        lo, hi = percentiles(x, [5, 95])
        return cls(a0, b, n_act, len(x), float(np.std(resid)), (float(lo), float(hi)), window_days)


def _sustained_within(
    condition: np.ndarray, eligible: np.ndarray, sig: Signals, min_s: float, max_gap_s: float
) -> list[tuple[int, int]]:
    """:func:`sustained` counted in the eligible samples' own recorded time.

    Samples that are not eligible (a hill, a change of pace) neither count nor
    break a stretch: the condition must hold over ``min_s`` of eligible running,
    with interruptions of at most ``max_gap_s`` of eligible running bridged.
    Returns positions in the full sample arrays.
    """
    e = np.flatnonzero(eligible)
    if e.size == 0:
        return []
    dt = sig.dt_s[e]
    clock = np.cumsum(dt)
    runs = sustained(condition[e], clock, dt, min_s, max_gap_s)
    return [(int(e[a]), int(e[b])) for a, b in runs]


def _cite() -> str:
    return f"{sources.BRAMBLE_CARRIER_1983}; {sources.NICOLO_2017}"


@register
class BreathingRise(Rule):
    """Steps per breath falling late in a run at a matched pace.

    The reference is the first ``reference_s`` of steady running (after the
    first ``skip_start_s``; hills and stops are skipped, not counted); later steady samples within ``pace_tolerance_pct`` of the
    reference speed whose steps per breath (60 s medians of step rate over
    breathing rate) is at least ``drop_pct`` below the reference's, for at
    least ``min_duration_s``, give a note.

    Parameters
    ----------
    drop_pct : float
        Steps per breath must fall by at least this, % (20: the smallest step
        between the common coupling ratios, 5 to 4 steps per breath; 4.5 -> 3.6).
    reference_s : float
        Steady running (with breathing) the reference takes, s (600).
    min_reference_s : float
        The reference needs at least this much, s (300).
    min_duration_s : float
        A stretch must last this long, s (300).
    pace_tolerance_pct : float
        "Matched pace": within this of the reference speed, % (5).
    min_speed_m_s, max_grade_pct, skip_start_s : float
        Steady running (2 m/s, 3 %, 600 s; evidence.md section 2).
    max_gap_s : float
        Interruptions of a stretch up to this long are bridged, s (30).
    resolution_brpm : float
        The breathing rate's resolution, breaths/min (1).

    The late steps per breath must pass the threshold by more than the
    margin: the larger of the reference stretch's spread (standard deviation
    of its steps per breath) and one breath/min at the reference's rate
    (``steps per breath x resolution / breathing rate``).
    """

    name = "breathing_rise"
    title = "breathing harder than usual"
    order = 16
    panel = "breathing"
    pain = ("steps per breath falling late in a run (breathing faster)", "form")
    evidence = "8"
    needs = "respiration_rate_brpm"

    def __init__(
        self,
        drop_pct: float = 20.0,
        reference_s: float = 600.0,
        min_reference_s: float = 300.0,
        min_duration_s: float = 300.0,
        pace_tolerance_pct: float = 5.0,
        min_speed_m_s: float = 2.0,
        max_grade_pct: float = 3.0,
        skip_start_s: float = 600.0,
        max_gap_s: float = 30.0,
        resolution_brpm: float = RESOLUTION_BRPM,
    ) -> None:
        self.drop_pct = drop_pct
        self.resolution_brpm = resolution_brpm
        self.reference_s = reference_s
        self.min_reference_s = min_reference_s
        self.min_duration_s = min_duration_s
        self.pace_tolerance_pct = pace_tolerance_pct
        self.min_speed_m_s = min_speed_m_s
        self.max_grade_pct = max_grade_pct
        self.skip_start_s = skip_start_s
        self.max_gap_s = max_gap_s

    def evaluate(
        self,
        activity: Activity,
        baseline: Any = None,
        profile: RunnerProfile | None = None,
    ) -> list[Finding]:
        sig = Signals.of(activity, 60.0)
        if len(sig) == 0 or not (sig.has(_COLUMN) and sig.has("cadence_spm")):
            return []
        cad, br, spb = steps_per_breath_series(sig)
        steady = sig.steady(self.min_speed_m_s, self.max_grade_pct, self.skip_start_s)
        steady &= np.isfinite(spb)
        # The reference: the first reference_s of steady running (hills and stops skipped).
        steady_clock = np.cumsum(np.where(steady, sig.dt_s, 0.0))
        ref = steady & (steady_clock <= self.reference_s)
        if sig.seconds(ref) < self.min_reference_s:
            return []
        v_ref = _median(sig.speed_m_s, ref)
        spb_ref = _median(spb, ref)
        later = steady & ~ref
        matched = np.abs(sig.speed_m_s / v_ref - 1.0) <= self.pace_tolerance_pct / 100.0
        limit = spb_ref * (1.0 - self.drop_pct / 100.0)
        eligible = later & matched
        low = eligible & (spb < limit)
        runs = _sustained_within(low, eligible, sig, self.min_duration_s, self.max_gap_s)
        if not runs:
            return []
        sel = sig.within(runs) & low
        br_ref = _median(br, ref)
        spread = float(np.nanstd(spb[ref]))
        margin = max(spread, spb_ref * self.resolution_brpm / br_ref)
        g = self.grade(_median(spb, sel), reference=spb_ref, note_at=limit, margin=margin)
        if g.severity is None:
            return []
        # Judged on the matched-pace steady running inside the stretches (hills and changes of
        # pace neither count nor break them), which can be well under the stretches' own span.
        duration_s = sig.seconds(sig.within(runs) & eligible)
        span_s = sig.seconds(sig.within(runs))
        values: dict[str, object] = {
            "steps_per_breath_reference": round(spb_ref, 2),
            "steps_per_breath_late": round(_median(spb, sel), 2),
            "respiration_rate_brpm_reference": round(_median(br, ref), 1),
            "respiration_rate_brpm_late": round(_median(br, sel), 1),
            "cadence_spm_reference": round(_median(cad, ref), 1),
            "cadence_spm_late": round(_median(cad, sel), 1),
            "reference_speed_m_s": round(v_ref, 2),
            "reference_pace": format_pace(v_ref),
            "late_speed_m_s": round(_median(sig.speed_m_s, sel), 2),
            "duration_s": round(duration_s),
            "span_s": round(span_s),
            "reference_s": round(sig.seconds(ref)),
        }
        if sig.has("heart_rate_bpm"):
            hr = sig.smooth("heart_rate_bpm")
            values["heart_rate_bpm_reference"] = round(_median(hr, ref), 1)
            values["heart_rate_bpm_late"] = round(_median(hr, sel), 1)
        # Timer minutes at the stretches' first and last samples.
        start_min = float(sig.active_s[runs[0][0]]) / 60.0
        end_min = float(sig.active_s[runs[-1][1]]) / 60.0
        msg = (
            f"Breathing faster late in the run at the same pace (low confidence): from about "
            f"{start_min:.0f} to {end_min:.0f} min (judged on the {duration_s / 60:.0f} min of "
            f"it on the flat at {format_pace(v_ref)} +-{self.pace_tolerance_pct:g}%), "
            f"steps per breath fell from "
            f"{values['steps_per_breath_reference']:.1f} +- {margin:.1f} "
            f"to {values['steps_per_breath_late']:.1f} "
            f"(breathing {values['respiration_rate_brpm_reference']:.0f} -> "
            f"{values['respiration_rate_brpm_late']:.0f} breaths/min, step rate "
            f"{values['cadence_spm_reference']:.0f} -> {values['cadence_spm_late']:.0f}). "
            "Faster breathing at an unchanged pace is a marker of effort or fatigue. "
            + BREATHING_CAVEAT
        )
        return [
            Finding(
                self.name,
                "note",
                _LOW_CONFIDENCE,
                msg,
                Evidence(
                    values,
                    {
                        "steps_per_breath_below": round(limit, 2),
                        "drop_pct": self.drop_pct,
                        "pace_tolerance_pct": self.pace_tolerance_pct,
                        "min_duration_s": self.min_duration_s,
                        "reference_s": self.reference_s,
                        "skip_start_s": self.skip_start_s,
                    },
                    _cite() + "; drop_pct: " + sources.RUNLENS_DEFAULT,
                    basis="this run's own first steady stretch, matched pace",
                    margin=round(margin, 4),
                    interval=[round(spb_ref - margin, 4), round(spb_ref + margin, 4)],
                    margin_unit="steps per breath",
                ),
                [sig.span(a, b) for a, b in runs],
                "See whether it repeats on similar runs and how hard the run felt; a watch's "
                "breathing rate is a rough signal, not a measurement of how you breathe.",
            )
        ]


@register
class BreathingVsBaseline(Rule):
    """Breathing faster than the runner's own speed-matched baseline.

    Needs a :class:`BreathingBaseline` (from the runner's history); without
    one, or with any other baseline, it says nothing.

    Parameters
    ----------
    baseline_ratio : float
        Faster means above this multiple of the baseline's expected breathing
        rate at the sample's speed (1.2: 20 % faster, the size of a change of
        coupling ratio, 5 to 4 steps per breath).
    min_duration_s : float
        A stretch must last this long, s (600).
    min_speed_m_s, max_grade_pct, skip_start_s : float
        Steady running (2 m/s, 3 %, 600 s; evidence.md section 2).
    max_gap_s : float
        Interruptions of a stretch up to this long are bridged, s (30).
    resolution_brpm : float
        The breathing rate's resolution, breaths/min (1).

    The breathing rate seen must pass the threshold by more than the margin:
    the larger of the baseline's residual spread and the resolution.
    """

    name = "breathing_baseline"
    title = "breathing against your usual"
    order = 17
    panel = "breathing"
    pain = None  # not one of the pain report's kinds (docs/pain.md)
    evidence = "8"
    needs = "respiration_rate_brpm"

    def __init__(
        self,
        baseline_ratio: float = 1.2,
        min_duration_s: float = 600.0,
        min_speed_m_s: float = 2.0,
        max_grade_pct: float = 3.0,
        skip_start_s: float = 600.0,
        max_gap_s: float = 30.0,
        resolution_brpm: float = RESOLUTION_BRPM,
    ) -> None:
        self.baseline_ratio = baseline_ratio
        self.resolution_brpm = resolution_brpm
        self.min_duration_s = min_duration_s
        self.min_speed_m_s = min_speed_m_s
        self.max_grade_pct = max_grade_pct
        self.skip_start_s = skip_start_s
        self.max_gap_s = max_gap_s

    def evaluate(
        self,
        activity: Activity,
        baseline: Any = None,
        profile: RunnerProfile | None = None,
    ) -> list[Finding]:
        """Findings against ``baseline``: a :class:`BreathingBaseline`, or the
        :class:`~runlens.baseline.PersonalBaseline` the history store supplies
        (its ``breathing`` line); anything else is ignored."""
        from ..baseline import PersonalBaseline

        if isinstance(baseline, PersonalBaseline):
            baseline = baseline.breathing
        if not isinstance(baseline, BreathingBaseline):
            return []
        sig = Signals.of(activity, 60.0)
        if len(sig) == 0 or not sig.has(_COLUMN):
            return []
        br = _breathing(sig)
        steady = sig.steady(self.min_speed_m_s, self.max_grade_pct, self.skip_start_s)
        steady &= np.isfinite(br)
        expected = np.asarray(baseline.expected_brpm(sig.speed_m_s), dtype=float)
        limit = self.baseline_ratio * expected
        high = steady & (br > limit)
        runs = _sustained_within(high, steady, sig, self.min_duration_s, self.max_gap_s)
        if not runs:
            return []
        sel = sig.within(runs) & high
        duration_s = sig.seconds(sig.within(runs) & steady)
        speed = _median(sig.speed_m_s, sel)
        seen, exp = _median(br, sel), _median(expected, sel)
        margin = max(float(baseline.residual_sd_brpm), self.resolution_brpm)
        limit_seen = float(nanmedian(limit[sel]))
        g = self.grade(seen, reference=exp, note_at=limit_seen, margin=margin, below=False)
        if g.severity is None:
            return []
        values: dict[str, object] = {
            "respiration_rate_brpm": round(seen, 1),
            "baseline_expected_brpm": round(exp, 1),
            "speed_m_s": round(speed, 2),
            "pace": format_pace(speed),
            "duration_s": round(duration_s),
        }
        if sig.has("cadence_spm"):
            cad = _median(sig.smooth("cadence_spm"), sel)
            values["steps_per_breath"] = round(cad / seen, 2)
        if baseline.extrapolated(speed):
            values["baseline_extrapolated"] = True
        basis = (
            f"own baseline (brpm = {baseline.intercept_brpm:.1f} + "
            f"{baseline.slope_brpm_per_m_s:.1f} x speed, {baseline.n_activities} runs, "
            f"{baseline.window_days} days)"
        )
        msg = (
            f"Breathing faster than usual for your speed (low confidence): for "
            f"{duration_s / 60:.0f} min of steady running, {seen:.0f} breaths/min at "
            f"{format_pace(speed)}, above {self.baseline_ratio:.2f} x the {exp:.0f} +- "
            f"{margin:.0f} your own history predicts at this speed. Faster breathing at a given pace is a marker of "
            "effort or fatigue (heat, illness or a hard week can do it). " + BREATHING_CAVEAT
        )
        if values.get("baseline_extrapolated"):
            msg += " This speed is outside the speeds your baseline was fitted on, so less sure."
        return [
            Finding(
                self.name,
                "note",
                _LOW_CONFIDENCE,
                msg,
                Evidence(
                    values,
                    {
                        "respiration_rate_brpm_above": round(limit_seen, 1),
                        "baseline_ratio": self.baseline_ratio,
                        "min_duration_s": self.min_duration_s,
                        "skip_start_s": self.skip_start_s,
                    },
                    _cite() + "; baseline_ratio: " + sources.RUNLENS_DEFAULT,
                    basis=basis,
                    margin=round(margin, 2),
                    interval=[round(exp - margin, 2), round(exp + margin, 2)],
                    margin_unit="breaths/min",
                ),
                [sig.span(a, b) for a, b in runs],
                "Compare with how the run felt and with sleep, heat or illness that week; one run "
                "above your usual breathing rate means little on its own.",
            )
        ]
