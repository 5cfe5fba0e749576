"""AIB's fetch of customizer files when a template is submitted, for files in the emulator's blob store.

AIB downloads every ``File`` ``sourceUri`` (and ``scriptUri``) while it creates the template, with
the template's user-assigned identity. Two outcomes are modelled (docs/emulator.md):

* the identity holds no role with ``Microsoft.Storage/storageAccounts/blobServices/containers/
  blobs/read`` on the container (or above it): the PUT is refused with ``Unauthorized`` "Not
  authorized to access the resource: <uri>. Please check the user assigned identity has the correct
  permissions." (the text reported in Azure/azvmimagebuilder#60; AIB asks for the role even when
  the container allows anonymous reads, as that report says). A URI with a SAS is not checked;
* the blob does not exist: the template ends ``provisioningState: Failed`` with the download error
  (the ``file-download-failed-submit`` scenario's message, naming the URI).

Only URIs on the emulator's blob endpoint are checked, and the role check only when an estate world
is loaded (it holds the identities and role assignments).
"""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from .world import ApiError

BLOB_READ = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"


def _matches(pattern: str, action: str) -> bool:
    rx = "^" + ".*".join(re.escape(p) for p in pattern.split("*")) + "$"
    return re.match(rx, action, re.IGNORECASE) is not None


class FileCheck:
    def __init__(self, estate):
        self.estate = estate

    def __call__(self, body: dict) -> dict | None:
        props = body.get("properties") or {}
        steps = list(props.get("customize") or []) + list((props.get("validate") or {}).get("inVMValidations") or [])
        identities = list(((body.get("identity") or {}).get("userAssignedIdentities") or {}).keys())
        for index, step in enumerate(steps):
            for key in ("sourceUri", "scriptUri"):
                uri = step.get(key) if isinstance(step, dict) else None
                if isinstance(uri, str):
                    problem = self._check(uri, index, identities)
                    if problem:
                        return problem
        return None

    def _check(self, uri: str, index: int, identities: list[str]) -> dict | None:
        base = self.estate.blob_url.rstrip("/")
        if not uri.startswith(base + "/"):
            return None
        parts = urlsplit(uri)
        segs = [s for s in parts.path.split("/") if s]
        if len(segs) < 3:
            return None
        account, container, blob = segs[0], segs[1], "/".join(segs[2:])
        users = self.estate.world.user_accounts
        pool = users.pool_of(account) if users else account
        has_sas = "sig" in {k.lower() for k in parse_qs(parts.query)}
        if not has_sas and self.estate.doc:
            scope = self._container_scope(account, container)
            principals = [self._principal(i) for i in identities]
            principals = [p for p in principals if p]
            if scope and principals and not any(self._may_read(p, scope) for p in principals):
                raise ApiError(400, "Unauthorized", f"Not authorized to access the resource: {uri}. Please check "
                               "the user assigned identity has the correct permissions. For more details, go to "
                               "https://aka.ms/azvmimagebuilderts.")
        if pool is None or not self._exists(pool, container, blob):
            local = f"00000000-0000-0000-0000-000000000000.{index}.customizer.fp"
            return {"provisioningErrorCode": "Other", "message": (
                f"Downloading external file ({uri}) to local file ({local}) [attempt 1 of 10] failed: Error "
                f"downloading '{uri}' to '{local}'..")}
        return None

    def _exists(self, pool: str, container: str, blob: str) -> bool:
        svc = self.estate.blob_writer._service(pool)
        return svc.get_blob_client(container, blob).exists()

    def _container_scope(self, account: str, container: str) -> str | None:
        users = self.estate.world.user_accounts
        acct = users.accounts.get(account.lower()) if users else None
        if acct is not None:
            rid = users.json(acct, "")["id"]
        else:
            world_acct = self.estate.account_label(account)
            if world_acct is None:
                return None
            rid = self.estate.scope(f"/resourceGroups/{world_acct['resourceGroup']}/providers/"
                                    f"Microsoft.Storage/storageAccounts/{account}")
        return f"{rid}/blobServices/default/containers/{container}"

    def _principal(self, identity_id: str) -> str | None:
        for ident in self.estate.items("identities"):
            rid = self.estate.scope(f"/resourceGroups/{ident['resourceGroup']}/providers/"
                                    f"Microsoft.ManagedIdentity/userAssignedIdentities/{ident['name']}")
            if rid.lower() == identity_id.rstrip("/").lower():
                return ident["principalId"]
        return None

    def _may_read(self, principal: str, scope: str) -> bool:
        from .authorization import AuthorizationRoutes

        routes = AuthorizationRoutes(self.estate, "")
        roles = {d["id"].lower(): d for d in self.estate.items("roleDefinitions")}
        now = self.estate.world.clock.now()
        for assignment in routes._assignments(scope, f"atScope() and assignedTo('{principal}')", in_effect_at=now):
            role_id = assignment["properties"]["roleDefinitionId"].rsplit("/", 1)[-1].lower()
            role = roles.get(role_id) or {}
            if any(_matches(p, BLOB_READ) for p in role.get("dataActions") or []) and not any(
                    _matches(p, BLOB_READ) for p in role.get("notDataActions") or []):
                return True
        return False
