"""What came before the pain: diary episodes joined to the runner's findings and load.

Definitions (docs/pain.md repeats them with a worked example):

- **Day's pain**: the highest severity logged that day (0-10); a day with no
  entry counts as 0 (most runners log the days it hurts). Optionally only one
  place (``location``).
- **Episode**: consecutive days with pain >= ``threshold`` (default 3);
  episodes separated by at most ``max_gap_days`` (default 1) days below the
  threshold are one episode. Its onset is its first day.
- **Pain window**: the ``days`` days (default 7) before an onset, the onset
  excluded. It is compared only if it lies within the recorded runs (first
  run day to last run day); otherwise the episode is listed, not compared.
- **Pain-free (control) window**: ``days`` consecutive days within the
  recorded runs in which no day, and not the day after (its reference day),
  belongs to an episode, and which shares no day with a pain window. They are
  taken greedily from the first run on, without overlapping one another.
- **A kind of finding precedes** a window's reference day when the window
  holds a finding of that kind of severity note or flag: a run's form finding
  on the run's local day, a session spike or acute:chronic note on its day, a
  weekly increase on any day of its week.
- **Judged windows**: a volume kind is counted only in windows that start on
  or after the day the volume rules begin judging (28 days after the first
  run), a form kind only in windows with at least one run the form rules
  evaluated (a breathing kind, steps per breath falling, only in windows with
  a run that records a breathing rate, and only when some run of the history
  does); otherwise absence would not mean "not there".

For each kind the 2 x 2 table (pain windows with / without, control windows
with / without) gets the rate in each group, the sample odds ratio, the
Haldane-corrected odds ratio (0.5 added to each cell) and the two-sided p of
Fisher's exact test (scipy.stats.fisher_exact), with Holm's correction over
the kinds tested (a kind seen in no window is not tested). A kind is *notable* when its corrected p is below ``alpha``
(0.05), its odds ratio is above 1 and at least ``min_count`` (2) pain windows
had it. Kinds are ranked by p, then odds ratio. Weekly load (whole weeks
within the recorded runs) is also correlated (Spearman) with the week's
highest pain, in the same week and one week later. Fewer than 3 compared episodes: counts only, no test.

This is an association in one person's data: not a cause, not medical advice.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..rules import REGISTRY, pain_kinds
from .diary import PainEntry, list_entries

if TYPE_CHECKING:
    import pandas as pd

    from ..config import Config
    from ..history import HistoryTables as History
    from ..store.db import Store

__all__ = [
    "KINDS",
    "BREATHING_KINDS",
    "DEFAULT_DAYS",
    "DEFAULT_THRESHOLD",
    "MAX_GAP_DAYS",
    "MIN_EPISODES",
    "MIN_COUNT",
    "ALPHA",
    "Episode",
    "Window",
    "daily_pain",
    "find_episodes",
    "finding_days",
    "pain_windows",
    "control_windows",
    "association",
    "holm",
    "pain_report",
    "episodes_for_chart",
    "STATEMENT",
]

DEFAULT_DAYS = 7
DEFAULT_THRESHOLD = 3
MAX_GAP_DAYS = 1
#: Compared episodes below which no test is run.
MIN_EPISODES = 3
#: Pain windows that must hold a kind before it can be called notable.
MIN_COUNT = 2
ALPHA = 0.05

#: Kind of finding -> (label for the runner, "volume" or "form"): each rule class's ``pain``.
KINDS: dict[str, tuple[str, str]] = pain_kinds()
#: Form kinds that only a run recording a breathing rate can have: judged only in windows
#: with such a run, and left out of the report when no run of the history records one.
BREATHING_KINDS = frozenset(k for k in KINDS if REGISTRY[k].needs == "respiration_rate_brpm")

STATEMENT = (
    "This is an association in one person's data, not a cause, and not medical advice. "
    "Severe or persistent pain, or numbness, tingling or weakness: see a clinician."
)


@dataclass
class Episode:
    """A pain episode.

    Attributes
    ----------
    start, end : datetime.date
        First and last day with pain >= threshold.
    peak : int
        Highest severity (0-10).
    mean : float
        Mean severity of the days at or above the threshold.
    pain_days : int
        Days at or above the threshold.
    locations : list of str
    """

    start: dt.date
    end: dt.date
    peak: int
    mean: float
    pain_days: int
    locations: list[str] = field(default_factory=list)


@dataclass
class Window:
    """``days`` days before a reference day (``start`` to ``end`` inclusive)."""

    start: dt.date
    end: dt.date
    group: str  # "pain" or "control"
    episode: int | None = None  # index into the episodes, for pain windows

    @property
    def ref(self) -> dt.date:
        return self.end + dt.timedelta(days=1)


# ----------------------------------------------------------------- diary side
def daily_pain(entries: list[PainEntry], location: str | None = None) -> dict[dt.date, int]:
    """Highest severity per logged day (only ``location`` if given)."""
    from .diary import parse_location

    out: dict[dt.date, int] = {}
    if location is not None:
        location = parse_location(location)  # "Upper Back" is upper-back
    for e in entries:  # one per diary entry, few
        if location is not None and e.location != location:
            continue
        out[e.date] = max(out.get(e.date, 0), e.severity)
    return out


def find_episodes(
    entries: list[PainEntry],
    threshold: int = DEFAULT_THRESHOLD,
    max_gap_days: int = MAX_GAP_DAYS,
    location: str | None = None,
) -> list[Episode]:
    """Pain episodes (see the module doc), in date order.

    Parameters
    ----------
    entries : list of PainEntry
    threshold : int
        Severity (0-10) a day needs to be a pain day.
    max_gap_days : int
        Days below the threshold that may separate two runs of pain days and
        still leave one episode.
    location : str, optional
        Only entries of this place.
    """
    if not 1 <= threshold <= 10:
        from ..errors import RunlensError

        raise RunlensError(f"the episode threshold must be 1-10, not {threshold}")
    daily = daily_pain(entries, location)
    days = sorted(d for d, s in daily.items() if s >= threshold)
    groups: list[list[dt.date]] = []
    for d in days:  # one per pain day
        if groups and (d - groups[-1][-1]).days <= max_gap_days + 1:
            groups[-1].append(d)
        else:
            groups.append([d])
    out = []
    for g in groups:
        sev = [daily[d] for d in g]
        locs = sorted(
            {
                e.location
                for e in entries
                if g[0] <= e.date <= g[-1] and (location is None or e.location == location)
            }
        )
        out.append(
            Episode(
                start=g[0],
                end=g[-1],
                peak=max(sev),
                mean=float(np.mean(sev)),
                pain_days=len(g),
                locations=locs,
            )
        )
    return out


# ------------------------------------------------------------- history side
def _date(x) -> dt.date:
    import pandas as pd

    return pd.Timestamp(x).date()


def finding_days(history: History) -> list[tuple[dt.date, str, str, str | None, str]]:
    """Every note or flag of the history as ``(day, kind, severity, activity, message)``.

    Form findings are dated on their run's local day; session spikes and
    acute:chronic notes on their day; a weekly increase on each day of its week.
    """
    out = []
    for f in history.findings:  # volume findings, a handful per week
        if f.rule not in KINDS or f.severity == "info":
            continue
        v = f.evidence.values
        if f.rule == "weekly_increase":
            w0 = dt.date.fromisoformat(v["week"])
            for k in range(7):
                out.append((w0 + dt.timedelta(days=k), f.rule, f.severity, None, f.message))
        else:
            out.append(
                (dt.date.fromisoformat(v["date"]), f.rule, f.severity, f.activity, f.message)
            )
    acts = history.acts
    if len(acts) and "findings" in acts:
        for day, path, fs in zip(acts["local_date"], acts["path"], acts["findings"]):  # per run
            for f in fs or []:
                if f.get("rule") in KINDS and f.get("severity") in ("note", "flag"):
                    out.append((_date(day), f["rule"], f["severity"], path, f.get("message", "")))
    out.sort(key=lambda r: (r[0], r[1]))
    return out


def _breathing_runs(history: History) -> set:
    """Paths of the runs whose stored steady minutes carry a breathing rate.

    (What ``breathing_rise`` needs: a breathing rate over steady running.)
    """
    form = getattr(history, "form", None)
    if form is None or not len(form) or "respiration_rate_brpm" not in form:
        return set()
    return set(form.loc[form["respiration_rate_brpm"].notna(), "path"])


def _judge_start(history: History) -> dt.date:
    from ..load import MIN_HISTORY_DAYS

    for f in history.findings:
        if f.rule == "volume_history":
            first = dt.date.fromisoformat(f.evidence.values["first_day"])
            return first + dt.timedelta(days=int(f.evidence.threshold["min_history_days"]))
    first = _date(history.acts["local_date"].min())
    return first + dt.timedelta(days=MIN_HISTORY_DAYS)


def pain_windows(
    episodes: list[Episode], first: dt.date, last: dt.date, days: int = DEFAULT_DAYS
) -> tuple[list[Window], list[str | None]]:
    """The window before each episode, and why an episode is not compared (or None).

    Parameters
    ----------
    first, last : datetime.date
        First and last day of the recorded runs.
    """
    windows, why = [], []
    for i, e in enumerate(episodes):
        w = Window(e.start - dt.timedelta(days=days), e.start - dt.timedelta(days=1), "pain", i)
        if w.start < first:
            why.append(f"its {days} days before start before the first recorded run ({first})")
        elif w.end > last:
            why.append(f"its {days} days before end after the last recorded run ({last})")
        else:
            windows.append(w)
            why.append(None)
    return windows, why


def control_windows(
    episodes: list[Episode],
    first: dt.date,
    last: dt.date,
    days: int = DEFAULT_DAYS,
) -> list[Window]:
    """Pain-free windows (module doc): greedy, from the first run, not overlapping.

    A window's days and its reference day hold no episode day, and it shares
    no day with the ``days`` days before any episode (compared or not).
    """
    before = days
    n = (last - first).days + 2  # day offsets 0..n-1; the last reference day is last + 1
    blocked = np.zeros(n + 1, bool)  # an episode day or a pain-window day
    ep_day = np.zeros(n + 1, bool)
    for e in episodes:
        a = (e.start - first).days
        b = (e.end - first).days
        lo, hi = max(a - before, 0), min(b, n)
        if hi >= lo:
            blocked[lo : hi + 1] = True
        lo2, hi2 = max(a, 0), min(b, n)
        if hi2 >= lo2:
            ep_day[lo2 : hi2 + 1] = True
    # cumulative count so each candidate is checked in O(1)
    cum = np.concatenate([[0], np.cumsum(blocked)])
    out = []
    r = days  # reference day offset
    last_ref = (last - first).days + 1
    while r <= last_ref:  # one step per day at most
        if cum[r] - cum[r - days] == 0 and not ep_day[r]:
            s = first + dt.timedelta(days=r - days)
            out.append(Window(s, s + dt.timedelta(days=days - 1), "control"))
            r += days
        else:
            r += 1
    return out


def _window_load(daily: pd.DataFrame, ind: pd.DataFrame, acts: pd.DataFrame, w: Window) -> dict:
    import pandas as pd

    lo, hi = pd.Timestamp(w.start), pd.Timestamp(w.end)
    d = daily.loc[lo:hi]
    a = acts[(acts["local_date"] >= lo) & (acts["local_date"] <= hi)]
    sr = a["spike_ratio"].to_numpy(float) if len(a) else np.array([])
    acwr = ind["acwr"].get(hi, np.nan) if len(ind) else np.nan
    with_hr = int(d["trimp_runs"].sum()) if "trimp_runs" in d else int(d["runs"].sum())
    trimp = float(d["trimp"].sum()) if with_hr else None
    return {
        "distance_m": float(d["distance_m"].sum()),
        "moving_s": float(d["moving_s"].sum()),
        "runs": int(d["runs"].sum()),
        "trimp": trimp,
        "longest_m": float(a["distance_m"].max()) if len(a) else 0.0,
        "max_spike_ratio": float(np.nanmax(sr)) if np.isfinite(sr).any() else None,
        "acwr_day_before": float(acwr) if np.isfinite(acwr) else None,
    }


def _rates(a: int, b: int, c: int, d: int) -> dict[str, Any]:
    """The rates of a 2 x 2 table, its odds ratios and p left None (nothing tested)."""
    return {
        "rate_pain": a / (a + b) if a + b else None,
        "rate_control": c / (c + d) if c + d else None,
        "odds_ratio": None,
        "odds_ratio_haldane": None,
        "p_value": None,
    }


def association(a: int, b: int, c: int, d: int) -> dict[str, Any]:
    """Rates, odds ratios and Fisher's exact p of one 2 x 2 table.

    Parameters
    ----------
    a, b : int
        Pain windows with / without the kind.
    c, d : int
        Control windows with / without.

    Returns
    -------
    dict
        ``rate_pain``, ``rate_control`` (fractions or None), ``odds_ratio``
        (ad / bc; None when undefined or infinite), ``odds_ratio_haldane``
        (0.5 added to every cell), ``p_value`` (two-sided); the last three
        None when a group has no judged window or the kind was seen in no
        window (nothing to test).
    """
    out = _rates(a, b, c, d)
    if a + b == 0 or c + d == 0 or a + c == 0:
        return out
    out["odds_ratio_haldane"] = (a + 0.5) * (d + 0.5) / ((b + 0.5) * (c + 0.5))
    from scipy.stats import fisher_exact

    odds, p = fisher_exact([[a, b], [c, d]])
    odds = float(odds)
    out["odds_ratio"] = odds if math.isfinite(odds) else None
    out["p_value"] = float(p)
    return out


def holm(p: list[float]) -> list[float]:
    """Holm's step-down adjustment of p-values (same order as given)."""
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    adj = [0.0] * m
    running = 0.0
    for k, i in enumerate(order):
        running = max(running, min(1.0, (m - k) * p[i]))
        adj[i] = running
    return adj


