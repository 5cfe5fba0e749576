"""Microsoft.ManagedIdentity reads: ``UserAssignedIdentities_Get`` (ManagedIdentity.json,
2024-11-30): ``GET /subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.ManagedIdentity/
userAssignedIdentities/{name}`` -> ``properties.principalId``, ``clientId``, ``tenantId``."""
from __future__ import annotations

from .httpserver import Request, Response, json_response
from .world import ApiError


class MsiRoutes:
    def __init__(self, estate, caller_oid: str):
        self.estate, self.caller = estate, caller_oid

    def __call__(self, req: Request, segs, low) -> Response | None:
        from .estate import read_only

        if not (len(low) == 8 and low[2] == "resourcegroups" and low[4:7] == ["providers", "microsoft.managedidentity",
                                                                            "userassignedidentities"]):
            return None
        read_only(req)
        rg, name = segs[3], segs[7]
        if self.estate.world.get_rg(rg) is None:
            raise ApiError(404, "ResourceGroupNotFound", f"Resource group '{rg}' could not be found.")
        self.estate.check_caller(req.path, "Microsoft.ManagedIdentity/userAssignedIdentities/read", self.caller)
        for ident in self.estate.items("identities"):
            if ident["resourceGroup"].lower() == rg.lower() and ident["name"].lower() == name.lower():
                rid = self.estate.scope(f"/resourceGroups/{ident['resourceGroup']}/providers/"
                                        f"Microsoft.ManagedIdentity/userAssignedIdentities/{ident['name']}")
                return json_response(200, {
                    "id": rid, "name": ident["name"], "location": ident.get("location", self.estate.world.location),
                    "type": "Microsoft.ManagedIdentity/userAssignedIdentities", "tags": {},
                    "properties": {"tenantId": self.estate.world.tenant, "principalId": ident["principalId"],
                                   "clientId": ident["clientId"]}})
        raise ApiError(404, "ResourceNotFound", f"The Resource 'Microsoft.ManagedIdentity/userAssignedIdentities/"
                       f"{name}' under resource group '{rg}' was not found. For more details please go to "
                       "https://aka.ms/ARMResourceNotFoundFix")
