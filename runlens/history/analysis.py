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
    from ..store.db import Store

__all__ = [
    "DUPLICATE_WINDOW_S",
    "find_duplicates",
    "HistoryTables",
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


#: A copy re-saved by an app that wrote local time as UTC: every time shifted by
#: a whole number of hours (up to 14), start within this many seconds of it.
TZ_SHIFT_TOLERANCE_S = 5.0
TZ_SHIFT_MAX_H = 14
#: ... with the same distance (relative) and duration (s or relative, the larger).
TZ_SHIFT_DISTANCE_REL = 0.03  # a GPX of the same track measures 1-2 % apart
TZ_SHIFT_DURATION = (5.0, 0.002)
#: A truncated copy starts within this many seconds of the full one (the same
#: recording: nobody starts two runs in the same seconds) and is shorter.
TRUNCATED_START_S = 5.0


def _duration(acts: pd.DataFrame) -> list:
    for c in ("elapsed_s", "timer_s"):
        if c in acts:
            return [None if v is None or not np.isfinite(v) else float(v) for v in
                    pd_numeric(acts[c])]
    return [None] * len(acts)


def _same_copy_shifted(ti, di, ui, tk, dk, uk) -> bool:
    """Two activities the same apart from a whole-hour shift of every time."""
    shift = abs(ti - tk)
    hours = round(shift / 3600.0)
    if not (1 <= hours <= TZ_SHIFT_MAX_H) or abs(shift - hours * 3600.0) > TZ_SHIFT_TOLERANCE_S:
        return False
    if di is None or dk is None or ui is None or uk is None or max(di, dk) <= 0:
        return False
    same_d = abs(di - dk) <= TZ_SHIFT_DISTANCE_REL * max(di, dk)
    same_u = abs(ui - uk) <= max(TZ_SHIFT_DURATION[0], TZ_SHIFT_DURATION[1] * max(ui, uk))
    return same_d and same_u


def truncated_copies(acts: pd.DataFrame) -> dict[str, str]:
    """Map each truncated copy's path to the full copy it is a prefix of.

    Same start (within :data:`TRUNCATED_START_S`), same sport (or one unknown),
    shorter in distance (beyond the ordinary duplicates' tolerance) and in time
    (under 90 %, or a duration unknown): a copy cut off (a damaged export
    member, 0.4 of 4.3 km). The longest of the group is the full one, whatever
    the format.
    """
    paths = acts["path"].tolist()
    starts = pd_numeric(acts["start_s"])
    dists = np.nan_to_num(pd_numeric(acts["distance_m"]), nan=0.0)
    durs = np.array([np.nan if v is None else v for v in _duration(acts)], dtype=float)
    sports = acts["sport"].tolist() if "sport" in acts else [None] * len(acts)
    order = np.argsort(starts, kind="stable")
    out: dict[str, str] = {}
    i = 0
    while i < order.size:
        j = i + 1
        while j < order.size and starts[order[j]] - starts[order[i]] <= TRUNCATED_START_S:
            j += 1
        group = order[i:j]
        if group.size > 1:
            full = group[np.argmax(dists[group])]
            for g in group:
                # Similar distances are ordinary duplicates (the richest copy counts);
                # a cut-off copy is shorter in time too (two recordings of the same
                # minutes measure distance differently but last as long), and the
                # same sport (a sample swim and a paddle starting the same second are not).
                sport_ok = sports[g] is None or sports[full] is None or sports[g] == sports[full]
                du, df = durs[g], durs[full]
                shorter = not (np.isfinite(du) and np.isfinite(df)) or du < 0.9 * df
                if (
                    g != full
                    and sport_ok
                    and shorter
                    and not _same_distance(float(dists[g]), float(dists[full]))
                ):
                    out[paths[g]] = paths[full]
        i = j
    return out


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
    dup: dict[str, str] = truncated_copies(acts)
    durs = _duration(acts)
    # One step per activity (not per sample): a greedy pass in preference order.
    for i in order:
        path, sha = paths[i], shas[i]
        if path in dup:
            continue
        t, d = float(starts[i]), dists[i]
        d = None if d is None or not np.isfinite(d) else float(d)
        if sha in kept_by_sha:
            dup[path] = kept_by_sha[sha]
            continue
        shifted = None
        for h in range(-TZ_SHIFT_MAX_H, TZ_SHIFT_MAX_H + 1):  # bisect, not a scan of all
            if h == 0 or shifted is not None:
                continue
            c = t + h * 3600.0
            lo = bisect.bisect_left(kept_starts, (c - TZ_SHIFT_TOLERANCE_S, -1))
            for tk, k in kept_starts[lo:]:
                if tk > c + TZ_SHIFT_TOLERANCE_S:
                    break
                if _same_copy_shifted(t, d, durs[i], float(tk), _f(dists[k]), durs[k]):
                    shifted = paths[k]
                    break
        if shifted is not None:
            dup[path] = shifted
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


#: Two activities further apart in start than this are never copies of each other
#: (:func:`find_duplicates`: the clock-shift match reaches the farthest).
DUPLICATE_REACH_S = TZ_SHIFT_MAX_H * 3600.0 + max(
    TZ_SHIFT_TOLERANCE_S, DUPLICATE_WINDOW_S, TRUNCATED_START_S
)


def duplicate_candidates(acts: pd.DataFrame) -> list[str]:
    """Paths of the activities :func:`find_duplicates` could pair with another:
    one starting within :data:`DUPLICATE_REACH_S`, or the same content. Only
    their order (``channels``) can change its answer."""
    paths = acts["path"].tolist()
    starts = pd_numeric(acts["start_s"])
    order = np.argsort(starts, kind="stable")
    s = starts[order]
    gap = np.diff(s) <= DUPLICATE_REACH_S + 1.0  # a second of slack for rounding
    near = np.zeros(len(s), bool)
    near[:-1] |= gap
    near[1:] |= gap
    near[~np.isfinite(s)] = True  # an unknown start: ask
    mask = np.zeros(len(paths), bool)
    mask[order] = near
    mask |= acts["content_sha256"].duplicated(keep=False).to_numpy()
    return [p for p, m in zip(paths, mask) if m]


def _f(v) -> float | None:
    return None if v is None or not np.isfinite(v) else float(v)


def fragment_mask(runs: pd.DataFrame, config=None) -> np.ndarray:
    """Runs below the minimum: under ``[load] min_run_km`` and under ``min_run_min``.

    A 61-second, 113 m test recording or a damaged copy with 0 km is stored and
    listed, but is no run: it adds no load and is never "your longest run of the
    previous 30 days". An activity reaching either minimum counts (a 4-minute
    1.2 km stride session, a treadmill half hour without distance).
    """
    from ..config import LOAD_NUMBERS, Config

    load = (config or Config()).load
    km = float(load.get("min_run_km", LOAD_NUMBERS["min_run_km"][0]))
    mins = float(load.get("min_run_min", LOAD_NUMBERS["min_run_min"][0]))
    n = len(runs)

    def col(name: str) -> np.ndarray:
        if name not in runs:
            return np.full(n, np.nan)
        return pd_numeric(runs[name])

    dist = col("distance_m")
    dur = col("timer_s")
    for alt in ("elapsed_s", "moving_s"):
        dur = np.where(np.isfinite(dur), dur, col(alt))
    # What is not known does not make a fragment on its own (a table without
    # durations is judged on distance; one without either counts).
    short = ~(dist >= km * 1000.0)
    brief = ~(dur >= mins * 60.0)
    known = np.isfinite(dist) | np.isfinite(dur)
    return short & brief & known


def pd_numeric(s) -> np.ndarray:
    import pandas as pd

    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)


