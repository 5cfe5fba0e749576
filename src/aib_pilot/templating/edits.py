"""Per-run values without editing the template file: ``--set PATH=VALUE`` and ARM parameter values.

Everything here is pure (dicts in, dicts out, :class:`~aib_pilot.errors.UsageError` on bad input), so
it is tested without Azure. The order the commands apply it in is: load the file -> parameter values
(ARM deployment templates only, before their ``[parameters('x')]`` are resolved) -> ``--set`` edits
on the resolved imageTemplate resource -> provenance tags -> submit.

``--set`` grammar: ``PATH=VALUE`` where PATH is dotted keys with ``[N]`` list indexes, e.g.
``properties.customize[0].inline[1]``; a key holding a dot or a bracket is written ``["a.b"]``.
Every step but the last must exist; the last may add a new key to an existing object, or replace an
existing list item. VALUE is read as JSON when it parses as an object, array, number, true/false,
null or a quoted string; otherwise it is the text as written. One exception keeps versions intact:
when the value being replaced is a string, an unquoted VALUE stays text (``version=1.2`` is "1.2").
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from aib_pilot.errors import UsageError

TOP_LEVEL = ("location", "identity", "tags", "properties")
_STEP = re.compile(r"""\.?(?:(?P<key>[^.\[\]"]+)|\[(?P<index>\d+)\]|\["(?P<quoted>[^"]*)"\])""")


def parse_path(path: str) -> list[str | int]:
    """``a.b[0]["c.d"]`` -> ``["a", "b", 0, "c.d"]``; UsageError naming the bad spot otherwise."""
    steps: list[str | int] = []
    pos = 0
    text = path.strip()
    while pos < len(text):
        match = _STEP.match(text, pos)
        if not match or (pos == 0 and text.startswith(".")) or (match.group("key") and pos and text[pos] != "."):
            raise UsageError(f"--set path {path!r} is not valid at {text[pos:]!r}.",
                             hint='Write keys separated by dots and list indexes as [N], e.g. '
                                  'properties.customize[0].inline[1] (a key with a dot: tags["a.b"]).')
        if match.group("index") is not None:
            steps.append(int(match.group("index")))
        else:
            steps.append(match.group("key") if match.group("key") is not None else match.group("quoted"))
        pos = match.end()
    if not steps:
        raise UsageError("--set needs PATH=VALUE; the path is empty.",
                         hint="Write it like --set properties.vmProfile.vmSize=Standard_D4s_v5.")
    return steps


def _show(steps: list[str | int]) -> str:
    out = ""
    for step in steps:
        if isinstance(step, int):
            out += f"[{step}]"
        elif re.fullmatch(r"[^.\[\]\"]+", step):
            out += ("." if out else "") + step
        else:
            out += f'["{step}"]'
    return out


def parse_value(text: str, current: Any = None) -> Any:
    """VALUE by the rule in the module docstring."""
    stripped = text.strip()
    try:
        value = json.loads(stripped)
    except ValueError:
        return text
    if isinstance(current, str) and not stripped.startswith('"') and not isinstance(value, (dict, list)):
        return text  # replacing text keeps text: version=1.2 stays "1.2", enabled=true stays "true"
    return value


def set_value(body: dict, assignment: str) -> None:
    """Apply one ``PATH=VALUE`` to ``body`` in place."""
    path, sep, raw = assignment.partition("=")
    if not sep:
        raise UsageError(f"--set {assignment!r} is not PATH=VALUE.",
                         hint="Write it like --set properties.vmProfile.vmSize=Standard_D4s_v5.")
    steps = parse_path(path)
    if not isinstance(steps[0], str) or steps[0] not in TOP_LEVEL:
        raise UsageError(f"--set path {path.strip()!r} must start with one of {', '.join(TOP_LEVEL)}.",
                         hint="Paths are relative to the imageTemplate resource, e.g. properties.source.version.")
    node: Any = body
    for depth, step in enumerate(steps[:-1]):
        node = _child(node, step, steps[: depth + 1], path)
    last = steps[-1]
    where = _show(steps)
    if isinstance(last, int):
        _check_index(node, last, steps, where)
        node[last] = parse_value(raw, node[last])
    else:
        if not isinstance(node, dict):
            raise UsageError(f"--set {where}: {_show(steps[:-1])} is not an object, so it has no key {last!r}.",
                             hint="Check the path against the template.")
        node[last] = parse_value(raw, node.get(last))


def _child(node: Any, step: str | int, so_far: list[str | int], path: str) -> Any:
    if isinstance(step, int):
        _check_index(node, step, so_far, path.strip())
        return node[step]
    if not isinstance(node, dict) or step not in node:
        parent = _show(so_far[:-1]) or "the template"
        known = ", ".join(sorted(node)) if isinstance(node, dict) and node else "none"
        raise UsageError(f"--set {path.strip()}: {parent} has no key {step!r} (its keys: {known}).",
                         hint="Only the last step of a path may be a new key; check the spelling.")
    return node[step]


def _check_index(node: Any, index: int, so_far: list[str | int], where: str) -> None:
    """``node[index]`` exists, else one UsageError naming the list and its length."""
    if not isinstance(node, list):
        raise UsageError(f"--set {where}: {_show(so_far[:-1])} is not a list, so [{index}] does not apply.",
                         hint="Check the path against the template (use a key, not an index).")
    if index >= len(node):
        raise UsageError(f"--set {where}: {_show(so_far[:-1])} has {len(node)} item(s), so index {index} "
                         "does not exist.", hint=f"Use an index below {len(node)}.")


def apply_sets(body: dict, assignments: list[str] | None) -> dict:
    """``body`` after every ``--set`` in order (the same dict, edited)."""
    for assignment in assignments or []:
        set_value(body, assignment)
    return body


# -- ARM parameter values -----------------------------------------------------------------------
def read_parameter_args(args: list[str] | None) -> dict[str, Any]:
    """``--parameters`` values, in order (later wins): a parameters file (``file.json`` or
    ``@file.json``, the ARM shape ``{"parameters": {"x": {"value": ...}}}``) or ``name=value``.

    ``name=value`` values are text here; :func:`apply_parameters` converts them to the declared type.
    """
    values: dict[str, Any] = {}
    for arg in args or []:
        if arg.startswith("@") or "=" not in arg:
            values.update(read_parameters_file(arg[1:] if arg.startswith("@") else arg))
        else:
            name, _, value = arg.partition("=")
            if not name.strip():
                raise UsageError(f"--parameters {arg!r} has no name before '='.",
                                 hint="Write it like --parameters imageName=ubuntu-2204.")
            values[name.strip()] = _Text(value)
    return values


class _Text(str):
    """A ``name=value`` parameter value: converted to the parameter's declared type later."""


def read_parameters_file(path: str) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"--parameters file {path} does not exist.",
                         hint="Give an ARM parameters file (.json) or name=value.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--parameters file {path} cannot be read ({exc}).",
                         hint="Give a UTF-8 ARM parameters JSON file.") from None
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise UsageError(f"--parameters file {path} is not valid JSON ({exc}).",
                         hint="Fix the JSON syntax of the parameters file.") from None
    params = doc.get("parameters") if isinstance(doc, dict) else None
    if not isinstance(params, dict):
        raise UsageError(f"--parameters file {path} has no \"parameters\" object.",
                         hint='Use the ARM parameters file shape: {"parameters": {"name": {"value": ...}}}.')
    out = {}
    for name, entry in params.items():
        if isinstance(entry, dict) and "reference" in entry:
            raise UsageError(f"--parameters file {path}: parameter {name!r} is a Key Vault reference, which "
                             "aib-pilot cannot resolve.",
                             hint=f"Pass the value instead, e.g. --parameters {name}=VALUE from a pipeline secret.")
        if not isinstance(entry, dict) or "value" not in entry:
            raise UsageError(f"--parameters file {path}: parameter {name!r} has no \"value\".",
                             hint=f'Write it as "{name}": {{"value": ...}}.')
        out[name] = entry["value"]
    return out


_TYPES = {"string": str, "securestring": str, "int": int, "bool": bool, "object": dict,
          "secureobject": dict, "array": list}


def apply_parameters(doc: dict, values: dict[str, Any], path: str) -> dict:
    """The ARM deployment template ``doc`` with each parameter's ``defaultValue`` replaced by the
    given value (a new dict). Unknown names, values of the wrong type and values outside
    ``allowedValues`` are UsageErrors."""
    if not values:
        return doc
    declared = doc.get("parameters") if isinstance(doc.get("parameters"), dict) else {}
    out = dict(doc, parameters={k: dict(v) if isinstance(v, dict) else v for k, v in declared.items()})
    lower = {k.lower(): k for k in declared}  # ARM parameter names are case-insensitive
    for given, value in values.items():
        name = lower.get(given.lower())
        if name is None:
            known = ", ".join(sorted(declared)) or "none"
            raise UsageError(f"--parameters {given}: {path} declares no parameter of that name (it declares: {known}).",
                             hint="Check the spelling against the template's \"parameters\" section.")
        spec = out["parameters"][name] if isinstance(out["parameters"][name], dict) else {}
        kind = str(spec.get("type", "string")).lower()
        value = _typed(name, value, kind)
        allowed = spec.get("allowedValues")
        if isinstance(allowed, list) and value not in allowed:
            raise UsageError(f"--parameters {name}={_quoted(value, kind)} is not one of its allowedValues.",
                             hint="Use one of: " + ", ".join(json.dumps(a) for a in allowed) + ".")
        spec["defaultValue"] = value
        out["parameters"][name] = spec
    return out


def _quoted(value: Any, kind: str) -> str:
    """The value for a message; never the value of a secure parameter."""
    if kind.startswith("secure"):
        return "(the value given, not shown: the parameter is secure)"
    return json.dumps(value)[:60] if not isinstance(value, str) else repr(value)[:60]


def _typed(name: str, value: Any, kind: str) -> Any:
    want = _TYPES.get(kind, str)
    if isinstance(value, _Text) and want is not str:
        try:
            value = json.loads(value)
        except ValueError:
            raise UsageError(f"--parameters {name}={_quoted(str(value), kind)} is not a valid {kind} value.",
                             hint=f"Give {name} as JSON of type {kind} (e.g. 4, true, [\"a\"], {{\"k\": 1}}).") from None
    elif isinstance(value, _Text):
        value = str(value)
    ok = isinstance(value, want) and not (want is int and isinstance(value, bool))
    if not ok:
        raise UsageError(f"--parameters {name}: the template declares type {kind}, but the value given is "
                         f"{type(value).__name__} {_quoted(value, kind)}.",
                         hint=f"Give a {kind} value for {name}.")
    return value
