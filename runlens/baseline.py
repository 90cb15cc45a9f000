"""The runner's own speed-cadence baseline: spm = a + b x speed.

Fitted from the runner's recent history (60 days by default, evidence.md
section 2) by :mod:`runlens.history`; used by the overstriding rule, which
falls back to population bands when there is none.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["CadenceBaseline"]


@dataclass(frozen=True)
class CadenceBaseline:
    """Linear step rate baseline of one runner.

    Attributes
    ----------
    intercept_spm : float
        ``a``, steps/min.
    slope_spm_per_m_s : float
        ``b``, steps/min per m/s.
    n_activities : int
        Runs it was fitted on.
    n_samples : int
        Steady-running samples (or minutes) it was fitted on.
    residual_sd_spm : float
        Standard deviation of the residuals, steps/min.
    speed_range_m_s : tuple of float
        Speeds covered by the fit (extrapolating beyond them is weak).
    window_days : int
        History window the fit used.
    """

    intercept_spm: float
    slope_spm_per_m_s: float
    n_activities: int
    n_samples: int
    residual_sd_spm: float
    speed_range_m_s: tuple[float, float]
    window_days: int = 60

    def expected_spm(self, speed_m_s):
        """Expected step rate (steps/min) at ``speed_m_s`` (m/s).

        >>> CadenceBaseline(120.0, 15.0, 10, 1000, 3.0, (2.5, 4.0)).expected_spm(3.0)
        165.0
        """
        v = np.asarray(speed_m_s, dtype=float)
        out = self.intercept_spm + self.slope_spm_per_m_s * v
        return float(out) if out.ndim == 0 else out
