"""``aib-pilot lint TEMPLATE.json``: pre-flight checks of an image template (exit 1 on errors)."""

from __future__ import annotations

import argparse
import sys

from aib_pilot.errors import EXIT_BUILD_FAILED, EXIT_OK
from aib_pilot.report import FORMATS


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "lint", help="check an image template for mistakes that make builds fail",
        description="Static checks of an AIB image template (imageTemplate resource, ARM template or "
                    "properties object): apt-get without -y, WindowsUpdate on the default VM size, File "
                    "customizers for big artifacts, timeouts, and more (rules AIB5xx in docs/rules.md). "
                    "Exit code 0: no errors (warnings allowed); 1: errors found; 2: bad input.")
    p.add_argument("template", metavar="TEMPLATE.json", help="the image template to check")
    p.add_argument("--format", "-f", choices=FORMATS, default="text", help="output format (default: text)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from aib_pilot.diagnosis.lint import lint_template
    from aib_pilot.diagnosis.result import Diagnosis
    from aib_pilot.report import render_diagnosis

    result = Diagnosis.from_dict(lint_template(args.template))
    args.outcome = EXIT_BUILD_FAILED if result.failed else EXIT_OK
    render_diagnosis(result, args.format, sys.stdout, template_path=args.template)
    return args.outcome
