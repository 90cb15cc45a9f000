"""The cohort, week by week: one row per runner, one column per week.

Each runner's history is built on its own (duplicates, HR profile for TRIMP,
load, volume findings) with :func:`runlens.history.analysis.build_history`,
which uses :mod:`runlens.load` and :mod:`runlens.rules.volume`; weeks are
calendar weeks (the same ``week_start`` for everyone) so the columns line up
across runners. A week before a runner's first run or after the last is
empty (not 0): it is outside that runner's history.

Definitions and sources are the single-runner ones (docs/history.md,
docs/evidence.md section 4); flags are associations from observational
studies, not diagnoses.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import RunlensError

if TYPE_CHECKING:
    import pandas as pd

    from ..config import Config

__all__ = [
    "CohortWeekly",
    "cohort_weekly",
    "frame_from_dataset",
    "frame_from_store",
    "cohort_dict",
    "format_text",
    "write_csv",
]

#: Columns the cohort table needs from a dataset or a store.
NEEDED = (
    "path",
    "content_sha256",
    "format",
    "sport",
    "start_s",
    "utc_offset_s",
    "distance_m",
    "moving_s",
    "hr_hist_json",
    "profile_json",
    "findings_json",
)
#: Per-runner count columns, in order (text, CSV and JSON).
COUNT_COLUMNS = (
    "runs",
    "duplicates",
    "other_sports",
    "flagged_sessions",
    "spike_flagged",
    "form_flagged",
    "form_noted",
    "weekly_notes",
    "acwr_notes",
)


@dataclass
class CohortWeekly:
    """A cohort's weekly table and per-runner counts.

    Attributes
    ----------
    source : str
        The dataset folder or store file read.
    week_start, load_unit : str
        ``load_unit`` is ``distance`` (km), ``moving_time`` (min) or ``trimp``.
    table : pandas.DataFrame
        Index runner ids (sorted), columns week starts (Timestamp), values the
        week's load in ``load_unit``; NaN outside the runner's history.
    counts : pandas.DataFrame
        Index runner ids; :data:`COUNT_COLUMNS`: counted runs, duplicates,
        other sports, sessions with at least one flag (form or volume; counted
        runs only), of which session-spike flags and form flags; runs with form
        notes and no form flag; weekly-increase notes (never flags since
        Frandsen et al. 2025), acute:chronic notes.
    findings : dict of str to list of dict
        Volume findings of each runner (Finding dicts).
    assumptions : dict of str to list of str
    hr_profiles : dict of str to dict
    """

    source: str
    week_start: str
    load_unit: str
    table: Any
    counts: Any
    findings: dict[str, list[dict]] = field(default_factory=dict)
    assumptions: dict[str, list[str]] = field(default_factory=dict)
    hr_profiles: dict[str, dict] = field(default_factory=dict)


def frame_from_dataset(out: str | os.PathLike[str]) -> pd.DataFrame:
    """The activities of a cohort dataset, with the columns the table needs."""
    from .dataset import read_dataset

    return read_dataset(out, columns=list(NEEDED))


def frame_from_store(db: str | os.PathLike[str]) -> pd.DataFrame:
    """The activities of a store, each with its runner.

    Runners come from the cohort scan that wrote the store (its runner rules
    are kept in the store's ``meta``); a store written by the local scan of a
    single folder is read with one runner per first-level subfolder.
    Activities outside the cohort folder, or of no runner, are left out.

    Raises
    ------
    RunlensError
        No store, or a store of several scanned folders without cohort rules.
    """
    from ..store.db import Store
    from .runners import RunnerMap

    with Store(db, create=False) as store:
        meta = store.meta("cohort")
        if meta:
            root, rmap = meta["root"], RunnerMap.from_dict(meta.get("runners_map"))
        else:
            roots = store.root_paths()
            if len(roots) != 1:
                raise RunlensError(
                    f"this store holds {len(roots)} scanned folders and no cohort: scan the "
                    "cohort folder with `runlens scan DIR --engine dask --db PATH`",
                    path=str(db),
                )
            root, rmap = roots[0], RunnerMap()
        cols = tuple(c[:-5] if c.endswith("_json") else c for c in NEEDED if c != "path")
        df = store.activities_frame(columns=cols)
    for c in ("hr_hist", "profile", "findings"):
        df[f"{c}_json"] = [json.dumps(v) for v in df.pop(c)]
    runner = []
    for p in df["path"]:
        try:
            rel = Path(p).relative_to(root).as_posix()
        except ValueError:
            runner.append(None)
            continue
        runner.append(rmap.runner_of(rel))
    df["runner"] = runner
    return df[df["runner"].notna()].reset_index(drop=True)


def _loads(v: Any) -> Any:
    return json.loads(v) if isinstance(v, str) else v


def cohort_weekly(
    frame: pd.DataFrame,
    config: Config | None = None,
    *,
    week_start: str | None = None,
    load_unit: str | None = None,
    source: str = "",
) -> CohortWeekly:
    """Build every runner's history and line their weeks up.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per activity: ``runner`` and :data:`NEEDED` (JSON columns as
        strings), e.g. from :func:`frame_from_dataset` or :func:`frame_from_store`.
    config : Config, optional
        ``[load]`` and ``[rules.*]``; ``[runner]`` is left out (it describes
        one person): each runner's files give their heart-rate profile.
    week_start, load_unit : str, optional
        Override the config.
    source : str
        Named in the output.

    Returns
    -------
    CohortWeekly

    Raises
    ------
    RunlensError
        No runs at all.
    """
    import pandas as pd

    from ..history.analysis import build_history, find_duplicates
    from .dataset import cohort_config

    cfg = cohort_config(config)
    if frame.empty:
        raise RunlensError("no activities stored for any runner", path=source or None)
    per_week: dict[str, pd.Series] = {}
    counts: dict[str, dict[str, int]] = {}
    out = CohortWeekly(
        source=source, week_start="monday", load_unit="distance", table=None, counts=None
    )
    for runner, sub in frame.groupby("runner", sort=True, observed=True):
        sub = sub.sort_values(["start_s", "path"], kind="stable").reset_index(drop=True)
        sub = sub.assign(
            hr_hist=[_loads(v) for v in sub["hr_hist_json"]],
            profile=[_loads(v) for v in sub["profile_json"]],
            start_s=sub["start_s"].astype(float),
            distance_m=sub["distance_m"].astype(float),
            moving_s=sub["moving_s"].astype(float),
        )
        sub["sport"] = sub["sport"].astype(object).where(sub["sport"].notna(), None)
        # duplicates are looked for within one runner only: two runners' group
        # run is two sessions
        dups = find_duplicates(sub)
        sub["duplicate_of"] = [dups.get(p) for p in sub["path"]]
        h = build_history(sub, cfg, week_start=week_start, load_unit=load_unit)
        out.week_start, out.load_unit = h.week_start, h.load_unit
        r = str(runner)
        if len(h.weeks):
            per_week[r] = pd.Series(h.weeks["load"].to_numpy(float), index=h.weeks["week"])
        counted = set(h.acts["path"]) if len(h.acts) else set()
        spiked = {f.activity for f in h.findings if f.activity and f.severity == "flag"}
        # form findings per counted run: flags, and notes on runs without a flag
        # (as the single-runner weekly table counts them)
        sevs = {
            p: {f.get("severity") for f in _loads(fj) or ()}
            for p, fj in zip(sub["path"], sub["findings_json"])
            if p in counted
        }
        formed = {p for p, s in sevs.items() if "flag" in s}
        noted = {p for p, s in sevs.items() if "note" in s and "flag" not in s}
        counts[r] = {
            "runs": h.counts["runs"],
            "duplicates": h.counts["duplicates"],
            "other_sports": h.counts["other_sports"],
            "flagged_sessions": len((spiked & counted) | formed),
            "spike_flagged": len(spiked & counted),
            "form_flagged": len(formed),
            "form_noted": len(noted),
            "weekly_notes": sum(
                f.rule == "weekly_increase" and f.severity in ("flag", "note") for f in h.findings
            ),
            "acwr_notes": sum(f.rule == "acute_chronic" for f in h.findings),
        }
        out.findings[r] = [f.to_dict() for f in h.findings]
        out.assumptions[r] = list(h.assumptions)
        out.hr_profiles[r] = {"rest_bpm": h.hr.rest_bpm, "max_bpm": h.hr.max_bpm, "sex": h.hr.sex}
    runners = sorted(counts)
    table = pd.DataFrame(per_week).T.reindex(runners)
    table = table.reindex(columns=sorted(table.columns))
    table.index.name, table.columns.name = "runner", "week"
    out.table = table
    out.counts = pd.DataFrame.from_dict(counts, orient="index").reindex(runners)[
        list(COUNT_COLUMNS)
    ]
    out.counts.index.name = "runner"
    return out


def cohort_dict(cw: CohortWeekly) -> dict[str, Any]:
    """The ``runlens weekly --cohort --json`` object (docs/cohort.md)."""
    from ..caveats import CAVEATS
    from ..history.analysis import LOAD_UNITS
    from ..load import finite_or_none

    weeks = [w.date().isoformat() for w in cw.table.columns]
    return {
        "source": cw.source,
        "week_start": cw.week_start,
        "load_unit": LOAD_UNITS[cw.load_unit][2],
        "weeks": weeks,
        "runners": [
            {
                "runner": r,
                **{c: int(cw.counts.at[r, c]) for c in COUNT_COLUMNS},
                "load": [finite_or_none(v) for v in cw.table.loc[r].to_numpy()],
                "hr_profile": cw.hr_profiles[r],
                "assumptions": cw.assumptions[r],
                "findings": cw.findings[r],
            }
            for r in cw.table.index
        ],
        "caveats": list(CAVEATS),
    }


def write_csv(cw: CohortWeekly, fh) -> None:
    """One line per runner: the counts, then one column per week (its load)."""
    import csv

    from ..load import finite_or_none

    w = csv.writer(fh, lineterminator="\n")
    w.writerow(["runner", *COUNT_COLUMNS, *(d.date().isoformat() for d in cw.table.columns)])
    for r in cw.table.index:
        load = [finite_or_none(v) for v in cw.table.loc[r].to_numpy()]
        w.writerow(
            [r, *(int(cw.counts.at[r, c]) for c in COUNT_COLUMNS)]
            + ["" if v is None else round(v, 3) for v in load]
        )


def format_text(cw: CohortWeekly, last_weeks: int = 8) -> str:
    """A terminal table: runners x the last ``last_weeks`` weeks, then the counts."""
    from ..caveats import CAVEATS
    from ..history.analysis import LOAD_UNITS

    unit = LOAD_UNITS[cw.load_unit][2]
    cols = list(cw.table.columns)[-last_weeks:]
    width = max([6, *(len(r) for r in cw.table.index)])
    lines = [
        f"Cohort: {len(cw.table.index)} runners, {len(cw.table.columns)} weeks "
        f"(weeks start on {cw.week_start}); load in {unit} per week"
        + (
            f", the last {len(cols)} weeks shown (--csv or --json for all)"
            if len(cols) < len(cw.table.columns)
            else ""
        ),
        "",
        f"{'runner':<{width}} "
        + " ".join(f"{c.strftime('%m-%d'):>6}" for c in cols)
        + f" {'runs':>5} {'flagged':>7} {'spike':>5} {'form':>5} {'noted':>5} {'wk>30%':>6}",
    ]
    for r in cw.table.index:
        vals = [cw.table.at[r, c] for c in cols]
        cells = " ".join(f"{'':>6}" if not math.isfinite(v) else f"{v:>6.1f}" for v in vals)
        n = cw.counts.loc[r]
        lines.append(
            f"{r:<{width}} {cells} {int(n['runs']):>5} {int(n['flagged_sessions']):>7} "
            f"{int(n['spike_flagged']):>5} {int(n['form_flagged']):>5} {int(n['form_noted']):>5} "
            f"{int(n['weekly_notes']):>6}"
        )
    lines += [
        "",
        "flagged = runs with at least one flag (spike: a session much longer than the runner's "
        "longest of the previous 30 days, Frandsen et al. 2025; form: a form rule's flag); "
        "noted = runs with a form note and no form flag; wk>30% = weeks noted for an "
        "increase over 30 % (a note: Frandsen et al. 2025 found no association with injury "
        "for week-to-week change). "
        "Empty cells are outside the runner's history.",
    ]
    n_assumed = sum(bool(a) for a in cw.assumptions.values())
    if n_assumed:
        lines.append(
            f"{n_assumed} runners' load rests on assumptions (e.g. TRIMP heart-rate profile, "
            "UTC days); --json lists them per runner."
        )
    lines.append("")
    lines.extend(f"Note: {c}" for c in CAVEATS)
    return "\n".join(lines)
