"""The read-only Azure estate around a build: what ``aib-pilot preflight`` reads.

Images and versions per region, gallery definitions and versions (with replication regions and
security types), managed images, VM sizes with restrictions, compute usages, user-assigned
identities, role definitions and assignments (with groups), provider registration and storage
accounts holding customizer files. It is loaded from a world file (``worlds/preflight.yaml``, keys
documented in docs/emulator.md) with :meth:`Estate.load`, and forgotten by ``emulator.reset()``.

The routes answering the SDK calls live in compute.py, authorization.py and msi.py; :class:`EstateRoutes`
dispatches to them from arm.py's router. Every route here is a read (GET); writes are answered
405 so a test notices any attempt to create something.
"""
from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field

from .httpserver import Request, Response
from .world import ApiError

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_WORLD = os.path.join(HERE, "worlds", "preflight.yaml")


def read_world_file(path: str = DEFAULT_WORLD) -> dict:
    """The world file as a dict (YAML or JSON by extension)."""
    with open(path, encoding="utf-8") as fh:
        if path.endswith(".json"):
            import json

            return json.load(fh)
        import yaml

        return yaml.safe_load(fh)


@dataclass
class Estate:
    """The loaded world; ``doc`` keeps the dict it came from (with scopes made absolute)."""

    world: object            # world.World: resource groups, subscription, faults
    blob_writer: object      # azurite.BlobWriter (straight to Azurite, not journaled)
    blob_url: str            # the journaling proxy clients use
    doc: dict = field(default_factory=dict)
    accounts: dict = field(default_factory=dict)     # label -> Azurite account name

    @property
    def sub(self) -> str:
        return self.world.sub

    def clear(self) -> None:
        self.doc, self.accounts = {}, {}

    # -- loading ----------------------------------------------------------------------------
    def load(self, world: dict | str | None = None) -> dict:
        """Load a world (a dict, a file path, or the default file). Returns the dict in use."""
        doc = read_world_file(world or DEFAULT_WORLD) if not isinstance(world, dict) else copy.deepcopy(world)
        w = self.world
        with w.lock:
            for rg in doc.get("resourceGroups") or []:
                if w.get_rg(rg["name"]) is None:
                    w.add_rg(rg["name"], rg.get("location") or w.location)
            providers = doc.get("providers") or {}
            w.faults.unregistered_providers = {ns for ns, state in providers.items()
                                               if str(state).lower() != "registered"}
        self.accounts = {}
        for acct in doc.get("storageAccounts") or []:
            self.accounts[acct["label"]] = self._bind_account(acct)
        self.doc = doc
        return doc

    def _bind_account(self, acct: dict) -> str:
        w = self.world
        with w.lock:
            if not w.free_accounts:
                raise RuntimeError("the emulator's storage account pool is exhausted")
            name = w.free_accounts.pop()
        self.blob_writer.do(("wipe", name))
        svc = self.blob_writer._service(name)
        for cname, container in (acct.get("containers") or {}).items():
            client = svc.create_container(cname, public_access="blob" if container.get("public") else None)
            for blob, text in (container.get("blobs") or {}).items():
                client.upload_blob(blob, str(text).encode(), overwrite=True)
        return name

    # -- lookups used by the route modules ----------------------------------------------------
    def scope(self, relative: str) -> str:
        """An absolute scope from the world file's subscription-relative one."""
        rel = "" if relative in ("", "/") else "/" + relative.lstrip("/")
        return f"/subscriptions/{self.sub}{rel}"

    def items(self, key: str) -> list:
        return list(self.doc.get(key) or [])

    def account(self, label: str) -> str:
        """The real (Azurite) storage account name bound to a world-file label."""
        return self.accounts[label]

    def account_label(self, name: str) -> dict | None:
        for acct in self.items("storageAccounts"):
            if self.accounts.get(acct["label"], "").lower() == name.lower():
                return acct
        return None

    def account_json(self, acct: dict) -> dict:
        """A world-file account as StorageAccounts_List answers it (the fields clients read)."""
        name = self.account(acct["label"])
        location = acct.get("location") or self.world.location
        return {"id": self.scope(f"/resourceGroups/{acct['resourceGroup']}/providers/Microsoft.Storage/"
                                 f"storageAccounts/{name}"),
                "name": name, "type": "Microsoft.Storage/storageAccounts", "location": location, "tags": {},
                "kind": "StorageV2", "sku": {"name": "Standard_LRS", "tier": "Standard"},
                "properties": {"provisioningState": "Succeeded", "primaryLocation": location,
                               "primaryEndpoints": {"blob": f"{self.blob_url.rstrip('/')}/{name}/"}}}

    def blob_url_of(self, label: str, path: str) -> str:
        """``https://<proxy>/<account>/<container>/<blob>`` for a world-file account label."""
        return f"{self.blob_url.rstrip('/')}/{self.account(label)}/{path.lstrip('/')}"

    def check_caller(self, path: str, action: str, caller_oid: str) -> None:
        """403 AuthorizationFailed when the world denies the caller reads under ``path``."""
        low = path.rstrip("/").lower()
        for rel in self.doc.get("callerDenied") or []:
            denied = self.scope(rel).rstrip("/").lower()
            if low == denied or low.startswith(denied + "/"):
                raise ApiError(403, "AuthorizationFailed",
                               f"The client '{caller_oid}' with object id '{caller_oid}' does not have "
                               f"authorization to perform action '{action}' over scope '{path}' or the "
                               "scope is invalid. If access was recently granted, please refresh your "
                               "credentials.")


