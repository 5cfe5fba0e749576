"""An AIB image template (API 2025-10-01) from the inputs of the Azure/build-vm-image action.

The inputs keep that action's names (``source-image``, ``customizer-script``, ``dist-type``, ...)
so a workflow moves over by changing ``uses:``; docs/migrating.md lists where aib-pilot's template
differs from the one that action wrote, and why. Everything here is pure: the workspace payload
(``customizer-source``) is packed and uploaded by :mod:`aib_pilot.azure.payload`, which hands back a
:class:`Payload` for :func:`build_template` to reference.

Template shapes (property names from the imagebuilder 2025-10-01 REST description): source
``PlatformImage`` (publisher/offer/sku/version), ``SharedImageVersion`` (imageVersionId) or
``ManagedImage`` (imageId); distributors ``ManagedImage`` (imageId, location), ``SharedImage``
(galleryImageId, targetRegions) or ``VHD``; each with ``runOutputName`` and ``artifactTags``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from aib_pilot.errors import UsageError

#: The File customizer is only meant for small files; over this size the payload is downloaded by a
#: script step instead (Microsoft's AIB troubleshooting guide, "Long file download time").
FILE_CUSTOMIZER_LIMIT = 20 * 1024 * 1024
#: The REST description's bounds of ``buildTimeoutInMinutes`` (0 means the service default, 240).
MAX_BUILD_TIMEOUT = 960
RUN_OUTPUT_RE = re.compile(r"^[A-Za-z0-9-_.]{1,64}$")
SOURCE_TYPES = {"platformimage": "PlatformImage", "marketplace": "PlatformImage",
                "sharedimagegallery": "SharedImageVersion", "sharedimageversion": "SharedImageVersion",
                "managedimage": "ManagedImage", "sig": "SharedImageVersion"}
DIST_TYPES = {"managedimage": "ManagedImage", "sharedimagegallery": "SharedImage", "sharedimage": "SharedImage",
              "vhd": "VHD", "sig": "SharedImage"}
OS_TYPES = {"linux": "linux", "windows": "windows", "shell": "linux", "powershell": "windows"}
_GALLERY_VERSION_RE = re.compile(r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Compute/"
                                 r"galleries/[^/]+/images/[^/]+/versions/[^/]+$", re.I)
_MANAGED_IMAGE_RE = re.compile(r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Compute/"
                               r"images/[^/]+$", re.I)
_GALLERY_IMAGE_RE = re.compile(r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Compute/"
                               r"galleries/[^/]+/images/[^/]+(/versions/[^/]+)?$", re.I)
_IDENTITY_RE = re.compile(r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.ManagedIdentity/"
                          r"userAssignedIdentities/[^/]+$", re.I)
#: The storage audience a VM's managed identity asks IMDS for (the same in every Azure cloud).
STORAGE_RESOURCE = "https%3A%2F%2Fstorage.azure.com%2F"
IMDS_TOKEN = "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01"
BLOB_API_VERSION = "2020-04-08"  # a blob service version that takes bearer tokens


@dataclass(frozen=True)
class BuildInputs:
    """build-vm-image's inputs, checked. ``source_type``/``dist_type`` hold AIB's type names."""

    resource_group: str
    location: str
    managed_identity: str
    os_type: str
    source_type: str
    source_image: str
    vm_size: str = ""
    build_timeout: int = 240
    customizer_source: str = ""
    customizer_script: str = ""
    customizer_destination: str = ""
    windows_update: bool = False
    dist_type: str = "ManagedImage"
    dist_resource_id: str = ""
    dist_location: str = ""
    run_output_name: str = ""
    dist_image_tags: str = ""

    @property
    def windows(self) -> bool:
        return self.os_type == "windows"


@dataclass(frozen=True)
class Payload:
    """The packed ``customizer-source`` in blob storage: its URL (never with a SAS), size in bytes
    and the base name of the folder or file it came from."""

    url: str
    size: int
    name: str


def _bad(input_name: str, value: str, fix: str) -> UsageError:
    return UsageError(f"input {input_name} is {value!r}: {fix}")


def read_inputs(values: Mapping[str, str]) -> BuildInputs:
    """Check the inputs (keyed by build-vm-image's names); one UsageError naming the first bad one."""
    def get(name: str) -> str:
        return (values.get(name) or "").strip()

    for name, what in (("resource-group-name", "the resource group of the template"),
                       ("location", "the Azure region the build runs in, e.g. eastus"),
                       ("managed-identity", "the user-assigned identity AIB builds with (a name or resource id)"),
                       ("source-os-type", "linux or windows"),
                       ("source-image", "e.g. Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest")):
        if not get(name):
            raise UsageError(f"input {name} is required to build a template from inputs: give {what}.")
    os_type = OS_TYPES.get(get("source-os-type").lower())  # shell/powershell: the Microsoft task's provisioner
    if os_type is None:
        raise _bad("source-os-type", get("source-os-type"), "use linux or windows.")
    source_type = SOURCE_TYPES.get((get("source-image-type") or infer_source_type(get("source-image"))).lower())
    if source_type is None:
        raise _bad("source-image-type", get("source-image-type"), "use PlatformImage, SharedImageGallery or ManagedImage.")
    dist_type = DIST_TYPES.get((get("dist-type") or "ManagedImage").lower())
    if dist_type is None:
        raise _bad("dist-type", get("dist-type"), "use ManagedImage, SharedImageGallery or VHD.")
    timeout_text = get("build-timeout-in-minutes") or "240"
    if not timeout_text.isdigit() or not 0 < int(timeout_text) <= MAX_BUILD_TIMEOUT:
        raise _bad("build-timeout-in-minutes", timeout_text, f"give whole minutes from 1 to {MAX_BUILD_TIMEOUT}.")
    windows_update = (get("customizer-windows-update") or "false").lower()
    if windows_update not in ("true", "false"):
        raise _bad("customizer-windows-update", get("customizer-windows-update"), "use true or false.")
    if windows_update == "true" and os_type != "windows":
        raise UsageError("input customizer-windows-update is true but source-os-type is linux: Windows Update "
                         "only runs on Windows images; remove it or set it to false.")
    if "'" in get("customizer-destination"):
        raise _bad("customizer-destination", get("customizer-destination"), "use a folder path without quotes.")
    run_output = get("run-output-name")
    if run_output and not RUN_OUTPUT_RE.match(run_output):
        raise _bad("run-output-name", run_output, "use 1-64 letters, digits, '-', '_' or '.'.")
    inputs = BuildInputs(
        resource_group=get("resource-group-name"), location=re.sub(r"\s+", "", get("location")).lower(),
        managed_identity=get("managed-identity"), os_type=os_type, source_type=source_type,
        source_image=get("source-image"), vm_size=get("vm-size"), build_timeout=int(timeout_text),
        customizer_source=get("customizer-source"), customizer_script=values.get("customizer-script") or "",
        customizer_destination=get("customizer-destination"), windows_update=windows_update == "true",
        dist_type=dist_type, dist_resource_id=get("dist-resource-id"), dist_location=get("dist-location"),
        run_output_name=run_output, dist_image_tags=get("dist-image-tags"))
    source_of(inputs)          # the source and distribution are checked now, before signing in
    artifact_tags(inputs.dist_image_tags)
    if dist_type == "SharedImage" and not _GALLERY_IMAGE_RE.match(inputs.dist_resource_id):
        raise _bad("dist-resource-id", inputs.dist_resource_id, "for dist-type SharedImageGallery give the gallery "
                   "image definition id (/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Compute/"
                   "galleries/<gallery>/images/<definition>).")
    if dist_type == "ManagedImage" and inputs.dist_resource_id and not _MANAGED_IMAGE_RE.match(inputs.dist_resource_id):
        raise _bad("dist-resource-id", inputs.dist_resource_id, "for dist-type ManagedImage give a managed image id "
                   "(/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Compute/images/<name>) or leave it empty.")
    if inputs.managed_identity.startswith("/") and not _IDENTITY_RE.match(inputs.managed_identity):
        raise _bad("managed-identity", inputs.managed_identity, "give the identity's name or its full resource id "
                   "(/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>).")
    return inputs


def infer_source_type(image: str) -> str:
    """The source kind a ``source-image`` value names when ``source-image-type`` is not given: a
    gallery image version id, a managed image id, else ``publisher:offer:sku[:version]``."""
    if _GALLERY_VERSION_RE.match(image):
        return "SharedImageVersion"
    if _MANAGED_IMAGE_RE.match(image):
        return "ManagedImage"
    return "PlatformImage"


def source_of(inputs: BuildInputs) -> dict:
    """``properties.source`` for ``source-image`` read as ``source-image-type`` says."""
    image = inputs.source_image
    if inputs.source_type == "PlatformImage":
        parts = image.split(":")
        if len(parts) == 3:  # the Microsoft task's baseImagePubOfferSku: the latest version
            parts.append("latest")
        if len(parts) != 4 or not all(p.strip() for p in parts):
            raise _bad("source-image", image, "for a platform image write publisher:offer:sku:version "
                       "(version may be latest).")
        publisher, offer, sku, version = (p.strip() for p in parts)
        return {"type": "PlatformImage", "publisher": publisher, "offer": offer, "sku": sku, "version": version}
    if inputs.source_type == "SharedImageVersion":
        if not _GALLERY_VERSION_RE.match(image):
            raise _bad("source-image", image, "for source-image-type SharedImageGallery give an image version id "
                       "(.../galleries/<gallery>/images/<definition>/versions/<version or latest>).")
        return {"type": "SharedImageVersion", "imageVersionId": image}
    if not _MANAGED_IMAGE_RE.match(image):
        raise _bad("source-image", image, "for source-image-type ManagedImage give a managed image id "
                   "(/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Compute/images/<name>).")
    return {"type": "ManagedImage", "imageId": image}


def artifact_tags(text: str) -> dict[str, str]:
    """``dist-image-tags``: ``key:value`` pairs (build-vm-image's form) or ``key=value``, comma-separated."""
    tags: dict[str, str] = {}
    for item in (p.strip() for p in text.split(",")):
        if not item:
            continue
        key, sep, value = item.partition(":") if ":" in item and ("=" not in item or item.index(":") < item.index("=")) \
            else item.partition("=")
        if not sep or not key.strip():
            raise _bad("dist-image-tags", text, "write key:value pairs separated by commas, e.g. team:images,env:dev.")
        tags[key.strip()] = value.strip()
    return tags


def identity_id(inputs: BuildInputs, subscription: str) -> str:
    """The identity's resource id: given as such, or a name in the template's resource group."""
    if inputs.managed_identity.startswith("/"):
        return inputs.managed_identity
    return (f"/subscriptions/{subscription}/resourceGroups/{inputs.resource_group}/providers/"
            f"Microsoft.ManagedIdentity/userAssignedIdentities/{inputs.managed_identity}")


def unpack_folder(inputs: BuildInputs, payload: Payload) -> str:
    """Where the payload is unpacked in the VM: ``customizer-destination``, else /tmp/<name> or C:\\<name>."""
    if inputs.customizer_destination:
        return inputs.customizer_destination
    return f"C:\\{payload.name}" if inputs.windows else f"/tmp/{payload.name}"


def _script_lines(text: str) -> list[str]:
    lines = text.replace("\r\n", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def payload_steps(inputs: BuildInputs, payload: Payload, identity: str) -> tuple[list[dict], bool]:
    """(customizers that put the payload in the VM, whether the build VM needs the identity).

    Up to :data:`FILE_CUSTOMIZER_LIMIT` a File customizer downloads the archive (AIB fetches it with
    the template identity); over it a script step asks IMDS for a storage token of the identity
    (attached to the build VM through ``vmProfile.userAssignedIdentities``) and downloads it itself.
    No SAS is ever written into the template.
    """
    folder = unpack_folder(inputs, payload)
    token_url = f"{IMDS_TOKEN}&resource={STORAGE_RESOURCE}&msi_res_id={identity}"
    if inputs.windows:
        kind, archive = "PowerShell", f"C:\\{payload.name}.zip"
        unpack = [f"New-Item -ItemType Directory -Force -Path '{folder}' | Out-Null",
                  f"Expand-Archive -Path '{archive}' -DestinationPath '{folder}' -Force",
                  f"Remove-Item -Force '{archive}'"]
        fetch = ["$ProgressPreference = 'SilentlyContinue'",
                 f"$token = (Invoke-RestMethod -UseBasicParsing -Headers @{{Metadata='true'}} -Uri '{token_url}').access_token",
                 f"Invoke-WebRequest -UseBasicParsing -Headers @{{Authorization=\"Bearer $token\"; 'x-ms-version'="
                 f"'{BLOB_API_VERSION}'}} -Uri '{payload.url}' -OutFile '{archive}'"]
    else:
        kind, archive = "Shell", f"/tmp/{payload.name}.tar.gz"
        unpack = [f"sudo mkdir -p '{folder}'", f"sudo tar -xzf '{archive}' -C '{folder}'", f"rm -f '{archive}'"]
        fetch = ["set -eu",
                 f"token=$(curl -sSf -H Metadata:true '{token_url}' "
                 "| sed -n 's/.*\"access_token\": *\"\\([^\"]*\\)\".*/\\1/p')",
                 f"curl -sSfL --retry 5 -H \"Authorization: Bearer $token\" -H 'x-ms-version: {BLOB_API_VERSION}' "
                 f"-o '{archive}' '{payload.url}'"]
    if payload.size <= FILE_CUSTOMIZER_LIMIT:
        return [{"type": "File", "name": "workspace-files", "sourceUri": payload.url, "destination": archive},
                {"type": kind, "name": "unpack-workspace-files", "inline": unpack}], False
    return [{"type": kind, "name": "download-workspace-files", "inline": fetch + unpack}], True


def customizers(inputs: BuildInputs, payload: Payload | None, identity: str) -> tuple[list[dict], bool]:
    """Every customizer the inputs ask for, in order: payload, script, Windows Update."""
    steps, vm_needs_identity = payload_steps(inputs, payload, identity) if payload else ([], False)
    script = _script_lines(inputs.customizer_script)
    if script:
        steps.append({"type": "PowerShell" if inputs.windows else "Shell", "name": "customizer-script",
                      "inline": script})
    if inputs.windows_update:
        steps.append({"type": "WindowsUpdate", "name": "windows-update", "searchCriteria": "IsInstalled=0",
                      "filters": ["exclude:$_.Title -like '*Preview*'", "include:$true"], "updateLimit": 40})
    return steps, vm_needs_identity


def default_run_output_name(base: str, run_id: str) -> str:
    name = re.sub(r"[^A-Za-z0-9-_.]", "-", f"{base}_{run_id}" if run_id else base)
    return name[:64]


def distribution(inputs: BuildInputs, *, subscription: str, base: str, run_id: str) -> dict:
    """``properties.distribute[0]`` for ``dist-type``."""
    run_output = inputs.run_output_name or default_run_output_name(base, run_id)
    tags = artifact_tags(inputs.dist_image_tags)
    if inputs.dist_type == "ManagedImage":
        image = inputs.dist_resource_id or (
            f"/subscriptions/{subscription}/resourceGroups/{inputs.resource_group}/providers/Microsoft.Compute/"
            f"images/{run_output}")
        dist = {"type": "ManagedImage", "imageId": image, "location": inputs.dist_location or inputs.location}
    elif inputs.dist_type == "SharedImage":
        regions = [r.strip().lower() for r in (inputs.dist_location or inputs.location).split(",") if r.strip()]
        dist = {"type": "SharedImage", "galleryImageId": inputs.dist_resource_id,
                "targetRegions": [{"name": r, "replicaCount": 1} for r in regions]}
    else:
        dist = {"type": "VHD"}
    dist["runOutputName"] = run_output
    if tags:
        dist["artifactTags"] = tags
    return dist


def build_template(inputs: BuildInputs, *, subscription: str, name: str = "", payload: Payload | None = None,
                   run_id: str = "") -> dict:
    """The imageTemplate resource (location, identity, tags, properties) the inputs describe.

    ``name`` (the template's name, or empty) also bases the default run output and managed image
    name; ``run_id`` (the CI run) keeps those apart between runs.
    """
    identity = identity_id(inputs, subscription)
    steps, vm_needs_identity = customizers(inputs, payload, identity)
    vm_profile: dict = {}
    if inputs.vm_size:
        vm_profile["vmSize"] = inputs.vm_size
    if vm_needs_identity:
        vm_profile["userAssignedIdentities"] = [identity]
    props: dict = {"buildTimeoutInMinutes": inputs.build_timeout, "source": source_of(inputs)}
    if vm_profile:
        props["vmProfile"] = vm_profile
    if steps:
        props["customize"] = steps
    props["distribute"] = [distribution(inputs, subscription=subscription, base=name or "aib-pilot", run_id=run_id)]
    body = {"location": inputs.location,
            "identity": {"type": "UserAssigned", "userAssignedIdentities": {identity: {}}},
            "properties": props}
    if name:
        body = {"name": name, **body}
    return body
