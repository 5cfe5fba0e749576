"""The ``aib-pilot`` command line: a thin edge over the commands in ``aib_pilot.commands``.

Each command module exposes ``register(subparsers)`` (adds its parser and sets ``func``) and a
``run(args) -> int`` function. Errors derived from :class:`aib_pilot.errors.PilotError` are printed
as one line on stderr and mapped to their exit code; nothing reaches the user as a traceback
unless ``AIB_PILOT_DEBUG=1`` is set.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys

from aib_pilot import __version__
from aib_pilot.commands import SUMMARIES
from aib_pilot.errors import EXIT_BUILD_FAILED, EXIT_INTERNAL, EXIT_USAGE, PilotError

# Order here is the order of `aib-pilot --help`.
COMMANDS = tuple(SUMMARIES)


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line with the fix, and exit code 2."""

    def error(self, message: str) -> None:  # noqa: D401 - argparse API
        raise PilotError(_usage_message(self.prog, message), hint=f"Run '{self.prog} --help' for the options.")


_BAD_NUMBER = re.compile(r"argument (?P<opt>[^:]+): invalid (?:float|int) value: (?P<value>'.*')$")



def _search_engine() -> str:
    """Which engine reads logs here (without importing it: start-up stays fast)."""
    import importlib.util  # noqa: PLC0415
    import os  # noqa: PLC0415

    forced = os.environ.get("AIB_PILOT_ENGINE", "").lower()
    if forced != "python" and importlib.util.find_spec("hyperscan") is not None:
        return "log search: hyperscan for logs over 4 MB, pure Python below"
    return "log search: pure Python, hyperscan not installed" if forced != "python" else \
        "log search: pure Python, AIB_PILOT_ENGINE=python"

def _usage_message(prog: str, message: str) -> str:
    """argparse's message as one sentence, naming the command once (the edge adds 'aib-pilot:')."""
    bad_number = _BAD_NUMBER.match(message)
    if bad_number:
        opt = bad_number["opt"].split("/")[0]
        message = f"{opt} takes a number, not {bad_number['value']}"
    command = prog.split(" ", 1)[1] if " " in prog else ""
    return f"{command}: {message}." if command else f"{message}."


def _ci_format(argv: list[str] | None, args: argparse.Namespace | None) -> str | None:
    """The CI format (github / azure-devops) the failing command was meant to print in, if any.

    Mirrors ``options.resolve_format`` without raising: the explicit --format (also when argparse
    rejected another argument), else AIB_PILOT_FORMAT, else the runner's own variables.
    """
    fmt = getattr(args, "format", None)
    if fmt is None:
        words = list(sys.argv[1:] if argv is None else argv)
        for i, word in enumerate(words):
            if word in ("--format", "-f") and i + 1 < len(words):
                fmt = words[i + 1]
            elif word.startswith("--format="):
                fmt = word.split("=", 1)[1]
    fmt = fmt or os.environ.get("AIB_PILOT_FORMAT")
    if not fmt:
        if os.environ.get("GITHUB_ACTIONS") == "true":
            fmt = "github"
        elif os.environ.get("TF_BUILD"):
            fmt = "azure-devops"
    return fmt if fmt in ("github", "azure-devops") else None


def _redacted(text: str) -> str:
    """The text with secrets masked (``redact`` is loaded on the error paths only)."""
    from aib_pilot.redact import redact  # noqa: PLC0415

    return redact(text)


def _console():
    from aib_pilot.report.console import process_console

    return process_console()


def _report_error(line: str, argv: list[str] | None, args: argparse.Namespace | None) -> None:
    """Print the one error line on stderr and, inside GitHub Actions / Azure Pipelines, also as an
    error annotation / task issue so it shows on the run page, not only deep in the log.

    The line quotes the user's input (a file name, a template key, a step input): the console
    masks secrets and neutralises runner commands in it, on stderr as on stdout."""
    _console().error(line)
    fmt = _ci_format(argv, args)
    if fmt is None:
        return
    try:
        from aib_pilot.report import make_sink

        sys.stderr.flush()
        make_sink(fmt, out=sys.stdout, live_log="off").error(line)
        sys.stdout.flush()
    except Exception:  # noqa: BLE001 - the stderr line above is the report that must not fail
        pass


class _VersionAction(argparse._VersionAction):  # noqa: SLF001 - argparse's own action
    """``--version``: the version and the log search engine, worked out only when asked for."""

    def __call__(self, parser, namespace, values, option_string=None):
        self.version = f"aib-pilot {__version__} ({_search_engine()})"
        super().__call__(parser, namespace, values, option_string)


def build_parser(commands: tuple[str | None, ...] | None = None) -> argparse.ArgumentParser:
    """The ``aib-pilot`` parser. ``commands``: the commands whose options are loaded (default:
    all). The others are listed in ``--help`` by their summary only: starting one command then
    imports its own module, not every command's option tables and what they import."""
    parser = _Parser(
        prog="aib-pilot",
        description="Run Azure VM Image Builder builds from CI, monitor them asynchronously, "
        "and explain failures.",
    )
    parser.add_argument("--version", action=_VersionAction)
    # prog given: argparse would otherwise format a usage line (and ask the terminal's width) for it
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser, prog=parser.prog)
    for name, summary in SUMMARIES.items():
        if commands is None or name in commands:
            importlib.import_module(f"aib_pilot.commands.{name}").register(sub)
        else:
            sub.add_parser(name, help=summary)
    return parser


def _command_word(argv: list[str] | None) -> str | None:
    """The command named on the command line: the first word that is not an option (the
    top-level options take no value)."""
    words = sys.argv[1:] if argv is None else argv
    return next((w for w in words if not w.startswith("-")), None)



def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush into the closed pipe is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass

def main(argv: list[str] | None = None) -> int:
    args = None
    try:
        # inside the try: Ctrl-C while the command loads is no traceback
        parser = build_parser(commands=(_command_word(argv),))
        args, extra = parser.parse_known_args(argv)
        if extra:  # name the command whose options were wrong, and its own --help
            prog = f"aib-pilot {args.command}" if getattr(args, "command", None) else "aib-pilot"
            raise PilotError(_usage_message(prog, f"unrecognized arguments: {' '.join(extra)}"),
                             hint=f"Run '{prog} --help' for the options.")
        if not getattr(args, "func", None):
            _console().line(parser.format_help().rstrip("\n"), err=True)
            return EXIT_USAGE
        return int(args.func(args) or 0)
    except PilotError as exc:
        _report_error(_redacted(exc.one_line()), argv, args)
        return exc.exit_code
    except KeyboardInterrupt:
        _console().info("interrupted.")
        return 130
    except BrokenPipeError:
        # The reader of stdout went away (`| head -1`). The exit status stays the outcome's: a
        # failed build piped into head must still fail a `pipefail` step; when the command had not
        # decided its outcome yet, it did not finish, which is no success either.
        _silence_stdout()
        return getattr(args, "outcome", EXIT_BUILD_FAILED)
    except Exception as exc:  # a bug or an unexpected SDK error: one line, not a traceback
        if os.environ.get("AIB_PILOT_DEBUG") == "1":
            raise
        first = _redacted(str(exc)).splitlines()[0] if str(exc).strip() else ""
        _console().error(f"unexpected {type(exc).__name__}: {first} "
                         "(set AIB_PILOT_DEBUG=1 for the traceback and please report it)")
        return EXIT_INTERNAL
