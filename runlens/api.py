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
    from .report.charts.data import ChartData
    from .report.console import BaselineView

__all__ = ["analyze", "analyze_all", "Analysis", "History", "read_baseline", "read_config"]

PathLike = str | os.PathLike


def __getattr__(name: str):
    """``WEEKDAYS``: the days a week may start on (``week_start``), from
    :mod:`runlens.load` when first asked for (it imports NumPy)."""
    if name == "WEEKDAYS":
        from .load import WEEKDAYS

        return WEEKDAYS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

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


def read_config(path: PathLike | None = None) -> Config:
    """The config of a TOML file (default: the user's, docs/config.md), every key
    checked, the rules' too: a wrong key or value is a RunlensError before any reading."""
    return _config(path)


def read_baseline(path: PathLike) -> CadenceBaseline | PersonalBaseline:
    """A baseline from a JSON file (``runlens analyze --baseline``).

    A :class:`runlens.baseline.CadenceBaseline`: the object may be the
    baseline's fields themselves or hold them under ``"cadence_baseline"``;
    or the :class:`runlens.baseline.PersonalBaseline` that ``runlens baseline
    --json`` printed.

    Raises
    ------
    RunlensError
        Missing file, not JSON, or missing/invalid fields.
    """
    import json
    from dataclasses import MISSING, fields

    from .baseline import CadenceBaseline

    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        raise RunlensError("baseline file not found", path=path) from None
    except (OSError, ValueError) as exc:
        raise RunlensError(f"not a JSON baseline ({exc})", path=path) from None
    if isinstance(data, dict) and isinstance(data.get("cadence_baseline"), dict):
        data = data["cadence_baseline"]
    if isinstance(data, dict) and "bands" in data and "cadence" in data:
        return _personal_baseline(data, path)  # what `runlens baseline --json` prints
    names = [f.name for f in fields(CadenceBaseline)]
    required = [f.name for f in fields(CadenceBaseline) if f.default is MISSING]
    if not isinstance(data, dict) or any(k not in data for k in required):
        raise RunlensError(f"a baseline needs the keys {required}", path=path)
    try:
        kw = {k: data[k] for k in names if k in data}
        kw["speed_range_m_s"] = tuple(float(x) for x in kw["speed_range_m_s"])
        if len(kw["speed_range_m_s"]) != 2:
            raise ValueError("speed_range_m_s needs two speeds")
        for k in ("intercept_spm", "slope_spm_per_m_s", "residual_sd_spm"):
            kw[k] = float(kw[k])
        for k in ("n_activities", "n_samples", "window_days"):
            if k in kw:
                kw[k] = int(kw[k])
    except (TypeError, ValueError) as exc:
        raise RunlensError(f"invalid baseline ({exc})", path=path) from None
    return CadenceBaseline(**kw)