def _spearman(x: np.ndarray, y: np.ndarray) -> dict[str, Any] | None:
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if len(x) < 4 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return {"n_weeks": int(len(x)), "rho": None, "p_value": None}
    from scipy.stats import spearmanr

    res = spearmanr(x, y)
    return {"n_weeks": int(len(x)), "rho": float(res.statistic), "p_value": float(res.pvalue)}


def _weekly_correlation(history: History, daily: dict[dt.date, int]) -> dict[str, Any]:
    """Spearman of weekly load with the week's highest pain: same week and one later."""
    import pandas as pd

    weeks = history.weeks
    if weeks is None or not len(weeks):
        return {"lag0": None, "lag1": None}
    # Only whole weeks within the recorded runs: a partial first or last week
    # would look like a drop in load.
    first = _date(history.acts["local_date"].min())
    last = _date(history.acts["local_date"].max())
    whole = [
        w.date() >= first and w.date() + dt.timedelta(days=6) <= last
        for w in pd.DatetimeIndex(weeks["week"])
    ]
    weeks = weeks[np.asarray(whole, bool)]
    starts = [w.date() for w in pd.DatetimeIndex(weeks["week"])]
    pain = np.array(
        [
            max([daily.get(w0 + dt.timedelta(days=k), 0) for k in range(7)])
            for w0 in starts  # one per week
        ],
        float,
    )
    load = weeks["load"].to_numpy(float)
    return {
        "lag0": _spearman(load, pain),
        "lag1": _spearman(load[:-1], pain[1:]) if len(load) > 1 else None,
    }


