"""Foot-pod developer fields matched by meaning, not by exact name.

Foot pods and their apps write foot strike as FIT developer fields under many
names: one field for both feet (RunScribe "FootStrike Type"), one per foot
("RS_FootStrike_L" / "RS_FootStrike_R" from RunScribe Plus), with a vendor
prefix ("RS_", "RunScribe ", "Stryd ", "Garmin ") or none. runlens matches
them by meaning (docs/metrics.md, "Foot-pod fields"):

1. A name is normalised: lower case, letters and digits only.
2. A foot suffix is taken off: ``l``/``left`` or ``r``/``right`` at the end
   (after a separator in the original name: ``_L``, `` Left``), which makes it a
   per-foot field.
3. A vendor prefix is taken off: :data:`VENDOR_PREFIXES`.
4. What is left must be one of :data:`FOOT_STRIKE_NAMES`; a declared unit that
   is an angle (``deg``, ``degrees``, ``°``) is a foot-strike *angle*, another
   quantity, and is not matched.

Both feet in one field: its values. Per-foot fields: the record's value is the
mean of the feet that have one (both on the 1..16 scale); with 97-99 %
rearfoot on each foot, as the RunScribe Plus file of the report, the mean
says rearfoot too.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from ..model import Activity

__all__ = ["FOOT_STRIKE_NAMES", "VENDOR_PREFIXES", "match_foot_strike", "foot_strike_channel"]

#: What a foot-strike type field is called once prefix and foot are taken off.
FOOT_STRIKE_NAMES = frozenset({"footstriketype", "footstrike", "strikefoot", "footstriketypes"})
#: Vendor prefixes foot-pod apps put before a field name (normalised).
VENDOR_PREFIXES = ("runscribe", "rs", "stryd", "garmin", "milestone", "zepp")
_ANGLE_UNITS = frozenset({"deg", "degree", "degrees", "°", "angle"})
_FOOT = re.compile(r"(?:[\s_\-.]+|(?<=[a-z])(?=[LR]$))(l|left|r|right)$", re.IGNORECASE)


def _norm(name: str) -> str:
    return "".join(ch for ch in str(name).lower() if ch.isalnum())


def match_foot_strike(name: str, unit: str | None = None) -> str | None:
    """Which foot a developer field's foot strike is for: "both", "left", "right" or None.

    >>> match_foot_strike("RS_FootStrike_L")
    'left'
    >>> match_foot_strike("FootStrike Type")
    'both'
    >>> match_foot_strike("Stryd Foot Strike")
    'both'
    >>> match_foot_strike("FootStrike Angle", "deg") is None
    True
    """
    if unit is not None and _norm(unit) in {_norm(u) for u in _ANGLE_UNITS}:
        return None
    foot = "both"
    m = _FOOT.search(str(name).strip())
    base = str(name).strip()
    if m is not None:
        foot = "left" if m.group(1).lower().startswith("l") else "right"
        base = base[: m.start()]
    core = _norm(base)
    for p in VENDOR_PREFIXES:
        if core.startswith(p) and core[len(p) :] in FOOT_STRIKE_NAMES:
            core = core[len(p) :]
            break
    return foot if core in FOOT_STRIKE_NAMES else None


def foot_strike_channel(
    activity: Activity, extra_names: tuple[str, ...] = ()
) -> tuple[str, pd.Series] | None:
    """The foot pod's foot strike per record, and the field name(s) it came from.

    ``extra_names`` are matched too (case, spaces and punctuation ignored), for
    a field named in the runner's configuration. A both-feet field wins over
    per-foot ones. None when no field matches or none holds a value.
    """
    found = foot_strike_values(activity, extra_names)
    if found is None:
        return None
    import pandas as pd

    col, t_ns, values = found
    from ..model import Records

    return col, pd.Series(values, index=Records(t_ns).index_frame(), name=None)


def foot_strike_values(
    activity: Activity, extra_names: tuple[str, ...] = ()
) -> tuple[str, np.ndarray, np.ndarray] | None:
    """:func:`foot_strike_channel` as arrays, without pandas: ``(field name(s),
    UTC times in ns, foot strike per time)``, each time once (its first row)."""
    dev = activity.developer_table
    if dev is None or not dev.columns or len(dev) == 0:
        return None
    times, first = np.unique(dev.t_ns, return_index=True)
    units = activity.developer_units or {}
    wanted = {_norm(n) for n in extra_names}
    both, feet = [], []
    for col in dev.columns:
        if not np.isfinite(dev[col]).any():
            continue
        foot = "both" if _norm(col) in wanted else match_foot_strike(col, units.get(col))
        if foot == "both":
            both.append(col)
        elif foot is not None:
            feet.append(col)
    if both:
        return both[0], times, np.asarray(dev[both[0]], dtype=float)[first]
    if feet:
        feet = sorted(feet)
        stack = np.vstack([np.asarray(dev[c], dtype=float)[first] for c in feet])
        ok = ~np.isnan(stack)
        n = ok.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            values = np.where(n > 0, np.where(ok, stack, 0.0).sum(axis=0) / n, np.nan)
        return " + ".join(feet), times, values
    return None
