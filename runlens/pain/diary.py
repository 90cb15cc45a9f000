"""The pain diary: entries kept in the history store's ``pain_entries`` table.

An entry is one day's pain as the runner rated it: a local calendar date, a
severity on the 0-10 numeric rating scale (0 = no pain, 10 = worst
imaginable; whole numbers), where it hurt (default ``upper-back``) and a free
note. Several entries on one day are allowed (e.g. two places); the analysis
uses the day's highest severity. Entries are never touched by a scan.

CSV import format (docs/pain.md): UTF-8 (a byte-order mark is fine), a header
row naming the columns ``date`` and ``severity`` and optionally ``where`` and
``note``, in any order; ``date`` is ``YYYY-MM-DD``; blank lines and lines
starting with ``#`` are skipped. An import is one transaction: a file with
any bad row imports nothing, and every bad row is reported with its line
number. A row equal to an entry already in the diary (same date, severity,
place and note) is skipped, so importing a growing diary again adds only
its new rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError, RunlensError

if TYPE_CHECKING:
    from ..store.db import Store

__all__ = [
    "DEFAULT_LOCATION",
    "CSV_COLUMNS",
    "PainEntry",
    "DiaryImportError",
    "ImportReport",
    "parse_date",
    "parse_severity",
    "parse_location",
    "add_entry",
    "get_entry",
    "list_entries",
    "remove_entry",
    "edit_entry",
    "parse_csv",
    "import_csv",
]

#: Where it hurt when the runner does not say.
DEFAULT_LOCATION = "upper-back"
#: CSV columns: required first, then optional.
CSV_COLUMNS = ("date", "severity", "where", "note")
REQUIRED_COLUMNS = ("date", "severity")
#: Longest note kept, characters.
MAX_NOTE = 1000
_LOCATION_RE = re.compile(r"^[a-z0-9][a-z0-9 _-]{0,39}$")
#: Bad rows listed in an error message before "... and N more".
MAX_LISTED = 20


@dataclass(frozen=True)
class PainEntry:
    """One diary entry.

    Attributes
    ----------
    id : int
        Row id in the store (what ``pain remove`` / ``pain edit`` take).
    date : datetime.date
        Local calendar day of the pain.
    severity : int
        0-10 numeric rating scale (0 = none).
    location : str
        Where it hurt, lower case (e.g. ``upper-back``).
    note : str
    source : str
        ``cli`` or the name of the imported file.
    created_utc : str
        When the entry was stored (ISO, UTC).
    """

    id: int
    date: dt.date
    severity: int
    location: str
    note: str
    source: str
    created_utc: str

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["date"] = self.date.isoformat()
        return d


class DiaryImportError(RunlensError):
    """A CSV diary with bad rows (nothing was imported).

    Attributes
    ----------
    problems : list of (int, str)
        Line number (1 = the header line) and what is wrong with that row.
    """

    def __init__(self, path: str, problems: list[tuple[int, str]]) -> None:
        n = len(problems)
        super().__init__(
            f"{n} bad row{'s' if n != 1 else ''}, nothing imported (fix and import again)",
            path=path,
        )
        self.problems = problems

    def __str__(self) -> str:
        head = super().__str__()
        lines = [f"{self.path} line {ln}: {msg}" for ln, msg in self.problems[:MAX_LISTED]]
        if len(self.problems) > MAX_LISTED:
            lines.append(f"... and {len(self.problems) - MAX_LISTED} more bad rows")
        return "\n".join([head, *lines])


@dataclass
class ImportReport:
    """What ``import_csv`` did.

    Attributes
    ----------
    path : str
    rows : int
        Data rows read (blank and comment lines not counted).
    added : int
    already : int
        Rows equal to an entry already in the diary, skipped.
    first, last : datetime.date or None
        Date range of the rows read.
    """

    path: str
    rows: int = 0
    added: int = 0
    already: int = 0
    first: dt.date | None = None
    last: dt.date | None = None


# ------------------------------------------------------------------ parsing
def parse_date(text: str, *, today: dt.date | None = None) -> dt.date:
    """A diary date: ``YYYY-MM-DD``, or ``today`` / ``yesterday`` (local clock).

    Raises
    ------
    ValueError
        With a message for the runner.
    """
    s = str(text).strip()
    low = s.lower()
    if low in ("today", "yesterday"):
        t = today or dt.date.today()
        return t if low == "today" else t - dt.timedelta(days=1)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        raise ValueError(f"date {s!r} is not YYYY-MM-DD")
    try:
        d = dt.date.fromisoformat(s)
    except ValueError:
        raise ValueError(f"date {s!r} is not a calendar day") from None
    if not (1900 <= d.year <= 2100):
        raise ValueError(f"date {s!r} is outside 1900-2100")
    t = today or dt.date.today()
    if d > t + dt.timedelta(days=1):  # a day of slack for a runner ahead of this clock's zone
        raise ValueError(
            f"date {s} is in the future (today is {t.isoformat()}): the diary records "
            "pain you have had"
        )
    return d


def parse_severity(value: Any) -> int:
    """A severity on the 0-10 scale, as a whole number (``"4"``, ``4``, ``"4.0"``).

    Raises
    ------
    ValueError
    """
    s = str(value).strip()
    try:
        f = float(s)
    except ValueError:
        raise ValueError(f"severity {s!r} is not a number 0-10") from None
    if f != f or f != int(f):
        raise ValueError(f"severity {s!r} is not a whole number 0-10")
    if not 0 <= f <= 10:
        raise ValueError(f"severity {s!r} is outside 0-10")
    return int(f)


def parse_location(text: str | None) -> str:
    """Where it hurt: lower case, words joined by ``-``; at most 40 chars.

    Spaces and ``_`` become ``-``, so ``"Upper Back"``, ``upper_back`` and the
    default ``upper-back`` are one place. Empty or missing gives
    :data:`DEFAULT_LOCATION`.

    >>> parse_location("Upper Back"), parse_location(" upper_back "), parse_location(None)
    ('upper-back', 'upper-back', 'upper-back')
    """
    s = re.sub(r"[\s_-]+", "-", (text or "").strip().lower())  # "Upper Back" = upper-back
    if not s:
        return DEFAULT_LOCATION
    if not _LOCATION_RE.match(s):
        raise ValueError(
            f"where {text!r} should be a short name such as upper-back "
            "(letters, digits, space, - or _; at most 40 characters)"
        )
    return s


def _note(text: str | None) -> str:
    s = (text or "").strip()
    if len(s) > MAX_NOTE:
        raise ValueError(f"note is {len(s)} characters long; at most {MAX_NOTE}")
    return s


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _row(r: tuple) -> PainEntry:
    return PainEntry(
        id=int(r[0]),
        date=dt.date.fromisoformat(r[1]),
        severity=int(r[2]),
        location=re.sub(r"[\s_-]+", "-", r[3]),  # entries stored before places were one
        note=r[4],
        source=r[5],
        created_utc=r[6],
    )


# ------------------------------------------------------------------ store API
def add_entry(
    store: Store,
    date: dt.date | str,
    severity: int | str,
    location: str | None = None,
    note: str | None = None,
    *,
    source: str = "cli",
) -> PainEntry:
    """Add one entry; returns it with its id.

    Parameters
    ----------
    store : Store
    date : date or str
        Local day (``YYYY-MM-DD``, ``today``, ``yesterday``).
    severity : int or str
        0-10.
    location : str, optional
        Default :data:`DEFAULT_LOCATION`.
    note : str, optional

    Raises
    ------
    RunlensError
        A value out of range (nothing stored).
    """
    try:
        d = date if isinstance(date, dt.date) else parse_date(date)
        sev = parse_severity(severity)
        loc = parse_location(location)
        nt = _note(note)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    from ..store.pain import insert_pain

    new_id = insert_pain(store, d.isoformat(), sev, loc, nt, source, _now())
    return get_entry(store, new_id)


def get_entry(store: Store, entry_id: int) -> PainEntry:
    """The entry with ``entry_id``; RunlensError when there is none."""
    from ..store.pain import pain_row

    r = pain_row(store, entry_id)
    if r is None:
        raise RunlensError(f"no pain diary entry with id {entry_id} (see `runlens pain list`)")
    return _row(r)


def list_entries(
    store: Store,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    location: str | None = None,
) -> list[PainEntry]:
    """Entries from ``start`` to ``end`` (inclusive, local days), by date then id."""
    from ..store.pain import pain_rows

    rows = [
        _row(r)
        for r in pain_rows(
            store, None if start is None else str(start), None if end is None else str(end), None
        )
    ]
    if location is not None:  # compared as one place (an old "upper back" is upper-back)
        where = parse_location(location)
        rows = [e for e in rows if e.location == where]
    return rows


def remove_entry(store: Store, entry_id: int) -> PainEntry:
    """Delete one entry; returns what was deleted."""
    old = get_entry(store, entry_id)
    from ..store.pain import delete_pain

    delete_pain(store, old.id)
    return old


def edit_entry(
    store: Store,
    entry_id: int,
    *,
    date: dt.date | str | None = None,
    severity: int | str | None = None,
    location: str | None = None,
    note: str | None = None,
) -> PainEntry:
    """Correct an entry: only the given fields change. Returns the new entry."""
    old = get_entry(store, entry_id)
    try:
        new = {
            "date": (
                old.date.isoformat()
                if date is None
                else (date if isinstance(date, dt.date) else parse_date(date)).isoformat()
            ),
            "severity": old.severity if severity is None else parse_severity(severity),
            "location": old.location if location is None else parse_location(location),
            "note": old.note if note is None else _note(note),
        }
    except ValueError as exc:
        raise RunlensError(str(exc)) from None
    from ..store.pain import update_pain

    update_pain(store, old.id, new["date"], new["severity"], new["location"], new["note"])
    return get_entry(store, old.id)


# ------------------------------------------------------------------ CSV
def parse_csv(text: str, path: str = "<csv>") -> list[tuple[int, dt.date, int, str, str]]:
    """Parse a diary CSV; returns ``(line, date, severity, location, note)`` rows.

    Raises
    ------
    DiaryImportError
        Any bad row (all of them listed), or a missing/unknown header column.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    header_line = 0
    out, problems = [], []
    start_line = 1  # physical line where the next record starts
    try:
        for rec in reader:
            line = start_line
            start_line = reader.line_num + 1
            if not rec or all(not f.strip() for f in rec) or rec[0].lstrip().startswith("#"):
                continue
            if header is None:
                header = [h.strip().lower() for h in rec]
                header_line = line
                unknown = [h for h in header if h not in CSV_COLUMNS]
                missing = [h for h in REQUIRED_COLUMNS if h not in header]
                dup = sorted({h for h in header if header.count(h) > 1})
                msg = []
                if missing:
                    msg.append(f"header lacks column(s) {', '.join(missing)}")
                if unknown:
                    msg.append(f"unknown column(s) {', '.join(repr(u) for u in unknown)}")
                if dup:
                    msg.append(f"column(s) named twice: {', '.join(dup)}")
                if msg:
                    raise DiaryImportError(
                        path,
                        [(line, "; ".join(msg) + f"; expected columns {','.join(CSV_COLUMNS)}")],
                    )
                continue
            if len(rec) != len(header):
                problems.append(
                    (line, f"{len(rec)} fields, the header has {len(header)} (quote commas)")
                )
                continue
            row = dict(zip(header, rec))
            errs = []
            vals: list[Any] = []
            for fn, key in (
                (parse_date, "date"),
                (parse_severity, "severity"),
                (parse_location, "where"),
                (_note, "note"),
            ):
                try:
                    if key == "date":
                        v = row.get(key, "").strip()
                        if v.lower() in ("today", "yesterday"):
                            raise ValueError(f"date {v!r} is not YYYY-MM-DD")
                        vals.append(fn(v))
                    else:
                        vals.append(fn(row.get(key)))
                except ValueError as exc:
                    errs.append(str(exc))
            if errs:
                problems.append((line, "; ".join(errs)))
            else:
                out.append((line, *vals))
    except csv.Error as exc:
        problems.append((reader.line_num, f"not valid CSV ({exc})"))
    if header is None:
        raise DiaryImportError(path, [(1, "no header row (expected date,severity,where,note)")])
    if problems:
        raise DiaryImportError(path, problems)
    if not out:
        raise DiaryImportError(path, [(header_line, "a header but no diary rows")])
    return out