def pain_report(
    store: Store,
    *,
    days: int = DEFAULT_DAYS,
    threshold: int = DEFAULT_THRESHOLD,
    max_gap_days: int = MAX_GAP_DAYS,
    location: str | None = None,
    min_count: int = MIN_COUNT,
    alpha: float = ALPHA,
    config: Config | None = None,
    history: History | None = None,
) -> dict[str, Any]:
    """The pain report of a store (the ``runlens pain report --json`` object).

    Parameters
    ----------
    store : Store
        History store holding the runs and the diary.
    days : int
        Days before an onset that are looked at (and length of control windows).
    threshold : int
        Severity (0-10) of a pain day.
    max_gap_days : int
        Gap (days) still merged into one episode.
    location : str, optional
        Only diary entries of this place.
    min_count : int
        Pain windows holding a kind before it can be called notable.
    alpha : float
        Level for Holm-corrected p-values.
    config : Config, optional
        For :func:`runlens.history.build_history`.
    history : History, optional
        Already built history (else built from ``store``).

    Returns
    -------
    dict
        Documented in docs/pain.md.
    """
    from ..caveats import CAVEATS
    from ..errors import RunlensError
    from ..history import build_history
    from .diary import parse_location

    if days < 1 or days > 60:
        raise RunlensError(f"--days must be 1-60, not {days}")
    if max_gap_days < 0:
        raise RunlensError(f"the merged gap must be 0 or more days, not {max_gap_days}")
    loc = parse_location(location) if location else None
    entries = list_entries(store)
    episodes = find_episodes(entries, threshold, max_gap_days, loc)
    daily = daily_pain(entries, loc)
    h = history or build_history(store, config)
    doc: dict[str, Any] = {
        "store": str(store.path),
        "settings": {
            "days": days,
            "threshold": threshold,
            "max_gap_days": max_gap_days,
            "location": loc,
            "min_count": min_count,
            "alpha": alpha,
        },
        "diary": {
            "entries": sum(loc is None or e.location == loc for e in entries),
            "days_logged": len(daily),
            "first": min(daily).isoformat() if daily else None,
            "last": max(daily).isoformat() if daily else None,
            "locations": sorted({e.location for e in entries}),
        },
        "history": None,
        "episodes": [],
        "control_windows": [],
        "comparison": None,
        "weekly_correlation": None,
        "summary": [],
        "assumptions": [
            "Days without a diary entry are counted as pain-free (severity 0).",
            *h.assumptions,
        ],
        "statement": STATEMENT,
        "caveats": list(CAVEATS),
    }
    if not len(h.acts):
        doc["summary"].append(
            f"{len(episodes)} pain episode(s) in the diary, but no runs in the store: "
            "run `runlens scan DIR` to compare them with your running."
        )
        doc["episodes"] = [_episode_dict(e, None, None, [], None) for e in episodes]
        return doc
    first = _date(h.acts["local_date"].min())
    last = _date(h.acts["local_date"].max())
    judge = _judge_start(h)
    doc["history"] = {
        "first_run": first.isoformat(),
        "last_run": last.isoformat(),
        "runs": int(len(h.acts)),
        "volume_judged_from": judge.isoformat(),
    }
    fdays = finding_days(h)
    pw, why = pain_windows(episodes, first, last, days)
    cw = control_windows(episodes, first, last, days)
    evaluated = (
        h.acts[h.acts["form_rules"] == "evaluated"] if "form_rules" in h.acts else h.acts[:0]
    )
    eval_days = {_date(d) for d in evaluated["local_date"]}
    breathing = _breathing_runs(h)
    breathing_days = {
        _date(d) for d, p in zip(evaluated["local_date"], evaluated["path"]) if p in breathing
    }
    kinds_here = {k: v for k, v in KINDS.items() if k not in BREATHING_KINDS or breathing_days}

    def in_window(w: Window):
        fs = [f for f in fdays if w.start <= f[0] <= w.end and f[1] in kinds_here]
        wdays = [w.start + dt.timedelta(days=k) for k in range(days)]
        has_form_run = any(d in eval_days for d in wdays)
        has_breathing_run = any(d in breathing_days for d in wdays)
        judged = {
            k: (w.start >= judge)
            if grp == "volume"
            else (has_breathing_run if k in BREATHING_KINDS else has_form_run)
            for k, (_, grp) in kinds_here.items()
        }
        return fs, judged

    windows = pw + cw
    seen = [in_window(w) for w in windows]  # (findings, judged kinds) of each window
    by_ep = {w.episode: k for k, w in enumerate(pw)}
    for i, e in enumerate(episodes):
        k = by_ep.get(i)
        if k is None:
            doc["episodes"].append(_episode_dict(e, None, why[i], [], None))
            continue
        w, (fs, judged) = pw[k], seen[k]
        load = _window_load(h.daily, h.indicators, h.acts, w)
        doc["episodes"].append(_episode_dict(e, w, None, fs, load, judged))
    rows = {k: [0, 0, 0, 0] for k in kinds_here}  # a, b, c, d
    for w, (fs, judged) in zip(windows, seen):
        present = {f[1] for f in fs}
        if w.group == "control":
            doc["control_windows"].append(
                {
                    "start": w.start.isoformat(),
                    "end": w.end.isoformat(),
                    "kinds": sorted(k for k in present if judged[k]),
                    "load": _window_load(h.daily, h.indicators, h.acts, w),
                }
            )
        off = 0 if w.group == "pain" else 2
        for k in kinds_here:
            if judged[k]:
                rows[k][off + (0 if k in present else 1)] += 1
    n_pain, n_ctrl = len(pw), len(cw)
    meaningful = n_pain >= MIN_EPISODES and n_ctrl >= 1
    kinds = []
    for k, (label, grp) in kinds_here.items():
        a, b, c, d = rows[k]
        stats = association(a, b, c, d) if meaningful else _rates(a, b, c, d)
        kinds.append(
            {
                "kind": k,
                "label": label,
                "group": grp,
                "pain_with": a,
                "pain_windows": a + b,
                "control_with": c,
                "control_windows": c + d,
                **stats,
                "p_holm": None,
                "notable": False,
                "rank": None,
            }
        )
    tested = [r for r in kinds if r["p_value"] is not None]
    for r, q in zip(tested, holm([r["p_value"] for r in tested])):
        r["p_holm"] = q
        r["notable"] = bool(
            q < alpha and r["pain_with"] >= min_count and r["odds_ratio_haldane"] > 1.0
        )
    order = list(kinds_here)
    ranked = sorted(
        (r for r in tested if r["pain_with"] >= min_count),
        key=lambda r: (r["p_value"], -r["odds_ratio_haldane"], order.index(r["kind"])),
    )
    for i, r in enumerate(ranked, 1):
        r["rank"] = i
    doc["comparison"] = {
        "meaningful": meaningful,
        "episodes_compared": n_pain,
        "episodes_not_compared": len(episodes) - n_pain,
        "control_windows": n_ctrl,
        "kinds_tested": len(tested),
        "ranking": [r["kind"] for r in ranked],
        "notable": [r["kind"] for r in ranked if r["notable"]],
        "kinds": kinds,
        "load": _load_summary(doc),
    }
    doc["weekly_correlation"] = _weekly_correlation(h, daily)
    doc["summary"] = _summary(doc)
    return doc


