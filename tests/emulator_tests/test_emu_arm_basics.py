"""P1 fidelity: unmodified azure-mgmt-imagebuilder 2.0 + azure-identity against the ARM/Entra fakes."""
from __future__ import annotations

import json
import ssl
import time
import urllib.request

import pytest
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ResourceNotFoundError

from tests.emulator_tests.helpers import aib_client, create, secret_credential, template_body, wait_terminal


def test_create_run_get_delete_with_the_sdk(emulator):
    client = aib_client(emulator)
    rg = emulator.info["resource_group"]
    tpl = create(emulator, client, "tpl-basic", wait_poller=True)
    assert tpl.properties.provisioning_state == "Succeeded"
    staging = tpl.properties.exact_staging_resource_group
    assert staging.startswith(f"/subscriptions/{emulator.info['subscription']}/resourceGroups/IT_{rg}_tpl-basic_")
    assert tpl.properties.last_run_status is None          # no run yet

    client.virtual_machine_image_templates.begin_run(rg, "tpl-basic")     # do not wait on the run LRO
    running = client.virtual_machine_image_templates.get(rg, "tpl-basic").properties.last_run_status
    assert running.run_state == "Running"
    assert running.end_time.year == 1                    # zero-value endTime while running
    done = wait_terminal(emulator, client, "tpl-basic")
    assert done.properties.last_run_status.run_state == "Succeeded"
    assert done.properties.last_run_status.end_time > done.properties.last_run_status.start_time

    client.virtual_machine_image_templates.begin_delete(rg, "tpl-basic").result()
    with pytest.raises(ResourceNotFoundError):
        client.virtual_machine_image_templates.get(rg, "tpl-basic")


def _begin_run_response(client, rg: str, name: str):
    """The poller and the HTTP response to the run request, through azure-core's public ``raw_response_hook``
    (the first response the hook sees is the initial POST's; later ones are the poller's)."""
    seen = []
    poller = client.virtual_machine_image_templates.begin_run(
        rg, name, raw_response_hook=lambda r: seen.append(r.http_response))
    assert seen and seen[0].request.method == "POST", seen
    return poller, seen[0]


def test_lro_headers_and_envelope_on_the_wire(emulator):
    client = aib_client(emulator)
    rg = emulator.info["resource_group"]
    create(emulator, client, "tpl-wire")
    put = emulator.journal.entries(service="arm", method="PUT")[0]
    assert put.status == 201
    _, raw = _begin_run_response(client, rg, "tpl-wire")
    assert raw.status_code == 202
    assert "/providers/Microsoft.VirtualMachineImages/locations/" in raw.headers["Azure-AsyncOperation"]
    assert "/operationResults/" in raw.headers["Location"]
    assert int(raw.headers["Retry-After"]) >= 1
    assert raw.headers["x-ms-request-id"]
    assert int(raw.headers["x-ms-ratelimit-remaining-subscription-writes"]) >= 0
    # second PUT of the same name: AIB's documented Conflict
    with pytest.raises(HttpResponseError) as err:
        client.virtual_machine_image_templates.begin_create_or_update(rg, "tpl-wire", template_body(emulator))
    assert err.value.status_code == 409
    assert err.value.error.code == "Conflict"
    assert "Update/Upgrade of image templates is currently not supported" in err.value.message
    # delete refused while running
    with pytest.raises(HttpResponseError) as err:
        client.virtual_machine_image_templates.begin_delete(rg, "tpl-wire")
    assert err.value.status_code == 409


