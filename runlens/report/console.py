"""What the commands print: each command's result as the lines a runner reads.

The commands (runlens/cli) parse their options, call :func:`runlens.analyze`
or :class:`runlens.History`, and print what this module (or
:mod:`runlens.report.text`, :mod:`runlens.report.analysis`,
:mod:`runlens.report.pain_text`) makes of the result. JSON and CSV are
written from the same results: dicts appear only there, at the output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

from ..units import plural

if TYPE_CHECKING:
    import pandas as pd

    from ..baseline import PersonalBaseline

__all__ = [
    "RECENT_WEEKS",
    "DEFAULT_WEEKS",
    "BaselineView",
    "baseline_dict",
    "baseline_text",
    "merged_lines",
    "gone_line",
    "scan_lines",
    "select_weeks",
    "write_weekly_csv",
    "runs_json",
    "write_runs_csv",
    "pain_line",
    "pain_list_lines",
    "chart_written",
    "report_written",
    "site_written",
    "error_text",
]

#: Weeks a chart or report opens on when no dates are given: the recent history,
#: not every week since the first file (an old file can be years older).
RECENT_WEEKS = 52

#: Weeks ``runlens weekly`` shows as text without --all, --from, --to or --last.
DEFAULT_WEEKS = 12


# ------------------------------------------------------------------------ the store
def merged_lines(merged: list[dict], db) -> list[str]:
    """One line per old per-folder store merged into the runner's store (or not)."""
    out = []
    ok = [m for m in merged if "error" not in m]
    if ok:
        runs = sum(m.get("activities", 0) for m in ok)
        diary = sum(m.get("pain_entries", 0) for m in ok)
        out.append(
            f"merged {plural(len(ok), 'per-folder store')} of an older runlens into "
            f"your history {db}: {plural(runs, 'activity', 'activities')}, "
            f"{plural(diary, 'diary entry', 'diary entries')} (the old files are left as "
            "they were; docs/history.md)"
        )
    out += [f"{m['path']}: not merged: {m['error']}" for m in merged if "error" in m]
    return out


def gone_line(gone: list[dict]) -> str | None:
    """The one line about sources no longer on disk whose runs are kept (or None)."""
    if not gone:
        return None
    runs = sum(g["runs"] for g in gone)
    names = ", ".join(g["path"] for g in gone[:3]) + (", ..." if len(gone) > 3 else "")
    return (
        f"Kept {plural(runs, 'activity', 'activities')} of "
        f"{plural(len(gone), 'source')} no longer on disk ({names}): renamed or moved? "
        "Scan the new place and they are re-linked, not read again."
    )


def scan_lines(rep) -> tuple[str, list[str]]:
    """``runlens scan``'s text: (its first line, the lines after it)."""
    from ..io.names import shown

    head = (
        f"Scanned {rep.root}: {plural(rep.found, 'activity file')} in {rep.seconds:.1f} s "
        f"({rep.read} read, {rep.not_read} unchanged and not read"
        + (f", {rep.same_content} touched but identical" if rep.same_content else "")
        + (f", {rep.moved} of them moved here and re-linked" if rep.moved else "")
        + (f", {rep.removed} gone and forgotten" if rep.removed else "")
        + ")"
    )
    out = [
        f"History {rep.db}: {plural(rep.activities, 'activity', 'activities')}"
        + (f" from {plural(rep.sources, 'source')}" if rep.sources > 1 else "")
        + ", "
        f"{plural(rep.runs, 'run')} counted over {plural(rep.weeks, 'week')}"
        + (f", {plural(rep.duplicates, 'duplicate')} counted once" if rep.duplicates else "")
    ]
    if rep.archives or rep.archives_unchanged:
        out.append(
            f"Archives: {rep.archives + rep.archives_unchanged} zips read in place"
            + (f" ({rep.archives_unchanged} unchanged and not opened)"
               if rep.archives_unchanged else "")
        )  # fmt: skip
    if rep.export_lists:
        out.append(
            f"Export lists: {rep.export_lists} read (Strava activities.csv, Garmin summaries); "
            f"{rep.hinted} activities took their sport or time zone from them"
        )
    if rep.left_out:
        kinds = ", ".join(f"{n} {k}" for k, n in rep.left_out.items())
        out.append(f"Left out {rep.ignored} files that are not activity files: {kinds}")
    if rep.form_rules == "evaluated" or rep.runs:
        out.append(
            f"Form: {rep.form_flags} of {plural(rep.runs, 'run')} with form findings, each judged "
            "against your own history before it (`runlens runs` lists them"
            + (f"; {rep.judged} judged in this scan" if rep.judged else "")
            + ")"
        )
    if rep.form_rules == "unavailable":
        out.append(
            "Form rules are not part of this runlens: activities stored without form findings."
        )
    if rep.unreadable:
        n = len(rep.unreadable)
        out.append(f"Could not read {plural(n, 'place')}; the runs stored from there are kept:")
        out += [f"  {shown(path)}: {reason}" for path, reason in rep.unreadable]
    if rep.problems:
        n = len(rep.problems)
        verb = "is not an activity and was" if n == 1 else "are not activities and were"
        out.append(f"{plural(n, 'file')} {verb} skipped:")
        out += [
            f"  {shown(path)}: {'no activity' if status == 'skipped' else 'bad'}: {shown(reason)}"
            for path, status, reason in rep.problems
        ]
    out += [f"Assumed: {a}" for a in rep.assumptions]
    gone = gone_line(rep.gone_sources)
    if gone:
        out.append(gone)
    return head, out


