"""The ``runlens`` command line: thin, over the library (style.md habit 6).

Subcommands live in ``runlens/cli/cmd_*.py``; each module defines
``register(subparsers)``, which adds its parser and sets ``func``. A library
error becomes one line on stderr and exit status 1; a traceback is shown only
with ``--debug``. ``runlens`` alone prints the help on stdout and exits 0; a
mistyped command gets a "did you mean" and exit status 2.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import pkgutil
import sys
from contextvars import ContextVar

from ..errors import InputError, RunlensError

__all__ = ["main", "build_parser"]

#: Exit statuses.
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 70


class Parser(argparse.ArgumentParser):
    """argparse with a "did you mean" for a mistyped command (``runlens analyz``)."""

    def _check_value(self, action: argparse.Action, value) -> None:
        if isinstance(action, argparse._SubParsersAction) and value not in action.choices:
            import difflib

            names = sorted(action.choices)
            close = difflib.get_close_matches(value, names, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise argparse.ArgumentError(
                action, f"unknown command {value!r}{hint} (commands: {', '.join(names)})"
            )
        super()._check_value(action, value)

    def error(self, message: str):
        if _ONE_COMMAND.get():
            raise _FullParserNeeded  # said by the whole parser, as it always says it
        super().error(message)

    def format_help(self) -> str:
        # Help texts cite the installed docs; done when help is shown, not on every command.
        if not getattr(self, "_cited", False):
            _cite_installed_docs(self)
        return super().format_help()


class _FullParserNeeded(Exception):
    """The one-command parser met an error: the whole parser parses again and says it."""


#: True while :func:`_parse` tries a parser holding only the command named.
_ONE_COMMAND: ContextVar[bool] = ContextVar("runlens_one_command", default=False)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The ``runlens`` parser; ``only``: with just that command (``cmd_ONLY``), which is
    all a command's run needs (registering every command costs about 12 ms)."""
    from .. import __version__

    parser = Parser(
        prog="runlens",
        description="What your watch data says about your running form and training load.",
    )
    parser.add_argument("--version", action="version", version=f"runlens {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("cmd_"))
    if only is not None:
        names = [n for n in names if n == f"cmd_{only}"]
    for name in names:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def _cite_installed_docs(parser: argparse.ArgumentParser) -> None:
    """Help texts cite ``runlens evidence PAGE`` for docs/PAGE.md (not installed as such)."""
    from ..report.docs import cite

    parser._cited = True
    parser.description = cite(parser.description or "") or None
    for group in parser._action_groups:
        group.title = cite(group.title or "") or group.title
        group.description = cite(group.description or "") or group.description
    for action in parser._actions:
        if action.help:
            action.help = cite(action.help)
        if isinstance(action, argparse._SubParsersAction):
            for p in set(action.choices.values()):
                _cite_installed_docs(p)
            for choice in action._choices_actions:
                choice.help = cite(choice.help or "") or choice.help


#: Allocations between two young-generation collections while a command runs (Python's
#: default is 700). A command imports its modules and reads its files once, and nearly
#: everything it allocates lives until it exits, so the default collections mostly
#: traverse live objects: about a tenth of ``runlens analyze FILE`` (docs/performance.md).
#: Collections still run; cyclic garbage is freed a little later.
GC_YOUNG_THRESHOLD = 50_000


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    import gc

    threshold, enabled = gc.get_threshold(), gc.isenabled()
    gc.set_threshold(max(threshold[0], GC_YOUNG_THRESHOLD), *threshold[1:])
    try:
        return _main(argv)
    finally:
        gc.set_threshold(*threshold)  # a caller's process (a notebook, the tests) as it was
        if enabled:
            gc.enable()


def _parse(argv: list[str] | None) -> tuple[argparse.ArgumentParser, argparse.Namespace]:
    """The parser and the parsed arguments. A command named by its module's name
    (``runlens analyze ...``) is parsed by a parser holding that command alone; help,
    an alias, or any error goes to the whole parser, so what is printed is the same."""
    words = sys.argv[1:] if argv is None else list(argv)
    command = next((w for w in words if not w.startswith("-")), None)
    if command and command.isidentifier() and not {"-h", "--help"} & set(words):
        token = _ONE_COMMAND.set(True)
        try:
            parser = build_parser(only=command)
            if any(isinstance(a, argparse._SubParsersAction) and a.choices for a in parser._actions):
                return parser, parser.parse_args(argv)
        except _FullParserNeeded:
            pass
        finally:
            _ONE_COMMAND.reset(token)
    parser = build_parser()
    return parser, parser.parse_args(argv)


def _main(argv: list[str] | None) -> int:
    parser, args = _parse(argv)
    if not getattr(args, "func", None):  # `runlens` alone: help on stdout, as asked for
        parser.print_help()
        return EXIT_OK
    if argv is None and args.func.__module__.endswith(".cmd_analyze"):
        _without_pyarrow()
        # The process reads one file and exits: no collector passes at all (they were
        # 5 % of the command at the threshold above); what it leaves goes with it.
        import gc

        gc.disable()
    from ..lifeline import terminate_on_signals

    terminate_on_signals()  # SIGTERM/SIGHUP stop a scan as Ctrl-C does, workers included
    try:
        return int(args.func(args) or 0)
    except InputError as exc:  # a value out of its range or unit: a usage error
        print(f"runlens: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except RunlensError as exc:
        from ..report.console import error_text

        print(f"runlens: error: {error_text(exc)}", file=sys.stderr)  # no raw escapes
        return EXIT_FAILED
    except KeyboardInterrupt as exc:
        print("runlens: interrupted", file=sys.stderr)
        return 128 + getattr(exc, "signum", 2)
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            if args.debug:
                raise
            return _internal(exc)
        print(
            f"runlens: error: {exc.filename or 'output'}: disk full ({exc.strerror})",
            file=sys.stderr,
        )
        return EXIT_FAILED
    except Exception as exc:
        if args.debug:
            raise
        if "database or disk is full" in str(exc):  # an SQLite write outside the store's map
            print(f"runlens: error: disk full ({exc})", file=sys.stderr)
            return EXIT_FAILED
        return _internal(exc)


def _without_pyarrow() -> None:
    """Keep pyarrow out of a ``runlens analyze`` process.

    pandas 3 imports pyarrow whenever it is installed (the dask and test extras
    install it): about a fifth of the command's time and 50 MiB, for nothing this
    command uses. Only in a process of its own (``main()`` without arguments, as the
    console script and ``python -m runlens`` call it), never in a caller's.
    """
    if "pyarrow" not in sys.modules and "pandas" not in sys.modules:
        sys.modules["pyarrow"] = None  # an import of it raises ImportError: pandas goes without


def _internal(exc: BaseException) -> int:
    print(
        f"runlens: internal error: {type(exc).__name__}: {exc} "
        "(this is a bug in runlens; run with --debug for details)",
        file=sys.stderr,
    )
    return EXIT_INTERNAL
