"""``aib-pilot diagnose``: explain a failed AIB build from its log and/or status message.

Local mode (this module): ``aib-pilot diagnose [FILE|-] [--template T.json] [--status-message TEXT]``.
Remote mode (``--resource-group/--name``, fetching the log from Azure) plugs in at ``run()``:
it only has to produce the same ``diagnose()`` call with the downloaded log.

Exit codes: 0 no failure found, 1 a failure was diagnosed, 2 bad input.
"""

from __future__ import annotations

import argparse
import os
import sys

from aib_pilot.errors import EXIT_BUILD_FAILED, EXIT_OK, UsageError
from aib_pilot.report import FORMATS


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "diagnose",
        help="explain a failed build from customization.log and/or the status message",
        description="Read an AIB customization.log (or a pipeline log, `az image builder show` "
                    "output, a lastRunStatus message, an ARM error) and print the failing phase, "
                    "the failing customizer (with --template, its line in the template), the root "
                    "cause and the fix. Exit code 0: no failure found; 1: failure diagnosed; "
                    "2: bad input.",
    )
    p.add_argument("log", nargs="?", metavar="FILE|-",
                   help="the log file to read; '-' reads standard input")
    p.add_argument("--template", metavar="TEMPLATE.json",
                   help="the image template (resource, ARM template or properties object) used to "
                        "map the failing provisioner to its customizer and line")
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="output format (default: text)")
    p.add_argument("--status-message", metavar="TEXT",
                   help="lastRunStatus.message (or any pasted error text) to diagnose with the log")
    from aib_pilot.commands.monitor import add_remote_options

    add_remote_options(p)  # remote mode: -g RG -n NAME diagnoses a template in Azure
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if getattr(args, "resource_group", None) or getattr(args, "name", None):
        if args.log:
            raise UsageError("give either a log FILE or --resource-group/--name, not both.",
                             hint="Remote mode downloads the log itself: aib-pilot diagnose -g RG -n NAME")
        from aib_pilot.commands.monitor import diagnose_remote

        return diagnose_remote(args)
    return diagnose_local(args)


def diagnose_local(args: argparse.Namespace) -> int:
    """Diagnose a local file / stdin; print it in the chosen format; return the exit code."""
    from aib_pilot.diagnosis import diagnose

    if not args.log and not args.status_message:
        raise UsageError("nothing to diagnose: give a log FILE, '-' for standard input, or --status-message.",
                         hint="Example: aib-pilot diagnose customization.log --template image.json")
    if args.template and not os.path.isfile(args.template):
        what = "is a directory" if os.path.isdir(args.template) else "does not exist"
        raise UsageError(f"template file {args.template} {what}.",
                         hint="Pass the image template JSON with --template.")
    log = None
    source = None
    if args.log == "-":
        log, source = sys.stdin.buffer, "-"
    elif args.log:
        log, source = args.log, args.log
    diag = diagnose(log, status_message=args.status_message, template_path=args.template, source=source)
    render(diag.to_dict(), args.format, template_path=args.template)
    return EXIT_BUILD_FAILED if diag.failed else EXIT_OK


def render(diag: dict, fmt: str, *, template_path: str | None = None) -> None:
    from aib_pilot.report import render_diagnosis

    render_diagnosis(diag, fmt, sys.stdout, template_path=template_path)
