"""Other template shapes: gallery `latest`, a vnet, a staging group, managed images, generations."""

from __future__ import annotations

from tests.flow.conftest import run_cli
from tests.preflight.conftest import gallery_image, good_template, line_of, load, preflight, rid, write, writes

SUBNET = "rg-network/providers/Microsoft.Network/virtualNetworks/vnet-build/subnets/build"


def test_gallery_latest_vnet_and_staging_group_pass(emulator, world, tmp_path):
    """Roles come from three places: a direct assignment on the gallery (source and target), a
    group's Network Contributor on the vnet's resource group, Contributor on the staging group."""
    load(emulator, world)
    template = good_template(emulator)
    props = template["properties"]
    props["source"] = {"type": "SharedImageVersion", "imageVersionId": gallery_image(emulator, "ubuntu-base", "latest")}
    props["vmProfile"]["vnetConfig"] = {"subnetId": rid(emulator, SUBNET)}
    props["stagingResourceGroup"] = rid(emulator, "rg-staging")
    path = write(tmp_path, template)
    result = preflight(emulator, path)
    assert result.code == 0, result.stdout
    checks = {c["check"]: c for c in result.json["checks"]}
    assert {c["status"] for c in checks.values()} == {"passed"}
    assert "ubuntu-base/1.0.0" in checks["source image"]["detail"]        # latest resolved
    assert "Network Contributor" in checks["role: join the build VM to the subnet"]["detail"]
    assert "Contributor" in checks["role: create the build resources in the staging resource group"]["detail"]
    assert "role: read the source gallery image" in checks
    assert writes(emulator) == []


def test_a_role_below_the_scope_does_not_count(emulator, world, tmp_path):
    """Network Contributor on another vnet grants nothing on this one."""
    for a in world["roleAssignments"]:
        if a["scope"] == "/resourceGroups/rg-network":
            a["scope"] = "/resourceGroups/rg-network/providers/Microsoft.Network/virtualNetworks/other"
    load(emulator, world)
    template = good_template(emulator)
    template["properties"]["vmProfile"]["vnetConfig"] = {"subnetId": rid(emulator, SUBNET)}
    path = write(tmp_path, template)
    result = preflight(emulator, path)
    assert result.code == 2
    [finding] = result.json["findings"]
    assert finding["rule"] == "AIB602" and finding["line"] == line_of(path, '"subnetId"')
    assert "--role \"Network Contributor\"" in finding["fix"]


def test_source_version_not_replicated_to_the_build_region(emulator, world, tmp_path):
    world["usages"]["westus2"] = {"cores": [0, 100], "standardDSv5Family": [0, 50]}
    load(emulator, world)
    template = good_template(emulator)
    template["location"] = "westus2"
    template["properties"]["source"] = {"type": "SharedImageVersion",
                                        "imageVersionId": gallery_image(emulator, "ubuntu-web", "1.0.0")}
    template["properties"]["distribute"][0]["galleryImageId"] = gallery_image(emulator, "ubuntu-base", "2.0.0")
    template["properties"]["customize"] = []
    path = write(tmp_path, template)
    result = preflight(emulator, path)
    assert result.code == 2
    [finding] = [f for f in result.json["findings"] if f["kind"] == "specific"]
    assert finding["rule"] == "AIB606" and "not to the build region westus2" in finding["evidence"][0]["text"]
    assert "--add publishingProfile.targetRegions name=westus2" in finding["fix"]


def test_managed_image_source_in_another_region_and_managed_image_target_taken(emulator, world, tmp_path):
    world["managedImages"].append({"resourceGroup": "rg-images", "name": "golden-west", "location": "westus2",
                                   "hyperVGeneration": "V2", "osType": "Linux"})
    load(emulator, world)
    template = good_template(emulator)
    template["properties"]["source"] = {"type": "ManagedImage",
                                        "imageId": rid(emulator, "rg-images/providers/Microsoft.Compute/images/golden-west")}
    template["properties"]["distribute"] = [{
        "type": "ManagedImage", "runOutputName": "mi", "location": "eastus",
        "imageId": rid(emulator, "rg-images/providers/Microsoft.Compute/images/golden-ubuntu")}]
    path = write(tmp_path, template)
    result = preflight(emulator, path)
    assert result.code == 2
    by_rule = {f["rule"]: f for f in result.json["findings"] if f["kind"] == "specific"}
    assert sorted(by_rule) == ["AIB607", "AIB614"]
    assert by_rule["AIB607"]["line"] == line_of(path, "images/golden-west")
    assert by_rule["AIB614"]["fix"].startswith("az image delete -g rg-images -n golden-ubuntu")


def test_generation_1_source_to_a_generation_2_definition(emulator, world, tmp_path):
    load(emulator, world)
    template = good_template(emulator)
    template["properties"]["source"].update(offer="0001-com-ubuntu-server-jammy", sku="22_04-lts",
                                            version="22.04.202501010")
    path = write(tmp_path, template)
    result = preflight(emulator, path)
    assert result.code == 2
    [finding] = result.json["findings"]
    assert finding["rule"] == "AIB608" and "generation V2" in finding["evidence"][0]["text"]
    assert finding["line"] == line_of(path, "ubuntu-web/versions/1.0.1")


def test_unset_vm_size_checks_the_default_for_the_generation(emulator, world, tmp_path):
    """vmSize "" means Standard_D2ds_v4 for a Gen2 source; its family quota is full here."""
    world["usages"]["eastus"]["standardDDSv4Family"] = [50, 50]
    load(emulator, world)
    template = good_template(emulator)
    del template["properties"]["vmProfile"]["vmSize"]
    path = write(tmp_path, template)
    result = preflight(emulator, path)
    assert result.code == 2
    [finding] = result.json["findings"]
    assert finding["rule"] == "AIB610" and "standardDDSv4Family" in finding["fix"]
    assert finding["line"] == line_of(path, '"vmProfile"')


def test_invalid_target_region(emulator, world, tmp_path):
    load(emulator, world)
    template = good_template(emulator)
    template["properties"]["distribute"][0]["targetRegions"].append({"name": "mars-north"})
    path = write(tmp_path, template)
    result = preflight(emulator, path)
    assert result.code == 2
    [finding] = result.json["findings"]
    assert finding["rule"] == "AIB613" and finding["line"] == line_of(path, "mars-north")


def test_on_conflict_fail_with_an_existing_template(emulator, world, tmp_path):
    load(emulator, world)
    path = write(tmp_path, good_template(emulator))
    rg = emulator.info["resource_group"]
    assert run_cli(emulator, "submit", "--template", str(path), "-g", rg, "--name", "taken", "--no-preflight",
                   *emulator.cli_args()).code == 0
    emulator.journal.clear()
    result = preflight(emulator, path, "--name", "taken", "--on-conflict", "fail")
    assert result.code == 2
    [finding] = result.json["findings"]
    assert finding["rule"] == "AIB616" and "az image builder delete -g aib-pilot-rg -n taken" in finding["fix"]
    assert writes(emulator) == []
