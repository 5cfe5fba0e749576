"""``aib-pilot logs``: download the customization.log of a template's last run."""

from __future__ import annotations

import sys

from aib_pilot import options
from aib_pilot.commands import SUMMARIES
from aib_pilot.errors import AzureAccessError


def register(subparsers) -> None:
    p = subparsers.add_parser("logs", help=SUMMARIES["logs"],
                              description="Find the last run's customization.log in the staging storage account "
                              "and save it under --log-dir (continuing a partial copy). Prints the saved path.")
    options.add_target_options(p)
    p.add_argument("--log-dir", metavar="DIR", help=f"where to save it (default ./{options.DEFAULT_LOG_DIR})")
    p.add_argument("--stdout", action="store_true",
                   help="also print the log (secrets redacted, CI commands in it neutralised; "
                   "the saved file keeps the exact bytes)")
    options.add_azure_options(p)
    p.set_defaults(func=run)


def save_last_log(session, rg: str, name: str, log_dir, *, info=options.info):
    """Complete the local copy of the last run's log; returns (path or None, template dict)."""
    from aib_pilot.azure.errors import azure_access
    from aib_pilot.monitoring.retry import transient_retry
    from aib_pilot.monitoring.template_watch import MonitorConfig, TemplateWatch

    class _Quiet:  # progress goes through `info`; the log itself is not echoed here
        def __getattr__(self, _name):
            return lambda *a, **k: None

    watch = TemplateWatch(session, MonitorConfig(rg, name, log_dir, live_log=False), _Quiet())
    watch.refresh(transient_retry(base=1.0))
    with azure_access(f"reading the build log of {name}"):
        path = watch.complete_log()
    return path, watch


def run(args) -> int:
    from aib_pilot.report.console import process_console
    from aib_pilot.report.safety import clean_lines

    rg, name = options.resource_group(args), options.template_name(args)  # checked before signing in
    session = options.make_session(args)
    path, watch = save_last_log(session, rg, name, options.log_dir(args))
    if not path:
        state = (watch.status or {}).get("runState") or "never run"
        raise AzureAccessError(
            f"No customization.log found for {name} (last run: {state}).",
            hint="The staging resource group may be deleted already (AIB removes it with the template), "
            "or the run has not written a log yet.")
    console = process_console()
    if args.stdout:
        with open(path, "rb") as fh:
            # The log is untrusted: clean_lines redacts secrets and breaks anything a CI runner
            # would read as a command (GitHub `::cmd`, `##[cmd`; Azure DevOps `##vso[`).
            for raw in fh:
                for line in clean_lines(raw.decode("utf-8", "replace").rstrip("\r\n")):
                    console.line(line)
    options.info(f"saved {path} ({watch.log.saved_size} bytes, {watch.log.bytes_downloaded} downloaded now)")
    if watch.log_incomplete:
        options.info(f"warning: the saved log may be incomplete: {watch.log_incomplete}")
    console.line(str(path))
    return 0
