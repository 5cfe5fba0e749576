"""``aib-pilot diagnose``: explain a failed AIB build from its log and/or status message.

Local mode (this module): ``aib-pilot diagnose [FILE|-] [--template T.json] [--status-message TEXT]``.
Remote mode (``--resource-group/--name``, fetching the log from Azure) plugs in at ``run()``:
it only has to produce the same ``diagnose()`` call with the downloaded log.

Exit codes: 0 no failure found, 1 a failure was diagnosed, 2 bad input; remote mode also 3 and 5.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from aib_pilot.commands import SUMMARIES
from aib_pilot.errors import EXIT_BUILD_FAILED, EXIT_OK, UsageError
from aib_pilot.report import FORMATS

if TYPE_CHECKING:
    from aib_pilot.command_options import LocalDiagnoseOptions


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "diagnose",
        help=SUMMARIES["diagnose"],
        description="Read an AIB customization.log (or a pipeline log, 'az image builder show' "
                    "output, a lastRunStatus message, an ARM error) and print the failing phase, "
                    "the failing customizer (with --template, its line in the template), the root "
                    "cause and the fix. With -g RG -n NAME instead of a FILE, diagnose a template "
                    "in Azure: its rejected submission, or its last run's log (downloaded to "
                    "--log-dir). Exit code 0: no failure found; 1: failure diagnosed; "
                    "2: bad input; remote mode: 3 Azure access error, 5 Azure unavailable (try again).",
    )
    p.add_argument("log", nargs="?", metavar="FILE|-",
                   help="the log file to read; '-' reads standard input")
    p.add_argument("--template", metavar="TEMPLATE.json",
                   help="the image template (resource, ARM template or properties object) used to "
                        "map the failing provisioner to its customizer and line")
    p.add_argument("--format", "-f", choices=FORMATS, default="text",
                   help="output format (default: text)")
    p.add_argument("--status-message", metavar="TEXT",
                   help="lastRunStatus.message (or any pasted error text) to diagnose with the log")
    from aib_pilot.commands.fetch_and_diagnose import add_remote_options

    add_remote_options(p)  # remote mode: -g RG -n NAME diagnoses a template in Azure
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if getattr(args, "resource_group", None) or getattr(args, "name", None):
        if args.log:
            raise UsageError("give either a log FILE or --resource-group/--name, not both.",
                             hint="Remote mode downloads the log itself: aib-pilot diagnose -g RG -n NAME")
        from aib_pilot.commands import fetch_and_diagnose

        return fetch_and_diagnose.run(args)
    from aib_pilot.command_options import LocalDiagnoseOptions

    opts = LocalDiagnoseOptions.from_args(args)
    diag = diagnose_local(opts)
    # the outcome is known before anything is printed: a reader that stops early (| head -1) does
    # not change it
    args.outcome = EXIT_BUILD_FAILED if diag.failed else EXIT_OK
    render(diag.result(), opts.format, template_path=opts.template_path)
    return args.outcome


def diagnose_local(opts: LocalDiagnoseOptions):
    """Diagnose a local file / stdin; returns the Diagnosis."""
    from aib_pilot.diagnosis import diagnose

    if not opts.log and not opts.status_message:
        raise UsageError("nothing to diagnose: give a log FILE, '-' for standard input, or --status-message.",
                         hint="Example: aib-pilot diagnose customization.log --template image.json")
    if opts.template_path and not os.path.isfile(opts.template_path):
        what = "is a directory" if os.path.isdir(opts.template_path) else "does not exist"
        raise UsageError(f"template file {opts.template_path} {what}.",
                         hint="Pass the image template JSON with --template.")
    log = None
    source = None
    has_status = bool(opts.status_message)
    if opts.log == "-":
        if sys.stdin is None:  # started with stdin closed (`<&-`)
            raise UsageError("standard input is closed: there is no log to read from it.",
                             hint="Pipe the log in (aib-pilot diagnose - < customization.log) or pass the file.")
        if sys.stdin.isatty():
            from aib_pilot.report.console import process_console

            process_console().info("reading the log from standard input; end it with Ctrl-D "
                                   "(or pass the log file instead of '-').")
        head = sys.stdin.buffer.read(SNIFF_BYTES)
        check_log_head(head, "standard input", has_status=has_status)
        log, source = _Prepended(head, sys.stdin.buffer), "-"
    elif opts.log and os.path.exists(opts.log) and not os.path.isfile(opts.log) and not os.path.isdir(opts.log):
        # a FIFO (process substitution), /dev/stdin, a device: read like standard input, without
        # waiting for ever on a FIFO that no process writes to
        head, rest = read_special(opts.log)
        check_log_head(head, f"log file {opts.log}", has_status=has_status, path=opts.log)
        log, source = _Prepended(head, rest), opts.log
    elif opts.log:
        if os.path.isfile(opts.log):
            try:
                with open(opts.log, "rb") as fh:
                    head = fh.read(SNIFF_BYTES)
            except OSError as exc:
                raise UsageError(f"cannot read log file {opts.log}: {exc.strerror}.",
                                 hint="Check the file's permissions.") from None
            check_log_head(head, f"log file {opts.log}", has_status=has_status, path=opts.log)
        log, source = opts.log, opts.log
    return diagnose(log, status_message=opts.status_message, template_path=opts.template_path, source=source)


SNIFF_BYTES = 8192
_ARCHIVES = ((b"\x1f\x8b", "gzip-compressed", "Unpack it first (gunzip -k FILE)"),
             (b"PK\x03\x04", "a zip archive", "Extract customization.log from it first (unzip FILE)"),
             (b"BZh", "bzip2-compressed", "Unpack it first (bunzip2 -k FILE)"),
             (b"\xfd7zXZ\x00", "xz-compressed", "Unpack it first (unxz -k FILE)"))


def check_log_head(head: bytes, what: str, *, has_status: bool, path: str = "FILE") -> None:
    """Refuse input that cannot be a log (empty, an archive, binary) with one line saying so.

    A log in UTF-16 with a BOM (PowerShell's ``>``) is text; NUL bytes or mostly undecodable
    bytes anywhere else mean a binary file was passed by mistake.
    """
    if not head:
        if has_status:
            return  # the status message alone is diagnosed
        raise UsageError(f"{what} is empty: there is no log to diagnose.",
                         hint="Pass the failed run's customization.log (download it with "
                              "'aib-pilot logs -g RG -n NAME'), or the error text with --status-message.")
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return
    for magic, kind, fix in _ARCHIVES:
        if head.startswith(magic):
            raise UsageError(f"{what} is {kind}, not a text log.",
                             hint=f"{fix.replace('FILE', path)}, then diagnose the log.")
    text = head.decode("utf-8", errors="replace")
    if b"\x00" in head or text.count("\ufffd") > len(text) * 0.3:
        raise UsageError(f"{what} looks binary, not like a text log.",
                         hint="Pass customization.log (plain text) or a pipeline log saved as text.")


FIFO_WAIT = 30.0  # seconds to wait for the first bytes from a FIFO before saying no one writes to it


def read_special(path: str, wait: float | None = None):
    """(first bytes, a reader of the rest) of a FIFO or device; a FIFO silent for FIFO_WAIT is refused."""
    import select
    import stat

    try:
        is_fifo = stat.S_ISFIFO(os.stat(path).st_mode)
        fd = os.open(path, os.O_RDONLY | (os.O_NONBLOCK if is_fifo else 0))
    except OSError as exc:
        raise UsageError(f"cannot read log file {path}: {exc.strerror}.", hint="Check the path and its permissions.") from None
    if is_fifo:
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLHUP)
        wait = FIFO_WAIT if wait is None else wait
        if not poller.poll(wait * 1000):
            os.close(fd)
            raise UsageError(f"log file {path} is a FIFO that no process wrote to within {wait:g} seconds.",
                             hint="Start the writer first (e.g. aib-pilot diagnose <(az ...)), or pass a regular file.")
        os.set_blocking(fd, True)
    reader = os.fdopen(fd, "rb")
    return reader.read(SNIFF_BYTES), reader


class _Prepended:
    """A binary reader that returns ``head`` (already read to check it) before the rest of ``rest``."""

    def __init__(self, head: bytes, rest) -> None:
        self._head, self._rest = head, rest

    def read(self, size: int = -1) -> bytes:
        if self._head:
            out, self._head = self._head, b""
            return out
        return self._rest.read(size)


def render(diag, fmt: str, *, template_path: str | None = None) -> None:
    """Print ``diag`` (a Diagnosis) in ``fmt`` on standard output."""
    from aib_pilot.report import render_diagnosis

    render_diagnosis(diag, fmt, sys.stdout, template_path=template_path)