def error_text(exc: BaseException) -> str:
    """A library error as the one line (or lines) a command says, raw escapes shown."""
    from ..io.names import shown

    return "\n".join(shown(line) for line in str(exc).split("\n"))


# ------------------------------------------------------------------------- baseline
@dataclass
class BaselineView:
    """What ``runlens baseline`` shows: the baselines as of a day and what they rest on.

    Built by :meth:`runlens.History.baseline_view`.
    """

    baseline: PersonalBaseline
    store: str
    as_of_s: float
    #: How the window is said ("before this run", "before 2026-05-01", ...).
    before: str
    #: The overstriding rule's (note, flag) ratios of the expected step rate.
    ratios: tuple[float, float] = (0.95, 0.90)
    #: The steady minutes of the window the baselines were fitted on.
    minutes: pd.DataFrame | None = None
    #: Runs with an overstriding flag (drawn apart).
    flagged: set[str] = field(default_factory=set)

    def to_dict(self) -> dict[str, Any]:
        """The ``runlens baseline --json`` object."""
        return baseline_dict(self.baseline, self.minutes, self.store, self.as_of_s, self.before)

    def draw(self, path) -> None:
        """Step rate against speed with the line, its band and the judged runs."""
        from .charts.baseline import draw_baseline

        draw_baseline(
            self.minutes, self.baseline, self.flagged, path, ratio=self.ratios[0],
            before=self.before, flag_ratio=self.ratios[1],
        )  # fmt: skip

    def text(self, units: str = "metric") -> str:
        """The text of ``runlens baseline``."""
        from .vocab import localise, plain

        doc = self.to_dict()
        return plain(localise(baseline_text(self.baseline, doc, self.before, self.ratios), units))


#: Band metric -> (label, unit, format).
BAND_LABELS = {
    "ground_contact_ms": ("ground contact time", "ms", ".0f"),
    "vertical_oscillation_mm": ("vertical oscillation", "mm", ".1f"),
    "vertical_ratio_pct": ("vertical ratio", "%", ".2f"),
    "gct_balance_left_pct": ("contact balance (left)", "%", ".1f"),
}


def baseline_dict(pb, minutes, db: str, as_of_s: float, before: str = "before this run") -> dict:
    """The ``runlens baseline --json`` object."""
    from datetime import datetime, timezone

    doc = pb.to_dict()
    doc["store"] = db
    doc["as_of_utc"] = datetime.fromtimestamp(as_of_s, timezone.utc).isoformat()
    doc["basis"] = {m: pb.basis(m, before) for m in ("cadence_spm", *BAND_LABELS)}
    return doc


def baseline_text(
    pb, doc: dict, before: str = "before this run", ratios: tuple[float, float] = (0.95, 0.90)
) -> str:
    """The baselines as lines of text (metric units; :meth:`BaselineView.text` localises)."""
    from ..units import format_pace

    lines = [f"Baselines as of {doc['as_of_utc'][:10]} ({pb.window_days} days before it):"]
    cb = pb.cadence
    if cb is None:
        lines.append(f"  step rate: none, {pb.basis('cadence_spm', before)}")
    else:
        lo, hi = cb.speed_range_m_s
        lines.append(
            f"  step rate = {cb.intercept_spm:.1f} + {cb.slope_spm_per_m_s:.1f} x speed (m/s), "
            f"spread {cb.residual_sd_spm:.1f} steps/min, from {cb.n_samples} steady minutes of "
            f"{cb.n_activities} runs at {format_pace(hi)} to {format_pace(lo)}"
        )
        mid = (lo + hi) / 2
        lines.append(
            f"    e.g. {cb.expected_spm(mid):.0f} steps/min at {format_pace(mid)}; "
            f"overstriding is noted below {ratios[0]:.0%} of it "
            f"({ratios[0] * cb.expected_spm(mid):.0f}), flagged below {ratios[1]:.0%} "
            f"({ratios[1] * cb.expected_spm(mid):.0f}) with a strong baseline"
        )
    for metric, (label, unit, spec) in BAND_LABELS.items():
        b = pb.band(metric)
        if b is None:
            lines.append(f"  {label}: none, {pb.basis(metric, before)}")
            continue
        mid = sum(b.speed_range_m_s) / 2
        lines.append(
            f"  {label}: {format(b.expected(mid), spec)} {unit} at {format_pace(mid)} "
            f"({b.slope_per_m_s:+.2f} {unit} per m/s), spread {format(b.residual_sd, spec)} "
            f"{unit}, from {b.n_minutes} steady minutes of {b.n_activities} runs"
        )
    lines.append("")
    lines.append(
        "Each run is judged against the baseline of the runs before it (runlens evidence history)."
    )
    return "\n".join(lines)


