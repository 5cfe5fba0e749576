"""Sample image templates (ARM resource bodies) the tests and the demo submit to the emulator.

``linux_template()`` and ``windows_template()`` carry every customizer type their OS supports,
so every scenario finds the customizer it fails in.
"""

from __future__ import annotations

import copy

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
IDENTITY = (f"/subscriptions/{SUBSCRIPTION}/resourceGroups/aib-identity/providers/"
            "Microsoft.ManagedIdentity/userAssignedIdentities/aib-builder")
GALLERY_IMAGE = (f"/subscriptions/{SUBSCRIPTION}/resourceGroups/aib-images/providers/"
                 "Microsoft.Compute/galleries/aibGallery/images/{image}")

_LINUX = {
    "location": "eastus",
    "tags": {"aib-emulator-scenario": "success"},
    "identity": {"type": "UserAssigned", "userAssignedIdentities": {IDENTITY: {}}},
    "properties": {
        "vmProfile": {"vmSize": "Standard_D2s_v3", "osDiskSizeGB": 30},
        "source": {"type": "PlatformImage", "publisher": "Canonical",
                   "offer": "0001-com-ubuntu-server-jammy", "sku": "22_04-lts-gen2",
                   "version": "latest"},
        "customize": [
            {"type": "Shell", "name": "update-and-install-nginx",
             "inline": ["echo 'Installing web server'",
                        "sudo apt-get update",
                        "sudo apt-get install -y nginx",
                        "sudo systemctl enable nginx"]},
            {"type": "File", "name": "index-page",
             "sourceUri": "https://raw.githubusercontent.com/contoso/aib-assets/main/index.html",
             "destination": "/tmp/index.html"},
            {"type": "Shell", "name": "publish-page",
             "inline": ["sudo cp /tmp/index.html /var/www/html/index.html",
                        "echo 'Page published'",
                        "sudo ufw allow OpenSSH",
                        "sudo ufw allow 'Nginx HTTP'",
                        "sudo ufw --force enable"]},
        ],
        "distribute": [
            {"type": "ManagedImage", "runOutputName": "ubuntu-managed",
             "imageId": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/aib-images/providers/Microsoft.Compute/images/ubuntu-web",
             "location": "eastus"},
        ],
    },
}

_WINDOWS = {
    "location": "eastus",
    "tags": {"aib-emulator-scenario": "success"},
    "identity": {"type": "UserAssigned", "userAssignedIdentities": {IDENTITY: {}}},
    "properties": {
        "vmProfile": {"vmSize": "Standard_D4s_v3"},
        "source": {"type": "PlatformImage", "publisher": "MicrosoftWindowsServer",
                   "offer": "WindowsServer", "sku": "2022-datacenter-azure-edition",
                   "version": "latest"},
        "customize": [
            {"type": "PowerShell", "name": "prepare-folders", "runElevated": True,
             "inline": ["New-Item -Path C:\\buildArtifacts -ItemType Directory",
                        "Write-Host 'Folders ready'"]},
            {"type": "File", "name": "app-config",
             "sourceUri": "https://raw.githubusercontent.com/contoso/aib-assets/main/app.config",
             "destination": "C:\\buildArtifacts\\app.config"},
            {"type": "WindowsRestart", "name": "restart-after-setup", "restartTimeout": "10m"},
            {"type": "PowerShell", "name": "install-iis",
             "inline": ["Install-WindowsFeature -Name Web-Server -IncludeManagementTools",
                        "Write-Output 'IIS installed'",
                        "Set-NetFirewallProfile -Profile Domain,Public,Private -Enabled True"]},
            {"type": "WindowsUpdate", "name": "patch",
             "searchCriteria": "IsInstalled=0", "filters": ["include:$true"], "updateLimit": 20},
            {"type": "WindowsRestart", "name": "final-restart"},
        ],
        "distribute": [
            {"type": "ManagedImage", "runOutputName": "win2022-managed",
             "imageId": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/aib-images/providers/Microsoft.Compute/images/win2022-iis",
             "location": "eastus"},
        ],
    },
}

