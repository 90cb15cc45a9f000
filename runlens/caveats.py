"""What runlens must tell its user with every set of findings.

The text of docs/evidence.md section 7, worded for the runner.
"""

from __future__ import annotations

__all__ = ["CAVEATS"]

CAVEATS: tuple[str, ...] = (
    "Flags are associations from observational studies, not causes, and not medical advice. "
    "Severe or persistent pain, or numbness, tingling or weakness: see a clinician.",
    "The link from these running patterns to upper back pain is a mechanism argued in "
    "running-health writing (impact and braking travel up the kinetic chain and the upper back "
    "compensates), not a measured effect.",
    "Foot strike cannot be seen by a watch alone.",
    "Compare with your own speed-matched baseline, not with one number such as 180 steps/min.",
    "GPS distance error of 3-6% can move a session across the 10% band: look at the ratio shown.",
)
