"""Make untrusted text safe to print in a CI log, and escape what goes inside our own commands.

How the runners find a command (their sources are public): the GitHub runner
(actions/runner ``src/Runner.Common/ActionCommand.cs``) trims leading white space and tests
``message.StartsWith("::")`` (the current form), and looks for ``##[`` with
``message.IndexOf("##[")`` (the legacy form); the Azure DevOps agent
(microsoft/azure-pipelines-agent ``src/Microsoft.VisualStudio.Services.Agent/Command.cs``) looks
for ``##vso[`` with ``message.IndexOf("##vso[")``. Those ``string`` overloads compare with the
current culture; on .NET with ICU (every Linux agent, recent Windows) that comparison skips
characters whose collation weight is zero -- zero-width and format characters, many controls,
combining marks, U+0600..U+0605, U+06DD, U+070F, U+FFF9..U+FFFB, Arabic tatweel -- and, at lower
strengths, equates width variants (``＃`` U+FF03, ``﹟`` U+FE5F, ``：`` U+FF1A, ``［`` U+FF3B).
So ``#\u0600#vso[`` is ``##vso[`` to the agent.

Rather than trust a list of ignorable characters (it changes with every ICU release), the cleaner
treats EVERY non-ASCII character as possibly invisible to the search:

1. control characters (except tab), ANSI escapes and the common zero-width characters are dropped
   (readability: nothing can hide behind them);
2. a ``#``-like character that, skipping non-ASCII characters, is followed by another ``#``-like
   character and then by ``[`` or ``v`` (any case, any width) gets a plain ASCII space after it:
   ``##vso[`` -> ``# #vso[``, ``#\u0600#[`` -> ``# \u0600#[``. A space has a collation weight, so
   no culture-aware search can skip it;
3. a line whose first characters, skipping white space and non-ASCII characters, are two
   ``:``-like characters gets a space after the first: ``::error::`` -> ``: :error::``.

The price is an extra space in rare text such as ``#é#v``; the gain is that no ICU version can
turn a cleaned line into a command. Escaping tables for OUR OWN commands are those of the same
two files and of azure-pipelines-task-lib ``node/taskcommand.ts``.
"""

from __future__ import annotations

import re
import unicodedata

from aib_pilot.redact import redact

# Controls except TAB, plus Unicode default-ignorable code points (format characters, variation
# selectors, fillers, tags). Line breaks are handled separately by split_lines().
_IGNORABLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
# ANSI escape sequences (CSI ... final byte, OSC ... BEL/ST) are removed whole, before controls.
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
# Characters that any collation strength equates with '#', ':', '[' or 'v' (checked against ICU
# by tests/report/test_culture_search.py); every other non-ASCII character counts as skippable.
_HASHES = "#\ufe5f\uff03"
_COLONS = ":\ufe13\ufe55\uff1a"
_OPENERS = "[vV\ufe47\uff3b\uff36\uff56\u1d20\u24b1\u24cb\u24e5"
# Cheap pre-check: a line with no '#'-like or ':'-like character needs no marker scan.
_MAYBE_MARKER = re.compile("[" + _HASHES + _COLONS + "]")


def _skippable(ch: str) -> bool:
    """Might a culture-aware search ignore this character? Every non-ASCII one may, and so do the
    ASCII controls (except tab), which ICU gives no weight either."""
    code = ord(ch)
    if code > 0x7F:
        return ch not in _HASHES and ch not in _COLONS
    return (code < 0x20 and ch != "\t") or code == 0x7F


def _opener(ch: str) -> bool:
    if ch in _OPENERS:
        return True
    if ord(ch) <= 0x7F:
        return False
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return base.casefold() in ("[", "v")


def _break_hash_markers(line: str) -> str:
    """Insert a space after every '#' that starts a (possibly disguised) ``##[`` or ``##vso[``."""
    out: list[str] = []
    n = len(line)
    for i, ch in enumerate(line):
        out.append(ch)
        if ch not in _HASHES:
            continue
        j = i + 1
        while j < n and _skippable(line[j]):
            j += 1
        if j >= n or line[j] not in _HASHES:
            continue
        k = j + 1
        while k < n and _skippable(line[k]) and not _opener(line[k]):
            k += 1
        if k < n and _opener(line[k]):
            out.append(" ")
    return "".join(out)


def _break_line_start(line: str) -> str:
    """``::`` (possibly with skippable characters around it) at the start of a line -> ``: :``."""
    i, n = 0, len(line)
    while i < n and (line[i].isspace() or _skippable(line[i])):
        i += 1
    if i >= n or line[i] not in _COLONS:
        return line
    j = i + 1
    while j < n and _skippable(line[j]):
        j += 1
    if j < n and line[j] in _COLONS:
        return line[: i + 1] + " " + line[i + 1:]
    return line


def neutralise(line: str) -> str:
    """Break every runner command marker in one line (no line breaks inside)."""
    if not _MAYBE_MARKER.search(line):
        return line
    return _break_line_start(_break_hash_markers(line))


_LINE_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def split_lines(text: str) -> list[str]:
    """Split on every character any runner or terminal could treat as a line end."""
    if text == "":
        return [""]
    parts = _LINE_BREAKS.split(text)
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    return parts


def clean_line(line: str) -> str:
    """Redact secrets, drop invisible/control characters, and break command markers in ONE line."""
    line = redact(line)
    line = _ANSI.sub("", line)
    line = _IGNORABLE.sub("", line)
    return neutralise(line)


def clean_lines(text_or_lines: str | list[str] | tuple[str, ...]) -> list[str]:
    """Clean untrusted text (a string or a list of strings), returning one safe string per line."""
    items = [text_or_lines] if isinstance(text_or_lines, str) else list(text_or_lines)
    out: list[str] = []
    for item in items:
        for piece in split_lines("" if item is None else str(item)):
            out.append(clean_line(piece))
    return out


def clean_inline(text: str | None, limit: int = 4000) -> str:
    """Clean text and fold it onto one line (for titles, table cells, property values)."""
    if not text:
        return ""
    folded = " ".join(part.strip() for part in clean_lines(text) if part.strip())
    return folded if len(folded) <= limit else folded[: limit - 1] + "…"


def random_token() -> str:
    """A fresh unguessable token for ``::stop-commands::`` and heredoc delimiters."""
    import secrets  # noqa: PLC0415 - only the CI formats need one (and it loads hmac, hashlib)

    return "aibpilot" + secrets.token_hex(16)


# --- GitHub workflow-command escaping (runner ActionCommand.cs, toolkit command.ts) ----------

def gh_escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def gh_escape_property(text: str) -> str:
    return gh_escape_data(text).replace(":", "%3A").replace(",", "%2C")


# --- Azure DevOps logging-command escaping (agent CommandStringConvertor, task-lib) ---------

def ado_escape_data(text: str) -> str:
    return text.replace("%", "%AZP25").replace("\r", "%0D").replace("\n", "%0A")


def ado_escape_property(text: str) -> str:
    return ado_escape_data(text).replace(";", "%3B").replace("]", "%5D")
