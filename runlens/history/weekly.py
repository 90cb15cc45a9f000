"""The stored history week by week, as ``runlens weekly --json`` prints it (docs/history.md).

One function builds the weekly document from a store, so that the command and
:meth:`runlens.History.weekly` give the same numbers.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..config import Config
    from .analysis import HistoryTables

__all__ = ["WEEK_COLUMNS", "history_dict", "weekly_doc"]

#: Week columns of ``--json`` and ``--csv`` (docs/history.md).
WEEK_COLUMNS = (
    "week",
    "distance_m",
    "moving_s",
    "runs",
    "trimp",
    "load",
    "change_pct",
    "acwr",
    "acwr_max",
    "monotony",
    "strain",
    "ctl",
    "atl",
    "tsb",
    "history_days",
    "break_days",
)


def history_dict(h: HistoryTables, db: str) -> dict:
    """The ``--json`` object of a built history (docs/history.md)."""
    from ..caveats import CAVEATS
    from ..load import finite_or_none
    from .analysis import LOAD_UNITS, run_form_flags

    by_week: dict[str, list[dict]] = {}
    for f in h.findings:
        by_week.setdefault(f.evidence.values["week"], []).append(f.to_dict())
    flagged_runs: dict[str, int] = {}
    noted_runs: dict[str, int] = {}
    for r in run_form_flags(h):  # form findings of each run, in its week
        by_week.setdefault(r["week"], []).extend(r["findings"])
        sev = {f.get("severity") for f in r["findings"]}
        flagged_runs[r["week"]] = flagged_runs.get(r["week"], 0) + ("flag" in sev)
        noted_runs[r["week"]] = noted_runs.get(r["week"], 0) + (sev == {"note"})
    weeks = []
    for row in h.weeks.itertuples(index=False):  # one per week
        d = {c: finite_or_none(getattr(row, c)) for c in WEEK_COLUMNS if c != "week"}
        d = {"week": row.week.date().isoformat(), **d}
        d["form_flag_runs"] = flagged_runs.get(d["week"], 0)
        d["form_note_runs"] = noted_runs.get(d["week"], 0)  # notes and no flag
        d["findings"] = by_week.get(d["week"], [])
        weeks.append(d)
    from ..rules.volume import ACWR_CAVEAT

    rules_seen = {f.rule for f in h.findings}
    history_caveats = [ACWR_CAVEAT] if "acute_chronic" in rules_seen else []
    return {
        "store": db,
        "week_start": h.week_start,
        "load_unit": LOAD_UNITS[h.load_unit][2],
        "counts": h.counts,
        "hr_profile": {"rest_bpm": h.hr.rest_bpm, "max_bpm": h.hr.max_bpm, "sex": h.hr.sex},
        "assumptions": h.assumptions,
        "weeks": weeks,
        "caveats": list(CAVEATS),
        "history_caveats": history_caveats,
    }


def weekly_doc(
    db: str | os.PathLike[str],
    config: Config | None = None,
    *,
    week_start: str | None = None,
    load_unit: str | None = None,
    include_undated: bool = False,
) -> dict:
    """The weekly document of the store ``db``: every week, before any selection of weeks.

    Parameters
    ----------
    db : path
        An existing history store.
    config : Config, optional
        Runner profile, ``[load]`` and rule settings.
    week_start, load_unit : str, optional
        Override ``[load] week_start`` and ``[load] unit``.
    include_undated : bool
        Keep runs dated before 1991 (unset clock) or in the future in the load.

    Raises
    ------
    RunlensError
        No store at ``db`` (StoreError), or no runs stored in it.
    """
    from ..errors import RunlensError
    from ..store.db import Store
    from .analysis import build_history

    db = str(db)
    with Store(db, create=False) as store:
        h = build_history(
            store,
            config,
            week_start=week_start,
            load_unit=load_unit,
            include_undated=include_undated,
        )
    if h.weeks is None or len(h.weeks) == 0:
        raise RunlensError("no runs stored yet; run `runlens scan DIR` first", path=db)
    return history_dict(h, db)
