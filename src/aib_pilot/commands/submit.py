"""``aib-pilot submit``: create (or reuse) an image template and start its run, without waiting."""

from __future__ import annotations

from aib_pilot import options
from aib_pilot.errors import UsageError

ON_CONFLICT = ("attach", "replace", "fail")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "submit", help="create the image template and start its build; returns at once",
        description="Create the image template from --template (an imageTemplate resource JSON, or an ARM "
        "deployment template holding exactly one) and start its run. The name is --name, or "
        "<--name-prefix or the template's name>-<content hash>, so the same template always maps to the "
        "same name. Prints the template id and the command that monitors it.")
    add_submit_options(p)
    options.add_azure_options(p)
    options.add_format_option(p)
    p.set_defaults(func=run)


def add_submit_options(p) -> None:
    options.add_target_options(p)
    p.add_argument("--template", "-t", metavar="FILE", required=True, help="template JSON file")
    p.add_argument("--name-prefix", metavar="BASE", help="base of the generated <BASE>-<content hash> name")
    p.add_argument("--on-conflict", choices=ON_CONFLICT, default=None,
                   help="when the template exists: attach (follow its running run, or run it again; default), "
                   "replace (delete and re-create; refused while a run is in progress) or fail")
    p.add_argument("--tag", action="append", default=[], metavar="KEY=VALUE",
                   help="extra tag on the template (repeatable); CI run URL/commit/PR tags are added automatically")
    p.add_argument("--log-dir", metavar="DIR", help="where the build log is saved (by 'run', and by the printed monitor command)")
    from aib_pilot.commands.preflight import add_no_preflight_option

    add_no_preflight_option(p)


def prepare(args):
    """Check every local input (template file, name, resource group, tags, numbers) before any
    sign-in, so one run shows the local mistake; returns (template, name, rg, tags, on_conflict)."""
    import os

    from aib_pilot.azure.templates import choose_name, load_template, parse_tag

    template = load_template(args.template)
    name = choose_name(template, name=options.template_name(args, required=False),
                       prefix=getattr(args, "name_prefix", None))
    rg = options.resource_group(args)
    user_tags = dict(parse_tag(t) for t in args.tag)
    on_conflict = args.on_conflict or os.environ.get("AIB_PILOT_ON_CONFLICT") or "attach"
    if on_conflict not in ON_CONFLICT:
        raise UsageError(f"AIB_PILOT_ON_CONFLICT={on_conflict!r} is not a choice.",
                         hint=f"Use one of {', '.join(ON_CONFLICT)}.")
    options.resolve_format(args)
    if hasattr(args, "poll_interval"):  # run: its monitoring options too
        from aib_pilot.commands.monitor import pr_publishing

        options.budget_seconds(args)
        options.poll_interval(args)
        options.check_live_log(args)
        pr_publishing(args)
    return template, name, rg, user_tags, on_conflict


def do_submit(args, session, sink, prepared=None):
    """Submit; returns (Submitted, None) or (None, failure result dict)."""
    from aib_pilot.azure.submission import SubmissionFailed, submit

    template, name, rg, user_tags, on_conflict = prepared or prepare(args)
    sink.info(f"submitting {args.template} as image template {name} in resource group {rg}")
    try:
        done = submit(session, rg, template, name, on_conflict=on_conflict, user_tags=user_tags, info=sink.info)
    except SubmissionFailed as failed:
        from aib_pilot.diagnosis import diagnose

        diag = diagnose(None, provisioning_error=failed.error, template_path=args.template,
                        source=f"azure:{failed.template_id}").result()
        err = failed.error.get("error") if "error" in failed.error else failed.error
        result = {
            "state": "Failed", "run_sub_state": None, "template": failed.template_id, "template_name": name,
            "resource_group": rg, "log_path": None, "log_url": None,
            "message": (err or {}).get("message"), "outputs": [], "timeline": diag.timeline,
            "diagnosis": diag, "resume": None, "started": None, "ended": None, "elapsed_seconds": None,
            "published_anyway": None,
        }
        return None, result
    sink.info(f"template {done.action}: {done.template_id}")
    return done, None


def start(args):
    """Session, sink and the submitted template; (.., .., None) after reporting a rejected template."""
    from aib_pilot.commands import preflight
    from aib_pilot.commands.monitor import make_sink

    prepared = prepare(args)
    checking = preflight.wanted(args)  # a bad AIB_PILOT_PREFLIGHT is refused before signing in
    session = options.make_session(args)
    sink = make_sink(args)
    if checking:  # a doomed template stops here (exit 2), before anything is created
        template, name, rg, _tags, on_conflict = prepared
        preflight.check(session, sink, template, resource_group=rg, name=name, on_conflict=on_conflict)
    done, failure = do_submit(args, session, sink, prepared)
    if failure:
        sink.result(failure, template_path=args.template)
    return session, sink, done


def run(args) -> int:
    from aib_pilot.commands.monitor import resume_args
    from aib_pilot.monitoring.template_watch import MonitorConfig, resume_command

    _session, sink, done = start(args)
    if done is None:
        return 1
    cfg = MonitorConfig(resource_group=options.resource_group(args), name=done.name,
                        log_dir=options.log_dir(args), template_path=args.template, resume_args=resume_args(args))
    command = resume_command(cfg)
    sink.info("the build runs in Azure now and needs nothing from this job; follow it with the monitor "
              "command below (in this job or a later one)")
    result = {
        "state": "Running", "run_sub_state": None, "template": done.template_id, "template_name": done.name,
        "resource_group": cfg.resource_group, "log_path": None, "log_url": None, "message": None, "outputs": [],
        "timeline": [], "diagnosis": None, "resume": command, "started": None, "ended": None,
        "elapsed_seconds": None, "published_anyway": None, "action": done.action,
    }
    sink.result(result, template_path=args.template)
    return 0
