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

from .baseline import (
    FIT_COLUMNS,
    MIN_ACTIVITIES,
    MIN_MINUTES,
    Windows,
    history_minutes,
    personal_baseline,
)

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
    """The personal baseline for a run starting at ``start_s`` (Unix s).

    ``n_history``: the runs with steady minutes before it at any date, when
    ``minutes`` may hold only some of them."""
    s = baseline_settings(config)
    return personal_baseline(
        minutes,
        start_s,
        window_days=s["window_days"],
        min_activities=s["min_runs"],
        min_minutes=s["min_minutes"],
        n_history=n_history,
    )


def baselines_as_of(
    minutes, starts: list[float], config: Config | None, n_history: list[int | None]
) -> list[PersonalBaseline]:
    """:func:`baseline_as_of` for many runs at once: the minutes become arrays once
    and each run's window is a slice of them (the same baselines)."""
    prepared = minutes if isinstance(minutes, Windows) else Windows(minutes)
    return [baseline_as_of(prepared, s, config, n) for s, n in zip(starts, n_history)]


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


#: ``meta`` key where schema 6 stores kept what each baseline was fitted from
#: (schema 7 keeps it with each run: ``activities.judge_inputs``).
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


def _settings_base(config: Config | None) -> bytes:
    return hashlib.sha256(_settings_fingerprint(config).encode()).digest()


def _window_hash(base: bytes, n_history: int, parts: list[bytes]) -> str:
    """The digest of a baseline's inputs: the settings, how many runs came before
    the run at any date (the baseline says so), and each run of its window."""
    return hashlib.sha256(base + b"%d|" % n_history + b"".join(parts)).hexdigest()[:24]


def _part(path: str, digest: str) -> bytes:
    return path.encode("utf-8", "surrogatepass") + digest.encode()


def _window_inputs(
    store: Store, runs: list[tuple[str, float]], config: Config | None
) -> list[tuple[str, int]]:
    """For each run (path, start_s, in start order): a digest of everything its
    baseline is fitted from (the steady minutes of the counted runs in its
    window, :meth:`Store.minute_digests`, the runs before it and the settings),
    and how many counted runs with steady minutes started before it. Equal
    digests give equal baselines, so a run whose digest did not change keeps its
    judgement without a refit."""
    import numpy as np

    window_s = baseline_settings(config)["window_days"] * 86400.0
    digests = store.minute_digests()
    base = _settings_base(config)
    # the runs with steady minutes, in start order, to slide the window over
    m_runs = [(s, p) for p, s in runs if p in digests]
    m_starts = np.array([s for s, _ in m_runs], dtype=float)
    starts = np.array([s for _, s in runs], dtype=float)
    lo = np.searchsorted(m_starts, starts - window_s, "left")
    hi = np.searchsorted(m_starts, starts, "left")
    # Each run's bytes once, each window hashed in one call.
    parts = [_part(p, digests[p]) for _, p in m_runs]
    return [(_window_hash(base, b, parts[a:b]), b) for a, b in zip(lo.tolist(), hi.tolist())]


def baseline_at(store: Store, config: Config | None = None):
    """``at(start_s) -> (PersonalBaseline, key, inputs)``: the baseline a run starting
    at ``start_s`` gets from the runs stored now, the key it is judged on and the
    digest of its inputs (as :func:`_window_inputs` gives once the run is stored).

    A scan that adds a few runs judges each as it is read, once
    (:func:`runlens.history.worker.analyse_file`'s ``baseline_at``); the judging
    pass afterwards refits only the runs whose inputs then differ (a run added
    before it in the same scan, a copy found), so the store is the same whatever
    the order."""
    window_s = baseline_settings(config)["window_days"] * 86400.0
    base = _settings_base(config)

    def at(start_s: float, sport: str | None = None):
        if sport not in (None, "running"):  # never counted: judged as the pass judges it
            return None, POPULATION_KEY, None
        lo = start_s - window_s
        runs = store.counted_minute_digests(lo, start_s)
        n_history = store.count_counted_minute_runs(start_s)
        inputs = _window_hash(base, n_history, [_part(p, d) for p, _, d in runs])
        minutes = store.form_minutes_frame(
            steady_only=True, starts=(lo, start_s), arrays=True, columns=FIT_COLUMNS
        )
        pb = baseline_as_of(minutes, start_s, config, n_history)
        return pb, _key(pb, config), inputs

    return at


