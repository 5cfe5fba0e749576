"""The rest of the ARM surface, driven by azure-mgmt-resource / -storage / -imagebuilder as users would."""
from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.storage import StorageManagementClient
from azure.storage.blob import BlobServiceClient

from tests.emulator_tests.helpers import aib_client, create, secret_credential, template_body, wait_terminal


def _raw(emu, method, path, token=None, body=None):
    """A plain HTTPS call (for api-version and shape checks the SDKs would hide)."""
    ctx = ssl.create_default_context(cafile=emu.info["ca_bundle"])
    token = token or secret_credential(emu).get_token(emu.info["arm"] + "/.default").token
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(emu.info["arm"] + path, data=data, method=method,
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, context=ctx) as resp:
            return resp.status, dict(resp.headers), json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), json.loads(err.read() or b"null")


def _rm(emu, cls, *, with_subscription=True):
    i = emu.info
    kwargs = {"base_url": i["arm"], "credential_scopes": [i["arm"] + "/.default"], "connection_verify": i["ca_bundle"]}
    if not with_subscription:
        return cls(secret_credential(emu), **kwargs)
    return cls(secret_credential(emu), i["subscription"], **kwargs)


@pytest.mark.parametrize("api", ["2020-02-14", "2021-10-01", "2022-02-14", "2022-07-01", "2023-07-01",
                                 "2024-02-01", "2025-10-01"])
def test_every_stable_api_version_is_accepted(emulator, api):
    s = emulator.info["subscription"]
    status, _, body = _raw(emulator, "GET", f"/subscriptions/{s}/providers/Microsoft.VirtualMachineImages/imageTemplates?api-version={api}")
    assert status == 200 and body == {"value": []}


def test_unknown_and_missing_api_version(emulator):
    s = emulator.info["subscription"]
    base = f"/subscriptions/{s}/providers/Microsoft.VirtualMachineImages/imageTemplates"
    status, _, body = _raw(emulator, "GET", base + "?api-version=2099-01-01")
    assert status == 400 and body["error"]["code"] == "NoRegisteredProviderFound"
    assert "'2025-10-01" not in body["error"]["message"] and "2025-10-01" in body["error"]["message"]
    status, _, body = _raw(emulator, "GET", base)
    assert status == 400 and body["error"]["code"] == "MissingApiVersionParameter"
    status, _, body = _raw(emulator, "GET", f"/subscriptions/{s}/resourcegroups?api-version=banana")
    assert status == 400 and body["error"]["code"] == "InvalidApiVersionParameter"


def test_path_keywords_are_case_insensitive(emulator):
    client = aib_client(emulator)
    create(emulator, client, "tpl-case")
    s, rg = emulator.info["subscription"], emulator.info["resource_group"]
    status, headers, body = _raw(emulator, "GET", f"/SUBSCRIPTIONS/{s}/RESOURCEGROUPS/{rg.upper()}/PROVIDERS/"
                                 "microsoft.virtualmachineimages/IMAGETEMPLATES/TPL-CASE?api-version=2025-10-01")
    assert status == 200 and body["name"] == "tpl-case"
    assert int(headers["x-ms-ratelimit-remaining-subscription-reads"]) >= 0


def test_scope_with_trailing_slash_before_default(emulator):
    i = emulator.info
    client = aib_client(emulator)
    client_slash = type(client)(secret_credential(emulator), i["subscription"], base_url=i["arm"] + "/",
                                credential_scopes=[i["arm"] + "//.default"], connection_verify=i["ca_bundle"])
    assert list(client_slash.virtual_machine_image_templates.list()) == []


def test_subscriptions_wire_shape(emulator):
    i = emulator.info
    status, _, body = _raw(emulator, "GET", "/subscriptions?api-version=2022-12-01")
    assert status == 200 and [s["subscriptionId"] for s in body["value"]] == [i["subscription"]]
    assert body["value"][0]["tenantId"] == i["tenant"]
    status, _, body = _raw(emulator, "GET", f"/subscriptions/{i['subscription']}?api-version=2022-12-01")
    assert status == 200 and body["state"] == "Enabled"


