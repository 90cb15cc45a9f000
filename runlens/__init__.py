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

if TYPE_CHECKING:
    from .api import Analysis, History, analyze, analyze_all
    from .io import read
    from .model import Activity

__all__ = ["analyze", "analyze_all", "Analysis", "History", "read", "Activity", "RunlensError", "__version__"]
__version__ = "0.1.0"

#: Names imported on first use (module __getattr__, PEP 562), each from its module:
#: ``import runlens`` (and the command line's start) loads neither NumPy nor the readers.
_LAZY = {
    "analyze": "api", "analyze_all": "api", "Analysis": "api", "History": "api",
    "read": "io", "Activity": "model",
}


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'runlens' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _LAZY)
