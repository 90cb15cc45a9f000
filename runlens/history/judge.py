"""Judge every stored run against the runner's own history as of that run.

After a scan has stored each file's per-minute form table, each counted run
gets its :class:`~runlens.baseline.PersonalBaseline` from the runs that
started before it (:func:`~runlens.history.baseline.personal_baseline`), and
its form rules are evaluated against that baseline. The key of the baseline
(and of the rule settings) is stored with the findings (``judged_as``), so a
run is read again only when what it is judged against changed; the result
never depends on the order in which files were found or scanned.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from .baseline import MIN_ACTIVITIES, MIN_MINUTES, history_minutes, personal_baseline

if TYPE_CHECKING:
    from ..baseline import PersonalBaseline
    from ..config import Config
    from ..store.db import Store

__all__ = [
    "baseline_settings",
    "baseline_as_of",
    "baseline_on",
    "judgement_plan",
    "judge_history",
]


def baseline_settings(config: Config | None) -> dict[str, int]:
    """``[baseline]`` settings with defaults: window_days, min_runs, min_minutes."""
    b = dict(getattr(config, "baseline", None) or {})
    return {
        "window_days": int(b.get("window_days", 60)),
        "min_runs": int(b.get("min_runs", MIN_ACTIVITIES)),
        "min_minutes": int(b.get("min_minutes", MIN_MINUTES)),
    }


def baseline_as_of(
    minutes, start_s: float, config: Config | None, n_history: int | None = None
) -> PersonalBaseline:
    """The personal baseline for a run starting at ``start_s`` (Unix s)."""
    s = baseline_settings(config)
    return personal_baseline(
        minutes,
        start_s,
        window_days=s["window_days"],
        min_activities=s["min_runs"],
        min_minutes=s["min_minutes"],
        n_history=n_history,
    )


def baseline_on(
    minutes, config: Config | None, as_of: str | None = None, *, option: str = "as_of", path=None
) -> tuple[PersonalBaseline, float]:
    """The runner's baseline as of a UTC date, from the stored minutes (``runlens baseline``).

    Parameters
    ----------
    minutes : pandas.DataFrame
        :func:`~runlens.history.baseline.history_minutes` of the store.
    as_of : str, optional
        Fit on the runs before this UTC date; default: one second after the
        last stored run's start (every stored run in the window).
    option, path : str, optional
        How the caller names ``as_of`` and the store, for the error message.

    Returns
    -------
    (PersonalBaseline, float)
        The baseline and its as-of time, Unix s.

    Raises
    ------
    RunlensError
        No steady running stored, or ``as_of`` is not a date.
    """
    import pandas as pd

    from ..errors import RunlensError

    if not len(minutes):
        raise RunlensError(
            "no steady running stored yet; run `runlens scan DIR` first",
            path=None if path is None else str(path),
        )
    if as_of is None:
        as_of_s = float(minutes["run_start_s"].max()) + 1.0
    else:
        try:
            ts = pd.Timestamp(as_of)
        except ValueError:
            raise RunlensError(f"{option} {as_of}: expected a date such as 2026-09-01") from None
        as_of_s = (ts.tz_localize("UTC") if ts.tzinfo is None else ts).timestamp()
    return baseline_as_of(minutes, as_of_s, config), as_of_s


def _key(baseline: PersonalBaseline, config: Config | None) -> str:
    """What a stored judgement depends on, hashed (baseline, rule settings, version)."""
    from .. import __version__
    from ..config import Config

    c = config or Config()  # no config and an empty one judge alike
    doc = {
        "baseline": baseline.to_dict(),
        "runner": asdict(c.runner),
        "rules": c.rules,
        "runlens": __version__,
    }
    text = json.dumps(doc, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


#: ``meta`` key: path -> [what its baseline was fitted from, the key it was judged
#: on], so a scan refits only the baselines whose runs changed.
JUDGE_INPUTS_KEY = "judge_inputs"
#: ``judged_as`` of a run judged without a baseline (a duplicate, another sport).
POPULATION_KEY = "population"


def _settings_fingerprint(config: Config | None) -> str:
    from .. import __version__
    from ..config import Config

    c = config or Config()
    doc = {
        "baseline": baseline_settings(config),
        "runner": asdict(c.runner),
        "rules": c.rules,
        "runlens": __version__,
    }
    return json.dumps(doc, sort_keys=True, default=str)


def _window_inputs(store: Store, runs: list[tuple[str, float]], config: Config | None) -> list[str]:
    """For each run (path, start_s, in start order): a digest of everything its
    baseline is fitted from (the steady minutes of the counted runs in its
    window, :meth:`Store.minute_digests`, and the settings). Equal digests give
    equal baselines, so a run whose digest did not change keeps its judgement
    without a refit."""
    import numpy as np

    window_s = baseline_settings(config)["window_days"] * 86400.0
    digests = store.minute_digests()
    base = hashlib.sha256(_settings_fingerprint(config).encode()).digest()
    # the runs with steady minutes, in start order, to slide the window over
    m_runs = [(s, p) for p, s in runs if p in digests]
    m_starts = np.array([s for s, _ in m_runs], dtype=float)
    starts = np.array([s for _, s in runs], dtype=float)
    lo = np.searchsorted(m_starts, starts - window_s, "left")
    hi = np.searchsorted(m_starts, starts, "left")
    # Each run's bytes once, each window hashed in one call (the same digest as
    # hashing them one by one: 400 runs x ~50 in a window were 20,000 calls).
    parts = [p.encode("utf-8", "surrogatepass") + digests[p].encode() for _, p in m_runs]
    out = []
    for a, b in zip(lo.tolist(), hi.tolist()):
        out.append(hashlib.sha256(base + b"".join(parts[a:b])).hexdigest()[:24])
    return out


def judgement_plan(store: Store, config: Config | None = None) -> list[tuple[str, Any, str]]:
    """Runs whose stored findings are not judged on their current baseline.

    Counted runs get their baseline as of their start; a baseline is refitted
    only when the minutes it is fitted from changed since the run was judged
    (:func:`_window_inputs`), so adding one run refits the runs whose window
    holds it, not every stored run. Runs that are not counted (duplicates,
    other sports) not judged without a baseline yet (new, or judged on one
    while they counted) are judged without one.

    Returns
    -------
    list of (path, PersonalBaseline or None, key)
    """
    rows = store.runs_to_judge()
    plan = []
    counted = [(p, s, j) for p, s, j, c in rows if c]
    for p, _, j, c in rows:
        # not judged yet, or judged on a baseline while it counted (a richer copy
        # came later): judged as a cold scan judges it, without a baseline
        if not c and j != POPULATION_KEY:
            plan.append((p, None, POPULATION_KEY))
    if not counted:
        return plan
    inputs = _window_inputs(store, [(p, s) for p, s, _ in counted], config)
    seen = store.meta(JUDGE_INPUTS_KEY, {}) or {}
    due = [
        (path, start_s, judged) for (path, start_s, judged), now in zip(counted, inputs)
        if judged is None or seen.get(path) != [now, judged]
    ]  # the others are fitted from the same minutes as when they were judged
    if due:
        # only the minutes of the windows of the runs due
        window_s = baseline_settings(config)["window_days"] * 86400.0
        minutes = store.form_minutes_frame(
            steady_only=True,
            starts=(min(s for _, s, _ in due) - window_s, max(s for _, s, _ in due)),
        )
    for path, start_s, judged in due:
        pb = baseline_as_of(minutes, start_s, config)
        key = _key(pb, config)
        if key != judged:
            plan.append((path, pb, key))
    store.set_meta(JUDGE_INPUTS_KEY, _inputs_now(store, counted, inputs, plan))
    return plan


def _inputs_now(store: Store, counted, inputs, plan) -> dict[str, list[str]]:
    """What :func:`judgement_plan` records: each counted run's inputs and the key it
    is (or, once the plan is done, will be) judged on."""
    planned = {p: k for p, _, k in plan}
    return {
        p: [now, planned.get(p, j)] for (p, _, j), now in zip(counted, inputs)
        if planned.get(p, j) is not None
    }


def judge_history(
    store: Store,
    config: Config | None = None,
    jobs: int = 1,
    judge_dir: str | None = None,
    progress=None,
) -> int:
    """Evaluate the form rules of every run whose baseline changed; returns how many.

    Files are read again (in ``jobs`` worker processes) unless this scan kept
    them as read in ``judge_dir``; a file that can no longer be read keeps its
    previous findings. ``progress(done, total)`` is called after each run judged.
    """
    done = 0
    # Another scan of the same store may write runs meanwhile: plan again until
    # nothing is left, so the last scan to finish leaves every run judged on
    # the baseline the whole store gives it.
    for _ in range(5):
        plan = judgement_plan(store, config)
        if not plan:
            break
        version = store.data_version()
        done += _judge(store, config, jobs, plan, judge_dir, progress)
        if store.data_version() == version:
            break  # no other scan wrote meanwhile: what was planned is what is due
    return done


def _judge(
    store: Store,
    config: Config | None,
    jobs: int,
    plan: list,
    judge_dir: str | None = None,
    progress=None,
) -> int:
    from .worker import judge_file

    keys = {p: k for p, _, k in plan}
    total, seen = len(plan), 0

    def tick() -> None:
        nonlocal seen
        seen += 1
        if progress is not None:
            progress(seen, total)

    rows = store.judgements()
    # What the scan applied on top of the file (the export list's sport and time
    # zone, the user's --sport): the stored row has it; the file alone may not.
    stored = {p: {"sport": sp, "utc_offset_s": tz} for p, _, sp, tz, *_ in rows if p in keys}
    # A byte-identical copy (another source of the same file) already judged on
    # the same baseline, sport and zone has the findings this run would get:
    # copied, not read again (a second source does not re-read the history).
    twins = {(sha, sp, tz, k): (fj, fr) for _, sha, sp, tz, k, fj, fr in rows if k}
    by_path = {r[0]: r for r in rows}
    done = 0
    rest = []
    for path, pb, key in plan:
        row = by_path.get(path)
        twin = None if row is None else twins.get((row[1], row[2], row[3], key))
        if twin is None:
            rest.append((path, pb, key))
            continue
        store.set_judgement(path, json.loads(twin[0]), twin[1], key)
        done += key != POPULATION_KEY
        tick()
    plan = rest
    if not plan:
        return done

    def record(res: dict) -> None:
        nonlocal done
        if res["error"] is None:
            key = keys[res["path"]]
            store.set_judgement(res["path"], res["findings"], res["form_rules"], key)
            done += key != POPULATION_KEY  # counted runs, judged on their baseline
        tick()

    if jobs <= 1 or len(plan) == 1:
        for path, pb, _ in plan:
            record(judge_file(path, config, pb, stored.get(path), judge_dir))
    else:
        from concurrent.futures import ProcessPoolExecutor

        from ..lifeline import worker_lifeline

        n = min(jobs, len(plan))
        with ProcessPoolExecutor(max_workers=n, initializer=worker_lifeline) as ex:
            futs = [
                ex.submit(judge_file, p, config, pb, stored.get(p), judge_dir)
                for p, pb, _ in plan
            ]
            for fut in futs:  # in plan order: same store whatever finishes first
                record(fut.result())
    return done


def baseline_for(store: Store, path: str, start_s: float, config: Config | None = None):
    """The personal baseline a run at ``start_s`` (Unix s) is judged against.

    A run the store holds is judged as the scan judged it: on its stored start
    and the runs before it. ``path`` itself never counts in its own baseline.
    """
    from pathlib import Path

    p = str(Path(path).resolve())
    stored = store.start_of(p)
    as_of = stored if stored is not None else float(start_s)
    # Only the window's minutes are read (a baseline fits nothing older), so one analyze
    # costs the same against a history of 40 runs or of 1,000; the size of the history
    # before the run, which the baseline reports, is counted in the store.
    lo = as_of - baseline_settings(config)["window_days"] * 86400.0
    minutes = history_minutes(store, starts=(lo, as_of))
    if len(minutes):
        minutes = minutes[minutes["path"] != p]
    return baseline_as_of(minutes, as_of, config, store.steady_runs_before(as_of, exclude=p))
