"""Training load over a history of runs (docs/evidence.md section 4).

Everything here works on small tables, one row per activity or per day, never
on samples; :mod:`runlens.history` builds the activity table from its store.

Definitions (docs/history.md repeats them):

- **Per-activity load**: distance (m), moving time (s), and Banister TRIMP when
  the activity has heart rate. TRIMP is summed sample by sample from a
  heart-rate histogram (seconds spent at each whole bpm):
  ``sum(minutes x HRr x k x exp(c x HRr))`` with ``HRr = (HR - HRrest) /
  (HRmax - HRrest)`` clipped to [0, 1], ``k, c = 0.64, 1.92`` (men) or ``0.86,
  1.67`` (women) (Banister; evidence.md section 4).
- **Days and weeks** are the runner's local calendar: UTC start plus the file's
  UTC offset (``Activity.utc_offset_s``); when the file does not say, the
  offset of the runner's nearest run (in time) that does, else UTC, and the
  result says which. Weeks start on Monday unless configured.
- **Daily series**: every calendar day from the first to the last run, rest
  days as zero load.
- **EWMA acute:chronic ratio**: the EWMA of Williams et al. 2017, ``EWMA_t =
  l x load_t + (1 - l) x EWMA_(t-1)``, ``l = 2 / (N + 1)``, N = 7 (acute) and
  28 (chronic), both started from the mean daily load of the first 28 days (a
  history starts when the files start, not when the running did). Williams'
  ratio is coupled (both averages include the acute days); runlens computes
  the *uncoupled* form of Windt & Gabbett 2019: the chronic value used on day
  t is the chronic EWMA of day t - 7, so the acute week is not inside the
  chronic window. The ratio is undefined while chronic is 0, to
  the precision of the loads (below 2.2e-16 x the largest daily load: what
  the decay leaves after months without a run).
- **Monotony and strain** (Foster 1998): over the 7 days ending on a day, with
  rest days as 0, monotony = mean / SD (sample SD; undefined when SD is 0),
  strain = 7-day load x monotony.
- **Fitness, fatigue, freshness** (the performance model): ``CTL += (load - CTL)
  / 42``, ``ATL += (load - ATL) / 7``, and the training stress balance (TSB,
  "freshness" to a runner) on day t = CTL - ATL of day t - 1 (yesterday's
  values). "Form" in runlens means running form only, never TSB.
- **Floors and breaks** (runlens' own choices, docs/rules.md): the ratio is
  also undefined while the chronic load is below ``min_chronic`` per day (the
  caller passes a floor in its load unit: 5 km, 30 min or 30 TRIMP a week),
  and for 28 days after a break of at least 14 days without a run, when the
  chronic load is what is left of the load before the break. Those days carry
  ``break_days`` (the length of the break); the rules say "returning after a
  break" instead of a ratio.
- **Session spike ratio** (Frandsen et al. 2025): ``r = distance / longest run
  in the previous 30 days - 1``; undefined when no run in those 30 days.

Ratios mean little before 28 days of history (evidence.md section 4); the
volume rules (:mod:`runlens.rules.volume`) say so instead of judging.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pandas is imported inside the functions that need it
    import pandas as pd

    from .config import RunnerProfile

__all__ = [
    "TRIMP_WEIGHTS",
    "WEEKDAYS",
    "MIN_HISTORY_DAYS",
    "BREAK_DAYS",
    "RETURN_DAYS",
    "CHRONIC_FLOOR_PER_WEEK",
    "breaks",
    "HRProfile",
    "hr_histogram",
    "banister_trimp",
    "resolve_hr_profile",
    "activity_loads",
    "spike_ratios",
    "daily_series",
    "ewma",
    "training_load",
    "week_of",
    "weekly_table",
]

#: Banister TRIMP weighting (k, c) by sex: k x exp(c x HRr). evidence.md section 4.
TRIMP_WEIGHTS = {"male": (0.64, 1.92), "female": (0.86, 1.67)}
#: Week start names accepted by ``[load] week_start`` and ``--week-start``.
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: Days of history before ratios mean anything (evidence.md section 4).
MIN_HISTORY_DAYS = 28
#: Resting heart rate assumed when neither the config nor a file gives one, bpm.
DEFAULT_REST_HR_BPM = 60.0
#: Seconds a heart rate must be held to count as the observed maximum.
HRMAX_HOLD_S = 30.0
#: Longest gap one heart-rate sample stands for, s. Not runlens.metrics' 60 s
#: dropout (DROPOUT_S): TRIMP histograms count heart rate only across gaps of 10 s
#: or less, and do not consult timer pauses.
MAX_SAMPLE_S = 10.0
#: Session spike window, days (Frandsen et al. 2025).
SPIKE_WINDOW_DAYS = 30
#: Days without a run that make a break (runlens' own choice: coaching practice
#: treats up to a week off as no break and two weeks or more as one to build back
#: from; docs/rules.md).
BREAK_DAYS = 14
#: Days after the first run back during which ratios are not judged: the chronic
#: window (28 d) has to fill again before it describes the runner.
RETURN_DAYS = 28
#: Chronic load below which ratios are undefined, per week, by load unit
#: (runlens' own choice: below about one short run a week a ratio divides by noise).
CHRONIC_FLOOR_PER_WEEK = {"distance": 5.0, "moving_time": 30.0, "trimp": 30.0}


# --------------------------------------------------------------------------- #
# Heart-rate load
# --------------------------------------------------------------------------- #
def run_hr_histogram(activity) -> dict[str, list[int]]:
    """:func:`hr_histogram` of an activity's running samples (all samples when it is
    not a run): what a history stores of each run's heart rate, from the NumPy table."""
    tab = activity.table
    rec = tab.take(activity.running_mask()) if activity.is_running else tab
    if "heart_rate_bpm" not in rec or not len(rec):
        return {"bpm": [], "s": []}
    return hr_histogram(rec.t_s, rec["heart_rate_bpm"])


