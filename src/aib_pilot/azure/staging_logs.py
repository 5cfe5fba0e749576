"""Find, tail and save ``customization.log`` from the build's staging storage account.

Where the log lives (docs/sources.md#aib-log, #aib-staging): the staging resource group
(``properties.exactStagingResourceGroup``) holds a storage account whose ``packerlogs`` container has
one ``<guid>/customization.log`` per run. A failed run's ``lastRunStatus.message`` also names it,
either as a blob URL ("Image Build log location: https://acct.blob.../customization.log.
OperationId: ...") or as an ARM resource path of the storage account.

Data access: Entra ID first (the identity needs "Storage Blob Data Reader" on the account), then the
account key through ``listKeys`` (needs Contributor-like rights). When both are refused the error
says which role to grant on which scope, with the ``az role assignment create`` command.

Every byte read is appended to the local copy at once, so the log survives AIB deleting the
staging group; reads are ranged (``download_blob(offset=...)``) so only new bytes cross the wire.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

from aib_pilot.azure.errors import error_code, status_of
from aib_pilot.errors import AzureAccessError

CONTAINER = "packerlogs"
LOG_NAME = "customization.log"

_URL_RE = re.compile(r"https://[^\s\"'<>]+?/" + CONTAINER + r"/[^\s\"'<>]+?\.log", re.I)
_ARM_ACCOUNT_RE = re.compile(
    r"/subscriptions/(?P<sub>[^/\s]+)/resourceGroups/(?P<rg>[^/\s]+)/providers/Microsoft\.Storage/"
    r"storageAccounts/(?P<account>[A-Za-z0-9]+)(?P<rest>/[^\s\"'<>]*)?", re.I)
_BLOB_PATH_RE = re.compile(r"(?:containers/)?" + CONTAINER + r"/(?:blobs/)?(?P<blob>[^\s\"'<>]+?\.log)", re.I)


@dataclass(frozen=True)
class LogLocation:
    """Where a run's log is: either a blob URL, or an account in a resource group + blob name."""

    blob_url: str | None = None  # without query string (never a SAS)
    resource_group: str | None = None
    account: str | None = None
    blob_name: str | None = None  # "<guid>/customization.log"

    @property
    def run_folder(self) -> str | None:
        name = self.blob_name or (self.blob_url and self.blob_url.split(f"/{CONTAINER}/", 1)[-1])
        return name.split("/", 1)[0] if name and "/" in name else None


def parse_log_location(message: str | None) -> LogLocation | None:
    """Find the log in a ``lastRunStatus.message`` (blob URL form or ARM resource path form)."""
    if not message:
        return None
    match = _URL_RE.search(message)
    if match:
        parsed = urlparse(match.group(0))
        return LogLocation(blob_url=urlunparse(parsed._replace(query="", fragment="")))
    arm = _ARM_ACCOUNT_RE.search(message)
    if arm:
        blob = _BLOB_PATH_RE.search(arm.group("rest") or "") or _BLOB_PATH_RE.search(message[arm.end():])
        return LogLocation(resource_group=arm.group("rg"), account=arm.group("account"),
                           blob_name=blob.group("blob") if blob else None)
    return None


def rg_name(resource_id: str | None) -> str | None:
    match = re.search(r"/resourceGroups/([^/]+)", resource_id or "", re.I)
    return match.group(1) if match else None


def account_from_url(url: str) -> str | None:
    """Storage account name of a blob URL: the host's first label, or the first path segment for
    path-style URLs (an IP address or localhost host, as with Azurite or Azure Stack)."""
    import ipaddress

    parsed = urlparse(url)
    host = (parsed.hostname or "").lower()
    try:
        ipaddress.ip_address(host)
        path_style = True
    except ValueError:
        path_style = host in ("localhost",)
    name = parsed.path.strip("/").split("/", 1)[0] if path_style else host.split(".", 1)[0]
    return name if re.fullmatch(r"[a-z0-9]{3,24}", name or "") else None


def role_hint(principal: str | None, role: str, scope: str) -> str:
    return (f'az role assignment create --assignee {principal or "<client id of this identity>"} '
            f'--role "{role}" --scope {scope}')


