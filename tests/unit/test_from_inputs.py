"""The template written from Azure/build-vm-image's inputs (pure: no Azure)."""

from __future__ import annotations

import io
import tarfile
import zipfile

import pytest

from aib_pilot.azure.payload import pack, payload_name
from aib_pilot.errors import UsageError
from aib_pilot.templating.from_inputs import (FILE_CUSTOMIZER_LIMIT, Payload, artifact_tags, build_template,
                                              read_inputs)

SUB = "11111111-2222-3333-4444-555555555555"
GALLERY_IMAGE = (f"/subscriptions/{SUB}/resourceGroups/rg-g/providers/Microsoft.Compute/galleries/gal/images/web")


def base(**more) -> dict[str, str]:
    values = {"resource-group-name": "rg", "location": "East US 2", "managed-identity": "aib-id",
              "source-os-type": "linux", "source-image": "Canonical:ubuntu-24_04-lts:server:latest"}
    values.update(more)
    return values


def test_platform_image_managed_image_defaults():
    body = build_template(read_inputs(base(**{"customizer-script": "echo one\n\necho two\n"})),
                          subscription=SUB, name="web", run_id="99")
    identity = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib-id"
    assert body["location"] == "eastus2" and body["identity"] == {"type": "UserAssigned",
                                                                  "userAssignedIdentities": {identity: {}}}
    props = body["properties"]
    assert props["source"] == {"type": "PlatformImage", "publisher": "Canonical", "offer": "ubuntu-24_04-lts",
                               "sku": "server", "version": "latest"}
    assert props["buildTimeoutInMinutes"] == 240 and "vmProfile" not in props  # AIB picks the size
    assert props["customize"] == [{"type": "Shell", "name": "customizer-script", "inline": ["echo one", "", "echo two"]}]
    assert props["distribute"] == [{
        "type": "ManagedImage", "location": "eastus2", "runOutputName": "web_99",
        "imageId": f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/images/web_99"}]


def test_gallery_distribution_with_regions_tags_and_gallery_source():
    version = GALLERY_IMAGE + "/versions/1.0.0"
    body = build_template(read_inputs(base(**{
        "source-image-type": "SharedImageGallery", "source-image": version, "dist-type": "SharedImageGallery",
        "dist-resource-id": GALLERY_IMAGE, "dist-location": "westeurope, northeurope", "run-output-name": "out",
        "dist-image-tags": "team:images,env=ci", "vm-size": "Standard_D4s_v5", "build-timeout-in-minutes": "90"})),
        subscription=SUB)
    props = body["properties"]
    assert props["source"] == {"type": "SharedImageVersion", "imageVersionId": version}
    assert props["vmProfile"] == {"vmSize": "Standard_D4s_v5"} and props["buildTimeoutInMinutes"] == 90
    assert props["distribute"] == [{"type": "SharedImage", "galleryImageId": GALLERY_IMAGE, "runOutputName": "out",
                                    "targetRegions": [{"name": "westeurope", "replicaCount": 1},
                                                      {"name": "northeurope", "replicaCount": 1}],
                                    "artifactTags": {"team": "images", "env": "ci"}}]


def test_small_payload_is_a_file_customizer_large_one_a_download_with_the_identity():
    inputs = read_inputs(base(**{"customizer-script": "ls /tmp/app"}))
    small = build_template(inputs, subscription=SUB, payload=Payload("https://a.blob/c/app.tar.gz", 1000, "app"))
    steps = small["properties"]["customize"]
    assert [s["type"] for s in steps] == ["File", "Shell", "Shell"]
    assert steps[0] == {"type": "File", "name": "workspace-files", "sourceUri": "https://a.blob/c/app.tar.gz",
                        "destination": "/tmp/app.tar.gz"}
    assert "vmProfile" not in small["properties"]
    large = build_template(inputs, subscription=SUB,
                           payload=Payload("https://a.blob/c/app.tar.gz", FILE_CUSTOMIZER_LIMIT + 1, "app"))
    steps = large["properties"]["customize"]
    assert [s["type"] for s in steps] == ["Shell", "Shell"]
    script = "\n".join(steps[0]["inline"])
    identity = next(iter(large["identity"]["userAssignedIdentities"]))
    assert f"msi_res_id={identity}" in script and "https://a.blob/c/app.tar.gz" in script and "sig=" not in script
    assert large["properties"]["vmProfile"]["userAssignedIdentities"] == [identity]


def test_windows_zip_unpack_and_windows_update():
    inputs = read_inputs(base(**{"source-os-type": "Windows", "customizer-windows-update": "true",
                                 "customizer-destination": "D:\\apps", "customizer-script": "Write-Host hi"}))
    steps = build_template(inputs, subscription=SUB, payload=Payload("https://a/c/app.zip", 10, "app"))["properties"]["customize"]
    assert [s["type"] for s in steps] == ["File", "PowerShell", "PowerShell", "WindowsUpdate"]
    assert steps[0]["destination"] == "C:\\app.zip"
    assert "Expand-Archive -Path 'C:\\app.zip' -DestinationPath 'D:\\apps' -Force" in steps[1]["inline"]


@pytest.mark.parametrize("change, wrong", [
    ({"source-image": "Canonical:ubuntu"}, "source-image"),
    ({"source-os-type": "macos"}, "source-os-type"),
    ({"source-image-type": "Gallery"}, "source-image-type"),
    ({"source-image-type": "ManagedImage", "source-image": "/subscriptions/x/images/y"}, "source-image"),
    ({"dist-type": "SharedImageGallery"}, "dist-resource-id"),
    ({"dist-type": "Docker"}, "dist-type"),
    ({"build-timeout-in-minutes": "1000"}, "build-timeout-in-minutes"),
    ({"customizer-windows-update": "true"}, "customizer-windows-update"),
    ({"run-output-name": "has space"}, "run-output-name"),
    ({"dist-image-tags": "novalue"}, "dist-image-tags"),
    ({"location": ""}, "location"),
    ({"managed-identity": "/subscriptions/x/whatever"}, "managed-identity"),
])
def test_a_bad_input_is_one_line_naming_it(change, wrong):
    with pytest.raises(UsageError) as err:
        read_inputs(base(**change))
    line = err.value.one_line()
    assert f"input {wrong} " in line and "\n" not in line


def test_microsoft_task_values_map():
    inputs = read_inputs(base(**{"source-os-type": "powershell", "source-image-type": "marketplace",
                                 "source-image": "MicrosoftWindowsDesktop:windows-11:win11-24h2-avd",
                                 "dist-type": "sig", "dist-resource-id": GALLERY_IMAGE}))
    assert inputs.windows and inputs.source_type == "PlatformImage" and inputs.dist_type == "SharedImage"
    assert build_template(inputs, subscription=SUB)["properties"]["source"]["version"] == "latest"
    assert artifact_tags("a:b, c=d:e") == {"a": "b", "c": "d:e"}


def test_pack_folder_as_tar_gz_and_file_as_zip(tmp_path):
    folder = tmp_path / "web.app"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "x.txt").write_text("x")
    (folder / ".hidden").write_text("h")
    packed = pack(folder, windows=False, into=tmp_path / "out")
    assert packed.name == "web" == payload_name(folder) and packed.size == packed.path.stat().st_size
    with tarfile.open(packed.path) as archive:
        assert sorted(archive.getnames()) == [".hidden", "sub", "sub/x.txt"]
    single = pack(folder / "sub" / "x.txt", windows=True, into=tmp_path / "out")
    with zipfile.ZipFile(io.BytesIO(single.path.read_bytes())) as archive:
        assert archive.namelist() == ["x.txt"]


def test_the_source_kind_follows_from_the_value_when_no_type_is_given():
    managed = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/images/base"
    assert build_template(read_inputs(base(**{"source-image": managed})), subscription=SUB)["properties"]["source"] == \
        {"type": "ManagedImage", "imageId": managed}
    version = GALLERY_IMAGE + "/versions/latest"
    assert build_template(read_inputs(base(**{"source-image": version})), subscription=SUB)["properties"]["source"] == \
        {"type": "SharedImageVersion", "imageVersionId": version}


def test_the_microsoft_task_input_names_are_task_json_aliases():
    import json
    from pathlib import Path

    task = json.loads((Path(__file__).resolve().parents[2] / "task.json").read_text())
    aliases = {alias: i["name"] for i in task["inputs"] for alias in i.get("aliases") or []}
    assert {k: aliases.get(k) for k in ("packagePath", "inlineScript", "baseImagePubOfferSku", "managedIdentity",
                                        "distributeType", "galleryImageId", "windowsUpdateProvisioner")} == {
        "packagePath": "customizerSource", "inlineScript": "customizerScript", "baseImagePubOfferSku": "sourceImage",
        "managedIdentity": None, "distributeType": "distType", "galleryImageId": "distResourceId",
        "windowsUpdateProvisioner": "customizerWindowsUpdate"}
    assert "managedIdentity" in {i["name"] for i in task["inputs"]}   # the same name in both tasks
