"""runlens: what your watch data says about your running form and training load.

>>> import runlens
>>> a = runlens.analyze("sample_activities/2026-08-23-run-long.fit")  # doctest: +SKIP
>>> a.findings                                                         # doctest: +SKIP

docs/api.md walks through the API: :func:`analyze` one file, a
:class:`History` of many. ``import runlens`` stays cheap: pandas, scipy and
matplotlib are imported only when a function needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import RunlensError
from .io import read
from .model import Activity

if TYPE_CHECKING:
    from .api import Analysis, History, analyze, analyze_all

__all__ = ["analyze", "analyze_all", "Analysis", "History", "read", "Activity", "RunlensError", "__version__"]
__version__ = "0.1.0"

#: Names imported from runlens.api on first use (module __getattr__, PEP 562).
_LAZY = {"analyze", "analyze_all", "Analysis", "History"}


def __getattr__(name: str):
    if name in _LAZY:
        from . import api

        value = getattr(api, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'runlens' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _LAZY)
