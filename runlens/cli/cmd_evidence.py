"""``runlens evidence [TOPIC] [SECTION]``: the pages runlens cites, as installed with it."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "evidence",
        help="show the sources and notes runlens cites (evidence, rules, history, ...)",
        description="Show a page runlens cites, as installed with it: the evidence notes "
        "(every field, formula, threshold and its source) by default. TOPIC is a section "
        "number of the evidence notes (runlens evidence 2) or a page (rules, history, pain, "
        "metrics, config, json, ...); SECTION picks a heading of that page by number or word.",
    )
    p.add_argument("topic", nargs="?", help="a section number of the evidence notes, or a page")
    p.add_argument("section", nargs="?", help="a heading of the page, by number or word")
    p.add_argument("--list", action="store_true", help="list the pages")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..report.docs import page, pages, section

    if args.list:
        print("\n".join(pages()))
        return 0
    topic, which = args.topic, args.section
    if topic is None:
        name = "evidence"
    elif topic.isdigit() and which is None:
        name, which = "evidence", topic
    else:
        name = topic
    text = page(name)
    if which is not None:
        part = section(text, which)
        if part is None:
            raise InputError(f"no section {which!r} in {name}; `runlens evidence {name}` shows it all")
        text = part
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0
