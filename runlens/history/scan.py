"""Scan a folder of activity files into the history store.

Discovery and ``stat`` happen here; reading, hashing and analysis happen in
worker processes (one per core by default), which return small dicts; this
process writes each result to the store in its own transaction as it
arrives, so an interrupted scan keeps everything already stored and the next
scan completes it. A file whose size and mtime match the store is not opened;
one whose bytes hash the same as stored is not analysed again. The scanned
folder is only read, never written.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import RunlensError
from .discover import discover
from .store import DERIVED_STATE_KEY, Store, default_store_path
from .worker import analyse_file

if TYPE_CHECKING:
    from ..config import Config

__all__ = ["ScanReport", "scan"]


@dataclass
class ScanReport:
    """What a scan did.

    Attributes
    ----------
    root, db : str
        The scanned folder and the store file.
    found : int
        Activity files discovered (by name).
    ignored : int
        Other files in the folder (not .fit/.gpx/.gz of them).
    not_read : int
        Files unchanged since the last scan (size and mtime), not opened.
    read : int
        Files opened and hashed.
    same_content : int
        Of those, files whose bytes were unchanged (not analysed again).
    analysed : int
        Files read as activities (new or changed).
    bad, skipped : int
        New or changed files refused (bad) or holding no activity (skipped)
        in this scan.
    removed : int
        Files stored before but gone from the folder (forgotten).
    activities, runs, duplicates : int
        In the store after the scan (``runs``: counted in the load).
    weeks : int
        Local weeks from the first run to the last.
    problems : list of (path, status, reason)
        Every file of the store that is not an activity, new or old.
    form_rules : str
        ``"evaluated"`` or ``"unavailable"`` (form rules not installed).
    judged : int
        Runs whose form findings were judged anew against their baseline.
    form_flags : int
        Counted runs with at least one form flag, after the scan.
    seconds : float
        Wall time of the scan.
    assumptions : list of str
    """

    root: str
    db: str
    found: int = 0
    ignored: int = 0
    not_read: int = 0
    read: int = 0
    same_content: int = 0
    analysed: int = 0
    bad: int = 0
    skipped: int = 0
    removed: int = 0
    activities: int = 0
    runs: int = 0
    duplicates: int = 0
    weeks: int = 0
    problems: list[tuple[str, str, str]] = field(default_factory=list)
    form_rules: str = "unavailable"
    judged: int = 0
    form_flags: int = 0
    seconds: float = 0.0
    assumptions: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        from dataclasses import asdict

        d = asdict(self)
        d["problems"] = [{"path": p, "status": s, "reason": r} for p, s, r in self.problems]
        return d


def scan_root(root: str | os.PathLike[str]) -> str:
    """``root`` resolved, as scans name it; RunlensError unless it is a folder."""
    rootp = Path(root)
    if not rootp.is_dir():
        raise RunlensError(
            "no such folder" if not rootp.exists() else "not a folder", path=str(root)
        )
    return str(rootp.resolve())


def check_outside(out: Path, root: str, what: str, option: str) -> None:
    """Refuse an output (``what``, chosen with ``option``) inside the scanned folder ``root``."""
    if out.resolve().is_relative_to(root):
        raise RunlensError(
            f"the {what} would be written inside the scanned folder, which runlens never "
            f"writes to; choose {option} outside it",
            path=str(out),
        )


def _executor(jobs: int):
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=jobs)


def scan(
    root: str | os.PathLike[str],
    db: str | os.PathLike[str] | None = None,
    *,
    jobs: int | None = None,
    rescan: bool = False,
    config: Config | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ScanReport:
    """Scan ``root`` recursively into the store ``db``.

    Parameters
    ----------
    root : path
        Folder to scan (e.g. a Strava export or a Garmin folder).
    db : path, optional
        Store file; default :func:`~runlens.history.store.default_store_path`.
    jobs : int, optional
        Worker processes (default: all cores); 1 reads in this process.
    rescan : bool
        Read and analyse every file again, changed or not.
    config : Config, optional
        Runner profile and rule parameters.
    progress : callable, optional
        Called as ``progress(done, total)`` after each file read.

    Returns
    -------
    ScanReport

    Raises
    ------
    RunlensError
        ``root`` is not a folder, or the store is unusable (StoreError).
    """
    t0 = time.perf_counter()
    r = scan_root(root)
    dbp = Path(db) if db is not None else default_store_path(r)
    check_outside(dbp, r, "store", "--db")
    store = Store(dbp)
    try:
        report = ScanReport(root=r, db=str(dbp))
        files, report.ignored = discover(r)
        report.found = len(files)
        known = store.known_files(r)
        todo: list[tuple[str, str | None]] = []
        for f in files:
            k = known.get(f.path)
            if not rescan and k is not None and (k[0], k[1]) == (f.size, f.mtime_ns):
                report.not_read += 1
                continue
            todo.append((f.path, None if (rescan or k is None) else k[2]))
        report.removed = store.remove_missing(r, {f.path for f in files})
        n = len(todo)
        jobs = max(1, jobs or os.cpu_count() or 1)

        changed = report.removed > 0

        def record(res: dict) -> None:
            nonlocal changed
            changed = changed or res["status"] != "unchanged"
            store.put_result(res, r)
            report.read += res["sha256"] is not None
            st = res["status"]
            if st == "unchanged":
                report.same_content += 1
            elif st == "ok":
                report.analysed += 1
                report.form_rules = res["activity"]["form_rules"]
            elif st == "skipped":
                report.skipped += 1
            else:
                report.bad += 1

        done = 0
        if jobs == 1 or n <= 1:
            for path, sha in todo:
                record(analyse_file(path, sha, config))
                done += 1
                if progress:
                    progress(done, n)
        elif n:
            from concurrent.futures import as_completed

            with _executor(min(jobs, n)) as ex:
                futs = [ex.submit(analyse_file, p, sha, config) for p, sha in todo]
                try:
                    for fut in as_completed(futs):
                        record(fut.result())
                        done += 1
                        if progress:
                            progress(done, n)
                except BaseException:
                    for f in futs:
                        f.cancel()
                    raise

        from .analysis import derived_fingerprint

        # Nothing stored changed and the derived tables were refreshed with the
        # same settings (their record is deleted by every write that changes
        # an activity): reuse them, without importing pandas.
        state = None if changed else store.meta(DERIVED_STATE_KEY)
        if not (
            isinstance(state, dict) and state.get("fingerprint") == derived_fingerprint(config)
        ):
            from .analysis import derived_state, refresh_derived
            from .judge import judge_history

            state = derived_state(refresh_derived(store, config), config)
            # Duplicates are known now: judge each counted run against the
            # runs before it (reads again only runs whose baseline changed).
            report.judged = judge_history(store, config, jobs)
        store.mark_root_scanned(r)
        report.activities = store.count("activities")
        report.runs = state["runs"]
        report.duplicates = state["duplicates"]
        report.weeks = state["weeks"]
        report.problems = store.problem_files(r)
        report.form_flags = store.conn.execute(
            "SELECT count(*) FROM activities WHERE duplicate_of IS NULL "
            "AND (sport IS NULL OR sport = 'running') "
            "AND EXISTS (SELECT 1 FROM json_each(findings_json) "
            "WHERE json_extract(value, '$.severity') = 'flag')"
        ).fetchone()[0]
        report.assumptions = list(state["assumptions"])
        if report.analysed == 0:
            row = store.conn.execute(
                "SELECT form_rules FROM activities ORDER BY path LIMIT 1"
            ).fetchone()
            report.form_rules = row[0] if row else report.form_rules
        report.seconds = time.perf_counter() - t0
        return report
    finally:
        store.close()
