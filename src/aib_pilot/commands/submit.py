"""``aib-pilot submit``: create (or reuse) an image template and start its run, without waiting."""

from __future__ import annotations

import os
from contextlib import contextmanager

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
    p.add_argument("--template", "-t", metavar="FILE",
                   help="template JSON file (or give the build-from-inputs options below instead)")
    p.add_argument("--name-prefix", metavar="BASE", help="base of the generated <BASE>-<content hash> name")
    p.add_argument("--on-conflict", choices=ON_CONFLICT, default=None,
                   help="when the template exists: attach (follow its running run, or run it again; default), "
                   "replace (delete and re-create; refused while a run is in progress) or fail")
    p.add_argument("--tag", action="append", default=[], metavar="KEY=VALUE",
                   help="extra tag on the template (repeatable); CI run URL/commit/PR tags are added automatically")
    p.add_argument("--log-dir", metavar="DIR", help="where the build log is saved (by 'run', and by the printed monitor command)")
    add_template_value_options(p)
    from aib_pilot.commands.cleanup import add_cleanup_option
    from aib_pilot.commands.preflight import add_no_preflight_option

    add_cleanup_option(p)

    add_no_preflight_option(p)
    from aib_pilot.commands import build_inputs

    build_inputs.add_options(p)


def add_template_value_options(p) -> None:
    """``--parameters``, ``--set`` and ``--no-provenance``: per-run values (templating/edits.py)."""
    g = p.add_argument_group("per-run values")
    g.add_argument("--parameters", "-p", action="append", default=[], metavar="FILE|NAME=VALUE",
                   help="ARM deployment template parameter values: an ARM parameters file, or NAME=VALUE "
                   "(converted to the parameter's declared type); repeatable, later wins")
    g.add_argument("--set", action="append", default=[], metavar="PATH=VALUE", dest="set",
                   help="change one value of the image template before submitting, e.g. "
                   "properties.vmProfile.vmSize=Standard_D4s_v5 or properties.customize[0].inline[1]=...; "
                   "VALUE is JSON when it parses as such (object, array, number, true/false, \"quoted text\"), "
                   "else text, and stays text where it replaces text (repeatable, applied in order)")
    g.add_argument("--no-provenance", action="store_true",
                   help="do not tag the distributed image with the repository, commit and CI run "
                   "(default: AIB_PILOT_PROVENANCE, else on)")


def provenance_wanted(args, env=None) -> bool:
    """Provenance tags unless --no-provenance or AIB_PILOT_PROVENANCE=false."""
    return options.on_unless(args, "no_provenance", "AIB_PILOT_PROVENANCE", env)


def load_with_values(args, env=None):
    """The template as it will be submitted: load -> --parameters -> --set -> provenance."""
    from aib_pilot.azure.templates import load_template
    from aib_pilot.templating.edits import apply_sets, read_parameter_args
    from aib_pilot.templating.provenance import provenance_tags

    template = load_template(args.template, parameters=read_parameter_args(getattr(args, "parameters", None)))
    apply_sets(template.body, getattr(args, "set", None))
    if provenance_wanted(args, env):
        template.provenance = provenance_tags(env)
    return template


def values_lines(args, template) -> list[str]:
    """What this run changed in the file and adds to the image: names only, never values (a
    parameter may be a secret)."""
    from aib_pilot.templating.edits import read_parameter_args

    lines = []
    names = list(read_parameter_args(getattr(args, "parameters", None)))
    if names:
        lines.append(f"parameters given: {', '.join(names)}")
    paths = [s.partition("=")[0].strip() for s in getattr(args, "set", None) or []]
    if paths:
        lines.append(f"--set changed: {', '.join(paths)}")
    if template.provenance:
        lines.append(f"provenance tags on the image: {', '.join(template.provenance)} (--no-provenance leaves them out)")
    return lines


