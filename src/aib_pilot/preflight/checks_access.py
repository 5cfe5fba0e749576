"""Checks of who may do what: the build identity, its roles per scope, providers, the template name.

Each check is ``check(ctx, ...) -> list[Outcome]`` and only reads.
"""

from __future__ import annotations

from aib_pilot.preflight.context import Context, CouldNotCheck, Outcome, read
from aib_pilot.preflight.permissions import Need, missing_actions, needs_of

# Resource providers AIB needs registered (AIB overview, "Register the features").
PROVIDERS = ("Microsoft.VirtualMachineImages", "Microsoft.Compute", "Microsoft.Storage", "Microsoft.Network",
             "Microsoft.KeyVault", "Microsoft.ContainerInstance")


def identity_principal(ctx: Context) -> str | None:
    """The principal (object) id of the template's first user-assigned identity; None if absent."""

    def fetch():
        rid, raw = ctx.plan.identities[0]
        if rid is None:
            return None
        found = read(f"the identity {raw}", lambda: ctx.msi.user_assigned_identities.get(rid.rg, rid.parts[-1][1]),
                     scope=rid.text)
        return None if found is None else found.principal_id

    return ctx.once.get("principal", fetch)


def check_identity(ctx: Context) -> list[Outcome]:
    plan = ctx.plan
    line = plan.line("identity", "userAssignedIdentities") or plan.line("identity")
    if not plan.identities:
        return [Outcome("identity", "failed", "the template has no user-assigned identity", "AIB601", line,
                        "Add \"identity\": {\"type\": \"UserAssigned\", \"userAssignedIdentities\": {\"<identity id>\": {}}} "
                        "(create one: az identity create -g <rg> -n aib-identity)")]
    rid, raw = plan.identities[0]
    line = plan.line("identity", "userAssignedIdentities", raw)
    try:
        principal = identity_principal(ctx)
    except CouldNotCheck as err:
        return [Outcome.from_error("identity", err, line)]
    if principal is None:
        rg = rid.rg if rid else "<resource group>"
        name = rid.parts[-1][1] if rid else "<name>"
        return [Outcome("identity", "failed", f"identity {raw} does not exist", "AIB601", line,
                        f"az identity create -g {rg} -n {name} (then grant it the roles the build needs)")]
    return [Outcome("identity", "passed", f"identity {raw} exists (principal {principal})", line=line)]


def check_role(ctx: Context, need: Need) -> list[Outcome]:
    name = f"role: {need.purpose}"
    try:
        principal = identity_principal(ctx)
    except CouldNotCheck:
        return [Outcome(name, "skipped", "the identity could not be read", line=need.line)]
    if principal is None:
        return [Outcome(name, "skipped", "the identity does not exist (see the identity check)", line=need.line)]
    try:
        missing, roles = missing_actions(ctx, principal, need)
    except CouldNotCheck as err:
        return [Outcome.from_error(name, err, need.line)]
    if not missing:
        return [Outcome(name, "passed", f"granted on {need.scope} by {', '.join(roles)}", line=need.line)]
    have = f" (its roles there: {', '.join(roles)})" if roles else " (no role applies there)"
    detail = f"the build identity may not {need.purpose} on {need.scope}{have}; missing: {', '.join(missing)}"
    fix = (f"az role assignment create --assignee-object-id {principal} --assignee-principal-type ServicePrincipal "
           f"--role \"{need.role}\" --scope {need.scope} (or a custom role with exactly: {', '.join(need.actions)})")
    return [Outcome(name, "failed", detail, "AIB602", need.line, fix, scope=need.scope)]


def role_checks(ctx: Context) -> list:
    """One task per scope the template touches."""
    return [(f"role: {n.purpose}", lambda n=n: check_role(ctx, n)) for n in needs_of(ctx)]


def provider_state(ctx: Context, namespace: str) -> str | None:
    """The provider's registrationState (read once); CouldNotCheck when the caller may not read it."""

    def fetch():
        found = read(f"the registration of {namespace}", lambda: ctx.resources.providers.get(namespace),
                     scope=ctx.sub_scope)
        return getattr(found, "registration_state", None) if found else None

    return ctx.once.get(("provider", namespace.lower()), fetch)


def provider_registered(ctx: Context, namespace: str) -> bool:
    """True unless the provider is known to be unregistered (unknown counts as registered)."""
    try:
        state = provider_state(ctx, namespace)
    except CouldNotCheck:
        return True
    return state is None or state.lower() == "registered"


def check_provider(ctx: Context, namespace: str) -> list[Outcome]:
    name = f"provider: {namespace}"
    try:
        state = provider_state(ctx, namespace)
    except CouldNotCheck as err:
        return [Outcome.from_error(name, err, None)]
    if state and state.lower() == "registered":
        return [Outcome(name, "passed", f"{namespace} is registered")]
    return [Outcome(name, "failed", f"{namespace} is {state or 'unknown'} in subscription {ctx.session.subscription_id}",
                    "AIB603", ctx.plan.line("type") or ctx.plan.line(), f"az provider register --namespace {namespace} "
                    f"--subscription {ctx.session.subscription_id} --wait")]


def check_template_name(ctx: Context) -> list[Outcome]:
    name, rg = ctx.template_name, ctx.resource_group
    check = "template name"
    if not provider_registered(ctx, "Microsoft.VirtualMachineImages"):
        # its reads would answer 409 MissingSubscriptionRegistration
        return [Outcome(check, "skipped", "Microsoft.VirtualMachineImages is not registered (see the provider check)")]
    try:
        found = read(f"image template {name}",
                     lambda: ctx.imagebuilder.virtual_machine_image_templates.get(rg, name),
                     scope=f"{ctx.sub_scope}/resourceGroups/{rg}")
    except CouldNotCheck as err:
        return [Outcome.from_error(check, err, None)]
    if found is None:
        return [Outcome(check, "passed", f"no image template {name} in {rg} yet")]
    if ctx.on_conflict == "fail":
        return [Outcome(check, "failed", f"image template {name} already exists in {rg} and --on-conflict is fail",
                        "AIB616", ctx.plan.line("name") or ctx.plan.line(),
                        f"az image builder delete -g {rg} -n {name} (or rerun with --on-conflict attach|replace)")]
    return [Outcome(check, "passed", f"image template {name} exists; --on-conflict {ctx.on_conflict} decides")]
