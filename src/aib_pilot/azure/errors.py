"""Turn azure-core exceptions into one-line errors that say what failed and how to fix it."""

from __future__ import annotations

import contextlib
import re
from typing import Iterator

from aib_pilot.errors import AzureAccessError
from aib_pilot.redact import redact

TRANSIENT_STATUS = frozenset({408, 429, 500, 502, 503, 504})


def error_code(exc: BaseException) -> str | None:
    err = getattr(exc, "error", None)
    return getattr(err, "code", None) if err is not None else None


def status_of(exc: BaseException) -> int | None:
    return getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)


def first_line(exc: BaseException) -> str:
    """The first non-empty line of the SDK's message (it starts with "(Code) text"), redacted."""
    text = str(getattr(exc, "message", None) or exc or type(exc).__name__)
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), type(exc).__name__)
    return redact(re.sub(r"^\([A-Za-z0-9_.]+\)\s*", "", line))


def is_transient(exc: BaseException) -> bool:
    """Throttling, server errors and broken connections: worth retrying."""
    from azure.core.exceptions import ServiceRequestError, ServiceResponseError

    if isinstance(exc, (ServiceRequestError, ServiceResponseError, ConnectionError, TimeoutError)):
        return True
    return status_of(exc) in TRANSIENT_STATUS


def to_access_error(exc: BaseException, what: str) -> AzureAccessError | None:
    """The AzureAccessError for ``exc`` (auth, permission, not found), or None for other errors."""
    from azure.core.exceptions import ClientAuthenticationError, ResourceNotFoundError

    detail = first_line(exc)
    status = status_of(exc)
    code = error_code(exc) or ""
    if isinstance(exc, ClientAuthenticationError) and status not in (403, 404):
        return AzureAccessError(
            f"Authentication failed while {what}: {detail}",
            hint="Check the tenant/client id and the secret, certificate or federated credential "
            "(for OIDC: the Entra federated credential's subject must match this workflow/service connection).",
        )
    if status == 401:
        return AzureAccessError(f"Azure rejected the token while {what} (401): {detail}",
                                hint="The credential belongs to another tenant or expired; sign in again.")
    if status == 403 or code in ("AuthorizationFailed", "LinkedAuthorizationFailed"):
        return AzureAccessError(
            f"Permission denied while {what} ({code or 403}): {detail}",
            hint="Grant the identity a role on that scope, e.g. 'az role assignment create --assignee "
            "<client id> --role Contributor --scope <resource group id>'.",
        )
    if isinstance(exc, ResourceNotFoundError) or status == 404:
        return AzureAccessError(
            f"Not found while {what} ({code or 404}): {detail}",
            hint="Check --subscription, --resource-group and --name (and that the right cloud/ARM endpoint is used).",
        )
    return None


@contextlib.contextmanager
def azure_access(what: str) -> Iterator[None]:
    """Re-raise auth/permission/not-found SDK errors as AzureAccessError (exit code 3)."""
    from azure.core.exceptions import AzureError

    try:
        yield
    except AzureError as exc:
        mapped = to_access_error(exc, what)
        if mapped is not None:
            raise mapped from exc
        if isinstance(exc, Exception) and is_transient(exc):
            raise AzureAccessError(f"Azure did not answer while {what}: {first_line(exc)}",
                                   hint="This is usually transient; run the command again.") from exc
        raise
