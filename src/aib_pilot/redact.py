"""Remove secrets from any text before it is printed, saved in JSON, or annotated.

Covers SAS query strings (``sig=``), storage connection strings (``AccountKey=``),
``Authorization: Bearer``/bearer tokens, JWTs, and client secrets passed as query/body fields.
"""

from __future__ import annotations

import re

MASK = "***"

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # SAS signature and its siblings that are secret-bearing (sig is the secret; se/sp are not).
    (re.compile(r"(?i)([?&;]sig=)[^&\s\"'<>]+"), r"\1" + MASK),
    (re.compile(r"(?i)(AccountKey=)[^;\s\"']+"), r"\1" + MASK),
    (re.compile(r"(?i)(SharedAccessSignature=)[^;\s\"']+"), r"\1" + MASK),
    (re.compile(r"(?i)(\bbearer\s+)[A-Za-z0-9\-._~+/]+=*"), r"\1" + MASK),
    # JWTs (header.payload.signature, base64url, header starts with eyJ)
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), MASK),
    (re.compile(r"(?i)((?:client_secret|client_assertion|access_token|refresh_token|password)[\"']?\s*[=:]\s*[\"']?)[^&\s\"',}]+"), r"\1" + MASK),
    (re.compile(r"(?i)(\"(?:key|value)\"\s*:\s*\")[A-Za-z0-9+/]{40,}={0,2}(\")"), r"\1" + MASK + r"\2"),
)


def redact(text: str) -> str:
    """Return ``text`` with every known secret shape replaced by ``***``."""
    if not text:
        return text
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text
