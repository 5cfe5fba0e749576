"""``aib-pilot submit``: create (or reuse) an image template and start its run, without waiting."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace

from aib_pilot import options
from aib_pilot.command_options import ON_CONFLICT, SubmitOptions
from aib_pilot.commands import SUMMARIES


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "submit", help=SUMMARIES["submit"],
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


def do_submit(session, sink, opts: SubmitOptions, fresh_role=None, sleep=None):
    """Submit; returns (Submitted, None) or (None, failure result dict). ``fresh_role``: the
    payload.FreshRole this run assigned, whose refusals are retried (waiting with ``sleep``)."""
    from aib_pilot.azure.submission import SubmissionFailed, submit

    name, rg = opts.name, opts.resource_group
    sink.info(f"submitting {opts.template_path} as image template {name} in resource group {rg}")
    for line in opts.notes:
        sink.info(line)
    try:
        done = submit(session, rg, opts.template, name, on_conflict=opts.on_conflict, user_tags=dict(opts.tags),
                      info=sink.info, fresh_role=fresh_role, sleep=sleep)
    except SubmissionFailed as failed:
        from aib_pilot.diagnosis import diagnose

        diag = diagnose(None, provisioning_error=failed.error, template_path=opts.template_path,
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


@contextmanager
def _forget_payload_unless_recorded(session, sink, opts: SubmitOptions):
    """Workspace files uploaded for a template that then never existed (preflight stopped it, or
    Azure refused the PUT) are deleted: only the template's tags would have named them for cleanup."""
    from aib_pilot.azure.created_resources import CONTAINER_TAG

    tags = opts.tags
    try:
        yield
    except BaseException:
        if CONTAINER_TAG in tags:
            _forget(session, sink, tags)
        raise
    if CONTAINER_TAG in tags:
        from aib_pilot.azure.templates import Templates

        try:
            exists = Templates(session).find(opts.resource_group, opts.name) is not None
        except Exception:  # noqa: BLE001 - unknown: keep the files, the template may hold them
            exists = True
        if not exists:
            _forget(session, sink, tags)


def _forget(session, sink, tags) -> None:
    from aib_pilot.azure.payload import remove_created

    remove_created(session, tags, info=sink.info)


def start(session, sink, opts: SubmitOptions, *, control=None, poll_interval: float | None = None):
    """Write the template from the build inputs (when given), preflight (unless switched off), then
    submit; returns (Submitted, the options as submitted), or (None, ..) after reporting a rejected
    template. ``control`` (run's LoopControl) bounds and interrupts a wait for a role this run
    assigned; ``poll_interval`` is the first such wait (default payload.FIRST_WAIT)."""
    import time

    from aib_pilot.commands import preflight

    fresh = None
    if opts.build is not None:  # written once signed in: it names the uploaded workspace files
        from aib_pilot.commands import build_inputs

        tags = dict(opts.tags)
        template, name, fresh = build_inputs.materialize(opts.build, session, sink, name=opts.name,
                                                         resource_group=opts.resource_group, user_tags=tags,
                                                         log_dir=opts.log_dir)
        opts = replace(opts, template=template, name=name, template_path=template.path, tags=tags, build=None)
    if fresh is not None:
        if poll_interval:
            fresh.first_wait = poll_interval
        if control is not None:
            fresh.until = time.monotonic() + control.remaining()
    with _forget_payload_unless_recorded(session, sink, opts):
        if opts.preflight:  # a doomed template stops here (exit 2), before anything is created
            preflight.check(session, sink, opts.template, resource_group=opts.resource_group, name=opts.name,
                            on_conflict=opts.on_conflict)
        done, failure = do_submit(session, sink, opts, fresh_role=fresh,
                                  sleep=control.sleep if control is not None else None)
    if failure:
        sink.result(failure, template_path=opts.template_path)
    return done, opts


def run(args) -> int:
    """The edge: typed options (every local input checked), a session, then submit without waiting."""
    from aib_pilot.command_options import resume_args
    from aib_pilot.commands.monitor import make_sink
    from aib_pilot.monitoring.template_watch import MonitorConfig, resume_command

    opts = SubmitOptions.from_args(args)
    session = options.make_session(args)
    sink = make_sink(opts.format)
    done, opts = start(session, sink, opts)
    if done is None:
        return 1
    cfg = MonitorConfig(resource_group=opts.resource_group, name=done.name, log_dir=opts.log_dir,
                        template_path=opts.template_path, resume_args=resume_args(args))
    command = resume_command(cfg)
    sink.info("the build runs in Azure now and needs nothing from this job; follow it with the monitor "
              "command below (in this job or a later one)")
    result = {
        "state": "Running", "run_sub_state": None, "template": done.template_id, "template_name": done.name,
        "resource_group": cfg.resource_group, "log_path": None, "log_url": None, "message": None, "outputs": [],
        "timeline": [], "diagnosis": None, "resume": command, "started": None, "ended": None,
        "elapsed_seconds": None, "published_anyway": None, "action": done.action,
    }
    sink.result(result, template_path=opts.template_path)
    return 0
