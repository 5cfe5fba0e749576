"""``aib-pilot run``: submit + monitor in one job (``--budget`` still applies)."""

from __future__ import annotations

from aib_pilot import options


def register(subparsers) -> None:
    from aib_pilot.commands.submit import add_submit_options

    p = subparsers.add_parser(
        "run", help="submit the template and monitor its build in one step",
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
    from aib_pilot.commands.monitor import monitor_templates, stop_on_signals
    from aib_pilot.commands.submit import start
    from aib_pilot.monitoring.fleet_loop import LoopControl

    control = LoopControl(options.budget_seconds(args))  # the budget counts from the job's start
    with stop_on_signals(control):  # a signal during submit is acted on once the run has started
        session, sink, done = start(args)
        if done is None:
            return 1
        args.all = False
        return monitor_templates(session, args, sink, [done.name], [options.resource_group(args)],
                                 cancel_on_interrupt=args.cancel_on_interrupt, control=control)
