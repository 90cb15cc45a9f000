"""Form rules: patterns in one run that may load the upper back, with evidence.

Each rule is a configured object (:class:`Rule`): thresholds are constructor
parameters with cited defaults (docs/rules.md), ``evaluate(activity,
baseline=None, profile=None)`` returns :class:`runlens.findings.Finding`
objects. :func:`evaluate_all` runs every registered per-activity rule with the
parameters of a :class:`runlens.config.Config`.

>>> sorted(REGISTRY)  # the per-activity rules and the history-level (volume) ones
['acute_chronic', 'breathing_baseline', 'breathing_rise', 'form_fade', 'gct_imbalance',
 'heel_striking', 'no_warmup', 'overstriding', 'returning', 'session_spike',
 'vertical_motion', 'weekly_increase']
"""

from __future__ import annotations

from importlib import import_module as _import_module
from pkgutil import iter_modules as _iter_modules
from typing import TYPE_CHECKING

from ..findings import Evidence, Finding
from .base import NOTICES, REGISTRY, Rule, enforce_policy, grade, register, resolve_profile
from .breathing import BreathingBaseline, BreathingRise, BreathingVsBaseline
from .dynamics import GroundContactImbalance, VerticalMotion
from .fatigue import FormFade, NoWarmup
from .footstrike import HeelStriking
from .overstriding import Overstriding, step_rate_threshold


def _import_every_rule_module() -> None:
    """Import every module of this package, so that a rule in a new file registers
    itself without being named here (a new rule is one file plus its test); the
    history-level rules (volume spikes) register themselves so too."""
    for m in _iter_modules(__path__):
        if not m.name.startswith("_"):
            _import_module(f"{__name__}.{m.name}")


_import_every_rule_module()

if TYPE_CHECKING:
    from ..baseline import CadenceBaseline
    from ..config import Config, RunnerProfile
    from ..model import Activity

__all__ = [
    "REGISTRY",
    "NOTICES",
    "ORDER",
    "catalog",
    "titles",
    "chart_panels",
    "pain_kinds",
    "Rule",
    "register",
    "resolve_profile",
    "grade",
    "enforce_policy",
    "evaluate_all",
    "enabled_rules",
    "check_config",
    "Overstriding",
    "HeelStriking",
    "GroundContactImbalance",
    "VerticalMotion",
    "FormFade",
    "NoWarmup",
    "BreathingRise",
    "BreathingVsBaseline",
    "BreathingBaseline",
    "step_rate_threshold",
]


def catalog() -> list[type[Rule]]:
    """Every registered rule class, per-activity rules first, each part in its ``order``.

    The report layer's tables (the names a runner reads, the run chart's panels, the
    pain report's kinds) are derived from what these classes say about themselves.
    """
    return sorted(REGISTRY.values(), key=lambda c: (c.scope != "activity", c.order, c.name))


def titles() -> dict[str, str]:
    """Rule id -> the name a runner reads, with the framework's own notices (:data:`NOTICES`).

    >>> titles()["gct_imbalance"], titles()["volume_history"]
    ('uneven ground contact', 'too little history to judge volume')
    """
    return {c.name: c.title for c in catalog()} | NOTICES


def chart_panels() -> dict[str, str]:
    """Rule id -> the run chart's panel that shows what it judged (rules drawn on one)."""
    return {c.name: c.panel for c in catalog() if c.panel}


def pain_kinds() -> dict[str, tuple[str, str]]:
    """Rule id -> (label, ``"volume"`` or ``"form"``) of the kinds the pain report compares,
    the volume rules first, each in its ``order``."""
    kinds = sorted((c for c in catalog() if c.pain), key=lambda c: (c.order, c.name))
    return {c.name: c.pain for c in kinds}


#: The order findings are listed in (most relevant to the runner first): the
#: per-activity rules by their ``order``.
ORDER = tuple(c.name for c in catalog() if c.scope == "activity")


def enabled_rules(config: Config | None = None) -> list[Rule]:
    """Per-activity rules configured from ``config`` (``enabled = false`` drops one).

    Raises
    ------
    RunlensError
        ``[rules.NAME]`` names no rule, or sets unknown keys.
    """
    from ..errors import RunlensError

    names = sorted(
        (n for n, c in REGISTRY.items() if c.scope == "activity"),
        key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n),
    )
    if config is not None:
        unknown = set(config.rules) - set(REGISTRY)
        if unknown:
            raise RunlensError(
                f"unknown rule sections {sorted(f'[rules.{u}]' for u in unknown)}; "
                f"known: {sorted(REGISTRY)}",
                path=config.path,
            )
    out = []
    for n in names:
        params = config.rule_params(n) if config is not None else {}
        if params.get("enabled", True) is False:
            continue
        out.append(REGISTRY[n].from_config(config))
    return out


def check_config(config: Config) -> None:
    """Check every ``[rules.NAME]`` table of ``config`` now, before any file is read.

    Raises
    ------
    RunlensError
        A table names no rule, sets an unknown key or a value of the wrong type
        (naming the config file and the key), as docs/config.md promises.
    """
    from . import volume  # noqa: F401  (registers the history-scope rules)

    enabled_rules(config)  # unknown sections, per-activity rules
    for name, cls in REGISTRY.items():
        if name in config.rules:
            cls.from_config(config)


def evaluate_all(
    activity: Activity,
    config: Config | None = None,
    baseline: CadenceBaseline | None = None,
    profile: RunnerProfile | None = None,
) -> list[Finding]:
    """Every enabled per-activity rule's findings on ``activity``.

    Parameters
    ----------
    activity : Activity
    config : Config, optional
        Rule parameters (``[rules.NAME]``) and the runner (``[runner]``).
    baseline : CadenceBaseline, optional
        The runner's own speed-cadence baseline (from their history).
    profile : RunnerProfile, optional
        Overrides ``config.runner`` (e.g. from CLI options); missing values
        fall back to the config, then to the file's own user profile.

    Returns
    -------
    list of Finding
        In :data:`ORDER`. A file that is not a run gets one "info" finding
        saying the form rules were not applied.
    """
    from ..config import RunnerProfile

    runner = config.runner if config is not None else RunnerProfile()
    if profile is not None:
        merged = {k: getattr(profile, k) for k in vars(profile)}
        runner = RunnerProfile(
            **{k: (v if v is not None else getattr(runner, k)) for k, v in merged.items()}
        )
    prof = resolve_profile(activity, runner)
    rules = enabled_rules(config)
    if not activity.is_running:
        return [
            Finding(
                "form_rules",
                "info",
                "unknown",
                f"Form rules apply to running; this activity is "
                f"{activity.sport or 'of an unknown sport'}, so none were applied.",
                Evidence(values={"sport": activity.sport}),
            )
        ]
    findings: list[Finding] = []
    for rule in rules:
        found = rule.evaluate(activity, baseline=baseline, profile=prof)
        findings.extend(enforce_policy(rule, found))
    return findings
