"""The emulated ARM is as strict as Azure's where a kinder fake would hide product bugs.

* A token for another cloud's ARM is refused (401 InvalidAuthenticationTokenAudience).
* Every list is paged with ``nextLink`` (and ``$top``); the product's own list calls follow it.
* PATCH of a template is a long-running operation (202, Azure-AsyncOperation), as the REST
  description declares; the product's tag update waits for it.
* ``GET …/resourceGroups/{rg}/resources`` is routed.
* Errors quote decoded names, as ARM does.

Sources: docs/emulator.md ("Strictness").
"""
from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request

import pytest
from azure.core.exceptions import HttpResponseError

from aib_pilot.azure.clients import AzureSession
from aib_pilot.azure.cloud import resolve_cloud
from aib_pilot.azure.templates import Templates
from tests.emulator_tests.helpers import aib_client, create, mgmt_client, secret_credential


def _get(emu, path: str, token: str | None = None):
    """A raw GET to the emulated ARM: (status, JSON body)."""
    token = token or secret_credential(emu).get_token(emu.info["arm"] + "/.default").token
    url = path if path.startswith("https://") else emu.info["arm"] + path
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    ctx = ssl.create_default_context(cafile=emu.info["ca_bundle"])
    try:
        with urllib.request.urlopen(req, context=ctx) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def _session(emu) -> AzureSession:
    i = emu.info
    cloud = resolve_cloud(arm_endpoint=i["arm"], authority_host=i["authority"],
                          env={"REQUESTS_CA_BUNDLE": i["ca_bundle"]})
    return AzureSession(cloud=cloud, credential=secret_credential(emu), subscription_id=i["subscription"])


def test_a_token_for_the_public_clouds_arm_is_refused(emulator):
    cred = secret_credential(emulator)
    public = cred.get_token("https://management.azure.com/.default").token   # Entra mints it
    status, body = _get(emulator, f"/subscriptions/{emulator.info['subscription']}?api-version=2022-12-01", public)
    assert status == 401 and body["error"]["code"] == "InvalidAuthenticationTokenAudience"
    assert "management.azure.com" in body["error"]["message"]
    own = cred.get_token(emulator.info["arm"] + "/.default").token
    assert _get(emulator, f"/subscriptions/{emulator.info['subscription']}?api-version=2022-12-01", own)[0] == 200


def test_the_products_custom_cloud_asks_for_the_right_audience(emulator):
    """The product's own session (custom ARM endpoint + authority) is accepted by the strict ARM."""
    assert _session(emulator).cloud.credential_scopes == [emulator.info["arm"] + "/.default"]
    assert Templates(_session(emulator)).list(emulator.info["resource_group"]) == []


def test_lists_are_paged_and_the_sdk_and_product_follow_next_link(emulator):
    rg = emulator.info["resource_group"]
    client = aib_client(emulator)
    names = [f"page-{i}" for i in range(5)]
    for name in names:
        create(emulator, client, name)
    emulator.set_page_size(2)
    emulator.journal.clear()
    listed = Templates(_session(emulator)).list(rg)            # the product's call (monitor --all)
    assert sorted(t["name"] for t in listed) == names
    pages = [e for e in emulator.journal.entries(service="arm", method="GET", path_contains="/imageTemplates")
             if e.path.endswith("/imageTemplates")]      # the list itself, not the creates' last GETs
    assert len(pages) == 3 and [("$skiptoken" in e.query) for e in pages] == [False, True, True], pages
    assert sorted(t.name for t in client.virtual_machine_image_templates.list()) == names

    status, first = _get(emulator, f"/subscriptions/{emulator.info['subscription']}/resourceGroups/{rg}/providers/"
                                   "Microsoft.VirtualMachineImages/imageTemplates?api-version=2025-10-01&$top=1")
    assert status == 200 and len(first["value"]) == 1 and "$top=1" in first["nextLink"]
    seen = [first["value"][0]["name"]]
    link = first["nextLink"]
    while link:
        status, page = _get(emulator, link)
        assert status == 200 and len(page["value"]) == 1
        seen.append(page["value"][0]["name"])
        link = page.get("nextLink")
    assert seen == names


def test_patch_is_a_long_running_operation(emulator):
    rg = emulator.info["resource_group"]
    client = aib_client(emulator)
    create(emulator, client, "patched")
    emulator.set_speed(5)              # the update's 10 simulated seconds last 2 real seconds
    poller = client.virtual_machine_image_templates.begin_update(rg, "patched", {"tags": {"team": "images"}})
    first = emulator.journal.entries(service="arm", method="PATCH")[-1]
    assert first.status == 202
    assert client.virtual_machine_image_templates.get(rg, "patched").properties.provisioning_state == "Updating"
    done = poller.result()
    assert done.tags == {"team": "images"} and done.properties.provisioning_state == "Succeeded"
    # the product's tag update waits for the operation, then the tags are there
    emulator.set_speed(600)
    Templates(_session(emulator)).update_tags(rg, "patched", {"team": "web"})
    assert client.virtual_machine_image_templates.get(rg, "patched").tags == {"team": "web"}


def test_resources_of_a_resource_group_are_listed(emulator):
    from azure.mgmt.resource.resources import ResourceManagementClient

    rg = emulator.info["resource_group"]
    create(emulator, aib_client(emulator), "listed")
    rm = mgmt_client(emulator, ResourceManagementClient)
    found = {(r.type, r.name) for r in rm.resources.list_by_resource_group(rg)}
    assert ("Microsoft.VirtualMachineImages/imageTemplates", "listed") in found
    only = list(rm.resources.list_by_resource_group(
        rg, filter="resourceType eq 'Microsoft.VirtualMachineImages/imageTemplates'"))
    assert [r.name for r in only] == ["listed"]


def test_errors_quote_decoded_names(emulator):
    rg = emulator.info["resource_group"]
    base = f"/subscriptions/{emulator.info['subscription']}/resourceGroups"
    status, body = _get(emulator, f"{base}/{rg}/providers/Microsoft.VirtualMachineImages/imageTemplates/"
                                  "my%20image?api-version=2025-10-01")
    assert status == 400 and "'my image'" in body["error"]["message"] and "%20" not in body["error"]["message"]
    status, body = _get(emulator, f"{base}/no%C3%A9group?api-version=2022-09-01")
    assert status == 404 and "'noégroup'" in body["error"]["message"]
    with pytest.raises(HttpResponseError) as err:
        aib_client(emulator).virtual_machine_image_templates.get(rg, "absent.one")
    assert "absent.one" in str(err.value.message)
