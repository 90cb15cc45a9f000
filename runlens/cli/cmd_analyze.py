"""``runlens analyze FILE``: one activity's summary and form findings.

The watch's own values are shown beside runlens'; the findings of the form
rules (docs/rules.md) follow, with their evidence and the caveats. The runner
profile and rule thresholds come from the TOML config (docs/config.md); the
options here override it.
"""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction) -> None:
    from ._common import add_config_argument, add_units_argument

    p = sub.add_parser(
        "analyze",
        aliases=["analyse"],
        help="summarise one activity file (FIT, GPX, TCX, their .gz, or one in a .zip) and "
        "flag form patterns",
        description="Read one activity and print its summary, with the watch's own values "
        "beside runlens', then the form findings (overstriding, heel striking, contact "
        "imbalance, vertical motion, late-run fade, warm-up) with their evidence.",
    )
    p.add_argument(
        "file",
        help="a .fit, .gpx or .tcx file (or .gz of one); a .zip holding one, or one member of "
        "a zip named ZIP!/MEMBER (e.g. export.zip!/activities/123.fit.gz)",
    )
    p.add_argument(
        "--sport",
        metavar="SPORT",
        help="the activity's sport when the file does not say it or says it wrong "
        "(running, walking, hiking, cycling, ...); cadence is converted to match",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object (docs/json.md)")
    p.add_argument(
        "--strict", action="store_true", help="refuse a file with any fault instead of salvaging it"
    )
    p.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="also the evidence behind each finding (values seen, what they were compared "
        "with, source) and which decoder read the file",
    )
    p.add_argument(
        "--laps", action="store_true", help="also the lap and kilometre-split tables"
    )
    add_units_argument(p)
    add_config_argument(p)
    p.add_argument("--height", type=float, metavar="M", help="your height in metres (e.g. 1.78)")
    p.add_argument("--sex", choices=("male", "female"), help="for heart-rate load weighting")
    p.add_argument("--resting-hr", type=float, metavar="BPM", help="resting heart rate, 1/min")
    p.add_argument("--max-hr", type=float, metavar="BPM", help="maximum heart rate, 1/min")
    p.add_argument(
        "--baseline",
        metavar="FILE.json",
        help="your speed-cadence baseline as JSON (CadenceBaseline fields: intercept_spm, "
        "slope_spm_per_m_s, n_activities, n_samples, residual_sd_spm, speed_range_m_s, "
        "window_days); without one, step rate is compared with population bands",
    )
    p.add_argument(
        "--db",
        metavar="STORE",
        help="history store to judge the run against (default: yours, $RUNLENS_DB if set, "
        "else history.sqlite in the user's data directory, if you have scanned any runs)",
    )
    p.add_argument(
        "--no-history",
        action="store_true",
        help="judge against population bands only, not against your own history",
    )
    p.add_argument("--no-rules", action="store_true", help="summary only, no form findings")
    p.add_argument(
        "--plot",
        metavar="OUT.png",
        help="also draw the run: each flagged metric with its threshold or baseline and the "
        "judged stretches shaded, and the channels the file records (PNG or PDF; "
        "docs/charts.md)",
    )
    p.set_defaults(func=run)


def load_baseline(path: str):
    """A :class:`runlens.baseline.CadenceBaseline` from a JSON file.

    The object may be the baseline's fields themselves or hold them under
    ``"cadence_baseline"``.

    Raises
    ------
    RunlensError
        Missing file, not JSON, or missing/invalid fields.
    """
    from dataclasses import MISSING, fields

    from ..baseline import CadenceBaseline
    from ..errors import RunlensError

    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        raise RunlensError("baseline file not found", path=path) from None
    except (OSError, ValueError) as exc:
        raise RunlensError(f"not a JSON baseline ({exc})", path=path) from None
    if isinstance(data, dict) and isinstance(data.get("cadence_baseline"), dict):
        data = data["cadence_baseline"]
    if isinstance(data, dict) and "bands" in data and "cadence" in data:
        return _personal_baseline(data, path)  # what `runlens baseline --json` prints
    names = [f.name for f in fields(CadenceBaseline)]
    required = [f.name for f in fields(CadenceBaseline) if f.default is MISSING]
    if not isinstance(data, dict) or any(k not in data for k in required):
        raise RunlensError(f"a baseline needs the keys {required}", path=path)
    try:
        kw = {k: data[k] for k in names if k in data}
        kw["speed_range_m_s"] = tuple(float(x) for x in kw["speed_range_m_s"])
        if len(kw["speed_range_m_s"]) != 2:
            raise ValueError("speed_range_m_s needs two speeds")
        for k in ("intercept_spm", "slope_spm_per_m_s", "residual_sd_spm"):
            kw[k] = float(kw[k])
        for k in ("n_activities", "n_samples", "window_days"):
            if k in kw:
                kw[k] = int(kw[k])
    except (TypeError, ValueError) as exc:
        raise RunlensError(f"invalid baseline ({exc})", path=path) from None
    return CadenceBaseline(**kw)