def merged_lines(df: pd.DataFrame, dup_mask: np.ndarray) -> list[str]:
    """One line naming the copies counted once and why (a shifted clock, a cut-off copy)."""
    import os

    if not dup_mask.any() or "duplicate_of" not in df:
        return []
    by_path = {p: i for i, p in enumerate(df["path"].tolist())}
    st = pd_numeric(df["start_s"])
    dist = pd_numeric(df["distance_m"]) if "distance_m" in df else np.full(len(df), np.nan)
    parts = []
    for i in np.flatnonzero(dup_mask):  # one step per duplicate, not per sample
        k = by_path.get(df["duplicate_of"].iloc[i])
        name = os.path.basename(str(df["path"].iloc[i]))
        if k is None:
            continue
        kept = os.path.basename(str(df["path"].iloc[k]))
        shift = st[i] - st[k]
        if abs(shift) >= 3600 - TZ_SHIFT_TOLERANCE_S:
            why = f"every time shifted {shift / 3600:+.0f} h"
        elif np.isfinite(dist[i]) and np.isfinite(dist[k]) and not _same_distance(dist[i], dist[k]):
            why = f"a cut-off copy, {dist[i] / 1000:.1f} of {dist[k] / 1000:.1f} km"
        else:
            why = "the same run"
        parts.append(f"{name} = {kept} ({why})")
    more = f" and {len(parts) - 5} more" if len(parts) > 5 else ""
    return [
        f"{len(parts)} cop{'y' if len(parts) == 1 else 'ies'} counted once, the richest kept: "
        + "; ".join(parts[:5])
        + more
    ] if parts else []


