"""Storage accounts a client creates (``StorageAccounts_Create`` / ``_GetProperties`` / ``_Delete`` /
``_ListKeys``, storage.json 2023-05-01+), and the checks AIB makes on customizer files at submission.

Azurite knows only the accounts it was started with, so a created account borrows one from the
world's free pool: ARM answers with the requested name and a blob endpoint
``<proxy>/<requested name>/``; the blob proxy maps that name onto the borrowed account (path-style
URLs, as Azurite serves them). Requests signed with Entra tokens pass unchanged; a Shared Key
signature covers the account name, so for a created account only token auth works here (noted in
docs/emulator.md). Deleting the account wipes and returns the borrowed one.

``delete``: 200, or 204 when there was no such account. ``create``: PUT answers 202 with a ``Location`` to poll (an LRO, as the SDK's ``begin_create``
expects), then 200 with the account. Names must be 3-24 lowercase letters or digits
(``AccountNameInvalid``); a name already taken answers 409 ``StorageAccountAlreadyTaken``.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .clock import iso
from .httpserver import Request, Response, json_response
from .world import ApiError

ACCOUNT_NAME_RX = re.compile(r"^[a-z0-9]{3,24}$")


@dataclass
class UserAccount:
    name: str
    pool: str            # the Azurite account it borrows
    rg: str
    location: str
    tags: dict = field(default_factory=dict)
    sku: str = "Standard_LRS"
    kind: str = "StorageV2"


class UserAccounts:
    """The created accounts of one world (forgotten by ``emulator.reset()``)."""

    def __init__(self, world, aliases: dict):
        self.world, self.aliases = world, aliases       # aliases: requested name -> pool account
        self.accounts: dict[str, UserAccount] = {}
        self.lock = threading.RLock()

    def clear(self) -> None:
        with self.lock:
            for acct in list(self.accounts.values()):
                self._release(acct)

    def _release(self, acct: UserAccount) -> None:
        self.accounts.pop(acct.name, None)
        self.aliases.pop(acct.name, None)
        self.world.blob_writer.do(("wipe", acct.pool))   # now: a queued wipe could hit its next user
        with self.world.lock:
            self.world.free_accounts.append(acct.pool)

    def in_rg(self, rg: str) -> list[UserAccount]:
        return [a for a in self.accounts.values() if a.rg.lower() == rg.lower()]

    def json(self, acct: UserAccount, blob_url: str) -> dict:
        w = self.world
        return {"id": f"/subscriptions/{w.sub}/resourceGroups/{acct.rg}/providers/Microsoft.Storage/storageAccounts/{acct.name}",
                "name": acct.name, "type": "Microsoft.Storage/storageAccounts", "location": acct.location,
                "tags": dict(acct.tags), "sku": {"name": acct.sku, "tier": "Standard"}, "kind": acct.kind,
                "properties": {"provisioningState": "Succeeded", "creationTime": iso(datetime.now(timezone.utc)),
                               "primaryEndpoints": {"blob": f"{blob_url}/{acct.name}/"},
                               "primaryLocation": acct.location, "statusOfPrimary": "available",
                               "supportsHttpsTrafficOnly": True, "minimumTlsVersion": "TLS1_2",
                               "allowBlobPublicAccess": False, "accessTier": "Hot"}}

    # -- routes ---------------------------------------------------------------------------------
    def route(self, req: Request, rg, name: str, tail: list, blob_url: str, op_url) -> Response | None:
        """Requests on ``.../storageAccounts/{name}[/...]`` of a created account (or to create one);
        None when ``name`` is not one of them (the staging account's routes then answer)."""
        key = name.lower()
        with self.lock:
            acct = self.accounts.get(key)
            if req.method == "PUT" and not tail:
                return self._create(req, rg, name, blob_url, op_url)
            if acct is None or acct.rg.lower() != rg.name.lower():
                if not tail and req.method == "DELETE":
                    return Response(204)      # StorageAccounts_Delete: 204 when there was no such account
                return None
            if not tail and req.method == "GET":
                return json_response(200, self.json(acct, blob_url))
            if not tail and req.method == "DELETE":
                self._release(acct)
                return Response(200)
            if tail and tail[0].lower() == "listkeys" and req.method == "POST":
                k1, k2 = self.world.all_accounts[acct.pool]
                now = iso(datetime.now(timezone.utc))
                return json_response(200, {"keys": [
                    {"creationTime": now, "keyName": "key1", "value": k1, "permissions": "FULL"},
                    {"creationTime": now, "keyName": "key2", "value": k2, "permissions": "FULL"}]})
        raise ApiError(404, "NotFound", f"No route for {req.method} {req.path}.")

    def _create(self, req: Request, rg, name: str, blob_url: str, op_url) -> Response:
        if not ACCOUNT_NAME_RX.match(name):
            raise ApiError(400, "AccountNameInvalid", f"{name} is not a valid storage account name. Storage account "
                           "name must be between 3 and 24 characters in length and use numbers and lower-case "
                           "letters only.")
        body = req.json() or {}
        mine = self.accounts.get(name)
        if name in self.world.all_accounts or (mine is not None and mine.rg.lower() != rg.name.lower()):
            raise ApiError(409, "StorageAccountAlreadyTaken", f"The storage account named {name} is already taken.")
        if name not in self.accounts:
            with self.world.lock:
                if not self.world.free_accounts:
                    raise ApiError(500, "InternalServerError", "Emulator storage account pool exhausted.")
                pool = self.world.free_accounts.pop(0)
            self.world.blob_writer.do(("wipe", pool))
            self.accounts[name] = UserAccount(name, pool, rg.name, body.get("location") or rg.location,
                                              dict(body.get("tags") or {}), (body.get("sku") or {}).get("name") or
                                              "Standard_LRS", body.get("kind") or "StorageV2")
            self.aliases[name] = pool
        # The SDK's begin_create polls the Location header until 200 with the account.
        return Response(202, b"", {"Location": op_url(name), "Retry-After": "1"})

    def poll(self, name: str, blob_url: str) -> Response:
        acct = self.accounts.get(name.lower())
        if acct is None:
            raise ApiError(404, "ResourceNotFound", f"The storage account {name} was not found.")
        return json_response(200, self.json(acct, blob_url))

    def pool_of(self, name: str) -> str | None:
        """The Azurite account behind ``name`` (created or staging/world account names pass through)."""
        acct = self.accounts.get(name.lower())
        return acct.pool if acct else (name if name in self.world.all_accounts else None)
