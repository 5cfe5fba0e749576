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

import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

from aib_pilot.azure import log_folder
from aib_pilot.azure.errors import error_code, status_of
from aib_pilot.azure.log_folder import LogState
from aib_pilot.errors import AzureAccessError

CONTAINER = "packerlogs"
# azure-storage-blob's ExponentialRetry: 2 retries, about 3 s and 5 s apart (+ up to 1 s jitter).
BLOB_RETRY = {"retry_total": 2, "initial_backoff": 1, "increment_base": 2, "random_jitter_range": 1,
              "connection_timeout": 10, "read_timeout": 60}
LOG_NAME = "customization.log"
# A run folder (the blob name's first segment, a GUID in Azure) usable as a local folder name.
SAFE_FOLDER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
TRUSTED_BLOB = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}/" + re.escape(LOG_NAME))

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
        self.state: LogState | None = None  # length and hash of what was saved (azure/log_folder.py)
        self.verified = False  # the saved prefix was checked against its state and the blob
        self.notices: list[str] = []  # things the monitor should say (a saved log moved aside, ...)

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
        if location and location.resource_group and staging_rg and location.resource_group.lower() != staging_rg.lower():
            self.notices.append(f"the run's status message names the log in resource group {location.resource_group}, "
                                f"not in the staging resource group {staging_rg}; looking in the staging group instead")
            location = None
        resource_group = staging_rg or (location.resource_group if location else None)
        if not resource_group:
            return False
        accounts = self._accounts(resource_group)
        if location and location.blob_url:
            location = self.trusted_location(location.blob_url, accounts, resource_group)
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

    def trusted_location(self, url: str, accounts: list[Any], resource_group: str) -> LogLocation | None:
        """THE check before a storage token is sent anywhere: a log URL (from ``lastRunStatus.message``,
        text Azure copies from the build) is used only when it is a ``packerlogs/<run>/customization.log``
        blob on the blob endpoint ARM reports for a storage account of the run's staging resource
        group. Anything else -- another host, another account, ``..`` or encoded characters in the
        path -- is ignored (said once) and the log is looked for in the staging accounts instead."""
        for account in accounts:
            try:
                prefix = f"{self._endpoint(account)}/{CONTAINER}/"
            except LogNotFound:
                continue
            if url.lower().startswith(prefix.lower()) and TRUSTED_BLOB.fullmatch(url[len(prefix):]):
                return LogLocation(resource_group=resource_group, account=account.name, blob_name=url[len(prefix):])
        host = urlparse(url).netloc or "?"
        self.notices.append(f"ignored the log URL in the run's status message (on {host}): it is not the "
                            f"'{CONTAINER}' container of a storage account in the staging resource group "
                            f"{resource_group}; looking for the log there instead")
        return LogLocation(resource_group=resource_group)

    def _container(self, base: str, account_id: str, resource_group: str):
        from azure.storage.blob import ContainerClient

        self.account_id = account_id
        return ContainerClient.from_container_url(f"{base}/{CONTAINER}", credential=self._data_credential(resource_group),
                                                  **self._blob_kwargs())

    def _blob_kwargs(self) -> dict:
        """Connection settings for blob clients: the cloud's, and a SHORT retry of the storage SDK's
        own (its default waits 15 s, 18 s, 24 s, ... per call, minutes in all, blind to the budget);
        the monitor retries on its own clock instead."""
        return dict(self.session.cloud.connection_kwargs(), **BLOB_RETRY)

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
                if status_of(exc) in (401, 403):
                    raise self._denied(exc) from exc
                raise  # 429/5xx: transient, retried by the caller on the budget's clock
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
        kwargs = self._blob_kwargs()
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
        run_folder = folder[0] if len(folder) == 2 and SAFE_FOLDER.fullmatch(folder[0]) else "run"
        self.local_path = self.save_dir / run_folder / LOG_NAME
        self.state = LogState(self.save_dir.parent, (self.save_dir.name, run_folder), LOG_NAME)
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
                                             **self._blob_kwargs())

    @property
    def located(self) -> bool:
        return self.blob is not None

    # -- reading --------------------------------------------------------------------------------
    @property
    def saved_size(self) -> int:
        if self.local_path is None:
            return 0
        try:
            info = self.local_path.lstat()
        except FileNotFoundError:
            return 0
        return info.st_size if stat.S_ISREG(info.st_mode) else 0

    @property
    def saved_complete(self) -> bool:
        """An earlier read reached the blob's end after the run had ended (the state says so)."""
        return bool(self.state and (self.state.load() or {}).get("complete"))

    def mark_complete(self) -> None:
        if self.state and self.verified:
            self.state.complete = True
            self.state.save()

    def _verify_saved_prefix(self) -> None:
        """Before appending to a saved log: it must be what an earlier monitor saved of THIS blob
        (length and SHA-256 in its state file) and still a prefix of the blob (length, last bytes).
        Otherwise it is moved aside (kept for the user) and the blob is read from its start."""
        from azure.core.exceptions import ResourceNotFoundError

        state, parts = self.state, self.state.parts
        problem = state.verify_local(self.url)
        saved = state.length if problem is None else self.saved_size
        if problem is None and saved:
            try:
                size = self.blob.get_blob_properties().size
            except ResourceNotFoundError:
                self.gone = True  # keep the saved copy: it is all there is
                return
            if size < saved:
                problem = f"the blob holds {size} bytes, fewer than the {saved} saved"
            else:
                overlap = min(saved, 1024)
                tail = self.blob.download_blob(offset=saved - overlap, length=overlap).readall()
                local = log_folder.read(state.root, parts, LOG_NAME) or b""
                if tail != local[-overlap:]:
                    problem = "its last bytes differ from the blob's"
        if problem and saved:
            aside = log_folder.move_aside(state.root, parts, LOG_NAME, "unverified")
            self.notices.append(f"the saved log {self.local_path} was not continued ({problem}); it was moved "
                                f"to {aside} and the log is read again from its start")
            state.__init__(state.root, parts, LOG_NAME)
        self.verified = True

    def read_new(self) -> bytes:
        """Download bytes past what is saved, append them to the local file, return them.

        Returns b"" when nothing is new. Marks ``gone`` when the blob or its account disappeared.
        """
        from azure.core.exceptions import HttpResponseError, ResourceNotFoundError, ServiceRequestError

        if self.blob is None or self.gone or self.local_path is None:
            return b""
        for attempt in ("first", "key"):
            if self.verified:
                break
            try:
                self._verify_saved_prefix()
            except ResourceNotFoundError:
                self.gone = True
            except HttpResponseError as exc:
                if status_of(exc) in (401, 403) and attempt == "first" and self.access == "entra":
                    self.blob = self._with_key(self.blob)
                    continue
                if status_of(exc) in (401, 403):
                    raise self._denied(exc) from exc
                raise
        if self.gone:
            return b""
        offset = self.state.length
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
            self.save_dir.parent.mkdir(parents=True, exist_ok=True)
            log_folder.append(self.state.root, self.state.parts, LOG_NAME, data)
            self.state.appended(self.url, data)
        return data