#: Largest diary CSV read (bytes): years of daily entries are well under 1 MiB.
MAX_DIARY_BYTES = 16 * 1024 * 1024


def read_diary_bytes(name: str) -> bytes:
    """A diary CSV's bytes, with :func:`runlens.io.source.open_regular`'s checks (a FIFO
    or a device refused at once) and a size check before a bounded read."""
    from ..io.source import open_regular

    too_big = (f"is over {MAX_DIARY_BYTES // 2**20} MiB; a diary CSV is far smaller "
               "(is it the right file?)")
    try:
        with open_regular(name) as fh:
            if os.fstat(fh.fileno()).st_size > MAX_DIARY_BYTES:
                raise RunlensError(too_big, path=name)
            raw = fh.read(MAX_DIARY_BYTES + 1)
    except OSError as exc:
        raise RunlensError(f"cannot be read ({exc.strerror or exc})", path=name) from None
    if len(raw) > MAX_DIARY_BYTES:
        raise RunlensError(too_big, path=name)
    return raw


def import_csv(store: Store, path: str | os.PathLike[str]) -> ImportReport:
    """Import a diary CSV into the store in one transaction (see the module doc).

    Parameters
    ----------
    store : Store
    path : str or PathLike
        The CSV file (only read).

    Returns
    -------
    ImportReport

    Raises
    ------
    DiaryImportError
        Bad rows (nothing imported).
    RunlensError
        The file cannot be read or is not UTF-8 text.
    """
    name = str(path)
    raw = read_diary_bytes(name)  # a regular file of bounded size: no FIFO hang, no /dev/zero
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RunlensError(
            f"is not UTF-8 text (byte {exc.start}); save the diary as UTF-8 CSV", path=name
        ) from None
    rows = parse_csv(text, name)
    rep = ImportReport(path=name, rows=len(rows))
    rep.first = min(r[1] for r in rows)
    rep.last = max(r[1] for r in rows)
    source = Path(path).name
    now = _now()
    from ..store.pain import import_pain_rows

    rep.added, rep.already = import_pain_rows(
        store, [(d.isoformat(), sev, loc, note) for _line, d, sev, loc, note in rows], source, now
    )
    return rep
