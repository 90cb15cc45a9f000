"""Diary storage: entries, corrections, CSV import (all or nothing), the schema migration."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from runlens.errors import RunlensError
from runlens.history import SCHEMA_VERSION, Store
from runlens.pain import (
    DiaryImportError,
    add_entry,
    edit_entry,
    get_entry,
    import_csv,
    list_entries,
    remove_entry,
)
from runlens.store.db import _SCHEMA, APPLICATION_ID


def test_add_list_edit_remove(tmp_path):
    with Store(tmp_path / "s.sqlite") as s:
        a = add_entry(s, "2026-08-24", 5, None, "tight")
        b = add_entry(s, "2026-08-20", "3", "Neck")
        c = add_entry(s, dt.date(2026, 8, 24), 2, "lower-back")
        assert (a.severity, a.location, a.note, a.source) == (5, "upper-back", "tight", "cli")
        assert b.location == "neck"
        assert [e.id for e in list_entries(s)] == [b.id, a.id, c.id]  # by date, then id
        assert [e.id for e in list_entries(s, "2026-08-21")] == [a.id, c.id]
        assert [e.id for e in list_entries(s, location="neck")] == [b.id]
        e = edit_entry(s, a.id, severity=6, note="")
        assert (e.date, e.severity, e.location, e.note) == (
            dt.date(2026, 8, 24),
            6,
            "upper-back",
            "",
        )
        assert edit_entry(s, b.id, date="2026-08-19").date == dt.date(2026, 8, 19)
        assert remove_entry(s, c.id).id == c.id
        assert [x.id for x in list_entries(s)] == [b.id, a.id]
        with pytest.raises(RunlensError, match="no pain diary entry with id 999"):
            get_entry(s, 999)


@pytest.mark.parametrize(
    ("date", "sev", "where", "msg"),
    [
        ("2026-02-30", 3, None, "not a calendar day"),
        ("24/08/2026", 3, None, "not YYYY-MM-DD"),
        ("2026-08-24", 11, None, "outside 0-10"),
        ("2026-08-24", -1, None, "outside 0-10"),
        ("2026-08-24", "4.5", None, "not a whole number"),
        ("2026-08-24", "bad", None, "not a number"),
        ("2026-08-24", 4, "upper back; drop table", "short name"),
    ],
)
def test_bad_values_are_refused_and_nothing_stored(tmp_path, date, sev, where, msg):
    with Store(tmp_path / "s.sqlite") as s:
        with pytest.raises(RunlensError, match=msg):
            add_entry(s, date, sev, where)
        assert list_entries(s) == []


def test_today_and_yesterday():
    from runlens.pain.diary import parse_date

    t = dt.date(2026, 3, 1)
    assert parse_date("today", today=t) == t
    assert parse_date("Yesterday", today=t) == dt.date(2026, 2, 28)


GOOD = (
    "\ufeffDate,Severity,Where,Note\n"
    "2026-08-17,4,upper-back,stiff\n"
    "\n"
    "# a comment line\n"
    '2026-08-25,5,,"hurts, turning the head"\n'
    "2026-08-26,3,neck,\n"
)


def test_import_reads_every_row_and_a_second_import_adds_nothing(tmp_path):
    f = tmp_path / "diary.csv"
    f.write_text(GOOD, encoding="utf-8")
    before = f.read_bytes()
    with Store(tmp_path / "s.sqlite") as s:
        rep = import_csv(s, f)
        assert (rep.rows, rep.added, rep.already) == (3, 3, 0)
        assert (rep.first, rep.last) == (dt.date(2026, 8, 17), dt.date(2026, 8, 26))
        got = [
            (e.date.isoformat(), e.severity, e.location, e.note, e.source) for e in list_entries(s)
        ]
        assert got == [
            ("2026-08-17", 4, "upper-back", "stiff", "diary.csv"),
            ("2026-08-25", 5, "upper-back", "hurts, turning the head", "diary.csv"),
            ("2026-08-26", 3, "neck", "", "diary.csv"),
        ]
        rep2 = import_csv(s, f)
        assert (rep2.added, rep2.already) == (0, 3)
        assert len(list_entries(s)) == 3
    assert f.read_bytes() == before  # the user's file is only read


def test_columns_in_any_order_and_optional(tmp_path):
    f = tmp_path / "d.csv"
    f.write_text("severity,date\n2,2026-01-02\n", encoding="utf-8")
    with Store(tmp_path / "s.sqlite") as s:
        import_csv(s, f)
        (e,) = list_entries(s)
        assert (e.date, e.severity, e.location, e.note) == (
            dt.date(2026, 1, 2),
            2,
            "upper-back",
            "",
        )


def test_bad_rows_are_listed_with_line_numbers_and_nothing_is_imported(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text(
        "date,severity,where,note\n"  # line 1
        "2026-08-17,4,upper-back,ok\n"  # 2
        '2026-08-18,3,upper-back,"a note\nover two lines"\n'  # 3-4
        "2026-13-01,4,,\n"  # 5: bad date
        "2026-08-20,high,,\n"  # 6: bad severity
        "2026-08-21,4,,note,extra\n"  # 7: too many fields
        "2026-08-22,12,upper back!,\n",  # 8: two problems
        encoding="utf-8",
    )
    with Store(tmp_path / "s.sqlite") as s:
        add_entry(s, "2026-01-01", 1)
        with pytest.raises(DiaryImportError) as ei:
            import_csv(s, f)
        assert [ln for ln, _ in ei.value.problems] == [5, 6, 7, 8]
        msgs = dict(ei.value.problems)
        assert "not a calendar day" in msgs[5]
        assert "'high' is not a number" in msgs[6]
        assert "5 fields, the header has 4" in msgs[7]
        assert "outside 0-10" in msgs[8] and "short name" in msgs[8]
        text = str(ei.value)
        assert text.splitlines()[0] == f"{f}: 4 bad rows, nothing imported (fix and import again)"
        assert f"{f} line 6: severity 'high' is not a number 0-10" in text
        assert len(list_entries(s)) == 1  # only the entry from before


@pytest.mark.parametrize(
    ("text", "msg"),
    [
        ("day,pain\n2026-01-01,3\n", "header lacks column(s) date, severity"),
        ("date,severity,mood\n2026-01-01,3,ok\n", "unknown column(s) 'mood'"),
        ("", "no header row"),
        ("date,severity\n", "a header but no diary rows"),
    ],
)
def test_bad_headers(tmp_path, text, msg):
    f = tmp_path / "h.csv"
    f.write_text(text, encoding="utf-8")
    with Store(tmp_path / "s.sqlite") as s:
        with pytest.raises(DiaryImportError, match=None) as ei:
            import_csv(s, f)
        assert msg in str(ei.value)


def test_not_utf8_and_missing_file(tmp_path):
    f = tmp_path / "latin.csv"
    f.write_bytes("date,severity,note\n2026-01-01,3,Rücken\n".encode("latin-1"))
    with Store(tmp_path / "s.sqlite") as s:
        with pytest.raises(RunlensError, match="not UTF-8 text"):
            import_csv(s, f)
        with pytest.raises(RunlensError, match="cannot be read"):
            import_csv(s, tmp_path / "missing.csv")


def test_a_schema_1_store_is_migrated_in_place_keeping_its_rows(tmp_path):
    db = tmp_path / "v1.sqlite"
    c = sqlite3.connect(db)
    c.executescript(_SCHEMA)
    c.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    c.execute("PRAGMA user_version = 1")
    c.execute("INSERT INTO files VALUES ('/a.fit', '/', 10, 1, 'x', 'bad', 'broken')")
    c.execute("INSERT INTO daily_load VALUES ('2026-01-01', 5000, 1800, 0, 1)")
    c.commit()
    c.close()
    with Store(db, create=False) as s:
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert s.meta("schema_version") == SCHEMA_VERSION
        assert s.problem_files() == [("/a.fit", "bad", "broken")]
        assert s.count("daily_load") == 1
        add_entry(s, "2026-01-02", 4)
        assert s.count("pain_entries") == 1
    with Store(db, create=False) as s:  # opening again changes nothing
        assert s.count("pain_entries") == 1 and s.count("files") == 1


def test_a_scan_keeps_the_diary(tmp_path):
    from runlens.history import scan
    from tests.history.gpxgen import steady_weeks, write_history

    write_history(tmp_path / "runs", steady_weeks(1))
    db = tmp_path / "s.sqlite"
    with Store(db) as s:
        add_entry(s, "2024-01-03", 4, note="before the scan")
    scan(tmp_path / "runs", db, jobs=1)
    scan(tmp_path / "runs", db, jobs=1, rescan=True)
    with Store(db) as s:
        assert [e.note for e in list_entries(s)] == ["before the scan"]
        assert s.count("activities") == 5
