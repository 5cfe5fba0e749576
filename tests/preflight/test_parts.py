"""The pure parts of preflight: role permission matching, scopes, blob URLs, template lines."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from aib_pilot.azure.templates import load_template
from aib_pilot.preflight.checks_files import blob_parts
from aib_pilot.preflight.checks_source import region, security_of
from aib_pilot.preflight.permissions import _is_at_or_above, granted
from aib_pilot.preflight.plan import ResourceId, make_plan
from aib_pilot.preflight.rules import RULES


def perm(actions=(), not_actions=(), data_actions=(), not_data_actions=()):
    return SimpleNamespace(actions=list(actions), not_actions=list(not_actions), data_actions=list(data_actions),
                           not_data_actions=list(not_data_actions))


def test_wildcards_and_not_actions():
    contributor = [perm(["*"], ["Microsoft.Authorization/*/Write", "Microsoft.Authorization/*/Delete"])]
    assert granted(contributor, "Microsoft.Compute/galleries/images/versions/write")
    assert not granted(contributor, "Microsoft.Authorization/roleAssignments/write")
    reader = [perm(["*/read"])]
    assert granted(reader, "Microsoft.Compute/galleries/read")
    assert not granted(reader, "Microsoft.Compute/galleries/images/versions/write")
    assert granted([perm(["microsoft.compute/GALLERIES/*"])], "Microsoft.Compute/galleries/images/read")


def test_data_actions_are_separate_from_actions():
    owner = [perm(["*"])]
    blob = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"
    assert not granted(owner, blob, data=True)    # Owner grants no data actions
    assert granted([perm(data_actions=["Microsoft.Storage/*"])], blob, data=True)
    assert not granted([perm(data_actions=["*"], not_data_actions=[blob])], blob, data=True)


def test_not_actions_only_subtract_within_their_own_block():
    blocks = [perm(["*"], ["Microsoft.Compute/*"]), perm(["Microsoft.Compute/images/read"])]
    assert granted(blocks, "Microsoft.Compute/images/read")


def test_assignments_apply_at_and_above_the_scope_only():
    rg = "/subscriptions/s/resourceGroups/rg-gallery"
    gallery = rg + "/providers/Microsoft.Compute/galleries/g"
    assert _is_at_or_above("/subscriptions/s", gallery)
    assert _is_at_or_above(rg, gallery)
    assert _is_at_or_above(gallery.upper(), gallery)
    assert not _is_at_or_above(gallery + "/images/def", gallery)   # below: grants nothing on the gallery
    assert not _is_at_or_above("/subscriptions/s/resourceGroups/rg-gallery2", gallery)


def test_resource_ids():
    rid = ResourceId.parse("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d/versions/1.0.0")
    assert (rid.name("galleries"), rid.name("images"), rid.name("versions")) == ("g", "d", "1.0.0")
    assert rid.prefix(2) == "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d"
    assert rid.rg_scope == "/subscriptions/s/resourceGroups/rg"
    assert ResourceId.parse("not an id") is None
    assert ResourceId.parse("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries") is None


@pytest.mark.parametrize("url, parts", [
    ("https://acct.blob.core.windows.net/scripts/setup.sh", ("acct", "scripts", "setup.sh")),
    ("https://acct.blob.core.chinacloudapi.cn/c/dir/file.txt?sv=1&sig=x", ("acct", "c", "dir/file.txt")),
    ("https://127.0.0.1:10000/devstoreaccount1/c/b.txt", ("devstoreaccount1", "c", "b.txt")),
    ("https://raw.githubusercontent.com/org/repo/main/setup.sh", None),
    ("https://acct.blob.core.windows.net/only-container", None),
])
def test_blob_urls(url, parts):
    assert blob_parts(url) == parts


def test_security_types_and_regions():
    assert security_of({"hyperVGeneration": "V2", "features": [{"name": "SecurityType", "value": "TrustedLaunch"}]}) == "required"
    assert security_of({"hyperVGeneration": "V2", "features": [{"name": "SecurityType",
                                                               "value": "TrustedLaunchSupported"}]}) == "supported"
    assert security_of({"hyperVGeneration": "V1", "features": [{"name": "SecurityType", "value": "TrustedLaunch"}]}) == "standard"
    assert security_of({"hyperVGeneration": "V2"}) == "standard"
    assert region("East US 2") == region("eastus2") == "eastus2"


def test_plan_lines_in_an_arm_deployment_template(tmp_path):
    doc = {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
           "contentVersion": "1.0.0.0", "parameters": {"size": {"type": "string", "defaultValue": "Standard_D4s_v5"}},
           "resources": [{"type": "Microsoft.VirtualMachineImages/imageTemplates", "apiVersion": "2024-02-01",
                          "name": "t", "location": "eastus",
                          "identity": {"type": "UserAssigned", "userAssignedIdentities": {"/subscriptions/s/resourceGroups/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/i": {}}},
                          "properties": {"vmProfile": {"vmSize": "[parameters('size')]"},
                                         "source": {"type": "PlatformImage", "publisher": "p", "offer": "o", "sku": "s", "version": "latest"},
                                         "customize": [{"type": "File", "sourceUri": "https://a.blob.core.windows.net/c/f", "destination": "/tmp/f"}],
                                         "distribute": [{"type": "ManagedImage", "imageId": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/images/img",
                                                         "location": "eastus", "runOutputName": "o"}]}}]}
    path = tmp_path / "arm.json"
    text = json.dumps(doc, indent=2)
    path.write_text(text)
    plan = make_plan(load_template(str(path)))
    lines = text.splitlines()
    assert plan.vm_size == "Standard_D4s_v5"      # the parameter is resolved as submit resolves it
    assert '"vmSize"' in lines[plan.line("properties", "vmProfile", "vmSize") - 1]
    assert '"sourceUri"' in lines[plan.files[0].line - 1]
    assert '"imageId"' in lines[plan.distributions[0].target_line - 1]
    assert plan.distributions[0].target.name("images") == "img"


def test_rules_are_aib6xx_with_fix_and_reference():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert all(i.startswith("AIB6") for i in ids)
    assert all(r.cause and r.fix and r.reference.startswith("https://") for r in RULES)