def _episode_dict(e, w, why, fs, load, judged=None) -> dict[str, Any]:
    return {
        "start": e.start.isoformat(),
        "end": e.end.isoformat(),
        "pain_days": e.pain_days,
        "peak": e.peak,
        "mean": round(e.mean, 3),
        "locations": e.locations,
        "compared": w is not None,
        "not_compared_because": why,
        "window": None if w is None else {"start": w.start.isoformat(), "end": w.end.isoformat()},
        "kinds": sorted({f[1] for f in fs if judged is None or judged[f[1]]}),
        "findings": [
            {"date": f[0].isoformat(), "kind": f[1], "severity": f[2], "activity": f[3]} for f in fs
        ],
        "load": load,
    }


def _median(xs: list) -> float | None:
    v = [x for x in xs if x is not None]
    return float(np.median(v)) if v else None


def _load_summary(doc: dict) -> dict[str, Any]:
    """Median load of the pain windows and of the control windows."""
    pain = [e["load"] for e in doc["episodes"] if e["load"] is not None]
    ctrl = [w["load"] for w in doc["control_windows"]]
    keys = ("distance_m", "moving_s", "runs", "longest_m", "max_spike_ratio", "acwr_day_before")
    return {
        "pain_median": {k: _median([x[k] for x in pain]) for k in keys},
        "control_median": {k: _median([x[k] for x in ctrl]) for k in keys},
    }


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x * 100:.0f} %"


