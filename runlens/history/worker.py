"""What a scan worker does with one file: read, hash, analyse, return a small dict.

Runs in a child process (``concurrent.futures.ProcessPoolExecutor``); it
returns plain Python values only (summary numbers, findings as dicts, a
heart-rate histogram and per-minute speed/cadence points), never a DataFrame,
so results cross the process boundary cheaply. It never writes anything.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import os
import time
from typing import TYPE_CHECKING, Any

from ..errors import NotAnActivityError, RunlensError

if TYPE_CHECKING:
    from ..config import Config
    from ..model import Activity

__all__ = ["analyse_file", "analyse_bytes", "form_findings", "set_start_table"]


@functools.cache
def _parameters(fn: Any) -> frozenset[str]:
    """Parameter names of ``fn`` (once per process: a worker calls it per file)."""
    import inspect

    try:
        return frozenset(inspect.signature(fn).parameters)
    except (TypeError, ValueError):  # pragma: no cover - builtins
        return frozenset()


def form_findings(
    activity: Activity, config: Config | None = None, baseline: Any = None
) -> tuple[list[dict], str]:
    """Form findings of one activity, if the form rules are installed.

    The form rules (``runlens.rules.evaluate_all``) are imported lazily: a scan
    works without them and records ``"unavailable"``. ``baseline`` is the
    runner's :class:`~runlens.baseline.PersonalBaseline` as of this run (from
    the runs before it only, so that what is stored for a file never depends
    on the order files were scanned in); without one the rules use their
    population fallback.

    Returns
    -------
    findings : list of dict
    status : str
        ``"evaluated"``, ``"unavailable"`` or ``"failed: ..."``.
    """
    try:
        from ..rules import evaluate_all  # type: ignore[attr-defined]
    except ImportError:
        return [], "unavailable"
    kwargs: dict[str, Any] = {}
    if "config" in _parameters(evaluate_all) and config is not None:
        kwargs["config"] = config
    if baseline is not None:
        kwargs["baseline"] = baseline
    try:
        found = evaluate_all(activity, **kwargs)
    except Exception as exc:  # noqa: BLE001 - one rule's bug must not lose the file
        return [], f"failed: {type(exc).__name__}: {exc}"
    return [f.to_dict() if hasattr(f, "to_dict") else dict(f) for f in found], "evaluated"


def _num(v: Any) -> float | None:
    """A finite float or None (the store keeps JSON without NaN)."""
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _rows(frame) -> list[list]:
    """A form table (DataFrame or :func:`~runlens.metrics.form.form_minute_columns`'
    dict; None: no rows) as plain rows (NaN as None), columns as ``FORM_COLUMNS``."""
    import numpy as np

    if frame is None:
        return []
    cols = [np.asarray(frame[c]) for c in (frame.columns if hasattr(frame, "columns") else frame)]
    if not cols or not len(cols[0]):
        return []
    out = []
    for k, a in enumerate(cols):
        if k == 0:
            out.append([int(v) for v in a.tolist()])  # the minute
        elif k == 4:
            out.append([bool(v) for v in a.tolist()])  # steady
        else:  # each column converted at once: Python floats, NaN and infinities as None
            f = a.astype(float)
            o = f.astype(object)
            o[~np.isfinite(f)] = None
            out.append(o.tolist())
    return [list(r) for r in zip(*out)]  # one row per minute, not per sample


def _kept(judge_dir: str, path: str) -> str:
    return os.path.join(judge_dir, hashlib.sha256(path.encode("utf-8", "surrogatepass")).hexdigest())


def keep_for_judging(
    judge_dir: str | dict, path: str, events: list, memos: list | None = None
) -> None:
    """Keep the runs of ``path`` as read (hints applied) in ``judge_dir`` for the
    judging pass of the same scan, which then does not decode the file again;
    with ``memos`` (per run, :func:`runlens.memo.memos_of`), what the summary
    derived from each run (its sample frame), which the rules need too.

    ``judge_dir`` is a folder (a worker process pickles them there) or, when the
    scan reads in its own process, a dict holding them as they are."""
    if isinstance(judge_dir, dict):
        judge_dir[path] = (events, memos)
        return
    import pickle

    tmp = _kept(judge_dir, path) + f".{os.getpid()}.tmp"
    with open(tmp, "wb") as fh:
        pickle.dump((events, memos), fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, _kept(judge_dir, path) + ".pkl")


#: What a scan keeps of a run for its judging pass, per byte of the file read: the
#: run as read (0.47 MB for a 156 kB one-hour FIT run) and its sample table (0.64 MB).
KEPT_PER_INPUT_BYTE = 8


class KeptRuns(dict):
    """A scan worker's runs kept in its memory for the judging pass (path ->
    (runs, memos)), up to ``budget`` bytes (estimated from the size of each file
    read, :meth:`expect`); past it, in the scan's temporary ``folder`` (with the
    memos if ``disk_memos``), or nowhere without one (the judging pass then reads
    the file again). Given as ``judge_dir``: :func:`keep_for_judging` and
    :func:`_take_kept` see a dict."""

    def __init__(self, budget: int, folder: str | None = None, disk_memos: bool = False):
        super().__init__()
        self.left = budget
        self.folder = folder
        self.disk_memos = disk_memos
        self.size = 0

    def expect(self, input_bytes: int | None) -> None:
        """The next file read has ``input_bytes``."""
        self.size = KEPT_PER_INPUT_BYTE * int(input_bytes or 0)

    def __setitem__(self, path: str, value: tuple) -> None:
        if self.size <= self.left:
            self.left -= self.size
            super().__setitem__(path, value)
        elif self.folder is not None:
            events, memos = value
            keep_for_judging(self.folder, path, events, memos if self.disk_memos else None)

    def get(self, path: str, default: Any = None) -> Any:
        got = super().get(path)
        if got is None and self.folder is not None:
            got = _take_kept(self.folder, path)
        return default if got is None else got


def _take_kept(judge_dir: str | None, path: str) -> tuple[list, list | None] | None:
    """The runs (and their memos) :func:`keep_for_judging` kept for ``path``, or None."""
    if judge_dir is None:
        return None
    if isinstance(judge_dir, dict):
        return judge_dir.get(path)
    import pickle

    try:
        with open(_kept(judge_dir, path) + ".pkl", "rb") as fh:
            return pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError):
        return None


def judge_file(
    path: str,
    config: Config | None,
    baseline: Any,
    stored: dict[str, Any] | None = None,
    judge_dir: str | None = None,
) -> dict[str, Any]:
    """Evaluate the form rules of the run ``path`` against ``baseline``.

    The run is read again, unless this scan read it and kept it in ``judge_dir``.

    ``stored`` is what the store says of the file (``sport``, ``utc_offset_s``):
    what the scan took from an export's list or the user's override, applied
    again, so the run is judged as the activity the scan stored.

    Returns
    -------
    dict
        ``path``, ``findings`` (list of dict), ``form_rules`` (status) and
        ``error`` (one line, when the file can no longer be read).
    """
    from ..memo import analysis_scope, seed_memos

    out: dict[str, Any] = {"path": path, "findings": [], "form_rules": "unavailable"}
    try:
        from ..io import read_all
        from ..io.archive import SEP, open_in_archive
        from ..io.events import split_event_key

        file, event = split_event_key(path)  # one run of a file that holds several
        kept = _take_kept(judge_dir, file)  # read by this scan: not decoded again
        events, memos = kept if kept is not None else (None, None)
        if events is None:
            if SEP in file:  # an archive member, read in place as the scan did
                _, data = open_in_archive(file)
            else:
                with open(file, "rb") as fh:
                    data = fh.read()
            stream = io.BytesIO(data)
            stream.name = file
            events = read_all(stream)
        if event >= len(events):
            raise RunlensError(f"the file no longer holds run {event + 1}", path=file)
        activity = events[event]
        resport = None
        if stored:
            from ..io.hints import apply_hints

            resport = stored.get("sport") if stored.get("sport") != activity.sport else None
            apply_hints(
                activity,
                sport=resport,
                utc_offset_s=stored.get("utc_offset_s"),
                origin="the store",
                force_sport=True,
            )
        with analysis_scope():
            if memos and event < len(memos) and resport is None:
                seed_memos(activity, memos[event])  # the same samples, sessions and sport
            out["findings"], out["form_rules"] = form_findings(activity, config, baseline)
        out["error"] = None
    except (OSError, RunlensError) as exc:
        out["error"] = str(exc)
    return out


def _activity_row(
    activity: Activity,
    config: Config | None,
    judge_later: bool = False,
    baseline_at=None,
    memos: list | None = None,
) -> dict[str, Any]:
    from ..memo import analysis_scope, memos_of

    # The summary and the form rules share one sample frame and one set of
    # rule signals (runlens.memo), instead of building them again each.
    with analysis_scope():
        row = _activity_row_in_scope(activity, config, judge_later, baseline_at)
        if memos is not None:  # for the judging pass (keep_for_judging)
            memos.append(memos_of(activity))
        return row


def _rules_status() -> str:
    """``"evaluated"`` when the form rules are installed (they judge the run), else
    ``"unavailable"``."""
    try:
        from ..rules import evaluate_all  # type: ignore[attr-defined]  # noqa: F401
    except ImportError:
        return "unavailable"
    return "evaluated"


def _activity_row_in_scope(
    activity: Activity, config: Config | None, judge_later: bool = False, baseline_at=None
) -> dict[str, Any]:
    from ..load import run_hr_histogram
    from ..metrics import summarize
    from ..metrics.form import form_minute_columns
    from ..model import ns_isoformat

    summary = summarize(activity)
    hist = run_hr_histogram(activity)
    p = activity.profile
    start_ns = activity.start_ns if activity.start_ns is not None else int(activity.table.t_ns[0])
    judged: dict[str, Any] = {}
    fitted = None
    if baseline_at is not None:  # judged now, on its baseline from the runs stored before it
        try:
            fitted = baseline_at(round(start_ns / 1e9, 6), activity.sport)
        except Exception:  # noqa: BLE001 - the store busy or odd: the judging pass judges it
            judge_later = True
    if fitted is not None:
        pb, key, inputs = fitted
        findings, form_status = form_findings(activity, config, pb)
        judged = {"judged_as": key, "judge_inputs": inputs}
    elif judge_later:  # the scan's judging pass evaluates the rules, once, on its baseline
        findings, form_status = [], _rules_status()
    else:
        findings, form_status = form_findings(activity, config)
    from ..tz import infer_utc_offset

    utc_offset = activity.utc_offset_s
    warnings = list(activity.warnings)
    zone = infer_utc_offset(activity)
    if zone is not None:
        utc_offset, said = zone
        warnings.append(said)
    return {
        "content_sha256": activity.source.sha256,
        "format": activity.source.format,
        "reader": activity.source.reader,
        "sport": activity.sport,
        "start_s": round(start_ns / 1e9, 6),
        "start_utc": ns_isoformat(start_ns),
        "utc_offset_s": None if utc_offset is None else int(utc_offset),
        "summary": {k: _num(v) for k, v in summary.items()},
        "device_summary": {k: _num(v) for k, v in activity.device_summary.items()},
        "hr_hist": hist,
        "profile": {
            "height_m": _num(p.height_m),
            "sex": p.sex,
            "resting_hr_bpm": _num(p.resting_hr_bpm),
            "max_hr_bpm": _num(p.max_hr_bpm),
            "device": activity.device.name,  # baselines count device families (issue 25)
        },
        "findings": findings,
        "form_rules": form_status,
        "form_minutes": _rows(form_minute_columns(activity)),
        "warnings": warnings,
        **judged,
    }


#: Garmin activity summaries of the scan (sorted starts, hints), set in each
#: worker process once (:func:`set_start_table`), matched by start time.
_START_TABLE: Any = None


def set_start_table(table: Any) -> None:
    """Set the export's start-time hints in this process (a pool initializer)."""
    global _START_TABLE
    _START_TABLE = table


