"""``aib-pilot diagnose -g RG -n NAME``: fetch a template's staging log from Azure and diagnose it.

The template's last run is read; its customization.log is completed under ``--log-dir`` from the
staging storage account (saved before anything is diagnosed), then diagnosed like a local file. A
template whose submission Azure rejected is diagnosed from its provisioning error instead.
"""

from __future__ import annotations

import sys

from aib_pilot import options
from aib_pilot.command_options import RemoteDiagnoseOptions
from aib_pilot.errors import EXIT_BUILD_FAILED, EXIT_OK, UsageError


def add_remote_options(parser) -> None:
    """Options ``aib-pilot diagnose`` needs for its remote mode (``--resource-group RG --name NAME``)."""
    options.add_target_options(parser)
    parser.add_argument("--log-dir", metavar="DIR", help="remote mode: where the fetched log is saved")
    options.add_azure_options(parser)


def run(args) -> int:
    """The edge of remote mode: typed options, a session, then :func:`fetch_and_diagnose`."""
    opts = RemoteDiagnoseOptions.from_args(args)
    session = options.make_session(args)
    diag = fetch_and_diagnose(session, opts)
    args.outcome = EXIT_BUILD_FAILED if diag.failed else EXIT_OK
    from aib_pilot.report import render_diagnosis

    render_diagnosis(diag, opts.format, sys.stdout, template_path=opts.template_path)
    return args.outcome


def fetch_and_diagnose(session, opts: RemoteDiagnoseOptions) -> dict:
    """The diagnosis (a dict) of the template's last run, or of its rejected submission."""
    from aib_pilot.monitoring.retry import transient_retry
    from aib_pilot.monitoring.template_watch import MonitorConfig, TemplateWatch
    from aib_pilot.report import make_sink

    sink = make_sink(opts.format)
    w = TemplateWatch(session, MonitorConfig(opts.resource_group, opts.name, opts.log_dir,
                                             template_path=opts.template_path, live_log=False), sink, fleet=True)
    w.refresh(transient_retry(base=1.0))
    template_path = w.diagnosis_template  # the user's file, else the template as stored in Azure
    if w.provisioning_failed():
        return w.provisioning_result()["diagnosis"]
    from aib_pilot.diagnosis import diagnose

    state = w.status.get("runState")
    source = f"azure:{w.template_id}"
    if state in ("Running", "Canceling"):
        path = w.complete_log()  # what exists so far
        return w.fix_fetched_location(diagnose(path, status_message=w.status.get("message"),
                                               template_path=template_path, source=source).result())
    if state:
        finished = w.finish().get("diagnosis")  # saves the log first
        if finished:
            return finished
        saved = w.log.local_path if w.log.local_path and w.log.local_path.exists() else None
        return w.fix_fetched_location(diagnose(saved, template_path=template_path, source=source,
                                               run_state=state).result())
    raise UsageError(f"Image template {opts.name} has never run; there is nothing to diagnose.",
                     hint=f"Start it with: aib-pilot submit or az image builder run -g {opts.resource_group} -n {opts.name}.")
