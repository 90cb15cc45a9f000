"""Worker processes die with the process that started them.

A scan's workers (``ProcessPoolExecutor``) wait on a queue for work; if the
scan's main process is killed (SIGKILL, or a closed terminal's SIGHUP with
no handler) they would wait for ever, each holding its memory. Every pool
runlens starts calls :func:`worker_lifeline` in each worker first:

- on Linux the kernel sends the worker SIGTERM when its parent dies
  (``prctl(PR_SET_PDEATHSIG)``);
- everywhere a daemon thread checks every :data:`CHECK_S` seconds whether
  the parent is still the one that started it, and ends the worker if not;
- SIGTERM and SIGHUP end the worker at once (a forked worker would
  otherwise inherit the main process's handlers for them).

:func:`terminate_on_signals` is the main process's side: SIGTERM and SIGHUP
raise :class:`Terminated` (a ``KeyboardInterrupt``), so a scan stops as on
Ctrl-C, its pool is shut down and the store keeps every commit.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

__all__ = ["CHECK_S", "Terminated", "cap_jobs", "worker_lifeline", "terminate_on_signals"]

#: How often (s) a worker checks that its parent is alive.
CHECK_S = 0.5


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP received by the main process."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise(signum, frame) -> None:
    raise Terminated(signum)


def terminate_on_signals() -> None:
    """In the main process: SIGTERM and SIGHUP stop runlens as Ctrl-C does."""
    if threading.current_thread() is not threading.main_thread():
        return
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            signal.signal(sig, _raise)


def worker_lifeline() -> None:
    """In a worker process: die with the parent (see the module docstring)."""
    parent = os.getppid()
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            signal.signal(sig, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGTERM), 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - no libc prctl
            pass
    if os.getppid() != parent:  # died before the kernel was told
        os._exit(1)

    def watch() -> None:
        import time

        while True:
            time.sleep(CHECK_S)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="runlens-lifeline", daemon=True).start()


#: Memory a worker may need at most (a 64 MiB file, its parse and analysis), bytes.
WORKER_MEMORY = 512 * 1024 * 1024


def cap_jobs(jobs: int | None) -> int:
    """Worker processes to start: ``jobs`` (default all cores), at most one per core
    and one per :data:`WORKER_MEMORY` of available memory, at least 1.

    >>> cap_jobs(1)
    1
    >>> cap_jobs(1000) <= (os.cpu_count() or 1)
    True
    """
    cores = os.cpu_count() or 1
    n = min(jobs or cores, cores)
    try:
        with open("/proc/meminfo") as fh:
            info = dict(line.split(":", 1) for line in fh)
        avail = int(info["MemAvailable"].split()[0]) * 1024
        n = min(n, max(1, avail // WORKER_MEMORY))
    except (OSError, KeyError, ValueError):
        pass
    return max(1, n)
