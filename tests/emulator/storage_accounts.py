"""Storage accounts a client creates in a resource group (not AIB's staging account): PUT, GET, DELETE.

Shapes and status codes from the Microsoft.Storage REST description (storage.json, 2023-05-01 and
later): ``StorageAccounts_Create`` answers 200 with the account (or 202 while it is created; the
emulator finishes at once), ``StorageAccounts_GetProperties`` 200 or 404 ``ResourceNotFound``,
``StorageAccounts_Delete`` 200, or 204 when there was no such account. Names are 3-24 lowercase
letters and digits, else 400 ``AccountNameInvalid``.

Each account is backed by a free account of the Azurite pool; when the requested name is itself a
free pool account it is used as is, otherwise the account's ``primaryEndpoints.blob`` names the pool
account behind it (clients must read the endpoint, as they must in sovereign clouds). Deleting the
account wipes its containers and returns the pool account.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

from .clock import iso
from .httpserver import Request, Response, json_response
from .world import ApiError

NAME = re.compile(r"^[a-z0-9]{3,24}$")


class CreatedAccounts:
    def __init__(self, world, blob_url: str):
        self.world, self.blob_url = world, blob_url.rstrip("/")

    @property
    def accounts(self) -> dict:
        """(rg lower, name) -> record; kept on the world so ``reset()`` forgets them."""
        return self.world.created_accounts

    def find(self, rg: str, name: str) -> dict | None:
        return self.accounts.get((rg.lower(), name.lower()))

    def json(self, acct: dict) -> dict:
        w = self.world
        return {"id": f"/subscriptions/{w.sub}/resourceGroups/{acct['rg']}/providers/Microsoft.Storage/"
                      f"storageAccounts/{acct['name']}",
                "name": acct["name"], "type": "Microsoft.Storage/storageAccounts", "location": acct["location"],
                "tags": dict(acct["tags"]), "sku": {"name": acct["sku"], "tier": "Standard"}, "kind": acct["kind"],
                "properties": {"provisioningState": "Succeeded", "creationTime": acct["created"],
                               "primaryEndpoints": {"blob": f"{self.blob_url}/{acct['pool']}/"},
                               "primaryLocation": acct["location"], "statusOfPrimary": "available",
                               "supportsHttpsTrafficOnly": True, "minimumTlsVersion": "TLS1_2",
                               "allowBlobPublicAccess": False, "accessTier": "Hot"}}

    def __call__(self, req: Request, rg, tail) -> Response | None:
        """Answer for ``.../storageAccounts/{name}`` unless it is the staging account (None then)."""
        if len(tail) != 1 or (rg.storage_account and tail[0].lower() == rg.storage_account):
            return None
        name = tail[0]
        w = self.world
        with w.lock:
            acct = self.find(rg.name, name)
            if req.method == "PUT":
                return self._create(req, rg, name, acct)
            if req.method == "DELETE":
                if acct is None:
                    return Response(204)
                del self.accounts[(rg.name.lower(), name.lower())]
                w.blob_jobs.put(("wipe", acct["pool"]))
                w.free_accounts.append(acct["pool"])
                return Response(200)
            if req.method == "GET" and acct is not None:
                return json_response(200, self.json(acct))
        if req.method == "GET":
            return None  # the staging router's 404
        raise ApiError(405, "MethodNotAllowed", f"{req.method} is not supported on a storage account.")

    def _create(self, req: Request, rg, name: str, acct: dict | None) -> Response:
        w = self.world
        if not NAME.match(name):
            raise ApiError(400, "AccountNameInvalid", f"{name} is not a valid storage account name. Storage "
                           "account name must be between 3 and 24 characters in length and use numbers and "
                           "lower-case letters only.")
        body = req.json() or {}
        if acct is None:
            if name in w.free_accounts:
                w.free_accounts.remove(name)
                pool = name
            elif w.free_accounts:
                pool = w.free_accounts.pop(0)
            else:
                raise ApiError(500, "InternalServerError", "Emulator storage account pool exhausted.")
            w.blob_jobs.put(("wipe", pool))
            acct = {"rg": rg.name, "name": name, "pool": pool, "created": iso(datetime.now(timezone.utc)),
                    "location": body.get("location") or rg.location, "tags": {},
                    "sku": (body.get("sku") or {}).get("name") or "Standard_LRS", "kind": body.get("kind") or "StorageV2"}
            self.accounts[(rg.name.lower(), name.lower())] = acct
        acct["tags"] = dict(body.get("tags") or acct["tags"])
        return json_response(200, self.json(acct))
