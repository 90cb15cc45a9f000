"""From stored activities to the runner's history: duplicates, load, weeks, findings.

The same activity stored twice (a watch's FIT and the GPX a site exported of
it; a ``.fit`` and its ``.fit.gz``) counts once: same content, or starts within
60 s with distances within 10 % (or 100 m). Which copy counts is decided by a
fixed order (most form channels recorded, then FIT before TCX before GPX, then
path), so the outcome never depends on the order files were scanned in.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..findings import Finding
from ..load import (
    CHRONIC_FLOOR_PER_WEEK,
    WEEKDAYS,
    HRProfile,
    activity_loads,
    daily_series,
    resolve_hr_profile,
    training_load,
    weekly_table,
)

if TYPE_CHECKING:
    import pandas as pd

    from ..config import Config
    from .store import Store

__all__ = [
    "DUPLICATE_WINDOW_S",
    "find_duplicates",
    "History",
    "build_history",
    "refresh_derived",
    "derived_fingerprint",
    "LOAD_UNITS",
]

#: Runs dated before this (the FIT epoch, 1989-12-31, plus a year) have a clock
#: that was never set: FIT "system time" decodes to 1970 dates.
EARLIEST_PLAUSIBLE = "1991-01-01"
#: Runs dated more than this many days after now have a clock set wrong.
FUTURE_MARGIN_DAYS = 2.0
#: Two activities starting this close (s) with similar distance are one.
DUPLICATE_WINDOW_S = 60.0
DUPLICATE_DISTANCE_REL = 0.10
DUPLICATE_DISTANCE_ABS_M = 100.0
#: ``[load] unit`` -> (daily series column, scale, label) of the load used for
#: ratios, monotony, strain and CTL/ATL: km, minutes or TRIMP.
LOAD_UNITS = {
    "distance": ("distance_m", 1e-3, "km"),
    "moving_time": ("moving_s", 1 / 60, "min"),
    "trimp": ("trimp", 1.0, "TRIMP"),
}


def _same_distance(a: float | None, b: float | None) -> bool:
    if a is None or b is None or not (np.isfinite(a) and np.isfinite(b)):
        return a is None and b is None
    return abs(a - b) <= max(DUPLICATE_DISTANCE_REL * max(a, b), DUPLICATE_DISTANCE_ABS_M)


def find_duplicates(acts: pd.DataFrame) -> dict[str, str]:
    """Map each duplicate's path to the path of the copy that counts.

    Parameters
    ----------
    acts : pandas.DataFrame
        ``path``, ``content_sha256``, ``format``, ``start_s``, ``distance_m``,
        optionally ``channels`` (how many form channels each recorded).

    Returns
    -------
    dict
        Duplicate path -> kept path (activities that count are absent).
    """
    # Plain lists: one pandas access per column, not one per row.
    paths = acts["path"].tolist()
    shas = acts["content_sha256"].tolist()
    fmts = acts["format"].tolist()
    starts = acts["start_s"].tolist()
    dists = acts["distance_m"].tolist()
    # The richest copy counts: the most form channels recorded (optional column
    # ``channels``: a FIT with running dynamics over a site's GPX of it), then
    # FIT (every channel, timer events), then TCX (laps, device distance), then
    # GPX; then the path, never the scan order.
    rank = {"fit": 0, "tcx": 1}
    chans = acts["channels"].tolist() if "channels" in acts else [0] * len(acts)
    order = sorted(
        range(len(acts)), key=lambda i: (-int(chans[i] or 0), rank.get(fmts[i], 2), paths[i])
    )
    kept_by_sha: dict[str, str] = {}
    kept_starts: list[tuple[float, int]] = []  # sorted (start_s, row)
    dup: dict[str, str] = {}
    # One step per activity (not per sample): a greedy pass in preference order.
    for i in order:
        path, sha = paths[i], shas[i]
        t, d = float(starts[i]), dists[i]
        d = None if d is None or not np.isfinite(d) else float(d)
        if sha in kept_by_sha:
            dup[path] = kept_by_sha[sha]
            continue
        lo = bisect.bisect_left(kept_starts, (t - DUPLICATE_WINDOW_S, -1))
        match = None
        for tk, k in kept_starts[lo:]:
            if tk > t + DUPLICATE_WINDOW_S:
                break
            dk = dists[k]
            dk = None if dk is None or not np.isfinite(dk) else float(dk)
            if _same_distance(d, dk):
                match = paths[k]
                break
        if match is not None:
            dup[path] = match
            continue
        kept_by_sha[sha] = path
        bisect.insort(kept_starts, (t, i))
    return dup


@dataclass
class History:
    """A runner's history, ready to print.

    Attributes
    ----------
    acts : pandas.DataFrame
        Runs that count (duplicates and other sports left out), with load
        columns (:func:`runlens.load.activity_loads`).
    daily, indicators, weeks : pandas.DataFrame
        :func:`~runlens.load.daily_series`, :func:`~runlens.load.training_load`,
        :func:`~runlens.load.weekly_table`.
    findings : list of Finding
        Volume findings (each with ``evidence.values["week"]``).
    hr : HRProfile
    assumptions : list of str
        What was assumed (TRIMP profile, UTC days, sport), for the runner.
    counts : dict
        ``stored``, ``runs``, ``duplicates``, ``other_sports``.
    week_start : str
    load_unit : str
    form : pandas.DataFrame or None
        The store's steady form minutes (:meth:`Store.form_minutes_frame`) of
        the counted runs; None when built from a frame.
    """

    acts: Any
    daily: Any
    indicators: Any
    weeks: Any
    findings: list[Finding]
    hr: HRProfile
    assumptions: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    week_start: str = "monday"
    load_unit: str = "distance"
    form: Any = None


def build_history(
    source: Store | pd.DataFrame,
    config: Config | None = None,
    *,
    week_start: str | None = None,
    load_unit: str | None = None,
    include_undated: bool = False,
) -> History:
    """Build the history of a store (or of an activity frame).

    Parameters
    ----------
    source : Store or pandas.DataFrame
        A frame needs ``path``, ``start_s``, ``utc_offset_s``, ``distance_m``,
        ``moving_s``, ``sport`` and optionally ``hr_hist``, ``profile``,
        ``duplicate_of``.
    config : Config, optional
        ``[runner]`` for TRIMP, ``[load] week_start`` / ``unit``, ``[rules.*]``.
    week_start, load_unit : str, optional
        Override the config.
    include_undated : bool
        Keep runs dated before 1991 (an unset clock) or in the future in the
        load; by default they are left out and one assumption line names them.
    """
    import pandas as pd

    from ..config import Config
    from ..rules.volume import evaluate_volume

    config = config or Config()
    ws = (week_start or config.load.get("week_start") or "monday").lower()
    if ws not in WEEKDAYS:
        from ..errors import RunlensError

        raise RunlensError(f"week start must be one of {', '.join(WEEKDAYS)}, not {ws!r}")
    unit = (load_unit or config.load.get("unit") or "distance").lower()
    if unit not in LOAD_UNITS:
        from ..errors import RunlensError

        raise RunlensError(f"[load] unit must be one of {', '.join(LOAD_UNITS)}, not {unit!r}")

    df = source if isinstance(source, pd.DataFrame) else source.activities_frame()
    stored = len(df)
    if "duplicate_of" in df:
        dup_mask = df["duplicate_of"].notna().to_numpy()
    else:
        dup_mask = np.zeros(stored, bool)
    sport = df["sport"] if "sport" in df else pd.Series([None] * stored)
    running = sport.isna().to_numpy() | (sport == "running").to_numpy()
    runs = df[~dup_mask & running].copy()
    assumptions: list[str] = []
    if len(runs) and not include_undated:
        lo = pd.Timestamp(EARLIEST_PLAUSIBLE, tz="UTC").timestamp()
        hi = pd.Timestamp.now(tz="UTC").timestamp() + FUTURE_MARGIN_DAYS * 86400.0
        st = runs["start_s"].to_numpy(float)
        bad = (st < lo) | (st > hi)
        if bad.any():
            import os

            names = [
                f"{os.path.basename(str(p))} ({pd.Timestamp(t, unit='s').date().isoformat()})"
                for p, t in zip(runs["path"][bad], st[bad])
            ]
            more = f" and {len(names) - 5} more" if len(names) > 5 else ""
            assumptions.append(
                f"{int(bad.sum())} run(s) left out of load, their date is not plausible (the "
                "watch's clock unset, before the FIT epoch, or in the future): "
                + ", ".join(names[:5])
                + more
            )
            runs = runs[~bad]
    n_nosport = int((sport.isna().to_numpy() & ~dup_mask).sum())
    if n_nosport:
        assumptions.append(
            f"{n_nosport} activities name no sport (e.g. GPX without <type>): counted as runs"
        )
    hists = list(runs["hr_hist"]) if "hr_hist" in runs else []
    profiles = list(runs["profile"]) if "profile" in runs else []
    hr = resolve_hr_profile(config.runner, profiles, hists)
    assumptions += hr.assumptions
    acts = activity_loads(runs, hr) if len(runs) else runs.assign(local_date=pd.NaT)
    if len(acts) and "warnings" in acts:
        from ..tz import TZ_FROM_COORDINATES

        coords = np.array(
            [any(str(w).startswith(TZ_FROM_COORDINATES) for w in (ws or [])) for ws in acts["warnings"]],
            dtype=bool,
        )  # one check per run, not per sample
        if coords.any():
            acts.loc[coords, "offset_source"] = "coordinates"
            assumptions.append(
                f"{int(coords.sum())} of {len(acts)} runs do not say their time zone: their day "
                "and week use the zone at their first GPS fix"
            )
    if len(acts) and not acts["offset_known"].all():
        src = acts["offset_source"]
        n_other, n_utc = int((src == "other runs").sum()), int((src == "utc").sum())
        if n_other:
            assumptions.append(
                f"{n_other} of {len(acts)} runs do not say their time zone: their day and week "
                "use the UTC offset of your nearest run (in time) that says it"
            )
        if n_utc:
            assumptions.append(
                f"{n_utc} of {len(acts)} runs do not say their time zone: their day and week are "
                "taken in UTC"
            )
    if unit == "trimp" and len(acts) and acts["trimp"].isna().any():
        assumptions.append(
            "load unit is TRIMP: runs without heart rate add 0 load (choose distance instead)"
        )
    daily = daily_series(acts) if len(acts) else daily_series(acts.iloc[:0])
    col, scale, _ = LOAD_UNITS[unit]
    daily["load"] = daily[col] * scale
    indicators = (
        training_load(daily, "load", min_chronic=CHRONIC_FLOOR_PER_WEEK[unit] / 7.0)
        if len(daily)
        else daily.assign(acwr=np.nan, history_days=np.nan)
    )
    weeks = weekly_table(acts, daily, indicators, ws) if len(daily) else pd.DataFrame()
    findings = (
        evaluate_volume(acts, weeks, indicators, week_start=ws, config=config, load_unit=unit)
        if len(acts)
        else []
    )
    return History(
        acts=acts,
        daily=daily,
        indicators=indicators,
        weeks=weeks,
        findings=findings,
        hr=hr,
        assumptions=assumptions,
        counts={
            "stored": stored,
            "runs": len(runs),
            "duplicates": int(dup_mask.sum()),
            "other_sports": int((~dup_mask & ~running).sum()),
        },
        week_start=ws,
        load_unit=unit,
        form=None
        if isinstance(source, pd.DataFrame)
        else source.form_minutes_frame(steady_only=True),
    )


def derived_fingerprint(config: Config | None = None) -> str:
    """What the derived tables depend on besides the stored activities, as text.

    The settings (runner, load, rules) and the runlens version: a scan that
    changes no file skips :func:`refresh_derived` only when this is the same
    as at the last refresh. Imports neither pandas nor anything heavy.
    """
    import json
    from dataclasses import asdict

    from .. import __version__
    from ..config import Config
    from .store import SCHEMA_VERSION

    c = config or Config()
    doc = {
        "runlens": __version__,
        "schema": SCHEMA_VERSION,
        "runner": asdict(c.runner),
        "rules": c.rules,
        "load": c.load,
    }
    return json.dumps(doc, sort_keys=True, default=str)


def refresh_derived(store: Store, config: Config | None = None) -> History:
    """Recompute what is derived from all stored activities, in one transaction.

    Sets ``duplicate_of``, ``spike_ratio`` and ``longest_prev30_m`` of every
    activity, rebuilds ``daily_load`` and stores the load assumptions in
    ``meta``, and the counts a scan reports with the settings' fingerprint
    (:func:`derived_fingerprint`) under ``meta`` ``derived_state``.
    Idempotent: running it twice changes nothing.
    """
    import json

    from .store import DERIVED_STATE_KEY

    with store.transaction() as c:
        base = store.activities_frame(columns=("content_sha256", "format", "start_s", "distance_m"))
        base["channels"] = base["path"].map(store.channel_counts()).fillna(0)
        dups = find_duplicates(base)
        c.execute(
            "UPDATE activities SET duplicate_of = NULL, spike_ratio = NULL, longest_prev30_m = NULL"
        )
        c.executemany(
            "UPDATE activities SET duplicate_of = ? WHERE path = ?",
            [(k, p) for p, k in dups.items()],
        )
        hist = build_history(store, config)
        a = hist.acts
        if len(a):
            c.executemany(
                "UPDATE activities SET spike_ratio = ?, longest_prev30_m = ? WHERE path = ?",
                [
                    (
                        None if not np.isfinite(r) else float(r),
                        None if not np.isfinite(L) else float(L),
                        p,
                    )
                    for r, L, p in zip(a["spike_ratio"], a["longest_prev30_m"], a["path"])
                ],
            )
        c.execute("DELETE FROM daily_load")
        d = hist.daily
        if len(d):
            c.executemany(
                "INSERT INTO daily_load VALUES (?, ?, ?, ?, ?)",
                [
                    (day.date().isoformat(), float(dm), float(ms), float(tr), int(n))
                    for day, dm, ms, tr, n in zip(
                        d.index, d["distance_m"], d["moving_s"], d["trimp"], d["runs"]
                    )
                ],
            )
        c.execute(
            "INSERT OR REPLACE INTO meta VALUES ('load_assumptions', ?)",
            (json.dumps(hist.assumptions),),
        )
        c.execute(
            "INSERT OR REPLACE INTO meta VALUES (?, ?)",
            (DERIVED_STATE_KEY, json.dumps(derived_state(hist, config))),
        )
    return hist


def derived_state(hist: History, config: Config | None = None) -> dict[str, Any]:
    """What a scan reports of the derived tables, with the settings' fingerprint."""
    return {
        "fingerprint": derived_fingerprint(config),
        "runs": int(hist.counts["runs"]),
        "duplicates": int(hist.counts["duplicates"]),
        "weeks": len(hist.weeks),
        "assumptions": list(hist.assumptions),
    }