class EstateRoutes:
    """``routes(req, segs, low)`` -> Response, or None when the path is not the estate's."""

    def __init__(self, estate: Estate, caller_oid: str):
        from .authorization import AuthorizationRoutes
        from .compute import ComputeRoutes
        from .msi import MsiRoutes

        self.estate = estate
        self.handlers = [ComputeRoutes(estate, caller_oid), AuthorizationRoutes(estate, caller_oid),
                         MsiRoutes(estate, caller_oid), ResourceSearch(estate, caller_oid)]

    def __call__(self, req: Request, segs: list, low: list) -> Response | None:
        if not self.estate.doc:
            return None
        for handler in self.handlers:
            resp = handler(req, segs, low)
            if resp is not None:
                return resp
        return None


def read_only(req: Request) -> None:
    if req.method not in ("GET", "HEAD"):
        raise ApiError(405, "MethodNotAllowed", f"{req.method} is not supported by the emulator's "
                       "read-only estate (preflight must never write).")


class ResourceSearch:
    """``GET /subscriptions/{s}/resources?$filter=resourceType eq '...' and name eq '...'``
    (Resources_List, resources.json): used to find a storage account's resource ID by name."""

    def __init__(self, estate: Estate, caller_oid: str):
        self.estate, self.caller = estate, caller_oid

    def __call__(self, req: Request, segs, low) -> Response | None:
        from .httpserver import json_response

        if low[2:] != ["resources"]:
            return None
        read_only(req)
        wanted = _filter_terms(req.query.get("$filter", ""))
        out = []
        for acct in self.estate.items("storageAccounts"):
            name = self.estate.account(acct["label"])
            rid = self.estate.scope(f"/resourceGroups/{acct['resourceGroup']}/providers/"
                                    f"Microsoft.Storage/storageAccounts/{name}")
            item = {"id": rid, "name": name, "type": "Microsoft.Storage/storageAccounts",
                    "location": acct.get("location") or self.estate.world.location, "kind": "StorageV2",
                    "sku": {"name": "Standard_LRS", "tier": "Standard"}}
            if all(str(item.get(k, "")).lower() == v.lower() for k, v in wanted.items()):
                out.append(item)
        users = self.estate.world.user_accounts
        for acct in list(users.accounts.values()) if users else []:
            item = {k: v for k, v in users.json(acct, self.estate.blob_url.rstrip("/")).items() if k != "properties"}
            if all(str(item.get(k, "")).lower() == v.lower() for k, v in wanted.items()):
                out.append(item)
        return json_response(200, {"value": out})


def _filter_terms(text: str) -> dict:
    """``resourceType eq 'X' and name eq 'Y'`` -> {"type": "X", "name": "Y"} (the subset ARM's
    Resources_List $filter supports that preflight uses)."""
    import re

    terms = {}
    for key, value in re.findall(r"(\w+)\s+eq\s+'([^']*)'", text):
        terms["type" if key.lower() == "resourcetype" else key.lower()] = value
    return terms