def _drop_fragments(runs: pd.DataFrame, config, assumptions: list[str]):
    """Leave runs below the minimum out of the load, with one line naming them."""
    import os

    if not len(runs):
        return runs, 0
    frag = fragment_mask(runs, config)
    if not frag.any():
        return runs, 0
    from ..config import LOAD_NUMBERS, Config

    load = (config or Config()).load
    km = float(load.get("min_run_km", LOAD_NUMBERS["min_run_km"][0]))
    mins = float(load.get("min_run_min", LOAD_NUMBERS["min_run_min"][0]))
    names = [os.path.basename(str(p)) for p in runs["path"][frag]]
    more = f" and {len(names) - 5} more" if len(names) > 5 else ""
    assumptions.append(
        f"{int(frag.sum())} activit{'y' if frag.sum() == 1 else 'ies'} under {km:g} km and "
        f"{mins:g} min stored but not counted as runs (no load, never a spike reference; "
        f"[load] min_run_km, min_run_min): " + ", ".join(names[:5]) + more
    )
    return runs[~frag], int(frag.sum())


def _nosport_line(n: int) -> str:
    return f"{n} activities name no sport (e.g. GPX without <type>): counted as runs"


def _coords_line(k: int, n: int) -> str:
    return (
        f"{k} of {n} runs do not say their time zone: their day and week use the zone at "
        "their first GPS fix"
    )


def _tz_from_coordinates(warnings) -> bool:
    from ..tz import TZ_FROM_COORDINATES

    return any(str(w).startswith(TZ_FROM_COORDINATES) for w in (warnings or []))


