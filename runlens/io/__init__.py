"""Readers: bytes in, :class:`~runlens.model.Activity` out, nothing computed."""

from __future__ import annotations

from ..errors import RunlensError
from ..model import Activity
from .source import SourceLike, load, sniff_format

__all__ = ["read", "sniff_format"]


def read(source: SourceLike, *, strict: bool = False) -> Activity:
    """Read a FIT or GPX activity (plain or gzipped) into an Activity.

    Parameters
    ----------
    source : path, bytes or binary file object
        The activity. The format is detected from the content.
    strict : bool, default False
        Refuse files with any fault (bad CRC, truncation) instead of salvaging
        what can be read; salvaging adds a line to ``Activity.warnings``.

    Returns
    -------
    Activity

    Raises
    ------
    RunlensError
        Or a subclass: the message names the file and the problem.
    """
    loaded = load(source)
    try:
        if loaded.format == "fit":
            from .fit import decode_fitparse
            from .rawfit import build_activity

            raw = decode_fitparse(loaded.data, loaded.name, strict=strict)
            activity = build_activity(
                raw, loaded.name, loaded.sha256, len(loaded.data), loaded.compressed
            )
        else:
            from .gpx import decode_gpx

            activity = decode_gpx(loaded.data, loaded.name, loaded.sha256, loaded.compressed)
        from .validate import validate

        return validate(activity, strict=strict, notes=loaded.notes)
    except RunlensError as exc:
        raise exc.with_path(loaded.name) from None
