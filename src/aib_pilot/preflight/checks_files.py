"""Check that customizer files on Azure storage will be readable by the build.

The build VM downloads ``sourceUri``/``scriptUri`` with the template identity (or anonymously, or
with the URI's SAS). Preflight cannot act as that identity, so it decides from what it can read:

1. a URI with a SAS (``sig=``): read the blob's properties with that SAS, exactly as the build will;
2. otherwise an anonymous read of the properties: success means the blob is public;
3. otherwise the identity needs the data action ``.../containers/blobs/read`` on the container
   (Storage Blob Data Reader), checked in its role assignments like the other scopes; and the blob
   must exist, checked with the caller's own token when the caller may read it.

URIs outside Azure storage (GitHub, other hosts) are not checked.
"""

from __future__ import annotations

import ipaddress
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

from aib_pilot.preflight.checks_access import identity_principal
from aib_pilot.preflight.context import Context, CouldNotCheck, Outcome, read, status_of
from aib_pilot.preflight.permissions import BLOB_READ, Need, missing_actions
from aib_pilot.preflight.plan import FileRef
from aib_pilot.redact import redact


def blob_parts(uri: str) -> tuple[str, str, str] | None:
    """(account, container, blob) of an Azure storage blob URL, or None for other hosts.

    ``<account>.blob.<suffix>/<container>/<blob>``, or the path-style form
    ``<ip or localhost>:<port>/<account>/<container>/<blob>`` of storage emulators.
    """
    parts = urlsplit(uri)
    host = (parts.hostname or "").lower()
    segs = [s for s in parts.path.split("/") if s]
    if ".blob." in host:
        account = host.split(".", 1)[0]
    else:
        try:
            local = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            local = False
        if not local or not segs:
            return None
        account, segs = segs[0], segs[1:]
    if len(segs) < 2:
        return None
    return account, segs[0], "/".join(segs[1:])


def _probe(ctx: Context, uri: str, credential) -> int:
    """HTTP status of reading the blob's properties (200 when readable)."""
    from azure.core.exceptions import HttpResponseError, ServiceRequestError
    from azure.storage.blob import BlobClient

    client = BlobClient.from_blob_url(uri, credential=credential, **ctx.session.cloud.connection_kwargs(),
                                      retry_total=0)
    try:
        client.get_blob_properties()
        return 200
    except HttpResponseError as exc:
        return status_of(exc) or 0
    except ServiceRequestError as exc:   # DNS, TLS, refused: the build VM may still reach it
        host = urlsplit(uri).hostname
        raise CouldNotCheck(f"{redact(uri)}", role="Reader", reason=f"cannot reach {host} from here "
                            f"({type(exc).__name__})") from None


def storage_account_id(ctx: Context, account: str) -> str | None:
    """The storage account's resource ID in this subscription, found by name (Resources_List)."""

    def fetch():
        found = read(f"storage account {account}", lambda: list(ctx.resources.resources.list(
            filter=f"resourceType eq 'Microsoft.Storage/storageAccounts' and name eq '{account}'")),
            scope=ctx.sub_scope)
        return found[0].id if found else None

    return ctx.once.get(("account", account.lower()), fetch)


def check_file(ctx: Context, ref: FileRef) -> list[Outcome]:
    name = f"file: {ref.label}"
    shown = redact(ref.uri)
    parts = blob_parts(ref.uri)
    if parts is None:
        return [Outcome(name, "skipped", f"{shown} is not on Azure storage")]
    account, container, blob = parts
    try:
        return _check_blob(ctx, ref, name, shown, account, container, blob)
    except CouldNotCheck as err:
        return [Outcome.from_error(name, err, ref.line)]


def _check_blob(ctx: Context, ref: FileRef, name: str, shown: str, account: str, container: str,
                blob: str) -> list[Outcome]:
    if "sig" in {k.lower() for k in parse_qs(urlsplit(ref.uri).query)}:
        status = _probe(ctx, ref.uri, None)
        if status == 200:
            return [Outcome(name, "passed", f"{shown} is readable with its SAS", line=ref.line)]
        return [Outcome(name, "failed", f"{shown} answers {status} with its SAS (expired, wrong permissions, or no such "
                        "blob)", "AIB615", ref.line, f"az storage blob generate-sas --account-name {account} -c "
                        f"{container} -n {blob} --permissions r --expiry <date> --auth-mode login --as-user --full-uri")]
    # The four reads below do not depend on each other: start them together.
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="preflight-file") as pool:
        anonymous = pool.submit(_probe, ctx, ref.uri, None)
        as_caller = pool.submit(_probe, ctx, ref.uri, ctx.session.credential)
        principal_f = pool.submit(identity_principal, ctx)
        account_f = pool.submit(storage_account_id, ctx, account)
        if anonymous.result() == 200:
            return [Outcome(name, "passed", f"{shown} is public", line=ref.line)]
        try:
            principal, account_id = principal_f.result(), account_f.result()
        except CouldNotCheck as err:
            return [Outcome.from_error(name, err, ref.line)]
        status = as_caller.result()
    if principal is None:
        return [Outcome(name, "skipped", "the identity does not exist (see the identity check)", line=ref.line)]
    if account_id is None:
        return [Outcome.from_error(name, CouldNotCheck(
            f"who may read {shown}", scope=ctx.sub_scope,
            reason=f"storage account {account} is not in subscription {ctx.session.subscription_id}"), ref.line)]
    scope = f"{account_id}/blobServices/default/containers/{container}"
    need = Need(f"read {shown}", scope, (BLOB_READ,), "Storage Blob Data Reader", ref.line, data=True)
    try:
        missing, roles = missing_actions(ctx, principal, need)
    except CouldNotCheck as err:
        return [Outcome.from_error(name, err, ref.line)]
    if missing:
        have = f" (its roles there: {', '.join(roles)})" if roles else " (no role applies there)"
        return [Outcome(name, "failed", f"{shown} is private and the build identity may not read it{have}", "AIB615",
                        ref.line, f"az role assignment create --assignee-object-id {principal} --assignee-principal-type "
                        f"ServicePrincipal --role \"Storage Blob Data Reader\" --scope {scope}", scope=scope)]
    if status == 404:
        return [Outcome(name, "failed", f"{shown} does not exist", "AIB615", ref.line,
                        f"az storage blob upload --account-name {account} -c {container} -n {blob} -f <file> --auth-mode login")]
    return [Outcome(name, "passed", f"the build identity may read {shown} ({', '.join(roles)})", line=ref.line)]
