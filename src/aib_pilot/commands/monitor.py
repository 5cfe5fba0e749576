"""``aib-pilot monitor``: follow one template's run (or a fleet) within a time budget."""

from __future__ import annotations

import sys
import signal
from contextlib import contextmanager

from aib_pilot import options
from aib_pilot.errors import UsageError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "monitor", help="follow a build: progress, live log (saved), diagnosis; resumable",
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
    options.add_azure_options(p)
    options.add_format_option(p)
    p.set_defaults(func=run)


def make_sink(args):
    from aib_pilot.report import make_sink as _make_sink

    return _make_sink(options.resolve_format(args), live_log=options.live_log(args))


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


def resume_args(args) -> list[str]:
    """Options the next job must repeat to reach the same template."""
    out = []
    for opt in ("subscription", "cloud", "arm_endpoint", "authority_host", "auth"):
        value = getattr(args, opt, None)
        if value:
            out += ["--" + opt.replace("_", "-"), str(value)]
    if getattr(args, "poll_interval", None):
        out += ["--poll-interval", str(args.poll_interval)]
    if getattr(args, "budget", None):
        out += ["--budget", str(args.budget)]
    if getattr(args, "format", None):
        out += ["--format", args.format]
    if options.live_log(args):
        out += ["--live-log", options.live_log(args)]
    for opt in ("annotate_pr", "pr_comment"):
        if getattr(args, opt, None):
            out += ["--" + opt.replace("_", "-"), getattr(args, opt)]
    return out


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


def pr_publishing(args, env=None) -> str | None:
    """None, "check" (--annotate-pr) or "comment" (--pr-comment: a check run and a PR comment)."""
    if options.flag(args, "pr_comment", "AIB_PILOT_PR_COMMENT", env):
        return "comment"
    return "check" if options.flag(args, "annotate_pr", "AIB_PILOT_ANNOTATE_PR", env) else None


def publish_to_pull_requests(watches, args, sink, *, comment: bool = False, env=None) -> None:
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
            template_path=getattr(args, "template", None), details_url=target["details_url"],
            env=publish_env, warn=sink.warning)
        if published:
            what = "created" if published.get("created") else "updated"
            sink.info(f"{w.cfg.name}: check run {what} on commit {target['head_sha'][:12]}"
                      + (f" ({published['check_run_url']})" if published.get("check_run_url") else "")
                      + (f"; PR #{target['pr']} comment {'added' if published.get('comment_created') else 'updated'}"
                         if published.get("comment_id") else ""))


def monitor_templates(session, args, sink, names: list[str], resource_groups: list[str], *,
                      cancel_on_interrupt: bool = False, control=None) -> int:
    """Watch the given templates; print the result(s); return the exit code.

    ``control`` (budget clock + stop event) may be created earlier by the caller, so the budget and
    signal handling cover work done before monitoring (``run`` submits first).
    """
    from aib_pilot.monitoring.fleet_loop import LoopControl, exit_code_for, watch
    from aib_pilot.monitoring.template_watch import MonitorConfig, TemplateWatch

    fleet = len(names) > 1 or getattr(args, "all", False)
    control = control or LoopControl(options.budget_seconds(args))
    interval = options.poll_interval(args)
    watches = [
        TemplateWatch(session, MonitorConfig(
            resource_group=rg, name=name, log_dir=options.log_dir(args), poll_interval=interval,
            budget_seconds=control.budget_seconds, template_path=getattr(args, "template", None),
            live_log=options.live_log(args) != "off", resume_args=resume_args(args)), sink, fleet=fleet)
        for name, rg in zip(names, resource_groups)
    ]
    publishing = pr_publishing(args)  # a bad AIB_PILOT_ANNOTATE_PR fails now, not after the build
    sink.info(monitoring_line(names, resource_groups, control.budget_seconds, options.log_dir(args)))
    with stop_on_signals(control):
        results = watch(watches, sink, control, poll_interval=interval, cancel_on_interrupt=cancel_on_interrupt)
    if fleet:
        sink.fleet_summary(results)
    else:
        sink.result(results[0], template_path=getattr(args, "template", None))
    if publishing:
        publish_to_pull_requests(watches, args, sink, comment=publishing == "comment")
    return exit_code_for(results)


