"""The AzureRM service connection, as the agent exposes it, becomes azure-identity settings."""

from __future__ import annotations

import json
import os

from aib_pilot.entrypoints.azure_devops import build, connection_settings

CONN = "8c2f4e1a-1b2c-4d5e-8f90-a1b2c3d4e5f6"


def agent_env(scheme: str, **params: str) -> dict:
    env = {"INPUT_CONNECTEDSERVICENAME": CONN, f"ENDPOINT_URL_{CONN}": "https://management.azure.com/",
           f"ENDPOINT_AUTH_SCHEME_{CONN}": scheme, f"ENDPOINT_DATA_{CONN}_SUBSCRIPTIONID": "sub-1",
           f"ENDPOINT_DATA_{CONN}_ENVIRONMENT": "AzureCloud"}
    for key, value in params.items():
        env[f"ENDPOINT_AUTH_PARAMETER_{CONN}_{key.upper()}"] = value
    return env


def test_service_principal_secret():
    values, env, secrets, errors = connection_settings(
        agent_env("ServicePrincipal", serviceprincipalid="app", tenantid="ten", serviceprincipalkey="k3y",
                  authenticationType="spnKey"))
    assert errors == []
    assert values == {"auth": "secret", "subscription": "sub-1"}
    assert env == {"AZURE_TENANT_ID": "ten", "AZURE_CLIENT_ID": "app", "AZURE_CLIENT_SECRET": "k3y",
                   "AZURE_SUBSCRIPTION_ID": "sub-1"}
    assert secrets == ["k3y"]


def test_workload_identity_federation_uses_the_job_token():
    e = agent_env("WorkloadIdentityFederation", serviceprincipalid="app", tenantid="ten")
    e.update({"SYSTEM_OIDCREQUESTURI": "https://dev.azure.com/o/p/_apis/x", "ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN": "tok"})
    values, env, secrets, errors = connection_settings(e)
    assert errors == []
    assert values["auth"] == "oidc-azure-devops"
    assert env["AZURESUBSCRIPTION_SERVICE_CONNECTION_ID"] == CONN and env["SYSTEM_ACCESSTOKEN"] == "tok"
    assert "AZURE_CLIENT_SECRET" not in env and secrets == ["tok"]


def test_workload_identity_federation_without_token_says_how_to_fix():
    _, _, _, errors = connection_settings(agent_env("WorkloadIdentityFederation", serviceprincipalid="a", tenantid="t"))
    assert any("SYSTEM_ACCESSTOKEN: $(System.AccessToken)" in e for e in errors)
    assert any("SYSTEM_OIDCREQUESTURI" in e for e in errors)


def test_auth_json_and_case_insensitive_lookup():
    """Parameters may only be in ENDPOINT_AUTH_<id> (JSON); names may differ in case."""
    e = {"INPUT_CONNECTEDSERVICENAME": CONN,
         f"ENDPOINT_AUTH_{CONN.upper()}": json.dumps({"scheme": "ServicePrincipal", "parameters": {
             "serviceprincipalid": "app", "tenantid": "ten", "serviceprincipalkey": "k"}}),
         f"endpoint_data_{CONN}_subscriptionid": "sub-2"}
    values, env, _, errors = connection_settings(e)
    assert errors == [] and values["subscription"] == "sub-2" and env["AZURE_CLIENT_SECRET"] == "k"


def test_custom_cloud_becomes_arm_endpoint_and_authority():
    e = agent_env("ServicePrincipal", serviceprincipalid="a", tenantid="t", serviceprincipalkey="k")
    e[f"ENDPOINT_URL_{CONN}"] = "https://management.local.azurestack.external/"
    e[f"ENDPOINT_DATA_{CONN}_ACTIVEDIRECTORYAUTHORITY"] = "https://login.local/"
    e[f"ENDPOINT_DATA_{CONN}_ENVIRONMENT"] = "AzureStack"
    values, *_ = connection_settings(e)
    assert values["arm-endpoint"] == "https://management.local.azurestack.external/"
    assert values["authority-host"] == "https://login.local/"


def test_national_cloud_by_name():
    e = agent_env("ServicePrincipal", serviceprincipalid="a", tenantid="t", serviceprincipalkey="k")
    e[f"ENDPOINT_URL_{CONN}"] = "https://management.chinacloudapi.cn/"
    e[f"ENDPOINT_DATA_{CONN}_ENVIRONMENT"] = "AzureChinaCloud"
    values, *_ = connection_settings(e)
    assert values["cloud"] == "AzureChinaCloud" and "arm-endpoint" not in values


def test_certificate_is_written_to_a_private_file():
    pem = "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n"
    values, env, secrets, errors = connection_settings(
        agent_env("ServicePrincipal", serviceprincipalid="a", tenantid="t", authenticationType="spnCertificate",
                  servicePrincipalCertificate=pem))
    try:
        assert errors == [] and values["auth"] == "certificate"
        path = env["AZURE_CLIENT_CERTIFICATE_PATH"]
        assert open(path).read() == pem and oct(os.stat(path).st_mode & 0o777) == "0o600"
    finally:
        os.unlink(env["AZURE_CLIENT_CERTIFICATE_PATH"])


def test_unknown_connection_and_scheme_are_one_line_each():
    assert "not visible to the task" in connection_settings({"INPUT_CONNECTEDSERVICENAME": CONN})[3][0]
    errors = connection_settings(agent_env("PublishProfile"))[3]
    assert errors and "not supported" in errors[0]


def test_explicit_task_inputs_win_over_the_connection():
    e = agent_env("ServicePrincipal", serviceprincipalid="a", tenantid="t", serviceprincipalkey="k")
    e.update({"INPUT_COMMAND": "monitor", "INPUT_SUBSCRIPTION": "sub-explicit", "INPUT_TEMPLATENAME": "t1",
              "INPUT_RESOURCEGROUP": "rg"})
    inv, fmt = build(e)
    assert fmt == "azure-devops" and inv.errors == []
    assert inv.argv[inv.argv.index("--subscription") + 1] == "sub-explicit"
    assert inv.argv[inv.argv.index("--auth") + 1] == "secret"
    assert inv.argv[inv.argv.index("--format") + 1] == "azure-devops"


def test_empty_file_path_inputs_rooted_to_the_sources_directory_count_as_not_given(tmp_path):
    """The agent turns an empty filePath input into the sources directory."""
    inv, _ = build({"INPUT_COMMAND": "monitor", "INPUT_TEMPLATENAME": "t", "INPUT_RESOURCEGROUP": "rg",
                    "INPUT_TEMPLATEFILE": str(tmp_path), "INPUT_LOGFILE": str(tmp_path)})
    assert inv.errors == [] and "--template" not in inv.argv and str(tmp_path) not in inv.argv
