"""``aib-pilot lint TEMPLATE.json...``: pre-flight checks of image templates (exit 1 on errors)."""

from __future__ import annotations

import argparse
import sys

from aib_pilot.commands import SUMMARIES
from aib_pilot.errors import EXIT_BUILD_FAILED, EXIT_OK, UsageError
from aib_pilot.options import info, number_text
from aib_pilot.report import FORMATS

LINT_FORMATS = (*FORMATS, "sarif")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "lint", help=SUMMARIES["lint"],
        description="Static checks of AIB image templates (imageTemplate resource, ARM template or "
                    "properties object): apt-get without -y, WindowsUpdate on the default VM size, File "
                    "customizers for big artifacts, timeouts against the monitoring budget, restarts inside "
                    "script steps, and more (rules AIB5xx in docs/rules.md). "
                    "Exit code 0: no errors (warnings allowed); 1: errors found; 2: bad input.")
    p.add_argument("template", metavar="TEMPLATE.json", nargs="*", help="the image template(s) to check")
    p.add_argument("--template", "-t", dest="more_templates", metavar="FILE", action="append", default=[],
                   help="one more template (repeatable; what the action's template input passes)")
    p.add_argument("--format", "-f", choices=LINT_FORMATS, default="text",
                   help="output format (default: text); sarif: one SARIF 2.1.0 log for GitHub code scanning; "
                   "json: one object per template, one per line")
    p.add_argument("--output", "-o", metavar="FILE",
                   help="write the sarif/json report to FILE instead of stdout (e.g. for upload-sarif)")
    p.add_argument("--budget", type=number_text, metavar="MINUTES",
                   help="the budget of each monitoring job (as monitor --budget; default: AIB_PILOT_BUDGET): "
                   "warn when buildTimeoutInMinutes is longer than --runs such jobs watch")
    p.add_argument("--runs", type=int, metavar="N",
                   help="how many monitoring jobs watch the build: the first plus its resumes (default 1)")
    # Files come as positionals or --template: the step adapters name the template input when neither is there.
    p.set_defaults(func=run, files_required=("--template", "-t"))


def _budget_chain(args) -> tuple[float | None, int]:
    from aib_pilot.options import budget_seconds

    seconds = budget_seconds(args)
    runs = args.runs if args.runs is not None else 1
    if args.runs is not None and args.runs < 1:
        raise UsageError(f"--runs {args.runs} is not usable: give how many monitoring jobs watch the build.",
                         hint="Use e.g. --runs 3 (one job and two resumes).")
    if args.runs is not None and seconds is None:
        raise UsageError("--runs needs --budget (the minutes each monitoring job watches).",
                         hint="Add e.g. --budget 50.")
    return (seconds / 60.0 if seconds is not None else None), runs


def run(args: argparse.Namespace) -> int:
    from aib_pilot.diagnosis.lint import lint_template
    from aib_pilot.diagnosis.result import Diagnosis
    from aib_pilot.report import render_diagnosis

    if args.output and args.format not in ("sarif", "json"):
        raise UsageError(f"--output writes a sarif or json report, not {args.format}.",
                         hint="Add --format sarif (or json), or drop --output.")
    args.template = [*args.more_templates, *args.template]
    if not args.template:
        raise UsageError("lint needs at least one template file.", hint="Add the template JSON path(s), e.g. "
                         "aib-pilot lint images/web.json.")
    budget, runs = _budget_chain(args)
    results = [lint_template(path, budget_minutes=budget, runs=runs) for path in args.template]
    args.outcome = EXIT_BUILD_FAILED if any(r["status"] == "failed" for r in results) else EXIT_OK
    if args.format in ("sarif", "json"):
        _write_report(results, args)
        return args.outcome
    for path, result in zip(args.template, results):
        render_diagnosis(Diagnosis.from_dict(result), args.format, sys.stdout, template_path=path)
    return args.outcome


def _write_report(results: list[dict], args) -> None:
    from aib_pilot import __version__
    from aib_pilot.diagnosis.lint import LINT_RULES
    from aib_pilot.report.facts import compact_json
    from aib_pilot.report.sarif import lint_sarif, write_text

    if args.format == "sarif":
        lines = [compact_json(lint_sarif(results, LINT_RULES, version=__version__))]
    else:
        lines = [compact_json(r) for r in results]
    if args.output:
        try:
            write_text("\n".join(lines), args.output)
        except OSError as exc:
            raise UsageError(f"--output {args.output} cannot be written: {exc.strerror}.",
                             hint="Give a file path in a folder you can write to.") from None
        found = sum(len(f["evidence"]) for r in results for f in r["findings"])
        info(f"lint: {found} finding(s) in {len(results)} template(s) written to {args.output}")
    else:
        from aib_pilot.report.console import process_console

        console = process_console()  # the one writer: template text never becomes a runner command
        for line in lines:
            console.line(line)
