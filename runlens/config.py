"""Runner profile and rule thresholds from a TOML file with documented defaults.

Lookup order: an explicit ``--config PATH``; ``$RUNLENS_CONFIG``; the user's
config directory (``~/.config/runlens/config.toml`` on Linux). A missing file
means all defaults. The file's sections::

    [runner]          # height_m, sex ("male"/"female"), resting_hr_bpm, max_hr_bpm
    [rules.NAME]      # a rule's parameters, e.g. [rules.overstriding] min_duration_s = 300
    [load]            # training-load settings: week_start, unit
    [baseline]        # personal baselines: window_days = 60, min_runs = 3, min_minutes = 30
    [display]         # how numbers are shown: units = "metric" | "imperial"

docs/config.md documents every key and its default.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import RunlensError

__all__ = [
    "RunnerProfile",
    "Config",
    "load_config",
    "default_config_path",
    "LOAD_KEYS",
    "DISPLAY_KEYS",
]

#: Top-level tables of the config file.
SECTIONS = ("runner", "rules", "load", "baseline", "display")

#: ``[load]`` keys and the values each accepts (docs/config.md).
LOAD_KEYS: dict[str, tuple[str, ...]] = {
    "week_start": (
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    ),
    "unit": ("distance", "moving_time", "trimp"),
}

#: Numeric ``[load]`` keys: (default, lowest, highest). Below both the distance
#: and the time an activity is a fragment (a test recording, a damaged copy):
#: stored and listed, not counted in load, never a spike reference.
LOAD_NUMBERS: dict[str, tuple[float, float, float]] = {
    "min_run_km": (1.0, 0.0, 100.0),
    "min_run_min": (3.0, 0.0, 600.0),
}

#: ``[display]`` keys and the values each accepts.
DISPLAY_KEYS: dict[str, tuple[str, ...]] = {"units": ("metric", "imperial")}


@dataclass
class RunnerProfile:
    """Who runs: used to normalise step length and to compute heart-rate load.

    Attributes
    ----------
    height_m : float, optional
    sex : str, optional
        "male" or "female" (Banister TRIMP weighting, evidence.md section 4).
    resting_hr_bpm, max_hr_bpm : float, optional
    """

    height_m: float | None = None
    sex: str | None = None
    resting_hr_bpm: float | None = None
    max_hr_bpm: float | None = None


@dataclass
class Config:
    """Everything configurable: the runner, per-rule parameters, load settings."""

    runner: RunnerProfile = field(default_factory=RunnerProfile)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    load: dict[str, Any] = field(default_factory=dict)
    baseline: dict[str, Any] = field(default_factory=dict)
    path: str | None = None
    display: dict[str, Any] = field(default_factory=dict)

    def rule_params(self, name: str) -> dict[str, Any]:
        """Parameters the config sets for rule ``name`` (empty if none)."""
        return dict(self.rules.get(name, {}))


def default_config_path() -> Path:
    """Where runlens looks for its config when none is named."""
    env = os.environ.get("RUNLENS_CONFIG")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "runlens" / "config.toml"


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read the config file (all defaults if there is none).

    Raises
    ------
    RunlensError
        The named file is missing, not TOML, has an unknown table or key, or a
        value of the wrong kind (naming the file and the key).
    """
    explicit = path is not None
    p = Path(path) if explicit else default_config_path()
    if not p.exists():
        if explicit:
            raise RunlensError("config file not found", path=str(p))
        return Config()
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RunlensError(f"not valid TOML ({exc})", path=str(p)) from None
    unknown_sections = [k for k in data if k not in SECTIONS]
    if unknown_sections:
        raise RunlensError(
            f"unknown table or key {unknown_sections[0]!r}; known tables: "
            f"{', '.join(f'[{t}]' for t in SECTIONS)}",
            path=str(p),
        )
    for table in SECTIONS:
        if not isinstance(data.get(table, {}), dict):
            raise RunlensError(f"{table} must be a table ([{table}])", path=str(p))
    runner = data.get("runner", {})
    known = {f.name for f in fields(RunnerProfile)}
    unknown = set(runner) - known
    if unknown:
        raise RunlensError(
            f"unknown [runner] keys {sorted(unknown)}; known: {sorted(known)}", path=str(p)
        )
    if runner.get("sex") not in (None, "male", "female"):
        raise RunlensError('[runner] sex must be "male" or "female"', path=str(p))
    rules = data.get("rules", {})
    if not isinstance(rules, dict) or any(not isinstance(v, dict) for v in rules.values()):
        raise RunlensError("[rules] must hold tables such as [rules.overstriding]", path=str(p))
    for k, v in runner.items():
        if k != "sex" and not (isinstance(v, (int, float)) and not isinstance(v, bool)):
            raise RunlensError(f"[runner] {k} = {v!r}: expected a number", path=str(p))
    check_runner(runner, path=str(p))
    _check_choices("load", data.get("load", {}), LOAD_KEYS, p)
    _check_choices("display", data.get("display", {}), DISPLAY_KEYS, p)
    base = data.get("baseline", {})
    known_base = {"window_days", "min_runs", "min_minutes"}
    if not isinstance(base, dict) or set(base) - known_base:
        raise RunlensError(
            f"unknown [baseline] keys {sorted(set(base) - known_base)}; known: "
            f"{sorted(known_base)}",
            path=str(p),
        )
    if any(not isinstance(v, int) or isinstance(v, bool) or v < 1 for v in base.values()):
        raise RunlensError("[baseline] values must be whole numbers of at least 1", path=str(p))
    return Config(
        runner=RunnerProfile(**runner),
        rules={k: dict(v) for k, v in rules.items()},
        load=dict(data.get("load", {})),
        baseline=dict(base),
        path=str(p),
        display=dict(data.get("display", {})),
    )


