"""Turn azure-core exceptions into one-line errors that say what failed and how to fix it."""

from __future__ import annotations

import contextlib
import re
from typing import Iterator

from aib_pilot.errors import AzureAccessError, AzureUnavailableError, UsageError
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


# -- authentication --------------------------------------------------------------------------------
# A failed sign-in says what to fix for the --auth mode in use. The session's credential
# (azure/clients.SignInCredential) marks each authentication error it raises with that mode and
# client id; nothing is kept in a module global.
SIGN_IN_ATTRIBUTE = "aib_pilot_sign_in"


def with_sign_in(exc: BaseException, mode: str | None, client_id: str | None) -> BaseException:
    """Mark an authentication error with the sign-in that raised it (mode, client id)."""
    setattr(exc, SIGN_IN_ATTRIBUTE, (mode, client_id))
    return exc


def sign_in_of(exc: BaseException) -> tuple[str | None, str | None]:
    """(mode, client id) of the sign-in that raised ``exc`` (or of the error it wraps), else (None, None)."""
    seen = 0
    while exc is not None and seen < 5:
        marked = getattr(exc, SIGN_IN_ATTRIBUTE, None)
        if marked:
            return marked
        exc = getattr(exc, "inner_exception", None) or exc.__cause__ or exc.__context__
        seen += 1
    return None, None


# Entra ID error codes worth a precise fix (learn.microsoft.com/entra/identity-platform/reference-error-codes).
# Value: (what happened, a note or "", how to fix it); {client} is the application (client) id.
AADSTS_HINTS: dict[str, tuple[str, str, str]] = {
    "7000215": ("Entra ID rejected the client secret of app {client}", "the secret's value, not its ID, is expected",
                "Set AZURE_CLIENT_SECRET to a current secret value (az ad app credential reset --id {client})."),
    "7000222": ("the client secret of app {client} has expired", "",
                "Create a new secret (az ad app credential reset --id {client}) and update AZURE_CLIENT_SECRET."),
    "700016": ("app {client} does not exist in this tenant", "",
               "Check AZURE_CLIENT_ID (the application id) and AZURE_TENANT_ID (the tenant that holds the app)."),
    "90002": ("the tenant in AZURE_TENANT_ID does not exist", "",
              "Set AZURE_TENANT_ID to your directory id (az account show --query tenantId -o tsv)."),
    "900023": ("AZURE_TENANT_ID is not a valid tenant", "",
               "Set AZURE_TENANT_ID to your directory id (az account show --query tenantId -o tsv)."),
    "700213": ("no federated credential of app {client} matches this CI token's subject", "",
               "Add a federated credential whose subject matches this workflow (e.g. repo:ORG/REPO:ref:refs/heads/main "
               "or repo:ORG/REPO:environment:NAME) or Azure DevOps service connection (sc://ORG/PROJECT/CONNECTION)."),
    "70021": ("no federated credential of app {client} matches this CI token (issuer, subject or audience)", "",
              "Check the app's federated credential: issuer, subject and audience api://AzureADTokenExchange."),
    "700212": ("the CI token's audience is not the one the federated credential of app {client} expects", "",
               "Set the audience input (azure/login's name; CLI --audience) to the credential's audience, or "
               "change the credential's audience to api://AzureADTokenExchange (the default)."),
    "700024": ("the CI token (client assertion) is expired or not yet valid", "",
               "Check the runner's clock; aib-pilot mints a fresh CI token for every sign-in."),
    "700027": ("the certificate of app {client} is not registered or its signature is invalid", "",
               "Upload the certificate's public part to the app registration (az ad app credential reset --id "
               "{client} --cert @cert.pem --append) and check AZURE_CLIENT_CERTIFICATE_PATH."),
    "500011": ("this tenant knows no resource for the token's audience (derived from the ARM endpoint)", "",
               "Check --cloud / --arm-endpoint: the token scope is <ARM endpoint>/.default, so a wrong endpoint "
               "or cloud gives this."),
    "7000112": ("app {client} is disabled", "", "Enable the application's service principal in Entra ID."),
    "53003": ("a Conditional Access policy blocked the sign-in", "", "Ask your Entra ID admin to exempt this identity."),
}

# When Entra gave no code (or none we know): what to check, per --auth mode.
MODE_HINTS: dict[str, str] = {
    "secret": "Check AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (the secret's value, not its ID).",
    "certificate": "Check AZURE_TENANT_ID, AZURE_CLIENT_ID and that the certificate in AZURE_CLIENT_CERTIFICATE_PATH "
                   "is registered on the app (and AZURE_CLIENT_CERTIFICATE_PASSWORD if it has one).",
    "oidc-github": "Check AZURE_TENANT_ID, AZURE_CLIENT_ID and that the app has a federated credential for this "
                   "repository and branch/environment; the job needs 'permissions: id-token: write'.",
    "oidc-azure-devops": "Check AZURE_TENANT_ID, AZURE_CLIENT_ID and that the service connection uses workload identity "
                         "federation with this app; map SYSTEM_ACCESSTOKEN and SYSTEM_OIDCREQUESTURI into the step.",
    "managed-identity": "No managed identity endpoint (IMDS) is reachable on this machine: use --auth managed-identity on "
                        "an Azure VM or self-hosted agent with an identity assigned, or choose another --auth.",
    "cli": "Sign in with 'az login' (install the Azure CLI if it is missing), or choose another --auth "
           "(e.g. secret with AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET).",
    "environment": "EnvironmentCredential needs AZURE_TENANT_ID and AZURE_CLIENT_ID plus AZURE_CLIENT_SECRET or "
                   "AZURE_CLIENT_CERTIFICATE_PATH; or choose another --auth.",
}
_AADSTS = re.compile(r"AADSTS(\d+)")
_NOISE = re.compile(r"\s*(Trace ID|Correlation ID|Timestamp):.*$", re.IGNORECASE)


