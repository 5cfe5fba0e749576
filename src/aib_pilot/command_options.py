"""Typed options: what each command's code takes, built once at the command's edge.

argparse defines the options (``options.add_*_options`` and each command's ``register``); a
command's ``run(args)`` turns the namespace into one of these frozen dataclasses -- checking every
local input there, before any sign-in -- and the code below the edge takes only these objects.
An option that reaches the code does so through one named, typed field.

The Azure connection options (subscription, auth, cloud, ...) are read once, at the edge, by
``options.make_session(args)``: nothing below the edge needs them except the session.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from aib_pilot import options
from aib_pilot.errors import UsageError

ON_CONFLICT = ("attach", "replace", "fail")


def pr_publishing(args, env: Mapping[str, str] | None = None) -> str | None:
    """None, "check" (--annotate-pr) or "comment" (--pr-comment: a check run and a PR comment)."""
    if options.flag(args, "pr_comment", "AIB_PILOT_PR_COMMENT", env):
        return "comment"
    return "check" if options.flag(args, "annotate_pr", "AIB_PILOT_ANNOTATE_PR", env) else None


def resume_args(args) -> list[str]:
    """Options the next job must repeat to reach the same template (the printed resume command)."""
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
    if getattr(args, "cleanup", None):
        out += ["--cleanup", args.cleanup]
    return out


def on_conflict(args, env: Mapping[str, str] | None = None) -> str:
    """--on-conflict, else AIB_PILOT_ON_CONFLICT, else attach."""
    env = os.environ if env is None else env
    chosen = getattr(args, "on_conflict", None) or env.get("AIB_PILOT_ON_CONFLICT") or "attach"
    if chosen not in ON_CONFLICT:
        raise UsageError(f"AIB_PILOT_ON_CONFLICT={chosen!r} is not a choice.", hint=f"Use one of {', '.join(ON_CONFLICT)}.")
    return chosen


@dataclass(frozen=True)
class WatchOptions:
    """How to follow runs (``monitor``, and ``run`` after it submitted)."""

    log_dir: Path
    poll_interval: float
    budget_seconds: float | None
    template_path: str | None
    live_log: str | None  # the mode chosen on the command line; None: the report layer reads AIB_PILOT_LIVE_LOG
    pr_publishing: str | None  # None, "check" or "comment"
    format: str
    cancel_on_interrupt: bool = False
    resume_args: tuple[str, ...] = ()
    cleanup: str | None = None  # --cleanup / AIB_PILOT_CLEANUP; None: the policy the template was submitted with

    @classmethod
    def from_args(cls, args, env: Mapping[str, str] | None = None, *, load_template: bool = True) -> "WatchOptions":
        """Check every local input (numbers, switches, format, the template file) and keep them."""
        budget = options.budget_seconds(args, env)
        interval = options.poll_interval(args, env)
        options.check_live_log(args, env)
        publishing = pr_publishing(args, env)  # a bad AIB_PILOT_ANNOTATE_PR fails now, not after the build
        fmt = options.resolve_format(args, env)
        from aib_pilot.commands.cleanup import cleanup_policy

        cleanup = cleanup_policy(args, env)
        template_path = getattr(args, "template", None)
        if template_path and load_template:
            from aib_pilot.azure.templates import load_template as load

            load(template_path)
        return cls(log_dir=options.log_dir(args, env), poll_interval=interval, budget_seconds=budget,
                   template_path=template_path, live_log=options.live_log(args), pr_publishing=publishing,
                   format=fmt, cancel_on_interrupt=bool(getattr(args, "cancel_on_interrupt", False)),
                   resume_args=tuple(resume_args(args)), cleanup=cleanup)


@dataclass(frozen=True)
class FleetSelection:
    """Which templates ``monitor`` watches: named ones (``names`` with their ``groups``), or with
    ``every`` (--all) those in ``resource_group`` (or the subscription) carrying ``tags``."""

    names: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    every: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)
    resource_group: str | None = None

    @classmethod
    def from_args(cls, args, env: Mapping[str, str] | None = None) -> "FleetSelection":
        from aib_pilot.azure.templates import parse_tag

        if args.all:
            if args.name:
                raise UsageError("--all and --name cannot be combined.",
                                 hint="Use --all --tag KEY=VALUE, or list --name several times.")
            tags = dict(parse_tag(tag) for tag in args.tag)
            # a malformed -g is refused before signing in
            return cls(every=True, tags=tags, resource_group=options.resource_group(args, env, required=False))
        if args.tag:
            raise UsageError("--tag selects templates only together with --all.", hint="Add --all.")
        names = options.template_names(args, env)
        rg = options.resource_group(args, env)
        return cls(names=tuple(names), groups=(rg,) * len(names), resource_group=rg)


@dataclass(frozen=True)
class SubmitOptions:
    """What ``submit`` (and ``run`` before it monitors) creates and starts."""

    template: object | None  # azure.templates.LoadedTemplate, loaded and checked; None until written from `build`
    template_path: str | None
    name: str
    resource_group: str
    tags: Mapping[str, str]
    on_conflict: str
    format: str
    preflight: bool
    log_dir: Path
    notes: tuple[str, ...] = ()  # what --parameters/--set changed and the provenance tags added (names only)
    build: object | None = None  # commands.build_inputs.BuildRequest: the template is written from these inputs

    @classmethod
    def from_args(cls, args, env: Mapping[str, str] | None = None) -> "SubmitOptions":
        """Check every local input (template file, name, resource group, tags, switches) before any
        sign-in, so one run shows the local mistake."""
        from aib_pilot.azure.build_cleanup import DEFAULT_POLICY, POLICY_TAG
        from aib_pilot.azure.templates import choose_name, parse_tag
        from aib_pilot.commands.cleanup import cleanup_policy
        from aib_pilot.commands.preflight import wanted
        from aib_pilot.commands import build_inputs
        from aib_pilot.commands.submit import load_with_values, values_lines

        from_inputs = build_inputs.wanted(args)
        if not from_inputs and not getattr(args, "template", None):  # worded as argparse words a missing option
            command = getattr(args, "command", None) or "submit"
            raise UsageError(f"{command}: the following arguments are required: --template (or the build-from-inputs "
                             "options --source-image, --source-os-type, --location, --managed-identity).",
                             hint=f"Run 'aib-pilot {command} --help' for the options.")
        rg = options.resource_group(args, env)
        build = None
        if from_inputs:  # the template is written once signed in (it names the uploaded files)
            build = build_inputs.check(args, rg, env)
            template, name = None, options.template_name(args, env, required=False)
        else:
            template = load_with_values(args, env)  # load -> --parameters -> --set -> provenance
            name = choose_name(template, name=options.template_name(args, env, required=False),
                               prefix=getattr(args, "name_prefix", None))
        tags = dict(parse_tag(t) for t in args.tag)
        # recorded on the template: a later monitor (another job, a scheduled fleet watch) honours it
        tags.setdefault(POLICY_TAG, cleanup_policy(args, env) or DEFAULT_POLICY)
        conflict = on_conflict(args, env)
        fmt = options.resolve_format(args, env)
        checking = wanted(args, env)  # a bad AIB_PILOT_PREFLIGHT is refused before signing in
        return cls(template=template, template_path=args.template, name=name, resource_group=rg, tags=tags,
                   on_conflict=conflict, format=fmt, preflight=checking, log_dir=options.log_dir(args, env),
                   notes=tuple(values_lines(args, template)) if template is not None else (), build=build)


@dataclass(frozen=True)
class RemoteDiagnoseOptions:
    """``diagnose -g RG -n NAME``: which template, where its log goes, how to print."""

    resource_group: str
    name: str
    log_dir: Path
    template_path: str | None
    format: str

    @classmethod
    def from_args(cls, args, env: Mapping[str, str] | None = None) -> "RemoteDiagnoseOptions":
        return cls(resource_group=options.resource_group(args, env), name=options.template_name(args, env),
                   log_dir=options.log_dir(args, env), template_path=getattr(args, "template", None),
                   format=args.format)


@dataclass(frozen=True)
class LocalDiagnoseOptions:
    """``diagnose FILE|-``: the log, the template, the pasted status text, the format."""

    log: str | None
    template_path: str | None
    status_message: str | None
    format: str

    @classmethod
    def from_args(cls, args) -> "LocalDiagnoseOptions":
        return cls(log=args.log, template_path=args.template, status_message=args.status_message, format=args.format)
