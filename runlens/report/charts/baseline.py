"""The runner's own speed-cadence baseline, drawn: step rate against speed.

Grey dots: the steady minutes of the window the baseline was fitted on
(crosses: those of runs flagged for overstriding). Line: the personal line
(spm = a + b x speed), shaded +-2 residual standard deviations; dashed: the
overstriding threshold (95 % of the line, evidence.md section 2). Each run of
the window is marked at its median steady minute: open circles, or triangles
for the runs flagged for overstriding.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ._style import PALETTE, new_figure, save_figure, style

if TYPE_CHECKING:
    import pandas as pd

    from ...baseline import PersonalBaseline

__all__ = ["baseline_title", "draw_baseline"]


def baseline_title(baseline: PersonalBaseline, before: str = "before this run") -> str:
    """The chart's title (two lines): what the baseline is fitted on, and which window.

    >>> from runlens.baseline import CadenceBaseline, PersonalBaseline
    >>> cb = CadenceBaseline(127.0, 10.0, 9, 300, 2.0, (2.5, 3.5))
    >>> baseline_title(PersonalBaseline(cb, {}, 9), "before 2026-08-01")
    'Your step rate at your speeds\\n9 runs in the 60 days before 2026-08-01'
    >>> baseline_title(PersonalBaseline(None, {}, 1), "before 2026-07-29")
    'No personal baseline\\npopulation band: 1 run in the 60 days before 2026-07-29 (3 needed)'
    """
    cb = baseline.cadence
    if cb is None:
        return f"No personal baseline\n{baseline.basis(before=before)}"
    return (
        f"Your step rate at your speeds\n{cb.n_activities} runs in the "
        f"{baseline.window_days} days {before}"
    )


def draw_baseline(
    minutes: pd.DataFrame,
    baseline: PersonalBaseline,
    flagged: set[str],
    out: str | Path,
    ratio: float = 0.95,
    before: str = "before this run",
    flag_ratio: float = 0.90,
) -> Path:
    """Draw step rate against speed with the personal line and band.

    Parameters
    ----------
    minutes : pandas.DataFrame
        Steady form minutes of the window (``path``, ``speed_m_s``,
        ``cadence_spm``).
    baseline : PersonalBaseline
    flagged : set of str
        Paths of runs flagged for overstriding.
    out : str or Path
        ``.png`` or ``.pdf``.
    ratio, flag_ratio : float
        The overstriding note and flag thresholds as shares of the line (a
        flag also needs a strong baseline, docs/rules.md).
    before : str
        Which window the baseline is of, said in the title: "before
        2026-08-01" for an as-of date, "up to your last run (2026-09-30)".
    """
    from ...units import format_pace

    with style():
        fig = new_figure(7.5, 4.6)
        ax = fig.add_subplot(1, 1, 1)
        m = minutes[np.isfinite(minutes["cadence_spm"].to_numpy(float))]
        in_flagged = m["path"].isin(list(flagged)).to_numpy()
        ax.scatter(
            m.loc[~in_flagged, "speed_m_s"],
            m.loc[~in_flagged, "cadence_spm"],
            s=6,
            color="#8c8c8c",
            label="steady minutes",
            zorder=3,
        )
        if in_flagged.any():
            ax.scatter(
                m.loc[in_flagged, "speed_m_s"],
                m.loc[in_flagged, "cadence_spm"],
                s=10,
                marker="x",
                color=PALETTE["bar_flag"],
                linewidths=0.8,
                label="steady minutes of flagged runs",
                zorder=3,
            )
        med = m.groupby("path")[["speed_m_s", "cadence_spm"]].median()
        ok = med.index.isin(list(flagged))
        ax.scatter(
            med.loc[~ok, "speed_m_s"],
            med.loc[~ok, "cadence_spm"],
            s=28,
            facecolors="none",
            edgecolors=PALETTE["line"],
            label="a run (median minute)",
            zorder=4,
        )
        if ok.any():
            ax.scatter(
                med.loc[ok, "speed_m_s"],
                med.loc[ok, "cadence_spm"],
                s=60,
                marker="v",
                color=PALETTE["bar_flag"],
                label="flagged for overstriding",
                zorder=5,
            )
        cb = baseline.cadence
        if cb is not None:
            lo, hi = cb.speed_range_m_s
            v = np.linspace(lo, hi, 50)
            line = cb.expected_spm(v)
            ax.fill_between(
                v,
                line - 2 * cb.residual_sd_spm,
                line + 2 * cb.residual_sd_spm,
                color=PALETTE["sweet"],
                label="your band (+-2 sd)",
                zorder=1,
            )
            ax.plot(
                v,
                line,
                color=PALETTE["line"],
                label=f"your line: {cb.intercept_spm:.1f} + {cb.slope_spm_per_m_s:.1f} x speed",
                zorder=2,
            )
            ax.plot(
                v,
                ratio * line,
                color=PALETTE["bar_flag"],
                linestyle="--",
                label=f"note below {ratio:.0%} of your line",
                zorder=2,
            )
            ax.plot(
                v,
                flag_ratio * line,
                color=PALETTE["bar_flag"],
                linestyle=":",
                label=f"flag below {flag_ratio:.0%} (a strong baseline only)",
                zorder=2,
            )
        ax.set_title(baseline_title(baseline, before))
        ax.set_xlabel("speed, m/s")
        ax.set_ylabel("step rate, steps/min")
        ticks = ax.get_xticks()
        ax.set_xticks(ticks)
        ax.set_xticklabels(
            [f"{t:.1f}\n{format_pace(t).replace(' /km', '')}" if t > 0 else "" for t in ticks]
        )
        ax.set_xlim(float(m["speed_m_s"].min()) - 0.1, float(m["speed_m_s"].max()) + 0.1)
        ax.legend(loc="best")
        return save_figure(fig, out)
