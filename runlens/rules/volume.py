"""Volume rules: session spikes, weekly increases, acute:chronic ratio.

Each rule is a configured object (thresholds are constructor parameters with
cited defaults, ``[rules.NAME]`` in the config overrides them) whose
``evaluate`` returns :class:`~runlens.findings.Finding` objects, like the form
rules. Sources and bands: docs/evidence.md section 4.

- ``session_spike`` (flag): a run longer than the longest run of the previous
  30 days by more than 10 %, in the bands of Frandsen et al. 2025 with their
  hazard rate ratios. The strongest evidence of the three.
- ``weekly_increase`` (note, never a flag): distance up more than 10 % on the
  previous week. Frandsen et al. 2025 found no association between
  week-to-week change and injury; Nielsen et al. 2014's > 30 % result in
  novices was not significant (HR 1.59, 95 % CI 0.96-2.66); the 10 % guideline
  had no effect in a randomised trial (Buist et al. 2008).
- ``acute_chronic`` (note): EWMA acute:chronic ratio >= 1.5 (Gabbett 2016's
  "danger zone" from team sports, disputed by Lolli 2019 and Impellizzeri
  2021); Frandsen et al. 2025 found an inverse association in runners.

- ``returning`` (note): the first week back after a break of two weeks or
  more. For the 28 days that follow, the weekly change and the ratio are not
  judged: the load before the break no longer describes the runner.

Floors (runlens' own choices, docs/rules.md; each finding's threshold carries
them): a run is a spike only when it is also at least 1 km longer than the
reference run (about the GPS error of a 20 km run); a week is an increase only
when it is at least 5 km more than the week before *and* above the biggest of
the four weeks before by the same margin, with 5 km as the smallest reference
week; a ratio is judged only on at least 5 km (30 min, 30 TRIMP) of chronic
load a week and an acute excess of as much.

No rule judges anything before 28 days of history (evidence.md section 4);
:func:`evaluate_volume` says so with an ``info`` finding instead.

Every volume finding carries ``evidence.values["week"]``: the first day
(ISO date) of the local week it belongs to.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ..findings import Evidence, Finding
from ..load import (
    BREAK_DAYS,
    CHRONIC_FLOOR_PER_WEEK,
    MIN_HISTORY_DAYS,
    RETURN_DAYS,
)
from .base import NOTICES, Rule, register

if TYPE_CHECKING:
    import pandas as pd

    from ..config import Config

__all__ = [
    "FRANDSEN_BANDS",
    "SessionSpikeRule",
    "WeeklyIncreaseRule",
    "AcuteChronicRule",
    "ReturningRule",
    "evaluate_volume",
]

#: Frandsen et al. 2025 (Br J Sports Med 59:1203): (lower, upper] bounds of r,
#: hazard rate ratio, 95 % CI. Below 10 % is the reference (ratio 1).
FRANDSEN_BANDS: tuple[tuple[float, float, float, tuple[float, float]], ...] = (
    (0.10, 0.30, 1.64, (1.31, 2.05)),
    (0.30, 1.00, 1.52, (1.16, 2.00)),
    (1.00, math.inf, 2.28, (1.50, 3.48)),
)
FRANDSEN = "Frandsen et al. 2025, Br J Sports Med 59:1203 (docs/evidence.md section 4)"
NIELSEN = "Nielsen et al. 2014, J Orthop Sports Phys Ther 44:739 (docs/evidence.md section 4)"
BUIST = "Buist et al. 2008, Am J Sports Med 36:33 (docs/evidence.md section 4)"
GABBETT = (
    "Gabbett 2016, Br J Sports Med 50:273 (the 1.5 'danger zone'); EWMA of Williams et al. "
    "2017, Br J Sports Med 51:209 (coupled), here in the uncoupled form of Windt & Gabbett "
    "2019, Br J Sports Med 53:988 (docs/evidence.md section 4)"
)
#: What Frandsen et al. 2025 found for the two context measures (docs/evidence.md section 4).
FRANDSEN_WEEKLY = (
    "Frandsen et al. 2025 (5,205 runners) found no association between week-to-week change "
    "in distance and injury"
)
FRANDSEN_ACWR = (
    "Frandsen et al. 2025 (5,205 runners) found an inverse association for the acute:chronic "
    "ratio (higher ratios, fewer injuries)"
)
#: GPS distance error (evidence.md section 7: 3-6 %): the margin a spike ratio and a
#: weekly change must pass their threshold by.
GPS_MARGIN = 0.03
#: Where a floor or the return guidance is runlens' own choice, findings say so.
OWN = "runlens' own choice (docs/rules.md)"

#: The note :func:`evaluate_volume` writes on how much history the volume rules judged.
NOTICES["volume_history"] = "too little history to judge volume"


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
    min_extra_m : float
        A spike must also be at least this much longer than the reference run,
        m (1000; runlens' own floor: below it the difference is within the GPS
        error of a long run, evidence.md section 7).
    margin : float
        The ratio must pass the first band's lower edge (0.10) by more than
        this (0.03: the lower GPS distance error, evidence.md section 7).
    """

    name = "session_spike"
    title = "one run much longer than usual"
    order = 1
    panel = None
    pain = ("session spike (run > 10 % over the 30-day longest)", "volume")
    evidence = "4"
    scope = "history"
    flag_source = "Frandsen et al. 2025: sessions > 10 % over the 30-day longest, HR 1.52-2.28"

    def __init__(
        self,
        bands=FRANDSEN_BANDS,
        min_history_days: int = MIN_HISTORY_DAYS,
        min_extra_m: float = 1000.0,
        margin: float = GPS_MARGIN,
    ) -> None:
        self.margin = margin
        self.bands = tuple(bands)
        self.min_history_days = min_history_days
        self.min_extra_m = min_extra_m

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
        extra = acts["distance_m"] - acts["longest_prev30_m"]
        cand = acts[
            old_enough & (acts["spike_ratio"] > self.bands[0][0]) & (extra >= self.min_extra_m)
        ]
        for row in cand.itertuples(index=False):  # one per flagged session, few
            r = float(row.spike_ratio)
            lo0 = self.bands[0][0]
            g = self.grade(
                r, reference=lo0, note_at=lo0, flag_at=lo0, margin=self.margin, below=False
            )
            if g.severity is None:
                continue  # inside the GPS margin of the 10 % band
            band = next(b for b in self.bands if b[0] < r <= b[1])
            lo, hi, hrr, (cl, ch) = band
            rng = f"{_pct(lo)}-{_pct(hi)}" if math.isfinite(hi) else f"over {_pct(lo)}"
            day = row.local_date.date().isoformat()
            out.append(
                Finding(
                    rule=self.name,
                    severity=g.severity,
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
                            "extra_m_at_least": self.min_extra_m,
                        },
                        source=f"{FRANDSEN}; 1 km floor: {OWN}",
                        basis="longest run of the previous 30 days",
                        margin=self.margin,
                        interval=g.interval,
                        margin_unit="spike ratio",
                    ),
                    suggestion="keep single runs within about 10 % of your recent longest run",
                    activity=str(row.path) if hasattr(row, "path") else None,
                )
            )
        return out