@dataclass
class HistoryTables:
    """A runner's history, ready to print: the tables :func:`build_history`
    derives from a store (what :class:`runlens.History` reads from).

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
    #: What :func:`refresh_derived_added` needs to add a run without a rebuild
    #: (:func:`_derived_facts`); empty unless built by :func:`refresh_derived`.
    facts: dict[str, Any] = field(default_factory=dict)


def build_history(
    source: Store | pd.DataFrame,
    config: Config | None = None,
    *,
    week_start: str | None = None,
    load_unit: str | None = None,
    include_undated: bool = False,
    form: bool = True,
    derived_only: bool = False,
) -> HistoryTables:
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
    form : bool
        Also read a store's steady form minutes (``HistoryTables.form``, for charts).
    derived_only : bool
        Only what :func:`refresh_derived` stores: no weekly table (``weeks``
        holds one row per week, its first day, and nothing else) and no volume
        findings.
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
    assumptions += merged_lines(df, dup_mask)
    runs, n_fragments = _drop_fragments(runs, config, assumptions)
    n_nosport = int((sport.isna().to_numpy() & ~dup_mask).sum())
    if n_nosport:
        assumptions.append(_nosport_line(n_nosport))
    hists = list(runs["hr_hist"]) if "hr_hist" in runs else []
    profiles = list(runs["profile"]) if "profile" in runs else []
    hr = resolve_hr_profile(config.runner, profiles, hists)
    assumptions += hr.assumptions
    acts = activity_loads(runs, hr) if len(runs) else runs.assign(local_date=pd.NaT)
    if len(acts) and "warnings" in acts:
        coords = np.array(
            [_tz_from_coordinates(w) for w in acts["warnings"]], dtype=bool
        )  # one check per run, not per sample
        if coords.any():
            acts.loc[coords, "offset_source"] = "coordinates"
            assumptions.append(_coords_line(int(coords.sum()), len(acts)))
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
        assumptions.append(TRIMP_ZERO_LINE)
    daily = daily_series(acts) if len(acts) else daily_series(acts.iloc[:0])
    col, scale, _ = LOAD_UNITS[unit]
    daily["load"] = daily[col] * scale
    indicators = (
        training_load(daily, "load", min_chronic=CHRONIC_FLOOR_PER_WEEK[unit] / 7.0)
        if len(daily)
        else daily.assign(acwr=np.nan, history_days=np.nan)
    )
    if derived_only:  # the weeks are only counted (weekly_table: one row per week of daily)
        from ..load import week_of

        weeks = (
            pd.DataFrame({"week": week_of(daily.index, ws).unique()}) if len(daily)
            else pd.DataFrame()
        )
        findings = []
    else:
        weeks = weekly_table(acts, daily, indicators, ws) if len(daily) else pd.DataFrame()
        findings = (
            evaluate_volume(acts, weeks, indicators, week_start=ws, config=config, load_unit=unit)
            if len(acts)
            else []
        )
    return HistoryTables(
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
            "fragments": n_fragments,
        },
        week_start=ws,
        load_unit=unit,
        form=None
        if isinstance(source, pd.DataFrame) or not form
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
    from ..store.db import SCHEMA_VERSION

    c = config or Config()
    doc = {
        "runlens": __version__,
        "schema": SCHEMA_VERSION,
        "runner": asdict(c.runner),
        "rules": c.rules,
        "load": c.load,
        "baseline": getattr(c, "baseline", {}),  # the window judging uses
    }
    return json.dumps(doc, sort_keys=True, default=str)


#: Stored columns the derived tables are computed from (build_history's frame).
_DERIVED_COLUMNS = (
    "content_sha256", "format", "sport", "start_s", "utc_offset_s", "distance_m", "moving_s",
    "elapsed_s", "timer_s", "hr_hist", "profile", "warnings",
)


def refresh_derived(store: Store, config: Config | None = None) -> HistoryTables:
    """Recompute what is derived from all stored activities, in one transaction.

    Sets ``duplicate_of``, ``spike_ratio`` and ``longest_prev30_m`` of every
    activity, rebuilds ``daily_load`` and stores the load assumptions in
    ``meta``, and the counts a scan reports with the settings' fingerprint
    (:func:`derived_fingerprint`) under ``meta`` ``derived_state``.
    Idempotent: running it twice changes nothing.
    """
    with store.transaction():
        # One read of the columns the load needs (as a cohort runner's frame).
        base = store.activities_frame(columns=_DERIVED_COLUMNS)
        # The copies' richness orders only runs that can be copies of another:
        # read it for those alone (a runner's history has few).
        near = duplicate_candidates(base)
        base["channels"] = base["path"].map(store.channel_counts(near)).fillna(0)
        dups = find_duplicates(base)
        store.set_duplicates(dups)
        base["duplicate_of"] = [dups.get(p) for p in base["path"]]
        hist = build_history(base.drop(columns="channels"), config, form=False, derived_only=True)
        a = hist.acts
        spikes = []
        if len(a):
            spikes = [
                (
                    None if not np.isfinite(r) else float(r),
                    None if not np.isfinite(L) else float(L),
                    p,
                )
                for r, L, p in zip(a["spike_ratio"], a["longest_prev30_m"], a["path"])
            ]
        d = hist.daily
        daily = []
        if len(d):
            daily = [
                (day.date().isoformat(), float(dm), float(ms), float(tr), int(n))
                for day, dm, ms, tr, n in zip(
                    d.index, d["distance_m"], d["moving_s"], d["trimp"], d["runs"]
                )
            ]
        hist.facts = _derived_facts(base, hist)
        store.set_derived(spikes, daily, hist.assumptions, derived_state(hist, config))
    return hist


def derived_state(hist: HistoryTables, config: Config | None = None) -> dict[str, Any]:
    """What a scan reports of the derived tables, with the settings' fingerprint."""
    out = {
        "fingerprint": derived_fingerprint(config),
        "runs": int(hist.counts["runs"]),
        "duplicates": int(hist.counts["duplicates"]),
        "weeks": len(hist.weeks),
        "assumptions": list(hist.assumptions),
    }
    if hist.facts:
        out["facts"] = hist.facts
    return out


