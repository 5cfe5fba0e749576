"""Entrypoint of the Azure DevOps task, started by ``ado-task/AibPilotV0/launcher.js``.

The agent passes task inputs as ``INPUT_<NAME>`` (name upper-cased) and, for the
``connectedService:AzureRM`` input, the service connection's GUID; the connection itself arrives
as ``ENDPOINT_URL_<id>``, ``ENDPOINT_AUTH_<id>`` (JSON), ``ENDPOINT_AUTH_SCHEME_<id>``,
``ENDPOINT_AUTH_PARAMETER_<id>_<KEY>`` and ``ENDPOINT_DATA_<id>_<KEY>`` (see
docs/sources.md#ado-inputs). This turns it into the environment azure-identity
and the CLI read, and the inputs into ``aib-pilot <command> ... --format azure-devops``.

Schemes: ``ServicePrincipal`` (secret or certificate), ``WorkloadIdentityFederation`` (the CLI's
``oidc-azure-devops`` mode: AzurePipelinesCredential re-mints the 10-minute ADO ID token from
``SYSTEM_OIDCREQUESTURI`` with System.AccessToken for every Entra token) and
``ManagedServiceIdentity``.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Mapping

from aib_pilot.entrypoints.common import execute, interrupt_on_sigterm
from aib_pilot.entrypoints.inputs import Invocation, ado_values, build_argv

# Input names that may hold the AzureRM service connection GUID (name first, then aliases).
CONNECTION_INPUTS = ("INPUT_CONNECTEDSERVICENAME", "INPUT_AZURESUBSCRIPTION")

# Resource Manager URLs of the clouds the CLI knows by name (docs/sources.md#ado-inputs: ENDPOINT_URL
# is the ARM URL). Anything else is passed as --arm-endpoint.
CLOUD_BY_ENVIRONMENT = {
    "azurecloud": "AzureCloud",
    "azurechinacloud": "AzureChinaCloud",
    "azureusgovernment": "AzureUSGovernment",
}
PUBLIC_ARM_URLS = {
    "https://management.azure.com",
    "https://management.chinacloudapi.cn",
    "https://management.usgovcloudapi.net",
}


class Endpoint:
    """Reads one service connection from the agent's ``ENDPOINT_*`` variables.

    Names use the GUID as the agent prints it, which is not upper-cased; lookups fall back to a
    case-insensitive scan because Linux environment names are case-sensitive.
    """

    def __init__(self, conn_id: str, environ: Mapping[str, str]):
        self.id = conn_id
        self.environ = environ
        self._folded = {k.upper(): v for k, v in environ.items()}
        try:
            self.auth = json.loads(self._get(f"ENDPOINT_AUTH_{conn_id}") or "{}")
        except ValueError:
            self.auth = {}
        self.auth_params = {k.lower(): v for k, v in (self.auth.get("parameters") or {}).items()}

    def _get(self, name: str) -> str:
        value = self.environ.get(name)
        if value is None:
            value = self._folded.get(name.upper())
        return value or ""

    @property
    def url(self) -> str:
        return self._get(f"ENDPOINT_URL_{self.id}")

    @property
    def scheme(self) -> str:
        return self._get(f"ENDPOINT_AUTH_SCHEME_{self.id}") or self.auth.get("scheme", "") or "ServicePrincipal"

    def auth_param(self, key: str) -> str:
        return self._get(f"ENDPOINT_AUTH_PARAMETER_{self.id}_{key.upper()}") or self.auth_params.get(key.lower(), "")

    def data(self, key: str) -> str:
        return self._get(f"ENDPOINT_DATA_{self.id}_{key.upper()}")

    def exists(self) -> bool:
        return bool(self.url or self.auth or self._get(f"ENDPOINT_AUTH_SCHEME_{self.id}"))


def connection_settings(environ: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str], list[str], list[str]]:
    """(input values, extra env, secrets, errors) derived from the AzureRM service connection.

    Input values only fill what the user did not set explicitly on the task.
    """
    values: dict[str, str] = {}
    env: dict[str, str] = {}
    secrets: list[str] = []
    errors: list[str] = []
    conn_id = next((environ[k].strip() for k in CONNECTION_INPUTS if environ.get(k, "").strip()), "")
    if not conn_id:
        return values, env, secrets, errors
    ep = Endpoint(conn_id, environ)
    if not ep.exists():
        errors.append(f"service connection {conn_id} is not visible to the task (no ENDPOINT_* "
                      "variables); check the 'connectedServiceName' input and that this pipeline "
                      "is authorised to use the connection.")
        return values, env, secrets, errors

    tenant = ep.auth_param("tenantid")
    client = ep.auth_param("serviceprincipalid")
    scheme = ep.scheme.lower()
    if tenant:
        env["AZURE_TENANT_ID"] = tenant
    if client:
        env["AZURE_CLIENT_ID"] = client
    if scheme == "workloadidentityfederation":
        values["auth"] = "oidc-azure-devops"
        # Names used by AzureCLI@2 and azure-identity's AzurePipelinesCredential samples.
        env["AZURESUBSCRIPTION_SERVICE_CONNECTION_ID"] = conn_id
        env["AZURESUBSCRIPTION_CLIENT_ID"] = client
        env["AZURESUBSCRIPTION_TENANT_ID"] = tenant
        token = environ.get("SYSTEM_ACCESSTOKEN") or ep._get("ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN")
        if token:
            env["SYSTEM_ACCESSTOKEN"] = token
            secrets.append(token)
        else:
            errors.append("workload identity federation needs the job's access token, but neither "
                          "SYSTEM_ACCESSTOKEN nor the SystemVssConnection token is available; add "
                          "'env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)' to the task step.")
        if not environ.get("SYSTEM_OIDCREQUESTURI"):
            errors.append("workload identity federation needs SYSTEM_OIDCREQUESTURI (the agent "
                          "sets it from System.OidcRequestUri); run on an agent version >= 3.225.")
    elif scheme == "managedserviceidentity":
        values["auth"] = "managed-identity"
        msi_client = ep.data("msiclientId")
        if msi_client:
            env["AZURE_CLIENT_ID"] = msi_client
    elif scheme == "serviceprincipal":
        if ep.auth_param("authenticationType").lower() == "spncertificate":
            pem = ep.auth_param("servicePrincipalCertificate")
            handle, path = tempfile.mkstemp(prefix="aib-pilot-sp-", suffix=".pem")
            with os.fdopen(handle, "w") as fh:
                fh.write(pem)
            env["AZURE_CLIENT_CERTIFICATE_PATH"] = path
            values["auth"] = "certificate"
            secrets.append(pem)
        else:
            key = ep.auth_param("serviceprincipalkey")
            env["AZURE_CLIENT_SECRET"] = key
            values["auth"] = "secret"
            if key:
                secrets.append(key)
            else:
                errors.append(f"service connection {conn_id} has no service principal key; "
                              "edit the connection or switch it to workload identity federation.")
    else:
        errors.append(f"service connection scheme {ep.scheme!r} is not supported; use a service "
                      "principal, workload identity federation or managed identity connection.")

    subscription = ep.data("subscriptionid")
    if subscription:
        values["subscription"] = subscription
        env["AZURE_SUBSCRIPTION_ID"] = subscription
    cloud = CLOUD_BY_ENVIRONMENT.get(ep.data("environment").lower())
    arm = ep.url.rstrip("/")
    if arm and arm not in PUBLIC_ARM_URLS:
        values["arm-endpoint"] = ep.url
        authority = ep.data("activeDirectoryAuthority") or ep.data("environmentAuthorityUrl")
        if authority:
            values["authority-host"] = authority
    elif cloud and cloud != "AzureCloud":
        values["cloud"] = cloud
    return values, env, secrets, errors


# filePath inputs (task.json). The agent roots them; an empty one becomes the sources directory
# (azure-pipelines-agent TaskRunner.TranslateFilePathInput + the build job extension's
# GetRootedPath), so a directory here means "not given".
FILE_PATH_INPUTS = ("template", "log-file")


def build(environ: Mapping[str, str]) -> tuple[Invocation, str]:
    """The CLI invocation and output format for this task step."""
    values = ado_values(environ)
    for key in FILE_PATH_INPUTS:
        if values.get(key, "").strip() and os.path.isdir(values[key].strip()):
            values[key] = ""
    fmt = (values.get("format") or "").strip() or "azure-devops"
    values["format"] = fmt
    conn_values, env, secrets, errors = connection_settings(environ)
    for key, value in conn_values.items():
        # The user's subscriptionId (the same setting as subscription) wins over the connection's.
        overridden = key == "subscription" and (values.get("subscription-id") or "").strip()
        if not (values.get(key) or "").strip() and not overridden:
            values[key] = value
    inv = build_argv(values, platform="azure-devops")
    inv.env = {**env, **inv.env}
    inv.secrets = secrets + inv.secrets
    inv.errors = errors + inv.errors
    return inv, fmt


def main(environ=None) -> int:
    environ = os.environ if environ is None else environ
    inv, fmt = build(environ)
    return execute(inv, fmt, environ)


if __name__ == "__main__":
    interrupt_on_sigterm()
    raise SystemExit(main())
