"""The Python API: :func:`analyze` one activity, :class:`History` of a store (docs/api.md).

The ``runlens analyze`` and ``runlens weekly`` commands are thin calls of
these: ``Analysis.to_dict()`` is the JSON that ``runlens analyze --json``
prints for the same file and options, and ``History.weekly()`` holds the
numbers of ``runlens weekly --json``. pandas and matplotlib are imported only
when a function that needs them runs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import RunlensError
from .model import Activity

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from .baseline import CadenceBaseline, PersonalBaseline
    from .config import Config
    from .findings import Finding
    from .history.analysis import HistoryTables as _Built
    from .history.scan import ScanReport

__all__ = ["analyze", "analyze_all", "Analysis", "History"]

PathLike = str | os.PathLike

#: Columns of a findings table (:attr:`Analysis.findings`, :meth:`History.findings`).
FINDING_COLUMNS = (
    "rule",
    "severity",
    "confidence",
    "message",
    "values",
    "threshold",
    "source",
    "basis",
    "start",
    "end",
    "time_ranges",
    "suggestion",
)


# --------------------------------------------------------------------------- analyze
def analyze(
    path_or_activity: PathLike | Activity,
    history: History | PathLike | None = None,
    *,
    sport: str | None = None,
    strict: bool = False,
    config: Config | PathLike | None = None,
    baseline: CadenceBaseline | PersonalBaseline | None = None,
    height_m: float | None = None,
    sex: str | None = None,
    resting_hr_bpm: float | None = None,
    max_hr_bpm: float | None = None,
    rules: bool = True,
) -> Analysis:
    """Read one activity and compute its summary, laps, splits and form findings.

    What ``runlens analyze FILE`` does, as an object.

    Parameters
    ----------
    path_or_activity : path or Activity
        A .fit, .gpx or .tcx file (or its .gz), a .zip holding one, or a zip
        member named ``ZIP!/MEMBER``; or an :class:`~runlens.model.Activity`
        already read (left unchanged: ``sport`` and the sport inference work
        on a copy).
    history : History, path or None
        The runner's history to judge the run against: a :class:`History` or a
        store file (as ``runlens analyze --db``); a folder means the runner's
        own store, as for :class:`History`. None
        (default) judges against population bands only, as ``--no-history``:
        unlike the command, the API never looks for a store by itself.
    sport : str, optional
        The activity's sport when the file does not say it or says it wrong
        (``--sport``); cadence is converted to match.
    strict : bool
        Refuse a file with any fault instead of salvaging it (``--strict``).
    config : Config or path, optional
        A :class:`~runlens.config.Config` or a TOML file; default: the user's
        config file, as the command (docs/config.md).
    baseline : CadenceBaseline or PersonalBaseline, optional
        Judge against this baseline instead of a history (``--baseline``).
    height_m : float, optional
        Runner's height, m (``--height``).
    sex : {"male", "female"}, optional
        For heart-rate load weighting.
    resting_hr_bpm, max_hr_bpm : float, optional
        Resting and maximum heart rate, 1/min.
    rules : bool
        Evaluate the form rules (False: summary only, as ``--no-rules``).

    Returns
    -------
    Analysis

    Raises
    ------
    RunlensError
        The file cannot be read (the message names it), the store is unusable,
        or an option is out of range.
    """
    return analyze_all(
        path_or_activity, history, sport=sport, strict=strict, config=config,
        baseline=baseline, height_m=height_m, sex=sex, resting_hr_bpm=resting_hr_bpm,
        max_hr_bpm=max_hr_bpm, rules=rules, first_only=True,
    )[0]


def analyze_all(
    path_or_activity: PathLike | Activity,
    history: History | PathLike | None = None,
    *,
    sport: str | None = None,
    strict: bool = False,
    config: Config | PathLike | None = None,
    baseline: CadenceBaseline | PersonalBaseline | None = None,
    height_m: float | None = None,
    sex: str | None = None,
    resting_hr_bpm: float | None = None,
    max_hr_bpm: float | None = None,
    rules: bool = True,
    first_only: bool = False,
) -> list[Analysis]:
    """Every run of a file, each analysed as :func:`analyze` does one, in time order.

    What ``runlens analyze FILE`` does: most files hold one run (a list of
    one); a TCX with an ``<Activity>`` per day, or a FIT whose running
    sessions are hours apart, holds several (:mod:`runlens.io.events`), each
    judged against the runner's history as of its own start. The legs of a
    multisport event are one run. Parameters as :func:`analyze`
    (``first_only``: the first run only, with a warning naming the others).
    """
    from .memo import analysis_scope

    cfg = _config(config)
    if height_m is not None and not 0.5 <= height_m <= 2.8:
        raise RunlensError(f"height_m={height_m}: expected metres, e.g. 1.78")
    if baseline is not None and history is not None:
        raise RunlensError("give a baseline or a history, not both")
    out = []
    events = _activities(path_or_activity, sport=sport, strict=strict, first_only=first_only)
    for n, (activity, path) in enumerate(events):
        pb = baseline
        if pb is None and history is not None and rules:
            from .io.events import event_key

            pb = _history_baseline(history, event_key(path, n), activity, cfg)
        with analysis_scope():  # metrics, laps, splits and rules share derived data
            out.append(
                _analysis(activity, cfg, pb, rules, height_m, sex, resting_hr_bpm, max_hr_bpm)
            )
    return out


def _config(config: Config | PathLike | None) -> Config:
    """The config: as given, or read from a TOML file (default: the user's) and checked."""
    from .config import Config, load_config

    if isinstance(config, Config):
        return config
    from .rules import check_config

    cfg = load_config(None if config is None else os.fspath(config))
    check_config(cfg)
    return cfg


def _activities(
    source: PathLike | Activity, *, sport: str | None, strict: bool, first_only: bool = False
) -> list[tuple[Activity, str]]:
    """[(activity, path as given)], one per run of the file: read, the sport
    applied or inferred."""
    from .io.hints import apply_hints, infer_sport

    if isinstance(source, Activity):
        activity, path = source, source.source.path
        if sport or activity.sport is None:  # both change the activity in place
            import copy

            activity = copy.deepcopy(activity)
        activities = [activity]
    else:
        path = os.fspath(source)
        activities = _read(path, strict)
        if first_only and len(activities) > 1:
            from .io import several_runs_warning

            activities[0].warnings.append(several_runs_warning(len(activities)))
            activities = activities[:1]
    for activity in activities:
        if sport:
            apply_hints(activity, sport=sport.strip().lower(), origin="--sport", force_sport=True)
        infer_sport(activity)
    return [(a, path) for a in activities]


def _read(path: str, strict: bool) -> list[Activity]:
    """Every run of one activity file, or of the one activity of a zip (``ZIP!/MEMBER``)."""
    from .io import read_all
    from .io.archive import open_in_archive

    inside = open_in_archive(path)
    if inside is None:
        return read_all(path, strict=strict)
    import io

    stream = io.BytesIO(inside[1])
    stream.name = inside[0]
    return read_all(stream, strict=strict)


def _history_baseline(history, path: str, activity: Activity, config) -> PersonalBaseline:
    """The runner's baseline as of this run, from the history's store."""
    from .history.judge import baseline_for
    from .history.store import Store

    db = _store_path(history)
    start = activity.start if activity.start is not None else activity.records.index[0]
    with Store(db, create=False) as store:
        return baseline_for(store, path, start.timestamp(), config)


def _analysis(activity, config, baseline, rules, height_m, sex, rest, hrmax) -> Analysis:
    from .config import RunnerProfile
    from .metrics.summary import lap_rows, split_rows
    from .report.analysis import analyze as result_dict

    findings: list[Finding] = []
    if rules:
        from .rules import evaluate_all

        profile = RunnerProfile(
            height_m=height_m, sex=sex, resting_hr_bpm=rest, max_hr_bpm=hrmax
        )
        findings = evaluate_all(activity, config, baseline=baseline, profile=profile)
    laps, splits = lap_rows(activity), split_rows(activity)  # DataFrames when asked for
    result = result_dict(activity, [f.to_dict() for f in findings], laps=laps, splits=splits)
    return Analysis(activity, result, laps, splits, rules_run=rules)


class Analysis:
    """One analysed activity: what :func:`analyze` returns.

    Attributes
    ----------
    activity : Activity
        The activity as read (samples in ``activity.records``).
    """

    def __init__(self, activity: Activity, result: dict, laps, splits, *, rules_run=True):
        self.activity = activity
        self._result = result
        self._laps, self._splits = laps, splits
        self.rules_run = rules_run

    @property
    def summary(self) -> dict[str, float | None]:
        """runlens' summary, units in the keys (``distance_m``, ``cadence_spm``, ...).

        The ``summary`` object of ``runlens analyze --json`` (docs/json.md);
        None where the file has no such channel. The watch's own values are
        in ``to_dict()["device_summary"]``.
        """
        return dict(self._result["summary"])

    @property
    def laps(self) -> pd.DataFrame:
        """One row per device lap (:func:`runlens.metrics.lap_metrics`)."""
        from .metrics.summary import rows_table

        return rows_table(self._laps, "lap")

    @property
    def splits(self) -> pd.DataFrame:
        """One row per kilometre (:func:`runlens.metrics.km_splits`; the last one partial)."""
        from .metrics.summary import rows_table

        return rows_table(self._splits, "split")

    @property
    def findings(self) -> pd.DataFrame:
        """One row per finding of the form rules, flags and notes and what was not judged.

        Columns: ``rule``, ``severity`` (info, note, flag), ``confidence``
        (a number in [0, 1] or a word), ``message``, ``values`` (dict: what was
        seen, units in the keys), ``threshold`` (dict: what it was compared
        with), ``source``, ``basis`` (own baseline or population bands),
        ``start`` and ``end`` (UTC, of the first and last stretch; NaT for a
        whole-run finding), ``time_ranges`` (every stretch) and ``suggestion``.
        """
        return findings_frame(self._result["findings"])

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``runlens analyze --json`` for the same file and options."""
        import copy

        return copy.deepcopy(self._result)

    def to_text(
        self,
        *,
        verbose: bool = False,
        laps: bool = False,
        units: str = "metric",
        width: int | None = None,
    ) -> str:
        """The text of ``runlens analyze`` (``-v``: ``verbose``; ``--laps``: ``laps``)."""
        from .report.analysis import format_text

        return format_text(self.text_result(), verbose=verbose, laps=laps, units=units,
                           width=width)

    def text_result(self) -> dict:
        """The result :func:`runlens.report.analysis.format_text` formats."""
        return self._result if self.rules_run else {**self._result, "rules_run": False}

    def plot(self, path: PathLike | None = None, *, units: str = "metric") -> Figure:
        """The run picture of ``runlens analyze --plot`` (docs/charts.md).

        Parameters
        ----------
        path : path, optional
            Also write it here (.png or .pdf).
        units : {"metric", "imperial"}

        Returns
        -------
        matplotlib.figure.Figure
        """
        from .report.charts._style import output_format, save_figure, style
        from .report.charts.run import run_figure

        if path is not None:
            output_format(path)  # a wrong extension fails before the drawing
        with style():
            fig, _ = run_figure(self.activity, self._result["findings"], units=units)
            if path is not None:
                save_figure(fig, path)
        return fig

    def __repr__(self) -> str:
        from .report.analysis import sport_word

        r = self._result
        name = os.path.basename(str(r.get("file") or "?"))
        dist = r["summary"].get("distance_m")
        what = f"{dist / 1000:.2f} km " if dist is not None else ""
        what += sport_word(r.get("sport"))
        if not self.rules_run:
            return f"<Analysis {name}: {what}, rules not run>"
        fs = r["findings"]
        flags = [f["rule"] for f in fs if f.get("severity") == "flag"]
        notes = sum(f.get("severity") == "note" for f in fs)
        verdict = f"{len(flags)} flag{'s' if len(flags) != 1 else ''}"
        if flags:
            names = ", ".join(dict.fromkeys(flags))
            verdict += f" ({names if len(names) <= 50 else names[:47] + '...'})"
        verdict += f", {notes} note{'s' if notes != 1 else ''}"
        return f"<Analysis {name}: {what}, {verdict}>"


def findings_frame(findings: list[dict], extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """Finding dicts (``Finding.to_dict()``) as a table of :data:`FINDING_COLUMNS`."""
    import pandas as pd

    rows = []
    for f in findings:
        ev = f.get("evidence") or {}
        ranges = [tuple(r) for r in f.get("time_ranges") or []]
        rows.append(
            {
                **{k: f.get(k) for k in extra},
                "rule": f.get("rule"),
                "severity": f.get("severity"),
                "confidence": f.get("confidence"),
                "message": f.get("message"),
                "values": ev.get("values") or {},
                "threshold": ev.get("threshold") or {},
                "source": ev.get("source"),
                "basis": ev.get("basis"),
                "start": pd.Timestamp(ranges[0][0]) if ranges else pd.NaT,
                "end": pd.Timestamp(max(r[1] for r in ranges)) if ranges else pd.NaT,
                "time_ranges": ranges,
                "suggestion": f.get("suggestion"),
            }
        )
    df = pd.DataFrame(rows, columns=[*extra, *FINDING_COLUMNS])
    for c in ("start", "end"):
        df[c] = pd.to_datetime(df[c], utc=True)
    return df


# --------------------------------------------------------------------------- History
def _store_path(path_or_db: History | PathLike | None) -> Path:
    """The store file meant by ``path_or_db``: the one place the API resolves a store.

    A :class:`History` or an open :class:`~runlens.store.db.Store`: its
    file. None or a folder: the runner's one store
    (:func:`~runlens.store.db.default_store_path`, ``$RUNLENS_DB`` or the
    user's data folder, as ``runlens weekly DIR``). Any other path: that store file.
    """
    from .history.store import Store, default_store_path

    if isinstance(path_or_db, (History, Store)):
        return Path(path_or_db.path)
    if path_or_db is None:
        return Path(default_store_path())
    p = Path(path_or_db).expanduser()
    return Path(default_store_path()) if p.is_dir() else p


class History:
    """A runner's history store, read as pandas tables.

    Parameters
    ----------
    path_or_db : path, Store or None
        A store file (created by the first :meth:`scan`), an open
        :class:`~runlens.store.db.Store`, or None (or a folder): the
        runner's own store, the one ``runlens scan`` fills
        (:func:`~runlens.store.db.default_store_path`: ``$RUNLENS_DB``,
        else ``history.sqlite`` in the user's data folder).
    config : Config or path, optional
        Runner profile, ``[load]``, ``[baseline]`` and rule settings; default:
        the user's config file, as the commands.

    Attributes
    ----------
    path : pathlib.Path
        The store file.
    """

    def __init__(self, path_or_db: PathLike | None = None, *, config=None) -> None:
        self.path = _store_path(path_or_db)
        self._config_arg = config
        self._cfg = None

    @property
    def config(self) -> Config:
        if self._cfg is None:
            self._cfg = _config(self._config_arg)
        return self._cfg

    def scan(
        self,
        folder: PathLike,
        *,
        jobs: int | None = None,
        rescan: bool = False,
        sports: dict[str, str] | None = None,
    ) -> ScanReport:
        """Scan ``folder`` (or an export's .zip) into this store, as ``runlens scan --db``.

        Parameters
        ----------
        folder : path
        jobs : int, optional
            Worker processes (default: all cores; 1 reads in this process).
        rescan : bool
            Read every file again, changed or not.
        sports : dict, optional
            Absolute path (a zip member as ``ZIP!/NAME``) -> sport, remembered.

        Returns
        -------
        runlens.history.ScanReport
            What was found, read and left out (``.to_dict()``: ``scan --json``).
        """
        from .history.scan import scan

        return scan(
            folder, self.path, jobs=jobs, rescan=rescan, config=self.config, sports=sports
        )

    def _built(self, **kw) -> _Built:
        from .history.analysis import build_history
        from .history.store import Store

        with Store(self.path, create=False) as store:
            return build_history(store, self.config, **kw)

    def runs(self) -> pd.DataFrame:
        """One row per counted run (duplicates and other sports left out), oldest first.

        Columns: ``path``, ``start`` (UTC), ``local_date``, ``week`` (its
        first day), ``sport``, ``utc_offset_s``, the summary (``distance_m``,
        ``moving_s``, ``avg_speed_m_s``, ``cadence_spm``, ...), ``trimp``,
        ``flags`` (the form flags, as ``runlens runs``) and ``basis`` (what
        each flag was judged against).
        """
        import numpy as np
        import pandas as pd

        from .history.analysis import run_form_flags
        from .model import SUMMARY_KEYS

        h = self._built()
        a = h.acts
        rows = {r["path"]: r for r in run_form_flags(h)}
        out = pd.DataFrame({"path": a["path"].to_numpy()} if len(a) else {"path": []})
        out["start"] = pd.to_datetime(a["start_s"].to_numpy(float), unit="s", utc=True)
        out["local_date"] = pd.to_datetime(a["local_date"].to_numpy())
        out["week"] = pd.to_datetime([rows[p]["week"] for p in out["path"]])
        out["sport"] = a["sport"].to_numpy() if "sport" in a else None
        for c in ("utc_offset_s", *SUMMARY_KEYS, "trimp"):  # None (no such channel) -> NaN
            out[c] = pd.to_numeric(a[c], errors="coerce").to_numpy(float) if c in a else np.nan
        out["flags"] = [rows[p]["flags"] for p in out["path"]]
        out["basis"] = [
            [(f.get("evidence") or {}).get("basis") for f in rows[p]["findings"]]
            for p in out["path"]
        ]
        return out

    def weekly(
        self,
        *,
        week_start: str | None = None,
        load_unit: str | None = None,
        include_undated: bool = False,
    ) -> pd.DataFrame:
        """The weeks of ``runlens weekly --json`` (docs/history.md), one row each.

        Columns: ``week`` (its first day), ``distance_m``, ``moving_s``,
        ``runs``, ``trimp``, ``load`` (in the load unit), ``change_pct``,
        ``acwr``, ``acwr_max``, ``monotony``, ``strain``, ``ctl``, ``atl``,
        the CTL-ATL balance, ``history_days``, ``break_days``,
        ``form_flag_runs`` and ``n_findings`` (:meth:`findings` lists them).
        ``df.attrs`` holds ``load_unit``, ``week_start``, ``counts`` and
        ``assumptions``.
        """
        import pandas as pd

        doc = self._weekly_doc(week_start, load_unit, include_undated)
        rows = [
            {**{k: v for k, v in w.items() if k != "findings"}, "n_findings": len(w["findings"])}
            for w in doc["weeks"]
        ]
        df = pd.DataFrame(rows)
        df["week"] = pd.to_datetime(df["week"])
        df = df.astype({c: float for c in df.columns if df[c].dtype == object})
        df.attrs.update({k: doc[k] for k in ("load_unit", "week_start", "counts", "assumptions")})
        return df

    def _weekly_doc(self, week_start=None, load_unit=None, include_undated=False) -> dict:
        from .history.weekly import weekly_doc

        return weekly_doc(
            self.path,
            self.config,
            week_start=week_start,
            load_unit=load_unit,
            include_undated=include_undated,
        )

    def findings(self, **weekly_options) -> pd.DataFrame:
        """Every finding ``runlens weekly`` lists: volume findings and each run's form flags.

        Columns ``week`` and ``activity`` (the run's path, None for a week's
        volume finding), then those of :attr:`Analysis.findings`. Takes the
        options of :meth:`weekly`.
        """
        import pandas as pd

        doc = self._weekly_doc(**weekly_options)
        found = [{**f, "week": w["week"]} for w in doc["weeks"] for f in w["findings"]]
        df = findings_frame(found, extra=("week", "activity"))
        df["week"] = pd.to_datetime(df["week"])
        return df

    def baseline(self, as_of: str | None = None) -> pd.DataFrame:
        """The runner's own baselines, as ``runlens baseline --json``: one row per metric.

        Parameters
        ----------
        as_of : str, optional
            Fit on the runs before this UTC date (default: every stored run
            in the window, as of one second after the last run's start).

        Returns
        -------
        pandas.DataFrame
            Index ``metric`` (``cadence_spm`` then the band metrics); columns
            ``intercept`` and ``slope_per_m_s`` (the line: value = intercept +
            slope x speed in m/s, in the metric's unit), ``residual_sd``,
            ``n_activities``, ``n_minutes``, ``speed_min_m_s``,
            ``speed_max_m_s`` and ``basis``; NaN where the history is too short
            for a personal baseline (``basis`` says so). ``df.attrs`` holds
            ``as_of_utc`` and ``window_days``.
        """
        from datetime import datetime, timezone

        import pandas as pd

        from .baseline import window_words
        from .history.baseline import BAND_METRICS, history_minutes
        from .history.judge import baseline_on
        from .history.store import Store

        with Store(self.path, create=False) as store:
            minutes = history_minutes(store)
        pb, as_of_s = baseline_on(minutes, self.config, as_of, path=self.path)
        before = window_words(as_of, as_of_s)
        # metric -> (its line or None, the names of its spread and of its minutes count)
        lines = {"cadence_spm": (pb.cadence, "residual_sd_spm", "n_samples")}
        lines.update({m: (pb.band(m), "residual_sd", "n_minutes") for m in BAND_METRICS})
        rows = []
        for metric, (line, sd, n) in lines.items():
            a, b = (getattr(line, c) for c in line._coef) if line else (None, None)
            rows.append(
                {
                    "metric": metric,
                    "intercept": a,
                    "slope_per_m_s": b,
                    "residual_sd": getattr(line, sd) if line else None,
                    "n_activities": line.n_activities if line else None,
                    "n_minutes": getattr(line, n) if line else None,
                    "speed_min_m_s": line.speed_range_m_s[0] if line else None,
                    "speed_max_m_s": line.speed_range_m_s[1] if line else None,
                    "basis": pb.basis(metric, before),
                }
            )
        df = pd.DataFrame(rows).set_index("metric")
        counts = ("n_activities", "n_minutes")
        df = df.astype({c: "Int64" if c in counts else float for c in df.columns if c != "basis"})
        df.attrs["as_of_utc"] = datetime.fromtimestamp(as_of_s, timezone.utc).isoformat()
        df.attrs["window_days"] = pb.window_days
        return df

    def report_html(self, folder: PathLike, **options) -> Any:
        """Write the offline site of ``runlens report --html -o DIR`` (docs/charts.md).

        ``options`` are those of :func:`runlens.report.html.build_site`:
        ``units``, ``date_from``, ``date_to``, ``last_weeks``, ``jobs``,
        ``rebuild``, ``week_start``, ``load_unit``. A second call rewrites the
        index and only the run pages whose inputs changed. Returns its
        :class:`~runlens.report.html.SiteReport` (``.index``, ``.written``).
        """
        from .report.html import build_site

        return build_site(self, folder, **options)

    @property
    def pain(self) -> pd.DataFrame:
        """The pain diary (docs/pain.md): ``id``, ``date``, ``severity`` (0-10),
        ``location``, ``note``, ``source``, ``created_utc``; one row per entry."""
        import pandas as pd

        from .history.store import Store
        from .pain.diary import list_entries

        cols = ["id", "date", "severity", "location", "note", "source", "created_utc"]
        with Store(self.path, create=False) as store:
            entries = list_entries(store)
        df = pd.DataFrame([e.to_dict() for e in entries], columns=cols)
        df["date"] = pd.to_datetime(df["date"])
        return df

    def __repr__(self) -> str:
        from .store.db import peek_run_span

        p = self.path
        if not p.is_file():
            return f"<History {p} (no store yet)>"
        try:
            n, lo, hi = peek_run_span(p)
        except RunlensError as exc:
            return f"<History {p} (not readable: {exc.message})>"
        span = f", {lo} to {hi}" if n else ""
        return f"<History {p}: {n} run{'s' if n != 1 else ''}{span}>"
