"""Image templates: load the user's JSON, name it, and create/run/get/cancel/delete it via the SDK.

AIB templates are immutable: a second PUT of an existing name fails with "Conflict: Update/Upgrade
of image templates is currently not supported" (docs/sources.md#aib-immutable). So names are derived from the template's content (``<base>-<hash>``): a rerun
of the same template finds the same name and attaches to it or runs it again instead of PUTting,
and a changed template gets a new name.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aib_pilot.errors import UsageError

RESOURCE_TYPE = "microsoft.virtualmachineimages/imagetemplates"
NAME_RE = re.compile(r"^[A-Za-z0-9-_.]{1,64}$")  # imageTemplateName pattern in the REST spec
# Fields the service sets; sending them back is pointless (and some API versions reject them).
_READ_ONLY = ("provisioningState", "provisioningError", "lastRunStatus", "exactStagingResourceGroup")
_TOP_LEVEL = ("location", "identity", "tags", "properties")
_EXPR = re.compile(r"^\[\s*(parameters|variables)\(\s*'([^']+)'\s*\)\s*\]$")
RUNNING_STATES = ("Running", "Canceling")


@dataclass
class LoadedTemplate:
    """The imageTemplate resource body to PUT, plus where it came from."""

    body: dict[str, Any]
    path: str
    declared_name: str | None = None  # the name in the file, when it is a literal
    needs_rg_location: bool = False  # location was [resourceGroup().location]
    warnings: list[str] = field(default_factory=list)
    # Provenance tags added to each distributor's artifactTags at submit (templating/provenance.py).
    provenance: dict[str, str] = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        """Names the content: the body, plus the repository and commit it is built from when
        provenance is on (a new commit gets a new template; a retried job of the same commit finds
        and attaches to the same one, since the run URL is left out)."""
        from aib_pilot.templating.provenance import STABLE

        content = {k: self.body.get(k) for k in ("location", "identity", "properties")}
        stable = {k: self.provenance[k] for k in STABLE if k in self.provenance}
        if stable:
            content["provenance"] = stable
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:10]

    @property
    def scenario_tags(self) -> dict[str, str]:
        return dict(self.body.get("tags") or {})


def _resolve(value: Any, params: dict, variables: dict, where: str) -> Any:
    """Resolve the simple ARM expressions ``[parameters('x')]`` / ``[variables('x')]``."""
    if isinstance(value, dict):
        return {k: _resolve(v, params, variables, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, params, variables, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, str) and value.startswith("[") and not value.startswith("[["):
        match = _EXPR.match(value)
        if not match:
            raise UsageError(
                f"{where} uses the ARM expression {value!r}, which aib-pilot cannot evaluate.",
                hint="Replace it with a literal value, or deploy the ARM template with 'az deployment group create' "
                "and then use 'aib-pilot monitor'.",
            )
        kind, key = match.groups()
        table = params if kind == "parameters" else variables
        if key not in table:
            raise UsageError(f"{where} refers to {kind}('{key}'), which has no {'defaultValue' if kind == 'parameters' else 'value'}.",
                             hint=f"Pass --parameters {key}=VALUE, or give it a defaultValue in the template." if kind == "parameters"
                             else f"Give variables '{key}' a literal value in the template.")
        return _resolve(table[key], params, variables, f"{kind}('{key}')")
    if isinstance(value, str) and value.startswith("[["):
        return value[1:]  # ARM escape for a literal leading '['
    return value


def _from_arm_deployment(doc: dict, path: str) -> tuple[dict, str | None, bool]:
    resources = [r for r in doc.get("resources") or [] if isinstance(r, dict)
                 and str(r.get("type", "")).lower() == RESOURCE_TYPE]
    if not resources:
        raise UsageError(
            f"{path} is an ARM deployment template but holds no Microsoft.VirtualMachineImages/imageTemplates "
            "resource.",
            hint="Pass the file that declares the image template (or the imageTemplate resource JSON itself).",
        )
    if len(resources) != 1:
        raise UsageError(
            f"{path} is an ARM deployment template with {len(resources)} "
            "Microsoft.VirtualMachineImages/imageTemplates resources; aib-pilot needs exactly one.",
            hint="Split the file, or pass the imageTemplate resource JSON itself.",
        )
    params = {k: (v or {}).get("defaultValue") for k, v in (doc.get("parameters") or {}).items()
              if isinstance(v, dict) and "defaultValue" in v}
    variables = dict(doc.get("variables") or {})
    resource = resources[0]
    needs_location = False
    location = resource.get("location")
    if isinstance(location, str) and re.fullmatch(r"\[\s*resourceGroup\(\)\.location\s*\]", location):
        needs_location = True
        resource = dict(resource, location=None)
    resolved = _resolve({k: resource.get(k) for k in (*_TOP_LEVEL, "name")}, params, variables, "resources[0]")
    name = resolved.pop("name", None)
    return resolved, name if isinstance(name, str) else None, needs_location


def read_template_text(path: str) -> str:
    """The template file's text, or one UsageError naming the mistake (directory, missing, empty,
    binary / not UTF-8). Wording matches ``aib_pilot.diagnosis.template_map.load_template`` (lint,
    diagnose --template) so every command says the same thing about the same file."""
    if os.path.isdir(path):
        raise UsageError(f"template {path} is a directory.", hint="Pass the template JSON file.")
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise UsageError(f"template file {path} does not exist.", hint="Check the --template path.") from None
    except OSError as exc:
        raise UsageError(f"cannot read template file {path}: {exc.strerror or exc}.",
                         hint="Check the file's permissions.") from None
    if not data.strip():
        raise UsageError(f"template {path} is empty.", hint="Pass the image template JSON file.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UsageError(f"template {path} is UTF-16 text, not UTF-8.",
                         hint="Save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:
        raise UsageError(f"template {path} is not text (binary, or not UTF-8).",
                         hint="Pass the image template JSON file, saved as UTF-8.")
    return text


def load_template(path: str | Path, parameters: dict | None = None) -> LoadedTemplate:
    """Read an imageTemplate resource JSON, or an ARM deployment template holding exactly one.

    ``parameters`` (from ``--parameters``, see templating/edits.py) replace the ARM template's
    parameter defaults before its ``[parameters('x')]`` expressions are resolved.

    Parsed by the same reader as ``lint`` (``diagnosis.template_map.parse_with_lines``: JSON plus
    the // and /* */ comments ARM tooling allows), so both accept and refuse the same files.
    """
    from aib_pilot.diagnosis.template_map import parse_with_lines

    path = str(path)
    text = read_template_text(path)
    try:
        doc, _lines = parse_with_lines(text)
    except (ValueError, RecursionError) as exc:
        raise UsageError(f"template {path} is not valid JSON ({exc}).",
                         hint="Fix the JSON syntax (trailing commas are not allowed); "
                         f"'aib-pilot lint {path}' reads it the same way.") from None
    if not isinstance(doc, dict):
        raise UsageError(f"{path} must hold a JSON object.", hint="Give an imageTemplate resource JSON.")
    needs_location = False
    if "resources" in doc and "properties" not in doc:
        if parameters:
            from aib_pilot.templating.edits import apply_parameters

            doc = apply_parameters(doc, parameters, path)
        body, name, needs_location = _from_arm_deployment(doc, path)
    elif parameters:
        raise UsageError(f"--parameters applies to ARM deployment templates, and {path} is an imageTemplate "
                         "resource JSON without parameters.",
                         hint="Change its values with --set PATH=VALUE instead (e.g. --set properties.source.version=1.2.3).")
    else:
        body = {k: doc[k] for k in _TOP_LEVEL if k in doc}
        name = doc.get("name") if isinstance(doc.get("name"), str) else None
    props = body.get("properties")
    if not isinstance(props, dict):
        raise UsageError(f"{path} has no 'properties' object.",
                         hint="An imageTemplate needs properties.source, properties.customize and properties.distribute.")
    body["properties"] = {k: v for k, v in props.items() if k not in _READ_ONLY}
    if not body.get("location") and not needs_location:
        raise UsageError(f"{path} has no 'location'.", hint="Add \"location\": \"<region>\" (e.g. westeurope).")
    if name and (name.startswith("[") or not NAME_RE.match(name)):
        name = None
    body = {k: v for k, v in body.items() if v is not None or k == "location"}
    return LoadedTemplate(body, path, name, needs_location)


def choose_name(template: LoadedTemplate, *, name: str | None, prefix: str | None) -> str:
    """``--name`` wins; else ``<prefix or declared name or file stem>-<content hash>``."""
    if name:
        return check_name(name)
    base = prefix or template.declared_name or Path(template.path).stem
    base = re.sub(r"[^A-Za-z0-9-_.]", "-", base).strip("-.") or "aib"
    suffix = "-" + template.content_hash
    return base[: 64 - len(suffix)] + suffix


def check_name(name: str, source: str = "--name") -> str:
    """``name`` if Azure accepts it as an image template name, else one UsageError (exit 2)."""
    if not NAME_RE.match(name):
        raise UsageError(f"{source} {name!r} is not a valid image template name.",
                         hint="Use 1-64 letters, digits, '-', '_' or '.'.")
    return name


def parse_tag(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise UsageError(f"--tag {text!r} is not KEY=VALUE.", hint="Write it like --tag team=images.")
    return key.strip(), value.strip()


def run_state(template: dict) -> tuple[str | None, str | None]:
    status = (template.get("properties") or {}).get("lastRunStatus") or {}
    return status.get("runState"), status.get("runSubState")


def is_running(template: dict) -> bool:
    return run_state(template)[0] in RUNNING_STATES


def as_json(model: Any) -> dict:
    """SDK 2.0 models are mappings; give the REST (camelCase) JSON shape."""
    if model is None:
        return {}
    if hasattr(model, "as_dict"):
        return model.as_dict()
    return dict(model)


class Templates:
    """Image template operations for one subscription (thin over ImageBuilderClient)."""

    def __init__(self, session):
        self.session = session

    @property
    def _ops(self):
        return self.session.imagebuilder.virtual_machine_image_templates

    def get(self, resource_group: str, name: str) -> dict:
        return as_json(self._ops.get(resource_group, name))

    def find(self, resource_group: str, name: str) -> dict | None:
        from azure.core.exceptions import ResourceNotFoundError

        try:
            return self.get(resource_group, name)
        except ResourceNotFoundError:
            return None

    def list(self, resource_group: str | None = None) -> list[dict]:
        pages = self._ops.list_by_resource_group(resource_group) if resource_group else self._ops.list()
        return [as_json(t) for t in pages]

    def create(self, resource_group: str, name: str, body: dict) -> dict:
        """PUT the template and wait for provisioning (seconds; validation happens here)."""
        return as_json(self._ops.begin_create_or_update(resource_group, name, body).result())

    def update_tags(self, resource_group: str, name: str, tags: dict) -> None:
        self._ops.begin_update(resource_group, name, {"tags": tags}).result()

    def start_run(self, resource_group: str, name: str) -> None:
        """POST /run and return at once: the run LRO spans the whole build, so we never wait on it.

        We read progress from ``lastRunStatus`` instead (GET template), which also survives a
        process restart without keeping the poller's continuation token.
        """
        self._ops.begin_run(resource_group, name)

    def cancel(self, resource_group: str, name: str, *, wait: bool = False) -> None:
        poller = self._ops.begin_cancel(resource_group, name)
        if wait:
            poller.result()

    def delete(self, resource_group: str, name: str) -> None:
        """DELETE and wait for the Location LRO: a PUT of the same name right after must not race it."""
        self._ops.begin_delete(resource_group, name).result()
