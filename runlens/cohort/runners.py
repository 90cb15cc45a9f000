"""Who ran each file of a cohort: a folder per runner, or a mapping file.

A cohort folder holds many runners' histories. By default each first-level
subfolder of the cohort folder is one runner, named after the folder::

    squad/
      alice/2026-08-03.fit
      alice/garmin/2026-08-05.fit.gz      # deeper folders belong to alice too
      bob/export/activities/1234.gpx

A mapping file names runners instead: a CSV with the header
``path_glob,runner``, one rule per line, matched against each file's path
relative to the cohort folder (``/`` separators; ``*`` matches any characters
including ``/``, ``?`` one character, ``[abc]`` a set; case-sensitive). The
first matching line wins; blank lines and lines starting with ``#`` are
skipped::

    path_glob,runner
    # a coach's Garmin exports, one per athlete
    garmin/anna_*,anna
    garmin/ben_*,ben
    strava/export_51234/*,anna

Files no rule names (or, with folders, files directly in the cohort folder)
belong to no runner: they are listed, not read. docs/cohort.md documents this.
"""

from __future__ import annotations

import csv
import fnmatch
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import RunlensError

__all__ = ["RunnerMap", "load_mapping", "assign_runners"]


def _check_runner(runner: str, where: str) -> str:
    r = runner.strip()
    if not r:
        raise RunlensError(f"{where}: empty runner id")
    if any(ord(ch) < 32 for ch in r):
        raise RunlensError(f"{where}: runner id {r!r} has control characters")
    return r


@dataclass(frozen=True)
class RunnerMap:
    """How files are assigned to runners.

    Attributes
    ----------
    rules : tuple of (glob, runner)
        Empty: one runner per first-level subfolder.
    source : str or None
        The mapping file the rules came from (None: folders).
    """

    rules: tuple[tuple[str, str], ...] = ()
    source: str | None = None

    @property
    def mode(self) -> str:
        """``"folders"`` or ``"mapping"``."""
        return "mapping" if self.source is not None else "folders"

    def runner_of(self, rel_path: str) -> str | None:
        """Runner id of a file, from its path relative to the cohort folder (``/``-separated).

        >>> RunnerMap().runner_of("alice/garmin/a.fit"), RunnerMap().runner_of("a.fit")
        ('alice', None)
        >>> m = RunnerMap((("garmin/anna_*", "anna"), ("*", "other")), "m.csv")
        >>> m.runner_of("garmin/anna_2026.fit"), m.runner_of("x/y.gpx")
        ('anna', 'other')
        """
        if self.source is None:
            head, sep, _ = rel_path.partition("/")
            return head if sep else None
        for glob, runner in self.rules:
            if fnmatch.fnmatchcase(rel_path, glob):
                return runner
        return None

    def to_dict(self) -> dict:
        """JSON-friendly description (kept in the Parquet manifest and the store's meta)."""
        return {"mode": self.mode, "source": self.source, "rules": [list(r) for r in self.rules]}

    @classmethod
    def from_dict(cls, d: dict | None) -> RunnerMap:
        if not d or d.get("mode") == "folders":
            return cls()
        return cls(tuple((str(g), str(r)) for g, r in d.get("rules", [])), d.get("source") or "")


def load_mapping(path: str | os.PathLike[str]) -> RunnerMap:
    """Read a mapping file (CSV ``path_glob,runner``; see the module docstring).

    Raises
    ------
    RunlensError
        Missing file, no ``path_glob,runner`` header, a line without both
        values, or an empty runner id; the message names the file and line.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RunlensError("no such mapping file", path=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RunlensError(f"cannot read the mapping file ({exc})", path=str(path)) from None
    lines = [
        (n, line)
        for n, line in enumerate(text.splitlines(), 1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        raise RunlensError("empty mapping file (expected a header path_glob,runner)", path=str(p))
    header = [h.strip().lower() for h in next(csv.reader([lines[0][1]], skipinitialspace=True))]
    if header != ["path_glob", "runner"]:
        raise RunlensError(
            f"line {lines[0][0]}: expected the header path_glob,runner, found {lines[0][1]!r}",
            path=str(p),
        )
    rules = []
    for n, line in lines[1:]:
        row = next(csv.reader([line], skipinitialspace=True))
        if len(row) != 2 or not row[0].strip():
            raise RunlensError(
                f"line {n}: expected two values path_glob,runner, found {line!r}", path=str(p)
            )
        glob = row[0].strip().replace("\\", "/").lstrip("/")
        rules.append((glob, _check_runner(row[1], f"{p}: line {n}")))
    return RunnerMap(tuple(rules), str(p.resolve()))


@dataclass
class Assignment:
    """Files of a cohort by runner.

    Attributes
    ----------
    by_runner : dict of str to list of str
        Runner id -> absolute paths, sorted; runners sorted by id.
    unassigned : list of str
        Absolute paths no runner was found for.
    """

    by_runner: dict[str, list[str]] = field(default_factory=dict)
    unassigned: list[str] = field(default_factory=list)


def assign_runners(root: str, paths: Iterable[str], runners: RunnerMap) -> Assignment:
    """Group absolute ``paths`` under ``root`` by runner.

    Parameters
    ----------
    root : str
        The cohort folder, absolute.
    paths : iterable of str
        Absolute file paths under ``root`` (from :func:`runlens.history.discover`).
    runners : RunnerMap
    """
    out = Assignment()
    groups: dict[str, list[str]] = {}
    for p in paths:
        rel = Path(p).relative_to(root).as_posix()
        r = runners.runner_of(rel)
        if r is None:
            out.unassigned.append(p)
        else:
            groups.setdefault(r, []).append(p)
    out.by_runner = {r: sorted(groups[r]) for r in sorted(groups)}
    out.unassigned.sort()
    return out
