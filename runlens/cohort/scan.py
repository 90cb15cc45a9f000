"""Scan a cohort (many runners' histories) on a Dask cluster into a Parquet dataset.

:func:`scan_cohort` discovers the files as the local scan does
(:func:`runlens.history.discover`), assigns each to a runner
(:mod:`runlens.cohort.runners`), runs the local scan's per-file work on the
cluster (:mod:`runlens.cohort.engine_dask`) and writes one Parquet partition
per runner (:mod:`runlens.cohort.dataset`). With ``db`` the same results are
also written to a history store exactly as ``runlens scan`` would write them.

A second cohort scan reads only what changed: each runner's partition keeps
every file's result with the file's size, modification time and export hint
(``engine_dask.RESULTS_FILE``), and a file as it was is taken from there, not
read again (the dataset is still rewritten whole). The new dataset is written
beside the old one and swapped in at the end, so a failed scan leaves the
previous dataset as it was.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import RunlensError
from .runners import RunnerMap, assign_runners

if TYPE_CHECKING:
    from ..config import Config

__all__ = ["CohortScanReport", "scan_cohort", "default_dataset_path"]

#: In the dataset being written: the runs the workers read, kept for judging
#: (removed at the end; pyarrow skips names starting with ``_``).
JUDGE_DIR = "_runlens_judge"


@dataclass
class CohortScanReport:
    """What a cohort scan did.

    Attributes
    ----------
    root, parquet : str
        The cohort folder and the dataset folder written.
    db : str or None
        The store the results were merged into, if any.
    cluster : str
        ``"local"`` (a LocalCluster started for the scan) or the scheduler address.
    workers : int
        Workers of the cluster.
    runner_mode : str
        ``"folders"`` or ``"mapping"``.
    found, ignored : int
        Activity files discovered; other files seen.
    unassigned : list of str
        Files no runner was found for (not read).
    activities, counted, duplicates, bad, skipped : int
        Over all runners.
    runners : list of dict
        Per runner: ``runner``, ``files``, ``activities``, ``counted``,
        ``duplicates``, ``other_sports``, ``flagged_sessions``, ``spike_flagged``,
        ``form_flagged``, ``hr_profile``, ``assumptions``, ``parquet_file``,
        ``error`` (None, or why the runner has no partition).
    problems : list of (path, status, reason)
    unreadable : int
        Files the workers could not open (wrong paths on a remote cluster?).
    form_rules : str
    seconds, cluster_seconds : float
        Wall time of the whole scan, and of connecting to / starting the cluster.
    """

    root: str
    parquet: str
    db: str | None = None
    cluster: str = "local"
    workers: int = 0
    runner_mode: str = "folders"
    found: int = 0
    ignored: int = 0
    unassigned: list[str] = field(default_factory=list)
    activities: int = 0
    counted: int = 0
    duplicates: int = 0
    bad: int = 0
    skipped: int = 0
    runners: list[dict[str, Any]] = field(default_factory=list)
    problems: list[tuple[str, str, str]] = field(default_factory=list)
    unreadable: int = 0
    form_rules: str = "not run"
    seconds: float = 0.0
    cluster_seconds: float = 0.0

    def to_dict(self) -> dict:
        d = asdict(self)
        d["problems"] = [{"path": p, "status": s, "reason": r} for p, s, r in self.problems]
        return d


def default_dataset_path(root: str | os.PathLike[str]) -> Path:
    """Where a cohort's dataset goes without ``--parquet``: in runlens' data directory.

    ``$XDG_DATA_HOME/runlens/cohorts/NAME-HASH`` on Linux (the folder's name
    and a hash of its path, :func:`~runlens.store.db.folder_store_name`).
    """
    from ..store.db import data_dir, folder_store_name

    return data_dir() / "cohorts" / folder_store_name(root)


def _check_output(out: Path, root: str) -> None:
    from ..history.scan import check_outside
    from .dataset import MANIFEST

    check_outside(out, root, "dataset", "--parquet")
    if out.exists():
        if not out.is_dir():
            raise RunlensError(
                "exists and is not a folder; choose another --parquet", path=str(out)
            )
        if any(out.iterdir()) and not (out / MANIFEST).is_file():
            raise RunlensError(
                "a folder that is not a runlens cohort dataset; left untouched. Choose an empty "
                "or new folder with --parquet",
                path=str(out),
            )


def _swap_in(staging: Path, out: Path) -> None:
    """Replace ``out`` by ``staging`` (two renames; the old dataset is removed last)."""
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{uuid.uuid4().hex[:8]}")
        out.rename(old)
    staging.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def scan_cohort(
    root: str | os.PathLike[str],
    parquet: str | os.PathLike[str] | None = None,
    *,
    db: str | os.PathLike[str] | None = None,
    runners: RunnerMap | str | os.PathLike[str] | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    client: Any = None,
    config: Config | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CohortScanReport:
    """Scan a cohort folder on a Dask cluster.

    Parameters
    ----------
    root : path
        The cohort folder: one subfolder per runner, or any layout with a
        mapping file.
    parquet : path, optional
        Dataset folder to write (default :func:`default_dataset_path`); an
        existing runlens dataset there is replaced.
    db : path, optional
        Also merge the results into this history store, as ``runlens scan
        ROOT --db DB`` would (the store sees the folder as one history).
    runners : RunnerMap or path, optional
        A mapping file (CSV ``path_glob,runner``) or a RunnerMap; default one
        runner per first-level subfolder.
    scheduler : str, optional
        Address of a running Dask scheduler; default a LocalCluster on loopback.
    workers : int, optional
        LocalCluster worker processes (default: all cores).
    client : distributed.Client, optional
        Use this client instead of connecting (``scheduler`` and ``workers``
        are then ignored).
    config : Config, optional
    progress : callable, optional
        ``progress(done, total)`` after each file.

    Returns
    -------
    CohortScanReport

    Raises
    ------
    RunlensError
        ``root`` is not a folder; the dataset or store is unusable or inside
        ``root``; no file belongs to a runner; dask is not installed; the
        cluster cannot be reached or fails.
    """
    from .engine_dask import require_dask

    require_dask()
    from ..history.scan import check_outside, scan_root
    from .dataset import write_manifest

    t0 = time.perf_counter()
    r = scan_root(root)
    rmap = runners if isinstance(runners, RunnerMap) else None
    if rmap is None:
        from .runners import load_mapping

        rmap = load_mapping(runners) if runners is not None else RunnerMap()
    out = Path(parquet) if parquet is not None else default_dataset_path(r)
    out = out.resolve()
    _check_output(out, r)
    report = CohortScanReport(root=r, parquet=str(out), runner_mode=rmap.mode)

    paths, hints, report.ignored = _sources(r)
    report.found = len(paths)
    assign = assign_runners(r, paths, rmap)
    report.unassigned = assign.unassigned
    if not assign.by_runner:
        hint = (
            "name them in the mapping file"
            if rmap.mode == "mapping"
            else "put each runner's files in a subfolder DIR/RUNNER/, or name them in a "
            "mapping file (--runners)"
        )
        raise RunlensError(f"no activity file here belongs to a runner: {hint}", path=r)

    store = None
    if db is not None:
        from ..store.db import Store

        dbp = Path(db)
        check_outside(dbp, r, "store", "--db")
        store = Store(dbp)
        report.db = str(dbp)

    staging = out.with_name(f".{out.name}.tmp-{uuid.uuid4().hex[:8]}")
    try:
        staging.mkdir(parents=True)
        # the runs the workers read, kept for judging (by the runner tasks, and by
        # the store's judging pass here): each file is decoded once per scan
        judge_dir = staging / JUDGE_DIR
        judge_dir.mkdir()
        if store is not None:
            store.remove_missing(r, set(paths))

        known = store.known_files(r) if store is not None else {}

        def merge(res: dict, reused: bool) -> None:
            # a result taken from the previous scan is merged where this store
            # does not hold the file as it is (another --db than last time)
            k = known.get(res.get("path"))
            if reused and k is not None and [k[0], k[1]] == [res.get("size"), res.get("mtime_ns")]:
                return
            store.put_result(res, r)

        def run(cl: Any) -> list[dict[str, Any]]:
            from .engine_dask import check_workers, run_tasks

            report.workers = len(check_workers(cl))
            report.cluster_seconds = time.perf_counter() - t_cluster
            return run_tasks(
                cl,
                r,
                assign.by_runner,
                str(staging),
                config,
                on_result=merge if store is not None else None,
                progress=progress,
                hints=hints,
                previous=str(out) if out.is_dir() else None,
                judge_dir=str(judge_dir),
            )

        t_cluster = time.perf_counter()
        if client is not None:
            report.cluster = str(client.scheduler_info().get("address", "client"))
            summaries = run(client)
        else:
            from .engine_dask import dask_client

            report.cluster = scheduler or "local"
            with dask_client(scheduler, workers) as cl:
                summaries = run(cl)

        for s in summaries:
            report.activities += s["activities"]
            report.counted += s["counted"]
            report.duplicates += s["duplicates"]
            report.unreadable += s["unreadable"]
            for p, st, why in s["problems"]:
                report.problems.append((p, st, why))
                report.bad += st == "bad"
                report.skipped += st == "skipped"
            if s["form_rules"] is not None:
                report.form_rules = s["form_rules"]
        report.problems.sort()
        report.runners = [{k: s[k] for k in _RUNNER_KEYS} for s in summaries]
        write_manifest(
            staging,
            {
                "root": r,
                "runners_map": rmap.to_dict(),
                "created_by": _created_by(),
                "scanned_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "runners": {
                    s["runner"]: {
                        k: s[k] for k in _RUNNER_KEYS if k not in ("runner", "parquet_file")
                    }
                    | {"problems": s["problems"], "volume_findings": s["volume_findings"]}
                    for s in summaries
                },
                "unassigned": assign.unassigned,
                "config": getattr(config, "path", None),
            },
        )
        if store is None:
            shutil.rmtree(judge_dir, ignore_errors=True)
        _swap_in(staging, out)
        for s in report.runners:
            if s["parquet_file"]:
                s["parquet_file"] = s["parquet_file"].replace(str(staging), str(out), 1)
        if store is not None:
            from ..history.analysis import refresh_derived
            from ..history.judge import judge_history

            refresh_derived(store, config)
            # as a local scan of the same store judges it, from the runs the
            # workers kept (not decoded again)
            kept = out / JUDGE_DIR
            try:
                judge_history(store, config, judge_dir=str(kept))
            finally:
                shutil.rmtree(kept, ignore_errors=True)
            store.mark_root_scanned(r)
            store.set_meta("cohort", {"root": r, "runners_map": rmap.to_dict()})
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        if store is not None:
            store.close()
    report.seconds = time.perf_counter() - t0
    return report


def _sources(root: str) -> tuple[list[str], dict[str, dict], int]:
    """What a local scan of ``root`` reads: (activity paths, zip members as
    ``ZIP!/NAME`` included; export-list hints by path; files left out).

    Strava's activities.csv and Garmin's summaries, in the folder or in a zip,
    give the sport, name and time zone of the files they name, as in the local
    scan (matching Garmin summaries by start time needs the file read first and
    is left to the local scan).
    """
    from types import SimpleNamespace

    from ..history.discover import discover_sources
    from ..history.scan import _read_list
    from ..io.archive import Archive
    from ..io.exports import ExportIndex, is_export_list
    from ..io.names import is_activity_name

    d = discover_sources(root)
    index = ExportIndex()
    counts = SimpleNamespace(export_lists=0)
    left_out = sum(d.left_out.values())
    for f in d.lists:
        left_out += not _read_list(Path(f.path).read_bytes(), f.path, index, counts)
    paths = [f.path for f in d.files]
    for z in d.zips:
        try:
            with Archive(z.path) as arc:
                members = list(arc.members(lambda b: is_activity_name(b) or is_export_list(b)))
                for m in members:
                    if is_export_list(m.chain[-1]):
                        left_out += not _read_list(arc.read(m), m.path, index, counts)
                    else:
                        paths.append(m.path)
        except RunlensError:
            left_out += 1  # a zip that cannot be read: said by a local scan, left out here
    hints = {}
    for p in paths:
        h = index.for_name(p)
        if h is not None:
            hints[p] = {
                "sport": h.sport, "name": h.name, "utc_offset_s": h.utc_offset_s,
                "origin": h.origin,
            }
    return sorted(paths), hints, left_out


_RUNNER_KEYS = (
    "runner",
    "files",
    "activities",
    "counted",
    "duplicates",
    "other_sports",
    "flagged_sessions",
    "spike_flagged",
    "form_flagged",
    "hr_profile",
    "assumptions",
    "parquet_file",
    "error",
)


def _created_by() -> str:
    from .. import __version__

    return f"runlens {__version__}"
