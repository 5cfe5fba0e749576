"""``aib-pilot monitor``: follow one template's run (or a fleet) within a time budget."""

from __future__ import annotations

import signal
from contextlib import contextmanager

from aib_pilot import options
from aib_pilot.command_options import FleetSelection, WatchOptions
from aib_pilot.commands import SUMMARIES
from aib_pilot.errors import UsageError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "monitor", help=SUMMARIES["monitor"],
        description="Poll the image template's last run until it ends or --budget runs out "
        "(then exit 0 with state Running and print the command that resumes). The log is saved to "
        "--log-dir as it grows. With --all --tag KEY=VALUE or several --name, watch a fleet.")
    options.add_target_options(p, many=True)
    p.add_argument("--all", action="store_true",
                   help="watch every template in the resource group (or subscription) matching --tag")
    p.add_argument("--tag", action="append", default=[], metavar="KEY=VALUE",
                   help="with --all: only templates carrying this tag (repeatable)")
    options.add_monitor_options(p)
    p.add_argument("--cancel-on-interrupt", action="store_true",
                   help="on SIGTERM/SIGINT cancel the Azure run and wait for Canceled")
    from aib_pilot.commands.cleanup import add_cleanup_option

    add_cleanup_option(p)
    options.add_azure_options(p)
    options.add_format_option(p)
    p.set_defaults(func=run)


def make_sink(fmt: str, live_log: str | None = None):
    from aib_pilot.report import make_sink as _make_sink

    return _make_sink(fmt, live_log=live_log)


@contextmanager
def stop_on_signals(control):
    """SIGTERM/SIGINT set the loop's stop event (the loop then ends cleanly or cancels)."""
    previous = {}

    def handler(signum, _frame):
        control.signal_name = signal.Signals(signum).name  # said in the report: a signal, not the budget
        control.stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            previous[sig] = signal.signal(sig, handler)
        except ValueError:  # not the main thread
            pass
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def monitoring_line(names: list[str], groups: list[str], budget: float | None, log_dir) -> str:
    """What this monitor watches, until when, and where the log goes: the first line a reader sees."""
    if len(names) == 1:
        what = f"monitoring image template {names[0]} in resource group {groups[0]}"
    else:
        what = f"monitoring {len(names)} image templates: {', '.join(names[:10])}{' ...' if len(names) > 10 else ''}"
    span = ""
    if budget:
        seconds = round(budget)
        span = (f"{budget / 60:g} minutes" if budget >= 120 else "less than a second" if seconds < 1
                else f"{seconds} second{'s' if seconds != 1 else ''}")
    it = "it still runs" if len(names) == 1 else "they still run"
    until = f"for up to {span}, then exiting with state Running if {it}" if budget else \
        ("until the run ends" if len(names) == 1 else "until the runs end")
    return f"{what} {until}; the build log is saved under {log_dir}"


def publish_to_pull_requests(watches, template_path: str | None, sink, *, comment: bool = False, env=None) -> None:
    """``--annotate-pr`` / ``--pr-comment``: a check run (and comment) for each finished run, on the
    PR head commit that ``submit`` recorded in the template's tags. Never changes the exit code:
    problems are warnings (report/github_checks.py)."""
    import os

    from aib_pilot.azure.ci_context import pr_target
    from aib_pilot.monitoring.template_watch import TERMINAL_STATES
    from aib_pilot.report.github_checks import publish_from_environment

    env = os.environ if env is None else env

    for w in watches:
        result = w.result or {}
        if result.get("state") not in TERMINAL_STATES:
            continue  # the check run is published by the monitor that sees the end
        target = pr_target(w.template.get("tags") or {}, env)
        if target["same_run"]:
            sink.info(f"{w.cfg.name}: no check run needed; this workflow run submitted the build, so its "
                      "annotations already show on the pull request")
            continue
        publish_env = dict(env)
        if target["repo"] and "/" in target["repo"]:
            publish_env["GITHUB_REPOSITORY"] = target["repo"]
        published = publish_from_environment(
            result, head_sha=target["head_sha"], pr=target["pr"], comment=comment,
            template_path=template_path, details_url=target["details_url"],
            env=publish_env, warn=sink.warning)
        if published:
            what = "created" if published.get("created") else "updated"
            sink.info(f"{w.cfg.name}: check run {what} on commit {target['head_sha'][:12]}"
                      + (f" ({published['check_run_url']})" if published.get("check_run_url") else "")
                      + (f"; PR #{target['pr']} comment {'added' if published.get('comment_created') else 'updated'}"
                         if published.get("comment_id") else ""))


