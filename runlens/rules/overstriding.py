"""Overstriding: a step rate low for the speed, on steady running.

A watch cannot see where the foot lands; the defensible proxy is a step rate
that is low for the speed (evidence.md section 2). Compared with the runner's
own speed-cadence baseline when their history supplies one, else with the
population bands of evidence.md section 5, and the finding says which.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..findings import Evidence, Finding
from ..units import format_pace, nanmedian
from . import sources
from ._signals import Signals, baseline_weakness, personal_fit, work_pace
from .base import Rule, register

if TYPE_CHECKING:
    from ..baseline import CadenceBaseline
    from ..config import RunnerProfile
    from ..model import Activity

__all__ = ["Overstriding", "StepRateThreshold", "step_rate_threshold"]


@dataclass
class StepRateThreshold:
    """What "low step rate for the speed" means for one activity.

    Attributes
    ----------
    spm : numpy.ndarray
        Threshold per sample, steps/min (below it = low).
    basis : str
        The basis in words (:func:`._signals.personal_fit`).
    source : str
        Citation of the threshold.
    expected_spm : numpy.ndarray or None
        The baseline's expected step rate per sample, steps/min.
    """

    spm: np.ndarray
    basis: str
    source: str
    expected_spm: np.ndarray | None = None


def step_rate_threshold(
    speed_m_s: np.ndarray,
    baseline,
    baseline_ratio: float,
    population_spm: float,
) -> StepRateThreshold:
    """Per-sample step-rate threshold (steps/min) at ``speed_m_s`` (m/s).

    With the runner's own speed-cadence line (a
    :class:`~runlens.baseline.PersonalBaseline` that has one, or a
    :class:`~runlens.baseline.CadenceBaseline`): ``baseline_ratio x (a + b x
    speed)``. Without one: the flat population value ``population_spm``, which
    does not depend on speed (weaker: cadence depends on height, speed and
    grade, evidence.md section 2).

    >>> from runlens.baseline import CadenceBaseline
    >>> b = CadenceBaseline(120.0, 17.0, 12, 5000, 3.0, (2.5, 3.8))
    >>> float(step_rate_threshold(np.array([3.0]), b, 0.95, 153.0).spm[0])
    162.45
    """
    speed = np.asarray(speed_m_s, dtype=float)
    fit, basis = personal_fit(baseline, "cadence_spm")
    if fit is not None:
        expected = np.asarray(fit.expected_spm(speed), dtype=float)
        return StepRateThreshold(
            baseline_ratio * expected,
            f"{basis} (spm = {fit.intercept_spm:.1f} + {fit.slope_spm_per_m_s:.1f} x speed)",
            f"{sources.HEIDERSCHEIT_2011}; {sources.LIEBERMAN_2015}",
            expected,
        )
    return StepRateThreshold(
        np.full(speed.shape, float(population_spm)),
        basis,
        f"{sources.GARMIN_ZONES}: below {population_spm:g} spm is the red band; "
        f"{sources.LUEDKE_2016}",
    )


@register
class Overstriding(Rule):
    """Step rate low for the speed, sustained, on steady running.

    Parameters
    ----------
    min_speed_m_s : float
        Steady running is at least this fast, m/s (evidence.md section 2: 2 m/s).
    max_grade_pct : float
        ... and flatter than this, % (3 %).
    skip_start_s : float
        ... and past the first this-many seconds of running (600 s: 10 min).
    min_duration_s : float
        A stretch must last this long, s (300 s: 5 min).
    baseline_ratio : float
        Low means below this fraction of the runner's own baseline (0.95).
    population_spm : float
        Without a personal baseline, low means below this, steps/min (153: the
        upper edge of Garmin's red band, evidence.md section 5). A flat number
        cannot allow for speed or height, so only a clear gap below the
        population counts; Luedke et al. 2016 saw <= 166 linked to injury.
    window_s : float
        Smoothing window (centred rolling median), s.
    max_gap_s : float
        Interruptions of a stretch up to this long are bridged, s.
    suggestion_pct : float
        Step-rate increase suggested without a baseline, % (Heiderscheit et
        al. 2011 tested +5 %); with one, the suggestion is the runner's own
        usual step rate at that pace.
    flag_ratio : float
        A flag needs the step rate below this fraction of the runner's own
        usual (0.90: Heiderscheit et al. 2011 measured raised loading at every
        joint at -10 %), by more than the margin, on a baseline that is not
        weak. Between ``flag_ratio`` and ``baseline_ratio``: a note. Against
        the population band: a note at most (no study supports a flat number).
    population_margin_spm : float
        Margin below ``population_spm``, steps/min (3: runlens' own; a run 1-3
        steps/min below one population number is no finding).
    resolution_spm : float
        Smallest margin, steps/min (2: a watch records whole strides/min).
    """

    name = "overstriding"
    title = "overstriding"
    order = 10
    panel = "cadence"
    pain = ("overstriding (low step rate for the speed)", "form")
    evidence = "2"
    flag_source = (
        "Heiderscheit et al. 2011: a step rate 10 % below the runner's preferred one raised "
        "loading at every joint"
    )

    @classmethod
    def chart_lines(cls, finding, panel):
        """The step rate it flagged below: a share of the runner's baseline or the band edge."""
        thr = finding.evidence.threshold
        if thr.get("cadence_spm_below") is None:
            return []
        what = (
            f"{thr['baseline_ratio']:.0%} of your baseline at this speed"
            if "baseline_ratio" in thr
            else "population band edge"
        )
        v = float(thr["cadence_spm_below"])
        return [(v, f"flag below {v:g}: {what}", "--")]

    def __init__(
        self,
        min_speed_m_s: float = 2.0,
        max_grade_pct: float = 3.0,
        skip_start_s: float = 600.0,
        min_duration_s: float = 300.0,
        baseline_ratio: float = 0.95,
        population_spm: float = 153.0,
        window_s: float = 60.0,
        max_gap_s: float = 30.0,
        suggestion_pct: float = 5.0,
        flag_ratio: float = 0.90,
        population_margin_spm: float = 3.0,
        resolution_spm: float = 2.0,
    ) -> None:
        self.flag_ratio = flag_ratio
        self.population_margin_spm = population_margin_spm
        self.resolution_spm = resolution_spm
        self.min_speed_m_s = min_speed_m_s
        self.max_grade_pct = max_grade_pct
        self.skip_start_s = skip_start_s
        self.min_duration_s = min_duration_s
        self.baseline_ratio = baseline_ratio
        self.population_spm = population_spm
        self.window_s = window_s
        self.max_gap_s = max_gap_s
        self.suggestion_pct = suggestion_pct

    def _steady_thresholds(self) -> dict[str, float]:
        return {
            "min_speed_m_s": self.min_speed_m_s,
            "max_grade_pct": self.max_grade_pct,
            "skip_start_s": self.skip_start_s,
            "min_duration_s": self.min_duration_s,
        }

    def evaluate(
        self,
        activity: Activity,
        baseline: CadenceBaseline | None = None,
        profile: RunnerProfile | None = None,
    ) -> list[Finding]:
        sig = Signals.of(activity, self.window_s)
        if not sig.has("cadence_spm"):
            return [
                Finding(
                    self.name,
                    "info",
                    "unknown",
                    "Overstriding not judged: this file has no step rate (cadence).",
                    Evidence(source=sources.HEIDERSCHEIT_2011),
                )
            ]
        cad = sig.smooth("cadence_spm")
        steady = sig.steady(self.min_speed_m_s, self.max_grade_pct, self.skip_start_s)
        steady &= np.isfinite(cad)
        steady_s = sig.seconds(steady)
        if steady_s < self.min_duration_s:
            return [
                Finding(
                    self.name,
                    "info",
                    "unknown",
                    f"Overstriding not judged: only {steady_s / 60:.1f} min of steady running "
                    f"(at least {self.min_speed_m_s:g} m/s, grade under {self.max_grade_pct:g} %, "
                    f"after the first {self.skip_start_s / 60:g} min); "
                    f"{self.min_duration_s / 60:g} min are needed.",
                    Evidence(
                        values={"steady_running_s": steady_s},
                        threshold=self._steady_thresholds(),
                        source=sources.HEIDERSCHEIT_2011,
                    ),
                )
            ]
        intervals, work = work_pace(sig.speed_m_s, sig.moving & (sig.dt_s > 0))
        if intervals:
            # Recoveries, warm-up and cool-down of an interval session are not its effort.
            steady &= work
        thr = step_rate_threshold(sig.speed_m_s, baseline, self.baseline_ratio, self.population_spm)
        fit = personal_fit(baseline, "cadence_spm")[0]
        personal = thr.expected_spm is not None
        if personal:
            margin = max(float(fit.residual_sd_spm), self.resolution_spm)
        else:
            margin = max(self.population_margin_spm, self.resolution_spm)
        # Stretches below the threshold; then the stretch's median must pass it by the margin.
        low = steady & (cad < thr.spm)
        runs = sig.sustained_steady(low, steady, self.min_duration_s, self.max_gap_s)
        if not runs:
            return []
        in_runs = sig.within(runs) & steady
        sel = in_runs
        rest = steady & ~in_runs
        cad_seen = float(nanmedian(cad[sel]))
        speed_seen = float(nanmedian(sig.speed_m_s[sel]))
        thr_seen = float(nanmedian(thr.spm[sel]))
        if personal:
            usual = float(nanmedian(thr.expected_spm[sel]))
            g = self.grade(
                cad_seen,
                reference=usual,
                note_at=self.baseline_ratio * usual,
                flag_at=self.flag_ratio * usual,
                margin=margin,
                weak=baseline_weakness(baseline, "cadence_spm"),
            )
        else:
            usual = float(self.population_spm)
            g = self.grade(cad_seen, reference=usual, note_at=usual, margin=margin)
        if g.severity is None:
            return []
        step_len = float(nanmedian(sig.speed_m_s[sel] * 60.0 / cad[sel]))
        duration_s = sig.seconds(in_runs)
        values: dict[str, object] = {
            "cadence_spm": round(cad_seen, 1),
            "speed_m_s": round(speed_seen, 2),
            "pace": format_pace(speed_seen),
            "step_length_m": round(step_len, 3),
            "duration_s": round(duration_s),
            "steady_running_s": round(steady_s),
            "grade_known": sig.grade_known,
        }
        if intervals:
            values["session"] = "interval session: reps only"
        if rest.any():
            values["cadence_spm_rest_of_steady_running"] = round(float(nanmedian(cad[rest])), 1)
            values["step_length_m_rest_of_steady_running"] = round(
                float(nanmedian(sig.speed_m_s[rest] * 60.0 / cad[rest])), 3
            )
        height = profile.height_m if profile is not None else None
        if height:
            values["height_m"] = height
            values["step_length_height_ratio"] = round(step_len / height, 3)
        threshold: dict[str, object] = {"cadence_spm_below": round(thr_seen, 1)}
        if personal:
            values["baseline_expected_spm"] = round(usual, 1)
            values["below_usual_pct"] = round(100.0 * (1.0 - cad_seen / usual), 1)
            threshold["baseline_ratio"] = self.baseline_ratio
            threshold["flag_ratio"] = self.flag_ratio
            threshold["cadence_spm_flag_below"] = round(self.flag_ratio * usual, 1)
            if fit.extrapolated(speed_seen):
                values["baseline_extrapolated"] = True
        else:
            threshold["population_spm"] = self.population_spm
        threshold.update(self._steady_thresholds())

        n = len(runs)
        where = f"{duration_s / 60:.0f} min" + (f" in {n} stretches" if n > 1 else "")
        if intervals:
            where += " of the reps"
        if personal:
            versus = (
                f"{values['below_usual_pct']:.0f} % below your usual {usual:.0f} +- {margin:.0f} "
                f"steps/min at this pace ({thr.basis})"
            )
            if values.get("baseline_extrapolated"):
                versus += (
                    "; this speed is outside the speeds your baseline was fitted on, so less sure"
                )
        else:
            versus = (
                f"below {usual:.0f} +- {margin:.0f} steps/min, the edge of Garmin's lowest (red) "
                f"population band. Judged on the {thr.basis}, so this compares you with other "
                "runners at any speed, which is weaker: step rate depends on height, speed, "
                "grade and fatigue"
            )
        if g.severity == "note":
            versus += f". A note, not a flag: {g.why_not_flag}"
            if personal and g.why_not_flag.startswith("below the size"):
                versus += (
                    f" (Heiderscheit et al. 2011 measured raised loading at 10 % below the "
                    f"usual step rate, {self.flag_ratio * usual:.0f} here)"
                )
        opening = "Step rate low for your speed" if personal else "Low step rate"
        msg = (
            f"{opening} for {where} of steady running: {cad_seen:.0f} "
            f"steps/min at {format_pace(speed_seen)}, {versus}. A low step rate"
            f"{' for the speed' if personal else ''} is "
            "a proxy for overstriding (landing far ahead of the body), which raises braking "
            "forces; the watch cannot see where your foot lands."
        )
        if height:
            msg += f" Step length {step_len:.2f} m = {step_len / height:.2f} x your height."
        else:
            msg += f" Step length {step_len:.2f} m."
        if personal:
            suggestion = (
                f"Aim for about your own usual step rate at this pace, {usual:.0f} steps/min "
                f"(+{100 * (usual / cad_seen - 1):.0f} %, e.g. with a metronome) on easy runs, "
                "keeping the pace: in the lab a higher step rate lowered knee loading "
                "(Heiderscheit et al. 2011); its effect on back pain is not measured."
            )
        else:
            target = cad_seen * (1 + self.suggestion_pct / 100.0)
            suggestion = (
                f"Try about +{self.suggestion_pct:g}% step rate (about {target:.0f} steps/min at "
                "this pace, e.g. with a metronome) on easy runs, keeping the pace: in the lab this "
                "lowered knee loading (Heiderscheit et al. 2011); its effect on back pain is not "
                "measured. A history of your own runs gives a better target than one number."
            )
        return [
            Finding(
                self.name,
                g.severity,
                "inferred",
                msg,
                Evidence(
                    values,
                    threshold,
                    thr.source,
                    basis=thr.basis,
                    margin=round(margin, 2),
                    interval=g.interval,
                    margin_unit="spm",
                ),
                [sig.span(a, b) for a, b in runs],
                suggestion,
            )
        ]
