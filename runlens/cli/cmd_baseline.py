"""``runlens baseline``: the runner's own baselines, fitted from the stored history.

Prints the speed-cadence line and the personal bands of contact time,
oscillation, vertical ratio and balance as of the day after the last stored
run (or ``--as-of``), with how much history each rests on; ``-o FILE.png``
draws step rate against speed with the line, its band and the judged runs.
"""

from __future__ import annotations

import argparse
import json
import sys

#: Band metric -> (label, unit, format).
_LABELS = {
    "ground_contact_ms": ("ground contact time", "ms", ".0f"),
    "vertical_oscillation_mm": ("vertical oscillation", "mm", ".1f"),
    "vertical_ratio_pct": ("vertical ratio", "%", ".2f"),
    "gct_balance_left_pct": ("contact balance (left)", "%", ".1f"),
}


def register(sub: argparse._SubParsersAction) -> None:
    from ._common import add_history_arguments

    p = sub.add_parser(
        "baseline",
        help="show your own baselines (step rate vs speed, contact time, balance, ...)",
        description="Show the baselines runlens fits from your stored history: step rate "
        "against speed, and personal bands at matched speed for ground contact time, "
        "vertical oscillation, vertical ratio and contact balance. With DIR|ZIP, that folder "
        "or zip is scanned into your history first.",
    )
    add_history_arguments(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--as-of",
        metavar="DATE",
        help="fit on the runs before this UTC date (default: every stored run in the window)",
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE.png",
        help="draw step rate against speed with your line and band (PNG or PDF)",
    )
    p.add_argument("--config", metavar="PATH", help="config file ([baseline] window_days, ...)")
    from ._common import add_units_argument

    add_units_argument(p)
    p.set_defaults(func=run)


def baseline_dict(pb, minutes, db: str, as_of_s: float, before: str = "before this run") -> dict:
    """The ``--json`` object."""
    from datetime import datetime, timezone

    doc = pb.to_dict()
    doc["store"] = db
    doc["as_of_utc"] = datetime.fromtimestamp(as_of_s, timezone.utc).isoformat()
    doc["basis"] = {m: pb.basis(m, before) for m in ("cadence_spm", *_LABELS)}
    return doc


def format_text(
    pb, doc: dict, before: str = "before this run", ratios: tuple[float, float] = (0.95, 0.90)
) -> str:
    from ..units import format_pace

    lines = [f"Baselines as of {doc['as_of_utc'][:10]} ({pb.window_days} days before it):"]
    cb = pb.cadence
    if cb is None:
        lines.append(f"  step rate: none, {pb.basis('cadence_spm', before)}")
    else:
        lo, hi = cb.speed_range_m_s
        lines.append(
            f"  step rate = {cb.intercept_spm:.1f} + {cb.slope_spm_per_m_s:.1f} x speed (m/s), "
            f"spread {cb.residual_sd_spm:.1f} steps/min, from {cb.n_samples} steady minutes of "
            f"{cb.n_activities} runs at {format_pace(hi)} to {format_pace(lo)}"
        )
        mid = (lo + hi) / 2
        lines.append(
            f"    e.g. {cb.expected_spm(mid):.0f} steps/min at {format_pace(mid)}; "
            f"overstriding is noted below {ratios[0]:.0%} of it "
            f"({ratios[0] * cb.expected_spm(mid):.0f}), flagged below {ratios[1]:.0%} "
            f"({ratios[1] * cb.expected_spm(mid):.0f}) with a strong baseline"
        )
    for metric, (label, unit, spec) in _LABELS.items():
        b = pb.band(metric)
        if b is None:
            lines.append(f"  {label}: none, {pb.basis(metric, before)}")
            continue
        mid = sum(b.speed_range_m_s) / 2
        lines.append(
            f"  {label}: {format(b.expected(mid), spec)} {unit} at {format_pace(mid)} "
            f"({b.slope_per_m_s:+.2f} {unit} per m/s), spread {format(b.residual_sd, spec)} "
            f"{unit}, from {b.n_minutes} steady minutes of {b.n_activities} runs"
        )
    lines.append("")
    lines.append(
        "Each run is judged against the baseline of the runs before it (runlens evidence history)."
    )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from ..config import load_config
    from ..history import Store
    from ..history.baseline import history_minutes
    from ..history.judge import baseline_on, baseline_settings
    from ._common import history_db

    config = load_config(args.config)
    db = history_db(args, config, args.dir)
    with Store(db, create=False) as store:
        minutes = history_minutes(store)
        flagged = store.flagged_paths("overstriding")
    pb, as_of_s = baseline_on(minutes, config, args.as_of or None, option="--as-of", path=db)
    from ..baseline import window_words

    before = window_words(args.as_of or None, as_of_s)
    from ..rules import REGISTRY

    rule = REGISTRY["overstriding"].from_config(config)
    ratios = (rule.baseline_ratio, rule.flag_ratio)
    doc = baseline_dict(pb, minutes, db, as_of_s, before)
    if args.output:
        from ..report.charts.baseline import draw_baseline

        days = baseline_settings(config)["window_days"]
        rs = minutes["run_start_s"].to_numpy(float)
        win = minutes[(rs < as_of_s) & (rs >= as_of_s - days * 86400.0)]
        draw_baseline(
            win, pb, flagged, args.output, ratio=ratios[0], before=before, flag_ratio=ratios[1]
        )
        doc["output"] = args.output
    if args.json:
        json.dump(doc, sys.stdout, indent=2, allow_nan=False)
        sys.stdout.write("\n")
    else:
        from ..report.vocab import localise, plain, resolve_units

        print(
            plain(localise(format_text(pb, doc, before, ratios), resolve_units(args.units, config)))
        )
        if args.output:
            print(f"Wrote {args.output}")
    return 0
