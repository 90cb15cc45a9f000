"""FIT through fitparse, the reference decoder, used through its public API.

fitparse decodes message by message in pure Python; this module turns its
messages into a :class:`~runlens.io.rawfit.RawFit` (columns, not per-row
objects). Chained FIT files (several headers in one file) are read as one
stream. fitparse reads only intact files, so every file first goes through
:func:`runlens.io.fitrepair.repair`, which finds the good message stream of a
damaged file and writes it out as a valid FIT file; fitparse and fitfast
(:mod:`runlens.io.fit_fast`) then decode the same repaired bytes and report
the same salvage warnings.

What "salvage" (the default) does with each fault, and what ``strict=True``
does instead (docs/robustness.md lists real files and messages; the repair
module says how):

- **Truncated file** (a watch's battery died mid-write, an interrupted copy):
  everything before the cut is kept; the warning gives the byte offset, the
  time of the last good record and, when the header declares a believable
  full size, an estimate of the recording time lost (missing bytes / bytes
  per second written so far). Strict: refused.
- **CRC mismatch** (header or file): the decoded data is kept with a warning
  (the CRC only says *that* something changed, range checks in
  :mod:`runlens.io.validate` catch absurd values). Strict: refused.
- **Undecodable bytes mid-file** (flipped bytes, a record written one byte
  short, an undefined local message, a damaged definition): decoding
  resynchronises on the nearest offset from which several messages walk with
  plausible, increasing timestamps; the skipped byte range is reported.
  fitparse alone stops at the first such fault and loses the rest of the file.
  Strict: refused.
- **A field whose size is not a multiple of its type** (seen from a COROS
  watch) or a developer field that was never described: ignored, with a
  warning. Strict: refused.
- **Bytes after the last FIT file that are not FIT** (a chained header with a
  bad signature, garbage): ignored with a warning; zero padding silently.
  Strict: refused unless it is zero padding.
"""

from __future__ import annotations

from datetime import datetime, time, timezone
from typing import Any

import numpy as np

from ..errors import CorruptFileError
from .rawfit import FIT_EPOCH_S, RawFit, describe_truncation  # noqa: F401 (re-exported)

__all__ = [
    "decode_fitparse",
    "check_salvage",
    "KEPT_MESSAGES",
    "UNNAMED_RECORD_FIELDS",
    "describe_truncation",
]

#: Messages other than records that the Activity needs.
KEPT_MESSAGES = frozenset(
    {"file_id", "device_info", "user_profile", "event", "lap", "session", "activity", "sport",
     "length"}
)  # fmt: skip

#: Record fields fitparse's profile (2020) does not name, read by number: FIT field
#: number -> (FIT profile name, scale). evidence.md section 8 (breathing rate, breaths/min).
UNNAMED_RECORD_FIELDS: dict[int, tuple[str, float]] = {
    99: ("respiration_rate", 1.0),
    108: ("enhanced_respiration_rate", 100.0),
}

_EPOCH = datetime(1970, 1, 1)


def _plain(v: Any) -> Any:
    """fitparse value -> RawFit value (datetimes to Unix seconds)."""
    if isinstance(v, datetime):
        if v.tzinfo is not None:
            v = v.astimezone(timezone.utc).replace(tzinfo=None)
        return (v - _EPOCH).total_seconds()
    if isinstance(v, time):
        return None
    return v


def _to_float(values: list) -> np.ndarray | None:
    """A list of scalars (None for missing) as float64, or None if not numeric."""
    out = np.full(len(values), np.nan)
    seen = False
    for i, v in enumerate(values):
        if v is None:
            continue
        if isinstance(v, (bool, str, bytes, tuple, list)):
            return None
        try:
            out[i] = float(v)
        except (TypeError, ValueError, OverflowError):
            return None
        seen = True
    return out if seen else None