def _profile_keys() -> tuple[str, ...]:
    return ("sex", "resting_hr_bpm", "max_hr_bpm")


def _derived_facts(base: pd.DataFrame, hist: HistoryTables) -> dict[str, Any]:
    """The inputs of the derived tables that depend on every stored run, in brief:
    enough for :func:`refresh_derived_added` to tell whether a new run changes
    them (the HR profile for TRIMP, the time zones borrowed, the counts in the
    load assumptions) without reading the other runs again."""
    import pandas as pd

    from ..load import _observed_max

    acts = hist.acts
    n = len(acts)
    files: dict[str, Any] = {}
    if n and "profile" in acts:
        for prof in acts["profile"]:  # in start order: the latest non-empty value wins
            for k in _profile_keys():
                v = (prof or {}).get(k)
                if v not in (None, ""):
                    files[k] = v
    observed = _observed_max(list(acts["hr_hist"])) if n and "hr_hist" in acts else None
    dup = base["duplicate_of"].notna().to_numpy()
    sport = base["sport"]
    running = sport.isna().to_numpy() | (sport == "running").to_numpy()
    hi = pd.Timestamp.now(tz="UTC").timestamp() + FUTURE_MARGIN_DAYS * 86400.0
    future = int(((base["start_s"].to_numpy(float) > hi) & ~dup & running).sum())
    hr = hist.hr
    return {
        "activities": int(len(base)),
        "hr": {
            "rest": hr.rest_bpm, "max": hr.max_bpm, "sex": hr.sex,
            "assumptions": list(hr.assumptions), "files": files, "observed": observed,
        },
        "coords": int(sum(_tz_from_coordinates(w) for w in acts["warnings"]))
        if n and "warnings" in acts else 0,
        "tz_unknown": int((~acts["offset_known"].to_numpy(bool)).sum()) if n else 0,
        "nosport": int((sport.isna().to_numpy() & ~dup).sum()),
        "future": future,
    }


def _may_pair(a: float, b: float) -> bool:
    """Whether two starts (Unix s) are close enough for :func:`find_duplicates` to
    take the activities for copies of one another (by time alone: conservative)."""
    d = abs(a - b)
    if d <= max(DUPLICATE_WINDOW_S, TRUNCATED_START_S) + 1.0:
        return True
    h = round(d / 3600.0)
    return 1 <= h <= TZ_SHIFT_MAX_H and abs(d - h * 3600.0) <= TZ_SHIFT_TOLERANCE_S + 1.0


