"""The ``acsi`` program: parser, command registry, the one error handler and the exit codes.

Every command module registers its sub-parser through ``register(subparsers)``; the
registry :data:`COMMANDS` lists them explicitly, so a broken command module is an import
error, never a silently missing command.  Errors are printed on one line,
``acsi <command>: error: <what is wrong and how to fix it>``, never as a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys

from . import aggregate, compare, demo, fit, models, production, report, simulate, toolkit

__all__ = ["COMMANDS", "EXIT_CODES", "build_parser", "main"]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_FILE = 3
EXIT_INTERRUPTED = 130

#: Exit status -> meaning; the same error gives the same status in every command.
EXIT_CODES = {
    EXIT_OK: "success",
    EXIT_ERROR: "the data, the model or the results cannot be used as given (the message says why)",
    EXIT_USAGE: "bad command line: unknown command or option, or an option value that is not allowed",
    EXIT_FILE: "an input file or directory is missing or unreadable, or an output cannot be written",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C)",
}

#: The commands, in the order ``acsi --help`` lists them.
COMMANDS = (models, fit, demo, aggregate, compare, report, toolkit, simulate, production)


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (``acsi fit: error: ...``) and the documented usage exit code."""

    def error(self, message: str):  # noqa: D401 - argparse's hook
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _version() -> str:
    from ..provenance import acsi_version

    return f"acsi {acsi_version()}"


class _VersionAction(argparse.Action):
    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        print(_version())
        parser.exit(EXIT_OK)


def build_parser() -> argparse.ArgumentParser:
    """The ``acsi`` argument parser with every registered command."""
    codes = "\n".join(f"  {code:<4} {meaning}" for code, meaning in EXIT_CODES.items())
    p = _Parser(
        prog="acsi",
        description="Customer-satisfaction index models: fit, score, aggregate, report.",
        epilog=f"exit status:\n{codes}\n\nRun 'acsi COMMAND --help' for the options of a command.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action=_VersionAction, help="print the version and exit")
    p.add_argument("-v", "--verbose", action="count", default=0,
                   help="log what acsi does (-v: steps, -vv: details) on stderr")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS:
        command.register(sub)
    return p


def _leaf(parser: argparse.ArgumentParser, command: str | None) -> argparse.ArgumentParser | None:
    """The parser of ``command``, which may name a sub-command (``"metrics nps"``)."""
    p = parser
    for name in (command or "").split():
        action = next((a for a in p._actions if isinstance(a, argparse._SubParsersAction)), None)
        if action is None or name not in action.choices:
            return None
        p = action.choices[name]
    return p if command else None


def _command(parser: argparse.ArgumentParser, args: argparse.Namespace) -> str | None:
    """The command the arguments ran, sub-commands included (``"metrics nps"``)."""
    names, p = [], parser
    while True:
        action = next((a for a in p._actions if isinstance(a, argparse._SubParsersAction)), None)
        name = getattr(args, action.dest, None) if action is not None else None
        if name is None or name not in action.choices:
            return " ".join(names) or None
        names.append(name)
        p = action.choices[name]


def _flag_for(parser: argparse.ArgumentParser, command: str | None, parameter: str | None) -> str | None:
    """The option of ``command`` whose destination is the library parameter ``parameter`` (``--confidence``)."""
    sub = _leaf(parser, command)
    if sub is None or not parameter:
        return None
    for a in sub._actions:  # --jobs is the library's n_jobs
        if a.dest in (parameter, parameter.removeprefix("n_")) and a.option_strings:
            return max(a.option_strings, key=len)
    return None


def _fail(command: str | None, message: str, code: int) -> int:
    where = f"acsi {command}" if command else "acsi"
    text = " ".join(str(message).split())  # one line
    print(f"{where}: error: {text}", file=sys.stderr)
    return code


def main(argv=None) -> int:
    """Run ``acsi`` with ``argv`` (default: ``sys.argv[1:]``); returns the exit status (see :data:`EXIT_CODES`)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors: argparse printed the message
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    from ..errors import AcsiError, InputFileError, InvalidParameterError
    from ..log import configure

    configure(verbose=args.verbose, quiet=bool(getattr(args, "quiet", False)))
    command = _command(parser, args)
    try:
        return int(args.func(args) or 0)
    except InvalidParameterError as exc:
        flag = _flag_for(parser, command, getattr(exc, "parameter", None))
        if flag is not None and getattr(exc, "expected", None):
            return _fail(command, f"{flag} must be {exc.expected}. Got {exc.value!r} instead.", EXIT_USAGE)
        return _fail(command, str(exc), EXIT_USAGE)
    except InputFileError as exc:
        return _fail(command, str(exc), EXIT_FILE)
    except AcsiError as exc:
        return _fail(command, str(exc), EXIT_ERROR)
    except ImportError as exc:  # an optional dependency (pyreadstat, dask) is not installed
        return _fail(command, str(exc), EXIT_ERROR)
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:  # disk full, permission denied, missing file
        name = f" {exc.filename!r}" if getattr(exc, "filename", None) else ""
        return _fail(command, f"{exc.strerror or exc}{name}", EXIT_FILE)
    except KeyboardInterrupt:
        return _fail(command, "interrupted", EXIT_INTERRUPTED)
