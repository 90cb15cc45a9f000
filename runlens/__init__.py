"""runlens: what your watch data says about your running form and training load.

>>> import runlens
>>> activity = runlens.read("sample_activities/...")  # doctest: +SKIP
"""

from __future__ import annotations

from .errors import RunlensError
from .io import read
from .model import Activity

__all__ = ["read", "Activity", "RunlensError", "__version__"]
__version__ = "0.1.0"