def monitor_templates(session, opts: WatchOptions, sink, names: list[str], resource_groups: list[str], *,
                      fleet: bool = False, control=None) -> int:
    """Watch the given templates; print the result(s); return the exit code.

    ``control`` (budget clock + stop event) may be created earlier by the caller, so the budget and
    signal handling cover work done before monitoring (``run`` submits first).
    """
    from aib_pilot.monitoring.fleet_loop import LoopControl, exit_code_for, watch
    from aib_pilot.monitoring.template_watch import MonitorConfig, TemplateWatch

    fleet = fleet or len(names) > 1
    control = control or LoopControl(opts.budget_seconds)
    watches = [
        TemplateWatch(session, MonitorConfig(
            resource_group=rg, name=name, log_dir=opts.log_dir, poll_interval=opts.poll_interval,
            budget_seconds=control.budget_seconds, template_path=opts.template_path,
            live_log=opts.live_log != "off", resume_args=list(opts.resume_args)), sink, fleet=fleet)
        for name, rg in zip(names, resource_groups)
    ]
    sink.info(monitoring_line(names, resource_groups, control.budget_seconds, opts.log_dir))
    with stop_on_signals(control):
        from aib_pilot.commands.cleanup import after_outcome

        results = watch(watches, sink, control, poll_interval=opts.poll_interval,
                        cancel_on_interrupt=opts.cancel_on_interrupt,
                        on_end=lambda w: after_outcome(session, w, opts.cleanup, sink))
    if fleet:
        sink.fleet_summary(results)
    else:
        sink.result(results[0], template_path=opts.template_path)
    if opts.pr_publishing:
        publish_to_pull_requests(watches, opts.template_path, sink, comment=opts.pr_publishing == "comment")
    return exit_code_for(results)


def fleet_targets(session, selection: FleetSelection) -> tuple[list[str], list[str]]:
    """The (names, resource groups) that ``--all --tag`` selects, listed from Azure."""
    from aib_pilot.azure.errors import azure_access
    from aib_pilot.azure.templates import Templates
    from aib_pilot.azure.staging_logs import rg_name

    rg = selection.resource_group
    with azure_access("listing image templates" + (f" in {rg}" if rg else "")):
        found = Templates(session).list(rg)
    names, groups = [], []
    for t in found:
        tags = t.get("tags") or {}
        if all(tags.get(k) == v for k, v in selection.tags.items()):
            names.append(t["name"])
            groups.append(rg or rg_name(t.get("id")))
    if not names:
        where = f"resource group {rg}" if rg else "the subscription"
        raise UsageError(f"No image template in {where} carries the tags {dict(selection.tags) or '(any)'}.",
                         hint="Check --tag KEY=VALUE (tags set by 'aib-pilot submit' start with 'aib-pilot.').")
    return names, groups


def run(args) -> int:
    """The edge: argparse's namespace becomes typed options (every local input checked), then a
    session is opened and the templates are watched."""
    selection = FleetSelection.from_args(args)
    opts = WatchOptions.from_args(args)
    session = options.make_session(args)
    sink = make_sink(opts.format, opts.live_log)
    if selection.every:
        names, groups = fleet_targets(session, selection)
    else:
        names, groups = list(selection.names), list(selection.groups)
    return monitor_templates(session, opts, sink, names, groups, fleet=selection.every)
