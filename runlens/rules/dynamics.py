"""Running-dynamics rules: ground-contact imbalance and high vertical motion.

Both compare the runner with Garmin's colour zones (evidence.md section 5),
which are population percentiles, not targets, and differ by sensor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..findings import Evidence, Finding
from ..units import nanmedian, percentiles
from . import sources
from ._signals import Signals, baseline_weakness, dev_column, personal_fit, sustained
from .base import Rule, register

if TYPE_CHECKING:
    from ..baseline import CadenceBaseline
    from ..config import RunnerProfile
    from ..model import Activity

__all__ = ["GroundContactImbalance", "VerticalMotion"]


@register
class GroundContactImbalance(Rule):
    """Left/right ground-contact balance beyond the red band, sustained.

    Parameters
    ----------
    limit_pct : float
        Flag a left share above this or below ``100 - limit_pct``, % (52.2: the
        edge of Garmin's red band, evidence.md section 5).
    min_duration_s : float
        Sustained for at least this long, s (300).
    min_speed_m_s : float
        Only running at least this fast counts, m/s (2.0; walking steps differ).
    window_s : float
        Smoothing window, s (60).
    max_gap_s : float
        Interruptions bridged, s (30).
    personal_shift_pct : float
        With a personal band (the runner's own balance at this speed, from the
        runs before this one): flag a left share further than this from it,
        percentage points (1.5), ...
    personal_sd : float
        ... and further than this many of the band's residual standard
        deviations (3), sustained as above.
    green_pct : float
        Without a personal band, a whole run whose median left share lies
        outside Garmin's green band (49.3-50.7 %) by more than ``margin_pct``
        gets one note describing the whole run (50.7).
    margin_pct : float
        Margin without a personal band, percentage points (0.3: runlens' own,
        the minute-to-minute spread of a steady balance reading).
    resolution_pct : float
        Smallest margin with a personal band, points (0.1).

    Always a note at most: a prospective study found no added injury risk
    from left/right asymmetry (Malisoux et al. 2024). The whole run is judged
    first (a steady 48/52 is one fact, described as such); only when the run
    as a whole is within its band is a sustained episode beyond the red band
    (or the personal band) described.
    """

    name = "gct_imbalance"
    title = "uneven ground contact"
    order = 12
    panel = "balance"
    pain = ("ground contact imbalance (left / right)", "form")
    evidence = "5"

    chart_band = True

    @classmethod
    def chart_lines(cls, finding, panel):
        """The edges of the even band the left share was outside."""
        thr = finding.evidence.threshold
        return [
            (float(thr[k]), f"uneven beyond {thr[k]:g} %", "--")
            for k in ("left_pct_above", "left_pct_below")
            if thr.get(k) is not None
        ]

    def __init__(
        self,
        limit_pct: float = 52.2,
        min_duration_s: float = 300.0,
        min_speed_m_s: float = 2.0,
        window_s: float = 60.0,
        max_gap_s: float = 30.0,
        personal_shift_pct: float = 1.5,
        personal_sd: float = 3.0,
        green_pct: float = 50.7,
        margin_pct: float = 0.3,
        resolution_pct: float = 0.1,
    ) -> None:
        self.green_pct = green_pct
        self.margin_pct = margin_pct
        self.resolution_pct = resolution_pct
        self.personal_shift_pct = personal_shift_pct
        self.personal_sd = personal_sd
        self.limit_pct = limit_pct
        self.min_duration_s = min_duration_s
        self.min_speed_m_s = min_speed_m_s
        self.window_s = window_s
        self.max_gap_s = max_gap_s

    def evaluate(
        self,
        activity: Activity,
        baseline: CadenceBaseline | None = None,
        profile: RunnerProfile | None = None,
    ) -> list[Finding]:
        sig = Signals.of(activity, self.window_s)
        if not sig.has("gct_balance_left_pct"):
            return []  # most sensors do not report balance: nothing to say
        bal = sig.smooth("gct_balance_left_pct")
        run = (np.nan_to_num(sig.speed_m_s) >= self.min_speed_m_s) & (sig.dt_s > 0)
        run &= np.isfinite(bal)
        if sig.seconds(run) < self.min_duration_s:
            return []
        band, basis = personal_fit(baseline, "gct_balance_left_pct")
        weak = baseline_weakness(baseline, "gct_balance_left_pct")
        if band is not None and weak:
            # A weak band (few runs, several devices, wide spread) judges nothing.
            band, basis = None, f"population band: your own baseline is weak ({weak})"
        if band is not None:
            expected = np.asarray(band.expected(sig.speed_m_s), dtype=float)
            steady_limit = max(self.personal_shift_pct, self.personal_sd * band.residual_sd)
            episode_limit = steady_limit
            margin = max(float(band.residual_sd), self.resolution_pct)
        else:
            expected = np.full(len(sig), 50.0)
            steady_limit = self.green_pct - 50.0
            episode_limit = self.limit_pct - 50.0
            margin = self.margin_pct
        dev = bal - expected
        whole = float(nanmedian(dev[run]))
        usual = float(nanmedian(expected[run]))
        # The whole run first: a steady asymmetry is one fact, not an episode.
        g = self.grade(
            abs(whole), reference=0.0, note_at=steady_limit, margin=margin, below=False
        )
        if g.severity is not None:
            left = usual + whole
            runs: list[tuple[int, int]] = []
            span_words = "the whole run"
            sel = run
        else:
            off = run & (np.abs(dev) > episode_limit + margin)
            runs = sustained(off, sig.t_s, sig.dt_s, self.min_duration_s, self.max_gap_s)
            if not runs:
                return []
            sel = sig.within(runs) & run
            left = float(nanmedian(bal[sel]))
            g = self.grade(
                abs(left - float(nanmedian(expected[sel]))),
                reference=0.0,
                note_at=episode_limit,
                margin=margin,
                below=False,
            )
            if g.severity is None:
                return []
            usual = float(nanmedian(expected[sel]))
            span_words = f"{sig.seconds(sig.within(runs)) / 60:.0f} min"
        side = "left" if left > 50 else "right"
        duration_s = sig.seconds(sel)
        present = bal[sel][~np.isnan(bal[sel])]
        spread = percentiles(present, [10, 90]) if present.size else np.full(2, np.nan)
        values: dict[str, object] = {
            "gct_balance_left_pct": round(left, 1),
            "gct_balance_right_pct": round(100 - left, 1),
            "duration_s": round(duration_s),
            "whole_run": not runs,
            "left_pct_p10_p90": [round(float(spread[0]), 1), round(float(spread[1]), 1)],
        }
        threshold: dict[str, object] = {
            "min_duration_s": self.min_duration_s,
            "min_speed_m_s": self.min_speed_m_s,
        }
        if band is not None:
            values["baseline_expected_left_pct"] = round(usual, 1)
            threshold["shift_pct_beyond"] = round(steady_limit, 2)
            versus = (
                f"{abs(left - usual):.1f} points away from your own usual {usual:.1f} +- "
                f"{margin:.1f}% left at this speed ({basis})"
            )
            source = f"{sources.GARMIN_ZONES} (what the field means); the runner's own history"
        elif not runs:
            threshold["left_pct_beyond_green"] = self.green_pct
            versus = (
                f"outside Garmin's green band ({100 - self.green_pct:.1f}-{self.green_pct:.1f}% "
                f"left; {basis})"
            )
            source = sources.GARMIN_ZONES
        else:
            threshold["left_pct_above"] = self.limit_pct
            threshold["left_pct_below"] = round(100 - self.limit_pct, 1)
            versus = f"beyond {self.limit_pct:g}% either side (Garmin's red band; {basis})"
            source = sources.GARMIN_ZONES
        if not runs:
            head = (
                f"Ground contact steadily uneven, {left:.0f}/{100 - left:.0f} the whole run: "
                f"left {left:.1f}% / right {100 - left:.1f}% (most minutes between "
                f"{spread[0]:.1f} and {spread[1]:.1f}% left)"
            )
        else:
            head = (
                f"Ground contact was uneven for {span_words}: left {left:.1f}% / right "
                f"{100 - left:.1f}%"
            )
        return [
            Finding(
                self.name,
                g.severity,
                "measured",
                f"{head}, more time on the {side} foot, {versus}. A note, not a flag: a "
                "prospective study found no added injury risk from left/right asymmetry "
                "(Malisoux et al. 2024). The FIT field is taken as the left share (assumed, not "
                "documented).",
                Evidence(
                    values,
                    threshold,
                    f"{source}; {sources.MALISOUX_2024}",
                    basis=basis,
                    margin=round(margin, 2),
                    interval=[round(usual - margin, 2), round(usual + margin, 2)],
                    margin_unit="% left",
                ),
                [sig.span(a, b) for a, b in runs],
                "An imbalance can come from an old injury, fatigue, a cambered road or how the "
                "sensor sits. If it shows on most runs, a physiotherapist or coach can look at it.",
            )
        ]


@register
class VerticalMotion(Rule):
    """High vertical ratio (or oscillation) for the sensor type, sustained.

    Vertical ratio (oscillation / step length) is used where the file has it,
    because it allows for step length; oscillation alone otherwise.

    Parameters
    ----------
    sensor : str
        "auto", "chest_strap", "pod" or "wrist". Garmin's bands are for a
        chest strap; "auto" takes a Stryd-style pod when the file shows one and
        otherwise assumes a chest strap (and says so).
    vertical_ratio_pct_max : float
        Flag above this, % (10.1: Garmin's red band, chest strap).
    vertical_oscillation_mm_max : float
        Flag above this, mm (115: Garmin's red band, 11.5 cm, chest strap).
    min_speed_m_s, max_grade_pct, skip_start_s : float
        Steady running (2 m/s, 3 %, 600 s).
    min_duration_s : float
        Sustained for at least this long, s (300).
    window_s, max_gap_s : float
        Smoothing window and bridged interruptions, s (60, 30).
    personal_pct : float
        With a personal band (the runner's own value at this speed from the
        runs before this one, same sensor): flag above the expected value by
        more than this share, % (8), ...
    personal_sd : float
        ... and by more than this many of the band's residual standard
        deviations (3). The population red band is then not used.
    population_margin_pct, population_margin_mm : float
        Margin above the red band's edge, vertical ratio points (0.2) and
        oscillation mm (3): runlens' own, about the sensor's reading noise.

    Always a note at most: Garmin's bands are population percentiles and no
    study in runners supports a flag threshold (docs/rules.md).
    """

    name = "vertical_motion"
    title = "bouncy stride"
    order = 13
    panel = "vertical_oscillation"  # or vertical_ratio: panel_for
    pain = ("vertical motion", "form")
    evidence = "5"

    @classmethod
    def panel_for(cls, finding):
        """Vertical ratio when the finding judged it, else vertical oscillation."""
        if "vertical_ratio_pct" in finding.evidence.values:
            return "vertical_ratio"
        return cls.panel

    @classmethod
    def chart_lines(cls, finding, panel):
        """Each high edge it was judged against, with its basis (zone or own band)."""
        basis = finding.evidence.basis or ""
        return [
            (float(v), f"high above {v:g} ({basis})", "--")
            for k, v in finding.evidence.threshold.items()
            if k.endswith("_above")
        ]

    def __init__(
        self,
        sensor: str = "auto",
        vertical_ratio_pct_max: float = 10.1,
        vertical_oscillation_mm_max: float = 115.0,
        min_speed_m_s: float = 2.0,
        max_grade_pct: float = 3.0,
        skip_start_s: float = 600.0,
        min_duration_s: float = 300.0,
        window_s: float = 60.0,
        max_gap_s: float = 30.0,
        personal_pct: float = 8.0,
        personal_sd: float = 3.0,
        population_margin_pct: float = 0.2,
        population_margin_mm: float = 3.0,
    ) -> None:
        self.population_margin_pct = population_margin_pct
        self.population_margin_mm = population_margin_mm
        self.personal_pct = personal_pct
        self.personal_sd = personal_sd
        self.sensor = sensor
        self.vertical_ratio_pct_max = vertical_ratio_pct_max
        self.vertical_oscillation_mm_max = vertical_oscillation_mm_max
        self.min_speed_m_s = min_speed_m_s
        self.max_grade_pct = max_grade_pct
        self.skip_start_s = skip_start_s
        self.min_duration_s = min_duration_s
        self.window_s = window_s
        self.max_gap_s = max_gap_s

    def _sensor(self, activity: Activity) -> tuple[str, bool]:
        """(sensor type, whether it was assumed rather than configured)."""
        if self.sensor not in ("auto", "chest_strap", "pod", "wrist"):
            from ..errors import RunlensError

            raise RunlensError(
                f'[rules.vertical_motion] sensor = "{self.sensor}": expected "auto", '
                '"chest_strap", "pod" or "wrist"'
            )
        if self.sensor != "auto":
            return self.sensor, False
        pod = (activity.device.manufacturer or "").lower() == "stryd" or dev_column(
            activity, "Leg Spring Stiffness", "Form Power"
        )
        return ("pod" if pod else "chest_strap"), True

    def evaluate(
        self,
        activity: Activity,
        baseline: CadenceBaseline | None = None,
        profile: RunnerProfile | None = None,
    ) -> list[Finding]:
        sig = Signals.of(activity, self.window_s)
        if sig.has("vertical_ratio_pct") and "vertical_ratio_pct" in sig.records:
            col, limit, label, unit = (
                "vertical_ratio_pct",
                self.vertical_ratio_pct_max,
                "vertical ratio",
                "%",
            )
        elif sig.has("vertical_oscillation_mm"):
            col, limit, label, unit = (
                "vertical_oscillation_mm",
                self.vertical_oscillation_mm_max,
                "vertical oscillation",
                "mm",
            )
        else:
            return []
        x = sig.smooth(col)
        steady = sig.steady(self.min_speed_m_s, self.max_grade_pct, self.skip_start_s)
        fit, basis = personal_fit(baseline, col)
        weak = baseline_weakness(baseline, col)
        if fit is not None and weak:
            # A weak band (few runs, several devices, wide spread) judges nothing.
            fit, basis = None, f"population band: your own baseline is weak ({weak})"
        if fit is not None:
            expected = np.asarray(fit.expected(sig.speed_m_s), dtype=float)
            margin = np.maximum(
                self.personal_pct / 100.0 * expected, self.personal_sd * fit.residual_sd
            )
            high = steady & (x > expected + margin)
            return self._personal(sig, col, label, unit, x, steady, high, expected, basis, margin)
        pop_margin = self.population_margin_mm if unit == "mm" else self.population_margin_pct
        high = steady & (x > limit + pop_margin)
        runs = sig.sustained_steady(high, steady, self.min_duration_s, self.max_gap_s)
        if not runs:
            return []
        sensor, assumed = self._sensor(activity)
        in_runs = sig.within(runs) & steady
        seen = float(nanmedian(x[in_runs]))
        duration_s = sig.seconds(in_runs)
        if sensor == "chest_strap":
            severity = "note"  # Garmin's bands are percentiles: no study supports a flag
            confidence: str | float = "inferred" if assumed else "measured"
            band = "Garmin's red band for chest straps" + (
                " (runlens assumed a chest strap: it cannot tell the sensor from the file)"
                if assumed
                else ""
            )
        else:
            severity, confidence = "note", 0.3
            band = (
                f"Garmin's red band, which is for chest straps; your {sensor.replace('_', ' ')} "
                "may read differently, so this is only a rough comparison"
            )
        shown = f"{seen / 10:.1f} cm" if unit == "mm" else f"{seen:.1f} %"
        limit_shown = f"{limit / 10:.1f} cm" if unit == "mm" else f"{limit:g} %"
        return [
            Finding(
                self.name,
                severity,
                confidence,
                f"High {label} for {duration_s / 60:.0f} min of steady running: {shown}, above "
                f"{limit_shown} ({band}). More bounce per step means more vertical impact to "
                "absorb; compare with your own usual values from the same sensor. A note: "
                "Garmin's bands are population percentiles, and no study in runners links a "
                "vertical ratio above them to injury.",
                Evidence(
                    {col: round(seen, 1), "duration_s": round(duration_s), "sensor": sensor},
                    {
                        f"{col}_above": limit,
                        "min_duration_s": self.min_duration_s,
                        "min_speed_m_s": self.min_speed_m_s,
                        "max_grade_pct": self.max_grade_pct,
                        "skip_start_s": self.skip_start_s,
                    },
                    sources.GARMIN_ZONES,
                    basis=f"{basis} ({'assumed ' if assumed else ''}{sensor})",
                    margin=pop_margin,
                    interval=[round(limit - pop_margin, 2), round(limit + pop_margin, 2)],
                    margin_unit=unit,
                ),
                [sig.span(a, b) for a, b in runs],
                "A slightly higher step rate (+5%) with the same pace usually means shorter, "
                "flatter steps (Heiderscheit et al. 2011).",
            )
        ]

    def _personal(
        self, sig, col, label, unit, x, steady, high, expected, basis, margin
    ) -> list[Finding]:
        """The finding against the runner's own band (same sensor, runs before this one)."""
        runs = sig.sustained_steady(high, steady, self.min_duration_s, self.max_gap_s)
        if not runs:
            return []
        in_runs = sig.within(runs) & steady
        seen = float(nanmedian(x[in_runs]))
        usual = float(nanmedian(expected[in_runs]))
        m = float(nanmedian(margin[in_runs]))
        duration_s = sig.seconds(in_runs)
        shown = (lambda v: f"{v / 10:.1f} cm") if unit == "mm" else (lambda v: f"{v:.1f} %")
        return [
            Finding(
                self.name,
                "note",
                "measured",
                f"High {label} for {duration_s / 60:.0f} min of steady running: {shown(seen)}, "
                f"{(seen / usual - 1) * 100:.0f} % above your own usual {shown(usual)} +- "
                f"{shown(m)} at this speed ({basis}). More bounce per step means more vertical "
                "impact to absorb. A note: no study in runners links a rise of this size to "
                "injury.",
                Evidence(
                    {
                        col: round(seen, 1),
                        "baseline_expected": round(usual, 2),
                        "duration_s": round(duration_s),
                    },
                    {
                        "above_expected_pct": self.personal_pct,
                        "above_expected_sd": self.personal_sd,
                        "min_duration_s": self.min_duration_s,
                        "min_speed_m_s": self.min_speed_m_s,
                        "max_grade_pct": self.max_grade_pct,
                        "skip_start_s": self.skip_start_s,
                    },
                    f"{sources.GARMIN_ZONES} (what the field means); the runner's own history",
                    basis=basis,
                    margin=round(m, 2),
                    interval=[round(usual - m, 2), round(usual + m, 2)],
                    margin_unit=unit,
                ),
                [sig.span(a, b) for a, b in runs],
                "A slightly higher step rate (+5%) with the same pace usually means shorter, "
                "flatter steps (Heiderscheit et al. 2011).",
            )
        ]