def hr_histogram(t_s, hr_bpm) -> dict[str, list[int]]:
    """Seconds spent at each whole heart rate: the compact input of TRIMP.

    Each sample stands for the gap to the previous sample; gaps longer than
    10 s (dropouts, pauses) count zero.

    Parameters
    ----------
    t_s : array_like
        Sample times, s (increasing).
    hr_bpm : array_like
        Heart rate, 1/min (NaN or <= 0 = missing).

    Returns
    -------
    dict
        ``{"bpm": [...], "s": [...]}``: bpm values and seconds (integers), only
        bins with time in them; empty lists when there is no heart rate.

    Examples
    --------
    >>> hr_histogram([0, 1, 2, 3, 30], [150, 150, 151, 151, 151])
    {'bpm': [150, 151], 's': [1, 2]}
    """
    t = np.asarray(t_s, dtype=float)
    hr = np.asarray(hr_bpm, dtype=float)
    dt = np.zeros(t.shape)
    if t.size > 1:
        dt[1:] = np.diff(t)
    dt[(dt < 0) | (dt > MAX_SAMPLE_S)] = 0.0
    ok = np.isfinite(hr) & (hr > 0) & (hr < 260) & (dt > 0)
    if not ok.any():
        return {"bpm": [], "s": []}
    b = np.rint(hr[ok]).astype(int)
    sec = np.bincount(b, weights=dt[ok])
    nz = np.flatnonzero(np.rint(sec) > 0)
    return {"bpm": nz.tolist(), "s": np.rint(sec[nz]).astype(int).tolist()}


