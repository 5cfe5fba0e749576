"""Workspace files into the image: pack ``customizer-source``, upload it, make sure the build may read it.

* Packed as tar.gz for Linux and zip for Windows (what ``tar`` and ``Expand-Archive`` unpack on a
  stock image); a folder's contents sit at the archive's root, a single file under its own name.
* Uploaded to a new blob container (``aib-pilot-<random>``) in the storage account the user names,
  or in a storage account aib-pilot creates in the template's resource group. What was created is
  recorded on the template's tags (:mod:`aib_pilot.azure.created_resources`) for cleanup.
* The blob is written with the account key when the caller may list keys (Contributor may), else
  with the caller's Entra token (which then needs Storage Blob Data Contributor).
* The template references the blob without a SAS; AIB fetches it with the template's identity,
  which needs ``.../blobs/read`` on the container (Storage Blob Data Reader). On an account
  aib-pilot created, that role is assigned to the identity on the container; on the user's own
  account it is only checked. Either way a missing role stops the run before anything is built,
  with the exact ``az role assignment create`` that fixes it.
* A role assigned moments ago may not apply yet: Azure takes up to 10 minutes to apply a new
  assignment, and AIB reads the payload with the identity while it creates the template, seconds
  later. :class:`FreshRole` lets the submission try again while AIB still refuses the file
  (docs/usage.md, "A role assigned just now").
"""

from __future__ import annotations

import os
import secrets
import string
import tarfile
import tempfile
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from aib_pilot.errors import UsageError

#: Built-in role "Storage Blob Data Reader" (its id is the same in every Azure cloud).
BLOB_READER_ROLE = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
ACCOUNT_PREFIX = "aibpilot"
CONTAINER_PREFIX = "aib-pilot-"


@dataclass(frozen=True)
class Packed:
    path: Path
    name: str       # base name of the folder or file (the folder it unpacks to in the VM)
    size: int


@dataclass(frozen=True)
class Uploaded:
    url: str                 # blob URL, no SAS
    container_url: str       # recorded on the template for cleanup
    account_id: str
    created_account: bool


#: Microsoft's troubleshooting of Azure RBAC: a new role assignment can take up to 10 minutes to
#: take effect (docs/sources.md#rbac-propagation).
PROPAGATION_SECONDS = 600.0
#: AIB's answer when the template's identity may not read a customizer file (Azure/azvmimagebuilder#60).
REFUSED = "Not authorized to access the resource: "
FIRST_WAIT, LONGEST_WAIT = 15.0, 60.0


@dataclass
class FreshRole:
    """The reader role this run assigned on the payload's container, which Azure may not apply yet.

    AIB fetches the payload with the template's identity while it creates the template; until the
    assignment takes effect it refuses the template with "Not authorized to access the resource:
    <blob URL>". :meth:`wait_before_retry` says how long to wait before creating the template again
    (doubling from ``first_wait`` up to a minute), until ``PROPAGATION_SECONDS`` after the
    assignment or ``until`` (e.g. the end of the job's budget), whichever comes first."""

    blob_url: str
    assigned_at: float = field(default_factory=time.monotonic)
    first_wait: float = FIRST_WAIT
    until: float = float("inf")
    clock: Callable[[], float] = time.monotonic
    attempts: int = field(default=0)

    def refused(self, error: dict) -> bool:
        """``error`` (an ARM error envelope or a provisioningError) is AIB refusing to read our payload."""
        inner = error.get("error") if isinstance(error.get("error"), dict) else error
        return f"{REFUSED}{self.blob_url}" in str((inner or {}).get("message") or "")

    def waited(self) -> float:
        return max(0.0, self.clock() - self.assigned_at)

    def wait_before_retry(self) -> float | None:
        """Seconds to wait before the next try, or None when the time for the role to apply is up."""
        left = min(self.assigned_at + PROPAGATION_SECONDS, self.until) - self.clock()
        if left <= 0:
            return None
        wait = min(self.first_wait * 2 ** self.attempts, LONGEST_WAIT, left)
        self.attempts += 1
        return wait

    def waiting_line(self, wait: float) -> str:
        return (f"AIB cannot read the workspace files yet: the Storage Blob Data Reader role was assigned "
                f"{self.waited():.0f} s ago and Azure can take up to {PROPAGATION_SECONDS / 60:.0f} minutes to "
                f"apply a new role assignment; creating the template again in {wait:.{0 if wait >= 10 else 1}f} s "
                f"(try {self.attempts + 1})")

    def gave_up(self, error: dict) -> dict:
        """``error`` with a last sentence saying what was tried and what to do."""
        out = dict(error)
        inner = dict(out["error"]) if isinstance(out.get("error"), dict) else out
        inner["message"] = (f"{inner.get('message') or ''} (aib-pilot assigned the identity Storage Blob Data Reader "
                            f"on the container {self.waited():.0f} s before this answer and tried {self.attempts + 1} "
                            "times; Azure can take up to 10 minutes to apply a new role assignment: give the job a "
                            "longer --budget, or assign the role once on an account you name with "
                            "customizer-storage-account)").strip()
        if "error" in out:
            out["error"] = inner
        return out


