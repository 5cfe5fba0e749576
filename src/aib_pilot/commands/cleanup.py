"""``aib-pilot cleanup``: delete a template -- only after its log is saved, never while it runs."""

from __future__ import annotations

from aib_pilot import options
from aib_pilot.errors import UsageError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "cleanup", help="save the last run's log, then delete the template (and with it the staging group)",
        description="Deleting an image template makes AIB delete its staging resource group and the build "
        "log in it. cleanup first saves that log under --log-dir, refuses while a run is in progress, "
        "and waits for the delete to finish.")
    options.add_target_options(p)
    p.add_argument("--log-dir", metavar="DIR", help=f"where the log is saved first (default ./{options.DEFAULT_LOG_DIR})")
    p.add_argument("--force", action="store_true", help="delete even when the log cannot be read")
    options.add_azure_options(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from aib_pilot.azure.errors import azure_access
    from aib_pilot.azure.templates import Templates, is_running
    from aib_pilot.commands.logs import save_last_log
    from aib_pilot.errors import PilotError

    rg, name = options.resource_group(args), options.template_name(args)  # checked before signing in
    session = options.make_session(args)
    with azure_access(f"reading image template {name} in {rg}"):
        current = Templates(session).get(rg, name)
    if is_running(current):
        raise UsageError(f"{name} has a run in progress; cleanup never deletes a running template.",
                         hint=f"Wait for it (aib-pilot monitor -g {rg} -n {name}) or cancel it (aib-pilot cancel -g {rg} -n {name} --wait).")
    try:
        path, watch = save_last_log(session, rg, name, options.log_dir(args))
    except PilotError as exc:
        if not args.force:
            raise UsageError(f"Not deleting {name}: its build log could not be saved ({exc.one_line()})",
                             hint="Fix access to the log, or pass --force to delete anyway.") from None
        path, watch = None, None
    if watch is not None and watch.status and not path:
        options.info(f"no build log left for {name} (staging group already gone); deleting")
    elif path:
        options.info(f"log saved: {path}")
    with azure_access(f"deleting image template {name} in {rg}"):
        Templates(session).delete(rg, name)
    options.info(f"deleted image template {name}")
    return 0
