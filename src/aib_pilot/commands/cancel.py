"""``aib-pilot cancel``: cancel a template's running build."""

from __future__ import annotations

import time

from aib_pilot import options
from aib_pilot.commands import SUMMARIES


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "cancel", help=SUMMARIES["cancel"],
        description="Cancel the running build of an image template: Image Builder stops the Packer VM and the "
        "run ends Canceled. With --wait, wait until it has (exit 0 once Canceled, 1 if it ended otherwise or "
        "is still canceling after --timeout). A template with no run in progress is left alone (exit 0).")
    options.add_target_options(p)
    p.add_argument("--wait", action="store_true", help="wait until the run state is Canceled")
    p.add_argument("--timeout", type=options.number_text, default="15", metavar="MINUTES", help="with --wait: give up after this (default 15)")
    options.add_azure_options(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from aib_pilot.azure.errors import azure_access
    from aib_pilot.azure.templates import Templates, is_running, run_state

    rg, name = options.resource_group(args), options.template_name(args)  # checked before signing in
    timeout = options.positive_finite(args.timeout, "--timeout", unit="minutes", example="--timeout 15")
    session = options.make_session(args)
    templates = Templates(session)
    with azure_access(f"canceling image template {name} in {rg}"):
        template = templates.get(rg, name)
        if not is_running(template):
            options.info(f"{name} has no run in progress (last run: {run_state(template)[0] or 'never run'}); nothing to cancel")
            return 0
        templates.cancel(rg, name)
        options.info(f"cancel requested for {name}")
        if not args.wait:
            return 0
        deadline = time.monotonic() + timeout * 60
        delay = 1.0
        while time.monotonic() < deadline:
            state = run_state(templates.get(rg, name))[0]
            if state not in ("Running", "Canceling"):
                options.info(f"{name}: run state {state}")
                return 0 if state == "Canceled" else 1
            time.sleep(delay)
            delay = min(delay * 1.5, 15.0)
    options.info(f"{name} is still canceling after {args.timeout} minutes")
    return 1
