"""The runner's pain diary, kept in the history store, and what came before the pain.

>>> from runlens.history import Store                       # doctest: +SKIP
>>> from runlens.pain import add_entry, pain_report         # doctest: +SKIP
>>> with Store("h.sqlite") as s:                            # doctest: +SKIP
...     add_entry(s, "2026-08-24", 5, "upper-back", "stiff after the long run")
...     doc = pain_report(s, days=7)

docs/pain.md documents the diary format, the episode definition, the
comparison with pain-free periods and its limits: an association in one
person's data, not a cause, and not medical advice.
"""

from __future__ import annotations

from .analysis import (
    DEFAULT_DAYS,
    DEFAULT_THRESHOLD,
    KINDS,
    STATEMENT,
    Episode,
    Window,
    association,
    control_windows,
    daily_pain,
    episodes_for_chart,
    find_episodes,
    finding_days,
    holm,
    pain_report,
    pain_windows,
)
from .diary import (
    CSV_COLUMNS,
    DEFAULT_LOCATION,
    DiaryImportError,
    ImportReport,
    PainEntry,
    add_entry,
    edit_entry,
    get_entry,
    import_csv,
    list_entries,
    parse_csv,
    remove_entry,
)

__all__ = [
    "CSV_COLUMNS",
    "DEFAULT_DAYS",
    "DEFAULT_LOCATION",
    "DEFAULT_THRESHOLD",
    "KINDS",
    "STATEMENT",
    "DiaryImportError",
    "Episode",
    "ImportReport",
    "PainEntry",
    "Window",
    "add_entry",
    "association",
    "control_windows",
    "daily_pain",
    "edit_entry",
    "episodes_for_chart",
    "find_episodes",
    "finding_days",
    "get_entry",
    "holm",
    "import_csv",
    "list_entries",
    "pain_report",
    "pain_windows",
    "parse_csv",
    "remove_entry",
]
