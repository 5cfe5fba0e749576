"""``aib-pilot run``: submit + monitor in one job (``--budget`` still applies)."""

from __future__ import annotations

from dataclasses import replace

from aib_pilot import options
from aib_pilot.commands import SUMMARIES


def register(subparsers) -> None:
    from aib_pilot.commands.submit import add_submit_options

    p = subparsers.add_parser(
        "run", help=SUMMARIES["run"],
        description="submit, then monitor. With --budget the job ends cleanly (state Running) and prints "
        "the monitor command that resumes in a later job.")
    add_submit_options(p)
    g = p.add_argument_group("monitoring")
    g.add_argument("--budget", type=options.number_text, metavar="MINUTES", help="stop cleanly before this many minutes")
    g.add_argument("--poll-interval", type=options.number_text, metavar="SECONDS",
                   help="first poll interval (default 15)")
    options.add_live_log_and_pr_options(g)
    g.add_argument("--cancel-on-interrupt", action="store_true",
                   help="on SIGTERM/SIGINT cancel the Azure run and wait for Canceled")
    options.add_azure_options(p)
    options.add_format_option(p)
    p.set_defaults(func=run)


def run(args) -> int:
    """The edge: typed options for the watch and the submit (every local input checked, the budget
    first), a session, then submit and monitor."""
    from aib_pilot.command_options import SubmitOptions, WatchOptions
    from aib_pilot.commands.monitor import make_sink, monitor_templates, stop_on_signals
    from aib_pilot.commands.submit import start
    from aib_pilot.monitoring.fleet_loop import LoopControl

    control = LoopControl(options.budget_seconds(args))  # the budget counts from the job's start
    with stop_on_signals(control):  # a signal during submit is acted on once the run has started
        submitting = SubmitOptions.from_args(args)
        watching = WatchOptions.from_args(args, load_template=False)  # submitting loaded it
        session = options.make_session(args)
        sink = make_sink(watching.format, watching.live_log)
        done, submitting = start(session, sink, submitting, control=control, poll_interval=watching.poll_interval)
        if done is None:
            return 1
        if submitting.template_path != watching.template_path:  # written from the build inputs
            watching = replace(watching, template_path=submitting.template_path)
        return monitor_templates(session, watching, sink, [done.name], [submitting.resource_group], control=control)
