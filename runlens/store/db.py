"""The history store: one SQLite file (standard library), WAL mode, transactions.

docs/history.md documents the schema. In short:

- ``meta``: ``schema_version``, ``created_by``, ``load_assumptions``,
  ``derived_state`` (JSON; see :data:`DERIVED_STATE_KEY`).
- ``roots``: every scanned source (a folder or a zip): its ``kind``
  (``folder``, ``zip``), first and last scan (UTC) and how many files the
  last scan found there (schema 5).
- ``files``: one row per discovered file: absolute ``path``, ``root``,
  ``size`` (bytes), ``mtime_ns``, ``sha256`` (of the bytes on disk),
  ``status`` (``ok``, ``bad``, ``skipped``), ``error`` (the one-line reason).
- ``activities``: one row per readable activity file (``path`` references
  ``files``): content hash, format, sport, UTC start, UTC offset, summary
  metrics as columns and as JSON, the device's summary, a heart-rate
  histogram, the file's runner profile, form findings and ``judged_as``
  (the baseline they were judged against), reader warnings, and
  ``duplicate_of`` (the path of the copy that counts, when the same activity
  is stored twice) plus the session spike ratio.
- ``form_minutes`` (schema 3; breathing columns schema 4): the per-minute
  form table of each run (:func:`runlens.metrics.form_minutes`), which the
  personal baselines and the weekly form charts read.
- ``daily_load``: per local date: distance, moving time, TRIMP, runs
  (derived; rebuilt at the end of each scan).
- ``pain_entries`` (schema 2): the runner's pain diary (:mod:`runlens.pain`),
  entered by hand, never touched by a scan.

One store holds a runner's whole history (:func:`default_store_path`): every
folder and zip scanned into it is a source of the same history.

Schema changes are migrations (:data:`MIGRATIONS`): opening a store of an
older schema applies the missing steps in one transaction and keeps its data.

Every file's result is committed in its own short ``BEGIN IMMEDIATE``
transaction, so a scan killed at any point keeps what it stored and leaves a
consistent file; two scans of one store at once serialise on SQLite's lock.
A file that is not a runlens store, or is corrupt, is reported and never
replaced.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DiskFullError, RunlensError
from ..io.events import event_key
from ..metrics.form import FORM_CHANNELS, FORM_COLUMNS
from .access import StoreError
from .paths import STORE_ENV, data_dir, default_store_path, legacy_store_dir

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "SCHEMA_VERSION",
    "APPLICATION_ID",
    "StoreError",
    "Store",
    "default_store_path",
    "folder_store_name",
    "legacy_store_dir",
    "data_dir",
    "STORE_ENV",
]

SCHEMA_VERSION = 7
#: SQLite application_id of a runlens store ("RLNS"), so another program's
#: database is recognised and refused.
APPLICATION_ID = 0x524C4E53
_SQLITE_MAGIC = b"SQLite format 3\x00"
#: ``meta`` key of what the last :func:`~runlens.history.refresh_derived` found
#: (its settings' fingerprint and counts); deleted by every write that changes
#: the stored activities, so its presence means the derived tables are current.
DERIVED_STATE_KEY = "derived_state"
#: Seconds a scan waits for another process holding the store's write lock.
BUSY_TIMEOUT_S = 120
#: Below this many free bytes on the store's file system, an SQLite I/O error is taken
#: to be a full disk (SQLite reports a failed write of its WAL index as an I/O error).
_MIN_FREE_BYTES = 1 << 20

#: Summary metrics kept as columns (the rest are in ``summary_json``).
SUMMARY_COLUMNS = (
    "distance_m",
    "elapsed_s",
    "timer_s",
    "moving_s",
    "avg_speed_m_s",
    "heart_rate_bpm",
    "cadence_spm",
    "ascent_m",
)
JSON_COLUMNS = (
    "summary",
    "device_summary",
    "hr_hist",
    "profile",
    "findings",
    "warnings",
)

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS roots (
    path TEXT PRIMARY KEY,
    last_scan_utc TEXT
);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    root TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ok', 'bad', 'skipped')),
    error TEXT
);
CREATE INDEX IF NOT EXISTS files_root ON files(root);
CREATE TABLE IF NOT EXISTS activities (
    path TEXT PRIMARY KEY REFERENCES files(path) ON DELETE CASCADE,
    content_sha256 TEXT NOT NULL,
    format TEXT NOT NULL,
    reader TEXT,
    sport TEXT,
    start_utc TEXT NOT NULL,
    start_s REAL NOT NULL,
    utc_offset_s INTEGER,
    {", ".join(f"{c} REAL" for c in SUMMARY_COLUMNS)},
    {", ".join(f"{c}_json TEXT NOT NULL" for c in JSON_COLUMNS)},
    form_rules TEXT NOT NULL,
    duplicate_of TEXT,
    spike_ratio REAL,
    longest_prev30_m REAL
);
CREATE INDEX IF NOT EXISTS activities_start ON activities(start_s);
CREATE TABLE IF NOT EXISTS daily_load (
    date TEXT PRIMARY KEY,
    distance_m REAL NOT NULL,
    moving_s REAL NOT NULL,
    trimp REAL NOT NULL,
    runs INTEGER NOT NULL
);
"""


#: The form channels of schema 3 (later schemas add columns by migration, so
#: that a store of any version reaches the same table).
_FORM_CHANNELS_V3 = (
    "speed_m_s",
    "grade_pct",
    "cadence_spm",
    "step_length_m",
    "ground_contact_ms",
    "ground_contact_pct",
    "vertical_oscillation_mm",
    "vertical_ratio_pct",
    "gct_balance_left_pct",
    "heart_rate_bpm",
    "power_w",
)
#: Channels schema 4 added: breathing rate and steps per breath.
_FORM_CHANNELS_V4 = ("respiration_rate_brpm", "steps_per_breath")
assert (*_FORM_CHANNELS_V3, *_FORM_CHANNELS_V4) == FORM_CHANNELS, "form_minutes needs a migration"

#: The per-minute form table of each run as schema 3 created it (docs/history.md,
#: docs/data-model.md).
_FORM_MINUTES_TABLE = f"""
CREATE TABLE IF NOT EXISTS form_minutes (
    path TEXT NOT NULL REFERENCES activities(path) ON DELETE CASCADE,
    minute INTEGER NOT NULL,
    start_s REAL NOT NULL,
    seconds REAL NOT NULL,
    steady_s REAL NOT NULL,
    steady INTEGER NOT NULL,
    {", ".join(f"{c} REAL" for c in _FORM_CHANNELS_V3)},
    PRIMARY KEY (path, minute)
);
"""