class MissingBlobRole(UsageError):
    """The build identity may not read the payload: the fix is one role assignment."""


def check_source(path_text: str) -> Path:
    """``customizer-source`` as an existing file or folder, or one UsageError."""
    path = Path(path_text)
    if not path.exists():
        raise UsageError(f"input customizer-source {path_text!r} does not exist in the workspace.",
                         hint="Give a file or folder path relative to the workspace (the job's working directory).")
    if not (path.is_file() or path.is_dir()):
        raise UsageError(f"input customizer-source {path_text!r} is neither a file nor a folder.",
                         hint="Give a regular file or a folder.")
    return path


def payload_name(path: Path) -> str:
    """The folder name the payload unpacks to: the source's name up to its first dot."""
    base = path.resolve().name.split(".")[0]
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in base).strip("-")
    return safe or "workspace"


def pack(source: Path, *, windows: bool, into: Path) -> Packed:
    """Archive ``source`` into the folder ``into`` (zip for Windows, tar.gz for Linux)."""
    name = payload_name(source)
    into.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f"{name}-", suffix=".zip" if windows else ".tar.gz", dir=into)
    os.close(fd)
    target = Path(temp)
    members = [(source, source.name)] if source.is_file() else sorted(
        (p, p.relative_to(source).as_posix()) for p in source.rglob("*") if p.is_file() or p.is_dir())
    if windows:
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path, arcname in members:
                if path.is_file():
                    archive.write(path, arcname)
    else:
        with tarfile.open(target, "w:gz") as archive:
            for path, arcname in members:
                archive.add(path, arcname, recursive=False)
    return Packed(target, name, target.stat().st_size)


