"""Scan a folder of activity files, or a zip (a bulk export), into the history store.

Discovery and ``stat`` happen here; reading, hashing and analysis happen in
worker processes (one per core by default), which return small dicts; this
process writes each result to the store in its own transaction as it
arrives, so an interrupted scan keeps everything already stored and the next
scan completes it. A file whose size and mtime match the store is not opened;
one whose bytes hash the same as stored is not analysed again. The scanned
folder is only read, never written.

Zips (the scanned one, or any inside the folder) are read in place
(:mod:`runlens.io.archive`): a zip whose size and mtime match the last scan
is not opened; in one that changed, a member whose inflated size and CRC-32
(from the zip's directory) match the store is not read. Members are stored
as ``ZIP!/NAME`` with the CRC-32 in the ``mtime_ns`` column. Strava's
``activities.csv`` and Garmin's activity summaries found in the source give
the sport, name and time zone of files that lack them (:mod:`runlens.io.exports`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import RunlensError
from ..store.db import DERIVED_STATE_KEY
from .discover import discover_sources, is_activity_name, left_out_kind
from .worker import KEPT_PER_INPUT_BYTE, analyse_bytes, analyse_file, set_start_table

if TYPE_CHECKING:
    from ..config import Config

__all__ = ["ScanReport", "scan", "ARCHIVES_KEY", "NAMES_KEY", "SPORT_OVERRIDES_KEY"]

#: At most this many new or changed files read in the scan's own process are judged
#: as they are read (their runs kept in memory), and no more than the runs stored
#: before (a first scan's baselines change with every file); more are judged in a
#: pass after every file is stored.
INLINE_JUDGING_MAX = 16

#: Disk a scan leaves free beyond twice what it keeps, bytes.
KEEP_DISK_MARGIN = 1 << 30


#: A scan's temporary folder (the runs kept for its judging pass) is named
#: ``runlens-scan-PID-XXXXXXXX``: a scan killed outright (SIGKILL, a power cut) cannot
#: remove its own, and the next scan removes those of processes that are gone.
SCAN_FOLDER_PREFIX = "runlens-scan-"


def remove_stale_scan_folders(tmp: str | None = None) -> list[str]:
    """Remove the temporary folders of scans whose process no longer runs; return them.

    A folder whose process cannot be told (no PID in its name, an older runlens'
    ``runlens-scan-XXXXXXXX``) is removed once it is two days old. A folder removed
    from under a running scan (another PID namespace sharing the folder) costs that
    scan a second decode of its files, nothing more: its judging pass reads a file
    again when its kept run is missing.
    """
    import re
    import shutil
    import tempfile

    base = tmp or tempfile.gettempdir()
    pattern = re.compile(re.escape(SCAN_FOLDER_PREFIX) + r"(?:(\d+)-)?[A-Za-z0-9_]+\Z")
    removed = []
    try:
        names = os.listdir(base)
    except OSError:
        return removed
    now = time.time()
    for name in names:
        m = pattern.match(name)
        if m is None:
            continue
        path = os.path.join(base, name)
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if not os.path.isdir(path) or os.path.islink(path) or st.st_uid != os.getuid():
            continue
        if m.group(1) is not None:
            pid = int(m.group(1))
            if pid == os.getpid() or _alive(pid):
                continue
        elif now - st.st_mtime < 2 * 86400:
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's: alive
    return True


def _room_for_memos(judge_dir: str, tasks: list) -> bool:
    """Whether the scan's temporary folder has room to keep each run's sample frame
    with the run for the judging pass (which then does not build it again, about a
    tenth of a cold scan's CPU): twice the estimate of all it keeps and 1 GiB more
    free; else the frames are built again and the folder holds the runs only."""
    import shutil

    need = KEPT_PER_INPUT_BYTE * sum(int(t[2] or 0) for t in tasks)
    try:
        free = shutil.disk_usage(judge_dir).free
    except OSError:
        return False
    return free >= 2 * need + KEEP_DISK_MARGIN


#: ``meta`` keys (JSON objects keyed by path): size and mtime of each zip at its
#: last scan, the activity names export lists gave, and the user's sport overrides.
ARCHIVES_KEY = "archives"
NAMES_KEY = "activity_names"
SPORT_OVERRIDES_KEY = "sport_overrides"


@dataclass
class ScanReport:
    """What a scan did.

    Attributes
    ----------
    root, db : str
        The scanned folder (or zip) and the store file.
    found : int
        Activity files discovered (by name), archive members included.
    ignored : int
        Other files left out (not activity files, nor zips or export lists).
    left_out : dict
        Those files by kind (their suffix) -> count.
    archives : int
        Zips read in place (nested ones included); ``archives_unchanged`` of
        them not opened as nothing changed since the last scan.
    export_lists : int
        Strava activities.csv / Garmin summaries read; ``hinted``: activities
        whose sport, name or time zone came from them.
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
    moved : int
        Files found at a new path (a renamed or moved folder or zip) and
        recognised as stored ones by name, size and mtime (a member: name,
        size and CRC-32) or by their bytes' hash: re-linked, not analysed again.
    gone_sources : list of dict
        Sources of the store no longer on disk whose runs are kept
        (``path``, ``runs``): see :meth:`Store.gone_sources`.
    merged : list of dict
        Old per-folder stores merged into the runner's store by this scan.
    activities, sources, runs, duplicates : int
        In the store after the scan (``sources``: folders and zips scanned into
        it; ``runs``: counted in the load, each run once whatever its sources).
    weeks : int
        Local weeks from the first run to the last.
    problems : list of (path, status, reason)
        Every file of the store that is not an activity, new or old.
    form_rules : str
        ``"evaluated"``, ``"unavailable"`` (form rules not installed) or
        ``"not run"`` (no activity analysed and none stored).
    judged : int
        Runs whose form findings were judged anew against their baseline.
    form_flags : int
        Counted runs with at least one form flag, after the scan.
    seconds : float
        Wall time of the scan.
    assumptions : list of str
    unreadable : list of (path, reason)
        Folders, files, zips and members that could not be listed or read in
        this scan (or whose name is not text): the runs stored from them are
        kept, not forgotten.
    """

    root: str
    db: str
    found: int = 0
    ignored: int = 0
    left_out: dict = field(default_factory=dict)
    archives: int = 0
    archives_unchanged: int = 0
    export_lists: int = 0
    hinted: int = 0
    not_read: int = 0
    read: int = 0
    same_content: int = 0
    analysed: int = 0
    bad: int = 0
    skipped: int = 0
    removed: int = 0
    moved: int = 0
    gone_sources: list[dict] = field(default_factory=list)
    merged: list[dict] = field(default_factory=list)
    activities: int = 0
    sources: int = 0
    runs: int = 0
    duplicates: int = 0
    weeks: int = 0
    problems: list[tuple[str, str, str]] = field(default_factory=list)
    form_rules: str = "not run"
    judged: int = 0
    form_flags: int = 0
    seconds: float = 0.0
    assumptions: list[str] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict:
        from dataclasses import asdict

        d = asdict(self)
        d["problems"] = [{"path": p, "status": s, "reason": r} for p, s, r in self.problems]
        return d


def scan_root(root: str | os.PathLike[str], *, archives: bool = False) -> str:
    """``root`` resolved, as scans name it.

    RunlensError unless it is a folder, or (with ``archives``) a zip file.
    """
    rootp = Path(root)
    if rootp.is_dir():
        return str(rootp.resolve())
    if not rootp.exists():
        raise RunlensError("no such folder or zip" if archives else "no such folder",
                           path=str(root))
    if archives:
        from ..io.archive import looks_like_zip

        if rootp.is_file() and looks_like_zip(rootp):
            return str(rootp.resolve())
        raise RunlensError(
            "not a folder nor a zip archive; scan a folder of activity files or an "
            "export's .zip (`runlens analyze FILE` reads one activity file)",
            path=str(root),
        )
    raise RunlensError("not a folder", path=str(root))


def check_outside(out: Path, root: str, what: str, option: str) -> None:
    """Refuse an output (``what``, chosen with ``option``) inside the scanned folder ``root``."""
    if out.resolve().is_relative_to(root):
        raise RunlensError(
            f"the {what} would be written inside the scanned folder, which runlens never "
            f"writes to; choose {option} outside it",
            path=str(out),
        )


def scan(
    root: str | os.PathLike[str],
    db: str | os.PathLike[str] | None = None,
    *,
    jobs: int | None = None,
    rescan: bool = False,
    config: Config | None = None,
    progress: Callable[[int, int], None] | None = None,
    sports: dict[str, str] | None = None,
    judging: Callable[[int, int], None] | None = None,
) -> ScanReport:
    """Scan ``root`` (a folder or a zip) recursively into the store ``db``.

    Parameters
    ----------
    root : path
        Folder to scan (e.g. a Strava export or a Garmin folder), or a zip
        (a bulk export as downloaded), read in place.
    db : path, optional
        Store file; default the runner's store
        (:func:`~runlens.store.db.default_store_path`), which every
        folder and zip scanned adds to.
    jobs : int, optional
        Worker processes (default: all cores); 1 reads in this process.
    rescan : bool
        Read and analyse every file again, changed or not.
    config : Config, optional
        Runner profile and rule parameters.
    progress : callable, optional
        Called as ``progress(done, total)`` after each file read.
    judging : callable, optional
        Called as ``judging(done, total)`` after each run judged (the pass that
        judges runs against their personal baseline, after the reading).
    sports : dict, optional
        Path (as stored; a member's ``ZIP!/NAME``) -> sport: the user's
        override, remembered in the store; those files are read again.

    Returns
    -------
    ScanReport

    Raises
    ------
    RunlensError
        ``root`` is not a folder or zip, or the store is unusable (StoreError).
    """
    t0 = time.perf_counter()
    from .runner import open_history, store_path

    r = scan_root(root, archives=True)
    dbp = store_path(db)
    if Path(r).is_dir():
        check_outside(dbp, r, "store", "--db")
    store = open_history(db)
    try:
        rep = _scan(store, r, dbp, t0, jobs, rescan, config, progress, sports or {}, judging)
        rep.merged = store.merged
        return rep
    finally:
        store.close()


def _scan(
    store, r, dbp, t0, jobs, rescan, config, progress, new_sports, judging=None
) -> ScanReport:
    from ..io.archive import SEP, Archive
    from ..io.exports import ExportIndex, is_export_list

    report = ScanReport(root=r, db=str(dbp))
    # The derived tables as they were before this scan wrote anything: a scan that
    # only adds runs updates them from here (analysis.refresh_derived_added).
    prev_state = store.meta(DERIVED_STATE_KEY)
    overrides = dict(store.meta(SPORT_OVERRIDES_KEY, {}) or {})
    if new_sports:
        overrides.update(new_sports)
        store.set_meta(SPORT_OVERRIDES_KEY, overrides)
    archives_seen = dict(store.meta(ARCHIVES_KEY, {}) or {})
    archives_now: dict[str, list[int]] = {}
    if Path(r).is_dir():
        disc = discover_sources(r)
    else:
        from .discover import Discovery, FoundFile

        st = os.stat(r)
        disc = Discovery(zips=[FoundFile(r, st.st_size, st.st_mtime_ns)])
    known = store.known_files(r)
    present: set[str] = set()
    _keep_unreadable(disc.unreadable, r, known, present, report)
    index = ExportIndex()
    left_out = disc.left_out

    # Export lists in the folder first: they name the files read below.
    for f in disc.lists:
        try:
            raw = _read_bounded(f.path)
        except (OSError, RunlensError) as exc:
            index.problems.append((f.path, getattr(exc, "message", None) or str(exc)))
            continue
        if not _read_list(raw, f.path, index, report):
            left_out[left_out_kind(f.path)] += 1  # a list that is not one: left out

    def unchanged_archive(path: str, sig: list[int]) -> bool:
        """A zip as at the last scan: its known members are present and not read."""
        archives_now[path] = sig
        if rescan or archives_seen.get(path) != sig:
            return False
        pre = path + SEP
        members = [p for p in known if p.startswith(pre)]
        present.update(members)
        report.found += sum(1 for p in members if is_activity_name(p.rsplit("/", 1)[-1]))
        report.not_read += sum(1 for p in members if is_activity_name(p.rsplit("/", 1)[-1]))
        # Nested zips inside it are unchanged too.
        for k, v in archives_seen.items():
            if k.startswith(pre):
                archives_now[k] = v
        report.archives_unchanged += 1
        return True

    # Tasks: (path, data or None, size, mtime_ns, known sha, hint, sport)
    tasks: list[tuple] = []
    failures: list[dict] = []

    moved = _MovedFiles(store)

    def consider(path, size, mtime, data_fn):
        present.add(path)
        report.found += 1
        k = known.get(path)
        forced = path in new_sports
        if k is None and not rescan and not forced and moved.relink(path, r, size, mtime, data_fn):
            report.moved += 1
            report.not_read += 1
            return
        if not rescan and not forced and k is not None and (k[0], k[1]) == (size, mtime):
            report.not_read += 1
            return
        h = index.for_name(path)
        hint = None if h is None else {
            "sport": h.sport, "name": h.name, "utc_offset_s": h.utc_offset_s, "origin": h.origin
        }
        sha = None if (rescan or forced or k is None) else k[2]
        tasks.append((path, data_fn, size, mtime, sha, hint, overrides.get(path)))

    for f in disc.files:
        consider(f.path, f.size, f.mtime_ns, None)

    open_archives = []
    for z in disc.zips:
        if unchanged_archive(z.path, [z.size, z.mtime_ns]):
            continue
        report.archives += 1
        try:
            arc = Archive(z.path)
        except RunlensError as exc:
            archives_now.pop(z.path, None)  # read it in full once it can be read
            _zip_unreadable(z.path, exc.message, r, known, present, report, failures)
            continue
        open_archives.append(arc)
        if arc.salvaged:  # cut short: what it held before and cannot show now is kept
            archives_now.pop(z.path, None)
            _keep_under(z.path + SEP, known, present)
            report.unreadable.append((z.path, arc.salvaged))
        problems: list[tuple[str, str]] = []

        def want(base: str) -> bool:
            if is_activity_name(base) or is_export_list(base):
                return True
            left_out[left_out_kind(base)] += 1
            return False

        def skip_nested(m, _arc=arc) -> bool:
            report.archives += 1
            if unchanged_archive(m.path, [m.size, m.crc]):
                report.archives -= 1
                return True
            return False

        try:
            members = list(arc.members(want, skip_nested=skip_nested, problems=problems))
        except RunlensError as exc:
            archives_now.pop(z.path, None)  # read it in full once it can be read
            _zip_unreadable(z.path, exc.message, r, known, present, report, failures)
            continue
        for path, reason in problems:
            present.add(path)
            failures.append(_failed(path, reason))
            _keep_under(path + SEP, known, present)
            archives_now.pop(path, None)
        lists = [m for m in members if is_export_list(m.chain[-1])]
        for m in lists:
            try:
                ok = _read_list(arc.read(m), m.path, index, report)
            except RunlensError as exc:
                index.problems.append((m.path, exc.message))
                ok = False
            if not ok:
                left_out[left_out_kind(m.chain[-1])] += 1
        for m in members:
            if m in lists:
                continue
            consider(m.path, m.size, m.crc, (arc, m))
    for path, why in index.problems:
        report.assumptions.append(f"{path}: export list not used: {why}")
    report.assumptions.extend(index.skipped)

    report.removed = store.remove_missing(r, present)
    report.read += moved.hashed
    report.left_out = dict(sorted(left_out.items(), key=lambda kv: (-kv[1], kv[0])))
    report.ignored = sum(left_out.values())
    n = len(tasks) + len(failures)
    from ..lifeline import cap_jobs

    jobs = cap_jobs(jobs)  # --jobs 1000 starts no more workers than cores and memory allow
    changed = report.removed > 0
    names: dict[str, str] = {}
    new_paths: set[str] = set()
    # The activities of new files, in the order stored; ``only_added`` stays True
    # while nothing else stored changed (no file replaced, none forgotten).
    added: list[str] = []
    only_added = report.removed == 0

    def record(res: dict) -> None:
        nonlocal changed, only_added
        k = known.get(res["path"])
        if res.get("unreadable") and k is not None and k[3] == "ok":
            # Stored before, unreadable now (permissions, an I/O error): kept as stored.
            report.unreadable.append((res["path"], res["error"]))
            return
        changed = changed or res["status"] != "unchanged"
        if res["status"] == "ok":
            for a in res.get("activities") or [res["activity"]]:
                if "judge_inputs" in a:  # judged as read (inputs None: without a baseline)
                    fresh[a.get("key") or res["path"]] = [a["judge_inputs"], a["judged_as"]]
        if res["status"] == "ok" and k is None:
            added.extend(a.get("key") or res["path"] for a in res.get("activities") or [res["activity"]])
        elif res["status"] != "unchanged" and k is not None:
            only_added = False
        store.put_result(res, r)
        report.read += res["sha256"] is not None
        st = res["status"]
        if st == "unchanged":
            report.same_content += 1
        elif st == "ok":
            report.analysed += 1
            new_paths.add(res["path"])
            report.form_rules = res["activity"]["form_rules"]
            if res["activity"].get("name"):
                names[res["path"]] = res["activity"]["name"]
            if any(" from " in w and ("activities.csv" in w or "summarizedActivities" in w)
                   for w in res["activity"]["warnings"]):
                report.hinted += 1
        elif st == "skipped":
            report.skipped += 1
        else:
            report.bad += 1

    # Each new or changed file is decoded once. A scan of a few files read in this
    # process (adding today's run) judges each run as it reads it, on the baseline
    # the stored runs give it, and keeps the runs in memory for the judging pass,
    # which then refits only what that judgement could not see (a run of the same
    # scan before it, a copy). Otherwise the same worker processes serve the reading
    # and the judging pass (which needs every run stored first): each keeps the runs
    # it read in the temporary folder (in its memory up to a budget, 0 by default:
    # runlens.history.pool), and judges them; then gone.
    import functools
    import shutil
    import tempfile

    in_process = jobs == 1 or len(tasks) <= 1
    fresh: dict[str, list[str]] = {}
    stored_runs = prev_state.get("runs", 0) if isinstance(prev_state, dict) else 0
    if tasks and in_process and len(tasks) <= min(INLINE_JUDGING_MAX, stored_runs):
        from .judge import baseline_at

        judge_dir: Any = {}
        by_file = functools.partial(
            analyse_file, judge_dir=judge_dir, baseline_at=baseline_at(store, config)
        )
        by_bytes = functools.partial(
            analyse_bytes, judge_dir=judge_dir, baseline_at=baseline_at(store, config)
        )
    else:
        judge_dir = None
        if tasks:
            remove_stale_scan_folders()
            judge_dir = tempfile.mkdtemp(prefix=f"{SCAN_FOLDER_PREFIX}{os.getpid()}-")
        memos = judge_dir is not None and _room_for_memos(judge_dir, tasks)
        by_file = functools.partial(analyse_file, judge_dir=judge_dir, keep_memos=memos)
        by_bytes = functools.partial(analyse_bytes, judge_dir=judge_dir, keep_memos=memos)
    folder = judge_dir if isinstance(judge_dir, str) else None
    workers = None  # the worker processes of both passes (each keeps the runs it read)

    def prepare(task):
        path, src, size, mtime, sha, hint, sport = task
        if src is None:
            return (by_file, (path, sha, config, hint, sport))
        arc, m = src
        try:
            data = arc.read(m)
        except RunlensError as exc:
            return None, _failed(path, exc.message, size, mtime)
        return (by_bytes, (path, data, size, mtime, sha, config, hint, sport))

    table = index.table() if index.starts else None
    done = 0
    try:
        for res in failures:
            record(res)
            done += 1
        if in_process:
            set_start_table(table)
            try:
                for task in tasks:
                    fn, args = prepare(task)
                    record(args if fn is None else fn(*args))
                    done += 1
                    if progress:
                        progress(done, n)
            finally:
                set_start_table(None)
        elif tasks:
            from .pool import ScanWorkers

            workers = ScanWorkers(min(jobs, len(tasks)), table, folder, memos)

            def sent():
                nonlocal done
                for task in tasks:
                    fn, args = prepare(task)
                    if fn is None:
                        record(args)
                        done += 1
                        continue
                    yield ("file" if fn is by_file else "bytes", args, task[2])

            def got(res):
                nonlocal done
                record(res)
                done += 1
                if progress:
                    progress(done, n)

            workers.read(sent(), got)
    except BaseException:
        if workers is not None:
            workers.close(kill=True)
        if isinstance(judge_dir, str):
            shutil.rmtree(judge_dir, ignore_errors=True)
        raise
    finally:
        for arc in open_archives:
            arc.close()
    ok = False
    try:
        rep = _finish(store, r, report, config, jobs, changed, names, new_paths,
                      archives_now, archives_seen, judge_dir if workers is None else workers,
                      t0, judging, (added, prev_state) if only_added else None, fresh)
        ok = True
        return rep
    finally:
        if workers is not None:
            workers.close(kill=not ok)
        if isinstance(judge_dir, str):
            shutil.rmtree(judge_dir, ignore_errors=True)


def _finish(store, r, report, config, jobs, changed, names, new_paths, archives_now,
            archives_seen, judge_dir, t0, judging=None, added=None, fresh=None) -> ScanReport:
    """After every file is stored: forget what went, refresh the derived tables,
    judge the runs whose baseline changed, count."""
    from ..io.archive import SEP

    if archives_now or archives_seen:
        # Forget zips no longer under this root; keep other roots' entries.
        keep = {
            k: v for k, v in archives_seen.items()
            if not (k == r or k.startswith(r + os.sep) or k.startswith(r + SEP))
        }
        keep.update(archives_now)
        if keep != archives_seen:
            store.set_meta(ARCHIVES_KEY, keep)
    if names:
        stored = dict(store.meta(NAMES_KEY, {}) or {})
        stored.update(names)
        store.set_meta(NAMES_KEY, stored)

    # A file of a gone source that was read again here anyway (no size, mtime
    # or hash to know it by, e.g. after a schema migration) is the same run:
    # its old copy is forgotten, not kept as a duplicate.
    n_relinked = _forget_moved_copies(store, new_paths)
    report.moved += n_relinked
    changed = changed or n_relinked > 0 or report.moved > 0

    from .analysis import derived_fingerprint

    # Nothing stored changed and the derived tables were refreshed with the
    # same settings (their record is deleted by every write that changes
    # an activity): reuse them, without importing pandas.
    # Judging marks the record "judged" when it is done: a scan killed after the
    # refresh but before judging ended leaves it unmarked, and the next one judges.
    state = None if changed else store.meta(DERIVED_STATE_KEY)
    if not (isinstance(state, dict) and state.get("fingerprint") == derived_fingerprint(config)
            and state.get("judged") is True):
        from .analysis import derived_state, refresh_derived, refresh_derived_added
        from .judge import judge_history

        state = None
        if added is not None and not n_relinked and not report.moved:
            # Only new runs: their own rows of the derived tables, unless one of
            # them changes what the others are derived from (then rebuilt).
            state = refresh_derived_added(store, config, *added)
        if state is not None and len(added[0]) == 1 and set(fresh) == set(added[0]):
            # One run after every stored one, judged as it was read on the runs
            # before it, nothing else changed: no other run's baseline holds it.
            from .judge import record_judged

            report.judged = record_judged(fresh)
        else:
            if state is None:
                state = derived_state(refresh_derived(store, config), config)
            # Duplicates are known now: judge each counted run against the runs
            # before it (reads again only runs whose baseline changed).
            report.judged = judge_history(
                store, config, jobs, judge_dir, progress=judging, fresh=fresh
            )
        _mark_judged(store, state["fingerprint"])
    store.mark_root_scanned(r, "folder" if Path(r).is_dir() else "zip", report.found)
    store.forget_empty_sources()
    report.gone_sources = [
        {"path": g["path"], "runs": g["runs"]} for g in store.gone_sources()
    ]
    report.activities = store.count("activities")
    report.sources = len(store.sources())
    report.runs = state["runs"]
    report.duplicates = state["duplicates"]
    report.weeks = state["weeks"]
    report.problems = store.problem_files(r)
    report.form_flags = store.flagged_runs(("flag", "note"))
    report.assumptions = report.assumptions + list(state["assumptions"])
    if report.analysed == 0:
        report.form_rules = store.first_form_rules() or report.form_rules
    report.seconds = time.perf_counter() - t0
    return report


class _MovedFiles:
    """Stored files no longer at their path, to recognise at a new one.

    Built on the first unknown path a scan meets (one ``stat`` per stored file).
    A file matches by its name, size and mtime (a move keeps them; a member:
    its name in the zip, inflated size and CRC-32); a plain file of the same
    size as a missing one is hashed (not analysed) and matches by its hash.
    """

    def __init__(self, store) -> None:
        self.store = store
        self.by_key: dict[tuple, str] | None = None
        self.by_size: dict[int, list[tuple[str, str]]] = {}
        self.hashed = 0

    @staticmethod
    def _key(path: str, size: int, mtime: int) -> tuple:
        from ..io.archive import SEP

        outer, sep, rest = path.partition(SEP)
        return ("m", rest, size, mtime) if sep else ("f", os.path.basename(path), size, mtime)

    def _build(self) -> None:
        from ..io.archive import SEP

        self.by_key = {}
        rows = self.store.run_files()
        exists: dict[str, bool] = {}
        for path, size, mtime, sha in rows:  # one stat per stored file, once per scan
            outer = path.partition(SEP)[0]
            if outer not in exists:
                exists[outer] = os.path.exists(outer)
            if exists[outer]:
                continue
            self.by_key.setdefault(self._key(path, size, mtime), path)
            if sha and SEP not in path:
                self.by_size.setdefault(size, []).append((path, sha))

    def relink(self, path: str, root: str, size: int, mtime: int, data_fn) -> bool:
        """Re-key a missing stored file found at ``path``; True if it was one."""
        if self.by_key is None:
            self._build()
        if not self.by_key:
            return False
        old = self.by_key.pop(self._key(path, size, mtime), None)
        if old is None and data_fn is None and self.by_size.get(size):
            import hashlib

            try:
                with open(path, "rb") as fh:
                    sha = hashlib.file_digest(fh, "sha256").hexdigest()
            except OSError:
                return False
            self.hashed += 1
            for cand in self.by_size[size]:
                if cand[1] == sha:
                    old = cand[0]
                    break
        if old is None:
            return False
        for cands in self.by_size.values():
            cands[:] = [c for c in cands if c[0] != old]
        self.by_key = {k: v for k, v in self.by_key.items() if v != old}
        self.store.rekey(old, path, root, size, mtime)
        return True


def _forget_moved_copies(store, new_paths: set[str]) -> int:
    """Forget activities no longer on disk whose content this scan stored anew (at
    ``new_paths``): the same file, moved, that could not be known before reading it."""
    from ..io.archive import SEP

    if not new_paths:
        return 0
    rows = store.run_contents()
    here = {sha for p, sha in rows if p in new_paths}
    gone = sorted({
        p for p, sha in rows
        if p not in new_paths and sha in here and not os.path.exists(p.partition(SEP)[0])
    })
    store.forget_files(gone)
    return len(gone)


def _mark_judged(store, fingerprint: str) -> None:
    """Record that every run is judged on the derived state stored with ``fingerprint``
    (unless another scan replaced or forgot that state meanwhile)."""
    store.update_meta_if(DERIVED_STATE_KEY, {"fingerprint": fingerprint}, {"judged": True})


def _read_bounded(path: str) -> bytes:
    """An export list's bytes: a regular file up to the activity-file limit (never a FIFO)."""
    from ..io.source import MAX_INPUT_BYTES, open_regular

    with open_regular(path) as fh:
        if os.fstat(fh.fileno()).st_size > MAX_INPUT_BYTES:
            raise RunlensError(f"over {MAX_INPUT_BYTES // 2**20} MiB; not read", path=path)
        data = fh.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise RunlensError(f"over {MAX_INPUT_BYTES // 2**20} MiB; not read", path=path)
    return data


def _keep_under(prefix: str, known: dict, present: set[str]) -> int:
    """Mark the stored paths under ``prefix`` present (their place could not be read)."""
    kept = [p for p in known if p.startswith(prefix)]
    present.update(kept)
    return len(kept)


def _keep_unreadable(unreadable, root: str, known: dict, present: set[str], report) -> None:
    """What discovery could not list or ``stat``: its stored runs are kept, the place reported.

    RunlensError when ``root`` itself cannot be listed: nothing of the source
    was seen, so nothing is changed.
    """
    for path, reason in unreadable:
        if path == root:
            raise RunlensError(
                f"{reason}; nothing in the history was changed (its runs are kept)", path=root
            )
        present.add(path)
        _keep_under(path + os.sep, known, present)
        report.unreadable.append((path, reason))


def _zip_unreadable(path, reason, root, known, present, report, failures) -> None:
    """A zip that cannot be opened or listed: its stored members are kept.

    RunlensError when it is the scanned zip itself (the whole source).
    """
    from ..io.archive import SEP

    if path == root:
        raise RunlensError(f"{reason}; nothing in the history was changed", path=root)
    present.add(path)
    if _keep_under(path + SEP, known, present):
        report.unreadable.append((path, reason))
    else:
        failures.append(_failed(path, reason))


def _failed(path: str, reason: str, size: int | None = None, mtime: int | None = None) -> dict:
    """A worker-style result for something that could not even be read."""
    return {
        "path": path,
        "size": size,
        "mtime_ns": mtime,
        "sha256": None,
        "status": "bad",
        "error": reason,
        "activity": None,
    }


def _read_list(data: bytes, path: str, index, report: ScanReport) -> bool:
    """Add one export list (Strava csv, Garmin summaries) to ``index``; False if unusable."""
    from ..io.archive import SEP
    from ..io.exports import is_export_list, parse_garmin_summaries, parse_strava_csv

    kind = is_export_list(path)
    sep = path.rfind("/")
    prefix = path[: sep + 1] if sep >= 0 else ""
    if SEP not in path:
        prefix = os.path.dirname(path) + os.sep
    try:
        if kind == "strava":
            parse_strava_csv(data, "Strava's activities.csv", index, prefix=prefix)
        else:
            parse_garmin_summaries(data, "Garmin's summarizedActivities", index)
        report.export_lists += 1
        return True
    except (ValueError, KeyError, TypeError, OverflowError, RecursionError) as exc:
        why = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        index.problems.append((path, why))
        return False