def banister_trimp(
    hist: dict[str, list[int]] | None, hr_rest_bpm: float, hr_max_bpm: float, sex: str = "male"
) -> float | None:
    """Banister TRIMP from a heart-rate histogram (evidence.md section 4).

    ``sum(minutes x HRr x k x exp(c x HRr))`` with HRr clipped to [0, 1].

    Parameters
    ----------
    hist : dict
        From :func:`hr_histogram` (bpm -> seconds).
    hr_rest_bpm, hr_max_bpm : float
        Resting and maximum heart rate, 1/min.
    sex : {"male", "female"}

    Returns
    -------
    float or None
        TRIMP, arbitrary units (about minutes at moderate effort); ``None``
        without heart rate.

    Examples
    --------
    One hour at HRr = 0.5 (male): 60 x 0.5 x 0.64 x e^0.96 = 50.1

    >>> round(banister_trimp({"bpm": [125], "s": [3600]}, 60, 190), 1)
    50.1
    """
    if not hist or not hist.get("bpm"):
        return None
    if not hr_max_bpm > hr_rest_bpm:
        raise ValueError("HRmax must be above HRrest")
    k, c = TRIMP_WEIGHTS[sex]
    bpm = np.asarray(hist["bpm"], dtype=float)
    minutes = np.asarray(hist["s"], dtype=float) / 60.0
    hrr = np.clip((bpm - hr_rest_bpm) / (hr_max_bpm - hr_rest_bpm), 0.0, 1.0)
    return float(np.sum(minutes * hrr * k * np.exp(c * hrr)))


@dataclass
class HRProfile:
    """Heart-rate values TRIMP used, and what had to be assumed.

    Attributes
    ----------
    rest_bpm, max_bpm : float or None
        ``None`` when there is no heart rate at all.
    sex : str
    assumptions : list of str
        One sentence per assumed value, for the runner to read.
    """

    rest_bpm: float | None
    max_bpm: float | None
    sex: str
    assumptions: list[str] = field(default_factory=list)


def _observed_max(hists) -> float | None:
    """Highest heart rate held at least 30 s (cumulative) in one activity."""
    best = None
    for h in hists:
        if not h or not h.get("bpm"):
            continue
        bpm = np.asarray(h["bpm"], dtype=float)
        s = np.asarray(h["s"], dtype=float)
        above = np.cumsum(s[::-1])[::-1]  # seconds at or above each bpm
        held = bpm[above >= HRMAX_HOLD_S]
        if held.size:
            m = float(held.max())
            best = m if best is None else max(best, m)
    return best


def resolve_hr_profile(
    runner: RunnerProfile | None = None,
    file_profiles: list[dict[str, Any]] | None = None,
    hists: list[dict[str, list[int]]] | None = None,
) -> HRProfile:
    """Pick HRrest, HRmax and sex for TRIMP: config first, then the files, then assume.

    Parameters
    ----------
    runner : RunnerProfile, optional
        ``[runner]`` from the config.
    file_profiles : list of dict, optional
        ``Activity.profile`` of each stored activity (keys ``sex``,
        ``resting_hr_bpm``, ``max_hr_bpm``); the most recent non-empty value wins.
    hists : list of dict, optional
        Heart-rate histograms of the history, for the observed maximum.

    Returns
    -------
    HRProfile
    """
    assumptions: list[str] = []

    def from_files(key: str):
        for p in reversed(file_profiles or []):
            v = (p or {}).get(key)
            if v not in (None, ""):
                return v
        return None

    sex = runner.sex if runner and runner.sex else from_files("sex")
    if sex not in TRIMP_WEIGHTS:
        sex = "male"
        assumptions.append(
            "TRIMP: sex unknown, the male weighting (0.64 x e^(1.92 HRr)) was used; "
            'set [runner] sex = "female" or "male" in the config'
        )
    rest = runner.resting_hr_bpm if runner and runner.resting_hr_bpm else None
    rest = rest or from_files("resting_hr_bpm")
    if not rest:
        rest = DEFAULT_REST_HR_BPM
        assumptions.append(
            f"TRIMP: resting heart rate unknown, {DEFAULT_REST_HR_BPM:.0f} bpm assumed; "
            "set [runner] resting_hr_bpm"
        )
    mx = runner.max_hr_bpm if runner and runner.max_hr_bpm else None
    mx = mx or from_files("max_hr_bpm")
    if not mx:
        mx = _observed_max(hists or [])
        if mx is None:
            return HRProfile(None, None, sex, [])
        assumptions.append(
            f"TRIMP: maximum heart rate unknown, the highest held for {HRMAX_HOLD_S:.0f} s in "
            f"the history ({mx:.0f} bpm) was used; set [runner] max_hr_bpm"
        )
    if mx <= rest:
        raise ValueError(f"maximum heart rate {mx} bpm is not above resting {rest} bpm")
    return HRProfile(float(rest), float(mx), sex, assumptions)