def _personal_baseline(data: dict, path: str):
    """The :class:`runlens.baseline.PersonalBaseline` of a ``runlens baseline --json`` file."""
    from dataclasses import fields

    from .baseline import CadenceBaseline, PersonalBaseline, SpeedBand

    def build(cls, d: dict):
        kw = {f.name: d[f.name] for f in fields(cls) if f.name in d}
        kw["speed_range_m_s"] = tuple(float(x) for x in kw["speed_range_m_s"])
        return cls(**kw)

    try:
        cadence = build(CadenceBaseline, data["cadence"]) if data["cadence"] else None
        bands = {k: build(SpeedBand, v) for k, v in (data.get("bands") or {}).items()}
        breathing = None
        if data.get("breathing"):
            from .rules.breathing import BreathingBaseline

            breathing = build(BreathingBaseline, data["breathing"])
        return PersonalBaseline(
            cadence,
            bands,
            int(data.get("n_runs") or 0),
            window_days=int(data.get("window_days") or 60),
            min_runs=int(data.get("min_runs") or 3),
            breathing=breathing,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise RunlensError(f"invalid baseline ({type(exc).__name__}: {exc})", path=path) from None


def analysis_scope():
    """A block within which analyses and plots of the same activity share their
    derived data (:func:`runlens.memo.analysis_scope`): ``runlens analyze --plot``."""
    from .memo import analysis_scope as scope

    return scope()


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
    from .io.names import SEP, looks_like_zip

    if SEP not in path and not (os.path.isfile(path) and looks_like_zip(path)):
        return read_all(path, strict=strict)  # no zip: zipfile and the archive code not loaded
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
    start_ns = activity.start_ns if activity.start_ns is not None else int(activity.table.t_ns[0])
    with Store(db, create=False) as store:
        return baseline_for(store, path, start_ns / 1e9, config)


def _analysis(activity, config, baseline, rules, height_m, sex, rest, hrmax) -> Analysis:
    from .config import RunnerProfile
    from .metrics.summary import lap_rows, split_rows
    from .report.analysis import analysis_dict as result_dict

    findings: list[Finding] = []
    if rules:
        from .rules import evaluate_all

        profile = RunnerProfile(
            height_m=height_m, sex=sex, resting_hr_bpm=rest, max_hr_bpm=hrmax
        )
        findings = evaluate_all(activity, config, baseline=baseline, profile=profile)
    laps, splits = lap_rows(activity), split_rows(activity)  # DataFrames when asked for
    # The findings stay objects (the plot draws them); their dicts are the JSON result's.
    result = result_dict(activity, [f.to_dict() for f in findings], laps=laps, splits=splits)
    return Analysis(activity, result, laps, splits, rules_run=rules, findings=findings)


class Analysis:
    """One analysed activity: what :func:`analyze` returns.

    Attributes
    ----------
    activity : Activity
        The activity as read (samples in ``activity.records``).
    """

    def __init__(
        self, activity: Activity, result: dict, laps, splits, *, rules_run=True, findings=None
    ):
        self.activity = activity
        self._result = result
        #: The rules' Finding objects, as evaluated (the result holds their JSON dicts).
        self._findings: list[Finding] | None = findings
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
        """The JSON object of ``runlens analyze --json`` for the same file and options
        (a copy: changing it leaves the Analysis as it was)."""
        return _tree_copy(self._result)

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
            found = self._findings if self._findings is not None else self._result["findings"]
            fig, _ = run_figure(self.activity, found, units=units)
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


def _tree_copy(v: Any) -> Any:
    """A copy of a JSON-able tree (dicts and lists copied, other values shared: they
    are immutable there), a few times faster than ``copy.deepcopy``."""
    if type(v) is dict:
        return {k: _tree_copy(x) for k, x in v.items()}
    if type(v) is list:
        return [_tree_copy(x) for x in v]
    if type(v) is tuple:
        return tuple(_tree_copy(x) for x in v)
    return v


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
        #: The runner's own store, as the commands open it: the per-folder stores of an
        #: older runlens are merged into it on first use (:meth:`of`).
        self._own = False
        #: The old per-folder stores the last :meth:`merge_old_stores` or :meth:`scan`
        #: merged in: dicts of ``path`` and counts, or ``error``.
        self.merged: list[dict] = []

    @classmethod
    def of(cls, db: PathLike | None = None, *, config=None) -> History:
        """The history a command reads: the store file ``db`` (``--db``) as it is, or
        (None) the runner's own, into which old per-folder stores are merged on first
        use (:meth:`merge_old_stores`, :meth:`scan`)."""
        from .store.paths import default_store_path

        h = cls(None, config=config)
        h.path = Path(db).expanduser() if db else Path(default_store_path())
        h._own = not db
        return h

    @classmethod
    def find(cls, *, config=None) -> History | None:
        """The runner's own history (old per-folder stores merged in, as :meth:`of`),
        or None when there is none yet (``runlens analyze`` then judges against
        population bands)."""
        from .store.paths import history_exists

        if not history_exists():
            return None  # nothing to open: no SQLite, no store code loaded
        h = cls.of(None, config=config)
        try:
            h.merge_old_stores(create=False)
        except RunlensError:
            if h.path.exists():
                raise  # a store that is there but unusable is said, not skipped
            return None
        return h

    def merge_old_stores(self, *, create: bool = False) -> list[dict]:
        """Open the store, merging the runner's old per-folder stores into it first
        (only for :meth:`of` ``(None)``); returns what was merged (also ``.merged``).

        Raises
        ------
        StoreError
            No store here (and ``create`` is False), or not a runlens store.
        """
        from .history.runner import open_history

        with open_history(None if self._own else self.path, create=create) as store:
            self.merged = list(store.merged)
        return self.merged

    def _store(self, create: bool = False):
        from .store.db import Store

        return Store(self.path, create=create)

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
        progress=None,
        judging=None,
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
            Path (a zip member as ``ZIP!/NAME``) -> sport, remembered; a relative
            path is taken from the current folder.
        progress, judging : callable, optional
            ``f(done, total)`` as files are read, and as runs are judged.

        Returns
        -------
        runlens.history.ScanReport
            What was found, read and left out (``.to_dict()``: ``scan --json``).
        """
        from .history.scan import scan
        from .io.archive import SEP

        full = {}
        for path, sport in (sports or {}).items():
            outer, sep, rest = str(path).partition(SEP)
            full[os.path.abspath(outer) + (sep + rest if sep else "")] = sport
        rep = scan(
            folder, None if self._own else self.path, jobs=jobs, rescan=rescan,
            config=self.config, sports=full, progress=progress, judging=judging,
        )  # fmt: skip
        self.merged = list(rep.merged)
        return rep

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

        doc = self.weekly_doc(week_start, load_unit, include_undated)
        rows = [
            {**{k: v for k, v in w.items() if k != "findings"}, "n_findings": len(w["findings"])}
            for w in doc["weeks"]
        ]
        df = pd.DataFrame(rows)
        df["week"] = pd.to_datetime(df["week"])
        df = df.astype({c: float for c in df.columns if df[c].dtype == object})
        df.attrs.update({k: doc[k] for k in ("load_unit", "week_start", "counts", "assumptions")})
        return df

    def weekly_doc(self, week_start=None, load_unit=None, include_undated=False) -> dict:
        """The JSON object of ``runlens weekly --json`` (docs/json.md), every week.

        Raises
        ------
        RunlensError
            No store, or no runs stored in it.
        """
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

        doc = self.weekly_doc(**weekly_options)
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

    # ----------------------------------------------------------- what the commands read
    def run_rows(self) -> tuple[list[dict], dict, list[dict]]:
        """The runs of ``runlens runs``: (one dict per counted run with its form flags,
        oldest first; the history's counts; the sources no longer on disk).

        Raises
        ------
        RunlensError
            No store, or no runs stored in it.
        """
        from .history.analysis import build_history, run_form_flags

        with self._store() as store:
            h = build_history(store, self.config)
            gone = store.gone_sources()
        rows = run_form_flags(h)
        if not rows:
            raise RunlensError(
                "no runs stored yet; run `runlens scan DIR` first", path=str(self.path)
            )
        return rows, h.counts, gone

    def activity_names(self) -> dict[str, str]:
        """Activity names by path, as the export lists (Strava's activities.csv,
        Garmin's summaries) gave them; empty when the store cannot say."""
        from .history.scan import NAMES_KEY

        try:
            with self._store() as store:
                return dict(store.meta(NAMES_KEY, {}) or {})
        except Exception:  # noqa: BLE001 - names are a nicety; the weeks were read already
            return {}

    def baseline_view(self, as_of: str | None = None, *, option: str = "as_of") -> BaselineView:
        """What ``runlens baseline`` shows and draws: the runner's baselines as of
        ``as_of`` (as :meth:`baseline`) with the minutes of the window they were fitted
        on and the overstriding rule's ratios (``option`` names ``as_of`` in errors)."""
        from .baseline import window_words
        from .history.baseline import history_minutes
        from .history.judge import baseline_on, baseline_settings
        from .report.console import BaselineView
        from .rules import REGISTRY

        with self._store() as store:
            minutes = history_minutes(store)
            flagged = store.flagged_paths("overstriding")
        db = str(self.path)
        pb, as_of_s = baseline_on(minutes, self.config, as_of, option=option, path=db)
        rule = REGISTRY["overstriding"].from_config(self.config)
        days = baseline_settings(self.config)["window_days"]
        rs = minutes["run_start_s"].to_numpy(float)
        window = minutes[(rs < as_of_s) & (rs >= as_of_s - days * 86400.0)]
        return BaselineView(
            baseline=pb, store=db, as_of_s=as_of_s, before=window_words(as_of, as_of_s),
            ratios=(rule.baseline_ratio, rule.flag_ratio), minutes=window, flagged=flagged,
        )  # fmt: skip

    def chart_data(
        self,
        date_from=None,
        date_to=None,
        *,
        last_weeks: int | None = None,
        week_start: str | None = None,
        load_unit: str | None = None,
        units: str | None = None,
        say=None,
    ) -> ChartData:
        """What ``runlens chart`` and ``runlens report`` draw: the history cut to the
        days ``date_from`` to ``date_to`` (days, e.g. ``pandas.Timestamp``), with the
        pain diary's episodes and report and the activities' names.

        Parameters
        ----------
        last_weeks : int, optional
            Without ``date_from``: the last N weeks up to ``date_to`` or the last run
            (default :data:`runlens.report.console.RECENT_WEEKS`; 0: the whole history).
        say : callable, optional
            ``say(line)``: told which weeks are shown when they were not asked for.

        Raises
        ------
        RunlensError
            No store, no runs in it or in the range.
        """
        from .history.analysis import build_history
        from .pain import episodes_for_chart, list_entries, pain_report
        from .report.charts import chart_data
        from .report.console import RECENT_WEEKS
        from .report.vocab import resolve_units

        lo, hi = date_from, date_to
        config = self.config
        with self._store() as store:
            history = build_history(store, config, week_start=week_start, load_unit=load_unit)
            if not len(history.acts):
                raise RunlensError("no runs in the history", path=str(self.path))
            # Pain diary episodes (docs/pain.md), marked on the weekly chart.
            pain = episodes_for_chart(store)
            entries = list_entries(store)
            pain_doc = pain_report(store, config=config, history=history) if entries else None
        days: dict = {}
        for e in entries:  # the worst of each diary day
            days[e.date] = max(days.get(e.date, 0), int(e.severity))
        if lo is None and last_weeks != 0:
            n = RECENT_WEEKS if last_weeks is None else last_weeks
            import pandas as pd

            end = hi if hi is not None else history.acts["local_date"].max()
            first = history.acts["local_date"].min()
            start = pd.Timestamp(end) - pd.Timedelta(weeks=n) + pd.Timedelta(days=1)
            if start > first:
                lo = start
                if last_weeks is None and say is not None:
                    say(
                        f"showing the last {n} weeks (from {lo.date().isoformat()}); "
                        "--from, --to or --last 0 show others"
                    )
        data = chart_data(history, date_from=lo, date_to=hi)
        data.pain, data.pain_report = pain, pain_doc
        data.units = resolve_units(units, config)
        data.pain_days = sorted(days.items())
        data.names = self.activity_names()
        return data

    # ------------------------------------------------------------------- the pain diary
    def add_pain(self, date, severity, where: str | None = None, note: str | None = None):
        """Log one day's pain (docs/pain.md); returns the :class:`~runlens.pain.PainEntry`."""
        from .pain import add_entry

        with self._store(create=True) as store:
            return add_entry(store, date, severity, where, note)

    def pain_entries(self, date_from=None, date_to=None, where: str | None = None) -> list:
        """The diary's entries from ``date_from`` to ``date_to`` (YYYY-MM-DD, today,
        yesterday) at ``where``, as :class:`~runlens.pain.PainEntry` objects."""
        from .pain import list_entries

        lo = self.pain_day(date_from) if date_from else None
        hi = self.pain_day(date_to) if date_to else None
        with self._store() as store:
            try:
                return list_entries(store, lo, hi, where)
            except ValueError as exc:
                raise RunlensError(str(exc)) from None

    @staticmethod
    def pain_day(text):
        """A diary day (``datetime.date``) from ``YYYY-MM-DD``, ``today`` or ``yesterday``.

        Raises
        ------
        RunlensError
            Not such a day, or one in the future.
        """
        from .pain.diary import parse_date

        try:
            return parse_date(text)
        except ValueError as exc:
            raise RunlensError(str(exc)) from None

    def edit_pain(self, entry_id: int, **changes) -> tuple:
        """Correct one diary entry (``date``, ``severity``, ``location``, ``note``):
        returns (the entry as it was, as it is now)."""
        from .pain import edit_entry, get_entry

        with self._store() as store:
            old = get_entry(store, entry_id)
            return old, edit_entry(store, entry_id, **changes)

    def remove_pain(self, entry_id: int):
        """Delete one diary entry; returns it."""
        from .pain import remove_entry

        with self._store() as store:
            return remove_entry(store, entry_id)

    def import_pain(self, path: PathLike):
        """Import a diary CSV, all or nothing (docs/pain.md); returns its
        :class:`~runlens.pain.diary.ImportReport`. The file is only read."""
        from .pain import import_csv

        with self._store(create=True) as store:
            return import_csv(store, path)

    def pain_report(self, **options) -> dict:
        """The JSON object of ``runlens pain report --json``: what came before each
        pain episode, vs pain-free periods. ``options``: those of
        :func:`runlens.pain.pain_report` (``days``, ``threshold``, ``max_gap_days``,
        ``location``)."""
        from .pain import pain_report

        with self._store() as store:
            return pain_report(store, config=self.config, **options)

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
