"""What a rule says: a :class:`Finding`, the same for form and volume rules.

Flags are not diagnoses: every finding carries its evidence (the values seen,
the threshold, the source), its confidence and, where there is one, a
suggestion (docs/evidence.md sections 2-5 and 7).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Finding", "Evidence", "SEVERITIES", "CONFIDENCES"]

#: Severity, from least to most: "info" (shown for context, e.g. "unknown"),
#: "note" (worth knowing, weak evidence), "flag" (the pattern the rule looks for).
SEVERITIES = ("info", "note", "flag")

#: Named confidence levels; a float in [0, 1] is also accepted.
CONFIDENCES = ("measured", "inferred", "unknown")


@dataclass
class Evidence:
    """The numbers behind a finding.

    Attributes
    ----------
    values : dict
        What was seen, with units in the keys (e.g. ``{"cadence_spm": 158.2}``).
    threshold : dict
        What it was compared with (e.g. ``{"cadence_spm_below": 163.4}``).
    source : str
        The reference, as cited in evidence.md (e.g. "Heiderscheit et al. 2011").
    basis : str, optional
        What the threshold is relative to (e.g. "own baseline" or
        "population bands"), so the runner knows which was used.
    margin : float, optional
        The uncertainty the measured value had to pass the threshold by
        (the baseline's residual spread, the sensor's resolution...), in the
        unit of the measure the rule judged (``margin_unit``); the severity
        policy of :mod:`runlens.rules.base` (docs/rules.md).
    interval : list of float, optional
        ``[low, high]``: the reference (the runner's usual value, or the
        population edge) plus and minus ``margin``. A value inside it is no
        finding.
    margin_unit : str, optional
        Unit of ``margin`` and ``interval`` (e.g. ``"spm"``, ``"%"``).
    """

    values: dict[str, Any] = field(default_factory=dict)
    threshold: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    basis: str | None = None
    margin: float | None = None
    interval: list[float] | None = None
    margin_unit: str | None = None


@dataclass
class Finding:
    """One thing a rule found (or could not judge).

    Attributes
    ----------
    rule : str
        Rule identifier, e.g. ``"overstriding"``, ``"session_spike"``.
    severity : str
        One of :data:`SEVERITIES`.
    confidence : str or float
        One of :data:`CONFIDENCES`, or a number in [0, 1].
    message : str
        Plain-language sentence for the runner.
    time_ranges : list of (str, str)
        ISO-8601 UTC start and end of each stretch the finding covers
        (empty for whole-activity or whole-week findings).
    evidence : Evidence
    suggestion : str, optional
        What to try (e.g. "try +5% step rate").
    activity : str, optional
        Source path or id of the activity, for history-level findings.
    """

    rule: str
    severity: str
    confidence: str | float
    message: str
    evidence: Evidence = field(default_factory=Evidence)
    time_ranges: list[tuple[str, str]] = field(default_factory=list)
    suggestion: str | None = None
    activity: str | None = None

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, not {self.severity!r}")
        c = self.confidence
        if isinstance(c, str):
            if c not in CONFIDENCES:
                raise ValueError(f"confidence must be one of {CONFIDENCES} or a number")
        elif not (0.0 <= float(c) <= 1.0):
            raise ValueError("a numeric confidence must lie in [0, 1]")

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict (NaN becomes None; tuples become lists)."""

        def clean(v: Any) -> Any:
            if isinstance(v, float) and not math.isfinite(v):
                return None
            if isinstance(v, dict):
                return {str(k): clean(x) for k, x in v.items()}
            if isinstance(v, (list, tuple)):
                return [clean(x) for x in v]
            if hasattr(v, "item") and not isinstance(v, (str, bytes)):  # numpy scalar
                return clean(v.item())
            return v

        return clean(asdict(self))