# --------------------------------------------------------------------------- #
# Activity table
# --------------------------------------------------------------------------- #
def activity_loads(acts: pd.DataFrame, hr: HRProfile | None = None) -> pd.DataFrame:
    """Add local date and load columns to an activity table.

    Parameters
    ----------
    acts : pandas.DataFrame
        One row per activity with ``start_s`` (Unix s, UTC), ``utc_offset_s``
        (s or NaN), ``distance_m``, ``moving_s`` and optionally ``hr_hist``
        (dicts from :func:`hr_histogram`).
    hr : HRProfile, optional
        For TRIMP; without it (or without heart rate) ``trimp`` is NaN.

    Returns
    -------
    pandas.DataFrame
        A copy sorted by start, with ``local_date`` (datetime64, midnight),
        ``offset_known`` (bool: the file says its zone), ``offset_source``
        (``"file"``, ``"other runs"``: the zone of the runner's nearest run in
        time that says it, or ``"utc"`` when none does), ``trimp`` and ``spike_ratio`` /
        ``longest_prev30_m`` (:func:`spike_ratios`).
    """
    import pandas as pd

    out = acts.sort_values("start_s", kind="stable").reset_index(drop=True).copy()
    off = pd.to_numeric(out.get("utc_offset_s"), errors="coerce")
    if off is None:
        off = pd.Series(np.nan, index=out.index)
    out["offset_known"] = off.notna().to_numpy()
    off = off.reset_index(drop=True)
    # A run that does not say its zone takes the zone of the runner's nearest run
    # (in time) that does; UTC only when none does.
    source = np.where(out["offset_known"], "file", "utc").astype(object)
    if off.notna().any() and off.isna().any():
        known = np.flatnonzero(off.notna().to_numpy())
        t = out["start_s"].to_numpy(float)
        pos = np.searchsorted(t[known], t)
        left = known[np.clip(pos - 1, 0, known.size - 1)]
        right = known[np.clip(pos, 0, known.size - 1)]
        nearest = np.where(np.abs(t[left] - t) <= np.abs(t[right] - t), left, right)
        miss = off.isna().to_numpy()
        off = off.where(~miss, off.to_numpy(float)[nearest])
        source[miss] = "other runs"
    out["offset_source"] = source
    local_s = out["start_s"].to_numpy(float) + off.fillna(0).to_numpy(float)
    out["local_date"] = pd.to_datetime(np.floor(local_s / 86400.0) * 86400.0, unit="s").floor("D")
    if hr is not None and hr.max_bpm is not None and "hr_hist" in out:
        out["trimp"] = [
            banister_trimp(h, hr.rest_bpm, hr.max_bpm, hr.sex) if h else np.nan
            for h in out["hr_hist"]  # one value per activity, not per sample
        ]
        out["trimp"] = out["trimp"].astype(float)
    else:
        out["trimp"] = np.nan
    ratio, longest = spike_ratios(out["start_s"].to_numpy(float), out["distance_m"].to_numpy(float))
    out["spike_ratio"] = ratio
    out["longest_prev30_m"] = longest
    return out


