"""The sample channels runlens knows, each described once (issue 23, one owner per concept).

A channel is a column of an activity's samples whose name carries its unit
(``vertical_oscillation_mm``). :data:`CHANNELS` says, for each, its unit and
meaning, whether the readers write it or the sample frame derives it, its
physical limits, whether a device's 0 means "no reading", which summaries
average it and where the store keeps it. Every channel list of runlens is
derived from it (the model's record columns, the validator's limits, the
summaries' and the rules' channels, the per-minute form table, the personal
bands); tests/test_channels.py checks them, and that every column a reader
writes is here. docs/where-things-go.md says how to add one.

This module imports nothing from runlens: every layer may read it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Channel",
    "CHANNELS",
    "BY_NAME",
    "record_columns",
    "limits",
    "zero_is_missing",
    "dynamics_columns",
    "rolling_channels",
    "form_channels",
    "band_metrics",
    "max_spread",
]

#: What a channel is: ``record`` (a reader writes it into ``Activity.records``) or
#: ``derived`` (the sample frame computes it from others: grade, stride, steps per breath).
KINDS = ("record", "derived")


@dataclass(frozen=True)
class Channel:
    """One sample channel.

    Attributes
    ----------
    name : str
        Column name, its unit in the name (docs/data-model.md).
    unit : str
        Unit as the docs write it (``mm``, ``steps/min``).
    meaning : str
        What it is and where a reader finds it (the model's record columns).
    kind : str
        ``record`` or ``derived`` (:data:`KINDS`).
    limits : (float, float) or None
        Physically possible values, inclusive; a reader's value outside is
        dropped (runlens.io.validate). Record channels only.
    zero_is_missing : bool
        A device writes 0 while it has no reading: a 0 is no value, in the
        rules' signals and in the device's own summary averages.
    summaries : tuple of str
        Which summaries average it: ``dynamics`` (over running samples, zeros
        missing; per session, lap and split: runlens.metrics.samples), ``rolling``
        (the rolling windows of runlens.metrics.rolling).
    store : int or None
        Its place among the channels of the store's per-minute form table
        (``form_minutes``; runlens.metrics.form), None: not stored. The order is
        the store schema's: a new channel comes last, with a store migration.
    band : bool
        The personal baseline fits a band at matched speed for it (besides the
        step rate): runlens.history.baseline.
    max_spread : float or None
        Largest residual spread of a baseline strong enough for a flag, in the
        channel's unit (runlens.baseline).
    """

    name: str
    unit: str
    meaning: str
    kind: str = "record"
    limits: tuple[float, float] | None = None
    zero_is_missing: bool = False
    summaries: tuple[str, ...] = ()
    store: int | None = None
    band: bool = False
    max_spread: float | None = None

    def docs_row(self) -> str:
        """The start of the channel's row in docs/data-model.md's tables:
        ``| `name` | unit |``."""
        return f"| `{self.name}` | {self.unit} |"


_DYN = ("dynamics",)
_DYN_ROLL = ("dynamics", "rolling")

#: Every channel, in the order the record columns and the summaries list them.
CHANNELS: tuple[Channel, ...] = (
    Channel(
        "distance_m", "m", "cumulative distance from the device (FIT record.distance)",
        limits=(0.0, 1.0e7),  # 10,000 km
    ),
    Channel(
        "speed_m_s", "m/s",
        "instantaneous speed (FIT enhanced_speed, else speed; GPX speed extension)",
        limits=(0.0, 45.0),  # foot sports: io.validate.FOOT_MAX_SPEED_M_S
        summaries=("rolling",), store=0,
    ),
    Channel(
        "altitude_m", "m", "altitude (FIT enhanced_altitude, else altitude; GPX ele)",
        limits=(-500.0, 9000.0),  # Dead Sea shore -430 m, Everest 8849 m
    ),
    Channel("lat_deg", "deg", "latitude, WGS84", limits=(-90.0, 90.0)),
    Channel("lon_deg", "deg", "longitude, WGS84", limits=(-180.0, 180.0)),
    Channel(
        "heart_rate_bpm", "1/min", "heart rate",
        limits=(20.0, 250.0),  # below: no contact; above: beyond any human record
        zero_is_missing=True, summaries=("rolling",), store=9,
    ),
    Channel(
        "grade_pct", "%", "grade over 50 m of horizontal distance", kind="derived",
        summaries=("rolling",), store=1,
    ),
    Channel(
        "cadence_spm", "steps/min",
        "step rate, both feet: 2 x (cadence + fractional_cadence) for foot sports",
        limits=(0.0, 260.0),  # elite sprinters reach ~250 steps/min
        zero_is_missing=True, summaries=_DYN_ROLL, store=2, max_spread=6.0,
    ),
    Channel(
        "cadence_rpm", "1/min", "pedal or stroke cadence, for sports that are not on foot",
        limits=(0.0, 300.0),
    ),
    Channel(
        "step_length_m", "m", "one footfall to the next (FIT step_length / 1000)",
        limits=(0.0, 4.0), zero_is_missing=True, summaries=_DYN_ROLL, store=3,
    ),
    Channel(
        "stride_length_m", "m", "2 x step length (one foot's landing to its next)",
        kind="derived", summaries=_DYN,
    ),
    Channel(
        "vertical_oscillation_mm", "mm", "vertical bounce of the torso per step",
        limits=(0.0, 300.0), zero_is_missing=True, summaries=_DYN_ROLL, store=6, band=True,
        max_spread=10.0,
    ),
    Channel(
        "vertical_ratio_pct", "%", "vertical oscillation / step length x 100",
        limits=(0.0, 50.0), zero_is_missing=True, summaries=_DYN_ROLL, store=7, band=True,
        max_spread=0.8,
    ),
    Channel(
        "ground_contact_ms", "ms", "ground contact time per step (FIT stance_time)",
        limits=(0.0, 3000.0), zero_is_missing=True, summaries=_DYN_ROLL, store=4, band=True,
        max_spread=20.0,
    ),
    Channel(
        "ground_contact_pct", "%", "share of the step on the ground (FIT stance_time_percent)",
        limits=(0.0, 100.0), zero_is_missing=True, summaries=_DYN, store=5,
    ),
    Channel(
        "gct_balance_left_pct", "%",
        "left foot's share of ground contact time (FIT stance_time_balance)",
        limits=(0.0, 100.0), zero_is_missing=True, summaries=_DYN_ROLL, store=8, band=True,
        max_spread=1.0,
    ),
    Channel(
        "power_w", "W", "running or cycling power",
        limits=(0.0, 3000.0), summaries=_DYN_ROLL, store=10,
    ),
    Channel(
        "temperature_c", "degC", "temperature from the device or GPX atemp",
        limits=(-60.0, 70.0),
    ),
    Channel(
        "respiration_rate_brpm", "breaths/min",
        "breathing rate (FIT enhanced_respiration_rate, else respiration_rate)",
        limits=(0.0, 120.0),  # breaths/min; hard panting is about 60
        store=11,
    ),
    Channel(
        "steps_per_breath", "steps/breath",
        "the minute's mean step rate over its mean breathing rate", kind="derived", store=12,
    ),
)  # fmt: skip

#: Name -> channel.
BY_NAME: dict[str, Channel] = {c.name: c for c in CHANNELS}
assert len(BY_NAME) == len(CHANNELS), "a channel is described twice"
assert all(c.kind in KINDS for c in CHANNELS)


def record_columns() -> dict[str, tuple[str, str]]:
    """The readers' columns: name -> (unit, meaning) (``runlens.model.RECORD_COLUMNS``)."""
    return {c.name: (c.unit, c.meaning) for c in CHANNELS if c.kind == "record"}


def limits() -> dict[str, tuple[float, float]]:
    """Physical limits per record column (``runlens.io.validate.LIMITS``)."""
    return {c.name: c.limits for c in CHANNELS if c.limits is not None}


def zero_is_missing() -> frozenset[str]:
    """Channels whose 0 is no reading."""
    return frozenset(c.name for c in CHANNELS if c.zero_is_missing)


def dynamics_columns() -> tuple[str, ...]:
    """Running-dynamics channels averaged over running samples, zeros missing
    (``runlens.metrics.samples.DYNAMICS_COLUMNS``)."""
    return tuple(c.name for c in CHANNELS if "dynamics" in c.summaries)


def rolling_channels() -> tuple[str, ...]:
    """Channels of the rolling windows (``runlens.metrics.rolling.ROLLING_CHANNELS``)."""
    return tuple(c.name for c in CHANNELS if "rolling" in c.summaries)


def form_channels() -> tuple[str, ...]:
    """The per-minute form table's channels, in the store's column order
    (``runlens.metrics.form.FORM_CHANNELS``)."""
    stored = sorted((c for c in CHANNELS if c.store is not None), key=lambda c: c.store)
    return tuple(c.name for c in stored)


def band_metrics() -> tuple[str, ...]:
    """Channels with a personal band at matched speed, in the form table's order
    (``runlens.history.baseline.BAND_METRICS``)."""
    return tuple(n for n in form_channels() if BY_NAME[n].band)


def max_spread() -> dict[str, float]:
    """Largest residual spread of a strong baseline, per channel (``runlens.baseline.MAX_SPREAD``)."""
    return {n: BY_NAME[n].max_spread for n in form_channels() if BY_NAME[n].max_spread is not None}
