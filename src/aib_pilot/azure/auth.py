"""Credentials from azure-identity, chosen explicitly (``--auth``) or inferred from the environment.

Every credential that talks to Entra ID gets ``authority=<the cloud's authority host>``; for a
custom authority host (Azure Stack, the test emulator) instance discovery is turned off, because
MSAL would otherwise ask login.microsoftonline.com whether the host is a known authority.

Federated (OIDC) modes never cache the CI system's ID token: GitHub's expires after 5 minutes and
Azure DevOps' after 10, while a build can run for hours. ``ClientAssertionCredential`` calls our
callback whenever it needs a new Entra token, and the callback mints a fresh ID token each time.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping


from aib_pilot.azure.cloud import Cloud
from aib_pilot.errors import AzureAccessError, UsageError

AUTH_MODES = (
    "secret", "certificate", "oidc-github", "oidc-azure-devops", "managed-identity", "cli", "environment",
)
GITHUB_AUDIENCE = "api://AzureADTokenExchange"

# What each setting is, for error messages that teach.
_SETTING_HELP = {
    "AZURE_TENANT_ID": "the Entra tenant (directory) id",
    "AZURE_CLIENT_ID": "the application (client) id of the service principal or managed identity",
    "AZURE_CLIENT_SECRET": "the service principal's secret",
    "AZURE_CLIENT_CERTIFICATE_PATH": "path of the service principal's PEM/PKCS12 certificate",
    "ACTIONS_ID_TOKEN_REQUEST_URL": "set by GitHub when the job has 'permissions: id-token: write'",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "set by GitHub when the job has 'permissions: id-token: write'",
    "SYSTEM_OIDCREQUESTURI": "set by Azure Pipelines; map it with 'env: SYSTEM_OIDCREQUESTURI: $(System.OidcRequestUri)'",
    "SYSTEM_ACCESSTOKEN": "the job token; map it with 'env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)'",
    "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID": "the id of the Azure Resource Manager service connection (or --service-connection-id)",
}


@dataclass
class AuthChoice:
    credential: Any
    mode: str
    reason: str  # why this mode, for the info line
    principal: str | None  # client id, for role-assignment hints


def _need(env: Mapping[str, str], mode: str, *names: str) -> list[str]:
    values = []
    for name in names:
        value = env.get(name, "").strip()
        if not value:
            raise UsageError(
                f"--auth {mode} needs {name} ({_SETTING_HELP.get(name, 'required')}).",
                hint=f"Set {name} in the step's environment, or choose another --auth mode "
                f"({', '.join(AUTH_MODES)}).",
            )
        values.append(value)
    return values


def infer_mode(env: Mapping[str, str]) -> tuple[str, str]:
    """Return (mode, reason) from what the environment provides."""
    if env.get("AZURE_CLIENT_SECRET"):
        return "secret", "AZURE_CLIENT_SECRET is set"
    if env.get("AZURE_CLIENT_CERTIFICATE_PATH"):
        return "certificate", "AZURE_CLIENT_CERTIFICATE_PATH is set"
    if env.get("SYSTEM_OIDCREQUESTURI") and _service_connection_id(env):
        return "oidc-azure-devops", "SYSTEM_OIDCREQUESTURI and a service connection id are set"
    if env.get("ACTIONS_ID_TOKEN_REQUEST_URL"):
        return "oidc-github", "ACTIONS_ID_TOKEN_REQUEST_URL is set (GitHub OIDC)"
    if env.get("IDENTITY_ENDPOINT") or env.get("MSI_ENDPOINT"):
        return "managed-identity", "a managed identity endpoint is set"
    return "cli", "no credential settings in the environment, so the Azure CLI login is used"


def _service_connection_id(env: Mapping[str, str]) -> str:
    return (
        env.get("AIB_PILOT_SERVICE_CONNECTION_ID")
        or env.get("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID")
        or env.get("INPUT_CONNECTEDSERVICENAME")
        or ""
    ).strip()


def github_token_minter(request_url: str, request_token: str, *, verify: Any = True,
                        audience: str = GITHUB_AUDIENCE, timeout: float = 30.0) -> Callable[[], str]:
    """A callback returning a NEW GitHub Actions ID token on every call (they live 5 minutes)."""
    import requests  # here, not at the top: commands that never sign in do not pay for importing it

    separator = "&" if "?" in request_url else "?"
    url = f"{request_url}{separator}{requests.compat.urlencode({'audience': audience})}"

    def mint() -> str:
        last: Exception | None = None
        for _attempt in range(3):
            try:
                response = requests.get(
                    url, headers={"Authorization": f"Bearer {request_token}", "Accept": "application/json"},
                    timeout=timeout, verify=verify,
                )
            except requests.RequestException as exc:
                last = exc
                continue
            if response.status_code >= 500:
                last = RuntimeError(f"HTTP {response.status_code}")
                continue
            if response.status_code != 200:
                raise AzureAccessError(
                    f"GitHub refused to mint an OIDC token (HTTP {response.status_code}).",
                    hint="Give the job 'permissions: id-token: write'; fork PRs cannot get one.",
                )
            token = (response.json() or {}).get("value")
            if not token:
                raise AzureAccessError("GitHub's OIDC endpoint returned no token ('value' missing).")
            return token
        raise AzureAccessError(f"Could not reach GitHub's OIDC token endpoint: {last}.",
                               hint="Check ACTIONS_ID_TOKEN_REQUEST_URL and the runner's network.")

    return mint


# What azure-identity accepts as a tenant (azure.identity._internal.validate_tenant_id).
_TENANT_ID = re.compile(r"[A-Za-z0-9.-]+")


def make_credential(mode: str | None, cloud: Cloud, env: Mapping[str, str] | None = None, *,
                    service_connection_id: str | None = None) -> AuthChoice:
    """Build the azure-identity credential for ``mode`` (None = infer from ``env``)."""
    from azure import identity  # imported late: keeps `aib-pilot --help` fast

    env = os.environ if env is None else env
    if mode:
        if mode not in AUTH_MODES:
            raise UsageError(f"Unknown --auth {mode!r}.", hint=f"Use one of {', '.join(AUTH_MODES)}.")
        reason = "--auth given"
    else:
        mode, reason = infer_mode(env)
    common: dict[str, Any] = dict(cloud.connection_kwargs())
    entra = dict(common, authority=cloud.authority_host)
    if cloud.custom:
        entra["disable_instance_discovery"] = True
    client_id = env.get("AZURE_CLIENT_ID") or None
    tenant_id = env.get("AZURE_TENANT_ID")
    if tenant_id and not _TENANT_ID.fullmatch(tenant_id):
        # azure-identity would raise a bare ValueError from the credential's constructor.
        raise UsageError(f"AZURE_TENANT_ID {tenant_id!r} is not a tenant id.",
                         hint="Set it to the directory (tenant) GUID or its domain, e.g. from "
                         "'az account show --query tenantId -o tsv'.")

    if mode == "secret":
        tenant, client_id, secret = _need(env, mode, "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET")
        cred = identity.ClientSecretCredential(tenant, client_id, secret, **entra)
    elif mode == "certificate":
        tenant, client_id, path = _need(env, mode, "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_CERTIFICATE_PATH")
        if not os.path.isfile(path):
            raise UsageError(f"AZURE_CLIENT_CERTIFICATE_PATH {path!r} is not a file.",
                             hint="Point it to the service principal's PEM or PKCS12 certificate.")
        password = env.get("AZURE_CLIENT_CERTIFICATE_PASSWORD") or None
        cred = identity.CertificateCredential(tenant, client_id, path, password=password, **entra)
    elif mode == "oidc-github":
        url, token, tenant, client_id = _need(
            env, mode, "ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "AZURE_TENANT_ID", "AZURE_CLIENT_ID")
        audience = (env.get("AIB_PILOT_OIDC_AUDIENCE") or "").strip() or GITHUB_AUDIENCE  # azure/login's audience
        minter = github_token_minter(url, token, verify=cloud.ca_bundle or True, audience=audience)
        cred = identity.ClientAssertionCredential(tenant, client_id, minter, **entra)
    elif mode == "oidc-azure-devops":
        tenant, client_id, _uri = _need(env, mode, "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "SYSTEM_OIDCREQUESTURI")
        connection = service_connection_id or _service_connection_id(env)
        if not connection:
            _need(env, mode, "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID")
        access_token = env.get("SYSTEM_ACCESSTOKEN") or env.get("ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN")
        if not access_token:
            _need(env, mode, "SYSTEM_ACCESSTOKEN")
        if env is not os.environ and os.environ.get("SYSTEM_OIDCREQUESTURI") != _uri:
            os.environ["SYSTEM_OIDCREQUESTURI"] = _uri  # AzurePipelinesCredential reads os.environ itself
        cred = identity.AzurePipelinesCredential(
            tenant_id=tenant, client_id=client_id, service_connection_id=connection,
            system_access_token=access_token, **entra)
    elif mode == "managed-identity":
        cred = identity.ManagedIdentityCredential(client_id=client_id, **common)
    elif mode == "cli":
        cred = identity.AzureCliCredential(tenant_id=env.get("AZURE_TENANT_ID") or "")
    else:  # environment
        cred = identity.EnvironmentCredential(**entra)
    return AuthChoice(cred, mode, reason, client_id)
