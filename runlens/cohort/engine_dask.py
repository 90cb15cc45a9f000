"""Run a cohort scan's tasks on a Dask distributed cluster.

Imported only for ``--engine dask``; dask, distributed and pyarrow are the
optional extra ``runlens[dask]``. The graph is two levels deep:

1. one task per file: :func:`runlens.history.worker.analyse_file`, the local
   scan's per-file work, unchanged (read, hash, summarise, the form minutes),
   keeping the runs it read in the scan's judging folder;
2. one task per runner: :func:`runner_task` takes that runner's file results
   (Dask moves them to its worker), computes duplicates, judges each run on
   the runner's personal baseline from the kept runs (the local scan's judging
   pass), load and volume findings for the runner, and writes the runner's
   Parquet partition.

When the results are also merged into a store, the client receives each file
result as it completes and writes it as the local scan does. Workers read the
activity files and write the Parquet dataset themselves, so on a remote cluster
both must be reachable at the same paths on every worker (docs/cohort.md).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ..errors import RunlensError

if TYPE_CHECKING:
    from ..config import Config

__all__ = ["require_dask", "dask_client", "check_workers", "runner_task", "run_tasks"]

#: Seconds to wait for a remote scheduler to answer, and for a first worker.
CONNECT_TIMEOUT_S = 20


def require_dask() -> None:
    """Import dask, distributed and pyarrow, or fail with one line naming the extra.

    Raises
    ------
    RunlensError
        One of them is not installed.
    """
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError as exc:
        name = getattr(exc, "name", None) or str(exc)
        raise RunlensError(
            f"--engine dask needs dask, distributed and pyarrow ({name} is not installed): "
            "install runlens[dask], e.g. pip install 'runlens[dask]'"
        ) from None


@contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None) -> Iterator[Any]:
    """A ``distributed.Client``: to ``scheduler``, or to a new LocalCluster.

    Parameters
    ----------
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``). Without it a
        LocalCluster is started on the loopback interface, one single-threaded
        worker process per core (analysis holds the GIL, so processes, not
        threads), no dashboard; it is closed on exit.
    workers : int, optional
        Worker processes of the LocalCluster (default: all cores).

    Yields
    ------
    distributed.Client
    """
    require_dask()
    from distributed import Client

    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError, ValueError) as exc:
            raise RunlensError(
                f"cannot reach the Dask scheduler at {scheduler} ({type(exc).__name__}: {exc})"
            ) from None
        try:
            yield client
        finally:
            client.close()
        return
    from distributed import LocalCluster

    n = max(1, workers or os.cpu_count() or 1)
    cluster = LocalCluster(
        n_workers=n,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    try:
        client = Client(cluster)
        try:
            yield client
        finally:
            client.close()
    finally:
        cluster.close()


def check_workers(client: Any) -> dict[str, str]:
    """Check that the cluster has workers running this runlens; returns address -> version.

    Raises
    ------
    RunlensError
        No worker joined within :data:`CONNECT_TIMEOUT_S`, or a worker cannot
        import runlens, or runs another version (its results could differ).
    """
    from .. import __version__

    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
    except TimeoutError:
        raise RunlensError(
            f"no Dask worker joined the scheduler within {CONNECT_TIMEOUT_S} s; start some "
            "with `dask worker ADDRESS`"
        ) from None
    # A lambda travels by value (cloudpickle), so it runs even where runlens is missing.
    got = client.run(lambda: __import__("runlens").__version__, on_error="return")
    bad = {w: v for w, v in got.items() if v != __version__}
    if bad:
        w, v = next(iter(sorted(bad.items())))
        what = (
            f"cannot import runlens ({type(v).__name__}: {v})"
            if isinstance(v, BaseException)
            else f"runs runlens {v}, this is {__version__}"
        )
        raise RunlensError(
            f"Dask worker {w} {what}; install the same runlens on every worker "
            f"({len(bad)} of {len(got)} workers affected)"
        )
    return {w: str(v) for w, v in got.items()}


#: In each runner's partition folder: every file's result with what it was read
#: from, so the next cohort scan reads only what changed (pyarrow skips ``_`` files).
RESULTS_FILE = "_runlens_results.pickle"


def file_signature(path: str, hint: dict[str, Any] | None) -> list[Any] | None:
    """What a file's result depends on besides the settings: its size and
    modification time (a zip member's are the zip's) and the export list's
    hint; None when it cannot be seen."""
    import json

    from ..io.archive import SEP

    try:
        st = os.stat(path.split(SEP, 1)[0])
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, json.dumps(hint, sort_keys=True, default=str)]


def previous_results(out: str | os.PathLike[str], runner: str, fingerprint: str) -> dict:
    """Path -> (signature, result) a previous cohort scan of ``runner`` left in
    the dataset ``out`` with the same settings; empty when there is none or it
    cannot be read (every file is then read)."""
    import pickle

    from .dataset import partition_dir

    try:
        with open(partition_dir(out, runner) / RESULTS_FILE, "rb") as fh:
            doc = pickle.load(fh)  # written by runlens itself (runner_task)
    except Exception:  # noqa: BLE001 - no cache, an old or damaged one: read the files
        return {}
    if not isinstance(doc, dict) or doc.get("fingerprint") != fingerprint:
        return {}
    files = doc.get("files")
    return files if isinstance(files, dict) else {}


def runner_task(
    runner: str,
    root: str,
    out: str,
    results: list[dict[str, Any]],
    config: Config | None,
    keep: tuple[str, dict[str, Any]] | None = None,
    judge_dir: str | None = None,
) -> dict[str, Any]:
    """One runner's reduction, on a worker: rows, per-runner load, its Parquet file.

    Returns the runner's summary (:func:`runlens.cohort.dataset.runner_partition`)
    plus ``runner``, ``parquet_file`` and ``error`` (None, or the one-line
    reason the runner's rows could not be built: it then has no partition,
    and the rest of the cohort is written); never the rows, which stay on disk.
    ``keep``: (settings fingerprint, path -> file signature): the results are
    also written beside the partition (:data:`RESULTS_FILE`) for the next scan.
    ``judge_dir``: where the file tasks kept the runs they read; the runner's
    runs are judged there on their personal baselines (the results updated).
    """
    from .dataset import partition_dir, runner_partition, write_partition

    try:
        rows, summary = runner_partition(runner, root, results, config, judge_dir)
    except Exception as exc:  # noqa: BLE001 - one runner's bug must not lose the cohort
        # as the local scan does for one file: keep the files' outcome, say why
        rows, summary = runner_partition(runner, root, [], config)
        summary["files"] = len(results)
        summary["problems"] = sorted(
            [r["path"], r["status"], r["error"]] for r in results if r["status"] != "ok"
        )
        summary["error"] = f"internal error (a bug in runlens): {type(exc).__name__}: {exc}"
    else:
        summary["error"] = None
    summary["runner"] = runner
    summary["parquet_file"] = write_partition(out, runner, rows)
    if keep is not None:
        import pickle

        fingerprint, sigs = keep
        files = {
            r["path"]: (sigs[r["path"]], r) for r in results
            if sigs.get(r.get("path")) is not None
        }
        d = partition_dir(out, runner)
        d.mkdir(parents=True, exist_ok=True)
        with open(d / RESULTS_FILE, "wb") as fh:
            pickle.dump({"fingerprint": fingerprint, "files": files}, fh, protocol=5)
    return summary


def run_tasks(
    client: Any,
    root: str,
    by_runner: dict[str, list[str]],
    out: str,
    config: Config | None = None,
    *,
    on_result: Callable[[dict[str, Any]], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    hints: dict[str, dict[str, Any]] | None = None,
    previous: str | None = None,
    judge_dir: str | None = None,
) -> list[dict[str, Any]]:
    """Analyse every file and write every runner's partition on the cluster.

    ``hints``: path -> what an export list says of the file (as the local scan
    passes it to :func:`~runlens.history.worker.analyse_file`).

    Parameters
    ----------
    client : distributed.Client
    root : str
        Cohort folder, absolute.
    by_runner : dict of str to list of str
        Runner id -> absolute file paths.
    out : str
        Folder the partitions are written to (reachable by the workers).
    config : Config, optional
    on_result : callable, optional
        Receives every file's result in this process as it completes, and
        whether it was taken from ``previous`` (the store merge); without it
        the results never leave the cluster.
    progress : callable, optional
        ``progress(done, total)`` after each file.
    previous : str, optional
        The dataset a previous cohort scan wrote: a file whose size,
        modification time and hint are as then is not read again, its result
        is taken from there (:data:`RESULTS_FILE`; with the same settings).
    judge_dir : str, optional
        A folder every worker can write (inside the dataset being written):
        the file tasks keep the runs they read there and leave the form rules
        to the runner tasks, which judge each run on the runner's personal
        baseline from it (the local scan's ingest: one decode per file).

    Returns
    -------
    list of dict
        Per-runner summaries, in runner order.
    """
    from distributed import as_completed

    from ..history.worker import analyse_file

    cfg = client.scatter(config, broadcast=True) if config is not None else None
    file_futs: list[Any] = []
    runner_futs: list[Any] = []
    import uuid

    from ..history.analysis import derived_fingerprint

    fingerprint = derived_fingerprint(config)
    scan_id = uuid.uuid4().hex[:12]
    hint_of = hints or {}
    for i, (runner, paths) in enumerate(by_runner.items()):
        sigs = {p: file_signature(p, hint_of.get(p)) for p in paths}
        before = previous_results(previous, runner, fingerprint) if previous else {}
        reused = {
            p: before[p][1] for p in paths
            if sigs[p] is not None and p in before and list(before[p][0]) == sigs[p]
        }
        to_read = [p for p in paths if p not in reused]
        # pure=False: a re-scan on a long-lived cluster must read the files
        # again, not reuse results cached under the same arguments.
        # each file with what the export lists say of it (sport, name, zone)
        n = len(to_read)
        futs = client.map(
            analyse_file, to_read, [None] * n, [cfg] * n,
            [hint_of.get(p) for p in to_read], [None] * n, [judge_dir] * n,
            key=f"runlens-analyse-{scan_id}-{i}", pure=False,
        ) if to_read else []
        file_futs += futs
        if reused and on_result is not None:
            for res in reused.values():
                on_result(res, True)
        kept = client.scatter(list(reused.values()), hash=False) if reused else []
        of = dict(zip(to_read, futs)) | dict(zip(reused, kept))
        # an explicit key: submit() would otherwise hash the arguments
        runner_futs.append(
            client.submit(
                runner_task, runner, root, out, [of[p] for p in paths], cfg, (fingerprint, sigs),
                judge_dir, key=f"runlens-runner-{scan_id}-{i}",
            )
        )
    total, done = len(file_futs), 0
    if on_result is None and progress is None:
        # the runner tasks depend on the file results, so the scheduler keeps
        # each until its runner is done, then frees it: memory stays bounded
        for f in file_futs:
            f.release()
    try:
        if on_result is not None or progress is not None:
            for fut in as_completed(file_futs, with_results=False):
                if on_result is not None:
                    on_result(fut.result(), False)
                done += 1
                if progress is not None:
                    progress(done, total)
                fut.release()  # the runner task keeps its own reference
        summaries = []
        for runner, fut in zip(by_runner, runner_futs):
            try:
                summaries.append(fut.result())
            except Exception as exc:  # noqa: BLE001 - a worker's error or a lost worker
                raise RunlensError(
                    f"runner {runner!r}: the cluster failed ({type(exc).__name__}: {exc})"
                ) from None
        return summaries
    finally:
        for f in runner_futs + file_futs:
            f.release()