def judgement_plan(
    store: Store, config: Config | None = None, fit_many: Any = None
) -> list[tuple[str, Any, str, str | None]]:
    """Runs whose stored findings are not judged on their current baseline.

    Counted runs get their baseline as of their start; a baseline is refitted
    only when what it is fitted from changed since the run was judged (its
    ``judge_inputs``, :func:`_window_inputs`), so adding one run refits the runs
    whose window holds it, not every stored run. Runs that are not counted
    (duplicates, other sports) not judged without a baseline yet (new, or judged
    on one while they counted) are judged without one. Runs still judged right
    get their inputs recorded as they are now.

    ``fit_many``: :func:`baselines_as_of` or what gives the same baselines (the
    scan's workers fit them in parallel, :meth:`~runlens.history.pool.ScanWorkers.fit`).

    Returns
    -------
    list of (path, PersonalBaseline or None, key, inputs)
    """
    rows = store.runs_to_judge()
    plan = []
    counted = [(p, s, j, i) for p, s, j, c, i in rows if c]
    for p, _, j, c, _ in rows:
        # not judged yet, or judged on a baseline while it counted (a richer copy
        # came later): judged as a cold scan judges it, without a baseline
        if not c and j != POPULATION_KEY:
            plan.append((p, None, POPULATION_KEY, None))
    if not counted:
        return plan
    inputs = _window_inputs(store, [(p, s) for p, s, _, _ in counted], config)
    due = [
        (path, start_s, judged, now, n_history)
        for (path, start_s, judged, was), (now, n_history) in zip(counted, inputs)
        if judged is None or was != now
    ]  # the others are fitted from the same minutes as when they were judged
    if due:
        # only the minutes of the windows of the runs due
        window_s = baseline_settings(config)["window_days"] * 86400.0
        minutes = store.form_minutes_frame(
            steady_only=True,
            starts=(min(d[1] for d in due) - window_s, max(d[1] for d in due)),
        )
    same = []
    fitted = (
        (fit_many or baselines_as_of)(minutes, [d[1] for d in due], config, [d[4] for d in due])
        if due else []
    )
    for (path, _, judged, now, _), pb in zip(due, fitted):
        key = _key(pb, config)
        if key != judged:
            plan.append((path, pb, key, now))
        else:
            same.append((now, path))  # the same baseline from other inputs
    store.set_judge_inputs(same)
    return plan


def record_judged(fresh: dict[str, list]) -> int:
    """How many of the runs judged as they were read (path -> [inputs, key]) were
    judged on a baseline (their inputs are stored with them)."""
    return sum(1 for _, key in fresh.values() if key != POPULATION_KEY)


def judge_history(
    store: Store,
    config: Config | None = None,
    jobs: int = 1,
    judge_dir: Any = None,
    progress=None,
    fresh: dict[str, list[str]] | None = None,
) -> int:
    """Evaluate the form rules of every run whose baseline changed; returns how many
    counted runs this scan judged (with those in ``fresh``, judged as read).

    Files are read again (in ``jobs`` worker processes) unless this scan kept
    them as read in ``judge_dir`` (a folder, or a dict in this process); a file
    that can no longer be read keeps its previous findings. ``progress(done,
    total)`` is called after each run judged.
    """
    judged: set[str] = set()
    inline = set(fresh or ())
    # Another scan of the same store may write runs meanwhile: plan again until
    # nothing is left, so the last scan to finish leaves every run judged on
    # the baseline the whole store gives it.
    fit_many = getattr(judge_dir, "fit", None)  # the scan's workers fit the baselines
    for _ in range(5):
        plan = judgement_plan(store, config, fit_many)
        if not plan:
            break
        version = store.data_version()
        judged |= _judge(store, config, jobs, plan, judge_dir, progress)
        if store.data_version() == version:
            break  # no other scan wrote meanwhile: what was planned is what is due
    if inline:  # judged as read, and counted now (not found to be a copy)
        judged |= inline & {p for p, _, _, c, _ in store.runs_to_judge() if c}
    return len(judged)


