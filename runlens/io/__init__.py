"""Readers: bytes in, :class:`~runlens.model.Activity` out, nothing computed.

Each format has a fast reader and a reference reader that the fast one is
tested against (tests/io/test_parity.py): FIT through fitfast
(:mod:`runlens.io.fit_fast`) or fitparse (:mod:`runlens.io.fit`), GPX through
a streaming parser (:mod:`runlens.io.gpx`) or gpxpy; TCX has one reader
(:mod:`runlens.io.tcx`), tested against the files' own lap totals. :func:`read` uses the
fast one and falls back to the reference for every file the fast one refuses
or fails on; ``Activity.source.reader`` says which one read the file and
``Activity.extra["reader_note"]`` why the fallback was taken.
"""

from __future__ import annotations

from ..errors import CorruptFileError, RunlensError
from ..model import Activity
from .source import SourceLike, read_source, sniff_format

__all__ = ["read", "read_all", "sniff_format", "READERS"]

#: Accepted values of ``read(reader=...)``.
READERS = ("auto", "fast", "fitparse", "gpxpy", "reference")

# Exceptions that must never be swallowed by the fallback (a user's Ctrl-C, sys.exit).
_NEVER_SWALLOW = (KeyboardInterrupt, SystemExit, GeneratorExit)


def read(source: SourceLike, *, strict: bool = False, reader: str = "auto") -> Activity:
    """Read a FIT, GPX or TCX activity (plain or gzipped) into an Activity.

    Parameters
    ----------
    source : path, bytes or binary file object
        The activity. The format is detected from the content.
    strict : bool, default False
        Refuse files with any fault (bad CRC, truncation) instead of salvaging
        what can be read; salvaging adds a line to ``Activity.warnings``.
    reader : {"auto", "fast", "fitparse", "gpxpy", "reference"}, default "auto"
        ``"auto"``: the fast reader, and the reference reader for any file
        the fast one refuses or fails on. ``"fast"``: the fast reader only (a
        file it refuses raises). ``"reference"`` (or ``"fitparse"`` /
        ``"gpxpy"``, which mean the same): the reference reader of the file's
        format (fitparse for FIT, gpxpy for GPX) only. TCX has one reader,
        used whatever ``reader`` says.

    Returns
    -------
    Activity
        ``source.reader`` names the decoder that read it (``"fitfast"``,
        ``"fitparse"``, ``"runlens-gpx"``, ``"gpxpy"``, ``"runlens-tcx"``).

    Raises
    ------
    RunlensError
        Or a subclass: the message names the file and the problem.
    """
    events = read_all(source, strict=strict, reader=reader)
    first = events[0]
    if len(events) > 1:
        first.warnings.append(several_runs_warning(len(events)))
    return first


def several_runs_warning(n: int) -> str:
    """The warning of a reader that kept the first of a file's ``n`` runs."""
    return (
        f"the file holds {n} activities on different days or hours apart; the first one "
        f"was read, {n - 1} left out (runlens.io.read_all, `runlens analyze` and "
        "`runlens scan` read each)"
    )


def read_all(
    source: SourceLike, *, strict: bool = False, reader: str = "auto"
) -> list[Activity]:
    """Every run of a file, each its own Activity, in time order.

    A file decoded once; then split into its events
    (:func:`runlens.io.events.split_events`): a TCX with an ``<Activity>`` per
    day, a FIT whose running sessions are hours apart. Most files hold one,
    and give a list of one, the same Activity :func:`read` returns. Parameters
    and errors as :func:`read`.
    """
    if reader not in READERS:
        raise ValueError(f"reader must be one of {', '.join(READERS)}, not {reader!r}")
    src = read_source(source)
    try:
        if src.format == "fit":
            activity = _read_fit(src, strict, reader)
        elif src.format == "tcx":
            from .tcx import decode_tcx

            activity = decode_tcx(src.data, src.name, src.sha256, src.compressed)
        else:
            activity = _read_gpx(src, reader)
        from .events import split_events
        from .validate import validate

        return split_events(validate(activity, strict=strict, notes=src.notes))
    except RunlensError as exc:
        raise exc.with_path(src.name) from None


def _why(exc: BaseException) -> str:
    text = exc.message if isinstance(exc, RunlensError) else f"{type(exc).__name__}: {exc}"
    return text.splitlines()[0][:200] if text else type(exc).__name__


def _read_fit(src, strict: bool, reader: str) -> Activity:
    from .rawfit import build_activity

    def build(raw):
        return build_activity(raw, src.name, src.sha256, len(src.data), src.compressed)

    note = None
    if reader in ("auto", "fast"):
        from .fit_fast import FastPathRejected

        try:
            from .fit_fast import decode_fitfast

            activity = build(decode_fitfast(src.data, src.name, strict=strict))
            return activity
        except _NEVER_SWALLOW:
            raise
        except FastPathRejected as exc:
            if reader == "fast":
                raise
            note = f"fitfast did not read it ({_why(exc)}); read by fitparse"
        except RunlensError:
            # Not an activity, no records: the file's content, whichever decoder reads it.
            raise
        except BaseException as exc:  # noqa: BLE001 - a Rust panic is a BaseException
            # fitfast reports a Rust panic as pyo3_runtime.PanicException, which derives
            # from BaseException; any failure of the fast path leaves the file to fitparse.
            if reader == "fast":
                raise FastPathRejected(f"fitfast failed ({_why(exc)})", path=src.name) from None
            note = f"fitfast failed ({_why(exc)}); read by fitparse"
    from .fit import decode_fitparse

    activity = build(decode_fitparse(src.data, src.name, strict=strict))
    if note:
        activity.extra["reader_note"] = note
    return activity


def _read_gpx(src, reader: str) -> Activity:
    from .gpx import FastGpxRefused, decode_gpx, decode_gpx_fast

    note = None
    if reader in ("auto", "fast"):
        try:
            return decode_gpx_fast(src.data, src.name, src.sha256, src.compressed)
        except _NEVER_SWALLOW:
            raise
        except (FastGpxRefused, CorruptFileError) as exc:
            if reader == "fast":
                raise
            # Left to the reference, which gives its own verdict (and message) on odd files.
            note = f"the fast GPX reader did not read it ({_why(exc)}); read by gpxpy"
        except RunlensError:
            raise  # no track, no times, unsafe XML: the same verdict from either reader
        except Exception as exc:  # noqa: BLE001 - any surprise leaves the file to gpxpy
            if reader == "fast":
                raise
            note = f"the fast GPX reader failed ({_why(exc)}); read by gpxpy"
    activity = decode_gpx(src.data, src.name, src.sha256, src.compressed)
    if note:
        activity.extra["reader_note"] = note
    return activity
