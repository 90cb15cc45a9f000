"""Volume rules: session spikes, weekly increases, acute:chronic ratio.

Each rule is a configured object (thresholds are constructor parameters with
cited defaults, ``[rules.NAME]`` in the config overrides them) whose
``evaluate`` returns :class:`~runlens.findings.Finding` objects, like the form
rules. Sources and bands: ../shared/evidence.md section 4.

- ``session_spike`` (flag): a run longer than the longest run of the previous
  30 days by more than 10 %, in the bands of Frandsen et al. 2025 with their
  hazard rate ratios. The strongest evidence of the three.
- ``weekly_increase``: distance up more than 30 % on the previous week (flag;
  Nielsen et al. 2014, novices) or more than 10 % (note: the common guideline,
  which a randomised trial did not support, Buist et al. 2008).
- ``acute_chronic``: EWMA acute:chronic ratio >= 1.5 (note; Gabbett 2016's
  "danger zone" from team sports, disputed by Lolli 2019 and Impellizzeri 2020).

No rule judges anything before 28 days of history (evidence.md section 4);
:func:`evaluate_volume` says so with an ``info`` finding instead.

Every volume finding carries ``evidence.values["week"]``: the first day
(ISO date) of the local week it belongs to.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ..findings import Evidence, Finding
from ..load import MIN_HISTORY_DAYS
from .base import Rule, register

if TYPE_CHECKING:
    import pandas as pd

    from ..config import Config

__all__ = [
    "FRANDSEN_BANDS",
    "SessionSpikeRule",
    "WeeklyIncreaseRule",
    "AcuteChronicRule",
    "evaluate_volume",
]

#: Frandsen et al. 2025 (Br J Sports Med 59:1203): (lower, upper] bounds of r,
#: hazard rate ratio, 95 % CI. Below 10 % is the reference (ratio 1).
FRANDSEN_BANDS: tuple[tuple[float, float, float, tuple[float, float]], ...] = (
    (0.10, 0.30, 1.64, (1.31, 2.05)),
    (0.30, 1.00, 1.52, (1.16, 2.00)),
    (1.00, math.inf, 2.28, (1.50, 3.48)),
)
FRANDSEN = "Frandsen et al. 2025, Br J Sports Med 59:1203"
NIELSEN = "Nielsen et al. 2014, J Orthop Sports Phys Ther"
BUIST = "Buist et al. 2008, Am J Sports Med 36:33"
GABBETT = "Gabbett 2016, Br J Sports Med 50:273; Williams et al. 2017, Br J Sports Med 51:209"


def _week_of(date: pd.Timestamp, week_start: str) -> str:
    from ..load import week_of

    return week_of([date], week_start)[0].date().isoformat()


def _pct(x: float) -> str:
    return f"{x * 100:.0f} %"


@register
class SessionSpikeRule(Rule):
    """Flag runs much longer than the longest run of the previous 30 days.

    Parameters
    ----------
    bands : tuple
        ``(lower, upper, hazard_ratio, (ci_low, ci_high))`` over r (fraction);
        default :data:`FRANDSEN_BANDS`.
    min_history_days : int
        Days of history a session needs before it is judged (default 28).
    """

    name = "session_spike"
    scope = "history"

    def __init__(self, bands=FRANDSEN_BANDS, min_history_days: int = MIN_HISTORY_DAYS) -> None:
        self.bands = tuple(bands)
        self.min_history_days = min_history_days

    def evaluate(
        self, acts: pd.DataFrame, first_day: pd.Timestamp, week_start: str = "monday"
    ) -> list[Finding]:
        """Findings for every judged session above the first band.

        Parameters
        ----------
        acts : pandas.DataFrame
            From :func:`runlens.load.activity_loads` (``spike_ratio``,
            ``longest_prev30_m``, ``local_date``, ``distance_m``, ``path``).
        first_day : pandas.Timestamp
            Local date of the first run of the history.
        """
        out = []
        old_enough = (acts["local_date"] - first_day).dt.days >= self.min_history_days
        cand = acts[old_enough & (acts["spike_ratio"] > self.bands[0][0])]
        for row in cand.itertuples(index=False):  # one per flagged session, few
            r = float(row.spike_ratio)
            band = next(b for b in self.bands if b[0] < r <= b[1])
            lo, hi, hrr, (cl, ch) = band
            rng = f"{_pct(lo)}-{_pct(hi)}" if math.isfinite(hi) else f"over {_pct(lo)}"
            day = row.local_date.date().isoformat()
            out.append(
                Finding(
                    rule=self.name,
                    severity="flag",
                    confidence="measured",
                    message=(
                        f"Run on {day} ({row.distance_m / 1000:.1f} km) was {_pct(r)} longer "
                        f"than your longest run of the previous 30 days "
                        f"({row.longest_prev30_m / 1000:.1f} km). In {FRANDSEN.split(',')[0]} "
                        f"(5,205 runners), sessions {rng} longer came with {hrr:.2f}x the "
                        f"injury rate (95 % CI {cl:.2f}-{ch:.2f}): an association, not a cause. "
                        "GPS distance error (3-6 %) can move a run across a band."
                    ),
                    evidence=Evidence(
                        values={
                            "week": _week_of(row.local_date, week_start),
                            "date": day,
                            "distance_m": float(row.distance_m),
                            "longest_prev30_m": float(row.longest_prev30_m),
                            "spike_ratio": r,
                        },
                        threshold={
                            "band_ratio_above": lo,
                            "band_ratio_upto": hi if math.isfinite(hi) else None,
                            "hazard_rate_ratio": hrr,
                            "hazard_rate_ratio_ci95": [cl, ch],
                        },
                        source=FRANDSEN,
                        basis="longest run of the previous 30 days",
                    ),
                    suggestion="keep single runs within about 10 % of your recent longest run",
                    activity=str(row.path) if hasattr(row, "path") else None,
                )
            )
        return out


@register
class WeeklyIncreaseRule(Rule):
    """Week-over-week distance increase: flag above 30 %, note above 10 %.

    Parameters
    ----------
    flag_above_pct : float
        Flag threshold, % (Nielsen et al. 2014: > 30 % in novices).
    note_above_pct : float
        Note threshold, % (the common "10 % rule"; no effect in a randomised
        trial, Buist et al. 2008: weak evidence).
    min_history_days : int
        Days from the first run to the week's first day before a week is judged.
    """

    name = "weekly_increase"
    scope = "history"

    def __init__(
        self,
        flag_above_pct: float = 30.0,
        note_above_pct: float = 10.0,
        min_history_days: int = MIN_HISTORY_DAYS,
    ) -> None:
        self.flag_above_pct = flag_above_pct
        self.note_above_pct = note_above_pct
        self.min_history_days = min_history_days

    def evaluate(self, weeks: pd.DataFrame) -> list[Finding]:
        """Findings for judged weeks whose ``change_pct`` exceeds a threshold."""
        out = []
        prev_km = weeks["distance_m"].shift(1) / 1000.0
        judged = (weeks["history_days"] >= self.min_history_days) & (
            weeks["change_pct"] > self.note_above_pct
        )
        for i in weeks.index[judged]:
            w = weeks.loc[i]
            ch = float(w["change_pct"])
            flag = ch > self.flag_above_pct
            week = w["week"].date().isoformat()
            if flag:
                msg = (
                    f"Week of {week}: {w['distance_m'] / 1000:.1f} km, {ch:.0f} % more than the "
                    f"week before ({prev_km[i]:.1f} km). Increases over 30 % were linked to "
                    "injury in novice runners (Nielsen et al. 2014): an association, not a cause."
                )
                src, thr = NIELSEN, {"change_pct_above": self.flag_above_pct}
            else:
                msg = (
                    f"Week of {week}: {w['distance_m'] / 1000:.1f} km, {ch:.0f} % more than the "
                    f"week before ({prev_km[i]:.1f} km). This is above the common 10 % "
                    "guideline, which is weak evidence: a randomised trial found no effect "
                    "(Buist et al. 2008)."
                )
                src, thr = BUIST, {"change_pct_above": self.note_above_pct}
            out.append(
                Finding(
                    rule=self.name,
                    severity="flag" if flag else "note",
                    confidence="measured",
                    message=msg,
                    evidence=Evidence(
                        values={
                            "week": week,
                            "distance_m": float(w["distance_m"]),
                            "previous_distance_m": float(prev_km[i] * 1000.0),
                            "change_pct": ch,
                        },
                        threshold=thr,
                        source=src,
                        basis="previous week's distance",
                    ),
                    suggestion="raise weekly distance gradually" if flag else None,
                )
            )
        return out


@register
class AcuteChronicRule(Rule):
    """Note weeks whose EWMA acute:chronic ratio reached 1.5 (disputed).

    Parameters
    ----------
    note_at : float
        Ratio at or above which to note (Gabbett 2016 "danger zone").
    min_history_days : int
        Days of history a day needs before its ratio is judged.
    """

    name = "acute_chronic"
    scope = "history"

    def __init__(self, note_at: float = 1.5, min_history_days: int = MIN_HISTORY_DAYS) -> None:
        self.note_at = note_at
        self.min_history_days = min_history_days

    def evaluate(self, indicators: pd.DataFrame, week_start: str = "monday") -> list[Finding]:
        """One note per week at most, on the day the ratio peaked."""
        ind = indicators[
            (indicators["history_days"] >= self.min_history_days)
            & (indicators["acwr"] >= self.note_at)
        ]
        if ind.empty:
            return []
        weeks = [_week_of(d, week_start) for d in ind.index]
        peak = ind.assign(week=weeks).groupby("week")["acwr"].idxmax()
        out = []
        for week, day in peak.items():
            row = indicators.loc[day]
            out.append(
                Finding(
                    rule=self.name,
                    severity="note",
                    confidence="measured",
                    message=(
                        f"Week of {week}: acute:chronic load ratio reached {row['acwr']:.2f} on "
                        f"{day.date().isoformat()} (>= {self.note_at}). The 'danger zone' comes "
                        "from team sports (Gabbett 2016) and is disputed (Lolli et al. 2019, "
                        "Impellizzeri et al. 2020): shown for context, not as a risk estimate."
                    ),
                    evidence=Evidence(
                        values={
                            "week": week,
                            "date": day.date().isoformat(),
                            "acwr": float(row["acwr"]),
                            "acute": float(row["acute"]),
                            "chronic": float(row["chronic"]),
                        },
                        threshold={"acwr_at_or_above": self.note_at},
                        source=GABBETT,
                        basis="EWMA 7 d acute vs 28 d chronic, uncoupled",
                    ),
                )
            )
        return out


def evaluate_volume(
    acts: pd.DataFrame,
    weeks: pd.DataFrame,
    indicators: pd.DataFrame,
    *,
    week_start: str = "monday",
    config: Config | None = None,
) -> list[Finding]:
    """All volume findings of a history, plus an ``info`` on what was not judged.

    Parameters
    ----------
    acts, weeks, indicators : pandas.DataFrame
        From :func:`runlens.load.activity_loads`, :func:`~runlens.load.weekly_table`
        and :func:`~runlens.load.training_load`.
    week_start : str
    config : Config, optional
        ``[rules.session_spike]``, ``[rules.weekly_increase]`` and
        ``[rules.acute_chronic]`` override the defaults.

    Returns
    -------
    list of Finding
        Sorted by week.
    """
    if acts.empty:
        return []

    def params(name: str) -> dict[str, Any]:
        return config.rule_params(name) if config is not None else {}

    first_day = acts["local_date"].min()
    findings: list[Finding] = []
    spike = SessionSpikeRule(**params("session_spike"))
    weekly = WeeklyIncreaseRule(**params("weekly_increase"))
    acwr = AcuteChronicRule(**params("acute_chronic"))
    findings += spike.evaluate(acts, first_day, week_start)
    findings += weekly.evaluate(weeks)
    findings += acwr.evaluate(indicators, week_start)

    span = int((acts["local_date"].max() - first_day).days)
    need = max(spike.min_history_days, weekly.min_history_days, acwr.min_history_days)
    import pandas as pd

    start = (first_day + pd.Timedelta(days=need)).date().isoformat()
    if span < need:
        msg = (
            f"Only {span} days of history: volume rules (session spike, weekly increase, "
            f"acute:chronic ratio) need {need} days and judged nothing yet."
        )
    else:
        msg = (
            f"Volume rules judge runs and weeks from {start} on ({need} days after the first "
            "run); earlier weeks are shown but not judged."
        )
    findings.append(
        Finding(
            rule="volume_history",
            severity="info",
            confidence="measured",
            message=msg,
            evidence=Evidence(
                values={
                    "week": _week_of(first_day, week_start),
                    "history_days": span,
                    "first_day": first_day.date().isoformat(),
                },
                threshold={"min_history_days": need},
                source="evidence.md section 4: ratios need >= 28 days of history",
            ),
        )
    )
    findings.sort(key=lambda f: (f.evidence.values["week"], f.rule))
    return findings
