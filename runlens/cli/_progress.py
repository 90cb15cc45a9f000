"""Progress of a scan on stderr: a bar with rate and ETA on a terminal, nothing on a pipe.

tqdm draws it (a small, well-kept library: ~30 ms to import, ETA and rate
built in, and it disables itself when stderr is not a terminal).
"""

from __future__ import annotations

import sys

__all__ = ["scan_progress", "judge_progress"]


class _Bar:
    """``progress(done, total)`` as :func:`runlens.history.scan` calls it, on one tqdm bar."""

    def __init__(self, what: str, unit: str = " files") -> None:
        self.what = what
        self.unit = unit
        self.bar = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total,
                desc=self.what,
                unit=self.unit,
                file=_Stderr(),
                leave=False,
                ncols=_columns(),
                mininterval=0.1,
            )
        self.bar.total = total
        self.bar.update(done - self.bar.n)
        if done >= total:
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class _Stderr:
    """sys.stderr as tqdm's file: tqdm 4.70 draws nothing when handed sys.stderr itself
    on a pseudo-terminal (tests/cli/test_scan_progress.py), but draws on a file object."""

    def write(self, s: str) -> int:
        return sys.stderr.write(s)

    def flush(self) -> None:
        sys.stderr.flush()

    def isatty(self) -> bool:
        return sys.stderr.isatty()


def _columns() -> int:
    """The terminal's width (stderr's), 80 where it does not say (a fresh pty is 0 wide)."""
    import os

    try:
        n = os.get_terminal_size(sys.stderr.fileno()).columns
    except (OSError, ValueError):
        n = 0
    return min(n, 120) if n >= 40 else 80


def scan_progress(what: str = "scanning", *, quiet: bool = False, unit: str = " files"):
    """A progress callback for a scan, or None on a pipe (or when ``quiet``)."""
    if quiet or not sys.stderr.isatty():
        return None
    return _Bar(what, unit)


def judge_progress(*, quiet: bool = False):
    """The bar of a scan's judging pass (runs judged against their baseline), or None."""
    return scan_progress("judging", quiet=quiet, unit=" runs")