def test_subscriptions_with_the_sdk(emulator):
    # azure-mgmt-resource 26 moved SubscriptionClient to the azure-mgmt-resource-subscriptions package.
    subscriptions = pytest.importorskip("azure.mgmt.resource.subscriptions")
    client = _rm(emulator, subscriptions.SubscriptionClient, with_subscription=False)
    assert [x.subscription_id for x in client.subscriptions.list()] == [emulator.info["subscription"]]
    assert client.subscriptions.get(emulator.info["subscription"]).state == "Enabled"


def test_resource_groups_and_providers(emulator):
    i = emulator.info
    rm = _rm(emulator, ResourceManagementClient)
    provider = rm.providers.get("Microsoft.VirtualMachineImages")
    assert provider.registration_state == "Registered"
    assert "2025-10-01" in next(t for t in provider.resource_types if t.resource_type == "imageTemplates").api_versions
    assert rm.resource_groups.get(i["resource_group"]).location == i["location"]
    assert rm.resource_groups.check_existence(i["resource_group"]) is True
    assert rm.resource_groups.check_existence("nope") is False
    rm.resource_groups.create_or_update("scratch-rg", {"location": "eastus"})
    assert {g.name for g in rm.resource_groups.list()} >= {i["resource_group"], "scratch-rg"}
    rm.resource_groups.begin_delete("scratch-rg").result()
    assert rm.resource_groups.check_existence("scratch-rg") is False


def test_metadata_endpoints_unauthenticated(emulator):
    ctx = ssl.create_default_context(cafile=emulator.info["ca_bundle"])
    with urllib.request.urlopen(emulator.info["arm"] + "/metadata/endpoints?api-version=2022-09-01", context=ctx) as r:
        clouds = json.loads(r.read())
    assert clouds[0]["resourceManager"] == emulator.info["arm"] + "/"
    assert clouds[0]["authentication"]["loginEndpoint"].startswith(emulator.info["authority"])


def test_staging_storage_account_keys_and_log_blob(emulator):
    i = emulator.info
    client = aib_client(emulator)
    create(emulator, client, "tpl-stg", "customizer-failed")
    client.virtual_machine_image_templates.begin_run(i["resource_group"], "tpl-stg")
    tpl = wait_terminal(emulator, client, "tpl-stg")
    staging = tpl.properties.exact_staging_resource_group.split("/")[-1]
    storage = _rm(emulator, StorageManagementClient)
    accounts = list(storage.storage_accounts.list_by_resource_group(staging))
    assert len(accounts) == 1
    acct = storage.storage_accounts.get_properties(staging, accounts[0].name)
    assert acct.primary_endpoints.blob == f"{i['blob']}/{acct.name}/"
    keys = storage.storage_accounts.list_keys(staging, acct.name).keys_property
    assert [k.key_name for k in keys] == ["key1", "key2"]
    svc = BlobServiceClient(acct.primary_endpoints.blob, credential={"account_name": acct.name, "account_key": keys[0].value},
                            connection_verify=i["ca_bundle"])
    names = [b.name for b in svc.get_container_client("packerlogs").list_blobs()]
    assert len(names) == 1 and names[0].endswith("/customization.log")
    props = svc.get_blob_client("packerlogs", names[0]).get_blob_properties()
    assert props.blob_type == "AppendBlob"
    assert names[0].split("/")[0] in tpl.properties.last_run_status.message     # the run GUID folder
    # staging group and its log stay after a failed build (the build VM is what errorHandling cleans)
    rm = _rm(emulator, ResourceManagementClient)
    assert rm.resource_groups.check_existence(staging) is True
    client.virtual_machine_image_templates.begin_delete(i["resource_group"], "tpl-stg").result()
    assert rm.resource_groups.check_existence(staging) is False


