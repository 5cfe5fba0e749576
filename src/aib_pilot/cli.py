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
import sys

from aib_pilot import __version__
from aib_pilot.errors import EXIT_BUILD_FAILED, EXIT_USAGE, PilotError
from aib_pilot.redact import redact

# Order here is the order of `aib-pilot --help`.
COMMANDS = (
    "run",
    "submit",
    "monitor",
    "diagnose",
    "logs",
    "cancel",
    "cleanup",
    "lint",
    "demo",
)


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line with the fix, and exit code 2."""

    def error(self, message: str) -> None:  # noqa: D401 - argparse API
        raise PilotError(f"{self.prog}: {message}.", hint=f"Run '{self.prog} --help' for the options.")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="aib-pilot",
        description="Run Azure VM Image Builder builds from CI, monitor them asynchronously, "
        "and explain failures.",
    )
    parser.add_argument("--version", action="version", version=f"aib-pilot {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"aib_pilot.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"aib_pilot.commands.{name}":
                continue  # command not built yet
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        return int(args.func(args) or 0)
    except PilotError as exc:
        print(f"aib-pilot: error: {redact(exc.one_line())}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("aib-pilot: interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug or an unexpected SDK error: one line, not a traceback
        if os.environ.get("AIB_PILOT_DEBUG") == "1":
            raise
        print(
            f"aib-pilot: error: unexpected {type(exc).__name__}: {redact(str(exc)).splitlines()[0] if str(exc) else ''} "
            "(set AIB_PILOT_DEBUG=1 for the traceback and please report it)",
            file=sys.stderr,
        )
        return EXIT_BUILD_FAILED
