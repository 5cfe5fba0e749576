"""Remove secrets from any text before it is printed, saved in JSON, or annotated.

Covers SAS query strings (``sig=``, also as a JSON field), storage connection strings
(``AccountKey=``, ``SharedAccessSignature=``), ``Authorization`` headers (Bearer, Basic, SharedKey),
JWTs, GitHub tokens, and client secrets/assertions passed as query, form or JSON fields.
"""

from __future__ import annotations

import re

MASK = "***"

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # SAS signature: the secret part of a SAS URL or token (se/sp/sv are not secret).
    (re.compile(r"(?i)([?&;]sig=)[^&\s\"'<>]+"), r"\1" + MASK),
    (re.compile(r"(?i)((?:%3F|%26|[?&;])sig%3D)[^&%\s\"'<>]+(?:%(?!26)[0-9A-F]{2}[^&%\s\"'<>]*)*"), r"\1" + MASK),
    (re.compile(r"(?i)(\"sig\"\s*:\s*\")[^\"]+"), r"\1" + MASK),
    (re.compile(r"(?i)(AccountKey=)[^;\s\"']+"), r"\1" + MASK),
    (re.compile(r"(?i)(SharedAccessSignature=)[^;\s\"']+"), r"\1" + MASK),
    (re.compile(r"(?i)(\bbearer\s+)[A-Za-z0-9\-._~+/]+=*"), r"\1" + MASK),
    (re.compile(r"(?i)(\bbasic\s+)[A-Za-z0-9+/]{8,}=*"), r"\1" + MASK),
    (re.compile(r"(?i)(\bSharedKey(?:Lite)?\s+[A-Za-z0-9-]+:)[A-Za-z0-9+/]+=*"), r"\1" + MASK),
    # JWTs (header.payload.signature, base64url; the header always starts with eyJ).
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), MASK),
    # GitHub tokens: classic/app/OAuth prefixes and fine-grained PATs.
    (re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})"), MASK),
    (
        re.compile(
            r"(?i)((?:client_secret|client_assertion|access_token|refresh_token|password)"
            r"[\"']?\s*[=:]\s*[\"']?)[^&\s\"',}]+"
        ),
        r"\1" + MASK,
    ),
    # Storage account keys as listKeys returns them: long base64 in "value"/"key" fields.
    (re.compile(r"(?i)(\"(?:key|value)\"\s*:\s*\")[A-Za-z0-9+/]{40,}={0,2}(\")"), r"\1" + MASK + r"\2"),
)

# Cheap pre-check: most log lines carry no secret at all, so skip the patterns for them.
_MAYBE_SECRET = re.compile(
    r"(?i)sig|accountkey|sharedaccesssignature|bearer|basic|sharedkey|eyJ|gh[pousr]_|github_pat_"
    r"|client_secret|client_assertion|access_token|refresh_token|password|\"(?:key|value)\""
)


def redact(text: str) -> str:
    """Return ``text`` with every known secret shape replaced by ``***``."""
    if not text or not _MAYBE_SECRET.search(text):
        return text
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text
