"""What a build needs to know about the submitted template and the run: OS, customizers, names."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import datetime, timezone

#: Packer provisioner name of each AIB customizer type (what `(telemetry) Starting provisioner` shows).
PACKER_NAMES = {
    "shell": "shell",
    "powershell": "powershell",
    "file": "file",
    "windowsrestart": "windows-restart",
    "windowsupdate": "windows-update",
}

_WINDOWS_TYPES = {"powershell", "windowsrestart", "windowsupdate"}

_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"


def template_properties(template: dict) -> dict:
    """Accept either the ARM resource body (with ``properties``) or the properties themselves."""
    props = template.get("properties") if isinstance(template, dict) else None
    return props if isinstance(props, dict) else (template or {})


def customizer_kind(customizer: dict) -> str:
    return str(customizer.get("type", "")).replace("-", "").lower()


def packer_name(customizer: dict) -> str:
    return PACKER_NAMES.get(customizer_kind(customizer), customizer_kind(customizer) or "shell")


def is_windows(template: dict) -> bool:
    """Windows when a customizer only Windows has, or the source image looks like Windows."""
    props = template_properties(template)
    if any(customizer_kind(c) in _WINDOWS_TYPES for c in props.get("customize") or []):
        return True
    source = props.get("source") or {}
    hay = " ".join(str(source.get(k, "")) for k in ("publisher", "offer", "sku", "imageId",
                                                     "imageVersionId")).lower()
    return "windows" in hay or "/win" in hay


@dataclass
class BuildContext:
    """Everything the phase writers share for one build."""

    template: dict
    operation_id: str
    staging_rg: str
    subscription: str
    rng: random.Random
    windows: bool
    customizers: list[dict]
    distribute: list[dict]
    location: str
    vm_size: str
    start: datetime
    template_name: str
    names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def create(cls, template: dict, *, scenario_name: str, operation_id: str, staging_rg: str,
               subscription: str, start: datetime | None = None) -> "BuildContext":
        props = template_properties(template)
        seed = hashlib.sha256(f"{scenario_name}|{operation_id}".encode()).digest()
        rng = random.Random(int.from_bytes(seed[:8], "big"))
        windows = is_windows(template)
        vm_size = ((props.get("vmProfile") or {}).get("vmSize") or "Standard_D1_v2")
        location = str(template.get("location") or "eastus") if isinstance(template, dict) else "eastus"
        ctx = cls(template=props, operation_id=operation_id, staging_rg=staging_rg,
                  subscription=subscription, rng=rng, windows=windows,
                  customizers=list(props.get("customize") or []),
                  distribute=list(props.get("distribute") or []), location=location,
                  vm_size=vm_size, start=start or datetime(2026, 1, 1, tzinfo=timezone.utc),
                  template_name=str(template.get("name") or "template") if isinstance(template, dict)
                  else "template")
        suffix = "".join(rng.choice(_ALNUM) for _ in range(10))
        for key in ("dp", "vm", "ni", "ip", "vn", "sn", "os", "kv", "ns"):
            ctx.names[key] = "pkr" + key + suffix
        ctx.names["storage"] = "".join(rng.choice(_ALNUM[:26]) for _ in range(20))[:20]
        return ctx

    # -- handy strings ------------------------------------------------------------------------
    @property
    def arm(self) -> str:
        return "https://management.azure.com"

    @property
    def rg_path(self) -> str:
        return f"/subscriptions/{self.subscription}/resourceGroups/{self.staging_rg}"

    def rid(self, provider_type: str, name: str) -> str:
        return f"{self.rg_path}/providers/{provider_type}/{name}"

    def rand_digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def run_output_names(self) -> list[str]:
        return [str(d.get("runOutputName") or f"output{i}") for i, d in enumerate(self.distribute)]
