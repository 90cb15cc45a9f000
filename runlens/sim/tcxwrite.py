"""Write a simulated run as TCX (TrainingCenterDatabase v2), in two writers' styles.

A test-data writer, the TCX twin of ``runlens.sim.gpxwrite`` and
``runlens.sim.fitwrite``::

    from runlens.sim.synth import simulate_run
    from runlens.sim.tcxwrite import to_tcx
    text = to_tcx(simulate_run(seed=1), style="garmin")

Two styles, as real writers differ:

``"garmin"`` (Garmin Connect's export)
    Indented, times with milliseconds and ``Z``, ActivityExtension v2 under
    the ``ns3`` prefix: ``<ns3:TPX>`` with ``Speed`` (m/s), ``RunCadence``
    (strides/min, whole numbers) and ``Watts``; each lap has an
    ``<ns3:LX>`` with ``AvgSpeed`` and ``AvgRunCadence``; a new ``<Track>``
    after every timer pause; ``<Creator>`` with a version.
``"plain"`` (Polar Flow / Strava-like)
    One line, no prefix, times without fraction, the cadence as the
    trackpoint's own ``<Cadence>`` (steps/min when ``cadence="steps"``), no
    extensions, one ``<Track>`` per lap and no ``<Creator>``.

Every lap's ``TotalTimeSeconds`` and ``DistanceMeters`` are the run's own lap
summary (``SimulatedRun.laps``: timer time excluding pauses, device distance),
so a reader can be checked against the file's totals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from os import PathLike
from typing import Any
from xml.sax.saxutils import escape

import numpy as np

from runlens.sim.gpxwrite import _fmt  # the same NaN-as-empty number formatting
from runlens.sim.synth import SimulatedRun, from_columns

__all__ = ["TCX_NS", "AX_NS", "to_tcx", "write_tcx"]

TCX_NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
AX_NS = "http://www.garmin.com/xmlschemas/ActivityExtension/v2"


def to_tcx(
    run: SimulatedRun | Mapping[str, Any],
    *,
    start: datetime | None = None,
    style: str = "garmin",
    cadence: str | None = None,
    sport: str = "Running",
    creator: str = "Forerunner 255",
    trackless_laps: Sequence[int] = (),
) -> str:
    """Render a run as TCX text.

    Parameters
    ----------
    run : SimulatedRun or mapping of str to array_like
        Samples in the synth schema; a mapping needs ``start``.
    start : datetime, optional
        Aware UTC start for a mapping.
    style : {"garmin", "plain"}
        Which writer to imitate (module docstring).
    cadence : {"strides", "steps"}, optional
        Cadence unit written; default strides for "garmin", steps for "plain".
    sport : str
        The ``Sport`` attribute (``Running``, ``Biking``, ``Other``).
    creator : str
        ``<Creator><Name>`` (garmin style only).
    trackless_laps : sequence of int
        Laps written with their totals and an empty ``<Track/>``, their points
        left out (a Suunto export whose laps outnumber their tracks).

    Returns
    -------
    str
        The TCX document.
    """
    if not isinstance(run, SimulatedRun):
        if start is None:
            raise ValueError("start (an aware datetime) is required for a mapping of columns")
        run = from_columns(run, start=start)
    if style not in ("garmin", "plain"):
        raise ValueError(f"style must be 'garmin' or 'plain', not {style!r}")
    cadence = cadence or ("strides" if style == "garmin" else "steps")
    if cadence not in ("strides", "steps"):
        raise ValueError(f"cadence must be 'strides' or 'steps', not {cadence!r}")
    garmin = style == "garmin"
    c = run.columns
    t = run.t
    epoch = np.datetime64(run.start.astimezone(timezone.utc).replace(tzinfo=None), "s")
    times = np.datetime_as_string(
        epoch + np.rint(t).astype("timedelta64[s]"), unit="ms" if garmin else "s"
    )
    lat = _fmt(c.get("lat"), "%.7f")
    lon = _fmt(c.get("lon"), "%.7f")
    ele = _fmt(c.get("altitude"), "%.1f")
    dist = _fmt(c.get("distance"), "%.2f")
    hr = _fmt(None if c.get("heart_rate") is None else np.rint(c["heart_rate"]), "%.0f")
    cad_v = c.get("cadence")
    cad = _fmt(
        None if cad_v is None else np.rint(cad_v / 2 if cadence == "strides" else cad_v), "%.0f"
    )
    speed = _fmt(c.get("speed"), "%.3f")
    watts = _fmt(None if c.get("power") is None else np.rint(c["power"]), "%.0f")

    p = "ns3:" if garmin else ""
    nl, ind = ("\n", "  ") if garmin else ("", "")

    def point(i: int, depth: int) -> str:
        pad = (nl + ind * depth) if garmin else ""
        parts = [f"{pad}<Trackpoint>", f"{pad}{ind}<Time>{times[i]}Z</Time>"]
        if lat is not None and lon is not None and lat[i] and lon[i]:
            parts.append(
                f"{pad}{ind}<Position>{pad}{ind * 2}<LatitudeDegrees>{lat[i]}</LatitudeDegrees>"
                f"{pad}{ind * 2}<LongitudeDegrees>{lon[i]}</LongitudeDegrees>{pad}{ind}</Position>"
            )
        if ele is not None and ele[i]:
            parts.append(f"{pad}{ind}<AltitudeMeters>{ele[i]}</AltitudeMeters>")
        if dist is not None and dist[i]:
            parts.append(f"{pad}{ind}<DistanceMeters>{dist[i]}</DistanceMeters>")
        if hr is not None and hr[i]:
            parts.append(f"{pad}{ind}<HeartRateBpm><Value>{hr[i]}</Value></HeartRateBpm>")
        if not garmin and cad is not None and cad[i]:
            parts.append(f"<Cadence>{cad[i]}</Cadence>")
        if garmin:
            ext = []
            if speed is not None and speed[i]:
                ext.append(f"<{p}Speed>{speed[i]}</{p}Speed>")
            if cad is not None and cad[i]:
                ext.append(f"<{p}RunCadence>{cad[i]}</{p}RunCadence>")
            if watts is not None and watts[i]:
                ext.append(f"<{p}Watts>{watts[i]}</{p}Watts>")
            if ext:
                parts.append(
                    f"{pad}{ind}<Extensions>{pad}{ind * 2}<{p}TPX>"
                    + "".join(f"{pad}{ind * 3}{e}" for e in ext)
                    + f"{pad}{ind * 2}</{p}TPX>{pad}{ind}</Extensions>"
                )
        parts.append(f"{pad}</Trackpoint>")
        return "".join(parts)

    pause_ends = np.array([q.end_s for q in run.pauses], dtype=float)
    laps = run.laps or ((run.session,) if run.session is not None else ())
    body = []
    for k, lap in enumerate(laps):
        last = k == len(laps) - 1
        sel = (t >= lap.start_s) & ((t <= lap.end_s) if last else (t < lap.end_s))
        idx = np.flatnonzero(sel)
        empty = k in trackless_laps
        if not idx.size and not empty:
            continue
        lap_start = times[idx[0]] if idx.size else np.datetime_as_string(
            epoch + np.timedelta64(round(lap.start_s), "s"), unit="ms" if garmin else "s"
        )
        if empty:
            idx = idx[:0]
        pad = nl + ind * 3
        head = [
            f'{pad}<Lap StartTime="{lap_start}Z">',
            f"{pad}{ind}<TotalTimeSeconds>{lap.total_timer_time:.1f}</TotalTimeSeconds>",
            f"{pad}{ind}<DistanceMeters>{lap.total_distance:.2f}</DistanceMeters>",
        ]
        if lap.max_speed is not None:
            head.append(f"{pad}{ind}<MaximumSpeed>{lap.max_speed:.3f}</MaximumSpeed>")
        head.append(f"{pad}{ind}<Calories>0</Calories>")
        if lap.avg_heart_rate is not None:
            head.append(
                f"{pad}{ind}<AverageHeartRateBpm><Value>{round(lap.avg_heart_rate)}</Value>"
                "</AverageHeartRateBpm>"
            )
        if lap.max_heart_rate is not None:
            head.append(
                f"{pad}{ind}<MaximumHeartRateBpm><Value>{round(lap.max_heart_rate)}</Value>"
                "</MaximumHeartRateBpm>"
            )
        head.append(f"{pad}{ind}<Intensity>Active</Intensity>")
        if not garmin and lap.avg_cadence is not None:
            lc = lap.avg_cadence / 2 if cadence == "strides" else lap.avg_cadence
            head.append(f"<Cadence>{round(lc)}</Cadence>")
        head.append(f"{pad}{ind}<TriggerMethod>{'Distance' if lap.trigger == 2 else 'Manual'}"
                    "</TriggerMethod>")
        # Garmin starts a new <Track> after each timer pause.
        if garmin and pause_ends.size and idx.size:
            cut = np.isin(t[idx], pause_ends) & (idx != idx[0])
            groups = np.split(idx, np.flatnonzero(cut))
        else:
            groups = [idx]
        tracks = [f"{pad}{ind}<Track/>"] if empty else []
        for g in groups:
            if not g.size:
                continue
            pts = "".join(point(int(i), 5) for i in g)
            tracks.append(f"{pad}{ind}<Track>{pts}{pad}{ind}</Track>")
        tail = []
        if garmin:
            lx = [f"<{p}AvgSpeed>{lap.avg_speed:.3f}</{p}AvgSpeed>"] if lap.avg_speed else []
            if lap.avg_cadence is not None:
                lx.append(f"<{p}AvgRunCadence>{round(lap.avg_cadence / 2)}</{p}AvgRunCadence>")
            if lx:
                tail.append(
                    f"{pad}{ind}<Extensions><{p}LX>" + "".join(lx) + f"</{p}LX></Extensions>"
                )
        body.append("".join(head) + "".join(tracks) + "".join(tail) + f"{pad}</Lap>")

    start_txt = times[0]
    if garmin:
        ver = (
            f'{nl}{ind * 3}<Creator xsi:type="Device_t">'
            f"{nl}{ind * 4}<Name>{escape(creator)}</Name>"
            f"{nl}{ind * 4}<UnitId>3999999999</UnitId>{nl}{ind * 4}<ProductID>3990</ProductID>"
            f"{nl}{ind * 4}<Version><VersionMajor>19</VersionMajor><VersionMinor>18</VersionMinor>"
            f"<BuildMajor>0</BuildMajor><BuildMinor>0</BuildMinor></Version>{nl}{ind * 3}</Creator>"
        )
        head_xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<TrainingCenterDatabase xmlns="{TCX_NS}" xmlns:ns3="{AX_NS}"\n'
            '  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"\n'
            f'  xsi:schemaLocation="{TCX_NS} http://www.garmin.com/xmlschemas/'
            'TrainingCenterDatabasev2.xsd">'
        )
    else:
        ver = ""
        head_xml = (
            f'<?xml version="1.0" encoding="UTF-8"?><TrainingCenterDatabase xmlns="{TCX_NS}">'
        )
    return (
        head_xml
        + f"{nl}{ind}<Activities>{nl}{ind * 2}<Activity Sport=\"{escape(sport)}\">"
        + f"{nl}{ind * 3}<Id>{start_txt}Z</Id>"
        + "".join(body)
        + ver
        + f"{nl}{ind * 2}</Activity>{nl}{ind}</Activities>{nl}</TrainingCenterDatabase>\n"
    )


def write_tcx(
    path: str | PathLike[str], run: SimulatedRun | Mapping[str, Any], **kwargs: Any
) -> None:
    """Write :func:`to_tcx` output to ``path`` (UTF-8); keyword arguments as :func:`to_tcx`."""
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(to_tcx(run, **kwargs))
