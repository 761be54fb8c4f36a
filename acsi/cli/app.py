"""The ``acsi`` program: parser, command registry, the one error handler and the exit codes.

Every command module registers its sub-parser through ``register(subparsers)``; the
registry :data:`COMMANDS` lists them explicitly, so a broken command module is an import
error, never a silently missing command.  Errors are printed on one line,
``acsi <command>: error: <what is wrong and how to fix it>``, never as a traceback; warnings
on one line too (``acsi <command>: warning: ...``).  Ctrl-C and SIGTERM end a command with one
line saying what it had saved and what not (:class:`Steps`); results folders are written
whole or not at all (:mod:`acsi.tables`), so an interrupted run never leaves half a folder.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import warnings

from . import aggregate, compare, demo, fit, models, production, report, simulate, toolkit

__all__ = ["COMMANDS", "EXIT_CODES", "build_parser", "main"]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_FILE = 3
EXIT_NO_INDEX = 4
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143

#: Exit status -> meaning; the same error gives the same status in every command.
EXIT_CODES = {
    EXIT_OK: "success",
    EXIT_ERROR: "the data, the model or the results cannot be used as given (the message says why)",
    EXIT_USAGE: "bad command line: unknown command or option, or an option value that is not allowed",
    EXIT_FILE: "an input file or directory is missing or unreadable, or an output cannot be written (place, "
               "permissions, free space, another run writing the same folder)",
    EXIT_NO_INDEX: "acsi fit: no unit produced an index (every unit failed; the results are saved with each "
                   "unit's reason)",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C); the message says what was saved",
    EXIT_TERMINATED: "terminated (SIGTERM); the message says what was saved",
}


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that it unwinds like Ctrl-C (partial folders removed)."""


class Steps:
    """What a command has saved so far and what it is doing, for the one line printed on an interrupt.

    A command calls :meth:`doing` before each step and :meth:`saved` after each output is in
    place; :meth:`interrupted` words the line: ``interrupted (Ctrl-C) during the bootstrap:
    saved the fit (24 files) in /x/results; not saved: the bootstrap``.
    """

    def __init__(self) -> None:
        self.done: list[str] = []
        self.current: str | None = None
        self.unchanged: str | None = None

    def doing(self, what: str) -> None:
        self.current = what

    def saved(self, what: str) -> None:
        self.done.append(what)
        self.current = None

    def interrupted(self, how: str) -> str:
        during = f" during {self.current}" if self.current else ""
        if self.done:
            text = f"interrupted ({how}){during}: saved {'; '.join(self.done)}"
            return text + (f"; not saved: {self.current} (none of its files were written)" if self.current else "")
        state = "is unchanged" if os.path.exists(self.unchanged or "") else "was not created"
        where = f"; the output {self.unchanged} {state}" if self.unchanged else ""
        return f"interrupted ({how}){during}: nothing was saved{where}"

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


#: Library parameters whose option is not named after them.
_PARAMETER_FLAGS = {"n_boot": "bootstrap"}


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
    dests = (parameter, parameter.removeprefix("n_"), _PARAMETER_FLAGS.get(parameter))
    for a in sub._actions:  # --jobs is the library's n_jobs
        if a.dest in dests and a.option_strings:
            return max(a.option_strings, key=len)
    return None


def _fail(command: str | None, message: str, code: int) -> int:
    where = f"acsi {command}" if command else "acsi"
    text = " ".join(str(message).split())  # one line
    print(f"{where}: error: {text}", file=sys.stderr)
    return code


_NEGATIVE = re.compile(r"^-\d[\d.,;-]*$")  # -9,-8 or -5: a value, not an option


def _negative_values(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """``--missing-codes -9,-8`` -> ``--missing-codes=-9,-8``: argparse reads a value starting with '-' as an option."""
    takes_value = set()
    for action in [parser, *_subparsers(parser).values()]:
        for a in action._actions:
            if a.option_strings and a.nargs is None:
                takes_value.update(a.option_strings)
    out: list[str] = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in takes_value and i + 1 < len(argv) and _NEGATIVE.match(argv[i + 1]):
            out.append(f"{a}={argv[i + 1]}")
            i += 2
            continue
        out.append(a)
        i += 1
    return out


def _subparsers(parser: argparse.ArgumentParser) -> dict:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _one_line_warnings(command: str | None):
    """Show warnings as ``acsi <command>: warning: ...`` (one line, no source line), unless someone
    (a test, a notebook) has taken over :func:`warnings.showwarning`."""
    if warnings.showwarning is not getattr(warnings, "_showwarning_orig", None):
        return None
    where = f"acsi {command}" if command else "acsi"

    def show(message, category, filename, lineno, file=None, line=None):
        print(f"{where}: warning: {' '.join(str(message).split())}", file=file or sys.stderr)

    previous = warnings.showwarning
    warnings.showwarning = show
    return previous


def _on_sigterm(signum, frame):  # noqa: ARG001 - signal handler signature
    raise Terminated()


def main(argv=None) -> int:
    """Run ``acsi`` with ``argv`` (default: ``sys.argv[1:]``); returns the exit status (see :data:`EXIT_CODES`)."""
    parser = build_parser()
    argv = _negative_values(parser, list(sys.argv[1:] if argv is None else argv))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors: argparse printed the message
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    from ..log import configure

    configure(verbose=args.verbose, quiet=bool(getattr(args, "quiet", False)))
    args.steps = Steps()
    previous_show = _one_line_warnings(_command(parser, args))
    in_main = _in_main_thread()
    previous_term = signal.signal(signal.SIGTERM, _on_sigterm) if in_main else None
    try:
        return _run(parser, args)
    finally:
        if previous_show is not None:
            warnings.showwarning = previous_show
        if in_main:
            signal.signal(signal.SIGTERM, previous_term)


def _in_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _run(parser: argparse.ArgumentParser, args) -> int:
    """Run the command with the one error handler."""
    from ..errors import AcsiError, InputFileError, InvalidParameterError, NoIndexError, OutputError

    command = _command(parser, args)
    try:
        return int(args.func(args) or 0)
    except InvalidParameterError as exc:
        flag = _flag_for(parser, command, getattr(exc, "parameter", None))
        hint = getattr(exc, "hint", "")
        if flag is not None and getattr(exc, "expected", None):
            return _fail(command, f"{flag} must be {exc.expected}. Got {exc.value!r} instead.{hint}", EXIT_USAGE)
        return _fail(command, str(exc), EXIT_USAGE)
    except (InputFileError, OutputError) as exc:
        return _fail(command, str(exc), EXIT_FILE)
    except NoIndexError as exc:
        return _fail(command, str(exc), EXIT_NO_INDEX)
    except AcsiError as exc:
        return _fail(command, str(exc), EXIT_ERROR)
    except ImportError as exc:  # an optional dependency (pyreadstat, dask) is not installed
        return _fail(command, str(exc), EXIT_ERROR)
    except MemoryError:  # an environment error: say what to change, no traceback
        return _fail(command, f"out of memory during {args.steps.current or 'the command'}; use fewer replicates, "
                              "units or workers (--jobs), or a machine with more memory", EXIT_ERROR)
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:  # disk full, permission denied, missing file
        name = f" {exc.filename!r}" if getattr(exc, "filename", None) else ""
        return _fail(command, f"{exc.strerror or exc}{name}", EXIT_FILE)
    except Terminated:
        return _fail(command, args.steps.interrupted("SIGTERM"), EXIT_TERMINATED)
    except KeyboardInterrupt:
        return _fail(command, args.steps.interrupted("Ctrl-C"), EXIT_INTERRUPTED)