def _fleet_targets(session, args) -> tuple[list[str], list[str]]:
    from aib_pilot.azure.errors import azure_access
    from aib_pilot.azure.templates import Templates, parse_tag
    from aib_pilot.azure.staging_logs import rg_name

    wanted = dict(parse_tag(t) for t in args.tag)
    rg = options.resource_group(args, required=False)
    with azure_access("listing image templates" + (f" in {rg}" if rg else "")):
        found = Templates(session).list(rg)
    names, groups = [], []
    for t in found:
        tags = t.get("tags") or {}
        if all(tags.get(k) == v for k, v in wanted.items()):
            names.append(t["name"])
            groups.append(rg or rg_name(t.get("id")))
    if not names:
        where = f"resource group {rg}" if rg else "the subscription"
        raise UsageError(f"No image template in {where} carries the tags {wanted or '(any)'}.",
                         hint="Check --tag KEY=VALUE (tags set by 'aib-pilot submit' start with 'aib-pilot.').")
    return names, groups


def check_local_inputs(args) -> None:
    """Everything checkable without Azure, before signing in: one run shows the local mistake
    (numbers, names, the template file, switches), not an auth line first."""
    options.budget_seconds(args)
    options.poll_interval(args)
    options.check_live_log(args)
    pr_publishing(args)
    options.resolve_format(args)
    if getattr(args, "template", None):
        from aib_pilot.azure.templates import load_template

        load_template(args.template)


def run(args) -> int:
    if args.all:
        if args.name:
            raise UsageError("--all and --name cannot be combined.", hint="Use --all --tag KEY=VALUE, or list --name several times.")
        from aib_pilot.azure.templates import parse_tag

        for tag in args.tag:
            parse_tag(tag)
        options.resource_group(args, required=False)  # a malformed -g is refused before signing in
    else:
        if args.tag:
            raise UsageError("--tag selects templates only together with --all.", hint="Add --all.")
        names = options.template_names(args)
        rg = options.resource_group(args)
        groups = [rg] * len(names)
    check_local_inputs(args)
    session = options.make_session(args)
    sink = make_sink(args)
    if args.all:
        names, groups = _fleet_targets(session, args)
    return monitor_templates(session, args, sink, names, groups,
                             cancel_on_interrupt=getattr(args, "cancel_on_interrupt", False))


def add_remote_options(parser) -> None:
    """Options ``aib-pilot diagnose`` needs for its remote mode (``--resource-group RG --name NAME``)."""
    options.add_target_options(parser)
    parser.add_argument("--log-dir", metavar="DIR", help="remote mode: where the fetched log is saved")
    options.add_azure_options(parser)


def diagnose_remote(args) -> int:
    """``aib-pilot diagnose -g RG -n NAME``: diagnose a template's last run (or its rejected submission).

    Prints the diagnosis in ``--format``; exit 1 when a failure was found.
    """
    from aib_pilot.errors import EXIT_BUILD_FAILED, EXIT_OK
    from aib_pilot.monitoring.retry import transient_retry
    from aib_pilot.monitoring.template_watch import MonitorConfig, TemplateWatch
    from aib_pilot.report import render_diagnosis

    rg, name = options.resource_group(args), options.template_name(args)
    template_path = getattr(args, "template", None)
    session = options.make_session(args)
    sink = make_sink(args)
    w = TemplateWatch(session, MonitorConfig(rg, name, options.log_dir(args), template_path=template_path,
                                             live_log=False), sink, fleet=True)
    w.refresh(transient_retry(base=1.0))
    template_path = w.diagnosis_template  # the user's file, else the template as stored in Azure
    if w.provisioning_failed():
        diag = w.provisioning_result()["diagnosis"]
    else:
        from aib_pilot.diagnosis import diagnose

        state = w.status.get("runState")
        if state in ("Running", "Canceling"):
            path = w.complete_log()  # what exists so far
            diag = w.fix_fetched_location(diagnose(path, status_message=w.status.get("message"),
                                                   template_path=template_path, source=f"azure:{w.template_id}").result())
        elif state:
            diag = w.finish().get("diagnosis") or w.fix_fetched_location(diagnose(
                w.log.local_path if w.log.local_path and w.log.local_path.exists() else None,
                template_path=template_path, source=f"azure:{w.template_id}", run_state=state).result())
        else:
            raise UsageError(f"Image template {name} has never run; there is nothing to diagnose.",
                             hint=f"Start it with: aib-pilot submit or az image builder run -g {rg} -n {name}.")
    render_diagnosis(diag, options.resolve_format(args), sys.stdout, template_path=getattr(args, "template", None))
    return EXIT_BUILD_FAILED if diag.failed else EXIT_OK