#: What a worker imports to read and analyse a file and to judge a run.
_WORKER_MODULES = (
    "pandas",
    "bottleneck",
    "runlens.io",
    "runlens.io.fit_fast",
    "runlens.io.rawfit",
    "runlens.io.validate",
    "runlens.io.events",
    "runlens.io.hints",
    "runlens.metrics",
    "runlens.metrics.summary",
    "runlens.metrics.form",
    "runlens.load",
    "runlens.tz",
    "runlens.rules",
)


def preload() -> None:
    """Import what the workers need in this process, before it forks them: each
    worker then starts with it instead of importing it again (0.3-0.5 CPU-s a
    worker, and a scan forks two pools). Nothing when workers are not forked."""
    import importlib
    import multiprocessing

    if multiprocessing.get_start_method() != "fork":
        return
    for name in _WORKER_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:  # an optional part (the rules) not installed
            pass


def analyse_file(
    path: str,
    known_sha256: str | None = None,
    config: Config | None = None,
    hint: dict[str, Any] | None = None,
    sport: str | None = None,
    judge_dir: str | dict | None = None,
    baseline_at: Any = None,
    keep_memos: bool = False,
) -> dict[str, Any]:
    """Read one file and return what the store keeps of it.

    Parameters
    ----------
    path : str
        Absolute path of the file (opened read-only).
    known_sha256 : str, optional
        Hash of the file's bytes as stored; when it matches, the file is not
        analysed again (``status == "unchanged"``).
    config : Config, optional
        Passed to the form rules.
    hint : dict, optional
        What the export's list says of it (``sport``, ``name``,
        ``utc_offset_s``, ``origin``), used where the file says nothing.
    sport : str, optional
        The user's override of the file's sport.
    judge_dir : str or dict, optional
        See :func:`analyse_bytes`.
    baseline_at : callable, optional
        See :func:`analyse_bytes`.

    Returns
    -------
    dict
        ``path``, ``size`` (bytes), ``mtime_ns``, ``sha256`` (of the bytes on
        disk), ``status`` (``"ok"``, ``"bad"``, ``"skipped"`` for readable files
        that hold no activity, ``"unchanged"``), ``error`` (one line, or None),
        ``activity`` (dict or None: the file's first run), ``activities`` (every
        run of the file, each with its ``key`` in the history; most files hold
        one), ``seconds`` (time spent).
    """
    t0 = time.perf_counter()
    from ..io.archive import SEP
    from ..io.source import MAX_INPUT_BYTES, _too_large, open_regular

    if SEP in path:  # a zip member (a cohort worker reads it in place, as a scan does)
        import zlib

        from ..io.archive import open_in_archive

        try:
            _, data = open_in_archive(path)
        except (OSError, RunlensError) as exc:
            return _unread(path, getattr(exc, "message", None) or str(exc), t0)
        return analyse_bytes(
            path, data, len(data), zlib.crc32(data), known_sha256, config, hint, sport, t0=t0,
            judge_dir=judge_dir, baseline_at=baseline_at, keep_memos=keep_memos,
        )
    try:
        with open_regular(path) as fh:
            st = os.fstat(fh.fileno())
            # Size first, then a bounded read: a 4 GB file never enters memory.
            if st.st_size > MAX_INPUT_BYTES:
                raise _too_large(path, st.st_size)
            data = fh.read(MAX_INPUT_BYTES + 1)
            if len(data) > MAX_INPUT_BYTES:
                raise _too_large(path, len(data))
    except OSError as exc:
        res = _unread(path, f"cannot be read ({exc.strerror or exc})", t0)
        res["unreadable"] = True  # a scan keeps what it stored of it
        return res
    except RunlensError as exc:  # a FIFO, a device: refused, never waited on
        return _unread(path, exc.message, t0)
    return analyse_bytes(
        path, data, st.st_size, st.st_mtime_ns, known_sha256, config, hint, sport, t0=t0,
        judge_dir=judge_dir, baseline_at=baseline_at, keep_memos=keep_memos,
    )


