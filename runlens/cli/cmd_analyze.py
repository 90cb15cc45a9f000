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


def run(args: argparse.Namespace) -> int:
    """``runlens analyze``: a thin call of :func:`runlens.analyze` (runlens/api.py)."""
    from ..api import analysis_scope, analyze_all, read_baseline
    from ._common import load_checked_config as load_config

    config = load_config(args.config)
    baseline = read_baseline(args.baseline) if args.baseline else None
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


def _runner_store():
    """The runner's history (old per-folder stores merged in first), or None when there is none."""
    from ..api import History
    from ._common import say_merged

    history = History.find()
    if history is not None:
        say_merged(history.merged, history.path)
    return history


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
