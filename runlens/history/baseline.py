"""The runner's own baselines, fitted from the stored history.

evidence.md section 2: steady running only (the steady minutes of the
per-minute form table, :func:`runlens.metrics.form_minutes`), the 60 days
before the judged run, spm = a + b x speed; the breathing rate at matched
speed, brpm = a + b x speed (evidence.md section 8); and in the same way a personal
band (value = a + b x speed, with the spread around it) for ground contact
time, vertical oscillation, vertical ratio and contact balance. A scan keeps
each run's form table, so the baselines are refitted from the store without
reading any file again, and a run is only ever judged against runs that
started before it: what is stored never depends on scan order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..baseline import CadenceBaseline, PersonalBaseline, SpeedBand
from ..channels import band_metrics

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BAND_METRICS",
    "Windows",
    "fit_baseline",
    "history_minutes",
    "personal_baseline",
]

#: Least data for a baseline: runs and steady minutes in the window.
MIN_ACTIVITIES = 3
MIN_MINUTES = 30


#: Form metrics that get a personal band at matched speed (besides the step rate).
BAND_METRICS = band_metrics()  # runlens.channels


def history_minutes(store: Any, starts: tuple[float, float] | None = None) -> pd.DataFrame:
    """Steady form minutes of every counted run of a store, with ``run_start_s``.

    Duplicates and other sports are left out. Columns: ``path``,
    ``run_start_s`` (the run's start, Unix s), the form table's columns and
    ``device`` (the recording device's name where the store knows it, else
    None), so that a baseline knows how many device families it mixes.
    ``starts``: only runs starting in ``[lo, hi)`` (Unix s), e.g. one baseline's window.
    """

    df = store.form_minutes_frame(steady_only=True, starts=starts)
    try:
        # a window's minutes: the devices of its runs only (a history's may be thousands)
        devices = store.run_devices(
            None if starts is None else list(dict.fromkeys(df["path"].tolist()))
        )
    except Exception:  # a store without the column: devices unknown
        devices = {}
    df["device"] = df["path"].map(devices) if len(df) else None
    return df


#: The form columns a baseline is fitted from.
FIT_COLUMNS = ("speed_m_s", "steady_s", "cadence_spm", *BAND_METRICS, "respiration_rate_brpm")


def _arrays(minutes: Any) -> dict[str, np.ndarray]:
    """The columns a baseline is fitted from, as arrays, of a frame
    (:func:`history_minutes`) or of a dict of arrays (a store's window)."""
    out = {}
    n = None
    for c in ("path", "run_start_s", "device", *FIT_COLUMNS):
        if c not in minutes:
            continue
        v = minutes[c]
        kind = object if c in ("path", "device") else float
        out[c] = v.to_numpy(kind) if hasattr(v, "to_numpy") else np.asarray(v, dtype=kind)
        n = len(out[c])
    return out if n else {}


def _spread_by_run(codes: np.ndarray, resid: np.ndarray, w: np.ndarray) -> float | None:
    """Standard deviation across runs of each run's weighted mean residual (day-to-day).

    ``codes``: each minute's run, numbered in path order (not necessarily from 0)."""
    if not len(codes):
        return None
    present = np.bincount(codes) > 0
    if np.count_nonzero(present) < 2:
        return None
    # per run (in path order, as a groupby): weighted mean residual; one pass, no pandas.
    # Each run's sums add its minutes in their order, whatever the runs are numbered.
    per_run = (np.bincount(codes, weights=resid * w)[present]
               / np.bincount(codes, weights=w)[present])
    return float(np.std(per_run, ddof=1))


def _n_distinct_codes(codes: np.ndarray) -> int:
    """How many different (non-negative int) codes."""
    return int(np.count_nonzero(np.bincount(codes))) if len(codes) else 0


def _line(v: np.ndarray, y: np.ndarray, w: np.ndarray, allow_flat: bool):
    """Weighted y = a + b x v with the residual sd; None when it cannot be fitted."""
    if np.ptp(v) < 0.1:
        if not allow_flat:
            return None
        a, b = float(np.average(y, weights=w)), 0.0
    else:
        b, a = np.polyfit(v, y, 1, w=np.sqrt(w))  # weights: seconds behind each minute
    resid = y - (a + b * v)
    return float(a), float(b), float(np.sqrt(np.average(resid**2, weights=w))), resid


def personal_baseline(
    minutes: pd.DataFrame,
    as_of_s: float | None = None,
    *,
    window_days: int = 60,
    min_activities: int = MIN_ACTIVITIES,
    min_minutes: int = MIN_MINUTES,
    n_history: int | None = None,
) -> PersonalBaseline:
    """The runner's baselines from the steady minutes of the runs before ``as_of_s``.

    Parameters
    ----------
    minutes : pandas.DataFrame, dict of arrays or Windows
        From :func:`history_minutes` (``path``, ``run_start_s``, ``steady_s``,
        ``speed_m_s`` and the form channels); :class:`Windows` of them to fit
        many baselines from the same minutes without converting them each time.
    as_of_s : float, optional
        Start of the judged run, Unix s: only runs that started before it, and
        at most ``window_days`` before it, count. Default: after the last run.
    window_days : int
        Days of history (evidence.md section 2: 60).
    min_activities, min_minutes : int
        Least runs and steady minutes for each fit.
    n_history : int, optional
        Runs with steady minutes before ``as_of_s`` at any date, when ``minutes``
        holds only the window (the scan's judging counts them in the store).

    Returns
    -------
    PersonalBaseline
        ``cadence`` None and ``bands`` without a metric where the window holds
        too little; ``n_runs`` counts the runs in the window.
    """
    w = minutes if isinstance(minutes, Windows) else Windows(minutes)
    if as_of_s is None:
        as_of_s = float(w.rs.max()) + 1.0 if len(w.rs) else 0.0
    return w.fit(float(as_of_s), window_days, min_activities, min_minutes, n_history)


class Windows:
    """Steady minutes (a frame or a dict of arrays, as :func:`personal_baseline`
    takes them) as arrays once, cut into any number of baselines' windows: pass it
    to :func:`personal_baseline` in place of the minutes.

    Each window holds the rows of the runs that started in
    ``[as_of - window_days, as_of)`` in the rows' own order: a slice when the rows
    are in start order (as the store gives them), else a mask. Either way a fit
    sees the same numbers in the same order as from the minutes themselves.
    """

    def __init__(self, minutes: Any) -> None:
        self.m = _arrays(minutes)
        if self.m:
            import pandas as pd

            # each minute's run numbered in path order, once for every window
            # (a window's runs keep that order among themselves)
            self.m["_pcode"] = pd.factorize(self.m["path"], sort=True)[0]
        self.rs = self.m.get("run_start_s", np.zeros(0))
        with np.errstate(invalid="ignore"):
            self.sorted = bool(len(self.rs)) and bool(np.all(self.rs[1:] >= self.rs[:-1]))

    def window(self, as_of_s: float, window_days: int) -> dict[str, np.ndarray]:
        rs, lo = self.rs, as_of_s - window_days * 86400.0
        if self.sorted:
            a, b = np.searchsorted(rs, [lo, as_of_s], "left").tolist()
            if a >= b:
                return {}
            return {c: v[a:b] for c, v in self.m.items()}
        inwin = np.flatnonzero((rs < as_of_s) & (rs >= lo))
        return {c: v[inwin] for c, v in self.m.items()} if len(inwin) else {}

    def fit(
        self,
        as_of_s: float,
        window_days: int,
        min_activities: int,
        min_minutes: int,
        n_history: int | None,
    ) -> PersonalBaseline:
        if n_history is None:
            rs = self.rs
            before = self.m["path"][rs < as_of_s] if len(rs) else ()
            n_history = _n_distinct(before)
        return _fit_window(
            self.window(as_of_s, window_days), window_days, min_activities, min_minutes, n_history
        )


def _n_distinct(paths: Any) -> int:
    import pandas as pd

    return int(len(pd.unique(paths))) if len(paths) else 0


def _fit_window(
    win: dict[str, np.ndarray],
    window_days: int,
    min_activities: int,
    min_minutes: int,
    n_history: int,
) -> PersonalBaseline:
    """The baselines of one window's columns (:meth:`Windows.window`)."""
    # runs numbered in path order (as a groupby by path would order them)
    if not win:
        pcode = np.zeros(0, np.intp)
    elif "_pcode" in win:  # numbered once for all windows (Windows)
        pcode = win["_pcode"]
    else:
        import pandas as pd

        pcode = pd.factorize(win["path"], sort=True)[0]
    n_runs = _n_distinct_codes(pcode)
    day_all = np.floor(win["run_start_s"] / 86400.0) if win else np.zeros(0)
    # each minute's day numbered (days in order), to count the days of each fit
    dcode = np.unique(day_all, return_inverse=True)[1].ravel() if win else np.zeros(0, np.intp)
    has_dev = "device" in win  # a window read without devices knows none
    dev_all = win["device"] if has_dev else None
    cadence = None
    bands: dict[str, SpeedBand] = {}
    v_all = win["speed_m_s"] if win else np.zeros(0)
    w_all = win["steady_s"] if win else np.zeros(0)
    for metric in ("cadence_spm", *BAND_METRICS):
        if metric not in win:
            continue
        y = win[metric]
        ok = np.isfinite(y) & np.isfinite(v_all) & (w_all > 0)
        runs = _n_distinct_codes(pcode[ok])
        if runs < min_activities or ok.sum() < min_minutes:
            continue
        v, yy, w = v_all[ok], y[ok], w_all[ok]
        fit = _line(v, yy, w, allow_flat=metric != "cadence_spm")
        if fit is None:
            continue
        a, b, sd, resid = fit
        rng = (float(v.min()), float(v.max()))
        n_days = _n_distinct_codes(dcode[ok])
        known = [d for d in dev_all[ok] if isinstance(d, str) and d] if has_dev else None
        n_devices = len(set(known)) if known else None
        run_sd = _spread_by_run(pcode[ok], resid, w)
        if metric == "cadence_spm":
            cadence = CadenceBaseline(
                a, b, runs, int(ok.sum()), sd, rng, window_days, n_days, n_devices, run_sd
            )
        else:
            bands[metric] = SpeedBand(
                metric, a, b, sd, runs, int(ok.sum()), rng, n_days, n_devices, run_sd
            )
    breathing = _breathing_baseline(
        win, pcode, v_all, w_all, window_days, min_activities, min_minutes
    )
    easy = None
    fin = np.isfinite(v_all) & (w_all > 0)
    if n_runs >= min_activities and fin.sum() >= min_minutes:
        order = np.argsort(v_all[fin])
        cw = np.cumsum(w_all[fin][order])
        easy = float(v_all[fin][order][np.searchsorted(cw, cw[-1] / 2.0)])
    return PersonalBaseline(
        cadence, bands, n_runs, window_days, min_activities, breathing, n_history, easy
    )


def _breathing_baseline(win, pcode, v_all, w_all, window_days, min_activities, min_minutes):
    """brpm = a + b x speed from the window's steady minutes with a breathing rate.

    Like the cadence line (weighted by steady seconds); a flat line when the
    minutes span under 0.1 m/s. Speed range: 5th-95th percentile of the minutes
    (as :meth:`runlens.rules.breathing.BreathingBaseline.fit`). None with fewer
    than ``min_activities`` runs or ``min_minutes`` minutes.
    """
    if "respiration_rate_brpm" not in win:
        return None
    y = win["respiration_rate_brpm"]
    ok = np.isfinite(y) & (y > 0) & np.isfinite(v_all) & (w_all > 0)
    runs = _n_distinct_codes(pcode[ok])
    if runs < min_activities or ok.sum() < min_minutes:
        return None
    fit = _line(v_all[ok], y[ok], w_all[ok], allow_flat=True)
    if fit is None:
        return None
    from ..rules.breathing import BreathingBaseline

    a, b, sd, _ = fit
    lo, hi = np.percentile(v_all[ok], [5, 95])
    return BreathingBaseline(a, b, runs, int(ok.sum()), sd, (float(lo), float(hi)), window_days)


def fit_baseline(
    source: Any,
    as_of: Any = None,
    *,
    window_days: int = 60,
    min_activities: int = MIN_ACTIVITIES,
    min_minutes: int = MIN_MINUTES,
) -> CadenceBaseline | None:
    """Fit spm = a + b x speed from the steady minutes of the last ``window_days``.

    Parameters
    ----------
    source : Store or pandas.DataFrame
        A :class:`runlens.history.Store`, or a frame as :func:`history_minutes`.
    as_of : datetime-like, optional
        End of the window (exclusive); default: after the last stored run.
    window_days : int
        Days of history used (evidence.md section 2: 60).
    min_activities, min_minutes : int
        Least runs and steady minutes for a fit; fewer gives ``None``.

    Returns
    -------
    CadenceBaseline or None
        ``None`` when the window holds too little steady running with cadence,
        or all of it at one speed (the slope cannot be fitted).
    """
    import pandas as pd

    df = source if isinstance(source, pd.DataFrame) else history_minutes(source)
    if as_of is None:
        end = None
    else:
        ts = pd.Timestamp(as_of)
        end = (ts.tz_localize("UTC") if ts.tzinfo is None else ts).timestamp()
    return personal_baseline(
        df, end, window_days=window_days, min_activities=min_activities, min_minutes=min_minutes
    ).cadence