def _summary(doc: dict) -> list[str]:
    c = doc["comparison"]
    n_ep = len(doc["episodes"])
    days = doc["settings"]["days"]
    out = [
        f"{n_ep} pain episode(s) in the diary; {c['episodes_compared']} compared with "
        f"{c['control_windows']} pain-free {days}-day windows of the same history."
    ]
    if not c["meaningful"]:
        if c["episodes_compared"] == 0:
            out.append("No episode to compare yet, so no comparison is meaningful yet.")
        elif c["episodes_compared"] < MIN_EPISODES:
            out.append(
                f"Fewer than {MIN_EPISODES} episodes can be compared: the counts are shown, but "
                "no comparison is meaningful yet. Keep logging."
            )
        else:
            out.append("No pain-free window to compare with: no comparison is meaningful yet.")
        return out
    by = {r["kind"]: r for r in c["kinds"]}
    if c["notable"]:
        for k in c["notable"]:
            r = by[k]
            out.append(
                f"{r['label']} came before {r['pain_with']} of {r['pain_windows']} episodes "
                f"({_pct(r['rate_pain'])}) and {r['control_with']} of {r['control_windows']} "
                f"pain-free windows ({_pct(r['rate_control'])}): odds ratio "
                f"{_or(r)}, Fisher p = {r['p_value']:.2g} (Holm-corrected {r['p_holm']:.2g})."
            )
    else:
        top = by[c["ranking"][0]] if c["ranking"] else None
        msg = "Nothing notable: no kind of finding came before pain clearly more often than in "
        msg += f"pain-free windows (Holm-corrected p < {doc['settings']['alpha']} needed)"
        if top is not None and top["odds_ratio_haldane"] > 1.0 and top["p_value"] < 1.0:
            msg += (
                f"; the closest was {top['kind'].replace('_', ' ')} "
                f"({top['pain_with']}/{top['pain_windows']} vs "
                f"{top['control_with']}/{top['control_windows']}, p = {top['p_value']:.2g})"
            )
        out.append(msg + ".")
    out.append(
        f"Sample size: {c['episodes_compared']} episodes and {c['control_windows']} pain-free "
        f"windows; {c['kinds_tested']} kinds tested, so one small p can be chance."
    )
    return out


def _or(r: dict) -> str:
    if r["odds_ratio"] is None:
        return f"undefined (a zero cell; {r['odds_ratio_haldane']:.1f} with 0.5 added)"
    return f"{r['odds_ratio']:.1f}"


def episodes_for_chart(
    store, start: dt.date | str | None = None, end: dt.date | str | None = None, **kw
) -> list[tuple[dt.date, int]]:
    """Pain episodes to mark on a chart: ``(onset day, peak severity)`` in a date range.

    Parameters
    ----------
    store : Store or str or PathLike
        An open store or a store file (opened read-only use, not created).
    start, end : date or str, optional
        Inclusive range of onset days (local); None = open.
    **kw
        ``threshold``, ``max_gap_days``, ``location`` as :func:`find_episodes`.

    Returns
    -------
    list of (datetime.date, int)
    """
    from ..store.db import Store

    own = not isinstance(store, Store)
    s = Store(store, create=False) if own else store
    try:
        eps = find_episodes(list_entries(s), **kw)
    finally:
        if own:
            s.close()
    lo = None if start is None else _date(start)
    hi = None if end is None else _date(end)
    return [
        (e.start, e.peak)
        for e in eps
        if (lo is None or e.start >= lo) and (hi is None or e.start <= hi)
    ]
