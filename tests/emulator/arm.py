"""The ARM fake: authentication, api-version checks, routing and the JSON shapes of each resource.

Facts follow the AIB REST description and ARM's conventions (docs/sources.md#aib, #arm; the
behaviour and its sources in docs/emulator.md): paths, operations and LRO headers, the resource,
its enums, the error envelope and throttling headers. Path keywords (subscriptions,
resourceGroups, providers, namespaces, types) match case-insensitively as in ARM.
"""
from __future__ import annotations

import base64
import math
import json
import re
import threading
import time
import uuid
from datetime import datetime, timezone
from urllib.parse import unquote

from .clock import ScaledClock, iso
from .httpserver import Request, Response, json_response
from .tokens import TokenError, TokenMinter
from .world import ApiError, NAME_RX, Template, World

AIB = "microsoft.virtualmachineimages"
AIB_API_VERSIONS = ["2018-02-01-preview", "2019-02-01-preview", "2019-05-01-preview", "2020-02-14",
                    "2021-10-01", "2022-02-14", "2022-07-01", "2023-07-01", "2024-02-01", "2025-10-01"]
API_VERSION_RX = re.compile(r"^\d{4}-\d{2}-\d{2}(-preview|-beta|-alpha)?$")
#: Audiences of the public cloud's ARM. Entra ID mints tokens for them (it is one directory for
#: every Resource Manager), but this ARM -- a custom cloud's, at its own URL -- refuses them with 401
#: InvalidAuthenticationTokenAudience, as a sovereign or private cloud's ARM does.
PUBLIC_ARM_AUDIENCES = ["https://management.azure.com", "https://management.core.windows.net"]
#: Items per page of every list: smaller than Azure's pages so that every client follows nextLink.
DEFAULT_PAGE_SIZE = 20
LOCATIONS = ["eastus", "eastus2", "westus2", "westus3", "westeurope", "northeurope", "koreacentral"]

# Retry-After on long-running operations, in simulated seconds (scaled to real, never 0).
RETRY_AFTER = {"create": 15, "delete": 15, "run": 60, "cancel": 15, "rg-delete": 15, "update": 15}
#: Simulated seconds an update (PATCH) takes.
UPDATE_SECONDS = 10


class RateBuckets:
    """ARM's regional token buckets (docs/sources.md#arm): reads 250 (+25/s), writes and deletes 200 (+10/s)."""

    SIZES = {"reads": (250, 25), "writes": (200, 10), "deletes": (200, 10)}

    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self):
        with self._lock:
            now = time.monotonic()
            self._state = {k: [float(size), now] for k, (size, _) in self.SIZES.items()}

    def take(self, kind: str) -> int:
        size, refill = self.SIZES[kind]
        with self._lock:
            level, then = self._state[kind]
            now = time.monotonic()
            level = min(size, level + (now - then) * refill) - 1
            self._state[kind] = [max(level, 0.0), now]
            return max(int(level), 0)


