"""``aib-pilot cleanup``: delete a template -- only after its log is saved, never while it runs.

Also the cleanup policy of ``run`` / ``monitor`` (``--cleanup on-success|always|never``):
:func:`after_outcome` applies it to each template whose run has ended, once its log is saved.
"""

from __future__ import annotations

import os

from aib_pilot import options
from aib_pilot.commands import SUMMARIES
from aib_pilot.errors import UsageError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "cleanup", help=SUMMARIES["cleanup"],
        description="Deleting an image template makes AIB delete its staging resource group and the build "
        "log in it. cleanup first saves that log under --log-dir, refuses while a run is in progress, "
        "and waits for the delete to finish. What aib-pilot created for the build (a blob container, a "
        "storage account; named in the template's tags) is deleted too.")
    options.add_target_options(p)
    p.add_argument("--log-dir", metavar="DIR", help=f"where the log is saved first (default ./{options.DEFAULT_LOG_DIR})")
    p.add_argument("--force", action="store_true", help="delete even when the log cannot be read")
    options.add_azure_options(p)
    p.set_defaults(func=run)


def add_cleanup_option(p) -> None:
    from aib_pilot.azure.build_cleanup import POLICIES

    p.add_argument("--cleanup", choices=POLICIES, default=None,
                   help="once the run has ended and its log is saved: on-success deletes the template (AIB then "
                   "deletes its staging group) and what aib-pilot created for it after a Succeeded run, and keeps "
                   "everything after a failure; always deletes after any outcome; never keeps all "
                   "(default: AIB_PILOT_CLEANUP, else the policy recorded at submit, else on-success)")


def cleanup_policy(args, env=None) -> str | None:
    """The policy chosen for this command (--cleanup, else AIB_PILOT_CLEANUP), or None."""
    from aib_pilot.azure.build_cleanup import check_policy

    if getattr(args, "cleanup", None):
        return check_policy(args.cleanup, "--cleanup")
    value = (os.environ if env is None else env).get("AIB_PILOT_CLEANUP", "").strip()
    return check_policy(value, "AIB_PILOT_CLEANUP") if value else None


def unsaved_log(watch, path) -> str | None:
    """Why deleting now would lose a build log (None when it is saved, or none is left to save)."""
    if watch is None:
        return None
    if watch.log_access_problem and not path:
        return watch.log_access_problem
    if path and watch.log_incomplete:
        return f"the saved log may be incomplete ({watch.log_incomplete})"
    return None


def after_outcome(session, watch, explicit: str | None, sink) -> None:
    """Apply the cleanup policy to a watch whose run has ended (``watch.result`` set, log saved).

    Records what happened in ``watch.result["cleanup"]``; a failing delete is one warning line and
    never changes the build's outcome or exit code."""
    from aib_pilot.azure.build_cleanup import delete_build, policy_for, wants_deletion

    result = watch.result
    name, rg = watch.cfg.name, watch.cfg.resource_group
    tags = watch.template.get("tags") or {}
    policy, source = policy_for(explicit, tags)
    state = result.get("state")
    record = {"policy": policy, "deleted": [], "failed": []}
    result["cleanup"] = record
    again = f"aib-pilot cleanup -g {rg} -n {name}"
    if not wants_deletion(policy, state):
        if policy != "never":
            sink.info(f"{name}: kept for investigation (cleanup {policy}, the run ended {state}); "
                      f"delete it afterwards with: {again}")
        return
    why_not = unsaved_log(watch, result.get("log_path"))
    if why_not:
        record["failed"].append(f"not deleted: the build log could not be saved first: {why_not}")
        sink.warning(f"{name}: not deleting the template (cleanup {policy}): its build log could not be saved "
                     f"first: {why_not}. Fix access to the log and run: {again}")
        return
    sink.info(f"{name}: cleanup {policy} ({source}): deleting the template and what aib-pilot created for it")
    remaining = watch.deadline()
    done = delete_build(session, rg, name, tags, info=sink.info,
                        wait_seconds=None if remaining == float("inf") else max(1.0, remaining))
    record["deleted"], record["failed"] = done.deleted, done.failed
    if done.deleted:  # the staging account went with the template: its log URL leads nowhere now
        result["log_url"] = None
    for failure in done.failed:
        sink.warning(f"{name}: cleanup could not delete {failure}; the build's outcome ({state}) stands. "
                     f"Retry with: {again}")


def run(args) -> int:
    from aib_pilot.azure.build_cleanup import delete_build
    from aib_pilot.azure.errors import azure_access
    from aib_pilot.azure.templates import Templates, is_running
    from aib_pilot.commands.logs import save_last_log
    from aib_pilot.errors import AzureAccessError, PilotError

    rg, name = options.resource_group(args), options.template_name(args)  # checked before signing in
    session = options.make_session(args)
    with azure_access(f"reading image template {name} in {rg}"):
        current = Templates(session).get(rg, name)
    if is_running(current):
        raise UsageError(f"{name} has a run in progress; cleanup never deletes a running template.",
                         hint=f"Wait for it (aib-pilot monitor -g {rg} -n {name}) or cancel it (aib-pilot cancel -g {rg} -n {name} --wait).")
    try:
        path, watch = save_last_log(session, rg, name, options.log_dir(args))
        problem = unsaved_log(watch, path)
    except PilotError as exc:
        path, watch, problem = None, None, exc.one_line()
    if problem and not args.force:
        raise UsageError(f"Not deleting {name}: its build log could not be saved ({problem})",
                         hint="Fix access to the log, or pass --force to delete anyway.") from None
    if watch is not None and watch.status and not path:
        options.info(f"no build log left for {name} (staging group already gone); deleting")
    elif path:
        options.info(f"log saved: {path}")
    done = delete_build(session, rg, name, current.get("tags") or {}, info=options.info)
    if done.failed:  # the first failure's own exit code (3 access, 5 unavailable), all failures said
        first = next((e for e in done.errors if isinstance(e, PilotError)), None)
        error = type(first) if first is not None else AzureAccessError
        raise error(f"cleanup of {name} could not delete {'; '.join(done.failed)}",
                    hint="Fix what is named and run the same command again.")
    return 0
