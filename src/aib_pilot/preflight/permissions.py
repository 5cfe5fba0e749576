"""Does the build identity hold the actions AIB performs on a scope?

The actions per scope follow Microsoft's "Configure Azure VM Image Builder permissions" guide (the
custom roles it creates for image creation, networking and staging). Assignments are read with
``role_assignments.list_for_scope(scope, filter="assignedTo('<principal>')")``, which answers the
assignments at the scope and inherited from its parents, including those of groups the principal is
a member of (authorization-RoleAssignmentsCalls.json, 2022-04-01); assignments *below* the scope do
not grant anything on it and are ignored. Each role definition is read once
(``role_definitions.get_by_id``). An action is granted when some permission block of an assigned
role matches it in ``actions`` (``dataActions`` for data actions) and not in that block's
``notActions`` (``notDataActions``); wildcards ``*`` match any characters, case-insensitively.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aib_pilot.preflight.context import Context, CouldNotCheck, read

GALLERY_READ = ("Microsoft.Compute/galleries/read", "Microsoft.Compute/galleries/images/read",
                "Microsoft.Compute/galleries/images/versions/read")
GALLERY_WRITE = GALLERY_READ + ("Microsoft.Compute/galleries/images/versions/write",)
IMAGE_READ = ("Microsoft.Compute/images/read",)
IMAGE_WRITE = ("Microsoft.Compute/images/write", "Microsoft.Compute/images/read", "Microsoft.Compute/images/delete")
VNET_JOIN = ("Microsoft.Network/virtualNetworks/read", "Microsoft.Network/virtualNetworks/subnets/join/action")
STAGING = ("Microsoft.Resources/subscriptions/resourceGroups/read", "Microsoft.Compute/virtualMachines/write",
           "Microsoft.Network/networkInterfaces/write", "Microsoft.Storage/storageAccounts/write")
BLOB_READ = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"


@dataclass(frozen=True)
class Need:
    """Actions AIB performs on ``scope`` for one part of the template, and a built-in role granting them."""

    purpose: str
    scope: str
    actions: tuple
    role: str
    line: int | None
    data: bool = False


def _matches(pattern: str, action: str) -> bool:
    rx = "^" + ".*".join(re.escape(p) for p in pattern.split("*")) + "$"
    return re.match(rx, action, re.IGNORECASE) is not None


def granted(permissions: list, action: str, *, data: bool = False) -> bool:
    for perm in permissions or []:
        allow = (perm.data_actions if data else perm.actions) or []
        deny = (perm.not_data_actions if data else perm.not_actions) or []
        if any(_matches(p, action) for p in allow) and not any(_matches(p, action) for p in deny):
            return True
    return False


def _is_at_or_above(assignment_scope: str, scope: str) -> bool:
    a, s = assignment_scope.rstrip("/").lower(), scope.rstrip("/").lower()
    return a in ("", "/") or s == a or s.startswith(a + "/")


def role_permissions(ctx: Context, role_id: str) -> tuple[str, list]:
    """(role name, permission blocks) of a role definition, read once per run."""

    def fetch():
        definition = read(f"role definition {role_id}",
                          lambda: ctx.authorization.role_definitions.get_by_id(role_id), scope=role_id)
        if definition is None:
            return role_id, []
        return definition.role_name or role_id, list(definition.permissions or [])

    return ctx.once.get(("roledef", role_id.lower()), fetch)


def missing_actions(ctx: Context, principal_id: str, need: Need) -> tuple[list[str], list[str]]:
    """(actions not granted, names of the roles that apply) for the principal on ``need.scope``.

    Raises CouldNotCheck when the caller may not list the scope's role assignments.
    """

    def fetch():
        pages = ctx.authorization.role_assignments.list_for_scope(
            need.scope, filter=f"assignedTo('{principal_id}')")
        return list(pages)

    assignments = read(f"the role assignments on {need.scope}", lambda: ctx.once.get(("ra", need.scope.lower(), principal_id), fetch),
                       scope=need.scope, role="Reader")
    if assignments is None:
        raise CouldNotCheck(f"the role assignments on {need.scope}", scope=need.scope,
                            reason="the scope was not found")
    applying = [a for a in assignments if _is_at_or_above(a.scope or "", need.scope)]
    roles = [role_permissions(ctx, a.role_definition_id) for a in applying]
    blocks = [perm for _name, perms in roles for perm in perms]
    missing = [act for act in need.actions if not granted(blocks, act, data=need.data)]
    return missing, sorted({name for name, _ in roles})


def needs_of(ctx: Context) -> list[Need]:
    """Every scope the template touches with the actions AIB needs there."""
    plan = ctx.plan
    out: list[Need] = []
    source = plan.source
    kind = str(source.get("type", "")).lower()
    from aib_pilot.preflight.plan import ResourceId

    if kind == "sharedimageversion":
        rid = ResourceId.parse(source.get("imageVersionId"))
        if rid is not None and rid.name("galleries"):
            out.append(Need("read the source gallery image", rid.prefix(1), GALLERY_READ, "Reader",
                            plan.line("properties", "source", "imageVersionId")))
    elif kind == "managedimage":
        rid = ResourceId.parse(source.get("imageId"))
        if rid is not None:
            out.append(Need("read the source managed image", rid.text, IMAGE_READ, "Reader",
                            plan.line("properties", "source", "imageId")))
    for dist in plan.distributions:
        if dist.target is None:
            continue
        if dist.kind.lower() == "sharedimage" and dist.target.name("images"):
            out.append(Need(f"publish to the gallery (distribute[{dist.index}])", dist.target.prefix(2), GALLERY_WRITE,
                            "Contributor", dist.target_line))
        elif dist.kind.lower() == "managedimage":
            out.append(Need(f"create the managed image (distribute[{dist.index}])", dist.target.rg_scope, IMAGE_WRITE,
                            "Contributor", dist.target_line))
    if plan.subnet is not None and plan.subnet.name("virtualNetworks"):
        out.append(Need("join the build VM to the subnet", plan.subnet.prefix(1), VNET_JOIN, "Network Contributor",
                        plan.line("properties", "vmProfile", "vnetConfig", "subnetId")))
    if plan.staging_rg:
        out.append(Need("create the build resources in the staging resource group", str(plan.staging_rg).rstrip("/"),
                        STAGING, "Contributor", plan.line("properties", "stagingResourceGroup")))
    return out