def _check_choices(table: str, values: dict, known: dict[str, tuple[str, ...]], p: Path) -> None:
    for k, v in values.items():
        if table == "load" and k in LOAD_NUMBERS:
            _, lo, hi = LOAD_NUMBERS[k]
            ok = isinstance(v, (int, float)) and not isinstance(v, bool) and lo <= v <= hi
            if not ok:
                raise RunlensError(
                    f"[load] {k} = {v!r}: expected a number from {lo:g} to {hi:g}", path=str(p)
                )
            continue
        if k not in known:
            raise RunlensError(
                f"unknown [{table}] key {k!r}; known: {', '.join(sorted(known))}", path=str(p)
            )
        if not isinstance(v, str) or v.lower() not in known[k]:
            raise RunlensError(
                f"[{table}] {k} = {v!r}: expected one of {', '.join(known[k])}", path=str(p)
            )


#: Plausible ranges of the runner's numbers, with the unit each is in and an example:
#: a value outside them is a unit mistake (height in cm) or a typing slip.
RUNNER_RANGES: dict[str, tuple[float, float, str]] = {
    "height_m": (0.5, 2.8, "metres, e.g. 1.78"),
    "resting_hr_bpm": (25.0, 120.0, "beats per minute at rest, e.g. 52"),
    "max_hr_bpm": (100.0, 240.0, "beats per minute at your hardest, e.g. 185"),
}


def check_runner(values: dict[str, Any], *, path: str | None = None, names: dict | None = None):
    """Refuse runner numbers out of range, and a maximum heart rate not above the resting one.

    ``names`` maps a key to how the runner gave it (``--max-hr``); by default the
    config's ``[runner] key``.

    Raises
    ------
    InputError
        One line: the value given, its unit and an example (exit status 2).

    >>> check_runner({"height_m": 1.78, "resting_hr_bpm": 50, "max_hr_bpm": 185})
    >>> check_runner({"height_m": 178})
    Traceback (most recent call last):
    ...
    runlens.errors.InputError: [runner] height_m = 178: expected metres, e.g. 1.78
    """
    from .errors import InputError

    def name(k: str) -> str:
        return (names or {}).get(k) or f"[runner] {k} ="

    for k, (lo, hi, unit) in RUNNER_RANGES.items():
        v = values.get(k)
        if v is None or isinstance(v, bool) or not isinstance(v, (int, float)):
            continue
        if not lo <= v <= hi:
            raise InputError(f"{name(k)} {v:g}: expected {unit}", path=path)
    rest, top = values.get("resting_hr_bpm"), values.get("max_hr_bpm")
    if isinstance(rest, (int, float)) and isinstance(top, (int, float)) and top <= rest:
        raise InputError(
            f"{name('max_hr_bpm')} {top:g} is not above {name('resting_hr_bpm')} {rest:g}: "
            "the maximum heart rate must be above the resting one",
            path=path,
        )

