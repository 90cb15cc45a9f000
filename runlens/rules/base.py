"""Rules as configured objects (style.md habit 7, scikit-learn conventions).

A rule's thresholds are its constructor parameters, each with a default cited
in docs/rules.md and evidence.md; :meth:`Rule.evaluate` reads an activity (and,
where there is one, the runner's history baseline and profile) and returns
:class:`runlens.findings.Finding` objects. Rules register themselves by name
in :data:`REGISTRY` so that ``[rules.NAME]`` in the TOML config reaches them.
"""

from __future__ import annotations

import functools
import inspect
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ..config import Config, RunnerProfile
from ..errors import RunlensError

if TYPE_CHECKING:
    from ..baseline import CadenceBaseline
    from ..findings import Finding
    from ..model import Activity

__all__ = [
    "Rule",
    "REGISTRY",
    "NOTICES",
    "DESCRIBED_BY",
    "register",
    "resolve_profile",
    "Grade",
    "grade",
    "enforce_policy",
]

#: Rule name -> rule class. Per-activity rules have ``scope == "activity"``;
#: rules over a history (volume spikes) use another scope and are run by
#: :mod:`runlens.history`, not by :func:`runlens.rules.evaluate_all`.
REGISTRY: dict[str, type[Rule]] = {}

#: Finding ids that no rule class owns (what the rules framework says about
#: itself, e.g. ``volume_history``) -> the name a runner reads; set beside the
#: code that writes them.
NOTICES: dict[str, str] = {}

