"""Form fading late in a run, and a run with no easy start.

Neither has a published threshold in evidence.md: the defaults are runlens
conventions, the findings say so, and their severity stays at "note" unless
several signals agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..findings import Evidence, Finding
from ..units import format_pace, median, quantiles
from . import sources
from ._signals import Signals, personal_fit
from .base import Rule, register

if TYPE_CHECKING:
    from ..baseline import CadenceBaseline
    from ..config import RunnerProfile
    from ..model import Activity

__all__ = ["FormFade", "NoWarmup"]


def _median(x: np.ndarray, m: np.ndarray) -> float:
    v = x[m]
    v = v[np.isfinite(v)]
    return float(median(v)) if v.size else float("nan")


@register
class FormFade(Rule):
    """Step rate falling, contact time and bounce rising, first vs last third.

    The thirds are of recorded (timer) running time; only samples at a matched
    pace are compared, so a slower finish is not mistaken for a form change.

    Parameters
    ----------
    min_run_s : float
        Runs shorter than this are not judged, s (1800: fatigue needs time).
    cadence_drop_pct : float
        Step rate must fall by at least this, % (2).
    gct_rise_pct : float
        Ground contact rising by at least this counts as fading, % (3).
    vo_rise_pct : float
        Vertical oscillation rising by at least this counts as fading, % (5).
    pace_tolerance_pct : float
        "Matched pace": within this of the reference speed, % (5).
    min_matched_s : float
        Each third needs this much running at matched pace, s (180).
    min_speed_m_s, max_grade_pct : float
        Steady running (2 m/s, 3 %).
    day_to_day_pct : float
        Margin the step-rate drop must pass ``cadence_drop_pct`` by, % (1:
        runlens' own), when the runner's baseline does not give their own
        day-to-day variation (the spread across runs of their step rate at
        matched speed), which replaces it.
    resolution_spm : float
        A watch records whole strides/min (2 steps/min); half of it is the
        smallest margin.

    Always a note at most: no study in runners gives a threshold for a fade.
    """

    name = "form_fade"
    title = "late-run form fade"
    order = 14
    panel = "cadence"
    pain = ("form fade late in a run", "form")
    evidence = "2"

    @classmethod
    def chart_lines(cls, finding, panel):
        """The step rate of the first and last third at matched pace (the last dotted)."""
        if panel != "cadence":
            return []
        out = []
        for part, style in (("first", "--"), ("last", ":")):
            v = finding.evidence.values.get(f"cadence_spm_{part}_third")
            if v is not None:
                out.append((float(v), f"{part} third at matched pace: {v:g}", style))
        return out

    def __init__(
        self,
        min_run_s: float = 1800.0,
        cadence_drop_pct: float = 2.0,
        gct_rise_pct: float = 3.0,
        vo_rise_pct: float = 5.0,
        pace_tolerance_pct: float = 5.0,
        min_matched_s: float = 180.0,
        min_speed_m_s: float = 2.0,
        max_grade_pct: float = 3.0,
        day_to_day_pct: float = 1.0,
        resolution_spm: float = 2.0,
    ) -> None:
        self.day_to_day_pct = day_to_day_pct
        self.resolution_spm = resolution_spm
        self.min_run_s = min_run_s
        self.cadence_drop_pct = cadence_drop_pct
        self.gct_rise_pct = gct_rise_pct
        self.vo_rise_pct = vo_rise_pct
        self.pace_tolerance_pct = pace_tolerance_pct
        self.min_matched_s = min_matched_s
        self.min_speed_m_s = min_speed_m_s
        self.max_grade_pct = max_grade_pct

    def evaluate(
        self,
        activity: Activity,
        baseline: CadenceBaseline | None = None,
        profile: RunnerProfile | None = None,
    ) -> list[Finding]:
        sig = Signals.of(activity, 30.0)
        if len(sig) == 0 or not sig.has("cadence_spm"):
            return []
        total = float(sig.active_s[-1])
        if total < self.min_run_s:
            return []
        cad = sig.raw("cadence_spm")
        base = sig.steady(self.min_speed_m_s, self.max_grade_pct, 0.0) & np.isfinite(cad)
        first = base & (sig.active_s <= total / 3)
        last = base & (sig.active_s > 2 * total / 3)
        if not (first.any() and last.any()):
            return []
        ref = _median(sig.speed_m_s, first | last)
        matched = np.abs(sig.speed_m_s / ref - 1.0) <= self.pace_tolerance_pct / 100.0
        f, la = first & matched, last & matched
        if sig.seconds(f) < self.min_matched_s or sig.seconds(la) < self.min_matched_s:
            return []

        def change(col: str) -> tuple[float, float, float] | None:
            if not sig.has(col):
                return None
            x = sig.raw(col)
            a, b = _median(x, f), _median(x, la)
            if not (np.isfinite(a) and np.isfinite(b)) or a <= 0:
                return None
            return a, b, 100.0 * (b / a - 1.0)

        c = change("cadence_spm")
        g = change("ground_contact_ms")
        vo = change("vertical_oscillation_mm")
        if c is None:
            return []
        # Beyond the runner's own day-to-day variation of step rate (their baseline's
        # spread of run means at matched speed), else runlens' default.
        margin = self.day_to_day_pct
        margin_from = "runlens' default day-to-day variation"
        fit = personal_fit(baseline, "cadence_spm")[0]
        run_sd = getattr(fit, "run_sd_spm", None) if fit is not None else None
        if run_sd is not None and np.isfinite(run_sd):
            margin = max(100.0 * run_sd / c[0], 100.0 * self.resolution_spm / c[0] / 2.0)
            margin_from = "your own day-to-day variation of step rate"
        judged = self.grade(
            -c[2], reference=0.0, note_at=self.cadence_drop_pct, margin=margin, below=False
        )
        if judged.severity is None:
            return []
        others = [
            (n, x, lim)
            for n, x, lim in (("gct", g, self.gct_rise_pct), ("vo", vo, self.vo_rise_pct))
            if x is not None
        ]
        rising = [n for n, x, lim in others if x[2] >= lim]
        if others and not rising:
            return []  # step rate fell but nothing else changed: not a fade pattern
        values: dict[str, object] = {
            "reference_speed_m_s": round(ref, 2),
            "reference_pace": format_pace(ref),
            "cadence_spm_first_third": round(c[0], 1),
            "cadence_spm_last_third": round(c[1], 1),
            "cadence_change_pct": round(c[2], 1),
            "matched_s_first_third": round(sig.seconds(f)),
            "matched_s_last_third": round(sig.seconds(la)),
        }
        parts = [f"step rate fell from {c[0]:.0f} to {c[1]:.0f} steps/min ({c[2]:+.1f}%)"]
        for key, x, word, unit in (
            ("ground_contact_ms", g, "ground contact", "ms"),
            ("vertical_oscillation_mm", vo, "vertical oscillation", "mm"),
        ):
            if x is None:
                continue
            values[f"{key}_first_third"] = round(x[0], 1)
            values[f"{key}_last_third"] = round(x[1], 1)
            values[f"{key}_change_pct"] = round(x[2], 1)
            verb = "rose" if x[2] > 0 else "changed"
            parts.append(f"{word} {verb} from {x[0]:.0f} to {x[1]:.0f} {unit} ({x[2]:+.1f}%)")
        severity = "note"  # no study in runners gives a threshold for a fade (docs/rules.md)
        values["day_to_day_pct"] = round(margin, 2)
        idx = np.flatnonzero(la)
        msg = (
            f"Form faded late in the run: at the same pace ({format_pace(ref)} "
            f"+-{self.pace_tolerance_pct:g}%), " + ", ".join(parts) + " between the first and "
            "last thirds. Tired form lands harder and brakes more."
            f" The step-rate drop is beyond {margin_from} (+-{margin:.1f}%); a note, as no "
            "study gives a threshold for a fade."
        )
        if not others:
            msg += " Only step rate was available, so this is a weaker sign."
        return [
            Finding(
                self.name,
                severity,
                "measured",
                msg,
                Evidence(
                    values,
                    {
                        "cadence_drop_pct_at_least": self.cadence_drop_pct,
                        "gct_rise_pct_at_least": self.gct_rise_pct,
                        "vo_rise_pct_at_least": self.vo_rise_pct,
                        "pace_tolerance_pct": self.pace_tolerance_pct,
                        "min_run_s": self.min_run_s,
                    },
                    sources.RUNLENS_DEFAULT + "; fatigue changes step rate (docs/evidence.md section 2)",
                    basis="first vs last third of this run, matched pace",
                    margin=round(margin, 2),
                    interval=[round(-margin, 2), round(margin, 2)],
                    margin_unit="% step rate change",
                ),
                [sig.span(int(idx[0]), int(idx[-1]))],
                "Watch whether it repeats on long runs. A step-rate cue late in the run "
                "(about +5%, Heiderscheit et al. 2011) or building long-run distance more slowly "
                "may help.",
            )
        ]


#: Words in a file's or activity's name that mark a race (whole words).
RACE_WORDS = (
    r"\b(race|racing|parkrun|marathon|halfmarathon|halbmarathon|wettkampf|competition|"
    r"time ?trial|relay)\b"
)


def _named_race(activity: Activity) -> bool:
    """Whether the activity's name, file name or sub-sport says it is a race."""
    import os

    names = [str(activity.extra.get("name") or ""), os.path.basename(activity.source.path or "")]
    names += [str(activity.sub_sport or "")]
    import re

    text = " ".join(names).lower().replace("_", " ").replace("-", " ").replace(".", " ")
    return re.search(RACE_WORDS, text) is not None


def _follows_other_sport(activity: Activity) -> bool:
    """Whether the run starts after another sport in the same file (a triathlon's run leg)."""
    runs = activity.running_sessions()
    if not runs or len(activity.sessions) < 2:
        return False
    first_run = min(s.start for s in runs if s.start is not None)
    return any(
        s.sport != "running" and s.start is not None and s.start < first_run
        for s in activity.sessions
    )


@register
class NoWarmup(Rule):
    """The first minutes of a run no easier than its main effort.

    The main effort is an upper pace quantile of the rest of the run (the pace
    held or beaten for a quarter of it), not its median: in an interval session
    the recovery jogs would pull a median down to the warm-up's pace. A session
    whose main part alternates fast and slow running (tenth and ninetieth
    percentile speeds at least ``interval_spread`` apart) is recognised as
    intervals and said so in the evidence. A run leg that follows another sport
    in the same file (swim, ride, transition) is not judged: the runner is warm.

    Parameters
    ----------
    warmup_s : float
        Length of the start that is compared, s of recorded running (300: the
        first 5 min, where an easy start shows most).
    easier_pct : float
        A warm-up counts when its median speed is at least this much slower
        than the main effort, % (5).
    min_run_s : float
        Runs shorter than this are not judged, s (1200).
    main_quantile : float
        Quantile of the main part's speed that stands for its effort (0.75).
    interval_spread : float
        Ratio of the 90th to the 10th percentile speed of the main part from
        which a session counts as intervals (1.4; tempo runs with a cool-down
        reach about 1.3).
    grade_factor : float
        Speeds are compared grade-adjusted, ``v / (1 - grade_factor x grade %)``
        with grade clipped to +-8 % (0.02: 2 % slower per % uphill), so a start
        that happens to climb is not taken for an easy one. Where grade is
        unknown the raw speed is used.
    easy_hr_pct : float
        Judged only when the main effort is harder than the runner's easy
        effort: its heart rate above this share of their maximum (0.80:
        runlens' own, about the top of an easy, conversational effort) ...
    race_hr_pct : float
        ... and, on a continuous run, below this share (0.90: runlens' own;
        a run held above it is a race effort, where a fast start is the
        point). Races are also recognised by name ("race", "parkrun",
        "marathon", "10k", ...).
    easy_pace_margin_pct : float
        Without heart rate and maximum: the main effort's pace must be more
        than this much faster than the runner's usual easy pace from their
        history (5 %). With neither, the run is not judged.
    """

    name = "no_warmup"
    title = "no warm-up"
    order = 15
    panel = "pace"
    pain = ("no warm-up", "form")
    evidence = "9"

    def __init__(
        self,
        warmup_s: float = 300.0,
        easier_pct: float = 5.0,
        min_run_s: float = 1200.0,
        main_quantile: float = 0.75,
        interval_spread: float = 1.4,
        grade_factor: float = 0.02,
        easy_hr_pct: float = 0.80,
        race_hr_pct: float = 0.90,
        easy_pace_margin_pct: float = 5.0,
    ) -> None:
        self.warmup_s = warmup_s
        self.easier_pct = easier_pct
        self.min_run_s = min_run_s
        self.main_quantile = main_quantile
        self.interval_spread = interval_spread
        self.grade_factor = grade_factor
        self.easy_hr_pct = easy_hr_pct
        self.race_hr_pct = race_hr_pct
        self.easy_pace_margin_pct = easy_pace_margin_pct

    def _effort(self, sig, speed, main, v_main, intervals, baseline, profile):
        """Whether the main effort was harder than the runner's easy effort.

        Returns None when it was not (or was a race, or cannot be told), else
        ``(words, evidence values)``. Heart rate against the runner's maximum
        when both are known, else pace against their own usual easy pace from
        the history baseline.
        """
        hard = main & (speed >= v_main * (1 - self.easier_pct / 100.0))
        max_hr = profile.max_hr_bpm if profile is not None else None
        if max_hr and sig.has("heart_rate_bpm"):
            hr = _median(sig.raw("heart_rate_bpm"), hard & (sig.active_s > 2 * self.warmup_s))
            if np.isfinite(hr):
                share = hr / float(max_hr)
                vals = {"heart_rate_bpm_main_effort": round(hr, 1), "max_hr_bpm": max_hr}
                if not intervals and share >= self.race_hr_pct:
                    return None  # a race effort: a fast start is the point
                if share <= self.easy_hr_pct:
                    return None  # an easy run at easy effort
                return (
                    f"heart rate {hr:.0f} bpm, {share:.0%} of your maximum {max_hr:.0f}; easy "
                    f"is up to {self.easy_hr_pct:.0%}",
                    vals,
                )
        easy = getattr(baseline, "easy_speed_m_s", None)
        if easy:
            ratio = v_main / float(easy)
            if ratio <= 1 + self.easy_pace_margin_pct / 100.0:
                return None
            return (
                f"{format_pace(v_main)} against your usual easy {format_pace(float(easy))}, "
                f"{(ratio - 1) * 100:.0f} % faster",
                {"easy_speed_m_s": round(float(easy), 2)},
            )
        return None

    def evaluate(
        self,
        activity: Activity,
        baseline: CadenceBaseline | None = None,
        profile: RunnerProfile | None = None,
    ) -> list[Finding]:
        if _follows_other_sport(activity) or _named_race(activity):
            return []
        sig = Signals.of(activity, 30.0)
        if len(sig) == 0 or float(sig.active_s[-1]) < self.min_run_s:
            return []
        g = np.clip(np.nan_to_num(sig.grade_pct), -8.0, 8.0)
        speed = sig.speed_m_s / (1.0 - self.grade_factor * g)  # grade-adjusted, m/s
        moving = sig.moving & (sig.dt_s > 0) & np.isfinite(speed)
        early = sig.active_s <= self.warmup_s
        w, main = moving & early, moving & ~early
        if sig.seconds(w) < self.warmup_s / 2 or sig.seconds(main) < 2 * self.warmup_s:
            return []
        v_w = _median(speed, w)
        v = speed[main]
        q10, v_main, q90 = quantiles(v, [0.10, self.main_quantile, 0.90])
        intervals = bool(q10 > 0 and q90 / q10 >= self.interval_spread)
        limit = v_main * (1 - self.easier_pct / 100.0)
        if not v_w > limit:
            return []
        effort = self._effort(sig, speed, main, float(v_main), intervals, baseline, profile)
        if effort is None:
            return []  # easy, a race, or the runner's easy effort unknown: not judged
        effort_words, effort_values = effort
        kind = "interval session" if intervals else "continuous run"
        values: dict[str, object] = {
            "speed_m_s_first": round(v_w, 2),
            "speed_m_s_main": round(float(v_main), 2),
            "pace_first": format_pace(v_w),
            "pace_main": format_pace(float(v_main)),
            "speed_ratio": round(v_w / float(v_main), 3),
            "session": kind,
            "main_speed_spread": round(float(q90 / q10), 2) if q10 > 0 else None,
        }
        if sig.has("heart_rate_bpm"):
            hr = sig.raw("heart_rate_bpm")
            values["heart_rate_bpm_first"] = round(_median(hr, w), 1)
            values["heart_rate_bpm_main"] = round(_median(hr, main), 1)
        values.update(effort_values)
        idx = np.flatnonzero(early)
        span = sig.span(int(idx[0]), int(idx[-1]))
        return [
            Finding(
                self.name,
                "note",
                "measured",
                f"No easy start: your first {self.warmup_s / 60:g} min ran at "
                f"{format_pace(v_w)} (grade-adjusted), no easier than the main effort of this {kind} "
                f"({format_pace(float(v_main))}, the pace held or beaten for "
                f"{(1 - self.main_quantile) * 100:.0f}% of the rest); a warm-up here means at "
                f"least {self.easier_pct:g}% slower. The main effort was harder than your easy "
                f"effort ({effort_words}). Muscles and joints take a few minutes "
                "to get ready for load.",
                Evidence(
                    values,
                    {
                        "warmup_s": self.warmup_s,
                        "speed_m_s_at_most": round(float(limit), 2),
                        "easier_pct": self.easier_pct,
                        "main_quantile": self.main_quantile,
                        "interval_spread": self.interval_spread,
                    },
                    sources.RUNLENS_DEFAULT + "; evidence for warm-ups in runners is mixed",
                    basis=f"this run's own main effort ({self.main_quantile:g} quantile of "
                    "grade-adjusted speed after the start)",
                    margin=self.easier_pct,
                    interval=[round(float(limit), 2), round(float(v_main), 2)],
                    margin_unit="m/s (easier than the main effort)",
                ),
                [span],
                f"Run the first {self.warmup_s / 60:g} minutes easily (a pace you could chat at) "
                "before speeding up.",
            )
        ]
