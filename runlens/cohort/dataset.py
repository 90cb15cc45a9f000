"""The cohort's Parquet dataset: one row per activity, one folder per runner.

Layout (docs/cohort.md)::

    OUT/
      _runlens_cohort.json               # manifest: root, runner rules, per-runner counts
      runner=alice/part-0.parquet        # hive partitioning; the value is URL-encoded
      runner=Anna%20M%C3%BCller/part-0.parquet

``pandas.read_parquet(OUT)`` and ``dask.dataframe.read_parquet(OUT)`` read it
back, with ``runner`` as a categorical column taken from the folder names
(files whose name starts with ``_`` or ``.`` are not data and are skipped by
both). Every partition has the schema :func:`schema`, so an all-empty column
of one runner never changes a type.

The per-activity columns are the store's (``runlens.store.db``): the same
values, the JSON columns serialised the same way, so a row equals the store
row of the same file. Derived columns are computed *per runner* (never across
runners): ``duplicate_of``, ``counted``, ``local_date``, ``trimp``,
``spike_ratio``, ``longest_prev30_m`` and the findings counts; they equal what
a local scan of that runner's folder alone stores.

pyarrow is imported inside the functions: it is part of the ``dask`` extra.
"""

from __future__ import annotations

import json
import math
import os
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import RunlensError
from ..store.db import JSON_COLUMNS, SUMMARY_COLUMNS

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from ..config import Config

__all__ = [
    "MANIFEST",
    "DATASET_FORMAT",
    "ACTIVITY_COLUMNS",
    "schema",
    "cohort_config",
    "runner_partition",
    "write_partition",
    "write_manifest",
    "read_manifest",
    "read_dataset",
    "partition_dir",
]

#: Manifest file name at the dataset's root (``_``: not read as data).
MANIFEST = "_runlens_cohort.json"
DATASET_FORMAT = "runlens-cohort"
DATASET_VERSION = 1

#: Columns of every partition file, in order (``runner`` comes from the folder).
ACTIVITY_COLUMNS: tuple[str, ...] = (
    "path",
    "rel_path",
    "size",
    "mtime_ns",
    "sha256",
    "content_sha256",
    "format",
    "reader",
    "sport",
    "start_utc",
    "start_s",
    "start",
    "utc_offset_s",
    "local_date",
    *SUMMARY_COLUMNS,
    *(f"{k}_json" for k in JSON_COLUMNS),
    "form_rules",
    "duplicate_of",
    "counted",
    "trimp",
    "spike_ratio",
    "longest_prev30_m",
    "form_findings",
    "form_flags",
    "volume_flags",
    "volume_findings_json",
)


def schema() -> pa.Schema:
    """The Arrow schema of a partition file.

    Units: ``size`` bytes, ``mtime_ns`` ns, ``start_s`` Unix s (UTC), ``start``
    UTC timestamp (us), ``utc_offset_s`` s, ``local_date`` the runner's local
    day; summary columns as the store (m, s, m/s, bpm, steps/min, m); ``trimp``
    Banister units; ``spike_ratio`` a fraction (0.5 = 50 % longer);
    ``longest_prev30_m`` m; counts are numbers of findings.
    """
    import pyarrow as pa

    types: dict[str, pa.DataType] = {
        "size": pa.int64(),
        "mtime_ns": pa.int64(),
        "start_s": pa.float64(),
        "start": pa.timestamp("us", tz="UTC"),
        "utc_offset_s": pa.int32(),
        "local_date": pa.date32(),
        "counted": pa.bool_(),
        "trimp": pa.float64(),
        "spike_ratio": pa.float64(),
        "longest_prev30_m": pa.float64(),
        "form_findings": pa.int32(),
        "form_flags": pa.int32(),
        "volume_flags": pa.int32(),
        **{c: pa.float64() for c in SUMMARY_COLUMNS},
    }
    return pa.schema([(c, types.get(c, pa.string())) for c in ACTIVITY_COLUMNS])


