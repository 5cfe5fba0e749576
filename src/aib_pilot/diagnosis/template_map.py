"""Find the user's customizers in a template file, with the line each one starts on.

``json`` does not report positions, so this module has a small JSON reader that records the line
of every value as it parses (``parse_with_lines``). A template may be:

* an imageTemplate resource (``{"type": "Microsoft.VirtualMachineImages/imageTemplates", ...}``),
* an ARM deployment template holding exactly one ``imageTemplates`` resource, or
* the ``properties`` object alone (``{"source": ..., "customize": [...], "distribute": [...]}``).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass

from aib_pilot.errors import UsageError

IMAGE_TEMPLATE_TYPE = "microsoft.virtualmachineimages/imagetemplates"

#: Packer provisioner name (as in "(telemetry) Starting provisioner X") -> AIB customizer type.
PROVISIONER_TO_TYPE = {
    "shell": "Shell",
    "powershell": "PowerShell",
    "file": "File",
    "windows-restart": "WindowsRestart",
    "windows-update": "WindowsUpdate",
}
TYPE_TO_PROVISIONER = {v.lower(): k for k, v in PROVISIONER_TO_TYPE.items()}


@dataclass(frozen=True)
class Customizer:
    index: int
    type: str
    name: str | None
    line: int
    value: dict


@dataclass(frozen=True)
class TemplateInfo:
    path: str
    customizers: tuple[Customizer, ...]
    properties: dict
    properties_line: int
    lines: dict  # JSON path tuple -> line number


class _Reader:
    """Recursive-descent JSON reader that remembers the line where each value starts."""

    _NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
    _WS = re.compile(r"[ \t\r\n]*")

    def __init__(self, src: str):
        self.src = src
        self.pos = 0
        self.lines: dict[tuple, int] = {}
        self._decoder = json.JSONDecoder()

    def line(self) -> int:
        return self.src.count("\n", 0, self.pos) + 1

    def fail(self, what: str) -> None:
        col = self.pos - self.src.rfind("\n", 0, self.pos)
        raise ValueError(f"{what} at line {self.line()} column {col}")

    def ws(self) -> None:
        self.pos = self._WS.match(self.src, self.pos).end()
        # Allow // and /* */ comments, as ARM tooling does.
        while self.src.startswith(("//", "/*"), self.pos):
            end = self.src.find("\n" if self.src[self.pos + 1] == "/" else "*/", self.pos + 2)
            self.pos = len(self.src) if end < 0 else end + (1 if self.src[self.pos + 1] == "/" else 2)
            self.pos = self._WS.match(self.src, self.pos).end()

    def value(self, path: tuple):
        self.ws()
        self.lines[path] = self.line()
        ch = self.src[self.pos:self.pos + 1]
        if ch == "{":
            return self.obj(path)
        if ch == "[":
            return self.arr(path)
        if ch == '"':
            return self.string()
        m = self._NUMBER.match(self.src, self.pos)
        if m:
            self.pos = m.end()
            return json.loads(m.group(0))
        for word, val in (("true", True), ("false", False), ("null", None)):
            if self.src.startswith(word, self.pos):
                self.pos += len(word)
                return val
        self.fail("unexpected character" if ch else "unexpected end of file")

    def string(self) -> str:
        try:
            val, end = self._decoder.raw_decode(self.src, self.pos)
        except json.JSONDecodeError:
            self.fail("bad string")
        self.pos = end
        return val

    def obj(self, path: tuple) -> dict:
        self.pos += 1
        out: dict = {}
        self.ws()
        if self.src.startswith("}", self.pos):
            self.pos += 1
            return out
        while True:
            self.ws()
            if not self.src.startswith('"', self.pos):
                self.fail("expected a property name")
            key = self.string()
            self.ws()
            if not self.src.startswith(":", self.pos):
                self.fail("expected ':'")
            self.pos += 1
            out[key] = self.value(path + (key,))
            self.ws()
            if self.src.startswith(",", self.pos):
                self.pos += 1
                self.ws()
                if self.src.startswith("}", self.pos):  # trailing comma
                    self.pos += 1
                    return out
                continue
            if self.src.startswith("}", self.pos):
                self.pos += 1
                return out
            self.fail("expected ',' or '}'")

    def arr(self, path: tuple) -> list:
        self.pos += 1
        out: list = []
        self.ws()
        if self.src.startswith("]", self.pos):
            self.pos += 1
            return out
        while True:
            out.append(self.value(path + (len(out),)))
            self.ws()
            if self.src.startswith(",", self.pos):
                self.pos += 1
                self.ws()
                if self.src.startswith("]", self.pos):
                    self.pos += 1
                    return out
                continue
            if self.src.startswith("]", self.pos):
                self.pos += 1
                return out
            self.fail("expected ',' or ']'")


def parse_with_lines(src: str) -> tuple[object, dict]:
    """Parse JSON text; return the value and a map from JSON path (tuple) to its line."""
    reader = _Reader(src)
    val = reader.value(())
    reader.ws()
    if reader.pos != len(src):
        reader.fail("unexpected text after the JSON value")
    return val, reader.lines


def _find_properties(doc: object) -> tuple[dict, tuple]:
    """The imageTemplate ``properties`` object and its JSON path."""
    if not isinstance(doc, dict):
        raise ValueError("the top level is not a JSON object")
    resources = doc.get("resources")
    if isinstance(resources, list):
        found = [(i, r) for i, r in enumerate(resources)
                 if isinstance(r, dict) and str(r.get("type", "")).lower() == IMAGE_TEMPLATE_TYPE]
        if len(found) != 1:
            raise ValueError(f"the ARM template holds {len(found)} Microsoft.VirtualMachineImages/"
                             "imageTemplates resources; exactly one is needed")
        i, res = found[0]
        if not isinstance(res.get("properties"), dict):
            raise ValueError("the imageTemplates resource has no 'properties' object")
        return res["properties"], ("resources", i, "properties")
    if isinstance(doc.get("properties"), dict):
        return doc["properties"], ("properties",)
    if any(k in doc for k in ("customize", "source", "distribute")):
        return doc, ()
    raise ValueError("no image template found (expected an imageTemplates resource, an ARM "
                     "template containing one, or its 'properties' object)")


def load_template(path: str | os.PathLike) -> TemplateInfo:
    """Read ``path`` and list its customizers; bad input raises UsageError (one clear line)."""
    path = os.fspath(path)
    if os.path.isdir(path):
        raise UsageError(f"template {path} is a directory.", hint="Pass the template JSON file.")
    try:
        with open(path, "rb") as fh:
            src = fh.read().decode("utf-8-sig", errors="replace")
    except FileNotFoundError:
        raise UsageError(f"template file {path} does not exist.", hint="Check the path of the template file.") from None
    except OSError as exc:
        raise UsageError(f"cannot read template file {path}: {exc.strerror}.",
                         hint="Check the file's permissions.") from None
    try:
        doc, lines = parse_with_lines(src)
        props, ppath = _find_properties(doc)
    except (ValueError, RecursionError) as exc:
        raise UsageError(f"template {path} is not a usable image template: {exc}.",
                         hint="Pass the imageTemplate JSON (or the ARM template holding it).") from None
    items = props.get("customize") or []
    if not isinstance(items, list):
        raise UsageError(f"template {path}: 'customize' is not a list.",
                         hint="'properties.customize' must be an array of customizers.")
    customizers = []
    for i, item in enumerate(items):
        item = item if isinstance(item, dict) else {}
        customizers.append(Customizer(
            index=i, type=str(item.get("type", "")), name=item.get("name") if isinstance(item.get("name"), str) else None,
            line=lines.get(ppath + ("customize", i), 0), value=item))
    return TemplateInfo(path=path, customizers=tuple(customizers), properties=props,
                        properties_line=lines.get(ppath, 1), lines={k[len(ppath):]: v for k, v in lines.items()
                                                                     if k[:len(ppath)] == ppath})
