"""One sport mapper: what a file or an export list calls a sport -> runlens' name.

runlens names sports as FIT does (``running``, ``cycling``, ``walking``,
``hiking``, ``swimming``...). GPX ``<type>``, TCX ``Sport``, Strava's
activities.csv and Garmin's summaries all go through :func:`sport_name`, so
"Ride", "Biking", "road_biking" and Strava's code 1 are one sport.
"""

from __future__ import annotations

__all__ = ["STRAVA_TYPES", "sport_name"]

#: Numeric <type> codes written by Strava's GPX export.
STRAVA_TYPES = {"1": "cycling", "4": "hiking", "9": "running", "10": "walking", "16": "swimming"}

#: Word in the name -> sport, first match wins.
_KEYWORDS = (
    ("run", "running"),
    ("jog", "running"),
    ("walk", "walking"),
    ("hik", "hiking"),
    ("ride", "cycling"),
    ("cycl", "cycling"),
    ("bik", "cycling"),
    ("swim", "swimming"),
)


def sport_name(text: str | None) -> str | None:
    """runlens' sport for a name or code; unknown names lower-cased as they are.

    >>> sport_name("Running"), sport_name("9"), sport_name("Ride"), sport_name("Biking")
    ('running', 'running', 'cycling', 'cycling')
    >>> sport_name("road_biking"), sport_name("Other"), sport_name(" "), sport_name(None)
    ('cycling', 'other', None, None)
    """
    if not text or not text.strip():
        return None
    t = text.strip().lower()
    if t in STRAVA_TYPES:
        return STRAVA_TYPES[t]
    for key, sport in _KEYWORDS:
        if key in t:
            return sport
    return t