def _judge(
    store: Store,
    config: Config | None,
    jobs: int,
    plan: list,
    judge_dir: str | None = None,
    progress=None,
) -> set[str]:
    """Judge the runs of ``plan``; returns the counted ones judged (on a baseline)."""
    from .worker import judge_file

    keys = {p: (k, i) for p, _, k, i in plan}
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
    done: set[str] = set()
    rest = []
    for path, pb, key, inputs in plan:
        row = by_path.get(path)
        twin = None if row is None else twins.get((row[1], row[2], row[3], key))
        if twin is None:
            rest.append((path, pb, key, inputs))
            continue
        store.set_judgement(path, json.loads(twin[0]), twin[1], key, inputs)
        if key != POPULATION_KEY:
            done.add(path)
        tick()
    plan = rest
    if not plan:
        return done

    def record(res: dict) -> None:
        nonlocal done
        if res["error"] is None:
            key, inputs = keys[res["path"]]
            store.set_judgement(res["path"], res["findings"], res["form_rules"], key, inputs)
            if key != POPULATION_KEY:  # counted runs, judged on their baseline
                done.add(res["path"])
        tick()

    if hasattr(judge_dir, "judge"):  # the scan's workers, each holding the runs it read
        results: dict[int, dict] = {}
        order = iter(range(len(plan)))
        nxt = next(order, None)

        def arrived(i: int, res: dict) -> None:
            nonlocal nxt
            results[i] = res
            while nxt is not None and nxt in results:  # in plan order, as they come
                record(results.pop(nxt))
                nxt = next(order, None)

        judge_dir.judge([(p, config, pb, stored.get(p)) for p, pb, _, _ in plan], arrived)
    elif jobs <= 1 or len(plan) == 1 or isinstance(judge_dir, dict):  # kept in this process
        for path, pb, _, _ in plan:
            record(judge_file(path, config, pb, stored.get(path), judge_dir))
    else:
        from concurrent.futures import ProcessPoolExecutor

        from ..lifeline import worker_lifeline

        n = min(jobs, len(plan))
        with ProcessPoolExecutor(max_workers=n, initializer=worker_lifeline) as ex:
            futs = [
                ex.submit(judge_file, p, config, pb, stored.get(p), judge_dir)
                for p, pb, _, _ in plan
            ]
            for fut in futs:  # in plan order: same store whatever finishes first
                record(fut.result())
    return done


def judge_rows(
    runs: list[dict[str, Any]],
    duplicates: dict[str, str],
    config: Config | None = None,
    judge_dir: Any = None,
) -> int:
    """Judge one history given as scan results' activity rows (a cohort runner's), as
    a scan judges a store holding just them: each counted run (not in
    ``duplicates``, running or of unknown sport) on the baseline of the counted runs
    before it, the others without one. A row already judged on the same key keeps its
    findings; the others are judged from the runs kept in ``judge_dir`` (read again
    only when not kept). Sets each row's ``findings``, ``form_rules``, ``judged_as``;
    returns how many counted runs were judged.
    """
    import numpy as np

    from ..metrics.form import FORM_COLUMNS
    from .worker import judge_file

    counted = sorted(
        (r for r in runs if r["key"] not in duplicates and r["sport"] in (None, "running")),
        key=lambda r: (r["start_s"], r["key"]),
    )
    steady = [  # each counted run's steady minutes, in start order (as the store gives them)
        (r["key"], r["start_s"], m) for r in counted for m in r["form_minutes"] if m[4]
    ]
    cols = list(zip(*(m for _, _, m in steady))) if steady else [() for _ in FORM_COLUMNS]
    minutes: dict[str, Any] = {
        "path": np.array([k for k, _, _ in steady], dtype=object),
        "run_start_s": np.array([s for _, s, _ in steady], dtype=float),
        **{c: np.array(v, dtype=float) for c, v in zip(FORM_COLUMNS, cols) if c != "steady"},
    }
    done = 0
    is_counted = {r["key"] for r in counted}
    for r in sorted(runs, key=lambda r: r["key"]):
        if r["key"] in is_counted:
            pb = baseline_as_of(minutes, float(r["start_s"]), config)
            key = _key(pb, config)
        else:
            pb, key = None, POPULATION_KEY
        if r.get("judged_as") == key:
            continue
        res = judge_file(r["key"], config, pb, None, judge_dir)
        if res["error"] is None:
            r["findings"], r["form_rules"], r["judged_as"] = (
                res["findings"], res["form_rules"], key
            )
            done += pb is not None
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
