"""azure/login's conventions: ``creds`` (the AZURE_CREDENTIALS JSON), ``environment`` names and the
OIDC ``audience``, next to aib-pilot's own names (``--subscription``, ``--cloud``).

What azure/login accepts (its action.yml and src/common/LoginConfig.ts, see docs/sources.md#azure-login):

* ``environment``: azurecloud, azureusgovernment, azurechinacloud, azurestack, azuregermancloud,
  compared in lower case. Azure Stack takes its Resource Manager URL from the creds'
  ``resourceManagerEndpointUrl``.
* ``creds``: JSON with ``clientId``, ``clientSecret``, ``tenantId`` and ``subscriptionId`` (the
  output of ``az ad sp create-for-rbac --sdk-auth``, which also carries endpoint URLs). The plain
  ``az ad sp create-for-rbac`` output names them ``appId``, ``password`` and ``tenant``; both are read.
* ``audience``: the audience of the GitHub OIDC token, default ``api://AzureADTokenExchange``.

Nothing here ever puts a value of the creds into a message: the JSON holds a secret, and a typo'd
key could hold one too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Mapping

from aib_pilot.errors import UsageError

DEFAULT_AUDIENCE = "api://AzureADTokenExchange"

#: azure/login's environment names (lower case) -> aib-pilot's cloud names (azure/cloud.py).
ENVIRONMENTS = {
    "azurecloud": "AzureCloud",
    "azureusgovernment": "AzureUSGovernment",
    "azurechinacloud": "AzureChinaCloud",
    "azurestack": "AzureStack",
    "azuregermancloud": "AzureGermanCloud",
}
RETIRED = {"AzureGermanCloud": "Microsoft Cloud Deutschland closed on 29 October 2021; its workloads "
                               "moved to AzureCloud (Germany regions)"}
CUSTOM_ENDPOINT_CLOUDS = ("AzureStack",)  # need --arm-endpoint (or resourceManagerEndpointUrl in creds)

# Key spellings in the creds JSON: the --sdk-auth output first, then plain create-for-rbac output.
_KEYS = {
    "client_id": ("clientId", "appId"),
    "client_secret": ("clientSecret", "password"),
    "tenant_id": ("tenantId", "tenant"),
    "subscription_id": ("subscriptionId",),
    "arm_endpoint": ("resourceManagerEndpointUrl",),
    "authority_host": ("activeDirectoryEndpointUrl",),
}
SECRET_KEYS = ("clientSecret", "password")


def accepted_environments() -> str:
    return ", ".join(key for key, name in ENVIRONMENTS.items() if name not in RETIRED)


def cloud_name(value: str, source: str) -> str:
    """The cloud that ``value`` names, in any case (AzureCloud, azurecloud, AZURECLOUD ...)."""
    key = value.strip().lower()
    name = ENVIRONMENTS.get(key)
    if name is None:
        raise UsageError(f"Unknown cloud {value.strip()!r} ({source}).",
                         hint=f"Use one of {accepted_environments()} (any case), or give --arm-endpoint and "
                         "--authority-host for a private cloud.")
    if name in RETIRED:
        raise UsageError(f"{source} {value.strip()!r} can no longer be used: {RETIRED[name]}.",
                         hint="Use azurecloud.")
    return name


@dataclass(frozen=True)
class Creds:
    """What an AZURE_CREDENTIALS JSON holds (any field may be empty)."""

    client_id: str = ""
    client_secret: str = ""
    tenant_id: str = ""
    subscription_id: str = ""
    arm_endpoint: str = ""
    authority_host: str = ""


def parse_creds(text: str, source: str) -> Creds:
    """Read the creds JSON; a problem is one line that never quotes the text."""
    fix = ("Store the output of 'az ad sp create-for-rbac --sdk-auth' (or a JSON object with clientId, "
           "clientSecret, tenantId and subscriptionId) as a secret and pass that secret.")
    try:
        doc = json.loads(text)
    except ValueError as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if hasattr(exc, "lineno") else ""
        raise UsageError(f"{source} is not valid JSON{where}.", hint=fix) from None
    if not isinstance(doc, dict):
        raise UsageError(f"{source} is JSON but not an object.", hint=fix)
    values = {}
    for field, keys in _KEYS.items():
        found = next((doc[k] for k in keys if isinstance(doc.get(k), str) and doc[k].strip()), "")
        values[field] = found.strip()
    missing = [keys[0] for field, keys in _KEYS.items()
               if field in ("client_id", "client_secret", "tenant_id") and not values[field]]
    if missing:
        raise UsageError(f"{source} lacks {', '.join(missing)}.", hint=fix)
    return Creds(**values)


def creds_secrets(text: str) -> list[str]:
    """The secret values inside a creds JSON (for masking), or [] when ``text`` is not one."""
    if not text or not text.lstrip().startswith("{"):
        return []
    try:
        doc = json.loads(text)
    except ValueError:
        return []
    if not isinstance(doc, dict):
        return []
    return [str(doc[k]) for k in SECRET_KEYS if isinstance(doc.get(k), str) and doc[k]]


def credential_env(creds: Creds, env: Mapping[str, str], source: str) -> dict[str, str]:
    """The azure-identity variables the creds stand for, to lay over ``env``.

    A variable already set to another value means two sign-ins were given (e.g. ``client-id`` and
    creds of another app): refused, naming both and no value.
    """
    overlay = {"AZURE_CLIENT_ID": creds.client_id, "AZURE_TENANT_ID": creds.tenant_id,
               "AZURE_CLIENT_SECRET": creds.client_secret}
    for name, value in overlay.items():
        present = (env.get(name) or "").strip()
        if present and present != value:
            raise UsageError(f"{name} and the {creds_field(name)} in {source} differ.",
                             hint=f"Give the service principal once: either {source} or {name} "
                             "(client-id / tenant-id / client-secret), not both.")
    return overlay


def creds_field(variable: str) -> str:
    return {"AZURE_CLIENT_ID": "clientId", "AZURE_TENANT_ID": "tenantId",
            "AZURE_CLIENT_SECRET": "clientSecret"}[variable]


def one_of(values: list[tuple[str, str | None]], what: str) -> tuple[str | None, str | None]:
    """(value, the name it came from) of several spellings of one setting; two that differ -> one line.

    ``values`` is [(name, value)]; empty values count as not given.
    """
    given = [(name, str(v).strip()) for name, v in values if v not in (None, "") and str(v).strip()]
    if not given:
        return None, None
    first_name, first = given[0]
    for name, value in given[1:]:
        if value.lower() != first.lower():
            raise UsageError(f"{first_name} {first!r} and {name} {value!r} both set the {what} and differ.",
                             hint=f"Keep one of them ({name} is the other name of {first_name}).")
    return first, first_name


#: Where the creds JSON is read from when --creds is not given (the action/task puts it there).
CREDS_VARIABLE = "AIB_PILOT_CREDS"
AUDIENCE_VARIABLE = "AIB_PILOT_OIDC_AUDIENCE"


@dataclass
class Login:
    """The sign-in settings after merging both naming conventions and the creds JSON."""

    env: dict
    subscription: str | None
    cloud: str | None
    arm_endpoint: str | None
    authority_host: str | None


def read_creds(args, env: Mapping[str, str]) -> tuple[Creds | None, str]:
    """(creds, how to name them in messages) from ``--creds VARIABLE``, else AIB_PILOT_CREDS."""
    variable = (getattr(args, "creds", None) or "").strip()
    if variable:
        if variable.lstrip().startswith(("{", "[", '"')):
            # The JSON itself on the command line: every local process can read argv. Never echo it.
            raise UsageError("--creds takes the NAME of an environment variable holding the credentials JSON, "
                             "not the JSON itself (a command line is visible to every process on the machine).",
                             hint="Export it, e.g. AZURE_CREDENTIALS='{...}', and pass --creds AZURE_CREDENTIALS.")
        text = env.get(variable)
        if not (text or "").strip():
            raise UsageError(f"--creds {variable}: that environment variable is not set or empty.",
                             hint=f"Set {variable} to the credentials JSON (e.g. from a CI secret).")
        return parse_creds(text, f"{variable} (--creds)"), f"{variable} (--creds)"
    text = env.get(CREDS_VARIABLE, "")
    if text.strip():
        return parse_creds(text, "creds"), "creds"
    return None, ""


def resolve_login(args, env: Mapping[str, str]) -> Login:
    """Both conventions merged: --subscription/--subscription-id, --cloud/--environment, the creds."""
    creds, source = read_creds(args, env)
    merged = dict(env)
    if creds is not None:
        merged.update(credential_env(creds, env, source))
    subscription, _ = one_of([("--subscription", getattr(args, "subscription", None)),
                              ("--subscription-id", getattr(args, "subscription_id", None))], "subscription")
    if subscription is None and creds is not None and creds.subscription_id:
        subscription = creds.subscription_id
    names = []
    for option in ("cloud", "environment"):
        value = getattr(args, option, None)
        if value not in (None, "") and str(value).strip():
            names.append((f"--{option}", cloud_name(str(value), f"--{option}")))
    cloud, _ = one_of(names, "cloud")
    arm = getattr(args, "arm_endpoint", None)
    authority = getattr(args, "authority_host", None)
    if cloud in CUSTOM_ENDPOINT_CLOUDS and creds is not None:  # azure/login reads Azure Stack's URL from creds
        arm = arm or creds.arm_endpoint or None
        authority = authority or creds.authority_host or None
    audience = (getattr(args, "audience", None) or "").strip()
    if audience:
        merged[AUDIENCE_VARIABLE] = audience
    return Login(merged, subscription, cloud, arm, authority)