def _unread(path: str, error: str, t0: float) -> dict[str, Any]:
    """The result for a file that could not be read at all."""
    return {
        "path": path,
        "size": None,
        "mtime_ns": None,
        "sha256": None,
        "status": "bad",
        "error": error,
        "activity": None,
        "seconds": time.perf_counter() - t0,
    }


def analyse_bytes(
    path: str,
    data: bytes,
    size: int,
    mtime_ns: int,
    known_sha256: str | None = None,
    config: Config | None = None,
    hint: dict[str, Any] | None = None,
    sport: str | None = None,
    *,
    t0: float | None = None,
    judge_dir: str | dict | None = None,
    baseline_at: Any = None,
    keep_memos: bool = False,
) -> dict[str, Any]:
    """:func:`analyse_file` of bytes already read (an archive member): same result.

    ``size`` and ``mtime_ns`` are what the store keeps to notice a change (for
    an archive member: its inflated size and its CRC-32). With ``judge_dir``
    (a scan's private temporary folder) the form rules are left to the scan's
    judging pass, which needs each run's baseline from the runs before it: the
    runs as read are kept there (:func:`keep_for_judging`) so that the file is
    decoded once per scan. With ``keep_memos`` too, what the summary derived from
    each run (its sample frame) is kept with it, so that the rules do not derive
    it again (about 0.7 MB per one-hour run on top of the run's 0.5 MB: the scan
    asks for it only when its temporary folder's disk has room).

    With ``baseline_at`` (:func:`runlens.history.judge.baseline_at`: start ->
    baseline, its key and inputs) each run is judged as it is read, in the same
    analysis as its summary (the rules run once), and its row says what it was
    judged on (``judged_as``, ``judge_inputs``).
    """
    t0 = time.perf_counter() if t0 is None else t0
    out: dict[str, Any] = {
        "path": path,
        "size": size,
        "mtime_ns": mtime_ns,
        "sha256": hashlib.sha256(data).hexdigest(),
        "status": "bad",
        "error": None,
        "activity": None,
    }
    if known_sha256 is not None and out["sha256"] == known_sha256:
        out["status"] = "unchanged"
        out["seconds"] = time.perf_counter() - t0
        return out
    try:
        from ..io import read_all
        from ..io.events import event_key
        from ..io.hints import apply_hints, infer_sport

        stream = io.BytesIO(data)
        stream.name = path  # errors and Source.path name the file, and .gz is checked
        rows = []
        memos: list | None = [] if judge_dir is not None and keep_memos else None
        # Each run of the file (most hold one) is its own activity of the history.
        events = read_all(stream)
        for n, activity in enumerate(events):
            if sport:
                apply_hints(activity, sport=sport, origin="the store's override", force_sport=True)
            h = hint
            if h is None and _START_TABLE is not None and activity.start is not None:
                from ..io.exports import match_start

                found = match_start(_START_TABLE, activity.start.timestamp())
                h = None if found is None else found.__dict__
            if h:
                apply_hints(
                    activity,
                    sport=h.get("sport"),
                    name=h.get("name"),
                    utc_offset_s=h.get("utc_offset_s"),
                    origin=h.get("origin") or "the export's list",
                )
            infer_sport(activity)
            row = _activity_row(
                activity,
                config,
                judge_later=judge_dir is not None,
                baseline_at=baseline_at,
                memos=memos,
            )
            row["name"] = activity.extra.get("name")
            row["key"] = event_key(path, n)
            if n:  # the content that identifies a run: the file's bytes and which run
                row["content_sha256"] = event_key(row["content_sha256"], n)
            rows.append(row)
        out["activity"] = rows[0]
        out["activities"] = rows
        out["status"] = "ok"
        if judge_dir is not None:
            keep_for_judging(judge_dir, path, events, memos)
    except NotAnActivityError as exc:
        out["status"], out["error"] = "skipped", exc.message
    except RunlensError as exc:
        out["error"] = exc.message
    except Exception as exc:  # noqa: BLE001 - a bug on one file must not stop a folder
        out["error"] = f"internal error (a bug in runlens): {type(exc).__name__}: {exc}"
    out["seconds"] = time.perf_counter() - t0
    return out
