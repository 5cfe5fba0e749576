"""Error records: the errors a text holds, as structured data (code, message, target, nesting).

Azure, Packer, the az CLI and PowerShell print errors in different shapes, often nested (a wrapper
code around the code that names the cause). :func:`read_records` turns one piece of text (a line,
a JSON document, a status message) into :class:`ErrorRecord` trees, whatever the shape:

* JSON error objects (``{"error": {"code", "message", "target", "details": [...]}}``,
  ``statusMessage``/``message`` strings that hold JSON again, escaped once or twice), pretty or on
  one line;
* Go/autorest: ``Code="X" Message="…" Details=[{…}]`` (and ``Code=X; Message=…``);
* az CLI: ``ERROR: (Code) message`` and ``Code: X`` / ``Message: …``;
* the Go SDKs (Terraform, Packer's plugin): ``ERROR CODE: X`` and
  ``unexpected status 400 (400 Bad Request) with error: X: message``;
* Packer's error tree: ``ERROR: -> Code : message`` with indentation for depth;
* PowerShell: ``Cmdlet : message`` + ``FullyQualifiedErrorId : Id,Command`` (Windows PowerShell)
  and ``Cmdlet: message`` (PowerShell 7), ``(Code:X)`` tails;
* CI error lines (``##[error]…``) and Packer summaries (``--> build: …``).

Nothing here decides what a record means: the engine matches codes and messages against the
rule catalogue. ``ErrorRecord.chain()`` lists codes outer -> inner, the order the report shows.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

MAX_DEPTH = 8
MAX_TEXT = 64 * 1024


@dataclass
class ErrorRecord:
    code: str | None
    message: str
    shape: str                      # json | autorest | az-cli | go-sdk | packer-tree | powershell | ci | packer
    target: str | None = None
    line: int | None = None
    inner: list[ErrorRecord] = field(default_factory=list)

    def walk(self, depth: int = 0):
        """(depth, record) for this record and every record inside it, outer first."""
        yield depth, self
        for r in self.inner:
            yield from r.walk(depth + 1)

    def chain(self) -> list[str]:
        """Codes from the outermost to the innermost (the deepest branch)."""
        best: list[str] = []
        for r in self.inner:
            sub = r.chain()
            if len(sub) > len(best):
                best = sub
        return ([self.code] if self.code else []) + best

    def innermost(self) -> ErrorRecord:
        deepest, depth = self, 0
        for d, r in self.walk():
            if d > depth and (r.code or r.message):
                deepest, depth = r, d
        return deepest

    def to_dict(self) -> dict:
        out = {"code": self.code, "message": self.message[:1000], "shape": self.shape}
        if self.target:
            out["target"] = self.target
        if self.line is not None:
            out["line"] = self.line
        if self.inner:
            out["inner"] = [r.to_dict() for r in self.inner]
        return out


# ------------------------------------------------------------------------------------------ JSON
def _error_objects(obj, depth: int = 0) -> list[ErrorRecord]:
    """Error records in a decoded JSON value (an error object, an envelope, a list, a status)."""
    if depth > MAX_DEPTH:
        return []
    if isinstance(obj, list):
        return [r for item in obj for r in _error_objects(item, depth + 1)]
    if not isinstance(obj, dict):
        if isinstance(obj, str):
            return _records_in_string(obj, depth + 1)
        return []
    lower = {str(k).lower(): v for k, v in obj.items()}
    code = lower.get("code") or lower.get("errorcode") or lower.get("provisioningerrorcode")
    message = lower.get("message") or lower.get("provisioningerrormessage") or lower.get("statusmessage") or ""
    if isinstance(code, (str, int)) and not isinstance(code, bool) and (message or "details" in lower):
        rec = ErrorRecord(str(code), message if isinstance(message, str) else json.dumps(message), "json",
                          target=lower.get("target") if isinstance(lower.get("target"), str) else None)
        if isinstance(message, str):
            rec.inner.extend(_records_in_string(message, depth + 1))
        for key in ("details", "innererror", "additionalinfo", "error"):
            if key in lower:
                rec.inner.extend(_error_objects(lower[key], depth + 1))
        return [rec]
    out: list[ErrorRecord] = []
    for key in ("error", "provisioningerror", "properties", "laststatus", "lastrunstatus", "details"):
        if key in lower:
            out.extend(_error_objects(lower[key], depth + 1))
    for key in ("statusmessage", "message"):
        if isinstance(lower.get(key), str):
            out.extend(_records_in_string(lower[key], depth + 1))
    return out


def _records_in_string(text: str, depth: int) -> list[ErrorRecord]:
    """Records in a string that may itself be JSON (escaped once more) or another shape."""
    stripped = text.strip()
    if stripped[:1] in "{[":
        try:
            return _error_objects(json.loads(stripped), depth)
        except ValueError:
            pass
    return [r for r in read_records(text, _depth=depth) if r.shape != "text"]


_JSON_START = re.compile(r"[{\[]\s*(?:\\?\"|\])")


def _json_in_text(text: str, depth: int) -> list[ErrorRecord]:
    out: list[ErrorRecord] = []
    decoder = json.JSONDecoder()
    pos = 0
    while len(out) < 20:
        m = _JSON_START.search(text, pos)
        if m is None:
            break
        start = m.start()
        candidate = text[start:]
        if candidate[1:].lstrip().startswith('\\"'):
            candidate = _unescape(candidate)
        try:
            value, used = decoder.raw_decode(candidate)
        except ValueError:
            pos = start + 1
            continue
        out.extend(_error_objects(value, depth))
        pos = start + max(used, 1)
    return out


#: How many pretty JSON blocks one text is tried for (each try reads the rest of the text once).
MAX_JSON_BLOCKS = 20


def _json_block(lines: list[str], start: int) -> tuple[object, int] | None:
    """A JSON document printed over several lines from ``lines[start]`` on (after a line of prose,
    e.g. a PowerShell or portal message followed by the error body): (value, lines used), or None
    when the text there is not one, or fits on that one line (the line shapes read it then)."""
    first = lines[start]
    text = "\n".join([first[first.index("{"):]] + lines[start + 1:])
    try:
        value, end = json.JSONDecoder().raw_decode(text)
    except ValueError:
        return None
    used = text.count("\n", 0, end) + 1
    return (value, used) if used > 1 else None


_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _unescape(s: str) -> str:
    """JSON text that was escaped once more to sit inside another JSON string."""
    return re.sub(r'\\(["\\/bfnrt])', lambda m: _ESCAPES.get(m.group(1), m.group(1)), s)


# ------------------------------------------------------------------------------------ line shapes
_AUTOREST = re.compile(r'Code=\\?"?(?P<code>[\w.]+)\\?"?;? Message=\\?"(?P<msg>.*?)(?:\\?" Details=(?P<det>\[.*\])|\\?"\s*$|\\?"[ ;])')
_AUTOREST_SEMI = re.compile(r"Code=(?P<code>[\w.]+); Message=(?P<msg>.+)")
_AZ_CLI = re.compile(r"(?:^|ERROR: )\((?P<code>[A-Za-z][\w.]+)\) (?P<msg>.+)")
_AZ_CODE = re.compile(r"^\s*(?:ERROR: )?Code: (?P<code>[A-Za-z][\w.]+)\s*$")
#: the Go SDKs' error block: ``RESPONSE 409: 409 Conflict`` / ``ERROR CODE: X`` / the JSON body
_GO_CODE = re.compile(r"^\s*ERROR CODE: (?P<code>[A-Za-z][\w.]+)\s*$")
#: the Go SDKs: ``unexpected status 400 (400 Bad Request) with error: Code: message``
_GO_STATUS = re.compile(r"unexpected status \d{3} \([^)]*\) with error: (?P<code>[A-Za-z][\w.]+): (?P<msg>.+)")
_AZ_MESSAGE = re.compile(r"^\s*Message: (?P<msg>.+)$")
_PACKER_TREE = re.compile(r"ERROR:(?P<indent> +)-> (?P<code>[A-Za-z][\w.]*)(?: : (?P<msg>.*))?$")
_PS_RECORD = re.compile(r"^(?:.*?: )?(?P<cmd>[A-Z][a-z]+-[A-Za-z]+) ?: (?P<msg>.+)$")
_PS_FQEID = re.compile(r"FullyQualifiedErrorId\s*: (?P<id>[^,\s]+)(?:,(?P<cmd>\S+))?")
_PS_AT = re.compile(r"At (?P<path>(?:[A-Za-z]:\\|/|line:)[^\n]*?)(?::(?P<line>\d+))? char:(?P<char>\d+)")
_PS_CODE_TAIL = re.compile(r"\(Code: ?(?P<code>[A-Za-z][\w.]+)\)")
_CI_ERROR = re.compile(r"##\[error\](?P<msg>.+)|::error(?: [^:]*)?::(?P<msg2>.+)")
_PACKER_SUMMARY = re.compile(r"^--> (?P<build>[\w.-]+): (?P<msg>.+)$|Build '(?P<build2>[\w.-]+)' errored(?: after [^:]+)?: (?P<msg2>.+)$")
_PREFIX = re.compile(r"^(?:\[[0-9A-Fa-f-]{8,}\] )?(?:\*?PACKER (?:OUT|ERR) ?)?(?:\d{4}-\d\d-\d\dT[\d:.]+Z:? )?"
                     r"(?:\d{4}/\d\d/\d\d \d\d:\d\d:\d\d )?(?:ui(?: error)?: )?(?:(?:==> |    )[\w.-]+: )?")


def read_records(text: str, *, line: int | None = None, _depth: int = 0) -> list[ErrorRecord]:
    """The error records in ``text`` (a line, several lines, or a JSON document)."""
    if _depth > MAX_DEPTH or not text:
        return []
    text = text[:MAX_TEXT]
    stripped = text.strip()
    if stripped[:1] in "{[":
        try:  # a whole JSON document (pretty or on one line)
            return _error_objects(json.loads(stripped), _depth)
        except ValueError:
            pass
    out: list[ErrorRecord] = []
    lines = text.splitlines() or [text]
    pending_code: str | None = None
    tree: list[tuple[int, ErrorRecord]] = []
    ps_last: ErrorRecord | None = None
    skip_to, block_tries = 0, 0
    for i, raw in enumerate(lines):
        if i < skip_to:
            continue  # inside a pretty JSON block read below
        body = _PREFIX.sub("", raw, count=1)
        n = None if line is None else line + i
        if body.lstrip().startswith("{") and block_tries < MAX_JSON_BLOCKS:
            block_tries += 1
            block = _json_block(lines, i)
            if block is not None:
                value, used_lines = block
                for rec in _error_objects(value, _depth):
                    rec.line = n
                    out.append(rec)
                skip_to = i + used_lines
                continue
        m = _PACKER_TREE.search(raw)
        if m:
            rec = ErrorRecord(m.group("code"), (m.group("msg") or "").strip(), "packer-tree", line=n)
            indent = len(m.group("indent"))
            while tree and tree[-1][0] >= indent:
                tree.pop()
            if tree:
                tree[-1][1].inner.append(rec)
            else:
                out.append(rec)
            tree.append((indent, rec))
            continue
        if _depth == 0 or '"' not in raw:
            m = _AUTOREST.search(raw) or _AUTOREST_SEMI.search(raw)
            if m:
                rec = ErrorRecord(m.group("code"), m.group("msg"), "autorest", line=n)
                det = m.groupdict().get("det")
                if det:
                    rec.inner.extend(_json_in_text(det, _depth + 1))
                if not out or out[-1].code != rec.code or out[-1].shape != "json":
                    out.append(rec)
                continue
        m = _AZ_CLI.search(body)
        if m:
            out.append(ErrorRecord(m.group("code"), m.group("msg").strip(), "az-cli", line=n))
            continue
        m = _GO_STATUS.search(body) or _GO_CODE.match(body)
        if m:
            msg = m.groupdict().get("msg") or ""
            out.append(ErrorRecord(m.group("code"), msg.strip(), "go-sdk", line=n))
            continue
        m = _AZ_CODE.match(body)
        if m:
            pending_code = m.group("code")
            continue
        m = _AZ_MESSAGE.match(body)
        if m and pending_code:
            out.append(ErrorRecord(pending_code, m.group("msg").strip(), "az-cli", line=n))
            pending_code = None
            continue
        m = _PS_FQEID.search(body)
        if m and ps_last is not None:
            ps_last.code = ps_last.code or m.group("id")
            continue
        m = _PS_AT.search(body)
        if m and ps_last is not None:
            ps_last.target = ps_last.target or (m.group("path") + (f":{m.group('line')}" if m.group("line") else ""))
            continue
        m = _PS_RECORD.match(body)
        if m and not body.startswith(("At ", "+ ")):
            tail = _PS_CODE_TAIL.search(m.group("msg"))
            ps_last = ErrorRecord(tail.group("code") if tail else None, m.group("msg").strip(), "powershell",
                                  target=m.group("cmd"), line=n)
            out.append(ps_last)
            continue
        m = _CI_ERROR.search(raw)
        if m:
            out.append(ErrorRecord(None, (m.group("msg") or m.group("msg2")).strip(), "ci", line=n))
            continue
        m = _PACKER_SUMMARY.search(body)
        if m:
            msg = (m.group("msg") or m.group("msg2")).strip()
            inner = [r for r in read_records(msg, line=n, _depth=_depth + 1) if r.code]
            rec = ErrorRecord(None, msg, "packer", target=m.group("build") or m.group("build2"), line=n)
            rec.inner.extend(inner)
            out.append(rec)
            continue
        tail = _PS_CODE_TAIL.search(body)
        if tail:
            out.append(ErrorRecord(tail.group("code"), body.strip(), "powershell", line=n))
            continue
        if "{" in raw or "[" in raw:  # JSON printed inside a line
            for rec in _json_in_text(raw, _depth):
                rec.line = rec.line if rec.line is not None else n
                out.append(rec)
    return out


def codes_outer_to_inner(records: list[ErrorRecord]) -> list[str]:
    """Every code in ``records``, outer before inner, each once."""
    seen: dict[str, int] = {}
    for rec in records:
        for depth, r in rec.walk():
            if r.code and r.code not in seen:
                seen[r.code] = depth
    return sorted(seen, key=lambda c: seen[c])