def test_list_patch_tags_and_run_outputs(emulator):
    i = emulator.info
    rg, sub = i["resource_group"], i["subscription"]
    client = aib_client(emulator)
    gallery = f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute/galleries/g/images/def"
    distribute = [
        {"type": "ManagedImage", "runOutputName": "mi", "location": "eastus",
         "imageId": f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute/images/img"},
        {"type": "SharedImage", "runOutputName": "sig", "galleryImageId": gallery,
         "targetRegions": [{"name": "eastus", "replicaCount": 1}], "versioning": {"scheme": "Latest", "major": 2}},
        {"type": "VHD", "runOutputName": "vhd"}]
    create(emulator, client, "tpl-out", distribute=distribute)
    assert [t.name for t in client.virtual_machine_image_templates.list_by_resource_group(rg)] == ["tpl-out"]
    assert [t.name for t in client.virtual_machine_image_templates.list()] == ["tpl-out"]
    updated = client.virtual_machine_image_templates.begin_update(rg, "tpl-out", {"tags": {"team": "x"}}).result()
    assert updated.tags == {"team": "x"}
    client.virtual_machine_image_templates.begin_run(rg, "tpl-out")
    wait_terminal(emulator, client, "tpl-out")
    outs = {o.name: o for o in client.virtual_machine_image_templates.list_run_outputs(rg, "tpl-out")}
    assert outs["mi"].properties.artifact_id.endswith("/images/img")
    assert outs["sig"].properties.artifact_id.startswith(gallery + "/versions/2.0.")
    assert outs["vhd"].properties.artifact_uri.startswith(i["blob"]) and outs["vhd"].properties.artifact_uri.endswith(".vhd")
    one = client.virtual_machine_image_templates.get_run_output(rg, "tpl-out", "sig")
    assert one.type == "Microsoft.VirtualMachineImages/imageTemplates/runOutputs"
    with pytest.raises(ResourceNotFoundError):
        client.virtual_machine_image_templates.get_run_output(rg, "tpl-out", "nope")


def test_cancel_goes_through_canceling_to_canceled(emulator):
    rg = emulator.info["resource_group"]
    client = aib_client(emulator)
    create(emulator, client, "tpl-cancel")
    emulator.set_speed(60)
    client.virtual_machine_image_templates.begin_run(rg, "tpl-cancel")
    client.virtual_machine_image_templates.begin_cancel(rg, "tpl-cancel")
    state = client.virtual_machine_image_templates.get(rg, "tpl-cancel").properties.last_run_status.run_state
    assert state == "Canceling"
    with pytest.raises(HttpResponseError) as err:
        client.virtual_machine_image_templates.begin_delete(rg, "tpl-cancel")
    assert err.value.status_code == 409
    emulator.set_speed(6000)
    assert wait_terminal(emulator, client, "tpl-cancel").properties.last_run_status.run_state == "Canceled"


@pytest.mark.parametrize("change, code", [
    (lambda b: b["properties"]["source"].update(type="Marketplace"), "BadSourceType"),
    (lambda b: b["properties"]["customize"].append({"type": "Ansible"}), "BadCustomizerType"),
    (lambda b: b["properties"]["customize"].append({"type": "Shell", "name": "empty"}), "NoCustomizerScript"),
    (lambda b: b["properties"]["distribute"][0].update(type="Blob"), "BadDistributeType"),
    (lambda b: b["properties"].update(stagingResourceGroup="/subscriptions/other/resourceGroups/x"), "BadStagingResourceGroup"),
])
def test_validation_errors_use_real_provisioning_error_codes(emulator, change, code):
    rg = emulator.info["resource_group"]
    client = aib_client(emulator)
    body = template_body(emulator)
    change(body)
    poller = client.virtual_machine_image_templates.begin_create_or_update(rg, "tpl-bad", body)
    with pytest.raises(HttpResponseError) as err:
        poller.result()
    assert code in str(err.value)
    tpl = client.virtual_machine_image_templates.get(rg, "tpl-bad")
    assert tpl.properties.provisioning_state == "Failed"
    assert tpl.properties.provisioning_error.provisioning_error_code == code
    with pytest.raises(HttpResponseError) as err:
        client.virtual_machine_image_templates.begin_run(rg, "tpl-bad")
    assert err.value.status_code == 409


def test_unknown_scenario_lists_the_known_ones(emulator):
    client = aib_client(emulator)
    with pytest.raises(HttpResponseError) as err:
        client.virtual_machine_image_templates.begin_create_or_update(
            emulator.info["resource_group"], "tpl-x", template_body(emulator, "no-such-scenario"))
    assert err.value.status_code == 400
    assert "customizer-failed" in err.value.message and "success" in err.value.message


def test_user_staging_resource_group_is_used_and_kept(emulator):
    i = emulator.info
    rm = _rm(emulator, ResourceManagementClient)
    rm.resource_groups.create_or_update("my-staging", {"location": "eastus"})
    client = aib_client(emulator)
    staging_id = f"/subscriptions/{i['subscription']}/resourceGroups/my-staging"
    tpl = create(emulator, client, "tpl-own", stagingResourceGroup=staging_id)
    assert tpl.properties.exact_staging_resource_group == staging_id
    client.virtual_machine_image_templates.begin_delete(i["resource_group"], "tpl-own").result()
    assert rm.resource_groups.check_existence("my-staging") is True
    storage = _rm(emulator, StorageManagementClient)
    assert list(storage.storage_accounts.list_by_resource_group("my-staging")) == []


def test_unregistered_provider_until_registered(emulator):
    emulator.faults.unregistered_providers.add("Microsoft.VirtualMachineImages")
    rm = _rm(emulator, ResourceManagementClient)
    assert rm.providers.get("Microsoft.VirtualMachineImages").registration_state == "NotRegistered"
    client = aib_client(emulator)
    with pytest.raises(HttpResponseError) as err:
        client.virtual_machine_image_templates.begin_create_or_update(
            emulator.info["resource_group"], "tpl-unreg", template_body(emulator))
    assert err.value.status_code == 409 and err.value.error.code == "MissingSubscriptionRegistration"
    assert rm.providers.register("Microsoft.VirtualMachineImages").registration_state == "Registered"
    assert create(emulator, client, "tpl-unreg").properties.provisioning_state == "Succeeded"


def test_triggers_crud(emulator):
    rg = emulator.info["resource_group"]
    client = aib_client(emulator)
    create(emulator, client, "tpl-trig")
    trig = client.triggers.begin_create_or_update(rg, "tpl-trig", "on-new-source",
                                                  {"properties": {"kind": "SourceImage"}}).result()
    assert trig.properties.kind == "SourceImage" and trig.properties.provisioning_state == "Succeeded"
    assert [t.name for t in client.triggers.list_by_image_template(rg, "tpl-trig")] == ["on-new-source"]
    assert client.triggers.get(rg, "tpl-trig", "on-new-source").properties.status.code == "Healthy"
    client.triggers.begin_delete(rg, "tpl-trig", "on-new-source").result()
    with pytest.raises(ResourceNotFoundError):
        client.triggers.get(rg, "tpl-trig", "on-new-source")
    with pytest.raises(HttpResponseError) as err:
        client.triggers.begin_create_or_update(rg, "tpl-trig", "bad", {"properties": {"kind": "Schedule"}})
    assert err.value.status_code == 400


def test_user_staging_group_must_be_empty_and_in_region(emulator):
    i = emulator.info
    rm = _rm(emulator, ResourceManagementClient)
    rm.resource_groups.create_or_update("far-staging", {"location": "westeurope"})
    client = aib_client(emulator)
    tpl = create(emulator, client, "tpl-far",
                 stagingResourceGroup=f"/subscriptions/{i['subscription']}/resourceGroups/far-staging")
    assert tpl.properties.provisioning_error.provisioning_error_code == "BadStagingResourceGroup"
    tpl = create(emulator, client, "tpl-home",
                 stagingResourceGroup=f"/subscriptions/{i['subscription']}/resourceGroups/{i['resource_group']}")
    assert tpl.properties.provisioning_error.provisioning_error_code == "BadStagingResourceGroup"