def refresh_derived_added(
    store: Store, config: Config | None, added: list[str], prev: Any
) -> dict[str, Any] | None:
    """Update the derived tables for runs added after every stored one, without a rebuild.

    ``added``: the keys of the activities a scan stored in new files (nothing else
    changed); ``prev``: the derived state (:data:`~runlens.store.db.DERIVED_STATE_KEY`)
    before the scan. Only the new runs' session spike, their days of the daily
    load and the counts in the load assumptions are written, from the new rows
    and the runs of the 30 days before them. Cheap checks first: when a new run
    could change what other runs are derived from (it is a copy of a stored run
    or starts near one, starts before the last stored run, brings a new HR
    profile for TRIMP, needs a time zone borrowed, is a fragment, dated
    implausibly, or adds an assumption line of its own), None is returned and
    the caller rebuilds with :func:`refresh_derived`, which gives the same tables
    (tests/history/test_add_run.py).

    Returns
    -------
    dict or None
        The new derived state (stored), or None (nothing written).
    """
    import datetime as dt
    import math
    import time

    from ..config import Config
    from ..load import HRMAX_HOLD_S, _observed_max, banister_trimp, spike_ratios

    if not added or not isinstance(prev, dict) or prev.get("judged") is not True:
        return None
    facts = prev.get("facts")
    if not isinstance(facts, dict) or prev.get("fingerprint") != derived_fingerprint(config):
        return None
    if facts["tz_unknown"] or facts["future"]:
        return None  # borrowed zones, or a run turning plausible with time: rebuild
    if store.count("activities") != facts["activities"] + len(added):
        return None  # something else changed meanwhile (another scan, a merge)
    config = config or Config()
    ws = (config.load.get("week_start") or "monday").lower()
    new = store.activity_rows(_DERIVED_COLUMNS, paths=added)
    if len(new) != len(added):
        return None
    starts = [float(r["start_s"]) for r in new]  # in start order
    # After every stored activity, far from one another, of distinct content.
    last = store.last_start(exclude=added)
    if last is not None and not (starts[0] > last and not _may_pair(starts[0], last)):
        return None
    if any(_may_pair(a, b) for a, b in zip(starts[:-1], starts[1:])):
        return None
    shas = [r["content_sha256"] for r in new]
    if len(set(shas)) < len(shas) or store.has_content(shas, exclude=added):
        return None
    span = store.daily_span()
    if span is None:
        return None
    first_day, last_day = (dt.date.fromisoformat(d) for d in span)
    lo = dt.datetime(int(EARLIEST_PLAUSIBLE[:4]), 1, 1, tzinfo=dt.timezone.utc).timestamp()
    hi = time.time() + FUTURE_MARGIN_DAYS * 86400.0
    if starts[0] < lo or starts[-1] > hi:
        return None
    km, mins = _fragment_limits(config)
    facts = json_copy(facts)
    hr_f = facts["hr"]
    assumptions = list(prev["assumptions"])
    runs, spikes, daily = int(prev["runs"]), [], {}

    def replace_line(old: str, new_line: str) -> bool:
        if old not in assumptions:
            return False
        assumptions[assumptions.index(old)] = new_line
        return True

    for row in new:  # one step per new run (most scans: one)
        sport, s = row["sport"], float(row["start_s"])
        if sport is not None and sport != "running":
            continue  # another sport: no load, no assumption
        if _is_fragment(row, km, mins):
            return None
        off = row["utc_offset_s"]
        if off is None:
            return None  # its zone borrowed from the nearest run: rebuild
        if sport is None:
            k = facts["nosport"]
            if not k or not replace_line(_nosport_line(k), _nosport_line(k + 1)):
                return None
            facts["nosport"] = k + 1
        k = facts["coords"]
        k1 = k + _tz_from_coordinates(row["warnings"])
        if k1 and not k:  # the first such run: its line goes where build_history puts it
            at = assumptions.index(TRIMP_ZERO_LINE) if TRIMP_ZERO_LINE in assumptions else None
            assumptions.insert(len(assumptions) if at is None else at, _coords_line(k1, runs + 1))
        elif k1 and not replace_line(_coords_line(k, runs), _coords_line(k1, runs + 1)):
            return None
        facts["coords"] = k1
        # The HR profile for TRIMP, with this run the latest: the same, or rebuild.
        prof, hist = row["profile"] or {}, row["hr_hist"]
        held = [] if hr_f["observed"] is None else [
            {"bpm": [hr_f["observed"]], "s": [HRMAX_HOLD_S]}
        ]
        try:
            hr = resolve_hr_profile(config.runner, [hr_f["files"], prof], [*held, hist])
        except ValueError:
            return None
        if [hr.rest_bpm, hr.max_bpm, hr.sex, list(hr.assumptions)] != [
            hr_f["rest"], hr_f["max"], hr_f["sex"], hr_f["assumptions"]
        ]:
            return None
        for key in _profile_keys():
            if prof.get(key) not in (None, ""):
                hr_f["files"][key] = prof[key]
        seen = _observed_max([hist]) if hist else None
        if seen is not None and (hr_f["observed"] is None or seen > hr_f["observed"]):
            hr_f["observed"] = seen
        trimp = math.nan
        if hr.max_bpm is not None and hist:
            t = banister_trimp(hist, hr.rest_bpm, hr.max_bpm, hr.sex)
            trimp = math.nan if t is None else float(t)
        if unit_is_trimp(config) and math.isnan(trimp) and TRIMP_ZERO_LINE not in assumptions:
            return None
        # Its session spike: against the counted runs of the 30 days before it.
        d = _f(row["distance_m"])
        before = [
            b for b in store.activity_rows(
                ("start_s", "distance_m", "elapsed_s", "timer_s", "moving_s"),
                starts=(s - 31 * 86400.0, s), counted=True,
            )
            if b["start_s"] >= lo and not _is_fragment(b, km, mins)
        ]
        ratio, longest = spike_ratios(
            [b["start_s"] for b in before] + [s],
            [np.nan if b["distance_m"] is None else b["distance_m"] for b in before]
            + [np.nan if d is None else d],
        )
        spikes.append((_f(ratio[-1]), _f(longest[-1]), row["path"]))
        # Its day of the daily load (rest days up to it, when it is a new last day).
        day = dt.date(1970, 1, 1) + dt.timedelta(days=math.floor((s + float(off)) / 86400.0))
        if day < first_day:
            return None
        if day > last_day:
            for k in range((day - last_day).days - 1):
                daily[last_day + dt.timedelta(days=k + 1)] = [0.0, 0.0, 0.0, 0]
            daily[day] = [0.0, 0.0, 0.0, 0]
            last_day = day
        elif day not in daily:
            got = store.daily_row(day.isoformat())
            if got is None:
                return None
            daily[day] = list(got)
        cur = daily[day]
        if cur[3] >= 2:
            return None  # pandas sums a day of 3+ runs compensated: rebuild it so
        mv = _f(row["moving_s"])
        cur[0] += 0.0 if d is None else d
        cur[1] += 0.0 if mv is None else mv
        cur[2] += 0.0 if math.isnan(trimp) else trimp
        cur[3] += 1
        runs += 1
    facts["activities"] += len(added)
    w0 = WEEKDAYS.index(ws)
    weeks = [x - dt.timedelta(days=(x.weekday() - w0) % 7) for x in (first_day, last_day)]
    state = {
        "fingerprint": prev["fingerprint"],
        "runs": runs,
        "duplicates": int(prev["duplicates"]),
        "weeks": (weeks[1] - weeks[0]).days // 7 + 1,
        "assumptions": assumptions,
        "facts": facts,
    }
    with store.transaction():
        store.set_derived_added(
            spikes,
            [(k.isoformat(), float(v[0]), float(v[1]), float(v[2]), int(v[3]))
             for k, v in sorted(daily.items())],
            assumptions,
            state,
        )
    return state


