"""Peak memory of a command summed over its process tree (Linux /proc), for the tests."""

from __future__ import annotations

import os
import subprocess
import time

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(x) for x in fh.read().split())
        except OSError:
            pass
    return out


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def peak_rss(cmd: list[str], *, env=None, timeout: float = 120.0, every: float = 0.01):
    """Run ``cmd``; returns ((rc, out, err), peak bytes, seconds, most processes at once)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = procs = 0
    try:
        while p.poll() is None:
            tree = _tree(p.pid)
            procs = max(procs, len(tree))
            peak = max(peak, sum(_rss(q) for q in tree))
            if time.monotonic() - t0 > timeout:
                p.kill()
                raise TimeoutError(f"{cmd} ran over {timeout} s")
            time.sleep(every)
        out, err = p.communicate()
    finally:
        if p.poll() is None:
            p.kill()
    return (p.returncode, out, err), peak, time.monotonic() - t0, procs