def auth_detail(exc: BaseException) -> tuple[str, str | None]:
    """(the SDK's message cut to one short sentence, the AADSTS code if any).

    azure-identity's messages repeat "Authentication failed:" and end with Trace ID /
    Correlation ID / Timestamp lines that help Microsoft support, not the user.
    """
    text = str(getattr(exc, "message", None) or exc or type(exc).__name__)
    code = _AADSTS.search(text)
    lines = [_NOISE.sub("", ln).strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln]
    if code:  # the AADSTS line says it best; keep its first sentence
        line = next(ln for ln in lines if code.group(0) in ln) if any(code.group(0) in ln for ln in lines) else lines[0]
        line = line[line.index(code.group(0)):]
    else:
        line = lines[0] if lines else type(exc).__name__
    while re.match(r"(?i)^authentication failed:\s*", line):
        line = re.sub(r"(?i)^authentication failed:\s*", "", line, count=1)
    line = re.sub(r"^[A-Za-z]+Credential\.get_token(_info)? failed:\s*", "", line)
    first = re.match(r"(.+?[.!])(\s|$)", line)
    line = first.group(1) if first else line
    return redact(line.strip()), (code.group(1) if code else None)


def authentication_error(exc: BaseException, what: str) -> AzureAccessError:
    """One line: which sign-in failed, Entra's reason (short), and the fix for that mode/code."""
    mode, client = sign_in_of(exc)
    client = client or "<client id>"
    detail, code = auth_detail(exc)
    label = f"--auth {mode}" if mode else "sign-in"
    if code in AADSTS_HINTS:
        meaning, note, fix = AADSTS_HINTS[code]
        return AzureAccessError(f"Authentication failed ({label}) while {what}: {meaning.format(client=client)} "
                                f"(AADSTS{code}{': ' + note if note else ''}).", hint=fix.format(client=client))
    if mode == "managed-identity" and "unavailable" in detail.lower():
        return AzureAccessError(f"Authentication failed ({label}) while {what}: no managed identity is available "
                                "on this machine.", hint=MODE_HINTS["managed-identity"])
    hint = MODE_HINTS.get(mode or "", "Check the tenant/client id and the credential of the chosen --auth mode.")
    return AzureAccessError(f"Authentication failed ({label}) while {what}: {detail.rstrip('.')}.", hint=hint)


# ARM error codes that mean "your request is malformed": bad input (exit 2), not an access problem.
BAD_REQUEST_CODES = frozenset({
    "InvalidResourceName", "InvalidResourceGroupName", "InvalidTemplate", "InvalidParameter",
    "InvalidRequestContent", "InvalidSubscriptionId", "InvalidApiVersionParameter", "MissingSubscription",
    "LinkedInvalidPropertyId", "InvalidResourceType", "BadRequest",
})


def to_access_error(exc: BaseException, what: str) -> AzureAccessError | UsageError | None:
    """The AzureAccessError for ``exc`` (auth, permission, not found), a UsageError for a request
    ARM refused as malformed, or None for other errors."""
    from azure.core.exceptions import ClientAuthenticationError, ResourceNotFoundError

    detail = first_line(exc)
    status = status_of(exc)
    code = error_code(exc) or ""
    if isinstance(exc, ClientAuthenticationError) and status not in (403, 404):
        return authentication_error(exc, what)
    if status == 400 and code in BAD_REQUEST_CODES:
        return UsageError(f"Azure refused the request while {what} ({code}): {detail}",
                          hint="Check --subscription, --resource-group and --name (names: 1-64 letters, digits, "
                          "'-', '_' or '.').")
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
    """Re-raise auth/permission/not-found SDK errors as AzureAccessError (exit code 3), a request
    ARM refused as malformed (400 InvalidResourceName, ...) as UsageError (exit 2), and throttling,
    server errors and lost connections as AzureUnavailableError (exit 5)."""
    from azure.core.exceptions import AzureError

    try:
        yield
    except AzureError as exc:
        mapped = to_access_error(exc, what)
        if mapped is not None:
            raise mapped from exc
        if isinstance(exc, Exception) and is_transient(exc):
            raise unavailable(exc, what) from exc
        raise


def unavailable(exc: BaseException, what: str) -> AzureUnavailableError:
    """Throttling, a server error or no connection, after retrying: exit 5, never the access code 3."""
    status = status_of(exc)
    why = f"answered {status}" if status else f"could not be reached ({type(exc).__name__})"
    return AzureUnavailableError(
        f"Azure {why} while {what}, also after retrying: {first_line(exc)}",
        hint="This is temporary (throttling or an outage), not a permission problem: run the same command "
             "again later (exit code 5 means 'try again').")