def _random(alphabet: str, n: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def new_account_name() -> str:
    """3-24 lowercase letters and digits, unique enough across Azure (storage names are global)."""
    return ACCOUNT_PREFIX + _random(string.ascii_lowercase + string.digits, 24 - len(ACCOUNT_PREFIX))


def _find_account(session, name_or_id: str):
    """The user's storage account (by name or resource id) in the subscription, or a UsageError."""
    from aib_pilot.azure.errors import azure_access

    wanted = name_or_id.rstrip("/").split("/")[-1].lower()
    with azure_access("listing the subscription's storage accounts"):
        for account in session.storage.storage_accounts.list():
            if (account.name or "").lower() == wanted:
                return account
    raise UsageError(f"storage account {name_or_id!r} (input customizer-storage-account) is not in subscription "
                     f"{session.subscription_id}.", hint="Give the name of an existing account in this subscription, "
                     "or leave the input empty and aib-pilot creates one in the resource group.")


def _create_account(session, resource_group: str, location: str, tags: dict):
    from azure.mgmt.storage.models import Sku, StorageAccountCreateParameters

    from aib_pilot.azure.errors import azure_access

    name = new_account_name()
    params = StorageAccountCreateParameters(
        sku=Sku(name="Standard_LRS"), kind="StorageV2", location=location, tags=tags,
        allow_blob_public_access=False, minimum_tls_version="TLS1_2", enable_https_traffic_only=True)
    with azure_access(f"creating storage account {name} in resource group {resource_group}"):
        return session.storage.storage_accounts.begin_create(resource_group, name, params).result()


def _rg_of(resource_id: str) -> str:
    parts = resource_id.split("/")
    return parts[parts.index("resourceGroups") + 1] if "resourceGroups" in parts else parts[4]


def _account_key(session, account) -> str:
    keys = session.storage.storage_accounts.list_keys(_rg_of(account.id), account.name)
    listed = keys["keys"] if isinstance(keys, dict) or not isinstance(getattr(keys, "keys", None), list) else keys.keys
    first = listed[0]
    return first["value"] if isinstance(first, dict) else first.value


def _put_blob(session, account, container: str, blob: str, path: Path) -> None:
    """Create the container and upload the archive: with the caller's Entra token first (works where
    shared keys are disabled), else with the account key (a Contributor may list keys but holds no
    data role)."""
    from azure.core.exceptions import HttpResponseError
    from azure.storage.blob import BlobServiceClient

    endpoint = account.primary_endpoints.blob
    kwargs = session.cloud.connection_kwargs()

    def put(credential) -> None:
        service = BlobServiceClient(endpoint, credential=credential, **kwargs)
        service.create_container(container)
        with open(path, "rb") as data:
            service.get_blob_client(container, blob).upload_blob(data, overwrite=True)

    try:
        put(session.credential)
    except HttpResponseError as exc:
        if exc.status_code != 403:
            raise
        put({"account_name": account.name, "account_key": _account_key(session, account)})


def target_account(session, *, resource_group: str, location: str, account: str = "", info=lambda msg: None):
    """(the storage account to upload to, whether aib-pilot created it): the user's, else a new one."""
    if account:
        return _find_account(session, account), False
    found = _create_account(session, resource_group, location, {"createdBy": "aib-pilot"})
    info(f"created storage account {found.name} in resource group {resource_group} for the workspace files")
    return found, True


def upload(session, packed: Packed, account, *, created: bool, windows: bool, run_id: str = "",
           info=lambda msg: None) -> Uploaded:
    """Put the archive in a new container of ``account``; returns where it is and what was created."""
    from aib_pilot.azure.errors import azure_access

    container = CONTAINER_PREFIX + _random(string.ascii_lowercase + string.digits, 12)
    blob = f"{run_id or 'local'}/{packed.name}{'.zip' if windows else '.tar.gz'}"
    with azure_access(f"uploading the workspace files to storage account {account.name}"):
        _put_blob(session, account, container, blob, packed.path)
    base = account.primary_endpoints.blob.rstrip("/")
    info(f"uploaded {packed.size} bytes of workspace files to {base}/{container}/{blob}")
    return Uploaded(f"{base}/{container}/{blob}", f"{base}/{container}", account.id, created)


def container_scope(uploaded: Uploaded) -> str:
    container = uploaded.container_url.rstrip("/").rsplit("/", 1)[-1]
    return f"{uploaded.account_id}/blobServices/default/containers/{container}"


def identity_principal(session, identity_id: str) -> str:
    """The principal (object) id of a user-assigned identity, or a UsageError when it is not there."""
    from azure.mgmt.msi import ManagedServiceIdentityClient

    from aib_pilot.azure.errors import azure_access

    parts = identity_id.rstrip("/").split("/")
    client = ManagedServiceIdentityClient(session.credential, session.subscription_id,
                                          base_url=session.cloud.arm_endpoint, **session._mgmt_kwargs())
    from azure.core.exceptions import ResourceNotFoundError

    try:
        with azure_access(f"reading the identity {identity_id}"):
            return client.user_assigned_identities.get(parts[4], parts[-1]).principal_id
    except ResourceNotFoundError:
        raise UsageError(f"the identity {identity_id} (input managed-identity) does not exist.",
                         hint="Create it (az identity create -g <rg> -n <name>) or give an existing one.") from None


def _fix(principal: str, scope: str) -> str:
    return (f"az role assignment create --assignee-object-id {principal} --assignee-principal-type "
            f"ServicePrincipal --role \"Storage Blob Data Reader\" --scope {scope}")


def grant_reader(session, principal: str, scope: str) -> None:
    """Assign Storage Blob Data Reader to the identity on the container aib-pilot created."""
    from azure.core.exceptions import HttpResponseError
    from azure.mgmt.authorization import AuthorizationManagementClient
    from azure.mgmt.authorization.models import RoleAssignmentCreateParameters

    client = AuthorizationManagementClient(session.credential, session.subscription_id,
                                           base_url=session.cloud.arm_endpoint, **session._mgmt_kwargs())
    role = f"/subscriptions/{session.subscription_id}/providers/Microsoft.Authorization/roleDefinitions/{BLOB_READER_ROLE}"
    try:
        client.role_assignments.create(scope, str(uuid.uuid4()), RoleAssignmentCreateParameters(
            role_definition_id=role, principal_id=principal, principal_type="ServicePrincipal"))
    except HttpResponseError as exc:
        raise MissingBlobRole(
            f"the build identity needs Storage Blob Data Reader on the workspace files' container, and aib-pilot "
            f"could not assign it (Azure answered {exc.status_code}: this sign-in may not create role assignments).",
            hint=f"Run once with an Owner or User Access Administrator: {_fix(principal, scope)}; or name an "
            "account where the identity already has the role (input customizer-storage-account).") from None


def reader_missing(session, principal: str, scope: str, *, resource_group: str, template_name: str) -> str | None:
    """None when the identity may read blobs under ``scope`` (or the caller may not read role
    assignments: AIB then says it at submission); else what applies there, for the message."""
    from aib_pilot.preflight.context import Context, CouldNotCheck
    from aib_pilot.preflight.permissions import BLOB_READ, Need, missing_actions

    ctx = Context(session, None, resource_group, template_name, "attach", "")
    need = Need("read the workspace files", scope, (BLOB_READ,), "Storage Blob Data Reader", None, data=True)
    try:
        missing, roles = missing_actions(ctx, principal, need)
    except CouldNotCheck:
        return None
    if not missing:
        return None
    return f"its roles there: {', '.join(roles)}" if roles else "no role applies there"


def delete_account(session, account, info=lambda msg: None) -> None:
    """Best effort: remove an account this run created and nothing records yet."""
    from azure.core.exceptions import AzureError

    try:
        session.storage.storage_accounts.delete(_rg_of(account.id), account.name)
        info(f"deleted storage account {account.name} again (the run stopped before the template was created)")
    except AzureError as exc:
        info(f"warning: could not delete storage account {account.id} ({type(exc).__name__}); delete it by hand")


def remove_created(session, tags: dict, info=lambda msg: None) -> None:
    """Best effort: delete the account (or else the container) that ``tags`` record as created."""
    from azure.core.exceptions import AzureError
    from azure.storage.blob import ContainerClient

    from aib_pilot.azure.created_resources import ACCOUNT_TAG, CONTAINER_TAG

    account_id, container = tags.get(ACCOUNT_TAG), tags.get(CONTAINER_TAG)
    try:
        if account_id:
            session.storage.storage_accounts.delete(_rg_of(account_id), account_id.rstrip("/").rsplit("/", 1)[-1])
            info(f"deleted storage account {account_id} again: no template was created to record it")
        elif container:
            ContainerClient.from_container_url(container, credential=session.credential,
                                               **session.cloud.connection_kwargs()).delete_container()
            info(f"deleted container {container} again: no template was created to record it")
    except AzureError as exc:
        info(f"warning: could not delete {account_id or container} ({type(exc).__name__}); delete it by hand")


def check_reader(session, principal: str, scope: str, *, resource_group: str, template_name: str) -> None:
    """Stop before the build when the identity may not read blobs under ``scope``."""
    have = reader_missing(session, principal, scope, resource_group=resource_group, template_name=template_name)
    if have:
        raise MissingBlobRole(
            f"the build identity (principal {principal}) may not read the workspace files in {scope} ({have}); "
            "AIB would refuse the template when it fetches them.", hint=f"Grant it: {_fix(principal, scope)}")
