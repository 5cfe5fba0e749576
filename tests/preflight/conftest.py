"""Helpers for the preflight tests: the estate world, a template that passes, and the real CLI.

Every test loads the default world (tests/emulator/worlds/preflight.yaml), changes one thing in it or
in the template, and runs ``aib-pilot preflight`` (or run/submit) in a subprocess against the emulator.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from tests.emulator.estate import read_world_file
from tests.flow.conftest import run_cli

IDENTITY = "rg-images/aib-identity"
PRINCIPAL = "6f0a2f52-8a5e-4c39-9d6b-0c1c2b3a4d51"
WRITES = ("PUT", "POST", "PATCH", "DELETE")


@pytest.fixture
def world():
    """A fresh copy of the default world dict: change it, then ``load(emulator, world)``."""
    return copy.deepcopy(read_world_file())


def load(emulator, doc: dict) -> None:
    emulator.estate.load(doc)
    emulator.journal.clear()


def rid(emulator, rel: str) -> str:
    return f"/subscriptions/{emulator.info['subscription']}/resourceGroups/{rel}"


def gallery_image(emulator, image: str, version: str | None = None) -> str:
    out = rid(emulator, f"rg-gallery/providers/Microsoft.Compute/galleries/galImages/images/{image}")
    return out + (f"/versions/{version}" if version else "")


def good_template(emulator) -> dict:
    """A template every check passes against the default world: platform source (latest), a size
    with quota, a File customizer readable through a group's role, a public script, and a new
    version of a Trusted Launch gallery definition the identity may publish to."""
    identity = rid(emulator, "rg-images/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib-identity")
    return {
        "type": "Microsoft.VirtualMachineImages/imageTemplates",
        "apiVersion": "2024-02-01",
        "location": "eastus",
        "tags": {"team": "images"},
        "identity": {"type": "UserAssigned", "userAssignedIdentities": {identity: {}}},
        "properties": {
            "buildTimeoutInMinutes": 60,
            "vmProfile": {"vmSize": "Standard_D4s_v5", "osDiskSizeGB": 64},
            "source": {"type": "PlatformImage", "publisher": "Canonical", "offer": "ubuntu-24_04-lts",
                       "sku": "server", "version": "latest"},
            "customize": [
                {"type": "File", "name": "motd", "destination": "/tmp/motd",
                 "sourceUri": emulator.estate.blob_url_of("scripts", "scripts/motd.txt")},
                {"type": "Shell", "name": "banner",
                 "scriptUri": emulator.estate.blob_url_of("scripts", "public/banner.txt")},
                {"type": "Shell", "name": "packages", "inline": ["sudo apt-get install -y nginx"]},
            ],
            "distribute": [
                {"type": "SharedImage", "runOutputName": "web",
                 "galleryImageId": gallery_image(emulator, "ubuntu-web", "1.0.1"),
                 "targetRegions": [{"name": "eastus", "replicaCount": 1}, {"name": "westus2"}]},
            ],
        },
    }


def write(tmp_path: Path, template: dict, name: str = "image.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(template, indent=2) + "\n", encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    """The 1-based line of the first occurrence of ``needle`` in the file (found independently of
    aib-pilot's own JSON line reader)."""
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in text:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def preflight(emulator, path: Path, *extra: str, fmt: str = "json"):
    return run_cli(emulator, "preflight", "--template", str(path), "-g", emulator.info["resource_group"],
                   "--format", fmt, *emulator.cli_args(), *extra)


def writes(emulator) -> list:
    """Every write request ARM or blob storage answered (token requests to Entra ID are not writes)."""
    return [(e.service, e.method, e.path) for e in emulator.journal.entries()
            if e.service in ("arm", "blob") and e.method in WRITES]