#: Schema version -> statements that migrate a store of the previous version
#: to it. A new store gets :data:`_SCHEMA` (version 1) and then every step.
MIGRATIONS: dict[int, str] = {
    2: """
CREATE TABLE IF NOT EXISTS pain_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    date TEXT NOT NULL,
    severity INTEGER NOT NULL CHECK (severity BETWEEN 0 AND 10),
    location TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL,
    created_utc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS pain_entries_date ON pain_entries(date);
""",
    # Schema 3: the per-minute form table replaces the steady_points JSON; a
    # run's form findings record the baseline they were judged against. The
    # old points become steady minutes (speed, step rate, seconds), and every
    # stored file is marked for reading again by the next scan (its hash is
    # forgotten), which fills in the other channels and judges it anew.
    3: _FORM_MINUTES_TABLE
    + """
ALTER TABLE activities ADD COLUMN judged_as TEXT;
UPDATE files SET sha256 = '', mtime_ns = -1 WHERE path IN (SELECT path FROM activities);
""",
    # Schema 4: breathing rate and steps per breath in the form table. Every
    # row stays; the runs whose summary has a breathing rate are marked for
    # reading again by the next scan (their hash is forgotten), which fills
    # in the new columns; the other runs' new columns stay empty, as a fresh
    # read would leave them.
    4: "".join(f"ALTER TABLE form_minutes ADD COLUMN {c} REAL;\n" for c in _FORM_CHANNELS_V4)
    + """
UPDATE files SET sha256 = '', mtime_ns = -1 WHERE path IN (
    SELECT path FROM activities
    WHERE json_extract(summary_json, '$.respiration_rate_brpm') IS NOT NULL);
""",
    # Schema 5: one store per runner, so each source records what it is, when
    # it was first scanned and how many files it held. Nothing is read again.
    5: """
ALTER TABLE roots ADD COLUMN kind TEXT;
ALTER TABLE roots ADD COLUMN first_scan_utc TEXT;
ALTER TABLE roots ADD COLUMN files INTEGER;
UPDATE roots SET first_scan_utc = last_scan_utc;
""",
}

#: The columns of ``activities`` from schema 3 to 5.
_ACTIVITY_COLUMNS_V5 = (
    "path", "content_sha256", "format", "reader", "sport", "start_utc", "start_s",
    "utc_offset_s", *SUMMARY_COLUMNS, *(f"{c}_json" for c in JSON_COLUMNS), "form_rules",
    "duplicate_of", "spike_ratio", "longest_prev30_m", "judged_as",
)

# Schema 6: the activity, not the file, is the unit of history. ``activities.path``
# is the activity's key (the file's path for its first run, ``PATH#2``... for the
# others: runlens.io.events.event_key), ``file`` the file it is in, ``event`` its
# number there. The table is rebuilt (SQLite cannot change a primary key's
# reference), form_minutes with it, every row kept; the files that held more than
# one run (a TCX whose other days were left out, a FIT whose running sessions are
# far apart: its record span exceeds its sessions' time by over half an hour) are
# marked for reading again, so the next scan stores each of their runs.
MIGRATIONS[6] = f"""
ALTER TABLE form_minutes RENAME TO form_minutes_v5;
ALTER TABLE activities RENAME TO activities_v5;
DROP INDEX IF EXISTS activities_start;
CREATE TABLE activities (
    path TEXT PRIMARY KEY,
    content_sha256 TEXT NOT NULL,
    format TEXT NOT NULL,
    reader TEXT,
    sport TEXT,
    start_utc TEXT NOT NULL,
    start_s REAL NOT NULL,
    utc_offset_s INTEGER,
    {", ".join(f"{c} REAL" for c in SUMMARY_COLUMNS)},
    {", ".join(f"{c}_json TEXT NOT NULL" for c in JSON_COLUMNS)},
    form_rules TEXT NOT NULL,
    duplicate_of TEXT,
    spike_ratio REAL,
    longest_prev30_m REAL,
    judged_as TEXT,
    file TEXT NOT NULL REFERENCES files(path) ON DELETE CASCADE,
    event INTEGER NOT NULL DEFAULT 0
);
INSERT INTO activities ({", ".join(_ACTIVITY_COLUMNS_V5)}, file, event)
    SELECT {", ".join(_ACTIVITY_COLUMNS_V5)}, path, 0 FROM activities_v5;
CREATE INDEX activities_start ON activities(start_s);
CREATE INDEX activities_file ON activities(file);
{_FORM_MINUTES_TABLE.replace(
    f"{_FORM_CHANNELS_V3[-1]} REAL,", f"{_FORM_CHANNELS_V3[-1]} REAL, "
    + ", ".join(f"{c} REAL" for c in _FORM_CHANNELS_V4) + ","
)}
INSERT INTO form_minutes SELECT * FROM form_minutes_v5;
DROP TABLE form_minutes_v5;
DROP TABLE activities_v5;
UPDATE files SET sha256 = '', mtime_ns = -1 WHERE path IN (
    SELECT file FROM activities
    WHERE (format = 'tcx' AND warnings_json LIKE '%activities on different days%')
    OR (format = 'fit' AND json_extract(summary_json, '$.elapsed_s')
        - json_extract(device_summary_json, '$.elapsed_s') > 1800));
"""

# Schema 7: each run's digest of its steady form minutes (:meth:`Store.minute_digests`)
# kept with the run, written when its minutes are, so that judging a scan does not
# aggregate every stored minute to learn which baselines changed; and the digest of
# what its judgement was fitted from (``judge_inputs``, with ``judged_as``), which
# was one JSON object in ``meta`` rewritten whole by every scan. Old rows get their
# minutes' digest on the next scan (from their stored minutes; nothing is read
# again); the next scan rebuilds the derived tables and refits each baseline once
# (its inputs now also count the runs before it, see runlens.history.judge). Two
# indexes let adding a run ask the store without reading every row: a run of the
# same content, and the counted runs of a baseline's window (and before it).
MIGRATIONS[7] = """
ALTER TABLE activities ADD COLUMN minutes_digest TEXT;
ALTER TABLE activities ADD COLUMN judge_inputs TEXT;
DELETE FROM meta WHERE key IN ('judge_inputs', 'derived_state');
CREATE INDEX IF NOT EXISTS activities_content ON activities(content_sha256);
CREATE INDEX IF NOT EXISTS activities_window ON activities(
    start_s, duplicate_of, sport, minutes_digest, path);
"""

#: Steps an ``activities`` table holding the named column has had already.
_DONE_IF_COLUMN: dict[int, str] = {6: "file", 7: "minutes_digest"}

#: Steps that only an existing store holding the named ``activities`` column
#: needs (before the version's statements): older stores keep their steady
#: points as JSON.
_MIGRATE_DATA: dict[int, tuple[str, str]] = {
    3: (
        "steady_points_json",
        _FORM_MINUTES_TABLE
        + """
INSERT OR IGNORE INTO form_minutes (path, minute, start_s, seconds, steady_s, steady,
    speed_m_s, cadence_spm)
    SELECT a.path, CAST(j.key AS INTEGER), a.start_s, json_extract(j.value, '$[2]'),
        json_extract(j.value, '$[2]'), 1, json_extract(j.value, '$[0]'),
        json_extract(j.value, '$[1]')
    FROM activities AS a, json_each(a.steady_points_json) AS j;
ALTER TABLE activities DROP COLUMN steady_points_json;
""",
    ),
}


