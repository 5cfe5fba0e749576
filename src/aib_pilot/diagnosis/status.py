"""Status texts that are not customization.log: ``lastRunStatus``, ``provisioningError``, ARM errors.

Users paste these in many shapes: the message string, ``az image builder show`` output (the
whole template JSON), an ARM error envelope (``{"error": {...}}``), a deployment status
(``{"status": "Failed", "error": ...}``). :func:`texts_from_json` walks any of them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

_MESSAGE_KEYS = ("message", "provisioningErrorMessage", "lastRunStatusMessage", "statusMessage")
_CODE_KEYS = ("code", "provisioningErrorCode")


@dataclass
class StatusInfo:
    """What a JSON document says about a run, besides its messages."""

    run_state: str | None = None            # lastRunStatus.runState
    provisioning_state: str | None = None   # the template's provisioningState
    texts: list[tuple[str, str]] = field(default_factory=list)  # (origin, text): origin submission|run


def texts_from_json(doc: object, info: StatusInfo | None = None, origin: str = "run") -> StatusInfo:
    """Collect error codes/messages and states from a JSON document of any supported shape."""
    info = info or StatusInfo()
    _walk(doc, info, origin, depth=0)
    return info


def _walk(node: object, info: StatusInfo, origin: str, depth: int) -> None:
    if depth > 32:
        return
    if isinstance(node, list):
        for item in node:
            _walk(item, info, origin, depth + 1)
        return
    if not isinstance(node, dict):
        return
    lrs = node.get("lastRunStatus")
    if isinstance(lrs, dict):
        if isinstance(lrs.get("runState"), str):
            info.run_state = lrs["runState"]
            if lrs["runState"].lower() in ("canceled", "canceling"):
                info.texts.append(("run", f"runState: {lrs['runState']}"))
        if isinstance(lrs.get("message"), str) and lrs["message"]:
            info.texts.append(("run", lrs["message"]))
    if isinstance(node.get("runState"), str) and info.run_state is None:
        info.run_state = node["runState"]
    if isinstance(node.get("provisioningState"), str):
        info.provisioning_state = node["provisioningState"]
    perr = node.get("provisioningError")
    if isinstance(perr, dict):
        info.texts.append(("submission", provisioning_error_text(perr)))
    code = next((node[k] for k in _CODE_KEYS if isinstance(node.get(k), str)), None)
    msg = next((node[k] for k in _MESSAGE_KEYS if isinstance(node.get(k), str)), None)
    if node is not lrs and (code or msg) and "lastRunStatus" not in node and "provisioningError" not in node:
        info.texts.append((origin, f"{code}: {msg}" if code and msg else (code or msg)))
    for key, value in node.items():
        if key in ("lastRunStatus", "provisioningError"):
            continue
        if isinstance(value, (dict, list)):
            _walk(value, info, origin, depth + 1)


def provisioning_error_text(err: dict) -> str:
    """``{"provisioningErrorCode": C, "message": M}`` or ``{"error": {...}}`` as readable lines."""
    if "error" in err and isinstance(err["error"], dict):
        info = texts_from_json(err, origin="submission")
        return "\n".join(t for _, t in info.texts)
    code = err.get("provisioningErrorCode") or err.get("code")
    msg = err.get("message") or err.get("provisioningErrorMessage") or ""
    lines = [f"{code}: {msg}" if code else str(msg)]
    for detail in err.get("details") or []:
        if isinstance(detail, dict):
            lines.append(provisioning_error_text(detail))
    return "\n".join(line for line in lines if line)


def try_json(data: bytes) -> object | None:
    """``data`` as JSON when the whole input is one JSON document, else None."""
    stripped = data.strip()
    if not stripped or stripped[:1] not in (b"{", b"["):
        return None
    try:
        return json.loads(stripped.decode("utf-8-sig", errors="replace"))
    except (ValueError, RecursionError):
        return None