def test_async_operation_status_document(emulator):
    client = aib_client(emulator)
    rg = emulator.info["resource_group"]
    create(emulator, client, "tpl-op")
    url = _begin_run_response(client, rg, "tpl-op")[1].headers["Azure-AsyncOperation"]
    token = secret_credential(emulator).get_token(emulator.info["arm"] + "/.default").token
    ctx = ssl.create_default_context(cafile=emulator.info["ca_bundle"])

    def fetch(u):
        req = urllib.request.Request(u, headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(req, context=ctx) as resp:
            return resp.status, dict(resp.headers), json.loads(resp.read() or b"null")

    status, headers, doc = fetch(url)
    assert status == 200 and doc["status"] == "InProgress" and int(headers["Retry-After"]) >= 1
    wait_terminal(emulator, client, "tpl-op")
    status, _, doc = fetch(url)
    assert doc["status"] == "Succeeded" and doc["endTime"]
    # ... and still answers afterwards
    assert fetch(url)[2]["status"] == "Succeeded"


def test_missing_or_bad_token_gets_401_with_challenge(emulator):
    ctx = ssl.create_default_context(cafile=emulator.info["ca_bundle"])
    url = f"{emulator.info['arm']}/subscriptions/{emulator.info['subscription']}/resourceGroups?api-version=2022-09-01"
    for headers, code in (({}, "AuthenticationFailed"),
                          ({"Authorization": "Bearer not-a-jwt"}, "InvalidAuthenticationToken")):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(urllib.request.Request(url, headers=headers), context=ctx)
        assert err.value.code == 401
        assert err.value.headers["WWW-Authenticate"].startswith("Bearer authorization_uri=")
        assert json.loads(err.value.read())["error"]["code"] == code


def test_wrong_secret_is_refused_by_entra(emulator):
    i = emulator.info
    from azure.identity import ClientSecretCredential

    cred = ClientSecretCredential(i["tenant"], i["client_id"], "wrong", authority=i["authority"],
                                  disable_instance_discovery=True, connection_verify=i["ca_bundle"])
    with pytest.raises(ClientAuthenticationError) as err:
        cred.get_token(i["arm"] + "/.default")
    assert "AADSTS7000215" in str(err.value)


def test_msal_requests_only_discovery_and_token(emulator):
    secret_credential(emulator).get_token(emulator.info["arm"] + "/.default")
    paths = [e.path for e in emulator.journal.entries(service="login")]
    tenant = emulator.info["tenant"]
    assert paths == [f"/{tenant}/v2.0/.well-known/openid-configuration", f"/{tenant}/oauth2/v2.0/token"]


def test_ca_bundle_from_requests_ca_bundle_alone(emulator, monkeypatch):
    """No connection_verify anywhere: the CA comes only from REQUESTS_CA_BUNDLE, as a user would set it."""
    from azure.identity import ClientSecretCredential
    from azure.mgmt.imagebuilder import ImageBuilderClient

    i = emulator.info
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", i["ca_bundle"])
    cred = ClientSecretCredential(i["tenant"], i["client_id"], i["client_secret"], authority=i["authority"],
                                  disable_instance_discovery=True)
    client = ImageBuilderClient(cred, i["subscription"], base_url=i["arm"], credential_scopes=[i["arm"] + "/.default"])
    assert list(client.virtual_machine_image_templates.list()) == []
    assert [o.name for o in client.operations.list()][0] == "Microsoft.VirtualMachineImages/imageTemplates/read"


def test_untrusted_without_the_ca(emulator, monkeypatch):
    from azure.core.exceptions import ServiceRequestError
    from azure.identity import ClientSecretCredential

    i = emulator.info
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    cred = ClientSecretCredential(i["tenant"], i["client_id"], i["client_secret"], authority=i["authority"],
                                  disable_instance_discovery=True)
    with pytest.raises((ClientAuthenticationError, ServiceRequestError)):
        cred.get_token(i["arm"] + "/.default")


def test_failed_run_reports_the_log_in_both_forms(emulator):
    """lastRunStatus.message: blob URL + OperationId; the run operation's error: the ARM resource path."""
    import re

    client = aib_client(emulator)
    rg = emulator.info["resource_group"]
    create(emulator, client, "tpl-forms", "customizer-failed")
    poller, raw = _begin_run_response(client, rg, "tpl-forms")
    url = raw.headers["Azure-AsyncOperation"]
    message = wait_terminal(emulator, client, "tpl-forms").properties.last_run_status.message
    blob_url = re.search(r"(https://\S+?/customization\.log)", message).group(1)
    folder = blob_url.split("/")[-2]
    token = secret_credential(emulator).get_token(emulator.info["arm"] + "/.default").token
    ctx = ssl.create_default_context(cafile=emulator.info["ca_bundle"])
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"}), context=ctx) as r:
        doc = json.loads(r.read())
    assert doc["status"] == "Failed" and doc["error"]["code"] == "PackerBuildFailed"
    path = re.search(r"location (/subscriptions/\S+?/customization\.log)", doc["error"]["message"]).group(1)
    assert "/providers/Microsoft.Storage/storageAccounts/" in path and f"/containers/packerlogs/{folder}/" in path
    operation_id = re.search(r"operationId (\S+) ", doc["error"]["message"]).group(1)
    assert operation_id != folder                       # two different GUIDs, as in real messages
    if "OperationId:" in message:
        assert f"OperationId: {operation_id}" in message
    with pytest.raises(HttpResponseError) as err:
        poller.result()
    assert "PackerBuildFailed" in str(err.value)


def test_every_observed_state_is_in_the_sdk_enums(emulator):
    """runState / runSubState / provisioningState values seen while a gallery build runs (docs/sources.md#aib)."""
    from azure.mgmt.imagebuilder.models import ProvisioningState, RunState, RunSubState

    client = aib_client(emulator)
    rg = emulator.info["resource_group"]
    emulator.set_speed(1200)
    client.virtual_machine_image_templates.begin_create_or_update(rg, "tpl-enum", template_body(emulator, "success-gallery"))
    seen_prov, seen_run, seen_sub = set(), set(), set()
    started = False
    for _ in range(400):
        props = client.virtual_machine_image_templates.get(rg, "tpl-enum").properties
        seen_prov.add(props.provisioning_state)
        if props.provisioning_state == "Succeeded" and not started:
            client.virtual_machine_image_templates.begin_run(rg, "tpl-enum")
            started = True
        status = props.last_run_status
        if status is not None:
            seen_run.add(status.run_state)
            seen_sub.add(status.run_sub_state)
            if status.run_state not in ("Running", "Canceling"):
                break
        time.sleep(0.02)
    assert seen_prov <= {e.value for e in ProvisioningState} and "Succeeded" in seen_prov
    assert seen_run <= {e.value for e in RunState} and {"Running", "Succeeded"} <= seen_run
    assert seen_sub <= {e.value for e in RunSubState}
    assert {"Building", "Customizing", "Distributing"} <= seen_sub