class ArmApp:
    def __init__(self, world: World, minter: TokenMinter, clock: ScaledClock, *, authority: str,
                 directory):
        self.world, self.minter, self.clock = world, minter, clock
        self.authority, self.dir = authority, directory
        self.base_url = ""          # set once the port is known
        self.blob_url = ""
        self.buckets = RateBuckets()
        self.extra_routes = None    # the read-only estate preflight inspects (estate.EstateRoutes)
        self.page_size = DEFAULT_PAGE_SIZE

    def audiences(self) -> list[str]:
        """What this ARM accepts as a token's ``aud``: its own URL (with or without the final slash),
        which its metadata endpoint announces; a token for any other cloud's ARM is refused."""
        return [self.base_url]

    # -- lists ------------------------------------------------------------------------------------
    def _list(self, req: Request, items: list, **extra) -> Response:
        """One page of a list, as ARM pages (x-ms-pageable): ``{"value": [...], "nextLink": url}``
        while items remain. ``$top`` caps the page; ``$skiptoken`` (opaque to clients, here an
        offset) is where the next page starts. The nextLink repeats the request's own query."""
        query = req.query
        try:
            start = int(query.get("$skiptoken") or 0)
            top = int(query["$top"]) if query.get("$top") not in (None, "") else None
        except ValueError:
            raise ApiError(400, "InvalidQueryParameterValue",
                           "The value of $top or $skiptoken is not a valid integer.") from None
        if start < 0 or (top is not None and top < 1):
            raise ApiError(400, "InvalidQueryParameterValue", "$top must be positive and $skiptoken valid.")
        size = min(top or self.page_size, self.page_size)
        page = items[start:start + size]
        doc = {"value": page, **extra}
        if start + size < len(items):
            from urllib.parse import urlencode
            rest = [(k, v) for k, v in query.items() if k != "$skiptoken"] + [("$skiptoken", str(start + size))]
            doc["nextLink"] = f"{self.base_url}{req.path}?{urlencode(rest, safe='$')}"
        return json_response(200, doc)

    # -- entry ------------------------------------------------------------------------------------
    def __call__(self, req: Request) -> Response:
        rid = str(uuid.uuid4())
        try:
            resp = self._route(req)
        except ApiError as err:
            resp = error_response(err.status, err.code, err.message, err.headers)
        resp.headers.setdefault("x-ms-request-id", rid)
        resp.headers.setdefault("x-ms-correlation-request-id", rid)
        if req.header("x-ms-client-request-id"):
            resp.headers.setdefault("x-ms-client-request-id", req.header("x-ms-client-request-id"))
        resp.headers.setdefault("x-ms-routing-request-id", f"EMULATOR:{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}:{rid}")
        if req.method in ("GET", "HEAD"):
            resp.headers["x-ms-ratelimit-remaining-subscription-reads"] = str(self.buckets.take("reads"))
        elif req.method == "DELETE":
            resp.headers["x-ms-ratelimit-remaining-subscription-deletes"] = str(self.buckets.take("deletes"))
            resp.headers["x-ms-ratelimit-remaining-subscription-writes"] = str(self.buckets.take("writes"))
        else:
            resp.headers["x-ms-ratelimit-remaining-subscription-writes"] = str(self.buckets.take("writes"))
        return resp

    def _route(self, req: Request) -> Response:
        # Names in errors and in the resources are the decoded ones, as ARM quotes them.
        segs = [unquote(s) for s in req.path.split("/") if s]
        low = [s.lower() for s in segs]
        if low[:2] == ["metadata", "endpoints"]:
            return self._metadata(req)
        self._authenticate(req)
        api = req.query.get("api-version")
        if not api:
            raise ApiError(400, "MissingApiVersionParameter",
                           "The api-version query parameter (?api-version=) is required for all requests.")
        if low == ["providers", AIB, "operations"]:
            self._check_aib_api(api, "operations")
            return self._list(req, _provider_operations())
        if not low or low[0] != "subscriptions":
            raise ApiError(404, "InvalidResourceType", "The resource type could not be found in the namespace.")
        self._check_generic_api(api)
        if len(low) == 1:
            return self._list_subscriptions(req)
        sub = segs[1]
        if sub.lower() != self.world.sub.lower():
            raise ApiError(404, "SubscriptionNotFound", f"The subscription '{sub}' could not be found.")
        extra = self.extra_routes(req, segs, low) if self.extra_routes else None   # estate.py
        if extra is not None:
            return extra
        rest, rest_low = segs[2:], low[2:]
        if not rest:
            return json_response(200, self._subscription_json())
        if rest_low[0] == "operationresults" and len(rest) == 2:
            return self._rg_delete_result(req, rest[1])
        if rest_low[0] == "resourcegroups":
            return self._resource_groups(req, rest[1:], rest_low[1:], api)
        if rest_low[0] == "providers":
            return self._subscription_providers(req, rest[1:], rest_low[1:], api)
        if rest_low[0] == "locations" and len(rest) == 1:
            return self._list(req, [{"id": f"/subscriptions/{self.world.sub}/locations/{loc}",
                                     "name": loc, "displayName": loc} for loc in LOCATIONS])
        raise ApiError(404, "NotFound", f"No route for {req.method} {req.path}.")

    # -- auth -------------------------------------------------------------------------------------
    def _authenticate(self, req: Request):
        auth = req.header("authorization") or ""
        challenge = (f'Bearer authorization_uri="{self.authority}/{self.world.tenant}", '
                     f'error="invalid_token", error_description="{{}}"')
        if not auth.lower().startswith("bearer "):
            raise ApiError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.",
                           {"WWW-Authenticate": f'Bearer authorization_uri="{self.authority}/{self.world.tenant}", '
                                                'error="invalid_token", error_description="The authentication failed because of missing \'Authorization\' header."'})
        try:
            claims = self.minter.check(auth[7:].strip())
        except TokenError as exc:
            if exc.expired:
                raise ApiError(401, "ExpiredAuthenticationToken",
                               "The access token expiry UTC time is earlier than current UTC time "
                               f"'{datetime.now(timezone.utc):%m/%d/%Y %H:%M:%S}'.",
                               {"WWW-Authenticate": challenge.format("The access token has expired.")}) from None
            raise ApiError(401, "InvalidAuthenticationToken", "The access token is invalid.",
                           {"WWW-Authenticate": challenge.format("The access token is invalid.")}) from None
        aud = str(claims.get("aud", ""))
        if aud.rstrip("/").lower() not in {a.rstrip("/").lower() for a in self.audiences()}:
            allowed = ",".join(f"'{a}/','{a}'" for a in self.audiences())
            raise ApiError(401, "InvalidAuthenticationTokenAudience",
                           f"The access token has been obtained for wrong audience or resource '{aud}'. It "
                           f"should exactly match with one of the allowed audiences {allowed}.",
                           {"WWW-Authenticate": challenge.format("The access token has an invalid audience.")})
        if claims.get("tid") != self.world.tenant:
            raise ApiError(401, "InvalidAuthenticationTokenTenant",
                           f"The access token is from the wrong issuer '{claims.get('iss')}'.")

    # -- api-version ------------------------------------------------------------------------------
    def _check_generic_api(self, api: str):
        if not API_VERSION_RX.match(api):
            raise ApiError(400, "InvalidApiVersionParameter",
                           f"The api-version '{api}' is invalid. The supported versions are "
                           "'2025-04-01,2024-11-01,2024-07-01,2024-03-01,2023-07-01,2022-12-01,2022-09-01,"
                           "2021-04-01,2021-01-01,2020-10-01,2020-06-01,2020-01-01,2019-11-01,2019-10-01,"
                           "2019-09-01,2019-08-01,2019-07-01,2019-06-01,2019-05-10,2019-05-01,2019-03-01,"
                           "2018-05-01,2018-02-01,2018-01-01,2017-08-01,2017-06-01,2017-05-10,2016-09-01,"
                           "2016-07-01,2016-06-01,2016-02-01,2015-11-01,2015-01-01,2014-04-01-preview,"
                           "2014-04-01,2014-01-01'.")

    def _check_aib_api(self, api: str, rtype: str = "imageTemplates"):
        if api not in AIB_API_VERSIONS:
            raise ApiError(400, "NoRegisteredProviderFound",
                           f"No registered resource provider found for location '{self.world.location}' and "
                           f"API version '{api}' for type '{rtype}'. The supported api-versions are "
                           f"'{', '.join(AIB_API_VERSIONS)}'. The supported locations are "
                           f"'{', '.join(LOCATIONS)}'.")

    # -- discovery --------------------------------------------------------------------------------
    def _metadata(self, req: Request) -> Response:
        arm = self.base_url + "/"
        cloud = {
            "portal": "https://portal.emulator.local",
            "authentication": {"loginEndpoint": self.authority + "/", "audiences": [arm, self.base_url],
                               "tenant": "common", "identityProvider": "AAD"},
            "media": "https://media.emulator.local", "graphAudience": "https://graph.emulator.local",
            "graph": "https://graph.emulator.local", "name": "AzureEmulator",
            "suffixes": {"azureDataLakeStoreFileSystem": "azuredatalakestore.emulator.local",
                         "acrLoginServer": "azurecr.emulator.local", "sqlServerHostname": "database.emulator.local",
                         "azureDataLakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.emulator.local",
                         "keyVaultDns": "vault.emulator.local", "storage": "core.emulator.local",
                         "azureFrontDoorEndpointSuffix": "azurefd.emulator.local"},
            "batch": "https://batch.emulator.local/", "resourceManager": arm,
            "vmImageAliasDoc": "", "activeDirectoryDataLake": "https://datalake.emulator.local/",
            "sqlManagement": "https://management.emulator.local:8443/", "gallery": "https://gallery.emulator.local/",
            "microsoftGraphResourceId": "https://graph.emulator.local/",
        }
        api = req.query.get("api-version", "")
        # api-version 2022-09-01 and later answer a list of clouds; older ones the current cloud.
        return json_response(200, [cloud] if api >= "2022-09-01" else cloud)

    def _subscription_json(self) -> dict:
        s = self.world.sub
        return {"id": f"/subscriptions/{s}", "authorizationSource": "RoleBased", "managedByTenants": [],
                "subscriptionId": s, "tenantId": self.world.tenant, "displayName": "aib-pilot emulator",
                "state": "Enabled",
                "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01", "quotaId": "PayAsYouGo_2014-09-01",
                                         "spendingLimit": "Off"}}

    def _list_subscriptions(self, req: Request) -> Response:
        return self._list(req, [self._subscription_json()], count={"type": "Total", "value": 1})

    def _provider_json(self, namespace: str) -> dict:
        types = {
            "Microsoft.VirtualMachineImages": [("imageTemplates", AIB_API_VERSIONS),
                                               ("imageTemplates/runOutputs", AIB_API_VERSIONS),
                                               ("imageTemplates/triggers", AIB_API_VERSIONS[-3:]),
                                               ("locations/operations", AIB_API_VERSIONS),
                                               ("operations", AIB_API_VERSIONS)],
            "Microsoft.Storage": [("storageAccounts", ["2023-05-01", "2024-01-01", "2025-01-01"])],
            "Microsoft.Compute": [("images", ["2024-07-01"]), ("galleries", ["2024-03-03"])],
            "Microsoft.Network": [("virtualNetworks", ["2024-05-01"])],
            "Microsoft.KeyVault": [("vaults", ["2023-07-01"])],
            "Microsoft.ContainerInstance": [("containerGroups", ["2023-05-01"])],
            "Microsoft.ManagedIdentity": [("userAssignedIdentities", ["2023-01-31"])],
        }
        canonical = next((n for n in types if n.lower() == namespace.lower()), None)
        if canonical is None:
            raise ApiError(404, "InvalidResourceNamespace", f"The resource namespace '{namespace}' is invalid.")
        state = "NotRegistered" if self._unregistered(canonical) else "Registered"
        return {"id": f"/subscriptions/{self.world.sub}/providers/{canonical}", "namespace": canonical,
                "registrationState": state, "registrationPolicy": "RegistrationRequired",
                "resourceTypes": [{"resourceType": t, "locations": LOCATIONS, "apiVersions": list(reversed(v)),
                                   "capabilities": "None"} for t, v in types[canonical]]}

    def _unregistered(self, namespace: str) -> bool:
        return namespace.lower() in {n.lower() for n in self.world.faults.unregistered_providers}

    def _require_registered(self, namespace: str):
        if self._unregistered(namespace):
            raise ApiError(409, "MissingSubscriptionRegistration",
                           f"The subscription is not registered to use namespace '{namespace}'. See "
                           "https://aka.ms/rps-not-found for how to register subscriptions.")

    def _subscription_providers(self, req: Request, rest, low, api) -> Response:
        if not rest:
            names = ["Microsoft.VirtualMachineImages", "Microsoft.Storage", "Microsoft.Compute",
                     "Microsoft.Network", "Microsoft.KeyVault", "Microsoft.ContainerInstance",
                     "Microsoft.ManagedIdentity"]
            return self._list(req, [self._provider_json(n) for n in names])
        if len(rest) == 1 and req.method == "GET":
            return json_response(200, self._provider_json(rest[0]))
        if len(rest) == 2 and low[1] == "register" and req.method == "POST":
            faults = self.world.faults
            faults.unregistered_providers = {n for n in faults.unregistered_providers
                                             if n.lower() != rest[0].lower()}
            return json_response(200, self._provider_json(rest[0]))
        if low[0] == AIB:
            self._require_registered("Microsoft.VirtualMachineImages")
            self._check_aib_api(api, "imageTemplates" if low[1:2] == ["imagetemplates"] else "locations/operations")
            if low[1:] == ["imagetemplates"] and req.method == "GET":
                with self.world.lock:
                    items = [self.world.template_json(t) for t in self._templates()]
                return self._list(req, items)
            if len(low) == 5 and low[1] == "locations" and low[3] in ("operations", "operationresults"):
                return self._operation(req, rest[4], location_style=low[3] == "operationresults")
        if low[0] == "microsoft.storage" and low[1:] == ["storageaccounts"] and req.method == "GET":
            with self.world.lock:
                rgs = [rg for rg in self.world.rgs.values() if rg.storage_account and not rg.deny_read]
                items = [self._account_json(rg) for rg in rgs]
                items += [self.world.user_accounts.json(a, self.blob_url)
                          for a in list(self.world.user_accounts.accounts.values())]
            estate = getattr(self.extra_routes, "estate", None)
            if estate is not None and estate.doc:   # the world file's accounts (customizer files)
                items += [estate.account_json(a) for a in estate.items("storageAccounts")]
            return self._list(req, items)
        if low[0] == "microsoft.storage" and len(low) == 5 and low[1] == "locations" and low[3] == "asyncoperations":
            return self.world.user_accounts.poll(rest[4], self.blob_url)
        raise ApiError(404, "NotFound", f"No route for {req.method} {req.path}.")

    def _templates(self) -> list[Template]:
        with self.world.lock:
            return sorted(self.world.templates.values(), key=lambda t: (t.rg.lower(), t.name.lower()))

    # -- resource groups --------------------------------------------------------------------------
    def _rg_json(self, rg) -> dict:
        out = {"id": f"/subscriptions/{self.world.sub}/resourceGroups/{rg.name}", "name": rg.name,
               "type": "Microsoft.Resources/resourceGroups", "location": rg.location,
               "properties": {"provisioningState": "Deleting" if rg.deleting else "Succeeded"}}
        if rg.tags:
            out["tags"] = dict(rg.tags)
        return out

    def _denied(self, action: str, scope: str) -> ApiError:
        oid = self.dir.object_id
        return ApiError(403, "AuthorizationFailed",
                        f"The client '{oid}' with object id '{oid}' does not have authorization to perform "
                        f"action '{action}' over scope '{scope}' or the scope is invalid. If access was "
                        "recently granted, please refresh your credentials.")

    def _resource_groups(self, req: Request, rest, low, api) -> Response:
        w = self.world
        if not rest:
            with w.lock:
                rgs = [rg for rg in w.rgs.values() if not rg.deny_read]
                items = [self._rg_json(rg) for rg in rgs]
            return self._list(req, items)
        name = rest[0]
        scope = f"/subscriptions/{w.sub}/resourceGroups/{name}"
        with w.lock:
            rg = w.rgs.get(name.lower())
        if len(rest) == 1:
            if req.method == "PUT":
                body = req.json() or {}
                with w.lock:
                    status = 200 if rg else 201
                    rg = rg or w.add_rg(name, body.get("location") or w.location)
                    rg.tags = body.get("tags") or rg.tags
                    return json_response(status, self._rg_json(rg))
            if rg is None:
                if req.method == "HEAD":
                    return Response(404)
                raise ApiError(404, "ResourceGroupNotFound", f"Resource group '{name}' could not be found.")
            if rg.deny_read:
                raise self._denied("Microsoft.Resources/subscriptions/resourceGroups/"
                                   + ("delete" if req.method == "DELETE" else "read"), scope)
            if req.method == "HEAD":
                return Response(204)
            if req.method == "GET":
                return json_response(200, self._rg_json(rg))
            if req.method == "DELETE":
                op = w.delete_rg(rg)
                loc = f"{self.base_url}/subscriptions/{w.sub}/operationresults/{_rg_op_token(op.id)}?api-version={api}"
                return Response(202, b"", {"Location": loc, "Retry-After": self._retry("rg-delete")})
            raise ApiError(405, "MethodNotAllowed", f"{req.method} is not supported here.")
        if rg is None or rg.deleting:
            raise ApiError(404, "ResourceGroupNotFound", f"Resource group '{name}' could not be found.")
        if low[1:] == ["resources"] and req.method == "GET":
            if rg.deny_read:
                raise self._denied("Microsoft.Resources/subscriptions/resourceGroups/resources/read", scope)
            return self._list(req, self._generic_resources(rg, req.query.get("$filter")))
        if low[1] != "providers" or len(rest) < 4:
            raise ApiError(404, "NotFound", f"No route for {req.method} {req.path}.")
        namespace, rtype, tail = low[2], low[3], rest[4:]
        if namespace == AIB and rtype == "imagetemplates":
            self._require_registered("Microsoft.VirtualMachineImages")
            self._check_aib_api(api)
            return self._image_templates(req, rg.name, tail, [t.lower() for t in tail], api)
        if namespace == "microsoft.storage" and rtype == "storageaccounts":
            if rg.deny_read:
                action = "listKeys/action" if tail[-1:] and tail[-1].lower() == "listkeys" else "read"
                raise self._denied(f"Microsoft.Storage/storageAccounts/{action}", scope)
            return self._storage(req, rg, tail)
        raise ApiError(404, "NotFound", f"No route for {req.method} {req.path}.")

    def _generic_resources(self, rg, filter_text: str | None) -> list[dict]:
        """``Resources_ListByResourceGroup``: every resource of the group in the generic shape (id,
        name, type, location, tags). ``$filter`` supports ``resourceType eq '<type>'`` and
        ``tagName eq '<k>' [and tagValue eq '<v>']``, the forms the REST description documents."""
        w = self.world
        with w.lock:
            items = [{"id": t.id, "name": t.name, "type": "Microsoft.VirtualMachineImages/imageTemplates",
                      "location": t.location, "tags": dict(t.tags or {})}
                     for t in self._templates() if t.rg.lower() == rg.name.lower()]
            accounts = ([self._account_json(rg)] if rg.storage_account else []) + [
                w.user_accounts.json(a, self.blob_url) for a in w.user_accounts.in_rg(rg.name)]
            for acct in accounts:
                items.append({k: acct[k] for k in ("id", "name", "type", "location", "tags", "sku", "kind")})
        if not filter_text:
            return items
        clauses = dict((k.lower(), v) for k, v in re.findall(r"(\w+)\s+eq\s+'([^']*)'", filter_text))
        if not clauses:
            raise ApiError(400, "InvalidFilterInQueryString", f"The $filter '{filter_text}' is not supported.")
        if "resourcetype" in clauses:
            items = [i for i in items if i["type"].lower() == clauses["resourcetype"].lower()]
        if "tagname" in clauses:
            items = [i for i in items if clauses["tagname"] in (i.get("tags") or {})
                     and ("tagvalue" not in clauses or i["tags"][clauses["tagname"]] == clauses["tagvalue"])]
        return items

    def _rg_delete_result(self, req: Request, token: str) -> Response:
        try:
            op_id = json.loads(base64.urlsafe_b64decode(token + "==")).get("op")
        except (ValueError, TypeError):
            op_id = None
        op = self.world.ops.get(op_id or "")
        if op is None:
            raise ApiError(404, "NotFound", "The operation could not be found.")
        if op.status == "InProgress":
            return Response(202, b"", {"Location": f"{self.base_url}{req.path}?{req.query_string}",
                                       "Retry-After": self._retry("rg-delete")})
        return Response(200)

    # -- storage ----------------------------------------------------------------------------------
    def _account_json(self, rg) -> dict:
        acct, w = rg.storage_account, self.world
        created = iso(datetime.now(timezone.utc))
        return {"id": f"/subscriptions/{w.sub}/resourceGroups/{rg.name}/providers/Microsoft.Storage/storageAccounts/{acct}",
                "name": acct, "type": "Microsoft.Storage/storageAccounts", "location": rg.location,
                "tags": {}, "sku": {"name": "Standard_LRS", "tier": "Standard"}, "kind": "StorageV2",
                "properties": {"provisioningState": "Succeeded", "creationTime": created,
                               "primaryEndpoints": {"blob": f"{self.blob_url}/{acct}/"},
                               "primaryLocation": rg.location, "statusOfPrimary": "available",
                               "supportsHttpsTrafficOnly": True, "minimumTlsVersion": "TLS1_2",
                               "allowBlobPublicAccess": False, "accessTier": "Hot",
                               "networkAcls": {"bypass": "AzureServices", "virtualNetworkRules": [],
                                               "ipRules": [], "defaultAction": "Allow"}}}

    def _storage(self, req: Request, rg, tail) -> Response:
        w = self.world
        users = w.user_accounts
        if not tail and req.method == "GET":
            return self._list(req, ([self._account_json(rg)] if rg.storage_account else [])
                              + [users.json(a, self.blob_url) for a in users.in_rg(rg.name)])
        if tail and (rg.storage_account is None or tail[0].lower() != rg.storage_account):
            def op_url(name: str) -> str:
                return (f"{self.base_url}/subscriptions/{w.sub}/providers/Microsoft.Storage/locations/"
                        f"{rg.location}/asyncoperations/{name}?api-version={req.query.get('api-version')}")

            resp = users.route(req, rg, tail[0], tail[1:], self.blob_url, op_url)
            if resp is not None:
                return resp
        if not tail or rg.storage_account is None or tail[0].lower() != rg.storage_account:
            raise ApiError(404, "ResourceNotFound",
                           f"The Resource 'Microsoft.Storage/storageAccounts/{tail[0] if tail else ''}' under "
                           f"resource group '{rg.name}' was not found.")
        if len(tail) == 1 and req.method == "GET":
            return json_response(200, self._account_json(rg))
        if len(tail) == 2 and tail[1].lower() == "listkeys" and req.method == "POST":
            k1, k2 = w.all_accounts[rg.storage_account]
            now = iso(datetime.now(timezone.utc))
            return json_response(200, {"keys": [
                {"creationTime": now, "keyName": "key1", "value": k1, "permissions": "FULL"},
                {"creationTime": now, "keyName": "key2", "value": k2, "permissions": "FULL"}]})
        raise ApiError(404, "NotFound", f"No route for {req.method} {req.path}.")

    # -- image templates --------------------------------------------------------------------------
    def _retry(self, kind: str) -> str:
        # Integer seconds: azure-mgmt-imagebuilder 2.0 deserializes Retry-After as int. Scaled by the
        # clock, never below 1 (a 0 would make clients spin).
        return str(max(1, math.ceil(self.clock.real(RETRY_AFTER[kind]) - 1e-9)))

    def _op_headers(self, op, api: str, *, location: bool = True, async_op: bool = True) -> dict:
        base = (f"{self.base_url}/subscriptions/{self.world.sub}/providers/Microsoft.VirtualMachineImages/"
                f"locations/{op.location}")
        headers = {"Retry-After": self._retry(op.kind)}
        if async_op:
            headers["Azure-AsyncOperation"] = f"{base}/operations/{op.id}?api-version={api}"
        if location:
            headers["Location"] = f"{base}/operationResults/{op.id}?api-version={api}"
        return headers

    def _image_templates(self, req: Request, rg: str, tail, low, api) -> Response:
        w = self.world
        if not tail:
            if req.method != "GET":
                raise ApiError(405, "MethodNotAllowed", f"{req.method} is not supported on the collection.")
            with w.lock:
                items = [w.template_json(t) for t in self._templates() if t.rg.lower() == rg.lower()]
            return self._list(req, items)
        name = tail[0]
        if not NAME_RX.match(name):
            raise ApiError(400, "InvalidResourceName", f"Resource name '{name}' is invalid. It must match "
                           "^[A-Za-z0-9-_.]{1,64}$.")
        if len(tail) == 1:
            if req.method == "PUT":
                try:
                    body = req.json()
                except ValueError:
                    raise ApiError(400, "InvalidRequestContent", "The request content was invalid and could "
                                   "not be deserialized.") from None
                tpl, op = w.create_template(rg, name, body)
                with w.lock:
                    return json_response(201, w.template_json(tpl), self._op_headers(op, api, location=False))
            if req.method == "DELETE":
                with w.lock:
                    try:
                        tpl = w.find(rg, name)
                    except ApiError:
                        return Response(204)
                    op = w.delete_template(tpl)
                return Response(202, b"", self._op_headers(op, api, async_op=False))
            with w.lock:
                tpl = w.find(rg, name)
                if req.method == "GET":
                    if tpl.run is not None and tpl.run.state == "Running":
                        tpl.run.reads_while_running += 1
                    return json_response(200, w.template_json(tpl))
                if req.method == "PATCH":
                    return self._patch(req, tpl, api)
            raise ApiError(405, "MethodNotAllowed", f"{req.method} is not supported on an image template.")
        action = low[1]
        with w.lock:
            tpl = w.find(rg, name)
        if action == "run" and len(tail) == 2 and req.method == "POST":
            op = w.start_run(tpl)
            return Response(202, b"", self._op_headers(op, api))
        if action == "cancel" and len(tail) == 2 and req.method == "POST":
            op = w.cancel_run(tpl)
            if op is None:
                return Response(204)
            return Response(202, b"", self._op_headers(op, api))
        if action == "runoutputs" and req.method == "GET":
            with w.lock:
                outs = list(tpl.run_outputs)
                if len(tail) == 2:
                    items = [w.run_output_json(tpl, o) for o in outs]
                    return self._list(req, items)
                wanted = tail[2].lower()
                for out in outs:
                    if (out["name"] or "").lower() == wanted:
                        return json_response(200, w.run_output_json(tpl, out))
            raise ApiError(404, "ResourceNotFound", f"The run output '{tail[2]}' of image template '{name}' "
                           "was not found.")
        if action == "triggers":
            return self._triggers(req, tpl, tail[2:], api)
        raise ApiError(404, "NotFound", f"No route for {req.method} {req.path}.")

    def _trigger_json(self, tpl: Template, name: str, props: dict) -> dict:
        return {"id": f"{tpl.id}/triggers/{name}", "name": name,
                "type": "Microsoft.VirtualMachineImages/imageTemplates/triggers", "properties": props}

    def _triggers(self, req: Request, tpl: Template, tail, api) -> Response:
        """Source-image triggers: stored and echoed (the emulator never fires them)."""
        w = self.world
        if not tail:
            if req.method != "GET":
                raise ApiError(405, "MethodNotAllowed", f"{req.method} is not supported on the collection.")
            with w.lock:
                return self._list(req, [self._trigger_json(tpl, n, p) for n, p in tpl.triggers.values()])
        name, key = tail[0], tail[0].lower()
        if not NAME_RX.match(name) or len(tail) > 1:
            raise ApiError(400, "InvalidResourceName", f"Trigger name '{name}' is invalid.")
        with w.lock:
            if req.method == "PUT":
                body = req.json() or {}
                kind = (body.get("properties") or {}).get("kind")
                if kind != "SourceImage":
                    raise ApiError(400, "InvalidParameter", f"Trigger kind '{kind}' is not supported; the only "
                                   "kind is 'SourceImage'.")
                status = 200 if key in tpl.triggers else 201
                props = {"kind": kind, "provisioningState": "Succeeded",
                         "status": {"code": "Healthy", "message": "", "time": iso(self.clock.now())}}
                tpl.triggers[key] = (name, props)
                op = w.new_op("create")
                w.finish_op(op, "Succeeded", at=self.clock.now())
                return json_response(status, self._trigger_json(tpl, name, props), self._op_headers(op, api, location=False))
            if key not in tpl.triggers:
                if req.method == "DELETE":
                    return Response(204)
                raise ApiError(404, "ResourceNotFound", f"The trigger '{name}' of image template '{tpl.name}' "
                               "was not found.")
            if req.method == "GET":
                return json_response(200, self._trigger_json(tpl, *tpl.triggers[key]))
            if req.method == "DELETE":
                del tpl.triggers[key]
                op = w.new_op("delete")
                w.finish_op(op, "Succeeded", at=self.clock.now())
                return Response(202, b"", self._op_headers(op, api, async_op=False))
        raise ApiError(405, "MethodNotAllowed", f"{req.method} is not supported on a trigger.")

    def _patch(self, req: Request, tpl: Template, api: str) -> Response:
        """``VirtualMachineImageTemplates_Update``: a long-running operation (the REST description
        marks it x-ms-long-running-operation, answering 202 with Azure-AsyncOperation and Location).
        The template is ``Updating`` until the operation ends; then the change is visible."""
        try:
            body = req.json() or {}
        except ValueError:
            raise ApiError(400, "InvalidRequestContent", "The request content was invalid and could not be "
                           "deserialized.") from None
        unknown = set(body) - {"tags", "identity", "properties"}
        if unknown:
            raise ApiError(400, "InvalidRequestContent", f"Only tags, identity and properties.distribute/"
                           f"vmProfile can be updated, not {', '.join(sorted(unknown))}.")
        w = self.world
        before = tpl.provisioning_state
        tpl.provisioning_state = "Updating"

        def done(op):
            if "tags" in body:
                tpl.tags = dict(body["tags"] or {})
            props = body.get("properties") or {}
            for key in ("distribute", "vmProfile"):
                if key in props:
                    tpl.properties[key] = props[key]
            if body.get("identity"):
                from .world import _identity_out
                tpl.identity = _identity_out(body["identity"])
            tpl.provisioning_state = before
            w.finish_op(op, "Succeeded", at=w.clock.now())

        op = w.new_op("update", due_seconds=UPDATE_SECONDS, on_done=done)
        return Response(202, b"", self._op_headers(op, api))

    def _operation(self, req: Request, op_id: str, *, location_style: bool) -> Response:
        w = self.world
        with w.lock:
            op = w.ops.get(op_id)
            if op is None:
                raise ApiError(404, "OperationNotFound", f"The operation '{op_id}' could not be found.")
            api = req.query.get("api-version")
            if location_style:
                if op.status == "InProgress":
                    return Response(202, b"", self._op_headers(op, api, async_op=False))
                if op.status == "Succeeded":
                    return Response(200 if op.kind != "delete" else 204)
                err = op.error or {"code": op.status, "message": op.status}
                return error_response(400, err["code"], err["message"])
            doc = {"id": f"/subscriptions/{w.sub}/providers/Microsoft.VirtualMachineImages/locations/"
                         f"{op.location}/operations/{op.id}",
                   "name": op.id, "status": op.status, "startTime": iso(op.start)}
            headers = {}
            if op.status == "InProgress":
                headers["Retry-After"] = self._retry(op.kind)
            else:
                doc["endTime"] = iso(op.end or op.start)
            if op.error:
                doc["error"] = dict(op.error)
            return json_response(200, doc, headers)


def _rg_op_token(op_id: str) -> str:
    raw = json.dumps({"op": op_id, "kind": "RGDELETE"}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def error_response(status: int, code: str, message: str, headers: dict | None = None) -> Response:
    return json_response(status, {"error": {"code": code, "message": message}}, headers)


def _provider_operations() -> list[dict]:
    ops = [("imageTemplates/read", "Get Image Template", "Gets the properties of an image template"),
           ("imageTemplates/write", "Create or Update Image Template", "Creates or updates an image template"),
           ("imageTemplates/delete", "Delete Image Template", "Deletes an image template"),
           ("imageTemplates/run/action", "Run Image Template", "Starts a build of an image template"),
           ("imageTemplates/cancel/action", "Cancel Image Template Build", "Cancels a running build"),
           ("imageTemplates/runOutputs/read", "Get Run Output", "Gets a run output")]
    return [{"name": f"Microsoft.VirtualMachineImages/{n}", "isDataAction": False,
             "display": {"provider": "Azure Image Builder", "resource": "Image Templates", "operation": o,
                         "description": d}, "origin": "user,system"} for n, o, d in ops]