def spike_ratios(start_s, distance_m, window_days: float = SPIKE_WINDOW_DAYS):
    """Per-session spike ratio against the longest run of the previous 30 days.

    Frandsen et al. 2025 (evidence.md section 4): ``r = distance / longest
    run in the previous window - 1``. Runs starting at the same instant do not
    count as each other's previous runs.

    Parameters
    ----------
    start_s : array_like
        Start times, Unix s, sorted ascending.
    distance_m : array_like
        Distances, m.
    window_days : float

    Returns
    -------
    ratio, longest : numpy.ndarray
        ``r`` (fraction, 0.5 = 50 % longer) and the longest previous distance
        (m); NaN where no run lies in the window.

    Examples
    --------
    >>> r, L = spike_ratios([0, 86400, 2 * 86400], [8000, 8000, 12000])
    >>> r.tolist()[1:], L.tolist()[1:]
    ([0.0, 0.5], [8000.0, 8000.0])
    """
    import pandas as pd

    t = np.asarray(start_s, dtype=float)
    d = np.asarray(distance_m, dtype=float)
    if t.size == 0:
        return np.array([]), np.array([])
    idx = pd.to_datetime(t, unit="s")
    # closed="left": the window [t - 30 d, t) excludes the session itself (and
    # any run starting at the very same second).
    longest = (
        pd.Series(d, index=idx).rolling(f"{window_days}D", closed="left").max().to_numpy(float)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(longest > 0, d / longest - 1.0, np.nan)
    return ratio, longest


# --------------------------------------------------------------------------- #
# Daily series and its derived load indicators
# --------------------------------------------------------------------------- #
def daily_series(acts: pd.DataFrame, end: pd.Timestamp | None = None) -> pd.DataFrame:
    """Sum activities per local day, from the first day to the last, rest days 0.

    Parameters
    ----------
    acts : pandas.DataFrame
        From :func:`activity_loads`.
    end : pandas.Timestamp, optional
        Extend the series to this local date (e.g. today).

    Returns
    -------
    pandas.DataFrame
        Indexed by local date (daily frequency): ``distance_m``, ``moving_s``,
        ``trimp`` (NaN-free: activities without heart rate add 0, see
        ``trimp_runs``), ``runs``, ``trimp_runs`` (runs with heart rate).
    """
    import pandas as pd

    cols = ["distance_m", "moving_s", "trimp", "runs", "trimp_runs"]
    if acts.empty:
        return pd.DataFrame(columns=cols, index=pd.DatetimeIndex([], name="date"), dtype=float)
    a = acts.assign(
        runs=1,
        trimp_runs=acts["trimp"].notna().astype(int),
        trimp=acts["trimp"].fillna(0.0),
        distance_m=acts["distance_m"].fillna(0.0),
        moving_s=acts["moving_s"].fillna(0.0),
    )
    g = a.groupby("local_date")[cols].sum()
    last = g.index.max() if end is None else max(g.index.max(), pd.Timestamp(end).floor("D"))
    days = pd.date_range(g.index.min(), last, freq="D", name="date")
    return g.reindex(days, fill_value=0).astype(float)


def ewma(load, n: int, seed: float = 0.0):
    """The EWMA of Williams et al. 2017: ``l x load_t + (1 - l) x EWMA_(t-1)``, l = 2/(n+1).

    The average alone: :func:`training_load` divides the acute EWMA by the
    chronic EWMA of 7 days earlier, the uncoupled ratio of Windt & Gabbett 2019
    (Williams' own ratio is coupled).

    Parameters
    ----------
    load : array_like
        Daily load (any unit), rest days 0.
    n : int
        Window, days.
    seed : float
        EWMA of the day before the series.

    >>> ewma([7.0, 0.0], 7).round(3).tolist()
    [1.75, 1.312]
    """
    import pandas as pd

    x = np.concatenate([[seed], np.asarray(load, dtype=float)])
    return pd.Series(x).ewm(alpha=2.0 / (n + 1), adjust=False).mean().to_numpy()[1:]


def breaks(run_day, break_days: int = BREAK_DAYS, return_days: int = RETURN_DAYS):
    """Days inside the return window after a break, and the break's length.

    Parameters
    ----------
    run_day : array_like of bool
        One value per consecutive calendar day: was there a run.
    break_days : int
        Days without a run that make a break (14).
    return_days : int
        Length of the window that starts on the first run back, days (28).

    Returns
    -------
    numpy.ndarray
        Per day: the days without a run before the first run back (float), on
        each day of the return window; NaN elsewhere.

    Examples
    --------
    >>> d = [True] + [False] * 20 + [True, True]
    >>> breaks(d, 14, 2).tolist()[-3:]
    [nan, 20.0, 20.0]
    """
    ran = np.asarray(run_day, dtype=bool)
    out = np.full(ran.size, np.nan)
    idx = np.flatnonzero(ran)
    if idx.size < 2:
        return out
    gap = np.diff(idx) - 1  # rest days between consecutive run days
    for k in np.flatnonzero(gap >= break_days):  # one step per break, few
        start = idx[k + 1]
        out[start : start + return_days] = float(gap[k])
    return out


def training_load(
    daily: pd.DataFrame,
    load_col: str = "distance_m",
    acute_days: int = 7,
    chronic_days: int = 28,
    min_chronic: float = 0.0,
    break_days: int = BREAK_DAYS,
    return_days: int = RETURN_DAYS,
) -> pd.DataFrame:
    """Acute:chronic ratio, monotony, strain, CTL/ATL/TSB for a daily series.

    Parameters
    ----------
    daily : pandas.DataFrame
        From :func:`daily_series`.
    load_col : str
        Which daily column is the load: ``"distance_m"`` (default; always
        present), ``"moving_s"``, ``"trimp"`` or one the caller added (e.g.
        distance in km).
    acute_days, chronic_days : int
        EWMA windows, days (7 and 28, as Williams et al. 2017; the chronic
        value is taken ``acute_days`` earlier: uncoupled, Windt & Gabbett 2019).
    min_chronic : float
        Chronic load per day below which the ratio is undefined (load unit;
        default 0: only the precision floor).
    break_days, return_days : int
        :func:`breaks`: the ratio is undefined on the days of a return window.

    Returns
    -------
    pandas.DataFrame
        Same index: ``load``, ``acute``, ``chronic`` (uncoupled: the chronic
        EWMA of ``acute_days`` earlier), ``acwr``, ``monotony``, ``strain``,
        ``ctl``, ``atl``, ``tsb``, ``history_days`` (days since the first day),
        ``break_days`` (:func:`breaks`).
    """
    import pandas as pd

    load = daily[load_col].to_numpy(float)
    out = pd.DataFrame(index=daily.index)
    out["load"] = load
    # Both EWMAs start from the mean daily load of the first chronic window, not 0:
    # a history starts when the files start, not when the running did, and a 0 start
    # would make every history's first weeks look like a spike.
    seed = float(load[:chronic_days].mean()) if load.size else 0.0
    acute = ewma(load, acute_days, seed)
    chronic_now = ewma(load, chronic_days, seed)
    chronic = np.full(load.shape, np.nan)
    chronic[acute_days:] = chronic_now[:-acute_days] if load.size > acute_days else []
    out["acute"] = acute
    out["chronic"] = chronic
    # Undefined without chronic load. Fed rest days only, an EWMA decays towards 0
    # without reaching it: after months without a run chronic falls below what it
    # could add to any day's load (eps x the largest), down to subnormal values where
    # acute / chronic overflows. That is 0 at the data's precision.
    floor = np.finfo(float).eps * load.max() if load.size else 0.0
    floor = max(floor, float(min_chronic))
    run_day = daily["runs"].to_numpy(float) > 0 if "runs" in daily else load > 0
    brk = breaks(run_day, break_days, return_days)
    acwr = np.full(load.shape, np.nan)
    np.divide(acute, chronic, out=acwr, where=(chronic > floor) & np.isnan(brk))
    out["acwr"] = acwr
    out["break_days"] = brk
    s = pd.Series(load, index=daily.index)
    roll = s.rolling(7, min_periods=7)
    mean, sd = roll.mean(), roll.std(ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        monotony = np.where(sd > 1e-12, mean / sd, np.nan)
    out["monotony"] = monotony
    out["strain"] = roll.sum().to_numpy() * monotony
    x = np.concatenate([[0.0], load])
    ctl = pd.Series(x).ewm(alpha=1 / 42, adjust=False).mean().to_numpy()
    atl = pd.Series(x).ewm(alpha=1 / 7, adjust=False).mean().to_numpy()
    out["ctl"] = ctl[1:]
    out["atl"] = atl[1:]
    out["tsb"] = (ctl - atl)[:-1]  # yesterday's fitness minus yesterday's fatigue
    out["history_days"] = np.arange(load.size, dtype=float)
    return out


def week_of(dates, week_start: str = "monday"):
    """First day (datetime64, midnight) of the local week of each date.

    The one week-start rule of runlens: the weekly table, the volume rules,
    the charts and the history commands all use it.

    Parameters
    ----------
    dates : array_like of datetime-like
        Local dates (or timestamps; the time of day is dropped).
    week_start : str
        One of :data:`WEEKDAYS`.

    Returns
    -------
    pandas.DatetimeIndex

    >>> week_of(["2026-08-20"])[0].date().isoformat()  # a Thursday
    '2026-08-17'
    """
    import pandas as pd

    d = pd.DatetimeIndex(pd.to_datetime(np.asarray(dates))).floor("D")
    shift = (d.day_of_week.to_numpy() - WEEKDAYS.index(week_start)) % 7
    return d - pd.to_timedelta(shift, unit="D")


def weekly_table(
    acts: pd.DataFrame,
    daily: pd.DataFrame,
    indicators: pd.DataFrame,
    week_start: str = "monday",
) -> pd.DataFrame:
    """One row per local week, from the first run's week to the last's, empty weeks included.

    Parameters
    ----------
    acts : pandas.DataFrame
        From :func:`activity_loads`.
    daily : pandas.DataFrame
        From :func:`daily_series`.
    indicators : pandas.DataFrame
        From :func:`training_load` over ``daily``.
    week_start : str
        First day of the week (one of :data:`WEEKDAYS`).

    Returns
    -------
    pandas.DataFrame
        ``week`` (first day), ``distance_m``, ``moving_s``, ``runs``,
        ``trimp`` (NaN if no run of the week had heart rate), ``load``,
        ``change_pct`` (distance vs the previous week, NaN after an empty week),
        ``acwr``, ``acwr_max``, ``monotony``, ``strain``, ``ctl``, ``atl``,
        ``tsb`` (at the week's last recorded day), ``history_days`` (days
        from the first run to the week's first day), ``break_days`` (length of
        the break the week returns from, NaN if none), ``recent_max_m``
        (distance of the biggest of the four weeks before, m).
    """
    import pandas as pd

    ws = week_start.lower()
    if ws not in WEEKDAYS:
        raise ValueError(f"week start must be one of {WEEKDAYS}, not {week_start!r}")
    if daily.empty:
        return pd.DataFrame()
    week = week_of(daily.index, ws)
    d = daily.assign(week=week)
    ind = indicators.assign(week=week)
    w = d.groupby("week")[["distance_m", "moving_s", "runs", "trimp", "trimp_runs"]].sum()
    w["trimp"] = w["trimp"].where(w.pop("trimp_runs") > 0)
    w["load"] = ind.groupby("week")["load"].sum()
    prev = w["distance_m"].shift(1)
    with np.errstate(divide="ignore", invalid="ignore"):
        w["change_pct"] = np.where(prev > 0, (w["distance_m"] / prev - 1.0) * 100.0, np.nan)
    last = ind.groupby("week").tail(1).set_index("week")
    for c in ("acwr", "monotony", "strain", "ctl", "atl", "tsb"):
        w[c] = last[c]
    w["acwr_max"] = ind.groupby("week")["acwr"].max()
    if "break_days" in ind:
        w["break_days"] = ind.groupby("week")["break_days"].max()
    else:
        w["break_days"] = np.nan
    # The runner's recent level: the biggest of the four weeks before (runlens'
    # reference for a week that is a real jump, docs/rules.md): a week back at a
    # level run a fortnight ago is no jump, however light the week before was.
    w["recent_max_m"] = w["distance_m"].shift(1).rolling(4, min_periods=1).max()
    first = daily.index.min()
    w["history_days"] = (w.index - first).days.astype(float)
    w.index.name = "week"
    w["runs"] = w["runs"].astype(int)
    return w.reset_index()


def finite_or_none(v: Any) -> Any:
    """JSON-friendly scalar: NaN and infinities become None, numpy scalars Python."""
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v
