"""Microsoft.Authorization reads: role assignments for a scope and role definitions by ID.

Per authorization-RoleAssignmentsCalls.json / authorization-RoleDefinitionsCalls.json (2022-04-01):
* ``GET {scope}/providers/Microsoft.Authorization/roleAssignments`` (RoleAssignments_ListForScope)
  answers the assignments that apply to the scope: at it, above it (inherited) and below it.
  ``$filter=atScope()`` keeps those at or above; ``principalId eq '{id}'`` one principal's direct
  assignments; ``assignedTo('{id}')`` also those of the groups the principal belongs to.
* ``GET {roleDefinitionId}`` (RoleDefinitions_GetById) answers ``properties.permissions`` with
  ``actions``, ``notActions``, ``dataActions``, ``notDataActions``.
Reading assignments needs ``Microsoft.Authorization/roleAssignments/read`` (Reader has it); the
world's ``callerDenied`` scopes refuse it with 403 AuthorizationFailed.
"""
from __future__ import annotations

import re
import uuid

from .httpserver import Request, Response, json_response
from .world import ApiError

AUTH = "microsoft.authorization"


class AuthorizationRoutes:
    def __init__(self, estate, caller_oid: str):
        self.estate, self.caller = estate, caller_oid

    def __call__(self, req: Request, segs, low) -> Response | None:
        from .estate import read_only

        if AUTH not in low:
            return None
        at = low.index(AUTH)
        if at < 1 or low[at - 1] != "providers" or len(low) <= at + 1:
            return None
        kind = low[at + 1]
        scope = "/" + "/".join(segs[:at - 1])
        if kind == "roleassignments" and len(low) == at + 3 and req.method == "PUT":
            return self._create(req, scope, segs[at + 2])
        if kind == "roleassignments" and len(low) == at + 2:
            read_only(req)
            self.estate.check_caller(scope, "Microsoft.Authorization/roleAssignments/read", self.caller)
            return json_response(200, {"value": self._assignments(scope, req.query.get("$filter", ""))})
        if kind == "roledefinitions" and len(low) == at + 3:
            read_only(req)
            return json_response(200, self._definition(segs[at + 2]))
        return None

    # -- assignments -------------------------------------------------------------------------------
    def _create(self, req: Request, scope: str, name: str) -> Response:
        """RoleAssignments_Create: PUT {scope}/providers/Microsoft.Authorization/roleAssignments/{guid}
        with ``properties.roleDefinitionId`` and ``principalId``; 201 with the assignment. The caller
        needs ``Microsoft.Authorization/roleAssignments/write`` (the world's ``callerCannotAssignRoles``
        takes it away: 403 AuthorizationFailed). With the world key ``roleAssignmentDelayMinutes`` a new
        assignment is listed at once but takes effect for AIB's file fetch only that many simulated
        minutes later, as Azure applies new assignments after a delay (docs/emulator.md)."""
        if self.estate.doc.get("callerCannotAssignRoles"):
            raise ApiError(403, "AuthorizationFailed", f"The client '{self.caller}' with object id '{self.caller}' "
                           "does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/"
                           f"write' over scope '{scope}/providers/Microsoft.Authorization/roleAssignments/{name}' or "
                           "the scope is invalid. If access was recently granted, please refresh your credentials.")
        props = (req.json() or {}).get("properties") or {}
        role = str(props.get("roleDefinitionId") or "").rsplit("/", 1)[-1]
        principal = str(props.get("principalId") or "")
        if not role or not principal:
            raise ApiError(400, "InvalidRoleAssignmentRequest", "roleDefinitionId and principalId are required.")
        if not any(d["id"].lower() == role.lower() for d in self.estate.items("roleDefinitions")):
            raise ApiError(400, "RoleDefinitionDoesNotExist", f"The specified role definition with ID '{role}' "
                           "does not exist.")
        prefix = f"/subscriptions/{self.estate.sub}"
        relative = scope[len(prefix):] if scope.lower().startswith(prefix.lower()) else scope
        entry = {"principalId": principal, "principalType": props.get("principalType") or "ServicePrincipal",
                 "role": role, "scope": relative or "/", "name": name}
        delay = float(self.estate.doc.get("roleAssignmentDelayMinutes") or 0)
        if delay > 0:  # listed at once; honoured by AIB's file fetch only once it has taken effect
            from datetime import timedelta

            entry["effectiveAt"] = self.estate.world.clock.now() + timedelta(minutes=delay)
        self.estate.doc.setdefault("roleAssignments", []).append(entry)
        return json_response(201, {
            "id": f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}", "name": name,
            "type": "Microsoft.Authorization/roleAssignments",
            "properties": {"roleDefinitionId": f"{prefix}/providers/Microsoft.Authorization/roleDefinitions/{role}",
                           "principalId": principal, "principalType": entry["principalType"], "scope": scope}})

    def _assignments(self, scope: str, filt: str, *, in_effect_at=None) -> list[dict]:
        """The assignments ``filt`` selects for ``scope``; with ``in_effect_at`` (a simulated time)
        only those that have taken effect by then (see ``roleAssignmentDelayMinutes``)."""
        want = scope.rstrip("/").lower()
        at_scope = "atscope()" in filt.lower()
        principals = None
        m = re.search(r"assignedTo\('([^']+)'\)", filt, re.I)
        if m:
            principals = {m.group(1).lower()} | self._groups_of(m.group(1))
        m = re.search(r"principalId\s+eq\s+'([^']+)'", filt, re.I)
        if m:
            principals = {m.group(1).lower()}
        out = []
        for n, a in enumerate(self.estate.items("roleAssignments")):
            a_scope = self.estate.scope(a["scope"])
            s = a_scope.rstrip("/").lower()
            above = want == s or want.startswith(s + "/")
            below = s.startswith(want + "/")
            if not (above or (below and not at_scope)):
                continue
            if principals is not None and a["principalId"].lower() not in principals:
                continue
            if in_effect_at is not None and a.get("effectiveAt") and a["effectiveAt"] > in_effect_at:
                continue
            name = a.get("name") or str(uuid.uuid5(uuid.NAMESPACE_URL, f"{a_scope}|{a['principalId']}|{a['role']}|{n}"))
            out.append({
                "id": f"{a_scope.rstrip('/')}/providers/Microsoft.Authorization/roleAssignments/{name}",
                "type": "Microsoft.Authorization/roleAssignments", "name": name,
                "properties": {"roleDefinitionId": f"/subscriptions/{self.estate.sub}/providers/"
                                                   f"Microsoft.Authorization/roleDefinitions/{a['role']}",
                               "principalId": a["principalId"], "principalType": a.get("principalType", "ServicePrincipal"),
                               "scope": a_scope}})
        return out

    def _groups_of(self, principal: str) -> set[str]:
        return {g["id"].lower() for g in self.estate.items("groups")
                if principal.lower() in {m.lower() for m in g.get("members") or []}}

    # -- definitions -------------------------------------------------------------------------------
    def _definition(self, role_id: str) -> dict:
        for d in self.estate.items("roleDefinitions"):
            if d["id"].lower() == role_id.lower():
                return {"id": f"/subscriptions/{self.estate.sub}/providers/Microsoft.Authorization/roleDefinitions/{d['id']}",
                        "name": d["id"], "type": "Microsoft.Authorization/roleDefinitions",
                        "properties": {"roleName": d["roleName"], "type": d.get("type", "CustomRole"),
                                       "description": d.get("description", ""),
                                       "assignableScopes": ["/"],
                                       "permissions": [{"actions": d.get("actions") or [],
                                                        "notActions": d.get("notActions") or [],
                                                        "dataActions": d.get("dataActions") or [],
                                                        "notDataActions": d.get("notDataActions") or []}]}}
        raise ApiError(404, "RoleDefinitionDoesNotExist", "The specified role definition with ID "
                       f"'{role_id}' does not exist.")
