"""FIT through fitparse, the reference decoder.

fitparse decodes message by message in pure Python; this module turns its
messages into a :class:`~runlens.io.rawfit.RawFit` (columns, not per-row
objects) and says what it had to salvage. Chained FIT files (several headers
in one file) are read as one stream.
"""

from __future__ import annotations

import io
from datetime import datetime, time, timezone
from typing import Any

import numpy as np

from ..errors import CorruptFileError
from .rawfit import RawFit

__all__ = ["decode_fitparse", "KEPT_MESSAGES"]

#: Messages other than records that the Activity needs.
KEPT_MESSAGES = frozenset(
    {"file_id", "device_info", "user_profile", "event", "lap", "session", "activity", "sport"}
)

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
        except (TypeError, ValueError):
            return None
        seen = True
    return out if seen else None


def decode_fitparse(data: bytes, name: str, *, strict: bool = False) -> RawFit:
    """Decode FIT bytes with fitparse.

    Parameters
    ----------
    data : bytes
        The FIT content (already decompressed).
    name : str
        The file's name, for messages.
    strict : bool
        If True, any CRC mismatch or truncation raises. If False (salvage),
        everything decoded before the fault is kept and a warning says what was
        lost.

    Returns
    -------
    RawFit

    Raises
    ------
    CorruptFileError
        The header is invalid, nothing could be decoded, or (strict) any fault.
    """
    import fitparse
    from fitparse.records import DevField
    from fitparse.utils import FitCRCError, FitEOFError, FitHeaderError, FitParseError

    buf = io.BytesIO(data)
    try:
        ff = fitparse.FitFile(buf, check_crc=True)
    except FitHeaderError as exc:
        raise CorruptFileError(f"invalid FIT header ({exc})", path=name, offset=0) from None
    except FitEOFError:
        raise CorruptFileError(
            f"FIT file too short for its header ({len(data)} bytes)", path=name, offset=0
        ) from None
    except (FitParseError, Exception) as exc:  # noqa: BLE001 - fitparse raises bare errors too
        raise CorruptFileError(f"unreadable FIT header ({exc})", path=name, offset=0) from None

    headers = [1]
    parse_header = ff._parse_file_header

    def _count_header() -> None:  # chained FIT: fitparse re-reads a header per file
        headers[0] += 1
        parse_header()

    ff._parse_file_header = _count_header
    rec_cols: dict[str, list] = {}
    dev_cols: dict[str, list] = {}
    dev_units: dict[str, str | None] = {}
    messages: dict[str, list[dict[str, Any]]] = {k: [] for k in KEPT_MESSAGES}
    warnings: list[str] = []
    n = 0
    n_headers = 1
    last_good = 0

    it = ff.get_messages()
    while True:
        try:
            m = next(it)
        except StopIteration:
            break
        except FitCRCError as exc:
            if strict:
                raise CorruptFileError(
                    f"CRC mismatch: {exc}", path=name, offset=buf.tell()
                ) from None
            warnings.append(f"CRC mismatch ({exc}); the decoded data was kept")
            if ff._complete or buf.tell() >= len(data):
                break
            # Continue with the next chained file if there is one.
            try:
                ff._parse_file_header()
                it = ff.get_messages()
                n_headers += 1
                continue
            except Exception:  # noqa: BLE001
                break
        except FitEOFError:
            msg = f"truncated at byte {len(data)}: the messages after byte {last_good} are lost"
            if strict or n == 0:
                raise CorruptFileError(msg, path=name, offset=len(data)) from None
            warnings.append(msg)
            break
        except Exception as exc:  # noqa: BLE001 - fitparse raises KeyError/struct.error on bad bytes
            msg = f"undecodable data at byte {last_good} ({type(exc).__name__}: {exc})"
            if strict or n == 0:
                raise CorruptFileError(msg, path=name, offset=last_good) from None
            warnings.append(msg + "; the messages before it were kept")
            break
        last_good = buf.tell()
        mname = m.name
        if mname == "record":
            row = n
            n += 1
            for f in m.fields:
                v = f.value
                if isinstance(f.field, DevField):
                    dname = f.name
                    lst = dev_cols.get(dname)
                    if lst is None:
                        lst = dev_cols[dname] = [None] * row
                        dev_units[dname] = f.units
                    lst.append(v)
                else:
                    fname = f.name
                    lst = rec_cols.get(fname)
                    if lst is None:
                        lst = rec_cols[fname] = [None] * row
                    lst.append(_plain(v))
            for cols in (rec_cols, dev_cols):
                for lst in cols.values():
                    if len(lst) < n:
                        lst.append(None)
        elif mname in KEPT_MESSAGES:
            messages[mname].append({f.name: _plain(f.value) for f in m.fields})

    n_headers = max(n_headers, headers[0])
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
    return RawFit(
        records=records,
        messages=messages,
        developer=developer,
        developer_units={k: dev_units.get(k) for k in developer},
        n_headers=n_headers,
        warnings=warnings,
        reader="fitparse",
    )