def run_form_flags(history: History, severities: tuple[str, ...] = ("flag",)) -> list[dict]:
    """Each counted run with its stored form findings, in time order.

    Parameters
    ----------
    history : History
    severities : tuple of str
        Which findings count as the run's flags (default: flags only).

    Returns
    -------
    list of dict
        ``path``, ``start_utc``, ``local_date`` (ISO date), ``week`` (ISO date
        of the week's first day), ``distance_m``, ``flags`` (rule names, in
        the order found), ``findings`` (the stored finding dicts of those
        severities, each with ``activity`` set to the path).
    """
    import math

    from ..report.charts.data import week_of

    acts = history.acts
    if acts is None or not len(acts) or "findings" not in acts:
        return []
    weeks = week_of(acts["local_date"], history.week_start)
    out = []
    for row, wk in zip(acts.itertuples(index=False), weeks):  # one per run
        found = [
            {**f, "activity": row.path, "date": row.local_date.date().isoformat()}
            for f in (row.findings or [])
            if f.get("severity") in severities
        ]
        dist = getattr(row, "distance_m", None)
        out.append(
            {
                "path": row.path,
                "start_utc": getattr(row, "start_utc", None),
                "local_date": row.local_date.date().isoformat(),
                "week": wk.date().isoformat(),
                "distance_m": None if dist is None or not math.isfinite(dist) else float(dist),
                "flags": [f["rule"] for f in found],
                "findings": found,
            }
        )
    return out


def form_flag_count(acts) -> tuple[int, int]:
    """(runs with at least one form flag, form flags) of a frame of counted runs."""
    if acts is None or not len(acts) or "findings" not in acts:
        return 0, 0
    per_run = [sum(f.get("severity") == "flag" for f in fs or []) for fs in acts["findings"]]
    return sum(n > 0 for n in per_run), sum(per_run)
