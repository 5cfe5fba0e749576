"""Run every preflight check concurrently and shape the verdicts like a diagnosis.

``result_of`` writes the result as JSON with the diagnosis keys (schema ``aib-pilot/preflight/v1``);
``preflight`` returns it read into the typed Diagnosis, which the report layer renders in every format; each failed check is one finding (rule, category, severity, title,
cause, fix, reference, phase, kind, evidence) plus ``file`` and ``line`` of the template property it
is about. ``checks`` lists every check with its status (passed, failed, could_not_check, skipped).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from aib_pilot.preflight.checks_access import PROVIDERS, check_identity, check_provider, check_template_name, role_checks
from aib_pilot.preflight.checks_capacity import check_quota, check_security, check_vm_size
from aib_pilot.preflight.checks_files import check_file
from aib_pilot.preflight.checks_source import check_source
from aib_pilot.preflight.checks_targets import check_distribution
from aib_pilot.azure.errors import azure_access
from aib_pilot.errors import PilotError
from aib_pilot.preflight.context import SIGNED_IN, Context, Outcome
from aib_pilot.preflight.rules import RULES_BY_ID
from aib_pilot.redact import redact

from aib_pilot.diagnosis.result import PREFLIGHT_SCHEMA as SCHEMA
from aib_pilot.diagnosis.result import Diagnosis
MAX_WORKERS = 16


def tasks(ctx: Context) -> list:
    """(check name, callable) for every check the template calls for."""
    out = [("identity", lambda: check_identity(ctx))]
    out += role_checks(ctx)
    out += [(f"provider: {ns}", lambda ns=ns: check_provider(ctx, ns)) for ns in PROVIDERS]
    out += [("source image", lambda: check_source(ctx)), ("security type", lambda: check_security(ctx)),
            ("vm size", lambda: check_vm_size(ctx)), ("vCPU quota", lambda: check_quota(ctx)),
            ("template name", lambda: check_template_name(ctx))]
    out += [(f"distribute[{d.index}]", lambda d=d: check_distribution(ctx, d)) for d in ctx.plan.distributions]
    out += [(f"file: {f.label}", lambda f=f: check_file(ctx, f)) for f in ctx.plan.files]
    return out


def _run_one(name: str, call) -> list[Outcome]:
    try:
        return call()
    except PilotError:
        raise   # sign-in refused: no check can be made (exit 3 with the fix)
    except Exception as exc:  # noqa: BLE001 - one broken check must not hide the others
        from aib_pilot.preflight.context import first_line

        return [Outcome(name, "could_not_check", f"could not check: {type(exc).__name__}: {first_line(exc)}",
                        "AIB690", None, "Run the check by hand, or rerun with AIB_PILOT_DEBUG=1 and report it.")]


def run_checks(ctx: Context) -> list[Outcome]:
    with azure_access("signing in to check the template (preflight)"):
        ctx.warm_up()
    jobs = tasks(ctx)
    with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(jobs)), thread_name_prefix="preflight") as pool:
        futures = [pool.submit(_run_one, name, call) for name, call in jobs]
        return [o for f in futures for o in f.result()]


def finding(outcome: Outcome, template_path: str, caller: str | None = None) -> dict:
    rule = RULES_BY_ID[outcome.rule]
    fix = outcome.fix or rule.fix
    if caller:
        fix = fix.replace(SIGNED_IN, caller)
    return {"rule": rule.id, "category": rule.category, "severity": rule.severity, "title": rule.title,
            "cause": rule.cause, "fix": fix, "reference": rule.reference, "phase": "preflight",
            "kind": "specific" if outcome.status == "failed" else "could_not_check",
            "evidence": [{"line": outcome.line, "text": redact(f"{outcome.check}: {outcome.detail}")}],
            "file": template_path, "line": outcome.line, "check": outcome.check,
            **({"role": outcome.role, "scope": outcome.scope} if outcome.status == "could_not_check" else {})}


def result_of(outcomes: list[Outcome], template_path: str, seconds: float, lines_read: int = 0,
              caller: str | None = None) -> dict:
    failed = [o for o in outcomes if o.status == "failed"]
    unsure = [o for o in outcomes if o.status == "could_not_check"]
    findings = [finding(o, template_path, caller) for o in failed + unsure]
    return {
        "schema": SCHEMA, "source": template_path, "status": "failed" if failed else "succeeded",
        "category": RULES_BY_ID[failed[0].rule].category if failed else ("could_not_check" if unsure else "none"),
        "phase": "preflight", "findings": findings, "failed_customizer": None, "failing_section": None,
        "tail": [], "timeline": [], "lines_read": lines_read, "seconds": round(seconds, 3),
        "checks": [{"check": o.check, "status": o.status, "detail": redact(o.detail), "rule": o.rule, "line": o.line}
                   for o in outcomes],
    }


def preflight(session, template, *, resource_group: str, name: str, on_conflict: str = "attach") -> Diagnosis:
    """Read-only checks of ``template`` (a LoadedTemplate) for a build in ``resource_group``."""
    from aib_pilot.preflight.plan import make_plan

    started = time.monotonic()
    plan = make_plan(template)
    location = plan.location
    if not location:   # [resourceGroup().location]
        with azure_access(f"reading resource group {resource_group} for the template's location"):
            location = session.resources.resource_groups.get(resource_group).location
    ctx = Context(session, plan, resource_group, name, on_conflict, str(location).replace(" ", "").lower())
    outcomes = run_checks(ctx)
    return Diagnosis.from_dict(result_of(outcomes, template.path, time.monotonic() - started,
                                         max(plan.lines.values(), default=0), caller=getattr(session, "principal", None)))