def folder_store_name(root: str | os.PathLike[str]) -> str:
    """``NAME-HASH`` of a folder: its name plus a hash of its absolute path.

    Older runlens kept one store per scanned folder under this name
    (:func:`legacy_store_dir`); cohort datasets still use it.
    """
    r = Path(root).resolve()
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", r.name).strip("-")[:40] or "root"
    digest = hashlib.sha256(str(r).encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{slug}-{digest}"


class Store:
    """An open history store.

    Parameters
    ----------
    path : str or PathLike
        The SQLite file.
    create : bool
        Create the file (and its folder) when missing; otherwise a missing
        store is an error.

    Raises
    ------
    StoreError
        Missing (with ``create=False``), not SQLite, another program's
        database, written by a newer runlens, or failing SQLite's integrity
        check. The file is left as it was.
    """

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True) -> None:
        from .access import check_store_target, connect_uri, writable

        self.path = Path(path)
        name = str(self.path)
        check_store_target(self.path, create)  # no /dev/null-journal, no schema in an empty file
        exists = self.path.exists()
        if exists and self.path.is_dir():
            raise StoreError("is a folder, not a store file", path=name)
        if not exists and not create:
            raise StoreError("no history store here; run `runlens scan DIR` first", path=name)
        if exists and self.path.stat().st_size > 0:
            with open(self.path, "rb") as fh:
                head = fh.read(16)
            if head != _SQLITE_MAGIC:
                raise StoreError(
                    "not a runlens history store (not an SQLite database); left untouched. "
                    "Move it aside or choose another file with --db",
                    path=name,
                )
        if not exists:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:  # an unwritable data folder: one line, not a traceback
                raise StoreError(
                    f"its folder cannot be created ({exc.strerror or exc}); choose a store "
                    "with --db",
                    path=name,
                ) from None
        #: Opened read-only: the file or its mount cannot be written (reads work).
        self.read_only = exists and not writable(self.path)
        try:
            if self.read_only:
                self.conn = sqlite3.connect(
                    connect_uri(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None, uri=True
                )
            else:
                self.conn = sqlite3.connect(name, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the store ({exc})", path=name) from None
        import time

        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while True:
            try:
                self._setup()
                break
            except sqlite3.OperationalError as exc:
                # SQLite answers "locked" at once, without waiting, where waiting could
                # deadlock (two openers upgrading a read lock while another creates
                # the store or switches it to WAL): open again until the timeout.
                if "locked" in str(exc) and time.monotonic() < deadline:
                    time.sleep(0.05)
                    continue
                self.conn.close()
                raise store_error(exc, name) from None
            except sqlite3.DatabaseError as exc:
                self.conn.close()
                raise store_error(exc, name) from None

    # ------------------------------------------------------------------ setup
    def _state(self) -> tuple[int, int, int]:
        """(application_id, number of schema objects, user_version) as committed."""
        c = self.conn
        return (
            c.execute("PRAGMA application_id").fetchone()[0],
            c.execute("SELECT count(*) FROM sqlite_master").fetchone()[0],
            c.execute("PRAGMA user_version").fetchone()[0],
        )

    def _setup(self) -> None:
        c = self.conn
        c.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        app_id, n_tables, version = self._state()
        if self.read_only and (not n_tables or version < SCHEMA_VERSION):
            raise StoreError(
                "read-only, and of an older schema this runlens must upgrade; copy it to a "
                "folder you can write and open the copy with --db",
                path=str(self.path),
            )
        if not n_tables or app_id != APPLICATION_ID or version < SCHEMA_VERSION:
            # Another runlens may be creating or migrating this store at this
            # moment: decide (and create) under the write lock, on what it committed.
            with self.transaction():
                app_id, n_tables, version = self._state()
                if not n_tables or (app_id == APPLICATION_ID and version < SCHEMA_VERSION):
                    self._create_or_migrate(version if n_tables else 0)
                    app_id, n_tables, version = self._state()
        if n_tables and app_id != APPLICATION_ID:
            raise StoreError(
                "an SQLite database of another program, not a runlens history store; "
                "left untouched. Choose another file with --db",
                path=str(self.path),
            )
        if n_tables:
            check = c.execute("PRAGMA quick_check").fetchall()
            if [r[0] for r in check] != ["ok"]:
                detail = "; ".join(str(r[0]) for r in check[:3])
                raise sqlite3.DatabaseError(f"integrity check failed: {detail}")
            version = c.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"written by a newer runlens (schema {version}, this one reads "
                    f"{SCHEMA_VERSION}); upgrade runlens",
                    path=str(self.path),
                )
        if self.read_only:
            return  # nothing may be written: no WAL switch, no pragmas that write
        if c.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            c.execute("PRAGMA journal_mode = WAL")  # readers do not block the writer
        c.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: a crash loses no commit
        c.execute("PRAGMA foreign_keys = ON")

    def _create_or_migrate(self, version: int) -> None:
        """Create the schema (``version`` 0) or migrate it; inside the caller's transaction."""
        c = self.conn
        steps = [_SCHEMA] if version < 1 else []
        cols = {r[1] for r in c.execute("PRAGMA table_info(activities)")} if version else set()
        for v in range(max(version, 1) + 1, SCHEMA_VERSION + 1):
            if v in _MIGRATE_DATA and _MIGRATE_DATA[v][0] in cols:
                steps.append(_MIGRATE_DATA[v][1])
            if _DONE_IF_COLUMN.get(v) in cols:
                continue  # the step's table is already there (a store rebuilt by hand)
            steps.append(MIGRATIONS[v])
        for stmt in ";".join(steps).split(";"):
            if stmt.strip():
                c.execute(stmt)
        c.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        c.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        from .. import __version__

        c.execute(
            "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?), ('created_by', ?)",
            (str(SCHEMA_VERSION), f"runlens {__version__}"),
        )

    def transaction(self):
        """Context manager: ``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on error).

        IMMEDIATE takes the write lock at the start, so two writers wait for
        each other (busy timeout) instead of failing on a lock upgrade.
        """
        return _Tx(self.conn, self.path)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- writes
    def known_files(self, root: str) -> dict[str, tuple[int, int, str, str]]:
        """Stored files under ``root``: path -> (size, mtime_ns, sha256, status).

        Under it by path, whichever source first stored them: a folder inside
        one scanned before is not read again, nor the other way round.
        """
        from ..io.archive import SEP

        rows = self.conn.execute(
            "SELECT path, size, mtime_ns, sha256, status FROM files WHERE root = ? OR path = ? "
            "OR substr(path, 1, ?) = ? OR substr(path, 1, ?) = ?",
            (root, root, len(root) + len(os.sep), root + os.sep, len(root) + len(SEP), root + SEP),
        )
        return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}

    def put_result(self, res: dict[str, Any], root: str) -> None:
        """Store one worker result (see :func:`runlens.history.worker.analyse_file`).

        A result that changes what is stored (anything but ``"unchanged"``)
        also forgets the derived-state record in the same transaction, so a
        scan interrupted before :func:`~runlens.history.refresh_derived` makes
        the next scan refresh even when it finds nothing new.
        """
        status = res["status"]
        with self.transaction():
            c = self.conn
            if status != "unchanged":
                c.execute("DELETE FROM meta WHERE key = ?", (DERIVED_STATE_KEY,))
            if res["sha256"] is None:  # the file could not even be opened
                c.execute(
                    "INSERT INTO files VALUES (?, ?, -1, -1, '', 'bad', ?) "
                    "ON CONFLICT(path) DO UPDATE SET size=-1, mtime_ns=-1, sha256='', "
                    "status='bad', error=excluded.error",
                    (res["path"], root, res["error"]),
                )
                c.execute("DELETE FROM activities WHERE file = ?", (res["path"],))
                return
            if status == "unchanged":
                c.execute(
                    "UPDATE files SET size = ?, mtime_ns = ? WHERE path = ?",
                    (res["size"], res["mtime_ns"], res["path"]),
                )
                return
            c.execute(
                "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET "
                "root=excluded.root, size=excluded.size, mtime_ns=excluded.mtime_ns, "
                "sha256=excluded.sha256, status=excluded.status, error=excluded.error",
                (
                    res["path"],
                    root,
                    res["size"],
                    res["mtime_ns"],
                    res["sha256"],
                    status,
                    res["error"],
                ),
            )
            # The file's runs are replaced as a whole (it may hold more or fewer now).
            c.execute("DELETE FROM activities WHERE file = ?", (res["path"],))
            if status != "ok":
                return
            cols = (
                ["path", "file", "event", "content_sha256", "format", "reader", "sport"]
                + ["start_utc", "start_s", "utc_offset_s", *SUMMARY_COLUMNS]
                + [f"{k}_json" for k in JSON_COLUMNS]
                + ["form_rules", "judged_as", "judge_inputs"]
            )
            for n, a in enumerate(res.get("activities") or [res["activity"]]):
                key = a.get("key") or event_key(res["path"], n)
                s = a["summary"]
                vals = (
                    [key, res["path"], n, a["content_sha256"], a["format"], a["reader"]]
                    + [a["sport"], a["start_utc"], a["start_s"], a["utc_offset_s"]]
                    + [s.get(k) for k in SUMMARY_COLUMNS]
                    + [json.dumps(a[k], allow_nan=False, sort_keys=True) for k in JSON_COLUMNS]
                    + [a["form_rules"], a.get("judged_as"), a.get("judge_inputs")]
                )
                c.execute(
                    f"INSERT INTO activities ({', '.join(cols)}) "
                    f"VALUES ({', '.join('?' * len(cols))})",
                    vals,
                )
                c.executemany(
                    f"INSERT INTO form_minutes (path, {', '.join(FORM_COLUMNS)}) "
                    f"VALUES (?, {', '.join('?' * len(FORM_COLUMNS))})",
                    [(key, *row) for row in a["form_minutes"]],
                )
                c.execute(
                    "UPDATE activities SET minutes_digest = ? WHERE path = ?",
                    (self._minutes_digest_of(key), key),
                )

    def set_judgement(
        self,
        path: str,
        findings: list,
        form_rules: str,
        judged_as: str,
        inputs: str | None = None,
    ) -> None:
        """Store the form findings of one run, the baseline key they were judged on
        and the digest of what that baseline was fitted from (None: no baseline)."""
        with self.transaction():
            self.conn.execute(
                "UPDATE activities SET findings_json = ?, form_rules = ?, judged_as = ?, "
                "judge_inputs = ? WHERE path = ?",
                (
                    json.dumps(findings, allow_nan=False, sort_keys=True),
                    form_rules,
                    judged_as,
                    inputs,
                    path,
                ),
            )

    def set_judge_inputs(self, inputs: list[tuple[str | None, str]]) -> None:
        """Record (inputs, path): runs still judged right, their inputs now."""
        if inputs:
            with self.transaction():
                self.conn.executemany(
                    "UPDATE activities SET judge_inputs = ? WHERE path = ?", inputs
                )

    def forget_judge_inputs(self) -> None:
        """Forget what every judgement was fitted from: the next scan refits every
        baseline (and judges again the runs whose baseline changed)."""
        with self.transaction():
            self.conn.execute("UPDATE activities SET judge_inputs = NULL")

    def set_duplicates(self, dups: dict[str, str]) -> None:
        """Mark each duplicate (path -> the path of the copy that counts), clearing
        every run's duplicate mark and session spike first. Inside the caller's
        :meth:`transaction` (with :meth:`set_derived`)."""
        c = self.conn
        c.execute(
            "UPDATE activities SET duplicate_of = NULL, spike_ratio = NULL, longest_prev30_m = NULL"
        )
        c.executemany(
            "UPDATE activities SET duplicate_of = ? WHERE path = ?",
            [(k, p) for p, k in dups.items()],
        )

    def set_derived(
        self,
        spikes: list[tuple[float | None, float | None, str]],
        daily: list[tuple[str, float, float, float, int]],
        assumptions: list[str],
        state: dict[str, Any],
    ) -> None:
        """Store what is derived from all runs: each run's (spike ratio, longest run of
        the 30 days before, path), the ``daily_load`` rows, the load assumptions and
        the derived state (:data:`DERIVED_STATE_KEY`). Inside the caller's
        :meth:`transaction`."""
        c = self.conn
        c.executemany(
            "UPDATE activities SET spike_ratio = ?, longest_prev30_m = ? WHERE path = ?", spikes
        )
        c.execute("DELETE FROM daily_load")
        c.executemany("INSERT INTO daily_load VALUES (?, ?, ?, ?, ?)", daily)
        c.execute(
            "INSERT OR REPLACE INTO meta VALUES ('load_assumptions', ?)", (json.dumps(assumptions),)
        )
        c.execute(
            "INSERT OR REPLACE INTO meta VALUES (?, ?)", (DERIVED_STATE_KEY, json.dumps(state))
        )

    def set_derived_added(
        self,
        spikes: list[tuple[float | None, float | None, str]],
        daily: list[tuple[str, float, float, float, int]],
        assumptions: list[str],
        state: dict[str, Any],
    ) -> None:
        """:meth:`set_derived` for runs added after the others: only their spikes and
        their days (inserted or replaced) are written. Inside the caller's
        :meth:`transaction`."""
        c = self.conn
        c.executemany(
            "UPDATE activities SET spike_ratio = ?, longest_prev30_m = ? WHERE path = ?", spikes
        )
        c.executemany("INSERT OR REPLACE INTO daily_load VALUES (?, ?, ?, ?, ?)", daily)
        c.execute(
            "INSERT OR REPLACE INTO meta VALUES ('load_assumptions', ?)", (json.dumps(assumptions),)
        )
        c.execute(
            "INSERT OR REPLACE INTO meta VALUES (?, ?)", (DERIVED_STATE_KEY, json.dumps(state))
        )

    def last_start(self, exclude: list[str] = ()) -> float | None:
        """The latest start (Unix s) of the stored activities but ``exclude``."""
        ex = list(exclude)
        row = self.conn.execute(  # down the start index: stops at the first not excluded
            f"SELECT start_s FROM activities WHERE path NOT IN ({', '.join('?' * len(ex))}) "
            "ORDER BY start_s DESC LIMIT 1",
            ex,
        ).fetchone()
        return None if row is None else float(row[0])

    def has_content(self, shas: list[str], exclude: list[str] = ()) -> bool:
        """Whether an activity but ``exclude`` has one of these content hashes."""
        ex = list(exclude)
        return self.conn.execute(
            f"SELECT EXISTS (SELECT 1 FROM activities WHERE content_sha256 IN "
            f"({', '.join('?' * len(shas))}) AND path NOT IN ({', '.join('?' * len(ex))}))",
            [*shas, *ex],
        ).fetchone()[0] == 1

    def daily_span(self) -> tuple[str, str] | None:
        """The first and last date of ``daily_load``, or None when it is empty."""
        row = self.conn.execute("SELECT min(date), max(date) FROM daily_load").fetchone()
        return None if row[0] is None else (row[0], row[1])

    def daily_row(self, date: str) -> tuple[float, float, float, int] | None:
        """``daily_load``'s (distance_m, moving_s, trimp, runs) of one date, or None."""
        row = self.conn.execute(
            "SELECT distance_m, moving_s, trimp, runs FROM daily_load WHERE date = ?", (date,)
        ).fetchone()
        return None if row is None else tuple(row)

    def remove_missing(self, root: str, present: set[str]) -> int:
        """Forget files under ``root`` that are no longer on disk; returns how many."""
        gone = [p for p in self.known_files(root) if p not in present]
        self.forget_files(gone)
        return len(gone)

    def forget_files(self, paths: list[str]) -> None:
        """Forget these files and their runs (one transaction)."""
        if paths:
            with self.transaction():
                self.conn.execute("DELETE FROM meta WHERE key = ?", (DERIVED_STATE_KEY,))
                self.conn.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in paths])

    def run_files(self) -> list[tuple[str, int, int, str]]:
        """Files holding runs: (path, size, mtime_ns, sha256)."""
        return self.conn.execute(
            "SELECT f.path, f.size, f.mtime_ns, f.sha256 FROM files AS f "
            "WHERE f.status = 'ok' AND EXISTS (SELECT 1 FROM activities AS a WHERE a.file = f.path)"
        ).fetchall()

    def run_contents(self) -> list[tuple[str, str]]:
        """Every run's (file, content hash)."""
        return self.conn.execute("SELECT file, content_sha256 FROM activities").fetchall()

    def flagged_runs(self, severities: tuple[str, ...] = ("flag",)) -> int:
        """Counted runs with at least one form finding of ``severities``."""
        marks = ", ".join("?" * len(severities))
        return self.conn.execute(
            "SELECT count(*) FROM activities WHERE duplicate_of IS NULL "
            "AND (sport IS NULL OR sport = 'running') "
            "AND EXISTS (SELECT 1 FROM json_each(findings_json) "
            f"WHERE json_extract(value, '$.severity') IN ({marks}))",
            severities,
        ).fetchone()[0]

    def first_form_rules(self) -> str | None:
        """The form-rules status of the first stored run (by path), or None."""
        row = self.conn.execute("SELECT form_rules FROM activities ORDER BY path LIMIT 1").fetchone()
        return row[0] if row else None

    def runs_to_judge(self) -> list[tuple[str, float, str | None, bool, str | None]]:
        """Every run in start order: (path, start_s, judged_as, counted, judge_inputs),
        counted meaning not a duplicate and a run (or of unknown sport)."""
        return [
            (p, float(s), j, bool(c), i)
            for p, s, j, c, i in self.conn.execute(
                "SELECT path, start_s, judged_as, duplicate_of IS NULL "
                "AND (sport IS NULL OR sport = 'running'), judge_inputs FROM activities "
                "ORDER BY start_s, path"
            )
        ]

    def judgements(self) -> list[tuple]:
        """Every run's (path, content_sha256, sport, utc_offset_s, judged_as,
        findings_json, form_rules)."""
        return self.conn.execute(
            "SELECT path, content_sha256, sport, utc_offset_s, judged_as, findings_json, "
            "form_rules FROM activities"
        ).fetchall()

    def start_of(self, path: str) -> float | None:
        """The stored start (Unix s) of the run ``path``, or None."""
        row = self.conn.execute("SELECT start_s FROM activities WHERE path = ?", (path,)).fetchone()
        return None if row is None else float(row[0])

    def steady_runs_before(self, start_s: float, exclude: str | None = None) -> int:
        """How many counted runs (running, not duplicates) with a steady form minute
        started before ``start_s`` (Unix s), ``exclude`` not counted: the history a
        baseline says it had (:func:`runlens.history.baseline.personal_baseline`'s
        ``n_history``), counted in SQLite without reading the minutes out."""
        row = self.conn.execute(  # one probe of the minutes' (path, minute) key per run
            "SELECT COUNT(*) FROM activities AS a "
            "WHERE a.duplicate_of IS NULL AND (a.sport IS NULL OR a.sport = 'running') "
            "AND a.start_s < ? AND a.path != ? AND EXISTS "
            "(SELECT 1 FROM form_minutes AS m WHERE m.path = a.path AND m.steady = 1)",
            (float(start_s), "" if exclude is None else exclude),
        ).fetchone()
        return int(row[0] or 0)

    def flagged_paths(self, rule: str) -> set[str]:
        """Counted-or-not (not duplicate) runs with a flag of ``rule``."""
        out = set()
        for p, fj in self.conn.execute(
            "SELECT path, findings_json FROM activities WHERE duplicate_of IS NULL"
        ):
            if any(f.get("rule") == rule and f.get("severity") == "flag" for f in json.loads(fj)):
                out.add(p)
        return out

    def root_paths(self) -> list[str]:
        """Every source's path."""
        return [r[0] for r in self.conn.execute("SELECT path FROM roots")]

    def mark_root_scanned(self, root: str, kind: str | None = None, files: int | None = None) -> None:
        """Record a scan of the source ``root`` (``kind`` folder or zip, ``files`` found)."""
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        with self.transaction():
            self.conn.execute(
                "INSERT INTO roots (path, last_scan_utc, kind, first_scan_utc, files) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET "
                "last_scan_utc = excluded.last_scan_utc, "
                "kind = coalesce(excluded.kind, kind), files = coalesce(excluded.files, files), "
                "first_scan_utc = coalesce(first_scan_utc, excluded.first_scan_utc)",
                (root, now, kind, now, files),
            )

    def sources(self) -> list[dict[str, Any]]:
        """Every source of the history: ``path``, ``kind``, ``first_scan_utc``,
        ``last_scan_utc``, ``files`` (at its last scan), ``stored`` (files it holds
        in the store now), ``runs`` (activities), ``present`` (still on disk)."""
        rows = self.conn.execute(
            "SELECT r.path, r.kind, r.first_scan_utc, r.last_scan_utc, r.files, "
            "(SELECT count(*) FROM files f WHERE f.root = r.path), "
            "(SELECT count(*) FROM activities a JOIN files f ON f.path = a.file "
            " WHERE f.root = r.path) FROM roots r "
            # files of a source that an old store did not record
            "UNION ALL SELECT f.root, NULL, NULL, NULL, NULL, count(*), count(a.path) "
            "FROM files f LEFT JOIN activities a ON a.file = f.path "
            "WHERE f.root NOT IN (SELECT path FROM roots) GROUP BY f.root ORDER BY 1"
        ).fetchall()
        return [
            {
                "path": p, "kind": k, "first_scan_utc": f0, "last_scan_utc": f1, "files": n,
                "stored": st, "runs": ra, "present": os.path.exists(p),
            }
            for p, k, f0, f1, n, st, ra in rows
        ]

    def gone_sources(self) -> list[dict[str, Any]]:
        """Sources no longer on disk (renamed, moved or deleted) that still hold runs:
        they are kept, and re-linked when their new place is scanned."""
        return [s for s in self.sources() if not s["present"] and s["stored"]]

    def rekey(self, old: str, new: str, root: str, size: int, mtime_ns: int) -> None:
        """The stored file ``old`` is now at ``new`` (under the source ``root``):
        move its rows (activity, form minutes, the user's sport override, its
        name) to the new path, without reading it again."""
        c = self.conn
        with self.transaction():
            c.execute("PRAGMA defer_foreign_keys = ON")
            c.execute("DELETE FROM meta WHERE key = ?", (DERIVED_STATE_KEY,))
            c.execute(
                "UPDATE files SET path = ?, root = ?, size = ?, mtime_ns = ? WHERE path = ?",
                (new, root, size, mtime_ns, old),
            )
            keys = c.execute(
                "SELECT path, event FROM activities WHERE file = ?", (old,)
            ).fetchall()
            c.execute("UPDATE activities SET file = ? WHERE file = ?", (new, old))
            for key, n in keys:
                to = event_key(new, n)
                c.execute("UPDATE activities SET path = ? WHERE path = ?", (to, key))
                c.execute("UPDATE activities SET duplicate_of = ? WHERE duplicate_of = ?", (to, key))
                c.execute("UPDATE form_minutes SET path = ? WHERE path = ?", (to, key))
            for key in ("sport_overrides", "activity_names"):
                row = c.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
                if row is None:
                    continue
                d = json.loads(row[0])
                if isinstance(d, dict) and old in d:
                    d[new] = d.pop(old)
                    c.execute("UPDATE meta SET value = ? WHERE key = ?", (json.dumps(d), key))

    def forget_empty_sources(self) -> int:
        """Forget sources that are gone from disk and hold no file any more."""
        gone = [s["path"] for s in self.sources() if not s["present"] and not s["stored"]]
        if gone:
            with self.transaction():
                self.conn.executemany("DELETE FROM roots WHERE path = ?", [(p,) for p in gone])
        return len(gone)

    def set_meta(self, key: str, value: Any) -> None:
        with self.transaction():
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value)))

    def update_meta_if(self, key: str, match: dict[str, Any], changes: dict[str, Any]) -> bool:
        """In one transaction: when the JSON object stored at ``key`` holds every item
        of ``match``, set ``changes`` in it. Returns whether it did (False when another
        writer replaced or removed the object meanwhile)."""
        with self.transaction() as c:
            row = c.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            if row is None:
                return False
            st = json.loads(row[0])
            if not (isinstance(st, dict) and all(st.get(k) == v for k, v in match.items())):
                return False
            st.update(changes)
            c.execute("UPDATE meta SET value = ? WHERE key = ?", (json.dumps(st), key))
            return True

    def run_devices(self, paths: list[str] | None = None) -> dict[str, Any]:
        """Each stored run's recording device as its profile names it (None where unknown);
        ``paths``: only these runs (at most a few hundred are asked for by name: SQLite
        bounds a statement's parameters; more read every run)."""
        devices: dict[str, Any] = {}
        if paths is not None and len(paths) > 500:
            paths = None
        sql, args = "SELECT path, profile_json FROM activities", list(paths or ())
        if paths is not None:
            sql += f" WHERE path IN ({', '.join('?' * len(args))})"
        for path, prof in self.conn.execute(sql, args):
            try:
                devices[path] = (json.loads(prof) or {}).get("device")
            except (TypeError, ValueError, AttributeError):
                devices[path] = None
        return devices

    def meta(self, key: str, default: Any = None) -> Any:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if row is None:
            return default
        try:
            return json.loads(row[0])
        except ValueError:
            return row[0]

    # ------------------------------------------------------------------ reads
    def problem_files(self, root: str | None = None) -> list[tuple[str, str, str]]:
        """Files that are not activities: (path, status, reason), sorted by path.

        Parameters
        ----------
        root : str, optional
            Only files found under this scanned folder.
        """
        sql = "SELECT path, status, error FROM files WHERE status != 'ok'"
        args: tuple = ()
        if root is not None:
            sql, args = sql + " AND root = ?", (root,)
        return [tuple(r) for r in self.conn.execute(sql + " ORDER BY path", args)]

    def count(self, table: str) -> int:
        if table not in (
            "files",
            "activities",
            "form_minutes",
            "daily_load",
            "roots",
            "pain_entries",
        ):
            raise ValueError(table)
        return self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    def activities_frame(
        self,
        columns: tuple[str, ...] | None = None,
        *,
        include_duplicates: bool = True,
        paths: list[str] | None = None,
        starts: tuple[float, float] | None = None,
        counted: bool = False,
    ) -> pd.DataFrame:
        """Stored activities as a DataFrame, JSON columns decoded (``summary``, ...).

        Parameters
        ----------
        columns : tuple of str, optional
            Column names (JSON ones without ``_json``); default all.
        include_duplicates : bool
            Keep rows whose ``duplicate_of`` is set.
        paths : list of str, optional
            Only these activities.
        starts : (float, float), optional
            Only activities starting in ``[lo, hi)`` (Unix s).
        counted : bool
            Only counted runs: not duplicates, running or of unknown sport.
        """
        import pandas as pd

        want, rows = self._activities_query(columns, include_duplicates, paths, starts, counted)
        cols = list(zip(*rows)) if rows else [() for _ in want]
        # JSON columns decoded before the frame is built (one column op, not a pop each)
        data = {
            (c[:-5] if c.endswith("_json") else c): (
                [json.loads(v) for v in col] if c.endswith("_json") else list(col)
            )
            for c, col in zip(want, cols)
        }
        plain = [c for c in want if not c.endswith("_json")]
        decoded = [c[:-5] for c in want if c.endswith("_json")]
        return pd.DataFrame(data, columns=[*plain, *decoded])

    def activity_rows(
        self,
        columns: tuple[str, ...],
        *,
        paths: list[str] | None = None,
        starts: tuple[float, float] | None = None,
        counted: bool = False,
    ) -> list[dict[str, Any]]:
        """:meth:`activities_frame` as a list of dicts (JSON columns decoded), for a
        few rows: no frame built."""
        want, rows = self._activities_query(columns, True, paths, starts, counted)
        names = [c[:-5] if c.endswith("_json") else c for c in want]
        js = [c.endswith("_json") for c in want]
        return [
            {n: (json.loads(v) if j else v) for n, j, v in zip(names, js, row)} for row in rows
        ]

    def _activities_query(self, columns, include_duplicates, paths, starts, counted):
        all_cols = [r[1] for r in self.conn.execute("PRAGMA table_info(activities)")]
        want = (
            all_cols
            if columns is None
            else [c if c in all_cols else f"{c}_json" for c in ("path", *columns)]
        )
        want = list(dict.fromkeys(want))
        sql = f"SELECT {', '.join(want)} FROM activities"
        where: list[str] = []
        args: list[Any] = []
        if not include_duplicates or counted:
            where.append("duplicate_of IS NULL")
        if counted:
            where.append("(sport IS NULL OR sport = 'running')")
        if paths is not None:
            where.append(f"path IN ({', '.join('?' * len(paths))})")
            args += list(paths)
        if starts is not None:
            where.append("start_s >= ? AND start_s < ?")
            args += [float(starts[0]), float(starts[1])]
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY start_s, path"
        return want, self.conn.execute(sql, args).fetchall()

    def form_minutes_frame(
        self,
        paths: list[str] | None = None,
        *,
        steady_only: bool = False,
        starts: tuple[float, float] | None = None,
        arrays: bool = False,
        columns: tuple[str, ...] | None = None,
    ) -> pd.DataFrame:
        """The stored per-minute form table of counted runs (docs/data-model.md).

        Parameters
        ----------
        paths : list of str, optional
            Only these activities.
        steady_only : bool
            Only steady minutes.
        starts : (float, float), optional
            Only runs starting in ``[lo, hi)`` (Unix s).
        arrays : bool
            A dict of NumPy arrays, one per column, instead of a frame (a
            baseline's window, fitted without building one).
        columns : tuple of str, optional
            Only these of :data:`~runlens.metrics.form.FORM_COLUMNS` (besides
            ``path`` and ``run_start_s``).

        Returns
        -------
        pandas.DataFrame
            ``path``, ``run_start_s`` (the run's start, Unix s) and
            :data:`~runlens.metrics.form.FORM_COLUMNS`, ordered by run start
            and minute. Duplicates and other sports are left out.
        """
        import pandas as pd

        picked = FORM_COLUMNS if columns is None else tuple(c for c in FORM_COLUMNS if c in columns)
        cols = ", ".join(f"m.{c}" for c in picked)
        sql = (
            f"SELECT m.path, a.start_s, {cols} FROM form_minutes AS m "
            "JOIN activities AS a ON a.path = m.path "
            "WHERE a.duplicate_of IS NULL AND (a.sport IS NULL OR a.sport = 'running')"
        )
        args: list = []
        if steady_only:
            sql += " AND m.steady = 1"
        if paths is not None:
            sql += f" AND m.path IN ({', '.join('?' * len(paths))})"
            args += list(paths)
        if starts is not None:
            sql += " AND a.start_s >= ? AND a.start_s < ?"
            args += [float(starts[0]), float(starts[1])]
        sql += " ORDER BY a.start_s, m.path, m.minute"
        import numpy as np

        names = ["path", "run_start_s", *picked]
        rows = self.conn.execute(sql, args).fetchall()
        cols = list(zip(*rows)) if rows else [() for _ in names]
        data: dict[str, Any] = {}
        for name, col in zip(names, cols):  # column by column: no per-cell conversion
            if name == "path":
                data[name] = np.array(col, dtype=object) if arrays else list(col)
            elif name == "minute":
                data[name] = np.array(col, dtype=np.int64)
            elif name == "steady":
                data[name] = np.array(col, dtype=bool)
            else:  # REAL columns; NULL -> NaN
                data[name] = np.array(col, dtype=float)
        return data if arrays else pd.DataFrame(data, columns=names)

    def minute_digests(self) -> dict[str, str]:
        """Path -> a digest of the run's steady form minutes (their count and each
        column's sum): what a baseline fitted from them depends on, without reading
        them out. Runs without steady minutes are absent.

        Kept with each run (``minutes_digest``, written with its minutes); runs
        stored before schema 7 get theirs computed here once, in SQLite."""
        self._fill_minute_digests()
        return dict(self.conn.execute(
            "SELECT path, minutes_digest FROM activities WHERE minutes_digest != ''"
        ).fetchall())

    def counted_minute_digests(
        self, lo: float | None = None, hi: float | None = None
    ) -> list[tuple[str, float, str]]:
        """(path, start_s, minute digest) of the counted runs (not duplicates, running
        or of unknown sport) with steady minutes, starting in ``[lo, hi)``, in start
        order: the runs a baseline as of ``hi`` is fitted from, and their digests."""
        self._fill_minute_digests()
        sql = (
            "SELECT path, start_s, minutes_digest FROM activities WHERE minutes_digest != '' "
            "AND duplicate_of IS NULL AND (sport IS NULL OR sport = 'running')"
        )
        args: list[float] = []
        if lo is not None:
            sql, args = sql + " AND start_s >= ?", [*args, float(lo)]
        if hi is not None:
            sql, args = sql + " AND start_s < ?", [*args, float(hi)]
        return [
            (p, float(st), d)
            for p, st, d in self.conn.execute(sql + " ORDER BY start_s, path", args)
        ]

    def count_counted_minute_runs(self, before: float) -> int:
        """How many counted runs with steady minutes start before ``before`` (Unix s)."""
        self._fill_minute_digests()
        return self.conn.execute(
            "SELECT count(*) FROM activities WHERE minutes_digest != '' "
            "AND duplicate_of IS NULL AND (sport IS NULL OR sport = 'running') AND start_s < ?",
            (float(before),),
        ).fetchone()[0]

    @staticmethod
    def _digest_sql() -> str:
        cols = ("start_s", "seconds", "steady_s", *FORM_CHANNELS)
        return "count(*), " + ", ".join(f"total({c}), count({c})" for c in cols)

    @staticmethod
    def _digest(row: tuple) -> str:
        """The digest of one run's aggregate row (count first); '' without steady minutes."""
        return hashlib.sha256(repr(tuple(row)).encode()).hexdigest()[:16] if row[0] else ""

    def _minutes_digest_of(self, key: str) -> str:
        row = self.conn.execute(
            f"SELECT {self._digest_sql()} FROM form_minutes WHERE steady = 1 AND path = ?", (key,)
        ).fetchone()
        return self._digest(row)

    def _fill_minute_digests(self) -> None:
        """Compute the digests a store of an older schema (or an old store merged in)
        lacks, from the stored minutes, and keep them (when the store can be written)."""
        if getattr(self, "_digests_filled", False):
            return  # every row this runlens writes has its digest
        missing = [r[0] for r in self.conn.execute(
            "SELECT path FROM activities WHERE minutes_digest IS NULL"
        )]
        if not missing:
            self._digests_filled = not self.read_only
            return
        found: dict[str, str] = {p: "" for p in missing}
        for i in range(0, len(missing), 500):  # SQLite's bound-parameter limit
            chunk = missing[i : i + 500]
            for r in self.conn.execute(
                f"SELECT path, {self._digest_sql()} FROM form_minutes WHERE steady = 1 "
                f"AND path IN ({', '.join('?' * len(chunk))}) GROUP BY path", chunk
            ):
                found[r[0]] = self._digest(r[1:])
        if self.read_only:  # judged only in a scan, which writes: nothing to keep here
            return
        with self.transaction():
            self.conn.executemany(
                "UPDATE activities SET minutes_digest = ? WHERE path = ? "
                "AND minutes_digest IS NULL", [(d, p) for p, d in found.items()]
            )
        self._digests_filled = True

    def data_version(self) -> int:
        """SQLite's data version: changes when another connection commits to the store."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def channel_counts(self, paths: list[str] | None = None) -> dict[str, int]:
        """Path -> how many form channels (docs/data-model.md) the run recorded in
        any minute: what makes one copy of a run richer than another. Only of
        ``paths`` when given (their minutes alone are read, by the index)."""
        expr = " + ".join(f"max({c} IS NOT NULL)" for c in FORM_CHANNELS)
        if paths is None:
            return dict(self.conn.execute(f"SELECT path, {expr} FROM form_minutes GROUP BY path"))
        out: dict[str, int] = {}
        for i in range(0, len(paths), 500):  # SQLite's bound-parameter limit
            chunk = paths[i : i + 500]
            out.update(self.conn.execute(
                f"SELECT path, {expr} FROM form_minutes WHERE path IN "
                f"({', '.join('?' * len(chunk))}) GROUP BY path", chunk
            ))
        return out

    def dump(self) -> dict[str, list[tuple]]:
        """Every table's rows, sorted, for comparing two stores (tests, debugging)."""
        out = {}
        for t in ("files", "activities", "form_minutes", "daily_load"):
            out[t] = sorted(self.conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
        return out


def peek_run_span(path: str | os.PathLike[str]) -> tuple[int, str | None, str | None]:
    """(counted runs, first and last local day) of the store at ``path``, read
    only (never created nor migrated). RunlensError with SQLite's words when it
    cannot be read."""
    try:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
        try:
            n, lo, hi = conn.execute(
                "SELECT count(*), date(min(start_s + coalesce(utc_offset_s, 0)), 'unixepoch'),"
                " date(max(start_s + coalesce(utc_offset_s, 0)), 'unixepoch') "
                "FROM activities WHERE duplicate_of IS NULL "
                "AND (sport IS NULL OR sport = 'running')"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise RunlensError(str(exc)) from None
    return n, lo, hi


def _disk_full(exc: BaseException, folder: Path) -> bool:
    """True if an SQLite error means the disk is full (SQLITE_FULL, or an I/O error
    while the store's file system has no room left)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code == getattr(sqlite3, "SQLITE_FULL", 13) or "database or disk is full" in str(exc):
        return True
    if "disk I/O error" in str(exc) or code == getattr(sqlite3, "SQLITE_IOERR", 10):
        try:
            return shutil.disk_usage(folder).free < _MIN_FREE_BYTES
        except OSError:
            return False
    return False


def store_error(exc: sqlite3.Error, path: str | os.PathLike[str]) -> RunlensError:
    """The one-line error for an SQLite failure on the store at ``path``.

    A full disk is :class:`~runlens.errors.DiskFullError` (the store is kept:
    the failed write was rolled back); only SQLite's own verdict of damage
    (corrupt, not a database, integrity check failed) says "corrupt" and
    advises moving the file aside; any other failure (an I/O error, a lock)
    leaves the store as it is and says so.
    """
    name = str(path)
    if _disk_full(exc, Path(name).parent):
        return DiskFullError(name, "the history store could not be written")
    text = str(exc)
    code = getattr(exc, "sqlite_errorcode", None)
    if code == getattr(sqlite3, "SQLITE_READONLY", 8) or "readonly database" in text:
        return StoreError(
            "the store is read-only (a read-only file or mount); nothing was changed. "
            "Reading it works; to write, copy it somewhere writable and use --db",
            path=name,
        )
    corrupt = code in (
        getattr(sqlite3, "SQLITE_CORRUPT", 11),
        getattr(sqlite3, "SQLITE_NOTADB", 26),
    )
    if corrupt or "malformed" in text or "not a database" in text or "integrity check" in text:
        return StoreError(
            f"the store is corrupt ({exc}); left untouched. Move it aside and scan again, "
            "or choose another file with --db",
            path=name,
        )
    return StoreError(f"cannot use the store ({exc}); it was left as it was", path=name)


def _readonly(exc: BaseException) -> bool:
    """Whether an SQLite error says the store cannot be written (file, mount, ro open)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code == getattr(sqlite3, "SQLITE_READONLY", 8) or "readonly database" in str(exc)


class _Tx:
    def __init__(self, conn: sqlite3.Connection, path: Path | None = None) -> None:
        self.conn = conn
        self.path = path

    def __enter__(self) -> sqlite3.Connection:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if self.path is not None and (_disk_full(exc, self.path.parent) or _readonly(exc)):
                raise store_error(exc, self.path) from None
            raise
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            try:
                self.conn.execute("COMMIT")
                return
            except sqlite3.Error as err:
                exc = err
        try:
            self.conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # SQLite rolled back itself (e.g. after SQLITE_FULL)
        if isinstance(exc, sqlite3.Error) and self.path is not None:
            if _disk_full(exc, self.path.parent) or _readonly(exc):
                raise store_error(exc, self.path) from None
        if exc_type is None:
            raise exc
