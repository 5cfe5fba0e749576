"""Check requests to GitHub's REST API against GitHub's own OpenAPI description (2022-11-28).

The request/response schemas and the prose rules GitHub states in that description (limits,
timestamp format, headers) are not kept in this repository. CI provides them beside the checkout,
at ``../shared/reference/github-rest-schemas`` from the repository root (``index.json`` names each
endpoint's request and response schema files; ``rules.json`` holds the prose rules with the
sentence each comes from). ``AIB_GITHUB_SCHEMAS`` may point elsewhere. When they are absent,
:func:`load` returns None and the callers skip with a message saying so.

The schemas are OpenAPI 3.0 Schema Objects; :func:`to_json_schema` turns the OpenAPI-only keywords
(``nullable``, ``discriminator``, ``example``) into JSON Schema so ``jsonschema`` can check them.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_LOCATION = REPO.parent / "shared" / "reference" / "github-rest-schemas"
WHERE = "../shared/reference/github-rest-schemas (or AIB_GITHUB_SCHEMAS)"


def location() -> Path:
    return Path(os.environ.get("AIB_GITHUB_SCHEMAS") or DEFAULT_LOCATION)


def to_json_schema(node):
    """OpenAPI 3.0 Schema Object -> JSON Schema (draft 2020-12) for the keywords GitHub uses."""
    if isinstance(node, list):
        return [to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: to_json_schema(v) for k, v in node.items()
           if k not in ("nullable", "discriminator", "example", "examples", "xml", "externalDocs")}
    if node.get("nullable"):
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
        elif "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        if "type" not in out and "enum" not in out:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


@dataclass
class Endpoint:
    method: str
    path: str
    pattern: re.Pattern
    parameters: list
    request: dict | None
    responses: dict = field(default_factory=dict)


class GitHubSchemas:
    """The endpoints of the description that aib-pilot uses, with a checker for each request."""

    def __init__(self, folder: Path):
        from jsonschema import Draft202012Validator, FormatChecker

        self._validator, self._formats = Draft202012Validator, FormatChecker()
        index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
        self.rules = {k: v["value"] for k, v in json.loads((folder / "rules.json").read_text(encoding="utf-8")).items()
                      if isinstance(v, dict) and "value" in v}
        self.endpoints: list[Endpoint] = []
        for item in index["endpoints"]:
            regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(item["path"]))
            request = item.get("request")
            responses = {}
            for status, spec in (item.get("responses") or {}).items():
                if spec and spec.get("schema"):
                    responses[status] = to_json_schema(json.loads((folder / spec["schema"]).read_text(encoding="utf-8")))
            self.endpoints.append(Endpoint(
                item["method"], item["path"], re.compile(regex + "$"), item.get("parameters") or [],
                to_json_schema(json.loads((folder / request).read_text(encoding="utf-8"))) if request else None,
                responses))

    def endpoint(self, method: str, path: str) -> Endpoint | None:
        return next((e for e in self.endpoints if e.method == method and e.pattern.match(path)), None)

    def _schema_errors(self, schema: dict, value, what: str) -> list[str]:
        validator = self._validator(schema, format_checker=self._formats)
        return [f"{what}: {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:200]}"
                for e in validator.iter_errors(value)]

    def check_request(self, method: str, path: str, query: dict[str, list[str]], body, headers) -> list[str]:
        """Every way this request departs from GitHub's description (empty when it conforms)."""
        endpoint = self.endpoint(method, path)
        if endpoint is None:
            return [f"{method} {path}: not an endpoint aib-pilot is known to use"]
        problems = []
        problems += self._check_headers(headers)
        known = {p["name"]: p for p in endpoint.parameters if p.get("in") == "query"}
        for name, values in query.items():
            if name not in known:
                problems.append(f"query parameter {name!r} is not defined for {method} {endpoint.path}")
                continue
            schema = dict(to_json_schema(known[name].get("schema") or {}))
            for value in values:
                typed = int(value) if schema.get("type") == "integer" and value.lstrip("-").isdigit() else value
                problems += self._schema_errors(schema, typed, f"query {name}")
        if "per_page" in query and int(query["per_page"][0]) > self.rules.get("per_page_max", 100):
            problems.append("per_page is above GitHub's maximum")
        if endpoint.request is None:
            if body is not None:
                problems.append(f"{method} {endpoint.path} takes no body")
            return problems
        problems += self._schema_errors(endpoint.request, body, "body")
        if isinstance(body, dict):
            problems += self._check_check_run_rules(body)
        return problems

    def check_response(self, method: str, path: str, status: int, payload) -> list[str]:
        endpoint = self.endpoint(method, path)
        schema = endpoint.responses.get(str(status)) if endpoint else None
        return self._schema_errors(schema, payload, f"response {status}") if schema else []

    def _check_headers(self, headers) -> list[str]:
        problems = []
        accept = headers.get("Accept") or ""
        if self.rules.get("accept") and accept != self.rules["accept"]:
            problems.append(f"Accept header {accept!r} is not {self.rules['accept']!r}")
        version = headers.get("X-GitHub-Api-Version")
        if version not in self.rules.get("api_versions", [version]):
            problems.append(f"X-GitHub-Api-Version {version!r} is not one GitHub describes")
        scheme = (headers.get("Authorization") or "").split(" ", 1)[0]
        if scheme not in self.rules.get("authorization_schemes", [scheme]):
            problems.append(f"Authorization scheme {scheme!r} is not one GitHub accepts")
        if self.rules.get("user_agent_required") and not headers.get("User-Agent"):
            problems.append("no User-Agent header")
        return problems

    def _check_check_run_rules(self, body: dict) -> list[str]:
        """The rules GitHub's description states in prose for check-run bodies."""
        problems = []
        stamp = re.compile(self.rules.get("timestamp_format", r".*"))
        for key in ("started_at", "completed_at"):
            if key in body and not stamp.fullmatch(str(body[key])):
                problems.append(f"{key} {body[key]!r} is not YYYY-MM-DDTHH:MM:SSZ")
        if ("completed_at" in body or body.get("status") == "completed") and "conclusion" not in body:
            problems.append("conclusion is required with completed_at or status completed")
        if body.get("status") in self.rules.get("status_reserved_for_actions", []):
            problems.append(f"status {body['status']!r} is reserved for GitHub Actions")
        output = body.get("output") or {}
        annotations = output.get("annotations") or []
        if len(annotations) > self.rules.get("annotations_max_per_request", 50):
            problems.append(f"{len(annotations)} annotations in one request")
        for a in annotations:
            if len(str(a.get("message", "")).encode("utf-8")) > self.rules.get("annotation_message_max_bytes", 65536):
                problems.append("an annotation message is longer than 64 KB")
            if len(str(a.get("title", ""))) > self.rules.get("annotation_title_max_chars", 255):
                problems.append("an annotation title is longer than 255 characters")
            if str(a.get("path", "")).startswith("/") or ".." in str(a.get("path", "")).split("/"):
                problems.append(f"annotation path {a.get('path')!r} is not inside the repository")
            if int(a.get("start_line") or 0) < self.rules.get("annotation_line_min", 1):
                problems.append("annotation lines start at 1")
            if ("start_column" in a or "end_column" in a) and a.get("start_line") != a.get("end_line"):
                problems.append("columns only on a single-line annotation")
        return problems


_loaded: dict = {}


def load() -> GitHubSchemas | None:
    """The schemas, read once; None when they are not beside the checkout."""
    folder = location()
    if folder not in _loaded:
        _loaded[folder] = GitHubSchemas(folder) if (folder / "index.json").is_file() else None
    return _loaded[folder]
