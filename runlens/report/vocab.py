"""The runner's vocabulary: one table of names and one units layer for every text output.

Rule ids (``gct_imbalance``, ``no_warmup``) belong to JSON and ``-v``; what a runner
reads is :data:`RULE_NAMES`. Findings are written by the rules in metric units;
:func:`localise` turns every quantity of such a text into the runner's units
(``[display] units`` or ``--units``), so that no rule has to know them.
"""

from __future__ import annotations

import re

from ..rules import titles
from ..units import METRES_PER_FOOT, METRES_PER_MILE, MM_PER_INCH

__all__ = [
    "RULE_NAMES",
    "UNIT_CHOICES",
    "rule_name",
    "rule_names",
    "localise",
    "distance_unit",
    "distance_value",
    "resolve_units",
    "PLAIN_TERMS",
    "plain",
]

#: ``--units`` and ``[display] units`` values.
UNIT_CHOICES = ("metric", "imperial")

#: How each rule is named for the runner (rule ids only in JSON and under -v): each
#: rule class's ``title`` (runlens.rules.titles).
RULE_NAMES = titles()

#: Statistics and training-science words, each with the plain sentence that
#: goes with it wherever it is printed.
PLAIN_TERMS = {
    "ratio": (
        "ratio = this week's load against your usual load (the last 4 weeks, recent days "
        "counting more); 1.0 is as usual, '-' where there is too little history or after a break"
    ),
    "TRIMP": (
        "TRIMP = training impulse: minutes of running weighted by how hard your heart worked"
    ),
}


def rule_name(rule: str | None) -> str:
    """The runner's name of a rule id (unknown ids lose their underscores).

    >>> rule_name("gct_imbalance"), rule_name("some_new_rule")
    ('uneven ground contact', 'some new rule')
    """
    r = rule or "?"
    return RULE_NAMES.get(r, r.replace("_", " "))


def rule_names(text: str) -> str:
    """Every rule id in ``text`` replaced by its name (``no_warmup`` -> ``no warm-up``).

    >>> rule_names("form_fade(flag), no_warmup x2")
    'late-run form fade(flag), no warm-up x2'
    """
    ids = sorted((k for k in RULE_NAMES if "_" in k), key=len, reverse=True)
    if not ids:
        return text
    return re.sub(r"\b(" + "|".join(map(re.escape, ids)) + r")\b", lambda m: RULE_NAMES[m[1]], text)


def resolve_units(option: str | None, config=None) -> str:
    """``--units`` if given, else ``[display] units``, else metric."""
    if option:
        return option
    display = getattr(config, "display", None) or {}
    u = str(display.get("units", "metric")).lower()
    return u if u in UNIT_CHOICES else "metric"


def distance_unit(units: str) -> str:
    """``km`` or ``mi``."""
    return "mi" if units == "imperial" else "km"


def distance_value(metres: float, units: str) -> float:
    """Metres as km or miles."""
    return metres / (METRES_PER_MILE if units == "imperial" else 1000.0)


_NUM = r"(\d+(?:\.\d+)?)"
_PACE = re.compile(r"(\d+):(\d{2})(\s*(?:-|to)\s*)?(?:(\d+):(\d{2}))? /km\b")
_KMH = re.compile(_NUM + r" km/h\b")
_KM = re.compile(_NUM + r"(\s*(?:-|to)\s*" + _NUM + r")? km\b(?!/)")
_MM = re.compile(_NUM + r"(\s*(?:-|to|and)\s*" + _NUM + r")? mm\b")
_CM = re.compile(_NUM + r" cm\b")
_M = re.compile(r"(?<![/\w.])" + _NUM + r" m\b(?![/\w])")


_MPS = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?) m/s\b(?! \()")


def _pace_of(speed: float, units: str) -> str:
    from ..units import format_pace

    return format_pace(speed, units)


def _decimals(s: str) -> int:
    return len(s.split(".", 1)[1]) if "." in s else 0


def _pace(m: str, s: str) -> str:
    t = int(round((int(m) * 60 + int(s)) * METRES_PER_MILE / 1000.0))
    return f"{t // 60}:{t % 60:02d}"


def _range(m: re.Match, conv, spec: str, unit: str) -> str:
    a = format(conv(float(m[1])), spec)
    if m[2] and m[3]:
        sep = m[2][: len(m[2]) - len(m[3])]
        return f"{a}{sep}{format(conv(float(m[3])), spec)} {unit}"
    return f"{a} {unit}"


def localise(text: str, units: str = "metric") -> str:
    """``text`` (written in metric units) with every quantity in ``units``.

    Paces (``6:00 /km``), distances (``24.6 km``), speeds (``km/h``), lengths in
    mm/cm (oscillation) and metres (step length: inches; heights above 3 m:
    feet) are converted; other units (steps/min, ms, %, bpm) are the same in
    both systems.

    >>> localise("at 6:00 /km, 84 to 90 mm, step 1.16 m, 24.6 km", "imperial")
    'at 9:39 /mi, 3.3 to 3.5 in, step 45.7 in, 15.3 mi'
    >>> localise("5:00-5:30 /km and a 135 m climb", "imperial")
    '8:03-8:51 /mi and a 443 ft climb'

    A speed in m/s gets its pace beside it, in either system:

    >>> localise("at least 2 m/s", "metric"), localise("at least 2 m/s", "imperial")
    ('at least 2 m/s (8:20 /km)', 'at least 2 m/s (13:25 /mi)')
    """
    if not text:
        return text
    text = _MPS.sub(lambda m: f"{m[1]} m/s ({_pace_of(float(m[1]), units)})", text)
    if units != "imperial":
        return text

    def pace(m: re.Match) -> str:
        out = _pace(m[1], m[2])
        if m[4]:
            out += m[3] + _pace(m[4], m[5])
        return out + " /mi"

    text = _PACE.sub(pace, text)
    text = _KMH.sub(lambda m: f"{float(m[1]) * 1000 / METRES_PER_MILE:.1f} mph", text)
    text = _KM.sub(
        lambda m: _range(
            m, lambda v: v * 1000 / METRES_PER_MILE, f".{max(1, _decimals(m[1]))}f", "mi"
        ),
        text,
    )
    text = _MM.sub(lambda m: _range(m, lambda v: v / MM_PER_INCH, ".1f", "in"), text)
    text = _CM.sub(lambda m: f"{float(m[1]) * 10 / MM_PER_INCH:.1f} in", text)

    def metres(m: re.Match) -> str:
        v = float(m[1])
        if v < 3:  # a step or stride length, a height
            return f"{v * 1000 / MM_PER_INCH:.1f} in"
        return f"{v / METRES_PER_FOOT:.0f} ft"

    return _M.sub(metres, text)


#: Words of the rules' texts a runner would not use, and what runlens says instead.
_PLAIN = (
    (re.compile(r"\bpopulation bands?\b"), "other runners' usual range"),
    (re.compile(r"\bAU\b"), "points"),
    (re.compile(r"\bacute:chronic (?:load )?ratio\b"), "load ratio"),
    (re.compile(r"\bacute:chronic\b"), "load ratio"),
)


def plain(text: str) -> str:
    """``text`` with statistics jargon in plain words, citing ``runlens evidence`` for a
    page of docs/ (an installed runlens has no docs/ folder).

    >>> plain("population band: no history given")
    "other runners' usual range: no history given"
    """
    from .docs import cite

    for pat, repl in _PLAIN:
        text = pat.sub(repl, text)
    return cite(text)
