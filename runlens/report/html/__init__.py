"""A static site of the runner's history: ``runlens report --html -o DIR`` (docs/charts.md).

``index.html`` puts the verdict first (this week and the four before), then the
weekly load with its load ratio (acute:chronic), fitness / fatigue / form over the
whole history with the pain diary on the same timeline, a calendar of runs
coloured by their findings and a sortable, filterable table of every run.
``runs/*.html`` is one page per run: its summary beside the watch's own
numbers, the route drawn from its coordinates as SVG, pace, heart rate, step
rate, running dynamics and breathing on one time axis with each finding's
stretch shaded (a flag red, a note amber) beside its evidence, laps, splits
and time in zones.

Everything opens from the file system with no server and no network: the
charts use plotly.js, copied once from the plotly wheel into the folder.
The numbers come from the public API (:class:`runlens.History`,
:func:`runlens.analyze`). A rebuild rewrites the index and only the run pages
whose inputs changed (``.runlens-site.json`` keeps a key per page).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import RunlensError

__all__ = ["build_site", "SiteReport", "plotly_js_path"]

#: Changes whenever a page's layout changes, so that a rebuild rewrites every page.
SITE_VERSION = "2"
MANIFEST = ".runlens-site.json"
#: Write pages in worker processes from this many on.
PARALLEL_FROM = 12


@dataclass
class SiteReport:
    """What :func:`build_site` wrote."""

    folder: Path
    runs: int
    written: list[str] = field(default_factory=list)
    kept: int = 0
    removed: int = 0
    #: Why each page was written: "new", "changed" (its key), "missing" (file gone), "rebuild".
    why: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def index(self) -> Path:
        return self.folder / "index.html"

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.folder.rglob("*") if p.is_file())


def plotly_js_path() -> Path:
    """plotly.min.js inside the installed plotly package (not imported: only found)."""
    import importlib.util

    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise RunlensError(
            "the HTML report needs the plotly package for its charts: "
            "pip install 'runlens[html]'"
        )
    p = Path(list(spec.submodule_search_locations)[0]) / "package_data" / "plotly.min.js"
    if not p.is_file():
        raise RunlensError("plotly.min.js is missing from the plotly package", path=str(p))
    return p


def _out_folder(out: str | os.PathLike) -> Path:
    p = Path(out).expanduser()
    if p.exists() and not p.is_dir():
        raise RunlensError("is a file, not a folder: give a folder for the site", path=str(p))
    try:
        (p / "runs").mkdir(parents=True, exist_ok=True)
        probe = p / ".runlens-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise RunlensError(
            f"cannot write the site there ({exc.strerror or exc})", path=str(p)
        ) from None
    return p


def _slug(text: str) -> str:
    s = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return s[:40] or "run"


def _stem(path: str) -> str:
    name = re.split(r"[/\\!]", path)[-1]
    for ext in (".gz", ".fit", ".gpx", ".tcx", ".zip"):
        if name.lower().endswith(ext):
            name = name[: -len(ext)]
    for ext in (".fit", ".gpx", ".tcx"):
        if name.lower().endswith(ext):
            name = name[: -len(ext)]
    return name


def _plain_name(path: str, day: str) -> str:
    """A run without an exported name: its file name, less the date it starts with."""
    stem = _stem(path)
    for prefix in (day, day.replace("-", "")):
        if stem.startswith(prefix) and len(stem) > len(prefix) + 1:
            stem = stem[len(prefix):]
    stem = stem.strip("-_ ").replace("-", " ").replace("_", " ")
    return stem[:1].upper() + stem[1:] if stem else "Run"


def _names(history: Any) -> dict[str, str]:
    """Activity names a Strava or Garmin export gave (kept by the scan); {} if none."""
    try:
        from ...history.scan import NAMES_KEY
        from ...history.store import Store

        with Store(history.path, create=False) as store:
            return dict(store.meta(NAMES_KEY, {}) or {})
    except Exception:  # noqa: BLE001 - names are a nicety: never fail the site for them
        return {}


def _finding_dict(row: dict) -> dict:
    keep = ("rule", "severity", "confidence", "message", "values", "threshold", "source",
            "basis", "time_ranges", "suggestion", "activity")
    d = {k: row.get(k) for k in keep}
    d["time_ranges"] = [list(map(str, r)) for r in d.get("time_ranges") or []]
    for k in ("values", "threshold"):
        d[k] = json.loads(json.dumps(d[k] or {}, default=str))
    return d


def _zones(history: Any, runs, units: str) -> dict[str, Any]:
    """Heart-rate and pace zones: from the config where it says, else from the history."""
    import numpy as np

    from ... import units as U

    cfg = history.config
    z: dict[str, Any] = {}
    hrmax = getattr(cfg.runner, "max_hr_bpm", None)
    names = ["Z1 recovery", "Z2 easy", "Z3 steady", "Z4 threshold", "Z5 hard"]
    long = runs[(runs["moving_s"] >= 20 * 60)]
    if hrmax:
        edges = [round(hrmax * f) for f in (0.6, 0.7, 0.8, 0.9)]
        z["hr"] = {
            "title": "Heart-rate zones",
            "source": f"From your config: [runner] max_hr_bpm = {hrmax:.0f}; zones at 60, 70, "
            "80 and 90% of it.",
            "edges": edges,
        }
    else:
        hr = long["heart_rate_bpm"].to_numpy(float)
        hr = hr[np.isfinite(hr)]
        if len(hr):
            lthr = float(np.max(hr))
            edges = [round(lthr * f) for f in (0.85, 0.90, 0.95, 1.0)]
            z["hr"] = {
                "title": "Heart-rate zones",
                "source": "Estimated from your history (no [runner] max_hr_bpm in the config): "
                f"threshold heart rate taken as the highest average of a run of 20 min or more, "
                f"{lthr:.0f} bpm; zones at 85, 90, 95 and 100% of it (Friel).",
                "edges": edges,
            }
        else:
            z["hr_why"] = "Heart-rate zones: no heart rate in the history to estimate them from."
    if "hr" in z:
        e = z["hr"]["edges"]
        z["hr"]["names"] = names
        z["hr"]["labels"] = [f"< {e[0]} bpm"] + [f"{a}-{b - 1} bpm" for a, b in zip(e, e[1:])] + [
            f">= {e[-1]} bpm"
        ]
    sp = long["avg_speed_m_s"].to_numpy(float)
    sp = sp[np.isfinite(sp) & (sp > 0)]
    if len(sp):
        t = float(np.max(sp))
        edges = [round(t * f, 2) for f in (0.775, 0.885, 0.952, 1.01)]
        z["pace"] = {
            "title": "Pace zones",
            "source": "Estimated from your history (the config has no pace zones): threshold "
            f"pace taken as the fastest average pace of a run of 20 min or more, "
            f"{U.format_pace(t, units)}; zones at 129, 113, 105 and 99% of its time (Friel).",
            "edges": edges,
            "names": names,
            "labels": [f"slower than {U.format_pace(edges[0], units)}"]
            + [
                f"{U.format_pace(a, units)} to {U.format_pace(b, units)}"
                for a, b in zip(edges, edges[1:])
            ]
            + [f"faster than {U.format_pace(edges[-1], units)}"],
        }
    else:
        z["pace_why"] = "Pace zones: no run of 20 min or more to estimate them from."
    return z


def _code_digest() -> str:
    """A digest of the code that draws a run page: a new runlens rewrites every page."""
    h = hashlib.sha1(SITE_VERSION.encode())
    for name in ("_run.py", "_page.py"):
        try:
            h.update((Path(__file__).parent / name).read_bytes())
        except OSError:
            pass
    return h.hexdigest()


def _finite(v):
    try:
        v = float(v)
    except (TypeError, ValueError):
        return None
    return v if v == v and abs(v) != float("inf") else None


def _key(*parts: Any) -> str:
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _file_stamp(path: str) -> list:
    real = path.split("!", 1)[0] if "!" in path else path
    try:
        st = os.stat(real)
        return [st.st_size, st.st_mtime_ns]
    except OSError:
        return [None, None]


def build_site(
    history: Any,
    out: str | os.PathLike,
    *,
    units: str | None = None,
    date_from=None,
    date_to=None,
    last_weeks: int | None = None,
    jobs: int | None = None,
    rebuild: bool = False,
    week_start: str | None = None,
    load_unit: str | None = None,
) -> SiteReport:
    """Write the site for ``history`` into the folder ``out``.

    Parameters
    ----------
    history : runlens.History
    out : path
        The folder (created if needed); its other files are left alone.
    units : {"metric", "imperial"}, optional
        Default: the config's ``[display] units``, else metric.
    date_from, date_to : date-like, optional
        Local dates, inclusive: the runs, calendar and table shown. Fitness,
        fatigue and form are drawn over the whole history.
    last_weeks : int, optional
        The last N weeks up to ``date_to`` or the last run (0 or None: all).
    jobs : int, optional
        Worker processes for the run pages (default: all cores).
    rebuild : bool
        Write every run page again, changed or not.
    week_start, load_unit : str, optional
        As :meth:`runlens.History.weekly` (default: the config's).

    Returns
    -------
    SiteReport

    Raises
    ------
    RunlensError
        ``out`` is a file or cannot be written, the history has no runs, or
        plotly is not installed.
    """
    import pandas as pd

    folder = _out_folder(out)
    units = units or (history.config.display or {}).get("units") or "metric"
    if units not in ("metric", "imperial"):
        raise RunlensError(f"units {units!r}: expected metric or imperial")
    js = plotly_js_path()
    runs = history.runs()
    if not len(runs):
        raise RunlensError("no runs in the history", path=str(history.path))
    weeks_all = history.weekly(week_start=week_start, load_unit=load_unit)
    findings = history.findings(week_start=week_start, load_unit=load_unit)
    names = _names(history)
    zones = _zones(history, runs, units)

    lo = pd.Timestamp(date_from).floor("D") if date_from is not None else None
    hi = pd.Timestamp(date_to).floor("D") if date_to is not None else None
    if lo is not None and hi is not None and lo > hi:
        raise RunlensError(f"--from {lo.date()} is after --to {hi.date()}")
    if last_weeks and lo is None:
        end = hi if hi is not None else runs["local_date"].max()
        lo = end - pd.Timedelta(weeks=last_weeks) + pd.Timedelta(days=1)
    shown = runs
    if lo is not None:
        shown = shown[shown["local_date"] >= lo]
    if hi is not None:
        shown = shown[shown["local_date"] <= hi]
    if not len(shown):
        raise RunlensError("no runs in the chosen date range")
    range_note = ""
    if lo is not None or hi is not None:
        a = shown["local_date"].min().date().isoformat()
        b = shown["local_date"].max().date().isoformat()
        range_note = f"Runs from {a} to {b}."

    by_run: dict[str, list[dict]] = {}
    for row in findings.to_dict("records"):
        act = row.get("activity")
        if isinstance(act, str) and act:
            by_run.setdefault(act, []).append(_finding_dict(row))

    rows, jobs_list = [], []
    reasons: dict[str, int] = {}
    old = _read_manifest(folder)
    pages: dict[str, dict] = {}
    from ... import units as U
    from ...model import SUMMARY_KEYS
    from ..vocab import distance_value
    from ._index import run_state

    code = _code_digest()
    from ...load import WEEKDAYS

    ws = WEEKDAYS.index(weeks_all.attrs.get("week_start", "monday"))
    for r in shown.to_dict("records"):
        path = r["path"]
        fs = by_run.get(path, [])
        flags = [f["rule"] for f in fs if f["severity"] == "flag"]
        notes = [f["rule"] for f in fs if f["severity"] == "note"]
        day = r["local_date"].date().isoformat()
        name = names.get(path) or _plain_name(path, day)
        file = f"runs/{day}-{_slug(_plain_name(path, day))}-{hashlib.sha1(path.encode()).hexdigest()[:6]}.html"
        dist = r.get("distance_m")
        rows.append(
            {
                "path": path,
                "date": r["local_date"].normalize(),
                "day": day,
                "week": r["local_date"].normalize()
                - pd.Timedelta(days=(r["local_date"].weekday() - ws) % 7),
                "name": name,
                "page": file,
                "flags": list(flags),
                "notes": list(notes),
                "state": run_state(flags, notes),
                "dist_text": U.format_distance(dist, units),
                "dist_short": "-" if dist is None or dist != dist else (
                    f"{distance_value(dist, units):.1f}"
                ),
                "values": {
                    "distance_m": dist,
                    "moving_s": r.get("moving_s"),
                    "speed": r.get("avg_speed_m_s") if (r.get("avg_speed_m_s") or 0) > 0 else None,
                    "hr": r.get("heart_rate_bpm"),
                    "cadence": r.get("cadence_spm"),
                },
            }
        )
        off = r.get("utc_offset_s")
        off = 0 if off is None or off != off else int(off)
        key = _key(
            code, units, zones, fs, _file_stamp(path), name, off,
            {k: _finite(r.get(k)) for k in SUMMARY_KEYS},
        )
        pages[path] = {"file": file, "key": key}
        prev = old.get(path)
        why = (
            "rebuild" if rebuild else "new" if not prev else "changed" if prev["key"] != key
            else None if (folder / file).is_file() else "missing"
        )
        if why:
            reasons[why] = reasons.get(why, 0) + 1
            jobs_list.append(
                {
                    "path": path,
                    "file": file,
                    "out_dir": str(folder),
                    "name": name,
                    "date": day,
                    "units": units,
                    "findings": fs,
                    "zones": zones,
                    "utc_offset_s": off,
                }
            )

    report = SiteReport(folder=folder, runs=len(rows), why=reasons)
    report.kept = len(pages) - len(jobs_list)
    # pages of runs no longer shown
    keep_files = {p["file"] for p in pages.values()}
    for f in (folder / "runs").glob("*.html"):
        if f"runs/{f.name}" not in keep_files:
            f.unlink()
            report.removed += 1

    target = folder / "plotly.min.js"
    if not target.is_file() or target.stat().st_size != js.stat().st_size:
        shutil.copyfile(js, target)

    # the pages are written by workers while this process builds the index
    pool, results = _start_pages(jobs_list, jobs)
    try:
        pain = history.pain
        baseline = history.baseline()
        site = _index_tables(history, weeks_all, findings, pain, baseline, rows, units, lo, hi)
        site["range_note"] = range_note
        from ._index import index_html

        text = index_html(site)
        if pool is None:
            from ._run import write_run_page

            results = map(write_run_page, jobs_list)
        for file, _n, problem in results:
            report.written.append(file)
            if problem:
                report.problems.append(problem)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    tmp = folder / "index.html.tmp"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, folder / "index.html")
    _write_manifest(folder, pages)
    return report


def _start_pages(jobs_list: list[dict], jobs: int | None):
    """(pool, results iterator) with the run pages handed to worker processes at once;
    (None, None) for a few pages or one job, written in this process."""
    n = jobs or os.cpu_count() or 1
    if len(jobs_list) < PARALLEL_FROM or n <= 1:
        return None, None
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    from ._run import write_run_page

    try:
        ctx = mp.get_context("fork")
    except ValueError:
        ctx = None
    pool = ProcessPoolExecutor(max_workers=min(n, len(jobs_list)), mp_context=ctx)
    return pool, pool.map(write_run_page, jobs_list, chunksize=8)


def _read_manifest(folder: Path) -> dict[str, dict]:
    try:
        doc = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    pages = doc.get("pages") if isinstance(doc, dict) else None
    return pages if isinstance(pages, dict) else {}


def _write_manifest(folder: Path, pages: dict) -> None:
    tmp = folder / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps({"version": SITE_VERSION, "pages": pages}), encoding="utf-8")
    os.replace(tmp, folder / MANIFEST)


#: The runner's words for the baseline metrics.
_METRIC_WORDS = {
    "cadence_spm": "step rate",
    "ground_contact_ms": "ground contact",
    "vertical_oscillation_mm": "vertical oscillation",
    "vertical_ratio_pct": "vertical ratio",
    "gct_balance_left_pct": "contact balance",
}


def _baseline_words(baseline) -> str:
    """One clause per distinct basis: which metrics are judged against what."""
    if baseline is None or not len(baseline):
        return "none yet."
    groups: dict[str, list[str]] = {}
    for m, b in zip(baseline.index, baseline["basis"]):
        if b:
            groups.setdefault(str(b), []).append(_METRIC_WORDS.get(m, m.replace("_", " ")))
    if not groups:
        return "none yet."
    return "; ".join(f"{', '.join(ms)} against {b}" for b, ms in groups.items()) + "."


def _index_tables(history, weeks_all, findings, pain, baseline, rows, units, lo, hi) -> dict:
    import pandas as pd

    from ...load import WEEKDAYS

    ws = weeks_all.attrs.get("week_start", "monday")
    first_week = min(r["week"] for r in rows)
    last_week = max(r["week"] for r in rows)
    weeks = weeks_all[(weeks_all["week"] >= first_week) & (weeks_all["week"] <= last_week)]
    weeks = weeks.reset_index(drop=True)
    fs = findings.to_dict("records")
    by_week: dict = {}
    for f in fs:
        by_week.setdefault(pd.Timestamp(f["week"]), []).append(f)
    runs_by_week: dict = {}
    for r in rows:
        runs_by_week.setdefault(pd.Timestamp(r["week"]), []).append(r)
    states = []
    for w in weeks["week"]:
        sev = {f["severity"] for f in by_week.get(w, [])}
        states.append("flag" if "flag" in sev else ("note" if "note" in sev else "clean"))
    verdict = []
    recent = weeks[weeks["week"] <= last_week].tail(5).iloc[::-1]
    latest = rows[-1]
    for w in recent.to_dict("records"):
        wk = pd.Timestamp(w["week"])
        bd = w.get("break_days")
        verdict.append(
            {
                **w,
                "break_days": bd if bd == bd and bd else None,
                "findings": [f for f in by_week.get(wk, []) if f["severity"] in ("flag", "note")],
                "runs_rows": runs_by_week.get(wk, []),
                "latest_run": f"{latest['day']} ({latest['name']})",
                # the latest week is unfinished when its last day comes after the latest run
                "partial": (
                    f"{latest['date']:%a %d %b}"
                    if wk + pd.Timedelta(days=6) > latest["date"]
                    else None
                ),
            }
        )
    pain = pain.copy()
    if len(pain):
        pain["date"] = pd.to_datetime(pain["date"])
        if lo is not None:
            pain = pain[pain["date"] >= lo]
        if hi is not None:
            pain = pain[pain["date"] <= hi]
    return {
        "units": units,
        "load_unit": weeks_all.attrs.get("load_unit", "km"),
        "weeks": weeks,
        "weeks_all": weeks_all,
        "week_states": states,
        "verdict_weeks": verdict,
        "runs_rows": rows,
        "pain": pain.reset_index(drop=True),
        "baseline_words": _baseline_words(baseline),
        "week_start_offset": WEEKDAYS.index(ws) if ws in WEEKDAYS else 0,
        "assumptions": list(weeks_all.attrs.get("assumptions") or []),
    }
