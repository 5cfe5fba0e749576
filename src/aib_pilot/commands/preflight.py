"""``aib-pilot preflight``: read-only checks of Azure that catch a doomed build before it is queued.

Also run by ``submit`` and ``run`` before they create anything (``--no-preflight`` or
AIB_PILOT_PREFLIGHT=false skips it). Exit code 0: nothing failed (checks that could not be made
are listed as warnings); 2: a check failed (the findings say what and how to fix it); 3: Azure
access error (sign-in).
"""

from __future__ import annotations

import os

from aib_pilot import options
from aib_pilot.command_options import ON_CONFLICT
from aib_pilot.commands import SUMMARIES
from aib_pilot.errors import EXIT_OK, EXIT_USAGE, PilotError


PREFLIGHT_FAILED = "PreflightFailed"  # the `state` output when preflight stopped submit/run


class PreflightFailed(PilotError):
    """A preflight check failed: the findings were printed; exit 2, nothing was submitted."""

    exit_code = EXIT_USAGE


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "preflight", help=SUMMARIES["preflight"],
        description="Read (never write) what the template needs in Azure and report what would fail the "
        "build: the identity and its roles on every scope it touches, resource providers, the source image "
        "in the build region, the VM size and vCPU quota, Trusted Launch / generation fit, distribution "
        "targets, customizer files on storage and the template name (rules AIB6xx in docs/preflight.md). "
        "submit and run do this first unless --no-preflight. Exit code 0: nothing failed; 2: a check "
        "failed; 3: Azure access error; 5: Azure unavailable (try again).")
    options.add_target_options(p)
    p.add_argument("--template", "-t", metavar="FILE", required=True, help="template JSON file")
    p.add_argument("--name-prefix", metavar="BASE", help="base of the generated <BASE>-<content hash> name")
    p.add_argument("--on-conflict", choices=ON_CONFLICT, default=None,
                   help="what submit will do when the template name exists; with fail, an existing name is a finding")
    from aib_pilot.commands.submit import add_template_value_options

    add_template_value_options(p)  # check the template run/submit would send
    options.add_azure_options(p)
    options.add_format_option(p)
    p.set_defaults(func=run)


def add_no_preflight_option(p) -> None:
    """``--no-preflight`` for submit and run."""
    p.add_argument("--no-preflight", action="store_true",
                   help="skip the read-only preflight checks before submitting (default: AIB_PILOT_PREFLIGHT, else on)")


def wanted(args, env=None) -> bool:
    """Preflight before submit/run unless --no-preflight or AIB_PILOT_PREFLIGHT=false."""
    return options.on_unless(args, "no_preflight", "AIB_PILOT_PREFLIGHT", env)


def check(session, sink, template, *, resource_group: str, name: str, on_conflict: str):
    """Run the checks, print the result through ``sink``; raise PreflightFailed when one failed.
    Returns the result (a Diagnosis), or None when the checks were skipped."""
    from aib_pilot.azure.templates import Templates, is_running
    from aib_pilot.preflight import preflight

    if on_conflict == "attach":
        existing = _existing(Templates(session), resource_group, name)
        if existing is not None and is_running(existing):
            # attaching to a build already under way creates nothing; its build VM also holds the
            # quota the checks would count
            sink.info(f"preflight: skipped, {name} is already running and will be attached to")
            return None
    sink.info(f"preflight: checking what {template.path} needs in Azure (read-only)")
    result = preflight(session, template, resource_group=resource_group, name=name, on_conflict=on_conflict)
    failed = [f for f in result.findings if f.kind == "specific"]
    if failed:
        sink.diagnosis(result, template_path=template.path)
        # the step's `state` output says why nothing runs (docs/output-formats.md#step-outputs)
        sink.outputs({"state": PREFLIGHT_FAILED, "template-name": name, "resource-group": resource_group})
        raise PreflightFailed(f"preflight: {len(failed)} check(s) failed; nothing was submitted.",
                              hint="Fix the findings above (each names its az command), or pass --no-preflight.")
    unsure = len(result.findings)
    sink.info(f"preflight: {len(result.checks)} checks in {result.seconds:.1f} s, none failed"
              + (f"; {unsure} could not be checked" if unsure else ""))
    return result


def _existing(templates, resource_group: str, name: str) -> dict | None:
    """The template if it exists and may be read; None otherwise (preflight then says why)."""
    from azure.core.exceptions import HttpResponseError

    try:
        return templates.find(resource_group, name)
    except HttpResponseError:
        return None


def run(args) -> int:
    from aib_pilot.azure.templates import choose_name
    from aib_pilot.command_options import on_conflict
    from aib_pilot.commands.monitor import make_sink
    from aib_pilot.commands.submit import load_with_values
    from aib_pilot.preflight import preflight

    template = load_with_values(args)
    name = choose_name(template, name=options.template_name(args, required=False),
                       prefix=getattr(args, "name_prefix", None))
    rg = options.resource_group(args)
    conflict = on_conflict(args)
    fmt = options.resolve_format(args)   # a bad AIB_PILOT_FORMAT is refused before signing in
    session = options.make_session(args)
    sink = make_sink(fmt)
    result = preflight(session, template, resource_group=rg, name=name, on_conflict=conflict)
    sink.diagnosis(result, template_path=args.template)
    return EXIT_USAGE if result.failed else EXIT_OK