def _personal_baseline(data: dict, path: str):
    """The :class:`runlens.baseline.PersonalBaseline` of a ``runlens baseline --json`` file."""
    from dataclasses import fields

    from ..baseline import CadenceBaseline, PersonalBaseline, SpeedBand
    from ..errors import RunlensError

    def build(cls, d: dict):
        kw = {f.name: d[f.name] for f in fields(cls) if f.name in d}
        kw["speed_range_m_s"] = tuple(float(x) for x in kw["speed_range_m_s"])
        return cls(**kw)

    try:
        cadence = build(CadenceBaseline, data["cadence"]) if data["cadence"] else None
        bands = {k: build(SpeedBand, v) for k, v in (data.get("bands") or {}).items()}
        breathing = None
        if data.get("breathing"):
            from ..rules.breathing import BreathingBaseline

            breathing = build(BreathingBaseline, data["breathing"])
        return PersonalBaseline(
            cadence,
            bands,
            int(data.get("n_runs") or 0),
            window_days=int(data.get("window_days") or 60),
            min_runs=int(data.get("min_runs") or 3),
            breathing=breathing,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise RunlensError(f"invalid baseline ({type(exc).__name__}: {exc})", path=path) from None


def run(args: argparse.Namespace) -> int:
    """``runlens analyze``: a thin call of :func:`runlens.analyze` (runlens/api.py)."""
    from ..api import analyze_all
    from ..memo import analysis_scope
    from ._common import load_checked_config as load_config

    config = load_config(args.config)
    baseline = load_baseline(args.baseline) if args.baseline else None
    if args.baseline and (args.db or args.no_history):
        from ..errors import RunlensError

        raise RunlensError("--baseline cannot be combined with --db or --no-history")
    from ..config import check_runner

    given = {"height_m": args.height, "resting_hr_bpm": args.resting_hr, "max_hr_bpm": args.max_hr}
    r = config.runner
    check_runner(  # the options with the config's values they do not replace
        {
            "height_m": args.height,
            "resting_hr_bpm": r.resting_hr_bpm if args.resting_hr is None else args.resting_hr,
            "max_hr_bpm": r.max_hr_bpm if args.max_hr is None else args.max_hr,
        },
        names={
            k: (opt if given[k] is not None else f"[runner] {k} =")
            for k, opt in (
                ("height_m", "--height"),
                ("resting_hr_bpm", "--resting-hr"),
                ("max_hr_bpm", "--max-hr"),
            )
        },
    )
    history = None
    if baseline is None and not args.no_history and not args.no_rules:
        history = args.db or _runner_store()
    with analysis_scope():  # the plot shares the analysis' derived data
        runs = analyze_all(
            args.file,
            history,
            sport=args.sport,
            strict=args.strict,
            config=config,
            baseline=baseline,
            height_m=args.height,
            sex=args.sex,
            resting_hr_bpm=args.resting_hr,
            max_hr_bpm=args.max_hr,
            rules=not args.no_rules,
        )
        return _print(args, config, runs)


def _runner_store() -> str | None:
    """The runner's store (old per-folder stores merged in first), or None when there is none."""
    from ..errors import RunlensError
    from ..history.runner import open_history, store_path

    try:
        store = open_history(None, create=False)
    except RunlensError:
        if store_path(None).exists():
            raise  # a store that is there but unusable is said, not skipped
        return None
    from ._common import say_merged

    with store:
        say_merged(store.merged, store.path)
        return str(store.path)


def _print(args: argparse.Namespace, config, runs) -> int:
    """Each run of the file, one after the other (most files hold one)."""
    a = runs[0]
    if args.verbose:
        print(f"runlens: {args.file}: read by {a.activity.source.reader}", file=sys.stderr)
    for w in dict.fromkeys(w for r in runs for w in r.activity.warnings):
        print(f"runlens: {args.file}: warning: {w}", file=sys.stderr)  # stdout: the report
    units = args.units or str(config.display.get("units", "metric")).lower()
    if args.json:
        doc = a.to_dict() if len(runs) == 1 else [r.to_dict() for r in runs]
        json.dump(doc, sys.stdout, indent=2, allow_nan=False)
        sys.stdout.write("\n")
    elif len(runs) == 1:
        print(a.to_text(verbose=args.verbose, laps=args.laps, units=units))
    else:
        from ..report.analysis import format_runs_text

        print(format_runs_text(
            [r.text_result() for r in runs], verbose=args.verbose, laps=args.laps, units=units
        ))
    if args.plot:  # charts: runlens.report.charts.run
        from ..report.analysis import run_plot_paths

        for r, path in zip(runs, run_plot_paths(args.plot, len(runs))):
            r.plot(path, units=units)
            print(f"runlens: wrote {path}", file=sys.stderr if args.json else sys.stdout)
    return 0