def decode_fitparse(data: bytes, name: str, *, strict: bool = False) -> RawFit:
    """Decode FIT bytes with fitparse (its public API), after :func:`~runlens.io.fitrepair.repair`.

    Parameters
    ----------
    data : bytes
        The FIT content (already decompressed).
    name : str
        The file's name, for messages.
    strict : bool
        If True, any fault (CRC mismatch, truncation, undecodable bytes, trailing
        garbage) raises. If False (salvage), everything decodable is kept and each
        warning says what was lost (see the module docstring).

    Returns
    -------
    RawFit

    Raises
    ------
    CorruptFileError
        The header is invalid, nothing could be decoded, or (strict) any fault.
    """
    import fitparse
    import fitparse.records
    from fitparse.records import DevField

    from .fitrepair import repair

    rep = repair(data, name, strict=strict)
    # fitparse keeps developer field descriptions in a module global: clear it so one
    # file's descriptions never decode another file's bytes.
    fitparse.records.DEV_TYPES.clear()
    rec_cols: dict[str, list] = {}
    dev_cols: dict[str, list] = {}
    dev_units: dict[str, str | None] = {}
    messages: dict[str, list[dict[str, Any]]] = {k: [] for k in KEPT_MESSAGES}
    n = 0
    try:
        for m in fitparse.FitFile(rep.data, check_crc=True).get_messages():
            mname = m.name
            if mname == "record":
                row = n
                n += 1
                # One value per name and record (a definition may repeat a field).
                vals: dict[str, Any] = {}
                dvals: dict[str, Any] = {}
                for f in m.fields:
                    if isinstance(f.field, DevField):
                        dvals[f.name] = f.value
                        if f.name not in dev_units:
                            dev_units[f.name] = f.units
                    elif f.field is None and f.def_num in UNNAMED_RECORD_FIELDS:
                        fname, scale = UNNAMED_RECORD_FIELDS[f.def_num]
                        v = f.value
                        vals[fname] = v / scale if isinstance(v, (int, float)) else None
                    else:
                        vals[f.name] = _plain(f.value)
                for cols, got in ((rec_cols, vals), (dev_cols, dvals)):
                    for k, v in got.items():
                        lst = cols.get(k)
                        if lst is None:
                            lst = cols[k] = [None] * row
                        lst.append(v)
                    for lst in cols.values():
                        if len(lst) < n:
                            lst.append(None)
            elif mname in KEPT_MESSAGES:
                messages[mname].append({f.name: _plain(f.value) for f in m.fields})
    except Exception as exc:  # noqa: BLE001 - fitparse raises bare errors too
        # Not expected: the repaired bytes are a valid FIT file.
        raise CorruptFileError(
            f"fitparse could not decode it ({type(exc).__name__}: {exc})", path=name
        ) from None

    records: dict[str, np.ndarray] = {}
    for k, lst in rec_cols.items():
        a = _to_float(lst)
        if a is not None:
            records[k] = a
    from ..units import semicircles_to_degrees

    for k in ("position_lat", "position_long"):
        if k in records:
            a = semicircles_to_degrees(records[k])
            a[np.abs(a) > 180] = np.nan
            records[k] = a
    developer = {}
    for k, lst in dev_cols.items():
        a = _to_float(lst)
        if a is not None:
            developer[k] = a
        else:
            dev_units.pop(k, None)
    check_salvage(records, messages, rep.warnings, name)
    return RawFit(
        records=records,
        messages=messages,
        developer=developer,
        developer_units={k: dev_units.get(k) for k in developer},
        n_headers=max(rep.sequences, len(messages["file_id"]) or 1),
        warnings=list(rep.warnings),
        reader="fitparse",
    )


def check_salvage(records: dict, messages: dict, warnings: list[str], name: str) -> None:
    """Refuse a repaired activity without one timestamped record (every decoder).

    Raises
    ------
    CorruptFileError
        Damage before the first record: say so, rather than "no records".
    """
    ftype = (messages.get("file_id") or [{}])[0].get("type")
    ts = records.get("timestamp")
    has_time = ts is not None and bool(np.isfinite(ts).any())
    if not has_time and warnings and ftype in (None, "activity"):
        raise CorruptFileError(
            f"damaged before its first record, nothing could be salvaged: {warnings[0]}",
            path=name,
        )
