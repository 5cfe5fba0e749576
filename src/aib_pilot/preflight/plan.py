"""What a template asks of Azure, read once: location, identity, source, VM size, vnet, customizer
files and distribution targets, each with the template line it sits on.

The body comes from ``azure.templates.load_template`` (ARM parameters/variables resolved, as
``submit`` sends it); lines come from the same line-recording JSON reader ``lint`` uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aib_pilot.azure.templates import LoadedTemplate, read_template_text
from aib_pilot.diagnosis.template_map import IMAGE_TEMPLATE_TYPE, parse_with_lines

# vmProfile.vmSize "" -> Standard_D1_v2 for Gen1 images, Standard_D2ds_v4 for Gen2 (imagebuilder REST spec).
DEFAULT_SIZE = {"V1": "Standard_D1_v2", "V2": "Standard_D2ds_v4"}
PROXY_VM_SIZE = "Standard_A1_v2"   # vnetConfig.proxyVmSize "" (REST spec)

_RESOURCE_ID = re.compile(r"^/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)/providers/"
                          r"(?P<ns>[^/]+)/(?P<rest>.+)$", re.I)


@dataclass(frozen=True)
class ResourceId:
    """An ARM resource ID split into subscription, resource group, namespace and type/name pairs."""

    text: str
    sub: str
    rg: str
    namespace: str
    parts: tuple   # ((type, name), ...) e.g. (("galleries", "g"), ("images", "def"))

    @classmethod
    def parse(cls, text) -> "ResourceId | None":
        m = _RESOURCE_ID.match(str(text or "").strip())
        if not m:
            return None
        bits = m["rest"].strip("/").split("/")
        if len(bits) % 2:
            return None
        pairs = tuple((bits[i], bits[i + 1]) for i in range(0, len(bits), 2))
        return cls(str(text).strip(), m["sub"], m["rg"], m["ns"], pairs)

    def name(self, rtype: str) -> str | None:
        return next((n for t, n in self.parts if t.lower() == rtype.lower()), None)

    def prefix(self, depth: int) -> str:
        """The ID of the ancestor with ``depth`` type/name pairs (1: the top-level resource)."""
        tail = "/".join(f"{t}/{n}" for t, n in self.parts[:depth])
        return f"/subscriptions/{self.sub}/resourceGroups/{self.rg}/providers/{self.namespace}/{tail}"

    @property
    def rg_scope(self) -> str:
        return f"/subscriptions/{self.sub}/resourceGroups/{self.rg}"


@dataclass
class FileRef:
    """A customizer's file URI (File sourceUri, Shell/PowerShell scriptUri)."""

    uri: str
    line: int | None
    label: str


@dataclass
class Distribution:
    kind: str                    # SharedImage | ManagedImage | VHD
    index: int
    line: int | None
    target: ResourceId | None     # galleryImageId / imageId
    raw_target: str
    target_line: int | None
    regions: list = field(default_factory=list)    # [(name, line)]
    location: str | None = None


@dataclass
class Plan:
    path: str
    body: dict
    location: str | None
    lines: dict                 # JSON path (from the imageTemplate resource) -> line
    identities: list            # [(ResourceId | None, raw text)]
    source: dict
    vm_size: str                # "" when unset
    subnet: ResourceId | None
    staging_rg: str | None
    files: list                 # [FileRef]
    distributions: list         # [Distribution]

    def line(self, *path) -> int | None:
        """The line of ``path`` below the resource (e.g. ("properties", "source", "imageId")), else the
        nearest ancestor's line."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())


def _resource_root(doc) -> tuple:
    if isinstance(doc, dict) and isinstance(doc.get("resources"), list) and "properties" not in doc:
        for i, r in enumerate(doc["resources"]):
            if isinstance(r, dict) and str(r.get("type", "")).lower() == IMAGE_TEMPLATE_TYPE:
                return ("resources", i)
    return ()


def make_plan(template: LoadedTemplate) -> Plan:
    """The plan of checks' inputs for a template ``submit`` would send."""
    doc, raw_lines = parse_with_lines(read_template_text(template.path))
    root = _resource_root(doc)
    lines = {k[len(root):]: v for k, v in raw_lines.items() if k[:len(root)] == root}
    body = template.body
    props = body.get("properties") or {}
    ident = (body.get("identity") or {}).get("userAssignedIdentities") or {}
    identities = [(ResourceId.parse(k), k) for k in (ident if isinstance(ident, dict) else {})]
    vm = props.get("vmProfile") or {}
    subnet = ResourceId.parse(((vm.get("vnetConfig") or {}).get("subnetId")))
    staging = props.get("stagingResourceGroup") or None
    files = []
    for i, c in enumerate(props.get("customize") or []):
        if not isinstance(c, dict):
            continue
        for key in ("sourceUri", "scriptUri"):
            if c.get(key):
                label = f"customize[{i}]" + (f" ({c['name']})" if c.get("name") else "") + f".{key}"
                files.append(FileRef(str(c[key]), lines.get(("properties", "customize", i, key)), label))
    dists = []
    for i, d in enumerate(props.get("distribute") or []):
        if not isinstance(d, dict):
            continue
        kind = str(d.get("type", ""))
        key = "galleryImageId" if kind.lower() == "sharedimage" else "imageId"
        raw = str(d.get(key) or "")
        regions = []
        for j, r in enumerate(d.get("targetRegions") or []):
            if isinstance(r, dict) and r.get("name"):
                regions.append((str(r["name"]), lines.get(("properties", "distribute", i, "targetRegions", j, "name"))))
        for j, r in enumerate(d.get("replicationRegions") or []):
            regions.append((str(r), lines.get(("properties", "distribute", i, "replicationRegions", j))))
        dists.append(Distribution(kind, i, lines.get(("properties", "distribute", i)), ResourceId.parse(raw), raw,
                                  lines.get(("properties", "distribute", i, key)), regions, d.get("location")))
    return Plan(template.path, body, body.get("location"), lines, identities, dict(props.get("source") or {}),
                str(vm.get("vmSize") or ""), subnet, staging, files, dists)
