"""What the charts draw: a :class:`ChartData` built from a runner's history.

The weekly table, the daily indicators and the volume findings come from
:func:`runlens.history.build_history` (runlens.load, runlens.rules.volume);
this module adds the form minutes for the matched-pace trends
(:mod:`.trends`) and cuts a date range.

Column contract the drawing code relies on (``History.weeks``, one row per
local week, empty weeks included): ``week`` (datetime64, first day),
``distance_m`` (m), ``moving_s`` (s), ``trimp`` (AU, NaN without heart rate),
``load`` (the configured load unit), ``runs``, ``change_pct`` (% distance vs
the week before), ``acwr`` (ratio at the week's last day), ``acwr_max``,
``history_days``. ``History.indicators``: daily ``acwr`` and
``history_days``. ``History.acts``: one row per counted run with
``local_date``, ``start_s``, ``utc_offset_s``, ``distance_m``, ``moving_s``,
``trimp``, ``spike_ratio``, ``path`` and, from a store, ``findings`` (form
findings as dicts) and ``steady_points``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ...findings import Evidence, Finding
from ...load import week_of

if TYPE_CHECKING:
    import pandas as pd

    from ...history import HistoryTables as History
    from ...model import Activity

__all__ = [
    "ChartData",
    "chart_data",
    "finding_from_dict",
    "form_from_activities",
    "form_from_points",
    "week_of",
]


def finding_from_dict(d: dict[str, Any] | Finding) -> Finding:
    """A Finding back from its JSON form (``Finding.to_dict``) as the store keeps it."""
    if isinstance(d, Finding):
        return d
    ev = d.get("evidence") or {}
    return Finding(
        rule=d.get("rule", "?"),
        severity=d.get("severity", "info"),
        confidence=d.get("confidence", "unknown") if d.get("confidence") is not None else "unknown",
        message=d.get("message", ""),
        evidence=Evidence(
            values=dict(ev.get("values") or {}),
            threshold=dict(ev.get("threshold") or {}),
            source=ev.get("source") or "",
            basis=ev.get("basis"),
            margin=ev.get("margin"),
            interval=ev.get("interval"),
            margin_unit=ev.get("margin_unit"),
        ),
        time_ranges=[tuple(r) for r in d.get("time_ranges") or []],
        suggestion=d.get("suggestion"),
        activity=d.get("activity"),
    )


@dataclass
class ChartData:
    """Everything the weekly chart and the PDF report draw.

    Attributes
    ----------
    history : History
        From :func:`runlens.history.build_history`, already cut to the range.
    form : pandas.DataFrame
        Steady minutes (:func:`runlens.metrics.form_minutes` columns) with ``week``
        and ``path`` columns.
    form_source : str
        Where the form minutes came from: ``"files"`` (every form metric) or
        ``"store"`` (the steady rows of the store's per-minute form table).
    run_findings : dict
        Run path -> its form findings (Finding objects).
    date_from, date_to : pandas.Timestamp or None
        The range shown (local dates, inclusive), None = open.
    pain : list of (datetime.date, int)
        Pain episodes from the diary: onset day and peak severity (0-10)
        (:func:`runlens.pain.episodes_for_chart`); marked on the weekly chart.
    pain_days : list of (datetime.date, int)
        Every diary day and its highest severity (0-10), for the report's timeline.
    names : dict
        Run path -> its activity name from the export lists (activities.csv,
        Garmin summaries), shown where a run is named.
    pain_report : dict or None
        :func:`runlens.pain.pain_report` of the whole history, for the report's
        pain page; None without a diary.
    units : {"metric", "imperial"}
        How the chart and the report show distances, paces and lengths
        (``--units`` / ``[display] units``).
    """

    history: Any
    form: Any
    form_source: str = "store"
    run_findings: dict[str, list[Finding]] = field(default_factory=dict)
    date_from: Any = None
    date_to: Any = None
    pain: list = field(default_factory=list)
    pain_report: dict | None = None
    pain_days: list = field(default_factory=list)
    names: dict = field(default_factory=dict)
    units: str = "metric"

    @property
    def weeks(self) -> pd.DataFrame:
        return self.history.weeks

    @property
    def findings(self) -> list[Finding]:
        """Volume findings of the weeks shown (the ``info`` one included)."""
        return self.history.findings

    def flagged_weeks(self) -> list[str]:
        """ISO first days of weeks with at least one volume finding of severity "flag"."""
        return sorted({f.evidence.values["week"] for f in self.findings if f.severity == "flag"})

    def noted_weeks(self) -> list[str]:
        """ISO first days of weeks whose volume findings are notes only."""
        flagged = set(self.flagged_weeks())
        return sorted(
            {
                f.evidence.values["week"]
                for f in self.findings
                if f.severity == "note" and f.evidence.values["week"] not in flagged
            }
        )


def form_from_points(
    acts: pd.DataFrame, week_start: str = "monday", form: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Steady form minutes of the counted runs from what a history store keeps.

    Parameters
    ----------
    acts : pandas.DataFrame
        The counted runs (``path``, ``local_date``).
    week_start : str
    form : pandas.DataFrame, optional
        The store's steady form minutes (``History.form``,
        :meth:`runlens.history.Store.form_minutes_frame`); without it there
        are none.
    """
    import pandas as pd

    from .trends import FORM_METRICS

    cols = ["start_s", "seconds", "speed_m_s", *FORM_METRICS, "week", "path"]
    if form is None or acts.empty or form.empty:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in cols})
    weeks = dict(zip(acts["path"], week_of(acts["local_date"], week_start)))
    f = form[form["path"].isin(weeks) & form["steady"].to_numpy()].copy()
    f["week"] = f["path"].map(weeks)
    f["seconds"] = f["steady_s"]
    return f[cols].reset_index(drop=True)


