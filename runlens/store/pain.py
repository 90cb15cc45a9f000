"""The pain diary's rows (``pain_entries``): the SQL behind :mod:`runlens.pain.diary`.

Rows are ``(id, date, severity, location, note, source, created_utc)``, dates
as ISO text; checking values is the diary's work, not the store's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .db import Store

__all__ = [
    "insert_pain",
    "pain_row",
    "pain_rows",
    "delete_pain",
    "update_pain",
    "import_pain_rows",
]

_SELECT = "SELECT id, date, severity, location, note, source, created_utc FROM pain_entries"
_INSERT = (
    "INSERT INTO pain_entries (date, severity, location, note, source, created_utc) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)


def insert_pain(store: Store, date: str, severity: int, location: str, note: str,
                source: str, created_utc: str) -> int:
    """Add one entry; its id."""
    with store.transaction() as c:
        return c.execute(_INSERT, (date, severity, location, note, source, created_utc)).lastrowid


def pain_row(store: Store, entry_id: int) -> tuple | None:
    """The entry ``entry_id``, or None."""
    return store.conn.execute(_SELECT + " WHERE id = ?", (int(entry_id),)).fetchone()


def pain_rows(store: Store, start: str | None = None, end: str | None = None,
              location: str | None = None) -> list[tuple]:
    """Entries from ``start`` to ``end`` (ISO days, inclusive) at ``location``, by date then id."""
    sql, args = _SELECT + " WHERE 1", []
    if start is not None:
        sql += " AND date >= ?"
        args.append(start)
    if end is not None:
        sql += " AND date <= ?"
        args.append(end)
    if location is not None:
        sql += " AND location = ?"
        args.append(location)
    return store.conn.execute(sql + " ORDER BY date, id", args).fetchall()


def delete_pain(store: Store, entry_id: int) -> None:
    with store.transaction() as c:
        c.execute("DELETE FROM pain_entries WHERE id = ?", (int(entry_id),))


def update_pain(store: Store, entry_id: int, date: str, severity: int, location: str,
                note: str) -> None:
    with store.transaction() as c:
        c.execute(
            "UPDATE pain_entries SET date = ?, severity = ?, location = ?, note = ? WHERE id = ?",
            (date, severity, location, note, int(entry_id)),
        )


def import_pain_rows(store: Store, rows: list[tuple[str, int, str, str]], source: str,
                     created_utc: str) -> tuple[int, int]:
    """Add ``(date, severity, location, note)`` rows in one transaction, each unless an
    entry of the same day, severity, place and note is there; (added, already there)."""
    added = already = 0
    with store.transaction() as c:
        for d, sev, loc, note in rows:  # one statement per diary row, few
            hit = c.execute(
                "SELECT 1 FROM pain_entries WHERE date = ? AND severity = ? AND location = ? "
                "AND note = ? LIMIT 1",
                (d, sev, loc, note),
            ).fetchone()
            if hit:
                already += 1
                continue
            c.execute(_INSERT, (d, sev, loc, note, source, created_utc))
            added += 1
    return added, already
