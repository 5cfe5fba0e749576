"""Entra ID + GitHub / Azure DevOps OIDC fakes with azure-identity's own credentials."""
from __future__ import annotations

import time

import jwt
import pytest
import requests
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
from azure.identity import AzurePipelinesCredential, ClientAssertionCredential

from tests.emulator_tests.helpers import aib_client, secret_credential


def _github_token(emu) -> str:
    i = emu.info
    resp = requests.get(i["github_oidc_request_url"] + "&audience=api://AzureADTokenExchange",
                        headers={"Authorization": f"Bearer {i['github_oidc_request_token']}"},
                        verify=i["ca_bundle"], timeout=10)
    resp.raise_for_status()
    return resp.json()["value"]


def _assertion_credential(emu, func) -> ClientAssertionCredential:
    i = emu.info
    return ClientAssertionCredential(i["tenant"], i["client_id"], func, authority=i["authority"],
                                     disable_instance_discovery=True, connection_verify=i["ca_bundle"])


def test_github_oidc_assertion_gets_an_arm_token(emulator):
    cred = _assertion_credential(emulator, lambda: _github_token(emulator))
    assert list(aib_client(emulator, cred).virtual_machine_image_templates.list()) == []
    assert emulator.journal.count(service="oidc", method="GET") == 1


def test_github_oidc_needs_the_request_token(emulator):
    resp = requests.get(emulator.info["github_oidc_request_url"], headers={"Authorization": "Bearer wrong"},
                        verify=emulator.info["ca_bundle"], timeout=10)
    assert resp.status_code == 401


def test_expired_github_assertion_is_refused_like_entra(emulator):
    emulator.set_speed(3000)             # GitHub ID tokens live 5 simulated minutes (>= 2 s real)
    stale = _github_token(emulator)
    exp = jwt.decode(stale, options={"verify_signature": False})["exp"]
    assert exp - time.time() <= 3.1
    time.sleep(max(0.0, exp - time.time()) + 0.2)
    cred = _assertion_credential(emulator, lambda: stale)
    with pytest.raises(ClientAuthenticationError) as err:
        cred.get_token(emulator.info["arm"] + "/.default")
    assert "AADSTS700024" in str(err.value)
    fresh = _assertion_credential(emulator, lambda: _github_token(emulator))
    assert fresh.get_token(emulator.info["arm"] + "/.default").token


def test_azure_pipelines_credential(emulator, monkeypatch):
    i = emulator.info
    # SYSTEM_OIDCREQUESTURI is how Azure DevOps hands the URL to tasks; the credential reads it itself.
    monkeypatch.setenv("SYSTEM_OIDCREQUESTURI", i["ado_oidc_request_uri"])
    cred = AzurePipelinesCredential(tenant_id=i["tenant"], client_id=i["client_id"],
                                    service_connection_id=i["ado_service_connection_id"],
                                    system_access_token=i["ado_access_token"], authority=i["authority"],
                                    disable_instance_discovery=True, connection_verify=i["ca_bundle"])
    assert list(aib_client(emulator, cred).virtual_machine_image_templates.list()) == []
    ado = emulator.journal.entries(service="oidc")
    assert len(ado) == 1 and ado[0].method == "POST" and "api-version=7.1" in ado[0].query
    assert f"serviceConnectionId={i['ado_service_connection_id']}" in ado[0].query


def test_azure_pipelines_wrong_connection_is_refused(emulator, monkeypatch):
    i = emulator.info
    monkeypatch.setenv("SYSTEM_OIDCREQUESTURI", i["ado_oidc_request_uri"])
    cred = AzurePipelinesCredential(tenant_id=i["tenant"], client_id=i["client_id"],
                                    service_connection_id="00000000-0000-0000-0000-000000000000",
                                    system_access_token=i["ado_access_token"], authority=i["authority"],
                                    disable_instance_discovery=True, connection_verify=i["ca_bundle"])
    with pytest.raises(ClientAuthenticationError):
        cred.get_token(i["arm"] + "/.default")


def test_short_token_lifetime_forces_refresh_and_expired_token_gets_401(emulator):
    emulator.faults.token_lifetime(1800)        # 30 simulated minutes = 3 s real at speed 600
    cred = secret_credential(emulator)
    token = cred.get_token(emulator.info["arm"] + "/.default")
    assert token.expires_on - time.time() <= 4
    client = aib_client(emulator, cred)
    list(client.virtual_machine_image_templates.list())
    time.sleep(max(0.0, token.expires_on - time.time()) + 1.1)
    list(client.virtual_machine_image_templates.list())   # the client fetches a new token by itself
    assert emulator.journal.count(service="login", method="POST") >= 2
    # a stale token on the wire is answered as ARM does
    import ssl
    import urllib.request
    import json
    ctx = ssl.create_default_context(cafile=emulator.info["ca_bundle"])
    req = urllib.request.Request(f"{emulator.info['arm']}/subscriptions?api-version=2022-12-01",
                                 headers={"Authorization": f"Bearer {token.token}"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, context=ctx)
    assert err.value.code == 401
    assert json.loads(err.value.read())["error"]["code"] == "ExpiredAuthenticationToken"
    assert 'error="invalid_token"' in err.value.headers["WWW-Authenticate"]


def test_expire_tokens_fault_revokes_cached_tokens(emulator):
    client = aib_client(emulator)
    list(client.virtual_machine_image_templates.list())
    emulator.faults.expire_tokens()
    with pytest.raises((ClientAuthenticationError, HttpResponseError)) as err:
        list(client.virtual_machine_image_templates.list())
    assert err.value.status_code == 401
    # a new credential gets a new token and works again
    assert list(aib_client(emulator).virtual_machine_image_templates.list()) == []


def test_storage_scope_token_reads_blobs(emulator):
    cred = secret_credential(emulator)
    token = cred.get_token("https://storage.azure.com/.default")
    assert token.token
    with pytest.raises(ClientAuthenticationError) as err:
        cred.get_token("https://vault.azure.net/.default")
    assert "AADSTS500011" in str(err.value)