def _fragment_limits(config: Config) -> tuple[float, float]:
    from ..config import LOAD_NUMBERS

    load = config.load
    return (
        float(load.get("min_run_km", LOAD_NUMBERS["min_run_km"][0])),
        float(load.get("min_run_min", LOAD_NUMBERS["min_run_min"][0])),
    )


def _is_fragment(row: dict, km: float, mins: float) -> bool:
    """:func:`fragment_mask` of one stored row (a dict)."""

    def num(k):
        v = row.get(k)
        return np.nan if v is None else float(v)

    dist, dur = num("distance_m"), num("timer_s")
    for alt in ("elapsed_s", "moving_s"):
        dur = dur if np.isfinite(dur) else num(alt)
    known = np.isfinite(dist) or np.isfinite(dur)
    return bool(not (dist >= km * 1000.0) and not (dur >= mins * 60.0) and known)


#: The assumption line of a TRIMP load with runs that lack heart rate.
TRIMP_ZERO_LINE = "load unit is TRIMP: runs without heart rate add 0 load (choose distance instead)"


def unit_is_trimp(config: Config) -> bool:
    return (config.load.get("unit") or "distance").lower() == "trimp"


def json_copy(v: Any) -> Any:
    import json

    return json.loads(json.dumps(v))


def run_form_flags(
    history: HistoryTables, severities: tuple[str, ...] = ("flag", "note")
) -> list[dict]:
    """Each counted run with its stored form findings, in time order.

    Parameters
    ----------
    history : HistoryTables
    severities : tuple of str
        Which findings are listed (default: flags and notes, the form
        findings; since the severity policy of issue 25 most form patterns
        are notes).

    Returns
    -------
    list of dict
        ``path``, ``start_utc``, ``local_date`` (ISO date), ``week`` (ISO date
        of the week's first day), ``distance_m``, ``flags`` (rule names, in
        the order found), ``findings`` (the stored finding dicts of those
        severities, each with ``activity`` set to the path).
    """
    import math

    from ..load import week_of

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
    """(runs with at least one form finding, form findings: flags and notes) of counted runs."""
    if acts is None or not len(acts) or "findings" not in acts:
        return 0, 0
    per_run = [
        sum(f.get("severity") in ("flag", "note") for f in fs or []) for fs in acts["findings"]
    ]
    return sum(n > 0 for n in per_run), sum(per_run)
