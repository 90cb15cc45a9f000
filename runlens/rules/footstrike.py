"""Heel striking: measured from a foot pod, inferred weakly, or "unknown".

evidence.md section 3: a foot pod that reports foot strike (RunScribe style
"FootStrike Type", 1..16 or 0..15) measures it. Without one, no validated
classifier exists; runlens infers heel striking only from several signals at
once (ground contact time in Garmin's orange/red band at steady pace together
with a low step rate for the speed), and says "inferred, low confidence". With
neither, it says "unknown" -- never nothing, and never "fine".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..findings import Evidence, Finding
from ..units import format_pace, median, nanmedian
from . import sources
from ._signals import Signals, personal_fit, rolling_mean, sustained
from .base import Rule, register
from .overstriding import step_rate_threshold

if TYPE_CHECKING:
    from ..baseline import CadenceBaseline
    from ..config import RunnerProfile
    from ..model import Activity

__all__ = ["HeelStriking"]

_CAVEAT = (
    "Heel striking is common (70-95% of road runners) and not by itself a fault; the link to "
    "upper back pain is an argued mechanism, not a measured effect."
)


@register
class HeelStriking(Rule):
    """Heel (rearfoot) striking, with how it is known.

    Parameters
    ----------
    field_names : list of str
        Developer field names that carry foot strike (matched ignoring case,
        spaces and punctuation).
    rearfoot_max : int
        Highest 1-based foot-strike value that counts as rearfoot (5: RunScribe
        1-5 rearfoot, 6-10 midfoot, 11-16 forefoot).
    midfoot_max : int
        Highest 1-based value that counts as midfoot (10).
    rearfoot_share : float
        Measured: a note when the rearfoot share of running time passes this
        by more than its standard error, ``sqrt(p (1 - p) / n)`` over the ``n``
        records that carry a foot strike (0.5).
    gct_ms_min : float
        Inferred: ground contact at or above this, ms (278: Garmin's orange band
        starts there).
    min_speed_m_s, max_grade_pct, skip_start_s : float
        Steady running, as for overstriding (2 m/s, 3 %, 600 s).
    min_duration_s : float
        Stretches must last this long, s (300).
    population_margin_spm : float
        Margin of the low-step-rate test against the population band, steps/min
        (3, as overstriding).
    baseline_ratio, population_spm : float
        "Low step rate for the speed", as for overstriding (0.95, 153 spm).
    window_s : float
        Smoothing window, s (60).
    max_gap_s : float
        Interruptions bridged, s (30).
    """

    name = "heel_striking"
    title = "heel striking"
    order = 11
    panel = "ground_contact"
    pain = ("heel striking", "form")
    evidence = "3"

    @classmethod
    def chart_lines(cls, finding, panel):
        """The contact time from which it counts contact as long."""
        v = finding.evidence.threshold.get("ground_contact_ms_at_least")
        if v is None:
            return []
        v = float(v)
        return [(v, f"long contact from {v:g} ms (orange/red band)", "--")]

    def __init__(
        self,
        field_names: tuple[str, ...] = ("FootStrike Type", "Foot Strike Type", "foot_strike"),
        rearfoot_max: int = 5,
        midfoot_max: int = 10,
        rearfoot_share: float = 0.5,
        gct_ms_min: float = 278.0,
        min_speed_m_s: float = 2.0,
        max_grade_pct: float = 3.0,
        skip_start_s: float = 600.0,
        min_duration_s: float = 300.0,
        baseline_ratio: float = 0.95,
        population_spm: float = 153.0,
        population_margin_spm: float = 3.0,
        window_s: float = 60.0,
        max_gap_s: float = 30.0,
    ) -> None:
        self.field_names = field_names
        self.rearfoot_max = rearfoot_max
        self.midfoot_max = midfoot_max
        self.rearfoot_share = rearfoot_share
        self.gct_ms_min = gct_ms_min
        self.min_speed_m_s = min_speed_m_s
        self.max_grade_pct = max_grade_pct
        self.skip_start_s = skip_start_s
        self.min_duration_s = min_duration_s
        self.baseline_ratio = baseline_ratio
        self.population_spm = population_spm
        self.population_margin_spm = population_margin_spm
        self.window_s = window_s
        self.max_gap_s = max_gap_s

    def evaluate(
        self,
        activity: Activity,
        baseline: CadenceBaseline | None = None,
        profile: RunnerProfile | None = None,
    ) -> list[Finding]:
        sig = Signals.of(activity, self.window_s)
        measured = self._measured(activity, sig)
        if measured is not None:
            return [measured]
        if sig.has("ground_contact_ms") and sig.has("cadence_spm"):
            return [self._inferred(sig, baseline)]
        return [
            Finding(
                self.name,
                "info",
                "unknown",
                "Foot strike unknown: no foot pod reports it and the file has no ground contact "
                "time with step rate to infer it from. A watch alone cannot see foot strike; "
                "this is not a sign that all is well.",
                Evidence(
                    values={
                        "foot_pod_field": None,
                        "ground_contact": sig.has("ground_contact_ms"),
                        "cadence": sig.has("cadence_spm"),
                    },
                    source=f"docs/evidence.md section 3; {sources.HAYES_CAPLAN_2012}",
                    basis="no data",
                ),
            )
        ]

    # -- measured ---------------------------------------------------------------

    def _measured(self, activity: Activity, sig: Signals) -> Finding | None:
        from ..io.footpod import foot_strike_values  # names matched by meaning (per foot, vendor)
        from ..model import Records

        names = [self.field_names] if isinstance(self.field_names, str) else self.field_names
        found = foot_strike_values(activity, tuple(names))
        if found is None or len(sig) == 0:
            return None
        col, t_ns, values = found
        v = Records(t_ns, {"v": values}).reindex(sig.records.t_ns)["v"]
        valid = np.isfinite(v) & (v >= 0) & (v <= 16)
        use = valid & sig.moving & (sig.dt_s > 0)
        total = sig.seconds(use)
        if total < 60.0:  # a pod field with no data is as good as none
            return None
        # 0..15 files start at 0 and never reach 16; 1..16 (RunScribe) is the default.
        zero_based = bool(np.any(v[valid] == 0)) and not bool(np.any(v[valid] == 16))
        v1 = v + 1 if zero_based else v
        rear = use & (v1 <= self.rearfoot_max)
        mid = use & (v1 > self.rearfoot_max) & (v1 <= self.midfoot_max)
        fore = use & (v1 > self.midfoot_max)
        share = {
            k: sig.seconds(m) / total for k, m in (("rear", rear), ("mid", mid), ("fore", fore))
        }
        # The share's uncertainty: its binomial standard error over the records that carry a
        # foot strike (each record is one classified step the pod reported).
        n_records = int(use.sum())
        p = share["rear"]
        margin = float(np.sqrt(p * (1.0 - p) / n_records))
        g = self.grade(
            p,
            reference=self.rearfoot_share,
            note_at=self.rearfoot_share,
            margin=margin,
            below=False,
        )
        values = {
            "field": col,
            "scale": "0..15 (shifted to 1..16)" if zero_based else "1..16",
            "rearfoot_share": round(share["rear"], 3),
            "midfoot_share": round(share["mid"], 3),
            "forefoot_share": round(share["fore"], 3),
            "running_s_with_foot_strike": round(total),
            "records_with_foot_strike": n_records,
            "median_value_1_16": float(median(v1[use])),
        }
        threshold = {
            "rearfoot_values": f"1-{self.rearfoot_max}",
            "midfoot_values": f"{self.rearfoot_max + 1}-{self.midfoot_max}",
            "forefoot_values": f"{self.midfoot_max + 1}-16",
            "rearfoot_share_at_least": self.rearfoot_share,
            "min_duration_s": self.min_duration_s,
        }
        evidence = Evidence(
            values,
            threshold,
            sources.RUNSCRIBE_FOOTSTRIKE,
            basis="foot pod",
            margin=round(margin, 4),
            interval=[
                round(self.rearfoot_share - margin, 4),
                round(self.rearfoot_share + margin, 4),
            ],
            margin_unit="share of running time (standard error over the records)",
        )
        shares = (
            f"rearfoot {share['rear']:.0%}, midfoot {share['mid']:.0%}, "
            f"forefoot {share['fore']:.0%} of {total / 60:.0f} min"
        )
        if g.severity is None:
            if p < self.rearfoot_share - margin:
                said = "mostly not heel striking"
            else:
                said = (
                    f"rearfoot on about {p:.0%} of the time, too close to the "
                    f"{self.rearfoot_share:.0%} threshold to call (+- {margin:.1%})"
                )
            return Finding(
                self.name,
                "info",
                "measured",
                f"Foot strike measured by your foot pod ({col}): {said} ({shares}).",
                evidence,
            )
        frac = rolling_mean(
            np.where(use, (v1 <= self.rearfoot_max).astype(float), np.nan),
            sig.records.t_ns,
            self.window_s,
        )
        runs = sustained(frac > 0.5, sig.t_s, sig.dt_s, self.min_duration_s, self.max_gap_s)
        return Finding(
            self.name,
            "note",  # no study in runners links rearfoot striking itself to injury
            "measured",
            f"Heel striking measured by your foot pod ({col}): {shares} (rearfoot "
            f"{p:.0%} +- {margin:.1%}, above the {self.rearfoot_share:.0%} threshold). "
            f"{_CAVEAT} A note, "
            "not a flag: no study in runners links rearfoot striking itself to injury.",
            evidence,
            [sig.span(a, b) for a, b in runs],
            "If you want softer landings, a slightly higher step rate (+5%) tends to bring the "
            "foot down closer under the body (Heiderscheit et al. 2011; Lieberman et al. 2015); "
            "change foot strike gradually if at all.",
        )

    # -- inferred ---------------------------------------------------------------

    def _inferred(self, sig: Signals, baseline: CadenceBaseline | None) -> Finding:
        cad = sig.smooth("cadence_spm")
        gct = sig.smooth("ground_contact_ms")
        steady = sig.steady(self.min_speed_m_s, self.max_grade_pct, self.skip_start_s)
        steady &= np.isfinite(cad) & np.isfinite(gct)
        thr = step_rate_threshold(sig.speed_m_s, baseline, self.baseline_ratio, self.population_spm)
        both = steady & (gct >= self.gct_ms_min) & (cad < thr.spm)
        runs = sig.sustained_steady(both, steady, self.min_duration_s, self.max_gap_s)
        threshold = {
            "ground_contact_ms_at_least": self.gct_ms_min,
            "cadence_spm_below": round(float(nanmedian(thr.spm)), 1) if len(sig) else None,
            "min_duration_s": self.min_duration_s,
            "min_speed_m_s": self.min_speed_m_s,
            "max_grade_pct": self.max_grade_pct,
            "skip_start_s": self.skip_start_s,
        }
        source = (
            f"{sources.HAYES_CAPLAN_2012}; {sources.GARMIN_ZONES} (ground contact >= 278 ms is "
            f"orange/red); {thr.source}; {sources.HASEGAWA_2007}"
        )
        if not runs:
            values = {"steady_running_s": round(sig.seconds(steady))}
            if steady.any():
                values["ground_contact_ms"] = round(float(nanmedian(gct[steady])), 1)
                values["cadence_spm"] = round(float(nanmedian(cad[steady])), 1)
            return Finding(
                self.name,
                "info",
                "unknown",
                "Foot strike unknown: no foot pod reports it. Ground contact time and step rate "
                "together do not point to heel striking, but the groups overlap, so a watch "
                "cannot rule it out.",
                Evidence(values, threshold, source, basis=thr.basis),
            )
        in_runs = sig.within(runs) & steady
        sel = in_runs
        gct_seen = float(nanmedian(gct[sel]))
        cad_seen = float(nanmedian(cad[sel]))
        # The low-step-rate half is the overstriding test, with its margin (docs/rules.md,
        # Severity policy): inside it, the combined pattern is not there.
        thr_seen = float(nanmedian(thr.spm[sel]))
        fit = personal_fit(baseline, "cadence_spm")[0]
        margin = (
            max(float(fit.residual_sd_spm), 2.0)
            if thr.expected_spm is not None
            else max(self.population_margin_spm, 2.0)
        )
        if not cad_seen < thr_seen - margin:
            values = {
                "steady_running_s": round(sig.seconds(steady)),
                "ground_contact_ms": round(gct_seen, 1),
                "cadence_spm": round(cad_seen, 1),
            }
            return Finding(
                self.name,
                "info",
                "unknown",
                "Foot strike unknown: no foot pod reports it. Ground contact time and step rate "
                "together do not point to heel striking (step rate within "
                f"{margin:.0f} steps/min of its threshold), but the groups overlap, so a watch "
                "cannot rule it out.",
                Evidence(values, threshold, source, basis=thr.basis),
            )
        speed_seen = float(nanmedian(sig.speed_m_s[sel]))
        duration_s = sig.seconds(in_runs)
        values = {
            "ground_contact_ms": round(gct_seen, 1),
            "cadence_spm": round(cad_seen, 1),
            "speed_m_s": round(speed_seen, 2),
            "pace": format_pace(speed_seen),
            "duration_s": round(duration_s),
        }
        threshold["cadence_spm_below"] = round(float(nanmedian(thr.spm[sel])), 1)
        return Finding(
            self.name,
            "note",
            "inferred",
            f"Heel striking possible (inferred, low confidence): for {duration_s / 60:.0f} min of "
            f"steady running, ground contact was long ({gct_seen:.0f} ms, Garmin's orange/red "
            f"band) while step rate was low for the speed ({cad_seen:.0f} steps/min at "
            f"{format_pace(speed_seen)}). Rearfoot strikers tend to have longer contact, but the "
            f"groups overlap and no validated method tells foot strike from a watch. {_CAVEAT}",
            Evidence(
                values,
                threshold,
                source,
                basis=f"inferred; step rate vs {thr.basis}",
                margin=round(margin, 2),
                interval=[round(thr_seen - margin, 1), round(thr_seen + margin, 1)],
                margin_unit="spm",
            ),
            [sig.span(a, b) for a, b in runs],
            "A foot pod that reports foot strike would measure it. Meanwhile, about +5% step rate "
            "shortens contact and brings landing closer under the body "
            "(Heiderscheit et al. 2011; Lieberman et al. 2015).",
        )
