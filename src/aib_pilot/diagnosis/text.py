"""Turning raw log lines (bytes) into readable, safe text, and finding timestamps in them.

A customization.log line looks like::

    [45f485cf-...] PACKER ERR 2020/04/30 23:38:58 packer: 2020/04/30 23:38:58 [INFO] ...
    [45f485cf-...] PACKER OUT ==> azure-arm: Deploying deployment template ...

Pipeline logs prefix ISO timestamps (``2020-05-05T19:33:14.3923479Z ##[error]...``).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from aib_pilot.redact import redact

MAX_TEXT = 400  # characters of one evidence/tail line kept in the output

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
LOG_PREFIX = re.compile(
    r"^(?:\[[0-9A-Fa-f-]{8,}\] )?"                       # [operationId]
    r"(?:PACKER (?:OUT|ERR) ?)?"
    r"(?:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z? )?"    # pipeline ISO timestamp
    r"(?:\d{4}/\d\d/\d\d \d\d:\d\d:\d\d )?"
    # nested Packer plugin prefix: "packer: <date> ", "packer-provisioner-shell: <date> ",
    # "packer-builder-azure-arm plugin: ", "packer-plugin-azure_v2.1.7_x5.0_linux_amd64 plugin: <date> "
    r"(?:packer(?:-[\w.-]+)?(?: plugin)?: (?:\d{4}/\d\d/\d\d \d\d:\d\d:\d\d )?)?"
)
"""The prefixes AIB and Packer put before a log line's own text (strip with ``LOG_PREFIX.sub``)."""
_PREFIXES = LOG_PREFIX  # older private name
_SLASH_TS = re.compile(rb"(\d{4})/(\d\d)/(\d\d) (\d\d):(\d\d):(\d\d)")
_ISO_TS = re.compile(rb"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?")
_ANY_TS = re.compile(rb"\d{4}[/-]\d\d[/-]\d\d[ T]\d\d:\d\d:\d\d")


def decode(raw: bytes) -> str:
    """Bytes to str: undecodable bytes become U+FFFD, CR and ANSI colour codes are removed."""
    text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    return _CONTROL.sub("", text.replace("\r", ""))


def clean(raw: bytes, *, focus: int | None = None) -> str:
    """A log line as a person wants to read it: prefixes stripped, redacted, at most MAX_TEXT chars.

    ``focus`` is the byte offset of the interesting part (a match) inside a very long line; the
    excerpt is then taken around it.
    """
    if len(raw) > MAX_TEXT * 4:
        start = max(0, (focus or 0) - MAX_TEXT // 2)
        raw = raw[start:start + MAX_TEXT * 2]
        prefix = "…" if start else ""
    else:
        prefix = ""
    text = decode(raw)
    text = _PREFIXES.sub("", text, count=1).rstrip()
    text = redact(text)
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT - 1] + "…"
    return prefix + text


def timestamp(raw: bytes) -> datetime | None:
    """The first timestamp in a line (Packer's ``YYYY/MM/DD hh:mm:ss`` or ISO 8601), as UTC."""
    m = _SLASH_TS.search(raw)
    iso = _ISO_TS.search(raw)
    if iso and (not m or iso.start() < m.start()):
        m = iso
    if not m:
        return None
    try:
        parts = [int(x) for x in m.groups()[:6]]
        return datetime(*parts, tzinfo=timezone.utc)
    except ValueError:
        return None


def last_timestamp(buf: bytes, end: int, window: int = 16384) -> datetime | None:
    """The last timestamp found in ``buf`` before offset ``end`` (looking back ``window`` bytes)."""
    start = max(0, end - window)
    last = None
    for m in _ANY_TS.finditer(buf, start, end):
        last = m
    return timestamp(last.group(0)) if last else None


def first_timestamp(buf: bytes) -> datetime | None:
    m = _ANY_TS.search(buf)
    return timestamp(m.group(0)) if m else None


def iso(ts: datetime | None) -> str | None:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ") if ts else None
