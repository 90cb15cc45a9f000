"""A scan's worker processes, kept for both of its passes.

A cold scan reads every file (the reading pass), stores each result, then judges
each run against the baseline of the runs before it (the judging pass), which
needs every run stored first. The runs as read are needed again for it: each
worker keeps the runs it read for the judging pass, in the scan's temporary
folder (pickled: about 1 MB per one-hour run with its sample table) or, up to a
memory budget, in its own memory, and the judging pass sends each run to the
worker that read it (one that has run out of its own takes others' runs, which it
finds in the folder, or reads again). The same processes serve both passes, so
they are forked once, and they also fit the judging pass's baselines
(:meth:`ScanWorkers.fit`).

The memory budget is :data:`MEMORY_SHARE` of the memory available (0 by default:
every run goes to the folder, and a cold scan of 1,000 one-hour runs peaks at
0.32 GB against 1.42 GB with every run in memory, for the same time;
docs/performance.md). Past a worker's share, a run goes to the folder. What is
judged is the same either way.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["ScanWorkers", "memory_budget"]

#: Tasks sent to one worker ahead of its results: enough that a worker has the
#: next one while this process stores results (or waits for a core on a busy
#: machine), few enough that a zip's members' bytes are not all held at once.
IN_FLIGHT = 3
#: Part of the memory available at the start of a scan, beyond what each worker
#: may need for one file, that the workers may keep runs in. 0 by default: since the
#: runs are NumPy arrays, keeping them in memory saved no time on a cold scan of
#: 1,000 one-hour runs (8.88-9.25 s against 8.92-9.11 s through the folder) and took
#: the scan's peak from 0.32 GB to 1.42 GB (2026-12-06, load 1.0-1.6); the
#: project's limit for that scan is 0.5 GB. A larger share is for machines where
#: the temporary folder is slow.
MEMORY_SHARE = 0.0


def memory_budget(jobs: int) -> int:
    """Bytes the ``jobs`` workers may keep runs in, all together (0 if unknown)."""
    if not MEMORY_SHARE:
        return 0
    from ..lifeline import WORKER_MEMORY

    try:
        with open("/proc/meminfo") as fh:
            info = dict(line.split(":", 1) for line in fh)
        avail = int(info["MemAvailable"].split()[0]) * 1024
    except (OSError, KeyError, ValueError):
        return 0
    return max(0, int((avail - jobs * WORKER_MEMORY) * MEMORY_SHARE))


def _serve(
    tasks_in, results_out, table: Any, budget: int, folder: str | None, disk_memos: bool
) -> None:
    """A worker's loop: run each task it is sent, send back its result.

    A thread takes the tasks off their pipe as they come, so the scan's process
    never waits to send one while this worker sends a large result (each would
    wait for the other: a deadlock)."""
    import queue
    import threading

    from ..lifeline import worker_lifeline
    from .worker import KeptRuns, analyse_bytes, analyse_file, judge_file, set_start_table

    worker_lifeline()
    import signal

    # Ctrl-C reaches the whole process group: the scan's process stops them all
    # (ScanWorkers.close), a worker does not print a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    set_start_table(table)
    kept = KeptRuns(budget, folder, disk_memos)
    inbox: queue.SimpleQueue = queue.SimpleQueue()

    def take() -> None:
        while True:
            try:
                msg = tasks_in.recv()
            except (EOFError, OSError):
                msg = None
            inbox.put(msg)
            if msg is None:
                return

    threading.Thread(target=take, name="runlens-tasks", daemon=True).start()
    while True:
        msg = inbox.get()
        if msg is None:
            return
        kind, args, size = msg
        try:
            if kind == "file":
                kept.expect(size)  # what keeping its runs will take, from the file's size
                res = analyse_file(*args, judge_dir=kept, keep_memos=True)
            elif kind == "bytes":
                kept.expect(size)
                res = analyse_bytes(*args, judge_dir=kept, keep_memos=True)
            elif kind == "fit":  # (Windows, starts, config, n_history): baselines
                from .judge import baselines_as_of

                res = baselines_as_of(*args)
            else:  # "judge": (path, config, baseline, stored)
                res = judge_file(*args, judge_dir=kept)
        except Exception as exc:  # noqa: BLE001 - raised again in the scan's process
            import traceback

            res = _Failed(exc, traceback.format_exc())
        results_out.send(res)
        del msg, args, res


def _broken() -> Exception:
    """What a scan raises when a worker died (as a ``ProcessPoolExecutor`` does)."""
    from concurrent.futures.process import BrokenProcessPool

    return BrokenProcessPool("a scan worker process ended abruptly (killed, or out of memory)")


class _Failed:
    """A task's exception, sent back to be raised in the scan's process (as a
    ``ProcessPoolExecutor``'s future does), with the worker's traceback as its cause."""

    def __init__(self, exc: BaseException, tb: str) -> None:
        self.exc, self.tb = exc, tb

    def __reduce__(self):
        import pickle

        try:
            pickle.dumps(self.exc)
            exc: BaseException = self.exc
        except Exception:  # noqa: BLE001 - an exception that cannot cross processes
            exc = RuntimeError(f"{type(self.exc).__name__}: {self.exc}")
        return (_Failed, (exc, self.tb))

    def raise_(self):
        from concurrent.futures.process import _RemoteTraceback

        raise self.exc from _RemoteTraceback(self.tb)


class ScanWorkers:
    """``jobs`` worker processes serving a scan's reading and judging passes.

    Parameters
    ----------
    jobs : int
        Worker processes.
    table : optional
        The export's start-time hints (:func:`~runlens.history.worker.set_start_table`).
    folder : str, optional
        The scan's temporary folder, for the runs past the memory budget.
    disk_memos : bool
        Whether runs kept in ``folder`` keep their sample frame too.
    budget : int, optional
        Bytes all workers may keep in memory (default :func:`memory_budget`).
    """

    def __init__(
        self,
        jobs: int,
        table: Any = None,
        folder: str | None = None,
        disk_memos: bool = False,
        budget: int | None = None,
    ) -> None:
        import multiprocessing

        from .worker import preload

        preload()  # the workers fork with the modules they need
        ctx = multiprocessing.get_context()
        total = memory_budget(jobs) if budget is None else budget
        self.folder = folder
        self.conns: list = []  # each worker's results, read here
        self.outs: list = []  # each worker's tasks, written here
        self.procs: list = []
        try:
            for _ in range(jobs):
                tasks_in, tasks_out = ctx.Pipe(duplex=False)
                results_in, results_out = ctx.Pipe(duplex=False)
                p = ctx.Process(
                    target=_serve,
                    args=(tasks_in, results_out, table, total // jobs, folder, disk_memos),
                    daemon=True,
                )
                p.start()
                tasks_in.close()
                results_out.close()
                self.conns.append(results_in)
                self.outs.append(tasks_out)
                self.procs.append(p)
        except BaseException:
            self.close(kill=True)
            raise
        self.inflight = [0] * jobs
        #: per worker, the index of each judging task sent and not answered, in order
        self.pending: list[deque] = [deque() for _ in range(jobs)]
        #: file path -> the worker that read it (and keeps its runs)
        self.owner: dict[str, int] = {}

    # ------------------------------------------------------------------ plumbing
    def _send(self, w: int, msg) -> None:
        try:
            self.outs[w].send(msg)
        except OSError:  # the worker is gone (its end of the pipe closed)
            raise _broken() from None
        self.inflight[w] += 1

    def _results(self) -> list[tuple[int, Any]]:
        """Wait for at least one result: [(worker, result)]."""
        from multiprocessing.connection import wait

        busy = [self.conns[w] for w in range(len(self.conns)) if self.inflight[w]]
        out = []
        for conn in wait(busy):
            w = self.conns.index(conn)
            try:
                res = conn.recv()
            except (EOFError, OSError):
                raise _broken() from None
            self.inflight[w] -= 1
            if isinstance(res, _Failed):
                res.raise_()
            out.append((w, res))
        return out

    def _least_busy(self) -> int | None:
        w = min(range(len(self.inflight)), key=self.inflight.__getitem__)
        return w if self.inflight[w] < IN_FLIGHT else None

    # ------------------------------------------------------------------ the passes
    def read(
        self,
        tasks: Iterable[tuple[str, tuple, int]],
        on_result: Callable[[dict], None],
    ) -> None:
        """Reading pass: each task ``(kind, args, size)`` (``kind`` ``"file"``:
        :func:`~runlens.history.worker.analyse_file`'s arguments, ``"bytes"``:
        :func:`~runlens.history.worker.analyse_bytes`'; ``size``: the file's
        bytes), its result to ``on_result`` as it arrives. ``tasks`` is consumed
        only as workers are free (an archive member is read when it is sent)."""
        it = iter(tasks)
        more = True

        def fill() -> None:
            nonlocal more
            while more:
                w = self._least_busy()
                if w is None:
                    return
                task = next(it, None)
                if task is None:
                    more = False
                    return
                self.owner[task[1][0]] = w
                self._send(w, task)

        while True:
            fill()
            if not any(self.inflight):
                return
            got = self._results()
            fill()  # the workers get their next file before this process stores results
            for _, res in got:
                on_result(res)

    def judge(self, items: list[tuple], on_result: Callable[[int, dict], None]) -> None:
        """Judging pass: each item ``(path, config, baseline, stored)``
        (:func:`~runlens.history.worker.judge_file`'s arguments) goes to the
        worker that read its file (any, for a file this scan did not read);
        ``on_result(index, result)`` as each arrives."""
        from ..io.events import split_event_key

        mine: list[deque] = [deque() for _ in self.conns]
        anyone: deque = deque()
        for i, item in enumerate(items):
            w = self.owner.get(split_event_key(item[0])[0])
            (anyone if w is None else mine[w]).append((i, item))
        def take(w: int):
            if mine[w] or anyone:
                return (mine[w] or anyone).popleft()
            # Out of its own: the last of the longest queue, whose run this worker
            # finds in the scan's folder (or reads again), so that no core idles.
            longest = max(mine, key=len)
            return longest.pop() if longest else None

        def fill() -> None:
            for w in range(len(self.conns)):
                while self.inflight[w] < IN_FLIGHT:
                    got = take(w)
                    if got is None:
                        break
                    i, item = got
                    self._send(w, ("judge", item, 0))
                    self.pending[w].append(i)

        while True:
            fill()
            if not any(self.inflight):
                return
            got = [(self.pending[w].popleft(), res) for w, res in self._results()]
            fill()  # (a worker answers in the order it was sent)
            for i, res in got:
                on_result(i, res)

    def fit(self, minutes: Any, starts: list[float], config: Any, n_history: list) -> list:
        """:func:`~runlens.history.judge.baselines_as_of` with the runs cut in one
        contiguous piece per worker: each worker gets the minutes once and fits its
        piece (the same baselines: each is fitted from its own window alone)."""
        from .baseline import Windows

        windows = minutes if isinstance(minutes, Windows) else Windows(minutes)
        k = len(self.conns)
        step = -(-len(starts) // k)
        pieces = [(a, min(a + step, len(starts))) for a in range(0, len(starts), step)]
        for w, (a, b) in enumerate(pieces):
            self._send(w, ("fit", (windows, starts[a:b], config, n_history[a:b]), 0))
        got: dict[int, list] = {}
        while any(self.inflight):
            for w, res in self._results():
                got[w] = res
        return [pb for w in range(len(pieces)) for pb in got[w]]

    def close(self, kill: bool = False) -> None:
        """End the workers (at once with ``kill``, as after an error or Ctrl-C)."""
        for out in self.outs:
            if not kill:
                try:
                    out.send(None)
                except OSError:
                    kill = True
        for p in self.procs:
            if kill:
                p.terminate()
            p.join(timeout=None if not kill else 5)
        for conn in self.conns + self.outs:
            conn.close()
        self.conns, self.outs, self.procs = [], [], []

    def __enter__(self) -> ScanWorkers:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(kill=exc_type is not None)
