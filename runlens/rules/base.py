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
from typing import TYPE_CHECKING, Any, ClassVar

from ..config import Config, RunnerProfile
from ..errors import RunlensError

if TYPE_CHECKING:
    from ..baseline import CadenceBaseline
    from ..findings import Finding
    from ..model import Activity

__all__ = ["Rule", "REGISTRY", "register", "resolve_profile"]

#: Rule name -> rule class. Per-activity rules have ``scope == "activity"``;
#: rules over a history (volume spikes) use another scope and are run by
#: :mod:`runlens.history`, not by :func:`runlens.rules.evaluate_all`.
REGISTRY: dict[str, type[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: add a rule to :data:`REGISTRY` under ``cls.name``."""
    if not getattr(cls, "name", None):
        raise TypeError(f"{cls.__name__} has no rule name")
    REGISTRY[cls.name] = cls
    return cls


@functools.cache
def _signature(init: Any) -> inspect.Signature:
    """``inspect.signature`` of a rule's ``__init__``, computed once per class.

    A scan builds every rule from the config for each file; without the cache
    the signatures cost more than some rules' evaluation.
    """
    return inspect.signature(init)


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