#: What every rule class says about itself, beside its thresholds; :func:`register`
#: refuses a rule that leaves one out (tests/rules/test_catalog.py checks them all).
DESCRIBED_BY = ("title", "order", "panel", "pain", "evidence")


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: add a rule to :data:`REGISTRY` under ``cls.name``."""
    if not getattr(cls, "name", None):
        raise TypeError(f"{cls.__name__} has no rule name")
    missing = [a for a in DESCRIBED_BY if a not in vars(cls)]
    if missing:
        raise TypeError(f"rule {cls.name} ({cls.__name__}) does not set {', '.join(missing)}")
    REGISTRY[cls.name] = cls
    return cls


@functools.cache
def _signature(init: Any) -> inspect.Signature:
    """``inspect.signature`` of a rule's ``__init__``, computed once per class.

    A scan builds every rule from the config for each file; without the cache
    the signatures cost more than some rules' evaluation.
    """
    return inspect.signature(init)


@dataclass(frozen=True)
class Grade:
    """What the severity policy made of one measured value (:func:`grade`).

    Attributes
    ----------
    severity : str or None
        ``"flag"``, ``"note"`` or None (inside the margin: no finding).
    value : float
        The measured value.
    reference : float
        What it is compared with: the runner's usual value at this pace, or
        the population edge.
    margin : float
        Its uncertainty, in the measure's unit: the value had to pass the
        threshold by more than this.
    threshold : float
        The threshold it passed (the flag's when a flag, else the note's).
    why_not_flag : str
        Why a note is not a flag ("" for a flag or no finding).
    """

    severity: str | None
    value: float
    reference: float
    margin: float
    threshold: float
    why_not_flag: str = ""

    @property
    def interval(self) -> list[float]:
        """``[reference - margin, reference + margin]``."""
        return [round(self.reference - self.margin, 3), round(self.reference + self.margin, 3)]


def grade(
    value: float,
    *,
    reference: float,
    note_at: float,
    margin: float,
    flag_at: float | None = None,
    below: bool = True,
    weak: str | None = None,
    flag_source: str | None = "",
) -> Grade:
    """The severity policy of docs/rules.md, written once.

    A finding is a **flag** only when a cited study in runners supports its
    threshold (``flag_at`` given and the rule has a ``flag_source``) and the
    measured value passes that threshold by more than its uncertainty
    (``margin``), on a basis that is not weak; otherwise it is a **note** when
    the value passes the rule's own threshold ``note_at`` by more than the
    margin; inside the margin it is nothing.

    Parameters
    ----------
    value : float
        The measured value (e.g. the step rate held, steps/min).
    reference : float
        The runner's usual value or the population edge it is compared with.
    note_at, flag_at : float
        Thresholds on ``value`` (``flag_at`` None: no study supports a flag).
    margin : float
        Uncertainty, same unit, >= 0.
    below : bool
        True when low values are the pattern (step rate), False when high ones are.
    weak : str, optional
        Why the basis is too weak for a flag (e.g. "3 runs ..., from 3
        devices"); the grade is then a note at most.
    flag_source : str or None
        The study that supports ``flag_at`` (None or "" with ``flag_at``
        given: taken from the caller, see :meth:`Rule.grade`).

    >>> grade(149.0, reference=157.0, note_at=149.2, flag_at=141.3, margin=3.0).severity
    >>> grade(140.0, reference=157.0, note_at=149.2, flag_at=141.3, margin=1.0).severity
    'flag'
    >>> grade(145.0, reference=157.0, note_at=149.2, flag_at=141.3, margin=1.0).severity
    'note'
    """
    sign = 1.0 if below else -1.0

    def past(t: float) -> float:  # how far value passes t, in the pattern's direction
        return sign * (t - value)

    m = max(float(margin), 0.0) if math.isfinite(margin) else 0.0
    if flag_at is not None and flag_source is not None and past(flag_at) > m:
        if weak:
            return Grade("note", value, reference, m, note_at, weak)
        return Grade("flag", value, reference, m, flag_at)
    if past(note_at) > m:
        if weak:
            why = weak
        elif flag_at is None or flag_source is None:
            why = "no study in runners supports a flag for this"
        else:
            why = (
                "below the size of change the cited study measured"
                if below
                else "below the size the cited study found linked to injury"
            )
        return Grade("note", value, reference, m, note_at, why)
    return Grade(None, value, reference, m, note_at)


def enforce_policy(rule: type[Rule] | Rule | None, findings: list[Finding]) -> list[Finding]:
    """The framework's check of every finding against the policy.

    A flag from a rule that names no study supporting a flag
    (``flag_source`` None) becomes a note, whatever the rule returned; a
    flag or note keeps its margin and interval (rules set them with
    :meth:`Rule.grade`).
    """
    source = getattr(rule, "flag_source", None) if rule is not None else None
    for f in findings:
        if f.severity == "flag" and not source:
            f.severity = "note"
    return findings


class Rule:
    """Base of every rule.

    Subclasses set :attr:`name`, take every threshold as a keyword argument of
    ``__init__`` (stored under the same attribute name, as scikit-learn
    estimators do) and implement :meth:`evaluate`.
    """

    #: Identifier used in findings and in ``[rules.NAME]``.
    name: ClassVar[str] = ""
    #: "activity" (one run) or "history" (many runs).
    scope: ClassVar[str] = "activity"
    #: The study in runners that supports this rule's flag threshold (a
    #: significant association with injury, or a measured change in loading
    #: at that size of deviation); None: the rule only ever gives notes
    #: (docs/rules.md, Severity policy). Enforced by :func:`enforce_policy`.
    flag_source: ClassVar[str | None] = None

    # What the rule is called and where it is shown. Each rule class sets all of
    # them in its own body (:data:`DESCRIBED_BY`); the report layer derives its
    # tables from them (runlens.rules.catalog), so a new rule touches no other file.

    #: The name a runner reads in text, charts and PDF (the id stays in JSON and ``-v``).
    title: ClassVar[str]
    #: Where its findings are listed, lower first: a run's form findings, and the
    #: pain report's kinds (the volume rules before the form rules).
    order: ClassVar[int]
    #: The run chart's panel that shows what the rule judged (a key of
    #: ``report.charts.run.RUN_PANELS``), or None: not drawn on a run's chart.
    #: :meth:`panel_for` may pick another from the finding.
    panel: ClassVar[str | None]
    #: The pain report's kind: (label, ``"volume"`` or ``"form"``), or None: the
    #: rule's findings are not compared with pain episodes.
    pain: ClassVar[tuple[str, str] | None]
    #: The section of docs/evidence.md that weighs the rule's sources (``"2"``).
    evidence: ClassVar[str]
    #: The record column the rule needs that few watches record, or None. The pain
    #: report judges such a kind only in windows holding a run that records it.
    needs: ClassVar[str | None] = None

    @classmethod
    def panel_for(cls, finding: Finding) -> str | None:
        """The run chart's panel for ``finding`` (:attr:`panel` unless the finding says)."""
        return cls.panel

    @classmethod
    def chart_lines(cls, finding: Finding, panel: str) -> list[tuple[float, str, str]]:
        """The lines ``finding`` was judged against on ``panel``: ``(value in the record
        unit, label, line style)``; none by default."""
        return []

    #: True: the run chart shades the band between the two lines of :meth:`chart_lines`
    #: (the usual range the finding was outside).
    chart_band: ClassVar[bool] = False

    def grade(self, value: float, **kw: Any) -> Grade:
        """:func:`grade` with this rule's :attr:`flag_source`."""
        return grade(value, flag_source=self.flag_source, **kw)

    @classmethod
    def param_names(cls) -> list[str]:
        """Names of the constructor parameters (the rule's thresholds)."""
        sig = _signature(cls.__init__)
        return [
            p.name
            for p in sig.parameters.values()
            if p.name != "self" and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """Default value of every parameter."""
        sig = _signature(cls.__init__)
        return {n: sig.parameters[n].default for n in cls.param_names()}

    def get_params(self) -> dict[str, Any]:
        """Current parameters, as scikit-learn's ``get_params``."""
        return {n: getattr(self, n) for n in self.param_names()}

    def set_params(self, **params: Any) -> Rule:
        """Change parameters; unknown names raise ``ValueError``."""
        known = set(self.param_names())
        for k, v in params.items():
            if k not in known:
                raise ValueError(f"{self.name}: unknown parameter {k!r}; known: {sorted(known)}")
            setattr(self, k, v)
        return self

    @classmethod
    def from_config(cls, config: Config | None) -> Rule:
        """The rule with the parameters of ``[rules.NAME]`` in ``config``.

        Raises
        ------
        RunlensError
            An unknown key, or a value of the wrong type, naming the config file.
        """
        params = config.rule_params(cls.name) if config is not None else {}
        params.pop("enabled", None)
        known = set(cls.param_names())
        unknown = set(params) - known
        path = config.path if config is not None else None
        if unknown:
            raise RunlensError(
                f"[rules.{cls.name}] unknown keys {sorted(unknown)}; known: {sorted(known)}",
                path=path,
            )
        defaults = cls.defaults()
        for k, v in params.items():
            d = defaults[k]
            if isinstance(d, bool) != isinstance(v, bool) or (
                isinstance(d, (int, float)) and not isinstance(v, (int, float))
            ):
                raise RunlensError(
                    f"[rules.{cls.name}] {k} = {v!r}: expected a value like {d!r}", path=path
                )
            if isinstance(d, str) and not isinstance(v, str):
                raise RunlensError(
                    f"[rules.{cls.name}] {k} = {v!r}: expected text like {d!r}", path=path
                )
        return cls(**params)

    def evaluate(
        self,
        activity: Activity,
        baseline: CadenceBaseline | None = None,
        profile: RunnerProfile | None = None,
    ) -> list[Finding]:
        """Findings of this rule on ``activity``.

        Parameters
        ----------
        activity : Activity
        baseline : CadenceBaseline, optional
            The runner's own speed-cadence baseline from their history.
        profile : RunnerProfile, optional
            Height (m), sex, heart rates; see :func:`resolve_profile`.

        Returns
        -------
        list of Finding
        """
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"


def resolve_profile(activity: Activity | None, runner: RunnerProfile | None) -> RunnerProfile:
    """The runner profile to use: what the user configured, else what the file says.

    The user's config (and CLI options, which override it) wins over the
    watch's ``user_profile``, which is often a default nobody set.
    """
    runner = runner or RunnerProfile()
    fp = activity.profile if activity is not None else None

    def pick(name: str):
        v = getattr(runner, name)
        if v is None and fp is not None:
            v = getattr(fp, name, None)
        return v

    sex = pick("sex")
    if sex not in ("male", "female"):
        sex = None
    return RunnerProfile(
        height_m=pick("height_m"),
        sex=sex,
        resting_hr_bpm=pick("resting_hr_bpm"),
        max_hr_bpm=pick("max_hr_bpm"),
    )
