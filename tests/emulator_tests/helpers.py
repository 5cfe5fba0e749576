"""Clients built only from the knobs a real user has (endpoint, authority, CA bundle)."""
from __future__ import annotations

from azure.identity import ClientSecretCredential
from azure.mgmt.imagebuilder import ImageBuilderClient


def secret_credential(emu, **kwargs) -> ClientSecretCredential:
    i = emu.info
    return ClientSecretCredential(i["tenant"], i["client_id"], i["client_secret"], authority=i["authority"],
                                  disable_instance_discovery=True, connection_verify=i["ca_bundle"], **kwargs)


def aib_client(emu, credential=None, **kwargs) -> ImageBuilderClient:
    i = emu.info
    return ImageBuilderClient(credential or secret_credential(emu), i["subscription"], base_url=i["arm"],
                              credential_scopes=[i["arm"] + "/.default"], connection_verify=i["ca_bundle"],
                              **kwargs)


def template_body(emu, scenario: str = "success", *, customize=None, distribute=None, **props) -> dict:
    i = emu.info
    sub = i["subscription"]
    body = {
        "location": i["location"],
        "tags": {"aib-emulator-scenario": scenario},
        "identity": {"type": "UserAssigned", "userAssignedIdentities": {i["identity_id"]: {}}},
        "properties": {
            "source": {"type": "PlatformImage", "publisher": "Canonical", "offer": "0001-com-ubuntu-server-jammy",
                       "sku": "22_04-lts-gen2", "version": "latest"},
            "customize": customize if customize is not None else [
                {"type": "Shell", "name": "install-nginx", "inline": ["sudo apt-get install -y nginx"]}],
            "distribute": distribute if distribute is not None else [
                {"type": "ManagedImage", "runOutputName": "managed-out", "location": i["location"],
                 "imageId": f"/subscriptions/{sub}/resourceGroups/{i['resource_group']}/providers/"
                            "Microsoft.Compute/images/aib-pilot-image"}],
            **props,
        },
    }
    return body


def create(emu, client, name: str, scenario: str = "success", *, wait_poller: bool = False, **kw):
    """PUT a template and wait until its provisioningState is terminal.

    By default this polls GET instead of sleeping on the poller's Retry-After (>= 1 s on the wire).
    """
    rg = emu.info["resource_group"]
    poller = client.virtual_machine_image_templates.begin_create_or_update(rg, name, template_body(emu, scenario, **kw))
    if wait_poller:
        return poller.result()
    result = {}

    def done():
        result["tpl"] = client.virtual_machine_image_templates.get(rg, name)
        return result["tpl"].properties.provisioning_state in ("Succeeded", "Failed")

    assert emu.wait_until(done, timeout=10, interval=0.02)
    return result["tpl"]


def wait_terminal(emu, client, name: str, timeout: float = 20.0):
    """Poll GET until lastRunStatus.runState is terminal; returns the template."""
    result = {}

    def done():
        tpl = client.virtual_machine_image_templates.get(emu.info["resource_group"], name)
        result["tpl"] = tpl
        status = tpl.properties.last_run_status
        return status is not None and status.run_state not in ("Running", "Canceling")

    assert emu.wait_until(done, timeout=timeout, interval=0.05), "build did not finish in time"
    return result["tpl"]


def mgmt_client(emu, cls):
    """Any azure-mgmt-* client class (subscription-scoped) pointed at the emulator."""
    i = emu.info
    return cls(secret_credential(emu), i["subscription"], base_url=i["arm"],
               credential_scopes=[i["arm"] + "/.default"], connection_verify=i["ca_bundle"])