@register
class WeeklyIncreaseRule(Rule):
    """Week-over-week distance increase: a note above 10 %, never a flag.

    Frandsen et al. 2025 (5,205 runners) found no association between
    week-to-week change and injury, and Nielsen et al. 2014's > 30 % result in
    novices was not significant (HR 1.59, 95 % CI 0.96-2.66): no flag rests on
    them (docs/rules.md, Severity policy). The note says what the studies found.

    A week is judged only when the increase is real at the runner's level
    (runlens' own floors, docs/rules.md): above the week before and above the
    biggest of the four weeks before (never less than ``min_reference_km``) by
    the percentage, and at least ``min_increase_km`` above that reference. A light
    week followed by a usual one is no jump. Weeks of a return after a break
    are left to :class:`ReturningRule`.

    Parameters
    ----------
    flag_above_pct : float
        Above this, %, the note also gives Nielsen et al. 2014's > 30 % result
        (30; kept as a setting, never a flag).
    note_above_pct : float
        Note threshold, % (the common "10 % rule"; no effect in a randomised
        trial, Buist et al. 2008: weak evidence).
    min_history_days : int
        Days from the first run to the week's first day before a week is judged.
    min_increase_km : float
        Smallest increase over the reference week that is judged, km (5).
    min_reference_km : float
        Smallest reference week, km (5): below it percentages divide by noise.
    margin_pct : float
        The increase must pass ``note_above_pct`` by more than this, % (3: the
        lower GPS distance error, evidence.md section 7).
    """

    name = "weekly_increase"
    title = "big weekly increase"
    order = 2
    panel = None
    pain = ("weekly increase (distance > 10 % over the week before)", "volume")
    evidence = "4"
    scope = "history"

    def __init__(
        self,
        flag_above_pct: float = 30.0,
        note_above_pct: float = 10.0,
        min_history_days: int = MIN_HISTORY_DAYS,
        min_increase_km: float = 5.0,
        min_reference_km: float = 5.0,
        margin_pct: float = 100 * GPS_MARGIN,
    ) -> None:
        self.margin_pct = margin_pct
        self.flag_above_pct = flag_above_pct
        self.note_above_pct = note_above_pct
        self.min_history_days = min_history_days
        self.min_increase_km = min_increase_km
        self.min_reference_km = min_reference_km

    def evaluate(self, weeks: pd.DataFrame) -> list[Finding]:
        """Findings for judged weeks whose increase passes the thresholds and floors."""
        import numpy as np

        out = []
        dist = weeks["distance_m"].to_numpy(float)
        prev = weeks["distance_m"].shift(1).to_numpy(float)
        recent = (
            weeks["recent_max_m"].to_numpy(float)
            if "recent_max_m" in weeks
            else prev.copy()
        )
        ref = np.fmax(recent, self.min_reference_km * 1000.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            over_recent = (dist / ref - 1.0) * 100.0
        returning = (
            weeks["break_days"].notna().to_numpy()
            if "break_days" in weeks
            else np.zeros(len(weeks), bool)
        )
        # After an empty week the change on it is undefined: the reference alone judges.
        change = weeks["change_pct"].to_numpy(float)
        rise = np.where(np.isnan(change), over_recent, np.fmin(change, over_recent))
        judged = (
            (weeks["history_days"].to_numpy(float) >= self.min_history_days)
            & (rise > self.note_above_pct + self.margin_pct)
            & (dist - ref >= self.min_increase_km * 1000.0)
            & ~returning
        )
        for i in np.flatnonzero(judged):  # one per judged week, few
            w = weeks.iloc[i]
            ch = float(change[i])
            big = rise[i] > self.flag_above_pct
            week = w["week"].date().isoformat()
            before = (
                f"{ch:.0f} % more than the week before ({prev[i] / 1000:.1f} km)"
                if np.isfinite(ch)
                else "after a week without a run"
            )
            head = (
                f"Week of {week}: {dist[i] / 1000:.1f} km, {before}, {over_recent[i]:.0f} % "
                f"above the biggest of the four weeks before ({recent[i] / 1000:.1f} km). "
            )
            msg = head + (
                f"Context, not a risk flag: {FRANDSEN_WEEKLY}; what they found linked to injury "
                "is single runs much longer than your recent longest (shown separately)."
            )
            if big:
                msg += (
                    " Nielsen et al. 2014 saw more injuries after increases over 30 % in novices, "
                    "but the result was not significant (HR 1.59, 95 % CI 0.96-2.66)."
                )
            else:
                msg += (
                    " The common 10 % guideline is weak evidence: a randomised trial found no "
                    "effect (Buist et al. 2008)."
                )
            src = f"{FRANDSEN}; {NIELSEN}; {BUIST}"
            thr = {"change_pct_above": self.note_above_pct, "margin_pct": self.margin_pct}
            thr = {
                **thr,
                "increase_km_at_least": self.min_increase_km,
                "reference_km_at_least": self.min_reference_km,
            }
            out.append(
                Finding(
                    rule=self.name,
                    severity="note",
                    confidence="measured",
                    message=msg,
                    evidence=Evidence(
                        values={
                            "week": week,
                            "distance_m": float(dist[i]),
                            "previous_distance_m": float(prev[i]),
                            "change_pct": ch if np.isfinite(ch) else None,
                            "recent_max_m": float(recent[i]),
                            "above_recent_max_pct": float(over_recent[i]),
                        },
                        threshold=thr,
                        source=f"{src}; floors: {OWN}",
                        basis="previous week's distance and the biggest of the four weeks before",
                        margin=self.margin_pct,
                        interval=[
                            round(self.note_above_pct - self.margin_pct, 1),
                            round(self.note_above_pct + self.margin_pct, 1),
                        ],
                        margin_unit="% weekly change",
                    ),
                    suggestion=None,
                )
            )
        return out


@register
class AcuteChronicRule(Rule):
    """Note weeks whose EWMA acute:chronic ratio reached 1.5 (disputed).

    The ratio is undefined (NaN from :func:`runlens.load.training_load`) below
    the chronic floor and during a return after a break; this rule also needs
    the acute load to exceed the chronic by ``min_excess_per_week`` a week
    (runlens' own floor), so that a ratio of small numbers is not a finding.

    Parameters
    ----------
    note_at : float
        Ratio at or above which to note (Gabbett 2016 "danger zone").
    min_history_days : int
        Days of history a day needs before its ratio is judged.
    min_excess_per_week : float
        Acute minus chronic load, per week, in the load unit (default 5: km).
    """

    name = "acute_chronic"
    title = "sharp rise in load"
    order = 3
    panel = None
    pain = ("acute:chronic load ratio >= 1.5", "volume")
    evidence = "4"
    scope = "history"

    def __init__(
        self,
        note_at: float = 1.5,
        min_history_days: int = MIN_HISTORY_DAYS,
        min_excess_per_week: float = CHRONIC_FLOOR_PER_WEEK["distance"],
    ) -> None:
        self.note_at = note_at
        self.min_history_days = min_history_days
        self.min_excess_per_week = min_excess_per_week

    def evaluate(
        self, indicators: pd.DataFrame, week_start: str = "monday", weeks: pd.DataFrame | None = None
    ) -> list[Finding]:
        """One note per week at most, on the day the ratio peaked.

        With ``weeks`` (:func:`runlens.load.weekly_table`), only weeks whose load
        is at least ``min_excess_per_week`` above the biggest of the four weeks
        before (never less than that floor) are noted: with one to three runs a
        week the daily ratio peaks on every run day, and a coach reads weeks.
        """
        excess = (indicators["acute"] - indicators["chronic"]) * 7.0
        ind = indicators[
            (indicators["history_days"] >= self.min_history_days)
            & (indicators["acwr"] >= self.note_at)
            & (excess >= self.min_excess_per_week)
        ]
        if ind.empty:
            return []
        wk = [_week_of(d, week_start) for d in ind.index]
        ind = ind.assign(week=wk)
        if weeks is not None and len(weeks):
            floor = self.min_excess_per_week
            ref = weeks["load"].shift(1).rolling(4, min_periods=1).max().fillna(0.0)
            grew = weeks["load"] - ref.clip(lower=floor) >= floor
            keep = {d.date().isoformat() for d in weeks["week"][grew.to_numpy()]}
            ind = ind[ind["week"].isin(keep)]
            if ind.empty:
                return []
        peak = ind.groupby("week")["acwr"].idxmax()
        out = []
        for week, day in peak.items():
            row = indicators.loc[day]
            # The excess floor, as a ratio: acute must pass chronic by at least this.
            chronic_week = float(row["chronic"]) * 7.0
            m = self.min_excess_per_week / chronic_week if chronic_week > 0 else 0.0
            out.append(
                Finding(
                    rule=self.name,
                    severity="note",
                    confidence="measured",
                    message=(
                        f"Week of {week}: acute:chronic load ratio reached {row['acwr']:.2f} on "
                        f"{day.date().isoformat()} (>= {self.note_at}; acute "
                        f"{row['acute'] * 7:.1f} vs chronic {row['chronic'] * 7:.1f} a week). "
                        "The 'danger zone' is disputed as a risk measure: context, not risk; "
                        f"{FRANDSEN_ACWR}."
                    ),
                    evidence=Evidence(
                        values={
                            "week": week,
                            "date": day.date().isoformat(),
                            "acwr": float(row["acwr"]),
                            "acute": float(row["acute"]),
                            "chronic": float(row["chronic"]),
                        },
                        threshold={
                            "acwr_at_or_above": self.note_at,
                            "excess_per_week_at_least": self.min_excess_per_week,
                        },
                        source=f"{GABBETT}; disputed: Lolli et al. 2019, Impellizzeri et al. "
                        f"2021; {FRANDSEN}; floor: {OWN}",
                        basis="EWMA 7 d acute vs 28 d chronic, uncoupled (Windt & Gabbett)",
                        margin=round(m, 3),
                        interval=[round(1.0 - m, 3), round(1.0 + m, 3)],
                        margin_unit="acute:chronic ratio",
                    ),
                )
            )
        return out


#: Said once per output when any acute:chronic note is shown (not once a week).
ACWR_CAVEAT = (
    "The acute:chronic 'danger zone' (ratio >= 1.5) comes from team sports (Gabbett 2016) "
    "and is disputed (Lolli et al. 2019, Impellizzeri et al. 2021); in 5,205 runners "
    "Frandsen et al. 2025 found an inverse association: shown for context, not as a risk "
    "estimate."
)


@register
class ReturningRule(Rule):
    """Say "returning after a break of N weeks" instead of a ratio.

    The load layer marks the days of a return window (:func:`runlens.load.breaks`:
    a break of ``BREAK_DAYS`` or more without a run, then ``RETURN_DAYS`` from
    the first run back) and leaves the ratio undefined there; this rule writes
    one note on the week of the first run back.
    """

    name = "returning"
    title = "returning after a break"
    order = 4
    panel = None
    pain = None  # not one of the pain report's kinds (docs/pain.md)
    evidence = "4"
    scope = "history"

    def __init__(self, unit_label: str = "km") -> None:
        self.unit_label = unit_label

    def evaluate(
        self, indicators: pd.DataFrame, weeks: pd.DataFrame, week_start: str = "monday"
    ) -> list[Finding]:
        """One note per break, in the week of the first run back."""
        import numpy as np
        import pandas as pd

        if "break_days" not in indicators or indicators["break_days"].isna().all():
            return []
        brk = indicators["break_days"]
        inside = brk.notna().to_numpy()
        first = inside & ~np.r_[False, inside[:-1]]
        out = []
        by_week = weeks.set_index("week") if len(weeks) else None
        for day in indicators.index[first]:  # one per break, few
            gap = int(brk.loc[day])
            n_weeks = gap / 7.0
            last_run = (day - pd.Timedelta(days=gap + 1)).date().isoformat()
            week = _week_of(day, week_start)
            until = (day + pd.Timedelta(days=RETURN_DAYS - 1)).date().isoformat()
            # The runner's level before the break: the mean of the 28 days before it.
            before = indicators.loc[: day - pd.Timedelta(days=gap + 1)].tail(28)
            per_week = float(before["load"].sum()) / max(len(before), 1) * 7.0
            # this week in the unit of the weeks before (the load unit), its distance named
            this_load = this_km = None
            if by_week is not None and pd.Timestamp(week) in by_week.index:
                row = by_week.loc[pd.Timestamp(week)]
                this_km = float(row["distance_m"]) / 1000.0
                if "load" in row.index and pd.notna(row["load"]):
                    this_load = float(row["load"])
            if this_load is None and self.unit_label == "km":
                this_load = this_km
            if this_load is None:
                this_week = f"; this week {this_km:.1f} km run" if this_km is not None else ""
            elif self.unit_label == "km":
                this_week = f"; this week {this_load:.1f} km"
            else:
                this_week = f"; this week {this_load:.1f} {self.unit_label}" + (
                    f" ({this_km:.1f} km run)" if this_km is not None else ""
                )
            msg = (
                f"Week of {week}: returning after a break of {n_weeks:.0f} week"
                f"{'s' if round(n_weeks) != 1 else ''} ({gap} days without a run: last run "
                f"{last_run}, back on {day.date().isoformat()}). The load before the break no longer "
                f"describes you, so no acute:chronic ratio or weekly change is judged until "
                f"{until}. In the four weeks before the break you ran about {per_week:.1f} "
                f"{self.unit_label} a week"
                + this_week
                + ". No study runlens relies on measures how fast to build back; coaching "
                "practice is to start below the level before the break and add runs before "
                "adding distance. Single runs are still compared with your longest run of "
                "the previous 30 days (Frandsen et al. 2025)."
            )
            out.append(
                Finding(
                    rule=self.name,
                    severity="note",
                    confidence="measured",
                    message=msg,
                    evidence=Evidence(
                        values={
                            "week": week,
                            "date": day.date().isoformat(),
                            "last_run_before": last_run,
                            "break_days": gap,
                            "break_weeks": round(n_weeks, 1),
                            "load_per_week_before": round(per_week, 2),
                            "load_this_week": None if this_load is None else round(this_load, 2),
                            "not_judged_until": until,
                        },
                        threshold={"break_days_at_least": BREAK_DAYS, "return_days": RETURN_DAYS},
                        source=OWN,
                        basis="days without a run; the 28-day chronic window",
                    ),
                    suggestion="build back gradually: more runs first, then longer ones",
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
    load_unit: str = "distance",
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
    load_unit : str
        ``distance``, ``moving_time`` or ``trimp``: the unit of ``indicators``
        (the acute:chronic floor is in it).

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
    acwr_params = {"min_excess_per_week": CHRONIC_FLOOR_PER_WEEK.get(load_unit, 0.0)}
    acwr = AcuteChronicRule(**{**acwr_params, **params("acute_chronic")})
    label = {"distance": "km", "moving_time": "min", "trimp": "TRIMP"}.get(load_unit, "")
    from .base import enforce_policy

    findings += enforce_policy(spike, spike.evaluate(acts, first_day, week_start))
    findings += enforce_policy(weekly, weekly.evaluate(weeks))
    findings += enforce_policy(acwr, acwr.evaluate(indicators, week_start, weeks))
    findings += ReturningRule(label).evaluate(indicators, weeks, week_start)

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
                source="docs/evidence.md section 4: ratios need >= 28 days of history",
            ),
        )
    )
    findings.sort(key=lambda f: (f.evidence.values["week"], f.rule))
    return findings