def cohort_config(config: Config | None) -> Config | None:
    """The config for per-runner load: ``[runner]`` left out.

    ``[runner]`` describes one person; in a cohort each runner's heart-rate
    profile comes from their own files (or is assumed, and said so).
    ``[load]`` and ``[rules.*]`` apply to everyone.
    """
    if config is None:
        return None
    from dataclasses import replace

    from ..config import RunnerProfile

    return replace(config, runner=RunnerProfile())


def _finite(v: Any) -> float | None:
    if v is None:
        return None
    f = float(v)
    return f if math.isfinite(f) else None


def _dumps(v: Any) -> str:
    # Exactly as Store.put_result, so Parquet and store rows compare equal.
    return json.dumps(v, allow_nan=False, sort_keys=True)


def runner_partition(
    runner: str,
    root: str,
    results: list[dict[str, Any]],
    config: Config | None = None,
    judge_dir: Any = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Rows and summary of one runner from the scan worker's results.

    Duplicates, load and volume findings are computed over this runner's
    activities only, with :func:`runlens.history.analysis.find_duplicates` and
    :func:`~runlens.history.analysis.build_history` (which uses
    :mod:`runlens.load` and :mod:`runlens.rules.volume`): the numbers a local
    scan of the runner's folder alone stores (with the config's ``[runner]``
    left out, :func:`cohort_config`; the form rules get the config as given,
    as in the local scan).

    Parameters
    ----------
    runner : str
        Runner id.
    root : str
        The cohort folder, absolute (for ``rel_path``).
    results : list of dict
        :func:`runlens.history.worker.analyse_file` results of the runner's files.
    config : Config, optional
    judge_dir : str, optional
        Where the scan's workers kept the runs they read (the local scan's
        ``judge_dir``): each run is then judged on its baseline from this
        runner's runs before it (:func:`runlens.history.judge.judge_rows`), as a
        local scan of the runner's folder judges it, and its result updated.

    Returns
    -------
    rows : list of dict
        One per activity (status ``ok``), keys :data:`ACTIVITY_COLUMNS`,
        sorted by path.
    summary : dict
        ``files``, ``activities``, ``counted``, ``duplicates``,
        ``other_sports``, ``flagged_sessions`` (counted runs with at least one
        flag, form or volume), ``spike_flagged``, ``form_flagged``, ``hr_profile``, ``assumptions``, ``volume_findings``
        (Finding dicts, all of the runner's weeks), ``problems``
        (``[path, status, reason]``), ``unreadable`` (files the worker could
        not open), ``form_rules``.
    """
    import pandas as pd

    from ..history.analysis import build_history, find_duplicates

    # One row per run: a file holding several (a TCX with a day per <Activity>)
    # gives each, keyed as the local scan's store keys them (PATH, PATH#2...).
    ok = sorted(
        (
            {**r, "path": run.get("key") or r["path"], "activity": run}
            for r in results if r["status"] == "ok"
            for run in (r.get("activities") or [r["activity"]])
        ),
        key=lambda r: r["path"],
    )
    problems = sorted([r["path"], r["status"], r["error"]] for r in results if r["status"] != "ok")
    summary: dict[str, Any] = {
        "files": len(results),
        "activities": len(ok),
        "problems": problems,
        "unreadable": sum(r["sha256"] is None for r in results),
        "form_rules": ok[0]["activity"]["form_rules"] if ok else None,
    }
    if not ok:
        summary.update(
            flagged_sessions=0,
            spike_flagged=0,
            form_flagged=0,
            counted=0,
            duplicates=0,
            other_sports=0,
            hr_profile=None,
            assumptions=[],
            volume_findings=[],
        )
        return [], summary
    frame = pd.DataFrame(
        {
            "path": [r["path"] for r in ok],
            "content_sha256": [r["activity"]["content_sha256"] for r in ok],
            "format": [r["activity"]["format"] for r in ok],
            "sport": [r["activity"]["sport"] for r in ok],
            "start_s": [r["activity"]["start_s"] for r in ok],
            "utc_offset_s": [r["activity"]["utc_offset_s"] for r in ok],
            "distance_m": [r["activity"]["summary"].get("distance_m") for r in ok],
            "moving_s": [r["activity"]["summary"].get("moving_s") for r in ok],
            "hr_hist": [r["activity"]["hr_hist"] for r in ok],
            "profile": [r["activity"]["profile"] for r in ok],
        }
    )
    for c in ("start_s", "distance_m", "moving_s"):
        frame[c] = frame[c].astype(float)
    # The store hands build_history its rows ordered by (start_s, path); the
    # same order here keeps ties (and "the most recent profile") identical.
    frame = frame.sort_values(["start_s", "path"], kind="stable").reset_index(drop=True)
    dups = find_duplicates(frame)
    frame["duplicate_of"] = [dups.get(p) for p in frame["path"]]
    if judge_dir is not None:  # the local scan's judging, on this runner's history
        from ..history.judge import judge_rows

        judge_rows([r["activity"] for r in ok], dups, config, judge_dir)
    hist = build_history(frame, cohort_config(config))
    acts = hist.acts.set_index("path") if len(hist.acts) else None

    from ..load import activity_loads

    # local day of every activity (counted or not), by the load module's rule
    days = activity_loads(frame[["path", "start_s", "utc_offset_s", "distance_m", "moving_s"]])
    local_day = dict(zip(days["path"], days["local_date"]))
    vol: dict[str, list[dict]] = {}
    for f in hist.findings:
        if f.activity:
            vol.setdefault(f.activity, []).append(f.to_dict())

    rows = []
    for r in ok:
        a, p = r["activity"], r["path"]
        s = a["summary"]
        counted = acts is not None and p in acts.index
        findings = a["findings"]
        vf = vol.get(p, [])
        row = {
            "path": p,
            "rel_path": Path(p).relative_to(root).as_posix(),
            "size": r["size"],
            "mtime_ns": r["mtime_ns"],
            "sha256": r["sha256"],
            "content_sha256": a["content_sha256"],
            "format": a["format"],
            "reader": a["reader"],
            "sport": a["sport"],
            "start_utc": a["start_utc"],
            "start_s": a["start_s"],
            "start": pd.Timestamp(a["start_s"], unit="s", tz="UTC").to_pydatetime(),
            "utc_offset_s": a["utc_offset_s"],
            "local_date": local_day[p].date(),
            **{c: s.get(c) for c in SUMMARY_COLUMNS},
            **{f"{k}_json": _dumps(a[k]) for k in JSON_COLUMNS},
            "form_rules": a["form_rules"],
            "duplicate_of": dups.get(p),
            "counted": counted,
            "trimp": _finite(acts.at[p, "trimp"]) if counted else None,
            "spike_ratio": _finite(acts.at[p, "spike_ratio"]) if counted else None,
            "longest_prev30_m": _finite(acts.at[p, "longest_prev30_m"]) if counted else None,
            "form_findings": len(findings),
            "form_flags": sum(f.get("severity") == "flag" for f in findings),
            "volume_flags": sum(f["severity"] == "flag" for f in vf),
            "volume_findings_json": _dumps(vf),
        }
        rows.append(row)
    counted_rows = [r for r in rows if r["counted"]]
    summary.update(
        # sessions that count in the load and carry at least one flag
        flagged_sessions=sum(bool(r["form_flags"] or r["volume_flags"]) for r in counted_rows),
        spike_flagged=sum(bool(r["volume_flags"]) for r in counted_rows),
        form_flagged=sum(bool(r["form_flags"]) for r in counted_rows),
        counted=hist.counts["runs"],
        duplicates=hist.counts["duplicates"],
        other_sports=hist.counts["other_sports"],
        hr_profile={"rest_bpm": hist.hr.rest_bpm, "max_bpm": hist.hr.max_bpm, "sex": hist.hr.sex},
        assumptions=list(hist.assumptions),
        volume_findings=[f.to_dict() for f in hist.findings],
    )
    return rows, summary


def partition_dir(out: str | os.PathLike[str], runner: str) -> Path:
    """Folder of one runner's partition: ``OUT/runner=<URL-encoded id>``.

    pyarrow's hive partitioning URL-decodes folder names, so any runner id
    (spaces, accents, ``/``) reads back unchanged.
    """
    return Path(out) / f"runner={urllib.parse.quote(runner, safe='')}"


def write_partition(out: str | os.PathLike[str], runner: str, rows: list[dict[str, Any]]) -> str:
    """Write one runner's rows as ``OUT/runner=ID/part-0.parquet``; returns its path.

    Nothing is written for a runner without activities (an empty file would
    only add a partition with no rows).
    """
    if not rows:
        return ""
    import pyarrow as pa
    import pyarrow.parquet as pq

    d = partition_dir(out, runner)
    d.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pylist(rows, schema=schema())
    path = d / "part-0.parquet"
    pq.write_table(table, path)
    return str(path)


def write_manifest(out: str | os.PathLike[str], manifest: dict[str, Any]) -> None:
    """Write the dataset's manifest (JSON), marking the folder as a runlens cohort."""
    doc = {"format": DATASET_FORMAT, "version": DATASET_VERSION, **manifest}
    Path(out, MANIFEST).write_text(json.dumps(doc, indent=1, allow_nan=False) + "\n")


def read_manifest(out: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest of a cohort dataset.

    Raises
    ------
    RunlensError
        ``out`` is not a folder written by ``runlens scan --engine dask``.
    """
    p = Path(out)
    if not p.is_dir():
        raise RunlensError(
            "no cohort dataset here; run `runlens scan DIR --engine dask` first", path=str(out)
        )
    try:
        doc = json.loads((p / MANIFEST).read_text())
    except FileNotFoundError:
        raise RunlensError(f"not a runlens cohort dataset (no {MANIFEST})", path=str(out)) from None
    except (OSError, ValueError) as exc:
        raise RunlensError(f"unreadable cohort manifest ({exc})", path=str(out)) from None
    if doc.get("format") != DATASET_FORMAT:
        raise RunlensError(f"not a runlens cohort dataset ({MANIFEST})", path=str(out))
    if int(doc.get("version", 0)) > DATASET_VERSION:
        raise RunlensError(
            f"written by a newer runlens (dataset version {doc['version']}); upgrade runlens",
            path=str(out),
        )
    return doc


def read_dataset(out: str | os.PathLike[str], columns: list[str] | None = None) -> pd.DataFrame:
    """Read a cohort dataset with pandas: one row per activity, ``runner`` as str.

    Parameters
    ----------
    out : path
        The dataset folder.
    columns : list of str, optional
        Columns to read (``runner`` is always included).

    Returns
    -------
    pandas.DataFrame
        Sorted by runner and path; empty (with the columns) when no runner
        has activities.
    """
    import pandas as pd

    read_manifest(out)
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise RunlensError(
            "reading a cohort dataset needs pyarrow: install runlens[dask], e.g. "
            "pip install 'runlens[dask]'"
        ) from None
    cols = None if columns is None else list(dict.fromkeys(["runner", *columns]))
    if not any(Path(out).glob("runner=*/*.parquet")):
        names = cols or ["runner", *ACTIVITY_COLUMNS]
        return pd.DataFrame({c: pd.Series(dtype=object) for c in names})
    try:
        df = pd.read_parquet(out, columns=cols)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for a damaged file
        raise RunlensError(f"cannot read the cohort dataset ({exc})", path=str(out)) from None
    df["runner"] = df["runner"].astype(str)
    return df.sort_values(["runner", "path"], kind="stable").reset_index(drop=True)