class LogAccessDenied(AzureAccessError):
    """The log exists but this identity may not read it (the message carries the fix)."""


class LogNotFound(Exception):
    """No log yet (build not started writing) or it is gone (staging group deleted)."""


class StagingLog:
    """One run's customization.log: locate it, read new bytes, append them to a local file."""

    def __init__(self, session, save_dir: Path):
        self.session = session
        self.save_dir = Path(save_dir)
        self.local_path: Path | None = None  # save_dir/<run guid>/customization.log once located
        self.blob = None  # azure.storage.blob.BlobClient once located
        self.url: str | None = None
        self.account_id: str | None = None
        self.access: str | None = None  # "entra" or "key"
        self.bytes_downloaded = 0
        self.gone = False

    # -- locating -------------------------------------------------------------------------------
    def _accounts(self, resource_group: str) -> list[Any]:
        try:
            return list(self.session.storage.storage_accounts.list_by_resource_group(resource_group))
        except Exception as exc:  # noqa: BLE001 - classified below
            status = status_of(exc)
            if status == 403:
                scope = f"/subscriptions/{self.session.subscription_id}/resourceGroups/{resource_group}"
                raise LogAccessDenied(
                    f"Cannot list the storage accounts of the staging resource group {resource_group} "
                    f"({error_code(exc) or 403}), so the build log cannot be read.",
                    hint="Grant read access: " + role_hint(self.session.principal, "Reader", scope),
                ) from exc
            if status == 404:
                raise LogNotFound(f"staging resource group {resource_group} does not exist (any more)") from exc
            raise

    def _endpoint(self, account: Any) -> str:
        endpoints = getattr(account, "primary_endpoints", None) or (account.get("properties") or {}).get("primaryEndpoints")
        blob = getattr(endpoints, "blob", None) if not isinstance(endpoints, dict) else endpoints.get("blob")
        if not blob:
            raise LogNotFound(f"storage account {account.name} has no blob endpoint")
        return blob.rstrip("/")

    def locate(self, *, staging_rg: str | None, location: LogLocation | None = None) -> bool:
        """Find the newest log blob; True when found. Raises LogAccessDenied with the role to grant."""
        if location and location.blob_url:
            self._attach(location.blob_url, account_id=None, resource_group=staging_rg or location.resource_group)
            return True
        resource_group = (location.resource_group if location else None) or staging_rg
        if not resource_group:
            return False
        accounts = self._accounts(resource_group)
        if location and location.account:
            accounts = [a for a in accounts if a.name.lower() == location.account.lower()] or accounts
        for account in accounts:
            base = self._endpoint(account)
            blob_name = location.blob_name if location and location.blob_name else None
            container = self._container(base, account.id, resource_group)
            if blob_name is None:
                blob_name = self._newest_log(container)
                if blob_name is None:
                    continue
            self._attach(f"{base}/{CONTAINER}/{blob_name}", account_id=account.id, resource_group=resource_group)
            return True
        return False

    def _container(self, base: str, account_id: str, resource_group: str):
        from azure.storage.blob import ContainerClient

        self.account_id = account_id
        return ContainerClient.from_container_url(f"{base}/{CONTAINER}", credential=self._data_credential(resource_group),
                                                  **self.session.cloud.connection_kwargs())

    def _newest_log(self, container) -> str | None:
        from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

        for attempt in ("entra", "key"):
            try:
                blobs = [b for b in container.list_blobs() if b.name.endswith("/" + LOG_NAME)]
                break
            except ResourceNotFoundError:
                return None
            except HttpResponseError as exc:
                if status_of(exc) in (401, 403) and attempt == "entra":
                    container = self._with_key(container)
                    continue
                raise self._denied(exc) from exc
        if not blobs:
            return None
        newest = max(blobs, key=lambda b: (b.creation_time or b.last_modified, b.name))
        return newest.name

    def _data_credential(self, resource_group: str | None):
        if self.access == "key":
            return self._account_key(resource_group)
        self.access = "entra"
        return self.session.credential

    def _account_key(self, resource_group: str | None) -> dict:
        if not self.account_id:
            raise LogAccessDenied(
                "Entra ID data access to the log was refused and the storage account is unknown for a key fallback.",
                hint="Grant the identity 'Storage Blob Data Reader' on the staging storage account.")
        account = self.account_id.rstrip("/").rsplit("/", 1)[-1]
        rg = rg_name(self.account_id) or resource_group
        try:
            keys = self.session.storage.storage_accounts.list_keys(rg, account)
        except Exception as exc:  # noqa: BLE001
            if status_of(exc) in (401, 403):
                raise self._denied(exc) from exc
            if status_of(exc) == 404:
                raise LogNotFound(f"storage account {account} is gone") from exc
            raise
        from aib_pilot.azure.templates import as_json

        # SDK models are mappings: ``keys.keys`` would be the dict method, so read the JSON shape.
        key = next((k.get("value") for k in as_json(keys).get("keys") or [] if k.get("value")), None)
        if key is None:
            raise self._denied(None)
        return {"account_name": account, "account_key": key}

    def _with_key(self, client):
        self.access = "key"
        from azure.storage.blob import BlobClient, ContainerClient

        cred = self._account_key(None)
        kwargs = self.session.cloud.connection_kwargs()
        if isinstance(client, BlobClient):
            return BlobClient.from_blob_url(client.url.split("?", 1)[0], credential=cred, **kwargs)
        return ContainerClient.from_container_url(client.url.split("?", 1)[0], credential=cred, **kwargs)

    def _denied(self, exc: BaseException | None) -> LogAccessDenied:
        scope = self.account_id or "<id of the storage account in the staging resource group>"
        return LogAccessDenied(
            f"The identity may not read the build log {self.url or ''} "
            f"({(error_code(exc) if exc else None) or 'AuthorizationPermissionMismatch'}).".replace("  ", " "),
            hint="Grant it: " + role_hint(self.session.principal, "Storage Blob Data Reader", scope),
        )

    def _attach(self, url: str, *, account_id: str | None, resource_group: str | None) -> None:
        self.url = url.split("?", 1)[0]
        folder = self.url.split(f"/{CONTAINER}/", 1)[-1].rsplit("/", 1)
        self.local_path = self.save_dir / (folder[0] if len(folder) == 2 else "run") / LOG_NAME
        if account_id:
            self.account_id = account_id
        elif not self.account_id and resource_group:
            # Blob URL form: find the account id (for listKeys and role hints) lazily, cheaply.
            name = account_from_url(self.url)
            if name:
                self.account_id = (f"/subscriptions/{self.session.subscription_id}/resourceGroups/{resource_group}"
                                   f"/providers/Microsoft.Storage/storageAccounts/{name}")
        from azure.storage.blob import BlobClient

        self.blob = BlobClient.from_blob_url(self.url, credential=self._data_credential(resource_group),
                                             **self.session.cloud.connection_kwargs())

    @property
    def located(self) -> bool:
        return self.blob is not None

    # -- reading --------------------------------------------------------------------------------
    @property
    def saved_size(self) -> int:
        if self.local_path is None:
            return 0
        try:
            return self.local_path.stat().st_size
        except FileNotFoundError:
            return 0

    def read_new(self) -> bytes:
        """Download bytes past what is saved, append them to the local file, return them.

        Returns b"" when nothing is new. Marks ``gone`` when the blob or its account disappeared.
        """
        from azure.core.exceptions import HttpResponseError, ResourceNotFoundError, ServiceRequestError

        if self.blob is None or self.gone or self.local_path is None:
            return b""
        offset = self.saved_size
        for attempt in ("first", "key"):
            try:
                data = self.blob.download_blob(offset=offset).readall() if offset else self.blob.download_blob().readall()
                break
            except ResourceNotFoundError:
                self.gone = True
                return b""
            except ServiceRequestError:
                # DNS/connection failure for a deleted account looks like this on real Azure.
                self.gone = True
                return b""
            except HttpResponseError as exc:
                status = status_of(exc)
                if status == 416 or error_code(exc) == "InvalidRange":
                    return b""  # nothing past offset yet
                if status in (401, 403) and attempt == "first" and self.access == "entra":
                    self.blob = self._with_key(self.blob)
                    continue
                if status in (401, 403):
                    raise self._denied(exc) from exc
                raise
        self.bytes_downloaded += len(data)
        if data:
            self.local_path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.local_path, "ab") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        return data