_GALLERY = {"type": "SharedImage", "runOutputName": "{os}-gallery",
            "galleryImageId": "", "versioning": {"scheme": "Latest", "major": 1},
            "targetRegions": [{"name": "eastus", "replicaCount": 1},
                              {"name": "westus2", "replicaCount": 2,
                               "storageAccountType": "Standard_ZRS"}]}


def linux_template(scenario: str = "success", *, distribute: str = "ManagedImage") -> dict:
    """A Linux (Ubuntu) template tagged with ``scenario``.

    ``distribute``: ManagedImage | SharedImage | VHD | ManagedImage+SharedImage.
    """
    return _with(_LINUX, scenario, distribute, "ubuntu2204")


def windows_template(scenario: str = "success", *, distribute: str = "ManagedImage") -> dict:
    """A Windows Server 2022 template tagged with ``scenario``."""
    return _with(_WINDOWS, scenario, distribute, "win2022")


def _with(base: dict, scenario: str, distribute: str, image: str) -> dict:
    t = copy.deepcopy(base)
    t["tags"]["aib-emulator-scenario"] = scenario
    if "SharedImage" in distribute:
        d = copy.deepcopy(_GALLERY)
        d["runOutputName"] = f"{image}-gallery"
        d["galleryImageId"] = GALLERY_IMAGE.format(image=image)
        if distribute == "SharedImage":
            t["properties"]["distribute"] = [d]
        else:  # "ManagedImage+SharedImage"
            t["properties"]["distribute"].append(d)
    elif distribute == "VHD":
        t["properties"]["distribute"] = [{"type": "VHD", "runOutputName": f"{image}-vhd"}]
    return t


def template_for(scenario_name: str, os_name: str | None = None) -> dict:
    """The sample template a scenario is best shown with (gallery scenarios get a gallery target).

    ``os_name`` "linux" or "windows"; None picks the scenario's own (Windows-only ones: windows).
    """
    from .catalogue import SAMPLE_DISTRIBUTE, sample_os

    os_name = os_name or sample_os(scenario_name)
    distribute = SAMPLE_DISTRIBUTE.get(scenario_name, "ManagedImage")
    make = windows_template if os_name == "windows" else linux_template
    template = make(scenario_name, distribute=distribute)
    tweak = _TWEAKS.get(scenario_name)
    if tweak:
        tweak(template["properties"], os_name)
    return template


def _no_restart_after_updates(props: dict, os_name: str) -> None:
    """The cause of a slow first logon: updates are the last step, with no restart after them."""
    custs = props["customize"]
    while custs and custs[-1]["type"] == "WindowsRestart":
        custs.pop()


def _default_vm_size(props: dict, os_name: str) -> None:
    """No vmSize: AIB's small default build VM, the guide's condition for these failures."""
    props.pop("vmProfile", None)


def _big_file(props: dict, os_name: str) -> None:
    """The File customizer fetches a large archive (the guide's myBigFile.zip)."""
    for c in props["customize"]:
        if c["type"] == "File":
            c["sourceUri"] = "https://aibartifacts.blob.core.windows.net/media/myBigFile.zip"
            c["destination"] = "C:\\buildArtifacts\\myBigFile.zip" if os_name == "windows" else "/tmp/myBigFile.zip"
            c["name"] = "big-archive"
            return


def _file_source(uri: str):
    def tweak(props: dict, os_name: str) -> None:
        for c in props["customize"]:
            if c["type"] == "File":
                c["sourceUri"] = uri
                return
    return tweak


_TWEAKS = {
    # a blob in an account whose anonymous access is disabled, referenced without SAS or identity
    "storage-public-access-blocked": _file_source("https://aibartifacts.blob.core.windows.net/config/app-settings.json"),
    # a mistyped path
    "file-download-failed": _file_source("https://raw.githubusercontent.com/contoso/aib-assets/main/indx.html"),
    "windows-logon-slow": _no_restart_after_updates,
    "vm-resources-exhausted": _default_vm_size,
    "windows-update-low-resources": _default_vm_size,
    "sysprep-timing": _default_vm_size,
    "large-file-customizer": _big_file,
}