# --------------------------------------------------------------------- weekly, runs
def select_weeks(weeks: list[dict], lo=None, hi=None, last: int | None = None) -> list[dict]:
    """The weeks shown: those holding a day from ``lo`` to ``hi``, then the last ``last``.

    Loads and ratios are computed over the whole history first, so a week's
    numbers do not depend on which weeks are shown.
    """
    import pandas as pd

    out = []
    for w in weeks:
        start = pd.Timestamp(w["week"])
        if lo is not None and start + pd.Timedelta(days=6) < lo:
            continue
        if hi is not None and start > hi:
            continue
        out.append(w)
    return out[-last:] if last else out


def write_weekly_csv(doc: dict, out: TextIO) -> None:
    """``runlens weekly --csv``: one row per week of ``doc["weeks"]``."""
    import csv

    from ..history.weekly import WEEK_COLUMNS

    w = csv.writer(out, lineterminator="\n")
    w.writerow([*WEEK_COLUMNS, "form_flag_runs", "form_note_runs", "findings"])
    for wk in doc["weeks"]:
        counts: dict[str, int] = {}
        for f in wk["findings"]:
            key = f"{f['rule']}:{f['severity']}"
            counts[key] = counts.get(key, 0) + 1
        w.writerow(
            [*("" if wk[c] is None else wk[c] for c in WEEK_COLUMNS)]
            + [wk["form_flag_runs"], wk.get("form_note_runs", 0)]
            + ["; ".join(k + (f" x{n}" if n > 1 else "") for k, n in counts.items())]
        )


def runs_json(rows: list[dict], counts: dict, db: str) -> dict:
    """The ``runlens runs --json`` object."""
    return {
        "store": db,
        "runs": rows,
        "flagged_runs": sum(bool(r["flags"]) for r in rows),
        "counts": counts,
    }


def write_runs_csv(rows: list[dict], out: TextIO) -> None:
    """``runlens runs --csv``: one row per run."""
    import csv

    w = csv.writer(out, lineterminator="\n")
    w.writerow(["local_date", "week", "path", "distance_m", "flags", "basis"])
    for r in rows:
        w.writerow(
            [
                r["local_date"],
                r["week"],
                r["path"],
                "" if r["distance_m"] is None else round(r["distance_m"], 1),
                ";".join(r["flags"]),
                "; ".join(f["evidence"].get("basis") or "" for f in r["findings"]),
            ]
        )


def runs_footer(counts: dict, gone: list[dict]) -> list[str]:
    """The lines after ``runlens runs``' table: duplicates, sources gone."""
    out = []
    if counts.get("duplicates"):
        out.append(
            f"{counts['duplicates']} more stored as another file of the same run (FIT, GPX, "
            "TCX from another source): counted once, the richest file kept."
        )
    gone_text = gone_line(gone)
    if gone_text:
        out.append(gone_text)
    return out


# ------------------------------------------------------------------------------ pain
def pain_line(e) -> str:
    """One diary entry as ``runlens pain list`` shows it."""
    return (
        f"{e.id:>5}  {e.date.isoformat()}  {e.severity:>2}/10  {e.location:<12} {e.note}".rstrip()
    )


def pain_list_lines(entries: list, filtered: bool = False) -> list[str]:
    """``runlens pain list``: a header and one line per entry (or that there are none)."""
    if not entries:
        return ["The pain diary is empty" + (" for these days." if filtered else ".")]
    return [f"{'id':>5}  {'date':<10}  {'pain':>5}  {'where':<12} note"] + [
        pain_line(e) for e in entries
    ]


def pain_import_line(path, rep) -> str:
    """What ``runlens pain import`` did."""
    return (
        f"Imported {path}: {rep.rows} rows from {rep.first} to {rep.last}; "
        f"{rep.added} added, {rep.already} already in the diary."
    )


# --------------------------------------------------------------------- files written
def _form_runs(data) -> int:
    from ..history.analysis import form_flag_count

    return form_flag_count(data.history.acts)[0]


def chart_written(res, data) -> str:
    """What ``runlens chart`` wrote (:func:`runlens.report.charts.draw_weekly`'s result)."""
    return (
        f"wrote {res.path}: {plural(len(res.weeks), 'week')}, "
        f"{len(res.flagged_weeks)} flagged, {len(res.noted_weeks)} noted; "
        f"{plural(_form_runs(data), 'run')} with form findings"
    )


def report_written(rep, data) -> str:
    """What ``runlens report`` wrote (:func:`runlens.report.pdf.write_report`'s result)."""
    return (
        f"wrote {rep.path}: {plural(rep.pages, 'page')} "
        f"({plural(len(rep.week_pages), 'week')}); {plural(_form_runs(data), 'run')} with "
        "form findings"
    )


def site_written(rep) -> str:
    """What ``runlens report --html`` wrote (a :class:`runlens.report.html.SiteReport`)."""
    return (
        f"wrote {rep.index} and {plural(len(rep.written), 'run page')} "
        f"({rep.kept} unchanged) for {plural(rep.runs, 'run')}; "
        f"{rep.size_bytes() / 1e6:.1f} MB in {rep.folder}"
    )
