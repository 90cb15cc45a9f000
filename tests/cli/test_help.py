"""Every command has help, is documented, and speaks one vocabulary (style.md habit 9).

Like sqlite-utils' docs test: the commands and options are read from the parser
itself, so a new option without docs fails here.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from runlens.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[2]
DOCS = "\n".join(p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")])


def _commands(parser=None, prefix=()):
    """(path, parser) for every command and sub-command, aliases left out."""
    parser = parser or build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            seen = set()
            for name, sub in action.choices.items():
                if id(sub) in seen:
                    continue
                seen.add(id(sub))
                yield (*prefix, name), sub
                yield from _commands(sub, (*prefix, name))


COMMANDS = list(_commands())


def _options(p):
    """Visible long options of a parser: [(flags, dest, choices)]."""
    return [
        (tuple(o for o in a.option_strings if o.startswith("--")), a.dest, a.choices)
        for a in p._actions
        if a.option_strings and a.help is not argparse.SUPPRESS and a.dest != "help"
    ]


def test_there_are_commands():
    names = {c[0] for c, _ in COMMANDS}
    assert {"analyze", "scan", "weekly", "chart", "report", "pain"} <= names


@pytest.mark.parametrize("path", [c for c, _ in COMMANDS], ids=" ".join)
def test_help(path, capsys):
    with pytest.raises(SystemExit) as e:
        main([*path, "--help"])
    out = capsys.readouterr().out
    assert e.value.code == 0
    assert out.startswith("usage: runlens " + " ".join(path))


@pytest.mark.parametrize("path", [c for c, _ in COMMANDS], ids=" ".join)
def test_docs_mention_command_and_options(path):
    parser = dict(COMMANDS)[path]
    assert f"runlens {' '.join(path)}" in DOCS, f"no doc mentions `runlens {' '.join(path)}`"
    missing = [f[0] for f, _, _ in _options(parser) if f and not re.search(re.escape(f[0]) + r"\b", DOCS)]
    assert not missing, f"runlens {' '.join(path)}: options not in the docs: {missing}"


def test_same_thing_same_name():
    """An option's destination has one spelling and one set of choices in every command."""
    flags, choices = {}, {}
    for path, p in COMMANDS:
        for f, dest, ch in _options(p):
            if not f:
                continue
            flags.setdefault(dest, set()).add(f)
            if ch is not None:
                choices.setdefault(dest, set()).add(tuple(ch))
    assert {d: s for d, s in flags.items() if len(s) > 1} == {}
    assert {d: s for d, s in choices.items() if len(s) > 1} == {}
    by_flag = {}
    for dest, fs in flags.items():
        for f in fs:
            for o in f:
                by_flag.setdefault(o, set()).add(dest)
    assert {o: d for o, d in by_flag.items() if len(d) > 1} == {}


def test_old_option_names_still_work_hidden(capsys):
    p = build_parser()
    ns = p.parse_args(["chart", "x", "-o", "c.png", "--metric", "time"])
    assert ns.load_unit == "moving_time"
    ns = p.parse_args(["weekly", "x", "--unit", "trimp"])
    assert ns.load_unit == "trimp"
    assert "deprecated: use --load-unit" in capsys.readouterr().err
    assert "--metric" not in p.format_help() + dict(COMMANDS)[("chart",)].format_help()


def test_no_argument_prints_help_and_exits_0(capsys):
    assert main([]) == 0
    out = capsys.readouterr()
    assert out.out.startswith("usage: runlens") and "analyze" in out.out and out.err == ""


def test_mistyped_command_suggests(capsys):
    with pytest.raises(SystemExit) as e:
        main(["analyz", "x.fit"])
    assert e.value.code == 2
    assert "did you mean 'analyze'?" in capsys.readouterr().err


def test_analyse_is_analyze():
    p = build_parser()
    assert p.parse_args(["analyse", "x.fit"]).func is p.parse_args(["analyze", "x.fit"]).func


def test_config_help_shows_the_default_path(monkeypatch, tmp_path):
    monkeypatch.delenv("RUNLENS_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "500")  # argparse wraps long paths at hyphens
    helps = dict(_commands())
    text = " ".join(helps[("scan",)].format_help().split())
    assert str(tmp_path / "runlens" / "config.toml") in text


def test_main_leaves_the_callers_collector_as_it_was(capsys):
    """main() raises the young-generation threshold while a command runs (startup
    allocations live until exit) and gives a caller's process its own back."""
    import gc

    gc.set_threshold(700, 10, 10)
    try:
        assert main([]) == 0
        assert gc.get_threshold() == (700, 10, 10)
        with pytest.raises(SystemExit):
            main(["--version"])
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        gc.set_threshold(700, 10, 10)
    capsys.readouterr()
