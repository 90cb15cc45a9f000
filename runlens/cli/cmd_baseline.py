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


def run(args: argparse.Namespace) -> int:
    """``runlens baseline``: a thin call of :meth:`runlens.History.baseline_view`."""
    from ..config import load_config
    from ..report.vocab import resolve_units
    from ._common import history_db

    config = load_config(args.config)
    history = history_db(args, config, args.dir)
    view = history.baseline_view(args.as_of or None, option="--as-of")
    doc = view.to_dict()
    if args.output:
        view.draw(args.output)
        doc["output"] = args.output
    if args.json:
        json.dump(doc, sys.stdout, indent=2, allow_nan=False)
        sys.stdout.write("\n")
    else:
        print(view.text(resolve_units(args.units, config)))
        if args.output:
            print(f"Wrote {args.output}")
    return 0