def prepare(args):
    """Check every local input (template file, name, resource group, tags, numbers) before any
    sign-in, so one run shows the local mistake; returns (template, name, rg, tags, on_conflict)."""
    from aib_pilot.azure.templates import choose_name, parse_tag
    from aib_pilot.commands import build_inputs
    from aib_pilot.commands.cleanup import cleanup_policy

    from_inputs = build_inputs.wanted(args)
    if not from_inputs and not getattr(args, "template", None):  # worded as argparse words a missing option
        command = getattr(args, "command", None) or "submit"
        raise UsageError(f"{command}: the following arguments are required: --template (or the build-from-inputs "
                         "options --source-image, --source-os-type, --location, --managed-identity).",
                         hint=f"Run 'aib-pilot {command} --help' for the options.")
    rg = options.resource_group(args)
    if from_inputs:  # the template is written once signed in (it names the uploaded payload)
        args.from_inputs = build_inputs.check(args, rg)
        template, name = None, options.template_name(args, required=False)
    else:
        template = load_with_values(args)
        name = choose_name(template, name=options.template_name(args, required=False),
                           prefix=getattr(args, "name_prefix", None))
    user_tags = dict(parse_tag(t) for t in args.tag)
    from aib_pilot.azure.build_cleanup import DEFAULT_POLICY, POLICY_TAG

    # recorded on the template: a later monitor (another job, a scheduled fleet watch) honours it
    user_tags.setdefault(POLICY_TAG, cleanup_policy(args) or DEFAULT_POLICY)
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
    for line in values_lines(args, template):
        sink.info(line)
    try:
        done = submit(session, rg, template, name, on_conflict=on_conflict, user_tags=user_tags, info=sink.info)
    except SubmissionFailed as failed:
        from aib_pilot.diagnosis import diagnose

        diag = diagnose(None, provisioning_error=failed.error, template_path=args.template,
                        source=f"azure:{failed.template_id}").to_dict()
        err = failed.error.get("error") if "error" in failed.error else failed.error
        result = {
            "state": "Failed", "run_sub_state": None, "template": failed.template_id, "template_name": name,
            "resource_group": rg, "log_path": None, "log_url": None,
            "message": (err or {}).get("message"), "outputs": [], "timeline": diag.get("timeline") or [],
            "diagnosis": diag, "resume": None, "started": None, "ended": None, "elapsed_seconds": None,
            "published_anyway": None,
        }
        return None, result
    sink.info(f"template {done.action}: {done.template_id}")
    return done, None


@contextmanager
def _forget_payload_unless_recorded(session, sink, prepared):
    """Workspace files uploaded for a template that then never existed (preflight stopped it, or
    Azure refused the PUT) are deleted: only the template's tags would have named them for cleanup."""
    from aib_pilot.azure.created_resources import CONTAINER_TAG

    tags = prepared[3]
    try:
        yield
    except BaseException:
        if CONTAINER_TAG in tags:
            _forget(session, sink, prepared)
        raise
    if CONTAINER_TAG in tags:
        from aib_pilot.azure.templates import Templates

        try:
            exists = Templates(session).find(prepared[2], prepared[1]) is not None
        except Exception:  # noqa: BLE001 - unknown: keep the files, the template may hold them
            exists = True
        if not exists:
            _forget(session, sink, prepared)


def _forget(session, sink, prepared) -> None:
    from aib_pilot.azure.payload import remove_created

    remove_created(session, prepared[3], info=sink.info)


def start(args):
    """Session, sink and the submitted template; (.., .., None) after reporting a rejected template."""
    from aib_pilot.commands import preflight
    from aib_pilot.commands.monitor import make_sink

    prepared = prepare(args)
    checking = preflight.wanted(args)  # a bad AIB_PILOT_PREFLIGHT is refused before signing in
    session = options.make_session(args)
    sink = make_sink(args)
    if getattr(args, "from_inputs", None):
        from aib_pilot.commands import build_inputs

        template, name, rg, tags, on_conflict = prepared
        inputs, source = args.from_inputs
        template, name = build_inputs.materialize(args, session, sink, inputs, source, name=name, resource_group=rg,
                                                  user_tags=tags, log_dir=options.log_dir(args, check=True))
        prepared = template, name, rg, tags, on_conflict
    with _forget_payload_unless_recorded(session, sink, prepared):
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
