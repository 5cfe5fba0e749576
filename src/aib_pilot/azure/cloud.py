"""Which Azure cloud to talk to: ARM endpoint, Entra ID authority host, token scope, CA bundle.

The three public clouds are known by name; anything else (an Azure Stack hub, or the test emulator)
is a custom ``--arm-endpoint`` plus ``--authority-host``, exactly the knobs a sovereign-cloud user has.
Scopes follow azure-mgmt-core's ``get_arm_endpoints`` (US Government's ARM audience differs from its
ARM host).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import urlparse

from aib_pilot.azure.login_settings import CUSTOM_ENDPOINT_CLOUDS, cloud_name
from aib_pilot.errors import UsageError

KNOWN_CLOUDS: dict[str, tuple[str, str, str]] = {
    # name: (ARM endpoint, authority host, ARM token audience) -- from azure-mgmt-core tools.py and
    # azure-identity's AzureAuthorityHosts.
    "AzureCloud": ("https://management.azure.com/", "https://login.microsoftonline.com/",
                   "https://management.azure.com/"),
    "AzureChinaCloud": ("https://management.chinacloudapi.cn/", "https://login.chinacloudapi.cn/",
                        "https://management.chinacloudapi.cn/"),
    "AzureUSGovernment": ("https://management.usgovcloudapi.net/", "https://login.microsoftonline.us/",
                          "https://management.core.usgovcloudapi.net/"),
}


@dataclass(frozen=True)
class Cloud:
    """Endpoints for one cloud; ``custom`` is true when the user gave the endpoints themselves."""

    name: str
    arm_endpoint: str
    authority_host: str
    audience: str
    custom: bool = False
    ca_bundle: str | None = None

    @property
    def credential_scopes(self) -> list[str]:
        return [self.audience.rstrip("/") + "/.default"]

    def connection_kwargs(self) -> dict:
        """Keyword arguments for every SDK client and credential (custom CA when one is set)."""
        return {"connection_verify": self.ca_bundle} if self.ca_bundle else {}


def _check_url(value: str, what: str, option: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme != "https" or not parsed.netloc:
        raise UsageError(
            f"{option} {value!r} is not an https URL.",
            hint=f"Give the {what} as https://host[:port]/ (Azure only accepts TLS).",
        )
    return value if value.endswith("/") else value + "/"


def resolve_cloud(
    *, cloud: str | None = None, arm_endpoint: str | None = None, authority_host: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Cloud:
    """Pick the cloud from options, then environment fallbacks, then AzureCloud."""
    env = os.environ if env is None else env
    arm_source = "--arm-endpoint" if arm_endpoint else "AIB_PILOT_ARM_ENDPOINT"
    arm_endpoint = arm_endpoint or env.get("AIB_PILOT_ARM_ENDPOINT") or None
    authority_source = "--authority-host" if authority_host else (
        "AZURE_AUTHORITY_HOST" if env.get("AZURE_AUTHORITY_HOST") else "AIB_PILOT_AUTHORITY_HOST")
    authority_host = (
        authority_host or env.get("AZURE_AUTHORITY_HOST") or env.get("AIB_PILOT_AUTHORITY_HOST") or None
    )
    cloud_source = "--cloud" if cloud else "AIB_PILOT_CLOUD"
    cloud = cloud or env.get("AIB_PILOT_CLOUD") or None
    if cloud:  # any case, and azure/login's environment names (azurecloud, azurestack, ...)
        cloud = cloud_name(cloud, cloud_source)
        if cloud in CUSTOM_ENDPOINT_CLOUDS:
            if not arm_endpoint:
                raise UsageError(
                    f"{cloud_source} {cloud} needs the hub's Resource Manager URL.",
                    hint="Add --arm-endpoint https://management.<region>.<fqdn>/ and --authority-host (or "
                    "resourceManagerEndpointUrl and activeDirectoryEndpointUrl in the creds JSON).",
                )
            cloud = None  # a custom cloud: the endpoints say where
    ca_bundle = env.get("REQUESTS_CA_BUNDLE") or None
    if ca_bundle and not os.path.isfile(ca_bundle):
        raise UsageError(
            f"REQUESTS_CA_BUNDLE points to {ca_bundle!r}, which is not a file.",
            hint="Set it to the PEM file of the CA that signs your ARM/Entra endpoints, or unset it.",
        )
    if arm_endpoint:
        arm = _check_url(arm_endpoint, "ARM endpoint", arm_source)
        if cloud and (cloud not in KNOWN_CLOUDS or KNOWN_CLOUDS[cloud][0] != arm):
            # Never ignore a cloud name silently: it either names this endpoint's cloud or conflicts.
            raise UsageError(
                f"{cloud_source} {cloud} and {arm_source} {arm_endpoint} disagree.",
                hint="Give either a known cloud name (AzureCloud, AzureChinaCloud, AzureUSGovernment) or a custom "
                "--arm-endpoint with --authority-host, not both.",
            )
        known = next((c for c in KNOWN_CLOUDS.items() if c[1][0] == arm), None)
        if known and not authority_host:
            return Cloud(known[0], arm, known[1][1], known[1][2], ca_bundle=ca_bundle)
        if not authority_host:
            raise UsageError(
                f"--arm-endpoint {arm} needs an Entra ID authority host too.",
                hint="Add --authority-host https://login.example/ (or set AZURE_AUTHORITY_HOST).",
            )
        authority = _check_url(authority_host, "authority host", authority_source)
        custom = not (known and known[1][1] == authority)
        return Cloud("custom" if custom else known[0], arm, authority, arm, custom=custom, ca_bundle=ca_bundle)
    if authority_host:
        # A custom authority alone would sign in there and then send the token to public ARM
        # (management.azure.com): refuse. A known cloud's own authority host selects that cloud.
        authority = _check_url(authority_host, "authority host", authority_source)
        known = next((c for c, ends in KNOWN_CLOUDS.items() if ends[1] == authority), None)
        if known is None:
            raise UsageError(
                f"{authority_source} {authority_host} needs --arm-endpoint too (a custom cloud needs both).",
                hint="Add --arm-endpoint https://<your Resource Manager host>/ (or set AIB_PILOT_ARM_ENDPOINT), "
                f"or {'drop' if authority_source.startswith('--') else 'unset'} {authority_source} to use "
                f"{cloud or 'AzureCloud'}.",
            )
        if cloud and cloud != known:
            raise UsageError(
                f"--cloud {cloud} and {authority_source} {authority_host} (the {known} authority) disagree.",
                hint=f"Drop one of them (with --cloud {cloud} the authority host is known already).",
            )
        cloud = known
    name = cloud or "AzureCloud"
    if name not in KNOWN_CLOUDS:
        raise UsageError(
            f"Unknown cloud {name!r}.",
            hint=f"Use one of {', '.join(KNOWN_CLOUDS)}, or --arm-endpoint URL --authority-host URL.",
        )
    arm, authority, audience = KNOWN_CLOUDS[name]
    return Cloud(name, arm, authority, audience, ca_bundle=ca_bundle)
