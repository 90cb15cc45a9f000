"""Write a simulated run as GPX 1.1 with Garmin TrackPointExtension (v1 or v2).

A test-data writer, the GPX twin of ``runlens.sim.fitwrite``::

    from runlens.sim.synth import simulate_run
    from runlens.sim.gpxwrite import to_gpx
    text = to_gpx(simulate_run(seed=1), version=2, prefix="ns3")

Each track point carries lat/lon, ``<ele>`` (m), ``<time>`` (UTC, ``Z``) and,
inside ``<extensions><prefix:TrackPointExtension>``, ``atemp`` (degC), ``hr``
(bpm) and ``cad``; version 2 adds ``speed`` (m/s). Element order follows the
schemas (v1: atemp, wtemp, depth, hr, cad; v2: ... hr, cad, speed, course).
``cad`` is strides/min by default, rounded to whole numbers as Garmin and Strava
write it (steps/min / 2); ``cadence="steps"`` writes steps/min as some apps do.
Missing (NaN) values are left out of that point.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from os import PathLike
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from runlens.sim.synth import SimulatedRun, from_columns

__all__ = ["TPX_NAMESPACES", "to_gpx", "write_gpx"]

#: TrackPointExtension version -> namespace URI.
TPX_NAMESPACES = {
    1: "http://www.garmin.com/xmlschemas/TrackPointExtension/v1",
    2: "http://www.garmin.com/xmlschemas/TrackPointExtension/v2",
}
_GPX_NS = "http://www.topografix.com/GPX/1/1"


def _fmt(values: np.ndarray | None, spec: str) -> np.ndarray | None:
    """Format numbers with ``spec`` ('%.1f'); NaN becomes ''."""
    if values is None:
        return None
    v = np.asarray(values, dtype=float)
    ok = np.isfinite(v)
    out = np.full(v.shape, "", dtype=object)
    out[ok] = np.char.mod(spec, v[ok])
    return out


def to_gpx(
    run: SimulatedRun | Mapping[str, Any],
    *,
    start: datetime | None = None,
    version: int = 1,
    prefix: str = "gpxtpx",
    cadence: str = "strides",
    name: str | None = None,
    creator: str = "runlens synth",
    activity_type: str = "running",
    split_segments: bool = False,
    millis: bool = False,
) -> str:
    """Render a run as GPX 1.1 text.

    Parameters
    ----------
    run : SimulatedRun or mapping of str to array_like
        Samples in the synth schema (``runlens.sim.synth.COLUMNS``); needs
        ``t`` (s), ``lat`` and ``lon`` (degrees). A mapping needs ``start``.
    start : datetime, optional
        Aware UTC start for a mapping; ignored for a SimulatedRun.
    version : {1, 2}
        TrackPointExtension version; 2 adds ``speed`` (m/s).
    prefix : str
        Namespace prefix of the extension, e.g. "gpxtpx" (Strava) or "ns3" (Garmin Connect).
    cadence : {"strides", "steps"}
        Write ``cad`` as strides/min (spm / 2, the Garmin convention) or steps/min.
    name : str, optional
        Track name; default "<kind> run".
    creator : str
        ``gpx/@creator``.
    activity_type : str
        ``trk/type``.
    split_segments : bool
        One ``trkseg`` per timer segment (pauses split) instead of one segment.
    millis : bool
        Times as ``...T06:30:00.000Z`` (Garmin Connect) instead of ``...T06:30:00Z``.

    Returns
    -------
    str
        The GPX document.
    """
    if not isinstance(run, SimulatedRun):
        if start is None:
            raise ValueError("start (an aware datetime) is required for a mapping of columns")
        run = from_columns(run, start=start)
    if version not in TPX_NAMESPACES:
        raise ValueError(f"version must be 1 or 2, not {version!r}")
    if cadence not in ("strides", "steps"):
        raise ValueError(f"cadence must be 'strides' or 'steps', not {cadence!r}")
    c = run.columns
    if "lat" not in c or "lon" not in c:
        raise ValueError("GPX needs lat/lon: this run has no GPS columns")
    t = run.t
    epoch = np.datetime64(run.start.astimezone(timezone.utc).replace(tzinfo=None), "s")
    times = np.datetime_as_string(
        epoch + np.rint(t).astype("timedelta64[s]"), unit="ms" if millis else "s"
    )
    lat, lon = _fmt(c["lat"], "%.7f"), _fmt(c["lon"], "%.7f")
    ele = _fmt(c.get("altitude"), "%.1f")
    cad = c.get("cadence")
    ext = [
        ("atemp", _fmt(c.get("temperature"), "%.1f")),
        ("hr", _fmt(None if c.get("heart_rate") is None else np.rint(c["heart_rate"]), "%.0f")),
        (
            "cad",
            _fmt(
                None if cad is None else np.rint(cad / 2 if cadence == "strides" else cad), "%.0f"
            ),
        ),
    ]
    if version == 2:
        ext.append(("speed", _fmt(c.get("speed"), "%.3f")))
    ext = [(tag, v) for tag, v in ext if v is not None]

    seg_start = np.zeros(t.size, dtype=bool)
    if split_segments:
        for p in run.pauses:
            i = int(np.searchsorted(t, p.end_s, side="left"))
            if 0 < i < t.size:
                seg_start[i] = True
    ind = "      "
    lines = []
    for i in range(t.size):
        if seg_start[i]:
            lines.append("    </trkseg>\n    <trkseg>")
        pt = [f'{ind}<trkpt lat="{lat[i]}" lon="{lon[i]}">']
        if ele is not None and ele[i]:
            pt.append(f"{ind}  <ele>{ele[i]}</ele>")
        pt.append(f"{ind}  <time>{times[i]}Z</time>")
        vals = [(tag, v[i]) for tag, v in ext if v[i]]
        if vals:
            pt.append(f"{ind}  <extensions>\n{ind}    <{prefix}:TrackPointExtension>")
            pt.extend(f"{ind}      <{prefix}:{tag}>{v}</{prefix}:{tag}>" for tag, v in vals)
            pt.append(f"{ind}    </{prefix}:TrackPointExtension>\n{ind}  </extensions>")
        pt.append(f"{ind}</trkpt>")
        lines.append("\n".join(pt))
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<gpx version="1.1" creator={quoteattr(creator)} xmlns="{_GPX_NS}"\n'
        f'  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"\n'
        f'  xmlns:{prefix}="{TPX_NAMESPACES[version]}"\n'
        f'  xsi:schemaLocation="{_GPX_NS} http://www.topografix.com/GPX/1/1/gpx.xsd">\n'
        f"  <metadata>\n    <time>{times[0]}Z</time>\n  </metadata>\n"
        f"  <trk>\n    <name>{escape(name or f'{run.kind} run')}</name>\n"
        f"    <type>{escape(activity_type)}</type>\n    <trkseg>\n"
    )
    return head + "\n".join(lines) + "\n    </trkseg>\n  </trk>\n</gpx>\n"


def write_gpx(
    path: str | PathLike[str], run: SimulatedRun | Mapping[str, Any], **kwargs: Any
) -> None:
    """Write :func:`to_gpx` output to ``path`` (UTF-8); keyword arguments as :func:`to_gpx`."""
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(to_gpx(run, **kwargs))