def form_from_activities(activities: list[Activity], history: History) -> pd.DataFrame:
    """Form minutes (every form metric) read from the activities themselves.

    Parameters
    ----------
    activities : list of Activity
        The runs of ``history`` (matched by ``Source.path``).
    history : History
    """
    import pandas as pd

    from ...metrics.form import form_minutes
    from .trends import FORM_METRICS

    counted = set(history.acts["path"]) if len(history.acts) else set()
    lookup = (
        dict(zip(history.acts["path"], history.acts["local_date"])) if len(history.acts) else {}
    )
    frames = []
    for a in activities:
        p = a.source.path
        if p not in counted:
            continue  # a duplicate or another sport
        f = form_minutes(a)
        f = f[f["steady"].to_numpy()].reset_index(drop=True)
        if f.empty:
            continue
        f["week"] = week_of([lookup[p]], history.week_start)[0]
        f["path"] = p
        frames.append(f)
    cols = ["start_s", "seconds", "speed_m_s", *FORM_METRICS, "week", "path"]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in cols})
    return pd.concat(frames, ignore_index=True)[cols]


def history_frame(activities: list[Activity]) -> pd.DataFrame:
    """The activity frame :func:`runlens.history.build_history` takes, built in memory.

    Same columns as a store's ``activities_frame`` needs, without a store:
    ``path``, ``content_sha256``, ``format``, ``sport``, ``start_s``,
    ``utc_offset_s``, ``distance_m``, ``moving_s``, ``hr_hist``, ``profile``.
    """
    import pandas as pd

    from ...load import run_hr_histogram
    from ...metrics import summarize

    rows = []
    for a in activities:  # one row per activity
        s = summarize(a)
        hist = run_hr_histogram(a)
        start = a.start if a.start is not None else a.records.index[0]
        p = a.profile
        rows.append(
            {
                "path": a.source.path,
                "content_sha256": a.source.sha256,
                "format": a.source.format,
                "sport": a.sport,
                "start_s": float(start.timestamp()),
                "utc_offset_s": a.utc_offset_s,
                "distance_m": s.get("distance_m"),
                "moving_s": s.get("moving_s"),
                "heart_rate_bpm": s.get("heart_rate_bpm"),
                "cadence_spm": s.get("cadence_spm"),
                "hr_hist": hist,
                "profile": {
                    "height_m": p.height_m,
                    "sex": p.sex,
                    "resting_hr_bpm": p.resting_hr_bpm,
                    "max_hr_bpm": p.max_hr_bpm,
                },
                "findings": [],
            }
        )
    return pd.DataFrame(rows)


def chart_data(
    history: History,
    form: pd.DataFrame | None = None,
    *,
    date_from=None,
    date_to=None,
    form_source: str | None = None,
) -> ChartData:
    """Cut a history to a date range and attach its form minutes.

    Parameters
    ----------
    history : History
        The whole history: the acute:chronic ratio needs the weeks before the
        range, so it is computed first and cut afterwards.
    form : pandas.DataFrame, optional
        From :func:`form_from_activities`; default :func:`form_from_points`
        of ``history.acts``.
    date_from, date_to : date-like, optional
        Local dates, inclusive. Weeks are kept when their first day is in the
        range, with the week containing ``date_from`` included.

    Returns
    -------
    ChartData

    Raises
    ------
    RunlensError
        ``date_from`` after ``date_to``, or no run in the range.
    """
    import pandas as pd

    from ...errors import RunlensError

    source = form_source or ("files" if form is not None else "store")
    if form is None:
        form = form_from_points(history.acts, history.week_start, history.form)
    lo = pd.Timestamp(date_from).floor("D") if date_from is not None else None
    hi = pd.Timestamp(date_to).floor("D") if date_to is not None else None
    if lo is not None and hi is not None and lo > hi:
        raise RunlensError(f"--from {lo.date()} is after --to {hi.date()}")
    weeks, acts, daily, ind = history.weeks, history.acts, history.daily, history.indicators
    findings = list(history.findings)
    if len(weeks) and (lo is not None or hi is not None):
        wlo = week_of([lo], history.week_start)[0] if lo is not None else weeks["week"].min()
        whi = hi if hi is not None else weeks["week"].max()
        weeks = weeks[(weeks["week"] >= wlo) & (weeks["week"] <= whi)].reset_index(drop=True)
        dlo = wlo
        dhi = (whi + pd.Timedelta(days=6)) if hi is None else hi
        acts = acts[(acts["local_date"] >= dlo) & (acts["local_date"] <= dhi)]
        daily = daily[(daily.index >= dlo) & (daily.index <= dhi)]
        ind = ind[(ind.index >= dlo) & (ind.index <= dhi)]
        keep = {w.date().isoformat() for w in weeks["week"]}
        findings = [f for f in findings if f.evidence.values.get("week") in keep]
        if len(form):
            form = form[form["week"].isin(set(weeks["week"]))]
    if not len(acts):
        raise RunlensError("no runs in the chosen date range")
    hist = replace(history, weeks=weeks, acts=acts, daily=daily, indicators=ind, findings=findings)
    run_findings: dict[str, list[Finding]] = {}
    if "findings" in acts:
        for p, fs in zip(acts["path"], acts["findings"]):
            if fs:
                run_findings[p] = [finding_from_dict(f) for f in fs]
    return ChartData(
        history=hist,
        form=form.reset_index(drop=True),
        form_source=source,
        run_findings=run_findings,
        date_from=lo,
        date_to=hi,
    )
